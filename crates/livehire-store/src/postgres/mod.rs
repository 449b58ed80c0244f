//! The PostgreSQL backend: one connection pool for reads and writes, every
//! `Store` method one transaction, with the same semantics and errors as the
//! SQLite backend (`super::sqlite`).
//!
//! SQLite serialises writers; PostgreSQL does not. Each check-then-write that
//! leaned on SQLite's single writer holds a lock here instead: the task row
//! (`SELECT … FOR UPDATE`) for a task change and its session, offers,
//! submissions and payout; `FOR SHARE` of it for event batches (a settled
//! task takes none); the upserted balance row for the ledger's non-negative
//! check; conditional `UPDATE … WHERE` for state moves (streams, orders,
//! webhook claims); advisory locks (`common::Lock`) where there is no row to
//! lock (outbox ids in commit order, key rotation, a shop's claims, a login).
//! A transaction PostgreSQL aborts to break a deadlock runs again
//! (`common::retry`).
//!
//! The concern modules mirror the SQLite backend's, file for file; `orders`
//! is the flash-sale order path (one multi-row insert, one commit a batch).

use std::time::Duration;

use async_trait::async_trait;
use livehire_domain::search::HostQuery;
use serde_json::Value;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::*;
use common::retry;

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
#[cfg(test)]
mod tests;
mod web;
mod webhooks;

/// The PostgreSQL store: a pool of connections to one database.
#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
}

