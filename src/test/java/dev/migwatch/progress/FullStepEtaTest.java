package dev.migwatch.progress;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FullStepEtaTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final FullStepEta eta = new FullStepEta(EtaEstimator.Settings.defaults(), Duration.ofMinutes(15));

    private static List<FullStepSample> every30s(String key, int order, int n, Long capacity, Double pct) {
        List<FullStepSample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new FullStepSample(key, key, T0.plusSeconds(30L * i), "RUNNING", 1_000L * i, capacity, pct, true, order));
        }
        return out;
    }

    @Test
    void countsWithoutACapacityGiveARateAndNoFinish() {
        FullStepEta.Figures f = eta.of("RUNNING", T0.plusSeconds(30 * 9), every30s("FULL_TRANSFER", 1, 10, null, null), null);

        assertEquals("records", f.measure());
        assertEquals(EtaEstimator.TOTAL_UNKNOWN, f.reason());
        assertEquals(1_000 / 30.0, f.ratePerSecond(), 1e-9);
        assertNull(f.total());
    }

    @Test
    void aStepWithoutARowInTheWholeWindowHasNotMovedAndSaysSo() {
        // rows only where a value changed: the last change 12 minutes before the newest poll, carried forward to it
        List<FullStepSample> samples = new ArrayList<>(every30s("FULL_TRANSFER", 1, 10, 50_000L, null));
        Instant newest = T0.plusSeconds(30 * 9).plus(Duration.ofMinutes(12));
        samples.add(samples.get(9).at(newest));

        FullStepEta.Figures f = eta.of("RUNNING", newest, samples, null);

        assertEquals(EtaEstimator.STALLED, f.reason());
        assertNull(f.finishAt());
        assertEquals(Duration.ofMinutes(12), f.stall().unchangedFor());
        assertEquals(false, f.stall().stalled(), "not yet for stall-after (15 minutes)");

        // a step first seen 3 minutes ago, unchanged since: too few samples still, nothing says it stopped
        List<FullStepSample> young = List.of(samples.get(9), samples.get(9).at(samples.get(9).polledAt().plus(Duration.ofMinutes(3))));
        assertEquals(EtaEstimator.TOO_FEW_SAMPLES, eta.of("RUNNING", young.get(1).polledAt(), young, null).reason());
    }

    @Test
    void theRunningStepFirstInTheProvidersOrderIsTheOneEstimated() {
        List<FullStepSample> samples = new ArrayList<>(every30s("FULL_VERIFIER", 2, 10, 100_000L, null));
        samples.addAll(every30s("FULL_TRANSFER", 1, 10, 50_000L, null));

        FullStepEta.Figures f = eta.of("RUNNING", T0.plusSeconds(30 * 9), samples, null);

        assertEquals("FULL_TRANSFER", f.stepKey());
        assertEquals(50_000.0, f.total());
    }

    @Test
    void aStepNotInTheNewestPollIsNoneAndAFinishedTaskSaysSo() {
        Instant later = T0.plusSeconds(30 * 20);
        List<FullStepSample> samples = every30s("FULL_TRANSFER", 1, 10, 50_000L, null);

        assertEquals(FullStepEta.NO_FULL_STEP, eta.of("RUNNING", later, samples, null).reason());
        assertEquals(EtaEstimator.FINISHED, eta.of("FINISHED", later, samples, null).reason());
        assertNull(eta.of("FINISHED", later, samples, null).stepKey());
    }
}
