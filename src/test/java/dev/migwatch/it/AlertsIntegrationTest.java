package dev.migwatch.it;

import dev.migwatch.TestEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimClock;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static dev.migwatch.it.FaultTestSupport.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alert rules on the real routes against the simulator, with real receivers: a recording HTTP server for the json,
 * dingtalk and slack channels and GreenMail for email. The simulator's clock stands still and the test moves it, so
 * one UDTS task fails and recovers, and one OMS project stalls in its full transfer, lags in its incremental sync and
 * catches up; then its polls fail (server errors) and succeed again. Each step waits for its notification before the
 * next, and the notifications must come exactly, in this order. Beside them: a channel that refuses twice then takes
 * the notification, and one that is down, whose notifications are recorded as failed deliveries.
 */
@CamelMainTest(configurationClasses = MigwatchConfiguration.class, propertyPlaceholderLocations = "classpath:migwatch/application.properties", properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-*.camel.yaml",
        "migwatch.journal.dir=target/journal-alerts-it",
        "migwatch.db.url=jdbc:h2:mem:alerts-it;DB_CLOSE_DELAY=-1"})
class AlertsIntegrationTest extends SimulatedSourcesTest {
    static final String OMS_TASK = "np_alert";
    static final String UDTS_TASK = "udts-alert";
    static final String DING_TOKEN = "ding-token-5c0ffee";
    static final String DING_SECRET = "SECd1ngta1k5ecret0123456789abcdef";
    static final String DOWN_TOKEN = "down-token-9a8b7c";
    static final SimClock FROZEN = new SimClock(Instant.now(), 1, () -> 0L);
    static final ProviderSimulator SIMULATOR = startSimulator();
    static final RecordingReceiver RECEIVER = new RecordingReceiver()
            .answer("/robot/send", "{\"errcode\":0,\"errmsg\":\"ok\"}")
            // the first notification to this channel is refused twice, then taken at its third attempt
            .refuse("/flaky", 2);
    static final GreenMail MAIL = startMail();
    static final int HTTP_PORT = TestEnvironment.freePort();
    static final int DOWN_PORT = TestEnvironment.freePort();
    static final Map<String, String> PROPS = new FaultTestSupport.Sources(SIMULATOR)
            .global("camel.server.port", String.valueOf(HTTP_PORT))
            // one attempt per call and no breaker: a server error is one failed cycle, every cycle is polled
            .global("migwatch.retry.max-attempts", "1")
            .global("migwatch.breaker.failures-to-open", "100000")
            .global("migwatch.trends.stall-after", "2s")
            .global("migwatch.alerts.interval", "300ms")
            .global("migwatch.alerts.delivery.retries", "2")
            .global("migwatch.alerts.delivery.backoff", "100ms")
            .global("migwatch.alerts.dashboard-url", "https://migwatch.example.com/")
            .global("migwatch.alerts.channels.hook.uri", RECEIVER.url("/hook"))
            .global("migwatch.alerts.channels.hook.format", "json")
            .global("migwatch.alerts.channels.ding.uri", RECEIVER.url("/robot/send?access_token=" + DING_TOKEN))
            .global("migwatch.alerts.channels.ding.format", "dingtalk")
            .global("migwatch.alerts.channels.ding.secret", DING_SECRET)
            .global("migwatch.alerts.channels.slack.uri", RECEIVER.url("/services/T0001/B0001/slackwebhooktoken42"))
            .global("migwatch.alerts.channels.slack.format", "slack")
            .global("migwatch.alerts.channels.mail.uri", "smtp://127.0.0.1:" + MAIL.getSmtp().getPort()
                    + "?from=migwatch@example.com&to=dba@example.com")
            .global("migwatch.alerts.channels.mail.format", "email")
            .global("migwatch.alerts.channels.flaky.uri", RECEIVER.url("/flaky"))
            .global("migwatch.alerts.channels.down.uri", "http://127.0.0.1:" + DOWN_PORT + "/down?token=" + DOWN_TOKEN)
            .global("migwatch.alerts.rules.failed.condition", "failed")
            .global("migwatch.alerts.rules.failed.tasks", "a-udts/*")
            .global("migwatch.alerts.rules.failed.channels", "hook,mail")
            .global("migwatch.alerts.rules.stalled.condition", "stalled")
            .global("migwatch.alerts.rules.stalled.tasks", "a-oms/*")
            .global("migwatch.alerts.rules.stalled.channels", "hook,slack")
            .global("migwatch.alerts.rules.lagging.condition", "delay-above")
            .global("migwatch.alerts.rules.lagging.threshold", "10m")
            .global("migwatch.alerts.rules.lagging.for", "1s")
            .global("migwatch.alerts.rules.lagging.channels", "hook,ding")
            .global("migwatch.alerts.rules.polls-failing.condition", "polls-failing")
            .global("migwatch.alerts.rules.polls-failing.for", "1s")
            .global("migwatch.alerts.rules.polls-failing.tasks", "*/" + OMS_TASK)
            .global("migwatch.alerts.rules.polls-failing.channels", "hook,flaky,down")
            .oms("a-oms", "200ms", OMS_TASK)
            .udts("a-udts", "200ms", UDTS_TASK)
            .build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    AlertsIntegrationTest() {
        super(SIMULATOR, PROPS);
    }

