-- Several migwatch nodes on one database (migwatch.cluster.*, README "Running several nodes").
-- Portable SQL for H2 2.x and PostgreSQL 15 (${ts} is a Flyway placeholder, see HistoryDatabase).

-- Which node made the poll: its migwatch.cluster.node-id; NULL for a single node without one, and for polls
-- stored before this version.
ALTER TABLE poll ADD COLUMN node VARCHAR(100);

-- One row per task: the poll slot (the time of the poll divided by the source's interval) some node has claimed,
-- by which node, and whether that cycle has ended. A node polls a task only after claiming a later slot with one
-- conditional UPDATE (PollClaims), which succeeds for one node only when two of them both believe they lead the
-- source: the same poll is never made twice, nor two cycles of one task run at once. A claim whose cycle never
-- ended (its node died) is taken over once it is older than the longest cycle its source can make.
CREATE TABLE poll_claim (
    source       VARCHAR(100)  NOT NULL,
    task_id      VARCHAR(200)  NOT NULL,
    slot         BIGINT        NOT NULL,
    node         VARCHAR(100)  NOT NULL,
    claimed_at   ${ts}         NOT NULL,
    ended_at     ${ts},
    PRIMARY KEY (source, task_id)
);

-- The nodes seen lately (a heartbeat per node): how many share the sources, so that no node leads more than its
-- share of them (ClusterNodes), and who leads how many.
CREATE TABLE cluster_node (
    node         VARCHAR(100)  NOT NULL PRIMARY KEY,
    seen_at      ${ts}         NOT NULL,
    leads        INTEGER       NOT NULL
);
