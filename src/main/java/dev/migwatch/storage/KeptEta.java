package dev.migwatch.storage;

import dev.migwatch.progress.FullStepEta;
import dev.migwatch.progress.StallDetector;
import dev.migwatch.storage.SqlRow.Col.Kind;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * The ETA and stall figures of a task's running full data step as of its newest successful poll, kept on its task_latest
 * row (schema version 18, V18__full_step_eta.sql): FullStepEta's figures, computed by the writer from the rows it keeps
 * (FullStepReadings). With them GET /api/tasks reads one row a task in full transfer instead of its samples.
 *
 * @param end      the poll they are of (task_latest.last_ok_at when they were written)
 * @param settings the settings they were computed with (FullStepEta.settingsKey)
 */
public record KeptEta(Instant end, String settings, FullStepEta.Figures figures) {

    /** task_latest's columns, in the order bind and read take them. */
    private static final ColumnGroup COLS = new ColumnGroup(List.of(col("end", Kind.TIME), col("settings", Kind.TEXT),
            col("step_key", Kind.TEXT), col("step_name", Kind.TEXT), col("measure", Kind.TEXT), col("rate", Kind.DOUBLE),
            col("finish_at", Kind.TIME), col("remaining_s", Kind.LONG), col("reason", Kind.TEXT), col("samples", Kind.INT),
            col("window_from", Kind.TIME), col("done", Kind.DOUBLE), col("total", Kind.DOUBLE), col("stalled", Kind.BOOL),
            col("unchanged_since", Kind.TIME), col("unchanged_until", Kind.TIME)));
    /** ", column = ?" for each column, for an UPDATE's SET. */
    static final String ASSIGNMENTS = COLS.assignments();

    private static SqlRow.Col col(String name, Kind kind) {
        return new SqlRow.Col("eta_" + name, kind);
    }

    /** The columns qualified by a table alias, for a reader's select list (then read). */
    public static String columns(String alias) {
        return COLS.columns(alias);
    }

    /** Whether these are the figures a reader with these settings computes for a task whose newest successful poll is at. */
    public boolean answer(Instant sampledAt, String readerSettings) {
        return end.equals(sampledAt) && settings.equals(readerSettings);
    }

    /** Binds the columns next in row; all NULL when kept is null. */
    static SqlRow bind(SqlRow row, KeptEta kept) throws SQLException {
        if (kept == null) {
            return COLS.bind(row, null);
        }
        FullStepEta.Figures f = kept.figures;
        StallDetector.Stall s = f.stall();
        return COLS.bind(row, Arrays.asList(kept.end, kept.settings, f.stepKey(), f.stepName(), f.measure(), f.ratePerSecond(),
                f.finishAt(), f.remainingSeconds(), f.reason(), f.samplesUsed(), f.windowFrom(), f.done(), f.total(),
                s == null ? null : s.stalled(), s == null ? null : s.unchangedSince(),
                s == null || s.unchangedSince() == null ? null : s.unchangedSince().plus(s.unchangedFor())));
    }

    /** The figures read from the columns (from index column on); null when there are none (or not all a writer sets). */
    public static KeptEta read(ResultSet rs, int column) throws SQLException {
        Object[] v = COLS.read(rs, column);
        if (v[0] == null || v[1] == null || v[9] == null) {
            return null;
        }
        Instant since = (Instant) v[14];
        StallDetector.Stall stall = v[13] == null ? null
                : new StallDetector.Stall((Boolean) v[13], since, since == null ? null : Duration.between(since, (Instant) v[15]));
        return new KeptEta((Instant) v[0], (String) v[1], new FullStepEta.Figures((String) v[2], (String) v[3], (String) v[4],
                (Double) v[5], (Instant) v[6], (Long) v[7], (String) v[8], (Integer) v[9], (Instant) v[10], (Double) v[11],
                (Double) v[12], stall));
    }
}
