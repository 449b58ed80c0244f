//! Live sessions (SPEC §6): events in, metrics out.
//!
//! - [`event`]: the native event shape `{type, ts, …}` ([`LiveEvent`]), parsed once
//!   at the edge with [`parse_event`] and written back canonically with [`to_json`].
//! - [`connector`]: maps what the open-source TikTok LIVE connectors emit
//!   (`?format=tiktok-live-connector`) onto [`LiveEvent`]s.
//! - [`aggregator`]: [`SessionAggregator`], the exact, arrival-order-independent
//!   accumulator a live session's owner task applies events to.
//! - [`metrics`]: the [`Metrics`] snapshot and the [`Timeline`] for charts.
//!
//! # Metrics and their formulas
//!
//! A metrics snapshot is taken over a [`Window`] `[start, end]` (session start and
//! session end, or "now" while live; each defaults to the first / last event
//! time). Applying the same multiset of events in any order, in any batches, gives
//! the same [`Metrics`].
//!
//! **Watching.** Each viewer's `viewer_join` / `viewer_leave` events are sorted by
//! time and paired: a join while watching and a leave while not watching are
//! ignored. A join and a leave at the same millisecond count as a blip: a viewer
//! who was not watching joins and leaves (a zero-length visit), one who was
//! watching leaves and joins again (a reconnect). A watch interval still open
//! closes at `end`. Intervals are clipped to the window; one counts when it starts
//! at or before `end` and ends after `start`. A viewer is watching at `t` when
//! `join ≤ t < leave`.
//!
//! | field | formula |
//! |---|---|
//! | `concurrent_viewers` | viewers watching at `end` |
//! | `peak_concurrent_viewers`, `peak_at` | the most viewers watching at any instant of the window, and the first instant it was reached (`null` when 0) |
//! | `unique_viewers` | distinct viewers with at least one counted watch interval |
//! | `avg_watch_time_seconds` | total watched seconds ÷ `unique_viewers`, 1 decimal (0 without viewers) |
//! | `retention.per_minute` | viewers watching at `start + minute × 60 s`, for every whole minute up to `end` (at most one week's worth) |
//! | `retention.after_join` | for `m` in 1, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180 (up to the window's length): of the viewers whose first join + `m` minutes is still within the window, the share watching at that moment (a viewer who left and came back counts), 4 decimals |
//! | `chat_messages`, `questions` | events, a repeated `msg_id` counted once |
//! | `questions_answered` | `question_answered` events (a repeated `msg_id` once), at most `questions` |
//! | `likes`, `gifts_value` | sums of `like.count` and `gift.value` |
//! | `shares`, `follows` | events |
//! | `orders`, `units`, `gmv` | non-refunded orders (a repeated `order_id` once), their quantities and amounts |
//! | `buyers` | distinct `viewer_id`s with a non-refunded order |
//! | `refunds` | orders refunded (a refund may arrive before its order) |
//! | `conversion_rate` | `buyers ÷ unique_viewers`, 4 decimals (0 without viewers) |
//! | `gpm` | `gmv × 1000 ÷ unique_viewers`, 2 decimals (0 without viewers) |
//! | `products` | per product: orders, units, GMV; by GMV descending, then id |
//! | `flash_sales` | per flash sale: orders, units, GMV; by id |
//! | `pinned_product` | the latest `product_pin` by event time (ties: the greatest id) |
//!
//! TikTok Shop's Seller Center names, in `tiktok_shop`:
//!
//! | field | formula |
//! |---|---|
//! | `acu` | average concurrent viewers: total watched seconds ÷ window seconds, 1 decimal |
//! | `pcu` | peak concurrent viewers (= `peak_concurrent_viewers`) |
//! | `viewers` | `unique_viewers` |
//! | `views` | counted watch intervals: every join that started watching, re-joins included |
//! | `avg_viewing_duration` | total watched seconds ÷ `views`, 1 decimal |
//! | `gmv`, `items_sold`, `customers`, `sku_orders` | `gmv`, `units`, `buyers`, `orders` |
//! | `watch_gpm` | `gmv × 1000 ÷ views`, 2 decimals |
//!
//! **Viewer-count samples.** Some sources only report a room's viewer count
//! (`viewer_count`, the connectors' `roomUser`), and the connectors report joins
//! but never leaves. When a session has `viewer_count` samples and no
//! `viewer_leave` event, the concurrency curve is the samples' step function
//! instead (the latest sample at or before `t`; of samples at the same
//! millisecond, the largest): `concurrent_viewers`, peak, `per_minute` and the
//! total watched time (the area under the curve, hence `acu` and the averages)
//! come from it; `unique_viewers` and `views` still count joins, and `after_join`
//! is empty (there is no per-viewer leave to measure).
//!
//! **Counters and the window.** Counters, orders and pins count every applied
//! event whatever its time; the window bounds only time-based figures (watching,
//! the curve, retention).

pub mod aggregator;
pub mod connector;
pub mod event;
pub mod metrics;
pub mod provenance;
mod viewers;
pub mod window;

pub use aggregator::{Applied, OrderRef, SessionAggregator, Window};
pub use connector::{
    Mapped, connector_event_ts, connector_msg_id, map_connector_event, map_connector_event_at,
};
pub use event::{EventBody, LiveEvent, check_limits, format_ts, parse_event, parse_ts, to_json};
pub use metrics::{
    AfterJoin, BySource, FiguresSource, FlashSaleSales, KeyFigures, Metrics, MinuteViewers,
    ProductSales, Retention, TikTokShopMetrics, Timeline,
};
pub use provenance::{Provenance, SessionTally, Source};
pub use window::LiveWindow;

use std::hash::{BuildHasherDefault, Hasher};

/// Hashes an identifier (a viewer, order or message id) to 64 bits, under a tag
/// that keeps the kinds of id apart.
///
/// SipHash with fixed keys (`DefaultHasher::new()`), so equal ids always hash
/// alike within a build; hashes are never stored, only rebuilt by replay. With
/// a million ids the chance of any collision is about 3 in 100 million.
pub(crate) fn id_hash(tag: u8, id: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write_u8(tag);
    h.write(id.as_bytes());
    h.finish()
}

/// A hasher for keys that already are [`id_hash`] values: passes them through.
#[derive(Default)]
pub(crate) struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Build-hasher for maps and sets keyed by [`id_hash`] values.
pub(crate) type PreHashedBuild = BuildHasherDefault<PreHashed>;
