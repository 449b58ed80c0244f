//! The run of show: a proposed minute-by-minute plan per session, editable by
//! the agent, saved with the task.

use livehire_domain::access::Action;
use livehire_domain::ids::TaskId;
use livehire_domain::run_of_show::{self as ros, RunOfShow, SessionPlanOfShow};
use livehire_domain::state::TaskStatus;
use livehire_store::{Caller, TaskChange};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::App;
use super::tasks::draft_of;
use crate::error::{ApiError, ApiResult};

/// `POST …/run-of-show` body: empty (`{}`) to have a plan proposed from the
/// task, or the agent's edited plan.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RunOfShowRequest {
    /// The edited plan: one entry per session of the task, as
    /// `GET …/run-of-show` shows it (`session_index`, `duration_minutes` and
    /// a segment's `title`, `product_ids` and `notes` may be left out).
    /// Absent: propose a plan. Checked against the task with a path for each
    /// error (`sessions[0].segments[3].end_minute`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<SessionPlanOfShow>>)]
    pub sessions: Option<Value>,
}

/// A field that is present, even as `null` (which is then a plan to check,
/// not an absent one).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// A task's run of show as served.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunOfShowView {
    /// The task.
    #[schema(value_type = String)]
    pub task_id: TaskId,
    /// `proposed` (by the planner) or `edited` (saved by the agent).
    pub source: String,
    /// When it was saved (RFC 3339).
    pub updated_at: String,
    /// One plan per session, session 1 first.
    pub sessions: Vec<SessionPlanOfShow>,
}

/// The sessions of a stored plan.
pub(crate) fn plan_sessions(plan: Value) -> anyhow::Result<Vec<SessionPlanOfShow>> {
    Ok(serde_json::from_value::<RunOfShow>(plan)?.sessions)
}

impl App {
    /// Proposes (no `sessions`) or saves an edited (`sessions`) run of show.
    pub async fn save_run_of_show(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        body: RunOfShowRequest,
    ) -> ApiResult<RunOfShowView> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        let status = task.status;
        if matches!(status, TaskStatus::Approved | TaskStatus::Cancelled) {
            return Err(ApiError::InvalidState {
                current: status.as_str().into(),
                allowed: status.allowed().into_iter().map(str::to_string).collect(),
            });
        }
        let draft = draft_of(&task)?;
        let (plan, source) = match body.sessions {
            Some(sessions) => (
                ros::validate(&json!({ "sessions": sessions }), &draft)
                    .map_err(ApiError::Validation)?,
                "edited",
            ),
            None => (ros::propose(&draft, draft.products_count), "proposed"),
        };
        let plan_json = serde_json::to_value(&plan).map_err(anyhow::Error::from)?;
        let change = TaskChange {
            task_id: task.id.clone(),
            now: self.now_text(),
            run_of_show: Some((plan_json, source.to_string())),
            ..TaskChange::default()
        };
        self.store().apply_task_change(&change).await?;
        Ok(RunOfShowView {
            task_id: task_id.to_string().into(),
            source: source.to_string(),
            updated_at: self.now_text(),
            sessions: plan.sessions,
        })
    }

    /// The saved run of show (agent, or a host involved in the task).
    pub async fn run_of_show(&self, caller: &Caller, task_id: &TaskId) -> ApiResult<RunOfShowView> {
        self.task_for(caller, task_id, Action::ViewRunOfShow)
            .await?;
        match self.store().run_of_show(task_id).await? {
            Some((plan, source, updated_at)) => Ok(RunOfShowView {
                task_id: task_id.to_string().into(),
                source,
                updated_at,
                sessions: plan_sessions(plan)
                    .map_err(|e| anyhow::anyhow!("stored run of show of {task_id}: {e}"))?,
            }),
            None => Err(ApiError::NotFound(format!(
                "run of show for task {task_id} (POST /api/v1/tasks/{task_id}/run-of-show proposes one)"
            ))),
        }
    }
}
