package dev.migwatch.history;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Everything one poll cycle of one task produced: the API calls made (always), and, when every call
 * succeeded, the task's state, steps, components and reported errors. A failed cycle carries only its
 * calls and raw bodies, so it can never leave partial step or component rows behind.
 *
 * @param cycleId     unique id of the cycle; the primary key that makes re-writing a cycle a no-op
 * @param notReported parts of the task the answers did not cover (a list answer recorded for an idle task): they stay
 *                    as stored, instead of being marked absent
 */
public record TaskSnapshot(
        String cycleId,
        String source,
        String provider,
        String taskId,
        Instant polledAt,
        TaskState task,
        List<StepSample> steps,
        List<ComponentSample> components,
        List<ErrorEvent> errors,
        List<ApiCall> calls,
        List<RawBody> rawBodies,
        Set<TaskPart> notReported) {

    public TaskSnapshot {
        steps = List.copyOf(steps);
        components = List.copyOf(components);
        errors = List.copyOf(errors);
        calls = List.copyOf(calls);
        rawBodies = List.copyOf(rawBodies);
        // journal entries written before the field existed read as null: they reported everything
        notReported = notReported == null ? Set.of() : Set.copyOf(notReported);
    }

    /** A cycle whose answers covered the whole task. */
    public TaskSnapshot(String cycleId, String source, String provider, String taskId, Instant polledAt, TaskState task,
                        List<StepSample> steps, List<ComponentSample> components, List<ErrorEvent> errors, List<ApiCall> calls,
                        List<RawBody> rawBodies) {
        this(cycleId, source, provider, taskId, polledAt, task, steps, components, errors, calls, rawBodies, Set.of());
    }

    /** A cycle whose calls did not all succeed: only the poll log and the bodies are kept. */
    public static TaskSnapshot failed(String cycleId, String source, String provider, String taskId, Instant polledAt,
                                      List<ApiCall> calls, List<RawBody> rawBodies) {
        return new TaskSnapshot(cycleId, source, provider, taskId, polledAt, null, List.of(), List.of(), List.of(),
                calls, rawBodies);
    }

    public boolean succeeded() {
        return task != null;
    }

    /** The cycle's outcome as the poll log and the metrics count it: OK, or the outcome of the call that decided it. */
    public String outcome() {
        ApiCall decisive = decisiveCall();
        return decisive == null ? "OK" : decisive.outcome();
    }

    /** The first API whose last attempt failed, that last attempt; null when every call succeeded. */
    public ApiCall decisiveCall() {
        if (succeeded()) {
            return null;
        }
        java.util.Map<String, ApiCall> last = new java.util.LinkedHashMap<>();
        for (ApiCall a : calls) {
            last.merge(a.api(), a, (x, y) -> y.attempt() >= x.attempt() ? y : x);
        }
        for (ApiCall a : last.values()) {
            if (!a.ok()) {
                return a;
            }
        }
        // the calls made succeeded, yet the cycle failed: an API it needed was not called or not answered
        return new ApiCall("cycle", 0, polledAt, 0, null, null, "ERROR", "Incomplete",
                last.isEmpty() ? "no call was made" : "not every API of the cycle answered");
    }
}
