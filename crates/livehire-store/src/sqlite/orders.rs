//! Flash-sale orders: the one write path that runs at tens of thousands of
//! rows a second, kept on a connection of its own.
//!
//! Orders are group-committed: the server hands over every order that queued
//! while the previous batch was committing. Through the pooled connection each
//! batch was a new multi-row statement (its length changes with the batch), so
//! SQLite parsed and planned most of them again. Here one thread owns one
//! connection with one prepared single-row insert, and runs a batch as
//! `BEGIN IMMEDIATE`, that insert once per order, and `COMMIT`, durable
//! (`synchronous = FULL`) before it answers.
//!
//! The caller holds the pooled writer connection while a batch runs (see
//! [`SqliteStore::insert_flash_orders`](crate::SqliteStore)), so this
//! connection and the pool never wait on each other for SQLite's write lock.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior, params};
use tokio::sync::oneshot;

use crate::{FlashOrderRecord, StoreError, StoreResult};

/// What the thread is asked to do.
enum Job {
    /// Commit a batch and hand it back with the outcome.
    Batch(
        Vec<FlashOrderRecord>,
        oneshot::Sender<(Vec<FlashOrderRecord>, rusqlite::Result<()>)>,
    ),
    /// Close the connection, then answer.
    Close(oneshot::Sender<()>),
    /// Answer whether the connection still reads its database.
    Ping(oneshot::Sender<rusqlite::Result<()>>),
}

/// The thread that owns the order connection.
#[derive(Clone)]
pub(super) struct OrderConnection {
    jobs: mpsc::Sender<Job>,
}

const INSERT: &str = "INSERT INTO flash_sale_orders (order_id, flash_sale_id, buyer_id, quantity, \
                      amount_minor, idempotency_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

impl OrderConnection {
    /// Opens the connection on the (already migrated) database file and
    /// starts its thread.
    pub(super) fn open(path: &Path) -> anyhow::Result<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // The same settings as the pool: WAL (already the file's mode),
        // fsync at every commit, foreign keys checked.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -16384)?;
        conn.prepare_cached(INSERT)?;
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("livehire-orders-db".into())
            .spawn(move || {
                let mut conn = conn;
                while let Ok(job) = rx.recv() {
                    match job {
                        Job::Batch(orders, reply) => {
                            let result = commit(&mut conn, &orders);
                            let _ = reply.send((orders, result));
                        }
                        Job::Ping(reply) => {
                            let _ = reply.send(conn.query_row("SELECT 1", [], |_| Ok(())));
                        }
                        Job::Close(done) => {
                            if let Err((_, e)) = conn.close() {
                                tracing::warn!(error = %e, "closing the order connection");
                            }
                            let _ = done.send(());
                            return;
                        }
                    }
                }
            })?;
        Ok(Self { jobs })
    }

    /// Commits the orders in one transaction; hands them back once durable.
    pub(super) async fn insert(
        &self,
        orders: Vec<FlashOrderRecord>,
    ) -> StoreResult<Vec<FlashOrderRecord>> {
        let (reply, done) = oneshot::channel();
        let stopped = || StoreError::Other(anyhow::anyhow!("the order connection has stopped"));
        self.jobs
            .send(Job::Batch(orders, reply))
            .map_err(|_| stopped())?;
        let (orders, result) = done.await.map_err(|_| stopped())?;
        result.map_err(|e| StoreError::Other(e.into()))?;
        Ok(orders)
    }

    /// Whether the thread answers and its connection reads the database.
    pub(super) async fn ping(&self) -> Result<(), String> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Ping(reply))
            .map_err(|_| "the order connection has stopped".to_string())?;
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("the order connection has stopped".into()),
        }
    }

    /// Closes the connection once the batches already handed over are
    /// committed; later batches fail as stopped.
    pub(super) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.jobs.send(Job::Close(done)).is_ok() {
            let _ = closed.await;
        }
    }
}

/// One batch: all of it or (the transaction rolled back on drop) none of it.
fn commit(conn: &mut Connection, orders: &[FlashOrderRecord]) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    {
        let mut insert = tx.prepare_cached(INSERT)?;
        for o in orders {
            insert.execute(params![
                o.order_id,
                o.flash_sale_id,
                o.buyer_id,
                o.quantity,
                o.amount_minor,
                o.idempotency_key,
                o.created_at,
            ])?;
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use crate::*;

    async fn agents(store: &SqliteStore) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM agents")
            .fetch_one(&store.writer)
            .await
            .unwrap()
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
}
