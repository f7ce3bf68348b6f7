package dev.migwatch.trends;

import java.time.Instant;
import java.util.List;

/**
 * A task as the API and the dashboard show it: the newest sample, the running steps' progress, the ETA,
 * the delay figures and the last poll and error.
 *
 * @param goneAt a discovered task that the account's list no longer shows (or discover.* no longer keeps) is not
 *               polled since then; its history stays. Null while it is watched; {@code goneReason} says why
 */
public record TaskView(
        String source,
        String provider,
        String taskId,
        String taskName,
        String taskType,
        String status,
        String rawStatus,
        String runningStep,
        Double progressPct,
        Long delaySeconds,
        Long processedRecords,
        Long totalRecords,
        Instant startedAt,
        Instant finishedAt,
        String failedMessage,
        Instant sampledAt,
        LastPoll lastPoll,
        LastError lastError,
        List<StepProgress> runningSteps,
        EtaView eta,
        DelayStats.Stats delay,
        Instant goneAt,
        String goneReason) {

    /** The newest poll; node: the migwatch node that made it (null on a single node without a node id). */
    public record LastPoll(Instant at, String api, String outcome, Integer httpStatus, String errorCode,
                           String errorMessage, Instant lastOkAt, String node) {
    }

    /** The newest reported error. */
    public record LastError(Instant at, String origin, String originName, String code, String message) {
    }

    /** A RUNNING step's progress, for a progress bar. */
    public record StepProgress(String stepKey, String stepName, Double progressPct, Long processedRecords,
                               Long capacity, Long delaySeconds) {
    }
}
