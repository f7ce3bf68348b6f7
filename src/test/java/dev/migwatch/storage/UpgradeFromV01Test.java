package dev.migwatch.storage;

import dev.migwatch.TestEnvironment;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.poll.ContentHash;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
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
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
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
 * The upgrade path: a database written by release 0.1, migrated by the current migrations, then read, without losing
 * a row's information. The fixture (src/test/resources/upgrade/v0.1-history.sql) is every row of a 0.1 database written
 * by the 0.1 code itself (see its header). Each test builds the 0.1 schema (Flyway target 2), loads the fixture, records
 * what 0.1 knew, runs HistoryDatabase.migrate (V3 and the views) and compares, value for value; then writes a new cycle
 * with the current HistoryStore on top of the converted history and asks the trends for every task.
 */
class UpgradeFromV01Test {
    private static final String FIXTURE = "upgrade/v0.1-history.sql";
    private static final List<String> V01_TABLES = List.of("api_call", "task_sample", "step_sample", "component_sample",
            "error_event", "raw_response", "task_latest");

    @Test
    void upgradesAnH2DatabaseOfRelease01() throws Exception {
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:mem:upgrade" + UUID.randomUUID().toString().replace("-", "")
                + ";DB_CLOSE_DELAY=-1", "sa", "")) {
            upgradeAndCompare(db);
        }
    }

    @Test
    void upgradesAPostgresqlDatabaseOfRelease01() throws Exception {
        String url = TestEnvironment.postgresUrl();
        String user = TestEnvironment.postgresUser();
        String password = TestEnvironment.postgresPassword();
        String schema = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (HikariDataSource admin = HistoryDatabase.open(url, user, password)) {
            try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + schema);
            }
            String schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            try (HikariDataSource db = HistoryDatabase.open(schemaUrl, user, password)) {
                upgradeAndCompare(db);
            } finally {
                try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA " + schema + " CASCADE");
                }
            }
        }
    }

    private static void upgradeAndCompare(DataSource db) throws Exception {
        // the 0.1 schema, exactly as 0.1's HistoryDatabase.migrate left it: V1 + V2 and no repeatable migration (0.1 had
        // none; R__history_views.sql is for the 0.2 tables, so it must not be recognised here)
        Flyway.configure().dataSource(db).locations("classpath:db/migwatch").table("migwatch_schema_history")
                .placeholders(HistoryDatabase.placeholders(db)).target("2").repeatableSqlMigrationPrefix("NOT_IN_0_1__")
                .load().migrate();
        Map<String, Integer> inserted = load(db);
        V01 old = V01.read(db);
        for (String table : V01_TABLES) {
            assertEquals(inserted.getOrDefault(table, 0), old.counts.get(table), table + ": fixture rows loaded");
        }
        assertTrue(old.cycles.size() >= 15 && old.errors.size() > old.errorGroups().size() && old.raw.size() > 0,
                "the fixture has several cycles, repeated errors and raw bodies");

        assertTrue(HistoryDatabase.migrate(db) >= 2, "V3 and the repeatable views ran");

        List<String> problems = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            compareTasks(c, old, problems);
            comparePolls(c, old, problems);
            compareStates(c, old, problems);
            compareErrors(c, old, problems);
            compareRawBodies(c, old, problems);
            compareLatestViews(c, old, problems);
        }
        newCycleOnTop(db, old, problems);

        TrendsService trends = new TrendsService(new TrendQueries(db), TrendsSettings.defaults());
        if (trends.tasks().size() != 3) {
            problems.add("trends: tasks() gives " + trends.tasks().size() + " tasks, not 3: " + trends.tasks());
        }
        for (Map<String, Object> l : old.taskLatest) {
            if (trends.task((String) l.get("source"), (String) l.get("task_id")).isEmpty()) {
                problems.add("trends: no task " + l.get("source") + "/" + l.get("task_id"));
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " differences between the 0.1 database and the upgraded one:\n  "
                    + String.join("\n  ", problems));
        }
    }

    // ---- what 0.1 knew

    /** The 0.1 database, read before the upgrade: every row of every table, and its views' answers. */
    private static final class V01 {
        final Map<String, Integer> counts = new LinkedHashMap<>();
        List<Map<String, Object>> apiCalls;
        List<Map<String, Object>> taskSamples;
        List<Map<String, Object>> stepSamples;
        List<Map<String, Object>> componentSamples;
        List<Map<String, Object>> errors;
        List<Map<String, Object>> raw;
        List<Map<String, Object>> taskLatest;
        List<Map<String, Object>> viewTaskLatest;
        List<Map<String, Object>> viewStepLatest;
        List<Map<String, Object>> viewComponentLatest;
        /** cycle_id -> its api_call rows in call order */
        final Map<String, List<Map<String, Object>>> cycles = new LinkedHashMap<>();
        final Map<String, Map<String, Object>> sampleByCycle = new LinkedHashMap<>();

        static V01 read(DataSource db) throws SQLException {
            V01 v = new V01();
            try (Connection c = db.getConnection()) {
                for (String t : V01_TABLES) {
                    v.counts.put(t, ((Number) rows(c, "SELECT COUNT(*) AS n FROM " + t).get(0).get("n")).intValue());
                }
                v.apiCalls = rows(c, "SELECT * FROM api_call ORDER BY called_at, cycle_id, api, attempt");
                v.taskSamples = rows(c, "SELECT * FROM task_sample ORDER BY polled_at, source, task_id");
                v.stepSamples = rows(c, "SELECT * FROM step_sample ORDER BY polled_at, source, task_id, step_key");
                v.componentSamples = rows(c, "SELECT * FROM component_sample ORDER BY polled_at, source, task_id, kind, name");
                v.errors = rows(c, "SELECT * FROM error_event ORDER BY occurred_at, source, task_id, seq");
                v.raw = rows(c, "SELECT * FROM raw_response ORDER BY received_at, source, task_id, api");
                v.taskLatest = rows(c, "SELECT * FROM task_latest ORDER BY source, task_id");
                v.viewTaskLatest = rows(c, "SELECT * FROM v_task_latest");
                v.viewStepLatest = rows(c, "SELECT * FROM v_step_latest");
                v.viewComponentLatest = rows(c, "SELECT * FROM v_component_latest");
            }
            for (Map<String, Object> a : v.apiCalls) {
                v.cycles.computeIfAbsent((String) a.get("cycle_id"), k -> new ArrayList<>()).add(a);
            }
            for (Map<String, Object> s : v.taskSamples) {
                v.sampleByCycle.put((String) s.get("cycle_id"), s);
            }
            return v;
        }

        Map<String, Object> latest(Object source, Object taskId) {
            return taskLatest.stream().filter(l -> l.get("source").equals(source) && l.get("task_id").equals(taskId))
                    .findFirst().orElseThrow();
        }

        /** Distinct errors: every field of the row but its cycle, seq and time -> [count, first, last]. */
        Map<List<Object>, Object[]> errorGroups() {
            Map<List<Object>, Object[]> groups = new LinkedHashMap<>();
            for (Map<String, Object> e : errors) {
                LocalDateTime at = (LocalDateTime) e.get("occurred_at");
                groups.merge(pick(e, ERROR_FIELDS), new Object[]{1L, at, at}, (a, b) -> new Object[]{(Long) a[0] + 1,
                        min((LocalDateTime) a[1], at), max((LocalDateTime) a[2], at)});
            }
            return groups;
        }
    }

    private static final List<String> ERROR_FIELDS = List.of("source", "task_id", "origin", "origin_name", "code", "err_level",
            "message", "reason", "proposal", "detail_json");
    private static final List<String> CALL_FIELDS = List.of("api", "attempt", "called_at", "duration_ms", "http_status",
            "request_id", "outcome", "error_code", "error_message");

    // ---- the comparisons

    private static void compareTasks(Connection c, V01 old, List<String> problems) throws SQLException {
        // the pointers are in task_latest since V8; the newest error is the newest last_seen of the task's errors
        List<Map<String, Object>> tasks = rows(c, "SELECT t.*, l.last_polled_at, l.last_ok_at, (SELECT MAX(e.last_seen) FROM task_error e "
                + "WHERE e.task_ref = t.id) AS last_error_at FROM task t LEFT JOIN task_latest l ON l.task_ref = t.id ORDER BY t.source, t.task_id");
        check(problems, "task rows (one per 0.1 task_latest row)", old.taskLatest.size(), tasks.size());
        for (Map<String, Object> l : old.taskLatest) {
            String name = "task " + l.get("source") + "/" + l.get("task_id");
            Map<String, Object> t = tasks.stream().filter(x -> x.get("source").equals(l.get("source"))
                    && x.get("task_id").equals(l.get("task_id"))).findFirst().orElse(null);
            if (t == null) {
                problems.add(name + ": missing");
                continue;
            }
            check(problems, name + " provider", l.get("provider"), t.get("provider"));
            check(problems, name + " last_polled_at", l.get("last_polled_at"), t.get("last_polled_at"));
            check(problems, name + " last_ok_at", l.get("latest_ok_polled_at"), t.get("last_ok_at"));
            check(problems, name + " last_error_at", l.get("last_error_at"), t.get("last_error_at"));
            Map<String, Object> s = old.sampleByCycle.get(l.get("latest_ok_cycle_id"));
            if (s != null) {
                for (String col : List.of("task_name", "task_type", "created_at", "detail_json")) {
                    check(problems, name + " " + col + " (from its newest 0.1 sample)", s.get(col), t.get(col));
                }
            }
        }
    }

    /** One poll per 0.1 cycle, found at the cycle's time, with its outcome and deciding call; every call kept. */
    private static void comparePolls(Connection c, V01 old, List<String> problems) throws SQLException {
        List<Map<String, Object>> polls = rows(c, "SELECT * FROM v_poll_log");
        List<Map<String, Object>> calls = rows(c, "SELECT * FROM api_call");
        check(problems, "poll rows (one per 0.1 cycle)", old.cycles.size(), polls.size());
        check(problems, "api_call view rows (one per 0.1 api_call row)", old.apiCalls.size(), calls.size());
        Map<List<Object>, Map<String, Object>> callByKey = index(calls, List.of("source", "task_id", "api", "attempt", "called_at"));
        for (Map.Entry<String, List<Map<String, Object>>> cycle : old.cycles.entrySet()) {
            List<Map<String, Object>> cycleCalls = cycle.getValue();
            Map<String, Object> first = cycleCalls.get(0);
            Object source = first.get("source");
            Object taskId = first.get("task_id");
            Map<String, Object> sample = old.sampleByCycle.get(cycle.getKey());
            Map<String, Object> latest = old.latest(source, taskId);
            // when 0.1 polled: the sample's time; for a failed cycle only task_latest knows it (for the task's last
            // cycle); other failed cycles are known by their first call only
            Object polledAt = sample != null ? sample.get("polled_at")
                    : cycle.getKey().equals(latest.get("last_cycle_id")) ? latest.get("last_polled_at")
                    : cycleCalls.stream().map(a -> (LocalDateTime) a.get("called_at")).min(Comparator.naturalOrder()).orElseThrow();
            String name = "0.1 cycle " + source + "/" + taskId + " at " + polledAt + (sample != null ? " (OK)" : " (failed)");
            Map<String, Object> poll = polls.stream().filter(p -> p.get("source").equals(source) && p.get("task_id").equals(taskId)
                    && p.get("polled_at").equals(polledAt)).findFirst().orElse(null);
            if (poll == null) {
                problems.add(name + ": no poll row at that time; the task's polls are at " + polls.stream()
                        .filter(p -> p.get("source").equals(source) && p.get("task_id").equals(taskId))
                        .map(p -> String.valueOf(p.get("polled_at"))).toList());
            } else {
                Map<String, Object> decisive = sample != null ? null : decisive(cycleCalls);
                check(problems, name + " outcome", decisive == null ? "OK" : decisive.get("outcome"), poll.get("outcome"));
                check(problems, name + " calls", (long) cycleCalls.size(), poll.get("calls"));
                if (decisive != null) {
                    for (String col : List.of("api", "http_status", "request_id", "error_code", "error_message")) {
                        check(problems, name + " poll." + col + " (its deciding call, " + decisive.get("api") + " attempt "
                                + decisive.get("attempt") + ")", decisive.get(col), poll.get(col));
                    }
                }
            }
            for (Map<String, Object> a : cycleCalls) {
                String callName = name + " call " + a.get("api") + " attempt " + a.get("attempt");
                Map<String, Object> now = callByKey.get(List.of(source, taskId, a.get("api"), a.get("attempt"), a.get("called_at")));
                if (now == null) {
                    problems.add(callName + ": not in api_call");
                    continue;
                }
                for (String col : CALL_FIELDS) {
                    check(problems, callName + " " + col, a.get(col), now.get(col));
                }
                if (poll != null) {
                    check(problems, callName + " belongs to its cycle's poll", poll.get("polled_at"), now.get("polled_at"));
                }
            }
        }
        long oldDuration = old.apiCalls.stream().mapToLong(a -> (Long) a.get("duration_ms")).sum();
        long nowDuration = calls.stream().mapToLong(a -> (Long) a.get("duration_ms")).sum();
        check(problems, "sum of api_call.duration_ms", oldDuration, nowDuration);
    }

    /** What the current writer calls the deciding call: the last attempt of the first API whose last attempt failed. */
    private static Map<String, Object> decisive(List<Map<String, Object>> calls) {
        Map<Object, Map<String, Object>> last = new LinkedHashMap<>();
        for (Map<String, Object> a : calls) {
            last.merge(a.get("api"), a, (x, y) -> (Long) y.get("attempt") >= (Long) x.get("attempt") ? y : x);
        }
        Map<String, Object> fallback = null;
        for (Map<String, Object> a : last.values()) {
            if (!"OK".equals(a.get("outcome"))) {
                return a;
            }
            fallback = a;
        }
        return fallback;
    }

    private static final List<String> TASK_COLUMNS = List.of("source", "provider", "task_id", "polled_at", "task_name", "task_type",
            "raw_status", "status", "running_step", "progress_pct", "delay_seconds", "delay_sampled_at", "processed_records",
            "total_records", "elapsed_seconds", "provider_eta_seconds", "retry_count", "max_retry_count", "failed_message",
            "binlog_name", "binlog_pos", "binlog_gtid", "created_at", "started_at", "finished_at");
    private static final List<String> STEP_COLUMNS = List.of("source", "provider", "task_id", "polled_at", "step_key",
            "parent_step_key", "step_order", "step_name", "description", "raw_status", "status", "progress_pct", "started_at",
            "finished_at", "processed_records", "capacity", "src_rps", "src_rt_ms", "src_iops", "dst_rps", "dst_rt_ms", "dst_iops",
            "src_rps_ref", "dst_rps_ref", "dst_rt_ref", "checkpoint_at", "checkpoint_sampled_at", "delay_seconds", "delay_ms",
            "incr_statistics", "error_code", "error_message");
    private static final List<String> COMPONENT_COLUMNS = List.of("source", "provider", "task_id", "polled_at", "kind", "name",
            "raw_status", "status", "ip", "region", "identity", "topic", "subtopic", "delay_seconds", "tps", "progress_pct",
            "record_progress_pct", "consistent_count", "inconsistent_count", "checkpoint_at", "checkpoint_sampled_at",
            "heartbeat_at", "error_message");

    /** Every 0.1 sample row is a state row, value for value, read through the *_sample views. */
    private static void compareStates(Connection c, V01 old, List<String> problems) throws SQLException {
        check(problems, "task_state rows", old.taskSamples.size(), count(c, "SELECT COUNT(*) AS n FROM task_state"));
        check(problems, "step_state rows (present)", old.stepSamples.size(),
                count(c, "SELECT COUNT(*) AS n FROM step_state WHERE present = TRUE"));
        check(problems, "component_state rows (present)", old.componentSamples.size(),
                count(c, "SELECT COUNT(*) AS n FROM component_state WHERE present = TRUE"));
        sameRows(problems, "task_sample", old.taskSamples, rows(c, "SELECT * FROM task_sample"),
                List.of("source", "task_id", "polled_at"), TASK_COLUMNS);
        sameRows(problems, "step_sample", old.stepSamples, rows(c, "SELECT * FROM step_sample"),
                List.of("source", "task_id", "step_key", "polled_at"), STEP_COLUMNS);
        sameRows(problems, "component_sample", old.componentSamples, rows(c, "SELECT * FROM component_sample"),
                List.of("source", "task_id", "kind", "name", "polled_at"), COMPONENT_COLUMNS);
        // sums of the key numbers, through the views
        for (String[] sum : new String[][]{{"task_sample", "processed_records"}, {"task_sample", "progress_pct"},
                {"task_sample", "binlog_pos"}, {"step_sample", "progress_pct"}, {"step_sample", "delay_ms"},
                {"step_sample", "processed_records"}, {"component_sample", "tps"}, {"component_sample", "delay_seconds"}}) {
            List<Map<String, Object>> oldRows = sum[0].equals("task_sample") ? old.taskSamples
                    : sum[0].equals("step_sample") ? old.stepSamples : old.componentSamples;
            check(problems, "sum of " + sum[0] + "." + sum[1], total(oldRows, sum[1]), total(rows(c, "SELECT * FROM " + sum[0]), sum[1]));
        }
        // the descriptive columns moved to step and component: those of each one's newest 0.1 row
        latestInfo(problems, "step", old.stepSamples, rows(c, "SELECT t.source, t.task_id, s.* FROM step s JOIN task t ON t.id = s.task_ref"),
                List.of("source", "task_id", "step_key"), List.of("parent_step_key", "step_order", "step_name", "description", "detail_json"));
        latestInfo(problems, "component", old.componentSamples,
                rows(c, "SELECT t.source, t.task_id, k.* FROM component k JOIN task t ON t.id = k.task_ref"),
                List.of("source", "task_id", "kind", "name"), List.of("ip", "region", "identity", "topic", "subtopic", "detail_json"));
    }

    private static void latestInfo(List<String> problems, String what, List<Map<String, Object>> old, List<Map<String, Object>> now,
                                   List<String> key, List<String> columns) {
        Map<List<Object>, Map<String, Object>> newest = new LinkedHashMap<>();
        for (Map<String, Object> r : old) {
            newest.merge(pick(r, key), r, (a, b) -> ((LocalDateTime) b.get("polled_at")).isAfter((LocalDateTime) a.get("polled_at")) ? b : a);
        }
        check(problems, what + " rows (one per distinct 0.1 " + what + ")", newest.size(), now.size());
        Map<List<Object>, Map<String, Object>> byKey = index(now, key);
        for (Map.Entry<List<Object>, Map<String, Object>> e : newest.entrySet()) {
            Map<String, Object> n = byKey.get(e.getKey());
            if (n == null) {
                problems.add(what + " " + e.getKey() + ": missing");
                continue;
            }
            for (String col : columns) {
                check(problems, what + " " + e.getKey() + " " + col, e.getValue().get(col), n.get(col));
            }
        }
    }

    /** Each distinct 0.1 error is one task_error row, seen as often, first and last when 0.1 saw it. */
    private static void compareErrors(Connection c, V01 old, List<String> problems) throws SQLException {
        Map<List<Object>, Object[]> groups = old.errorGroups();
        List<Map<String, Object>> now = rows(c, "SELECT * FROM v_errors");
        check(problems, "task_error rows (distinct 0.1 errors)", groups.size(), now.size());
        Map<List<Object>, Map<String, Object>> byKey = index(now, ERROR_FIELDS);
        for (Map.Entry<List<Object>, Object[]> g : groups.entrySet()) {
            Map<String, Object> e = byKey.get(g.getKey());
            String name = "error " + g.getKey().subList(0, 5);
            if (e == null) {
                problems.add(name + " (seen " + g.getValue()[0] + " times): no task_error row with all its fields");
                continue;
            }
            check(problems, name + " seen_count", g.getValue()[0], e.get("seen_count"));
            check(problems, name + " first_seen", g.getValue()[1], e.get("first_seen"));
            check(problems, name + " last_seen", g.getValue()[2], e.get("last_seen"));
        }
    }

    /** Each 0.1 raw body reads back as it was, through RawBodies (the REST API's reader). */
    private static void compareRawBodies(Connection c, V01 old, List<String> problems) throws SQLException {
        check(problems, "raw_body rows", old.raw.size(), count(c, "SELECT COUNT(*) AS n FROM raw_body"));
        check(problems, "raw_body rows not encoded 'text'", 0, count(c, "SELECT COUNT(*) AS n FROM raw_body WHERE encoding <> 'text'"));
        for (Map<String, Object> l : old.taskLatest) {
            String source = (String) l.get("source");
            String taskId = (String) l.get("task_id");
            Map<List<Object>, RawBody> read = new LinkedHashMap<>();
            for (RawBodies.Answer a : RawBodies.read(c, source, taskId, null, null, 1000)) {
                read.put(List.of(a.receivedAt(), a.body().api()), a.body());
            }
            List<Map<String, Object>> mine = old.raw.stream().filter(r -> r.get("source").equals(source) && r.get("task_id").equals(taskId)).toList();
            check(problems, "raw bodies of " + source + "/" + taskId, mine.size(), read.size());
            for (Map<String, Object> r : mine) {
                Instant at = ((LocalDateTime) r.get("received_at")).toInstant(ZoneOffset.UTC);
                String name = "raw body " + source + "/" + taskId + " " + r.get("api") + " at " + at;
                RawBody b = read.get(List.of(at, r.get("api")));
                if (b == null) {
                    problems.add(name + ": not read back");
                    continue;
                }
                check(problems, name + " body", r.get("body"), b.body());
                check(problems, name + " content type", r.get("content_type"), b.contentType());
            }
        }
    }

    /** The views people query: the same answers as 0.1's for what both describe. */
    private static void compareLatestViews(Connection c, V01 old, List<String> problems) throws SQLException {
        Map<List<Object>, Map<String, Object>> now = index(rows(c, "SELECT * FROM v_task_latest"), List.of("source", "task_id"));
        check(problems, "v_task_latest rows", old.viewTaskLatest.size(), now.size());
        for (Map<String, Object> o : old.viewTaskLatest) {
            List<Object> key = pick(o, List.of("source", "task_id"));
            Map<String, Object> n = now.get(key);
            if (n == null) {
                problems.add("v_task_latest " + key + ": missing");
                continue;
            }
            for (String col : List.of("provider", "sampled_at", "task_name", "task_type", "raw_status", "status", "running_step",
                    "progress_pct", "delay_seconds", "processed_records", "total_records", "elapsed_seconds", "provider_eta_seconds",
                    "failed_message", "started_at", "finished_at", "last_poll_outcome")) {
                check(problems, "v_task_latest " + key + " " + col, o.get(col), n.get(col));
            }
            // 0.1 showed the newest call of the last cycle; 0.2 shows the call that decided a failed poll: the same call here
            if (!"OK".equals(o.get("last_poll_outcome"))) {
                for (String col : List.of("last_poll_api", "last_poll_http_status", "last_poll_error_code", "last_poll_error_message")) {
                    check(problems, "v_task_latest " + key + " " + col, o.get(col), n.get(col));
                }
            }
            Map<String, Object> l = old.latest(key.get(0), key.get(1));
            check(problems, "v_task_latest " + key + " last_poll_at (the 0.1 last poll)", l.get("last_polled_at"), n.get("last_poll_at"));
            check(problems, "v_task_latest " + key + " last_error_at", l.get("last_error_at"), n.get("last_error_at"));
        }
        sameRows(problems, "v_step_latest", old.viewStepLatest, rows(c, "SELECT * FROM v_step_latest"),
                List.of("source", "task_id", "step_key"), List.of("polled_at", "step_name", "raw_status", "status", "progress_pct",
                        "processed_records", "capacity", "delay_seconds", "checkpoint_at", "error_code", "error_message"));
        sameRows(problems, "v_component_latest", old.viewComponentLatest, rows(c, "SELECT * FROM v_component_latest"),
                List.of("source", "task_id", "kind", "name"), List.of("polled_at", "raw_status", "status", "delay_seconds", "tps",
                        "progress_pct", "heartbeat_at", "error_message"));
    }

    /** The current writer carries on from the converted history. */
    private static void newCycleOnTop(DataSource db, V01 old, List<String> problems) throws Exception {
        Instant lastOld = old.taskLatest.stream().map(l -> ((LocalDateTime) l.get("last_polled_at")).toInstant(ZoneOffset.UTC))
                .max(Comparator.naturalOrder()).orElseThrow();
        Instant at = lastOld.plus(Duration.ofMinutes(10)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        HistoryStore store = new HistoryStore(db);
        TaskSnapshot snapshot = omsSnapshot(at);
        assertTrue(store.write(snapshot), "the new cycle is written");
        try (Connection c = db.getConnection()) {
            Map<String, Object> l = index(rows(c, "SELECT * FROM v_task_latest"), List.of("source", "task_id"))
                    .get(List.of("prod-oms", "np_4w3a1"));
            LocalDateTime expected = LocalDateTime.ofInstant(at, ZoneOffset.UTC);
            check(problems, "after a new cycle: v_task_latest sampled_at", expected, l.get("sampled_at"));
            check(problems, "after a new cycle: v_task_latest last_poll_at", expected, l.get("last_poll_at"));
            check(problems, "after a new cycle: v_task_latest last_poll_outcome", "OK", l.get("last_poll_outcome"));
            check(problems, "after a new cycle: v_task_latest status", "RUNNING", l.get("status"));
            long polls = old.cycles.values().stream().filter(cs -> cs.get(0).get("source").equals("prod-oms")).count();
            check(problems, "after a new cycle: polls of prod-oms", polls + 1,
                    count(c, "SELECT COUNT(*) AS n FROM v_poll_log WHERE source = 'prod-oms'"));
            List<RawBodies.Answer> answers = RawBodies.read(c, "prod-oms", "np_4w3a1", null, null, 1000);
            check(problems, "after a new cycle: the newest raw answers are the new cycle's", at, answers.get(0).receivedAt());
            check(problems, "after a new cycle: the 0.1 raw bodies are still read",
                    old.raw.stream().filter(r -> r.get("source").equals("prod-oms")).count() + 3, (long) answers.size());
            check(problems, "after a new cycle: v_component_latest rows of prod-oms (the components of its answer)",
                    (long) snapshot.components().size(), count(c, "SELECT COUNT(*) AS n FROM v_component_latest WHERE source = 'prod-oms'"));
            check(problems, "after a new cycle: v_step_latest rows of prod-oms (the steps of its answer)",
                    (long) snapshot.steps().size(), count(c, "SELECT COUNT(*) AS n FROM v_step_latest WHERE source = 'prod-oms'"));
        }
    }

    private static TaskSnapshot omsSnapshot(Instant at) throws Exception {
        SourceConfig source = new SourceConfig("prod-oms", Provider.OMS, URI.create("https://example.invalid"), "cn-hangzhou",
                List.of(), Duration.ofSeconds(30), "id", Secret.of("secret"), null, SignatureMethod.ACS3_HMAC_SHA256, null,
                Duration.ofSeconds(5), Duration.ofSeconds(10));
        OmsAdapter adapter = new OmsAdapter();
        List<ApiResponse> responses = new ArrayList<>();
        List<ApiCall> calls = new ArrayList<>();
        List<RawBody> raw = new ArrayList<>();
        Map<String, String> bodies = new LinkedHashMap<>();
        bodies.put("DescribeProject", "seeds/oms/describe-project.json");
        bodies.put("DescribeProjectSteps", "seeds/oms/describe-project-steps.json");
        bodies.put("DescribeProjectComponents", "seeds/oms/describe-project-components.json");
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            String body = resource(e.getValue());
            ApiResponse r = new ApiResponse(e.getKey(), 1, at.plusMillis(3), 40, 200, "application/json", null, body, null);
            responses.add(r);
            calls.add(adapter.classify(r));
            raw.add(new RawBody(e.getKey(), ContentHash.of(body), "application/json", body));
        }
        TaskContent content = adapter.map(source, "np_4w3a1", responses);
        return new TaskSnapshot(UUID.randomUUID().toString(), "prod-oms", "oms", "np_4w3a1", at, content.task(), content.steps(),
                content.components(), content.errors(), calls, raw);
    }

    // ---- plumbing

    /** Runs the fixture statement by statement (one a line); returns the rows inserted per table. */
    private static Map<String, Integer> load(DataSource db) throws Exception {
        Map<String, Integer> inserted = new TreeMap<>();
        String script = resource(FIXTURE);
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            int line = 0;
            for (String sql : script.split("\n")) {
                line++;
                String s = sql.strip();
                if (s.isEmpty() || s.startsWith("--")) {
                    continue;
                }
                assertTrue(s.endsWith(";"), FIXTURE + ":" + line + " is not one whole statement");
                try {
                    st.executeUpdate(s.substring(0, s.length() - 1));
                } catch (SQLException e) {
                    throw new SQLException(FIXTURE + ":" + line + ": " + e.getMessage(), e);
                }
                inserted.merge(s.split("\\s+")[2].toLowerCase(Locale.ROOT), 1, Integer::sum);
            }
            c.commit();
            c.setAutoCommit(true);
        }
        return inserted;
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = UpgradeFromV01Test.class.getClassLoader().getResourceAsStream(name)) {
            assertTrue(in != null, name + " is on the test classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Rows with lower-case column names and database-neutral values: Long, Double, Boolean, LocalDateTime, String. */
    static List<Map<String, Object>> rows(Connection c, String sql) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i).toLowerCase(Locale.ROOT), value(rs, i, md.getColumnType(i)));
                }
                out.add(row);
            }
        } catch (SQLException e) {
            throw new SQLException(e.getMessage() + "\n  in: " + sql, e);
        }
        return out;
    }

    private static Object value(ResultSet rs, int i, int type) throws SQLException {
        Object v;
        switch (type) {
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> v = rs.getObject(i, LocalDateTime.class);
            case Types.BOOLEAN, Types.BIT -> v = rs.getBoolean(i);
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> v = rs.getLong(i);
            case Types.DOUBLE, Types.FLOAT, Types.REAL, Types.NUMERIC, Types.DECIMAL -> v = rs.getDouble(i);
            default -> v = rs.getString(i);
        }
        return rs.wasNull() ? null : v;
    }

    private static long count(Connection c, String sql) throws SQLException {
        return ((Number) rows(c, sql).get(0).get("n")).longValue();
    }

    private static void check(List<String> problems, String what, Object expected, Object actual) {
        Object e = expected instanceof Integer i ? Long.valueOf(i) : expected;
        Object a = actual instanceof Integer i ? Long.valueOf(i) : actual;
        if (!Objects.equals(e, a)) {
            problems.add(what + ": 0.1 had <" + abbreviate(e) + ">, now <" + abbreviate(a) + ">");
        }
    }

    private static String abbreviate(Object v) {
        String s = String.valueOf(v);
        return s.length() <= 160 ? s : s.substring(0, 157) + "...";
    }

    private static void sameRows(List<String> problems, String what, List<Map<String, Object>> old, List<Map<String, Object>> now,
                                 List<String> key, List<String> columns) {
        check(problems, what + " rows", old.size(), now.size());
        Map<List<Object>, Map<String, Object>> byKey = index(now, key);
        Map<List<Object>, Map<String, Object>> oldByKey = index(old, key);
        for (Map.Entry<List<Object>, Map<String, Object>> o : oldByKey.entrySet()) {
            Map<String, Object> n = byKey.get(o.getKey());
            if (n == null) {
                problems.add(what + " " + o.getKey() + ": missing");
                continue;
            }
            for (String col : columns) {
                check(problems, what + " " + o.getKey() + " " + col, o.getValue().get(col), n.get(col));
            }
        }
        for (List<Object> k : byKey.keySet()) {
            if (!oldByKey.containsKey(k)) {
                problems.add(what + " " + k + ": a row 0.1 did not have: " + abbreviate(byKey.get(k)));
            }
        }
    }

    private static Map<List<Object>, Map<String, Object>> index(List<Map<String, Object>> rows, List<String> key) {
        Map<List<Object>, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            if (out.put(pick(r, key), r) != null) {
                throw new AssertionError("two rows with the key " + pick(r, key) + ": " + rows.stream()
                        .filter(x -> pick(x, key).equals(pick(r, key))).map(String::valueOf).collect(Collectors.joining("; ")));
            }
        }
        return out;
    }

    private static List<Object> pick(Map<String, Object> row, List<String> columns) {
        List<Object> out = new ArrayList<>();
        for (String col : columns) {
            out.add(row.get(col));
        }
        return out;
    }

    private static double total(List<Map<String, Object>> rows, String column) {
        return rows.stream().map(r -> r.get(column)).filter(Objects::nonNull).mapToDouble(v -> ((Number) v).doubleValue()).sum();
    }

    private static LocalDateTime min(LocalDateTime a, LocalDateTime b) {
        return a.isBefore(b) ? a : b;
    }

    private static LocalDateTime max(LocalDateTime a, LocalDateTime b) {
        return a.isAfter(b) ? a : b;
    }
}
