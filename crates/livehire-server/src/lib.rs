//! livehire's server: the service layer (`App`), the HTTP API and the
//! application that ties them to a listener.
#![forbid(unsafe_code)]

pub mod app;
pub mod error;
pub mod extract;
pub mod http;
pub mod live;
pub mod reports;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use livehire_store::{SqliteStore, Store};
use tokio::net::TcpListener;

pub use app::App;

/// A built application: bound, migrated, ready to serve.
pub struct Application {
    listener: TcpListener,
    app: App,
    sqlite: Option<SqliteStore>,
}

impl Application {
    /// Opens the store at `database_url` and binds `addr` (port 0 picks a free one).
    pub async fn build(addr: &str, database_url: &str) -> anyhow::Result<Self> {
        let (store, sqlite): (Arc<dyn Store>, Option<SqliteStore>) =
            if database_url.starts_with("sqlite:") {
                let s = SqliteStore::connect(database_url).await?;
                (Arc::new(s.clone()), Some(s))
            } else {
                anyhow::bail!("unsupported database URL {database_url:?}: use sqlite://PATH");
            };
        let listener = TcpListener::bind(addr).await?;
        let app = App::new(store);
        app.start_host_index();
        app.start_filling_task_terms();
        Ok(Self {
            listener,
            app,
            sqlite,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The service layer.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and
    /// closes the store.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let expiry = tokio::spawn(expire_idempotency_keys(self.app.clone()));
        let router = http::router(self.app.clone());
        axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown)
            .await?;
        expiry.abort();
        if let Some(s) = self.sqlite {
            s.close().await;
        }
        Ok(())
    }
}

/// Forgets idempotency keys older than 24 hours, hourly.
async fn expire_idempotency_keys(app: App) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let before = app::timestamp(app.now() - chrono::Duration::hours(24));
        if let Err(e) = app.store().idempotency_expire(&before).await {
            tracing::warn!(error = ?e, "expiring idempotency keys failed");
        }
    }
}
