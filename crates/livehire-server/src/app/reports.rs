//! Post-session reports (SPEC §6): one session's report (JSON, SVG, HTML) and a
//! series report that puts a task's sessions side by side. The JSON shapes
//! are in [`views`]; the pages and charts are drawn from them.

mod views;

use livehire_domain::access::Action;
use livehire_domain::ids::{SessionId, TaskId};
use livehire_domain::live::{Metrics, Timeline, format_ts};
use livehire_store::{Caller, FlashSaleRecord, TaskRecord};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

use super::App;
use super::flash_sales::amount;
use crate::app::SessionView;
use crate::error::{ApiError, ApiResult};
use crate::reports::charts::{self, SaleMark, SessionCharts, TOP_PRODUCTS};
use crate::reports::html;

pub use views::{
    FlashSaleWindow, ReportTimeline, ReportWindow, SeriesFormulas, SeriesGrowth, SeriesReport,
    SeriesRow, SessionReport, TaskRef, TikTokShopFormulas, TimelinePoint,
};

/// The timeline's bucket: one minute.
const BUCKET_SECONDS: u32 = 60;

/// TikTok Shop Seller Center's LIVE analytics fields and how livehire computes
/// each (the table in the `livehire_domain::live` module docs).
pub const TIKTOK_SHOP_FORMULAS: TikTokShopFormulas = TikTokShopFormulas {
    acu: "average concurrent viewers: total watched seconds ÷ window seconds, 1 decimal",
    pcu: "peak concurrent viewers (= peak_concurrent_viewers)",
    viewers: "unique_viewers",
    views: "counted watch intervals: every join that started watching, re-joins included",
    avg_viewing_duration: "total watched seconds ÷ views, 1 decimal",
    gmv: "gmv: amounts of non-refunded orders",
    items_sold: "units: quantities of non-refunded orders",
    customers: "buyers: distinct viewers with a non-refunded order",
    sku_orders: "orders: non-refunded orders",
    watch_gpm: "gmv × 1000 ÷ views, 2 decimals",
};

/// How `growth` is computed.
const GROWTH_FORMULA: &str = "(last − first) ÷ first × 100, from the first monitored session \
    to the last, 1 decimal; null when the first is 0";

/// One session's figures and curves, computed under one aggregator lock.
struct SessionData {
    task: TaskRecord,
    view: SessionView,
    metrics: Metrics,
    timeline: Timeline,
    /// The resolved window (epoch ms), `None` before any event or start.
    window: Option<(i64, i64)>,
    sales: Vec<FlashSaleRecord>,
}

fn ms(t: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.timestamp_millis())
}

