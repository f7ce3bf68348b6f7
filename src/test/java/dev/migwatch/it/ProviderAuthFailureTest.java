package dev.migwatch.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.DtsScenario;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.util.List;
import java.util.Map;

import static dev.migwatch.it.FaultTestSupport.awaitSql;
import static dev.migwatch.it.FaultTestSupport.count;
import static dev.migwatch.it.FaultTestSupport.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, "Expired or bad credentials": SignatureDoesNotMatch, InvalidAccessKeyId.NotFound,
 * InvalidSecurityToken.Expired, UDTS RetCode 171 and 172 are recorded as AUTH with the provider's code,
 * logged once (not per poll), and the source is paused instead of retried in a tight loop.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:migwatch/application.properties", configurationClasses = MigwatchConfiguration.class, properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-ProviderAuthFailureTest",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:faults-auth;DB_CLOSE_DELAY=-1"})
class ProviderAuthFailureTest extends SimulatedSourcesTest {
    static final long INTERVAL = 200;
    static final long AUTH_PAUSE = 1_000;
    static final String OMS = "np_au_orders";
    static final String DTS = "dts_au_01";
    static final String UDTS = "udts-au-01";
    /** source -> {task, expected code, expected HTTP status} */
    static final Map<String, String[]> CASES = Map.of(
            "au-bad-secret", new String[]{OMS, "SignatureDoesNotMatch", "400"},
            "au-bad-key-id", new String[]{DTS, "InvalidAccessKeyId.NotFound", "404"},
            "au-expired-token", new String[]{OMS, "InvalidSecurityToken.Expired", "403"},
            "au-ucloud-private", new String[]{UDTS, "171", "200"},
            "au-ucloud-public", new String[]{UDTS, "172", "200"});
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(100)
            .withOmsProject(OMS, OmsScenario.FULL_THEN_INCREMENTAL)
            .withDtsJob(DTS, DtsScenario.MIGRATION_WITH_SYNC)
            .withUdtsTask(UDTS, UdtsScenario.FULL_AND_INCREMENTAL));
    static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();
    static final Map<String, String> PROPS;

    static {
        String i = INTERVAL + "ms";
        PROPS = new FaultTestSupport.Sources(SIMULATOR)
                .oms("au-bad-secret", i, OMS).set("au-bad-secret", "access-key-secret", "not-the-secret")
                .dts("au-bad-key-id", i, DTS).set("au-bad-key-id", "access-key-id", "LTAI-unknown-key")
                .oms("au-expired-token", i, OMS).set("au-expired-token", "security-token", "CAISexpiredSTStoken0123456789abcdef")
                .udts("au-ucloud-private", i, UDTS).set("au-ucloud-private", "private-key", "not-the-private-key")
                .udts("au-ucloud-public", i, UDTS).set("au-ucloud-public", "public-key", "unknown-public-key")
                // a healthy source beside them
                .udts("au-good", i, UDTS)
                .global("migwatch.pause.after-auth-failure", AUTH_PAUSE + "ms")
                .build();
        LOG.start();
        ((Logger) LoggerFactory.getLogger("dev.migwatch.poll")).addAppender(LOG);
    }




    ProviderAuthFailureTest() {
        super(SIMULATOR, PROPS);
    }

    @AfterAll
    static void detachLogCapture() {
        ((Logger) LoggerFactory.getLogger("dev.migwatch.poll")).detachAppender(LOG);
    }

    @Test
    void refusedCredentialsAreRecordedLoggedOnceAndNotRetriedInATightLoop() throws Exception {
        DataSource db = FaultTestSupport.db(context);
        long started = System.currentTimeMillis();
        // let each source go through three pauses
        assertTrue(awaitSql(15_000, () -> CASES.keySet().stream().allMatch(source -> {
            try {
                return count(db, "SELECT COUNT(*) FROM api_call WHERE source = ? AND outcome = 'AUTH'", source) >= 3;
            } catch (Exception e) {
                return false;
            }
        })), "three polls of each refused source");
        long elapsed = System.currentTimeMillis() - started + 1_500; // plus the timer's initial delay

        for (var c : CASES.entrySet()) {
            String source = c.getKey();
            String code = c.getValue()[1];
            List<Map<String, Object>> auth = rows(db, "SELECT attempt, http_status, error_code, error_message FROM api_call "
                    + "WHERE source = ? AND outcome = 'AUTH'", source);
            for (Map<String, Object> a : auth) {
                assertEquals(code, a.get("ERROR_CODE"), source + ": " + a);
                assertEquals(Integer.valueOf(c.getValue()[2]), a.get("HTTP_STATUS"), source + ": " + a);
                assertEquals(1, a.get("ATTEMPT"), "refused credentials are not retried within the cycle: " + a);
            }
            assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE source = ? AND outcome NOT IN ('AUTH', 'SKIPPED')", source));
            // no cycle of the source succeeded or failed otherwise (a successful call would only be counted in the poll row)
            assertEquals(0, count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = ? AND outcome NOT IN ('AUTH', 'SKIPPED')", source));
            assertEquals(0, count(db, "SELECT COUNT(*) FROM v_poll_log p WHERE p.source = ? AND p.outcome = 'AUTH' AND "
                    + "(p.calls <> (SELECT COUNT(*) FROM api_call a WHERE a.source = p.source AND a.task_id = p.task_id "
                    + "AND a.polled_at = p.polled_at AND a.outcome = 'AUTH') "
                    + "OR p.error_code <> ? OR p.error_code IS NULL)", source, code), "an AUTH cycle: refused calls only, each in api_call");
            assertEquals(0, count(db, "SELECT COUNT(*) FROM task_sample WHERE source = ?", source));
            assertTrue(count(db, "SELECT COUNT(*) FROM api_call WHERE source = ? AND outcome = 'SKIPPED' AND error_code = 'AUTH_PAUSE'",
                    source) >= 3, source + " skipped while paused");
            assertTrue(FaultTestSupport.rawBodies(db, source, c.getValue()[0], null, null).stream()
                    .anyMatch(a -> a.body().body() != null && !a.body().body().isBlank()), "the refusal body is kept");

            // no tight loop: about one request per pause, against one per interval without the pause
            long asked = count(db, "SELECT COUNT(*) FROM api_call WHERE source = ? AND outcome = 'AUTH'", source);
            assertTrue(asked <= elapsed / AUTH_PAUSE + 2, source + " asked " + asked + " times in " + elapsed + " ms");

            // one WARN line for the task, however many polls failed
            String key = source + "/" + c.getValue()[0];
            List<String> warnings = LOG.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(key)).toList();
            assertEquals(1, warnings.size(), key + " warned once: " + warnings);
            assertTrue(warnings.get(0).contains("AUTH") && warnings.get(0).contains(code), warnings.get(0));
        }
        // the simulator saw no more than what the poll log shows for the refused sources
        var stats = SIMULATOR.stats();
        long refusedRequests = stats.total() - stats.byOutcome().getOrDefault("OK", 0L);
        assertTrue(awaitSql(2_000, () -> count(db, "SELECT COUNT(*) FROM api_call WHERE outcome = 'AUTH'") >= refusedRequests),
                "every refused request is in the poll log: " + refusedRequests);
        // the healthy source was not affected
        assertTrue(count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'au-good' AND outcome = 'OK'") >= elapsed / INTERVAL / 3);
        assertTrue(count(db, "SELECT COUNT(*) FROM task_sample WHERE source = 'au-good'") > 0);
        assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE source = 'au-good' AND outcome <> 'OK'"));
        assertEquals(0, count(db, "SELECT COUNT(*) FROM v_poll_log WHERE source = 'au-good' AND outcome <> 'OK'"));
    }
}
