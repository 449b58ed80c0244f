//! Wallet, earnings, ledger.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::Value;

use crate::app::{App, NewDeposit};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

/// Adds money to the agent's wallet.
#[utoipa::path(post, path = "/api/v1/wallet/deposits", tag = "money", security(("bearer" = [])), request_body = NewDeposit,
    responses((status = 201, body = Object), (status = 422, body = ErrorBody)))]
pub async fn deposit(
    State(app): State<App>,
    Auth(caller): Auth,
    AppJson(body): AppJson<NewDeposit>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    Ok((StatusCode::CREATED, Json(app.deposit(&caller, body).await?)))
}

/// The agent's balances: `{balances: [{currency, available, in_escrow, paid_out}]}`.
#[utoipa::path(get, path = "/api/v1/wallet", tag = "money", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn wallet(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<Value>> {
    Ok(Json(app.wallet(&caller).await?))
}

/// The host's earnings: `{balances: [{currency, total, paid_out, pending}], data: [lines…]}`.
#[utoipa::path(get, path = "/api/v1/earnings", tag = "money", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn earnings(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<Value>> {
    Ok(Json(app.earnings(&caller).await?))
}

/// The caller's journal entries, newest first; each entry's postings sum to zero.
#[utoipa::path(get, path = "/api/v1/ledger", tag = "money", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, description = "`{data: [{id, created_at, kind, task_id, currency, postings: [{account, amount}]}], next_cursor}`", body = Object)))]
pub async fn ledger(
    State(app): State<App>,
    Auth(caller): Auth,
    q: QueryPairs,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        app.ledger(&caller, q.get("limit"), q.get("cursor")).await?,
    ))
}
