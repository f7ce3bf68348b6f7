package dev.migwatch.trends;

import dev.migwatch.progress.FullStepSample;

import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static dev.migwatch.trends.HistoryFixture.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The list reads a full transfer's samples over the ETA's window first, and back to the stall check's lookback only for
 * the tasks whose progress stood still over that window. Written through the real writer, read with the default
 * settings (ETA window 10 min, stall after 15 min, so a lookback of 30 min).
 */
class EtaSamplesReadTest {

    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Duration LOOKBACK = Duration.ofMinutes(30);

    @Test
    void onlyTheTasksThatStoodStillOverTheWindowAreReadFurtherBack() {
        HistoryFixture db = new HistoryFixture();
        Instant newest = T0.plusSeconds(40 * 60);
        // polls every 30 s for 40 minutes; each task's progress stops moving at its own time before the newest poll
        Map<String, Duration> stillFor = new TreeMap<>(Map.of("moving", Duration.ZERO, "still-5m", Duration.ofMinutes(5),
                "still-20m", Duration.ofMinutes(20), "still-all", Duration.ofMinutes(40)));
        stillFor.forEach((task, still) -> {
            long processed = 0;
            for (Instant at = T0; !at.isAfter(newest); at = at.plusSeconds(30)) {
                if (!at.isAfter(newest.minus(still))) {
                    processed += 1_000;
                }
                poll(db, task, at, "RUNNING", processed, null);
            }
        });
        // polled for the last 5 minutes only, without moving: nothing before to read
        for (Instant at = newest.minusSeconds(300); !at.isAfter(newest); at = at.plusSeconds(30)) {
            poll(db, "young-still", at, "RUNNING", 5_000L, null);
        }
        db.flush();
        Reads reads = new Reads(db.dataSource, null);

        Map<String, EtaView> etas = etasOf(new TrendsService(reads, TrendsSettings.defaults()));

        assertEquals(2, reads.batches.size(), "the window for all, then further back for those that stood still");
        assertEquals(Map.of("moving", newest.minus(WINDOW), "still-5m", newest.minus(WINDOW), "still-20m", newest.minus(WINDOW),
                "still-all", newest.minus(WINDOW), "young-still", newest.minus(WINDOW)), reads.batches.get(0));
        assertEquals(Map.of("still-20m", newest.minus(LOOKBACK), "still-all", newest.minus(LOOKBACK)), reads.batches.get(1));

        assertEquals(newest, etas.get("moving").stall().unchangedSince());
        assertFalse(etas.get("moving").stall().stalled());
        assertEquals(1_000 / 30.0, etas.get("moving").ratePerSecond(), 1e-9);
        assertEquals(newest.minus(Duration.ofMinutes(5)), etas.get("still-5m").stall().unchangedSince());
        assertFalse(etas.get("still-5m").stall().stalled());
        // found only by the second read: the window alone says 10 minutes, under the 15 of a stall
        assertEquals(newest.minus(Duration.ofMinutes(20)), etas.get("still-20m").stall().unchangedSince());
        assertTrue(etas.get("still-20m").stall().stalled());
        assertEquals(Duration.ofMinutes(20), etas.get("still-20m").stall().unchangedFor());
        // change-only: the one row in force since the first poll
        assertEquals(T0, etas.get("still-all").stall().unchangedSince());
        assertTrue(etas.get("still-all").stall().stalled());
        assertEquals(newest.minusSeconds(300), etas.get("young-still").stall().unchangedSince());
        assertFalse(etas.get("young-still").stall().stalled());
    }

    @Test
    void theTwoReadsGiveWhatOneReadOfTheWholeLookbackGives() {
        for (int seed = 1; seed <= 12; seed++) {
            Random random = new Random(seed);
            HistoryFixture db = new HistoryFixture();
            Instant newest = T0.plusSeconds(60 * 60);
            for (int t = 0; t < 8; t++) {
                String task = "t" + t;
                int polls = 5 + random.nextInt(120);
                boolean verifier = random.nextInt(3) == 0;
                long processed = 0;
                long checked = 0;
                boolean moving = true;
                for (int p = polls - 1; p >= 0; p--) {
                    Instant at = newest.minusSeconds(30L * p);
                    if (random.nextInt(10) == 0) {
                        moving = !moving;
                    }
                    if (moving) {
                        processed += 1 + random.nextInt(3_000);
                    }
                    // now and then a poll without counts (skipped by both the fit and the stall check)
                    Long reported = random.nextInt(15) == 0 ? null : processed;
                    poll(db, task, at, p == 0 && random.nextInt(8) == 0 ? "FINISHED" : "RUNNING", reported, null);
                    if (verifier && p < polls / 2) {
                        checked += random.nextInt(4) == 0 ? 0 : 500;
                        db.step(cycle(task, at), "oms", "OMS", task, at, "FULL_VERIFIER", "RUNNING", null, checked, 100_000_000L,
                                null, null);
                    }
                }
            }
            db.flush();
            Map<String, EtaView> twoReads = etasOf(new TrendsService(new Reads(db.dataSource, null), TrendsSettings.defaults()));
            Map<String, EtaView> oneRead = etasOf(new TrendsService(new Reads(db.dataSource, LOOKBACK), TrendsSettings.defaults()));
            assertEquals(oneRead, twoReads, "seed " + seed);
            assertEquals(8, twoReads.size());
        }
    }

    private static void poll(HistoryFixture db, String task, Instant at, String status, Long processed, Long capacity) {
        String cycle = cycle(task, at);
        db.call(cycle, "oms", "OMS", task, at, "OK", null);
        db.task(cycle, "oms", "OMS", task, at, status, "FULL_TRANSFER", null, null, null);
        db.step(cycle, "oms", "OMS", task, at, "FULL_TRANSFER", status, null, processed, capacity == null ? 100_000_000L : capacity,
                null, null);
    }

    private static String cycle(String task, Instant at) {
        return task + "-" + at.getEpochSecond();
    }

    private static Map<String, EtaView> etasOf(TrendsService service) {
        Map<String, EtaView> out = new TreeMap<>();
        service.tasks().forEach(t -> out.put(t.taskId(), t.eta()));
        return out;
    }

    /** Records each batch's reads (task: since); with widenTo, every read reaches back that far from its task's newest poll. */
    private static final class Reads extends TrendQueries {
        final List<Map<String, Instant>> batches = new ArrayList<>();
        private final Duration widenTo;

        Reads(DataSource dataSource, Duration widenTo) {
            super(dataSource);
            this.widenTo = widenTo;
        }

        @Override
        public List<List<FullStepSample>> fullStepSamples(List<TaskRead> reads) {
            Map<String, Instant> batch = new TreeMap<>();
            reads.forEach(r -> batch.put(r.taskId(), r.since()));
            batches.add(batch);
            if (widenTo == null) {
                return super.fullStepSamples(reads);
            }
            Map<String, Instant> newest = new TreeMap<>();
            tasks().forEach(t -> newest.put(t.taskId(), t.sampledAt()));
            return super.fullStepSamples(reads.stream()
                    .map(r -> new TaskRead(r.source(), r.taskId(), newest.get(r.taskId()).minus(widenTo), r.until())).toList());
        }
    }
}
