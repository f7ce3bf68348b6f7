package dev.migwatch.storage;

import dev.migwatch.history.TaskSnapshot;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps the history complete while the database is away: snapshots that cannot be written go to the
 * {@link SnapshotJournal}, and {@link #replay()} writes them, oldest first, once the database is back.
 *
 * <p>Order: while the journal holds anything, new snapshots are appended behind it instead of being written
 * directly ({@link #backlogged()}), so no snapshot overtakes an older one. Exactly once: an entry leaves the
 * journal only after its transaction committed, and {@link HistoryStore#write} is a no-op for a stored cycle (same task, same polled_at),
 * so an entry replayed after a crash between commit and removal is not stored twice.
 *
 * <p>Logging: one WARN when an outage starts and one INFO when the backlog is written, not one line per snapshot.
 * The routes call these methods (migwatch-store, migwatch-journal-replay); {@link #store} does the same in one call
 * for code without Camel.
 */
public class SnapshotSpool {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSpool.class);

    private final SnapshotJournal journal;
    private final HistoryStore store;
    private final Clock clock;
    /** When the current outage began, null while the database takes writes. */
    private final AtomicReference<Instant> outageSince = new AtomicReference<>();
    /** Snapshots written from the journal since the backlog last was empty, for the INFO line. */
    private final AtomicInteger replayed = new AtomicInteger();
    private final AtomicInteger rejectedInBacklog = new AtomicInteger();
    static final int STUCK_TRIES = 3;
    /** The journal's head while it fails although the database is reachable; only the replay timer touches these. */
    private String stuckCycle;
    private int stuckTries;

    public SnapshotSpool(SnapshotJournal journal, HistoryStore store, Clock clock) {
        this.journal = journal;
        this.store = store;
        this.clock = clock;
        if (journal.pending() > 0) {
            LOG.info("The snapshot journal {} holds {} snapshot(s) not yet in the history database; they are written first",
                    journal.dir(), journal.pending());
        }
    }

    /** For MigwatchConfiguration: the journal in {@code dir} (default {@value SnapshotJournal#DEFAULT_DIR}). */
    public static SnapshotSpool open(String dir, HistoryStore store) {
        return new SnapshotSpool(new SnapshotJournal(Path.of(dir == null || dir.isBlank() ? SnapshotJournal.DEFAULT_DIR : dir)),
                store, Clock.systemUTC());
    }

    public SnapshotJournal journal() {
        return journal;
    }

    /** When the current outage of the history database began; null while it takes writes. */
    public Instant outageSince() {
        return outageSince.get();
    }

    /** True while older snapshots wait in the journal: a new one must queue behind them. */
    public boolean backlogged() {
        return journal.pending() > 0;
    }

    /** Queues a snapshot behind the backlog. */
    public void spool(TaskSnapshot snapshot) throws IOException {
        journal.append(snapshot);
    }

    /** Whether a failed write means "database unavailable" (spool and retry) rather than "bad snapshot". */
    public boolean unavailable(Exchange exchange) {
        return DatabaseFailures.unavailable(failureOf(exchange));
    }

    /** A direct write failed because the database is unavailable: keep the snapshot in the journal. */
    public void spoolUnwritten(TaskSnapshot snapshot, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure)
            throws IOException {
        outageStarted(failure);
        journal.append(snapshot);
    }

    /** A direct write failed for a reason the snapshot itself carries: set it aside, loudly, and go on. */
    public void reject(TaskSnapshot snapshot, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure) throws IOException {
        String reason = DatabaseFailures.describe(failure);
        journal.rejectNew(snapshot, reason);
        LOG.error("Snapshot of cycle {} (source {}, task {}) cannot be written to the history database and was kept in {}: {}",
                snapshot.cycleId(), snapshot.source(), snapshot.taskId(), journal.rejectedDir(), reason);
    }

    /**
     * Writes the journal to the database, oldest first, stopping at the first snapshot the database cannot take now.
     *
     * @return the number of snapshots still waiting
     */
    public int replay() {
        SnapshotJournal.DrainResult result = journal.drain(this::writeSpooled);
        replayed.addAndGet(result.stored());
        rejectedInBacklog.addAndGet(result.rejected());
        if (result.failure() != null && !DatabaseFailures.unavailable(result.failure())) {
            // the journal itself (its disk) failed, not the database: say so every time, it needs a person
            LOG.error("Journal replay stopped with {} snapshot(s) waiting: {}", result.remaining(),
                    DatabaseFailures.describe(result.failure()));
        } else if (result.failure() != null) {
            outageStarted(result.failure());
            LOG.debug("Journal replay stopped with {} snapshot(s) waiting: {}", result.remaining(),
                    DatabaseFailures.describe(result.failure()));
        } else if (result.remaining() == 0 && (result.stored() > 0 || result.rejected() > 0)) {
            Instant since = outageSince.getAndSet(null);
            LOG.info("History database {}: wrote {} spooled snapshot(s) from the journal in order{}{}",
                    since == null ? "reachable" : "is back", replayed.getAndSet(0),
                    since == null ? "" : " (unavailable since " + since + ")",
                    rejectedInBacklog.get() == 0 ? "" : ", " + rejectedInBacklog.getAndSet(0) + " rejected");
        }
        return result.remaining();
    }

    /** Without Camel: write now, or spool behind the backlog, or spool when the database is unavailable. */
    public void store(TaskSnapshot snapshot) throws IOException {
        if (backlogged()) {
            spool(snapshot);
            return;
        }
        try {
            store.write(snapshot);
        } catch (Exception e) {
            if (DatabaseFailures.unavailable(e)) {
                spoolUnwritten(snapshot, e);
            } else {
                reject(snapshot, e);
            }
        }
    }

    private SnapshotJournal.Outcome writeSpooled(TaskSnapshot snapshot) throws Exception {
        try {
            store.write(snapshot); // false (already stored) is fine: that was a replay after a crash
            store.sync(); // on disk before its journal entry is deleted
            stuckCycle = null;
            return SnapshotJournal.Outcome.STORED;
        } catch (Exception e) {
            if (DatabaseFailures.unavailable(e) && !stuckWhileReachable(snapshot, e)) {
                throw e;
            }
            return SnapshotJournal.Outcome.rejected(DatabaseFailures.describe(e));
        }
    }

    /**
     * An error that looks like an outage but keeps coming back for the same snapshot while the database
     * answers (a vendor's own code for bad data, say) would hold every later snapshot behind it forever:
     * after a few tries such a snapshot is set aside like any bad one.
     */
    private boolean stuckWhileReachable(TaskSnapshot snapshot, Exception failure) {
        if (!store.reachable()) {
            stuckCycle = null;
            return false;
        }
        if (!snapshot.cycleId().equals(stuckCycle)) {
            stuckCycle = snapshot.cycleId();
            stuckTries = 0;
        }
        if (++stuckTries < STUCK_TRIES) {
            LOG.warn("Journal replay: the database answers but refuses cycle {} ({}); try {} of {}", snapshot.cycleId(),
                    DatabaseFailures.describe(failure), stuckTries, STUCK_TRIES);
            return false;
        }
        stuckCycle = null;
        return true;
    }

    private void outageStarted(Throwable failure) {
        if (outageSince.compareAndSet(null, clock.instant())) {
            LOG.warn("History database unavailable ({}): spooling snapshots to the journal {} and writing them when it is back",
                    DatabaseFailures.describe(failure), journal.dir());
        }
    }

    private static Throwable failureOf(Exchange exchange) {
        Throwable t = exchange.getException();
        return t != null ? t : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }
}
