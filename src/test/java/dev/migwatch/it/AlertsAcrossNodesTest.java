package dev.migwatch.it;

import dev.migwatch.TestEnvironment;

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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert state lives in the database, not in a process: two nodes of a cluster (file cluster service, one H2 file
 * database) run the real routes against the simulator, and one of them alone evaluates the rules (master:). When that
 * node stops, the other takes the evaluation over from the stored alerts: it does not tell the firing alert again, and
 * it tells its resolution. A plain restart of a single node goes through the same path (a new evaluator reading the
 * stored alerts); AlertEvaluatorTest checks it, queued notifications included, step by step.
 */
class AlertsAcrossNodesTest {
    static final String TASK = "udts-nodes";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void oneNodeEvaluatesAndTheNextGoesOnFromTheStoredAlerts() throws Exception {
        SimClock frozen = new SimClock(Instant.now(), 1, () -> 0L);
        try (ProviderSimulator sim = failedTask(frozen); RecordingReceiver hook = new RecordingReceiver()) {
            String db = "jdbc:h2:file:" + dir.resolve("history");
            Main a = node("node-a", db, sim, hook);
            a.start();
            Main b = null;
            try {
                assertTrue(FaultTestSupport.await(30_000, () -> hook.requests("/hook").size() == 1), "node-a fires: " + hook.all());
                b = node("node-b", db, sim, hook);
                b.start();
                NotifyBuilder evaluatedByA = new NotifyBuilder(a.getCamelContext()).fromRoute("migwatch-alerts-evaluate").whenDone(5).create();
                NotifyBuilder evaluatedByB = new NotifyBuilder(b.getCamelContext()).fromRoute("migwatch-alerts-evaluate").whenDone(1).create();
                assertTrue(evaluatedByA.matches(30, TimeUnit.SECONDS), "node-a goes on evaluating");
                assertTrue(!evaluatedByB.matches(0, TimeUnit.SECONDS), "node-b, not the leader of migwatch.alerts, does not evaluate");
                assertEquals(1, hook.requests("/hook").size(), "told once: " + hook.all());

                // node-a stops: node-b leads the evaluation, from the alert node-a stored
                a.stop();
                assertTrue(evaluatedByB.matches(30, TimeUnit.SECONDS), "node-b takes the evaluation over");
                NotifyBuilder moreByB = new NotifyBuilder(b.getCamelContext()).fromRoute("migwatch-alerts-evaluate").whenDone(3).create();
                assertTrue(moreByB.matches(30, TimeUnit.SECONDS));
                assertEquals(1, hook.requests("/hook").size(), "the firing alert is not told again: " + hook.all());

                frozen.advance(Duration.ofSeconds(115)); // Starting: it retries
                assertTrue(FaultTestSupport.await(30_000, () -> hook.requests("/hook").size() == 2), "node-b tells the resolution");
                List<String> told = new ArrayList<>();
                for (RecordingReceiver.Request r : hook.requests("/hook")) {
                    JsonNode n = JSON.readTree(r.body());
                    told.add(n.path("rule").asText() + " " + n.path("state").asText() + " " + n.path("taskId").asText());
                }
                assertEquals(List.of("failed FIRING " + TASK, "failed RESOLVED " + TASK), told);
            } finally {
                if (b != null) {
                    b.stop();
                }
                a.stop();
            }
        }
    }

    /**
     * A rolling restart while the channel is down: the node that led the alerts is still trying a notification again
     * when another node takes the alerts over, and that node sends every notification still QUEUED. Once the channel is
     * back it must get the notification once: the node that no longer leads stops at its next attempt.
     */
    @Test
    void aNotificationBeingRetriedWhenTheLeadershipMovesIsSentOnce() throws Exception {
        SimClock frozen = new SimClock(Instant.now(), 1, () -> 0L);
        try (ProviderSimulator sim = failedTask(frozen); RecordingReceiver hook = new RecordingReceiver()) {
            hook.refuse("/hook", Integer.MAX_VALUE);
            String db = "jdbc:h2:file:" + dir.resolve("history");
            // tried again after 0.2, 0.4, ... 12.8 s: node-a is still trying when the channel is back
            Main a = retrying(node("node-a", db, sim, hook));
            a.start();
            Main b = null;
            try {
                assertTrue(FaultTestSupport.await(30_000, () -> hook.requests("/hook").size() >= 2), "node-a fires and tries again");
                b = retrying(node("node-b", db, sim, hook));
                b.start();
                NotifyBuilder evaluatedByB = new NotifyBuilder(b.getCamelContext()).fromRoute("migwatch-alerts-evaluate").whenDone(1).create();
                NotifyBuilder aEnded = new NotifyBuilder(a.getCamelContext()).fromRoute("alert-channel-hook").whenDone(1).create();
                // node-a stops leading the alerts (its evaluation stops, as when it shuts down) but its channel goes on
                a.getCamelContext().getRouteController().stopRoute("migwatch-alerts-evaluate");
                assertTrue(evaluatedByB.matches(30, TimeUnit.SECONDS), "node-b leads the alerts and queues what is QUEUED");
                hook.refuse("/hook", 0);
                assertTrue(FaultTestSupport.await(30_000, () -> hook.requests("/hook").stream().anyMatch(r -> r.status() == 200)),
                        "delivered once the channel is back: " + hook.all());
                assertTrue(aEnded.matches(40, TimeUnit.SECONDS), "node-a's attempts end");
                List<RecordingReceiver.Request> taken = hook.requests("/hook").stream().filter(r -> r.status() == 200).toList();
                assertEquals(1, taken.size(), "the channel took the notification once: " + taken);
                assertEquals("FIRING", JSON.readTree(taken.get(0).body()).path("state").asText());
            } finally {
                if (b != null) {
                    b.stop();
                }
                a.stop();
            }
        }
    }

