-- An agent's overview reads its task counts by status at every dashboard
-- visit: kept here by triggers, so the read is one row per status however
-- many tasks the agent has posted.
CREATE TABLE agent_task_counts (
    agent_id TEXT    NOT NULL,
    status   TEXT    NOT NULL,
    n        INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (agent_id, status)
) WITHOUT ROWID;

INSERT INTO agent_task_counts (agent_id, status, n)
SELECT agent_id, status, COUNT(*) FROM tasks GROUP BY agent_id, status;

CREATE TRIGGER agent_task_counts_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO agent_task_counts (agent_id, status, n) VALUES (NEW.agent_id, NEW.status, 1)
    ON CONFLICT (agent_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER agent_task_counts_update AFTER UPDATE OF status, agent_id ON tasks
WHEN OLD.status IS NOT NEW.status OR OLD.agent_id IS NOT NEW.agent_id
BEGIN
    UPDATE agent_task_counts SET n = n - 1 WHERE agent_id = OLD.agent_id AND status = OLD.status;
    INSERT INTO agent_task_counts (agent_id, status, n) VALUES (NEW.agent_id, NEW.status, 1)
    ON CONFLICT (agent_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER agent_task_counts_delete AFTER DELETE ON tasks
BEGIN
    UPDATE agent_task_counts SET n = n - 1 WHERE agent_id = OLD.agent_id AND status = OLD.status;
END;

-- Pending applications and live sessions are few beside the tasks: found
-- through partial indexes on just those rows.
CREATE INDEX offers_pending_applications ON offers (task_id)
    WHERE kind = 'application' AND status = 'pending';
CREATE INDEX sessions_live ON sessions (task_id) WHERE status = 'live';
