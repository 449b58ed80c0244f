//! Task messages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use livehire_domain::ids::{HostId, TaskId};

use super::{doc, examples};
use crate::app::{App, MessageView, NewMessage, Page, PageRequest};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

/// Posts a message. Agents: to `human_id`'s thread, else to the assigned
/// host's, else to the task's brief. Hosts: to their own thread.
#[utoipa::path(post, path = "/api/v1/tasks/{task_id}/messages", tag = "messages", operation_id = "tasks_messages_post", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`")),
    request_body(content = NewMessage,
        examples(("teasers" = (summary = "The seed's Workflow 1 message to the host", value = json!(examples::message()))))),
    responses(
        (status = 201, description = "The message as stored, with its thread", body = MessageView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "`forbidden`: a host that has not applied or been invited", body = ErrorBody),
        (status = 404, description = doc::TASK_NOT_FOUND, body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: `text` empty or over 20,000 characters, or a `human_id` not involved in the task (a host: not its own)", body = ErrorBody)))]
pub async fn post(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    AppJson(body): AppJson<NewMessage>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            app.post_message(&caller, &TaskId::from(task_id), body)
                .await?,
        ),
    ))
}

/// Lists messages the caller may read, oldest first.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}/messages", tag = "messages", operation_id = "tasks_messages_list", security(("bearer" = [])),
    params(("task_id" = String, Path, description = "`ph_task_…`"),
        ("human_id" = Option<String>, Query, description = "Agents: one host's thread (with the brief)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1–100, default 20"),
        ("cursor" = Option<String>, Query, min_length = 1, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "`{data: [message…], next_cursor}`", body = Page<MessageView>),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "`forbidden`: a host that has not applied or been invited", body = ErrorBody),
        (status = 404, description = "`not_found`: no such task, not one the caller may see, or (a host) another host's thread", body = ErrorBody),
        (status = 422, description = doc::BAD_PAGE, body = ErrorBody)))]
pub async fn list(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(task_id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Page<MessageView>>> {
    let page = PageRequest::parse(q.get("limit"), q.get("cursor"), 20, 100)?;
    let human_id = q.get("human_id").map(HostId::from);
    Ok(Json(
        app.list_messages(&caller, &TaskId::from(task_id), human_id.as_ref(), page)
            .await?,
    ))
}
