package dev.migwatch.trends;


import dev.migwatch.progress.EtaEstimator;
import dev.migwatch.progress.FullStepEta;

import java.time.Duration;

/**
 * Tunables of the trend computations.
 *
 * @param eta                   the ETA fit: window, sample counts, minimum span
 * @param delayWindow           max/avg of the incremental delay are taken over this window
 * @param delayThresholdSeconds "above threshold since" uses this threshold
 * @param delayLookback         how far back "above threshold since" may reach
 * @param stallAfter            a RUNNING step unchanged for this long is stalled
 * @param maxPoints             the most points a series answer may carry (and its default)
 */
public record TrendsSettings(EtaEstimator.Settings eta, Duration delayWindow, long delayThresholdSeconds,
                             Duration delayLookback, Duration stallAfter, int maxPoints) {

    /** The ETA and stall figures of a task in full transfer, with these settings. */
    public FullStepEta fullStepEta() {
        return new FullStepEta(eta, stallAfter);
    }

    public static TrendsSettings defaults() {
        return new TrendsSettings(EtaEstimator.Settings.defaults(), Duration.ofMinutes(30), 60,
                Duration.ofHours(24), Duration.ofMinutes(15), 500);
    }
}
