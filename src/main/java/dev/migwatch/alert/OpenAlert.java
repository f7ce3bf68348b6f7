package dev.migwatch.alert;

import java.time.Instant;

/** An alert that is PENDING or FIRING, as stored: what the next evaluation moves on. */
public record OpenAlert(long id, String rule, String source, String taskId, AlertState state, Instant since,
                        Instant notifiedAt, String value, String message) {
    /** rule, source and task: one open alert per rule and task at a time. */
    public String key() {
        return key(rule, source, taskId);
    }

    static String key(String rule, String source, String taskId) {
        return rule + '\u0000' + source + '\u0000' + taskId;
    }
}
