//! The service layer: every rule-bearing operation, called alike by HTTP
//! handlers, MCP tools and CLI commands. Each method authorises the caller,
//! runs the domain rules and calls the store once (one transaction).

mod access;
mod accounts;
#[cfg(test)]
mod boundary_tests;
mod figure_inputs;
mod flash_sales;
mod host_index;
mod host_input;
mod host_view;
mod hosts;
mod idempotency;
mod json_order;
mod live_monitor;
mod messages;
mod offers;
mod operator;
mod ops;
mod outbound;
mod outbox;
mod overview;
mod paging;
mod reports;
mod run_of_show;
mod sessions;
mod settlement;
mod settlement_view;
mod task_page;
mod task_terms;
mod task_view;
mod tasks;
mod tiktok_shop;
mod tiktok_shop_api;
mod tiktok_shop_ownership;
mod wallet;
mod web_accounts;
mod webhooks;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, SecondsFormat, Utc};
use livehire_store::{Caller, CallerKind, Store};
use sha2::{Digest, Sha256};

pub use accounts::{
    AccountKind, AccountProfile, AgentRegistration, AgentView, Me, NewAgent, NewHostKey, RotatedKey,
};
pub use figure_inputs::{
    Amount, Approval, PayoutPreviewQuery, StatedFigures, StatedSessionFigures,
};
pub use flash_sales::{
    DEFAULT_ORDERS_PAGE, FlashSaleOrders, FlashSaleState, FlashSaleStatus, FlashSaleView,
    MAX_ORDERS_PAGE, NewFlashSale, NewOrder, OrderAck, OrderCaller, OrderView,
};
pub use host_input::{
    CompensationRangePatch, DemoHost, FollowerStatsPatch, HostPatch, LiveCommerceMetricsPatch,
    NewHost, Patch,
};
pub use host_view::{
    CompensationRange, FollowerStats, HostRating, HostSearchPage, HostView, LiveCommerceMetrics,
    MatchedHost, MetricsSource, MonitoredMetrics, Platform, SelfDeclared,
};
pub use idempotency::{Idempotent, KeyState, KeyTicket, fingerprint};
pub use live_monitor::{MONITOR_TASKS, MonitoredSession};
pub use livehire_domain::statuses::{OfferKind, OfferStatus, SessionStatus};
pub use messages::{MessageView, NewMessage};
pub use offers::{Assignment, HostRef, InvitationView, NewApplication, OfferList, OfferView};
pub use operator::NewVerification;
pub use outbox::{DEFAULT_EVENTS_PAGE, EventPage, EventView, MAX_EVENTS_PAGE};
pub use overview::{AgentOverview, OVERVIEW_TASKS, TaskLine};
pub use paging::{Cursor, Page, PageRequest};
pub use reports::{
    FlashSaleWindow, SeriesGrowth, SeriesReport, SeriesRow, SessionReport, TaskRef, TimelinePoint,
};
pub use run_of_show::{RunOfShowRequest, RunOfShowView};
pub use sessions::{
    DEFAULT_STREAM_END_GRACE, EventBatchInput, EventFormat, EventSender, FeedView, ImportCount,
    ImportView, IngestResult, PlanStatus, RawEvent, RejectedEvent, RunOfShowPosition,
    SessionKeyView, SessionMetricsView, SessionView,
};
pub use settlement::{NewRating, RevisionRequest};
pub use settlement_view::{
    ApprovalView, Difference, FiguresOrigin, FiguresUsed, HostReportedFigures, NewSubmission,
    PayoutView, RatedHost, RatingView, RevisionRequestView, SessionFiguresUsed, SubmissionVersion,
    SubmissionView, VerifiedComparison,
};
pub use task_page::{PAGE_MESSAGES, TaskPage};
pub use task_view::{NewTask, TaskListQuery, TaskRunOfShow, TaskSessionView, TaskView};
pub use tiktok_shop::{
    NewTiktokShop, ShopOwnership, TiktokShopView, TiktokShopsView, WebhookNotification,
    WebhookOutcome, WebhookReply,
};
pub use tiktok_shop_api::DEFAULT_API_URL as DEFAULT_TIKTOK_SHOP_API_URL;
pub use wallet::{
    DepositView, EarningsBalance, EarningsLine, EarningsView, LedgerEntryKind, LedgerEntryView,
    LedgerPage, NewDeposit, PostingView, WalletBalance, WalletView,
};
pub use web_accounts::{HostSignup, WEB_SESSION_DAYS, WebLogin, WebSession};
pub use webhooks::{
    AttemptView, CreatedWebhook, DEFAULT_DELIVERIES_PAGE, DISABLE_AFTER, DeliveryStatus,
    DeliveryView, MAX_DELIVERIES_PAGE, NewWebhook, RETRY_DELAYS, WebhookPayload, WebhookSettings,
    WebhookStatus, WebhookView,
};

