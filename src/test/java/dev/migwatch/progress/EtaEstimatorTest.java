package dev.migwatch.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

class EtaEstimatorTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final EtaEstimator estimator = new EtaEstimator(
            new EtaEstimator.Settings(Duration.ofMinutes(10), 60, 3, Duration.ofMinutes(1)));

    /** One sample every 30 s; done(i) gives the processed count of the i-th. */
    private static List<EtaEstimator.Sample> every30s(int n, IntToDoubleFunction done, Double total) {
        List<EtaEstimator.Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new EtaEstimator.Sample(T0.plusSeconds(30L * i), done.applyAsDouble(i), total));
        }
        return out;
    }

    @Test
    void steadyRateGivesExactFinish() {
        // 1000 records/s, 10 samples over 270 s: 270000 done of 1000000.
        EtaEstimator.Estimate e = estimator.estimate(every30s(10, i -> 30_000.0 * i, 1_000_000.0));
        assertNull(e.reason());
        assertEquals(1000.0, e.ratePerSecond(), 1e-6);
        assertEquals(730, e.remainingSeconds());
        assertEquals(T0.plusSeconds(270 + 730), e.finishAt());
        assertEquals(10, e.samplesUsed());
    }

    @Test
    void acceleratingUsesRecentWindowNotWholeRun() {
        // 40 min at 100/s, then 10 min at 1000/s: the window (10 min) sees only the fast part.
        List<EtaEstimator.Sample> s = new ArrayList<>();
        double done = 0;
        for (int i = 0; i <= 100; i++) {
            s.add(new EtaEstimator.Sample(T0.plusSeconds(30L * i), done, 5_000_000.0));
            done += i < 80 ? 3_000 : 30_000;
        }
        EtaEstimator.Estimate e = estimator.estimate(s);
        assertNull(e.reason());
        assertEquals(1000.0, e.ratePerSecond(), 1.0, "recent rate");
        double remaining = 5_000_000.0 - s.get(100).done();
        assertEquals(remaining / 1000.0, e.remainingSeconds(), 2.0);
        assertTrue(e.samplesUsed() <= 21);
    }

    @Test
    void stalledGivesNoEta() {
        EtaEstimator.Estimate e = estimator.estimate(every30s(10, i -> 500.0, 1000.0));
        assertNull(e.finishAt());
        assertEquals(EtaEstimator.STALLED, e.reason());
    }

    @Test
    void recentStallAfterProgressGivesNoEta() {
        // Moving for 6 samples, then flat for 3 minutes: the line still slopes up, the step does not.
        EtaEstimator.Estimate e = estimator.estimate(every30s(12, i -> 1000.0 * Math.min(i, 5), 100_000.0));
        assertNull(e.finishAt());
        assertEquals(EtaEstimator.STALLED, e.reason());
    }

    @Test
    void goingBackwardsGivesNoEta() {
        EtaEstimator.Estimate e = estimator.estimate(every30s(5, i -> 1000.0 - 100 * i, 2000.0));
        assertEquals(EtaEstimator.STALLED, e.reason());
    }

    @Test
    void tooFewSamples() {
        assertEquals(EtaEstimator.TOO_FEW_SAMPLES, estimator.estimate(List.of()).reason());
        assertEquals(EtaEstimator.TOO_FEW_SAMPLES, estimator.estimate(every30s(2, i -> 100.0 * i, 1000.0)).reason());
    }

    @Test
    void tooShortSpan() {
        List<EtaEstimator.Sample> s = List.of(
                new EtaEstimator.Sample(T0, 0, 1000.0),
                new EtaEstimator.Sample(T0.plusSeconds(10), 10, 1000.0),
                new EtaEstimator.Sample(T0.plusSeconds(20), 20, 1000.0),
                new EtaEstimator.Sample(T0.plusSeconds(30), 30, 1000.0));
        EtaEstimator.Estimate e = estimator.estimate(s);
        assertEquals(EtaEstimator.TOO_FEW_SAMPLES, e.reason());
        assertNull(e.finishAt());
    }

    @Test
    void finished() {
        EtaEstimator.Estimate e = estimator.estimate(every30s(5, i -> 250.0 * i, 1000.0));
        assertEquals(EtaEstimator.FINISHED, e.reason());
        assertNull(e.finishAt());
    }

    @Test
    void totalUnknownStillReportsRate() {
        EtaEstimator.Estimate e = estimator.estimate(every30s(5, i -> 300.0 * i, null));
        assertEquals(EtaEstimator.TOTAL_UNKNOWN, e.reason());
        assertNull(e.finishAt());
        assertNotNull(e.ratePerSecond());
        assertEquals(10.0, e.ratePerSecond(), 1e-9);
    }

    @Test
    void unsortedInputIsSorted() {
        List<EtaEstimator.Sample> s = new ArrayList<>(every30s(6, i -> 60.0 * i, 10_000.0));
        java.util.Collections.reverse(s);
        EtaEstimator.Estimate e = estimator.estimate(s);
        assertEquals(2.0, e.ratePerSecond(), 1e-9);
        assertEquals(T0.plusSeconds(150).plusSeconds((10_000 - 300) / 2), e.finishAt());
    }

    @Test
    void percentMeasure() {
        // DTS: progress percent of 100, 1 % per minute.
        EtaEstimator.Estimate e = estimator.estimate(every30s(5, i -> 40 + 0.5 * i, 100.0));
        assertEquals(1.0 / 60, e.ratePerSecond(), 1e-9);
        assertEquals(58 * 60, e.remainingSeconds());
    }
}
