package dev.migwatch.storage;

import dev.migwatch.PostgresSchema;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * V13 on PostgreSQL rebuilds task_state's primary key, which needs the table to itself. While another transaction holds the
 * table, the upgrade gives up after its lock timeout with a message that says what to do (instead of waiting, with every
 * reader and writer of the table queued behind it), leaves the schema as it was, and succeeds at the next start.
 */
class DelayWindowIndexUpgradeTest {

    @Test
    void aTableHeldByAnotherTransactionStopsTheUpgradeWithAClearMessageAndTheNextStartDoesIt() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("v13lock")) {
            DataSource db = schema.db();
            flyway(db, "12").migrate();
            try (Connection holder = db.getConnection()) {
                holder.setAutoCommit(false);
                try (Statement st = holder.createStatement()) {
                    st.execute("LOCK TABLE task_state IN ACCESS SHARE MODE"); // what a long SELECT or pg_dump holds
                }
                Exception e = assertThrows(Exception.class, () -> flyway(db, "latest").migrate());
                String message = rootMessage(e);
                assertTrue(message.startsWith("schema version 13 could not lock table task_state within 1 s"), message);
                assertTrue(message.contains("Let it end, then start migwatch again"), message);
                holder.rollback();
            }
            assertEquals("", include(db), "the key is as it was");

            flyway(db, "latest").migrate();
            assertEquals("delay_seconds", include(db));
        }
    }

    /** Flyway as HistoryDatabase.migrate configures it, with V13's lock timeout at 1 s, up to a target version. */
    private static Flyway flyway(DataSource db, String target) {
        JavaMigration[] migrations = Arrays.stream(HistoryDatabase.javaMigrations())
                .map(m -> m instanceof V13__DelayWindowIndex ? new V13__DelayWindowIndex(1) : m).toArray(JavaMigration[]::new);
        return Flyway.configure().dataSource(db).locations(HistoryDatabase.MIGRATIONS).table("migwatch_schema_history")
                .placeholders(HistoryDatabase.placeholders(db)).javaMigrations(migrations).target(target).load();
    }

    /** The INCLUDE columns of task_state's primary key index, comma-separated ("" for none). */
    private static String include(DataSource db) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(string_agg(a.attname, ',' ORDER BY k.n), '') FROM pg_index i"
                     + " CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)"
                     + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                     + " WHERE i.indrelid = 'task_state'::regclass AND i.indisprimary AND k.n > i.indnkeyatts")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
