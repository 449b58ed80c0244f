//! Tasks and their sessions: the group-commit writer that inserts them, and
//! the reads of tasks with their sessions and the hosts involved.

use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::common::{INSERT_CHUNK, begin_script, end_script, json, one_trip, wire};
pub(super) use crate::columns::feed;
use crate::*;

/// A task to insert, its body already serialised by the request (so the one
/// writer does no per-task JSON work), and where to answer.
pub(super) type TaskJob = (
    TaskRecord,
    String,
    tokio::sync::oneshot::Sender<StoreResult<()>>,
);

/// Most tasks committed in one transaction by the task writer.
const TASK_BATCH: usize = 512;

pub(super) fn task_from_row(row: &SqliteRow) -> StoreResult<TaskRecord> {
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

/// Group commit for task creation: every task queued while the previous batch
/// was committing goes into the next transaction, so one fsync serves many
/// requests. A batch that fails is retried task by task, so one bad row cannot
/// fail the others.
pub(super) async fn task_writer(
    db: SqlitePool,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<TaskJob>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < TASK_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let together = {
            let tasks: Vec<(&TaskRecord, &str)> = batch
                .iter()
                .map(|(t, body, _)| (t, body.as_str()))
                .collect();
            one_trip(&db, task_inserts(&tasks)).await
        };
        if together.is_ok() {
            for (_, _, reply) in batch {
                let _ = reply.send(Ok(()));
            }
            continue;
        }
        for (task, body, reply) in batch {
            let alone = one_trip(&db, task_inserts(&[(&task, body.as_str())])).await;
            let _ = reply.send(alone);
        }
    }
}

/// The script inserting many tasks and their sessions, each table with
/// multi-row statements of up to [`INSERT_CHUNK`] rows.
fn task_inserts(tasks: &[(&TaskRecord, &str)]) -> QueryBuilder<Sqlite> {
    let mut qb = begin_script();
    for chunk in tasks.chunks(INSERT_CHUNK) {
        qb.push(
            "INSERT INTO tasks (id, agent_id, status, title, currency, compensation_minor, deadline, body, \
             terms, assigned_human_id, created_at, updated_at) ",
        );
        qb.push_values(chunk, |mut b, (t, body)| {
            b.push_bind(t.id.as_str())
                .push_bind(t.agent_id.as_str())
                .push_bind(t.status.as_str())
                .push_bind(t.title.as_str())
                .push_bind(t.currency.as_str())
                .push_bind(t.compensation_minor)
                .push_bind(t.deadline.as_str())
                .push_bind(*body)
                .push_bind(t.terms.as_deref())
                .push_bind(t.assigned_human_id.as_deref())
                .push_bind(t.created_at.as_str())
                .push_bind(t.updated_at.as_str());
        });
        qb.push("; ");
    }
    let sessions: Vec<(&str, &SessionRecord)> = tasks
        .iter()
        .flat_map(|(t, _)| t.sessions.iter().map(move |s| (t.id.as_str(), s)))
        .collect();
    for chunk in sessions.chunks(INSERT_CHUNK) {
        qb.push(
            "INSERT INTO sessions (id, task_id, position, scheduled_time, duration_minutes, status, week, theme) ",
        );
        qb.push_values(chunk, |mut b, (task_id, s)| {
            b.push_bind(s.id.as_str())
                .push_bind(*task_id)
                .push_bind(s.position)
                .push_bind(s.scheduled_time.as_deref())
                .push_bind(s.duration_minutes)
                .push_bind(s.status.as_str())
                .push_bind(s.week)
                .push_bind(s.theme.as_deref());
        });
        qb.push("; ");
    }
    end_script(&mut qb);
    qb
}

