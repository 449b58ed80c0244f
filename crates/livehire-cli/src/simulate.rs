//! `livehire simulate`: drives a realistic live session against a running
//! server, or replays a recorded one.
//!
//! The session comes from [`livehire_sim::session`] (a profile, a length
//! and a seed) or from an NDJSON file of native events (`--replay`). Events go
//! to `POST /sessions/{id}/events` in NDJSON batches as the simulated clock
//! passes them; each flash sale is started through the API when its time comes
//! and its buyers order through `POST /flash-sales/{id}/orders`, so stock,
//! sold-out and the per-buyer limit are the server's own.
//!
//! **Time.** The server measures a session on its own clock, from `start` to
//! `end`, so a session run `N` times faster than real time is sent compressed:
//! an event `t` simulated milliseconds in carries the time `start + ⌊t ÷ N⌋`
//! ([`simulation::compress`]), and a five-minute flash sale runs five minutes
//! ÷ `N` (plus the batch interval and two seconds of slack). Counts, orders, GMV
//! and the peak come out as simulated; durations (average watch time) come out
//! divided by `N`, and the summary multiplies them back. As fast as possible
//! (`--speed 0`) compresses by [`simulation::FAST_FACTOR`] (a simulated second
//! is a millisecond) and sends without sleeping; flash sales then run a minute.
//! A recording (`--record`) keeps the simulated times, so replaying it at
//! `--speed 1` is a real-time session.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use livehire_domain::ids;
use livehire_domain::live;
use livehire_domain::money::{self, Currency};
use livehire_sim::session::{self as simulation, AttemptOutcome, SimSession};
use serde_json::{Value, json};

/// Most events in one request (the server takes up to 50,000).
const MAX_BATCH: usize = 10_000;
/// A flash sale's length on the server's clock when sending as fast as possible.
const FAST_SALE_SECONDS: i64 = 60;

/// `livehire simulate` options.
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// The server's base URL.
    #[arg(
        long,
        env = "LIVEHIRE_BASE_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    base_url: String,
    /// An agent key (`ph_sk_…`) or the assigned host's key (`ph_hk_…`; flash-sale
    /// orders then go in as order events, since only agents order).
    #[arg(long, env = "LIVEHIRE_KEY", hide_env_values = true)]
    key: String,
    /// The session (`ph_sess_…`).
    #[arg(long)]
    session: String,
    /// What the session looks like (figures from the seed document).
    #[arg(long, default_value = "case-study-1", value_parser = clap::builder::PossibleValuesParser::new(simulation::PROFILES.map(|p| p.name)))]
    profile: String,
    /// Simulated length in minutes (default: the profile's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1440))]
    minutes: Option<u32>,
    /// Simulated minutes per real minute: 1 is real time, 0 as fast as possible.
    #[arg(long, default_value_t = 60.0)]
    speed: f64,
    /// Send without sleeping (same as `--speed 0`).
    #[arg(long)]
    as_fast_as_possible: bool,
    /// Random seed (default: from the clock, printed in the summary).
    #[arg(long)]
    seed: Option<u64>,
    /// The session's currency (default: the task's).
    #[arg(long)]
    currency: Option<String>,
    /// The session is already live: do not start it.
    #[arg(long)]
    no_start: bool,
    /// Leave the session live at the end.
    #[arg(long)]
    no_end: bool,
    /// Real milliseconds between event batches.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=600_000))]
    batch_ms: u64,
    /// Send the native NDJSON events of FILE (a recording) instead of generating a session.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["profile", "minutes", "seed", "record"])]
    replay: Option<PathBuf>,
    /// Write the generated session, flash-sale orders included, as NDJSON to FILE.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// Runs `livehire simulate`.
