package dev.migwatch.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.MovableClock;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.poll.ContentHash;
import dev.migwatch.progress.EtaEstimator;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.simulator.OmsAnswers;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.storage.HistoryMaintenance;
import dev.migwatch.storage.HistoryStore;
import dev.migwatch.storage.Retention;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How many bytes the history grows per task-poll in steady state, on an H2 file (as shipped) and on PostgreSQL
 * (when MIGWATCH_TEST_POSTGRES_URL is set). The polls are the simulator's OMS answers for projects in full
 * transfer (processed records, RPS, checkpoints and timestamps change at every poll), mapped by the real
 * adapter and written by the real writer, with rollups and retention running as in production (every simulated
 * minute). Not a pass/fail test: it prints figures. {@code mvn -B -Pbenchmark test -Dtest=HistoryGrowthBenchmarkTest}
 * (-Dbench.tasks, -Dbench.polls size it). For H2 as bin/migwatch runs it add {@code -DargLine="-Xmx96m -XX:+UseSerialGC"}:
 * H2 sizes its cache and its compaction's write budget from the heap. (The benchmark profile runs without assertions,
 * as java -jar does: H2's own halve its write rate.) At each measurement
 * the H2 run prints H2's view of its file (INFORMATION_SCHEMA.SETTINGS info.*: the share of the file in chunks, the live
 * share of the chunks, bytes written), and at the end the process's CPU time per task-poll, and each table's and index's
 * live pages; with -Dbench.h2-writes=true also the pages H2 wrote per table and index (H2PageWrites).
 */
@Tag("benchmark")
class HistoryGrowthBenchmarkTest {
    private static final int TASKS = Integer.getInteger("bench.tasks", 50);
    private static final int POLLS = Integer.getInteger("bench.polls", 400);
    private static final int INTERVAL = 20;
    /** SLOW_FLAKY: pre-check and structure take 780 s, full transfer 10,000 s: polls from 800 s on are all in full transfer. */
    private static final double START = 800;
    private static final long IDLE_MS = Long.getLong("bench.idle-ms", 60_000);
    /** Cycles per second to write at (0: as fast as one thread can). H2's growth depends on it: see run(). */
    private static final double RATE = Double.parseDouble(System.getProperty("bench.rate", "0"));
    /** 0: rollups and retention every simulated minute; else every so many real milliseconds (see run()). */
    private static final long MAINTENANCE_MS = Long.getLong("bench.maintenance-ms", 0);
    /**
     * Retention windows shorter than the defaults (-Dbench.retention.samples=1h, .raw, .polls, .rollups, .rollups-5m, as migwatch.retention.*), so
     * that a run reaches the state a long-running node is in: as much deleted at every maintenance as written since.
     */
    private static final Retention RETENTION = retention();
    /** The H2 file, whose size is taken after every round of the measured polls: (task-polls, bytes). */
    private Path h2File;
    private final List<long[]> trend = new ArrayList<>();
    private static final Instant EPOCH = Instant.parse("2026-06-01T00:00:00Z");

    @TempDir
    Path dir;

    /** The retention of the runs: the defaults, or what -Dbench.retention.* gives (as migwatch.retention.*). */
    static Retention retention() {
        Retention d = Retention.defaults();
        return new Retention(window("samples", d.samples()), window("raw", d.raw()), window("polls", d.polls()), window("rollups", d.rollups()),
                window("rollups-5m", d.rollups5m()), d.alerts());
    }

    private static Duration window(String part, Duration otherwise) {
        String v = System.getProperty("bench.retention." + part);
        return v == null ? otherwise : dev.migwatch.source.Durations.parse(v);
    }

