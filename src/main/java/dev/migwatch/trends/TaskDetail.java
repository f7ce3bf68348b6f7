package dev.migwatch.trends;

import java.util.List;

/** A task with its steps and components as of the newest poll. */
public record TaskDetail(TaskView task, List<StepRow> steps, List<ComponentRow> components) {
}
