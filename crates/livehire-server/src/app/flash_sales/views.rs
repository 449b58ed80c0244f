//! What the flash-sale operations answer: a sale's state (also what the
//! stream and the overlay show), the sale, an accepted order, a page of
//! orders.

use livehire_domain::ids::{FlashSaleId, OrderId, SessionId};
use livehire_domain::money;
use livehire_store::FlashOrderRecord;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{Page, timestamp};
use crate::live::FlashSaleLive;

/// Where a flash sale's countdown stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlashSaleStatus {
    /// Counting down, with stock left.
    Active,
    /// No stock left.
    SoldOut,
    /// The countdown is over (or its session ended).
    Ended,
}

impl FlashSaleStatus {
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FlashSaleStatus::Active => "active",
            FlashSaleStatus::SoldOut => "sold_out",
            FlashSaleStatus::Ended => "ended",
        }
    }
}

/// A flash sale's public state at one moment: what the stream's
/// `flash_sale` and `sold_out` items, the overlay and the session's metrics
/// (`flash_sale_status`) show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FlashSaleState {
    /// `ph_fs_…`.
    pub id: String,
    /// The session it runs in.
    #[schema(value_type = String)]
    pub session_id: SessionId,
    /// The product on sale.
    pub product_id: String,
    /// Units on offer.
    pub stock: i64,
    /// Units sold (orders being stored included).
    pub sold: i64,
    /// Units left.
    pub remaining: i64,
    /// Whole seconds until the countdown ends, rounded up; 0 once over.
    pub seconds_left: i64,
    /// When the countdown ends (RFC 3339): brought forward when the session
    /// ends first.
    pub ends_at: String,
    /// `active`, `sold_out` or `ended`.
    pub status: FlashSaleStatus,
}

impl FlashSaleState {
    /// A sale's state at `now_ms` (epoch ms).
    pub fn of(sale: &FlashSaleLive, now_ms: i64) -> Self {
        let sold = sale.sold();
        let remaining = sale.rec.stock - sold;
        let ends_ms = sale.ends_ms();
        let status = if remaining == 0 {
            FlashSaleStatus::SoldOut
        } else if now_ms >= ends_ms {
            FlashSaleStatus::Ended
        } else {
            FlashSaleStatus::Active
        };
        FlashSaleState {
            id: sale.rec.id.clone(),
            session_id: sale.rec.session_id.clone().into(),
            product_id: sale.rec.product_id.clone(),
            stock: sale.rec.stock,
            sold,
            remaining,
            seconds_left: ((ends_ms - now_ms).max(0) + 999) / 1000,
            ends_at: chrono::DateTime::from_timestamp_millis(ends_ms)
                .map_or_else(|| sale.rec.ends_at.clone(), timestamp),
            status,
        }
    }
}

/// A flash sale as served: its state, its price and its overlay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FlashSaleView {
    /// Stock and countdown now.
    #[serde(flatten)]
    pub state: FlashSaleState,
    /// Sale price per unit, in `currency`.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub price: Decimal,
    /// The task's currency (ISO 4217).
    pub currency: String,
    /// Most units one buyer may order; null for no limit.
    pub per_buyer_limit: Option<i64>,
    /// When the countdown started (RFC 3339).
    pub starts_at: String,
    /// The stream overlay for OBS or TikTok LIVE Studio (its read-only token
    /// included).
    pub overlay_url: String,
}

impl FlashSaleView {
    /// A sale as served at `now_ms` (epoch ms).
    pub fn of(sale: &FlashSaleLive, now_ms: i64) -> Self {
        FlashSaleView {
            state: FlashSaleState::of(sale, now_ms),
            price: amount(sale.rec.price_minor, &sale.rec.currency),
            currency: sale.rec.currency.clone(),
            per_buyer_limit: sale.rec.per_buyer_limit,
            starts_at: sale.rec.starts_at.clone(),
            overlay_url: crate::obs::public_link(&format!(
                "/overlay/flash-sales/{}?token={}",
                sale.rec.id, sale.rec.overlay_token
            )),
        }
    }
}

