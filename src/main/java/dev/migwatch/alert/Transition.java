package dev.migwatch.alert;

import java.time.Instant;
import java.util.List;

/**
 * What one evaluation does to one alert: open it (alertId null), move it on, or only refresh its value and message.
 *
 * @param state    the alert's state after this evaluation
 * @param since    since when its condition holds (kept from when it was opened)
 * @param fired    it fires now (fired_at is set)
 * @param notice   the notification it sends now, one per channel, or null
 * @param channels the rule's channels at this evaluation
 */
public record Transition(Long alertId, String rule, AlertCondition condition, String source, String taskId, AlertState state,
                         Instant since, boolean fired, NotificationKind notice, List<String> channels, Reading reading) {
    public Transition {
        channels = List.copyOf(channels);
    }
}
