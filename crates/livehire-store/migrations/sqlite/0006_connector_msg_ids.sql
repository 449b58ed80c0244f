-- The TikTok LIVE connector message ids of a batch's events, one per line
-- (NULL for batches posted in livehire's own format), so a replay of the
-- same messages after a restart is still recognised and counted once.
ALTER TABLE session_event_batches ADD COLUMN msg_ids TEXT;
