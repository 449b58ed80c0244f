//! What operating the server needs of the service layer: stopping it in
//! order on shutdown.

use std::time::Duration;

use super::App;

impl App {
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
