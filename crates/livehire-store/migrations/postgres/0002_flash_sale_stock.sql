-- Several server processes may take orders for one flash sale at once, so the
-- store decides each order: a sale's units sold are kept on its row (locked
-- once per batch of orders, never per order), and each buyer's units of a
-- sale with a per-buyer limit in a table of their own.
ALTER TABLE flash_sales ADD COLUMN sold BIGINT NOT NULL DEFAULT 0;
UPDATE flash_sales f SET sold = o.units
    FROM (SELECT flash_sale_id, SUM(quantity) AS units FROM flash_sale_orders GROUP BY flash_sale_id) o
    WHERE o.flash_sale_id = f.id;
ALTER TABLE flash_sales ADD CONSTRAINT flash_sales_sold_within_stock CHECK (sold BETWEEN 0 AND stock);

CREATE TABLE flash_sale_buyers (
    flash_sale_id TEXT NOT NULL REFERENCES flash_sales (id),
    buyer_id      TEXT NOT NULL,
    units         BIGINT NOT NULL CHECK (units > 0),
    PRIMARY KEY (flash_sale_id, buyer_id)
);
INSERT INTO flash_sale_buyers (flash_sale_id, buyer_id, units)
    SELECT o.flash_sale_id, o.buyer_id, SUM(o.quantity)
    FROM flash_sale_orders o JOIN flash_sales f ON f.id = o.flash_sale_id
    WHERE f.per_buyer_limit IS NOT NULL
    GROUP BY o.flash_sale_id, o.buyer_id;
