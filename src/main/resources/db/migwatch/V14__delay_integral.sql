-- Schema version 14: the task's delay carried as a running integral on its state rows, so that the list's delay window
-- (its average over time, TrendQueries.delayWindows) is a difference of two rows instead of a pass over every row of the
-- window paired with the next one (LEAD): with 1,000 tasks, 61,000 rows paired for each GET /api/tasks.
--
-- delay_integral: the sum, over the task's earlier state rows, of each row's delay (when it reports one: delay_seconds
-- >= 0) times the seconds until the next row; delay_covered: the sum of those seconds. Both count from an origin of
-- their own, so only differences between two rows of a task mean anything. The writer (HistoryStore) adds the previous
-- row's share at each row it writes.
--
-- Rows written before this version carry NULL. Each task's newest row is the origin (0, 0) of the rows to come;
-- a window that reaches back before it is read the old way (TrendQueries falls back to LEAD for that window). A row
-- written after a NULL one stays NULL, so the rows with values are one unbroken run of a task's rows.
ALTER TABLE task_state ADD COLUMN delay_integral DOUBLE PRECISION;
ALTER TABLE task_state ADD COLUMN delay_covered DOUBLE PRECISION;
UPDATE task_state SET delay_integral = 0, delay_covered = 0
WHERE EXISTS (SELECT 1 FROM task_latest l WHERE l.task_ref = task_state.task_ref AND l.state_at = task_state.polled_at);
