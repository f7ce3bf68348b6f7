-- Schema version 18: the ETA and stall figures of the task's running full data step kept on its task_latest row, so that
-- GET /api/tasks reads one row for a task in full transfer instead of the recent samples of its step (with 1,000 tasks in
-- full transfer polled every 30 s, 20,000 to 40,000 rows at each call: 217 of the list's 336 ms on H2 under bin/migwatch's
-- JVM).
--
-- The writer (HistoryStore, storage.FullStepReadings) computes them at each successful poll that is not late, from the
-- rows of the task's full data steps it keeps in memory (those of the last 2 x migwatch.trends.stall-after, 30 minutes by
-- default), with the same function the readers use on the rows they read (progress.FullStepEta). They are set only while
-- a full data step of the poll runs, NULL otherwise. eta_settings names the settings they were computed with
-- (migwatch.trends.eta-* and stall-after, as 'window ms/most samples/fewest samples/shortest span ms/stall-after ms').
-- A reader uses them only when eta_end is the poll it reads (last_ok_at: a poll written by a writer of an older release
-- leaves them behind) and eta_settings are its own; otherwise, and for rows written before this version, it reads the
-- samples as before.
--
-- eta_step_key, eta_step_name: the step the figures are of; eta_measure: 'records' (processed of capacity) or 'percent';
-- eta_rate: the fitted rate in measure units a second; eta_finish_at, eta_remaining_s: the estimate, NULL with a reason
-- (eta_reason: 'too few samples', 'no progress: stalled', 'total unknown'); eta_samples, eta_window_from: the samples
-- fitted and the oldest one's time; eta_done, eta_total: the newest values; eta_stalled: RUNNING and unchanged since
-- eta_unchanged_since (found back to 2 x stall-after at most) until eta_unchanged_until, its newest sample with a value.
ALTER TABLE task_latest ADD COLUMN eta_end ${ts};
ALTER TABLE task_latest ADD COLUMN eta_settings VARCHAR(100);
ALTER TABLE task_latest ADD COLUMN eta_step_key VARCHAR(200);
ALTER TABLE task_latest ADD COLUMN eta_step_name VARCHAR(200);
ALTER TABLE task_latest ADD COLUMN eta_measure VARCHAR(10);
ALTER TABLE task_latest ADD COLUMN eta_rate DOUBLE PRECISION;
ALTER TABLE task_latest ADD COLUMN eta_finish_at ${ts};
ALTER TABLE task_latest ADD COLUMN eta_remaining_s BIGINT;
ALTER TABLE task_latest ADD COLUMN eta_reason VARCHAR(50);
ALTER TABLE task_latest ADD COLUMN eta_samples INTEGER;
ALTER TABLE task_latest ADD COLUMN eta_window_from ${ts};
ALTER TABLE task_latest ADD COLUMN eta_done DOUBLE PRECISION;
ALTER TABLE task_latest ADD COLUMN eta_total DOUBLE PRECISION;
ALTER TABLE task_latest ADD COLUMN eta_stalled BOOLEAN;
ALTER TABLE task_latest ADD COLUMN eta_unchanged_since ${ts};
ALTER TABLE task_latest ADD COLUMN eta_unchanged_until ${ts};
