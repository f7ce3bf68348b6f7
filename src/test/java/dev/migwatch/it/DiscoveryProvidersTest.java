package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.DtsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimTasks.SimTask;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.migwatch.it.FaultTestSupport.awaitSql;
import static dev.migwatch.it.FaultTestSupport.column;
import static dev.migwatch.it.FaultTestSupport.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 for DTS and UDTS: DescribeDtsJobs is asked once per job type (MIGRATION and SYNC by default, 30 a page) and
 * its finished jobs are recorded from their entry; ListUDTSTask is paged by offset until a short page, and its finished
 * tasks, whose entries lack what GetUDTSTaskStatus gives, are polled with their own call once per idle interval, back
 * at full rate as soon as the list shows them running again.
 */
@CamelMainTest(configurationClasses = MigwatchConfiguration.class, propertyPlaceholderLocations = "classpath:migwatch/application.properties", properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-discovery-providers-it",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:discovery-providers-it;DB_CLOSE_DELAY=-1"})
class DiscoveryProvidersTest extends SimulatedSourcesTest {
    static final long IDLE_MS = 3_000;
    static final ProviderSimulator SIMULATOR = start();
    static final Map<String, String> PROPS = new FaultTestSupport.Sources(SIMULATOR)
            .dts("dts-all", "500ms", "*")
            .set("dts-all", "discovery-interval", "1s")
            .set("dts-all", "max-requests-per-second", "100")
            .dts("dts-sync", "500ms", "*")
            .set("dts-sync", "discovery-interval", "1s")
            .set("dts-sync", "discover.type", "SYNC")
            .set("dts-sync", "max-requests-per-second", "100")
            .udts("udts-all", "300ms", "*")
            .set("udts-all", "discovery-interval", "500ms")
            .set("udts-all", "idle-interval", IDLE_MS + "ms")
            .set("udts-all", "max-requests-per-second", "100")
            .build();

    DiscoveryProvidersTest() {
        super(SIMULATOR, PROPS);
    }

