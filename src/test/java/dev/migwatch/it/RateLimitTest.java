package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.poll.PollCycles;
import dev.migwatch.simulator.DtsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimTasks.SimTask;
import dev.migwatch.simulator.SimulatorSettings;
import org.apache.camel.test.main.junit5.CamelMainTest;
import dev.migwatch.observe.MigwatchMetrics;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, many tasks per account: 1,000 DTS jobs polled every second need about 1,000 requests a second, their list
 * 35 more; with max-requests-per-second = 25 and the simulated account refusing the 26th request of any one second
 * (Throttling.User), the account never sees more than 25 in a second: rounds stretch instead, which /api/sources shows.
 */
@CamelMainTest(configurationClasses = MigwatchConfiguration.class, propertyPlaceholderLocations = "classpath:migwatch/application.properties", properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-rate-limit-it",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        // a thousand cycles wait for their turn when the test ends: they need not be waited for
        "camel.main.shutdownTimeout=2",
        "migwatch.db.url=jdbc:h2:mem:rate-limit-it;DB_CLOSE_DELAY=-1"})
class RateLimitTest extends SimulatedSourcesTest {
    static final int TASKS = 1_000;
    static final int LIMIT = 25;
    static final ProviderSimulator SIMULATOR = start();
    static final Map<String, String> PROPS = new FaultTestSupport.Sources(SIMULATOR)
            .dts("busy", "1s", "*")
            .set("busy", "discovery-interval", "1m")
            .set("busy", "max-requests-per-second", Integer.toString(LIMIT))
            .build();

    RateLimitTest() {
        super(SIMULATOR, PROPS);
    }

    private static ProviderSimulator start() {
        ProviderSimulator sim = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(60).withThreads(16));
        for (int i = 0; i < TASKS; i++) {
            sim.tasks().add(SimTask.dts(String.format("dtsbusy%04d", i), DtsScenario.MIGRATION_WITH_SYNC));
        }
        sim.limitRequestsPerSecond(LIMIT);
        return sim;
    }

    @Test
    void theAccountNeverSeesMoreThanItsLimitInAnySecond() throws Exception {
        // the listing (34 pages of MIGRATION jobs, one of SYNC), then polls: several seconds of saturated traffic
        assertTrue(FaultTestSupport.await(120_000, () -> SIMULATOR.stats().calls("ListJobStep") >= 6L * LIMIT),
                "polling under way: " + SIMULATOR.stats().byAction());
        int peak = SIMULATOR.peakRequestsPerSecond();
        System.out.println("RateLimitTest: " + SIMULATOR.stats().total() + " requests, peak " + peak + " in one second, limit " + LIMIT);
        assertTrue(peak <= LIMIT, "the most requests the account saw in one second: " + peak);
        assertTrue(peak >= LIMIT / 2, "and the budget is used: " + peak);
        assertEquals(0, SIMULATOR.refusedByRateLimit(), "never throttled by the provider");

        PollCycles cycles = context.getRegistry().lookupByNameAndType("pollCycles", PollCycles.class);
        Map<String, Object> load = cycles.sourceLoads().get(0);
        assertEquals(TASKS, load.get("tasks"), load.toString());
        assertEquals(true, load.get("rateLimited"), load.toString());
        assertTrue((Double) load.get("requestsPerSecondNeeded") > LIMIT, load.toString());
        assertEquals((double) LIMIT, load.get("maxRequestsPerSecond"));
        // and said as a metric
        MigwatchMetrics metrics = context.getRegistry().lookupByNameAndType("migwatchMetrics", MigwatchMetrics.class);
        GaugeSnapshot limited = (GaugeSnapshot) metrics.collect().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals("migwatch_source_rate_limited")).findFirst().orElseThrow();
        assertEquals(1, limited.getDataPoints().size());
        assertEquals("busy", limited.getDataPoints().get(0).getLabels().get("source"));
        assertEquals(1.0, limited.getDataPoints().get(0).getValue());
    }
}
