//! Wallets, earnings and the ledger as callers see them.

use livehire_domain::ids::{LedgerEntryId, TaskId};
use livehire_domain::ledger::Entry;
use livehire_domain::limits;
use livehire_domain::money::{self, Currency};
use livehire_store::{Caller, CallerKind, LedgerWrite};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::figure_inputs::Amount;
use super::task_view::amount_of;
use super::{App, Page, PageRequest, parse_seq_cursor, require_agent, require_host, seq_cursor};
use crate::error::{ApiError, ApiResult};

/// Largest single deposit accepted, in whole currency units.
const MAX_DEPOSIT: i64 = 1_000_000_000;

/// `POST /api/v1/wallet/deposits` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDeposit {
    /// Amount, > 0 and at most 1,000,000,000, with at most the currency's
    /// decimals.
    pub amount: Amount,
    /// ISO 4217 code.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: String,
    /// The payment provider's reference, kept on the ledger entry.
    #[schema(max_length = 200)]
    pub reference: Option<String>,
}

/// An agent's money in one currency, in its decimals.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WalletBalance {
    /// ISO 4217 code.
    pub currency: String,
    /// Spendable.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub available: Decimal,
    /// Held in escrow for assigned tasks.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub in_escrow: Decimal,
    /// Paid to hosts (payouts and tips).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub paid_out: Decimal,
}

/// `GET /api/v1/wallet`: the agent's balances, one per currency it holds.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WalletView {
    /// One per currency.
    pub balances: Vec<WalletBalance>,
}

/// A deposit, and the wallet after it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DepositView {
    /// The ledger entry (`ph_le_…`).
    #[schema(value_type = String)]
    pub id: LedgerEntryId,
    /// The amount credited, with the currency's decimals.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
    /// The payment provider's reference.
    pub reference: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// The wallet after the deposit.
    pub wallet: WalletView,
}

/// What a ledger entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LedgerEntryKind {
    /// Money entered an agent's wallet.
    Deposit,
    /// A task's base payment was held at assignment.
    EscrowHold,
    /// A cancelled task's escrow went back to the wallet.
    EscrowRefund,
    /// Approval paid the host: escrow plus the rest from the wallet.
    Payout,
    /// A tip on rating.
    Tip,
}

impl LedgerEntryKind {
    /// Reads a stored kind.
    fn of_stored(kind: &str) -> ApiResult<LedgerEntryKind> {
        Ok(match kind {
            "deposit" => LedgerEntryKind::Deposit,
            "escrow_hold" => LedgerEntryKind::EscrowHold,
            "escrow_refund" => LedgerEntryKind::EscrowRefund,
            "payout" => LedgerEntryKind::Payout,
            "tip" => LedgerEntryKind::Tip,
            other => return Err(anyhow::anyhow!("a stored ledger entry of kind {other:?}").into()),
        })
    }
}

/// A host's money in one currency, in its decimals.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EarningsBalance {
    /// ISO 4217 code.
    pub currency: String,
    /// `paid_out` + `pending`.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub total: Decimal,
    /// Paid to the host (payouts and tips).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub paid_out: Decimal,
    /// Held in escrow for the host's assigned tasks not approved yet.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub pending: Decimal,
}

/// A payment to the host: a payout or a tip.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EarningsLine {
    /// The ledger entry (`ph_le_…`).
    #[schema(value_type = String)]
    pub entry_id: LedgerEntryId,
    /// `payout` or `tip`.
    pub kind: LedgerEntryKind,
    /// The task paid for.
    #[schema(value_type = Option<String>)]
    pub task_id: Option<TaskId>,
    /// What the host received, with the currency's decimals.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `GET /api/v1/earnings`: the host's balances and its newest 100 payments.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EarningsView {
    /// One per currency.
    pub balances: Vec<EarningsBalance>,
    /// Payouts and tips, newest first.
    pub data: Vec<EarningsLine>,
}

/// One line of a ledger entry.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PostingView {
    /// `world:deposits`, `agent:{id}:available`, `escrow:{task id}` or
    /// `host:{id}:earnings`.
    pub account: String,
    /// Signed: positive into the account, negative out of it; with the
    /// currency's decimals.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
}

/// A journal entry: its postings sum to zero.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LedgerEntryView {
    /// `ph_le_…`.
    #[schema(value_type = String)]
    pub id: LedgerEntryId,
    /// RFC 3339.
    pub created_at: String,
    /// What it records.
    pub kind: LedgerEntryKind,
    /// The task it belongs to.
    #[schema(value_type = Option<String>)]
    pub task_id: Option<TaskId>,
    /// ISO 4217 code of every posting.
    pub currency: String,
    /// The payment provider's reference (deposits).
    pub reference: Option<String>,
    /// The postings.
    pub postings: Vec<PostingView>,
}

impl LedgerEntryView {
    fn of(e: &LedgerWrite) -> ApiResult<LedgerEntryView> {
        Ok(LedgerEntryView {
            id: LedgerEntryId::from(e.id.as_str()),
            created_at: e.created_at.clone(),
            kind: LedgerEntryKind::of_stored(&e.kind)?,
            task_id: e.task_id.as_deref().map(TaskId::from),
            currency: e.currency.clone(),
            reference: e.reference.clone(),
            postings: e
                .postings
                .iter()
                .map(|(account, amount)| PostingView {
                    account: account.clone(),
                    amount: amount_of(*amount, &e.currency),
                })
                .collect(),
        })
    }
}

