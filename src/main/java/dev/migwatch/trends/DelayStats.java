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

    /** One delay observation; delaySeconds null or negative means "not reported" (DTS sends -1). */
    public record Sample(Instant at, Long delaySeconds) {
    }

    /**
     * @param current             newest reported delay, null when none
     * @param currentAt           when it was sampled
     * @param max                 max over the window
     * @param avg                 mean of the samples in the window
     * @param samples             number of samples in the window
     * @param threshold           the threshold used (seconds)
     * @param aboveThresholdSince first sample of the unbroken run above threshold that includes the newest, else null
     */
    public record Stats(Long current, Instant currentAt, Long max, Double avg, int samples, long threshold,
                        Instant aboveThresholdSince) {
    }

    private DelayStats() {
    }

    public static Stats of(List<Sample> input, Duration window, long thresholdSeconds) {
        List<Sample> samples = new ArrayList<>();
        for (Sample s : input) {
            if (s.delaySeconds() != null && s.delaySeconds() >= 0) {
                samples.add(s);
            }
        }
        samples.sort(Comparator.comparing(Sample::at));
        if (samples.isEmpty()) {
            return new Stats(null, null, null, null, 0, thresholdSeconds, null);
        }
        Sample last = samples.get(samples.size() - 1);
        Instant cut = last.at().minus(window);
        long max = Long.MIN_VALUE, sum = 0;
        int n = 0;
        for (Sample s : samples) {
            if (!s.at().isBefore(cut)) {
                max = Math.max(max, s.delaySeconds());
                sum += s.delaySeconds();
                n++;
            }
        }
        Instant since = null;
        for (int i = samples.size() - 1; i >= 0 && samples.get(i).delaySeconds() > thresholdSeconds; i--) {
            since = samples.get(i).at();
        }
        return new Stats(last.delaySeconds(), last.at(), max, (double) sum / n, n, thresholdSeconds, since);
    }
}
