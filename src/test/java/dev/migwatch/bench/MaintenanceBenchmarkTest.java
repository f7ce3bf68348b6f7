package dev.migwatch.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.storage.HistoryMaintenance;
import dev.migwatch.storage.Retention;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the history maintenance costs: its rollups of a history that polling wrote, all of them again, on a copy of an H2
 * file (-Dbench.h2-file=PATH without .mv.db, e.g. the one bin/bench-memory leaves in
 * target/bench-memory/work/data/migwatch). Prints the wall and CPU time of the calling thread and what it allocated.
 * Run with {@code mvn -B -Pbenchmark test -Dtest=MaintenanceBenchmarkTest -Dbench.h2-file=…} (add -DargLine="-Xmx96m
 * -XX:+UseSerialGC -XX:TieredStopAtLevel=1" for the JVM of bin/migwatch). Prints figures; not pass/fail.
 */
@Tag("benchmark")
class MaintenanceBenchmarkTest {

    @Test
    void rollupsOfAPolledHistory() throws Exception {
        String file = System.getProperty("bench.h2-file", "target/bench-memory/work/data/migwatch");
        Path source = Path.of(file + ".mv.db");
        assertTrue(Files.exists(source), source + " is missing: run bin/bench-memory first, or give -Dbench.h2-file");
        Path copy = Files.createTempDirectory("maintenance-bench").resolve("history.mv.db");
        Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
        String url = "jdbc:h2:file:" + copy.toAbsolutePath().toString().replaceFirst("\\.mv\\.db$", "");
        try (HikariDataSource db = HistoryDatabase.open(url, null, null)) {
            HistoryDatabase.migrate(db);
            Instant last;
            long polls;
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT MAX(polled_at), COUNT(*) FROM poll")) {
                    rs.next();
                    last = rs.getTimestamp(1).toLocalDateTime().toInstant(ZoneOffset.UTC);
                    polls = rs.getLong(2);
                }
                // every bucket again: the rollups start from the first poll when no mark is there
                st.execute("DELETE FROM metric_rollup");
                st.execute("DELETE FROM rollup_mark");
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            long bytes = mx.getThreadAllocatedBytes(thread);
            long cpu = mx.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            HistoryMaintenance.Report report = new HistoryMaintenance(db, Retention.defaults(),
                    Clock.fixed(last.plus(Duration.ofHours(2)), ZoneOffset.UTC), Duration.ofMinutes(30)).run();
            System.out.printf("history maintenance of %d polls (%s): %s; %.0f ms wall, %.0f ms CPU, %.0f MB allocated (%s, %s)%n",
                    polls, file, report, (System.nanoTime() - wall) / 1e6, (mx.getCurrentThreadCpuTime() - cpu) / 1e6,
                    (mx.getThreadAllocatedBytes(thread) - bytes) / 1e6,
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(),
                    String.format("load %.1f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
            assertTrue(report.caughtUp(), "the rollups caught up: " + report);
        }
    }
}
