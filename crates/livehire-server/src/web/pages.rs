//! The dashboard's pages, as maud templates over the service's typed views.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use livehire_store::{CallerKind, TaskStatus};
use maud::{DOCTYPE, Markup, html};
use rust_decimal::Decimal;

use super::{Lang, Page, SignupForm, style_path};
use crate::app::{AgentOverview, App, PageRequest, TaskListQuery, TaskView};
use crate::error::ApiError;

/// The tab icon, inline (the policy allows `data:` images), so no page
/// sends the browser after a `/favicon.ico` that is not there.
const ICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%23d6336c'/%3E%3Ccircle cx='8' cy='8' r='3.5' fill='white'/%3E%3C/svg%3E";

/// A page's frame: head, header with navigation and language switch, main.
pub(super) fn layout(page: &Page, title: &str, body: Markup) -> Html<String> {
    let lang = page.lang;
    let logged_in = page.session.is_some();
    Html(
        html! {
            (DOCTYPE)
            html lang=(lang.tag()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " · " (lang.t("app-name")) }
                    link rel="stylesheet" href=(style_path());
                    link rel="icon" href=(ICON);
                    script src=(super::assets::path("dashboard.js")) defer {}
                }
                body {
                    header {
                        a.brand href=(if logged_in { "/dashboard" } else { "/login" }) { (lang.t("app-name")) }
                        nav aria-label=(lang.t("nav-dashboard")) {
                            @if logged_in {
                                a href="/dashboard" { (lang.t("nav-dashboard")) }
                                a href="/dashboard/hosts" { (lang.t("nav-hosts")) }
                                a href="/dashboard/tiktok-live" { (lang.t("nav-live")) }
                                @if page.session.as_ref().is_some_and(|s| s.account.kind == CallerKind::Agent) {
                                    a href="/dashboard/tasks/new" { (lang.t("nav-new-task")) }
                                }
                                a href="/dashboard/wallet" { (lang.t("nav-wallet")) }
                                a href="/dashboard/settings" { (lang.t("nav-settings")) }
                                form method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(page.csrf);
                                    button.link type="submit" { (lang.t("nav-logout")) }
                                }
                            }
                            span aria-label=(lang.t("nav-language")) {
                                @for (i, l) in Lang::ALL.iter().enumerate() {
                                    @if i > 0 { " · " }
                                    @if *l == lang {
                                        strong lang=(l.tag()) { (l.t(lang_label(*l))) }
                                    } @else {
                                        a href={ "?lang=" (l.tag()) } lang=(l.tag()) hreflang=(l.tag()) { (l.t(lang_label(*l))) }
                                    }
                                }
                            }
                        }
                    }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

fn lang_label(l: Lang) -> &'static str {
    match l {
        Lang::En => "lang-en",
        Lang::Zh => "lang-zh",
    }
}

/// An error page for a service error (a 500 says only that it was logged).
pub(super) fn error_page(lang: Lang, e: ApiError) -> Response {
    let resp = e.into_response();
    let status = resp.status();
    let message = if status.is_server_error() {
        lang.t("error-title")
    } else if status == StatusCode::NOT_FOUND {
        lang.t("not-found")
    } else {
        status.canonical_reason().unwrap_or("").to_string()
    };
    status_page(lang, status, &message)
}

/// A bare page with a status and one message.
pub(super) fn status_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    let body = html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (status.as_u16()) " · " (lang.t("app-name")) }
                link rel="stylesheet" href=(style_path());
                link rel="icon" href=(ICON);
            }
            body { main { h1 { (lang.t("error-title")) } p.errors role="alert" { (message) } p { a href="/dashboard" { (lang.t("nav-dashboard")) } } } }
        }
    };
    (status, Html(body.into_string())).into_response()
}

pub(super) fn errors_box(lang: Lang, errors: &[String]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.errors role="alert" {
                p { (lang.t("form-errors")) }
                ul { @for e in errors { li { (e) } } }
            }
        }
    }
}