    @Test
    void h2File() throws Exception {
        Path file = dir.resolve("growth.mv.db");
        h2File = file;
        // -Dbench.h2options=;COMPRESS=TRUE (say) to compare H2 settings
        String url = "jdbc:h2:file:" + dir.resolve("growth").toAbsolutePath() + System.getProperty("bench.h2options", "");
        try (HikariDataSource db = HistoryDatabase.open(url, null, null)) {
            // -Dbench.h2-writes=true: which tables and indexes the bytes H2 writes are for (H2PageWrites)
            H2PageWrites writes = Boolean.getBoolean("bench.h2-writes") ? H2PageWrites.start(db) : null;
            run("H2 file", db, () -> {
                System.out.println("H2 file " + Files.size(file) + " bytes; MVStore: " + h2Info(db));
                return Files.size(file);
            });
            if (writes != null) {
                writes.close();
                System.out.println(writes.report((long) POLLS * TASKS));
            }
            System.out.println("H2's live pages by table and index (the rows' bytes, as SHUTDOWN COMPACT keeps them): " + h2Maps(db));
        }
        // what the rows themselves take, for comparison: H2 rewritten with nothing but live data
        try (Connection c = java.sql.DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("SHUTDOWN COMPACT");
        }
        System.out.printf("H2 file after SHUTDOWN COMPACT (live data only): %.1f MB%n", Files.size(file) / 1e6);
    }

