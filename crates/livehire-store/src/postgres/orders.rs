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

use std::collections::HashMap;

use sqlx::{PgConnection, PgPool};

use crate::{FlashOrderRecord, OrderDecision, StoreError, StoreResult};

const INSERT: &str = "INSERT INTO flash_sale_orders (order_id, flash_sale_id, buyer_id, quantity, \
     amount_minor, idempotency_key, created_at) \
     SELECT o, s, b, q, a, k, c FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], \
     $5::bigint[], $6::text[], $7::text[]) WITH ORDINALITY AS u(o, s, b, q, a, k, c, i) ORDER BY i";

/// Commits the orders in one transaction; hands them back once durable.
/// Stores them as given: no stock, limit or end is checked and the sale's
/// units sold are left alone (the server decides orders with [`decide`]).
pub(super) async fn insert(
    pool: &PgPool,
    orders: Vec<FlashOrderRecord>,
) -> StoreResult<Vec<FlashOrderRecord>> {
    if orders.is_empty() {
        return Ok(orders);
    }
    let mut tx = pool.begin().await?;
    insert_rows(&mut tx, orders.iter()).await?;
    tx.commit().await?;
    Ok(orders)
}

/// Inserts orders in the given order with one statement.
async fn insert_rows<'a>(
    conn: &mut PgConnection,
    orders: impl ExactSizeIterator<Item = &'a FlashOrderRecord>,
) -> StoreResult<()> {
    let n = orders.len();
    let mut ids = Vec::with_capacity(n);
    let mut sales = Vec::with_capacity(n);
    let mut buyers = Vec::with_capacity(n);
    let mut quantities = Vec::with_capacity(n);
    let mut amounts = Vec::with_capacity(n);
    let mut keys = Vec::with_capacity(n);
    let mut times = Vec::with_capacity(n);
    for o in orders {
        ids.push(o.order_id.as_str());
        sales.push(o.flash_sale_id.as_str());
        buyers.push(o.buyer_id.as_str());
        quantities.push(o.quantity);
        amounts.push(o.amount_minor);
        keys.push(o.idempotency_key.as_deref());
        times.push(o.created_at.as_str());
    }
    sqlx::query(INSERT)
        .bind(&ids)
        .bind(&sales)
        .bind(&buyers)
        .bind(&quantities)
        .bind(&amounts)
        .bind(&keys)
        .bind(&times)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A sale as an order batch finds it, its row locked.
struct SaleRow {
    session_id: String,
    stock: i64,
    sold: i64,
    per_buyer_limit: Option<i64>,
    ends_ms: i64,
}

/// Decides the orders in turn against their sales as stored and stores the
/// accepted ones, in one transaction (see [`crate::Store::decide_flash_orders`]).
///
/// The batch's sales are locked (`FOR UPDATE`, in id order) for the
/// transaction: every other instance's batch for those sales waits, so the
/// units sold, the buyers' units and the idempotency keys read here are
/// the last word. One lock per sale per batch, not per order: the sale row is
/// updated once, with the batch's units.
pub(super) async fn decide(
    pool: &PgPool,
    orders: &[FlashOrderRecord],
) -> StoreResult<Vec<OrderDecision>> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin().await?;
    let mut sale_ids: Vec<&str> = orders.iter().map(|o| o.flash_sale_id.as_str()).collect();
    sale_ids.sort_unstable();
    sale_ids.dedup();
    let rows: Vec<(String, i64, i64, Option<i64>, String, String)> = sqlx::query_as(
        "SELECT id, stock, sold, per_buyer_limit, ends_at, session_id FROM flash_sales \
         WHERE id = ANY($1) ORDER BY id FOR UPDATE",
    )
    .bind(&sale_ids)
    .fetch_all(&mut *tx)
    .await?;
    let mut sales: HashMap<String, SaleRow> = rows
        .into_iter()
        .map(|(id, stock, sold, per_buyer_limit, ends_at, session_id)| {
            let row = SaleRow {
                stock,
                sold,
                per_buyer_limit,
                ends_ms: millis(&ends_at).unwrap_or(i64::MIN),
                session_id,
            };
            (id, row)
        })
        .collect();

    // Orders stored before under the same keys (by any instance).
    let keyed: Vec<(&str, &str)> = orders
        .iter()
        .filter_map(|o| Some((o.flash_sale_id.as_str(), o.idempotency_key.as_deref()?)))
        .collect();
    let mut by_key: HashMap<(String, String), FlashOrderRecord> = HashMap::new();
    if !keyed.is_empty() {
        let (s, k): (Vec<&str>, Vec<&str>) = keyed.into_iter().unzip();
        let stored = sqlx::query(
            "SELECT o.* FROM flash_sale_orders o \
             JOIN UNNEST($1::text[], $2::text[]) AS u(s, k) \
             ON o.flash_sale_id = u.s AND o.idempotency_key = u.k",
        )
        .bind(&s)
        .bind(&k)
        .fetch_all(&mut *tx)
        .await?;
        for row in &stored {
            let order = super::live::order_from_row(row)?;
            let key = order.idempotency_key.clone().unwrap_or_default();
            by_key.insert((order.flash_sale_id.clone(), key), order);
        }
    }

    // Units the batch's buyers already have of sales with a per-buyer limit.
    let limited: Vec<(&str, &str)> = orders
        .iter()
        .filter(|o| {
            sales
                .get(&o.flash_sale_id)
                .is_some_and(|s| s.per_buyer_limit.is_some())
        })
        .map(|o| (o.flash_sale_id.as_str(), o.buyer_id.as_str()))
        .collect();
    let mut bought: HashMap<(String, String), i64> = HashMap::new();
    if !limited.is_empty() {
        let (s, b): (Vec<&str>, Vec<&str>) = limited.into_iter().unzip();
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT DISTINCT f.flash_sale_id, f.buyer_id, f.units FROM flash_sale_buyers f \
             JOIN UNNEST($1::text[], $2::text[]) AS u(s, b) \
             ON f.flash_sale_id = u.s AND f.buyer_id = u.b",
        )
        .bind(&s)
        .bind(&b)
        .fetch_all(&mut *tx)
        .await?;
        for (sale, buyer, units) in rows {
            bought.insert((sale, buyer), units);
        }
    }

    let mut decisions = Vec::with_capacity(orders.len());
    let mut accepted: Vec<&FlashOrderRecord> = Vec::new();
    let mut new_units: HashMap<&str, i64> = HashMap::new();
    let mut buyer_units: HashMap<(&str, &str), i64> = HashMap::new();
    for o in orders {
        let Some(sale) = sales.get_mut(&o.flash_sale_id) else {
            return Err(StoreError::NotFound);
        };
        if let Some(key) = &o.idempotency_key {
            let slot = (o.flash_sale_id.clone(), key.clone());
            if let Some(before) = by_key.get(&slot) {
                decisions.push(
                    if before.buyer_id == o.buyer_id && before.quantity == o.quantity {
                        OrderDecision::Replayed {
                            order: before.clone(),
                            remaining: sale.stock - sale.sold,
                        }
                    } else {
                        OrderDecision::KeyReused
                    },
                );
                continue;
            }
            // A later order of this batch with the same key is a replay of this one.
            by_key.insert(slot, o.clone());
        }
        if millis(&o.created_at).is_none_or(|placed| placed >= sale.ends_ms) {
            decisions.push(OrderDecision::Ended);
            forget_key(&mut by_key, o);
            continue;
        }
        let remaining = sale.stock - sale.sold;
        if o.quantity > remaining {
            decisions.push(OrderDecision::SoldOut { remaining });
            forget_key(&mut by_key, o);
            continue;
        }
        if let Some(limit) = sale.per_buyer_limit {
            let slot = (o.flash_sale_id.clone(), o.buyer_id.clone());
            let had = bought.get(&slot).copied().unwrap_or(0);
            if had + o.quantity > limit {
                decisions.push(OrderDecision::LimitExceeded { limit, bought: had });
                forget_key(&mut by_key, o);
                continue;
            }
            bought.insert(slot, had + o.quantity);
            *buyer_units
                .entry((o.flash_sale_id.as_str(), o.buyer_id.as_str()))
                .or_default() += o.quantity;
        }
        sale.sold += o.quantity;
        *new_units.entry(o.flash_sale_id.as_str()).or_default() += o.quantity;
        accepted.push(o);
        decisions.push(OrderDecision::Accepted {
            order: o.clone(),
            remaining: sale.stock - sale.sold,
        });
    }

    if !accepted.is_empty() {
        insert_rows(&mut tx, accepted.iter().copied()).await?;
        let (ids, units): (Vec<&str>, Vec<i64>) = new_units.into_iter().unzip();
        sqlx::query(
            "UPDATE flash_sales f SET sold = f.sold + u.n \
             FROM UNNEST($1::text[], $2::bigint[]) AS u(id, n) WHERE f.id = u.id",
        )
        .bind(&ids)
        .bind(&units)
        .execute(&mut *tx)
        .await?;
        let mut sessions: Vec<&str> = ids
            .iter()
            .filter_map(|id| sales.get(*id).map(|s| s.session_id.as_str()))
            .collect();
        sessions.sort_unstable();
        sessions.dedup();
        for session in sessions {
            super::live::notify_session(&mut tx, session).await?;
        }
        if !buyer_units.is_empty() {
            let mut sales_of = Vec::with_capacity(buyer_units.len());
            let mut buyers = Vec::with_capacity(buyer_units.len());
            let mut units = Vec::with_capacity(buyer_units.len());
            for ((s, b), n) in buyer_units {
                sales_of.push(s);
                buyers.push(b);
                units.push(n);
            }
            sqlx::query(
                "INSERT INTO flash_sale_buyers (flash_sale_id, buyer_id, units) \
                 SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[]) \
                 ON CONFLICT (flash_sale_id, buyer_id) \
                 DO UPDATE SET units = flash_sale_buyers.units + EXCLUDED.units",
            )
            .bind(&sales_of)
            .bind(&buyers)
            .bind(&units)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(decisions)
}

/// Takes back the key an order refused in this batch claimed, so a later
/// order of the batch with that key is decided afresh rather than replayed.
fn forget_key(by_key: &mut HashMap<(String, String), FlashOrderRecord>, o: &FlashOrderRecord) {
    if let Some(key) = &o.idempotency_key {
        by_key.remove(&(o.flash_sale_id.clone(), key.clone()));
    }
}

/// An RFC 3339 time as epoch ms.
fn millis(t: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.timestamp_millis())
}
