//! The `livehire` binary.
#![forbid(unsafe_code)]

use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use livehire_server::app::{DemoHost, NewAgent, NewHost};
use livehire_server::{App, Application, Settings};
use livehire_sim::hosts;
use livehire_store::SqliteStore;

mod simulate;

/// mimalloc rather than the system allocator: request handling allocates and
/// frees many small buffers across worker threads, and glibc's arenas spend a
/// measurable share of the time on lock contention under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// livehire: hire TikTok live-commerce hosts, run monitored sessions, pay from verified results.
#[derive(Parser)]
#[command(name = "livehire", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LIVEHIRE_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Database URL (`sqlite://PATH`, created if missing).
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
        /// Database URL.
        #[arg(
            long,
            env = "LIVEHIRE_DATABASE_URL",
            default_value = "sqlite://livehire.db"
        )]
        database_url: String,
    },
    /// Drive a simulated (or recorded, `--replay`) live session against a running server.
    Simulate(simulate::SimulateArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LIVEHIRE_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .with_target(false)
        .init();
    match Cli::parse().command {
        Command::Serve {
            addr,
            database_url,
            demo,
            tiktok_shop_api_url,
            tiktok_shop_allow_private_urls,
            admin_token,
            open_registration,
            stream_end_grace_seconds,
        } => {
            let settings = Settings {
                admin_token,
                open_registration,
                stream_end_grace: std::time::Duration::from_secs(stream_end_grace_seconds),
                tiktok_shop_api_url,
                tiktok_shop_allow_private_urls,
                ..Settings::new(&addr, &database_url)
            };
            serve(settings, demo).await
        }
        Command::Seed {
            hosts,
            database_url,
        } => {
            let store = SqliteStore::connect(&database_url)
                .await
                .with_context(|| format!("opening {database_url}"))?;
            let app = App::new(Arc::new(store.clone()));
            seed(&app, hosts, true).await?;
            store.close().await;
            Ok(())
        }
        Command::Simulate(args) => simulate::run(args).await,
    }
}

async fn serve(settings: Settings, demo_mode: bool) -> anyhow::Result<()> {
    let (addr, database_url) = (settings.addr.clone(), settings.database_url.clone());
    let application = Application::build(settings)
        .await
        .with_context(|| format!("starting on {addr} with {database_url}"))?;
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
        let base = format!("http://{}", application.local_addr()?);
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
