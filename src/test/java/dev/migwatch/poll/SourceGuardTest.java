package dev.migwatch.poll;

import dev.migwatch.MovableClock;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.TaskSnapshot;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** SourceGuard's state machine on a clock the test moves. */
class SourceGuardTest {
    static final Duration INTERVAL = Duration.ofMillis(200);

    private static TaskSnapshot failed(Instant at, String outcome, String code) {
        return TaskSnapshot.failed("c-" + at.toEpochMilli() + outcome, "s", "oms", "t", at,
                List.of(new ApiCall("DescribeProject", 1, at, 5, 500, null, outcome, code, "m")), List.of());
    }

    @Test
    void aThrottledOrRefusedHalfOpenProbeDoesNotWedgeTheBreaker() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        SourceGuard guard = new SourceGuard(new SourceGuard.Settings(2, Duration.ofSeconds(1), Duration.ofMillis(500),
                Duration.ofSeconds(5)), clock);
        for (int i = 0; i < 2; i++) {
            assertNull(guard.admit("s", INTERVAL));
            guard.observe(failed(clock.instant(), "ERROR", "ServiceUnavailable"), INTERVAL, 0);
        }
        assertEquals(CircuitBreaker.State.OPEN, guard.breakerState("s"));
        assertEquals("CIRCUIT_OPEN", guard.admit("s", INTERVAL).code());
        clock.advance(1_100);
        for (String outcome : List.of("THROTTLED", "AUTH")) {
            assertNull(guard.admit("s", INTERVAL), "the half-open probe is admitted after " + outcome);
            assertEquals(CircuitBreaker.State.HALF_OPEN, guard.breakerState("s"));
            guard.observe(failed(clock.instant(), outcome, outcome), INTERVAL, 300);
            assertNotNull(guard.admit("s", INTERVAL), "paused after " + outcome);
            clock.advance(5_100);
        }
        assertNull(guard.admit("s", INTERVAL), "probed again once the pause is over");
    }
}
