package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.poll.PollCycles;
import dev.migwatch.simulator.FaultInjector;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A source with far more tasks than it can poll within its interval (60 tasks whose cycles take at least 30 ms each,
 * every 50 ms): every task still gets its turn, about equally often, and migwatch reports the interval as too short.
 */
@CamelMainTest(configurationClasses = MigwatchConfiguration.class, propertyPlaceholderLocations = "classpath:migwatch/application.properties", properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-fairness-it",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:fairness-it;DB_CLOSE_DELAY=-1"})
class FairnessTest extends SimulatedSourcesTest {
    static final int TASKS = 60;
    static final List<String> IDS = ids();
    static final ProviderSimulator SIMULATOR = start();

    FairnessTest() {
        super(SIMULATOR, sources());
    }

    @Test
    void everyTaskGetsItsTurnWhenTheIntervalIsTooShort() throws Exception {
        // warm-up (start, first rounds), then at least 12 cycles per task on average: however slow this machine is
        assertTrue(FaultTestSupport.await(60_000, () -> SIMULATOR.stats().total() >= 2L * 3 * TASKS), "polling started");
        SIMULATOR.resetStats();
        long started = System.nanoTime();
        assertTrue(FaultTestSupport.await(120_000, () -> SIMULATOR.stats().total() >= 12L * 3 * TASKS), "12 cycles per task");
        double seconds = (System.nanoTime() - started) / 1e9;
        LongSummaryStatistics polls = IDS.stream().mapToLong(id -> SIMULATOR.stats().count(id) / 3).summaryStatistics();
        String figures = String.format(java.util.Locale.ROOT, "cycles per task over %.1f s: min %d, max %d, avg %.1f",
                seconds, polls.getMin(), polls.getMax(), polls.getAverage());
        System.out.println("FairnessTest: " + figures);
        assertTrue(polls.getMin() >= 8, "every task polled: " + figures);
        assertTrue(polls.getMax() <= 1.5 * polls.getMin(), "max/min <= 1.5: " + figures);

        PollCycles cycles = context.getRegistry().lookupByNameAndType("pollCycles", PollCycles.class);
        Map<String, Object> load = cycles.sourceLoads().get(0);
        assertEquals("fair", load.get("source"));
        assertEquals(TASKS, load.get("tasks"));
        assertEquals(true, load.get("intervalTooShort"), load.toString());
        assertTrue((Long) load.get("ticksSkipped") > 0, load.toString());
        assertTrue((Long) load.get("lastRoundMs") > 50, load.toString());
    }

    private static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            ids.add(String.format("np_fair%03d", i));
        }
        return ids;
    }

    private static ProviderSimulator start() {
        SimulatorSettings settings = SimulatorSettings.defaults().withSpeed(60).withThreads(16);
        for (String id : IDS) {
            settings = settings.withOmsProject(id, OmsScenario.FULL_THEN_INCREMENTAL);
        }
        try {
            ProviderSimulator sim = new ProviderSimulator(settings, 0).start();
            // each answer takes 10 ms: a round of 60 tasks (10 at a time) takes well over the 50 ms interval
            sim.faults().always(FaultInjector.ANY_TASK, FaultInjector.Fault.hang(Duration.ofMillis(10)));
            return sim;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> sources() {
        SimulatorSettings s = SIMULATOR.settings();
        Map<String, String> p = new LinkedHashMap<>();
        p.put("migwatch.sources.fair.provider", "oms");
        p.put("migwatch.sources.fair.endpoint", SIMULATOR.baseUri().toString());
        p.put("migwatch.sources.fair.access-key-id", s.accessKeyId());
        p.put("migwatch.sources.fair.access-key-secret", s.accessKeySecret());
        p.put("migwatch.sources.fair.tasks", String.join(",", IDS));
        p.put("migwatch.sources.fair.interval", "50ms");
        // fairness, not the rate limit, is under test: a budget the 60 tasks never reach
        p.put("migwatch.sources.fair.max-requests-per-second", "10000");
        return p;
    }
}
