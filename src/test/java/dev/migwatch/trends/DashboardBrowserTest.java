package dev.migwatch.trends;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loads the dashboard in headless Chromium: the task list must show the tasks, a task page's charts must
 * have drawn points (app.js sets data-drawn on each chart box), and screenshots go to target/.
 *
 * <p>By default the app's HTTP side runs over a generated two-hour history (DemoHistory). With
 * -Dmigwatch.dashboard.url=http://127.0.0.1:8080 the test drives an app already running (e.g. --demo).
 * Skipped when /usr/bin/chromium is missing (.ci/run installs it).
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("migwatch.chromium", "/usr/bin/chromium"));
    private static RestTestApp app;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "chromium not installed");
        base = System.getProperty("migwatch.dashboard.url");
        if (base == null) {
            app = new RestTestApp(DemoHistory.fill(new HistoryFixture()).dataSource);
            base = app.base();
        }
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void taskListShowsTheTasks() throws Exception {
        String dom = chromium("--dump-dom", base + "/");
        assertTrue(dom.contains("data-state=\"ready\""), "page finished loading");
        int tasks = intAttr(dom, "data-tasks");
        assertTrue(tasks >= 3, "tasks listed: " + tasks);
        if (app != null) {
            for (String t : List.of("demo-oms/np_demo1", "demo-dts/dtsjob42", "demo-udts/udts-demo7")) {
                assertTrue(dom.contains("data-task=\"" + t + "\""), t);
            }
        }
        chromium("--screenshot=" + Path.of("target/dashboard-tasks.png").toAbsolutePath(), base + "/");
    }

    @Test
    void taskPageDrawsCharts() throws Exception {
        String first = firstTaskHref(chromium("--dump-dom", base + "/"));
        String url = base + "/" + first;
        String dom = chromium("--dump-dom", url);
        assertTrue(dom.contains("data-state=\"ready\""), "task page finished loading");
        Matcher m = Pattern.compile("id=\"chart-progress\"[^>]*data-drawn=\"(\\d+)\"|data-drawn=\"(\\d+)\"[^>]*id=\"chart-progress\"")
                .matcher(dom);
        assertTrue(m.find(), "progress chart drawn");
        int drawn = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
        assertTrue(drawn > 10, "progress chart points: " + drawn);
        assertTrue(dom.contains("<canvas"), "a canvas exists");
        chromium("--screenshot=" + Path.of("target/dashboard-task.png").toAbsolutePath(), url);
        assertTrue(Files.size(Path.of("target/dashboard-task.png")) > 10_000, "screenshot written");
    }

    /** The OMS demo task has the most charts; else the first task listed. */
    private static String firstTaskHref(String dom) {
        Matcher oms = Pattern.compile("data-href=\"([^\"]*np_demo1)\"").matcher(dom);
        if (oms.find()) {
            return oms.group(1);
        }
        Matcher m = Pattern.compile("data-href=\"([^\"]+)\"").matcher(dom);
        assertTrue(m.find(), "a task row links to its page");
        return m.group(1).replace("&amp;", "&");
    }

    private static int intAttr(String dom, String attr) {
        Matcher m = Pattern.compile(attr + "=\"(\\d+)\"").matcher(dom);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** One headless Chromium run with a fresh profile; returns stdout (the DOM for --dump-dom). */
    private static String chromium(String action, String url) throws Exception {
        Path profile = Files.createTempDirectory("migwatch-chromium");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
                "--window-size=1440,1100", "--virtual-time-budget=8000", action, url));
        Path out = Files.createTempFile("chromium", ".out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s");
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }
}
