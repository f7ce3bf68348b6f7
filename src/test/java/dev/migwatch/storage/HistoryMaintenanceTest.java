package dev.migwatch.storage;

import dev.migwatch.PostgresSchema;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryMaintenanceTest {
    private static final Instant T0 = Instant.parse("2026-05-01T00:00:00Z");
    private HikariDataSource ds;

    @BeforeEach
    void open() {
        ds = HistoryDatabase.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", null);
        HistoryDatabase.migrate(ds);
    }

    @AfterEach
    void close() {
        ds.close();
    }

    /** Polls every 20 s for two hours: values that move, stand still, go missing; some polls fail. */
    private Map<Instant, Double> writeHistory(HistoryStore store, Random r, int polls, Instant start) throws SQLException {
        Map<Instant, Double> okPolls = new TreeMap<>();
        double progress = 0;
        for (int i = 0; i < polls; i++) {
            Instant at = start.plusSeconds(20L * i).plusMillis(r.nextInt(900));
            if (r.nextInt(8) == 0) {
                store.write(TaskSnapshot.failed(UUID.randomUUID().toString(), "src", "oms", "t", at,
                        List.of(new ApiCall("DescribeProject", 1, at, 50, 503, null, "ERROR", "ServiceUnavailable", "busy")), List.of()));
                continue;
            }
            if (r.nextInt(3) == 0) {
                progress = Math.min(100, progress + r.nextInt(5)); // otherwise it stands still for a while
            }
            store.write(snapshot(at, progress, r.nextInt(4) == 0 ? null : (double) r.nextInt(100)));
            okPolls.put(at, progress);
        }
        return okPolls;
    }

    private static TaskSnapshot snapshot(Instant at, double progress, Double rps) {
        TaskState task = new TaskState("t", "MIGRATION", "RUNNING", NormalizedStatus.RUNNING, "FULL_TRANSFER", progress, null, null,
                null, null, null, null, null, null, null, null, null, T0, null, null);
        StepSample step = new StepSample("FULL_TRANSFER", null, 1, "FULL_TRANSFER", null, "RUNNING", NormalizedStatus.RUNNING, progress,
                T0, null, new StepSample.Throughput(null, null, rps, null, null, null, null, null, null, null, null), null, null, null, null);
        return new TaskSnapshot(UUID.randomUUID().toString(), "src", "oms", "t", at, task, List.of(step), List.of(), List.of(),
                List.of(new ApiCall("DescribeProject", 1, at, 20, 200, "q", "OK", null, null)),
                List.of(new RawBody("DescribeProject", "h-" + progress + "-" + rps, "application/json",
                        "{\"Data\":{\"Progress\":" + progress + ",\"Rps\":" + rps + ",\"Tables\":\"" + "t,".repeat(200) + "\"}}")));
    }

    /**
     * Change-only rollups lose nothing: random histories (values that move, stand still for long stretches, go missing,
     * a step that leaves the answer and comes back, failed polls), and for every 5-minute bucket and hour with a
     * successful poll, the rollup read back with carry-forward (the bucket's own row, else the newest row before it)
     * equals the aggregate of the values as of those polls; a series without a value there reads back as none.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void rollupsReadBackWithCarryForwardEqualTheAggregatesOfTheSamplesAtEveryPoll(long seed) throws SQLException {
        Random r = new Random(seed);
        HistoryStore store = new HistoryStore(ds, fixed(T0));
        Map<String, TreeMap<Instant, Double>> expected = new TreeMap<>();
        double progress = 0;
        Double rps = 10.0;
        boolean stepThere = true;
        Instant at = T0;
        for (int i = 0; i < 700; i++) {
            // mostly 20 s apart, sometimes a gap of several buckets with no poll at all
            at = at.plusSeconds(r.nextInt(40) == 0 ? 300L * (1 + r.nextInt(8)) : 20).plusMillis(r.nextInt(900));
            if (r.nextInt(8) == 0) {
                store.write(TaskSnapshot.failed(UUID.randomUUID().toString(), "src", "oms", "t", at,
                        List.of(new ApiCall("DescribeProject", 1, at, 50, 503, null, "ERROR", "ServiceUnavailable", "busy")), List.of()));
                continue;
            }
            if (r.nextInt(6) == 0) {
                progress = Math.min(100, progress + r.nextInt(3)); // otherwise it stands still
            }
            if (r.nextInt(10) == 0) {
                rps = r.nextInt(3) == 0 ? null : (double) r.nextInt(4); // a few values, long runs of each, sometimes none
            }
            if (r.nextInt(60) == 0) {
                stepThere = !stepThere;
            }
            TaskSnapshot s = snapshot(at, progress, rps);
            store.write(stepThere ? s : new TaskSnapshot(s.cycleId(), s.source(), s.provider(), s.taskId(), at, s.task(), List.of(),
                    List.of(), List.of(), s.calls(), s.rawBodies()));
            expected.computeIfAbsent("T/progress_pct", k -> new TreeMap<>()).put(at, progress);
            expected.computeIfAbsent("S/progress_pct", k -> new TreeMap<>()).put(at, stepThere ? progress : null);
            expected.computeIfAbsent("S/src_rps", k -> new TreeMap<>()).put(at, stepThere ? rps : null);
        }
        HistoryMaintenance.Report report = maintenance(at.plus(Duration.ofHours(2)), Retention.defaults()).run();
        assertTrue(report.caughtUp());
        int carried = 0;
        for (int period : List.of(300, 3600)) {
            for (var e : expected.entrySet()) {
                String[] key = e.getKey().split("/");
                TreeMap<Instant, double[]> stored = rollupRows(key[1], key[0], period);
                Map<Instant, DoubleSummaryStatistics> buckets = new TreeMap<>();
                Map<Instant, Double> last = new TreeMap<>();
                Map<Instant, Boolean> polled = new TreeMap<>();
                e.getValue().forEach((t, v) -> {
                    Instant bucket = Rollups.floor(t, period);
                    polled.put(bucket, true);
                    if (v != null) {
                        buckets.computeIfAbsent(bucket, b -> new DoubleSummaryStatistics()).accept(v);
                        last.put(bucket, v);
                    }
                });
                for (Instant bucket : polled.keySet()) {
                    String where = e.getKey() + " period " + period + " bucket " + bucket + " (seed " + seed + ")";
                    var row = stored.floorEntry(bucket);
                    DoubleSummaryStatistics x = buckets.get(bucket);
                    if (x == null) {
                        assertTrue(row == null || row.getValue()[4] == 0, "no value, and none carried: " + where);
                        continue;
                    }
                    assertTrue(row != null && row.getValue()[4] > 0, "a value, stored or carried: " + where);
                    double[] a = row.getValue();
                    if (row.getKey().equals(bucket)) {
                        assertEquals(x.getMin(), a[0], 1e-9, "min " + where);
                        assertEquals(x.getMax(), a[1], 1e-9, "max " + where);
                        assertEquals(x.getAverage(), a[2], 1e-9, "avg " + where);
                        assertEquals(last.get(bucket), a[3], 1e-9, "last " + where);
                        assertEquals(x.getCount(), (long) a[4], "count " + where);
                    } else {
                        carried++;
                        assertEquals(x.getMin(), a[3], 1e-9, "carried min " + where);
                        assertEquals(x.getMax(), a[3], 1e-9, "carried max " + where);
                        assertEquals(last.get(bucket), a[3], 1e-9, "carried last " + where);
                    }
                }
            }
        }
        assertTrue(carried > 20, "the histories stand still often enough to leave buckets out: " + carried);
    }

    /** The same on PostgreSQL, which finds the rows in force without AsOf's steps (in CI a missing database fails). */
    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void rollupsReadBackWithCarryForwardOnPostgresql(long seed) throws Exception {
        HikariDataSource h2 = ds;
        try (PostgresSchema schema = PostgresSchema.create("t")) {
            HistoryDatabase.migrate(schema.db());
            ds = schema.db();
            rollupsReadBackWithCarryForwardEqualTheAggregatesOfTheSamplesAtEveryPoll(seed);
        } finally {
            ds = h2;
        }
    }

    /** The size behind migwatch_history_database_bytes: none in memory, the file's on H2, pg_database_size on PostgreSQL. */
    @Test
    void eachRunMeasuresTheDatabaseOnDisk(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        HistoryMaintenance inMemory = new HistoryMaintenance(ds, Retention.defaults(), Clock.fixed(T0, ZoneOffset.UTC), Duration.ofMinutes(1));
        inMemory.run();
        assertTrue(inMemory.databaseBytes().isEmpty(), "an in-memory H2 has no size on disk");

        java.nio.file.Path file = dir.resolve("h.mv.db");
        try (HikariDataSource h2 = HistoryDatabase.open("jdbc:h2:file:" + dir.resolve("h"), "sa", null)) {
            HistoryDatabase.migrate(h2);
            HistoryMaintenance onFile = new HistoryMaintenance(h2, Retention.defaults(), Clock.fixed(T0, ZoneOffset.UTC), Duration.ofMinutes(1));
            assertTrue(onFile.databaseBytes().isEmpty(), "not measured before the first run");
            long before = java.nio.file.Files.size(file);
            onFile.run();
            long measured = onFile.databaseBytes().orElseThrow();
            // H2's background writer may add a chunk after the run (its ANALYZE): between the file before and after
            assertTrue(measured >= before && measured <= java.nio.file.Files.size(file),
                    before + " <= " + measured + " <= " + java.nio.file.Files.size(file));
        }

        try (PostgresSchema schema = PostgresSchema.create("t")) {
            HistoryDatabase.migrate(schema.db());
            HistoryMaintenance onPostgresql = new HistoryMaintenance(schema.db(), Retention.defaults(), Clock.fixed(T0, ZoneOffset.UTC),
                    Duration.ofMinutes(1));
            onPostgresql.run();
            long database;
            try (Connection c = schema.db().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                rs.next();
                database = rs.getLong(1);
            }
            long measured = onPostgresql.databaseBytes().orElseThrow();
            // the whole database (other schemas of the test server too), which other tests may be writing beside this one
            assertTrue(measured > 1_000_000 && Math.abs(measured - database) < database / 5, measured + " against " + database);
        }
    }

    @Test
    void aSeriesThatNeverChangesIsOneRowPerPeriodNotOnePerBucket() throws SQLException {
        HistoryStore store = new HistoryStore(ds, fixed(T0));
        for (int i = 0; i < 6 * 120; i++) { // six hours at 30 s, a finished step at 100 %
            store.write(snapshot(T0.plusSeconds(30L * i), 100, 5.0));
        }
        maintenance(T0.plus(Duration.ofHours(7)), Retention.defaults()).run();
        for (int period : List.of(300, 3600)) {
            for (String[] series : List.of(new String[]{"T", "progress_pct"}, new String[]{"S", "progress_pct"}, new String[]{"S", "src_rps"})) {
                TreeMap<Instant, double[]> rows = rollupRows(series[1], series[0], period);
                assertEquals(List.of(T0), List.copyOf(rows.keySet()), series[0] + "/" + series[1] + " period " + period);
                assertEquals(period / 30, (int) rows.get(T0)[4], "the first bucket counts its polls");
            }
        }
        // 3 task/step series with a value (progress twice, src_rps) x 2 periods: 6 rows for 720 polls
        assertEquals(6, count("SELECT COUNT(*) FROM metric_rollup"));
    }

    @Test
    void aCycleThatArrivesLateIsCountedInItsBucket() throws SQLException {
        HistoryStore store = new HistoryStore(ds, fixed(T0.plus(Duration.ofHours(1))));
        store.write(snapshot(T0.plusSeconds(10), 10, 1.0));
        store.write(snapshot(T0.plusSeconds(400), 20, 1.0));
        maintenance(T0.plus(Duration.ofHours(1)), Retention.defaults()).run();
        assertEquals(1, count("SELECT sample_count FROM metric_rollup WHERE entity = 'T' AND metric = 'progress_pct' AND period_s = 300 "
                + "AND bucket_start = TIMESTAMP '2026-05-01 00:00:00'"));
        // from the journal, after an outage: older than the mark, written now
        store.write(snapshot(T0.plusSeconds(200), 10, 1.0));
        maintenance(T0.plus(Duration.ofHours(1)), Retention.defaults()).run();
        assertEquals(2, count("SELECT sample_count FROM metric_rollup WHERE entity = 'T' AND metric = 'progress_pct' AND period_s = 300 "
                + "AND bucket_start = TIMESTAMP '2026-05-01 00:00:00'"));
    }

    @Test
    void retentionDeletesOnlyWhatIsPastItsWindowAndKeepsTheRowInForce() throws SQLException {
        Random r = new Random(11);
        HistoryStore store = new HistoryStore(ds, fixed(T0));
        writeHistory(store, r, 540, T0); // three hours
        // a step that finished at the start and never changed again
        // hourly rollups kept two hours, 5-minute ones 90 minutes
        Retention retention = new Retention(Duration.ofHours(1), Duration.ofMinutes(30), Duration.ofMinutes(90), Duration.ofHours(2),
                Duration.ofMinutes(90), Duration.ofDays(365));
        Instant now = T0.plus(Duration.ofHours(3));
        Map<String, Long> before = counts();
        Instant oldestState = time("SELECT MIN(polled_at) FROM task_state");
        maintenance(now, Retention.defaults()).run(); // the rollups, before anything is past its window
        Map<String, TreeMap<Instant, double[]>> rollupsBefore = allRollups();
        HistoryMaintenance.Report report = maintenance(now, retention).run();
        assertTrue(report.deleted() > 0);
        Instant samplesLimit = now.minus(retention.samples());
        // nothing newer than its window was deleted
        assertEquals(before.get("polls after"), count("SELECT COUNT(*) FROM poll WHERE polled_at >= TIMESTAMP '2026-05-01 01:30:00'"));
        assertEquals(0, count("SELECT COUNT(*) FROM poll WHERE polled_at < TIMESTAMP '2026-05-01 01:30:00'"));
        assertEquals(before.get("states after"), count("SELECT COUNT(*) FROM task_state WHERE polled_at >= TIMESTAMP '2026-05-01 02:00:00'"));
        // before the limit, exactly one row stays: the one in force at the limit
        assertEquals(1, count("SELECT COUNT(*) FROM task_state WHERE polled_at < TIMESTAMP '2026-05-01 02:00:00'"));
        assertEquals(1, count("SELECT COUNT(*) FROM step_state WHERE polled_at < TIMESTAMP '2026-05-01 02:00:00'"));
        assertTrue(oldestState.isBefore(samplesLimit));
        // raw answers: none older than 30 minutes but the keyframes, which go with their whole UTC day (not past yet), and
        // every kept one reads back
        assertEquals(0, count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-01 02:30:00' AND encoding <> 'deflate'"));
        assertEquals(before.get("keyframes before the raw limit"),
                count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-01 02:30:00' AND encoding = 'deflate'"));
        try (Connection c = ds.getConnection()) {
            assertEquals(count("SELECT COUNT(*) FROM raw_body"), RawBodies.read(c, "src", "t", null, null, 10_000).size());
        }
        // rollups older than their period's window are gone but the one in force at the limit of each series; the others stay
        Instant rollupLimit = now.minus(retention.rollups());
        Instant fiveMinuteLimit = now.minus(retention.rollups5m());
        Map<String, TreeMap<Instant, double[]>> rollupsAfter = allRollups();
        assertEquals(rollupsBefore.keySet(), rollupsAfter.keySet(), "every series still reads");
        assertTrue(rollupsBefore.keySet().stream().anyMatch(k -> k.endsWith("/300")) && rollupsBefore.keySet().stream().anyMatch(k -> k.endsWith("/3600")));
        rollupsBefore.forEach((series, rows) -> {
            Instant limit = series.endsWith("/300") ? fiveMinuteLimit : rollupLimit;
            TreeMap<Instant, double[]> expected = new TreeMap<>(rows.tailMap(limit, true));
            var inForce = rows.lowerEntry(limit);
            if (inForce != null) {
                expected.put(inForce.getKey(), inForce.getValue());
            }
            assertEquals(expected.keySet(), rollupsAfter.get(series).keySet(), series);
        });
        assertTrue(count("SELECT COUNT(*) FROM metric_rollup WHERE bucket_start < TIMESTAMP '2026-05-01 01:00:00'") > 0);
        assertTrue(count("SELECT COUNT(*) FROM metric_rollup WHERE bucket_start < TIMESTAMP '2026-05-01 01:00:00'")
                < rollupsBefore.values().stream().mapToLong(m -> m.headMap(rollupLimit).size()).sum());
        // what was deleted is marked (V20), each part to its own limit, so that /series reads the coarser rows there
        assertEquals(Map.of("samples", samplesLimit, "rollups_5m", fiveMinuteLimit, "rollups_1h", rollupLimit), retentionMarks());
        // a row in force that a newer row replaces later goes then: an hour on, the limit has passed newer rows
        HistoryMaintenance later = maintenance(now.plus(Duration.ofHours(1)), retention);
        later.run();
        allRollups().forEach((series, rows) -> {
            Instant laterLimit = (series.endsWith("/300") ? fiveMinuteLimit : rollupLimit).plus(Duration.ofHours(1));
            assertTrue(rows.headMap(laterLimit).size() <= 1, series + ": " + rows.headMap(laterLimit).keySet());
        });
        assertEquals(fiveMinuteLimit.plus(Duration.ofHours(1)), retentionMarks().get("rollups_5m"));
        // and the task still reads as it was
        assertEquals(1, count("SELECT COUNT(*) FROM v_task_latest WHERE status = 'RUNNING'"));
    }

    /**
     * A raw keyframe is deleted with its whole UTC day, after that day's deltas (the only ones that can refer to it: the
     * writer starts a keyframe each UTC day), and not before: three hours of polls across midnight, the raw window ending
     * half an hour after it. The day before goes entirely; after midnight only the keyframes stay before the limit, and
     * every answer kept, including the deltas after the limit that refer to a keyframe before it, reads back; the next run
     * goes on from there.
     */
    @Test
    void aRawKeyframeGoesWithItsWholeDayAndNotBefore() throws SQLException {
        Instant start = Instant.parse("2026-05-01T22:00:00Z");
        writeHistory(new HistoryStore(ds, fixed(start)), new Random(5), 540, start); // to 01:00
        Instant midnight = Instant.parse("2026-05-02T00:00:00Z");
        Instant limit = Instant.parse("2026-05-02T00:30:00Z");
        long newer = count("SELECT COUNT(*) FROM raw_body WHERE received_at >= TIMESTAMP '2026-05-02 00:30:00'");
        long keyframesSinceMidnight = count("SELECT COUNT(*) FROM raw_body WHERE received_at >= TIMESTAMP '2026-05-02 00:00:00' "
                + "AND received_at < TIMESTAMP '2026-05-02 00:30:00' AND encoding = 'deflate'");
        assertTrue(keyframesSinceMidnight > 0, "the first poll of the day starts a keyframe");
        assertTrue(count("SELECT COUNT(*) FROM raw_body WHERE received_at >= TIMESTAMP '2026-05-02 00:30:00' AND base_at < TIMESTAMP "
                + "'2026-05-02 00:30:00'") > 0, "deltas after the limit refer to a keyframe before it");
        assertTrue(count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-02 00:00:00' AND encoding = 'deflate'") > 0);

        Retention retention = new Retention(Duration.ofHours(1), Duration.ofMinutes(30), Duration.ofMinutes(90), Duration.ofHours(2),
                Duration.ofHours(2), Duration.ofDays(365));
        dev.migwatch.MovableClock clock = new dev.migwatch.MovableClock(limit.plus(retention.raw()));
        HistoryMaintenance maintenance = new HistoryMaintenance(ds, retention, clock, Duration.ofMinutes(5));
        maintenance.run();

        assertEquals(0, count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-02 00:00:00'"), "the day before is past");
        assertEquals(0, count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-02 00:30:00' AND encoding <> 'deflate'"));
        assertEquals(keyframesSinceMidnight, count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-02 00:30:00'"));
        assertEquals(newer, count("SELECT COUNT(*) FROM raw_body WHERE received_at >= TIMESTAMP '2026-05-02 00:30:00'"));
        try (Connection c = ds.getConnection()) {
            assertEquals(keyframesSinceMidnight + newer, RawBodies.read(c, "src", "t", midnight, null, 10_000).size());
        }

        // a quarter of an hour later the next run goes on from there: the deltas to 00:45 go, the day's keyframes stay
        long keyframesToNewLimit = count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-02 00:45:00' "
                + "AND encoding = 'deflate'");
        long afterNewLimit = count("SELECT COUNT(*) FROM raw_body WHERE received_at >= TIMESTAMP '2026-05-02 00:45:00'");
        assertTrue(count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-02 00:45:00' AND encoding <> 'deflate'") > 0);
        clock.set(limit.plus(Duration.ofMinutes(15)).plus(retention.raw()));
        maintenance.run();
        assertEquals(0, count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-02 00:45:00' AND encoding <> 'deflate'"));
        assertEquals(keyframesToNewLimit + afterNewLimit, count("SELECT COUNT(*) FROM raw_body"));
        try (Connection c = ds.getConnection()) {
            assertEquals(keyframesToNewLimit + afterNewLimit, RawBodies.read(c, "src", "t", midnight, null, 10_000).size());
        }
    }

    private Map<String, Long> counts() throws SQLException {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("polls after", count("SELECT COUNT(*) FROM poll WHERE polled_at >= TIMESTAMP '2026-05-01 01:30:00'"));
        m.put("states after", count("SELECT COUNT(*) FROM task_state WHERE polled_at >= TIMESTAMP '2026-05-01 02:00:00'"));
        m.put("keyframes before the raw limit",
                count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-01 02:30:00' AND encoding = 'deflate'"));
        return m;
    }

    private HistoryMaintenance maintenance(Instant now, Retention retention) {
        return new HistoryMaintenance(ds, retention, fixed(now), Duration.ofMinutes(5));
    }

    private static Clock fixed(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }

    /** Every rollup row, by entity/ref/metric/period. */
    private Map<String, Instant> retentionMarks() throws SQLException {
        Map<String, Instant> out = new TreeMap<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT part, pruned_before FROM retention_mark")) {
            while (rs.next()) {
                out.put(rs.getString(1), (Instant) SqlRow.read(rs, 2, SqlRow.Col.Kind.TIME));
            }
        }
        return out;
    }

    private Map<String, TreeMap<Instant, double[]>> allRollups() throws SQLException {
        Map<String, TreeMap<Instant, double[]>> out = new TreeMap<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT entity, entity_ref, metric, period_s, bucket_start, min_value, max_value, avg_value, "
                     + "last_value, sample_count FROM metric_rollup")) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3) + "/" + rs.getInt(4), k -> new TreeMap<>())
                        .put((Instant) SqlRow.read(rs, 5, SqlRow.Col.Kind.TIME),
                                new double[]{rs.getDouble(6), rs.getDouble(7), rs.getDouble(8), rs.getDouble(9), rs.getInt(10)});
            }
        }
        return out;
    }

    private TreeMap<Instant, double[]> rollupRows(String metric, String entity, int period) throws SQLException {
        TreeMap<Instant, double[]> out = new TreeMap<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT bucket_start, min_value, max_value, avg_value, last_value, sample_count FROM metric_rollup "
                     + "WHERE metric = '" + metric + "' AND entity = '" + entity + "' AND period_s = " + period)) {
            while (rs.next()) {
                out.put((Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME),
                        new double[]{rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5), rs.getInt(6)});
            }
        }
        return out;
    }

    private long count(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Instant time(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return (Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME);
        }
    }

}
