package dev.migwatch.packaging;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The only place where the packaging tests name history tables: how many migrations Flyway applied and
 * how many successful polls were logged. Kept to these two counts so that a change of the history schema
 * needs at most this method adapted.
 */
record HistoryCounts(long migrations, long okPolls) {

    static HistoryCounts read(String jdbcUrl, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement st = c.createStatement()) {
            // quoted: Flyway creates its table in lower case, which H2 does not fold unquoted names to
            return new HistoryCounts(count(st, "SELECT COUNT(*) FROM \"migwatch_schema_history\""),
                    count(st, "SELECT COUNT(*) FROM poll WHERE outcome = 'OK' AND calls > 0"));
        }
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
