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

    /**
     * This row with the record counts of an OMS task that has none of its own taken from its running full transfer among
     * its steps now, as v_task_latest does: the first in TrendQueries.STEP_ORDER, whether or not it has counts. Other
     * rows are returned as they are.
     */
    public TaskRow withRecordsOf(java.util.List<StepRow> steps) {
        if (!"oms".equals(provider) || (processedRecords != null && totalRecords != null)) {
            return this;
        }
        StepRow full = steps.stream()
                .filter(s -> s.stepName() != null && s.stepName().toUpperCase(java.util.Locale.ROOT).equals("FULL_TRANSFER"))
                .filter(s -> "RUNNING".equals(s.status()))
                .min(TrendQueries.STEP_ORDER)
                .orElse(null);
        if (full == null) {
            return this;
        }
        return new TaskRow(source, provider, taskId, sampledAt, taskName, taskType, rawStatus, status, runningStep, progressPct,
                delaySeconds, processedRecords != null ? processedRecords : full.processedRecords(),
                totalRecords != null ? totalRecords : full.capacity(), elapsedSeconds, providerEtaSeconds, failedMessage,
                startedAt, finishedAt, lastPollAt, lastPollApi, lastPollOutcome, lastPollHttpStatus, lastPollErrorCode,
                lastPollErrorMessage, lastOkPollAt, lastErrorAt, lastErrorOrigin, lastErrorName, lastErrorCode,
                lastErrorMessage, goneAt, goneReason, lastPollNode);
    }
}
