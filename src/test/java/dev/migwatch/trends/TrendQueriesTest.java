package dev.migwatch.trends;

import dev.migwatch.progress.EtaEstimator;

import java.time.Instant;
import java.util.List;

import static dev.migwatch.trends.HistoryFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrendQueriesTest {

    private final HistoryFixture db = new HistoryFixture().standard();
    private final TrendQueries q = new TrendQueries(db.dataSource);

    @Test
    void taskLatestCoversEveryPolledTask() {
        List<TaskRow> tasks = q.tasks();
        assertEquals(List.of("dts-cn/j-1", "oms-prod/np_1", "uc/t-9"),
                tasks.stream().map(t -> t.source() + "/" + t.taskId()).toList());
        TaskRow dts = tasks.get(0);
        assertNull(dts.sampledAt(), "never polled OK");
        assertEquals("AUTH", dts.lastPollOutcome());
        assertEquals("DTS", dts.provider());

        TaskRow oms = tasks.get(1);
        assertEquals(T0.plusSeconds(540), oms.sampledAt());
        assertEquals("RUNNING", oms.status());
        assertEquals("THROTTLED", oms.lastPollOutcome(), "the newest call, even a failed one");
        assertEquals(T0.plusSeconds(570), oms.lastPollAt());
        assertEquals(T0.plusSeconds(540), oms.lastOkPollAt());
        assertEquals("SLOW_TABLE", oms.lastErrorCode());
        assertEquals(T0.plusSeconds(420), oms.lastErrorAt());
    }

    @Test
    void stepsAndComponentsNow() {
        List<StepRow> steps = q.stepsNow("oms-prod", "np_1");
        assertEquals(List.of("FULL_TRANSFER", "INCR_TRANSFER"), steps.stream().map(StepRow::stepKey).toList());
        assertEquals(54.0, steps.get(0).progressPct(), 1e-9, "filled from processed/capacity");
        assertEquals(540_000L, steps.get(0).processedRecords());
        List<ComponentRow> comps = q.componentsNow("oms-prod", "np_1");
        assertEquals(1, comps.size());
        assertEquals("RUNNING", comps.get(0).status());
        assertTrue(q.stepsNow("oms-prod", "nope").isEmpty());
        assertTrue(q.task("oms-prod", "nope").isEmpty());
    }

    @Test
    void seriesPerMetric() {
        List<Series> progress = q.series("oms-prod", "np_1", Metric.PROGRESS, null, null, null);
        assertEquals(1, progress.size(), "INCR_TRANSFER has no progress");
        assertEquals("FULL_TRANSFER", progress.get(0).name());
        assertEquals(10, progress.get(0).points().size());

        List<Series> rps = q.series("oms-prod", "np_1", Metric.RPS, "FULL_TRANSFER", T0.plusSeconds(60),
                T0.plusSeconds(180));
        assertEquals(List.of("FULL_TRANSFER src", "FULL_TRANSFER dst"), rps.stream().map(Series::name).toList());
        assertEquals(3, rps.get(0).points().size());
        assertEquals(1001.0, rps.get(0).points().get(0).v(), 1e-9);

        List<Series> delay = q.series("uc", "t-9", Metric.DELAY, null, null, null);
        assertEquals(List.of("INCREMENTAL_SYNC", "task"), delay.stream().map(Series::name).sorted().toList());

        List<Series> tps = q.series("oms-prod", "np_1", Metric.TPS, "INCR_SYNC", null, null);
        assertEquals(1, tps.size());
        assertEquals(10, tps.get(0).points().size());

        assertTrue(q.series("oms-prod", "np_1", Metric.PROCESSED, "no such step", null, null).isEmpty());
    }

    @Test
    void sqlInRequestTextIsJustAValue() {
        assertTrue(q.task("oms-prod' OR '1'='1", "np_1").isEmpty());
        assertTrue(q.series("oms-prod", "np_1", Metric.PROGRESS, "x' OR 1=1 --", null, null).isEmpty());
    }

    @Test
    void errorsAndPolls() {
        assertEquals(1, q.errors("oms-prod", "np_1", T0, T0.plusSeconds(600), 100).size());
        assertTrue(q.errors("oms-prod", "np_1", T0.plusSeconds(500), null, 100).isEmpty());

        List<PollRow> failed = q.polls(new PollFilter(null, null, "THROTTLED", null, null, 10));
        assertEquals(1, failed.size());
        assertEquals("Throttling.User", failed.get(0).errorCode());
        List<PollRow> oms = q.polls(new PollFilter("oms-prod", "np_1", null, null, null, 3));
        assertEquals(3, oms.size());
        assertEquals(T0.plusSeconds(570), oms.get(0).polledAt(), "newest first");
    }

    @Test
    void componentTimelineMergesUnchangedStatus() {
        List<ComponentSpan> spans = q.componentTimeline("oms-prod", "np_1", null, null);
        assertEquals(2, spans.size());
        assertEquals("PENDING", spans.get(0).status());
        assertEquals(T0, spans.get(0).from());
        assertEquals(T0.plusSeconds(240), spans.get(0).to(), "lasts until the change is seen");
        assertEquals("RUNNING", spans.get(1).status());
        assertEquals(6, spans.get(1).samples());
    }

    @Test
    void viewsAnswerPlainSql() throws SQLException {
        try (Connection c = db.dataSource.getConnection(); Statement st = c.createStatement()) {
            assertEquals(2, count(st, "SELECT COUNT(*) FROM v_poll_failures"));
            // change-only: 10 OMS rows (processed moves every poll), 1 for the finished UDTS step that never changed
            assertEquals(11, count(st, "SELECT COUNT(*) FROM v_full_transfer_progress"));
            assertEquals(10, count(st, "SELECT COUNT(*) FROM v_incremental_delay"));
            assertEquals(4, count(st, "SELECT COUNT(*) FROM v_step_latest"));
            assertEquals(1, count(st, "SELECT COUNT(*) FROM v_component_latest"));
            try (ResultSet rs = st.executeQuery("SELECT step_key, unchanged_since FROM v_step_unchanged"
                    + " WHERE source = 'uc' ORDER BY step_key")) {
                assertTrue(rs.next());
                assertEquals("FULL_MIGRATION", rs.getString(1));
                assertEquals(java.sql.Timestamp.valueOf("2026-01-01 00:00:00"), rs.getTimestamp(2),
                        "finished counts never moved in our samples");
                assertTrue(rs.next());
            }
            try (ResultSet rs = st.executeQuery("SELECT unchanged_since FROM v_step_unchanged"
                    + " WHERE source = 'oms-prod' AND step_key = 'FULL_TRANSFER'")) {
                assertTrue(rs.next());
                assertEquals(java.sql.Timestamp.valueOf("2026-01-01 00:09:00"), rs.getTimestamp(1));
            }
        }
    }

    @Test
    void serviceComputesEtaDelayAndProviderEstimate() {
        TrendsService service = new TrendsService(q, TrendsSettings.defaults());
        TaskView oms = service.task("oms-prod", "np_1").orElseThrow().task();
        assertNull(oms.eta().reason());
        assertEquals("FULL_TRANSFER", oms.eta().stepKey());
        assertEquals("records", oms.eta().measure());
        assertEquals(1000.0, oms.eta().ratePerSecond(), 1e-6);
        assertEquals(T0.plusSeconds(540 + 460), oms.eta().finishAt());
        assertFalse(oms.eta().stall().stalled());
        assertEquals(1, oms.runningSteps().size());
        assertEquals("THROTTLED", oms.lastPoll().outcome());

        TaskView udts = service.task("uc", "t-9").orElseThrow().task();
        assertEquals(EtaEstimator.FINISHED, udts.eta().reason());
        assertNotNull(udts.eta().provider());
        assertEquals(T0.plusSeconds(3600), udts.eta().provider().finishAt());
        assertEquals(110, udts.delay().current());
        assertEquals(110, udts.delay().max());
        assertEquals(T0.plusSeconds(120), udts.delay().aboveThresholdSince(), "70 s > 60 s from the third poll");

        TaskView dts = service.tasks().get(0);
        assertEquals(TrendsService.NO_SAMPLES, dts.eta().reason());
        assertNull(dts.delay().current());
        assertEquals(Duration.ofMinutes(15), service.settings().stallAfter());
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aRunningSubStepOfARunningStepIsNotABarOfItsOwn() {
        Instant at = T0.plusSeconds(7200);
        db.call("sub-1", "dts-x", "dts", "job-sub", at, "OK", null);
        db.task("sub-1", "dts-x", "dts", "job-sub", at, "RUNNING", "Full", 40.0, null, null);
        db.step("sub-1", "dts-x", "dts", "job-sub", at, "FULL", "RUNNING", 40.0, null, null, null, null);
        db.step("sub-1", "dts-x", "dts", "job-sub", at, "FULL/1", "FULL", "RUNNING", 35.0, null, null, null, null);
        db.step("sub-1", "dts-x", "dts", "job-sub", at, "FULL/2", "FULL", "RUNNING", 45.0, null, null, null, null);
        db.flush();
        TaskView dts = new TrendsService(q, TrendsSettings.defaults()).task("dts-x", "job-sub").orElseThrow().task();
        assertEquals(List.of("FULL"), dts.runningSteps().stream().map(TaskView.StepProgress::stepKey).toList());
    }

    @Test
    void delayAboveThresholdForLongerThanTheWindowIsDatedExactlyWithOrWithoutRollups() {
        HistoryFixture lag = new HistoryFixture();
        // an hour at 10 s of delay, then two hours at 100 s: above the 60 s threshold since 01:00:30
        for (int i = 0; i < 360; i++) {
            Instant at = T0.plusSeconds(30L * i);
            long delay = i <= 120 ? 10 : 100 + i % 3;
            lag.call("c" + i, "uc", "UDTS", "lagging", at, "OK", null);
            lag.task("c" + i, "uc", "UDTS", "lagging", at, "RUNNING", "INCREMENTAL_SYNC", 100.0, delay, null);
            lag.call("a" + i, "uc", "UDTS", "always", at, "OK", null);
            lag.task("a" + i, "uc", "UDTS", "always", at, "RUNNING", "INCREMENTAL_SYNC", 100.0, 100L + i % 2, null);
        }
        lag.flush();
        TrendsService service = new TrendsService(new TrendQueries(lag.dataSource), TrendsSettings.defaults());
        Instant expected = T0.plusSeconds(30L * 121);
        assertEquals(expected, service.task("uc", "lagging").orElseThrow().task().delay().aboveThresholdSince(),
                "without rollups: read back through the lookback");
        assertEquals(T0, service.task("uc", "always").orElseThrow().task().delay().aboveThresholdSince());
        new dev.migwatch.storage.HistoryMaintenance(lag.dataSource, dev.migwatch.storage.Retention.defaults(),
                java.time.Clock.fixed(T0.plus(Duration.ofHours(4)), java.time.ZoneOffset.UTC), Duration.ofMinutes(1)).run();
        DelayStats.Stats stats = service.task("uc", "lagging").orElseThrow().task().delay();
        assertEquals(expected, stats.aboveThresholdSince(), "with rollups: from the bucket where it was last low");
        assertEquals(T0, service.task("uc", "always").orElseThrow().task().delay().aboveThresholdSince(),
                "above at every poll: since the first");
        assertEquals(101, stats.current(), 1);
        assertEquals(61, stats.samples(), "max and average over the 30-minute window only");
    }

    @Test
    void aSeriesLongerThanADayIsReadFromTheRollupsAndTheSamplesAfterThem() {
        HistoryFixture days = new HistoryFixture();
        // two days, a poll every 10 minutes: each 5-minute bucket holds at most one, so its average is that poll's value
        for (int i = 0; i < 288; i++) {
            Instant at = T0.plusSeconds(600L * i);
            days.call("d" + i, "oms-prod", "OMS", "np_2", at, "OK", null);
            days.task("d" + i, "oms-prod", "OMS", "np_2", at, "RUNNING", "FULL_TRANSFER", null, null, null);
            days.step("d" + i, "oms-prod", "OMS", "np_2", at, "FULL_TRANSFER", "RUNNING", null, 1000L * i, 1_000_000L, 10.0 + i % 7,
                    null);
        }
        days.flush();
        Instant end = T0.plusSeconds(600L * 287);
        new dev.migwatch.storage.HistoryMaintenance(days.dataSource, dev.migwatch.storage.Retention.defaults(),
                java.time.Clock.fixed(end.minus(Duration.ofHours(1)), java.time.ZoneOffset.UTC), Duration.ofMinutes(1)).run();
        TrendQueries q = new TrendQueries(days.dataSource);
        List<Series> rps = q.series("oms-prod", "np_2", Metric.RPS, "FULL_TRANSFER", null, null);
        assertEquals(List.of("FULL_TRANSFER src", "FULL_TRANSFER dst"), rps.stream().map(Series::name).toList());
        List<Series.Point> all = rps.get(0).points();
        List<Series.Point> src = all.stream().filter(p -> p.n() > 0).toList();
        // every poll is there once: from the rollups up to their mark (an hour before the end), then from the samples
        assertEquals(288, src.size(), "one point per poll");
        for (int i = 0; i < 288; i++) {
            assertEquals(10.0 + i % 7, src.get(i).v(), 1e-9, "poll " + i);
        }
        assertTrue(src.get(0).t().equals(T0) && src.get(287).t().equals(end));
        // the 5-minute buckets between two polls have no row: they read as the value of the poll before them
        for (Series.Point p : all) {
            if (p.n() == 0) {
                int before = (int) (Duration.between(T0, p.t()).toSeconds() / 600);
                assertEquals(10.0 + before % 7, p.v(), 1e-9, "carried at " + p.t());
            }
        }
        assertTrue(all.size() > src.size(), "the empty buckets are drawn with the value they carried");
        assertEquals(9.0 + 3 % 7, rps.get(1).points().stream().filter(p -> p.n() > 0).toList().get(3).v(), 1e-9, "dst from its own rollup");
        List<Series> progress = q.series("oms-prod", "np_2", Metric.PROGRESS, null, null, null);
        List<Series.Point> progressPoints = progress.get(0).points();
        assertEquals(end, progressPoints.get(progressPoints.size() - 1).t());
        assertEquals(28.7, progressPoints.get(progressPoints.size() - 1).v(), 1e-9, "processed / capacity, the newest poll");
    }

    @Test
    void aValueThatStandsStillInTheRollupsIsDrawnFlatAndCarriedIntoTheRange() {
        HistoryFixture days = new HistoryFixture();
        // three days at 5 minutes: the delay is 7 s for two days, then 40 s at every other poll
        for (int i = 0; i < 864; i++) {
            Instant at = T0.plusSeconds(300L * i);
            long delay = i < 576 ? 7 : i % 2 == 0 ? 40 : 41;
            days.call("d" + i, "uc", "UDTS", "flat", at, "OK", null);
            days.task("d" + i, "uc", "UDTS", "flat", at, "RUNNING", "INCREMENTAL_SYNC", 100.0, delay, null);
        }
        days.flush();
        Instant end = T0.plusSeconds(300L * 863);
        new dev.migwatch.storage.HistoryMaintenance(days.dataSource, dev.migwatch.storage.Retention.defaults(),
                java.time.Clock.fixed(end.plus(Duration.ofMinutes(10)), java.time.ZoneOffset.UTC), Duration.ofMinutes(1)).run();
        TrendQueries q = new TrendQueries(days.dataSource);
        try (Connection c = days.dataSource.getConnection(); Statement st = c.createStatement()) {
            assertEquals(1, count(st, "SELECT COUNT(*) FROM metric_rollup WHERE metric = 'delay_seconds' AND period_s = 300"
                    + " AND bucket_start < TIMESTAMP '2026-01-03 00:00:00'"), "two days of 7 s: one 5-minute row");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        // everything: rollups for the three days, the line flat at 7 until the first bucket at 40
        List<Series.Point> all = q.series("uc", "flat", Metric.DELAY, null, null, null).stream()
                .filter(s -> s.name().equals("task")).findFirst().orElseThrow().points();
        Instant change = T0.plus(Duration.ofDays(2));
        for (Series.Point p : all) {
            assertEquals(p.t().isBefore(change) ? 7.0 : 40.5, p.v(), 0.51, "at " + p.t());
        }
        assertTrue(all.stream().anyMatch(p -> p.t().equals(change.minusSeconds(300)) && p.v() == 7.0),
                "a point just before the change, so the line does not slope from the first bucket to it");
        // a range inside the two flat days, longer than a day: no stored row in it, the row before it is carried in
        List<Series.Point> flat = q.series("uc", "flat", Metric.DELAY, null, T0.plus(Duration.ofHours(3)),
                T0.plus(Duration.ofHours(40))).stream().filter(s -> s.name().equals("task")).findFirst().orElseThrow().points();
        assertFalse(flat.isEmpty());
        assertEquals(T0.plus(Duration.ofHours(3)), flat.get(0).t());
        assertTrue(flat.stream().allMatch(p -> p.v() == 7.0), flat.toString());
        assertTrue(flat.get(flat.size() - 1).t().isAfter(T0.plus(Duration.ofHours(39))), "drawn to the end of the range");
    }
}
