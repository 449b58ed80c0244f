//! Tasks: posting, reading, listing, cancelling.

use livehire_domain::access::{self, Action, Party};
use livehire_domain::commission::CommissionStructure;
use livehire_domain::ids;
use livehire_domain::ids::TaskId;
use livehire_domain::ledger::Entry;
use livehire_domain::money::{self, Currency};
use livehire_domain::state::{
    CancelRefused, CancelWindow, InvalidTransition, SessionTimes, TaskAction, TaskStatus,
};
use livehire_domain::task::TaskDraft;
use livehire_store::{
    Caller, CallerKind, LedgerWrite, SessionRecord, SessionStatus, StoreError, TaskChange,
    TaskFilter, TaskRecord,
};
use serde_json::Value;

use super::task_view::{NewTask, TaskListQuery, TaskRunOfShow, TaskView};
use super::{App, Page, parse_seq_cursor, require_agent, seq_cursor, timestamp};
use crate::error::{ApiError, ApiResult};

impl From<InvalidTransition> for ApiError {
    fn from(e: InvalidTransition) -> Self {
        ApiError::InvalidState {
            current: e.current.as_str().to_string(),
            allowed: e
                .current
                .allowed()
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }
}

impl App {
    /// Posts a task (`POST /api/v1/tasks`).
    pub async fn create_task(&self, caller: &Caller, body: NewTask) -> ApiResult<TaskView> {
        let body = Value::Object(body.0);
        let agent_id = require_agent(caller)?;
        let now = self.now();
        let draft = TaskDraft::parse(&body, now).map_err(ApiError::Validation)?;
        // Amounts are stored (and so served) in one shape: a number with the
        // currency's decimals, whether they came as numbers or strings.
        let mut body = body;
        livehire_domain::task::canonical_money(&mut body, draft.currency);
        let compensation_minor = money::to_minor(draft.compensation, draft.currency)
            .map_err(|m| ApiError::field("compensation", m))?;
        let (id, sessions) = {
            let mut rng = rand::rng();
            let id = ids::new_id(ids::TASK, now, &mut rng);
            let sessions: Vec<SessionRecord> = draft
                .sessions
                .iter()
                .enumerate()
                .map(|(i, s)| SessionRecord {
                    id: ids::new_id(ids::SESSION, now, &mut rng),
                    position: i as i64,
                    scheduled_time: s.scheduled_time.map(timestamp),
                    duration_minutes: i64::from(s.duration_minutes),
                    status: SessionStatus::Scheduled,
                    week: s.week.map(i64::from),
                    theme: s.theme.clone(),
                    started_at: None,
                    ended_at: None,
                    stream_ended_at: None,
                    feed: None,
                })
                .collect();
            (id, sessions)
        };
        let now_text = timestamp(now);
        let record = TaskRecord {
            id,
            seq: 0,
            agent_id: agent_id.to_string(),
            status: TaskStatus::Open,
            title: draft.title.clone(),
            currency: draft.currency.code().to_string(),
            compensation_minor,
            deadline: timestamp(draft.deadline),
            body,
            terms: Some(super::task_terms::stored(&draft)?),
            assigned_human_id: None,
            escrow_minor: 0,
            agreed_base_minor: None,
            created_at: now_text.clone(),
            updated_at: now_text,
            sessions,
        };
        self.store().create_task(&record).await?;
        tracing::debug!(task_id = %record.id, agent_id, "task posted");
        Ok(TaskView::of(record))
    }

    /// A task (`GET /api/v1/tasks/{id}`), with its saved run of show; a host
    /// who was invited or applied also sees its own offer (`your_offer`).
    pub async fn task(&self, caller: &Caller, id: &TaskId) -> ApiResult<TaskView> {
        let (task, party) = self.task_for(caller, id, Action::ViewTask).await?;
        let mut view = TaskView::of_ref(&task);
        if matches!(party, Party::AssignedHost | Party::InvolvedHost)
            && let Some(offer) = self.offer_of(&task, &caller.id).await?
        {
            view.set_your_offer(offer);
        }
        if access::decide(party, Action::ViewRunOfShow) != access::Outcome::Allow {
            return Ok(view);
        }
        show_run_of_show(&mut view, id, self.store().run_of_show(id).await?);
        Ok(view)
    }

