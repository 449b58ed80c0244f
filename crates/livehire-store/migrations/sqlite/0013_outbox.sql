-- Domain events (an outbox): every state change someone outside the request
-- must learn of is a row here, written in the same transaction as the change.
-- The id is monotonic; readers (the SSE dispatcher, GET /api/v1/events, and
-- later webhooks and other instances) follow it.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    task_id     TEXT,
    session_id  TEXT,
    agent_id    TEXT,
    human_id    TEXT,
    data        TEXT NOT NULL,
    -- Set for transitions recorded outside the change's own transaction
    -- (a flash sale selling out or running out of time): one row per key.
    dedupe_key  TEXT UNIQUE,
    created_at  TEXT NOT NULL
);
CREATE INDEX outbox_by_agent ON outbox (agent_id, id);
CREATE INDEX outbox_by_host ON outbox (human_id, id);
