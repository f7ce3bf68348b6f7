package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalLong;

/**
 * How many bytes the history database takes on disk, as each database reports it: an H2 file its file's size
 * (H2's {@code info.FILE_SIZE}), PostgreSQL {@code pg_database_size} of the current database (tables, indexes, TOAST,
 * free space inside them). Nothing for an in-memory H2 or another database.
 */
final class DatabaseSize {
    private DatabaseSize() {
    }

    static OptionalLong of(Connection c) throws SQLException {
        String sql = switch (DatabaseProduct.of(c)) {
            case H2 -> "SELECT CAST(SETTING_VALUE AS BIGINT) FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'info.FILE_SIZE'";
            case POSTGRESQL -> "SELECT pg_database_size(current_database())";
            case OTHER -> null;
        };
        if (sql == null) {
            return OptionalLong.empty();
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() && rs.getLong(1) > 0 ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
        }
    }
}
