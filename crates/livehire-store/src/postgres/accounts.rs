//! Who is calling: agents, the API keys of agents and hosts (stored as
//! digests), and the session-scoped keys (checkout and ingest).

use sqlx::{PgPool, Row};

use super::common::{Lock, lock};
use crate::*;

pub(super) async fn create_agent(
    db: &PgPool,
    agent: &AgentRecord,
    key_digest: &str,
) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO agents (id, name, description, contact_email, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&agent.id)
        .bind(&agent.name)
        .bind(&agent.description)
        .bind(&agent.contact_email)
        .bind(&agent.created_at)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO api_keys (digest, owner_kind, owner_id, created_at) VALUES ($1, 'agent', $2, $3)")
        .bind(key_digest)
        .bind(&agent.id)
        .bind(&agent.created_at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn agent(db: &PgPool, id: &str) -> StoreResult<AgentRecord> {
    let row = sqlx::query(
        "SELECT id, name, description, contact_email, created_at FROM agents WHERE id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await?;
    Ok(AgentRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        contact_email: row.try_get("contact_email")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) async fn caller_by_key(db: &PgPool, digest: &str) -> StoreResult<Option<Caller>> {
    let row = sqlx::query(
        "SELECT owner_kind, owner_id FROM api_keys WHERE digest = $1 AND revoked_at IS NULL",
    )
    .bind(digest)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let kind: String = row.try_get("owner_kind")?;
    Ok(CallerKind::parse(&kind).map(|kind| Caller {
        kind,
        id: row.try_get("owner_id").unwrap_or_default(),
    }))
}

pub(super) async fn rotate_key(
    db: &PgPool,
    owner: &Caller,
    new_digest: &str,
    now: &str,
) -> StoreResult<Vec<String>> {
    let mut tx = db.begin().await?;
    // Two rotations at once would each keep their new key.
    lock(&mut tx, Lock::Keys, &owner.id).await?;
    let revoked: Vec<String> = sqlx::query_scalar(
        "UPDATE api_keys SET revoked_at = $1 WHERE owner_id = $2 AND revoked_at IS NULL RETURNING digest",
    )
    .bind(now)
    .bind(&owner.id)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO api_keys (digest, owner_kind, owner_id, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(new_digest)
    .bind(owner.kind.as_str())
    .bind(&owner.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

pub(super) async fn session_key(db: &PgPool, digest: &str) -> StoreResult<Option<SessionKey>> {
    let row: Option<(String, String, String)> = sqlx::query_as(
        "SELECT kind, session_id, agent_id FROM checkout_keys WHERE digest = $1 AND revoked_at IS NULL",
    )
    .bind(digest)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(kind, session_id, agent_id)| SessionKey {
        kind,
        session_id,
        agent_id,
    }))
}

pub(super) async fn create_session_key(
    db: &PgPool,
    digest: &str,
    key: &SessionKey,
    now: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO checkout_keys (digest, session_id, agent_id, created_at, kind) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(digest)
    .bind(&key.session_id)
    .bind(&key.agent_id)
    .bind(now)
    .bind(&key.kind)
    .execute(db)
    .await?;
    Ok(())
}
