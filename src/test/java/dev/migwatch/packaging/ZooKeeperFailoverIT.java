package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11's evidence for ZooKeeper: three migwatch nodes, each {@code java -jar target/migwatch.jar}, with
 * {@code migwatch.cluster.type = zookeeper} on a real ZooKeeper server (curator-test's TestingServer, in this JVM), one
 * PostgreSQL and the simulator process, watching three sources. While the three are up, leadership must be spread (each
 * node leads one source; none leads all). Then the leader of s1 is killed (SIGKILL): another node must poll s1 within
 * the bound below, no poll may be stored twice, and every node still running must show the same newest poll of s1 in
 * {@code /api/tasks}, naming the node that made it. The measured gap is printed (README, "Running several nodes").
 */
class ZooKeeperFailoverIT {
    private static final List<String> SOURCES = List.of("s1", "s2", "s3");
    private static final List<String> NODES = List.of("node-1", "node-2", "node-3");
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    /** migwatch.cluster.session-timeout: a dead node's ZooKeeper session, with its election nodes, ends this long after its last ping. */
    private static final Duration SESSION = Duration.ofSeconds(3);
    /**
     * The server's tick. ZooKeeper grants sessions between 2 and 20 ticks (the default 3 s tick would raise a 3 s session to
     * 6 s) and expires them in whole ticks, up to one tick late.
     */
    private static final Duration TICK = Duration.ofMillis(500);
    /** The dead leader's session ends; the next node in line for s1 is told at once and starts s1's timer (delay 0). */
    private static final Duration TAKEOVER = SESSION.plus(TICK);
    /** A leader killed mid-cycle holds that cycle's claim this long (PollClaims.lease): 7.5 s. */
    private static final Duration CLAIM_LEASE = ClusterRun.claimLease();
    /** A loaded two-core CI machine (three other builds) delays timers and JVMs by seconds. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    @Test
    void threeNodesSpreadTheSourcesAndAnotherTakesOverWhenALeaderIsKilled(@TempDir Path dir) throws Exception {
        Instant began = Instant.now();
        Path jar = AppProcess.migwatchJar();
        int simPort = TestEnvironment.freePort();
        String sim = "http://127.0.0.1:" + simPort;
        InstanceSpec spec = new InstanceSpec(dir.resolve("zookeeper").toFile(), -1, -1, -1, true, -1, (int) TICK.toMillis(), -1);
        try (TestingServer zookeeper = new TestingServer(spec, true);
             TestPostgres pg = TestPostgres.createSchema();
             AppProcess simulator = AppProcess.start("zk-simulator", dir, List.of("-cp", jar.toString(),
                     "dev.migwatch.simulator.SimulatorMain", "--port", String.valueOf(simPort), "--speed", "60"), Map.of());
             ClusterRun cluster = new ClusterRun(dir, pg, sim, SOURCES, INTERVAL, List.of("-Dmigwatch.cluster.type=zookeeper",
                     "-Dmigwatch.cluster.zookeeper.nodes=" + zookeeper.getConnectString(),
                     "-Dmigwatch.cluster.session-timeout=" + SESSION.toMillis() + "ms"))) {
            simulator.awaitHttpOk(sim + "/_simulator/stats", Duration.ofSeconds(30));
            try {
                // the first node creates the schema, then the two others start side by side
                cluster.start(NODES.get(0));
                cluster.start(NODES.get(1), NODES.get(2));
                Instant allUp = Instant.now();

                // spread: the first node up led every source; with three up each leads one
                Map<String, String> leaders = cluster.awaitLeaders(NODES, Duration.ofSeconds(60),
                        l -> l.keySet().equals(Set.copyOf(SOURCES)) && new TreeSet<>(l.values()).size() == NODES.size());
                System.out.printf("Leaders with three nodes up: %s, spread %d ms after the last node started%n", leaders,
                        Duration.between(allUp, Instant.now()).toMillis());
                assertTrue(new TreeSet<>(leaders.values()).size() > 1, "no node leads all sources: " + leaders);

                String victim = leaders.get("s1");
                List<String> survivors = new ArrayList<>(NODES);
                survivors.remove(victim);
                Instant spread = Instant.now();
                ClusterRun.awaitUntil(spread.plusSeconds(10), () -> cluster.polls().getOrDefault("s1", List.of()).stream()
                        .filter(p -> p.node().equals(victim) && p.at().isAfter(spread)).count() >= 3);
                Instant killedAt = Instant.now();
                cluster.kill(victim);
                System.out.println("Killed " + victim + " (SIGKILL) at " + killedAt);

                // a victim killed in the middle of a cycle holds s1's claim until its lease ends: wait for the first poll
                // of s1 after the kill up to the bound (not a fixed time), then for a few more
                Instant deadline = killedAt.plus(INTERVAL).plus(TAKEOVER).plus(CLAIM_LEASE).plus(MARGIN).plus(MARGIN);
                ClusterRun.awaitUntil(deadline, () -> cluster.polledSince("s1", null, killedAt));
                Instant firstAfterKill = Instant.now();
                ClusterRun.awaitUntil(firstAfterKill.plusSeconds(5), () -> cluster.polls().get("s1").stream()
                        .filter(p -> p.at().isAfter(firstAfterKill)).count() >= 2);
                Map<String, String> after = cluster.awaitLeaders(survivors, Duration.ofSeconds(30),
                        l -> l.keySet().equals(Set.copyOf(SOURCES)));
                System.out.println("Leaders after the kill: " + after);

                Map<String, List<ClusterRun.Poll>> polls = cluster.polls();
                assertEquals(List.of(), cluster.duplicates(polls), "polls of one source and task a moment apart");
                assertEquals(Set.copyOf(SOURCES), polls.keySet(), "every source was polled");
                ClusterRun.Gap gap = ClusterRun.gapAround(polls.get("s1"), killedAt);
                assertEquals(victim, gap.before().node(), "the victim polled s1 before the kill");
                assertTrue(survivors.contains(gap.after().node()), "a survivor polls s1 after the kill: " + gap.after());
                Duration bound = INTERVAL.plus(TAKEOVER).plus(CLAIM_LEASE).plus(MARGIN);
                System.out.printf("FAILOVER GAP (zookeeper): s1 polled by %s at %s, by %s at %s: %d ms without a poll "
                                + "(interval %d ms, session %d ms, taken over %d ms after the kill at %s; bound %d ms)%n",
                        victim, gap.before().at(), gap.after().node(), gap.after().at(), gap.length().toMillis(), INTERVAL.toMillis(),
                        SESSION.toMillis(), Duration.between(killedAt, gap.after().at()).toMillis(), killedAt, bound.toMillis());
                assertTrue(gap.length().compareTo(bound) <= 0, "gap of " + gap.length() + " in s1's polls, more than " + bound);

                // any node shows the same history: s1's newest poll, and who made it
                String s1Leader = after.get("s1");
                for (String node : survivors) {
                    JsonNode lastPoll = task(cluster.get(node, "/api/tasks"), "s1").path("lastPoll");
                    assertEquals(s1Leader, lastPoll.path("node").asText(), node + " names the node of s1's newest poll: " + lastPoll);
                }
                assertNotEquals(victim, s1Leader);
                System.out.printf("ZooKeeperFailoverIT took %d s%n", Duration.between(began, Instant.now()).toSeconds());
            } catch (Throwable t) {
                cluster.printOutputs();
                throw t;
            }
        }
    }

    private static JsonNode task(JsonNode tasks, String source) {
        for (JsonNode t : tasks.path("tasks")) {
            if (t.path("source").asText().equals(source) && t.path("taskId").asText().equals(ClusterRun.TASK)) {
                return t;
            }
        }
        throw new AssertionError("no " + source + "/" + ClusterRun.TASK + " in " + tasks);
    }
}
