package dev.migwatch.cluster;

import dev.migwatch.poll.PollCycles;
import dev.migwatch.poll.PollTarget;
import dev.migwatch.poll.RetryPolicy;
import dev.migwatch.source.SourceConfig;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The database's word on who polls a task now, for when two nodes both believe they lead a source (a lock handed
 * over while the old leader still finishes its round, a network split): a cycle runs only after its node has claimed
 * the task's current poll slot (poll_claim, V6__cluster.sql) with one conditional UPDATE, which one node wins.
 * On a single node (migwatch.cluster.type = none) every claim is granted without asking the database.
 */
public class PollClaims {
    /** The claim a cycle holds, to be ended with it. */
    public static final String CLAIM = "migwatchClaim";
    private static final Logger LOG = LoggerFactory.getLogger(PollClaims.class);
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;
    private final String node;
    private final Map<String, SourceConfig> sources;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final LongAdder refused = new LongAdder();

    private PollClaims(DataSource dataSource, String node, List<SourceConfig> sources, RetryPolicy retryPolicy, Clock clock) {
        this.dataSource = dataSource;
        this.node = node;
        this.sources = sources.stream().collect(Collectors.toMap(SourceConfig::name, Function.identity()));
        this.retryPolicy = retryPolicy;
        this.clock = clock;
    }

    /** Claims through the database, for a node of a cluster. */
    public static PollClaims shared(DataSource dataSource, String node, List<SourceConfig> sources, RetryPolicy retryPolicy, Clock clock) {
        return new PollClaims(dataSource, node, sources, retryPolicy, clock);
    }

    /** A single node: nobody else polls, nothing to ask. */
    public static PollClaims single() {
        return new PollClaims(null, null, List.of(), null, Clock.systemUTC());
    }

    public record Claim(String source, String taskId, long slot) {
    }

    /** Claims granted to other nodes: the cycles this node left out because another node made them. */
    public long refused() {
        return refused.sum();
    }

    /**
     * True when this node may poll the target now: it has claimed the task's current slot. The slot is the time
     * divided by the source's interval, so two nodes polling in the same interval ask for the same slot.
     */
    public boolean claim(@ExchangeProperty(PollCycles.TARGET) PollTarget target, Exchange exchange) {
        if (dataSource == null) {
            return true;
        }
        SourceConfig source = sources.get(target.source());
        Instant now = clock.instant();
        long slot = now.toEpochMilli() / source.interval().toMillis();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            boolean won = take(c, target, slot, now, now.minus(lease(source)), now.minus(source.interval().dividedBy(2)))
                    || create(c, target, slot, now);
            if (won) {
                exchange.setProperty(CLAIM, new Claim(target.source(), target.taskId(), slot));
            } else {
                refused.increment();
                LOG.debug("{}/{}: slot {} is another node's; not polled here", target.source(), target.taskId(), slot);
            }
            return won;
        } catch (SQLException e) {
            // the database is unavailable: the leader still polls, into its journal (a duplicate is then possible only
            // if two nodes lead at the same time during the outage; the poll log's (task, polled_at) stays unique)
            LOG.debug("{}/{}: cannot claim slot {} ({}); polling anyway", target.source(), target.taskId(), slot, e.getMessage());
            return true;
        }
    }

    /**
     * Takes the task's row for a later slot, if its last cycle has ended (or its node died) and began at least half an
     * interval ago: two nodes whose timers tick at different moments of the interval would otherwise poll the task at the
     * end of one slot and at the start of the next, a few milliseconds apart.
     */
    private boolean take(Connection c, PollTarget t, long slot, Instant now, Instant staleBefore, Instant spacedAfter)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE poll_claim SET slot = ?, node = ?, claimed_at = ?, ended_at = NULL "
                + "WHERE source = ? AND task_id = ? AND slot < ? AND (ended_at IS NOT NULL OR claimed_at < ?) AND claimed_at <= ?")) {
            ps.setLong(1, slot);
            ps.setString(2, node);
            ps.setObject(3, utc(now));
            ps.setString(4, t.source());
            ps.setString(5, t.taskId());
            ps.setLong(6, slot);
            ps.setObject(7, utc(staleBefore));
            ps.setObject(8, utc(spacedAfter));
            return ps.executeUpdate() == 1;
        }
    }

    /** The task's first claim ever; false when it exists already (another node's, or one this node cannot take). */
    private boolean create(Connection c, PollTarget t, long slot, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO poll_claim (source, task_id, slot, node, claimed_at) "
                + "VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, t.source());
            ps.setString(2, t.taskId());
            ps.setLong(3, slot);
            ps.setString(4, node);
            ps.setObject(5, utc(now));
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /** Ends the cycle's claim, so that the next slot may be claimed by whichever node leads then. */
    public void release(@ExchangeProperty(CLAIM) Claim claim) {
        if (claim == null || dataSource == null) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE poll_claim SET ended_at = ? WHERE source = ? AND task_id = ? "
                     + "AND node = ? AND slot = ?")) {
            c.setAutoCommit(true);
            ps.setObject(1, utc(clock.instant()));
            ps.setString(2, claim.source());
            ps.setString(3, claim.taskId());
            ps.setString(4, node);
            ps.setLong(5, claim.slot());
            ps.executeUpdate();
        } catch (SQLException e) {
            // the claim then ends when its lease does
            LOG.debug("{}/{}: cannot end the claim of slot {}: {}", claim.source(), claim.taskId(), claim.slot(), e.getMessage());
        }
    }

    /**
     * The longest a cycle of the source can take (every attempt timing out, the longest backoffs between them): a claim
     * older than this whose cycle never ended belonged to a node that died.
     */
    Duration lease(SourceConfig s) {
        int attempts = retryPolicy.maxAttempts();
        return s.connectTimeout().plus(s.readTimeout()).multipliedBy(attempts)
                .plus(retryPolicy.maxDelay().multipliedBy(Math.max(0, attempts - 1))).plusSeconds(1);
    }

    /** Timestamps are stored as UTC wall times without zone, as SqlRow does. */
    private static LocalDateTime utc(Instant at) {
        return LocalDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