/// An accepted flash-sale order (`201` of `POST /flash-sales/{id}/orders`),
/// durable. Typed rather than built as a JSON value: this answer is on the
/// hottest path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrderAck {
    /// `ph_ord_…`.
    #[schema(value_type = String)]
    pub order_id: OrderId,
    /// The sale.
    #[schema(value_type = String)]
    pub flash_sale_id: FlashSaleId,
    /// The brand's id for the buyer.
    pub buyer_id: String,
    /// The product on sale.
    pub product_id: String,
    /// Units.
    pub quantity: i64,
    /// The sale price per unit.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub unit_price: Decimal,
    /// `unit_price × quantity`.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
    /// The task's currency (ISO 4217).
    pub currency: String,
    /// Units left in the sale after this order.
    pub remaining: i64,
    /// When it was placed (RFC 3339).
    pub created_at: String,
}

/// An accepted order in a sale's order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrderView {
    /// `ph_ord_…`.
    #[schema(value_type = String)]
    pub order_id: OrderId,
    /// The brand's id for the buyer.
    pub buyer_id: String,
    /// Units.
    pub quantity: i64,
    /// Price × quantity, in the sale's currency.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
    /// When it was placed (RFC 3339).
    pub created_at: String,
}

impl OrderView {
    /// A stored order of a sale in `currency`.
    pub fn of(o: &FlashOrderRecord, currency: &str) -> Self {
        OrderView {
            order_id: o.order_id.clone().into(),
            buyer_id: o.buyer_id.clone(),
            quantity: o.quantity,
            amount: amount(o.amount_minor, currency),
            created_at: o.created_at.clone(),
        }
    }
}

/// A page of a flash sale's accepted orders, oldest first:
/// `{flash_sale_id, data, next_cursor}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlashSaleOrders {
    /// The sale.
    #[schema(value_type = String)]
    pub flash_sale_id: FlashSaleId,
    /// The orders and the cursor of the next page.
    #[serde(flatten)]
    pub page: Page<OrderView>,
}

/// Minor units of `currency` as an amount (the units themselves for a
/// currency this build does not know).
pub(crate) fn amount(minor: i64, currency: &str) -> Decimal {
    match money::Currency::parse(currency) {
        Ok(c) => money::from_minor(minor, c),
        Err(_) => Decimal::from(minor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sale_is_its_state_then_its_price_and_overlay_and_amounts_are_numbers() {
        let view = FlashSaleView {
            state: FlashSaleState {
                id: "ph_fs_a".into(),
                session_id: "ph_sess_a".into(),
                product_id: "prod_001".into(),
                stock: 5,
                sold: 2,
                remaining: 3,
                seconds_left: 42,
                ends_at: "2036-03-15T19:30:00.000Z".into(),
                status: FlashSaleStatus::Active,
            },
            price: amount(9900, "CNY"),
            currency: "CNY".into(),
            per_buyer_limit: None,
            starts_at: "2036-03-15T19:29:00.000Z".into(),
            overlay_url: "/overlay/flash-sales/ph_fs_a?token=t".into(),
        };
        assert_eq!(
            serde_json::to_string(&view).unwrap(),
            "{\"id\":\"ph_fs_a\",\"session_id\":\"ph_sess_a\",\"product_id\":\"prod_001\",\
             \"stock\":5,\"sold\":2,\"remaining\":3,\"seconds_left\":42,\
             \"ends_at\":\"2036-03-15T19:30:00.000Z\",\"status\":\"active\",\"price\":99.00,\
             \"currency\":\"CNY\",\"per_buyer_limit\":null,\"starts_at\":\"2036-03-15T19:29:00.000Z\",\
             \"overlay_url\":\"/overlay/flash-sales/ph_fs_a?token=t\"}"
        );
        for s in [
            FlashSaleStatus::Active,
            FlashSaleStatus::SoldOut,
            FlashSaleStatus::Ended,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(amount(1500, "XXX").to_string(), "1500");
    }
}