/// `GET /login`.
pub(super) async fn login_page(page: Page) -> Response {
    if page.session.is_some() {
        return page.redirect("/dashboard", Vec::new());
    }
    let body = login_form(&page, None, "");
    page.finish(body)
}

/// The login page, with an error when a try failed.
pub(super) fn login_form(page: &Page, error: Option<&str>, email: &str) -> Html<String> {
    let t = |id| page.lang.t(id);
    let body = html! {
        h1 { (t("login-title")) }
        @if let Some(e) = error { p.errors role="alert" { (e) } }
        div.two {
            section.card {
                h2 { (t("login-with-password")) }
                form.stack method="post" action="/login" {
                    input type="hidden" name="csrf" value=(page.csrf);
                    label { (t("field-email")) input type="email" name="email" autocomplete="username" required value=(email); }
                    label { (t("field-password")) input type="password" name="password" autocomplete="current-password" required; }
                    button type="submit" { (t("button-login")) }
                }
                p { a href="/signup" { (t("login-no-account")) } }
            }
            section.card {
                h2 { (t("login-with-key")) }
                p.muted { (t("login-key-help")) }
                form.stack method="post" action="/login" {
                    input type="hidden" name="csrf" value=(page.csrf);
                    label { (t("field-api-key")) input type="password" name="api_key" autocomplete="off" required; }
                    button type="submit" { (t("button-login")) }
                }
            }
        }
    };
    layout(page, &t("login-title"), body)
}

/// `GET /signup`.
pub(super) async fn signup_page(page: Page) -> Response {
    if page.session.is_some() {
        return page.redirect("/dashboard", Vec::new());
    }
    let form = SignupForm {
        time_zone: "Asia/Shanghai".into(),
        ..SignupForm::default()
    };
    let body = signup_form(&page, &form, &[]);
    page.finish(body)
}

/// Time zones offered at sign-up (any IANA zone is accepted by the API).
pub(super) const ZONES: [&str; 8] = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Jakarta",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
];

/// The sign-up page, filled with what was sent and its errors.
pub(super) fn signup_form(page: &Page, form: &SignupForm, errors: &[String]) -> Html<String> {
    let t = |id| page.lang.t(id);
    let body = html! {
        h1 { (t("signup-title")) }
        p.muted { (t("signup-intro")) }
        (errors_box(page.lang, errors))
        section.card {
            form.stack method="post" action="/signup" {
                input type="hidden" name="csrf" value=(page.csrf);
                label { (t("field-email")) input type="email" name="email" autocomplete="email" required value=(form.email); }
                label { (t("field-password")) small { "10–200" } input type="password" name="password" autocomplete="new-password" minlength="10" maxlength="200" required; }
                label { (t("field-name")) input type="text" name="name" autocomplete="nickname" required maxlength="200" value=(form.name); }
                label { (t("field-handle")) input type="text" name="tiktok_handle" placeholder="@" value=(form.tiktok_handle); }
                label { (t("field-followers")) input type="text" inputmode="numeric" name="followers" value=(form.followers); }
                label { (t("field-niches")) input type="text" name="niches" value=(form.niches); }
                label { (t("field-skills")) input type="text" name="skills" value=(form.skills); }
                label { (t("field-time-zone"))
                    select name="time_zone" {
                        @for z in ZONES { option value=(z) selected[form.time_zone == z] { (z) } }
                    }
                }
                label { (t("field-bio")) textarea name="bio" maxlength="2000" { (form.bio) } }
                button type="submit" { (t("button-signup")) }
            }
            p { a href="/login" { (t("signup-have-account")) } }
        }
    };
    layout(page, &t("signup-title"), body)
}

/// An amount with its currency's symbol and grouping, to the currency's
/// decimals: `¥12,500.00`; an unknown code follows the number (`12,500.00 ABC`).
pub(super) fn money(amount: Decimal, currency: &str) -> String {
    let decimals = livehire_domain::money::Currency::parse(currency)
        .map(|c| c.minor_units())
        .unwrap_or(2);
    let mut amount = amount.round_dp(decimals);
    amount.rescale(decimals);
    let text = livehire_domain::money::group_thousands(&amount.to_string());
    let symbol = iso_currency::Currency::from_code(currency)
        .map(|c| c.symbol().to_string())
        .unwrap_or_default();
    if symbol.is_empty() || symbol == currency {
        format!("{text} {currency}")
    } else if let Some(magnitude) = text.strip_prefix('-') {
        format!("-{symbol}{magnitude}")
    } else {
        format!("{symbol}{text}")
    }
}

