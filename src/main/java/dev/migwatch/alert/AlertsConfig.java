package dev.migwatch.alert;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every migwatch.alerts.* setting, checked.
 *
 * @param dashboardUrl where the dashboard is, for the {@code url} of a notification (the task's page); null: no url
 * @param interval     how often the rules are evaluated against the history
 * @param retries      how many times a notification a channel did not take is sent again
 * @param backoff      the wait before the first retry; it doubles at each further one
 */
public record AlertsConfig(List<AlertRule> rules, Map<String, AlertChannel> channels, String dashboardUrl, Duration interval,
                           int retries, Duration backoff) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 3;
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(5);

    public AlertsConfig {
        rules = List.copyOf(rules);
        channels = Map.copyOf(channels);
    }

    public static AlertsConfig none() {
        return new AlertsConfig(List.of(), Map.of(), null, DEFAULT_INTERVAL, DEFAULT_RETRIES, DEFAULT_BACKOFF);
    }

    /** The url of a task's dashboard page: the dashboard's own link (app.js, #/task/source/taskId); null without a dashboard-url. */
    public String taskUrl(String source, String taskId) {
        if (dashboardUrl == null) {
            return null;
        }
        String base = dashboardUrl.contains("#") ? dashboardUrl.substring(0, dashboardUrl.indexOf('#')) : dashboardUrl;
        return base + "#/task/" + encode(source) + "/" + encode(taskId);
    }

    private static String encode(String s) {
        // encodeURIComponent, as app.js builds the same link
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