/// Most connections the pool opens unless the URL's `max_connections`
/// query parameter says otherwise.
const DEFAULT_MAX_CONNECTIONS: u32 = 16;

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`) and
    /// applies migrations. A `max_connections=N` query parameter sizes the
    /// pool (it is not passed on to PostgreSQL).
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let (url, max) = split_max_connections(url)?;
        let opts: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(max)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(30))
            .idle_timeout(Some(Duration::from_secs(300)))
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `url` without a `max_connections` query parameter, and its value.
pub(crate) fn split_max_connections(url: &str) -> anyhow::Result<(String, u32)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), DEFAULT_MAX_CONNECTIONS));
    };
    let mut max = DEFAULT_MAX_CONNECTIONS;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.strip_prefix("max_connections=") {
            Some(n) => {
                max = n.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    anyhow::anyhow!("max_connections={n} is not a positive number")
                })?;
            }
            None => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, max))
}

/// One impl, delegating, as the SQLite backend's: each method names the
/// concern that holds its queries.
#[async_trait]
impl Store for PgStore {
    async fn create_agent(&self, agent: &AgentRecord, key_digest: &str) -> StoreResult<()> {
        accounts::create_agent(&self.pool, agent, key_digest).await
    }

    async fn agent(&self, id: &str) -> StoreResult<AgentRecord> {
        accounts::agent(&self.pool, id).await
    }

    async fn caller_by_key(&self, digest: &str) -> StoreResult<Option<Caller>> {
        accounts::caller_by_key(&self.pool, digest).await
    }

    async fn rotate_key(
        &self,
        owner: &Caller,
        new_digest: &str,
        now: &str,
    ) -> StoreResult<Vec<String>> {
        accounts::rotate_key(&self.pool, owner, new_digest, now).await
    }

    async fn create_host(&self, host: &HostWrite, key_digest: &str) -> StoreResult<()> {
        retry(|| hosts::create_host(&self.pool, host, key_digest)).await
    }

    async fn upsert_hosts(&self, hosts: &[HostWrite]) -> StoreResult<u64> {
        retry(|| hosts::write_hosts(&self.pool, hosts, None)).await
    }

    async fn update_host(&self, host: &HostWrite) -> StoreResult<()> {
        retry(|| hosts::write_hosts(&self.pool, std::slice::from_ref(host), None)).await?;
        Ok(())
    }

    async fn host(&self, id: &str) -> StoreResult<HostRecord> {
        hosts::host(&self.pool, id).await
    }

    async fn hosts_by_ids(&self, ids: &[String]) -> StoreResult<Vec<HostRecord>> {
        hosts::hosts_by_ids(&self.pool, ids).await
    }

    async fn search_hosts(&self, q: &HostQuery) -> StoreResult<HostPage> {
        host_search::search_hosts(&self.pool, q).await
    }

    async fn host_count(&self) -> StoreResult<u64> {
        hosts::host_count(&self.pool).await
    }

    async fn all_hosts_for_index(&self) -> StoreResult<HostIndexSnapshot> {
        host_search::all_hosts_for_index(&self.pool).await
    }

    async fn hosts_for_index(&self, ids: &[String]) -> StoreResult<Vec<HostIndexRow>> {
        host_search::hosts_for_index(&self.pool, ids).await
    }

    async fn host_seqs(&self, ids: &[String]) -> StoreResult<Vec<(String, i64)>> {
        host_search::host_seqs(&self.pool, ids).await
    }

    async fn host_change_mark(&self) -> StoreResult<i64> {
        instances::host_change_mark(&self.pool).await
    }

    async fn host_changes(
        &self,
        mark: i64,
        after: Option<(i64, i64)>,
        limit: u32,
    ) -> StoreResult<Vec<HostChange>> {
        instances::host_changes(&self.pool, mark, after, limit).await
    }

    async fn exchange_rate_usage(
        &self,
        instance: &str,
        round: i64,
        usage: &[RateUsage],
        seen: &[(String, i64)],
        window_ms: i64,
    ) -> StoreResult<Vec<PeerRateUsage>> {
        instances::exchange_rate_usage(&self.pool, instance, round, usage, seen, window_ms).await
    }

    async fn session_task(&self, session_id: &str) -> StoreResult<TaskRecord> {
        tasks::session_task(&self.pool, session_id).await
    }

    async fn append_events(&self, batch: &EventBatch, now: &str) -> StoreResult<i64> {
        live::append_events(&self.pool, batch, now).await
    }

    async fn event_batches(&self, session_id: &str) -> StoreResult<Vec<StoredBatch>> {
        live::event_batches(&self.pool, session_id).await
    }

    async fn event_batches_since(
        &self,
        session_id: &str,
        after_seq: i64,
    ) -> StoreResult<Vec<StoredBatch>> {
        live::event_batches_since(&self.pool, session_id, after_seq).await
    }

    async fn connector_msg_ids(&self, session_id: &str) -> StoreResult<Vec<String>> {
        live::connector_msg_ids(&self.pool, session_id).await
    }

    async fn record_feed(&self, session_id: &str, feed: &FeedRecord) -> StoreResult<()> {
        live::record_feed(&self.pool, session_id, feed).await
    }

    async fn mark_stream_ended(&self, session_id: &str, at: &str) -> StoreResult<bool> {
        live::mark_stream_ended(&self.pool, session_id, at).await
    }

    async fn clear_stream_end(&self, session_id: &str, before: &str) -> StoreResult<bool> {
        live::clear_stream_end(&self.pool, session_id, before).await
    }

    async fn streams_ended_by(&self, cutoff: &str) -> StoreResult<Vec<(String, String)>> {
        live::streams_ended_by(&self.pool, cutoff).await
    }

    async fn create_flash_sale(
        &self,
        sale: &FlashSaleRecord,
        events: &[OutboxRecord],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        live::create_flash_sale(&mut tx, sale).await?;
        outbox::append(&mut tx, events).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn flash_sale(&self, id: &str) -> StoreResult<FlashSaleRecord> {
        live::flash_sales(&self.pool, Some(id), None)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn session_flash_sales(&self, session_id: &str) -> StoreResult<Vec<FlashSaleRecord>> {
        live::flash_sales(&self.pool, None, Some(session_id)).await
    }

    async fn insert_flash_orders(
        &self,
        orders: Vec<FlashOrderRecord>,
    ) -> StoreResult<Vec<FlashOrderRecord>> {
        orders::insert(&self.pool, orders).await
    }

    fn shared(&self) -> bool {
        true
    }

    async fn session_changes(&self) -> StoreResult<Option<tokio::sync::mpsc::Receiver<String>>> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(live::SESSION_CHANNEL).await?;
        let (tx, rx) = tokio::sync::mpsc::channel(4096);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    // A full feed drops the name: its reader looks on its own too.
                    Ok(n) => {
                        if let Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) =
                            tx.try_send(n.payload().to_string())
                        {
                            return;
                        }
                    }
                    Err(sqlx::Error::PoolClosed) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, "listening for session changes failed; trying again");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(Some(rx))
    }

    async fn decide_flash_orders(
        &self,
        orders: Vec<FlashOrderRecord>,
    ) -> StoreResult<Vec<OrderDecision>> {
        retry(|| orders::decide(&self.pool, &orders)).await
    }

    async fn flash_orders_since(
        &self,
        flash_sale_id: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, FlashOrderRecord)>> {
        live::flash_orders_since(&self.pool, flash_sale_id, after, limit).await
    }

    async fn flash_orders_page(
        &self,
        flash_sale_id: &str,
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<FlashOrderRecord>> {
        live::flash_orders_page(&self.pool, flash_sale_id, after, limit).await
    }

    async fn host_session_results(&self, human_id: &str) -> StoreResult<Vec<SessionResultRecord>> {
        hosts::session_results(&self.pool, human_id).await
    }

    async fn session_key(&self, digest: &str) -> StoreResult<Option<SessionKey>> {
        accounts::session_key(&self.pool, digest).await
    }

    async fn create_session_key(
        &self,
        digest: &str,
        key: &SessionKey,
        now: &str,
    ) -> StoreResult<()> {
        accounts::create_session_key(&self.pool, digest, key, now).await
    }

    async fn create_task(&self, task: &TaskRecord) -> StoreResult<()> {
        retry(|| tasks::create_task(&self.pool, task)).await
    }

    async fn task(&self, id: &str) -> StoreResult<TaskRecord> {
        tasks::task(&self.pool, id).await
    }

    async fn list_tasks(&self, f: &TaskFilter) -> StoreResult<Page<TaskRecord>> {
        tasks::list_tasks(&self.pool, f).await
    }

    async fn tasks_without_terms(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<(i64, String, Value)>> {
        tasks::tasks_without_terms(&self.pool, after_seq, limit).await
    }

    async fn fill_task_terms(&self, terms: &[(String, String)]) -> StoreResult<()> {
        tasks::fill_task_terms(&self.pool, terms).await
    }

    async fn apply_task_change(&self, change: &TaskChange) -> StoreResult<()> {
        retry(|| hiring::apply_change(&self.pool, change)).await
    }

    async fn write_ledger(&self, entry: &LedgerWrite) -> StoreResult<()> {
        retry(|| ledger::write_ledger(&self.pool, entry)).await
    }

    async fn offers(&self, task_id: &str, kind: Option<&str>) -> StoreResult<Vec<OfferRecord>> {
        hiring::offers(&self.pool, task_id, kind).await
    }

    async fn host_invitations(
        &self,
        human_id: &str,
        before_id: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<HostInvitation>> {
        hiring::host_invitations(&self.pool, human_id, before_id, limit).await
    }

    async fn submissions(&self, task_id: &str) -> StoreResult<Vec<SubmissionRecord>> {
        hiring::submissions(&self.pool, task_id).await
    }

    async fn revisions(&self, task_id: &str) -> StoreResult<Vec<RevisionRecord>> {
        hiring::revisions(&self.pool, task_id).await
    }

    async fn payout(&self, task_id: &str) -> StoreResult<Option<PayoutRecord>> {
        hiring::payout(&self.pool, task_id).await
    }

    async fn rating(&self, task_id: &str) -> StoreResult<Option<RatingRecord>> {
        Ok(hiring::ratings(&self.pool, Some(task_id), None, 1)
            .await?
            .pop())
    }

    async fn host_ratings(&self, human_id: &str, limit: u32) -> StoreResult<Vec<RatingRecord>> {
        hiring::ratings(&self.pool, None, Some(human_id), limit).await
    }

    async fn run_of_show(&self, task_id: &str) -> StoreResult<Option<(Value, String, String)>> {
        hiring::run_of_show(&self.pool, task_id).await
    }

    async fn wallet(&self, agent_id: &str) -> StoreResult<Vec<WalletBalance>> {
        ledger::wallet(&self.pool, agent_id).await
    }

    async fn earnings(&self, human_id: &str) -> StoreResult<Vec<EarningsBalance>> {
        ledger::earnings(&self.pool, human_id).await
    }

    async fn ledger(
        &self,
        agent_id: Option<&str>,
        human_id: Option<&str>,
        before_seq: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<LedgerRecord>> {
        ledger::ledger(&self.pool, agent_id, human_id, before_seq, limit).await
    }

    async fn task_hosts(&self, task_id: &str) -> StoreResult<Vec<TaskHost>> {
        tasks::task_hosts(&self.pool, task_id).await
    }

    async fn add_message(
        &self,
        m: &MessageRecord,
        events: &[OutboxRecord],
    ) -> StoreResult<MessageRecord> {
        let mut tx = self.pool.begin().await?;
        let stored = messages::add_message(&mut tx, m).await?;
        outbox::append(&mut tx, events).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn append_outbox(&self, events: &[OutboxRecord]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
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
        outbox::after(&self.pool, after, limit, party).await
    }

    async fn outbox_last_id(&self) -> StoreResult<i64> {
        outbox::last_id(&self.pool).await
    }

    async fn list_messages(
        &self,
        task_id: &str,
        threads: &[String],
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Page<MessageRecord>> {
        messages::list_messages(&self.pool, task_id, threads, after, limit).await
    }

    async fn set_web_login(&self, login: &WebLoginRecord) -> StoreResult<()> {
        web::set_login(&self.pool, login).await
    }

    async fn web_login(&self, email: &str) -> StoreResult<Option<WebLoginRecord>> {
        web::login_by_email(&self.pool, email).await
    }

    async fn web_login_of(&self, account_id: &str) -> StoreResult<Option<WebLoginRecord>> {
        web::login_of(&self.pool, account_id).await
    }

    async fn create_web_session(&self, session: &WebSessionRecord) -> StoreResult<()> {
        web::create_session(&self.pool, session).await
    }

    async fn web_session(&self, digest: &str, now: &str) -> StoreResult<Option<WebSessionRecord>> {
        web::session(&self.pool, digest, now).await
    }

    async fn delete_web_session(&self, digest: &str) -> StoreResult<()> {
        web::delete_session(&self.pool, digest).await
    }

    async fn end_web_sessions(&self, account_id: &str, keep: Option<&str>) -> StoreResult<u64> {
        web::end_sessions(&self.pool, account_id, keep).await
    }

    async fn delete_expired_web_sessions(&self, now: &str) -> StoreResult<u64> {
        web::delete_expired(&self.pool, now).await
    }

    async fn task_bundle(
        &self,
        task_id: &str,
        threads: &[String],
        messages_limit: u32,
    ) -> StoreResult<TaskBundle> {
        web::task_bundle(&self.pool, task_id, threads, messages_limit).await
    }

    async fn agent_overview(&self, agent_id: &str, limit: u32) -> StoreResult<AgentOverviewRecord> {
        web::agent_overview(&self.pool, agent_id, limit).await
    }

    async fn create_webhook(&self, endpoint: &WebhookEndpointRecord) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await?;
        let cursor = webhooks::create(&mut tx, endpoint).await?;
        tx.commit().await?;
        Ok(cursor)
    }

    async fn webhooks(&self, owner_id: &str) -> StoreResult<Vec<WebhookEndpointRecord>> {
        webhooks::by_owner(&self.pool, owner_id).await
    }

    async fn webhook(&self, id: &str) -> StoreResult<WebhookEndpointRecord> {
        webhooks::one(&self.pool, id).await
    }

    async fn delete_webhook(&self, id: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        webhooks::delete(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn active_webhooks(&self) -> StoreResult<Vec<WebhookEndpointRecord>> {
        webhooks::active(&self.pool).await
    }

    async fn fan_out_webhook(
        &self,
        endpoint_id: &str,
        after_event: i64,
        deliveries: &[WebhookDeliveryRecord],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        webhooks::fan_out(&mut tx, endpoint_id, after_event, deliveries).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhook_head(&self, endpoint_id: &str) -> StoreResult<Option<WebhookDeliveryRecord>> {
        webhooks::head(&self.pool, endpoint_id).await
    }

    async fn claim_webhook_delivery(
        &self,
        delivery_id: &str,
        now: &str,
        lease_until: &str,
    ) -> StoreResult<Option<WebhookDeliveryRecord>> {
        let mut tx = self.pool.begin().await?;
        let claimed = webhooks::claim(&mut tx, delivery_id, now, lease_until).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn record_webhook_attempt(&self, outcome: &WebhookOutcome) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
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
        webhooks::deliveries(&self.pool, endpoint_id, before, limit).await
    }

    async fn webhook_delivery(
        &self,
        endpoint_id: &str,
        delivery_id: &str,
    ) -> StoreResult<WebhookDeliveryRecord> {
        webhooks::delivery(&self.pool, endpoint_id, delivery_id).await
    }

    async fn webhook_attempts(&self, delivery_id: &str) -> StoreResult<Vec<WebhookAttemptRecord>> {
        webhooks::attempts(&self.pool, delivery_id).await
    }

    async fn redeliver_webhook(&self, delivery_id: &str, now: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
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
        idempotency::begin(&self.pool, owner, key, request_hash, now).await
    }

    async fn idempotency_finish(
        &self,
        owner: &str,
        key: &str,
        status: u16,
        body: &[u8],
    ) -> StoreResult<()> {
        idempotency::finish(&self.pool, owner, key, status, body).await
    }

    async fn idempotency_abandon(&self, owner: &str, key: &str) -> StoreResult<()> {
        idempotency::abandon(&self.pool, owner, key).await
    }

    async fn idempotency_expire(&self, before: &str) -> StoreResult<u64> {
        idempotency::expire(&self.pool, before).await
    }

    async fn connect_tiktok_shop(&self, shop: &TiktokShopRecord) -> StoreResult<TiktokShopRecord> {
        shop::connect_shop(&self.pool, shop).await
    }

    async fn tiktok_shop(&self, shop_id: &str) -> StoreResult<Option<TiktokShopRecord>> {
        shop::shop(&self.pool, shop_id).await
    }

    async fn tiktok_shop_claims(&self, shop_id: &str) -> StoreResult<Vec<TiktokShopRecord>> {
        shop::claims(&self.pool, shop_id).await
    }

    async fn prove_tiktok_shop_claim(
        &self,
        shop_id: &str,
        agent_id: &str,
        now: &str,
    ) -> StoreResult<TiktokShopProof> {
        shop::prove_claim(&self.pool, shop_id, agent_id, now).await
    }

    async fn tiktok_shops(&self, agent_id: &str) -> StoreResult<Vec<TiktokShopRecord>> {
        shop::shops(&self.pool, agent_id).await
    }

    async fn tiktok_shop_live_session(
        &self,
        agent_id: &str,
        shop_id: &str,
        at: &str,
    ) -> StoreResult<Option<String>> {
        shop::live_session(&self.pool, agent_id, shop_id, at).await
    }

    async fn tiktok_shop_order(
        &self,
        shop_id: &str,
        order_id: &str,
    ) -> StoreResult<Option<TiktokShopOrderRecord>> {
        shop::order(&self.pool, shop_id, order_id).await
    }

    async fn record_tiktok_shop_order(
        &self,
        order: &TiktokShopOrderRecord,
        events: Option<&EventBatch>,
    ) -> StoreResult<Option<TiktokShopOrderRecord>> {
        shop::record_order(&self.pool, order, events).await
    }

    async fn cancel_tiktok_shop_order(
        &self,
        shop_id: &str,
        order_id: &str,
        from_status: &str,
        events: Option<&EventBatch>,
        now: &str,
    ) -> StoreResult<bool> {
        shop::cancel_order(&self.pool, shop_id, order_id, from_status, events, now).await
    }

    async fn tiktok_shop_notification_outcome(
        &self,
        shop_id: &str,
        notification_id: &str,
    ) -> StoreResult<Option<String>> {
        shop::notification_outcome(&self.pool, shop_id, notification_id).await
    }

    async fn log_tiktok_shop_notification(
        &self,
        notification: &TiktokShopNotification,
    ) -> StoreResult<()> {
        shop::log_notification(&self.pool, notification).await
    }

    async fn readiness(&self) -> Vec<(&'static str, Result<(), String>)> {
        health::readiness(&self.pool).await
    }

    fn pool_use(&self) -> Vec<PoolUse> {
        health::pool_use(&self.pool)
    }
}
