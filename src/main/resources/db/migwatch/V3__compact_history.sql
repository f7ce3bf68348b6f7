-- migwatch history, compact form (0.2). Replaces the 0.1 tables, whose rows repeated every key, name
-- and value at every poll, with:
--   * small surrogate keys: task, step and component each have a row of their own that holds their
--     names, descriptions and detail JSON, changed in place only when the provider changes them;
--   * change-only samples: task_state, step_state and component_state get a row only when some value
--     differs from the entity's previous row. The value "as of t" is the newest row at or before t (last
--     observation carried forward); a row with present = FALSE says a step or component left the answer;
--   * one poll row per cycle, and a poll_call row only for calls that did not succeed;
--   * one task_error row per distinct error, with first seen / last seen / count;
--   * raw bodies compressed, most of them as a delta against a keyframe body (see RawBodyCodec).
-- The 0.1 rows are converted below, value for value; nothing is dropped on the way. Differences a reader
-- may notice: a converted poll's duration_ms is the sum of its calls' durations (the writer stores the cycle's
-- wall time), every 0.1 call is kept in poll_call (the writer keeps failed ones only), and detail JSON keeps
-- its newest value (earlier ones are in the raw bodies).
-- Portable SQL for H2 2.x and PostgreSQL 15: ${ts}, ${text}, ${blob}, ${id}, ${bigid} are Flyway placeholders.

DROP VIEW v_step_unchanged;
DROP VIEW v_poll_failures;
DROP VIEW v_incremental_delay;
DROP VIEW v_full_transfer_progress;
DROP VIEW v_component_latest;
DROP VIEW v_step_latest;
DROP VIEW v_task_latest;

ALTER TABLE api_call RENAME TO old_api_call;
ALTER TABLE task_sample RENAME TO old_task_sample;
ALTER TABLE step_sample RENAME TO old_step_sample;
ALTER TABLE component_sample RENAME TO old_component_sample;
ALTER TABLE error_event RENAME TO old_error_event;
ALTER TABLE raw_response RENAME TO old_raw_response;
ALTER TABLE task_latest RENAME TO old_task_latest;

-- One row per task ever polled. The descriptive columns are the newest the provider sent; the last_*
-- columns point at the task's newest poll, newest successful poll and newest error, and state_at (here, in
-- step and in component) at its newest state row, so that "the state of every task now" is a few key
-- lookups however long the history grows.
CREATE TABLE task (
    id               ${id} PRIMARY KEY,
    source           VARCHAR(100)  NOT NULL,
    provider         VARCHAR(10)   NOT NULL,
    task_id          VARCHAR(200)  NOT NULL,
    task_name        VARCHAR(500),
    task_type        VARCHAR(100),
    created_at       ${ts},
    detail_json      ${text},
    first_polled_at  ${ts}         NOT NULL,
    last_polled_at   ${ts}         NOT NULL,
    last_outcome     VARCHAR(20)   NOT NULL,
    last_ok_at       ${ts},
    last_error_at    ${ts},
    state_at         ${ts},
    CONSTRAINT task_natural UNIQUE (source, task_id)
);

-- Steps: OMS steps, DTS JobSteps and SubJobSteps (parent_step_key), UDTS FULL_MIGRATION / INCREMENTAL_SYNC.
CREATE TABLE step (
    id               ${id} PRIMARY KEY,
    task_ref         INTEGER       NOT NULL REFERENCES task (id),
    step_key         VARCHAR(200)  NOT NULL,
    parent_step_key  VARCHAR(200),
    step_order       INTEGER,
    step_name        VARCHAR(200),
    description      VARCHAR(500),
    detail_json      ${text},
    state_at         ${ts},
    CONSTRAINT step_natural UNIQUE (task_ref, step_key)
);

-- OMS components: kind STORE, REVERSE_STORE, FULL_IMPORT, FULL_VERIFY, INCR_SYNC, REVERSE_INCR_SYNC.
CREATE TABLE component (
    id               ${id} PRIMARY KEY,
    task_ref         INTEGER       NOT NULL REFERENCES task (id),
    kind             VARCHAR(30)   NOT NULL,
    name             VARCHAR(500)  NOT NULL,
    ip               VARCHAR(100),
    region           VARCHAR(100),
    identity         VARCHAR(200),
    topic            VARCHAR(500),
    subtopic         VARCHAR(500),
    detail_json      ${text},
    state_at         ${ts},
    CONSTRAINT component_natural UNIQUE (task_ref, kind, name)
);

