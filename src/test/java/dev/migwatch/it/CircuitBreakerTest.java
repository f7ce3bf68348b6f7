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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Issue 5, "A source that keeps failing is put behind a circuit breaker and probed again later; the others
 * go on": a source whose provider always answers 500 opens its breaker after failures-to-open failed
 * cycles, is left alone for open-for, then probed by one cycle; once the provider is healthy the probe
 * succeeds and the source is recorded again. A probe that is throttled must not wedge the breaker.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:migwatch/application.properties", configurationClasses = MigwatchConfiguration.class, properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-CircuitBreakerTest",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:faults-breaker;DB_CLOSE_DELAY=-1"})
class CircuitBreakerTest extends SimulatedSourcesTest {
    static final long INTERVAL = 200;
    static final long OPEN_FOR = 1_500;
    static final int FAILURES_TO_OPEN = 3;
    static final String FAILING = "np_cb_failing";
    static final String THROTTLED_PROBE = "dts_cb_probe";
    static final String HEALTHY = "udts-cb-healthy";
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(100)
            .withOmsProject(FAILING, OmsScenario.FULL_THEN_INCREMENTAL)
            .withDtsJob(THROTTLED_PROBE, DtsScenario.MIGRATION_WITH_SYNC)
            .withUdtsTask(HEALTHY, UdtsScenario.FULL_AND_INCREMENTAL));
    static final Map<String, String> PROPS;

    static {
        SIMULATOR.faults().always(FAILING, Fault.serverError()).always(THROTTLED_PROBE, Fault.serverError());
        String i = INTERVAL + "ms";
        PROPS = new FaultTestSupport.Sources(SIMULATOR)
                .oms("cb-oms", i, FAILING)
                .dts("cb-dts", i, THROTTLED_PROBE)
                .udts("cb-healthy", i, HEALTHY)
                .global("migwatch.breaker.failures-to-open", String.valueOf(FAILURES_TO_OPEN))
                .global("migwatch.breaker.open-for", OPEN_FOR + "ms")
                .global("migwatch.retry.base-delay", "50ms")
                .global("migwatch.retry.max-delay", "200ms")
                .build();
    }




    /** One poll cycle as the poll log shows it. */
    /** A cycle of a task: its poll is the task's at start. */
    record Cycle(Instant start, Instant end, String kind) {
        /** The poll's time as a parameter: the task and this identify the poll and its calls. */
        java.sql.Timestamp at() {
            return java.sql.Timestamp.from(start);
        }
    }

    CircuitBreakerTest() {
        super(SIMULATOR, PROPS);
    }

    @Test
    void aFailingSourceIsPutBehindItsBreakerProbedAndClosedAgain() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        // the DTS source: once open, its probe will be throttled (once), then the provider is healthy
        assertTrue(awaitSql(15_000, () -> skippedOpen(db, "cb-dts") > 0), "the DTS source's breaker opens");
        SIMULATOR.faults().stopAlways(THROTTLED_PROBE, null).queue(THROTTLED_PROBE, Fault.throttle(Duration.ofMillis(300)), 1);

        // the OMS source: wait for two probes that failed, then heal the provider
        assertTrue(awaitSql(15_000, () -> probes(cycles(db, FAILING)) >= 2), "the open breaker is probed again, twice");
        SIMULATOR.faults().stopAlways(FAILING, null);
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'OK'", FAILING) >= 3),
                "after a successful probe the source is recorded again");

        List<Cycle> cycles = cycles(db, FAILING);
        String kinds = cycles.stream().map(Cycle::kind).reduce("", String::concat);
        // F = failed (3 attempts with HTTP 500), S = skipped (CIRCUIT_OPEN), K = recorded
        assertTrue(kinds.startsWith("F".repeat(FAILURES_TO_OPEN) + "S"), "opens after " + FAILURES_TO_OPEN + " failed cycles: " + kinds);
        assertTrue(kinds.matches("F{" + FAILURES_TO_OPEN + "}(S+F)+S+K+"), "failed probes, one per open period, then closed: " + kinds);
        for (Cycle c : cycles) {
            if (c.kind().equals("F")) {
                assertEquals(3, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND polled_at = ? AND outcome = 'ERROR' "
                        + "AND http_status = 500", FAILING, c.at()));
                assertEquals(3, count(db, "SELECT calls FROM v_poll_log WHERE task_id = ? AND polled_at = ? AND outcome = 'ERROR' "
                        + "AND http_status = 500", FAILING, c.at()), "a failed cycle: three attempts, nothing else");
            } else if (c.kind().equals("S")) {
                assertEquals(0, count(db, "SELECT calls FROM v_poll_log WHERE task_id = ? AND polled_at = ?", FAILING, c.at()),
                        "a skipped cycle makes no call");
                assertEquals(1, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND polled_at = ? AND api = 'cycle' "
                        + "AND attempt = 0 AND outcome = 'SKIPPED' AND error_code = 'CIRCUIT_OPEN'", FAILING, c.at()));
            } else {
                assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND polled_at = ? AND outcome <> 'ERROR'",
                        FAILING, c.at()));
            }
        }
        // each open period lasts open-for, and the provider hears nothing from the source meanwhile
        List<Instant> requests = SIMULATOR.requestTimes(FAILING);
        for (int i = 1; i < cycles.size(); i++) {
            if (cycles.get(i).kind().equals("S") && !cycles.get(i - 1).kind().equals("S")) {
                Instant openedAt = cycles.get(i - 1).end();
                Cycle next = cycles.stream().skip(i).filter(c -> !c.kind().equals("S")).findFirst().orElseThrow();
                long open = next.start().toEpochMilli() - openedAt.toEpochMilli();
                assertTrue(open >= OPEN_FOR - 50 && open <= OPEN_FOR + 4 * INTERVAL, "open for " + open + " ms");
                List<Instant> heard = requests.stream().filter(t -> t.isAfter(openedAt.plusMillis(50)) && t.isBefore(next.start())).toList();
                assertEquals(List.of(), heard, "no request while the breaker is open");
            }
        }
        assertTrue(count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND error_code = 'CIRCUIT_OPEN' "
                + "AND error_message LIKE '%circuit breaker is open%'", FAILING) > 0);

        // the other sources went on all along
        List<Instant> healthy = times(db, "SELECT polled_at FROM v_poll_log WHERE task_id = ? AND outcome = 'OK' ORDER BY polled_at", HEALTHY);
        assertTrue(healthy.size() >= 10, healthy.toString());
        assertTrue(maxGapMillis(healthy.subList(1, healthy.size())) < 4 * INTERVAL, "healthy source kept its pace: " + maxGapMillis(healthy));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND outcome <> 'OK'", HEALTHY));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome <> 'OK'", HEALTHY));

        // the DTS source: its half-open probe was throttled; the breaker must still probe again and close
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ?", THROTTLED_PROBE) > 0),
                "a throttled probe does not leave the breaker half-open for ever");
        assertEquals(1, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND outcome = 'THROTTLED'", THROTTLED_PROBE));
    }

    private static long skippedOpen(DataSource db, String source) throws SQLException {
        return count(db, "SELECT COUNT(*) FROM api_call WHERE source = ? AND outcome = 'SKIPPED' AND error_code = 'CIRCUIT_OPEN'", source);
    }

    /** Failed cycles after the breaker first opened. */
    private static long probes(List<Cycle> cycles) {
        String kinds = cycles.stream().map(Cycle::kind).reduce("", String::concat);
        int firstSkip = kinds.indexOf('S');
        return firstSkip < 0 ? 0 : kinds.substring(firstSkip).chars().filter(c -> c == 'F').count();
    }

    /** The task's cycles from the poll log: one row per cycle, starting at polled_at and lasting duration_ms. */
    private static List<Cycle> cycles(DataSource db, String task) throws SQLException {
        List<Cycle> out = new ArrayList<>();
        for (Map<String, Object> r : rows(db, "SELECT polled_at, DATEADD(MILLISECOND, duration_ms, polled_at) AS last_end, "
                + "outcome FROM v_poll_log WHERE task_id = ? ORDER BY polled_at", task)) {
            String outcome = (String) r.get("OUTCOME");
            String kind = outcome.equals("OK") ? "K" : outcome.equals("SKIPPED") ? "S" : "F";
            out.add(new Cycle((Instant) r.get("POLLED_AT"), (Instant) r.get("LAST_END"), kind));
        }
        return out;
    }
}
