package dev.migwatch.alert;

import dev.migwatch.source.Glob;

/**
 * Which tasks a rule watches: a glob for the source and one for the task, written {@code source/task}
 * ({@code prod-oms/*}, {@code *}{@code /np_4w3a1}, {@code *}{@code /orders-*}). The task glob matches the task id or its name.
 */
public record TaskPattern(Glob source, Glob task) {
    public static final TaskPattern ALL = new TaskPattern(Glob.of("*"), Glob.of("*"));

    public boolean matches(String sourceName, String taskId, String taskName) {
        return source.matches(sourceName) && (task.matches(taskId) || task.matches(taskName));
    }

    @Override
    public String toString() {
        return source + "/" + task;
    }
}
