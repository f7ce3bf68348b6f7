-- Schema version 8 in one step, for a new H2 database (a Flyway baseline migration: Flyway runs it only on an empty
-- database; a database with any migration applied ignores it and goes on from its version through V1..V8 as before, and
-- the versions after 8 apply to both). In a cold JVM, the nine migrations one by one took 1.4 to 1.8 s on an empty
-- database (V3 and V8 build tables only to rebuild them); this script and the views take 0.8 to 1.1 s (issue #12: the
-- first stored poll within 3 s of the start). HistoryDatabase.migrate adds this folder for H2 only: PostgreSQL, made
-- once, keeps the versioned path. SchemaBaselineTest compares the schema this leaves (with R__history_views.sql) with
-- what V1..V8 leave, object by object; what each table and column means is in the versioned migrations and in README
-- "The history schema". ${ts}, ${text}, ${blob}, ${id}, ${bigid} are the versioned migrations' placeholders.

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
    discovered_at    ${ts},
    gone_at          ${ts},
    gone_reason      VARCHAR(20),
    CONSTRAINT task_natural UNIQUE (source, task_id)
);

CREATE TABLE task_latest (
    task_ref         INTEGER       NOT NULL PRIMARY KEY REFERENCES task (id),
    last_polled_at   ${ts}         NOT NULL,
    last_outcome     VARCHAR(20)   NOT NULL,
    last_ok_at       ${ts},
    state_at         ${ts}
);

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

CREATE TABLE poll (
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
    node             VARCHAR(100),
    CONSTRAINT poll_natural UNIQUE (task_ref, polled_at)
);
CREATE INDEX poll_time ON poll (polled_at);

CREATE TABLE poll_call (
    task_ref         INTEGER       NOT NULL,
    polled_at        ${ts}         NOT NULL,
    api              VARCHAR(64)   NOT NULL,
    attempt          INTEGER       NOT NULL,
    called_at        ${ts}         NOT NULL,
    duration_ms      BIGINT        NOT NULL,
    http_status      INTEGER,
    request_id       VARCHAR(100),
    outcome          VARCHAR(20)   NOT NULL,
    error_code       VARCHAR(200),
    error_message    VARCHAR(2000),
    CONSTRAINT poll_call_key PRIMARY KEY (task_ref, polled_at, api, attempt),
    CONSTRAINT poll_call_poll FOREIGN KEY (task_ref, polled_at) REFERENCES poll (task_ref, polled_at) ON DELETE CASCADE
);

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

CREATE TABLE raw_body (
    task_ref     INTEGER       NOT NULL REFERENCES task (id),
    received_at  ${ts}         NOT NULL,
    api          VARCHAR(64)   NOT NULL,
    encoding     VARCHAR(10)   NOT NULL,
    base_at      ${ts},
    content_type VARCHAR(200),
    body         ${blob}       NOT NULL
);
CREATE INDEX raw_body_time ON raw_body (received_at);
CREATE INDEX raw_body_base ON raw_body (task_ref, base_at);
CREATE INDEX raw_body_task ON raw_body (task_ref, received_at);

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

CREATE TABLE rollup_mark (
    period_s      INTEGER       NOT NULL PRIMARY KEY,
    done_until    ${ts}         NOT NULL
);

CREATE TABLE poll_claim (
    source       VARCHAR(100)  NOT NULL,
    task_id      VARCHAR(200)  NOT NULL,
    slot         BIGINT        NOT NULL,
    node         VARCHAR(100)  NOT NULL,
    claimed_at   ${ts}         NOT NULL,
    ended_at     ${ts},
    PRIMARY KEY (source, task_id)
);

CREATE TABLE cluster_node (
    node         VARCHAR(100)  NOT NULL PRIMARY KEY,
    seen_at      ${ts}         NOT NULL,
    leads        INTEGER       NOT NULL
);

CREATE TABLE alert (
    id               ${bigid} PRIMARY KEY,
    rule             VARCHAR(100)  NOT NULL,
    source           VARCHAR(100)  NOT NULL,
    task_id          VARCHAR(200)  NOT NULL,
    condition_name   VARCHAR(20)   NOT NULL,
    state            VARCHAR(10)   NOT NULL,
    since            ${ts}         NOT NULL,
    fired_at         ${ts},
    resolved_at      ${ts},
    notified_at      ${ts},
    value_text       VARCHAR(200),
    threshold_text   VARCHAR(100),
    message          VARCHAR(2000),
    updated_at       ${ts}         NOT NULL
);
CREATE INDEX alert_open ON alert (state, rule);
CREATE INDEX alert_since ON alert (since);

CREATE TABLE alert_notification (
    id               ${bigid} PRIMARY KEY,
    alert_ref        BIGINT        NOT NULL REFERENCES alert (id),
    kind             VARCHAR(10)   NOT NULL,
    channel          VARCHAR(100)  NOT NULL,
    created_at       ${ts}         NOT NULL,
    value_text       VARCHAR(200),
    message          VARCHAR(2000),
    outcome          VARCHAR(10)   NOT NULL,
    attempts         INTEGER       NOT NULL,
    ended_at         ${ts},
    error            VARCHAR(1000)
);
CREATE INDEX alert_notification_alert ON alert_notification (alert_ref);
CREATE INDEX alert_notification_outcome ON alert_notification (outcome, id);
