//! The embedded SQLite backend: one file, WAL mode, a single writer connection
//! (SQLite serialises writers anyway; one connection avoids busy retries), a
//! small pool of readers, and a connection of its own for flash-sale orders
//! (`orders`), which writes only while it holds the writer.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use livehire_domain::search::HostQuery;
use serde_json::Value;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use crate::*;
use hosts::host_from_row;
use orders::OrderConnection;

mod hiring;
mod hosts;
mod live;
mod orders;
mod shop;

/// The SQLite store (its hiring and money queries live in `hiring`).
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    tasks: tokio::sync::mpsc::UnboundedSender<TaskJob>,
    orders: OrderConnection,
}

/// A task to insert, its body already serialised by the request (so the one
/// writer does no per-task JSON work), and where to answer.
type TaskJob = (
    TaskRecord,
    String,
    tokio::sync::oneshot::Sender<StoreResult<()>>,
);

/// Most tasks committed in one transaction by the task writer.
const TASK_BATCH: usize = 512;

impl SqliteStore {
    /// Opens (creating if missing) the database file at `url`
    /// (`sqlite://path`) and applies migrations. An in-memory database is
    /// refused: the store opens several connections to one file.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            anyhow::bail!(
                "the embedded store needs a database file (sqlite://path/to/livehire.db), \
                 not an in-memory database: its readers, writer and order connection share one file"
            );
        }
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-16384")
            .pragma("temp_store", "memory")
            .statement_cache_capacity(STATEMENT_CACHE);
        // An embedded connection cannot go stale, so no ping before each use:
        // on the writer that ping was one more round trip to SQLite's thread
        // inside every group commit.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let orders = OrderConnection::open(opts.get_filename())?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(opts.read_only(true))
            .await?;
        let (tasks, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(task_writer(writer.clone(), rx));
        Ok(Self {
            writer,
            reader,
            tasks,
            orders,
        })
    }

    /// Closes every connection, the writer last, flushing the WAL.
    pub async fn close(&self) {
        self.orders.close().await;
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Most rows in one multi-row `INSERT`.
pub(crate) const INSERT_CHUNK: usize = 128;

/// Prepared statements kept per connection. Group-commit inserts have one
/// shape per batch length (up to [`INSERT_CHUNK`] for tasks and sessions),
/// so the writer keeps them all rather than parse and plan a
/// statement again for most batches; splitting batches into a few fixed
/// lengths instead costs more round trips to SQLite's thread per commit.
const STATEMENT_CACHE: usize = 2 * INSERT_CHUNK + 128;

pub(crate) fn json(text: &str) -> StoreResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("stored JSON is corrupt: {e}")))
}

fn task_from_row(row: &SqliteRow) -> StoreResult<TaskRecord> {
    Ok(TaskRecord {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        agent_id: row.try_get("agent_id")?,
        status: row.try_get("status")?,
        title: row.try_get("title")?,
        currency: row.try_get("currency")?,
        compensation_minor: row.try_get("compensation_minor")?,
        deadline: row.try_get("deadline")?,
        body: json(row.try_get("body")?)?,
        assigned_human_id: row.try_get("assigned_human_id")?,
        escrow_minor: row.try_get("escrow_minor")?,
        agreed_base_minor: row.try_get("agreed_base_minor")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        sessions: Vec::new(),
    })
}

