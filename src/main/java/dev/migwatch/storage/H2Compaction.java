package dev.migwatch.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Keeps an H2 file that migwatch runs itself (the default database) from filling with dead pages while it writes
 * (routes/migwatch-maintenance.camel.yaml calls it every few seconds; for any other database it does nothing).
 *
 * <p>Why: H2 never overwrites a page; every commit writes the pages it changed into a new chunk at the file's end,
 * and the older copies stay in their chunks until H2 rewrites a chunk's remaining live pages elsewhere. A poll
 * touches about forty maps (each table's rows and each index), at a different place of each index for each task,
 * so every half-second commit leaves a few hundred dead pages behind. H2's own background writer rewrites chunks
 * only while its average chunk is less than about 60 % live and with a small budget, and in this load the chunks
 * settled at 25 to 55 % live: the file grew 1.3 to 1.6 KB a task-poll for about 410 bytes of rows (README,
 * "History size"). Rewriting the least-live chunks a few megabytes at a time, until they are {@link #TARGET_FILL_RATE}
 * % live, is what H2's {@code MVStore.compact} does; H2 only offers it through its Java API, so this reaches the
 * store through the connection.
 *
 * <p>Each call holds H2's store lock while it rewrites (about 30 ms for {@link #WRITE_BYTES} here), in which H2
 * writes no chunk; a commit waits only if its unsaved changes outgrow H2's buffer meanwhile. Once the chunks are
 * that live a call does nothing.
 */
public final class H2Compaction {
    private static final Logger LOG = LoggerFactory.getLogger(H2Compaction.class);
    /** Chunks are rewritten until this percentage of their pages is live. */
    static final int TARGET_FILL_RATE = 80;
    /** At most this many bytes of live pages are rewritten in one call. */
    static final int WRITE_BYTES = 4 << 20;

    private final DataSource dataSource;
    /** False also once the connection turned out to be to another process (AUTO_SERVER=TRUE, and that process was first). */
    private volatile boolean applies;
    private volatile boolean failedBefore;

    public H2Compaction(DataSource dataSource, String jdbcUrl) {
        this.dataSource = Objects.requireNonNull(dataSource);
        this.applies = HistoryDatabase.embeddedOnDisk(jdbcUrl.toUpperCase(java.util.Locale.ROOT));
    }

    /** Whether the database is an H2 file this JVM runs (else run does nothing). */
    public boolean applies() {
        return applies;
    }

    /** Rewrites up to WRITE_BYTES of the least-live chunks; whether anything was rewritten. Never throws. */
    public boolean run() {
        if (!applies) {
            return false;
        }
        try (Connection c = dataSource.getConnection()) {
            Boolean rewritten = Store.compact(c);
            if (rewritten == null) {
                applies = false; // the process that runs it compacts it, if it is a migwatch
                return false;
            }
            failedBefore = false;
            return rewritten;
        } catch (SQLException | RuntimeException e) {
            // closing at shutdown, or the database is down: the next call tries again, nothing is lost meanwhile
            if (!failedBefore) {
                LOG.warn("H2 file compaction skipped: {}", DatabaseFailures.describe(e));
            }
            failedBefore = true;
            return false;
        }
    }

    /** The part that names H2's classes, loaded only for an H2 database (an embedding application may ship without H2). */
    private static final class Store {
        /** Whether chunks of the connection's database were rewritten, or null when another process runs it. */
        static Boolean compact(Connection c) throws SQLException {
            org.h2.engine.Session session = c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
            if (!(session instanceof org.h2.engine.SessionLocal local) || local.getDatabase().getStore() == null) {
                return null;
            }
            return local.getDatabase().getStore().getMvStore().compact(TARGET_FILL_RATE, WRITE_BYTES);
        }
    }
}
