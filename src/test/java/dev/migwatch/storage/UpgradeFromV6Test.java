package dev.migwatch.storage;

import dev.migwatch.PostgresSchema;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.MovableClock;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.RawBody;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.poll.ContentHash;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.simulator.OmsAnswers;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.trends.TaskView;
import dev.migwatch.trends.TrendQueries;
import dev.migwatch.trends.TrendsService;
import dev.migwatch.trends.TrendsSettings;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The upgrade to schema version 8 (V8__PollKeysAndLatest): a database written by the code before it (the fixture
 * src/test/resources/upgrade/v6-history.sql, every row of a schema-6 database as that code wrote it, with what its views
 * answered), migrated in place, then read: every row's information is still there (the task pointers in task_latest, each
 * failed call with its poll, every raw answer), the views answer what they answered before, and the current writer
 * carries on from it. On H2 and on PostgreSQL (MIGWATCH_TEST_POSTGRES_URL).
 */
class UpgradeFromV6Test {
    private static final String FIXTURE = "upgrade/v6-history.sql";
    /** The tables V8 leaves as they were: their rows must be too. */
    private static final List<String> UNCHANGED = List.of(
            "SELECT * FROM step ORDER BY id", "SELECT * FROM component ORDER BY id",
            "SELECT * FROM task_state ORDER BY task_ref, polled_at", "SELECT * FROM step_state ORDER BY step_ref, polled_at",
            "SELECT * FROM component_state ORDER BY component_ref, polled_at", "SELECT * FROM task_error ORDER BY id",
            "SELECT * FROM metric_rollup ORDER BY entity, entity_ref, metric, period_s, bucket_start",
            "SELECT * FROM rollup_mark ORDER BY period_s",
            "SELECT task_ref, received_at, api, encoding, base_at, content_type FROM raw_body ORDER BY task_ref, received_at, api",
            "SELECT id, source, provider, task_id, task_name, task_type, created_at, detail_json, first_polled_at, discovered_at, "
                    + "gone_at, gone_reason FROM task ORDER BY id");
    private static final List<String> POLL_COLUMNS = List.of("task_ref", "polled_at", "outcome", "calls", "duration_ms", "api",
            "http_status", "request_id", "error_code", "error_message", "node");
    private static final List<String> CALL_COLUMNS = List.of("api", "attempt", "called_at", "duration_ms", "http_status", "request_id",
            "outcome", "error_code", "error_message");

