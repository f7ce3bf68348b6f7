package dev.migwatch.oms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.provider.Json;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Maps DescribeProjectComponents.Data (six lists of components, any of which may be missing or null). */
final class OmsComponentMapper {
    /** component_sample.kind → the list in Data that holds that kind. */
    static final Map<String, String> LISTS = kinds();

    /** Fields that land in their own column (or in task_error); everything else goes to detail_json. */
    private static final Set<String> MAPPED = Set.of("Name", "Status", "Ip", "Region", "Identity", "Topic", "Subtopic",
            "Delay", "Tps", "Progress", "RecordProgress", "ConsistentQuantity", "InconsistentQuantity",
            "LatelyHeartbeatTimeSec", "ErrMsg", "ErrorDetails");
    /**
     * The checkpoint and when OMS sampled it: Checkpoint and CheckpointSampleTimestamp of a sync component; of a store
     * (StoreList, ReverseStoreList) its "end safe checkpoint" EndCheckpoint and Gmt ("checkpoint sampling time", Unix
     * seconds). They advance at every answer: state columns (checkpoint_at, checkpoint_sampled_at), not detail.
     */
    private static final String[] CHECKPOINT = {"Checkpoint", "CheckpointSampleTimestamp"};
    private static final String[] STORE_CHECKPOINT = {"EndCheckpoint", "Gmt"};
    /**
     * The time OMS last updated the component's record (GmtModified in the store lists, GmtModify in the others): it
     * advances at every answer and says nothing the poll's own time does not. Kept in the detail it rewrote the component's
     * row at every poll; it is in the raw answers (migwatch.retention.raw) like everything the provider sent.
     */
    private static final Set<String> MODIFIED = Set.of("GmtModified", "GmtModify");

    private OmsComponentMapper() {
    }

    private static Map<String, String> kinds() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("STORE", "StoreList");
        m.put("REVERSE_STORE", "ReverseStoreList");
        m.put("FULL_VERIFY", "FullVerifyComponents");
        m.put("FULL_IMPORT", "FullImportComponents");
        m.put("INCR_SYNC", "IncrSyncComponents");
        m.put("REVERSE_INCR_SYNC", "ReverseIncrSyncComponents");
        return Collections.unmodifiableMap(m); // keeps the documented order, so rows come out in a stable order
    }

    static List<ComponentSample> map(JsonNode data, List<ErrorEvent> errors) {
        if (data == null || !data.isObject()) {
            return List.of();
        }
        List<ComponentSample> out = new ArrayList<>();
        LISTS.forEach((kind, field) -> {
            JsonNode list = data.get(field);
            if (list == null || !list.isArray()) {
                return;
            }
            Set<String> names = new HashSet<>();
            int index = 0;
            for (JsonNode c : list) {
                index++;
                if (!c.isObject()) {
                    continue;
                }
                ComponentSample sample = component(kind, uniqueName(kind, c, index, names), c);
                out.add(sample);
                OmsErrors.collect(OmsErrors.COMPONENT, sample.name(), c.get("ErrorDetails"), errors);
            }
        });
        return out;
    }

    private static ComponentSample component(String kind, String name, JsonNode c) {
        String rawStatus = Json.text(c, "Status");
        // the rest: ports, connection count, BeginCheckpoint, creation time, ToSwitch, Subtopics, TaskId, and any new field
        ObjectNode rest = ((ObjectNode) c).deepCopy();
        rest.remove(MAPPED);
        rest.remove(MODIFIED);
        String[] fields = kind.endsWith("STORE") ? STORE_CHECKPOINT : CHECKPOINT;
        Instant checkpoint = time(c, fields[0], rest);
        Instant sampled = time(c, fields[1], rest);
        return new ComponentSample(kind, name, rawStatus, NormalizedStatus.of(rawStatus),
                Json.text(c, "Ip"), Json.text(c, "Region"), Json.text(c, "Identity"),
                Json.text(c, "Topic"), Json.text(c, "Subtopic"),
                Json.longValue(c, "Delay"), Json.doubleValue(c, "Tps"),
                Json.doubleValue(c, "Progress"), Json.doubleValue(c, "RecordProgress"),
                Json.longValue(c, "ConsistentQuantity"), Json.longValue(c, "InconsistentQuantity"),
                checkpoint, sampled, Json.instant(c, "LatelyHeartbeatTimeSec"), Json.text(c, "ErrMsg"),
                rest.isEmpty() ? null : Json.json(rest));
    }

    /** A time that has its column; a value that is no time stays in the detail as sent rather than be lost as a null. */
    private static Instant time(JsonNode c, String field, ObjectNode rest) {
        Instant t = Json.instant(c, field);
        if (t != null || c.path(field).isNull()) {
            rest.remove(field);
        }
        return t;
    }

    /** name is part of the primary key: a nameless or repeated component still needs a distinct one. */
    private static String uniqueName(String kind, JsonNode c, int index, Set<String> taken) {
        String name = Json.text(c, "Name");
        String base = name != null ? name : kind + "#" + index;
        String key = base;
        for (int n = 2; !taken.add(key); n++) {
            key = base + "#" + n;
        }
        return key;
    }
}
