//! Flash-sale orders: the one write path that runs at tens of thousands of
//! rows a second.
//!
//! Orders are group-committed: the server hands over every order that queued
//! while the previous batch was committing, and the batch goes in as one
//! `INSERT … SELECT FROM UNNEST(…)` in the batch's order (the order pages
//! follow it) and one commit, durable before the orders are handed back. One
//! statement whatever the batch's length, so it is parsed and planned once
//! per connection. A batch is kept whole or not
//! at all.

use sqlx::PgPool;

use crate::{FlashOrderRecord, StoreResult};

const INSERT: &str = "INSERT INTO flash_sale_orders (order_id, flash_sale_id, buyer_id, quantity, \
     amount_minor, idempotency_key, created_at) \
     SELECT o, s, b, q, a, k, c FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], \
     $5::bigint[], $6::text[], $7::text[]) WITH ORDINALITY AS u(o, s, b, q, a, k, c, i) ORDER BY i";

/// Commits the orders in one transaction; hands them back once durable.
pub(super) async fn insert(
    pool: &PgPool,
    orders: Vec<FlashOrderRecord>,
) -> StoreResult<Vec<FlashOrderRecord>> {
    if orders.is_empty() {
        return Ok(orders);
    }
    let n = orders.len();
    let mut ids = Vec::with_capacity(n);
    let mut sales = Vec::with_capacity(n);
    let mut buyers = Vec::with_capacity(n);
    let mut quantities = Vec::with_capacity(n);
    let mut amounts = Vec::with_capacity(n);
    let mut keys = Vec::with_capacity(n);
    let mut times = Vec::with_capacity(n);
    for o in &orders {
        ids.push(o.order_id.as_str());
        sales.push(o.flash_sale_id.as_str());
        buyers.push(o.buyer_id.as_str());
        quantities.push(o.quantity);
        amounts.push(o.amount_minor);
        keys.push(o.idempotency_key.as_deref());
        times.push(o.created_at.as_str());
    }
    let mut tx = pool.begin().await?;
    sqlx::query(INSERT)
        .bind(&ids)
        .bind(&sales)
        .bind(&buyers)
        .bind(&quantities)
        .bind(&amounts)
        .bind(&keys)
        .bind(&times)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(orders)
}
