-- A host's earnings (and its home page) find the tasks it is assigned to:
-- without an index that was a scan of every task on the server, twice.
CREATE INDEX tasks_by_assigned_host ON tasks (assigned_human_id)
    WHERE assigned_human_id IS NOT NULL;
