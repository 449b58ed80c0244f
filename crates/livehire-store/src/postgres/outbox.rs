//! The outbox: domain events, appended in the transaction of their change,
//! read in id order.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};

use super::common::{Lock, lock};
use crate::*;

/// Appends events; a row whose `dedupe_key` is already there is skipped.
pub(super) async fn append(conn: &mut PgConnection, events: &[OutboxRecord]) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    // Ids in commit order: the lock is held from here to the commit, so an
    // id is handed out only after every smaller one committed (or rolled
    // back), and a reader that saw id n never meets a smaller one later.
    lock(&mut *conn, Lock::Outbox, "").await?;
    for e in events {
        sqlx::query(
            "INSERT INTO outbox (kind, task_id, session_id, agent_id, human_id, data, dedupe_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(&e.kind)
        .bind(&e.task_id)
        .bind(&e.session_id)
        .bind(&e.agent_id)
        .bind(&e.human_id)
        .bind(e.data.to_string())
        .bind(&e.dedupe_key)
        .bind(&e.created_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn from_row(r: &PgRow) -> StoreResult<OutboxRecord> {
    let data: String = r.try_get("data")?;
    Ok(OutboxRecord {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        task_id: r.try_get("task_id")?,
        session_id: r.try_get("session_id")?,
        agent_id: r.try_get("agent_id")?,
        human_id: r.try_get("human_id")?,
        data: serde_json::from_str(&data).map_err(|e| StoreError::Other(e.into()))?,
        dedupe_key: r.try_get("dedupe_key")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Up to `limit` events after `after`, oldest first; only those of an agent
/// or a host when `party` is given (`(agent_id, human_id)`, one of them set).
pub(super) async fn after(
    db: &PgPool,
    after: i64,
    limit: u32,
    party: Option<(Option<&str>, Option<&str>)>,
) -> StoreResult<Vec<OutboxRecord>> {
    let rows = match party {
        None => {
            sqlx::query("SELECT * FROM outbox WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(db)
                .await?
        }
        Some((agent, host)) => {
            sqlx::query(
                "SELECT * FROM outbox WHERE id > $1 AND (($2 IS NOT NULL AND agent_id = $2) \
                 OR ($3 IS NOT NULL AND human_id = $3)) ORDER BY id LIMIT $4",
            )
            .bind(after)
            .bind(agent)
            .bind(host)
            .bind(i64::from(limit))
            .fetch_all(db)
            .await?
        }
    };
    rows.iter().map(from_row).collect()
}

/// The newest event's id (0 without any).
pub(super) async fn last_id(db: &PgPool) -> StoreResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM outbox")
            .fetch_one(db)
            .await?,
    )
}
