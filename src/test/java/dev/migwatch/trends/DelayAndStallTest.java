package dev.migwatch.trends;

import dev.migwatch.progress.StallDetector;

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
        // each reading in force for its minute, the newest for none yet
        assertEquals((3 * 60 + 70 * 60 + 90 * 60) / 180.0, s.avg(), 1e-9);
        assertEquals(4, s.samples());
        assertEquals(T0.plusSeconds(180), s.aboveThresholdSince());
    }

    private static DelayStats.Sample at(int minute, Long delay) {
        return new DelayStats.Sample(T0.plusSeconds(60L * minute), delay);
    }

    @Test
    void theAverageWeighsEachReadingByTheTimeItWasInForce() {
        // the history stores a delay when it changes: 10 s for 25 minutes of polls, then 40 s (carried to the newest poll)
        DelayStats.Stats s = DelayStats.of(List.of(at(0, 10L), at(25, 40L), at(30, 40L)), Duration.ofMinutes(30), 60);
        assertEquals((10 * 25 + 40 * 5) / 30.0, s.avg(), 1e-9, "not the mean of the stored readings, 30");
        assertEquals(40, s.max());
        assertEquals(3, s.samples());
        // a delay that stood at 0 s for the whole window and changed at the newest poll has not been in force yet
        assertEquals(0.0, DelayStats.of(List.of(at(0, 0L), at(30, 100L)), Duration.ofMinutes(30), 60).avg(), 1e-9);
    }

    @Test
    void aReadingWithoutADelayEndsTheOneBeforeIt() {
        DelayStats.Stats s = DelayStats.of(List.of(at(0, 100L), at(10, null), at(20, 10L), at(30, 10L)), Duration.ofHours(1), 60);
        assertEquals((100 * 10 + 10 * 10) / 20.0, s.avg(), 1e-9, "the ten minutes without a delay count for nothing");
        assertEquals(3, s.samples());
        assertEquals(DelayStats.of(List.of(at(0, 100L), at(10, -1L), at(20, 10L), at(30, 10L)), Duration.ofHours(1), 60), s,
                "DTS's -1 is no delay either");
    }

    @Test
    void theReadingInForceAtTheWindowsStartCountsFromThere() {
        DelayStats.Stats s = DelayStats.of(List.of(at(0, 50L), at(25, 10L), at(30, 10L)), Duration.ofMinutes(10), 60);
        assertEquals(50, s.max(), "50 s was in force from minute 20 to 25");
        assertEquals((50 * 5 + 10 * 5) / 10.0, s.avg(), 1e-9);
        assertEquals(3, s.samples());
        assertNull(s.aboveThresholdSince());
    }

    @Test
    void aboveTheThresholdSinceLooksBackOverEveryReadingNotTheWindow() {
        List<DelayStats.Sample> readings = List.of(at(30, 90L), at(0, 10L), at(10, 70L), at(20, -1L), at(25, null));
        assertEquals(T0.plusSeconds(600), DelayStats.aboveThresholdSince(readings, 60), "no delay does not break the run");
        assertEquals(T0.plusSeconds(600), DelayStats.of(readings, Duration.ofMinutes(5), 60).aboveThresholdSince(),
                "the figures of a 5-minute window say the same");
        assertNull(DelayStats.aboveThresholdSince(List.of(at(0, 90L), at(10, 60L)), 60), "at the threshold is not above it");
        assertNull(DelayStats.aboveThresholdSince(List.of(at(0, null)), 60));
    }

    @Test
    void readingsAllAtOneInstantAverageAsTheyAre() {
        DelayStats.Stats s = DelayStats.of(List.of(at(5, 30L)), Duration.ofMinutes(30), 60);
        assertEquals(30.0, s.avg(), 1e-9);
        assertEquals(1, s.samples());
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