    /** Per MVStore map: its table and index, live bytes per task-poll, leaf pages, entries per leaf page. */
    private static String h2Maps(javax.sql.DataSource db) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Connection c = db.getConnection()) {
            org.h2.engine.Database d = ((org.h2.engine.SessionLocal) c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession()).getDatabase();
            org.h2.mvstore.MVStore mv = d.getStore().getMvStore();
            java.util.Set<String> seen = new java.util.HashSet<>();
            long total = 0;
            for (org.h2.table.Table t : d.getSchema("PUBLIC").getAllTablesAndViews(null)) {
                if (!(t instanceof org.h2.mvstore.db.MVTable)) continue;
                for (org.h2.index.Index i : t.getIndexes()) {
                    if (!(i instanceof org.h2.mvstore.db.MVIndex)) continue;
                    org.h2.mvstore.MVMap<?, ?> m = ((org.h2.mvstore.db.MVIndex<?, ?>) i).getMVMap();
                    if (!seen.add(m.getName())) continue;
                    long[] w = new long[2];
                    walk(m.getRootPage(), w);
                    long bytes = m.getRootPage().getDiskSpaceUsed(false);
                    total += bytes;
                    b.append(String.format("%n  %-22s %-28s %6.1f B/poll, %6d leaves, %5.1f entries/leaf, %7.0f B/leaf", t.getName().toLowerCase(),
                            i.getName().toLowerCase(), bytes / (double) ((long) POLLS * TASKS), w[0], w[1] / (double) Math.max(1, w[0]),
                            bytes / (double) Math.max(1, w[0])));
                }
            }
            for (String name : mv.getMapNames()) {
                if (seen.contains(name)) continue;
                String id = mv.getMetaMap().get("name." + name);
                if (id == null) continue;
                org.h2.mvstore.MVMap<?, ?> m = mv.getMap(Integer.parseInt(id, 16));
                if (m == null) continue;
                long bytes = m.getRootPage().getDiskSpaceUsed(false);
                total += bytes;
                if (bytes > 100_000) {
                    b.append(String.format("%n  %-51s %6.1f B/poll", name, bytes / (double) ((long) POLLS * TASKS)));
                }
            }
            b.append(String.format("%n  total %.1f B/poll", total / (double) ((long) POLLS * TASKS)));
        }
        return b.toString();
    }

    private static void walk(org.h2.mvstore.Page<?, ?> p, long[] w) {
        if (p.isLeaf()) {
            w[0]++;
            w[1] += p.getKeyCount();
        } else {
            for (int i = 0; i < p.getRawChildPageCount(); i++) {
                walk(p.getChildPage(i), w);
            }
        }
    }

    /** H2's own view of its file: fill rates (live share of the file and of the chunks), chunk count, cache, retention. */
    private static Map<String, String> h2Info(javax.sql.DataSource db) throws Exception {
        Map<String, String> info = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME LIKE 'info.%' "
                     + "OR SETTING_NAME IN ('RETENTION_TIME', 'WRITE_DELAY', 'CACHE_SIZE', 'AUTO_COMPACT_FILL_RATE', 'PAGE_SIZE')")) {
            while (rs.next()) {
                info.put(rs.getString(1).replace("info.", ""), rs.getString(2));
            }
        }
        return info;
    }

    /**
     * -Dbench.hold-snapshot=true: another session keeps a REPEATABLE READ transaction open through the measured polls, as a
     * long report or another application's long transaction on the same database does. PostgreSQL then keeps every row
     * version an UPDATE replaced (no page pruning, no VACUUM can take it): what updates at every poll cost at worst.
     */
    private static final boolean HOLD_SNAPSHOT = Boolean.getBoolean("bench.hold-snapshot");

    @Test
    void postgresql() throws Exception {
        BenchPostgres.withSchema("PostgreSQL", "growth", (db, schema) ->
                // every table, index and TOAST byte of migwatch's schema (the database holds other schemas too)
                run("PostgreSQL", db, () -> {
                    if (Boolean.getBoolean("bench.printing-sizes")) {
                        System.out.println("PostgreSQL sizes by table: " + tableSizes(db, schema));
                    }
                    relations.add(relationSizes(db, schema));
                    return storedBytes(db); // the benchmark's schema is the connections' current one
                }));
    }

    /** Sizes of each relation at each measurement (PostgreSQL), to tell which table or index grows by how much. */
    private final List<Map<String, long[]>> relations = new ArrayList<>();

    /**
     * Per table (partitions of raw_body summed as one): heap, indexes, TOAST bytes, live and dead tuples; per index its
     * bytes. Dead tuples and HOT updates tell what updates cost.
     */
    private static Map<String, long[]> relationSizes(javax.sql.DataSource db, String schema) throws Exception {
        Map<String, long[]> sizes = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT CASE WHEN c.relname LIKE 'raw_body%' THEN 'raw_body' ELSE c.relname END, "
                     + "pg_relation_size(c.oid), pg_indexes_size(c.oid), "
                     + "pg_total_relation_size(c.oid) - pg_relation_size(c.oid) - pg_indexes_size(c.oid), "
                     + "COALESCE(s.n_live_tup, 0), COALESCE(s.n_dead_tup, 0), COALESCE(s.n_tup_upd, 0), COALESCE(s.n_tup_hot_upd, 0) "
                     + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
                     + "WHERE n.nspname = '" + schema + "' AND c.relkind = 'r'")) {
            while (rs.next()) {
                long[] v = sizes.computeIfAbsent(rs.getString(1), k -> new long[7]);
                for (int i = 0; i < 7; i++) {
                    v[i] += rs.getLong(i + 2);
                }
            }
        }
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT CASE WHEN i.relname LIKE 'raw_body%' THEN 'raw_body index' ELSE 'index ' || i.relname END, "
                     + "pg_relation_size(i.oid) FROM pg_class i JOIN pg_namespace n ON n.oid = i.relnamespace "
                     + "WHERE n.nspname = '" + schema + "' AND i.relkind = 'i'")) {
            while (rs.next()) {
                sizes.computeIfAbsent(rs.getString(1), k -> new long[7])[0] += rs.getLong(2);
            }
        }
        return sizes;
    }

    private static Map<String, Long> tableSizes(javax.sql.DataSource db, String schema) throws Exception {
        Map<String, Long> sizes = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON "
                     + "n.oid = c.relnamespace WHERE n.nspname = '" + schema + "' AND c.relkind = 'r' ORDER BY 2 DESC")) {
            while (rs.next()) {
                sizes.put(rs.getString(1), rs.getLong(2));
            }
        }
        return sizes;
    }

    interface Size {
        long bytes() throws Exception;
    }

    private Connection holder;
    private long cpuAtWarmup;
    private long wallAtWarmup;

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private void run(String name, HikariDataSource db, Size size) throws Exception {
        HistoryDatabase.migrate(db);
        MovableClock clock = new MovableClock(EPOCH.plusSeconds((long) START));
        HistoryStore store = new HistoryStore(db, clock);
        HistoryMaintenance maintenance = new HistoryMaintenance(db, RETENTION, clock, Duration.ofMinutes(10));
        Map<String, OmsScenario> projects = new LinkedHashMap<>();
        for (int t = 0; t < TASKS; t++) {
            projects.put(String.format("np_growth_%03d", t), OmsScenario.SLOW_FLAKY);
        }
        OmsAnswers answers = new OmsAnswers(projects, EPOCH);
        OmsAdapter oms = new OmsAdapter();
        SourceConfig source = new SourceConfig("bench", Provider.OMS, URI.create("https://example.invalid"), "cn-hangzhou",
                List.copyOf(projects.keySet()), Duration.ofSeconds(INTERVAL), "id", Secret.of("s"), null, SignatureMethod.ACS3_HMAC_SHA256,
                null, Duration.ofSeconds(5), Duration.ofSeconds(10));
        int warmup = POLLS / 4;
        long sizeAtWarmup = 0;
        long bodyBytes = 0;
        long writeNanos = 0;
        long lastMaintenance = 0;
        long runStarted = System.nanoTime();
        List<String> sizes = new ArrayList<>();
        long started = System.nanoTime();
        long written = 0;
        List<String> names = List.copyOf(projects.keySet());
        for (int p = 0; p < POLLS; p++) {
            double t = START + (double) p * INTERVAL;
            for (int i = 0; i < names.size(); i++) {
                String project = names.get(i);
                // the tasks of a round polled one after the other across the interval, as the poller spreads them (not all at
                // one instant, which would let PostgreSQL's index deduplication store the time of a round once)
                clock.set(EPOCH.plusMillis((long) ((t + (double) INTERVAL * i / names.size()) * 1000)));
                Map<String, String> bodies = answers.at(project, t + (project.hashCode() & 7));
                TaskSnapshot s = snapshot(oms, source, project, clock.instant(), bodies);
                bodyBytes += bodies.values().stream().mapToLong(String::length).sum();
                long w = System.nanoTime();
                store.write(s);
                writeNanos += System.nanoTime() - w;
                written++;
                if (RATE > 0) {
                    long due = started + (long) (written / RATE * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
            // every simulated minute, or with -Dbench.maintenance-ms every so many real milliseconds, as the route's timer
            // runs it in service (migwatch.retention.interval, 1 minute): simulated time runs INTERVAL x TASKS / RATE
            // times faster than real time here, so per simulated minute is that many more runs per poll than in service
            long slot = MAINTENANCE_MS > 0 ? (System.nanoTime() - runStarted) / 1_000_000 / MAINTENANCE_MS : (long) t / 60;
            if (slot != lastMaintenance) {
                lastMaintenance = slot;
                maintenance.run();
            }
            if (p + 1 == warmup) {
                Thread.sleep(IDLE_MS); // past H2's chunk retention time (45 s): what its own compaction leaves
                if (HOLD_SNAPSHOT && holder == null) {
                    holder = db.getConnection();
                    holder.setAutoCommit(false);
                    holder.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                    try (Statement st = holder.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM poll")) {
                        rs.next(); // the snapshot is taken at the first statement
                    }
                }
                sizeAtWarmup = size.bytes();
                cpuAtWarmup = processCpuNanos();
                wallAtWarmup = System.nanoTime();
                started = System.nanoTime(); // the pace starts again after the pause
                written = 0;
            }
            // from an eighth of the run after the warm-up point: by then the dead chunks of H2's last 45 s (RETENTION_TIME),
            // gone during the idle pause there, are back to their steady amount
            if (h2File != null && p + 1 > warmup + POLLS / 8) {
                trend.add(new long[] {(long) (p + 1) * TASKS, Files.size(h2File)});
            }
            if ((p + 1) % (POLLS / 8) == 0) {
                long bytes = size.bytes();
                sizes.add(String.format("%d task-polls: %.1f MB", (p + 1) * TASKS, bytes / 1e6));
                if (h2File == null && p + 1 > warmup) {
                    trend.add(new long[] {(long) (p + 1) * TASKS, bytes}); // PostgreSQL's size, at each eighth only
                }
            }
        }
        // the whole process (the writer, H2's background writer and compaction, GC), from the warm-up to the last poll
        double cpuMsPerPoll = (processCpuNanos() - cpuAtWarmup) / 1e6 / ((long) (POLLS - POLLS / 4) * TASKS);
        double measuredSeconds = (System.nanoTime() - wallAtWarmup) / 1e9;
        System.out.printf("%s: process CPU %.2f ms per task-poll over the measured polls (%.0f s, %.0f task-polls/s); load %s%n", name,
                cpuMsPerPoll, measuredSeconds, (POLLS - POLLS / 4) * TASKS / measuredSeconds,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Thread.sleep(IDLE_MS); // let H2's background writer compact what it will by itself
        System.setProperty("bench.printing-sizes", "true");
        long end = size.bytes();
        if (holder != null) {
            holder.rollback();
            holder.close();
            holder = null;
            System.out.println("(a REPEATABLE READ snapshot was held open from task-poll " + (long) warmup * TASKS + " to the end)");
        }
        System.clearProperty("bench.printing-sizes");
        long polls = (long) (POLLS - warmup) * TASKS;
        Map<String, Long> rows = rowCounts(db);
        if (relations.size() >= 2) {
            Map<String, long[]> from = relations.get(0);
            Map<String, long[]> to = relations.get(relations.size() - 1);
            StringBuilder b = new StringBuilder("Growth per task-poll by relation (heap / indexes / toast bytes; live, dead tuples, "
                    + "updates, HOT updates at the end):");
            for (Map.Entry<String, long[]> e : to.entrySet()) {
                long[] f = from.getOrDefault(e.getKey(), new long[7]);
                long[] v = e.getValue();
                b.append(String.format("%n  %-28s %7.1f / %6.1f / %5.1f   live %d, dead %d, upd %d, hot %d", e.getKey(),
                        (v[0] - f[0]) / (double) polls, (v[1] - f[1]) / (double) polls, (v[2] - f[2]) / (double) polls,
                        v[3], v[4], v[5], v[6]));
            }
            System.out.println(b);
        }
        System.out.printf("%s: %d OMS projects in full transfer x %d polls (every %d s simulated) = %d task-polls; "
                        + "answers %.1f KB per poll as received. Size: %s. Steady state (from task-poll %d to %d): %.0f bytes per task-poll. "
                        + "Writes: %.0f cycles/s in one thread (paced at %s). Rows at the end: %s (%s, %d cores, Java %s)%n",
                name, TASKS, POLLS, INTERVAL, (long) POLLS * TASKS, bodyBytes / 1024.0 / POLLS / TASKS, sizes,
                (long) warmup * TASKS, (long) POLLS * TASKS, (end - sizeAtWarmup) / (double) polls,
                (long) POLLS * TASKS / (writeNanos / 1e9), RATE > 0 ? RATE + " cycles/s" : "no limit", rows, System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        if (trend.size() > 2) {
            // H2's file swings by megabytes as chunks die and are reused: the slope through the size after every round says
            // more than two points do
            // task-polls as the x of EtaEstimator's line, bytes as its y
            double slope = EtaEstimator.slopePerSecond(trend.stream().map(q -> new EtaEstimator.Sample(Instant.ofEpochSecond(q[0]), q[1], null))
                    .toList());
            StringBuilder points = new StringBuilder();
            double maxAbove = 0;
            double maxBelow = 0;
            double mx = trend.stream().mapToLong(q -> q[0]).average().orElse(0);
            double my = trend.stream().mapToLong(q -> q[1]).average().orElse(0);
            for (int i = 0; i < trend.size(); i++) {
                long[] q = trend.get(i);
                double off = q[1] - (my + slope * (q[0] - mx));
                maxAbove = Math.max(maxAbove, off);
                maxBelow = Math.min(maxBelow, off);
                if (i % Math.max(1, trend.size() / 8) == 0 || i == trend.size() - 1) {
                    points.append(String.format(" %d: %.1f MB;", q[0], q[1] / 1e6));
                }
            }
            System.out.printf("%s: least-squares slope of the size (H2: the file after each round) from task-poll %d to %d: %.0f bytes per task-poll "
                            + "(the file from %.1f MB below to %.1f MB above that line; sizes at%s)%n", name, trend.get(0)[0],
                    trend.get(trend.size() - 1)[0], slope, -maxBelow / 1e6, maxAbove / 1e6, points);
            // with short retention windows the second half is past them: what a node keeps growing by once it deletes as much
            // as it writes (the hourly rollups, kept two years, and the 5-minute ones until their own window is past)
            List<long[]> late = trend.subList(trend.size() / 2, trend.size());
            System.out.printf("%s: the same over the second half, from task-poll %d (retention: samples %s, raw %s, polls %s, 5-minute "
                            + "rollups %s, hourly %s): %.0f bytes per task-poll%n", name, late.get(0)[0], RETENTION.samples(), RETENTION.raw(),
                    RETENTION.polls(), RETENTION.rollups5m(), RETENTION.rollups(),
                    EtaEstimator.slopePerSecond(late.stream().map(q -> new EtaEstimator.Sample(Instant.ofEpochSecond(q[0]), q[1], null)).toList()));
        }
    }

    static TaskSnapshot snapshot(OmsAdapter oms, SourceConfig source, String task, Instant at, Map<String, String> bodies)
            throws Exception {
        List<ApiResponse> responses = new ArrayList<>();
        List<ApiCall> calls = new ArrayList<>();
        List<RawBody> raw = new ArrayList<>();
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            ApiResponse r = new ApiResponse(e.getKey(), 1, at, 40, 200, "application/json", null, e.getValue(), null);
            responses.add(r);
            calls.add(oms.classify(r));
            raw.add(new RawBody(e.getKey(), ContentHash.of(e.getValue()), "application/json", e.getValue()));
        }
        TaskContent content = oms.map(source, task, responses);
        return new TaskSnapshot(UUID.randomUUID().toString(), source.name(), "oms", task, at, content.task(), content.steps(),
                content.components(), content.errors(), calls, raw);
    }

    /**
     * The bytes the history takes: on PostgreSQL every table, index and TOAST byte of the current schema (the benchmark's
     * database holds other schemas too), on H2 the file.
     */
    static long storedBytes(javax.sql.DataSource db) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            if (!c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")) {
                try (ResultSet rs = st.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_SIZE'")) {
                    return rs.next() ? Long.parseLong(rs.getString(1)) : -1;
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                    + "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static Map<String, Long> rowCounts(javax.sql.DataSource db) throws Exception {
        Map<String, Long> rows = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            for (String table : List.of("poll", "poll_call", "task_state", "step_state", "component_state", "task_error", "raw_body",
                    "metric_rollup")) {
                try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
                    rs.next();
                    rows.put(table, rs.getLong(1));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT period_s, COUNT(*) FROM metric_rollup GROUP BY period_s ORDER BY period_s")) {
                while (rs.next()) {
                    rows.put("metric_rollup of period " + rs.getInt(1) + " s", rs.getLong(2));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT encoding, COUNT(*), AVG(OCTET_LENGTH(body)) FROM raw_body GROUP BY encoding")) {
                while (rs.next()) {
                    rows.put("raw " + rs.getString(1) + " avg bytes (of " + rs.getLong(2) + ")", rs.getLong(3));
                }
            }
        }
        return rows;
    }
}
