package dev.migwatch.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ETA and stall figures of a task's running full data step from that step's samples: what the task list shows for a
 * task in full transfer. One function for the readers, which compute it from the rows they read (TrendsService), and for
 * the writer, which computes it at each poll from the rows it keeps and stores it with the task (storage.FullStepReadings,
 * V18): the same samples give the same figures.
 */
public final class FullStepEta {

    public static final String NO_FULL_STEP = "no full transfer running";
    private static final Double PERCENT_TOTAL = 100.0;

    private final EtaEstimator estimator;
    private final StallDetector stallDetector;

    public FullStepEta(EtaEstimator.Settings eta, Duration stallAfter) {
        this.estimator = new EtaEstimator(eta);
        this.stallDetector = new StallDetector(stallAfter);
    }

    /**
     * The figures. stepKey is null when no full data step of the newest poll runs (reason FINISHED or NO_FULL_STEP).
     *
     * @param measure "records" (processed of capacity) or "percent" (progress of 100)
     */
    public record Figures(String stepKey, String stepName, String measure, Double ratePerSecond, Instant finishAt,
                          Long remainingSeconds, String reason, int samplesUsed, Instant windowFrom, Double done, Double total,
                          StallDetector.Stall stall) {

        static Figures none(boolean finished) {
            return new Figures(null, null, null, null, null, null, finished ? EtaEstimator.FINISHED : NO_FULL_STEP, 0, null, null,
                    null, null);
        }
    }

    public EtaEstimator.Settings eta() {
        return estimator.settings();
    }

    public Duration stallAfter() {
        return stallDetector.stallAfter();
    }

    /**
     * How far back from the newest poll the samples must reach for the figures to be complete: the fit's window, and twice
     * stall-after for "unchanged since" (which is found back to there at most).
     */
    public Duration lookback() {
        Duration twice = stallAfter().multipliedBy(2);
        return eta().window().compareTo(twice) >= 0 ? eta().window() : twice;
    }

    /**
     * The settings the figures depend on, as short text (window ms/most samples/fewest samples/shortest span ms/stall-after
     * ms): figures the writer kept with other settings than a reader's answer none of its reads.
     */
    public String settingsKey() {
        EtaEstimator.Settings s = eta();
        return s.window().toMillis() + "/" + s.maxSamples() + "/" + s.minSamples() + "/" + s.minSpan().toMillis() + "/"
                + stallAfter().toMillis();
    }

    /** The full data steps whose samples feed the ETA: as in v_full_transfer_progress (TrendQueries.FULL_DATA_STEP in SQL). */
    public static boolean fullDataStep(String provider, String stepName) {
        if (stepName == null) {
            return false;
        }
        return stepName.equals("FULL_TRANSFER") || stepName.equals("FULL_VERIFIER") || stepName.equals("FULL_MIGRATION")
                || ("DTS".equalsIgnoreCase(provider) && (stepName.toUpperCase(Locale.ROOT).contains("FULL")
                || stepName.contains("全量")));
    }

    /**
     * The figures of a task whose newest successful poll is at sampledAt, from its full data steps' samples read from the
     * rows in force at readFrom (null: nothing before that matters) to sampledAt, oldest first per step, with the newest
     * row of each step carried forward to sampledAt and the samples of steps absent from their answers left out. Null when
     * the step has rows before readFrom and its progress did not move in those read: since when it stands still (the stall
     * check) needs the rows before.
     *
     * @param taskStatus the task's normalized status at sampledAt
     */
    public Figures of(String taskStatus, Instant sampledAt, List<FullStepSample> samples, Instant readFrom) {
        Map<String, List<FullStepSample>> bySteps = new LinkedHashMap<>();
        for (FullStepSample s : samples) {
            bySteps.computeIfAbsent(s.stepKey(), k -> new ArrayList<>()).add(s);
        }
        // Only steps present in the newest poll count; a RUNNING one first, then in the provider's order of steps (not in
        // the order the read met them, which depends on how far back it reached)
        List<List<FullStepSample>> current = bySteps.values().stream()
                .filter(l -> last(l).polledAt().equals(sampledAt))
                .sorted(Comparator.<List<FullStepSample>>comparingInt(l -> "RUNNING".equals(last(l).status()) ? 0 : 1)
                        .thenComparing(l -> last(l).stepOrder(), Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(l -> last(l).stepKey()))
                .toList();
        if (current.isEmpty() || !"RUNNING".equals(last(current.get(0)).status())) {
            return Figures.none("FINISHED".equals(taskStatus)
                    || (!current.isEmpty() && "FINISHED".equals(last(current.get(0)).status())));
        }
        List<FullStepSample> step = current.get(0);
        FullStepSample newest = last(step);
        boolean records = newest.processedRecords() != null
                && (newest.capacity() != null && newest.capacity() > 0 || newest.progressPct() == null);
        List<EtaEstimator.Sample> eta = new ArrayList<>();
        List<StallDetector.Sample> stall = new ArrayList<>();
        for (FullStepSample s : step) {
            Double done = records ? toDouble(s.processedRecords()) : s.progressPct();
            if (done == null) {
                continue;
            }
            // boxed on both branches: with a bare 100.0 the unknown capacity's null was unboxed (a NullPointerException)
            Double total = records ? (s.capacity() != null && s.capacity() > 0 ? toDouble(s.capacity()) : null) : PERCENT_TOTAL;
            stall.add(new StallDetector.Sample(s.polledAt(), done));
            if (!s.polledAt().isBefore(sampledAt.minus(eta().window()))) {
                eta.add(new EtaEstimator.Sample(s.polledAt(), done, total));
            }
        }
        // the read begins with the row in force at readFrom when there is one: a step first seen later has nothing before
        if (readFrom != null && !step.get(0).polledAt().isAfter(readFrom)
                && stall.stream().map(StallDetector.Sample::value).distinct().count() < 2) {
            return null;
        }
        EtaEstimator.Estimate e = estimator.estimate(eta);
        StallDetector.Stall still = stallDetector.check(newest.status(), stall);
        // Only changes are stored: a step whose values have not changed over the whole window has no row in it, only its
        // newest value carried to the newest poll, which is too few samples to fit, although every poll of the window saw
        // the same value. Its progress did not move: say so, as a fit over those polls would have
        String reason = EtaEstimator.TOO_FEW_SAMPLES.equals(e.reason()) && still.unchangedFor() != null
                && still.unchangedFor().compareTo(eta().window()) >= 0 ? EtaEstimator.STALLED : e.reason();
        return new Figures(newest.stepKey(), newest.stepName(), records ? "records" : "percent", e.ratePerSecond(), e.finishAt(),
                e.remainingSeconds(), reason, e.samplesUsed(), e.windowFrom(), e.done(), e.total(), still);
    }

    private static <T> T last(List<T> l) {
        return l.get(l.size() - 1);
    }

    private static Double toDouble(Long v) {
        return v == null ? null : v.doubleValue();
    }
}
