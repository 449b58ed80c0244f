//! `GET /dashboard/tasks/{id}`: one task as its agent or a host sees it,
//! with the forms of what each may do next. Every figure comes from the
//! service (`App::task_page`, with the task, terms, offers and messages,
//! `submission`, `payout_preview`); who sees what is the service's answer
//! too (another agent, or a host not on the task, gets its 404).

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, Response};
use livehire_domain::ids::{HostId, TaskId};
use livehire_domain::payout::{Observed, Payout};
use livehire_domain::task::TaskDraft;
use livehire_store::{Caller, CallerKind, TaskStatus};
use maud::{Markup, html};

use super::pages::{
    error_page, errors_box, layout, money, status_label, task_title, task_zone, when,
};
use super::task_sections::{
    agent_actions, cancel_section, group, host_offer_section, messages_section, offers_section,
    payout_section, requirements, run_of_show, submission_section,
};
use super::terms::{commission_words, percent};
use super::{Lang, Page};
use crate::app::{
    App, MessageView, OfferView, PayoutPreviewQuery, SubmissionView, TaskPage, TaskView,
};
use crate::error::{ApiError, ApiResult};

/// What a failed form sent, to show again with its errors.
#[derive(Default)]
pub(super) struct Refill {
    /// The answer's status (200 when nothing failed).
    pub status: Option<StatusCode>,
    /// The errors, in the page's language where the service's kind of error
    /// has words of ours.
    pub errors: Vec<String>,
    /// The form's fields as sent (the token left out).
    pub fields: HashMap<String, String>,
}

impl Refill {
    /// The value sent for `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// A refill of `form` with the errors of `e`; the error page when `e`
    /// is not a form's fault (404, 500).
    pub fn of_error(
        lang: Lang,
        e: ApiError,
        form: &[(String, String)],
    ) -> Result<Refill, Box<Response>> {
        let (status, errors) = problem(lang, e)?;
        Ok(Refill {
            status: Some(status),
            errors,
            fields: form.iter().filter(|(k, _)| k != "csrf").cloned().collect(),
        })
    }
}

/// A service error as a form shows it: its status and its lines.
pub(super) fn problem(lang: Lang, e: ApiError) -> Result<(StatusCode, Vec<String>), Box<Response>> {
    let status = e.status();
    let lines = match e {
        ApiError::Validation(errors) => errors
            .into_iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect(),
        ApiError::InvalidState { current, allowed } => vec![lang.t_args(
            "error-invalid-state",
            &[
                ("status", status_label(lang, &current)),
                ("allowed", allowed.join(", ")),
            ],
        )],
        ApiError::InsufficientFunds {
            shortfall,
            currency,
        } => vec![lang.t_args("error-funds", &[("shortfall", money(shortfall, &currency))])],
        ApiError::Conflict { message, .. } | ApiError::Gone { message, .. } => {
            vec![lang.t_args("error-conflict", &[("message", message)])]
        }
        ApiError::Forbidden(why) => vec![lang.t_args("error-forbidden", &[("message", why)])],
        ApiError::BadRequest(message) => vec![message],
        other => return Err(Box::new(error_page(lang, other))),
    };
    Ok((status, lines))
}

/// The value of form field `name`, or "".
pub(super) fn field<'f>(form: &'f [(String, String)], name: &str) -> &'f str {
    form.iter()
        .rev()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The hidden CSRF field of every form.
pub(super) fn csrf_field(page: &Page) -> Markup {
    html! { input type="hidden" name="csrf" value=(page.csrf); }
}

/// `GET /dashboard/tasks/{id}`.
pub(super) async fn task(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    let what_if: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .filter(|(k, v)| k != "lang" && !v.trim().is_empty())
            .collect();
    let refill = Refill {
        fields: what_if.iter().cloned().collect(),
        ..Refill::default()
    };
    let what_if = (!what_if.is_empty()).then_some(what_if);
    match render(&app, &page, &session.account, &id, &refill, what_if).await {
        Ok(body) => page.finish(body),
        Err(e) => error_page(page.lang, e),
    }
}

