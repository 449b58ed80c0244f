//! Live sessions, events, metrics, the stream, flash sales, orders, overlay.

use std::convert::Infallible;

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use futures::{Stream, StreamExt};
use livehire_domain::ids::{FlashSaleId, SessionId};
use tokio::sync::broadcast;

use super::doc::{EventBatch, LiveEvents};
use super::{doc, examples};
use crate::app::{
    App, DEFAULT_ORDERS_PAGE, EventBatchInput, EventFormat, FlashSaleOrders, FlashSaleView,
    ImportView, IngestResult, MAX_ORDERS_PAGE, NewFlashSale, NewOrder, OrderAck, PageRequest,
    SessionKeyView, SessionMetricsView, SessionView,
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs, bearer, read_body_up_to};
use crate::live::StreamItem;

/// Largest event batch body (NDJSON batches of 10,000 events fit easily).
pub const EVENTS_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// A session: `status` is `scheduled`, `live` or `ended`.
#[utoipa::path(get, path = "/api/v1/sessions/{session_id}", tag = "live", operation_id = "sessions_get", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    responses(
        (status = 200, description = "The session", body = SessionView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
) -> ApiResult<Json<SessionView>> {
    Ok(Json(app.session(&caller, &session_id).await?))
}

/// Starts a session (agent or assigned host). The first start moves the task to `in_progress`.
#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/start", tag = "live", operation_id = "sessions_start", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    responses(
        (status = 200, description = "The session, `status: live`", body = SessionView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the session is not `scheduled`, or the task is not assigned or in progress", body = ErrorBody)))]
pub async fn start(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
) -> ApiResult<Json<SessionView>> {
    Ok(Json(app.start_session(&caller, &session_id).await?))
}

/// Ends a live session.
#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/end", tag = "live", operation_id = "sessions_end", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    responses(
        (status = 200, description = "The session, `status: ended`; its running flash sales ended with it", body = SessionView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the session is not live", body = ErrorBody)))]
pub async fn end(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
) -> ApiResult<Json<SessionView>> {
    Ok(Json(app.end_session(&caller, &session_id).await?))
}

/// Whether a request's body is NDJSON (`application/x-ndjson`, `application/ndjson`,
/// `application/jsonl`) or JSON; 415 for anything else.
fn ndjson_body(parts: &axum::http::request::Parts) -> ApiResult<bool> {
    let ct = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.to_ascii_lowercase());
    match ct
        .as_deref()
        .map(|c| c.split(';').next().unwrap_or("").trim().to_string())
    {
        Some(c)
            if c == "application/x-ndjson"
                || c == "application/ndjson"
                || c == "application/jsonl" =>
        {
            Ok(true)
        }
        other => {
            if !crate::extract::json_content_type_ok(other.as_deref()) {
                return Err(ApiError::UnsupportedMediaType(ct.unwrap_or_default()));
            }
            Ok(false)
        }
    }
}

/// Ingests events: a JSON array, or NDJSON with `Content-Type: application/x-ndjson`.
/// `?format=tiktok-live-connector` takes TikTok LIVE connector event objects.
/// Keys: the task's agent or an ingest key (`ph_ik_…`) count as `verified`; the
/// assigned host's as `host_reported`. Events count from the session's start
/// (2 minutes of clock skew) to its end, delivered up to 10 minutes after it.
/// Answers `{accepted, duplicates, rejected: [{index, error}], source, provenance}`;
/// accepted events are durable. 409 `session_settled` once the task is approved.
#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/events", tag = "live", operation_id = "sessions_events_post", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`"),
        ("format" = Option<String>, Query, description = "`native` (the default) or `tiktok-live-connector`")),
    request_body(description = "Events: a JSON array (a single object is one event), or NDJSON, one event a line (`application/x-ndjson`; `application/ndjson` and `application/jsonl` too). At most 50,000 events a request.",
        content(
            (EventBatch = "application/json",
                examples(("native" = (summary = "The first minutes of the Getting Started session", value = json!(examples::events()))))),
            (String = "application/x-ndjson",
                examples(("native" = (summary = "The same events as NDJSON", value = json!(examples::events_ndjson())))))
        )),
    responses(
        (status = 200, description = "What the batch counted; the accepted events are durable. A bad or out-of-window event is not refused: it is listed in `rejected` by index", body = IngestResult),
        (status = 400, description = "`invalid_json`: a JSON body that is not JSON; `bad_request`: an NDJSON body that is not UTF-8", body = ErrorBody),
        (status = 401, description = "`unauthorized`: no `Authorization: Bearer` key, or an unknown or revoked one (an account key, or this session's ingest key `ph_ik_…`)", body = ErrorBody),
        (status = 404, description = "`not_found`: no such session, or not one the key may post to (its task's agent, its assigned host, or its own ingest key)", body = ErrorBody),
        (status = 409, description = "`session_settled`: the task is approved or cancelled; its figures are final", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over 32 MiB (1 MiB when an `Idempotency-Key` is sent)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: neither JSON nor NDJSON", body = ErrorBody),
        (status = 422, description = "`validation_failed`: an unknown `format`, over 50,000 events, or a JSON body that is neither an array nor an object", body = ErrorBody)))]
