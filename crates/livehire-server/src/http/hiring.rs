//! Offers, assignment, submission, approval, rating, run of show.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use livehire_domain::ids::TaskId;
use livehire_domain::payout::Payout;

use super::{doc, examples};
use crate::app::{
    App, Approval, ApprovalView, Assignment, HostRef, InvitationView, NewApplication, NewRating,
    NewSubmission, OfferKind, OfferList, OfferView, Page, PageRequest, PayoutPreviewQuery,
    RatingView, RevisionRequest, RunOfShowRequest, RunOfShowView, SubmissionView, TaskView,
};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

/// Invites a host to an open task (agent). The host must meet the requirements.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/invitations", tag = "offers", operation_id = "tasks_invitations_create", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    request_body(content = HostRef,
        examples(("live_queen_chen" = (summary = "Invite a host", value = json!(examples::invitation()))))),
    responses(
        (status = 201, description = "The invitation, `status: pending`", body = OfferView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the task is not open; `conflict`: this host was invited already; `task_terms_invalid`: a task stored before its terms were, whose body the rules now refuse", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: no such host, or each requirement it does not meet (`requirements.…`)", body = ErrorBody)))]
pub async fn invite(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<HostRef>,
) -> ApiResult<(StatusCode, Json<OfferView>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            app.invite(&caller, &TaskId::from(task_id), &body.human_id)
                .await?,
        ),
    ))
}

/// Lists a task's invitations (agent).
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/invitations", tag = "offers", operation_id = "tasks_invitations_list", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    responses(
        (status = 200, description = "`{data: [invitation…]}`", body = OfferList),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody)))]
pub async fn invitations(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<OfferList>> {
    Ok(Json(
        app.offers(&caller, &TaskId::from(task_id), OfferKind::Invitation)
            .await?,
    ))
}

/// The calling host's invitations, newest first, with each task's title,
/// compensation, currency and scheduled time; accept a pending one with
/// `POST /api/v1/tasks/{task_id}/accept`.
#[utoipa::path(get, path = "/api/v1/me/invitations", tag = "offers", operation_id = "me_invitations_list", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1–100, default 20"),
        ("cursor" = Option<String>, Query, min_length = 1, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of the host's invitations: `{data: [invitation…], next_cursor}`", body = Page<InvitationView>),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::HOST_ONLY, body = ErrorBody),
        (status = 422, description = doc::BAD_PAGE, body = ErrorBody)))]
pub async fn my_invitations(
    State(app): State<App>,
    Auth(caller): Auth,
    q: QueryPairs,
) -> ApiResult<Json<Page<InvitationView>>> {
    let page = PageRequest::parse(q.get("limit"), q.get("cursor"), 20, 100)?;
    Ok(Json(app.my_invitations(&caller, page).await?))
}

/// Applies to an open task (host). The host must meet the requirements.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/applications", tag = "offers", operation_id = "tasks_applications_create", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    request_body(content = NewApplication,
        examples(("pitch" = (summary = "A pitch with a proposed base", value = json!(examples::application()))))),
    responses(
        (status = 201, description = "The application, `status: pending`", body = OfferView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::HOST_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the task is not open; `conflict`: this host applied already; `task_terms_invalid`: a task stored before its terms were, whose body the rules now refuse", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: `pitch` empty or over 5,000 characters, a bad `proposed_compensation`, or each requirement the host does not meet", body = ErrorBody)))]
pub async fn apply(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<NewApplication>,
) -> ApiResult<(StatusCode, Json<OfferView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.apply_to(&caller, &TaskId::from(task_id), body).await?),
    ))
}

/// Lists a task's applications (agent).
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/applications", tag = "offers", operation_id = "tasks_applications_list", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    responses(
        (status = 200, description = "`{data: [application…]}`", body = OfferList),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody)))]
