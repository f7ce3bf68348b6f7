package dev.migwatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A UTC clock that a test moves by hand (simulated time for writers, maintenance and guards), and optionally by a step at
 * every reading (time that passes while the code under test works: budgets and deadlines).
 */
public final class MovableClock extends Clock {
    private volatile Instant now;
    private final Duration stepPerReading;

    public MovableClock(Instant now) {
        this(now, Duration.ZERO);
    }

    /** A clock that moves on by stepPerReading after every instant() it gives. */
    public MovableClock(Instant now, Duration stepPerReading) {
        this.now = now;
        this.stepPerReading = stepPerReading;
    }

    public void set(Instant now) {
        this.now = now;
    }

    public void advance(long millis) {
        now = now.plusMillis(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public synchronized Instant instant() {
        Instant t = now;
        now = t.plus(stepPerReading);
        return t;
    }
}
