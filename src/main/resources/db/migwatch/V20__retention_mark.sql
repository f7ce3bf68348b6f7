-- Schema version 20: how far retention has deleted each kind of history, so that a reader knows which resolution of a
-- time is still stored.
--
-- Since this version the 5-minute rollups have a retention of their own (migwatch.retention.rollups-5m, 90 days), shorter
-- than the hourly ones (migwatch.retention.rollups, 2 years): on a node that has run a year they were most of its
-- database, and /series reads a range older than three weeks from the hourly rows anyway. A short range far back (a day
-- two months ago) was read from the state rows, which retention had already pruned to the one row in force, so its chart
-- was a flat line; /series now reads such a part from the finest rollup still kept there.
--
-- pruned_before: rows of that part older than it may be gone, except the row in force at it (of each entity, or of each
-- rollup series). HistoryMaintenance moves it forward, committed, before it deletes up to it, so a reader that sees an old
-- mark reads rows that are all still there, and one that sees the new mark reads the coarser rows instead.
--   samples     task_state, step_state, component_state
--   rollups_5m  metric_rollup rows of period_s 300
--   rollups_1h  metric_rollup rows of period_s 3600
CREATE TABLE retention_mark (
    part           VARCHAR(20)   NOT NULL PRIMARY KEY,
    pruned_before  ${ts}         NOT NULL
);
INSERT INTO retention_mark (part, pruned_before) VALUES ('samples', TIMESTAMP '1970-01-01 00:00:00');
INSERT INTO retention_mark (part, pruned_before) VALUES ('rollups_5m', TIMESTAMP '1970-01-01 00:00:00');
INSERT INTO retention_mark (part, pruned_before) VALUES ('rollups_1h', TIMESTAMP '1970-01-01 00:00:00');
