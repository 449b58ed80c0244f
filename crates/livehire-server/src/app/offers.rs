//! Offers: invitations, applications, assignment and acceptance.

use livehire_domain::access::Action;
use livehire_domain::eligibility;
use livehire_domain::host::search_fields;
use livehire_domain::ids::{self, HostId, TaskId};
use livehire_domain::ledger::Entry;
use livehire_domain::money;
use livehire_domain::state::{TaskAction, TaskStatus};
use livehire_store::{
    Caller, HostInvitation, OfferKind, OfferRecord, OfferStatus, StoreError, TaskHost, TaskRecord,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::figure_inputs::Amount;
use super::task_view::{TaskView, amount_of};
use super::tasks::{currency_of, draft_of};
use super::{App, Page, PageRequest, require_host};
use crate::error::{ApiError, ApiResult};

/// `POST …/invitations` and `POST …/assign` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HostRef {
    /// The host (`ph_profile_…`).
    #[schema(value_type = String)]
    pub human_id: HostId,
}

/// `POST …/assign` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Assignment {
    /// The host (`ph_profile_…`): an applicant or an invitee.
    #[schema(value_type = String)]
    pub human_id: HostId,
    /// `true`: assign at the `proposed_compensation` of the host's application,
    /// which then becomes the base payment held in escrow and paid at approval.
    /// Absent or `false`: the task's own base.
    #[serde(default)]
    pub accept_proposed_compensation: bool,
}

/// `POST …/applications` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewApplication {
    /// Why this host is right for the session.
    pub pitch: String,
    /// What the host asks for, in the task's currency (defaults to the task's compensation).
    pub proposed_compensation: Option<Amount>,
}

/// An invitation or application as served.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferView {
    /// `ph_inv_…` or `ph_app_…`.
    pub id: String,
    /// The task.
    #[schema(value_type = String)]
    pub task_id: TaskId,
    /// The host.
    #[schema(value_type = String)]
    pub human_id: HostId,
    /// `invitation` or `application`.
    pub kind: OfferKind,
    /// `pending`, `accepted` or `declined`; to its host, `withdrawn` when the
    /// task was cancelled while it was pending.
    pub status: OfferStatus,
    /// The host's pitch (applications).
    pub pitch: Option<String>,
    /// The host's proposed compensation (applications), in the task's currency.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    #[schema(value_type = Option<f64>)]
    pub proposed_compensation: Option<Decimal>,
    /// RFC 3339.
    pub created_at: String,
}

/// One of a host's invitations (`GET /api/v1/me/invitations`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    /// `ph_inv_…`.
    pub id: String,
    /// The task.
    #[schema(value_type = String)]
    pub task_id: TaskId,
    /// The task's title.
    pub title: String,
    /// The task's compensation, in its currency.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub compensation: Decimal,
    /// ISO 4217 code.
    pub currency: String,
    /// When the task's first session is scheduled (RFC 3339), if it is.
    pub scheduled_time: Option<String>,
    /// `pending` (accept it with `POST /api/v1/tasks/{task_id}/accept`),
    /// `accepted`, `declined` (another host was assigned) or `withdrawn` (the
    /// task was cancelled).
    pub status: OfferStatus,
    /// The task's status.
    pub task_status: TaskStatus,
    /// When the agent sent it (RFC 3339).
    pub sent_at: String,
}

/// A task's invitations or applications (`GET …/invitations`,
/// `GET …/applications`): every one, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferList {
    /// The offers.
    pub data: Vec<OfferView>,
}

/// An offer's status as its host sees it: a pending offer on a cancelled task
/// was withdrawn.
fn status_for_host(offer_status: OfferStatus, task_status: TaskStatus) -> OfferStatus {
    if offer_status == OfferStatus::Pending && task_status == TaskStatus::Cancelled {
        OfferStatus::Withdrawn
    } else {
        offer_status
    }
}

fn invitation_view(i: &HostInvitation) -> InvitationView {
    InvitationView {
        id: i.offer.id.clone(),
        task_id: i.offer.task_id.clone().into(),
        title: i.title.clone(),
        compensation: amount_of(i.compensation_minor, &i.currency),
        currency: i.currency.clone(),
        scheduled_time: i.scheduled_time.clone(),
        status: status_for_host(i.offer.status, i.task_status),
        task_status: i.task_status,
        sent_at: i.offer.created_at.clone(),
    }
}

/// A host's accept that the agent's wallet could not cover: 409
/// `escrow_unfunded`, without amounts and without pointing at a wallet the
/// host does not own. Other errors pass through.
fn unfunded_for_host(e: ApiError) -> ApiError {
    match e {
        ApiError::InsufficientFunds { .. } => ApiError::Conflict {
            code: "escrow_unfunded",
            message: "the brand has not funded the escrow for this task yet, so it cannot be \
                      assigned to you now; your invitation stays pending and you can accept it \
                      once the escrow is funded"
                .into(),
        },
        other => other,
    }
}

