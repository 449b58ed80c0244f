//! Operations middleware: what every request and response goes through.
//!
//! [`layer`]: the request id (a client's sane `Request-Id`, or a new one)
//! in the response header, the log span and every error body; one access
//! line per request at INFO: method, route template, status, latency,
//! request id and the caller's account id (never a key); the request
//! metrics. On the way out, event streams (`text/event-stream`: a session's
//! `/stream`, the overlay's) end on shutdown with a final `shutdown` event,
//! so a server that is asked to stop is not held open by its subscribers and
//! they learn why the stream ended (and when to reconnect); every 201 says
//! where the created thing is (`Location`); HTML pages get a content
//! security policy, `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: no-referrer` (the overlay's URL holds its token).

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use tokio::sync::watch;
use tracing::Instrument;

use crate::obs::{self, RequestContext};

/// The request and response header carrying the request id.
pub const REQUEST_ID: &str = "request-id";

/// What the operations middleware shares.
pub struct Ops {
    /// Turns true when the server is asked to stop.
    pub shutdown: watch::Receiver<bool>,
    /// Where clients reach this server, for absolute links.
    pub public_url: Option<Arc<str>>,
    /// The rate limiter; `None` when every limit is off.
    pub limiter: Option<super::ratelimit::Limiter>,
    /// The request counters and latency histograms.
    pub requests: obs::RequestMetrics,
    /// The Bearer token `/metrics` asks for, when set.
    pub metrics_token: Option<String>,
    /// The origins browsers may call the API from (`*`: any); none, no CORS.
    pub cors_origins: Vec<String>,
    /// The MCP endpoint's settings (the `Host` names it accepts).
    pub mcp: crate::mcp::McpSettings,
}

impl Ops {
    /// Operations state for a server stopped by `shutdown`, without limits.
    pub fn new(shutdown: watch::Receiver<bool>) -> Self {
        Self {
            shutdown,
            public_url: None,
            limiter: None,
            requests: obs::RequestMetrics::default(),
            metrics_token: None,
            cors_origins: Vec::new(),
            mcp: crate::mcp::McpSettings::default(),
        }
    }
}

/// Compression of answers over 1 KiB to clients that accept gzip; never of
/// event streams (each event must reach the client as it is sent).
pub fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::Predicate;
    use tower_http::compression::predicate::{NotForContentType, SizeAbove};
    tower_http::compression::CompressionLayer::new()
        .compress_when(SizeAbove::new(1024).and(NotForContentType::SSE))
}

/// CORS for the configured origins (`--cors-origin`), or none: without an
/// origin set, browsers on other origins cannot call the API.
pub fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{HeaderName, Method};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PATCH,
                Method::PUT,
                Method::DELETE,
            ])
            .allow_headers([
                HeaderName::from_static("authorization"),
                HeaderName::from_static("content-type"),
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static("last-event-id"),
                HeaderName::from_static(REQUEST_ID),
            ])
            .expose_headers([
                HeaderName::from_static(REQUEST_ID),
                HeaderName::from_static("retry-after"),
                HeaderName::from_static("location"),
                HeaderName::from_static("idempotent-replayed"),
                HeaderName::from_static("www-authenticate"),
            ])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// The operations middleware, outermost but for compression: the request