    @AfterAll
    static void stopReceivers() {
        RECEIVER.close();
        MAIL.stop();
    }

    @Test
    void aTaskThatFailsStallsLagsAndRecoversIsToldExactlyInOrder() throws Exception {
        // simulated second 0: the OMS project in its pre-check, the UDTS task created; both polled, nothing to tell
        assertTrue(new NotifyBuilder(context).fromRoute("migwatch-alerts-evaluate").whenDone(3).create().matches(30, TimeUnit.SECONDS));
        assertTrue(FaultTestSupport.await(10_000, () -> polledOk(OMS_TASK) && polledOk(UDTS_TASK)), "both tasks polled");
        assertTrue(new NotifyBuilder(context).fromRoute("migwatch-alerts-evaluate").whenDone(2).create().matches(30, TimeUnit.SECONDS));
        assertEquals(List.of(), hook(), "nothing holds at the start");

        advanceTo(210);  // UDTS: Failed (dump refused); OMS: structure transfer
        awaitHook("failed FIRING a-udts/udts-alert");
        advanceTo(325);  // UDTS: Starting (its retry); OMS: still structure transfer
        awaitHook("failed RESOLVED a-udts/udts-alert");
        advanceTo(600);  // OMS: full transfer RUNNING, and time stands still: it does not move for 2 s
        awaitHook("stalled FIRING a-oms/np_alert");
        // the writer kept the stall for the list with this application's settings (stall-after 2 s), not the defaults
        List<Map<String, Object>> kept = FaultTestSupport.rows(FaultTestSupport.db(context), "SELECT l.eta_settings, l.eta_stalled"
                + " FROM task_latest l JOIN task t ON t.id = l.task_ref WHERE t.task_id = ? AND l.eta_end = l.last_ok_at", OMS_TASK);
        assertEquals(1, kept.size(), kept.toString());
        assertTrue(String.valueOf(kept.get(0).get("ETA_SETTINGS")).endsWith("/2000"), kept.toString());
        assertEquals(Boolean.TRUE, kept.get(0).get("ETA_STALLED"), kept.toString());
        advanceTo(2500); // OMS: incremental sync, 1,600 s behind; the full steps are done
        awaitHook("lagging FIRING a-oms/np_alert");
        advanceTo(6000); // caught up: a few seconds behind
        awaitHook("lagging RESOLVED a-oms/np_alert");
        control("faults", "{\"kind\":\"SERVER_ERROR\",\"task\":\"" + OMS_TASK + "\",\"always\":true}");
        awaitHook("polls-failing FIRING a-oms/np_alert");
        assertTrue(FaultTestSupport.await(10_000, () -> scrape().contains("migwatch_alerts_firing{rule=\"polls-failing\"} 1.0")),
                "the firing alert in /observe/metrics");
        control("faults", "{\"clear\":true}");
        awaitHook("polls-failing RESOLVED a-oms/np_alert");
        // a few more evaluations: nothing else comes
        assertTrue(new NotifyBuilder(context).fromRoute("migwatch-alerts-evaluate").whenDone(4).create().matches(30, TimeUnit.SECONDS));
        assertTrue(FaultTestSupport.await(15_000, () -> RECEIVER.requests("/flaky").size() == 4), "flaky: 3 attempts and 1");

        assertEquals(List.of(
                "failed FIRING a-udts/udts-alert",
                "failed RESOLVED a-udts/udts-alert",
                "stalled FIRING a-oms/np_alert",
                "stalled RESOLVED a-oms/np_alert",
                "lagging FIRING a-oms/np_alert",
                "lagging RESOLVED a-oms/np_alert",
                "polls-failing FIRING a-oms/np_alert",
                "polls-failing RESOLVED a-oms/np_alert"), hook(), "the json channel's notifications, in order");

        // the json format: exactly the documented fields
        JsonNode lagging = body(RECEIVER.requests("/hook").get(4));
        Set<String> fields = new TreeSet<>();
        lagging.fieldNames().forEachRemaining(fields::add);
        assertEquals(new TreeSet<>(List.of("rule", "state", "source", "provider", "taskId", "taskName", "condition", "value",
                "threshold", "since", "message", "url")), fields);
        assertEquals("oms", lagging.path("provider").asText());
        assertEquals("delay-above", lagging.path("condition").asText());
        assertEquals("600", lagging.path("threshold").asText());
        assertTrue(Long.parseLong(lagging.path("value").asText()) > 1000, lagging.toString());
        assertEquals("https://migwatch.example.com/#/task/a-oms/np_alert", lagging.path("url").asText());
        assertTrue(lagging.path("message").asText().startsWith("delay 2"), lagging.toString());
        assertTrue(RECEIVER.requests("/hook").get(4).header("Content-Type").startsWith("application/json"));
        JsonNode failing = body(RECEIVER.requests("/hook").get(6));
        assertEquals("ERROR", failing.path("value").asText(), failing.toString());
        assertTrue(failing.path("message").asText().startsWith("every poll has failed since "), failing.toString());

        // dingtalk: the robot's markdown message, signed for its secret (HmacSHA256 of "timestamp\nsecret", Base64)
        List<RecordingReceiver.Request> ding = RECEIVER.requests("/robot/send");
        assertEquals(2, ding.size(), "lagging fired and resolved");
        for (RecordingReceiver.Request r : ding) {
            Map<String, String> q = query(r.query());
            assertEquals(DING_TOKEN, q.get("access_token"));
            long timestamp = Long.parseLong(q.get("timestamp"));
            assertTrue(Math.abs(System.currentTimeMillis() - timestamp) < 120_000, "a current timestamp: " + timestamp);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(DING_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            assertEquals(Base64.getEncoder().encodeToString(mac.doFinal((timestamp + "\n" + DING_SECRET).getBytes(StandardCharsets.UTF_8))),
                    q.get("sign"));
            assertEquals("markdown", body(r).path("msgtype").asText());
        }
        assertEquals("migwatch FIRING lagging", body(ding.get(0)).path("markdown").path("title").asText());
        assertTrue(body(ding.get(1)).path("markdown").path("text").asText().contains("[Open in migwatch](https://migwatch.example.com/#/task/a-oms/np_alert)"));

        // slack: an incoming webhook's text
        List<RecordingReceiver.Request> slack = RECEIVER.requests("/services/T0001/B0001/slackwebhooktoken42");
        assertEquals(2, slack.size());
        assertTrue(body(slack.get(0)).path("text").asText().startsWith("*FIRING stalled* a-oms/np_alert (alert) · oms\nFULL_TRANSFER has not moved since "),
                body(slack.get(0)).toString());
        assertTrue(body(slack.get(1)).path("text").asText().startsWith("*RESOLVED stalled*"), body(slack.get(1)).toString());

        // email: a readable mail per notification
        assertTrue(MAIL.waitForIncomingEmail(10_000, 2));
        MimeMessage[] mails = MAIL.getReceivedMessages();
        assertEquals(List.of("[migwatch] FIRING failed: a-udts/udts-alert", "[migwatch] RESOLVED failed: a-udts/udts-alert"),
                List.of(mails[0].getSubject(), mails[1].getSubject()));
        String text = mails[0].getContent().toString();
        assertTrue(text.contains("Condition: failed") && text.contains("the task is FAILED (provider status Failed): dump data failed"), text);
        assertEquals("dba@example.com", mails[0].getAllRecipients()[0].toString());

        // deliveries: refused twice then taken; a channel that is down: failed after its retries, its token masked
        DataSource db = FaultTestSupport.db(context);
        List<Map<String, Object>> flaky = rows(db, "SELECT kind, outcome, attempts FROM alert_notification WHERE channel = 'flaky' ORDER BY id");
        assertEquals(List.of(Map.of("KIND", "FIRING", "OUTCOME", "DELIVERED", "ATTEMPTS", 3),
                Map.of("KIND", "RESOLVED", "OUTCOME", "DELIVERED", "ATTEMPTS", 1)), flaky);
        assertTrue(FaultTestSupport.awaitSql(15_000, () -> FaultTestSupport.count(db,
                "SELECT COUNT(*) FROM alert_notification WHERE channel = 'down' AND outcome = 'FAILED'") == 2));
        for (Map<String, Object> down : rows(db, "SELECT attempts, error FROM alert_notification WHERE channel = 'down'")) {
            assertEquals(3, down.get("ATTEMPTS"));
            String error = (String) down.get("ERROR");
            assertTrue(error.contains("127.0.0.1:" + DOWN_PORT) && !error.contains(DOWN_TOKEN), error);
        }

        // the alert history: every alert RESOLVED, lagging PENDING for its "for" before it fired
        JsonNode all = get("/api/alerts");
        List<String> alerts = new ArrayList<>();
        all.path("alerts").forEach(a -> alerts.add(a.path("rule").asText() + " " + a.path("state").asText()));
        assertEquals(List.of("polls-failing RESOLVED", "lagging RESOLVED", "stalled RESOLVED", "failed RESOLVED"), alerts);
        JsonNode lag = all.path("alerts").get(1);
        assertTrue(Duration.between(Instant.parse(lag.path("since").asText()), Instant.parse(lag.path("firedAt").asText())).toMillis() >= 1000,
                lag.toString());
        List<String> lagNotes = new ArrayList<>();
        lag.path("notifications").forEach(n -> lagNotes.add(n.path("kind").asText() + " " + n.path("channel").asText() + " "
                + n.path("outcome").asText() + " " + n.path("attempts").asInt()));
        assertEquals(List.of("FIRING hook DELIVERED 1", "FIRING ding DELIVERED 1", "RESOLVED hook DELIVERED 1", "RESOLVED ding DELIVERED 1"),
                lagNotes);
        assertEquals(0, get("/api/alerts?state=FIRING").path("alerts").size());
        assertEquals(1, get("/api/alerts?state=resolved&limit=1").path("alerts").size());
        assertTrue(scrape().contains("migwatch_alerts_firing{rule=\"polls-failing\"} 0.0"), "every rule has its series");
    }

    @Test
    void badParametersOfTheAlertHistoryAre400s() throws Exception {
        for (String q : List.of("state=BURNING", "from=yesterday", "limit=0", "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + "/api/alerts?" + q)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), q + ": " + r.body());
            JsonNode error = JSON.readTree(r.body());
            assertEquals(400, error.path("status").asInt(), r.body());
            assertFalse(error.path("error").asText().isEmpty(), r.body());
        }
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + "/api/alerts?state=BURNING")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("state must be one of PENDING, FIRING, RESOLVED, not 'BURNING'", JSON.readTree(r.body()).path("error").asText());
    }

    // ---- helpers

    /** The json channel's notifications so far as "rule STATE source/task". */
    private static List<String> hook() {
        List<String> out = new ArrayList<>();
        for (RecordingReceiver.Request r : RECEIVER.requests("/hook")) {
            JsonNode b = body(r);
            out.add(b.path("rule").asText() + " " + b.path("state").asText() + " " + b.path("source").asText() + "/" + b.path("taskId").asText());
        }
        return out;
    }

    private static void awaitHook(String expected) throws InterruptedException {
        assertTrue(FaultTestSupport.await(30_000, () -> hook().contains(expected)), "waited for " + expected + "; got " + hook());
    }

    private boolean polledOk(String task) {
        try {
            return FaultTestSupport.count(FaultTestSupport.db(context), "SELECT COUNT(*) FROM v_task_latest WHERE task_id = ? AND sampled_at IS NOT NULL", task) > 0;
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    /** Moves the simulator's clock (POST /_simulator/clock) to this second of both tasks' lives. */
    private static void advanceTo(double second) {
        double now = FROZEN.elapsedSeconds();
        control("clock", "{\"advanceSeconds\":" + (second - now) + "}");
    }

    private static void control(String what, String json) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(SIMULATOR.baseUri() + "/_simulator/" + what))
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private static String scrape() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + "/observe/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static JsonNode body(RecordingReceiver.Request r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static ProviderSimulator startSimulator() {
        try {
            return new ProviderSimulator(SimulatorSettings.defaults()
                    .withOmsProject(OMS_TASK, OmsScenario.FULL_THEN_INCREMENTAL)
                    .withUdtsTask(UDTS_TASK, UdtsScenario.FAIL_THEN_RECOVER), 0, FROZEN, Clock.systemUTC()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GreenMail startMail() {
        GreenMail mail = new GreenMail(new ServerSetup(TestEnvironment.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        return mail;
    }

}
