//! livehire's storage.
//!
//! The service layer talks to a [`Store`]; each backend (SQLite, PostgreSQL)
//! implements it with its own migrations, and [`connect`] picks one by the
//! database URL's scheme. Rows cross this boundary as
//! the plain records below, never as backend types.
#![forbid(unsafe_code)]

mod backend;
mod columns;
pub mod migrate;
mod models;
mod postgres;
mod sqlite;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use async_trait::async_trait;
use livehire_domain::search::HostQuery;
use serde_json::Value;

pub use backend::{Backend, BackendKind, connect, redact as redact_url};
pub use models::*;
pub use postgres::PgStore;
pub use sqlite::{BackupReport, SqliteStore, backup};

/// What can go wrong in storage, as the service layer needs to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist (or is not the caller's).
    #[error("not found")]
    NotFound,
    /// A uniqueness or state precondition failed; the message says which.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A host's TikTok handle is another host's (compared as
    /// `livehire_domain::identity::handle_key` compares them).
    #[error("the TikTok handle {handle} belongs to another host")]
    HandleTaken {
        /// The handle as the rejected write gave it.
        handle: String,
    },
    /// A wallet or escrow would go below zero.
    #[error("insufficient funds in {account}: {shortfall_minor} {currency} minor units short")]
    InsufficientFunds {
        /// The account that would go negative.
        account: String,
        /// ISO code.
        currency: String,
        /// How much is missing, minor units.
        shortfall_minor: i64,
    },
    /// Anything else: logged, shown to clients as an opaque 500.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            other => StoreError::Other(other.into()),
        }
    }
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// The storage the service layer needs. Every method is one transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates an agent and its first key.
    async fn create_agent(&self, agent: &AgentRecord, key_digest: &str) -> StoreResult<()>;
    /// An agent by id.
    async fn agent(&self, id: &str) -> StoreResult<AgentRecord>;
    /// Who owns an unrevoked key with this digest.
    async fn caller_by_key(&self, digest: &str) -> StoreResult<Option<Caller>>;
    /// Revokes every key of `owner` and installs `new_digest`; returns the revoked digests.
    async fn rotate_key(
        &self,
        owner: &Caller,
        new_digest: &str,
        now: &str,
    ) -> StoreResult<Vec<String>>;

    /// Inserts a host with its first key (registration). HandleTaken when
    /// another host holds its TikTok handle (so for every host write below).
    async fn create_host(&self, host: &HostWrite, key_digest: &str) -> StoreResult<()>;
    /// Inserts or replaces hosts by id, without keys (demo seeding); returns how many were new.
    async fn upsert_hosts(&self, hosts: &[HostWrite]) -> StoreResult<u64>;
    /// Replaces a host's profile and searchable figures.
    async fn update_host(&self, host: &HostWrite) -> StoreResult<()>;
    /// A host by id.
    async fn host(&self, id: &str) -> StoreResult<HostRecord>;
    /// Hosts by id, in no particular order; missing ids are skipped.
    async fn hosts_by_ids(&self, ids: &[String]) -> StoreResult<Vec<HostRecord>>;
    /// One page of a host search.
    async fn search_hosts(&self, query: &HostQuery) -> StoreResult<HostPage>;
    /// How many hosts exist.
    async fn host_count(&self) -> StoreResult<u64>;
    /// Every host's searchable columns, public JSON and tags (loading a search index).
    async fn all_hosts_for_index(&self) -> StoreResult<HostIndexSnapshot>;
    /// The searchable columns and public JSON of some hosts, by id, as stored
    /// (refreshing a search index after a change the store computed, such as a
    /// rating). Missing ids are skipped.
    async fn hosts_for_index(&self, ids: &[String]) -> StoreResult<Vec<HostIndexRow>>;
    /// The (id, seq) of some hosts; missing ids are skipped.
    async fn host_seqs(&self, ids: &[String]) -> StoreResult<Vec<(String, i64)>>;
    /// Where the database's host changes stand: [`Store::host_changes`] from
    /// this mark returns every host written by a transaction that had not
    /// committed when the mark was read (and maybe a few more). Read it
    /// before loading a search index, and before each read of changes.
    async fn host_change_mark(&self) -> StoreResult<i64>;
    /// Up to `limit` hosts written at or after `mark`, in (change, seq)
    /// order, after `after` (the last (change, seq) of the previous page).
    /// Servers sharing a database read them to keep their search index
    /// current with each other's writes. A host written several times may
    /// come several times. `NotFound` when changes past `mark` are no
    /// longer kept (SQLite keeps the newest million): load the index again.
    async fn host_changes(
        &self,
        mark: i64,
        after: Option<(i64, i64)>,
        limit: u32,
    ) -> StoreResult<Vec<HostChange>>;
    /// Rate limits shared by servers over one database: records the requests
    /// `instance` admitted in its `round` (rounds rise), forgets usage older
    /// than a minute, and returns other servers' usage of the last
    /// `window_ms`, past the last round of each already read (`seen`:
    /// instance → round).
    async fn exchange_rate_usage(
        &self,
        instance: &str,
        round: i64,
        usage: &[RateUsage],
        seen: &[(String, i64)],
        window_ms: i64,
    ) -> StoreResult<Vec<PeerRateUsage>>;

    /// The task that holds a session (with all its sessions).
    async fn session_task(&self, session_id: &str) -> StoreResult<TaskRecord>;
    /// Appends a batch of accepted events with who sent them and the TikTok
    /// LIVE connector message ids they came from; durable on return.
    /// `Conflict("session_settled")` when the session's task is approved or
    /// cancelled (its figures are frozen); then nothing is written.
    /// Answers the batch's `seq`.
    async fn append_events(&self, batch: &EventBatch, now: &str) -> StoreResult<i64>;
    /// Every stored event batch of a session, oldest first.
    async fn event_batches(&self, session_id: &str) -> StoreResult<Vec<StoredBatch>>;
    /// A session's event batches after `seq` `after_seq`, oldest first: on a
    /// shared store, what other instances stored since. A session's batches
    /// commit in `seq` order, so none can appear later before these.
    async fn event_batches_since(
        &self,
        session_id: &str,
        after_seq: i64,
    ) -> StoreResult<Vec<StoredBatch>>;
    /// Every connector message id stored with a session's event batches.
    async fn connector_msg_ids(&self, session_id: &str) -> StoreResult<Vec<String>>;
    /// Records the last delivery of a connector or an ingest key.
    async fn record_feed(&self, session_id: &str, feed: &FeedRecord) -> StoreResult<()>;
    /// Records that a live session's stream ended at `at` (RFC 3339), unless
    /// an earlier end is recorded; `false` when the session is not live.
    async fn mark_stream_ended(&self, session_id: &str, at: &str) -> StoreResult<bool>;
    /// Forgets a stream's end recorded before `before` (RFC 3339): the host
    /// is live again. `false` when there was none.
    async fn clear_stream_end(&self, session_id: &str, before: &str) -> StoreResult<bool>;
    /// Live sessions whose stream ended at or before `cutoff` (RFC 3339),
    /// with the time it ended.
    async fn streams_ended_by(&self, cutoff: &str) -> StoreResult<Vec<(String, String)>>;
    /// Creates a flash sale and appends its events.
    async fn create_flash_sale(
        &self,
        sale: &FlashSaleRecord,
        outbox: &[OutboxRecord],
    ) -> StoreResult<()>;
    /// A flash sale.
    async fn flash_sale(&self, id: &str) -> StoreResult<FlashSaleRecord>;
    /// A session's flash sales, oldest first.
    async fn session_flash_sales(&self, session_id: &str) -> StoreResult<Vec<FlashSaleRecord>>;
    /// Inserts accepted orders in one transaction (group commit) and hands
    /// them back once they are durable.
    async fn insert_flash_orders(
        &self,
        orders: Vec<FlashOrderRecord>,
    ) -> StoreResult<Vec<FlashOrderRecord>>;
    /// Whether several server processes may use this store at once
    /// (PostgreSQL): then what one process holds in memory is not the whole
    /// truth, and flash-sale orders are decided by
    /// [`Store::decide_flash_orders`].
    fn shared(&self) -> bool {
        false
    }
    /// On a shared store, a feed of the ids of the live sessions any
    /// process changed (event batches, flash sales and their orders, start
    /// and end), each as its change commits (PostgreSQL `LISTEN`/`NOTIFY`);
    /// `None` where one process uses the store. A feed may miss names (a
    /// connection lost, a reader behind): its reader also looks on its own.
    async fn session_changes(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<String>>> {
        Ok(None)
    }
    /// Decides each order in turn against its sale as stored (its units
    /// sold, the buyer's units under a per-buyer limit, its end and the
    /// orders stored under the same idempotency key), and stores the
    /// accepted ones with the sale's new units sold, in one transaction;
    /// durable on return, one decision per order in order. Other processes'
    /// orders for the same sales wait for it. A store only one process uses
    /// (SQLite) leaves this to the process and answers an error.
    async fn decide_flash_orders(
        &self,
        orders: Vec<FlashOrderRecord>,
    ) -> StoreResult<Vec<OrderDecision>> {
        let _ = orders;
        Err(StoreError::Other(anyhow::anyhow!(
            "this store is used by one process, which decides its flash-sale orders"
        )))
    }
    /// Up to `limit` of a flash sale's orders after the position `after`
    /// (0: from the first), oldest first, each with its position. A sale's
    /// orders commit in position order (see
    /// [`Store::decide_flash_orders`]), so none can appear later before these.
    async fn flash_orders_since(
        &self,
        flash_sale_id: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, FlashOrderRecord)>>;
    /// A page of a flash sale's orders, oldest first: up to `limit` after the
    /// position `after` (from an earlier page's `next`).
    async fn flash_orders_page(
        &self,
        flash_sale_id: &str,
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<FlashOrderRecord>>;
    /// The unrevoked session-scoped key (checkout or ingest) with this digest.
    async fn session_key(&self, digest: &str) -> StoreResult<Option<SessionKey>>;
    /// Stores a session-scoped key.
    async fn create_session_key(
        &self,
        digest: &str,
        key: &SessionKey,
        now: &str,
    ) -> StoreResult<()>;

    /// Inserts a task and its sessions.
    async fn create_task(&self, task: &TaskRecord) -> StoreResult<()>;
    /// A task with its sessions.
    async fn task(&self, id: &str) -> StoreResult<TaskRecord>;
    /// A page of tasks matching `filter`, newest first.
    async fn list_tasks(&self, filter: &TaskFilter) -> StoreResult<Page<TaskRecord>>;
    /// An agent's overview: its task counts by status, its open tasks'
    /// pending applications and its live sessions (exact), and its `limit`
    /// most recently posted tasks as summaries.
    async fn agent_overview(&self, agent_id: &str, limit: u32) -> StoreResult<AgentOverviewRecord>;
    /// Up to `limit` tasks without stored terms, after the position
    /// `after_seq`, oldest first: `(seq, id, body)`.
    async fn tasks_without_terms(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, String, Value)>>;
    /// Stores terms of tasks that have none, in one transaction: `(id,
    /// terms)`. A task that has terms keeps them.
    async fn fill_task_terms(&self, terms: &[(String, String)]) -> StoreResult<()>;
    /// Applies a task action atomically. Conflict(current status) when the task
    /// is not in one of `change.expect`; InsufficientFunds when a wallet or escrow
    /// would go negative; Conflict(message) on a duplicate offer or rating.
    async fn apply_task_change(&self, change: &TaskChange) -> StoreResult<()>;
    /// Writes a journal entry on its own (deposits).
    async fn write_ledger(&self, entry: &LedgerWrite) -> StoreResult<()>;
    /// Offers of a task, oldest first (`kind` filters).
    async fn offers(&self, task_id: &str, kind: Option<&str>) -> StoreResult<Vec<OfferRecord>>;
    /// Up to `limit` invitations of a host with their tasks, newest first,
    /// those with an id below `before_id` when given.
    async fn host_invitations(
        &self,
        human_id: &str,
        before_id: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<HostInvitation>>;
    /// Every submission version of a task, oldest first.
    async fn submissions(&self, task_id: &str) -> StoreResult<Vec<SubmissionRecord>>;
    /// Revision requests of a task, oldest first.
    async fn revisions(&self, task_id: &str) -> StoreResult<Vec<RevisionRecord>>;
    /// A task's payout, once approved.
    async fn payout(&self, task_id: &str) -> StoreResult<Option<PayoutRecord>>;
    /// A task's rating, once rated.
    async fn rating(&self, task_id: &str) -> StoreResult<Option<RatingRecord>>;
    /// A host's ratings, newest first.
    async fn host_ratings(&self, human_id: &str, limit: u32) -> StoreResult<Vec<RatingRecord>>;
    /// What a task's page shows, in one read: the task and its sessions,
    /// run of show, offers, its newest `messages_limit` messages of
    /// `threads` (every thread when empty) and whether it has a submission.
    async fn task_bundle(
        &self,
        task_id: &str,
        threads: &[String],
        messages_limit: u32,
    ) -> StoreResult<TaskBundle>;
    /// A task's saved run of show (body, source, updated_at).
    async fn run_of_show(&self, task_id: &str) -> StoreResult<Option<(Value, String, String)>>;
    /// An agent's balances per currency.
    async fn wallet(&self, agent_id: &str) -> StoreResult<Vec<WalletBalance>>;
    /// The verified figures kept of a host's sessions, oldest first.
    async fn host_session_results(&self, human_id: &str) -> StoreResult<Vec<SessionResultRecord>>;
    /// A host's balances per currency.
    async fn earnings(&self, human_id: &str) -> StoreResult<Vec<EarningsBalance>>;
    /// Journal entries touching an agent (by `agent_id`) or a host (by `human_id`), newest first.
    async fn ledger(
        &self,
        agent_id: Option<&str>,
        human_id: Option<&str>,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<LedgerRecord>>;
    /// Hosts involved in a task (invited, applied, assigned).
    async fn task_hosts(&self, task_id: &str) -> StoreResult<Vec<TaskHost>>;

    /// Appends a message and its events.
    async fn add_message(
        &self,
        message: &MessageRecord,
        outbox: &[OutboxRecord],
    ) -> StoreResult<MessageRecord>;

    /// Appends domain events on their own (transitions outside a change's
    /// transaction); an event whose `dedupe_key` is stored already is skipped.
    async fn append_outbox(&self, events: &[OutboxRecord]) -> StoreResult<()>;
    /// Up to `limit` domain events after id `after`, oldest first: all of them,
    /// or only an agent's or a host's (`party`: (agent_id, human_id)).
    async fn outbox_after(
        &self,
        after: i64,
        limit: u32,
        party: Option<(Option<&str>, Option<&str>)>,
    ) -> StoreResult<Vec<OutboxRecord>>;
    /// The newest domain event's id (0 without any).
    async fn outbox_last_id(&self) -> StoreResult<i64>;
    /// A page of messages of a task, oldest first, from the given threads.
    async fn list_messages(
        &self,
        task_id: &str,
        threads: &[String],
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<MessageRecord>>;

    /// Sets an account's dashboard login (replacing its earlier email and
    /// password); Conflict when the email is another account's.
    async fn set_web_login(&self, login: &WebLoginRecord) -> StoreResult<()>;
    /// The login with this (lowercased) email.
    async fn web_login(&self, email: &str) -> StoreResult<Option<WebLoginRecord>>;
    /// The login of an account, if it has one.
    async fn web_login_of(&self, account_id: &str) -> StoreResult<Option<WebLoginRecord>>;
    /// Stores a new web session.
    async fn create_web_session(&self, session: &WebSessionRecord) -> StoreResult<()>;
    /// The web session with this digest, unless it expired by `now`.
    async fn web_session(&self, digest: &str, now: &str) -> StoreResult<Option<WebSessionRecord>>;
    /// Ends a web session (no error when it is gone).
    async fn delete_web_session(&self, digest: &str) -> StoreResult<()>;
    /// Ends every web session of an account but the one with digest
    /// `keep` (when given); returns how many ended.
    async fn end_web_sessions(&self, account_id: &str, keep: Option<&str>) -> StoreResult<u64>;
    /// Deletes web sessions expired by `now`; returns how many.
    async fn delete_expired_web_sessions(&self, now: &str) -> StoreResult<u64>;

    /// Stores a new webhook endpoint, its fan-out cursor at the newest event
    /// (read in the same transaction, so it gets exactly the events after
    /// it); returns that cursor.
    async fn create_webhook(&self, endpoint: &WebhookEndpointRecord) -> StoreResult<i64>;
    /// An owner's webhook endpoints, oldest first.
    async fn webhooks(&self, owner_id: &str) -> StoreResult<Vec<WebhookEndpointRecord>>;
    /// One webhook endpoint (NotFound when missing).
    async fn webhook(&self, id: &str) -> StoreResult<WebhookEndpointRecord>;
    /// Deletes an endpoint with its deliveries (NotFound when missing).
    async fn delete_webhook(&self, id: &str) -> StoreResult<()>;
    /// Every endpoint not disabled (for the delivery worker).
    async fn active_webhooks(&self) -> StoreResult<Vec<WebhookEndpointRecord>>;
    /// Adds deliveries for an endpoint and moves its fan-out cursor to
    /// `after_event`, in one transaction; a delivery of an (endpoint, event)
    /// already there is skipped, and a cursor never moves back.
    async fn fan_out_webhook(
        &self,
        endpoint_id: &str,
        after_event: i64,
        deliveries: &[WebhookDeliveryRecord],
    ) -> StoreResult<()>;
    /// The endpoint's oldest pending delivery: the only one that may be sent.
    async fn webhook_head(&self, endpoint_id: &str) -> StoreResult<Option<WebhookDeliveryRecord>>;
    /// Claims the next attempt of a pending delivery due at `now` whose lease
    /// is free: counts the attempt and holds it until `lease_until`. Returns
    /// the delivery as claimed, or `None` when another worker has it or it is
    /// not due.
    async fn claim_webhook_delivery(
        &self,
        delivery_id: &str,
        now: &str,
        lease_until: &str,
    ) -> StoreResult<Option<WebhookDeliveryRecord>>;
    /// Records an attempt's outcome, and the endpoint's failing or recovered
    /// state, in one transaction.
    async fn record_webhook_attempt(&self, outcome: &WebhookOutcome) -> StoreResult<()>;
    /// A page of an endpoint's deliveries, newest event first, those of
    /// events before `before` (an event id) when given.
    async fn webhook_deliveries(
        &self,
        endpoint_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDeliveryRecord>>;
    /// One delivery of an endpoint (NotFound when missing).
    async fn webhook_delivery(
        &self,
        endpoint_id: &str,
        delivery_id: &str,
    ) -> StoreResult<WebhookDeliveryRecord>;
    /// The attempts of a delivery, oldest first.
    async fn webhook_attempts(&self, delivery_id: &str) -> StoreResult<Vec<WebhookAttemptRecord>>;
    /// Queues a delivery again, due at `now`, its retry schedule restarted.
    async fn redeliver_webhook(&self, delivery_id: &str, now: &str) -> StoreResult<()>;

    /// Reserves an idempotency key; returns the stored entry if the key exists.
    async fn idempotency_begin(
        &self,
        owner: &str,
        key: &str,
        request_hash: &str,
        now: &str,
    ) -> StoreResult<Option<IdempotencyEntry>>;
    /// Stores the response of a reserved key.
    async fn idempotency_finish(
        &self,
        owner: &str,
        key: &str,
        status: u16,
        body: &[u8],
    ) -> StoreResult<()>;
    /// Releases a reservation whose request failed before producing a response.
    async fn idempotency_abandon(&self, owner: &str, key: &str) -> StoreResult<()>;
    /// Forgets keys older than `before`.
    async fn idempotency_expire(&self, before: &str) -> StoreResult<u64>;

    /// Connects a TikTok Shop for `shop.agent_id`: updates the agent's own
    /// proven shop in place (it stays proven), else adds or replaces the
    /// agent's pending claim (keeping its `created_at`). Conflict when another
    /// agent owns the shop. Returns the stored connection.
    async fn connect_tiktok_shop(&self, shop: &TiktokShopRecord) -> StoreResult<TiktokShopRecord>;
    /// The proven owner of a shop, by TikTok's shop id.
    async fn tiktok_shop(&self, shop_id: &str) -> StoreResult<Option<TiktokShopRecord>>;
    /// The pending claims on a shop, oldest first.
    async fn tiktok_shop_claims(&self, shop_id: &str) -> StoreResult<Vec<TiktokShopRecord>>;
    /// Proves `agent_id`'s claim on `shop_id` at `now`: in one transaction the
    /// claim becomes the owner and the shop's other claims are dropped, unless
    /// another claim was proven first (the one owner per shop is the primary
    /// key of the owners' table).
    async fn prove_tiktok_shop_claim(
        &self,
        shop_id: &str,
        agent_id: &str,
        now: &str,
    ) -> StoreResult<TiktokShopProof>;
    /// An agent's shops, owned and claimed, by shop id.
    async fn tiktok_shops(&self, agent_id: &str) -> StoreResult<Vec<TiktokShopRecord>>;
    /// The session that was live at `at` (RFC 3339) in a task of `agent_id`
    /// whose `live_session_details.tiktok_shop_id` is `shop_id`; the latest
    /// started when several were.
    async fn tiktok_shop_live_session(
        &self,
        agent_id: &str,
        shop_id: &str,
        at: &str,
    ) -> StoreResult<Option<String>>;
    /// An order the webhook recorded.
    async fn tiktok_shop_order(
        &self,
        shop_id: &str,
        order_id: &str,
    ) -> StoreResult<Option<TiktokShopOrderRecord>>;
    /// Records an order unless it is recorded already, and appends `events`
    /// (its order events) in the same transaction. Returns the existing record
    /// when there was one; then nothing was written.
    async fn record_tiktok_shop_order(
        &self,
        order: &TiktokShopOrderRecord,
        events: Option<&EventBatch>,
    ) -> StoreResult<Option<TiktokShopOrderRecord>>;
    /// Moves an order from `from_status` to `cancelled` and appends `events`
    /// (its refunds) in the same transaction; false (nothing written) when the
    /// order is not in `from_status`.
    async fn cancel_tiktok_shop_order(
        &self,
        shop_id: &str,
        order_id: &str,
        from_status: &str,
        events: Option<&EventBatch>,
        now: &str,
    ) -> StoreResult<bool>;
    /// The outcome of an earlier notification with this id, other than a
    /// failed fetch (which TikTok retries) or a refusal for its timestamp.
    async fn tiktok_shop_notification_outcome(
        &self,
        shop_id: &str,
        notification_id: &str,
    ) -> StoreResult<Option<String>>;
    /// Logs a notification.
    async fn log_tiktok_shop_notification(
        &self,
        notification: &TiktokShopNotification,
    ) -> StoreResult<()>;

    // ---- operations ------------------------------------------------------

    /// Whether the store can serve, check by check: each check's name and,
    /// when it fails, why. A backend with nothing to check has no checks.
    async fn readiness(&self) -> Vec<(&'static str, Result<(), String>)> {
        Vec::new()
    }

    /// How its connection pools are used now.
    fn pool_use(&self) -> Vec<PoolUse> {
        Vec::new()
    }
}

/// How one connection pool is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUse {
    /// `reader`, `writer`.
    pub pool: &'static str,
    /// Connections open.
    pub open: u32,
    /// Of those, idle.
    pub idle: u32,
    /// Most it opens.
    pub max: u32,
}
