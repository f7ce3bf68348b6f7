package dev.migwatch.it;

import dev.migwatch.TestEnvironment;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import dev.migwatch.storage.RawBodies;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Access key secrets, private keys and security tokens are used for signing and nowhere else: after
 * polling with right and wrong credentials, none of them (nor the history database's password, nor the tokens and passwords
 * of alert channels, whose failed deliveries quote their URIs) is in any log line, any database column, any REST answer,
 * /observe/metrics or /observe/health (with its details).
 */
@CamelMainTest(configurationClasses = MigwatchConfiguration.class, propertyPlaceholderLocations = "classpath:migwatch/application.properties", properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-*.camel.yaml",
        "migwatch.journal.dir=target/journal-secrets-it",
        "migwatch.db.url=jdbc:h2:mem:secrets-it;DB_CLOSE_DELAY=-1"})
class SecretsNeverLeakTest extends SimulatedSourcesTest {
    static final String ALIBABA_SECRET = "AlibabaSecret-7f3c9e";
    static final String WRONG_SECRET = "WrongSecret-19b2d4";
    static final String STS_TOKEN = "StsToken-CAIS-5e8a1c";
    static final String PRIVATE_KEY = "UcloudPrivate-2a7d6b";
    static final String DB_PASSWORD = "DbPassword-4c1e8f";
    static final String HTTP_PASSWORD = "HttpPassword-6e0b93";
    static final String ROBOT_TOKEN = "RobotToken-3d9f21";
    static final String ROBOT_SECRET = "SECRobotSecret-8a4c07";
    static final String MAIL_PASSWORD = "MailPassword-b71e5a";
    static final List<String> SECRETS = List.of(ALIBABA_SECRET, WRONG_SECRET, STS_TOKEN, PRIVATE_KEY, DB_PASSWORD, HTTP_PASSWORD,
            ROBOT_TOKEN, ROBOT_SECRET, MAIL_PASSWORD);
    static final ListAppender<ILoggingEvent> LOG = capture();
    static final ProviderSimulator SIMULATOR = start();
    static final int HTTP_PORT = TestEnvironment.freePort();
    /** Nothing listens there: the alert channels fail, and their failures are logged and stored. */
    static final int DOWN_PORT = TestEnvironment.freePort();
    static final Map<String, String> PROPERTIES = properties();




    SecretsNeverLeakTest() {
        super(SIMULATOR, PROPERTIES);
    }