/// An opaque page cursor holding the last id of a page.
fn id_cursor(id: &str) -> String {
    super::Cursor::Id(id.to_string()).encode()
}

/// Decodes a cursor made by [`id_cursor`]; 422 naming `cursor` otherwise.
fn parse_id_cursor(cursor: &str, prefix: &str) -> ApiResult<String> {
    super::Cursor::id(cursor, prefix)
}

/// Of a task's offers, the one host `human_id` sees as its own (its
/// invitation before its application), with the status a host is shown.
pub(crate) fn hosts_offer(
    task: &TaskRecord,
    offers: &[OfferRecord],
    human_id: &str,
) -> ApiResult<Option<OfferView>> {
    let mut mine: Vec<&OfferRecord> = offers.iter().filter(|o| o.human_id == human_id).collect();
    mine.sort_by_key(|o| o.kind != OfferKind::Invitation);
    let Some(offer) = mine.first() else {
        return Ok(None);
    };
    let mut view = offer_view(offer, currency_of(task)?);
    view.status = status_for_host(offer.status, task.status);
    Ok(Some(view))
}

pub(crate) fn offer_view(o: &OfferRecord, currency: money::Currency) -> OfferView {
    OfferView {
        id: o.id.clone(),
        task_id: o.task_id.clone().into(),
        human_id: o.human_id.clone().into(),
        kind: o.kind,
        status: o.status,
        pitch: o.pitch.clone(),
        proposed_compensation: o
            .proposed_compensation_minor
            .map(|m| money::from_minor(m, currency)),
        created_at: o.created_at.clone(),
    }
}

impl App {
    /// Checks a host against the task's requirements: 422 naming every unmet one.
    pub(crate) async fn check_eligible(&self, task: &TaskRecord, human_id: &str) -> ApiResult<()> {
        let host = match self.store().host(human_id).await {
            Ok(h) => h,
            Err(StoreError::NotFound) => {
                return Err(ApiError::field("human_id", format!("no host {human_id}")));
            }
            Err(e) => return Err(e.into()),
        };
        let draft = draft_of(task)?;
        let unmet = eligibility::check(&draft.requirements, &search_fields(&host.profile));
        if unmet.is_empty() {
            return Ok(());
        }
        Err(ApiError::Validation(
            unmet
                .into_iter()
                .map(|u| {
                    livehire_domain::FieldError::new(
                        format!("requirements.{}", u.requirement),
                        u.message,
                    )
                })
                .collect(),
        ))
    }

    async fn add_offer(
        &self,
        task: &TaskRecord,
        human_id: &str,
        kind: OfferKind,
        pitch: Option<String>,
        proposed: Option<i64>,
    ) -> ApiResult<OfferView> {
        let action = match kind {
            OfferKind::Invitation => TaskAction::Invite,
            OfferKind::Application => TaskAction::Apply,
        };
        let next = task.status.apply(action)?;
        self.check_eligible(task, human_id).await?;
        let now = self.now_text();
        let prefix = match kind {
            OfferKind::Invitation => ids::INVITATION,
            OfferKind::Application => ids::APPLICATION,
        };
        let offer = OfferRecord {
            id: ids::new_id(prefix, self.now(), &mut rand::rng()),
            task_id: task.id.clone(),
            human_id: human_id.to_string(),
            kind,
            status: OfferStatus::Pending,
            pitch,
            proposed_compensation_minor: proposed,
            created_at: now.clone(),
            updated_at: now,
        };
        let mut change = self.change_for(task, next);
        change.offer = Some(offer.clone());
        change.involve = Some(TaskHost {
            human_id: human_id.to_string(),
            role: kind.as_str().to_string(),
        });
        self.apply(change, action).await?;
        Ok(offer_view(&offer, currency_of(task)?))
    }

