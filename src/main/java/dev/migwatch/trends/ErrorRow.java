package dev.migwatch.trends;

import java.time.Instant;

/** One reported error (error_event). */
public record ErrorRow(Instant occurredAt, String origin, String originName, String code, String level,
                       String message, String reason, String proposal) {
}
