package dev.migwatch.history;

import java.time.Instant;

/**
 * One HTTP call to a provider: the poll log. Every call is recorded, successful or not.
 *
 * @param httpStatus   null when no HTTP answer came (connect error, timeout)
 * @param outcome      OK, or the failure class: ERROR, THROTTLED, AUTH, TIMEOUT, NETWORK, BAD_RESPONSE, NOT_FOUND
 * @param errorCode    the provider's error code (Code, RetCode) or the exception class
 * @param errorMessage as the provider gave it, with the source's secrets masked (see SecretMask)
 */
public record ApiCall(
        String api,
        int attempt,
        Instant calledAt,
        long durationMs,
        Integer httpStatus,
        String requestId,
        String outcome,
        String errorCode,
        String errorMessage) {

    public boolean ok() {
        return "OK".equals(outcome);
    }
}
