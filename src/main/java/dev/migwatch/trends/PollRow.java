package dev.migwatch.trends;

import java.time.Instant;

/** One provider call from the poll log (api_call). Error messages were masked of secrets when recorded. */
public record PollRow(String source, String provider, String taskId, String cycleId, String api, int attempt,
                      Instant calledAt, long durationMs, Integer httpStatus, String requestId, String outcome,
                      String errorCode, String errorMessage) {
}