-- The poll log: one row per poll cycle of a task, successful or not. outcome is OK or the failure class
-- of the call that decided the cycle (ERROR, THROTTLED, AUTH, TIMEOUT, NETWORK, BAD_RESPONSE, NOT_FOUND,
-- SKIPPED); api, http_status, request_id, error_code and error_message describe that call. calls counts
-- the HTTP calls made (retries included), duration_ms the cycle's wall time.
-- (task_ref, polled_at) is unique: writing the same cycle twice (a journal replay) is a no-op.
CREATE TABLE poll (
    id               ${bigid} PRIMARY KEY,
    task_ref         INTEGER       NOT NULL REFERENCES task (id),
    polled_at        ${ts}         NOT NULL,
    outcome          VARCHAR(20)   NOT NULL,
    calls            INTEGER       NOT NULL,
    duration_ms      BIGINT        NOT NULL,
    api              VARCHAR(64),
    http_status      INTEGER,
    request_id       VARCHAR(100),
    error_code       VARCHAR(200),
    error_message    VARCHAR(2000),
    CONSTRAINT poll_natural UNIQUE (task_ref, polled_at)
);
CREATE INDEX poll_time ON poll (polled_at);

-- Every call that did not succeed, attempt by attempt (a successful call is counted in poll.calls, and its
-- answer is in raw_body). Rows converted from 0.1 include its successful calls too.
CREATE TABLE poll_call (
    poll_id          BIGINT        NOT NULL REFERENCES poll (id) ON DELETE CASCADE,
    api              VARCHAR(64)   NOT NULL,
    attempt          INTEGER       NOT NULL,
    called_at        ${ts}         NOT NULL,
    duration_ms      BIGINT        NOT NULL,
    http_status      INTEGER,
    request_id       VARCHAR(100),
    outcome          VARCHAR(20)   NOT NULL,
    error_code       VARCHAR(200),
    error_message    VARCHAR(2000),
    PRIMARY KEY (poll_id, api, attempt)
);

-- The task as a whole, a row when some value changed.
CREATE TABLE task_state (
    task_ref            INTEGER       NOT NULL REFERENCES task (id),
    polled_at           ${ts}         NOT NULL,
    raw_status          VARCHAR(100),
    status              VARCHAR(20)   NOT NULL,
    running_step        VARCHAR(100),
    progress_pct        DOUBLE PRECISION,
    delay_seconds       BIGINT,
    delay_sampled_at    ${ts},
    processed_records   BIGINT,
    total_records       BIGINT,
    elapsed_seconds     BIGINT,
    provider_eta_seconds BIGINT,
    retry_count         INTEGER,
    max_retry_count     INTEGER,
    failed_message      VARCHAR(4000),
    binlog_name         VARCHAR(200),
    binlog_pos          BIGINT,
    binlog_gtid         VARCHAR(4000),
    started_at          ${ts},
    finished_at         ${ts},
    PRIMARY KEY (task_ref, polled_at)
);

-- A step, a row when some value changed; present = FALSE: the step is no longer in the answer.
CREATE TABLE step_state (
    step_ref          INTEGER       NOT NULL REFERENCES step (id),
    polled_at         ${ts}         NOT NULL,
    present           BOOLEAN       NOT NULL,
    raw_status        VARCHAR(100),
    status            VARCHAR(20),
    progress_pct      DOUBLE PRECISION,
    started_at        ${ts},
    finished_at       ${ts},
    processed_records BIGINT,
    capacity          BIGINT,
    src_rps           DOUBLE PRECISION,
    src_rt_ms         DOUBLE PRECISION,
    src_iops          DOUBLE PRECISION,
    dst_rps           DOUBLE PRECISION,
    dst_rt_ms         DOUBLE PRECISION,
    dst_iops          DOUBLE PRECISION,
    src_rps_ref       DOUBLE PRECISION,
    dst_rps_ref       DOUBLE PRECISION,
    dst_rt_ref        DOUBLE PRECISION,
    checkpoint_at     ${ts},
    checkpoint_sampled_at ${ts},
    delay_seconds     BIGINT,
    delay_ms          BIGINT,
    incr_statistics   BOOLEAN,
    error_code        VARCHAR(200),
    error_message     VARCHAR(4000),
    PRIMARY KEY (step_ref, polled_at)
);

