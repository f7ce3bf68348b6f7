package dev.migwatch.history;

import java.time.Instant;

/**
 * One OMS component (store, full import, full verify, incremental sync, and their reverse twins) at one poll.
 *
 * @param kind         STORE, REVERSE_STORE, FULL_VERIFY, FULL_IMPORT, INCR_SYNC, REVERSE_INCR_SYNC
 * @param delaySeconds component delay
 * @param checkpointAt a sync component's Checkpoint; a store's EndCheckpoint (its newest safe checkpoint)
 * @param checkpointSampledAt when OMS sampled that checkpoint: CheckpointSampleTimestamp; a store's Gmt
 * @param detailJson   fields that are not charted (ports, subtopics, creation time), JSON text or null; not those that change
 *                     at every answer, which would rewrite the component's row at every poll
 */
public record ComponentSample(
        String kind,
        String name,
        String rawStatus,
        NormalizedStatus status,
        String ip,
        String region,
        String identity,
        String topic,
        String subtopic,
        Long delaySeconds,
        Double tps,
        Double progressPct,
        Double recordProgressPct,
        Long consistentCount,
        Long inconsistentCount,
        Instant checkpointAt,
        Instant checkpointSampledAt,
        Instant heartbeatAt,
        String errorMessage,
        String detailJson) {
}
