package dev.migwatch.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.storage.HistoryMaintenance;
import dev.migwatch.storage.HistoryStore;
import dev.migwatch.storage.Retention;
import dev.migwatch.trends.Downsampler;
import dev.migwatch.trends.Metric;
import dev.migwatch.trends.Series;
import dev.migwatch.trends.TrendQueries;
import dev.migwatch.trends.TrendsService;
import dev.migwatch.trends.TrendsSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Read latency as the history grows: GET /api/tasks (TrendsService.tasks, what the route answers with) and /series over
 * the whole history and over the last day, measured after 1 day, 30 days and a year of 30-second polls of one task,
 * and with many tasks. The history is written by the real writer (HistoryStore) with rollups and retention running
 * on simulated time (HistoryMaintenance every simulated hour), so after a year it holds what production holds: 30
 * days of samples and a year of rollups. The polls are synthetic OMS incremental-sync cycles (7 steps, 6 components;
 * task delay, the INCR_TRANSFER checkpoint and two components change at every poll), built directly rather than
 * parsed from JSON so that a year is written in minutes; the days between the first 30 and the last 30 of a long run are
 * polled every 5 minutes (see oneTask). The one-task run measures after each of -Dbench.checkpoints (days, default
 * 1,30,365) and prints them as a table at the end: flatness as the history grows. Each figure is a median after
 * -Dbench.warmup calls (20), with the CPU time of the calling thread and the list's side reads. -Dbench.explain=true adds
 * the plans of /series' statements, and on a kept history of the list's (printPlans). -Dbench.keep-schema=true / -Dbench.h2-dir=DIR keep the history written,
 * -Dbench.schema=NAME / -Dbench.h2-file=DIR/year measure a kept one again. Prints figures; not pass/fail.
 * {@code mvn -B -Pbenchmark test -Dtest=HistoryReadBenchmarkTest} (-Dbench.days=365 -Dbench.tasks=1000 -Dbench.task-days=30
 * -Dbench.task-interval=43200 -Dbench.dense-hours=0.5: the many-task layout, see manyTasks; -Dbench.phase=full: its tasks in full
 * transfer, so that the list reads their ETA samples)
 */
@Tag("benchmark")
class HistoryReadBenchmarkTest {
    private static final int DAYS = Integer.getInteger("bench.days", 365);
    /** The days of history after which the one-task run measures (those up to bench.days). */
    private static final List<Integer> CHECKPOINTS = Arrays.stream(System.getProperty("bench.checkpoints", "1,30,365").split(","))
            .map(String::trim).map(Integer::valueOf).toList();
    private static final int MANY_TASKS = Integer.getInteger("bench.tasks", 1000);
    private static final int MANY_TASK_DAYS = Integer.getInteger("bench.task-days", 30);
    private static final int MANY_TASK_INTERVAL = Integer.getInteger("bench.task-interval", 30);
    /** The many-task layout (see manyTasks): the hours at 30 s before each checkpoint; 0, every task at bench.task-interval. */
    private static final double DENSE_HOURS = Double.parseDouble(System.getProperty("bench.dense-hours", "0"));
    /** -Dbench.phase=full: the many tasks' projects are in full transfer (its counts move at every poll), not incremental sync. */
    private static final boolean FULL_TRANSFER = "full".equals(System.getProperty("bench.phase", "incremental"));
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    /**
     * H2 answers a query repeated with the same parameters and nothing written in between from the result it kept: the
     * repeated calls of a median then measure that, not the read. In service every poll writes, so the benchmark turns
     * that off.
     */
    private static final String H2_OPTIONS = ";OPTIMIZE_REUSE_RESULTS=FALSE";

