-- Alert rules (migwatch.alerts.*, README "Alerts"): the alerts and their notifications.
-- Portable SQL for H2 2.x and PostgreSQL 15 (${ts} and ${bigid} are Flyway placeholders, see HistoryDatabase).

-- One row per alert: a rule's condition holding on one task, from when it began to hold until it no longer did. At
-- most one alert of a rule and task is open (PENDING or FIRING) at a time; a later occurrence is a new row. The
-- evaluation (one node of a cluster) starts from these rows, so a restart neither notifies a firing alert again nor
-- forgets one.
--   condition_name  delay-above, failed, stalled, polls-failing, eta-after, finished (the rule's, when it was opened)
--   state           PENDING (holds, not yet for the rule's "for"), FIRING, RESOLVED
--   since           since when the condition holds; fired_at, resolved_at: when it fired (null: never) and ended
--   notified_at     the newest FIRING notification (the rule's "repeat" counts from it)
--   value_text, threshold_text, message   as of the newest evaluation that changed them
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

-- One row per notification of an alert to one channel: FIRING, REPEAT (still firing after the rule's "repeat") or
-- RESOLVED, and how its delivery went: QUEUED (made, not yet taken: sent again after a restart), DELIVERED, or FAILED
-- once the channel's retries were spent (error: why, with the channel's secrets masked).
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
