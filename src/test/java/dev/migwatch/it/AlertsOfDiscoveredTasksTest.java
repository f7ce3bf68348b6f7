package dev.migwatch.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.migwatch.simulator.ProviderSimulator;
import dev.migwatch.simulator.SimClock;
import dev.migwatch.simulator.SimulatorSettings;
import dev.migwatch.simulator.UdtsScenario;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alerts of a task found by listing the account ({@code tasks = *}) belong to the history, not to the memory of the
 * node that listed it: a node whose own list of the account is empty (after a start whose listing has not answered, or
 * in a cluster, a source another node leads and lists) must neither resolve them ("no longer watched") nor leave them
 * out. Here a single node fires on a discovered task, restarts with the provider unreachable, and evaluates on.
 */
class AlertsOfDiscoveredTasksTest {
    static final String TASK = "udts-discovered";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aRestartWhoseListingFailsKeepsTheFiringAlertOfADiscoveredTask() throws Exception {
        SimClock frozen = new SimClock(Instant.now(), 1, () -> 0L);
        String db = "jdbc:h2:file:" + dir.resolve("history");
        try (ProviderSimulator sim = new ProviderSimulator(SimulatorSettings.defaults().withUdtsTask(TASK, UdtsScenario.FAIL_THEN_RECOVER),
                0, frozen, Clock.systemUTC()).start(); RecordingReceiver hook = new RecordingReceiver()) {
            frozen.advance(Duration.ofSeconds(210)); // Failed: the dump was refused
            Main first = node(db, sim.baseUri().toString(), sim, hook);
            first.start();
            try {
                assertTrue(FaultTestSupport.await(30_000, () -> hook.requests("/hook").size() == 1), "fires on the listed task: " + hook.all());
                JsonNode told = JSON.readTree(hook.requests("/hook").get(0).body());
                assertEquals("FIRING " + TASK, told.path("state").asText() + " " + told.path("taskId").asText());
            } finally {
                first.stop();
            }

            // the same history, the provider unreachable: the account cannot be listed, this node knows no task of it
            Main second = node(db, "http://127.0.0.1:" + freePort(), sim, hook);
            second.start();
            try {
                NotifyBuilder evaluated = new NotifyBuilder(second.getCamelContext()).fromRoute("migwatch-alerts-evaluate").whenDone(5).create();
                assertTrue(evaluated.matches(30, TimeUnit.SECONDS), "the rules are evaluated after the restart");
                assertEquals(1, hook.requests("/hook").size(), "nothing resolved the alert of the discovered task: " + hook.all());
                assertEquals("FIRING", alertState(db));
            } finally {
                second.stop();
            }
        }
    }

    private static String alertState(String db) throws Exception {
        try (Connection c = DriverManager.getConnection(db); ResultSet rs = c.createStatement().executeQuery(
                "SELECT state FROM alert WHERE task_id = '" + TASK + "'")) {
            assertTrue(rs.next(), "the alert of " + TASK);
            return rs.getString(1);
        }
    }

    private Main node(String db, String endpoint, ProviderSimulator sim, RecordingReceiver hook) {
        Main m = new Main();
        m.setDefaultPropertyPlaceholderLocation("classpath:migwatch/application.properties");
        m.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/migwatch-*.camel.yaml");
        m.addOverrideProperty("camel.server.port", String.valueOf(freePort()));
        m.addOverrideProperty("camel.main.shutdownTimeout", "5");
        m.configure().addConfiguration(new dev.migwatch.MigwatchConfiguration());
        m.addOverrideProperty("migwatch.db.url", db);
        m.addOverrideProperty("migwatch.journal.dir", dir.resolve("journal").toString());
        String p = "migwatch.sources.acct.";
        m.addOverrideProperty(p + "provider", "udts");
        m.addOverrideProperty(p + "endpoint", endpoint);
        m.addOverrideProperty(p + "public-key", sim.settings().ucloudPublicKey());
        m.addOverrideProperty(p + "private-key", sim.settings().ucloudPrivateKey());
        m.addOverrideProperty(p + "tasks", "*");
        m.addOverrideProperty(p + "discovery-interval", "500ms");
        m.addOverrideProperty(p + "interval", "200ms");
        m.addOverrideProperty("migwatch.alerts.interval", "300ms");
        m.addOverrideProperty("migwatch.alerts.channels.hook.uri", hook.url("/hook"));
        m.addOverrideProperty("migwatch.alerts.rules.failed.condition", "failed");
        m.addOverrideProperty("migwatch.alerts.rules.failed.channels", "hook");
        return m;
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