    /** The simulator with TASK on a frozen clock, at the point where its dump was refused (Failed). */
    private static ProviderSimulator failedTask(SimClock frozen) throws IOException {
        ProviderSimulator sim = new ProviderSimulator(SimulatorSettings.defaults().withUdtsTask(TASK, UdtsScenario.FAIL_THEN_RECOVER),
                0, frozen, Clock.systemUTC()).start();
        frozen.advance(Duration.ofSeconds(210));
        return sim;
    }

    private static Main retrying(Main node) {
        node.addOverrideProperty("migwatch.alerts.delivery.retries", "7");
        node.addOverrideProperty("migwatch.alerts.delivery.backoff", "200ms");
        return node;
    }

    /**
     * The alerts of a task found by listing the account ({@code tasks = *}) belong to the history, not to the memory of
     * the node that listed it: a node whose own list of the account is empty (after a start whose listing has not
     * answered, or in a cluster a source another node leads and lists) must not resolve them as "no longer watched".
     * Here a single node fires on a discovered task, restarts with the provider unreachable, and evaluates on.
     */
    @Test
    void aRestartWhoseListingFailsKeepsTheFiringAlertOfADiscoveredTask() throws Exception {
        SimClock frozen = new SimClock(Instant.now(), 1, () -> 0L);
        String db = "jdbc:h2:file:" + dir.resolve("history");
        try (ProviderSimulator sim = failedTask(frozen); RecordingReceiver hook = new RecordingReceiver()) {
            Main first = node("node-a", db, sim.baseUri().toString(), "*", false, sim, hook);
            first.start();
            try {
                assertTrue(FaultTestSupport.await(30_000, () -> hook.requests("/hook").size() == 1), "fires on the listed task: " + hook.all());
                JsonNode told = JSON.readTree(hook.requests("/hook").get(0).body());
                assertEquals("FIRING " + TASK, told.path("state").asText() + " " + told.path("taskId").asText());
            } finally {
                first.stop();
            }

            // the same history, the provider unreachable: the account cannot be listed, this node knows no task of it
            Main second = node("node-a", db, "http://127.0.0.1:" + TestEnvironment.freePort(), "*", false, sim, hook);
            second.start();
            try {
                NotifyBuilder evaluated = new NotifyBuilder(second.getCamelContext()).fromRoute("migwatch-alerts-evaluate").whenDone(5).create();
                assertTrue(evaluated.matches(30, TimeUnit.SECONDS), "the rules are evaluated after the restart");
                assertEquals(1, hook.requests("/hook").size(), "nothing resolved the alert of the discovered task: " + hook.all());
            } finally {
                second.stop();
            }
        }
    }

    private Main node(String id, String db, ProviderSimulator sim, RecordingReceiver hook) throws IOException {
        return node(id, db, sim.baseUri().toString(), TASK, true, sim, hook);
    }

    /**
     * @param tasks     the source's tasks (TASK, or * to list the account)
     * @param clustered in the file cluster of the test's directory, else a single node
     */
    private Main node(String id, String db, String endpoint, String tasks, boolean clustered, ProviderSimulator sim,
                      RecordingReceiver hook) throws IOException {
        Main m = new Main();
        m.setDefaultPropertyPlaceholderLocation("classpath:migwatch/application.properties");
        m.addOverrideProperty("camel.main.name", id);
        m.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/migwatch-*.camel.yaml");
        m.addOverrideProperty("camel.server.port", String.valueOf(TestEnvironment.freePort()));
        m.addOverrideProperty("camel.main.shutdownTimeout", "5");
        m.configure().addConfiguration(new dev.migwatch.MigwatchConfiguration());
        m.addOverrideProperty("migwatch.db.url", db);
        m.addOverrideProperty("migwatch.journal.dir", dir.resolve("journal-" + id).toString());
        if (clustered) {
            // both nodes in one cluster (one shared directory): one of them leads the evaluation of the alert rules
            m.addOverrideProperty("migwatch.cluster.type", "file");
            m.addOverrideProperty("migwatch.cluster.file.root", dir.resolve("cluster").toString());
            m.addOverrideProperty("migwatch.cluster.file.lock-interval", "200ms");
            m.addOverrideProperty("migwatch.cluster.node-id", id);
        }
        String p = "migwatch.sources.nodes.";
        m.addOverrideProperty(p + "provider", "udts");
        m.addOverrideProperty(p + "endpoint", endpoint);
        m.addOverrideProperty(p + "public-key", sim.settings().ucloudPublicKey());
        m.addOverrideProperty(p + "private-key", sim.settings().ucloudPrivateKey());
        m.addOverrideProperty(p + "tasks", tasks);
        if (tasks.contains("*")) {
            m.addOverrideProperty(p + "discovery-interval", "500ms");
        }
        m.addOverrideProperty(p + "interval", "200ms");
        m.addOverrideProperty("migwatch.alerts.interval", "300ms");
        m.addOverrideProperty("migwatch.alerts.channels.hook.uri", hook.url("/hook"));
        m.addOverrideProperty("migwatch.alerts.rules.failed.condition", "failed");
        m.addOverrideProperty("migwatch.alerts.rules.failed.channels", "hook");
        return m;
    }

}
