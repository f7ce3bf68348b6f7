package dev.migwatch.observe;

import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.poll.SourceGuard;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.trends.EtaView;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * migwatch's own Prometheus metrics ({@code migwatchMetrics}), served with Camel's at /observe/metrics.
 *
 * <p>Fed by the engine: the polling route hands every closed cycle to {@link #observe} (a few field copies, no
 * SQL), and the migwatch-metrics-eta route calls {@link #refreshEtas} now and then, which reads the ETAs from the
 * history through {@code TrendsService}, as the REST API does. The per-source figures are read from the source
 * guard and the journal when scraped.
 *
 * <p>Why a collector of our own rather than one Micrometer gauge per series: 1,000 tasks make about 19,000 series,
 * which as Micrometer gauges kept 9 MB of the 96 MB heap and took 100 ms a scrape (measured); here a task costs one
 * small record between scrapes, its series exist only while a scrape writes them, and a task that is not watched
 * (no longer configured) never gets one.
 */
public class MigwatchMetrics implements MultiCollector {
    /** Every outcome a cycle can have (the poll log's): each starts at 0, so rate() and alerts work from the first scrape. */
    static final List<String> OUTCOMES = List.of("OK", "ERROR", "THROTTLED", "AUTH", "TIMEOUT", "NETWORK", "BAD_RESPONSE",
            "NOT_FOUND", "SKIPPED");
    private static final Logger LOG = LoggerFactory.getLogger(MigwatchMetrics.class);
    private static final NormalizedStatus[] STATUSES = NormalizedStatus.values();

    /** Reads the ETA of the watched tasks from the history. */
    public interface EtaReader {
        Map<String, EtaView> etas(BiPredicate<String, String> watched);
    }

    private final Map<String, SourceFigures> sources = new LinkedHashMap<>();
    /** Whether a task is watched now (named, or discovered and not gone): only those have task series. */
    private final BiPredicate<String, String> watched;
    private final Map<String, TaskFigures> tasks = new ConcurrentHashMap<>();
    /** When each watched task's running full step should finish, as of the last refresh; replaced whole. */
    private volatile Map<String, Instant> finishAt = Map.of();
    private final SourceGuard guard;
    private final IntSupplier journalBacklog;
    private final EtaReader etaReader;
    private final Clock clock;
    private volatile boolean etaFailing;
    /** How many alerts of each configured rule fire (AlertEvaluator.firingByRule); none until set. */
    private volatile java.util.function.Supplier<Map<String, Integer>> alertsFiring = Map::of;
    /** The history database's bytes on disk, as last measured; none until set, or while not known. */
    private volatile java.util.function.Supplier<java.util.OptionalLong> databaseBytes = java.util.OptionalLong::empty;
    /** Each source's polling load (PollCycles.sourceLoads): whether its rounds are stretched; none until set. */
    private volatile java.util.function.Supplier<List<Map<String, Object>>> sourceLoads = List::of;

    public MigwatchMetrics(List<SourceConfig> configured, SourceGuard guard, IntSupplier journalBacklog, EtaReader etaReader,
                           Clock clock) {
        this(configured, named(configured), guard, journalBacklog, etaReader, clock);
    }

    /** @param watched whether a task is watched now: with discovery (tasks = *) the set changes as the account's list does */
    /** Adds the per-source load gauges (rate limited, interval too short) from PollCycles.sourceLoads. */
    public MigwatchMetrics withSourceLoads(java.util.function.Supplier<List<Map<String, Object>>> loads) {
        this.sourceLoads = java.util.Objects.requireNonNull(loads);
        return this;
    }

    /** Adds migwatch_history_database_bytes, the history database's size as last measured (HistoryMaintenance.databaseBytes). */
    public MigwatchMetrics withDatabaseSize(java.util.function.Supplier<java.util.OptionalLong> bytes) {
        this.databaseBytes = java.util.Objects.requireNonNull(bytes);
        return this;
    }

    /** Adds migwatch_alerts_firing{rule}: every configured rule, with the number of its alerts that fire. */
    public MigwatchMetrics withAlerts(java.util.function.Supplier<Map<String, Integer>> firingByRule) {
        this.alertsFiring = java.util.Objects.requireNonNull(firingByRule);
        return this;
    }

    public MigwatchMetrics(List<SourceConfig> configured, BiPredicate<String, String> watched, SourceGuard guard,
                           IntSupplier journalBacklog, EtaReader etaReader, Clock clock) {
        for (SourceConfig s : configured) {
            sources.put(s.name(), new SourceFigures(s.name(), s.provider().id()));
        }
        this.watched = watched;
        this.guard = guard;
        this.journalBacklog = journalBacklog;
        this.etaReader = etaReader;
        this.clock = clock;
    }

    private static BiPredicate<String, String> named(List<SourceConfig> configured) {
        Set<String> keys = new HashSet<>();
        configured.forEach(s -> s.tasks().forEach(t -> keys.add(key(s.name(), t))));
        return (source, task) -> keys.contains(key(source, task));
    }

    /** The key of the ETA reader's map (TrendsService.etas), and of the gauges' tasks. */
    static String key(String source, String taskId) {
        return dev.migwatch.trends.TrendQueries.keyOf(source, taskId);
    }

    /** A cycle has closed: count its outcome; a successful one of a watched task becomes that task's figures. */
    public void observe(TaskSnapshot s) {
        SourceFigures source = sources.get(s.source());
        if (source == null) {
            return;
        }
        String outcome = s.outcome();
        LongAdder count = source.polls.get(outcome);
        if (count == null) {
            count = source.polls.computeIfAbsent(outcome, o -> new LongAdder());
        }
        count.increment();
        if (s.succeeded()) {
            source.lastOkMillis.accumulateAndGet(s.polledAt().toEpochMilli(), Math::max);
            String key = key(s.source(), s.taskId());
            if (watched.test(s.source(), s.taskId())) {
                tasks.put(key, TaskFigures.of(s));
            }
        }
    }

    /** Reads the watched tasks' ETAs from the history; while the database cannot answer, the previous ones stay. */
    public void refreshEtas() {
        Map<String, EtaView> etas;
        try {
            etas = etaReader.etas(watched);
        } catch (RuntimeException e) {
            if (!etaFailing) {
                etaFailing = true;
                LOG.warn("Cannot read the ETAs for /observe/metrics from the history ({}); the previous ones are shown until it answers",
                        e.getMessage());
            }
            return;
        }
        etaFailing = false;
        Map<String, Instant> next = new HashMap<>();
        etas.forEach((k, eta) -> {
            if (eta.finishAt() != null) {
                next.put(k, eta.finishAt());
            }
        });
        finishAt = next;
    }

    @Override
    public MetricSnapshots collect() {
        // a discovered task that is gone has no series any more
        tasks.values().removeIf(t -> !watched.test(t.source(), t.taskId()));
        List<TaskFigures> now = List.copyOf(tasks.values());
        List<MetricSnapshot> out = new ArrayList<>(16);
        out.add(taskGauge("migwatch_task_progress_ratio", "Progress of the task as its provider reports it, 0 to 1",
                now, TaskFigures::progressRatio));
        out.add(taskGauge("migwatch_task_delay_seconds",
                "Delay of the task's incremental sync (its own figure, else the largest of its steps')", now,
                t -> t.delaySeconds() == null ? null : t.delaySeconds().doubleValue()));
        out.add(taskGauge("migwatch_task_processed_records", "Records the task has processed, as its provider reports",
                now, t -> t.processedRecords() == null ? null : t.processedRecords().doubleValue()));
        out.add(taskGauge("migwatch_task_total_records", "Records the task has to process, as its provider reports",
                now, t -> t.totalRecords() == null ? null : t.totalRecords().doubleValue()));
        out.add(etaGauge());
        out.add(statusGauge(now));
        out.add(stepRates(now));
        out.add(componentDelays(now));
        out.add(polls());
        long nowMillis = clock.millis();
        GaugeSnapshot.Builder lastOk = GaugeSnapshot.builder().name("migwatch_last_successful_poll_timestamp_seconds")
                .help("When a cycle of the source last succeeded (Unix time)");
        GaugeSnapshot.Builder paused = GaugeSnapshot.builder().name("migwatch_source_paused")
                .help("1 while the source is not polled: paused after throttling or refused credentials, or its circuit breaker open");
        for (SourceFigures s : sources.values()) {
            long ok = s.lastOkMillis.get();
            if (ok > 0) {
                lastOk.dataPoint(point(ok / 1000.0, s.labels));
            }
            paused.dataPoint(point(guard.status(s.name).paused(Instant.ofEpochMilli(nowMillis)) ? 1 : 0, s.labels));
        }
        out.add(lastOk.build());
        out.add(paused.build());
        GaugeSnapshot.Builder rateLimited = GaugeSnapshot.builder().name("migwatch_source_rate_limited")
                .help("1 while a round of the source needs more requests a second than its max-requests-per-second, so it is stretched");
        GaugeSnapshot.Builder tooShort = GaugeSnapshot.builder().name("migwatch_source_interval_too_short")
                .help("1 while a round of the source takes longer than its interval, so each task is polled less often");
        for (Map<String, Object> load : sourceLoads.get()) {
            SourceFigures s = sources.get(String.valueOf(load.get("source")));
            if (s != null) {
                rateLimited.dataPoint(point(Boolean.TRUE.equals(load.get("rateLimited")) ? 1 : 0, s.labels));
                tooShort.dataPoint(point(Boolean.TRUE.equals(load.get("intervalTooShort")) ? 1 : 0, s.labels));
            }
        }
        out.add(rateLimited.build());
        out.add(tooShort.build());
        GaugeSnapshot.Builder firing = GaugeSnapshot.builder().name("migwatch_alerts_firing")
                .help("Alerts of the rule (migwatch.alerts.rules.<rule>) that fire now");
        alertsFiring.get().forEach((rule, n) -> firing.dataPoint(point(n, Labels.of("rule", rule))));
        out.add(firing.build());
        out.add(GaugeSnapshot.builder().name("migwatch_journal_backlog")
                .help("Snapshots waiting in the local journal for the history database")
                .dataPoint(point(journalBacklog.getAsInt(), Labels.EMPTY)).build());
        java.util.OptionalLong bytes = databaseBytes.get();
        if (bytes.isPresent()) {
            out.add(GaugeSnapshot.builder().name("migwatch_history_database_bytes")
                    .help("Bytes the history database takes on disk (H2: its file; PostgreSQL: pg_database_size), measured every minute "
                            + "by the history maintenance")
                    .dataPoint(point(bytes.getAsLong(), Labels.EMPTY)).build());
        }
        return new MetricSnapshots(out);
    }

    private static GaugeSnapshot taskGauge(String name, String help, List<TaskFigures> tasks, Function<TaskFigures, Double> value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (TaskFigures t : tasks) {
            Double v = value.apply(t);
            if (v != null) {
                b.dataPoint(point(v, taskLabels(t)));
            }
        }
        return b.build();
    }

    private GaugeSnapshot etaGauge() {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("migwatch_task_eta_seconds")
                .help("Seconds until the task's running full transfer or verification should finish (migwatch's estimate)");
        Instant now = clock.instant();
        finishAt.forEach((key, at) -> {
            int cut = key.indexOf('\u0000');
            String source = key.substring(0, cut);
            SourceFigures s = sources.get(source);
            if (s != null) {
                double seconds = Math.max(0, (at.toEpochMilli() - now.toEpochMilli()) / 1000.0);
                b.dataPoint(point(seconds, Labels.of("provider", s.provider, "source", source, "task_id", key.substring(cut + 1))));
            }
        });
        return b.build();
    }

    private static GaugeSnapshot statusGauge(List<TaskFigures> tasks) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("migwatch_task_status")
                .help("1 for the task's current normalized status, 0 for the others");
        for (TaskFigures t : tasks) {
            for (NormalizedStatus status : STATUSES) {
                b.dataPoint(point(status == t.status() ? 1 : 0, Labels.of("provider", t.provider(), "source", t.source(),
                        "status", status.name(), "task_id", t.taskId())));
            }
        }
        return b.build();
    }

    private static GaugeSnapshot stepRates(List<TaskFigures> tasks) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("migwatch_step_rows_per_second")
                .help("Rows per second a step reads (side=src) and writes (side=dst), as its provider reports");
        for (TaskFigures t : tasks) {
            for (TaskFigures.StepRate r : t.stepRates()) {
                if (r.srcRps() != null) {
                    b.dataPoint(point(r.srcRps(), Labels.of("provider", t.provider(), "side", "src", "source", t.source(),
                            "step", r.step(), "task_id", t.taskId())));
                }
                if (r.dstRps() != null) {
                    b.dataPoint(point(r.dstRps(), Labels.of("provider", t.provider(), "side", "dst", "source", t.source(),
                            "step", r.step(), "task_id", t.taskId())));
                }
            }
        }
        return b.build();
    }

    private static GaugeSnapshot componentDelays(List<TaskFigures> tasks) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("migwatch_component_delay_seconds")
                .help("Delay of an OMS component (store, incremental sync, ...)");
        for (TaskFigures t : tasks) {
            for (TaskFigures.ComponentDelay c : t.componentDelays()) {
                b.dataPoint(point(c.delaySeconds(), Labels.of("component", c.component(), "kind", c.kind(), "provider", t.provider(),
                        "source", t.source(), "task_id", t.taskId())));
            }
        }
        return b.build();
    }

    private CounterSnapshot polls() {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name("migwatch_polls")
                .help("Poll cycles of the source's tasks by outcome (OK, or what failed them; SKIPPED while paused)");
        for (SourceFigures s : sources.values()) {
            s.polls.forEach((outcome, n) -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(n.sum())
                    .labels(Labels.of("outcome", outcome, "provider", s.provider, "source", s.name)).build()));
        }
        return b.build();
    }

    private static Labels taskLabels(TaskFigures t) {
        return Labels.of("provider", t.provider(), "source", t.source(), "task_id", t.taskId());
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(double value, Labels labels) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
    }

    /** One source's counters; its map of outcomes only grows by an outcome the closed list lacks. */
    private static final class SourceFigures {
        final String name;
        final String provider;
        final Labels labels;
        final Map<String, LongAdder> polls = new ConcurrentHashMap<>();
        final AtomicLong lastOkMillis = new AtomicLong();

        SourceFigures(String name, String provider) {
            this.name = name;
            this.provider = provider;
            this.labels = Labels.of("provider", provider, "source", name);
            OUTCOMES.forEach(o -> polls.put(o, new LongAdder()));
        }
    }
}
