package dev.migwatch;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.source.ConfigException;
import dev.migwatch.storage.HistoryDatabase;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.util.concurrent.FutureTask;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failed schema migration stops the start with its own message; the advice about the user's rights follows it, except
 * when the table was held by another transaction (a lock timeout, V13), which has nothing to do with rights.
 */
class SchemaReadyTest {

    @Test
    void aLockTimeoutIsNotBlamedOnTheUsersRights() {
        String message = failure(new SQLException("schema version 13 could not lock table task_state within 60 s",
                HistoryDatabase.LOCK_NOT_AVAILABLE));
        assertTrue(message.contains("could not lock table task_state within 60 s"), message);
        assertFalse(message.contains("right to create tables"), message);
    }

    @Test
    void anyOtherFailureGetsTheAdviceAboutRights() {
        String message = failure(new SQLException("permission denied for schema public", "42501"));
        assertTrue(message.contains("permission denied for schema public"), message);
        assertTrue(message.contains("The user needs the right to create tables"), message);
    }

    private static String failure(SQLException cause) {
        FutureTask<Integer> migration = new FutureTask<>(() -> {
            throw new IllegalStateException("Flyway: migration failed", cause);
        });
        migration.run();
        MigwatchConfiguration.SchemaReady ready = new MigwatchConfiguration.SchemaReady("jdbc:postgresql://db/migwatch",
                new HikariDataSource(), migration);
        return assertThrows(ConfigException.class, () -> ready.onContextStarting(null)).getMessage();
    }
}
