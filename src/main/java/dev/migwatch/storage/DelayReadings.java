package dev.migwatch.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.migwatch.storage.MicroTimes.instant;
import static dev.migwatch.storage.MicroTimes.micros;

/**
 * A task's state rows within its delay window, as the writer keeps them between polls to compute the window's figures
 * (DelayWindowFigures) without reading them back: each row's time and delay (none when it reports none), oldest first,
 * from the row in force at the window's start on. The rows are appended in time order, since the writer stores no state
 * row older than the task's newest (a late cycle's values are not stored), and those before the window are dropped as the
 * polls move it. Two longs a row: about 60 rows, 1 KB, for a task whose delay changes at every 30 s poll.
 *
 * <p>It also follows the run above the threshold through all the rows it is given, however long ago it began
 * (DelayWindowFigures.runSince): its first reading, as DelayStats.aboveThresholdSince finds it over all the task's
 * readings (readings without a delay do not break it). Where the rows it read when taking the task up are all above the
 * threshold, the run may have begun before them: it takes the start kept on task_latest when those figures are current,
 * and otherwise does not know it until the delay next falls to the threshold (the readers then look it up as before).
 */
final class DelayReadings {
    /** "no delay": the row reports none (or DTS's -1). */
    private static final long NONE = Long.MIN_VALUE;
    /** runStart: the delay is at or below the threshold (or was never reported). */
    private static final long NOT_ABOVE = Long.MIN_VALUE;
    /** runStart: above the threshold since before the rows this writer has seen. */
    private static final long UNKNOWN = Long.MAX_VALUE;

    /** The window and threshold of the figures it computes, and of the run it follows. */
    private final DelayWindowFigures.Settings settings;
    private long[] at = new long[16];
    private long[] delay = new long[16];
    private int size;
    private long runStart = NOT_ABOVE;

    DelayReadings(DelayWindowFigures.Settings settings) {
        this.settings = settings;
    }

    /**
     * The task's rows from the one in force at the start of the window that ends at its newest successful poll on, read
     * once when the writer takes the task up (a start, another node's write): after that it appends the rows it writes.
     * kept: the figures on the task's task_latest row (null: none).
     */
    static DelayReadings load(Connection c, int taskRef, Instant lastOkAt, DelayWindowFigures.Settings settings, DelayWindowFigures kept)
            throws SQLException {
        DelayReadings out = new DelayReadings(settings);
        if (lastOkAt == null) {
            return out;
        }
        Instant since = lastOkAt.minus(settings.window());
        // the rows below may all be above the threshold: the run may have begun before them
        out.runStart = UNKNOWN;
        // the row in force at since found step by step (AsOf): MAX(polled_at) below since alone read every row of the task
        // up to it on H2 (88 to 139 ms for 30 days at 30 s, about 2 ms so)
        try (PreparedStatement ps = c.prepareStatement("SELECT polled_at, delay_seconds FROM task_state WHERE task_ref = ?"
                + " AND polled_at >= " + AsOf.rowInForce("task_state", "task_ref", "?") + " ORDER BY polled_at")) {
            List<Object> args = new ArrayList<>(List.of(taskRef));
            AsOf.args(args, since, taskRef);
            new SqlRow(ps).all(args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add((Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME), (Long) SqlRow.read(rs, 2, SqlRow.Col.Kind.LONG));
                }
            }
        }
        // kept figures that end at the task's newest successful poll say where the run began, for this threshold: no state
        // row is newer than that poll
        if (out.runStart == UNKNOWN && kept != null && kept.threshold() == settings.thresholdSeconds() && kept.end().equals(lastOkAt)
                && kept.runSince() != null) {
            out.runStart = micros(kept.runSince());
        }
        return out;
    }

    /** A row at t (not before the newest one) with delay d; null or negative: it reports none. */
    void add(Instant t, Long d) {
        if (size == at.length) {
            at = Arrays.copyOf(at, size * 2);
            delay = Arrays.copyOf(delay, size * 2);
        }
        at[size] = micros(t);
        delay[size] = d == null || d < 0 ? NONE : d;
        if (delay[size] != NONE) {
            if (delay[size] <= settings.thresholdSeconds()) {
                runStart = NOT_ABOVE;
            } else if (runStart == NOT_ABOVE) {
                runStart = at[size];
            }
        }
        size++;
    }

    int size() {
        return size;
    }

    /**
     * The figures of the window [end - window, end] with the rows kept (none for a window without a reported delay: the
     * readers look at the task's steps then), and drops the rows before the one in force at its start, which no later
     * window reaches. As TrendQueries.delayWindows computes them in SQL (DelayGroup.window): the rows from the one in
     * force at the start on, their times clamped to the start.
     */
    DelayWindowFigures figuresAt(Instant end) {
        long e = micros(end);
        long since = e - settings.window().getSeconds() * 1_000_000L;
        int from = MicroTimes.inForceAt(at, size, since);
        if (from > 0) {
            System.arraycopy(at, from, at, 0, size - from);
            System.arraycopy(delay, from, delay, 0, size - from);
            size -= from;
        }
        int last = MicroTimes.newestAtOrBefore(at, size, e);
        int count = 0;
        long max = Long.MIN_VALUE;
        long sum = 0;
        double weighted = 0;
        double weight = 0;
        int first = -1;
        int newest = -1;
        int low = -1;
        for (int i = 0; i <= last; i++) {
            if (delay[i] == NONE) {
                continue;
            }
            count++;
            max = Math.max(max, delay[i]);
            sum += delay[i];
            double seconds = ((i < last ? at[i + 1] : e) - Math.max(at[i], since)) / 1e6;
            weighted += delay[i] * seconds;
            weight += seconds;
            if (first < 0) {
                first = i;
            }
            newest = i;
            if (delay[i] <= settings.thresholdSeconds()) {
                low = i;
            }
        }
        if (count == 0) {
            return null;
        }
        boolean carried = delay[last] != NONE && Math.max(at[last], since) < e;
        int n = count + (carried ? 1 : 0);
        long total = sum + (carried ? delay[last] : 0);
        long current = delay[newest];
        Instant currentAt = delay[last] != NONE ? end : instant(Math.max(at[newest], since));
        Instant above = null;
        if (current > settings.thresholdSeconds()) {
            int run = first;
            if (low >= 0) {
                run = low + 1;
                while (delay[run] == NONE) {
                    run++;
                }
            }
            above = instant(Math.max(at[run], since));
        }
        boolean runKnown = above != null && runStart != UNKNOWN && runStart != NOT_ABOVE;
        return new DelayWindowFigures(instant(e), (int) settings.window().getSeconds(), settings.thresholdSeconds(),
                instant(Math.max(at[first], since)), current, currentAt, max, weight > 0 ? weighted / weight : (double) total / n,
                n, above, runKnown ? instant(runStart) : null);
    }

}
