//! Operating the PostgreSQL store: whether it can serve (readiness) and how
//! its pool is used.

use std::time::Duration;

use sqlx::PgPool;

use crate::PoolUse;

/// How long one readiness check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// One check, bounded by [`CHECK_TIMEOUT`]: a connection from the pool
/// answers a query and the database takes writes (not a read-only standby).
pub(super) async fn readiness(pool: &PgPool) -> Vec<(&'static str, Result<(), String>)> {
    let check = async {
        let read_only: String = sqlx::query_scalar("SHOW transaction_read_only")
            .fetch_one(pool)
            .await
            .map_err(|e| e.to_string())?;
        if read_only == "on" {
            return Err("the database is read-only (a standby?)".to_string());
        }
        Ok(())
    };
    let database = match tokio::time::timeout(CHECK_TIMEOUT, check).await {
        Ok(r) => r,
        Err(_) => Err(format!(
            "the database did not answer within {CHECK_TIMEOUT:?}"
        )),
    };
    vec![("database", database)]
}

/// The pool's connections, open and idle.
pub(super) fn pool_use(pool: &PgPool) -> Vec<PoolUse> {
    vec![PoolUse {
        pool: "postgres",
        open: pool.size(),
        idle: pool.num_idle() as u32,
        max: pool.options().get_max_connections(),
    }]
}
