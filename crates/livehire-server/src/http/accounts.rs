//! Registration, `me`, key rotation.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::app::{AgentRegistration, App, Me, NewAgent, NewHostKey, RotatedKey};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth};

/// The Bearer token of a request's headers, if any.
fn bearer_of(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Registers an agent; the key in the answer is shown only this once. When the
/// operator closed registration, only the admin token (as Bearer) may register.
#[utoipa::path(post, path = "/api/v1/agents/register", tag = "accounts", request_body = NewAgent,
    responses((status = 201, body = AgentRegistration), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_agent(
    State(app): State<App>,
    headers: HeaderMap,
    AppJson(body): AppJson<NewAgent>,
) -> ApiResult<(StatusCode, Json<AgentRegistration>)> {
    app.check_registration(bearer_of(&headers))?;
    Ok((StatusCode::CREATED, Json(app.register_agent(body).await?)))
}

/// Registers a host from a profile (the seed's profile shape; `rating`,
/// `ratings_count` and `completion_count` are the server's and ignored here).
/// `tiktok_shop_verified` and `badges` are kept as the host's claims under
/// `self_declared`; the served values start unverified.
#[utoipa::path(post, path = "/api/v1/humans/register", tag = "accounts", request_body = Object,
    responses((status = 201, body = NewHostKey), (status = 400, body = ErrorBody),
        (status = 403, description = "Registration is closed and the admin token was not sent", body = ErrorBody),
        (status = 409, description = "`handle_taken`: another host holds this TikTok handle", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn register_host(
    State(app): State<App>,
    headers: HeaderMap,
    AppJson(body): AppJson<Value>,
) -> ApiResult<(StatusCode, Json<NewHostKey>)> {
    app.check_registration(bearer_of(&headers))?;
    Ok((StatusCode::CREATED, Json(app.register_host(body).await?)))
}

/// The caller: an agent or a host.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<Me>> {
    Ok(Json(app.me(&caller).await?))
}

/// Issues a new key and revokes every earlier one of the account.
#[utoipa::path(post, path = "/api/v1/me/keys/rotate", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = RotatedKey), (status = 401, body = ErrorBody)))]
pub async fn rotate_key(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<RotatedKey>> {
    Ok(Json(app.rotate_key(&caller).await?))
}
