package dev.migwatch.alert;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Keeps the alert tables from growing for as long as migwatch runs (migwatch.retention.alerts): a rule that repeats
 * hourly on a task that stays late writes a notification per channel every hour, for months. Called by the maintenance
 * route after the history's own retention; deletes at most hourly, since a few rows an hour are not worth a search a
 * minute, within a time budget (a backlog, after an upgrade, goes over the next runs), and only on the node that leads
 * the alerts: every node runs the maintenance route, and one search an hour is enough.
 */
public class AlertRetention {
    private static final Logger LOG = LoggerFactory.getLogger(AlertRetention.class);
    static final int BATCH = 2_000;
    /** As the history's maintenance: the timer's next run waits for this one. */
    static final Duration BUDGET = Duration.ofSeconds(20);

    private final AlertStore store;
    private final Duration keep;
    private final Clock clock;
    private final BooleanSupplier leading;
    private final int batch;
    private Instant lastRun;

    /** A single node's: it always leads the alerts. */
    public AlertRetention(AlertStore store, Duration keep, Clock clock) {
        this(store, keep, clock, () -> true);
    }

    /** @param leading whether this node leads the alerts now (the master: namespace of the evaluation) */
    public AlertRetention(AlertStore store, Duration keep, Clock clock, BooleanSupplier leading) {
        this(store, keep, clock, leading, BATCH);
    }

    AlertRetention(AlertStore store, Duration keep, Clock clock, BooleanSupplier leading, int batch) {
        this.store = Objects.requireNonNull(store);
        this.keep = Objects.requireNonNull(keep);
        this.clock = Objects.requireNonNull(clock);
        this.leading = Objects.requireNonNull(leading);
        this.batch = batch;
    }

    /** Returns the number of rows deleted (0 when the last run was less than an hour ago). */
    public synchronized long run() {
        Instant now = clock.instant();
        if (!leading.getAsBoolean() || lastRun != null && now.isBefore(lastRun.plus(Duration.ofHours(1)))) {
            return 0;
        }
        long deleted;
        try {
            deleted = store.deleteEnded(now.minus(keep), batch, clock, now.plus(BUDGET));
        } catch (IllegalStateException e) {
            // the database is down or busy: the next run tries again
            LOG.warn("Alert retention stopped: {}", e.getMessage());
            return 0;
        }
        // a run that used its whole budget left rows behind: the next minute goes on
        lastRun = clock.instant().isBefore(now.plus(BUDGET)) ? now : null;
        if (deleted > 0) {
            LOG.info("Alert retention: {} alert and notification row(s) older than {} deleted", deleted, keep);
        }
        return deleted;
    }
}
