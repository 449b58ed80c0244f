-- The shop cipher that TikTok Shop's 202309 API takes as `shop_cipher` on
-- shop-scoped calls (from "Get Authorized Shops"); NULL when not given.
ALTER TABLE tiktok_shops ADD COLUMN shop_cipher TEXT;