pub async fn applications(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<OfferList>> {
    Ok(Json(
        app.offers(&caller, &TaskId::from(task_id), OfferKind::Application)
            .await?,
    ))
}

/// Assigns an applicant or invitee (agent); the base payment moves into escrow.
/// With `accept_proposed_compensation: true` the base is the compensation the
/// host proposed in its application; the task then shows it as
/// `agreed_base_payment` and the payout's base line pays it.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/assign", tag = "offers", operation_id = "tasks_assign", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    request_body(content = Assignment,
        examples(("task_base" = (summary = "Assign an applicant at the task's own base", value = json!(examples::assignment()))))),
    responses((status = 200, description = "The task, `status: assigned`, with `agreed_base_payment`", body = TaskView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 402, description = "`insufficient_funds`: the wallet cannot cover the base; the shortfall is named and nothing changed", body = ErrorBody),
        (status = 409, description = "`invalid_state`: the task is not open; `task_terms_invalid`: a task stored before its terms were, whose body the rules now refuse", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the host has not applied or been invited, is not eligible (each unmet requirement named), or proposed no compensation to accept", body = ErrorBody)))]
pub async fn assign(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<Assignment>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(
        app.assign(&caller, &TaskId::from(task_id), &body).await?,
    ))
}

/// Accepts an invitation (host), which assigns the task; the task's base moves
/// from the brand's wallet into escrow.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/accept", tag = "offers", operation_id = "tasks_accept", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    responses((status = 200, description = "The task, `status: assigned`, with `your_offer.status: accepted`", body = TaskView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 403, description = "`forbidden`: no pending invitation for this host, or an agent's key", body = ErrorBody),
        (status = 409, description = "`escrow_unfunded`: the brand has not funded the escrow yet; nothing changed and the invitation stays pending. `invalid_state`: the task is not open; `task_terms_invalid`: a task stored before its terms were, whose body the rules now refuse", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the host no longer meets the task's requirements (each named)", body = ErrorBody)))]
pub async fn accept(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(app.accept(&caller, &TaskId::from(task_id)).await?))
}

/// Submits results (assigned host): recording, GMV report, viewer analytics,
/// top products, per-session blocks for a series.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/submission", tag = "settlement", operation_id = "tasks_submission_post", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    request_body(content = NewSubmission, description = "`recording_url`, `highlight_reel_url`, `highlight_views`, `gmv_report`, `viewer_analytics`, `top_products`, and `sessions[]` with the same blocks per session of a series",
        examples(("after_the_session" = (summary = "What the seed's Workflow 1 says a host provides", value = json!(examples::submission()))))),
    responses(
        (status = 201, description = "The submission as `GET …/submission` shows it; the task is `submitted`", body = SubmissionView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "`forbidden`: not the task's assigned host", body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 409, description = doc::INVALID_STATE, body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: each block or figure that breaks a rule, named in `details`", body = ErrorBody)))]
pub async fn submit(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<NewSubmission>,
) -> ApiResult<(StatusCode, Json<SubmissionView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.submit(&caller, &TaskId::from(task_id), body).await?),
    ))
}

/// The latest submission, its figures and its revision history.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/submission", tag = "settlement", operation_id = "tasks_submission_get", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    responses(
        (status = 200, description = "The latest submission, the `figures` a default approval pays with `figures_used`, the verified figures per session with their `differences` from the host's report, and the revision history", body = SubmissionView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = "`not_found`: no such task, not the caller's (its agent or assigned host), or nothing submitted yet", body = ErrorBody)))]
pub async fn submission(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<SubmissionView>> {
    Ok(Json(app.submission(&caller, &TaskId::from(task_id)).await?))
}

/// Asks the host for changes (agent); the task goes back to `in_progress`.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/request-revision", tag = "settlement", operation_id = "tasks_revision_request", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    request_body(content = RevisionRequest,
        examples(("highlights" = (summary = "Ask for the missing highlight reel", value = json!({"reason": "Please add the highlight reel URL and the top-selling products breakdown."}))))),
    responses(
        (status = 200, description = "The task, back `in_progress`", body = TaskView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 409, description = doc::INVALID_STATE, body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: `reason` missing, empty or over 5,000 characters", body = ErrorBody)))]
pub async fn request_revision(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<RevisionRequest>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(
        app.request_revision(&caller, &TaskId::from(task_id), body)
            .await?,
    ))
}

/// Approves and pays (agent): `{task, payout: {currency, gmv, lines, total,
/// host_cost, roi, figures_used}}`. Without a body the payout reads each
/// session's verified figures where it has any (the host's submission
/// otherwise); `{"figures": "host_reported"}` pays on the host's word, and
/// `stated` replaces figures with the agent's own. `figures_used` says, per
/// session, which figures paid. The task's sessions are frozen afterwards.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/approve", tag = "settlement", operation_id = "tasks_approve", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    request_body(content = Approval, description = "Optional: an empty body pays on the verified figures",
        examples(("verified" = (summary = "Pay on the figures this server verified", value = json!(examples::approval()))))),
    responses(
        (status = 200, description = "`{task, payout: {currency, gmv, lines, total, host_cost, roi, figures_used}}`; the task is `approved`", body = ApprovalView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 402, description = "`insufficient_funds`: the wallet cannot cover the payout beyond the escrow; the shortfall is named and nothing changed", body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the task is not `submitted`, or one of its sessions is still live; `task_terms_invalid`: a task stored before its terms were, whose body the rules now refuse", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: an unknown `figures` basis or a `stated` figure out of bounds", body = ErrorBody)))]
pub async fn approve(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<Approval>,
) -> ApiResult<Json<ApprovalView>> {
    Ok(Json(
        app.approve(&caller, &TaskId::from(task_id), body).await?,
    ))
}