pub async fn run(args: SimulateArgs) -> anyhow::Result<()> {
    if !args.speed.is_finite() || args.speed < 0.0 {
        bail!("--speed must be 0 or more (1 = real time, 0 = as fast as possible)");
    }
    let fast = args.as_fast_as_possible || args.speed == 0.0;
    let factor = if fast {
        simulation::FAST_FACTOR
    } else {
        args.speed
    };
    let api = Api::new(&args.base_url, &args.key)?;
    let sid = args.session.as_str();

    let session = api
        .get(&format!("/api/v1/sessions/{sid}"))
        .await
        .with_context(|| format!("reading session {sid}"))?;
    let task = match session["task_id"].as_str() {
        Some(id) => api.get(&format!("/api/v1/tasks/{id}")).await.ok(),
        None => None,
    };
    let task_currency = task
        .as_ref()
        .and_then(|t| t["currency"].as_str())
        .map(str::to_string);
    let currency = match (&args.currency, &task_currency) {
        (Some(c), Some(t)) if c != t => {
            bail!("--currency {c}: the session's task is in {t}")
        }
        (Some(c), _) => c.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) => "CNY".to_string(),
    };
    let currency = Currency::parse(&currency).map_err(|e| anyhow::anyhow!("--currency: {e}"))?;

    let (plan, what) = match &args.replay {
        Some(path) => {
            let plan = Plan::from_file(path)?;
            let what = format!(
                "replay of {} ({} events over {})",
                path.display(),
                group(plan.events.len() as u64),
                minutes_text(plan.duration_ms)
            );
            (plan, what)
        }
        None => {
            let profile = simulation::profile(&args.profile)
                .with_context(|| format!("unknown profile {}", args.profile))?;
            let seed = args.seed.unwrap_or_else(|| now_ms() as u64);
            let opts = simulation::Options {
                minutes: args.minutes.unwrap_or(profile.minutes),
                seed,
                currency,
                products: task
                    .as_ref()
                    .map(|t| simulation::products_from_task(t, currency))
                    .unwrap_or_default(),
            };
            let sim = simulation::generate(profile, &opts);
            let what = format!(
                "{}, {} simulated minutes (seed {seed})",
                profile.name, opts.minutes
            );
            (Plan::from_sim(sim), what)
        }
    };

    let started_ms = if args.no_start {
        if session["status"] != "live" {
            bail!(
                "session {sid} is {}; --no-start needs a live session",
                session["status"]
            );
        }
        session["started_at"]
            .as_str()
            .and_then(|s| live::parse_ts(&json!(s)).ok())
            .unwrap_or_else(now_ms)
    } else {
        let started = api
            .post(&format!("/api/v1/sessions/{sid}/start"), &json!({}))
            .await
            .with_context(|| format!("starting session {sid} (use --no-start if it is live)"))?;
        started["started_at"]
            .as_str()
            .and_then(|s| live::parse_ts(&json!(s)).ok())
            .unwrap_or_else(now_ms)
    };
    let t0 = started_ms.max(now_ms());

    let speed_text = if fast {
        "as fast as possible".to_string()
    } else if factor == 1.0 {
        "in real time".to_string()
    } else {
        format!("at {factor}×")
    };
    eprintln!("livehire simulate: {what} {speed_text} into session {sid}");

    let mut driver = Driver {
        api: &api,
        session: sid,
        plan: &plan,
        currency,
        fast,
        factor,
        batch_ms: args.batch_ms,
        t0,
        host_key: args.key.starts_with(ids::HOST_KEY),
        stats: Stats {
            host_key: args.key.starts_with(ids::HOST_KEY),
            ..Stats::default()
        },
        recorded: args.record.as_ref().map(|_| Vec::new()),
        sale_ids: Vec::new(),
        watching: 0,
        sent_until: 0,
        stop: interrupt_flag(),
        interrupted: false,
    };
    driver.run().await?;
    let (sent_until, interrupted) = (driver.sent_until, driver.interrupted);
    let stats = std::mem::take(&mut driver.stats);
    if let (Some(path), Some(rec)) = (&args.record, driver.recorded.take()) {
        write_recording(path, rec)?;
    }

    // Wait for the server's clock to pass the last event sent, then end.
    let last = t0 + simulation::compress(sent_until, factor) + 20;
    let wait = last - now_ms();
    if wait > 0 {
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
    }
    if !args.no_end {
        api.post(&format!("/api/v1/sessions/{sid}/end"), &json!({}))
            .await
            .with_context(|| format!("ending session {sid}"))?;
    }
    let metrics = api
        .get(&format!("/api/v1/sessions/{sid}/metrics"))
        .await
        .context("reading the session's metrics")?;
    print_summary(
        &format!("{what} {speed_text}"),
        sid,
        &plan,
        &stats,
        &metrics,
        factor,
        currency,
    );
    if interrupted {
        println!(
            "interrupted at simulated minute {} of {}",
            sent_until / 60_000,
            (plan.duration_ms + 59_999) / 60_000
        );
    }
    if let Some(path) = &args.record {
        println!("recorded to {}", path.display());
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The plan: what to send when.

/// One flash sale's order attempt, in the plan.
struct AttemptStep {
    ts_ms: i64,
    sale: usize,
    attempt: usize,
}

/// Events (native JSON, `ts` rewritten when sent) and flash sales, by
/// simulated time (ms from the session's start).
struct Plan {
    duration_ms: i64,
    events: Vec<(i64, Value)>,
    sim: Option<SimSession>,
    attempts: Vec<AttemptStep>,
}

impl Plan {
    fn from_sim(sim: SimSession) -> Plan {
        let events = sim
            .events
            .iter()
            .map(|e| (e.ts_ms, live::to_json(e, sim.currency)))
            .collect();
        let mut attempts: Vec<AttemptStep> = sim
            .flash_sales
            .iter()
            .enumerate()
            .flat_map(|(sale, s)| {
                s.attempts
                    .iter()
                    .enumerate()
                    .map(move |(attempt, a)| AttemptStep {
                        ts_ms: a.ts_ms,
                        sale,
                        attempt,
                    })
            })
            .collect();
        attempts.sort_by_key(|a| (a.ts_ms, a.sale, a.attempt));
        Plan {
            duration_ms: sim.duration_ms,
            events,
            sim: Some(sim),
            attempts,
        }
    }

    /// Reads native NDJSON events; times are taken relative to the earliest.
    fn from_file(path: &PathBuf) -> anyhow::Result<Plan> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut events = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line)
                .with_context(|| format!("{}:{}: not JSON", path.display(), n + 1))?;
            let ts = match v.get("ts") {
                Some(ts) => live::parse_ts(ts)
                    .map_err(|e| anyhow::anyhow!("{}:{}: ts: {e}", path.display(), n + 1))?,
                None => bail!("{}:{}: ts: required", path.display(), n + 1),
            };
            events.push((ts, v));
        }
        if events.is_empty() {
            bail!("{}: no events", path.display());
        }
        events.sort_by_key(|e| e.0);
        let base = events[0].0;
        for e in &mut events {
            e.0 -= base;
        }
        Ok(Plan {
            duration_ms: events.last().map_or(0, |e| e.0),
            events,
            sim: None,
            attempts: Vec::new(),
        })
    }
}

