//! Offers, assignment, submission, approval, rating, run of show.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::app::{
    App, Approval, Assignment, HostRef, InvitationPage, NewApplication, NewRating, OfferView,
    RevisionRequest,
};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

/// Invites a host to an open task (agent). The host must meet the requirements.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/invitations", tag = "offers", security(("bearer" = [])),
    params(("task_id" = String, Path)), request_body = HostRef,
    responses((status = 201, body = OfferView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<HostRef>,
) -> ApiResult<(StatusCode, Json<OfferView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.invite(&caller, &task_id, &body.human_id).await?),
    ))
}

/// Lists a task's invitations (agent).
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/invitations", tag = "offers", security(("bearer" = [])),
    params(("task_id" = String, Path)),
    responses((status = 200, description = "`{data: [invitation…]}`", body = Object), (status = 404, body = ErrorBody)))]
pub async fn invitations(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "data": app.offers(&caller, &task_id, "invitation").await? }),
    ))
}

/// The calling host's invitations, newest first, with each task's title,
/// compensation, currency and scheduled time; accept a pending one with
/// `POST /api/v1/tasks/{task_id}/accept`.
#[utoipa::path(get, path = "/api/v1/me/invitations", tag = "offers", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "1–100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of the host's invitations: `{data: [invitation…], next_cursor}`", body = InvitationPage),
        (status = 401, description = "No key, or an unknown or revoked key", body = ErrorBody),
        (status = 403, description = "The caller is an agent: only hosts have invitations", body = ErrorBody),
        (status = 422, description = "A bad `limit` or `cursor`", body = ErrorBody)))]
pub async fn my_invitations(
    State(app): State<App>,
    Auth(caller): Auth,
    q: QueryPairs,
) -> ApiResult<Json<InvitationPage>> {
    Ok(Json(
        app.my_invitations(&caller, q.get("limit"), q.get("cursor"))
            .await?,
    ))
}

/// Applies to an open task (host). The host must meet the requirements.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/applications", tag = "offers", security(("bearer" = [])),
    params(("task_id" = String, Path)), request_body = NewApplication,
    responses((status = 201, body = OfferView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn apply(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<NewApplication>,
) -> ApiResult<(StatusCode, Json<OfferView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.apply_to(&caller, &task_id, body).await?),
    ))
}

/// Lists a task's applications (agent).
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/applications", tag = "offers", security(("bearer" = [])),
    params(("task_id" = String, Path)),
    responses((status = 200, description = "`{data: [application…]}`", body = Object), (status = 404, body = ErrorBody)))]
pub async fn applications(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "data": app.offers(&caller, &task_id, "application").await? }),
    ))
}

/// Assigns an applicant or invitee (agent); the base payment moves into escrow.
/// With `accept_proposed_compensation: true` the base is the compensation the
/// host proposed in its application; the task then shows it as
/// `agreed_base_payment` and the payout's base line pays it.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/assign", tag = "offers", security(("bearer" = [])),
    params(("task_id" = String, Path)), request_body = Assignment,
    responses((status = 200, description = "The task, `status: assigned`, with `agreed_base_payment`", body = Object),
        (status = 402, description = "`insufficient_funds`: the wallet cannot cover the base; the shortfall is named and nothing changed", body = ErrorBody),
        (status = 409, description = "`invalid_state`: the task is not open", body = ErrorBody),
        (status = 422, description = "The host has not applied or been invited, is not eligible, or proposed no compensation to accept", body = ErrorBody)))]
pub async fn assign(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<Assignment>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.assign(&caller, &task_id, &body).await?))
}

/// Accepts an invitation (host), which assigns the task; the task's base moves
/// from the brand's wallet into escrow.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/accept", tag = "offers", security(("bearer" = [])),
    params(("task_id" = String, Path)),
    responses((status = 200, description = "The task, `status: assigned`, with `your_offer.status: accepted`", body = Object),
        (status = 403, description = "No pending invitation for this host, or an agent key", body = ErrorBody),
        (status = 409, description = "`escrow_unfunded`: the brand has not funded the escrow yet; nothing changed and the invitation stays pending. `invalid_state`: the task is not open", body = ErrorBody),
        (status = 422, description = "The host no longer meets the task's requirements", body = ErrorBody)))]
pub async fn accept(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.accept(&caller, &task_id).await?))
}

/// Submits results (assigned host): recording, GMV report, viewer analytics,
/// top products, per-session blocks for a series.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/submission", tag = "settlement", security(("bearer" = [])),
    params(("task_id" = String, Path)), request_body = Object,
    responses((status = 201, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.submit(&caller, &task_id, body).await?),
    ))
}

/// The latest submission, its figures and its revision history.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/submission", tag = "settlement", security(("bearer" = [])),
    params(("task_id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn submission(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.submission(&caller, &task_id).await?))
}

/// Asks the host for changes (agent); the task goes back to `in_progress`.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/request-revision", tag = "settlement", security(("bearer" = [])),
    params(("task_id" = String, Path)), request_body = RevisionRequest,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody)))]
pub async fn request_revision(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<RevisionRequest>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.request_revision(&caller, &task_id, body).await?))
}

/// Approves and pays (agent): `{task, payout: {currency, gmv, lines, total,
/// host_cost, roi, figures_used}}`. Without a body the payout reads each
/// session's verified figures where it has any (the host's submission
/// otherwise); `{"figures": "host_reported"}` pays on the host's word, and
/// `stated` replaces figures with the agent's own. `figures_used` says, per
/// session, which figures paid. The task's sessions are frozen afterwards.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/approve", tag = "settlement", security(("bearer" = [])),
    params(("task_id" = String, Path)), request_body(content = Approval, description = "Optional"),
    responses((status = 200, body = Object), (status = 402, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<Approval>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.approve(&caller, &task_id, body).await?))
}

/// What the payout would be for given figures.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/payout-preview", tag = "settlement", security(("bearer" = [])),
    params(("task_id" = String, Path), ("gmv" = Option<f64>, Query), ("orders" = Option<u64>, Query),
        ("peak_viewers" = Option<u64>, Query), ("unique_viewers" = Option<u64>, Query),
        ("questions" = Option<u64>, Query), ("questions_answered" = Option<u64>, Query),
        ("highlight_views" = Option<u64>, Query),
        ("session_gmv" = Option<String>, Query, description = "Comma list per session, session 1 first"),
        ("session_unique_viewers" = Option<String>, Query), ("session_peak_viewers" = Option<String>, Query),
        ("sessions_completed" = Option<u64>, Query)),
    responses((status = 200, description = "`{currency, gmv, lines, total, host_cost, roi}`", body = Object), (status = 422, body = ErrorBody)))]
pub async fn payout_preview(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.payout_preview(&caller, &task_id, &q).await?))
}

/// Rates the host once after approval, with an optional tip.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/rate", tag = "settlement", security(("bearer" = [])),
    params(("task_id" = String, Path)), request_body = NewRating,
    responses((status = 200, body = Object), (status = 402, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rate(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<NewRating>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.rate(&caller, &task_id, body).await?))
}

/// Proposes a run of show (empty body) or saves the agent's edited plan
/// (`{sessions: [{session_index, duration_minutes, segments: [...]}]}`).
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/run-of-show", tag = "tasks", security(("bearer" = [])),
    params(("task_id" = String, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn run_of_show_post(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<Value>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.save_run_of_show(&caller, &task_id, body).await?))
}

/// The task's saved run of show.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/run-of-show", tag = "tasks", security(("bearer" = [])),
    params(("task_id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn run_of_show_get(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.run_of_show(&caller, &task_id).await?))
}
