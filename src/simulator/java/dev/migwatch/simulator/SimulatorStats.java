package dev.migwatch.simulator;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests served, per task and per outcome ("OK", "NOT_FOUND", the error code or RetCode served, or
 * "fault:KIND"), so tests can compare with what migwatch recorded. Requests without a task id count under "-".
 */
public record SimulatorStats(long total, Map<String, Map<String, Long>> byTask, Map<String, Long> byOutcome, Map<String, Long> byAction) {

    /** Correctly signed requests for one action (DescribeProject, ListProjects, ...), whatever they were answered. */
    public long calls(String action) {
        return byAction.getOrDefault(action, 0L);
    }

    public long count(String task, String outcome) {
        return byTask.getOrDefault(task, Map.of()).getOrDefault(outcome, 0L);
    }

    public long count(String task) {
        return byTask.getOrDefault(task, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    }

    /** The live counters behind the snapshots, and the arrival times of the last requests per task. */
    static final class Counter {
        /** Arrival times kept per task: enough for a test to see when a task was (not) asked, bounded for soak runs. */
        static final int TIMES_KEPT = 256;
        private final Map<String, Map<String, LongAdder>> counts = new ConcurrentHashMap<>();
        private final Map<String, Deque<Instant>> times = new ConcurrentHashMap<>();
        private final Map<String, LongAdder> actions = new ConcurrentHashMap<>();

        void action(String action) {
            actions.computeIfAbsent(String.valueOf(action), k -> new LongAdder()).increment();
        }

        void record(String task, String outcome) {
            String key = task == null ? "-" : task;
            counts.computeIfAbsent(key, k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(outcome, k -> new LongAdder()).increment();
            Deque<Instant> q = times.computeIfAbsent(key, k -> new ArrayDeque<>());
            synchronized (q) {
                q.addLast(Instant.now());
                if (q.size() > TIMES_KEPT) {
                    q.removeFirst();
                }
            }
        }

        /** When the last requests for {@code task} arrived (up to {@link #TIMES_KEPT}), oldest first. */
        List<Instant> times(String task) {
            Deque<Instant> q = times.get(task == null ? "-" : task);
            if (q == null) {
                return List.of();
            }
            synchronized (q) {
                return List.copyOf(q);
            }
        }

        SimulatorStats snapshot() {
            Map<String, Map<String, Long>> byTask = new TreeMap<>();
            Map<String, Long> byOutcome = new TreeMap<>();
            long total = 0;
            for (var t : counts.entrySet()) {
                Map<String, Long> m = new TreeMap<>();
                for (var o : t.getValue().entrySet()) {
                    long n = o.getValue().sum();
                    m.put(o.getKey(), n);
                    byOutcome.merge(o.getKey(), n, Long::sum);
                    total += n;
                }
                byTask.put(t.getKey(), java.util.Collections.unmodifiableMap(m));
            }
            Map<String, Long> byAction = new TreeMap<>();
            actions.forEach((a, n) -> byAction.put(a, n.sum()));
            return new SimulatorStats(total, byTask, byOutcome, byAction);
        }

        void reset() {
            counts.clear();
            times.clear();
            actions.clear();
        }
    }
}
