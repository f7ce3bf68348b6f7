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
        Map<String, Object> cycle = firstCycle(db, OMS_5XX);
        List<Map<String, Object>> attempts = failedAttempts(db, cycle, "DescribeProject");
        assertEquals(2, attempts.size(), "two failed attempts, the third succeeded: " + attempts);
        for (int i = 0; i < 2; i++) {
            Map<String, Object> a = attempts.get(i);
            assertEquals(i + 1, ((Number) a.get("ATTEMPT")).intValue(), a.toString());
            assertEquals("ERROR", a.get("OUTCOME"), a.toString());
            assertEquals(500, a.get("HTTP_STATUS"), a.toString());
            assertEquals("ServiceUnavailable", a.get("ERROR_CODE"), a.toString());
            assertTrue(a.get("ERROR_MESSAGE").toString().contains("temporary failure"), a.toString());
        }
        // the cycle succeeded and went on with the other two calls, once each (a successful call is only counted):
        // 3 attempts of DescribeProject + DescribeProjectSteps + DescribeProjectComponents
        assertEquals("OK", cycle.get("OUTCOME"), cycle.toString());
        assertEquals(5, ((Number) cycle.get("CALLS")).intValue(), cycle.toString());
        assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND polled_at = ? AND api <> 'DescribeProject'",
                cycle.get("TASK_ID"), at(cycle)));
        // its rows are stored (the task's first successful cycle, so every value is new)
        assertEquals(1, count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ? AND polled_at = ?", OMS_5XX, at(cycle)));
        assertTrue(count(db, "SELECT COUNT(*) FROM step_sample WHERE task_id = ? AND polled_at = ?", OMS_5XX, at(cycle)) > 0);
        assertBackoff(withSuccessfulAttempt(attempts, OMS_5XX));
    }

    @Test
    void aCallThatFailsOnEveryAttemptStopsAfterThreeAndTheCycleStoresNoTaskRows() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        Map<String, Object> cycle = firstCycle(db, OMS_EXHAUSTED);
        List<Map<String, Object>> steps = failedAttempts(db, cycle, "DescribeProjectSteps");
        assertEquals(3, steps.size(), "max-attempts is 3: " + steps);
        assertTrue(steps.stream().allMatch(a -> "ERROR".equals(a.get("OUTCOME")) && Integer.valueOf(500).equals(a.get("HTTP_STATUS"))), steps.toString());
        assertBackoff(steps);
        assertEquals("ERROR", cycle.get("OUTCOME"), cycle.toString());
        assertEquals("DescribeProjectSteps", cycle.get("API"), cycle.toString());
        // the cycle has failed: its third call is not made (DescribeProject once, DescribeProjectSteps three times),
        // and nothing but the poll log is stored
        assertEquals(4, ((Number) cycle.get("CALLS")).intValue(), cycle.toString());
        assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND polled_at = ? AND api <> 'DescribeProjectSteps'",
                cycle.get("TASK_ID"), at(cycle)));
        assertEquals(0, FaultTestSupport.stateRowsAt(db, (String) cycle.get("SOURCE"), OMS_EXHAUSTED, (Instant) cycle.get("POLLED_AT")));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ? AND polled_at <= ?", OMS_EXHAUSTED, at(cycle)));
        // and the next cycles succeed
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ?", OMS_EXHAUSTED) > 0
                && count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'OK'", OMS_EXHAUSTED) > 0));
    }

    @Test
    void ucloudFrontProxy503IsRetried() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        Map<String, Object> cycle = firstCycle(db, UDTS_503);
        List<Map<String, Object>> attempts = failedAttempts(db, cycle, "GetUDTSTaskStatus");
        assertEquals(2, attempts.size(), attempts.toString());
        for (int i = 0; i < 2; i++) {
            assertEquals("ERROR", attempts.get(i).get("OUTCOME"));
            assertEquals(503, attempts.get(i).get("HTTP_STATUS"));
            assertEquals("HTTP 503", attempts.get(i).get("ERROR_CODE"));
        }
        assertEquals("OK", cycle.get("OUTCOME"), "the third attempt succeeded: " + cycle);
        assertEquals(3, ((Number) cycle.get("CALLS")).intValue(), cycle.toString());
        assertEquals(1, count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ? AND polled_at = ?", UDTS_503, at(cycle)));
        assertBackoff(withSuccessfulAttempt(attempts, UDTS_503));
    }

    @Test
    void aDroppedConnectionIsANetworkFailureAndIsRetried() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        for (String[] t : List.of(new String[]{UDTS_DROP, "GetUDTSTaskStatus"}, new String[]{DTS_DROP, "ListJobStep"})) {
            Map<String, Object> cycle = firstCycle(db, t[0]);
            List<Map<String, Object>> attempts = failedAttempts(db, cycle, t[1]);
            assertEquals(1, attempts.size(), attempts.toString());
            Map<String, Object> dropped = attempts.get(0);
            assertEquals("NETWORK", dropped.get("OUTCOME"), dropped.toString());
            assertNull(dropped.get("HTTP_STATUS"), dropped.toString());
            assertTrue(dropped.get("ERROR_MESSAGE") != null && !dropped.get("ERROR_MESSAGE").toString().isBlank(), dropped.toString());
            assertEquals("OK", cycle.get("OUTCOME"), "the second attempt succeeded: " + cycle);
            assertEquals(2, ((Number) cycle.get("CALLS")).intValue(), cycle.toString());
            assertEquals(1, count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ? AND polled_at = ?", t[0], at(cycle)));
            assertBackoff(withSuccessfulAttempt(attempts, t[0]));
        }
    }

    /** The first cycle of a task (the faults were queued for it) from the poll log, once it is stored. */
    private static Map<String, Object> firstCycle(DataSource db, String task) throws Exception {
        assertTrue(awaitSql(15_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'OK'", task) >= 2
                || count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ?", task) >= 3), "polls of " + task);
        return rows(db, "SELECT source, task_id, polled_at, outcome, calls, api FROM v_poll_log WHERE task_id = ? ORDER BY polled_at",
                task).get(0);
    }

    private static java.sql.Timestamp at(Map<String, Object> cycle) {
        return java.sql.Timestamp.from((Instant) cycle.get("POLLED_AT"));
    }

    /** The attempts of an API in a cycle that did not succeed (a successful attempt has no api_call row). */
    private static List<Map<String, Object>> failedAttempts(DataSource db, Map<String, Object> cycle, String api) throws SQLException {
        return rows(db, "SELECT attempt, called_at, duration_ms, outcome, http_status, error_code, error_message FROM api_call "
                + "WHERE task_id = ? AND polled_at = ? AND api = ? ORDER BY attempt", cycle.get("TASK_ID"), at(cycle), api);
    }

    /**
     * The failed attempts plus the successful one after them, whose start only the simulator saw: the task's
     * requests arrive one by one (first cycle: the failed attempts, then the one that succeeded), so the
     * (n+1)th request is it. Its arrival is checked to line up with the failed attempts' own times.
     */
    private static List<Map<String, Object>> withSuccessfulAttempt(List<Map<String, Object>> failed, String task) {
        List<Instant> requests = SIMULATOR.requestTimes(task);
        assertTrue(requests.size() > failed.size(), "the simulator saw the retry: " + requests);
        for (int i = 0; i < failed.size(); i++) {
            Instant calledAt = (Instant) failed.get(i).get("CALLED_AT");
            long duration = ((Number) failed.get(i).get("DURATION_MS")).longValue();
            Instant arrived = requests.get(i);
            assertTrue(!arrived.isBefore(calledAt.minusMillis(5)) && !arrived.isAfter(calledAt.plusMillis(duration + 5)),
                    "request " + (i + 1) + " arrived at " + arrived + " during attempt " + failed.get(i));
        }
        List<Map<String, Object>> all = new java.util.ArrayList<>(failed);
        all.add(Map.of("ATTEMPT", failed.size() + 1, "CALLED_AT", requests.get(failed.size()), "DURATION_MS", 0L, "OUTCOME", "OK"));
        return all;
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
