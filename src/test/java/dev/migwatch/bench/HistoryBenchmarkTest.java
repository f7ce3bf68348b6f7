package dev.migwatch.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.poll.ContentHash;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.history.ApiCall;
import dev.migwatch.history.RawBody;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import dev.migwatch.storage.HistoryDatabase;
import dev.migwatch.storage.HistoryStore;
import dev.migwatch.trends.TrendQueries;
import dev.migwatch.trends.TrendsService;
import dev.migwatch.trends.TrendsSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How fast the history is written and read, on H2 (file, as shipped) and on PostgreSQL when
 * MIGWATCH_TEST_POSTGRES_URL is set. Not a pass/fail test: it prints figures. Run with
 * {@code mvn -B -Pbenchmark test} (see README, "Benchmarks"); -Dbench.tasks and -Dbench.cycles size it.
 *
 * <p>Each cycle is a real OMS cycle: the three seed answers mapped by the real adapter (1 task row, 1 step,
 * 6 components, 7 errors, 3 calls), with the body of DescribeProject changing every 10th cycle.
 */
@Tag("benchmark")
class HistoryBenchmarkTest {
    private static final int TASKS = Integer.getInteger("bench.tasks", 20);
    private static final int CYCLES = Integer.getInteger("bench.cycles", 500);

    @TempDir
    Path dir;

    @Test
    void h2File() throws Exception {
        run("H2 file", "jdbc:h2:file:" + dir.resolve("bench").toAbsolutePath(), null, null);
    }

    @Test
    void postgresql() throws Exception {
        BenchPostgres.withSchema("PostgreSQL", "bench", (db, schema) -> run("PostgreSQL", db));
    }

    private void run(String name, String url, String user, String password) throws Exception {
        try (HikariDataSource db = HistoryDatabase.open(url, user, password)) {
            run(name, db);
        }
    }

    private void run(String name, HikariDataSource db) throws Exception {
        {
            HistoryDatabase.migrate(db);
            HistoryStore store = new HistoryStore(db);
            String[] bodies = {seed("describe-project.json"), seed("describe-project-steps.json"), seed("describe-project-components.json")};
            long[] writeNanos = new long[TASKS * CYCLES];
            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            int n = 0;
            // the writing thread's CPU time too: on a shared machine the wall time says as much about the other builds
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int c = 0; c < CYCLES; c++) {
                for (int t = 0; t < TASKS; t++) {
                    TaskSnapshot s = snapshot("np_bench_" + t, t0.plusSeconds(30L * c), bodies, c / 10);
                    long w = System.nanoTime();
                    store.write(s);
                    writeNanos[n++] = System.nanoTime() - w;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuMsPerCycle = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6 / n;
            Arrays.sort(writeNanos);
            TrendsService trends = new TrendsService(new TrendQueries(db), TrendsSettings.defaults());
            long[] readNanos = new long[5];
            for (int i = 0; i < readNanos.length; i++) {
                long r = System.nanoTime();
                assertEquals(TASKS, trends.tasks().size());
                readNanos[i] = System.nanoTime() - r;
            }
            Arrays.sort(readNanos);
            System.out.printf("%s: %d cycles (%d tasks x %d) written in %.1f s = %.0f cycles/s (writer thread CPU %.2f ms a cycle); "
                            + "write p50 %.1f ms, p95 %.1f ms, max %.1f ms; GET /api/tasks over that history: median %.0f ms "
                            + "(%s, %d cores, Java %s)%n",
                    name, n, TASKS, CYCLES, seconds, n / seconds, cpuMsPerCycle, writeNanos[n / 2] / 1e6, writeNanos[n * 95 / 100] / 1e6,
                    writeNanos[n - 1] / 1e6, readNanos[readNanos.length / 2] / 1e6, System.getProperty("os.arch"),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        }
    }

    private static TaskSnapshot snapshot(String task, Instant at, String[] bodies, int version) throws Exception {
        SourceConfig source = new SourceConfig("bench", Provider.OMS, URI.create("https://example.invalid"), "cn-hangzhou",
                List.of(task), Duration.ofSeconds(30), "id", Secret.of("s"), null, SignatureMethod.ACS3_HMAC_SHA256, null,
                Duration.ofSeconds(5), Duration.ofSeconds(10));
        String[] apis = {"DescribeProject", "DescribeProjectSteps", "DescribeProjectComponents"};
        List<ApiResponse> responses = new ArrayList<>();
        List<ApiCall> calls = new ArrayList<>();
        List<RawBody> raw = new ArrayList<>();
        OmsAdapter oms = new OmsAdapter();
        for (int i = 0; i < apis.length; i++) {
            String body = i == 0 ? bodies[i].replace("\"RunningProgress\": 90", "\"RunningProgress\": " + (version % 100)) : bodies[i];
            ApiResponse r = new ApiResponse(apis[i], 1, at, 40, 200, "application/json", null, body, null);
            responses.add(r);
            calls.add(oms.classify(r));
            raw.add(new RawBody(apis[i], ContentHash.of(body), "application/json", body));
        }
        TaskContent content = oms.map(source, task, responses);
        return new TaskSnapshot(UUID.randomUUID().toString(), "bench", "oms", task, at, content.task(), content.steps(),
                content.components(), content.errors(), calls, raw);
    }

    private static String seed(String file) throws Exception {
        try (InputStream in = HistoryBenchmarkTest.class.getClassLoader().getResourceAsStream("seeds/oms/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void exec(javax.sql.DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
