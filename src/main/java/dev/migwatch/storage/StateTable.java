package dev.migwatch.storage;

import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.storage.SqlRow.Col;
import dev.migwatch.storage.SqlRow.Col.Kind;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A change-only table (task_state, step_state, component_state): a row is (ref, polled_at, values...), written
 * only when the values differ from the entity's previous row. Values are lists in column order, so that two
 * observations compare with equals(); they are clipped and cut to microseconds exactly as they are stored,
 * so a value read back from the database equals the one that would be written again.
 */
enum StateTable {
    TASK("task_state", "task_ref", List.of(
            new Col("raw_status", Kind.TEXT), new Col("status", Kind.TEXT), new Col("running_step", Kind.TEXT),
            new Col("progress_pct", Kind.DOUBLE), new Col("delay_seconds", Kind.LONG), new Col("delay_sampled_at", Kind.TIME),
            new Col("processed_records", Kind.LONG), new Col("total_records", Kind.LONG), new Col("elapsed_seconds", Kind.LONG),
            new Col("provider_eta_seconds", Kind.LONG), new Col("retry_count", Kind.INT), new Col("max_retry_count", Kind.INT),
            new Col("failed_message", Kind.TEXT), new Col("binlog_name", Kind.TEXT), new Col("binlog_pos", Kind.LONG),
            new Col("binlog_gtid", Kind.TEXT), new Col("started_at", Kind.TIME), new Col("finished_at", Kind.TIME)),
            List.of("delay_integral", "delay_covered")),
    STEP("step_state", "step_ref", List.of(
            new Col("present", Kind.BOOL), new Col("raw_status", Kind.TEXT), new Col("status", Kind.TEXT),
            new Col("progress_pct", Kind.DOUBLE), new Col("started_at", Kind.TIME), new Col("finished_at", Kind.TIME),
            new Col("processed_records", Kind.LONG), new Col("capacity", Kind.LONG), new Col("src_rps", Kind.DOUBLE),
            new Col("src_rt_ms", Kind.DOUBLE), new Col("src_iops", Kind.DOUBLE), new Col("dst_rps", Kind.DOUBLE),
            new Col("dst_rt_ms", Kind.DOUBLE), new Col("dst_iops", Kind.DOUBLE), new Col("src_rps_ref", Kind.DOUBLE),
            new Col("dst_rps_ref", Kind.DOUBLE), new Col("dst_rt_ref", Kind.DOUBLE), new Col("checkpoint_at", Kind.TIME),
            new Col("checkpoint_sampled_at", Kind.TIME), new Col("delay_seconds", Kind.LONG), new Col("delay_ms", Kind.LONG),
            new Col("incr_statistics", Kind.BOOL), new Col("error_code", Kind.TEXT), new Col("error_message", Kind.TEXT)), List.of()),
    COMPONENT("component_state", "component_ref", List.of(
            new Col("present", Kind.BOOL), new Col("raw_status", Kind.TEXT), new Col("status", Kind.TEXT),
            new Col("delay_seconds", Kind.LONG), new Col("tps", Kind.DOUBLE), new Col("progress_pct", Kind.DOUBLE),
            new Col("record_progress_pct", Kind.DOUBLE), new Col("consistent_count", Kind.LONG),
            new Col("inconsistent_count", Kind.LONG), new Col("checkpoint_at", Kind.TIME),
            new Col("checkpoint_sampled_at", Kind.TIME), new Col("heartbeat_at", Kind.TIME), new Col("error_message", Kind.TEXT)),
            List.of());

    final String table;
    final String refColumn;
    final List<Col> columns;
    /**
     * Columns the writer derives from the entity's previous row (a task's DelayIntegral), after the values: they change at
     * every row, so they are not compared, only written with a row that the values make.
     */
    final List<String> derived;

    StateTable(String table, String refColumn, List<Col> columns, List<String> derived) {
        this.table = table;
        this.refColumn = refColumn;
        this.columns = columns;
        this.derived = derived;
    }

    /** The INSERT of a row: its ref, polled_at, values, then its derived columns. */
    String insertSql() {
        List<String> names = new ArrayList<>(columns.stream().map(Col::name).toList());
        names.addAll(derived);
        return "INSERT INTO " + table + " (" + refColumn + ", polled_at, " + String.join(", ", names) + ") VALUES (?, ?"
                + ", ?".repeat(names.size()) + ")";
    }

