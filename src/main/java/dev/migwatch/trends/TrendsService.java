package dev.migwatch.trends;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Combines the queries with the ETA, delay and stall computations. */
public class TrendsService {

    static final String NO_SAMPLES = "no successful poll yet";
    static final String NO_FULL_STEP = "no full transfer running";

    private final TrendQueries queries;
    private final TrendsSettings settings;
    private final EtaEstimator estimator;
    private final StallDetector stallDetector;

    public TrendsService(TrendQueries queries, TrendsSettings settings) {
        this.queries = Objects.requireNonNull(queries);
        this.settings = Objects.requireNonNull(settings);
        this.estimator = new EtaEstimator(settings.eta());
        this.stallDetector = new StallDetector(settings.stallAfter());
    }

    public TrendQueries queries() {
        return queries;
    }

    public TrendsSettings settings() {
        return settings;
    }

    public List<TaskView> tasks() {
        // the steps of every task in one query: a per-task query each would make the list cost grow with the tasks
        Map<String, List<StepRow>> steps = queries.stepsNowOfAllTasks();
        List<TaskView> out = new ArrayList<>();
        for (TaskRow row : queries.tasks()) {
            out.add(view(row, steps.getOrDefault(row.source() + '\u0000' + row.taskId(), List.of())));
        }
        return out;
    }

    public Optional<TaskDetail> task(String source, String taskId) {
        return queries.task(source, taskId).map(row -> {
            List<StepRow> steps = queries.stepsNow(source, taskId);
            return new TaskDetail(view(row, steps), steps, queries.componentsNow(source, taskId));
        });
    }

    TaskView view(TaskRow r, List<StepRow> steps) {
        java.util.Set<String> runningKeys = steps.stream().filter(s -> "RUNNING".equals(s.status()))
                .map(StepRow::stepKey).collect(java.util.stream.Collectors.toSet());
        // a DTS sub-step whose step is running too is part of that step's bar, not a bar of its own
        List<TaskView.StepProgress> running = steps.stream()
                .filter(s -> "RUNNING".equals(s.status()))
                .filter(s -> s.parentStepKey() == null || !runningKeys.contains(s.parentStepKey()))
                .map(s -> new TaskView.StepProgress(s.stepKey(), s.stepName(), s.progressPct(), s.processedRecords(),
                        s.capacity(), s.delaySeconds()))
                .toList();
        TaskView.LastPoll lastPoll = r.lastPollAt() == null ? null
                : new TaskView.LastPoll(r.lastPollAt(), r.lastPollApi(), r.lastPollOutcome(), r.lastPollHttpStatus(),
                r.lastPollErrorCode(), r.lastPollErrorMessage(), r.lastOkPollAt());
        TaskView.LastError lastError = r.lastErrorAt() == null ? null
                : new TaskView.LastError(r.lastErrorAt(), r.lastErrorOrigin(), r.lastErrorName(), r.lastErrorCode(),
                r.lastErrorMessage());
        return new TaskView(r.source(), r.provider(), r.taskId(), r.taskName(), r.taskType(), r.status(),
                r.rawStatus(), r.runningStep(), r.progressPct(), r.delaySeconds(), r.processedRecords(),
                r.totalRecords(), r.startedAt(), r.finishedAt(), r.failedMessage(), r.sampledAt(), lastPoll,
                lastError, running, eta(r, steps), delay(r), r.goneAt(), r.goneReason());
    }

    EtaView eta(TaskRow r, List<StepRow> stepsNow) {
        EtaView.ProviderEta provider = providerEta(r);
        if (r.sampledAt() == null) {
            return new EtaView(null, null, null, null, null, null, NO_SAMPLES, 0, null, null, null, null, provider);
        }
        if (stepsNow.stream().noneMatch(s -> "RUNNING".equals(s.status()) && TrendQueries.fullDataStep(r.provider(), s.stepName()))) {
            // nothing to fit: no need to read the samples (most tasks of a long-running account are past their full transfer)
            boolean finished = "FINISHED".equals(r.status()) || stepsNow.stream()
                    .filter(s -> TrendQueries.fullDataStep(r.provider(), s.stepName()))
                    .anyMatch(s -> "FINISHED".equals(s.status()));
            return new EtaView(null, null, null, null, null, null, finished ? EtaEstimator.FINISHED : NO_FULL_STEP, 0, null, null,
                    null, null, provider);
        }
        Duration lookback = max(settings.eta().window(), settings.stallAfter().multipliedBy(2));
        Map<String, List<TrendQueries.FullStepSample>> bySteps = new LinkedHashMap<>();
        for (TrendQueries.FullStepSample s : queries.fullStepSamples(r.source(), r.taskId(),
                r.sampledAt().minus(lookback))) {
            bySteps.computeIfAbsent(s.stepKey(), k -> new ArrayList<>()).add(s);
        }
        // Only steps present in the newest poll count; a RUNNING one first.
        List<List<TrendQueries.FullStepSample>> current = bySteps.values().stream()
                .filter(l -> l.get(l.size() - 1).polledAt().equals(r.sampledAt()))
                .sorted(Comparator.comparing(l -> "RUNNING".equals(l.get(l.size() - 1).status()) ? 0 : 1))
                .toList();
        if (current.isEmpty() || !"RUNNING".equals(last(current.get(0)).status())) {
            boolean finished = "FINISHED".equals(r.status())
                    || (!current.isEmpty() && "FINISHED".equals(last(current.get(0)).status()));
            return new EtaView(null, null, null, null, null, null,
                    finished ? EtaEstimator.FINISHED : NO_FULL_STEP, 0, null, null, null, null, provider);
        }
        List<TrendQueries.FullStepSample> samples = current.get(0);
        TrendQueries.FullStepSample newest = last(samples);
        boolean records = newest.processedRecords() != null
                && (newest.capacity() != null && newest.capacity() > 0 || newest.progressPct() == null);
        List<EtaEstimator.Sample> eta = new ArrayList<>();
        List<StallDetector.Sample> stall = new ArrayList<>();
        for (TrendQueries.FullStepSample s : samples) {
            Double done = records ? toDouble(s.processedRecords()) : s.progressPct();
            if (done == null) {
                continue;
            }
            Double total = records ? (s.capacity() != null && s.capacity() > 0 ? toDouble(s.capacity()) : null) : 100.0;
            stall.add(new StallDetector.Sample(s.polledAt(), done));
            if (!s.polledAt().isBefore(r.sampledAt().minus(settings.eta().window()))) {
                eta.add(new EtaEstimator.Sample(s.polledAt(), done, total));
            }
        }
        EtaEstimator.Estimate e = estimator.estimate(eta);
        return new EtaView(newest.stepKey(), newest.stepName(), records ? "records" : "percent", e.ratePerSecond(),
                e.finishAt(), e.remainingSeconds(), e.reason(), e.samplesUsed(), e.windowFrom(), e.done(), e.total(),
                stallDetector.check(newest.status(), stall), provider);
    }