fn f64_of(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// `(to − from) ÷ from × 100`, 1 decimal (half-even); `None` when `from` is 0.
pub fn growth_pct(from: Decimal, to: Decimal) -> Option<Decimal> {
    if from.is_zero() {
        return None;
    }
    let mut g = ((to - from) * Decimal::ONE_HUNDRED)
        .checked_div(from)?
        .round_dp_with_strategy(1, RoundingStrategy::MidpointNearestEven);
    g.rescale(1);
    Some(g)
}

impl App {
    /// Metrics and the per-minute timeline of one session, over the same window.
    async fn session_data(&self, caller: &Caller, id: &SessionId) -> ApiResult<SessionData> {
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        let view = SessionView::of(&task, &s);
        let live = self.live_session(&task, &s).await?;
        let now_ms = self.now().timestamp_millis();
        let (metrics, timeline, window) = tokio::task::spawn_blocking(move || {
            let w = live.window(now_ms);
            let mut agg = live
                .aggregator
                .lock()
                .map_err(|_| anyhow::anyhow!("aggregator poisoned"))?;
            let range = agg.time_range();
            let start = w.start_ms.or(range.map(|r| r.0)).or(w.end_ms);
            let window = start.map(|st| {
                let end = w.end_ms.or(range.map(|r| r.1)).unwrap_or(st);
                (st, end.max(st))
            });
            Ok::<_, anyhow::Error>((agg.metrics(w), agg.timeline(w, BUCKET_SECONDS), window))
        })
        .await
        .map_err(anyhow::Error::from)??;
        let sales = self.store().session_flash_sales(id).await?;
        Ok(SessionData {
            task,
            view,
            metrics,
            timeline,
            window,
            sales,
        })
    }

    /// `GET /api/v1/sessions/{id}/report`: the session, its full metrics (the
    /// names of `…/metrics`, `tiktok_shop` included), the per-minute timeline
    /// of concurrent viewers and cumulative GMV, the flash sales with their
    /// windows, and the TikTok Shop formulas.
    pub async fn session_report(
        &self,
        caller: &Caller,
        id: &SessionId,
    ) -> ApiResult<SessionReport> {
        let d = self.session_data(caller, id).await?;
        Ok(session_report(&d, self.now_text()))
    }

    /// `GET /api/v1/sessions/{id}/report.svg`: the four report charts.
    pub async fn session_report_svg(&self, caller: &Caller, id: &SessionId) -> ApiResult<String> {
        let d = self.session_data(caller, id).await?;
        let report = session_report(&d, self.now_text());
        draw_session(&d, &report)
    }

    /// `GET /api/v1/sessions/{id}/report.html`: the report as one page.
    pub async fn session_report_html(&self, caller: &Caller, id: &SessionId) -> ApiResult<String> {
        let d = self.session_data(caller, id).await?;
        let report = session_report(&d, self.now_text());
        let svg = draw_session(&d, &report)?;
        Ok(html::session_page(&report, &svg))
    }

    /// `GET /api/v1/tasks/{id}/report`: the task's sessions side by side (one
    /// a week in a series), with growth from the first monitored session to
    /// the last. Sessions with nothing monitored here have null figures.
    pub async fn series_report(
        &self,
        caller: &Caller,
        task_id: &TaskId,
    ) -> ApiResult<SeriesReport> {
        let (task, _) = self.task_for(caller, task_id, Action::RunSession).await?;
        let now_ms = self.now().timestamp_millis();
        let mut rows = Vec::with_capacity(task.sessions.len());
        let mut figures: Vec<(usize, Metrics)> = Vec::new();
        for (i, s) in task.sessions.iter().enumerate() {
            let live = self.live_session(&task, s).await?;
            let m = tokio::task::spawn_blocking(move || {
                let w = live.window(now_ms);
                let mut agg = live
                    .aggregator
                    .lock()
                    .map_err(|_| anyhow::anyhow!("aggregator poisoned"))?;
                let monitored = w.start_ms.is_some() || agg.time_range().is_some();
                Ok::<_, anyhow::Error>(monitored.then(|| agg.metrics(w)))
            })
            .await
            .map_err(anyhow::Error::from)??;
            rows.push(SeriesRow {
                session_id: s.id.clone(),
                position: s.position,
                week: s.week.unwrap_or(s.position + 1),
                theme: s.theme.clone(),
                scheduled_time: s.scheduled_time.clone(),
                status: s.status,
                started_at: s.started_at.clone(),
                ended_at: s.ended_at.clone(),
                monitored: m.is_some(),
                unique_viewers: m.as_ref().map(|m| m.unique_viewers),
                peak_concurrent_viewers: m.as_ref().map(|m| m.peak_concurrent_viewers),
                gmv: m.as_ref().map(|m| m.gmv),
                orders: m.as_ref().map(|m| m.orders),
                conversion_rate: m.as_ref().map(|m| m.conversion_rate),
                avg_watch_time_seconds: m.as_ref().map(|m| m.avg_watch_time_seconds),
            });
            if let Some(m) = m {
                figures.push((i, m));
            }
        }
        let growth = match (figures.first(), figures.last()) {
            (Some((a, first)), Some((b, last))) if a != b => SeriesGrowth {
                from_session_id: Some(rows[*a].session_id.clone()),
                to_session_id: Some(rows[*b].session_id.clone()),
                from_week: Some(rows[*a].week),
                to_week: Some(rows[*b].week),
                unique_viewers_pct: growth_pct(
                    first.unique_viewers.into(),
                    last.unique_viewers.into(),
                ),
                gmv_pct: growth_pct(first.gmv, last.gmv),
            },
            _ => SeriesGrowth {
                from_session_id: None,
                to_session_id: None,
                from_week: None,
                to_week: None,
                unique_viewers_pct: None,
                gmv_pct: None,
            },
        };
        Ok(SeriesReport {
            task: TaskRef {
                id: task.id,
                title: task.title,
            },
            currency: task.currency,
            sessions: rows,
            growth,
            formulas: SeriesFormulas {
                growth: GROWTH_FORMULA,
            },
            generated_at: self.now_text(),
        })
    }

    /// `GET /api/v1/tasks/{id}/report.html`: the series table and a bar chart
    /// per figure.
    /// The payout a report shows beside a task's figures: what the approval
    /// paid once the task is approved; before, what the monitored figures of
    /// its sessions (`series`, this task's series report) would pay. `None`
    /// when the caller may see neither (only the agent and the assigned host
    /// may) or the terms cannot be priced.
    pub async fn report_payout(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        series: &SeriesReport,
    ) -> Option<livehire_domain::payout::Payout> {
        if let Ok(Some(paid)) = self.paid_payout(caller, task_id).await {
            return Some(paid.payout);
        }
        let rows = &series.sessions;
        let q = super::PayoutPreviewQuery {
            gmv: Some(rows.iter().filter_map(|r| r.gmv).sum()),
            orders: Some(rows.iter().filter_map(|r| r.orders).sum()),
            peak_viewers: rows.iter().filter_map(|r| r.peak_concurrent_viewers).max(),
            unique_viewers: Some(rows.iter().filter_map(|r| r.unique_viewers).sum()),
            session_gmv: Some(rows.iter().map(|r| r.gmv.unwrap_or_default()).collect()),
            session_unique_viewers: Some(
                rows.iter().map(|r| r.unique_viewers.unwrap_or(0)).collect(),
            ),
            session_peak_viewers: Some(
                rows.iter()
                    .map(|r| r.peak_concurrent_viewers.unwrap_or(0))
                    .collect(),
            ),
            sessions_completed: Some(
                rows.iter()
                    .filter(|r| r.status == super::SessionStatus::Ended)
                    .count() as u64,
            ),
            ..super::PayoutPreviewQuery::default()
        };
        self.payout_preview(caller, task_id, &q).await.ok()
    }

    pub async fn series_report_html(&self, caller: &Caller, task_id: &TaskId) -> ApiResult<String> {
        let report = self.series_report(caller, task_id).await?;
        let labels: Vec<String> = report
            .sessions
            .iter()
            .map(|s| format!("Week {}", s.week))
            .collect();
        let mut charts = Vec::new();
        for figure in html::SeriesFigure::ALL {
            let values: Vec<Option<f64>> = report
                .sessions
                .iter()
                .map(|s| figure.value(s).map(html::number))
                .collect();
            let svg = if figure == html::SeriesFigure::ConversionRate {
                charts::bar_chart_svg(figure.label(), &labels, &values, &|v| {
                    format!("{:.1}%", v * 100.0)
                })
            } else {
                charts::bar_chart_svg(figure.label(), &labels, &values, &charts::compact)
            }
            .map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))?;
            charts.push(svg);
        }
        Ok(html::series_page(&report, &charts))
    }
}

