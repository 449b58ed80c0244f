//! [`SessionAggregator`]: applies a live session's events and computes its
//! [`Metrics`] exactly, whatever order and batches the events arrive in.
//!
//! Formulas are in the [module docs of `live`](super). State is kept compact
//! for sessions with a million viewers: viewer, order and message ids are hashed
//! to 64 bits ([`super::id_hash`]); a viewer's joins and leaves are 16 bytes each
//! in one flat vector; only product and flash-sale ids are kept as strings (a
//! session has a handful). Metrics are computed by a full pass and cached until
//! the next applied event or a different window.

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use super::event::{EventBody, LiveEvent, MAX_TS_MS, MIN_TS_MS, format_ts};
use super::metrics::{
    AfterJoin, FlashSaleSales, MAX_BUCKETS, Metrics, MinuteViewers, ProductSales, Retention,
    TikTokShopMetrics, Timeline, ratio,
};
use super::viewers::{AFTER_JOIN_MINUTES, Curve, CurveReport, ViewerPass, Viewers};
use super::{PreHashedBuild, id_hash};
use crate::money::Currency;

/// Hash tags keeping the kinds of id apart.
const TAG_VIEWER: u8 = 1;
const TAG_ORDER: u8 = 2;
const TAG_CHAT: u8 = 3;
const TAG_QUESTION: u8 = 4;

/// The time span metrics are computed over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Session start (epoch ms); default: the first event's time.
    pub start_ms: Option<i64>,
    /// Session end, or "now" while live (epoch ms); default: the last event's time.
    pub end_ms: Option<i64>,
    /// The session has ended: nobody is watching at `end`, so
    /// `concurrent_viewers` is 0 whatever leaves were missed.
    pub closed: bool,
}

/// What [`SessionAggregator::apply`] did with an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The event was taken into account.
    Counted,
    /// The event repeats one already counted (same `order_id`, same chat or
    /// question `msg_id`, an order refunded again, a question answered again):
    /// nothing changed.
    Duplicate,
    /// The event cannot belong to this session (an order in another currency).
    Rejected(String),
}

/// One order, as kept for metrics.
/// An order by reference, for [`SessionAggregator::apply_order`]: the fields
/// of [`EventBody::Order`] and the event's time.
#[derive(Clone, Copy, Debug)]
pub struct OrderRef<'a> {
    /// Event time, epoch ms.
    pub ts_ms: i64,
    /// The order's id (an order counts once per id).
    pub order_id: &'a str,
    /// The buyer.
    pub viewer_id: &'a str,
    /// The product.
    pub product_id: &'a str,
    /// Units.
    pub quantity: u64,
    /// Amount, minor units.
    pub amount_minor: i64,
    /// ISO code; must be the session's.
    pub currency: &'a str,
    /// The flash sale it was bought in, if any.
    pub flash_sale_id: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct OrderRec {
    ts_ms: i64,
    viewer: u64,
    product: u32,
    /// Index into `flash_sales`, `u32::MAX` for none.
    flash: u32,
    quantity: u64,
    amount_minor: i64,
}

const NO_FLASH: u32 = u32::MAX;

/// Interned strings (product or flash-sale ids).
#[derive(Clone, Debug, Default)]
struct Names {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = u32::try_from(self.names.len()).unwrap_or(u32::MAX - 1);
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }

    fn get(&self, i: u32) -> &str {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.names.get(i))
            .map_or("", String::as_str)
    }
}

/// A live session's running state: events in, [`Metrics`] out.
///
/// Exact and independent of arrival order: applying the same multiset of
/// events in any order, across any batches, gives identical metrics. Where two
/// events with one `order_id` differ, the order kept is the least by (time,
/// amount, quantity, product, buyer, flash sale), whichever came first.
#[derive(Clone, Debug)]
pub struct SessionAggregator {
    currency: Currency,
    viewers: Viewers,
    samples: Vec<(i64, u64)>,
    chat_ids: HashSet<u64, PreHashedBuild>,
    question_ids: HashSet<u64, PreHashedBuild>,
    answered_ids: HashSet<u64, PreHashedBuild>,
    chat_messages: u64,
    questions: u64,
    answered: u64,
    likes: u64,
    shares: u64,
    follows: u64,
    gifts_value: u64,
    orders: HashMap<u64, OrderRec, PreHashedBuild>,
    /// Sum of the amounts of the orders held (refunded or not), minor units:
    /// an upper bound of GMV, read without a pass.
    gross_minor: i128,
    refunded: HashSet<u64, PreHashedBuild>,
    products: Names,
    flash_sales: Names,
    pinned: Option<(i64, String)>,
    first_ts: Option<i64>,
    last_ts: Option<i64>,
    dirty: bool,
    generation: u64,
    cached: Option<(Window, Metrics)>,
}

