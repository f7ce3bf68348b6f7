package dev.migwatch.alert;

import java.time.Duration;
import java.util.List;

/**
 * One migwatch.alerts.rules.<name> block.
 *
 * @param pendingFor how long the condition must hold before the alert fires (the rule's {@code for}; zero: at once)
 * @param tasks      the tasks it watches (default: all of them)
 * @param channels   where its notifications go, by channel name (none: alerts are only recorded)
 * @param repeat     how often a firing alert is notified again; null: never
 */
public record AlertRule(String name, AlertCondition condition, Threshold threshold, Duration pendingFor,
                        List<TaskPattern> tasks, List<String> channels, Duration repeat) {
    public AlertRule {
        tasks = List.copyOf(tasks);
        channels = List.copyOf(channels);
    }

    public boolean covers(String source, String taskId, String taskName) {
        return tasks.stream().anyMatch(p -> p.matches(source, taskId, taskName));
    }
}
