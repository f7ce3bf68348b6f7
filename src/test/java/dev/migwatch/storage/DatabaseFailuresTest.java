package dev.migwatch.storage;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTransientConnectionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatabaseFailuresTest {
    @Test
    void connectionProblemsOfEveryDriverMeanUnavailable() {
        // Hikari's pool timeout, wrapping the driver's refusal
        assertUnavailable(new SQLTransientConnectionException("migwatch-history - Connection is not available",
                new SQLException("Connection refused", "08001")));
        // PostgreSQL: plain SQLExceptions with an SQLState
        assertUnavailable(new SQLException("Connection to localhost:5432 refused", "08001"));
        assertUnavailable(new SQLException("terminating connection due to administrator command", "57P01"));
        // H2: connection broken, database closed
        assertUnavailable(new SQLException("Connection is broken: \"session closed\"", "90067", 90067));
        // wrapped by Camel or anything else
        assertUnavailable(new RuntimeException(new SQLException("the disk is full", "53100")));
    }

    @Test
    void dataErrorsMeanTheSnapshotIsBad() {
        assertBad(new SQLIntegrityConstraintViolationException("Unique index or primary key violation", "23505"));
        assertBad(new SQLException("duplicate key value violates unique constraint", "23505"));
        assertBad(new SQLException("value too long for type character varying(36)", "22001"));
        BatchUpdateException batch = new BatchUpdateException("batch failed", null, 0, new int[0]);
        batch.setNextException(new SQLException("duplicate key", "23505"));
        assertBad(batch);
        assertBad(new NullPointerException("status is null")); // a mapping bug for this one snapshot
        assertBad(new IOException("not an SQL error"));
    }

    @Test
    void describeGivesOneLine() {
        String d = DatabaseFailures.describe(new SQLTransientConnectionException("pool timed out",
                new SQLException("Unique index violation\nSQL statement:\nINSERT INTO ...")));
        assertEquals("SQLTransientConnectionException: pool timed out (cause: SQLException: Unique index violation)", d);
    }

    @Test
    void embeddedH2StaysOpenUntilMigwatchClosesIt() {
        assertEquals("jdbc:h2:file:./data/migwatch;DB_CLOSE_ON_EXIT=FALSE", HistoryDatabase.closedLast("jdbc:h2:file:./data/migwatch"));
        assertEquals("jdbc:h2:tcp://localhost:9092/./h", HistoryDatabase.closedLast("jdbc:h2:tcp://localhost:9092/./h"));
        assertEquals("jdbc:h2:file:./x;db_close_on_exit=true", HistoryDatabase.closedLast("jdbc:h2:file:./x;db_close_on_exit=true"));
        assertEquals("jdbc:h2:mem:x", HistoryDatabase.closedLast("jdbc:h2:mem:x"));
        assertEquals("jdbc:h2:tcp://localhost/mem:x", HistoryDatabase.closedLast("jdbc:h2:tcp://localhost/mem:x"));
        assertEquals("jdbc:postgresql://db/migwatch", HistoryDatabase.closedLast("jdbc:postgresql://db/migwatch"));
        assertEquals("jdbc:h2:file:./x;QUERY_CACHE_SIZE=64", HistoryDatabase.withStatementCache("jdbc:h2:file:./x"));
        assertEquals("jdbc:h2:file:./x;query_cache_size=4", HistoryDatabase.withStatementCache("jdbc:h2:file:./x;query_cache_size=4"));
        assertEquals("jdbc:postgresql://db/migwatch", HistoryDatabase.withStatementCache("jdbc:postgresql://db/migwatch"));
    }

    private static void assertUnavailable(Throwable t) {
        assertTrue(DatabaseFailures.unavailable(t), t.toString());
        assertFalse(DatabaseFailures.badData(t), t.toString());
    }

    private static void assertBad(Throwable t) {
        assertTrue(DatabaseFailures.badData(t), t.toString());
        assertFalse(DatabaseFailures.unavailable(t), t.toString());
    }
}
