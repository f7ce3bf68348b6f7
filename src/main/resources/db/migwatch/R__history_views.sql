-- migwatch views: the query side of the history, for the REST API and for anyone's own reporting tool
-- (Grafana, Metabase, a spreadsheet). Portable SQL for H2 2.x and PostgreSQL 15. All times are UTC.
-- A repeatable migration: Flyway runs it again whenever this file changes.
--
-- The *_sample views read like the 0.1 tables (source, task_id, names on every row), but a row exists
-- only where some value changed: the value "as of t" is the newest row at or before t. The v_*_latest
-- views are the state as of each task's newest successful poll.
--
-- Where the newest rows are (V8): task_latest holds, per task, its newest poll (last_polled_at, last_outcome), newest
-- successful poll (last_ok_at) and newest task_state row (state_at). The newest row of a step or component is at the
-- task's last_ok_at when it changed at that poll, else at its own state_at (which the writer moves only when the entity
-- stops changing, not at every change): the row n at last_ok_at if there is one, else the row at state_at, below. Both
-- are key lookups. (The REST API reads the same rows on PostgreSQL with LATERAL lookups, TrendQueries.)

DROP VIEW IF EXISTS v_metric_rollup;
DROP VIEW IF EXISTS v_step_unchanged;
DROP VIEW IF EXISTS v_poll_failures;
DROP VIEW IF EXISTS v_incremental_delay;
DROP VIEW IF EXISTS v_full_transfer_progress;
DROP VIEW IF EXISTS v_component_latest;
DROP VIEW IF EXISTS v_step_latest;
DROP VIEW IF EXISTS v_task_latest;
DROP VIEW IF EXISTS v_errors;
DROP VIEW IF EXISTS v_poll_log;
DROP VIEW IF EXISTS api_call;
DROP VIEW IF EXISTS component_sample;
DROP VIEW IF EXISTS step_sample;
DROP VIEW IF EXISTS task_sample;

-- task_sample: the task's values, a row where one changed.
CREATE VIEW task_sample AS
SELECT t.source, t.provider, t.task_id, s.polled_at, t.task_name, t.task_type, s.raw_status, s.status,
       s.running_step, s.progress_pct, s.delay_seconds, s.delay_sampled_at, s.processed_records, s.total_records,
       s.elapsed_seconds, s.provider_eta_seconds, s.retry_count, s.max_retry_count, s.failed_message,
       s.binlog_name, s.binlog_pos, s.binlog_gtid, t.created_at, s.started_at, s.finished_at
FROM task_state s
JOIN task t ON t.id = s.task_ref;

-- step_sample: each step's values, a row where one changed (rows of steps that left the answer are not shown).
CREATE VIEW step_sample AS
SELECT t.source, t.provider, t.task_id, s.polled_at, st.step_key, st.parent_step_key, st.step_order, st.step_name,
       st.description, s.raw_status, s.status, s.progress_pct, s.started_at, s.finished_at, s.processed_records,
       s.capacity, s.src_rps, s.src_rt_ms, s.src_iops, s.dst_rps, s.dst_rt_ms, s.dst_iops, s.src_rps_ref,
       s.dst_rps_ref, s.dst_rt_ref, s.checkpoint_at, s.checkpoint_sampled_at, s.delay_seconds, s.delay_ms,
       s.incr_statistics, s.error_code, s.error_message
FROM step_state s
JOIN step st ON st.id = s.step_ref
JOIN task t ON t.id = st.task_ref
WHERE s.present = TRUE;

-- component_sample: each OMS component's values, a row where one changed.
CREATE VIEW component_sample AS
SELECT t.source, t.provider, t.task_id, s.polled_at, k.kind, k.name, s.raw_status, s.status, k.ip, k.region,
       k.identity, k.topic, k.subtopic, s.delay_seconds, s.tps, s.progress_pct, s.record_progress_pct,
       s.consistent_count, s.inconsistent_count, s.checkpoint_at, s.checkpoint_sampled_at, s.heartbeat_at,
       s.error_message
