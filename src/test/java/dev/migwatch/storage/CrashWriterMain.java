package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;

import java.nio.file.Path;
import java.time.Clock;

/**
 * The child JVM of {@link CrashTest}: polls as fast as it can, each cycle journaled first and then written to the
 * database through the spool, until the test kills it with SIGKILL at an arbitrary point.
 * Prints "journaled n" once cycle n is durable in the journal and "stored n" once it is in the database.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Path journalDir = Path.of(args[1]);
        int from = Integer.parseInt(args[2]);
        HikariDataSource ds = HistoryDatabase.open(url, "sa", "");
        HistoryDatabase.migrate(ds);
        SnapshotSpool spool = new SnapshotSpool(new SnapshotJournal(journalDir), new HistoryStore(ds), Clock.systemUTC());
        spool.replay(); // what a restart does first
        System.out.println("ready");
        for (int n = from; ; n++) {
            // journal first, then the database: so the kill can land in either write
            spool.spool(CrashTest.snapshot(n));
            System.out.println("journaled " + n);
            if (spool.replay() == 0) {
                System.out.println("stored " + n);
            }
        }
    }
}