use crate::error::{ApiError, ApiResult};

/// `clock_frozen_ms` when the clock runs.
const NOT_FROZEN: i64 = i64::MIN;

/// The application: storage plus in-memory caches. Cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    /// Key digest → caller and when the store said so. Keys are long random
    /// tokens, so a digest lookup is safe; the cache spares the store a query
    /// per request, and is read again after [`KEY_RECHECK`].
    keys: RwLock<HashMap<String, (Caller, std::time::Instant)>>,
    /// Session-scoped key digest (checkout and ingest keys) → what it is for
    /// (such keys are never revoked, so an entry never goes stale).
    session_keys: RwLock<HashMap<String, livehire_store::SessionKey>>,
    /// Live sessions and flash sales held in memory.
    live: Arc<crate::live::LiveRuntime>,
    /// The group-commit writer of flash-sale orders.
    orders: crate::live::OrderWriter,
    /// The operator's admin token and whether it closes registration.
    operator: operator::OperatorAccess,
    /// Host search, answered from memory; kept current by every host write
    /// here and by catching up with other servers' every quarter second.
    host_index: host_index::HostIndex,
    /// The TikTok Shop API client (order details for the order webhook).
    tiktok_shop: tiktok_shop_api::ShopApi,
    /// The instant the clock is stopped at (see [`App::freeze_clock`]), or
    /// [`NOT_FROZEN`].
    clock_frozen_ms: AtomicI64,
    /// Wakes the outbox dispatcher when events were written.
    outbox_ready: tokio::sync::Notify,
    /// Webhook settings, clients and the worker's wake-up.
    webhooks: webhooks::Webhooks,
    /// Milliseconds added to the system clock (see [`App::travel_to`] and
    /// [`App::advance_clock`]).
    clock_offset_ms: AtomicI64,
    /// The background workers' tasks, stopped on shutdown.
    workers: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
    /// What the outbox dispatcher has published, and when it last went
    /// round (system clock ms): its backlog and its heartbeat.
    outbox_progress: ops::OutboxProgress,
    /// How long a stream may stay ended before its session ends, ms.
    stream_end_grace_ms: AtomicI64,
    /// Held while sessions past their stream's grace are ended, so one
    /// pass finishes before another looks.
    ending_streams: tokio::sync::Mutex<()>,
    /// Failed dashboard logins, per account and per client IP.
    web_throttle: web_accounts::LoginThrottle,
    /// Web sessions recently read from the store.
    web_sessions: web_accounts::SessionCache,
}

impl App {
    /// Builds the application over a store and starts its order writer
    /// (call inside a Tokio runtime); a server then calls
    /// [`App::start_workers`].
    pub fn new(store: Arc<dyn Store>) -> Self {
        let live = Arc::new(crate::live::LiveRuntime::default());
        Self {
            inner: Arc::new(Inner {
                orders: crate::live::OrderWriter::spawn(store.clone()),
                store,
                keys: RwLock::new(HashMap::new()),
                session_keys: RwLock::new(HashMap::new()),
                live,
                host_index: host_index::HostIndex::default(),
                tiktok_shop: tiktok_shop_api::ShopApi::default(),
                clock_offset_ms: AtomicI64::new(0),
                clock_frozen_ms: AtomicI64::new(NOT_FROZEN),
                stream_end_grace_ms: AtomicI64::new(
                    sessions::DEFAULT_STREAM_END_GRACE.as_millis() as i64
                ),
                ending_streams: tokio::sync::Mutex::new(()),
                web_throttle: web_accounts::LoginThrottle::default(),
                web_sessions: web_accounts::SessionCache::default(),
                outbox_ready: tokio::sync::Notify::new(),
                webhooks: webhooks::Webhooks::default(),
                operator: operator::OperatorAccess::default(),
                workers: std::sync::Mutex::new(Vec::new()),
                outbox_progress: ops::OutboxProgress::default(),
            }),
        }
    }

