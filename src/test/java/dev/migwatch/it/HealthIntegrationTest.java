package dev.migwatch.it;

import dev.migwatch.TestEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migwatch.MigwatchConfiguration;
import dev.migwatch.simulator.OmsScenario;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /observe/health of the real application: readiness goes DOWN, with a reason a person can act on, for a source
 * whose credentials the provider refuses and while the history database is away (its snapshots waiting in the
 * journal), and UP again when the database is back; liveness (the Camel context) stays UP all along. The history
 * database is an H2 server in this JVM, reached through a {@link TcpGate} that the test closes and opens.
 */
@CamelMainTest(configurationClasses = MigwatchConfiguration.class, propertyPlaceholderLocations = "classpath:migwatch/application.properties", properties = {
        "camel.main.routes-include-pattern=file:routes/migwatch-polling.camel.yaml,file:routes/migwatch-journal.camel.yaml",
        "migwatch.journal.replay-interval=1s",
        "migwatch.health.database-timeout=1s",
        "migwatch.pause.after-auth-failure=1s"})
class HealthIntegrationTest extends SimulatedSourcesTest {
    static final Server DATABASE = startDatabase(freshDirectory("target/health-it-db"));
    static final TcpGate GATE = new TcpGate(TestEnvironment.freePort(), DATABASE.getPort()).open();
    static final ProviderSimulator SIMULATOR = FaultTestSupport.start(SimulatorSettings.defaults().withSpeed(60)
            .withOmsProject("np_h_orders", OmsScenario.FULL_THEN_INCREMENTAL)
            .withUdtsTask("udts-h-01", UdtsScenario.FULL_AND_INCREMENTAL));
    static final int HTTP_PORT = TestEnvironment.freePort();
    static final Map<String, String> PROPS = new FaultTestSupport.Sources(SIMULATOR)
            .global("camel.server.port", String.valueOf(HTTP_PORT))
            // empty at start: a journal left by an earlier run would be replayed into this run's database
            .global("migwatch.journal.dir", freshDirectory("target/journal-health-it").toString())
            // a file database, as in production, behind the gate
            .global("migwatch.db.url", "jdbc:h2:tcp://127.0.0.1:" + GATE.port() + "/./history")
            .udts("h-good", "300ms", "udts-h-01")
            .oms("h-refused", "300ms", "np_h_orders").set("h-refused", "access-key-secret", "not-the-secret")
            .build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    HealthIntegrationTest() {
        super(SIMULATOR, PROPS);
    }

    @AfterAll
    static void stopDatabase() {
        GATE.close();
        DATABASE.stop();
    }

    @Test
    void readinessSaysWhatIsWrongAndLivenessStaysUp() throws Exception {
        NotifyBuilder bothPolled = new NotifyBuilder(context).fromRoute("poll-h-refused").wereSentTo("direct:migwatch-store").whenDone(1)
                .and().fromRoute("poll-h-good").wereSentTo("direct:migwatch-store").whenDone(1).create();
        assertTrue(bothPolled.matches(30, TimeUnit.SECONDS), "a cycle of each source");

        Health ready = health("/observe/health/ready");
        assertEquals(503, ready.status, ready.body);
        assertEquals("DOWN", ready.json.path("status").asText());
        assertEquals("DOWN", ready.state("migwatch-source-h-refused"), ready.body);
        assertTrue(ready.message("migwatch-source-h-refused").contains("the provider refused its credentials (SignatureDoesNotMatch)"),
                ready.body);
        assertEquals("UP", ready.state("migwatch-source-h-good"), ready.body);
        assertEquals("UP", ready.state("migwatch-database"), ready.body);
        assertEquals("UP", ready.state("migwatch-journal"), ready.body);
        assertEquals("UP", ready.state("context"), ready.body);
        assertLive();

        // the database goes away: a cycle that cannot be written waits in the journal
        GATE.close();
        NotifyBuilder spooled = new NotifyBuilder(context).fromRoute("poll-h-good").wereSentTo("direct:migwatch-store").whenDone(1).create();
        assertTrue(spooled.matches(30, TimeUnit.SECONDS), "a cycle of h-good while the database is away");
        ready = health("/observe/health/ready");
        assertEquals(503, ready.status, ready.body);
        assertEquals("DOWN", ready.state("migwatch-database"), ready.body);
        assertTrue(ready.message("migwatch-database").startsWith("the history database did not answer within 1000 ms")
                || ready.message("migwatch-database").startsWith("the history database cannot be reached"), ready.body);
        assertEquals("DOWN", ready.state("migwatch-journal"), ready.body);
        assertTrue(ready.message("migwatch-journal").matches("\\d+ snapshot\\(s\\) wait in the journal for the history database.*"),
                ready.body);
        assertEquals("UP", ready.state("migwatch-source-h-good"), "the provider is fine: " + ready.body);
        assertLive();

        // back: the journal is written and both database checks are UP again; the refused source is still DOWN
        GATE.open();
        java.util.concurrent.atomic.AtomicReference<Health> recovered = new java.util.concurrent.atomic.AtomicReference<>();
        assertTrue(FaultTestSupport.await(30_000, () -> {
            Health h = health("/observe/health/ready");
            recovered.set(h);
            return "UP".equals(h.state("migwatch-database")) && "UP".equals(h.state("migwatch-journal"));
        }), recovered.get().body);
        ready = recovered.get();
        assertEquals("DOWN", ready.state("migwatch-source-h-refused"), ready.body);
        assertEquals("no snapshot waits for the history database", ready.message("migwatch-journal"), ready.body);
        assertLive();
    }

    private static void assertLive() {
        Health live = health("/observe/health/live");
        assertEquals(200, live.status, live.body);
        assertEquals("UP", live.json.path("status").asText(), live.body);
        assertEquals(Map.of("context", "UP"), live.states(), "liveness is the Camel context alone: " + live.body);
    }

    /** One answer of /observe/health; its body must be JSON (messages come from drivers and providers). */
    record Health(int status, String body, JsonNode json) {
        String state(String check) {
            return states().get(check);
        }

        Map<String, String> states() {
            Map<String, String> m = new LinkedHashMap<>();
            json.path("checks").forEach(c -> m.put(c.path("name").asText(), c.path("status").asText()));
            return m;
        }

        String message(String check) {
            for (JsonNode c : json.path("checks")) {
                if (check.equals(c.path("name").asText())) {
                    return c.path("message").asText();
                }
            }
            return "";
        }
    }

    private static Health health(String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + HTTP_PORT + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Health(r.statusCode(), r.body(), JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Server startDatabase(java.nio.file.Path dir) {
        try {
            return Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", dir.toString()).start();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.nio.file.Path freshDirectory(String dir) {
        java.nio.file.Path p = java.nio.file.Path.of(dir).toAbsolutePath();
        try {
            if (java.nio.file.Files.exists(p)) {
                try (var files = java.nio.file.Files.walk(p)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
            return java.nio.file.Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
