package dev.migwatch.observe;

import dev.migwatch.storage.SnapshotSpool;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Readiness: DOWN while more snapshots wait in the journal than {@code migwatch.health.journal-backlog} (0 by default:
 * any). While they wait, the history, and so the API, the dashboard and the ETAs, lags behind what migwatch fetched;
 * it is UP again once the replay has written them. Snapshots set aside in rejected/ need a person but do not hold
 * anything up: they are counted in the details only.
 */
public class JournalHealthCheck extends AbstractHealthCheck {
    private final SnapshotSpool spool;
    private final int maxBacklog;

    public JournalHealthCheck(SnapshotSpool spool, int maxBacklog) {
        super("migwatch", "migwatch-journal");
        this.spool = spool;
        this.maxBacklog = maxBacklog;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        int pending = spool.journal().pending();
        builder.detail("backlog", pending);
        builder.detail("threshold", maxBacklog);
        if (spool.outageSince() != null) {
            builder.detail("database.unavailable.since", spool.outageSince().toString());
        }
        if (pending > maxBacklog) {
            builder.down().message(pending + " snapshot(s) wait in the journal for the history database (more than "
                    + maxBacklog + ")" + (spool.outageSince() == null ? "" : ", unavailable since " + spool.outageSince()));
        } else {
            builder.up().message(pending == 0 ? "no snapshot waits for the history database"
                    : pending + " snapshot(s) wait in the journal (at most " + maxBacklog + " allowed)");
        }
    }
}
