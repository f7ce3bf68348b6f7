package dev.migwatch.alert;

import dev.migwatch.storage.BatchDeletes;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The alerts and their notifications in the history database (tables alert and alert_notification, V7): the open
 * alerts each evaluation starts from, the transitions it makes (one transaction), the notifications waiting for their
 * channel, and the history GET /api/alerts reads. Times are UTC without zone, as in the rest of the history.
 */
public class AlertStore {
    private static final int VALUE_MAX = 200;
    private static final int MESSAGE_MAX = 2000;
    private static final int ERROR_MAX = 1000;

    private final DataSource dataSource;

    public AlertStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The PENDING and FIRING alerts, by rule, source and task. */
    public Map<String, OpenAlert> open() {
        Map<String, OpenAlert> out = new LinkedHashMap<>();
        query("SELECT id, rule, source, task_id, state, since, notified_at, value_text, message FROM alert "
                + "WHERE state IN ('PENDING', 'FIRING') ORDER BY id", List.of(), rs -> {
            OpenAlert a = new OpenAlert(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    AlertState.valueOf(rs.getString(5)), instant(rs, 6), instant(rs, 7), rs.getString(8), rs.getString(9));
            out.put(a.key(), a);
        });
        return out;
    }

    /**
     * For each task whose newest poll failed: its first failed poll after its last successful one (source + '\u0000' +
     * task id). SKIPPED cycles (the source paused after failures) neither start nor break such a run.
     */
    public Map<String, Instant> failingSince() {
        Map<String, Instant> out = new HashMap<>();
        query("SELECT t.source, t.task_id, MIN(p.polled_at) FROM task t JOIN task_latest l ON l.task_ref = t.id "
                + "JOIN poll p ON p.task_ref = t.id "
                + "WHERE l.last_outcome <> 'OK' AND t.task_id <> '*' "
                + "AND p.polled_at > COALESCE(l.last_ok_at, TIMESTAMP '1900-01-01 00:00:00') "
                + "AND p.outcome <> 'OK' AND p.outcome <> 'SKIPPED' GROUP BY t.source, t.task_id", List.of(),
                rs -> out.put(rs.getString(1) + '\u0000' + rs.getString(2), instant(rs, 3)));
        return out;
    }

