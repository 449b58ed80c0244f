//! The live runtime: the one stateful part of the server.
//!
//! Each session that has been touched since start-up has a [`SessionLive`]:
//! its metrics aggregator (rebuilt from the stored event batches and flash-sale
//! orders the first time it is needed), a broadcast channel that SSE clients
//! read, and a short ring of recent stream items for `Last-Event-ID` resumes.
//! Flash sales keep their stock counters in memory ([`sale`]); accepted orders
//! go through one group-commit writer that makes a batch durable and then
//! acknowledges every order in it.

pub mod sale;
pub mod stream;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use livehire_domain::live::{Metrics, Provenance, SessionTally, Window};
use livehire_domain::money::Currency;
use serde::Serialize;
use tokio::sync::broadcast;

pub use sale::{FlashSaleLive, OrderWriter};

/// How many recent stream items a session keeps for resuming clients.
const RECENT_ITEMS: usize = 512;

/// One item of a session's Server-Sent Events stream. Cheap to clone: every
/// subscriber receives its own copy.
#[derive(Debug, Clone)]
pub struct StreamItem {
    /// The SSE `id`: increasing per session, and a time (microseconds
    /// since 1970 as this process's clock had it, or one more than the last
    /// id if that is later), so that a client that resumes with
    /// `Last-Event-ID` on another instance, or after a restart, gets what
    /// was sent after that moment.
    pub id: u64,
    /// SSE `event`: `metrics`, `flash_sale`, `sold_out`, `session`.
    pub event: &'static str,
    /// The flash sale a `flash_sale` or `sold_out` item is about, so a feed of
    /// one sale (the overlay's) can pick its items.
    pub flash_sale_id: Option<Arc<str>>,
    /// The JSON payload, rendered once when published.
    pub data: Arc<str>,
}

/// A session's live state.
pub struct SessionLive {
    /// `ph_sess_…`.
    pub id: String,
    /// The task it belongs to.
    pub task_id: String,
    /// The task's agent (fixed for the task's life).
    pub agent_id: String,
    /// The task's assigned host, once known (set when the session is loaded
    /// or started).
    host: Mutex<Option<String>>,
    /// The task's currency.
    pub currency: Currency,
    /// The session's figures, kept apart by provenance; locked briefly to
    /// compute metrics. Change it through [`Self::counting`], which keeps
    /// `counted` up to date.
    pub aggregator: Mutex<SessionTally>,
    /// Whether the session's task is settled (approved or cancelled): then
    /// nothing changes its figures. Deliveries hold it for reading while they
    /// store and count; an approval holds it for writing while it reads the
    /// figures it pays and commits, so no delivery lands in between.
    pub settled: tokio::sync::RwLock<bool>,
    /// GMV reserved per provenance (verified, host-reported), minor units: the
    /// orders stored or being stored plus the unsold stock of flash sales. An
    /// upper bound of each provenance's GMV, kept under the session limit.
    budget: Mutex<[i128; 2]>,
    /// The aggregator's generation after its last change, readable without
    /// waiting for its lock (a snapshot being computed holds it).
    counted: AtomicU64,
    /// (started, ended), epoch ms.
    pub times: Mutex<(Option<i64>, Option<i64>)>,
    /// Connector message ids seen since start-up: the connectors replay the last
    /// seconds on reconnect, so a repeated like, gift or join is dropped here.
    pub seen_msg_ids: Mutex<std::collections::HashSet<String>>,
    /// The last stream item's id.
    last_id: AtomicU64,
    tx: broadcast::Sender<StreamItem>,
    recent: Mutex<VecDeque<StreamItem>>,
    /// The last stream snapshot, shared by the ticker and new subscribers.
    latest: tokio::sync::Mutex<Option<Snapshot>>,
    /// With a shared store: how far this instance has read what every
    /// instance stored for the session (see `App::follow_session`).
    pub follow: tokio::sync::Mutex<Follow>,
}

/// How far an instance has read a session's stored batches and orders, on a
/// shared store where other instances write them too.
#[derive(Debug, Default)]
pub struct Follow {
    /// The `seq` of the last event batch read or counted.
    pub batches_after: i64,
    /// Batches past `batches_after` this instance stored and counted itself
    /// (not to be counted again when read back).
    pub counted_here: std::collections::BTreeSet<i64>,
    /// Per flash sale: the position of the last order read and the units of
    /// every order read.
    pub orders_after: HashMap<String, (i64, i64)>,
}

