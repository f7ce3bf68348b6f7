package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * One JVM started as a user starts it (java -jar target/migwatch.jar, or java -cp ... Main), its output
 * in target/it-logs/NAME.log. Waits are bounded; {@link #close()} always ends the process (and any child).
 */
final class AppProcess implements AutoCloseable {
    static final Path LOG_DIR = Path.of("target", "it-logs").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final Path log;
    private final Process process;

    private AppProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /** java [jvmArgs...] [args...]; the environment keeps no MIGWATCH_* variable but those in env. */
    static AppProcess start(String name, Path workDir, List<String> javaArgs, Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaArgs);
        return command(name, workDir, command, env);
    }

    /**
     * Any command (java, a launcher script), its output in the log after the command line (no secret is ever on it:
     * passwords go through the environment); the environment keeps no MIGWATCH_* variable but those in env.
     */
    static AppProcess command(String name, Path workDir, List<String> command, Map<String, String> env) throws IOException {
        Files.createDirectories(LOG_DIR);
        Path log = LOG_DIR.resolve(name + ".log");
        Files.writeString(log, "$ " + String.join(" ", command) + "\n(in " + workDir + ")\n\n", StandardCharsets.UTF_8);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("MIGWATCH_"));
        builder.environment().putAll(env);
        return new AppProcess(name, log, builder.start());
    }

    long pid() {
        return process.pid();
    }

    /** Waits for the process to end by itself; its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout);
        }
        return process.exitValue();
    }

    static Path migwatchJar() {
        return requiredFile("migwatch.jar", "target/migwatch.jar");
    }

    static Path requiredFile(String property, String fallback) {
        Path p = Path.of(System.getProperty(property, fallback)).toAbsolutePath();
        if (!Files.isRegularFile(p)) {
            throw new AssertionError(p + " does not exist: run the integration tests with mvn verify (after package)");
        }
        return p;
    }


    /** Until GET url answers 200 (or the process dies, or the timeout passes). */
    void awaitHttpOk(String url, Duration timeout) throws Exception {
        Instant end = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(end)) {
            assertAlive();
            try {
                HttpResponse<String> r = get(url);
                if (r.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(name + ": " + url + " did not answer 200 within " + timeout + " (" + last + ")");
    }

    /**
     * Until GET /api/tasks lists every expected "source/taskId" with a sample (sampledAt and status set);
     * returns the tasks seen.
     */
    JsonNode awaitSampledTasks(int port, Set<String> expected, Duration timeout) throws Exception {
        Instant end = Instant.now().plus(timeout);
        Set<String> sampled = new TreeSet<>();
        String last = "no answer";
        while (Instant.now().isBefore(end)) {
            assertAlive();
            try {
                HttpResponse<String> r = get("http://127.0.0.1:" + port + "/api/tasks");
                last = "HTTP " + r.statusCode() + " " + r.body();
                if (r.statusCode() == 200) {
                    JsonNode tasks = JSON.readTree(r.body()).path("tasks");
                    sampled.clear();
                    for (JsonNode t : tasks) {
                        if (!t.path("sampledAt").isNull() && !t.path("sampledAt").isMissingNode()
                                && !t.path("status").isNull() && !t.path("status").isMissingNode()) {
                            sampled.add(t.path("source").asText() + "/" + t.path("taskId").asText());
                        }
                    }
                    if (sampled.containsAll(expected)) {
                        return tasks;
                    }
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError(name + ": /api/tasks did not show samples of " + expected + " within " + timeout
                + "; sampled: " + sampled + "; last answer: " + abbreviate(last));
    }

    private void assertAlive() throws IOException {
        if (!process.isAlive()) {
            throw new AssertionError(name + " exited with code " + process.exitValue() + "; output:\n" + output());
        }
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Prints the process output, for a failed test. */
    void printOutput() {
        try {
            System.out.println("==== output of " + name + " (" + log + ") ====\n" + output() + "\n==== end of " + name + " ====");
        } catch (IOException e) {
            System.out.println("==== output of " + name + " unreadable: " + e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "…" : s;
    }

    /** SIGKILL, as a crash or a power cut: nothing of the process runs after it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " survived SIGKILL for 20 s");
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM (camel-main shuts down gracefully), then kill after 20 s; children too. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
