package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.storage.H2Compaction;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.timer.TimerEndpoint;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real configuration on the default kind of database, an H2 file: the maintenance routes include the compaction of
 * that file, every 5 seconds, through a bean that applies to it (H2CompactionTest shows what a call does).
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:migwatch/application.properties", configurationClasses = MigwatchConfiguration.class, properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml,"
                + "file:routes/migwatch-maintenance.camel.yaml",
        "migwatch.journal.dir=target/journal-H2CompactionRouteTest",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:file:./target/h2-compaction-route/migwatch"})
class H2CompactionRouteTest extends SimulatedSourcesTest {
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(100)
            .withOmsProject("np_compact_a", OmsScenario.FULL_THEN_INCREMENTAL));
    static final Map<String, String> PROPS = new FaultTestSupport.Sources(SIMULATOR).oms("compact-oms", "1s", "np_compact_a").build();

    H2CompactionRouteTest() {
        super(SIMULATOR, PROPS);
    }

    @Test
    void anH2FileIsCompactedEveryFiveSeconds() {
        Route route = context.getRoute("migwatch-h2-compaction");
        assertNotNull(route, "the maintenance routes include the H2 compaction");
        assertEquals(ServiceStatus.Started, context.getRouteController().getRouteStatus("migwatch-h2-compaction"));
        assertEquals(5000, ((TimerEndpoint) route.getEndpoint()).getPeriod());
        H2Compaction compaction = context.getRegistry().lookupByNameAndType("h2Compaction", H2Compaction.class);
        assertNotNull(compaction, "MigwatchConfiguration binds h2Compaction");
        assertTrue(compaction.applies(), "it applies to the H2 file configured");
    }
}
