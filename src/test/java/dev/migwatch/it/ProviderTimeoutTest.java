package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.DtsScenario;
import dev.migwatch.simulator.FaultInjector.Fault;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.migwatch.it.FaultTestSupport.awaitSql;
import static dev.migwatch.it.FaultTestSupport.count;
import static dev.migwatch.it.FaultTestSupport.maxGapMillis;
import static dev.migwatch.it.FaultTestSupport.rows;
import static dev.migwatch.it.FaultTestSupport.times;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, "Timeouts": a task whose provider hangs beyond the source's read timeout is recorded as
 * TIMEOUT after its attempts, while the other task of the same source and another source go on being
 * recorded at their interval during the hang.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:migwatch/application.properties", configurationClasses = MigwatchConfiguration.class, properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-ProviderTimeoutTest",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:faults-timeout;DB_CLOSE_DELAY=-1"})
class ProviderTimeoutTest extends SimulatedSourcesTest {
    static final String HUNG = "udts-to-hung";
    static final String OK = "udts-to-ok";
    static final String OTHER = "dts_to_other";
    static final long INTERVAL = 250;
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(100)
            .withUdtsTask(HUNG, UdtsScenario.FULL_AND_INCREMENTAL)
            .withUdtsTask(OK, UdtsScenario.FULL_AND_INCREMENTAL)
            .withDtsJob(OTHER, DtsScenario.MIGRATION_WITH_SYNC));
    static final Map<String, String> PROPS;

    static {
        // every request for the hung task waits 3 s, far beyond the 500 ms read timeout
        SIMULATOR.faults().always(HUNG, Fault.hang(Duration.ofSeconds(3)));
        PROPS = new FaultTestSupport.Sources(SIMULATOR)
                .udts("to-udts", INTERVAL + "ms", HUNG + "," + OK)
                .set("to-udts", "read-timeout", "500ms")
                .set("to-udts", "connect-timeout", "500ms")
                .dts("to-dts", INTERVAL + "ms", OTHER)
                .global("migwatch.retry.base-delay", "200ms")
                .global("migwatch.retry.max-delay", "1s")
                .build();
    }




    ProviderTimeoutTest() {
        super(SIMULATOR, PROPS);
    }

    @Test
    void aHungTaskTimesOutWithoutHoldingUpItsNeighbours() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        // two full cycles of the hung task: 3 attempts of 500 ms each, plus backoff
        assertTrue(awaitSql(20_000, () -> count(db, "SELECT COUNT(DISTINCT polled_at) FROM api_call WHERE task_id = ? AND attempt = 3", HUNG) >= 2),
                "the hung task's cycles end after three attempts");
        Instant hangSeenFrom = times(db, "SELECT MIN(called_at) FROM api_call WHERE task_id = ?", HUNG).get(0);
        Instant hangSeenUntil = times(db, "SELECT MAX(called_at) FROM api_call WHERE task_id = ?", HUNG).get(0);

        // the hung task: TIMEOUT on every attempt, about the read timeout each, and no task rows
        List<Map<String, Object>> calls = rows(db, "SELECT attempt, outcome, duration_ms, http_status, error_code FROM api_call "
                + "WHERE task_id = ? ORDER BY called_at", HUNG);
        for (Map<String, Object> c : calls) {
            assertEquals("TIMEOUT", c.get("OUTCOME"), c.toString());
            assertEquals(null, c.get("HTTP_STATUS"), c.toString());
            long ms = ((Number) c.get("DURATION_MS")).longValue();
            assertTrue(ms >= 450 && ms < 2_000, "an attempt lasts about the 500 ms read timeout: " + c);
        }
        assertTrue(calls.stream().allMatch(c -> ((Number) c.get("ATTEMPT")).intValue() <= 3), "at most 3 attempts: " + calls);
        assertEquals(0, count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ?", HUNG));
        // each cycle of the hung task is one poll row decided by a TIMEOUT, with its three attempts counted
        List<Map<String, Object>> polls = rows(db, "SELECT p.polled_at, p.outcome, p.calls, p.api, p.http_status, (SELECT COUNT(*) "
                + "FROM api_call a WHERE a.source = p.source AND a.task_id = p.task_id AND a.polled_at = p.polled_at) AS call_rows "
                + "FROM v_poll_log p WHERE p.task_id = ? AND p.polled_at <= ?", HUNG, java.sql.Timestamp.from(hangSeenUntil));
        assertTrue(polls.size() >= 2, polls.toString());
        for (Map<String, Object> p : polls) {
            assertEquals("TIMEOUT", p.get("OUTCOME"), p.toString());
            assertEquals("GetUDTSTaskStatus", p.get("API"), p.toString());
            assertEquals(null, p.get("HTTP_STATUS"), p.toString());
            assertEquals(((Number) p.get("CALL_ROWS")).longValue(), ((Number) p.get("CALLS")).longValue(),
                    "every call of a failed cycle has its row: " + p);
        }

        // one cycle of the hung task at a time: the next tick does not pile another request onto the hung provider
        List<Map<String, Object>> cycles = rows(db, "SELECT polled_at, MIN(called_at) AS first_call, "
                + "MAX(DATEADD(MILLISECOND, duration_ms, called_at)) AS last_end FROM api_call WHERE task_id = ? "
                + "GROUP BY polled_at ORDER BY first_call", HUNG);
        for (int i = 1; i < cycles.size(); i++) {
            Instant previousEnd = (Instant) cycles.get(i - 1).get("LAST_END");
            Instant start = (Instant) cycles.get(i).get("FIRST_CALL");
            assertTrue(!start.isBefore(previousEnd.minusMillis(20)), "cycles of the hung task overlap: " + cycles);
        }
        assertTrue(SIMULATOR.stats().count(HUNG) <= 3L * cycles.size() + 3, "at most 3 requests per cycle: "
                + SIMULATOR.stats().count(HUNG) + " requests for " + cycles.size() + " cycles");

        // meanwhile the other task of the same source and the other source were recorded at their interval
        for (String task : List.of(OK, OTHER)) {
            // one successful poll row per recorded cycle (task_sample has a row only when a value changed)
            List<Instant> polled = times(db, "SELECT polled_at FROM v_poll_log WHERE task_id = ? AND outcome = 'OK' "
                    + "AND polled_at BETWEEN ? AND ? ORDER BY polled_at", task, java.sql.Timestamp.from(hangSeenFrom), java.sql.Timestamp.from(hangSeenUntil));
            long window = hangSeenUntil.toEpochMilli() - hangSeenFrom.toEpochMilli();
            assertTrue(polled.size() >= window / INTERVAL / 2, task + " kept being recorded during the " + window + " ms hang: "
                    + polled.size() + " samples");
            assertTrue(maxGapMillis(polled) < 4 * INTERVAL, task + " samples arrive at its interval during the hang; largest gap "
                    + maxGapMillis(polled) + " ms: " + polled);
        }

        // the provider comes back: the task is recorded again
        SIMULATOR.faults().clear();
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ?", HUNG) > 0
                        && count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'OK'", HUNG) > 0),
                "the task is recorded again once the provider answers");
    }
}
