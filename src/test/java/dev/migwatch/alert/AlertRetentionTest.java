package dev.migwatch.alert;

import dev.migwatch.MovableClock;
import dev.migwatch.PostgresSchema;
import dev.migwatch.storage.HistoryDatabase;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * migwatch.retention.alerts: the alerts resolved, and the notifications made, before the retention go; an alert still
 * open stays whatever its age, and so does a notification its channel is still owed (QUEUED). At most one run an hour,
 * only on the node that leads the alerts; on H2 and PostgreSQL, in batches of 2,000 and of 3 (several per run).
 */
class AlertRetentionTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void onH2() throws Exception {
        for (int batch : new int[]{AlertRetention.BATCH, 3}) {
            deletesOnlyWhatEndedBeforeTheRetention(migratedH2(), batch);
        }
    }

    @Test
    void onPostgresql() throws Exception {
        for (int batch : new int[]{AlertRetention.BATCH, 3}) {
            try (PostgresSchema pg = PostgresSchema.create("alertret")) {
                HistoryDatabase.migrate(pg.db());
                deletesOnlyWhatEndedBeforeTheRetention(pg.db(), batch);
            }
        }
    }

    private static void deletesOnlyWhatEndedBeforeTheRetention(DataSource ds, int batch) throws Exception {
        AlertStore store = new AlertStore(ds);
        List<String> channels = List.of("ops", "chat");

        // "old": fired and resolved in the first days, its notifications delivered
        store.apply(List.of(open("old")), T0);
        long old = id(ds, "old");
        delivered(store, ds, old, T0);
        store.apply(List.of(move(old, "old", AlertState.RESOLVED, NotificationKind.RESOLVED, channels)), T0.plus(Duration.ofDays(2)));
        delivered(store, ds, old, T0.plus(Duration.ofDays(2)));
        // "late": firing since the first day, repeated every day since, its last two repeats still queued
        store.apply(List.of(open("late")), T0);
        long late = id(ds, "late");
        delivered(store, ds, late, T0);
        for (int day = 1; day <= 40; day++) {
            store.apply(List.of(move(late, "late", AlertState.FIRING, NotificationKind.REPEAT, channels)), T0.plus(Duration.ofDays(day)));
            if (day < 39) {
                delivered(store, ds, late, T0.plus(Duration.ofDays(day)));
            }
        }
        // "recent": resolved within the retention
        store.apply(List.of(open("recent")), T0.plus(Duration.ofDays(35)));
        long recent = id(ds, "recent");
        store.apply(List.of(move(recent, "recent", AlertState.RESOLVED, NotificationKind.RESOLVED, channels)), T0.plus(Duration.ofDays(36)));
        delivered(store, ds, recent, T0.plus(Duration.ofDays(36)));
        // a notification of the first day still owed to its channel
        store.apply(List.of(open("owed")), T0);
        long owed = id(ds, "owed");
        store.apply(List.of(move(owed, "owed", AlertState.RESOLVED, null, channels)), T0.plus(Duration.ofDays(1)));

        MovableClock clock = new MovableClock(T0.plus(Duration.ofDays(40)).minus(Duration.ofMinutes(30)));
        assertEquals(0, new AlertRetention(store, Duration.ofDays(30), clock, () -> false, batch).run(), "a node that does not lead");
        assertEquals(4 + 2 * 40 + 2 + 4 + 2, count(ds, "SELECT COUNT(*) FROM alert_notification"), "nothing deleted");
        AlertRetention retention = new AlertRetention(store, Duration.ofDays(30), clock, () -> true, batch);
        // "old": its 4 notifications and itself; "late": day 0's and days 1..9's, 2 channels each
        assertEquals(4 + 1 + 2 + 2 * 9, retention.run());

        assertEquals(List.of("late", "owed", "recent"), strings(ds, "SELECT rule FROM alert ORDER BY rule"),
                "the old resolved alert goes; the open one, the one still owed a notification and the recent one stay");
        assertEquals(0, count(ds, "SELECT COUNT(*) FROM alert_notification WHERE alert_ref = " + old));
        assertEquals(2, count(ds, "SELECT COUNT(*) FROM alert_notification WHERE alert_ref = " + owed), "QUEUED ones stay");
        assertEquals(2 * 31, count(ds, "SELECT COUNT(*) FROM alert_notification WHERE alert_ref = " + late),
                "the late alert's repeats of days 10..40 (the retention ends half an hour before day 10's), 4 of them queued");
        assertEquals(4, count(ds, "SELECT COUNT(*) FROM alert_notification WHERE alert_ref = " + recent), "both notices, both channels");

        // within the hour nothing is searched, although day 10's repeats are past the retention 59 minutes on
        clock.set(clock.instant().plus(Duration.ofMinutes(59)));
        assertEquals(0, retention.run());
        clock.set(clock.instant().plus(Duration.ofMinutes(2)));
        assertEquals(2, retention.run(), "day 10's repeat, on both channels");
    }

    /**
     * A run that used up its time budget (20 s) leaves the rest to the next run, a minute later, not an hour: here the clock
     * moves 8 s at every look, so the first run deletes the notifications and runs out before the alert.
     */
    @Test
    void aRunOutOfTimeGoesOnAtTheNextRun() throws Exception {
        DataSource ds = migratedH2();
        AlertStore store = new AlertStore(ds);
        store.apply(List.of(open("old")), T0);
        long old = id(ds, "old");
        delivered(store, ds, old, T0);
        store.apply(List.of(move(old, "old", AlertState.RESOLVED, NotificationKind.RESOLVED, List.of("ops", "chat"))), T0);
        delivered(store, ds, old, T0);

        MovableClock stepping = new MovableClock(T0.plus(Duration.ofDays(40)), Duration.ofSeconds(8));
        AlertRetention retention = new AlertRetention(store, Duration.ofDays(30), stepping, () -> true, 3);
        assertEquals(4, retention.run(), "the four notifications, in two batches; then the budget is gone");
        assertEquals(List.of("old"), strings(ds, "SELECT rule FROM alert"));
        assertEquals(1, retention.run(), "the alert, at the next run");
        assertEquals(List.of(), strings(ds, "SELECT rule FROM alert"));
    }

    private static DataSource migratedH2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        HistoryDatabase.migrate(ds);
        return ds;
    }

    private static Transition open(String rule) {
        return new Transition(null, rule, AlertCondition.FAILED, "s", "t-" + rule, AlertState.FIRING, T0, true,
                NotificationKind.FIRING, List.of("ops", "chat"), reading());
    }

    private static Transition move(long id, String rule, AlertState state, NotificationKind notice, List<String> channels) {
        return new Transition(id, rule, AlertCondition.FAILED, "s", "t-" + rule, state, T0, false, notice, channels, reading());
    }

    private static Reading reading() {
        return new Reading(true, "FAILED", null, null, "the task failed");
    }

    /** Marks the alert's QUEUED notifications delivered. */
    private static void delivered(AlertStore store, DataSource ds, long alert, Instant at) throws SQLException {
        for (String id : strings(ds, "SELECT id FROM alert_notification WHERE outcome = 'QUEUED' AND alert_ref = " + alert)) {
            store.delivered(Long.parseLong(id), 1, at);
        }
    }


    private static long id(DataSource ds, String rule) throws SQLException {
        return Long.parseLong(strings(ds, "SELECT id FROM alert WHERE rule = '" + rule + "'").get(0));
    }

    private static long count(DataSource ds, String sql) throws SQLException {
        return Long.parseLong(strings(ds, sql).get(0));
    }

    private static List<String> strings(DataSource ds, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
