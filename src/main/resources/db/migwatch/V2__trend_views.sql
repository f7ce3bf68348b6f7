-- migwatch trend views: the query side of the history, for the REST API and for anyone's own reporting
-- tool (Grafana, Metabase, a spreadsheet). Portable SQL: derived tables, ROW_NUMBER() and correlated
-- subqueries only, so the same file runs on H2 2.x, PostgreSQL 15 and MySQL 8. All times are UTC.
-- Computations that need a parameter (the ETA's fitting window, the delay threshold, the stall time)
-- live in Java (dev.migwatch.trends); these views give them their inputs.

-- v_task_latest: one row per task ever polled (source, task_id): the newest successful task sample,
-- the newest poll (successful or not) and the newest reported error. Built on task_latest, which the
-- writer keeps pointing at each task's newest cycles, so it costs a few key lookups per task.
--   source, provider, task_id          the task
--   latest_cycle_id, sampled_at        cycle and time of the newest task sample (null: never polled OK)
--   task_name, task_type, raw_status, status, running_step, progress_pct, delay_seconds,
--   processed_records, total_records, elapsed_seconds, provider_eta_seconds, failed_message,
--   started_at, finished_at            from that sample (status is the normalized one)
--   last_poll_at, last_poll_api, last_poll_outcome, last_poll_http_status, last_poll_error_code,
--   last_poll_error_message            the newest api_call row
--   last_ok_poll_at                    the newest api_call with outcome OK
--   last_error_at, last_error_origin, last_error_name, last_error_code, last_error_message
--                                      the newest error_event row
CREATE VIEW v_task_latest AS
SELECT k.source, k.provider, k.task_id,
       ts.cycle_id AS latest_cycle_id, ts.polled_at AS sampled_at,
       ts.task_name, ts.task_type, ts.raw_status, ts.status, ts.running_step, ts.progress_pct,
       ts.delay_seconds, ts.processed_records, ts.total_records, ts.elapsed_seconds,
       ts.provider_eta_seconds, ts.failed_message, ts.started_at, ts.finished_at,
       ac.called_at AS last_poll_at, ac.api AS last_poll_api, ac.outcome AS last_poll_outcome,
       ac.http_status AS last_poll_http_status, ac.error_code AS last_poll_error_code,
       ac.error_message AS last_poll_error_message,
       (SELECT MAX(ok.called_at) FROM api_call ok
         WHERE ok.cycle_id = k.latest_ok_cycle_id AND ok.outcome = 'OK') AS last_ok_poll_at,
       ee.occurred_at AS last_error_at, ee.origin AS last_error_origin, ee.origin_name AS last_error_name,
       ee.code AS last_error_code, ee.message AS last_error_message
FROM task_latest k
LEFT JOIN task_sample ts ON ts.cycle_id = k.latest_ok_cycle_id
LEFT JOIN (SELECT a.*, ROW_NUMBER() OVER (PARTITION BY a.cycle_id
                                          ORDER BY a.called_at DESC, a.attempt DESC, a.api DESC) AS rn
             FROM api_call a WHERE a.cycle_id IN (SELECT last_cycle_id FROM task_latest)) ac
       ON ac.cycle_id = k.last_cycle_id AND ac.rn = 1
LEFT JOIN (SELECT e.*, ROW_NUMBER() OVER (PARTITION BY e.cycle_id ORDER BY e.seq DESC) AS rn
             FROM error_event e WHERE e.cycle_id IN (SELECT last_error_cycle_id FROM task_latest)) ee
       ON ee.cycle_id = k.last_error_cycle_id AND ee.rn = 1;

-- v_step_latest: the steps of each task as of its newest successful poll (steps that disappeared from
-- the provider's answer are not shown). Columns are those of step_sample that people chart, plus
-- progress_pct filled from processed_records/capacity when the provider gives counts only (UDTS) and
-- delay_seconds filled from delay_ms.
CREATE VIEW v_step_latest AS
SELECT s.source, s.provider, s.task_id, s.cycle_id, s.polled_at, s.step_key, s.parent_step_key,
       s.step_order, s.step_name, s.description, s.raw_status, s.status,
       COALESCE(s.progress_pct,
                CASE WHEN s.capacity > 0 THEN 100.0 * s.processed_records / s.capacity END) AS progress_pct,
       s.processed_records, s.capacity, s.src_rps, s.dst_rps, s.src_rt_ms, s.dst_rt_ms,
       COALESCE(s.delay_seconds, s.delay_ms / 1000) AS delay_seconds, s.checkpoint_at,
       s.started_at, s.finished_at, s.error_code, s.error_message
FROM step_sample s
JOIN task_latest t ON t.latest_ok_cycle_id = s.cycle_id;

-- v_component_latest: OMS components as of each task's newest successful poll.
CREATE VIEW v_component_latest AS
SELECT c.source, c.provider, c.task_id, c.cycle_id, c.polled_at, c.kind, c.name, c.raw_status, c.status,
       c.ip, c.region, c.delay_seconds, c.tps, c.progress_pct, c.record_progress_pct,
       c.consistent_count, c.inconsistent_count, c.checkpoint_at, c.heartbeat_at, c.error_message
FROM component_sample c
JOIN task_latest t ON t.latest_ok_cycle_id = c.cycle_id;

-- v_full_transfer_progress: every sample of a full data step over time: OMS FULL_TRANSFER and
-- FULL_VERIFIER, UDTS FULL_MIGRATION, and DTS steps (provider compared case-insensitively) whose name says full ("Full...", "全量...").
-- progress_pct is the provider's, else processed_records/capacity. Feed these to a rate fit for an ETA.
CREATE VIEW v_full_transfer_progress AS
SELECT s.source, s.provider, s.task_id, s.step_key, s.step_name, s.polled_at, s.status, s.raw_status,
       s.processed_records, s.capacity,
       COALESCE(s.progress_pct,
                CASE WHEN s.capacity > 0 THEN 100.0 * s.processed_records / s.capacity END) AS progress_pct,
       s.src_rps, s.dst_rps
FROM step_sample s
WHERE s.step_name IN ('FULL_TRANSFER', 'FULL_VERIFIER', 'FULL_MIGRATION')
   OR (UPPER(s.provider) = 'DTS' AND (UPPER(s.step_name) LIKE '%FULL%' OR s.step_name LIKE '%全量%'));

-- v_incremental_delay: incremental sync delay over time, per step (OMS INCR_TRANSFER, DTS steps with
-- IncLatencySeconds >= 0, UDTS INCREMENTAL_SYNC) and per task (task_sample.delay_seconds, step_key
-- null). delay_seconds falls back to delay_ms / 1000; DTS's -1 ("not applicable") is left out.
CREATE VIEW v_incremental_delay AS
SELECT s.source, s.provider, s.task_id, s.step_key, s.step_name, s.polled_at,
       COALESCE(s.delay_seconds, s.delay_ms / 1000) AS delay_seconds, s.delay_ms, s.checkpoint_at
FROM step_sample s
WHERE COALESCE(s.delay_seconds, s.delay_ms / 1000) >= 0
UNION ALL
SELECT t.source, t.provider, t.task_id, NULL, NULL, t.polled_at, t.delay_seconds, NULL, NULL
FROM task_sample t
WHERE t.delay_seconds >= 0;

-- v_poll_failures: every provider call that did not succeed (outcome other than OK: ERROR, THROTTLED,
-- AUTH, TIMEOUT, NETWORK, BAD_RESPONSE, NOT_FOUND), newest first when ordered by called_at DESC.
CREATE VIEW v_poll_failures AS
SELECT a.source, a.provider, a.task_id, a.called_at, a.cycle_id, a.api, a.attempt, a.duration_ms,
       a.http_status, a.request_id, a.outcome, a.error_code, a.error_message
FROM api_call a
WHERE a.outcome <> 'OK';

-- v_step_unchanged: for each step of each task's newest poll, since when its progress measure
-- (processed_records, else progress_pct) has had its current value. A RUNNING step whose
-- unchanged_since is older than your stall limit is stalled, e.g.
--   SELECT * FROM v_step_unchanged WHERE status = 'RUNNING' AND unchanged_since < <now - 30 min>
-- unchanged_since is a lower bound: the first sample we have with the current value.
CREATE VIEW v_step_unchanged AS
SELECT l.source, l.provider, l.task_id, l.step_key, l.step_name, l.status, l.polled_at,
       l.processed_records, l.progress_pct,
       (SELECT MIN(s.polled_at) FROM step_sample s
         WHERE s.source = l.source AND s.task_id = l.task_id AND s.step_key = l.step_key
           AND s.polled_at > COALESCE(
               (SELECT MAX(d.polled_at) FROM step_sample d
                 WHERE d.source = l.source AND d.task_id = l.task_id AND d.step_key = l.step_key
                   AND (COALESCE(d.processed_records, -1) <> COALESCE(l.processed_records, -1)
                        OR COALESCE(d.progress_pct, -1) <> COALESCE(l.progress_pct, -1))),
               TIMESTAMP '1900-01-01 00:00:00')) AS unchanged_since
FROM step_sample l
JOIN task_latest t ON t.latest_ok_cycle_id = l.cycle_id;
