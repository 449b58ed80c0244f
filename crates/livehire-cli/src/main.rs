//! The `livehire` binary.
#![forbid(unsafe_code)]

use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use livehire_server::app::{DemoHost, NewAgent, NewHost};
use livehire_server::{App, Application, Settings};
use livehire_sim::hosts;

mod client;
mod logs;
mod mcp;
mod simulate;

/// mimalloc rather than the system allocator: request handling allocates and
/// frees many small buffers across worker threads, and glibc's arenas spend a
/// measurable share of the time on lock contention under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// livehire: hire TikTok live-commerce hosts, run monitored sessions, pay from verified results.
#[derive(Parser)]
#[command(name = "livehire", version, after_help = client::EXIT_CODES)]
struct Cli {
    /// How logs are written to stderr: `text` (coloured only on a terminal,
    /// and not with NO_COLOR set) or `json` (one object a line). Which lines:
    /// LIVEHIRE_LOG (default `info,sqlx=warn`; the access lines are target
    /// `livehire::access`).
    #[arg(long, global = true, env = "LIVEHIRE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// The log line formats.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LIVEHIRE_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Database URL: `sqlite://PATH` (created if missing) or
        /// `postgres://USER@HOST:PORT/DATABASE` (the database must exist).
        #[arg(
            long,
            env = "LIVEHIRE_DATABASE_URL",
            default_value = "sqlite://livehire.db"
        )]
        database_url: String,
        /// Seed 1,000 demo hosts into an empty database and print keys for a demo
        /// agent and a demo host, so one person can play both sides.
        #[arg(long)]
        demo: bool,
        /// TikTok Shop API base URL, for shops connected without their own.
        #[arg(long, env = "LIVEHIRE_TIKTOK_SHOP_API_URL", default_value = livehire_server::app::DEFAULT_TIKTOK_SHOP_API_URL)]
        tiktok_shop_api_url: String,
        /// Let agents connect shops whose own API base URL is plain http or on
        /// this machine or network (a local stand-in of the TikTok Shop API).
        /// Off by default: such a URL would let any agent make the server
        /// call internal addresses.
        #[arg(long, env = "LIVEHIRE_TIKTOK_SHOP_ALLOW_PRIVATE_URLS")]
        tiktok_shop_allow_private_urls: bool,
        /// Let webhook endpoints be plain http or private addresses (a
        /// receiver on this machine or network). Off by default: such a URL
        /// would let any account make the server call internal addresses.
        #[arg(long, env = "LIVEHIRE_WEBHOOKS_ALLOW_PRIVATE_URLS")]
        webhooks_allow_private_urls: bool,
        /// The operator's admin token (at least 16 characters). It verifies
        /// hosts' TikTok Shop and badges (POST
        /// /api/v1/admin/humans/{human_id}/verification) and closes
        /// self-service registration: agents and hosts are then registered
        /// only with this token as the Bearer key (see --open-registration).
        #[arg(long, env = "LIVEHIRE_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Keep self-service registration open although an admin token is set
        /// (the token then only verifies hosts).
        #[arg(long, env = "LIVEHIRE_OPEN_REGISTRATION")]
        open_registration: bool,
        #[command(flatten)]
        ops: OpsArgs,
        /// Seconds a host's stream may stay ended (as a TikTok LIVE connector
        /// reported it) before the live session ends by itself; a host back
        /// within it continues the same session.
        #[arg(long, env = "LIVEHIRE_STREAM_END_GRACE_SECONDS", default_value_t = 300)]
        stream_end_grace_seconds: u64,
    },
    /// Load demo hosts: the seed's three plus N generated ones (idempotent).
    Seed {
        /// How many generated hosts.
        #[arg(long, default_value_t = 1000)]
        hosts: u64,
        /// Database URL (`sqlite://PATH` or `postgres://…`).
        #[arg(
            long,
            env = "LIVEHIRE_DATABASE_URL",
            default_value = "sqlite://livehire.db"
        )]
        database_url: String,
    },
    /// Back up the database to a new file, online: a server may keep running
    /// and writing. The copy is one consistent snapshot, compacted and checked.
    /// To restore: stop the server, remove the database file and its -wal and
    /// -shm files, put the backup in its place, start the server.
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        to: std::path::PathBuf,
        /// Database URL: the SQLite store's (`sqlite://PATH`); a PostgreSQL
        /// database is backed up with PostgreSQL's own tools.
        #[arg(
            long,
            env = "LIVEHIRE_DATABASE_URL",
            default_value = "sqlite://livehire.db"
        )]
        database_url: String,
    },
    /// Copy a SQLite store into a new, empty PostgreSQL database, then check
    /// the copy: every table's rows, and every ledger balance, equal on both
    /// sides. The copy is one transaction, committed only when the check
    /// passes; it reads one snapshot of the SQLite file, so stop the servers
    /// using it first (what they write later is not copied). Exits non-zero
    /// on any difference or error, leaving the PostgreSQL database empty.
    MigrateStore {
        /// The SQLite store to copy (`sqlite://PATH`); brought to this
        /// version's schema first, as `serve` would.
        #[arg(long)]
        from: String,
        /// The PostgreSQL database to fill (`postgres://USER@HOST:PORT/DATABASE`):
        /// it must exist and hold no rows; its schema is created as `serve`
        /// creates it.
        #[arg(long)]
        to: String,
        /// Rows per INSERT (fewer when the rows are large).
        #[arg(long, default_value_t = livehire_store::migrate::DEFAULT_BATCH_ROWS, value_parser = parse_batch_rows)]
        batch_rows: usize,
    },
    /// Drive a simulated (or recorded, `--replay`) live session against a running server.
    Simulate(simulate::SimulateArgs),
    #[command(flatten)]
    Client(client::Command),
    /// Serve MCP over stdio for agent hosts that launch a process: a bridge
    /// to a livehire server's /mcp, with your key. Logs go to stderr.
    Mcp(mcp::McpArgs),
}

