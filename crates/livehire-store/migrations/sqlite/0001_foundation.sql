-- Accounts, keys, hosts, tasks, sessions, messages, idempotency.
-- Times are RFC 3339 UTC text (sortable); money is integer minor units.

CREATE TABLE agents (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    description   TEXT,
    contact_email TEXT,
    created_at    TEXT NOT NULL
);

CREATE TABLE api_keys (
    digest     TEXT PRIMARY KEY,          -- hex SHA-256 of the key
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('agent', 'host')),
    owner_id   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_keys_by_owner ON api_keys (owner_id);

CREATE TABLE hosts (
    seq                      INTEGER PRIMARY KEY AUTOINCREMENT,
    id                       TEXT NOT NULL UNIQUE,
    platform                 TEXT NOT NULL,
    followers                INTEGER NOT NULL,
    avg_live_viewers         INTEGER NOT NULL,
    avg_gmv_cents            INTEGER NOT NULL,
    conversion_rate          REAL NOT NULL,
    rating                   REAL NOT NULL,
    engagement_rate          REAL NOT NULL,
    min_rate_cents           INTEGER,
    tiktok_shop_verified     INTEGER NOT NULL,
    live_commerce_experience INTEGER NOT NULL,
    search_text              TEXT NOT NULL,
    profile                  TEXT NOT NULL,   -- the profile as stored (JSON)
    public_json              TEXT NOT NULL,   -- the profile as served, rendered at write time
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL
);
CREATE INDEX hosts_by_rating ON hosts (rating, seq);
CREATE INDEX hosts_by_avg_gmv ON hosts (avg_gmv_cents, seq);
CREATE INDEX hosts_by_conversion ON hosts (conversion_rate, seq);
CREATE INDEX hosts_by_viewers ON hosts (avg_live_viewers, seq);
CREATE INDEX hosts_by_engagement ON hosts (engagement_rate, seq);
CREATE INDEX hosts_by_followers ON hosts (followers, seq);

CREATE TABLE host_skills (
    skill    TEXT NOT NULL,
    host_seq INTEGER NOT NULL REFERENCES hosts (seq) ON DELETE CASCADE,
    PRIMARY KEY (skill, host_seq)
) WITHOUT ROWID;

CREATE TABLE host_niches (
    niche    TEXT NOT NULL,
    host_seq INTEGER NOT NULL REFERENCES hosts (seq) ON DELETE CASCADE,
    PRIMARY KEY (niche, host_seq)
) WITHOUT ROWID;

CREATE TABLE tasks (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    id                 TEXT NOT NULL UNIQUE,
    agent_id           TEXT NOT NULL REFERENCES agents (id),
    status             TEXT NOT NULL,
    title              TEXT NOT NULL,
    currency           TEXT NOT NULL,
    compensation_minor INTEGER NOT NULL,
    deadline           TEXT NOT NULL,
    body               TEXT NOT NULL,          -- everything posted, verbatim
    assigned_human_id  TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX tasks_by_agent ON tasks (agent_id, seq);
CREATE INDEX tasks_by_status ON tasks (status, seq);

CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    task_id          TEXT NOT NULL REFERENCES tasks (id),
    position         INTEGER NOT NULL,
    scheduled_time   TEXT,
    duration_minutes INTEGER NOT NULL,
    status           TEXT NOT NULL,
    week             INTEGER,
    theme            TEXT,
    UNIQUE (task_id, position)
);

-- Hosts involved in a task: invited, applied or assigned.
CREATE TABLE task_hosts (
    task_id    TEXT NOT NULL REFERENCES tasks (id),
    human_id   TEXT NOT NULL REFERENCES hosts (id),
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (task_id, human_id)
);

CREATE TABLE messages (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    task_id     TEXT NOT NULL REFERENCES tasks (id),
    thread      TEXT NOT NULL,       -- 'brief' or the host's human_id
    sender_kind TEXT NOT NULL,
    sender_id   TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX messages_by_thread ON messages (task_id, thread, seq);

CREATE TABLE idempotency_keys (
    owner_id     TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,               -- NULL while the first request runs
    body         BLOB,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (owner_id, key)
);
CREATE INDEX idempotency_by_age ON idempotency_keys (created_at);
