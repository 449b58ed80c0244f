//! Operations middleware: what every response gets on its way out.
//!
//! Event streams (`text/event-stream`: a session's `/stream`, the overlay's)
//! end on shutdown with a final `shutdown` event, so a server that is asked
//! to stop is not held open by its subscribers and they learn why the stream
//! ended (and when to reconnect).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use tokio::sync::watch;

/// What the operations middleware shares: the shutdown signal.
pub struct Ops {
    /// Turns true when the server is asked to stop.
    pub shutdown: watch::Receiver<bool>,
}

impl Ops {
    /// Operations state for a server stopped by `shutdown`.
    pub fn new(shutdown: watch::Receiver<bool>) -> Self {
        Self { shutdown }
    }
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
    Response::from_parts(parts, Body::from_stream(events))
}
