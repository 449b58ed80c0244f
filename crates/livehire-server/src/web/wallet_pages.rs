//! `GET /dashboard/wallet`: an agent's balances (available, in escrow, paid
//! out) or a host's earnings and payouts, then the account's ledger, a page
//! at a time (`?cursor=` links, as `GET /api/v1/ledger` pages).

use axum::extract::{Query, State};
use axum::response::{Html, Response};
use livehire_store::{Caller, CallerKind};
use maud::html;
use serde::Deserialize;

use super::Page;
use super::pages::{error_page, layout, money, when};
use crate::app::{App, LedgerEntryKind, PageRequest};
use crate::error::ApiResult;

/// Ledger entries per page.
const LEDGER_PAGE: u32 = 25;

/// The page's query.
#[derive(Deserialize, Default)]
pub(super) struct WalletQuery {
    cursor: Option<String>,
}

fn kind_label(kind: LedgerEntryKind) -> &'static str {
    match kind {
        LedgerEntryKind::Deposit => "ledger-deposit",
        LedgerEntryKind::EscrowHold => "ledger-escrow-hold",
        LedgerEntryKind::EscrowRefund => "ledger-escrow-refund",
        LedgerEntryKind::Payout => "ledger-payout",
        LedgerEntryKind::Tip => "ledger-tip",
    }
}

async fn render(
    app: &App,
    page: &Page,
    caller: &Caller,
    cursor: Option<String>,
) -> ApiResult<Html<String>> {
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let first_page = cursor.is_none();
    let ledger = app
        .ledger(
            caller,
            PageRequest {
                limit: LEDGER_PAGE,
                cursor,
            },
        )
        .await?;
    let agent = caller.kind == CallerKind::Agent;
    let wallet = if agent {
        Some(app.wallet(caller).await?)
    } else {
        None
    };
    let earnings = if agent {
        None
    } else {
        Some(app.earnings(caller).await?)
    };
    // The caller's own accounts are named `agent:{id}:…` or `host:{id}:…`.
    let mine = format!("{}:{}:", if agent { "agent" } else { "host" }, caller.id);
    let body = html! {
        h1 { (t("wallet-title")) }
        @if let Some(w) = &wallet {
            @if w.balances.is_empty() { p.muted { (t("wallet-empty")) } }
            div.scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { (t("col-currency")) }
                    th scope="col" { (t("wallet-available")) }
                    th scope="col" { (t("wallet-in-escrow")) }
                    th scope="col" { (t("wallet-paid-out")) }
                } }
                tbody { @for b in &w.balances { tr {
                    td { (b.currency) }
                    td.num { (money(b.available, &b.currency)) }
                    td.num { (money(b.in_escrow, &b.currency)) }
                    td.num { (money(b.paid_out, &b.currency)) }
                } } }
            } }
            p.muted { (t("wallet-deposit-help")) }
        }
        @if let Some(e) = &earnings {
            @if e.balances.is_empty() { p.muted { (t("earnings-empty")) } }
            div.scroll tabindex="0" { table {
                thead { tr {
                    th scope="col" { (t("col-currency")) }
                    th scope="col" { (t("earnings-total")) }
                    th scope="col" { (t("earnings-paid-out")) }
                    th scope="col" { (t("earnings-pending")) }
                } }
                tbody { @for b in &e.balances { tr {
                    td { (b.currency) }
                    td.num { (money(b.total, &b.currency)) }
                    td.num { (money(b.paid_out, &b.currency)) }
                    td.num { (money(b.pending, &b.currency)) }
                } } }
            } }
            @if first_page && !e.data.is_empty() {
                h2 { (t("earnings-payouts")) }
                div.scroll tabindex="0" { table {
                    thead { tr {
                        th scope="col" { (t("col-when")) }
                        th scope="col" { (t("col-kind")) }
                        th scope="col" { (t("col-task")) }
                        th scope="col" { (t("col-amount")) }
                    } }
                    tbody { @for line in &e.data { tr {
                        td { (when(&line.created_at, None)) }
                        td { (t(kind_label(line.kind))) }
                        td { @if let Some(task) = &line.task_id { a href={ "/dashboard/tasks/" (task) } { (task) } } }
                        td.num { (money(line.amount, &line.currency)) }
                    } } }
                } }
            }
        }
        h2 #ledger { (t("ledger-title")) }
        @if ledger.data.is_empty() {
            p.muted { (t("ledger-empty")) }
        } @else {
            div.scroll tabindex="0" { table.ledger {
                thead { tr {
                    th scope="col" { (t("col-when")) }
                    th scope="col" { (t("col-kind")) }
                    th scope="col" { (t("col-task")) }
                    th scope="col" { (t("ledger-postings")) }
                } }
                tbody { @for e in &ledger.data { tr {
                    td { (when(&e.created_at, None)) br; small.muted { (e.id) } }
                    td { (t(kind_label(e.kind))) @if let Some(r) = &e.reference { br; small.muted { (r) } } }
                    td { @if let Some(task) = &e.task_id { a href={ "/dashboard/tasks/" (task) } { (task) } } }
                    td { ul.postings { @for p in &e.postings {
                        li class=[p.account.starts_with(&mine).then_some("mine")] {
                            span.account { (p.account) } " " span.num { (money(p.amount, &e.currency)) }
                        }
                    } } }
                } } }
            } }
        }
        p {
            @if !first_page { a href="/dashboard/wallet#ledger" { (t("ledger-newest")) } " " }
            @if let Some(next) = &ledger.next_cursor {
                a href={ "/dashboard/wallet?cursor=" (url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()) "#ledger" } rel="next" { (t("ledger-older")) }
            }
        }
    };
    Ok(layout(page, &t("wallet-title"), body))
}

/// `GET /dashboard/wallet`.
pub(super) async fn wallet(
    State(app): State<App>,
    page: Page,
    Query(q): Query<WalletQuery>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    match render(&app, &page, &session.account, q.cursor).await {
        Ok(body) => page.finish(body),
        Err(e) => error_page(page.lang, e),
    }
}
