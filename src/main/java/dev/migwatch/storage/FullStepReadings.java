package dev.migwatch.storage;

import dev.migwatch.progress.FullStepEta;
import dev.migwatch.progress.FullStepSample;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.migwatch.storage.MicroTimes.instant;
import static dev.migwatch.storage.MicroTimes.micros;

/**
 * A task's full data steps' state rows within the ETA's lookback (FullStepEta.lookback: 30 minutes by default), as the
 * writer keeps them between polls to compute the figures it stores on task_latest (KeptEta) without reading them back:
 * per step, from the row in force at the lookback's start on, as a reader reads them (TrendQueries.fullStepSamples). The
 * rows are appended in time order, since the writer stores no state row older than the task's newest, and those before
 * the lookback are dropped as the polls move it. 37 bytes a row in parallel arrays, 2.4 KB for the 61 rows of a step whose
 * counts move at every 30 s poll; about 400 bytes for a step that finished, whose one row is all it keeps.
 *
 * <p>A step counts by the name it has now, as the readers' join with the step table does; a step renamed into a full data
 * step (no provider does so) would count from its first row after the rename, where a reader counts its earlier rows.
 */
final class FullStepReadings {
    private static final int PRESENT = 1;
    private static final int NO_PROCESSED = 2;
    private static final int NO_CAPACITY = 4;
    private static final int NO_PCT = 8;

    private final FullStepEta eta;
    private final String provider;
    private final Map<String, Rows> steps = new LinkedHashMap<>();

    FullStepReadings(FullStepEta eta, String provider) {
        this.eta = eta;
        this.provider = provider;
    }

