package dev.migwatch.poll;

import dev.migwatch.provider.ListedTask;
import dev.migwatch.history.GoneReason;
import dev.migwatch.source.SourceConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tasks one source watches: those named in its {@code tasks}, and those its account's list shows (discovery), with
 * what decides when each is polled. A task that is running is polled every round; an idle one (finished, failed or
 * stopped for good) once per idle interval, or, where the list answer holds what a status call gives, recorded from
 * the list instead. Guarded by itself: the polling route, the discovery route and the closing cycles all use it.
 */
final class SourceTasks {
    /** A listing must miss a task this many times in a row before it counts as deleted. */
    static final int MISSES_TO_GONE = 2;

    private final SourceConfig config;
    /** The provider's list answer records an idle task without its own calls (OMS, DTS). */
    private final boolean listRecordsIdle;
    private final Map<String, Watched> tasks = new LinkedHashMap<>();
    /** Discovered tasks the list no longer showed, with how many listings in a row missed them. */
    private final Map<String, Integer> misses = new HashMap<>();
    private Instant lastListedAt;
    private int lastListed;

    /** One watched task. */
    private static final class Watched {
        final String id;
        final boolean named;
        boolean listed;
        String listedName;
        boolean idle;
        /** Its state changed in the list (running again, or just idle): polled or recorded at once. */
        boolean changed;
        Instant lastPolled;
        Instant lastRecorded;

        Watched(String id, boolean named) {
            this.id = id;
            this.named = named;
        }

        Instant lastSeen() {
            return lastRecorded == null ? lastPolled : lastPolled == null || lastRecorded.isAfter(lastPolled) ? lastRecorded : lastPolled;
        }
    }

    /**
     * What one listing changed.
     *
     * @param added    tasks watched from now on
     * @param gone     discovered tasks no longer watched, and why
     * @param toRecord idle tasks due for a record from their list entry
     */
    record Changes(Set<String> listed, Set<String> added, Map<String, GoneReason> gone, List<ListedTask> toRecord) {
    }

    SourceTasks(SourceConfig config, boolean listRecordsIdle) {
        this.config = config;
        this.listRecordsIdle = listRecordsIdle;
        config.tasks().forEach(id -> tasks.put(id, new Watched(id, true)));
    }

    /**
     * The tasks a round polls at {@code now}, in order: running ones, and idle ones whose idle interval has passed. An
     * idle task the list records waits a discovery interval longer, so that a working list records it first.
     */
    synchronized List<String> due(Instant now) {
        List<String> due = new ArrayList<>();
        for (Watched w : tasks.values()) {
            if (!w.idle || w.changed || w.lastSeen() == null) {
                due.add(w.id);
                continue;
            }
            Duration wait = config.idleInterval();
            if (listRecordsIdle && w.listed) {
                wait = wait.plus(config.discovery().interval());
            }
            if (!w.lastSeen().plus(wait).isAfter(now)) {
                due.add(w.id);
            }
        }
        return due;
    }

    synchronized void polled(String id, Instant at) {
        Watched w = tasks.get(id);
        if (w != null) {
            w.lastPolled = at;
            w.changed = false;
        }
    }

    /** A successful poll or list record: whether the task is idle now. */
    synchronized void recorded(String id, boolean idle, Instant at) {
        Watched w = tasks.get(id);
        if (w != null) {
            w.idle = idle;
            w.lastRecorded = at;
            w.changed = false;
        }
    }

    /**
     * Whether the task's list entry may be recorded at this listing: an idle task (or one whose state the list may change)
     * not recorded within the idle interval. Any other entry need not be kept.
     */
    synchronized boolean mayRecord(String id, Instant now) {
        Watched w = tasks.get(id);
        return listRecordsIdle && (w == null || !w.idle || w.lastSeen() == null || !w.lastSeen().plus(config.idleInterval()).isAfter(now));
    }

    /** Its record from the list could not be made: a round polls it instead. */
    synchronized void recordFailed(String id) {
        Watched w = tasks.get(id);
        if (w != null) {
            w.lastRecorded = null;
            w.changed = true;
        }
    }

    /** The name the list gave a task, for answers that carry none (DTS ListJobStep). */
    synchronized String listedName(String id) {
        Watched w = tasks.get(id);
        return w == null ? null : w.listedName;
    }

    /**
     * Applies a complete listing: tasks the filter keeps are watched (new ones from the next round); discovered tasks
     * it leaves out go (at once when the filter dropped them, after {@link #MISSES_TO_GONE} listings when the list no
     * longer shows them); idle ones due are to be recorded from their entry.
     *
     * @param shown    every task the list showed, kept by the filter or not
     * @param kept     the ids among them the filter keeps
     * @param known    discovered tasks the history database still counts as watched (they may predate this run)
     */
    synchronized Changes apply(List<ListedTask> shown, Set<String> kept, Set<String> known, Instant at) {
        Set<String> listed = new LinkedHashSet<>();
        Set<String> added = new LinkedHashSet<>();
        Map<String, GoneReason> gone = new LinkedHashMap<>();
        List<ListedTask> toRecord = new ArrayList<>();
        Set<String> shownIds = new HashSet<>();
        for (ListedTask t : shown) {
            shownIds.add(t.taskId());
            if (!kept.contains(t.taskId())) {
                Watched w = tasks.get(t.taskId());
                if (w != null && !w.named) {
                    tasks.remove(t.taskId());
                    gone.put(t.taskId(), GoneReason.FILTERED);
                } else if (w == null && known.contains(t.taskId())) {
                    gone.put(t.taskId(), GoneReason.FILTERED);
                }
                continue;
            }
            listed.add(t.taskId());
            misses.remove(t.taskId());
            Watched w = tasks.get(t.taskId());
            if (w == null) {
                w = new Watched(t.taskId(), false);
                tasks.put(t.taskId(), w);
                added.add(t.taskId());
                w.idle = t.idle();
            } else if (w.idle != t.idle()) {
                w.idle = t.idle();
                w.changed = true;
            }
            w.listed = true;
            w.listedName = t.name();
            if (listRecordsIdle && w.idle && (w.changed || w.lastSeen() == null || !w.lastSeen().plus(config.idleInterval()).isAfter(at))) {
                // recorded from this entry (see recordFailed): no round polls it meanwhile
                toRecord.add(t);
                w.lastRecorded = at;
                w.changed = false;
            }
        }
        Set<String> missing = new LinkedHashSet<>(known);
        tasks.values().stream().filter(w -> !w.named).forEach(w -> missing.add(w.id));
        missing.removeAll(shownIds);
        for (String id : missing) {
            int n = misses.merge(id, 1, Integer::sum);
            Watched w = tasks.get(id);
            if (w != null) {
                w.listed = false;
            }
            if (n >= MISSES_TO_GONE) {
                misses.remove(id);
                if (w == null || !w.named) {
                    tasks.remove(id);
                    gone.put(id, GoneReason.DELETED);
                }
            }
        }
        misses.keySet().retainAll(missing);
        lastListedAt = at;
        lastListed = listed.size();
        return new Changes(listed, added, gone, toRecord);
    }

    synchronized int size() {
        return tasks.size();
    }

    synchronized long idleCount() {
        return tasks.values().stream().filter(w -> w.idle).count();
    }

    synchronized Instant lastListedAt() {
        return lastListedAt;
    }

    synchronized int lastListed() {
        return lastListed;
    }

    synchronized boolean watches(String id) {
        return tasks.containsKey(id);
    }

    synchronized List<String> ids() {
        return List.copyOf(tasks.keySet());
    }
}