/// `GET /api/v1/ledger`: a page of the caller's journal entries.
pub type LedgerPage = Page<LedgerEntryView>;

impl App {
    /// Credits an agent's wallet (the hook where a payment provider lands).
    pub async fn deposit(&self, caller: &Caller, body: NewDeposit) -> ApiResult<DepositView> {
        let agent_id = require_agent(caller)?;
        let currency =
            Currency::parse(&body.currency).map_err(|m| ApiError::field("currency", m))?;
        let amount = body.amount.0;
        if amount <= rust_decimal::Decimal::ZERO
            || amount > rust_decimal::Decimal::from(MAX_DEPOSIT)
        {
            return Err(ApiError::field(
                "amount",
                format!("must be greater than 0 and at most {MAX_DEPOSIT}"),
            ));
        }
        let minor = money::to_minor(amount, currency).map_err(|m| ApiError::field("amount", m))?;
        if body.reference.as_ref().is_some_and(|r| r.len() > 200) {
            return Err(ApiError::field(
                "reference",
                "must be at most 200 characters",
            ));
        }
        // Balances stay far inside what minor units can hold.
        let available = self
            .store()
            .wallet(agent_id)
            .await?
            .iter()
            .find(|b| b.currency == currency.code())
            .map_or(0, |b| b.available);
        let cap = money::to_minor(limits::MAX_WALLET_BALANCE, currency).unwrap_or(i64::MAX);
        if i128::from(available) + i128::from(minor) > i128::from(cap) {
            return Err(ApiError::field(
                "amount",
                format!(
                    "would take the wallet past {} {currency}, the most it holds",
                    money::group_thousands(&limits::MAX_WALLET_BALANCE.to_string())
                ),
            ));
        }
        let entry = Entry::deposit(agent_id, currency, minor);
        let write = self.ledger_write(&entry, None, Some(agent_id), None, body.reference.clone());
        self.store().write_ledger(&write).await?;
        Ok(DepositView {
            id: LedgerEntryId::from(write.id),
            amount: money::from_minor(minor, currency),
            currency: currency.code().to_string(),
            reference: body.reference,
            created_at: write.created_at,
            wallet: self.wallet(caller).await?,
        })
    }

    /// `GET /api/v1/wallet`.
    pub async fn wallet(&self, caller: &Caller) -> ApiResult<WalletView> {
        let agent_id = require_agent(caller)?;
        Ok(wallet_view(&self.store().wallet(agent_id).await?))
    }

    /// `GET /api/v1/earnings` (host): balances and the payout and tip lines.
    pub async fn earnings(&self, caller: &Caller) -> ApiResult<EarningsView> {
        let human_id = require_host(caller)?;
        let balances = self
            .store()
            .earnings(human_id)
            .await?
            .iter()
            .map(|b| EarningsBalance {
                currency: b.currency.clone(),
                total: amount_of(b.paid_out + b.pending, &b.currency),
                paid_out: amount_of(b.paid_out, &b.currency),
                pending: amount_of(b.pending, &b.currency),
            })
            .collect();
        let account = livehire_domain::ledger::host_earnings(human_id);
        let page = self.store().ledger(None, Some(human_id), None, 100).await?;
        let mut data = Vec::new();
        for l in &page.data {
            let Some(&(_, amount)) = l.entry.postings.iter().find(|(a, _)| *a == account) else {
                continue;
            };
            data.push(EarningsLine {
                entry_id: LedgerEntryId::from(l.entry.id.as_str()),
                kind: LedgerEntryKind::of_stored(&l.entry.kind)?,
                task_id: l.entry.task_id.as_deref().map(TaskId::from),
                amount: amount_of(amount, &l.entry.currency),
                currency: l.entry.currency.clone(),
                created_at: l.entry.created_at.clone(),
            });
        }
        Ok(EarningsView { balances, data })
    }

    /// `GET /api/v1/ledger`: the caller's journal entries, newest first.
    pub async fn ledger(&self, caller: &Caller, page: PageRequest) -> ApiResult<LedgerPage> {
        let before = page.cursor.as_deref().map(parse_seq_cursor).transpose()?;
        let (agent, host) = match caller.kind {
            CallerKind::Agent => (Some(caller.id.as_str()), None),
            CallerKind::Host => (None, Some(caller.id.as_str())),
        };
        let rows = self.store().ledger(agent, host, before, page.limit).await?;
        let data = rows
            .data
            .iter()
            .map(|l| LedgerEntryView::of(&l.entry))
            .collect::<ApiResult<Vec<_>>>()?;
        Ok(Page {
            data,
            next_cursor: rows.next.map(seq_cursor),
        })
    }
}

/// A wallet's stored balances as the API shows them.
pub(crate) fn wallet_view(stored: &[livehire_store::WalletBalance]) -> WalletView {
    WalletView {
        balances: stored
            .iter()
            .map(|b| WalletBalance {
                currency: b.currency.clone(),
                available: amount_of(b.available, &b.currency),
                in_escrow: amount_of(b.in_escrow, &b.currency),
                paid_out: amount_of(b.paid_out, &b.currency),
            })
            .collect(),
    }
}
