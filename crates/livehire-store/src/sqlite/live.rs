//! SQLite queries for live sessions: event batches, flash sales, their orders.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::*;

pub(super) async fn append_events(
    db: &SqlitePool,
    batch: &EventBatch,
    now: &str,
) -> StoreResult<i64> {
    let mut conn = db.acquire().await?;
    insert_batch(&mut conn, batch, now).await
}

/// Appends a batch unless the session's task is settled
/// (`Conflict("session_settled")`, nothing written); its `seq`.
pub(super) async fn insert_batch(
    conn: &mut SqliteConnection,
    b: &EventBatch,
    now: &str,
) -> StoreResult<i64> {
    let msg_ids = (!b.msg_ids.is_empty()).then(|| b.msg_ids.join("\n"));
    // A settled task's (approved or cancelled) sessions are frozen.
    let written: Option<i64> = sqlx::query_scalar(
        "INSERT INTO session_event_batches \
         (session_id, event_count, body, received_at, msg_ids, source, source_id) \
         SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS ( \
           SELECT 1 FROM sessions s JOIN tasks t ON t.id = s.task_id \
           WHERE s.id = $1 AND t.status IN ('approved', 'cancelled')) RETURNING seq",
    )
    .bind(&b.session_id)
    .bind(b.event_count)
    .bind(&b.ndjson)
    .bind(now)
    .bind(msg_ids)
    .bind(&b.source)
    .bind(&b.source_id)
    .fetch_optional(&mut *conn)
    .await?;
    written.ok_or_else(|| StoreError::Conflict("session_settled".into()))
}

pub(super) async fn connector_msg_ids(
    db: &SqlitePool,
    session_id: &str,
) -> StoreResult<Vec<String>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT msg_ids FROM session_event_batches WHERE session_id = $1 AND msg_ids IS NOT NULL",
    )
    .bind(session_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .iter()
        .flat_map(|ids| ids.lines().map(str::to_string))
        .collect())
}

pub(super) async fn record_feed(
    db: &SqlitePool,
    session_id: &str,
    feed: &FeedRecord,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE sessions SET feed_last_at = $2, feed_source = $3, feed_format = $4 WHERE id = $1",
    )
    .bind(session_id)
    .bind(&feed.last_at)
    .bind(&feed.source)
    .bind(&feed.format)
    .execute(db)
    .await?;
    Ok(())
}

/// Times are stored as `timestamp()` writes them (RFC 3339, milliseconds,
/// `Z`), so they compare as text.
pub(super) async fn mark_stream_ended(
    db: &SqlitePool,
    session_id: &str,
    at: &str,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE sessions SET stream_ended_at = $2 WHERE id = $1 AND status = 'live' \
         AND (stream_ended_at IS NULL OR stream_ended_at > $2)",
    )
    .bind(session_id)
    .bind(at)
    .execute(db)
    .await?;
    if done.rows_affected() > 0 {
        return Ok(true);
    }
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_optional(db)
        .await?;
    Ok(status.as_deref() == Some("live"))
}

pub(super) async fn clear_stream_end(
    db: &SqlitePool,
    session_id: &str,
    before: &str,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE sessions SET stream_ended_at = NULL \
         WHERE id = $1 AND status = 'live' AND stream_ended_at < $2",
    )
    .bind(session_id)
    .bind(before)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn streams_ended_by(
    db: &SqlitePool,
    cutoff: &str,
) -> StoreResult<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, stream_ended_at FROM sessions \
         WHERE status = 'live' AND stream_ended_at IS NOT NULL AND stream_ended_at <= $1 \
         ORDER BY stream_ended_at",
    )
    .bind(cutoff)
    .fetch_all(db)
    .await?)
}

pub(super) async fn event_batches(
    db: &SqlitePool,
    session_id: &str,
) -> StoreResult<Vec<StoredBatch>> {
    event_batches_since(db, session_id, 0).await
}

