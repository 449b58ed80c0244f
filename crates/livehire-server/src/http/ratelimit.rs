//! Rate limits: per client IP for registration and failed authentication,
//! per key for search, ingestion, flash-sale orders and everything else.
//!
//! Each class is a generic cell rate algorithm (GCRA) over keyed buckets: a
//! rate of `count` per `period` with bursts of up to `burst`, one theoretical
//! arrival time per key. A request over its class's rate is answered 429
//! `rate_limited` with `Retry-After`. Failed authentication is counted after
//! the answer (each 401 takes a cell); a client IP out of cells has every
//! request that carries credentials refused until it has cells again, so
//! guessing keys is slow. Checkout-key orders (`ph_ck_…`) are not limited by
//! default: a live flash sale's buyers arrive in thousands a second through
//! one checkout key, and the sale's stock bounds them.
//!
//! Several servers over one database (on by default on PostgreSQL,
//! `Settings::share_rate_limits`): a request is still decided by this
//! server's buckets alone, with no database round trip. Every
//! [`SHARE_EVERY`] (a quarter second) each server publishes how many
//! requests it admitted per (class, key) in that round
//! ([`livehire_store::Store::exchange_rate_usage`]; keys as truncated SHA-256
//! digests, the same on every server) and charges every other server's
//! published counts to its own buckets, each as if those requests had
//! arrived when they were published (a key's arrival time moves on by one
//! interval per request). So every server's bucket for a key sees the key's
//! requests on all servers, and a key's combined rate across N servers is
//! held to its class's rate, give or take what the servers admit between
//! two exchanges: at most about N × (burst + rate × 2 × [`SHARE_EVERY`])
//! over a quiet spell, not N × burst and then N × rate as independent
//! servers would. What another server admitted in excess is a debt its key
//! pays off here (capped at one period past a full burst). A server that
//! cannot reach the database keeps limiting on its own; the counts of an
//! exchange that failed are not published. Counts more than
//! [`SHARE_WINDOW`] old when first read are not charged (a server starting
//! up does not inherit its peers' past), and the table keeps a minute.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use livehire_store::{PeerRateUsage, RateUsage};
use sha2::{Digest, Sha256};

use super::ops::Ops;
use crate::app::App;
use crate::error::ApiError;

/// How often servers sharing a database exchange their rate-limit counts.
pub const SHARE_EVERY: Duration = Duration::from_millis(250);

/// How old another server's counts may be when first read and still be
/// charged.
pub const SHARE_WINDOW: Duration = Duration::from_secs(2);

/// A rate: `count` requests per `period`, in bursts of up to `burst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Requests per period, sustained.
    pub count: u32,
    /// The period.
    pub period: Duration,
    /// Most requests at once after a quiet spell.
    pub burst: u32,
}

impl Rate {
    /// `count` per second, bursts of `count`.
    pub const fn per_second(count: u32) -> Rate {
        Rate {
            count,
            period: Duration::from_secs(1),
            burst: count,
        }
    }

    /// `count` per minute, bursts of `count`.
    pub const fn per_minute(count: u32) -> Rate {
        Rate {
            count,
            period: Duration::from_secs(60),
            burst: count,
        }
    }

    /// The same rate with bursts of `burst`.
    pub const fn burst(self, burst: u32) -> Rate {
        Rate { burst, ..self }
    }

    fn period_word(&self) -> String {
        match self.period.as_secs() {
            1 => "second".into(),
            60 => "minute".into(),
            3600 => "hour".into(),
            s => format!("{s} s"),
        }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {}", self.count, self.period_word())?;
        if self.burst != self.count {
            write!(f, " (bursts of {})", self.burst)?;
        }
        Ok(())
    }
}

impl FromStr for Rate {
    type Err = String;

    /// `N/s`, `N/min`, `N/h`, each with an optional `:BURST` (`30/s:60`).
    fn from_str(text: &str) -> Result<Rate, String> {
        let bad = || format!("{text:?} is not a rate: write N/s, N/min or N/h, optionally :BURST");
        let (rate, burst) = match text.split_once(':') {
            Some((r, b)) => (r, Some(b.trim().parse::<u32>().map_err(|_| bad())?)),
            None => (text, None),
        };
        let (count, unit) = rate.split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        let period = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        let burst = burst.unwrap_or(count);
        if count == 0 || burst == 0 {
            return Err(format!(
                "{text:?}: a rate and its burst are at least 1 (write off to turn a limit off)"
            ));
        }
        Ok(Rate {
            count,
            period,
            burst,
        })
    }
}

