package dev.migwatch.simulator;

/** How a simulated UDTS task runs. */
public enum UdtsScenario {
    /** Created → Dumping → Loading → Syncing → Synced. */
    FULL_AND_INCREMENTAL,
    /** Fails during the dump (Failed, RetryPending, Starting, twice, CurRetryCount counting), then recovers. */
    FAIL_THEN_RECOVER,
    /** Full migration only: Created → Dumping → Loading → Done (after 1,520 simulated seconds). */
    FULL_ONLY,
    /** Incremental only: no full-migration Progress (empty object), Created → Syncing → Synced. */
    INCREMENTAL_ONLY,
    /**
     * A Redis source, incremental: Created → Syncing → Synced with no binlog (Sync empty); Progress holds only its
     * RedisOffsetSize, which grows at every answer, and RedisDelayTime, which swings between 0 and 12 s.
     */
    REDIS_SYNC
}