    /** The list's side reads on two threads where MigwatchConfiguration gives them to the service (not an embedded H2). */
    private static final java.util.Set<Long> SIDE_THREADS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final java.util.concurrent.ExecutorService SIDE_READS = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "TrendReads");
        t.setDaemon(true);
        SIDE_THREADS.add(t.getId());
        return t;
    });

    private static TrendsService service(TrendQueries queries, HikariDataSource db) {
        return new TrendsService(queries, TrendsSettings.defaults(),
                HistoryDatabase.sideReads(db.getJdbcUrl()) ? SIDE_READS : Runnable::run);
    }

    @TempDir
    Path dir;

    @Test
    void h2OneTaskForAYear() throws Exception {
        String kept = System.getProperty("bench.h2-file");
        if (kept != null && !kept.isBlank()) {
            // -Dbench.h2-file=PATH (without .mv.db): the reads again, on a history an earlier run kept (-Dbench.h2-dir)
            try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:file:" + kept + H2_OPTIONS, null, null)) {
                measureKept("H2 file", kept, db);
            }
            return;
        }
        String keep = System.getProperty("bench.h2-dir");
        Path base = keep == null || keep.isBlank() ? dir : Path.of(keep);
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:file:" + base.resolve("year").toAbsolutePath() + H2_OPTIONS, null, null)) {
            oneTask("H2 file", db);
        }
        if (base != dir) {
            System.out.println("H2 file: kept as " + base.resolve("year").toAbsolutePath() + " (-Dbench.h2-dir)");
        }
    }

    @Test
    void postgresqlOneTaskForAYear() throws Exception {
        String kept = System.getProperty("bench.schema");
        if (kept != null && !kept.isBlank()) {
            BenchPostgres.withExistingSchema("PostgreSQL", kept, (db, schema) -> measureKept("PostgreSQL", schema, db));
            return;
        }
        withPostgres("PostgreSQL", this::oneTask);
    }

    @Test
    void h2ManyTasks() throws Exception {
        String keep = System.getProperty("bench.h2-dir");
        Path base = keep == null || keep.isBlank() ? dir : Path.of(keep);
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:file:" + base.resolve("many").toAbsolutePath() + H2_OPTIONS, null, null)) {
            manyTasks("H2 file", db);
        }
        if (base != dir) {
            System.out.println("H2 file: kept as " + base.resolve("many").toAbsolutePath() + " (-Dbench.h2-dir)");
        }
    }

    @Test
    void postgresqlManyTasks() throws Exception {
        String kept = System.getProperty("bench.schema");
        if (kept != null && !kept.isBlank()) {
            BenchPostgres.withExistingSchema("PostgreSQL", kept, (db, schema) -> measureKept("PostgreSQL", schema, db));
            return;
        }
        withPostgres("PostgreSQL", this::manyTasks);
    }

    /**
     * -Dbench.schema=NAME (PostgreSQL) or -Dbench.h2-file (H2): the reads again, on a history an earlier run kept
     * (-Dbench.keep-schema, -Dbench.h2-dir), after bringing it to the current schema version.
     */
    private static void measureKept(String name, String where, HikariDataSource db) throws Exception {
        HistoryDatabase.migrate(db);
        QueryTimes times = new QueryTimes();
        TrendsService timed = service(new TrendQueries(times.wrap(db)), db);
        for (int i = 0; i < 5; i++) {
            timed.tasks();
        }
        times.report();
        timed.tasks();
        List<QueryTimes.Run> slow = times.slowest(10.0);
        System.out.println("GET /api/tasks, its statements:" + times.report());
        printPlans(name, db, slow);
        TrendsService trends = service(new TrendQueries(db), db);
        List<String> ids = trends.queries().tasks().stream().map(r -> r.source() + "/" + r.taskId()).toList();
        Instant newest = trends.queries().tasks().stream().map(r -> r.sampledAt()).filter(java.util.Objects::nonNull)
                .max(Instant::compareTo).orElseThrow();
        measure(name, ids.size() + " task(s) of " + where + " (kept)", db, trends, ids, newest, HistoryGrowthBenchmarkTest.rowCounts(db)
                .toString());
    }

    interface Run {
        void run(String name, HikariDataSource db) throws Exception;
    }

    private void withPostgres(String name, Run run) throws Exception {
        BenchPostgres.withSchema(name, "read", (db, schema) -> run.run(name, db));
    }

    private void oneTask(String name, HikariDataSource db) throws Exception {
        HistoryDatabase.migrate(db);
        dev.migwatch.MovableClock clock = new dev.migwatch.MovableClock(T0);
        HistoryStore store = new HistoryStore(db, clock);
        // -Dbench.retention.rollups-5m=730d (say): the retention of schema versions before 20
        HistoryMaintenance maintenance = new HistoryMaintenance(db, HistoryGrowthBenchmarkTest.retention(), clock, Duration.ofHours(1));
        TrendsService trends = service(new TrendQueries(db), db);
        Synthetic task = new Synthetic("np_year", new Random(1));
        List<Integer> checkpoints = CHECKPOINTS;
        long polls = 0;
        long start = System.nanoTime();
        for (int day = 1; day <= DAYS; day++) {
            // Between its first and its last 30 days, a long run polls every 5 minutes instead of 30 s: after retention,
            // what is left of those days is their rollups, one row per metric and bucket either way; the last 30 days keep
            // every sample. So the database read at the end holds the same rows as a year of 30-second polls, written
            // faster; the first 30 days are polled every 30 s so that the checkpoints up to day 30 read what a history of
            // that length holds.
            boolean sparse = DAYS > 60 && day > 30 && DAYS - day >= 30;
            int interval = sparse ? 300 : 30;
            for (int p = 0; p < 86_400 / interval; p++) {
                Instant at = T0.plus(Duration.ofDays(day - 1)).plusSeconds((long) interval * p);
                clock.set(at);
                store.write(task.next(at));
                polls++;
                if (at.getEpochSecond() % 3600 == 3600 - interval) {
                    maintenance.run();
                }
            }
            if (!sparse && (checkpoints.contains(day) || day == DAYS)) {
                double writeSeconds = (System.nanoTime() - start) / 1e9;
                Instant now = clock.instant();
                measure(name, day + " day(s) of one task (" + polls + " polls written at " + Math.round(polls / writeSeconds) + "/s)",
                        db, trends, List.of("bench/np_year"), now, HistoryGrowthBenchmarkTest.rowCounts(db) + ", stored "
                                + HistoryGrowthBenchmarkTest.storedBytes(db) + " bytes");
            }
        }
    }

    /**
     * Many tasks written together, each poll through HistoryStore, maintenance every simulated hour. By default every task
     * every bench.task-interval seconds. With -Dbench.dense-hours=H (a layout for a month of 1,000 tasks, whose 86 million
     * 30-second polls cannot be written here): the first task, whose /series is measured, every 30 s on the days measured
     * and every 5 minutes between them (its rollups then have the rows of 30-second polls, as in oneTask); the others every
     * 30 s in the last H hours before each checkpoint (what the list reads: the 30-minute delay window and the newest rows)
     * and every bench.task-interval seconds otherwise, their polls spread evenly over the interval as a scheduler spreads
     * them. Measures after each day of bench.checkpoints up to bench.task-days, and at the end.
     */
    private void manyTasks(String name, HikariDataSource db) throws Exception {
        HistoryDatabase.migrate(db);
        dev.migwatch.MovableClock clock = new dev.migwatch.MovableClock(T0);
        HistoryStore store = new HistoryStore(db, clock);
        HistoryMaintenance maintenance = new HistoryMaintenance(db, Retention.defaults(), clock, Duration.ofHours(1));
        TrendsService trends = service(new TrendQueries(db), db);
        List<Synthetic> tasks = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int t = 0; t < MANY_TASKS; t++) {
            tasks.add(new Synthetic(String.format("np_many_%04d", t), new Random(t)));
            ids.add("bench/" + String.format("np_many_%04d", t));
        }
        boolean layout = DENSE_HOURS > 0;
        int step = layout ? 30 : MANY_TASK_INTERVAL;
        long every = Math.max(1, MANY_TASK_INTERVAL / step);
        long stepsPerDay = 86_400 / step;
        long denseSteps = Math.round(DENSE_HOURS * 3600 / step);
        long stepsPerHour = Math.max(1, 3600 / step);
        long polls = 0;
        long start = System.nanoTime();
        for (int day = 1; day <= MANY_TASK_DAYS; day++) {
            boolean checkpoint = CHECKPOINTS.contains(day) || day == MANY_TASK_DAYS;
            for (long p = 0; p < stepsPerDay; p++) {
                long s = (day - 1) * stepsPerDay + p;
                Instant at = T0.plusSeconds(step * s);
                clock.set(at);
                boolean dense = checkpoint && stepsPerDay - p <= denseSteps;
                for (int t = 0; t < tasks.size(); t++) {
                    boolean due = t == 0 ? checkpoint || s % 10 == 0 : dense || (s + t) % every == 0;
                    if (!layout || due) {
                        store.write(tasks.get(t).next(at));
                        polls++;
                    }
                }
                if (s % stepsPerHour == stepsPerHour - 1) {
                    maintenance.run();
                }
            }
            if (checkpoint) {
                double writeSeconds = (System.nanoTime() - start) / 1e9;
                QueryTimes times = new QueryTimes();
                TrendsService timed = service(new TrendQueries(times.wrap(db)), db);
                long t0 = System.nanoTime();
                timed.tasks();
                System.out.printf("%s, day %d: GET /api/tasks once after the writes %.1f ms (load %s), its statements:%s%n", name, day,
                        (System.nanoTime() - t0) / 1e6, load(), times.report());
                String history = layout
                        ? String.format("%d tasks x %d day(s): %s polls (the first task every 30 s on the days measured and 5 min "
                        + "between them, the others every %d s and every 30 s in the last %s h before each checkpoint) written at %d/s", MANY_TASKS, day, polls, MANY_TASK_INTERVAL,
                        DENSE_HOURS, Math.round(polls / writeSeconds))
                        : String.format("%d tasks x %d day(s) every %d s (%d polls written at %d/s)", MANY_TASKS, day, MANY_TASK_INTERVAL,
                        polls, Math.round(polls / writeSeconds));
                measure(name, history, db, trends, ids.subList(0, 1), clock.instant(), HistoryGrowthBenchmarkTest.rowCounts(db).toString());
            }
        }
    }

    private static void measure(String name, String history, javax.sql.DataSource db, TrendsService trends, List<String> tasks, Instant now, String rows) {
        String[] first = tasks.get(0).split("/");
        int expected = (int) trends.queries().taskRows().size();
        Timing apiTasksTiming = timing(() -> {
            assertEquals(expected, trends.tasks().size());
            return null;
        });
        double apiTasks = apiTasksTiming.wall();
        // what the list's time goes to: the task rows (taskRows), their steps (listedStepsOfAllTasks); the rest is the batched
        // ETA and delay reads
        double taskRows = median(() -> trends.queries().taskRows());
        double stepRows = median(() -> trends.queries().listedStepsOfAllTasks());
        System.out.printf("%s, %s: GET /api/tasks %.1f ms, of which the task rows %.1f ms, their steps %.1f ms%n", name, history,
                apiTasks, taskRows, stepRows);
        int maxPoints = trends.settings().maxPoints();
        Supplier<Object> year = () -> Downsampler.downsample(trends.queries().series(first[0], first[1], Metric.DELAY, null, null, null),
                maxPoints);
        Supplier<Object> day = () -> Downsampler.downsample(trends.queries().series(first[0], first[1], Metric.DELAY, null,
                now.minus(Duration.ofDays(1)), null), maxPoints);
        Timing yearTiming = timing(year);
        double seriesAll = yearTiming.wall();
        double seriesAllSteps = median(() -> Downsampler.downsample(trends.queries().series(first[0], first[1], Metric.PROGRESS, null, null,
                null), maxPoints));
        Timing dayTiming = timing(day);
        double seriesDay = dayTiming.wall();
        List<Series> all = trends.queries().series(first[0], first[1], Metric.DELAY, null, null, null);
        List<Series> lastDay = trends.queries().series(first[0], first[1], Metric.DELAY, null, now.minus(Duration.ofDays(1)), null);
        System.out.printf("%s, %s: GET /api/tasks %.1f ms; /series delay over everything %.1f ms (%d points read), progress of all steps "
                        + "over everything %.1f ms; delay over the last day %.1f ms (%d points read). Rows: %s (%d cores, Java %s, load %s)%n",
                name, history, apiTasks, seriesAll, points(all), seriesAllSteps, seriesDay, points(lastDay), rows,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), load());
        SUMMARY.add(String.format("| %s | %s | %s | %s, %d points | %s, %d points | %s |", name, history, apiTasksTiming, yearTiming,
                points(all), dayTiming, points(lastDay), load()));
        seriesStatements(name, db, first, now);
    }

    /** The figures of each measure() of the run, printed as a table at its end (see the flatness mode, bench.checkpoints). */
    private static final List<String> SUMMARY = new ArrayList<>();

    @org.junit.jupiter.api.AfterAll
    static void summary() {
        if (!SUMMARY.isEmpty()) {
            System.out.println("| Database | History | GET /api/tasks | /series delay, everything | /series delay, last day | load |");
            SUMMARY.forEach(System.out::println);
        }
    }

    private static int points(List<Series> series) {
        return series.stream().mapToInt(s -> s.points().size()).sum();
    }

    /** The 1-, 5- and 15-minute load averages, as /proc/loadavg has them. */
    static String load() {
        try {
            String[] f = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    /**
     * Where /series' time goes, statement by statement (the year and the last day); with -Dbench.explain=true, also the
     * plans of its statements of more than a millisecond (printPlans).
     */
    private static void seriesStatements(String name, javax.sql.DataSource db, String[] task, Instant now) {
        QueryTimes times = new QueryTimes();
        TrendQueries timed = new TrendQueries(times.wrap(db));
        for (Instant from : java.util.Arrays.asList(null, now.minus(Duration.ofDays(1)))) {
            for (int i = 0; i < 5; i++) {
                timed.series(task[0], task[1], Metric.DELAY, null, from, null);
            }
            times.report();
            timed.series(task[0], task[1], Metric.DELAY, null, from, null);
            List<QueryTimes.Run> slow = times.slowest(1.0);
            System.out.println(name + ": /series delay " + (from == null ? "over everything" : "over the last day") + ", its statements:"
                    + times.report());
            printPlans(name, db, slow);
        }
    }

    /**
     * With -Dbench.explain=true, each run's plan: PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) for its parameters' values and as
     * the generic plan a prepared statement may be given, H2's EXPLAIN ANALYZE. A statement's text is cut short past 300
     * characters and its parameters left out past 20 (a batch's VALUES list has thousands).
     */
    private static void printPlans(String name, javax.sql.DataSource db, List<QueryTimes.Run> runs) {
        if (!Boolean.getBoolean("bench.explain")) {
            return;
        }
        for (QueryTimes.Run run : runs) {
            String text = (run.sql().length() > 300 ? run.sql().substring(0, 300) + " …" : run.sql())
                    + (run.params().size() <= 20 ? "\nwith " + run.params() : "");
            try {
                System.out.println(name.startsWith("PostgreSQL")
                        ? "EXPLAIN of " + text + ":\n" + QueryTimes.explain(db, run, false) + "generic plan:\n" + QueryTimes.explain(db, run, true)
                        : "EXPLAIN ANALYZE of " + text + ":\n" + QueryTimes.explainH2(db, run));
            } catch (java.sql.SQLException e) {
                System.out.println("EXPLAIN failed: " + e.getMessage());
            }
        }
    }

    /** Warm-up calls before the timed ones (-Dbench.warmup): what a service that answers these calls all day has compiled. */
    private static final int WARMUP = Integer.getInteger("bench.warmup", 20);

    /**
     * Median wall time in ms of 21 runs after WARMUP warm-up runs. With 5, the first calls of a kind of read could run while
     * the JIT compiled its code on the same two cores.
     */
    private static double median(Supplier<Object> call) {
        return timing(call).wall();
    }

    /**
     * Medians of a call's wall time and of the CPU time of the calling thread and the side reads' threads (the Java side:
     * JDBC, mapping, downsampling).
     */
    record Timing(double wall, double cpu) {
        @Override
        public String toString() {
            return String.format("%.1f ms (Java CPU %.1f)", wall, cpu);
        }
    }

    private static Timing timing(Supplier<Object> call) {
        for (int i = 0; i < WARMUP; i++) {
            call.get();
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] ms = new double[21];
        double[] cpu = new double[ms.length];
        for (int i = 0; i < ms.length; i++) {
            long c = javaCpu(mx);
            long t = System.nanoTime();
            call.get();
            ms[i] = (System.nanoTime() - t) / 1e6;
            cpu[i] = (javaCpu(mx) - c) / 1e6;
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        return new Timing(ms[ms.length / 2], cpu[cpu.length / 2]);
    }

    private static long javaCpu(java.lang.management.ThreadMXBean mx) {
        return mx.getCurrentThreadCpuTime() + SIDE_THREADS.stream().mapToLong(mx::getThreadCpuTime).filter(n -> n > 0).sum();
    }

    /** An OMS project in incremental sync: what changes at every poll does, the rest stays. */
    static final class Synthetic {
        private final String id;
        private final Random r;
        private long delay = 5;
        private long checkpoint;

        Synthetic(String id, Random r) {
            this.id = id;
            this.r = r;
        }

        TaskSnapshot next(Instant at) {
            delay = Math.max(0, delay + r.nextInt(7) - 3);
            checkpoint = at.getEpochSecond() - delay;
            Instant cp = Instant.ofEpochSecond(checkpoint);
            TaskState task = new TaskState(id, "MIGRATION", "RUNNING", NormalizedStatus.RUNNING, "INCR_TRANSFER", 100.0, delay, at,
                    null, null, null, null, null, null, null, null, T0, T0, null, "{\"Labels\":[],\"Owner\":\"dba\"}");
            List<StepSample> steps = new ArrayList<>();
            String[] names = {"PRE_CHECK", "STRUCT_TRANSFER", "INCR_LOG_PULL", "FULL_TRANSFER", "FULL_VERIFIER", "INCR_TRANSFER",
                    "TRANSFER_APP_SWITCH"};
            for (int i = 0; i < names.length; i++) {
                boolean incr = names[i].equals("INCR_TRANSFER");
                boolean full = names[i].startsWith("FULL");
                if (FULL_TRANSFER && names[i].equals("FULL_TRANSFER")) {
                    // about 2,500 records a second since T0, of a table that does not run out
                    long processed = (at.getEpochSecond() - T0.getEpochSecond()) * 2_500 + r.nextInt(5_000);
                    long capacity = 1_000_000_000_000L;
                    double rps = 2_000 + r.nextInt(1_000);
                    steps.add(new StepSample(names[i], null, i + 1, names[i], null, "RUNNING", NormalizedStatus.RUNNING,
                            processed * 100.0 / capacity, T0, null,
                            new StepSample.Throughput(processed, capacity, rps, 0.0, 0.0, rps, 0.0, 0.0, 2500.0, 2500.0, 1.0), null, null,
                            null, null));
                    continue;
                }
                steps.add(new StepSample(names[i], null, i + 1, names[i], null, i == 6 ? "INIT" : incr || i == 2 ? "MONITORING" : "FINISHED",
                        i == 6 ? NormalizedStatus.PENDING : incr || i == 2 ? NormalizedStatus.RUNNING : NormalizedStatus.FINISHED,
                        i == 6 ? 0.0 : 100.0, T0, incr || i >= 5 ? null : T0.plusSeconds(3600L * (i + 1)),
                        full ? new StepSample.Throughput(25_000_000L, 25_000_000L, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2500.0, 2500.0, 1.0) : null,
                        incr ? new StepSample.Incremental(cp, at, delay, null, true) : null, null, null, null));
            }
            List<ComponentSample> components = new ArrayList<>();
            for (String kind : List.of("STORE", "FULL_IMPORT", "FULL_VERIFY", "INCR_SYNC", "REVERSE_STORE", "REVERSE_INCR_SYNC")) {
                boolean live = kind.equals("STORE") || kind.equals("INCR_SYNC");
                components.add(new ComponentSample(kind, kind.toLowerCase() + "-" + id, "RUNNING", NormalizedStatus.RUNNING, "10.0.0.1",
                        "cn-hangzhou", null, null, null, live ? delay : 0L, live ? (double) r.nextInt(500) : 0.0, 100.0, 100.0, null, null,
                        live ? cp : T0, live ? at : T0, live ? at : T0, null, null));
            }
            String body = "{\"RequestId\":\"" + UUID.randomUUID() + "\",\"Data\":{\"Id\":\"" + id + "\",\"Status\":\"RUNNING\",\"Delay\":"
                    + delay + ",\"Checkpoint\":" + checkpoint + ",\"Tables\":\"" + "orders,users,items,".repeat(40) + "\"}}";
            return new TaskSnapshot(UUID.randomUUID().toString(), "bench", "oms", id, at, task, steps, components, List.of(),
                    List.of(new ApiCall("DescribeProject", 1, at, 40, 200, null, "OK", null, null)),
                    List.of(new RawBody("DescribeProject", "h" + delay + "-" + checkpoint, "application/json", body)));
        }
    }
}
