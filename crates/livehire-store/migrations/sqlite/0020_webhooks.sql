-- Webhooks: endpoints an agent or a host registered, and one delivery row per
-- (endpoint, event) the endpoint gets. The fan-out cursor (`after_event`) and
-- every attempt are rows, so deliveries survive a restart; a worker claims an
-- attempt (`lease_until`) before it sends, so two workers never send the same
-- delivery at once.
CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY,
    owner_kind      TEXT NOT NULL,              -- agent | host
    owner_id        TEXT NOT NULL,
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,              -- JSON array of event types, ["*"] for all
    secret          TEXT NOT NULL,              -- whsec_<base64>, needed to sign
    after_event     INTEGER NOT NULL,           -- outbox id fanned out up to
    failing_since   TEXT,                       -- first failed attempt since the last success
    disabled_at     TEXT,
    disabled_reason TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_by_owner ON webhook_endpoints (owner_id, id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,           -- the `webhook-id` header: the same on every attempt
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL,
    event_type      TEXT NOT NULL,
    status          TEXT NOT NULL,              -- pending | delivered | failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    round_start     INTEGER NOT NULL DEFAULT 0, -- attempts before the last redelivery by hand
    next_attempt_at TEXT,
    lease_until     TEXT,
    last_attempt_at TEXT,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, status, event_id);

CREATE TABLE webhook_attempts (
    delivery_id      TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    n                INTEGER NOT NULL,
    at               TEXT NOT NULL,
    status           INTEGER,
    error            TEXT,
    response_excerpt TEXT,
    duration_ms      INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, n)
);
