package dev.migwatch.poll;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The unit of a retry-after comes from its header, never from the size of the number. */
class RetryAfterTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void alibabaHeaderIsMilliseconds() {
        assertEquals("300", ProviderCalls.retryAfterMillis("300", null, NOW));
        assertEquals("2000", ProviderCalls.retryAfterMillis("2000", "7", NOW));
        assertEquals(300, RetryPolicy.retryAfterMillis(ProviderCalls.retryAfterMillis("300", null, NOW)));
    }

    @Test
    void httpHeaderIsSecondsOrADate() {
        assertEquals("1000", ProviderCalls.retryAfterMillis(null, "1", NOW));
        assertEquals("120000", ProviderCalls.retryAfterMillis(null, "120", NOW));
        assertEquals("90000", ProviderCalls.retryAfterMillis(null, "Thu, 01 Jan 2026 00:01:30 GMT", NOW));
        assertEquals("0", ProviderCalls.retryAfterMillis(null, "Wed, 31 Dec 2025 23:00:00 GMT", NOW));
        assertEquals("5000", ProviderCalls.retryAfterMillis("soon", "5", NOW));
    }

    @Test
    void nothingUsable() {
        assertNull(ProviderCalls.retryAfterMillis(null, null, NOW));
        assertNull(ProviderCalls.retryAfterMillis(" ", "later", NOW));
        assertEquals(0, RetryPolicy.retryAfterMillis(null));
    }
}