/// The JSON session report.
fn session_report(d: &SessionData, generated_at: String) -> SessionReport {
    let start = d.window.map(|w| w.0);
    let minute_of = |t: i64| start.map(|s| (t - s) as f64 / 60_000.0);
    let points = d
        .timeline
        .concurrent
        .iter()
        .zip(&d.timeline.gmv)
        .enumerate()
        .map(|(i, ((t, viewers), (_, gmv)))| TimelinePoint {
            minute: i as u64 * u64::from(d.timeline.bucket_seconds) / 60,
            at: format_ts(*t),
            concurrent_viewers: *viewers,
            cumulative_gmv: *gmv,
        })
        .collect();
    let flash_sales = d
        .sales
        .iter()
        .map(|r| {
            let sold = d
                .metrics
                .flash_sales
                .iter()
                .find(|f| f.flash_sale_id == r.id);
            FlashSaleWindow {
                id: r.id.clone(),
                product_id: r.product_id.clone(),
                price: amount(r.price_minor, &r.currency),
                stock: r.stock,
                starts_at: r.starts_at.clone(),
                ends_at: r.ends_at.clone(),
                start_minute: ms(&r.starts_at).and_then(minute_of),
                end_minute: ms(&r.ends_at).and_then(minute_of),
                sold: sold.map_or(0, |f| f.units),
                orders: sold.map_or(0, |f| f.orders),
                gmv: sold.map_or(Decimal::ZERO, |f| f.gmv),
            }
        })
        .collect();
    SessionReport {
        session: d.view.clone(),
        task: TaskRef {
            id: d.task.id.clone(),
            title: d.task.title.clone(),
        },
        currency: d.task.currency.clone(),
        window: ReportWindow {
            start: d.window.map(|w| format_ts(w.0)),
            end: d.window.map(|w| format_ts(w.1)),
            minutes: d.window.map(|w| {
                let mut m = (Decimal::from(w.1 - w.0) / Decimal::from(60_000)).round_dp(2);
                m.rescale(2);
                m
            }),
        },
        metrics: d.metrics.clone(),
        timeline: ReportTimeline {
            bucket_seconds: d.timeline.bucket_seconds,
            points,
        },
        flash_sales,
        formulas: TIKTOK_SHOP_FORMULAS,
        generated_at,
    }
}

