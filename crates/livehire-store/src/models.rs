//! Records that cross the store boundary.

use livehire_domain::host::SearchFields;
pub use livehire_domain::state::TaskStatus;
pub use livehire_domain::statuses::{OfferKind, OfferStatus, SessionStatus};
use serde_json::Value;

/// Who is calling: an agent or a host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    /// `agent` or `host`.
    pub kind: CallerKind,
    /// `ph_agent_…` or `ph_profile_…`.
    pub id: String,
}

/// The two kinds of account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerKind {
    /// An AI agent acting for a brand.
    Agent,
    /// A human host.
    Host,
}

impl CallerKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CallerKind::Agent => "agent",
            CallerKind::Host => "host",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "agent" => Some(CallerKind::Agent),
            "host" => Some(CallerKind::Host),
            _ => None,
        }
    }
}

/// An agent account.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRecord {
    /// `ph_agent_…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Where to reach the operator.
    pub contact_email: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// A host profile to write, with its figures extracted.
#[derive(Debug, Clone)]
pub struct HostWrite {
    /// `ph_profile_…`.
    pub id: String,
    /// The stored profile (the host's fields plus server-maintained ones).
    pub profile: Value,
    /// The profile as served (rendered once here, not per request).
    pub public_json: String,
    /// Searchable figures.
    pub fields: SearchFields,
    /// RFC 3339.
    pub now: String,
}

/// A stored host.
#[derive(Debug, Clone)]
pub struct HostRecord {
    /// `ph_profile_…`.
    pub id: String,
    /// Insertion order, for tie-breaks.
    pub seq: i64,
    /// The stored profile.
    pub profile: Value,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// One page of search results: rendered profiles.
#[derive(Debug, Clone)]
pub struct HostPage {
    /// Each host's public JSON, as stored.
    pub data: Vec<String>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// A host's searchable columns and public JSON, as stored: what an in-memory
/// search index holds of it.
#[derive(Debug, Clone, PartialEq)]
pub struct HostIndexRow {
    /// Insertion order, the tie-break of every sort.
    pub seq: i64,
    /// `ph_profile_…`.
    pub id: String,
    /// `platform` column.
    pub platform: String,
    /// `followers` column.
    pub followers: i64,
    /// `avg_live_viewers` column.
    pub avg_live_viewers: i64,
    /// `avg_gmv_cents` column.
    pub avg_gmv_cents: i64,
    /// `conversion_rate` column.
    pub conversion_rate: f64,
    /// `rating` column.
    pub rating: f64,
    /// `engagement_rate` column.
    pub engagement_rate: f64,
    /// `min_rate_cents` column.
    pub min_rate_cents: Option<i64>,
    /// `tiktok_shop_verified` column.
    pub tiktok_shop_verified: bool,
    /// `live_commerce_experience` column.
    pub live_commerce_experience: bool,
    /// `search_text` column (lower-case).
    pub search_text: String,
    /// `public_json` column: the profile as served.
    pub public_json: String,
}

/// A host written since a change mark ([`crate::Store::host_changes`]): its
/// index row and tags, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct HostChange {
    /// Where the write falls in the database's order of host changes (a
    /// transaction id on PostgreSQL, a change number on SQLite).
    pub change: i64,
    /// The host's searchable columns and public JSON.
    pub row: HostIndexRow,
    /// Its skills (`host_skills`).
    pub skills: Vec<String>,
    /// Its niches (`host_niches`).
    pub niches: Vec<String>,
}

/// Requests one server admitted for one rate-limit key in one round
/// ([`crate::Store::exchange_rate_usage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateUsage {
    /// The rate-limit class, by its position in the server's list.
    pub class: i16,
    /// A digest of the key (an API key or a client IP), the same on every server.
    pub key: i64,
    /// Requests admitted.
    pub count: i64,
}

