//! Tasks.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use crate::app::{App, TaskListQuery};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

/// Posts a live-commerce task (the seed's whole body; unknown fields are kept).
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", security(("bearer" = [])), request_body = Object,
    responses((status = 201, description = "The task with `id`, `status: open` and `sessions[]`", body = Object),
        (status = 400, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(app): State<App>,
    Auth(caller): Auth,
    AppJson(body): AppJson<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_task(&caller, body).await?),
    ))
}

/// Lists the caller's tasks (hosts: open tasks and their own), newest first.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", security(("bearer" = [])),
    params(("status" = Option<String>, Query), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, description = "`{data: [task…], next_cursor}`", body = Object), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(caller): Auth,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    let query = TaskListQuery {
        status: q.get("status").map(str::to_string),
        limit: q.get("limit").map(str::to_string),
        cursor: q.get("cursor").map(str::to_string),
    };
    Ok(Json(app.list_tasks(&caller, query).await?))
}

/// A task.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}", tag = "tasks", security(("bearer" = [])),
    params(("task_id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.task(&caller, &task_id).await?))
}

/// Cancels a task that has not started.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/cancel", tag = "tasks", security(("bearer" = [])),
    params(("task_id" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(app.cancel_task(&caller, &task_id).await?))
}
