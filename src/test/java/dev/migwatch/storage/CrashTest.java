package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.TaskSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 while writing: a child JVM writes cycles to an H2 file database (through the journal) and is killed
 * mid-way, twice. Every stored cycle has all its rows, none is stored twice, and after the restart the history
 * continues from where it stopped with no gap.
 */
class CrashTest {
    private static final String TASK = "np_crash";
    @TempDir
    Path tmp;

    static TaskSnapshot snapshot(int n) {
        return n % 5 == 4 ? Snapshots.failed(TASK, n) : Snapshots.full(TASK, n);
    }

    @Test
    void aKilledWriterLeavesNoHalfWrittenCycleAndARestartContinuesWithoutDuplicates() throws Exception {
        String url = "jdbc:h2:file:" + tmp.resolve("history").toAbsolutePath();
        Path journal = tmp.resolve("journal");

        int journaled = runAndKill(url, journal, 0);
        int journaledAgain = runAndKill(url, journal, journaled + 1); // the restart resumes, and is killed again

        // reopen as migwatch does on start: temp files go, the journal is written first
        try (HikariDataSource ds = HistoryDatabase.open(url, "sa", "")) {
            assertEveryStoredCycleIsComplete(ds);
            SnapshotSpool spool = new SnapshotSpool(new SnapshotJournal(journal), new HistoryStore(ds), Clock.systemUTC());
            assertEquals(0, spool.replay());
            int last = journaledAgain + 3;
            for (int n = journaledAgain + 1; n <= last; n++) {
                spool.store(snapshot(n)); // polling goes on
            }

            // a cycle killed before its journal entry was complete is polled again by the next run (it starts
            // after the last "journaled" line), so the history has every cycle number, each once, in order
            assertEquals(IntStream.rangeClosed(0, last).boxed().toList(), storedCycles(ds));
            assertEveryStoredCycleIsComplete(ds);

            HistoryStore again = new HistoryStore(ds);
            for (int n = 0; n <= last; n++) {
                assertFalse(again.write(snapshot(n)), "re-writing cycle " + n + " is a no-op");
            }
            assertEquals(IntStream.rangeClosed(0, last).boxed().toList(), storedCycles(ds));
        }
    }

    /** Starts the writer, lets it store a random number of cycles, kills it; returns the last cycle it journaled. */
    private int runAndKill(String url, Path journal, int from) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriterMain.class.getName(), url, journal.toString(), String.valueOf(from))
                .redirectErrorStream(true).start();
        int stopAfter = from + 20 + ThreadLocalRandom.current().nextInt(30);
        int lastJournaled = from - 1;
        List<String> tail = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String line;
            while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
                tail.add(line);
                if (line.startsWith("journaled ")) {
                    lastJournaled = Integer.parseInt(line.substring(10));
                }
                if (line.equals("stored " + stopAfter)) {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(20)); // land anywhere in a later cycle
                    // SIGKILL, no shutdown hook; via the handle, so the pipe stays open to read what was printed before
                    child.toHandle().destroyForcibly();
                    break;
                }
            }
            child.toHandle().destroyForcibly(); // also when it never got that far, so the reads below end
            child.waitFor(10, TimeUnit.SECONDS);
            // lines printed between our last read and the kill still count
            while ((line = out.readLine()) != null) {
                tail.add(line);
                if (line.startsWith("journaled ")) {
                    lastJournaled = Integer.parseInt(line.substring(10));
                }
            }
        }
        assertTrue(lastJournaled >= stopAfter, "the writer ran: " + tail.subList(Math.max(0, tail.size() - 20), tail.size()));
        return lastJournaled;
    }

    private static void assertEveryStoredCycleIsComplete(HikariDataSource ds) throws SQLException {
        for (int n : storedCycles(ds)) {
            StoredCycles.assertComplete(ds, snapshot(n), n);
        }
        // and no state, error or raw rows of a cycle whose poll row is missing (a half-written cycle would show here),
        // and every error of every stored cycle counted exactly once
        StoredCycles.assertNoStrayRows(ds, TASK, CrashTest::snapshot);
    }

    /** Cycle numbers of the poll rows, in insertion order; a cycle stored twice would appear twice. */
    private static List<Integer> storedCycles(HikariDataSource ds) throws SQLException {
        return StoredCycles.inInsertOrder(ds, TASK);
    }
}