/// Another server's [`RateUsage`] of one round, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRateUsage {
    /// The server that published it.
    pub instance: String,
    /// That server's round (rising).
    pub round: i64,
    /// What it admitted.
    pub usage: RateUsage,
    /// How long ago it was published, by the database's clock (ms).
    pub age_ms: i64,
}

/// Every host's index row and tags, read in one go to build a search index.
#[derive(Debug, Clone, Default)]
pub struct HostIndexSnapshot {
    /// Every host.
    pub hosts: Vec<HostIndexRow>,
    /// Every host's skills (`host_skills`), by host seq; hosts without any are left out.
    pub skills: Vec<(i64, Vec<String>)>,
    /// Every host's niches (`host_niches`), by host seq; hosts without any are left out.
    pub niches: Vec<(i64, Vec<String>)>,
}

/// A task, its verbatim body and its sessions.
#[derive(Debug, Clone)]
pub struct TaskRecord {
    /// `ph_task_…`.
    pub id: String,
    /// Insertion order.
    pub seq: i64,
    /// Owner.
    pub agent_id: String,
    /// State-machine state.
    pub status: TaskStatus,
    /// `title`.
    pub title: String,
    /// ISO code.
    pub currency: String,
    /// `compensation` in minor units.
    pub compensation_minor: i64,
    /// RFC 3339.
    pub deadline: String,
    /// Everything posted.
    pub body: Value,
    /// The terms parsed from the body when the task was posted
    /// (`livehire_domain::task::TaskDraft` as JSON); `None` for a task posted
    /// before terms were stored, until the server fills them.
    pub terms: Option<String>,
    /// The assigned host.
    pub assigned_human_id: Option<String>,
    /// Base payment held in escrow, minor units.
    pub escrow_minor: i64,
    /// The base payment agreed at assignment, minor units: the task's own
    /// base, or the host's proposed compensation when the agent accepted it.
    pub agreed_base_minor: Option<i64>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Sessions in order.
    pub sessions: Vec<SessionRecord>,
}

/// One live session of a task.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// `ph_sess_…`.
    pub id: String,
    /// 0-based order within the task.
    pub position: i64,
    /// RFC 3339, when scheduled.
    pub scheduled_time: Option<String>,
    /// Planned length.
    pub duration_minutes: i64,
    /// `scheduled`, `live` or `ended`.
    pub status: SessionStatus,
    /// `week` of a series entry.
    pub week: Option<i64>,
    /// `theme` of a series entry.
    pub theme: Option<String>,
    /// RFC 3339, when it went live.
    pub started_at: Option<String>,
    /// RFC 3339, when it ended.
    pub ended_at: Option<String>,
    /// RFC 3339, when a connector reported its stream ended (while the
    /// session waits out the grace before it ends by itself).
    pub stream_ended_at: Option<String>,
    /// The last delivery of a connector or an ingest key, if any.
    pub feed: Option<FeedRecord>,
}

/// The last batch a connector (`?format=tiktok-live-connector`) or an ingest
/// key delivered to a session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedRecord {
    /// RFC 3339, when it arrived.
    pub last_at: String,
    /// Who sent it: `ingest_key`, `agent` or `host`.
    pub source: String,
    /// Its format: `tiktok-live-connector` or `native`.
    pub format: String,
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only this agent's.
    pub agent_id: Option<String>,
    /// Tasks this host is involved in, plus open tasks (a host's view).
    pub host_id: Option<String>,
    /// Only this status.
    pub status: Option<TaskStatus>,
    /// Continue after this `seq` (exclusive; newest first so strictly smaller).
    pub before_seq: Option<i64>,
    /// Page size.
    pub limit: u32,
}

/// A page of rows with the `seq` to continue from.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows.
    pub data: Vec<T>,
    /// Seq to pass back for the next page, if there is one.
    pub next: Option<i64>,
}

/// A host's involvement in a task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskHost {
    /// The host.
    pub human_id: String,
    /// `invited`, `applied` or `assigned`.
    pub role: String,
}

