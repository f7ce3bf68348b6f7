package dev.migwatch.trends;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.MovableClock;
import dev.migwatch.PostgresSchema;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.storage.HistoryMaintenance;
import dev.migwatch.storage.HistoryStore;
import dev.migwatch.storage.Retention;
import dev.migwatch.storage.V10__RollupReadIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /series over ranges longer than three weeks, read from the hourly rollups (and V10's index of them on PostgreSQL): 40
 * days of one task, polled every 20 minutes and written by the real writer with the real maintenance (rollups, and
 * retention, which has deleted the samples of the first ten days), into H2 and into PostgreSQL. Each hourly point is the
 * average of the values at the polls of its hour; both databases give the same lines for every metric and range;
 * PostgreSQL reads the hourly part from the index alone, in the plan of the statement as series() sends it and in the
 * generic plan it may cache for it; H2 reads the rollups through V10's index of their values.
 */
class LongSeriesOnBothDatabasesTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final int DAYS = 40;
    private static final int INTERVAL = 1200;
    private static final Instant END = T0.plus(Duration.ofDays(DAYS)).minusSeconds(INTERVAL);

    @TempDir
    Path dir;

    /** The task's delay, the INCR_TRANSFER step's delay and the INCR_SYNC component's tps at poll i: changing at every poll. */
    static long taskDelay(int i) {
        return (i * 7L) % 50;
    }

    static long stepDelay(int i) {
        return (i * 11L) % 37 + 3;
    }

    static double tps(int i) {
        return (i * 13) % 101 + 0.5;
    }

    @Test
    void hourlyPointsAreTheAveragesOfTheirPollsAndBothDatabasesAgree() throws Exception {
        try (HikariDataSource h2 = HistoryDatabase.open("jdbc:h2:file:" + dir.resolve("long").toAbsolutePath(), null, null);
             PostgresSchema schema = PostgresSchema.create("long")) {
            HikariDataSource pg = schema.db();
            write(h2);
            write(pg);
            TrendQueries onH2 = new TrendQueries(h2);
            TrendQueries onPg = new TrendQueries(pg);

            for (TrendQueries q : List.of(onH2, onPg)) {
                hourlyPointsAreAverages(q);
            }

            List<Instant[]> ranges = List.of(new Instant[]{null, null}, new Instant[]{END.minus(Duration.ofDays(1)), null},
                    new Instant[]{END.minus(Duration.ofDays(7)), null},
                    new Instant[]{T0.plus(Duration.ofDays(2)).plusSeconds(1234), T0.plus(Duration.ofDays(27)).plusSeconds(99)});
            for (Metric m : Metric.values()) {
                for (Instant[] r : ranges) {
                    Map<String, List<Series.Point>> a = lines(onH2.series("s", "t1", m, null, r[0], r[1]));
                    assertFalse(a.isEmpty(), m + " " + java.util.Arrays.toString(r));
                    assertEquals(a, lines(onPg.series("s", "t1", m, null, r[0], r[1])), m + " " + java.util.Arrays.toString(r));
                }
            }

            readsTheHourlyRowsFromTheIndexAlone(pg);
            findsTheRowInForceOnce(pg);
            readsTheHourlyRowsFromTheIndexOnH2(h2);
            readsTheTaskRowsFromTheirRangeOnH2(h2);
            looksUpEachStepsRowNowByItsKeyOnH2(h2);
            maintenanceKeepsItsRepeatedStatementsPreparedOnH2(h2);
            maintenanceReadsEachEntitysHourByItsKey(pg);
            readsTheDelayWindowFromTheKeyAlone(pg);
            for (HikariDataSource db : List.of(h2, pg)) {
                aShortRangePastTheSamplesReadsTheFinestRollupKept(db);
            }
        }
    }

    /**
     * A day whose samples retention has pruned (all but the row in force) is read from the 5-minute rollups, and once
     * those are past their own window too, from the hourly ones (V20's marks say which are kept): not drawn flat from the
     * one row left. Polls are 20 minutes apart, so a 5-minute point is its poll's value and an hourly one the average of
     * three; a range across the samples' mark gets every poll once, from the rollups before it and the samples after.
     */
    private static void aShortRangePastTheSamplesReadsTheFinestRollupKept(HikariDataSource db) throws Exception {
        TrendQueries q = new TrendQueries(db);
        Instant samplesPruned = mark(db, "samples");
        Instant day3 = T0.plus(Duration.ofDays(3));
        assertTrue(samplesPruned.isAfter(day3.plus(Duration.ofDays(1))), "the samples of day 3 are gone: " + samplesPruned);
        // (the ends between two polls: the samples' part of a range takes a poll at its end, the rollups' parts do not)
        everyPollOnce(q, day3, day3.plus(Duration.ofDays(1)).minusSeconds(1), db + ", day 3 from the 5-minute rollups");
        Instant across = samplesPruned.minus(Duration.ofHours(12));
        everyPollOnce(q, across, across.plus(Duration.ofDays(1)).minusSeconds(1), db + ", across the samples' mark");

        // the 5-minute rollups kept five days: day 3 is read from the hourly rows, and four days across their mark from the
        // hourly rows up to it and the 5-minute ones after it
        MovableClock clock = new MovableClock(T0.plus(Duration.ofDays(DAYS)).plus(Duration.ofHours(3)));
        new HistoryMaintenance(db, new Retention(Duration.ofDays(30), Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(730),
                Duration.ofDays(35), Duration.ofDays(365)), clock, Duration.ofHours(1)).run();
        Instant fivePruned = mark(db, "rollups_5m");
        assertEquals(clock.instant().minus(Duration.ofDays(35)), fivePruned);
        hourlyThenEveryPoll(q, day3, day3.plus(Duration.ofDays(1)).minusSeconds(1), fivePruned, db + ", day 3 from the hourly rollups");
        hourlyThenEveryPoll(q, fivePruned.minus(Duration.ofDays(2)), fivePruned.plus(Duration.ofDays(2)).minusSeconds(1), fivePruned,
                db + ", across the 5-minute rollups' mark");
    }

    /**
     * The delay lines of [from, to) (from on the hour) have a point for every hour before "mark", the average of its three
     * polls, then a point for every poll, with its own value, and no other point with a poll.
     */
    private static void hourlyThenEveryPoll(TrendQueries q, Instant from, Instant to, Instant mark, String what) {
        Map<String, List<Series.Point>> lines = lines(q.series("s", "t1", Metric.DELAY, null, from, to));
        assertEquals(List.of("INCR_TRANSFER", "task"), List.copyOf(new java.util.TreeSet<>(lines.keySet())), what);
        lines.forEach((line, points) -> {
            boolean task = line.equals("task");
            Map<Instant, List<Double>> polled = new TreeMap<>();
            points.stream().filter(p -> p.n() > 0 && p.t().isBefore(to)).forEach(p -> assertEquals(null, polled.put(p.t(),
                    List.of(rounded(p.v()), (double) p.n())), what + " " + line + ": twice at " + p.t()));
            Map<Instant, List<Double>> expected = new TreeMap<>();
            for (Instant h = from; h.isBefore(mark) && h.isBefore(to); h = h.plus(Duration.ofHours(1))) {
                int first = (int) (Duration.between(T0, h).toSeconds() / INTERVAL);
                double sum = 0;
                for (int i = first; i < first + 3; i++) {
                    sum += task ? taskDelay(i) : stepDelay(i);
                }
                expected.put(h, List.of(rounded(sum / 3), 3.0));
            }
            Instant polls = mark.isAfter(from) ? mark : from;
            for (long i = (Duration.between(T0, polls).toSeconds() + INTERVAL - 1) / INTERVAL; T0.plusSeconds(i * INTERVAL).isBefore(to); i++) {
                expected.put(T0.plusSeconds(i * INTERVAL), List.of((double) (task ? taskDelay((int) i) : stepDelay((int) i)), 1.0));
            }
            assertEquals(expected, polled, what + " " + line);
        });
    }

    /** The delay lines of [from, to) have a point for every poll in it, with the poll's own value, and no other point with a poll. */
    private static void everyPollOnce(TrendQueries q, Instant from, Instant to, String what) {
        Map<String, List<Series.Point>> lines = lines(q.series("s", "t1", Metric.DELAY, null, from, to));
        assertEquals(List.of("INCR_TRANSFER", "task"), List.copyOf(new java.util.TreeSet<>(lines.keySet())), what);
        lines.forEach((line, points) -> {
            Map<Instant, Double> polled = new TreeMap<>();
            // (and the value carried to the range's end, a point at "to")
            points.stream().filter(p -> p.n() > 0 && p.t().isBefore(to)).forEach(p -> assertEquals(null, polled.put(p.t(), p.v()), what + " " + line + ": twice at " + p.t()));
            Map<Instant, Double> expected = new TreeMap<>();
            long firstPoll = (Duration.between(T0, from).toSeconds() + INTERVAL - 1) / INTERVAL;
            for (long i = firstPoll; T0.plusSeconds(i * INTERVAL).isBefore(to); i++) {
                expected.put(T0.plusSeconds(i * INTERVAL), (double) (line.equals("task") ? taskDelay((int) i) : stepDelay((int) i)));
            }
            assertEquals(expected, polled, what + " " + line);
        });
    }

    private static double rounded(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    private static Instant mark(DataSource db, String part) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT pruned_before FROM retention_mark WHERE part = ?")) {
            ps.setString(1, part);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), part);
                return rs.getTimestamp(1).toLocalDateTime().toInstant(java.time.ZoneOffset.UTC);
            }
        }
    }

    /**
     * V13: on PostgreSQL the task list's delay window (its rows, newest values and "above since") can be read from
     * task_state's primary key (V14: all but the integrals of its first and newest rows), which carries delay_seconds, once VACUUM has marked the pages all-visible (the plans
     * with sequential and bitmap scans off, custom and generic: which index and how), and the planner takes it by itself
     * (its own choices); and autovacuum is set to do that after 2,000 inserted rows, not after a fifth of the table.
     */
    private static void readsTheDelayWindowFromTheKeyAlone(DataSource pg) throws Exception {
        exec(pg, "VACUUM (ANALYZE) task_state");
        List<Object[]> sent = new ArrayList<>();
        new TrendQueries(capturing(pg, sent)).delayWindows(
                List.of(new TrendQueries.TaskRead("s", "t1", END.minus(Duration.ofMinutes(30)), null)), 60);
        List<Object[]> windows = sent.stream().filter(s -> ((String) s[0]).contains(" AS low_at")).toList();
        assertEquals(1, windows.size(), "one statement aggregates the task's window: " + sent.stream().map(s -> s[0]).toList());
        for (int i = 0; i < 3; i++) {
            String plan = i < 2 ? explain(pg, windows.get(0), i == 1) : explain(pg, windows.get(0), false, false);
            assertTrue(plan.contains("Index Only Scan using task_state_pkey on task_state s"), "the window's rows from the key: " + plan);
            // V14: the table is read for the window's first and newest rows only (their delay integrals, ks and ls)
            assertFalse(plan.matches("(?s).*Index Scan (Backward )?using \\w+ on task_state (?!ks |ls ).*"),
                    "no other task_state row from the table: " + plan);
            for (String end : List.of("ks", "ls")) {
                // each by its whole key: not the task's every row, nor the whole table hashed (what the planner chose for a join)
                assertTrue(plan.matches("(?s).*Index Scan using task_state_pkey on task_state " + end
                        + " [^\\n]*\\n[^\\n]*Index Cond: \\(\\(task_ref = [^\\n]*\\) AND \\(polled_at = .*"), end + " by its key: " + plan);
            }
            assertFalse(plan.contains("Seq Scan on task_state"), plan);
            assertFalse(plan.matches("(?s).*Heap Fetches: [1-9].*"), "nothing read from the table: " + plan);
        }
        // the end rows stay lookups by key when the planner would rather join: on a table this small it picks lookups for a
        // plain join too, while on 1,000 tasks after 30 days it hashed the whole table for one
        String joinsPreferred = explain(pg, windows.get(0), false, false, "SET enable_nestloop = off");
        for (String end : List.of("ks", "ls")) {
            assertTrue(joinsPreferred.matches("(?s).*Index Scan using task_state_pkey on task_state " + end
                    + " [^\\n]*\\n[^\\n]*Index Cond: \\(\\(task_ref = [^\\n]*\\) AND \\(polled_at = .*"), end + " by its key: " + joinsPreferred);
        }
        try (Connection c = pg.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'task_state'::regclass")) {
            rs.next();
            assertEquals("autovacuum_vacuum_insert_threshold=2000,autovacuum_vacuum_insert_scale_factor=0", rs.getString(1));
        }
    }

    private static void hourlyPointsAreAverages(TrendQueries q) {
        // the hours are computed up to the last full hour before the maintenance's last run (at the end of the 40th day);
        // the range after that is read from the 5-minute rollups
        Instant markHour = T0.plus(Duration.ofDays(DAYS)).minus(Duration.ofHours(1));
        Map<String, List<Series.Point>> lines = lines(q.series("s", "t1", Metric.DELAY, null, null, null));
        assertEquals(List.of("INCR_TRANSFER", "task"), List.copyOf(new java.util.TreeSet<>(lines.keySet())));
        for (Map.Entry<String, List<Series.Point>> line : lines.entrySet()) {
            boolean task = line.getKey().equals("task");
            int hours = 0;
            for (Series.Point p : line.getValue()) {
                if (p.n() == 0 || !p.t().isBefore(markHour)) {
                    continue; // carried points (none here: the values change at every poll), and what follows the hourly part
                }
                int first = (int) (Duration.between(T0, p.t()).toSeconds() / INTERVAL);
                double sum = 0;
                for (int i = first; i < first + 3; i++) {
                    sum += task ? taskDelay(i) : stepDelay(i);
                }
                assertEquals(0, Duration.between(T0, p.t()).toSeconds() % 3600, line.getKey() + ": an hour's bucket, " + p.t());
                assertEquals(3, p.n(), line.getKey() + " at " + p.t() + ": three polls an hour");
                assertEquals(sum / 3, p.v(), 1e-9, line.getKey() + " at " + p.t());
                hours++;
            }
            assertEquals(DAYS * 24 - 1, hours, line.getKey() + ": a point for every hour before the hourly mark");
        }
    }

    /**
     * EXPLAIN of the statements series() sends for a range of a year's kind (here 40 days), with their parameters, custom and
     * generic: the hourly rows come from V10's index alone. On a table this small PostgreSQL would rather read all of it, so
     * sequential and bitmap scans are off for the EXPLAIN: what is checked is which index and how.
     */
    private static void readsTheHourlyRowsFromTheIndexAlone(DataSource pg) throws Exception {
        exec(pg, "VACUUM ANALYZE metric_rollup");
        Object[] statement = hourlyStatement(pg);
        String sql = (String) statement[0];
        int hourlyParts = sql.split("r\\.period_s = 3600", -1).length - 1;
        assertEquals(2, hourlyParts, "the task's and INCR_TRANSFER's delay (FULL_TRANSFER has none): " + sql);
        for (boolean generic : List.of(false, true)) {
            String[] plan = explain(pg, statement, generic).split("\n");
            int fromIndex = 0;
            for (int i = 0; i < plan.length; i++) {
                if (plan[i].contains("Index Only Scan using " + V10__RollupReadIndex.INDEX + " on metric_rollup r")) {
                    fromIndex++;
                    int j = i + 1;
                    while (!plan[j].contains("Heap Fetches")) {
                        j++;
                    }
                    assertTrue(plan[j].contains("Heap Fetches: 0"), "no table page read after VACUUM: " + String.join("\n", plan));
                }
            }
            assertEquals(hourlyParts, fromIndex, (generic ? "generic plan: " : "") + String.join("\n", plan));
        }
    }

    /**
     * The last day on PostgreSQL, its statistics as young as a new database's: the task's row in force at the start of
     * the day is searched once, in a statement of its own, and the task's rows are an index range from it (not a filter
     * checked on every state row).
     */
    private static void findsTheRowInForceOnce(DataSource pg) throws Exception {
        List<Object[]> sent = new ArrayList<>();
        new TrendQueries(capturing(pg, sent)).series("s", "t1", Metric.DELAY, null, END.minus(Duration.ofDays(1)), null);
        assertTrue(sent.stream().anyMatch(s -> ((String) s[0]).startsWith("SELECT COALESCE((SELECT MAX(b.polled_at) FROM task_state b")),
                "the task's row in force, searched before: " + sent.stream().map(s -> s[0]).toList());
        Object[] statement = sent.stream().filter(s -> ((String) s[0]).startsWith("SELECT * FROM")).findFirst().orElseThrow();
        for (boolean generic : List.of(false, true)) {
            String plan = explain(pg, statement, generic);
            assertTrue(java.util.regex.Pattern.compile("on task_state s\\w* .*\\n\\s+Index Cond: \\(\\(task_ref = [^)]+\\) AND "
                    + "\\(polled_at >= [^)]+\\) AND \\(polled_at <= ").matcher(plan).find(), "the task's rows, a range of its key: " + plan);
        }
    }

    /**
     * On H2, the task's rows of the last day are a range of its key from the row in force, both bounds constants. With the
     * bound in a derived table joined to them, H2 read all the task's state rows and searched the row in force again for
     * each of them (700 ms for a task with 13,825 state rows).
     */
    private static void readsTheTaskRowsFromTheirRangeOnH2(DataSource h2) throws Exception {
        List<Object[]> sent = new ArrayList<>();
        new TrendQueries(capturing(h2, sent)).series("s", "t1", Metric.DELAY, null, END.minus(Duration.ofDays(1)), null);
        Object[] statement = sent.stream().filter(s -> ((String) s[0]).startsWith("SELECT * FROM")).findFirst().orElseThrow();
        String plan = explainOnH2(h2, statement);
        assertTrue(java.util.regex.Pattern.compile("FROM PUBLIC\\.TASK_STATE S\\s+/\\* PUBLIC\\.\\w+: TASK_REF = \\?\\d+\\s+AND POLLED_AT >= \\?\\d+")
                .matcher(plan).find(), "the task's rows from the row in force on, along the key: " + plan);
    }

    /**
     * On H2, the list's steps now (as v_step_latest, TrendQueries.STEPS_BY_JOIN) are two lookups of the primary key per step: its row at the task's last
     * poll, else its newest. While the state tables had H2's index of their foreign key (step_ref alone), H2 took that one
     * and read every row of every step (206,524 rows for 1,000 tasks after 30 days, where 8,000 were needed); V11 dropped it.
     * On this small history H2 chose the key even with that index there; PerPollIndexesTest checks that it is gone.
     */
    private static void looksUpEachStepsRowNowByItsKeyOnH2(DataSource h2) throws Exception {
        List<Object[]> sent = new ArrayList<>();
        new TrendQueries(capturing(h2, sent)).listedStepsOfAllTasks();
        String plan = explainOnH2(h2, sent.get(0));
        String[] reads = plan.split("JOIN \"?PUBLIC\"?\\.\"?STEP_STATE\"? \"?[NS]\"?\\s+");
        assertEquals(3, reads.length, "two reads of step_state: " + plan);
        for (int i = 1; i < reads.length; i++) {
            assertTrue(java.util.regex.Pattern.compile("^/\\* PUBLIC\\.\\w+: STEP_REF = ST\\.ID\\s+AND POLLED_AT = ").matcher(reads[i]).find(),
                    "each step's row looked up by step and time: " + plan);
        }
    }

    /**
     * The maintenance's rollup of one more hour on PostgreSQL reads the state rows of each step and component from its row
     * in force at the hour's start on, along its key: no state table read whole, no row read and thrown away. (As one join
     * whose bound was a condition on every row, PostgreSQL read the whole state table and searched the row in force again
     * for each row: 4 s an hour for one task after 23 days of 30-second polls.) Plans with the planner's own choices; the
     * search for the row in force runs before, in a statement of its own.
     */
    /** Writes one more hour of polls after the history, and returns a clock two hours after the history's end. */
    private static MovableClock anotherHour(DataSource db) throws java.sql.SQLException {
        MovableClock clock = new MovableClock(END);
        HistoryStore store = new HistoryStore(db, clock);
        int first = DAYS * 86_400 / INTERVAL;
        for (int i = first; i < first + 3600 / INTERVAL; i++) {
            Instant at = T0.plusSeconds((long) INTERVAL * i);
            clock.set(at);
            store.write(snapshot(i, at));
        }
        clock.set(T0.plus(Duration.ofDays(DAYS)).plus(Duration.ofHours(2)));
        return clock;
    }

    /**
     * The maintenance prepares its rollup statements once per task and bucket. H2 keeps a prepared statement for the next
     * run of the same text only where it can (a SELECT, not a bare UNION, which it parses and plans again at every run:
     * 3.2 s of the 7 s the rollups of 1,000 tasks took, docs/measurements.md). H2 itself is asked about each statement
     * the maintenance prepared more than once.
     */
    private static void maintenanceKeepsItsRepeatedStatementsPreparedOnH2(DataSource h2) throws Exception {
        MovableClock clock = anotherHour(h2);
        List<Object[]> sent = new ArrayList<>();
        new HistoryMaintenance(capturing(h2, sent), Retention.defaults(), clock, Duration.ofHours(1)).run();
        Map<String, Long> prepared = sent.stream().collect(java.util.stream.Collectors.groupingBy(x -> (String) x[0],
                java.util.stream.Collectors.counting()));
        List<String> repeated = prepared.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        assertTrue(repeated.stream().filter(sql -> sql.contains(" UNION ALL ")).count() >= 2,
                "the rollups' unions are among the repeated statements: " + repeated);
        try (Connection c = h2.getConnection()) {
            org.h2.engine.SessionLocal session = (org.h2.engine.SessionLocal) c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
            for (String sql : repeated) {
                assertTrue(session.prepareLocal(sql).isCacheable(), "H2 keeps it prepared for the next run: " + sql);
            }
        }
    }

    private static void maintenanceReadsEachEntitysHourByItsKey(HikariDataSource pg) throws Exception {
        exec(pg, "ANALYZE");
        MovableClock clock = anotherHour(pg);
        List<Object[]> sent = new ArrayList<>();
        new HistoryMaintenance(capturing(pg, sent), Retention.defaults(), clock, Duration.ofHours(1)).run();
        List<Object[]> reads = sent.stream().filter(s -> ((String) s[0]).matches("(?s).*SELECT s\\.(step|component)_ref, s\\.polled_at, s\\.present, .*"))
                .toList();
        assertFalse(reads.isEmpty(), "the rollups read step and component rows: " + sent.stream().map(s -> s[0]).toList());
        for (Object[] statement : reads) {
            // on a table this small PostgreSQL plans even the old join well; what made it read every row, a search in the
            // statement that it could run per row, must not be there
            assertFalse(((String) statement[0]).contains("MAX("), "each entity's rows read between constant bounds: " + statement[0]);
            for (boolean generic : List.of(false, true)) {
                String plan = explain(pg, statement, generic, false);
                assertFalse(plan.matches("(?s).*Seq Scan on (step|component)_state.*"), "no state table read whole: " + plan);
                assertFalse(plan.contains("Rows Removed by"), "no row read and thrown away: " + statement[0] + "\n" + plan);
            }
        }
    }

    /**
     * On H2, V10's index of the rollups with their values (H2 takes the values from it without looking the rows up), with
     * the range of each series from the row in force at its start (found before, so both bounds are constants: with the
     * bound in a derived table joined to the rows, H2 read the series' rows first and searched it again for each).
     */
    private static void readsTheHourlyRowsFromTheIndexOnH2(DataSource h2) throws Exception {
        Object[] statement = hourlyStatement(h2);
        String plan = explainOnH2(h2, statement);
        String[] joins = plan.split("FROM PUBLIC\\.METRIC_ROLLUP R\\s+");
        assertEquals(4, joins.length - 1, "two series, each from the hourly and the 5-minute rollups: " + plan);
        for (int i = 1; i < joins.length; i++) {
            // H2 lists the index's conditions with the entity's (a CAST to its CHAR(1)) last
            String conditions = joins[i].substring(0, joins[i].indexOf("*/"));
            assertTrue(joins[i].startsWith("/* PUBLIC." + V10__RollupReadIndex.H2_INDEX.toUpperCase(java.util.Locale.ROOT) + ": ")
                    && conditions.contains("ENTITY = "), "the rollup rows through V10's index of their values: " + plan);
            assertTrue(conditions.contains("BUCKET_START >= ?"), "the series' range from its row in force, a bound of the index: " + plan);
        }
    }

    /** H2's EXPLAIN of a captured statement, with its parameters' values. */
    private static String explainOnH2(DataSource h2, Object[] statement) throws SQLException {
        try (Connection c = h2.getConnection(); PreparedStatement ps = c.prepareStatement("EXPLAIN " + statement[0])) {
            @SuppressWarnings("unchecked")
            Map<Integer, Object> params = (Map<Integer, Object>) statement[1];
            for (Map.Entry<Integer, Object> p : params.entrySet()) {
                ps.setObject(p.getKey(), p.getValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static Object[] hourlyStatement(DataSource db) {
        List<Object[]> sent = new ArrayList<>();
        new TrendQueries(capturing(db, sent)).series("s", "t1", Metric.DELAY, null, null, null);
        return sent.stream().filter(s -> ((String) s[0]).startsWith("SELECT * FROM") && ((String) s[0]).contains("period_s = 3600"))
                .findFirst().orElseThrow(
                () -> new AssertionError("no statement reads the hourly rollups: " + sent.stream().map(s -> s[0]).toList()));
    }

    private static String explain(DataSource pg, Object[] statement, boolean generic) throws SQLException {
        return explain(pg, statement, generic, true);
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of a captured statement; indexOnly: sequential and bitmap scans off; settings run first. */
    private static String explain(DataSource pg, Object[] statement, boolean generic, boolean indexOnly, String... settings)
            throws SQLException {
        StringBuilder plan = new StringBuilder();
        try (Connection c = pg.getConnection()) {
            try (Statement st = c.createStatement()) {
                for (String setting : settings) {
                    st.execute(setting);
                }
                if (indexOnly) {
                    st.execute("SET enable_seqscan = off");
                    st.execute("SET enable_bitmapscan = off");
                }
                st.execute("SET plan_cache_mode = " + (generic ? "force_generic_plan" : "force_custom_plan"));
            }
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + statement[0])) {
                // a statement prepared on the server from its first run, so that plan_cache_mode applies to it
                ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1);
                @SuppressWarnings("unchecked")
                Map<Integer, Object> params = (Map<Integer, Object>) statement[1];
                for (Map.Entry<Integer, Object> p : params.entrySet()) {
                    ps.setObject(p.getKey(), p.getValue());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.append(rs.getString(1)).append('\n');
                    }
                }
            } finally {
                try (Statement st = c.createStatement()) {
                    st.execute("RESET ALL");
                    st.execute("SET jit = off");
                }
            }
        }
        return plan.toString();
    }

    /** A DataSource that records each statement prepared through it with the parameters it was run with. */
    static DataSource capturing(DataSource db, List<Object[]> sent) {
        return proxy(DataSource.class, db, (method, args, result) -> method.getName().equals("getConnection")
                ? proxy(Connection.class, (Connection) result, (m, a, r) -> {
                    if (m.getName().equals("prepareStatement")) {
                        Map<Integer, Object> params = new TreeMap<>();
                        sent.add(new Object[]{a[0], params});
                        return proxy(PreparedStatement.class, (PreparedStatement) r, (pm, pa, pr) -> {
                            if (pm.getName().startsWith("set") && pa != null && pa.length == 2 && pa[0] instanceof Integer i) {
                                params.put(i, pa[1]);
                            }
                            return pr;
                        });
                    }
                    return r;
                })
                : result);
    }

    interface After {
        Object apply(java.lang.reflect.Method method, Object[] args, Object result);
    }

    @SuppressWarnings("unchecked")
    static <T> T proxy(Class<T> type, T target, After after) {
        return (T) Proxy.newProxyInstance(LongSeriesOnBothDatabasesTest.class.getClassLoader(), new Class<?>[]{type}, (p, m, a) -> {
            try {
                return after.apply(m, a, m.invoke(target, a));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static Map<String, List<Series.Point>> lines(List<Series> series) {
        Map<String, List<Series.Point>> out = new LinkedHashMap<>();
        series.forEach(s -> out.put(s.name(), s.points()));
        return out;
    }

    /** The 40 days through the real writer, with the maintenance (rollups and retention) at the end of every day. */
    private static void write(HikariDataSource db) throws SQLException {
        HistoryDatabase.migrate(db);
        MovableClock clock = new MovableClock(T0);
        HistoryStore store = new HistoryStore(db, clock);
        HistoryMaintenance maintenance = new HistoryMaintenance(db, Retention.defaults(), clock, Duration.ofHours(1));
        int polls = DAYS * 86_400 / INTERVAL;
        for (int i = 0; i < polls; i++) {
            Instant at = T0.plusSeconds((long) INTERVAL * i);
            clock.set(at);
            store.write(snapshot(i, at));
            if ((i + 1) % (86_400 / INTERVAL) == 0) {
                clock.set(at.plusSeconds(INTERVAL));
                maintenance.run();
            }
        }
    }

    private static TaskSnapshot snapshot(int i, Instant at) {
        TaskState task = new TaskState("t1 name", "MIGRATION", "RUNNING", NormalizedStatus.RUNNING, "INCR_TRANSFER", 100.0, taskDelay(i), at,
                null, null, null, null, null, null, null, null, T0, T0, null, null);
        List<StepSample> steps = List.of(
                new StepSample("FULL_TRANSFER", null, 1, "FULL_TRANSFER", null, "FINISHED", NormalizedStatus.FINISHED, 100.0, T0,
                        T0.plusSeconds(3600), new StepSample.Throughput(1000L, 1000L, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 10.0, 1.0), null,
                        null, null, null),
                new StepSample("INCR_TRANSFER", null, 2, "INCR_TRANSFER", null, "MONITORING", NormalizedStatus.RUNNING, 100.0, T0, null,
                        null, new StepSample.Incremental(at.minusSeconds(stepDelay(i)), at, stepDelay(i), null, true), null, null, null));
        List<ComponentSample> components = List.of(new ComponentSample("INCR_SYNC", "incr-t1", "RUNNING", NormalizedStatus.RUNNING,
                "10.0.0.1", "cn-hangzhou", null, null, null, stepDelay(i), tps(i), 100.0, 100.0, null, null, at, at, at, null, null));
        return new TaskSnapshot(UUID.randomUUID().toString(), "s", "oms", "t1", at, task, steps, components, List.of(),
                List.of(new ApiCall("DescribeProject", 1, at, 40, 200, null, "OK", null, null)), List.of());
    }

    private static void exec(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
