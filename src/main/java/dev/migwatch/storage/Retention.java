package dev.migwatch.storage;

import java.time.Duration;

/**
 * How long each part of the history is kept (migwatch.retention.*).
 *
 * @param samples full-resolution task, step and component states, and errors last seen before then
 * @param raw     raw answers
 * @param polls   the poll log
 * @param rollups 5-minute and hourly rollups
 * @param alerts  alerts resolved, and notifications made, before then (AlertRetention, in the alert package: the key is
 *                one of migwatch.retention.*, read and checked with the others)
 */
public record Retention(Duration samples, Duration raw, Duration polls, Duration rollups, Duration alerts) {
    public static Retention defaults() {
        return new Retention(Duration.ofDays(30), Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(730), Duration.ofDays(365));
    }
}
