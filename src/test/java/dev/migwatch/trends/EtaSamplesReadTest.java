package dev.migwatch.trends;

import dev.migwatch.PostgresSchema;
import dev.migwatch.progress.FullStepEta;
import dev.migwatch.progress.FullStepSample;
import dev.migwatch.storage.KeptEta;

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
 * The ETA of a task in full transfer, written through the real writer and read with the default settings (ETA window 10
 * min, stall after 15 min, so a lookback of 30 min). The writer keeps each task's figures (V18), and the list takes them
 * where they are of the poll it shows and of its settings; else it reads the samples over the ETA's window first, and back
 * to the lookback only for the tasks whose progress stood still over that window. Either way the figures are those of one
 * read of the whole lookback.
 */
class EtaSamplesReadTest {

    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Duration LOOKBACK = Duration.ofMinutes(30);

    @Test
    void onlyTheTasksThatStoodStillOverTheWindowAreReadFurtherBack() {
        HistoryFixture db = new HistoryFixture(null); // a writer that keeps no figures: the list reads the samples
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
        Reads reads = new Reads(db.dataSource, null, false);

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
            HistoryFixture db = randomHistory(new HistoryFixture(null), seed, null);
            Map<String, EtaView> twoReads = etasOf(new TrendsService(new Reads(db.dataSource, null, false), TrendsSettings.defaults()));
            Map<String, EtaView> oneRead = etasOf(new TrendsService(new Reads(db.dataSource, LOOKBACK, true), TrendsSettings.defaults()));
            assertEquals(oneRead, twoReads, "seed " + seed);
            assertEquals(8, twoReads.size());
        }
    }

    @Test
    void theFiguresTheWriterKeptAreThoseOfOneReadOfTheWholeLookbackAndNoSampleIsRead() {
        FullStepEta eta = TrendsSettings.defaults().fullStepEta();
        int running = 0;
        int finished = 0;
        for (int seed = 1; seed <= 12; seed++) {
            // a restart 20 minutes before the newest poll: the new writer takes the rows it needs from the database
            HistoryFixture db = randomHistory(new HistoryFixture(eta), seed, eta);
            Reads kept = new Reads(db.dataSource, null, false);
            Map<String, EtaView> list = etasOf(new TrendsService(kept, TrendsSettings.defaults()));
            Map<String, EtaView> oneRead = etasOf(new TrendsService(new Reads(db.dataSource, LOOKBACK, true), TrendsSettings.defaults()));
            assertEquals(oneRead, list, "seed " + seed);
            assertEquals(List.of(), kept.batches, "seed " + seed + ": no sample read");
            // the columns hold figures exactly while a full data step runs: emptied once it stopped
            for (Map.Entry<String, EtaView> t : list.entrySet()) {
                assertEquals(t.getValue().stepKey() != null, keptFor(db, t.getKey()), "seed " + seed + ", " + t.getKey());
            }
            running += (int) list.values().stream().filter(v -> v.stepKey() != null).count();
            finished += (int) list.values().stream().filter(v -> v.stepKey() == null).count();
        }
        assertTrue(running > 40, "most of the 96 tasks have a running full step at their newest poll: " + running);
        assertTrue(finished > 3, "some finished at their newest poll: " + finished);

        // still for 45 minutes, with a poll without counts every 10 (so rows of the same count follow): "unchanged since"
        // goes back to the row in force at the lookback's start, not to where the run began
        HistoryFixture db = new HistoryFixture(eta);
        Instant newest = T0.plusSeconds(60 * 60);
        Instant stillFrom = newest.minus(Duration.ofMinutes(45));
        for (Instant at = T0; !at.isAfter(newest); at = at.plusSeconds(30)) {
            boolean still = !at.isBefore(stillFrom);
            Long processed = still ? 1_000_000L : 300L * Duration.between(T0, at).getSeconds();
            poll(db, "still", at, "RUNNING", still && at.isBefore(newest) && at.getEpochSecond() % 600 == 0 ? null : processed, null);
        }
        db.flush();
        Reads kept = new Reads(db.dataSource, null, false);
        EtaView still = etasOf(new TrendsService(kept, TrendsSettings.defaults())).get("still");
        assertEquals(etasOf(new TrendsService(new Reads(db.dataSource, LOOKBACK, true), TrendsSettings.defaults())).get("still"), still);
        assertEquals(List.of(), kept.batches);
        assertEquals(newest.minus(LOOKBACK).plusSeconds(30), still.stall().unchangedSince());
        assertTrue(still.stall().stalled());
    }

    @Test
    void onPostgresqlTooTheKeptFiguresAreThoseOfOneRead() throws Exception {
        FullStepEta eta = TrendsSettings.defaults().fullStepEta();
        for (int seed = 1; seed <= 3; seed++) {
            try (PostgresSchema schema = PostgresSchema.create("eta")) {
                HistoryFixture db = randomHistory(new HistoryFixture(schema.db(), eta), seed, eta);
                Reads kept = new Reads(db.dataSource, null, false);
                Map<String, EtaView> list = etasOf(new TrendsService(kept, TrendsSettings.defaults()));
                assertEquals(etasOf(new TrendsService(new Reads(db.dataSource, LOOKBACK, true), TrendsSettings.defaults())), list,
                        "seed " + seed);
                assertEquals(List.of(), kept.batches);
                assertTrue(list.values().stream().anyMatch(v -> v.finishAt() != null), "seed " + seed + ": " + list);
            }
        }
    }

    @Test
    void figuresOfAnOlderPollOrOtherSettingsAreNotUsed() {
        FullStepEta eta = TrendsSettings.defaults().fullStepEta();
        HistoryFixture db = randomHistory(new HistoryFixture(eta), 3, eta);
        Map<String, EtaView> before = etasOf(new TrendsService(new Reads(db.dataSource, LOOKBACK, true), TrendsSettings.defaults()));
        // the newest poll of t0 written by a writer of an older release: its figures are of the poll before
        Instant newest = T0.plusSeconds(60 * 60 + 30);
        poll(db.writer(null), "t0", newest, "RUNNING", 123_456_789L, null);
        db.flush();
        Reads reads = new Reads(db.dataSource, null, false);
        Map<String, EtaView> list = etasOf(new TrendsService(reads, TrendsSettings.defaults()));
        assertEquals(etasOf(new TrendsService(new Reads(db.dataSource, LOOKBACK, true), TrendsSettings.defaults())), list);
        assertEquals(List.of(Map.of("t0", newest.minus(WINDOW))), reads.batches, "only t0 read, the others kept");
        assertEquals(123_456_789.0, list.get("t0").done());
        assertTrue(before.get("t0").done() < 123_456_789.0);

        // a list with another stall-after: every task in full transfer is read
        TrendsSettings other = new TrendsSettings(TrendsSettings.defaults().eta(), Duration.ofMinutes(30), 60, Duration.ofHours(24),
                Duration.ofMinutes(10), 500);
        Reads otherReads = new Reads(db.dataSource, null, false);
        Map<String, EtaView> otherList = etasOf(new TrendsService(otherReads, other));
        long inFull = otherList.values().stream().filter(v -> v.stepKey() != null).count();
        assertTrue(inFull > 0);
        assertEquals(inFull, otherReads.batches.get(0).size());
        assertEquals(etasOf(new TrendsService(new Reads(db.dataSource, Duration.ofMinutes(20), true), other)), otherList);
    }

    /**
     * Eight OMS tasks polled every 30 s up to an hour after T0, each from its own start: a full transfer that moves and
     * stops at random, now and then a poll without counts or a failed poll, a verifier beside it in a third of them (now and
     * then missing from an answer), and at random a finished step at the newest poll. restart: a new writer with these
     * settings takes over 20 minutes before the newest poll (null: one writer).
     */
    private static HistoryFixture randomHistory(HistoryFixture db, int seed, FullStepEta restart) {
        Random random = new Random(seed);
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
                if (p > 0 && random.nextInt(20) == 0) {
                    db.call(cycle(task, at), "oms", "OMS", task, at, "THROTTLED", "Throttling.User");
                    continue;
                }
                // now and then a poll without counts (skipped by both the fit and the stall check)
                Long reported = random.nextInt(15) == 0 ? null : processed;
                poll(db, task, at, p == 0 && random.nextInt(8) == 0 ? "FINISHED" : "RUNNING", reported, null);
                if (verifier && p < polls / 2 && random.nextInt(6) > 0) {
                    checked += random.nextInt(4) == 0 ? 0 : 500;
                    db.step(cycle(task, at), "oms", "OMS", task, at, "FULL_VERIFIER", "RUNNING", null, checked, 100_000_000L,
                            null, null);
                }
            }
        }
        if (restart != null) {
            db.flushBefore(newest.minus(Duration.ofMinutes(20))).writer(restart);
        }
        return db.flush();
    }

    /** Whether the task's task_latest row holds ETA figures (V18). */
    private static boolean keptFor(HistoryFixture db, String task) {
        try (java.sql.Connection c = db.dataSource.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT l.eta_end FROM task_latest l JOIN task t ON t.id = l.task_ref"
                     + " WHERE t.task_id = ?")) {
            ps.setString(1, task);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), task);
                return rs.getObject(1) != null;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
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

    /**
     * Records each batch's reads (task: since); with widenTo, every read reaches back that far from its task's newest poll.
     * hideKept: the list finds no figures kept by the writer, and reads every task's samples.
     */
    private static final class Reads extends TrendQueries {
        final List<Map<String, Instant>> batches = new ArrayList<>();
        private final Duration widenTo;
        private final boolean hideKept;

        Reads(DataSource dataSource, Duration widenTo, boolean hideKept) {
            super(dataSource);
            this.widenTo = widenTo;
            this.hideKept = hideKept;
        }

        @Override
        public List<KeptEta> keptEtas(List<TaskRead> reads) {
            return hideKept ? java.util.Collections.nCopies(reads.size(), null) : super.keptEtas(reads);
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
