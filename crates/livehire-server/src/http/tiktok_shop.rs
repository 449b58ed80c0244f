//! TikTok Shop: connecting a shop, and the shop's order-status webhook.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use serde_json::Value;

use crate::app::{App, NewTiktokShop, WebhookReply};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, read_body};

/// Connects a TikTok Shop to the agent: its order webhook then counts the
/// shop's paid orders in the session live for the shop when each was placed
/// (a task names its shop in `live_session_details.tiktok_shop_id`).
/// A connection is a claim (`"ownership": "pending"`) until a webhook signed
/// with its app secret arrives; the first claim proven owns the shop
/// (`"proven"`) and the shop's other claims are dropped. Several agents may
/// claim one shop; a shop another agent has proven is 409. Connecting again
/// replaces the agent's own claim or connection. The secret and the access
/// token are never returned.
#[utoipa::path(post, path = "/api/v1/integrations/tiktok-shop", tag = "integrations", security(("bearer" = [])),
    request_body = NewTiktokShop,
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn connect(
    State(app): State<App>,
    Auth(caller): Auth,
    AppJson(body): AppJson<NewTiktokShop>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.connect_tiktok_shop(&caller, body).await?),
    ))
}

/// The agent's shops, owned and claimed: `{data: [{shop_id, ownership, proven_at, app_key, api_base_url, shop_cipher, has_access_token, webhook_path, …}]}`.
#[utoipa::path(get, path = "/api/v1/integrations/tiktok-shop", tag = "integrations", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn list(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<Value>> {
    Ok(Json(app.tiktok_shops(&caller).await?))
}

/// TikTok Shop's order-status webhook (`{"type": 1, "tts_notification_id",
/// "shop_id", "timestamp", "data": {"order_id", "order_status", "update_time"}}`).
/// `Authorization` is the hex HMAC-SHA256 of the app key followed by the raw
/// body, keyed by the app secret; a bad signature or an unknown shop is 401,
/// and a `timestamp` (epoch seconds) more than 300 seconds from the server's
/// clock is 422 naming `timestamp`. The first signed notification of a
/// pending claim proves it.
/// A paid status fetches the order from the TikTok Shop API and counts one
/// order event per product (`{order_id}:{product_id}`) in the session that
/// was live for the shop at the order's create time; `CANCEL` after payment
/// refunds them. Answers `{outcome, attributed, session_id}`: 200 when
/// handled (repeats count once), 202 with `attributed: false` when no session
/// was live, 502 when the order could not be fetched (TikTok retries).
#[utoipa::path(post, path = "/api/v1/integrations/tiktok-shop/webhook", tag = "integrations",
    request_body(content = Object, description = "The order-status-change notification"),
    params(("Authorization" = String, Header, description = "hex HMAC-SHA256(app_secret, app_key + body)")),
    responses((status = 200, body = Object), (status = 202, body = Object), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn webhook(State(app): State<App>, req: Request) -> ApiResult<(StatusCode, Json<Value>)> {
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = read_body(req).await?;
    Ok(
        match app.tiktok_shop_webhook(auth.as_deref(), &body).await? {
            WebhookReply::Handled(v) => (StatusCode::OK, Json(v)),
            WebhookReply::Accepted(v) => (StatusCode::ACCEPTED, Json(v)),
        },
    )
}
