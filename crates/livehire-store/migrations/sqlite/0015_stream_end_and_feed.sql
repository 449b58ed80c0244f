-- Issue 15: a session learns when its stream ended and who feeds it.
--
-- stream_ended_at: when a TikTok LIVE connector reported the stream's end
--   (controlMessage action 3 or 4, streamEnd). Cleared when events stamped
--   after it show the host live again; a live session whose stream stays
--   ended past the server's grace ends by itself, at this time.
-- feed_last_at, feed_source, feed_format: the last batch a connector or an
--   ingest key delivered (when, who sent it: ingest_key | agent | host, and
--   its format: tiktok-live-connector | native), so a dashboard can show
--   whether a bridge is feeding the session.
ALTER TABLE sessions ADD COLUMN stream_ended_at TEXT;
ALTER TABLE sessions ADD COLUMN feed_last_at TEXT;
ALTER TABLE sessions ADD COLUMN feed_source TEXT;
ALTER TABLE sessions ADD COLUMN feed_format TEXT;

-- The auto-end ticker's question: live sessions whose stream ended.
CREATE INDEX sessions_stream_ended ON sessions (stream_ended_at)
    WHERE status = 'live' AND stream_ended_at IS NOT NULL;
