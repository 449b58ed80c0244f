//! Host profiles and search.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use livehire_domain::ids::HostId;
use livehire_domain::search::HostQuery;
use serde_json::{Map, Value};

use super::doc;
use crate::app::{App, HostPatch, HostSearchPage, HostView};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

/// Searches hosts. Filters combine with AND; `skills` takes a comma list or
/// repeated `skills[]`; `niche` takes `beauty OR skincare` / `AND`; sorts are
/// descending unless `order=asc`. Pages with `next_cursor`. A numeric
/// parameter outside its bound is 422 naming it.
#[utoipa::path(get, path = "/api/v1/humans", tag = "hosts", operation_id = "hosts_search", security(("bearer" = [])),
    params(
        ("platform" = Option<String>, Query, description = "`tiktok`"),
        ("skills" = Option<String>, Query, description = "Comma list; also `skills[]` repeated. Host must have all."),
        ("category" = Option<String>, Query, description = "`live_commerce`: hosts with live-commerce experience"),
        ("niche" = Option<String>, Query, description = "A niche or an expression: `beauty OR skincare`, `a AND b`"),
        ("min_followers" = Option<i64>, Query, description = "Whole number, 0 to 1,000,000,000,000"),
        ("min_avg_live_viewers" = Option<i64>, Query, description = "Whole number, 0 to 1,000,000,000,000"),
        ("min_avg_gmv_per_session" = Option<f64>, Query, description = "0 to the largest amount the server accepts (the error names it); compared to the hundredth"),
        ("min_conversion_rate" = Option<f64>, Query, description = "0 to 1"),
        ("min_rating" = Option<f64>, Query, description = "0 to 5"),
        ("max_rate" = Option<f64>, Query, description = "Host's compensation_range.min ≤ this; 0 to the largest amount the server accepts"),
        ("tiktok_shop_verified" = Option<bool>, Query, description = "As the operator verified it; a host's own claim (`self_declared`) does not count"),
        ("live_commerce_experience" = Option<bool>, Query),
        ("q" = Option<String>, Query, description = "Text in name, handle, bio, expertise, specialties"),
        ("sort" = Option<String>, Query, description = "avg_gmv (alias live_commerce_gmv), conversion_rate, avg_viewers, engagement_rate, rating (default), followers, match (with for_task)"),
        ("order" = Option<String>, Query, description = "`desc` (default) or `asc`"),
        ("limit" = Option<u32>, Query, description = "1–100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("for_task" = Option<String>, Query, description = "Only hosts eligible for this task of yours, each with `match: {score, expected_gmv, reasons}`; ranked by match unless another sort is asked. The score's rating part uses `(5 × 3.0 + n × rating) / (5 + n)`, n = ratings behind the rating"),
    ),
    responses(
        (status = 200, description = "A page of profiles: `{data: [profile…], next_cursor}`; with `for_task` each profile has its `match`", body = HostSearchPage),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "`forbidden`: `for_task` with a host's key (only the task's agent matches hosts to it)", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a parameter outside its bound, an unknown `sort`, a bad `cursor`, or a `for_task` that is not one of the caller's tasks", body = ErrorBody)))]
pub async fn search(
    State(app): State<App>,
    Auth(caller): Auth,
    QueryPairs(pairs): QueryPairs,
) -> ApiResult<Response> {
    let query = HostQuery::parse(&pairs).map_err(ApiError::Validation)?;
    let page = app.search_hosts(&caller, query).await?;
    // The profiles are stored rendered: the page is written as it is.
    Ok(([(CONTENT_TYPE, "application/json")], page.into_json()).into_response())
}

/// A host's public profile.
#[utoipa::path(get, path = "/api/v1/humans/{human_id}", tag = "hosts", operation_id = "hosts_get", security(("bearer" = [])),
    params(("human_id" = String, Path, description = "`ph_profile_…`")),
    responses(
        (status = 200, description = "The profile, with `ratings`, the verified `tiktok_shop_verified` and `badges`, the host's claims under `self_declared` and `monitored_metrics` once it has verified sessions", body = HostView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 404, description = "`not_found`: no host with this id", body = ErrorBody)))]
pub async fn get(
    State(app): State<App>,
    _auth: Auth,
    Path(human_id): Path<String>,
) -> ApiResult<Json<HostView>> {
    Ok(Json(app.host(&HostId::from(human_id)).await?))
}

/// Updates the caller's own profile (JSON merge patch: `null` removes a
/// field). `tiktok_shop_verified` and `badges` change the host's claims
/// (`self_declared`), never the verified values.
#[utoipa::path(patch, path = "/api/v1/humans/{human_id}", tag = "hosts", operation_id = "hosts_patch", security(("bearer" = [])),
    params(("human_id" = String, Path, description = "`ph_profile_…`: the caller's own")),
    request_body(content = HostPatch, description = "A JSON merge patch of the profile",
        examples(("new_figures" = (summary = "Update follower figures and remove the avatar", value = json!({"follower_stats": {"followers": 185000}, "avatar_url": null}))))),
    responses(
        (status = 200, description = "The updated profile", body = HostView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "`forbidden`: not the caller's own profile", body = ErrorBody),
        (status = 404, description = "`not_found`: no host with this id", body = ErrorBody),
        (status = 409, description = "`handle_taken`: another host holds this TikTok handle", body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: the patched profile breaks a rule (each field named in `details`)", body = ErrorBody)))]
pub async fn patch(
    State(app): State<App>,
    Auth(caller): Auth,
    Path(human_id): Path<String>,
    AppJson(body): AppJson<Map<String, Value>>,
) -> ApiResult<Json<HostView>> {
    // Read as an object, then typed: a field of the wrong type is named in
    // the profile rules' words, with every other broken rule.
    let patch = HostPatch::parse(body)?;
    Ok(Json(
        app.patch_host(&caller, &HostId::from(human_id), patch)
            .await?,
    ))
}
