-- The verified figures of each session, kept when its task is approved: what
-- a host's monitored figures (the profile's monitored_metrics) average over.
CREATE TABLE session_results (
    session_id  TEXT PRIMARY KEY REFERENCES sessions (id),
    task_id     TEXT NOT NULL REFERENCES tasks (id),
    human_id    TEXT NOT NULL REFERENCES hosts (id),
    currency    TEXT NOT NULL,
    gmv_minor   INTEGER NOT NULL CHECK (gmv_minor >= 0),
    -- {acu, peak_concurrent_viewers, avg_watch_time_seconds, conversion_rate,
    --  unique_viewers, orders}, as the metrics serve them.
    figures     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX session_results_by_host ON session_results (human_id);
