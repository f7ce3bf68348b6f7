package dev.migwatch.alert;

/** Why a notification is sent: the alert fired, it still fires after the rule's {@code repeat}, or it resolved. */
public enum NotificationKind {
    FIRING, REPEAT, RESOLVED;

    /** The state a notification of this kind announces (a repeat announces that the alert still fires). */
    public AlertState state() {
        return this == RESOLVED ? AlertState.RESOLVED : AlertState.FIRING;
    }
}
