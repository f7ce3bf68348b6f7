package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.poll.ContentHash;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryStoreTest {
    private static final Instant STARTED = Instant.parse("2026-02-01T00:00:00Z");
    private HikariDataSource ds;
    private HistoryStore store;

    @BeforeEach
    void open() {
        ds = HistoryDatabase.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", null);
        HistoryDatabase.migrate(ds);
        store = new HistoryStore(ds);
    }

    @AfterEach
    void close() {
        ds.close();
    }

    @Test
    void writesEveryPartOfACycleAndIgnoresARewrite() throws SQLException {
        TaskSnapshot s = snapshot(List.of(step("FULL_TRANSFER"), step("INCR_TRANSFER")), body("{\"RequestId\":\"a\",\"Data\":1}"));
        assertTrue(store.write(s));
        assertFalse(store.write(s), "the same cycle twice is a no-op");
        assertEquals(1, count("SELECT COUNT(*) FROM poll WHERE outcome = 'OK' AND calls = 1"));
        assertEquals(1, count("SELECT COUNT(*) FROM task_sample"));
        assertEquals(2, count("SELECT COUNT(*) FROM step_sample"));
        assertEquals(0, count("SELECT COUNT(*) FROM api_call"), "a successful call is counted, not logged");
        assertEquals(1, count("SELECT COUNT(*) FROM raw_body"));
        assertEquals(1200, count("SELECT processed_records FROM step_sample WHERE step_key = 'FULL_TRANSFER'"));
        try (Connection c = ds.getConnection()) {
            List<RawBodies.Answer> raw = RawBodies.read(c, "src", "np_1", null, null, 10);
            assertEquals(1, raw.size());
            assertEquals("{\"RequestId\":\"a\",\"Data\":1}", raw.get(0).body().body(), "the answer as the provider sent it");
            assertEquals("application/json", raw.get(0).body().contentType());
        }
    }

    @Test
    void aCycleThatCannotBeWrittenLeavesNoRowAtAll() throws SQLException {
        // two steps with one key: refused after the poll, raw and task rows were inserted
        TaskSnapshot s = snapshot(List.of(step("X"), step("X")), body("{}"));
        assertThrows(SQLException.class, () -> store.write(s));
        for (String table : List.of("task", "poll", "poll_call", "task_state", "step", "step_state", "raw_body")) {
            assertEquals(0, count("SELECT COUNT(*) FROM " + table), table);
        }
        // and what the writer remembered of the task was rolled back with it
        assertTrue(store.write(snapshot(List.of(step("X")), body("{}"))));
        assertEquals(1, count("SELECT COUNT(*) FROM step_state"));
    }

    @Test
    void storesAValueOnlyWhenItChanged() throws SQLException {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        for (int i = 0; i < 5; i++) {
            store.write(snapshot(List.of(step("FULL_TRANSFER"), step("INCR_TRANSFER")), body("{}"), t0.plusSeconds(30L * i)));
        }
        assertEquals(5, count("SELECT COUNT(*) FROM poll"));
        assertEquals(1, count("SELECT COUNT(*) FROM task_state"));
        assertEquals(2, count("SELECT COUNT(*) FROM step_state"));
        // one step moves, the other leaves the answer: a row for the one that moved and an "absent" row for the other
        StepSample moved = new StepSample("FULL_TRANSFER", null, 1, "FULL_TRANSFER", null, "RUNNING", NormalizedStatus.RUNNING, 41.0,
                step("x").startedAt(), null, step("x").throughput(), null, null, null, null);
        store.write(snapshot(List.of(moved), body("{}"), t0.plusSeconds(150)));
        assertEquals(1, count("SELECT COUNT(*) FROM task_state"));
        assertEquals(4, count("SELECT COUNT(*) FROM step_state"));
        assertEquals(1, count("SELECT COUNT(*) FROM step_state WHERE present = FALSE"));
        assertEquals(1, count("SELECT COUNT(*) FROM v_step_latest"), "only the step still in the answer");
        // a restart remembers nothing but what the database holds, and writes nothing new for an unchanged answer
        HistoryStore restarted = new HistoryStore(ds);
        restarted.write(snapshot(List.of(moved), body("{}"), t0.plusSeconds(180)));
        assertEquals(1, count("SELECT COUNT(*) FROM task_state"));
        assertEquals(4, count("SELECT COUNT(*) FROM step_state"));
        assertEquals(7, count("SELECT COUNT(*) FROM poll"));
    }

    /**
     * A step that stops changing gets a copy of its newest row on its own row (V17: what the task list reads for it), and
     * loses it in the transaction that writes it a new row; a copy left stale (as a writer of an older release leaves it)
     * is put right at the next successful poll, by a writer that knows only what the database holds.
     */
    @Test
    void aStepThatStopsChangingIsCopiedOntoItsRowUntilItChangesAgain() throws SQLException {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        store.write(snapshot(List.of(step("FULL_TRANSFER", 10.0), step("INCR_TRANSFER", 0.0)), body("{}"), t0));
        assertEquals(0, count("SELECT COUNT(*) FROM step WHERE settled_at IS NOT NULL"), "both rows are at the newest poll");
        store.write(snapshot(List.of(step("FULL_TRANSFER", 20.0), step("INCR_TRANSFER", 0.0)), body("{}"), t0.plusSeconds(30)));
        assertEquals("INCR_TRANSFER 2026-03-01 00:00:00 0.0",
                text("SELECT step_key || ' ' || settled_at || ' ' || settled_progress_pct FROM step WHERE settled_at IS NOT NULL"));
        // the full transfer stops: copied at the next poll, as of the poll that wrote its newest row
        store.write(snapshot(List.of(step("FULL_TRANSFER", 20.0), step("INCR_TRANSFER", 0.0)), body("{}"), t0.plusSeconds(60)));
        assertEquals("2026-03-01 00:00:30 20.0 RUNNING 1200 3000 50.0 48.0",
                text("SELECT settled_at || ' ' || settled_progress_pct || ' ' || settled_status || ' ' || settled_processed_records"
                        + " || ' ' || settled_capacity || ' ' || settled_src_rps || ' ' || settled_dst_rps FROM step WHERE step_key = 'FULL_TRANSFER'"));
        // what the task list shows for a settled step is its copy (a changed copy shows, the state row is not read)
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE step SET settled_raw_status = 'FROM THE COPY' WHERE step_key = 'FULL_TRANSFER'");
        }
        dev.migwatch.trends.TrendQueries reads = new dev.migwatch.trends.TrendQueries(ds);
        assertEquals("FROM THE COPY", dev.migwatch.trends.TrendQueries.stepsOf(reads.listedStepsOfAllTasks(), reads.taskRows().get(0))
                .stream().filter(r -> r.stepKey().equals("FULL_TRANSFER")).findFirst().orElseThrow().rawStatus());
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE step SET settled_raw_status = 'RUNNING' WHERE step_key = 'FULL_TRANSFER'");
        }
        // and moves again: the copy goes with the new row
        store.write(snapshot(List.of(step("FULL_TRANSFER", 30.0), step("INCR_TRANSFER", 0.0)), body("{}"), t0.plusSeconds(90)));
        assertEquals(0, count("SELECT COUNT(*) FROM step WHERE step_key = 'FULL_TRANSFER' AND settled_at IS NOT NULL"));
        assertEquals(1, count("SELECT COUNT(*) FROM step WHERE step_key = 'INCR_TRANSFER' AND settled_at IS NOT NULL"));

        // a stale copy, as an older writer leaves one, is put right by a restarted writer's next poll
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE step SET settled_at = TIMESTAMP '2026-03-01 00:00:30', settled_progress_pct = 20.0,"
                    + " settled_present = TRUE WHERE step_key = 'FULL_TRANSFER'");
        }
        new HistoryStore(ds).write(snapshot(List.of(step("FULL_TRANSFER", 30.0), step("INCR_TRANSFER", 0.0)), body("{}"), t0.plusSeconds(120)));
        assertEquals("2026-03-01 00:01:30 30.0",
                text("SELECT settled_at || ' ' || settled_progress_pct FROM step WHERE step_key = 'FULL_TRANSFER'"));
    }

    @Test
    void aStandingErrorIsOneRowWithItsFirstAndLastSightingAndCount() throws SQLException {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        ErrorEvent standing = new ErrorEvent("STEP", "FULL_TRANSFER", "E1", "ERROR", "table t has no primary key", null, "add one", null);
        ErrorEvent once = new ErrorEvent("RESPONSE", null, "W2", "WARNING", "slow", null, null, null);
        for (int i = 0; i < 4; i++) {
            List<ErrorEvent> errors = i == 1 ? List.of(standing, once, standing) : List.of(standing);
            store.write(withErrors(snapshot(List.of(), body("{}"), t0.plusSeconds(30L * i)), errors));
        }
        new HistoryStore(ds).write(withErrors(snapshot(List.of(), body("{}"), t0.plusSeconds(120)), List.of(standing)));
        assertEquals(2, count("SELECT COUNT(*) FROM task_error"));
        assertEquals(5, count("SELECT seen_count FROM v_errors WHERE code = 'E1'"), "once per poll, also after a restart");
        assertEquals(1, count("SELECT seen_count FROM v_errors WHERE code = 'W2'"));
        assertEquals(1, count("SELECT COUNT(*) FROM v_errors WHERE code = 'E1' AND first_seen = TIMESTAMP '2026-03-01 00:00:00'"
                + " AND last_seen = TIMESTAMP '2026-03-01 00:02:00'"));
        assertEquals(1, count("SELECT COUNT(*) FROM v_task_latest WHERE last_error_code = 'E1'"));
    }

    @Test
    void keepsABodyOnlyWhenItsContentChangedAndStoresItAsADeltaAgainstItsKeyframe() throws SQLException {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        // an answer of realistic size: what stays the same between polls is most of it
        StringBuilder tables = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            tables.append(i == 0 ? "" : ",").append("{\"Name\":\"table_").append(i).append("\",\"Rows\":").append(1000L * i).append('}');
        }
        String first = "{\"RequestId\":\"r1\",\"Cost\":3,\"Data\":{\"Status\":\"RUNNING\",\"Tables\":[" + tables + "]}}";
        String same = "{\"RequestId\":\"r2\",\"Cost\":\"9\",\"Data\":{\"Status\":\"RUNNING\",\"Tables\":[" + tables + "]}}";
        String changed = "{\"RequestId\":\"r3\",\"Data\":{\"Status\":\"FINISHED\",\"Tables\":[" + tables + "]}}";
        store.write(snapshot(List.of(), body(first), t0));
        store.write(snapshot(List.of(), body(same), t0.plusSeconds(30)));
        assertEquals(1, count("SELECT COUNT(*) FROM raw_body"), "the same answer but for RequestId and Cost");
        store.write(snapshot(List.of(), body(changed), t0.plusSeconds(60)));
        assertEquals(2, count("SELECT COUNT(*) FROM raw_body"));
        assertEquals(1, count("SELECT COUNT(*) FROM raw_body WHERE encoding = 'delta' AND base_at = TIMESTAMP '2026-03-01 00:00:00'"));
        long keyframe = count("SELECT OCTET_LENGTH(body) FROM raw_body WHERE encoding = 'deflate'");
        long delta = count("SELECT OCTET_LENGTH(body) FROM raw_body WHERE encoding = 'delta'");
        assertTrue(delta < 60, "a delta of " + delta + " bytes for an answer of " + changed.length() + " (keyframe " + keyframe + ")");
        assertTrue(keyframe * 3 < first.length(), "the keyframe is compressed: " + keyframe + " of " + first.length());
        try (Connection c = ds.getConnection()) {
            List<RawBodies.Answer> raw = RawBodies.read(c, "src", "np_1", null, null, 10);
            assertEquals(List.of(changed, first), raw.stream().map(a -> a.body().body()).toList(),
                    "newest first, the delta read through its keyframe");
        }
        // a restart starts a new keyframe, and raw bodies stay readable across it
        new HistoryStore(ds).write(snapshot(List.of(), body(first), t0.plusSeconds(90)));
        assertEquals(2, count("SELECT COUNT(*) FROM raw_body WHERE encoding = 'deflate'"));
    }

    @Test
    void aFailedCycleKeepsItsCallsAndBodiesButNoTaskRows() throws SQLException {
        TaskSnapshot failed = TaskSnapshot.failed(UUID.randomUUID().toString(), "src", "oms", "np_1", Instant.now(),
                List.of(new ApiCall("DescribeProject", 1, Instant.now(), 12, 400, "req-1", "AUTH", "SignatureDoesNotMatch", "no")),
                List.of(body("{\"Code\":\"SignatureDoesNotMatch\"}")));
        store.write(failed);
        assertEquals(0, count("SELECT COUNT(*) FROM task_sample"));
        assertEquals(1, count("SELECT COUNT(*) FROM api_call WHERE outcome = 'AUTH' AND http_status = 400 AND request_id = 'req-1'"));
        assertEquals(1, count("SELECT COUNT(*) FROM v_poll_log WHERE outcome = 'AUTH' AND error_code = 'SignatureDoesNotMatch'"));
        assertEquals(1, count("SELECT COUNT(*) FROM raw_body"));
    }

    @Test
    void taskPointersFollowTheNewestCycles() throws SQLException {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        TaskSnapshot ok = snapshot(List.of(step("FULL_TRANSFER")), body("{}"), t0);
        store.write(ok);
        TaskSnapshot failed = TaskSnapshot.failed(UUID.randomUUID().toString(), "src", "oms", "np_1", t0.plusSeconds(30),
                List.of(new ApiCall("DescribeProject", 1, t0.plusSeconds(30), 5, null, null, "TIMEOUT", "SocketTimeoutException", "read")),
                List.of());
        store.write(failed);
        assertEquals(1, count("SELECT COUNT(*) FROM task_latest WHERE last_polled_at = TIMESTAMP '2026-03-01 00:00:30'"
                + " AND last_ok_at = TIMESTAMP '2026-03-01 00:00:00' AND state_at = TIMESTAMP '2026-03-01 00:00:00'"
                + " AND last_outcome = 'TIMEOUT'"));
        assertEquals(1, count("SELECT COUNT(*) FROM v_task_latest WHERE last_error_at IS NULL"));
        assertEquals(1, count("SELECT COUNT(*) FROM v_task_latest WHERE sampled_at = TIMESTAMP '2026-03-01 00:00:00'"
                + " AND last_poll_outcome = 'TIMEOUT' AND status = 'RUNNING'"));
    }

    @Test
    void anOlderCycleWrittenLateDoesNotMoveThePointersBack() throws SQLException {
        Instant t0 = Instant.parse("2026-03-01T00:01:00Z");
        TaskSnapshot newer = snapshot(List.of(), body("{}"), t0);
        TaskSnapshot older = snapshot(List.of(), body("{}"), t0.minusSeconds(60));
        store.write(newer);
        store.write(older);
        assertEquals(1, count("SELECT COUNT(*) FROM task_latest WHERE last_polled_at = TIMESTAMP '2026-03-01 00:01:00'"
                + " AND last_ok_at = TIMESTAMP '2026-03-01 00:01:00' AND last_outcome = 'OK'"));
        assertEquals(2, count("SELECT COUNT(*) FROM poll"), "the late cycle is in the poll log");
        assertEquals(1, count("SELECT COUNT(*) FROM task_state"), "but its values do not rewrite the past");
    }

    @Test
    void anOmsTasksRecordCountsAreItsRunningFullTransfersAndNotRepeatedInTaskState() throws SQLException {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        for (String provider : List.of("oms", "dts")) {
            for (int n = 0; n < 3; n++) {
                // what OmsProjectMapper does: the task's counts are the running FULL_TRANSFER's, which grow at every poll
                long processed = 1000L * (n + 1);
                StepSample full = new StepSample("FULL_TRANSFER", null, 2, "FULL_TRANSFER", null, "RUNNING", NormalizedStatus.RUNNING,
                        40.0, STARTED, null, new StepSample.Throughput(processed, 5000L, 50.0, 1.5, 1000.0, 48.0, 2.0, 900.0, null, null, null),
                        null, null, null, null);
                TaskState task = new TaskState("orders", "MIGRATION", "RUNNING", NormalizedStatus.RUNNING, "FULL_TRANSFER", 40.0, null,
                        null, processed, 5000L, null, null, null, null, null, null, null, STARTED, null, "{}");
                Instant at = t0.plusSeconds(30L * n);
                store.write(new TaskSnapshot(UUID.randomUUID().toString(), "src", provider, "t_" + provider, at, task, List.of(full),
                        List.of(), List.of(), List.of(new ApiCall("DescribeProject", 1, at, 20, 200, "req", "OK", null, null)), List.of()));
            }
        }
        assertEquals(1, count("SELECT COUNT(*) FROM task_sample WHERE task_id = 't_oms'"), "one row: the counts are the step's");
        assertEquals(0, count("SELECT COUNT(*) FROM task_sample WHERE task_id = 't_oms' AND processed_records IS NOT NULL"));
        assertEquals(3, count("SELECT COUNT(*) FROM step_sample WHERE task_id = 't_oms'"));
        assertEquals(3000, count("SELECT processed_records FROM v_task_latest WHERE task_id = 't_oms'"), "the newest step row's");
        assertEquals(5000, count("SELECT total_records FROM v_task_latest WHERE task_id = 't_oms'"));
        // another provider's counts are its own, stored as they come
        assertEquals(3, count("SELECT COUNT(*) FROM task_sample WHERE task_id = 't_dts' AND processed_records IS NOT NULL"));
        assertEquals(3000, count("SELECT processed_records FROM v_task_latest WHERE task_id = 't_dts'"));
    }

    private static TaskSnapshot withErrors(TaskSnapshot s, List<ErrorEvent> errors) {
        return new TaskSnapshot(s.cycleId(), s.source(), s.provider(), s.taskId(), s.polledAt(), s.task(), s.steps(), s.components(),
                errors, s.calls(), s.rawBodies());
    }

    private static TaskSnapshot snapshot(List<StepSample> steps, RawBody body) {
        return snapshot(steps, body, Instant.now());
    }

    private static TaskSnapshot snapshot(List<StepSample> steps, RawBody body, Instant now) {
        TaskState task = new TaskState("orders", "MIGRATION", "RUNNING", NormalizedStatus.RUNNING, "FULL_TRANSFER", 40.0, null,
                null, 1200L, 3000L, null, null, null, null, null, null, null, STARTED, null, "{}");
        return new TaskSnapshot(UUID.randomUUID().toString(), "src", "oms", "np_1", now, task, steps, List.of(), List.of(),
                List.of(new ApiCall("DescribeProject", 1, now, 20, 200, "req", "OK", null, null)), List.of(body));
    }

    private static StepSample step(String key) {
        return step(key, 40.0);
    }

    private static StepSample step(String key, double progress) {
        return new StepSample(key, null, 1, key, null, "RUNNING", NormalizedStatus.RUNNING, progress, STARTED, null,
                new StepSample.Throughput(1200L, 3000L, 50.0, 1.5, 1000.0, 48.0, 2.0, 900.0, null, null, null),
                null, null, null, null);
    }

    private String text(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            String v = rs.getString(1);
            assertFalse(rs.next(), "one row: " + sql);
            return v;
        }
    }

    private static RawBody body(String json) {
        return new RawBody("DescribeProject", ContentHash.of(json), "application/json", json);
    }

    private long count(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
