package dev.migwatch.simulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The providers' per-account request-rate limit (DTS documents 20 calls a second per account for DescribeDtsJobs;
 * the other limits are unpublished): at most {@code limit} authenticated requests of one account in any one second,
 * counted as they arrive. A request beyond it gets the provider's throttling answer. Whatever the limit, it also
 * measures the most requests an account sent within any one second, so that a test can prove a client kept its rate.
 */
final class AccountRateLimit {
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final LongSupplier nanos;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private volatile int limit;

    AccountRateLimit(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** @param perSecond requests an account may send in any one second; 0 for no limit */
    void limit(int perSecond) {
        this.limit = Math.max(0, perSecond);
    }

    int limit() {
        return limit;
    }

    /** Counts one request of the account; false when it goes beyond the limit and must be refused. */
    boolean admit(String account) {
        Window w = windows.computeIfAbsent(account, a -> new Window());
        long now = nanos.getAsLong();
        synchronized (w) {
            while (!w.arrivals.isEmpty() && now - w.arrivals.peekFirst() >= WINDOW_NANOS) {
                w.arrivals.removeFirst();
            }
            w.arrivals.addLast(now);
            w.peak = Math.max(w.peak, w.arrivals.size());
            int max = limit;
            if (max > 0 && w.arrivals.size() > max) {
                w.refused++;
                return false;
            }
            return true;
        }
    }

    /** The most requests one account sent within any one second since the last reset. */
    int peakPerSecond() {
        int peak = 0;
        for (Window w : windows.values()) {
            synchronized (w) {
                peak = Math.max(peak, w.peak);
            }
        }
        return peak;
    }

    /** Requests refused for going beyond the limit since the last reset. */
    long refused() {
        long n = 0;
        for (Window w : windows.values()) {
            synchronized (w) {
                n += w.refused;
            }
        }
        return n;
    }

    void reset() {
        windows.clear();
    }

    private static final class Window {
        final Deque<Long> arrivals = new ArrayDeque<>();
        int peak;
        long refused;
    }
}
