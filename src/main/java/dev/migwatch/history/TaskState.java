package dev.migwatch.history;

import java.time.Instant;

/**
 * The task as a whole at one poll. Fields a provider does not report are null.
 *
 * @param progressPct        0..100, the provider's overall or running-step progress
 * @param delaySeconds       incremental sync delay
 * @param providerEtaSeconds the provider's own estimate of the total duration (UDTS TotalDuration)
 * @param detailJson         provider-specific extras that are not charted (JSON object text), may be null
 */
public record TaskState(
        String taskName,
        String taskType,
        String rawStatus,
        NormalizedStatus status,
        String runningStep,
        Double progressPct,
        Long delaySeconds,
        Instant delaySampledAt,
        Long processedRecords,
        Long totalRecords,
        Long elapsedSeconds,
        Long providerEtaSeconds,
        Integer retryCount,
        Integer maxRetryCount,
        String failedMessage,
        BinlogPosition binlog,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String detailJson) {

    /** The same state under another name (an answer that names no task, shown with the name the account's list gave it). */
    public TaskState withTaskName(String name) {
        return new TaskState(name, taskType, rawStatus, status, runningStep, progressPct, delaySeconds, delaySampledAt, processedRecords,
                totalRecords, elapsedSeconds, providerEtaSeconds, retryCount, maxRetryCount, failedMessage, binlog, createdAt, startedAt,
                finishedAt, detailJson);
    }

    /** Where an incremental (binlog based) sync is reading; UDTS reports it. */
    public record BinlogPosition(String name, Long position, String gtid) {
    }
}