// ---------------------------------------------------------------------------
// Sending.

#[derive(Default)]
struct Stats {
    requests: u64,
    sent: u64,
    accepted: u64,
    duplicates: u64,
    rejected: u64,
    rejections: Vec<String>,
    sales: u64,
    attempts: u64,
    orders_accepted: u64,
    sold_out: u64,
    limit_exceeded: u64,
    ended: u64,
    /// Answers other than the plan's.
    unexpected: u64,
    /// Flash-sale orders sent as order events (host key).
    as_events: u64,
    /// The key is a host's.
    host_key: bool,
    orders_sent: u64,
}

struct Driver<'a> {
    api: &'a Api,
    session: &'a str,
    plan: &'a Plan,
    currency: Currency,
    fast: bool,
    factor: f64,
    batch_ms: u64,
    t0: i64,
    host_key: bool,
    stats: Stats,
    /// (simulated ts, event) to write with `--record`.
    recorded: Option<Vec<(i64, Value)>>,
    sale_ids: Vec<String>,
    watching: i64,
    /// Simulated time up to which everything has been sent.
    sent_until: i64,
    /// Set by Ctrl-C.
    stop: Arc<AtomicBool>,
    /// Stopped by Ctrl-C.
    interrupted: bool,
}

impl Driver<'_> {
    /// The server-clock time of a simulated offset.
    fn real_ts(&self, offset: i64) -> i64 {
        self.t0 + simulation::compress(offset, self.factor)
    }

    async fn run(&mut self) -> anyhow::Result<()> {
        let plan = self.plan;
        let minutes = ((plan.duration_ms + 59_999) / 60_000).max(1) as u64;
        let bar = ProgressBar::new(minutes);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:40}] {pos}/{len} simulated min  {msg}  ({elapsed}, eta {eta})",
            )
            .context("progress template")?
            .progress_chars("=> "),
        );
        // The server's clock time `t0` is this instant.
        let origin = Instant::now() + Duration::from_millis((self.t0 - now_ms()).max(0) as u64);
        let (mut next_event, mut next_sale, mut next_attempt) = (0usize, 0usize, 0usize);
        let sales = plan.sim.as_ref().map_or(0, |s| s.flash_sales.len());
        let mut fast_clock = 0i64;
        loop {
            if self.stop.load(Ordering::SeqCst) {
                self.interrupted = true;
                break;
            }
            let sim_now = if self.fast {
                // A simulated minute at a time, skipping stretches with nothing to send.
                let next_due = [
                    plan.events.get(next_event).map(|e| e.0),
                    plan.attempts.get(next_attempt).map(|a| a.ts_ms),
                    (next_sale < sales).then(|| self.sale_at(next_sale)),
                ]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(plan.duration_ms);
                fast_clock = (fast_clock + 60_000).max(next_due).min(plan.duration_ms);
                fast_clock
            } else {
                let real = Instant::now().saturating_duration_since(origin).as_millis() as f64;
                ((real * self.factor) as i64).min(plan.duration_ms)
            };
            let mut extra: Vec<(i64, Value)> = Vec::new();
            while next_sale < sales && self.sale_at(next_sale) <= sim_now {
                self.start_sale(next_sale).await?;
                next_sale += 1;
            }
            while next_attempt < plan.attempts.len() && plan.attempts[next_attempt].ts_ms <= sim_now
            {
                let step = &plan.attempts[next_attempt];
                if let Some(e) = self.place(step.sale, step.attempt).await? {
                    extra.push(e);
                }
                next_attempt += 1;
            }
            let from = next_event;
            while next_event < plan.events.len() && plan.events[next_event].0 <= sim_now {
                next_event += 1;
            }
            let mut batch: Vec<(i64, Value)> = plan.events[from..next_event].to_vec();
            batch.append(&mut extra);
            for chunk in batch.chunks(MAX_BATCH) {
                self.send(chunk).await?;
            }
            self.sent_until = sim_now;
            bar.set_position((sim_now / 60_000) as u64);
            bar.set_message(format!(
                "{} watching · {} orders",
                group(self.watching.max(0) as u64),
                group(self.stats.orders_sent + self.stats.orders_accepted)
            ));
            if sim_now >= plan.duration_ms
                && next_event == plan.events.len()
                && next_attempt == plan.attempts.len()
            {
                break;
            }
            if !self.fast {
                tokio::time::sleep(Duration::from_millis(self.batch_ms)).await;
            }
        }
        bar.finish_and_clear();
        Ok(())
    }

    fn sale_at(&self, i: usize) -> i64 {
        self.plan
            .sim
            .as_ref()
            .map_or(i64::MAX, |s| s.flash_sales[i].at_ms)
    }

    async fn start_sale(&mut self, i: usize) -> anyhow::Result<()> {
        let Some(sim) = &self.plan.sim else {
            return Ok(());
        };
        let sale = &sim.flash_sales[i];
        let seconds = if self.fast {
            FAST_SALE_SECONDS
        } else {
            let ms = sale.duration_ms as f64 / self.factor + self.batch_ms as f64 + 2_000.0;
            (ms / 1000.0).ceil() as i64
        }
        .clamp(1, 14_400);
        let price = money::from_minor(sale.price_minor, self.currency).to_string();
        let body = json!({
            "product_id": sale.product_id,
            "price": price.parse::<serde_json::Number>().map_or(json!(price), Value::Number),
            "stock": sale.stock,
            "duration_seconds": seconds,
            "per_buyer_limit": sale.per_buyer_limit,
        });
        let created = self
            .api
            .post(
                &format!("/api/v1/sessions/{}/flash-sales", self.session),
                &body,
            )
            .await
            .with_context(|| format!("starting flash sale {} ({})", i + 1, sale.product_id))?;
        let id = created["id"]
            .as_str()
            .context("flash sale without an id")?
            .to_string();
        self.sale_ids.push(id);
        self.stats.sales += 1;
        Ok(())
    }

    /// Places one attempt; returns an order event to send instead when the
    /// key cannot order (a host key).
    async fn place(&mut self, sale: usize, attempt: usize) -> anyhow::Result<Option<(i64, Value)>> {
        let Some(sim) = &self.plan.sim else {
            return Ok(None);
        };
        let plan = &sim.flash_sales[sale].attempts[attempt];
        let sale_id = self.sale_ids[sale].clone();
        self.stats.attempts += 1;
        if self.host_key {
            if plan.outcome != AttemptOutcome::Accepted {
                return Ok(None);
            }
            self.stats.as_events += 1;
            let order_id = format!("{sale_id}-{attempt}");
            let e = sim.flash_order_event(sale, attempt, &order_id, Some(&sale_id));
            return Ok(Some((plan.ts_ms, live::to_json(&e, self.currency))));
        }
        let (status, body) = self
            .api
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/flash-sales/{sale_id}/orders"),
                Some(&json!({"buyer_id": plan.buyer_id, "quantity": plan.quantity})),
            )
            .await?;
        let code = body["error"]["code"].as_str().unwrap_or_default();
        let outcome = match (status, code) {
            (201, _) => {
                self.stats.orders_accepted += 1;
                if let Some(rec) = &mut self.recorded {
                    let order_id = body["order_id"].as_str().unwrap_or_default();
                    let mut e = sim.flash_order_event(sale, attempt, order_id, Some(&sale_id));
                    e.ts_ms = self.t0 + plan.ts_ms;
                    rec.push((plan.ts_ms, live::to_json(&e, self.currency)));
                }
                Some(AttemptOutcome::Accepted)
            }
            (409, "sold_out") => {
                self.stats.sold_out += 1;
                Some(AttemptOutcome::SoldOut)
            }
            (409, "limit_exceeded") => {
                self.stats.limit_exceeded += 1;
                Some(AttemptOutcome::LimitExceeded)
            }
            (410, _) => {
                self.stats.ended += 1;
                None
            }
            _ => bail!("flash-sale order: HTTP {status}: {}", error_text(&body)),
        };
        if outcome != Some(plan.outcome) {
            self.stats.unexpected += 1;
        }
        Ok(None)
    }

    /// Sends events (simulated times) as one NDJSON request.
    async fn send(&mut self, events: &[(i64, Value)]) -> anyhow::Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut body = String::with_capacity(events.len() * 128);
        for (offset, v) in events {
            let mut v = v.clone();
            v["ts"] = json!(live::format_ts(self.real_ts(*offset)));
            match v["type"].as_str() {
                Some("viewer_join") => self.watching += 1,
                Some("viewer_leave") => self.watching -= 1,
                Some("order") => self.stats.orders_sent += 1,
                _ => {}
            }
            body.push_str(&v.to_string());
            body.push('\n');
            if let Some(rec) = &mut self.recorded {
                let mut r = v;
                r["ts"] = json!(live::format_ts(self.t0 + offset));
                rec.push((*offset, r));
            }
        }
        let answer = self
            .api
            .ndjson(&format!("/api/v1/sessions/{}/events", self.session), body)
            .await
            .context("sending events")?;
        self.stats.requests += 1;
        self.stats.sent += events.len() as u64;
        self.stats.accepted += answer["accepted"].as_u64().unwrap_or(0);
        self.stats.duplicates += answer["duplicates"].as_u64().unwrap_or(0);
        if let Some(rejected) = answer["rejected"].as_array() {
            self.stats.rejected += rejected.len() as u64;
            for r in rejected.iter().take(5 - self.stats.rejections.len().min(5)) {
                self.stats
                    .rejections
                    .push(r["error"].as_str().unwrap_or_default().to_string());
            }
        }
        Ok(())
    }
}

