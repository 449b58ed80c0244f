//! SQLite queries for TikTok Shop: connected shops, the orders their webhook
//! reported (with the session events they became), the notification log.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use crate::sqlite_live::insert_batch;
use crate::*;

fn shop_from_row(r: &SqliteRow) -> StoreResult<TiktokShopRecord> {
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
    })
}

fn order_from_row(r: &SqliteRow) -> StoreResult<TiktokShopOrderRecord> {
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

pub(crate) async fn upsert_shop(db: &SqlitePool, s: &TiktokShopRecord) -> StoreResult<()> {
    // The WHERE makes a shop held by another agent a no-op: zero rows.
    let done = sqlx::query(
        "INSERT INTO tiktok_shops (shop_id, agent_id, app_key, app_secret, access_token, api_base_url, \
         created_at, updated_at, shop_cipher) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (shop_id) DO UPDATE SET app_key = excluded.app_key, app_secret = excluded.app_secret, \
         access_token = excluded.access_token, api_base_url = excluded.api_base_url, \
         shop_cipher = excluded.shop_cipher, updated_at = excluded.updated_at WHERE tiktok_shops.agent_id = excluded.agent_id",
    )
    .bind(&s.shop_id)
    .bind(&s.agent_id)
    .bind(&s.app_key)
    .bind(&s.app_secret)
    .bind(&s.access_token)
    .bind(&s.api_base_url)
    .bind(&s.created_at)
    .bind(&s.updated_at)
    .bind(&s.shop_cipher)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "shop {} is connected by another agent",
            s.shop_id
        )));
    }
    Ok(())
}

pub(crate) async fn shop(db: &SqlitePool, shop_id: &str) -> StoreResult<Option<TiktokShopRecord>> {
    sqlx::query("SELECT * FROM tiktok_shops WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(shop_from_row)
        .transpose()
}

pub(crate) async fn shops(db: &SqlitePool, agent_id: &str) -> StoreResult<Vec<TiktokShopRecord>> {
    sqlx::query("SELECT * FROM tiktok_shops WHERE agent_id = $1 ORDER BY shop_id")
        .bind(agent_id)
        .fetch_all(db)
        .await?
        .iter()
        .map(shop_from_row)
        .collect()
}

pub(crate) async fn live_session(
    db: &SqlitePool,
    agent_id: &str,
    shop_id: &str,
    at: &str,
) -> StoreResult<Option<String>> {
    // Times are stored as RFC 3339 UTC with milliseconds, so text order is time order.
    Ok(sqlx::query_scalar(
        "SELECT s.id FROM sessions s JOIN tasks t ON t.id = s.task_id \
         WHERE t.agent_id = $1 \
           AND json_extract(t.body, '$.live_session_details.tiktok_shop_id') = $2 \
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

pub(crate) async fn order(
    db: &SqlitePool,
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

pub(crate) async fn record_order(
    db: &SqlitePool,
    o: &TiktokShopOrderRecord,
    events: Option<&EventBatch>,
) -> StoreResult<Option<TiktokShopOrderRecord>> {
    let mut tx = db.begin().await?;
    let existing =
        sqlx::query("SELECT * FROM tiktok_shop_orders WHERE shop_id = $1 AND order_id = $2")
            .bind(&o.shop_id)
            .bind(&o.order_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(row) = existing {
        return Ok(Some(order_from_row(&row)?));
    }
    sqlx::query(
        "INSERT INTO tiktok_shop_orders (shop_id, order_id, status, session_id, currency, total_minor, lines, \
         order_created_at, recorded_at, cancelled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
    if let Some(b) = events {
        insert_batch(&mut tx, b, &o.recorded_at).await?;
    }
    tx.commit().await?;
    Ok(None)
}

pub(crate) async fn cancel_order(
    db: &SqlitePool,
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

pub(crate) async fn notification_outcome(
    db: &SqlitePool,
    shop_id: &str,
    notification_id: &str,
) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT outcome FROM tiktok_shop_notifications \
         WHERE shop_id = $1 AND notification_id = $2 AND outcome <> 'fetch_failed' \
         ORDER BY seq LIMIT 1",
    )
    .bind(shop_id)
    .bind(notification_id)
    .fetch_optional(db)
    .await?)
}

pub(crate) async fn log_notification(
    db: &SqlitePool,
    n: &TiktokShopNotification,
) -> StoreResult<()> {
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
