package dev.migwatch.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tasks the simulated accounts hold, which can be created, deleted and restarted while the simulator runs
 * (the list APIs then show the change, as the consoles do). The tasks of {@link SimulatorSettings} are there from
 * the start and began at simulated second 0; a task created later begins when it is created, or earlier by its age.
 */
public final class SimTasks {

    /** Which simulated service holds a task. */
    public enum Service { OMS, DTS, UDTS }

    /**
     * One task of an account.
     *
     * @param scenario an {@link OmsScenario}, {@link DtsScenario} or {@link UdtsScenario}, after the service
     * @param name     its display name (null: derived from the id, as the simulator always did)
     * @param type     OMS MIGRATION / SYNC, DTS MIGRATION / SYNC, UDTS full / incremental / full+incremental
     * @param labels   OMS label names, DTS tags as key=value; UDTS has none
     * @param age      how long before its creation it began (zero: it begins when created)
     */
    public record SimTask(Service service, String id, Enum<?> scenario, String name, String type, List<String> labels, Duration age) {
        public SimTask {
            labels = List.copyOf(labels);
            age = age == null ? Duration.ZERO : age;
        }

        public static SimTask oms(String id, OmsScenario scenario) {
            return new SimTask(Service.OMS, id, scenario, null, "MIGRATION", List.of(), Duration.ZERO);
        }

        public static SimTask dts(String id, DtsScenario scenario) {
            return new SimTask(Service.DTS, id, scenario, null, "MIGRATION", List.of(), Duration.ZERO);
        }

        public static SimTask udts(String id, UdtsScenario scenario) {
            return new SimTask(Service.UDTS, id, scenario, null, scenario == UdtsScenario.INCREMENTAL_ONLY || scenario == UdtsScenario.REDIS_SYNC ? "incremental"
                    : scenario == UdtsScenario.FULL_ONLY ? "full" : "full+incremental", List.of(), Duration.ZERO);
        }

        public SimTask named(String newName) {
            return new SimTask(service, id, scenario, newName, type, labels, age);
        }

        public SimTask typed(String newType) {
            return new SimTask(service, id, scenario, name, newType, labels, age);
        }

        public SimTask labelled(String... newLabels) {
            return new SimTask(service, id, scenario, name, type, List.of(newLabels), age);
        }

        /** A task that began this long ago: a FULL_ONLY one old enough is finished from the start. */
        public SimTask aged(Duration newAge) {
            return new SimTask(service, id, scenario, name, type, labels, newAge);
        }
    }

    /** A task as it stands in the account: when it began (simulated seconds since the epoch) and its creation order. */
    record Entry(SimTask task, double startAt, long sequence) {
    }

    private final SimClock clock;
    private final Map<String, Entry> tasks = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    SimTasks(SimulatorSettings settings, SimClock clock) {
        this.clock = clock;
        settings.omsProjects().forEach((id, s) -> put(SimTask.oms(id, s), 0));
        settings.dtsJobs().forEach((id, s) -> put(SimTask.dts(id, s), 0));
        settings.udtsTasks().forEach((id, s) -> put(SimTask.udts(id, s), 0));
    }

    /** Creates (or replaces) a task; it begins now, or {@code task.age()} ago. */
    public SimTasks add(SimTask task) {
        put(task, clock.elapsedSeconds() - task.age().toMillis() / 1000.0);
        return this;
    }

    /** Deletes a task: its status calls answer "not found" from now on and the list APIs leave it out. */
    public boolean remove(String id) {
        return tasks.remove(id) != null;
    }

    /** Starts a task again from its first step (an idle task that runs again). */
    public boolean restart(String id) {
        Entry e = tasks.get(id);
        if (e == null) {
            return false;
        }
        tasks.put(id, new Entry(e.task(), clock.elapsedSeconds(), e.sequence()));
        return true;
    }

    public int size() {
        return tasks.size();
    }

    Optional<Entry> get(Service service, String id) {
        Entry e = tasks.get(id);
        return e != null && e.task().service() == service ? Optional.of(e) : Optional.empty();
    }

    boolean knows(Service service, String id) {
        return get(service, id).isPresent();
    }

    /** The tasks of one service in creation order. */
    List<Entry> of(Service service) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : tasks.values()) {
            if (e.task().service() == service) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparingLong(Entry::sequence));
        return out;
    }

    /** Seconds the task has been running at the current simulated time. */
    double elapsed(Entry e) {
        return clock.elapsedSeconds() - e.startAt();
    }

    private void put(SimTask task, double startAt) {
        tasks.put(task.id(), new Entry(task, startAt, sequence.incrementAndGet()));
    }
}
