//! Reports as dashboard pages (a session's, a task's series) with the
//! report's SVG charts, products by name, and the payout and ROI at the
//! monitored figures; and the CSV downloads: a flash sale's orders, the
//! caller's ledger, a session's per-minute figures. Amounts in CSV are exact
//! decimals as the service gives them, never floats.

use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use livehire_domain::ids::{FlashSaleId, SessionId, TaskId};
use livehire_domain::payout::Payout;
use livehire_store::CallerKind;
use maud::{Markup, PreEscaped, html};
use rust_decimal::Decimal;

use super::live::{count, percent, product_name, products, session_status, task_zone};
use super::pages::{error_page, layout, money, when};
use super::{Lang, Page};
use crate::app::{App, LedgerEntryView, MAX_ORDERS_PAGE, PageRequest};
use crate::error::ApiError;
use crate::reports::{charts, html as report_html};

/// Most rows a CSV download reads (pages of the service's largest size).
const MAX_CSV_ROWS: usize = 1_000_000;

fn payout_block(lang: Lang, payout: Option<&Payout>) -> Markup {
    let t = |id: &str| lang.t(id);
    html! {
        section.card #payout {
            h2 { (t("report-payout")) }
            @match payout {
                None => p.muted { (t("report-payout-none")) },
                Some(p) => {
                    @let c = p.currency.code();
                    p.muted { (t("report-payout-help")) }
                    table {
                        thead { tr { th scope="col" { (t("report-line")) } th scope="col" { (t("report-condition")) } th.num scope="col" { (t("report-amount")) } } }
                        tbody {
                            @for l in &p.lines {
                                tr {
                                    td { (l.description) }
                                    td {
                                        @if let Some(c) = &l.condition { (c) }
                                        @if let Some(o) = &l.observed { " (" (o) ")" }
                                        @match l.met { Some(true) => { " ✓" }, Some(false) => { " ✗" }, None => {} }
                                    }
                                    td.num { (money(l.amount, c)) }
                                }
                            }
                        }
                    }
                    div.stats {
                        div.stat { b data-figure="gmv" { (money(p.gmv, c)) } (t("live-gmv")) }
                        div.stat { b data-figure="payout" { (money(p.total, c)) } (t("report-payout-total")) }
                        div.stat { b data-figure="roi" { @match p.roi { Some(r) => { (r) "×" }, None => { "—" } } } (t("report-roi")) }
                    }
                }
            }
        }
    }
}

