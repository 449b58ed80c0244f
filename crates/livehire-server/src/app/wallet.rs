//! Wallets, earnings and the ledger as callers see them.

use livehire_domain::ledger::Entry;
use livehire_domain::limits;
use livehire_domain::money::{self, Currency};
use livehire_store::{Caller, CallerKind};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{App, minor_json, parse_seq_cursor, require_agent, require_host, seq_cursor};
use crate::error::{ApiError, ApiResult};

/// Largest single deposit accepted, in whole currency units.
const MAX_DEPOSIT: i64 = 1_000_000_000;

/// `POST /api/v1/wallet/deposits` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDeposit {
    /// Amount, > 0, in the currency's minor units precision.
    #[schema(value_type = f64)]
    pub amount: Value,
    /// ISO 4217 code.
    pub currency: String,
    /// The payment provider's reference, kept on the ledger entry.
    pub reference: Option<String>,
}

impl App {
    /// Credits an agent's wallet (the hook where a payment provider lands).
    pub async fn deposit(&self, caller: &Caller, body: NewDeposit) -> ApiResult<Value> {
        let agent_id = require_agent(caller)?;
        let currency =
            Currency::parse(&body.currency).map_err(|m| ApiError::field("currency", m))?;
        let amount = money::parse_amount(&body.amount).map_err(|m| ApiError::field("amount", m))?;
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
        Ok(json!({
            "id": write.id,
            "amount": minor_json(minor, currency.code()),
            "currency": currency.code(),
            "reference": body.reference,
            "created_at": write.created_at,
            "wallet": self.wallet(caller).await?,
        }))
    }

    /// `GET /api/v1/wallet`.
    pub async fn wallet(&self, caller: &Caller) -> ApiResult<Value> {
        let agent_id = require_agent(caller)?;
        let balances: Vec<Value> = self
            .store()
            .wallet(agent_id)
            .await?
            .iter()
            .map(|b| {
                json!({
                    "currency": b.currency,
                    "available": minor_json(b.available, &b.currency),
                    "in_escrow": minor_json(b.in_escrow, &b.currency),
                    "paid_out": minor_json(b.paid_out, &b.currency),
                })
            })
            .collect();
        Ok(json!({ "balances": balances }))
    }

    /// `GET /api/v1/earnings` (host): balances and the payout and tip lines.
    pub async fn earnings(&self, caller: &Caller) -> ApiResult<Value> {
        let human_id = require_host(caller)?;
        let balances: Vec<Value> = self
            .store()
            .earnings(human_id)
            .await?
            .iter()
            .map(|b| {
                json!({
                    "currency": b.currency,
                    "total": minor_json(b.paid_out + b.pending, &b.currency),
                    "paid_out": minor_json(b.paid_out, &b.currency),
                    "pending": minor_json(b.pending, &b.currency),
                })
            })
            .collect();
        let account = livehire_domain::ledger::host_earnings(human_id);
        let page = self.store().ledger(None, Some(human_id), None, 100).await?;
        let lines: Vec<Value> = page
            .data
            .iter()
            .filter_map(|l| {
                let amount = l.entry.postings.iter().find(|(a, _)| *a == account)?.1;
                Some(json!({
                    "entry_id": l.entry.id,
                    "kind": l.entry.kind,
                    "task_id": l.entry.task_id,
                    "amount": minor_json(amount, &l.entry.currency),
                    "currency": l.entry.currency,
                    "created_at": l.entry.created_at,
                }))
            })
            .collect();
        Ok(json!({ "balances": balances, "data": lines }))
    }

    /// `GET /api/v1/ledger`: the caller's journal entries, newest first.
    pub async fn ledger(
        &self,
        caller: &Caller,
        limit: Option<&str>,
        cursor: Option<&str>,
    ) -> ApiResult<Value> {
        let limit = super::parse_limit(limit)?;
        let before = cursor.map(parse_seq_cursor).transpose()?;
        let (agent, host) = match caller.kind {
            CallerKind::Agent => (Some(caller.id.as_str()), None),
            CallerKind::Host => (None, Some(caller.id.as_str())),
        };
        let page = self.store().ledger(agent, host, before, limit).await?;
        let data: Vec<Value> = page
            .data
            .iter()
            .map(|l| {
                let e = &l.entry;
                json!({
                    "id": e.id,
                    "created_at": e.created_at,
                    "kind": e.kind,
                    "task_id": e.task_id,
                    "currency": e.currency,
                    "reference": e.reference,
                    "postings": e.postings.iter().map(|(account, amount)| json!({
                        "account": account,
                        "amount": minor_json(*amount, &e.currency),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok(json!({ "data": data, "next_cursor": page.next.map(seq_cursor) }))
    }
}
