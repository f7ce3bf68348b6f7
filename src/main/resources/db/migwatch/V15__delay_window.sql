-- Schema version 15: the task list's delay window kept as figures on the task's task_latest row, so that GET /api/tasks
-- reads one row a task for it instead of the window's state rows (with 1,000 tasks polled every 30 s, 61,000 rows at
-- each call; H2 took 100 to 270 ms for them).
--
-- The writer (HistoryStore, storage.DelayWindowFigures) computes them at each successful poll that is not late, from the
-- task's state rows of the window it keeps in memory, for the window [delay_window_end - delay_window_s seconds,
-- delay_window_end] and the threshold it was given (migwatch.trends.delay-window, .delay-threshold-seconds): the same figures
-- as the readers' SQL over those rows (TrendQueries.delayWindows). A reader uses them only when they end at the poll it
-- reads (last_ok_at: a poll written by a writer that keeps none, or since the row was read, leaves them behind) and were
-- computed for its own window and threshold; otherwise, and for rows written before this version (NULL), it reads the
-- state rows as before.
ALTER TABLE task_latest ADD COLUMN delay_window_end ${ts};
ALTER TABLE task_latest ADD COLUMN delay_window_s INTEGER;
ALTER TABLE task_latest ADD COLUMN delay_window_threshold BIGINT;
ALTER TABLE task_latest ADD COLUMN delay_window_first_at ${ts};
ALTER TABLE task_latest ADD COLUMN delay_window_current BIGINT;
ALTER TABLE task_latest ADD COLUMN delay_window_current_at ${ts};
ALTER TABLE task_latest ADD COLUMN delay_window_max BIGINT;
ALTER TABLE task_latest ADD COLUMN delay_window_avg DOUBLE PRECISION;
ALTER TABLE task_latest ADD COLUMN delay_window_samples INTEGER;
ALTER TABLE task_latest ADD COLUMN delay_window_above_since ${ts};
