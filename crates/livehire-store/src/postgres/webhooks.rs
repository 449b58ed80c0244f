//! Webhook endpoints, their deliveries (one per endpoint and event) and the
//! attempts of each delivery.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};

use super::common::{Lock, lock};
use crate::*;

fn endpoint_from_row(r: &PgRow) -> StoreResult<WebhookEndpointRecord> {
    let kind: String = r.try_get("owner_kind")?;
    let events: String = r.try_get("events")?;
    Ok(WebhookEndpointRecord {
        id: r.try_get("id")?,
        owner: Caller {
            kind: CallerKind::parse(&kind)
                .ok_or_else(|| StoreError::Other(anyhow::anyhow!("owner kind {kind:?}")))?,
            id: r.try_get("owner_id")?,
        },
        url: r.try_get("url")?,
        events: serde_json::from_str(&events).map_err(|e| StoreError::Other(e.into()))?,
        secret: r.try_get("secret")?,
        after_event: r.try_get("after_event")?,
        failing_since: r.try_get("failing_since")?,
        disabled_at: r.try_get("disabled_at")?,
        disabled_reason: r.try_get("disabled_reason")?,
        created_at: r.try_get("created_at")?,
    })
}

fn delivery_from_row(r: &PgRow) -> StoreResult<WebhookDeliveryRecord> {
    Ok(WebhookDeliveryRecord {
        id: r.try_get("id")?,
        endpoint_id: r.try_get("endpoint_id")?,
        event_id: r.try_get("event_id")?,
        event_type: r.try_get("event_type")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        round_start: r.try_get("round_start")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        lease_until: r.try_get("lease_until")?,
        last_attempt_at: r.try_get("last_attempt_at")?,
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Stores an endpoint with its cursor at the newest event; returns the cursor.
pub(super) async fn create(conn: &mut PgConnection, e: &WebhookEndpointRecord) -> StoreResult<i64> {
    // Under the outbox's lock no event with a smaller id is still to commit.
    lock(&mut *conn, Lock::Outbox, "").await?;
    let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM outbox")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, owner_kind, owner_id, url, events, secret, after_event, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&e.id)
    .bind(e.owner.kind.as_str())
    .bind(&e.owner.id)
    .bind(&e.url)
    .bind(serde_json::to_string(&e.events).map_err(|e| StoreError::Other(e.into()))?)
    .bind(&e.secret)
    .bind(last)
    .bind(&e.created_at)
    .execute(&mut *conn)
    .await?;
    Ok(last)
}

pub(super) async fn by_owner(
    db: &PgPool,
    owner_id: &str,
) -> StoreResult<Vec<WebhookEndpointRecord>> {
    sqlx::query("SELECT * FROM webhook_endpoints WHERE owner_id = $1 ORDER BY id")
        .bind(owner_id)
        .fetch_all(db)
        .await?
        .iter()
        .map(endpoint_from_row)
        .collect()
}

pub(super) async fn one(db: &PgPool, id: &str) -> StoreResult<WebhookEndpointRecord> {
    let r = sqlx::query("SELECT * FROM webhook_endpoints WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    endpoint_from_row(&r)
}

pub(super) async fn delete(conn: &mut PgConnection, id: &str) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(super) async fn active(db: &PgPool) -> StoreResult<Vec<WebhookEndpointRecord>> {
    sqlx::query("SELECT * FROM webhook_endpoints WHERE disabled_at IS NULL ORDER BY id")
        .fetch_all(db)
        .await?
        .iter()
        .map(endpoint_from_row)
        .collect()
}

pub(super) async fn fan_out(
    conn: &mut PgConnection,
    endpoint_id: &str,
    after_event: i64,
    deliveries: &[WebhookDeliveryRecord],
) -> StoreResult<()> {
    for d in deliveries {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, status, \
             next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6) \
             ON CONFLICT (endpoint_id, event_id) DO NOTHING",
        )
        .bind(&d.id)
        .bind(endpoint_id)
        .bind(d.event_id)
        .bind(&d.event_type)
        .bind(&d.next_attempt_at)
        .bind(&d.created_at)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE webhook_endpoints SET after_event = GREATEST(after_event, $2) WHERE id = $1",
    )
    .bind(endpoint_id)
    .bind(after_event)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn head(
    db: &PgPool,
    endpoint_id: &str,
) -> StoreResult<Option<WebhookDeliveryRecord>> {
    sqlx::query(
        "SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending' \
         ORDER BY event_id LIMIT 1",
    )
    .bind(endpoint_id)
    .fetch_optional(db)
    .await?
    .as_ref()
    .map(delivery_from_row)
    .transpose()
}

pub(super) async fn claim(
    conn: &mut PgConnection,
    delivery_id: &str,
    now: &str,
    lease_until: &str,
) -> StoreResult<Option<WebhookDeliveryRecord>> {
    sqlx::query(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, lease_until = $3, last_attempt_at = $2 \
         WHERE id = $1 AND status = 'pending' AND next_attempt_at <= $2 \
         AND (lease_until IS NULL OR lease_until <= $2) RETURNING *",
    )
    .bind(delivery_id)
    .bind(now)
    .bind(lease_until)
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(delivery_from_row)
    .transpose()
}

pub(super) async fn record(conn: &mut PgConnection, o: &WebhookOutcome) -> StoreResult<()> {
    let a = &o.attempt;
    sqlx::query(
        // A delivery deleted with its endpoint while in flight keeps no attempt.
        "INSERT INTO webhook_attempts (delivery_id, n, at, status, error, response_excerpt, duration_ms) \
         SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $1) \
         ON CONFLICT (delivery_id, n) DO NOTHING",
    )
    .bind(&o.delivery_id)
    .bind(a.n)
    .bind(&a.at)
    .bind(a.status)
    .bind(&a.error)
    .bind(&a.response_excerpt)
    .bind(a.duration_ms)
    .execute(&mut *conn)
    .await?;
    // Only the attempt a worker still holds moves the delivery on.
    let endpoint: Option<String> = sqlx::query_scalar(
        "UPDATE webhook_deliveries SET status = $3, next_attempt_at = $4, lease_until = NULL, \
         last_status = $5, last_error = $6 WHERE id = $1 AND attempts = $2 RETURNING endpoint_id",
    )
    .bind(&o.delivery_id)
    .bind(a.n)
    .bind(&o.status)
    .bind(&o.next_attempt_at)
    .bind(a.status)
    .bind(&a.error)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(endpoint) = endpoint else {
        return Ok(());
    };
    if o.status == "delivered" {
        sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1")
            .bind(&endpoint)
            .execute(&mut *conn)
            .await?;
    } else {
        sqlx::query(
            "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2) WHERE id = $1",
        )
        .bind(&endpoint)
        .bind(&a.at)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(reason) = &o.disable {
        sqlx::query(
            "UPDATE webhook_endpoints SET disabled_at = $2, disabled_reason = $3 WHERE id = $1",
        )
        .bind(&endpoint)
        .bind(&a.at)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL \
             WHERE endpoint_id = $1 AND status = 'pending'",
        )
        .bind(&endpoint)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(super) async fn deliveries(
    db: &PgPool,
    endpoint_id: &str,
    before: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<WebhookDeliveryRecord>> {
    sqlx::query(
        "SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND event_id < $2 \
         ORDER BY event_id DESC LIMIT $3",
    )
    .bind(endpoint_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?
    .iter()
    .map(delivery_from_row)
    .collect()
}

pub(super) async fn delivery(
    db: &PgPool,
    endpoint_id: &str,
    delivery_id: &str,
) -> StoreResult<WebhookDeliveryRecord> {
    let r = sqlx::query("SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND id = $2")
        .bind(endpoint_id)
        .bind(delivery_id)
        .fetch_one(db)
        .await?;
    delivery_from_row(&r)
}

pub(super) async fn attempts(
    db: &PgPool,
    delivery_id: &str,
) -> StoreResult<Vec<WebhookAttemptRecord>> {
    let rows = sqlx::query("SELECT * FROM webhook_attempts WHERE delivery_id = $1 ORDER BY n")
        .bind(delivery_id)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(WebhookAttemptRecord {
                n: r.try_get("n")?,
                at: r.try_get("at")?,
                status: r.try_get("status")?,
                error: r.try_get("error")?,
                response_excerpt: r.try_get("response_excerpt")?,
                duration_ms: r.try_get("duration_ms")?,
            })
        })
        .collect()
}

pub(super) async fn redeliver(
    conn: &mut PgConnection,
    delivery_id: &str,
    now: &str,
) -> StoreResult<()> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, \
         round_start = attempts WHERE id = $1",
    )
    .bind(delivery_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
