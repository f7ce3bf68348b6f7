package dev.migwatch.trends;

import dev.migwatch.progress.FullStepSample;
import dev.migwatch.storage.AsOf;
import dev.migwatch.storage.DelayWindowFigures;
import dev.migwatch.storage.KeptEta;
import dev.migwatch.storage.RollupMetric;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.TreeMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads the history through the V2 views and tables with plain JDBC. Every value is a bound parameter:
 * the SQL text is made only of constants of this class, optional filters append constant fragments.
 * Times are stored as UTC without zone, so they are read and bound as UTC LocalDateTime.
 */
public class TrendQueries {

    private static final String TASK_COLUMNS = "source, provider, task_id, sampled_at, task_name,"
            + " task_type, raw_status, status, running_step, progress_pct, delay_seconds, processed_records,"
            + " total_records, elapsed_seconds, provider_eta_seconds, failed_message, started_at, finished_at,"
            + " last_poll_at, last_poll_api, last_poll_outcome, last_poll_http_status, last_poll_error_code,"
            + " last_poll_error_message, last_ok_poll_at, last_error_at, last_error_origin, last_error_name,"
            + " last_error_code, last_error_message, gone_at, gone_reason, last_poll_node FROM v_task_latest";

    /**
     * The newest state row of each step (alias st), the one v_step_latest finds through task_latest and state_at: on
     * PostgreSQL one backward step along the step's primary key. LATERAL with LIMIT makes it look each step's row up by
     * its key instead of hashing the whole table (which it prefers until the table is far larger than its steps, and which
     * grows with the history).
     */
    private static final String STEP_NOW_BY_KEY = " JOIN LATERAL (SELECT * FROM step_state x WHERE x.step_ref = st.id"
            + " ORDER BY x.polled_at DESC LIMIT 1) s ON TRUE";

    /**
     * v_task_latest's columns of task t, task_latest l, its state row s, poll p and error e, but an OMS task's record counts
     * only where its own row has them (see taskRows).
     */
    private static final String TASK_ROW_COLUMNS = "SELECT t.source, t.provider, t.task_id, l.last_ok_at, t.task_name, t.task_type,"
            + " s.raw_status, s.status, s.running_step, s.progress_pct, s.delay_seconds, s.processed_records, s.total_records,"
            + " s.elapsed_seconds, s.provider_eta_seconds, s.failed_message, s.started_at, s.finished_at, l.last_polled_at, p.api,"
            + " l.last_outcome, p.http_status, p.error_code, p.error_message, l.last_ok_at, e.last_seen, e.origin, e.origin_name,"
            + " e.code, e.message, t.gone_at, t.gone_reason, p.node FROM task t LEFT JOIN task_latest l ON l.task_ref = t.id";

    /** taskRows for PostgreSQL, each row looked up by its key (see STEP_NOW_BY_KEY). */
    private static final String TASKS_BY_KEY = TASK_ROW_COLUMNS
            + " LEFT JOIN LATERAL (SELECT * FROM task_state x WHERE x.task_ref = t.id AND x.polled_at = l.state_at LIMIT 1) s ON TRUE"
            + " LEFT JOIN LATERAL (SELECT * FROM poll x WHERE x.task_ref = t.id AND x.polled_at = l.last_polled_at LIMIT 1) p ON TRUE"
            + " LEFT JOIN LATERAL (SELECT * FROM task_error x WHERE x.task_ref = t.id ORDER BY x.last_seen DESC, x.id DESC LIMIT 1) e ON TRUE"
            + " WHERE t.task_id <> '*' ORDER BY t.source, t.task_id";

    /** taskRows for H2: v_task_latest's joins, which H2 makes as lookups of each row by its key. */
    private static final String TASKS_BY_JOIN = TASK_ROW_COLUMNS
            + " LEFT JOIN task_state s ON s.task_ref = t.id AND s.polled_at = l.state_at"
            + " LEFT JOIN poll p ON p.task_ref = t.id AND p.polled_at = l.last_polled_at"
            + " LEFT JOIN task_error e ON e.task_ref = t.id AND e.id = (SELECT x.id FROM task_error x WHERE x.task_ref = t.id"
            + " ORDER BY x.last_seen DESC, x.id DESC FETCH FIRST 1 ROW ONLY)"
            + " WHERE t.task_id <> '*' ORDER BY t.source, t.task_id";

    /**
     * v_step_latest's columns, of step st and a state row's values, and the task's key, for the list's statement: a state
     * value is value.apply(name), of the state row s for a step that changes and of the copy on the step row for a settled
     * one (SETTLED), so that the two halves of the statement cannot drift apart.
     */
    private static String stepNowColumns(java.util.function.UnaryOperator<String> value) {
        return "SELECT st.step_key, st.parent_step_key, st.step_order, st.step_name, st.description, "
                + value.apply("raw_status") + ", " + value.apply("status") + ", " + progress(value) + ", "
                + value.apply("processed_records") + ", " + value.apply("capacity") + ", " + value.apply("src_rps") + ", "
                + value.apply("dst_rps") + ", COALESCE(" + value.apply("delay_seconds") + ", " + value.apply("delay_ms") + " / 1000), "
                + value.apply("checkpoint_at") + ", " + value.apply("started_at") + ", " + value.apply("finished_at") + ", "
                + value.apply("error_code") + ", " + value.apply("error_message") + ", " + value.apply("polled_at") + ", st.task_ref";
    }

    /** A step's progress: the provider's percent, else processed / capacity (UDTS gives counts only). */
    private static String progress(java.util.function.UnaryOperator<String> value) {
        return "COALESCE(" + value.apply("progress_pct") + ", CASE WHEN " + value.apply("capacity") + " > 0 THEN 100.0 * "
                + value.apply("processed_records") + " / " + value.apply("capacity") + " END)";
    }

    /** A value of the state row s. */
    private static final java.util.function.UnaryOperator<String> STATE = name -> "s." + name;

    /** A value of the copy of a settled step's newest row on its step row st (V17): settled_x, the row's time settled_at. */
    private static final java.util.function.UnaryOperator<String> SETTLED =
            name -> name.equals("polled_at") ? "st.settled_at" : "st.settled_" + name;

    /**
     * Only the steps the list shows or decides by (see listedStepsOfAllTasks): running ones, and finished ones that may be a
     * full data step (a superset of FullStepEta.fullDataStep, which decides in Java). 4,000 of the 7,000 steps of 1,000 OMS
     * tasks, in the README's 30-day history and in bin/bench-memory's: under bin/migwatch's JVM the statement took 20
     * instead of 30 to 40 ms.
     */
    private static String listed(java.util.function.UnaryOperator<String> value) {
        return " AND (" + value.apply("status") + " = 'RUNNING' OR " + value.apply("status") + " = 'FINISHED' AND "
                + NAMED_FULL + ")";
    }

    /** A step st whose name says full data ("FULL...", "Full...", "全量..."): what FullStepEta.fullDataStep accepts of DTS. */
    private static final String NAMED_FULL = "(UPPER(st.step_name) LIKE '%FULL%' OR st.step_name LIKE '%全量%')";

    /** FullStepEta.fullDataStep in SQL, of step st and its task t. */
    private static final String FULL_DATA_STEP = "(st.step_name IN ('FULL_TRANSFER', 'FULL_VERIFIER', 'FULL_MIGRATION')"
            + " OR (UPPER(t.provider) = 'DTS' AND " + NAMED_FULL + "))";

    /**
     * The steps that stopped changing, from the copy of their newest row on the step row: the list reads the step rows
     * anyway, and looks up the state rows only of the steps that change.
     */
    private static final String SETTLED_STEPS = " UNION ALL " + stepNowColumns(SETTLED)
            + " FROM step st JOIN task_latest l ON l.task_ref = st.task_ref WHERE st.settled_at IS NOT NULL"
            + " AND " + SETTLED.apply("present") + " = TRUE" + listed(SETTLED);

    /**
     * v_step_latest for all tasks, the listed steps only, for PostgreSQL (see STEP_NOW_BY_KEY): the steps that change, then
     * SETTLED_STEPS.
     */
    private static final String STEPS_BY_KEY = stepNowColumns(STATE) + " FROM step st JOIN task_latest l ON l.task_ref = st.task_ref"
            + STEP_NOW_BY_KEY + " WHERE st.settled_at IS NULL AND s.present = TRUE" + listed(STATE) + SETTLED_STEPS;

    /**
     * v_step_latest for all tasks, the listed steps only, for H2: the steps that change by the view's two lookups of the
     * primary key per step, then SETTLED_STEPS, without the view's join to task and its order. H2 began that join at the
     * task and sorted all rows by the tasks' names: under bin/migwatch's JVM, 1,000 tasks of 7 steps took 68.5 ms through
     * the view and 51.7 without those (docs/measurements.md). The tasks' names are read after, and each task's steps put
     * in order in Java. The lookups of the settled steps' rows were most of a list asked for on its own: a page of the
     * history per step, which H2 had often evicted since.
     */
    private static final String STEPS_BY_JOIN = stepNowColumns(STATE) + " FROM step st JOIN task_latest l ON l.task_ref = st.task_ref"
            + " LEFT JOIN step_state n ON n.step_ref = st.id AND n.polled_at = l.last_ok_at"
            + " JOIN step_state s ON s.step_ref = st.id AND s.polled_at = COALESCE(n.polled_at, st.state_at)"
            + " WHERE st.settled_at IS NULL AND s.present = TRUE" + listed(STATE) + SETTLED_STEPS;

    /** A step's progress from its state row s. */
    private static final String STATE_PROGRESS = progress(STATE);

    private final DataSource dataSource;
    /** Most values bound in one batched query; more tasks than that fit are read in chunks. */
    private final int maxParameters;
    /** Whether delayWindows takes the figures the writer keeps where they answer a read (false: always the rows). */
    private final boolean keptFigures;
    /** Asked once; two threads of one list may both ask the first time, and both get the same answer. */
    private volatile Boolean stepped;

    public TrendQueries(DataSource dataSource) {
        this(dataSource, ValuesTable.MAX_PARAMETERS);
    }

    TrendQueries(DataSource dataSource, int maxParameters) {
        this(dataSource, maxParameters, true);
    }

    TrendQueries(DataSource dataSource, int maxParameters, boolean keptFigures) {
        this.dataSource = Objects.requireNonNull(dataSource);
        this.maxParameters = maxParameters;
        this.keptFigures = keptFigures;
    }

    /** These queries reading the delay windows from the state rows only: what the kept figures must equal. */
    TrendQueries fromRowsOnly() {
        return new TrendQueries(dataSource, maxParameters, false);
    }

    /** Every task as v_task_latest shows it: taskRows with the counts from the steps (which this reads too). */
    public List<TaskRow> tasks() {
        return withRecordsOfSteps(taskRows(), listedStepsOfAllTasks());
    }

