//! Task messages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use crate::app::{App, MessageView, NewMessage};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

/// Posts a message. Agents: to `human_id`'s thread, else to the assigned
/// host's, else to the task's brief. Hosts: to their own thread.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/messages", tag = "messages", security(("bearer" = [])),
    params(("task_id" = String, Path)), request_body = NewMessage,
    responses((status = 201, body = MessageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn post(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<NewMessage>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.post_message(&caller, &task_id, body).await?),
    ))
}

/// Lists messages the caller may read, oldest first.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/messages", tag = "messages", security(("bearer" = [])),
    params(("task_id" = String, Path), ("human_id" = Option<String>, Query), ("limit" = Option<u32>, Query),
        ("cursor" = Option<String>, Query)),
    responses((status = 200, description = "`{data: [message…], next_cursor}`", body = Object), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        app.list_messages(
            &caller,
            &task_id,
            q.get("human_id"),
            q.get("limit"),
            q.get("cursor"),
        )
        .await?,
    ))
}