/// A message in a task thread.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    /// `ph_msg_…`.
    pub id: String,
    /// Insertion order (set by the store).
    pub seq: i64,
    /// The task.
    pub task_id: String,
    /// `brief` or a host's id.
    pub thread: String,
    /// `agent` or `host`.
    pub sender_kind: String,
    /// Sender id.
    pub sender_id: String,
    /// The text, verbatim.
    pub text: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A stored idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyEntry {
    /// Hash of the first request's method, path and body.
    pub request_hash: String,
    /// The first response, once it finished: status and body.
    pub response: Option<(u16, Vec<u8>)>,
}

/// An invitation or an application.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferRecord {
    /// `ph_inv_…` or `ph_app_…`.
    pub id: String,
    /// The task.
    pub task_id: String,
    /// The host.
    pub human_id: String,
    /// `invitation` or `application`.
    pub kind: OfferKind,
    /// `pending`, `accepted` (assigned) or `declined` (another host was assigned).
    pub status: OfferStatus,
    /// The host's pitch (applications).
    pub pitch: Option<String>,
    /// The host's proposed compensation (applications), minor units.
    pub proposed_compensation_minor: Option<i64>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// One of a host's invitations with what the host needs to know of its task.
#[derive(Debug, Clone, PartialEq)]
pub struct HostInvitation {
    /// The invitation.
    pub offer: OfferRecord,
    /// The task's `title`.
    pub title: String,
    /// The task's currency.
    pub currency: String,
    /// The task's `compensation`, minor units.
    pub compensation_minor: i64,
    /// The task's status.
    pub task_status: TaskStatus,
    /// The first session's scheduled time (RFC 3339), if any.
    pub scheduled_time: Option<String>,
}

/// A journal entry to write: signed postings that sum to zero.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerWrite {
    /// `ph_le_…`.
    pub id: String,
    /// `deposit`, `escrow_hold`, `escrow_refund`, `payout`, `tip`.
    pub kind: String,
    /// The task it belongs to.
    pub task_id: Option<String>,
    /// The agent whose money moved.
    pub agent_id: Option<String>,
    /// The host paid, if any.
    pub human_id: Option<String>,
    /// ISO code.
    pub currency: String,
    /// External reference (deposits).
    pub reference: Option<String>,
    /// (account, signed minor units).
    pub postings: Vec<(String, i64)>,
    /// RFC 3339.
    pub created_at: String,
}

/// A stored journal entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRecord {
    /// Insertion order.
    pub seq: i64,
    /// The entry as written.
    pub entry: LedgerWrite,
}

/// A host's submission, one version of it.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionRecord {
    /// The task.
    pub task_id: String,
    /// 1, 2, … (set by the store on insert).
    pub version: i64,
    /// The host.
    pub human_id: String,
    /// The body as submitted.
    pub body: Value,
    /// RFC 3339.
    pub created_at: String,
}

/// A request for changes to a submission version.
#[derive(Debug, Clone, PartialEq)]
pub struct RevisionRecord {
    /// The submission version it answers.
    pub version: i64,
    /// Why.
    pub reason: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A task's payout, as computed at approval.
#[derive(Debug, Clone, PartialEq)]
pub struct PayoutRecord {
    /// The task.
    pub task_id: String,
    /// The host paid.
    pub human_id: String,
    /// ISO code.
    pub currency: String,
    /// Total paid, minor units.
    pub total_minor: i64,
    /// The breakdown as served.
    pub body: Value,
    /// RFC 3339.
    pub created_at: String,
}

/// An agent's rating of a host for a task.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingRecord {
    /// The task.
    pub task_id: String,
    /// The host rated.
    pub human_id: String,
    /// The agent rating.
    pub agent_id: String,
    /// 1–5.
    pub overall_rating: i64,
    /// Free text.
    pub review_text: Option<String>,
    /// Tip, minor units (0 for none).
    pub tip_minor: i64,
    /// ISO code of the tip.
    pub currency: String,
    /// RFC 3339.
    pub created_at: String,
}