impl SessionAggregator {
    /// An empty session whose orders are in `currency`.
    pub fn new(currency: Currency) -> Self {
        SessionAggregator {
            currency,
            viewers: Viewers::default(),
            samples: Vec::new(),
            chat_ids: HashSet::default(),
            question_ids: HashSet::default(),
            answered_ids: HashSet::default(),
            chat_messages: 0,
            questions: 0,
            answered: 0,
            likes: 0,
            shares: 0,
            follows: 0,
            gifts_value: 0,
            orders: HashMap::default(),
            gross_minor: 0,
            refunded: HashSet::default(),
            products: Names::default(),
            flash_sales: Names::default(),
            pinned: None,
            first_ts: None,
            last_ts: None,
            dirty: false,
            generation: 0,
            cached: None,
        }
    }

    /// The session's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// How many events have been applied (counted, repeated or refused):
    /// metrics taken at one generation hold for as long as it stays the same.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The sum of every distinct order's amount, refunded ones included, in
    /// minor units: GMV never exceeds it. Kept as orders are applied.
    pub fn gross_order_minor(&self) -> i128 {
        self.gross_minor
    }

    /// Whether any event has been applied.
    pub fn is_empty(&self) -> bool {
        self.generation == 0
    }

    /// The first and last event times seen (the default [`Window`]).
    pub fn time_range(&self) -> Option<(i64, i64)> {
        self.first_ts.zip(self.last_ts)
    }

    /// Applies one event. Events may come in any order; see [`Applied`].
    pub fn apply(&mut self, e: &LiveEvent) -> Applied {
        let ts = e.ts_ms.clamp(MIN_TS_MS, MAX_TS_MS);
        let applied = match &e.body {
            EventBody::ViewerJoin { viewer_id } => {
                self.viewers.push(id_hash(TAG_VIEWER, viewer_id), ts, false);
                Applied::Counted
            }
            EventBody::ViewerLeave { viewer_id } => {
                self.viewers.push(id_hash(TAG_VIEWER, viewer_id), ts, true);
                Applied::Counted
            }
            EventBody::ViewerCount { count } => {
                self.samples.push((ts, *count));
                Applied::Counted
            }
            EventBody::Chat { msg_id, .. } => count_once(
                &mut self.chat_ids,
                &mut self.chat_messages,
                TAG_CHAT,
                msg_id,
            ),
            EventBody::Question { msg_id, .. } => count_once(
                &mut self.question_ids,
                &mut self.questions,
                TAG_QUESTION,
                msg_id,
            ),
            EventBody::QuestionAnswered { msg_id, .. } => count_once(
                &mut self.answered_ids,
                &mut self.answered,
                TAG_QUESTION,
                msg_id,
            ),
            EventBody::Like { count, .. } => add(&mut self.likes, *count),
            EventBody::Share { .. } => add(&mut self.shares, 1),
            EventBody::Follow { .. } => add(&mut self.follows, 1),
            EventBody::Gift { value, .. } => add(&mut self.gifts_value, *value),
            EventBody::ProductPin { product_id } => {
                if self
                    .pinned
                    .as_ref()
                    .is_none_or(|(t, id)| (ts, product_id.as_str()) > (*t, id.as_str()))
                {
                    self.pinned = Some((ts, product_id.clone()));
                }
                Applied::Counted
            }
            EventBody::Order {
                order_id,
                viewer_id,
                product_id,
                quantity,
                amount_minor,
                currency,
                flash_sale_id,
            } => self.order(&OrderRef {
                ts_ms: ts,
                order_id,
                viewer_id,
                product_id,
                quantity: *quantity,
                amount_minor: *amount_minor,
                currency,
                flash_sale_id: flash_sale_id.as_deref(),
            }),
            EventBody::OrderRefund { order_id } => {
                if self.refunded.insert(id_hash(TAG_ORDER, order_id)) {
                    Applied::Counted
                } else {
                    Applied::Duplicate
                }
            }
        };
        self.seen(ts);
        applied
    }

