//! The metrics snapshot of a live session and its timeline for charts.
//!
//! Formulas are in the [module docs of `live`](super). Amounts and ratios are
//! [`Decimal`]s written as JSON numbers (`"gmv": 247000.00`).

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

/// A live session's metrics over a window (`GET /sessions/{id}/metrics`, the SSE
/// stream, the report).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Metrics {
    /// Viewers watching at the window's end ("now" while live).
    pub concurrent_viewers: u64,
    /// The most viewers watching at once.
    pub peak_concurrent_viewers: u64,
    /// When the peak was first reached (RFC 3339), `null` when there was none.
    pub peak_at: Option<String>,
    /// Distinct viewers who watched.
    pub unique_viewers: u64,
    /// Total watched seconds ÷ unique viewers, 1 decimal.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub avg_watch_time_seconds: Decimal,
    /// Concurrent viewers per minute and the after-join retention curve.
    pub retention: Retention,
    /// Chat messages.
    pub chat_messages: u64,
    /// Questions asked.
    pub questions: u64,
    /// Questions answered (at most `questions`).
    pub questions_answered: u64,
    /// Likes.
    pub likes: u64,
    /// Shares.
    pub shares: u64,
    /// Follows.
    pub follows: u64,
    /// Sum of gift values (platform gift units, e.g. TikTok diamonds).
    pub gifts_value: u64,
    /// Non-refunded orders.
    pub orders: u64,
    /// Units in non-refunded orders.
    pub units: u64,
    /// GMV: the amounts of non-refunded orders, in the session's currency.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gmv: Decimal,
    /// Distinct buyers with a non-refunded order.
    pub buyers: u64,
    /// Orders refunded.
    pub refunds: u64,
    /// Buyers ÷ unique viewers, 4 decimals.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub conversion_rate: Decimal,
    /// GMV per 1,000 unique viewers, 2 decimals.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gpm: Decimal,
    /// Sales per product, by GMV descending then id.
    pub products: Vec<ProductSales>,
    /// Sales per flash sale, by id.
    pub flash_sales: Vec<FlashSaleSales>,
    /// The product pinned last.
    pub pinned_product: Option<String>,
    /// The same figures under TikTok Shop Seller Center's names.
    pub tiktok_shop: TikTokShopMetrics,
    /// Which kinds of source the figures above come from.
    #[serde(default)]
    pub figures_source: FiguresSource,
    /// The key figures of each kind of source, side by side: `verified` (what
    /// the host does not control; what the payout reads) and `host_reported`.
    #[serde(default)]
    pub sources: BySource,
}

/// Which kinds of source a session's figures come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FiguresSource {
    /// No event yet.
    #[default]
    None,
    /// Only sources the host does not control.
    Verified,
    /// Only the host's own posts.
    HostReported,
    /// Both.
    Mixed,
}

impl FiguresSource {
    /// The snake_case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FiguresSource::None => "none",
            FiguresSource::Verified => "verified",
            FiguresSource::HostReported => "host_reported",
            FiguresSource::Mixed => "mixed",
        }
    }
}

/// Key figures per kind of source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BySource {
    /// From sources the host does not control.
    pub verified: KeyFigures,
    /// Posted by the host.
    pub host_reported: KeyFigures,
}

/// The figures a payout or a comparison reads, of one kind of source (the
/// same formulas as [`Metrics`], over that source's events alone).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeyFigures {
    /// Distinct viewers (buyers included).
    pub unique_viewers: u64,
    /// The most viewers watching at once.
    pub peak_concurrent_viewers: u64,
    /// Total watched seconds ÷ unique viewers.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub avg_watch_time_seconds: Decimal,
    /// Chat messages.
    pub chat_messages: u64,
    /// Questions asked.
    pub questions: u64,
    /// Questions answered.
    pub questions_answered: u64,
    /// Non-refunded orders.
    pub orders: u64,
    /// Units in them.
    pub units: u64,
    /// Their amounts.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gmv: Decimal,
    /// Distinct buyers.
    pub buyers: u64,
    /// Orders refunded.
    pub refunds: u64,
    /// Buyers ÷ unique viewers.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub conversion_rate: Decimal,
}

impl KeyFigures {
    /// The key figures of a metrics snapshot.
    pub fn of(m: &Metrics) -> Self {
        KeyFigures {
            unique_viewers: m.unique_viewers,
            peak_concurrent_viewers: m.peak_concurrent_viewers,
            avg_watch_time_seconds: m.avg_watch_time_seconds,
            chat_messages: m.chat_messages,
            questions: m.questions,
            questions_answered: m.questions_answered,
            orders: m.orders,
            units: m.units,
            gmv: m.gmv,
            buyers: m.buyers,
            refunds: m.refunds,
            conversion_rate: m.conversion_rate,
        }
    }
}

/// Retention: how the audience held over the session and after joining.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Retention {
    /// Concurrent viewers at the start of each minute from the window's start.
    pub per_minute: Vec<MinuteViewers>,
    /// Share of viewers still watching `minutes` after their first join.
    pub after_join: Vec<AfterJoin>,
}

