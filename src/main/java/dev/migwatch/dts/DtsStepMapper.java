package dev.migwatch.dts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.provider.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Maps one DTS {@code JobStep} or {@code SubJobStep} object of ListJobStep to a {@link StepSample} and the
 * errors it reports. The two shapes are the same except that sub-steps send IncLatencyMilliseconds as a string,
 * which {@link Json#longValue} reads either way.
 */
final class DtsStepMapper {
    static final String ORIGIN_STEP = "STEP";
    static final String ORIGIN_SUB_STEP = "SUB_STEP";

    /** Fields that land in their own columns (or rows, for SubJobSteps); everything else goes to detail_json. */
    private static final Set<String> MAPPED = Set.of("JobStepId", "JobStepName", "Code", "Serial", "Progress", "State",
            "ErrMsg", "BootTime", "FinishTime", "IncLatencySeconds", "IncLatencyMilliseconds", "SubJobSteps");
    /**
     * The step's modification time: DTS advances it at every answer while the step runs (an incremental step runs for
     * good), so kept in the detail it rewrote the step's row at every poll; it is in the raw answers
     * (migwatch.retention.raw) like everything DTS sent.
     */
    private static final String MODIFIED = "ModifyTime";

    private DtsStepMapper() {
    }

    /**
     * One mapped step.
     *
     * @param latencySeconds the applicable IncLatencySeconds (never negative), for the task's overall delay
     */
    record MappedStep(StepSample sample, Long latencySeconds, List<ErrorEvent> errors) {
    }

    /**
     * @param key       the step's key, from {@link #key}, made unique within the task by the caller
     * @param parentKey the owning step's key for a SubJobStep, null for a JobStep
     */
    static MappedStep map(JsonNode step, String key, String parentKey) {
        String rawState = Json.text(step, "State");
        Long latencySeconds = nonNegative(Json.longValue(step, "IncLatencySeconds"));
        Long latencyMs = nonNegative(Json.longValue(step, "IncLatencyMilliseconds"));
        StepSample.Incremental incremental = latencySeconds == null && latencyMs == null
                ? null
                : new StepSample.Incremental(null, null, latencySeconds, latencyMs, null);

        List<JsonNode> failures = failedErrorDetails(step.get("ErrorDetails"));
        String errMsg = Json.text(step, "ErrMsg");
        String errorCode = failures.isEmpty() ? null : Json.text(failures.get(0), "ErrorCode");

        StepSample sample = new StepSample(
                key,
                parentKey,
                Json.intValue(step, "Serial"),
                Json.text(step, "JobStepName"),
                Json.text(step, "Code"),
                rawState,
                NormalizedStatus.of(rawState),
                Json.doubleValue(step, "Progress"),
                Json.instant(step, "BootTime"),
                Json.instant(step, "FinishTime"),
                null,
                incremental,
                errorCode,
                errMsg,
                detail(step));
        return new MappedStep(sample, latencySeconds, errors(parentKey == null ? ORIGIN_STEP : ORIGIN_SUB_STEP, key, errMsg, failures));
    }

    /**
     * The step's key: its JobStepId. Without one, top-level steps fall back to Code (DTS's step identifier, "01"
     * for the precheck), then Serial; sub-steps to the parent's key plus their Serial, so they cannot collide with
     * a top-level step's Code. {@code position} (1-based) is the last resort so the key is never null.
     */
    static String key(JsonNode step, String parentKey, int position) {
        String id = Json.text(step, "JobStepId");
        if (id != null) {
            return id;
        }
        Integer serial = Json.intValue(step, "Serial");
        String serialText = serial != null ? serial.toString() : "#" + position;
        if (parentKey != null) {
            return parentKey + "/" + serialText;
        }
        String code = Json.text(step, "Code");
        return code != null ? code : serialText;
    }

    /**
     * One event per ErrorDetails entry that is not a success code, each carrying ErrMsg; an ErrMsg with no such
     * entry becomes one event without a code. ErrMsg is not recorded a second time beside the entries, so one
     * failing step does not count as two errors.
     */
    private static List<ErrorEvent> errors(String origin, String key, String errMsg, List<JsonNode> failures) {
        List<ErrorEvent> events = new ArrayList<>();
        for (JsonNode f : failures) {
            events.add(new ErrorEvent(origin, key, Json.text(f, "ErrorCode"), null, errMsg, null, null, Json.json(f)));
        }
        if (events.isEmpty() && errMsg != null) {
            events.add(new ErrorEvent(origin, key, null, null, errMsg, null, null, null));
        }
        return events;
    }

    /** ErrorDetails entries whose ErrorCode is not "200"/"Success": DTS lists successes in the same array. */
    private static List<JsonNode> failedErrorDetails(JsonNode details) {
        List<JsonNode> failed = new ArrayList<>();
        if (details == null || details.isNull()) {
            return failed;
        }
        // the documented shape is an array; a single object (as the XML form could produce) is read as one entry
        Iterable<JsonNode> entries = details.isArray() ? details : List.of(details);
        for (JsonNode d : entries) {
            if (!d.isObject()) {
                continue;
            }
            String code = Json.text(d, "ErrorCode");
            if (code != null && !isSuccessCode(code)) {
                failed.add(d);
            }
        }
        return failed;
    }

    static boolean isSuccessCode(String code) {
        String c = code.trim().toLowerCase(Locale.ROOT);
        return c.equals("200") || c.equals("success");
    }

    /** -1 is DTS's "not applicable" for the latencies; no negative latency is a real measurement. */
    private static Long nonNegative(Long v) {
        return v == null || v < 0 ? null : v;
    }

    /** The step's fields that have no column (SubJobCount, CreateTime, NeedAcceleration, ErrorDetails...). */
    private static String detail(JsonNode step) {
        if (!step.isObject()) {
            return null;
        }
        ObjectNode rest = ((ObjectNode) step).deepCopy();
        rest.remove(MAPPED);
        rest.remove(MODIFIED);
        return rest.isEmpty() ? null : rest.toString();
    }
}
