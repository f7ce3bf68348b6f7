package dev.migwatch.storage;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.TaskSnapshot;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * The poll log: one poll row per cycle, and a poll_call row for each call that did not succeed. A successful
 * call leaves only its count in poll.calls: its answer (request id included) is in raw_body, and a row per
 * successful call was most of the poll log's size while saying nothing a chart uses. A poll is identified by its
 * task and time (V8), which its calls refer to.
 */
final class PollLog {
    private PollLog() {
    }

    static void insert(Connection c, int taskRef, Instant at, TaskSnapshot s, String node) throws SQLException {
        ApiCall d = s.decisiveCall();
        int httpCalls = 0;
        Instant end = at;
        for (ApiCall a : s.calls()) {
            if (a.attempt() > 0) {
                httpCalls++;
            }
            Instant callEnd = a.calledAt().plusMillis(a.durationMs());
            if (callEnd.isAfter(end)) {
                end = callEnd;
            }
        }
        // a single node without a name writes what it wrote before V6
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO poll (task_ref, polled_at, outcome, calls, duration_ms, api, "
                + "http_status, request_id, error_code, error_message" + (node == null ? ") VALUES (?,?,?,?,?,?,?,?,?,?)"
                : ", node) VALUES (?,?,?,?,?,?,?,?,?,?,?)"))) {
            SqlRow row = new SqlRow(ps).integer(taskRef).time(at).str(d == null ? "OK" : d.outcome()).integer(httpCalls)
                    .num(Duration.between(at, end).toMillis()).str(d == null ? null : SqlRow.clip(d.api(), 64))
                    .integer(d == null ? null : d.httpStatus()).str(d == null ? null : SqlRow.clip(d.requestId(), 100))
                    .str(d == null ? null : SqlRow.clip(d.errorCode(), 200)).str(d == null ? null : SqlRow.clip(d.errorMessage(), 2000));
            if (node != null) {
                row.str(node);
            }
            ps.executeUpdate();
        }
        boolean anyFailed = s.calls().stream().anyMatch(a -> !a.ok());
        if (anyFailed) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO poll_call (task_ref, polled_at, api, attempt, called_at, "
                    + "duration_ms, http_status, request_id, outcome, error_code, error_message) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
                for (ApiCall a : s.calls()) {
                    if (a.ok()) {
                        continue;
                    }
                    new SqlRow(ps).integer(taskRef).time(at).str(SqlRow.clip(a.api(), 64)).integer(a.attempt()).time(SqlRow.micros(a.calledAt()))
                            .num(a.durationMs()).integer(a.httpStatus()).str(SqlRow.clip(a.requestId(), 100)).str(a.outcome())
                            .str(SqlRow.clip(a.errorCode(), 200)).str(SqlRow.clip(a.errorMessage(), 2000));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }
}
