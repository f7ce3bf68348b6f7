package dev.migwatch.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * The task list's delay window of one task as of its newest successful poll, kept on its task_latest row (schema
 * version 15, V15__delay_window.sql): the figures the readers' SQL gives for the task's own delay over [end - window,
 * end] (TrendQueries.delayWindows), computed by the writer from the state rows of the window it remembers
 * (DelayReadings). With them GET /api/tasks reads one row a task instead of the window's rows.
 *
 * @param end           the poll the window ends at (task_latest.last_ok_at when it was written)
 * @param windowSeconds the window's length
 * @param threshold     the threshold of aboveSince (seconds)
 * @param firstAt       the first reading with a delay, from the window's start on
 * @param current       the newest reported delay
 * @param currentAt     end when the newest row reports a delay (it is in force there), else that reading's time
 * @param max           the largest delay of the window
 * @param avg           the delay's mean over the window's time (each reading until the next row, the newest until end), or
 *                      the plain mean of the readings when no time passed
 * @param samples       the readings with a delay, and the newest once more when it is carried forward to end
 * @param aboveSince    when the unbroken run above the threshold that ends at end began, from the window's start on;
 *                      null when current is at or below it
 */
public record DelayWindowFigures(Instant end, int windowSeconds, long threshold, Instant firstAt, Long current,
                                 Instant currentAt, Long max, Double avg, int samples, Instant aboveSince) {

    /** task_latest's columns, in the order of bind and read (a reader qualifies them itself). */
    public static final String COLUMNS = "delay_window_end, delay_window_s, delay_window_threshold, delay_window_first_at,"
            + " delay_window_current, delay_window_current_at, delay_window_max, delay_window_avg, delay_window_samples,"
            + " delay_window_above_since";
    /** ", column = ?" for each of COLUMNS, for an UPDATE's SET. */
    static final String ASSIGNMENTS = java.util.Arrays.stream(COLUMNS.split(",")).map(c -> ", " + c.trim() + " = ?")
            .collect(java.util.stream.Collectors.joining());

    /**
     * The window and threshold a writer keeps figures for: the readers' (migwatch.trends.delay-window and
     * .delay-threshold-seconds), or the figures match no read and are never used.
     */
    public record Settings(Duration window, long thresholdSeconds) {
        public Settings {
            if (!keepable(window)) {
                throw new IllegalArgumentException("the delay window must be a whole number of seconds, above 0: " + window);
            }
        }

        /** Settings for the readers' window, or null when they cannot be kept (a window not in whole seconds). */
        public static Settings of(Duration window, long thresholdSeconds) {
            return keepable(window) ? new Settings(window, thresholdSeconds) : null;
        }

        private static boolean keepable(Duration window) {
            return !window.isNegative() && !window.isZero() && window.getNano() == 0 && window.getSeconds() <= Integer.MAX_VALUE;
        }
    }

    /** Whether these are the figures of a read of the window [since, end] with this threshold. */
    public boolean answer(Instant since, Instant readEnd, long readThreshold) {
        return end.equals(readEnd) && threshold == readThreshold && since != null
                && Duration.between(since, readEnd).equals(Duration.ofSeconds(windowSeconds));
    }

    /** Binds the ten columns next in row; all NULL when figures is null. */
    static SqlRow bind(SqlRow row, DelayWindowFigures figures) throws SQLException {
        DelayWindowFigures f = figures != null ? figures : new DelayWindowFigures(null, 0, 0, null, null, null, null, null, 0, null);
        boolean none = figures == null;
        return row.time(f.end).integer(none ? null : f.windowSeconds).num(none ? null : f.threshold).time(f.firstAt)
                .num(f.current).time(f.currentAt).num(f.max).value(f.avg, SqlRow.Col.Kind.DOUBLE)
                .integer(none ? null : f.samples).time(f.aboveSince);
    }

    /** The figures read from the ten columns (from index column on); null when there are none. */
    public static DelayWindowFigures read(ResultSet rs, int column) throws SQLException {
        Instant end = time(rs, column);
        if (end == null) {
            return null;
        }
        return new DelayWindowFigures(end, rs.getInt(column + 1), rs.getLong(column + 2), time(rs, column + 3),
                (Long) SqlRow.read(rs, column + 4, SqlRow.Col.Kind.LONG), time(rs, column + 5),
                (Long) SqlRow.read(rs, column + 6, SqlRow.Col.Kind.LONG), (Double) SqlRow.read(rs, column + 7, SqlRow.Col.Kind.DOUBLE),
                rs.getInt(column + 8), time(rs, column + 9));
    }

    private static Instant time(ResultSet rs, int column) throws SQLException {
        return (Instant) SqlRow.read(rs, column, SqlRow.Col.Kind.TIME);
    }
}
