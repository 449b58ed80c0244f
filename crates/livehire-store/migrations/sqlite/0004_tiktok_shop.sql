-- TikTok Shop: shops connected by agents, the orders their order-status
-- webhook reported, and an audit log of every notification received.

-- One connection per TikTok shop. The app secret is kept as given: it is the
-- key that verifies the shop's webhook signatures, so it cannot be hashed.
CREATE TABLE tiktok_shops (
    shop_id      TEXT PRIMARY KEY,
    agent_id     TEXT NOT NULL REFERENCES agents (id),
    app_key      TEXT NOT NULL,
    app_secret   TEXT NOT NULL,
    access_token TEXT,
    api_base_url TEXT,                    -- NULL: the server's configured default
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX tiktok_shops_by_agent ON tiktok_shops (agent_id, shop_id);

-- One row per TikTok order seen paid or cancelled. The first record of an
-- order wins, so a repeated or concurrent paid notification counts once and a
-- paid notification that arrives after the cancellation is not counted.
CREATE TABLE tiktok_shop_orders (
    shop_id          TEXT NOT NULL REFERENCES tiktok_shops (shop_id),
    order_id         TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('attributed', 'unattributed', 'cancelled')),
    session_id       TEXT REFERENCES sessions (id),   -- set when attributed
    currency         TEXT,
    total_minor      INTEGER,                         -- payment.total_amount
    lines            TEXT NOT NULL,                   -- JSON [{product_id, quantity, amount_minor}]
    order_created_at TEXT,                            -- the order's create_time
    recorded_at      TEXT NOT NULL,
    cancelled_at     TEXT,
    PRIMARY KEY (shop_id, order_id)
) WITHOUT ROWID;

-- Every authenticated notification and what became of it.
CREATE TABLE tiktok_shop_notifications (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id TEXT NOT NULL,
    shop_id         TEXT NOT NULL,
    order_id        TEXT,
    order_status    TEXT,
    outcome         TEXT NOT NULL,
    session_id      TEXT,
    received_at     TEXT NOT NULL
);
CREATE INDEX tiktok_shop_notifications_by_id ON tiktok_shop_notifications (shop_id, notification_id);
