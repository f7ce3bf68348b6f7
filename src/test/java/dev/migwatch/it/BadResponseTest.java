package dev.migwatch.it;

import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.DtsScenario;
import dev.migwatch.simulator.FaultInjector.Fault;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import dev.migwatch.storage.RawBodies;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.charset.Charset;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.migwatch.it.FaultTestSupport.awaitSql;
import static dev.migwatch.it.FaultTestSupport.count;
import static dev.migwatch.it.FaultTestSupport.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5, bad responses through the real routes: malformed and truncated JSON, HTML error pages and a
 * body that is not UTF-8. Each faulted cycle is a failure in the poll log with the raw body kept for
 * diagnosis and no task rows; the task's next cycles are recorded as usual.
 */
@CamelMainTest(propertyPlaceholderLocations = "classpath:migwatch/application.properties", configurationClasses = MigwatchConfiguration.class, properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-BadResponseTest",
        "camel.server.enabled=false",
        "camel.management.enabled=false",
        "migwatch.db.url=jdbc:h2:mem:faults-bad-response;DB_CLOSE_DELAY=-1"})
class BadResponseTest extends SimulatedSourcesTest {
    static final String UDTS_MALFORMED = "udts-br-malformed";
    static final String UDTS_HTML_200 = "udts-br-html";
    static final String UDTS_NON_UTF8 = "udts-br-gb18030";
    static final String DTS_TRUNCATED = "dts_br_truncated";
    static final String OMS_HTML_502 = "np_br_html502";
    static final String OMS_NON_UTF8 = "np_br_gb18030";
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(100)
            .withUdtsTask(UDTS_MALFORMED, UdtsScenario.FULL_AND_INCREMENTAL)
            .withUdtsTask(UDTS_HTML_200, UdtsScenario.FULL_AND_INCREMENTAL)
            .withUdtsTask(UDTS_NON_UTF8, UdtsScenario.FULL_AND_INCREMENTAL)
            .withDtsJob(DTS_TRUNCATED, DtsScenario.MIGRATION_WITH_SYNC)
            .withOmsProject(OMS_HTML_502, OmsScenario.FULL_THEN_INCREMENTAL)
            .withOmsProject(OMS_NON_UTF8, OmsScenario.FULL_THEN_INCREMENTAL));
    static final Map<String, String> PROPS;

    static {
        SIMULATOR.faults()
                .queue(UDTS_MALFORMED, Fault.malformedJson(), 1)
                .queue(UDTS_HTML_200, Fault.htmlPage(200), 1)
                .queue(UDTS_NON_UTF8, Fault.nonUtf8(), 1)
                .queue(DTS_TRUNCATED, Fault.truncatedBody(), 3)
                .queue(OMS_HTML_502, "DescribeProject", Fault.htmlPage(502), 3)
                .queue(OMS_NON_UTF8, "DescribeProjectSteps", Fault.nonUtf8(), 1);
        PROPS = new FaultTestSupport.Sources(SIMULATOR)
                .udts("br-udts", "300ms", UDTS_MALFORMED + "," + UDTS_HTML_200 + "," + UDTS_NON_UTF8)
                .dts("br-dts", "300ms", DTS_TRUNCATED)
                .oms("br-oms", "300ms", OMS_HTML_502 + "," + OMS_NON_UTF8)
                .global("migwatch.retry.base-delay", "100ms")
                .build();
    }




    BadResponseTest() {
        super(SIMULATOR, PROPS);
    }

    @Test
    void malformedJsonIsABadResponseWithItsBodyKept() throws Exception {
        Map<String, Object> call = faulted(UDTS_MALFORMED, "GetUDTSTaskStatus", "BAD_RESPONSE", 1);
        assertEquals(200, call.get("HTTP_STATUS"));
        String body = rawBody(call);
        assertTrue(body.startsWith("{\"") && !body.endsWith("}"), "the cut JSON as received: " + body);
        assertTrue(call.get("ERROR_MESSAGE").toString().contains("not a JSON object"), call.toString());
    }

    @Test
    void anHtmlPageWithStatus200IsABadResponse() throws Exception {
        Map<String, Object> call = faulted(UDTS_HTML_200, "GetUDTSTaskStatus", "BAD_RESPONSE", 1);
        assertTrue(rawBody(call).contains("<html>"), rawBody(call));
        assertEquals("text/html", call.get("CONTENT_TYPE"));
    }

    @Test
    void anHtml502PageIsAServerErrorRetriedThenGivenUp() throws Exception {
        Map<String, Object> call = faulted(OMS_HTML_502, "DescribeProject", "ERROR", 3);
        assertEquals(502, call.get("HTTP_STATUS"));
        assertEquals("HTTP 502", call.get("ERROR_CODE"));
        assertTrue(rawBody(call).contains("502 Bad Gateway"), rawBody(call));
    }

    @Test
    void aBodyThatIsNotUtf8IsKeptByteForByte() throws Exception {
        for (String[] t : List.of(new String[]{UDTS_NON_UTF8, "GetUDTSTaskStatus"}, new String[]{OMS_NON_UTF8, "DescribeProjectSteps"})) {
            Map<String, Object> call = faulted(t[0], t[1], "BAD_RESPONSE", 1);
            String body = rawBody(call);
            assertTrue(body.startsWith("base64:"), body);
            String decoded = new String(Base64.getDecoder().decode(body.substring("base64:".length())), Charset.forName("GB18030"));
            // decoded with the charset it was really sent in, it is the provider's complete JSON, Chinese text included
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(decoded);
            assertTrue(json.isObject() && decoded.chars().anyMatch(ch -> ch > 0x3000), "the exact bytes received are kept: " + decoded);
        }
    }

    @Test
    void aBodyCutOffByTheConnectionIsANetworkFailureRetried() throws Exception {
        // the connection closes before the announced Content-Length: no complete answer, like a dropped connection
        Map<String, Object> call = faulted(DTS_TRUNCATED, "ListJobStep", "NETWORK", 3);
        assertNull(call.get("HTTP_STATUS"));
        assertTrue(call.get("ERROR_MESSAGE").toString().toLowerCase().contains("closed")
                || call.get("ERROR_MESSAGE").toString().toLowerCase().contains("content-length"), call.toString());
    }

    /**
     * The task's first cycle (the faulted one): its failed call on its last attempt, with the raw body of that API in
     * the cycle's stored answers; checks that the cycle stored no task rows and that the task's next cycles are recorded.
     */
    private Map<String, Object> faulted(String task, String api, String outcome, int attempts) throws Exception {
        DataSource db = FaultTestSupport.db(context);
        assertTrue(awaitSql(15_000, () -> count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'OK'", task) >= 2),
                task + " is recorded again after the bad response");
        Map<String, Object> poll = rows(db, "SELECT source, polled_at, outcome, calls, api FROM v_poll_log WHERE task_id = ? "
                + "ORDER BY polled_at", task).get(0);
        assertEquals(outcome, poll.get("OUTCOME"), "the first cycle failed: " + poll);
        assertEquals(api, poll.get("API"), "decided by the faulted call: " + poll);
        List<Map<String, Object>> calls = rows(db, "SELECT attempt, outcome, http_status, error_code, error_message FROM api_call "
                + "WHERE task_id = ? AND polled_at = ? AND api = ? ORDER BY attempt", task, at(poll), api);
        assertEquals(attempts, calls.size(), calls.toString());
        assertTrue(calls.stream().allMatch(c -> outcome.equals(c.get("OUTCOME"))), "every attempt " + outcome + ": " + calls);
        assertEquals(0, count(db, "SELECT COUNT(*) FROM api_call WHERE task_id = ? AND polled_at = ? AND api <> ?", task, at(poll), api),
                "no other call of the cycle failed");
        String source = (String) poll.get("SOURCE");
        Instant polledAt = (Instant) poll.get("POLLED_AT");
        assertEquals(0, FaultTestSupport.stateRowsAt(db, source, task, polledAt), "no task, step, component or error rows");
        assertEquals(0, count(db, "SELECT COUNT(*) FROM task_sample WHERE task_id = ? AND polled_at <= ?", task,
                java.sql.Timestamp.from(polledAt)), "no task state as of the failed cycle");
        Map<String, Object> last = new LinkedHashMap<>(calls.get(calls.size() - 1));
        assertNotNull(last.get("ERROR_MESSAGE"), last.toString());
        List<RawBodies.Answer> raw = FaultTestSupport.rawBodiesOfApi(db, source, task, polledAt, api);
        if (!raw.isEmpty()) {
            last.put("RAW_API", raw.get(0).body().api());
            last.put("BODY", raw.get(0).body().body());
            last.put("CONTENT_TYPE", raw.get(0).body().contentType());
        }
        return last;
    }

    private static String rawBody(Map<String, Object> call) {
        assertNotNull(call.get("RAW_API"), "the raw body of the failed call is kept: " + call);
        return call.get("BODY").toString();
    }

    /** A poll's time as a parameter: with its task it identifies the poll and its calls. */
    private static java.sql.Timestamp at(Map<String, Object> poll) {
        return java.sql.Timestamp.from((Instant) poll.get("POLLED_AT"));
    }
}
