package dev.migwatch.storage;

import dev.migwatch.TestEnvironment;
import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.trends.Metric;
import dev.migwatch.trends.PollFilter;
import dev.migwatch.trends.StepRow;
import dev.migwatch.trends.TaskRow;
import dev.migwatch.trends.TrendQueries;
import dev.migwatch.trends.TrendsService;
import dev.migwatch.trends.TrendsSettings;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production database: migrations, transactional writes, views, the README's queries and the REST
 * API's queries on a real PostgreSQL: the one bin/test-setup installs and starts (TestEnvironment); a missing
 * database fails the test.
 */
class PostgresTest {

    /**
     * The steps of a task that the list reads (TrendQueries.listedStepsOfAllTasks), written out again here: the running ones and
     * the finished ones whose name may be a full data step's. Those it shows, bases an OMS task's counts on, or decides its
     * ETA by.
     */
    static List<StepRow> listedOf(List<StepRow> steps) {
        return steps.stream().filter(s -> "RUNNING".equals(s.status()) || "FINISHED".equals(s.status()) && s.stepName() != null
                && (s.stepName().toUpperCase(java.util.Locale.ROOT).contains("FULL") || s.stepName().contains("全量"))).toList();
    }

    /**
     * The list's rows of every task and its steps (read by key with LATERAL on PostgreSQL) are those of v_task_latest and
     * the listed ones of v_step_latest, which the one-task reads use, each task's steps in TrendQueries.STEP_ORDER; returns
     * the differences.
     */
    static List<String> listAsViews(TrendQueries q) {
        List<String> problems = new java.util.ArrayList<>();
        Map<String, List<StepRow>> steps = q.listedStepsOfAllTasks();
        for (TaskRow row : q.tasks()) {
            TaskRow view = q.task(row.source(), row.taskId()).orElse(null);
            if (!row.equals(view)) {
                problems.add("the list's row of " + row.source() + "/" + row.taskId() + " is " + row + ", v_task_latest's " + view);
            }
            List<StepRow> mine = TrendQueries.stepsOf(steps, row);
            List<StepRow> viewSteps = listedOf(q.stepsNow(row.source(), row.taskId()));
            if (!new java.util.HashSet<>(mine).equals(new java.util.HashSet<>(viewSteps)) || mine.size() != viewSteps.size()) {
                problems.add("the list's steps of " + row.source() + "/" + row.taskId() + " are " + mine + ", v_step_latest's " + viewSteps);
            }
            if (!mine.equals(mine.stream().sorted(TrendQueries.STEP_ORDER).toList())) {
                problems.add("the list's steps of " + row.source() + "/" + row.taskId() + " are not in step order: " + mine);
            }
        }
        return problems;
    }

    @Test
    void theHistoryWorksOnPostgresql() throws Exception {
        String url = TestEnvironment.postgresUrl();
        String schema = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (HikariDataSource admin = HistoryDatabase.open(url, TestEnvironment.postgresUser(),
                TestEnvironment.postgresPassword())) {
            try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + schema);
            }
            String schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            try (HikariDataSource db = HistoryDatabase.open(schemaUrl, TestEnvironment.postgresUser(),
                    TestEnvironment.postgresPassword())) {
                assertTrue(HistoryDatabase.migrate(db) >= 2);
                DocumentedQueries.fill(db);
                DocumentedQueriesH2Test.check(db);

                TrendsService trends = new TrendsService(new TrendQueries(db), TrendsSettings.defaults());
                assertEquals(3, trends.tasks().size());
                assertTrue(trends.task("prod-oms", "np_4w3a1").isPresent());
                TrendQueries q = trends.queries();
                Instant from = Instant.parse("2026-01-01T00:00:00Z");
                Instant to = Instant.parse("2026-01-02T00:00:00Z");
                for (Metric m : Metric.values()) {
                    q.series("prod-oms", "np_4w3a1", m, null, from, to);
                }
                assertFalse(q.errors("prod-oms", "np_4w3a1", from, to, 100).isEmpty());
                assertFalse(q.stepsNow("prod-dts", "k2gm967v16f1").isEmpty());
                assertFalse(q.componentTimeline("prod-oms", "np_4w3a1", from, to).isEmpty());
                assertFalse(q.polls(new PollFilter("prod-oms", "np_4w3a1", null, from, to, 100)).isEmpty());
                assertEquals(List.of(), listAsViews(q));
            } finally {
                try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
                    st.execute("DROP SCHEMA " + schema + " CASCADE");
                }
            }
        }
    }
}
