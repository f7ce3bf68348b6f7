package dev.migwatch.poll;

/** One task of one source: the unit that is polled, stored and charted. */
public record PollTarget(String source, String taskId) {
}
