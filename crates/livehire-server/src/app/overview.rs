//! An agent's overview: its tasks by status and what needs its attention,
//! as the dashboard's home page (or any other door) shows it.

use livehire_domain::money::{Currency, from_minor};
use livehire_store::{Caller, CallerKind, TaskStatus};
use rust_decimal::Decimal;

use super::{App, WalletView};
use crate::error::{ApiError, ApiResult};

/// How many of the most recent tasks an overview lists.
pub const OVERVIEW_TASKS: u32 = 20;

/// A task as a list shows it.
#[derive(Debug, Clone)]
pub struct TaskLine {
    /// `ph_task_…`.
    pub id: String,
    /// Its state.
    pub status: TaskStatus,
    /// Its title.
    pub title: String,
    /// The base payment, in `currency`.
    pub compensation: Decimal,
    /// ISO code.
    pub currency: String,
    /// The task's time zone (IANA), as posted.
    pub time_zone: Option<String>,
    /// When its first session is scheduled (RFC 3339).
    pub first_session_at: Option<String>,
}

/// What an agent should see first.
#[derive(Debug, Clone)]
pub struct AgentOverview {
    /// Its tasks per status, exact, every status in the state machine's
    /// order (0 where it has none).
    pub by_status: Vec<(TaskStatus, u64)>,
    /// Its most recently posted tasks (at most [`OVERVIEW_TASKS`]).
    pub recent: Vec<TaskLine>,
    /// Pending applications on its open tasks.
    pub applications_waiting: u64,
    /// Tasks submitted and waiting for its review.
    pub submissions_to_review: u64,
    /// Sessions of its tasks live now.
    pub live_now: u64,
    /// Its wallet.
    pub wallet: WalletView,
}

impl App {
    /// The agent's overview (agents only). The counts are the store's, kept
    /// as tasks change, so an agent with many thousands of tasks costs no
    /// more to show than one with ten.
    pub async fn agent_overview(&self, caller: &Caller) -> ApiResult<AgentOverview> {
        if caller.kind != CallerKind::Agent {
            return Err(ApiError::Forbidden("only agents have an overview".into()));
        }
        // One read: the counts, the newest tasks and the wallet.
        let stored = self
            .store()
            .agent_overview(&caller.id, OVERVIEW_TASKS)
            .await?;
        let wallet = super::wallet::wallet_view(&stored.wallet);
        let (counts, recent) = (stored.counts, stored.recent);
        let recent = recent
            .into_iter()
            .map(|t| TaskLine {
                compensation: Currency::parse(&t.currency).map_or_else(
                    |_| Decimal::new(t.compensation_minor, 2),
                    |c| from_minor(t.compensation_minor, c),
                ),
                id: t.id,
                status: t.status,
                title: t.title,
                currency: t.currency,
                time_zone: t.time_zone,
                first_session_at: t.first_session_at,
            })
            .collect();
        let by_status: Vec<(TaskStatus, u64)> = TaskStatus::ALL
            .into_iter()
            .map(|status| {
                let n = counts.by_status.iter().find(|(s, _)| *s == status);
                (status, n.map_or(0, |(_, n)| *n))
            })
            .collect();
        let submissions_to_review = by_status
            .iter()
            .find(|(s, _)| *s == TaskStatus::Submitted)
            .map_or(0, |(_, n)| *n);
        Ok(AgentOverview {
            by_status,
            recent,
            applications_waiting: counts.applications_pending,
            submissions_to_review,
            live_now: counts.sessions_live,
            wallet,
        })
    }
}