    /**
     * The rows of the task's full data steps from the ones in force at the lookback's start before its newest successful
     * poll on, read once when the writer takes the task up (a start, another node's write); after that it appends the
     * rows it writes. steps: the task's steps as the writer loaded them.
     */
    static FullStepReadings load(Connection c, String provider, Instant lastOkAt, FullStepEta eta, Map<String, KnownTask.Entity> steps)
            throws SQLException {
        FullStepReadings out = new FullStepReadings(eta, provider);
        if (lastOkAt == null) {
            return out;
        }
        Instant since = lastOkAt.minus(eta.lookback());
        try (PreparedStatement ps = c.prepareStatement("SELECT polled_at, " + String.join(", ", STATE_COLUMNS) + " FROM step_state"
                + " WHERE step_ref = ? AND polled_at >= " + AsOf.rowInForce("step_state", "step_ref", "?") + " AND polled_at <= ?"
                + " ORDER BY polled_at")) {
            for (Map.Entry<String, KnownTask.Entity> e : steps.entrySet()) {
                KnownTask.Entity step = e.getValue();
                if (!FullStepEta.fullDataStep(provider, name(step))) {
                    continue;
                }
                List<Object> args = new ArrayList<>(List.of(step.id));
                AsOf.args(args, since, step.id);
                args.add(lastOkAt);
                new SqlRow(ps).all(args);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        List<Object> state = Arrays.asList(new Object[StateTable.STEP.columns.size()]);
                        for (int i = 0; i < STATE_COLUMNS.size(); i++) {
                            state.set(STATE_INDEXES[i], SqlRow.read(rs, i + 2, StateTable.STEP.columns.get(STATE_INDEXES[i]).kind()));
                        }
                        out.rows(e.getKey()).add((Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME), state);
                    }
                }
            }
        }
        return out;
    }

    /** The row the writer wrote at `at` of a step (its state now): kept when the step is a full data step. */
    void add(String key, KnownTask.Entity step, Instant at) {
        if (FullStepEta.fullDataStep(provider, name(step))) {
            rows(key).add(at, step.state);
        }
    }

    /**
     * The figures at end, the task's newest successful poll, whose status is taskStatus; null when none of its full data
     * steps runs then. Drops the rows before the ones in force at the lookback's start, which no later poll reaches.
     * known: the task's steps now, for their names and order.
     */
    KeptEta figuresAt(Instant end, String taskStatus, Map<String, KnownTask.Entity> known) {
        long since = micros(end.minus(eta.lookback()));
        long e = micros(end);
        boolean running = false;
        for (Rows r : steps.values()) {
            r.dropBefore(since);
            running |= r.runningAt(e);
        }
        if (!running) {
            return null; // most tasks, past their full transfer: nothing to fit
        }
        List<FullStepSample> samples = new ArrayList<>();
        for (Map.Entry<String, Rows> r : steps.entrySet()) {
            KnownTask.Entity step = known.get(r.getKey());
            if (step != null && FullStepEta.fullDataStep(provider, name(step))) {
                r.getValue().samples(r.getKey(), name(step), order(step), e, samples);
            }
        }
        FullStepEta.Figures figures = eta.of(taskStatus, end, samples, null);
        return figures == null || figures.stepKey() == null ? null : new KeptEta(end, eta.settingsKey(), figures);
    }

    private Rows rows(String key) {
        return steps.computeIfAbsent(key, k -> new Rows());
    }

    /** A step's step_name and step_order, from its descriptive values (HistoryStore.writeSteps' order). */
    private static String name(KnownTask.Entity step) {
        return step.info == null ? null : (String) step.info.get(2);
    }

    private static Integer order(KnownTask.Entity step) {
        return step.info == null ? null : (Integer) step.info.get(1);
    }

    /** The columns of a step's state row the figures use, and their places in StateTable.STEP's values. */
    private static final List<String> STATE_COLUMNS = List.of("present", "status", "processed_records", "capacity", "progress_pct");
    private static final int[] STATE_INDEXES = STATE_COLUMNS.stream()
            .mapToInt(n -> StateTable.STEP.columns.stream().map(SqlRow.Col::name).toList().indexOf(n)).toArray();

    /** One step's rows, oldest first. */
    private static final class Rows {
        private long[] at = new long[8];
        private long[] processed = new long[8];
        private long[] capacity = new long[8];
        private double[] pct = new double[8];
        private String[] status = new String[8];
        private byte[] flags = new byte[8];
        private int size;

        void add(Instant t, List<Object> state) {
            if (size == at.length) {
                resize(size * 2);
            }
            Long p = (Long) state.get(STATE_INDEXES[2]);
            Long c = (Long) state.get(STATE_INDEXES[3]);
            Double d = (Double) state.get(STATE_INDEXES[4]);
            at[size] = micros(t);
            processed[size] = p == null ? 0 : p;
            capacity[size] = c == null ? 0 : c;
            pct[size] = d == null ? 0 : d;
            status[size] = (String) state.get(STATE_INDEXES[1]);
            flags[size] = (byte) ((Boolean.TRUE.equals(state.get(STATE_INDEXES[0])) ? PRESENT : 0) | (p == null ? NO_PROCESSED : 0)
                    | (c == null ? NO_CAPACITY : 0) | (d == null ? NO_PCT : 0));
            size++;
        }

        /** Drops the rows before the one in force at since (the newest at or before it). */
        void dropBefore(long since) {
            int from = MicroTimes.inForceAt(at, size, since);
            if (from > 0) {
                System.arraycopy(at, from, at, 0, size - from);
                System.arraycopy(processed, from, processed, 0, size - from);
                System.arraycopy(capacity, from, capacity, 0, size - from);
                System.arraycopy(pct, from, pct, 0, size - from);
                System.arraycopy(status, from, status, 0, size - from);
                System.arraycopy(flags, from, flags, 0, size - from);
                Arrays.fill(status, size - from, size, null);
                size -= from;
            }
            if (at.length > 8 && size <= at.length / 4) {
                // a step that finished keeps one row for as long as the writer runs: not the arrays of its busiest half hour
                resize(Math.max(8, size * 2));
            }
        }

        private void resize(int n) {
            at = Arrays.copyOf(at, n);
            processed = Arrays.copyOf(processed, n);
            capacity = Arrays.copyOf(capacity, n);
            pct = Arrays.copyOf(pct, n);
            status = Arrays.copyOf(status, n);
            flags = Arrays.copyOf(flags, n);
        }

        /** Whether the step is in the answer and RUNNING as of end. */
        boolean runningAt(long end) {
            int last = MicroTimes.newestAtOrBefore(at, size, end);
            return last >= 0 && (flags[last] & PRESENT) != 0 && "RUNNING".equals(status[last]);
        }

        /** The step's samples as a reader gets them: its rows up to end, the newest carried forward to end, the absent left out. */
        void samples(String key, String name, Integer order, long end, List<FullStepSample> into) {
            int last = MicroTimes.newestAtOrBefore(at, size, end);
            for (int i = 0; i <= last; i++) {
                if ((flags[i] & PRESENT) != 0) {
                    into.add(sample(i, key, name, order, at[i]));
                }
            }
            if (last >= 0 && at[last] < end && (flags[last] & PRESENT) != 0) {
                into.add(sample(last, key, name, order, end));
            }
        }

        private FullStepSample sample(int i, String key, String name, Integer order, long t) {
            Long p = (flags[i] & NO_PROCESSED) != 0 ? null : processed[i];
            Long c = (flags[i] & NO_CAPACITY) != 0 ? null : capacity[i];
            Double d = (flags[i] & NO_PCT) != 0 ? null : pct[i];
            return new FullStepSample(key, name, instant(t), status[i], p, c, FullStepSample.percentOf(d, p, c), true, order);
        }
    }
}
