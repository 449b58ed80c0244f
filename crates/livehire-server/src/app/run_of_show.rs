//! The run of show: a proposed minute-by-minute plan per session, editable by
//! the agent, saved with the task.

use livehire_domain::access::Action;
use livehire_domain::run_of_show::{self as ros, RunOfShow};
use livehire_domain::state::TaskStatus;
use livehire_store::{Caller, TaskChange};
use serde_json::{Value, json};

use super::App;
use super::tasks::{draft_of, status_of};
use crate::error::{ApiError, ApiResult};

fn view(task_id: &str, plan: &Value, source: &str, updated_at: &str) -> Value {
    json!({
        "task_id": task_id,
        "source": source,
        "updated_at": updated_at,
        "sessions": plan["sessions"],
    })
}

impl App {
    /// Proposes (empty body) or saves an edited (body with `sessions`) run of show.
    pub async fn save_run_of_show(
        &self,
        caller: &Caller,
        task_id: &str,
        body: Value,
    ) -> ApiResult<Value> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        let status = status_of(&task)?;
        if matches!(status, TaskStatus::Approved | TaskStatus::Cancelled) {
            return Err(ApiError::InvalidState {
                current: status.as_str().into(),
                allowed: status.allowed().into_iter().map(str::to_string).collect(),
            });
        }
        let draft = draft_of(&task)?;
        let edited = body.get("sessions").is_some();
        let plan: RunOfShow = if edited {
            ros::validate(&body, &draft).map_err(ApiError::Validation)?
        } else {
            ros::propose(&draft, ros::products_count(&task.body))
        };
        let plan_json = serde_json::to_value(&plan).map_err(anyhow::Error::from)?;
        let source = if edited { "edited" } else { "proposed" };
        let change = TaskChange {
            task_id: task.id.clone(),
            now: self.now_text(),
            run_of_show: Some((plan_json.clone(), source.to_string())),
            ..TaskChange::default()
        };
        self.store().apply_task_change(&change).await?;
        Ok(view(task_id, &plan_json, source, &self.now_text()))
    }

    /// The saved run of show (agent, or a host involved in the task).
    pub async fn run_of_show(&self, caller: &Caller, task_id: &str) -> ApiResult<Value> {
        self.task_for(caller, task_id, Action::ViewRunOfShow)
            .await?;
        match self.store().run_of_show(task_id).await? {
            Some((plan, source, updated)) => Ok(view(task_id, &plan, &source, &updated)),
            None => Err(ApiError::NotFound(format!(
                "run of show for task {task_id} (POST /api/v1/tasks/{task_id}/run-of-show proposes one)"
            ))),
        }
    }
}
