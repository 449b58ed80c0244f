//! The live pages: the monitor of every session (`/dashboard/tiktok-live`)
//! and a session's page with its figures, charts and flash sales. What they
//! post and the stream they follow are in `live_actions`.
//!
//! Every page is complete as served (the figures of the moment); the
//! dashboard's script then keeps it live from the stream.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use axum::routing::{get, post};
use livehire_domain::ids::SessionId;
use livehire_store::{Caller, CallerKind};
use maud::{Markup, html};
use rust_decimal::Decimal;

use super::live_actions::{self, SaleForm};
use super::pages::{error_page, layout, money, when};
use super::{Lang, Page, assets, live_reports};
use crate::app::{
    App, FlashSaleStatus, FlashSaleView, RunOfShowPosition, SessionMetricsView, SessionStatus,
    SessionView, TaskView,
};
use crate::error::ApiError;

/// The live pages' routes.
pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/dashboard/tiktok-live", get(monitor))
        .route("/dashboard/sessions/{id}", get(session_page))
        .route("/dashboard/sessions/{id}/start", post(live_actions::start))
        .route("/dashboard/sessions/{id}/end", post(live_actions::end))
        .route(
            "/dashboard/sessions/{id}/flash-sales",
            post(live_actions::flash_sale),
        )
        .route("/dashboard/sessions/{id}/stream", get(live_actions::stream))
        .route(
            "/dashboard/sessions/{id}/report",
            get(live_reports::session_report),
        )
        .route(
            "/dashboard/sessions/{id}/minutes.csv",
            get(live_reports::minutes_csv),
        )
        .route(
            "/dashboard/tasks/{id}/report",
            get(live_reports::series_report),
        )
        .route(
            "/dashboard/flash-sales/{id}/orders.csv",
            get(live_reports::orders_csv),
        )
        .route("/dashboard/ledger.csv", get(live_reports::ledger_csv))
}

/// The message id of a session status.
pub(super) fn session_status(lang: Lang, status: SessionStatus) -> String {
    lang.t(&format!("live-status-{}", status.as_str()))
}

/// The message id of a flash sale's status.
fn sale_status(lang: Lang, status: FlashSaleStatus) -> String {
    lang.t(&format!("sale-status-{}", status.as_str()))
}

/// A rate 0–1 as a percentage with one decimal: `12.5%`.
pub(super) fn percent(rate: Decimal) -> String {
    let mut p = (rate * Decimal::ONE_HUNDRED).round_dp(1);
    p.rescale(1);
    format!("{p}%")
}

/// A count with thousands grouped.
pub(super) fn count(n: u64) -> String {
    livehire_domain::money::group_thousands(&n.to_string())
}

/// The task's IANA time zone, if set.
pub(super) fn task_zone(t: &TaskView) -> Option<&str> {
    t.extra
        .get("live_session_details")
        .and_then(|d| d.get("time_zone"))
        .and_then(|z| z.as_str())
}

/// The task's title.
pub(super) fn task_title(t: &TaskView) -> &str {
    t.extra.get("title").and_then(|v| v.as_str()).unwrap_or("")
}

/// The task's currency code.
pub(super) fn task_currency(t: &TaskView) -> &str {
    t.extra
        .get("currency")
        .and_then(|v| v.as_str())
        .unwrap_or("")
}

