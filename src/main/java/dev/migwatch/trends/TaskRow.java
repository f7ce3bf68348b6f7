package dev.migwatch.trends;

import java.time.Instant;

/**
 * One row of v_task_latest: a task's newest sample, newest poll and newest error.
 *
 * @param goneAt     a discovered task no longer watched since (null: watched), and {@code goneReason} why
 * @param lastPollNode the node that made the newest poll (migwatch.cluster.node-id; null on a single node without one)
 */
public record TaskRow(
        String source,
        String provider,
        String taskId,
        Instant sampledAt,
        String taskName,
        String taskType,
        String rawStatus,
        String status,
        String runningStep,
        Double progressPct,
        Long delaySeconds,
        Long processedRecords,
        Long totalRecords,
        Long elapsedSeconds,
        Long providerEtaSeconds,
        String failedMessage,
        Instant startedAt,
        Instant finishedAt,
        Instant lastPollAt,
        String lastPollApi,
        String lastPollOutcome,
        Integer lastPollHttpStatus,
        String lastPollErrorCode,
        String lastPollErrorMessage,
        Instant lastOkPollAt,
        Instant lastErrorAt,
        String lastErrorOrigin,
        String lastErrorName,
        String lastErrorCode,
        String lastErrorMessage,
        Instant goneAt,
        String goneReason,
        String lastPollNode) {
}
