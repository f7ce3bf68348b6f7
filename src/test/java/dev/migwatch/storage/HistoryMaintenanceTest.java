package dev.migwatch.storage;

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

    @Test
    void rollupsEqualTheAggregatesOfTheSamplesAtEveryPoll() throws SQLException {
        Random r = new Random(7);
        Map<Instant, Double> ok = writeHistory(new HistoryStore(ds, fixed(T0)), r, 360, T0);
        HistoryMaintenance.Report report = maintenance(T0.plus(Duration.ofHours(3)), Retention.defaults()).run();
        assertTrue(report.caughtUp());

        Map<Instant, DoubleSummaryStatistics> expected5 = new TreeMap<>();
        Map<Instant, Double> last5 = new TreeMap<>();
        ok.forEach((at, v) -> {
            Instant bucket = Rollups.floor(at, 300);
            expected5.computeIfAbsent(bucket, b -> new DoubleSummaryStatistics()).accept(v);
            last5.put(bucket, v);
        });
        Map<Instant, double[]> actual5 = rollups("progress_pct", "T", 300);
        assertEquals(expected5.keySet(), actual5.keySet(), "a 5-minute bucket for each bucket with a successful poll");
        expected5.forEach((bucket, e) -> {
            double[] a = actual5.get(bucket);
            assertEquals(e.getMin(), a[0], 1e-9, "min " + bucket);
            assertEquals(e.getMax(), a[1], 1e-9, "max " + bucket);
            assertEquals(e.getAverage(), a[2], 1e-9, "avg " + bucket);
            assertEquals(last5.get(bucket), a[3], 1e-9, "last " + bucket);
            assertEquals(e.getCount(), (long) a[4], "count " + bucket);
        });
        Map<Instant, DoubleSummaryStatistics> expectedHour = new TreeMap<>();
        ok.forEach((at, v) -> expectedHour.computeIfAbsent(Rollups.floor(at, 3600), b -> new DoubleSummaryStatistics()).accept(v));
        Map<Instant, double[]> actualHour = rollups("progress_pct", "T", 3600);
        assertEquals(expectedHour.keySet(), actualHour.keySet());
        expectedHour.forEach((hour, e) -> {
            assertEquals(e.getAverage(), actualHour.get(hour)[2], 1e-9, "hourly avg " + hour);
            assertEquals(e.getCount(), (long) actualHour.get(hour)[4], "hourly count " + hour);
        });
        // a series whose value is sometimes missing counts only the polls that had one
        long rpsPolls = count("SELECT SUM(sample_count) FROM metric_rollup WHERE metric = 'src_rps' AND period_s = 300");
        assertTrue(rpsPolls > 0 && rpsPolls < ok.size(), rpsPolls + " of " + ok.size());
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
        Retention retention = new Retention(Duration.ofHours(1), Duration.ofMinutes(30), Duration.ofMinutes(90), Duration.ofHours(2));
        Instant now = T0.plus(Duration.ofHours(3));
        Map<String, Long> before = counts();
        Instant oldestState = time("SELECT MIN(polled_at) FROM task_state");
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
        // raw answers: none older than 30 minutes but keyframes that younger deltas need, and every kept one reads back
        assertEquals(0, count("SELECT COUNT(*) FROM raw_body WHERE received_at < TIMESTAMP '2026-05-01 02:30:00' AND encoding <> 'deflate'"));
        assertEquals(0, count("SELECT COUNT(*) FROM raw_body k WHERE k.received_at < TIMESTAMP '2026-05-01 02:30:00' AND NOT EXISTS "
                + "(SELECT 1 FROM raw_body d WHERE d.base_at = k.received_at)"));
        try (Connection c = ds.getConnection()) {
            assertEquals(count("SELECT COUNT(*) FROM raw_body"), RawBodies.read(c, "src", "t", null, null, 10_000).size());
        }
        // rollups older than two hours are gone, the others stay
        assertEquals(0, count("SELECT COUNT(*) FROM metric_rollup WHERE bucket_start < TIMESTAMP '2026-05-01 01:00:00'"));
        assertTrue(count("SELECT COUNT(*) FROM metric_rollup WHERE bucket_start >= TIMESTAMP '2026-05-01 01:00:00'") > 0);
        // and the task still reads as it was
        assertEquals(1, count("SELECT COUNT(*) FROM v_task_latest WHERE status = 'RUNNING'"));
    }

    private Map<String, Long> counts() throws SQLException {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("polls after", count("SELECT COUNT(*) FROM poll WHERE polled_at >= TIMESTAMP '2026-05-01 01:30:00'"));
        m.put("states after", count("SELECT COUNT(*) FROM task_state WHERE polled_at >= TIMESTAMP '2026-05-01 02:00:00'"));
        return m;
    }

    private HistoryMaintenance maintenance(Instant now, Retention retention) {
        return new HistoryMaintenance(ds, retention, fixed(now), Duration.ofMinutes(5));
    }

    private static Clock fixed(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }

    private Map<Instant, double[]> rollups(String metric, String entity, int period) throws SQLException {
        Map<Instant, double[]> out = new TreeMap<>();
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
