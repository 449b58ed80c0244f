//! PostgreSQL queries for TikTok Shop: connected shops (proven owners in
//! `tiktok_shops`, pending claims in `tiktok_shop_claims`), the orders their
//! webhook reported (with the session events they became), the notification
//! log.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::common::{Lock, lock};
use super::live::insert_batch;
use crate::*;

fn shop_from_row(r: &PgRow) -> StoreResult<TiktokShopRecord> {
    Ok(TiktokShopRecord {
        shop_id: r.try_get("shop_id")?,
        agent_id: r.try_get("agent_id")?,
        app_key: r.try_get("app_key")?,
        app_secret: r.try_get("app_secret")?,
        access_token: r.try_get("access_token")?,
        api_base_url: r.try_get("api_base_url")?,
        shop_cipher: r.try_get("shop_cipher")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        proven_at: r.try_get("proven_at")?,
    })
}

/// The message of the trigger that refuses a claim on an owned shop.
const OWNED: &str = "tiktok shop has a proven owner";

/// A connection's columns, in both tables (a claim has no `proven_at`).
macro_rules! shop_columns {
    () => {
        "shop_id, agent_id, app_key, app_secret, access_token, api_base_url, shop_cipher, \
         created_at, updated_at"
    };
}

fn order_from_row(r: &PgRow) -> StoreResult<TiktokShopOrderRecord> {
    let lines: String = r.try_get("lines")?;
    Ok(TiktokShopOrderRecord {
        shop_id: r.try_get("shop_id")?,
        order_id: r.try_get("order_id")?,
        status: r.try_get("status")?,
        session_id: r.try_get("session_id")?,
        currency: r.try_get("currency")?,
        total_minor: r.try_get("total_minor")?,
        lines: serde_json::from_str(&lines)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("stored order lines: {e}")))?,
        order_created_at: r.try_get("order_created_at")?,
        recorded_at: r.try_get("recorded_at")?,
        cancelled_at: r.try_get("cancelled_at")?,
    })
}

pub(super) async fn connect_shop(
    db: &PgPool,
    s: &TiktokShopRecord,
) -> StoreResult<TiktokShopRecord> {
    let mut tx = db.begin().await?;
    // One claim or proof of a shop at a time: a claim added beside a proof
    // still to commit would outlive it.
    lock(&mut tx, Lock::Shop, &s.shop_id).await?;
    // The agent's own proven shop: new credentials, still proven.
    let owned = sqlx::query(
        "UPDATE tiktok_shops SET app_key = $3, app_secret = $4, access_token = $5, \
         api_base_url = $6, shop_cipher = $7, updated_at = $8 \
         WHERE shop_id = $1 AND agent_id = $2 RETURNING *",
    )
    .bind(&s.shop_id)
    .bind(&s.agent_id)
    .bind(&s.app_key)
    .bind(&s.app_secret)
    .bind(&s.access_token)
    .bind(&s.api_base_url)
    .bind(&s.shop_cipher)
    .bind(&s.updated_at)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(row) = owned {
        let rec = shop_from_row(&row)?;
        tx.commit().await?;
        return Ok(rec);
    }
    let owner: Option<String> =
        sqlx::query_scalar("SELECT agent_id FROM tiktok_shops WHERE shop_id = $1")
            .bind(&s.shop_id)
            .fetch_optional(&mut *tx)
            .await?;
    if owner.is_some() {
        return Err(StoreError::Conflict(format!(
            "shop {} is connected and proven by another agent",
            s.shop_id
        )));
    }
    // A pending claim; the trigger on the table refuses it should the shop
    // have an owner by now.
    let row = sqlx::query(concat!(
        "INSERT INTO tiktok_shop_claims (",
        shop_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (shop_id, agent_id) DO UPDATE SET app_key = excluded.app_key, \
         app_secret = excluded.app_secret, access_token = excluded.access_token, \
         api_base_url = excluded.api_base_url, shop_cipher = excluded.shop_cipher, \
         updated_at = excluded.updated_at \
         RETURNING ",
        shop_columns!(),
        ", NULL AS proven_at"
    ))
    .bind(&s.shop_id)
    .bind(&s.agent_id)
    .bind(&s.app_key)
    .bind(&s.app_secret)
    .bind(&s.access_token)
    .bind(&s.api_base_url)
    .bind(&s.shop_cipher)
    .bind(&s.created_at)
    .bind(&s.updated_at)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.message().contains(OWNED) => StoreError::Conflict(format!(
            "shop {} is connected and proven by another agent",
            s.shop_id
        )),
        other => other.into(),
    })?;
    let rec = shop_from_row(&row)?;
    tx.commit().await?;
    Ok(rec)
}

