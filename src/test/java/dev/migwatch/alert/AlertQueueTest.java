package dev.migwatch.alert;

import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.trends.DelayStats;
import dev.migwatch.trends.TaskView;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The routes of routes/migwatch-alerts.camel.yaml with a channel that is slow to take its notifications: one
 * evaluation that makes more notifications than Camel's default seda queue holds (1,000) must still deliver every one
 * of them, not refuse the rest with "Queue full" and leave them QUEUED until the next start.
 */
class AlertQueueTest {
    static final int TASKS = 1_200;

    @Test
    void anEvaluationWithMoreNotificationsThanSedaDefaultQueueHoldsDeliversThemAll() throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        HistoryDatabase.migrate(ds);
        AlertStore store = new AlertStore(ds);
        AlertChannel slow = AlertChannel.of("slow", "direct:slow-receiver", ChannelFormat.JSON, null);
        AlertRule failed = new AlertRule("failed", AlertCondition.FAILED, Threshold.NONE, Duration.ZERO, List.of(TaskPattern.ALL),
                List.of("slow"), null);
        AlertsConfig config = new AlertsConfig(List.of(failed), Map.of("slow", slow), null, Duration.ofMillis(200), 0,
                Duration.ofMillis(10));
        List<TaskView> tasks = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            tasks.add(failedTask("t" + i));
        }
        CountDownLatch receiverOpen = new CountDownLatch(1);
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.getRegistry().bind("alertEvaluator", new AlertEvaluator(config, store, () -> tasks, (s, t) -> true,
                    Duration.ofMinutes(15), Clock.systemUTC()));
            camel.getRegistry().bind("alertDelivery", new AlertDelivery(config.channels(), store, Clock.systemUTC()));
            PluginHelper.getRoutesLoader(camel).loadRoutes(
                    ResourceHelper.resolveMandatoryResource(camel, "file:routes/migwatch-alerts.camel.yaml"));
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // the receiver takes nothing until the evaluation has queued all its notifications
                    from("direct:slow-receiver").routeId("slow-receiver")
                            .process(ex -> receiverOpen.await(30, TimeUnit.SECONDS));
                }
            });
            // as camel-main adds a RoutesBuilder bean (MigwatchConfiguration binds migwatchAlertRoutes)
            AlertRoutes alertRoutes = new AlertRoutes(config, false);
            camel.addRoutes(alertRoutes);
            alertRoutes.addTemplatedRoutesToCamelContext(camel);
            camel.start();
            assertEquals(4, camel.getRoutes().size(), "evaluation, channel, send and receiver routes");
            await(() -> count(ds, "SELECT COUNT(*) FROM alert_notification") == TASKS, "all notifications made");
            // the evaluation has handed them all to the queue (or failed to) by the time its route is idle
            await(() -> camel.getInflightRepository().size("migwatch-alerts-evaluate") == 0, "the evaluation done");
            receiverOpen.countDown();
            await(() -> count(ds, "SELECT COUNT(*) FROM alert_notification WHERE outcome <> 'QUEUED'") == TASKS,
                    "every notification delivered");
            assertEquals(TASKS, count(ds, "SELECT COUNT(*) FROM alert_notification WHERE outcome = 'DELIVERED'"));
        }
    }

    static TaskView failedTask(String id) {
        Instant t0 = Instant.parse("2026-05-01T10:00:00Z");
        return new TaskView("prod-oms", "oms", id, id, "MIGRATION", "FAILED", "FAILED", null, null, null, null, null, null,
                null, null, t0, null, null, List.of(), null, new DelayStats.Stats(null, t0, null, null, 1, 60, null), null, null);
    }

    static long count(JdbcDataSource ds, String sql) {
        try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
