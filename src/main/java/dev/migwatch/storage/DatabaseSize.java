package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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
        return switch (DatabaseProduct.of(c)) {
            case H2 -> h2File(c).map(f -> OptionalLong.of(f.bytes())).orElse(OptionalLong.empty());
            case POSTGRESQL -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                    yield rs.next() && rs.getLong(1) > 0 ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
            case OTHER -> OptionalLong.empty();
        };
    }

    /**
     * An H2 file as H2 sees it: its size, the share of it in chunks ({@code info.FILL_RATE}) and the live share of those
     * ({@code info.CHUNKS_FILL_RATE}; chunks younger than H2's retention time count as live).
     */
    record H2File(long bytes, int chunksPercent, int livePercent) {
        /** About what H2 would keep of the file if it were compacted. */
        long liveBytes() {
            return bytes * chunksPercent / 100 * livePercent / 100;
        }
    }

    /** Nothing for PostgreSQL, another database or an in-memory H2 (which has no file). */
    static Optional<H2File> h2File(Connection c) throws SQLException {
        if (DatabaseProduct.of(c) != DatabaseProduct.H2) {
            return Optional.empty();
        }
        Map<String, Long> info = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM "
                + "INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME IN ('info.FILE_SIZE', 'info.FILL_RATE', 'info.CHUNKS_FILL_RATE')")) {
            while (rs.next()) {
                info.put(rs.getString(1), Long.parseLong(rs.getString(2)));
            }
        }
        long bytes = info.getOrDefault("info.FILE_SIZE", 0L);
        return bytes <= 0 || info.size() < 3 ? Optional.empty()
                : Optional.of(new H2File(bytes, info.get("info.FILL_RATE").intValue(), info.get("info.CHUNKS_FILL_RATE").intValue()));
    }
}
