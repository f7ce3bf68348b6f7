-- Discovery (migwatch.sources.<name>.tasks = *): a source lists its account's tasks and watches those its filters keep.
-- A task the list no longer shows (or the filters no longer keep) is not polled any more, but its history stays: it
-- is marked gone, and marked back if the list shows it again.
--   discovered_at  when the account's list first showed the task (null: only ever watched by its id)
--   gone_at        when migwatch stopped watching it (null: watched, or named in the configuration)
--   gone_reason    DELETED (no longer listed) or FILTERED (listed, but discover.* no longer keeps it)
-- A source's failed listings are in the poll log under the pseudo-task '*' of the source (v_task_latest leaves it out).
ALTER TABLE task ADD COLUMN discovered_at ${ts};
ALTER TABLE task ADD COLUMN gone_at ${ts};
ALTER TABLE task ADD COLUMN gone_reason VARCHAR(20);