/// Concurrent viewers at the start of one minute of the session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MinuteViewers {
    /// Minutes since the window's start.
    pub minute: u32,
    /// Viewers watching at that moment.
    pub viewers: u64,
}

/// One point of the after-join retention curve.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AfterJoin {
    /// Minutes after the viewer's first join.
    pub minutes: u32,
    /// Share of viewers watching then, 0–1, 4 decimals.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub share: Decimal,
}

/// Sales of one product.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProductSales {
    /// The product.
    pub product_id: String,
    /// Non-refunded orders.
    pub orders: u64,
    /// Units.
    pub units: u64,
    /// GMV.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gmv: Decimal,
}

/// Sales of one flash sale.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FlashSaleSales {
    /// The flash sale.
    pub flash_sale_id: String,
    /// Non-refunded orders.
    pub orders: u64,
    /// Units.
    pub units: u64,
    /// GMV.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gmv: Decimal,
}

/// Metrics under TikTok Shop Seller Center's LIVE analytics names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TikTokShopMetrics {
    /// Average concurrent users: total watched seconds ÷ session seconds, 1 decimal.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub acu: Decimal,
    /// Peak concurrent users.
    pub pcu: u64,
    /// Unique viewers.
    pub viewers: u64,
    /// Views: joins that started watching, re-joins included.
    pub views: u64,
    /// Total watched seconds ÷ views, 1 decimal.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub avg_viewing_duration: Decimal,
    /// GMV.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gmv: Decimal,
    /// Units sold.
    pub items_sold: u64,
    /// Buyers.
    pub customers: u64,
    /// Orders.
    pub sku_orders: u64,
    /// GMV per 1,000 views, 2 decimals.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub watch_gpm: Decimal,
}

/// Time series for the report's charts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Timeline {
    /// The bucket width actually used (the one asked for, widened if it would
    /// make more than [`MAX_BUCKETS`] buckets).
    pub bucket_seconds: u32,
    /// Per bucket: its start (epoch ms) and the most viewers watching at once in it.
    pub concurrent: Vec<(i64, u64)>,
    /// Per bucket: its start (epoch ms) and the cumulative GMV at its end (orders
    /// before the window count in the first bucket, after it in the last, so the
    /// last value equals [`Metrics::gmv`]).
    #[serde(serialize_with = "serialize_gmv_points")]
    pub gmv: Vec<(i64, Decimal)>,
}

/// The most buckets a [`Timeline`] has.
pub const MAX_BUCKETS: i64 = 100_000;

fn serialize_gmv_points<S: Serializer>(points: &[(i64, Decimal)], s: S) -> Result<S::Ok, S::Error> {
    struct Num<'a>(&'a Decimal);
    impl Serialize for Num<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            rust_decimal::serde::arbitrary_precision::serialize(self.0, s)
        }
    }
    s.collect_seq(points.iter().map(|(t, d)| (t, Num(d))))
}

/// `num ÷ den` rounded half-even to `dp` places and shown with exactly `dp`
/// places; 0 when `den` is 0.
pub(crate) fn ratio(num: Decimal, den: Decimal, dp: u32) -> Decimal {
    let mut r = if den.is_zero() {
        Decimal::ZERO
    } else {
        num.checked_div(den).unwrap_or(Decimal::ZERO)
    };
    r = r.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven);
    r.rescale(dp);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn ratio_rounds_half_even_and_fixes_the_scale() {
        assert_eq!(ratio(dec!(1247), dec!(12500), 4).to_string(), "0.0998");
        assert_eq!(ratio(dec!(1), dec!(8), 2).to_string(), "0.12");
        assert_eq!(ratio(dec!(125), dec!(1250), 4).to_string(), "0.1000");
        assert_eq!(ratio(dec!(5), dec!(0), 1).to_string(), "0.0");
    }

    #[test]
    fn figures_source_names_are_its_wire_names() {
        for f in [
            FiguresSource::None,
            FiguresSource::Verified,
            FiguresSource::HostReported,
            FiguresSource::Mixed,
        ] {
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
    }

    #[test]
    fn metrics_serialise_amounts_as_json_numbers() {
        let m = Metrics {
            gmv: dec!(247000.00),
            conversion_rate: dec!(0.0998),
            ..Metrics::default()
        };
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains("\"gmv\":247000.00"), "{text}");
        assert!(text.contains("\"conversion_rate\":0.0998"), "{text}");
        assert!(text.contains("\"peak_at\":null"), "{text}");
        let back: Metrics = serde_json::from_str(&text).unwrap();
        assert_eq!(back, m);
        let t = Timeline {
            bucket_seconds: 60,
            concurrent: vec![(0, 3)],
            gmv: vec![(0, dec!(19.90))],
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"bucket_seconds":60,"concurrent":[[0,3]],"gmv":[[0,19.90]]}"#
        );
    }
}
