package dev.migwatch.it;

import dev.migwatch.TestEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.alibaba.AlibabaRpcRequests;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.provider.ApiRequest;
import dev.migwatch.simulator.FaultInjector.Fault;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimClock;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.migwatch.it.FaultTestSupport.count;
import static dev.migwatch.it.FaultTestSupport.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /observe/metrics after known cycles of the real routes against the simulator. The simulator's clock stands still
 * (simulated second 3000: one OMS project in incremental sync with a delay, one in full transfer), so its answers
 * are the same at every poll; faults are queued for one task, one per cycle. Polling is stopped before the scrape,
 * so every figure can be compared with what the simulator said and with the poll log, line by line.
 */
@CamelMainTest(configurationClasses = MigwatchConfiguration.class, propertyPlaceholderLocations = "classpath:migwatch/application.properties", properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.dir=target/journal-metrics-it",
        "migwatch.db.url=jdbc:h2:mem:metrics-it;DB_CLOSE_DELAY=-1"})
class MetricsIntegrationTest extends SimulatedSourcesTest {
    static final String ORDERS = "np_m_orders";
    static final String BIG = "np_m_big";
    static final String FAULTY = "np_m_faulty";
    static final String UNKNOWN = "np_m_unknown";
    static final SimClock FROZEN = new SimClock(Instant.now(), 1, () -> 0L);
    static final ProviderSimulator SIMULATOR = start();
    static final int HTTP_PORT = TestEnvironment.freePort();
    static final Map<String, String> PROPS = new FaultTestSupport.Sources(SIMULATOR)
            .global("camel.server.port", String.valueOf(HTTP_PORT))
            // one attempt per call: a queued fault decides its cycle
            .global("migwatch.retry.max-attempts", "1")
            .oms("m-oms", "200ms", ORDERS + "," + BIG)
            .oms("m-faulty", "200ms", FAULTY + "," + UNKNOWN)
            .build();

    MetricsIntegrationTest() {
        super(SIMULATOR, PROPS);
    }

