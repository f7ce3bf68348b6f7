package dev.migwatch.alert;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One notification of one alert to one channel, with everything its message says.
 *
 * @param at  when the alert changed (the notification was made)
 * @param url the task's dashboard page, null without migwatch.alerts.dashboard-url
 */
public record Notification(long id, long alertId, String channel, NotificationKind kind, String rule, String source,
                           String provider, String taskId, String taskName, AlertCondition condition, String value,
                           String threshold, Instant since, Instant at, String message, String url) {

    public AlertState state() {
        return kind.state();
    }

    /** The fields of the json format, in this order (README, "Alerts"). */
    public Map<String, Object> fields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", rule);
        m.put("state", state().name());
        m.put("source", source);
        m.put("provider", provider);
        m.put("taskId", taskId);
        m.put("taskName", taskName);
        m.put("condition", condition.id());
        m.put("value", value);
        m.put("threshold", threshold);
        m.put("since", since == null ? null : since.toString());
        m.put("message", message);
        m.put("url", url);
        return m;
    }

    /** source/taskId, and the name when it differs. */
    public String taskLabel() {
        return source + "/" + taskId + (taskName != null && !taskName.equals(taskId) ? " (" + taskName + ")" : "");
    }
}
