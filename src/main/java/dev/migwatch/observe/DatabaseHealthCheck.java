package dev.migwatch.observe;

import dev.migwatch.source.Secret;
import dev.migwatch.storage.DatabaseFailures;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Readiness: the history database answers a SELECT through migwatch's own pool. A pool waits up to its connection
 * timeout for a database that is gone, so the probe runs beside the health request and the answer waits at most
 * {@code migwatch.health.database-timeout}; a probe still waiting from an earlier request is waited for, not doubled.
 */
public class DatabaseHealthCheck extends AbstractHealthCheck {
    private final DataSource dataSource;
    private final Duration timeout;
    private final Secret password;
    private CompletableFuture<Long> probe;

    public DatabaseHealthCheck(DataSource dataSource, Duration timeout, Secret password) {
        super("migwatch", "migwatch-database");
        this.dataSource = dataSource;
        this.timeout = timeout;
        this.password = password;
    }

    @Override
    public boolean isLiveness() {
        // a database outage is what the journal is for: migwatch goes on polling, it must not be restarted for it
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        CompletableFuture<Long> running = probe();
        try {
            long ms = running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            builder.up().message("the history database answers (" + ms + " ms)");
        } catch (TimeoutException e) {
            builder.down().message("the history database did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            builder.down().message("the history database cannot be reached: "
                    + HealthText.clean(DatabaseFailures.describe(e.getCause()), password));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            builder.down().message("interrupted while asking the history database");
        }
    }

    private synchronized CompletableFuture<Long> probe() {
        if (probe == null || probe.isDone()) {
            probe = CompletableFuture.supplyAsync(this::select, runnable -> {
                Thread t = new Thread(runnable, "migwatch-health-database");
                t.setDaemon(true);
                t.start();
            });
        }
        return probe;
    }

    private long select() {
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                rs.next();
            }
        } catch (java.sql.SQLException e) {
            throw new java.util.concurrent.CompletionException(e);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }
}