/// The task page answered after a failed form: its errors, its fields refilled.
pub(super) async fn render_failed(
    app: &App,
    page: Page,
    caller: &Caller,
    id: &str,
    refill: Refill,
) -> Response {
    let status = refill.status.unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
    match render(app, &page, caller, id, &refill, None).await {
        Ok(body) => page.finish((status, body)),
        Err(e) => error_page(page.lang, e),
    }
}

/// Everything a task page shows, read through the service as `caller`.
pub(super) struct Loaded {
    /// The task as the caller may see it.
    pub(super) task: TaskView,
    /// Its terms, the commission with the agreed base.
    pub(super) terms: TaskDraft,
    /// Applications and invitations (the agent only), oldest first.
    pub(super) offers: Vec<OfferView>,
    /// Match scores of the eligible hosts, by id, while the task is open.
    pub(super) scores: HashMap<String, f64>,
    /// Display names of the hosts on the task, by id.
    pub(super) names: HashMap<String, String>,
    /// The threads the caller reads: their newest messages.
    pub(super) messages: Vec<MessageView>,
    /// Whether older messages are not shown.
    pub(super) older_messages: bool,
    /// The latest results, for the agent and the assigned host.
    pub(super) submission: Option<SubmissionView>,
    /// The payout: made at approval, or previewed (or the figures' errors).
    pub(super) payout: Option<Result<Payout, Vec<String>>>,
    /// Whether `payout` is the one made at approval (else a preview).
    pub(super) paid: bool,
    /// The agent's rating of the host for this task, once given.
    pub(super) rated: Option<(i64, Option<String>)>,
}

