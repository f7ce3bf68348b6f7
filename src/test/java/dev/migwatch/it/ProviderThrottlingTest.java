package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.DtsScenario;
import dev.migwatch.simulator.FaultInjector.Fault;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.migwatch.it.FaultTestSupport.awaitSql;
import static dev.migwatch.it.FaultTestSupport.count;
import static dev.migwatch.it.FaultTestSupport.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, "Throttling": Alibaba HTTP 400 Throttling.User with x-acs-retry-after, HTTP 429 with Retry-After,
 * UCloud RetCode >= 2000. The throttled source is paused (its cycles recorded as SKIPPED/THROTTLED) for the
 * time the provider asked, or an exponentially growing pause; the simulator sees no request from it meanwhile.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:migwatch/application.properties", configurationClasses = MigwatchConfiguration.class, properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-ProviderThrottlingTest",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:faults-throttling;DB_CLOSE_DELAY=-1"})
class ProviderThrottlingTest extends SimulatedSourcesTest {
    static final long INTERVAL = 250;
    static final long RETRY_AFTER = 2_000;
    static final String ACS = "np_th_acs";
    static final String ACS_NEIGHBOUR = "np_th_neighbour";
    static final String HTTP_429 = "dts_th_429";
    static final String UCLOUD = "udts-th-retcode";
    static final String UCLOUD_ALWAYS = "udts-th-always";
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(100)
            .withOmsProject(ACS, OmsScenario.FULL_THEN_INCREMENTAL)
            .withOmsProject(ACS_NEIGHBOUR, OmsScenario.FULL_THEN_INCREMENTAL)
            .withDtsJob(HTTP_429, DtsScenario.MIGRATION_WITH_SYNC)
            .withUdtsTask(UCLOUD, UdtsScenario.FULL_AND_INCREMENTAL)
            .withUdtsTask(UCLOUD_ALWAYS, UdtsScenario.FULL_AND_INCREMENTAL));
    static final Map<String, String> PROPS;

    static {
        SIMULATOR.faults()
                .queue(HTTP_429, Fault.tooManyRequests(), 1)
                .queue(UCLOUD, Fault.ucloudThrottle(2001), 1)
                .always(UCLOUD_ALWAYS, Fault.ucloudThrottle(2000));
        PROPS = new FaultTestSupport.Sources(SIMULATOR)
                .oms("th-oms", INTERVAL + "ms", ACS + "," + ACS_NEIGHBOUR)
                .dts("th-dts", INTERVAL + "ms", HTTP_429)
                .udts("th-udts", INTERVAL + "ms", UCLOUD)
                .udts("th-udts-always", INTERVAL + "ms", UCLOUD_ALWAYS)
                .global("migwatch.pause.max-after-throttling", "4s")
                .build();
    }




    ProviderThrottlingTest() {
        super(SIMULATOR, PROPS);
    }

    @Test
    void alibabaThrottlingPausesTheWholeSourceForTheRetryAfter() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'OK'", ACS) >= 2));
        SIMULATOR.faults().queue(ACS, "DescribeProject", Fault.throttle(Duration.ofMillis(RETRY_AFTER)), 1);
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND outcome = 'THROTTLED'", ACS) == 1));
        Map<String, Object> throttled = rows(db, "SELECT called_at, duration_ms, http_status, error_code, error_message, attempt FROM api_call "
                + "WHERE task_id = ? AND outcome = 'THROTTLED'", ACS).get(0);
        assertEquals(400, throttled.get("HTTP_STATUS"));
        assertEquals("Throttling.User", throttled.get("ERROR_CODE"));
        assertEquals(1, throttled.get("ATTEMPT"), "throttling is not retried within the cycle");
        Instant pausedFrom = ((Instant) throttled.get("CALLED_AT")).plusMillis(((Number) throttled.get("DURATION_MS")).longValue());

        // both tasks of the source come back only after the retry-after
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'th-oms' AND outcome = 'OK' AND polled_at > ?",
                java.sql.Timestamp.from(pausedFrom.plusMillis(RETRY_AFTER))) >= 2), "polling resumes after the pause");
        assertQuiet(List.of(ACS, ACS_NEIGHBOUR), pausedFrom, RETRY_AFTER);
        assertSkippedDuring(db, "th-oms", pausedFrom, RETRY_AFTER, 4);
        assertEquals(1, count(db, "SELECT COUNT(*) FROM api_call WHERE source = 'th-oms' AND outcome = 'THROTTLED'"));
        assertEquals(1, count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'th-oms' AND outcome = 'THROTTLED' "
                + "AND api = 'DescribeProject' AND error_code = 'Throttling.User'"), "one cycle decided by the throttled call");
    }

    @Test
    void http429PausesTheSourceForItsRetryAfterSeconds() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'OK'", HTTP_429) >= 2));
        Map<String, Object> throttled = rows(db, "SELECT called_at, duration_ms, http_status, error_code FROM api_call "
                + "WHERE task_id = ? AND outcome = 'THROTTLED'", HTTP_429).get(0);
        assertEquals(429, throttled.get("HTTP_STATUS"));
        assertEquals("Throttling", throttled.get("ERROR_CODE"));
        Instant pausedFrom = ((Instant) throttled.get("CALLED_AT")).plusMillis(((Number) throttled.get("DURATION_MS")).longValue());
        // Retry-After: 1 (second)
        assertQuiet(List.of(HTTP_429), pausedFrom, 1_000);
        assertSkippedDuring(db, "th-dts", pausedFrom, 1_000, 2);
        assertEquals(1, count(db, "SELECT COUNT(*) FROM api_call WHERE source = 'th-dts' AND outcome = 'THROTTLED'"));
        assertEquals(1, count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'th-dts' AND outcome = 'THROTTLED'"));
    }

    @Test
    void ucloudRetCodeFrom2000IsThrottlingAndPausesTheSource() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        assertTrue(awaitSql(10_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'OK'", UCLOUD) >= 2));
        Map<String, Object> throttled = rows(db, "SELECT called_at, duration_ms, http_status, error_code, error_message FROM api_call "
                + "WHERE task_id = ? AND outcome = 'THROTTLED'", UCLOUD).get(0);
        assertEquals(200, throttled.get("HTTP_STATUS"));
        assertEquals("2001", throttled.get("ERROR_CODE"));
        Instant pausedFrom = ((Instant) throttled.get("CALLED_AT")).plusMillis(((Number) throttled.get("DURATION_MS")).longValue());
        // no retry-after from UCloud: the first pause is two intervals
        assertQuiet(List.of(UCLOUD), pausedFrom, 2 * INTERVAL);
        assertSkippedDuring(db, "th-udts", pausedFrom, 2 * INTERVAL, 1);
    }

    @Test
    void aSourceThatKeepsThrottlingIsAskedLessAndLessOften() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        // pauses of 2, 4, 8 intervals, then max-after-throttling (4 s): requests at about 0, 0.5, 1.5, 3.5, 7.5 s
        assertTrue(awaitSql(15_000, () -> SIMULATOR.requestTimes(UCLOUD_ALWAYS).size() >= 5));
        List<Instant> times = SIMULATOR.requestTimes(UCLOUD_ALWAYS);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < times.size(); i++) {
            gaps.add(times.get(i).toEpochMilli() - times.get(i - 1).toEpochMilli());
        }
        assertTrue(gaps.get(0) >= 2 * INTERVAL - 50, "first pause at least two intervals: " + gaps);
        // each pause doubles; a pause ends on the next timer tick, so a gap can run up to one interval long
        for (int i = 1; i < Math.min(gaps.size(), 3); i++) {
            assertTrue(gaps.get(i) >= gaps.get(i - 1) * 3 / 2 - INTERVAL, "pauses grow: " + gaps);
        }
        assertTrue(gaps.stream().allMatch(g -> g <= 4_000 + 2 * INTERVAL), "no pause beyond max-after-throttling: " + gaps);
        long span = times.get(times.size() - 1).toEpochMilli() - times.get(0).toEpochMilli();
        assertTrue(times.size() <= span / INTERVAL / 3 + 2, "never hammered: " + times.size() + " requests in " + span + " ms");
        long served = SIMULATOR.stats().count(UCLOUD_ALWAYS);
        // the last answer may still be on its way to the database
        assertTrue(awaitSql(2_000, () -> count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND outcome = 'THROTTLED'",
                UCLOUD_ALWAYS) >= served), "every request the provider saw is in the poll log: " + served);
        assertTrue(count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND outcome = 'SKIPPED' AND error_code = 'THROTTLED'",
                UCLOUD_ALWAYS) >= 3);
    }

    /** No request for these tasks from just after the throttled answer until the pause has (nearly) run out. */
    private static void assertQuiet(List<String> tasks, Instant from, long pauseMillis) {
        // a neighbour's cycle may have been under way already: its call, sent before the pause began, can reach the
        // simulator a little later, over 100 ms later on a loaded CI machine (seen at 116 ms)
        Instant quietFrom = from.plusMillis(400);
        Instant quietUntil = from.plusMillis(pauseMillis - 50);
        for (String task : tasks) {
            List<Instant> during = SIMULATOR.requestTimes(task).stream()
                    .filter(t -> t.isAfter(quietFrom) && t.isBefore(quietUntil)).toList();
            assertEquals(List.of(), during, task + " must not be asked between " + quietFrom + " and " + quietUntil);
        }
    }

    private static void assertSkippedDuring(DataSource db, String source, Instant from, long pauseMillis, int atLeast) throws Exception {
        long skipped = count(db, "SELECT COUNT(*) FROM api_call WHERE source = ? AND outcome = 'SKIPPED' AND error_code = 'THROTTLED' "
                + "AND api = 'cycle' AND called_at BETWEEN ? AND ?", source, java.sql.Timestamp.from(from),
                java.sql.Timestamp.from(from.plusMillis(pauseMillis)));
        assertTrue(skipped >= atLeast, "skipped cycles recorded during the pause of " + source + ": " + skipped);
        assertTrue(count(db, "SELECT COUNT(*) FROM api_call WHERE source = ? AND outcome = 'SKIPPED' AND error_message LIKE '%paused until%'",
                source) > 0);
    }
}
