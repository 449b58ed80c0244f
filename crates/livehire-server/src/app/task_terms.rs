//! A task's terms (`TaskDraft`: commission structure with its bonus tiers,
//! products, requirements, sessions): parsed once when the task is posted,
//! stored beside its body, and read back typed. The rules never run again on
//! a stored task, so a rule that changes later neither reinterprets the terms
//! a task was posted under nor turns it into an error.

use livehire_domain::access::Action;
use livehire_domain::ids::TaskId;
use livehire_domain::task::TaskDraft;
use livehire_store::{Caller, TaskRecord};

use super::App;
use crate::error::{ApiError, ApiResult};

/// Tasks read at once when filling terms.
const FILL_BATCH: u32 = 500;

/// The terms to store for a draft.
pub(crate) fn stored(draft: &TaskDraft) -> ApiResult<String> {
    serde_json::to_string(draft).map_err(|e| anyhow::anyhow!("serialising task terms: {e}").into())
}

/// A task's terms with the commission on the base agreed at assignment.
pub(crate) fn agreed_terms(task: &TaskRecord) -> ApiResult<TaskDraft> {
    let mut draft = read(task)?;
    draft.commission = super::tasks::agreed_commission(task)?;
    Ok(draft)
}

/// The terms of a stored task. A task posted before terms were stored (and
/// not filled yet) has its body parsed as it would be at posting, minus the
/// checks that a time is in the future; if that body no longer meets the
/// rules, the task cannot be acted on (409 `task_terms_invalid`) but stays
/// readable and cancellable.
pub(crate) fn read(task: &TaskRecord) -> ApiResult<TaskDraft> {
    if let Some(terms) = &task.terms {
        match serde_json::from_str(terms) {
            Ok(draft) => return Ok(draft),
            Err(e) => {
                tracing::error!(task_id = %task.id, error = %e, "stored task terms unreadable; reading the body");
            }
        }
    }
    TaskDraft::parse(&task.body, chrono::DateTime::<chrono::Utc>::MIN_UTC).map_err(|errors| {
        let broken = errors
            .iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::Conflict {
            code: "task_terms_invalid",
            message: format!(
                "task {} was posted under rules it no longer meets ({broken}); cancel it and post it again",
                task.id
            ),
        }
    })
}

impl App {
    /// The terms of task `id` as whoever may read the task sees them, the
    /// commission with the base agreed at assignment: what the dashboard
    /// states in words (products, sessions, commission and bonuses).
    pub async fn task_terms(&self, caller: &Caller, id: &TaskId) -> ApiResult<TaskDraft> {
        let (task, _) = self.task_for(caller, id, Action::ViewTask).await?;
        agreed_terms(&task)
    }

    /// Gives every task stored without terms (posted before terms were
    /// stored) the terms parsed from its body. A body that no longer meets
    /// the rules is left without terms and counted. Returns (filled, left).
    pub async fn fill_task_terms(&self) -> anyhow::Result<(usize, usize)> {
        let (mut filled, mut left) = (0, 0);
        let mut after = 0;
        loop {
            let rows = self.store().tasks_without_terms(after, FILL_BATCH).await?;
            let Some((last, _, _)) = rows.last() else {
                return Ok((filled, left));
            };
            after = *last;
            let mut terms = Vec::with_capacity(rows.len());
            for (_, id, body) in rows {
                match TaskDraft::parse(&body, chrono::DateTime::<chrono::Utc>::MIN_UTC) {
                    Ok(draft) => terms.push((id, serde_json::to_string(&draft)?)),
                    Err(errors) => {
                        tracing::warn!(task_id = %id, ?errors, "task body no longer meets the rules; left without terms");
                        left += 1;
                    }
                }
            }
            filled += terms.len();
            self.store().fill_task_terms(&terms).await?;
        }
    }

    /// Starts [`App::fill_task_terms`] in the background (a server calls it
    /// at start-up); until a task is filled its terms are read from its body.
    pub fn start_filling_task_terms(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            match app.fill_task_terms().await {
                Ok((0, 0)) => {}
                Ok((filled, left)) => {
                    tracing::info!(
                        filled,
                        left,
                        "stored the terms of tasks posted before terms were"
                    )
                }
                Err(e) => {
                    tracing::warn!(error = ?e, "filling task terms failed; they are read from the body")
                }
            }
        });
    }
}
