package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.DtsScenario;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimClock;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import dev.migwatch.storage.RawBodies;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.time.Clock;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real routes and beans, polling the simulator over HTTP into a real H2 database for many cycles:
 * OMS, DTS and UDTS side by side, plus a source with a wrong secret and a task id the provider does
 * not know, whose failures must be in the poll log and nowhere else.
 */
@CamelMainTest(configurationClasses = MigwatchConfiguration.class, propertyPlaceholderLocations = "classpath:migwatch/application.properties", properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-polling-it",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:polling-it;DB_CLOSE_DELAY=-1",
        // a window of its own: the writer must keep the list's delay figures for the configured one
        "migwatch.trends.delay-window=20m"})
class PollingIntegrationTest extends SimulatedSourcesTest {
    static final ProviderSimulator SIMULATOR = start(SimulatorSettings.defaults().withSpeed(300)
            .withOmsProject("np_it_orders", OmsScenario.FULL_THEN_INCREMENTAL)
            .withDtsJob("dts_it_01", DtsScenario.MIGRATION_WITH_SYNC)
            .withUdtsTask("udts-it-01", UdtsScenario.FULL_AND_INCREMENTAL));
    static final Map<String, String> SOURCES = sources(SIMULATOR);




    PollingIntegrationTest() {
        super(SIMULATOR, SOURCES);
    }