/// The session report's SVG from its data.
fn draw_session(d: &SessionData, report: &SessionReport) -> ApiResult<String> {
    let bucket_min = f64::from(d.timeline.bucket_seconds) / 60.0;
    let start = d.window.map_or(0, |w| w.0);
    let minute = |t: i64| (t - start) as f64 / 60_000.0;
    let span = d.window.map_or(0.0, |w| minute(w.1));
    let m = &d.metrics;
    let s = &d.view;
    let mut title = d.task.title.clone();
    match (s.week, s.theme.as_deref()) {
        (Some(w), Some(t)) => title.push_str(&format!(" — week {w}: {t}")),
        (Some(w), None) => title.push_str(&format!(" — week {w}")),
        _ => title.push_str(&format!(" — session {}", s.position + 1)),
    }
    let when = match d.window {
        Some((a, b)) => format!("{} → {}", format_ts(a), format_ts(b)),
        None => "no events yet".into(),
    };
    let subtitle = format!(
        "{when} · {} unique viewers · peak {} · {} orders · GMV {} {} · conversion {:.2}%",
        m.unique_viewers,
        m.peak_concurrent_viewers,
        m.orders,
        m.gmv,
        d.task.currency,
        f64_of(m.conversion_rate) * 100.0,
    );
    let flash_sales = report
        .flash_sales
        .iter()
        .filter_map(|f| {
            Some(SaleMark {
                product_id: f.product_id.clone(),
                start_minute: f.start_minute?,
                end_minute: f.end_minute?,
            })
        })
        .collect();
    let charts = SessionCharts {
        title,
        subtitle,
        currency: d.task.currency.clone(),
        span_minutes: span,
        bucket_minutes: bucket_min,
        concurrent: d
            .timeline
            .concurrent
            .iter()
            .map(|&(t, v)| (minute(t), v))
            .collect(),
        gmv: d
            .timeline
            .gmv
            .iter()
            .map(|&(t, g)| ((minute(t) + bucket_min).min(span), f64_of(g)))
            .collect(),
        flash_sales,
        after_join: m
            .retention
            .after_join
            .iter()
            .map(|a| (a.minutes, f64_of(a.share)))
            .collect(),
        products: m
            .products
            .iter()
            .take(TOP_PRODUCTS)
            .map(|p| (p.product_id.clone(), f64_of(p.gmv)))
            .collect(),
    };
    charts::session_svg(&charts).map_err(|e| ApiError::Internal(anyhow::anyhow!(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn growth_is_relative_to_the_first_session() {
        assert_eq!(
            growth_pct(d("1000"), d("1300")).unwrap().to_string(),
            "30.0"
        );
        assert_eq!(growth_pct(d("3"), d("2")).unwrap().to_string(), "-33.3");
        assert_eq!(growth_pct(d("0"), d("5")), None);
    }
}
