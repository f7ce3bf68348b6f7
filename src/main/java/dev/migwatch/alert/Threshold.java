package dev.migwatch.alert;

import java.time.Duration;
import java.time.Instant;

/**
 * A rule's threshold: a duration (delay-above: a delay; eta-after: that long from now) or a time (eta-after), as
 * written in migwatch.alerts.rules.<name>.threshold. NONE for the conditions that take none.
 */
public record Threshold(Duration duration, Instant at) {
    public static final Threshold NONE = new Threshold(null, null);

    public static Threshold of(Duration d) {
        return new Threshold(d, null);
    }

    public static Threshold of(Instant t) {
        return new Threshold(null, t);
    }

    /** eta-after: the time an ETA must not be after, now. */
    public Instant limit(Instant now) {
        return at != null ? at : duration == null ? null : now.plus(duration);
    }
}
