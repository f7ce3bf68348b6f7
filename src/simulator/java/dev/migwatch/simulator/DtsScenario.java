package dev.migwatch.simulator;

/** How a simulated DTS job runs (simulated seconds). */
public enum DtsScenario {
    /** Pre-check, schema, full migration in three sub-jobs, then incremental writing that never ends. */
    MIGRATION_WITH_SYNC(120, 180, 6_000_000, 5_000, true),
    /** The same without the incremental step: every step ends "○ Finished". */
    FULL_ONLY(120, 180, 2_000_000, 5_000, false);

    final int preCheckSeconds;
    final int structSeconds;
    final long rows;
    final int rps;
    final boolean incremental;

    DtsScenario(int preCheckSeconds, int structSeconds, long rows, int rps, boolean incremental) {
        this.preCheckSeconds = preCheckSeconds;
        this.structSeconds = structSeconds;
        this.rows = rows;
        this.rps = rps;
        this.incremental = incremental;
    }
}
