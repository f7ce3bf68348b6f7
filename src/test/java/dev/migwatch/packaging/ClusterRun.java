package dev.migwatch.packaging;

import dev.migwatch.TestEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Several migwatch nodes, each {@code java -jar target/migwatch.jar} in its own working directory (hence its own
 * journal), on one PostgreSQL schema, watching the same sources of one simulator process: what the cluster ITs
 * (ClusterFailoverIT, ZooKeeperFailoverIT) share. Every source watches {@link #TASK} every {@code interval}, with short
 * timeouts and two attempts per call, so that a cycle's claim lease is {@link #claimLease}.
 */
final class ClusterRun implements AutoCloseable {
    static final String TASK = "np_demo_orders";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    private static final int ATTEMPTS = 2;
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    private final Path dir;
    private final Path jar;
    private final TestPostgres pg;
    private final String simulator;
    private final List<String> sources;
    private final Duration interval;
    private final List<String> clusterProperties;
    private final Map<String, Integer> ports = new TreeMap<>();
    private final Map<String, AppProcess> nodes = new TreeMap<>();

    /** @param clusterProperties the migwatch.cluster.* system properties (-D...) every node gets, besides its node id */
    ClusterRun(Path dir, TestPostgres pg, String simulator, List<String> sources, Duration interval, List<String> clusterProperties) {
        this.dir = dir;
        this.jar = AppProcess.migwatchJar();
        this.pg = pg;
        this.simulator = simulator;
        this.sources = List.copyOf(sources);
        this.interval = interval;
        this.clusterProperties = List.copyOf(clusterProperties);
    }

    /**
     * PollClaims.lease with the timeouts the nodes get: a claim whose node died mid-cycle is taken over after
     * attempts x (connect + read timeout) + the longest backoffs between them + 1 s: 2 x (1 s + 2 s) + 500 ms + 1 s.
     */
    static Duration claimLease() {
        return CONNECT_TIMEOUT.plus(READ_TIMEOUT).multipliedBy(ATTEMPTS).plus(MAX_BACKOFF.multipliedBy(ATTEMPTS - 1)).plusSeconds(1);
    }

    /** Starts the nodes side by side and waits until each serves its API (the schema must exist: start one node first). */
    void start(String... names) throws Exception {
        ExecutorService starting = Executors.newFixedThreadPool(names.length);
        try {
            List<Future<?>> started = new ArrayList<>();
            for (String node : names) {
                int port = TestEnvironment.freePort();
                AppProcess app = AppProcess.start("cluster-" + node, Files.createDirectories(dir.resolve(node)), command(node, port),
                        Map.of("MIGWATCH_DB_PASSWORD", pg.password));
                ports.put(node, port);
                nodes.put(node, app);
                started.add(starting.submit(() -> {
                    app.awaitHttpOk(url(node, "/api/sources"), Duration.ofSeconds(90));
                    return null;
                }));
            }
            for (Future<?> f : started) {
                f.get();
            }
        } finally {
            starting.shutdownNow();
        }
    }

    private List<String> command(String node, int port) {
        // the JVM options bin/migwatch gives (serial GC, C1 only): three nodes start side by side on a two-core machine
        List<String> c = new ArrayList<>(List.of("-Xms16m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:ReservedCodeCacheSize=32m"));
        c.add("-Dmigwatch.db.url=" + pg.schemaUrl);
        c.add("-Dmigwatch.db.user=" + pg.user);
        c.addAll(clusterProperties);
        c.add("-Dmigwatch.cluster.node-id=" + node);
        c.add("-Dmigwatch.retry.max-attempts=" + ATTEMPTS);
        c.add("-Dmigwatch.retry.max-delay=" + MAX_BACKOFF.toMillis() + "ms");
        for (String s : sources) {
            String p = "-Dmigwatch.sources." + s + ".";
            c.add(p + "provider=oms");
            c.add(p + "endpoint=" + simulator);
            c.add(p + "access-key-id=sim-access-key-id");
            c.add(p + "access-key-secret=sim-access-key-secret");
            c.add(p + "tasks=" + TASK);
            c.add(p + "interval=" + interval.toMillis() + "ms");
            c.add(p + "connect-timeout=" + CONNECT_TIMEOUT.toMillis() + "ms");
            c.add(p + "read-timeout=" + READ_TIMEOUT.toMillis() + "ms");
        }
        c.add("-Dcamel.server.port=" + port);
        c.add("-jar");
        c.add(jar.toString());
        return c;
    }

    String url(String node, String path) {
        return "http://127.0.0.1:" + ports.get(node) + path;
    }

    /** SIGKILL: a crash or a power cut. */
    void kill(String node) throws InterruptedException {
        nodes.get(node).kill();
    }

    /** The nodes still running. */
    List<String> alive() {
        return nodes.entrySet().stream().filter(e -> e.getValue().alive()).map(Map.Entry::getKey).toList();
    }

    JsonNode get(String node, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = AppProcess.get(url(node, path));
        if (r.statusCode() != 200) {
            throw new AssertionError(node + ": GET " + path + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /**
     * Source to leading node, as the asked nodes' GET /api/sources say, once accepted (else an AssertionError at the
     * timeout). Two nodes both saying they lead a source is never accepted.
     */
    Map<String, String> awaitLeaders(Collection<String> asked, Duration timeout, Predicate<Map<String, String>> accepted) throws Exception {
        Instant end = Instant.now().plus(timeout);
        Map<String, String> leaders = new TreeMap<>();
        String problem = "";
        while (Instant.now().isBefore(end)) {
            leaders = new TreeMap<>();
            problem = "";
            for (String node : asked) {
                for (JsonNode s : get(node, "/api/sources").path("sources")) {
                    if (s.path("leader").asBoolean()) {
                        String previous = leaders.put(s.path("source").asText(), node);
                        if (previous != null) {
                            problem = "two leaders of " + s.path("source").asText();
                        }
                    }
                }
            }
            if (problem.isEmpty() && accepted.test(leaders)) {
                return leaders;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("leadership not as expected within " + timeout + ": " + leaders + " " + problem);
    }

    /** True once the poll log holds a poll of the source's task by the node (null: by any node), made after the instant. */
    boolean polledSince(String source, String node, Instant after) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM v_poll_log WHERE source = ? AND task_id = ? AND node = COALESCE(?, node) AND polled_at > ?")) {
            ps.setString(1, source);
            ps.setString(2, TASK);
            ps.setString(3, node);
            ps.setObject(4, LocalDateTime.ofInstant(after, ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 0;
            }
        }
    }

    /** Waits until the condition holds or the deadline passes; whether it holds. */
    static boolean awaitUntil(Instant deadline, Check condition) throws Exception {
        while (!condition.holds()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** One poll of TASK: when and by which node. */
    record Poll(Instant at, String node) {
    }

    /** The poll log of TASK, per source, oldest first. */
    Map<String, List<Poll>> polls() throws SQLException {
        Map<String, List<Poll>> bySource = new TreeMap<>();
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT source, polled_at, node FROM v_poll_log WHERE task_id = ? ORDER BY source, polled_at")) {
            ps.setString(1, TASK);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    bySource.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                            .add(new Poll(rs.getObject(2, LocalDateTime.class).toInstant(ZoneOffset.UTC), rs.getString(3)));
                }
            }
        }
        return bySource;
    }

    /**
     * The same poll made twice: two polls of a source's task closer than a quarter of its interval (a poll is stored at
     * the start of its cycle, shortly after its slot was claimed).
     */
    List<String> duplicates(Map<String, List<Poll>> polls) {
        List<String> duplicates = new ArrayList<>();
        polls.forEach((source, list) -> {
            for (int i = 1; i < list.size(); i++) {
                if (Duration.between(list.get(i - 1).at(), list.get(i).at()).compareTo(interval.dividedBy(4)) < 0) {
                    duplicates.add(source + ": " + list.get(i - 1) + " and " + list.get(i));
                }
            }
        });
        return duplicates;
    }

    /** The last poll of a source before an instant and the first one after it. */
    record Gap(Poll before, Poll after) {
        Duration length() {
            return Duration.between(before.at(), after.at());
        }
    }

    static Gap gapAround(List<Poll> polls, Instant at) {
        Poll before = polls.stream().filter(p -> p.at().isBefore(at)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no poll before " + at));
        Poll after = polls.stream().filter(p -> p.at().isAfter(at)).findFirst()
                .orElseThrow(() -> new AssertionError("no poll after " + at + " until " + Instant.now()));
        return new Gap(before, after);
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(pg.schemaUrl, pg.user, pg.password);
    }

    /** For a failed test: every node's output. */
    void printOutputs() {
        nodes.values().forEach(AppProcess::printOutput);
    }

    @Override
    public void close() throws InterruptedException {
        for (AppProcess app : nodes.values()) {
            app.close();
        }
    }
}
