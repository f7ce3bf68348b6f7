package dev.migwatch.poll;

import dev.migwatch.history.ApiCall;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Protects providers and migwatch from each other, per source: a source that throttles is left alone
 * for the time it asks (or an exponential pause); one whose credentials are refused is paused instead
 * of retried in a tight loop; one that keeps failing goes behind a resilience4j circuit breaker and is
 * probed again later. Other sources are not affected.
 */
public class SourceGuard {
    private static final Logger LOG = LoggerFactory.getLogger(SourceGuard.class);

    private final Settings settings;
    private final Clock clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();

    /**
     * @param failuresToOpen consecutive failed cycles of a source that open its breaker
     * @param openFor        how long an open breaker waits before one probe
     * @param authPause      how long a source whose credentials were refused is left alone
     * @param maxThrottlePause the longest pause after repeated throttling
     */
    public record Settings(int failuresToOpen, Duration openFor, Duration authPause, Duration maxThrottlePause) {
        public static Settings defaults() {
            return new Settings(5, Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10));
        }
    }

    /** Why a cycle is not attempted now; null means go ahead. */
    public record Refusal(String code, String message) {
    }

    /**
     * What health checks and metrics see of a source, without touching its breaker (admit does).
     *
     * @param pausedUntil        end of the pause after throttling or refused credentials, null when none is under way
     * @param pauseReason        THROTTLED or AUTH_PAUSE while paused
     * @param refusedCode        the provider's code of the last refusal of the source's credentials, null once a cycle of
     *                           the source succeeded after it (or when none was ever refused)
     * @param refusedAt          when that refusal came
     */
    public record Status(CircuitBreaker.State breaker, Instant pausedUntil, String pauseReason, String refusedCode,
                         Instant refusedAt) {
        /** The source is not polled now: paused, or its breaker open. */
        public boolean paused(Instant now) {
            return breaker == CircuitBreaker.State.OPEN || (pausedUntil != null && now.isBefore(pausedUntil));
        }
    }

    public SourceGuard(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public Refusal admit(String source, Duration interval) {
        State s = state(source, interval);
        Instant now = clock.instant();
        synchronized (s) {
            if (s.pausedUntil != null && now.isBefore(s.pausedUntil)) {
                return new Refusal(s.pauseReason, "source " + source + " is paused until " + s.pausedUntil + " (" + s.pauseReason + ")");
            }
        }
        if (!s.breaker.tryAcquirePermission()) {
            return new Refusal("CIRCUIT_OPEN", "source " + source + " failed " + settings.failuresToOpen()
                    + " cycles in a row; its circuit breaker is open and will probe again after " + settings.openFor());
        }
        return null;
    }

    /**
     * Feeds a finished cycle's outcome into the source's state.
     *
     * @param retryAfterMillis what the provider asked for (x-acs-retry-after / Retry-After), 0 if nothing
     */
    public void observe(TaskSnapshot snapshot, Duration interval, long retryAfterMillis) {
        State s = state(snapshot.source(), interval);
        Instant now = clock.instant();
        if (snapshot.succeeded()) {
            s.breaker.onSuccess(0, java.util.concurrent.TimeUnit.MILLISECONDS);
            synchronized (s) {
                // only a cycle admitted after the pause began says the provider is fine again; one of another task
                // that was already under way when a neighbour got throttled must not lift the pause
                if (s.pausedAt == null || !snapshot.polledAt().isBefore(s.pausedAt)) {
                    s.throttles = 0;
                    s.pausedUntil = null;
                    s.pausedAt = null;
                }
                if (s.refusedAt == null || !snapshot.polledAt().isBefore(s.refusedAt)) {
                    s.refusedCode = null;
                    s.refusedAt = null;
                }
            }
            return;
        }
        ApiCall worst = snapshot.calls().stream().filter(c -> !c.ok()).reduce((a, b) -> rank(b) > rank(a) ? b : a).orElse(null);
        String outcome = worst == null ? "ERROR" : worst.outcome();
        synchronized (s) {
            switch (outcome) {
                case "THROTTLED" -> {
                    s.throttles++;
                    long exponential = interval.toMillis() * (1L << Math.min(s.throttles, 10));
                    long pause = Math.min(settings.maxThrottlePause().toMillis(), Math.max(exponential, retryAfterMillis));
                    s.pause(now, now.plusMillis(pause), "THROTTLED");
                    // neither a success nor a failure of the source's health: give back the permit taken in admit,
                    // or a half-open breaker whose probe was throttled would wait for that probe's result for ever
                    s.breaker.releasePermission();
                    LOG.debug("source {} throttled; pausing {} ms", snapshot.source(), pause);
                }
                case "AUTH" -> {
                    s.pause(now, now.plus(settings.authPause()), "AUTH_PAUSE");
                    s.refusedCode = worst.errorCode() == null ? "AUTH" : worst.errorCode();
                    s.refusedAt = now;
                    s.breaker.releasePermission();
                }
                // the provider answered: an unknown task or one odd body says nothing about the source's health
                case "NOT_FOUND", "BAD_RESPONSE" -> s.breaker.onSuccess(0, java.util.concurrent.TimeUnit.MILLISECONDS);
                default -> s.breaker.onError(0, java.util.concurrent.TimeUnit.MILLISECONDS, new RuntimeException(outcome));
            }
        }
    }

    /**
     * A listing of the source's account went through: for the source's health it counts as a successful cycle (it ends
     * a throttling pause begun before it, and a half-open breaker's probe).
     */
    public void listed(String source, Duration interval, Instant startedAt) {
        observe(new TaskSnapshot("listing", source, null, "*", startedAt, LISTED, List.of(), List.of(), List.of(), List.of(), List.of()),
                interval, 0);
    }

    /** Stands for the listing's "task" in {@link #listed}: a snapshot counts as successful when it has a state. */
    private static final TaskState LISTED = new TaskState(null, null, null, NormalizedStatus.UNKNOWN, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null);

    public Status status(String source) {
        State s = states.get(source);
        if (s == null) {
            return new Status(CircuitBreaker.State.CLOSED, null, null, null, null);
        }
        synchronized (s) {
            return new Status(s.breaker.getState(), s.pausedUntil, s.pauseReason, s.refusedCode, s.refusedAt);
        }
    }

    public Clock clock() {
        return clock;
    }

    public Settings settings() {
        return settings;
    }

    public CircuitBreaker.State breakerState(String source) {
        State s = states.get(source);
        return s == null ? CircuitBreaker.State.CLOSED : s.breaker.getState();
    }

    private static int rank(ApiCall c) {
        return switch (c.outcome()) {
            case "AUTH" -> 5;
            case "THROTTLED" -> 4;
            case "TIMEOUT", "NETWORK", "ERROR" -> 3;
            case "BAD_RESPONSE" -> 2;
            case "NOT_FOUND" -> 1;
            default -> 0;
        };
    }

    private State state(String source, Duration interval) {
        return states.computeIfAbsent(source, name -> new State(CircuitBreaker.of("migwatch-" + name, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.failuresToOpen())
                .minimumNumberOfCalls(settings.failuresToOpen())
                .failureRateThreshold(100f)
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(1)
                // a probe whose outcome never came back (an exception before observe) must not leave the
                // breaker half-open for good: after this long it opens again and a new probe follows
                .maxWaitDurationInHalfOpenState(settings.openFor())
                .clock(clock)
                .build())));
    }

    private static final class State {
        final CircuitBreaker breaker;
        Instant pausedAt;
        Instant pausedUntil;
        String pauseReason;
        int throttles;
        String refusedCode;
        Instant refusedAt;

        State(CircuitBreaker breaker) {
            this.breaker = breaker;
            breaker.getEventPublisher().onStateTransition(e -> LOG.warn("Source {}: circuit breaker {}",
                    breaker.getName().substring("migwatch-".length()), e.getStateTransition()));
        }

        void pause(Instant at, Instant until, String reason) {
            pausedAt = at;
            pausedUntil = until;
            pauseReason = reason;
        }
    }
}
