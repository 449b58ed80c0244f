//! What the planner plans from: the task's products as it sees them, and
//! the context of each session (its place in the series, the next one).

use rust_decimal::Decimal;

use super::{DEFAULT_FLASH_SALE_MINUTES, MAX_FLASH_SALE_MINUTES};
use crate::matching::thousands;
use crate::money::{self, Currency};
use crate::task::{Product, SessionPlan};

/// A product as the planner sees it.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) flash_minutes: u32,
    pub(super) price: Option<String>,
    pub(super) stock: Option<u64>,
    pub(super) placeholder: bool,
    /// Whether the task gives it a live price below its usual one, so that it
    /// may be sold in a flash sale.
    pub(super) discounted: bool,
}

impl Item {
    pub(super) fn from_product(p: &Product, currency: Currency) -> Item {
        let code = currency.code();
        let launch_discount = p.launch_discount.filter(|d| *d > Decimal::ZERO);
        // The live price: `live_discount_price`, else retail less `launch_discount`.
        let live = p.live_discount_price.or_else(|| {
            let off = launch_discount?;
            let retail = p.retail_price?;
            Some(money::round(
                retail * (Decimal::ONE_HUNDRED - off) / Decimal::ONE_HUNDRED,
                currency,
            ))
        });
        let discounted = match (live, p.retail_price) {
            (Some(live), Some(retail)) => live < retail,
            (Some(_), None) => false,
            (None, _) => launch_discount.is_some(),
        };
        let price = match (live, p.retail_price) {
            (Some(live), Some(retail)) if live < retail => Some(format!(
                "{} {code} live (retail {})",
                thousands(live),
                thousands(retail)
            )),
            (Some(price), _) | (None, Some(price)) => Some(format!("{} {code}", thousands(price))),
            (None, None) => launch_discount.map(|off| format!("{}% off", thousands(off))),
        };
        Item {
            id: p.product_id.clone(),
            name: p.name.clone().unwrap_or_else(|| p.product_id.clone()),
            flash_minutes: flash_minutes(p.flash_sale_duration_minutes),
            price,
            stock: p.stock_quantity,
            placeholder: false,
            discounted,
        }
    }

    pub(super) fn placeholder(n: u32) -> Item {
        Item {
            id: format!("product_{n}"),
            name: format!("Product {n}"),
            flash_minutes: DEFAULT_FLASH_SALE_MINUTES,
            price: None,
            stock: None,
            placeholder: true,
            discounted: false,
        }
    }
}

pub(super) fn flash_minutes(m: Option<u32>) -> u32 {
    m.unwrap_or(DEFAULT_FLASH_SALE_MINUTES)
        .clamp(1, MAX_FLASH_SALE_MINUTES)
}

pub(super) struct SessionContext<'a> {
    pub(super) index: usize,
    pub(super) count: usize,
    pub(super) session: &'a SessionPlan,
    pub(super) next: Option<&'a SessionPlan>,
    pub(super) time_zone: Option<chrono_tz::Tz>,
}