/// A flag the first Ctrl-C sets (sending stops, the session is still ended
/// and summarised); a second one exits at once.
fn interrupt_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            flag.store(true, Ordering::SeqCst);
            eprintln!("\nstopping: ending the session (Ctrl-C again to quit now)");
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    stop
}

fn write_recording(path: &PathBuf, mut rec: Vec<(i64, Value)>) -> anyhow::Result<()> {
    rec.sort_by_key(|r| r.0);
    let mut text = String::with_capacity(rec.len() * 128);
    for (_, v) in &rec {
        text.push_str(&v.to_string());
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

// ---------------------------------------------------------------------------
// The summary.

fn print_summary(
    title: &str,
    session: &str,
    plan: &Plan,
    s: &Stats,
    m: &Value,
    factor: f64,
    currency: Currency,
) {
    println!("Simulated {title}, session {session}");
    println!(
        "  events           {} sent in {} requests: {} accepted, {} duplicates, {} rejected",
        group(s.sent),
        group(s.requests),
        group(s.accepted),
        group(s.duplicates),
        group(s.rejected)
    );
    for r in &s.rejections {
        println!("                   rejected: {r}");
    }
    if let Some(sim) = &plan.sim {
        if s.as_events > 0 || s.host_key {
            println!(
                "  flash sales      {} started, {} order attempts planned; the {} the server would accept sent as order events (a host key cannot order)",
                s.sales,
                group(s.attempts),
                group(s.as_events)
            );
        } else {
            println!(
                "  flash sales      {} started, {} order attempts: {} orders accepted, {} sold out, {} over the per-buyer limit, {} ended",
                s.sales,
                group(s.attempts),
                group(s.orders_accepted),
                group(s.sold_out),
                group(s.limit_exceeded),
                group(s.ended)
            );
        }
        if s.unexpected > 0 {
            println!(
                "                   {} answers differed from the plan (the sale ended early or stock changed)",
                group(s.unexpected)
            );
        }
        println!("  order events     {}", group(s.orders_sent));
        let p = sim.planned();
        println!(
            "  planned          {} unique viewers, {} orders, GMV {} {}",
            group(p.unique_viewers),
            group(p.orders),
            group_decimal(&money::from_minor(p.gmv_minor, sim.currency).to_string()),
            sim.currency
        );
    }
    let num = |k: &str| m[k].as_u64().unwrap_or(0);
    let text = |k: &str| match &m[k] {
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    };
    println!("Server metrics (GET /api/v1/sessions/{session}/metrics):");
    println!("  unique viewers   {}", group(num("unique_viewers")));
    println!(
        "  peak concurrent  {}",
        group(num("peak_concurrent_viewers"))
    );
    let watch: f64 = text("avg_watch_time_seconds").parse().unwrap_or(0.0);
    if factor == 1.0 {
        println!("  avg watch time   {:.1} min", watch / 60.0);
    } else {
        // The server gives tenths of a second: that many simulated minutes.
        let places = if 0.1 * factor / 60.0 >= 0.5 { 0 } else { 1 };
        println!(
            "  avg watch time   {watch:.1} s on the server's clock ≈ {:.places$} simulated min (×{factor})",
            watch * factor / 60.0
        );
    }
    println!(
        "  orders           {} ({} buyers, {} units)",
        group(num("orders")),
        group(num("buyers")),
        group(num("units"))
    );
    println!(
        "  GMV              {} {currency}",
        group_decimal(&text("gmv"))
    );
    let conversion: f64 = text("conversion_rate").parse().unwrap_or(0.0);
    println!("  conversion       {:.2} %", conversion * 100.0);
    println!(
        "  chat             {} messages, {} questions ({} answered), {} likes",
        group(num("chat_messages")),
        group(num("questions")),
        group(num("questions_answered")),
        group(num("likes"))
    );
}

/// `12345` → `12,345`.
fn group(n: u64) -> String {
    money::group_thousands(&n.to_string())
}

/// `247000.50` → `247,000.50`.
fn group_decimal(text: &str) -> String {
    money::group_thousands(text)
}

fn minutes_text(ms: i64) -> String {
    format!("{:.1} simulated minutes", ms as f64 / 60_000.0)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn error_text(body: &Value) -> String {
    match body["error"]["message"].as_str() {
        Some(m) => format!("{} ({})", m, body["error"]["code"].as_str().unwrap_or("")),
        None => body.to_string(),
    }
}

// ---------------------------------------------------------------------------
// HTTP.

struct Api {
    client: reqwest::Client,
    base: String,
    key: String,
}

impl Api {
    fn new(base: &str, key: &str) -> anyhow::Result<Api> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .context("building the HTTP client")?;
        Ok(Api {
            client,
            base: base.trim_end_matches('/').to_string(),
            key: key.to_string(),
        })
    }

    /// Sends the request `build` makes; over a rate limit (429), waits as
    /// long as `Retry-After` says and sends it again.
    async fn send(
        &self,
        path: &str,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> anyhow::Result<reqwest::Response> {
        let mut tries = 0;
        loop {
            let resp = build()
                .send()
                .await
                .with_context(|| format!("{}{path}", self.base))?;
            tries += 1;
            if resp.status() != reqwest::StatusCode::TOO_MANY_REQUESTS || tries == 20 {
                return Ok(resp);
            }
            let wait = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1)
                .clamp(1, 60);
            tokio::time::sleep(Duration::from_secs(wait)).await;
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let resp = self
            .send(path, || {
                let req = self
                    .client
                    .request(method.clone(), format!("{}{path}", self.base))
                    .bearer_auth(&self.key);
                match body {
                    Some(b) => req.json(b),
                    None => req,
                }
            })
            .await?;
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        Ok((status, body))
    }

    async fn checked(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let (status, v) = self.call(method, path, body).await?;
        if !(200..300).contains(&status) {
            bail!("{path}: HTTP {status}: {}", error_text(&v));
        }
        Ok(v)
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.checked(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.checked(reqwest::Method::POST, path, Some(body)).await
    }

    async fn ndjson(&self, path: &str, body: String) -> anyhow::Result<Value> {
        let resp = self
            .send(path, || {
                self.client
                    .post(format!("{}{path}", self.base))
                    .bearer_auth(&self.key)
                    .header(reqwest::header::CONTENT_TYPE, "application/x-ndjson")
                    .body(body.clone())
            })
            .await?;
        let status = resp.status().as_u16();
        let v = resp.json::<Value>().await.unwrap_or(Value::Null);
        if !(200..300).contains(&status) {
            bail!("{path}: HTTP {status}: {}", error_text(&v));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(12_500), "12,500");
        assert_eq!(group(1_234_567), "1,234,567");
        assert_eq!(group_decimal("247000.50"), "247,000.50");
        assert_eq!(group_decimal("-1234"), "-1,234");
    }

    #[test]
    fn a_recording_reads_back_relative_to_its_first_event() {
        let dir = std::env::temp_dir().join(format!("livehire-sim-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rec.ndjson");
        std::fs::write(
            &path,
            "{\"type\":\"viewer_leave\",\"ts\":\"2030-01-01T00:01:00Z\",\"viewer_id\":\"a\"}\n\n{\"type\":\"viewer_join\",\"ts\":1893456000000,\"viewer_id\":\"a\"}\n",
        )
        .unwrap();
        let plan = Plan::from_file(&path).unwrap();
        assert_eq!(plan.duration_ms, 60_000);
        assert_eq!(plan.events[0].1["type"], "viewer_join");
        assert_eq!(plan.events[1].0, 60_000);
        std::fs::write(&path, "{\"type\":\"chat\"}\n").unwrap();
        let err = Plan::from_file(&path).err().unwrap().to_string();
        assert!(err.ends_with(":1: ts: required"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