/// id, the log span and the access line around the request; on the way
/// out, the answer's `Request-Id`, a 201's `Location`, an HTML page's
/// security headers and an event stream's end on shutdown.
pub async fn layer(State(ops): State<Arc<Ops>>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| obs::sane_request_id(v))
        .map_or_else(obs::new_request_id, str::to_string);
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let uri = req.uri().clone();
    let ctx = Arc::new(RequestContext::new(id, ops.public_url.clone()));
    // Handlers that run outside this task (the MCP endpoint's sessions)
    // find the context here and enter it themselves.
    req.extensions_mut().insert(ctx.clone());
    let span = tracing::info_span!("request", request_id = %ctx.id);
    let route_name = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let mut resp = RequestContext::scope(ctx.clone(), async {
        let resp = next.run(req).instrument(span).await;
        finish(&ops, resp, route_name, uri.path()).await
    })
    .await;
    if let Ok(v) = HeaderValue::from_str(&ctx.id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    let status = resp.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    ops.requests.record(&method, route_name, status, seconds);
    tracing::info!(
        target: "livehire::access",
        method = %method,
        route = %route_name,
        status,
        latency_ms = (seconds * 1_000_000.0).round() / 1000.0,
        request_id = %ctx.id,
        caller = %ctx.caller().as_deref().unwrap_or("-"),
        "request"
    );
    resp
}

/// Post-processes an answer: event streams end on shutdown, a 201 gets its
/// `Location`, an HTML page its security headers.
async fn finish(ops: &Ops, resp: Response, route: &str, path: &str) -> Response {
    if resp.status() == StatusCode::CREATED && !resp.headers().contains_key(LOCATION) {
        return with_location(resp, route, path).await;
    }
    let Some(content_type) = resp.headers().get(CONTENT_TYPE) else {
        return resp;
    };
    let ct = content_type.as_bytes();
    if ct.starts_with(b"text/event-stream") {
        // An MCP stream carries JSON-RPC messages only: it just ends, and
        // the client resumes it (or retries its request) per the protocol.
        let last = (!is_mcp(path)).then_some(SHUTDOWN_EVENT);
        return end_on_shutdown(resp, ops.shutdown.clone(), last);
    }
    // SVG is a document too (it can hold script): the same headers.
    if ct.starts_with(b"text/html") || ct.starts_with(b"image/svg+xml") {
        return with_page_headers(resp, route);
    }
    resp
}

/// Whether `path` is the MCP endpoint's.
fn is_mcp(path: &str) -> bool {
    path.strip_prefix(crate::mcp::PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The last event of every stream when the server shuts down: clients
/// reconnect after `retry` milliseconds (to this server once it is back, or
/// to another behind the same address).
pub const SHUTDOWN_EVENT: &str = "event: shutdown\nretry: 3000\ndata: {\"reason\":\"the server is shutting down; reconnect with Last-Event-ID to resume\"}\n\n";

/// The policy of the dashboard's pages: its own stylesheet and scripts
/// (files under `/assets/`, never inline), its own event streams, forms
/// posted to itself. uPlot sizes its elements through the CSSOM, which
/// `style-src` does not govern.
const DASHBOARD_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; \
     connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";
/// The policy of every other page (the reports, their SVG charts): inline
/// style and SVG, no script.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn with_page_headers(mut resp: Response, route: &str) -> Response {
    let policy = if route.starts_with("/overlay/") {
        super::overlay_page::policy()
    } else if crate::web::is_page(route) {
        DASHBOARD_POLICY
    } else {
        PAGE_POLICY
    };
    let h = resp.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    resp
}

/// Where a 201's created thing is: its own URL when it has one, else the
/// collection it joined (or the request's path).
async fn with_location(resp: Response, route: &str, path: &str) -> Response {
    // The id of what was created, where only the answer holds it: the
    // answer's first field, as these answers are serialised.
    let from_body = match route {
        "/api/v1/tasks" => Some(("id", "/api/v1/tasks/")),
        "/api/v1/humans/register" => Some(("human_id", "/api/v1/humans/")),
        "/api/v1/sessions/{session_id}/flash-sales" => Some(("id", "/api/v1/flash-sales/")),
        _ => None,
    };
    let (resp, location) = match from_body {
        Some((field, under)) => {
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let location = leading_string_field(&bytes, field)
                .map_or_else(|| path.to_string(), |id| format!("{under}{id}"));
            (Response::from_parts(parts, Body::from(bytes)), location)
        }
        None => {
            let location = match route {
                "/api/v1/agents/register" => "/api/v1/me".to_string(),
                "/api/v1/wallet/deposits" => "/api/v1/ledger".to_string(),
                "/api/v1/sessions/{session_id}/checkout-keys"
                | "/api/v1/sessions/{session_id}/ingest-keys" => path
                    .rsplit_once('/')
                    .map_or_else(|| path.to_string(), |(session, _)| session.to_string()),
                _ => path.to_string(),
            };
            (resp, location)
        }
    };
    let mut resp = resp;
    if let Ok(v) = HeaderValue::from_str(&obs::public_link(&location)) {
        resp.headers_mut().insert(LOCATION, v);
    }
    resp
}

/// Documents the `Location` of every 201.
pub fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{ObjectBuilder, RefOr, Type};

    for item in doc.paths.paths.values_mut() {
        let Some(op) = item.post.as_mut() else {
            continue;
        };
        if let Some(RefOr::T(created)) = op.responses.responses.get_mut("201") {
            created.headers.insert(
                "Location".into(),
                RefOr::T(
                    HeaderBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                        .description(Some(
                            "Where the created thing is: its own URL, or the list it joined \
                             (absolute under the server's public URL when one is set)",
                        ))
                        .build(),
                ),
            );
        }
    }
}

