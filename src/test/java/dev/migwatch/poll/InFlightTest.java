package dev.migwatch.poll;

import dev.migwatch.MovableClock;
import dev.migwatch.oms.OmsAdapter;
import dev.migwatch.source.Provider;
import dev.migwatch.source.Secret;
import dev.migwatch.source.SignatureMethod;
import dev.migwatch.source.SourceConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One cycle per task at a time; a cycle lost on its way does not keep its task from being polled for good. */
class InFlightTest {
    @Test
    void aTaskIsLeftOutWhileItsCycleRunsAndPolledAgainWhenTheCycleWasLost() {
        SourceConfig source = new SourceConfig("s", Provider.OMS, URI.create("https://x"), null, List.of("np_1"), Duration.ofSeconds(30),
                "id", Secret.of("secret"), null, SignatureMethod.ACS3_HMAC_SHA256, null, Duration.ofSeconds(5), Duration.ofSeconds(10));
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        PollCycles cycles = new PollCycles(List.of(source), List.of(new OmsAdapter()), new SourceGuard(SourceGuard.Settings.defaults(), clock),
                clock);
        assertEquals(1, cycles.targets("s").size());
        clock.advance(30_000);
        assertEquals(0, cycles.targets("s").size(), "still under way");
        clock.advance(Duration.ofMinutes(8).toMillis()); // beyond 10 x (connect + read timeout) + 10 x interval
        assertEquals(1, cycles.targets("s").size(), "lost cycle: polled again");
        cycles.release(new PollTarget("s", "np_1"));
        assertEquals(1, cycles.targets("s").size(), "released normally");
    }
}
