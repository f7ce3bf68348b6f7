package dev.migwatch.trends;

import java.time.Instant;

/**
 * One poll cycle from the poll log (v_poll_log): OK, or the failure class and the call that decided it.
 * calls counts the HTTP calls made (retries included). Error messages were masked of secrets when recorded.
 * node: the migwatch node that polled (migwatch.cluster.node-id), null for a single node without one. A poll is identified by
 * its source, task and polledAt.
 */
public record PollRow(String source, String provider, String taskId, Instant polledAt, String outcome,
                      int calls, long durationMs, String api, Integer httpStatus, String requestId, String errorCode,
                      String errorMessage, String node) {
}