    /// Invites a host to an open task (agent).
    pub async fn invite(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        human_id: &HostId,
    ) -> ApiResult<OfferView> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        self.add_offer(&task, human_id, OfferKind::Invitation, None, None)
            .await
    }

    /// Applies to an open task (host).
    pub async fn apply_to(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        body: NewApplication,
    ) -> ApiResult<OfferView> {
        let (task, _) = self.task_for(caller, task_id, Action::Apply).await?;
        let human_id = caller.id.as_str();
        let pitch = body.pitch.trim();
        if pitch.is_empty() || pitch.chars().count() > 5_000 {
            return Err(ApiError::field("pitch", "must be 1–5,000 characters"));
        }
        let currency = currency_of(&task)?;
        let proposed = match body.proposed_compensation {
            None => None,
            Some(Amount(amount)) => {
                money::check_amount(amount, currency)
                    .map_err(|m| ApiError::field("proposed_compensation", m))?;
                Some(
                    money::to_minor(amount, currency)
                        .map_err(|m| ApiError::field("proposed_compensation", m))?,
                )
            }
        };
        self.add_offer(
            &task,
            human_id,
            OfferKind::Application,
            Some(pitch.to_string()),
            proposed,
        )
        .await
    }

    /// The calling host's invitations, newest first (`GET /api/v1/me/invitations`).
    pub async fn my_invitations(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> ApiResult<Page<InvitationView>> {
        let human_id = require_host(caller)?;
        let limit = page.limit;
        let before = page
            .cursor
            .as_deref()
            .map(|c| parse_id_cursor(c, ids::INVITATION))
            .transpose()?;
        let mut rows = self
            .store()
            .host_invitations(human_id, before.as_deref(), limit + 1)
            .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        Ok(Page {
            next_cursor: rows.last().filter(|_| more).map(|r| id_cursor(&r.offer.id)),
            data: rows.iter().map(invitation_view).collect(),
        })
    }

    /// A host's own offer on a task, as the task view shows it to them: the
    /// invitation if there is one, else the application.
    pub(crate) async fn offer_of(
        &self,
        task: &TaskRecord,
        human_id: &str,
    ) -> ApiResult<Option<OfferView>> {
        let offers = self.store().offers(&task.id, None).await?;
        hosts_offer(task, &offers, human_id)
    }

    /// Lists a task's offers of one kind (agent).
    pub async fn offers(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        kind: OfferKind,
    ) -> ApiResult<OfferList> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        let currency = currency_of(&task)?;
        Ok(OfferList {
            data: self
                .store()
                .offers(task_id, Some(kind.as_str()))
                .await?
                .iter()
                .map(|o| offer_view(o, currency))
                .collect(),
        })
    }

    /// Assigns a host who applied or was invited (agent); holds the base in
    /// escrow: the task's, or the host's proposed compensation when the agent
    /// accepts it.
    pub async fn assign(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        body: &Assignment,
    ) -> ApiResult<TaskView> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        task.status.apply(TaskAction::Assign)?;
        let human_id = body.human_id.as_str();
        let offers: Vec<OfferRecord> = self
            .store()
            .offers(task_id, None)
            .await?
            .into_iter()
            .filter(|o| o.human_id == human_id)
            .collect();
        if offers.is_empty() {
            return Err(ApiError::field(
                "human_id",
                format!("{human_id} has neither applied nor been invited"),
            ));
        }
        let base = if body.accept_proposed_compensation {
            let proposed = offers.iter().find_map(|o| o.proposed_compensation_minor);
            Some(proposed.ok_or_else(|| {
                ApiError::field(
                    "accept_proposed_compensation",
                    format!("{human_id} proposed no compensation for this task"),
                )
            })?)
        } else {
            None
        };
        self.assign_host(&task, human_id, TaskAction::Assign, base)
            .await?;
        self.task(caller, task_id).await
    }

    /// Accepts an invitation (host), which assigns the task to them. When the
    /// agent's wallet cannot cover the base, the host learns only that the
    /// escrow is not funded yet (409 `escrow_unfunded`): the brand's balance is
    /// not the host's business, nor is paying it.
    pub async fn accept(&self, caller: &Caller, task_id: &TaskId) -> ApiResult<TaskView> {
        let (task, _) = self.task_for(caller, task_id, Action::Accept).await?;
        let human_id = caller.id.as_str();
        task.status.apply(TaskAction::Accept)?;
        let invited = self
            .store()
            .offers(task_id, Some(OfferKind::Invitation.as_str()))
            .await?
            .iter()
            .any(|o| o.human_id == human_id && o.status == OfferStatus::Pending);
        if !invited {
            return Err(ApiError::Forbidden(
                "there is no pending invitation for you on this task".into(),
            ));
        }
        self.assign_host(&task, human_id, TaskAction::Accept, None)
            .await
            .map_err(unfunded_for_host)?;
        self.task(caller, task_id).await
    }

    /// Assigns `human_id` and holds the base in escrow: `agreed_base` (minor
    /// units) when the agent accepted the host's proposal, else the task's.
    async fn assign_host(
        &self,
        task: &TaskRecord,
        human_id: &str,
        action: TaskAction,
        agreed_base: Option<i64>,
    ) -> ApiResult<()> {
        self.check_eligible(task, human_id).await?;
        let currency = currency_of(task)?;
        let base = match agreed_base {
            Some(base) => base,
            None => {
                let draft = draft_of(task)?;
                money::to_minor(
                    money::round(draft.commission.base_total, currency),
                    currency,
                )
                .map_err(|m| anyhow::anyhow!("task {} base: {m}", task.id))?
            }
        };
        let mut change = self.change_for(task, TaskStatus::Assigned);
        change.assign = Some(human_id.to_string());
        change.escrow_minor = Some(base);
        change.agreed_base_minor = Some(base);
        change.involve = Some(TaskHost {
            human_id: human_id.to_string(),
            role: "assigned".into(),
        });
        change.settle_offers_for = Some(human_id.to_string());
        let entry = Entry::escrow_hold(&task.agent_id, &task.id, currency, base);
        change.ledger.push(self.ledger_write(
            &entry,
            Some(&task.id),
            Some(&task.agent_id),
            Some(human_id),
            None,
        ));
        self.apply(change, action).await?;
        tracing::info!(task_id = %task.id, human_id, base, "host assigned");
        Ok(())
    }
}
