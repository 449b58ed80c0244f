-- Offers, submissions, payouts, ratings, run-of-show and the double-entry ledger.

CREATE TABLE offers (
    id                          TEXT PRIMARY KEY,
    task_id                     TEXT NOT NULL REFERENCES tasks (id),
    human_id                    TEXT NOT NULL REFERENCES hosts (id),
    kind                        TEXT NOT NULL CHECK (kind IN ('invitation', 'application')),
    status                      TEXT NOT NULL,
    pitch                       TEXT,
    proposed_compensation_minor INTEGER,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL,
    UNIQUE (task_id, human_id, kind)
);
CREATE INDEX offers_by_task ON offers (task_id, kind, created_at);

CREATE TABLE submissions (
    task_id    TEXT NOT NULL REFERENCES tasks (id),
    version    INTEGER NOT NULL,
    human_id   TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (task_id, version)
);

CREATE TABLE revision_requests (
    task_id    TEXT NOT NULL REFERENCES tasks (id),
    version    INTEGER NOT NULL,      -- the submission version it answers
    reason     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (task_id, version)
);

CREATE TABLE payouts (
    task_id     TEXT PRIMARY KEY REFERENCES tasks (id),
    human_id    TEXT NOT NULL,
    currency    TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    body        TEXT NOT NULL,        -- the breakdown as served
    created_at  TEXT NOT NULL
);

CREATE TABLE ratings (
    task_id        TEXT PRIMARY KEY REFERENCES tasks (id),
    human_id       TEXT NOT NULL,
    agent_id       TEXT NOT NULL,
    overall_rating INTEGER NOT NULL CHECK (overall_rating BETWEEN 1 AND 5),
    review_text    TEXT,
    tip_minor      INTEGER NOT NULL DEFAULT 0,
    currency       TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX ratings_by_host ON ratings (human_id, created_at);

CREATE TABLE run_of_show (
    task_id    TEXT PRIMARY KEY REFERENCES tasks (id),
    body       TEXT NOT NULL,
    source     TEXT NOT NULL,         -- 'proposed' or 'edited'
    updated_at TEXT NOT NULL
);

ALTER TABLE tasks ADD COLUMN escrow_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hosts ADD COLUMN ratings_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hosts ADD COLUMN ratings_sum INTEGER NOT NULL DEFAULT 0;

CREATE TABLE ledger_entries (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    task_id    TEXT,
    agent_id   TEXT,                  -- the agent whose money moved
    human_id   TEXT,                  -- the host paid, if any
    currency   TEXT NOT NULL,
    reference  TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX ledger_by_agent ON ledger_entries (agent_id, seq);
CREATE INDEX ledger_by_host ON ledger_entries (human_id, seq);

CREATE TABLE ledger_postings (
    entry_seq    INTEGER NOT NULL REFERENCES ledger_entries (seq),
    account      TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (entry_seq, account)
);

-- Running balance per account and currency; always equal to the sum of its postings.
CREATE TABLE account_balances (
    account       TEXT NOT NULL,
    currency      TEXT NOT NULL,
    balance_minor INTEGER NOT NULL,
    PRIMARY KEY (account, currency)
);
