package dev.migwatch.poll;

import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskState;

import java.util.List;

/** What a provider's responses say about a task, once all of the cycle's calls succeeded. */
public record TaskContent(TaskState task, List<StepSample> steps, List<ComponentSample> components, List<ErrorEvent> errors) {
}
