//! What [`generate`](super::generate) returns: the events, the flash sales with
//! their order attempts, and what they add up to.

use livehire_domain::live::{EventBody, LiveEvent};
use livehire_domain::money::Currency;

/// One order attempt in a flash sale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlashAttempt {
    /// When, ms from the session's start.
    pub ts_ms: i64,
    /// The buyer (a viewer id).
    pub buyer_id: String,
    /// Units asked for.
    pub quantity: u64,
    /// What the server answers when the sale's attempts are placed one after
    /// another in time order.
    pub outcome: AttemptOutcome,
}

/// The server's answer to a flash-sale order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttemptOutcome {
    /// 201: the order is taken.
    Accepted,
    /// 409 `sold_out`: not enough stock left for the quantity.
    SoldOut,
    /// 409 `limit_exceeded`: over the per-buyer limit.
    LimitExceeded,
}

/// A flash sale to start through the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlashSalePlan {
    /// When it starts, ms from the session's start.
    pub at_ms: i64,
    /// Countdown length, ms.
    pub duration_ms: i64,
    /// The product on sale.
    pub product_id: String,
    /// Sale price per unit, minor units.
    pub price_minor: i64,
    /// Units on offer.
    pub stock: u64,
    /// Most units one buyer may take.
    pub per_buyer_limit: u64,
    /// Order attempts, in time order.
    pub attempts: Vec<FlashAttempt>,
}

/// A generated session: events in time order and flash sales.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimSession {
    /// The profile's name.
    pub profile: &'static str,
    /// The seed.
    pub seed: u64,
    /// The session's currency.
    pub currency: Currency,
    /// Session length, ms.
    pub duration_ms: i64,
    /// Every event but the flash-sale orders, sorted by time; `ts_ms` is the
    /// offset from the session's start.
    pub events: Vec<LiveEvent>,
    /// Flash sales, by start time.
    pub flash_sales: Vec<FlashSalePlan>,
}

/// What a generated session adds up to, flash-sale orders included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Planned {
    /// Distinct viewers.
    pub unique_viewers: u64,
    /// Orders (regular and accepted flash-sale orders).
    pub orders: u64,
    /// Units ordered.
    pub units: u64,
    /// GMV in minor units.
    pub gmv_minor: i64,
    /// Distinct buyers.
    pub buyers: u64,
    /// Events sent through the events endpoint.
    pub events: u64,
    /// Flash-sale order attempts.
    pub flash_attempts: u64,
    /// … accepted.
    pub flash_accepted: u64,
    /// … refused as sold out.
    pub flash_sold_out: u64,
    /// … refused over the per-buyer limit.
    pub flash_limit_exceeded: u64,
}

impl SimSession {
    /// The session's totals, as the server should count them.
    pub fn planned(&self) -> Planned {
        let mut p = Planned {
            events: self.events.len() as u64,
            ..Planned::default()
        };
        let mut viewers = std::collections::HashSet::new();
        let mut buyers = std::collections::HashSet::new();
        for e in &self.events {
            match &e.body {
                EventBody::ViewerJoin { viewer_id } => {
                    viewers.insert(viewer_id.as_str());
                }
                EventBody::Order {
                    viewer_id,
                    quantity,
                    amount_minor,
                    ..
                } => {
                    p.orders += 1;
                    p.units += quantity;
                    p.gmv_minor += amount_minor;
                    buyers.insert(viewer_id.as_str());
                }
                _ => {}
            }
        }
        for sale in &self.flash_sales {
            for a in &sale.attempts {
                p.flash_attempts += 1;
                match a.outcome {
                    AttemptOutcome::Accepted => {
                        p.flash_accepted += 1;
                        p.orders += 1;
                        p.units += a.quantity;
                        p.gmv_minor += sale.price_minor * a.quantity as i64;
                        buyers.insert(a.buyer_id.as_str());
                    }
                    AttemptOutcome::SoldOut => p.flash_sold_out += 1,
                    AttemptOutcome::LimitExceeded => p.flash_limit_exceeded += 1,
                }
            }
        }
        p.unique_viewers = viewers.len() as u64;
        p.buyers = buyers.len() as u64;
        p
    }

    /// The accepted flash-sale order `attempt` of sale `sale` as an `order`
    /// event (for a recording, or where orders cannot go through the flash-sale
    /// endpoint), under the given ids.
    pub fn flash_order_event(
        &self,
        sale: usize,
        attempt: usize,
        order_id: &str,
        flash_sale_id: Option<&str>,
    ) -> LiveEvent {
        let s = &self.flash_sales[sale];
        let a = &s.attempts[attempt];
        LiveEvent {
            ts_ms: a.ts_ms,
            body: EventBody::Order {
                order_id: order_id.to_string(),
                viewer_id: a.buyer_id.clone(),
                product_id: s.product_id.clone(),
                quantity: a.quantity,
                amount_minor: s.price_minor * a.quantity as i64,
                currency: self.currency.code().to_string(),
                flash_sale_id: flash_sale_id.map(str::to_string),
            },
        }
    }
}
