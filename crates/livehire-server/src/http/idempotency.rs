//! `Idempotency-Key` on every POST: the same key with the same request returns
//! the first response again; with a different request, 409. Keys are scoped to
//! the authenticated caller (unauthenticated requests are not replayed, so one
//! client can never receive another's answer) and kept 24 hours.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::error::ApiError;
use crate::extract::{bearer, read_body};

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// The middleware.
pub async fn layer(State(app): State<App>, req: Request, next: Next) -> Response {
    // Flash-sale orders are not routed through this layer: they keep their
    // keys with the sale's in-memory counter (and on the order row), so the
    // hot path makes one durable write, not three.
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 255 {
        return ApiError::field("Idempotency-Key", "must be 1–255 characters").into_response();
    }
    let (parts, body) = req.into_parts();
    let caller = match bearer(&parts) {
        Some(token) => app.authenticate(token).await.ok(),
        None => None,
    };
    let Some(caller) = caller else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let bytes = match read_body(Request::from_parts(parts.clone(), body)).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.to_string());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());
    let owner = &caller.id;

    match app
        .store()
        .idempotency_begin(owner, &key, &hash, &app.now_text())
        .await
    {
        Err(e) => return ApiError::from(e).into_response(),
        Ok(Some(entry)) if entry.request_hash != hash => {
            return ApiError::Conflict {
                code: "idempotency_key_reused",
                message: "this Idempotency-Key was used with a different request".into(),
            }
            .into_response();
        }
        Ok(Some(entry)) => {
            return match entry.response {
                Some((status, body)) => {
                    let mut resp = Response::new(Body::from(body));
                    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                    resp.headers_mut().insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    );
                    resp.headers_mut()
                        .insert("idempotent-replayed", HeaderValue::from_static("true"));
                    resp
                }
                None => ApiError::Conflict {
                    code: "idempotency_key_in_use",
                    message: "a request with this Idempotency-Key is still being processed".into(),
                }
                .into_response(),
            };
        }
        Ok(None) => {}
    }

    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (rparts, rbody) = resp.into_parts();
    let body = match axum::body::to_bytes(rbody, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            let _ = app.store().idempotency_abandon(owner, &key).await;
            return ApiError::Internal(anyhow::anyhow!("reading response for idempotency: {e}"))
                .into_response();
        }
    };
    let stored = if rparts.status.is_server_error() {
        app.store().idempotency_abandon(owner, &key).await
    } else {
        app.store()
            .idempotency_finish(owner, &key, rparts.status.as_u16(), &body)
            .await
    };
    if let Err(e) = stored {
        tracing::error!(error = ?e, "could not record idempotency key");
    }
    Response::from_parts(rparts, Body::from(body))
}
