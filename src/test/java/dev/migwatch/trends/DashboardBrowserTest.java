package dev.migwatch.trends;

import dev.migwatch.TestEnvironment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loads the dashboard of the real application in demo mode in headless Chromium: the task list must show the
 * five simulated tasks (and one of a source nobody answers, whose alert fires: on its row and on its page), a task
 * page's progress chart must have drawn points (app.js sets data-drawn on each chart box), and screenshots go to
 * target/dashboard-tasks.png, target/dashboard-task.png and target/dashboard-task-alert.png.
 *
 * <p>The application runs as {@code MigwatchApplication --demo} in a child JVM on the test classpath (so the
 * routes come from classpath:migwatch/routes/, copied there by the pom), in a fresh temporary working directory (so
 * its ./data/migwatch-demo database starts empty), with its output in target/demo-app.log. The demo sources
 * are polled every second instead of every 5 s (-D wins over the demo's own properties) so the charts have
 * enough points after a few seconds. It runs as a one-node file cluster named {@value #NODE}, so the dashboard must show
 * which node leads each source and made each task's newest poll.
 *
 * <p>Chromium is required: bin/test-setup installs it; a missing browser fails the test (TestEnvironment).
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("migwatch.chromium", "/usr/bin/chromium"));
    private static final Path APP_LOG = Path.of("target/demo-app.log").toAbsolutePath();
    /**
     * SimulatorSettings.demo() with the sources DemoMode.demoProperties gives them, and one source added here whose endpoint
     * nobody answers: its task's polls all fail, so that the alert rule added here fires for it.
     */
    private static final String BROKEN_TASK = "demo-broken/np_broken";
    private static final Set<String> DEMO_TASKS = Set.of("demo-oms/np_demo_orders", "demo-oms/np_demo_users",
            "demo-dts/dtsdemo01", "demo-udts/udts-demo01", "demo-udts/udts-demo02", BROKEN_TASK);
    private static final String CHART_TASK = "demo-oms/np_demo_orders";
    /** Samples of one step the progress chart must have before the browser looks at it. */
    private static final int MIN_SAMPLES = 5;
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
    private static final String NODE = "dash-node";
    private static final Set<String> DEMO_SOURCES = Set.of("demo-oms", "demo-dts", "demo-udts", "demo-broken");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Path> TEMP_DIRS = new ArrayList<>();
    private static Process app;
    private static String base;

    @BeforeAll
    static void startDemoApp() throws Exception {
        TestEnvironment.require(Files.isExecutable(CHROMIUM), "headless Chromium not found at " + CHROMIUM
                + " (Debian's chromium and chromium-driver): this test needs a real browser");
        int port = TestEnvironment.freePort();
        base = "http://127.0.0.1:" + port;
        Path workDir = tempDir("migwatch-demo-app");
        Files.createDirectories(APP_LOG.getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dcamel.server.port=" + port));
        for (String source : DEMO_SOURCES) {
            cmd.add("-Dmigwatch.sources." + source + ".interval=1s");
        }
        cmd.addAll(List.of("-Dmigwatch.cluster.type=file", "-Dmigwatch.cluster.file.root=" + workDir.resolve("cluster"),
                "-Dmigwatch.cluster.file.lock-interval=200ms", "-Dmigwatch.cluster.node-id=" + NODE));
        int nobody = TestEnvironment.freePort();
        for (String p : List.of("provider=oms", "endpoint=http://127.0.0.1:" + nobody, "access-key-id=id", "access-key-secret=secret",
                "tasks=np_broken", "interval=1s")) {
            cmd.add("-Dmigwatch.sources.demo-broken." + p);
        }
        cmd.addAll(List.of("-Dmigwatch.alerts.rules.unreachable.condition=polls-failing", "-Dmigwatch.alerts.interval=1s"));
        cmd.addAll(List.of("dev.migwatch.MigwatchApplication", "--demo"));
        app = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(APP_LOG.toFile()).start();
        waitForDemoData();
    }

    @AfterAll
    static void stopDemoApp() throws Exception {
        try {
            if (app != null) {
                app.destroy();
                if (!app.waitFor(10, TimeUnit.SECONDS)) {
                    app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            for (Path dir : TEMP_DIRS) {
                deleteTree(dir);
            }
        }
    }

    @Test
    void taskListShowsTheSimulatedTasks() throws Exception {
        Path png = Path.of("target/dashboard-tasks.png").toAbsolutePath();
        String dom = chromium(base + "/", png, 1100);
        assertTrue(dom.contains("data-state=\"ready\""), "task list finished loading: " + excerpt(dom));
        assertEquals(DEMO_TASKS.size(), intAttr(dom, "data-tasks"), "tasks listed");
        Set<String> rows = new TreeSet<>();
        Matcher m = Pattern.compile("data-task=\"([^\"]+)\"").matcher(dom);
        while (m.find()) {
            rows.add(m.group(1));
        }
        assertEquals(new TreeSet<>(DEMO_TASKS), rows, "task rows");
        // the node that made each task's newest poll, and the node leading each source
        Matcher polls = Pattern.compile("class=\"lastpoll\" data-node=\"([^\"]*)\"").matcher(dom);
        List<String> pollNodes = new ArrayList<>();
        while (polls.find()) {
            pollNodes.add(polls.group(1));
        }
        assertEquals(java.util.Collections.nCopies(DEMO_TASKS.size(), NODE), pollNodes, "node of each task's newest poll");
        Set<String> led = new TreeSet<>();
        Matcher sources = Pattern.compile("class=\"source\" data-source=\"([^\"]+)\" data-node=\"([^\"]*)\"").matcher(dom);
        while (sources.find()) {
            assertEquals(NODE, sources.group(2), "leader of " + sources.group(1));
            led.add(sources.group(1));
        }
        assertEquals(new TreeSet<>(DEMO_SOURCES), led, "sources shown with their leader");
        assertTrue(dom.contains("led by <b>" + NODE + "</b>"), "the leader named: " + excerpt(dom));
        assertEquals(1, intAttr(dom, "data-alerts"), "alerts firing");
        Matcher brokenRow = Pattern.compile("<tr[^>]*data-task=\"" + BROKEN_TASK + "\".*?</tr>", Pattern.DOTALL).matcher(dom);
        assertTrue(brokenRow.find() && brokenRow.group().contains("data-rule=\"unreachable\""), "the firing alert on its task's row");
        assertTrue(Files.size(png) > 10_000, "screenshot written: " + png);
    }

    @Test
    void taskPageShowsItsFiringAlerts() throws Exception {
        Path png = Path.of("target/dashboard-task-alert.png").toAbsolutePath();
        String dom = chromium(base + "/#/task/" + BROKEN_TASK, png, 900);
        assertTrue(dom.contains("data-state=\"ready\""), "task page finished loading: " + excerpt(dom));
        assertEquals(1, chartAttr(dom, "task-alerts", "data-alerts"), "the alerts card lists the firing alert");
        assertTrue(dom.contains("data-rule=\"unreachable\"") && dom.contains("every poll has failed since"), excerpt(dom));
    }

    @Test
    void taskPageDrawsItsProgressChart() throws Exception {
        Path png = Path.of("target/dashboard-task.png").toAbsolutePath();
        // tall enough for the four charts and their legends
        String dom = chromium(base + "/#/task/" + CHART_TASK, png, 2000);
        assertTrue(dom.contains("data-state=\"ready\""), "task page finished loading: " + excerpt(dom));
        int drawn = chartAttr(dom, "chart-progress", "data-drawn");
        assertTrue(drawn >= MIN_SAMPLES, "progress chart points drawn: " + drawn);
        assertTrue(dom.contains("<canvas"), "a chart canvas exists");
        assertTrue(Files.size(png) > 10_000, "screenshot written: " + png);
    }

    /** Until /api/tasks lists the demo tasks, the chart task has MIN_SAMPLES samples of a step and the alert fires. */
    private static void waitForDemoData() throws Exception {
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        String seen = "nothing yet";
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                fail("the demo app exited with code " + app.exitValue() + " before serving its tasks; "
                        + "end of " + APP_LOG + ":\n" + logTail());
            }
            try {
                Set<String> listed = new TreeSet<>();
                for (JsonNode t : JSON.readTree(get("/api/tasks")).path("tasks")) {
                    listed.add(t.path("source").asText() + "/" + t.path("taskId").asText());
                }
                int samples = 0;
                if (listed.containsAll(DEMO_TASKS)) {
                    JsonNode series = JSON.readTree(get("/api/tasks/" + CHART_TASK + "/series?metric=progress&points=300"));
                    for (JsonNode s : series.path("series")) {
                        samples = Math.max(samples, s.path("points").size());
                    }
                }
                int firing = JSON.readTree(get("/api/alerts?state=FIRING")).path("alerts").size();
                seen = "tasks " + listed + ", " + samples + " progress samples of " + CHART_TASK + ", " + firing + " alert(s) firing";
                if (samples >= MIN_SAMPLES && firing == 1) {
                    return;
                }
            } catch (IOException e) {
                seen = "no answer from " + base + " (" + e + ")";
            }
            Thread.sleep(500);
        }
        fail("the demo app did not show the demo tasks with " + MIN_SAMPLES + " samples and a firing alert within "
                + STARTUP_LIMIT.toSeconds() + " s (last seen: " + seen + "); end of " + APP_LOG + ":\n" + logTail());
    }

    private static String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(5)).header("Accept", "application/json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    /** One headless Chromium run with a fresh profile: the DOM after the page's scripts ran, and a screenshot 1440 px wide. */
    private static String chromium(String url, Path screenshot, int height) throws Exception {
        Files.deleteIfExists(screenshot);
        Path profile = tempDir("migwatch-chromium");
        Path out = profile.resolve("dom.html");
        Path err = profile.resolve("chromium.log");
        List<String> cmd = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile.resolve("profile"),
                "--window-size=1440," + height, "--virtual-time-budget=8000",
                "--dump-dom", "--screenshot=" + screenshot, url);
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("chromium did not finish " + url + " in 60 s");
        }
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || dom.isBlank() || !Files.exists(screenshot)) {
            fail("chromium failed on " + url + " (exit " + p.exitValue() + ", screenshot "
                    + (Files.exists(screenshot) ? "written" : "missing") + "):\n" + tail(err, 20));
        }
        return dom;
    }

    /** An attribute of the element with the given id, whichever order the attributes are in. */
    private static int chartAttr(String dom, String id, String attr) {
        Matcher tag = Pattern.compile("<div[^>]*id=\"" + id + "\"[^>]*>").matcher(dom);
        assertTrue(tag.find(), id + " on the page: " + excerpt(dom));
        return intAttr(tag.group(), attr);
    }

    private static int intAttr(String html, String attr) {
        Matcher m = Pattern.compile(attr + "=\"(\\d+)\"").matcher(html);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static String excerpt(String dom) {
        int at = dom.indexOf("id=\"view\"");
        return dom.substring(Math.max(0, at), Math.min(dom.length(), Math.max(0, at) + 600));
    }

    private static String logTail() {
        return tail(APP_LOG, 40);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }


    private static Path tempDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        TEMP_DIRS.add(dir);
        return dir;
    }

    /** Best effort: a browser helper process may still be writing into its profile. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("DashboardBrowserTest: could not delete " + dir + ": " + e);
        }
    }
}
