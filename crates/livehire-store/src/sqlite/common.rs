//! What every concern of the SQLite backend shares: stored JSON, constraint
//! errors, and one-trip scripts (a whole transaction sent to SQLite's thread
//! at once).

use sqlx::{QueryBuilder, Sqlite, SqlitePool};

pub(super) use crate::columns::{json, known};
use crate::*;

/// Most rows in one multi-row `INSERT`.
pub(super) const INSERT_CHUNK: usize = 128;

/// A stored status or kind as its enum (`parse` is the enum's own); a name
/// the enum does not know is corruption, named with its column.
pub(super) fn wire<T>(
    row: &sqlx::sqlite::SqliteRow,
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

/// Runs a `BEGIN; …; COMMIT` script built by the caller in one round trip to
/// SQLite's thread. Under load that thread waits for a core like any other,
/// so each round trip adds a few hundred microseconds to a group commit;
/// begin, insert and commit as separate calls were most of the writer's time.
/// If any statement fails the script stops there and the transaction is
/// rolled back, so nothing of the batch is kept.
pub(super) async fn one_trip(db: &SqlitePool, mut script: QueryBuilder<Sqlite>) -> StoreResult<()> {
    let mut conn = db.acquire().await?;
    if let Err(e) = script.build().execute(&mut *conn).await {
        // Leave no transaction open on the connection, whichever statement failed.
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
        return Err(e.into());
    }
    Ok(())
}

/// Starts a one-trip script (see [`one_trip`]); end it with [`end_script`].
pub(super) fn begin_script() -> QueryBuilder<Sqlite> {
    QueryBuilder::new("BEGIN; ")
}

/// Ends a one-trip script with its commit.
pub(super) fn end_script(script: &mut QueryBuilder<Sqlite>) {
    script.push("COMMIT;");
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
}
