package dev.migwatch.history;

import java.time.Instant;

/**
 * One step (or DTS sub-step) of a task at one poll.
 *
 * @param stepKey       unique within the task: the step name for OMS, the JobStepId for DTS
 * @param parentStepKey the owning step for DTS SubJobSteps, otherwise null
 * @param throughput    full transfer / verification figures, null for other steps
 * @param incremental   incremental sync position and delay, null for other steps
 * @param detailJson    what else the provider said about the step (StepInfo, ExtraInfo), JSON text or null
 */
public record StepSample(
        String stepKey,
        String parentStepKey,
        Integer stepOrder,
        String stepName,
        String description,
        String rawStatus,
        NormalizedStatus status,
        Double progressPct,
        Instant startedAt,
        Instant finishedAt,
        Throughput throughput,
        Incremental incremental,
        String errorCode,
        String errorMessage,
        String detailJson) {

    /** Full transfer and full verification figures (OMS StepInfo; UDTS Progress counts). */
    public record Throughput(
            Long processedRecords,
            Long capacity,
            Double srcRps,
            Double srcRtMs,
            Double srcIops,
            Double dstRps,
            Double dstRtMs,
            Double dstIops,
            Double srcRpsRef,
            Double dstRpsRef,
            Double dstRtRef) {
    }

    /**
     * Incremental sync figures.
     *
     * @param checkpointAt        the source time up to which changes were applied
     * @param checkpointSampledAt when that checkpoint was sampled
     */
    public record Incremental(
            Instant checkpointAt,
            Instant checkpointSampledAt,
            Long delaySeconds,
            Long delayMs,
            Boolean statisticsEnabled) {
    }
}
