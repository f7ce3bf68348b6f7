package dev.migwatch.trends;

import java.time.Instant;

/** Filters for the poll log; null means "any". */
public record PollFilter(String source, String taskId, String outcome, Instant from, Instant to, int limit) {
}