/// The string value of a JSON object's first field when it is `field`
/// (`{"id":"ph_task_…",…}`), without parsing the rest.
fn leading_string_field<'b>(body: &'b [u8], field: &str) -> Option<&'b str> {
    let prefix = format!("{{\"{field}\":\"");
    let rest = body.strip_prefix(prefix.as_bytes())?;
    let end = memchr::memchr(b'"', rest)?;
    let id = std::str::from_utf8(&rest[..end]).ok()?;
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(id)
}

/// The stream's body, cut at shutdown, with `last` (the [`SHUTDOWN_EVENT`])
/// as its final event when given.
fn end_on_shutdown(
    resp: Response,
    shutdown: watch::Receiver<bool>,
    last: Option<&'static str>,
) -> Response {
    enum State {
        Live(axum::body::BodyDataStream, watch::Receiver<bool>),
        Done,
    }
    /// Counts an open stream while it lives.
    struct Subscribed;
    impl Drop for Subscribed {
        fn drop(&mut self) {
            metrics::gauge!("livehire_sse_subscribers").decrement(1.0);
        }
    }
    metrics::gauge!("livehire_sse_subscribers").increment(1.0);
    let subscribed = Subscribed;
    let (parts, body) = resp.into_parts();
    let events = futures::stream::unfold(
        State::Live(body.into_data_stream(), shutdown),
        move |state| async move {
            let State::Live(mut data, mut shutdown) = state else {
                return None;
            };
            let next = tokio::select! {
                biased;
                _ = shutdown.wait_for(|s| *s) => None,
                item = data.next() => Some(item),
            };
            match next {
                None => last.map(|l| (Ok(Bytes::from_static(l.as_bytes())), State::Done)),
                Some(item) => item.map(|i| (i, State::Live(data, shutdown))),
            }
        },
    );
    let events = events.map(move |item| {
        let _alive = &subscribed;
        item
    });
    Response::from_parts(parts, Body::from_stream(events))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leading_id_is_read_without_parsing_the_rest() {
        let body = br#"{"id":"ph_task_0Vc9","status":"open","sessions":[{"id":"ph_sess_x"}]}"#;
        assert_eq!(leading_string_field(body, "id"), Some("ph_task_0Vc9"));
        assert_eq!(leading_string_field(body, "human_id"), None);
        assert_eq!(
            leading_string_field(br#"{"status":"open","id":"x"}"#, "id"),
            None
        );
        assert_eq!(leading_string_field(br#"{"id":"a/b"}"#, "id"), None);
        assert_eq!(leading_string_field(br#"{"id":""}"#, "id"), None);
    }
}