    /// Applies one order given by reference: the same as [`Self::apply`] with
    /// an [`EventBody::Order`], without building the event's owned strings
    /// (the path every flash-sale order takes).
    pub fn apply_order(&mut self, o: &OrderRef<'_>) -> Applied {
        let ts = o.ts_ms.clamp(MIN_TS_MS, MAX_TS_MS);
        let applied = self.order(&OrderRef { ts_ms: ts, ..*o });
        self.seen(ts);
        applied
    }

    /// Widens the time range to an applied event's time.
    fn seen(&mut self, ts: i64) {
        self.first_ts = Some(self.first_ts.map_or(ts, |t| t.min(ts)));
        self.last_ts = Some(self.last_ts.map_or(ts, |t| t.max(ts)));
        self.dirty = true;
        self.generation += 1;
    }

    /// An order whose time is already clamped.
    fn order(&mut self, o: &OrderRef<'_>) -> Applied {
        if o.currency != self.currency.code() {
            return Applied::Rejected(format!(
                "order.currency: must be the session's currency {}, got {}",
                self.currency, o.currency
            ));
        }
        let rec = OrderRec {
            ts_ms: o.ts_ms,
            viewer: id_hash(TAG_VIEWER, o.viewer_id),
            product: self.products.intern(o.product_id),
            flash: o
                .flash_sale_id
                .map_or(NO_FLASH, |f| self.flash_sales.intern(f)),
            quantity: o.quantity,
            amount_minor: o.amount_minor,
        };
        self.add_order(id_hash(TAG_ORDER, o.order_id), rec)
    }

