//! The embedded SQLite backend: one file, WAL mode, a single writer connection
//! (SQLite serialises writers anyway; one connection avoids busy retries), a
//! small pool of readers, and a connection of its own for flash-sale orders
//! (`orders`), which writes only while it holds the writer.
//!
//! This file holds the store, its connections and the one `impl Store`. Each
//! concern module holds the queries of its tables as functions that take the
//! connection they need: `accounts` (agents, API keys, session keys), `hosts`
//! (host writes and reads), `host_search` (SQL search, search-index loads),
//! `tasks` (the task writer, tasks and sessions), `hiring` (task changes,
//! offers, submissions, ratings), `ledger` (journal, balances), `live` (event
//! batches, flash sales and their orders), `orders` (the order connection),
//! `shop` (TikTok Shop), `messages`, `idempotency` and `webhooks`
//! (endpoints, deliveries and their attempts).
//!
//! Dependencies point one way: this file uses the concerns; the concerns
//! share helpers from `common`; `hiring` uses `ledger` and `live`, and `shop`
//! uses `live`. No concern uses the store itself, so none depends on this file.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use livehire_domain::search::HostQuery;
use serde_json::Value;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::*;
use common::INSERT_CHUNK;
use orders::OrderConnection;
use tasks::TaskJob;

pub use health::{BackupReport, backup};

mod accounts;
mod common;
mod health;
mod hiring;
mod host_search;
mod hosts;
mod idempotency;
mod instances;
mod ledger;
mod live;
mod messages;
mod orders;
mod outbox;
mod shop;
mod tasks;
mod web;
mod webhooks;

