package dev.migwatch.alert;

import java.time.Instant;

/**
 * A rule's condition on one task at one evaluation.
 *
 * @param holds     whether the condition holds now
 * @param value     the figure it is about, as text (delay-above: seconds; eta-after: the ETA; failed, finished: the provider's
 *                  status; polls-failing: the newest poll's outcome; stalled: the step that does not move)
 * @param threshold the threshold as text (delay-above: seconds; eta-after: the time), null for conditions without one
 * @param since     since when it holds, when the history says (polls-failing, stalled); null: since it was first seen
 * @param message   one sentence for people, about what holds or no longer does
 */
public record Reading(boolean holds, String value, String threshold, Instant since, String message) {
}
