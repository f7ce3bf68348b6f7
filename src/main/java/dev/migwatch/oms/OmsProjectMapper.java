package dev.migwatch.oms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskState;
import dev.migwatch.provider.Json;

import java.util.List;

/** Maps DescribeProject.Data to the task row. */
final class OmsProjectMapper {
    /** Small, non-charted project facts kept in detail_json; the big structures (TransferMapping, configs) stay in the raw body. */
    private static final List<String> DETAIL_FIELDS = List.of("Labels", "Importance", "Owner", "SourceEndpointType",
            "SinkEndpointType", "AlarmStats");
    /**
     * ExtraInfo parts that can hold a row per table and column: already in the raw body, too big to repeat per poll; the
     * figures the task's columns hold, which change while the task runs (a copy here would rewrite the task's row); and
     * IncrSyncTimestamp, the incremental sync's checkpoint, which advances at every answer in incremental sync: the
     * INCR_TRANSFER step's checkpoint_at (StepInfo.incrTimestampCheckpoint) charts it, the raw answers keep it as sent.
     */
    private static final List<String> EXTRA_INFO_DROPPED = List.of("SubDbs", "SubConds", "RunningStep", "RunningProgress",
            "SyncDelay", "SyncDelaySampleTimestamp", "IncrSyncTimestamp");

    private OmsProjectMapper() {
    }

    /**
     * @param steps the task's steps, already mapped: the row counts of the task come from the running full transfer
     */
    static TaskState map(JsonNode data, List<StepSample> steps) {
        JsonNode extra = data.get("ExtraInfo");
        String rawStatus = Json.text(data, "Status");
        StepSample.Throughput full = runningFullTransfer(steps);
        return new TaskState(Json.text(data, "Name"), Json.text(data, "Type"), rawStatus, NormalizedStatus.of(rawStatus),
                Json.text(extra, "RunningStep"), Json.doubleValue(extra, "RunningProgress"),
                Json.longValue(extra, "SyncDelay"), Json.instant(extra, "SyncDelaySampleTimestamp"),
                full == null ? null : full.processedRecords(), full == null ? null : full.capacity(),
                null, null, null, null, null, null,
                Json.instant(data, "GmtCreate"), Json.instant(data, "GmtStart"), Json.instant(data, "GmtFinish"),
                detail(data, extra));
    }

    private static StepSample.Throughput runningFullTransfer(List<StepSample> steps) {
        return steps.stream()
                .filter(s -> OmsStepMapper.FULL_TRANSFER.equalsIgnoreCase(s.stepName()))
                .filter(s -> s.status() == NormalizedStatus.RUNNING && s.throughput() != null)
                .map(StepSample::throughput)
                .findFirst().orElse(null);
    }

    private static String detail(JsonNode data, JsonNode extra) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        for (String field : DETAIL_FIELDS) {
            JsonNode v = data.get(field);
            if (v != null && !v.isNull()) {
                d.set(field, v);
            }
        }
        JsonNode grade = data.path("WorkerGradeInfo").get("Grade");
        if (grade != null && !grade.isNull()) {
            d.set("WorkerGradeInfo", Json.MAPPER.createObjectNode().set("Grade", grade));
        }
        if (extra != null && extra.isObject()) {
            ObjectNode rest = extra.deepCopy();
            rest.remove(EXTRA_INFO_DROPPED);
            d.set("ExtraInfo", rest);
        }
        return d.isEmpty() ? null : Json.json(d);
    }
}
