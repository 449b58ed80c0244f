//! Flash sales: stock counters in memory, orders made durable by one
//! group-commit writer before they are acknowledged.
//!
//! An order reserves its units under the sale's lock, then waits for the
//! writer; a write that fails releases the units. The writer takes every
//! order queued while the previous batch was committing and commits them in
//! one transaction, so one fsync serves many orders.
//!
//! Who has the last word on "is there stock" depends on the store. A store
//! one process uses (SQLite): this process's counter, and the writer stores
//! what it reserved. A shared store (PostgreSQL, several instances): the
//! store, which decides each order of the batch against the sale as stored
//! ([`Store::decide_flash_orders`]); the counter here is then a pre-check
//! that only ever refuses what the store would refuse too (it counts this
//! process's orders, and the units sold everywhere as last seen, never more
//! than were sold), so a sold-out sale is refused without a round trip.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use livehire_domain::live::OrderRef;
use livehire_store::{FlashOrderRecord, FlashSaleRecord, OrderDecision, Store};
use tokio::sync::{OnceCell, mpsc, oneshot};

use super::SessionLive;

/// Most orders committed in one transaction.
const MAX_BATCH: usize = 4096;

/// Why an order was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRefusal {
    /// No stock left for this quantity; `remaining` units are left.
    SoldOut {
        /// Units left.
        remaining: i64,
    },
    /// The buyer would exceed the per-buyer limit.
    LimitExceeded {
        /// The limit.
        limit: i64,
        /// Units the buyer already has.
        bought: i64,
    },
    /// The sale's countdown is over.
    Ended,
    /// The Idempotency-Key was used with a different order (on another
    /// instance: this process knew nothing of it).
    KeyReused,
    /// The order could not be made durable.
    Failed(String),
}

/// The outcome of an order: the stored order and the units left after it.
pub type OrderOutcome = Result<(FlashOrderRecord, i64), OrderRefusal>;

struct SaleState {
    sold: i64,
    /// Units per buyer, kept only when the sale has a per-buyer limit.
    per_buyer: HashMap<String, i64>,
    /// Idempotency key → (request fingerprint, outcome shared by concurrent retries).
    by_key: HashMap<String, (String, Arc<OnceCell<OrderOutcome>>)>,
}

/// A flash sale held in memory.
pub struct FlashSaleLive {
    /// The sale as stored.
    pub rec: FlashSaleRecord,
    /// Countdown start, epoch ms.
    pub starts_ms: i64,
    /// Countdown end, epoch ms: brought forward when the session ends first.
    ends_ms: AtomicI64,
    /// The countdown's end as this process first held the sale, epoch ms.
    countdown_ends_ms: i64,
    /// The session it runs in.
    pub session: Arc<SessionLive>,
    state: Mutex<SaleState>,
    /// Orders reserved and not yet stored or released.
    in_flight: AtomicU64,
    /// Units sold by every process as last heard from a shared store (a
    /// floor of what is sold; 0 with a store one process uses).
    sold_everywhere: AtomicI64,
    /// Whether its sold-out and its end were recorded as events.
    sold_out_recorded: std::sync::atomic::AtomicBool,
    ended_recorded: std::sync::atomic::AtomicBool,
}

/// What an idempotent order request resolved to.
pub enum Keyed {
    /// A new request, or a retry of one: await the shared outcome.
    Cell(Arc<OnceCell<OrderOutcome>>),
    /// The key was used with a different request.
    Mismatch,
}

