package dev.migwatch.storage;

import dev.migwatch.history.ErrorEvent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * task_error: each distinct error once, with first seen / last seen / count. A standing error (one the
 * provider repeats at every poll until someone acts) costs an UPDATE per poll, not a row per poll.
 */
final class ErrorLedger {
    private ErrorLedger() {
    }

    static String fingerprint(ErrorEvent e) {
        return HistoryStore.sha256(String.join("\u0000", String.valueOf(e.origin()), String.valueOf(SqlRow.clip(e.originName(), 500)),
                String.valueOf(SqlRow.clip(e.code(), 200)), String.valueOf(SqlRow.clip(e.level(), 20)), String.valueOf(SqlRow.clip(e.message(), 4000)),
                String.valueOf(SqlRow.clip(e.reason(), 4000)), String.valueOf(SqlRow.clip(e.proposal(), 4000)), String.valueOf(e.detailJson())));
    }

    /** The fingerprints of the errors seen in the task's newest successful poll. */
    static Set<String> standing(Connection c, KnownTask task) throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT e.fingerprint FROM task_error e JOIN task_latest l ON l.task_ref = e.task_ref "
                + "WHERE e.task_ref = ? AND e.last_seen = l.last_ok_at")) {
            ps.setInt(1, task.id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    static void record(Connection c, KnownTask task, Instant at, List<ErrorEvent> errors, boolean late) throws SQLException {
        Map<String, ErrorEvent> distinct = new LinkedHashMap<>();
        for (ErrorEvent e : errors) {
            distinct.putIfAbsent(fingerprint(e), e);
        }
        Map<String, ErrorEvent> unknown = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("UPDATE task_error SET "
                + "first_seen = CASE WHEN first_seen > ? THEN ? ELSE first_seen END, "
                + "last_seen = CASE WHEN last_seen < ? THEN ? ELSE last_seen END, seen_count = seen_count + 1 "
                + "WHERE task_ref = ? AND fingerprint = ?")) {
            List<String> batched = new java.util.ArrayList<>();
            for (Map.Entry<String, ErrorEvent> e : distinct.entrySet()) {
                new SqlRow(ps).time(at).time(at).time(at).time(at).integer(task.id).str(e.getKey());
                if (task.standingErrors.contains(e.getKey())) {
                    ps.addBatch();
                    batched.add(e.getKey());
                } else if (ps.executeUpdate() == 0) {
                    unknown.put(e.getKey(), e.getValue());
                }
            }
            if (!batched.isEmpty()) {
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 0) { // pruned by retention since it was last seen
                        unknown.put(batched.get(i), distinct.get(batched.get(i)));
                    }
                }
            }
        }
        if (!unknown.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO task_error (task_ref, fingerprint, first_seen, last_seen, "
                    + "seen_count, origin, origin_name, code, err_level, message, reason, proposal, detail_json) "
                    + "VALUES (?,?,?,?,1,?,?,?,?,?,?,?,?)")) {
                for (Map.Entry<String, ErrorEvent> u : unknown.entrySet()) {
                    ErrorEvent e = u.getValue();
                    new SqlRow(ps).integer(task.id).str(u.getKey()).time(at).time(at).str(e.origin()).str(SqlRow.clip(e.originName(), 500))
                            .str(SqlRow.clip(e.code(), 200)).str(SqlRow.clip(e.level(), 20)).str(SqlRow.clip(e.message(), 4000)).str(SqlRow.clip(e.reason(), 4000))
                            .str(SqlRow.clip(e.proposal(), 4000)).str(e.detailJson());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (!late) {
            task.standingErrors = new HashSet<>(distinct.keySet());
        }
    }
}
