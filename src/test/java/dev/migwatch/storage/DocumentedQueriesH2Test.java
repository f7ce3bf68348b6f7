package dev.migwatch.storage;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DocumentedQueriesH2Test {

    @Test
    void everyReadmeQueryAndViewRunsOnH2() throws Exception {
        try (HikariDataSource db = HistoryDatabase.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", null)) {
            HistoryDatabase.migrate(db);
            DocumentedQueries.fill(db);
            check(db);
        }
    }

    /** What both databases must answer the same way. */
    static void check(javax.sql.DataSource db) throws Exception {
        List<String> queries = DocumentedQueries.readmeQueries();
        assertTrue(queries.size() >= 12, "the README's example queries: " + queries.size());
        for (String sql : queries) {
            DocumentedQueries.rows(db, sql);
        }
        // the first README query: the latest state of every task, across the three providers
        Set<String> latest = DocumentedQueries.rows(db, queries.get(0)).stream().map(r -> r.get(1) + "/" + r.get(2))
                .collect(Collectors.toSet());
        assertEquals(Set.of("oms/np_4w3a1", "dts/k2gm967v16f1", "udts/udts-ixdp441"), latest);
        for (String view : List.of("task_sample", "step_sample", "component_sample", "api_call", "v_poll_log", "v_errors",
                "v_task_latest", "v_step_latest", "v_component_latest", "v_full_transfer_progress",
                "v_incremental_delay", "v_poll_failures", "v_step_unchanged", "v_metric_rollup")) {
            DocumentedQueries.rows(db, "SELECT * FROM " + view);
        }
        assertEquals(3, DocumentedQueries.rows(db, "SELECT * FROM v_task_latest").size());
        // the seed's FULL_VERIFY component counts, through the README's verification query
        assertTrue(DocumentedQueries.rows(db, queries.stream().filter(q -> q.contains("'FULL_VERIFY'")).findFirst().orElseThrow())
                .stream().anyMatch(r -> "100".equals(r.get(2)) && "0".equals(r.get(3))));
        // as-of reads (the seed's project is in its PRE_CHECK step): both polls have a value, stored once
        assertEquals("1", DocumentedQueries.rows(db, "SELECT COUNT(*) FROM step_sample WHERE task_id = 'np_4w3a1'"
                + " AND step_key = 'PRE_CHECK'").get(0).get(0));
        List<List<String>> carried = DocumentedQueries.rows(db, queries.stream().filter(q -> q.contains("p.outcome = 'OK'"))
                .findFirst().orElseThrow().replace("processed_records", "progress_pct").replace("FULL_TRANSFER", "PRE_CHECK"));
        assertEquals(2, carried.size(), "one row per successful poll");
        assertTrue(carried.get(0).get(1) != null, "the value as of the first poll");
        assertEquals(carried.get(0).get(1), carried.get(1).get(1), "carried forward to the second");
        // the hourly rollup query answers from the rollups computed by the maintenance run
        String hourly = queries.stream().filter(q -> q.contains("period_s = 3600")).findFirst().orElseThrow();
        assertEquals("1", DocumentedQueries.rows(db, "SELECT COUNT(*) FROM v_metric_rollup WHERE task_id = 'np_4w3a1'"
                + " AND name = 'PRE_CHECK' AND metric = 'progress_pct' AND period_s = 3600 AND sample_count = 2"
                + " AND avg_value = 100").get(0).get(0), () -> {
                    try {
                        return "rollups: " + DocumentedQueries.rows(db, "SELECT * FROM v_metric_rollup WHERE task_id = 'np_4w3a1'");
                    } catch (java.sql.SQLException e) {
                        return e.toString();
                    }
                });
        DocumentedQueries.rows(db, hourly);
        // the hourly query carries a value forward: PRE_CHECK's progress, stored once at 10:00, reads 100 at every later hour
        List<List<String>> hours = DocumentedQueries.rows(db, hourly.replace("FULL_TRANSFER", "PRE_CHECK").replace("dst_rps", "progress_pct"));
        assertEquals(14, hours.size(), hours::toString);
        assertTrue(hours.get(0).get(0).startsWith("2026-01-01 10:00:00") && hours.get(13).get(0).startsWith("2026-01-01 23:00:00"),
                hours::toString);
        assertTrue(hours.stream().allMatch(h -> Double.parseDouble(h.get(1)) == 100.0), hours::toString);
    }
}