    /**
     * Writes one evaluation's transitions in one transaction: new alerts, state changes, fresh values and, for each
     * notification, one QUEUED row per channel.
     */
    public void apply(List<Transition> transitions, Instant now) {
        if (transitions.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Transition t : transitions) {
                    long id = t.alertId() == null ? insert(c, t, now) : update(c, t, now);
                    if (t.notice() != null) {
                        for (String channel : t.channels()) {
                            try (PreparedStatement ps = c.prepareStatement("INSERT INTO alert_notification (alert_ref, kind, channel, "
                                    + "created_at, value_text, message, outcome, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)")) {
                                ps.setLong(1, id);
                                ps.setString(2, t.notice().name());
                                ps.setString(3, channel);
                                ps.setObject(4, utc(now));
                                ps.setString(5, cut(t.reading().value(), VALUE_MAX));
                                ps.setString(6, cut(t.reading().message(), MESSAGE_MAX));
                                ps.setString(7, DeliveryOutcome.QUEUED.name());
                                ps.executeUpdate();
                            }
                        }
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record the alerts: " + e.getMessage(), e);
        }
    }

    private static long insert(Connection c, Transition t, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO alert (rule, source, task_id, condition_name, state, since, "
                + "fired_at, notified_at, value_text, threshold_text, message, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, t.rule());
            ps.setString(2, t.source());
            ps.setString(3, t.taskId());
            ps.setString(4, t.condition().id());
            ps.setString(5, t.state().name());
            ps.setObject(6, utc(t.since()));
            time(ps, 7, t.fired() ? now : null);
            time(ps, 8, t.notice() != null ? now : null);
            ps.setString(9, cut(t.reading().value(), VALUE_MAX));
            ps.setString(10, t.reading().threshold());
            ps.setString(11, cut(t.reading().message(), MESSAGE_MAX));
            ps.setObject(12, utc(now));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static long update(Connection c, Transition t, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE alert SET state = ?, fired_at = COALESCE(?, fired_at), "
                + "resolved_at = ?, notified_at = COALESCE(?, notified_at), value_text = ?, threshold_text = ?, message = ?, "
                + "updated_at = ? WHERE id = ?")) {
            ps.setString(1, t.state().name());
            time(ps, 2, t.fired() ? now : null);
            time(ps, 3, t.state() == AlertState.RESOLVED ? now : null);
            time(ps, 4, t.notice() != null ? now : null);
            ps.setString(5, cut(t.reading().value(), VALUE_MAX));
            ps.setString(6, t.reading().threshold());
            ps.setString(7, cut(t.reading().message(), MESSAGE_MAX));
            ps.setObject(8, utc(now));
            ps.setLong(9, t.alertId());
            ps.executeUpdate();
            return t.alertId();
        }
    }

    /**
     * The QUEUED notifications with an id above afterId, oldest first, with what their message says; url from the
     * task (see AlertsConfig.taskUrl).
     */
    public List<Notification> queued(long afterId, BiFunction<String, String, String> url) {
        List<Notification> out = new ArrayList<>();
        query("SELECT n.id, n.alert_ref, n.channel, n.kind, a.rule, a.source, t.provider, a.task_id, t.task_name, a.condition_name, "
                + "n.value_text, a.threshold_text, a.since, n.created_at, n.message FROM alert_notification n "
                + "JOIN alert a ON a.id = n.alert_ref LEFT JOIN task t ON t.source = a.source AND t.task_id = a.task_id "
                + "WHERE n.outcome = 'QUEUED' AND n.id > ? ORDER BY n.id", List.of(afterId), rs -> out.add(new Notification(
                rs.getLong(1), rs.getLong(2), rs.getString(3), NotificationKind.valueOf(rs.getString(4)), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                AlertCondition.parse(rs.getString(10)).orElseThrow(), rs.getString(11), rs.getString(12), instant(rs, 13),
                instant(rs, 14), rs.getString(15), url.apply(rs.getString(6), rs.getString(8)))));
        return out;
    }

    /** The channel took the notification after this many attempts. */
    public void delivered(long notificationId, int attempts, Instant at) {
        ended(notificationId, DeliveryOutcome.DELIVERED, attempts, at, null);
    }

    /** The channel did not take it after this many attempts; error is shown as is: mask it first. */
    public void failed(long notificationId, int attempts, Instant at, String error) {
        ended(notificationId, DeliveryOutcome.FAILED, attempts, at, error);
    }

    private void ended(long id, DeliveryOutcome outcome, int attempts, Instant at, String error) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE alert_notification SET outcome = ?, attempts = ?, ended_at = ?, error = ? WHERE id = ?")) {
            c.setAutoCommit(true);
            ps.setString(1, outcome.name());
            ps.setInt(2, attempts);
            ps.setObject(3, utc(at));
            ps.setString(4, cut(error, ERROR_MAX));
            ps.setLong(5, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record the delivery of alert notification " + id + ": " + e.getMessage(), e);
        }
    }

    /** How many alerts of each rule fire. */
    public Map<String, Integer> firingByRule() {
        Map<String, Integer> out = new HashMap<>();
        query("SELECT rule, COUNT(*) FROM alert WHERE state = 'FIRING' GROUP BY rule", List.of(),
                rs -> out.put(rs.getString(1), rs.getInt(2)));
        return out;
    }

    /** One alert as GET /api/alerts shows it. */
    public record AlertRow(long id, String rule, AlertState state, String source, String provider, String taskId, String taskName,
                           String condition, String value, String threshold, Instant since, Instant firedAt, Instant resolvedAt,
                           String message, List<NotificationRow> notifications) {
    }

    /** One notification of an alert to one channel, and how its delivery went. */
    public record NotificationRow(String channel, NotificationKind kind, Instant at, DeliveryOutcome outcome, int attempts,
                                  Instant endedAt, String error) {
    }