/// The rate limit classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `POST /api/v1/agents/register`, `/api/v1/humans/register` without a
    /// key (the operator's admin token counts as a key): per client IP.
    Registration,
    /// Answers 401: per client IP; when out, requests with credentials are refused.
    AuthFailures,
    /// `GET /api/v1/humans`: per key.
    Search,
    /// `POST /api/v1/sessions/{id}/events` and `…/import`: per key.
    Ingest,
    /// `POST /api/v1/flash-sales/{id}/orders` with an account key: per key.
    Orders,
    /// The same with a checkout key (`ph_ck_…`): per key.
    Checkout,
    /// Everything else: per key, or per client IP without one.
    Other,
}

impl Class {
    /// Every class, in the order the flags list them.
    pub const ALL: [Class; 7] = [
        Class::Registration,
        Class::AuthFailures,
        Class::Search,
        Class::Ingest,
        Class::Orders,
        Class::Checkout,
        Class::Other,
    ];

    /// The class's name in flags (`--rate-limit search=…`).
    pub fn name(self) -> &'static str {
        match self {
            Class::Registration => "registration",
            Class::AuthFailures => "auth_failures",
            Class::Search => "search",
            Class::Ingest => "ingest",
            Class::Orders => "orders",
            Class::Checkout => "checkout",
            Class::Other => "other",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Class::Registration => "registrations per client IP",
            Class::AuthFailures => "failed authentications per client IP",
            Class::Search => "host searches per key",
            Class::Ingest => "event deliveries per key",
            Class::Orders => "flash-sale orders per account key",
            Class::Checkout => "flash-sale orders per checkout key",
            Class::Other => "requests per key (per client IP without one)",
        }
    }
}

/// The limit of each class; `None` is not limited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    limits: [Option<Rate>; 7],
}

impl Default for RateLimits {
    /// On, with limits no agent, host or connector bridge working as
    /// documented reaches: 10 registrations a minute per IP, 30 failed
    /// authentications a minute per IP, 30 searches a second per key (bursts
    /// of 60), 50 event deliveries a second per key (bursts of 100), 1,000
    /// account-key orders a second per key, checkout-key orders unlimited,
    /// 50 other requests a second per key (bursts of 100).
    fn default() -> Self {
        let mut l = RateLimits::off();
        l.set(Class::Registration, Some(Rate::per_minute(10)));
        l.set(Class::AuthFailures, Some(Rate::per_minute(30)));
        l.set(Class::Search, Some(Rate::per_second(30).burst(60)));
        l.set(Class::Ingest, Some(Rate::per_second(50).burst(100)));
        l.set(Class::Orders, Some(Rate::per_second(1_000)));
        l.set(Class::Other, Some(Rate::per_second(50).burst(100)));
        l
    }
}

impl RateLimits {
    /// No limits.
    pub fn off() -> Self {
        Self { limits: [None; 7] }
    }

    /// Every class at `rate`.
    pub fn all(rate: Rate) -> Self {
        Self {
            limits: [Some(rate); 7],
        }
    }

    /// A class's limit.
    pub fn get(&self, class: Class) -> Option<Rate> {
        self.limits[class as usize]
    }

    /// Sets a class's limit.
    pub fn set(&mut self, class: Class, rate: Option<Rate>) {
        self.limits[class as usize] = rate;
    }

    /// Applies one flag value: `off` (every class), `CLASS=RATE` or
    /// `CLASS=off` (`search=100/s`, `checkout=5000/s:10000`).
    pub fn apply(&mut self, spec: &str) -> Result<(), String> {
        let spec = spec.trim();
        if spec == "off" {
            *self = RateLimits::off();
            return Ok(());
        }
        let (name, rate) = spec
            .split_once('=')
            .ok_or_else(|| format!("{spec:?}: write CLASS=RATE, CLASS=off or off"))?;
        let class = Class::ALL
            .into_iter()
            .find(|c| c.name() == name.trim())
            .ok_or_else(|| {
                let names: Vec<_> = Class::ALL.iter().map(|c| c.name()).collect();
                format!(
                    "unknown rate limit class {name:?}: one of {}",
                    names.join(", ")
                )
            })?;
        let rate = match rate.trim() {
            "off" => None,
            r => Some(r.parse()?),
        };
        self.set(class, rate);
        Ok(())
    }
}

