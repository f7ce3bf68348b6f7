package dev.migwatch.storage;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;

/**
 * The running integral of a task's delay that each task_state row carries (schema version 14): integral is the sum,
 * over the task's earlier rows, of each row's delay times the seconds it was in force (until the next row), covered the
 * sum of those seconds, counting only rows that report a delay. So the delay's average over time between two rows is
 * a difference of theirs, and the list's delay window (TrendQueries.delayWindows) needs no pass pairing each row with
 * the next. Only differences mean anything: the origin is the task's first row, or its newest row when the database was
 * upgraded to version 14.
 *
 * @param integral delay-seconds × seconds
 * @param covered  seconds
 */
record DelayIntegral(double integral, double covered) {
    /** A task's first row, or the newest row when version 14 was applied. */
    static final DelayIntegral ORIGIN = new DelayIntegral(0, 0);

    /**
     * The integral of a row written at at, after a row (at previousAt) with previousDelay (null: no delay) and integral
     * previous. Null when previous is null: a row written before version 14 has none, and a run of rows with values must
     * not be broken by one without (a reader takes two rows' difference only when both have values).
     */
    static DelayIntegral after(DelayIntegral previous, Long previousDelay, Instant previousAt, Instant at) {
        if (previous == null || previousAt == null) {
            return null;
        }
        if (previousDelay == null) {
            return previous;
        }
        double seconds = Duration.between(previousAt, at).toNanos() / 1e9;
        return new DelayIntegral(previous.integral + previousDelay * seconds, previous.covered + seconds);
    }

    /** The integral read from two columns (from index column on); null when the row has none. */
    static DelayIntegral read(ResultSet rs, int column) throws SQLException {
        double integral = rs.getDouble(column);
        if (rs.wasNull()) {
            return null;
        }
        return new DelayIntegral(integral, rs.getDouble(column + 1));
    }

    static void bind(PreparedStatement ps, int column, DelayIntegral value) throws SQLException {
        if (value == null) {
            ps.setNull(column, Types.DOUBLE);
            ps.setNull(column + 1, Types.DOUBLE);
        } else {
            ps.setDouble(column, value.integral);
            ps.setDouble(column + 1, value.covered);
        }
    }
}
