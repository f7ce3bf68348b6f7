package dev.migwatch.storage;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes one poll cycle's rows in one transaction with one batch per table: all or nothing. Writing a
 * cycle that is already stored is a no-op, which makes replaying a spooled cycle safe.
 */
public class HistoryStore {
    private final DataSource dataSource;
    /** Last stored body hash per source/task/api, so unchanged bodies are not stored again. */
    private final Map<String, String> lastBodyHash = new ConcurrentHashMap<>();

    public HistoryStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** True when the database answers at all; tells an outage from a snapshot it keeps refusing. */
    public boolean reachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** @return true when the cycle was written, false when it was already there */
    public boolean write(TaskSnapshot s) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                if (alreadyStored(c, s.cycleId())) {
                    c.rollback();
                    return false;
                }
                insertCalls(c, s);
                List<RawBody> newBodies = changedBodies(c, s);
                insertBodies(c, s, newBodies);
                if (s.succeeded()) {
                    insertTask(c, s);
                    insertSteps(c, s);
                    insertComponents(c, s);
                    insertErrors(c, s);
                }
                updateLatest(c, s);
                c.commit();
                newBodies.forEach(b -> lastBodyHash.put(bodyKey(s, b.api()), b.contentHash()));
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** A stored cycle has its calls, and a successful one its task row: either proves the cycle is there. */
    private static boolean alreadyStored(Connection c, String cycleId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM api_call WHERE cycle_id = ? UNION ALL SELECT 1 FROM task_sample WHERE cycle_id = ?")) {
            ps.setMaxRows(1);
            ps.setString(1, cycleId);
            ps.setString(2, cycleId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void insertCalls(Connection c, TaskSnapshot s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_call (cycle_id, api, attempt, source, provider, task_id, "
                + "called_at, duration_ms, http_status, request_id, outcome, error_code, error_message) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (ApiCall a : s.calls()) {
                Row r = new Row(ps);
                r.str(s.cycleId()).str(a.api()).integer(a.attempt()).str(s.source()).str(s.provider()).str(s.taskId())
                        .time(a.calledAt()).num(a.durationMs()).integer(a.httpStatus()).str(clip(a.requestId(), 100))
                        .str(a.outcome()).str(clip(a.errorCode(), 200)).str(clip(a.errorMessage(), 2000));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private List<RawBody> changedBodies(Connection c, TaskSnapshot s) throws SQLException {
        List<RawBody> changed = new ArrayList<>();
        for (RawBody b : s.rawBodies()) {
            String key = bodyKey(s, b.api());
            String last = lastBodyHash.get(key);
            if (last == null) {
                last = lastStoredHash(c, s, b.api());
            }
            if (!b.contentHash().equals(last)) {
                changed.add(b);
            }
        }
        return changed;
    }

    private static String lastStoredHash(Connection c, TaskSnapshot s, String api) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT content_hash FROM raw_response WHERE source = ? AND task_id = ? AND api = ? "
                + "ORDER BY received_at DESC")) {
            ps.setMaxRows(1);
            ps.setString(1, s.source());
            ps.setString(2, s.taskId());
            ps.setString(3, api);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void insertBodies(Connection c, TaskSnapshot s, List<RawBody> bodies) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO raw_response (cycle_id, api, source, task_id, received_at, "
                + "content_hash, content_type, body) VALUES (?,?,?,?,?,?,?,?)")) {
            for (RawBody b : bodies) {
                new Row(ps).str(s.cycleId()).str(b.api()).str(s.source()).str(s.taskId()).time(s.polledAt())
                        .str(b.contentHash()).str(clip(b.contentType(), 200)).str(b.body());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertTask(Connection c, TaskSnapshot s) throws SQLException {
        TaskState t = s.task();
        TaskState.BinlogPosition binlog = t.binlog();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO task_sample (cycle_id, source, provider, task_id, polled_at, task_name, "
                + "task_type, raw_status, status, running_step, progress_pct, delay_seconds, delay_sampled_at, processed_records, "
                + "total_records, elapsed_seconds, provider_eta_seconds, retry_count, max_retry_count, failed_message, binlog_name, "
                + "binlog_pos, binlog_gtid, created_at, started_at, finished_at, detail_json) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            new Row(ps).str(s.cycleId()).str(s.source()).str(s.provider()).str(s.taskId()).time(s.polledAt())
                    .str(clip(t.taskName(), 500)).str(clip(t.taskType(), 100)).str(clip(t.rawStatus(), 100)).str(t.status().name())
                    .str(clip(t.runningStep(), 100)).dbl(t.progressPct()).num(t.delaySeconds()).time(t.delaySampledAt())
                    .num(t.processedRecords()).num(t.totalRecords()).num(t.elapsedSeconds()).num(t.providerEtaSeconds())
                    .integer(t.retryCount()).integer(t.maxRetryCount()).str(clip(t.failedMessage(), 4000))
                    .str(binlog == null ? null : clip(binlog.name(), 200)).num(binlog == null ? null : binlog.position())
                    .str(binlog == null ? null : clip(binlog.gtid(), 4000))
                    .time(t.createdAt()).time(t.startedAt()).time(t.finishedAt()).str(t.detailJson());
            ps.executeUpdate();
        }
    }

    private static void insertSteps(Connection c, TaskSnapshot s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO step_sample (cycle_id, step_key, parent_step_key, source, provider, "
                + "task_id, polled_at, step_order, step_name, description, raw_status, status, progress_pct, started_at, finished_at, "
                + "processed_records, capacity, src_rps, src_rt_ms, src_iops, dst_rps, dst_rt_ms, dst_iops, src_rps_ref, dst_rps_ref, "
                + "dst_rt_ref, checkpoint_at, checkpoint_sampled_at, delay_seconds, delay_ms, incr_statistics, error_code, "
                + "error_message, detail_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (StepSample st : s.steps()) {
                StepSample.Throughput tp = st.throughput();
                StepSample.Incremental in = st.incremental();
                Row r = new Row(ps).str(s.cycleId()).str(clip(st.stepKey(), 200)).str(clip(st.parentStepKey(), 200)).str(s.source())
                        .str(s.provider()).str(s.taskId()).time(s.polledAt()).integer(st.stepOrder()).str(clip(st.stepName(), 200))
                        .str(clip(st.description(), 500)).str(clip(st.rawStatus(), 100)).str(st.status().name()).dbl(st.progressPct())
                        .time(st.startedAt()).time(st.finishedAt());
                if (tp == null) {
                    r.nulls(11, Types.DOUBLE);
                } else {
                    r.num(tp.processedRecords()).num(tp.capacity()).dbl(tp.srcRps()).dbl(tp.srcRtMs()).dbl(tp.srcIops())
                            .dbl(tp.dstRps()).dbl(tp.dstRtMs()).dbl(tp.dstIops()).dbl(tp.srcRpsRef()).dbl(tp.dstRpsRef()).dbl(tp.dstRtRef());
                }
                if (in == null) {
                    r.time(null).time(null).num(null).num(null).bool(null);
                } else {
                    r.time(in.checkpointAt()).time(in.checkpointSampledAt()).num(in.delaySeconds()).num(in.delayMs()).bool(in.statisticsEnabled());
                }
                r.str(clip(st.errorCode(), 200)).str(clip(st.errorMessage(), 4000)).str(st.detailJson());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertComponents(Connection c, TaskSnapshot s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO component_sample (cycle_id, kind, name, source, provider, task_id, "
                + "polled_at, raw_status, status, ip, region, identity, topic, subtopic, delay_seconds, tps, progress_pct, "
                + "record_progress_pct, consistent_count, inconsistent_count, checkpoint_at, checkpoint_sampled_at, heartbeat_at, "
                + "error_message, detail_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (ComponentSample k : s.components()) {
                new Row(ps).str(s.cycleId()).str(k.kind()).str(clip(k.name(), 500)).str(s.source()).str(s.provider()).str(s.taskId())
                        .time(s.polledAt()).str(clip(k.rawStatus(), 100)).str(k.status().name()).str(clip(k.ip(), 100))
                        .str(clip(k.region(), 100)).str(clip(k.identity(), 200)).str(clip(k.topic(), 500)).str(clip(k.subtopic(), 500))
                        .num(k.delaySeconds()).dbl(k.tps()).dbl(k.progressPct()).dbl(k.recordProgressPct()).num(k.consistentCount())
                        .num(k.inconsistentCount()).time(k.checkpointAt()).time(k.checkpointSampledAt()).time(k.heartbeatAt())
                        .str(clip(k.errorMessage(), 4000)).str(k.detailJson());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void insertErrors(Connection c, TaskSnapshot s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO error_event (cycle_id, seq, source, provider, task_id, occurred_at, "
                + "origin, origin_name, code, err_level, message, reason, proposal, detail_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            int seq = 0;
            for (ErrorEvent e : s.errors()) {
                new Row(ps).str(s.cycleId()).integer(seq++).str(s.source()).str(s.provider()).str(s.taskId()).time(s.polledAt())
                        .str(e.origin()).str(clip(e.originName(), 500)).str(clip(e.code(), 200)).str(clip(e.level(), 20))
                        .str(clip(e.message(), 4000)).str(clip(e.reason(), 4000)).str(clip(e.proposal(), 4000)).str(e.detailJson());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Moves the task's pointers to this cycle: always the last cycle, the last successful one when it
     * succeeded, the last one with errors when it reported some. The first cycle of a task inserts the row.
     */
    private static void updateLatest(Connection c, TaskSnapshot s) throws SQLException {
        boolean ok = s.succeeded();
        boolean errors = ok && !s.errors().isEmpty();
        // each pointer moves forward only, so a late replay of an old cycle cannot turn the clock back;
        // every cycle column is set before its time column, so it reads the old time on any database
        try (PreparedStatement ps = c.prepareStatement("UPDATE task_latest SET "
                + forward("last_cycle_id", "last_polled_at")
                + (ok ? ", " + forward("latest_ok_cycle_id", "latest_ok_polled_at") : "")
                + (errors ? ", " + forward("last_error_cycle_id", "last_error_at") : "")
                + " WHERE source = ? AND task_id = ?")) {
            Row r = new Row(ps);
            int pointers = 1 + (ok ? 1 : 0) + (errors ? 1 : 0);
            for (int i = 0; i < pointers; i++) {
                r.time(s.polledAt()).str(s.cycleId()).time(s.polledAt()).time(s.polledAt());
            }
            r.str(s.source()).str(s.taskId());
            if (ps.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO task_latest (source, task_id, provider, last_cycle_id, "
                + "last_polled_at, latest_ok_cycle_id, latest_ok_polled_at, last_error_cycle_id, last_error_at) "
                + "VALUES (?,?,?,?,?,?,?,?,?)")) {
            new Row(ps).str(s.source()).str(s.taskId()).str(s.provider()).str(s.cycleId()).time(s.polledAt())
                    .str(ok ? s.cycleId() : null).time(ok ? s.polledAt() : null)
                    .str(errors ? s.cycleId() : null).time(errors ? s.polledAt() : null);
            ps.executeUpdate();
        }
    }

    /** SET fragment moving one pointer (cycle and time) to the new cycle if it is not older. */
    private static String forward(String cycleColumn, String timeColumn) {
        String newer = "(" + timeColumn + " IS NULL OR " + timeColumn + " <= ?)";
        return cycleColumn + " = CASE WHEN " + newer + " THEN ? ELSE " + cycleColumn + " END, "
                + timeColumn + " = CASE WHEN " + newer + " THEN ? ELSE " + timeColumn + " END";
    }

    private static String bodyKey(TaskSnapshot s, String api) {
        return s.source() + '\u0000' + s.taskId() + '\u0000' + api;
    }

    /** Providers send free text of any length; a too-long message must not cost the whole cycle. */
    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** Sets parameters left to right, nulls typed, times as UTC timestamps. */
    private static final class Row {
        private final PreparedStatement ps;
        private int i = 1;

        Row(PreparedStatement ps) {
            this.ps = ps;
        }

        Row str(String v) throws SQLException {
            if (v == null) {
                ps.setNull(i++, Types.VARCHAR);
            } else {
                ps.setString(i++, v);
            }
            return this;
        }

        Row num(Long v) throws SQLException {
            if (v == null) {
                ps.setNull(i++, Types.BIGINT);
            } else {
                ps.setLong(i++, v);
            }
            return this;
        }

        Row integer(Integer v) throws SQLException {
            if (v == null) {
                ps.setNull(i++, Types.INTEGER);
            } else {
                ps.setInt(i++, v);
            }
            return this;
        }

        Row dbl(Double v) throws SQLException {
            if (v == null) {
                ps.setNull(i++, Types.DOUBLE);
            } else {
                ps.setDouble(i++, v);
            }
            return this;
        }

        Row bool(Boolean v) throws SQLException {
            if (v == null) {
                ps.setNull(i++, Types.BOOLEAN);
            } else {
                ps.setBoolean(i++, v);
            }
            return this;
        }

        Row time(Instant v) throws SQLException {
            if (v == null) {
                ps.setNull(i++, Types.TIMESTAMP);
            } else {
                ps.setObject(i++, java.time.LocalDateTime.ofInstant(v, java.time.ZoneOffset.UTC));
            }
            return this;
        }

        Row nulls(int count, int type) throws SQLException {
            for (int k = 0; k < count; k++) {
                ps.setNull(i++, type == Types.DOUBLE && k < 2 ? Types.BIGINT : type);
            }
            return this;
        }
    }
}