/// Everything one task action changes, applied in one transaction: the status
/// check and move, offers, submissions, ledger entries and host figures
/// succeed or fail together.
#[derive(Debug, Clone, Default)]
pub struct TaskChange {
    /// The task.
    pub task_id: String,
    /// The task's agent (for the change's events).
    pub agent_id: String,
    /// The task's assigned host before the change, if any (for its events).
    pub human_id: Option<String>,
    /// Statuses the task must be in (empty: any).
    pub expect: Vec<TaskStatus>,
    /// The new status.
    pub status: Option<TaskStatus>,
    /// Sets `assigned_human_id`.
    pub assign: Option<String>,
    /// Sets the task's escrow amount (minor units).
    pub escrow_minor: Option<i64>,
    /// Sets the base payment agreed at assignment (minor units).
    pub agreed_base_minor: Option<i64>,
    /// RFC 3339.
    pub now: String,
    /// Journal entries to write (wallets and escrows may not go below zero).
    pub ledger: Vec<LedgerWrite>,
    /// Inserts an offer (unique per task, host and kind).
    pub offer: Option<OfferRecord>,
    /// On assignment: the host's offers become `accepted`, the others' `declined`.
    pub settle_offers_for: Option<String>,
    /// Records a host's involvement.
    pub involve: Option<TaskHost>,
    /// Appends a submission version.
    pub submission: Option<SubmissionRecord>,
    /// Records a revision request against the latest submission.
    pub revision: Option<String>,
    /// Stores the payout.
    pub payout: Option<PayoutRecord>,
    /// Stores a rating (once per task) and updates the host's average.
    pub rating: Option<RatingRecord>,
    /// Adds one to this host's `completion_count`.
    pub host_completed: Option<String>,
    /// Saves the run of show (body, source).
    pub run_of_show: Option<(Value, String)>,
    /// Moves one of the task's sessions (ending it also ends its flash sales).
    pub session: Option<SessionUpdate>,
    /// Appends an event batch to that session (an imported recording).
    pub events: Option<EventBatch>,
    /// Keeps sessions' verified figures (an approval).
    pub session_results: Vec<SessionResultRecord>,
    /// The domain events of the change, written in its transaction.
    pub outbox: Vec<OutboxRecord>,
    /// Refuses the change (Conflict) while one of the task's sessions is live.
    pub no_live_session: bool,
}

/// A session's move to `live` or `ended`.
#[derive(Debug, Clone)]
pub struct SessionUpdate {
    /// The session.
    pub session_id: String,
    /// Statuses it must be in.
    pub expect: Vec<SessionStatus>,
    /// The new status.
    pub status: SessionStatus,
    /// Sets `started_at`.
    pub started_at: Option<String>,
    /// Sets `ended_at`.
    pub ended_at: Option<String>,
}

/// A flash sale.
#[derive(Debug, Clone, PartialEq)]
pub struct FlashSaleRecord {
    /// `ph_fs_…`.
    pub id: String,
    /// The session it runs in.
    pub session_id: String,
    /// The session's task.
    pub task_id: String,
    /// The product on sale.
    pub product_id: String,
    /// ISO code.
    pub currency: String,
    /// Sale price per unit, minor units.
    pub price_minor: i64,
    /// Units on offer.
    pub stock: i64,
    /// Most units one buyer may order.
    pub per_buyer_limit: Option<i64>,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339.
    pub ends_at: String,
    /// Read-only token for the stream overlay page.
    pub overlay_token: String,
    /// RFC 3339.
    pub created_at: String,
}

