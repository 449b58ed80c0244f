//! Wallet, earnings, ledger.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::{doc, examples};
use crate::app::{
    App, DepositView, EarningsView, LedgerEntryView, LedgerPage, NewDeposit, Page, PageRequest,
    WalletView,
};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{AppJson, Auth, QueryPairs};

/// Adds money to the agent's wallet.
#[utoipa::path(post, path = "/api/v1/wallet/deposits", tag = "money", operation_id = "wallet_deposits_create", security(("bearer" = [])),
    request_body(content = NewDeposit,
        examples(("cny" = (summary = "Funds for the Getting Started task and a tip", value = json!(examples::deposit()))))),
    responses(
        (status = 201, description = "The deposit (`id`, `amount`, `currency`, `reference`, `created_at`) and the `wallet` after it", body = DepositView),
        (status = 400, description = doc::INVALID_JSON, body = ErrorBody),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody),
        (status = 413, description = doc::TOO_LARGE, body = ErrorBody),
        (status = 415, description = doc::NOT_JSON, body = ErrorBody),
        (status = 422, description = "`validation_failed`: an unknown currency, an amount not above 0, over 1,000,000,000 or with too many decimals, a `reference` over 200 characters, or a wallet that would pass its maximum", body = ErrorBody)))]
pub async fn deposit(
    State(app): State<App>,
    Auth(caller): Auth,
    AppJson(body): AppJson<NewDeposit>,
) -> ApiResult<(StatusCode, Json<DepositView>)> {
    Ok((StatusCode::CREATED, Json(app.deposit(&caller, body).await?)))
}

/// The agent's balances: `{balances: [{currency, available, in_escrow, paid_out}]}`.
#[utoipa::path(get, path = "/api/v1/wallet", tag = "money", operation_id = "wallet_get", security(("bearer" = [])),
    responses(
        (status = 200, description = "`{balances: [{currency, available, in_escrow, paid_out}]}`", body = WalletView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::AGENT_ONLY, body = ErrorBody)))]
pub async fn wallet(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<WalletView>> {
    Ok(Json(app.wallet(&caller).await?))
}

/// The host's earnings: `{balances: [{currency, total, paid_out, pending}], data: [lines…]}`.
#[utoipa::path(get, path = "/api/v1/earnings", tag = "money", operation_id = "earnings_get", security(("bearer" = [])),
    responses(
        (status = 200, description = "`{balances: [{currency, total, paid_out, pending}], data: [lines…]}`", body = EarningsView),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = doc::HOST_ONLY, body = ErrorBody)))]
pub async fn earnings(State(app): State<App>, Auth(caller): Auth) -> ApiResult<Json<EarningsView>> {
    Ok(Json(app.earnings(&caller).await?))
}

/// The caller's journal entries, newest first; each entry's postings sum to zero.
#[utoipa::path(get, path = "/api/v1/ledger", tag = "money", operation_id = "ledger_list", security(("bearer" = [])),
    params(("limit" = Option<u32>, Query, description = "1–100, default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page")),
    responses(
        (status = 200, description = "`{data: [{id, created_at, kind, task_id, currency, postings: [{account, amount}]}], next_cursor}`", body = Page<LedgerEntryView>),
        (status = 401, description = doc::UNAUTHORIZED, body = ErrorBody),
        (status = 422, description = doc::BAD_PAGE, body = ErrorBody)))]
pub async fn ledger(
    State(app): State<App>,
    Auth(caller): Auth,
    q: QueryPairs,
) -> ApiResult<Json<LedgerPage>> {
    let page = PageRequest::parse(q.get("limit"), q.get("cursor"), 20, 100)?;
    Ok(Json(app.ledger(&caller, page).await?))
}
