package dev.migwatch.poll;

import dev.migwatch.provider.ApiResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which failed calls are worth another try within the same cycle, and how long to wait first:
 * exponential backoff with full jitter, so that many tasks retrying after one outage do not hit the
 * provider in lock-step. Throttling, credentials and unknown ids are not retried here: throttling is
 * handled per source by {@link SourceGuard}, the others would only fail again.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    private static final Set<String> RETRYABLE = Set.of("ERROR", "TIMEOUT", "NETWORK");

    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    public boolean retry(String outcome, Integer httpStatus, int attempt) {
        if (attempt >= maxAttempts || !RETRYABLE.contains(outcome)) {
            return false;
        }
        // an Alibaba 4xx that is not throttling or auth is a request the provider will refuse again
        return httpStatus == null || httpStatus >= 500;
    }

    /** The wait before attempt {@code attempt + 1}; a provider's retry-after wins when it is longer. */
    public long delayMillis(int attempt, String retryAfter) {
        long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() * (1L << Math.min(attempt - 1, 20)));
        long jittered = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        return Math.max(jittered, Math.min(retryAfterMillis(retryAfter), maxDelay.toMillis()));
    }

    /** The retry-after of an {@link ApiResponse}, already in milliseconds (see ProviderCalls.retryAfterMillis); 0 if none. */
    static long retryAfterMillis(String retryAfter) {
        if (retryAfter == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(retryAfter.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