/// `GET /dashboard/sessions/{id}/report`: the post-session report.
pub(super) async fn session_report(
    State(app): State<App>,
    page: Page,
    Path(id): Path<SessionId>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    let caller = session.account;
    let built = async {
        let report = app.session_report(&caller, &id).await?;
        let svg = app.session_report_svg(&caller, &id).await?;
        let task = app.task(&caller, &report.session.task_id).await?;
        let series = app.series_report(&caller, &report.session.task_id).await?;
        let payout = app
            .report_payout(&caller, &report.session.task_id, &series)
            .await;
        Ok::<_, ApiError>((report, svg, task, payout))
    }
    .await;
    let (report, svg, task, payout) = match built {
        Ok(x) => x,
        Err(e) => return error_page(page.lang, e),
    };
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let m = &report.metrics;
    let c = report.currency.as_str();
    let zone = task_zone(&task);
    let products = products(&task);
    let s = &report.session;
    let is_agent = caller.kind == CallerKind::Agent;
    let title = format!("{} · {}", report.task.title, t("report-title"));
    let body = html! {
        p { a href={ "/dashboard/sessions/" (s.id) } { "← " (t("live-session")) } }
        h1 { (report.task.title) " · " (t("report-title")) }
        p.meta {
            span.badge.(s.status.as_str()) { (session_status(lang, s.status)) } " " small.muted { (s.id) }
            @if let Some(w) = s.week { " · " (lang.t_args("live-week", &[("week", w.to_string())])) }
            br;
            @if let Some(a) = &report.window.start { (when(a, zone)) }
            " → "
            @if let Some(b) = &report.window.end { (when(b, zone)) }
        }
        div.actions {
            a.button href={ "/dashboard/sessions/" (s.id) "/minutes.csv" } download { (t("live-minutes-csv")) }
            a.button href={ "/dashboard/tasks/" (s.task_id) "/report" } { (t("report-series")) }
        }
        h2 { (t("live-figures")) }
        div.stats.figures {
            div.stat { b data-figure="unique_viewers" { (count(m.unique_viewers)) } (t("live-unique-viewers")) }
            div.stat { b data-figure="peak_concurrent_viewers" { (count(m.peak_concurrent_viewers)) } (t("live-peak-viewers")) }
            div.stat { b data-figure="avg_watch_time_seconds" { (m.avg_watch_time_seconds) " s" } (t("report-avg-watch")) }
            div.stat { b data-figure="gmv" { (money(m.gmv, c)) } (t("live-gmv")) }
            div.stat { b data-figure="orders" { (count(m.orders)) } (t("live-orders")) }
            div.stat { b data-figure="units" { (count(m.units)) } (t("report-units")) }
            div.stat { b data-figure="buyers" { (count(m.buyers)) } (t("report-buyers")) }
            div.stat { b data-figure="conversion_rate" { (percent(m.conversion_rate)) } (t("live-conversion")) }
            div.stat { b data-figure="gpm" { (money(m.gpm, c)) } (t("report-gpm")) }
            div.stat { b data-figure="chat_messages" { (count(m.chat_messages)) } (t("live-chat")) }
            div.stat { b data-figure="questions" { (count(m.questions)) " / " (count(m.questions_answered)) } (t("report-questions-answered")) }
            div.stat { b data-figure="refunds" { (count(m.refunds)) } (t("report-refunds")) }
        }
        section.card.chart-svg aria-label=(t("report-charts")) {
            h2 { (t("report-charts")) }
            // The report's own SVG (plotters' output, escaped by the service).
            (PreEscaped(svg))
        }
        h2 { (t("report-products")) }
        @if m.products.is_empty() {
            p.muted { (t("report-no-products")) }
        } @else {
            table {
                thead { tr { th scope="col" { (t("sale-product")) } th.num scope="col" { (t("live-orders")) } th.num scope="col" { (t("report-units")) } th.num scope="col" { (t("live-gmv")) } } }
                tbody {
                    @for p in &m.products {
                        tr data-product=(p.product_id) {
                            td { (product_name(&products, &p.product_id)) br; small.muted { (p.product_id) } }
                            td.num { (count(p.orders)) }
                            td.num { (count(p.units)) }
                            td.num { (money(p.gmv, c)) }
                        }
                    }
                }
            }
        }
        h2 { (t("sale-title")) }
        @if report.flash_sales.is_empty() {
            p.muted { (t("sale-none")) }
        } @else {
            table {
                thead { tr { th scope="col" { (t("sale-product")) } th.num scope="col" { (t("sale-price")) } th.num scope="col" { (t("report-sold")) } th.num scope="col" { (t("live-gmv")) } th scope="col" { (t("live-col-times")) } } }
                tbody {
                    @for f in &report.flash_sales {
                        tr data-sale=(f.id) {
                            td { (product_name(&products, &f.product_id)) br; small.muted { (f.id) }
                                @if is_agent { br; a href={ "/dashboard/flash-sales/" (f.id) "/orders.csv" } download { (t("sale-orders-csv")) } } }
                            td.num { (money(f.price, c)) }
                            td.num { (f.sold) " / " (f.stock) }
                            td.num { (money(f.gmv, c)) }
                            td { (when(&f.starts_at, zone)) " → " (when(&f.ends_at, zone)) }
                        }
                    }
                }
            }
        }
        (payout_block(lang, payout.as_ref()))
    };
    let html = layout(&page, &title, body);
    page.finish(html)
}