fn not_found_is_none<T>(r: ApiResult<T>) -> ApiResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The what-if query of a payout preview for the figures a submission is
/// paid on.
fn figures_query(o: &Observed) -> Vec<(String, String)> {
    let mut q: Vec<(String, String)> = [
        ("gmv", o.gmv.to_string()),
        ("orders", o.orders.to_string()),
        ("peak_viewers", o.peak_viewers.to_string()),
        ("unique_viewers", o.unique_viewers.to_string()),
        ("questions", o.questions.to_string()),
        ("questions_answered", o.questions_answered.to_string()),
        ("highlight_views", o.highlight_views.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if !o.sessions.is_empty() {
        let list = |f: &dyn Fn(&livehire_domain::payout::SessionFigures) -> String| {
            o.sessions.iter().map(f).collect::<Vec<_>>().join(",")
        };
        q.push(("session_gmv".into(), list(&|s| s.gmv.to_string())));
        q.push((
            "session_unique_viewers".into(),
            list(&|s| s.unique_viewers.to_string()),
        ));
        q.push((
            "session_peak_viewers".into(),
            list(&|s| s.peak_viewers.to_string()),
        ));
        q.push((
            "sessions_completed".into(),
            o.sessions
                .iter()
                .filter(|s| s.completed)
                .count()
                .to_string(),
        ));
    }
    q
}

async fn load(
    app: &App,
    caller: &Caller,
    id: &TaskId,
    what_if: Option<Vec<(String, String)>>,
) -> ApiResult<Loaded> {
    let TaskPage {
        task,
        terms,
        offers,
        messages,
        older_messages,
        has_submission,
    } = app.task_page(caller, id).await?;
    let owner = caller.kind == CallerKind::Agent;
    let assigned = task.assigned_human_id.as_deref() == Some(caller.id.as_str());
    let mut scores = HashMap::new();
    if owner && !offers.is_empty() && task.status == TaskStatus::Open {
        scores = match_scores(app, caller, id).await;
    }
    let submission = if has_submission && (owner || assigned) {
        not_found_is_none(app.submission(caller, id).await)?
    } else {
        None
    };
    let figures = match what_if {
        Some(q) => Some(q),
        None => submission.as_ref().map(|s| figures_query(&s.figures)),
    };
    let paid = match task.status {
        TaskStatus::Approved if owner || assigned => app.paid_payout(caller, id).await?,
        _ => None,
    };
    let payout = match (&paid, figures) {
        (Some(p), _) => Some(Ok(p.payout.clone())),
        (None, Some(q)) if owner || assigned => Some(preview(app, caller, id, &q).await?),
        _ => None,
    };
    let paid = paid.is_some();
    let mut names = HashMap::new();
    {
        let ids = offers
            .iter()
            .map(|o| o.human_id.to_string())
            .chain(task.assigned_human_id.clone());
        for h in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(h)
                && let Ok(host) = app.host(&HostId::from(slot.key().as_str())).await
            {
                slot.insert(host.name);
            }
        }
    }
    let rated = match (&task.assigned_human_id, task.status) {
        (Some(h), TaskStatus::Approved) if owner => app
            .host(&HostId::from(h.as_str()))
            .await
            .ok()
            .and_then(|host| host.ratings)
            .and_then(|ratings| {
                ratings
                    .into_iter()
                    .find(|r| r.task_id.as_str() == id.as_str())
                    .map(|r| (r.overall_rating, r.review_text))
            }),
        _ => None,
    };
    Ok(Loaded {
        task,
        terms,
        offers,
        scores,
        names,
        messages,
        older_messages,
        submission,
        payout,
        paid,
        rated,
    })
}

/// The payout for what-if figures: the breakdown, or the figures' errors.
async fn preview(
    app: &App,
    caller: &Caller,
    id: &TaskId,
    q: &[(String, String)],
) -> ApiResult<Result<Payout, Vec<String>>> {
    let result = match PayoutPreviewQuery::parse(q) {
        Ok(q) => app.payout_preview(caller, id, &q).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => Ok(Ok(p)),
        Err(ApiError::Validation(errors)) => Ok(Err(errors
            .into_iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect())),
        Err(e) => Err(e),
    }
}

/// Match scores of the hosts eligible for the task (host search
/// `for_task`, best 100), by host id.
async fn match_scores(app: &App, caller: &Caller, id: &TaskId) -> HashMap<String, f64> {
    let pairs = vec![
        ("for_task".to_string(), id.to_string()),
        ("limit".to_string(), "100".to_string()),
    ];
    let Ok(query) = livehire_domain::search::HostQuery::parse(&pairs) else {
        return HashMap::new();
    };
    let Ok(found) = app.search_hosts(caller, query).await else {
        return HashMap::new();
    };
    let json: serde_json::Value = serde_json::from_str(found.as_json()).unwrap_or_default();
    json["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| {
            Some((
                h["human_id"].as_str()?.to_string(),
                h["match"]["score"].as_f64()?,
            ))
        })
        .collect()
}

