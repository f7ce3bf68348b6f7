package dev.migwatch.history;

import java.time.Instant;

/**
 * One OMS component (store, full import, full verify, incremental sync, and their reverse twins) at one poll.
 *
 * @param kind         STORE, REVERSE_STORE, FULL_VERIFY, FULL_IMPORT, INCR_SYNC, REVERSE_INCR_SYNC
 * @param delaySeconds component delay
 * @param detailJson   fields that are not charted (ports, subtopics, modification times), JSON text or null
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
