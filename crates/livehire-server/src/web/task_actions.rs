//! `POST /dashboard/tasks/{id}/{action}`: the task page's forms, each one
//! service call as the logged-in account. Success redirects (303) back to
//! the page's section; a failure shows the page again with the errors and
//! the form refilled.

use axum::extract::{Form, Path, State};
use axum::response::Response;
use livehire_domain::ids::{HostId, TaskId};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::Page;
use super::task_pages::{Refill, field, render_failed};
use super::task_sections::{SESSION_FIELDS, SUBMISSION_COUNTS};
use crate::app::{
    Amount, App, Approval, Assignment, NewApplication, NewMessage, NewRating, NewSubmission,
    RevisionRequest, RunOfShowRequest,
};
use crate::error::{ApiError, ApiResult};

/// An optional amount field: empty is absent; not a number is the field's error.
fn amount(form: &[(String, String)], name: &str) -> ApiResult<Option<Amount>> {
    let text = field(form, name).trim().replace([',', '_'], "");
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Decimal>()
        .map(|d| Some(Amount(d)))
        .map_err(|_| ApiError::field(name, "must be an amount such as 1500 or 1500.00"))
}

/// A number as JSON when it is one, else the text as sent (so the service
/// names the field that is wrong).
fn number_or_text(text: &str) -> Value {
    let text = text.trim().replace([',', '_'], "");
    if let Ok(n) = text.parse::<u64>() {
        json!(n)
    } else if let Ok(d) = text.parse::<Decimal>() {
        json!(d.to_string())
    } else {
        json!(text)
    }
}

/// The submission as `POST /api/v1/tasks/{id}/submission` takes it, from
/// the form's fields (fields left empty are left out).
fn submission(form: &[(String, String)]) -> NewSubmission {
    let mut body = Map::new();
    for key in ["recording_url", "highlight_reel_url"] {
        let v = field(form, key).trim();
        if !v.is_empty() {
            body.insert(key.into(), json!(v));
        }
    }
    let gmv = field(form, "total_gmv");
    let mut report = Map::new();
    if !gmv.trim().is_empty() {
        report.insert("total_gmv".into(), number_or_text(gmv));
    }
    let mut analytics = Map::new();
    for (name, _) in SUBMISSION_COUNTS {
        let v = field(form, name);
        if v.trim().is_empty() {
            continue;
        }
        match name {
            "orders" => {
                report.insert(name.into(), number_or_text(v));
            }
            "highlight_views" => {
                body.insert(name.into(), number_or_text(v));
            }
            _ => {
                analytics.insert(name.into(), number_or_text(v));
            }
        }
    }
    if !report.is_empty() {
        body.insert("gmv_report".into(), Value::Object(report));
    }
    if !analytics.is_empty() {
        body.insert("viewer_analytics".into(), Value::Object(analytics));
    }
    // A series: one block per session the host filled in, by its id.
    let mut sessions = Vec::new();
    for i in 0.. {
        let id = field(form, &format!("session_{i}_id"));
        if id.is_empty() {
            break;
        }
        let (mut report, mut analytics) = (Map::new(), Map::new());
        for (name, _) in SESSION_FIELDS {
            let v = field(form, &format!("session_{i}_{name}"));
            if v.trim().is_empty() {
                continue;
            }
            match name {
                "gmv" => report.insert("total_gmv".into(), number_or_text(v)),
                "orders" => report.insert(name.into(), number_or_text(v)),
                _ => analytics.insert(name.into(), number_or_text(v)),
            };
        }
        if report.is_empty() && analytics.is_empty() {
            continue;
        }
        let mut block = Map::new();
        block.insert("session_id".into(), json!(id));
        if !report.is_empty() {
            block.insert("gmv_report".into(), Value::Object(report));
        }
        if !analytics.is_empty() {
            block.insert("viewer_analytics".into(), Value::Object(analytics));
        }
        sessions.push(Value::Object(block));
    }
    if !sessions.is_empty() {
        body.insert("sessions".into(), Value::Array(sessions));
    }
    NewSubmission(body)
}

/// Runs `action` on task `id` as `page`'s account.
async fn act(
    app: &App,
    page: &Page,
    id: &TaskId,
    action: &str,
    form: &[(String, String)],
) -> ApiResult<&'static str> {
    let Some(session) = &page.session else {
        return Err(ApiError::Unauthorized("log in first"));
    };
    let caller = &session.account;
    let text = |name: &str| field(form, name).to_string();
    let anchor = match action {
        "assign" => {
            let body = Assignment {
                human_id: HostId::from(text("human_id")),
                accept_proposed_compensation: field(form, "accept_proposed") == "true",
            };
            app.assign(caller, id, &body).await?;
            "offers"
        }
        "message" => {
            let human_id = Some(text("human_id"))
                .filter(|h| !h.is_empty())
                .map(HostId::from);
            app.post_message(
                caller,
                id,
                NewMessage {
                    text: text("text"),
                    human_id,
                },
            )
            .await?;
            "messages"
        }
        "apply" => {
            let body = NewApplication {
                pitch: text("pitch"),
                proposed_compensation: amount(form, "proposed_compensation")?,
            };
            app.apply_to(caller, id, body).await?;
            "offer"
        }
        "accept" => {
            app.accept(caller, id).await?;
            "details"
        }
        "submit" => {
            app.submit(caller, id, submission(form)).await?;
            "submission"
        }
        "approve" => {
            app.approve(caller, id, Approval::default()).await?;
            "payout"
        }
        "revision" => {
            app.request_revision(
                caller,
                id,
                RevisionRequest {
                    reason: text("reason"),
                },
            )
            .await?;
            "submission"
        }
        "rate" => {
            let overall_rating = field(form, "overall_rating").trim().parse().map_err(|_| {
                ApiError::field("overall_rating", "must be a whole number from 1 to 5")
            })?;
            let review = text("review_text");
            let body = NewRating {
                overall_rating,
                review_text: (!review.trim().is_empty()).then_some(review),
                tip_amount: amount(form, "tip_amount")?,
            };
            app.rate(caller, id, body).await?;
            "rating"
        }
        "cancel" => {
            app.cancel_task(caller, id).await?;
            "details"
        }
        "run-of-show" => {
            app.save_run_of_show(caller, id, RunOfShowRequest::default())
                .await?;
            "run-of-show"
        }
        _ => return Err(ApiError::NotFound("page".into())),
    };
    Ok(anchor)
}

/// `POST /dashboard/tasks/{id}/{action}`.
pub(super) async fn task_action(
    State(app): State<App>,
    page: Page,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    if let Some(denied) = page.refuse_csrf(field(&form, "csrf")) {
        return denied;
    }
    let task_id = TaskId::from(id.clone());
    match act(&app, &page, &task_id, &action, &form).await {
        Ok(anchor) => page.redirect(&format!("/dashboard/tasks/{id}#{anchor}"), Vec::new()),
        Err(e) => match Refill::of_error(page.lang, e, &form) {
            Ok(refill) => render_failed(&app, page, &session.account, &id, refill).await,
            Err(resp) => *resp,
        },
    }
}
