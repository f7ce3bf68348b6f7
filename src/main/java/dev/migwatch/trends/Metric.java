package dev.migwatch.trends;

import java.util.Locale;
import java.util.Optional;

/** The charted measures. */
public enum Metric {
    /** step progress percent (provider's, else processed/capacity) */
    PROGRESS,
    /** processed records of full steps */
    PROCESSED,
    /** source and destination rows per second of full steps */
    RPS,
    /** incremental delay in seconds, per task and per step */
    DELAY,
    /** OMS component transactions per second */
    TPS;

    public static Optional<Metric> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (Metric m : values()) {
            if (m.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
