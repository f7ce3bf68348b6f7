package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/migwatch, the documented way to start migwatch: it runs the jar with the bounded JVM the README promises, writes
 * the class-data archive when the first run stops (keeping it only if Camel had started), and maps it from the second
 * run on.
 */
class LauncherIT {
    @TempDir
    Path dir;

    @Test
    void theLauncherBoundsTheJvmAndMapsItsClassArchiveFromTheSecondStart() throws Exception {
        Path launcher = Path.of("bin", "migwatch").toAbsolutePath();
        Path cds = Files.createDirectories(dir.resolve("cds"));
        int port = TestEnvironment.freePort();
        Files.writeString(dir.resolve("application.properties"), "camel.server.port=" + port + "\n");
        Map<String, String> env = Map.of("MIGWATCH_JAR", AppProcess.migwatchJar().toString(), "MIGWATCH_CDS_DIR", cds.toString());

        try (AppProcess first = AppProcess.command("launcher-first", dir, List.of(launcher.toString(), "--demo"), env)) {
            first.awaitSampledTasks(port, Set.of("demo-oms/np_demo_orders"), Duration.ofSeconds(90));
            String jvm = commandLine(first.pid());
            assertTrue(jvm.contains("-Xmx96m") && jvm.contains("-XX:+UseSerialGC") && jvm.contains("-XX:TieredStopAtLevel=1"), jvm);
            assertTrue(jvm.contains("-XX:ArchiveClassesAtExit=" + cds), "no archive yet: the first run writes it: " + jvm);
            // under that heap H2 would cache 6 MB of pages and keep 3,750 rows of a result in memory: migwatch opens its
            // file database with 16 MB and 40,000 rows
            assertTrue(first.output().lines().anyMatch(l -> l.contains("History database jdbc:h2:") && l.contains(";CACHE_SIZE=16384")
                    && l.contains(";MAX_MEMORY_ROWS=40000")), first.output());
        }
        // written aside when the first run stopped, and marked good: Camel had started
        Path written = single(cds, ".jsa.first-run");
        Path archive = Path.of(written.toString().substring(0, written.toString().length() - ".first-run".length()));
        assertTrue(Files.exists(Path.of(archive + ".started")), "the first run marked its archive");

        try (AppProcess second = AppProcess.command("launcher-second", dir, List.of(launcher.toString(), "--demo"), env)) {
            second.awaitSampledTasks(port, Set.of("demo-oms/np_demo_orders"), Duration.ofSeconds(90));
            assertTrue(commandLine(second.pid()).contains("-XX:SharedArchiveFile=" + archive));
            assertTrue(Files.readString(Path.of("/proc", String.valueOf(second.pid()), "maps")).contains(archive.toString()),
                    "the JVM mapped the archive (it ignores one that does not fit the jar)");
            assertFalse(second.output().contains("[warning][cds"), second.output());
        }
        assertEquals(List.of(archive), files(cds), "the archive alone, kept for the next starts");
    }

    /**
     * A first run that stops on a configuration error (here the usual first one: no source yet) loaded a third of the
     * classes of a start. Its archive is dropped, and the next run writes one again instead of mapping that forever.
     */
    @Test
    void anArchiveWrittenByARunThatNeverStartedIsNotKept() throws Exception {
        Path launcher = Path.of("bin", "migwatch").toAbsolutePath();
        Path cds = Files.createDirectories(dir.resolve("cds"));
        int port = TestEnvironment.freePort();
        Files.writeString(dir.resolve("application.properties"), "camel.server.port=" + port + "\n");
        Map<String, String> env = Map.of("MIGWATCH_JAR", AppProcess.migwatchJar().toString(), "MIGWATCH_CDS_DIR", cds.toString());

        try (AppProcess unconfigured = AppProcess.command("launcher-unconfigured", dir, List.of(launcher.toString()), env)) {
            assertEquals(2, unconfigured.awaitExit(Duration.ofSeconds(90)), unconfigured.output());
            assertTrue(unconfigured.output().contains("No source is configured"), unconfigured.output());
        }
        Path written = single(cds, ".jsa.first-run");
        assertFalse(Files.exists(Path.of(written.toString().replace(".first-run", ".started"))), "not marked: Camel never started");

        try (AppProcess next = AppProcess.command("launcher-after-unconfigured", dir, List.of(launcher.toString(), "--demo"), env)) {
            next.awaitSampledTasks(port, Set.of("demo-oms/np_demo_orders"), Duration.ofSeconds(90));
            String jvm = commandLine(next.pid());
            assertTrue(jvm.contains("-XX:ArchiveClassesAtExit=" + written) && !jvm.contains("-XX:SharedArchiveFile"),
                    "the unmarked archive is dropped and written again: " + jvm);
        }
    }

    private static Path single(Path dir, String suffix) throws IOException {
        List<Path> found = files(dir).stream().filter(p -> p.toString().endsWith(suffix)).toList();
        assertEquals(1, found.size(), suffix + " in " + files(dir));
        return found.get(0);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static String commandLine(long pid) throws Exception {
        return Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline")).replace('\0', ' ');
    }
}
