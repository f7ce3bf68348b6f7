package dev.migwatch.it;

import dev.migwatch.TestEnvironment;
import dev.migwatch.cluster.PollClaims;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes that both believe they lead every source (a split brain, forced here by giving each its own cluster
 * directory) on one history database: the database's claims (PollClaims, poll_claim) let one of them poll each task in
 * each poll slot, so no poll is stored twice and no two cycles of a task overlap, while both nodes try all along.
 */
class ClusterOverlapTest {
    private static final int INTERVAL_MS = 400;
    private static final List<String> TASKS = List.of("np_overlap_a", "np_overlap_b");

    @TempDir
    Path dir;

    @Test
    void twoLeadersOnOneH2DatabaseNeverPollATaskTwiceInASlot() throws Exception {
        String url = "jdbc:h2:mem:overlap-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        overlap(url, null, null);
    }

    @Test
    void twoLeadersOnOnePostgresqlDatabaseNeverPollATaskTwiceInASlot() throws Exception {
        String base = TestEnvironment.postgresUrl();
        String user = TestEnvironment.postgresUser();
        String password = TestEnvironment.postgresPassword();
        String schema = "ov" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (var c = DriverManager.getConnection(base, user, password)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
        try {
            overlap(base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password);
        } finally {
            try (var c = DriverManager.getConnection(base, user, password)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private void overlap(String url, String user, String password) throws Exception {
        try (ProviderSimulator sim = new ProviderSimulator(SimulatorSettings.defaults().withSpeed(100)
                .withOmsProject(TASKS.get(0), OmsScenario.FULL_THEN_INCREMENTAL)
                .withOmsProject(TASKS.get(1), OmsScenario.FULL_THEN_INCREMENTAL), 0).start()) {
            // the first node creates the schema before the second one starts
            Main a = node("node-a", url, user, password, sim);
            a.start();
            Main b = node("node-b", url, user, password, sim);
            Instant from;
            Instant to;
            PollClaims claimsA = claims(a);
            PollClaims claimsB;
            try {
                b.start();
                claimsB = claims(b);
                from = Instant.now();
                Thread.sleep(8_000);
                to = Instant.now();
                // the split brain this test is about: each node leads the source all along
                assertTrue(leads(a) && leads(b), "both nodes lead the source");
            } finally {
                b.stop();
                a.stop();
            }
            try (var c = DriverManager.getConnection(url, user, password)) {
                DataSource db = new SingleConnection(c);
                List<Map<String, Object>> polls = FaultTestSupport.rows(db,
                        "SELECT task_id, polled_at, duration_ms, node FROM v_poll_log ORDER BY task_id, polled_at");
                Set<Object> nodes = new TreeSet<>();
                Map<String, List<Map<String, Object>>> byTask = new HashMap<>();
                for (Map<String, Object> p : polls) {
                    nodes.add(p.get("NODE"));
                    byTask.computeIfAbsent((String) p.get("TASK_ID"), k -> new ArrayList<>()).add(p);
                }
                // which node wins a slot depends on the phase of the two timers: often one of them wins them all
                assertTrue(Set.of("node-a", "node-b").containsAll(nodes) && !nodes.isEmpty(), "each poll names its node: " + nodes);
                assertEquals(Set.copyOf(TASKS), byTask.keySet());
                List<String> duplicates = new ArrayList<>();
                List<String> overlaps = new ArrayList<>();
                for (var e : byTask.entrySet()) {
                    Map<String, Object> previous = null;
                    for (Map<String, Object> p : e.getValue()) {
                        Instant at = utc(p.get("POLLED_AT"));
                        // a poll is stored at the start of its cycle, shortly after its slot was claimed: two polls of
                        // one slot, or of adjacent slots a moment apart, are closer than a quarter interval
                        if (previous != null && Duration.between(utc(previous.get("POLLED_AT")), at).toMillis() < INTERVAL_MS / 4) {
                            duplicates.add(e.getKey() + " at " + utc(previous.get("POLLED_AT")) + " and " + at);
                        }
                        if (previous != null) {
                            Instant previousEnd = utc(previous.get("POLLED_AT")).plusMillis(((Number) previous.get("DURATION_MS")).longValue());
                            if (previousEnd.isAfter(at)) {
                                overlaps.add(e.getKey() + ": " + previous + " and " + p);
                            }
                        }
                        previous = p;
                    }
                    // two nodes each ticking every interval would make about twice this many
                    long maxPolls = Duration.between(from, to).toMillis() / INTERVAL_MS + 8;
                    assertTrue(e.getValue().size() <= maxPolls + 4, e.getKey() + ": " + e.getValue().size() + " polls in "
                            + Duration.between(from, to) + " at most one per " + INTERVAL_MS + " ms slot expected");
                }
                assertEquals(List.of(), duplicates, "polls of one task less than a quarter interval apart");
                assertEquals(List.of(), overlaps, "cycles of one task that overlapped");
            }
            long refused = claimsA.refused() + claimsB.refused();
            assertTrue(refused > 0, "the nodes did compete for the same slots: " + refused + " claims refused");
        }
    }


    private static boolean leads(Main m) {
        return m.getCamelContext().getRegistry().lookupByNameAndType("clusterNodes", dev.migwatch.cluster.ClusterNodes.class).leads("ov");
    }

    private static PollClaims claims(Main m) {
        return m.getCamelContext().getRegistry().lookupByNameAndType("pollClaims", PollClaims.class);
    }

    private static Instant utc(Object v) {
        return v instanceof Instant i ? i : ((java.time.LocalDateTime) v).toInstant(java.time.ZoneOffset.UTC);
    }

    private Main node(String id, String url, String user, String password, ProviderSimulator sim) throws java.io.IOException {
        Main m = new Main();
        m.setDefaultPropertyPlaceholderLocation("classpath:migwatch/application.properties");
        m.addOverrideProperty("camel.main.name", id);
        m.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/migwatch-*.camel.yaml");
        m.addOverrideProperty("camel.server.port", String.valueOf(TestEnvironment.freePort()));
        m.addOverrideProperty("camel.management.enabled", "false");
        m.addOverrideProperty("camel.main.shutdownTimeout", "5");
        m.configure().addConfiguration(new dev.migwatch.MigwatchConfiguration());
        m.addOverrideProperty("migwatch.db.url", url);
        if (user != null) {
            m.addOverrideProperty("migwatch.db.user", user);
            m.addOverrideProperty("migwatch.db.password", password);
        }
        m.addOverrideProperty("migwatch.journal.dir", dir.resolve("journal-" + id).toString());
        // each node its own cluster directory: each leads every source, as two nodes on either side of a split would
        m.addOverrideProperty("migwatch.cluster.type", "file");
        m.addOverrideProperty("migwatch.cluster.file.root", dir.resolve("cluster-" + id).toString());
        m.addOverrideProperty("migwatch.cluster.file.lock-interval", "200ms");
        m.addOverrideProperty("migwatch.cluster.node-id", id);
        String p = "migwatch.sources.ov.";
        m.addOverrideProperty(p + "provider", "oms");
        m.addOverrideProperty(p + "endpoint", sim.baseUri().toString());
        m.addOverrideProperty(p + "access-key-id", sim.settings().accessKeyId());
        m.addOverrideProperty(p + "access-key-secret", sim.settings().accessKeySecret());
        m.addOverrideProperty(p + "tasks", String.join(",", TASKS));
        m.addOverrideProperty(p + "interval", INTERVAL_MS + "ms");
        return m;
    }

    /** FaultTestSupport.rows wants a DataSource; the test reads through one connection. */
    private record SingleConnection(java.sql.Connection c) implements DataSource {
        @Override
        public java.sql.Connection getConnection() {
            return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{java.sql.Connection.class}, (proxy, method, args) -> method.getName().equals("close") ? null
                            : method.invoke(c, args));
        }

        @Override
        public java.sql.Connection getConnection(String u, String p) {
            return getConnection();
        }

        @Override
        public java.io.PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return null;
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("no");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
