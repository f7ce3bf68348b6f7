package dev.migwatch.storage;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Deterministic snapshots for the storage tests: cycle n of a task always looks the same. */
final class Snapshots {
    static final Instant START = Instant.parse("2025-03-01T08:00:00.123456789Z");
    static final int CALLS = 2;
    static final int STEPS = 3;
    static final int COMPONENTS = 2;
    static final int ERRORS = 2;
    static final int BODIES = 2;

    private Snapshots() {
    }

    static String cycleId(String taskId, int n) {
        return UUID.nameUUIDFromBytes((taskId + "/" + n).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static Instant polledAt(int n) {
        return START.plus(Duration.ofSeconds(30L * n));
    }

    /** A successful cycle with every record and nested record filled in. */
    static TaskSnapshot full(String taskId, int n) {
        Instant at = polledAt(n);
        TaskState task = new TaskState("task " + taskId, "MIGRATION", "RUNNING", NormalizedStatus.RUNNING, "INCR_SYNC",
                42.5 + n, 3L, at.minusSeconds(1), 1_000L * n, 1_000_000L, 600L + n, 7200L, 1, 3, null,
                new TaskState.BinlogPosition("mysql-bin.000042", 4711L + n, "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-" + n),
                START.minus(Duration.ofDays(1)), START.minus(Duration.ofHours(2)), null, "{\"k\":\"v\\u00e9\"}");
        List<StepSample> steps = List.of(
                new StepSample("FULL_TRANSFER", null, 1, "Full transfer", "full data", "FINISHED", NormalizedStatus.FINISHED,
                        100.0, START.minusSeconds(3600), START.minusSeconds(60),
                        new StepSample.Throughput(123_456L, 9_999L, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5),
                        null, null, null, "{\"x\":1}"),
                new StepSample("INCR_SYNC", null, 2, "Incremental", null, "RUNNING", NormalizedStatus.RUNNING, null,
                        START.minusSeconds(60), null, null,
                        new StepSample.Incremental(at.minusSeconds(3), at, 3L, 3_000L, true), null, null, null),
                new StepSample("INCR_SYNC/sub-" + n % 2, "INCR_SYNC", 3, "Sub step", null, "Failed", NormalizedStatus.FAILED,
                        12.0, null, null, null, null, "E42", "it broke: \"quoted\" \n newline", null));
        List<ComponentSample> components = List.of(
                new ComponentSample("STORE", "store-1", "RUNNING", NormalizedStatus.RUNNING, "10.0.0.1", "cn-hangzhou", "id-1",
                        "topic", "sub", 2L, 1234.5, 55.0, 56.0, 10L, 0L, at.minusSeconds(2), at, at, null, "{}"),
                new ComponentSample("INCR_SYNC", "sync-1", null, NormalizedStatus.UNKNOWN, null, null, null, null, null,
                        null, null, null, null, null, null, null, null, null, "oops", null));
        List<ErrorEvent> errors = List.of(
                new ErrorEvent("STEP", "INCR_SYNC/sub-" + n % 2, "E42", "ERROR", "it broke", "disk", "add disk", "{\"c\":\"E42\"}"),
                new ErrorEvent("RESPONSE", null, null, null, null, null, null, null));
        List<ApiCall> calls = List.of(
                new ApiCall("DescribeProject", 1, at, 120, 200, "req-" + n, "OK", null, null),
                new ApiCall("DescribeProjectSteps", 1, at.plusMillis(130), 90, 200, null, "OK", null, null));
        List<RawBody> bodies = List.of(
                new RawBody("DescribeProject", "hash-a-" + n, "application/json", "{\"Data\":{\"n\":" + n + "}}"),
                new RawBody("DescribeProjectSteps", "hash-b-" + n, null, "{\"Data\":[]}"));
        return new TaskSnapshot(cycleId(taskId, n), "src-" + taskId, "oms", taskId, at, task, steps, components, errors,
                calls, bodies);
    }

    /** A cycle whose calls failed: only its calls are kept. */
    static TaskSnapshot failed(String taskId, int n) {
        Instant at = polledAt(n);
        return TaskSnapshot.failed(cycleId(taskId, n), "src-" + taskId, "oms", taskId, at,
                List.of(new ApiCall("DescribeProject", 1, at, 5000, null, null, "TIMEOUT", "SocketTimeoutException", "read timed out"),
                        new ApiCall("DescribeProject", 2, at.plusSeconds(6), 3, 503, "r", "ERROR", "ServiceUnavailable", null)),
                List.of());
    }

    /** A snapshot the database refuses for good: two steps with the same key break step_sample's primary key. */
    static TaskSnapshot bad(String taskId, int n) {
        TaskSnapshot s = full(taskId, n);
        return new TaskSnapshot(s.cycleId(), s.source(), s.provider(), s.taskId(), s.polledAt(), s.task(),
                List.of(s.steps().get(0), s.steps().get(0)), s.components(), s.errors(), s.calls(), s.rawBodies());
    }
}
