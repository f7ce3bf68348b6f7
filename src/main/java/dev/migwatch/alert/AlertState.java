package dev.migwatch.alert;

/**
 * Where an alert of one rule on one task is in its life: its condition holds but not yet for the rule's {@code for}
 * (PENDING), it has held long enough and was notified (FIRING), or it no longer holds (RESOLVED, the end: a later
 * occurrence is a new alert).
 */
public enum AlertState {
    PENDING, FIRING, RESOLVED
}