    private static ProviderSimulator start() {
        ProviderSimulator sim = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(60));
        for (int i = 0; i < 35; i++) {
            sim.tasks().add(SimTask.dts(String.format("dtsdone%02d", i), DtsScenario.FULL_ONLY).named("archive-" + i).aged(Duration.ofDays(1)));
        }
        for (int i = 0; i < 3; i++) {
            sim.tasks().add(SimTask.dts("dtsrun" + i, DtsScenario.MIGRATION_WITH_SYNC).named("orders-" + i));
        }
        sim.tasks().add(SimTask.dts("dtssync", DtsScenario.MIGRATION_WITH_SYNC).typed("SYNC").named("sync-users"));
        sim.tasks().add(SimTask.dts("dtssub", DtsScenario.MIGRATION_WITH_SYNC).typed("SUBSCRIBE"));
        for (int i = 0; i < 42; i++) {
            sim.tasks().add(SimTask.udts(String.format("udts-done%02d", i), UdtsScenario.FULL_ONLY).aged(Duration.ofDays(1)));
        }
        sim.tasks().add(SimTask.udts("udts-run", UdtsScenario.FULL_AND_INCREMENTAL));
        return sim;
    }

    @Test
    void dtsListsEachJobTypeAndRecordsFinishedJobsFromTheList() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        assertTrue(awaitSql(90_000, () -> count(db, "SELECT COUNT(*) FROM v_task_latest WHERE source = 'dts-all' AND sampled_at IS NOT NULL")
                == 39), "35 finished, 3 migrating and 1 synchronizing job; the change tracking job is not listed by default");
        assertEquals(0, count(db, "SELECT COUNT(*) FROM task WHERE task_id = 'dtssub'"));
        assertEquals(List.of("FINISHED"), column(db, "SELECT DISTINCT status FROM v_task_latest WHERE source = 'dts-all' "
                + "AND task_id LIKE 'dtsdone%'"));
        assertEquals("archive-7", column(db, "SELECT task_name FROM v_task_latest WHERE source = 'dts-all' AND task_id = 'dtsdone07'").get(0));
        assertEquals(0, SIMULATOR.stats().count("dtsdone07"), "no ListJobStep for a finished job");
        assertEquals(0, count(db, "SELECT COALESCE(SUM(calls), 0) FROM v_poll_log WHERE source = 'dts-all' AND task_id LIKE 'dtsdone%'"));
        // a running job is polled with ListJobStep, which names no job: its name comes from the list
        assertTrue(awaitSql(30_000, () -> count(db, "SELECT COUNT(*) FROM step_sample WHERE source = 'dts-all' AND task_id = 'dtsrun1'") > 0));
        assertEquals("orders-1", column(db, "SELECT task_name FROM v_task_latest WHERE source = 'dts-all' AND task_id = 'dtsrun1'").get(0));
        assertTrue(SIMULATOR.stats().calls("DescribeDtsJobs") >= 3, "MIGRATION in two pages of 30, SYNC in one");

        assertTrue(awaitSql(30_000, () -> count(db, "SELECT COUNT(*) FROM v_task_latest WHERE source = 'dts-sync'") == 1));
        assertEquals(List.of("dtssync"), column(db, "SELECT task_id FROM v_task_latest WHERE source = 'dts-sync'"));
    }

    @Test
    void udtsIdleTasksArePolledAtTheIdleIntervalAndBackAtFullRateWhenListedRunning() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        assertTrue(awaitSql(90_000, () -> count(db, "SELECT COUNT(*) FROM v_task_latest WHERE source = 'udts-all' AND sampled_at IS NOT NULL")
                == 43), "three pages of 20 (the last short), every task polled once");
        assertTrue(SIMULATOR.stats().calls("ListUDTSTask") >= 3);
        Instant from = Instant.now();
        assertTrue(FaultTestSupport.await(30_000, () -> SIMULATOR.requestTimes("udts-done05").stream().filter(t -> t.isAfter(from)).count() >= 2),
                "an idle task is still polled, once per idle interval");
        List<Instant> idle = SIMULATOR.requestTimes("udts-done05");
        // about once per idle interval, never at the 300 ms of the rounds (half the interval leaves room for a slow request)
        for (int i = 1; i < idle.size(); i++) {
            long gap = idle.get(i).toEpochMilli() - idle.get(i - 1).toEpochMilli();
            assertTrue(gap >= IDLE_MS / 2, "gap between two polls of an idle task: " + gap + " ms in " + idle);
        }
        long running = SIMULATOR.requestTimes("udts-run").stream().filter(t -> t.isAfter(from)).count();
        long idlePolls = idle.stream().filter(t -> t.isAfter(from)).count();
        assertTrue(running > 2 * idlePolls, "a running task is polled every round: " + running + " vs " + idlePolls);

        // started again: the list shows it Dumping, and it is polled every round from the next listing on
        SIMULATOR.tasks().restart("udts-done09");
        assertTrue(awaitSql(30_000, () -> count(db, "SELECT COUNT(*) FROM v_task_latest WHERE source = 'udts-all' AND task_id = 'udts-done09' "
                + "AND status IN ('RUNNING', 'PENDING')") == 1), "back at full rate");
        Instant back = Instant.now();
        assertTrue(FaultTestSupport.await(30_000, () -> SIMULATOR.requestTimes("udts-done09").stream().filter(t -> t.isAfter(back)).count() >= 4),
                "polled every round again");
        List<Instant> again = SIMULATOR.requestTimes("udts-done09").stream().filter(t -> t.isAfter(back)).toList();
        assertTrue(again.get(again.size() - 1).toEpochMilli() - again.get(0).toEpochMilli() < (again.size() - 1) * IDLE_MS,
                "more often than the idle interval: " + again);
    }
}
