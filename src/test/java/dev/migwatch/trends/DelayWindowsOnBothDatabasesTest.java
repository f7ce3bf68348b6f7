package dev.migwatch.trends;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.MovableClock;
import dev.migwatch.PostgresSchema;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.progress.EtaEstimator;
import dev.migwatch.storage.DelayWindowFigures;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.storage.HistoryStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TrendQueries.delayWindows (the delay figures aggregated by the database, as GET /api/tasks reads them) against what
 * DelayStats.of makes of delaySamples, over random histories written by the real writer into H2 and PostgreSQL: task
 * delays and step delays (seconds or milliseconds), DTS's -1, polls without a delay, steps missing from answers, tasks
 * without a delay of their own, gaps longer than the window, failed polls, thresholds crossed and not. The step of a task
 * without a delay of its own is the one with the newest sample; among steps whose newest samples are at the same time,
 * the one latest in step order, then by key (delayWindows' documented rule). The average is also checked against the
 * polls themselves: the delay in force (the last successful poll's) over the window's time, whatever rows the writer kept.
 */
class DelayWindowsOnBothDatabasesTest {
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(30);
    private static final int TASKS = 60;
    private static final List<Long> THRESHOLDS = List.of(0L, 25L, 60L, 1_000L);
    private static final String[] STEPS = {"FULL_TRANSFER", "INCR_A", "INCR_B"};

    @TempDir
    Path dir;

    @Test
    void theDatabasesFiguresAreDelayStatsOfTheSamples() throws Exception {
        try (HikariDataSource h2 = HistoryDatabase.open("jdbc:h2:file:" + dir.resolve("delay").toAbsolutePath(), null, null);
             PostgresSchema schema = PostgresSchema.create("delay")) {
            HikariDataSource pg = schema.db();
            long seed = Long.getLong("delay.seed", 20260301L);
            Map<String, Map<String, Integer>> orders = new HashMap<>();
            List<TaskSnapshot> history = history(new Random(seed), orders);
            Map<String, List<TaskSnapshot>> polls = new HashMap<>();
            history.forEach(p -> polls.computeIfAbsent(p.taskId(), k -> new ArrayList<>()).add(p));
            write(h2, history);
            write(pg, history);
            Coverage coverage = new Coverage();
            for (DataSource db : List.of(h2, pg)) {
                List<Object[]> sent = new ArrayList<>();
                DataSource seen = LongSeriesOnBothDatabasesTest.capturing(db, sent);
                // a small chunk size too: the reads split over several statements
                // the list's reads answered by the figures the writer keeps (task_latest), and every read from the rows
                for (TrendQueries q : List.of(new TrendQueries(seen), new TrendQueries(seen, 7 * 40), new TrendQueries(seen).fromRowsOnly())) {
                    compare(q, orders, polls, new Random(seed), coverage, "seed " + seed + " on " + db);
                }
                // every task row has its delay integral: no window of a task's own delay was read the old way
                assertEquals(0, taskRowsPaired(sent), "on " + db);
            }
            System.out.println("delay windows coverage: " + coverage);
            // the histories reach every branch of the figures, else a difference there would go unseen
            assertTrue(coverage.taskLevel > 0 && coverage.stepLevel > 0 && coverage.stepTies > 0 && coverage.carried > 0
                    && coverage.notCarried > 0 && coverage.aboveAll > 0 && coverage.abovePart > 0 && coverage.notAbove > 0
                    && coverage.empty > 0 && coverage.clamped > 0 && coverage.weighted > 0 && coverage.breaks > 0
                    && coverage.polls > 0 && coverage.until > 0 && coverage.oneInstant > 0, coverage.toString());
        }
    }

    /**
     * The delay window figures the writer keeps on task_latest (V15__delay_window.sql) are the figures of the rows, at every
     * poll: random histories written poll by poll, by two nodes taking turns at random (each taking a task up from the
     * database after the other wrote it) and by writers started again, each task's list read after its polls compared
     * with the same read from the state rows. A read with another window or threshold, or ending before the newest poll,
     * is read from the rows; so is every read after a writer that keeps no figures wrote the task's newest poll.
     */
    @Test
    void theFiguresTheWriterKeepsAreTheRowsFiguresAtEveryPoll() throws Exception {
        // what a writer keeps without being told is the list's default window and threshold
        assertEquals(DelayWindowFigures.Settings.of(TrendsSettings.defaults().delayWindow(), TrendsSettings.defaults().delayThresholdSeconds()),
                HistoryStore.DEFAULT_DELAY_WINDOW);
        assertEquals(WINDOW, HistoryStore.DEFAULT_DELAY_WINDOW.window());
        long seed = Long.getLong("delay.seed", 20260301L) + 2;
        List<TaskSnapshot> history = history(new Random(seed), new HashMap<>());
        onBothDatabases("kept", db -> {
            Random random = new Random(seed);
            MovableClock clock = new MovableClock(T0);
            HistoryStore[] nodes = {new HistoryStore(db, clock, "a"), new HistoryStore(db, clock, "b")};
            List<Object[]> sent = new ArrayList<>();
            TrendQueries kept = new TrendQueries(LongSeriesOnBothDatabasesTest.capturing(db, sent));
            TrendQueries rows = kept.fromRowsOnly();
            int compared = 0, fromFigures = 0, takenUp = 0;
            List<Run> runs = new ArrayList<>();
            String lastNode = null;
            for (TaskSnapshot s : history) {
                clock.set(s.polledAt());
                if (random.nextInt(40) == 0) {
                    nodes[random.nextInt(2)] = new HistoryStore(db, clock, random.nextBoolean() ? "a" : "b"); // a restart
                }
                int n = random.nextInt(2);
                takenUp += lastNode != null && !lastNode.equals("ab".substring(n, n + 1)) ? 1 : 0;
                lastNode = "ab".substring(n, n + 1);
                nodes[n].write(s);
                if (!s.succeeded() || random.nextInt(6) != 0) {
                    continue;
                }
                for (long threshold : List.of(60L, THRESHOLDS.get(random.nextInt(THRESHOLDS.size())))) {
                    TrendQueries.TaskRead read = new TrendQueries.TaskRead("s", s.taskId(), s.polledAt().minus(WINDOW), s.polledAt());
                    sent.clear();
                    TrendQueries.DelayWindow got = kept.delayWindows(List.of(read), threshold).get(0);
                    boolean readRows = sent.stream().anyMatch(q -> ((String) q[0]).contains("task_state"));
                    TrendQueries.DelayWindow expected = rows.delayWindows(List.of(read), threshold).get(0);
                    String at = s.taskId() + " at " + s.polledAt() + ", threshold " + threshold + ", on " + db;
                    assertSameWindow(expected, got, at);
                    DelayWindowFigures figures = kept.taskKey("s", s.taskId()).orElseThrow().delayWindow();
                    boolean answers = figures != null && figures.answer(read.since(), s.polledAt(), threshold);
                    // kept for the default window and threshold, and only when the window has a delay of the task's own
                    assertEquals(threshold == 60 && expected.stepKey() == null && expected.samples() > 0, answers, at);
                    // and then the list's read takes them: it reads no state row
                    assertEquals(!answers, readRows, at + ": the read went to task_state");
                    fromFigures += answers ? 1 : 0;
                    runs.add(assertRunSince(rows, got, answers, s.taskId(), s.polledAt(), threshold, at));
                    compared++;
                }
            }
            assertTrue(fromFigures > 150 && takenUp > 500, compared + " reads compared, " + fromFigures
                    + " answered by the kept figures, a task taken up from another node's write " + takenUp + " times, on " + db);
            assertRunsCovered(runs, db);

            // a writer that keeps no figures writes the newest poll: the figures end at an older one and answer nothing
            TaskSnapshot last = history.stream().filter(p -> p.succeeded() && p.taskId().equals("task-0")).reduce((x, y) -> y).orElseThrow();
            assertTrue(kept.taskKey("s", "task-0").orElseThrow().delayWindow() != null, "task-0 has a delay of its own, on " + db);
            TaskSnapshot next = new TaskSnapshot(UUID.randomUUID().toString(), "s", "dts", last.taskId(),
                    last.polledAt().plusSeconds(30), last.task(), last.steps(), List.of(), List.of(), last.calls(), List.of());
            clock.set(next.polledAt());
            new HistoryStore(db, clock, "c", null).write(next);
            TrendQueries.TaskRead read = new TrendQueries.TaskRead("s", next.taskId(), next.polledAt().minus(WINDOW), next.polledAt());
            assertEquals(null, kept.taskKey("s", next.taskId()).orElseThrow().delayWindow(), "on " + db);
            assertSameWindow(rows.delayWindows(List.of(read), 60).get(0), kept.delayWindows(List.of(read), 60).get(0), "on " + db);
        });
    }

    /**
     * The list's "above the threshold since" from the run the writer kept with the figures (V16) is DelayStats' over all the
     * task's readings (readings without a delay do not break a run), from the lookback's start at the earliest, for
     * lookbacks shorter and longer than the runs, before and after the rollups are computed. The rollups and rows, which the
     * list reads where the writer kept no run, give another start in some of these histories: read from the lookback's start
     * (rollups not computed that far) they do not see a run that began before it when the lookback begins with readings
     * without a delay, and give the first reading after those instead of the lookback's start.
     */
    @Test
    void theListsSinceWhenFromTheKeptRunIsTheRunsStartCappedByTheLookback() throws Exception {
        long seed = Long.getLong("delay.seed", 20260301L) + 5;
        List<TaskSnapshot> history = history(new Random(seed), new HashMap<>());
        Instant last = history.get(history.size() - 1).polledAt();
        onBothDatabases("since", db -> {
            write(db, history);
            TrendQueries kept = new TrendQueries(db);
            int beyond = 0, compared = 0, differs = 0;
            for (boolean rollups : List.of(false, true)) {
                if (rollups) {
                    new dev.migwatch.storage.HistoryMaintenance(db, dev.migwatch.storage.Retention.defaults(),
                            java.time.Clock.fixed(last.plus(Duration.ofHours(2)), java.time.ZoneOffset.UTC), Duration.ofMinutes(1)).run();
                }
                for (Duration lookback : List.of(Duration.ofMinutes(45), Duration.ofHours(3), Duration.ofHours(24))) {
                    TrendsSettings settings = new TrendsSettings(EtaEstimator.Settings.defaults(), WINDOW, 60, lookback,
                            Duration.ofMinutes(15), 500);
                    Map<String, TaskView> fromKept = byTask(new TrendsService(kept, settings).tasks());
                    Map<String, TaskView> fromRows = byTask(new TrendsService(kept.fromRowsOnly(), settings).tasks());
                    assertEquals(fromRows.keySet(), fromKept.keySet());
                    for (String task : fromRows.keySet()) {
                        TaskView view = fromKept.get(task);
                        Instant since = view.delay().aboveThresholdSince();
                        String what = task + ", lookback " + lookback + (rollups ? ", rollups computed" : "") + ", on " + db;
                        if (!Objects.equals(fromRows.get(task).delay().aboveThresholdSince(), since)) {
                            differs++;
                        }
                        DelayWindowFigures f = kept.taskKey("s", task).orElseThrow().delayWindow();
                        Instant windowStart = view.sampledAt().minus(WINDOW);
                        if (since != null && f != null && f.runSince() != null && since.isBefore(windowStart)) {
                            Instant run = runFromReadings(kept, task, view.sampledAt(), 60);
                            Instant lookbackStart = view.sampledAt().minus(lookback);
                            assertEquals(run.isBefore(lookbackStart) ? lookbackStart : run, since, what + ": the run's start");
                            beyond++;
                        }
                        compared++;
                    }
                }
            }
            assertTrue(beyond > 10, compared + " tasks compared, " + beyond + " of them above the threshold since before the window, "
                    + "as the writer kept it, on " + db);
            System.out.println(compared + " tasks compared, " + beyond + " with a run the writer kept from before the window; the rollups "
                    + "and rows gave another start for " + differs + " (on " + db + ")");

            // a writer of an older release writes the next poll: it moves the V15 figures and leaves the run's columns
            String task = fromKeptRuns(kept);
            TrendQueries.TaskKey key = kept.taskKey("s", task).orElseThrow();
            Instant next = key.lastOkAt().plusSeconds(30);
            try (Connection c = db.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
                    "UPDATE task_latest SET last_ok_at = ?, last_polled_at = ?, delay_window_end = ? WHERE task_ref = ?")) {
                for (int k = 1; k <= 3; k++) {
                    ps.setObject(k, java.time.LocalDateTime.ofInstant(next, java.time.ZoneOffset.UTC));
                }
                ps.setInt(4, key.id());
                assertEquals(1, ps.executeUpdate());
            }
            DelayWindowFigures moved = kept.taskKey("s", task).orElseThrow().delayWindow();
            assertEquals(next, moved.end());
            assertEquals(null, moved.runSince(), "a run's start kept with older figures, on " + db);
        });
    }

    /**
     * A task above the threshold for hours: the list says since when from the run its writer kept, without the rollups'
     * and rows' way to it, also after the writer was started again (it takes the run up from task_latest). A task
     * whose writer took it up while above, with no current figures to go on (the polls before were written by a writer that
     * keeps none), has no kept start: the list reads it from the rollups and rows, with the same answer.
     */
    @Test
    void aTaskAboveTheThresholdForHoursIsAnsweredFromTheKeptRun() throws Exception {
        onBothDatabases("run", db -> {
            MovableClock clock = new MovableClock(T0);
            Instant runStart = T0.plusSeconds(30 * 10);
            List<Object[]> sent = new ArrayList<>();
            TrendsService list = new TrendsService(new TrendQueries(LongSeriesOnBothDatabasesTest.capturing(db, sent)),
                    TrendsSettings.defaults());
            // the rollups' and rows' way to since when begins by asking how far the rollups are computed
            java.util.function.Predicate<Object[]> sinceRead = q -> ((String) q[0]).contains("rollup_mark")
                    || ((String) q[0]).contains("metric_rollup");

            HistoryStore writer = new HistoryStore(db, clock);
            for (int p = 0; p < 400; p++) {
                clock.set(T0.plusSeconds(30L * p));
                if (p == 200) {
                    writer = new HistoryStore(db, clock); // a restart
                }
                writer.write(snapshot("kept", clock.instant(), p < 10 ? 20L : 100L + p % 7, false));
            }
            assertEquals(runStart, new TrendQueries(db).taskKey("s", "kept").orElseThrow().delayWindow().runSince(), "on " + db);
            sent.clear();
            assertEquals(runStart, byTask(list.tasks()).get("kept").delay().aboveThresholdSince(), "on " + db);
            assertEquals(List.of(), sent.stream().filter(sinceRead).map(q -> q[0]).toList(), "statements for since when, on " + db);

            HistoryStore blind = new HistoryStore(db, clock, null, null);
            writer = new HistoryStore(db, clock);
            for (int p = 0; p < 400; p++) {
                clock.set(T0.plusSeconds(30L * p).plusMillis(500));
                (p < 200 ? blind : writer).write(snapshot("taken-up", clock.instant(), p < 10 ? 20L : 100L + p % 7, false));
            }
            DelayWindowFigures takenUp = new TrendQueries(db).taskKey("s", "taken-up").orElseThrow().delayWindow();
            assertTrue(takenUp != null && takenUp.aboveSince() != null && takenUp.runSince() == null, takenUp + " on " + db);
            sent.clear();
            assertEquals(runStart.plusMillis(500), byTask(list.tasks()).get("taken-up").delay().aboveThresholdSince(), "on " + db);
            assertTrue(sent.stream().anyMatch(sinceRead), "since when read from the rollups and rows, on " + db);
        });
    }

    /** A task whose kept figures give the start of its run above the threshold. */
    private static String fromKeptRuns(TrendQueries kept) {
        for (int t = 0; t < TASKS; t++) {
            DelayWindowFigures f = kept.taskKey("s", "task-" + t).orElseThrow().delayWindow();
            if (f != null && f.runSince() != null) {
                return "task-" + t;
            }
        }
        throw new AssertionError("no task above the threshold at its newest poll");
    }

    private static Map<String, TaskView> byTask(List<TaskView> list) {
        Map<String, TaskView> out = new java.util.LinkedHashMap<>();
        list.forEach(t -> out.put(t.taskId(), t));
        return out;
    }

    /**
     * Node a takes a task up (it has not written it before) while node b, which has, writes a poll of it: b's write must
     * wait until a's transaction ends (a locks the task's task_latest row before reading it), else a's row and figures are
     * computed from what it read before b's row was there. Here b tries to write in the middle of a's transaction (when a
     * inserts its poll) and is given 1 s (under H2's lock timeout, 2 s); without the lock it finished within it, and a
     * stored figures without b's row.
     */
    @Test
    void aNodeTakingATaskUpMakesAnotherNodesWriteWait() throws Exception {
        onBothDatabases("takeup", db -> {
            MovableClock clock = new MovableClock(T0.plusSeconds(600));
            HistoryStore b = new HistoryStore(db, clock, "b");
            b.write(snapshot("t", T0, 10L, false));
            ExecutorService other = Executors.newSingleThreadExecutor();
            AtomicReference<Future<Boolean>> meanwhile = new AtomicReference<>();
            AtomicBoolean finishedMeanwhile = new AtomicBoolean();
            DataSource whileAWrites = onStatement(db, "INSERT INTO poll", () -> {
                if (meanwhile.get() == null) {
                    meanwhile.set(other.submit(() -> b.write(snapshot("t", T0.plusSeconds(30), 500L, false))));
                    try {
                        meanwhile.get().get(1, TimeUnit.SECONDS);
                        finishedMeanwhile.set(true);
                    } catch (TimeoutException waiting) {
                        // b waits for a's transaction: as it should
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            new HistoryStore(whileAWrites, clock, "a").write(snapshot("t", T0.plusSeconds(60), 20L, false));
            meanwhile.get().get(30, TimeUnit.SECONDS);
            other.shutdown();
            assertTrue(!finishedMeanwhile.get(), "b wrote the task while a was writing it, on " + db);
            TrendQueries kept = new TrendQueries(db);
            TrendQueries.TaskKey key = kept.taskKey("s", "t").orElseThrow();
            TrendQueries.TaskRead read = new TrendQueries.TaskRead("s", "t", key.lastOkAt().minus(WINDOW), key.lastOkAt());
            assertTrue(key.delayWindow() != null && key.delayWindow().answer(read.since(), key.lastOkAt(), 60), "on " + db);
            assertSameWindow(kept.fromRowsOnly().delayWindows(List.of(read), 60).get(0), kept.delayWindows(List.of(read), 60).get(0),
                    "figures " + key.delayWindow() + " on " + db);
        });
    }

    /** db, running action on the thread that prepares a statement starting with prefix, once it is prepared. */
    private static DataSource onStatement(DataSource db, String prefix, Runnable action) {
        return LongSeriesOnBothDatabasesTest.proxy(DataSource.class, db, (method, args, result) -> method.getName().equals("getConnection")
                ? LongSeriesOnBothDatabasesTest.proxy(Connection.class, (Connection) result, (m, a, r) -> {
                    if (m.getName().equals("prepareStatement") && a[0] instanceof String sql && sql.startsWith(prefix)) {
                        action.run();
                    }
                    return r;
                })
                : result);
    }

    /**
     * The kept figures are the rows' figures after every write of a single node (no node id) and of two nodes: cycles held
     * back and replayed later as a journal does (older than the task's newest poll, or than its newest successful one),
     * writes that fail after the state row and the figures were computed (a duplicate step: the transaction rolls back and
     * the writer forgets the task), failed polls, -1 and null delays, gaps about as long as the window, times with
     * nanoseconds (stored to microseconds).
     */
    @Test
    void replayedAndFailedWritesLeaveTheFiguresTheRowsFigures() throws Exception {
        onBothDatabases("replays", db -> {
            for (int variant = 0; variant < 2; variant++) {
                Random random = new Random(7 + variant);
                MovableClock clock = new MovableClock(T0);
                HistoryStore[] nodes = variant == 0 ? new HistoryStore[]{new HistoryStore(db, clock, null)}
                        : new HistoryStore[]{new HistoryStore(db, clock, "a"), new HistoryStore(db, clock, "b")};
                TrendQueries kept = new TrendQueries(db);
                TrendQueries rows = kept.fromRowsOnly();
                int compared = 0, answered = 0, failures = 0, replays = 0;
                List<Run> runs = new ArrayList<>();
                for (int t = 0; t < 12; t++) {
                    String task = "rv" + variant + "-" + t;
                    Instant at = T0.plusSeconds(random.nextInt(600)).plusNanos(random.nextInt(1_000_000_000));
                    long d = random.nextInt(200);
                    List<TaskSnapshot> pending = new ArrayList<>();
                    for (int p = 0; p < 250; p++) {
                        at = at.plusSeconds(random.nextInt(30) == 0 ? 1_700 + random.nextInt(300) : 5 + random.nextInt(40))
                                .plusNanos(random.nextInt(1_000_000_000));
                        TaskSnapshot s;
                        if (random.nextInt(12) == 0) {
                            s = TaskSnapshot.failed(UUID.randomUUID().toString(), "s", "dts", task, at,
                                    List.of(new ApiCall("Describe", 1, at, 30, 500, null, "HTTP_ERROR", "E", "failed")), List.of());
                        } else {
                            d = walk(random, d);
                            int k = random.nextInt(10);
                            Long delay = k == 0 ? Long.valueOf(-1) : k == 1 ? null : Long.valueOf(d);
                            s = snapshot(task, at, delay, false);
                        }
                        HistoryStore node = nodes[random.nextInt(nodes.length)];
                        clock.set(at);
                        if (random.nextInt(8) == 0) {
                            pending.add(s); // into the journal, replayed later
                            continue;
                        }
                        if (s.succeeded() && random.nextInt(10) == 0) {
                            // a write that fails after the state row and the figures: the KnownTask is thrown away
                            try {
                                node.write(snapshot(task, at, 999L, true));
                                throw new AssertionError("the duplicate step was stored");
                            } catch (SQLException expected) {
                                failures++;
                            }
                        }
                        node.write(s);
                        if (!pending.isEmpty() && random.nextInt(3) == 0) {
                            for (TaskSnapshot old : pending) {
                                nodes[random.nextInt(nodes.length)].write(old);
                                replays++;
                            }
                            pending.clear();
                        }
                        TrendQueries.TaskKey key = kept.taskKey("s", task).orElse(null);
                        if (key == null || key.lastOkAt() == null) {
                            continue;
                        }
                        for (long threshold : List.of(60L, 25L)) {
                            TrendQueries.TaskRead read = new TrendQueries.TaskRead("s", task, key.lastOkAt().minus(WINDOW), key.lastOkAt());
                            String what = task + " at " + key.lastOkAt() + " threshold " + threshold + " on " + db + " figures " + key.delayWindow();
                            TrendQueries.DelayWindow got = kept.delayWindows(List.of(read), threshold).get(0);
                            assertSameWindow(rows.delayWindows(List.of(read), threshold).get(0), got, what);
                            boolean answers = key.delayWindow() != null && key.delayWindow().answer(read.since(), key.lastOkAt(), threshold);
                            runs.add(assertRunSince(rows, got, answers, task, key.lastOkAt(), threshold, what));
                            answered += answers ? 1 : 0;
                            compared++;
                        }
                    }
                }
                assertTrue(answered > 100 && failures > 10 && replays > 50, compared + " reads compared, " + answered
                        + " answered by the kept figures, " + failures + " failed writes, " + replays + " replays, on " + db);
                assertRunsCovered(runs, db);
            }
        });
    }

    private static TaskSnapshot snapshot(String task, Instant at, Long delay, boolean duplicateStep) {
        TaskState state = new TaskState(task + " name", null, "running", NormalizedStatus.RUNNING, null, null, delay,
                null, null, null, null, null, null, null, null, null, T0, T0, null, null);
        List<StepSample> steps = new ArrayList<>();
        for (int k = 0; k < (duplicateStep ? 2 : 1); k++) {
            steps.add(new StepSample("INCR_A", null, 1, "INCR_A", null, "RUNNING", NormalizedStatus.RUNNING,
                    null, null, null, null, new StepSample.Incremental(null, null, 5L, null, null), null, null, null));
        }
        return new TaskSnapshot(UUID.randomUUID().toString(), "s", "dts", task, at, state, steps, List.of(), List.of(),
                List.of(new ApiCall("Describe", 1, at, 30, 200, null, "OK", null, null)), List.of());
    }

    /**
     * A database upgraded to version 14 in the middle of the histories (its task rows without the delay integral, each
     * task's newest one its origin, as V14__delay_integral.sql leaves them), written on by a writer started again: the
     * windows that reach back before the upgrade are read the old way, those after it from the integrals, and all of
     * them give DelayStats.of of their samples.
     */
    @Test
    void windowsAcrossAnUpgradeToTheIntegralsGiveTheSameFigures() throws Exception {
        try (HikariDataSource h2 = HistoryDatabase.open("jdbc:h2:file:" + dir.resolve("upgraded").toAbsolutePath(), null, null);
             PostgresSchema schema = PostgresSchema.create("upgraded")) {
            HikariDataSource pg = schema.db();
            long seed = Long.getLong("delay.seed", 20260301L) + 1;
            Map<String, Map<String, Integer>> orders = new HashMap<>();
            List<TaskSnapshot> history = history(new Random(seed), orders);
            Map<String, List<TaskSnapshot>> polls = new HashMap<>();
            history.forEach(p -> polls.computeIfAbsent(p.taskId(), k -> new ArrayList<>()).add(p));
            Instant upgrade = history.get(history.size() * 2 / 3).polledAt();
            List<TaskSnapshot> before = history.stream().filter(p -> p.polledAt().isBefore(upgrade)).toList();
            List<TaskSnapshot> after = history.stream().filter(p -> !p.polledAt().isBefore(upgrade)).toList();
            Coverage coverage = new Coverage();
            for (HikariDataSource db : List.of(h2, pg)) {
                write(db, before);
                try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                    // the rows as a release before V14 left them, then V14's own seed of each task's newest row
                    st.executeUpdate("UPDATE task_state SET delay_integral = NULL, delay_covered = NULL");
                    st.executeUpdate(v14Seed());
                }
                write(db, after);
                List<Object[]> sent = new ArrayList<>();
                DataSource seen = LongSeriesOnBothDatabasesTest.capturing(db, sent);
                compare(new TrendQueries(seen).fromRowsOnly(), orders, polls, new Random(seed), coverage, "seed " + seed + " upgraded, on " + db);
                assertTrue(taskRowsPaired(sent) > 0, "the windows before the upgrade were read the old way, on " + db);

                // the list's windows of the tasks whose rows since the upgrade cover them: from the integrals alone
                TrendQueries q = new TrendQueries(seen).fromRowsOnly();
                List<TrendQueries.TaskRead> reads = new ArrayList<>();
                for (TaskRow r : q.tasks()) {
                    if (r.sampledAt() != null && r.sampledAt().minus(WINDOW).isAfter(stateAtOrBefore(db, r.taskId(), upgrade))) {
                        reads.add(new TrendQueries.TaskRead(r.source(), r.taskId(), r.sampledAt().minus(WINDOW), r.sampledAt()));
                    }
                }
                assertTrue(reads.size() > TASKS / 4, reads.size() + " tasks polled for a window since the upgrade, on " + db);
                sent.clear();
                List<TrendQueries.DelayWindow> windows = q.delayWindows(reads, 60);
                assertEquals(0, taskRowsPaired(sent), "on " + db);
                List<List<TrendQueries.DelaySample>> samples = q.delaySamples(reads);
                for (int i = 0; i < reads.size(); i++) {
                    List<TrendQueries.DelaySample> own = samples.get(i).stream().filter(d -> d.stepKey() == null).toList();
                    if (windows.get(i).stepKey() == null && !own.isEmpty()) {
                        DelayStats.Stats expected = DelayStats.of(carriedTo(own, reads.get(i).until()).stream()
                                .map(d -> new DelayStats.Sample(d.polledAt(), d.delaySeconds())).toList(), WINDOW, 60);
                        assertEquals(withoutAvg(expected), withoutAvg(windows.get(i).stats(60)), reads.get(i) + " on " + db);
                        if (expected.avg() == null) {
                            assertEquals(null, windows.get(i).avg(), reads.get(i) + " on " + db);
                        } else {
                            assertEquals(expected.avg(), windows.get(i).avg(), 1e-9 * Math.max(1, expected.avg()), reads.get(i) + " on " + db);
                        }
                    }
                }
            }
        }
    }

    /**
     * Two nodes writing one task (a failover): node b replays from its journal a successful poll older than node a's newest,
     * failed one, so the task's newest state row moves while its newest poll does not. Node a's next row must carry on
     * from b's row, not from the one a wrote last (a review found a's integral taken from its own stale row: an average
     * of 12.2 s where the delay in force averaged 72.2).
     */
    @Test
    void aRowAnotherNodeWroteMeanwhileIsWhereTheIntegralGoesOn() throws Exception {
        onBothDatabases("nodes", db -> {
            MovableClock clock = new MovableClock(T0);
            HistoryStore a = new HistoryStore(db, clock, "a");
            HistoryStore b = new HistoryStore(db, clock, "b");
            a.write(poll(0, 10L));
            a.write(TaskSnapshot.failed(UUID.randomUUID().toString(), "s", "dts", "t", T0.plusSeconds(300),
                    List.of(new ApiCall("Describe", 1, T0.plusSeconds(300), 30, 500, null, "HTTP_ERROR", "E", "failed")), List.of()));
            b.write(poll(100, 100L));
            a.write(poll(400, 20L));
            a.write(poll(500, 30L));
            List<Object[]> sent = new ArrayList<>();
            TrendQueries q = new TrendQueries(LongSeriesOnBothDatabasesTest.capturing(db, sent));
            TrendQueries.TaskRead read = new TrendQueries.TaskRead("s", "t", T0.plusSeconds(50), null);
            TrendQueries.DelayWindow got = q.delayWindows(List.of(read), 60).get(0);
            assertEquals(0, taskRowsPaired(sent), "read from the integrals, on " + db);
            // in force: 10 s from 50 to 100, 100 s to 400, 20 s to 500 (the newest, at the window's end)
            double expected = (10.0 * 50 + 100.0 * 300 + 20.0 * 100) / 450;
            assertEquals(expected, got.avg(), 1e-9, "on " + db);
            DelayStats.Stats oracle = DelayStats.of(q.delaySamples(List.of(read)).get(0).stream()
                    .map(d -> new DelayStats.Sample(d.polledAt(), d.delaySeconds())).toList(), Duration.ofSeconds(450), 60);
            assertEquals(oracle.avg(), got.avg(), 1e-9, "on " + db);
        });
    }

    private static TaskSnapshot poll(int second, Long delay) {
        Instant at = T0.plusSeconds(second);
        TaskState state = new TaskState("t name", null, "running", NormalizedStatus.RUNNING, null, null, delay, null, null, null,
                null, null, null, null, null, null, T0, T0, null, null);
        return new TaskSnapshot(UUID.randomUUID().toString(), "s", "dts", "t", at, state, List.of(), List.of(), List.of(),
                List.of(new ApiCall("Describe", 1, at, 30, 200, null, "OK", null, null)), List.of());
    }

    /** The UPDATE of V14__delay_integral.sql that makes each task's newest row the origin of its integrals. */
    private static String v14Seed() throws java.io.IOException {
        try (java.io.InputStream in = DelayWindowsOnBothDatabasesTest.class.getResourceAsStream("/db/migwatch/V14__delay_integral.sql")) {
            String sql = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String update = sql.substring(sql.indexOf("UPDATE task_state"));
            return update.substring(0, update.indexOf(';'));
        }
    }

    /** The statements that paired a task's own state rows with LEAD (the reading from before V14). */
    private static long taskRowsPaired(List<Object[]> sent) {
        return sent.stream().map(x -> (String) x[0]).filter(sql -> sql.contains("LEAD(") && sql.contains("task_state s ")).count();
    }

    /** The task's newest state row at or before t (its row in force then: where its integrals begin after an upgrade at t). */
    private static Instant stateAtOrBefore(DataSource db, String taskId, Instant t) throws SQLException {
        try (Connection c = db.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement("SELECT MAX(s.polled_at) FROM task_state s "
                + "JOIN task k ON k.id = s.task_ref WHERE k.task_id = ? AND s.polled_at <= ?")) {
            ps.setString(1, taskId);
            ps.setObject(2, java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.time.LocalDateTime at = rs.getObject(1, java.time.LocalDateTime.class);
                return at == null ? Instant.EPOCH : at.toInstant(java.time.ZoneOffset.UTC);
            }
        }
    }

    private static final class Coverage {
        int taskLevel, stepLevel, stepTies, carried, notCarried, aboveAll, abovePart, notAbove, empty, clamped, weighted, breaks,
                polls, until, oneInstant;

        @Override
        public String toString() {
            return "task " + taskLevel + ", step " + stepLevel + ", step ties " + stepTies + ", carried " + carried + ", not carried "
                    + notCarried + ", above all window " + aboveAll + ", above part " + abovePart + ", not above " + notAbove
                    + ", empty " + empty + ", clamped " + clamped + ", weighted " + weighted + ", ended by no delay " + breaks
                    + ", checked against the polls " + polls + ", to an earlier poll " + until + ", at one instant " + oneInstant;
        }
    }

    private static void compare(TrendQueries q, Map<String, Map<String, Integer>> orders, Map<String, List<TaskSnapshot>> polls,
                                Random random, Coverage coverage, String what) {
        List<TrendQueries.TaskRead> reads = new ArrayList<>();
        List<Duration> windows = new ArrayList<>();
        for (TaskRow r : q.tasks()) {
            if (r.sampledAt() == null) {
                continue;
            }
            // as the list reads the window; and from a random time before the newest poll, with a window as long
            reads.add(new TrendQueries.TaskRead(r.source(), r.taskId(), r.sampledAt().minus(WINDOW), null));
            windows.add(WINDOW);
            Duration back = Duration.ofSeconds(1 + random.nextInt(5_000));
            reads.add(new TrendQueries.TaskRead(r.source(), r.taskId(), r.sampledAt().minus(back), null));
            windows.add(back);
            // as the list reads a row older than the newest poll (until): to an earlier successful poll, some from that very
            // poll (a window of no time: its readings weigh nothing, the plain mean stands)
            List<TaskSnapshot> ok = polls.get(r.taskId()).stream().filter(TaskSnapshot::succeeded).toList();
            Instant until = ok.get(random.nextInt(ok.size())).polledAt();
            Duration upTo = Duration.ofSeconds(random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(5_000));
            reads.add(new TrendQueries.TaskRead(r.source(), r.taskId(), until.minus(upTo), until));
            windows.add(upTo);
        }
        reads.add(new TrendQueries.TaskRead("s", "no such task", T0, null));
        windows.add(WINDOW);
        assertTrue(reads.size() > TASKS, what);
        List<List<TrendQueries.DelaySample>> samples = new ArrayList<>(q.delaySamples(reads));
        for (int i = 0; i < reads.size(); i++) {
            if (reads.get(i).until() != null) {
                samples.set(i, carriedTo(samples.get(i), reads.get(i).until()));
            }
        }
        for (long threshold : THRESHOLDS) {
            List<TrendQueries.DelayWindow> figures = q.delayWindows(reads, threshold);
            assertEquals(reads.size(), figures.size(), what);
            for (int i = 0; i < reads.size(); i++) {
                TrendQueries.TaskRead read = reads.get(i);
                List<TrendQueries.DelaySample> s = samples.get(i);
                String key = key(s, orders.getOrDefault(read.taskId(), Map.of()));
                List<DelayStats.Sample> ofKey = s.stream().filter(d -> Objects.equals(d.stepKey(), key))
                        .map(d -> new DelayStats.Sample(d.polledAt(), d.delaySeconds()))
                        .sorted(Comparator.comparing(DelayStats.Sample::at)).toList();
                List<DelayStats.Sample> reported = ofKey.stream().filter(DelayStats.Sample::reported).toList();
                DelayStats.Stats expected = DelayStats.of(ofKey, windows.get(i), threshold);
                TrendQueries.DelayWindow got = figures.get(i);
                String at = what + ", threshold " + threshold + ", read " + read + ", samples " + s;
                DelayStats.Stats stats = got.stats(threshold);
                assertEquals(withoutAvg(expected), withoutAvg(stats), at);
                // the sums of value × seconds differ in their last bits between the databases' and Java's doubles
                if (expected.avg() == null) {
                    assertEquals(null, stats.avg(), at);
                } else {
                    assertEquals(expected.avg(), stats.avg(), 1e-9 * Math.max(1, expected.avg()), at);
                }
                assertEquals(key, got.stepKey(), at);
                assertEquals(reported.isEmpty() ? null : reported.get(0).at(), got.firstAt(), at);
                Instant end = read.until();
                Double truth = timeWeighted(polls.getOrDefault(read.taskId(), List.of()).stream()
                        .filter(p -> end == null || !p.polledAt().isAfter(end)).toList(), key, read.since());
                if (truth != null) {
                    assertEquals(truth, got.avg(), 1e-9 * Math.max(1, truth), at + ": the delay in force at the polls, over the window's time");
                    coverage.polls++;
                }
                count(coverage, s, key, ofKey, expected, read);
            }
        }
    }

    /** body on an H2 file and on a PostgreSQL schema, both named name and migrated, one after the other. */
    private void onBothDatabases(String name, OnDatabase body) throws Exception {
        try (HikariDataSource h2 = HistoryDatabase.open("jdbc:h2:file:" + dir.resolve(name).toAbsolutePath(), null, null);
             PostgresSchema schema = PostgresSchema.create(name)) {
            for (HikariDataSource db : List.of(h2, schema.db())) {
                HistoryDatabase.migrate(db);
                body.run(db);
            }
        }
    }

    private interface OnDatabase {
        void run(HikariDataSource db) throws Exception;
    }

    /** What a read said of the run above the threshold beyond its window (DelayWindowFigures.runSince). */
    private enum Run { FROM_ROWS, NOT_ABOVE, IN_WINDOW, BEYOND_WINDOW, UNKNOWN }

    /**
     * Where the kept figures answer a read and give the start of the run above the threshold, however far back, it is
     * DelayStats' over all
     * the task's own readings up to the read's end (the rows); where they give none while the delay is above the threshold,
     * the writer did not know it (a task taken up while above for the whole window).
     */
    private static Run assertRunSince(TrendQueries rows, TrendQueries.DelayWindow got, boolean kept, String task, Instant end,
                                      long threshold, String what) {
        if (!kept) {
            assertEquals(null, got.runSince(), what + ": read from the rows");
            return Run.FROM_ROWS;
        }
        if (got.aboveSince() == null) {
            assertEquals(null, got.runSince(), what + ": not above the threshold");
            return Run.NOT_ABOVE;
        }
        if (got.runSince() == null) {
            return Run.UNKNOWN;
        }
        assertEquals(runFromReadings(rows, task, end, threshold), got.runSince(), what + ": where the run above the threshold began");
        return got.runSince().isBefore(end.minus(WINDOW)) ? Run.BEYOND_WINDOW : Run.IN_WINDOW;
    }

    /** DelayStats' start of the run above the threshold over all the task's own readings up to end (the oracle). */
    private static Instant runFromReadings(TrendQueries q, String task, Instant end, long threshold) {
        List<DelayStats.Sample> all = q.delaySamples(List.of(new TrendQueries.TaskRead("s", task, T0.minus(Duration.ofDays(1)), end)))
                .get(0).stream().filter(d -> d.stepKey() == null).map(d -> new DelayStats.Sample(d.polledAt(), d.delaySeconds())).toList();
        return DelayStats.aboveThresholdSince(all, threshold);
    }

    /**
     * Runs that began before the window were given, and most runs were known. A writer does not know a run that was above
     * the threshold for the whole window when it took the task up, unless the figures it found were current: these
     * histories take tasks up at every other poll, and some have windows without a reading of the task's own (figures
     * none), after which a take-up starts from nothing.
     */
    private static void assertRunsCovered(List<Run> runs, HikariDataSource db) {
        Map<Run, Long> n = runs.stream().collect(java.util.stream.Collectors.groupingBy(r -> r, java.util.stream.Collectors.counting()));
        long known = n.getOrDefault(Run.IN_WINDOW, 0L) + n.getOrDefault(Run.BEYOND_WINDOW, 0L);
        assertTrue(n.getOrDefault(Run.BEYOND_WINDOW, 0L) > 20 && n.getOrDefault(Run.UNKNOWN, 0L) * 2 < known,
                "runs above the threshold: " + n + " on " + db);
    }

    /** The same window figures, the averages within the last bits that the databases' and Java's doubles differ in. */
    private static void assertSameWindow(TrendQueries.DelayWindow expected, TrendQueries.DelayWindow got, String what) {
        assertEquals(withoutAvg(expected), withoutAvg(got), what);
        if (expected.avg() != null) {
            assertEquals(expected.avg(), got.avg(), 1e-9 * Math.max(1, expected.avg()), what);
        }
    }

    private static TrendQueries.DelayWindow withoutAvg(TrendQueries.DelayWindow w) {
        // the run's start beyond the window is compared by assertRunSince: the rows do not give it
        return new TrendQueries.DelayWindow(w.stepKey(), w.firstAt(), w.current(), w.currentAt(), w.max(), null, w.samples(), w.aboveSince());
    }

    private static DelayStats.Stats withoutAvg(DelayStats.Stats s) {
        return new DelayStats.Stats(s.current(), s.currentAt(), s.max(), null, s.samples(), s.threshold(), s.aboveThresholdSince());
    }

    private static void count(Coverage c, List<TrendQueries.DelaySample> s, String key, List<DelayStats.Sample> ofKey,
                              DelayStats.Stats stats, TrendQueries.TaskRead read) {
        List<DelayStats.Sample> reported = ofKey.stream().filter(DelayStats.Sample::reported).toList();
        if (reported.isEmpty()) {
            c.empty++;
            return;
        }
        if (reported.size() < ofKey.size() && !ofKey.get(ofKey.size() - 1).equals(reported.get(reported.size() - 1))) {
            c.breaks++;
        }
        if (Math.abs(stats.avg() - reported.stream().mapToLong(DelayStats.Sample::delaySeconds).average().orElseThrow()) > 1e-6) {
            c.weighted++;
        }
        if (read.until() != null) {
            c.until++;
        }
        if (reported.stream().map(DelayStats.Sample::at).distinct().count() == 1) {
            c.oneInstant++;
        }
        if (key == null) {
            c.taskLevel++;
        } else {
            c.stepLevel++;
            Instant newest = s.stream().map(TrendQueries.DelaySample::polledAt).max(Comparator.naturalOrder()).orElseThrow();
            if (s.stream().filter(d -> d.polledAt().equals(newest)).map(TrendQueries.DelaySample::stepKey).distinct().count() > 1) {
                c.stepTies++;
            }
        }
        boolean carried = reported.size() > 1
                && reported.get(reported.size() - 1).delaySeconds().equals(reported.get(reported.size() - 2).delaySeconds());
        if (carried) {
            c.carried++;
        } else {
            c.notCarried++;
        }
        if (reported.get(0).at().equals(read.since())) {
            c.clamped++;
        }
        if (stats.aboveThresholdSince() == null) {
            c.notAbove++;
        } else if (stats.aboveThresholdSince().equals(reported.get(0).at())) {
            c.aboveAll++;
        } else {
            c.abovePart++;
        }
    }

    /** The task's own delay when it has one; else the step with the newest sample, ties to the latest in step order, then key. */
    private static String key(List<TrendQueries.DelaySample> all, Map<String, Integer> orders) {
        List<TrendQueries.DelaySample> samples = all.stream().filter(d -> d.delaySeconds() != null).toList();
        if (samples.isEmpty() || samples.stream().anyMatch(d -> d.stepKey() == null)) {
            return null;
        }
        Instant newest = samples.stream().map(TrendQueries.DelaySample::polledAt).max(Comparator.naturalOrder()).orElseThrow();
        return samples.stream().filter(d -> d.polledAt().equals(newest)).map(TrendQueries.DelaySample::stepKey)
                .max(Comparator.<String, Integer>comparing(k -> orders.get(k) == null ? Integer.MAX_VALUE : orders.get(k))
                        .thenComparing(Comparator.naturalOrder())).orElseThrow();
    }

    /**
     * delaySamples of a read with until, which stop there, with each series' newest reading carried forward to until as
     * delayWindows carries it (the step a window chooses is the one with the newest sample, so this comes first).
     */
    private static List<TrendQueries.DelaySample> carriedTo(List<TrendQueries.DelaySample> rows, Instant until) {
        Map<String, TrendQueries.DelaySample> newest = new java.util.LinkedHashMap<>();
        rows.forEach(d -> newest.put(String.valueOf(d.stepKey()), d));
        List<TrendQueries.DelaySample> out = new ArrayList<>(rows);
        newest.values().stream().filter(d -> d.delaySeconds() != null && d.polledAt().isBefore(until))
                .forEach(d -> out.add(new TrendQueries.DelaySample(d.stepKey(), until, d.delaySeconds())));
        return out;
    }

    /**
     * The mean over [since, the newest successful poll] of the delay in force, from the polls as they were answered: each
     * successful poll's delay (the task's own, or the step's) in force until the next successful poll; a poll without one
     * counts for no time. Null when no delay was in force for any time.
     */
    private static Double timeWeighted(List<TaskSnapshot> polls, String stepKey, Instant since) {
        List<TaskSnapshot> ok = polls.stream().filter(TaskSnapshot::succeeded).toList();
        double weighted = 0, weight = 0;
        for (int j = 0; j < ok.size(); j++) {
            Instant from = ok.get(j).polledAt().isBefore(since) ? since : ok.get(j).polledAt();
            Instant until = j + 1 < ok.size() ? ok.get(j + 1).polledAt() : from;
            Long v = delay(ok.get(j), stepKey);
            if (v != null && until.isAfter(from)) {
                double seconds = Duration.between(from, until).toNanos() / 1e9;
                weighted += v * seconds;
                weight += seconds;
            }
        }
        return weight > 0 ? weighted / weight : null;
    }

    /** A successful poll's delay as the history keeps it: the task's own, or the step's seconds or whole seconds of its ms. */
    private static Long delay(TaskSnapshot poll, String stepKey) {
        Long v = null;
        if (stepKey == null) {
            v = poll.task().delaySeconds();
        } else {
            for (StepSample step : poll.steps()) {
                if (step.stepKey().equals(stepKey) && step.incremental() != null) {
                    StepSample.Incremental in = step.incremental();
                    v = in.delaySeconds() != null ? in.delaySeconds() : in.delayMs() != null ? in.delayMs() / 1000 : null;
                }
            }
        }
        return v != null && v >= 0 ? v : null;
    }

    /** Every task's polls, in time order: each task its own kind of history. */
    private static List<TaskSnapshot> history(Random random, Map<String, Map<String, Integer>> orders) {
        List<TaskSnapshot> out = new ArrayList<>();
        for (int t = 0; t < TASKS; t++) {
            String task = "task-" + t;
            // 0: a delay of its own; 1: its own delay only sometimes; 2: none (the steps'); 3: none, its steps mostly -1 or absent
            int kind = t % 4;
            Map<String, Integer> order = new HashMap<>();
            for (int k = 0; k < STEPS.length; k++) {
                // tied and missing orders too
                order.put(STEPS[k], random.nextInt(4) == 0 ? null : random.nextInt(3));
            }
            orders.put(task, order);
            int interval = 10 + random.nextInt(60);
            int polls = 20 + random.nextInt(200);
            Instant at = T0.plusSeconds(random.nextInt(600));
            long task0 = random.nextInt(200);
            long[] step0 = {random.nextInt(200), random.nextInt(200), random.nextInt(200)};
            boolean changeOnly = random.nextBoolean();
            for (int p = 0; p < polls; p++) {
                // gaps, some longer than the window
                at = at.plusSeconds(random.nextInt(30) == 0 ? 1_800 + random.nextInt(4_000) : interval + random.nextInt(5));
                if (random.nextInt(25) == 0) {
                    out.add(TaskSnapshot.failed(UUID.randomUUID().toString(), "s", "dts", task, at,
                            List.of(new ApiCall("Describe", 1, at, 30, 500, null, "HTTP_ERROR", "E", "failed")), List.of()));
                    continue;
                }
                task0 = walk(random, task0);
                Long dts = -1L; // "not applicable"
                Long none = null;
                Long taskDelay = switch (kind) {
                    case 0 -> random.nextInt(20) == 0 ? dts : random.nextInt(20) == 0 ? none : Long.valueOf(task0);
                    case 1 -> random.nextInt(4) == 0 ? Long.valueOf(task0) : random.nextBoolean() ? dts : none;
                    default -> random.nextInt(3) == 0 ? dts : none;
                };
                List<StepSample> steps = new ArrayList<>();
                for (int k = 0; k < STEPS.length; k++) {
                    step0[k] = walk(random, step0[k]);
                    if (random.nextInt(kind == 3 ? 3 : 8) == 0) {
                        continue; // not in this answer: present = FALSE
                    }
                    Long seconds = null, ms = null;
                    int how = random.nextInt(kind == 3 ? 3 : 10);
                    if (how == 0) {
                        seconds = -1L;
                    } else if (how == 1) {
                        ms = step0[k] * 1000 + random.nextInt(1000);
                    } else if (how == 2) {
                        seconds = null;
                    } else {
                        seconds = step0[k];
                    }
                    StepSample.Incremental in = seconds == null && ms == null && random.nextBoolean() ? null
                            : new StepSample.Incremental(null, null, seconds, ms, null);
                    steps.add(new StepSample(STEPS[k], null, order.get(STEPS[k]), STEPS[k], null, "RUNNING", NormalizedStatus.RUNNING,
                            null, null, null, null, in, null, null, null));
                }
                TaskState state = new TaskState(task + " name", null, "running", NormalizedStatus.RUNNING, null, null, taskDelay,
                        changeOnly ? null : at, null, null, null, null, null, null, null, null, T0, T0, null, null);
                out.add(new TaskSnapshot(UUID.randomUUID().toString(), "s", "dts", task, at, state, steps, List.of(), List.of(),
                        List.of(new ApiCall("Describe", 1, at, 30, 200, null, "OK", null, null)), List.of()));
            }
        }
        out.sort(Comparator.comparing(TaskSnapshot::polledAt));
        return out;
    }

    /** A delay that mostly stays, sometimes jumps across the thresholds. */
    private static long walk(Random random, long v) {
        int r = random.nextInt(10);
        return r < 4 ? v : r < 8 ? Math.max(0, v + random.nextInt(41) - 20) : random.nextInt(3) == 0 ? 0 : random.nextInt(1_500);
    }

    private static void write(DataSource db, List<TaskSnapshot> history) throws SQLException {
        HistoryDatabase.migrate(db);
        MovableClock clock = new MovableClock(T0);
        HistoryStore store = new HistoryStore(db, clock);
        for (TaskSnapshot s : history) {
            clock.set(s.polledAt());
            store.write(s);
        }
    }

}
