package dev.migwatch.trends;

import java.time.Instant;

/**
 * One distinct reported error (task_error): when it was first and last seen in a successful poll and in how
 * many polls. A standing error is one row however long it stands.
 */
public record ErrorRow(Instant firstSeen, Instant lastSeen, long seenCount, String origin, String originName, String code,
                       String level, String message, String reason, String proposal) {
}