-- A component, a row when some value changed; present = FALSE: it is no longer in the answer.
CREATE TABLE component_state (
    component_ref       INTEGER       NOT NULL REFERENCES component (id),
    polled_at           ${ts}         NOT NULL,
    present             BOOLEAN       NOT NULL,
    raw_status          VARCHAR(100),
    status              VARCHAR(20),
    delay_seconds       BIGINT,
    tps                 DOUBLE PRECISION,
    progress_pct        DOUBLE PRECISION,
    record_progress_pct DOUBLE PRECISION,
    consistent_count    BIGINT,
    inconsistent_count  BIGINT,
    checkpoint_at       ${ts},
    checkpoint_sampled_at ${ts},
    heartbeat_at        ${ts},
    error_message       VARCHAR(4000),
    PRIMARY KEY (component_ref, polled_at)
);

-- Each distinct error a response, step or component reported, once: when it was first and last seen in a
-- successful poll, and in how many polls. fingerprint is a hash of every column from origin to detail_json.
CREATE TABLE task_error (
    id           ${bigid} PRIMARY KEY,
    task_ref     INTEGER       NOT NULL REFERENCES task (id),
    fingerprint  VARCHAR(64)   NOT NULL,
    first_seen   ${ts}         NOT NULL,
    last_seen    ${ts}         NOT NULL,
    seen_count   BIGINT        NOT NULL,
    origin       VARCHAR(20)   NOT NULL,
    origin_name  VARCHAR(500),
    code         VARCHAR(200),
    err_level    VARCHAR(20),
    message      VARCHAR(4000),
    reason       VARCHAR(4000),
    proposal     VARCHAR(4000),
    detail_json  ${text},
    CONSTRAINT task_error_natural UNIQUE (task_ref, fingerprint)
);
CREATE INDEX task_error_seen ON task_error (task_ref, last_seen);

-- Raw answers of one poll (all APIs of the cycle in one record, see RawBodyCodec), compressed. A keyframe
-- (base_at NULL) is deflated on its own; the others are deflated with their keyframe as the dictionary,
-- so a body that differs from it in a few counters costs a few dozen bytes. encoding: 'deflate'
-- (keyframe), 'delta' (needs the keyframe of the same task at base_at), 'text' (0.1 rows, body as text
-- in UTF-8 bytes, one API per row, with its content_type; the compressed records carry theirs inside).
CREATE TABLE raw_body (
    task_ref     INTEGER       NOT NULL REFERENCES task (id),
    received_at  ${ts}         NOT NULL,
    api          VARCHAR(64)   NOT NULL,
    encoding     VARCHAR(10)   NOT NULL,
    base_at      ${ts},
    content_type VARCHAR(200),
    body         ${blob}       NOT NULL,
    PRIMARY KEY (task_ref, received_at, api)
);
-- retention: what is past its time, and which keyframes a delta still needs
CREATE INDEX raw_body_time ON raw_body (received_at);
CREATE INDEX raw_body_base ON raw_body (task_ref, base_at);

-- Rollups: per task, step and component metric (RollupMetric), min / max / avg / last / count of the value
-- as of each successful poll in the bucket, at period_s = 300 (5 min) and 3600 (1 h). entity: T task,
-- S step, C component; entity_ref is that table's id. Kept longer than the samples (retention.rollups).
CREATE TABLE metric_rollup (
    entity        CHAR(1)       NOT NULL,
    entity_ref    INTEGER       NOT NULL,
    metric        VARCHAR(30)   NOT NULL,
    period_s      INTEGER       NOT NULL,
    bucket_start  ${ts}         NOT NULL,
    min_value     DOUBLE PRECISION NOT NULL,
    max_value     DOUBLE PRECISION NOT NULL,
    avg_value     DOUBLE PRECISION NOT NULL,
    last_value    DOUBLE PRECISION NOT NULL,
    sample_count  INTEGER       NOT NULL,
    PRIMARY KEY (entity, entity_ref, metric, period_s, bucket_start)
);
CREATE INDEX metric_rollup_time ON metric_rollup (bucket_start);

