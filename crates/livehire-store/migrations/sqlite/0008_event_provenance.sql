-- Provenance (docs/trust.md): every stored event batch records who sent it,
-- so figures the host posted itself stay apart from verified ones.
--   source: host | agent | ingest_key | tiktok_shop | import
-- Batches stored before this migration carry no sender; they are counted as
-- the host's own (the cautious reading: nothing unproven reaches a payout).
ALTER TABLE session_event_batches ADD COLUMN source TEXT NOT NULL DEFAULT 'host';
ALTER TABLE session_event_batches ADD COLUMN source_id TEXT;

-- Session-scoped keys come in two kinds: checkout keys place flash-sale
-- orders, ingest keys post a session's events for the agent's connector bridge.
ALTER TABLE checkout_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'checkout';

-- A flash sale cannot outlive its session: sales of sessions that already
-- ended stop at the session's end.
UPDATE flash_sales
SET ends_at = (SELECT s.ended_at FROM sessions s WHERE s.id = flash_sales.session_id)
WHERE EXISTS (
    SELECT 1 FROM sessions s
    WHERE s.id = flash_sales.session_id AND s.ended_at IS NOT NULL AND s.ended_at < flash_sales.ends_at
);