pub(super) async fn shop(db: &PgPool, shop_id: &str) -> StoreResult<Option<TiktokShopRecord>> {
    sqlx::query("SELECT * FROM tiktok_shops WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(shop_from_row)
        .transpose()
}

pub(super) async fn claims(db: &PgPool, shop_id: &str) -> StoreResult<Vec<TiktokShopRecord>> {
    sqlx::query(concat!(
        "SELECT ",
        shop_columns!(),
        ", NULL AS proven_at FROM tiktok_shop_claims WHERE shop_id = $1 \
         ORDER BY created_at, agent_id"
    ))
    .bind(shop_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(shop_from_row)
    .collect()
}

pub(super) async fn prove_claim(
    db: &PgPool,
    shop_id: &str,
    agent_id: &str,
    now: &str,
) -> StoreResult<TiktokShopProof> {
    let mut tx = db.begin().await?;
    lock(&mut tx, Lock::Shop, shop_id).await?;
    // The primary key of `tiktok_shops` admits one owner: a second proof
    // inserts nothing.
    let moved = sqlx::query(concat!(
        "INSERT INTO tiktok_shops (",
        shop_columns!(),
        ", proven_at) \
         SELECT ",
        shop_columns!(),
        ", $3 FROM tiktok_shop_claims WHERE shop_id = $1 AND agent_id = $2 \
         ON CONFLICT (shop_id) DO NOTHING"
    ))
    .bind(shop_id)
    .bind(agent_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let mut dropped_claims = Vec::new();
    if moved.rows_affected() == 1 {
        let gone: Vec<String> = sqlx::query_scalar(
            "DELETE FROM tiktok_shop_claims WHERE shop_id = $1 RETURNING agent_id",
        )
        .bind(shop_id)
        .fetch_all(&mut *tx)
        .await?;
        dropped_claims = gone.into_iter().filter(|a| a != agent_id).collect();
        dropped_claims.sort();
    }
    let owner = sqlx::query("SELECT * FROM tiktok_shops WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(shop_from_row)
        .transpose()?;
    tx.commit().await?;
    Ok(TiktokShopProof {
        owner,
        dropped_claims,
    })
}

pub(super) async fn shops(db: &PgPool, agent_id: &str) -> StoreResult<Vec<TiktokShopRecord>> {
    sqlx::query(concat!(
        "SELECT ",
        shop_columns!(),
        ", proven_at FROM tiktok_shops WHERE agent_id = $1 \
         UNION ALL SELECT ",
        shop_columns!(),
        ", NULL FROM tiktok_shop_claims WHERE agent_id = $1 \
         ORDER BY shop_id"
    ))
    .bind(agent_id)
    .fetch_all(db)
    .await?
    .iter()
    .map(shop_from_row)
    .collect()
}

pub(super) async fn live_session(
    db: &PgPool,
    agent_id: &str,
    shop_id: &str,
    at: &str,
) -> StoreResult<Option<String>> {
    // Times are stored as RFC 3339 UTC with milliseconds, so text order is time order.
    Ok(sqlx::query_scalar(
        "SELECT s.id FROM sessions s JOIN tasks t ON t.id = s.task_id \
         WHERE t.agent_id = $1 \
           AND t.body::jsonb #>> '{live_session_details,tiktok_shop_id}' = $2 \
           AND s.started_at IS NOT NULL AND s.started_at <= $3 \
           AND (s.ended_at IS NULL OR s.ended_at >= $3) \
         ORDER BY s.started_at DESC, s.id LIMIT 1",
    )
    .bind(agent_id)
    .bind(shop_id)
    .bind(at)
    .fetch_optional(db)
    .await?)
}

pub(super) async fn order(
    db: &PgPool,
    shop_id: &str,
    order_id: &str,
) -> StoreResult<Option<TiktokShopOrderRecord>> {
    sqlx::query("SELECT * FROM tiktok_shop_orders WHERE shop_id = $1 AND order_id = $2")
        .bind(shop_id)
        .bind(order_id)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(order_from_row)
        .transpose()
}

pub(super) async fn record_order(
    db: &PgPool,
    o: &TiktokShopOrderRecord,
    events: Option<&EventBatch>,
) -> StoreResult<Option<TiktokShopOrderRecord>> {
    let mut tx = db.begin().await?;
    // The first record wins: a concurrent record of the same order waits for
    // this one and then inserts nothing.
    let inserted = sqlx::query(
        "INSERT INTO tiktok_shop_orders (shop_id, order_id, status, session_id, currency, total_minor, lines, \
         order_created_at, recorded_at, cancelled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (shop_id, order_id) DO NOTHING",
    )
    .bind(&o.shop_id)
    .bind(&o.order_id)
    .bind(&o.status)
    .bind(&o.session_id)
    .bind(&o.currency)
    .bind(o.total_minor)
    .bind(o.lines.to_string())
    .bind(&o.order_created_at)
    .bind(&o.recorded_at)
    .bind(&o.cancelled_at)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        let existing =
            sqlx::query("SELECT * FROM tiktok_shop_orders WHERE shop_id = $1 AND order_id = $2")
                .bind(&o.shop_id)
                .bind(&o.order_id)
                .fetch_one(&mut *tx)
                .await?;
        return Ok(Some(order_from_row(&existing)?));
    }
    if let Some(b) = events {
        insert_batch(&mut tx, b, &o.recorded_at).await?;
    }
    tx.commit().await?;
    Ok(None)
}

pub(super) async fn cancel_order(
    db: &PgPool,
    shop_id: &str,
    order_id: &str,
    from_status: &str,
    events: Option<&EventBatch>,
    now: &str,
) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    let done = sqlx::query(
        "UPDATE tiktok_shop_orders SET status = 'cancelled', cancelled_at = $4 \
         WHERE shop_id = $1 AND order_id = $2 AND status = $3",
    )
    .bind(shop_id)
    .bind(order_id)
    .bind(from_status)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    if let Some(b) = events {
        insert_batch(&mut tx, b, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn notification_outcome(
    db: &PgPool,
    shop_id: &str,
    notification_id: &str,
) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT outcome FROM tiktok_shop_notifications \
         WHERE shop_id = $1 AND notification_id = $2 \
           AND outcome NOT IN ('fetch_failed', 'refused_timestamp') \
         ORDER BY seq LIMIT 1",
    )
    .bind(shop_id)
    .bind(notification_id)
    .fetch_optional(db)
    .await?)
}

pub(super) async fn log_notification(db: &PgPool, n: &TiktokShopNotification) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tiktok_shop_notifications (notification_id, shop_id, order_id, order_status, outcome, \
         session_id, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&n.notification_id)
    .bind(&n.shop_id)
    .bind(&n.order_id)
    .bind(&n.order_status)
    .bind(&n.outcome)
    .bind(&n.session_id)
    .bind(&n.received_at)
    .execute(db)
    .await?;
    Ok(())
}
