-- migwatch history schema. Portable SQL: ${ts} and ${text} are Flyway placeholders that migwatch sets
-- per database (H2/PostgreSQL: TIMESTAMP and CLOB/TEXT; MySQL: DATETIME(3) and LONGTEXT).
-- All times are UTC. Every row of one poll cycle shares its cycle_id and polled_at.

-- The poll log: every HTTP call made to a provider, successful or not.
CREATE TABLE api_call (
    cycle_id      VARCHAR(36)   NOT NULL,
    api           VARCHAR(64)   NOT NULL,
    attempt       INTEGER       NOT NULL,
    source        VARCHAR(100)  NOT NULL,
    provider      VARCHAR(10)   NOT NULL,
    task_id       VARCHAR(200)  NOT NULL,
    called_at     ${ts}         NOT NULL,
    duration_ms   BIGINT        NOT NULL,
    http_status   INTEGER,
    request_id    VARCHAR(100),
    outcome       VARCHAR(20)   NOT NULL,
    error_code    VARCHAR(200),
    error_message VARCHAR(2000),
    PRIMARY KEY (cycle_id, api, attempt)
);
CREATE INDEX api_call_task ON api_call (source, task_id, called_at);
CREATE INDEX api_call_time ON api_call (called_at);

-- One row per successful poll cycle of a task: the task as a whole.
CREATE TABLE task_sample (
    cycle_id            VARCHAR(36)   NOT NULL PRIMARY KEY,
    source              VARCHAR(100)  NOT NULL,
    provider            VARCHAR(10)   NOT NULL,
    task_id             VARCHAR(200)  NOT NULL,
    polled_at           ${ts}         NOT NULL,
    task_name           VARCHAR(500),
    task_type           VARCHAR(100),
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
    created_at          ${ts},
    started_at          ${ts},
    finished_at         ${ts},
    detail_json         ${text}
);
CREATE INDEX task_sample_task ON task_sample (source, task_id, polled_at);

-- Steps (OMS steps, DTS JobSteps and their SubJobSteps, the UDTS full migration) per poll cycle.
CREATE TABLE step_sample (
    cycle_id          VARCHAR(36)   NOT NULL,
    step_key          VARCHAR(200)  NOT NULL,
    parent_step_key   VARCHAR(200),
    source            VARCHAR(100)  NOT NULL,
    provider          VARCHAR(10)   NOT NULL,
    task_id           VARCHAR(200)  NOT NULL,
    polled_at         ${ts}         NOT NULL,
    step_order        INTEGER,
    step_name         VARCHAR(200),
    description       VARCHAR(500),
    raw_status        VARCHAR(100),
    status            VARCHAR(20)   NOT NULL,
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
    detail_json       ${text},
    PRIMARY KEY (cycle_id, step_key)
);
CREATE INDEX step_sample_task ON step_sample (source, task_id, step_key, polled_at);
-- time-range reads over all steps of a task (delay over the last day) must not scan its whole history
CREATE INDEX step_sample_time ON step_sample (source, task_id, polled_at);

-- OMS components (stores, full import/verify, incremental sync, and reverse ones) per poll cycle.
CREATE TABLE component_sample (
    cycle_id            VARCHAR(36)   NOT NULL,
    kind                VARCHAR(30)   NOT NULL,
    name                VARCHAR(500)  NOT NULL,
    source              VARCHAR(100)  NOT NULL,
    provider            VARCHAR(10)   NOT NULL,
    task_id             VARCHAR(200)  NOT NULL,
    polled_at           ${ts}         NOT NULL,
    raw_status          VARCHAR(100),
    status              VARCHAR(20)   NOT NULL,
    ip                  VARCHAR(100),
    region              VARCHAR(100),
    identity            VARCHAR(200),
    topic               VARCHAR(500),
    subtopic            VARCHAR(500),
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
    detail_json         ${text},
    PRIMARY KEY (cycle_id, kind, name)
);
CREATE INDEX component_sample_task ON component_sample (source, task_id, polled_at);

-- Every error a response, step or component reported, per poll cycle.
CREATE TABLE error_event (
    cycle_id     VARCHAR(36)   NOT NULL,
    seq          INTEGER       NOT NULL,
    source       VARCHAR(100)  NOT NULL,
    provider     VARCHAR(10)   NOT NULL,
    task_id      VARCHAR(200)  NOT NULL,
    occurred_at  ${ts}         NOT NULL,
    origin       VARCHAR(20)   NOT NULL,
    origin_name  VARCHAR(500),
    code         VARCHAR(200),
    err_level    VARCHAR(20),
    message      VARCHAR(4000),
    reason       VARCHAR(4000),
    proposal     VARCHAR(4000),
    detail_json  ${text},
    PRIMARY KEY (cycle_id, seq)
);
CREATE INDEX error_event_task ON error_event (source, task_id, occurred_at);

-- Raw response bodies, kept whenever one differs from the last kept body of the same task and API.
CREATE TABLE raw_response (
    cycle_id      VARCHAR(36)   NOT NULL,
    api           VARCHAR(64)   NOT NULL,
    source        VARCHAR(100)  NOT NULL,
    task_id       VARCHAR(200)  NOT NULL,
    received_at   ${ts}         NOT NULL,
    content_hash  VARCHAR(64)   NOT NULL,
    content_type  VARCHAR(200),
    body          ${text},
    PRIMARY KEY (cycle_id, api)
);
CREATE INDEX raw_response_task ON raw_response (source, task_id, api, received_at);

-- One row per task: where its newest cycles are. Kept by the writer in the same transaction as the
-- cycle, so "the latest state of every task" is a key lookup however long the history grows.
CREATE TABLE task_latest (
    source              VARCHAR(100)  NOT NULL,
    task_id             VARCHAR(200)  NOT NULL,
    provider            VARCHAR(10)   NOT NULL,
    last_cycle_id       VARCHAR(36)   NOT NULL,
    last_polled_at      ${ts}         NOT NULL,
    latest_ok_cycle_id  VARCHAR(36),
    latest_ok_polled_at ${ts},
    last_error_cycle_id VARCHAR(36),
    last_error_at       ${ts},
    PRIMARY KEY (source, task_id)
);
