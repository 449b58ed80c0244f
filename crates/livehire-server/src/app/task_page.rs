//! A task's page on the dashboard: the task as its caller may see it, with
//! its terms, offers and messages beside it, read in one trip to the store.
//! The parts are what `task`, `task_terms`, `offers` and `list_messages`
//! answer, under the same access rules.

use livehire_domain::access::{self, Action, Party};
use livehire_domain::ids::TaskId;
use livehire_domain::task::TaskDraft;
use livehire_store::{Caller, CallerKind, StoreError};

use super::App;
use super::access::allowed;
use super::messages::{BRIEF, MessageView};
use super::offers::{OfferView, hosts_offer, offer_view};
use super::task_view::TaskView;
use super::tasks::{currency_of, show_run_of_show};
use crate::error::{ApiError, ApiResult};

/// Messages a task's page shows, oldest first.
pub const PAGE_MESSAGES: u32 = 200;

/// What a task's page shows.
#[derive(Debug)]
pub struct TaskPage {
    /// The task, as `GET /api/v1/tasks/{id}` shows it to the caller.
    pub task: TaskView,
    /// Its terms with the agreed commission (as [`App::task_terms`]).
    pub terms: TaskDraft,
    /// Its invitations and applications, oldest first: for its agent only.
    pub offers: Vec<OfferView>,
    /// The newest [`PAGE_MESSAGES`] messages the caller may read, oldest
    /// first: the agent's every thread, a host's the brief and its own.
    pub messages: Vec<MessageView>,
    /// Whether older messages than those exist (`GET …/messages` pages
    /// through them all).
    pub older_messages: bool,
    /// Whether the task has a submission (read it with `App::submission`).
    pub has_submission: bool,
}

impl App {
    /// Task `id`'s page for `caller`: 404 for a task the caller may not see.
    pub async fn task_page(&self, caller: &Caller, id: &TaskId) -> ApiResult<TaskPage> {
        let threads = match caller.kind {
            CallerKind::Agent => Vec::new(),
            CallerKind::Host => vec![BRIEF.to_string(), caller.id.clone()],
        };
        let bundle = match self.store().task_bundle(id, &threads, PAGE_MESSAGES).await {
            Ok(b) => b,
            Err(StoreError::NotFound) => return Err(ApiError::NotFound(format!("task {id}"))),
            Err(e) => return Err(e.into()),
        };
        let task = bundle.task;
        let party = self.party(caller, &task).await?;
        allowed(party, Action::ViewTask, id)?;
        let may = |action| access::decide(party, action) == access::Outcome::Allow;
        let mut view = TaskView::of_ref(&task);
        if matches!(party, Party::AssignedHost | Party::InvolvedHost)
            && let Some(offer) = hosts_offer(&task, &bundle.offers, &caller.id)?
        {
            view.set_your_offer(offer);
        }
        if may(Action::ViewRunOfShow) {
            show_run_of_show(&mut view, id, bundle.run_of_show);
        }
        let offers = if may(Action::ManageTask) {
            let currency = currency_of(&task)?;
            bundle
                .offers
                .iter()
                .map(|o| offer_view(o, currency))
                .collect()
        } else {
            Vec::new()
        };
        let (messages, older_messages) = if may(Action::Message) {
            (
                bundle.messages.iter().map(MessageView::from).collect(),
                bundle.older_messages,
            )
        } else {
            (Vec::new(), false)
        };
        Ok(TaskPage {
            terms: super::task_terms::agreed_terms(&task)?,
            task: view,
            offers,
            messages,
            older_messages,
            has_submission: bundle.has_submission,
        })
    }
}
