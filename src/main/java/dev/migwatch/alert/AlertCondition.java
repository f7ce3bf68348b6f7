package dev.migwatch.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a rule watches for (migwatch.alerts.rules.<name>.condition), and how it reads a task's facts. */
public enum AlertCondition {
    /** The delay of incremental sync is above the threshold (a duration). */
    DELAY_ABOVE("delay-above"),
    /** The task's normalized status is FAILED. */
    FAILED("failed"),
    /** A RUNNING full step has not moved for migwatch.trends.stall-after (the trends' stall detector). */
    STALLED("stalled"),
    /** Every poll of the task since its last successful one has failed (AUTH, THROTTLED, ERROR, BAD_RESPONSE, ...). */
    POLLS_FAILING("polls-failing"),
    /** The estimated end of the running full step is after the threshold (a time, or a duration from now). */
    ETA_AFTER("eta-after"),
    /** The task's normalized status is FINISHED. */
    FINISHED("finished");

    private final String id;

    AlertCondition(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<AlertCondition> parse(String text) {
        return Arrays.stream(values()).filter(c -> c.id.equalsIgnoreCase(text == null ? "" : text.trim())).findFirst();
    }

    /** Whether the rule's threshold is required (and allowed) for this condition. */
    public boolean takesThreshold() {
        return this == DELAY_ABOVE || this == ETA_AFTER;
    }

    /**
     * @param stallAfter migwatch.trends.stall-after: a stalled step has not moved for this long when the detector says so
     */
    public Reading read(Threshold threshold, TaskFacts t, Instant now, Duration stallAfter) {
        return switch (this) {
            case DELAY_ABOVE -> {
                long limit = threshold.duration().toSeconds();
                Long d = t.delaySeconds();
                boolean holds = d != null && d > limit;
                yield new Reading(holds, d == null ? null : d.toString(), Long.toString(limit), null,
                        d == null ? "no delay reported (at most " + Texts.seconds(limit) + " allowed)"
                                : "delay " + Texts.seconds(d) + (holds ? ", above " : ", not above ") + Texts.seconds(limit));
            }
            case FAILED -> status(t, "FAILED");
            case FINISHED -> status(t, "FINISHED");
            case STALLED -> t.stalled()
                    ? new Reading(true, t.stalledStep(), null, t.unchangedSince() == null ? null : t.unchangedSince().plus(stallAfter),
                    t.stalledStep() + " has not moved since " + t.unchangedSince() + " while RUNNING")
                    : new Reading(false, null, null, null, "no RUNNING step stands still for " + Texts.seconds(stallAfter.toSeconds()));
            case POLLS_FAILING -> t.failingSince() != null
                    ? new Reading(true, t.lastOutcome(), null, t.failingSince(), "every poll has failed since " + t.failingSince()
                    + "; the newest: " + t.lastOutcome() + (t.lastErrorCode() == null ? "" : " " + t.lastErrorCode())
                    + (t.lastErrorMessage() == null ? "" : ": " + t.lastErrorMessage()))
                    : new Reading(false, t.lastOutcome(), null, null, "OK".equals(t.lastOutcome()) ? "polls succeed again"
                    : "no failed poll since the last successful one");
            case ETA_AFTER -> {
                Instant limit = threshold.limit(now);
                Instant eta = t.etaFinishAt();
                boolean holds = eta != null && eta.isAfter(limit);
                yield new Reading(holds, eta == null ? null : eta.toString(), limit.toString(), null,
                        eta == null ? "no estimate of the end of a full step now"
                                : "expected to finish at " + eta + (holds ? ", after " : ", not after ") + limit);
            }
        };
    }

    private static Reading status(TaskFacts t, String wanted) {
        boolean holds = wanted.equals(t.status());
        String raw = t.rawStatus() == null ? "" : " (provider status " + t.rawStatus() + ")";
        String detail = holds && "FAILED".equals(wanted) && t.failedMessage() != null ? ": " + t.failedMessage() : "";
        return new Reading(holds, t.rawStatus() != null ? t.rawStatus() : t.status(), null, null,
                "the task is " + (t.status() == null ? "not polled successfully yet" : t.status()) + raw + detail);
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