-- How far each rollup period has been computed: every bucket that ends at or before done_until is final.
CREATE TABLE rollup_mark (
    period_s      INTEGER       NOT NULL PRIMARY KEY,
    done_until    ${ts}         NOT NULL
);

-- ---- the 0.1 rows, converted

INSERT INTO task (source, provider, task_id, task_name, task_type, created_at, detail_json, first_polled_at,
                  last_polled_at, last_outcome, last_ok_at, last_error_at)
SELECT l.source, l.provider, l.task_id, ts.task_name, ts.task_type, ts.created_at, ts.detail_json,
       (SELECT MIN(a.called_at) FROM old_api_call a WHERE a.source = l.source AND a.task_id = l.task_id),
       l.last_polled_at,
       COALESCE((SELECT MAX(a.outcome) FROM old_api_call a WHERE a.cycle_id = l.last_cycle_id AND a.outcome <> 'OK'), 'OK'),
       l.latest_ok_polled_at, l.last_error_at
FROM old_task_latest l
LEFT JOIN old_task_sample ts ON ts.cycle_id = l.latest_ok_cycle_id;
UPDATE task SET first_polled_at = last_polled_at WHERE first_polled_at IS NULL OR first_polled_at > last_polled_at;

INSERT INTO poll (task_ref, polled_at, outcome, calls, duration_ms, api, http_status, request_id, error_code, error_message)
SELECT t.id, COALESCE(MAX(ts.polled_at), MIN(a.called_at)),
       CASE WHEN MAX(ts.cycle_id) IS NOT NULL THEN 'OK'
            ELSE COALESCE(MAX(CASE WHEN a.outcome <> 'OK' THEN a.outcome END), 'OK') END,
       COUNT(*), SUM(a.duration_ms), MAX(CASE WHEN a.outcome <> 'OK' THEN a.api END),
       MAX(CASE WHEN a.outcome <> 'OK' THEN a.http_status END), MAX(CASE WHEN a.outcome <> 'OK' THEN a.request_id END),
       MAX(CASE WHEN a.outcome <> 'OK' THEN a.error_code END), MAX(CASE WHEN a.outcome <> 'OK' THEN a.error_message END)
FROM old_api_call a
JOIN task t ON t.source = a.source AND t.task_id = a.task_id
LEFT JOIN old_task_sample ts ON ts.cycle_id = a.cycle_id
GROUP BY t.id, a.cycle_id;

INSERT INTO poll_call (poll_id, api, attempt, called_at, duration_ms, http_status, request_id, outcome, error_code, error_message)
SELECT p.id, a.api, a.attempt, a.called_at, a.duration_ms, a.http_status, a.request_id, a.outcome, a.error_code, a.error_message
FROM old_api_call a
JOIN task t ON t.source = a.source AND t.task_id = a.task_id
JOIN poll p ON p.task_ref = t.id
           AND p.polled_at = COALESCE((SELECT ts.polled_at FROM old_task_sample ts WHERE ts.cycle_id = a.cycle_id),
                                      (SELECT MIN(b.called_at) FROM old_api_call b WHERE b.cycle_id = a.cycle_id));

INSERT INTO task_state (task_ref, polled_at, raw_status, status, running_step, progress_pct, delay_seconds, delay_sampled_at,
                        processed_records, total_records, elapsed_seconds, provider_eta_seconds, retry_count, max_retry_count,
                        failed_message, binlog_name, binlog_pos, binlog_gtid, started_at, finished_at)
SELECT t.id, s.polled_at, s.raw_status, s.status, s.running_step, s.progress_pct, s.delay_seconds, s.delay_sampled_at,
       s.processed_records, s.total_records, s.elapsed_seconds, s.provider_eta_seconds, s.retry_count, s.max_retry_count,
       s.failed_message, s.binlog_name, s.binlog_pos, s.binlog_gtid, s.started_at, s.finished_at
FROM old_task_sample s
JOIN task t ON t.source = s.source AND t.task_id = s.task_id;

INSERT INTO step (task_ref, step_key, parent_step_key, step_order, step_name, description, detail_json)
SELECT t.id, s.step_key, s.parent_step_key, s.step_order, s.step_name, s.description, s.detail_json
FROM old_step_sample s
JOIN task t ON t.source = s.source AND t.task_id = s.task_id
WHERE s.cycle_id = (SELECT MAX(n.cycle_id) FROM old_step_sample n
                    WHERE n.source = s.source AND n.task_id = s.task_id AND n.step_key = s.step_key
                      AND n.polled_at = (SELECT MAX(m.polled_at) FROM old_step_sample m
                                         WHERE m.source = s.source AND m.task_id = s.task_id AND m.step_key = s.step_key));