    /** The key of a task in the maps these reads return (listedStepsOfAllTasks): its source and task id. */
    public static String keyOf(String source, String taskId) {
        return source + '\u0000' + taskId;
    }

    /** A task's steps in a map of listedStepsOfAllTasks (none: an empty list). */
    public static List<StepRow> stepsOf(Map<String, List<StepRow>> steps, TaskRow row) {
        return steps.getOrDefault(keyOf(row.source(), row.taskId()), List.of());
    }

    /** The rows of taskRows as v_task_latest has them: an OMS task's counts from its steps (TaskRow.withRecordsOf). */
    public static List<TaskRow> withRecordsOfSteps(List<TaskRow> rows, Map<String, List<StepRow>> steps) {
        return rows.stream().map(r -> r.withRecordsOf(stepsOf(steps, r))).toList();
    }

    /**
     * Every task as v_task_latest shows it, except that an OMS task's record counts, which its state row leaves to its
     * running full transfer (StateTable.of), are not taken from there: the list has the steps and does that with
     * TaskRow.withRecordsOf. In the view these are two lookups per step of every OMS task, 34 of the 50 ms that H2 took for
     * 1,000 tasks under bin/migwatch's JVM (docs/measurements.md).
     */
    public List<TaskRow> taskRows() {
        return query(byKey() ? TASKS_BY_KEY : TASKS_BY_JOIN, List.of(), TrendQueries::taskRow);
    }

    public Optional<TaskRow> task(String source, String taskId) {
        return query("SELECT " + TASK_COLUMNS + " WHERE source = ? AND task_id = ?", List.of(source, taskId),
                TrendQueries::taskRow).stream().findFirst();
    }

    public List<StepRow> stepsNow(String source, String taskId) {
        return query("SELECT step_key, parent_step_key, step_order, step_name, description, raw_status, status,"
                        + " progress_pct, processed_records, capacity, src_rps, dst_rps, delay_seconds, checkpoint_at,"
                        + " started_at, finished_at, error_code, error_message, polled_at FROM v_step_latest"
                        + " WHERE source = ? AND task_id = ? ORDER BY step_order, step_key",
                List.of(source, taskId), TrendQueries::stepRow);
    }

