package dev.migwatch.trends;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.observe.MigwatchMetrics;
import dev.migwatch.poll.SourceGuard;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.migwatch.trends.HistoryFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics that come from the history (the ETA, read through TrendsService as GET /api/tasks reads it) and the
 * rule that only watched tasks have series: a task of the history that is no longer configured never shows, a step or
 * component that left the provider's answer leaves the metrics with it.
 */
class MetricsFromHistoryTest {
    private final HistoryFixture db = new HistoryFixture().standard();
    private final TrendsService service = new TrendsService(new TrendQueries(db.dataSource), TrendsSettings.defaults());
    // the standard history: oms-prod/np_1 in full transfer at 1,000 records/s, to finish at T0 + 1000 s
    private final Clock at600 = Clock.fixed(T0.plusSeconds(600), ZoneOffset.UTC);
    private final SourceGuard guard = new SourceGuard(SourceGuard.Settings.defaults(), at600);
    // "uc" (t-9) and "dts-cn" are in the history but no longer configured
    private final List<SourceConfig> config = List.of(source("oms-prod", Provider.OMS, "np_1", "np_2"));

    @Test
    void theEtaIsReadFromTheHistoryForWatchedTasksOnly() {
        AtomicBoolean databaseDown = new AtomicBoolean();
        MigwatchMetrics metrics = new MigwatchMetrics(config, guard, () -> 0, watched -> {
            if (databaseDown.get()) {
                throw new IllegalStateException("history query failed: Connection is broken");
            }
            return service.etas(watched);
        }, at600);
        metrics.refreshEtas();
        List<String> lines = scrape(metrics);
        assertEquals(List.of("migwatch_task_eta_seconds{provider=\"oms\",source=\"oms-prod\",task_id=\"np_1\"} 400.0"),
                grep(lines, "migwatch_task_eta_seconds{"));
        assertEquals(List.of(), grep(lines, "t-9"), "a task no longer configured has no series, however much history it has");
        assertEquals(List.of(), grep(lines, "dts-cn"));
        assertEquals(List.of(), grep(lines, "migwatch_task_status{"), "no cycle of this run yet: no current status");

        // the database goes away: the last ETAs stay (and still count down) instead of vanishing
        databaseDown.set(true);
        metrics.refreshEtas();
        assertEquals(List.of("migwatch_task_eta_seconds{provider=\"oms\",source=\"oms-prod\",task_id=\"np_1\"} 400.0"),
                grep(scrape(metrics), "migwatch_task_eta_seconds{"));
    }

    @Test
    void seriesFollowTheNewestCycleAndOnlyWatchedTasks() {
        MigwatchMetrics metrics = new MigwatchMetrics(config, guard, () -> 3, watched -> java.util.Map.of(), at600);
        metrics.observe(cycle("oms-prod", "np_2", T0, true, true));
        List<String> lines = scrape(metrics);
        assertEquals(List.of(
                "migwatch_step_rows_per_second{provider=\"oms\",side=\"dst\",source=\"oms-prod\",step=\"FULL_TRANSFER\",task_id=\"np_2\"} 90.0",
                "migwatch_step_rows_per_second{provider=\"oms\",side=\"src\",source=\"oms-prod\",step=\"FULL_TRANSFER\",task_id=\"np_2\"} 100.0"),
                grep(lines, "migwatch_step_rows_per_second{"));
        assertEquals(List.of("migwatch_component_delay_seconds{component=\"incr-1\",kind=\"INCR_SYNC\",provider=\"oms\",source=\"oms-prod\",task_id=\"np_2\"} 7.0"),
                grep(lines, "migwatch_component_delay_seconds{"));
        // the task reports no delay of its own: its steps' largest (DTS-style -1 is "not applicable")
        assertEquals(List.of("migwatch_task_delay_seconds{provider=\"oms\",source=\"oms-prod\",task_id=\"np_2\"} 12.0"),
                grep(lines, "migwatch_task_delay_seconds{"));
        assertEquals(List.of("migwatch_task_progress_ratio{provider=\"oms\",source=\"oms-prod\",task_id=\"np_2\"} 0.25"),
                grep(lines, "migwatch_task_progress_ratio{"));
        assertTrue(lines.contains("migwatch_journal_backlog 3.0"), grep(lines, "journal").toString());

        // the next cycle has neither the full transfer nor the component any more; a failed cycle changes no value
        metrics.observe(cycle("oms-prod", "np_2", T0.plusSeconds(30), false, false));
        metrics.observe(TaskSnapshot.failed(UUID.randomUUID().toString(), "oms-prod", "oms", "np_2", T0.plusSeconds(60),
                List.of(new ApiCall("DescribeProject", 1, T0.plusSeconds(60), 5, 500, null, "ERROR", "HTTP 500", "down")), List.of()));
        lines = scrape(metrics);
        assertEquals(List.of(), grep(lines, "migwatch_step_rows_per_second{"));
        assertEquals(List.of(), grep(lines, "migwatch_component_delay_seconds{"));
        assertEquals(List.of("migwatch_task_progress_ratio{provider=\"oms\",source=\"oms-prod\",task_id=\"np_2\"} 0.25"),
                grep(lines, "migwatch_task_progress_ratio{"));
        assertTrue(lines.contains("migwatch_polls_total{outcome=\"OK\",provider=\"oms\",source=\"oms-prod\"} 2.0"), lines.toString());
        assertTrue(lines.contains("migwatch_polls_total{outcome=\"ERROR\",provider=\"oms\",source=\"oms-prod\"} 1.0"), lines.toString());
        assertEquals(List.of("migwatch_last_successful_poll_timestamp_seconds{provider=\"oms\",source=\"oms-prod\"} "
                + (double) T0.plusSeconds(30).getEpochSecond()), grep(lines, "migwatch_last_successful_poll_timestamp_seconds{"));

        // a task of a configured source that is not in its task list, and a source that is not configured: nothing
        metrics.observe(cycle("oms-prod", "np_gone", T0.plusSeconds(90), true, true));
        metrics.observe(cycle("old-source", "np_9", T0.plusSeconds(90), true, true));
        lines = scrape(metrics);
        assertEquals(List.of(), grep(lines, "np_gone"));
        assertEquals(List.of(), grep(lines, "old-source"));
        assertTrue(lines.contains("migwatch_polls_total{outcome=\"OK\",provider=\"oms\",source=\"oms-prod\"} 3.0"),
                "the cycle still counts for its source: " + lines);
    }

