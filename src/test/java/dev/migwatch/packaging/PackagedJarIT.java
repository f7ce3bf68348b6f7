package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped jar run the way users run it, each a separate JVM: {@code java -jar target/migwatch.jar}
 * with -D settings against PostgreSQL and against an H2 file database, watching the simulator started as
 * the README says ({@code java -cp target/migwatch.jar dev.migwatch.simulator.SimulatorMain}); and
 * {@code java -jar target/migwatch.jar --demo}. Each must serve its tasks' samples at GET /api/tasks and
 * have written them to its database. Output: target/it-logs/, printed when a test fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackagedJarIT {
    /** The simulator's demo set (SimulatorSettings.demo()): the README's PostgreSQL command watches its two OMS projects. */
    private static final Set<String> SIM_TASKS = Set.of("sim-oms/np_demo_orders", "sim-oms/np_demo_users");
    private static final Set<String> DEMO_TASKS = Set.of("demo-oms/np_demo_orders", "demo-oms/np_demo_users",
            "demo-dts/dtsdemo01", "demo-udts/udts-demo01", "demo-udts/udts-demo02");
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final Path jar = AppProcess.migwatchJar();
    private AppProcess simulator;
    private String simulatorUrl;

    @BeforeAll
    void startSimulator(@TempDir Path dir) throws Exception {
        int port = TestEnvironment.freePort();
        simulatorUrl = "http://127.0.0.1:" + port;
        simulator = AppProcess.start("jar-simulator", dir, List.of("-cp", jar.toString(),
                "dev.migwatch.simulator.SimulatorMain", "--port", String.valueOf(port), "--speed", "60"), Map.of());
        try {
            simulator.awaitHttpOk(simulatorUrl + "/_simulator/stats", Duration.ofSeconds(30));
        } catch (Throwable t) {
            simulator.printOutput();
            throw t;
        }
    }

    @AfterAll
    void stopSimulator() throws Exception {
        if (simulator != null) {
            simulator.close();
        }
    }

    /**
     * The README's command ("Database, reliability and trends"), with a throw-away schema and a free
     * port; the password comes from the environment (MIGWATCH_DB_PASSWORD), never the command line.
     */
    static List<String> userCommand(Path jar, String dbUrl, String dbUser, String simulatorUrl, int httpPort) {
        List<String> c = new ArrayList<>();
        c.add("-Dmigwatch.db.url=" + dbUrl);
        if (dbUser != null) {
            c.add("-Dmigwatch.db.user=" + dbUser);
        }
        c.add("-Dmigwatch.sources.sim-oms.provider=oms");
        c.add("-Dmigwatch.sources.sim-oms.endpoint=" + simulatorUrl);
        c.add("-Dmigwatch.sources.sim-oms.access-key-id=sim-access-key-id");
        c.add("-Dmigwatch.sources.sim-oms.access-key-secret=sim-access-key-secret");
        c.add("-Dmigwatch.sources.sim-oms.tasks=np_demo_orders,np_demo_users");
        c.add("-Dmigwatch.sources.sim-oms.interval=2s");
        c.add("-Dcamel.server.port=" + httpPort);
        c.add("-jar");
        c.add(jar.toString());
        return c;
    }

    /**
     * GET /observe/health answers 200, UP, with exactly these checks, each UP with a message (the shipped
     * application.properties turn health on, on the API's host and port, with every check listed).
     */
    static void assertHealthy(int port, Set<String> checks) throws Exception {
        var r = AppProcess.get("http://127.0.0.1:" + port + "/observe/health");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode health = new ObjectMapper().readTree(r.body());
        assertEquals("UP", health.path("status").asText(), r.body());
        Set<String> seen = new TreeSet<>();
        for (JsonNode c : health.path("checks")) {
            seen.add(c.path("name").asText());
            assertEquals("UP", c.path("status").asText(), r.body());
            assertTrue(c.path("name").asText().equals("context") || !c.path("message").asText().isBlank(), r.body());
        }
        assertEquals(new TreeSet<>(checks), seen, r.body());
    }

    @Test
    void theJarPollsIntoPostgresql(@TempDir Path workDir) throws Exception {
        try (TestPostgres pg = TestPostgres.createSchema()) {
            int port = TestEnvironment.freePort();
            try (AppProcess app = AppProcess.start("jar-postgresql", workDir,
                    userCommand(jar, pg.schemaUrl, pg.user, simulatorUrl, port), Map.of("MIGWATCH_DB_PASSWORD", pg.password))) {
                try {
                    app.awaitSampledTasks(port, SIM_TASKS, WAIT);
                    HistoryCounts counts = pg.counts();
                    assertTrue(counts.migrations() >= 2, "Flyway migrated the PostgreSQL schema: " + counts);
                    assertTrue(counts.okPolls() >= SIM_TASKS.size(), "the polls are in PostgreSQL: " + counts);
                    assertFalse(app.output().contains("No suitable driver"));
                    // the providers' answers come back from PostgreSQL's compressed records exactly as received
                    String raw = AppProcess.get("http://127.0.0.1:" + port + "/api/tasks/sim-oms/np_demo_orders/raw?limit=2").body();
                    assertTrue(raw.contains("\"api\":\"DescribeProject\"") && raw.contains("RequestId"), raw);
                    assertTrue(AppProcess.get("http://127.0.0.1:" + port + "/api/tasks/sim-oms/np_demo_orders/errors").statusCode() == 200);
                    assertHealthy(port, Set.of("context", "migwatch-database", "migwatch-journal", "migwatch-source-sim-oms"));
                } catch (Throwable t) {
                    app.printOutput();
                    throw t;
                }
            }
        }
    }

    @Test
    void theJarPollsIntoAnH2File(@TempDir Path workDir) throws Exception {
        String url = "jdbc:h2:file:" + workDir.resolve("history").resolve("migwatch");
        int port = TestEnvironment.freePort();
        AppProcess app = AppProcess.start("jar-h2", workDir, userCommand(jar, url, null, simulatorUrl, port), Map.of());
        try {
            try {
                app.awaitSampledTasks(port, SIM_TASKS, WAIT);
            } finally {
                app.close(); // the H2 file is read once the application let go of it
            }
            HistoryCounts counts = HistoryCounts.read(url, "", "");
            assertTrue(counts.migrations() >= 2, "Flyway migrated the H2 database: " + counts);
            assertTrue(counts.okPolls() >= SIM_TASKS.size(), "the polls are in the H2 file: " + counts);
        } catch (Throwable t) {
            app.printOutput();
            throw t;
        }
    }

    /** tasks = * from the jar: the account's projects come from ListProjects, none is named in the configuration. */
    @Test
    void theJarDiscoversTheAccountsTasks(@TempDir Path workDir) throws Exception {
        String url = "jdbc:h2:file:" + workDir.resolve("history").resolve("migwatch");
        int port = TestEnvironment.freePort();
        List<String> command = new ArrayList<>(userCommand(jar, url, null, simulatorUrl, port));
        command.replaceAll(a -> a.startsWith("-Dmigwatch.sources.sim-oms.tasks=") ? "-Dmigwatch.sources.sim-oms.tasks=*" : a);
        command.add(command.indexOf("-jar"), "-Dmigwatch.sources.sim-oms.discovery-interval=5s");
        try (AppProcess app = AppProcess.start("jar-discovery", workDir, command, Map.of())) {
            try {
                app.awaitSampledTasks(port, SIM_TASKS, WAIT);
                JsonNode sources = new ObjectMapper().readTree(AppProcess.get("http://127.0.0.1:" + port + "/api/sources").body());
                JsonNode simOms = sources.path("sources").get(0);
                assertEquals("sim-oms", simOms.path("source").asText(), sources.toString());
                assertTrue(simOms.path("discovery").asBoolean(), sources.toString());
                assertTrue(simOms.path("listed").asInt() >= SIM_TASKS.size(), sources.toString());
            } catch (Throwable t) {
                app.printOutput();
                throw t;
            }
        }
    }

    @Test
    void theJarRunsTheDemo(@TempDir Path workDir) throws Exception {
        int port = TestEnvironment.freePort();
        AppProcess app = AppProcess.start("jar-demo", workDir,
                List.of("-Dcamel.server.port=" + port, "-jar", jar.toString(), "--demo"), Map.of());
        try {
            try {
                JsonNode tasks = app.awaitSampledTasks(port, DEMO_TASKS, WAIT);
                assertTrue(tasks.size() >= DEMO_TASKS.size(), tasks.toString());
                assertTrue(AppProcess.get("http://127.0.0.1:" + port + "/").body().contains("<html"), "the dashboard is served");
                assertHealthy(port, Set.of("context", "migwatch-database", "migwatch-journal", "migwatch-source-demo-oms",
                        "migwatch-source-demo-dts", "migwatch-source-demo-udts"));
                String metrics = AppProcess.get("http://127.0.0.1:" + port + "/observe/metrics").body();
                for (String task : DEMO_TASKS) {
                    // one current status per task, whichever the simulated run has reached
                    String[] st = task.split("/");
                    java.util.regex.Pattern current = java.util.regex.Pattern.compile("migwatch_task_status\\{provider=\""
                            + st[0].substring("demo-".length()) + "\",source=\"" + st[0] + "\",status=\"[A-Z]+\",task_id=\"" + st[1]
                            + "\"} 1\\.0");
                    assertEquals(1, metrics.lines().filter(l -> current.matcher(l).matches()).count(), task + " in\n" + metrics);
                }
            } finally {
                app.close();
            }
            HistoryCounts counts = HistoryCounts.read("jdbc:h2:file:" + workDir.resolve("data").resolve("migwatch-demo"), "", "");
            assertTrue(counts.okPolls() >= DEMO_TASKS.size(), "the demo's polls are in ./data/migwatch-demo: " + counts);
        } catch (Throwable t) {
            app.printOutput();
            throw t;
        }
    }

    /**
     * An alert rule and a webhook channel from the jar: a task the account does not have fails every poll, the
     * polls-failing rule fires, and its JSON notification reaches a real HTTP receiver; /api/alerts and the metric show it.
     */
    @Test
    void theJarSendsAnAlert(@TempDir Path workDir) throws Exception {
        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", ex -> {
            try (ex) {
                received.add(ex.getRequestMethod() + " " + new String(ex.getRequestBody().readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8));
                ex.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();
        String url = "jdbc:h2:file:" + workDir.resolve("history").resolve("migwatch");
        int port = TestEnvironment.freePort();
        List<String> command = new ArrayList<>(userCommand(jar, url, null, simulatorUrl, port));
        command.replaceAll(a -> a.startsWith("-Dmigwatch.sources.sim-oms.tasks=")
                ? "-Dmigwatch.sources.sim-oms.tasks=np_demo_orders,np_demo_users,np_not_in_account" : a);
        int at = command.indexOf("-jar");
        command.addAll(at, List.of(
                "-Dmigwatch.alerts.interval=1s",
                "-Dmigwatch.alerts.rules.unreachable.condition=polls-failing",
                "-Dmigwatch.alerts.rules.unreachable.tasks=sim-oms/np_not_in_account",
                "-Dmigwatch.alerts.rules.unreachable.channels=hook",
                "-Dmigwatch.alerts.channels.hook.uri=http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                "-Dmigwatch.alerts.channels.hook.format=json"));
        try (AppProcess app = AppProcess.start("jar-alert", workDir, command, Map.of())) {
            try {
                String notification = received.poll(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(notification != null, "no notification reached the receiver");
                assertTrue(notification.startsWith("POST {"), notification);
                JsonNode n = new ObjectMapper().readTree(notification.substring("POST ".length()));
                assertEquals("unreachable", n.path("rule").asText(), notification);
                assertEquals("FIRING", n.path("state").asText(), notification);
                assertEquals("sim-oms", n.path("source").asText(), notification);
                assertEquals("np_not_in_account", n.path("taskId").asText(), notification);
                assertEquals("polls-failing", n.path("condition").asText(), notification);
                JsonNode alerts = new ObjectMapper().readTree(AppProcess.get("http://127.0.0.1:" + port + "/api/alerts?state=FIRING").body());
                assertTrue(alerts.toString().contains("np_not_in_account"), alerts.toString());
                String metrics = AppProcess.get("http://127.0.0.1:" + port + "/observe/metrics").body();
                assertTrue(metrics.lines().anyMatch(l -> l.matches("migwatch_alerts_firing\\{.*rule=\"unreachable\".*} 1\\.0")), metrics);
                assertEquals(null, received.poll(3, java.util.concurrent.TimeUnit.SECONDS), "one notification, no repeat");
            } catch (Throwable t) {
                app.printOutput();
                throw t;
            }
        } finally {
            receiver.stop(0);
        }
    }
}
