package dev.migwatch.storage;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.migwatch.storage.SqlRow.Col.Kind;

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
 * @param runSince      the same run's first reading however far back it lies (V16__delay_run_since.sql): the list's "above
 *                      the threshold since" beyond the window without reading the rollups and rows; null when current is at
 *                      or below the threshold, and when the writer does not know where the run began (DelayReadings)
 */
public record DelayWindowFigures(Instant end, int windowSeconds, long threshold, Instant firstAt, Long current,
                                 Instant currentAt, Long max, Double avg, int samples, Instant aboveSince, Instant runSince) {

    /** task_latest's columns, in the order of the record's components, then run_end (V16), which no component holds. */
    private static final ColumnGroup COLS = new ColumnGroup(List.of(col("end", Kind.TIME), col("s", Kind.INT),
            col("threshold", Kind.LONG), col("first_at", Kind.TIME), col("current", Kind.LONG), col("current_at", Kind.TIME),
            col("max", Kind.LONG), col("avg", Kind.DOUBLE), col("samples", Kind.INT), col("above_since", Kind.TIME),
            col("run_since", Kind.TIME),
            // the end run_since was written with: a writer of an older release updates the other columns and leaves these two
            col("run_end", Kind.TIME)));
    /** ", column = ?" for each column, for an UPDATE's SET. */
    static final String ASSIGNMENTS = COLS.assignments();

    private static SqlRow.Col col(String name, Kind kind) {
        return new SqlRow.Col("delay_window_" + name, kind);
    }

    /** How many columns columns() names. */
    public static int columnCount() {
        return COLS.size();
    }

    /** The columns qualified by a table alias, for a reader's select list (then read). */
    public static String columns(String alias) {
        return COLS.columns(alias);
    }

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

    /** Binds the columns next in row; all NULL when figures is null. */
    static SqlRow bind(SqlRow row, DelayWindowFigures figures) throws SQLException {
        return COLS.bind(row, figures == null ? null : java.util.Arrays.asList(figures.end, figures.windowSeconds, figures.threshold,
                figures.firstAt, figures.current, figures.currentAt, figures.max, figures.avg, figures.samples, figures.aboveSince,
                figures.runSince, figures.end));
    }

    /** The figures read from the columns (from index column on); null when there are none. */
    public static DelayWindowFigures read(ResultSet rs, int column) throws SQLException {
        Object[] v = COLS.read(rs, column);
        // a run's start written with other figures than these (by a writer that keeps none, since) says nothing of them
        Instant runSince = v[0] != null && v[0].equals(v[11]) ? (Instant) v[10] : null;
        return v[0] == null ? null : new DelayWindowFigures((Instant) v[0], (Integer) v[1], (Long) v[2], (Instant) v[3],
                (Long) v[4], (Instant) v[5], (Long) v[6], (Double) v[7], (Integer) v[8], (Instant) v[9], runSince);
    }
}
