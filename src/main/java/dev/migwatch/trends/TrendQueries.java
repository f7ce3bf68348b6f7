package dev.migwatch.trends;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads the history through the V2 views and tables with plain JDBC. Every value is a bound parameter:
 * the SQL text is made only of constants of this class, optional filters append constant fragments.
 * Times are stored as UTC without zone, so they are read and bound as UTC LocalDateTime.
 */
public class TrendQueries {

    private static final String TASK_COLUMNS = "source, provider, task_id, latest_cycle_id, sampled_at, task_name,"
            + " task_type, raw_status, status, running_step, progress_pct, delay_seconds, processed_records,"
            + " total_records, elapsed_seconds, provider_eta_seconds, failed_message, started_at, finished_at,"
            + " last_poll_at, last_poll_api, last_poll_outcome, last_poll_http_status, last_poll_error_code,"
            + " last_poll_error_message, last_ok_poll_at, last_error_at, last_error_origin, last_error_name,"
            + " last_error_code, last_error_message FROM v_task_latest";

    private static final String PROGRESS_EXPR =
            "COALESCE(progress_pct, CASE WHEN capacity > 0 THEN 100.0 * processed_records / capacity END)";

    private final DataSource dataSource;

    public TrendQueries(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource);
    }

    public List<TaskRow> tasks() {
        return query("SELECT " + TASK_COLUMNS + " ORDER BY source, task_id", List.of(), TrendQueries::taskRow);
    }

    public Optional<TaskRow> task(String source, String taskId) {
        return query("SELECT " + TASK_COLUMNS + " WHERE source = ? AND task_id = ?", List.of(source, taskId),
                TrendQueries::taskRow).stream().findFirst();
    }

    public List<StepRow> stepsNow(String source, String taskId) {
        return query("SELECT step_key, parent_step_key, step_order, step_name, description, raw_status, status,"
                        + " progress_pct, processed_records, capacity, src_rps, dst_rps, delay_seconds, checkpoint_at,"
                        + " started_at, finished_at, error_code, error_message, polled_at FROM v_step_latest"
                        + " WHERE source = ? AND task_id = ? ORDER BY step_order, step_key",
                List.of(source, taskId),
                rs -> new StepRow(rs.getString(1), rs.getString(2), integer(rs, 3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), dbl(rs, 8), lng(rs, 9), lng(rs, 10), dbl(rs, 11),
                        dbl(rs, 12), lng(rs, 13), instant(rs, 14), instant(rs, 15), instant(rs, 16), rs.getString(17),
                        rs.getString(18), instant(rs, 19)));
    }

    public List<ComponentRow> componentsNow(String source, String taskId) {
        return query("SELECT kind, name, raw_status, status, ip, region, delay_seconds, tps, progress_pct,"
                        + " record_progress_pct, consistent_count, inconsistent_count, checkpoint_at, heartbeat_at,"
                        + " error_message, polled_at FROM v_component_latest WHERE source = ? AND task_id = ?"
                        + " ORDER BY kind, name",
                List.of(source, taskId),
                rs -> new ComponentRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), lng(rs, 7), dbl(rs, 8), dbl(rs, 9), dbl(rs, 10),
                        lng(rs, 11), lng(rs, 12), instant(rs, 13), instant(rs, 14), rs.getString(15),
                        instant(rs, 16)));
    }

    /**
     * The raw (not downsampled) series of one metric, one line per step, component or side.
     *
     * @param step null for all; else a step key or step name (for TPS: a component name or kind)
     */
    public List<Series> series(String source, String taskId, Metric metric, String step, Instant from, Instant to) {
        List<Object> args = new ArrayList<>(List.of(source, taskId));
        String sql = switch (metric) {
            case PROGRESS -> "SELECT step_key, step_name, polled_at, " + PROGRESS_EXPR + ", NULL"
                    + " FROM step_sample WHERE source = ? AND task_id = ?" + stepFilter(step, args, "step_key", "step_name");
            case PROCESSED -> "SELECT step_key, step_name, polled_at, processed_records, NULL"
                    + " FROM step_sample WHERE source = ? AND task_id = ?" + stepFilter(step, args, "step_key", "step_name");
            case RPS -> "SELECT step_key, step_name, polled_at, src_rps, dst_rps"
                    + " FROM step_sample WHERE source = ? AND task_id = ?" + stepFilter(step, args, "step_key", "step_name");
            case DELAY -> "SELECT step_key, step_name, polled_at, delay_seconds, NULL"
                    + " FROM v_incremental_delay WHERE source = ? AND task_id = ?"
                    + stepFilter(step, args, "step_key", "step_name");
            case TPS -> "SELECT name, kind, polled_at, tps, NULL"
                    + " FROM component_sample WHERE source = ? AND task_id = ?" + stepFilter(step, args, "name", "kind");
        };
        sql += timeFilter("polled_at", from, to, args) + " ORDER BY polled_at";
        Map<String, List<Series.Point>> lines = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        query(sql, args, rs -> {
            String key = rs.getString(1);
            String name = rs.getString(2);
            String label = metric == Metric.DELAY && key == null ? "task"
                    : metric == Metric.TPS ? name + " " + key
                    : name != null ? name : key;
            Instant t = instant(rs, 3);
            Double a = dbl(rs, 4);
            Double b = dbl(rs, 5);
            String k = key == null ? "" : key;
            labels.putIfAbsent(k, label);
            if (metric == Metric.RPS) {
                add(lines, k + "\u0000src", a, t);
                add(lines, k + "\u0000dst", b, t);
            } else {
                add(lines, k, a, t);
            }
            return null;
        });
        // Two steps with one name (DTS sub-steps) would merge on the chart: give them their key.
        Map<String, Long> labelUse = new LinkedHashMap<>();
        labels.values().forEach(l -> labelUse.merge(l, 1L, Long::sum));
        List<Series> out = new ArrayList<>();
        lines.forEach((k, points) -> {
            String key = k.contains("\u0000") ? k.substring(0, k.indexOf('\u0000')) : k;
            String label = labels.get(key);
            if (labelUse.get(label) > 1 && !key.isEmpty()) {
                label = label + " (" + key + ")";
            }
            if (k.contains("\u0000")) {
                label = label + " " + k.substring(k.indexOf('\u0000') + 1);
            }
            out.add(new Series(label, points));
        });
        return out;
    }

    /** Samples of the full-data steps (v_full_transfer_progress) of a task since a time, oldest first. */
    public List<FullStepSample> fullStepSamples(String source, String taskId, Instant since) {
        List<Object> args = new ArrayList<>(List.of(source, taskId));
        return query("SELECT step_key, step_name, polled_at, status, processed_records, capacity, progress_pct,"
                        + " src_rps, dst_rps FROM v_full_transfer_progress WHERE source = ? AND task_id = ?"
                        + timeFilter("polled_at", since, null, args) + " ORDER BY polled_at",
                args,
                rs -> new FullStepSample(rs.getString(1), rs.getString(2), instant(rs, 3), rs.getString(4),
                        lng(rs, 5), lng(rs, 6), dbl(rs, 7), dbl(rs, 8), dbl(rs, 9)));
    }

    /** One row of v_full_transfer_progress. */
    public record FullStepSample(String stepKey, String stepName, Instant polledAt, String status,
                                 Long processedRecords, Long capacity, Double progressPct, Double srcRps,
                                 Double dstRps) {
    }

    /** Delay samples (v_incremental_delay) since a time; stepKey null marks task-level rows. */
    public List<DelaySample> delaySamples(String source, String taskId, Instant since) {
        List<Object> args = new ArrayList<>(List.of(source, taskId));
        return query("SELECT step_key, polled_at, delay_seconds FROM v_incremental_delay"
                        + " WHERE source = ? AND task_id = ?" + timeFilter("polled_at", since, null, args)
                        + " ORDER BY polled_at",
                args, rs -> new DelaySample(rs.getString(1), instant(rs, 2), lng(rs, 3)));
    }

    /** One row of v_incremental_delay. */
    public record DelaySample(String stepKey, Instant polledAt, Long delaySeconds) {
    }

    public List<ErrorRow> errors(String source, String taskId, Instant from, Instant to, int limit) {
        List<Object> args = new ArrayList<>(List.of(source, taskId));
        String sql = "SELECT occurred_at, origin, origin_name, code, err_level, message, reason, proposal"
                + " FROM error_event WHERE source = ? AND task_id = ?" + timeFilter("occurred_at", from, to, args)
                + " ORDER BY occurred_at DESC, seq";
        return query(sql, args, limit, rs -> new ErrorRow(instant(rs, 1), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
    }

    public List<PollRow> polls(PollFilter f) {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT source, provider, task_id, cycle_id, api, attempt, called_at,"
                + " duration_ms, http_status, request_id, outcome, error_code, error_message FROM api_call WHERE 1 = 1");
        if (f.source() != null) {
            sql.append(" AND source = ?");
            args.add(f.source());
        }
        if (f.taskId() != null) {
            sql.append(" AND task_id = ?");
            args.add(f.taskId());
        }
        if (f.outcome() != null) {
            sql.append(" AND outcome = ?");
            args.add(f.outcome());
        }
        sql.append(timeFilter("called_at", f.from(), f.to(), args)).append(" ORDER BY called_at DESC, attempt DESC");
        return query(sql.toString(), args, f.limit(), rs -> new PollRow(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6), instant(rs, 7), rs.getLong(8),
                integer(rs, 9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13)));
    }

    /** The status history of every component as spans of unchanged status, oldest first. */
    public List<ComponentSpan> componentTimeline(String source, String taskId, Instant from, Instant to) {
        List<Object> args = new ArrayList<>(List.of(source, taskId));
        String sql = "SELECT kind, name, polled_at, status, raw_status FROM component_sample"
                + " WHERE source = ? AND task_id = ?" + timeFilter("polled_at", from, to, args)
                + " ORDER BY kind, name, polled_at";
        List<ComponentSpan> spans = new ArrayList<>();
        query(sql, args, rs -> {
            String kind = rs.getString(1), name = rs.getString(2), status = rs.getString(4), raw = rs.getString(5);
            Instant t = instant(rs, 3);
            ComponentSpan last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
            if (last != null && last.kind().equals(kind) && last.name().equals(name)) {
                if (last.status().equals(status) && Objects.equals(last.rawStatus(), raw)) {
                    spans.set(spans.size() - 1, new ComponentSpan(kind, name, status, raw, last.from(), t,
                            last.samples() + 1));
                    return null;
                }
                // The previous status lasted until this change was seen.
                spans.set(spans.size() - 1, new ComponentSpan(kind, name, last.status(), last.rawStatus(),
                        last.from(), t, last.samples()));
            }
            spans.add(new ComponentSpan(kind, name, status, raw, t, t, 1));
            return null;
        });
        return spans;
    }

    // ---- plumbing

    private static String stepFilter(String step, List<Object> args, String keyColumn, String nameColumn) {
        if (step == null) {
            return "";
        }
        args.add(step);
        args.add(step);
        return " AND (" + keyColumn + " = ? OR " + nameColumn + " = ?)";
    }

    private static String timeFilter(String column, Instant from, Instant to, List<Object> args) {
        String sql = "";
        if (from != null) {
            sql += " AND " + column + " >= ?";
            args.add(from);
        }
        if (to != null) {
            sql += " AND " + column + " <= ?";
            args.add(to);
        }
        return sql;
    }

    private static void add(Map<String, List<Series.Point>> lines, String key, Double v, Instant t) {
        if (v != null && t != null) {
            lines.computeIfAbsent(key, x -> new ArrayList<>()).add(new Series.Point(t, v, 1));
        }
    }

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, List<Object> args, RowMapper<T> mapper) {
        return query(sql, args, 0, mapper);
    }

    private <T> List<T> query(String sql, List<Object> args, int limit, RowMapper<T> mapper) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                Object a = args.get(i);
                if (a instanceof Instant instant) {
                    ps.setObject(i + 1, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
                } else {
                    ps.setObject(i + 1, a);
                }
            }
            if (limit > 0) {
                ps.setMaxRows(limit);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    T row = mapper.map(rs);
                    if (row != null) {
                        out.add(row);
                    }
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("history query failed: " + e.getMessage(), e);
        }
    }

    private static TaskRow taskRow(ResultSet rs) throws SQLException {
        return new TaskRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), dbl(rs, 11),
                lng(rs, 12), lng(rs, 13), lng(rs, 14), lng(rs, 15), lng(rs, 16), rs.getString(17), instant(rs, 18),
                instant(rs, 19), instant(rs, 20), rs.getString(21), rs.getString(22), integer(rs, 23),
                rs.getString(24), rs.getString(25), instant(rs, 26), instant(rs, 27), rs.getString(28),
                rs.getString(29), rs.getString(30), rs.getString(31));
    }

    static Instant instant(ResultSet rs, int col) throws SQLException {
        LocalDateTime t = rs.getObject(col, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    static Double dbl(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }

    static Long lng(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    static Integer integer(ResultSet rs, int col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }
}