    static TaskSnapshot cycle(String source, String task, Instant at, boolean fullTransfer, boolean component) {
        TaskState state = new TaskState("name", null, "RUNNING", NormalizedStatus.RUNNING, "FULL_TRANSFER", 25.0, -1L, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
        List<StepSample> steps = new java.util.ArrayList<>();
        if (fullTransfer) {
            steps.add(new StepSample("FULL_TRANSFER", null, 1, "FULL_TRANSFER", null, "RUNNING", NormalizedStatus.RUNNING, 25.0, null,
                    null, new StepSample.Throughput(250L, 1000L, 100.0, null, null, 90.0, null, null, null, null, null), null, null,
                    null, null));
        }
        steps.add(new StepSample("INCR_TRANSFER", null, 2, "INCR_TRANSFER", null, "RUNNING", NormalizedStatus.RUNNING, null, null,
                null, null, new StepSample.Incremental(null, null, null, 12_400L, true), null, null, null));
        steps.add(new StepSample("INCR_LOG_PULL", null, 3, "INCR_LOG_PULL", null, "RUNNING", NormalizedStatus.RUNNING, null, null,
                null, null, new StepSample.Incremental(null, null, -1L, null, true), null, null, null));
        List<ComponentSample> components = component ? List.of(new ComponentSample("INCR_SYNC", "incr-1", "RUNNING",
                NormalizedStatus.RUNNING, null, null, null, null, null, 7L, 3.0, null, null, null, null, null, null, null, null, null))
                : List.of();
        return new TaskSnapshot(UUID.randomUUID().toString(), source, "oms", task, at, state, steps, components, List.of(),
                List.of(new ApiCall("DescribeProject", 1, at, 5, 200, "r", "OK", null, null)), List.of());
    }

    @Test
    void theHistorysSizeOnDiskOnceMeasured() {
        java.util.concurrent.atomic.AtomicReference<java.util.OptionalLong> size = new java.util.concurrent.atomic.AtomicReference<>(
                java.util.OptionalLong.empty());
        MigwatchMetrics metrics = new MigwatchMetrics(config, guard, () -> 0, watched -> java.util.Map.of(), at600);
        assertEquals(List.of(), grep(scrape(metrics), "migwatch_history_database_bytes"), "no size given: no series");
        metrics.withDatabaseSize(size::get);
        assertEquals(List.of(), grep(scrape(metrics), "migwatch_history_database_bytes"), "not measured yet (in memory, or before the first run)");
        size.set(java.util.OptionalLong.of(123_456_789L));
        assertEquals(List.of("migwatch_history_database_bytes 1.23456789E8"), grep(scrape(metrics), "migwatch_history_database_bytes"));
    }

    static List<String> scrape(MigwatchMetrics metrics) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.getPrometheusRegistry().register(metrics);
        return registry.scrape().lines().toList();
    }

    static List<String> grep(List<String> lines, String text) {
        return lines.stream().filter(l -> l.contains(text) && !l.startsWith("#")).toList();
    }

    static SourceConfig source(String name, Provider provider, String... tasks) {
        return new SourceConfig(name, provider, URI.create("http://127.0.0.1:1"), "cn-hangzhou", List.of(tasks), Duration.ofSeconds(30),
                "id", Secret.of("secret"), null, SignatureMethod.ACS3_HMAC_SHA256, null, Duration.ofSeconds(1), Duration.ofSeconds(1));
    }
}
