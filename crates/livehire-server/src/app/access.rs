//! Access to tasks and sessions: the caller's party, and the domain's rule for
//! the action (`livehire_domain::access`, `docs/access.md`). Every service
//! method that touches a task or a session goes through here.

use livehire_domain::access::{self, Action, Outcome, Party, Standing};
use livehire_store::{Caller, CallerKind, SessionRecord, StoreError, TaskRecord};

use super::App;
use crate::error::{ApiError, ApiResult};

impl App {
    /// The caller's party to a task. Whether a host was invited or applied
    /// is read only when it matters (a host that is not the assigned one).
    pub(crate) async fn party(&self, caller: &Caller, task: &TaskRecord) -> ApiResult<Party> {
        let is_agent = caller.kind == CallerKind::Agent;
        let assigned = task.assigned_human_id.as_deref();
        let involved = !is_agent
            && assigned != Some(caller.id.as_str())
            && self
                .store()
                .task_hosts(&task.id)
                .await?
                .iter()
                .any(|h| h.human_id == caller.id);
        Ok(access::party(&Standing {
            caller_is_agent: is_agent,
            caller_id: &caller.id,
            agent_id: &task.agent_id,
            assigned_host: assigned,
            involved,
            open: task.status == livehire_store::TaskStatus::Open,
        }))
    }

    /// Task `id` for `action` by `caller`, with the caller's party: 404 when
    /// the caller may not learn the task exists (as for one that does not),
    /// 403 when it may see it but not do this.
    pub(crate) async fn task_for(
        &self,
        caller: &Caller,
        id: &str,
        action: Action,
    ) -> ApiResult<(TaskRecord, Party)> {
        let task = match self.store().task(id).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => return Err(ApiError::NotFound(format!("task {id}"))),
            Err(e) => return Err(e.into()),
        };
        let party = self.party(caller, &task).await?;
        allowed(party, action, id)?;
        Ok((task, party))
    }

    /// Session `id` and its task for `action` by `caller`, like
    /// [`App::task_for`] (a hidden session is 404 as a session).
    pub(crate) async fn session_for(
        &self,
        caller: &Caller,
        id: &str,
        action: Action,
    ) -> ApiResult<(TaskRecord, SessionRecord, Party)> {
        let not_found = || ApiError::NotFound(format!("session {id}"));
        let task = match self.store().session_task(id).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        let party = self.party(caller, &task).await?;
        match access::decide(party, action) {
            Outcome::Allow => {}
            Outcome::Forbid(why) => return Err(ApiError::Forbidden(why.into())),
            Outcome::Hide => return Err(not_found()),
        }
        let session = task
            .sessions
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or_else(not_found)?;
        Ok((task, session, party))
    }
}

/// Whether `party` may do `action` to task `id`: 404 when it may not learn
/// the task exists, 403 when it may see it but not do this.
pub(crate) fn allowed(party: Party, action: Action, id: &str) -> ApiResult<()> {
    match access::decide(party, action) {
        Outcome::Allow => Ok(()),
        Outcome::Forbid(why) => Err(ApiError::Forbidden(why.into())),
        Outcome::Hide => Err(ApiError::NotFound(format!("task {id}"))),
    }
}
