-- Schema version 17: a step that has stopped changing keeps a copy of its newest state row on its own row (issue #8).
--
-- The task list shows every task's steps as of its newest successful poll. A step that changed at that poll has its row
-- there, just written and in the database's cache; every other step's row is wherever the step last changed, often days
-- back. On H2 with 1,000 tasks those lookups were most of a list asked for on its own (H2 had evicted the pages they
-- sit in since the last one): one old page per step. The list now reads a settled step from its step row, which it
-- reads anyway, and looks up the state rows only of the steps that are changing.
--
-- settled_at is the time of the step's newest state row while no newer one exists, and the settled_* columns are the
-- values of that row that the list shows; settled_at is NULL while the step changes (it has a row at the task's newest
-- successful poll). The writer (HistoryStore.settleSteps) fills both when it moves state_at to a step that stopped
-- changing, and empties settled_at in the transaction that writes the step a new row. The state rows stay the history
-- and what v_step_latest and the other readers use; these columns only spare the list their lookups. With several nodes
-- upgraded one after the other, a node of an older release writes rows without emptying settled_at: until a node of this
-- release writes the task again (it then sees that the copy is not of the newest row), the list may show such a step as
-- it was when it settled.
ALTER TABLE step ADD COLUMN settled_at ${ts};
ALTER TABLE step ADD COLUMN settled_present BOOLEAN;
ALTER TABLE step ADD COLUMN settled_raw_status VARCHAR(100);
ALTER TABLE step ADD COLUMN settled_status VARCHAR(20);
ALTER TABLE step ADD COLUMN settled_progress_pct DOUBLE PRECISION;
ALTER TABLE step ADD COLUMN settled_started_at ${ts};
ALTER TABLE step ADD COLUMN settled_finished_at ${ts};
ALTER TABLE step ADD COLUMN settled_processed_records BIGINT;
ALTER TABLE step ADD COLUMN settled_capacity BIGINT;
ALTER TABLE step ADD COLUMN settled_src_rps DOUBLE PRECISION;
ALTER TABLE step ADD COLUMN settled_dst_rps DOUBLE PRECISION;
ALTER TABLE step ADD COLUMN settled_checkpoint_at ${ts};
ALTER TABLE step ADD COLUMN settled_delay_seconds BIGINT;
ALTER TABLE step ADD COLUMN settled_delay_ms BIGINT;
ALTER TABLE step ADD COLUMN settled_error_code VARCHAR(200);
ALTER TABLE step ADD COLUMN settled_error_message VARCHAR(4000);

-- the steps of an existing history that have no row at their task's newest successful poll: their state_at is current
-- (the writer moved it there when they stopped changing), and their row there is the one to copy
UPDATE step SET (settled_at, settled_present, settled_raw_status, settled_status, settled_progress_pct, settled_started_at,
                 settled_finished_at, settled_processed_records, settled_capacity, settled_src_rps, settled_dst_rps,
                 settled_checkpoint_at, settled_delay_seconds, settled_delay_ms, settled_error_code, settled_error_message) =
    (SELECT s.polled_at, s.present, s.raw_status, s.status, s.progress_pct, s.started_at, s.finished_at, s.processed_records,
            s.capacity, s.src_rps, s.dst_rps, s.checkpoint_at, s.delay_seconds, s.delay_ms, s.error_code, s.error_message
     FROM step_state s WHERE s.step_ref = step.id AND s.polled_at = step.state_at)
WHERE state_at IS NOT NULL
  AND EXISTS (SELECT 1 FROM step_state s WHERE s.step_ref = step.id AND s.polled_at = step.state_at)
  AND NOT EXISTS (SELECT 1 FROM task_latest l JOIN step_state n ON n.step_ref = step.id AND n.polled_at = l.last_ok_at
                  WHERE l.task_ref = step.task_ref);
