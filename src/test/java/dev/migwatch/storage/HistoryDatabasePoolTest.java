package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which failures make the pool drop a connection beyond Hikari's own rules (08xxx): H2's "session is gone"; and how many
 * connections it keeps.
 */
class HistoryDatabasePoolTest {
    private final HistoryDatabase.H2SessionGone rule = new HistoryDatabase.H2SessionGone();

    @Test
    void aConnectionWhoseH2SessionIsGoneIsDropped() {
        assertEquals(SQLExceptionOverride.Override.MUST_EVICT, rule.adjudicate(new SQLException("Database is already closed", "90121", 90121)));
        assertEquals(SQLExceptionOverride.Override.MUST_EVICT, rule.adjudicate(new SQLException("Connection is broken", "90067", 90067)));
        assertEquals(SQLExceptionOverride.Override.MUST_EVICT, rule.adjudicate(new SQLException("write failed",
                new SQLException("Connection is broken: session closed", "90067", 90067))), "also as the cause");
    }

    @Test
    void otherFailuresAreLeftToHikari() {
        // a constraint violation or a bad value says nothing about the connection; 08xxx Hikari evicts by itself
        assertEquals(SQLExceptionOverride.Override.CONTINUE_EVICT, rule.adjudicate(new SQLException("duplicate", "23505", 23505)));
        assertEquals(SQLExceptionOverride.Override.CONTINUE_EVICT, rule.adjudicate(new SQLException("terminating", "57P01", 0)));
    }

    /** The task list reads on two connections at once only where the database answers from a process of its own. */
    @Test
    void theListReadsBesideItsTasksOnlyWhereTheDatabaseRunsApart() {
        assertTrue(HistoryDatabase.sideReads("jdbc:postgresql://db:5432/migwatch"));
        assertTrue(HistoryDatabase.sideReads("jdbc:h2:tcp://db:9092/./migwatch"));
        assertFalse(HistoryDatabase.sideReads("jdbc:h2:file:./data/migwatch"));
        assertFalse(HistoryDatabase.sideReads("jdbc:h2:./data/migwatch"));
        assertFalse(HistoryDatabase.sideReads("jdbc:h2:mem:migwatch"));
        try (HikariDataSource h2 = HistoryDatabase.open("jdbc:h2:mem:pool-size", null, null)) {
            assertEquals(4, h2.getMaximumPoolSize(), "no connections kept for side reads an embedded H2 does not make");
        }
    }
}