pub(super) async fn event_batches_since(
    db: &SqlitePool,
    session_id: &str,
    after_seq: i64,
) -> StoreResult<Vec<StoredBatch>> {
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT seq, source, body, msg_ids FROM session_event_batches \
         WHERE session_id = $1 AND seq > $2 ORDER BY seq",
    )
    .bind(session_id)
    .bind(after_seq)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(crate::columns::stored_batch).collect())
}

pub(super) async fn create_flash_sale(
    db: &mut SqliteConnection,
    s: &FlashSaleRecord,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO flash_sales (id, session_id, task_id, product_id, currency, price_minor, stock, per_buyer_limit, \
         starts_at, ends_at, overlay_token, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&s.id)
    .bind(&s.session_id)
    .bind(&s.task_id)
    .bind(&s.product_id)
    .bind(&s.currency)
    .bind(s.price_minor)
    .bind(s.stock)
    .bind(s.per_buyer_limit)
    .bind(&s.starts_at)
    .bind(&s.ends_at)
    .bind(&s.overlay_token)
    .bind(&s.created_at)
    .execute(&mut *db)
    .await?;
    Ok(())
}

fn sale_from_row(r: &SqliteRow) -> StoreResult<FlashSaleRecord> {
    Ok(FlashSaleRecord {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        task_id: r.try_get("task_id")?,
        product_id: r.try_get("product_id")?,
        currency: r.try_get("currency")?,
        price_minor: r.try_get("price_minor")?,
        stock: r.try_get("stock")?,
        per_buyer_limit: r.try_get("per_buyer_limit")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        overlay_token: r.try_get("overlay_token")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(super) async fn flash_sales(
    db: &SqlitePool,
    id: Option<&str>,
    session_id: Option<&str>,
) -> StoreResult<Vec<FlashSaleRecord>> {
    let rows = sqlx::query(
        "SELECT * FROM flash_sales WHERE ($1 IS NULL OR id = $1) AND ($2 IS NULL OR session_id = $2) \
         ORDER BY created_at, id",
    )
    .bind(id)
    .bind(session_id)
    .fetch_all(db)
    .await?;
    rows.iter().map(sale_from_row).collect()
}

fn order_from_row(r: &SqliteRow) -> StoreResult<FlashOrderRecord> {
    Ok(FlashOrderRecord {
        order_id: r.try_get("order_id")?,
        flash_sale_id: r.try_get("flash_sale_id")?,
        buyer_id: r.try_get("buyer_id")?,
        quantity: r.try_get("quantity")?,
        amount_minor: r.try_get("amount_minor")?,
        idempotency_key: r.try_get("idempotency_key")?,
        created_at: r.try_get("created_at")?,
    })
}

pub(super) async fn flash_orders_page(
    db: &SqlitePool,
    flash_sale_id: &str,
    after: Option<i64>,
    limit: u32,
) -> StoreResult<Page<FlashOrderRecord>> {
    let rows = sqlx::query(
        "SELECT rowid AS position, * FROM flash_sale_orders \
         WHERE flash_sale_id = $1 AND rowid > $2 ORDER BY rowid LIMIT $3",
    )
    .bind(flash_sale_id)
    .bind(after.unwrap_or(0))
    .bind(i64::from(limit) + 1)
    .fetch_all(db)
    .await?;
    let more = rows.len() > limit as usize;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next = match rows.last() {
        Some(last) if more => Some(last.try_get("position")?),
        _ => None,
    };
    Ok(Page {
        data: rows
            .iter()
            .map(order_from_row)
            .collect::<StoreResult<_>>()?,
        next,
    })
}

pub(super) async fn flash_orders_since(
    db: &SqlitePool,
    flash_sale_id: &str,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<(i64, FlashOrderRecord)>> {
    let rows = sqlx::query(
        "SELECT rowid AS position, * FROM flash_sale_orders \
         WHERE flash_sale_id = $1 AND rowid > $2 ORDER BY rowid LIMIT $3",
    )
    .bind(flash_sale_id)
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("position")?, order_from_row(r)?)))
        .collect()
}