/// A time in `zone` (IANA), the zone named; UTC when the zone is unknown.
pub(super) fn when(rfc3339: &str, zone: Option<&str>) -> String {
    let Ok(t) = DateTime::parse_from_rfc3339(rfc3339) else {
        return rfc3339.to_string();
    };
    let t = t.with_timezone(&Utc);
    match zone.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => format!(
            "{} {}",
            t.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
            tz.name()
        ),
        None => format!("{} UTC", t.format("%Y-%m-%d %H:%M")),
    }
}

pub(super) fn status_label(lang: Lang, status: &str) -> String {
    lang.t(&format!("status-{status}"))
}

pub(super) fn task_zone(t: &TaskView) -> Option<&str> {
    t.extra
        .get("live_session_details")
        .and_then(|d| d.get("time_zone"))
        .and_then(|z| z.as_str())
}

pub(super) fn task_title(t: &TaskView) -> &str {
    t.extra.get("title").and_then(|v| v.as_str()).unwrap_or("")
}

fn task_pay(t: &TaskView) -> String {
    let currency = t
        .extra
        .get("currency")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    t.extra
        .get("compensation")
        .and_then(|v| livehire_domain::money::parse_amount(v).ok())
        .map(|d| money(d, currency))
        .unwrap_or_default()
}

/// `GET /dashboard`: an agent's tasks and what needs attention, or a host's
/// invitations and the open tasks it qualifies for.
pub(super) async fn home(State(app): State<App>, page: Page) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    let caller = session.account;
    let result = match caller.kind {
        CallerKind::Agent => agent_home(&app, &page, &caller).await,
        CallerKind::Host => host_home(&app, &page, &caller).await,
    };
    match result {
        Ok(body) => page.finish(body),
        Err(e) => error_page(page.lang, e),
    }
}