INSERT INTO step_state (step_ref, polled_at, present, raw_status, status, progress_pct, started_at, finished_at,
                        processed_records, capacity, src_rps, src_rt_ms, src_iops, dst_rps, dst_rt_ms, dst_iops, src_rps_ref,
                        dst_rps_ref, dst_rt_ref, checkpoint_at, checkpoint_sampled_at, delay_seconds, delay_ms,
                        incr_statistics, error_code, error_message)
SELECT st.id, s.polled_at, TRUE, s.raw_status, s.status, s.progress_pct, s.started_at, s.finished_at,
       s.processed_records, s.capacity, s.src_rps, s.src_rt_ms, s.src_iops, s.dst_rps, s.dst_rt_ms, s.dst_iops, s.src_rps_ref,
       s.dst_rps_ref, s.dst_rt_ref, s.checkpoint_at, s.checkpoint_sampled_at, s.delay_seconds, s.delay_ms,
       s.incr_statistics, s.error_code, s.error_message
FROM old_step_sample s
JOIN task t ON t.source = s.source AND t.task_id = s.task_id
JOIN step st ON st.task_ref = t.id AND st.step_key = s.step_key;

INSERT INTO component (task_ref, kind, name, ip, region, identity, topic, subtopic, detail_json)
SELECT t.id, c.kind, c.name, c.ip, c.region, c.identity, c.topic, c.subtopic, c.detail_json
FROM old_component_sample c
JOIN task t ON t.source = c.source AND t.task_id = c.task_id
WHERE c.cycle_id = (SELECT MAX(n.cycle_id) FROM old_component_sample n
                    WHERE n.source = c.source AND n.task_id = c.task_id AND n.kind = c.kind AND n.name = c.name
                      AND n.polled_at = (SELECT MAX(m.polled_at) FROM old_component_sample m
                                         WHERE m.source = c.source AND m.task_id = c.task_id AND m.kind = c.kind
                                           AND m.name = c.name));

INSERT INTO component_state (component_ref, polled_at, present, raw_status, status, delay_seconds, tps, progress_pct,
                             record_progress_pct, consistent_count, inconsistent_count, checkpoint_at,
                             checkpoint_sampled_at, heartbeat_at, error_message)
SELECT k.id, c.polled_at, TRUE, c.raw_status, c.status, c.delay_seconds, c.tps, c.progress_pct, c.record_progress_pct,
       c.consistent_count, c.inconsistent_count, c.checkpoint_at, c.checkpoint_sampled_at, c.heartbeat_at, c.error_message
FROM old_component_sample c
JOIN task t ON t.source = c.source AND t.task_id = c.task_id
JOIN component k ON k.task_ref = t.id AND k.kind = c.kind AND k.name = c.name;

-- 0.1 stored a standing error again at every poll: here each distinct error becomes one row. Its
-- fingerprint is 'v1:' + the 0.1 cycle and sequence of its first row (the writer's fingerprints are SHA-256 hex,
-- so the two never collide and a 0.1 error seen again after the upgrade simply starts a new row).
INSERT INTO task_error (task_ref, fingerprint, first_seen, last_seen, seen_count, origin, origin_name, code, err_level,
                        message, reason, proposal, detail_json)
SELECT t.id, 'v1:' || f.cycle_id || ':' || CAST(f.seq AS VARCHAR(10)), g.first_seen, g.last_seen, g.seen_count,
       f.origin, f.origin_name, f.code, f.err_level, f.message, f.reason, f.proposal, f.detail_json
FROM (SELECT e.source, e.task_id, e.origin, e.origin_name, e.code, e.err_level, e.message, e.reason, e.proposal,
             MIN(e.occurred_at) AS first_seen, MAX(e.occurred_at) AS last_seen, COUNT(*) AS seen_count,
             MIN(e.cycle_id || ':' || CAST(1000000 + e.seq AS VARCHAR(10))) AS first_row
      FROM old_error_event e
      GROUP BY e.source, e.task_id, e.origin, e.origin_name, e.code, e.err_level, e.message, e.reason, e.proposal) g
