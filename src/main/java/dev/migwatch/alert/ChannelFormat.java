package dev.migwatch.alert;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How a notification is written for its channel (migwatch.alerts.channels.<name>.format). */
public enum ChannelFormat {
    /** A JSON object with the alert's fields, for a webhook of one's own. */
    JSON,
    /** A DingTalk custom robot's markdown message, signed when the robot has a secret. */
    DINGTALK,
    /** A Slack incoming webhook's message. */
    SLACK,
    /** A plain-text mail with a subject (camel-mail). */
    EMAIL;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ChannelFormat> parse(String text) {
        return Arrays.stream(values()).filter(f -> f.id().equalsIgnoreCase(text == null ? "" : text.trim())).findFirst();
    }
}
