package dev.migwatch.trends;

import dev.migwatch.progress.EtaEstimator;
import dev.migwatch.progress.FullStepEta;
import dev.migwatch.progress.FullStepSample;
import dev.migwatch.storage.KeptEta;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/** Combines the queries with the ETA, delay and stall computations. */
public class TrendsService {

    static final String NO_SAMPLES = "no successful poll yet";

    private final TrendQueries queries;
    private final TrendsSettings settings;
    private final FullStepEta fullStepEta;
    private final Executor sideReads;

    /** Reads everything on the calling thread, one statement after another. */
    public TrendsService(TrendQueries queries, TrendsSettings settings) {
        this(queries, settings, Runnable::run);
    }

    /**
     * @param sideReads runs the read of every task's steps while the calling thread reads the tasks and their delay
     *                  windows: the list's two largest reads at the same time, on two connections of the pool.
     *                  Runnable::run reads them one after the other. A read it has not begun by the time the
     *                  list needs it (refused, queued, or dropped at shutdown) is read by the calling thread (SideRead).
     */
    public TrendsService(TrendQueries queries, TrendsSettings settings, Executor sideReads) {
        this.queries = Objects.requireNonNull(queries);
        this.settings = Objects.requireNonNull(settings);
        this.sideReads = Objects.requireNonNull(sideReads);
        this.fullStepEta = settings.fullStepEta();
    }

    public TrendQueries queries() {
        return queries;
    }

    public TrendsSettings settings() {
        return settings;
    }

    /**
     * Every task as the list shows it. The figures of all tasks are read together, each kind in a constant number of
     * queries (steps, ETA samples, delay windows, and for tasks above the delay threshold the rollups and the samples
     * around the crossing): the list's cost grows with the number of tasks, not with a query per task, and not with
     * the length of the history. The steps are read beside the tasks and their delay windows (see sideReads): with
     * 1,000 tasks on PostgreSQL these are 45 ms and 23 + 44 ms of a list that took 140 ms one after the other.
     */
    public List<TaskView> tasks() {
        try (SideRead<Map<String, List<StepRow>>> steps = SideRead.start(queries::listedStepsOfAllTasks, sideReads)) {
            List<TaskRow> rows = queries.taskRows();
            List<DelayStats.Stats> delays = delays(rows);
            Map<String, List<StepRow>> stepsNow = steps.join();
            return views(TrendQueries.withRecordsOfSteps(rows, stepsNow), r -> TrendQueries.stepsOf(stepsNow, r), delays);
        }
    }

