//! What operating the server needs of the service layer: whether it can
//! serve (readiness), the figures `/metrics` reads when scraped, and
//! stopping in order on shutdown.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use livehire_store::PoolUse;

use super::App;

/// How long the outbox dispatcher may go without a round before the
/// server is not ready (it goes round at least once a second).
const DISPATCHER_SILENCE: Duration = Duration::from_secs(10);

/// The outbox dispatcher's progress.
#[derive(Default)]
pub(crate) struct OutboxProgress {
    /// The last event id it published.
    dispatched: AtomicI64,
    /// When it last went round, system clock ms (0: not yet).
    seen_ms: AtomicI64,
}

/// The server's state, read when `/metrics` is scraped.
#[derive(Debug, Clone)]
pub struct Gauges {
    /// Sessions live now.
    pub live_sessions: usize,
    /// Domain events written and not yet published by the dispatcher
    /// (`None`: the outbox could not be read).
    pub outbox_backlog: Option<i64>,
    /// Flash-sale orders queued for the order writer.
    pub orders_pending: u64,
    /// The store's connection pools.
    pub pools: Vec<PoolUse>,
}

fn system_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl App {
    /// Records a round of the outbox dispatcher, up to event `last`.
    pub(crate) fn outbox_dispatched(&self, last: i64) {
        let p = &self.inner.outbox_progress;
        p.dispatched.store(last, Ordering::Relaxed);
        p.seen_ms.store(system_ms(), Ordering::Relaxed);
    }

    /// Whether the server can serve, check by check (the name, and why not
    /// when it fails): the store's checks (its file opens and reads, its
    /// connections answer, its writers run), the order writer and the
    /// outbox dispatcher.
    pub async fn readiness(&self) -> Vec<(&'static str, Result<(), String>)> {
        let mut checks = self.store().readiness().await;
        checks.push((
            "order_writer",
            if self.orders().is_running() {
                Ok(())
            } else {
                Err("the flash-sale order writer has stopped".into())
            },
        ));
        let seen = self.inner.outbox_progress.seen_ms.load(Ordering::Relaxed);
        let silent = Duration::from_millis((system_ms() - seen).max(0) as u64);
        checks.push((
            "outbox_dispatcher",
            if seen > 0 && silent < DISPATCHER_SILENCE {
                Ok(())
            } else if seen == 0 {
                Err("the outbox dispatcher has not started".into())
            } else {
                Err(format!(
                    "the outbox dispatcher has not gone round for {} s",
                    silent.as_secs()
                ))
            },
        ));
        checks
    }

    /// The figures `/metrics` shows as gauges, read now.
    pub async fn gauges(&self) -> Gauges {
        let live_sessions = self.live().live.lock().map(|m| m.len()).unwrap_or(0);
        let dispatched = self
            .inner
            .outbox_progress
            .dispatched
            .load(Ordering::Relaxed);
        let outbox_backlog = self
            .store()
            .outbox_last_id()
            .await
            .ok()
            .map(|last| (last - dispatched).max(0));
        Gauges {
            live_sessions,
            outbox_backlog,
            orders_pending: self.orders().pending(),
            pools: self.store().pool_use(),
        }
    }

    /// Stops the background loops started by [`App::start_workers`] (the
    /// live ticker, the outbox dispatcher, the expiry of idempotency keys):
    /// on shutdown, once no request is left, before the store closes.
    pub fn stop_workers(&self) {
        if let Ok(mut w) = self.inner.workers.lock() {
            for worker in w.drain(..) {
                worker.abort();
            }
        }
    }

    /// Waits (up to `limit`) until the order writer has stored and answered
    /// every flash-sale order queued so far; whether it has.
    pub async fn drain_orders(&self, limit: Duration) -> bool {
        self.orders().drain(limit).await
    }

    /// Flash-sale orders queued and not yet stored or failed.
    pub fn orders_pending(&self) -> u64 {
        self.orders().pending()
    }
}
