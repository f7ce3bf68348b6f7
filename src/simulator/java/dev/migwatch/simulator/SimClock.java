package dev.migwatch.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Simulated time: real elapsed time multiplied by the speed, plus any time skipped with {@link #advance}.
 * Every task starts at simulated second 0 ({@link #epoch()}, the wall clock when the simulator was made),
 * and every answer is a pure function of (seed, task, elapsed), so runs are reproducible.
 * Signature time checks never use this clock: the gateways compare against the real wall clock.
 */
public final class SimClock {
    private final Instant epoch;
    private final double speed;
    private final LongSupplier nanos;
    private final long startNanos;
    private final AtomicLong skippedMillis = new AtomicLong();

    public SimClock(Instant epoch, double speed, LongSupplier nanos) {
        this.epoch = epoch.truncatedTo(ChronoUnit.SECONDS);
        this.speed = speed;
        this.nanos = nanos;
        this.startNanos = nanos.getAsLong();
    }

    public static SimClock startingNow(double speed) {
        return new SimClock(Instant.now(), speed, System::nanoTime);
    }

    /** Simulated seconds since the epoch. */
    public double elapsedSeconds() {
        return (nanos.getAsLong() - startNanos) / 1e9 * speed + skippedMillis.get() / 1000.0;
    }

    public Instant now() {
        return epoch.plusMillis((long) (elapsedSeconds() * 1000));
    }

    public Instant epoch() {
        return epoch;
    }

    public double speed() {
        return speed;
    }

    /** Jumps simulated time forward (tests, soak scripts) without waiting. */
    public void advance(Duration d) {
        skippedMillis.addAndGet(d.toMillis());
    }
}
