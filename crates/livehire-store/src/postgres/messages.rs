//! Messages between an agent and hosts about a task, in threads.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Row};

use crate::*;

fn message_from_row(row: &PgRow) -> StoreResult<MessageRecord> {
    Ok(MessageRecord {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        task_id: row.try_get("task_id")?,
        thread: row.try_get("thread")?,
        sender_kind: row.try_get("sender_kind")?,
        sender_id: row.try_get("sender_id")?,
        text: row.try_get("text")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(super) async fn add_message(
    db: &mut PgConnection,
    m: &MessageRecord,
) -> StoreResult<MessageRecord> {
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO messages (id, task_id, thread, sender_kind, sender_id, text, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
    )
    .bind(&m.id)
    .bind(&m.task_id)
    .bind(&m.thread)
    .bind(&m.sender_kind)
    .bind(&m.sender_id)
    .bind(&m.text)
    .bind(&m.created_at)
    .fetch_one(&mut *db)
    .await?;
    Ok(MessageRecord { seq, ..m.clone() })
}

pub(super) async fn list_messages(
    db: &PgPool,
    task_id: &str,
    threads: &[String],
    after: Option<i64>,
    limit: u32,
) -> StoreResult<Page<MessageRecord>> {
    let mut qb = QueryBuilder::<Postgres>::new("SELECT * FROM messages WHERE task_id = ");
    qb.push_bind(task_id.to_string());
    if !threads.is_empty() {
        qb.push(" AND thread IN (");
        let mut sep = qb.separated(", ");
        for t in threads {
            sep.push_bind(t.clone());
        }
        sep.push_unseparated(")");
    }
    if let Some(after) = after {
        qb.push(" AND seq > ").push_bind(after);
    }
    qb.push(" ORDER BY seq ASC LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let rows = qb.build().fetch_all(db).await?;
    let more = rows.len() > limit as usize;
    let data = rows
        .iter()
        .take(limit as usize)
        .map(message_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let next = if more {
        data.last().map(|m| m.seq)
    } else {
        None
    };
    Ok(Page { data, next })
}
