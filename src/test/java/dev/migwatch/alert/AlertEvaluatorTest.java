package dev.migwatch.alert;

import dev.migwatch.MovableClock;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.trends.DelayStats;
import dev.migwatch.trends.TaskView;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The lifecycle PENDING → FIRING → RESOLVED on a real (H2) history database with the real migrations, on a clock the
 * test moves: which evaluation sends which notification, what is stored, and what a restart (a new evaluator over the
 * same database) does.
 */
class AlertEvaluatorTest {
    static final Instant T0 = Instant.parse("2026-05-01T10:00:00Z");
    final MovableClock clock = new MovableClock(T0);
    /** One database for the class (its migration is the slow part); each test starts without alerts. */
    static final javax.sql.DataSource ds = database();
    final AlertStore store = new AlertStore(ds);

    @org.junit.jupiter.api.BeforeEach
    void noAlerts() throws Exception {
        try (Connection c = ds.getConnection()) {
            c.createStatement().execute("DELETE FROM alert_notification");
            c.createStatement().execute("DELETE FROM alert");
        }
    }
    final Map<String, TaskView> tasks = new LinkedHashMap<>();

    static final AlertChannel OPS = AlertChannel.of("ops", "log:ops", ChannelFormat.JSON, null);
    static final AlertChannel MAIL = AlertChannel.of("mail", "log:mail", ChannelFormat.EMAIL, null);

    static AlertRule lagging(Duration pendingFor, Duration repeat) {
        return new AlertRule("lagging", AlertCondition.DELAY_ABOVE, Threshold.of(Duration.ofMinutes(1)), pendingFor,
                List.of(TaskPattern.ALL), List.of("ops", "mail"), repeat);
    }

    AlertEvaluator evaluator(AlertRule... rules) {
        AlertsConfig config = new AlertsConfig(List.of(rules), Map.of("ops", OPS, "mail", MAIL), "https://mw.example/", Duration.ofSeconds(30),
                3, Duration.ofSeconds(5));
        return new AlertEvaluator(config, store, () -> List.copyOf(tasks.values()), (s, t) -> true, Duration.ofMinutes(15), clock);
    }

    void task(String id, String status, Long delay) {
        tasks.put(id, view(id, status, delay, null));
    }

    static TaskView view(String id, String status, Long delay, Instant goneAt) {
        return new TaskView("prod-oms", "oms", id, "name of " + id, "MIGRATION", status, status, null, null, delay, null, null, null,
                null, null, T0, null, null, List.of(), null, new DelayStats.Stats(delay, T0, delay, delay == null ? null : delay.doubleValue(),
                1, 60, null), goneAt, null);
    }

    List<String> at(Duration after, AlertEvaluator e) {
        clock.set(T0.plus(after));
        List<String> out = new ArrayList<>();
        for (Notification n : e.evaluate()) {
            out.add(n.kind() + " " + n.rule() + " " + n.taskId() + " " + n.channel() + " " + n.value());
            // as the channel's route does once the endpoint took it
            store.delivered(n.id(), 1, clock.instant());
        }
        return out;
    }

    @Test
    void pendingForItsForThenFiringOnceThenResolvedOnce() throws Exception {
        AlertEvaluator e = evaluator(lagging(Duration.ofMinutes(2), null));
        task("np_1", "RUNNING", 300L);
        assertEquals(List.of(), at(Duration.ZERO, e), "PENDING: no notification");
        assertEquals(List.of("lagging PENDING"), states());
        assertEquals(List.of(), at(Duration.ofSeconds(119), e));
        assertEquals(List.of("FIRING lagging np_1 ops 300", "FIRING lagging np_1 mail 300"), at(Duration.ofMinutes(2), e));
        task("np_1", "RUNNING", 400L);
        assertEquals(List.of(), at(Duration.ofMinutes(3), e), "still firing: told once");
        assertEquals(Map.of("lagging", 1), e.firingByRule());
        task("np_1", "RUNNING", 20L);
        assertEquals(List.of("RESOLVED lagging np_1 ops 20", "RESOLVED lagging np_1 mail 20"), at(Duration.ofMinutes(4), e));
        assertEquals(List.of(), at(Duration.ofMinutes(5), e));
        assertEquals(Map.of("lagging", 0), e.firingByRule());
        List<Map<String, Object>> rows = rows("SELECT state, since, fired_at, resolved_at, value_text, threshold_text FROM alert");
        assertEquals(1, rows.size());
        assertEquals("RESOLVED", rows.get(0).get("STATE"));
        assertEquals(T0, rows.get(0).get("SINCE"));
        assertEquals(T0.plus(Duration.ofMinutes(2)), rows.get(0).get("FIRED_AT"));
        assertEquals(T0.plus(Duration.ofMinutes(4)), rows.get(0).get("RESOLVED_AT"));
        assertEquals("60", rows.get(0).get("THRESHOLD_TEXT"));

        // it lags again: a new alert, its own lifecycle
        task("np_1", "RUNNING", 500L);
        assertEquals(List.of(), at(Duration.ofMinutes(6), e));
        assertEquals(List.of("lagging RESOLVED", "lagging PENDING"), states());
    }

    @Test
    void aPendingAlertThatClearsIsNeverNotified() throws Exception {
        AlertEvaluator e = evaluator(lagging(Duration.ofMinutes(2), null));
        task("np_1", "RUNNING", 300L);
        assertEquals(List.of(), at(Duration.ZERO, e));
        task("np_1", "RUNNING", 10L);
        assertEquals(List.of(), at(Duration.ofMinutes(1), e));
        List<Map<String, Object>> rows = rows("SELECT state, fired_at, resolved_at FROM alert");
        assertEquals("RESOLVED", rows.get(0).get("STATE"));
        assertNull(rows.get(0).get("FIRED_AT"), "never fired");
        assertEquals(0, rows("SELECT id FROM alert_notification").size());
    }

