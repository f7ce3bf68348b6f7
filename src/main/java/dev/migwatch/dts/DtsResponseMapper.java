package dev.migwatch.dts;

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
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Maps a ListJobStep body to the task, its steps (JobSteps and SubJobSteps as rows of their own) and errors.
 * DTS has no task-level status in this API, so the task's status is that of the step it is at.
 */
final class DtsResponseMapper {

    private DtsResponseMapper() {
    }

    static TaskContent map(ApiResponse response) throws BadResponseException {
        JsonNode root = Json.object(response);
        JsonNode jobSteps = root.get("JobSteps");
        if (jobSteps == null || !jobSteps.isArray()) {
            // a successful answer always has the array; without it there is nothing true to record
            throw new BadResponseException(DtsAdapter.ACTION, "JobSteps is " + (jobSteps == null ? "missing" : "not an array")
                    + " (Success=" + Json.text(root, "Success") + ")");
        }

        List<StepSample> steps = new ArrayList<>();
        List<ErrorEvent> errors = new ArrayList<>();
        List<StepSample> topLevel = new ArrayList<>();
        Long delaySeconds = null;
        Set<String> usedKeys = new HashSet<>();
        int position = 0;
        for (JsonNode step : jobSteps) {
            position++;
            if (!step.isObject()) {
                continue;
            }
            String key = unique(DtsStepMapper.key(step, null, position), usedKeys);
            DtsStepMapper.MappedStep mapped = DtsStepMapper.map(step, key, null);
            steps.add(mapped.sample());
            topLevel.add(mapped.sample());
            errors.addAll(mapped.errors());
            delaySeconds = max(delaySeconds, mapped.latencySeconds());

            JsonNode subSteps = step.get("SubJobSteps");
            if (subSteps != null && subSteps.isArray()) {
                int subPosition = 0;
                for (JsonNode sub : subSteps) {
                    subPosition++;
                    if (!sub.isObject()) {
                        continue;
                    }
                    String subKey = unique(DtsStepMapper.key(sub, key, subPosition), usedKeys);
                    DtsStepMapper.MappedStep subMapped = DtsStepMapper.map(sub, subKey, key);
                    steps.add(subMapped.sample());
                    errors.addAll(subMapped.errors());
                    delaySeconds = max(delaySeconds, subMapped.latencySeconds());
                }
            }
        }
        return new TaskContent(task(root, topLevel, delaySeconds), steps, List.of(), errors);
    }

    /**
     * The step the task is at: the first top-level step (in Serial order) that is not finished, or the last one
     * when all are. None when the job reports no steps: the status is then UNKNOWN rather than a guess.
     */
    static StepSample currentStep(List<StepSample> topLevel) {
        // stable sort: steps without a Serial keep their array order, after the numbered ones
        List<StepSample> ordered = topLevel.stream()
                .sorted(Comparator.comparing(StepSample::stepOrder, Comparator.nullsLast(Comparator.naturalOrder())))
                .toList();
        for (StepSample s : ordered) {
            if (s.status() != NormalizedStatus.FINISHED) {
                return s;
            }
        }
        return ordered.isEmpty() ? null : ordered.get(ordered.size() - 1);
    }

    private static TaskState task(JsonNode root, List<StepSample> topLevel, Long delaySeconds) {
        StepSample current = currentStep(topLevel);
        ObjectNode detail = Json.MAPPER.createObjectNode();
        for (String field : List.of("UseV2API", "HttpStatusCode", "Code")) {
            JsonNode v = root.get(field);
            if (v != null && !v.isNull()) {
                detail.set(field, v);
            }
        }
        return new TaskState(
                null, null,
                current == null ? null : current.rawStatus(),
                current == null ? NormalizedStatus.UNKNOWN : current.status(),
                current == null ? null : current.stepName(),
                current == null ? null : current.progressPct(),
                delaySeconds,
                null, null, null, null, null, null, null, null, null, null, null, null,
                detail.isEmpty() ? null : detail.toString());
    }

    /** step_key is part of the primary key: a repeated key (DTS never should send one) must not fail the whole cycle. */
    private static String unique(String key, Set<String> used) {
        String k = key;
        for (int n = 2; !used.add(k); n++) {
            k = key + "#" + n;
        }
        return k;
    }

    private static Long max(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
    }
}