/// How `serve` runs as a production service: shutdown and connections.
#[derive(clap::Args)]
struct OpsArgs {
    /// How long a shutdown (SIGTERM, Ctrl-C) may take: event streams end at
    /// once with a final `shutdown` event, requests in flight get this long
    /// to finish, then what is left is closed.
    #[arg(long, env = "LIVEHIRE_SHUTDOWN_GRACE", default_value = "10s", value_parser = parse_duration)]
    shutdown_grace: Duration,
    /// Most connections open at once. At the cap a new connection closes the
    /// one idle the longest; accepting waits only when every one is busy.
    /// Kept 64 below the open-file limit (`ulimit -n`), with a warning.
    #[arg(long, env = "LIVEHIRE_MAX_CONNECTIONS", default_value_t = 10_000)]
    max_connections: usize,
    /// Longest a client may take to send a request's head, from its first byte.
    #[arg(long, env = "LIVEHIRE_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    header_read_timeout: Duration,
    /// Longest a connection may stay open with no request in flight.
    #[arg(long, env = "LIVEHIRE_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    idle_timeout: Duration,
    /// Rate limits, on by default: `CLASS=RATE` or `CLASS=off` (repeat the
    /// flag or separate with commas), `off` for none. Classes:
    /// registration and auth_failures (per client IP), search, ingest,
    /// orders (account keys), checkout (checkout keys) and other (per key,
    /// or per client IP without one). RATE: N/s, N/min or N/h, optionally
    /// :BURST. Defaults: registration=10/min, auth_failures=30/min,
    /// search=30/s:60, ingest=50/s:100, orders=1000/s, checkout=off,
    /// other=50/s:100.
    #[arg(long, env = "LIVEHIRE_RATE_LIMIT", value_delimiter = ',')]
    rate_limit: Vec<String>,
    /// A header a trusted proxy in front sets to the client's IP
    /// (X-Forwarded-For: its last address; X-Real-IP), for the per-IP
    /// limits. Only behind such a proxy: a client could set it itself.
    #[arg(long, env = "LIVEHIRE_CLIENT_IP_HEADER")]
    client_ip_header: Option<String>,
    /// A token `GET /metrics` asks for as Bearer; without one the metrics
    /// are open to whoever reaches the port.
    #[arg(long, env = "LIVEHIRE_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// Where clients reach this server (https://livehire.example.com): links
    /// it serves (a flash sale's overlay_url, Location) are absolute under
    /// it. Set it behind a proxy or TLS terminator.
    #[arg(long, env = "LIVEHIRE_PUBLIC_URL")]
    public_url: Option<String>,
    /// An origin browsers may call the API from (`https://app.example.com`;
    /// `*` for any), repeated or comma-separated. None by default: no CORS.
    #[arg(long, env = "LIVEHIRE_CORS_ORIGIN", value_delimiter = ',')]
    cors_origin: Vec<String>,
    /// A `Host` name the MCP endpoint (/mcp) accepts (`host` or
    /// `host:port`; `*` for any), repeated or comma-separated: a guard
    /// against DNS rebinding. Default: localhost, 127.0.0.1, ::1 and the
    /// --public-url host.
    #[arg(long, env = "LIVEHIRE_MCP_ALLOWED_HOSTS", value_delimiter = ',')]
    mcp_allowed_host: Vec<String>,
}

