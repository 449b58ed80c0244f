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

pub(super) async fn end_sessions(
    db: &SqlitePool,
    account_id: &str,
    keep: Option<&str>,
) -> StoreResult<u64> {
    Ok(sqlx::query(
        "DELETE FROM web_sessions WHERE account_id = $1 AND ($2 IS NULL OR digest <> $2)",
    )
    .bind(account_id)
    .bind(keep)
    .execute(db)
    .await?
    .rows_affected())
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

/// An agent's overview in one statement and one row: counts by status
/// from `agent_task_counts` (kept by triggers), pending applications and
/// live sessions through their partial indexes (the few such rows are the
/// outer loop, so the agent's thousands of tasks are never walked), and its
/// newest tasks as a JSON array of summaries (the zone read out of the
/// stored body by SQLite; no body crosses to Rust), with its wallet.
pub(super) async fn agent_overview(
    db: &SqlitePool,
    agent_id: &str,
    limit: u32,
) -> StoreResult<AgentOverviewRecord> {
    let row = sqlx::query(
        "SELECT \
           (SELECT json_group_array(json_array(status, n)) FROM agent_task_counts \
            WHERE agent_id = $1 AND n > 0) AS by_status, \
           (SELECT COUNT(*) FROM offers AS o INDEXED BY offers_pending_applications \
            CROSS JOIN tasks AS t ON t.id = o.task_id \
            WHERE o.kind = 'application' AND o.status = 'pending' \
              AND t.agent_id = $1 AND t.status = 'open') AS applications_pending, \
           (SELECT COUNT(*) FROM sessions AS s INDEXED BY sessions_live \
            CROSS JOIN tasks AS t ON t.id = s.task_id \
            WHERE s.status = 'live' AND t.agent_id = $1) AS sessions_live, \
           (SELECT json_group_array(json_array( \
                id, status, title, currency, compensation_minor, time_zone, first_session_at)) \
            FROM (SELECT t.id, t.status, t.title, t.currency, t.compensation_minor, \
                         t.body ->> '$.live_session_details.time_zone' AS time_zone, \
                         (SELECT s.scheduled_time FROM sessions AS s WHERE s.task_id = t.id \
                          ORDER BY s.position LIMIT 1) AS first_session_at \
                  FROM tasks AS t WHERE t.agent_id = $1 ORDER BY t.seq DESC LIMIT $2)) AS recent, \
           (SELECT json_group_array(json_array(c.currency, \
                COALESCE((SELECT balance_minor FROM account_balances AS b \
                          WHERE b.account = 'agent:' || $1 || ':available' AND b.currency = c.currency), 0), \
                COALESCE((SELECT escrow_minor FROM agent_money AS m \
                          WHERE m.agent_id = $1 AND m.currency = c.currency), 0), \
                COALESCE((SELECT paid_out_minor FROM agent_money AS m \
                          WHERE m.agent_id = $1 AND m.currency = c.currency), 0))) \
            FROM (SELECT currency FROM account_balances WHERE account = 'agent:' || $1 || ':available' \
                  UNION SELECT currency FROM agent_money WHERE agent_id = $1 ORDER BY 1) AS c) AS wallet",
    )
    .bind(agent_id)
    .bind(i64::from(limit))
    .fetch_one(db)
    .await?;
    let by_status = crate::columns::task_counts(row.try_get("by_status")?)?;
    let recent = crate::columns::task_summaries(row.try_get("recent")?)?;
    let wallet = crate::columns::wallet(row.try_get("wallet")?)?;
    let applications_pending: i64 = row.try_get("applications_pending")?;
    let sessions_live: i64 = row.try_get("sessions_live")?;
    Ok(AgentOverviewRecord {
        counts: AgentCounts {
            by_status,
            applications_pending: u64::try_from(applications_pending).unwrap_or(0),
            sessions_live: u64::try_from(sessions_live).unwrap_or(0),
        },
        recent,
        wallet,
    })
}

/// A task's page in one statement and one row: the task's columns, its
/// run of show beside them, and its sessions, offers and first messages as
/// JSON arrays of column values (one trip to SQLite's thread instead of
/// one per part: the page is read far more often than it changes).
pub(super) async fn task_bundle(
    db: &SqlitePool,
    task_id: &str,
    threads: &[String],
    messages_limit: u32,
) -> StoreResult<TaskBundle> {
    let threads = (!threads.is_empty()).then(|| serde_json::json!(threads).to_string());
    let row = sqlx::query(
        "SELECT t.*, \
           r.body AS ros_body, r.source AS ros_source, r.updated_at AS ros_updated_at, \
           (SELECT json_group_array(json_array(id, position, scheduled_time, duration_minutes, \
                status, week, theme, started_at, ended_at, stream_ended_at, feed_last_at, \
                feed_source, feed_format)) \
            FROM (SELECT * FROM sessions WHERE task_id = t.id ORDER BY position)) AS sessions_json, \
           (SELECT json_group_array(json_array(id, human_id, kind, status, pitch, \
                proposed_compensation_minor, created_at, updated_at)) \
            FROM (SELECT * FROM offers WHERE task_id = t.id ORDER BY created_at, id)) AS offers_json, \
           (SELECT json_group_array(json_array(seq, id, thread, sender_kind, sender_id, text, created_at)) \
            FROM (SELECT * FROM messages WHERE task_id = t.id \
                    AND ($2 IS NULL OR thread IN (SELECT value FROM json_each($2))) \
                  ORDER BY seq DESC LIMIT $3 + 1)) AS messages_json, \
           EXISTS (SELECT 1 FROM submissions WHERE task_id = t.id) AS has_submission \
         FROM tasks AS t LEFT JOIN run_of_show AS r ON r.task_id = t.id \
         WHERE t.id = $1",
    )
    .bind(task_id)
    .bind(threads)
    .bind(i64::from(messages_limit))
    .fetch_one(db)
    .await?;
    let mut task = super::tasks::task_from_row(&row)?;
    task.sessions = crate::columns::sessions(row.try_get("sessions_json")?)?;
    let offers = crate::columns::offers(row.try_get("offers_json")?, &task.id)?;
    let (messages, older_messages) =
        crate::columns::newest_messages(row.try_get("messages_json")?, &task.id, messages_limit)?;
    let run_of_show = match row.try_get::<Option<String>, _>("ros_body")? {
        Some(body) => Some((
            super::common::json(&body)?,
            row.try_get("ros_source")?,
            row.try_get("ros_updated_at")?,
        )),
        None => None,
    };
    Ok(TaskBundle {
        task,
        run_of_show,
        offers,
        messages,
        older_messages,
        has_submission: row.try_get("has_submission")?,
    })
}
