package dev.migwatch.poll;

import dev.migwatch.source.SourceConfig;
import org.apache.camel.Exchange;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            exchange.setProperty(PERMIT, budget.take());
        }
    }

    /** The call has ended, however: its permit may be used again one period from now. */
    public void release(Exchange exchange) {
        Permit permit = exchange.getProperty(PERMIT, Permit.class);
        if (permit != null) {
            exchange.removeProperty(PERMIT);
            permit.budget.put(permit);
        }
    }

    /** Permits currently free for a source (tests). */
    int available(String source) {
        Budget b = budgets.get(source);
        return b == null ? 0 : b.ready();
    }

    private static String source(Exchange exchange) {
        PollCycle cycle = exchange.getProperty(PollCycles.CYCLE, PollCycle.class);
        return cycle == null ? null : cycle.source().name();
    }

    /**
     * A source's permits, in the order they become ready. Every permit of a budget waits the same period after its release,
     * so they become ready in the order they were released, and a queue in that order is all it takes: the head is the
     * next one ready. (A DelayQueue sorted them again at every take and put: with a budget of 100,000 a second, as
     * bin/bench-engine sets, that was 1.8 % of its profile.)
     */
    private final class Budget {
        private final ArrayDeque<Permit> permits = new ArrayDeque<>();
        final long periodNanos;

        Budget(double perSecond) {
            int count = Math.max(1, (int) Math.floor(perSecond));
            this.periodNanos = (long) (count / perSecond * 1e9);
            long now = nanos.getAsLong();
            for (int i = 0; i < count; i++) {
                permits.addLast(new Permit(this, now));
            }
        }

        synchronized Permit take() throws InterruptedException {
            while (true) {
                Permit head = permits.peekFirst();
                if (head == null) {
                    wait();
                } else {
                    long delay = head.readyAt - nanos.getAsLong();
                    if (delay <= 0) {
                        return permits.pollFirst();
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, delay);
                }
            }
        }

        /** Ready one period from now; taken under the lock, so that the queue stays in the order of readiness. */
        synchronized void put(Permit permit) {
            permit.readyAt = nanos.getAsLong() + periodNanos;
            permits.addLast(permit);
            notifyAll();
        }

        synchronized int ready() {
            long now = nanos.getAsLong();
            return (int) permits.stream().filter(p -> p.readyAt <= now).count();
        }
    }

    private static final class Permit {
        final Budget budget;
        long readyAt;

        Permit(Budget budget, long readyAt) {
            this.budget = budget;
            this.readyAt = readyAt;
        }
    }
}
