package dev.migwatch.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Finds a RUNNING step whose progress (processed records, or percent) has not moved for a while: the
 * provider says it is running, the numbers say otherwise.
 */
public final class StallDetector {

    /** One observation of a step's progress measure; value null when the provider did not report one. */
    public record Sample(Instant at, Double value) {
    }

    /**
     * @param stalled        RUNNING, and unchanged for at least stallAfter
     * @param unchangedSince the first sample of the trailing run of equal values (a lower bound: it may
     *                       have been unchanged before the first sample we have)
     * @param unchangedFor   from unchangedSince to the newest sample: observed, not assumed, so a poller
     *                       that stopped polling does not make a step look stalled
     */
    public record Stall(boolean stalled, Instant unchangedSince, Duration unchangedFor) {
    }

    private final Duration stallAfter;

    public StallDetector(Duration stallAfter) {
        this.stallAfter = Objects.requireNonNull(stallAfter);
    }

    public Duration stallAfter() {
        return stallAfter;
    }

    public Stall check(String normalizedStatus, List<Sample> input) {
        List<Sample> samples = new ArrayList<>();
        for (Sample s : input) {
            if (s.value() != null) {
                samples.add(s);
            }
        }
        samples.sort(Comparator.comparing(Sample::at));
        if (samples.isEmpty()) {
            return new Stall(false, null, null);
        }
        double newest = samples.get(samples.size() - 1).value();
        Instant since = samples.get(samples.size() - 1).at();
        for (int i = samples.size() - 1; i >= 0 && samples.get(i).value() == newest; i--) {
            since = samples.get(i).at();
        }
        Duration unchangedFor = Duration.between(since, samples.get(samples.size() - 1).at());
        boolean stalled = "RUNNING".equals(normalizedStatus) && unchangedFor.compareTo(stallAfter) >= 0;
        return new Stall(stalled, since, unchangedFor);
    }
}