    /// Starts the background workers, all of them here: the live ticker
    /// (metrics and flash-sale ticks to streams), the outbox dispatcher, the
    /// webhook deliverer, the ending of sessions whose stream stayed ended
    /// past the grace, the
    /// hourly expiry of idempotency keys, the host search index load, its
    /// catching up with other servers' host writes, and the
    /// filling of typed terms for tasks stored before terms were kept. A
    /// server calls it once; a one-off command (`livehire seed`) does not.
    /// (The order writer's task belongs to the writer and starts with
    /// [`App::new`].)
    pub fn start_workers(&self) {
        let loops = [
            tokio::spawn(crate::live::stream::ticker(
                self.inner.live.clone(),
                self.store().shared().then(|| self.clone()),
            ))
            .abort_handle(),
            tokio::spawn(outbox::dispatch(self.clone())).abort_handle(),
            tokio::spawn(webhooks::deliver(self.clone())).abort_handle(),
            tokio::spawn(idempotency::expire_keys(self.clone())).abort_handle(),
            tokio::spawn(web_accounts::purge_web_sessions_hourly(self.clone())).abort_handle(),
            tokio::spawn(self.clone().catch_up_hosts()).abort_handle(),
            tokio::spawn(sessions::end_streams_past_grace_every(
                self.clone(),
                std::time::Duration::from_secs(1),
            ))
            .abort_handle(),
        ];
        if let Ok(mut w) = self.inner.workers.lock() {
            w.extend(loops);
        }
        self.start_following_session_changes();
        self.start_host_index();
        self.start_filling_task_terms();
    }

    /// On a shared store, listens for the sessions other instances change
    /// and sends their streams here what changed (see
    /// [`crate::live::stream::on_session_changes`]).
    fn start_following_session_changes(&self) {
        if !self.store().shared() {
            return;
        }
        let app = self.clone();
        let handle = tokio::spawn(async move {
            match app.store().session_changes().await {
                Ok(Some(feed)) => crate::live::stream::on_session_changes(app, feed).await,
                Ok(None) => {}
                Err(e) => tracing::warn!(
                    error = %e,
                    "not listening for session changes: streams see other instances' changes by the ticker's reads"
                ),
            }
        });
        if let Ok(mut w) = self.inner.workers.lock() {
            w.push(handle.abort_handle());
        }
    }

    /// The live runtime.
    pub(crate) fn live(&self) -> &crate::live::LiveRuntime {
        &self.inner.live
    }

    /// The order writer.
    pub(crate) fn orders(&self) -> &crate::live::OrderWriter {
        &self.inner.orders
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }

    /// The current time: the system clock, moved by [`App::travel_to`] or
    /// [`App::advance_clock`] if it was. Every rule of the service layer reads
    /// the time here.
    pub fn now(&self) -> DateTime<Utc> {
        let frozen = self.inner.clock_frozen_ms.load(Ordering::Relaxed);
        if frozen != NOT_FROZEN
            && let Some(t) = DateTime::from_timestamp_millis(frozen)
        {
            return t;
        }
        let offset = self.inner.clock_offset_ms.load(Ordering::Relaxed);
        Utc::now() + chrono::Duration::milliseconds(offset)
    }

    /// Moves this server's clock to `t`, from where it runs on: for tests and
    /// replays of recorded sessions that need a session's hours to pass. No
    /// request reaches it.
    pub fn travel_to(&self, t: DateTime<Utc>) {
        let offset = (t - Utc::now()).num_milliseconds();
        self.inner.clock_offset_ms.store(offset, Ordering::Relaxed);
        self.inner
            .clock_frozen_ms
            .store(NOT_FROZEN, Ordering::Relaxed);
    }

    /// Stops this server's clock at `t` (until [`App::travel_to`] lets it run
    /// again): for tests that need exact times. No request reaches it.
    pub fn freeze_clock(&self, t: DateTime<Utc>) {
        self.inner
            .clock_frozen_ms
            .store(t.timestamp_millis(), Ordering::Relaxed);
    }