/// The aggregator, locked to count events; on release it publishes the new
/// generation (see [`SessionLive::snapshot`]).
pub struct Counting<'a> {
    agg: std::sync::MutexGuard<'a, SessionTally>,
    counted: &'a AtomicU64,
}

impl std::ops::Deref for Counting<'_> {
    type Target = SessionTally;
    fn deref(&self) -> &SessionTally {
        &self.agg
    }
}

impl std::ops::DerefMut for Counting<'_> {
    fn deref_mut(&mut self) -> &mut SessionTally {
        &mut self.agg
    }
}

impl Drop for Counting<'_> {
    fn drop(&mut self) {
        // Still under the lock: whoever sees the events counted sees this.
        self.counted.store(self.agg.generation(), Ordering::Release);
    }
}

/// A metrics snapshot and what it was taken from.
struct Snapshot {
    /// When, epoch ms.
    at_ms: i64,
    /// The session's (started, ended) times then.
    times: (Option<i64>, Option<i64>),
    /// The aggregator's generation it includes.
    generation: u64,
    metrics: Arc<Metrics>,
}

/// How long a stream snapshot serves new subscribers (the stream's cadence).
const SNAPSHOT_REUSE_MS: i64 = 1_000;

impl SessionLive {
    /// A fresh session state.
    pub fn new(id: &str, task_id: &str, agent_id: &str, currency: Currency) -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self {
            id: id.to_string(),
            task_id: task_id.to_string(),
            agent_id: agent_id.to_string(),
            host: Mutex::new(None),
            currency,
            aggregator: Mutex::new(SessionTally::new(currency)),
            settled: tokio::sync::RwLock::new(false),
            budget: Mutex::new([0, 0]),
            counted: AtomicU64::new(0),
            times: Mutex::new((None, None)),
            seen_msg_ids: Mutex::new(std::collections::HashSet::new()),
            last_id: AtomicU64::new(0),
            tx,
            recent: Mutex::new(VecDeque::with_capacity(RECENT_ITEMS)),
            latest: tokio::sync::Mutex::new(None),
            follow: tokio::sync::Mutex::new(Follow::default()),
        }
    }

    /// The task's assigned host, if known.
    pub fn host_id(&self) -> Option<String> {
        self.host.lock().ok().and_then(|h| h.clone())
    }

    /// Records the task's assigned host.
    pub fn set_host(&self, host: Option<&str>) {
        if let (Some(h), Ok(mut slot)) = (host, self.host.lock()) {
            *slot = Some(h.to_string());
        }
    }

    /// Publishes `data` as JSON to every subscriber and keeps it for resumes;
    /// `flash_sale_id` names the sale a sale's item is about.
    pub fn publish(
        &self,
        event: &'static str,
        flash_sale_id: Option<&str>,
        data: &(impl Serialize + ?Sized),
    ) {
        let data = match serde_json::to_string(data) {
            Ok(text) => text,
            Err(e) => {
                tracing::error!(error = %e, event, session_id = %self.id, "stream item not rendered");
                return;
            }
        };
        let item = StreamItem {
            id: self.next_stream_id(),
            event,
            flash_sale_id: flash_sale_id.map(Arc::from),
            data: data.into(),
        };
        if let Ok(mut r) = self.recent.lock() {
            if r.len() == RECENT_ITEMS {
                r.pop_front();
            }
            r.push_back(item.clone());
        }
        let _ = self.tx.send(item);
    }

    /// The next stream item's id: now in microseconds, or one past the last
    /// id when that is later (ids never go back, whatever the clock does).
    fn next_stream_id(&self) -> u64 {
        let now = u64::try_from(chrono::Utc::now().timestamp_micros()).unwrap_or(0);
        let mut last = self.last_id.load(Ordering::Relaxed);
        loop {
            let id = now.max(last + 1);
            match self
                .last_id
                .compare_exchange_weak(last, id, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return id,
                Err(seen) => last = seen,
            }
        }
    }

    /// Subscribes, returning the items after `last_id` still kept, then the live feed.
    pub fn subscribe(
        &self,
        last_id: Option<u64>,
    ) -> (Vec<StreamItem>, broadcast::Receiver<StreamItem>) {
        let rx = self.tx.subscribe();
        let missed = match (last_id, self.recent.lock()) {
            (Some(last), Ok(r)) => r.iter().filter(|i| i.id > last).cloned().collect(),
            _ => Vec::new(),
        };
        (missed, rx)
    }

    /// The metrics window: from the start (or first event) to the end, or to
    /// `now_ms` while live.
    pub fn window(&self, now_ms: i64) -> Window {
        let (started, ended) = self.times.lock().map(|t| *t).unwrap_or((None, None));
        let end = match (started, ended) {
            (_, Some(e)) => Some(e),
            (Some(_), None) => Some(now_ms),
            (None, None) => None,
        };
        Window {
            start_ms: started,
            end_ms: end,
            closed: ended.is_some(),
        }
    }

    /// Locks the aggregator to count events; `None` if a panic poisoned it.
    pub fn counting(&self) -> Option<Counting<'_>> {
        Some(Counting {
            agg: self.aggregator.lock().ok()?,
            counted: &self.counted,
        })
    }

    /// The session's metrics now; `None` if a panic poisoned the aggregator.
    pub fn metrics(&self, now_ms: i64) -> Option<Metrics> {
        self.metrics_at_generation(now_ms).map(|(_, m)| m)
    }

    /// The metrics now and the aggregator generation they include.
    fn metrics_at_generation(&self, now_ms: i64) -> Option<(u64, Metrics)> {
        let window = self.window(now_ms);
        let mut agg = self.aggregator.lock().ok()?;
        Some((agg.generation(), agg.metrics(window)))
    }

    /// A metrics snapshot for the stream at `now_ms`. The last one serves
    /// when it is under a second old, the session has neither started nor
    /// ended since, and it counts every event counted before this call;
    /// otherwise one is computed on the blocking pool, and callers waiting
    /// meanwhile share it. (A thousand clients subscribing at once to a
    /// session of a million orders used to compute a thousand snapshots.)
    /// `None` if a panic poisoned the aggregator.
    pub async fn snapshot(self: &Arc<Self>, now_ms: i64) -> Option<Arc<Metrics>> {
        let wanted = self.counted.load(Ordering::Acquire);
        let times = self.times.lock().map(|t| *t).unwrap_or((None, None));
        let mut latest = self.latest.lock().await;
        if let Some(s) = latest.as_ref()
            && s.generation >= wanted
            && s.times == times
            && (now_ms - s.at_ms).abs() < SNAPSHOT_REUSE_MS
        {
            return Some(s.metrics.clone());
        }
        let this = self.clone();
        let computed =
            tokio::task::spawn_blocking(move || this.metrics_at_generation(now_ms)).await;
        let (generation, metrics) = computed.ok().flatten()?;
        let metrics = Arc::new(metrics);
        *latest = Some(Snapshot {
            at_ms: now_ms,
            times,
            generation,
            metrics: metrics.clone(),
        });
        Some(metrics)
    }

    /// Reserves `amounts` (minor units, in order) of GMV reported with
    /// provenance `p` against the session limit `max_minor`: `true` for each
    /// amount that fits, `false` for one that would take the session past it.
    pub fn reserve_gmv(&self, p: Provenance, amounts: &[i64], max_minor: i128) -> Vec<bool> {
        let Ok(mut b) = self.budget.lock() else {
            return vec![false; amounts.len()];
        };
        let slot = &mut b[budget_slot(p)];
        amounts
            .iter()
            .map(|&a| {
                let next = *slot + i128::from(a);
                let fits = next <= max_minor;
                if fits {
                    *slot = next;
                }
                fits
            })
            .collect()
    }

    /// Records GMV already held (orders stored before a rebuild) without a
    /// limit check.
    pub fn reserve_gmv_unchecked(&self, p: Provenance, minor: i128) {
        if let Ok(mut b) = self.budget.lock() {
            b[budget_slot(p)] += minor;
        }
    }

    /// Gives back GMV reserved for orders that were not stored.
    pub fn release_gmv(&self, p: Provenance, minor: i128) {
        if let Ok(mut b) = self.budget.lock() {
            b[budget_slot(p)] -= minor;
        }
    }

    /// Gives back connector message ids taken for events that were not
    /// stored, so the same messages count when they are sent again.
    pub fn forget_msg_ids(&self, ids: &[String]) {
        if let Ok(mut seen) = self.seen_msg_ids.lock() {
            for id in ids {
                seen.remove(id);
            }
        }
    }

    /// The aggregator's generation after its last change.
    pub fn counted_generation(&self) -> u64 {
        self.counted.load(Ordering::Acquire)
    }

    /// How many clients are listening.
    pub fn subscribers(&self) -> usize {
        self.tx.receiver_count()
    }
}