impl fmt::Display for RateLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, class) in Class::ALL.into_iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match self.get(class) {
                Some(r) => write!(f, "{} {r}", class.name())?,
                None => write!(f, "{} off", class.name())?,
            }
        }
        Ok(())
    }
}

/// One shard of [`Buckets`].
#[derive(Default)]
struct Shard {
    /// Each key's theoretical arrival time.
    tats: HashMap<u64, u64>,
    /// Requests admitted per key since the last exchange with other servers
    /// (kept only when limits are shared).
    unsent: HashMap<u64, u32>,
}

/// Keyed GCRA buckets: each key's theoretical arrival time, in ns of the
/// limiter's clock.
struct Buckets {
    rate: Rate,
    /// Nanoseconds between two requests at the sustained rate.
    interval: u64,
    /// How far ahead of now a key's arrival time may run: `burst` intervals.
    tolerance: u64,
    /// Whether admitted requests are counted for other servers.
    shared: bool,
    shards: Vec<Mutex<Shard>>,
    /// Keys held, across shards (a class nobody has touched costs no lock).
    held: AtomicUsize,
    /// Checks since the last sweep of expired keys.
    checks: AtomicU64,
}

const SHARDS: usize = 16;
const SWEEP_EVERY: u64 = 4096;

impl Buckets {
    fn new(rate: Rate) -> Self {
        let interval = (rate.period.as_nanos() / u128::from(rate.count.max(1))) as u64;
        Self {
            rate,
            interval,
            tolerance: interval.saturating_mul(u64::from(rate.burst)),
            shared: false,
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            held: AtomicUsize::new(0),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes a cell for `key` at `now`, or says how long until one is free.
    fn take(&self, key: u64, now: u64) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep(now);
        }
        let Ok(mut shard) = self.shards[(key as usize) % SHARDS].lock() else {
            return Ok(());
        };
        let tat = shard.tats.get(&key).copied().unwrap_or(now).max(now);
        let next = tat + self.interval;
        if next - now > self.tolerance {
            return Err(Duration::from_nanos(next - now - self.tolerance));
        }
        if shard.tats.insert(key, next).is_none() {
            self.held.fetch_add(1, Ordering::Relaxed);
        }
        if self.shared {
            *shard.unsent.entry(key).or_default() += 1;
        }
        Ok(())
    }

    /// Charges `count` requests another server admitted for `key` at `at`
    /// (this clock): the key's arrival time moves on by `count` intervals
    /// from `at` (or from where it is, if later), to at most one period past
    /// a full burst.
    fn charge(&self, key: u64, count: u64, at: u64, now: u64) {
        let Ok(mut shard) = self.shards[(key as usize) % SHARDS].lock() else {
            return;
        };
        let cap = now
            .saturating_add(self.tolerance)
            .saturating_add(self.rate.period.as_nanos() as u64);
        let tat = shard.tats.get(&key).copied().unwrap_or(at).max(at);
        let next = tat
            .saturating_add(self.interval.saturating_mul(count))
            .min(cap);
        if shard.tats.insert(key, next).is_none() {
            self.held.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The requests admitted per key since the last call.
    fn take_unsent(&self) -> Vec<(u64, u32)> {
        let mut out = Vec::new();
        for shard in &self.shards {
            if let Ok(mut s) = shard.lock()
                && !s.unsent.is_empty()
            {
                out.extend(s.unsent.drain());
            }
        }
        out
    }

    /// How long until `key` has a cell again, if it has none now.
    fn out_for(&self, key: u64, now: u64) -> Option<Duration> {
        if self.held.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let shard = self.shards[(key as usize) % SHARDS].lock().ok()?;
        let tat = shard.tats.get(&key).copied()?.max(now);
        let next = tat + self.interval;
        (next - now > self.tolerance).then(|| Duration::from_nanos(next - now - self.tolerance))
    }

    /// Forgets keys whose arrival time has passed (as good as new).
    fn sweep(&self, now: u64) {
        for shard in &self.shards {
            if let Ok(mut s) = shard.lock() {
                let before = s.tats.len();
                s.tats.retain(|_, tat| *tat > now);
                self.held
                    .fetch_sub(before - s.tats.len(), Ordering::Relaxed);
            }
        }
    }
}

/// The limiter of a server: buckets per limited class.
pub struct Limiter {
    classes: [Option<Buckets>; 7],
    clock: Instant,
    hasher: std::hash::RandomState,
    /// A header naming the client's IP, set by a trusted proxy in front
    /// (`X-Forwarded-For`: its last address is the one the proxy saw).
    client_ip_header: Option<HeaderName>,
    /// Shared with other servers ([`Limiter::shared`]): keys are digests the
    /// same on every server, and admitted requests are counted for them.
    shared: bool,
}

/// A [`std::hash::Hasher`] whose result is the same in every process: the
/// first 8 bytes of SHA-256 of what was hashed (keys of shared limits).
#[derive(Default)]
struct StableHasher(Sha256);

impl std::hash::Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first)
    }
}

