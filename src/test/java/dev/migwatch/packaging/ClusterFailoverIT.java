package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two migwatch nodes, each {@code java -jar target/migwatch.jar}, on one PostgreSQL, with the file cluster service on a
 * shared directory, watching four sources of the simulator. Leadership is spread over both; then the leader of one source
 * is killed (SIGKILL) and the other node must poll that source again within its interval plus the lock's takeover time
 * (plus the claim lease, should the leader have died in the middle of a cycle), without any poll stored twice.
 * The measured gap is printed (README, "Running several nodes"). ZooKeeperFailoverIT does the same with three nodes.
 */
class ClusterFailoverIT {
    private static final List<String> SOURCES = List.of("s1", "s2", "s3", "s4");
    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration LOCK_INTERVAL = Duration.ofMillis(500);
    /** Camel's FileLockClusterService takes a lock over once the leader's heartbeat is 5 lock intervals old. */
    private static final Duration TAKEOVER = LOCK_INTERVAL.multipliedBy(6);
    /** A leader killed mid-cycle holds that cycle's claim this long (PollClaims.lease): 7.5 s. */
    private static final Duration CLAIM_LEASE = ClusterRun.claimLease();
    /** A loaded two-core CI machine (three other builds) delays timers and JVMs by seconds. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    @Test
    void whenTheLeaderOfASourceIsKilledTheOtherNodePollsItWithoutDuplicates(@TempDir Path dir) throws Exception {
        Path jar = AppProcess.migwatchJar();
        int simPort = TestEnvironment.freePort();
        String sim = "http://127.0.0.1:" + simPort;
        try (TestPostgres pg = TestPostgres.createSchema();
             AppProcess simulator = AppProcess.start("cluster-simulator", dir, List.of("-cp", jar.toString(),
                     "dev.migwatch.simulator.SimulatorMain", "--port", String.valueOf(simPort), "--speed", "60"), Map.of());
             ClusterRun cluster = new ClusterRun(dir, pg, sim, SOURCES, INTERVAL, List.of("-Dmigwatch.cluster.type=file",
                     "-Dmigwatch.cluster.file.root=" + dir.resolve("cluster"),
                     "-Dmigwatch.cluster.file.lock-interval=" + LOCK_INTERVAL.toMillis() + "ms"))) {
            simulator.awaitHttpOk(sim + "/_simulator/stats", Duration.ofSeconds(30));
            try {
                // the first node creates the schema before the second one starts
                cluster.start("node-1");
                cluster.start("node-2");

                // leadership spread: each source led by exactly one node, and not all by one
                Map<String, String> leaders = cluster.awaitLeaders(List.of("node-1", "node-2"), Duration.ofSeconds(60),
                        l -> l.keySet().equals(Set.copyOf(SOURCES)) && new TreeSet<>(l.values()).size() == 2);
                System.out.println("Leaders with two nodes up: " + leaders);

                String victim = leaders.get("s1");
                String survivor = victim.equals("node-1") ? "node-2" : "node-1";
                // a few polls of s1 by its leader
                Instant spread = Instant.now();
                ClusterRun.awaitUntil(spread.plusSeconds(10), () -> cluster.polls().getOrDefault("s1", List.of()).stream()
                        .filter(p -> p.node().equals(victim) && p.at().isAfter(spread)).count() >= 3);
                Instant killedAt = Instant.now();
                cluster.kill(victim);
                System.out.println("Killed " + victim + " (SIGKILL) at " + killedAt);

                Map<String, String> after = cluster.awaitLeaders(List.of(survivor), Duration.ofSeconds(60),
                        l -> l.keySet().equals(Set.copyOf(SOURCES)));
                System.out.println("Leaders after the kill: " + after);
                // a victim killed in the middle of a cycle holds s1's claim until its lease ends, up to CLAIM_LEASE after
                // the takeover: wait for the survivor's first poll of s1 (or the bound), then for a few more of its polls
                Instant deadline = killedAt.plus(INTERVAL).plus(TAKEOVER).plus(CLAIM_LEASE).plus(MARGIN).plus(MARGIN);
                ClusterRun.awaitUntil(deadline, () -> cluster.polledSince("s1", survivor, killedAt));
                Instant firstOfSurvivor = Instant.now();
                ClusterRun.awaitUntil(firstOfSurvivor.plusSeconds(5), () -> cluster.polls().get("s1").stream()
                        .filter(p -> p.at().isAfter(firstOfSurvivor)).count() >= 2);

                Map<String, List<ClusterRun.Poll>> polls = cluster.polls();
                assertEquals(List.of(), cluster.duplicates(polls), "polls of one source and task a moment apart");
                assertEquals(Set.copyOf(SOURCES), polls.keySet(), "every source was polled");

                ClusterRun.Gap gap = ClusterRun.gapAround(polls.get("s1"), killedAt);
                assertEquals(victim, gap.before().node(), "the victim polled s1 before the kill");
                assertEquals(survivor, gap.after().node(), "the survivor polls s1 after the kill");
                Duration bound = INTERVAL.plus(TAKEOVER).plus(CLAIM_LEASE).plus(MARGIN);
                System.out.printf("FAILOVER GAP: s1 polled by %s at %s, by %s at %s: %d ms without a poll "
                                + "(interval %d ms, takeover %d ms after the kill at %s; bound %d ms)%n", victim, gap.before().at(), survivor,
                        gap.after().at(), gap.length().toMillis(), INTERVAL.toMillis(), Duration.between(killedAt, gap.after().at()).toMillis(),
                        killedAt, bound.toMillis());
                assertTrue(gap.length().compareTo(bound) <= 0, "gap of " + gap.length() + " in s1's polls, more than " + bound);
            } catch (Throwable t) {
                cluster.printOutputs();
                throw t;
            }
        }
    }
}
