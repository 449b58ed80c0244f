//! An agent's overview: its tasks by status and what needs its attention,
//! as the dashboard's home page (or any other door) shows it.

use livehire_store::{Caller, TaskStatus};

use super::{
    App, OfferKind, OfferStatus, PageRequest, SessionStatus, TaskListQuery, TaskView, WalletView,
};
use crate::error::ApiResult;

/// At most this many tasks per status are read for an overview.
pub const OVERVIEW_TASKS: u32 = 100;

/// What an agent should see first.
#[derive(Debug, Clone)]
pub struct AgentOverview {
    /// Per status: how many tasks (at most [`OVERVIEW_TASKS`]) and whether
    /// there are more.
    pub by_status: Vec<(TaskStatus, usize, bool)>,
    /// The tasks read, most recently changed first.
    pub recent: Vec<TaskView>,
    /// Pending applications on its open tasks.
    pub applications_waiting: usize,
    /// Tasks submitted and waiting for its review.
    pub submissions_to_review: usize,
    /// Sessions of its tasks live now.
    pub live_now: usize,
    /// Its wallet.
    pub wallet: WalletView,
}

impl App {
    /// The agent's overview (agents only).
    pub async fn agent_overview(&self, caller: &Caller) -> ApiResult<AgentOverview> {
        let wallet = self.wallet(caller).await?;
        let mut by_status = Vec::new();
        let mut recent: Vec<TaskView> = Vec::new();
        for status in TaskStatus::ALL {
            let query = TaskListQuery {
                status: Some(status),
                page: PageRequest {
                    limit: OVERVIEW_TASKS,
                    cursor: None,
                },
            };
            let tasks = self.list_tasks(caller, query).await?;
            by_status.push((status, tasks.data.len(), tasks.next_cursor.is_some()));
            recent.extend(tasks.data);
        }
        recent.sort_by(|a, b| b.updated_at.cmp(&a.updated_at));
        let mut applications_waiting = 0;
        for t in recent.iter().filter(|t| t.status == TaskStatus::Open) {
            let id = livehire_domain::ids::TaskId::from(t.id.as_str());
            let offers = self.offers(caller, &id, OfferKind::Application).await?;
            applications_waiting += offers
                .data
                .iter()
                .filter(|o| o.status == OfferStatus::Pending)
                .count();
        }
        let submissions_to_review = recent
            .iter()
            .filter(|t| t.status == TaskStatus::Submitted)
            .count();
        let live_now = recent
            .iter()
            .flat_map(|t| &t.sessions)
            .filter(|s| s.status == SessionStatus::Live)
            .count();
        Ok(AgentOverview {
            by_status,
            recent,
            applications_waiting,
            submissions_to_review,
            live_now,
            wallet,
        })
    }
}