/// `GET /dashboard/tasks/{id}/report`: the series report.
pub(super) async fn series_report(
    State(app): State<App>,
    page: Page,
    Path(id): Path<TaskId>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    let caller = session.account;
    let built = async {
        let report = app.series_report(&caller, &id).await?;
        let task = app.task(&caller, &id).await?;
        let payout = app.report_payout(&caller, &id, &report).await;
        Ok::<_, ApiError>((report, task, payout))
    }
    .await;
    let (report, task, payout) = match built {
        Ok(x) => x,
        Err(e) => return error_page(page.lang, e),
    };
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let c = report.currency.as_str();
    let zone = task_zone(&task);
    let week = |w: i64| lang.t_args("live-week", &[("week", w.to_string())]);
    let labels: Vec<String> = report.sessions.iter().map(|s| week(s.week)).collect();
    let mut svgs = Vec::new();
    for figure in report_html::SeriesFigure::ALL {
        let values: Vec<Option<f64>> = report
            .sessions
            .iter()
            .map(|s| figure.value(s).map(report_html::number))
            .collect();
        let svg = if figure == report_html::SeriesFigure::ConversionRate {
            charts::bar_chart_svg(figure.label(), &labels, &values, &|v| {
                format!("{:.1}%", v * 100.0)
            })
        } else {
            charts::bar_chart_svg(figure.label(), &labels, &values, &charts::compact)
        };
        if let Ok(svg) = svg {
            svgs.push(svg);
        }
    }
    let pct = |p: Option<Decimal>| p.map_or_else(|| "—".to_string(), |p| format!("{p}%"));
    let title = format!("{} · {}", report.task.title, t("report-series"));
    let body = html! {
        h1 { (report.task.title) " · " (t("report-series")) }
        h2 { (t("report-sessions")) }
        table {
            thead { tr {
                th scope="col" { (t("live-col-session")) }
                th scope="col" { (t("live-col-status")) }
                th.num scope="col" { (t("live-unique-viewers")) }
                th.num scope="col" { (t("live-peak-viewers")) }
                th.num scope="col" { (t("live-gmv")) }
                th.num scope="col" { (t("live-orders")) }
                th.num scope="col" { (t("live-conversion")) }
            } }
            tbody {
                @for r in &report.sessions {
                    tr data-session=(r.session_id) {
                        td {
                            a href={ "/dashboard/sessions/" (r.session_id) "/report" } { (week(r.week)) }
                            @if let Some(th) = &r.theme { " · " (th) }
                            br; small.muted { @if let Some(at) = r.started_at.as_ref().or(r.scheduled_time.as_ref()) { (when(at, zone)) } }
                        }
                        td { (session_status(lang, r.status)) }
                        td.num { (r.unique_viewers.map(count).unwrap_or_default()) }
                        td.num { (r.peak_concurrent_viewers.map(count).unwrap_or_default()) }
                        td.num { (r.gmv.map(|g| money(g, c)).unwrap_or_default()) }
                        td.num { (r.orders.map(count).unwrap_or_default()) }
                        td.num { (r.conversion_rate.map(percent).unwrap_or_default()) }
                    }
                }
            }
        }
        p {
            (t("report-growth")) ": "
            (t("live-unique-viewers")) " " (pct(report.growth.unique_viewers_pct)) " · "
            (t("live-gmv")) " " (pct(report.growth.gmv_pct))
        }
        section.card.chart-svg {
            h2 { (t("report-charts")) }
            div.charts { @for svg in &svgs { div { (PreEscaped(svg)) } } }
        }
        (payout_block(lang, payout.as_ref()))
    };
    let html = layout(&page, &title, body);
    page.finish(html)
}

/// A CSV answer: `text/csv; charset=utf-8`, downloaded as `filename`.
fn csv_download(page: Page, filename: &str, rows: Vec<Vec<String>>) -> Response {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        if let Err(e) = w.write_record(&row) {
            return error_page(page.lang, ApiError::Internal(e.into()));
        }
    }
    let bytes = match w.into_inner() {
        Ok(b) => b,
        Err(e) => return error_page(page.lang, ApiError::Internal(anyhow::anyhow!("{e}"))),
    };
    let disposition = format!("attachment; filename=\"{filename}\"");
    page.finish(
        (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response(),
    )
}

