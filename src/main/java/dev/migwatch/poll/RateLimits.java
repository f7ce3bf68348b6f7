package dev.migwatch.poll;

import dev.migwatch.source.SourceConfig;
import org.apache.camel.Exchange;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Each source's request budget ({@code migwatch.sources.<name>.max-requests-per-second}), shared by all its calls: list
 * pages, status and step calls of every task cycle under way, retries included. A call waits for a permit before it is
 * signed and sent, so a source that needs more than its budget is slowed down (its rounds stretch) rather than burst.
 *
 * <p>Why not Camel's throttle EIP: its TotalRequests mode (with a per-source correlation expression) would share one
 * budget across concurrent cycles too, but it hands a permit back one period after it was <em>taken</em>. The provider
 * counts requests as they <em>arrive</em>, and the time between the two varies (signing, a busy machine, a slow
 * connect), so a limit met at the client can be exceeded at the provider. Here a permit comes back one period after its
 * call has <em>ended</em>: two requests on the same permit then arrive more than a period apart whatever the delays, and
 * no one-second window at the provider ever sees more than the budget. It also allows budgets below one a second.
 * A budget of r requests a second is {@code max(1, floor(r))} permits, each reused at most once per
 * {@code permits / r} seconds.
 */
public class RateLimits {
    private static final String PERMIT = "migwatchPermit";

    private final Map<String, Budget> budgets = new LinkedHashMap<>();
    private final LongSupplier nanos;

    public RateLimits(List<SourceConfig> sources) {
        this(sources, System::nanoTime);
    }

    RateLimits(List<SourceConfig> sources, LongSupplier nanos) {
        this.nanos = nanos;
        sources.forEach(s -> budgets.put(s.name(), new Budget(s.maxRequestsPerSecond())));
    }

    /** Waits until the source of the exchange's cycle may send a request. */
    public void acquire(Exchange exchange) throws InterruptedException {
        Budget budget = budgets.get(source(exchange));
        if (budget != null) {
            exchange.setProperty(PERMIT, budget.permits.take());
        }
    }

    /** The call has ended, however: its permit may be used again one period from now. */
    public void release(Exchange exchange) {
        Permit permit = exchange.getProperty(PERMIT, Permit.class);
        if (permit != null) {
            exchange.removeProperty(PERMIT);
            permit.readyAt = nanos.getAsLong() + permit.budget.periodNanos;
            permit.budget.permits.put(permit);
        }
    }

    /** Permits currently free for a source (tests). */
    int available(String source) {
        Budget b = budgets.get(source);
        return b == null ? 0 : (int) b.permits.stream().filter(p -> p.getDelay(TimeUnit.NANOSECONDS) <= 0).count();
    }

    private static String source(Exchange exchange) {
        PollCycle cycle = exchange.getProperty(PollCycles.CYCLE, PollCycle.class);
        return cycle == null ? null : cycle.source().name();
    }

    private final class Budget {
        final DelayQueue<Permit> permits = new DelayQueue<>();
        final long periodNanos;

        Budget(double perSecond) {
            int count = Math.max(1, (int) Math.floor(perSecond));
            this.periodNanos = (long) (count / perSecond * 1e9);
            for (int i = 0; i < count; i++) {
                Permit p = new Permit(this);
                p.readyAt = nanos.getAsLong();
                permits.put(p);
            }
        }
    }

    private final class Permit implements Delayed {
        final Budget budget;
        volatile long readyAt;

        Permit(Budget budget) {
            this.budget = budget;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(readyAt - nanos.getAsLong(), TimeUnit.NANOSECONDS);
        }

        /**
         * By the time each is ready, which orders them as getDelay does without reading the clock: a queue of a large budget's
         * permits compares a permit about 17 times at each take and put, and two clock reads a comparison were 1.8 % of
         * bin/bench-engine's profile (100,000 permits).
         */
        @Override
        public int compareTo(Delayed other) {
            return other instanceof Permit p ? Long.compare(readyAt, p.readyAt)
                    : Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
