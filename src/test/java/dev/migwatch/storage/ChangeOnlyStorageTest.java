package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.ErrorEvent;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.PostgresSchema;
import dev.migwatch.trends.TrendQueries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Change-only storage never loses a value: random sequences of snapshots (values that change or stay, steps and
 * components that come and go, failed cycles, standing and passing errors, restarts of the writer in between),
 * then the value as of every poll, read back from the database, equals what that poll's snapshot said.
 */
class ChangeOnlyStorageTest {
    private static final Instant T0 = Instant.parse("2026-04-01T00:00:00Z");
    private HikariDataSource ds;

    @BeforeEach
    void open() {
        ds = HistoryDatabase.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", null);
        HistoryDatabase.migrate(ds);
    }

    @AfterEach
    void close() {
        ds.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void everyAsOfReadEqualsTheSnapshotOfThatTime(long seed) throws SQLException {
        writeAndReadBack(seed);
    }

    /** The same on PostgreSQL, whose task list reads the steps with statements of its own (TrendQueries.STEPS_BY_KEY). */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void onPostgresqlToo(long seed) throws SQLException {
        HikariDataSource h2 = ds;
        try (PostgresSchema pg = PostgresSchema.create("changeonly")) {
            ds = pg.db();
            HistoryDatabase.migrate(ds);
            writeAndReadBack(seed);
        } finally {
            ds = h2;
        }
    }

    private void writeAndReadBack(long seed) throws SQLException {
        Random r = new Random(seed);
        HistoryStore store = new HistoryStore(ds);
        List<TaskSnapshot> written = new ArrayList<>();
        Generator g = new Generator(r);
        for (int i = 0; i < 80; i++) {
            // nanoseconds on purpose: the database keeps microseconds, and so must the comparison
            Instant at = T0.plusSeconds(30L * i).plusNanos(r.nextInt(1_000_000_000));
            TaskSnapshot s = r.nextInt(10) == 0 ? g.failed(at) : g.next(at);
            assertTrue(store.write(s));
            written.add(s);
            latestIsNewest(written, "after poll " + i + " (seed " + seed + ")");
            if (r.nextInt(15) == 0) {
                store = new HistoryStore(ds); // a restart: the writer knows only what the database holds
            }
        }
        TaskSnapshot lastOk = null;
        try (Connection c = ds.getConnection()) {
            int task = taskRef(c);
            for (TaskSnapshot s : written) {
                if (s.succeeded()) {
                    lastOk = s;
                }
                if (lastOk == null) {
                    continue;
                }
                Instant at = SqlRow.micros(s.polledAt());
                String when = "as of poll at " + s.polledAt() + " (seed " + seed + ")";
                assertEquals(StateTable.of(lastOk), asOf(c, StateTable.TASK, "task", task, at).get(task), when);
                Map<String, List<Object>> steps = new LinkedHashMap<>();
                lastOk.steps().forEach(st -> steps.put(st.stepKey(), StateTable.of(st)));
                assertEquals(steps, byKey(c, StateTable.STEP, "step", "step_key", task, at), "steps " + when);
                Map<String, List<Object>> components = new LinkedHashMap<>();
                lastOk.components().forEach(k -> components.put(k.kind() + "/" + k.name(), StateTable.of(k)));
                assertEquals(components, byKey(c, StateTable.COMPONENT, "component", "kind || '/' || name", task, at),
                        "components " + when);
                for (ErrorEvent e : lastOk.errors()) {
                    assertTrue(errorSeenAround(c, task, ErrorLedger.fingerprint(e), SqlRow.micros(lastOk.polledAt())),
                            "error " + e.code() + " " + when);
                }
            }
            assertEquals(written.size(), count(c, "SELECT COUNT(*) FROM poll"), "a poll row per cycle");
            long errorPolls = written.stream().filter(TaskSnapshot::succeeded)
                    .mapToLong(s -> s.errors().stream().map(ErrorLedger::fingerprint).distinct().count()).sum();
            assertEquals(errorPolls, count(c, "SELECT SUM(seen_count) FROM task_error"), "each error counted once per poll");
            // and it is smaller: fewer state rows than polls times entities
            long entityPolls = written.stream().filter(TaskSnapshot::succeeded)
                    .mapToLong(s -> 1 + s.steps().size() + s.components().size()).sum();
            long rows = count(c, "SELECT COUNT(*) FROM task_state") + count(c, "SELECT COUNT(*) FROM step_state")
                    + count(c, "SELECT COUNT(*) FROM component_state");
            assertTrue(rows < entityPolls, rows + " state rows for " + entityPolls + " observations");
        }
    }

    /**
     * What the v_*_latest views show (through task_latest, and each step's and component's row at the task's newest
     * successful poll or else at its state_at) is the newest poll, the newest successful one, and the newest row of each
     * entity that poll listed.
     */
    private void latestIsNewest(List<TaskSnapshot> written, String when) throws SQLException {
        TaskSnapshot last = written.get(written.size() - 1);
        TaskSnapshot lastOk = written.stream().filter(TaskSnapshot::succeeded).reduce((a, b) -> b).orElse(null);
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT last_poll_at, last_poll_outcome, sampled_at, status FROM v_task_latest");
                 ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), when);
                assertEquals(LocalDateTime.ofInstant(SqlRow.micros(last.polledAt()), ZoneOffset.UTC), rs.getObject(1, LocalDateTime.class), when);
                assertEquals(last.outcome(), rs.getString(2), when);
                assertEquals(lastOk == null ? null : LocalDateTime.ofInstant(SqlRow.micros(lastOk.polledAt()), ZoneOffset.UTC),
                        rs.getObject(3, LocalDateTime.class), when);
                assertEquals(lastOk == null ? null : lastOk.task().status().name(), rs.getString(4), when);
            }
            if (lastOk == null) {
                return;
            }
            assertEquals(lastOk.steps().size(), count(c, "SELECT COUNT(*) FROM v_step_latest"), "steps listed " + when);
            assertEquals(lastOk.components().size(), count(c, "SELECT COUNT(*) FROM v_component_latest"), "components listed " + when);
            assertEquals(0, count(c, "SELECT COUNT(*) FROM v_step_latest v JOIN step d ON d.step_key = v.step_key "
                    + "WHERE v.polled_at <> (SELECT MAX(s.polled_at) FROM step_state s WHERE s.step_ref = d.id)"), "steps' newest rows " + when);
            assertEquals(0, count(c, "SELECT COUNT(*) FROM v_component_latest v JOIN component d ON d.kind = v.kind AND d.name = v.name "
                    + "WHERE v.polled_at <> (SELECT MAX(s.polled_at) FROM component_state s WHERE s.component_ref = d.id)"),
                    "components' newest rows " + when);
            // a settled step's copy (V17) is its newest row, and the task list, which reads the copy, shows the view's steps it lists
            assertEquals(0, count(c, "SELECT COUNT(*) FROM step d JOIN step_state s ON s.step_ref = d.id AND s.polled_at = d.settled_at "
                    + "WHERE s.polled_at <> (SELECT MAX(x.polled_at) FROM step_state x WHERE x.step_ref = d.id)"
                    + StateTable.SETTLED.stream().map(n -> " OR s." + n + " IS DISTINCT FROM d.settled_" + n).collect(Collectors.joining())),
                    "settled copies " + when);
            assertEquals(count(c, "SELECT COUNT(*) FROM step WHERE settled_at IS NOT NULL"),
                    count(c, "SELECT COUNT(*) FROM step d JOIN step_state s ON s.step_ref = d.id AND s.polled_at = d.settled_at"),
                    "every copy is of a row " + when);
            TrendQueries reads = new TrendQueries(ds);
            assertEquals(PostgresTest.listedOf(reads.stepsNow("src", "t")),
                    TrendQueries.stepsOf(reads.listedStepsOfAllTasks(), reads.taskRows().get(0)), "the list's steps " + when);
        }
    }

    private static int taskRef(Connection c) throws SQLException {
        return (int) count(c, "SELECT id FROM task WHERE source = 'src' AND task_id = 't'");
    }

    /** The newest row at or before t of each entity of the task, by id. */
    private static Map<Integer, List<Object>> asOf(Connection c, StateTable t, String dimension, int task, Instant at) throws SQLException {
        String columns = String.join(", ", t.columns.stream().map(col -> "s." + col.name()).toList());
        String sql = "SELECT d.id, " + columns + " FROM " + dimension + " d JOIN " + t.table + " s ON s." + t.refColumn + " = d.id"
                + " WHERE d." + (t == StateTable.TASK ? "id" : "task_ref") + " = ? AND s.polled_at = (SELECT MAX(b.polled_at) FROM "
                + t.table + " b WHERE b." + t.refColumn + " = d.id AND b.polled_at <= ?)";
        Map<Integer, List<Object>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, task);
            ps.setObject(2, LocalDateTime.ofInstant(at, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), t.read(rs));
                }
            }
        }
        return out;
    }

    /** The entities present as of t, by key, with their values. */
    private static Map<String, List<Object>> byKey(Connection c, StateTable t, String dimension, String key, int task, Instant at)
            throws SQLException {
        Map<Integer, List<Object>> rows = asOf(c, t, dimension, task, at);
        Map<String, List<Object>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, " + key + " FROM " + dimension + " WHERE task_ref = ? ORDER BY id")) {
            ps.setInt(1, task);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> v = rows.get(rs.getInt(1));
                    if (v != null && Boolean.TRUE.equals(v.get(0))) {
                        out.put(rs.getString(2), v);
                    }
                }
            }
        }
        // the snapshot's order is the provider's; compare as maps
        return new java.util.TreeMap<>(out);
    }

    private static boolean errorSeenAround(Connection c, int task, String fingerprint, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM task_error WHERE task_ref = ? AND fingerprint = ? "
                + "AND first_seen <= ? AND last_seen >= ?")) {
            ps.setInt(1, task);
            ps.setString(2, fingerprint);
            ps.setObject(3, LocalDateTime.ofInstant(at, ZoneOffset.UTC));
            ps.setObject(4, LocalDateTime.ofInstant(at, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Snapshots whose every value changes now and then, and otherwise stays. */
    private static final class Generator {
        private final Random r;
        private TaskState task;
        private final Map<String, StepSample> steps = new LinkedHashMap<>();
        private final Map<String, ComponentSample> components = new LinkedHashMap<>();
        private final List<ErrorEvent> standing = new ArrayList<>();

        Generator(Random r) {
            this.r = r;
        }

        TaskSnapshot next(Instant at) {
            task = task == null || chance(3) ? task(at) : task;
            for (String key : List.of("PRE_CHECK", "FULL_TRANSFER", "INCR_TRANSFER", "FULL_VERIFIER")) {
                if (!steps.containsKey(key) ? chance(3) : chance(12)) {
                    if (steps.containsKey(key) && chance(2)) {
                        steps.remove(key);
                    } else {
                        steps.put(key, step(key, at));
                    }
                } else if (steps.containsKey(key) && chance(3)) {
                    steps.put(key, step(key, at));
                }
            }
            for (String name : List.of("store-1", "incr-1", "verify-1")) {
                String key = "STORE/" + name;
                if (!components.containsKey(key) ? chance(3) : chance(15)) {
                    if (components.containsKey(key) && chance(2)) {
                        components.remove(key);
                    } else {
                        components.put(key, component(name, at));
                    }
                } else if (components.containsKey(key) && chance(4)) {
                    components.put(key, component(name, at));
                }
            }
            if (chance(6)) {
                standing.clear();
            }
            if (chance(5)) {
                standing.add(new ErrorEvent("STEP", "FULL_TRANSFER", "E" + r.nextInt(3), "ERROR", "broken " + r.nextInt(3), null, null, null));
            }
            List<ErrorEvent> errors = new ArrayList<>(standing);
            if (chance(4)) {
                errors.add(new ErrorEvent("RESPONSE", null, "W", "WARNING", "passing " + r.nextInt(), null, null, "{\"x\":1}"));
            }
            return new TaskSnapshot(UUID.randomUUID().toString(), "src", "oms", "t", at, task, List.copyOf(steps.values()),
                    List.copyOf(components.values()), errors, List.of(new ApiCall("DescribeProject", 1, at, 20, 200, "q", "OK", null, null)),
                    List.of(new RawBody("DescribeProject", "h" + r.nextInt(4), "application/json", "{\"n\":" + r.nextInt(4) + "}")));
        }

        TaskSnapshot failed(Instant at) {
            return TaskSnapshot.failed(UUID.randomUUID().toString(), "src", "oms", "t", at,
                    List.of(new ApiCall("DescribeProject", 1, at, 5000, null, null, "TIMEOUT", "SocketTimeoutException", "read timed out")),
                    List.of());
        }

        private boolean chance(int oneIn) {
            return r.nextInt(oneIn) == 0;
        }

        private Long lng() {
            return chance(5) ? null : (long) r.nextInt(1000);
        }

        private Double dbl() {
            return chance(5) ? null : r.nextInt(1000) / 8.0;
        }

        private Instant time(Instant at) {
            return chance(4) ? null : at.minusNanos(r.nextInt(1_000_000_000));
        }

        private String text() {
            return chance(4) ? null : chance(20) ? "x".repeat(5000) : "v" + r.nextInt(3);
        }

        private NormalizedStatus status() {
            return NormalizedStatus.values()[r.nextInt(NormalizedStatus.values().length)];
        }

        private TaskState task(Instant at) {
            return new TaskState("task " + r.nextInt(2), "MIGRATION", text(), status(), text(), dbl(), lng(), time(at), lng(), lng(),
                    lng(), lng(), chance(2) ? null : r.nextInt(3), 3, text(),
                    chance(2) ? null : new TaskState.BinlogPosition(text(), lng(), text()), T0, time(at), time(at),
                    chance(3) ? "{\"d\":" + r.nextInt(3) + "}" : null);
        }

        private StepSample step(String key, Instant at) {
            return new StepSample(key, chance(4) ? "PARENT" : null, key.length(), key, text(), text(), status(), dbl(), time(at), time(at),
                    chance(3) ? null : new StepSample.Throughput(lng(), lng(), dbl(), dbl(), dbl(), dbl(), dbl(), dbl(), dbl(), dbl(), dbl()),
                    chance(3) ? null : new StepSample.Incremental(time(at), time(at), lng(), lng(), chance(3) ? null : r.nextBoolean()),
                    text(), text(), chance(3) ? "{\"i\":" + r.nextInt(2) + "}" : null);
        }

        private ComponentSample component(String name, Instant at) {
            return new ComponentSample("STORE", name, text(), status(), text(), text(), text(), text(), text(), lng(), dbl(), dbl(), dbl(),
                    lng(), lng(), time(at), time(at), time(at), text(), chance(2) ? "{}" : null);
        }
    }
}