impl FlashSaleLive {
    /// Builds the in-memory sale from its record and the orders already stored.
    pub fn new(
        rec: FlashSaleRecord,
        starts_ms: i64,
        ends_ms: i64,
        session: Arc<SessionLive>,
        orders: &[FlashOrderRecord],
    ) -> Self {
        let mut state = SaleState {
            sold: 0,
            per_buyer: HashMap::new(),
            by_key: HashMap::new(),
        };
        let limited = rec.per_buyer_limit.is_some();
        for o in orders {
            state.sold += o.quantity;
            if limited {
                *state.per_buyer.entry(o.buyer_id.clone()).or_default() += o.quantity;
            }
            if let Some(k) = &o.idempotency_key {
                let cell = OnceCell::new_with(Some(Ok((o.clone(), rec.stock - state.sold))));
                // The fingerprint of a stored order is its buyer and quantity.
                state.by_key.insert(
                    k.clone(),
                    (format!("{}:{}", o.buyer_id, o.quantity), Arc::new(cell)),
                );
            }
        }
        let sold = state.sold;
        Self {
            rec,
            starts_ms,
            ends_ms: AtomicI64::new(ends_ms),
            countdown_ends_ms: ends_ms,
            session,
            state: Mutex::new(state),
            in_flight: AtomicU64::new(0),
            sold_everywhere: AtomicI64::new(sold),
            sold_out_recorded: std::sync::atomic::AtomicBool::new(false),
            ended_recorded: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// True the first time it is called: the sale's sold-out is to be recorded.
    pub fn mark_sold_out(&self) -> bool {
        !self.sold_out_recorded.swap(true, Ordering::AcqRel)
    }

    /// True the first time it is called: the sale's end is to be recorded.
    pub fn mark_ended(&self) -> bool {
        !self.ended_recorded.swap(true, Ordering::AcqRel)
    }

    /// When the countdown ends (or ended), epoch ms.
    pub fn ends_ms(&self) -> i64 {
        self.ends_ms.load(Ordering::Acquire)
    }

    /// Ends the sale at `at_ms` if it would run longer (its session ended).
    pub fn close(&self, at_ms: i64) {
        // Under the state lock, so no order is reserved across the change.
        let _state = self.state.lock();
        self.ends_ms.fetch_min(at_ms, Ordering::AcqRel);
    }

    /// Whether the sale was running at `at_ms` by its own countdown (as this
    /// process first held it): a session ending then cut it short.
    pub fn running_at(&self, at_ms: i64) -> bool {
        self.starts_ms <= at_ms && at_ms < self.countdown_ends_ms
    }

    /// Units sold so far (reserved orders included; with a shared store, at
    /// least the units sold everywhere as last heard).
    pub fn sold(&self) -> i64 {
        let here = self.state.lock().map(|s| s.sold).unwrap_or(0);
        here.max(self.sold_everywhere.load(Ordering::Acquire))
    }

    /// Notes what a shared store said is left of the sale: every process's
    /// orders included.
    pub fn observe_remaining(&self, remaining: i64) {
        self.sold_everywhere
            .fetch_max(self.rec.stock - remaining, Ordering::AcqRel);
    }

    /// Finds or creates the shared outcome for an idempotency key.
    pub fn keyed(&self, key: &str, fingerprint: &str) -> Keyed {
        let Ok(mut s) = self.state.lock() else {
            return Keyed::Mismatch;
        };
        match s.by_key.get(key) {
            Some((fp, cell)) if fp == fingerprint => Keyed::Cell(cell.clone()),
            Some(_) => Keyed::Mismatch,
            None => {
                let cell = Arc::new(OnceCell::new());
                s.by_key
                    .insert(key.to_string(), (fingerprint.to_string(), cell.clone()));
                Keyed::Cell(cell)
            }
        }
    }

    /// Forgets a key whose request failed internally, so a retry runs again.
    pub fn forget_key(&self, key: &str) {
        if let Ok(mut s) = self.state.lock() {
            s.by_key.remove(key);
        }
    }

    /// Reserves units for a buyer, or says why not.
    pub fn reserve(&self, buyer: &str, quantity: i64, now_ms: i64) -> Result<(), OrderRefusal> {
        let mut s = self
            .state
            .lock()
            .map_err(|_| OrderRefusal::Failed("sale state poisoned".into()))?;
        if now_ms >= self.ends_ms() || now_ms < self.starts_ms {
            return Err(OrderRefusal::Ended);
        }
        let sold = s.sold.max(self.sold_everywhere.load(Ordering::Acquire));
        let remaining = self.rec.stock - sold;
        if quantity > remaining {
            return Err(OrderRefusal::SoldOut { remaining });
        }
        if let Some(limit) = self.rec.per_buyer_limit {
            let bought = s.per_buyer.get(buyer).copied().unwrap_or(0);
            if bought + quantity > limit {
                return Err(OrderRefusal::LimitExceeded { limit, bought });
            }
            *s.per_buyer.entry(buyer.to_string()).or_default() += quantity;
        }
        s.sold += quantity;
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// A reserved order was stored or released.
    pub fn settled_one(&self) {
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    /// Waits (up to `limit`) until every order reserved so far is stored or
    /// released: after [`Self::close`], the sale's figures are final.
    pub async fn drain(&self, limit: std::time::Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.in_flight.load(Ordering::Acquire) > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }

    /// Gives back units whose order could not be stored; returns units left.
    pub fn release(&self, buyer: &str, quantity: i64) {
        if let Ok(mut s) = self.state.lock() {
            s.sold -= quantity;
            if let Some(b) = s.per_buyer.get_mut(buyer) {
                *b -= quantity;
            }
        }
    }
}

/// Where the writer answers: what became of the order, once that is durable.
type Reply = oneshot::Sender<Result<OrderDecision, String>>;

/// Who waits for an order: its sale (whose session counts it once it is
/// durable), when it was placed (epoch ms) and where to answer.
struct Waiting {
    sale: Arc<FlashSaleLive>,
    placed_ms: i64,
    reply: Reply,
}

/// An order to store and who waits for it.
type Job = (FlashOrderRecord, Waiting);

/// The group-commit writer of flash-sale orders.
#[derive(Clone)]
pub struct OrderWriter {
    tx: mpsc::UnboundedSender<Job>,
    /// Orders queued and not yet answered (stored or failed).
    pending: Arc<AtomicU64>,
}

impl OrderWriter {
    /// Starts the writer task over a store: with a shared store the store
    /// decides each order; otherwise every order reserved here is stored.
    pub fn spawn(store: Arc<dyn Store>) -> Self {
        let shared = store.shared();
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        let pending = Arc::new(AtomicU64::new(0));
        let answered = pending.clone();
        tokio::spawn(async move {
            while let Some((order, waiter)) = rx.recv().await {
                let (mut records, mut waiting) = (vec![order], vec![waiter]);
                while records.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok((order, waiter)) => {
                            records.push(order);
                            waiting.push(waiter);
                        }
                        Err(_) => break,
                    }
                }
                let batch = waiting.len() as u64;
                metrics::histogram!("livehire_flash_sale_order_batch_size").record(batch as f64);
                let decided = if shared {
                    store.decide_flash_orders(records).await
                } else {
                    store.insert_flash_orders(records).await.map(|stored| {
                        stored
                            .into_iter()
                            .zip(&waiting)
                            .map(|(order, w)| OrderDecision::Accepted {
                                order,
                                remaining: w.sale.rec.stock - w.sale.sold(),
                            })
                            .collect()
                    })
                };
                match decided {
                    Ok(decisions) => {
                        count_in_sessions(&decisions, &waiting);
                        let stored = decisions
                            .iter()
                            .filter(|d| matches!(d, OrderDecision::Accepted { .. }))
                            .count();
                        for (decision, w) in decisions.into_iter().zip(waiting) {
                            let _ = w.reply.send(Ok(decision));
                        }
                        metrics::counter!("livehire_flash_sale_orders_total")
                            .increment(stored as u64);
                    }
                    Err(e) => {
                        let e = e.to_string();
                        tracing::error!(error = %e, orders = waiting.len(), "flash-sale order batch failed");
                        for w in waiting {
                            let _ = w.reply.send(Err(e.clone()));
                        }
                    }
                }
                answered.fetch_sub(batch, Ordering::AcqRel);
            }
        });
        Self { tx, pending }
    }

    /// Whether the writer task is still running.
    pub fn is_running(&self) -> bool {
        !self.tx.is_closed()
    }

    /// Orders queued and not yet stored or failed.
    pub fn pending(&self) -> u64 {
        self.pending.load(Ordering::Acquire)
    }

    /// Waits (up to `limit`) until every order queued so far is stored or
    /// failed, and answered: on shutdown, after the last request.
    pub async fn drain(&self, limit: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.pending() > 0 {
            if tokio::time::Instant::now() >= deadline || !self.is_running() {
                return false;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        true
    }

    /// Queues an order placed at `placed_ms` (epoch ms, its `created_at`) and
    /// waits until it is decided, durable and counted in its session's
    /// metrics; answers with the decision.
    pub async fn write(
        &self,
        order: FlashOrderRecord,
        sale: Arc<FlashSaleLive>,
        placed_ms: i64,
    ) -> Result<OrderDecision, String> {
        let (reply, done) = oneshot::channel();
        let waiter = Waiting {
            sale,
            placed_ms,
            reply,
        };
        self.pending.fetch_add(1, Ordering::AcqRel);
        if self.tx.send((order, waiter)).is_err() {
            self.pending.fetch_sub(1, Ordering::AcqRel);
            return Err("order writer stopped".to_string());
        }
        done.await.map_err(|_| "order writer stopped".to_string())?
    }
}

/// Applies a committed batch's stored orders to the sessions' aggregators,
/// taking a session's lock once per run of its orders rather than once per
/// order. (A replayed order counts once: the aggregator keeps one order per
/// id.)
fn count_in_sessions(decisions: &[OrderDecision], waiting: &[Waiting]) {
    let mut i = 0;
    while i < decisions.len() {
        let session = &waiting[i].sale.session;
        let run = waiting[i..]
            .iter()
            .take_while(|w| Arc::ptr_eq(&w.sale.session, session))
            .count();
        if let Some(mut agg) = session.counting() {
            for (decision, w) in decisions[i..i + run].iter().zip(&waiting[i..i + run]) {
                let (order, at) = match decision {
                    OrderDecision::Accepted { order, .. } => (order, w.placed_ms),
                    OrderDecision::Replayed { order, .. } => (order, placed_ms(order)),
                    _ => continue,
                };
                // Checkout orders are verified: the host does not control them.
                agg.apply_order(
                    &order_ref(&w.sale.rec, order, at),
                    livehire_domain::live::Provenance::Verified,
                );
            }
        }
        i += run;
    }
}

/// A stored flash-sale order as a session's order at `ts_ms`.
pub fn order_ref<'a>(
    sale: &'a FlashSaleRecord,
    o: &'a FlashOrderRecord,
    ts_ms: i64,
) -> OrderRef<'a> {
    OrderRef {
        ts_ms,
        order_id: &o.order_id,
        viewer_id: &o.buyer_id,
        product_id: &sale.product_id,
        quantity: o.quantity as u64,
        amount_minor: o.amount_minor,
        currency: &sale.currency,
        flash_sale_id: Some(&sale.id),
    }
}

/// When a stored order was placed, epoch ms (its `created_at`).
pub fn placed_ms(o: &FlashOrderRecord) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&o.created_at)
        .map(|t| t.timestamp_millis())
        .unwrap_or_default()
}