JOIN old_error_event f ON f.cycle_id || ':' || CAST(1000000 + f.seq AS VARCHAR(10)) = g.first_row
JOIN task t ON t.source = g.source AND t.task_id = g.task_id;

INSERT INTO raw_body (task_ref, received_at, api, encoding, base_at, content_type, body)
SELECT t.id, r.received_at, r.api, 'text', NULL, r.content_type, ${utf8_bytes}
FROM old_raw_response r
JOIN task t ON t.source = r.source AND t.task_id = r.task_id;

-- A failed 0.1 cycle has no time of its own but its calls': its poll is at its first call. The task's newest
-- cycle has one (task_latest.last_polled_at): put its poll there, so that the task's pointer finds it.
UPDATE poll SET polled_at = (SELECT t.last_polled_at FROM task t WHERE t.id = poll.task_ref)
WHERE poll.polled_at = (SELECT MAX(p2.polled_at) FROM poll p2 WHERE p2.task_ref = poll.task_ref)
  AND poll.polled_at > (SELECT t.last_polled_at FROM task t WHERE t.id = poll.task_ref);

-- A failed poll is described by the call that decided it, as the writer does (PollLog.decisive): the last
-- attempt of the first API that failed. One call, all its columns (taking the MAX of each column above could
-- mix the outcome of one call with the status of another).
UPDATE poll SET outcome = (SELECT d.outcome FROM poll_call d WHERE d.poll_id = poll.id AND ${decisive}),
                api = (SELECT d.api FROM poll_call d WHERE d.poll_id = poll.id AND ${decisive}),
                http_status = (SELECT d.http_status FROM poll_call d WHERE d.poll_id = poll.id AND ${decisive}),
                request_id = (SELECT d.request_id FROM poll_call d WHERE d.poll_id = poll.id AND ${decisive}),
                error_code = (SELECT d.error_code FROM poll_call d WHERE d.poll_id = poll.id AND ${decisive}),
                error_message = (SELECT d.error_message FROM poll_call d WHERE d.poll_id = poll.id AND ${decisive})
WHERE poll.outcome <> 'OK'
  AND EXISTS (SELECT 1 FROM poll_call d WHERE d.poll_id = poll.id AND ${decisive});

UPDATE task SET last_outcome = (SELECT p.outcome FROM poll p WHERE p.task_ref = task.id AND p.polled_at = task.last_polled_at)
WHERE EXISTS (SELECT 1 FROM poll p WHERE p.task_ref = task.id AND p.polled_at = task.last_polled_at);

UPDATE task SET state_at = (SELECT MAX(x.polled_at) FROM task_state x WHERE x.task_ref = task.id);
UPDATE step SET state_at = (SELECT MAX(x.polled_at) FROM step_state x WHERE x.step_ref = step.id);
UPDATE component SET state_at = (SELECT MAX(x.polled_at) FROM component_state x WHERE x.component_ref = component.id);

-- A step or component that left a 0.1 answer simply had no more rows; here it gets the "absent" row the writer
-- writes, at the first successful poll that no longer listed it.
INSERT INTO step_state (step_ref, polled_at, present)
SELECT st.id, (SELECT MIN(s.polled_at) FROM task_state s WHERE s.task_ref = st.task_ref AND s.polled_at > st.state_at), FALSE
FROM step st JOIN task t ON t.id = st.task_ref
WHERE st.state_at < t.state_at;
INSERT INTO component_state (component_ref, polled_at, present)
SELECT k.id, (SELECT MIN(s.polled_at) FROM task_state s WHERE s.task_ref = k.task_ref AND s.polled_at > k.state_at), FALSE
FROM component k JOIN task t ON t.id = k.task_ref
WHERE k.state_at < t.state_at;
UPDATE step SET state_at = (SELECT MAX(x.polled_at) FROM step_state x WHERE x.step_ref = step.id);
UPDATE component SET state_at = (SELECT MAX(x.polled_at) FROM component_state x WHERE x.component_ref = component.id);

DROP TABLE old_api_call;
DROP TABLE old_task_sample;
DROP TABLE old_step_sample;
DROP TABLE old_component_sample;
DROP TABLE old_error_event;
DROP TABLE old_raw_response;
DROP TABLE old_task_latest;
