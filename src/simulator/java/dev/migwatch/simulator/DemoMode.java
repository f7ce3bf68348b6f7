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
        source(p, "demo-oms", "oms", endpoint, settings.omsProjects().keySet(), Map.of(
                "access-key-id", settings.accessKeyId(), "access-key-secret", settings.accessKeySecret()));
        source(p, "demo-dts", "dts", endpoint, settings.dtsJobs().keySet(), Map.of("region", "cn-hangzhou",
                "access-key-id", settings.accessKeyId(), "access-key-secret", settings.accessKeySecret(),
                "signature-method", "HMAC-SHA1"));
        source(p, "demo-udts", "udts", endpoint, settings.udtsTasks().keySet(), Map.of(
                "public-key", settings.ucloudPublicKey(), "private-key", settings.ucloudPrivateKey()));
        return p;
    }

    /** One demo source: polled every 5 s, its idle tasks every DEMO_IDLE_INTERVAL, with its credentials. */
    private static void source(Map<String, String> p, String name, String provider, String endpoint,
                               java.util.Collection<String> tasks, Map<String, String> credentials) {
        String key = "migwatch.sources." + name + ".";
        p.put(key + "provider", provider);
        p.put(key + "endpoint", endpoint);
        new java.util.TreeMap<>(credentials).forEach((k, v) -> p.put(key + k, v));
        p.put(key + "tasks", String.join(",", tasks));
        p.put(key + "interval", "5s");
        p.put(key + "idle-interval", DEMO_IDLE_INTERVAL);
    }

    @Override
    public void close() {
        simulator.stop();
    }
}
