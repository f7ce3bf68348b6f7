package dev.migwatch.history;

/** Why a discovered task is no longer watched. */
public enum GoneReason {
    /** The account's list no longer shows it (twice in a row: a page shifted by a deletion can hide a task once). */
    DELETED,
    /** The list still shows it, but migwatch.sources.<name>.discover.* no longer keeps it. */
    FILTERED
}