    @Test
    void aFiringAlertIsToldAgainEveryRepeat() {
        AlertEvaluator e = evaluator(lagging(Duration.ZERO, Duration.ofMinutes(10)));
        task("np_1", "RUNNING", 300L);
        assertEquals(List.of("FIRING lagging np_1 ops 300", "FIRING lagging np_1 mail 300"), at(Duration.ZERO, e), "for 0: fires at once");
        assertEquals(List.of(), at(Duration.ofMinutes(9), e));
        assertEquals(List.of("REPEAT lagging np_1 ops 300", "REPEAT lagging np_1 mail 300"), at(Duration.ofMinutes(10), e));
        assertEquals(List.of(), at(Duration.ofMinutes(19), e));
        assertEquals(List.of("REPEAT lagging np_1 ops 300", "REPEAT lagging np_1 mail 300"), at(Duration.ofMinutes(20), e));
    }

    @Test
    void aRestartNeitherToldAgainNorForgetsAndSendsWhatWasLeftQueued() {
        task("np_1", "RUNNING", 300L);
        List<Notification> fired = evaluator(lagging(Duration.ZERO, null)).evaluate();
        assertEquals(2, fired.size());
        // the process stops: ops took its notification, mail's was still queued
        store.delivered(fired.get(0).id(), 1, T0);

        AlertEvaluator restarted = evaluator(lagging(Duration.ZERO, null));
        assertEquals(List.of("FIRING lagging np_1 mail 300"), at(Duration.ofMinutes(1), restarted), "the one left queued, not the alert again");
        assertEquals(List.of(), at(Duration.ofMinutes(2), restarted), "sent once: the channel's route has it");
        task("np_1", "RUNNING", 5L);
        // it resolved while migwatch was down: a new start tells it
        AlertEvaluator again = evaluator(lagging(Duration.ZERO, null));
        assertEquals(List.of("RESOLVED lagging np_1 ops 5", "RESOLVED lagging np_1 mail 5"), at(Duration.ofMinutes(3), again));
    }

    @Test
    void whatThisNodeLeftToAnotherLeaderIsSentWhenItLeadsAgain() {
        task("np_1", "RUNNING", 300L);
        AlertEvaluator e = evaluator(lagging(Duration.ZERO, null));
        List<Notification> fired = e.evaluate();
        assertEquals(2, fired.size());
        store.delivered(fired.get(0).id(), 1, T0);
        // mail's channel was down: this node tried it again, lost the alerts' leadership meanwhile and left it QUEUED
        clock.set(T0.plus(Duration.ofSeconds(30)));
        assertEquals(List.of(), e.evaluate(), "handed to its channel already");
        e.resendQueued();
        assertEquals(List.of("FIRING lagging np_1 mail 300"), at(Duration.ofMinutes(1), e), "leading again, it sends what is still QUEUED");
    }

    @Test
    void alertsOfGoneTasksAndRemovedRulesEnd() throws Exception {
        task("np_1", "RUNNING", 300L);
        task("np_2", "FAILED", 0L);
        AlertRule failed = new AlertRule("failed", AlertCondition.FAILED, Threshold.NONE, Duration.ZERO, List.of(TaskPattern.ALL),
                List.of("ops"), null);
        AlertEvaluator both = evaluator(failed, lagging(Duration.ZERO, null));
        assertEquals(List.of("FIRING failed np_2 ops FAILED", "FIRING lagging np_1 ops 300", "FIRING lagging np_1 mail 300"),
                at(Duration.ZERO, both), "rule by rule in name order, task by task");
        // np_1 is no longer watched (the account's list dropped it): its alert resolves, told
        tasks.put("np_1", view("np_1", "RUNNING", 300L, T0));
        assertEquals(List.of("RESOLVED lagging np_1 ops 300", "RESOLVED lagging np_1 mail 300"), at(Duration.ofMinutes(1), both));
        // the rule failed is removed from the configuration: its alert ends, and there is no channel to tell
        assertEquals(List.of(), at(Duration.ofMinutes(2), evaluator(lagging(Duration.ZERO, null))));
        assertEquals(List.of("failed RESOLVED", "lagging RESOLVED"), states());
        assertEquals("rule failed is no longer configured", rows("SELECT message FROM alert WHERE rule = 'failed'").get(0).get("MESSAGE"));
    }

    @Test
    void notificationsCarryTheTaskAndItsDashboardPage() {
        task("np_1", "RUNNING", 300L);
        Notification n = evaluator(lagging(Duration.ZERO, null)).evaluate().get(0);
        assertEquals("https://mw.example/#/task/prod-oms/np_1", n.url());
        assertEquals(AlertCondition.DELAY_ABOVE, n.condition());
        assertEquals("60", n.threshold());
        assertEquals(T0, n.since());
        assertEquals("delay 5 min, above 1 min", n.message());
        assertNull(n.provider(), "the task table has no such task here: provider and name come from it when it does");
    }

    List<String> states() throws Exception {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : rows("SELECT rule, state FROM alert ORDER BY id")) {
            out.add(r.get("RULE") + " " + r.get("STATE"));
        }
        return out;
    }

    private static javax.sql.DataSource database() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        HistoryDatabase.migrate(ds); // the migrations exactly as the application runs them
        return ds;
    }

    List<Map<String, Object>> rows(String sql) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    if (v instanceof java.sql.Timestamp t) {
                        v = t.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC);
                    }
                    row.put(rs.getMetaData().getColumnLabel(i).toUpperCase(java.util.Locale.ROOT), v);
                }
                out.add(row);
            }
        }
        return out;
    }
}
