package dev.migwatch.history;

import java.time.Instant;
import java.util.List;

/**
 * Everything one poll cycle of one task produced: the API calls made (always), and, when every call
 * succeeded, the task's state, steps, components and reported errors. A failed cycle carries only its
 * calls and raw bodies, so it can never leave partial step or component rows behind.
 *
 * @param cycleId unique id of the cycle; the primary key that makes re-writing a cycle a no-op
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
        List<RawBody> rawBodies) {

    public TaskSnapshot {
        steps = List.copyOf(steps);
        components = List.copyOf(components);
        errors = List.copyOf(errors);
        calls = List.copyOf(calls);
        rawBodies = List.copyOf(rawBodies);
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
}
