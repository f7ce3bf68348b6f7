package dev.migwatch.trends;

import java.time.Instant;

/** One OMS component as of the newest poll (v_component_latest). */
public record ComponentRow(
        String kind,
        String name,
        String rawStatus,
        String status,
        String ip,
        String region,
        Long delaySeconds,
        Double tps,
        Double progressPct,
        Double recordProgressPct,
        Long consistentCount,
        Long inconsistentCount,
        Instant checkpointAt,
        Instant heartbeatAt,
        String errorMessage,
        Instant polledAt) {
}
