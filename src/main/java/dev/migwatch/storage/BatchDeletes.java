package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/**
 * Retention's way of deleting: a DELETE of at most one batch of a table's rows, run again while it deleted a full batch and
 * the deadline has not passed, each batch its own short transaction, so that the writers of the history never wait long
 * for the rows it locks. The history's maintenance and the alerts' retention both delete this way.
 */
public final class BatchDeletes {
    private BatchDeletes() {
    }

    /**
     * Deletes the rows x of table (its key is id) that match condition, every parameter of which is the time
     * {@code before}, {@code batch} rows at a time until fewer are left or the deadline has passed; returns the number of
     * rows deleted.
     */
    public static long untilDone(Connection c, String table, String condition, Instant before, int batch, Clock clock,
                                 Instant deadline) throws SQLException {
        String sql = "DELETE FROM " + table + " WHERE id IN (SELECT x.id FROM " + table + " x WHERE " + condition
                + " FETCH FIRST " + batch + " ROWS ONLY)";
        long parameters = condition.chars().filter(ch -> ch == '?').count();
        long total = 0;
        while (clock.instant().isBefore(deadline)) {
            int n;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                SqlRow r = new SqlRow(ps);
                for (int i = 0; i < parameters; i++) {
                    r.time(before);
                }
                n = ps.executeUpdate();
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
            total += n;
            if (n < batch) {
                break;
            }
        }
        return total;
    }
}