fn message_from_row(row: &SqliteRow) -> StoreResult<MessageRecord> {
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

/// Group commit for task creation: every task queued while the previous batch
/// was committing goes into the next transaction, so one fsync serves many
/// requests. A batch that fails is retried task by task, so one bad row cannot
/// fail the others.
async fn task_writer(db: SqlitePool, mut rx: tokio::sync::mpsc::UnboundedReceiver<TaskJob>) {
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

/// Runs a `BEGIN; …; COMMIT` script built by the caller in one round trip to
/// SQLite's thread. Under load that thread waits for a core like any other,
/// so each round trip adds a few hundred microseconds to a group commit;
/// begin, insert and commit as separate calls were most of the writer's time.
/// If any statement fails the script stops there and the transaction is
/// rolled back, so nothing of the batch is kept.
pub(crate) async fn one_trip(db: &SqlitePool, mut script: QueryBuilder<Sqlite>) -> StoreResult<()> {
    let mut conn = db.acquire().await?;
    if let Err(e) = script.build().execute(&mut *conn).await {
        // Leave no transaction open on the connection, whichever statement failed.
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return Err(e.into());
    }
    Ok(())
}

/// Starts a one-trip script (see [`one_trip`]); end it with [`end_script`].
pub(crate) fn begin_script() -> QueryBuilder<Sqlite> {
    QueryBuilder::new("BEGIN; ")
}

/// Ends a one-trip script with its commit.
pub(crate) fn end_script(script: &mut QueryBuilder<Sqlite>) {
    script.push("COMMIT;");
}

/// The script inserting many tasks and their sessions, each table with
/// multi-row statements of up to [`INSERT_CHUNK`] rows.
fn task_inserts(tasks: &[(&TaskRecord, &str)]) -> QueryBuilder<Sqlite> {
    let mut qb = begin_script();
    for chunk in tasks.chunks(INSERT_CHUNK) {
        qb.push(
            "INSERT INTO tasks (id, agent_id, status, title, currency, compensation_minor, deadline, body, \
             assigned_human_id, created_at, updated_at) ",
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

impl SqliteStore {
    async fn load_sessions(&self, tasks: &mut [TaskRecord]) -> StoreResult<()> {
        if tasks.is_empty() {
            return Ok(());
        }
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT id, task_id, position, scheduled_time, duration_minutes, status, week, theme, \
             started_at, ended_at FROM sessions WHERE task_id IN (",
        );
        let mut sep = qb.separated(", ");
        for t in tasks.iter() {
            sep.push_bind(t.id.clone());
        }
        sep.push_unseparated(") ORDER BY task_id, position");
        let rows = qb.build().fetch_all(&self.reader).await?;
        for r in rows {
            let task_id: String = r.try_get("task_id")?;
            if let Some(t) = tasks.iter_mut().find(|t| t.id == task_id) {
                t.sessions.push(SessionRecord {
                    id: r.try_get("id")?,
                    position: r.try_get("position")?,
                    scheduled_time: r.try_get("scheduled_time")?,
                    duration_minutes: r.try_get("duration_minutes")?,
                    status: r.try_get("status")?,
                    week: r.try_get("week")?,
                    theme: r.try_get("theme")?,
                    started_at: r.try_get("started_at")?,
                    ended_at: r.try_get("ended_at")?,
                });
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_agent(&self, agent: &AgentRecord, key_digest: &str) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
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

    async fn agent(&self, id: &str) -> StoreResult<AgentRecord> {
        let row = sqlx::query(
            "SELECT id, name, description, contact_email, created_at FROM agents WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        Ok(AgentRecord {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            description: row.try_get("description")?,
            contact_email: row.try_get("contact_email")?,
            created_at: row.try_get("created_at")?,
        })
    }

    async fn caller_by_key(&self, digest: &str) -> StoreResult<Option<Caller>> {
        let row = sqlx::query(
            "SELECT owner_kind, owner_id FROM api_keys WHERE digest = $1 AND revoked_at IS NULL",
        )
        .bind(digest)
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let kind: String = row.try_get("owner_kind")?;
        Ok(CallerKind::parse(&kind).map(|kind| Caller {
            kind,
            id: row.try_get("owner_id").unwrap_or_default(),
        }))
    }

    async fn rotate_key(
        &self,
        owner: &Caller,
        new_digest: &str,
        now: &str,
    ) -> StoreResult<Vec<String>> {
        let mut tx = self.writer.begin().await?;
        let revoked: Vec<String> = sqlx::query_scalar(
            "UPDATE api_keys SET revoked_at = $1 WHERE owner_id = $2 AND revoked_at IS NULL RETURNING digest",
        )
        .bind(now)
        .bind(&owner.id)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO api_keys (digest, owner_kind, owner_id, created_at) VALUES ($1, $2, $3, $4)")
            .bind(new_digest)
            .bind(owner.kind.as_str())
            .bind(&owner.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(revoked)
    }

    async fn create_host(&self, host: &HostWrite, key_digest: &str) -> StoreResult<()> {
        let exists: Option<i64> = sqlx::query_scalar("SELECT seq FROM hosts WHERE id = $1")
            .bind(&host.id)
            .fetch_optional(&self.reader)
            .await?;
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "host {} already exists",
                host.id
            )));
        }
        self.write_hosts(std::slice::from_ref(host), Some(key_digest))
            .await?;
        Ok(())
    }

    async fn upsert_hosts(&self, hosts: &[HostWrite]) -> StoreResult<u64> {
        self.write_hosts(hosts, None).await
    }

    async fn update_host(&self, host: &HostWrite) -> StoreResult<()> {
        self.write_hosts(std::slice::from_ref(host), None).await?;
        Ok(())
    }

    async fn host(&self, id: &str) -> StoreResult<HostRecord> {
        let row =
            sqlx::query("SELECT id, seq, profile, created_at, updated_at FROM hosts WHERE id = $1")
                .bind(id)
                .fetch_one(&self.reader)
                .await?;
        host_from_row(&row)
    }

    async fn hosts_by_ids(&self, ids: &[String]) -> StoreResult<Vec<HostRecord>> {
        hosts::hosts_by_ids(&self.reader, ids).await
    }

    async fn search_hosts(&self, q: &HostQuery) -> StoreResult<HostPage> {
        hosts::search_hosts(&self.reader, q).await
    }

    async fn host_count(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hosts")
            .fetch_one(&self.reader)
            .await?;
        Ok(n as u64)
    }

    async fn all_hosts_for_index(&self) -> StoreResult<HostIndexSnapshot> {
        hosts::all_hosts_for_index(&self.reader).await
    }

    async fn hosts_for_index(&self, ids: &[String]) -> StoreResult<Vec<HostIndexRow>> {
        hosts::hosts_for_index(&self.reader, ids).await
    }

    async fn host_seqs(&self, ids: &[String]) -> StoreResult<Vec<(String, i64)>> {
        hosts::host_seqs(&self.reader, ids).await
    }

    async fn session_task(&self, session_id: &str) -> StoreResult<TaskRecord> {
        let task_id: String = sqlx::query_scalar("SELECT task_id FROM sessions WHERE id = $1")
            .bind(session_id)
            .fetch_one(&self.reader)
            .await?;
        self.task(&task_id).await
    }

    async fn append_events(&self, batch: &EventBatch, now: &str) -> StoreResult<()> {
        live::append_events(&self.writer, batch, now).await
    }

    async fn event_batches(&self, session_id: &str) -> StoreResult<Vec<StoredBatch>> {
        live::event_batches(&self.reader, session_id).await
    }

    async fn connector_msg_ids(&self, session_id: &str) -> StoreResult<Vec<String>> {
        live::connector_msg_ids(&self.reader, session_id).await
    }

    async fn create_flash_sale(&self, sale: &FlashSaleRecord) -> StoreResult<()> {
        live::create_flash_sale(&self.writer, sale).await
    }

    async fn flash_sale(&self, id: &str) -> StoreResult<FlashSaleRecord> {
        live::flash_sales(&self.reader, Some(id), None)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn session_flash_sales(&self, session_id: &str) -> StoreResult<Vec<FlashSaleRecord>> {
        live::flash_sales(&self.reader, None, Some(session_id)).await
    }

    async fn insert_flash_orders(
        &self,
        orders: Vec<FlashOrderRecord>,
    ) -> StoreResult<Vec<FlashOrderRecord>> {
        // Holding the pooled writer keeps every other write out while the
        // order connection commits, so neither waits on SQLite's write lock.
        let _writer = self.writer.acquire().await?;
        self.orders.insert(orders).await
    }

    async fn flash_orders(&self, flash_sale_id: &str) -> StoreResult<Vec<FlashOrderRecord>> {
        live::flash_orders(&self.reader, flash_sale_id).await
    }

    async fn flash_orders_page(
        &self,
        flash_sale_id: &str,
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<FlashOrderRecord>> {
        live::flash_orders_page(&self.reader, flash_sale_id, after, limit).await
    }

    async fn host_session_results(&self, human_id: &str) -> StoreResult<Vec<SessionResultRecord>> {
        let rows: Vec<(String, String, String, String, i64, String, String)> = sqlx::query_as(
            "SELECT session_id, task_id, human_id, currency, gmv_minor, figures, created_at \
             FROM session_results WHERE human_id = $1 ORDER BY created_at, session_id",
        )
        .bind(human_id)
        .fetch_all(&self.reader)
        .await?;
        rows.into_iter()
            .map(
                |(session_id, task_id, human_id, currency, gmv_minor, figures, created_at)| {
                    Ok(SessionResultRecord {
                        session_id,
                        task_id,
                        human_id,
                        currency,
                        gmv_minor,
                        figures: serde_json::from_str(&figures)
                            .map_err(|e| StoreError::Other(e.into()))?,
                        created_at,
                    })
                },
            )
            .collect()
    }

    async fn session_key(&self, digest: &str) -> StoreResult<Option<SessionKey>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT kind, session_id, agent_id FROM checkout_keys WHERE digest = $1 AND revoked_at IS NULL",
        )
        .bind(digest)
        .fetch_optional(&self.reader)
        .await?;
        Ok(row.map(|(kind, session_id, agent_id)| SessionKey {
            kind,
            session_id,
            agent_id,
        }))
    }

    async fn create_session_key(
        &self,
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
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn create_task(&self, task: &TaskRecord) -> StoreResult<()> {
        let (reply, done) = tokio::sync::oneshot::channel();
        let body = task.body.to_string();
        // The writer needs the columns, not the parsed body: send it without.
        let row = TaskRecord {
            id: task.id.clone(),
            seq: task.seq,
            agent_id: task.agent_id.clone(),
            status: task.status.clone(),
            title: task.title.clone(),
            currency: task.currency.clone(),
            compensation_minor: task.compensation_minor,
            deadline: task.deadline.clone(),
            body: Value::Null,
            assigned_human_id: task.assigned_human_id.clone(),
            escrow_minor: task.escrow_minor,
            agreed_base_minor: task.agreed_base_minor,
            created_at: task.created_at.clone(),
            updated_at: task.updated_at.clone(),
            sessions: task.sessions.clone(),
        };
        self.tasks
            .send((row, body, reply))
            .map_err(|_| StoreError::Other(anyhow::anyhow!("task writer stopped")))?;
        done.await
            .map_err(|_| StoreError::Other(anyhow::anyhow!("task writer stopped")))?
    }

    async fn task(&self, id: &str) -> StoreResult<TaskRecord> {
        let row = sqlx::query("SELECT * FROM tasks WHERE id = $1")
            .bind(id)
            .fetch_one(&self.reader)
            .await?;
        let mut tasks = [task_from_row(&row)?];
        self.load_sessions(&mut tasks).await?;
        let [task] = tasks;
        Ok(task)
    }

    async fn list_tasks(&self, f: &TaskFilter) -> StoreResult<Page<TaskRecord>> {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT * FROM tasks WHERE 1 = 1");
        if let Some(agent) = &f.agent_id {
            qb.push(" AND agent_id = ").push_bind(agent.clone());
        }
        if let Some(host) = &f.host_id {
            qb.push(
                " AND (status = 'open' OR id IN (SELECT task_id FROM task_hosts WHERE human_id = ",
            )
            .push_bind(host.clone())
            .push("))");
        }
        if let Some(status) = &f.status {
            qb.push(" AND status = ").push_bind(status.clone());
        }
        if let Some(before) = f.before_seq {
            qb.push(" AND seq < ").push_bind(before);
        }
        qb.push(" ORDER BY seq DESC LIMIT ")
            .push_bind(i64::from(f.limit) + 1);
        let rows = qb.build().fetch_all(&self.reader).await?;
        let more = rows.len() > f.limit as usize;
        let mut data = rows
            .iter()
            .take(f.limit as usize)
            .map(task_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        self.load_sessions(&mut data).await?;
        let next = if more {
            data.last().map(|t| t.seq)
        } else {
            None
        };
        Ok(Page { data, next })
    }

    async fn apply_task_change(&self, change: &TaskChange) -> StoreResult<()> {
        self.apply_change(change).await
    }

    async fn write_ledger(&self, entry: &LedgerWrite) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        hiring::write_entry(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn offers(&self, task_id: &str, kind: Option<&str>) -> StoreResult<Vec<OfferRecord>> {
        hiring::offers(&self.reader, task_id, kind).await
    }

    async fn host_invitations(
        &self,
        human_id: &str,
        before_id: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<HostInvitation>> {
        hiring::host_invitations(&self.reader, human_id, before_id, limit).await
    }

    async fn submissions(&self, task_id: &str) -> StoreResult<Vec<SubmissionRecord>> {
        hiring::submissions(&self.reader, task_id).await
    }

    async fn revisions(&self, task_id: &str) -> StoreResult<Vec<RevisionRecord>> {
        hiring::revisions(&self.reader, task_id).await
    }

    async fn payout(&self, task_id: &str) -> StoreResult<Option<PayoutRecord>> {
        hiring::payout(&self.reader, task_id).await
    }

    async fn rating(&self, task_id: &str) -> StoreResult<Option<RatingRecord>> {
        Ok(hiring::ratings(&self.reader, Some(task_id), None, 1)
            .await?
            .pop())
    }

    async fn host_ratings(&self, human_id: &str, limit: u32) -> StoreResult<Vec<RatingRecord>> {
        hiring::ratings(&self.reader, None, Some(human_id), limit).await
    }

    async fn run_of_show(&self, task_id: &str) -> StoreResult<Option<(Value, String, String)>> {
        hiring::run_of_show(&self.reader, task_id).await
    }

    async fn wallet(&self, agent_id: &str) -> StoreResult<Vec<WalletBalance>> {
        hiring::wallet(&self.reader, agent_id).await
    }

    async fn earnings(&self, human_id: &str) -> StoreResult<Vec<EarningsBalance>> {
        hiring::earnings(&self.reader, human_id).await
    }

    async fn ledger(
        &self,
        agent_id: Option<&str>,
        human_id: Option<&str>,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<LedgerRecord>> {
        hiring::ledger(&self.reader, agent_id, human_id, before_seq, limit).await
    }

    async fn task_hosts(&self, task_id: &str) -> StoreResult<Vec<TaskHost>> {
        let rows = sqlx::query(
            "SELECT human_id, role FROM task_hosts WHERE task_id = $1 ORDER BY created_at",
        )
        .bind(task_id)
        .fetch_all(&self.reader)
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

    async fn add_message(&self, m: &MessageRecord) -> StoreResult<MessageRecord> {
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
        .fetch_one(&self.writer)
        .await?;
        Ok(MessageRecord { seq, ..m.clone() })
    }

    async fn list_messages(
        &self,
        task_id: &str,
        threads: &[String],
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<MessageRecord>> {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT * FROM messages WHERE task_id = ");
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
        let rows = qb.build().fetch_all(&self.reader).await?;
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

    async fn idempotency_begin(
        &self,
        owner: &str,
        key: &str,
        request_hash: &str,
        now: &str,
    ) -> StoreResult<Option<IdempotencyEntry>> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (owner_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (owner_id, key) DO NOTHING",
        )
        .bind(owner)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .execute(&self.writer)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(None);
        }
        let row = sqlx::query("SELECT request_hash, status, body FROM idempotency_keys WHERE owner_id = $1 AND key = $2")
            .bind(owner)
            .bind(key)
            .fetch_one(&self.writer)
            .await?;
        let status: Option<i64> = row.try_get("status")?;
        let body: Option<Vec<u8>> = row.try_get("body")?;
        Ok(Some(IdempotencyEntry {
            request_hash: row.try_get("request_hash")?,
            response: status.map(|s| (s as u16, body.unwrap_or_default())),
        }))
    }

    async fn idempotency_finish(
        &self,
        owner: &str,
        key: &str,
        status: u16,
        body: &[u8],
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, body = $2 WHERE owner_id = $3 AND key = $4",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(owner)
        .bind(key)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn idempotency_abandon(&self, owner: &str, key: &str) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE owner_id = $1 AND key = $2 AND status IS NULL",
        )
        .bind(owner)
        .bind(key)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn idempotency_expire(&self, before: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    async fn connect_tiktok_shop(&self, shop: &TiktokShopRecord) -> StoreResult<TiktokShopRecord> {
        shop::connect_shop(&self.writer, shop).await
    }

    async fn tiktok_shop(&self, shop_id: &str) -> StoreResult<Option<TiktokShopRecord>> {
        shop::shop(&self.reader, shop_id).await
    }

    async fn tiktok_shop_claims(&self, shop_id: &str) -> StoreResult<Vec<TiktokShopRecord>> {
        shop::claims(&self.reader, shop_id).await
    }

    async fn prove_tiktok_shop_claim(
        &self,
        shop_id: &str,
        agent_id: &str,
        now: &str,
    ) -> StoreResult<TiktokShopProof> {
        shop::prove_claim(&self.writer, shop_id, agent_id, now).await
    }

    async fn tiktok_shops(&self, agent_id: &str) -> StoreResult<Vec<TiktokShopRecord>> {
        shop::shops(&self.reader, agent_id).await
    }

    async fn tiktok_shop_live_session(
        &self,
        agent_id: &str,
        shop_id: &str,
        at: &str,
    ) -> StoreResult<Option<String>> {
        shop::live_session(&self.reader, agent_id, shop_id, at).await
    }

    async fn tiktok_shop_order(
        &self,
        shop_id: &str,
        order_id: &str,
    ) -> StoreResult<Option<TiktokShopOrderRecord>> {
        shop::order(&self.reader, shop_id, order_id).await
    }

    async fn record_tiktok_shop_order(
        &self,
        order: &TiktokShopOrderRecord,
        events: Option<&EventBatch>,
    ) -> StoreResult<Option<TiktokShopOrderRecord>> {
        shop::record_order(&self.writer, order, events).await
    }

    async fn cancel_tiktok_shop_order(
        &self,
        shop_id: &str,
        order_id: &str,
        from_status: &str,
        events: Option<&EventBatch>,
        now: &str,
    ) -> StoreResult<bool> {
        shop::cancel_order(&self.writer, shop_id, order_id, from_status, events, now).await
    }

    async fn tiktok_shop_notification_outcome(
        &self,
        shop_id: &str,
        notification_id: &str,
    ) -> StoreResult<Option<String>> {
        shop::notification_outcome(&self.reader, shop_id, notification_id).await
    }

    async fn log_tiktok_shop_notification(
        &self,
        notification: &TiktokShopNotification,
    ) -> StoreResult<()> {
        shop::log_notification(&self.writer, notification).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn agents(store: &SqliteStore) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM agents")
            .fetch_one(&store.writer)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_failing_statement_rolls_back_the_whole_one_trip_script() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        let agent = "INSERT INTO agents (id, name, created_at) VALUES ";

        let mut script = begin_script();
        script.push(agent);
        script.push("('ph_agent_a', 'a', '2026-11-25T00:00:00.000Z'); ");
        script.push(agent);
        script.push("('ph_agent_a', 'again', '2026-11-25T00:00:00.000Z'); ");
        end_script(&mut script);
        let err = one_trip(&store.writer, script).await.unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");
        assert_eq!(agents(&store).await, 0, "the first insert was rolled back");

        // The connection is left outside any transaction and takes the next script.
        let mut script = begin_script();
        script.push(agent);
        script.push("('ph_agent_b', 'b', '2026-11-25T00:00:00.000Z'); ");
        script.push(agent);
        script.push("('ph_agent_c', 'c', '2026-11-25T00:00:00.000Z'); ");
        end_script(&mut script);
        one_trip(&store.writer, script).await.unwrap();
        assert_eq!(agents(&store).await, 2);
        store.close().await;
    }

    fn order(id: &str, sale: &str) -> FlashOrderRecord {
        FlashOrderRecord {
            order_id: id.into(),
            flash_sale_id: sale.into(),
            buyer_id: "buyer-1".into(),
            quantity: 2,
            amount_minor: 19_800,
            idempotency_key: None,
            created_at: "2026-11-25T20:00:00.000Z".into(),
        }
    }

    async fn orders(store: &SqliteStore) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM flash_sale_orders")
            .fetch_one(&store.reader)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn an_order_batch_is_kept_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        {
            // A sale to order from, without the task and session it would hang from.
            let mut conn = store.writer.acquire().await.unwrap();
            sqlx::raw_sql(
                "PRAGMA foreign_keys = OFF; \
                 INSERT INTO flash_sales (id, session_id, task_id, product_id, currency, price_minor, \
                 stock, starts_at, ends_at, overlay_token, created_at) VALUES ('ph_fs_a', 'ph_sess_a', \
                 'ph_task_a', 'serum', 'CNY', 9900, 100, '2026-11-25T20:00:00Z', \
                 '2026-11-25T20:10:00Z', 't', '2026-11-25T20:00:00Z'); \
                 PRAGMA foreign_keys = ON;",
            )
            .execute(&mut *conn)
            .await
            .unwrap();
        }

        // A repeated order id fails the batch, and its first order goes too.
        let twice = vec![order("ph_ord_1", "ph_fs_a"), order("ph_ord_1", "ph_fs_a")];
        let err = store.insert_flash_orders(twice).await.unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");
        assert_eq!(orders(&store).await, 0);

        // So does an order for a sale that does not exist.
        let orphan = vec![
            order("ph_ord_1", "ph_fs_a"),
            order("ph_ord_2", "ph_fs_none"),
        ];
        let err = store.insert_flash_orders(orphan).await.unwrap_err();
        assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
        assert_eq!(orders(&store).await, 0);

        // Two orders with one Idempotency-Key in one sale: the key index holds.
        let keyed = |id: &str| FlashOrderRecord {
            idempotency_key: Some("k-1".into()),
            ..order(id, "ph_fs_a")
        };
        let err = store
            .insert_flash_orders(vec![keyed("ph_ord_1"), keyed("ph_ord_2")])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("UNIQUE"), "{err}");
        assert_eq!(orders(&store).await, 0);

        // The connection is usable after a failed batch, takes turns with the
        // pool's writes, and hands the orders back once they are stored.
        let batch = vec![order("ph_ord_1", "ph_fs_a"), order("ph_ord_2", "ph_fs_a")];
        let (stored, agent) = tokio::join!(
            store.insert_flash_orders(batch.clone()),
            sqlx::query(
                "INSERT INTO agents (id, name, created_at) VALUES ('ph_agent_a', 'a', 'now')"
            )
            .execute(&store.writer),
        );
        assert_eq!(stored.unwrap(), batch);
        agent.unwrap();
        assert_eq!(orders(&store).await, 2);
        assert_eq!(agents(&store).await, 1);
        let page = store.flash_orders_page("ph_fs_a", None, 10).await.unwrap();
        let ids: Vec<_> = page.data.iter().map(|o| o.order_id.as_str()).collect();
        assert_eq!(ids, ["ph_ord_1", "ph_ord_2"]);
        store.close().await;
    }

    #[tokio::test]
    async fn closing_checkpoints_the_wal_and_stops_taking_orders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("INSERT INTO agents (id, name, created_at) VALUES ('ph_agent_a', 'a', 'now')")
            .execute(&store.writer)
            .await
            .unwrap();
        let wal = dir.path().join("t.db-wal");
        assert!(wal.exists());
        store.close().await;
        // The last connection to close checkpoints the log and removes it.
        assert!(!wal.exists(), "the WAL outlived the store");
        let err = store
            .insert_flash_orders(vec![order("ph_ord_1", "ph_fs_a")])
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("closed") || err.to_string().contains("stopped"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn an_in_memory_database_is_refused_with_the_reason() {
        let err = SqliteStore::connect("sqlite::memory:").await.err().unwrap();
        assert!(err.to_string().contains("needs a database file"), "{err}");
    }
}
