package dev.migwatch.trends;

import java.time.Instant;

/** A stretch of time during which one component kept one status: a bar of the status timeline. */
public record ComponentSpan(String kind, String name, String status, String rawStatus, Instant from, Instant to,
                            int samples) {
}