/// What the payout would be for given figures.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/payout-preview", tag = "settlement", operation_id = "tasks_payout_preview", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`"),
        ("gmv" = Option<f64>, Query, minimum = 0, maximum = 1_000_000_000_000_f64, description = "The task's GMV; at most 1,000,000,000,000 per session"),
        ("orders" = Option<u64>, Query, minimum = 0, maximum = 10_000_000_000_f64),
        ("peak_viewers" = Option<u64>, Query, minimum = 0, maximum = 10_000_000_000_f64), ("unique_viewers" = Option<u64>, Query, minimum = 0, maximum = 10_000_000_000_f64),
        ("questions" = Option<u64>, Query, minimum = 0, maximum = 10_000_000_000_f64), ("questions_answered" = Option<u64>, Query, minimum = 0, maximum = 10_000_000_000_f64),
        ("highlight_views" = Option<u64>, Query, minimum = 0, maximum = 10_000_000_000_f64),
        ("session_gmv" = Option<String>, Query, pattern = r"^[0-9]+(\.[0-9]+)?(,[0-9]+(\.[0-9]+)?)*$", description = "Comma list per session, session 1 first"),
        ("session_unique_viewers" = Option<String>, Query, pattern = r"^[0-9]+(,[0-9]+)*$"),
        ("session_peak_viewers" = Option<String>, Query, pattern = r"^[0-9]+(,[0-9]+)*$"),
        ("sessions_completed" = Option<u64>, Query, minimum = 0, maximum = 100)),
    responses(
        (status = 200, description = "`{currency, gmv, lines, total, host_cost, roi}`", body = Payout),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "`forbidden`: a host that is not the task's assigned host", body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`task_terms_invalid`: a task stored before its terms were, whose body the rules now refuse", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a figure that is not a number ≥ 0, out of bounds, or a per-session list longer than the task's sessions", body = ErrorBody)))]
pub async fn payout_preview(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    QueryPairs(q): QueryPairs,
) -> ApiResult<Json<Payout>> {
    let figures = PayoutPreviewQuery::parse(&q)?;
    Ok(Json(
        app.payout_preview(&caller, &TaskId::from(task_id), &figures)
            .await?,
    ))
}

/// Rates the host once after approval, with an optional tip.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/rate", tag = "settlement", operation_id = "tasks_rate", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    request_body(content = NewRating,
        examples(("five_stars_and_a_tip" = (summary = "The seed's Workflow 1 rating", value = json!(examples::rating()))))),
    responses(
        (status = 200, description = "`{task_id, human_id, overall_rating, review_text, tip_amount, currency, host: {rating, completion_count}}`", body = RatingView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 402, description = "`insufficient_funds`: the wallet cannot cover the tip; nothing changed", body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the task is not approved; `conflict`: it was rated already", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: `overall_rating` not 1–5, `review_text` over 10,000 characters, or a bad `tip_amount`", body = ErrorBody)))]
pub async fn rate(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<NewRating>,
) -> ApiResult<Json<RatingView>> {
    Ok(Json(app.rate(&caller, &TaskId::from(task_id), body).await?))
}

/// Proposes a run of show (empty body) or saves the agent's edited plan
/// (`{sessions: [{session_index, duration_minutes, segments: [...]}]}`).
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/run-of-show", tag = "tasks", operation_id = "tasks_run_of_show_post", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    request_body(content = RunOfShowRequest, description = "Empty to have a plan proposed, or `{sessions: [{session_index, duration_minutes, segments: [...]}]}`",
        examples(("propose" = (summary = "Propose a plan from the task", value = json!({}))))),
    responses(
        (status = 200, description = "`{task_id, source: proposed | edited, updated_at, sessions}`", body = RunOfShowView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the task is approved or cancelled; `task_terms_invalid`: a task stored before its terms were, whose body the rules now refuse", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: each part of an edited plan that breaks a rule, named in `details`", body = ErrorBody)))]
pub async fn run_of_show_post(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<RunOfShowRequest>,
) -> ApiResult<Json<RunOfShowView>> {
    Ok(Json(
        app.save_run_of_show(&caller, &TaskId::from(task_id), body)
            .await?,
    ))
}

/// The task's saved run of show.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/run-of-show", tag = "tasks", operation_id = "tasks_run_of_show_get", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    responses(
        (status = 200, description = "`{task_id, source, updated_at, sessions}`", body = RunOfShowView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = "`not_found`: no such task, not one the caller is involved in, or no run of show saved yet", body = ErrorBody)))]
pub async fn run_of_show_get(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<RunOfShowView>> {
    Ok(Json(
        app.run_of_show(&caller, &TaskId::from(task_id)).await?,
    ))
}
