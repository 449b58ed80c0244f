//! Post-session and series reports: JSON, SVG charts and HTML pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use livehire_domain::ids::{SessionId, TaskId};

use super::doc;
use crate::app::{App, SeriesReport, SessionReport};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;

/// The session report: the session, its metrics (the names of `…/metrics`,
/// TikTok Shop's in `tiktok_shop`), `timeline.points` per minute
/// (`concurrent_viewers`, `cumulative_gmv`; the last equals `metrics.gmv`),
/// `flash_sales` with their windows and units sold, and `formulas` naming how
/// each TikTok Shop field is computed.
#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/report", tag = "reports", operation_id = "sessions_report_get", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    responses(
        (status = 200, description = "The session report", body = SessionReport),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody)))]
pub async fn session(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
) -> ApiResult<Json<SessionReport>> {
    Ok(Json(app.session_report(&caller, &session_id).await?))
}

/// The session report's charts as one SVG: concurrent viewers over time with
/// flash sales shaded, cumulative GMV, the after-join retention curve and the
/// top products by GMV.
#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/report.svg", tag = "reports", operation_id = "sessions_report_svg", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    responses(
        (status = 200, description = "The charts, one SVG document", content_type = "image/svg+xml", body = String),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody)))]
pub async fn session_svg(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
) -> ApiResult<Response> {
    let svg = app.session_report_svg(&caller, &session_id).await?;
    Ok((
        [
            (CONTENT_TYPE, "image/svg+xml; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

/// The session report as one self-contained HTML page (charts inlined, no
/// external resources), the key figures beside TikTok Shop's names.
#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/report.html", tag = "reports", operation_id = "sessions_report_html", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    responses(
        (status = 200, description = "The page, self-contained", content_type = "text/html", body = String),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody)))]
pub async fn session_html(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
) -> ApiResult<Html<String>> {
    Ok(Html(app.session_report_html(&caller, &session_id).await?))
}

/// The series report: each session (a week of a series) side by side —
/// unique viewers, peak viewers, GMV, orders, conversion, average watch time
/// (null for a session not monitored here) — and `growth` in % from the first
/// monitored session to the last (viewers and GMV).
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/report", tag = "reports", operation_id = "tasks_report_get", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    responses(
        (status = 200, description = "The task's sessions side by side, with growth", body = SeriesReport),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = "`not_found`: no such task, or the caller is neither its agent nor its assigned host", body = ErrorBody)))]
pub async fn series(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<TaskId>,
) -> ApiResult<Json<SeriesReport>> {
    Ok(Json(app.series_report(&caller, &task_id).await?))
}

/// The series report as one self-contained HTML page: the table and a bar
/// chart per figure.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/report.html", tag = "reports", operation_id = "tasks_report_html", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    responses(
        (status = 200, description = "The page, self-contained", content_type = "text/html", body = String),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = "`not_found`: no such task, or the caller is neither its agent nor its assigned host", body = ErrorBody)))]
pub async fn series_html(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<TaskId>,
) -> ApiResult<Html<String>> {
    Ok(Html(app.series_report_html(&caller, &task_id).await?))
}
