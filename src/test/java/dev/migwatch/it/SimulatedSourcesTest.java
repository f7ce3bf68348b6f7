package dev.migwatch.it;

import dev.migwatch.simulator.ProviderSimulator;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.util.Map;

/**
 * The lifecycle every route-level test against the simulator shares. Its sources become System
 * properties (which MigwatchSettings reads) only when the class runs, never when it is loaded: JUnit
 * loads every test class up front, and properties set then leaked into the other classes' contexts.
 * The simulator stops with the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SimulatedSourcesTest {
    private final ProviderSimulator simulator;
    private final Map<String, String> sources;

    @BeanInject
    protected CamelContext context;

    protected SimulatedSourcesTest(ProviderSimulator simulator, Map<String, String> sources) {
        this.simulator = simulator;
        this.sources = sources;
    }

    @BeforeAll
    final void installSources() {
        sources.forEach(System::setProperty);
    }

    @AfterAll
    final void stopSimulator() {
        sources.keySet().forEach(System::clearProperty);
        simulator.stop();
    }
}