    /**
     * The ETA of each task the filter keeps, by TrendQueries.keyOf(source, task id), read as GET /api/tasks reads it but without
     * the delay figures: one query for the tasks, one beside it for their steps, one batch of samples for those whose
     * full step runs.
     */
    public Map<String, EtaView> etas(java.util.function.BiPredicate<String, String> wanted) {
        List<TaskRow> rows;
        List<EtaView> etas;
        try (SideRead<Map<String, List<StepRow>>> steps = SideRead.start(queries::listedStepsOfAllTasks, sideReads)) {
            rows = queries.taskRows().stream().filter(r -> wanted.test(r.source(), r.taskId())).toList();
            Map<String, List<StepRow>> stepsNow = steps.join();
            etas = etas(TrendQueries.withRecordsOfSteps(rows, stepsNow), r -> TrendQueries.stepsOf(stepsNow, r));
        }
        Map<String, EtaView> out = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            out.put(TrendQueries.keyOf(rows.get(i).source(), rows.get(i).taskId()), etas.get(i));
        }
        return out;
    }

    public Optional<TaskDetail> task(String source, String taskId) {
        return queries.task(source, taskId).map(row -> {
            List<StepRow> steps = queries.stepsNow(source, taskId);
            return new TaskDetail(views(List.of(row), r -> steps, delays(List.of(row))).get(0), steps,
                    queries.componentsNow(source, taskId));
        });
    }

    private List<TaskView> views(List<TaskRow> rows, java.util.function.Function<TaskRow, List<StepRow>> steps,
                                 List<DelayStats.Stats> delays) {
        List<EtaView> etas = etas(rows, steps);
        List<TaskView> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            out.add(view(rows.get(i), steps.apply(rows.get(i)), etas.get(i), delays.get(i)));
        }
        return out;
    }

    private static TaskView view(TaskRow r, List<StepRow> steps, EtaView eta, DelayStats.Stats delay) {
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
                r.lastPollErrorCode(), r.lastPollErrorMessage(), r.lastOkPollAt(), r.lastPollNode());
        TaskView.LastError lastError = r.lastErrorAt() == null ? null
                : new TaskView.LastError(r.lastErrorAt(), r.lastErrorOrigin(), r.lastErrorName(), r.lastErrorCode(),
                r.lastErrorMessage());
        return new TaskView(r.source(), r.provider(), r.taskId(), r.taskName(), r.taskType(), r.status(),
                r.rawStatus(), r.runningStep(), r.progressPct(), r.delaySeconds(), r.processedRecords(),
                r.totalRecords(), r.startedAt(), r.finishedAt(), r.failedMessage(), r.sampledAt(), lastPoll,
                lastError, running, eta, delay, r.goneAt(), r.goneReason());
    }

    /**
     * The ETA of each task. For a task whose full transfer runs, the writer keeps the figures of its newest poll (kept):
     * one row a task. The samples of the others (written by an older release, or with other settings) are read in one batch,
     * and computed with the same function (FullStepEta). The batch covers
     * the ETA's window only (10 min by default, the stall check's lookback is 30): a moving transfer shows its last
     * move there, which is all the stall check needs. Only the tasks whose progress stood still over the whole window,
     * and that have rows before it, are read again back to the lookback, in a second batch. The figures are the same as
     * from one read of the lookback, for a third of the rows when the transfers move (20 instead of 60 rows a task at
     * 30 s); a step that stands still writes few rows (only its changes are stored), so its second read is short.
     */
    private List<EtaView> etas(List<TaskRow> rows, java.util.function.Function<TaskRow, List<StepRow>> steps) {
        List<EtaView> out = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            EtaView early = etaWithoutSamples(rows.get(i), steps.apply(rows.get(i)));
            out.add(early);
            if (early == null) {
                at.add(i);
            }
        }
        at = kept(rows, at, out);
        Duration window = settings.eta().window();
        Duration lookback = fullStepEta.lookback();
        List<Integer> further = fitFrom(rows, at, window, lookback.equals(window), out);
        fitFrom(rows, further, lookback, true, out);
        return out;
    }

    /**
     * The ETAs of rows[at] the writer kept for the poll each row shows, with the list's settings (KeptEta, V18): one row a
     * task instead of its samples. Returns the indexes it had none for: figures of an older poll (a writer of an older
     * release wrote the newest), of other settings, or none kept.
     */
    private List<Integer> kept(List<TaskRow> rows, List<Integer> at, List<EtaView> out) {
        if (at.isEmpty()) {
            return at;
        }
        List<KeptEta> kept = queries.keptEtas(at.stream()
                .map(i -> new TrendQueries.TaskRead(rows.get(i).source(), rows.get(i).taskId(), null, null)).toList());
        String settingsKey = fullStepEta.settingsKey();
        List<Integer> rest = new ArrayList<>();
        for (int j = 0; j < at.size(); j++) {
            TaskRow r = rows.get(at.get(j));
            KeptEta k = kept.get(j);
            if (k != null && k.answer(r.sampledAt(), settingsKey)) {
                out.set(at.get(j), view(k.figures(), providerEta(r)));
            } else {
                rest.add(at.get(j));
            }
        }
        return rest;
    }

    /**
     * The ETAs of rows[at], from one batch of samples reaching back from each task's newest sample; complete says that
     * nothing further back matters. Returns the indexes whose progress stood still over all that was read.
     */
    private List<Integer> fitFrom(List<TaskRow> rows, List<Integer> at, Duration back, boolean complete, List<EtaView> out) {
        if (at.isEmpty()) {
            return List.of();
        }
        List<List<FullStepSample>> samples = queries.fullStepSamples(at.stream()
                .map(i -> new TrendQueries.TaskRead(rows.get(i).source(), rows.get(i).taskId(), rows.get(i).sampledAt().minus(back), null))
                .toList());
        List<Integer> further = new ArrayList<>();
        for (int j = 0; j < at.size(); j++) {
            TaskRow r = rows.get(at.get(j));
            EtaView eta = eta(r, samples.get(j), complete ? null : r.sampledAt().minus(back));
            out.set(at.get(j), eta);
            if (eta == null) {
                further.add(at.get(j));
            }
        }
        return further;
    }

    /** The ETA when no samples are needed for it (null: they are). */
    private static EtaView etaWithoutSamples(TaskRow r, List<StepRow> stepsNow) {
        EtaView.ProviderEta provider = providerEta(r);
        if (r.sampledAt() == null) {
            return new EtaView(null, null, null, null, null, null, NO_SAMPLES, 0, null, null, null, null, provider);
        }
        if (stepsNow.stream().noneMatch(s -> "RUNNING".equals(s.status()) && FullStepEta.fullDataStep(r.provider(), s.stepName()))) {
            // nothing to fit: no need to read the samples (most tasks of a long-running account are past their full transfer)
            boolean finished = "FINISHED".equals(r.status()) || stepsNow.stream()
                    .filter(s -> FullStepEta.fullDataStep(r.provider(), s.stepName()))
                    .anyMatch(s -> "FINISHED".equals(s.status()));
            return new EtaView(null, null, null, null, null, null, finished ? EtaEstimator.FINISHED : FullStepEta.NO_FULL_STEP, 0, null, null,
                    null, null, provider);
        }
        return null;
    }

    /** The ETA from a task's full-data step samples (FullStepEta.of; null: the rows before readFrom are needed). */
    private EtaView eta(TaskRow r, List<FullStepSample> fullStepSamples, Instant readFrom) {
        FullStepEta.Figures f = fullStepEta.of(r.status(), r.sampledAt(), fullStepSamples, readFrom);
        return f == null ? null : view(f, providerEta(r));
    }

    static EtaView view(FullStepEta.Figures f, EtaView.ProviderEta provider) {
        return new EtaView(f.stepKey(), f.stepName(), f.measure(), f.ratePerSecond(), f.finishAt(), f.remainingSeconds(), f.reason(),
                f.samplesUsed(), f.windowFrom(), f.done(), f.total(), f.stall(), provider);
    }

    /**
     * The delay figures of each task. They come from the delay window only (30 min), not the whole lookback (24 h:
     * thousands of rows per task at 30 s), and the database aggregates the window (TrendQueries.delayWindows: one row per
     * task, not the few dozen state rows of its window). Only when the delay has been above the threshold for the whole window
     * does "since when" look further back: the 5-minute rollups say in which bucket it was last at or below the threshold
     * (none: it has been above for the whole lookback), and the samples of that bucket say exactly when it went above.
     * Each step is one batch for all the tasks that need it.
     */
    private List<DelayStats.Stats> delays(List<TaskRow> rows) {
        long threshold = settings.delayThresholdSeconds();
        List<DelayStats.Stats> out = new ArrayList<>();
        List<TrendQueries.TaskRead> windows = new ArrayList<>();
        List<Integer> polled = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            TaskRow r = rows.get(i);
            out.add(DelayStats.of(List.of(), settings.delayWindow(), threshold));
            if (r.sampledAt() != null) {
                // to the poll the row shows, not a newer one a poll since the rows were read has made
                windows.add(new TrendQueries.TaskRead(r.source(), r.taskId(), windowStart(r), r.sampledAt()));
                polled.add(i);
            }
        }
        // the window's figures come aggregated from the database: one row per task, not every sample of the window
        List<TrendQueries.DelayWindow> windowFigures = windows.isEmpty() ? List.of() : queries.delayWindows(windows, threshold);
        // the tasks whose delay was above the threshold for the whole window: "since when" is further back. Where the
        // writer kept the run's start with the window's figures it is that; the others' are read from the rollups and rows
        Map<Integer, Instant> since = new LinkedHashMap<>();
        List<Integer> above = new ArrayList<>();
        Map<Integer, String> keys = new LinkedHashMap<>();
        for (int j = 0; j < polled.size(); j++) {
            int i = polled.get(j);
            TaskRow r = rows.get(i);
            TrendQueries.DelayWindow w = windowFigures.get(j);
            out.set(i, w.stats(threshold));
            boolean aboveAllWindow = w.aboveSince() != null && !w.aboveSince().isAfter(w.firstAt());
            if (!aboveAllWindow || !lookbackStart(r).isBefore(windowStart(r))) {
                continue;
            }
            if (w.runSince() != null) {
                since.put(i, notBefore(w.runSince(), lookbackStart(r)));
            } else {
                above.add(i);
                keys.put(i, w.stepKey());
            }
        }
        if (above.isEmpty()) {
            return withSince(out, since, threshold);
        }
        Optional<Instant> rollupsUntil = queries.rollupsComputedUntil();
        List<Integer> covered = above.stream().filter(i -> rollupsUntil.filter(m -> !m.isBefore(windowStart(rows.get(i)))).isPresent())
                .toList();
        List<Optional<Instant>> lows = covered.isEmpty() ? List.of() : queries.lastDelayBucketAtOrBelow(covered.stream()
                .map(i -> new TrendQueries.StepRead(rows.get(i).source(), rows.get(i).taskId(), keys.get(i), lookbackStart(rows.get(i)),
                        windowStart(rows.get(i)))).toList(), threshold);
        List<Integer> neverLow = new ArrayList<>();
        List<Integer> low = new ArrayList<>();
        for (int j = 0; j < covered.size(); j++) {
            (lows.get(j).isEmpty() ? neverLow : low).add(covered.get(j));
        }
        // above at every poll of the lookback: since its start, or since the series began within it
        List<Optional<Instant>> firsts = neverLow.isEmpty() ? List.of() : queries.firstStateAt(neverLow.stream()
                .map(i -> new TrendQueries.StepRead(rows.get(i).source(), rows.get(i).taskId(), keys.get(i), null, null)).toList());
        for (int j = 0; j < neverLow.size(); j++) {
            Instant lookbackStart = lookbackStart(rows.get(neverLow.get(j)));
            since.put(neverLow.get(j), notBefore(firsts.get(j).orElse(lookbackStart), lookbackStart));
        }
        // the crossing is in that bucket or just after it: read ten minutes from there, not the hours since
        Map<Integer, Instant> lowAt = new LinkedHashMap<>();
        for (int j = 0; j < covered.size(); j++) {
            int i = covered.get(j);
            lows.get(j).ifPresent(t -> lowAt.put(i, t));
        }
        crossings(low, i -> new TrendQueries.TaskRead(rows.get(i).source(), rows.get(i).taskId(), lowAt.get(i),
                lowAt.get(i).plus(Duration.ofMinutes(10))), keys, since);
        // rollups not computed yet (or the crossing not in that slice): read the samples back to the lookback; only "since
        // when" comes from there, the window's figures stay the window's
        crossings(above.stream().filter(i -> !since.containsKey(i)).toList(), i -> new TrendQueries.TaskRead(rows.get(i).source(),
                rows.get(i).taskId(), lookbackStart(rows.get(i)), rows.get(i).sampledAt()), keys, since);
        return withSince(out, since, threshold);
    }

    /** "Since when" reaches back to the lookback's start at most. */
    private static Instant notBefore(Instant t, Instant lookbackStart) {
        return t.isBefore(lookbackStart) ? lookbackStart : t;
    }

    private static List<DelayStats.Stats> withSince(List<DelayStats.Stats> out, Map<Integer, Instant> since, long threshold) {
        since.forEach((i, t) -> {
            DelayStats.Stats stats = out.get(i);
            out.set(i, new DelayStats.Stats(stats.current(), stats.currentAt(), stats.max(), stats.avg(), stats.samples(), threshold, t));
        });
        return out;
    }

    /**
     * For each of these rows (by index), when its delay went above the threshold for the last time, from the samples of
     * the read it gives, of the series its window chose (keys: the step's, null for the task's own), into since; a read
     * whose samples show no such run leaves its row out. One batch for all.
     */
    private void crossings(List<Integer> which, java.util.function.IntFunction<TrendQueries.TaskRead> read,
                           Map<Integer, String> keys, Map<Integer, Instant> since) {
        if (which.isEmpty()) {
            return;
        }
        List<List<TrendQueries.DelaySample>> samples = queries.delaySamples(which.stream().map(read::apply).toList(),
                j -> keys.get(which.get(j)) != null);
        for (int j = 0; j < which.size(); j++) {
            Instant crossing = DelayStats.aboveThresholdSince(samples(samples.get(j), keys.get(which.get(j))),
                    settings.delayThresholdSeconds());
            if (crossing != null) {
                since.put(which.get(j), crossing);
            }
        }
    }

    private Instant windowStart(TaskRow r) {
        return r.sampledAt().minus(settings.delayWindow());
    }

    private Instant lookbackStart(TaskRow r) {
        return r.sampledAt().minus(max(settings.delayWindow(), settings.delayLookback()));
    }

    private static List<DelayStats.Sample> samples(List<TrendQueries.DelaySample> rows, String key) {
        return rows.stream()
                .filter(d -> Objects.equals(d.stepKey(), key))
                .map(d -> new DelayStats.Sample(d.polledAt(), d.delaySeconds()))
                .toList();
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

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