pub async fn events(
    State(app): State<App>,
    Path(session_id): Path<SessionId>,
    q: QueryPairs,
    req: Request,
) -> ApiResult<Json<IngestResult>> {
    let (parts, body) = req.into_parts();
    let key = bearer(&parts).ok_or(ApiError::Unauthorized(
        "missing API key: send Authorization: Bearer <key>",
    ))?;
    let sender = app.authenticate_events(key).await?;
    let ndjson = ndjson_body(&parts)?;
    let format = EventFormat::parse(q.get("format"))?;
    let body = read_body_up_to(Request::from_parts(parts, body), EVENTS_BODY_LIMIT).await?;
    let batch = EventBatchInput::from_body(format, ndjson, &body)?;
    drop(body);
    Ok(Json(app.ingest(&sender, &session_id, batch).await?))
}

/// Imports a recording of a session that never went live here (agent): native
/// events as a JSON array or NDJSON, every one valid. Its first and last
/// events become the session's start and end; the session ends, and its
/// figures count as verified.
#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/import", tag = "live", operation_id = "sessions_import", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    request_body(description = "The recording's native events: a JSON array, or NDJSON (`application/x-ndjson`; `application/ndjson` and `application/jsonl` too). At most 50,000 events, spanning at most 24 hours.",
        content(
            (LiveEvents = "application/json",
                examples(("recording" = (summary = "A recording's first minutes", value = json!(examples::events()))))),
            (String = "application/x-ndjson",
                examples(("recording" = (summary = "The same events as NDJSON", value = json!(examples::events_ndjson())))))
        )),
    responses(
        (status = 200, description = "The session, `ended`, its window the recording's first to last event, with what the import counted in `imported`; the figures count as verified", body = ImportView),
        (status = 400, description = "`invalid_json`: a JSON body that is not JSON; `bad_request`: an NDJSON body that is not UTF-8", body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the session went live or was imported already, or the task cannot start a session; `session_settled`: the task is approved or cancelled", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: the body is over 32 MiB (1 MiB when an `Idempotency-Key` is sent)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: neither JSON nor NDJSON", body = ErrorBody),
        (status = 422, description = "`validation_failed`: each bad event by index (`[3]`), over 50,000 events, a recording before the task was posted, ahead of the server's clock or over 24 hours, or orders past the session's GMV limit", body = ErrorBody)))]
pub async fn import(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
    req: Request,
) -> ApiResult<Json<ImportView>> {
    let (parts, body) = req.into_parts();
    let ndjson = ndjson_body(&parts)?;
    let body = read_body_up_to(Request::from_parts(parts, body), EVENTS_BODY_LIMIT).await?;
    let recording = EventBatchInput::from_body(EventFormat::Native, ndjson, &body)?;
    drop(body);
    Ok(Json(
        app.import_recording(&caller, &session_id, recording)
            .await?,
    ))
}

/// Mints an ingest key (`ph_ik_…`) that can only post this session's events
/// (agent): for the agent's own TikTok LIVE connector bridge. Its events count
/// as `verified`.
#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/ingest-keys", tag = "live", operation_id = "sessions_ingest_keys_create", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    responses(
        (status = 201, description = "The key (`ph_ik_…`), shown only this once", body = SessionKeyView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody)))]
pub async fn ingest_key(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
) -> ApiResult<(StatusCode, Json<SessionKeyView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.mint_ingest_key(&caller, &session_id).await?),
    ))
}

/// Exact metrics of the session, with TikTok Shop's names beside them.
#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/metrics", tag = "live", operation_id = "sessions_metrics_get", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    responses(
        (status = 200, description = "The metrics of every event, TikTok Shop's names in `tiktok_shop`, `figures_source` and each kind of source's key figures in `sources`", body = SessionMetricsView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody)))]
pub async fn metrics(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
) -> ApiResult<Json<SessionMetricsView>> {
    Ok(Json(app.session_metrics(&caller, &session_id).await?))
}

fn to_event(item: StreamItem) -> Event {
    Event::default()
        .id(item.id.to_string())
        .event(item.event)
        .data(&*item.data)
}

/// An SSE item (without `id`) whose data is `data` as JSON.
fn json_event(event: &'static str, data: &impl serde::Serialize) -> ApiResult<Event> {
    let text = serde_json::to_string(data).map_err(anyhow::Error::from)?;
    Ok(Event::default().event(event).data(text))
}

