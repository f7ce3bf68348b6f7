package dev.migwatch.udts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskState;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.BadResponseException;
import dev.migwatch.provider.Json;
import dev.migwatch.provider.TaskContent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps a GetUDTSTaskStatus body. UDTS reports one status per task and no steps; the two phases it does report
 * (the full migration's Progress and the incremental sync's Sync/delays) become synthetic steps so that they chart
 * like the OMS and DTS steps.
 */
final class UdtsStatusMapper {
    static final String FULL_MIGRATION = "FULL_MIGRATION";
    static final String INCREMENTAL_SYNC = "INCREMENTAL_SYNC";

    private UdtsStatusMapper() {
    }

    static TaskContent map(ApiResponse response) throws BadResponseException {
        JsonNode root = Json.object(response);
        JsonNode data = root.get("Data");
        if (data == null || !data.isObject()) {
            // RetCode 0 without Data is no status at all; recording UNKNOWN would hide a broken answer
            throw new BadResponseException(UdtsAdapter.ACTION, "Data is " + (data == null ? "missing" : "not an object")
                    + " (RetCode=" + Json.text(root, "RetCode") + ")");
        }

        String rawStatus = Json.text(data, "Status");
        NormalizedStatus status = NormalizedStatus.of(rawStatus);
        JsonNode progress = object(data.get("Progress"));
        JsonNode sync = object(data.get("Sync"));
        Long curCount = Json.longValue(progress, "CurCount");
        Long totalCount = Json.longValue(progress, "TotalCount");
        Double percentage = Json.doubleValue(progress, "Percentage");
        Long delaySeconds = delaySeconds(progress);
        String failedMessage = Json.text(data, "FailedMessage");

        TaskState task = new TaskState(
                null, null,
                rawStatus, status,
                runningStep(rawStatus),
                percentage,
                delaySeconds,
                null,
                curCount, totalCount,
                Json.longValue(progress, "CurDuration"),
                Json.longValue(progress, "TotalDuration"),
                Json.intValue(data, "CurRetryCount"),
                Json.intValue(data, "MaxRetryCount"),
                failedMessage,
                binlog(sync),
                null, null, null,
                taskDetail(root));

        List<StepSample> steps = new ArrayList<>();
        if (progress != null && (positive(totalCount) || positive(curCount))) {
            boolean done = status == NormalizedStatus.FINISHED || percentage != null && percentage >= 100;
            steps.add(new StepSample(FULL_MIGRATION, null, 1, FULL_MIGRATION, null, rawStatus,
                    done ? NormalizedStatus.FINISHED : status, percentage, null, null,
                    new StepSample.Throughput(curCount, totalCount, null, null, null, null, null, null, null, null, null),
                    null, null, null, null));
        }
        boolean hasDelay = progress != null && (progress.hasNonNull("RedisDelayTime") || progress.hasNonNull("MongoDelayTime"));
        if (sync != null || hasDelay) {
            steps.add(new StepSample(INCREMENTAL_SYNC, null, 2, INCREMENTAL_SYNC, null, rawStatus, status, null, null, null,
                    null, new StepSample.Incremental(null, null, delaySeconds, null, null), null, null,
                    syncDetail(sync)));
        }

        List<ErrorEvent> errors = failedMessage == null ? List.of()
                : List.of(new ErrorEvent("RESPONSE", UdtsAdapter.ACTION, rawStatus, null, failedMessage, null, null, null));
        return new TaskContent(task, steps, List.of(), errors);
    }

    /** The phase a status word belongs to; Checking, Created, Done etc. are not inside a phase. */
    static String runningStep(String rawStatus) {
        String word = rawStatus == null ? "" : rawStatus.replaceAll("[^A-Za-z]", "").toLowerCase(Locale.ROOT);
        return switch (word) {
            case "dumping", "loading" -> FULL_MIGRATION;
            case "syncing", "synced" -> INCREMENTAL_SYNC;
            default -> null;
        };
    }

    /** Redis and Mongo sources report their delay in different fields; should both come, the worse one counts. */
    private static Long delaySeconds(JsonNode progress) {
        Long redis = Json.longValue(progress, "RedisDelayTime");
        Long mongo = Json.longValue(progress, "MongoDelayTime");
        return redis == null ? mongo : mongo == null ? redis : Long.valueOf(Math.max(redis, mongo));
    }

    private static TaskState.BinlogPosition binlog(JsonNode sync) {
        if (sync == null) {
            return null;
        }
        String name = Json.text(sync, "BinlogName");
        Long pos = Json.longValue(sync, "BinlogPos");
        String gtid = Json.text(sync, "BinlogGTID");
        return name == null && pos == null && gtid == null ? null : new TaskState.BinlogPosition(name, pos, gtid);
    }

    /**
     * What Sync says besides the binlog position. The position is the task's (task_state.binlog_name, binlog_pos,
     * binlog_gtid): it moves at every answer of a running sync, and a copy in the step's detail rewrote the step's row at
     * every poll. A value those columns cannot hold as sent (not a number, longer than the column) stays here.
     */
    private static String syncDetail(JsonNode sync) {
        if (sync == null) {
            return null;
        }
        ObjectNode rest = ((ObjectNode) sync).deepCopy();
        TaskState.BinlogPosition b = binlog(sync);
        if (b != null) {
            if (b.name() != null && b.name().length() <= 200 || sync.path("BinlogName").isNull()) {
                rest.remove("BinlogName");
            }
            if (b.position() != null || sync.path("BinlogPos").isNull()) {
                rest.remove("BinlogPos");
            }
            if (b.gtid() != null && b.gtid().length() <= 4000 || sync.path("BinlogGTID").isNull()) {
                rest.remove("BinlogGTID");
            }
        }
        return rest.isEmpty() ? null : rest.toString();
    }

    /**
     * A Redis or Mongo source's RedisOffsetSize and RedisDelayTime/MongoDelayTime are not kept here: a running sync
     * advances them at every answer, and a change of the task's detail writes a task state row (a row per poll). The
     * delay is the task's and the sync step's delay_seconds (the worse of the two); the offset, like a binlog position
     * without a column, stays in the raw answers for migwatch.retention.raw.
     */
    private static String taskDetail(JsonNode root) {
        ObjectNode detail = Json.MAPPER.createObjectNode();
        JsonNode action = root.get("Action");
        if (action != null && !action.isNull()) {
            detail.set("Action", action);
        }
        return detail.isEmpty() ? null : detail.toString();
    }

    /** Progress is empty for incremental-only tasks; an empty or non-object value counts as absent. */
    private static JsonNode object(JsonNode node) {
        return node == null || !node.isObject() || node.isEmpty() ? null : node;
    }

    private static boolean positive(Long v) {
        return v != null && v > 0;
    }
}
