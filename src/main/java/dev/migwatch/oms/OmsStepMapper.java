package dev.migwatch.oms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.provider.Json;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Maps the step array of DescribeProjectSteps (or DescribeProject.Data.Steps, same shape) to step samples. */
final class OmsStepMapper {
    static final String FULL_TRANSFER = "FULL_TRANSFER";
    static final String FULL_VERIFIER = "FULL_VERIFIER";
    static final String INCR_TRANSFER = "INCR_TRANSFER";
    static final String TRANSFER_APP_SWITCH = "TRANSFER_APP_SWITCH";

    /** ExtraInfo fields that have their own column or error rows; the rest of ExtraInfo goes to detail_json. */
    private static final Set<String> EXTRA_INFO_MAPPED = Set.of("ErrorDetails", "ErrorCode", "ErrorMsg");
    /** StepInfo fields of a full data step that have their own column (throughput); the rest goes to detail_json. */
    private static final Set<String> THROUGHPUT_MAPPED = Set.of("processedRecords", "capacity", "srcRps", "srcRt", "srcIops",
            "dstRps", "dstRt", "dstIops", "srcRpsRef", "dstRpsRef", "dstRtRef");
    /** StepInfo fields of an incremental step that have their own column. */
    private static final Set<String> INCREMENTAL_MAPPED = Set.of("incrTimestampCheckpoint", "checkpointSampleTimestamp",
            "enableIncrStatistics");

    private OmsStepMapper() {
    }

    static List<StepSample> map(JsonNode steps, List<ErrorEvent> errors) {
        if (steps == null || !steps.isArray()) {
            return List.of();
        }
        List<StepSample> out = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        int index = 0;
        for (JsonNode step : steps) {
            index++;
            if (!step.isObject()) {
                continue;
            }
            StepSample sample = step(step, uniqueKey(step, index, keys));
            out.add(sample);
            OmsErrors.collect(OmsErrors.STEP, sample.stepKey(), step.path("ExtraInfo").get("ErrorDetails"), errors);
        }
        return out;
    }

    private static StepSample step(JsonNode step, String key) {
        String name = Json.text(step, "Name");
        String rawStatus = Json.text(step, "Status");
        JsonNode info = step.get("StepInfo");
        JsonNode extra = step.get("ExtraInfo");
        String kind = name == null ? "" : name.toUpperCase(Locale.ROOT);
        boolean full = kind.equals(FULL_TRANSFER) || kind.equals(FULL_VERIFIER);
        boolean incr = kind.equals(INCR_TRANSFER) || kind.equals(TRANSFER_APP_SWITCH);
        return new StepSample(key, null, Json.intValue(step, "Order"), name, Json.text(step, "Description"),
                rawStatus, NormalizedStatus.of(rawStatus), Json.doubleValue(step, "Progress"),
                Json.instant(step, "StartTime"), Json.instant(step, "FinishTime"),
                full ? throughput(info) : null, incr ? incremental(info) : null,
                Json.text(extra, "ErrorCode"), Json.text(extra, "ErrorMsg"),
                detail(info, full ? THROUGHPUT_MAPPED : incr ? INCREMENTAL_MAPPED : Set.of(), extra));
    }

    /** The step name is the key (unique in OMS); a nameless or repeated step still needs a distinct primary key. */
    private static String uniqueKey(JsonNode step, int index, Set<String> taken) {
        String name = Json.text(step, "Name");
        Integer order = Json.intValue(step, "Order");
        String base = name != null ? name : "STEP_" + (order != null ? order : index);
        String key = base;
        for (int n = 2; !taken.add(key); n++) {
            key = base + "#" + n;
        }
        return key;
    }

    static StepSample.Throughput throughput(JsonNode info) {
        if (info == null || !info.isObject()) {
            return null;
        }
        // srcRt is documented as string in one place and long in another: every figure is read leniently
        return new StepSample.Throughput(Json.longValue(info, "processedRecords"), Json.longValue(info, "capacity"),
                Json.doubleValue(info, "srcRps"), Json.doubleValue(info, "srcRt"), Json.doubleValue(info, "srcIops"),
                Json.doubleValue(info, "dstRps"), Json.doubleValue(info, "dstRt"), Json.doubleValue(info, "dstIops"),
                Json.doubleValue(info, "srcRpsRef"), Json.doubleValue(info, "dstRpsRef"), Json.doubleValue(info, "dstRtRef"));
    }

    static StepSample.Incremental incremental(JsonNode info) {
        if (info == null || !info.isObject()) {
            return null;
        }
        Instant checkpoint = Json.instant(info, "incrTimestampCheckpoint");
        Instant sampled = Json.instant(info, "checkpointSampleTimestamp");
        // OMS reports no step delay of its own; the gap between sampling and checkpoint is what it shows as delay
        Long delay = checkpoint != null && sampled != null ? Duration.between(checkpoint, sampled).getSeconds() : null;
        return new StepSample.Incremental(checkpoint, sampled, delay, null, Json.bool(info, "enableIncrStatistics"));
    }

    /**
     * The step's facts that have no column. Not the figures its columns hold: those change at every poll of a running
     * step, and a copy of them here would rewrite the step's row at every poll (the values are in the state rows, their
     * text as sent in the raw answers).
     */
    private static String detail(JsonNode info, Set<String> mapped, JsonNode extra) {
        ObjectNode d = Json.MAPPER.createObjectNode();
        if (info != null && info.isObject()) {
            ObjectNode rest = info.deepCopy();
            rest.remove(mapped);
            if (!rest.isEmpty()) {
                d.set("StepInfo", rest);
            }
        } else if (info != null && !info.isNull()) {
            d.set("StepInfo", info);
        }
        if (extra != null && extra.isObject()) {
            ObjectNode rest = extra.deepCopy();
            rest.remove(EXTRA_INFO_MAPPED);
            if (!rest.isEmpty()) {
                d.set("ExtraInfo", rest);
            }
        }
        return d.isEmpty() ? null : Json.json(d);
    }
}
