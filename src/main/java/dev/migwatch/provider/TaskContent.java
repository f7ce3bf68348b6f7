package dev.migwatch.provider;

import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskPart;
import dev.migwatch.history.TaskState;

import java.util.List;
import java.util.Set;

/**
 * What a provider's responses say about a task, once all of the cycle's calls succeeded.
 *
 * @param notReported parts the answers do not cover at all (a list entry has no components, say)
 */
public record TaskContent(TaskState task, List<StepSample> steps, List<ComponentSample> components, List<ErrorEvent> errors,
                          Set<TaskPart> notReported) {
    public TaskContent {
        notReported = Set.copyOf(notReported);
    }

    /** The content of a status cycle: it covers the whole task. */
    public TaskContent(TaskState task, List<StepSample> steps, List<ComponentSample> components, List<ErrorEvent> errors) {
        this(task, steps, components, errors, Set.of());
    }
}
