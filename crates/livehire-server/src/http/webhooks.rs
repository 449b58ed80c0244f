//! Webhook endpoints and their deliveries.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::doc;
use crate::app::{
    App, CreatedWebhook, DEFAULT_DELIVERIES_PAGE, DeliveryView, MAX_DELIVERIES_PAGE, NewWebhook,
    Page, PageRequest, WebhookView,
};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

const WEBHOOK_NOT_FOUND: &str = "`not_found`: no such webhook endpoint, or not the caller's";

/// Registers an endpoint for the caller's events (an agent's tasks', or
/// those about a host, as `GET /api/v1/events` serves them). Each event is
/// POSTed as `{type, timestamp, data}` with the Standard Webhooks headers
/// `webhook-id`, `webhook-timestamp` (epoch seconds) and `webhook-signature`
/// (`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`,
/// keyed by the base64-decoded part of the `whsec_` secret). Delivery is at
/// least once (deduplicate on `webhook-id`), in event order per endpoint,
/// retried with backoff for about a day (5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
/// 10 h); an endpoint that fails for 5 days is disabled. Answer with a 2xx
/// within 10 s. The `secret` is shown in this answer only.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "webhooks_create", security(("bearer" = [])),
    request_body(content = NewWebhook,
        examples(("some" = (summary = "Assignments and session ends", value = json!({"url": "https://agent.example.com/hooks/livehire", "events": ["task.assigned", "session.ended"]}))),
            ("all" = (summary = "Every event", value = json!({"url": "https://agent.example.com/hooks/livehire"}))))),
    responses(
        (status = 201, description = "The endpoint, with its signing secret (shown once)", body = CreatedWebhook),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 409, description = "`too_many_webhooks`: the account has 20 endpoints already", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: `url` not an https URL to a public host (or over 2,048 characters), or an unknown type in `events` (the detail names it)", body = ErrorBody)))]
pub async fn create(
    State(app): State<App>,
    Auth(caller): Auth,
    AppJson(body): AppJson<NewWebhook>,
) -> ApiResult<(StatusCode, Json<CreatedWebhook>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_webhook(&caller, body).await?),
    ))
}

/// The caller's webhook endpoints, oldest first, without their secrets.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "webhooks_list", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's endpoints", body = Vec<WebhookView>),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody)))]
pub async fn list(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<Vec<WebhookView>>> {
    Ok(Json(app.webhooks(&caller).await?))
}

/// One of the caller's webhook endpoints: its state, and why it was
/// disabled if it was.
#[utoipa::path(get, path = "/api/v1/webhooks/{webhook_id}", tag = "webhooks", operation_id = "webhooks_get", security(("bearer" = [])),
    params(("webhook_id" = String, Path, description = "`ph_wh_…`")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = WEBHOOK_NOT_FOUND, body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<WebhookView>> {
    Ok(Json(app.webhook(&caller, &id).await?))
}

/// Deletes one of the caller's webhook endpoints with its deliveries; no
/// more are made.
#[utoipa::path(delete, path = "/api/v1/webhooks/{webhook_id}", tag = "webhooks", operation_id = "webhooks_delete", security(("bearer" = [])),
    params(("webhook_id" = String, Path, description = "`ph_wh_…`")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = WEBHOOK_NOT_FOUND, body = ErrorBody)))]
pub async fn delete(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.delete_webhook(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An endpoint's deliveries, newest event first: each one's status
/// (`pending`, `delivered`, `failed`), attempts, last response code and
/// error, next attempt, and every attempt.
#[utoipa::path(get, path = "/api/v1/webhooks/{webhook_id}/deliveries", tag = "webhooks", operation_id = "webhooks_deliveries_list", security(("bearer" = [])),
    params(("webhook_id" = String, Path, description = "`ph_wh_…`"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "1–100, default 50"),
        ("cursor" = Option<String>, Query, min_length = 1, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "`{data: [delivery…], next_cursor}`", body = Page<DeliveryView>),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = WEBHOOK_NOT_FOUND, body = ErrorBody),
        (status = 422, description = doc::BAD_PAGE, body = ErrorBody)))]
pub async fn deliveries(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(id): Path<String>,
    q: QueryPairs,
) -> ApiResult<Json<Page<DeliveryView>>> {
    let page = PageRequest::parse(
        q.get("limit"),
        q.get("cursor"),
        DEFAULT_DELIVERIES_PAGE,
        MAX_DELIVERIES_PAGE,
    )?;
    Ok(Json(app.webhook_deliveries(&caller, &id, &page).await?))
}

/// Sends a delivery again (delivered or failed ones too), due now, with a
/// fresh retry schedule; it keeps its `webhook-id`, and goes before the
/// endpoint's later deliveries.
#[utoipa::path(post, path = "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", tag = "webhooks", operation_id = "webhooks_deliveries_redeliver", security(("bearer" = [])),
    params(("webhook_id" = String, Path, description = "`ph_wh_…`"),
        ("delivery_id" = String, Path, description = "`msg_…`")),
    responses(
        (status = 200, description = "The delivery, pending again", body = DeliveryView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = "`not_found`: no such endpoint or delivery, or not the caller's", body = ErrorBody),
        (status = 409, description = "`webhook_disabled`: the endpoint was disabled for failing; delete it and register it again", body = ErrorBody)))]
pub async fn redeliver(
    State(app): State<App>,
    Auth(caller): Auth,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<Json<DeliveryView>> {
    Ok(Json(
        app.redeliver_webhook(&caller, &id, &delivery_id).await?,
    ))
}
