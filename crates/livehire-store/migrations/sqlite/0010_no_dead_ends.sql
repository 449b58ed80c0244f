-- No dead ends: the base agreed when a host was assigned, and a host's own
-- invitations listed by host.

-- The base payment agreed at assignment, minor units: the task's own base, or
-- the host's proposed_compensation when the agent accepted it. NULL until a
-- host is assigned.
ALTER TABLE tasks ADD COLUMN agreed_base_minor INTEGER;

-- A task assigned before this column existed and not yet settled holds exactly
-- its base in escrow.
UPDATE tasks SET agreed_base_minor = escrow_minor
WHERE assigned_human_id IS NOT NULL AND escrow_minor > 0;

-- GET /api/v1/me/invitations: a host's offers of one kind, newest id first.
CREATE INDEX offers_by_host ON offers (human_id, kind, id);
