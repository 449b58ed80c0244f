//! Dashboard logins (email and password hash per account) and web sessions.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use super::common::unique_violation;
use crate::*;

fn account(r: &SqliteRow) -> StoreResult<Caller> {
    let kind: String = r.try_get("account_kind")?;
    Ok(Caller {
        kind: CallerKind::parse(&kind)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("account kind {kind:?}")))?,
        id: r.try_get("account_id")?,
    })
}

fn login_from_row(r: &SqliteRow) -> StoreResult<WebLoginRecord> {
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
pub(super) async fn set_login(db: &SqlitePool, login: &WebLoginRecord) -> StoreResult<()> {
    let mut tx = db.begin().await?;
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
    db: &SqlitePool,
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

pub(super) async fn login_of(
    db: &SqlitePool,
    account_id: &str,
) -> StoreResult<Option<WebLoginRecord>> {
    sqlx::query("SELECT * FROM web_logins WHERE account_id = $1")
        .bind(account_id)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(login_from_row)
        .transpose()
}

pub(super) async fn create_session(db: &SqlitePool, s: &WebSessionRecord) -> StoreResult<()> {
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
    db: &SqlitePool,
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

pub(super) async fn delete_session(db: &SqlitePool, digest: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM web_sessions WHERE digest = $1")
        .bind(digest)
        .execute(db)
        .await?;
    Ok(())
}

pub(super) async fn delete_expired(db: &SqlitePool, now: &str) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(db)
            .await?
            .rows_affected(),
    )
}

/// An agent's overview figures: counts by status from `agent_task_counts`
/// (kept by triggers), pending applications and live sessions through their
/// partial indexes (the few such rows are the outer loop, so the agent's
/// thousands of tasks are never walked).
pub(super) async fn agent_counts(db: &SqlitePool, agent_id: &str) -> StoreResult<AgentCounts> {
    let rows = sqlx::query(
        "SELECT status, n FROM agent_task_counts WHERE agent_id = $1 AND n > 0 ORDER BY status",
    )
    .bind(agent_id)
    .fetch_all(db)
    .await?;
    let by_status = rows
        .iter()
        .map(|r| {
            let n: i64 = r.try_get("n")?;
            Ok((
                super::common::wire(r, "status", TaskStatus::parse)?,
                u64::try_from(n).unwrap_or(0),
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let applications_pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM offers AS o INDEXED BY offers_pending_applications \
         CROSS JOIN tasks AS t ON t.id = o.task_id \
         WHERE o.kind = 'application' AND o.status = 'pending' \
           AND t.agent_id = $1 AND t.status = 'open'",
    )
    .bind(agent_id)
    .fetch_one(db)
    .await?;
    let sessions_live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions AS s INDEXED BY sessions_live \
         CROSS JOIN tasks AS t ON t.id = s.task_id \
         WHERE s.status = 'live' AND t.agent_id = $1",
    )
    .bind(agent_id)
    .fetch_one(db)
    .await?;
    Ok(AgentCounts {
        by_status,
        applications_pending: u64::try_from(applications_pending).unwrap_or(0),
        sessions_live: u64::try_from(sessions_live).unwrap_or(0),
    })
}

/// An agent's newest tasks as summaries: the columns, the zone read out of
/// the stored body by SQLite, the first session's time; no body is parsed.
pub(super) async fn recent_tasks(
    db: &SqlitePool,
    agent_id: &str,
    limit: u32,
) -> StoreResult<Vec<TaskSummary>> {
    let rows = sqlx::query(
        "SELECT t.id, t.status, t.title, t.currency, t.compensation_minor, t.created_at, t.updated_at, \
                json_extract(t.body, '$.live_session_details.time_zone') AS time_zone, \
                (SELECT s.scheduled_time FROM sessions AS s WHERE s.task_id = t.id \
                 ORDER BY s.position LIMIT 1) AS first_session_at \
         FROM tasks AS t WHERE t.agent_id = $1 ORDER BY t.seq DESC LIMIT $2",
    )
    .bind(agent_id)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            // A zone posted as something other than text is no zone.
            let time_zone: Option<String> = r.try_get("time_zone").ok().flatten();
            Ok(TaskSummary {
                id: r.try_get("id")?,
                status: super::common::wire(r, "status", TaskStatus::parse)?,
                title: r.try_get("title")?,
                currency: r.try_get("currency")?,
                compensation_minor: r.try_get("compensation_minor")?,
                time_zone,
                first_session_at: r.try_get("first_session_at")?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect()
}
