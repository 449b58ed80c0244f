//! Double-entry bookkeeping (SPEC §4): every movement of money is one entry
//! whose signed postings sum to zero. A positive amount means money arrives in
//! that account. Amounts are integer minor units of one currency.
//!
//! Accounts:
//! - `world:deposits` — where deposited money comes from (its balance is minus
//!   everything ever deposited);
//! - `agent:<id>:available` — an agent's spendable wallet (never below zero);
//! - `escrow:<task id>` — a task's held base payment;
//! - `host:<id>:earnings` — what a host has been paid.

use crate::money::Currency;

/// One line of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// Account name (see the module docs).
    pub account: String,
    /// Signed minor units: positive into the account, negative out of it.
    pub amount_minor: i64,
}

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Money enters an agent's wallet.
    Deposit,
    /// A task's base payment is held at assignment.
    EscrowHold,
    /// A cancelled task's escrow goes back to the wallet.
    EscrowRefund,
    /// Approval pays the host: escrow plus the rest from the wallet.
    Payout,
    /// A tip on rating.
    Tip,
}

impl EntryKind {
    /// The stored and served name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Deposit => "deposit",
            EntryKind::EscrowHold => "escrow_hold",
            EntryKind::EscrowRefund => "escrow_refund",
            EntryKind::Payout => "payout",
            EntryKind::Tip => "tip",
        }
    }
}

/// A balanced journal entry, built only through the constructors below.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What it records.
    pub kind: EntryKind,
    /// The currency of every posting.
    pub currency: Currency,
    /// The postings; they sum to zero.
    pub postings: Vec<Posting>,
}

/// The world account deposits come from.
pub const WORLD: &str = "world:deposits";

/// An agent's wallet account.
pub fn agent_available(agent_id: &str) -> String {
    format!("agent:{agent_id}:available")
}

/// A task's escrow account.
pub fn escrow(task_id: &str) -> String {
    format!("escrow:{task_id}")
}

/// A host's earnings account.
pub fn host_earnings(human_id: &str) -> String {
    format!("host:{human_id}:earnings")
}

/// Whether an account may never go below zero (wallets and escrows).
pub fn must_stay_non_negative(account: &str) -> bool {
    account.starts_with("agent:") || account.starts_with("escrow:")
}

impl Entry {
    fn new(kind: EntryKind, currency: Currency, postings: Vec<(String, i64)>) -> Entry {
        let postings: Vec<Posting> = postings
            .into_iter()
            .filter(|(_, a)| *a != 0)
            .map(|(account, amount_minor)| Posting {
                account,
                amount_minor,
            })
            .collect();
        debug_assert_eq!(postings.iter().map(|p| p.amount_minor).sum::<i64>(), 0);
        Entry {
            kind,
            currency,
            postings,
        }
    }

    /// Sum of the postings (always zero for entries built here).
    pub fn balance(&self) -> i64 {
        self.postings.iter().map(|p| p.amount_minor).sum()
    }

    /// A deposit into an agent's wallet.
    pub fn deposit(agent_id: &str, currency: Currency, amount: i64) -> Entry {
        Entry::new(
            EntryKind::Deposit,
            currency,
            vec![(WORLD.into(), -amount), (agent_available(agent_id), amount)],
        )
    }

    /// Holds a task's base payment from the agent's wallet.
    pub fn escrow_hold(agent_id: &str, task_id: &str, currency: Currency, amount: i64) -> Entry {
        Entry::new(
            EntryKind::EscrowHold,
            currency,
            vec![
                (agent_available(agent_id), -amount),
                (escrow(task_id), amount),
            ],
        )
    }

    /// Returns a task's escrow to the agent's wallet.
    pub fn escrow_refund(agent_id: &str, task_id: &str, currency: Currency, amount: i64) -> Entry {
        Entry::new(
            EntryKind::EscrowRefund,
            currency,
            vec![
                (escrow(task_id), -amount),
                (agent_available(agent_id), amount),
            ],
        )
    }

    /// Pays `total` to the host: the escrow first, the rest from the wallet. When
    /// the total is below the escrow, the difference goes back to the wallet.
    pub fn payout(
        agent_id: &str,
        task_id: &str,
        human_id: &str,
        currency: Currency,
        escrow_held: i64,
        total: i64,
    ) -> Entry {
        Entry::new(
            EntryKind::Payout,
            currency,
            vec![
                (escrow(task_id), -escrow_held),
                (agent_available(agent_id), escrow_held - total),
                (host_earnings(human_id), total),
            ],
        )
    }

    /// A tip from the agent's wallet to the host.
    pub fn tip(agent_id: &str, human_id: &str, currency: Currency, amount: i64) -> Entry {
        Entry::new(
            EntryKind::Tip,
            currency,
            vec![
                (agent_available(agent_id), -amount),
                (host_earnings(human_id), amount),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_balance_and_skip_zero_postings() {
        let cny = Currency::parse("CNY").unwrap();
        let p = Entry::payout("a", "t", "h", cny, 150_000, 1_366_000);
        assert_eq!(p.balance(), 0);
        assert_eq!(p.postings.len(), 3);
        assert_eq!(p.postings[1].amount_minor, -1_216_000);
        let exact = Entry::payout("a", "t", "h", cny, 150_000, 150_000);
        assert_eq!(exact.postings.len(), 2, "no zero wallet posting");
        assert_eq!(Entry::deposit("a", cny, 5).balance(), 0);
        assert!(must_stay_non_negative(&agent_available("a")));
        assert!(!must_stay_non_negative(WORLD));
    }
}