async fn agent_home(
    app: &App,
    page: &Page,
    caller: &livehire_store::Caller,
) -> Result<Html<String>, ApiError> {
    let lang = page.lang;
    let AgentOverview {
        by_status,
        recent,
        applications_waiting: waiting,
        submissions_to_review: to_review,
        live_now,
        wallet,
    } = app.agent_overview(caller).await?;
    let count = |id: &str, n: u64| lang.t_count(id, "count", n);
    let body = html! {
        h1 { (lang.t("home-title-agent")) }
        section.card {
            h2 { (lang.t("home-attention")) }
            @if waiting + to_review + live_now == 0 {
                p.muted { (lang.t("home-nothing")) }
            } @else {
                ul.attention {
                    @if waiting > 0 { li { (count("home-applications-waiting", waiting)) } }
                    @if to_review > 0 { li { (count("home-submissions-to-review", to_review)) } }
                    @if live_now > 0 { li { (count("home-live-now", live_now)) } }
                }
            }
            @for b in &wallet.balances {
                p {
                    (lang.t_args("home-available", &[("amount", money(b.available, &b.currency))]))
                    " · "
                    (lang.t_args("home-escrow-held", &[("amount", money(b.in_escrow, &b.currency))]))
                }
            }
        }
        h2 { (lang.t("home-by-status")) }
        div.stats {
            @for (status, n) in &by_status {
                div.stat { b { (livehire_domain::money::group_thousands(&n.to_string())) } (status_label(lang, status.as_str())) }
            }
        }
        h2 { (lang.t("home-recent")) }
        @if recent.is_empty() {
            p.muted { (lang.t("home-no-tasks")) }
        } @else {
            table {
                thead { tr { th scope="col" { (lang.t("col-task")) } th scope="col" { (lang.t("col-status")) } th scope="col" { (lang.t("col-scheduled")) } th scope="col" { (lang.t("col-compensation")) } } }
                tbody {
                    @for t in &recent {
                        tr {
                            td { a href={ "/dashboard/tasks/" (t.id) } { (t.title) } br; small.muted { (t.id) } }
                            td { (status_label(lang, t.status.as_str())) }
                            td { @if let Some(at) = &t.first_session_at { (when(at, t.time_zone.as_deref())) } }
                            td.num { (money(t.compensation, &t.currency)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(page, &lang.t("home-title-agent"), body))
}

async fn host_home(
    app: &App,
    page: &Page,
    caller: &livehire_store::Caller,
) -> Result<Html<String>, ApiError> {
    let lang = page.lang;
    let invitations = app
        .my_invitations(
            caller,
            PageRequest {
                limit: 50,
                cursor: None,
            },
        )
        .await?;
    let open = app
        .list_tasks(
            caller,
            TaskListQuery {
                status: Some(TaskStatus::Open),
                page: PageRequest {
                    limit: 50,
                    cursor: None,
                },
            },
        )
        .await?;
    let earnings = app.earnings(caller).await?;
    // Times are shown in each task's own zone: read the invited tasks.
    let mut zones = std::collections::HashMap::new();
    for i in &invitations.data {
        if let Ok(t) = app.task(caller, &i.task_id).await {
            zones.insert(i.task_id.to_string(), task_zone(&t).map(str::to_string));
        }
    }
    let body = html! {
        h1 { (lang.t("home-title-host")) }
        @for b in &earnings.balances {
            p { (lang.t_args("home-earnings", &[("paid", money(b.paid_out, &b.currency)), ("pending", money(b.pending, &b.currency))])) }
        }
        h2 { (lang.t("home-invitations")) }
        @if invitations.data.is_empty() {
            p.muted { (lang.t("home-no-invitations")) }
        } @else {
            table {
                thead { tr { th scope="col" { (lang.t("col-task")) } th scope="col" { (lang.t("col-status")) } th scope="col" { (lang.t("col-scheduled")) } th scope="col" { (lang.t("col-compensation")) } } }
                tbody {
                    @for i in &invitations.data {
                        tr {
                            td { a href={ "/dashboard/tasks/" (i.task_id) } { (i.title) } br; small.muted { (i.task_id) } }
                            td { (status_label(lang, i.status.as_str())) }
                            td { @if let Some(at) = &i.scheduled_time { (when(at, zones.get(i.task_id.as_str()).cloned().flatten().as_deref())) } }
                            td.num { (money(i.compensation, &i.currency)) }
                        }
                    }
                }
            }
        }
        h2 { (lang.t("home-open-tasks")) }
        @if open.data.is_empty() {
            p.muted { (lang.t("home-no-open-tasks")) }
        } @else {
            table {
                thead { tr { th scope="col" { (lang.t("col-task")) } th scope="col" { (lang.t("col-scheduled")) } th scope="col" { (lang.t("col-compensation")) } } }
                tbody {
                    @for t in &open.data {
                        tr {
                            td { a href={ "/dashboard/tasks/" (t.id) } { (task_title(t)) } br; small.muted { (t.id) } }
                            td { @if let Some(at) = t.sessions.first().and_then(|s| s.scheduled_time.as_deref()) { (when(at, task_zone(t))) } }
                            td.num { (task_pay(t)) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(page, &lang.t("home-title-host"), body))
}

/// `GET /dashboard/settings`.
pub(super) async fn settings(State(app): State<App>, page: Page) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    match app.web_login_email(&session.account).await {
        Ok(email) => {
            let body = settings_page(&page, email.as_deref(), None, &[], false);
            page.finish(body)
        }
        Err(e) => error_page(page.lang, e),
    }
}

/// The settings page: the login's email (set or change it with a password)
/// and a new API key, shown once when just made.
pub(super) fn settings_page(
    page: &Page,
    email: Option<&str>,
    new_key: Option<&str>,
    errors: &[String],
    saved: bool,
) -> Html<String> {
    let lang = page.lang;
    let t = |id| lang.t(id);
    let body = html! {
        h1 { (t("settings-title")) }
        section.card {
            h2 { (t("settings-login")) }
            @if saved { p.notice role="status" { (t("settings-saved")) } }
            (errors_box(lang, errors))
            @match email {
                Some(e) => p { (lang.t_args("settings-login-current", &[("email", e.to_string())])) },
                None => p.muted { (t("settings-login-none")) },
            }
            form.stack method="post" action="/dashboard/settings" {
                input type="hidden" name="csrf" value=(page.csrf);
                input type="hidden" name="action" value="login";
                label { (t("field-email")) input type="email" name="email" autocomplete="username" required value=(email.unwrap_or("")); }
                label { (t("field-password")) small { "10–200" } input type="password" name="password" autocomplete="new-password" minlength="10" maxlength="200" required; }
                button type="submit" { (t("button-save")) }
            }
        }
        section.card {
            h2 { (t("settings-key")) }
            p.muted { (t("settings-key-help")) }
            @if let Some(key) = new_key {
                p { (t("settings-new-key")) }
                p.key { (key) }
            }
            form method="post" action="/dashboard/settings" {
                input type="hidden" name="csrf" value=(page.csrf);
                input type="hidden" name="action" value="new_key";
                button type="submit" { (t("button-new-key")) }
            }
        }
    };
    layout(page, &t("settings-title"), body)
}

/// The search form's fields, in the API's parameter names: (name, label
/// message, input kind).
const HOST_FILTERS: [(&str, &str, &str); 11] = [
    ("q", "field-q", "search"),
    ("niche", "field-niche", "text"),
    ("skills", "field-skills-filter", "text"),
    ("min_followers", "field-min-followers", "number"),
    ("min_avg_live_viewers", "field-min-viewers", "number"),
    ("min_avg_gmv_per_session", "field-min-gmv", "number"),
    ("min_conversion_rate", "field-min-conversion", "number"),
    ("min_rating", "field-min-rating", "number"),
    ("max_rate", "field-max-rate", "number"),
    ("for_task", "field-for-task", "text"),
    ("limit", "field-limit", "number"),
];

/// A select of the search form: its parameter, its label message, and its
/// options as (value, label message).
type Choice = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The selects of the search form.
const HOST_CHOICES: [Choice; 5] = [
    (
        "category",
        "field-category",
        &[("", "any"), ("live_commerce", "category-live")],
    ),
    (
        "tiktok_shop_verified",
        "field-verified",
        &[("", "any"), ("true", "yes"), ("false", "no")],
    ),
    (
        "live_commerce_experience",
        "field-experience",
        &[("", "any"), ("true", "yes"), ("false", "no")],
    ),
    (
        "sort",
        "field-sort",
        &[
            ("", "sort-rating"),
            ("avg_gmv", "sort-gmv"),
            ("conversion_rate", "sort-conversion"),
            ("avg_viewers", "sort-viewers"),
            ("followers", "sort-followers"),
            ("match", "sort-match"),
        ],
    ),
    (
        "order",
        "field-order",
        &[("", "order-desc"), ("asc", "order-asc")],
    ),
];

/// `GET /dashboard/hosts`: host search with every filter of
/// `GET /api/v1/humans` as a form field; the query string is the API's, so
/// a search is a bookmark (`/dashboard/hosts?niche=beauty`).
pub(super) async fn hosts(State(app): State<App>, page: Page, uri: axum::http::Uri) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .filter(|(k, v)| k != "lang" && !v.is_empty())
            .collect();
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let found = match livehire_domain::search::HostQuery::parse(&pairs) {
        Err(errors) => Err(ApiError::Validation(errors)),
        Ok(query) => app.search_hosts(&session.account, query).await,
    };
    let (status, errors, hosts, next) = match found {
        Ok(found) => {
            let json: serde_json::Value = serde_json::from_str(found.as_json()).unwrap_or_default();
            let next = json["next_cursor"].as_str().map(|cursor| {
                let mut more: Vec<(String, String)> = pairs
                    .iter()
                    .filter(|(k, _)| k != "cursor")
                    .cloned()
                    .collect();
                more.push(("cursor".into(), cursor.to_string()));
                format!(
                    "/dashboard/hosts?{}",
                    url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(more)
                        .finish()
                )
            });
            let hosts = json["data"].as_array().cloned().unwrap_or_default();
            (StatusCode::OK, Vec::new(), hosts, next)
        }
        Err(ApiError::Validation(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .into_iter()
                .map(|e| format!("{}: {}", e.path, e.message))
                .collect(),
            Vec::new(),
            None,
        ),
        Err(e) => return error_page(page.lang, e),
    };
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let number = |v: &serde_json::Value| -> String {
        v.as_f64()
            .map(|_| livehire_domain::money::group_thousands(&v.to_string()))
            .unwrap_or_default()
    };
    let body = html! {
        h1 { (t("hosts-title")) }
        section.card {
            form.filters method="get" action="/dashboard/hosts" {
                @for (name, label, kind) in HOST_FILTERS {
                    label { (t(label))
                        @if kind == "number" {
                            input type="number" name=(name) value=(value(name)) step="any" min="0";
                        } @else {
                            input type=(kind) name=(name) value=(value(name));
                        }
                    }
                }
                @for (name, label, options) in HOST_CHOICES {
                    label { (t(label))
                        select name=(name) {
                            @for (v, l) in options.iter() {
                                option value=(v) selected[value(name) == *v] { (t(l)) }
                            }
                        }
                    }
                }
                button type="submit" { (t("button-search")) }
            }
        }
        (errors_box(lang, &errors))
        @if errors.is_empty() && hosts.is_empty() {
            p.muted { (t("hosts-none")) }
        }
        @if !hosts.is_empty() {
            table {
                thead { tr {
                    th scope="col" { (t("col-host")) }
                    th scope="col" { (t("col-niches")) }
                    th scope="col" { (t("col-followers")) }
                    th scope="col" { (t("col-avg-gmv")) }
                    th scope="col" { (t("col-conversion")) }
                    th scope="col" { (t("col-rating")) }
                    th scope="col" { (t("col-rate")) }
                } }
                tbody {
                    @for h in &hosts {
                        tr {
                            td { a href={ "/dashboard/hosts/" (h["human_id"].as_str().unwrap_or("")) } { (h["name"].as_str().unwrap_or("")) } br; small.muted { (h["tiktok_handle"].as_str().unwrap_or("")) " " (h["human_id"].as_str().unwrap_or("")) } }
                            td { (h["niches"].as_array().map(|n| n.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_default()) }
                            td.num { (number(&h["follower_stats"]["followers"])) }
                            td.num { (number(&h["live_commerce_metrics"]["avg_gmv_per_session"])) }
                            td.num { @if let Some(r) = h["live_commerce_metrics"]["avg_conversion_rate"].as_f64() { (format!("{:.1} %", r * 100.0)) } }
                            td.num { @if let Some(r) = h["rating"].as_f64() { (format!("{r:.1}")) } }
                            td.num {
                                @let range = &h["compensation_range"];
                                @if let (Some(_), Some(_)) = (range["min"].as_f64(), range["max"].as_f64()) {
                                    (number(&range["min"])) "–" (number(&range["max"])) " " (range["currency"].as_str().unwrap_or(""))
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(next) = &next { p { a href=(next) rel="next" { (t("hosts-next")) } } }
        }
    };
    let html = layout(&page, &t("hosts-title"), body);
    page.finish((status, html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_the_currencys_symbol_grouping_and_decimals() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money(d("12500"), "CNY"), "¥12,500.00");
        assert_eq!(money(d("3000.5"), "CNY"), "¥3,000.50");
        assert_eq!(money(d("0.005"), "CNY"), "¥0.00");
        assert_eq!(money(d("-1500.25"), "USD"), "-$1,500.25");
        assert_eq!(money(d("1234567.891"), "JPY"), "¥1,234,568");
        assert_eq!(money(d("999999999999.99"), "CNY"), "¥999,999,999,999.99");
        assert_eq!(money(d("1"), "ABC"), "1.00 ABC", "a code nobody knows");
    }
}
