package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.ApiCall;
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
        assertEquals(1, count("SELECT COUNT(*) FROM task_sample"));
        assertEquals(2, count("SELECT COUNT(*) FROM step_sample WHERE cycle_id = '" + s.cycleId() + "'"));
        assertEquals(1, count("SELECT COUNT(*) FROM api_call"));
        assertEquals(1, count("SELECT COUNT(*) FROM raw_response"));
        assertEquals(1200, count("SELECT processed_records FROM step_sample WHERE step_key = 'FULL_TRANSFER'"));
    }

    @Test
    void aCycleThatCannotBeWrittenLeavesNoRowAtAll() throws SQLException {
        // two steps with one key violate the primary key after the api_call and task rows were inserted
        TaskSnapshot s = snapshot(List.of(step("X"), step("X")), body("{}"));
        assertThrows(SQLException.class, () -> store.write(s));
        for (String table : List.of("api_call", "task_sample", "step_sample", "raw_response")) {
            assertEquals(0, count("SELECT COUNT(*) FROM " + table), table);
        }
    }

    @Test
    void keepsABodyOnlyWhenItsContentChanged() throws SQLException {
        store.write(snapshot(List.of(), body("{\"RequestId\":\"r1\",\"Cost\":3,\"Data\":{\"Status\":\"RUNNING\"}}")));
        store.write(snapshot(List.of(), body("{\"RequestId\":\"r2\",\"Cost\":\"9\",\"Data\":{\"Status\":\"RUNNING\"}}")));
        assertEquals(1, count("SELECT COUNT(*) FROM raw_response"));
        store.write(snapshot(List.of(), body("{\"RequestId\":\"r3\",\"Data\":{\"Status\":\"FINISHED\"}}")));
        assertEquals(2, count("SELECT COUNT(*) FROM raw_response"));
        // a new store (a restart) compares with what the database holds
        HistoryStore restarted = new HistoryStore(ds);
        restarted.write(snapshot(List.of(), body("{\"RequestId\":\"r4\",\"Data\":{\"Status\":\"FINISHED\"}}")));
        assertEquals(2, count("SELECT COUNT(*) FROM raw_response"));
    }

    @Test
    void aFailedCycleKeepsItsCallsAndBodiesButNoTaskRows() throws SQLException {
        TaskSnapshot failed = TaskSnapshot.failed(UUID.randomUUID().toString(), "src", "oms", "np_1", Instant.now(),
                List.of(new ApiCall("DescribeProject", 1, Instant.now(), 12, 400, "req-1", "AUTH", "SignatureDoesNotMatch", "no")),
                List.of(body("{\"Code\":\"SignatureDoesNotMatch\"}")));
        store.write(failed);
        assertEquals(0, count("SELECT COUNT(*) FROM task_sample"));
        assertEquals(1, count("SELECT COUNT(*) FROM api_call WHERE outcome = 'AUTH' AND http_status = 400"));
        assertEquals(1, count("SELECT COUNT(*) FROM raw_response"));
    }

    @Test
    void taskLatestPointsAtTheNewestCycles() throws SQLException {
        TaskSnapshot ok = snapshot(List.of(step("FULL_TRANSFER")), body("{}"));
        store.write(ok);
        TaskSnapshot failed = TaskSnapshot.failed(UUID.randomUUID().toString(), "src", "oms", "np_1", Instant.now(),
                List.of(new ApiCall("DescribeProject", 1, Instant.now(), 5, null, null, "TIMEOUT", "SocketTimeoutException", "read")),
                List.of());
        store.write(failed);
        assertEquals(1, count("SELECT COUNT(*) FROM task_latest"));
        assertEquals(1, count("SELECT COUNT(*) FROM task_latest WHERE last_cycle_id = '" + failed.cycleId()
                + "' AND latest_ok_cycle_id = '" + ok.cycleId() + "' AND last_error_cycle_id IS NULL"));
        assertEquals(1, count("SELECT COUNT(*) FROM v_task_latest WHERE latest_cycle_id = '" + ok.cycleId()
                + "' AND last_poll_outcome = 'TIMEOUT'"));
    }

    @Test
    void anOlderCycleWrittenLateDoesNotMoveThePointersBack() throws SQLException {
        TaskSnapshot newer = snapshot(List.of(), body("{}"));
        TaskSnapshot older = snapshot(List.of(), body("{}"), newer.polledAt().minusSeconds(60));
        store.write(newer);
        store.write(older);
        assertEquals(1, count("SELECT COUNT(*) FROM task_latest WHERE last_cycle_id = '" + newer.cycleId()
                + "' AND latest_ok_cycle_id = '" + newer.cycleId() + "'"));
    }

    private static TaskSnapshot snapshot(List<StepSample> steps, RawBody body) {
        return snapshot(steps, body, Instant.now());
    }

    private static TaskSnapshot snapshot(List<StepSample> steps, RawBody body, Instant now) {
        TaskState task = new TaskState("orders", "MIGRATION", "RUNNING", NormalizedStatus.RUNNING, "FULL_TRANSFER", 40.0, null,
                null, 1200L, 3000L, null, null, null, null, null, null, null, now, null, "{}");
        return new TaskSnapshot(UUID.randomUUID().toString(), "src", "oms", "np_1", now, task, steps, List.of(), List.of(),
                List.of(new ApiCall("DescribeProject", 1, now, 20, 200, "req", "OK", null, null)), List.of(body));
    }

    private static StepSample step(String key) {
        return new StepSample(key, null, 1, key, null, "RUNNING", NormalizedStatus.RUNNING, 40.0, Instant.now(), null,
                new StepSample.Throughput(1200L, 3000L, 50.0, 1.5, 1000.0, 48.0, 2.0, 900.0, null, null, null),
                null, null, null, null);
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