async fn render(
    app: &App,
    page: &Page,
    caller: &Caller,
    id: &str,
    refill: &Refill,
    what_if: Option<Vec<(String, String)>>,
) -> ApiResult<Html<String>> {
    let task_id = TaskId::from(id.to_string());
    let l = load(app, caller, &task_id, what_if).await?;
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let task = &l.task;
    let owner = caller.kind == CallerKind::Agent;
    let assigned = task.assigned_human_id.as_deref() == Some(caller.id.as_str());
    let currency = l.terms.currency.code();
    let zone = task_zone(task)
        .map(str::to_string)
        .or_else(|| l.terms.time_zone.map(|z| z.name().to_string()));
    let zone = zone.as_deref();
    let base = format!("/dashboard/tasks/{id}");
    let action = |a: &str| format!("{base}/{a}");
    let title = task_title(task).to_string();
    let text = |key: &str| {
        task.extra
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let host_link = |h: &str| -> Markup {
        html! { a href={ "/dashboard/hosts/" (h) } { (l.names.get(h).map_or(h, String::as_str)) } }
    };
    let body = html! {
        p { a href="/dashboard" { "← " (t("nav-dashboard")) } }
        h1 { (title) }
        p.muted { (status_label(lang, task.status.as_str())) " · " code { (task.id) }
            " " button type="button" data-copy=(task.id) aria-label=(t("task-copy-id")) { (t("button-copy")) } }
        (errors_box(lang, &refill.errors))
        div.two {
            section.card #details {
                h2 { (t("task-details")) }
                p.pitch { (text("description")) }
                dl.facts {
                    dt { (t("task-deadline")) } dd { (when(&text("deadline"), zone)) }
                    @if let Some(h) = &task.assigned_human_id {
                        dt { (t("task-assigned-host")) } dd { (host_link(h)) }
                    }
                    @if let Some(z) = zone { dt { (t("task-time-zone")) } dd { (z) } }
                }
                (requirements(lang, task))
            }
            section.card #terms {
                h2 { (t("task-pay-terms")) }
                ul.terms { @for line in commission_words(lang, &l.terms.commission) { li { (line) } } }
                @if let Some(agreed) = task.agreed_base_payment {
                    p { (t("task-agreed-base")) ": " b { (money(agreed, currency)) } }
                }
            }
        }
        @if owner { (offers_section(page, &l, &action("assign"), &host_link)) }
        @if !owner { (host_offer_section(page, &l, refill, &action)) }
        (submission_section(page, &l, assigned, refill, &action("submit")))
        @if owner || assigned { (payout_section(page, &l, &base, refill)) }
        @if owner { (agent_actions(page, &l, refill, &action)) }
        @if owner || assigned || task.your_offer.is_some() {
            (messages_section(page, &l, caller, refill, &action("message"), &host_link))
        }
        section.card #sessions {
            h2 { (t("task-sessions")) }
            div.scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { "#" }
                    th scope="col" { (t("col-scheduled")) }
                    th scope="col" { (t("col-duration")) }
                    th scope="col" { (t("col-status")) }
                } }
                tbody { @for (i, s) in task.sessions.iter().enumerate() { tr {
                    td {
                        // The session page is for who runs the session: the agent and the assigned host.
                        @if owner || assigned {
                            a href={ "/dashboard/sessions/" (s.id) } { (t("task-session")) " " (i + 1) }
                        } @else {
                            (t("task-session")) " " (i + 1)
                        }
                        @if let Some(theme) = &s.theme { br; small.muted { (theme) } } }
                    td { @match &s.scheduled_time { Some(at) => (when(at, zone)), None => span.muted { (t("task-to-agree")) } } }
                    td.num { (lang.t_count("minutes", "count", s.duration_minutes.max(0) as u64)) }
                    td { (lang.t(&format!("session-{}", s.status.as_str()))) }
                } } }
            } }
            @if owner || assigned {
                p { a href={ (base) "/report" } { (t("task-report")) } }
            }
        }
        @if !l.terms.products.is_empty() {
            section.card #products {
                h2 { (t("task-products")) }
                div.scroll tabindex="0" { table {
                    thead { tr {
                        th scope="col" { (t("col-product")) }
                        th scope="col" { (t("col-retail")) }
                        th scope="col" { (t("col-live-price")) }
                        th scope="col" { (t("col-discount")) }
                        th scope="col" { (t("col-stock")) }
                    } }
                    tbody { @for p in &l.terms.products { tr {
                        td { (p.name.as_deref().unwrap_or("")) br; small.muted { (p.product_id) } }
                        td.num { @if let Some(v) = p.retail_price { (money(v, currency)) } }
                        td.num { @if let Some(v) = p.live_discount_price { (money(v, currency)) } }
                        td.num { @if let Some(v) = p.launch_discount { (percent(v / rust_decimal::Decimal::ONE_HUNDRED)) } }
                        td.num { @if let Some(v) = p.stock_quantity { (group(v)) } }
                    } } }
                } }
            }
        }
        (run_of_show(page, task, owner, &action("run-of-show")))
        @if owner { (cancel_section(page, task.status, &action("cancel"))) }
    };
    Ok(layout(page, &title, body))
}
