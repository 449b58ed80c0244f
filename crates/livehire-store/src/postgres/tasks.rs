//! Tasks and their sessions: their inserts, and the reads of tasks with
//! their sessions and the hosts involved.

use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

use super::common::{json, wire};
pub(super) use crate::columns::feed;
use crate::*;

pub(super) fn task_from_row(row: &PgRow) -> StoreResult<TaskRecord> {
    Ok(TaskRecord {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        agent_id: row.try_get("agent_id")?,
        status: wire(row, "status", TaskStatus::parse)?,
        title: row.try_get("title")?,
        currency: row.try_get("currency")?,
        compensation_minor: row.try_get("compensation_minor")?,
        deadline: row.try_get("deadline")?,
        body: json(row.try_get("body")?)?,
        terms: row.try_get("terms")?,
        assigned_human_id: row.try_get("assigned_human_id")?,
        escrow_minor: row.try_get("escrow_minor")?,
        agreed_base_minor: row.try_get("agreed_base_minor")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        sessions: Vec::new(),
    })
}

async fn load_sessions(db: &PgPool, tasks: &mut [TaskRecord]) -> StoreResult<()> {
    if tasks.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT id, task_id, position, scheduled_time, duration_minutes, status, week, theme, \
         started_at, ended_at, stream_ended_at, feed_last_at, feed_source, feed_format \
         FROM sessions WHERE task_id IN (",
    );
    let mut sep = qb.separated(", ");
    for t in tasks.iter() {
        sep.push_bind(t.id.clone());
    }
    sep.push_unseparated(") ORDER BY task_id, position");
    let rows = qb.build().fetch_all(db).await?;
    for r in rows {
        let task_id: String = r.try_get("task_id")?;
        if let Some(t) = tasks.iter_mut().find(|t| t.id == task_id) {
            t.sessions.push(SessionRecord {
                id: r.try_get("id")?,
                position: r.try_get("position")?,
                scheduled_time: r.try_get("scheduled_time")?,
                duration_minutes: r.try_get("duration_minutes")?,
                status: wire(&r, "status", SessionStatus::parse)?,
                week: r.try_get("week")?,
                theme: r.try_get("theme")?,
                started_at: r.try_get("started_at")?,
                ended_at: r.try_get("ended_at")?,
                stream_ended_at: r.try_get("stream_ended_at")?,
                feed: feed(
                    r.try_get("feed_last_at")?,
                    r.try_get("feed_source")?,
                    r.try_get("feed_format")?,
                ),
            });
        }
    }
    Ok(())
}

/// Inserts a task and its sessions in one transaction. (SQLite group-commits
/// tasks through one writer; PostgreSQL takes concurrent transactions, each
/// with its own commit.)
pub(super) async fn create_task(db: &PgPool, t: &TaskRecord) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO tasks (id, agent_id, status, title, currency, compensation_minor, deadline, body, \
         terms, assigned_human_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&t.id)
    .bind(&t.agent_id)
    .bind(t.status.as_str())
    .bind(&t.title)
    .bind(&t.currency)
    .bind(t.compensation_minor)
    .bind(&t.deadline)
    .bind(t.body.to_string())
    .bind(&t.terms)
    .bind(&t.assigned_human_id)
    .bind(&t.created_at)
    .bind(&t.updated_at)
    .execute(&mut *tx)
    .await?;
    if !t.sessions.is_empty() {
        let col = |f: fn(&SessionRecord) -> Option<&str>| -> Vec<Option<&str>> {
            t.sessions.iter().map(f).collect()
        };
        let ids = col(|s| Some(s.id.as_str()));
        let times = col(|s| s.scheduled_time.as_deref());
        let statuses = col(|s| Some(s.status.as_str()));
        let themes = col(|s| s.theme.as_deref());
        let positions: Vec<i64> = t.sessions.iter().map(|s| s.position).collect();
        let durations: Vec<i64> = t.sessions.iter().map(|s| s.duration_minutes).collect();
        let weeks: Vec<Option<i64>> = t.sessions.iter().map(|s| s.week).collect();
        sqlx::query(
            "INSERT INTO sessions (id, task_id, position, scheduled_time, duration_minutes, status, week, theme) \
             SELECT id, $2, position, scheduled_time, duration_minutes, status, week, theme \
             FROM UNNEST($1::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::text[]) \
             AS u(id, position, scheduled_time, duration_minutes, status, week, theme)",
        )
        .bind(&ids)
        .bind(&t.id)
        .bind(&positions)
        .bind(&times)
        .bind(&durations)
        .bind(&statuses)
        .bind(&weeks)
        .bind(&themes)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn task(db: &PgPool, id: &str) -> StoreResult<TaskRecord> {
    let row = sqlx::query("SELECT * FROM tasks WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    let mut tasks = [task_from_row(&row)?];
    load_sessions(db, &mut tasks).await?;
    let [task] = tasks;
    Ok(task)
}

pub(super) async fn list_tasks(db: &PgPool, f: &TaskFilter) -> StoreResult<Page<TaskRecord>> {
    let mut qb = QueryBuilder::<Postgres>::new("SELECT * FROM tasks WHERE 1 = 1");
    if let Some(agent) = &f.agent_id {
        qb.push(" AND agent_id = ").push_bind(agent.clone());
    }
    if let Some(host) = &f.host_id {
        qb.push(" AND (status = 'open' OR id IN (SELECT task_id FROM task_hosts WHERE human_id = ")
            .push_bind(host.clone())
            .push("))");
    }
    if let Some(status) = &f.status {
        qb.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(before) = f.before_seq {
        qb.push(" AND seq < ").push_bind(before);
    }
    qb.push(" ORDER BY seq DESC LIMIT ")
        .push_bind(i64::from(f.limit) + 1);
    let rows = qb.build().fetch_all(db).await?;
    let more = rows.len() > f.limit as usize;
    let mut data = rows
        .iter()
        .take(f.limit as usize)
        .map(task_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    load_sessions(db, &mut data).await?;
    let next = if more {
        data.last().map(|t| t.seq)
    } else {
        None
    };
    Ok(Page { data, next })
}

pub(super) async fn tasks_without_terms(
    db: &PgPool,
    after_seq: i64,
    limit: u32,
) -> StoreResult<Vec<(i64, String, Value)>> {
    let rows = sqlx::query(
        "SELECT seq, id, body FROM tasks WHERE terms IS NULL AND seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after_seq)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("seq")?,
                r.try_get("id")?,
                json(r.try_get("body")?)?,
            ))
        })
        .collect()
}

pub(super) async fn fill_task_terms(db: &PgPool, terms: &[(String, String)]) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    for (id, t) in terms {
        sqlx::query("UPDATE tasks SET terms = $1 WHERE id = $2 AND terms IS NULL")
            .bind(t.as_str())
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn session_task(db: &PgPool, session_id: &str) -> StoreResult<TaskRecord> {
    let task_id: String = sqlx::query_scalar("SELECT task_id FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_one(db)
        .await?;
    task(db, &task_id).await
}

pub(super) async fn task_hosts(db: &PgPool, task_id: &str) -> StoreResult<Vec<TaskHost>> {
    let rows =
        sqlx::query("SELECT human_id, role FROM task_hosts WHERE task_id = $1 ORDER BY created_at")
            .bind(task_id)
            .fetch_all(db)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(TaskHost {
                human_id: r.try_get("human_id")?,
                role: r.try_get("role")?,
            })
        })
        .collect()
}
