package dev.migwatch.storage;

import java.time.Duration;

/**
 * How long each part of the history is kept (migwatch.retention.*).
 *
 * @param samples full-resolution task, step and component states, and errors last seen before then
 * @param raw     raw answers
 * @param polls   the poll log
 * @param rollups hourly rollups
 * @param rollups5m 5-minute rollups: 12 rows for each hourly one of a series that changes at every poll, so on a node that
 *                has run a year they were most of its database at the rollups' 2 years; /series reads ranges over three
 *                weeks from the hourly rows, and an older short range from the finest rows still kept there
 * @param alerts  alerts resolved, and notifications made, before then (AlertRetention, in the alert package: the key is
 *                one of migwatch.retention.*, read and checked with the others)
 */
public record Retention(Duration samples, Duration raw, Duration polls, Duration rollups, Duration rollups5m, Duration alerts) {
    public static Retention defaults() {
        return new Retention(Duration.ofDays(30), Duration.ofDays(7), Duration.ofDays(30), Duration.ofDays(730), Duration.ofDays(90),
                Duration.ofDays(365));
    }
}
