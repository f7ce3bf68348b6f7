package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.FaultInjector.Fault;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

import static dev.migwatch.it.FaultTestSupport.awaitSql;
import static dev.migwatch.it.FaultTestSupport.count;
import static dev.migwatch.it.FaultTestSupport.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, "a poll that failed never writes partial step/component rows": an OMS cycle makes three calls
 * (DescribeProject, DescribeProjectSteps, DescribeProjectComponents). When the second or the third fails
 * after the first succeeded, the cycle has its poll-log rows and kept bodies, but no task, step,
 * component or error rows - even though the calls that succeeded carried steps and components.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:migwatch/application.properties", configurationClasses = MigwatchConfiguration.class, properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-PartialPollTest",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:faults-partial;DB_CLOSE_DELAY=-1"})
class PartialPollTest extends SimulatedSourcesTest {
    static final String SECOND_FAILS = "np_pp_second";
    static final String THIRD_FAILS = "np_pp_third";
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(100)
            .withOmsProject(SECOND_FAILS, OmsScenario.FULL_THEN_INCREMENTAL)
            .withOmsProject(THIRD_FAILS, OmsScenario.SLOW_FLAKY));
    static final Map<String, String> PROPS = new FaultTestSupport.Sources(SIMULATOR)
            .oms("pp-oms", "250ms", SECOND_FAILS + "," + THIRD_FAILS)
            .global("migwatch.retry.base-delay", "50ms")
            .build();




    PartialPollTest() {
        super(SIMULATOR, PROPS);
    }

    @Test
    void aCycleWhoseSecondOrThirdCallFailsStoresNoTaskStepOrComponentRows() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        // some good cycles first, so the task has steps and components to (not) write
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM component_sample WHERE task_id = ?", SECOND_FAILS) > 0
                && count(db, "SELECT COUNT(*) FROM component_sample WHERE task_id = ?", THIRD_FAILS) > 0));
        SIMULATOR.faults()
                .queue(SECOND_FAILS, "DescribeProjectSteps", Fault.serverError(), 3)
                .queue(THIRD_FAILS, "DescribeProjectComponents", Fault.malformedJson(), 1);
        assertTrue(awaitSql(10_000, () -> SIMULATOR.faults().pending() == 0), "the faults were served");

        check(db, SECOND_FAILS, "DescribeProjectSteps", "ERROR", 3, List.of("DescribeProject"));
        check(db, THIRD_FAILS, "DescribeProjectComponents", "BAD_RESPONSE", 1, List.of("DescribeProject", "DescribeProjectSteps"));

        // and nowhere in the database is there a state or error row that is not on a successful poll of its task
        assertEquals(List.of(0L, 0L, 0L, 0L), FaultTestSupport.rowsWithoutTheirOkPoll(db), "task/step/component state, errors");
    }

    private static void check(DataSource db, String task, String failingApi, String outcome, int attempts, List<String> okBefore)
            throws Exception {
        // the simulator has served the fault once pending() is 0, but the cycle is stored a moment later
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND api = ? AND outcome = ?",
                task, failingApi, outcome) > 0), task + ": the failed cycle is stored");
        List<Map<String, Object>> failedCycles = rows(db, "SELECT DISTINCT polled_at FROM api_call WHERE task_id = ? AND api = ? "
                + "AND outcome = ?", task, failingApi, outcome);
        assertEquals(1, failedCycles.size(), task + ": " + failedCycles);
        // a poll is its task and time
        Object pollId = java.sql.Timestamp.from((java.time.Instant) failedCycles.get(0).get("POLLED_AT"));
        Map<String, Object> poll = rows(db, "SELECT source, polled_at, outcome, calls, api FROM v_poll_log WHERE task_id = ? "
                + "AND polled_at = ?", task, pollId).get(0);
        assertEquals(outcome, poll.get("OUTCOME"), poll.toString());
        assertEquals(failingApi, poll.get("API"), "the failing call decided the cycle: " + poll);
        // the calls before it succeeded, once each (a successful call has no api_call row, only its count in the poll row)
        for (String api : okBefore) {
            assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND polled_at = ? AND api = ?", task, pollId, api),
                    task + ": " + api + " succeeded in the failed cycle");
        }
        assertEquals(attempts, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND polled_at = ? AND api = ?", task, pollId,
                failingApi));
        assertEquals(okBefore.size() + attempts, ((Number) poll.get("CALLS")).intValue(),
                task + ": the calls before the failing one, once each, then its attempts: " + poll);
        assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND polled_at = ? AND outcome <> ?", task, pollId,
                outcome));
        String source = (String) poll.get("SOURCE");
        java.time.Instant polledAt = (java.time.Instant) poll.get("POLLED_AT");
        assertEquals(0, FaultTestSupport.stateRowsAt(db, source, task, polledAt),
                task + ": no task, step, component or error rows from the failed cycle");
        assertTrue(FaultTestSupport.rawBodiesOfApi(db, source, task, polledAt, failingApi).size() > 0, "the failing body is kept");
        for (String api : okBefore) {
            assertTrue(FaultTestSupport.rawBodiesOfApi(db, source, task, polledAt, api).size() > 0, "the body of " + api + " is kept");
        }
        // the task goes on being recorded after the failed cycle
        assertTrue(awaitSql(5_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'OK' "
                + "AND polled_at > ?", task, java.sql.Timestamp.from(polledAt)) > 0));
    }
}
