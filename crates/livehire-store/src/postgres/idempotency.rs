//! `Idempotency-Key`: the first answer per caller and key, kept for replays.

use sqlx::{PgPool, Row};

use crate::*;

pub(super) async fn begin(
    db: &PgPool,
    owner: &str,
    key: &str,
    request_hash: &str,
    now: &str,
) -> StoreResult<Option<IdempotencyEntry>> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (owner_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (owner_id, key) DO NOTHING",
    )
    .bind(owner)
    .bind(key)
    .bind(request_hash)
    .bind(now)
    .execute(db)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT request_hash, status, body FROM idempotency_keys WHERE owner_id = $1 AND key = $2",
    )
    .bind(owner)
    .bind(key)
    .fetch_one(db)
    .await?;
    let status: Option<i64> = row.try_get("status")?;
    let body: Option<Vec<u8>> = row.try_get("body")?;
    Ok(Some(IdempotencyEntry {
        request_hash: row.try_get("request_hash")?,
        response: status.map(|s| (s as u16, body.unwrap_or_default())),
    }))
}

pub(super) async fn finish(
    db: &PgPool,
    owner: &str,
    key: &str,
    status: u16,
    body: &[u8],
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, body = $2 WHERE owner_id = $3 AND key = $4",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(owner)
    .bind(key)
    .execute(db)
    .await?;
    Ok(())
}

pub(super) async fn abandon(db: &PgPool, owner: &str, key: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM idempotency_keys WHERE owner_id = $1 AND key = $2 AND status IS NULL")
        .bind(owner)
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

pub(super) async fn expire(db: &PgPool, before: &str) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
