package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.TaskSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot the database keeps refusing with an error that looks like an outage (no SQLSTATE class 22/23)
 * must not hold the journal forever while the database answers: after a few tries it is set aside and
 * the snapshots behind it are written.
 */
class StuckJournalTest {
    @TempDir
    Path dir;

    @Test
    void aSnapshotRefusedWhileTheDatabaseAnswersIsSetAsideAfterAFewTries() throws Exception {
        try (HikariDataSource ds = HistoryDatabase.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", null)) {
            HistoryDatabase.migrate(ds);
            TaskSnapshot poison = Snapshots.full("np_stuck", 0);
            HistoryStore store = new HistoryStore(ds) {
                @Override
                public boolean write(TaskSnapshot s) throws SQLException {
                    if (s.cycleId().equals(poison.cycleId())) {
                        throw new SQLException("Incorrect string value", "HY000", 1366); // MySQL's code for bad text
                    }
                    return super.write(s);
                }
            };
            SnapshotJournal journal = new SnapshotJournal(dir);
            SnapshotSpool spool = new SnapshotSpool(journal, store, Clock.systemUTC());
            journal.append(poison);
            TaskSnapshot next = Snapshots.full("np_stuck", 1);
            journal.append(next);

            for (int i = 1; i < SnapshotSpool.STUCK_TRIES; i++) {
                assertEquals(2, spool.replay(), "kept while it might still be an outage, try " + i);
            }
            assertEquals(0, spool.replay(), "set aside on the last try; the next snapshot is written");
            assertTrue(store.write(next) == false, "the snapshot behind it was stored");
            try (Stream<Path> rejected = Files.list(dir.resolve(SnapshotJournal.REJECTED))) {
                assertTrue(rejected.anyMatch(p -> p.getFileName().toString().contains(poison.cycleId())));
            }
        }
    }
}
