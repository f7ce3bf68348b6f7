package dev.migwatch.simulator;

import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * --demo: starts the built-in simulator and points three demo sources (OMS, DTS, UDTS) at it, with
 * the simulator's test credentials, so migwatch can be seen working with no configuration at all.
 * The demo history goes to its own database, never into the production one.
 *
 * <p>It lives with the simulator, outside migwatch-core.jar: {@code MigwatchApplication} finds it by name, so that the
 * jar an embedding application puts on its classpath carries no test double.
 */
public final class DemoMode implements AutoCloseable {
    static final String DEMO_DB_URL = "jdbc:h2:file:./data/migwatch-demo";
    /** Simulated time runs 60 times faster: a failed demo task that recovers is seen doing so within seconds. */
    static final String DEMO_IDLE_INTERVAL = "10s";
    private static final Logger LOG = LoggerFactory.getLogger(DemoMode.class);
    private final ProviderSimulator simulator;

    private DemoMode(ProviderSimulator simulator) {
        this.simulator = simulator;
    }

    public static DemoMode start(Main main) throws IOException {
        SimulatorSettings settings = SimulatorSettings.demo();
        ProviderSimulator simulator = new ProviderSimulator(settings, 0).start();
        demoProperties(settings, simulator.baseUri().toString()).forEach(main::addOverrideProperty);
        LOG.info("Demo mode: simulator of OMS, DTS and UDTS at {} (1 s real = {} s simulated); history in {}",
                simulator.baseUri(), (long) settings.speed(), DEMO_DB_URL);
        return new DemoMode(simulator);
    }

    /** The demo sources. DTS signs with HMAC-SHA1 and OMS with ACS3, so both signing methods run. */
    static Map<String, String> demoProperties(SimulatorSettings settings, String endpoint) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("migwatch.db.url", DEMO_DB_URL);
        String oms = "migwatch.sources.demo-oms.";
        p.put(oms + "provider", "oms");
        p.put(oms + "endpoint", endpoint);
        p.put(oms + "access-key-id", settings.accessKeyId());
        p.put(oms + "access-key-secret", settings.accessKeySecret());
        p.put(oms + "tasks", String.join(",", settings.omsProjects().keySet()));
        p.put(oms + "interval", "5s");
        p.put(oms + "idle-interval", DEMO_IDLE_INTERVAL);
        String dts = "migwatch.sources.demo-dts.";
        p.put(dts + "provider", "dts");
        p.put(dts + "endpoint", endpoint);
        p.put(dts + "region", "cn-hangzhou");
        p.put(dts + "access-key-id", settings.accessKeyId());
        p.put(dts + "access-key-secret", settings.accessKeySecret());
        p.put(dts + "signature-method", "HMAC-SHA1");
        p.put(dts + "tasks", String.join(",", settings.dtsJobs().keySet()));
        p.put(dts + "interval", "5s");
        p.put(dts + "idle-interval", DEMO_IDLE_INTERVAL);
        String udts = "migwatch.sources.demo-udts.";
        p.put(udts + "provider", "udts");
        p.put(udts + "endpoint", endpoint);
        p.put(udts + "public-key", settings.ucloudPublicKey());
        p.put(udts + "private-key", settings.ucloudPrivateKey());
        p.put(udts + "tasks", String.join(",", settings.udtsTasks().keySet()));
        p.put(udts + "interval", "5s");
        p.put(udts + "idle-interval", DEMO_IDLE_INTERVAL);
        return p;
    }

    @Override
    public void close() {
        simulator.stop();
    }
}
