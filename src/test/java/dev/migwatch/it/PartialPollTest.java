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

        // and nowhere in the database is there a step, component or error row without its cycle's task row
        for (String table : List.of("step_sample", "component_sample", "error_event")) {
            assertEquals(0, count(db, "SELECT COUNT(*) FROM " + table + " s WHERE NOT EXISTS "
                    + "(SELECT 1 FROM task_sample t WHERE t.cycle_id = s.cycle_id)"), table);
        }
    }

    private static void check(DataSource db, String task, String failingApi, String outcome, int attempts, List<String> okBefore)
            throws Exception {
        // the simulator has served the fault once pending() is 0, but the cycle is stored a moment later
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND api = ? AND outcome = ?",
                task, failingApi, outcome) > 0), task + ": the failed cycle is stored");
        List<Map<String, Object>> failedCycles = rows(db, "SELECT DISTINCT cycle_id FROM api_call WHERE task_id = ? AND api = ? "
                + "AND outcome = ?", task, failingApi, outcome);
        assertEquals(1, failedCycles.size(), task + ": " + failedCycles);
        String cycle = failedCycles.get(0).get("CYCLE_ID").toString();
        for (String api : okBefore) {
            assertEquals(1, count(db, "SELECT COUNT(*) FROM api_call WHERE cycle_id = ? AND api = ? AND outcome = 'OK'", cycle, api),
                    task + ": " + api + " succeeded in the failed cycle");
        }
        assertEquals(attempts, count(db, "SELECT COUNT(*) FROM api_call WHERE cycle_id = ? AND api = ?", cycle, failingApi));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE cycle_id = ? AND outcome NOT IN ('OK', ?)", cycle, outcome));
        for (String table : List.of("task_sample", "step_sample", "component_sample", "error_event")) {
            assertEquals(0, count(db, "SELECT COUNT(*) FROM " + table + " WHERE cycle_id = ?", cycle), task + ": no " + table + " rows");
        }
        assertTrue(count(db, "SELECT COUNT(*) FROM raw_response WHERE cycle_id = ? AND api = ?", cycle, failingApi) > 0,
                "the failing body is kept");
        // the task goes on being recorded after the failed cycle
        assertTrue(awaitSql(5_000, () -> count(db, "SELECT COUNT(*) FROM task_sample t WHERE task_id = ? AND polled_at > "
                + "(SELECT MAX(called_at) FROM api_call WHERE cycle_id = ?)", task, cycle) > 0));
    }
}