impl OpsArgs {
    /// Applies these flags to `settings`.
    fn apply(self, settings: &mut Settings) -> anyhow::Result<()> {
        for spec in &self.rate_limit {
            settings
                .rate_limits
                .apply(spec)
                .map_err(|e| anyhow::anyhow!("--rate-limit: {e}"))?;
        }
        settings.client_ip_header = self.client_ip_header;
        settings.metrics_token = self.metrics_token;
        settings.cors_origins = self.cors_origin;
        settings.mcp_allowed_hosts = self.mcp_allowed_host;
        settings.public_url = self.public_url;
        settings.shutdown_grace = self.shutdown_grace;
        settings.connections = livehire_server::ConnectionLimits {
            max_connections: self.max_connections.max(1),
            header_read_timeout: self.header_read_timeout,
            idle_timeout: self.idle_timeout,
        };
        Ok(())
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    livehire_server::server::parse_duration(text)
}

fn parse_batch_rows(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n @ 1..=50_000) => Ok(n),
        _ => Err(format!("{text} is not a number of rows from 1 to 50000")),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let _flush_logs_on_exit = init_logs(cli.log_format);
    match cli.command {
        Command::Serve {
            addr,
            database_url,
            demo,
            tiktok_shop_api_url,
            tiktok_shop_allow_private_urls,
            webhooks_allow_private_urls,
            admin_token,
            open_registration,
            ops,
            stream_end_grace_seconds,
        } => {
            let mut settings = Settings {
                admin_token,
                open_registration,
                stream_end_grace: std::time::Duration::from_secs(stream_end_grace_seconds),
                tiktok_shop_api_url,
                tiktok_shop_allow_private_urls,
                webhooks_allow_private_urls,
                ..Settings::new(&addr, &database_url)
            };
            ops.apply(&mut settings)?;
            serve(settings, demo).await
        }
        Command::Seed {
            hosts,
            database_url,
        } => {
            let store = livehire_store::connect(&database_url)
                .await
                .with_context(|| {
                    format!("opening {}", livehire_store::redact_url(&database_url))
                })?;
            let app = App::new(store.store());
            seed(&app, hosts, true).await?;
            store.close().await;
            Ok(())
        }
        Command::Backup { to, database_url } => {
            if livehire_store::BackendKind::of(&database_url)?
                != livehire_store::BackendKind::Sqlite
            {
                anyhow::bail!(
                    "livehire backup copies the embedded SQLite store (sqlite://PATH); \
                     back a PostgreSQL database up with its own tools (pg_dump, or the server's \
                     continuous archiving)"
                );
            }
            let report = livehire_store::backup(&database_url, &to)
                .await
                .with_context(|| format!("backing up {database_url} to {}", to.display()))?;
            println!(
                "backed up {} to {} ({} bytes, integrity ok) in {:.1} s",
                report.from.display(),
                report.to.display(),
                report.bytes,
                report.took.as_secs_f64()
            );
            Ok(())
        }
        Command::MigrateStore {
            from,
            to,
            batch_rows,
        } => migrate_store(&from, &to, batch_rows).await,
        Command::Simulate(args) => simulate::run(args).await,
        Command::Client(command) => {
            let code = client::run(command).await;
            drop(_flush_logs_on_exit);
            std::process::exit(code)
        }
        Command::Mcp(args) => mcp::run(args).await,
    }
}