    /** The delay a task row's values report, as the list's window counts it: delay_seconds when it is >= 0, else none. */
    static Long taskDelay(List<Object> values) {
        Object d = values.get(TASK_DELAY);
        return d instanceof Long v && v >= 0 ? v : null;
    }

    /** The normalized status of a task row's values (null: no row). */
    static String taskStatus(List<Object> values) {
        return values == null ? null : (String) values.get(TASK_STATUS);
    }

    private static final int TASK_STATUS = TASK.columns.stream().map(Col::name).toList().indexOf("status");
    private static final int TASK_DELAY = TASK.columns.stream().map(Col::name).toList().indexOf("delay_seconds");

    /**
     * SELECT ref, values..., polled_at, and for a step or component its state_at, of the newest row of each entity of one
     * task: for the task, task_latest.state_at; for a step or component its row at the task's newest successful poll if it
     * changed then, else the row at its state_at (see V8__PollKeysAndLatest and HistoryStore.flushPointers).
     */
    String latestSql() {
        String values = columns.stream().map(c -> "s." + c.name()).collect(Collectors.joining(", "));
        if (this == TASK) {
            return "SELECT l.task_ref, " + values + ", s.polled_at" + derived.stream().map(d -> ", s." + d).collect(Collectors.joining())
                    + " FROM task_latest l "
                    + "JOIN task_state s ON s.task_ref = l.task_ref "
                    + "AND s.polled_at = l.state_at WHERE l.task_ref = ?";
        }
        String dimension = this == STEP ? "step" : "component";
        return "SELECT d.id, " + values + ", s.polled_at, d.state_at" + (this == STEP ? ", d.settled_at" : "") + " FROM " + dimension + " d "
                + "JOIN task_latest l ON l.task_ref = d.task_ref JOIN " + table + " s ON s." + refColumn + " = d.id "
                + "AND s.polled_at = COALESCE((SELECT n.polled_at FROM " + table + " n WHERE n." + refColumn + " = d.id "
                + "AND n.polled_at = l.last_ok_at), d.state_at) WHERE d.task_ref = ?";
    }

    /**
     * The values of a step row that the task list shows, which the step's own row keeps a copy of as settled_* once the
     * step stops changing (V17__StepSettled, HistoryStore.settleSteps).
     */
    static final List<String> SETTLED = List.of("present", "raw_status", "status", "progress_pct", "started_at", "finished_at",
            "processed_records", "capacity", "src_rps", "dst_rps", "checkpoint_at", "delay_seconds", "delay_ms", "error_code",
            "error_message");

    /** UPDATE step SET state_at, settled_at and the settled_* copy of SETTLED: bound by bindSettled. */
    static String settleSql() {
        return "UPDATE step SET state_at = ?, settled_at = ?" + SETTLED.stream().map(n -> ", settled_" + n + " = ?")
                .collect(Collectors.joining()) + " WHERE id = ?";
    }

    /** Binds settleSql for a step whose newest row, of these values, was written at stateAt. */
    static void bindSettled(PreparedStatement ps, int stepId, java.time.Instant stateAt, List<Object> values) throws SQLException {
        SqlRow r = new SqlRow(ps).time(stateAt).time(stateAt);
        for (String name : SETTLED) {
            int i = STEP_COLUMN.get(name);
            r.value(values.get(i), STEP.columns.get(i).kind());
        }
        r.integer(stepId);
    }

    private static final java.util.Map<String, Integer> STEP_COLUMN = java.util.stream.IntStream.range(0, STEP.columns.size())
            .boxed().collect(Collectors.toUnmodifiableMap(i -> STEP.columns.get(i).name(), i -> i));

    void bind(PreparedStatement ps, int ref, java.time.Instant polledAt, List<Object> values) throws SQLException {
        SqlRow r = new SqlRow(ps).integer(ref).time(polledAt);
        for (int i = 0; i < columns.size(); i++) {
            r.value(values.get(i), columns.get(i).kind());
        }
    }

    /** The values of a row read with latestSql, from column 2 on. */
    List<Object> read(ResultSet rs) throws SQLException {
        Object[] v = new Object[columns.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = SqlRow.read(rs, i + 2, columns.get(i).kind());
        }
        return values(v);
    }

    private static List<Object> values(Object... v) {
        return Collections.unmodifiableList(Arrays.asList(v));
    }

