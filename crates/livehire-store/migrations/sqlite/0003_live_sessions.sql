-- Live sessions: state times, durable event batches, flash sales and their orders,
-- checkout keys scoped to one session.

ALTER TABLE sessions ADD COLUMN started_at TEXT;
ALTER TABLE sessions ADD COLUMN ended_at TEXT;

-- Accepted events, one row per ingested batch, in canonical NDJSON.
CREATE TABLE session_event_batches (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  TEXT NOT NULL REFERENCES sessions (id),
    event_count INTEGER NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX event_batches_by_session ON session_event_batches (session_id, seq);

CREATE TABLE flash_sales (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES sessions (id),
    task_id         TEXT NOT NULL REFERENCES tasks (id),
    product_id      TEXT NOT NULL,
    currency        TEXT NOT NULL,
    price_minor     INTEGER NOT NULL CHECK (price_minor >= 0),
    stock           INTEGER NOT NULL CHECK (stock > 0),
    per_buyer_limit INTEGER,
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    overlay_token   TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX flash_sales_by_session ON flash_sales (session_id, created_at);

CREATE TABLE flash_sale_orders (
    order_id        TEXT PRIMARY KEY,
    flash_sale_id   TEXT NOT NULL REFERENCES flash_sales (id),
    buyer_id        TEXT NOT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    amount_minor    INTEGER NOT NULL,
    idempotency_key TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (flash_sale_id, idempotency_key)
);
CREATE INDEX flash_sale_orders_by_sale ON flash_sale_orders (flash_sale_id);

CREATE TABLE checkout_keys (
    digest     TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    agent_id   TEXT NOT NULL REFERENCES agents (id),
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