/// Logs go to stderr through a buffer (see [`logs`]); the guard writes out
/// what is left when dropped.
fn init_logs(format: LogFormat) -> logs::FlushOnDrop {
    use std::io::IsTerminal;
    let (writer, guard) = logs::BufferedStderr::start();
    let filter = tracing_subscriber::EnvFilter::try_from_env("LIVEHIRE_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    match format {
        LogFormat::Text => {
            let colour = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_target(false)
                .with_ansi(colour)
                .with_writer(writer)
                .init();
        }
        LogFormat::Json => {
            tracing_subscriber::fmt()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_env_filter(filter)
                .with_writer(writer)
                .init();
        }
    }
    guard
}

async fn serve(settings: Settings, demo_mode: bool) -> anyhow::Result<()> {
    let (addr, database_url) = (settings.addr.clone(), settings.database_url.clone());
    let application = Application::build(settings).await.with_context(|| {
        format!(
            "starting on {addr} with {}",
            livehire_store::redact_url(&database_url)
        )
    })?;
    if demo_mode {
        let app = application.app();
        if app.store().host_count().await? == 0 {
            seed(app, 1000, true).await?;
        }
        let reg = app
            .register_agent(NewAgent {
                name: "Demo brand agent".into(),
                description: Some("created by serve --demo".into()),
                contact_email: None,
            })
            .await
            .map_err(|e| anyhow::anyhow!("creating the demo agent: {e}"))?;
        let base = application.base_url()?;
        println!(
            "\nDemo agent {} — API key (shown once):\n  {}\n",
            reg.agent_id, reg.api_key
        );
        println!(
            "Try:\n  curl \"{base}/api/v1/humans?skills=live_streaming,sales_presentation,audience_engagement&platform=tiktok&sort=live_commerce_gmv\" \\\n    -H \"Authorization: Bearer {}\"\n",
            reg.api_key
        );
        let host = app
            .register_host(demo_host_profile()?)
            .await
            .map_err(|e| anyhow::anyhow!("creating the demo host: {e}"))?;
        // Demo hosts come verified, like the seed's (the operator's step,
        // done here for the newcomer).
        app.verify_host(
            &host.human_id,
            livehire_server::app::NewVerification {
                tiktok_shop_verified: Some(true),
                badges: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("verifying the demo host: {e}"))?;
        println!(
            "Demo host {} — API key (shown once):\n  {}\n",
            host.human_id, host.api_key
        );
        println!(
            "Invite the demo host as the agent (POST /api/v1/tasks/{{id}}/invitations {{\"human_id\": \"{}\"}}), then, as the host:\n  curl \"{base}/api/v1/me/invitations\" -H \"Authorization: Bearer {}\"\n",
            host.human_id, host.api_key
        );
    }
    let database_url = livehire_store::redact_url(&database_url);
    tracing::info!(addr = %application.local_addr()?, database_url, "livehire listening");
    application.run_until(shutdown_signal()).await
}

/// The demo host's profile: the seed's skincare host (eligible for the seed's
/// example tasks), under its own name and handle.
fn demo_host_profile() -> anyhow::Result<NewHost> {
    let serde_json::Value::Object(fields) = hosts::seed_hosts()[1].clone() else {
        anyhow::bail!("the seed's second host is not a JSON object");
    };
    let mut profile =
        NewHost::parse(fields).map_err(|e| anyhow::anyhow!("the demo host's profile: {e}"))?;
    profile.name = "Demo Host".into();
    // A handle belongs to one host: each run's demo host has its own.
    let suffix = livehire_domain::ids::random_base62(&mut rand::rng(), 8).to_lowercase();
    profile.tiktok_handle = Some(format!("@livehire_demo_{suffix}"));
    profile.bio =
        Some("A demo host created by serve --demo: use its key to play the host's side.".into());
    Ok(profile)
}

/// Upserts the seed's hosts and `n` generated ones in batches, with a progress bar.
async fn seed(app: &App, n: u64, progress: bool) -> anyhow::Result<()> {
    const BATCH: u64 = 2_000;
    let bar = if progress {
        ProgressBar::new(n + 3)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} hosts ({per_sec}, eta {eta})")
            .context("progress template")?
            .progress_chars("=> "),
    );
    bar.set_message("seeding");
    let seed_hosts = DemoHost::from_profiles(&hosts::seed_hosts()).map_err(anyhow::Error::msg)?;
    let mut new = app
        .upsert_demo_hosts(seed_hosts)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    bar.inc(3);
    let mut start = 1;
    while start <= n {
        let end = (start + BATCH - 1).min(n);
        let batch = tokio::task::spawn_blocking(move || {
            (start..=end)
                .map(|i| DemoHost::from_profile(&hosts::generated_host(i)))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?
        .map_err(anyhow::Error::msg)?;
        new += app
            .upsert_demo_hosts(batch)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        bar.inc(end - start + 1);
        start = end + 1;
    }
    bar.finish_with_message("seeded");
    println!(
        "{} hosts in the database ({new} new)",
        app.store().host_count().await?
    );
    Ok(())
}

/// `livehire migrate-store`: the copy with a progress bar (on a terminal),
/// then its report; an error when the check found a difference.
async fn migrate_store(from: &str, to: &str, batch_rows: usize) -> anyhow::Result<()> {
    use livehire_store::migrate::{self, MigrateOptions, Progress};
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:28} [{bar:40}] {pos}/{len} rows ({per_sec}, eta {eta})")
            .context("progress template")?
            .progress_chars("=> "),
    );
    bar.set_message("reading the schemas");
    let (from_shown, to_shown) = (
        livehire_store::redact_url(from),
        livehire_store::redact_url(to),
    );
    let report =
        migrate::sqlite_to_postgres(from, to, &MigrateOptions { batch_rows }, &mut |p| match p {
            Progress::Planned { rows, .. } => bar.set_length(rows),
            Progress::Table { name, .. } => bar.set_message(name.to_string()),
            Progress::Copied { rows } => bar.inc(rows),
            Progress::Verifying => bar.set_message("checking the copy"),
        })
        .await;
    bar.finish_and_clear();
    let report = report.with_context(|| format!("copying {from_shown} into {to_shown}"))?;

    let width = report
        .tables
        .iter()
        .map(|t| t.table.len())
        .max()
        .unwrap_or(5)
        .max(5);
    println!(
        "{:width$}  {:>12}  {:>12}  {:>12}",
        "table", "sqlite", "copied", "postgres"
    );
    for t in &report.tables {
        let flag = if t.source_rows == t.target_rows && t.copied_rows == t.source_rows as u64 {
            ""
        } else {
            "  MISMATCH"
        };
        println!(
            "{:width$}  {:>12}  {:>12}  {:>12}{flag}",
            t.table, t.source_rows, t.copied_rows, t.target_rows
        );
    }
    println!(
        "{:width$}  {:>12}  {:>12}  {:>12}",
        "total",
        report.tables.iter().map(|t| t.source_rows).sum::<i64>(),
        report.rows(),
        report.tables.iter().map(|t| t.target_rows).sum::<i64>()
    );
    for (what, rows) in &report.derived {
        println!("derived in PostgreSQL from the copied rows: {what} ({rows} rows)");
    }
    let sequences: Vec<String> = report
        .sequences
        .iter()
        .map(|s| match s.last_value {
            Some(v) => format!("{}.{} after {v}", s.table, s.column),
            None => format!("{}.{} from 1", s.table, s.column),
        })
        .collect();
    println!("sequences continue: {}", sequences.join(", "));
    println!(
        "ledger: {} account balances compared",
        report.ledger.accounts
    );
    for c in &report.ledger.currencies {
        println!(
            "  {}: {} entries, {} postings, {} debited, net {} (minor units)",
            c.currency, c.entries, c.postings, c.debits_minor, c.net_minor
        );
    }
    if !report.verified() {
        for m in &report.mismatches {
            eprintln!("mismatch: {m}");
        }
        anyhow::bail!(
            "the copy differs from {from_shown} ({} differences, above): rolled back, \
             {to_shown} is left empty",
            report.mismatches.len()
        );
    }
    println!(
        "verified: every table's rows and every ledger balance equal; copied {} rows from {from_shown} \
         into {to_shown} in {:.1} s",
        report.rows(),
        report.took.as_secs_f64()
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
