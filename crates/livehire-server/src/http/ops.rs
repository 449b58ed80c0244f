//! Operations middleware: what every request and response goes through.
//!
//! [`observe`], outermost: the request id (a client's sane `Request-Id`, or
//! a new one) in the response header, the log span and every error body,
//! and one access line per request at INFO: method, route template, status,
//! latency, request id and the caller's account id (never a key).
//!
//! [`finish`]: event streams (`text/event-stream`: a session's `/stream`, the
//! overlay's) end on shutdown with a final `shutdown` event, so a server
//! that is asked to stop is not held open by its subscribers and they learn
//! why the stream ended (and when to reconnect).

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
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
        }
    }
}

/// The request id, the log span and the access line.
pub async fn observe(State(ops): State<Arc<Ops>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| obs::sane_request_id(v))
        .map_or_else(obs::new_request_id, str::to_string);
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let ctx = Arc::new(RequestContext::new(id, ops.public_url.clone()));
    let span = tracing::info_span!("request", request_id = %ctx.id);
    let mut resp = RequestContext::scope(ctx.clone(), next.run(req).instrument(span)).await;
    if let Ok(v) = HeaderValue::from_str(&ctx.id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let status = resp.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    ops.requests.record(&method, route, status, seconds);
    let latency_ms = seconds * 1000.0;
    tracing::info!(
        target: "livehire::access",
        method = %method,
        route = %route,
        status,
        latency_ms = (latency_ms * 1000.0).round() / 1000.0,
        request_id = %ctx.id,
        caller = %ctx.caller().as_deref().unwrap_or("-"),
        "request"
    );
    resp
}

/// The last event of every stream when the server shuts down: clients
/// reconnect after `retry` milliseconds (to this server once it is back, or
/// to another behind the same address).
pub const SHUTDOWN_EVENT: &str = "event: shutdown\nretry: 3000\ndata: {\"reason\":\"the server is shutting down; reconnect with Last-Event-ID to resume\"}\n\n";

/// Post-processes every response: event streams end on shutdown.
pub async fn finish(State(ops): State<Arc<Ops>>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if is_event_stream(&resp) {
        return end_on_shutdown(resp, ops.shutdown.clone());
    }
    resp
}

fn is_event_stream(resp: &Response) -> bool {
    resp.headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"))
}

/// The stream's body, cut at shutdown with [`SHUTDOWN_EVENT`].
fn end_on_shutdown(resp: Response, shutdown: watch::Receiver<bool>) -> Response {
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
        |state| async move {
            let State::Live(mut data, mut shutdown) = state else {
                return None;
            };
            let next = tokio::select! {
                biased;
                _ = shutdown.wait_for(|s| *s) => None,
                item = data.next() => Some(item),
            };
            match next {
                None => Some((
                    Ok(Bytes::from_static(SHUTDOWN_EVENT.as_bytes())),
                    State::Done,
                )),
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
