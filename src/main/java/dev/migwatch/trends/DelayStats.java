package dev.migwatch.trends;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Incremental sync delay figures: the current delay, its max and average over a recent window, and since
 * when it has been above a threshold without a break.
 */
public final class DelayStats {

    /**
     * One delay reading, in force from at until the next reading of the same series (the history stores a delay only
     * when it changes, so a reading stands for every poll until the next one). delaySeconds null or negative means
     * "not reported" (DTS sends -1): it ends the reading before it and counts for nothing.
     */
    public record Sample(Instant at, Long delaySeconds) {
        boolean reported() {
            return delaySeconds != null && delaySeconds >= 0;
        }
    }

    /**
     * @param current             newest reported delay, null when none
     * @param currentAt           when it was sampled
     * @param max                 max over the window
     * @param avg                 mean over the window's time of the delay in force (each reading weighted by the time
     *                            until the next reading; the newest ends at currentAt), or the plain mean of the window's
     *                            readings when they all fall at one instant
     * @param samples             number of readings in the window: the one in force at its start, each stored row with
     *                            a delay (a row is stored when any of its values changes: these are not polls), and the
     *                            newest carried to the window's end
     * @param threshold           the threshold used (seconds)
     * @param aboveThresholdSince first sample of the unbroken run above threshold that includes the newest, else null
     */
    public record Stats(Long current, Instant currentAt, Long max, Double avg, int samples, long threshold,
                        Instant aboveThresholdSince) {
    }

    private DelayStats() {
    }

    /**
     * The figures of the window that reaches back from the newest reported reading: the reading in force at its start
     * counts from there, and each reading until the next of any kind (the newest reported one past its own time only when
     * readings without a delay follow it). Its aboveThresholdSince is aboveThresholdSince(input, threshold): over all the
     * readings, not only the window's. Readings may come in any order.
     */
    public static Stats of(List<Sample> input, Duration window, long thresholdSeconds) {
        List<Sample> sorted = new ArrayList<>(input);
        sorted.sort(Comparator.comparing(Sample::at));
        Sample last = null;
        for (Sample s : sorted) {
            if (s.reported()) {
                last = s;
            }
        }
        if (last == null) {
            return new Stats(null, null, null, null, 0, thresholdSeconds, null);
        }
        Instant cut = last.at().minus(window);
        int from = 0;
        for (int i = 0; i < sorted.size() && !sorted.get(i).at().isAfter(cut); i++) {
            from = i;
        }
        long max = Long.MIN_VALUE, sum = 0;
        int n = 0;
        double weighted = 0, weight = 0;
        for (int i = from; i < sorted.size(); i++) {
            Sample s = sorted.get(i);
            if (!s.reported()) {
                continue;
            }
            Instant at = s.at().isBefore(cut) ? cut : s.at();
            // the newest reading has no time in force yet: it is where the window ends
            Instant until = i + 1 < sorted.size() ? sorted.get(i + 1).at() : at;
            double seconds = Duration.between(at, until).toNanos() / 1e9;
            max = Math.max(max, s.delaySeconds());
            sum += s.delaySeconds();
            n++;
            weighted += s.delaySeconds() * seconds;
            weight += seconds;
        }
        return new Stats(last.delaySeconds(), last.at(), max, weight > 0 ? weighted / weight : (double) sum / n, n,
                thresholdSeconds, sinceOfSorted(sorted, thresholdSeconds));
    }

    /**
     * The first reading of the unbroken run above the threshold that ends at the newest reported one, over all the
     * readings (readings without a delay do not break it); null when the newest is at or below it, or there is none.
     * Readings may come in any order.
     */
    public static Instant aboveThresholdSince(List<Sample> input, long thresholdSeconds) {
        List<Sample> sorted = new ArrayList<>(input);
        sorted.sort(Comparator.comparing(Sample::at));
        return sinceOfSorted(sorted, thresholdSeconds);
    }

    private static Instant sinceOfSorted(List<Sample> sorted, long thresholdSeconds) {
        Instant since = null;
        for (int i = sorted.size() - 1; i >= 0; i--) {
            Sample s = sorted.get(i);
            if (s.reported()) {
                if (s.delaySeconds() <= thresholdSeconds) {
                    break;
                }
                since = s.at();
            }
        }
        return since;
    }
}
