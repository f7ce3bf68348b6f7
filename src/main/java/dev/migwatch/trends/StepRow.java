package dev.migwatch.trends;

import java.time.Instant;

/** One step of a task as of the newest poll (v_step_latest). progressPct is filled from counts when missing. */
public record StepRow(
        String stepKey,
        String parentStepKey,
        Integer stepOrder,
        String stepName,
        String description,
        String rawStatus,
        String status,
        Double progressPct,
        Long processedRecords,
        Long capacity,
        Double srcRps,
        Double dstRps,
        Long delaySeconds,
        Instant checkpointAt,
        Instant startedAt,
        Instant finishedAt,
        String errorCode,
        String errorMessage,
        Instant polledAt) {
}
