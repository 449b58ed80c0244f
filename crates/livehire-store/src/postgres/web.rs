//! Dashboard logins (email and password hash per account) and web sessions.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::common::{Lock, lock, unique_violation};
use crate::*;

fn account(r: &PgRow) -> StoreResult<Caller> {
    let kind: String = r.try_get("account_kind")?;
    Ok(Caller {
        kind: CallerKind::parse(&kind)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("account kind {kind:?}")))?,
        id: r.try_get("account_id")?,
    })
}

fn login_from_row(r: &PgRow) -> StoreResult<WebLoginRecord> {
    Ok(WebLoginRecord {
        email: r.try_get("email")?,
        account: account(r)?,
        password_hash: r.try_get("password_hash")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Sets the account's login: a new one, or the account's email and password
/// replaced. Conflict when the email is another account's.
pub(super) async fn set_login(db: &PgPool, login: &WebLoginRecord) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    lock(&mut tx, Lock::Login, &login.account.id).await?;
    sqlx::query("DELETE FROM web_logins WHERE account_id = $1")
        .bind(&login.account.id)
        .execute(&mut *tx)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO web_logins (email, account_kind, account_id, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&login.email)
    .bind(login.account.kind.as_str())
    .bind(&login.account.id)
    .bind(&login.password_hash)
    .bind(&login.created_at)
    .bind(&login.updated_at)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if unique_violation(&e) => {
            return Err(StoreError::Conflict("email is taken".into()));
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn login_by_email(
    db: &PgPool,
    email: &str,
) -> StoreResult<Option<WebLoginRecord>> {
    sqlx::query("SELECT * FROM web_logins WHERE email = $1")
        .bind(email)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(login_from_row)
        .transpose()
}

pub(super) async fn login_of(db: &PgPool, account_id: &str) -> StoreResult<Option<WebLoginRecord>> {
    sqlx::query("SELECT * FROM web_logins WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(login_from_row)
        .transpose()
}

pub(super) async fn create_session(db: &PgPool, s: &WebSessionRecord) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO web_sessions (digest, account_kind, account_id, csrf, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.digest)
    .bind(s.account.kind.as_str())
    .bind(&s.account.id)
    .bind(&s.csrf)
    .bind(&s.created_at)
    .bind(&s.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

pub(super) async fn session(
    db: &PgPool,
    digest: &str,
    now: &str,
) -> StoreResult<Option<WebSessionRecord>> {
    let Some(r) = sqlx::query("SELECT * FROM web_sessions WHERE digest = $1 AND expires_at > $2")
        .bind(digest)
        .bind(now)
        .fetch_optional(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(WebSessionRecord {
        digest: r.try_get("digest")?,
        account: account(&r)?,
        csrf: r.try_get("csrf")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
    }))
}

pub(super) async fn delete_session(db: &PgPool, digest: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM web_sessions WHERE digest = $1")
        .bind(digest)
        .execute(db)
        .await?;
    Ok(())
}

pub(super) async fn delete_expired(db: &PgPool, now: &str) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

/// An agent's overview in one statement and one row: counts by status
/// from `agent_task_counts` (kept by triggers), pending applications and
/// live sessions through their partial indexes, and its newest tasks as a
/// JSON array of summaries (the zone read out of the stored body by
/// PostgreSQL; no body crosses to Rust).
pub(super) async fn agent_overview(
    db: &PgPool,
    agent_id: &str,
    limit: u32,
) -> StoreResult<AgentOverviewRecord> {
    let row = sqlx::query(
        "SELECT \
           (SELECT COALESCE(json_agg(json_build_array(status, n) ORDER BY status), '[]')::text \
            FROM agent_task_counts WHERE agent_id = $1 AND n > 0) AS by_status, \
           (SELECT COUNT(*) FROM offers AS o JOIN tasks AS t ON t.id = o.task_id \
            WHERE o.kind = 'application' AND o.status = 'pending' \
              AND t.agent_id = $1 AND t.status = 'open') AS applications_pending, \
           (SELECT COUNT(*) FROM sessions AS s JOIN tasks AS t ON t.id = s.task_id \
            WHERE s.status = 'live' AND t.agent_id = $1) AS sessions_live, \
           (SELECT COALESCE(json_agg(json_build_object( \
                'id', id, 'status', status, 'title', title, 'currency', currency, \
                'compensation_minor', compensation_minor, 'time_zone', time_zone, \
                'first_session_at', first_session_at) ORDER BY seq DESC), '[]')::text \
            FROM (SELECT t.seq, t.id, t.status, t.title, t.currency, t.compensation_minor, \
                         CASE jsonb_typeof(t.body::jsonb #> '{live_session_details,time_zone}') \
                           WHEN 'string' THEN t.body::jsonb #>> '{live_session_details,time_zone}' \
                         END AS time_zone, \
                         (SELECT s.scheduled_time FROM sessions AS s WHERE s.task_id = t.id \
                          ORDER BY s.position LIMIT 1) AS first_session_at \
                  FROM tasks AS t WHERE t.agent_id = $1 ORDER BY t.seq DESC LIMIT $2) AS newest) AS recent",
    )
    .bind(agent_id)
    .bind(i64::from(limit))
    .fetch_one(db)
    .await?;
    let by_status: Vec<(TaskStatus, u64)> = serde_json::from_str(row.try_get("by_status")?)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("stored task counts: {e}")))?;
    let recent: Vec<TaskSummary> = serde_json::from_str(row.try_get("recent")?)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("task summaries: {e}")))?;
    let applications_pending: i64 = row.try_get("applications_pending")?;
    let sessions_live: i64 = row.try_get("sessions_live")?;
    Ok(AgentOverviewRecord {
        counts: AgentCounts {
            by_status,
            applications_pending: u64::try_from(applications_pending).unwrap_or(0),
            sessions_live: u64::try_from(sessions_live).unwrap_or(0),
        },
        recent,
    })
}
