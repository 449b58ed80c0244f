-- People's way into the dashboard. A login is an email and an argon2id
-- password hash for one account (an agent or a host); a web session is a
-- server-side row keyed by the SHA-256 of its cookie, with the CSRF token its
-- forms carry, so every instance over this database knows it and a logout or
-- expiry ends it everywhere.
CREATE TABLE web_logins (
    email         TEXT PRIMARY KEY,           -- lowercased
    account_kind  TEXT NOT NULL,              -- agent | host
    account_id    TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,              -- argon2id, PHC string
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE web_sessions (
    digest        TEXT PRIMARY KEY,           -- hex SHA-256 of the cookie's token
    account_kind  TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    csrf          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
CREATE INDEX web_sessions_by_account ON web_sessions (account_id);
