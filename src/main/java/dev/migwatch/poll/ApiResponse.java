package dev.migwatch.poll;

import java.time.Instant;

/**
 * What came back for one {@link ApiRequest}: an HTTP answer, or the failure that prevented one.
 *
 * @param httpStatus  null when no HTTP answer came
 * @param retryAfter  how long the provider asked to wait, in milliseconds (from x-acs-retry-after, in ms, or
 *                    Retry-After, in seconds or an HTTP date), null when it did not say
 * @param failure     the exception class and masked message when no answer came, otherwise null
 */
public record ApiResponse(
        String api,
        int attempt,
        Instant calledAt,
        long durationMs,
        Integer httpStatus,
        String contentType,
        String retryAfter,
        String body,
        String failure) {
}