    /** The order of a task's steps: step order (none last), then step key. */
    public static final java.util.Comparator<StepRow> STEP_ORDER = java.util.Comparator
            .comparing(StepRow::stepOrder, java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
            .thenComparing(StepRow::stepKey);

    /**
     * The steps now of every task that the task list shows or decides by, by keyOf(source, task id), each task's in
     * STEP_ORDER: the running ones (its bars, an OMS task's record counts, whether its ETA is fitted) and the finished ones
     * whose name may be a full data step's (its ETA's "finished"). Other steps are left out; stepsNow has all of a task's.
     */
    public Map<String, List<StepRow>> listedStepsOfAllTasks() {
        Map<Integer, List<StepRow>> byRef = new java.util.HashMap<>();
        query(byKey() ? STEPS_BY_KEY : STEPS_BY_JOIN, List.of(), rs -> {
            byRef.computeIfAbsent(rs.getInt(20), k -> new ArrayList<>()).add(stepRow(rs));
            return null;
        });
        Map<String, List<StepRow>> out = new java.util.HashMap<>();
        query("SELECT id, source, task_id FROM task", List.of(), rs -> {
            List<StepRow> steps = byRef.get(rs.getInt(1));
            if (steps != null) {
                steps.sort(STEP_ORDER);
                out.put(keyOf(rs.getString(2), rs.getString(3)), steps);
            }
            return null;
        });
        return out;
    }

    /** A StepRow of v_step_latest's first 19 columns, in its order. */
    private static StepRow stepRow(ResultSet rs) throws SQLException {
        return new StepRow(rs.getString(1), rs.getString(2), integer(rs, 3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), dbl(rs, 8), lng(rs, 9), lng(rs, 10), dbl(rs, 11),
                dbl(rs, 12), lng(rs, 13), instant(rs, 14), instant(rs, 15), instant(rs, 16), rs.getString(17),
                rs.getString(18), instant(rs, 19));
    }

    public List<ComponentRow> componentsNow(String source, String taskId) {
        return query("SELECT kind, name, raw_status, status, ip, region, delay_seconds, tps, progress_pct,"
                        + " record_progress_pct, consistent_count, inconsistent_count, checkpoint_at, heartbeat_at,"
                        + " error_message, polled_at FROM v_component_latest WHERE source = ? AND task_id = ?"
                        + " ORDER BY kind, name",
                List.of(source, taskId),
                rs -> new ComponentRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), lng(rs, 7), dbl(rs, 8), dbl(rs, 9), dbl(rs, 10),
                        lng(rs, 11), lng(rs, 12), instant(rs, 13), instant(rs, 14), rs.getString(15),
                        instant(rs, 16)));
    }

    /**
     * The series of one metric, one line per step, component or side. The stored rows are change points; each line
     * starts with its value as of from (the row before from, carried in) and ends with its value as of the task's newest
     * successful poll (carried forward), so a line is drawn over the whole range even when the value did not change in
     * it. Ranges longer than a day are read from the rollups up to where they are computed, then from the samples.
     *
     * @param step null for all; else a step key or step name (for TPS: a component name or kind)
     */
    public List<Series> series(String source, String taskId, Metric metric, String step, Instant from, Instant to) {
        Optional<TaskKey> task = taskKey(source, taskId);
        if (task.isEmpty()) {
            return List.of();
        }
        int ref = task.get().id();
        Instant end = task.get().lastOkAt();
        if (end == null) {
            return List.of();
        }
        if (to != null && to.isBefore(end)) {
            end = to;
        }
        Instant start = from != null ? from : task.get().firstPolledAt();
        Duration span = Duration.between(start, end);
        // The finest resolution that keeps the read small: full resolution up to a day, 5-minute rollups up to three
        // weeks, hourly beyond; the part of the range the rollups do not cover yet is read from the samples. A part older
        // than retention kept of that resolution (a day two months ago: its samples are gone, all but the row in force)
        // is read from the finest rollup still kept there.
        Marks marks = marks();
        Resolution wanted = span.compareTo(FIVE_MINUTES_UP_TO) > 0 ? Resolution.HOUR
                : span.compareTo(FULL_RESOLUTION_UP_TO) > 0 ? Resolution.FIVE_MINUTES : Resolution.FULL;
        List<Object> args = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        Map<Integer, Instant[]> rollupParts = new HashMap<>();
        Instant cursor = start;
        Instant hourPartEnd = partEnd(cursor, end, marks.hourDone(), wanted == Resolution.HOUR ? marks.hourDone() : marks.fivePruned());
        if (hourPartEnd.isAfter(cursor)) {
            parts.addAll(rollupSeries(metric, ref, step, 3600, cursor, hourPartEnd, args));
            rollupParts.put(3600, new Instant[]{cursor, hourPartEnd});
            cursor = hourPartEnd;
        }
        Instant fivePartEnd = partEnd(cursor, end, marks.fiveDone(), wanted == Resolution.FULL ? marks.samplesPruned() : marks.fiveDone());
        if (fivePartEnd.isAfter(cursor)) {
            parts.addAll(rollupSeries(metric, ref, step, 300, cursor, fivePartEnd, args));
            rollupParts.put(300, new Instant[]{cursor, fivePartEnd});
            cursor = fivePartEnd;
        }
        Instant rawFrom = rollupParts.isEmpty() ? from : cursor;
        parts.addAll(rawSeries(metric, ref, step, rawFrom, end, args));
        // the UNION in a derived table: H2 ran the same UNION ALL standing alone six times slower (the last day of a task
        // polled every 5 minutes: 15 ms against 2.6, the parts alone 1.3)
        List<SeriesRow> rows = query("SELECT * FROM (" + unionAll(parts) + ") x", args, rs -> new SeriesRow(
                rs.getString(1), rs.getString(2), instant(rs, 3), dbl(rs, 4), dbl(rs, 5), rs.getBoolean(6), rs.getInt(7), dbl(rs, 8),
                rs.getInt(9)));
        // in time order, rows of one time in the order of the parts (as H2's stable sort had them): sorted here rather than by
        // ORDER BY, which took PostgreSQL as long as reading the rows (a year: 17,560 of them) and H2 more than twice; each
        // part comes in runs already ordered by time, which a merge sort joins in about one pass
        rows.sort(java.util.Comparator.comparing(SeriesRow::t));
        Map<String, String> labels = new LinkedHashMap<>();
        // lines in the order their first value appears in time, as the chart lists them
        Map<String, List<Series.Point>> lines = new LinkedHashMap<>();
        Map<String, Map<Integer, List<SeriesRow>>> rollupRows = new LinkedHashMap<>();
        Map<String, Double[]> lastValue = new LinkedHashMap<>();
        boolean afterRollups = !rollupParts.isEmpty();
        for (SeriesRow r : rows) {
            String k = r.key() == null ? "" : r.key();
            labels.putIfAbsent(k, metric == Metric.DELAY && r.key() == null ? "task"
                    : metric == Metric.TPS ? r.name() + " " + r.key()
                    : r.name() != null ? r.name() : r.key());
            if (r.period() > 0) {
                // a rollup row holds one side: a or b
                String line = metric == Metric.RPS ? k + (r.a() != null ? "\u0000src" : "\u0000dst") : k;
                lines.computeIfAbsent(line, x -> new ArrayList<>());
                rollupRows.computeIfAbsent(line, x -> new TreeMap<>()).computeIfAbsent(r.period(), x -> new ArrayList<>()).add(r);
                continue;
            }
            Instant t = r.t();
            boolean carriedIn = rawFrom != null && t.isBefore(rawFrom);
            if (carriedIn) {
                t = rawFrom; // the sample in force at the start of the full-resolution part, carried in
            }
            Double a = r.present() ? r.a() : null;
            Double b = r.present() ? r.b() : null;
            lastValue.put(k, r.present() ? new Double[]{a, b} : null);
            if (carriedIn && afterRollups) {
                continue; // the rollups drew the line up to here: no second point for the same value
            }
            if (metric == Metric.RPS) {
                add(lines, k + "\u0000src", a, t, 1);
                add(lines, k + "\u0000dst", b, t, 1);
            } else {
                add(lines, k, a, t, 1);
            }
        }
        rollupRows.forEach((line, byPeriod) -> byPeriod.forEach((period, part) -> {
            Instant[] range = rollupParts.get(period);
            lines.get(line).addAll(rollupPoints(part, period, range[0], range[1]));
        }));
        lines.values().forEach(points -> points.sort(java.util.Comparator.comparing(Series.Point::t)));
        Instant carriedTo = end;
        lastValue.forEach((k, v) -> {
            if (v != null) {
                if (metric == Metric.RPS) {
                    carry(lines, k + "\u0000src", v[0], carriedTo);
                    carry(lines, k + "\u0000dst", v[1], carriedTo);
                } else {
                    carry(lines, k, v[0], carriedTo);
                }
            }
        });
        // Two steps with one name (DTS sub-steps) would merge on the chart: give them their key.
        Map<String, Long> labelUse = new LinkedHashMap<>();
        labels.values().forEach(l -> labelUse.merge(l, 1L, Long::sum));
        List<Series> out = new ArrayList<>();
        lines.forEach((k, points) -> {
            if (points.isEmpty()) {
                return;
            }
            String key = k.contains("\u0000") ? k.substring(0, k.indexOf('\u0000')) : k;
            String label = labels.get(key);
            if (labelUse.get(label) > 1 && !key.isEmpty()) {
                label = label + " (" + key + ")";
            }
            if (k.contains("\u0000")) {
                label = label + " " + k.substring(k.indexOf('\u0000') + 1);
            }
            out.add(new Series(label, points));
        });
        return out;
    }

    /** One row of a series query: a state row (period 0) or a rollup row (its average in a or b, its last value in last). */
    private record SeriesRow(String key, String name, Instant t, Double a, Double b, boolean present, int n, Double last, int period) {
    }

    /**
     * The points of one line from its rollup rows in [from, to), the first of which may be the row in force at from.
     * Rollups are change-only: a bucket without a row held the previous row's last value at its polls (none after a row
     * with sample_count 0). So that a value that stood still draws flat rather than as a slope to the next stored
     * bucket, the carried value gets a point (n = 0: no poll behind it) at the first and the last bucket it filled.
     */
    static List<Series.Point> rollupPoints(List<SeriesRow> rows, int period, Instant from, Instant to) {
        List<Series.Point> out = new ArrayList<>();
        Double carry = null;
        Instant carryFrom = from;
        for (SeriesRow r : rows) {
            Double v = r.a() != null ? r.a() : r.b();
            if (r.t().isBefore(from)) {
                carry = r.n() > 0 ? r.last() : null;
                if (carry != null) {
                    out.add(new Series.Point(from, carry, 0));
                }
                carryFrom = from;
                continue;
            }
            if (carry != null) {
                carried(out, carry, carryFrom, r.t(), period);
            }
            if (r.n() > 0 && v != null) {
                out.add(new Series.Point(r.t(), v, r.n()));
            }
            carry = r.n() > 0 ? r.last() : null;
            carryFrom = r.t().plusSeconds(period);
        }
        if (carry != null) {
            carried(out, carry, carryFrom, to, period);
        }
        return out;
    }

    /** Points for a carried value over the buckets from "from" (a bucket start) up to "to" (exclusive). */
    private static void carried(List<Series.Point> out, double v, Instant from, Instant to, int period) {
        if (!from.isBefore(to)) {
            return;
        }
        Instant lastBucket = floor(to.minusNanos(1), period);
        Instant newest = out.isEmpty() ? null : out.get(out.size() - 1).t();
        if (newest == null || from.isAfter(newest)) {
            out.add(new Series.Point(from, v, 0));
            newest = from;
        }
        if (lastBucket.isAfter(newest)) {
            out.add(new Series.Point(lastBucket, v, 0));
        }
    }

    private static Instant floor(Instant t, int period) {
        long s = t.getEpochSecond();
        return Instant.ofEpochSecond(s - Math.floorMod(s, period));
    }

    static final Duration FULL_RESOLUTION_UP_TO = Duration.ofDays(1);
    static final Duration FIVE_MINUTES_UP_TO = Duration.ofDays(21);

    /**
     * The SELECTs as one UNION ALL, parenthesized as a balanced tree. H2 nests "a UNION ALL b UNION ALL c" to the left and
     * converts every row to the column types at each level: a row of the first of the 18 parts of a year's delay was
     * converted 17 times, a third of H2's time for the year. Balanced, a row is converted about five times.
     */
    static String unionAll(List<String> selects) {
        if (selects.size() == 1) {
            return selects.get(0);
        }
        int half = selects.size() / 2;
        return "(" + unionAll(selects.subList(0, half)) + ") UNION ALL (" + unionAll(selects.subList(half, selects.size())) + ")";
    }

    private List<String> rawSeries(Metric metric, int ref, String step, Instant from, Instant end, List<Object> args) {
        List<String> out = new ArrayList<>();
        switch (metric) {
            case PROGRESS -> out.add(stepSeries(STATE_PROGRESS, "NULL", ref, step, from, end, args));
            case PROCESSED -> out.add(stepSeries("s.processed_records", "NULL", ref, step, from, end, args));
            case RPS -> out.add(stepSeries("s.src_rps", "s.dst_rps", ref, step, from, end, args));
            case DELAY -> {
                out.add(stepSeries("COALESCE(s.delay_seconds, s.delay_ms / 1000)", "NULL", ref, step, from, end, args));
                if (step == null) {
                    out.add(taskSeries("s.delay_seconds", ref, from, end, args));
                }
            }
            case TPS -> out.add(componentSeries("s.tps", ref, step, from, end, args));
        }
        return out;
    }

    /** The same columns as rawSeries from metric_rollup: a point per bucket (its average), n = polls in it. */
    private List<String> rollupSeries(Metric metric, int ref, String step, int period, Instant from, Instant to, List<Object> args) {
        List<String> out = new ArrayList<>();
        switch (metric) {
            case PROGRESS -> out.addAll(rollup('S', "progress_pct", null, ref, step, period, from, to, args));
            case PROCESSED -> out.addAll(rollup('S', "processed_records", null, ref, step, period, from, to, args));
            case RPS -> out.addAll(rollup('S', "src_rps", "dst_rps", ref, step, period, from, to, args));
            case DELAY -> {
                out.addAll(rollup('S', "delay_seconds", null, ref, step, period, from, to, args));
                if (step == null) {
                    out.addAll(rollup('T', "delay_seconds", null, ref, null, period, from, to, args));
                }
            }
            case TPS -> out.addAll(rollup('C', "tps", null, ref, step, period, from, to, args));
        }
        return out;
    }

    /**
     * One SELECT per entity and metric, each naming the whole primary key prefix of metric_rollup (entity, ref, metric,
     * period) and a range of bucket_start: a plan no database can get wrong (a join over the task's steps let
     * PostgreSQL scan the time index instead, 177 ms for 30 days). a goes to the 4th column, b to the 5th.
     */
    private List<String> rollup(char entity, String a, String b, int task, String step, int period, Instant from, Instant to,
                                List<Object> args) {
        // only the series with a row of this period before "to" (a part for any other would read nothing): a year's delay
        // of an OMS task had 18 parts, 4 of them with rows, which took PostgreSQL 7 ms to plan and H2 to convert through
        String rows = " AND EXISTS (SELECT 1 FROM metric_rollup r WHERE " + RollupMetric.entityIs("r.entity", entity) + " AND r.entity_ref = e.id"
                + " AND r.metric IN ('" + a + (b == null ? "" : "', '" + b) + "') AND r.period_s = " + period + " AND r.bucket_start < ?)";
        List<Object> entityArgs = new ArrayList<>(List.of(task));
        if (step != null && entity != 'T') {
            entityArgs.addAll(List.of(step, step));
        }
        entityArgs.add(to);
        List<Object[]> entities = query(switch (entity) {
            case 'S' -> "SELECT e.id, e.step_key, e.step_name FROM step e WHERE e.task_ref = ?"
                    + (step == null ? "" : " AND (e.step_key = ? OR e.step_name = ?)") + rows;
            case 'C' -> "SELECT e.id, e.name, e.kind FROM component e WHERE e.task_ref = ?"
                    + (step == null ? "" : " AND (e.name = ? OR e.kind = ?)") + rows;
            default -> "SELECT e.id, CAST(NULL AS VARCHAR(600)), CAST(NULL AS VARCHAR(600)) FROM task e WHERE e.id = ?" + rows;
        }, entityArgs, rs -> new Object[]{rs.getInt(1), rs.getString(2), rs.getString(3)});
        List<RollupSeries> series = new ArrayList<>();
        List<List<?>> keys = new ArrayList<>();
        for (Object[] e : entities) {
            for (String metric : b == null ? List.of(a) : List.of(a, b)) {
                series.add(new RollupSeries((Integer) e[0], (String) e[1], (String) e[2], metric));
                keys.add(List.of(String.valueOf(entity), e[0], metric));
            }
        }
        // from the row in force at from (found first, for all the series in one statement): the value a series that stood
        // still carries into the range. Both bounds are constants: with the lower bound in a derived table joined to the
        // rows, H2 read the series' rows first and searched the row in force again for each of them (7,510 rows of
        // 5-minute rollups, 30 days of a task). The period is a constant of the SQL text (300 or 3600), and only the
        // columns of V10's index of the hourly rows are read: PostgreSQL reads a year from that index alone, in every
        // plan it may cache
        List<Instant> lows = rowsInForce("metric_rollup", "bucket_start", RollupMetric.entityIsParameter("b.entity") + " AND b.entity_ref = ? AND b.metric = ?"
                + " AND b.period_s = " + period, stepped(), keys, from);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            RollupSeries x = series.get(i);
            parts.add("SELECT CAST(? AS VARCHAR(600)) AS k, CAST(? AS VARCHAR(600)) AS nm, r.bucket_start, "
                    + (x.metric().equals(b) ? "CAST(NULL AS DOUBLE PRECISION) AS a, r.avg_value AS b" : "r.avg_value AS a, CAST(NULL AS DOUBLE PRECISION) AS b")
                    + ", TRUE, r.sample_count, r.last_value, " + period + " AS period_s FROM metric_rollup r"
                    + " WHERE " + RollupMetric.entityIsParameter("r.entity") + " AND r.entity_ref = ? AND r.metric = ? AND r.period_s = " + period
                    + " AND r.bucket_start >= ? AND r.bucket_start < ?");
            args.addAll(java.util.Arrays.asList(x.key(), x.name(), String.valueOf(entity), x.ref(), x.metric(), lows.get(i), to));
        }
        return parts;
    }

    /** One line of rollup(): an entity (its key and name, null for the task) and one of its metrics. */
    private record RollupSeries(int ref, String key, String name, String metric) {
    }

    /**
     * The row in force at t of each of several entities or series of one table, in one statement of one row: the newest
     * timeColumn at or before t, or t itself when there is none. key is a condition on b with "?" for each of a
     * keys element's values; steps: whether to search in AsOf's bounded steps (see AsOf.stepped).
     */
    private List<Instant> rowsInForce(String table, String timeColumn, String key, boolean steps, List<List<?>> keys, Instant t) {
        if (keys.isEmpty()) {
            return List.of();
        }
        List<Object> args = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        for (List<?> k : keys) {
            columns.add(AsOf.rowInForce(table, timeColumn, key, "?", steps ? AsOf.parameters() : List.of()));
            AsOf.argsFor(args, t, k, steps);
        }
        return query("SELECT " + String.join(", ", columns), args, rs -> {
            List<Instant> out = new ArrayList<>();
            for (int i = 1; i <= keys.size(); i++) {
                out.add(instant(rs, i));
            }
            return out;
        }).get(0);
    }

    /**
     * Whether the list reads every task's and step's newest rows with a lookup by key of its own (PostgreSQL: LATERAL, see
     * STEP_NOW_BY_KEY), rather than with the views' plain joins (H2, which has no LATERAL and looks rows up by key anyway).
     */
    private boolean byKey() {
        return !stepped();
    }

    /** Whether the database needs AsOf's stepped search on metric_rollup (asked once). */
    private boolean stepped() {
        Boolean s = stepped;
        if (s == null) {
            try (Connection c = dataSource.getConnection()) {
                s = AsOf.stepped(c);
            } catch (SQLException e) {
                throw new IllegalStateException("history query failed: " + e.getMessage(), e);
            }
            stepped = s;
        }
        return s;
    }

    /** The resolutions of a series, finest last. */
    private enum Resolution { HOUR, FIVE_MINUTES, FULL }

    /**
     * What the stored history holds at each resolution: the rollups are computed up to fiveDone and hourDone (null: not
     * yet), and the samples and the 5-minute rollups before samplesPruned and fivePruned may be gone (V20).
     */
    private record Marks(Instant fiveDone, Instant hourDone, Instant samplesPruned, Instant fivePruned) {
    }

    private Marks marks() {
        Map<String, Instant> m = new HashMap<>();
        query("SELECT CAST(period_s AS VARCHAR(20)), done_until FROM rollup_mark UNION ALL SELECT part, pruned_before FROM retention_mark",
                List.of(), rs -> m.put(rs.getString(1), instant(rs, 2)));
        return new Marks(m.get("300"), m.get("3600"), m.getOrDefault("samples", Instant.EPOCH), m.getOrDefault("rollups_5m", Instant.EPOCH));
    }

    /**
     * Where a rollup part that starts at cursor ends: at wanted, but not past the range's end nor past what the rollup
     * has computed (done: null, nothing), and not before cursor (an empty part).
     */
    private static Instant partEnd(Instant cursor, Instant end, Instant done, Instant wanted) {
        if (done == null) {
            return cursor;
        }
        Instant e = wanted.isBefore(end) ? wanted : end;
        e = done.isBefore(e) ? done : e;
        return e.isAfter(cursor) ? e : cursor;
    }

    private Instant rollupMark(int period) {
        return query("SELECT done_until FROM rollup_mark WHERE period_s = ?", List.of(period), rs -> instant(rs, 1))
                .stream().findFirst().orElse(null);
    }

    /**
     * A task's surrogate key, the time of its first poll and of its newest successful poll, and the figures of its delay
     * window that the writer keeps (null: none).
     */
    public record TaskKey(int id, Instant firstPolledAt, Instant lastOkAt, DelayWindowFigures delayWindow) {
    }

    /** What taskKey and taskKeys read of a task, then its source and task id (columns TASK_KEY_SOURCE and the next). */
    private static final String TASK_KEY = "SELECT t.id, t.first_polled_at, l.last_ok_at, " + DelayWindowFigures.columns("l")
            + ", t.source, t.task_id FROM task t LEFT JOIN task_latest l ON l.task_ref = t.id";
    private static final int TASK_KEY_SOURCE = 4 + DelayWindowFigures.columnCount();

    public Optional<TaskKey> taskKey(String source, String taskId) {
        return query(TASK_KEY + " WHERE t.source = ? AND t.task_id = ?", List.of(source, taskId), TrendQueries::taskKey)
                .stream().findFirst();
    }

    private static TaskKey taskKey(ResultSet rs) throws SQLException {
        return new TaskKey(rs.getInt(1), instant(rs, 2), instant(rs, 3), DelayWindowFigures.read(rs, 4));
    }

    /**
     * A value column of a series as DOUBLE PRECISION, the type of the rollups' values: H2 types a UNION column of DOUBLE
     * and BIGINT (delay_seconds, processed_records) as DECFLOAT and converted every rollup value to a BigDecimal and
     * back, half of the time it took to read a year.
     */
    private static String asDouble(String expression) {
        return "CAST(" + expression + " AS DOUBLE PRECISION)";
    }

    private static String stepSeries(String a, String b, int task, String step, Instant from, Instant end, List<Object> args) {
        return "SELECT st.k, st.nm, s.polled_at, " + asDouble(a) + ", " + asDouble(b) + ", s.present, 0 AS n, CAST(NULL AS DOUBLE PRECISION) AS carry, "
                + "0 AS period_s" + statesOf("step", "step_key", "step_name", "step_state", "step_ref", task, step, from, end, args);
    }

    /**
     * The task's state rows from the row in force at from to end, both bounds constants: the row in force is found first,
     * in a statement of its own. Not as a join with the task row: on a young table, whose statistics promised one row,
     * PostgreSQL then checked the bound on each state row it read instead of starting its index scan there (the last day
     * of a day-old history: 28 ms). Nor as a join with a derived table of the bound: H2 read the task's rows first and
     * searched the row in force again for each of them (every /series of a task with 13,825 state rows: 700 ms).
     */
    private String taskSeries(String a, int task, Instant from, Instant end, List<Object> args) {
        String sql = "SELECT NULL, NULL, s.polled_at, " + asDouble(a) + ", CAST(NULL AS DOUBLE PRECISION), TRUE, 0 AS n, "
                + "CAST(NULL AS DOUBLE PRECISION) AS carry, 0 AS period_s FROM task_state s WHERE s.task_ref = ?";
        args.add(task);
        if (from != null) {
            sql += " AND s.polled_at >= ?";
            args.add(rowsInForce("task_state", "polled_at", "b.task_ref = ?", true, List.of(List.of(task)), from).get(0));
        }
        args.add(end);
        return sql + " AND s.polled_at <= ?";
    }

    private static String componentSeries(String a, int task, String step, Instant from, Instant end, List<Object> args) {
        return "SELECT st.k, st.nm, s.polled_at, " + asDouble(a) + ", CAST(NULL AS DOUBLE PRECISION), s.present, 0 AS n, CAST(NULL AS DOUBLE PRECISION) AS carry, 0 AS period_s"
                + statesOf("component", "name", "kind", "component_state", "component_ref", task, step, from, end, args);
    }

    /**
     * FROM and WHERE for the state rows of a task's steps or components (the entity as st, with its key k, name nm and
     * lo, the time of its row in force at from) from lo to end; filter, if not null, is an entity's key or name. lo is
     * found once per entity, in the derived table: as a condition on the state rows, H2 also checked it on every row it
     * read, searching again each time (the last day of a task polled every 30 s for 30 days took 0.45 s; the task's rows
     * of a day polled every 5 minutes 28 to 370 ms, against 2 to 50 with the bound as a constant, both without H2's result
     * cache on this shared machine). PostgreSQL starts each entity's index scan at lo either way.
     */
    private static String statesOf(String entityTable, String keyColumn, String nameColumn, String stateTable, String refColumn,
                                   int task, String filter, Instant from, Instant end, List<Object> args) {
        String entities = "SELECT e.id, e." + keyColumn + " AS k, e." + nameColumn + " AS nm";
        if (from != null) {
            entities += ", " + AsOf.rowInForce(stateTable, refColumn, "e.id") + " AS lo";
            AsOf.args(args, from, null);
        }
        entities += " FROM " + entityTable + " e WHERE e.task_ref = ?";
        args.add(task);
        if (filter != null) {
            entities += " AND (e." + keyColumn + " = ? OR e." + nameColumn + " = ?)";
            args.add(filter);
            args.add(filter);
        }
        args.add(end);
        return " FROM (" + entities + ") st JOIN " + stateTable + " s ON s." + refColumn + " = st.id"
                + (from != null ? " AND s.polled_at >= st.lo" : "") + " WHERE s.polled_at <= ?";
    }

    private static void carry(Map<String, List<Series.Point>> lines, String key, Double v, Instant t) {
        List<Series.Point> points = lines.get(key);
        if (v != null && points != null && !points.isEmpty() && points.get(points.size() - 1).t().isBefore(t)) {
            points.add(new Series.Point(t, v, 1));
        }
    }

    /**
     * Samples of the full-data steps of a task from the row in force at since to the newest poll, oldest first;
     * the last row of each step still in the answer is repeated at the task's newest successful poll (its value
     * as of then), so that "unchanged since" and rates see the time that passed without a change.
     */
    public List<FullStepSample> fullStepSamples(String source, String taskId, Instant since) {
        return fullStepSamples(List.of(new TaskRead(source, taskId, since, null))).get(0);
    }

    /**
     * The ETA figures the writer kept on each task's task_latest row (KeptEta, V18), in the order of the reads (source and
     * task id only; null: none kept). One query: a task by its key, more than one from one read of every task that has them.
     */
    public List<KeptEta> keptEtas(List<TaskRead> reads) {
        Map<String, KeptEta> kept = new HashMap<>();
        String sql = "SELECT t.source, t.task_id, " + KeptEta.columns("l") + " FROM task t JOIN task_latest l ON l.task_ref = t.id"
                + " WHERE l.eta_end IS NOT NULL";
        List<Object> args = new ArrayList<>();
        if (reads.size() == 1) {
            sql += " AND t.source = ? AND t.task_id = ?";
            args.addAll(List.of(reads.get(0).source(), reads.get(0).taskId()));
        }
        query(sql, args, rs -> kept.put(keyOf(rs.getString(1), rs.getString(2)), KeptEta.read(rs, 3)));
        return reads.stream().map(r -> kept.get(id(r))).toList();
    }

    /** fullStepSamples of several tasks (until is not used) in one query per chunk of tasks, in the order of the reads. */
    public List<List<FullStepSample>> fullStepSamples(List<TaskRead> reads) {
        Map<String, TaskKey> keys = taskKeys(reads);
        List<List<FullStepSample>> rows = new ArrayList<>();
        ValuesTable w = window(reads, keys, rows, (r, k) -> k.lastOkAt());
        for (ValuesTable chunk : w.isEmpty() ? List.<ValuesTable>of() : w.chunks(maxParameters)) {
            List<Object> args = new ArrayList<>();
            // the full-data steps and where each one's read begins first, then their rows. H2 checks a join's whole condition
            // again at every row it reads: with the search for the row in force in it, that was up to 4 subqueries a row, and
            // with the step filter after the join with the task, for every step's rows (2.2 s for the 30 minutes of 1,000
            // tasks in full transfer). The derived table searches once a full-data step.
            String sql = "SELECT x.i, x.step_key, x.step_name, s.polled_at, s.status, s.processed_records, s.capacity, s.progress_pct"
                    + ", s.present, x.step_order FROM (SELECT w.i, w.e, st.id, st.step_key, st.step_name,"
                    + " st.step_order, " + windowStart("step_state", "b.step_ref = st.id") + " AS f FROM " + chunk.sql(args)
                    + " JOIN step st ON st.task_ref = w.ref JOIN task t ON t.id = st.task_ref"
                    + " WHERE " + FULL_DATA_STEP + ") x"
                    + " JOIN step_state s ON s.step_ref = x.id AND s.polled_at >= x.f AND s.polled_at <= x.e"
                    + " ORDER BY x.i, s.polled_at";
            query(sql, args, rs -> rows.get(rs.getInt(1)).add(new FullStepSample(rs.getString(2), rs.getString(3), instant(rs, 4),
                    rs.getString(5), lng(rs, 6), lng(rs, 7), FullStepSample.percentOf(dbl(rs, 8), lng(rs, 6), lng(rs, 7)),
                    rs.getBoolean(9), integer(rs, 10))));
        }
        List<List<FullStepSample>> out = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            TaskKey key = keys.get(id(reads.get(i)));
            out.add(key == null || key.lastOkAt() == null ? List.of() : carryForward(rows.get(i), FullStepSample::stepKey,
                    FullStepSample::present, r -> r.at(key.lastOkAt())).stream().filter(FullStepSample::present).toList());
        }
        return out;
    }

    /**
     * What a batched read asks for one task: its rows from the row in force at since (null: all), up to until
     * (null: the task's newest successful poll).
     */
    public record TaskRead(String source, String taskId, Instant since, Instant until) {
    }

    private static String id(TaskRead r) {
        return keyOf(r.source(), r.taskId());
    }

    /** The keys of the tasks of a batch: one by its name, more than one from one read of the task table. */
    private Map<String, TaskKey> taskKeys(List<TaskRead> reads) {
        Map<String, TaskKey> out = new HashMap<>();
        if (reads.size() == 1) {
            taskKey(reads.get(0).source(), reads.get(0).taskId()).ifPresent(k -> out.put(id(reads.get(0)), k));
        } else if (!reads.isEmpty()) {
            query(TASK_KEY, List.of(), rs -> out.put(keyOf(rs.getString(TASK_KEY_SOURCE), rs.getString(TASK_KEY_SOURCE + 1)),
                    taskKey(rs)));
        }
        return out;
    }

    /**
     * The derived table w(i, ref, t, b1.., e) of a batch: read i of task ref from the row in force at t (b1.. are the
     * bounds of its search) to e. Reads of unknown or never polled tasks get no row; rows gets an empty list per read.
     */
    private static ValuesTable window(List<TaskRead> reads, Map<String, TaskKey> keys, List<List<FullStepSample>> rows,
                                      java.util.function.BiFunction<TaskRead, TaskKey, Instant> end) {
        return window(reads, keys, end, () -> rows.add(new ArrayList<>()));
    }

    private static ValuesTable window(List<TaskRead> reads, Map<String, TaskKey> keys,
                                      java.util.function.BiFunction<TaskRead, TaskKey, Instant> end, Runnable perRead) {
        List<String> columns = new ArrayList<>(List.of("i INTEGER", "ref INTEGER", "t TIMESTAMP"));
        AsOf.columns("b").forEach(c -> columns.add(c + " TIMESTAMP"));
        columns.add("e TIMESTAMP");
        ValuesTable w = new ValuesTable("w", columns);
        for (int i = 0; i < reads.size(); i++) {
            perRead.run();
            TaskRead r = reads.get(i);
            TaskKey key = keys.get(id(r));
            if (key == null || key.lastOkAt() == null) {
                continue;
            }
            // no since: from the beginning (no row is in force at the epoch, so every row is read)
            Instant since = r.since() != null ? r.since() : Instant.EPOCH;
            List<Object> row = new ArrayList<>(List.of(i, key.id(), since));
            row.addAll(AsOf.lowerBounds(since));
            row.add(end.apply(r, key));
            w.row(row);
        }
        return w;
    }

    /** "the row in force at w.t" of the entity that key selects (a condition on b). */
    private static String windowStart(String table, String key) {
        return AsOf.rowInForce(table, "polled_at", key, "w.t", AsOf.columns("w.b"));
    }

    private static <T> List<T> carryForward(List<T> rows, java.util.function.Function<T, String> key,
                                            java.util.function.Predicate<T> present, java.util.function.UnaryOperator<T> atEnd) {
        Map<String, T> last = new LinkedHashMap<>();
        rows.forEach(r -> last.put(key.apply(r), r));
        List<T> out = new ArrayList<>(rows);
        last.values().stream().filter(present).map(atEnd).filter(r -> !rows.contains(r)).forEach(out::add);
        return out;
    }

    /**
     * Delay samples since a time (the rows in force at since carried in, the newest carried forward to the task's
     * newest successful poll); stepKey null marks task-level rows. A row without a delay (none in the answer, the step not
     * in it, or DTS's -1, "not applicable") is a sample with a null delay: it ends the reading before it.
     */
    public List<DelaySample> delaySamples(String source, String taskId, Instant since) {
        return delaySamples(source, taskId, since, null);
    }

    /** As delaySamples(source, taskId, since), up to until (not carried forward) when until is not null. */
    public List<DelaySample> delaySamples(String source, String taskId, Instant since, Instant until) {
        return delaySamples(List.of(new TaskRead(source, taskId, since, until))).get(0);
    }

    /**
     * delaySamples of several tasks, in the order of the reads, in two queries per chunk of tasks: the tasks' own
     * delays, then the steps' delays of the tasks that have none of their own.
     */
    public List<List<DelaySample>> delaySamples(List<TaskRead> reads) {
        return delaySamples(reads, i -> false);
    }

    /**
     * As delaySamples(reads), the steps' delays for the reads stepsOnly selects (by index) whatever their task has: a
     * longer read of the series a window chose (DelayWindow.stepKey), which the task's own delay of earlier hours would
     * otherwise hide.
     */
    public List<List<DelaySample>> delaySamples(List<TaskRead> reads, java.util.function.IntPredicate stepsOnly) {
        Map<String, TaskKey> keys = taskKeys(reads);
        List<List<DelaySample>> rows = taskElseSteps(reads, keys, TrendQueries::endOf, this::delayRows,
                d -> d.delaySeconds() != null, stepsOnly);
        List<List<DelaySample>> out = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            TaskRead r = reads.get(i);
            TaskKey key = keys.get(id(r));
            if (key == null || key.lastOkAt() == null) {
                out.add(List.of());
                continue;
            }
            Instant e = endOf(r, key);
            List<DelaySample> d = r.until() != null ? rows.get(i) : carryForward(rows.get(i), x -> String.valueOf(x.stepKey()),
                    x -> x.delaySeconds() != null, x -> new DelaySample(x.stepKey(), e, x.delaySeconds()));
            out.add(d);
        }
        return out;
    }

    /**
     * The delay figures of a read's samples (as delaySamples gives them, each series' newest reading carried forward to
     * the read's end also when it has an until): those of the task's own delay, or without one those of the step whose
     * newest sample is the newest (ties: the step latest in step order, then by step key). Every sample of the read counts
     * (the window is [since, until or else the newest successful poll]).
     *
     * @param stepKey       null for the task's own delay
     * @param firstAt       the first sample's time (since when the read has samples)
     * @param current       the newest value, at currentAt (the window's end when the series is carried forward)
     * @param aboveSince    first sample of the unbroken run above the threshold that ends at the newest, else null
     * @param runSince      where that run began however far back, when the writer's kept figures answered the read and know
     *                      it (DelayWindowFigures.runSince); else null, and "since when" beyond the window is read from the
     *                      rollups and rows
     */
    public record DelayWindow(String stepKey, Instant firstAt, Long current, Instant currentAt, Long max, Double avg,
                              int samples, Instant aboveSince, Instant runSince) {
        /** Figures computed from the rows: the run's start beyond the window is not known. */
        public DelayWindow(String stepKey, Instant firstAt, Long current, Instant currentAt, Long max, Double avg, int samples,
                           Instant aboveSince) {
            this(stepKey, firstAt, current, currentAt, max, avg, samples, aboveSince, null);
        }

        /** As DelayStats.of gives them for a window at least as long as the read. */
        public DelayStats.Stats stats(long threshold) {
            return new DelayStats.Stats(current, currentAt, max, avg, samples, threshold, aboveSince);
        }
    }

    /** The delay of a task_state (task) or step_state row; DTS sends -1 for "not reported". */
    private static String delay(boolean task, String row) {
        return task ? row + ".delay_seconds" : "COALESCE(" + row + ".delay_seconds, " + row + ".delay_ms / 1000)";
    }

    /** Whether a task_state (task) or step_state row reports a delay: for a step, it was in the answer, with a delay. */
    private static String reports(boolean task, String row) {
        return (task ? "" : row + ".present = TRUE AND ") + delay(task, row) + " >= 0";
    }

    /** Where a read ends: its until when that is before the task's newest successful poll, else that poll. */
    private static Instant endOf(TaskRead r, TaskKey k) {
        return r.until() != null && r.until().isBefore(k.lastOkAt()) ? r.until() : k.lastOkAt();
    }

    /**
     * The figures of delaySamples(reads) each read's samples would give DelayStats.of, computed by the database: one row per
     * task (per step for the tasks without a delay of their own) instead of every sample. The reads' since is clamped in
     * as delaySamples does. A read's until, a successful poll of the task, ends its window there instead of at the newest
     * one, the reading in force then carried forward to it (delaySamples does not carry forward to until): the window a
     * list read at that poll. In the order of the reads; empty figures (no samples) for unknown tasks.
     */
    public List<DelayWindow> delayWindows(List<TaskRead> reads, long threshold) {
        Map<String, TaskKey> keys = taskKeys(reads);
        // the figures the writer keeps on task_latest (V15__delay_window.sql) answer a read of the window and threshold
        // they were computed for, ending at the task's newest successful poll; the other reads go to the rows
        List<DelayWindow> out = new ArrayList<>(java.util.Collections.nCopies(reads.size(), null));
        List<TaskRead> rest = new ArrayList<>();
        List<Integer> restAt = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            TaskRead r = reads.get(i);
            TaskKey k = keys.get(id(r));
            // figures are written with last_ok_at, in the same UPDATE: a task with figures has a newest successful poll
            DelayWindowFigures f = k == null ? null : k.delayWindow();
            if (keptFigures && f != null && f.answer(r.since(), endOf(r, k), threshold)) {
                out.set(i, new DelayWindow(null, f.firstAt(), f.current(), f.currentAt(), f.max(), f.avg(), f.samples(), f.aboveSince(),
                        f.runSince()));
            } else {
                rest.add(r);
                restAt.add(i);
            }
        }
        List<DelayWindow> read = rest.isEmpty() ? List.of() : delayWindowsOfRows(rest, keys, threshold);
        for (int j = 0; j < restAt.size(); j++) {
            out.set(restAt.get(j), read.get(j));
        }
        return out;
    }

    /** delayWindows from the state rows of the windows. */
    private List<DelayWindow> delayWindowsOfRows(List<TaskRead> reads, Map<String, TaskKey> keys, long threshold) {
        List<List<DelayGroup>> groups = taskElseSteps(reads, keys, TrendQueries::endOf,
                (w, batch, task, into) -> delayGroups(w, batch, task, threshold, into), g -> g.count() > 0, i -> false);
        List<DelayWindow> out = new ArrayList<>();
        for (List<DelayGroup> g : groups) {
            DelayWindow best = null;
            Integer bestOrder = null;
            for (DelayGroup d : g) {
                DelayWindow w = d.window(threshold);
                if (w == null) {
                    continue;
                }
                int byTime = best == null ? 1 : w.currentAt().compareTo(best.currentAt());
                if (byTime > 0 || byTime == 0 && laterStep(d.stepOrder(), w.stepKey(), bestOrder, best.stepKey())) {
                    best = w;
                    bestOrder = d.stepOrder();
                }
            }
            out.add(best != null ? best : new DelayWindow(null, null, null, null, null, null, 0, null));
        }
        return out;
    }

    /** Reads one kind of delay series (the task's own: task, else its steps') for a batch of reads, each read's into out. */
    private interface DelayReads<T> {
        void read(ValuesTable w, List<TaskRead> reads, boolean task, List<List<T>> out);
    }

    /**
     * Each read's task delay when it has one with a value (what the provider calls "the" delay), else its steps': the
     * steps are read only for the reads whose task has none, or that stepsOnly selects (their task's delay not read). In
     * the order of the reads.
     */
    private static <T> List<List<T>> taskElseSteps(List<TaskRead> reads, Map<String, TaskKey> keys,
                                                   java.util.function.BiFunction<TaskRead, TaskKey, Instant> end,
                                                   DelayReads<T> series, java.util.function.Predicate<T> hasValue,
                                                   java.util.function.IntPredicate stepsOnly) {
        List<List<T>> out = new ArrayList<>();
        List<TaskRead> own = new ArrayList<>();
        List<Integer> ownAt = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            out.add(new ArrayList<>());
            if (!stepsOnly.test(i)) {
                own.add(reads.get(i));
                ownAt.add(i);
            }
        }
        List<List<T>> tasks = new ArrayList<>();
        series.read(window(own, keys, end, () -> tasks.add(new ArrayList<>())), own, true, tasks);
        for (int j = 0; j < ownAt.size(); j++) {
            out.set(ownAt.get(j), tasks.get(j));
        }
        List<TaskRead> noTaskDelay = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            if (out.get(i).stream().noneMatch(hasValue)) {
                noTaskDelay.add(reads.get(i));
                at.add(i);
            }
        }
        if (!noTaskDelay.isEmpty()) {
            List<List<T>> steps = new ArrayList<>();
            series.read(window(noTaskDelay, keys, end, () -> steps.add(new ArrayList<>())), noTaskDelay, false, steps);
            for (int j = 0; j < at.size(); j++) {
                out.set(at.get(j), steps.get(j));
            }
        }
        return out;
    }

    /** Step order as the list shows the steps (a step without an order last), then step key. */
    private static boolean laterStep(Integer order, String key, Integer otherOrder, String otherKey) {
        int o = Integer.compare(order == null ? Integer.MAX_VALUE : order, otherOrder == null ? Integer.MAX_VALUE : otherOrder);
        return o > 0 || o == 0 && key.compareTo(otherKey) > 0;
    }

    /**
     * The aggregates of one series (the task's delay, or one step's) over a read's rows, from the row in force at since
     * to e. Times are the rows' own (since clamps them in Java: clamping keeps MIN and MAX). lastValue is the newest
     * row's value (null included), newestValue the newest non-null one's; lowAt the newest row at or below the
     * threshold, aboveFrom the first non-null row after it. weighted and weight are the sums of value × seconds in force
     * and of those seconds, over the rows with a value (a row is in force from since or its time to the next row, the
     * newest to e).
     */
    private record DelayGroup(String stepKey, Integer stepOrder, Instant since, Instant e, int count, Long max, long sum,
                              double weighted, double weight, Instant firstAt, Instant lastAt, Long lastValue,
                              Instant newestAt, Long newestValue, Instant lowAt, Instant aboveFrom) {
        DelayWindow window(long threshold) {
            if (count == 0) {
                return null;
            }
            // delaySamples carries the newest row forward to e when it has a value (and is before e)
            boolean carried = lastValue != null && clamp(lastAt).isBefore(e);
            Long current = lastValue != null ? lastValue : newestValue;
            Instant currentAt = lastValue != null ? e : clamp(newestAt);
            int n = count + (carried ? 1 : 0);
            long total = sum + (carried ? lastValue : 0);
            // as DelayStats.of: weighted by the time in force, the plain mean when every row is at one instant
            double avg = weight > 0 ? weighted / weight : (double) total / n;
            Instant above = current <= threshold ? null : lowAt == null ? clamp(firstAt) : clamp(aboveFrom);
            return new DelayWindow(stepKey, clamp(firstAt), current, currentAt, max, avg, n, above);
        }

        private Instant clamp(Instant t) {
            return t != null && since != null && t.isBefore(since) ? since : t;
        }
    }

    /** A read's groups: the task's delay from its rows' running integrals (schema 14), the steps' paired by LEAD. */
    private void delayGroups(ValuesTable w, List<TaskRead> reads, boolean task, long threshold, List<List<DelayGroup>> out) {
        if (task) {
            integralGroups(w, reads, threshold, out);
        } else {
            leadGroups(w, reads, false, threshold, out);
        }
    }

    /**
     * The aggregates of a series' rows r(polled_at, v) that every form reads (v null: no delay); the threshold is their
     * one parameter (low_at).
     */
    private static final String DELAY_AGGREGATES = "COUNT(r.v) AS n, MAX(r.v) AS mx, SUM(r.v) AS sm,"
            + " MIN(CASE WHEN r.v IS NOT NULL THEN r.polled_at END) AS first_at, MAX(r.polled_at) AS last_at,"
            + " MAX(CASE WHEN r.v IS NOT NULL THEN r.polled_at END) AS newest_at,"
            + " MAX(CASE WHEN r.v <= ? THEN r.polled_at END) AS low_at";

    /**
     * The series of a chunk of reads, a derived table f(i, t, e, series_ref, step_key, step_order, start_at): the task
     * (task) or each of its steps, with the time of its row in force at the read's since (H2 evaluated that again for
     * every row as a condition of the join, four subqueries per row read: 345 ms against 230 for 1,000 tasks).
     */
    private static String delaySeries(boolean task, ValuesTable chunk, List<Object> args) {
        return "(SELECT w.i, w.t, w.e, " + (task
                ? "w.ref AS series_ref, CAST(NULL AS VARCHAR(600)) AS step_key, CAST(NULL AS INTEGER) AS step_order, "
                + windowStart("task_state", "b.task_ref = w.ref") + " AS start_at FROM " + chunk.sql(args)
                : "st.id AS series_ref, st.step_key AS step_key, st.step_order AS step_order, "
                + windowStart("step_state", "b.step_ref = st.id") + " AS start_at FROM " + chunk.sql(args)
                + " JOIN step st ON st.task_ref = w.ref") + ") f";
    }

    /**
     * One row per series of f with the aggregates over its rows from the row in force at since to e: rows is the select
     * list of each row (s the state row, f its series), aggregates over r. The parameters go to args in the order of the
     * text: the threshold (in the aggregates) before the series' values in the GROUP BY form, after them with LATERAL.
     */
    private String delayGroupsSql(boolean task, String rows, String aggregates, String series, List<Object> seriesArgs,
                                  long threshold, List<Object> args) {
        String table = task ? "task_state" : "step_state";
        String seriesRows = "s." + (task ? "task_ref" : "step_ref") + " = f.series_ref AND s.polled_at >= f.start_at AND s.polled_at <= f.e";
        if (byKey()) {
            // PostgreSQL aggregates each series' rows where it reads them (an aggregate a series, LATERAL): hashing the
            // joined rows of all series by the series' columns took a third of the statement (25 of 91 ms, 1,000 tasks)
            args.addAll(seriesArgs);
            args.add(threshold);
            return "SELECT f.i, f.t, f.e, f.series_ref, f.step_key, f.step_order, a.*"
                    + " FROM " + series + " JOIN LATERAL (SELECT " + aggregates + " FROM (SELECT " + rows + " FROM " + table
                    + " s WHERE " + seriesRows + ") r) a ON a.last_at IS NOT NULL";
        }
        args.add(threshold);
        args.addAll(seriesArgs);
        return "SELECT r.i, r.t, r.e, r.series_ref, r.step_key, r.step_order, " + aggregates + " FROM (SELECT f.i, f.t, f.e,"
                + " f.series_ref, f.step_key, f.step_order, " + rows + " FROM " + series + " JOIN " + table + " s ON "
                + seriesRows + ") r GROUP BY r.i, r.t, r.e, r.series_ref, r.step_key, r.step_order";
    }

    /**
     * The task's own delay, from the running integrals of its rows (V14__delay_integral.sql): the window's time-weighted
     * sum is the integral at its newest row less the one at its first, corrected for the part of the first row's time
     * before since and extended by the newest row's time to e. No row is paired with the next, so the rows are read only
     * for COUNT, MAX and the times (an index-only scan on PostgreSQL). A window whose first or newest row has no integral
     * (written before version 14) is read again the old way (leadGroups).
     */
    private void integralGroups(ValuesTable w, List<TaskRead> reads, long threshold, List<List<DelayGroup>> out) {
        String rows = "s.polled_at, CASE WHEN " + reports(true, "s") + " THEN " + delay(true, "s") + " END AS v";
        java.util.Set<Integer> old = new java.util.HashSet<>();
        groupRows(w, true, rows, DELAY_AGGREGATES + ", MIN(r.polled_at) AS k_at", threshold,
                "g.k_at, CASE WHEN ks.delay_seconds >= 0 THEN ks.delay_seconds END, ks.delay_integral, ks.delay_covered,"
                        + " ls.delay_integral, ls.delay_covered", endRow("ks", "g.k_at") + endRow("ls", "g.last_at"), rs -> {
                    int i = rs.getInt(1);
                    int n = rs.getInt(4);
                    Double kIntegral = dbl(rs, 17);
                    Double lastIntegral = dbl(rs, 19);
                    if (n > 0 && (kIntegral == null || lastIntegral == null)) {
                        old.add(i);
                        return;
                    }
                    Instant since = reads.get(i).since();
                    double weighted = 0;
                    double weight = 0;
                    if (n > 0) {
                        // the first row counts from since, not from its own time; the newest until e
                        Instant kAt = instant(rs, 15);
                        Long kValue = lng(rs, 16);
                        Long lastValue = lng(rs, 12);
                        double before = since != null && since.isAfter(kAt) ? seconds(kAt, since) : 0;
                        double after = seconds(instant(rs, 8), instant(rs, 11));
                        weighted = lastIntegral - kIntegral - (kValue == null ? 0 : kValue * before) + (lastValue == null ? 0 : lastValue * after);
                        weight = dbl(rs, 20) - dbl(rs, 18) - (kValue == null ? 0 : before) + (lastValue == null ? 0 : after);
                    }
                    out.get(i).add(group(rs, since, weighted, weight));
                });
        if (!old.isEmpty()) {
            leadGroups(w.only(old), reads, true, threshold, out);
        }
    }

    /**
     * The task_state row of series g at time at, as alias: looked up by its key. On PostgreSQL through LATERAL with LIMIT,
     * which it cannot turn into a join: it misjudged the aggregated rows as one or a dozen and joined them by hashing the
     * whole table, or by reading every row of each task (160 to 250 ms instead of 1,000 lookups, 1,000 tasks after 30 days).
     */
    private String endRow(String alias, String at) {
        return byKey()
                ? " JOIN LATERAL (SELECT " + alias + ".delay_seconds, " + alias + ".delay_integral, " + alias + ".delay_covered FROM task_state "
                + alias + " WHERE " + alias + ".task_ref = g.series_ref AND " + alias + ".polled_at = " + at + " LIMIT 1) " + alias + " ON TRUE"
                : " JOIN task_state " + alias + " ON " + alias + ".task_ref = g.series_ref AND " + alias + ".polled_at = " + at;
    }

    private static double seconds(Instant from, Instant to) {
        return java.time.Duration.between(from, to).toNanos() / 1e9;
    }

    /**
     * One row per read (task) or per read and step: COUNT, MAX and SUM of the values, their sums weighted by the time
     * each row was in force (LEAD: until the series' next row), and the times that the figures need, then the values of
     * the newest rows and the first row after the last one at or below the threshold, each looked up by its key.
     */
    private void leadGroups(ValuesTable w, List<TaskRead> reads, boolean task, long threshold, List<List<DelayGroup>> out) {
        // each row's value (null: no delay) and the seconds it was in force (until the series' next row, the newest until
        // e), computed once: the aggregates read them only. The frame of one row ahead is all LEAD needs; PostgreSQL's
        // default frame cost 5 ms more for 1,000 tasks (36 against 41 ms, the plain aggregates without weights 22), and H2
        // takes no frame for LEAD
        String rows = "s.polled_at, CASE WHEN " + reports(task, "s") + " THEN " + delay(task, "s") + " END AS v, CASE WHEN "
                + reports(task, "s") + " THEN " + seconds("GREATEST(s.polled_at, f.t)", "COALESCE(LEAD(s.polled_at) OVER (" + (byKey()
                ? "ORDER BY s.polled_at ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING" : "PARTITION BY f.i, f.series_ref ORDER BY s.polled_at")
                + "), f.e)") + " END AS w";
        groupRows(w, task, rows, DELAY_AGGREGATES + ", SUM(r.v * r.w) AS wsm, SUM(r.w) AS wt", threshold, "g.wsm, g.wt", "",
                rs -> out.get(rs.getInt(1)).add(group(rs, reads.get(rs.getInt(1)).since(), rs.getDouble(15), rs.getDouble(16))));
    }

    /**
     * Runs the aggregates of each series' rows (delayGroupsSql), per chunk of reads, with the values the figures need looked
     * up by key: columns 1 to 11 are g.i, step_key, step_order, n, mx, sm, first_at, last_at, newest_at, low_at, e; 12 and
     * 13 the values at last_at and newest_at, 14 the first reading after low_at; the form's own columns (extra, over the
     * joins) follow from 15.
     */
    private void groupRows(ValuesTable w, boolean task, String rows, String aggregates, long threshold, String extra,
                           String joins, RowReader row) {
        String table = task ? "task_state" : "step_state";
        String ref = task ? "task_ref" : "step_ref";
        String valueOfX = "CASE WHEN " + reports(task, "x") + " THEN " + delay(task, "x") + " END";
        for (ValuesTable chunk : w.isEmpty() ? List.<ValuesTable>of() : w.chunks(maxParameters)) {
            List<Object> seriesArgs = new ArrayList<>();
            String series = delaySeries(task, chunk, seriesArgs);
            List<Object> args = new ArrayList<>();
            String groups = delayGroupsSql(task, rows, aggregates, series, seriesArgs, threshold, args);
            String sql = "SELECT g.i, g.step_key, g.step_order, g.n, g.mx, g.sm, g.first_at, g.last_at, g.newest_at, g.low_at, g.e,"
                    + " (SELECT " + valueOfX + " FROM " + table + " x WHERE x." + ref + " = g.series_ref AND x.polled_at = g.last_at),"
                    + " (SELECT " + valueOfX + " FROM " + table + " x WHERE x." + ref + " = g.series_ref AND x.polled_at = g.newest_at),"
                    + " (SELECT MIN(x.polled_at) FROM " + table + " x WHERE x." + ref + " = g.series_ref AND x.polled_at > g.low_at"
                    + " AND x.polled_at <= g.e AND " + reports(task, "x") + "), " + extra
                    + " FROM (" + groups + ") g" + joins;
            query(sql, args, rs -> {
                row.read(rs);
                return null;
            });
        }
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    /** A group from groupRows' common columns, with its time-weighted sums. */
    private static DelayGroup group(ResultSet rs, Instant since, double weighted, double weight) throws SQLException {
        return new DelayGroup(rs.getString(2), integer(rs, 3), since, instant(rs, 11), rs.getInt(4), lng(rs, 5), rs.getLong(6),
                weighted, weight, instant(rs, 7), instant(rs, 8), lng(rs, 12), instant(rs, 9), lng(rs, 13), instant(rs, 10),
                instant(rs, 14));
    }

    /**
     * The seconds from one TIMESTAMP to another, as a DOUBLE PRECISION: PostgreSQL subtracts them into an interval (exact
     * for TIMESTAMP without a time zone) and takes date_part's double (EXTRACT's NUMERIC made the list's delay windows
     * 80 ms slower for 1,000 tasks), H2 counts the microseconds between them.
     */
    private String seconds(String from, String to) {
        return byKey()
                ? "date_part('epoch', " + to + " - " + from + ")"
                : "CAST(DATEDIFF(MICROSECOND, " + from + ", " + to + ") AS DOUBLE PRECISION) / 1000000";
    }

    private void delayRows(ValuesTable w, List<TaskRead> reads, boolean task, List<List<DelaySample>> rows) {
        for (ValuesTable chunk : w.isEmpty() ? List.<ValuesTable>of() : w.chunks(maxParameters)) {
            List<Object> args = new ArrayList<>();
            // where each series' read begins, once a series (delaySeries), not as a condition H2 checks at every row
            String sql = task
                    ? "SELECT f.i, CAST(NULL AS VARCHAR(600)), s.polled_at, s.delay_seconds, TRUE FROM " + delaySeries(true, chunk, args)
                    + " JOIN task_state s ON s.task_ref = f.series_ref"
                    : "SELECT f.i, f.step_key, s.polled_at, COALESCE(s.delay_seconds, s.delay_ms / 1000), s.present FROM "
                    + delaySeries(false, chunk, args) + " JOIN step_state s ON s.step_ref = f.series_ref";
            query(sql + " AND s.polled_at >= f.start_at AND s.polled_at <= f.e ORDER BY f.i, s.polled_at", args, rs -> {
                int i = rs.getInt(1);
                Instant since = reads.get(i).since();
                Long v = rs.getBoolean(5) ? lng(rs, 4) : null;
                Instant t = instant(rs, 3);
                rows.get(i).add(new DelaySample(rs.getString(2), since != null && t.isBefore(since) ? since : t, v != null && v < 0 ? null : v));
                return null;
            });
        }
    }

    /** When the task (stepKey null) or step first had a state row: where a delay series begins. */
    public Optional<Instant> firstStateAt(String source, String taskId, String stepKey) {
        return firstStateAt(List.of(new StepRead(source, taskId, stepKey, null, null))).get(0);
    }

    /** firstStateAt of several tasks or steps (from and to are not used), in the order of the reads. */
    public List<Optional<Instant>> firstStateAt(List<StepRead> reads) {
        List<Optional<Instant>> out = new ArrayList<>(java.util.Collections.nCopies(reads.size(), Optional.empty()));
        forSeries(reads, (w, args, ofTask) -> query(ofTask
                        ? "SELECT w.i, (SELECT s.polled_at FROM task_state s WHERE s.task_ref = w.ref ORDER BY s.polled_at FETCH FIRST 1 ROW ONLY)"
                        + " FROM " + w
                        : "SELECT w.i, (SELECT s.polled_at FROM step_state s WHERE s.step_ref = st.id ORDER BY s.polled_at FETCH FIRST 1 ROW ONLY)"
                        + " FROM " + w + " JOIN step st ON st.task_ref = w.ref AND st.step_key = w.k", args, rs -> {
                    Instant t = instant(rs, 2);
                    int i = rs.getInt(1);
                    if (t != null && out.get(i).map(t::isBefore).orElse(true)) {
                        out.set(i, Optional.of(t));
                    }
                    return null;
                }));
        return out;
    }

    /** Whether the 5-minute rollups are computed up to a time (they lag the polls by a few minutes). */
    public boolean rollupsCover(Instant t) {
        return rollupsComputedUntil().filter(mark -> !mark.isBefore(t)).isPresent();
    }

    /** Where the 5-minute rollups are computed up to (empty: not yet). */
    public Optional<Instant> rollupsComputedUntil() {
        return Optional.ofNullable(rollupMark(300));
    }

    /**
     * The start of the newest 5-minute bucket in [from, to) in which the delay of the task (stepKey null) or step was at
     * or below a threshold at some poll: where a run above the threshold began, to the bucket.
     */
    public Optional<Instant> lastDelayBucketAtOrBelow(String source, String taskId, String stepKey, long threshold, Instant from,
                                                      Instant to) {
        return lastDelayBucketAtOrBelow(List.of(new StepRead(source, taskId, stepKey, from, to)), threshold).get(0);
    }

    /** What a batched read of a task's (stepKey null) or step's series asks for: [from, to). */
    public record StepRead(String source, String taskId, String stepKey, Instant from, Instant to) {
    }

    /**
     * lastDelayBucketAtOrBelow of several tasks or steps, in the order of the reads, in two queries per chunk. The
     * 5-minute rollups are change-only: a bucket without a row held the last value of the row before it, so a row whose
     * last value is at or below the threshold makes every bucket up to the next row qualify, the newest of them being
     * the one before the next row (or the last before "to"). The row in force at from is read for that reason too.
     */
    public List<Optional<Instant>> lastDelayBucketAtOrBelow(List<StepRead> reads, long threshold) {
        List<Optional<Instant>> out = new ArrayList<>(java.util.Collections.nCopies(reads.size(), Optional.empty()));
        forSeries(reads, (w, args, ofTask) -> {
            char series = ofTask ? 'T' : 'S';
            String ref = ofTask ? "w.ref" : "st.id";
            String key = RollupMetric.entityIs("b.entity", series) + " AND b.entity_ref = " + ref + " AND b.metric = 'delay_seconds' AND b.period_s = 300";
            query("SELECT x.i, x.bucket_start, x.min_value, x.last_value, x.next_start FROM (SELECT w.i, r.bucket_start, r.min_value,"
                    + " r.last_value, r.sample_count, LEAD(r.bucket_start) OVER (PARTITION BY w.i ORDER BY r.bucket_start) AS next_start"
                    + " FROM " + w + (ofTask ? "" : " JOIN step st ON st.task_ref = w.ref AND st.step_key = w.k")
                    + " JOIN metric_rollup r ON " + RollupMetric.entityIs("r.entity", series) + " AND r.entity_ref = " + ref + " AND r.metric = 'delay_seconds'"
                    + " AND r.period_s = 300 AND r.bucket_start >= " + AsOf.rowInForce("metric_rollup", "bucket_start",
                    key, "w.t", stepped() ? AsOf.columns("w.b") : List.of()) + " AND r.bucket_start < w.e) x"
                    + " WHERE x.sample_count > 0 AND (x.min_value <= ? OR x.last_value <= ?)", withThreshold(args, threshold), rs -> {
                int i = rs.getInt(1);
                StepRead r = reads.get(i);
                Instant bucket = instant(rs, 2);
                Instant newest = null;
                if (!bucket.isBefore(r.from()) && rs.getDouble(3) <= threshold) {
                    newest = bucket;
                }
                if (rs.getDouble(4) <= threshold) {
                    Instant next = instant(rs, 5);
                    Instant carried = next != null ? next.minusSeconds(300) : floor(r.to().minusNanos(1), 300);
                    if (carried.isAfter(bucket) && !carried.isBefore(r.from())) {
                        newest = carried;
                    }
                }
                if (newest != null && out.get(i).map(newest::isAfter).orElse(true)) {
                    out.set(i, Optional.of(newest));
                }
                return null;
            });
        });
        return out;
    }

    private static List<Object> withThreshold(List<Object> args, long threshold) {
        List<Object> out = new ArrayList<>(args);
        out.add((double) threshold);
        out.add((double) threshold);
        return out;
    }

    @FunctionalInterface
    private interface SeriesQuery {
        /** @param w the derived table w(i, ref, k, t, b1.., e), its values in args; ofTask: the reads without a step */
        void run(String w, List<Object> args, boolean ofTask);
    }

    /** Runs a query for the task-level reads and one for the step-level reads, each per chunk. */
    private void forSeries(List<StepRead> reads, SeriesQuery q) {
        List<TaskRead> asTasks = reads.stream().map(r -> new TaskRead(r.source(), r.taskId(), r.from(), r.to())).toList();
        Map<String, TaskKey> keys = taskKeys(asTasks);
        for (boolean ofTask : List.of(true, false)) {
            List<String> columns = new ArrayList<>(List.of("i INTEGER", "ref INTEGER", "k VARCHAR(600)", "t TIMESTAMP"));
            AsOf.columns("b").forEach(c -> columns.add(c + " TIMESTAMP"));
            columns.add("e TIMESTAMP");
            ValuesTable w = new ValuesTable("w", columns);
            for (int i = 0; i < reads.size(); i++) {
                StepRead r = reads.get(i);
                TaskKey key = keys.get(id(asTasks.get(i)));
                if (key == null || (r.stepKey() == null) != ofTask) {
                    continue;
                }
                Instant from = r.from() != null ? r.from() : Instant.EPOCH;
                List<Object> row = new ArrayList<>(List.of(i, key.id(), r.stepKey() == null ? "" : r.stepKey(), from));
                row.addAll(AsOf.lowerBounds(from));
                row.add(r.to() != null ? r.to() : from);
                w.row(row);
            }
            for (ValuesTable chunk : w.isEmpty() ? List.<ValuesTable>of() : w.chunks(maxParameters)) {
                List<Object> args = new ArrayList<>();
                String sql = chunk.sql(args);
                q.run(sql, args, ofTask);
            }
        }
    }

    /** A step's (stepKey null: the task's) delay as of polledAt. */
    public record DelaySample(String stepKey, Instant polledAt, Long delaySeconds) {
    }

    /** Distinct errors seen in a time range (last seen at or after from, first seen at or before to), latest first. */
    public List<ErrorRow> errors(String source, String taskId, Instant from, Instant to, int limit) {
        List<Object> args = new ArrayList<>(List.of(source, taskId));
        String sql = "SELECT first_seen, last_seen, seen_count, origin, origin_name, code, err_level, message, reason, proposal"
                + " FROM v_errors WHERE source = ? AND task_id = ?" + timeFilter("last_seen", from, null, args)
                + timeFilter("first_seen", null, to, args) + " ORDER BY last_seen DESC, first_seen DESC";
        return query(sql, args, limit, rs -> new ErrorRow(instant(rs, 1), instant(rs, 2), rs.getLong(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10)));
    }

    /** Poll cycles from the poll log (v_poll_log), newest first. */
    public List<PollRow> polls(PollFilter f) {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT source, provider, task_id, polled_at, outcome, calls,"
                + " duration_ms, api, http_status, request_id, error_code, error_message, node FROM v_poll_log WHERE 1 = 1");
        if (f.source() != null) {
            sql.append(" AND source = ?");
            args.add(f.source());
        }
        if (f.taskId() != null) {
            sql.append(" AND task_id = ?");
            args.add(f.taskId());
        }
        if (f.outcome() != null) {
            sql.append(" AND outcome = ?");
            args.add(f.outcome());
        }
        sql.append(timeFilter("polled_at", f.from(), f.to(), args)).append(" ORDER BY polled_at DESC, source, task_id");
        return query(sql.toString(), args, f.limit(), rs -> new PollRow(rs.getString(1), rs.getString(2),
                rs.getString(3), instant(rs, 4), rs.getString(5), rs.getInt(6), rs.getLong(7),
                rs.getString(8), integer(rs, 9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13)));
    }

    /** One answer of a provider as it was received (decoded from raw_body). */
    public record RawAnswer(Instant receivedAt, String api, String contentType, String body) {
    }

    /** The answers kept for a task (raw retention), newest poll first, at most limit polls. */
    public List<RawAnswer> rawAnswers(String source, String taskId, Instant from, Instant to, int limit) {
        try (Connection c = dataSource.getConnection()) {
            return dev.migwatch.storage.RawBodies.read(c, source, taskId, from, to, limit).stream()
                    .map(a -> new RawAnswer(a.receivedAt(), a.body().api(), a.body().contentType(), a.body().body())).toList();
        } catch (SQLException e) {
            throw new IllegalStateException("history query failed: " + e.getMessage(), e);
        }
    }

    /** The status history of every component as spans of unchanged status, oldest first. */
    public List<ComponentSpan> componentTimeline(String source, String taskId, Instant from, Instant to) {
        List<Object> args = new ArrayList<>(List.of(source, taskId));
        String sql = "SELECT kind, name, polled_at, status, raw_status FROM component_sample"
                + " WHERE source = ? AND task_id = ?" + timeFilter("polled_at", from, to, args)
                + " ORDER BY kind, name, polled_at";
        List<ComponentSpan> spans = new ArrayList<>();
        query(sql, args, rs -> {
            String kind = rs.getString(1), name = rs.getString(2), status = rs.getString(4), raw = rs.getString(5);
            Instant t = instant(rs, 3);
            ComponentSpan last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
            if (last != null && last.kind().equals(kind) && last.name().equals(name)) {
                if (last.status().equals(status) && Objects.equals(last.rawStatus(), raw)) {
                    spans.set(spans.size() - 1, new ComponentSpan(kind, name, status, raw, last.from(), t,
                            last.samples() + 1));
                    return null;
                }
                // The previous status lasted until this change was seen.
                spans.set(spans.size() - 1, new ComponentSpan(kind, name, last.status(), last.rawStatus(),
                        last.from(), t, last.samples()));
            }
            spans.add(new ComponentSpan(kind, name, status, raw, t, t, 1));
            return null;
        });
        return spans;
    }

    // ---- plumbing

    private static String stepFilter(String step, List<Object> args, String keyColumn, String nameColumn) {
        if (step == null) {
            return "";
        }
        args.add(step);
        args.add(step);
        return " AND (" + keyColumn + " = ? OR " + nameColumn + " = ?)";
    }

    private static String timeFilter(String column, Instant from, Instant to, List<Object> args) {
        String sql = "";
        if (from != null) {
            sql += " AND " + column + " >= ?";
            args.add(from);
        }
        if (to != null) {
            sql += " AND " + column + " <= ?";
            args.add(to);
        }
        return sql;
    }

    private static void add(Map<String, List<Series.Point>> lines, String key, Double v, Instant t, int n) {
        if (v != null && t != null) {
            lines.computeIfAbsent(key, x -> new ArrayList<>()).add(new Series.Point(t, v, n));
        }
    }

    @FunctionalInterface
    interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, List<Object> args, RowMapper<T> mapper) {
        return query(sql, args, 0, mapper);
    }

    private <T> List<T> query(String sql, List<Object> args, int limit, RowMapper<T> mapper) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                Object a = args.get(i);
                if (a instanceof Instant instant) {
                    ps.setObject(i + 1, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
                } else {
                    ps.setObject(i + 1, a);
                }
            }
            if (limit > 0) {
                ps.setMaxRows(limit);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    T row = mapper.map(rs);
                    if (row != null) {
                        out.add(row);
                    }
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("history query failed: " + e.getMessage(), e);
        }
    }

    private static TaskRow taskRow(ResultSet rs) throws SQLException {
        return new TaskRow(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), dbl(rs, 10),
                lng(rs, 11), lng(rs, 12), lng(rs, 13), lng(rs, 14), lng(rs, 15), rs.getString(16), instant(rs, 17),
                instant(rs, 18), instant(rs, 19), rs.getString(20), rs.getString(21), integer(rs, 22),
                rs.getString(23), rs.getString(24), instant(rs, 25), instant(rs, 26), rs.getString(27),
                rs.getString(28), rs.getString(29), rs.getString(30), instant(rs, 31), rs.getString(32), rs.getString(33));
    }

    static Instant instant(ResultSet rs, int col) throws SQLException {
        LocalDateTime t = rs.getObject(col, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    static Double dbl(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }

    static Long lng(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    static Integer integer(ResultSet rs, int col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }
}