/// An accepted flash-sale order.
#[derive(Debug, Clone, PartialEq)]
pub struct FlashOrderRecord {
    /// `ph_ord_…`.
    pub order_id: String,
    /// The sale.
    pub flash_sale_id: String,
    /// The brand's buyer id.
    pub buyer_id: String,
    /// Units.
    pub quantity: i64,
    /// Price × quantity, minor units.
    pub amount_minor: i64,
    /// The `Idempotency-Key` it was placed with.
    pub idempotency_key: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// What a shared store decided for one flash-sale order (see
/// [`crate::Store::decide_flash_orders`]).
#[derive(Debug, Clone, PartialEq)]
pub enum OrderDecision {
    /// Stored; `remaining` units of its sale were left after it.
    Accepted {
        /// The order as stored.
        order: FlashOrderRecord,
        /// Units left after it.
        remaining: i64,
    },
    /// An order with the same sale, idempotency key, buyer and quantity was
    /// stored before (by any instance): that order, nothing new stored.
    Replayed {
        /// The order stored before.
        order: FlashOrderRecord,
        /// Units left now.
        remaining: i64,
    },
    /// The idempotency key was used for another buyer or quantity.
    KeyReused,
    /// Not enough units left; `remaining` are.
    SoldOut {
        /// Units left.
        remaining: i64,
    },
    /// The buyer would pass the sale's per-buyer limit.
    LimitExceeded {
        /// The limit.
        limit: i64,
        /// Units the buyer already has.
        bought: i64,
    },
    /// Placed at or after the sale's end (its countdown's, or its session's).
    Ended,
}

/// An agent's money in one currency, minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletBalance {
    /// ISO code.
    pub currency: String,
    /// Spendable.
    pub available: i64,
    /// Held for assigned tasks.
    pub in_escrow: i64,
    /// Paid to hosts (payouts and tips).
    pub paid_out: i64,
}

/// A host's money in one currency, minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarningsBalance {
    /// ISO code.
    pub currency: String,
    /// Paid to the host (payouts and tips).
    pub paid_out: i64,
    /// Held in escrow for the host's assigned, unapproved tasks.
    pub pending: i64,
}

/// A TikTok Shop connected by an agent: its proven owner, or a pending claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TiktokShopRecord {
    /// TikTok's shop id.
    pub shop_id: String,
    /// The agent that connected it.
    pub agent_id: String,
    /// The TikTok Shop app's key.
    pub app_key: String,
    /// The app's secret: verifies webhook signatures and signs API calls.
    pub app_secret: String,
    /// The shop's API access token.
    pub access_token: Option<String>,
    /// The TikTok Shop API base URL; `None`: the server's default.
    pub api_base_url: Option<String>,
    /// The shop's cipher, sent as `shop_cipher` on API calls.
    pub shop_cipher: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// When a webhook signed with this connection's secret proved the shop
    /// (RFC 3339); `None` while the connection is a pending claim.
    pub proven_at: Option<String>,
}

/// What proving a TikTok Shop claim did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TiktokShopProof {
    /// The shop's owner afterwards: the claim proven, or an owner proven
    /// first; `None` when there is neither (the claim is gone).
    pub owner: Option<TiktokShopRecord>,
    /// The agents whose pending claims on the shop were dropped.
    pub dropped_claims: Vec<String>,
}

/// A TikTok Shop order as the webhook left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TiktokShopOrderRecord {
    /// The shop.
    pub shop_id: String,
    /// TikTok's order id.
    pub order_id: String,
    /// `attributed` (counted in `session_id`), `unattributed` (paid while no
    /// session of the shop was live) or `cancelled`.
    pub status: String,
    /// The session it is counted in.
    pub session_id: Option<String>,
    /// ISO code of the payment.
    pub currency: Option<String>,
    /// `payment.total_amount`, minor units.
    pub total_minor: Option<i64>,
    /// `[{product_id, quantity, amount_minor}]`, one per product.
    pub lines: Value,
    /// The order's `create_time`, RFC 3339.
    pub order_created_at: Option<String>,
    /// RFC 3339.
    pub recorded_at: String,
    /// RFC 3339, once cancelled.
    pub cancelled_at: Option<String>,
}

