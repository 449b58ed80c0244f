//! `GET /dashboard/hosts/{id}`: a host's profile, figures, verification and
//! ratings (`App::host`), with an agent's invite form listing its open tasks;
//! `POST /dashboard/hosts/{id}/invite` invites through `App::invite`.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use livehire_domain::ids::{HostId, TaskId};
use livehire_store::{Caller, CallerKind, TaskStatus};
use maud::html;
use serde_json::Number;

use super::Page;
use super::pages::{error_page, errors_box, layout, task_title, when};
use super::task_pages::{Refill, csrf_field, field};
use crate::app::{App, HostView, MetricsSource, PageRequest, TaskListQuery, TaskView};
use crate::error::ApiResult;

fn grouped(n: &Option<Number>) -> String {
    n.as_ref()
        .map(|n| livehire_domain::money::group_thousands(&n.to_string()))
        .unwrap_or_else(|| "—".into())
}

fn rate(n: &Option<Number>) -> String {
    n.as_ref()
        .and_then(Number::as_f64)
        .map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

async fn open_tasks(app: &App, caller: &Caller) -> ApiResult<Vec<TaskView>> {
    if caller.kind != CallerKind::Agent {
        return Ok(Vec::new());
    }
    Ok(app
        .list_tasks(
            caller,
            TaskListQuery {
                status: Some(TaskStatus::Open),
                page: PageRequest {
                    limit: 100,
                    cursor: None,
                },
            },
        )
        .await?
        .data)
}

async fn render(
    app: &App,
    page: &Page,
    caller: &Caller,
    id: &str,
    refill: &Refill,
) -> ApiResult<Html<String>> {
    let host = app.host(&HostId::from(id)).await?;
    let tasks = open_tasks(app, caller).await?;
    Ok(profile(page, &host, &tasks, refill))
}

fn profile(page: &Page, h: &HostView, tasks: &[TaskView], refill: &Refill) -> Html<String> {
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let list = |v: &Option<Vec<String>>| v.as_ref().map(|v| v.join(", ")).unwrap_or_default();
    let followers = h.follower_stats.as_ref();
    let metrics = h.live_commerce_metrics.as_ref();
    let agent = page
        .session
        .as_ref()
        .is_some_and(|s| s.account.kind == CallerKind::Agent);
    let body = html! {
        p { a href="/dashboard/hosts" { "← " (t("hosts-title")) } }
        h1 { (h.name) }
        p.muted {
            @if let Some(handle) = &h.tiktok_handle { (handle) " · " }
            code { (h.human_id) }
        }
        (errors_box(lang, &refill.errors))
        @if let Some(bio) = &h.bio { p { (bio) } }
        div.stats {
            div.stat { b { (grouped(&followers.and_then(|f| f.followers.clone()))) } (t("col-followers")) }
            div.stat { b { (grouped(&followers.and_then(|f| f.avg_live_viewers.clone()))) } (t("host-avg-viewers")) }
            div.stat { b { (grouped(&metrics.and_then(|m| m.avg_gmv_per_session.clone()))) } (t("col-avg-gmv")) }
            div.stat { b { (rate(&metrics.and_then(|m| m.avg_conversion_rate.clone()))) } (t("col-conversion")) }
            div.stat { b { (h.rating.as_ref().and_then(Number::as_f64).map(|r| format!("{r:.1}")).unwrap_or_else(|| "—".into())) } (t("col-rating")) }
            div.stat { b { (h.completion_count) } (t("host-completed")) }
        }
        section.card {
            h2 { (t("host-profile")) }
            dl.facts {
                dt { (t("col-niches")) } dd { (list(&h.niches)) }
                dt { (t("host-skills")) } dd { (list(&h.skills)) }
                dt { (t("host-expertise")) } dd { (list(&h.product_expertise)) }
                dt { (t("host-specialties")) } dd { (list(&h.hosting_specialties)) }
                @if let Some(range) = &h.compensation_range {
                    dt { (t("col-rate")) } dd { (grouped(&range.min)) "–" (grouped(&range.max)) " " (range.currency.as_deref().unwrap_or("")) }
                }
                @if let Some(z) = &h.time_zone { dt { (t("field-time-zone")) } dd { (z) } }
            }
        }
        section.card {
            h2 { (t("host-verification")) }
            ul {
                li { (t(if h.tiktok_shop_verified { "host-shop-verified" } else { "host-shop-unverified" })) }
                li { (t(match h.metrics_source { MetricsSource::Monitored => "host-metrics-verified", _ => "host-metrics-self" })) }
                @if !h.badges.is_empty() { li { (t("host-badges")) ": " (h.badges.join(", ")) } }
            }
        }
        @if agent {
            section.card #invite {
                h2 { (t("host-invite")) }
                @if tasks.is_empty() {
                    p.muted { (t("host-no-open-tasks")) " " a href="/dashboard/tasks/new" { (t("nav-new-task")) } }
                } @else {
                    form.stack method="post" action={ "/dashboard/hosts/" (h.human_id) "/invite" } {
                        (csrf_field(page))
                        label { (t("field-task"))
                            select name="task_id" required {
                                @for task in tasks {
                                    option value=(task.id) selected[refill.get("task_id") == task.id] { (task_title(task)) }
                                }
                            }
                        }
                        button type="submit" { (t("button-invite")) }
                    }
                }
            }
        }
        section.card {
            h2 { (t("host-ratings")) }
            @match &h.ratings {
                Some(ratings) if !ratings.is_empty() => {
                    ul.ratings { @for r in ratings {
                        li {
                            b { (lang.t_count("stars", "count", r.overall_rating.max(0) as u64)) }
                            " · " small.muted { (when(&r.created_at, None)) }
                            @if let Some(text) = &r.review_text { p.pitch { (text) } }
                        }
                    } }
                },
                _ => p.muted { (t("host-no-ratings")) },
            }
        }
    };
    layout(page, &h.name, body)
}

/// `GET /dashboard/hosts/{id}`.
pub(super) async fn host(State(app): State<App>, page: Page, Path(id): Path<String>) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    match render(&app, &page, &session.account, &id, &Refill::default()).await {
        Ok(body) => page.finish(body),
        Err(e) => error_page(page.lang, e),
    }
}

/// `POST /dashboard/hosts/{id}/invite`: invites the host to the chosen task,
/// then shows that task.
pub(super) async fn invite(
    State(app): State<App>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    if let Some(denied) = page.refuse_csrf(field(&form, "csrf")) {
        return denied;
    }
    let task_id = field(&form, "task_id").to_string();
    let invited = app
        .invite(
            &session.account,
            &TaskId::from(task_id.clone()),
            &HostId::from(id.as_str()),
        )
        .await;
    match invited {
        Ok(_) => page.redirect(&format!("/dashboard/tasks/{task_id}#offers"), Vec::new()),
        Err(e) => {
            let refill = match Refill::of_error(page.lang, e, &form) {
                Ok(r) => r,
                Err(resp) => return *resp,
            };
            let status = refill.status.unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            match render(&app, &page, &session.account, &id, &refill).await {
                Ok(body) => page.finish((status, body)),
                Err(e) => error_page(page.lang, e),
            }
        }
    }
}
