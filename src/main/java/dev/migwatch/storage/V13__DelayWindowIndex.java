package dev.migwatch.storage;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Schema version 13, PostgreSQL only: the task list's delay window is read from task_state's primary key alone (issue #8).
 * <p>
 * The list aggregates each task's delay over its last 30 minutes (TrendQueries.delayWindows): with 1,000 tasks polled every
 * 30 s, 61,000 state rows. Their key entries are 60 consecutive entries a task, but the rows themselves lie one a table page
 * (the tasks' polls interleave), so the statement read 64,000 table pages for them (EXPLAIN (ANALYZE, BUFFERS); 57 of its
 * 91 ms). The primary key now carries delay_seconds as an INCLUDE column: the window, its newest values and "above the
 * threshold since" are index-only scans (3,300 pages). The key is rebuilt, not doubled by a second index: an entry grows
 * by 8 bytes, one entry a task_state row. (3,300 pages are the window's rows for 1,000 tasks; with the search of each
 * window's start and the lookups after it, the statement reads 17,900.)
 * <p>
 * An index-only scan still reads the table page of a row that VACUUM has not yet marked all-visible, and the window is
 * exactly the newest rows. Autovacuum visits an insert-mostly table after a fifth of its size was added (for a table of a
 * month, the last six days); here, on PostgreSQL 13 and later, after 2,000 inserted rows, about a minute of 1,000 tasks in
 * incremental sync (a task_state row is written when a value changed), so at most the window's last minutes are read
 * from the table. Such a VACUUM reads only the table pages written since the last one; after retention has deleted rows,
 * the next one also reads the indexes. On PostgreSQL 11 and 12 the option does not exist and is not set (nor later, should
 * such a database be upgraded: then set it by hand, see the README).
 * <p>
 * H2 keeps its key: it reads a row through the key and then the table, and a covering index (one more entry a row) took
 * its list of 1,000 tasks from 262 to 186-228 ms only (docs/measurements.md).
 * <p>
 * Rebuilding the key locks task_state meanwhile (5 million rows: 3.6 s on PostgreSQL 15 here): the other nodes' reads and
 * writes of it wait, and the upgrade itself waits for any transaction that holds the table (a pg_dump, say).
 */
public class V13__DelayWindowIndex extends BaseJavaMigration {
    /** The rows inserted after which autovacuum visits task_state (PostgreSQL 13 and later). */
    static final int VACUUM_INSERT_THRESHOLD = 2000;
    /** How long the upgrade waits for the lock on task_state. */
    static final int LOCK_TIMEOUT_SECONDS = 60;

    private final int lockTimeoutSeconds;

    public V13__DelayWindowIndex() {
        this(LOCK_TIMEOUT_SECONDS);
    }

    V13__DelayWindowIndex(int lockTimeoutSeconds) {
        this.lockTimeoutSeconds = lockTimeoutSeconds;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        if (!c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres")) {
            return;
        }
        try (Statement st = c.createStatement()) {
            String key = primaryKey(c);
            // readers and writers queue behind a waiting ALTER TABLE: rather than stall them all behind a long transaction,
            // give up and say so (the migration's transaction rolls back; the next start tries again)
            st.execute("SET LOCAL lock_timeout = '" + lockTimeoutSeconds + "s'");
            try {
                st.execute("ALTER TABLE task_state DROP CONSTRAINT " + key + ", ADD CONSTRAINT " + key
                        + " PRIMARY KEY (task_ref, polled_at) INCLUDE (delay_seconds)");
            } catch (SQLException e) {
                if (!HistoryDatabase.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw e;
                }
                throw new SQLException("schema version 13 could not lock table task_state within " + lockTimeoutSeconds
                        + " s to rebuild its primary key: another transaction holds it (a pg_dump, a session left open). "
                        + "Let it end, then start migwatch again (" + e.getMessage() + ")", e.getSQLState());
            }
            if (c.getMetaData().getDatabaseMajorVersion() >= 13) {
                st.execute("ALTER TABLE task_state SET (autovacuum_vacuum_insert_threshold = " + VACUUM_INSERT_THRESHOLD
                        + ", autovacuum_vacuum_insert_scale_factor = 0)");
            }
        }
    }

    /** task_state's primary key constraint (task_state_pkey when PostgreSQL named it). */
    private static String primaryKey(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             // the table as ALTER TABLE task_state finds it (search_path)
             ResultSet rs = st.executeQuery("SELECT quote_ident(conname) FROM pg_constraint WHERE contype = 'p'"
                     + " AND conrelid = 'task_state'::regclass")) {
            if (!rs.next()) {
                throw new SQLException("task_state has no primary key in schema " + c.getSchema());
            }
            return rs.getString(1);
        }
    }
}
