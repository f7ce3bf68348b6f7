package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus (Debian's package; bin/test-setup installs it) with the example rules of docs/: promtool checks and
 * unit-tests the rules, then Prometheus scrapes {@code java -jar target/migwatch.jar --demo} at /observe/metrics and
 * a migwatch metric is read back through its HTTP query API. In CI a missing prometheus fails the test; elsewhere
 * it is skipped.
 */
class PrometheusIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RULES = Path.of("docs", "prometheus-rules.yml").toAbsolutePath();

    @Test
    void prometheusScrapesTheDemoAndTheRulesHold(@TempDir Path dir) throws Exception {
        Path prometheus = onPath("prometheus");
        Path promtool = onPath("promtool");
        TestEnvironment.require(prometheus != null && promtool != null, "prometheus or promtool is not installed (Debian's prometheus package)");

        // the rules as shipped: valid, and each example alert fires when its description says (rules-test.yml)
        Files.copy(RULES, dir.resolve("prometheus-rules.yml"));
        Files.copy(Path.of("src", "test", "resources", "prometheus", "rules-test.yml"), dir.resolve("rules-test.yml"));
        String checked = run(dir, promtool.toString(), "check", "rules", "prometheus-rules.yml");
        assertTrue(checked.contains("SUCCESS: 5 rules found"), checked);
        String tested = run(dir, promtool.toString(), "test", "rules", "rules-test.yml");
        assertTrue(tested.contains("SUCCESS"), tested);

        int appPort = TestEnvironment.freePort();
        int promPort = TestEnvironment.freePort();
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - prometheus-rules.yml
                scrape_configs:
                  - job_name: migwatch
                    metrics_path: /observe/metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(appPort));
        assertTrue(run(dir, promtool.toString(), "check", "config", "prometheus.yml").contains("SUCCESS"));

        Path appDir = Files.createDirectories(dir.resolve("app"));
        try (AppProcess app = AppProcess.start("prometheus-demo", appDir,
                List.of("-Dcamel.server.port=" + appPort, "-jar", AppProcess.migwatchJar().toString(), "--demo"), Map.of());
             AppProcess server = AppProcess.command("prometheus", dir, List.of(prometheus.toString(),
                     "--config.file=prometheus.yml", "--storage.tsdb.path=" + dir.resolve("tsdb"),
                     "--web.listen-address=127.0.0.1:" + promPort), Map.of())) {
            try {
                app.awaitHttpOk("http://127.0.0.1:" + appPort + "/observe/health", Duration.ofSeconds(90));
                server.awaitHttpOk("http://127.0.0.1:" + promPort + "/-/ready", Duration.ofSeconds(30));
                String api = "http://127.0.0.1:" + promPort + "/api/v1/";

                // a migwatch series, through Prometheus: the demo's OMS source has polled successfully
                JsonNode polls = awaitResult(api, "migwatch_polls_total{job=\"migwatch\",source=\"demo-oms\",outcome=\"OK\"} > 0");
                assertEquals("oms", polls.get(0).path("metric").path("provider").asText(), polls.toString());
                assertTrue(polls.get(0).path("value").get(1).asDouble() > 0, polls.toString());
                // every demo task has exactly one current status
                // (a task's series appear with its first successful poll, and a scrape can come between two tasks' first polls)
                JsonNode statuses = awaitResult(api, "sum by (source, task_id) (migwatch_task_status) == 1", 5);
                assertEquals(5, statuses.size(), statuses.toString());

                // the example rules are loaded and evaluate without error against migwatch's series
                JsonNode groups = JSON.readTree(AppProcess.get(api + "rules").body()).path("data").path("groups");
                assertEquals("migwatch", groups.get(0).path("name").asText(), groups.toString());
                assertEquals(5, groups.get(0).path("rules").size(), groups.toString());
                awaitAllRulesEvaluated(api);

                // every query of the Grafana dashboard in docs/ is valid PromQL over migwatch's series (all sources and
                // tasks selected); those the demo always feeds return series
                JsonNode dashboard = JSON.readTree(Path.of("docs", "grafana-dashboard.json").toFile());
                List<String> fed = List.of("migwatch_task_status", "migwatch_task_progress_ratio", "migwatch_polls_total",
                        "migwatch_last_successful_poll_timestamp_seconds", "migwatch_source_paused", "migwatch_journal_backlog");
                int queries = 0;
                for (JsonNode panel : dashboard.path("panels")) {
                    for (JsonNode target : panel.path("targets")) {
                        String expr = target.path("expr").asText().replace("$source", ".*").replace("$task_id", ".*")
                                .replace("$__rate_interval", "1m");
                        JsonNode answer = JSON.readTree(AppProcess.get(api + "query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).body());
                        assertEquals("success", answer.path("status").asText(), panel.path("title").asText() + ": " + expr + " -> " + answer);
                        if (fed.stream().anyMatch(expr::contains)) {
                            awaitResult(api, expr);
                        }
                        queries++;
                    }
                }
                assertEquals(12, queries, "the dashboard's queries");

                // the history maintenance's first run (30 s after the start) measures the demo's H2 file
                JsonNode size = awaitResult(api, "migwatch_history_database_bytes{job=\"migwatch\"} > 0");
                double measured = size.get(0).path("value").get(1).asDouble();
                long file = Files.size(appDir.resolve("data").resolve("migwatch-demo.mv.db"));
                assertTrue(measured > file / 2.0 && measured < file * 2.0, measured + " bytes measured, the file has " + file);
            } catch (Throwable t) {
                app.printOutput();
                server.printOutput();
                throw t;
            }
        }
    }

    /** Until the instant query has a non-empty result (bounded), which it returns. */
    private static JsonNode awaitResult(String api, String query) throws Exception {
        return awaitResult(api, query, 1);
    }

    /** Until the instant query has at least minSize results (bounded), which it returns. */
    private static JsonNode awaitResult(String api, String query, int minSize) throws Exception {
        Instant end = Instant.now().plusSeconds(60);
        String last = "";
        while (Instant.now().isBefore(end)) {
            last = AppProcess.get(api + "query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)).body();
            JsonNode result = JSON.readTree(last).path("data").path("result");
            if (result.size() >= minSize) {
                return result;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no result for " + query + " within 60 s; last answer: " + last);
    }

    private static void awaitAllRulesEvaluated(String api) throws Exception {
        Instant end = Instant.now().plusSeconds(30);
        JsonNode rules = null;
        while (Instant.now().isBefore(end)) {
            rules = JSON.readTree(AppProcess.get(api + "rules").body()).path("data").path("groups").get(0).path("rules");
            boolean allOk = true;
            for (JsonNode r : rules) {
                allOk &= "ok".equals(r.path("health").asText());
            }
            if (allOk) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("rules not all evaluated ok: " + rules);
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    private static Path onPath(String program) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
