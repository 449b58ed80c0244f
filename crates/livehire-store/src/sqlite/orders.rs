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
}

/// The thread that owns the order connection.
#[derive(Clone)]
pub(crate) struct OrderConnection {
    jobs: mpsc::Sender<Job>,
}

const INSERT: &str = "INSERT INTO flash_sale_orders (order_id, flash_sale_id, buyer_id, quantity, \
                      amount_minor, idempotency_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

impl OrderConnection {
    /// Opens the connection on the (already migrated) database file and
    /// starts its thread.
    pub(crate) fn open(path: &Path) -> anyhow::Result<Self> {
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
    pub(crate) async fn insert(
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

    /// Closes the connection once the batches already handed over are
    /// committed; later batches fail as stopped.
    pub(crate) async fn close(&self) {
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
