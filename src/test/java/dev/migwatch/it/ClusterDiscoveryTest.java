package dev.migwatch.it;

import dev.migwatch.cluster.ClusterNodes;
import dev.migwatch.poll.PollCycles;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 with issue 10: two nodes of a file cluster (one shared directory, so one of them leads) watch a source with
 * {@code tasks = *}. Only the leader lists the account: the follower never lists it (its list of the source's tasks stays
 * unknown), and the simulator serves one node's worth of ListProjects calls, not two. When the leader stops, the other
 * node lists the account and polls the tasks it found.
 */
class ClusterDiscoveryTest {
    private static final String SOURCE = "acct";
    private static final List<String> TASKS = List.of("np_disc_a", "np_disc_b", "np_disc_c");
    private static final Duration DISCOVERY_INTERVAL = Duration.ofMillis(500);
    private static final Duration WINDOW = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void onlyTheLeaderOfASourceListsItsAccount() throws Exception {
        String url = "jdbc:h2:mem:cluster-discovery-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        SimulatorSettings settings = SimulatorSettings.defaults().withSpeed(100);
        for (String task : TASKS) {
            settings = settings.withOmsProject(task, OmsScenario.FULL_THEN_INCREMENTAL);
        }
        try (ProviderSimulator sim = new ProviderSimulator(settings, 0).start()) {
            // the first node creates the schema and takes the lead before the second one starts
            Main a = node("node-a", url, sim);
            a.start();
            Main b = node("node-b", url, sim);
            try {
                assertTrue(FaultTestSupport.awaitSql(20_000, () -> leads(a) && lastListedAt(a) != null), "node-a leads and lists");
                b.start();
                // node-b is up and a candidate: from here on, one node's listings are due
                long before = sim.stats().calls("ListProjects");
                Thread.sleep(WINDOW.toMillis());
                long listings = sim.stats().calls("ListProjects") - before;

                assertTrue(leads(a) && !leads(b), "node-a leads, node-b follows");
                assertNull(lastListedAt(b), "the follower never listed the account");
                // one node lists every 500 ms (one page each): at most 10 + 1 in 5 s, two nodes would make about 20
                long oneNode = WINDOW.toMillis() / DISCOVERY_INTERVAL.toMillis() + 2;
                assertTrue(listings > 0 && listings <= oneNode, listings + " ListProjects calls in " + WINDOW
                        + ", one node makes at most " + oneNode);
            } finally {
                a.stop();
            }
            try {
                // the leader is gone: node-b takes the source over, lists the account and polls what it found
                assertTrue(FaultTestSupport.awaitSql(20_000, () -> leads(b) && lastListedAt(b) != null), "node-b leads and lists");
                assertTrue(FaultTestSupport.awaitSql(20_000, () -> polledBy(url, "node-b") == TASKS.size()),
                        "node-b polls the discovered tasks");
                assertFalse(a.isStarted(), "node-a stopped");
            } finally {
                b.stop();
            }
        }
    }

    private static boolean leads(Main m) {
        return m.getCamelContext().getRegistry().lookupByNameAndType("clusterNodes", ClusterNodes.class).leads(SOURCE);
    }

    /** When the node last listed the source's account (GET /api/sources' lastListedAt), null if it never did. */
    private static Object lastListedAt(Main m) {
        PollCycles cycles = m.getCamelContext().getRegistry().lookupByNameAndType("pollCycles", PollCycles.class);
        return cycles.sourceLoads().stream().filter(l -> SOURCE.equals(l.get("source"))).findFirst().orElseThrow().get("lastListedAt");
    }

    /** How many of the tasks the node polled. */
    private static long polledBy(String url, String node) throws java.sql.SQLException {
        try (Connection c = DriverManager.getConnection(url); ResultSet rs = c.createStatement().executeQuery(
                "SELECT COUNT(DISTINCT task_id) FROM v_poll_log WHERE source = '" + SOURCE + "' AND node = '" + node
                        + "' AND task_id <> '*'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Main node(String id, String url, ProviderSimulator sim) throws java.io.IOException {
        Main m = new Main();
        m.setDefaultPropertyPlaceholderLocation("classpath:migwatch/application.properties");
        m.addOverrideProperty("camel.main.name", id);
        // no HTTP server: the test asks the nodes' beans
        m.addOverrideProperty("camel.main.routes-include-pattern",
                "file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml,file:routes/migwatch-cluster.camel.yaml");
        m.addOverrideProperty("camel.server.enabled", "false");
        m.addOverrideProperty("camel.management.enabled", "false");
        m.addOverrideProperty("camel.main.shutdownTimeout", "5");
        m.configure().addConfiguration(new dev.migwatch.MigwatchConfiguration());
        m.addOverrideProperty("migwatch.db.url", url);
        m.addOverrideProperty("migwatch.journal.dir", dir.resolve("journal-" + id).toString());
        m.addOverrideProperty("migwatch.cluster.type", "file");
        m.addOverrideProperty("migwatch.cluster.file.root", dir.resolve("cluster").toString());
        m.addOverrideProperty("migwatch.cluster.file.lock-interval", "200ms");
        m.addOverrideProperty("migwatch.cluster.node-id", id);
        Map<String, String> source = new FaultTestSupport.Sources(sim).oms(SOURCE, "1s", "*")
                .set(SOURCE, "discovery-interval", DISCOVERY_INTERVAL.toMillis() + "ms")
                .build();
        source.forEach(m::addOverrideProperty);
        return m;
    }
}