/// Events to append to a session as one durable batch (NDJSON, one native
/// event a line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventBatch {
    /// The session.
    pub session_id: String,
    /// How many events.
    pub event_count: i64,
    /// One native event per line.
    pub ndjson: String,
    /// Who sent them: `host`, `agent`, `ingest_key`, `tiktok_shop` or `import`
    /// (see `livehire_domain::live::Source`).
    pub source: String,
    /// The sender: the host's or agent's id, the ingest key's session, the shop id.
    pub source_id: Option<String>,
    /// The TikTok LIVE connector message ids the events came from.
    pub msg_ids: Vec<String>,
}

/// A domain event in the outbox: something that happened that someone
/// outside the request must learn of.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRecord {
    /// Monotonic; 0 until stored.
    pub id: i64,
    /// `task.assigned`, `session.started`, `flash_sale.sold_out`, …
    pub kind: String,
    /// The task it is about, if any.
    pub task_id: Option<String>,
    /// The session it is about, if any.
    pub session_id: Option<String>,
    /// The agent who may read it.
    pub agent_id: Option<String>,
    /// The host who may read it.
    pub human_id: Option<String>,
    /// What happened, in the API's shapes.
    pub data: Value,
    /// One row per key (transitions recorded outside their change's own
    /// transaction); `None` for the rest.
    pub dedupe_key: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// One session's verified figures, kept when its task is approved.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionResultRecord {
    /// The session.
    pub session_id: String,
    /// Its task.
    pub task_id: String,
    /// The host paid for it.
    pub human_id: String,
    /// ISO code.
    pub currency: String,
    /// GMV, minor units.
    pub gmv_minor: i64,
    /// The other figures, as the metrics serve them.
    pub figures: Value,
    /// RFC 3339.
    pub created_at: String,
}

/// A stored event batch as read back for a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBatch {
    /// Its place among every session's batches: later batches of a session
    /// have greater ones.
    pub seq: i64,
    /// Who sent it (see [`EventBatch::source`]).
    pub source: String,
    /// One native event per line.
    pub body: String,
    /// The TikTok LIVE connector message ids its events came from.
    pub msg_ids: Vec<String>,
}

/// A key scoped to one session: a checkout key (flash-sale orders) or an
/// ingest key (the session's events, for the agent's connector bridge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKey {
    /// `checkout` or `ingest`.
    pub kind: String,
    /// The session it is scoped to.
    pub session_id: String,
    /// The agent who issued it.
    pub agent_id: String,
}

/// One TikTok Shop notification received, for audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TiktokShopNotification {
    /// `tts_notification_id`.
    pub notification_id: String,
    /// The shop.
    pub shop_id: String,
    /// `data.order_id`.
    pub order_id: Option<String>,
    /// `data.order_status`.
    pub order_status: Option<String>,
    /// What the server did (`attributed`, `unattributed`, `refunded`, `duplicate`, …).
    pub outcome: String,
    /// The session it touched.
    pub session_id: Option<String>,
    /// RFC 3339.
    pub received_at: String,
}

