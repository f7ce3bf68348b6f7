package dev.migwatch.trends;

import dev.migwatch.progress.StallDetector;

import java.time.Instant;

/**
 * The ETA of a task's running full step, beside the provider's own estimate when it gives one.
 *
 * @param stepKey          the step the estimate is for, null when no full step was found
 * @param measure          "records" (processed of capacity) or "percent" (progress of 100)
 * @param ratePerSecond    the fitted rate in measure units per second
 * @param finishAt         null when there is no trustworthy estimate; reason says why
 * @param stall            whether the step's progress has stopped moving while RUNNING
 * @param provider         the provider's estimate (UDTS TotalDuration), null when none
 */
public record EtaView(String stepKey, String stepName, String measure, Double ratePerSecond, Instant finishAt,
                      Long remainingSeconds, String reason, int samplesUsed, Instant windowFrom, Double done,
                      Double total, StallDetector.Stall stall, ProviderEta provider) {

    /**
     * @param totalSeconds   the provider's estimated total duration
     * @param elapsedSeconds the provider's elapsed time, when reported
     * @param finishAt       start + total, else sample time + (total - elapsed), else null
     */
    public record ProviderEta(Long totalSeconds, Long elapsedSeconds, Instant finishAt) {
    }
}
