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

/// Everything a server starts with, given once to [`Application::build`].
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where to listen (`127.0.0.1:8080`; port 0 picks a free one).
    pub addr: String,
    /// The store (`sqlite://livehire.db`).
    pub database_url: String,
    /// The operator's admin token (at least 16 characters): verifies hosts'
    /// claims and, unless `open_registration`, closes self-service registration.
    pub admin_token: Option<String>,
    /// Keep self-service registration open although an admin token is set.
    pub open_registration: bool,
    /// TikTok Shop's API base URL for shops connected without their own.
    pub tiktok_shop_api_url: String,
    /// Let shops name a plain-http or private `api_base_url` (a local stand-in).
    pub tiktok_shop_allow_private_urls: bool,
    /// How long a host's stream may stay ended (as a connector reported it)
    /// before its live session ends by itself.
    pub stream_end_grace: std::time::Duration,
}

impl Settings {
    /// A server on `addr` over `database_url`, everything else as by default.
    pub fn new(addr: &str, database_url: &str) -> Settings {
        Settings {
            addr: addr.to_string(),
            database_url: database_url.to_string(),
            admin_token: None,
            open_registration: false,
            tiktok_shop_api_url: app::DEFAULT_TIKTOK_SHOP_API_URL.to_string(),
            tiktok_shop_allow_private_urls: false,
            stream_end_grace: app::DEFAULT_STREAM_END_GRACE,
        }
    }
}

/// A built application: bound, migrated, ready to serve.
pub struct Application {
    listener: TcpListener,
    app: App,
    sqlite: Option<SqliteStore>,
}

impl Application {
    /// Opens the store, applies the settings, binds the address and starts
    /// the background workers (`App::start_workers`).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let database_url = settings.database_url.as_str();
        let (store, sqlite): (Arc<dyn Store>, Option<SqliteStore>) =
            if database_url.starts_with("sqlite:") {
                let s = SqliteStore::connect(database_url).await?;
                (Arc::new(s.clone()), Some(s))
            } else {
                anyhow::bail!("unsupported database URL {database_url:?}: use sqlite://PATH");
            };
        if let Some(token) = &settings.admin_token {
            anyhow::ensure!(
                token.len() >= 16,
                "the admin token must be at least 16 characters"
            );
        }
        let listener = TcpListener::bind(&settings.addr).await?;
        let app = App::new(store);
        if let Some(token) = &settings.admin_token {
            if settings.open_registration {
                app.set_admin_token(token);
                tracing::info!("admin token set; self-service registration stays open");
            } else {
                app.close_registration(token);
                tracing::info!(
                    "self-service registration closed; registering needs the admin token"
                );
            }
        }
        app.set_tiktok_shop_api_url(&settings.tiktok_shop_api_url);
        app.allow_private_tiktok_shop_urls(settings.tiktok_shop_allow_private_urls);
        app.set_stream_end_grace(settings.stream_end_grace);
        app.start_workers();
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
        let router = http::router(self.app.clone());
        axum::serve(self.listener, router)
            .with_graceful_shutdown(shutdown)
            .await?;
        if let Some(s) = self.sqlite {
            s.close().await;
        }
        Ok(())
    }
}
