//! For tests (the `testing` feature): a PostgreSQL database of a test's own
//! on the server `LIVEHIRE_TEST_DATABASE_URL` names, dropped with it.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The variable that names the PostgreSQL server tests run on.
pub const TEST_DATABASE_URL: &str = "LIVEHIRE_TEST_DATABASE_URL";

/// The PostgreSQL server the tests run on (a database URL to connect to for
/// administration), if `LIVEHIRE_TEST_DATABASE_URL` names one.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(TEST_DATABASE_URL)
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A new, empty database on the test server, dropped (connections and all)
/// when this is dropped, also when the test failed.
#[derive(Debug)]
pub struct PgTestDatabase {
    /// The URL to open it with (the administration URL's query kept).
    pub url: String,
    admin: String,
    name: String,
}

impl PgTestDatabase {
    /// Creates `lh_<prefix>_<process>_<n>_<nanos>`. Panics, naming `test`,
    /// without a server: tests that need one are `#[ignore]`d and run only
    /// when asked for.
    pub async fn new(prefix: &str, test: &str) -> Self {
        let admin = postgres_admin_url().unwrap_or_else(|| {
            panic!("{test} needs {TEST_DATABASE_URL}=postgres://… (a PostgreSQL server)")
        });
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        // Ours: `lh_`, the caller's prefix (a literal) and digits.
        let name = format!(
            "lh_{prefix}_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("connecting to {TEST_DATABASE_URL}: {e}"));
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create a test database");
        let _ = conn.close().await;
        let (base, query) = match admin.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin.as_str(), String::new()),
        };
        let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
        Self {
            url: format!("{server}/{name}{query}"),
            admin,
            name,
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for PgTestDatabase {
    /// Drops the database from a thread with a runtime of its own (this may
    /// run inside a test's runtime), ending its connections.
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async move {
                let mut conn = PgConnection::connect(&admin).await?;
                sqlx::query(AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await?;
                conn.close().await?;
                Ok::<_, anyhow::Error>(())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("dropping the test database {}: {e}", self.name);
        }
    }
}