    /// Lists the caller's tasks (a host: open tasks and its own), newest first.
    pub async fn list_tasks(&self, caller: &Caller, q: TaskListQuery) -> ApiResult<Page<TaskView>> {
        let before_seq = q.page.cursor.as_deref().map(parse_seq_cursor).transpose()?;
        let mut filter = TaskFilter {
            status: q.status,
            before_seq,
            limit: q.page.limit,
            ..TaskFilter::default()
        };
        match caller.kind {
            CallerKind::Agent => filter.agent_id = Some(caller.id.clone()),
            CallerKind::Host => filter.host_id = Some(caller.id.clone()),
        }
        let page = self.store().list_tasks(&filter).await?;
        let mut data = page.data;
        if caller.kind == CallerKind::Host {
            // Open tasks are listed to the hosts who meet their requirements; a
            // page may hold fewer than `limit` tasks while more follow.
            let profile = self.store().host(&caller.id).await?.profile;
            let fields = livehire_domain::host::search_fields(&profile);
            data.retain(|t| {
                t.assigned_human_id.as_deref() == Some(caller.id.as_str())
                    || t.status != TaskStatus::Open
                    || draft_of(t).is_ok_and(|d| {
                        livehire_domain::eligibility::is_eligible(&d.requirements, &fields)
                    })
            });
        }
        Ok(Page {
            data: data.into_iter().map(TaskView::of).collect(),
            next_cursor: page.next.map(seq_cursor),
        })
    }

    /// Cancels a task (`POST /api/v1/tasks/{id}/cancel`): freely while its host
    /// is not yet due, or once the host is late (see `state::CancelWindow`);
    /// an assigned task's escrow goes back to the wallet in the same transaction.
    pub async fn cancel_task(&self, caller: &Caller, id: &TaskId) -> ApiResult<TaskView> {
        let (task, _) = self.task_for(caller, id, Action::ManageTask).await?;
        let agent_id = caller.id.as_str();
        let status = task.status;
        let window = self.cancel_window(&task, status).await?;
        let live = task
            .sessions
            .iter()
            .find(|s| s.status == SessionStatus::Live);
        let (action, next) = status
            .cancel(self.now(), &window, live.is_some())
            .map_err(|refused| cancel_refused(refused, live))?;
        let mut change = self.change_for(&task, next);
        change.no_live_session = true;
        if task.escrow_minor > 0 {
            let currency = currency_of(&task)?;
            let entry = Entry::escrow_refund(agent_id, id, currency, task.escrow_minor);
            change.ledger.push(self.ledger_write(
                &entry,
                Some(id.as_str()),
                Some(agent_id),
                None,
                None,
            ));
            change.escrow_minor = Some(0);
        }
        self.apply(change, action).await?;
        tracing::info!(
            task_id = %id,
            stalled = action == TaskAction::CancelStalled,
            "task cancelled"
        );
        self.task(caller, id).await
    }

