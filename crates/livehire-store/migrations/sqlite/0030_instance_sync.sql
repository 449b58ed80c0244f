-- Several servers over one database (issue #14): what each must learn of the
-- others' writes within a second. (Numbered 0030, not 0026, to leave room for
-- migrations written at the same time.)

-- Host changes, for each server's in-memory search index: every insert or
-- update of a host row gives it the next change number. SQLite runs one write
-- transaction at a time, so change numbers commit in order and a server reads
-- the hosts changed past the highest number it has seen. A side table rather
-- than a column: a trigger updating the host row would write its ~2 KB again.
-- (An upsert, not INSERT OR REPLACE: a trigger's OR REPLACE gives way to the
-- conflict policy of the statement that fired it.)
CREATE TABLE host_changes (
    host_seq INTEGER PRIMARY KEY REFERENCES hosts (seq) ON DELETE CASCADE,
    change   INTEGER NOT NULL
);
CREATE UNIQUE INDEX host_changes_by_change ON host_changes (change);

CREATE TRIGGER hosts_change_on_insert AFTER INSERT ON hosts
BEGIN
    INSERT INTO host_changes (host_seq, change)
    VALUES (NEW.seq, (SELECT COALESCE(MAX(change), 0) + 1 FROM host_changes))
    ON CONFLICT (host_seq) DO UPDATE SET change = excluded.change;
END;

CREATE TRIGGER hosts_change_on_update AFTER UPDATE ON hosts
BEGIN
    INSERT INTO host_changes (host_seq, change)
    VALUES (NEW.seq, (SELECT COALESCE(MAX(change), 0) + 1 FROM host_changes))
    ON CONFLICT (host_seq) DO UPDATE SET change = excluded.change;
END;

-- Rate limits shared by servers (used when a server is told to share them;
-- by default only on PostgreSQL): see the PostgreSQL migration 0003.
CREATE TABLE rate_usage (
    instance TEXT NOT NULL,
    round    INTEGER NOT NULL,
    class    INTEGER NOT NULL,
    key      INTEGER NOT NULL,
    count    INTEGER NOT NULL,
    at_ms    INTEGER NOT NULL,
    PRIMARY KEY (instance, round, class, key)
) WITHOUT ROWID;
CREATE INDEX rate_usage_by_time ON rate_usage (at_ms);
