//! TikTok Shop: connecting a shop, and the shop's order-status webhook.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;

use super::{doc, examples};
use crate::app::{
    App, NewTiktokShop, TiktokShopView, TiktokShopsView, WebhookNotification, WebhookReply,
};
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
#[utoipa::path(post, path = "/api/v1/integrations/tiktok-shop", tag = "integrations", operation_id = "tiktok_shop_connect", security(("bearer" = [])),
    request_body(content = NewTiktokShop,
        examples(("shop" = (summary = "A shop with its app's key and secret", value = json!(examples::tiktok_shop()))))),
    responses(
        (status = 201, description = "The connection without its secrets: `{shop_id, ownership: pending | proven, proven_at, app_key, api_base_url, shop_cipher, has_access_token, webhook_path, …}`", body = TiktokShopView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 409, description = "`conflict`: another agent has proven this shop", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: a field too long or empty, or an `api_base_url` that is not an http(s) URL this server may call", body = ErrorBody)))]
pub async fn connect(
    State(app): State<App>,
    Auth(caller): Auth,
    AppJson(body): AppJson<NewTiktokShop>,
) -> ApiResult<(StatusCode, Json<TiktokShopView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.connect_tiktok_shop(&caller, body).await?),
    ))
}

/// The agent's shops, owned and claimed: `{data: [{shop_id, ownership, proven_at, app_key, api_base_url, shop_cipher, has_access_token, webhook_path, …}]}`.
#[utoipa::path(get, path = "/api/v1/integrations/tiktok-shop", tag = "integrations", operation_id = "tiktok_shop_list", security(("bearer" = [])),
    responses(
        (status = 200, description = "`{data: [connection…]}`", body = TiktokShopsView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody)))]
pub async fn list(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<TiktokShopsView>> {
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
#[utoipa::path(post, path = "/api/v1/integrations/tiktok-shop/webhook", tag = "integrations", operation_id = "tiktok_shop_webhook",
    security(("tiktok_shop_signature" = [])),
    request_body(content = WebhookNotification, description = "The order-status-change notification",
        examples(("paid" = (summary = "An order paid", value = json!({"type": 1, "tts_notification_id": "7327112393057371910", "shop_id": "7494049642642441621", "timestamp": 2089220700, "data": {"order_id": "576461413038785752", "order_status": "AWAITING_SHIPMENT", "update_time": 2089220700}}))))),
    responses(
        (status = 200, description = "Handled (counted, refunded, seen before, or not about a payment): `{outcome, attributed, session_id}`", body = WebhookReply),
        (status = 202, description = "Received, nothing counted: no session of the shop was live when the order was placed (`attributed: false`)", body = WebhookReply),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = "`unauthorized`: a missing or bad signature, or a shop no connection's secret verifies", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`validation_failed`: a `timestamp` more than 300 seconds from the server's clock, a missing `tts_notification_id`, `data.order_id` or `data.order_status`", body = ErrorBody),
        (status = 502, description = "`upstream_unavailable`: the order could not be fetched from the TikTok Shop API; TikTok retries", body = ErrorBody)))]
pub async fn webhook(
    State(app): State<App>,
    req: Request,
) -> ApiResult<(StatusCode, Json<WebhookReply>)> {
    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let notice = WebhookNotification::parse(read_body(req).await?)?;
    let reply = app.tiktok_shop_webhook(auth.as_deref(), &notice).await?;
    let status = if reply.unattributed {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(reply)))
}
