package dev.migwatch.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

/**
 * Opens the history database (HikariCP) and brings its schema up to date (Flyway), choosing the column
 * types that differ between databases through Flyway placeholders, so one set of migrations serves all.
 */
public final class HistoryDatabase {
    private HistoryDatabase() {
    }

    public static HikariDataSource open(String url, String user, String password) {
        return open(url, user, password, Duration.ofSeconds(5));
    }

    /**
     * @param connectionTimeout how long a write waits for a connection before it counts as "database unavailable"
     *                          and its snapshot goes to the journal. Hikari keeps trying to reconnect in the
     *                          background and validates idle connections before lending them, so the pool
     *                          recovers by itself when the database is back.
     */
    public static HikariDataSource open(String url, String user, String password, Duration connectionTimeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("migwatch-history");
        config.setJdbcUrl(durable(url));
        if (user != null && !user.isBlank()) {
            config.setUsername(user);
        }
        if (password != null && !password.isBlank()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(4);
        // fail fast at start with the driver's message instead of retrying silently for 30 s
        config.setInitializationFailTimeout(1);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        return new HikariDataSource(config);
    }

    /**
     * H2 keeps a committed transaction in memory for up to WRITE_DELAY (500 ms) before writing it to its file, so a
     * kill -9 silently loses the last commits, after the journal entries they came from were already deleted. With
     * WRITE_DELAY=0 a commit is on disk when it returns. H2 also closes a database from its own JVM shutdown hook,
     * while Camel's graceful shutdown still lets the cycles under way finish: with DB_CLOSE_ON_EXIT=FALSE the
     * database stays open until migwatch closes its pool, last. Settings the user made, other databases and
     * in-memory H2 are left alone.
     */
    static String durable(String url) {
        String u = url.toUpperCase(java.util.Locale.ROOT);
        boolean h2OnDisk = u.startsWith("JDBC:H2:") && !u.startsWith("JDBC:H2:MEM:") && !u.contains("/MEM:");
        if (!h2OnDisk) {
            return url;
        }
        String durable = u.contains("WRITE_DELAY") ? url : url + ";WRITE_DELAY=0";
        boolean embedded = !u.startsWith("JDBC:H2:TCP:") && !u.startsWith("JDBC:H2:SSL:"); // a server closes its databases itself
        return !embedded || u.contains("DB_CLOSE_ON_EXIT") ? durable : durable + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** Migrates the schema; returns the number of migrations applied. */
    public static int migrate(javax.sql.DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                // own folder and history table, so a host application's Flyway setup and ours never mix
                .locations("classpath:db/migwatch")
                .table("migwatch_schema_history")
                .placeholders(placeholders(dataSource))
                .load()
                .migrate()
                .migrationsExecuted;
    }

    static Map<String, String> placeholders(javax.sql.DataSource dataSource) {
        String product;
        try (Connection c = dataSource.getConnection()) {
            product = c.getMetaData().getDatabaseProductName().toLowerCase();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database product: " + e.getMessage(), e);
        }
        if (product.contains("mysql") || product.contains("mariadb")) {
            return Map.of("ts", "DATETIME(3)", "text", "LONGTEXT");
        }
        if (product.contains("postgres")) {
            return Map.of("ts", "TIMESTAMP", "text", "TEXT");
        }
        return Map.of("ts", "TIMESTAMP", "text", "CLOB");
    }
}
