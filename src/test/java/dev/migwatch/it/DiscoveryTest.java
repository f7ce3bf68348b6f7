package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.poll.PollCycles;
import dev.migwatch.simulator.FaultInjector;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimTasks.SimTask;
import dev.migwatch.simulator.SimulatorSettings;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.migwatch.it.FaultTestSupport.awaitSql;
import static dev.migwatch.it.FaultTestSupport.column;
import static dev.migwatch.it.FaultTestSupport.count;
import static dev.migwatch.it.FaultTestSupport.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10, discovery: a source with {@code tasks = *} lists an OMS account of 320 projects (ListProjects, 150 a page)
 * and watches them all; 305 of them finished long ago and are recorded from their list entry without a call of their
 * own. A project created while migwatch runs is polled after the next listing, a deleted one is marked gone and no
 * longer polled; a second source on the same account keeps only what its discover.* filters accept.
 */
@CamelMainTest(configurationClasses = MigwatchConfiguration.class, propertyPlaceholderLocations = "classpath:migwatch/application.properties", properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-discovery-it",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:discovery-it;DB_CLOSE_DELAY=-1"})
class DiscoveryTest extends SimulatedSourcesTest {
    static final int RUNNING = 10;
    static final int FINISHED = 305;
    static final int TOTAL = RUNNING + FINISHED + 5;
    static final ProviderSimulator SIMULATOR = start();
    static final Map<String, String> PROPS = new FaultTestSupport.Sources(SIMULATOR)
            .oms("all", "1s", "*")
            .set("all", "discovery-interval", "2s")
            .set("all", "max-requests-per-second", "200")
            .oms("picked", "1s", "*, np_named")
            .set("picked", "discovery-interval", "3s")
            .set("picked", "max-requests-per-second", "200")
            .set("picked", "discover.name", "orders-*, billing-?")
            .set("picked", "discover.status", "RUNNING")
            .set("picked", "discover.labels", "prod")
            .build();

    DiscoveryTest() {
        super(SIMULATOR, PROPS);
    }