/// The items a subscriber missed, then the live feed, keeping those `keep` accepts.
fn live_events(
    missed: Vec<StreamItem>,
    rx: broadcast::Receiver<StreamItem>,
    keep: impl Fn(&StreamItem) -> bool + Send + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let missed = futures::stream::iter(missed);
    let live = futures::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(item) => return Some((item, rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    missed
        .chain(live)
        .filter(move |i| std::future::ready(keep(i)))
        .map(|i| Ok(to_event(i)))
}

/// Server-Sent Events: `metrics` snapshots at least once a second while live,
/// `flash_sale` ticks, `sold_out`, `session` changes. `Last-Event-ID` resumes.
#[utoipa::path(get, path = "/api/v1/sessions/{session_id}/stream", tag = "live", operation_id = "sessions_stream", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`"),
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume after this item (the last 512 items are kept)")),
    responses(
        (status = 200, description = "An event stream: a `metrics` snapshot first (the figures of `GET …/metrics`, schema `Metrics`), then `metrics` at least once a second while live, `flash_sale` ticks and `sold_out` (schema `FlashSaleState`) and `session` changes, each item with an `id` and JSON `data`", content_type = "text/event-stream", body = String),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody)))]
pub async fn stream(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (snapshot, missed, rx) = app.subscribe(&caller, &session_id, last).await?;
    let first = json_event("metrics", &*snapshot)?;
    let first = futures::stream::once(async move { Ok::<_, Infallible>(first) });
    let body = first.chain(live_events(missed, rx, |_| true));
    Ok(Sse::new(body)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// Starts a flash sale in a live session: `{id, stock, sold, remaining, ends_at, status, …}`.
#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/flash-sales", tag = "live", operation_id = "sessions_flash_sales_create", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    request_body(content = NewFlashSale,
        examples(("earbuds" = (summary = "The seed's API reference product at its live discount price", value = json!(examples::flash_sale()))))),
    responses(
        (status = 201, description = "The sale, counting down", body = FlashSaleView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`invalid_state`: the session is not live", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: a product not among the task's, a bad price, stock outside 1–1,000,000, no or a bad duration, a `per_buyer_limit` below 1, or price × stock past the session's GMV limit", body = ErrorBody)))]
pub async fn create_flash_sale(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
    AppJson(body): AppJson<NewFlashSale>,
) -> ApiResult<(StatusCode, Json<FlashSaleView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_flash_sale(&caller, &session_id, body).await?),
    ))
}

/// Mints a checkout key (`ph_ck_…`) that can only place orders in this session's flash sales.
#[utoipa::path(post, path = "/api/v1/sessions/{session_id}/checkout-keys", tag = "live", operation_id = "sessions_checkout_keys_create", security(("bearer" = [])),
    params(("session_id" = String, Path, description = "`ph_sess_…`")),
    responses(
        (status = 201, description = "The key (`ph_ck_…`), shown only this once", body = SessionKeyView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::SESSION_NOT_FOUND, body = ErrorBody)))]
pub async fn checkout_key(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(session_id): Path<SessionId>,
) -> ApiResult<(StatusCode, Json<SessionKeyView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.mint_checkout_key(&caller, &session_id).await?),
    ))
}

/// A flash sale: remaining stock and seconds left.
#[utoipa::path(get, path = "/api/v1/flash-sales/{flash_sale_id}", tag = "live", operation_id = "flash_sales_get", security(("bearer" = [])),
    params(("flash_sale_id" = String, Path, description = "`ph_fs_…`")),
    responses(
        (status = 200, description = "The sale: remaining stock and seconds left", body = FlashSaleView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = doc::FLASH_SALE_NOT_FOUND, body = ErrorBody)))]
pub async fn get_flash_sale(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(flash_sale_id): Path<FlashSaleId>,
) -> ApiResult<Json<FlashSaleView>> {
    Ok(Json(app.flash_sale(&caller, &flash_sale_id).await?))
}

