-- TikTok Shop ownership: connecting a shop is a claim until a webhook signed
-- with the claim's app secret verifies; the first claim proven owns the shop.
--
-- `tiktok_shops` now holds proven owners only (its primary key is the one
-- owner per shop), and `tiktok_shop_claims` the pending claims, any number
-- per shop, one per agent. Proving a claim moves it into `tiktok_shops` and
-- drops the shop's other claims in one transaction; a claim cannot be added
-- for a shop that has an owner (the trigger below), so an owner is never
-- displaced and no claim outlives the proof.

CREATE TABLE tiktok_shop_claims (
    shop_id      TEXT NOT NULL,
    agent_id     TEXT NOT NULL REFERENCES agents (id),
    app_key      TEXT NOT NULL,
    app_secret   TEXT NOT NULL,
    access_token TEXT,
    api_base_url TEXT,
    shop_cipher  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (shop_id, agent_id)
) WITHOUT ROWID;
CREATE INDEX tiktok_shop_claims_by_agent ON tiktok_shop_claims (agent_id, shop_id);

-- When the owner proved the shop (RFC 3339).
ALTER TABLE tiktok_shops ADD COLUMN proven_at TEXT;

-- Connections made before this change were never proven. One that has
-- received a notification that verified with its secret was proven by it.
UPDATE tiktok_shops SET proven_at = (
    SELECT min(n.received_at) FROM tiktok_shop_notifications n
    WHERE n.shop_id = tiktok_shops.shop_id
);
-- Orders are recorded only from verified notifications; should their log
-- rows be missing, the orders prove the shop.
UPDATE tiktok_shops SET proven_at = (
    SELECT min(o.recorded_at) FROM tiktok_shop_orders o
    WHERE o.shop_id = tiktok_shops.shop_id
)
WHERE proven_at IS NULL;
-- The rest become pending claims.
INSERT INTO tiktok_shop_claims (shop_id, agent_id, app_key, app_secret, access_token, api_base_url,
    shop_cipher, created_at, updated_at)
SELECT shop_id, agent_id, app_key, app_secret, access_token, api_base_url, shop_cipher,
    created_at, updated_at
FROM tiktok_shops WHERE proven_at IS NULL;
DELETE FROM tiktok_shops WHERE proven_at IS NULL;

-- No claim for a shop that has an owner (after the move above, which needs
-- the old rows in place).
CREATE TRIGGER tiktok_shop_claims_only_unowned
BEFORE INSERT ON tiktok_shop_claims
WHEN EXISTS (SELECT 1 FROM tiktok_shops WHERE shop_id = NEW.shop_id)
BEGIN
    SELECT RAISE(ABORT, 'tiktok shop has a proven owner');
END;
