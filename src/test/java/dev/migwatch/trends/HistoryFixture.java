package dev.migwatch.trends;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.progress.FullStepEta;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.storage.HistoryStore;
import org.h2.jdbcx.JdbcDataSource;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh in-memory H2 migrated with the real Flyway scripts, filled through the real writer (HistoryStore):
 * the pieces of each cycle (call, task, steps, components, errors) are collected by cycle name, and flush()
 * writes them as snapshots in time order.
 */
final class HistoryFixture {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final DataSource dataSource;
    private HistoryStore store;
    private final Map<String, Cycle> cycles = new LinkedHashMap<>();

    HistoryFixture() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        this.dataSource = ds;
        HistoryDatabase.migrate(ds); // the migrations exactly as the application runs them
        this.store = new HistoryStore(ds);
    }

    /** A history whose writer keeps the ETA figures of these settings (null: none, as a writer of an older release). */
    HistoryFixture(FullStepEta keptEta) {
        this();
        writer(keptEta);
    }

    /** The same in another database (a PostgreSQL schema of PostgresSchema), migrated as the application does. */
    HistoryFixture(DataSource db, FullStepEta keptEta) {
        this.dataSource = db;
        HistoryDatabase.migrate(db);
        writer(keptEta);
    }

    /**
     * The next cycles written by a new writer, as after a restart, that keeps the ETA figures of these settings (null: none,
     * as a writer of an older release).
     */
    HistoryFixture writer(FullStepEta keptEta) {
        store = new HistoryStore(dataSource, Clock.systemUTC(), null, HistoryStore.DEFAULT_DELAY_WINDOW, keptEta);
        return this;
    }

    private static final class Cycle {
        String source;
        String provider;
        String task;
        Instant at;
        TaskState state;
        final List<ApiCall> calls = new ArrayList<>();
        final List<StepSample> steps = new ArrayList<>();
        final List<ComponentSample> components = new ArrayList<>();
        final List<ErrorEvent> errors = new ArrayList<>();
    }

    private Cycle cycle(String name, String source, String provider, String task, Instant at) {
        Cycle c = cycles.computeIfAbsent(name, n -> new Cycle());
        c.source = source;
        c.provider = provider;
        c.task = task;
        c.at = at;
        return c;
    }

    void call(String cycle, String source, String provider, String task, Instant at, String outcome, String code) {
        cycle(cycle, source, provider, task, at).calls.add(new ApiCall("Describe", 1, at, 120L, "OK".equals(outcome) ? 200 : 400,
                null, outcome, code, code == null ? null : code + " happened"));
    }

    void task(String cycle, String source, String provider, String task, Instant at, String status, String step,
              Double progress, Long delay, Long etaSeconds) {
        cycle(cycle, source, provider, task, at).state = new TaskState(task + " name", null, status.toLowerCase(),
                NormalizedStatus.valueOf(status), step, progress, delay, null, null, null, null, etaSeconds, null, null, null, null,
                null, T0, null, null);
    }

    void step(String cycle, String source, String provider, String task, Instant at, String key, String status,
              Double progress, Long processed, Long capacity, Double srcRps, Long delay) {
        step(cycle, source, provider, task, at, key, null, status, progress, processed, capacity, srcRps, delay);
    }

    void step(String cycle, String source, String provider, String task, Instant at, String key, String parent, String status,
              Double progress, Long processed, Long capacity, Double srcRps, Long delay) {
        StepSample.Throughput tp = processed == null && capacity == null && srcRps == null ? null
                : new StepSample.Throughput(processed, capacity, srcRps, null, null, srcRps == null ? null : srcRps - 1, null, null,
                null, null, null);
        StepSample.Incremental in = delay == null ? null : new StepSample.Incremental(null, null, delay, null, null);
        cycle(cycle, source, provider, task, at).steps.add(new StepSample(key, parent, key.startsWith("FULL") ? 1 : 2, key, null,
                status, NormalizedStatus.valueOf(status), progress, null, null, tp, in, null, null, null));
    }

    void component(String cycle, String source, String task, Instant at, String kind, String name, String status,
                   Double tps) {
        cycle(cycle, source, "OMS", task, at).components.add(new ComponentSample(kind, name, status, NormalizedStatus.valueOf(status),
                null, null, null, null, null, null, tps, null, null, null, null, null, null, null, null, null));
    }

    void error(String cycle, String source, String provider, String task, Instant at, String code) {
        cycle(cycle, source, provider, task, at).errors.add(new ErrorEvent("STEP", "FULL_TRANSFER", code, "ERROR",
                code + " message: 表 orders 迁移慢", null, null, null));
    }

    /** Writes the collected cycles, oldest first, through the real writer. */
    HistoryFixture flush() {
        return flushBefore(Instant.MAX);
    }

    /** Writes the collected cycles before a time, oldest first, through the real writer; keeps the others. */
    HistoryFixture flushBefore(Instant cut) {
        List<Cycle> ordered = new ArrayList<>(cycles.values().stream().filter(c -> c.at.isBefore(cut)).toList());
        ordered.sort(Comparator.comparing(c -> c.at));
        try {
            for (Cycle c : ordered) {
                String id = UUID.randomUUID().toString();
                boolean ok = c.state != null && c.calls.stream().allMatch(ApiCall::ok);
                store.write(ok
                        ? new TaskSnapshot(id, c.source, c.provider, c.task, c.at, c.state, c.steps, c.components, c.errors, c.calls, List.of())
                        : TaskSnapshot.failed(id, c.source, c.provider, c.task, c.at, c.calls, List.of()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        cycles.values().removeIf(c -> c.at.isBefore(cut));
        return this;
    }

    /**
     * The standard history: an OMS task in full transfer (10 polls, 1000 records/s, INCR_SYNC component
     * going from INIT to RUNNING), a UDTS task finished full migration and syncing with a delay, and a DTS
     * task whose polls all failed.
     */
    HistoryFixture standard() {
        for (int i = 0; i < 10; i++) {
            Instant at = T0.plusSeconds(60L * i);
            String c = "oms-" + i;
            call(c, "oms-prod", "OMS", "np_1", at, "OK", null);
            task(c, "oms-prod", "OMS", "np_1", at, "RUNNING", "FULL_TRANSFER", null, null, null);
            step(c, "oms-prod", "OMS", "np_1", at, "FULL_TRANSFER", "RUNNING", null, 60_000L * i, 1_000_000L,
                    1000.0 + i, null);
            step(c, "oms-prod", "OMS", "np_1", at, "INCR_TRANSFER", "PENDING", null, null, null, null, null);
            component(c, "oms-prod", "np_1", at, "INCR_SYNC", "incr-1", i < 4 ? "PENDING" : "RUNNING", i * 10.0);
        }
        error("oms-7", "oms-prod", "OMS", "np_1", T0.plusSeconds(420), "SLOW_TABLE");
        call("oms-x", "oms-prod", "OMS", "np_1", T0.plusSeconds(570), "THROTTLED", "Throttling.User");

        for (int i = 0; i < 5; i++) {
            Instant at = T0.plusSeconds(60L * i);
            String c = "udts-" + i;
            call(c, "uc", "UDTS", "t-9", at, "OK", null);
            task(c, "uc", "UDTS", "t-9", at, "RUNNING", "INCREMENTAL_SYNC", 100.0, 30L + 20 * i, 3600L);
            step(c, "uc", "UDTS", "t-9", at, "FULL_MIGRATION", "FINISHED", null, 500L, 500L, null, null);
            step(c, "uc", "UDTS", "t-9", at, "INCREMENTAL_SYNC", "RUNNING", null, null, null, null, 30L + 20 * i);
        }
        call("dts-0", "dts-cn", "DTS", "j-1", T0, "AUTH", "InvalidAccessKeyId.NotFound");
        return flush();
    }
}
