//! What every concern of the PostgreSQL backend shares: stored JSON,
//! constraint errors, advisory locks and the retry of a transaction that
//! PostgreSQL aborted to break a deadlock.

use std::future::Future;

use sqlx::PgConnection;

pub(super) use crate::columns::{json, known};
use crate::*;

/// A stored status or kind as its enum (`parse` is the enum's own); a name
/// the enum does not know is corruption, named with its column.
pub(super) fn wire<T>(
    row: &sqlx::postgres::PgRow,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> StoreResult<T> {
    use sqlx::Row;
    known(column, row.try_get(column)?, parse)
}

pub(super) fn unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// What an advisory lock serialises: each kind is a lock class of its own
/// (the first key of `pg_advisory_xact_lock(int, int)`).
#[derive(Clone, Copy)]
#[repr(i32)]
pub(super) enum Lock {
    /// Outbox inserts: ids are handed out, and committed, one writer at a time.
    Outbox = 1,
    /// An account's API keys while they rotate.
    Keys = 2,
    /// A TikTok shop's claims and proof.
    Shop = 3,
    /// An account's dashboard login.
    Login = 4,
}

/// Takes a transaction-scoped advisory lock on `key` of `kind`: held until
/// the transaction ends. Checks that SQLite's single writer made safe take
/// one where no row is there to lock.
pub(super) async fn lock(conn: &mut PgConnection, kind: Lock, key: &str) -> StoreResult<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(kind as i32)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether PostgreSQL aborted the transaction to break a deadlock or a
/// serialization conflict: running it again is safe and will succeed.
fn retryable(e: &StoreError) -> bool {
    let StoreError::Other(e) = e else {
        return false;
    };
    e.downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .and_then(|d| d.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}

/// Runs a whole transaction, again (a few times) when PostgreSQL aborted it
/// for a deadlock: two changes taking row locks in different orders (an
/// agent's balance and its escrow totals, say) is a deadlock SQLite's one
/// writer never met.
pub(super) async fn retry<T, F, Fut>(mut run: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut tries = 0;
    loop {
        match run().await {
            Err(e) if retryable(&e) && tries < 5 => {
                tries += 1;
                tracing::debug!(error = %e, tries, "transaction aborted by PostgreSQL; running it again");
                tokio::time::sleep(std::time::Duration::from_millis(2 << tries)).await;
            }
            other => return other,
        }
    }
}