FROM component_state s
JOIN component k ON k.id = s.component_ref
JOIN task t ON t.id = k.task_ref
WHERE s.present = TRUE;

-- v_poll_log: every poll cycle, newest first when ordered by polled_at DESC; node: which migwatch node polled.
-- A poll is identified by its task and polled_at.
CREATE VIEW v_poll_log AS
SELECT t.source, t.provider, t.task_id, p.polled_at, p.outcome, p.calls, p.duration_ms, p.api,
       p.http_status, p.request_id, p.error_code, p.error_message, p.node
FROM poll p
JOIN task t ON t.id = p.task_ref;

-- api_call: each call that did not succeed, attempt by attempt; polled_at is its poll's.
CREATE VIEW api_call AS
SELECT t.source, t.provider, t.task_id, c.polled_at, c.api, c.attempt, c.called_at, c.duration_ms,
       c.http_status, c.request_id, c.outcome, c.error_code, c.error_message
FROM poll_call c
JOIN task t ON t.id = c.task_ref;

-- v_errors: each distinct reported error once, with when it was first and last seen and how often.
CREATE VIEW v_errors AS
SELECT t.source, t.provider, t.task_id, e.first_seen, e.last_seen, e.seen_count, e.origin, e.origin_name, e.code,
       e.err_level, e.message, e.reason, e.proposal, e.detail_json
FROM task_error e
JOIN task t ON t.id = e.task_ref;

-- v_task_latest: one row per task ever polled: its newest state (null: never polled OK), its newest poll
-- (successful or not) and its newest reported error. A source's failed listings (pseudo-task '*') are not a task.
--   sampled_at, last_ok_poll_at        time of the newest successful poll
--   last_poll_*                        the newest poll and, when it failed, the call that decided it
--   last_error_*                       the error last seen most recently
--   discovered_at, gone_at, gone_reason  discovery: first listed; no longer watched since, and why (V5)
--   last_poll_node                     the node that made the newest poll (V6; NULL on a single node without an id)
--   processed_records, total_records   an OMS task's are its running full transfer's (FULL_TRANSFER): since V8 they are
--                                      not repeated in task_state, but taken from that step's newest row
CREATE VIEW v_task_latest AS
SELECT t.source, t.provider, t.task_id, l.last_ok_at AS sampled_at, t.task_name, t.task_type, s.raw_status,
       s.status, s.running_step, s.progress_pct, s.delay_seconds,
       COALESCE(s.processed_records, CASE WHEN t.provider = 'oms' THEN
           (SELECT f.processed_records FROM step fs
            LEFT JOIN step_state n ON n.step_ref = fs.id AND n.polled_at = l.last_ok_at
            JOIN step_state f ON f.step_ref = fs.id AND f.polled_at = COALESCE(n.polled_at, fs.state_at)
            WHERE fs.task_ref = t.id AND UPPER(fs.step_name) = 'FULL_TRANSFER' AND f.status = 'RUNNING' AND f.present = TRUE
            ORDER BY COALESCE(fs.step_order, 2147483647), fs.step_key FETCH FIRST 1 ROW ONLY) END) AS processed_records,
       COALESCE(s.total_records, CASE WHEN t.provider = 'oms' THEN
           (SELECT f.capacity FROM step fs
            LEFT JOIN step_state n ON n.step_ref = fs.id AND n.polled_at = l.last_ok_at
            JOIN step_state f ON f.step_ref = fs.id AND f.polled_at = COALESCE(n.polled_at, fs.state_at)
            WHERE fs.task_ref = t.id AND UPPER(fs.step_name) = 'FULL_TRANSFER' AND f.status = 'RUNNING' AND f.present = TRUE
            ORDER BY COALESCE(fs.step_order, 2147483647), fs.step_key FETCH FIRST 1 ROW ONLY) END) AS total_records,
       s.elapsed_seconds, s.provider_eta_seconds, s.failed_message, s.started_at, s.finished_at,
       l.last_polled_at AS last_poll_at, p.api AS last_poll_api, l.last_outcome AS last_poll_outcome,
       p.http_status AS last_poll_http_status, p.error_code AS last_poll_error_code,
       p.error_message AS last_poll_error_message, l.last_ok_at AS last_ok_poll_at,
       e.last_seen AS last_error_at, e.origin AS last_error_origin, e.origin_name AS last_error_name,
       e.code AS last_error_code, e.message AS last_error_message,
       t.discovered_at, t.gone_at, t.gone_reason, p.node AS last_poll_node
