package dev.migwatch.observe;

import dev.migwatch.poll.SourceGuard;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Instant;
import java.util.Map;

/**
 * Readiness of one source ({@code migwatch-source-<name>}): DOWN while the provider refuses its credentials (from the
 * refusal until a cycle of the source succeeds again: the pause after it ends, the next refusal starts another) or
 * while its circuit breaker is open or half-open. Throttling is the provider's flow control, not a fault: a throttled
 * source stays UP, with its pause in the message.
 */
public class SourceHealthCheck extends AbstractHealthCheck {
    private final String source;
    private final SourceGuard guard;

    public SourceHealthCheck(String source, SourceGuard guard) {
        super("migwatch", "migwatch-source-" + source);
        this.source = source;
        this.guard = guard;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        SourceGuard.Status s = guard.status(source);
        Instant now = guard.clock().instant();
        builder.detail("breaker", s.breaker().name());
        boolean pausedNow = s.pausedUntil() != null && now.isBefore(s.pausedUntil());
        if (pausedNow) {
            builder.detail("paused.until", s.pausedUntil().toString());
        }
        if (s.refusedCode() != null) {
            builder.down().message("source " + source + ": the provider refused its credentials ("
                    + HealthText.clean(s.refusedCode()) + ") at " + s.refusedAt()
                    + (pausedNow ? "; paused until " + s.pausedUntil() : "; tried again at its next poll")
                    + ". Check its access key, secret or token.");
        } else if (s.breaker() == CircuitBreaker.State.OPEN || s.breaker() == CircuitBreaker.State.HALF_OPEN) {
            builder.down().message("source " + source + ": circuit breaker " + s.breaker().name().toLowerCase(java.util.Locale.ROOT)
                    + " after " + guard.settings().failuresToOpen() + " failed cycles in a row; probed again every "
                    + guard.settings().openFor().toSeconds() + " s");
        } else if (pausedNow) {
            builder.up().message("source " + source + ": throttled by the provider, paused until " + s.pausedUntil());
        } else {
            builder.up().message("source " + source + ": polled");
        }
    }
}