    /// When the task's host is due and when it is late.
    async fn cancel_window(
        &self,
        task: &TaskRecord,
        status: TaskStatus,
    ) -> ApiResult<CancelWindow> {
        let time = |t: &str| {
            chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|e| {
                    ApiError::from(anyhow::anyhow!("task {}: stored time {t:?}: {e}", task.id))
                })
        };
        let sessions = task
            .sessions
            .iter()
            .map(|s| {
                Ok(SessionTimes {
                    scheduled_start: s.scheduled_time.as_deref().map(time).transpose()?,
                    duration_minutes: s.duration_minutes,
                    ended_at: s.ended_at.as_deref().map(time).transpose()?,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let revision = if status == TaskStatus::InProgress {
            match self.store().revisions(&task.id).await?.last() {
                Some(r) => Some(time(&r.created_at)?),
                None => None,
            }
        } else {
            None
        };
        Ok(CancelWindow::new(
            time(&task.deadline)?,
            &sessions,
            revision,
        ))
    }

    /// A change that moves `task` from its current status to `next`.
    pub(crate) fn change_for(&self, task: &TaskRecord, next: TaskStatus) -> TaskChange {
        TaskChange {
            task_id: task.id.clone(),
            agent_id: task.agent_id.clone(),
            human_id: task.assigned_human_id.clone(),
            expect: vec![task.status],
            status: Some(next),
            now: self.now_text(),
            ..TaskChange::default()
        }
    }

    /// Applies a change; a concurrent status change becomes `invalid_state` for `action`.
    pub(crate) async fn apply(&self, mut change: TaskChange, action: TaskAction) -> ApiResult<()> {
        change.outbox = self.task_events(&change, action);
        match self.store().apply_task_change(&change).await {
            Ok(()) => {
                self.events_written();
                if matches!(
                    change.status,
                    Some(TaskStatus::Approved | TaskStatus::Cancelled)
                ) {
                    self.freeze_sessions(&change.task_id).await;
                }
                // A rating or completion changes the host's figures and public JSON.
                let hosts: Vec<String> = change
                    .rating
                    .iter()
                    .map(|r| r.human_id.clone())
                    .chain(change.host_completed.clone())
                    .collect();
                if !hosts.is_empty() {
                    let index = self.inner.host_index.writer().await;
                    index.hosts_changed(self.store(), &hosts).await;
                }
                Ok(())
            }
            Err(StoreError::Conflict(msg)) => match TaskStatus::parse(&msg) {
                Some(now) => Err(InvalidTransition {
                    current: now,
                    action,
                }
                .into()),
                None => Err(ApiError::Conflict {
                    code: "conflict",
                    message: msg,
                }),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// Marks a settled task's loaded sessions frozen. An approval holds the
    /// flag itself and sets it; otherwise a delivery holding it for reading
    /// finds the task settled in the store (its write is refused there).
    async fn freeze_sessions(&self, task_id: &str) {
        let loaded: Vec<_> = self
            .live()
            .sessions
            .lock()
            .await
            .values()
            .filter(|l| l.task_id == task_id)
            .cloned()
            .collect();
        for live in loaded {
            if let Ok(mut settled) = live.settled.try_write() {
                *settled = true;
            }
        }
    }

    /// A ledger entry ready to store.
    pub(crate) fn ledger_write(
        &self,
        entry: &Entry,
        task_id: Option<&str>,
        agent_id: Option<&str>,
        human_id: Option<&str>,
        reference: Option<String>,
    ) -> LedgerWrite {
        LedgerWrite {
            id: ids::new_id(ids::LEDGER_ENTRY, self.now(), &mut rand::rng()),
            kind: entry.kind.as_str().to_string(),
            task_id: task_id.map(str::to_string),
            agent_id: agent_id.map(str::to_string),
            human_id: human_id.map(str::to_string),
            currency: entry.currency.code().to_string(),
            reference,
            postings: entry
                .postings
                .iter()
                .map(|p| (p.account.clone(), p.amount_minor))
                .collect(),
            created_at: self.now_text(),
        }
    }
}

/// The answer to a refused cancel: what stands in the way, and the way out.
fn cancel_refused(refused: CancelRefused, live: Option<&SessionRecord>) -> ApiError {
    match refused {
        CancelRefused::State(e) => e.into(),
        CancelRefused::SessionLive => {
            let id = live.map_or("of this task", |s| s.id.as_str());
            ApiError::Conflict {
                code: "invalid_state",
                message: format!(
                    "session {id} is live; end it first with POST /api/v1/sessions/{id}/end, then cancel"
                ),
            }
        }
        CancelRefused::NotYet { current, from } => ApiError::Conflict {
            code: "invalid_state",
            message: format!(
                "task is {current} and its host may still deliver: cancel is possible from {} \
                 (the deadline, or {} hours after the last session's scheduled end, a session's \
                 actual end or a revision request, whichever is latest)",
                timestamp(from),
                livehire_domain::state::DELIVERY_GRACE_HOURS
            ),
        },
    }
}

/// The task's currency.
pub(crate) fn currency_of(task: &TaskRecord) -> ApiResult<Currency> {
    Currency::parse(&task.currency).map_err(|e| anyhow::anyhow!("task {}: {e}", task.id).into())
}

/// The task's commission structure with the base agreed at assignment (the
/// host's proposed compensation when the agent accepted it): what payouts
/// and previews are computed from.
/// Puts a task's saved run of show (body, source, updated_at) on its view,
/// for a party that may read it. An unreadable one is logged and left off:
/// the task stays readable, and `GET …/run-of-show` reports the fault.
pub(crate) fn show_run_of_show(
    view: &mut TaskView,
    id: &str,
    saved: Option<(Value, String, String)>,
) {
    let Some((plan, source, updated_at)) = saved else {
        return;
    };
    match super::run_of_show::plan_sessions(plan) {
        Ok(sessions) => view.set_run_of_show(TaskRunOfShow {
            source,
            updated_at,
            sessions,
        }),
        Err(e) => tracing::warn!(task_id = %id, error = ?e, "stored run of show unreadable"),
    }
}

pub(crate) fn agreed_commission(task: &TaskRecord) -> ApiResult<CommissionStructure> {
    let commission = draft_of(task)?.commission;
    Ok(match task.agreed_base_minor {
        Some(base) => commission.with_base(money::from_minor(base, commission.currency)),
        None => commission,
    })
}

/// The terms a stored task was posted under (see `task_terms::read`).
pub(crate) fn draft_of(task: &TaskRecord) -> ApiResult<TaskDraft> {
    super::task_terms::read(task)
}
