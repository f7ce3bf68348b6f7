package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * the class-data archive when the first run stops, and maps it from the second run on.
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
        }
        Path archive;
        try (Stream<Path> files = Files.list(cds)) {
            List<Path> archives = files.filter(p -> p.toString().endsWith(".jsa")).toList();
            assertEquals(1, archives.size(), "the archive written when the first run stopped: " + archives);
            archive = archives.get(0);
        }

        try (AppProcess second = AppProcess.command("launcher-second", dir, List.of(launcher.toString(), "--demo"), env)) {
            second.awaitSampledTasks(port, Set.of("demo-oms/np_demo_orders"), Duration.ofSeconds(90));
            assertTrue(commandLine(second.pid()).contains("-XX:SharedArchiveFile=" + archive));
            assertTrue(Files.readString(Path.of("/proc", String.valueOf(second.pid()), "maps")).contains(archive.toString()),
                    "the JVM mapped the archive (it ignores one that does not fit the jar)");
            assertFalse(second.output().contains("[warning][cds"), second.output());
        }
    }

    private static String commandLine(long pid) throws Exception {
        return Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline")).replace('\0', ' ');
    }
}