FROM task t
LEFT JOIN task_latest l ON l.task_ref = t.id
LEFT JOIN task_state s ON s.task_ref = t.id AND s.polled_at = l.state_at
LEFT JOIN poll p ON p.task_ref = t.id AND p.polled_at = l.last_polled_at
LEFT JOIN task_error e ON e.task_ref = t.id
      AND e.id = (SELECT MAX(x.id) FROM task_error x WHERE x.task_ref = t.id
                  AND x.last_seen = (SELECT MAX(y.last_seen) FROM task_error y WHERE y.task_ref = t.id))
WHERE t.task_id <> '*';

-- v_step_latest: the steps of each task as of its newest successful poll. progress_pct is filled from
-- processed_records/capacity when the provider gives counts only (UDTS), delay_seconds from delay_ms.
CREATE VIEW v_step_latest AS
SELECT t.source, t.provider, t.task_id, s.polled_at, st.step_key, st.parent_step_key, st.step_order,
       st.step_name, st.description, s.raw_status, s.status,
       COALESCE(s.progress_pct,
                CASE WHEN s.capacity > 0 THEN 100.0 * s.processed_records / s.capacity END) AS progress_pct,
       s.processed_records, s.capacity, s.src_rps, s.dst_rps, s.src_rt_ms, s.dst_rt_ms,
       COALESCE(s.delay_seconds, s.delay_ms / 1000) AS delay_seconds, s.checkpoint_at,
       s.started_at, s.finished_at, s.error_code, s.error_message
FROM step st
JOIN task t ON t.id = st.task_ref
JOIN task_latest l ON l.task_ref = st.task_ref
LEFT JOIN step_state n ON n.step_ref = st.id AND n.polled_at = l.last_ok_at
JOIN step_state s ON s.step_ref = st.id AND s.polled_at = COALESCE(n.polled_at, st.state_at)
WHERE s.present = TRUE;

-- v_component_latest: OMS components as of each task's newest successful poll.
CREATE VIEW v_component_latest AS
SELECT t.source, t.provider, t.task_id, s.polled_at, k.kind, k.name, s.raw_status, s.status, k.ip, k.region,
       s.delay_seconds, s.tps, s.progress_pct, s.record_progress_pct, s.consistent_count, s.inconsistent_count,
       s.checkpoint_at, s.heartbeat_at, s.error_message
FROM component k
JOIN task t ON t.id = k.task_ref
JOIN task_latest l ON l.task_ref = k.task_ref
LEFT JOIN component_state n ON n.component_ref = k.id AND n.polled_at = l.last_ok_at
JOIN component_state s ON s.component_ref = k.id AND s.polled_at = COALESCE(n.polled_at, k.state_at)
WHERE s.present = TRUE;

-- v_full_transfer_progress: the full data steps over time (OMS FULL_TRANSFER and FULL_VERIFIER, UDTS
-- FULL_MIGRATION, DTS steps whose name says full: "Full...", "全量..."), a row where a value changed.
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
-- IncLatencySeconds >= 0, UDTS INCREMENTAL_SYNC) and per task (step_key null), a row where it changed.
-- delay_seconds falls back to delay_ms / 1000; DTS's -1 ("not applicable") is left out.
CREATE VIEW v_incremental_delay AS
SELECT s.source, s.provider, s.task_id, s.step_key, s.step_name, s.polled_at,
       COALESCE(s.delay_seconds, s.delay_ms / 1000) AS delay_seconds, s.delay_ms, s.checkpoint_at
