-- Idempotency keys are unique per sale only where there is a key: orders
-- placed without one no longer add an entry to the key index (one B-tree
-- insert fewer per order on the hottest write path). SQLite cannot drop a
-- table constraint, so the table is rebuilt, keeping each order's rowid: the
-- order list pages by it.
CREATE TABLE flash_sale_orders_rebuilt (
    order_id        TEXT PRIMARY KEY,
    flash_sale_id   TEXT NOT NULL REFERENCES flash_sales (id),
    buyer_id        TEXT NOT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    amount_minor    INTEGER NOT NULL,
    idempotency_key TEXT,
    created_at      TEXT NOT NULL
);
INSERT INTO flash_sale_orders_rebuilt (rowid, order_id, flash_sale_id, buyer_id, quantity,
                                       amount_minor, idempotency_key, created_at)
SELECT rowid, order_id, flash_sale_id, buyer_id, quantity, amount_minor, idempotency_key, created_at
FROM flash_sale_orders ORDER BY rowid;
DROP TABLE flash_sale_orders;
ALTER TABLE flash_sale_orders_rebuilt RENAME TO flash_sale_orders;
CREATE INDEX flash_sale_orders_by_sale ON flash_sale_orders (flash_sale_id);
CREATE UNIQUE INDEX flash_sale_orders_by_key ON flash_sale_orders (flash_sale_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
