package dev.migwatch.simulator;

/**
 * How a simulated OMS project runs, in simulated seconds. Full transfer and verification last
 * {@code rows / rps}; incremental sync then catches up the backlog collected since the log pull started.
 *
 * @param flaky when true the incremental component fails in some 15-minute windows (EXCEPTION, step FAILED)
 *              and recovers by itself, as an OMS connector restarted by the platform does
 */
public enum OmsScenario {
    /** A mid-size migration: full migration then incremental sync that settles in MONITORING. */
    FULL_THEN_INCREMENTAL(90, 240, 8_400_000, 6_000, 12_000, 48, false, true),
    /** A larger, slower project whose incremental component fails now and then. */
    SLOW_FLAKY(180, 600, 25_000_000, 2_500, 5_000, 120, true, true),
    /** A migration without incremental sync: the project is FINISHED once its full verification is (after ~2,400 s). */
    FULL_ONLY(90, 240, 8_400_000, 6_000, 12_000, 48, false, false);

    final int preCheckSeconds;
    final int structSeconds;
    final long rows;
    final int rps;
    final int verifyRps;
    final int tables;
    final boolean flaky;
    final boolean incremental;

    OmsScenario(int preCheckSeconds, int structSeconds, long rows, int rps, int verifyRps, int tables, boolean flaky,
                boolean incremental) {
        this.preCheckSeconds = preCheckSeconds;
        this.structSeconds = structSeconds;
        this.rows = rows;
        this.rps = rps;
        this.verifyRps = verifyRps;
        this.tables = tables;
        this.flaky = flaky;
        this.incremental = incremental;
    }
}