    /// Keeps one order per id: the least by (time, amount, quantity, product,
    /// buyer, flash sale), so the outcome does not depend on arrival order.
    fn add_order(&mut self, key: u64, rec: OrderRec) -> Applied {
        let old = match self.orders.entry(key) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(rec);
                self.gross_minor += i128::from(rec.amount_minor);
                return Applied::Counted;
            }
            std::collections::hash_map::Entry::Occupied(slot) => *slot.get(),
        };
        let rank = |r: &OrderRec| {
            (
                r.ts_ms,
                r.amount_minor,
                r.quantity,
                self.products.get(r.product).to_string(),
                r.viewer,
                (r.flash != NO_FLASH).then(|| self.flash_sales.get(r.flash).to_string()),
            )
        };
        if rank(&rec) < rank(&old) {
            self.orders.insert(key, rec);
            self.gross_minor += i128::from(rec.amount_minor) - i128::from(old.amount_minor);
        }
        Applied::Duplicate
    }

    /// Approximate bytes of heap this aggregator holds (for capacity planning
    /// and the server's own metrics).
    pub fn heap_bytes(&self) -> usize {
        let set = |n: usize| n * 9; // a u64 slot plus a control byte
        self.viewers.heap_bytes()
            + self.samples.capacity() * 16
            + set(self.chat_ids.capacity() + self.question_ids.capacity())
            + set(self.answered_ids.capacity() + self.refunded.capacity())
            + self.orders.capacity() * (8 + std::mem::size_of::<OrderRec>() + 1)
    }

    /// Resolves a window against the events seen; `None` when there is nothing
    /// to measure (no events and no window).
    fn resolve(&self, w: Window) -> Option<(i64, i64)> {
        let clamp = |t: i64| t.clamp(MIN_TS_MS, MAX_TS_MS);
        let start = clamp(w.start_ms.or(self.first_ts).or(w.end_ms)?);
        let end = clamp(w.end_ms.or(self.last_ts).unwrap_or(start));
        Some((start, end.max(start)))
    }

    /// Whether the curve comes from `viewer_count` samples (see the module docs).
    fn sample_mode(&self) -> bool {
        !self.samples.is_empty() && self.viewers.leaves() == 0
    }

    /// Feeds the concurrency curve from samples or from the viewers' intervals.
    fn curve(&mut self, start: i64, end: i64, bucket_ms: i64, pass: &ViewerPass) -> CurveReport {
        let mut curve = Curve::new(start, end, bucket_ms);
        if self.sample_mode() {
            self.samples.sort_unstable();
            let s = &self.samples;
            for (i, &(t, count)) in s.iter().enumerate() {
                if s.get(i + 1).is_none_or(|next| next.0 != t) {
                    curve.step(t, count);
                }
            }
        } else {
            curve.feed_keys(&pass.keys);
        }
        curve.finish()
    }

    /// The session's metrics over `window`, computed by a full pass (sorting the
    /// viewers' edges appended since the last pass) and cached until the next
    /// applied event or a different window.
    pub fn metrics(&mut self, window: Window) -> Metrics {
        if !self.dirty
            && let Some((w, m)) = &self.cached
            && *w == window
        {
            return m.clone();
        }
        let m = self.compute(window);
        self.cached = Some((window, m.clone()));
        self.dirty = false;
        m
    }

    fn compute(&mut self, window: Window) -> Metrics {
        let (mut m, buyers) = self.counters();
        let Some((start, end)) = self.resolve(window) else {
            return m;
        };
        let span = end - start;
        let minutes: Vec<u32> = AFTER_JOIN_MINUTES
            .into_iter()
            .filter(|&m| i64::from(m) * 60_000 <= span)
            .collect();
        let pass = self.viewers.pass(start, end, &minutes, &buyers);
        let curve = self.curve(start, end, 0, &pass);

        let watched_s = i128::try_from(curve.area_ms)
            .ok()
            .and_then(|ms| Decimal::try_from_i128_with_scale(ms, 3).ok())
            .unwrap_or(Decimal::MAX);
        let gmv_k = m
            .gmv
            .checked_mul(Decimal::ONE_THOUSAND)
            .unwrap_or(Decimal::MAX);
        // A buyer counts as a viewer, even without a join event.
        let unique_viewers = pass.unique + pass.buyers_not_watching;
        let unique = Decimal::from(unique_viewers);
        let views = Decimal::from(pass.views);
        m.concurrent_viewers = if window.closed { 0 } else { curve.at_end };
        m.peak_concurrent_viewers = curve.peak;
        m.peak_at = curve.peak_at.map(format_ts);
        m.unique_viewers = unique_viewers;
        m.avg_watch_time_seconds = ratio(watched_s, unique, 1);
        m.retention = Retention {
            per_minute: curve
                .per_minute
                .iter()
                .enumerate()
                .map(|(i, &viewers)| MinuteViewers {
                    minute: u32::try_from(i).unwrap_or(u32::MAX),
                    viewers,
                })
                .collect(),
            after_join: if self.sample_mode() {
                Vec::new()
            } else {
                pass.after_join
                    .iter()
                    .map(|&(minutes, eligible, watching)| AfterJoin {
                        minutes,
                        share: ratio(Decimal::from(watching), Decimal::from(eligible), 4),
                    })
                    .collect()
            },
        };
        m.conversion_rate = ratio(Decimal::from(m.buyers), unique, 4);
        m.gpm = ratio(gmv_k, unique, 2);
        m.tiktok_shop = TikTokShopMetrics {
            acu: ratio(watched_s, Decimal::new(span, 3), 1),
            pcu: curve.peak,
            viewers: unique_viewers,
            views: pass.views,
            avg_viewing_duration: ratio(watched_s, views, 1),
            gmv: m.gmv,
            items_sold: m.units,
            customers: m.buyers,
            sku_orders: m.orders,
            watch_gpm: ratio(gmv_k, views, 2),
        };
        m
    }

    /// Everything that does not depend on the window: counters and sales, and
    /// the buyers' viewer hashes (sorted, without repeats).
    fn counters(&self) -> (Metrics, Vec<u64>) {
        let mut m = Metrics {
            chat_messages: self.chat_messages,
            questions: self.questions,
            questions_answered: self.answered.min(self.questions),
            likes: self.likes,
            shares: self.shares,
            follows: self.follows,
            gifts_value: self.gifts_value,
            pinned_product: self.pinned.as_ref().map(|(_, id)| id.clone()),
            ..Metrics::default()
        };
        let mut products = vec![(0_u64, 0_u64, 0_i128); self.products.names.len()];
        let mut flash = vec![(0_u64, 0_u64, 0_i128); self.flash_sales.names.len()];
        let mut buyers = Vec::new();
        let mut gmv_minor: i128 = 0;
        for (key, o) in &self.orders {
            if self.refunded.contains(key) {
                m.refunds += 1;
                continue;
            }
            m.orders += 1;
            m.units = m.units.saturating_add(o.quantity);
            gmv_minor += i128::from(o.amount_minor);
            buyers.push(o.viewer);
            let tally = |t: &mut (u64, u64, i128)| {
                t.0 += 1;
                t.1 = t.1.saturating_add(o.quantity);
                t.2 += i128::from(o.amount_minor);
            };
            if let Some(p) = products.get_mut(o.product as usize) {
                tally(p);
            }
            if let Some(f) = flash.get_mut(o.flash as usize) {
                tally(f);
            }
        }
        buyers.sort_unstable();
        buyers.dedup();
        m.buyers = buyers.len() as u64;
        let m = self.sales(m, products, flash, gmv_minor);
        (m, buyers)
    }

    /// Fills GMV and the per-product and per-flash-sale sales.
    fn sales(
        &self,
        mut m: Metrics,
        products: Vec<(u64, u64, i128)>,
        flash: Vec<(u64, u64, i128)>,
        gmv_minor: i128,
    ) -> Metrics {
        m.gmv = self.amount(gmv_minor);
        m.products = products
            .into_iter()
            .enumerate()
            .filter(|(_, t)| t.0 > 0)
            .map(|(i, (orders, units, gmv))| ProductSales {
                product_id: self.products.names[i].clone(),
                orders,
                units,
                gmv: self.amount(gmv),
            })
            .collect();
        m.products.sort_by(|a, b| {
            b.gmv
                .cmp(&a.gmv)
                .then_with(|| a.product_id.cmp(&b.product_id))
        });
        m.flash_sales = flash
            .into_iter()
            .enumerate()
            .filter(|(_, t)| t.0 > 0)
            .map(|(i, (orders, units, gmv))| FlashSaleSales {
                flash_sale_id: self.flash_sales.names[i].clone(),
                orders,
                units,
                gmv: self.amount(gmv),
            })
            .collect();
        m.flash_sales
            .sort_by(|a, b| a.flash_sale_id.cmp(&b.flash_sale_id));
        m
    }

    /// Minor units of the session's currency as an amount.
    fn amount(&self, minor: i128) -> Decimal {
        Decimal::try_from_i128_with_scale(minor, self.currency.minor_units())
            .unwrap_or(Decimal::MAX)
    }

    /// Time series for charts over `window`, in buckets of `bucket_seconds`
    /// (at least 1; widened to keep at most [`MAX_BUCKETS`] buckets): the most
    /// viewers watching at once in each bucket, and the cumulative GMV at each
    /// bucket's end.
    pub fn timeline(&mut self, window: Window, bucket_seconds: u32) -> Timeline {
        let Some((start, end)) = self.resolve(window) else {
            return Timeline {
                bucket_seconds: bucket_seconds.max(1),
                ..Timeline::default()
            };
        };
        let span = end - start;
        let mut bucket_ms = i64::from(bucket_seconds.max(1)) * 1000;
        if span / bucket_ms >= MAX_BUCKETS {
            let min_s = span / (MAX_BUCKETS * 1000) + 1;
            bucket_ms = min_s * 1000;
        }
        let pass = if self.sample_mode() {
            ViewerPass::default()
        } else {
            self.viewers.pass(start, end, &[], &[])
        };
        let curve = self.curve(start, end, bucket_ms, &pass);
        let starts = (0..).map(|i: i64| start + i * bucket_ms);
        let concurrent: Vec<(i64, u64)> = starts.clone().zip(curve.buckets).collect();

        let mut orders: Vec<(i64, i64)> = self
            .orders
            .iter()
            .filter(|(key, _)| !self.refunded.contains(*key))
            .map(|(_, o)| (o.ts_ms, o.amount_minor))
            .collect();
        orders.sort_unstable();
        let n = concurrent.len();
        let mut gmv = Vec::with_capacity(n);
        let (mut next, mut cumulative) = (0, 0_i128);
        for (i, (bucket_start, _)) in concurrent.iter().enumerate() {
            let bucket_end = bucket_start + bucket_ms;
            while next < orders.len() && (orders[next].0 < bucket_end || i + 1 == n) {
                cumulative += i128::from(orders[next].1);
                next += 1;
            }
            gmv.push((*bucket_start, self.amount(cumulative)));
        }
        Timeline {
            bucket_seconds: u32::try_from(bucket_ms / 1000).unwrap_or(u32::MAX),
            concurrent,
            gmv,
        }
    }
}

/// Counts an event once per `msg_id` (always when it has none).
fn count_once(
    seen: &mut HashSet<u64, PreHashedBuild>,
    counter: &mut u64,
    tag: u8,
    msg_id: &Option<String>,
) -> Applied {
    match msg_id {
        Some(id) if !seen.insert(id_hash(tag, id)) => Applied::Duplicate,
        _ => add(counter, 1),
    }
}

fn add(counter: &mut u64, n: u64) -> Applied {
    *counter = counter.saturating_add(n);
    Applied::Counted
}

#[cfg(test)]
#[path = "aggregator_tests.rs"]
pub(crate) mod tests;

#[cfg(test)]
#[path = "aggregator_order_tests.rs"]
pub(crate) mod order_tests;
