package dev.migwatch.trends;

import dev.migwatch.progress.EtaEstimator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.migwatch.trends.HistoryFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The task list reads the figures of all tasks together, in batches; a task's own page reads them for that task
 * alone. Both must say the same thing about every task.
 */
class TrendsServiceTest {

    /**
     * Tasks of every kind the list has to handle, side by side, over five hours at 30 s: a delay above the threshold
     * since a known poll (found through the rollups), above since the start, below it, a delay on a step only (no task
     * delay), a full transfer under way (ETA), one that has stood still for minutes, a task whose polls all failed, and a task that was
     * polled last long ago.
     */
    private static HistoryFixture history() {
        HistoryFixture h = new HistoryFixture();
        Random r = new Random(3);
        for (int i = 0; i < 600; i++) {
            Instant at = T0.plusSeconds(30L * i);
            String c = "c" + i;
            h.call(c + "a", "uc", "UDTS", "lagging", at, "OK", null);
            h.task(c + "a", "uc", "UDTS", "lagging", at, "RUNNING", "INCREMENTAL_SYNC", 100.0, i < 400 ? 10L + i % 3 : 100L + i % 4, null);
            h.call(c + "b", "uc", "UDTS", "always", at, "OK", null);
            h.task(c + "b", "uc", "UDTS", "always", at, "RUNNING", "INCREMENTAL_SYNC", 100.0, 90L + r.nextInt(20), null);
            h.call(c + "c", "uc", "UDTS", "fine", at, "OK", null);
            h.task(c + "c", "uc", "UDTS", "fine", at, "RUNNING", "INCREMENTAL_SYNC", 100.0, (long) r.nextInt(30), null);
            // OMS: the delay is the INCR_TRANSFER step's, the task has none; above 60 s from poll 500 on, flat before
            h.call(c + "d", "oms", "OMS", "np_step", at, "OK", null);
            h.task(c + "d", "oms", "OMS", "np_step", at, "RUNNING", "INCR_TRANSFER", null, null, null);
            h.step(c + "d", "oms", "OMS", "np_step", at, "INCR_TRANSFER", "RUNNING", null, null, null, null, i < 500 ? 5L : 70L + i % 2);
            h.call(c + "e", "oms", "OMS", "np_full", at, "OK", null);
            h.task(c + "e", "oms", "OMS", "np_full", at, "RUNNING", "FULL_TRANSFER", null, null, null);
            h.step(c + "e", "oms", "OMS", "np_full", at, "FULL_TRANSFER", "RUNNING", null, 1000L * i, 1_000_000L, 33.0 + i % 5, null);
            h.call(c + "f", "oms", "OMS", "np_stuck", at, "OK", null);
            h.task(c + "f", "oms", "OMS", "np_stuck", at, "RUNNING", "FULL_TRANSFER", null, null, null);
            h.step(c + "f", "oms", "OMS", "np_stuck", at, "FULL_TRANSFER", "RUNNING", null, i < 585 ? 1000L * i : 585_000L, 1_000_000L,
                    0.0, null);
            if (i % 10 == 0) {
                h.call(c + "g", "dts", "DTS", "j-auth", at, "AUTH", "InvalidAccessKeyId.NotFound");
            }
            if (i < 100) {
                h.call(c + "h", "uc", "UDTS", "old", at, "OK", null);
                h.task(c + "h", "uc", "UDTS", "old", at, "RUNNING", "INCREMENTAL_SYNC", 100.0, 200L, null);
            }
        }
        return h.flush();
    }

    @Test
    void theListSaysWhatEachTasksOwnPageSays() {
        HistoryFixture h = history();
        TrendsService service = new TrendsService(new TrendQueries(h.dataSource), TrendsSettings.defaults());
        // without rollups: "since when" is read back through the lookback
        assertListEqualsPages(service);
        new dev.migwatch.storage.HistoryMaintenance(h.dataSource, dev.migwatch.storage.Retention.defaults(),
                Clock.fixed(T0.plus(Duration.ofHours(6)), ZoneOffset.UTC), Duration.ofMinutes(1)).run();
        List<TaskView> list = assertListEqualsPages(service);
        // and the list is right, not only consistent
        assertEquals(T0.plusSeconds(30L * 400), find(list, "lagging").delay().aboveThresholdSince());
        assertEquals(T0, find(list, "always").delay().aboveThresholdSince());
        assertEquals(null, find(list, "fine").delay().aboveThresholdSince());
        assertEquals(T0.plusSeconds(30L * 500), find(list, "np_step").delay().aboveThresholdSince(), "the step's delay");
        assertEquals(70, find(list, "np_step").delay().current(), 1);
        assertNotNull(find(list, "np_full").eta().finishAt());
        assertEquals(EtaEstimator.STALLED, find(list, "np_stuck").eta().reason());
        assertEquals(TrendsService.NO_SAMPLES, find(list, "j-auth").eta().reason());
        assertEquals(T0.plusSeconds(30L * 99), find(list, "old").delay().currentAt());
    }