    @Test
    void recordsTheHistoryOfAllThreeProvidersAndEveryFailedPoll() throws Exception {
        NotifyBuilder stored = new NotifyBuilder(context).from("timer:*").whenDone(60).wereSentTo("direct:migwatch-store").create();
        assertTrue(stored.matches(60, TimeUnit.SECONDS), "60 poll cycles stored within a minute");
        DataSource db = context.getRegistry().lookupByNameAndType("migwatchDataSource", DataSource.class);
        // simulated time runs 300x: wait (bounded) until the OMS project has been seen in three steps
        long deadline = System.currentTimeMillis() + 60_000;
        while (count(db, "SELECT COUNT(DISTINCT running_step) FROM task_sample WHERE task_id = 'np_it_orders'") < 3
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }

        // OMS: the steps advance, full transfer counts grow, components are recorded
        List<String> runningSteps = column(db, "SELECT running_step FROM task_sample WHERE task_id = 'np_it_orders' ORDER BY polled_at");
        assertTrue(runningSteps.stream().distinct().count() >= 3, "the OMS project moved through several steps: " + runningSteps);
        List<String> processed = column(db, "SELECT processed_records FROM step_sample WHERE task_id = 'np_it_orders' "
                + "AND step_key = 'FULL_TRANSFER' AND processed_records IS NOT NULL ORDER BY polled_at");
        assertTrue(processed.size() >= 2 && Long.parseLong(processed.get(processed.size() - 1)) > Long.parseLong(processed.get(0)),
                "processed records grew: " + processed);
        assertTrue(count(db, "SELECT COUNT(*) FROM component_sample WHERE task_id = 'np_it_orders'") > 0, "components recorded");
        // the writer keeps each task's delay window figures (V15) for the configured window, current at its newest poll
        assertTrue(count(db, "SELECT COUNT(*) FROM task_latest WHERE delay_window_end = last_ok_at AND delay_window_s = 1200") > 0,
                "delay window figures kept for the configured window");
        assertEquals(0, count(db, "SELECT COUNT(*) FROM task_latest WHERE delay_window_s <> 1200"), "figures for another window");
        assertEquals(List.of(0L, 0L, 0L, 0L), FaultTestSupport.rowsWithoutTheirOkPoll(db),
                "no task/step/component state or error row without its successful poll");
        // every stored cycle is one poll row (the notifier counted 60 stores), unique per task and time
        assertTrue(count(db, "SELECT COUNT(*) FROM v_poll_log") >= 60);
        assertEquals(0, count(db, "SELECT COUNT(*) FROM (SELECT source, task_id, polled_at FROM v_poll_log "
                + "GROUP BY source, task_id, polled_at HAVING COUNT(*) > 1) d"), "one poll row per cycle");

        // DTS: steps with sub-steps as children; UDTS: progress and binlog
        assertTrue(count(db, "SELECT COUNT(*) FROM step_sample WHERE task_id = 'dts_it_01' AND parent_step_key IS NOT NULL") > 0);
        assertTrue(count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = 'udts-it-01'") > 0);

        // every successful cycle made all its calls (three for OMS: a successful call has no api_call row, only its count)
        // and no failed call decided it; the answers, request id included, are kept in raw_body
        assertTrue(count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'it-oms' AND task_id = 'np_it_orders' AND outcome = 'OK' "
                + "AND calls >= 3 AND api IS NULL AND http_status IS NULL AND error_code IS NULL") > 0);
        assertEquals(0, count(db, "SELECT COUNT(*) FROM v_poll_log WHERE outcome = 'OK' AND calls < 1"));
        List<RawBodies.Answer> okBodies = FaultTestSupport.rawBodies(db, "it-oms", "np_it_orders", null, null);
        assertTrue(okBodies.stream().map(a -> a.body().api()).distinct().count() == 3, "the three OMS answers are kept: " + okBodies.size());
        assertTrue(okBodies.stream().allMatch(a -> a.body().body() != null && a.body().body().contains("\"RequestId\"")),
                "the answers carry the provider's request id");

        // failures: a wrong secret is an AUTH failure, an unknown id NOT_FOUND; neither leaves task rows
        assertTrue(count(db, "SELECT COUNT(*) FROM api_call WHERE source = 'it-bad-key' AND outcome = 'AUTH' "
                + "AND error_code = 'SignatureDoesNotMatch' AND http_status = 400") > 0);
        assertTrue(count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'it-bad-key' AND outcome = 'AUTH' "
                + "AND error_code = 'SignatureDoesNotMatch' AND http_status = 400") > 0, "the poll log says why the cycle failed");
        assertEquals(0, count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'it-bad-key' AND outcome = 'OK'"));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM task_sample WHERE source = 'it-bad-key'"));
        assertTrue(count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = 'np_does_not_exist' AND outcome = 'NOT_FOUND'") > 0);
        assertTrue(count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = 'np_does_not_exist' AND outcome = 'NOT_FOUND'") > 0);
        assertEquals(0, count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = 'np_does_not_exist' AND outcome = 'OK'"));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = 'np_does_not_exist'"));
        List<RawBodies.Answer> refusals = FaultTestSupport.rawBodies(db, "it-bad-key", "np_it_orders", null, null);
        assertTrue(refusals.stream().anyMatch(a -> a.body().body() != null && a.body().body().contains("SignatureDoesNotMatch")),
                "the refusal body is kept: " + refusals);

        // the cross-provider question: the latest state of every task, one query
        Map<String, String> latest = new LinkedHashMap<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT t.provider, t.task_id, t.status FROM task_sample t WHERE t.polled_at = "
                        + "(SELECT MAX(l.polled_at) FROM task_sample l WHERE l.source = t.source AND l.task_id = t.task_id)")) {
            while (rs.next()) {
                latest.put(rs.getString(1) + "/" + rs.getString(2), rs.getString(3));
            }
        }
        assertEquals(3, latest.size(), latest.toString());
        assertTrue(latest.keySet().containsAll(List.of("oms/np_it_orders", "dts/dts_it_01", "udts/udts-it-01")), latest.toString());
    }

    /**
     * Simulated time starts with the first request, not when the class loads: how long the Camel context
     * takes to start must not decide which steps the test gets to see.
     */
    private static ProviderSimulator start(SimulatorSettings settings) {
        LongSupplier fromFirstRequest = new LongSupplier() {
            private boolean clockCreated;
            private long firstRequest = -1;

            @Override
            public synchronized long getAsLong() {
                if (!clockCreated) {
                    clockCreated = true;
                    return 0;
                }
                if (firstRequest < 0) {
                    firstRequest = System.nanoTime();
                }
                return System.nanoTime() - firstRequest;
            }
        };
        try {
            return new ProviderSimulator(settings, 0, new SimClock(Instant.now(), settings.speed(), fromFirstRequest),
                    Clock.systemUTC()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> sources(ProviderSimulator sim) {
        return new FaultTestSupport.Sources(sim)
                .oms("it-oms", "300ms", "np_it_orders,np_does_not_exist")
                .dts("it-dts", "300ms", "dts_it_01")
                .udts("it-udts", "300ms", "udts-it-01")
                .oms("it-bad-key", "300ms", "np_it_orders").set("it-bad-key", "access-key-secret", "not-the-secret")
                .build();
    }

    static long count(DataSource db, String sql) throws SQLException {
        return Long.parseLong(column(db, sql).get(0));
    }

    static List<String> column(DataSource db, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
