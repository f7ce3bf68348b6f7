package dev.migwatch.progress;

import java.time.Instant;

/**
 * A full data step's values as of polledAt, as its ETA and stall check use them (present: the step was in the answer;
 * progressPct: the provider's percent, else processed of capacity: percentOf).
 */
public record FullStepSample(String stepKey, String stepName, Instant polledAt, String status, Long processedRecords,
                             Long capacity, Double progressPct, boolean present, Integer stepOrder) {

    /** The same values carried forward to t. */
    public FullStepSample at(Instant t) {
        return new FullStepSample(stepKey, stepName, t, status, processedRecords, capacity, progressPct, present, stepOrder);
    }

    /**
     * The provider's percent, else processed of capacity when the capacity is known: computed here, not in SQL, so that
     * readers and the writer (which keeps the figures) get the same double.
     */
    public static Double percentOf(Double reported, Long processed, Long capacity) {
        if (reported != null) {
            return reported;
        }
        return processed != null && capacity != null && capacity > 0 ? 100.0 * processed / capacity : null;
    }
}