impl Limiter {
    /// A limiter for `limits`; `None` when every class is off.
    pub fn new(limits: &RateLimits, client_ip_header: Option<HeaderName>) -> Option<Self> {
        let classes = Class::ALL.map(|c| limits.get(c).map(Buckets::new));
        classes.iter().any(Option::is_some).then(|| Self {
            classes,
            clock: Instant::now(),
            hasher: std::hash::RandomState::new(),
            client_ip_header,
            shared: false,
        })
    }

    /// The same limiter, its limits shared with other servers over the same
    /// database (see the module's documentation): run [`share`] beside it.
    pub fn shared(mut self) -> Self {
        self.shared = true;
        for b in self.classes.iter_mut().flatten() {
            b.shared = true;
        }
        self
    }

    fn now(&self) -> u64 {
        self.clock.elapsed().as_nanos() as u64
    }

    fn key(&self, what: impl Hash) -> u64 {
        if self.shared {
            let mut h = StableHasher::default();
            what.hash(&mut h);
            std::hash::Hasher::finish(&h)
        } else {
            self.hasher.hash_one(what)
        }
    }

    /// The requests admitted since the last call, per class and key.
    fn take_usage(&self) -> Vec<RateUsage> {
        let mut out = Vec::new();
        for (class, b) in self.classes.iter().enumerate() {
            let Some(b) = b else { continue };
            out.extend(b.take_unsent().into_iter().map(|(key, count)| RateUsage {
                class: class as i16,
                key: key as i64,
                count: i64::from(count),
            }));
        }
        out
    }

    /// Charges other servers' admitted requests to this server's buckets.
    fn charge(&self, peers: &[PeerRateUsage]) {
        let now = self.now();
        for p in peers {
            let Some(Some(b)) = usize::try_from(p.usage.class)
                .ok()
                .and_then(|c| self.classes.get(c))
            else {
                continue;
            };
            let age = u64::try_from(p.age_ms)
                .unwrap_or(0)
                .saturating_mul(1_000_000);
            b.charge(
                p.usage.key as u64,
                u64::try_from(p.usage.count).unwrap_or(0),
                now.saturating_sub(age),
                now,
            );
        }
    }

    fn take(&self, class: Class, key: u64) -> Result<(), ApiError> {
        let Some(b) = &self.classes[class as usize] else {
            return Ok(());
        };
        b.take(key, self.now())
            .map_err(|wait| limited(class, b.rate, wait))
    }

    /// The client's IP: from the trusted header when one is set and it
    /// holds an address, else the connection's peer.
    fn client_ip(&self, req: &Request) -> Option<IpAddr> {
        if let Some(name) = &self.client_ip_header
            && let Some(ip) = req
                .headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|v| v.trim().parse::<IpAddr>().ok())
                .next_back()
        {
            return Some(ip);
        }
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
    }
}

