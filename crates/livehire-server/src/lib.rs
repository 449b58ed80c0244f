//! livehire's server: the service layer (`App`), the HTTP API and the
//! application that ties them to a listener.
#![forbid(unsafe_code)]

pub mod app;
pub mod error;
pub mod extract;
pub mod http;
pub mod live;
pub mod mcp;
pub mod obs;
pub mod reports;
pub mod server;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use livehire_store::{Backend, Store};
use tokio::net::TcpListener;

pub use app::App;
pub use http::ratelimit::{Class, Rate, RateLimits};
pub use server::ConnectionLimits;

/// Everything a server starts with, given once to [`Application::build`].
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where to listen (`127.0.0.1:8080`; port 0 picks a free one).
    pub addr: String,
    /// The store: `sqlite://livehire.db`, or `postgres://USER@HOST:PORT/DATABASE`.
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
    /// How long a shutdown may take: streams end at once, requests in flight
    /// get this long to finish, then what is left is closed.
    pub shutdown_grace: Duration,
    /// The connection cap and the header-read and idle timeouts.
    pub connections: ConnectionLimits,
    /// The rate limits (on by default; see [`RateLimits::default`]).
    pub rate_limits: RateLimits,
    /// Where clients reach this server (`https://livehire.example.com`):
    /// links it serves (`overlay_url`, `Location`) are absolute under it.
    /// Unset, they are relative to the address a client used.
    pub public_url: Option<String>,
    /// Origins browsers may call the API from (`https://app.example.com`,
    /// or `*` for any); empty, no CORS headers are sent.
    pub cors_origins: Vec<String>,
    /// The Bearer token `GET /metrics` asks for; unset, the metrics are open
    /// (keep the port private, or set one).
    pub metrics_token: Option<String>,
    /// Whether the rate limits are shared with other servers over the same
    /// database (`http::ratelimit`: counts exchanged every quarter second);
    /// `None`: when the store is shared (`Store::shared`: PostgreSQL), off on
    /// SQLite (one server a file, and a write every quarter second would
    /// take SQLite's single writer).
    pub share_rate_limits: Option<bool>,
    /// A header a trusted proxy in front sets to the client's IP
    /// (`X-Forwarded-For`, `X-Real-IP`): what per-IP limits key on. Unset,
    /// the connection's peer address is the client's.
    pub client_ip_header: Option<String>,
    /// Let webhook endpoints be plain http or private addresses (a receiver on
    /// this machine, as in tests); off by default.
    pub webhooks_allow_private_urls: bool,
    /// The waits between a failed webhook attempt and the next
    /// (`app::RETRY_DELAYS`; tests use short ones).
    pub webhook_retry_delays: Vec<std::time::Duration>,
    /// How long a host's stream may stay ended (as a connector reported it)
    /// before its live session ends by itself.
    pub stream_end_grace: std::time::Duration,
    /// The `Host` names the MCP endpoint (`/mcp`) accepts (`host` or
    /// `host:port`; `*` for any), against DNS rebinding. Empty: the
    /// loopback names and the public URL's host.
    pub mcp_allowed_hosts: Vec<String>,
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
            shutdown_grace: Duration::from_secs(10),
            connections: ConnectionLimits::default(),
            rate_limits: RateLimits::default(),
            share_rate_limits: None,
            client_ip_header: None,
            metrics_token: None,
            cors_origins: Vec::new(),
            public_url: None,
            webhooks_allow_private_urls: false,
            webhook_retry_delays: app::RETRY_DELAYS.to_vec(),
            stream_end_grace: app::DEFAULT_STREAM_END_GRACE,
            mcp_allowed_hosts: Vec::new(),
        }
    }
}

/// A built application: bound, migrated, ready to serve.
pub struct Application {
    listener: TcpListener,
    app: App,
    backend: Backend,
    settings: Settings,
}

