package dev.migwatch.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.sql.ResultSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The background work that keeps the history small (routes/migwatch-maintenance.camel.yaml runs it every minute):
 * computes the rollups of closed buckets, then deletes what is past its retention, in small batches, each in
 * its own short transaction, so that polling (which writes through other connections) is never held up.
 * A run stops after its time budget; the next run goes on where it stopped.
 *
 * <p>Samples and polls are deleted only where both rollups cover them (the hours are computed from them too), and
 * a state row is kept while it is the row in force at the retention limit (the newest row of its entity before the
 * limit): a step that finished two months ago and never changed since still reads FINISHED. Rollups are change-only
 * as well, so the same holds for them: the newest row of each series before the rollup limit stays.
 */
public class HistoryMaintenance {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryMaintenance.class);
    /** A bucket is computed once it is this far in the past, so that the cycles under way have been written. */
    static final Duration SETTLE = Duration.ofMinutes(2);
    static final int BATCH = 2_000;

    private final DataSource dataSource;
    private final Retention retention;
    private final Clock clock;
    private final Duration budget;
    /** Whether raw_body is partitioned by day (PostgreSQL): known after the first run. */
    private volatile Boolean rawPartitioned;
    /** When the state tables were last pruned to the end (null: not yet, or a run ran out of time doing it). */
    private volatile Instant lastStatePrune;
    /** Where the pruning of each rollup period has got to: 5-minute rows go sooner than hourly ones. */
    private final RollupPrune fiveMinutePrune = new RollupPrune(Rollups.FIVE_MINUTES, "rollups_5m");
    private final RollupPrune hourPrune = new RollupPrune(Rollups.HOUR, "rollups_1h");
    /** Raw deltas before this are deleted, back to the start of its UTC day (null: not yet since the start). */
    private volatile Instant rawDeltasDeletedUntil;
    /** When H2's statistics were last refreshed (null: not since the start). */
    private volatile Instant lastAnalyze;
    /** From which size an H2 file that is mostly dead space is warned of. */
    private final long deadSpaceMinBytes;
    /** When the last warning that an H2 file is mostly dead space was logged (null: not since the start). */
    private volatile Instant deadSpaceWarned;
    /** The database's size on disk at the end of the last run that got there; empty before it, or where it is not known. */
    private volatile OptionalLong databaseBytes = OptionalLong.empty();

    public HistoryMaintenance(DataSource dataSource, Retention retention, Clock clock, Duration budget) {
        this(dataSource, retention, clock, budget, DEAD_SPACE_MIN_BYTES);
    }

    /** @param deadSpaceMinBytes from which size an H2 file that is mostly dead space is warned of (tests: a small one) */
    HistoryMaintenance(DataSource dataSource, Retention retention, Clock clock, Duration budget, long deadSpaceMinBytes) {
        this.deadSpaceMinBytes = deadSpaceMinBytes;
        this.dataSource = Objects.requireNonNull(dataSource);
        this.retention = Objects.requireNonNull(retention);
        this.clock = Objects.requireNonNull(clock);
        this.budget = Objects.requireNonNull(budget);
    }

    /** What one run did. */
    public record Report(int rollupBuckets, int rollupRows, long deleted, boolean caughtUp) {
    }

    /**
     * The history database's bytes on disk as the last run measured them (DatabaseSize), for the metric
     * migwatch_history_database_bytes: measured here, once a minute, so that a scrape sends no SQL.
     */
    public OptionalLong databaseBytes() {
        return databaseBytes;
    }

    public Report run() {
        Instant deadline = clock.instant().plus(budget);
        int buckets = 0;
        int rows = 0;
        long deleted = 0;
        boolean caughtUp = false;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Instant until = Rollups.floor(clock.instant().minus(SETTLE), Rollups.FIVE_MINUTES);
                Instant mark = Rollups.mark(c, Rollups.FIVE_MINUTES);
                c.commit();
                while (mark != null && mark.isBefore(until) && clock.instant().isBefore(deadline)) {
                    // up to an hour of buckets per transaction
                    Instant to = min(until, mark.plus(Duration.ofHours(1)));
                    rows += Rollups.fiveMinutes(c, mark, to);
                    c.commit();
                    buckets += (int) Duration.between(mark, to).toMinutes() / 5;
                    mark = to;
                }
                Instant hourUntil = mark == null ? null : Rollups.floor(mark, Rollups.HOUR);
                Instant hourMark = Rollups.mark(c, Rollups.HOUR);
                c.commit();
                while (hourMark != null && hourUntil != null && hourMark.isBefore(hourUntil) && clock.instant().isBefore(deadline)) {
                    Instant to = min(hourUntil, hourMark.plus(Duration.ofDays(1)));
                    rows += Rollups.hours(c, hourMark, to);
                    c.commit();
                    hourMark = to;
                }
                caughtUp = mark == null || !mark.isBefore(until);
                Instant now = clock.instant();
                // samples and polls only where both rollups already cover them: the hours are computed from them too
                Instant covered = mark == null ? null : hourMark == null ? mark : min(mark, hourMark);
                Instant samplesBefore = covered == null ? now.minus(retention.samples()) : min(now.minus(retention.samples()), covered);
                // entity by entity, so at most hourly: a few rows of each entity a minute are not worth a lookup per entity
                if (lastStatePrune == null || !now.isBefore(lastStatePrune.plus(Duration.ofHours(1)))) {
                    RetentionMarks.advance(c, RetentionMarks.SAMPLES, samplesBefore);
                    for (StateTable t : StateTable.values()) {
                        deleted += deleteStates(c, t, samplesBefore, deadline);
                    }
                    lastStatePrune = clock.instant().isBefore(deadline) ? now : null;
                }
                deleted += BatchDeletes.untilDone(c, "task_error", "x.last_seen < ?", samplesBefore, BATCH, clock, deadline);
                Instant pollsBefore = covered == null ? now.minus(retention.polls()) : min(now.minus(retention.polls()), covered);
                // through the time index an hour at a time; poll_call rows go with their poll (ON DELETE CASCADE)
                deleted += slices(c, "poll", "polled_at", "DELETE FROM poll WHERE polled_at >= ? AND polled_at < ?", null, pollsBefore,
                        deadline).deleted();
                Instant rawBefore = now.minus(retention.raw());
                String raw = "raw_body";
                if (rawPartitioned(c)) {
                    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
                    RawPartitions.ensure(c, today, today.plusDays(RawPartitions.DAYS_AHEAD));
                    c.commit();
                    List<String> dropped = RawPartitions.dropBefore(c, rawBefore);
                    c.commit();
                    if (!dropped.isEmpty()) {
                        LOG.info("Raw answers past retention dropped: partition(s) {}", String.join(", ", dropped));
                    }
                    raw = RawPartitions.DEFAULT; // what is left to prune row by row
                }
                // The writer starts a keyframe at the first poll of each UTC day, so only deltas of its own day refer to a
                // keyframe (V19: no index of deltas by keyframe to keep). Whole days past the window go, keyframes and deltas
                // together; in the day the window ends in, the deltas past it, from where the last run got to (the day's
                // keyframes stay until the day is past, and are not read again at every run).
                Instant daysBefore = LocalDate.ofInstant(rawBefore, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
                deleted += slices(c, raw, "received_at", "DELETE FROM " + raw + " WHERE received_at >= ? AND received_at < ?", null,
                        daysBefore, deadline).deleted();
                Instant deltasFrom = rawDeltasDeletedUntil == null || rawDeltasDeletedUntil.isBefore(daysBefore) ? daysBefore
                        : rawDeltasDeletedUntil;
                Pass deltas = slices(c, raw, "received_at", "DELETE FROM " + raw + " WHERE received_at >= ? AND received_at < ? "
                        + "AND encoding <> 'deflate'", deltasFrom, rawBefore, deadline);
                deleted += deltas.deleted();
                if (deltas.done()) {
                    rawDeltasDeletedUntil = rawBefore;
                }
                deleted += deleteRollups(c, fiveMinutePrune, now.minus(retention.rollups5m()), now, deadline);
                deleted += deleteRollups(c, hourPrune, now.minus(retention.rollups()), now, deadline);
                analyzeH2(c, now);
                // H2's figures of its file read once: its size for the metric, its live share for the warning
                Optional<DatabaseSize.H2File> h2File = DatabaseSize.h2File(c);
                databaseBytes = h2File.isPresent() ? OptionalLong.of(h2File.get().bytes()) : DatabaseSize.of(c);
                h2File.ifPresent(f -> warnOfDeadSpace(c, f, now));
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            // the database is down or busy: the next run tries again, polling is not affected
            LOG.warn("History maintenance (rollups, retention) stopped: {}", DatabaseFailures.describe(e));
            return new Report(buckets, rows, deleted, false);
        }
        if (deleted > 0 || buckets > 12) {
            LOG.info("History maintenance: {} rollup bucket(s) computed ({} rows), {} row(s) past retention deleted{}", buckets, rows,
                    deleted, caughtUp ? "" : "; more next run");
        }
        return new Report(buckets, rows, deleted, caughtUp);
    }

    /**
     * Deletes the state rows older than the limit that a newer row, also older than the limit, replaces: the row
     * in force at the limit stays. Entity by entity, each a range of the (ref, polled_at) primary key: a time
     * condition over the whole table would read all of it at every run (there is no time index on the state tables,
     * which would cost more bytes per row than anything else in them).
     */
    private long deleteStates(Connection c, StateTable t, Instant before, Instant deadline) throws SQLException {
        String dimension = switch (t) {
            case TASK -> "task";
            case STEP -> "step";
            case COMPONENT -> "component";
        };
        List<Integer> ids = new ArrayList<>();
        // only entities that have a row older than the limit: one index probe each
        try (PreparedStatement ps = c.prepareStatement("SELECT d.id FROM " + dimension + " d WHERE EXISTS (SELECT 1 FROM " + t.table
                + " s WHERE s." + t.refColumn + " = d.id AND s.polled_at < ?)")) {
            new SqlRow(ps).time(before);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getInt(1));
                }
            }
        }
        long total = 0;
        for (int id : ids) {
            if (!clock.instant().isBefore(deadline)) {
                break;
            }
            // the row in force at the limit stays: delete what is older than it, a day of rows per transaction, along the key
            Instant keep;
            Instant oldest;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + AsOf.rowInForce(t.table, t.refColumn, "?") + ", (SELECT s.polled_at FROM "
                    + t.table + " s WHERE s." + t.refColumn + " = ? ORDER BY s.polled_at FETCH FIRST 1 ROW ONLY)")) {
                List<Object> args = new ArrayList<>();
                AsOf.args(args, before, id);
                args.add(id);
                new SqlRow(ps).all(args);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    keep = (Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME);
                    oldest = (Instant) SqlRow.read(rs, 2, SqlRow.Col.Kind.TIME);
                }
            }
            for (Instant from = oldest; from != null && from.isBefore(keep) && clock.instant().isBefore(deadline); from = from.plus(Duration.ofDays(1))) {
                Instant to = min(keep, from.plus(Duration.ofDays(1)));
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.table + " WHERE " + t.refColumn + " = ? AND polled_at >= ? "
                        + "AND polled_at < ?")) {
                    new SqlRow(ps).integer(id).time(from).time(to);
                    total += ps.executeUpdate();
                }
                c.commit();
            }
        }
        return total;
    }

    /** Where the pruning of one rollup period has got to. */
    private static final class RollupPrune {
        final int period;
        final String mark;
        /** Rows of the period before this are pruned to the row in force of each series (null: not yet since the start). */
        volatile Instant prunedUntil;
        volatile Instant lastRecheck;

        RollupPrune(int period, String mark) {
            this.period = period;
            this.mark = mark;
        }
    }

    /**
     * A rollup row of the period older than the limit goes when a newer row of its series, also older than the limit,
     * replaces it: the row in force at the limit stays (rollups are change-only, so it may be the only row of a series
     * that has held one value for years). Through the time index an hour at a time, from where the last run stopped
     * (from the oldest row after a start). The rows left behind that cursor are one per series at most; once an hour
     * they are checked again, since a series that changed since then has a newer row that replaces its old one. The
     * period's retention mark moves first, so that /series reads the coarser rows for what is about to go.
     */
    private long deleteRollups(Connection c, RollupPrune p, Instant before, Instant now, Instant deadline) throws SQLException {
        RetentionMarks.advance(c, p.mark, before);
        String delete = "DELETE FROM metric_rollup WHERE period_s = " + p.period + " AND bucket_start >= ? AND bucket_start < ? "
                + "AND EXISTS (SELECT 1 FROM metric_rollup n WHERE n.entity = metric_rollup.entity AND n.entity_ref = metric_rollup.entity_ref "
                + "AND n.metric = metric_rollup.metric AND n.period_s = metric_rollup.period_s AND n.bucket_start > metric_rollup.bucket_start "
                + "AND n.bucket_start < ?)";
        long total = 0;
        Instant from = p.prunedUntil;
        if (from != null && (p.lastRecheck == null || !now.isBefore(p.lastRecheck.plus(Duration.ofHours(1))))) {
            try (PreparedStatement ps = c.prepareStatement(delete)) {
                new SqlRow(ps).time(Instant.EPOCH).time(min(from, before)).time(before);
                total += ps.executeUpdate();
            }
            c.commit();
            p.lastRecheck = now;
        }
        if (from == null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT bucket_start FROM metric_rollup WHERE bucket_start < ? AND period_s = "
                    + p.period + " ORDER BY bucket_start FETCH FIRST 1 ROW ONLY")) {
                new SqlRow(ps).time(before);
                try (ResultSet rs = ps.executeQuery()) {
                    from = rs.next() ? (Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME) : before;
                }
            }
            p.lastRecheck = now;
        }
        while (from.isBefore(before) && clock.instant().isBefore(deadline)) {
            Instant to = min(before, from.plus(Duration.ofHours(1)));
            try (PreparedStatement ps = c.prepareStatement(delete)) {
                new SqlRow(ps).time(from).time(to).time(before);
                total += ps.executeUpdate();
            }
            c.commit();
            from = to;
        }
        p.prunedUntil = from;
        return total;
    }

    /** What a pass of slices deleted, and whether it reached its limit (else the run's time was up). */
    private record Pass(long deleted, boolean done) {
    }

    /**
     * Deletes what is older than a limit (and not older than after, when given) through a time index, an hour of it per
     * transaction, from the oldest row on. (Deleting "the first N rows" through a row-value IN list is what PostgreSQL
     * does well and H2 does by reading the whole table.)
     */
    private Pass slices(Connection c, String table, String timeColumn, String delete, Instant after, Instant before, Instant deadline)
            throws SQLException {
        Instant oldest;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + timeColumn + " FROM " + table + " WHERE "
                + (after != null ? timeColumn + " >= ? AND " : "") + timeColumn + " < ? ORDER BY " + timeColumn + " FETCH FIRST 1 ROW ONLY")) {
            SqlRow r = new SqlRow(ps);
            if (after != null) {
                r.time(after);
            }
            r.time(before);
            try (ResultSet rs = ps.executeQuery()) {
                oldest = rs.next() ? (Instant) SqlRow.read(rs, 1, SqlRow.Col.Kind.TIME) : null;
            }
        }
        long total = 0;
        Instant from = oldest;
        for (; from != null && from.isBefore(before) && clock.instant().isBefore(deadline); from = from.plus(Duration.ofHours(1))) {
            try (PreparedStatement ps = c.prepareStatement(delete)) {
                new SqlRow(ps).time(from).time(min(before, from.plus(Duration.ofHours(1))));
                total += ps.executeUpdate();
            }
            c.commit();
        }
        return new Pass(total, from == null || !from.isBefore(before));
    }

    /**
     * H2 chooses between the indexes of a table from statistics it gathers after the table's first few thousand rows and
     * rarely again. Added when, with the state tables' early statistics, it looked each step's newest row up through the
     * index of its reference alone, reading every row of the step, instead of through its primary key (step, time); that
     * index is gone since V11, which took the cause away (the refresh had not been enough: with 1,000 tasks H2 still chose
     * it). Kept for H2's other choices between indexes, which follow the same statistics. Refreshed hourly (ANALYZE
     * samples each table). PostgreSQL's autovacuum keeps its own statistics.
     */
    private void analyzeH2(Connection c, Instant now) throws SQLException {
        if (lastAnalyze != null && now.isBefore(lastAnalyze.plus(Duration.ofHours(1)))) {
            return;
        }
        if (DatabaseProduct.of(c) == DatabaseProduct.H2) {
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE");
            }
            c.commit();
        }
        lastAnalyze = now;
    }

    /** An H2 file from this size on is worth a warning when it is mostly dead space. */
    static final long DEAD_SPACE_MIN_BYTES = 256L << 20;
    /** ... when at most this share of it is live data. */
    static final int DEAD_SPACE_MAX_LIVE_PERCENT = 25;

    /**
     * H2 frees a chunk of its file only when nothing in it is live, and past the retention windows every chunk keeps a
     * little: a file that levelled off at twelve times its rows, or kept growing, in the benchmarks (README, "H2's file
     * past the retention windows"). Nothing reclaims that while migwatch runs without stalling every write for seconds,
     * so the operator is told, once a day, how to shrink it.
     */
    private void warnOfDeadSpace(Connection c, DatabaseSize.H2File file, Instant now) {
        if (!deadSpaceDue(file, deadSpaceMinBytes, now, deadSpaceWarned)) {
            return;
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT DATABASE_PATH()")) {
            String path = rs.next() ? rs.getString(1) : null;
            deadSpaceWarned = now;
            LOG.warn(deadSpaceWarning(file, path + ".mv.db"));
        } catch (SQLException e) {
            // only a warning left unsaid: the rollups and deletes of this run are committed
            LOG.debug("H2's path of its file could not be read: {}", DatabaseFailures.describe(e));
        }
    }

    /** Whether to warn now: the file is large and mostly dead, and the last warning is a day old (or there was none). */
    static boolean deadSpaceDue(DatabaseSize.H2File f, long minBytes, Instant now, Instant lastWarned) {
        boolean mostlyDead = f.bytes() >= minBytes && f.liveBytes() * 100 <= f.bytes() * DEAD_SPACE_MAX_LIVE_PERCENT;
        return mostlyDead && (lastWarned == null || !now.isBefore(lastWarned.plus(Duration.ofDays(1))));
    }

    static String deadSpaceWarning(DatabaseSize.H2File f, String fileName) {
        return String.format("The H2 history file is %d MB, of which about %d MB is live data: H2 reclaims only part of the rest "
                        + "while it runs (README, \"H2's file past the retention windows\"). To shrink it, stop migwatch and run "
                        + "java -cp migwatch.jar org.h2.mvstore.MVStoreTool -compact %s; for months of history use PostgreSQL. "
                        + "(Said once a day.)", f.bytes() >> 20, f.liveBytes() >> 20, fileName);
    }

    private boolean rawPartitioned(Connection c) throws SQLException {
        if (rawPartitioned == null) {
            rawPartitioned = RawPartitions.partitioned(c);
        }
        return rawPartitioned;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
