package dev.migwatch.storage;

import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.RawBody;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskPart;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import dev.migwatch.progress.EtaEstimator;
import dev.migwatch.progress.FullStepEta;
import dev.migwatch.storage.SqlRow.Col.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes one poll cycle in one transaction, all or nothing, storing only what changed since the task's
 * previous poll (see V3__compact_history.sql). Writing a cycle that is already stored (same task, same
 * polled_at) is a no-op, which makes replaying a spooled cycle safe.
 *
 * <p>Cycles of one task are written one at a time and in order (the poller never runs two cycles of a task
 * at once, and the journal queues new cycles behind its backlog). A cycle older than the task's newest
 * stored state (possible only if that order was broken) still gets its poll log, raw bodies and errors, but
 * no state rows: change-only rows inserted out of order would change what later as-of reads return.
 */
public class HistoryStore {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryStore.class);

    private final DataSource dataSource;
    private final java.time.Clock clock;
    /** This node's migwatch.cluster.node-id, recorded with each poll; null for a single node without one. */
    private final String node;
    private final DelayWindowFigures.Settings delayWindow;
    private final FullStepEta fullStepEta;
    private final Map<String, KnownTask> known = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private volatile Boolean h2;

    public HistoryStore(DataSource dataSource) {
        this(dataSource, java.time.Clock.systemUTC());
    }

    /** @param clock tells a cycle written late (whose rollup bucket may be computed already) from a current one */
    public HistoryStore(DataSource dataSource, java.time.Clock clock) {
        this(dataSource, clock, null);
    }

    /**
     * @param node the node whose polls this store writes: a journal is replayed by the node that spooled it, so the
     *             writer's node is the poller's
     */
    public HistoryStore(DataSource dataSource, java.time.Clock clock, String node) {
        this(dataSource, clock, node, DEFAULT_DELAY_WINDOW);
    }

    /**
     * @param delayWindow the window and threshold of the task list's delay figures, which the writer keeps on each task's
     *                    task_latest row (DelayWindowFigures): the readers' own (TrendsSettings), else the figures are
     *                    never used; null keeps none
     */
    public HistoryStore(DataSource dataSource, java.time.Clock clock, String node, DelayWindowFigures.Settings delayWindow) {
        this(dataSource, clock, node, delayWindow, DEFAULT_FULL_STEP_ETA);
    }

    /**
     * @param fullStepEta the ETA and stall figures of the task list, which the writer keeps on each task's task_latest row
     *                    while a full data step runs (KeptEta): the readers' own (TrendsSettings.fullStepEta), else the
     *                    figures are never used; null keeps none
     */
    public HistoryStore(DataSource dataSource, java.time.Clock clock, String node, DelayWindowFigures.Settings delayWindow,
                        FullStepEta fullStepEta) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.node = node;
        this.delayWindow = delayWindow;
        this.fullStepEta = fullStepEta;
    }

    /** The readers' defaults (TrendsSettings.defaults: 30 minutes, 60 s). */
    public static final DelayWindowFigures.Settings DEFAULT_DELAY_WINDOW =
            new DelayWindowFigures.Settings(java.time.Duration.ofMinutes(30), 60);

    /** The readers' defaults (TrendsSettings.defaults: the ETA over 10 minutes, stalled after 15). */
    public static final FullStepEta DEFAULT_FULL_STEP_ETA =
            new FullStepEta(EtaEstimator.Settings.defaults(), java.time.Duration.ofMinutes(15));

    /** True when the database answers at all; tells an outage from a snapshot it keeps refusing. */
    public boolean reachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Makes every commit so far survive a crash or a power cut, for callers that delete their own copy of what they
     * wrote (the journal). PostgreSQL's commit already is; H2 writes commits to its file in the background (within
     * its WRITE_DELAY, 0.5 s), which is what lets its background writer keep the file compact.
     */
    public void sync() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (h2 == null) {
                // what the database is does not change: asked once
                h2 = DatabaseProduct.of(c) == DatabaseProduct.H2;
            }
            if (h2) {
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("CHECKPOINT SYNC"); // a no-op for an in-memory database
                }
            }
        }
    }

    /** @return true when the cycle was written, false when it was already there */
    public boolean write(TaskSnapshot s) throws SQLException {
        String key = s.source() + '\u0000' + s.taskId();
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            try (Connection c = dataSource.getConnection()) {
                boolean autoCommit = c.getAutoCommit();
                c.setAutoCommit(false);
                try {
                    KnownTask task = known.get(key);
                    if (task != null && node != null && !stillOurs(c, task)) {
                        // several nodes write this history: what this one remembers of the task is stale once another
                        // node stored a poll of it (a failover), and storing only the changes needs the newest values
                        task = null;
                    }
                    if (task == null) {
                        task = load(c, s);
                    }
                    // every stored poll of the task is at or before its last_polled_at, which the task in hand knows (on
                    // several nodes stillOurs has checked that nobody wrote since): only a cycle that is not newer, a
                    // replay from the journal, may be stored already and needs the lookup (3 % of a cycle's CPU)
                    Instant at = SqlRow.micros(s.polledAt());
                    boolean newer = task.lastPolledAt != null && at.isAfter(task.lastPolledAt);
                    if (!newer && alreadyStored(c, task.id, s.polledAt())) {
                        c.rollback();
                        known.put(key, task);
                        return false;
                    }
                    writeCycle(c, task, s);
                    c.commit();
                    if (task.lastPolledAt == null || at.isAfter(task.lastPolledAt)) {
                        task.lastPolledAt = at;
                    }
                    known.put(key, task);
                    return true;
                } catch (SQLException | RuntimeException e) {
                    known.remove(key);
                    c.rollback();
                    throw e;
                } finally {
                    c.setAutoCommit(autoCommit);
                }
            }
        }
    }

    /**
     * Whether the task's newest poll and newest state row are still the ones this writer stored; locks the task's
     * task_latest row, so that the task's writes from several nodes follow one another. The state row counts apart: another
     * node replaying an older cycle from its journal writes a state row without moving last_polled_at past a newer failed
     * poll, and a row written after it must take its values and delay integral from that row, not from this writer's.
     */
    private static boolean stillOurs(Connection c, KnownTask task) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT last_polled_at, state_at FROM task_latest WHERE task_ref = ? FOR UPDATE")) {
            ps.setInt(1, task.id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && java.util.Objects.equals(SqlRow.read(rs, 1, Kind.TIME), task.lastPolledAt)
                        && java.util.Objects.equals(SqlRow.read(rs, 2, Kind.TIME), task.stateAt);
            }
        }
    }

    private void writeCycle(Connection c, KnownTask task, TaskSnapshot s) throws SQLException {
        Instant at = SqlRow.micros(s.polledAt());
        PollLog.insert(c, task.id, at, s, node);
        writeRaw(c, task, at, s.rawBodies());
        boolean late = task.lastOkAt != null && !at.isAfter(task.lastOkAt);
        Instant stateAt = null;
        DelayWindowFigures figures = null;
        KeptEta eta = null;
        if (s.succeeded()) {
            if (late) {
                LOG.warn("Cycle {} of {}/{} at {} is older than the stored state ({}); its poll log and errors are stored, "
                        + "its values are not", s.cycleId(), s.source(), s.taskId(), at, task.lastOkAt);
            } else {
                updateTaskInfo(c, task, s.task());
                stateAt = writeTaskState(c, task, at, s);
                if (task.delays != null) {
                    if (stateAt != null) {
                        task.delays.add(at, StateTable.taskDelay(task.state));
                    }
                    figures = task.delays.figuresAt(at);
                }
                // a part the answers did not cover at all (an idle task recorded from its list entry) stays as stored
                if (!s.notReported().contains(TaskPart.STEPS)) {
                    writeSteps(c, task, at, s.steps());
                }
                if (!s.notReported().contains(TaskPart.COMPONENTS)) {
                    writeComponents(c, task, at, s.components());
                }
                if (task.fullSteps != null) {
                    for (Map.Entry<String, KnownTask.Entity> e : task.steps.entrySet()) {
                        if (at.equals(e.getValue().stateAt)) {
                            task.fullSteps.add(e.getKey(), e.getValue(), at);
                        }
                    }
                    eta = task.fullSteps.figuresAt(at, StateTable.taskStatus(task.state), task.steps);
                }
                settleSteps(c, task.steps.values(), at);
                flushPointers(c, "component", task.components.values(), at);
                task.lastOkAt = at;
            }
            ErrorLedger.record(c, task, at, s.errors(), late);
        }
        // the ETA's columns are written while there are figures and once more to empty them, not at every poll of a task that
        // has none (most of them: past their full transfer)
        boolean etaColumns = task.fullSteps != null && (eta != null || task.etaOnRow);
        updatePointers(c, task.id, at, s, stateAt, s.succeeded() && !late, figures, etaColumns, eta);
        if (etaColumns && s.succeeded() && !late) {
            task.etaOnRow = eta != null;
        }
        if (s.succeeded() && at.isBefore(clock.instant().minus(HistoryMaintenance.SETTLE))) {
            Rollups.invalidate(c, at); // its bucket may be rolled up already: have it computed again
        }
    }

    // ---- the task and its pointers

    private KnownTask load(Connection c, TaskSnapshot s) throws SQLException {
        KnownTask task;
        try (PreparedStatement ps = c.prepareStatement("SELECT id, task_name, task_type, created_at, detail_json FROM task "
                + "WHERE source = ? AND task_id = ?")) {
            new SqlRow(ps).str(s.source()).str(s.taskId());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return insertTask(c, s);
                }
                task = new KnownTask(rs.getInt(1));
                task.info = values(rs.getString(2), rs.getString(3), SqlRow.read(rs, 4, Kind.TIME), rs.getString(5));
            }
        }
        // with several nodes, the task's pointers are held while what it holds is read, as stillOurs does for a task in hand:
        // another node's write of it waits for this transaction instead of landing between what this one read and what it
        // writes (its rows and the delay window's figures would not count that write)
        DelayWindowFigures kept = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT l.last_ok_at, l.last_polled_at, " + DelayWindowFigures.columns("l")
                + " FROM task_latest l WHERE l.task_ref = ?" + (node != null ? " FOR UPDATE" : ""))) {
            ps.setInt(1, task.id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    task.lastOkAt = (Instant) SqlRow.read(rs, 1, Kind.TIME);
                    task.lastPolledAt = (Instant) SqlRow.read(rs, 2, Kind.TIME);
                    kept = DelayWindowFigures.read(rs, 3);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(StateTable.TASK.latestSql())) {
            ps.setInt(1, task.id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    int at = StateTable.TASK.columns.size() + 2;
                    task.state = StateTable.TASK.read(rs);
                    task.stateAt = (Instant) SqlRow.read(rs, at, Kind.TIME);
                    task.integral = DelayIntegral.read(rs, at + 1);
                }
            }
        }
        if (delayWindow != null) {
            task.delays = DelayReadings.load(c, task.id, task.lastOkAt, delayWindow, kept);
        }
        loadEntities(c, task, "step", "step_key", "parent_step_key, step_order, step_name, description, detail_json",
                new Kind[]{Kind.TEXT, Kind.INT, Kind.TEXT, Kind.TEXT, Kind.TEXT}, StateTable.STEP, task.steps);
        if (fullStepEta != null) {
            task.fullSteps = FullStepReadings.load(c, s.provider(), task.lastOkAt, fullStepEta, task.steps);
        }
        loadEntities(c, task, "component", "kind || '/' || name", "ip, region, identity, topic, subtopic, detail_json",
                new Kind[]{Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT}, StateTable.COMPONENT, task.components);
        task.standingErrors = ErrorLedger.standing(c, task);
        return task;
    }

    private static void loadEntities(Connection c, KnownTask task, String table, String keyExpr, String infoColumns, Kind[] kinds,
                                     StateTable states, Map<String, KnownTask.Entity> into) throws SQLException {
        Map<Integer, KnownTask.Entity> byId = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, " + keyExpr + ", " + infoColumns + " FROM " + table
                + " WHERE task_ref = ?")) {
            ps.setInt(1, task.id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Object[] info = new Object[kinds.length];
                    for (int i = 0; i < kinds.length; i++) {
                        info[i] = SqlRow.read(rs, i + 3, kinds[i]);
                    }
                    KnownTask.Entity e = new KnownTask.Entity(rs.getInt(1), values(info), null);
                    into.put(rs.getString(2), e);
                    byId.put(e.id, e);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(states.latestSql())) {
            ps.setInt(1, task.id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    KnownTask.Entity e = byId.get(rs.getInt(1));
                    if (e != null) {
                        e.state = states.read(rs);
                        e.stateAt = (Instant) SqlRow.read(rs, states.columns.size() + 2, Kind.TIME);
                        e.pointerAt = (Instant) SqlRow.read(rs, states.columns.size() + 3, Kind.TIME);
                        if (states == StateTable.STEP) {
                            e.settledAt = (Instant) SqlRow.read(rs, states.columns.size() + 4, Kind.TIME);
                        }
                    }
                }
            }
        }
    }

    private KnownTask insertTask(Connection c, TaskSnapshot s) throws SQLException {
        Instant at = SqlRow.micros(s.polledAt());
        KnownTask task;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO task (source, provider, task_id, first_polled_at) VALUES (?, ?, ?, ?)",
                new String[]{"id"})) {
            new SqlRow(ps).str(s.source()).str(s.provider()).str(s.taskId()).time(at);
            ps.executeUpdate();
            task = new KnownTask(generatedId(ps));
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO task_latest (task_ref, last_polled_at, last_outcome) VALUES (?, ?, ?)")) {
            new SqlRow(ps).integer(task.id).time(at).str(s.outcome());
            ps.executeUpdate();
        }
        task.info = values(null, null, null, null);
        task.delays = delayWindow == null ? null : new DelayReadings(delayWindow);
        task.fullSteps = fullStepEta == null ? null : new FullStepReadings(fullStepEta, s.provider());
        task.etaOnRow = false;
        return task;
    }

    private static boolean alreadyStored(Connection c, int taskRef, Instant polledAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM poll WHERE task_ref = ? AND polled_at = ?")) {
            new SqlRow(ps).integer(taskRef).time(SqlRow.micros(polledAt));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void updateTaskInfo(Connection c, KnownTask task, TaskState t) throws SQLException {
        // a value this answer does not carry keeps the last one known: DTS's ListJobStep has no name, its list entry has
        List<Object> info = values(orKnown(SqlRow.clip(t.taskName(), 500), task, 0), orKnown(SqlRow.clip(t.taskType(), 100), task, 1),
                orKnown(SqlRow.micros(t.createdAt()), task, 2), orKnown(t.detailJson(), task, 3));
        if (info.equals(task.info)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE task SET task_name = ?, task_type = ?, created_at = ?, "
                + "detail_json = ? WHERE id = ?")) {
            new SqlRow(ps).str((String) info.get(0)).str((String) info.get(1)).time((Instant) info.get(2))
                    .str((String) info.get(3)).integer(task.id);
            ps.executeUpdate();
        }
        task.info = info;
    }

    private static Object orKnown(Object value, KnownTask task, int index) {
        return value != null || task.info == null ? value : task.info.get(index);
    }

    /**
     * Moves the task's pointers (its task_latest row) forward only, so that a late replay of an old cycle cannot turn the
     * clock back. Each CASE compares with the old value of its own column, which every database reads the same way. The
     * one row a poll updates is narrow and none of its indexed columns changes: PostgreSQL rewrites it on its own page
     * (HOT) and reclaims the old version there, instead of leaving a copy of the task's names and detail JSON behind.
     * A successful poll that is not late (current) also sets the delay window's figures, which end at it (none: NULL), and
     * when asked to (etaColumns) the ETA figures of a running full data step (none: NULL).
     */
    private static void updatePointers(Connection c, int taskRef, Instant at, TaskSnapshot s, Instant stateAt, boolean current,
                                       DelayWindowFigures figures, boolean etaColumns, KeptEta eta) throws SQLException {
        boolean ok = s.succeeded();
        try (PreparedStatement ps = c.prepareStatement("UPDATE task_latest SET "
                + "last_outcome = CASE WHEN last_polled_at <= ? THEN ? ELSE last_outcome END, "
                + "last_polled_at = CASE WHEN last_polled_at <= ? THEN ? ELSE last_polled_at END"
                + (ok ? ", last_ok_at = CASE WHEN last_ok_at IS NULL OR last_ok_at <= ? THEN ? ELSE last_ok_at END" : "")
                + (stateAt != null ? ", state_at = ?" : "")
                + (current ? DelayWindowFigures.ASSIGNMENTS : "")
                + (current && etaColumns ? KeptEta.ASSIGNMENTS : "")
                + " WHERE task_ref = ?")) {
            SqlRow r = new SqlRow(ps).time(at).str(s.outcome()).time(at).time(at);
            if (ok) {
                r.time(at).time(at);
            }
            if (stateAt != null) {
                r.time(stateAt);
            }
            if (current) {
                DelayWindowFigures.bind(r, figures);
            }
            if (current && etaColumns) {
                KeptEta.bind(r, eta);
            }
            r.integer(taskRef);
            ps.executeUpdate();
        }
    }

    /**
     * The state_at of a step or component is where its newest state row is only when that row is not at the task's newest
     * successful poll (readers look there first: StateTable.latestSql, the v_*_latest views). So an entity that changes at
     * every poll needs no update of its row; once it stops changing (no row at this poll), its state_at is moved to its
     * newest row, once. Called at each successful poll that is not late, after its state rows.
     */
    private static void flushPointers(Connection c, String table, java.util.Collection<KnownTask.Entity> entities, Instant at)
            throws SQLException {
        List<KnownTask.Entity> stale = entities.stream()
                .filter(e -> e.stateAt != null && !e.stateAt.equals(at) && !e.stateAt.equals(e.pointerAt)).toList();
        if (stale.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state_at = ? WHERE id = ?")) {
            for (KnownTask.Entity e : stale) {
                new SqlRow(ps).time(e.stateAt).integer(e.id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        stale.forEach(e -> e.pointerAt = e.stateAt);
    }

    /**
     * flushPointers for steps, which also copy their newest row's values onto the step row (settled_*, V17) and say so in
     * settled_at: the task list then reads a step that stopped changing from the step row instead of looking its state
     * row up, wherever in the history that is. A step the writer sees for the first time has its state_at right already,
     * and settles at the first poll that does not change it. A copy that is not of the step's newest row (a writer of an
     * older release, which does not know the copy, wrote the step since) is loaded as a settledAt other than stateAt, so
     * it is put right at this writer's next successful poll of the task, whether the step changes then or not.
     */
    private static void settleSteps(Connection c, java.util.Collection<KnownTask.Entity> steps, Instant at) throws SQLException {
        List<KnownTask.Entity> settled = steps.stream()
                .filter(e -> e.stateAt != null && !e.stateAt.equals(at) && !e.stateAt.equals(e.settledAt)).toList();
        if (settled.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(StateTable.settleSql())) {
            for (KnownTask.Entity e : settled) {
                StateTable.bindSettled(ps, e.id, e.stateAt, e.state);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        settled.forEach(e -> e.pointerAt = e.settledAt = e.stateAt);
    }

    /** Empties settled_at of steps that are given a newer state row than their copy, in the transaction that writes it. */
    private static void unsettle(Connection c, List<KnownTask.Entity> steps) throws SQLException {
        if (steps.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE step SET settled_at = NULL WHERE id = ?")) {
            for (KnownTask.Entity e : steps) {
                ps.setInt(1, e.id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        steps.forEach(e -> e.settledAt = null);
    }

    // ---- states

    private static Instant writeTaskState(Connection c, KnownTask task, Instant at, TaskSnapshot s) throws SQLException {
        List<Object> values = StateTable.of(s);
        if (values.equals(task.state)) {
            return null;
        }
        DelayIntegral integral = task.state == null ? DelayIntegral.ORIGIN
                : DelayIntegral.after(task.integral, StateTable.taskDelay(task.state), task.stateAt, at);
        try (PreparedStatement ps = c.prepareStatement(StateTable.TASK.insertSql())) {
            StateTable.TASK.bind(ps, task.id, at, values);
            DelayIntegral.bind(ps, StateTable.TASK.columns.size() + 3, integral);
            ps.executeUpdate();
        }
        task.state = values;
        task.stateAt = at;
        task.integral = integral;
        return at;
    }

    private static void writeSteps(Connection c, KnownTask task, Instant at, List<StepSample> steps) throws SQLException {
        Map<String, List<Object>[]> seen = new LinkedHashMap<>();
        for (StepSample st : steps) {
            String key = SqlRow.clip(st.stepKey(), 200);
            @SuppressWarnings("unchecked")
            List<Object>[] pair = new List[]{values(SqlRow.clip(st.parentStepKey(), 200), st.stepOrder(),
                    SqlRow.clip(st.stepName(), 200), SqlRow.clip(st.description(), 500), st.detailJson()), StateTable.of(st)};
            if (seen.put(key, pair) != null) {
                throw new SQLDataException("the answer lists step " + key + " twice");
            }
        }
        writeEntities(c, task, at, seen, task.steps, StateTable.STEP, "step", "step_key",
                "parent_step_key, step_order, step_name, description, detail_json",
                new Kind[]{Kind.TEXT, Kind.INT, Kind.TEXT, Kind.TEXT, Kind.TEXT}, k -> List.of(k));
    }

    private static void writeComponents(Connection c, KnownTask task, Instant at, List<ComponentSample> components)
            throws SQLException {
        Map<String, List<Object>[]> seen = new LinkedHashMap<>();
        for (ComponentSample k : components) {
            String key = k.kind() + '/' + SqlRow.clip(k.name(), 500);
            @SuppressWarnings("unchecked")
            List<Object>[] pair = new List[]{values(SqlRow.clip(k.ip(), 100), SqlRow.clip(k.region(), 100),
                    SqlRow.clip(k.identity(), 200), SqlRow.clip(k.topic(), 500), SqlRow.clip(k.subtopic(), 500), k.detailJson()),
                    StateTable.of(k)};
            if (seen.put(key, pair) != null) {
                throw new SQLDataException("the answer lists component " + key + " twice");
            }
        }
        writeEntities(c, task, at, seen, task.components, StateTable.COMPONENT, "component", "kind, name",
                "ip, region, identity, topic, subtopic, detail_json",
                new Kind[]{Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT},
                k -> List.of(k.substring(0, k.indexOf('/')), k.substring(k.indexOf('/') + 1)));
    }

    /**
     * For each entity of the answer: its own row on first sight, its descriptive values when they changed, a
     * state row when its values changed; and an "absent" state row for each known entity the answer left out.
     */
    private static void writeEntities(Connection c, KnownTask task, Instant at, Map<String, List<Object>[]> seen,
                                      Map<String, KnownTask.Entity> known, StateTable states, String table, String keyColumns,
                                      String infoColumns, Kind[] infoKinds,
                                      java.util.function.Function<String, List<String>> keyParts) throws SQLException {
        List<KnownTask.Entity> changedInfo = new ArrayList<>();
        List<Object[]> stateRows = new ArrayList<>();
        for (Map.Entry<String, List<Object>[]> e : seen.entrySet()) {
            List<Object> info = e.getValue()[0];
            List<Object> state = e.getValue()[1];
            KnownTask.Entity entity = known.get(e.getKey());
            if (entity == null) {
                entity = new KnownTask.Entity(insertEntity(c, task.id, table, keyColumns, infoColumns, infoKinds,
                        keyParts.apply(e.getKey()), info, at), info, null);
                entity.pointerAt = at;
                known.put(e.getKey(), entity);
            } else if (!info.equals(entity.info)) {
                entity.info = info;
                changedInfo.add(entity);
            }
            if (!state.equals(entity.state)) {
                entity.state = state;
                stateRows.add(new Object[]{entity, state});
            }
        }
        for (Map.Entry<String, KnownTask.Entity> e : known.entrySet()) {
            if (!seen.containsKey(e.getKey()) && e.getValue().present()) {
                e.getValue().state = states.absent();
                stateRows.add(new Object[]{e.getValue(), e.getValue().state});
            }
        }
        if (!changedInfo.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET "
                    + String.join(" = ?, ", infoColumns.split(", ")) + " = ? WHERE id = ?")) {
                for (KnownTask.Entity entity : changedInfo) {
                    SqlRow r = new SqlRow(ps);
                    for (int i = 0; i < infoKinds.length; i++) {
                        r.value(entity.info.get(i), infoKinds[i]);
                    }
                    r.integer(entity.id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (!stateRows.isEmpty()) {
            if (states == StateTable.STEP) {
                // a settled step that changes again: its copy goes in the same transaction as its new row
                unsettle(c, stateRows.stream().map(r -> (KnownTask.Entity) r[0]).filter(e -> e.settledAt != null).toList());
            }
            // no update of the entity's state_at: a row at the task's newest successful poll is found there (flushPointers)
            try (PreparedStatement ps = c.prepareStatement(states.insertSql())) {
                for (Object[] row : stateRows) {
                    KnownTask.Entity entity = (KnownTask.Entity) row[0];
                    @SuppressWarnings("unchecked")
                    List<Object> values = (List<Object>) row[1];
                    states.bind(ps, entity.id, at, values);
                    ps.addBatch();
                    entity.stateAt = at;
                }
                ps.executeBatch();
            }
        }
    }

    private static int insertEntity(Connection c, int taskRef, String table, String keyColumns, String infoColumns, Kind[] infoKinds,
                                    List<String> key, List<Object> info, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (task_ref, " + keyColumns + ", " + infoColumns
                + ", state_at) VALUES (?" + ", ?".repeat(key.size() + infoKinds.length) + ", ?)", new String[]{"id"})) {
            SqlRow r = new SqlRow(ps).integer(taskRef);
            for (String k : key) {
                r.str(k);
            }
            for (int i = 0; i < infoKinds.length; i++) {
                r.value(info.get(i), infoKinds[i]);
            }
            r.time(at);
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    // ---- raw bodies

    private static void writeRaw(Connection c, KnownTask task, Instant at, List<RawBody> bodies) throws SQLException {
        if (bodies.isEmpty()) {
            return;
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        bodies.forEach(b -> hashes.put(b.api(), b.contentHash()));
        if (hashes.equals(task.lastBodyHashes)) {
            return; // the same answers as last time but for request ids and timings
        }
        // a new keyframe each UTC day too: then no delta needs a keyframe of another day, and PostgreSQL drops a
        // day of raw answers as a partition (RawPartitions)
        RawBodyCodec.Keyframe base = task.deltasSinceKeyframe >= RawBodyCodec.MAX_DELTAS || task.keyframe == null
                || !day(task.keyframe.at()).equals(day(at)) ? null : task.keyframe;
        byte[] record = RawBodyCodec.encode(bodies, base);
        // a delta that saves little (the answer changed a lot since the keyframe) is better stored as a new keyframe
        if (base != null && record.length > base.size() / 2) {
            base = null;
            record = RawBodyCodec.encode(bodies, null);
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO raw_body (task_ref, received_at, api, encoding, base_at, body) "
                + "VALUES (?, ?, '*', ?, ?, ?)")) {
            new SqlRow(ps).integer(task.id).time(at).str(base == null ? "deflate" : "delta").time(base == null ? null : base.at())
                    .value(record, Kind.BYTES);
            ps.executeUpdate();
        }
        if (base == null) {
            task.keyframe = RawBodyCodec.keyframe(at, bodies, record.length);
            task.deltasSinceKeyframe = 0;
        } else {
            task.deltasSinceKeyframe++;
        }
        task.lastBodyHashes = hashes;
    }

    private static java.time.LocalDate day(Instant t) {
        return java.time.LocalDate.ofInstant(t, java.time.ZoneOffset.UTC);
    }

    // ---- plumbing

    static int generatedId(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("the database returned no generated key");
            }
            return keys.getInt(1);
        }
    }

    static List<Object> values(Object... v) {
        return Collections.unmodifiableList(Arrays.asList(v));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