    /**
     * The alerts of a state (null: all) that were open at some time of [from, to] (either may be null), newest first,
     * with their notifications.
     */
    public List<AlertRow> history(AlertState state, Instant from, Instant to, int limit) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        if (state != null) {
            where.append(" AND a.state = ?");
            args.add(state.name());
        }
        if (to != null) {
            where.append(" AND a.since <= ?");
            args.add(to);
        }
        if (from != null) {
            where.append(" AND (a.resolved_at IS NULL OR a.resolved_at >= ?)");
            args.add(from);
        }
        List<AlertRow> alerts = new ArrayList<>();
        Map<Long, List<NotificationRow>> notes = new LinkedHashMap<>();
        query("SELECT a.id, a.rule, a.state, a.source, t.provider, a.task_id, t.task_name, a.condition_name, a.value_text, "
                + "a.threshold_text, a.since, a.fired_at, a.resolved_at, a.message FROM alert a "
                + "LEFT JOIN task t ON t.source = a.source AND t.task_id = a.task_id" + where
                + " ORDER BY a.since DESC, a.id DESC", args, limit, rs -> {
            List<NotificationRow> mine = new ArrayList<>();
            notes.put(rs.getLong(1), mine);
            alerts.add(new AlertRow(rs.getLong(1), rs.getString(2), AlertState.valueOf(rs.getString(3)), rs.getString(4),
                    rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                    instant(rs, 11), instant(rs, 12), instant(rs, 13), rs.getString(14), mine));
        });
        if (!alerts.isEmpty()) {
            String ids = String.join(",", notes.keySet().stream().map(String::valueOf).toList());
            // the ids are numbers this method read itself, never request text
            query("SELECT alert_ref, channel, kind, created_at, outcome, attempts, ended_at, error FROM alert_notification "
                    + "WHERE alert_ref IN (" + ids + ") ORDER BY id", List.of(), rs -> notes.get(rs.getLong(1)).add(new NotificationRow(
                    rs.getString(2), NotificationKind.valueOf(rs.getString(3)), instant(rs, 4), DeliveryOutcome.valueOf(rs.getString(5)),
                    rs.getInt(6), instant(rs, 7), rs.getString(8))));
        }
        return alerts;
    }

    /**
     * Deletes what is past the alerts' retention, in batches of at most {@code batch} rows, each its own transaction,
     * until nothing is left or the deadline has passed (the next run goes on): the notifications made before
     * {@code before} whose delivery has ended (a QUEUED one is still owed to its channel), then the alerts resolved before
     * it that have no notification left. Open alerts stay, whatever their age. Both searches go through V12's indexes of
     * the times. Returns the number of rows deleted.
     */
    public long deleteEnded(Instant before, int batch, java.time.Clock clock, Instant deadline) {
        long deleted = 0;
        try (Connection c = dataSource.getConnection()) {
            deleted += BatchDeletes.untilDone(c, "alert_notification", "x.created_at < ? AND x.outcome <> 'QUEUED'", before, batch,
                    clock, deadline);
            deleted += BatchDeletes.untilDone(c, "alert", "x.resolved_at < ? AND x.state = 'RESOLVED' AND NOT EXISTS "
                    + "(SELECT 1 FROM alert_notification n WHERE n.alert_ref = x.id)", before, batch, clock, deadline);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot delete the alerts past their retention: " + e.getMessage(), e);
        }
        return deleted;
    }

    // ---- plumbing

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, List<Object> args, RowReader reader) {
        query(sql, args, 0, reader);
    }

    private void query(String sql, List<Object> args, int maxRows, RowReader reader) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setMaxRows(maxRows);
            for (int i = 0; i < args.size(); i++) {
                Object a = args.get(i);
                ps.setObject(i + 1, a instanceof Instant t ? utc(t) : a);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the alerts: " + e.getMessage(), e);
        }
    }

    private static void time(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP);
        } else {
            ps.setObject(i, utc(t));
        }
    }

    private static LocalDateTime utc(Instant t) {
        return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int col) throws SQLException {
        LocalDateTime t = rs.getObject(col, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