    private static ProviderSimulator start() {
        ProviderSimulator sim = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(60).withThreads(8));
        for (int i = 0; i < FINISHED; i++) {
            sim.tasks().add(SimTask.oms(String.format("np_done%03d", i), OmsScenario.FULL_ONLY).aged(Duration.ofDays(2)));
        }
        for (int i = 0; i < RUNNING; i++) {
            sim.tasks().add(SimTask.oms(String.format("np_run%02d", i), OmsScenario.FULL_THEN_INCREMENTAL));
        }
        sim.tasks().add(SimTask.oms("np_orders_eu", OmsScenario.FULL_THEN_INCREMENTAL).named("orders-eu").labelled("prod"))
                .add(SimTask.oms("np_orders_test", OmsScenario.FULL_THEN_INCREMENTAL).named("orders-test").labelled("test"))
                .add(SimTask.oms("np_orders_old", OmsScenario.FULL_ONLY).named("orders-old").labelled("prod").aged(Duration.ofDays(2)))
                .add(SimTask.oms("np_billing", OmsScenario.FULL_THEN_INCREMENTAL).named("billing-1").labelled("prod", "finance"))
                .add(SimTask.oms("np_named", OmsScenario.FULL_ONLY).named("named-by-id").aged(Duration.ofDays(2)));
        return sim;
    }

    /** Waits until every task of the account as it was at start has been recorded (the first listing is the longest). */
    private static void awaitInitialTasks(DataSource db) throws Exception {
        // the tasks other tests of this class create are left out
        String initial = "source = 'all' AND (task_id LIKE 'np_done%' OR task_id LIKE 'np_run%' OR task_id IN ('np_orders_eu', "
                + "'np_orders_test', 'np_orders_old', 'np_billing', 'np_named'))";
        assertTrue(awaitSql(120_000, () -> count(db, "SELECT COUNT(*) FROM v_task_latest WHERE " + initial + " AND sampled_at IS NOT NULL")
                >= TOTAL), () -> "all tasks recorded: " + count0(db, "SELECT COUNT(*) FROM v_task_latest WHERE " + initial));
    }

    @Test
    void everyTaskOfA320ProjectAccountIsWatchedAcrossPages() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        int total = TOTAL;
        awaitInitialTasks(db);
        assertEquals(Set.of("FINISHED"), new HashSet<>(column(db, "SELECT DISTINCT status FROM v_task_latest WHERE source = 'all' "
                + "AND task_id LIKE 'np_done%'")));
        assertEquals("orders-eu", column(db, "SELECT task_name FROM v_task_latest WHERE source = 'all' AND task_id = 'np_orders_eu'").get(0));
        // a listing is three pages of at most 150
        assertTrue(SIMULATOR.stats().calls("ListProjects") >= 3);
        PollCycles cycles = context.getRegistry().lookupByNameAndType("pollCycles", PollCycles.class);
        Map<String, Object> load = cycles.sourceLoads().stream().filter(l -> l.get("source").equals("all")).findFirst().orElseThrow();
        assertTrue((Integer) load.get("tasks") >= total, load.toString());
        assertTrue((Integer) load.get("listed") >= total, load.toString());
        assertEquals(true, load.get("discovery"));
    }

    @Test
    void finishedTasksAreRecordedFromTheListWithoutCallsOfTheirOwn() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        awaitInitialTasks(db);
        // recorded from the ListProjects entry: a poll with no HTTP call, the entry as its raw answer
        assertEquals(0, count(db, "SELECT COALESCE(SUM(calls), 0) FROM v_poll_log WHERE source = 'all' AND task_id LIKE 'np_done%'"));
        for (int i = 0; i < FINISHED; i += 61) {
            assertEquals(0, SIMULATOR.stats().count(String.format("np_done%03d", i)), "no DescribeProject* for an idle project");
        }
        assertEquals(Set.of("ListProjects"), FaultTestSupport.rawBodies(db, "all", "np_done000", java.time.Instant.EPOCH,
                java.time.Instant.now()).stream().map(a -> a.body().api()).collect(java.util.stream.Collectors.toSet()));
        // its steps are those of the entry; its components, which the entry does not carry, were never marked absent
        assertTrue(count(db, "SELECT COUNT(*) FROM step_sample WHERE source = 'all' AND task_id = 'np_done000' AND status = 'FINISHED'") >= 4);
        // running projects are polled with their three calls
        assertTrue(awaitSql(30_000, () -> SIMULATOR.stats().count("np_run00", "OK") >= 6));
    }

    @Test
    void aProjectCreatedWhileRunningIsPolledAfterTheNextListingAndADeletedOneGoes() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        awaitInitialTasks(db);
        SIMULATOR.tasks().add(SimTask.oms("np_created", OmsScenario.FULL_THEN_INCREMENTAL));
        // one listing (2 s) and one round (1 s) later; the wait is generous for a loaded machine, and ends as soon as it is
        assertTrue(awaitSql(60_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'all' AND task_id = 'np_created' "
                + "AND outcome = 'OK'") >= 1), "the created project is polled");

        SIMULATOR.tasks().remove("np_run05");
        assertTrue(awaitSql(60_000, () -> count(db, "SELECT COUNT(*) FROM v_task_latest WHERE source = 'all' AND task_id = 'np_run05' "
                + "AND gone_at IS NOT NULL AND gone_reason = 'DELETED'") == 1), "the deleted project is marked gone");
        // GET /api/tasks (and the dashboard) show it as gone
        var row = new dev.migwatch.trends.TrendQueries(db).task("all", "np_run05").orElseThrow();
        assertTrue(row.goneAt() != null && "DELETED".equals(row.goneReason()), row.toString());
        var metrics = context.getRegistry().lookupByNameAndType("migwatchMetrics", dev.migwatch.observe.MigwatchMetrics.class);
        assertEquals(null, statusOf(metrics, "np_run05"), "a gone task has no series in /observe/metrics");
        long askedWhenGone = SIMULATOR.stats().count("np_run05");
        long listings = SIMULATOR.stats().calls("ListProjects");
        assertTrue(FaultTestSupport.await(60_000, () -> SIMULATOR.stats().calls("ListProjects") >= listings + 7), "more listings");
        assertEquals(askedWhenGone, SIMULATOR.stats().count("np_run05"), "a gone task is no longer polled");
        assertTrue(count(db, "SELECT COUNT(*) FROM task_sample WHERE source = 'all' AND task_id = 'np_run05'") > 0, "its history stays");

        // shown again: back
        SIMULATOR.tasks().add(SimTask.oms("np_run05", OmsScenario.FULL_THEN_INCREMENTAL));
        assertTrue(awaitSql(60_000, () -> count(db, "SELECT COUNT(*) FROM v_task_latest WHERE source = 'all' AND task_id = 'np_run05' "
                + "AND gone_at IS NULL") == 1), "listed again, watched again");
    }

    @Test
    void discoveredTasksHaveMetricsLikeNamedOnes() throws Exception {
        awaitInitialTasks(FaultTestSupport.db(context));
        var metrics = context.getRegistry().lookupByNameAndType("migwatchMetrics", dev.migwatch.observe.MigwatchMetrics.class);
        assertTrue(FaultTestSupport.await(30_000, () -> statusOf(metrics, "np_run02") != null), "a polled discovered task");
        assertEquals("RUNNING", statusOf(metrics, "np_run02"));
        assertEquals("FINISHED", statusOf(metrics, "np_done017"), "a discovered task recorded from the list");
    }

    /** The status a task has in /observe/metrics (migwatch_task_status = 1), null when it has no series. */
    private static String statusOf(dev.migwatch.observe.MigwatchMetrics metrics, String taskId) {
        for (var snapshot : metrics.collect()) {
            if (snapshot.getMetadata().getName().equals("migwatch_task_status")) {
                for (var p : ((io.prometheus.metrics.model.snapshots.GaugeSnapshot) snapshot).getDataPoints()) {
                    if (taskId.equals(p.getLabels().get("task_id")) && "all".equals(p.getLabels().get("source")) && p.getValue() == 1) {
                        return p.getLabels().get("status");
                    }
                }
            }
        }
        return null;
    }

    @Test
    void filtersKeepOnlyMatchingTasksAndTheNamedOnes() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        // orders-eu (running, prod) and billing-1 (running, prod, finance); not orders-test (label), orders-old (finished),
        // nor any other name; np_named is watched because the configuration names it
        assertTrue(awaitSql(60_000, () -> count(db, "SELECT COUNT(*) FROM v_task_latest WHERE source = 'picked' AND sampled_at IS NOT NULL")
                == 3));
        assertEquals(List.of("np_billing", "np_named", "np_orders_eu"),
                column(db, "SELECT task_id FROM v_task_latest WHERE source = 'picked' ORDER BY task_id"));
        PollCycles cycles = context.getRegistry().lookupByNameAndType("pollCycles", PollCycles.class);
        assertEquals(Set.of("np_named", "np_orders_eu", "np_billing"), new HashSet<>(cycles.watchedTasks("picked")));
    }

    @Test
    void aFailedListingIsInThePollLogAndKeepsTheLastList() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        assertTrue(awaitSql(60_000, () -> count(db, "SELECT COUNT(*) FROM v_task_latest WHERE source = 'all' AND task_id = 'np_run07' "
                + "AND sampled_at IS NOT NULL") == 1));
        PollCycles cycles = context.getRegistry().lookupByNameAndType("pollCycles", PollCycles.class);
        int watched = cycles.watchedTasks("all").size();
        // every ListProjects answer fails (a proxy's 502 page, retried, then given up) until both sources logged two failures
        SIMULATOR.faults().always(FaultInjector.ANY_TASK, "ListProjects", FaultInjector.Fault.htmlPage(502));
        try {
            assertTrue(awaitSql(30_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'all' AND task_id = '*' "
                    + "AND outcome <> 'OK'") >= 2), "failed listings are logged under the task *");
        } finally {
            SIMULATOR.faults().stopAlways(FaultInjector.ANY_TASK, "ListProjects");
        }
        Map<String, Object> failed = rows(db, "SELECT api, http_status, outcome FROM v_poll_log WHERE source = 'all' AND task_id = '*' "
                + "ORDER BY polled_at DESC").get(0);
        assertEquals("ListProjects", failed.get("API"));
        assertEquals(502, failed.get("HTTP_STATUS"));
        assertEquals(watched, cycles.watchedTasks("all").size(), "the last known list stays");
        long before = SIMULATOR.stats().count("np_run07", "OK");
        assertTrue(FaultTestSupport.await(20_000, () -> SIMULATOR.stats().count("np_run07", "OK") > before + 3), "still polled");
        assertEquals(0, count(db, "SELECT COUNT(*) FROM v_task_latest WHERE task_id = '*'"), "the listing is not a task");
    }

    private static long count0(DataSource db, String sql) {
        try {
            return count(db, sql);
        } catch (Exception e) {
            return -1;
        }
    }
}