    @AfterAll
    static void detachLogCapture() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOG);
    }

    @Test
    void noSecretInLogsDatabaseOrApi() throws Exception {
        assertTrue(new NotifyBuilder(context).from("timer:*").whenDone(30).wereSentTo("direct:migwatch-store").create()
                .matches(60, TimeUnit.SECONDS));
        DataSource db = context.getRegistry().lookupByNameAndType("migwatchDataSource", DataSource.class);
        // the refused source's polls all fail: an alert to two channels that are down, whose failures quote their URIs
        assertTrue(FaultTestSupport.awaitSql(30_000, () -> FaultTestSupport.count(db,
                "SELECT COUNT(DISTINCT channel) FROM alert_notification WHERE outcome = 'FAILED'") == 2), "both alert channels failed");
        assertTrue(PollingIntegrationTest.count(db, "SELECT COUNT(*) FROM task_sample WHERE source = 'sec-sts'") > 0,
                "the STS source polls successfully");
        assertTrue(PollingIntegrationTest.count(db, "SELECT COUNT(*) FROM api_call WHERE source = 'sec-wrong' AND outcome = 'AUTH'") > 0,
                "the wrong secret was refused");
        assertTrue(PollingIntegrationTest.count(db, "SELECT COUNT(*) FROM api_call WHERE source = 'sec-wrong-sha1' AND outcome = 'AUTH' "
                + "AND error_message LIKE '%SecurityToken%'") > 0, "the refusal echoing the string to sign is recorded, token masked");

        List<String> logLines = new ArrayList<>();
        for (ILoggingEvent e : List.copyOf(LOG.list)) {
            logLines.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())));
        }
        assertFalse(logLines.isEmpty());
        for (String secret : SECRETS) {
            assertEquals(List.of(), logLines.stream().filter(l -> l.contains(secret)).toList(), "log lines with " + secret);
        }

        // every table of the history, column by column (detail_json included); raw_body holds compressed records,
        // so its bodies are decoded and scanned below
        List<String> leaks = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            List<String> tables = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = 'PUBLIC' AND table_type = 'BASE TABLE'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertTrue(tables.stream().map(t -> t.toLowerCase(java.util.Locale.ROOT)).toList().containsAll(List.of("task", "step", "component", "task_state", "step_state", "component_state",
                    "poll", "poll_call", "task_error", "raw_body")), "the history tables: " + tables);
            for (String table : tables) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM \"" + table + "\"")) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            String v = rs.getMetaData().getColumnType(i) == java.sql.Types.VARBINARY
                                    || rs.getMetaData().getColumnType(i) == java.sql.Types.BLOB
                                    || rs.getMetaData().getColumnType(i) == java.sql.Types.LONGVARBINARY
                                    ? new String(rs.getBytes(i) == null ? new byte[0] : rs.getBytes(i), java.nio.charset.StandardCharsets.ISO_8859_1)
                                    : rs.getString(i);
                            for (String secret : SECRETS) {
                                if (v != null && v.contains(secret)) {
                                    leaks.add(table + "." + rs.getMetaData().getColumnName(i));
                                }
                            }
                        }
                    }
                }
            }
            // the raw answers, decoded, for every task ever polled (refusals of the wrong secrets included)
            List<String[]> tasks = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT source, task_id FROM task")) {
                while (rs.next()) {
                    tasks.add(new String[]{rs.getString(1), rs.getString(2)});
                }
            }
            int bodies = 0;
            java.util.Set<String> sourcesWithBodies = new java.util.TreeSet<>();
            for (String[] t : tasks) {
                for (RawBodies.Answer a : RawBodies.read(c, t[0], t[1], null, null, Integer.MAX_VALUE)) {
                    bodies++;
                    sourcesWithBodies.add(t[0]);
                    for (String secret : SECRETS) {
                        if (a.body().body() != null && a.body().body().contains(secret)) {
                            leaks.add("raw_body " + t[0] + "/" + t[1] + " at " + a.receivedAt() + " (" + a.body().api() + ")");
                        }
                    }
                }
            }
            assertTrue(bodies > 0 && sourcesWithBodies.containsAll(List.of("sec-sts", "sec-wrong", "sec-wrong-sha1", "sec-udts")),
                    "raw bodies decoded: " + bodies + " of " + sourcesWithBodies);
        }
        assertEquals(List.of(), leaks, "database columns holding a secret");

        HttpClient http = HttpClient.newHttpClient();
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + "/api/tasks"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("viewer:wrong".getBytes(
                        java.nio.charset.StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        for (String path : List.of("/api/tasks", "/api/polls?limit=5000", "/api/tasks/sec-sts/np_sec_1",
                "/api/tasks/sec-udts/udts-sec-1", "/api/tasks/sec-sts/np_sec_1/errors", "/api/alerts", "/observe/metrics",
                "/observe/health?exposureLevel=full&data=true&stackTrace=true", "/observe/health/ready?data=true")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + path))
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("viewer:" + HTTP_PASSWORD)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            // the sources with wrong secrets make readiness DOWN (503), and say so
            int expected = path.startsWith("/observe/health") ? 503 : 200;
            assertEquals(expected, r.statusCode(), path + " " + r.body());
            if (path.startsWith("/observe/health")) {
                assertTrue(r.body().contains("migwatch-source-sec-wrong") && r.body().contains("refused its credentials"), r.body());
            } else if (path.equals("/observe/metrics")) {
                assertTrue(r.body().contains("migwatch_polls_total{outcome=\"AUTH\",provider=\"oms\",source=\"sec-wrong\"}"), r.body());
            }
            for (String secret : SECRETS) {
                assertFalse(r.body().contains(secret), path + " shows " + secret);
            }
        }
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
        return appender;
    }

    private static ProviderSimulator start() {
        try {
            return new ProviderSimulator(SimulatorSettings.defaults().withSpeed(200)
                    .withAlibabaCredentials("sec-key-id", ALIBABA_SECRET).withSecurityToken(STS_TOKEN)
                    .withUcloudKeys("sec-public", PRIVATE_KEY)
                    .withOmsProject("np_sec_1", OmsScenario.SLOW_FLAKY)
                    .withUdtsTask("udts-sec-1", UdtsScenario.FAIL_THEN_RECOVER), 0).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    private static Map<String, String> properties() {
        // the simulator's credentials are the secrets above, so every source signs with them
        return new FaultTestSupport.Sources(SIMULATOR)
                .global("camel.server.port", String.valueOf(HTTP_PORT))
                // the history database has a password too (H2 sets it on the in-memory database's first connection)
                .global("migwatch.db.user", "sa")
                .global("migwatch.db.password", DB_PASSWORD)
                // the HTTP credentials are secrets like the providers' (a 401 is asked for below, so that they are used)
                .global("migwatch.http.auth", "basic").global("migwatch.http.user", "viewer")
                .global("migwatch.http.password", HTTP_PASSWORD)
                // alert channels with a token, a signing secret and a mail password in their URIs, both down
                .global("migwatch.alerts.interval", "300ms")
                .global("migwatch.alerts.delivery.retries", "1")
                .global("migwatch.alerts.delivery.backoff", "100ms")
                .global("migwatch.alerts.rules.refused.condition", "polls-failing")
                .global("migwatch.alerts.rules.refused.tasks", "sec-wrong/*")
                .global("migwatch.alerts.rules.refused.channels", "robot,mail")
                .global("migwatch.alerts.channels.robot.uri", "http://127.0.0.1:" + DOWN_PORT + "/robot/send?access_token=" + ROBOT_TOKEN)
                .global("migwatch.alerts.channels.robot.format", "dingtalk")
                .global("migwatch.alerts.channels.robot.secret", ROBOT_SECRET)
                .global("migwatch.alerts.channels.mail.uri", "smtp://alerts:" + MAIL_PASSWORD + "@127.0.0.1:" + DOWN_PORT + "?to=dba@example.com")
                .global("migwatch.alerts.channels.mail.format", "email")
                .oms("sec-sts", "300ms", "np_sec_1").set("sec-sts", "security-token", STS_TOKEN)
                .oms("sec-sha1", "300ms", "np_sec_1").set("sec-sha1", "security-token", STS_TOKEN)
                .set("sec-sha1", "signature-method", "HMAC-SHA1")
                .oms("sec-wrong", "300ms", "np_sec_1").set("sec-wrong", "access-key-secret", WRONG_SECRET)
                // the combination that leaks when nothing masks: HMAC-SHA1 with a token and a refused signature,
                // whose answer echoes the string to sign, token included
                .oms("sec-wrong-sha1", "300ms", "np_sec_1").set("sec-wrong-sha1", "access-key-secret", WRONG_SECRET)
                .set("sec-wrong-sha1", "security-token", STS_TOKEN).set("sec-wrong-sha1", "signature-method", "HMAC-SHA1")
                .udts("sec-udts", "300ms", "udts-sec-1")
                .build();
    }
}
