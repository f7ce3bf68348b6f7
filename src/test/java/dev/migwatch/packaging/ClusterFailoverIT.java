package dev.migwatch.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two migwatch nodes, each {@code java -jar target/migwatch.jar}, on one PostgreSQL, with the file cluster service on a
 * shared directory, watching four sources of the simulator. Leadership is spread over both; then the leader of one source
 * is killed (SIGKILL) and the other node must poll that source again within its interval plus the lock's takeover time
 * (plus the claim lease, should the leader have died in the middle of a cycle), without any poll stored twice.
 * The measured gap is printed (README, "Running several nodes").
 */
class ClusterFailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SOURCES = List.of("s1", "s2", "s3", "s4");
    private static final String TASK = "np_demo_orders";
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration LOCK_INTERVAL = Duration.ofMillis(500);
    /** Camel's FileLockClusterService takes a lock over once the leader's heartbeat is 5 lock intervals old. */
    private static final Duration TAKEOVER = LOCK_INTERVAL.multipliedBy(6);
    /** PollClaims.lease with the timeouts below: 2 attempts x (1 s + 2 s) + 500 ms backoff + 1 s. */
    private static final Duration CLAIM_LEASE = Duration.ofMillis(7_500);
    /** A loaded two-core CI machine (three other builds) delays timers and JVMs by seconds. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    @Test
    void whenTheLeaderOfASourceIsKilledTheOtherNodePollsItWithoutDuplicates(@TempDir Path dir) throws Exception {
        Path jar = AppProcess.migwatchJar();
        int simPort = AppProcess.freePort();
        String sim = "http://127.0.0.1:" + simPort;
        try (TestPostgres pg = TestPostgres.createSchema();
             AppProcess simulator = AppProcess.start("cluster-simulator", dir, List.of("-cp", jar.toString(),
                     "dev.migwatch.simulator.SimulatorMain", "--port", String.valueOf(simPort), "--speed", "60"), Map.of())) {
            simulator.awaitHttpOk(sim + "/_simulator/stats", Duration.ofSeconds(30));
            Path shared = dir.resolve("cluster");
            Map<String, Integer> ports = new TreeMap<>();
            Map<String, AppProcess> nodes = new TreeMap<>();
            try {
                // the first node creates the schema before the second one starts
                for (String node : List.of("node-1", "node-2")) {
                    int port = AppProcess.freePort();
                    ports.put(node, port);
                    AppProcess app = AppProcess.start("cluster-" + node, workDir(dir, node),
                            command(jar, pg, node, shared, sim, port), Map.of("MIGWATCH_DB_PASSWORD", pg.password));
                    nodes.put(node, app);
                    app.awaitHttpOk("http://127.0.0.1:" + port + "/api/sources", Duration.ofSeconds(90));
                }

                // leadership spread: each source led by exactly one node, and not all by one
                Map<String, String> leaders = awaitLeaders(ports, Duration.ofSeconds(60),
                        l -> l.keySet().equals(Set.copyOf(SOURCES)) && new TreeSet<>(l.values()).size() == 2);
                System.out.println("Leaders with two nodes up: " + leaders);

                String victim = leaders.get("s1");
                String survivor = victim.equals("node-1") ? "node-2" : "node-1";
                Thread.sleep(3_000); // a few polls of s1 by its leader
                Instant killedAt = Instant.now();
                nodes.get(victim).kill();
                System.out.println("Killed " + victim + " (SIGKILL) at " + killedAt);

                Map<String, String> after = awaitLeaders(Map.of(survivor, ports.get(survivor)), Duration.ofSeconds(60),
                        l -> l.keySet().equals(Set.copyOf(SOURCES)));
                System.out.println("Leaders after the kill: " + after);
                // a victim killed in the middle of a cycle holds s1's claim until its lease ends, up to CLAIM_LEASE after
                // the takeover: wait for the survivor's first poll of s1 (or the bound), then for a few more of its polls
                Instant deadline = killedAt.plus(INTERVAL).plus(TAKEOVER).plus(CLAIM_LEASE).plus(MARGIN).plus(MARGIN);
                while (!polledSince(pg, "s1", survivor, killedAt) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(250);
                }
                Thread.sleep(3_000);

                try (Connection c = DriverManager.getConnection(pg.schemaUrl, pg.user, pg.password)) {
                    List<Instant> s1 = new ArrayList<>();
                    Map<Instant, String> s1Nodes = new HashMap<>();
                    Map<String, List<Instant>> bySource = new TreeMap<>();
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                            "SELECT source, polled_at, node FROM v_poll_log WHERE task_id = '" + TASK + "' ORDER BY source, polled_at")) {
                        while (rs.next()) {
                            Instant at = rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC);
                            bySource.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(at);
                            if (rs.getString(1).equals("s1")) {
                                s1.add(at);
                                s1Nodes.put(at, rs.getString(3));
                            }
                        }
                    }
                    List<String> duplicates = new ArrayList<>();
                    // the same poll made twice: two polls of a source's task closer than a quarter of its interval
                    bySource.forEach((source, times) -> {
                        for (int i = 1; i < times.size(); i++) {
                            if (Duration.between(times.get(i - 1), times.get(i)).compareTo(INTERVAL.dividedBy(4)) < 0) {
                                duplicates.add(source + " at " + times.get(i - 1) + " and " + times.get(i));
                            }
                        }
                    });
                    assertEquals(List.of(), duplicates, "polls of one source and task a moment apart");
                    assertEquals(Set.copyOf(SOURCES), bySource.keySet(), "every source was polled");

                    Instant lastBefore = s1.stream().filter(t -> t.isBefore(killedAt)).max(Instant::compareTo).orElseThrow();
                    Instant firstAfter = s1.stream().filter(t -> t.isAfter(killedAt)).min(Instant::compareTo)
                            .orElseThrow(() -> new AssertionError("s1 not polled after the kill at " + killedAt + " until " + Instant.now()));
                    assertEquals(victim, s1Nodes.get(lastBefore), "the victim polled s1 before the kill");
                    assertEquals(survivor, s1Nodes.get(firstAfter), "the survivor polls s1 after the kill");
                    Duration gap = Duration.between(lastBefore, firstAfter);
                    Duration bound = INTERVAL.plus(TAKEOVER).plus(CLAIM_LEASE).plus(MARGIN);
                    System.out.printf("FAILOVER GAP: s1 polled by %s at %s, by %s at %s: %d ms without a poll "
                                    + "(interval %d ms, takeover %d ms after the kill at %s; bound %d ms)%n", victim, lastBefore, survivor,
                            firstAfter, gap.toMillis(), INTERVAL.toMillis(), Duration.between(killedAt, firstAfter).toMillis(), killedAt,
                            bound.toMillis());
                    assertTrue(gap.compareTo(bound) <= 0, "gap of " + gap + " in s1's polls, more than " + bound);
                }
            } catch (Throwable t) {
                nodes.values().forEach(AppProcess::printOutput);
                throw t;
            } finally {
                for (AppProcess app : nodes.values()) {
                    app.close();
                }
            }
        }
    }

    /** True once the poll log holds a poll of the source's task by the node, made after the instant. */
    private static boolean polledSince(TestPostgres pg, String source, String node, Instant after) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.schemaUrl, pg.user, pg.password);
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "SELECT COUNT(*) FROM v_poll_log WHERE source = ? AND task_id = ? AND node = ? AND polled_at > ?")) {
            ps.setString(1, source);
            ps.setString(2, TASK);
            ps.setString(3, node);
            ps.setObject(4, LocalDateTime.ofInstant(after, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }

    /** Each node its own working directory, hence its own journal (./data/journal). */
    private static Path workDir(Path dir, String node) throws java.io.IOException {
        return java.nio.file.Files.createDirectories(dir.resolve(node));
    }

    private static List<String> command(Path jar, TestPostgres pg, String node, Path shared, String sim, int port) {
        List<String> c = new ArrayList<>();
        c.add("-Xmx128m");
        c.add("-Dmigwatch.db.url=" + pg.schemaUrl);
        c.add("-Dmigwatch.db.user=" + pg.user);
        c.add("-Dmigwatch.cluster.type=file");
        c.add("-Dmigwatch.cluster.file.root=" + shared);
        c.add("-Dmigwatch.cluster.file.lock-interval=" + LOCK_INTERVAL.toMillis() + "ms");
        c.add("-Dmigwatch.cluster.node-id=" + node);
        c.add("-Dmigwatch.retry.max-attempts=2");
        c.add("-Dmigwatch.retry.max-delay=500ms");
        for (String s : SOURCES) {
            String p = "-Dmigwatch.sources." + s + ".";
            c.add(p + "provider=oms");
            c.add(p + "endpoint=" + sim);
            c.add(p + "access-key-id=sim-access-key-id");
            c.add(p + "access-key-secret=sim-access-key-secret");
            c.add(p + "tasks=" + TASK);
            c.add(p + "interval=" + INTERVAL.toMillis() + "ms");
            c.add(p + "connect-timeout=1s");
            c.add(p + "read-timeout=2s");
        }
        c.add("-Dcamel.server.port=" + port);
        c.add("-jar");
        c.add(jar.toString());
        return c;
    }

    /** Source to leading node, as the nodes' GET /api/sources say, once accepted (else an AssertionError at the timeout). */
    private static Map<String, String> awaitLeaders(Map<String, Integer> ports, Duration timeout,
                                                    java.util.function.Predicate<Map<String, String>> accepted) throws Exception {
        Instant end = Instant.now().plus(timeout);
        Map<String, String> leaders = new TreeMap<>();
        String problem = "";
        while (Instant.now().isBefore(end)) {
            leaders = new TreeMap<>();
            problem = "";
            for (var e : ports.entrySet()) {
                HttpResponse<String> r = AppProcess.get("http://127.0.0.1:" + e.getValue() + "/api/sources");
                for (JsonNode s : JSON.readTree(r.body()).path("sources")) {
                    if (s.path("leader").asBoolean()) {
                        String previous = leaders.put(s.path("source").asText(), e.getKey());
                        if (previous != null) {
                            problem = "two leaders of " + s.path("source").asText();
                        }
                    }
                }
            }
            if (problem.isEmpty() && accepted.test(leaders)) {
                return leaders;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("leadership not as expected within " + timeout + ": " + leaders + " " + problem);
    }
}