async fn load_sessions(db: &SqlitePool, tasks: &mut [TaskRecord]) -> StoreResult<()> {
    if tasks.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
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

pub(super) async fn create_task(
    writer: &tokio::sync::mpsc::UnboundedSender<TaskJob>,
    task: &TaskRecord,
) -> StoreResult<()> {
    let (reply, done) = tokio::sync::oneshot::channel();
    let body = task.body.to_string();
    // The writer needs the columns, not the parsed body: send it without.
    let row = TaskRecord {
        id: task.id.clone(),
        seq: task.seq,
        agent_id: task.agent_id.clone(),
        status: task.status,
        title: task.title.clone(),
        currency: task.currency.clone(),
        compensation_minor: task.compensation_minor,
        deadline: task.deadline.clone(),
        body: Value::Null,
        terms: task.terms.clone(),
        assigned_human_id: task.assigned_human_id.clone(),
        escrow_minor: task.escrow_minor,
        agreed_base_minor: task.agreed_base_minor,
        created_at: task.created_at.clone(),
        updated_at: task.updated_at.clone(),
        sessions: task.sessions.clone(),
    };
    writer
        .send((row, body, reply))
        .map_err(|_| StoreError::Other(anyhow::anyhow!("task writer stopped")))?;
    done.await
        .map_err(|_| StoreError::Other(anyhow::anyhow!("task writer stopped")))?
}

pub(super) async fn task(db: &SqlitePool, id: &str) -> StoreResult<TaskRecord> {
    let row = sqlx::query("SELECT * FROM tasks WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    let mut tasks = [task_from_row(&row)?];
    load_sessions(db, &mut tasks).await?;
    let [task] = tasks;
    Ok(task)
}

pub(super) async fn list_tasks(db: &SqlitePool, f: &TaskFilter) -> StoreResult<Page<TaskRecord>> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT * FROM tasks WHERE 1 = 1");
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
    db: &SqlitePool,
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

pub(super) async fn fill_task_terms(
    db: &SqlitePool,
    terms: &[(String, String)],
) -> StoreResult<()> {
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

pub(super) async fn session_task(db: &SqlitePool, session_id: &str) -> StoreResult<TaskRecord> {
    let task_id: String = sqlx::query_scalar("SELECT task_id FROM sessions WHERE id = $1")
        .bind(session_id)
        .fetch_one(db)
        .await?;
    task(db, &task_id).await
}

pub(super) async fn task_hosts(db: &SqlitePool, task_id: &str) -> StoreResult<Vec<TaskHost>> {
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use sqlx::sqlite::SqliteConnectOptions;

    use super::*;
    use crate::SqliteStore;

    #[tokio::test]
    async fn tasks_from_before_0014_wait_for_terms_and_keep_the_first_ones_given() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        {
            // A database as the release before 0014 left it, with a task.
            let db = SqlitePool::connect_with(
                SqliteConnectOptions::from_str(&url)
                    .unwrap()
                    .create_if_missing(true),
            )
            .await
            .unwrap();
            let mut before = sqlx::migrate!("./migrations/sqlite");
            before.migrations = before
                .migrations
                .iter()
                .filter(|m| m.version < 14)
                .cloned()
                .collect::<Vec<_>>()
                .into();
            before.run(&db).await.unwrap();
            sqlx::query(
                "INSERT INTO agents (id, name, created_at) VALUES ('ph_agent_a', 'A', 't')",
            )
            .execute(&db)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO tasks (id, agent_id, status, title, currency, compensation_minor, deadline, \
                 body, created_at, updated_at) VALUES ('ph_task_old', 'ph_agent_a', 'open', 'Old', 'CNY', \
                 150000, 't', '{\"title\": \"Old\"}', 't', 't')",
            )
            .execute(&db)
            .await
            .unwrap();
            db.close().await;
        }
        let store = SqliteStore::connect(&url).await.unwrap();
        assert_eq!(store.task("ph_task_old").await.unwrap().terms, None);
        let waiting = store.tasks_without_terms(0, 10).await.unwrap();
        assert_eq!(waiting.len(), 1);
        let (seq, id, body) = &waiting[0];
        assert_eq!(id, "ph_task_old");
        assert_eq!(body["title"], "Old");
        assert!(
            store
                .tasks_without_terms(*seq, 10)
                .await
                .unwrap()
                .is_empty()
        );

        store
            .fill_task_terms(&[(id.clone(), r#"{"title":"Old"}"#.into())])
            .await
            .unwrap();
        store
            .fill_task_terms(&[(id.clone(), r#"{"title":"Later"}"#.into())])
            .await
            .unwrap();
        assert_eq!(
            store.task("ph_task_old").await.unwrap().terms.as_deref(),
            Some(r#"{"title":"Old"}"#)
        );
        assert!(store.tasks_without_terms(0, 10).await.unwrap().is_empty());

        // A task posted now carries its terms from the start.
        let mut posted = store.task("ph_task_old").await.unwrap();
        posted.id = "ph_task_new".into();
        posted.terms = Some(r#"{"title":"New"}"#.into());
        store.create_task(&posted).await.unwrap();
        assert_eq!(
            store.task("ph_task_new").await.unwrap().terms.as_deref(),
            Some(r#"{"title":"New"}"#)
        );
        store.close().await;
    }
}
