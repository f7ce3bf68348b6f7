package dev.migwatch.alert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Keeps the alert tables from growing for as long as migwatch runs (migwatch.retention.alerts): a rule that repeats
 * hourly on a task that stays late writes a notification per channel every hour, for months. Called by the maintenance
 * route after the history's own retention; deletes at most hourly, since a few rows an hour are not worth a search a
 * minute.
 */
public class AlertRetention {
    private static final Logger LOG = LoggerFactory.getLogger(AlertRetention.class);
    static final int BATCH = 2_000;

    private final AlertStore store;
    private final Duration keep;
    private final Clock clock;
    private Instant lastRun;

    public AlertRetention(AlertStore store, Duration keep, Clock clock) {
        this.store = Objects.requireNonNull(store);
        this.keep = Objects.requireNonNull(keep);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Returns the number of rows deleted (0 when the last run was less than an hour ago). */
    public synchronized long run() {
        Instant now = clock.instant();
        if (lastRun != null && now.isBefore(lastRun.plus(Duration.ofHours(1)))) {
            return 0;
        }
        long deleted;
        try {
            deleted = store.deleteEnded(now.minus(keep), BATCH);
        } catch (IllegalStateException e) {
            // the database is down or busy: the next run tries again
            LOG.warn("Alert retention stopped: {}", e.getMessage());
            return 0;
        }
        lastRun = now;
        if (deleted > 0) {
            LOG.info("Alert retention: {} alert and notification row(s) older than {} days deleted", deleted, keep.toDays());
        }
        return deleted;
    }
}
