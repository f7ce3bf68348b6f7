package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.DtsScenario;
import dev.migwatch.simulator.FaultInjector.Fault;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.migwatch.it.FaultTestSupport.awaitSql;
import static dev.migwatch.it.FaultTestSupport.count;
import static dev.migwatch.it.FaultTestSupport.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, "HTTP 5xx and network errors": bounded retries with exponential backoff and jitter, through the
 * real routes. Faults are queued before the first poll, so the first cycle of each task meets them.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:migwatch/application.properties", configurationClasses = MigwatchConfiguration.class, properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-ProviderRetryTest",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:faults-retry;DB_CLOSE_DELAY=-1"})
class ProviderRetryTest extends SimulatedSourcesTest {
    static final long BASE_DELAY = 300;
    static final String OMS_5XX = "np_rt_5xx";
    static final String OMS_EXHAUSTED = "np_rt_exhausted";
    static final String UDTS_503 = "udts-rt-503";
    static final String UDTS_DROP = "udts-rt-drop";
    static final String DTS_DROP = "dts_rt_drop";
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(100)
            .withOmsProject(OMS_5XX, OmsScenario.FULL_THEN_INCREMENTAL)
            .withOmsProject(OMS_EXHAUSTED, OmsScenario.FULL_THEN_INCREMENTAL)
            .withUdtsTask(UDTS_503, UdtsScenario.FULL_AND_INCREMENTAL)
            .withUdtsTask(UDTS_DROP, UdtsScenario.FULL_AND_INCREMENTAL)
            .withDtsJob(DTS_DROP, DtsScenario.MIGRATION_WITH_SYNC));
    static final Map<String, String> PROPS;

    static {
        SIMULATOR.faults()
                .queue(OMS_5XX, "DescribeProject", Fault.serverError(), 2)
                .queue(OMS_EXHAUSTED, "DescribeProjectSteps", Fault.serverError(), 3)
                .queue(UDTS_503, Fault.serverError(), 2)
                .queue(UDTS_DROP, Fault.drop(), 1)
                .queue(DTS_DROP, Fault.drop(), 1);
        PROPS = new FaultTestSupport.Sources(SIMULATOR)
                .oms("rt-oms", "300ms", OMS_5XX + "," + OMS_EXHAUSTED)
                .udts("rt-udts", "300ms", UDTS_503 + "," + UDTS_DROP)
                .dts("rt-dts", "300ms", DTS_DROP)
                .global("migwatch.retry.base-delay", BASE_DELAY + "ms")
                .global("migwatch.retry.max-delay", "2s")
                .build();
    }




    ProviderRetryTest() {
        super(SIMULATOR, PROPS);
    }

    @Test
    void twoServerErrorsThenSuccessIsOneRecordedCycle() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        String cycle = firstCycle(db, OMS_5XX);
        List<Map<String, Object>> attempts = attempts(db, cycle, "DescribeProject");
        assertEquals(3, attempts.size(), attempts.toString());
        for (int i = 0; i < 2; i++) {
            Map<String, Object> a = attempts.get(i);
            assertEquals("ERROR", a.get("OUTCOME"), a.toString());
            assertEquals(500, a.get("HTTP_STATUS"), a.toString());
            assertEquals("ServiceUnavailable", a.get("ERROR_CODE"), a.toString());
            assertTrue(a.get("ERROR_MESSAGE").toString().contains("temporary failure"), a.toString());
        }
        assertEquals("OK", attempts.get(2).get("OUTCOME"));
        // the cycle went on with the other two calls, once each, and its rows are stored
        assertEquals(1, count(db, "SELECT COUNT(*) FROM api_call WHERE cycle_id = ? AND api = 'DescribeProjectSteps' AND outcome = 'OK'", cycle));
        assertEquals(1, count(db, "SELECT COUNT(*) FROM api_call WHERE cycle_id = ? AND api = 'DescribeProjectComponents' AND outcome = 'OK'", cycle));
        assertEquals(1, count(db, "SELECT COUNT(*) FROM task_sample WHERE cycle_id = ?", cycle));
        assertTrue(count(db, "SELECT COUNT(*) FROM step_sample WHERE cycle_id = ?", cycle) > 0);
        assertBackoff(attempts);
    }

    @Test
    void aCallThatFailsOnEveryAttemptStopsAfterThreeAndTheCycleStoresNoTaskRows() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        String cycle = firstCycle(db, OMS_EXHAUSTED);
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM api_call WHERE cycle_id = ?", cycle) >= 4));
        List<Map<String, Object>> steps = attempts(db, cycle, "DescribeProjectSteps");
        assertEquals(3, steps.size(), "max-attempts is 3: " + steps);
        assertTrue(steps.stream().allMatch(a -> "ERROR".equals(a.get("OUTCOME")) && Integer.valueOf(500).equals(a.get("HTTP_STATUS"))), steps.toString());
        assertBackoff(steps);
        // the cycle has failed: its third call is not made, and nothing but the poll log is stored
        assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE cycle_id = ? AND api = 'DescribeProjectComponents'", cycle));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM task_sample WHERE cycle_id = ?", cycle));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM step_sample WHERE cycle_id = ?", cycle));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM component_sample WHERE cycle_id = ?", cycle));
        // and the next cycles succeed
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ?", OMS_EXHAUSTED) > 0));
    }

    @Test
    void ucloudFrontProxy503IsRetried() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        String cycle = firstCycle(db, UDTS_503);
        List<Map<String, Object>> attempts = attempts(db, cycle, "GetUDTSTaskStatus");
        assertEquals(3, attempts.size(), attempts.toString());
        for (int i = 0; i < 2; i++) {
            assertEquals("ERROR", attempts.get(i).get("OUTCOME"));
            assertEquals(503, attempts.get(i).get("HTTP_STATUS"));
            assertEquals("HTTP 503", attempts.get(i).get("ERROR_CODE"));
        }
        assertEquals("OK", attempts.get(2).get("OUTCOME"));
        assertEquals(1, count(db, "SELECT COUNT(*) FROM task_sample WHERE cycle_id = ?", cycle));
        assertBackoff(attempts);
    }

    @Test
    void aDroppedConnectionIsANetworkFailureAndIsRetried() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        for (String[] t : List.of(new String[]{UDTS_DROP, "GetUDTSTaskStatus"}, new String[]{DTS_DROP, "ListJobStep"})) {
            String cycle = firstCycle(db, t[0]);
            List<Map<String, Object>> attempts = attempts(db, cycle, t[1]);
            assertEquals(2, attempts.size(), attempts.toString());
            Map<String, Object> dropped = attempts.get(0);
            assertEquals("NETWORK", dropped.get("OUTCOME"), dropped.toString());
            assertNull(dropped.get("HTTP_STATUS"), dropped.toString());
            assertTrue(dropped.get("ERROR_MESSAGE") != null && !dropped.get("ERROR_MESSAGE").toString().isBlank(), dropped.toString());
            assertEquals("OK", attempts.get(1).get("OUTCOME"));
            assertEquals(1, count(db, "SELECT COUNT(*) FROM task_sample WHERE cycle_id = ?", cycle));
            assertBackoff(attempts);
        }
    }

    /** The first cycle of a task that made a call (the faults were queued for it), once its last call is in. */
    private static String firstCycle(DataSource db, String task) throws Exception {
        assertTrue(awaitSql(15_000, () -> count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ?", task) >= 2
                || count(db, "SELECT COUNT(DISTINCT cycle_id) FROM api_call WHERE task_id = ?", task) >= 3), "polls of " + task);
        return rows(db, "SELECT cycle_id FROM api_call WHERE task_id = ? ORDER BY called_at", task).get(0).get("CYCLE_ID").toString();
    }

    private static List<Map<String, Object>> attempts(DataSource db, String cycle, String api) throws SQLException {
        return rows(db, "SELECT attempt, called_at, duration_ms, outcome, http_status, error_code, error_message FROM api_call "
                + "WHERE cycle_id = ? AND api = ? ORDER BY attempt", cycle, api);
    }

    /** Attempt n+1 starts at least the jittered backoff (>= half of base * 2^(n-1)) after attempt n ended. */
    private static void assertBackoff(List<Map<String, Object>> attempts) {
        for (int i = 1; i < attempts.size(); i++) {
            Instant previous = (Instant) attempts.get(i - 1).get("CALLED_AT");
            long previousDuration = ((Number) attempts.get(i - 1).get("DURATION_MS")).longValue();
            Instant next = (Instant) attempts.get(i).get("CALLED_AT");
            long waited = next.toEpochMilli() - previous.toEpochMilli() - previousDuration;
            long minimum = BASE_DELAY * (1L << (i - 1)) / 2;
            assertTrue(waited >= minimum - 5, "attempt " + (i + 1) + " waited " + waited + " ms, at least " + minimum + " expected: " + attempts);
            assertTrue(waited <= 2_000 + 200, "backoff capped by max-delay: " + waited + " ms");
        }
    }
}
