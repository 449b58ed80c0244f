//! Webhook endpoints, their deliveries (one per endpoint and event) and the
//! attempts of each delivery.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::*;

fn endpoint_from_row(r: &SqliteRow) -> StoreResult<WebhookEndpointRecord> {
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

fn delivery_from_row(r: &SqliteRow) -> StoreResult<WebhookDeliveryRecord> {
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
pub(super) async fn create(
    conn: &mut SqliteConnection,
    e: &WebhookEndpointRecord,
) -> StoreResult<i64> {
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
    db: &SqlitePool,
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

pub(super) async fn one(db: &SqlitePool, id: &str) -> StoreResult<WebhookEndpointRecord> {
    let r = sqlx::query("SELECT * FROM webhook_endpoints WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    endpoint_from_row(&r)
}

pub(super) async fn delete(conn: &mut SqliteConnection, id: &str) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(super) async fn active(db: &SqlitePool) -> StoreResult<Vec<WebhookEndpointRecord>> {
    sqlx::query("SELECT * FROM webhook_endpoints WHERE disabled_at IS NULL ORDER BY id")
        .fetch_all(db)
        .await?
        .iter()
        .map(endpoint_from_row)
        .collect()
}

pub(super) async fn fan_out(
    conn: &mut SqliteConnection,
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
    sqlx::query("UPDATE webhook_endpoints SET after_event = MAX(after_event, $2) WHERE id = $1")
        .bind(endpoint_id)
        .bind(after_event)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn head(
    db: &SqlitePool,
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
    conn: &mut SqliteConnection,
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

pub(super) async fn record(conn: &mut SqliteConnection, o: &WebhookOutcome) -> StoreResult<()> {
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
    db: &SqlitePool,
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
    db: &SqlitePool,
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
    db: &SqlitePool,
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
    conn: &mut SqliteConnection,
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

#[cfg(test)]
mod tests {
    use crate::*;

    fn delivery(id: &str, event_id: i64, due: &str) -> WebhookDeliveryRecord {
        WebhookDeliveryRecord {
            id: id.into(),
            endpoint_id: "ph_wh_1".into(),
            event_id,
            event_type: "message.created".into(),
            status: "pending".into(),
            attempts: 0,
            round_start: 0,
            next_attempt_at: Some(due.into()),
            lease_until: None,
            last_attempt_at: None,
            last_status: None,
            last_error: None,
            created_at: due.into(),
        }
    }

    /// A worker that claimed an attempt and died holds it until its lease
    /// ends; then another worker's attempt is the one that counts, and the
    /// dead worker's late outcome moves nothing.
    #[tokio::test]
    async fn an_attempt_is_claimed_once_and_a_lost_claim_expires() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = crate::SqliteStore::connect(&url).await.unwrap();
        let t0 = "2036-01-01T00:00:00.000Z";
        let endpoint = WebhookEndpointRecord {
            id: "ph_wh_1".into(),
            owner: Caller {
                kind: CallerKind::Agent,
                id: "ph_agent_a".into(),
            },
            url: "https://hooks.example.com/x".into(),
            events: vec!["*".into()],
            secret: "whsec_AAAA".into(),
            after_event: 0,
            failing_since: None,
            disabled_at: None,
            disabled_reason: None,
            created_at: t0.into(),
        };
        store.create_webhook(&endpoint).await.unwrap();
        let ds = [delivery("msg_1", 5, t0), delivery("msg_2", 6, t0)];
        store.fan_out_webhook("ph_wh_1", 6, &ds).await.unwrap();
        // Fanned out again (another worker, a restart): no second row.
        let again = [delivery("msg_1b", 5, t0)];
        store.fan_out_webhook("ph_wh_1", 5, &again).await.unwrap();
        assert_eq!(
            store
                .webhook_deliveries("ph_wh_1", None, 10)
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(store.webhook("ph_wh_1").await.unwrap().after_event, 6);
        assert_eq!(
            store.webhook_head("ph_wh_1").await.unwrap().unwrap().id,
            "msg_1"
        );

        let t1 = "2036-01-01T00:00:01.000Z";
        let lease = "2036-01-01T00:00:30.000Z";
        let lost = store
            .claim_webhook_delivery("msg_1", t1, lease)
            .await
            .unwrap();
        assert_eq!(lost.unwrap().attempts, 1);
        // Held: nobody else sends it.
        let t2 = "2036-01-01T00:00:10.000Z";
        assert!(
            store
                .claim_webhook_delivery("msg_1", t2, lease)
                .await
                .unwrap()
                .is_none()
        );
        // The lease over, another worker claims attempt 2 and succeeds.
        let t3 = "2036-01-01T00:00:31.000Z";
        let lease3 = "2036-01-01T00:01:00.000Z";
        let claimed = store
            .claim_webhook_delivery("msg_1", t3, lease3)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.attempts, 2);
        let outcome = |n: i64, status: &str, code: i64| WebhookOutcome {
            delivery_id: "msg_1".into(),
            attempt: WebhookAttemptRecord {
                n,
                at: t3.into(),
                status: Some(code),
                error: None,
                response_excerpt: None,
                duration_ms: 3,
            },
            status: status.into(),
            next_attempt_at: (status == "pending").then(|| t3.to_string()),
            disable: None,
        };
        store
            .record_webhook_attempt(&outcome(2, "delivered", 200))
            .await
            .unwrap();
        // The first worker comes back with a failure: the delivery stays delivered.
        store
            .record_webhook_attempt(&outcome(1, "pending", 500))
            .await
            .unwrap();
        let d = store.webhook_delivery("ph_wh_1", "msg_1").await.unwrap();
        assert_eq!(
            (d.status.as_str(), d.attempts, d.last_status),
            ("delivered", 2, Some(200))
        );
        assert!(
            store
                .claim_webhook_delivery("msg_1", t3, lease3)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            store.webhook_head("ph_wh_1").await.unwrap().unwrap().id,
            "msg_2"
        );
        // Deleted while an attempt was in flight: its outcome is dropped.
        store.delete_webhook("ph_wh_1").await.unwrap();
        store
            .record_webhook_attempt(&outcome(3, "delivered", 200))
            .await
            .unwrap();
        assert!(store.webhook_attempts("msg_1").await.unwrap().is_empty());
    }
}
