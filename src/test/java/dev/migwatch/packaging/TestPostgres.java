package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;


/**
 * A throw-away schema in the PostgreSQL that bin/test-setup starts (MIGWATCH_TEST_POSTGRES_URL, _USER,
 * _PASSWORD), so parallel runs never share tables. As in PostgresTest: in CI (CI=true) a missing
 * database fails the test; on a developer machine without one the test is skipped.
 */
final class TestPostgres implements AutoCloseable {
    final String url;
    final String user;
    final String password;
    final String schema;
    final String schemaUrl;

    private TestPostgres(String url, String user, String password, String schema) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.schema = schema;
        this.schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static TestPostgres createSchema() throws SQLException {
        String url = TestEnvironment.postgresUrl();
        String schema = "it" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        TestPostgres pg = new TestPostgres(url, TestEnvironment.postgresUser(),
                TestEnvironment.postgresPassword(), schema);
        pg.execute("CREATE SCHEMA " + schema);
        return pg;
    }

    HistoryCounts counts() throws SQLException {
        return HistoryCounts.read(schemaUrl, user, password);
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    public void close() throws SQLException {
        execute("DROP SCHEMA " + schema + " CASCADE");
    }
}