    /// Moves this application's clock forward by `by`, so tests reach
    /// deadlines (a stalled task's cancel window) without waiting. The server
    /// never calls it; only code holding the `App` can.
    pub fn advance_clock(&self, by: chrono::Duration) {
        let ms = by.num_milliseconds();
        let frozen = self.inner.clock_frozen_ms.load(Ordering::Relaxed);
        if frozen != NOT_FROZEN {
            self.inner
                .clock_frozen_ms
                .store(frozen.saturating_add(ms), Ordering::Relaxed);
        }
        self.inner.clock_offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// The current time as stored (RFC 3339, milliseconds, `Z`).
    pub fn now_text(&self) -> String {
        timestamp(self.now())
    }

    /// Resolves an API key to its owner. An owner read within
    /// [`KEY_RECHECK`] is answered from memory.
    pub async fn authenticate(&self, key: &str) -> ApiResult<Caller> {
        let digest = key_digest(key);
        if let Some(c) = self.inner.keys.read().ok().and_then(|m| {
            m.get(&digest)
                .filter(|(_, read_at)| read_at.elapsed() < KEY_RECHECK)
                .map(|(c, _)| c.clone())
        }) {
            crate::obs::note_caller(|| c.id.clone());
            return Ok(c);
        }
        let Some(caller) = self.store().caller_by_key(&digest).await? else {
            self.forget_keys(&[digest]);
            return Err(ApiError::Unauthorized("unknown or revoked API key"));
        };
        if let Ok(mut m) = self.inner.keys.write() {
            m.insert(digest, (caller.clone(), std::time::Instant::now()));
        }
        crate::obs::note_caller(|| caller.id.clone());
        Ok(caller)
    }

    /// Resolves a session-scoped key (`ph_ck_…`, `ph_ik_…`) of `kind`
    /// (`checkout` or `ingest`) to what it is for.
    pub(crate) async fn session_key(
        &self,
        key: &str,
        kind: &str,
    ) -> ApiResult<livehire_store::SessionKey> {
        const UNKNOWN: &str = "unknown or revoked API key";
        let digest = key_digest(key);
        let cached = self
            .inner
            .session_keys
            .read()
            .ok()
            .and_then(|m| m.get(&digest).cloned());
        let found = match cached {
            Some(k) => k,
            None => {
                let k = self
                    .store()
                    .session_key(&digest)
                    .await?
                    .ok_or(ApiError::Unauthorized(UNKNOWN))?;
                if let Ok(mut m) = self.inner.session_keys.write() {
                    m.insert(digest, k.clone());
                }
                k
            }
        };
        if found.kind != kind {
            return Err(ApiError::Unauthorized(UNKNOWN));
        }
        crate::obs::note_caller(|| format!("{}:{}", found.agent_id, found.kind));
        Ok(found)
    }

    fn forget_keys(&self, digests: &[String]) {
        if let Ok(mut m) = self.inner.keys.write() {
            for d in digests {
                m.remove(d);
            }
        }
    }
}

/// How long this instance trusts what it read of a key's owner or of a web
/// session before reading it again: a key rotated, or a session ended, on
/// another instance over the same database stops working here within this
/// long (on this instance, at once).
pub const KEY_RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// An exact decimal as a JSON number (`1500.00` stays `1500.00`).
pub fn money_json(amount: rust_decimal::Decimal) -> serde_json::Value {
    serde_json::from_str(&amount.to_string()).unwrap_or(serde_json::Value::Null)
}

/// Minor units of a currency code as a JSON number.
pub fn minor_json(minor: i64, currency: &str) -> serde_json::Value {
    match livehire_domain::money::Currency::parse(currency) {
        Ok(c) => money_json(livehire_domain::money::from_minor(minor, c)),
        Err(_) => serde_json::Value::from(minor),
    }
}

/// Formats a time the way it is stored and served.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Hex SHA-256 of an API key: what the store keeps instead of the key.
pub fn key_digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Requires an agent caller.
pub fn require_agent(caller: &Caller) -> ApiResult<&str> {
    match caller.kind {
        CallerKind::Agent => Ok(&caller.id),
        CallerKind::Host => Err(ApiError::Forbidden(
            "this action needs an agent key (ph_sk_…)".into(),
        )),
    }
}

/// Requires a host caller.
pub fn require_host(caller: &Caller) -> ApiResult<&str> {
    match caller.kind {
        CallerKind::Host => Ok(&caller.id),
        CallerKind::Agent => Err(ApiError::Forbidden(
            "this action needs a host key (ph_hk_…)".into(),
        )),
    }
}

/// Encodes a `seq` position as an opaque page cursor.
pub fn seq_cursor(seq: i64) -> String {
    Cursor::Seq(seq).encode()
}

/// Decodes a cursor made by [`seq_cursor`]; 422 naming `cursor` otherwise.
pub fn parse_seq_cursor(cursor: &str) -> ApiResult<i64> {
    Cursor::seq(cursor)
}
