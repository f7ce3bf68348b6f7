package dev.migwatch.it;

import dev.migwatch.TestEnvironment;

import dev.migwatch.simulator.FaultInjector;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM (Process.destroy) while cycles are under way, in a real JVM with a file H2 database: the cycles under
 * way finish and are written to the database, nothing is left in the journal, and the database is closed last. Alike
 * for a node of a cluster, whose source timers sit behind master: endpoints (Camel stops a master: route's processors
 * with its consumer, so ClusterNodes lets the rounds drain first).
 */
class GracefulShutdownTest {
    private static final int TASKS = 12;
    private static final Pattern STOPPED = Pattern.compile("(\\d+) poll cycles started, (\\d+) ended, (\\d+) of them left to an earlier claim");

    @TempDir
    Path workDir;


    @Test
    void sigtermLetsTheCyclesUnderWayFinishAndWritesThemToTheDatabase() throws Exception {
        sigtermWhilePolling(List.of());
    }

    @Test
    void sigtermLetsANodeOfAClusterFinishItsRoundsToo() throws Exception {
        sigtermWhilePolling(List.of("-Dmigwatch.cluster.type=file", "-Dmigwatch.cluster.file.root=" + workDir.resolve("cluster"),
                "-Dmigwatch.cluster.file.lock-interval=200ms", "-Dmigwatch.cluster.node-id=solo"));
    }

    private void sigtermWhilePolling(List<String> clusterProperties) throws Exception {
        SimulatorSettings settings = SimulatorSettings.defaults().withSpeed(60);
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            tasks.add("np_stop" + i);
            settings = settings.withOmsProject("np_stop" + i, OmsScenario.FULL_THEN_INCREMENTAL);
        }
        try (ProviderSimulator sim = new ProviderSimulator(settings, 0).start()) {
            // every answer takes 250 ms, so a cycle (three calls) takes about 0.75 s and cycles are always under way
            sim.faults().always(FaultInjector.ANY_TASK, FaultInjector.Fault.hang(Duration.ofMillis(250)));
            Path db = workDir.resolve("db/history");
            Path journal = workDir.resolve("journal");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Dcamel.server.port=" + TestEnvironment.freePort(), "-Dcamel.management.enabled=false",
                    "-Dmigwatch.db.url=jdbc:h2:file:" + db,
                    "-Dmigwatch.journal.dir=" + journal,
                    "-Dmigwatch.sources.s.provider=oms",
                    "-Dmigwatch.sources.s.endpoint=" + sim.baseUri(),
                    "-Dmigwatch.sources.s.access-key-id=" + settings.accessKeyId(),
                    "-Dmigwatch.sources.s.access-key-secret=" + settings.accessKeySecret(),
                    "-Dmigwatch.sources.s.tasks=" + String.join(",", tasks),
                    "-Dmigwatch.sources.s.interval=200ms"));
            command.addAll(clusterProperties);
            command.add("dev.migwatch.MigwatchApplication");
            Path log = workDir.resolve("out.log");
            Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (sim.stats().total() < 3L * TASKS * 3 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertTrue(sim.stats().total() >= 3L * TASKS * 3, "polling started:\n" + Files.readString(log));
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within the shutdown timeout:\n" + Files.readString(log));
            } finally {
                p.destroyForcibly();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertFalse(out.toLowerCase().contains("already closed"), out);
            Matcher m = STOPPED.matcher(out);
            assertTrue(m.find(), "the stop is reported:\n" + out);
            assertEquals(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), "every cycle started has ended:\n" + out);
            // a cycle that found its poll slot claimed already (a tick moments after the previous cycle) stores nothing
            long started = Long.parseLong(m.group(1)) - Long.parseLong(m.group(3));
            try (Stream<Path> entries = Files.list(journal)) {
                assertEquals(List.of(), entries.filter(Files::isRegularFile).toList(), "nothing left in the journal");
            }
            try (Stream<Path> rejected = Files.list(journal.resolve("rejected"))) {
                assertEquals(0, rejected.count(), "nothing rejected");
            }
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + db);
                 ResultSet cycles = c.createStatement().executeQuery("SELECT COUNT(*) FROM poll");
                 ResultSet samples = c.createStatement().executeQuery("SELECT COUNT(*) FROM poll WHERE outcome = 'OK'");
                 ResultSet calls = c.createStatement().executeQuery("SELECT SUM(calls) FROM poll")) {
                cycles.next();
                samples.next();
                calls.next();
                assertEquals(started, cycles.getLong(1), "every cycle started is in the database:\n" + out);
                assertEquals(started, samples.getLong(1), "and every one succeeded");
                assertEquals(sim.stats().total(), calls.getLong(1), "every request the simulator answered is counted in the poll log");
            }
        }
    }
}
