package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/**
 * Retention's way of deleting: a DELETE of at most one batch of rows (its SQL says FETCH FIRST n ROWS ONLY), run again
 * while it deleted a full batch and the deadline has not passed, each batch its own short transaction, so that the
 * writers of the history never wait long for the rows it locks. The history's maintenance and the alerts' retention
 * both delete this way.
 */
public final class BatchDeletes {
    private BatchDeletes() {
    }

    /**
     * Runs sql, every parameter of which is the time {@code before}, until a run deletes fewer than {@code batch} rows or
     * the deadline has passed; returns the number of rows deleted.
     */
    public static long untilDone(Connection c, String sql, Instant before, int batch, Clock clock, Instant deadline)
            throws SQLException {
        long parameters = sql.chars().filter(ch -> ch == '?').count();
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