FROM step_sample s
WHERE COALESCE(s.delay_seconds, s.delay_ms / 1000) >= 0
UNION ALL
SELECT t.source, t.provider, t.task_id, NULL, NULL, t.polled_at, t.delay_seconds, NULL, NULL
FROM task_sample t
WHERE t.delay_seconds >= 0;

-- v_poll_failures: every poll cycle that did not succeed (outcome ERROR, THROTTLED, AUTH, TIMEOUT,
-- NETWORK, BAD_RESPONSE, NOT_FOUND, SKIPPED); api_call has each failed attempt of it.
CREATE VIEW v_poll_failures AS
SELECT l.source, l.provider, l.task_id, l.polled_at, l.outcome, l.calls, l.duration_ms, l.api,
       l.http_status, l.request_id, l.error_code, l.error_message
FROM v_poll_log l
WHERE l.outcome <> 'OK';

-- v_step_unchanged: for each step of each task's newest poll, since when its progress measure
-- (processed_records, else progress_pct) has had its current value. A RUNNING step whose
-- unchanged_since is older than your stall limit is stalled, e.g.
--   SELECT * FROM v_step_unchanged WHERE status = 'RUNNING' AND unchanged_since < <now - 30 min>
-- unchanged_since is a lower bound: the first state row we have with the current value.
CREATE VIEW v_step_unchanged AS
SELECT t.source, t.provider, t.task_id, st.step_key, st.step_name, l.status, tl.last_ok_at AS polled_at,
       l.processed_records, l.progress_pct,
       (SELECT MIN(s.polled_at) FROM step_state s
         WHERE s.step_ref = st.id
           AND s.polled_at > COALESCE(
               (SELECT MAX(d.polled_at) FROM step_state d
                 WHERE d.step_ref = st.id
                   AND (COALESCE(d.processed_records, -1) <> COALESCE(l.processed_records, -1)
                        OR COALESCE(d.progress_pct, -1) <> COALESCE(l.progress_pct, -1))),
               TIMESTAMP '1900-01-01 00:00:00')) AS unchanged_since
FROM step st
JOIN task t ON t.id = st.task_ref
JOIN task_latest tl ON tl.task_ref = st.task_ref
LEFT JOIN step_state n ON n.step_ref = st.id AND n.polled_at = tl.last_ok_at
JOIN step_state l ON l.step_ref = st.id AND l.polled_at = COALESCE(n.polled_at, st.state_at)
WHERE l.present = TRUE;

-- v_metric_rollup: the rollups with their task, and the step key or component kind/name (name null for the
-- task's own metrics). period_s 300 or 3600; the value is min/max/avg/last over sample_count polls. A row
-- where a value changed: a bucket without a row held the last_value of the newest row before it (at each
-- of its polls; how many is not kept). sample_count = 0 marks where a series stopped having a value.
CREATE VIEW v_metric_rollup AS
SELECT t.source, t.provider, t.task_id, 'task' AS entity, CAST(NULL AS VARCHAR(600)) AS name, r.metric, r.period_s,
       r.bucket_start, r.min_value, r.max_value, r.avg_value, r.last_value, r.sample_count
FROM metric_rollup r
JOIN task t ON t.id = r.entity_ref
WHERE r.entity = 'T'
UNION ALL
SELECT t.source, t.provider, t.task_id, 'step', st.step_key, r.metric, r.period_s,
       r.bucket_start, r.min_value, r.max_value, r.avg_value, r.last_value, r.sample_count
FROM metric_rollup r
JOIN step st ON st.id = r.entity_ref
JOIN task t ON t.id = st.task_ref
WHERE r.entity = 'S'
UNION ALL
SELECT t.source, t.provider, t.task_id, 'component', k.kind || '/' || k.name, r.metric, r.period_s,
       r.bucket_start, r.min_value, r.max_value, r.avg_value, r.last_value, r.sample_count
FROM metric_rollup r
JOIN component k ON k.id = r.entity_ref
JOIN task t ON t.id = k.task_ref
WHERE r.entity = 'C';
