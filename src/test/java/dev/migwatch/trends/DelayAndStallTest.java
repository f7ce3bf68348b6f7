package dev.migwatch.trends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelayAndStallTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static List<DelayStats.Sample> delays(long... values) {
        List<DelayStats.Sample> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            out.add(new DelayStats.Sample(T0.plusSeconds(60L * i), values[i]));
        }
        return out;
    }

    @Test
    void delayCurrentMaxAvgAndAboveSince() {
        DelayStats.Stats s = DelayStats.of(delays(5, 200, 3, 70, 90, 120), Duration.ofMinutes(3), 60);
        assertEquals(120, s.current());
        assertEquals(T0.plusSeconds(300), s.currentAt());
        assertEquals(120, s.max(), "window of 3 min holds the last 4 samples");
        assertEquals((3 + 70 + 90 + 120) / 4.0, s.avg(), 1e-9);
        assertEquals(4, s.samples());
        assertEquals(T0.plusSeconds(180), s.aboveThresholdSince());
    }

    @Test
    void delayBelowThresholdHasNoSince() {
        DelayStats.Stats s = DelayStats.of(delays(100, 100, 10), Duration.ofHours(1), 60);
        assertNull(s.aboveThresholdSince());
        assertEquals(100, s.max());
    }

    @Test
    void delayIgnoresNotApplicable() {
        DelayStats.Stats s = DelayStats.of(delays(-1, -1), Duration.ofHours(1), 60);
        assertNull(s.current());
        assertEquals(0, s.samples());
    }

    private static List<StallDetector.Sample> values(double... v) {
        List<StallDetector.Sample> out = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            out.add(new StallDetector.Sample(T0.plusSeconds(300L * i), v[i]));
        }
        return out;
    }

    @Test
    void runningStepUnchangedLongEnoughIsStalled() {
        StallDetector d = new StallDetector(Duration.ofMinutes(15));
        StallDetector.Stall s = d.check("RUNNING", values(1, 2, 3, 3, 3, 3));
        assertTrue(s.stalled());
        assertEquals(T0.plusSeconds(600), s.unchangedSince());
        assertEquals(Duration.ofMinutes(15), s.unchangedFor());
    }

    @Test
    void notStalledWhenMovingOrShortOrNotRunning() {
        StallDetector d = new StallDetector(Duration.ofMinutes(15));
        assertFalse(d.check("RUNNING", values(1, 2, 3, 4, 5)).stalled());
        assertFalse(d.check("RUNNING", values(1, 2, 3, 3, 3)).stalled(), "only 10 minutes flat");
        assertFalse(d.check("FINISHED", values(3, 3, 3, 3, 3, 3)).stalled());
        assertFalse(d.check("RUNNING", List.of()).stalled());
    }

    @Test
    void downsamplingAveragesBuckets() {
        List<Series.Point> pts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            pts.add(new Series.Point(T0.plusSeconds(i), i, 1));
        }
        List<Series> out = Downsampler.downsample(List.of(new Series("a", pts), new Series("b", pts.subList(0, 5))), 10);
        assertEquals(10, out.get(0).points().size());
        assertEquals(49.5, out.get(0).points().get(0).v(), 1e-9);
        assertEquals(100, out.get(0).points().get(0).n());
        assertEquals(T0.plusMillis(49_500), out.get(0).points().get(0).t());
        assertEquals(5, out.get(1).points().size(), "short series are kept as they are");
    }
}