fn budget_slot(p: Provenance) -> usize {
    match p {
        Provenance::Verified => 0,
        Provenance::HostReported => 1,
    }
}

/// Every session and flash sale the runtime holds.
#[derive(Default)]
pub struct LiveRuntime {
    /// Loaded sessions by id.
    pub sessions: tokio::sync::Mutex<HashMap<String, Arc<SessionLive>>>,
    /// Loaded flash sales by id: read on every order, so a plain read-write
    /// lock held for a lookup, never across an await.
    sales: std::sync::RwLock<HashMap<String, Arc<FlashSaleLive>>>,
    /// Sessions currently live (for the ticker).
    pub live: Mutex<HashMap<String, Arc<SessionLive>>>,
}

impl LiveRuntime {
    /// A loaded flash sale.
    pub fn sale(&self, id: &str) -> Option<Arc<FlashSaleLive>> {
        self.sales.read().ok()?.get(id).cloned()
    }

    /// Holds a loaded flash sale.
    pub fn add_sale(&self, sale: Arc<FlashSaleLive>) {
        if let Ok(mut m) = self.sales.write() {
            m.insert(sale.rec.id.clone(), sale);
        }
    }

    /// Every loaded flash sale.
    pub fn all_sales(&self) -> Vec<Arc<FlashSaleLive>> {
        self.sales
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use livehire_domain::live::{EventBody, LiveEvent};

    use super::*;

    const T0: i64 = 2_000_000_000_000;

    fn join(viewer: &str, ts_ms: i64) -> LiveEvent {
        LiveEvent {
            ts_ms,
            body: EventBody::ViewerJoin {
                viewer_id: viewer.into(),
            },
        }
    }

    #[tokio::test]
    async fn a_snapshot_is_shared_only_while_what_it_shows_still_holds() {
        let cny = Currency::parse("CNY").unwrap();
        let s = Arc::new(SessionLive::new(
            "ph_sess_a",
            "ph_task_a",
            "ph_agent_a",
            cny,
        ));
        s.times.lock().unwrap().0 = Some(T0);
        s.counting()
            .unwrap()
            .apply(&join("v1", T0), Provenance::HostReported);
        let now = T0 + 150_000;
        let snapshot = async |at: i64| (*s.snapshot(at).await.unwrap()).clone();
        let metrics = |at: i64| s.metrics(at).unwrap();
        let first = snapshot(now).await;
        assert_eq!(first, metrics(now));
        assert_eq!(first.unique_viewers, 1);

        // Half a second on, with nothing new, the same snapshot serves, though
        // the viewer's watch time has grown since.
        assert_ne!(metrics(now + 500), first);
        assert_eq!(snapshot(now + 500).await, first);

        // An event counted since: computed again.
        s.counting()
            .unwrap()
            .apply(&join("v2", T0 + 1_000), Provenance::HostReported);
        let second = snapshot(now + 600).await;
        assert_eq!(second, metrics(now + 600));
        assert_eq!(second.unique_viewers, 2);

        // The session ends: its window ends with it.
        s.times.lock().unwrap().1 = Some(T0 + 60_000);
        let ended = snapshot(now + 700).await;
        assert_ne!(ended, second);
        assert_eq!(ended, metrics(now + 700));

        // A second after the last one: computed again.
        s.times.lock().unwrap().1 = None;
        let live = snapshot(now + 700).await;
        assert_eq!(live, metrics(now + 700));
        assert_eq!(snapshot(now + 1_699).await, live);
        assert_eq!(snapshot(now + 1_700).await, metrics(now + 1_700));
        assert_ne!(snapshot(now + 1_700).await, live);
    }
}