    /**
     * The delay figures read the delay window only (30 min: a few dozen rows), not the whole lookback (24 h: thousands
     * of rows per task at 30 s). Only when the delay has been above the threshold for the whole window does "since
     * when" look further back: the 5-minute rollups say in which bucket it was last at or below the threshold (none: it
     * has been above for the whole lookback), and the samples of that bucket say exactly when it went above.
     */
    DelayStats.Stats delay(TaskRow r) {
        if (r.sampledAt() == null) {
            return DelayStats.of(List.of(), settings.delayWindow(), settings.delayThresholdSeconds());
        }
        long threshold = settings.delayThresholdSeconds();
        Instant windowStart = r.sampledAt().minus(settings.delayWindow());
        Instant lookbackStart = r.sampledAt().minus(max(settings.delayWindow(), settings.delayLookback()));
        List<TrendQueries.DelaySample> rows = queries.delaySamples(r.source(), r.taskId(), windowStart);
        String key = key(rows);
        List<DelayStats.Sample> samples = samples(rows, key);
        DelayStats.Stats stats = DelayStats.of(samples, settings.delayWindow(), threshold);
        boolean aboveAllWindow = stats.aboveThresholdSince() != null && !stats.aboveThresholdSince().isAfter(samples.get(0).at());
        if (!aboveAllWindow || !lookbackStart.isBefore(windowStart)) {
            return stats;
        }
        Instant since = null;
        if (queries.rollupsCover(windowStart)) {
            Optional<Instant> low = queries.lastDelayBucketAtOrBelow(r.source(), r.taskId(), key, threshold, lookbackStart, windowStart);
            if (low.isEmpty()) {
                // above at every poll of the lookback: since its start, or since the series began within it
                Instant first = queries.firstStateAt(r.source(), r.taskId(), key).orElse(lookbackStart);
                since = first.isAfter(lookbackStart) ? first : lookbackStart;
            } else {
                // the crossing is in that bucket or just after it: read ten minutes from there, not the hours since
                since = DelayStats.of(samples(queries.delaySamples(r.source(), r.taskId(), low.get(), low.get().plus(Duration.ofMinutes(10))),
                        key), settings.delayWindow(), threshold).aboveThresholdSince();
            }
        }
        if (since == null) {
            // rollups not computed yet (or the crossing not in that slice): read the samples back to the lookback
            return DelayStats.of(samples(queries.delaySamples(r.source(), r.taskId(), lookbackStart), key), settings.delayWindow(), threshold);
        }
        return new DelayStats.Stats(stats.current(), stats.currentAt(), stats.max(), stats.avg(), stats.samples(), threshold, since);
    }

    private static List<DelayStats.Sample> samples(List<TrendQueries.DelaySample> rows, String key) {
        return rows.stream()
                .filter(d -> Objects.equals(d.stepKey(), key))
                .map(d -> new DelayStats.Sample(d.polledAt(), d.delaySeconds()))
                .toList();
    }

    /** The task-level delay is what the provider calls "the" delay; without it, the newest step's. */
    private static String key(List<TrendQueries.DelaySample> rows) {
        return rows.stream().anyMatch(d -> d.stepKey() == null) ? null
                : rows.isEmpty() ? null : rows.get(rows.size() - 1).stepKey();
    }

    static EtaView.ProviderEta providerEta(TaskRow r) {
        Long total = r.providerEtaSeconds();
        if (total == null || total <= 0) {
            return null;
        }
        Instant finish = r.startedAt() != null ? r.startedAt().plusSeconds(total)
                : r.elapsedSeconds() != null && r.sampledAt() != null
                ? r.sampledAt().plusSeconds(Math.max(0, total - r.elapsedSeconds())) : null;
        return new EtaView.ProviderEta(total, r.elapsedSeconds(), finish);
    }

    private static <T> T last(List<T> l) {
        return l.get(l.size() - 1);
    }

    private static Double toDouble(Long v) {
        return v == null ? null : v.doubleValue();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