    @Test
    void aBatchTooBigForOneQueryIsReadInChunksWithTheSameAnswers() {
        HistoryFixture h = history();
        new dev.migwatch.storage.HistoryMaintenance(h.dataSource, dev.migwatch.storage.Retention.defaults(),
                Clock.fixed(T0.plus(Duration.ofHours(6)), ZoneOffset.UTC), Duration.ofMinutes(1)).run();
        List<TaskView> whole = new TrendsService(new TrendQueries(h.dataSource), TrendsSettings.defaults()).tasks();
        // 20 values: two tasks per query at most
        TrendsService chunked = new TrendsService(new TrendQueries(h.dataSource, 20), TrendsSettings.defaults());
        assertEquals(whole, chunked.tasks());
        assertEquals(whole, assertListEqualsPages(chunked));
    }

    /**
     * The list reads every task's steps beside the tasks themselves. Each of the two statements waits, before it runs, until
     * the other has begun: that happens only when they run at the same time. Read one after the other, the first waits in
     * vain and says so.
     */
    @Test
    @Timeout(30)
    void theListReadsTheStepsBesideTheTasks() throws Exception {
        HistoryFixture h = history();
        CountDownLatch steps = new CountDownLatch(1);
        CountDownLatch tasks = new CountDownLatch(1);
        List<String> alone = Collections.synchronizedList(new ArrayList<>());
        DataSource meeting = onPrepare(h.dataSource, sql -> {
            if (sql.contains("FROM step st JOIN task_latest l")) {
                steps.countDown();
                if (!tasks.await(5, TimeUnit.SECONDS)) {
                    alone.add("the steps were read before the tasks");
                }
            } else if (sql.contains("FROM task t LEFT JOIN task_latest l")) {
                tasks.countDown();
                if (!steps.await(5, TimeUnit.SECONDS)) {
                    alone.add("the tasks were read before their steps");
                }
            }
        });
        ExecutorService side = Executors.newSingleThreadExecutor();
        try {
            List<TaskView> list = new TrendsService(new TrendQueries(meeting), TrendsSettings.defaults(), side).tasks();
            assertEquals(List.of(), alone);
            assertEquals(new TrendsService(new TrendQueries(h.dataSource), TrendsSettings.defaults()).tasks(), list,
                    "read side by side, the list says what it says read one statement after the other");
        } finally {
            side.shutdownNow();
        }
    }

    /**
     * The delay windows are read after the task rows: a poll that comes in between does not move a task's window past the
     * poll its row shows. The figures of one list are of one moment, the one its rows show.
     */
    @Test
    @Timeout(30)
    void aWindowEndsAtThePollTheRowShows() {
        HistoryFixture h = history();
        Instant rowsPoll = T0.plusSeconds(30L * 599);
        java.util.concurrent.atomic.AtomicBoolean polled = new java.util.concurrent.atomic.AtomicBoolean();
        DataSource pollInBetween = onPrepare(h.dataSource, sql -> {
            // the first read of the tasks' keys after their rows is the windows'
            if (sql.startsWith("SELECT t.id, t.first_polled_at") && polled.compareAndSet(false, true)) {
                h.call("late", "uc", "UDTS", "fine", rowsPoll.plusSeconds(30), "OK", null);
                h.task("late", "uc", "UDTS", "fine", rowsPoll.plusSeconds(30), "RUNNING", "INCREMENTAL_SYNC", 100.0, 55L, null);
                h.flush();
            }
        });
        TaskView fine = find(new TrendsService(new TrendQueries(pollInBetween), TrendsSettings.defaults()).tasks(), "fine");
        assertTrue(polled.get());
        assertEquals(rowsPoll, fine.sampledAt());
        assertEquals(rowsPoll, fine.delay().currentAt(), "the window ends at the poll the row shows, not the newer one");
        assertEquals(fine.delaySeconds(), fine.delay().current());
    }

