//! The operator's endpoints, behind the admin token.

use axum::Json;
use axum::extract::{Path, State};
use livehire_domain::ids::HostId;

use super::{doc, examples};
use crate::app::{App, HostView, NewVerification};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AdminToken, AppJson};

/// Sets what the operator verified of a host: its TikTok Shop
/// (`tiktok_shop_verified`) and its badges. A host's own claims never change
/// its served `tiktok_shop_verified` and `badges` (they show under
/// `self_declared`); only this endpoint does, and search
/// (`tiktok_shop_verified=true`) and task eligibility follow it. Fields left
/// out keep their value; `{"tiktok_shop_verified": false, "badges": []}`
/// revokes everything. Needs the operator's admin token (`serve
/// --admin-token`, `LIVEHIRE_ADMIN_TOKEN`) as the Bearer key.
#[utoipa::path(post, path = "/api/v1/admin/humans/{human_id}/verification", tag = "admin",
    operation_id = "admin_hosts_verify",
    security(("admin_token" = [])),
    params(("human_id" = String, Path, description = "`ph_profile_…`")),
    request_body(content = NewVerification,
        examples(("shop_and_badges" = (summary = "Confirm the seed's Example 1 host's shop and badges", value = json!(examples::verification()))))),
    responses(
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 200, description = "The host's profile, with the verified `tiktok_shop_verified` and `badges` and its claims under `self_declared`", body = HostView),
        (status = 401, description = "No Bearer token, or one that is neither the admin token nor any API key (also when the server has no admin token configured)", body = ErrorBody),
        (status = 403, description = "An agent's or a host's API key: only the operator verifies", body = ErrorBody),
        (status = 404, description = "No host with this id", body = ErrorBody),
        (status = 422, description = "A badge is not a lower-case word, there are over 32, or the `tiktok_shop_verified` badge was sent with `tiktok_shop_verified: false`", body = ErrorBody),
    ))]
pub async fn verify_host(
    State(app): State<App>,
    _operator: AdminToken,
    Path(human_id): Path<String>,
    AppJson(body): AppJson<NewVerification>,
) -> ApiResult<Json<HostView>> {
    Ok(Json(app.verify_host(&HostId::from(human_id), body).await?))
}
