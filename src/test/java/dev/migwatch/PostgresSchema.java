package dev.migwatch;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.storage.HistoryDatabase;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A throw-away schema in the test PostgreSQL (TestEnvironment), with a pool on it; closing drops the schema and all in
 * it. For the tests that run the same history on H2 and PostgreSQL. Not migrated: the test decides when.
 */
public final class PostgresSchema implements AutoCloseable {
    private final String schema;
    private final HikariDataSource db;

    private PostgresSchema(String schema, HikariDataSource db) {
        this.schema = schema;
        this.db = db;
    }

    /** A new schema named prefix + 10 random hexadecimal digits. */
    public static PostgresSchema create(String prefix) throws SQLException {
        String url = TestEnvironment.postgresUrl();
        String schema = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        admin("CREATE SCHEMA " + schema);
        return new PostgresSchema(schema, HistoryDatabase.open(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                TestEnvironment.postgresUser(), TestEnvironment.postgresPassword()));
    }

    public HikariDataSource db() {
        return db;
    }

    @Override
    public void close() throws SQLException {
        db.close();
        admin("DROP SCHEMA " + schema + " CASCADE");
    }

    private static void admin(String sql) throws SQLException {
        try (HikariDataSource admin = HistoryDatabase.open(TestEnvironment.postgresUrl(), TestEnvironment.postgresUser(),
                TestEnvironment.postgresPassword()); Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
