//! Registration, `me`, key rotation.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use super::{doc, examples};
use crate::app::{AgentRegistration, App, Me, NewAgent, NewHost, NewHostKey, RotatedKey};
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
#[utoipa::path(post, path = "/api/v1/agents/register", tag = "accounts", operation_id = "agents_register",
    request_body(content = NewAgent, examples(("brand_agent" = (summary = "A brand's agent", value = json!(examples::agent_registration()))))),
    responses(
        (status = 201, description = "The agent's id and its key (`ph_sk_…`), shown only this once", body = AgentRegistration),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 403, description = "`forbidden`: registration is closed and the admin token was not sent as the Bearer key", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: `name` empty or over 200 characters, `contact_email` not an email address, or an unknown field", body = ErrorBody)))]
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
#[utoipa::path(post, path = "/api/v1/humans/register", tag = "accounts", operation_id = "hosts_register",
    request_body(content = NewHost, description = "A host profile in the seed's shape",
        examples(("live_queen_chen" = (summary = "The seed's Example 1 host", value = json!(examples::host_registration()))))),
    responses(
        (status = 201, description = "The host's id (`ph_profile_…`) and its key (`ph_hk_…`), shown only this once", body = NewHostKey),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 403, description = "`forbidden`: registration is closed and the admin token was not sent as the Bearer key", body = ErrorBody),
        (status = 409, description = "`handle_taken`: another host holds this TikTok handle", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: the profile breaks a rule (each field named in `details`)", body = ErrorBody)))]
pub async fn register_host(
    State(app): State<App>,
    headers: HeaderMap,
    AppJson(body): AppJson<Map<String, Value>>,
) -> ApiResult<(StatusCode, Json<NewHostKey>)> {
    app.check_registration(bearer_of(&headers))?;
    // Typed once registration is allowed; a field of the wrong type is named
    // in the profile rules' words, with every other broken rule.
    let profile = NewHost::parse(body)?;
    Ok((StatusCode::CREATED, Json(app.register_host(profile).await?)))
}

/// The caller: an agent or a host.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", operation_id = "me_get", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's account: `kind` (`agent` or `host`), id, name and profile", body = Me),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody)))]
pub async fn me(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<Me>> {
    Ok(Json(app.me(&caller).await?))
}

/// Issues a new key and revokes every earlier one of the account.
///
/// Every dashboard session of the account ends too: a leaked key may have opened one.
#[utoipa::path(post, path = "/api/v1/me/keys/rotate", tag = "accounts", operation_id = "me_keys_rotate", security(("bearer" = [])),
    responses(
        (status = 200, description = "The new key; every earlier key of the account, and every dashboard session of it, stopped working", body = RotatedKey),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody)))]
pub async fn rotate_key(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<RotatedKey>> {
    Ok(Json(app.rotate_key(&caller).await?))
}
