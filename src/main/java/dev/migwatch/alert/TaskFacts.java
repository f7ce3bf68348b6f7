package dev.migwatch.alert;

import dev.migwatch.progress.StallDetector;
import dev.migwatch.trends.EtaView;
import dev.migwatch.trends.TaskView;

import java.time.Instant;

/**
 * What the rules look at of one task, as the history says (GET /api/tasks' view of it, read with SQL) plus when its
 * current run of failed polls began.
 *
 * @param delaySeconds   the delay the dashboard shows: the delay window's newest value, else the task's own figure
 * @param etaFinishAt    migwatch's estimate of when the running full step finishes, else the provider's own
 * @param stalled        a RUNNING full step has not moved for migwatch.trends.stall-after (the trends' StallDetector)
 * @param failingSince   the first failed poll after the last successful one, while the newest poll is not OK; null otherwise
 */
public record TaskFacts(String source, String provider, String taskId, String taskName, String status, String rawStatus,
                        String failedMessage, Long delaySeconds, Instant etaFinishAt, boolean stalled, String stalledStep,
                        Instant unchangedSince, String lastOutcome, String lastErrorCode, String lastErrorMessage,
                        Instant failingSince) {

    public static TaskFacts of(TaskView t, Instant failingSince) {
        Long delay = t.delay() != null && t.delay().current() != null ? t.delay().current() : t.delaySeconds();
        EtaView eta = t.eta();
        Instant finish = eta == null ? null : eta.finishAt() != null ? eta.finishAt()
                : eta.provider() != null ? eta.provider().finishAt() : null;
        boolean stalled = eta != null && eta.stall() != null && eta.stall().stalled();
        String outcome = t.lastPoll() == null ? null : t.lastPoll().outcome();
        return new TaskFacts(t.source(), t.provider(), t.taskId(), t.taskName(), t.status(), t.rawStatus(), t.failedMessage(),
                delay, finish, stalled, stalled ? (eta.stepName() != null ? eta.stepName() : eta.stepKey()) : null,
                stalled ? eta.stall().unchangedSince() : null, outcome,
                t.lastPoll() == null ? null : t.lastPoll().errorCode(), t.lastPoll() == null ? null : t.lastPoll().errorMessage(),
                "OK".equals(outcome) ? null : failingSince);
    }
}
