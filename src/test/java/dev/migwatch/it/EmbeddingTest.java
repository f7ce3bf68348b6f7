package dev.migwatch.it;

import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * migwatch inside someone else's camel-main application: the host names MigwatchConfiguration and the
 * route files from the jar in its own properties (src/test/resources/embedding/), nothing else, and
 * both its own routes and migwatch's polling run.
 */
class EmbeddingTest {

    @Test
    void aHostApplicationRunsMigwatchFromTheJarWithItsOwnRoutes() throws Exception {
        try (ProviderSimulator sim = new ProviderSimulator(SimulatorSettings.defaults().withSpeed(100)
                .withOmsProject("np_embedded", OmsScenario.FULL_THEN_INCREMENTAL), 0).start()) {
            Main host = new Main();
            host.setDefaultPropertyPlaceholderLocation("classpath:embedding/host-application.properties");
            String p = "migwatch.sources.embedded-oms.";
            host.addOverrideProperty(p + "provider", "oms");
            host.addOverrideProperty(p + "endpoint", sim.baseUri().toString());
            host.addOverrideProperty(p + "access-key-id", sim.settings().accessKeyId());
            host.addOverrideProperty(p + "access-key-secret", sim.settings().accessKeySecret());
            host.addOverrideProperty(p + "tasks", "np_embedded");
            host.addOverrideProperty(p + "interval", "300ms");
            host.start();
            try {
                CamelContext context = host.getCamelContext();
                assertNotNull(context.getRoute("poll-embedded-oms"), "the source's route was created from the jar's template");
                MockEndpoint hostRoute = context.getEndpoint("mock:host", MockEndpoint.class);
                hostRoute.expectedMinimumMessageCount(3);
                assertTrue(new NotifyBuilder(context).from("timer:migwatch-*").whenDone(5).wereSentTo("direct:migwatch-store").create()
                        .matches(30, TimeUnit.SECONDS), "migwatch stored five cycles");
                hostRoute.assertIsSatisfied(10_000);
                DataSource db = context.getRegistry().lookupByNameAndType("migwatchDataSource", DataSource.class);
                // one poll row per cycle: five successful cycles, and the task's state is recorded
                assertTrue(PollingIntegrationTest.count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = 'np_embedded' "
                        + "AND outcome = 'OK'") >= 5);
                assertTrue(PollingIntegrationTest.count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = 'np_embedded'") >= 1);
            } finally {
                host.stop();
            }
        }
    }
}
