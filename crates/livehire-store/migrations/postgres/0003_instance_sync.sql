-- Several servers over one database (issue #14): what each must learn of the
-- others' writes within a second.

-- Host changes, for each server's in-memory search index. Every insert or
-- update of a host row stamps it with the writing transaction's id; a server
-- reads the rows stamped at or after the oldest transaction that was still
-- running when it last looked (`pg_snapshot_xmin`), so a transaction that
-- commits late is never skipped (a row may be read twice, which is harmless:
-- applying a row is an upsert by host id).
ALTER TABLE hosts ADD COLUMN change_xid BIGINT NOT NULL DEFAULT 0;
CREATE INDEX hosts_by_change ON hosts (change_xid, seq);

CREATE FUNCTION hosts_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END;
$$;

CREATE TRIGGER hosts_stamp_change BEFORE INSERT OR UPDATE ON hosts
    FOR EACH ROW EXECUTE FUNCTION hosts_stamp_change();

-- Rate limits shared by the servers: each publishes the requests it admitted
-- per (class, key) every round (a quarter second) and charges the others'
-- to its own buckets. Keys are truncated SHA-256 digests. Rows live seconds,
-- so the table is unlogged: losing it in a crash forgets a few seconds of
-- counts.
CREATE UNLOGGED TABLE rate_usage (
    instance TEXT NOT NULL,
    round    BIGINT NOT NULL,
    class    SMALLINT NOT NULL,
    key      BIGINT NOT NULL,
    count    BIGINT NOT NULL,
    at_ms    BIGINT NOT NULL,
    PRIMARY KEY (instance, round, class, key)
);
CREATE INDEX rate_usage_by_time ON rate_usage (at_ms);
