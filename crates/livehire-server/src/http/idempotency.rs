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

use crate::app::{App, KeyState};
use crate::error::ApiError;
use crate::extract::{bearer, read_body};

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// How the header is documented on the operations that honour it.
const HEADER_DOC: &str = "Replays the first answer (with `Idempotent-Replayed: true`) to a repeat of this request \
    by the same account key (`ph_sk_…`, `ph_hk_…`) within 24 hours; 1–255 characters. The body is the first \
    answer's byte for byte, so a replayed error quotes the request id of the request that failed";
/// What a key used with another request, or still in flight, answers.
const KEY_REUSED: &str = "`idempotency_key_reused`: this `Idempotency-Key` came with a different request; \
    `idempotency_key_in_use`: the first request with it is still being processed";
/// What a key of a bad length answers, on every POST the layer wraps.
const KEY_LENGTH: &str = "`validation_failed` naming `Idempotency-Key`: not 1–255 characters";
/// What a keyed request whose body the layer cannot hold answers.
const BODY_TOO_LARGE: &str = "`payload_too_large`: with an `Idempotency-Key`, a body over 1 MiB (the layer keeps it to compare)";

/// Documents what [`layer`] does on the routes it wraps, in the document of
/// those routes: every POST answers 422 for a key of a bad length (checked
/// before anything else); a POST authenticated by an account key (`bearer`)
/// takes the header, answers 409 for a key reused or in flight, and 413 for
/// a body over the 1 MiB it reads (operations with a body of their own say
/// so in their 413). POSTs without an account key (registration, the
/// operator's, TikTok Shop's webhook) are not replayed, so they do not list
/// the header.
pub fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{ObjectBuilder, Required, Type};

    let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
    for item in doc.paths.paths.values_mut() {
        let Some(op) = item.post.as_mut() else {
            continue;
        };
        add_error(op, "422", KEY_LENGTH);
        if !op.security.as_ref().is_some_and(|s| s.contains(&bearer)) {
            continue;
        }
        let header = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(HEADER_DOC))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255)),
            ))
            .build();
        op.parameters
            .get_or_insert_with(Vec::new)
            .push(utoipa::openapi::RefOr::T(header));
        add_error(op, "409", KEY_REUSED);
        if !op.responses.responses.contains_key("413") {
            add_error(op, "413", BODY_TOO_LARGE);
        }
    }
}

/// Adds `text` to the operation's error answer `status`, or adds the answer.
fn add_error(op: &mut utoipa::openapi::path::Operation, status: &str, text: &str) {
    use utoipa::openapi::{Content, RefOr, Response};

    match op.responses.responses.get_mut(status) {
        Some(RefOr::T(response)) if response.description.is_empty() => {
            response.description = text.to_string();
        }
        Some(RefOr::T(response)) => {
            response.description = format!("{}; {text}", response.description);
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let mut response = Response::new(text);
            response.content.insert(
                "application/json".into(),
                RefOr::T(Content::new(Some(utoipa::openapi::Ref::from_schema_name(
                    "ErrorBody",
                )))),
            );
            op.responses
                .responses
                .insert(status.to_string(), RefOr::T(response));
        }
    }
}

/// The middleware: keys whole POST requests (method, URI and body) through
/// the service layer's idempotency (`App::idempotency_begin`).
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
    // The request's fingerprint: method, URI and body, as keys stored by
    // earlier releases were made.
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.to_string());
    hasher.update(b"\n");
    hasher.update(&bytes);
    let hash = hex::encode(hasher.finalize());
    let ticket = match app.idempotency_begin(&caller, &key, &hash).await {
        Err(e) => return e.into_response(),
        Ok(KeyState::Replay { status, body }) => {
            let mut resp = Response::new(Body::from(body));
            *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return resp;
        }
        Ok(KeyState::Fresh(ticket)) => ticket,
    };

    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (rparts, rbody) = resp.into_parts();
    let body = match axum::body::to_bytes(rbody, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            app.idempotency_abandon(ticket).await;
            return ApiError::Internal(anyhow::anyhow!("reading response for idempotency: {e}"))
                .into_response();
        }
    };
    if rparts.status.is_server_error() {
        app.idempotency_abandon(ticket).await;
    } else {
        app.idempotency_finish(ticket, rparts.status.as_u16(), &body)
            .await;
    }
    Response::from_parts(rparts, Body::from(body))
}