    private static java.time.Instant t(java.time.Instant i) {
        return SqlRow.micros(i);
    }

    private static String c(String s, int max) {
        return SqlRow.clip(s, max);
    }

    /**
     * The task's values as task_state stores them. An OMS task's processed and total records are those of its running
     * full transfer (OmsProjectMapper): they change at every poll of it, and stored here as well they would make a
     * task_state row per poll that repeats the step's row. So they are stored as null when they are the running full
     * transfer's (always, for OMS), and v_task_latest takes them from that step.
     */
    static List<Object> of(TaskSnapshot s) {
        TaskState t = s.task();
        StepSample.Throughput full = "oms".equalsIgnoreCase(s.provider()) ? runningFullTransfer(s.steps()) : null;
        boolean fromStep = full != null && java.util.Objects.equals(full.processedRecords(), t.processedRecords())
                && java.util.Objects.equals(full.capacity(), t.totalRecords());
        return of(t, fromStep);
    }

    /** The throughput of the first RUNNING step named FULL_TRANSFER, as v_task_latest finds it. */
    private static StepSample.Throughput runningFullTransfer(List<StepSample> steps) {
        return steps.stream().filter(st -> "FULL_TRANSFER".equalsIgnoreCase(st.stepName()) && st.status().name().equals("RUNNING"))
                .sorted(java.util.Comparator.comparing((StepSample st) -> st.stepOrder() == null ? Integer.MAX_VALUE : st.stepOrder())
                        .thenComparing(StepSample::stepKey))
                .findFirst().map(StepSample::throughput).orElse(null);
    }

    static List<Object> of(TaskState t) {
        return of(t, false);
    }

    private static List<Object> of(TaskState t, boolean recordsFromStep) {
        TaskState.BinlogPosition b = t.binlog();
        return values(c(t.rawStatus(), 100), t.status().name(), c(t.runningStep(), 100), t.progressPct(), t.delaySeconds(),
                t(t.delaySampledAt()), recordsFromStep ? null : t.processedRecords(), recordsFromStep ? null : t.totalRecords(),
                t.elapsedSeconds(), t.providerEtaSeconds(),
                t.retryCount(), t.maxRetryCount(), c(t.failedMessage(), 4000), b == null ? null : c(b.name(), 200),
                b == null ? null : b.position(), b == null ? null : c(b.gtid(), 4000), t(t.startedAt()), t(t.finishedAt()));
    }

    static List<Object> of(StepSample s) {
        StepSample.Throughput tp = s.throughput();
        StepSample.Incremental in = s.incremental();
        List<Object> v = new ArrayList<>(List.of(Boolean.TRUE));
        v.addAll(Arrays.asList(c(s.rawStatus(), 100), s.status().name(), s.progressPct(), t(s.startedAt()), t(s.finishedAt())));
        if (tp == null) {
            v.addAll(Collections.nCopies(11, null));
        } else {
            v.addAll(Arrays.asList(tp.processedRecords(), tp.capacity(), tp.srcRps(), tp.srcRtMs(), tp.srcIops(), tp.dstRps(),
                    tp.dstRtMs(), tp.dstIops(), tp.srcRpsRef(), tp.dstRpsRef(), tp.dstRtRef()));
        }
        if (in == null) {
            v.addAll(Collections.nCopies(5, null));
        } else {
            v.addAll(Arrays.asList(t(in.checkpointAt()), t(in.checkpointSampledAt()), in.delaySeconds(), in.delayMs(),
                    in.statisticsEnabled()));
        }
        v.add(c(s.errorCode(), 200));
        v.add(c(s.errorMessage(), 4000));
        return Collections.unmodifiableList(v);
    }

    static List<Object> of(ComponentSample k) {
        return values(Boolean.TRUE, c(k.rawStatus(), 100), k.status().name(), k.delaySeconds(), k.tps(), k.progressPct(),
                k.recordProgressPct(), k.consistentCount(), k.inconsistentCount(), t(k.checkpointAt()),
                t(k.checkpointSampledAt()), t(k.heartbeatAt()), c(k.errorMessage(), 4000));
    }

    /** The row that says a step or component is no longer in the provider's answer. */
    List<Object> absent() {
        Object[] v = new Object[columns.size()];
        v[0] = Boolean.FALSE;
        return values(v);
    }
}
