package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;

/**
 * How far retention has deleted each kind of history (table retention_mark, V20): rows older than a part's mark may be
 * gone, except the row in force at it. Moved forward and committed before the rows go, so that a reader which takes the
 * mark first never expects rows that are already deleted; it never moves back (a node with a longer window configured
 * does not bring deleted rows back).
 */
final class RetentionMarks {
    static final String SAMPLES = "samples";

    private RetentionMarks() {
    }

    static void advance(Connection c, String part, Instant before) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE retention_mark SET pruned_before = ? WHERE part = ? AND pruned_before < ?")) {
            new SqlRow(ps).time(before).str(part).time(before);
            ps.executeUpdate();
        }
        c.commit();
    }
}
