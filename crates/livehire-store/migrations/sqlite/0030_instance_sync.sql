-- Several servers over one database (issue #14): what each must learn of the
-- others' writes within a second. (Numbered 0030, not 0026, to leave room for
-- migrations written at the same time.)

-- Host changes, for each server's in-memory search index: every insert or
-- update of a host row appends its seq to host_changes, numbered by rowid.
-- SQLite runs one write transaction at a time, so the numbers commit in
-- order and a server reads the hosts changed past the highest number it has
-- seen. An append to a narrow table is the cheapest record a trigger can
-- make (updating the host row would write its ~2 KB again; an upsert keyed
-- by host would touch two indexes). The store's host writes drop all but the
-- newest million numbers; a server whose mark fell below them reloads.
CREATE TABLE host_changes (
    change   INTEGER PRIMARY KEY,
    host_seq INTEGER NOT NULL
);

CREATE TRIGGER hosts_change_on_insert AFTER INSERT ON hosts
BEGIN
    INSERT INTO host_changes (host_seq) VALUES (NEW.seq);
END;

CREATE TRIGGER hosts_change_on_update AFTER UPDATE ON hosts
BEGIN
    INSERT INTO host_changes (host_seq) VALUES (NEW.seq);
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