    @Test
    void upgradesAnH2DatabaseOfSchema6() throws Exception {
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:mem:upgrade6" + UUID.randomUUID().toString().replace("-", "")
                + ";DB_CLOSE_DELAY=-1", "sa", "")) {
            upgradeAndCompare(db, false);
        }
    }

    @Test
    void upgradesAPostgresqlDatabaseOfSchema6() throws Exception {
        try (PostgresSchema schema = PostgresSchema.create("u")) {
            upgradeAndCompare(schema.db(), true);
        }
    }

    private static void upgradeAndCompare(DataSource db, boolean postgres) throws Exception {
        // schema 6 as that release left it; today's views (R__) name V8's tables, that release had its own
        Flyway.configure().dataSource(db).locations("classpath:db/migwatch").table("migwatch_schema_history")
                .placeholders(HistoryDatabase.placeholders(db)).javaMigrations(new V4__PostgresqlStorage(), new V8__PollKeysAndLatest())
                .target("6").repeatableSqlMigrationPrefix("NOT_IN_V6__").load().migrate();
        Map<String, List<Map<String, Object>>> expectedViews = load(db, postgres);

        List<String> problems = new ArrayList<>();
        Map<String, List<Map<String, Object>>> before = new LinkedHashMap<>();
        List<Map<String, Object>> tasksBefore;
        List<Map<String, Object>> pollsBefore;
        List<Map<String, Object>> callsBefore;
        Map<String, List<String>> rawBefore = new TreeMap<>();
        try (Connection c = db.getConnection()) {
            for (String sql : UNCHANGED) {
                before.put(sql, rows(c, sql));
            }
            tasksBefore = rows(c, "SELECT id, last_polled_at, last_outcome, last_ok_at, state_at FROM task ORDER BY id");
            pollsBefore = rows(c, "SELECT * FROM poll ORDER BY task_ref, polled_at");
            callsBefore = rows(c, "SELECT p.task_ref, p.polled_at, c.* FROM poll_call c JOIN poll p ON p.id = c.poll_id "
                    + "ORDER BY p.task_ref, p.polled_at, c.api, c.attempt");
            for (Map<String, Object> t : rows(c, "SELECT source, task_id FROM task")) {
                rawBefore.put(t.get("source") + "/" + t.get("task_id"), answers(c, (String) t.get("source"), (String) t.get("task_id")));
            }
        }
        assertTrue(pollsBefore.size() > 300 && callsBefore.size() > 50 && rawBefore.values().stream().mapToInt(List::size).sum() > 200,
                "the fixture has polls, failed calls and raw answers");

        assertEquals(14, HistoryDatabase.migrate(db), "V7 (alerts), V8, V10..V20 and the repeatable views ran");

        try (Connection c = db.getConnection()) {
            for (String sql : UNCHANGED) {
                // V14 adds the task rows' delay integral: each task's newest row is its origin, the older rows have none;
                // V17 the settled steps' copies (checked below)
                same(problems, sql, before.get(sql), rows(c, sql).stream().map(r -> {
                    Map<String, Object> m = new LinkedHashMap<>(r);
                    m.remove("delay_integral");
                    m.remove("delay_covered");
                    m.keySet().removeIf(k -> k.startsWith("settled_"));
                    return m;
                }).toList());
            }
            same(problems, "delay integrals", rows(c, "SELECT s.task_ref, s.polled_at, CASE WHEN s.polled_at = l.state_at THEN CAST(0 AS DOUBLE PRECISION) END AS i, "
                    + "CASE WHEN s.polled_at = l.state_at THEN CAST(0 AS DOUBLE PRECISION) END AS c FROM task_state s JOIN task_latest l ON l.task_ref = s.task_ref "
                    + "ORDER BY s.task_ref, s.polled_at"), rows(c, "SELECT task_ref, polled_at, delay_integral AS i, delay_covered AS c "
                    + "FROM task_state ORDER BY task_ref, polled_at"));
            // the pointers moved from task to task_latest
            same(problems, "task pointers", tasksBefore, rows(c, "SELECT task_ref AS id, last_polled_at, last_outcome, last_ok_at, "
                    + "state_at FROM task_latest ORDER BY task_ref"));
            // every poll, keyed by its task and time, and each failed call with that poll
            same(problems, "polls", pick(pollsBefore, POLL_COLUMNS), rows(c, "SELECT " + String.join(", ", POLL_COLUMNS)
                    + " FROM poll ORDER BY task_ref, polled_at"));
            List<String> callColumns = new ArrayList<>(List.of("task_ref", "polled_at"));
            callColumns.addAll(CALL_COLUMNS);
            same(problems, "failed calls", pick(callsBefore, callColumns), rows(c, "SELECT " + String.join(", ", callColumns)
                    + " FROM poll_call ORDER BY task_ref, polled_at, api, attempt"));
            for (String task : rawBefore.keySet()) {
                String[] key = task.split("/", 2);
                same(problems, "raw answers of " + task, rawBefore.get(task), answers(c, key[0], key[1]));
            }
            // the views answer what they answered before (the poll's surrogate id is gone from v_poll_log and api_call)
            for (Map.Entry<String, List<Map<String, Object>>> v : expectedViews.entrySet()) {
                List<Map<String, Object>> expected = v.getValue().stream().map(r -> {
                    Map<String, Object> m = new LinkedHashMap<>(r);
                    m.remove("poll_id");
                    return m;
                }).toList();
                sameSet(problems, v.getKey(), expected, rows(c, "SELECT * FROM " + v.getKey()));
            }
            schemaIsCompact(c, postgres, problems);
            // V17 copied the newest row of each step that had stopped changing onto the step's row: the task list, which
            // reads those copies, shows each task's steps it lists as the view does
            check(problems, "steps settled by V17", true, count(c, "SELECT COUNT(*) AS n FROM step WHERE settled_at IS NOT NULL") > 0);
            listShowsTheViewsSteps(db, problems, "after the upgrade");
        }
        writerCarriesOn(db, problems);
        listShowsTheViewsSteps(db, problems, "after new cycles");
        if (!problems.isEmpty()) {
            fail(problems.size() + " differences after the upgrade:\n  " + String.join("\n  ", problems));
        }
    }

    /** No surrogate key on the poll log, no pointers left in task, raw_body indexed by (task_ref, received_at) only. */
    private static void schemaIsCompact(Connection c, boolean postgres, List<String> problems) throws SQLException {
        for (String[] gone : new String[][]{{"poll", "id"}, {"poll_call", "poll_id"}, {"task", "last_polled_at"}, {"task", "last_ok_at"},
                {"task", "last_outcome"}, {"task", "last_error_at"}, {"task", "state_at"}}) {
            if (count(c, "SELECT COUNT(*) AS n FROM information_schema.columns WHERE LOWER(table_name) = '" + gone[0]
                    + "' AND LOWER(column_name) = '" + gone[1] + "' AND table_schema = CURRENT_SCHEMA") != 0) {
                problems.add(gone[0] + "." + gone[1] + " is still there");
            }
        }
        if (count(c, "SELECT COUNT(*) AS n FROM information_schema.table_constraints WHERE LOWER(table_name) = 'raw_body' "
                + "AND constraint_type = 'PRIMARY KEY' AND table_schema = CURRENT_SCHEMA") != 0) {
            problems.add("raw_body still has its primary key");
        }
        if (postgres) {
            // each partition (the default one, and the days maintenance creates) has its own copy of the index
            long partitions = count(c, "SELECT COUNT(*) AS n FROM pg_inherits WHERE inhparent = to_regclass('raw_body')");
            long indexed = count(c, "SELECT COUNT(*) AS n FROM pg_inherits i JOIN pg_index x ON x.indrelid = i.inhrelid "
                    + "WHERE i.inhparent = to_regclass('raw_body') AND pg_get_indexdef(x.indexrelid) LIKE '%(task_ref, received_at)'");
            if (partitions == 0 || indexed != partitions) {
                problems.add(indexed + " of " + partitions + " raw_body partitions have the (task_ref, received_at) index");
            }
        }
    }

    /** The task list's steps of every task are the view's that the list reads (PostgresTest.listedOf), and some are there. */
    private static void listShowsTheViewsSteps(DataSource db, List<String> problems, String when) {
        TrendQueries reads = new TrendQueries(db);
        Map<String, List<dev.migwatch.trends.StepRow>> listed = reads.listedStepsOfAllTasks();
        check(problems, when + ": steps listed", true, listed.values().stream().mapToInt(List::size).sum() > 0);
        for (dev.migwatch.trends.TaskRow r : reads.taskRows()) {
            check(problems, when + ": the list's steps of " + r.source() + "/" + r.taskId(),
                    PostgresTest.listedOf(reads.stepsNow(r.source(), r.taskId())), TrendQueries.stepsOf(listed, r));
        }
    }

    /** New cycles on top of the upgraded history: a successful one and a failed one of the task whose newest poll had failed. */
    private static void writerCarriesOn(DataSource db, List<String> problems) throws Exception {
        Instant t = Instant.parse("2026-01-01T11:20:00Z");
        MovableClock clock = new MovableClock(t);
        HistoryStore store = new HistoryStore(db, clock);
        // gen/alpha again, with the values of another cycle: its steps change, one sub-step leaves
        TaskSnapshot a = Snapshots.full("alpha", 7);
        store.write(new TaskSnapshot(UUID.randomUUID().toString(), "gen", "oms", "alpha", t, a.task(), a.steps(), a.components(),
                a.errors(), a.calls(), a.rawBodies()));
        TaskSnapshot failed = TaskSnapshot.failed(UUID.randomUUID().toString(), "gen", "oms", "alpha", t.plusSeconds(30),
                List.of(new ApiCall("DescribeProject", 1, t.plusSeconds(30), 5000, null, null, "TIMEOUT", "SocketTimeoutException", "read")),
                List.of());
        store.write(failed);
        // sim-oms/np_sim1 (its newest poll had failed) in full transfer again: since V8 its record counts are not repeated in
        // task_state, v_task_latest takes them from the running FULL_TRANSFER
        OmsAnswers answers = new OmsAnswers(Map.of("np_sim1", OmsScenario.SLOW_FLAKY), Instant.parse("2026-01-01T09:40:00Z"));
        long stateRows;
        try (Connection c = db.getConnection()) {
            stateRows = count(c, "SELECT COUNT(*) AS n FROM task_sample WHERE task_id = 'np_sim1'");
        }
        TaskSnapshot sim = null;
        for (int n = 0; n < 3; n++) {
            Instant at = t.plusSeconds(30L * n).plusMillis(250);
            sim = omsCycle(answers, at, 1200 + 4800 + 30.0 * n);
            store.write(sim);
        }
        clock.set(t.plus(Duration.ofHours(2)));
        new HistoryMaintenance(db, Retention.defaults(), clock, Duration.ofMinutes(5)).run();
        long processed;
        try (Connection c = db.getConnection()) {
            Map<String, Object> alpha = rows(c, "SELECT * FROM v_task_latest WHERE source = 'gen' AND task_id = 'alpha'").get(0);
            check(problems, "after new cycles: alpha sampled_at", LocalDateTime.ofInstant(t, ZoneOffset.UTC), alpha.get("sampled_at"));
            check(problems, "after new cycles: alpha last_poll_at", LocalDateTime.ofInstant(t.plusSeconds(30), ZoneOffset.UTC),
                    alpha.get("last_poll_at"));
            check(problems, "after new cycles: alpha last_poll_outcome", "TIMEOUT", alpha.get("last_poll_outcome"));
            check(problems, "after new cycles: alpha's failed call", 1L, count(c, "SELECT COUNT(*) AS n FROM api_call WHERE task_id = 'alpha' "
                    + "AND polled_at = TIMESTAMP '2026-01-01 11:20:30' AND outcome = 'TIMEOUT'"));
            check(problems, "after new cycles: alpha's steps in v_step_latest (those of its answer)", (long) a.steps().size(),
                    count(c, "SELECT COUNT(*) AS n FROM v_step_latest WHERE task_id = 'alpha' AND polled_at IS NOT NULL"));
            // for every step and component, old and new: the views find its newest row
            for (String[] e : new String[][]{{"v_step_latest", "step", "step_state", "step_ref", "d.step_key = v.step_key"},
                    {"v_component_latest", "component", "component_state", "component_ref", "d.kind = v.kind AND d.name = v.name"}}) {
                check(problems, e[0] + " rows not at their entity's newest row", 0L, count(c, "SELECT COUNT(*) AS n FROM " + e[0] + " v "
                        + "JOIN task t ON t.source = v.source AND t.task_id = v.task_id JOIN " + e[1] + " d ON d.task_ref = t.id AND " + e[4]
                        + " WHERE v.polled_at <> (SELECT MAX(s.polled_at) FROM " + e[2] + " s WHERE s." + e[3] + " = d.id)"));
            }
            processed = sim.steps().stream().filter(st -> st.stepName().equals("FULL_TRANSFER")).findFirst().orElseThrow()
                    .throughput().processedRecords();
            check(problems, "after new cycles: np_sim1's processed records, its running full transfer's", processed,
                    rows(c, "SELECT processed_records FROM v_task_latest WHERE task_id = 'np_sim1'").get(0).get("processed_records"));
            check(problems, "after new cycles: np_sim1's counts are not a task_state row per poll", true,
                    count(c, "SELECT COUNT(*) AS n FROM task_sample WHERE task_id = 'np_sim1'") - stateRows < 3);
            check(problems, "after new cycles: the hours were rolled up on", 1L, count(c, "SELECT COUNT(*) AS n FROM rollup_mark "
                    + "WHERE period_s = 3600 AND done_until >= TIMESTAMP '2026-01-01 12:00:00'"));
            componentsAfterTheUpgrade(c, sim, problems);
        }
        TrendQueries queries = new TrendQueries(db);
        List<TaskView> tasks = new TrendsService(queries, TrendsSettings.defaults()).tasks();
        check(problems, "trends: the tasks of the list", List.of("gen/alpha", "gen/beta", "sim-oms/np_sim1"),
                tasks.stream().map(v -> v.source() + "/" + v.taskId()).sorted().toList());
        check(problems, "trends: np_sim1's processed records in the list, its running full transfer's", processed,
                tasks.stream().filter(v -> v.taskId().equals("np_sim1")).findFirst().orElseThrow().processedRecords());
        problems.addAll(PostgresTest.listAsViews(queries));
    }

    /**
     * np_sim1's component rows, whose detail the code before kept with the times OMS advances at every answer (a store's Gmt,
     * EndCheckpoint, GmtModified, the full import's GmtModify): the first poll after the upgrade rewrote them once without
     * those, the store's checkpoint is its state column from then on, and what the rows held before is still in that poll's
     * raw answers.
     */
    private static void componentsAfterTheUpgrade(Connection c, TaskSnapshot newest, List<String> problems) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> expected = new TreeMap<>();
        expected.put("STORE", json.readTree("{\"Conn\":1,\"ToSwitch\":false,\"Port\":2883,\"StorePort\":2882,"
                + "\"BeginCheckpoint\":\"2026-01-01T09:53:00\",\"GmtCreate\":\"2026-01-01T09:53:00\"}"));
        expected.put("FULL_IMPORT", json.readTree("{\"GmtCreate\":\"2026-01-01T09:53:00\"}"));
        Map<String, Object> actual = new TreeMap<>();
        for (Map<String, Object> r : rows(c, "SELECT k.kind, k.detail_json FROM component k JOIN task t ON t.id = k.task_ref "
                + "WHERE t.task_id = 'np_sim1'")) {
            actual.put((String) r.get("kind"), json.readTree((String) r.get("detail_json")));
        }
        check(problems, "after new cycles: np_sim1's component rows without the times OMS advances at every answer", expected, actual);
        com.fasterxml.jackson.databind.JsonNode store = newest.rawBodies().stream().filter(b -> b.api().equals("DescribeProjectComponents"))
                .map(b -> {
                    try {
                        return json.readTree(b.body()).path("Data").path("StoreList").path(0);
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).findFirst().orElseThrow();
        check(problems, "after new cycles: the store's newest checkpoint and its sampling time (EndCheckpoint, Gmt)",
                List.of(LocalDateTime.parse(store.path("EndCheckpoint").asText()),
                        LocalDateTime.ofEpochSecond(store.path("Gmt").asLong(), 0, ZoneOffset.UTC)),
                rows(c, "SELECT checkpoint_at, checkpoint_sampled_at FROM component_sample WHERE task_id = 'np_sim1' AND kind = 'STORE' "
                        + "AND polled_at = (SELECT MAX(polled_at) FROM component_sample WHERE task_id = 'np_sim1' AND kind = 'STORE')")
                        .stream().flatMap(r -> java.util.stream.Stream.of(r.get("checkpoint_at"), r.get("checkpoint_sampled_at"))).toList());
        // the values the rows held before the upgrade, in the answers of the poll they came from
        String before = answers(c, "sim-oms", "np_sim1").stream().filter(a -> a.startsWith("2026-01-01T11:14:00.251Z DescribeProjectComponents"))
                .findFirst().orElse("");
        for (String sent : List.of("\"Gmt\":1767266040", "\"EndCheckpoint\":\"2026-01-01T11:13:58\"", "\"GmtModified\":\"2026-01-01T11:14:00\"",
                "\"GmtModify\":\"2026-01-01T11:14:00\"")) {
            check(problems, "the last answer before the upgrade still says " + sent, true, before.contains(sent));
        }
    }

    /** A cycle of the simulator's OMS project at simulated second t, mapped by the real adapter. */
    private static TaskSnapshot omsCycle(OmsAnswers answers, Instant at, double t) throws Exception {
        SourceConfig source = new SourceConfig("sim-oms", Provider.OMS, URI.create("https://example.invalid"), "cn-hangzhou",
                List.of("np_sim1"), Duration.ofSeconds(30), "id", Secret.of("s"), null, SignatureMethod.ACS3_HMAC_SHA256, null,
                Duration.ofSeconds(5), Duration.ofSeconds(10));
        OmsAdapter oms = new OmsAdapter();
        List<ApiResponse> responses = new ArrayList<>();
        List<ApiCall> calls = new ArrayList<>();
        List<RawBody> raw = new ArrayList<>();
        for (Map.Entry<String, String> e : answers.at("np_sim1", t).entrySet()) {
            ApiResponse r = new ApiResponse(e.getKey(), 1, at, 40, 200, "application/json", null, e.getValue(), null);
            responses.add(r);
            calls.add(oms.classify(r));
            raw.add(new RawBody(e.getKey(), ContentHash.of(e.getValue()), "application/json", e.getValue()));
        }
        TaskContent content = oms.map(source, "np_sim1", responses);
        return new TaskSnapshot(UUID.randomUUID().toString(), "sim-oms", "oms", "np_sim1", at, content.task(), content.steps(),
                content.components(), content.errors(), calls, raw);
    }

    // ---- plumbing

    /** Runs the fixture's statements (one a line) and returns its expected view rows ("--= view {json}" lines). */
    private static Map<String, List<Map<String, Object>>> load(DataSource db, boolean postgres) throws Exception {
        String script;
        try (InputStream in = UpgradeFromV6Test.class.getClassLoader().getResourceAsStream(FIXTURE)) {
            assertTrue(in != null, FIXTURE + " is on the test classpath");
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, List<Map<String, Object>>> views = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            int line = 0;
            for (String sql : script.split("\n")) {
                line++;
                String s = sql.strip();
                if (s.startsWith("--= ")) {
                    String[] parts = s.substring(4).split(" ", 2);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> row = json.readValue(parts[1], LinkedHashMap.class);
                    views.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(row);
                    continue;
                }
                if (s.isEmpty() || s.startsWith("--")) {
                    continue;
                }
                if (postgres) {
                    s = s.replaceAll("X'([0-9a-f]*)'", "decode('$1', 'hex')");
                }
                try {
                    st.executeUpdate(s.substring(0, s.length() - 1));
                } catch (SQLException e) {
                    throw new SQLException(FIXTURE + ":" + line + ": " + e.getMessage(), e);
                }
            }
            c.commit();
            c.setAutoCommit(true);
        }
        return views;
    }

    private static List<String> answers(Connection c, String source, String taskId) throws SQLException {
        return RawBodies.read(c, source, taskId, null, null, 100_000).stream()
                .map(a -> a.receivedAt() + " " + a.body().api() + " " + a.body().contentType() + " " + a.body().body()).toList();
    }

    private static List<Map<String, Object>> rows(Connection c, String sql) throws SQLException {
        return UpgradeFromV01Test.rows(c, sql);
    }

    private static long count(Connection c, String sql) throws SQLException {
        return ((Number) rows(c, sql).get(0).get("n")).longValue();
    }

    private static List<Map<String, Object>> pick(List<Map<String, Object>> rows, List<String> columns) {
        return rows.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            columns.forEach(col -> m.put(col, r.get(col)));
            return m;
        }).toList();
    }

    private static void same(List<String> problems, String what, List<?> expected, List<?> actual) {
        if (expected.size() != actual.size()) {
            problems.add(what + ": " + expected.size() + " rows before, " + actual.size() + " after");
            return;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!Objects.equals(expected.get(i), actual.get(i))) {
                problems.add(what + " row " + i + ": before <" + expected.get(i) + ">, after <" + actual.get(i) + ">");
                return;
            }
        }
    }

    /** The same rows in any order; values as the fixture's JSON has them (times as text, numbers as Long or Double). */
    private static void sameSet(List<String> problems, String what, List<Map<String, Object>> expected, List<Map<String, Object>> actual) {
        List<String> e = expected.stream().map(UpgradeFromV6Test::text).sorted().toList();
        // columns a later release added to a view (v_task_latest.last_poll_node) have nothing to compare with
        List<String> columns = expected.isEmpty() ? List.of() : List.copyOf(expected.get(0).keySet());
        List<String> a = actual.stream().map(r -> {
            Map<String, Object> kept = new java.util.LinkedHashMap<>();
            columns.forEach(k -> kept.put(k, r.get(k)));
            return expected.isEmpty() ? r : kept;
        }).map(UpgradeFromV6Test::text).sorted().toList();
        if (!e.equals(a)) {
            List<String> missing = e.stream().filter(r -> !a.contains(r)).limit(3).toList();
            List<String> extra = a.stream().filter(r -> !e.contains(r)).limit(3).toList();
            problems.add(what + ": " + e.size() + " rows before, " + a.size() + " after; before only " + missing + "; after only " + extra);
        }
    }

    /** A row as text: doubles to 9 significant digits (H2 and PostgreSQL divide with different precision), times as ISO. */
    private static String text(Map<String, Object> row) {
        return row.entrySet().stream().map(en -> en.getKey() + "=" + value(en.getValue()))
                .sorted().collect(Collectors.joining(", ", "{", "}"));
    }

    private static String value(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.9g", d);
        }
        if (v instanceof Number n) {
            return String.valueOf(n.longValue());
        }
        if (v instanceof LocalDateTime t) {
            return t.toString();
        }
        return String.valueOf(v);
    }

    private static void check(List<String> problems, String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            problems.add(what + ": expected <" + expected + ">, got <" + actual + ">");
        }
    }

    private static void exec(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