/// Shares the limiter of `ops` with the other servers over `app`'s database
/// until aborted: every [`SHARE_EVERY`], publishes this server's admitted
/// requests and charges the others' (see the module's documentation).
pub async fn share(ops: Arc<Ops>, app: App) {
    let Some(limiter) = ops.limiter.as_ref().filter(|l| l.shared) else {
        return;
    };
    let instance = format!("{:016x}", rand::random::<u64>());
    // Each other server's last round read, and when it last moved on.
    let mut seen: HashMap<String, (i64, Instant)> = HashMap::new();
    let mut every = tokio::time::interval(SHARE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let window_ms = SHARE_WINDOW.as_millis() as i64;
    let mut failing = false;
    for round in 1i64.. {
        every.tick().await;
        let usage = limiter.take_usage();
        let known: Vec<(String, i64)> = seen.iter().map(|(i, (r, _))| (i.clone(), *r)).collect();
        let peers = match app
            .store()
            .exchange_rate_usage(&instance, round, &usage, &known, window_ms)
            .await
        {
            Ok(peers) => peers,
            Err(error) => {
                if !failing {
                    tracing::warn!(error = ?error, "sharing rate limits failed; limiting alone");
                }
                failing = true;
                continue;
            }
        };
        if failing {
            tracing::info!("sharing rate limits again");
            failing = false;
        }
        limiter.charge(&peers);
        let now = Instant::now();
        for p in &peers {
            let e = seen.entry(p.instance.clone()).or_insert((p.round, now));
            if p.round >= e.0 {
                *e = (p.round, now);
            }
        }
        // A server silent for five windows has nothing left in the window:
        // forget it.
        seen.retain(|_, (_, at)| now.duration_since(*at) < SHARE_WINDOW * 5);
    }
}

/// The 429 of a class.
fn limited(class: Class, rate: Rate, wait: Duration) -> ApiError {
    metrics::counter!("livehire_rate_limited_total", "class" => class.name()).increment(1);
    ApiError::RateLimited {
        limit: format!("{} {}", rate, class.what()),
        retry_after: wait,
    }
}

/// The class of a request, by method and route template.
fn classify(method: &Method, route: Option<&str>, token: Option<&str>) -> Option<Class> {
    let route = route.unwrap_or("");
    Some(match (method, route) {
        (_, "/healthz" | "/readyz" | "/metrics") => return None,
        (&Method::POST, "/api/v1/agents/register" | "/api/v1/humans/register")
            if token.is_none() =>
        {
            Class::Registration
        }
        (&Method::GET, "/api/v1/humans") => Class::Search,
        (
            &Method::POST,
            "/api/v1/sessions/{session_id}/events" | "/api/v1/sessions/{session_id}/import",
        ) => Class::Ingest,
        (&Method::POST, "/api/v1/flash-sales/{flash_sale_id}/orders") => {
            if token.is_some_and(|t| t.starts_with(livehire_domain::ids::CHECKOUT_KEY)) {
                Class::Checkout
            } else {
                Class::Orders
            }
        }
        _ => Class::Other,
    })
}

/// The middleware: checks the request's class before it runs and counts a
/// 401 after.
pub async fn limit(State(ops): State<Arc<Ops>>, req: Request, next: Next) -> Response {
    let Some(limiter) = &ops.limiter else {
        return next.run(req).await;
    };
    let credentials = req.headers().get(AUTHORIZATION);
    let token = credentials
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    // Probes and scrapes are never limited, not even for a client IP that
    // is waiting out its failed authentications.
    let Some(class) = classify(req.method(), route, token) else {
        return next.run(req).await;
    };
    let ip = limiter.client_ip(&req);
    let failures = &limiter.classes[Class::AuthFailures as usize];
    if credentials.is_some()
        && let (Some(b), Some(ip)) = (failures, ip)
        && let Some(wait) = b.out_for(limiter.key(ip), limiter.now())
    {
        return limited(Class::AuthFailures, b.rate, wait).into_response();
    }
    let checked = match (token, class) {
        (_, Class::Registration) | (None, _) => match ip {
            Some(ip) => limiter.take(class, limiter.key(ip)),
            None => Ok(()),
        },
        (Some(t), _) => limiter.take(class, limiter.key(t)),
    };
    if let Err(e) = checked {
        return e.into_response();
    }
    let resp = next.run(req).await;
    if resp.status() == StatusCode::UNAUTHORIZED
        && let Some(ip) = ip
    {
        // Counted, not refused: this answer has been given already.
        let _ = limiter.take(Class::AuthFailures, limiter.key(ip));
    }
    resp
}

/// Documents the 429 of every limited operation, naming its class.
pub fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{Content, ObjectBuilder, Ref, RefOr, Response, Type};

    for (path, item) in doc.paths.paths.iter_mut() {
        let ops = [
            (Method::GET, item.get.as_mut()),
            (Method::POST, item.post.as_mut()),
            (Method::PATCH, item.patch.as_mut()),
            (Method::PUT, item.put.as_mut()),
            (Method::DELETE, item.delete.as_mut()),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let text = match path.as_str() {
                "/api/v1/agents/register" | "/api/v1/humans/register" => {
                    "`rate_limited`: over the limit of registrations per client IP, by default 10 \
                     per minute (with the admin token as key, the limit of other requests per key \
                     instead); `Retry-After` gives the seconds to wait"
                        .to_string()
                }
                "/api/v1/flash-sales/{flash_sale_id}/orders" if method == Method::POST => {
                    "`rate_limited`: over the limit of orders per account key, by default 1000 per \
                     second (checkout keys are not limited by default), or after too many failed \
                     authentications from this client IP; `Retry-After` gives the seconds to wait"
                        .to_string()
                }
                _ => {
                    let class = classify(&method, Some(path), Some("key"));
                    let Some(class) = class else { continue };
                    let default = RateLimits::default()
                        .get(class)
                        .map_or("none".to_string(), |r| r.to_string());
                    format!(
                        "`rate_limited`: over the limit of {}, by default {default}, or after too \
                         many failed authentications from this client IP; `Retry-After` gives the \
                         seconds to wait",
                        class.what()
                    )
                }
            };
            let mut response = Response::new(text);
            response.content.insert(
                "application/json".into(),
                RefOr::T(Content::new(Some(Ref::from_schema_name("ErrorBody")))),
            );
            response.headers.insert(
                "Retry-After".into(),
                RefOr::T(
                    HeaderBuilder::new()
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::Integer)
                                .minimum(Some(1)),
                        ))
                        .description(Some("Seconds to wait before trying again"))
                        .build(),
                ),
            );
            op.responses
                .responses
                .insert("429".into(), RefOr::T(response));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn rates_read_as_flags_write_them() {
        assert_eq!("10/min".parse(), Ok(Rate::per_minute(10)));
        assert_eq!("30/s:60".parse(), Ok(Rate::per_second(30).burst(60)));
        assert_eq!(
            "5/h".parse::<Rate>().map(|r| r.period),
            Ok(Duration::from_secs(3600))
        );
        assert!("0/s".parse::<Rate>().is_err());
        assert!("10/fortnight".parse::<Rate>().is_err());
        assert!("ten/s".parse::<Rate>().is_err());
        assert_eq!(
            Rate::per_second(30).burst(60).to_string(),
            "30 per second (bursts of 60)"
        );
        assert_eq!(Rate::per_minute(10).to_string(), "10 per minute");
    }

    #[test]
    fn limits_are_set_per_class_and_off_turns_them_all_off() {
        let mut l = RateLimits::default();
        assert_eq!(l.get(Class::Checkout), None);
        assert_eq!(l.get(Class::Registration), Some(Rate::per_minute(10)));
        l.apply("search=1000/s").unwrap();
        l.apply("registration=off").unwrap();
        assert_eq!(l.get(Class::Search), Some(Rate::per_second(1000)));
        assert_eq!(l.get(Class::Registration), None);
        assert!(l.apply("nonsense=1/s").is_err());
        assert!(l.apply("search").is_err());
        l.apply("off").unwrap();
        assert_eq!(l, RateLimits::off());
        assert!(Limiter::new(&l, None).is_none());
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate_and_says_when_to_retry() {
        let b = Buckets::new(Rate::per_minute(10));
        let t0 = 1_000 * S;
        for _ in 0..10 {
            assert_eq!(b.take(7, t0), Ok(()));
        }
        // The eleventh waits for one interval (6 s) to pass.
        assert_eq!(b.take(7, t0), Err(Duration::from_secs(6)));
        assert_eq!(b.out_for(7, t0), Some(Duration::from_secs(6)));
        assert_eq!(b.take(7, t0 + 2 * S), Err(Duration::from_secs(4)));
        assert_eq!(b.take(7, t0 + 6 * S), Ok(()));
        assert_eq!(b.take(7, t0 + 6 * S), Err(Duration::from_secs(6)));
        // Another key has its own bucket.
        assert_eq!(b.out_for(8, t0), None);
        assert_eq!(b.take(8, t0), Ok(()));
        // A minute later the burst is back.
        for _ in 0..10 {
            assert_eq!(b.take(7, t0 + 72 * S), Ok(()));
        }
        assert!(b.take(7, t0 + 72 * S).is_err());
    }

    #[test]
    fn another_servers_requests_are_charged_as_if_they_had_come_here() {
        let b = Buckets::new(Rate::per_second(10));
        let t0 = 1_000 * S;
        // Another server admitted 6 of this key's 10 a quarter second ago:
        // 4 are left here (a quarter second has freed 2.5 more, so 6).
        b.charge(7, 6, t0 - S / 4, t0);
        for _ in 0..6 {
            assert_eq!(b.take(7, t0), Ok(()));
        }
        assert!(b.take(7, t0).is_err());
        // A debt is capped at one period past a full burst.
        b.charge(8, 1_000, t0, t0);
        assert_eq!(b.out_for(8, t0), Some(Duration::from_millis(1_100)));
        // Unshared buckets count nothing for others; shared ones do.
        assert!(b.take_unsent().is_empty());
        let mut shared = Buckets::new(Rate::per_second(10));
        shared.shared = true;
        shared.take(1, t0).unwrap();
        shared.take(1, t0).unwrap();
        shared.take(2, t0).unwrap();
        let mut sent = shared.take_unsent();
        sent.sort_unstable();
        assert_eq!(sent, [(1, 2), (2, 1)]);
        assert!(shared.take_unsent().is_empty());
    }

    #[test]
    fn shared_limiters_name_a_key_alike_in_every_process() {
        let limits = RateLimits::default();
        let one = Limiter::new(&limits, None).unwrap().shared();
        let two = Limiter::new(&limits, None).unwrap().shared();
        assert_eq!(one.key("ph_sk_abc"), two.key("ph_sk_abc"));
        assert_ne!(one.key("ph_sk_abc"), one.key("ph_sk_abd"));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(one.key(ip), two.key(ip));
        let usage = {
            one.take(Class::Search, one.key("ph_sk_abc")).unwrap();
            one.take_usage()
        };
        assert_eq!(
            usage,
            [RateUsage {
                class: Class::Search as i16,
                key: one.key("ph_sk_abc") as i64,
                count: 1
            }]
        );
        two.charge(&[PeerRateUsage {
            instance: "one".into(),
            round: 1,
            usage: usage[0],
            age_ms: 0,
        }]);
        let held = two.classes[Class::Search as usize].as_ref().unwrap();
        assert_eq!(held.held.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn expired_keys_are_swept() {
        let b = Buckets::new(Rate::per_second(1));
        b.take(1, S).unwrap();
        b.take(2, S).unwrap();
        assert_eq!(b.held.load(Ordering::Relaxed), 2);
        b.sweep(10 * S);
        assert_eq!(b.held.load(Ordering::Relaxed), 0);
        assert_eq!(b.out_for(1, 10 * S), None);
    }

    #[test]
    fn requests_are_classed_by_route_and_key() {
        let post = Method::POST;
        let get = Method::GET;
        assert_eq!(classify(&get, Some("/healthz"), None), None);
        assert_eq!(classify(&get, Some("/metrics"), Some("t")), None);
        assert_eq!(
            classify(&post, Some("/api/v1/agents/register"), None),
            Some(Class::Registration)
        );
        assert_eq!(
            classify(&post, Some("/api/v1/agents/register"), Some("admin")),
            Some(Class::Other)
        );
        assert_eq!(
            classify(&get, Some("/api/v1/humans"), Some("ph_sk_x")),
            Some(Class::Search)
        );
        assert_eq!(
            classify(
                &post,
                Some("/api/v1/sessions/{session_id}/events"),
                Some("ph_ik_x")
            ),
            Some(Class::Ingest)
        );
        let orders = Some("/api/v1/flash-sales/{flash_sale_id}/orders");
        assert_eq!(
            classify(&post, orders, Some("ph_ck_x")),
            Some(Class::Checkout)
        );
        assert_eq!(
            classify(&post, orders, Some("ph_sk_x")),
            Some(Class::Orders)
        );
        assert_eq!(classify(&get, orders, Some("ph_sk_x")), Some(Class::Other));
        assert_eq!(classify(&get, None, None), Some(Class::Other));
    }
}
