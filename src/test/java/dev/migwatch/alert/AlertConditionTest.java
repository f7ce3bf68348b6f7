package dev.migwatch.alert;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each condition on a task's facts: whether it holds, its value, threshold, since and message. */
class AlertConditionTest {
    static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
    static final Duration STALL_AFTER = Duration.ofMinutes(15);

    static TaskFacts facts(String status, String raw, Long delay, Instant eta, boolean stalled, String outcome, Instant failingSince) {
        return new TaskFacts("prod-oms", "oms", "np_1", "orders", status, raw, status.equals("FAILED") ? "connector exited" : null,
                delay, eta, stalled, stalled ? "FULL_TRANSFER" : null, stalled ? NOW.minus(Duration.ofMinutes(20)) : null, outcome,
                outcome.equals("OK") ? null : "ServiceUnavailable", outcome.equals("OK") ? null : "try later", failingSince);
    }

    static Reading read(AlertCondition c, Threshold t, TaskFacts f) {
        return c.read(t, f, NOW, STALL_AFTER);
    }

    @Test
    void delayAbove() {
        Threshold fiveMinutes = Threshold.of(Duration.ofMinutes(5));
        Reading r = read(AlertCondition.DELAY_ABOVE, fiveMinutes, facts("RUNNING", "RUNNING", 412L, null, false, "OK", null));
        assertTrue(r.holds());
        assertEquals("412", r.value());
        assertEquals("300", r.threshold());
        assertNull(r.since(), "since the evaluation first saw it");
        assertEquals("delay 6 min 52 s, above 5 min", r.message());
        assertFalse(read(AlertCondition.DELAY_ABOVE, fiveMinutes, facts("RUNNING", "RUNNING", 300L, null, false, "OK", null)).holds(),
                "at the threshold is not above it");
        Reading none = read(AlertCondition.DELAY_ABOVE, fiveMinutes, facts("RUNNING", "RUNNING", null, null, false, "OK", null));
        assertFalse(none.holds());
        assertEquals("no delay reported (at most 5 min allowed)", none.message());
    }

    @Test
    void failedAndFinishedReadTheNormalizedStatus() {
        Reading failed = read(AlertCondition.FAILED, Threshold.NONE, facts("FAILED", "RetryPending", 1L, null, false, "OK", null));
        assertTrue(failed.holds());
        assertEquals("RetryPending", failed.value());
        assertEquals("the task is FAILED (provider status RetryPending): connector exited", failed.message());
        Reading running = read(AlertCondition.FAILED, Threshold.NONE, facts("RUNNING", "Syncing", 1L, null, false, "OK", null));
        assertFalse(running.holds());
        assertEquals("the task is RUNNING (provider status Syncing)", running.message());
        assertTrue(read(AlertCondition.FINISHED, Threshold.NONE, facts("FINISHED", "Done", null, null, false, "OK", null)).holds());
        assertFalse(read(AlertCondition.FINISHED, Threshold.NONE, facts("RUNNING", "Syncing", null, null, false, "OK", null)).holds());
    }

    @Test
    void stalledIsTheStallDetectorsAndHoldsSinceTheStallAfterPassed() {
        Reading r = read(AlertCondition.STALLED, Threshold.NONE, facts("RUNNING", "RUNNING", null, null, true, "OK", null));
        assertTrue(r.holds());
        assertEquals("FULL_TRANSFER", r.value());
        assertEquals(NOW.minus(Duration.ofMinutes(5)), r.since(), "unchanged since 20 min ago, stalled since 5");
        assertFalse(read(AlertCondition.STALLED, Threshold.NONE, facts("RUNNING", "RUNNING", null, null, false, "OK", null)).holds());
    }

    @Test
    void pollsFailingHoldsSinceTheFirstFailedPoll() {
        Instant first = NOW.minus(Duration.ofMinutes(3));
        Reading r = read(AlertCondition.POLLS_FAILING, Threshold.NONE, facts("RUNNING", "RUNNING", null, null, false, "ERROR", first));
        assertTrue(r.holds());
        assertEquals("ERROR", r.value());
        assertEquals(first, r.since());
        assertEquals("every poll has failed since 2026-05-01T09:57:00Z; the newest: ERROR ServiceUnavailable: try later", r.message());
        Reading ok = read(AlertCondition.POLLS_FAILING, Threshold.NONE, facts("RUNNING", "RUNNING", null, null, false, "OK", null));
        assertFalse(ok.holds());
        assertEquals("polls succeed again", ok.message());
    }

    @Test
    void etaAfterATimeOrADurationFromNow() {
        Instant eta = NOW.plus(Duration.ofHours(7));
        TaskFacts t = facts("RUNNING", "RUNNING", null, eta, false, "OK", null);
        Reading relative = read(AlertCondition.ETA_AFTER, Threshold.of(Duration.ofHours(6)), t);
        assertTrue(relative.holds());
        assertEquals("2026-05-01T16:00:00Z", relative.threshold());
        assertEquals("2026-05-01T17:00:00Z", relative.value());
        assertFalse(read(AlertCondition.ETA_AFTER, Threshold.of(Duration.ofHours(8)), t).holds());
        assertTrue(read(AlertCondition.ETA_AFTER, Threshold.of(Instant.parse("2026-05-01T12:00:00Z")), t).holds());
        Reading none = read(AlertCondition.ETA_AFTER, Threshold.of(Duration.ofHours(6)), facts("RUNNING", "RUNNING", null, null, false, "OK", null));
        assertFalse(none.holds());
        assertEquals("no estimate of the end of a full step now", none.message());
    }
}
