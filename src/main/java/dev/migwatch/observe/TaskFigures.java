package dev.migwatch.observe;

import dev.migwatch.history.ComponentSample;
import dev.migwatch.history.NormalizedStatus;
import dev.migwatch.history.StepSample;
import dev.migwatch.history.TaskSnapshot;
import dev.migwatch.history.TaskState;

import java.util.ArrayList;
import java.util.List;

/**
 * What the metrics show of one task: the values of its newest successful cycle, copied out of the snapshot so that
 * the snapshot itself is not kept. Immutable, so a scrape never sees half of one cycle and half of the next.
 *
 * @param progressRatio    the provider's progress, 0..1; null when it reports none
 * @param delaySeconds     the task's own delay, else the largest of its steps' (as the API reads it: the task's first)
 * @param stepRates        rows per second of the steps that report throughput
 * @param componentDelays  delay of the components that report one
 */
record TaskFigures(String source, String provider, String taskId, NormalizedStatus status, Double progressRatio,
                   Long delaySeconds, Long processedRecords, Long totalRecords, List<StepRate> stepRates,
                   List<ComponentDelay> componentDelays) {

    record StepRate(String step, Double srcRps, Double dstRps) {
    }

    record ComponentDelay(String kind, String component, long delaySeconds) {
    }

    static TaskFigures of(TaskSnapshot s) {
        TaskState t = s.task();
        List<StepRate> rates = new ArrayList<>(2);
        Long stepDelay = null;
        for (StepSample step : s.steps()) {
            StepSample.Throughput tp = step.throughput();
            if (tp != null && (tp.srcRps() != null || tp.dstRps() != null)) {
                rates.add(new StepRate(step.stepKey(), tp.srcRps(), tp.dstRps()));
            }
            Long d = stepDelay(step.incremental());
            if (d != null && (stepDelay == null || d > stepDelay)) {
                stepDelay = d;
            }
        }
        List<ComponentDelay> delays = new ArrayList<>(s.components().isEmpty() ? 0 : 4);
        for (ComponentSample c : s.components()) {
            if (c.delaySeconds() != null && c.delaySeconds() >= 0) {
                delays.add(new ComponentDelay(c.kind(), c.name() == null ? c.kind() : c.name(), c.delaySeconds()));
            }
        }
        // DTS says -1 for "not applicable"
        Long taskDelay = t.delaySeconds() != null && t.delaySeconds() >= 0 ? t.delaySeconds() : null;
        return new TaskFigures(s.source(), s.provider(), s.taskId(), t.status(),
                t.progressPct() == null ? null : t.progressPct() / 100.0, taskDelay != null ? taskDelay : stepDelay,
                t.processedRecords(), t.totalRecords(), List.copyOf(rates), List.copyOf(delays));
    }

    private static Long stepDelay(StepSample.Incremental inc) {
        if (inc == null) {
            return null;
        }
        Long d = inc.delaySeconds() != null ? inc.delaySeconds() : inc.delayMs() == null ? null : inc.delayMs() / 1000;
        return d == null || d < 0 ? null : d;
    }
}