impl Application {
    /// Opens the store, applies the settings, binds the address and starts
    /// the background workers (`App::start_workers`).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let database_url = settings.database_url.as_str();
        let backend = livehire_store::connect(database_url).await?;
        let store: Arc<dyn Store> = backend.store();
        if let Some(token) = &settings.admin_token {
            anyhow::ensure!(
                token.len() >= 16,
                "the admin token must be at least 16 characters"
            );
        }
        if let Some(url) = &settings.public_url {
            anyhow::ensure!(
                (url.starts_with("https://") || url.starts_with("http://"))
                    && url.len() > "https://".len()
                    && !url.contains(['?', '#', ' ']),
                "the public URL {url:?} is not an http(s) URL (https://livehire.example.com)"
            );
        }
        for origin in &settings.cors_origins {
            anyhow::ensure!(
                origin == "*"
                    || ((origin.starts_with("https://") || origin.starts_with("http://"))
                        && axum::http::HeaderValue::from_str(origin).is_ok()),
                "{origin:?} is not an origin (https://app.example.com, or *)"
            );
        }
        for host in &settings.mcp_allowed_hosts {
            anyhow::ensure!(
                host == "*"
                    || (!host.is_empty()
                        && axum::http::uri::Authority::try_from(host.as_str()).is_ok()
                        && !host.contains(['/', '@'])),
                "{host:?} is not a host name for the MCP endpoint (livehire.example.com, host:port, or *)"
            );
        }
        if let Some(h) = &settings.client_ip_header {
            axum::http::HeaderName::try_from(h.as_str())
                .map_err(|_| anyhow::anyhow!("{h:?} is not a header name"))?;
        }
        crate::obs::prometheus();
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
        app.configure_webhooks(app::WebhookSettings {
            allow_private_urls: settings.webhooks_allow_private_urls,
            retry_delays: settings.webhook_retry_delays.clone(),
            ..app::WebhookSettings::default()
        });
        app.set_stream_end_grace(settings.stream_end_grace);
        app.start_workers();
        tracing::info!(limits = %settings.rate_limits, "rate limits");
        Ok(Self {
            listener,
            app,
            backend,
            settings,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Where clients reach this server: the public URL when set, else
    /// `http://` and the bound address.
    pub fn base_url(&self) -> std::io::Result<String> {
        match &self.settings.public_url {
            Some(url) => Ok(url.trim_end_matches('/').to_string()),
            None => Ok(format!("http://{}", self.local_addr()?)),
        }
    }

    /// The service layer.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Serves until `shutdown` resolves, then shuts down within the grace
    /// (`Settings::shutdown_grace`): stops accepting, ends every event
    /// stream with a final `shutdown` event, lets requests in flight finish
    /// (closing what is left when the grace runs out), waits for the order
    /// writer to store what it was handed, stops the background workers and
    /// closes the store.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let mut ops = http::ops::Ops::new(stopping.clone());
        let share = self
            .settings
            .share_rate_limits
            .unwrap_or_else(|| self.app.store().shared());
        ops.limiter = http::ratelimit::Limiter::new(
            &self.settings.rate_limits,
            self.settings
                .client_ip_header
                .as_deref()
                .and_then(|h| axum::http::HeaderName::try_from(h).ok()),
        )
        .map(|l| if share { l.shared() } else { l });
        ops.metrics_token = self.settings.metrics_token.clone();
        ops.cors_origins = self.settings.cors_origins.clone();
        ops.mcp = mcp::McpSettings {
            allowed_hosts: self.settings.mcp_allowed_hosts.clone(),
            public_url: self.settings.public_url.clone(),
        };
        ops.public_url = self
            .settings
            .public_url
            .as_deref()
            .map(|u| Arc::from(u.trim_end_matches('/')));
        let ops = Arc::new(ops);
        let sharing = tokio::spawn(http::ratelimit::share(ops.clone(), self.app.clone()));
        let router = http::router(self.app.clone(), ops);
        let signal = tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
            stop
        });
        let grace = self.settings.shutdown_grace;
        let served = server::serve(
            self.listener,
            router,
            self.settings.connections.clone(),
            stopping,
            grace,
        )
        .await;
        if served.forced > 0 {
            tracing::warn!(
                connections = served.forced,
                "closed connections still busy when the shutdown grace ran out"
            );
        }
        // Whatever the grace left, and a moment at least: orders handed to
        // the writer before their requests ended are stored, not dropped.
        let rest = grace
            .saturating_sub(served.took)
            .max(Duration::from_secs(1));
        if !self.app.drain_orders(rest).await {
            tracing::warn!(
                pending = self.app.orders_pending(),
                "the order writer did not finish before the shutdown grace ran out"
            );
        }
        self.app.stop_workers();
        sharing.abort();
        self.backend.close().await;
        signal.abort();
        tracing::info!("stopped");
        Ok(())
    }
}
