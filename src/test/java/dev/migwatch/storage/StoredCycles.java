package dev.migwatch.storage;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the crash and outage tests read back from the compact history (V3): which cycles of a {@link Snapshots}
 * task are stored (a cycle is identified by its task and polled_at), and whether a stored cycle is complete: its
 * poll row and failed calls, and the task's, steps' and components' values as of its polled_at exactly as the
 * snapshot had them, and its raw answers.
 */
final class StoredCycles {
    private StoredCycles() {
    }

    /** The cycle numbers of the task's poll rows, in the given order (a cycle stored twice would show twice). */
    static List<Integer> cycles(DataSource ds, String taskId, String orderBy) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT p.polled_at FROM poll p "
                + "JOIN task t ON t.id = p.task_ref WHERE t.task_id = ? ORDER BY p." + orderBy)) {
            ps.setString(1, taskId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(cycleNumber(rs.getObject(1, LocalDateTime.class).toInstant(ZoneOffset.UTC)));
                }
            }
        }
        return out;
    }

    /** Ordered by polled_at. */
    static List<Integer> byPollTime(DataSource ds, String taskId) throws SQLException {
        return cycles(ds, taskId, "polled_at");
    }

    /**
     * In the order the poll rows were inserted: H2's row id (the poll log has no surrogate key since V8; H2 numbers the
     * rows of such a table in insertion order). The crash and outage tests run on H2.
     */
    static List<Integer> inInsertOrder(DataSource ds, String taskId) throws SQLException {
        return cycles(ds, taskId, "_ROWID_");
    }

    static int cycleNumber(Instant polledAt) {
        long ms = Duration.between(SqlRow.micros(Snapshots.START), polledAt).toMillis();
        if (ms % 30_000 != 0) {
            throw new AssertionError("not the polled_at of a Snapshots cycle: " + polledAt);
        }
        return (int) (ms / 30_000);
    }

    /** Poll rows of the task at the cycle's polled_at (0 or 1: (task, polled_at) is unique). */
    static long polls(DataSource ds, TaskSnapshot s) throws SQLException {
        return count(ds, "SELECT COUNT(*) FROM poll p JOIN task t ON t.id = p.task_ref WHERE t.source = ? AND t.task_id = ? "
                + "AND p.polled_at = ?", s.source(), s.taskId(), SqlRow.micros(s.polledAt()));
    }

    /**
     * The stored cycle is all there: its poll row (outcome, call count) and a poll_call row per failed call; for a
     * successful cycle the task's, steps' and components' values as of its polled_at are the snapshot's, each of
     * them written by this cycle or carried forward unchanged from an earlier one; its raw answers decode to
     * the snapshot's bodies. A failed cycle has no state row at its polled_at.
     */
    static void assertComplete(DataSource ds, TaskSnapshot s, int n) throws SQLException {
        Instant at = SqlRow.micros(s.polledAt());
        try (Connection c = ds.getConnection()) {
            int taskRef = (int) count(c, "SELECT id FROM task WHERE source = ? AND task_id = ?", s.source(), s.taskId());
            List<Object[]> poll = rows(c, "SELECT polled_at, outcome, calls FROM poll WHERE task_ref = ? AND polled_at = ?", taskRef, at);
            assertEquals(1, poll.size(), "poll row of cycle " + n);
            assertEquals(s.outcome(), poll.get(0)[1], "outcome of cycle " + n);
            assertEquals(s.calls().stream().filter(a -> a.attempt() > 0).count(), ((Number) poll.get(0)[2]).longValue(),
                    "calls of cycle " + n);
            List<String> failed = new ArrayList<>();
            for (ApiCall a : s.calls()) {
                if (!a.ok()) {
                    failed.add(a.api() + "/" + a.attempt() + "/" + a.outcome());
                }
            }
            List<String> stored = new ArrayList<>();
            for (Object[] r : rows(c, "SELECT api, attempt, outcome FROM poll_call WHERE task_ref = ? AND polled_at = ? "
                    + "ORDER BY called_at, attempt", taskRef, at)) {
                stored.add(r[0] + "/" + r[1] + "/" + r[2]);
            }
            assertEquals(failed, stored, "failed calls of cycle " + n);

            long taskRows = count(c, "SELECT COUNT(*) FROM task_state WHERE task_ref = ? AND polled_at = ?", taskRef, at);
            if (!s.succeeded()) {
                assertEquals(0, taskRows + count(c, "SELECT COUNT(*) FROM step_state s JOIN step d ON d.id = s.step_ref "
                        + "WHERE d.task_ref = ? AND s.polled_at = ?", taskRef, at)
                        + count(c, "SELECT COUNT(*) FROM component_state s JOIN component d ON d.id = s.component_ref "
                        + "WHERE d.task_ref = ? AND s.polled_at = ?", taskRef, at), "state rows of failed cycle " + n);
                assertEquals(List.of(), RawBodies.read(c, taskRef, at), "raw answers of failed cycle " + n);
                return;
            }
            // every Snapshots cycle changes the task's progress, so each successful one has its own task row
            assertEquals(1, taskRows, "task row of cycle " + n);
            assertEquals(Map.of("", StateTable.of(s)), asOf(c, StateTable.TASK, "task", "''", taskRef, at), "task of cycle " + n);
            Map<String, List<Object>> steps = new LinkedHashMap<>();
            for (StepSample st : s.steps()) {
                steps.put(st.stepKey(), StateTable.of(st));
            }
            assertEquals(steps, present(asOf(c, StateTable.STEP, "step", "d.step_key", taskRef, at)), "steps of cycle " + n);
            Map<String, List<Object>> components = new LinkedHashMap<>();
            for (ComponentSample k : s.components()) {
                components.put(k.kind() + "/" + k.name(), StateTable.of(k));
            }
            assertEquals(components, present(asOf(c, StateTable.COMPONENT, "component", "d.kind || '/' || d.name", taskRef, at)),
                    "components of cycle " + n);
            List<String> bodies = new ArrayList<>();
            for (RawBody b : s.rawBodies()) {
                bodies.add(b.api() + " " + b.contentType() + " " + b.body());
            }
            List<String> read = new ArrayList<>();
            for (RawBody b : RawBodies.read(c, taskRef, at)) {
                read.add(b.api() + " " + b.contentType() + " " + b.body());
            }
            assertEquals(bodies, read, "raw answers of cycle " + n);
        }
    }

    /**
     * No state row of a cycle that is not stored (a half-written cycle would show here), and the error ledger
     * counts each error of each stored successful cycle once.
     */
    static void assertNoStrayRows(DataSource ds, String taskId, IntFunction<TaskSnapshot> snapshot) throws SQLException {
        String okPoll = "SELECT 1 FROM poll p WHERE p.task_ref = %s AND p.polled_at = %s AND p.outcome = 'OK'";
        assertEquals(0, count(ds, "SELECT COUNT(*) FROM task_state s WHERE NOT EXISTS (" + okPoll.formatted("s.task_ref", "s.polled_at") + ")"));
        assertEquals(0, count(ds, "SELECT COUNT(*) FROM step_state s JOIN step d ON d.id = s.step_ref WHERE NOT EXISTS ("
                + okPoll.formatted("d.task_ref", "s.polled_at") + ")"));
        assertEquals(0, count(ds, "SELECT COUNT(*) FROM component_state s JOIN component d ON d.id = s.component_ref WHERE NOT EXISTS ("
                + okPoll.formatted("d.task_ref", "s.polled_at") + ")"));
        assertEquals(0, count(ds, "SELECT COUNT(*) FROM task_error e WHERE NOT EXISTS (" + okPoll.formatted("e.task_ref", "e.first_seen")
                + ") OR NOT EXISTS (" + okPoll.formatted("e.task_ref", "e.last_seen") + ")"));
        assertEquals(0, count(ds, "SELECT COUNT(*) FROM raw_body r WHERE NOT EXISTS (SELECT 1 FROM poll p WHERE p.task_ref = r.task_ref "
                + "AND p.polled_at = r.received_at)"));
        long errors = 0;
        for (int n : byPollTime(ds, taskId)) {
            TaskSnapshot s = snapshot.apply(n);
            errors += s.errors().stream().map(ErrorLedger::fingerprint).distinct().count();
        }
        assertEquals(errors, count(ds, "SELECT COALESCE(SUM(e.seen_count), 0) FROM task_error e JOIN task t ON t.id = e.task_ref "
                + "WHERE t.task_id = ?", taskId), "each error of each stored cycle counted once");
    }

    /** The entity key -> values of the newest state row at or before at, of each of the task's entities. */
    private static Map<String, List<Object>> asOf(Connection c, StateTable states, String dimension, String keyExpr, int taskRef,
                                                  Instant at) throws SQLException {
        String sql = "SELECT d.id, " + states.columns.stream().map(col -> "s." + col.name()).reduce((a, b) -> a + ", " + b).orElseThrow()
                + ", " + keyExpr + " FROM " + dimension + " d JOIN " + states.table + " s ON s." + states.refColumn + " = d.id "
                + "AND s.polled_at = (SELECT MAX(x.polled_at) FROM " + states.table + " x WHERE x." + states.refColumn + " = d.id "
                + "AND x.polled_at <= ?) WHERE d." + (states == StateTable.TASK ? "id" : "task_ref") + " = ?";
        Map<String, List<Object>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            new SqlRow(ps).time(at).integer(taskRef);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(states.columns.size() + 2), states.read(rs));
                }
            }
        }
        return out;
    }

    /** Entities whose state says present (the first value of step and component states). */
    private static Map<String, List<Object>> present(Map<String, List<Object>> states) {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        states.forEach((k, v) -> {
            if (Boolean.TRUE.equals(v.get(0))) {
                out.put(k, v);
            }
        });
        return out;
    }

    static long count(DataSource ds, String sql, Object... args) throws SQLException {
        try (Connection c = ds.getConnection()) {
            return count(c, sql, args);
        }
    }

    private static long count(Connection c, String sql, Object... args) throws SQLException {
        List<Object[]> r = rows(c, sql, args);
        return r.isEmpty() || r.get(0)[0] == null ? 0 : ((Number) r.get(0)[0]).longValue();
    }

    private static List<Object[]> rows(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Instant t) {
                    ps.setObject(i + 1, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
                } else {
                    ps.setObject(i + 1, args[i]);
                }
            }
            List<Object[]> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[n];
                    for (int i = 0; i < n; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    out.add(row);
                }
            }
            return out;
        }
    }
}
