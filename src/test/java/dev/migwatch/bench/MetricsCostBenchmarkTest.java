package dev.migwatch.bench;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.observe.MigwatchMetrics;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.provider.ApiResponse;
import dev.migwatch.poll.SourceGuard;
import dev.migwatch.provider.TaskContent;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What /observe/metrics costs: the polling route's observe step per cycle, the heap the metrics keep between scrapes
 * and the time of one scrape, with -Dbench.metrics.tasks watched OMS tasks (1,000 by default) whose cycles are the
 * seed answers mapped by the real adapter; and what Camel's own route metrics add to the exchanges of one cycle, with
 * its defaults and with the settings of application.properties. Prints figures; run with
 * {@code mvn -B -Pbenchmark test -Dtest=MetricsCostBenchmarkTest} (add -DargLine="-Xmx96m -XX:+UseSerialGC
 * -XX:TieredStopAtLevel=1" for the JVM of bin/migwatch).
 */
@Tag("benchmark")
class MetricsCostBenchmarkTest {
    private static final int TASKS = Integer.getInteger("bench.metrics.tasks", 1000);
    private static final int CYCLES = 2_000_000;

    @Test
    void observeAndScrape() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= TASKS; i++) {
            ids.add(String.format("np_load%04d", i));
        }
        SourceConfig source = new SourceConfig("load", Provider.OMS, URI.create("https://example.invalid"), "cn-hangzhou", ids,
                Duration.ofSeconds(30), "id", Secret.of("s"), null, SignatureMethod.ACS3_HMAC_SHA256, null, Duration.ofSeconds(5),
                Duration.ofSeconds(10));
        TaskSnapshot seed = mapped(source);
        TaskSnapshot[] cycles = new TaskSnapshot[TASKS];
        for (int i = 0; i < TASKS; i++) {
            cycles[i] = new TaskSnapshot(UUID.randomUUID().toString(), "load", "oms", ids.get(i), seed.polledAt(), seed.task(),
                    seed.steps(), seed.components(), seed.errors(), seed.calls(), List.of());
        }

        long heapBefore = heapAfterGc();
        MigwatchMetrics metrics = new MigwatchMetrics(List.of(source), new SourceGuard(SourceGuard.Settings.defaults(), Clock.systemUTC()),
                () -> 0, watched -> Map.of(), Clock.systemUTC());
        for (TaskSnapshot c : cycles) {
            metrics.observe(c);
        }
        long heapKept = heapAfterGc() - heapBefore;

        for (int i = 0; i < CYCLES / 4; i++) {
            metrics.observe(cycles[i % TASKS]); // warm-up
        }
        long start = System.nanoTime();
        for (int i = 0; i < CYCLES; i++) {
            metrics.observe(cycles[i % TASKS]);
        }
        double nsPerCycle = (System.nanoTime() - start) / (double) CYCLES;

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.getPrometheusRegistry().register(metrics);
        String text = "";
        for (int i = 0; i < 20; i++) {
            text = registry.scrape(); // warm-up
        }
        long[] scrapeNanos = new long[15];
        for (int i = 0; i < scrapeNanos.length; i++) {
            long t = System.nanoTime();
            text = registry.scrape();
            scrapeNanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(scrapeNanos);
        long series = text.lines().filter(l -> l.startsWith("migwatch_") && l.contains("task_id=")).count();
        long perTask = text.lines().filter(l -> l.startsWith("migwatch_") && l.contains("task_id=\"np_load0001\"")).count();
        assertEquals(perTask * TASKS, series, "every task has the same series");
        System.out.printf("%n[metrics] %d watched OMS tasks (%d series each, %d in all; %d components, %d steps per cycle)%n"
                        + "[metrics] observe: %.0f ns per cycle (%d cycles); kept between scrapes: %.1f MB (%.0f bytes per task)%n"
                        + "[metrics] scrape: median %.1f ms, max %.1f ms, %d KB of text%n",
                TASKS, perTask, series, seed.components().size(), seed.steps().size(), nsPerCycle, CYCLES, heapKept / 1e6,
                heapKept / (double) TASKS, scrapeNanos[scrapeNanos.length / 2] / 1e6, scrapeNanos[scrapeNanos.length - 1] / 1e6,
                text.length() / 1024);
    }

    /**
     * A cycle's exchanges as the polling routes make them (the task's route splits into three calls, each through a
     * retry loop to the HTTP step, then the store route's choice), with beans that do nothing, so that only Camel's
     * routing and its metrics are timed.
     */
    @Test
    void camelRouteMetricsPerCycle() throws Exception {
        for (int round = 0; round < 3; round++) {
            for (String mode : List.of("no Camel metrics", "Camel's defaults", "application.properties")) {
                org.apache.camel.CamelContext camel = new org.apache.camel.impl.DefaultCamelContext();
                if (!mode.equals("no Camel metrics")) {
                    org.apache.camel.component.micrometer.prometheus.MicrometerPrometheus metrics =
                            new org.apache.camel.component.micrometer.prometheus.MicrometerPrometheus();
                    metrics.setCamelContext(camel);
                    if (mode.equals("application.properties")) {
                        metrics.setEnableExchangeEventNotifier(false);
                        metrics.setRoutePolicyLevel("route");
                    }
                    camel.addService(metrics);
                }
                camel.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:cycle").routeId("poll-task").process(e -> { }).split(body()).to("direct:call").end()
                                .process(e -> { }).process(e -> { }).to("direct:store");
                        from("direct:call").routeId("call").process(e -> { }).loop(1).delay(0).process(e -> { }).to("direct:http")
                                .process(e -> { }).end();
                        from("direct:http").routeId("http").process(e -> { });
                        from("direct:store").routeId("store").choice().when(simple("${body} == null")).process(e -> { })
                                .otherwise().process(e -> { }).end();
                    }
                });
                camel.start();
                org.apache.camel.ProducerTemplate send = camel.createProducerTemplate();
                List<Integer> calls = List.of(1, 2, 3);
                for (int i = 0; i < 20_000; i++) {
                    send.sendBody("direct:cycle", calls);
                }
                int n = 50_000;
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    send.sendBody("direct:cycle", calls);
                }
                System.out.printf("[metrics] Camel routing of one cycle, %s: %.0f us%n", mode, (System.nanoTime() - start) / 1000.0 / n);
                camel.close();
            }
        }
    }

    private static TaskSnapshot mapped(SourceConfig source) throws Exception {
        String[] apis = {OmsAdapter.DESCRIBE_PROJECT, OmsAdapter.DESCRIBE_PROJECT_STEPS, OmsAdapter.DESCRIBE_PROJECT_COMPONENTS};
        String[] files = {"describe-project.json", "describe-project-steps.json", "describe-project-components.json"};
        Instant at = Instant.now();
        OmsAdapter oms = new OmsAdapter();
        List<ApiResponse> responses = new ArrayList<>();
        List<ApiCall> calls = new ArrayList<>();
        for (int i = 0; i < apis.length; i++) {
            ApiResponse r = new ApiResponse(apis[i], 1, at, 40, 200, "application/json", null, seed(files[i]), null);
            responses.add(r);
            calls.add(oms.classify(r));
        }
        TaskContent content = oms.map(source, "np_load0001", responses);
        return new TaskSnapshot(UUID.randomUUID().toString(), "load", "oms", "np_load0001", at, content.task(), content.steps(),
                content.components(), content.errors(), calls, List.of());
    }

    private static String seed(String file) throws Exception {
        try (InputStream in = MetricsCostBenchmarkTest.class.getClassLoader().getResourceAsStream("seeds/oms/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
