//! Money: the journal (entries and postings, always balanced) with its running
//! balances, and the wallet, earnings and ledger views over them.

use livehire_domain::ledger::must_stay_non_negative;
use sqlx::{PgConnection, PgPool, Row};

use crate::*;

/// Writes one journal entry and moves the running balances; a wallet or escrow
/// going below zero aborts with `InsufficientFunds`. Each balance moves in one
/// upsert that locks its row to the commit, so the balance it returns is the
/// one concurrent entries see next: two spends cannot both pass the check.
pub(super) async fn write_entry(tx: &mut PgConnection, e: &LedgerWrite) -> StoreResult<()> {
    let sum: i64 = e.postings.iter().map(|(_, a)| a).sum();
    if sum != 0 {
        return Err(StoreError::Other(anyhow::anyhow!(
            "unbalanced ledger entry {} (sum {sum})",
            e.id
        )));
    }
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO ledger_entries (id, kind, task_id, agent_id, human_id, currency, reference, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
    )
    .bind(&e.id)
    .bind(&e.kind)
    .bind(&e.task_id)
    .bind(&e.agent_id)
    .bind(&e.human_id)
    .bind(&e.currency)
    .bind(&e.reference)
    .bind(&e.created_at)
    .fetch_one(&mut *tx)
    .await?;
    for (account, amount) in &e.postings {
        sqlx::query(
            "INSERT INTO ledger_postings (entry_seq, account, amount_minor) VALUES ($1, $2, $3)",
        )
        .bind(seq)
        .bind(account)
        .bind(amount)
        .execute(&mut *tx)
        .await?;
        let balance: i64 = sqlx::query_scalar(
            "INSERT INTO account_balances (account, currency, balance_minor) VALUES ($1, $2, $3) \
             ON CONFLICT (account, currency) DO UPDATE SET balance_minor = account_balances.balance_minor + excluded.balance_minor \
             RETURNING balance_minor",
        )
        .bind(account)
        .bind(&e.currency)
        .bind(amount)
        .fetch_one(&mut *tx)
        .await?;
        if balance < 0 && must_stay_non_negative(account) {
            return Err(StoreError::InsufficientFunds {
                account: account.clone(),
                currency: e.currency.clone(),
                shortfall_minor: -balance,
            });
        }
    }
    Ok(())
}

/// Writes a journal entry on its own (deposits).
pub(super) async fn write_ledger(db: &PgPool, entry: &LedgerWrite) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    write_entry(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn wallet(db: &PgPool, agent_id: &str) -> StoreResult<Vec<WalletBalance>> {
    // Escrow and payouts come summed per agent and currency from
    // `agent_money` (kept by triggers as postings are written).
    let rows = sqlx::query(
        "WITH cur AS ( \
           SELECT currency FROM account_balances WHERE account = 'agent:' || $1 || ':available' \
           UNION SELECT currency FROM agent_money WHERE agent_id = $1) \
         SELECT cur.currency AS currency, \
           COALESCE((SELECT balance_minor FROM account_balances b \
                     WHERE b.account = 'agent:' || $1 || ':available' AND b.currency = cur.currency), 0) AS available, \
           COALESCE((SELECT escrow_minor FROM agent_money m \
                     WHERE m.agent_id = $1 AND m.currency = cur.currency), 0) AS in_escrow, \
           COALESCE((SELECT paid_out_minor FROM agent_money m \
                     WHERE m.agent_id = $1 AND m.currency = cur.currency), 0) AS paid_out \
         FROM cur ORDER BY cur.currency",
    )
    .bind(agent_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WalletBalance {
                currency: r.try_get("currency")?,
                available: r.try_get("available")?,
                in_escrow: r.try_get("in_escrow")?,
                paid_out: r.try_get("paid_out")?,
            })
        })
        .collect()
}

pub(super) async fn earnings(db: &PgPool, human_id: &str) -> StoreResult<Vec<EarningsBalance>> {
    let rows = sqlx::query(
        "WITH cur AS ( \
           SELECT currency FROM account_balances WHERE account = 'host:' || $1 || ':earnings' \
           UNION SELECT currency FROM tasks WHERE assigned_human_id = $1 AND escrow_minor > 0) \
         SELECT cur.currency AS currency, \
           COALESCE((SELECT balance_minor FROM account_balances b \
                     WHERE b.account = 'host:' || $1 || ':earnings' AND b.currency = cur.currency), 0) AS paid_out, \
           COALESCE((SELECT SUM(b.balance_minor)::bigint FROM account_balances b JOIN tasks t ON b.account = 'escrow:' || t.id \
                     WHERE t.assigned_human_id = $1 AND b.currency = cur.currency), 0) AS pending \
         FROM cur ORDER BY cur.currency",
    )
    .bind(human_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EarningsBalance {
                currency: r.try_get("currency")?,
                paid_out: r.try_get("paid_out")?,
                pending: r.try_get("pending")?,
            })
        })
        .collect()
}

pub(super) async fn ledger(
    db: &PgPool,
    agent_id: Option<&str>,
    human_id: Option<&str>,
    before_seq: Option<i64>,
    limit: u32,
) -> StoreResult<Page<LedgerRecord>> {
    let rows = sqlx::query(
        "SELECT * FROM ledger_entries WHERE ($1 IS NULL OR agent_id = $1) AND ($2 IS NULL OR human_id = $2) \
         AND ($3 IS NULL OR seq < $3) ORDER BY seq DESC LIMIT $4",
    )
    .bind(agent_id)
    .bind(human_id)
    .bind(before_seq)
    .bind(i64::from(limit) + 1)
    .fetch_all(db)
    .await?;
    let more = rows.len() > limit as usize;
    let mut data = Vec::new();
    for r in rows.iter().take(limit as usize) {
        let seq: i64 = r.try_get("seq")?;
        let postings: Vec<(String, i64)> = sqlx::query_as(
            "SELECT account, amount_minor FROM ledger_postings WHERE entry_seq = $1 ORDER BY pos",
        )
        .bind(seq)
        .fetch_all(db)
        .await?;
        data.push(LedgerRecord {
            seq,
            entry: LedgerWrite {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                task_id: r.try_get("task_id")?,
                agent_id: r.try_get("agent_id")?,
                human_id: r.try_get("human_id")?,
                currency: r.try_get("currency")?,
                reference: r.try_get("reference")?,
                postings,
                created_at: r.try_get("created_at")?,
            },
        });
    }
    let next = if more {
        data.last().map(|l| l.seq)
    } else {
        None
    };
    Ok(Page { data, next })
}
