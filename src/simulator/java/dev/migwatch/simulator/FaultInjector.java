package dev.migwatch.simulator;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Faults served instead of (or around) normal answers, for reliability tests. Faults are queued per task id
 * or for any task ({@link #ANY_TASK}); a task's own queue is used before the global one; "always" faults
 * apply until {@link #clear()}; random mode picks a fault with a given probability from a seeded Random.
 * Faults apply only to correctly signed requests, so a test sees exactly the fault it asked for.
 * A fault can also be aimed at one action of a task ({@link #queue(String, String, Fault, int)}), e.g. the
 * third of OMS's three calls; such a fault is used before the task's own queue.
 */
public final class FaultInjector {
    public static final String ANY_TASK = "*";

    public enum Kind {
        /** Alibaba: HTTP 500 ServiceUnavailable; UCloud: HTTP 503 from the front proxy (unconfirmed page). */
        SERVER_ERROR,
        /** Alibaba: HTTP 400 Throttling.User with x-acs-retry-after (ms); UCloud: HTTP 200 with a RetCode >= 2000. */
        THROTTLE,
        /** HTTP 429 with Retry-After (seconds). */
        TOO_MANY_REQUESTS,
        /** The normal answer, sent only after {@link Fault#delay()}: beyond a client's read timeout. */
        HANG,
        /** The connection is closed without any answer. */
        DROP,
        /** HTTP 200 whose JSON body is cut in the middle (the Content-Length matches the cut body). */
        MALFORMED_JSON,
        /** HTTP 200 announcing the full length, then the connection closes half-way. */
        TRUNCATED_BODY,
        /** An HTML error page (text/html), as a proxy or load balancer sends. */
        HTML_PAGE,
        /** The normal answer encoded in GB18030 while the Content-Type says UTF-8. */
        NON_UTF8
    }

    /**
     * @param delay            how long a HANG waits
     * @param retryAfterMillis the x-acs-retry-after / Retry-After hint for THROTTLE and TOO_MANY_REQUESTS
     * @param retCode          UCloud RetCode for THROTTLE (2xxx), status for HTML_PAGE
     */
    public record Fault(Kind kind, Duration delay, long retryAfterMillis, int retCode) {
        public static Fault of(Kind kind) {
            return new Fault(kind, Duration.ofSeconds(30), 1000, kind == Kind.HTML_PAGE ? 502 : 2000);
        }

        public static Fault serverError() {
            return of(Kind.SERVER_ERROR);
        }

        public static Fault throttle(Duration retryAfter) {
            return new Fault(Kind.THROTTLE, Duration.ZERO, retryAfter.toMillis(), 2000);
        }

        /** UCloud throttling with a given RetCode (2xxx; the exact codes are unconfirmed). */
        public static Fault ucloudThrottle(int retCode) {
            return new Fault(Kind.THROTTLE, Duration.ZERO, 1000, retCode);
        }

        public static Fault tooManyRequests() {
            return of(Kind.TOO_MANY_REQUESTS);
        }

        public static Fault hang(Duration delay) {
            return new Fault(Kind.HANG, delay, 0, 0);
        }

        public static Fault drop() {
            return of(Kind.DROP);
        }

        public static Fault malformedJson() {
            return of(Kind.MALFORMED_JSON);
        }

        public static Fault truncatedBody() {
            return of(Kind.TRUNCATED_BODY);
        }

        public static Fault htmlPage(int status) {
            return new Fault(Kind.HTML_PAGE, Duration.ZERO, 0, status);
        }

        public static Fault nonUtf8() {
            return of(Kind.NON_UTF8);
        }
    }

    private final Map<String, Deque<Fault>> queued = new HashMap<>();
    private final Map<String, Fault> always = new HashMap<>();
    private Random random;
    private double probability;
    private Duration randomHang = Duration.ZERO;

    /** Serves {@code fault} to the next {@code times} requests for {@code taskId} (or {@link #ANY_TASK}). */
    public synchronized FaultInjector queue(String taskId, Fault fault, int times) {
        return queue(taskId, null, fault, times);
    }

    /**
     * Serves {@code fault} to the next {@code times} requests for {@code taskId} (or {@link #ANY_TASK}) whose action
     * is {@code action} (DescribeProjectComponents, ListJobStep, GetUDTSTaskStatus...; null: any action).
     */
    public synchronized FaultInjector queue(String taskId, String action, Fault fault, int times) {
        Deque<Fault> q = queued.computeIfAbsent(key(taskId, action), k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.add(fault);
        }
        return this;
    }

    /** Serves {@code fault} to every request for {@code taskId} (or any task) until {@link #clear()}. */
    public synchronized FaultInjector always(String taskId, Fault fault) {
        return always(taskId, null, fault);
    }

    /** Serves {@code fault} to every request for {@code taskId} (or any task) and {@code action} (null: any) until cleared. */
    public synchronized FaultInjector always(String taskId, String action, Fault fault) {
        always.put(key(taskId, action), fault);
        return this;
    }

    /** Stops the "always" fault of {@code taskId} (or any task) and {@code action} (null: any), leaving the others. */
    public synchronized FaultInjector stopAlways(String taskId, String action) {
        always.remove(key(taskId, action));
        return this;
    }

    /**
     * Random faults: each request gets one with this probability, the kind drawn from a Random seeded with {@code seed}.
     * HANG is only drawn when {@code hang} is positive, so soak runs do not stall unless asked to.
     */
    public synchronized FaultInjector random(double probability, long seed, Duration hang) {
        this.random = probability > 0 ? new Random(seed) : null;
        this.probability = probability;
        this.randomHang = hang == null ? Duration.ZERO : hang;
        return this;
    }

    public synchronized void clear() {
        queued.clear();
        always.clear();
        random = null;
    }

    /** How many queued faults are still waiting, all tasks together. */
    public synchronized int pending() {
        return queued.values().stream().mapToInt(Deque::size).sum();
    }

    synchronized Optional<Fault> next(String taskId) {
        return next(taskId, null);
    }

    /** The fault for a request: the most specific queue first (task and action, task, any task and action, any). */
    synchronized Optional<Fault> next(String taskId, String action) {
        List<String> keys = new ArrayList<>();
        for (String t : taskId == null ? List.of(ANY_TASK) : List.of(taskId, ANY_TASK)) {
            if (action != null) {
                keys.add(key(t, action));
            }
            keys.add(key(t, null));
        }
        for (String k : keys) {
            Deque<Fault> q = queued.get(k);
            if (q != null && !q.isEmpty()) {
                return Optional.of(q.poll());
            }
        }
        for (String k : keys) {
            if (always.containsKey(k)) {
                return Optional.of(always.get(k));
            }
        }
        if (random != null && random.nextDouble() < probability) {
            Set<Kind> kinds = EnumSet.allOf(Kind.class);
            if (randomHang.isZero() || randomHang.isNegative()) {
                kinds.remove(Kind.HANG);
            }
            Kind kind = kinds.toArray(new Kind[0])[random.nextInt(kinds.size())];
            return Optional.of(kind == Kind.HANG ? Fault.hang(randomHang) : Fault.of(kind));
        }
        return Optional.empty();
    }

    private static String key(String taskId, String action) {
        String task = taskId == null ? ANY_TASK : taskId;
        return action == null ? task : task + "\n" + action;
    }
}