/// Places an order (agent key or the session's checkout key). Never oversold;
/// durable before acknowledged. 409 `sold_out` / `limit_exceeded`, 410
/// `flash_sale_ended`. `Idempotency-Key` replays the first answer.
#[utoipa::path(post, path = "/api/v1/flash-sales/{flash_sale_id}/orders", tag = "live", operation_id = "flash_sales_orders_create", security(("bearer" = [])),
    params(("flash_sale_id" = String, Path, description = "`ph_fs_…`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Kept with the sale: the same key with the same buyer and quantity returns the first order again; with another, 409 `idempotency_key_reused`")),
    request_body(content = NewOrder,
        examples(("two_units" = (summary = "A viewer buys two", value = json!(examples::order()))))),
    responses(
        (status = 201, description = "The order, durable", body = OrderAck),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = "`unauthorized`: no `Authorization: Bearer` key, or an unknown or revoked one (the task's agent key, or this session's checkout key `ph_ck_…`)", body = ErrorBody),
        (status = 403, description = "`forbidden`: the assigned host's key; hosts do not order", body = ErrorBody),
        (status = 404, description = "`not_found`: no such flash sale, or not the key's (another agent's, or another session's checkout key)", body = ErrorBody),
        (status = 409, description = "`sold_out`; `limit_exceeded`: past the sale's per-buyer limit; `idempotency_key_reused`", body = ErrorBody),
        (status = 410, description = "`flash_sale_ended`: the countdown is over or the session ended", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: `buyer_id` not 1–128 characters, `quantity` outside 1–10,000, or price × quantity over the largest amount", body = ErrorBody)))]
pub async fn order(
    State(app): State<App>,
    Path(flash_sale_id): Path<FlashSaleId>,
    req: Request,
) -> ApiResult<(StatusCode, Json<OrderAck>)> {
    let (parts, body) = req.into_parts();
    let key = bearer(&parts).ok_or(ApiError::Unauthorized(
        "missing API key: send Authorization: Bearer <key>",
    ))?;
    let who = app.authenticate_order(key).await?;
    let idem = parts
        .headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let AppJson(order) = <AppJson<NewOrder> as axum::extract::FromRequest<()>>::from_request(
        Request::from_parts(parts, body),
        &(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            app.place_order(&who, &flash_sale_id, order, idem.as_deref())
                .await?,
        ),
    ))
}

/// A flash sale's accepted orders, oldest first (agent), a page at a time:
/// `{flash_sale_id, data: [order…], next_cursor}`.
#[utoipa::path(get, path = "/api/v1/flash-sales/{flash_sale_id}/orders", tag = "live", operation_id = "flash_sales_orders_list", security(("bearer" = [])),
    params(("flash_sale_id" = String, Path, description = "`ph_fs_…`"), ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "1–1,000, default 100"),
        ("cursor" = Option<String>, Query, min_length = 1, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "A page of the sale's orders, oldest first", body = FlashSaleOrders),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 404, description = doc::FLASH_SALE_NOT_FOUND, body = ErrorBody),
        (status = 422, description = doc::BAD_PAGE, body = ErrorBody)))]
pub async fn list_orders(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(flash_sale_id): Path<FlashSaleId>,
    q: QueryPairs,
) -> ApiResult<Json<FlashSaleOrders>> {
    let page = PageRequest::parse(
        q.get("limit"),
        q.get("cursor"),
        DEFAULT_ORDERS_PAGE,
        MAX_ORDERS_PAGE,
    )?;
    Ok(Json(
        app.flash_sale_orders(&caller, &flash_sale_id, &page)
            .await?,
    ))
}

/// The stream overlay: a transparent page for OBS / TikTok LIVE Studio showing
/// the countdown and remaining stock, live over SSE (read-only token in the URL).
/// Its words follow `?lang=en|zh-CN`, else `Accept-Language`.
pub async fn overlay(
    State(app): State<App>,
    Path(flash_sale_id): Path<FlashSaleId>,
    q: QueryPairs,
    headers: axum::http::HeaderMap,
) -> Result<Html<String>, ApiError> {
    let token = q.get("token").unwrap_or("");
    let lang = q
        .get("lang")
        .and_then(crate::web::Lang::parse)
        .unwrap_or_else(|| {
            crate::web::Lang::from_accept_language(
                headers
                    .get(axum::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        });
    let (state, _) = app.flash_sale_for_overlay(&flash_sale_id, token).await?;
    Ok(Html(crate::http::overlay_page::render(
        &flash_sale_id,
        token,
        &state,
        lang,
    )))
}

/// The overlay's event feed: this sale's ticks and sold-out only.
pub async fn overlay_stream(
    State(app): State<App>,
    Path(flash_sale_id): Path<FlashSaleId>,
    q: QueryPairs,
) -> Result<Response, ApiError> {
    let token = q.get("token").unwrap_or("").to_string();
    let (state, session) = app.flash_sale_for_overlay(&flash_sale_id, &token).await?;
    let (_, rx) = session.subscribe(None);
    let first = json_event("flash_sale", &state)?;
    let first = futures::stream::once(async move { Ok::<_, Infallible>(first) });
    let feed = live_events(Vec::new(), rx, move |i| {
        matches!(i.event, "flash_sale" | "sold_out")
            && i.flash_sale_id.as_deref() == Some(flash_sale_id.as_str())
    });
    Ok(Sse::new(first.chain(feed))
        .keep_alive(KeepAlive::default())
        .into_response())
}
