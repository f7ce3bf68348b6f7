package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A round's split keeps every task's exchange until its last task is done: once a task's cycle has ended, its exchange
 * must hold nothing of the cycle (answers, parsed trees, snapshot: the migwatch* properties and the body), or a round
 * of 1,000 tasks holds 1,000 cycles (bin/migwatch's 96 MB heap ran out after 750).
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:migwatch/application.properties", configurationClasses = MigwatchConfiguration.class, properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-PollTaskLetsGoTest",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:poll-lets-go;DB_CLOSE_DELAY=-1"})
class PollTaskLetsGoTest extends SimulatedSourcesTest {
    static final List<String> TASKS = List.of("np_letgo_a", "np_letgo_b", "np_letgo_c");
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(100)
            .withOmsProject(TASKS.get(0), OmsScenario.FULL_THEN_INCREMENTAL)
            .withOmsProject(TASKS.get(1), OmsScenario.FULL_THEN_INCREMENTAL)
            .withOmsProject(TASKS.get(2), OmsScenario.FULL_THEN_INCREMENTAL));
    static final Map<String, String> PROPS = new FaultTestSupport.Sources(SIMULATOR)
            .oms("letgo-oms", "200ms", String.join(",", TASKS))
            .build();

    PollTaskLetsGoTest() {
        super(SIMULATOR, PROPS);
    }

    @Test
    void aTaskExchangeHoldsNothingOfItsCycleOnceTheCycleEnded() throws Exception {
        List<String> held = new CopyOnWriteArrayList<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        EventNotifierSupport afterEachTask = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeSentEvent sent && sent.getEndpoint().getEndpointUri().equals("direct://migwatch-poll-task")) {
                    Exchange ex = sent.getExchange();
                    seen.add(ex.getExchangeId());
                    ex.getProperties().keySet().stream().filter(k -> k.startsWith("migwatch")).forEach(k -> held.add("property " + k));
                    if (ex.getMessage().getBody() != null) {
                        held.add("body " + ex.getMessage().getBody().getClass().getSimpleName());
                    }
                }
            }
        };
        // as NotifyBuilder adds its own to a started context
        context.getManagementStrategy().addEventNotifier(afterEachTask);
        context.getCamelContextExtension().setEventNotificationApplicable(true);
        ServiceHelper.startService(afterEachTask);
        try {
            assertTrue(FaultTestSupport.await(20_000, () -> seen.size() >= 3 * TASKS.size()), "three rounds of polls");
            assertEquals(List.of(), held.stream().distinct().sorted().toList(), "what the split still held of ended cycles");
        } finally {
            context.getManagementStrategy().removeEventNotifier(afterEachTask);
            ServiceHelper.stopService(afterEachTask);
        }
    }
}
