package dev.migwatch.storage;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the writer remembers of one task between its polls, to store only what changed: the surrogate keys,
 * the descriptive values and the newest state row of the task and of each step and component, the errors of
 * the last poll, and the raw keyframe. Loaded from the database on the task's first write after a start, so
 * a restart changes nothing but the next raw record, which is a keyframe. Thrown away whenever a write of
 * the task fails, since its transaction (and so what this object learned in it) was rolled back.
 * Its size follows the task's steps and components, and the state rows of its delay window and its full data steps' recent rows, not its history.
 */
final class KnownTask {
    final int id;
    List<Object> info;
    List<Object> state;
    /** When the task's newest state row was written, and its running delay integral (DelayIntegral; null: none). */
    Instant stateAt;
    DelayIntegral integral;
    /** The state rows of the delay window (null: the writer was given no window to keep figures of). */
    DelayReadings delays;
    /** The state rows of its full data steps in the ETA's lookback (null: the writer keeps no ETA figures). */
    FullStepReadings fullSteps;
    /** Whether its task_latest row may hold ETA figures (KeptEta): true until this writer has emptied them. */
    boolean etaOnRow = true;
    Instant lastOkAt;
    /** task_latest.last_polled_at as this writer left it: when the row says otherwise, another node wrote the task since. */
    Instant lastPolledAt;
    final Map<String, Entity> steps = new HashMap<>();
    final Map<String, Entity> components = new HashMap<>();
    /** Fingerprints of the errors of the newest successful poll: the ones that are updated, not looked up. */
    Set<String> standingErrors = new HashSet<>();
    RawBodyCodec.Keyframe keyframe;
    int deltasSinceKeyframe;
    Map<String, String> lastBodyHashes = Map.of();

    KnownTask(int id) {
        this.id = id;
    }

    /**
     * A step or a component: its key, descriptive values and newest state row; when that row was written (stateAt), and
     * what its row's state_at column says (pointerAt), which the writer brings up to stateAt only once the entity stops
     * changing (HistoryStore.flushPointers); for a step also what its row's settled_at says (settledAt: the copy of its
     * newest row on the step row, V17), which the writer empties when the step changes again.
     */
    static final class Entity {
        final int id;
        List<Object> info;
        List<Object> state;
        Instant stateAt;
        Instant pointerAt;
        Instant settledAt;

        Entity(int id, List<Object> info, List<Object> state) {
            this.id = id;
            this.info = info;
            this.state = state;
        }

        boolean present() {
            return state != null && Boolean.TRUE.equals(state.get(0));
        }
    }
}
