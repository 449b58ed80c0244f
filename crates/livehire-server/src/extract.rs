//! Request extractors: lenient JSON bodies, Bearer authentication, raw query pairs.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use livehire_store::Caller;
use serde::de::DeserializeOwned;

use crate::app::App;
use crate::error::ApiError;

/// Largest request body accepted (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Reads a request body up to [`BODY_LIMIT`], answering 413 past it.
pub async fn read_body(req: Request) -> Result<Bytes, ApiError> {
    read_body_up_to(req, BODY_LIMIT).await
}

/// Reads a request body up to `limit` bytes, answering 413 past it.
pub async fn read_body_up_to(req: Request, limit: usize) -> Result<Bytes, ApiError> {
    if let Some(len) = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        && len > limit
    {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| ApiError::PayloadTooLarge { limit })
}

/// Whether a content type may carry a JSON body: `application/json` (and `+json`),
/// none at all, or `application/x-www-form-urlencoded` — what `curl -d` sends
/// when the seed's examples leave the header out.
pub fn json_content_type_ok(ct: Option<&str>) -> bool {
    let Some(ct) = ct else { return true };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence.is_empty()
        || essence == "application/json"
        || essence.ends_with("+json")
        || essence == "application/x-www-form-urlencoded"
}

/// Parses JSON bytes into `T`: syntax errors → 400 with line and column, type
/// errors → 422 with the JSON path of the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    // The fast path; only a failure pays for tracking the path of the error.
    if let Ok(value) = serde_json::from_slice::<T>(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::InvalidJson {
                    line: inner.line(),
                    column: inner.column(),
                    message: inner.to_string(),
                }
            }
            _ => {
                let msg = inner.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                ApiError::field(if path == "." { String::new() } else { path }, msg)
            }
        }
    })?;
    de.end().map_err(|e| ApiError::InvalidJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    Ok(value)
}

/// A JSON body, accepted with a lenient content type (see [`json_content_type_ok`]).
/// An empty body reads as `{}`.
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("?").to_string());
        if !json_content_type_ok(ct.as_deref()) {
            return Err(ApiError::UnsupportedMediaType(ct.unwrap_or_default()));
        }
        let bytes = read_body(req).await?;
        parse_json(&bytes).map(AppJson)
    }
}

/// The authenticated caller (`Authorization: Bearer <key>`).
pub struct Auth(pub Caller);

impl FromRequestParts<App> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let key = bearer(parts).ok_or(ApiError::Unauthorized(
            "missing API key: send Authorization: Bearer <key>",
        ))?;
        app.authenticate(key).await.map(Auth)
    }
}

/// The operator, who presented the admin token as the Bearer key (see
/// [`App::check_admin`] for the answers otherwise).
pub struct AdminToken;

impl FromRequestParts<App> for AdminToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        app.check_admin(bearer(parts)).await.map(|()| AdminToken)
    }
}

/// The Bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The query string as ordered pairs, so repeated keys (`skills[]=a&skills[]=b`) survive.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(q)
            .map(QueryPairs)
            .map_err(|e| ApiError::BadRequest(format!("malformed query string: {e}")))
    }
}

impl QueryPairs {
    /// The last value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}
