-- Schema version 19: no index of the raw answers by their keyframe (raw_body_base, (task_ref, base_at); on PostgreSQL
-- raw_body_default_base of the default partition; the day partitions never had one).
--
-- Retention used it to keep a keyframe while a delta still referred to it. The writer starts a new keyframe at the first
-- poll of each UTC day (since schema version 4), so only deltas of the keyframe's own day refer to it. HistoryMaintenance
-- now deletes the whole UTC days past migwatch.retention.raw, keyframes and deltas together, and in the day the window ends
-- in only the deltas past it. A keyframe is therefore kept up to a day longer than the deltas, as a day partition is on
-- PostgreSQL.
--
-- What the index cost: each poll appends an entry at its task's own place in it, so on H2, whose store is copy-on-write,
-- every poll rewrote one of its leaf pages: 549 of the 6,003 bytes H2 wrote a task-poll of OMS projects in full transfer,
-- and 13 bytes a poll kept (HistoryGrowthBenchmarkTest -Dbench.h2-writes=true: 100 tasks at 50 cycles a second), about
-- 270 MB for 1,000 tasks polled every 30 s over the 7 days of raw answers; the keyframes kept a day longer instead are at
-- most 13 a task (47 KB).
DROP INDEX IF EXISTS raw_body_base;
DROP INDEX IF EXISTS raw_body_default_base;
