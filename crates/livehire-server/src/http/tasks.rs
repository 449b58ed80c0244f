//! Tasks.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use livehire_domain::ids::TaskId;

use super::{doc, examples};
use crate::app::{App, NewTask, Page, TaskListQuery, TaskView};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

/// Posts a live-commerce task (the seed's whole body; unknown fields are kept).
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", operation_id = "tasks_create", security(("bearer" = [])),
    request_body(content = NewTask, description = "The seed's task body: title, description, compensation and currency, deadline, requirements, live_session_details, deliverables, commission_structure",
        examples(("getting_started" = (summary = "The seed's Getting Started step 3", value = json!(examples::task()))))),
    responses(
        (status = 201, description = "The task with `id`, `status: open` and `sessions[]`", body = TaskView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: every field that breaks a rule, named in `details`", body = ErrorBody)))]
pub async fn create(
    State(app): State<App>,
    Auth(caller): Auth,
    AppJson(body): AppJson<NewTask>,
) -> ApiResult<(StatusCode, Json<TaskView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_task(&caller, body).await?),
    ))
}

/// Lists the caller's tasks (hosts: open tasks and their own), newest first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", operation_id = "tasks_list", security(("bearer" = [])),
    params(("status" = Option<String>, Query, description = "`open`, `assigned`, `in_progress`, `submitted`, `approved` or `cancelled`"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1–100, default 20"),
        ("cursor" = Option<String>, Query, min_length = 1, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "`{data: [task…], next_cursor}`", body = Page<TaskView>),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 422, description = "`validation_failed`: an unknown `status`, a bad `limit` or `cursor`", body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(caller): Auth,
    q: QueryPairs,
) -> ApiResult<Json<Page<TaskView>>> {
    let query = TaskListQuery::parse(q.get("status"), q.get("limit"), q.get("cursor"))?;
    Ok(Json(app.list_tasks(&caller, query).await?))
}

/// A task.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}", tag = "tasks", operation_id = "tasks_get", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    responses(
        (status = 200, description = "The task as posted, with `id`, `status`, `sessions[]`, its run of show and, for an involved host, `your_offer`", body = TaskView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(app.task(&caller, &TaskId::from(task_id)).await?))
}

/// Cancels a task that has not started.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/cancel", tag = "tasks", operation_id = "tasks_cancel", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    responses(
        (status = 200, description = "The task, `status: cancelled`; an assigned task's escrow is back in the wallet", body = TaskView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the task is past cancelling, a session is live, or its host is not late yet", body = ErrorBody)))]
pub async fn cancel(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<TaskView>> {
    Ok(Json(
        app.cancel_task(&caller, &TaskId::from(task_id)).await?,
    ))
}
