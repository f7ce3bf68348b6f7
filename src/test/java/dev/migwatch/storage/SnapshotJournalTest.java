package dev.migwatch.storage;

import dev.migwatch.history.BodyText;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotJournalTest {
    @TempDir
    Path dir;

    @Test
    void aBodyReceivedAsBytesIsWrittenAsTheTextEntriesAlwaysHeld() throws Exception {
        TaskSnapshot full = Snapshots.full("t1", 1);
        byte[] received = "{\"Data\":{\"StepName\":\"全量迁移\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        TaskSnapshot s = new TaskSnapshot(full.cycleId(), full.source(), full.provider(), full.taskId(), full.polledAt(), full.task(),
                full.steps(), full.components(), full.errors(), full.calls(),
                List.of(new RawBody("DescribeProject", "h", "application/json", BodyText.received(received))), full.notReported());
        new SnapshotJournal(dir).append(s);

        // the entry's layout is the one of every earlier migwatch: the body's text under "body", which they read back
        String entry;
        try (Stream<Path> files = Files.list(dir)) {
            entry = Files.readString(files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow());
        }
        assertTrue(entry.contains("\"body\":\"{\\\"Data\\\":{\\\"StepName\\\":\\\"全量迁移\\\"}}\""), entry);
        assertFalse(entry.contains("\"content\""), entry);
        List<TaskSnapshot> read = drainAll(new SnapshotJournal(dir));
        assertEquals(List.of(s), read);
        assertEquals("{\"Data\":{\"StepName\":\"全量迁移\"}}", read.get(0).rawBodies().get(0).body());
    }

    @Test
    void aSnapshotComesBackEqualWithEveryFieldNullAndNestedRecord() throws Exception {
        List<TaskSnapshot> written = List.of(Snapshots.full("t1", 1), Snapshots.failed("t1", 2), Snapshots.full("t1", 3));
        SnapshotJournal journal = new SnapshotJournal(dir);
        for (TaskSnapshot s : written) {
            journal.append(s);
        }
        assertEquals(3, journal.pending());

        List<TaskSnapshot> read = drainAll(new SnapshotJournal(dir)); // a fresh instance: it comes from disk
        assertEquals(written, read);
        TaskSnapshot full = read.get(0);
        assertEquals(Snapshots.START.plusSeconds(30), full.polledAt()); // nanoseconds kept
        assertEquals("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-1", full.task().binlog().gtid());
        assertEquals(3_000L, full.steps().get(1).incremental().delayMs());
        assertNull(full.steps().get(1).throughput());
        assertNull(read.get(1).task());
    }

    @Test
    void entriesAreReadableJsonWithIsoTimes() throws Exception {
        SnapshotJournal journal = new SnapshotJournal(dir);
        journal.append(Snapshots.full("t1", 0));
        Path entry = journal.entries().get(0);
        assertTrue(entry.getFileName().toString().matches("0{19}1-" + Snapshots.cycleId("t1", 0) + "\\.json"), entry.toString());
        String json = Files.readString(entry);
        assertTrue(json.startsWith("{\"format\":1,\"snapshot\":{\"cycleId\":"), json);
        assertTrue(json.contains("\"polledAt\":\"2025-03-01T08:00:00.123456789Z\""), json);
    }

    @Test
    void orderIsArrivalOrderAcrossRestarts() throws Exception {
        SnapshotJournal journal = new SnapshotJournal(dir);
        for (int n = 0; n < 12; n++) {
            journal.append(Snapshots.failed("t1", n));
        }
        SnapshotJournal reopened = new SnapshotJournal(dir);
        for (int n = 12; n < 20; n++) {
            reopened.append(Snapshots.failed("t1", n)); // numbering continues after the newest entry on disk
        }
        assertEquals(IntStream.range(0, 20).mapToObj(n -> Snapshots.cycleId("t1", n)).toList(),
                drainAll(reopened).stream().map(TaskSnapshot::cycleId).toList());
        assertEquals(0, reopened.pending());
        assertEquals(List.of(), reopened.entries());
    }

    @Test
    void aTempFileLeftByACrashIsDeletedAndNeverRead() throws Exception {
        SnapshotJournal journal = new SnapshotJournal(dir);
        journal.append(Snapshots.full("t1", 0));
        // what a kill -9 between write and rename leaves: a hidden, half-written temp file
        Path leftover = dir.resolve(".00000000000000000002-" + Snapshots.cycleId("t1", 1) + ".json.tmp");
        Files.writeString(leftover, "{\"format\":1,\"snapshot\":{\"cycleId\":\"abc\",\"sou");

        SnapshotJournal reopened = new SnapshotJournal(dir);
        assertFalse(Files.exists(leftover));
        assertEquals(1, reopened.pending());
        reopened.append(Snapshots.full("t1", 1));
        assertEquals(List.of(Snapshots.full("t1", 0), Snapshots.full("t1", 1)), drainAll(reopened));
        assertEquals(List.of(), filesIn(reopened.rejectedDir()));
    }

    @Test
    void drainStopsAtTheFirstFailureAndKeepsThatEntryAndTheRest() throws Exception {
        SnapshotJournal journal = new SnapshotJournal(dir);
        for (int n = 0; n < 5; n++) {
            journal.append(Snapshots.failed("t1", n));
        }
        List<String> seen = new ArrayList<>();
        SnapshotJournal.DrainResult result = journal.drain(s -> {
            if (seen.size() == 2) {
                throw new SQLTransientConnectionException("database away");
            }
            seen.add(s.cycleId());
            return SnapshotJournal.Outcome.STORED;
        });
        assertEquals(2, result.stored());
        assertEquals(3, result.remaining());
        assertInstanceOf(SQLTransientConnectionException.class, result.failure());
        assertEquals(3, journal.pending());
        assertEquals(IntStream.range(2, 5).mapToObj(n -> Snapshots.cycleId("t1", n)).toList(),
                drainAll(journal).stream().map(TaskSnapshot::cycleId).toList());
    }

    @Test
    void aRejectedEntryIsMovedAsideWithItsReasonAndDrainingGoesOn() throws Exception {
        SnapshotJournal journal = new SnapshotJournal(dir);
        for (int n = 0; n < 3; n++) {
            journal.append(Snapshots.full("t1", n));
        }
        String badId = Snapshots.cycleId("t1", 1);
        List<String> stored = new ArrayList<>();
        SnapshotJournal.DrainResult result = journal.drain(s -> {
            if (s.cycleId().equals(badId)) {
                return SnapshotJournal.Outcome.rejected("duplicate key");
            }
            stored.add(s.cycleId());
            return SnapshotJournal.Outcome.STORED;
        });
        assertEquals(new SnapshotJournal.DrainResult(2, 1, 0, null), result);
        assertEquals(List.of(Snapshots.cycleId("t1", 0), Snapshots.cycleId("t1", 2)), stored);
        List<Path> rejected = filesIn(journal.rejectedDir());
        assertEquals(2, rejected.size(), rejected.toString());
        Path entry = rejected.stream().filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        assertEquals(Snapshots.full("t1", 1), SnapshotJournal.read(entry)); // kept whole, for an operator
        assertEquals("duplicate key", Files.readString(Path.of(entry + ".reason.txt")).trim());
    }

    @Test
    void anUnreadableEntryIsRejectedInsteadOfBlockingTheJournal() throws Exception {
        SnapshotJournal journal = new SnapshotJournal(dir);
        journal.append(Snapshots.full("t1", 0));
        Files.writeString(dir.resolve("00000000000000000002-garbage.json"), "not json");
        journal = new SnapshotJournal(dir);
        journal.append(Snapshots.full("t1", 3));
        assertEquals(3, journal.pending());
        assertEquals(List.of(Snapshots.full("t1", 0), Snapshots.full("t1", 3)), drainAll(journal));
        assertTrue(Files.exists(journal.rejectedDir().resolve("00000000000000000002-garbage.json")));
    }

    @Test
    void appendsDuringADrainAreDrainedInOrderToo() throws Exception {
        SnapshotJournal journal = new SnapshotJournal(dir);
        journal.append(Snapshots.failed("t1", 0));
        List<String> seen = new ArrayList<>();
        int[] next = {1};
        journal.drain(s -> {
            seen.add(s.cycleId());
            if (next[0] < 4) {
                journal.append(Snapshots.failed("t1", next[0]++)); // as a poll thread would while the replay runs
            }
            return SnapshotJournal.Outcome.STORED;
        });
        assertEquals(IntStream.range(0, 4).mapToObj(n -> Snapshots.cycleId("t1", n)).toList(), seen);
        assertEquals(0, journal.pending());
    }

    private static List<TaskSnapshot> drainAll(SnapshotJournal journal) {
        List<TaskSnapshot> read = new ArrayList<>();
        SnapshotJournal.DrainResult result = journal.drain(s -> {
            read.add(s);
            return SnapshotJournal.Outcome.STORED;
        });
        assertNull(result.failure());
        return read;
    }

    private static List<Path> filesIn(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            return files.sorted().toList();
        }
    }
}
