package dev.migwatch.alert;

/** A notification waiting for (or under) delivery, delivered, or given up after the channel's retries. */
public enum DeliveryOutcome {
    QUEUED, DELIVERED, FAILED
}
