package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedding path as a host application gets it (README, "Embedding migwatch in an existing Camel
 * application"): the thin target/migwatch-core.jar plus its runtime dependencies on the classpath of a
 * separate JVM, a plain camel-main host (HostApplication) whose application.properties adds
 * MigwatchConfiguration and the routes from the jar, against PostgreSQL, polling the simulator (a process of its own,
 * from target/migwatch-core-simulator.jar: the thin jar carries no test double).
 */
class EmbeddedThinJarIT {

    @Test
    void aHostApplicationWithTheThinJarPollsIntoPostgresql(@TempDir Path workDir) throws Exception {
        try (TestPostgres pg = TestPostgres.createSchema()) {
            Path core = AppProcess.requiredFile("migwatch.core.jar", "target/migwatch-core.jar");
            String dependencies = Files.readString(AppProcess.requiredFile("migwatch.runtime.classpath", "target/runtime-classpath.txt")).trim();
            // the host's own class only (target/test-classes), no test library: the rest is what a host would declare
            Path hostClasses = Path.of(HostApplication.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            String classpath = String.join(File.pathSeparator, core.toString(), dependencies, hostClasses.toString());
            try (JarFile jar = new JarFile(core.toFile())) {
                List<String> simulatorClasses = jar.stream().map(JarEntry::getName).filter(n -> n.startsWith("dev/migwatch/simulator/")).toList();
                assertEquals(List.of(), simulatorClasses, "the jar for embedding carries no simulator");
            }
            Path simulatorJar = AppProcess.requiredFile("migwatch.simulator.jar", "target/migwatch-core-simulator.jar");
            String simulatorClasspath = String.join(File.pathSeparator, simulatorJar.toString(), classpath);

            int simPort = TestEnvironment.freePort();
            int port = TestEnvironment.freePort();
            Files.writeString(workDir.resolve("application.properties"), String.join("\n",
                    "camel.main.name = host-app",
                    "camel.main.configuration-classes = dev.migwatch.MigwatchConfiguration",
                    "camel.main.routes-include-pattern = classpath:migwatch/routes/migwatch-polling.camel.yaml,"
                            + "classpath:migwatch/routes/migwatch-journal.camel.yaml,classpath:migwatch/routes/migwatch-maintenance.camel.yaml,"
                            + "classpath:migwatch/routes/migwatch-rest.camel.yaml",
                    "camel.rest.component = platform-http",
                    "camel.server.enabled = true",
                    "camel.server.host = 127.0.0.1",
                    "camel.server.port = " + port,
                    "migwatch.db.url = " + pg.schemaUrl,
                    "migwatch.db.user = " + pg.user,
                    "migwatch.db.password = {{env:HOST_DB_PASSWORD}}",
                    "migwatch.sources.host-oms.provider = oms",
                    "migwatch.sources.host-oms.endpoint = http://127.0.0.1:" + simPort,
                    "migwatch.sources.host-oms.access-key-id = sim-access-key-id",
                    "migwatch.sources.host-oms.access-key-secret = sim-access-key-secret",
                    "migwatch.sources.host-oms.tasks = np_demo_orders",
                    "migwatch.sources.host-oms.interval = 2s",
                    ""));
            try (AppProcess simulator = AppProcess.start("thin-simulator", workDir, List.of("-cp", simulatorClasspath,
                    "dev.migwatch.simulator.SimulatorMain", "--port", String.valueOf(simPort), "--speed", "60"), Map.of());
                 AppProcess host = AppProcess.start("thin-host-postgresql", workDir,
                         List.of("-cp", classpath, HostApplication.class.getName()), Map.of("HOST_DB_PASSWORD", pg.password))) {
                try {
                    simulator.awaitHttpOk("http://127.0.0.1:" + simPort + "/_simulator/stats", Duration.ofSeconds(30));
                    host.awaitSampledTasks(port, Set.of("host-oms/np_demo_orders"), Duration.ofSeconds(90));
                    HistoryCounts counts = pg.counts();
                    assertTrue(counts.migrations() >= 2, "Flyway migrated the PostgreSQL schema: " + counts);
                    assertTrue(counts.okPolls() >= 1, "the polls are in PostgreSQL: " + counts);
                } catch (Throwable t) {
                    simulator.printOutput();
                    host.printOutput();
                    throw t;
                }
            }
        }
    }
}