/// A webhook endpoint an agent or a host registered.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEndpointRecord {
    /// `ph_wh_…`.
    pub id: String,
    /// Whose it is: events are those of this agent or host.
    pub owner: Caller,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Event types subscribed; `["*"]` for all.
    pub events: Vec<String>,
    /// `whsec_<base64>`: the signing secret.
    pub secret: String,
    /// The outbox id up to which events were fanned out into deliveries.
    pub after_event: i64,
    /// The first failed attempt since the last success, if failing.
    pub failing_since: Option<String>,
    /// When it was disabled for failing too long.
    pub disabled_at: Option<String>,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// One event to one endpoint: its state and the last attempt's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDeliveryRecord {
    /// `msg_…`: the `webhook-id` header, the same on every attempt.
    pub id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// The outbox event.
    pub event_id: i64,
    /// Its type.
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts made (begun) so far.
    pub attempts: i64,
    /// Attempts made before the last redelivery by hand (the retry schedule
    /// starts again from there).
    pub round_start: i64,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<String>,
    /// A worker holds the current attempt until then.
    pub lease_until: Option<String>,
    /// When the last attempt began.
    pub last_attempt_at: Option<String>,
    /// The last attempt's HTTP status, if it got an answer.
    pub last_status: Option<i64>,
    /// The last attempt's error (no answer, or a non-2xx answer's excerpt).
    pub last_error: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookAttemptRecord {
    /// 1-based, in the delivery.
    pub n: i64,
    /// When it began.
    pub at: String,
    /// The HTTP status, if an answer came.
    pub status: Option<i64>,
    /// What went wrong, if it failed.
    pub error: Option<String>,
    /// The start of the answer's body (a few hundred bytes at most).
    pub response_excerpt: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

/// The outcome of an attempt, recorded with what it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookOutcome {
    /// The delivery.
    pub delivery_id: String,
    /// The attempt.
    pub attempt: WebhookAttemptRecord,
    /// `pending` (retry at `next_attempt_at`), `delivered` or `failed`.
    pub status: String,
    /// The next attempt, when pending.
    pub next_attempt_at: Option<String>,
    /// Disables the endpoint with this reason (and fails its pending
    /// deliveries).
    pub disable: Option<String>,
}

/// A person's way into the dashboard: an email and a password for one
/// account.
#[derive(Debug, Clone, PartialEq)]
pub struct WebLoginRecord {
    /// Lowercased.
    pub email: String,
    /// The account it opens.
    pub account: Caller,
    /// argon2id, as a PHC string.
    pub password_hash: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// A task as a list shows it: the columns, the time zone and the first
/// session's time, without the body.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSummary {
    /// `ph_task_…`.
    pub id: String,
    /// State-machine state.
    pub status: TaskStatus,
    /// `title`.
    pub title: String,
    /// ISO code.
    pub currency: String,
    /// `compensation` in minor units.
    pub compensation_minor: i64,
    /// `live_session_details.time_zone`, as posted.
    pub time_zone: Option<String>,
    /// The first session's scheduled time (RFC 3339), if it has one.
    pub first_session_at: Option<String>,
}

/// What an agent's overview counts, read at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentCounts {
    /// Its tasks per status (statuses with none left out).
    pub by_status: Vec<(TaskStatus, u64)>,
    /// Pending applications on its open tasks.
    pub applications_pending: u64,
    /// Sessions of its tasks that are live now.
    pub sessions_live: u64,
}

/// An agent's overview as the store reads it at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentOverviewRecord {
    /// Its counts.
    pub counts: AgentCounts,
    /// Its newest tasks, newest first.
    pub recent: Vec<TaskSummary>,
    /// Its wallet, as [`Store::wallet`](crate::Store::wallet) reads it.
    pub wallet: Vec<WalletBalance>,
}

/// What a task's page shows, read at once: the task with its sessions, its
/// saved run of show, every offer, the first messages of some threads and
/// whether anything was submitted.
#[derive(Debug, Clone)]
pub struct TaskBundle {
    /// The task, with its sessions.
    pub task: TaskRecord,
    /// Its saved run of show (body, source, updated_at), as
    /// [`Store::run_of_show`](crate::Store::run_of_show) reads it.
    pub run_of_show: Option<(Value, String, String)>,
    /// Its offers of both kinds, oldest first.
    pub offers: Vec<OfferRecord>,
    /// Its newest messages of the threads asked for (all when none were
    /// named), oldest first.
    pub messages: Vec<MessageRecord>,
    /// Whether those threads hold older messages than `messages`.
    pub older_messages: bool,
    /// Whether the task has a submission.
    pub has_submission: bool,
}

/// A dashboard session, kept server-side.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSessionRecord {
    /// Hex SHA-256 of the cookie's token (the token itself is never stored).
    pub digest: String,
    /// Whose it is.
    pub account: Caller,
    /// The token every form of this session carries.
    pub csrf: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: no longer valid from then.
    pub expires_at: String,
}