    @Test
    void metricLinesMatchTheSimulatorAndThePollLog() throws Exception {
        // one fault per cycle of FAULTY: DescribeProject is its first call, made once per cycle
        SIMULATOR.faults().queue(FAULTY, OmsAdapter.DESCRIBE_PROJECT, Fault.malformedJson(), 2)
                .queue(FAULTY, OmsAdapter.DESCRIBE_PROJECT, Fault.serverError(), 1);
        // cycles (the split's exchanges) that reached the store, per source: at least six of each task
        NotifyBuilder faultyPolled = new NotifyBuilder(context).fromRoute("poll-m-faulty").wereSentTo("direct:migwatch-store")
                .whenDone(12).create();
        NotifyBuilder omsPolled = new NotifyBuilder(context).fromRoute("poll-m-oms").wereSentTo("direct:migwatch-store")
                .whenDone(8).create();
        assertTrue(faultyPolled.matches(60, TimeUnit.SECONDS) && omsPolled.matches(60, TimeUnit.SECONDS), "cycles of both sources");
        assertTrue(FaultTestSupport.await(10_000, () -> SIMULATOR.faults().pending() == 0), "the faults were served");
        // the counts stand still from here: every cycle under way finishes before a route stops
        context.getRouteController().stopRoute("poll-m-faulty");
        context.getRouteController().stopRoute("poll-m-oms");

        List<String> lines = scrape();
        DataSource db = FaultTestSupport.db(context);

        // polls by outcome: the faults exactly, and every outcome as often as the poll log has it (0 included)
        assertTrue(lines.contains("migwatch_polls_total{outcome=\"BAD_RESPONSE\",provider=\"oms\",source=\"m-faulty\"} 2.0"), grep(lines, "m-faulty").toString());
        assertTrue(lines.contains("migwatch_polls_total{outcome=\"ERROR\",provider=\"oms\",source=\"m-faulty\"} 1.0"), grep(lines, "m-faulty").toString());
        for (String source : List.of("m-faulty", "m-oms")) {
            for (String outcome : List.of("OK", "ERROR", "THROTTLED", "AUTH", "TIMEOUT", "NETWORK", "BAD_RESPONSE", "NOT_FOUND", "SKIPPED")) {
                long logged = count(db, "SELECT COUNT(*) FROM poll p JOIN task t ON t.id = p.task_ref WHERE t.source = ? AND p.outcome = ?",
                        source, outcome);
                String line = "migwatch_polls_total{outcome=\"" + outcome + "\",provider=\"oms\",source=\"" + source + "\"} " + (double) logged;
                assertTrue(lines.contains(line), line + " in " + grep(lines, "polls_total"));
            }
        }
        assertTrue(count(db, "SELECT COUNT(*) FROM v_poll_log WHERE task_id = ? AND outcome = 'NOT_FOUND'", UNKNOWN) >= 6);
        assertEquals(List.of(), grep(lines, UNKNOWN), "a task that never answered has no task series");

        // the delay of the OMS project in incremental sync: exactly what the simulator says (its clock stands still)
        long syncDelay = simulatorAnswer(ORDERS).path("Data").path("ExtraInfo").path("SyncDelay").asLong(-1);
        assertTrue(syncDelay > 0, "the simulator reports a delay at second 3000: " + syncDelay);
        String orders = ",provider=\"oms\",source=\"m-oms\",task_id=\"" + ORDERS + "\"}";
        assertTrue(lines.contains("migwatch_task_delay_seconds{" + orders.substring(1) + " " + (double) syncDelay), grep(lines, ORDERS).toString());
        List<String> incrSync = grep(lines, "migwatch_component_delay_seconds{").stream()
                .filter(l -> l.contains("kind=\"INCR_SYNC\"") && l.contains(ORDERS)).toList();
        assertEquals(1, incrSync.size(), grep(lines, "component_delay").toString());
        assertTrue(incrSync.get(0).endsWith("} " + (double) syncDelay), incrSync.get(0));
        for (String status : List.of("PENDING", "RUNNING", "FINISHED", "FAILED", "STOPPED", "UNKNOWN")) {
            String line = "migwatch_task_status{provider=\"oms\",source=\"m-oms\",status=\"" + status + "\",task_id=\"" + ORDERS + "\"} "
                    + (status.equals("RUNNING") ? "1.0" : "0.0");
            assertTrue(lines.contains(line), line + " in " + grep(lines, "task_status"));
        }

        // the project in full transfer: progress, records and both sides' rows per second as stored
        Map<String, Object> task = rows(db, "SELECT progress_pct, processed_records, total_records FROM v_task_latest WHERE task_id = ?", BIG).get(0);
        String big = "provider=\"oms\",source=\"m-oms\",task_id=\"" + BIG + "\"}";
        assertTrue(lines.contains("migwatch_task_progress_ratio{" + big + " " + ((Number) task.get("PROGRESS_PCT")).doubleValue() / 100),
                grep(lines, BIG).toString());
        assertTrue(lines.contains("migwatch_task_processed_records{" + big + " " + ((Number) task.get("PROCESSED_RECORDS")).doubleValue()),
                grep(lines, BIG).toString());
        assertTrue(lines.contains("migwatch_task_total_records{" + big + " " + ((Number) task.get("TOTAL_RECORDS")).doubleValue()),
                grep(lines, BIG).toString());
        Map<String, Object> step = rows(db, "SELECT src_rps, dst_rps FROM v_step_latest WHERE task_id = ? AND step_key = 'FULL_TRANSFER'", BIG).get(0);
        for (String side : List.of("src", "dst")) {
            String line = "migwatch_step_rows_per_second{provider=\"oms\",side=\"" + side + "\",source=\"m-oms\",step=\"FULL_TRANSFER\",task_id=\""
                    + BIG + "\"} " + ((Number) step.get(side.toUpperCase() + "_RPS")).doubleValue();
            assertTrue(lines.contains(line), line + " in " + grep(lines, "rows_per_second"));
        }

        // per source: the newest successful cycle, not paused; nothing waits in the journal
        Instant lastOk = (Instant) rows(db, "SELECT MAX(p.polled_at) FROM poll p JOIN task t ON t.id = p.task_ref "
                + "WHERE t.source = 'm-faulty' AND p.outcome = 'OK'").get(0).values().iterator().next();
        List<String> lastOkLine = grep(lines, "migwatch_last_successful_poll_timestamp_seconds{provider=\"oms\",source=\"m-faulty\"}");
        assertEquals(1, lastOkLine.size(), lastOkLine.toString());
        assertEquals(lastOk.toEpochMilli() / 1000.0, Double.parseDouble(lastOkLine.get(0).substring(lastOkLine.get(0).lastIndexOf(' ') + 1)),
                0.0015, "the newest OK poll (the poll log keeps microseconds, the metric milliseconds)");
        assertTrue(lines.contains("migwatch_source_paused{provider=\"oms\",source=\"m-faulty\"} 0.0"), grep(lines, "paused").toString());
        assertTrue(lines.contains("migwatch_journal_backlog 0.0"), grep(lines, "journal").toString());
    }

    private static List<String> scrape() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT
                + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"), r.headers().toString());
        return r.body().lines().toList();
    }

    static List<String> grep(List<String> lines, String text) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.contains(text) && !l.startsWith("#")) {
                out.add(l);
            }
        }
        return out;
    }

    /** The simulator's DescribeProject answer, signed as migwatch signs it. */
    private static JsonNode simulatorAnswer(String project) throws Exception {
        SourceConfig source = new SourceConfig("check", Provider.OMS, SIMULATOR.baseUri(), "cn-hangzhou", List.of(project),
                Duration.ofMinutes(1), SIMULATOR.settings().accessKeyId(), Secret.of(SIMULATOR.settings().accessKeySecret()), null,
                SignatureMethod.ACS3_HMAC_SHA256, null, Duration.ofSeconds(2), Duration.ofSeconds(2));
        ApiRequest r = AlibabaRpcRequests.build(source, OmsAdapter.DESCRIBE_PROJECT, OmsAdapter.VERSION, Map.of("Id", project), Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(SIMULATOR.baseUri() + "/"
                + (r.queryString() == null || r.queryString().isEmpty() ? "" : "?" + r.queryString())));
        r.headers().forEach(b::header);
        b.method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(r.body()));
        HttpResponse<String> answer = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return new ObjectMapper().readTree(answer.body());
    }

    private static ProviderSimulator start() {
        FROZEN.advance(Duration.ofSeconds(3000));
        try {
            return new ProviderSimulator(SimulatorSettings.defaults().withOmsProject(ORDERS, OmsScenario.FULL_THEN_INCREMENTAL)
                    .withOmsProject(BIG, OmsScenario.SLOW_FLAKY).withOmsProject(FAULTY, OmsScenario.FULL_THEN_INCREMENTAL), 0,
                    FROZEN, Clock.systemUTC()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