/// `GET /dashboard/flash-sales/{id}/orders.csv`: every accepted order of a
/// sale, oldest first (the task's agent).
pub(super) async fn orders_csv(
    State(app): State<App>,
    page: Page,
    Path(id): Path<FlashSaleId>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    let caller = session.account;
    let sale = match app.flash_sale(&caller, &id).await {
        Ok(s) => s,
        Err(e) => return error_page(page.lang, e),
    };
    let mut rows = vec![
        [
            "order_id",
            "buyer_id",
            "product_id",
            "quantity",
            "unit_price",
            "amount",
            "currency",
            "created_at",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut cursor = None;
    loop {
        let req = PageRequest {
            limit: MAX_ORDERS_PAGE,
            cursor: cursor.take(),
        };
        let got = match app.flash_sale_orders(&caller, &id, &req).await {
            Ok(p) => p,
            Err(e) => return error_page(page.lang, e),
        };
        for o in &got.page.data {
            rows.push(vec![
                o.order_id.to_string(),
                o.buyer_id.clone(),
                sale.state.product_id.clone(),
                o.quantity.to_string(),
                sale.price.to_string(),
                o.amount.to_string(),
                sale.currency.clone(),
                o.created_at.clone(),
            ]);
        }
        match got.page.next_cursor {
            Some(next) if rows.len() < MAX_CSV_ROWS => cursor = Some(next),
            _ => break,
        }
    }
    csv_download(page, &format!("{id}-orders.csv"), rows)
}

/// `GET /dashboard/ledger.csv`: the caller's journal, one row per posting.
pub(super) async fn ledger_csv(State(app): State<App>, page: Page) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    let caller = session.account;
    let mut rows = vec![
        [
            "entry_id",
            "created_at",
            "kind",
            "task_id",
            "reference",
            "account",
            "amount",
            "currency",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut cursor = None;
    loop {
        let req = PageRequest {
            limit: 200,
            cursor: cursor.take(),
        };
        let got = match app.ledger(&caller, req).await {
            Ok(p) => p,
            Err(e) => return error_page(page.lang, e),
        };
        for e in &got.data {
            rows.extend(ledger_rows(e));
        }
        match got.next_cursor {
            Some(next) if rows.len() < MAX_CSV_ROWS => cursor = Some(next),
            _ => break,
        }
    }
    csv_download(page, "ledger.csv", rows)
}

fn ledger_rows(e: &LedgerEntryView) -> Vec<Vec<String>> {
    let kind = serde_json::to_value(e.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    e.postings
        .iter()
        .map(|p| {
            vec![
                e.id.to_string(),
                e.created_at.clone(),
                kind.clone(),
                e.task_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                e.reference.clone().unwrap_or_default(),
                p.account.clone(),
                p.amount.to_string(),
                e.currency.clone(),
            ]
        })
        .collect()
}

/// `GET /dashboard/sessions/{id}/minutes.csv`: concurrent viewers and
/// cumulative GMV at each minute of the session.
pub(super) async fn minutes_csv(
    State(app): State<App>,
    page: Page,
    Path(id): Path<SessionId>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    let report = match app.session_report(&session.account, &id).await {
        Ok(r) => r,
        Err(e) => return error_page(page.lang, e),
    };
    let mut rows = vec![
        [
            "minute",
            "at",
            "concurrent_viewers",
            "cumulative_gmv",
            "currency",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for p in &report.timeline.points {
        rows.push(vec![
            p.minute.to_string(),
            p.at.clone(),
            p.concurrent_viewers.to_string(),
            p.cumulative_gmv.to_string(),
            report.currency.clone(),
        ]);
    }
    csv_download(page, &format!("{id}-minutes.csv"), rows)
}
