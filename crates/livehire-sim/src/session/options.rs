//! What a session is generated from besides its profile: length, seed,
//! currency and the task's products.

use rust_decimal::Decimal;
use serde_json::Value;

use livehire_domain::money::{self, Currency};

/// A product as the caller knows it (from the task): its id, name and price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimProduct {
    /// The task's product id.
    pub product_id: String,
    /// Its name, if known.
    pub name: Option<String>,
    /// Its live price in minor units of the session's currency, if known.
    pub price_minor: Option<i64>,
}

/// The products of a task (`GET /api/v1/tasks/{id}`), with their live prices:
/// `live_discount_price`, else `retail_price` less `launch_discount`, else
/// `retail_price`. Ids default to `prod_001`, `prod_002`, … as the server
/// numbers them. Empty when the task lists no products.
pub fn products_from_task(task: &Value, currency: Currency) -> Vec<SimProduct> {
    let Some(list) = task
        .pointer("/live_session_details/products")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let amount = |v: Option<&Value>| v.and_then(|v| money::parse_amount(v).ok());
    list.iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let obj = p.as_object()?;
            let product_id = obj
                .get("product_id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("prod_{:03}", i + 1), str::to_string);
            let discount = obj
                .get("launch_discount")
                .and_then(Value::as_str)
                .and_then(|s| s.trim().strip_suffix('%'))
                .and_then(|n| n.trim().parse::<Decimal>().ok());
            let price = match (
                amount(obj.get("live_discount_price")),
                amount(obj.get("retail_price")),
            ) {
                (Some(live), _) => Some(live),
                (None, Some(retail)) => Some(match discount {
                    Some(d) => retail * (Decimal::ONE_HUNDRED - d) / Decimal::ONE_HUNDRED,
                    None => retail,
                }),
                (None, None) => None,
            };
            let price_minor = price
                .map(|p| money::round(p, currency))
                .and_then(|p| money::to_minor(p, currency).ok())
                .filter(|m| *m > 0);
            Some(SimProduct {
                product_id,
                name: obj.get("name").and_then(Value::as_str).map(str::to_string),
                price_minor,
            })
        })
        .collect()
}

/// How to generate a session.
#[derive(Clone, Debug)]
pub struct Options {
    /// Session length in minutes (≥ 1).
    pub minutes: u32,
    /// The random seed.
    pub seed: u64,
    /// The session's currency; the profile's CNY figures are converted at the
    /// demo rates ([`crate::hosts::cny_rate`]; 1:1 for other currencies).
    pub currency: Currency,
    /// The task's products; empty: the profile's. A product without a price
    /// takes the profile's price at the same position.
    pub products: Vec<SimProduct>,
}