    /**
     * Above the threshold for the whole window, before the rollups cover it: "since when" is read back through the
     * lookback, of the series the window chose, and the figures stay the window's (as they are once the rollups do). A
     * DTS task whose last polls say -1, and a task whose own delay stopped an hour ago while its step's went on.
     */
    @Test
    void theLookbackGivesOnlySinceWhenOfTheWindowsSeries() {
        HistoryFixture h = new HistoryFixture();
        for (int i = 0; i < 240; i++) {
            Instant at = T0.plusSeconds(30L * i);
            h.call("a" + i, "dts", "DTS", "tail", at, "OK", null);
            h.task("a" + i, "dts", "DTS", "tail", at, "RUNNING", "INCREMENTAL_SYNC", null, i < 230 ? 100L + i : -1L, null);
            h.call("b" + i, "oms", "OMS", "switched", at, "OK", null);
            h.task("b" + i, "oms", "OMS", "switched", at, "RUNNING", "INCR_TRANSFER", null, i < 60 ? 200L : null, null);
            h.step("b" + i, "oms", "OMS", "switched", at, "INCR_TRANSFER", "RUNNING", null, null, null, null, 100L + i % 2);
        }
        h.flush();
        TrendsService service = new TrendsService(new TrendQueries(h.dataSource), TrendsSettings.defaults());
        List<TaskView> beforeRollups = service.tasks();
        new dev.migwatch.storage.HistoryMaintenance(h.dataSource, dev.migwatch.storage.Retention.defaults(),
                Clock.fixed(T0.plus(Duration.ofHours(3)), ZoneOffset.UTC), Duration.ofMinutes(1)).run();
        List<TaskView> withRollups = service.tasks();
        for (String task : List.of("tail", "switched")) {
            TaskView t = find(beforeRollups, task);
            DelayStats.Stats window = new TrendQueries(h.dataSource).delayWindows(List.of(new TrendQueries.TaskRead(t.source(),
                    task, t.sampledAt().minus(TrendsSettings.defaults().delayWindow()), null)), 60).get(0).stats(60);
            DelayStats.Stats stats = t.delay();
            assertEquals(new DelayStats.Stats(window.current(), window.currentAt(), window.max(), window.avg(), window.samples(), 60,
                    T0), stats, task + ": the window's figures, above the threshold since the series began");
            assertEquals(stats, find(withRollups, task).delay(), task + ": the same once the rollups cover it");
        }
        assertEquals(101L, find(beforeRollups, "switched").delay().current(), "the step's delay, not the task's of an hour ago");
    }

    /** A side read that fails fails the list as a read on the calling thread does: with the history's own message. */
    @Test
    @Timeout(30)
    void aFailedSideReadFailsTheListWithItsOwnMessage() {
        HistoryFixture h = history();
        DataSource broken = onPrepare(h.dataSource, sql -> {
            if (sql.contains("FROM step st JOIN task_latest l")) {
                throw new SQLException("the steps' table is gone");
            }
        });
        ExecutorService side = Executors.newSingleThreadExecutor();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new TrendsService(new TrendQueries(broken), TrendsSettings.defaults(), side).tasks());
            assertEquals("history query failed: the steps' table is gone", e.getMessage());
        } finally {
            side.shutdownNow();
        }
    }

    /**
     * A side read the pool refuses (full, or shut down while the list ran) or accepts and never runs (a pool shut down
     * drops what it has queued) is read by the list itself: the list never waits for a read nobody makes.
     */
    @Test
    @Timeout(30)
    void aReadThePoolRefusesOrDropsIsReadByTheListItself() {
        HistoryFixture h = history();
        ExecutorService shutDown = Executors.newSingleThreadExecutor();
        shutDown.shutdown();
        java.util.concurrent.Executor dropping = r -> { };
        List<TaskView> expected = new TrendsService(new TrendQueries(h.dataSource), TrendsSettings.defaults()).tasks();
        assertTrue(expected.stream().anyMatch(t -> !t.runningSteps().isEmpty()), "the history has running steps to read");
        for (java.util.concurrent.Executor side : List.of(shutDown, dropping)) {
            assertEquals(expected, new TrendsService(new TrendQueries(h.dataSource), TrendsSettings.defaults(), side).tasks());
        }
    }

    private interface BeforePrepare {
        void accept(String sql) throws Exception;
    }

    /** The data source, with a step run before each statement is prepared. */
    private static DataSource onPrepare(DataSource target, BeforePrepare before) {
        ClassLoader loader = TrendsServiceTest.class.getClassLoader();
        return (DataSource) Proxy.newProxyInstance(loader, new Class<?>[]{DataSource.class}, (p, m, a) -> {
            Object result = call(m, target, a);
            if (!m.getName().equals("getConnection")) {
                return result;
            }
            return Proxy.newProxyInstance(loader, new Class<?>[]{Connection.class}, (cp, cm, ca) -> {
                if (cm.getName().equals("prepareStatement")) {
                    before.accept((String) ca[0]);
                }
                return call(cm, result, ca);
            });
        });
    }

    private static Object call(Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static List<TaskView> assertListEqualsPages(TrendsService service) {
        List<TaskView> list = service.tasks();
        assertEquals(8, list.size());
        List<TaskView> pages = new ArrayList<>();
        for (TaskView t : list) {
            pages.add(service.task(t.source(), t.taskId()).orElseThrow().task());
        }
        assertEquals(pages, list);
        assertTrue(list.stream().anyMatch(t -> t.delay().aboveThresholdSince() != null));
        return list;
    }

    private static TaskView find(List<TaskView> list, String taskId) {
        return list.stream().filter(t -> t.taskId().equals(taskId)).findFirst().orElseThrow();
    }
}
