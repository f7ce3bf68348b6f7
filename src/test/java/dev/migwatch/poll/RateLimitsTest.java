package dev.migwatch.poll;

import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The budget's arithmetic on a clock the test moves: permits come back one period after their call ended. */
class RateLimitsTest {
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    static SourceConfig source(String name, double rate) {
        return new SourceConfig(name, Provider.DTS, URI.create("http://127.0.0.1:1"), "cn-hangzhou", List.of("j"), Duration.ofSeconds(30),
                "id", Secret.of("x"), null, SignatureMethod.ACS3_HMAC_SHA256, null, Duration.ofSeconds(1), Duration.ofSeconds(1), null, rate,
                Duration.ofMinutes(30));
    }

    Exchange call(SourceConfig source) {
        Exchange ex = new DefaultExchange(new DefaultCamelContext());
        ex.setProperty(PollCycles.CYCLE, new PollCycle(source, "j", Instant.now(), List.of(), null, at -> List.of()));
        return ex;
    }

    @Test
    void aPermitComesBackOnePeriodAfterItsCallEnded() throws Exception {
        SourceConfig fast = source("fast", 3);
        SourceConfig slow = source("slow", 0.5);
        RateLimits limits = new RateLimits(List.of(fast, slow), nanos::get);
        assertEquals(3, limits.available("fast"));
        Exchange a = call(fast);
        Exchange b = call(fast);
        limits.acquire(a);
        limits.acquire(b);
        assertEquals(1, limits.available("fast"));
        nanos.addAndGet(5_000_000_000L); // a slow answer: the permit stays taken while its call runs
        assertEquals(1, limits.available("fast"));
        limits.release(a);
        assertEquals(1, limits.available("fast"), "not before a second has passed since the call ended");
        nanos.addAndGet(999_000_000L);
        assertEquals(1, limits.available("fast"));
        nanos.addAndGet(1_000_000L);
        assertEquals(2, limits.available("fast"));
        limits.release(b);
        limits.release(b); // released twice (a failure path and the finally): counted once
        nanos.addAndGet(1_000_000_000L);
        assertEquals(3, limits.available("fast"));

        // half a request a second: one permit, back two seconds after its call
        Exchange c = call(slow);
        limits.acquire(c);
        limits.release(c);
        nanos.addAndGet(1_999_000_000L);
        assertEquals(0, limits.available("slow"));
        nanos.addAndGet(1_000_000L);
        assertEquals(1, limits.available("slow"));
        assertEquals(3, limits.available("fast"), "sources have budgets of their own");
    }

    /** The permit that is ready is taken, even when others were released after it: the queue orders them by readiness. */
    @Test
    void theFirstPermitReadyIsTheOneTaken() throws Exception {
        SourceConfig source = source("many", 50);
        RateLimits limits = new RateLimits(List.of(source), nanos::get);
        List<Exchange> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(call(source));
            limits.acquire(calls.get(i));
        }
        // released 10 ms apart, first to last; 500 ms after the first, only the first ten are ready again
        for (Exchange c : calls) {
            limits.release(c);
            nanos.addAndGet(10_000_000L);
        }
        nanos.addAndGet(1_000_000_000L - 50 * 10_000_000L + 95_000_000L);
        assertEquals(10, limits.available("many"));
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int i = 0; i < 10; i++) {
                limits.acquire(call(source));
            }
        }, "a ready permit was not handed out");
        assertEquals(0, limits.available("many"));
    }
}