/// The SQLite store: its connections and the task writer's queue.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) writer: SqlitePool,
    pub(crate) reader: SqlitePool,
    tasks: tokio::sync::mpsc::UnboundedSender<TaskJob>,
    orders: OrderConnection,
    /// The database file, and which file it was when opened.
    file: std::sync::Arc<health::DatabaseFile>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file at `url`
    /// (`sqlite://path`) and applies migrations. An in-memory database is
    /// refused: the store opens several connections to one file.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            anyhow::bail!(
                "the embedded store needs a database file (sqlite://path/to/livehire.db), \
                 not an in-memory database: its readers, writer and order connection share one file"
            );
        }
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-16384")
            .pragma("temp_store", "memory")
            .statement_cache_capacity(STATEMENT_CACHE);
        // An embedded connection cannot go stale, so no ping before each use:
        // on the writer that ping was one more round trip to SQLite's thread
        // inside every group commit.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        let orders = OrderConnection::open(opts.get_filename())?;
        let file = std::sync::Arc::new(health::DatabaseFile::new(opts.get_filename()));
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(opts.read_only(true))
            .await?;
        let (tasks, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(tasks::task_writer(writer.clone(), rx));
        Ok(Self {
            writer,
            reader,
            tasks,
            orders,
            file,
        })
    }

    /// Closes every connection, the writer last, flushing the WAL.
    pub async fn close(&self) {
        self.orders.close().await;
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Prepared statements kept per connection. Group-commit inserts have one
/// shape per batch length (up to [`INSERT_CHUNK`] for tasks and sessions),
/// so the writer keeps them all rather than parse and plan a
/// statement again for most batches; splitting batches into a few fixed
/// lengths instead costs more round trips to SQLite's thread per commit.
const STATEMENT_CACHE: usize = 2 * INSERT_CHUNK + 128;

/// One impl, delegating: a trait has one impl block per type, so splitting it
/// by concern would mean splitting the public `Store` trait. Here each method
/// says which connection it uses (the writer, a reader, the task writer's
/// queue or the order connection) and which concern holds its queries.
#[async_trait]
impl Store for SqliteStore {
    async fn create_agent(&self, agent: &AgentRecord, key_digest: &str) -> StoreResult<()> {
        accounts::create_agent(&self.writer, agent, key_digest).await
    }

    async fn agent(&self, id: &str) -> StoreResult<AgentRecord> {
        accounts::agent(&self.reader, id).await
    }

    async fn caller_by_key(&self, digest: &str) -> StoreResult<Option<Caller>> {
        accounts::caller_by_key(&self.reader, digest).await
    }

    async fn rotate_key(
        &self,
        owner: &Caller,
        new_digest: &str,
        now: &str,
    ) -> StoreResult<Vec<String>> {
        accounts::rotate_key(&self.writer, owner, new_digest, now).await
    }

    async fn create_host(&self, host: &HostWrite, key_digest: &str) -> StoreResult<()> {
        hosts::create_host(&self.reader, &self.writer, host, key_digest).await
    }

    async fn upsert_hosts(&self, hosts: &[HostWrite]) -> StoreResult<u64> {
        hosts::write_hosts(&self.writer, hosts, None).await
    }

    async fn update_host(&self, host: &HostWrite) -> StoreResult<()> {
        hosts::write_hosts(&self.writer, std::slice::from_ref(host), None).await?;
        Ok(())
    }

    async fn host(&self, id: &str) -> StoreResult<HostRecord> {
        hosts::host(&self.reader, id).await
    }

    async fn hosts_by_ids(&self, ids: &[String]) -> StoreResult<Vec<HostRecord>> {
        hosts::hosts_by_ids(&self.reader, ids).await
    }

    async fn search_hosts(&self, q: &HostQuery) -> StoreResult<HostPage> {
        host_search::search_hosts(&self.reader, q).await
    }

    async fn host_count(&self) -> StoreResult<u64> {
        hosts::host_count(&self.reader).await
    }

    async fn all_hosts_for_index(&self) -> StoreResult<HostIndexSnapshot> {
        host_search::all_hosts_for_index(&self.reader).await
    }

    async fn hosts_for_index(&self, ids: &[String]) -> StoreResult<Vec<HostIndexRow>> {
        host_search::hosts_for_index(&self.reader, ids).await
    }

    async fn host_seqs(&self, ids: &[String]) -> StoreResult<Vec<(String, i64)>> {
        host_search::host_seqs(&self.reader, ids).await
    }

    async fn host_change_mark(&self) -> StoreResult<i64> {
        instances::host_change_mark(&self.reader).await
    }

    async fn host_changes(
        &self,
        mark: i64,
        after: Option<(i64, i64)>,
        limit: u32,
    ) -> StoreResult<Vec<HostChange>> {
        instances::host_changes(&self.reader, mark, after, limit).await
    }

    async fn exchange_rate_usage(
        &self,
        instance: &str,
        round: i64,
        usage: &[RateUsage],
        seen: &[(String, i64)],
        window_ms: i64,
    ) -> StoreResult<Vec<PeerRateUsage>> {
        instances::exchange_rate_usage(
            &self.writer,
            &self.reader,
            instance,
            round,
            usage,
            seen,
            window_ms,
        )
        .await
    }

    async fn session_task(&self, session_id: &str) -> StoreResult<TaskRecord> {
        tasks::session_task(&self.reader, session_id).await
    }

    async fn append_events(&self, batch: &EventBatch, now: &str) -> StoreResult<i64> {
        live::append_events(&self.writer, batch, now).await
    }

    async fn event_batches(&self, session_id: &str) -> StoreResult<Vec<StoredBatch>> {
        live::event_batches(&self.reader, session_id).await
    }

    async fn event_batches_since(
        &self,
        session_id: &str,
        after_seq: i64,
    ) -> StoreResult<Vec<StoredBatch>> {
        live::event_batches_since(&self.reader, session_id, after_seq).await
    }

    async fn connector_msg_ids(&self, session_id: &str) -> StoreResult<Vec<String>> {
        live::connector_msg_ids(&self.reader, session_id).await
    }

    async fn record_feed(&self, session_id: &str, feed: &FeedRecord) -> StoreResult<()> {
        live::record_feed(&self.writer, session_id, feed).await
    }

    async fn mark_stream_ended(&self, session_id: &str, at: &str) -> StoreResult<bool> {
        live::mark_stream_ended(&self.writer, session_id, at).await
    }

    async fn clear_stream_end(&self, session_id: &str, before: &str) -> StoreResult<bool> {
        live::clear_stream_end(&self.writer, session_id, before).await
    }

    async fn streams_ended_by(&self, cutoff: &str) -> StoreResult<Vec<(String, String)>> {
        live::streams_ended_by(&self.reader, cutoff).await
    }

    async fn create_flash_sale(
        &self,
        sale: &FlashSaleRecord,
        events: &[OutboxRecord],
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        live::create_flash_sale(&mut tx, sale).await?;
        outbox::append(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn flash_sale(&self, id: &str) -> StoreResult<FlashSaleRecord> {
        live::flash_sales(&self.reader, Some(id), None)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn session_flash_sales(&self, session_id: &str) -> StoreResult<Vec<FlashSaleRecord>> {
        live::flash_sales(&self.reader, None, Some(session_id)).await
    }

    async fn insert_flash_orders(
        &self,
        orders: Vec<FlashOrderRecord>,
    ) -> StoreResult<Vec<FlashOrderRecord>> {
        // Holding the pooled writer keeps every other write out while the
        // order connection commits, so neither waits on SQLite's write lock.
        let _writer = self.writer.acquire().await?;
        self.orders.insert(orders).await
    }

    async fn flash_orders_since(
        &self,
        flash_sale_id: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, FlashOrderRecord)>> {
        live::flash_orders_since(&self.reader, flash_sale_id, after, limit).await
    }

    async fn flash_orders_page(
        &self,
        flash_sale_id: &str,
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<FlashOrderRecord>> {
        live::flash_orders_page(&self.reader, flash_sale_id, after, limit).await
    }

    async fn host_session_results(&self, human_id: &str) -> StoreResult<Vec<SessionResultRecord>> {
        hosts::session_results(&self.reader, human_id).await
    }

    async fn session_key(&self, digest: &str) -> StoreResult<Option<SessionKey>> {
        accounts::session_key(&self.reader, digest).await
    }

    async fn create_session_key(
        &self,
        digest: &str,
        key: &SessionKey,
        now: &str,
    ) -> StoreResult<()> {
        accounts::create_session_key(&self.writer, digest, key, now).await
    }

    async fn create_task(&self, task: &TaskRecord) -> StoreResult<()> {
        tasks::create_task(&self.tasks, task).await
    }

    async fn task(&self, id: &str) -> StoreResult<TaskRecord> {
        tasks::task(&self.reader, id).await
    }

    async fn list_tasks(&self, f: &TaskFilter) -> StoreResult<Page<TaskRecord>> {
        tasks::list_tasks(&self.reader, f).await
    }

    async fn tasks_without_terms(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, String, Value)>> {
        tasks::tasks_without_terms(&self.reader, after_seq, limit).await
    }

    async fn fill_task_terms(&self, terms: &[(String, String)]) -> StoreResult<()> {
        tasks::fill_task_terms(&self.writer, terms).await
    }

    async fn apply_task_change(&self, change: &TaskChange) -> StoreResult<()> {
        hiring::apply_change(&self.writer, change).await
    }

    async fn write_ledger(&self, entry: &LedgerWrite) -> StoreResult<()> {
        ledger::write_ledger(&self.writer, entry).await
    }

    async fn offers(&self, task_id: &str, kind: Option<&str>) -> StoreResult<Vec<OfferRecord>> {
        hiring::offers(&self.reader, task_id, kind).await
    }

    async fn host_invitations(
        &self,
        human_id: &str,
        before_id: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<HostInvitation>> {
        hiring::host_invitations(&self.reader, human_id, before_id, limit).await
    }

    async fn submissions(&self, task_id: &str) -> StoreResult<Vec<SubmissionRecord>> {
        hiring::submissions(&self.reader, task_id).await
    }

    async fn revisions(&self, task_id: &str) -> StoreResult<Vec<RevisionRecord>> {
        hiring::revisions(&self.reader, task_id).await
    }

    async fn payout(&self, task_id: &str) -> StoreResult<Option<PayoutRecord>> {
        hiring::payout(&self.reader, task_id).await
    }

    async fn rating(&self, task_id: &str) -> StoreResult<Option<RatingRecord>> {
        Ok(hiring::ratings(&self.reader, Some(task_id), None, 1)
            .await?
            .pop())
    }

    async fn host_ratings(&self, human_id: &str, limit: u32) -> StoreResult<Vec<RatingRecord>> {
        hiring::ratings(&self.reader, None, Some(human_id), limit).await
    }

    async fn run_of_show(&self, task_id: &str) -> StoreResult<Option<(Value, String, String)>> {
        hiring::run_of_show(&self.reader, task_id).await
    }

    async fn wallet(&self, agent_id: &str) -> StoreResult<Vec<WalletBalance>> {
        ledger::wallet(&self.reader, agent_id).await
    }

    async fn earnings(&self, human_id: &str) -> StoreResult<Vec<EarningsBalance>> {
        ledger::earnings(&self.reader, human_id).await
    }

    async fn ledger(
        &self,
        agent_id: Option<&str>,
        human_id: Option<&str>,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<LedgerRecord>> {
        ledger::ledger(&self.reader, agent_id, human_id, before_seq, limit).await
    }

    async fn task_hosts(&self, task_id: &str) -> StoreResult<Vec<TaskHost>> {
        tasks::task_hosts(&self.reader, task_id).await
    }

    async fn add_message(
        &self,
        m: &MessageRecord,
        events: &[OutboxRecord],
    ) -> StoreResult<MessageRecord> {
        let mut tx = self.writer.begin().await?;
        let stored = messages::add_message(&mut tx, m).await?;
        outbox::append(&mut tx, events).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn append_outbox(&self, events: &[OutboxRecord]) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        outbox::append(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn outbox_after(
        &self,
        after: i64,
        limit: u32,
        party: Option<(Option<&str>, Option<&str>)>,
    ) -> StoreResult<Vec<OutboxRecord>> {
        outbox::after(&self.reader, after, limit, party).await
    }

    async fn outbox_last_id(&self) -> StoreResult<i64> {
        outbox::last_id(&self.reader).await
    }

    async fn list_messages(
        &self,
        task_id: &str,
        threads: &[String],
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<MessageRecord>> {
        messages::list_messages(&self.reader, task_id, threads, after, limit).await
    }

    async fn set_web_login(&self, login: &WebLoginRecord) -> StoreResult<()> {
        web::set_login(&self.writer, login).await
    }

    async fn web_login(&self, email: &str) -> StoreResult<Option<WebLoginRecord>> {
        web::login_by_email(&self.reader, email).await
    }

    async fn web_login_of(&self, account_id: &str) -> StoreResult<Option<WebLoginRecord>> {
        web::login_of(&self.reader, account_id).await
    }

    async fn create_web_session(&self, session: &WebSessionRecord) -> StoreResult<()> {
        web::create_session(&self.writer, session).await
    }

    async fn web_session(&self, digest: &str, now: &str) -> StoreResult<Option<WebSessionRecord>> {
        web::session(&self.reader, digest, now).await
    }

    async fn delete_web_session(&self, digest: &str) -> StoreResult<()> {
        web::delete_session(&self.writer, digest).await
    }

    async fn end_web_sessions(&self, account_id: &str, keep: Option<&str>) -> StoreResult<u64> {
        web::end_sessions(&self.writer, account_id, keep).await
    }

    async fn delete_expired_web_sessions(&self, now: &str) -> StoreResult<u64> {
        web::delete_expired(&self.writer, now).await
    }

    async fn task_bundle(
        &self,
        task_id: &str,
        threads: &[String],
        messages_limit: u32,
    ) -> StoreResult<TaskBundle> {
        web::task_bundle(&self.reader, task_id, threads, messages_limit).await
    }

    async fn agent_overview(&self, agent_id: &str, limit: u32) -> StoreResult<AgentOverviewRecord> {
        web::agent_overview(&self.reader, agent_id, limit).await
    }

    async fn create_webhook(&self, endpoint: &WebhookEndpointRecord) -> StoreResult<i64> {
        let mut tx = self.writer.begin().await?;
        let cursor = webhooks::create(&mut tx, endpoint).await?;
        tx.commit().await?;
        Ok(cursor)
    }

    async fn webhooks(&self, owner_id: &str) -> StoreResult<Vec<WebhookEndpointRecord>> {
        webhooks::by_owner(&self.reader, owner_id).await
    }

    async fn webhook(&self, id: &str) -> StoreResult<WebhookEndpointRecord> {
        webhooks::one(&self.reader, id).await
    }

    async fn delete_webhook(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        webhooks::delete(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn active_webhooks(&self) -> StoreResult<Vec<WebhookEndpointRecord>> {
        webhooks::active(&self.reader).await
    }

    async fn fan_out_webhook(
        &self,
        endpoint_id: &str,
        after_event: i64,
        deliveries: &[WebhookDeliveryRecord],
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        webhooks::fan_out(&mut tx, endpoint_id, after_event, deliveries).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhook_head(&self, endpoint_id: &str) -> StoreResult<Option<WebhookDeliveryRecord>> {
        webhooks::head(&self.reader, endpoint_id).await
    }

    async fn claim_webhook_delivery(
        &self,
        delivery_id: &str,
        now: &str,
        lease_until: &str,
    ) -> StoreResult<Option<WebhookDeliveryRecord>> {
        let mut tx = self.writer.begin().await?;
        let claimed = webhooks::claim(&mut tx, delivery_id, now, lease_until).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn record_webhook_attempt(&self, outcome: &WebhookOutcome) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        webhooks::record(&mut tx, outcome).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhook_deliveries(
        &self,
        endpoint_id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDeliveryRecord>> {
        webhooks::deliveries(&self.reader, endpoint_id, before, limit).await
    }

    async fn webhook_delivery(
        &self,
        endpoint_id: &str,
        delivery_id: &str,
    ) -> StoreResult<WebhookDeliveryRecord> {
        webhooks::delivery(&self.reader, endpoint_id, delivery_id).await
    }

    async fn webhook_attempts(&self, delivery_id: &str) -> StoreResult<Vec<WebhookAttemptRecord>> {
        webhooks::attempts(&self.reader, delivery_id).await
    }

    async fn redeliver_webhook(&self, delivery_id: &str, now: &str) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        webhooks::redeliver(&mut tx, delivery_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn idempotency_begin(
        &self,
        owner: &str,
        key: &str,
        request_hash: &str,
        now: &str,
    ) -> StoreResult<Option<IdempotencyEntry>> {
        idempotency::begin(&self.writer, owner, key, request_hash, now).await
    }

    async fn idempotency_finish(
        &self,
        owner: &str,
        key: &str,
        status: u16,
        body: &[u8],
    ) -> StoreResult<()> {
        idempotency::finish(&self.writer, owner, key, status, body).await
    }

    async fn idempotency_abandon(&self, owner: &str, key: &str) -> StoreResult<()> {
        idempotency::abandon(&self.writer, owner, key).await
    }

    async fn idempotency_expire(&self, before: &str) -> StoreResult<u64> {
        idempotency::expire(&self.writer, before).await
    }

    async fn connect_tiktok_shop(&self, shop: &TiktokShopRecord) -> StoreResult<TiktokShopRecord> {
        shop::connect_shop(&self.writer, shop).await
    }

    async fn tiktok_shop(&self, shop_id: &str) -> StoreResult<Option<TiktokShopRecord>> {
        shop::shop(&self.reader, shop_id).await
    }

    async fn tiktok_shop_claims(&self, shop_id: &str) -> StoreResult<Vec<TiktokShopRecord>> {
        shop::claims(&self.reader, shop_id).await
    }

    async fn prove_tiktok_shop_claim(
        &self,
        shop_id: &str,
        agent_id: &str,
        now: &str,
    ) -> StoreResult<TiktokShopProof> {
        shop::prove_claim(&self.writer, shop_id, agent_id, now).await
    }

    async fn tiktok_shops(&self, agent_id: &str) -> StoreResult<Vec<TiktokShopRecord>> {
        shop::shops(&self.reader, agent_id).await
    }

    async fn tiktok_shop_live_session(
        &self,
        agent_id: &str,
        shop_id: &str,
        at: &str,
    ) -> StoreResult<Option<String>> {
        shop::live_session(&self.reader, agent_id, shop_id, at).await
    }

    async fn tiktok_shop_order(
        &self,
        shop_id: &str,
        order_id: &str,
    ) -> StoreResult<Option<TiktokShopOrderRecord>> {
        shop::order(&self.reader, shop_id, order_id).await
    }

    async fn record_tiktok_shop_order(
        &self,
        order: &TiktokShopOrderRecord,
        events: Option<&EventBatch>,
    ) -> StoreResult<Option<TiktokShopOrderRecord>> {
        shop::record_order(&self.writer, order, events).await
    }

    async fn cancel_tiktok_shop_order(
        &self,
        shop_id: &str,
        order_id: &str,
        from_status: &str,
        events: Option<&EventBatch>,
        now: &str,
    ) -> StoreResult<bool> {
        shop::cancel_order(&self.writer, shop_id, order_id, from_status, events, now).await
    }

    async fn tiktok_shop_notification_outcome(
        &self,
        shop_id: &str,
        notification_id: &str,
    ) -> StoreResult<Option<String>> {
        shop::notification_outcome(&self.reader, shop_id, notification_id).await
    }

    async fn log_tiktok_shop_notification(
        &self,
        notification: &TiktokShopNotification,
    ) -> StoreResult<()> {
        shop::log_notification(&self.writer, notification).await
    }

    async fn readiness(&self) -> Vec<(&'static str, Result<(), String>)> {
        health::readiness(self).await
    }

    fn pool_use(&self) -> Vec<PoolUse> {
        health::pool_use(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_in_memory_database_is_refused_with_the_reason() {
        let err = SqliteStore::connect("sqlite::memory:").await.err().unwrap();
        assert!(err.to_string().contains("needs a database file"), "{err}");
    }

    /// The SQLite every connection uses (sqlx's and the order path's link
    /// the same library) keeps a statement's plan whatever is bound to it
    /// (`.cargo/config.toml` builds it with SQLITE_ENABLE_QPSG). Without
    /// that, `LIMIT $n` and a bound value compared with a partial index's
    /// condition make SQLite parse and plan the statement again at every
    /// execution with a new binding, and cached statements cost as much as
    /// new ones: the dashboard's home spent a quarter of its time there.
    #[test]
    fn plans_do_not_depend_on_bindings() {
        use rusqlite::{StatementStatus, config::DbConfig};
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        assert!(
            conn.db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG)
                .unwrap(),
            "SQLite was built without SQLITE_ENABLE_QPSG (see .cargo/config.toml)"
        );
        conn.execute_batch(
            "CREATE TABLE t (k TEXT NOT NULL, x INTEGER NOT NULL); \
             CREATE INDEX t_pending ON t (x) WHERE k = 'pending'; \
             INSERT INTO t VALUES ('pending', 1), ('done', 2), ('pending', 3);",
        )
        .unwrap();
        let mut stmt = conn
            .prepare("SELECT x FROM t WHERE k = ?1 ORDER BY x LIMIT ?2")
            .unwrap();
        let mut seen = Vec::new();
        for (k, limit) in [("pending", 1), ("pending", 5), ("done", 5), ("pending", 2)] {
            let xs: Vec<i64> = stmt
                .query_map(rusqlite::params![k, limit], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            seen.push(xs);
        }
        assert_eq!(seen, vec![vec![1], vec![1, 3], vec![2], vec![1, 3]]);
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
    }
}
