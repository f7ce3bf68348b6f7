package dev.migwatch.trends;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;
import dev.migwatch.storage.HistoryDatabase;
import org.h2.jdbcx.JdbcDataSource;

/** A fresh in-memory H2 migrated with the real Flyway scripts, and helpers to insert history rows. */
final class HistoryFixture {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final DataSource dataSource;

    HistoryFixture() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        this.dataSource = ds;
        HistoryDatabase.migrate(ds); // the migrations exactly as the application runs them
    }

    void exec(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                ps.setObject(i + 1, a instanceof Instant t ? LocalDateTime.ofInstant(t, ZoneOffset.UTC) : a);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void call(String cycle, String source, String provider, String task, Instant at, String outcome, String code) {
        exec("INSERT INTO api_call (cycle_id, api, attempt, source, provider, task_id, called_at, duration_ms,"
                        + " http_status, outcome, error_code, error_message) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                cycle, "Describe", 1, source, provider, task, at, 120L, "OK".equals(outcome) ? 200 : 400, outcome,
                code, code == null ? null : code + " happened");
        latest(source, provider, task, "last_cycle_id", "last_polled_at", cycle, at);
    }

    void task(String cycle, String source, String provider, String task, Instant at, String status, String step,
              Double progress, Long delay, Long etaSeconds) {
        exec("INSERT INTO task_sample (cycle_id, source, provider, task_id, polled_at, task_name, raw_status, status,"
                        + " running_step, progress_pct, delay_seconds, provider_eta_seconds, started_at)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                cycle, source, provider, task, at, task + " name", status.toLowerCase(), status, step, progress, delay,
                etaSeconds, T0);
        latest(source, provider, task, "latest_ok_cycle_id", "latest_ok_polled_at", cycle, at);
    }

    void step(String cycle, String source, String provider, String task, Instant at, String key, String status,
              Double progress, Long processed, Long capacity, Double srcRps, Long delay) {
        exec("INSERT INTO step_sample (cycle_id, step_key, source, provider, task_id, polled_at, step_order, step_name,"
                        + " raw_status, status, progress_pct, processed_records, capacity, src_rps, dst_rps, delay_seconds)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                cycle, key, source, provider, task, at, key.startsWith("FULL") ? 1 : 2, key, status, status,
                progress, processed, capacity, srcRps, srcRps == null ? null : srcRps - 1, delay);
    }

    void component(String cycle, String source, String task, Instant at, String kind, String name, String status,
                   Double tps) {
        exec("INSERT INTO component_sample (cycle_id, kind, name, source, provider, task_id, polled_at, raw_status,"
                        + " status, tps) VALUES (?,?,?,?,?,?,?,?,?,?)",
                cycle, kind, name, source, "OMS", task, at, status, status, tps);
    }

    void error(String cycle, int seq, String source, String provider, String task, Instant at, String code) {
        exec("INSERT INTO error_event (cycle_id, seq, source, provider, task_id, occurred_at, origin, origin_name,"
                        + " code, err_level, message) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                cycle, seq, source, provider, task, at, "STEP", "FULL_TRANSFER", code, "ERROR", code + " message");
        latest(source, provider, task, "last_error_cycle_id", "last_error_at", cycle, at);
    }

    /**
     * Keeps task_latest as HistoryStore does, for rows inserted one table at a time and in any order:
     * a pointer moves only to a newer cycle.
     */
    private void latest(String source, String provider, String task, String cycleColumn, String timeColumn, String cycle,
                        Instant at) {
        exec("INSERT INTO task_latest (source, task_id, provider, last_cycle_id, last_polled_at) SELECT ?, ?, ?, ?, ?"
                + " FROM (VALUES (1)) v WHERE NOT EXISTS (SELECT 1 FROM task_latest WHERE source = ? AND task_id = ?)",
                source, task, provider, cycle, at, source, task);
        exec("UPDATE task_latest SET " + cycleColumn + " = ?, " + timeColumn + " = ? WHERE source = ? AND task_id = ?"
                + " AND (" + timeColumn + " IS NULL OR " + timeColumn + " <= ?)", cycle, at, source, task, at);
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
        error("oms-7", 0, "oms-prod", "OMS", "np_1", T0.plusSeconds(420), "SLOW_TABLE");
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
        return this;
    }
}
