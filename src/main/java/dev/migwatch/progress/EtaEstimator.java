package dev.migwatch.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Estimates when a running full transfer or full verification will finish, from the recent rate only.
 *
 * <p>A least-squares line is fitted to the samples of a recent window (the last {@code window} of time,
 * at most {@code maxSamples} samples) rather than to the whole run, because full transfers change speed
 * (big tables, throttling, a verifier catching up). When the data cannot support an estimate the answer
 * is a null finish time with a reason, never a guess: too few samples, too short a span, no progress, no
 * known total, or already finished.
 *
 * <p>Works on any "done out of total" measure: processed records out of capacity (OMS, UDTS) or progress
 * percent out of 100 (DTS).
 */
public final class EtaEstimator {

    public static final String TOO_FEW_SAMPLES = "too few samples";
    public static final String STALLED = "no progress: stalled";
    public static final String FINISHED = "finished";
    public static final String TOTAL_UNKNOWN = "total unknown";

    /** One observation: at {@code at}, {@code done} of {@code total} (total may be unknown: null). */
    public record Sample(Instant at, double done, Double total) {
        public Sample {
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * @param window     how far back from the newest sample the fit looks
     * @param maxSamples at most this many newest samples are fitted
     * @param minSamples fewer samples than this give no estimate
     * @param minSpan    the fitted samples must span at least this long (two polls a second apart say nothing)
     */
    public record Settings(Duration window, int maxSamples, int minSamples, Duration minSpan) {
        public Settings {
            if (minSamples < 2) {
                throw new IllegalArgumentException("minSamples must be at least 2 to fit a line");
            }
            if (maxSamples < minSamples) {
                throw new IllegalArgumentException("maxSamples must be >= minSamples");
            }
        }

        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(10), 60, 3, Duration.ofMinutes(1));
        }
    }

    /**
     * The answer.
     *
     * @param ratePerSecond    the fitted rate (units of done per second), null when no fit was made
     * @param finishAt         estimated finish, null when there is no trustworthy estimate
     * @param remainingSeconds seconds from the newest sample to finishAt, null with finishAt
     * @param reason           why finishAt is null, null when there is an estimate
     * @param samplesUsed      how many samples the fit used
     * @param windowFrom       time of the oldest fitted sample
     * @param done             newest done value
     * @param total            newest total, may be null
     */
    public record Estimate(Double ratePerSecond, Instant finishAt, Long remainingSeconds, String reason,
                           int samplesUsed, Instant windowFrom, Double done, Double total) {

        static Estimate none(String reason, int used, Instant from, Double rate, Sample last) {
            return new Estimate(rate, null, null, reason, used, from, last == null ? null : last.done(),
                    last == null ? null : last.total());
        }
    }

    private final Settings settings;

    public EtaEstimator(Settings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    public EtaEstimator() {
        this(Settings.defaults());
    }

    public Settings settings() {
        return settings;
    }

    public Estimate estimate(List<Sample> input) {
        List<Sample> samples = new ArrayList<>(input);
        samples.sort(Comparator.comparing(Sample::at));
        if (samples.isEmpty()) {
            return Estimate.none(TOO_FEW_SAMPLES, 0, null, null, null);
        }
        Sample last = samples.get(samples.size() - 1);
        if (last.total() != null && last.total() > 0 && last.done() >= last.total()) {
            return Estimate.none(FINISHED, 0, null, null, last);
        }
        List<Sample> recent = recentWindow(samples, last.at());
        Instant from = recent.get(0).at();
        Duration span = Duration.between(from, last.at());
        if (recent.size() < settings.minSamples() || span.compareTo(settings.minSpan()) < 0) {
            return Estimate.none(TOO_FEW_SAMPLES, recent.size(), from, null, last);
        }
        double rate = slopePerSecond(recent);
        // A line can still slope upwards while the newest samples have not moved: do not extrapolate
        // an old rate over a current stall.
        if (!(rate > 0) || flatForMinSpan(recent, last)) {
            return Estimate.none(STALLED, recent.size(), from, rate, last);
        }
        if (last.total() == null || last.total() <= 0) {
            return Estimate.none(TOTAL_UNKNOWN, recent.size(), from, rate, last);
        }
        double remaining = last.total() - last.done();
        long seconds = (long) Math.ceil(remaining / rate);
        return new Estimate(rate, last.at().plusSeconds(seconds), seconds, null, recent.size(), from,
                last.done(), last.total());
    }

    private List<Sample> recentWindow(List<Sample> sorted, Instant newest) {
        Instant cut = newest.minus(settings.window());
        List<Sample> out = new ArrayList<>();
        for (int i = sorted.size() - 1; i >= 0 && out.size() < settings.maxSamples(); i--) {
            Sample s = sorted.get(i);
            if (s.at().isBefore(cut)) {
                break;
            }
            out.add(0, s);
        }
        return out;
    }

    /** True when the newest sample equals every sample of the trailing minSpan (and that stretch is minSpan long). */
    private boolean flatForMinSpan(List<Sample> recent, Sample last) {
        Instant cut = last.at().minus(settings.minSpan());
        for (int i = recent.size() - 1; i >= 0; i--) {
            Sample s = recent.get(i);
            if (s.done() != last.done()) {
                return false;
            }
            if (!s.at().isAfter(cut)) {
                return true;
            }
        }
        return false;
    }

    /** Ordinary least squares slope of done over seconds since the first sample (NaN when they are all at one time). */
    public static double slopePerSecond(List<Sample> samples) {
        Instant t0 = samples.get(0).at();
        int n = samples.size();
        double sx = 0, sy = 0;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = Duration.between(t0, samples.get(i).at()).toMillis() / 1000.0;
            sx += x[i];
            sy += samples.get(i).done();
        }
        double mx = sx / n, my = sy / n, sxx = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            sxx += dx * dx;
            sxy += dx * (samples.get(i).done() - my);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }
}
