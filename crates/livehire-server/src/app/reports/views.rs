//! The JSON reports: one session's ([`SessionReport`]) and a task's sessions
//! side by side ([`SeriesReport`]). The HTML pages and the charts are drawn
//! from these same values.

use livehire_domain::live::Metrics;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::SessionView;

/// The task a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TaskRef {
    /// `ph_task_…`.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// The stretch of time a session report covers: the session's start (or
/// first event) to its end (or now while live); all null before any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReportWindow {
    /// RFC 3339.
    pub start: Option<String>,
    /// RFC 3339.
    pub end: Option<String>,
    /// Its length in minutes, 2 decimals.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    #[schema(value_type = Option<f64>)]
    pub minutes: Option<Decimal>,
}

/// One minute of the report's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TimelinePoint {
    /// Minutes from the window's start.
    pub minute: u64,
    /// The minute's start (RFC 3339).
    pub at: String,
    /// The most viewers watching at once in that minute.
    pub concurrent_viewers: u64,
    /// GMV up to the minute's end (the last equals `metrics.gmv`).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub cumulative_gmv: Decimal,
}

/// Concurrent viewers and cumulative GMV per bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReportTimeline {
    /// The bucket width (60, widened for very long windows).
    pub bucket_seconds: u32,
    /// One point per bucket, in time order.
    pub points: Vec<TimelinePoint>,
}

/// A flash sale in a session report: its window and what it sold.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FlashSaleWindow {
    /// `ph_fs_…`.
    pub id: String,
    /// The product on sale.
    pub product_id: String,
    /// Sale price per unit.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub price: Decimal,
    /// Units on offer.
    pub stock: i64,
    /// When the countdown started (RFC 3339).
    pub starts_at: String,
    /// When it ended or ends (RFC 3339).
    pub ends_at: String,
    /// `starts_at` in minutes from the window's start (null without a window).
    pub start_minute: Option<f64>,
    /// `ends_at` in minutes from the window's start (null without a window).
    pub end_minute: Option<f64>,
    /// Units sold in non-refunded orders.
    pub sold: u64,
    /// Non-refunded orders.
    pub orders: u64,
    /// Their GMV.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gmv: Decimal,
}

/// How livehire computes each of TikTok Shop Seller Center's LIVE analytics
/// fields (the table in the `livehire_domain::live` module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct TikTokShopFormulas {
    /// Average concurrent viewers.
    pub acu: &'static str,
    /// Peak concurrent viewers.
    pub pcu: &'static str,
    /// Viewers.
    pub viewers: &'static str,
    /// Views.
    pub views: &'static str,
    /// Average viewing duration.
    pub avg_viewing_duration: &'static str,
    /// GMV.
    pub gmv: &'static str,
    /// Items sold.
    pub items_sold: &'static str,
    /// Customers.
    pub customers: &'static str,
    /// SKU orders.
    pub sku_orders: &'static str,
    /// Watch GPM.
    pub watch_gpm: &'static str,
}

impl TikTokShopFormulas {
    /// The formula of the TikTok Shop field `name`.
    pub fn get(&self, name: &str) -> Option<&'static str> {
        Some(match name {
            "acu" => self.acu,
            "pcu" => self.pcu,
            "viewers" => self.viewers,
            "views" => self.views,
            "avg_viewing_duration" => self.avg_viewing_duration,
            "gmv" => self.gmv,
            "items_sold" => self.items_sold,
            "customers" => self.customers,
            "sku_orders" => self.sku_orders,
            "watch_gpm" => self.watch_gpm,
            _ => return None,
        })
    }
}

/// The session report (`GET /api/v1/sessions/{id}/report`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SessionReport {
    /// The session.
    pub session: SessionView,
    /// Its task.
    pub task: TaskRef,
    /// The task's currency (ISO 4217).
    pub currency: String,
    /// The stretch of time reported.
    pub window: ReportWindow,
    /// The metrics, as `GET …/metrics` names them (TikTok Shop's in
    /// `tiktok_shop`).
    pub metrics: Metrics,
    /// Per minute: concurrent viewers and cumulative GMV.
    pub timeline: ReportTimeline,
    /// The session's flash sales with their windows.
    pub flash_sales: Vec<FlashSaleWindow>,
    /// How each TikTok Shop field is computed.
    pub formulas: TikTokShopFormulas,
    /// When the report was made (RFC 3339).
    pub generated_at: String,
}

/// One session of a series report. The figures are null for a session not
/// monitored here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SeriesRow {
    /// `ph_sess_…`.
    pub session_id: String,
    /// Its place in the task, from 0.
    pub position: i64,
    /// The series week (position + 1 when the task names none).
    pub week: i64,
    /// The theme of a series entry.
    pub theme: Option<String>,
    /// When it is planned to start (RFC 3339).
    pub scheduled_time: Option<String>,
    /// `scheduled`, `live` or `ended`.
    pub status: livehire_store::SessionStatus,
    /// When it went live (RFC 3339).
    pub started_at: Option<String>,
    /// When it ended (RFC 3339).
    pub ended_at: Option<String>,
    /// Whether anything of it was monitored here.
    pub monitored: bool,
    /// Distinct viewers who watched.
    pub unique_viewers: Option<u64>,
    /// The most viewers watching at once.
    pub peak_concurrent_viewers: Option<u64>,
    /// GMV.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    #[schema(value_type = Option<f64>)]
    pub gmv: Option<Decimal>,
    /// Non-refunded orders.
    pub orders: Option<u64>,
    /// Buyers ÷ unique viewers, 4 decimals.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    #[schema(value_type = Option<f64>)]
    pub conversion_rate: Option<Decimal>,
    /// Total watched seconds ÷ unique viewers, 1 decimal.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    #[schema(value_type = Option<f64>)]
    pub avg_watch_time_seconds: Option<Decimal>,
}

/// Growth from the first monitored session to the last, in %; all null with
/// fewer than two monitored sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SeriesGrowth {
    /// The first monitored session.
    pub from_session_id: Option<String>,
    /// The last monitored session.
    pub to_session_id: Option<String>,
    /// The first one's week.
    pub from_week: Option<i64>,
    /// The last one's week.
    pub to_week: Option<i64>,
    /// Unique viewers, 1 decimal; null when the first had none.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    #[schema(value_type = Option<f64>)]
    pub unique_viewers_pct: Option<Decimal>,
    /// GMV, 1 decimal; null when the first had none.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    #[schema(value_type = Option<f64>)]
    pub gmv_pct: Option<Decimal>,
}

/// How a series report's derived figures are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct SeriesFormulas {
    /// `growth`.
    pub growth: &'static str,
}

/// The series report (`GET /api/v1/tasks/{id}/report`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SeriesReport {
    /// The task.
    pub task: TaskRef,
    /// Its currency (ISO 4217).
    pub currency: String,
    /// Its sessions, in order.
    pub sessions: Vec<SeriesRow>,
    /// From the first monitored session to the last.
    pub growth: SeriesGrowth,
    /// How `growth` is computed.
    pub formulas: SeriesFormulas,
    /// When the report was made (RFC 3339).
    pub generated_at: String,
}