/// The task's products as (id, name): the id as the task gave it, else
/// `prod_001`… by position, as the task's terms number them.
pub(super) fn products(t: &TaskView) -> Vec<(String, String)> {
    t.extra
        .get("live_session_details")
        .and_then(|d| d.get("products"))
        .and_then(|p| p.as_array())
        .map(|list| {
            list.iter()
                .enumerate()
                .map(|(i, p)| {
                    let id = p
                        .get("product_id")
                        .and_then(|v| v.as_str())
                        .map_or_else(|| format!("prod_{:03}", i + 1), str::to_string);
                    let name = p
                        .get("name")
                        .and_then(|v| v.as_str())
                        .unwrap_or(&id)
                        .to_string();
                    (id, name)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A product's name among `products`, else its id.
pub(super) fn product_name<'p>(products: &'p [(String, String)], id: &'p str) -> &'p str {
    products
        .iter()
        .find(|(p, _)| p == id)
        .map_or(id, |(_, n)| n.as_str())
}

/// `GET /dashboard/tiktok-live`: the caller's sessions, live first.
async fn monitor(State(app): State<App>, page: Page) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    let sessions = match app.live_monitor(&session.account).await {
        Ok(s) => s,
        Err(e) => return error_page(page.lang, e),
    };
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let live = sessions
        .iter()
        .filter(|s| s.session.status == SessionStatus::Live)
        .count();
    let body = html! {
        h1 { (t("live-title")) }
        p.muted { (lang.t_count("live-now-count", "count", live as u64)) }
        div.actions {
            a.button href="/dashboard/ledger.csv" download { (t("live-ledger-csv")) }
        }
        @if sessions.is_empty() {
            p.muted { (t("live-none")) }
        } @else {
            table.sessions {
                thead { tr {
                    th scope="col" { (t("live-col-session")) }
                    th scope="col" { (t("live-col-host")) }
                    th scope="col" { (t("live-col-status")) }
                    th scope="col" { (t("live-col-times")) }
                    th scope="col" { (t("live-col-links")) }
                } }
                tbody {
                    @for m in &sessions {
                        @let s = &m.session;
                        @let zone = m.time_zone.as_deref();
                        tr data-status=(s.status.as_str()) {
                            td {
                                a href={ "/dashboard/sessions/" (s.id) } { (m.task_title) }
                                @if let Some(w) = s.week { " · " (lang.t_args("live-week", &[("week", w.to_string())])) }
                                @if let Some(theme) = &s.theme { " · " (theme) }
                                br; small.muted { (s.id) }
                            }
                            td { (m.host_name.as_deref().unwrap_or(&m.host_id)) }
                            td { span.badge.(s.status.as_str()) { (session_status(lang, s.status)) } }
                            td {
                                @if let Some(at) = &s.scheduled_time { (t("live-scheduled")) " " (when(at, zone)) br; }
                                @if let Some(at) = &s.started_at { (t("live-started")) " " (when(at, zone)) br; }
                                @if let Some(at) = &s.ended_at { (t("live-ended")) " " (when(at, zone)) }
                            }
                            td {
                                a href={ "/dashboard/sessions/" (s.id) } { (t("live-open")) }
                                @if s.status != SessionStatus::Scheduled {
                                    " · " a href={ "/dashboard/sessions/" (s.id) "/report" } { (t("live-report")) }
                                }
                                " · " a href={ "/dashboard/tasks/" (s.task_id) "/report" } { (t("live-series-report")) }
                            }
                        }
                    }
                }
            }
        }
    };
    let html = layout(&page, &t("live-title"), body);
    page.finish(html)
}

/// What a session page shows besides the figures: the form's fields as
/// sent and its errors, after a failed sale.
#[derive(Default)]
pub(super) struct SaleFormState {
    /// The fields as sent.
    pub(super) form: SaleForm,
    /// Why the sale was refused.
    pub(super) errors: Vec<String>,
}

/// `GET /dashboard/sessions/{id}`.
async fn session_page(State(app): State<App>, page: Page, Path(id): Path<SessionId>) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    match render_session(&app, &page, &session.account, &id, SaleFormState::default()).await {
        Ok(html) => page.finish(html),
        Err(e) => error_page(page.lang, e),
    }
}

/// The session page for `caller`, with the sale form's state.
pub(super) async fn render_session(
    app: &App,
    page: &Page,
    caller: &Caller,
    id: &SessionId,
    sale: SaleFormState,
) -> Result<Html<String>, ApiError> {
    let s = app.session(caller, id).await?;
    let metrics = app.session_metrics(caller, id).await?;
    let task = app.task(caller, &s.task_id).await?;
    let mut sales = Vec::new();
    for st in &metrics.flash_sale_status {
        sales.push(app.flash_sale(caller, &st.id.as_str().into()).await?);
    }
    sales.sort_by(|a, b| b.starts_at.cmp(&a.starts_at));
    // The chart's history so far: viewers and GMV per minute.
    let timeline = if s.status == SessionStatus::Scheduled {
        Vec::new()
    } else {
        app.session_report(caller, id)
            .await
            .map(|r| r.timeline.points)
            .unwrap_or_default()
    };
    let history: Vec<serde_json::Value> = timeline
        .iter()
        .filter_map(|p| {
            let at = chrono::DateTime::parse_from_rfc3339(&p.at).ok()?;
            Some(serde_json::json!([
                at.timestamp(),
                p.concurrent_viewers,
                p.cumulative_gmv
            ]))
        })
        .collect();
    let history = serde_json::to_string(&history).unwrap_or_else(|_| "[]".into());
    let host_name = match &task.assigned_human_id {
        Some(h) => Some(
            app.host(&h.as_str().into())
                .await
                .map_or_else(|_| h.clone(), |v| v.name),
        ),
        None => None,
    };
    Ok(session_html(
        page,
        caller,
        &s,
        &metrics,
        &task,
        &sales,
        host_name.as_deref(),
        &history,
        &sale,
    ))
}

/// One figure of the session: its label, its value as served, and the
/// metric name the script updates it by.
fn stat(label: &str, metric: &str, value: &str) -> Markup {
    html! {
        div.stat { b data-metric=(metric) { (value) } (label) }
    }
}

#[expect(clippy::too_many_arguments, reason = "one page, its parts")]
fn session_html(
    page: &Page,
    caller: &Caller,
    s: &SessionView,
    view: &SessionMetricsView,
    task: &TaskView,
    sales: &[FlashSaleView],
    host_name: Option<&str>,
    history: &str,
    sale: &SaleFormState,
) -> Html<String> {
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let m = &view.metrics;
    let zone = task_zone(task);
    let currency = task_currency(task);
    let products = products(task);
    let title = task_title(task);
    let is_agent = caller.kind == CallerKind::Agent;
    let streaming = s.status != SessionStatus::Ended;
    let body = html! {
        p { a href="/dashboard/tiktok-live" { "← " (t("live-title")) } }
        h1 { (title) }
        p.meta {
            span.badge.(s.status.as_str()) data-session-status { (session_status(lang, s.status)) }
            " " small.muted { (s.id) }
            @if let Some(h) = host_name { " · " (t("live-col-host")) ": " (h) }
            br;
            @if let Some(at) = &s.scheduled_time { (t("live-scheduled")) " " (when(at, zone)) " " }
            @if let Some(at) = &s.started_at { "· " (t("live-started")) " " (when(at, zone)) " " }
            @if let Some(at) = &s.ended_at { "· " (t("live-ended")) " " (when(at, zone)) }
        }
        div.actions {
            @match s.status {
                SessionStatus::Scheduled => {
                    form method="post" action={ "/dashboard/sessions/" (s.id) "/start" } {
                        input type="hidden" name="csrf" value=(page.csrf);
                        button type="submit" { (t("live-start")) }
                    }
                }
                SessionStatus::Live => {
                    form method="post" action={ "/dashboard/sessions/" (s.id) "/end" } {
                        input type="hidden" name="csrf" value=(page.csrf);
                        button.secondary type="submit" { (t("live-end")) }
                    }
                }
                SessionStatus::Ended => {}
            }
            @if s.status != SessionStatus::Scheduled {
                a.button href={ "/dashboard/sessions/" (s.id) "/report" } { (t("live-report")) }
                a.button href={ "/dashboard/sessions/" (s.id) "/minutes.csv" } download { (t("live-minutes-csv")) }
            }
        }
        section #live data-stream=[streaming.then(|| format!("/dashboard/sessions/{}/stream", s.id))]
            data-currency=(currency) data-lang=(lang.tag()) {
            h2 { (t("live-figures")) }
            div.stats.figures {
                (stat(&t("live-viewers-now"), "concurrent_viewers", &count(m.concurrent_viewers)))
                (stat(&t("live-peak-viewers"), "peak_concurrent_viewers", &count(m.peak_concurrent_viewers)))
                (stat(&t("live-unique-viewers"), "unique_viewers", &count(m.unique_viewers)))
                (stat(&t("live-gmv"), "gmv", &money(m.gmv, currency)))
                (stat(&t("live-orders"), "orders", &count(m.orders)))
                (stat(&t("live-conversion"), "conversion_rate", &percent(m.conversion_rate)))
                (stat(&t("live-chat"), "chat_messages", &count(m.chat_messages)))
                (stat(&t("live-questions"), "questions", &count(m.questions)))
                (stat(&t("live-likes"), "likes", &count(m.likes)))
            }
            @if let Some(at) = &m.peak_at {
                p.muted { (lang.t_args("live-peak-at", &[("time", when(at, zone))])) }
            }
            (run_of_show(lang, view.run_of_show.as_ref()))
            h2 { (t("live-charts")) }
            div.charts {
                figure.chart {
                    figcaption { (t("live-viewers-now")) }
                    div.plot data-chart="concurrent_viewers" data-history=(history) role="img" aria-label=(t("live-chart-viewers")) {}
                }
                figure.chart {
                    figcaption { (t("live-gmv")) " (" (currency) ")" }
                    div.plot data-chart="gmv" data-history=(history) role="img" aria-label=(t("live-chart-gmv")) {}
                }
                figure.chart {
                    figcaption { (t("live-orders")) }
                    div.plot data-chart="orders" data-history="[]" role="img" aria-label=(t("live-chart-orders")) {}
                }
            }
            p.muted.js-only { (t("live-charts-help")) }
        }
        (flash_sales(page, s, &products, currency, sales, is_agent, sale))
        link rel="stylesheet" href=(assets::path("uPlot.css"));
        script src=(assets::path("uPlot.js")) defer {}
    };
    layout(page, &format!("{title} · {}", t("live-session")), body)
}

fn run_of_show(lang: Lang, position: Option<&RunOfShowPosition>) -> Markup {
    let (line, next) = run_of_show_lines(lang, position);
    html! {
        h2 { (lang.t("live-run-of-show")) }
        p data-run-of-show {
            @if position.is_none() { span.muted { (line) } } @else { (line) }
            @if let Some(n) = next { br; small.muted { (n) } }
        }
    }
}

/// The session's place in its run of show, in words: the line, and the
/// segment that comes next (the page shows them; the stream sends them
/// again as the session moves on).
pub(super) fn run_of_show_lines(
    lang: Lang,
    position: Option<&RunOfShowPosition>,
) -> (String, Option<String>) {
    match position {
        None => (lang.t("live-ros-none"), None),
        Some(RunOfShowPosition::NotStarted { .. }) => (lang.t("live-ros-not-started"), None),
        Some(RunOfShowPosition::PastPlan {
            elapsed_minutes, ..
        }) => (
            lang.t_args("live-ros-past", &[("minutes", elapsed_minutes.to_string())]),
            None,
        ),
        Some(RunOfShowPosition::InSegment {
            elapsed_minutes,
            segment_index,
            segment,
            next,
        }) => (
            lang.t_args(
                "live-ros-segment",
                &[
                    ("minutes", elapsed_minutes.to_string()),
                    ("number", (segment_index + 1).to_string()),
                    ("title", segment.title.clone()),
                    ("from", segment.start_minute.to_string()),
                    ("to", segment.end_minute.to_string()),
                ],
            ),
            next.as_ref().map(|n| {
                lang.t_args(
                    "live-ros-next",
                    &[
                        ("title", n.title.clone()),
                        ("from", n.start_minute.to_string()),
                    ],
                )
            }),
        ),
    }
}

fn flash_sales(
    page: &Page,
    s: &SessionView,
    products: &[(String, String)],
    currency: &str,
    sales: &[FlashSaleView],
    is_agent: bool,
    sale: &SaleFormState,
) -> Markup {
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let f = &sale.form;
    html! {
        section.card #flash-sales {
            h2 { (t("sale-title")) }
            @if s.status == SessionStatus::Live {
                @if !sale.errors.is_empty() {
                    div.errors role="alert" {
                        p { (t("form-errors")) }
                        ul { @for e in &sale.errors { li { (e) } } }
                    }
                }
                form.filters method="post" action={ "/dashboard/sessions/" (s.id) "/flash-sales#flash-sales" } {
                    input type="hidden" name="csrf" value=(page.csrf);
                    label { (t("sale-product"))
                        @if products.is_empty() {
                            input type="text" name="product_id" required maxlength="128" value=(f.product_id);
                        } @else {
                            select name="product_id" required {
                                @for (id, name) in products {
                                    option value=(id) selected[f.product_id == *id] { (name) " (" (id) ")" }
                                }
                            }
                        }
                    }
                    label { (t("sale-price")) " (" (currency) ")"
                        input type="text" inputmode="decimal" name="price" required value=(f.price);
                    }
                    label { (t("sale-stock"))
                        input type="number" name="stock" min="1" max="1000000" step="1" required value=(f.stock);
                    }
                    label { (t("sale-limit")) small { (t("sale-limit-help")) }
                        input type="number" name="per_buyer_limit" min="1" step="1" value=(f.per_buyer_limit);
                    }
                    label { (t("sale-duration"))
                        input type="number" name="duration_minutes" min="1" max="240" step="1" required value=(if f.duration_minutes.is_empty() { "5" } else { f.duration_minutes.as_str() });
                    }
                    button type="submit" { (t("sale-start")) }
                }
            } @else {
                p.muted { (t("sale-only-live")) }
            }
            @if sales.is_empty() {
                p.muted { (t("sale-none")) }
            } @else {
                div.table-wrap tabindex="0" {
                table.sales {
                    thead { tr {
                        th scope="col" { (t("sale-product")) }
                        th scope="col" { (t("sale-price")) }
                        th scope="col" { (t("sale-remaining")) }
                        th scope="col" { (t("sale-countdown")) }
                        th scope="col" { (t("sale-links")) }
                    } }
                    tbody {
                        @for v in sales {
                            @let st = &v.state;
                            tr data-sale=(st.id) {
                                td { (product_name(products, &st.product_id)) br; small.muted { (st.id) } }
                                td.num { (money(v.price, currency)) }
                                td.num { span data-field="remaining" { (st.remaining) } " / " (st.stock) }
                                td {
                                    span.countdown data-countdown data-ends-at=(st.ends_at) data-status=(st.status.as_str())
                                        data-sold-out=(sale_status(lang, FlashSaleStatus::SoldOut)) data-ended=(sale_status(lang, FlashSaleStatus::Ended)) {
                                        @match st.status {
                                            FlashSaleStatus::Active => (format!("{:02}:{:02}", st.seconds_left / 60, st.seconds_left % 60)),
                                            other => (sale_status(lang, other)),
                                        }
                                    }
                                }
                                td {
                                    @if is_agent {
                                        a href={ "/dashboard/flash-sales/" (st.id) "/orders.csv" } download { (t("sale-orders-csv")) }
                                        br;
                                    }
                                    a href=(v.overlay_url) target="_blank" rel="noopener" { (t("sale-overlay")) }
                                    " "
                                    button.small type="button" data-copy=(v.overlay_url) data-copy-url aria-label=(t("sale-copy-overlay")) { (t("copy")) }
                                }
                            }
                        }
                    }
                }
                }
                p.muted { (t("sale-overlay-help")) }
            }
        }
    }
}
