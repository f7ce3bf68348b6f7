-- Schema version 16: when the task's delay went above the threshold, however far back, kept with the window's figures of
-- V15 on task_latest. The list shows "above the threshold since" up to migwatch.trends.delay-lookback (24 h) back; for a
-- task above it for the whole 30-minute window it looked that up at every call in the rollups and the state rows (with
-- 1,000 tasks after 30 days, 55 of H2's 105 ms).
--
-- The writer (HistoryStore, storage.DelayReadings) follows the run as it writes the task's state rows: the first reading of
-- the unbroken run above delay_window_threshold that ends at delay_window_end (readings without a delay do not break it),
-- NULL when the delay is at or below it, and NULL too when the writer does not know where the run began (it took the task
-- up while the delay was above the threshold for the whole window, and the figures kept before were not current); a
-- reader then looks it up as before. Like the other figures it answers only a read that ends at delay_window_end, and
-- only when delay_window_run_end, the end it was written with, is that end: a writer of an older release (several nodes
-- upgraded one after the other) updates the V15 figures and leaves both columns as they were.
ALTER TABLE task_latest ADD COLUMN delay_window_run_since ${ts};
ALTER TABLE task_latest ADD COLUMN delay_window_run_end ${ts};
