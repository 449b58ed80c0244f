//! Submission, revision, approval with payout, preview, rating with tip.

use livehire_domain::access::Action;
use livehire_domain::figures::{self, Basis, SessionEvidence, Stated};
use livehire_domain::ids::TaskId;
use livehire_domain::ledger::Entry;
use livehire_domain::live::{KeyFigures, Metrics, Provenance};
use livehire_domain::money;
use livehire_domain::payout::{self, Payout, SessionFigures};
use livehire_domain::state::{TaskAction, TaskStatus};
use livehire_domain::submission;
use livehire_store::{
    Caller, PayoutRecord, RatingRecord, SessionResultRecord, SubmissionRecord, TaskRecord,
};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::App;
use super::figure_inputs::{Amount, Approval, PayoutPreviewQuery, stated_figures};
use super::settlement_view::{
    ApprovalView, FiguresOrigin, FiguresUsed, HostReportedFigures, NewSubmission, PayoutView,
    RatedHost, RatingView, RevisionRequestView, SubmissionVersion, SubmissionView,
    VerifiedComparison, differences,
};
use super::task_view::TaskView;
use super::tasks::{agreed_commission, currency_of};
use crate::error::{ApiError, ApiResult};
use livehire_store::SessionStatus;

/// `POST …/request-revision` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RevisionRequest {
    /// What to change.
    pub reason: String,
}

/// `POST …/rate` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRating {
    /// 1–5 stars.
    pub overall_rating: i64,
    /// The review.
    pub review_text: Option<String>,
    /// Optional tip in the task's currency, paid from the wallet.
    pub tip_amount: Option<Amount>,
}

fn session_ids(task: &TaskRecord) -> Vec<String> {
    task.sessions.iter().map(|s| s.id.clone()).collect()
}

impl App {
    /// What this server recorded of each of the task's sessions: the verified
    /// figures, every live figure (the host's own posts included), and the
    /// host-posted key figures alone.
    pub(crate) async fn session_evidence(&self, task: &TaskRecord) -> ApiResult<Vec<LiveEvidence>> {
        let mut out = Vec::with_capacity(task.sessions.len());
        let now_ms = self.now().timestamp_millis();
        for s in &task.sessions {
            let live = self.live_session(task, s).await?;
            let completed = s.status == SessionStatus::Ended;
            let ev = tokio::task::spawn_blocking(move || {
                let w = live.window(now_ms);
                let mut agg = live
                    .aggregator
                    .lock()
                    .map_err(|_| anyhow::anyhow!("aggregator poisoned"))?;
                let verified = agg.metrics_of(Provenance::Verified, w);
                let host = agg.metrics_of(Provenance::HostReported, w);
                let all = (verified.is_some() || host.is_some()).then(|| agg.metrics(w));
                Ok::<_, anyhow::Error>(LiveEvidence {
                    figures: SessionEvidence {
                        verified: verified.as_ref().map(|m| session_figures(m, completed)),
                        all: all.as_ref().map(|m| session_figures(m, completed)),
                    },
                    host_reported: host.as_ref().map(KeyFigures::of),
                    verified,
                })
            })
            .await
            .map_err(anyhow::Error::from)??;
            out.push(ev);
        }
        Ok(out)
    }

    /// The assigned host submits results (again, after a revision request).
    pub async fn submit(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        body: NewSubmission,
    ) -> ApiResult<SubmissionView> {
        let body = Value::Object(body.0);
        let (task, _) = self.task_for(caller, task_id, Action::Submit).await?;
        let human_id = caller.id.as_str();
        let next = task.status.apply(TaskAction::Submit)?;
        let currency = currency_of(&task)?;
        let evidence = self.session_evidence(&task).await?;
        if let Err(errors) = submission::parse(&body, currency, &session_ids(&task)) {
            // A monitored session's figures come from this server: the host need
            // not report them, only what it alone knows (recording, highlights).
            let only_missing_reports = errors.len() == 1 && errors[0].path == "gmv_report";
            if !(only_missing_reports && evidence.iter().any(|e| e.figures.all.is_some())) {
                return Err(ApiError::Validation(errors));
            }
        }
        let mut change = self.change_for(&task, next);
        change.submission = Some(SubmissionRecord {
            task_id: task_id.to_string(),
            version: 0,
            human_id: human_id.to_string(),
            body,
            created_at: self.now_text(),
        });
        self.apply(change, TaskAction::Submit).await?;
        self.submission(caller, task_id).await
    }

    /// The latest submission with its figures and history (agent or assigned host).
    pub async fn submission(&self, caller: &Caller, task_id: &TaskId) -> ApiResult<SubmissionView> {
        let (task, _) = self
            .task_for(caller, task_id, Action::ViewSubmission)
            .await?;
        let versions = self.store().submissions(task_id).await?;
        let Some(latest) = versions.last() else {
            return Err(ApiError::NotFound(format!("submission for task {task_id}")));
        };
        let revisions = self.store().revisions(task_id).await?;
        let currency = currency_of(&task)?;
        let submitted = submission::parse(&latest.body, currency, &session_ids(&task)).ok();
        let reported = submitted.clone().unwrap_or_default();
        let evidence = self.session_evidence(&task).await?;
        let figures: Vec<SessionEvidence> = evidence.iter().map(|e| e.figures.clone()).collect();
        let chosen = figures::choose(
            Basis::Verified,
            &figures,
            submitted.as_ref(),
            &Stated::default(),
        );
        let any_verified = figures.iter().any(|e| e.verified.is_some());
        let any_host = evidence.iter().any(|e| e.host_reported.is_some());
        let source = if any_verified {
            FiguresOrigin::Verified
        } else if any_host {
            FiguresOrigin::HostReported
        } else {
            FiguresOrigin::SelfReported
        };
        let figures_used = FiguresUsed::of(&task, Basis::Verified, &chosen, &Stated::default());
        let verified = any_verified.then(|| VerifiedComparison {
            sessions: figures.iter().map(|e| e.verified.clone()).collect(),
            differences: differences(&reported, &chosen.observed),
            reported,
        });
        let host_reported = any_host.then(|| HostReportedFigures {
            sessions: evidence.iter().map(|e| e.host_reported.clone()).collect(),
        });
        let history = versions
            .iter()
            .map(|v| SubmissionVersion {
                version: v.version,
                submitted_at: v.created_at.clone(),
                revision_request: revisions.iter().find(|r| r.version == v.version).map(|r| {
                    RevisionRequestView {
                        reason: r.reason.clone(),
                        requested_at: r.created_at.clone(),
                    }
                }),
            })
            .collect();
        Ok(SubmissionView {
            task_id: task_id.to_string(),
            human_id: latest.human_id.clone(),
            version: latest.version,
            submitted_at: latest.created_at.clone(),
            source,
            extra: SubmissionView::extra_of(&latest.body, any_verified, any_host),
            figures: chosen.observed,
            figures_used,
            verified,
            host_reported,
            history,
        })
    }

    /// The agent asks for changes to a submission.
    pub async fn request_revision(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        body: RevisionRequest,
    ) -> ApiResult<TaskView> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        let next = task.status.apply(TaskAction::RequestRevision)?;
        let reason = body.reason.trim();
        if reason.is_empty() || reason.chars().count() > 5_000 {
            return Err(ApiError::field("reason", "must be 1–5,000 characters"));
        }
        let mut change = self.change_for(&task, next);
        change.revision = Some(reason.to_string());
        self.apply(change, TaskAction::RequestRevision).await?;
        self.task(caller, task_id).await
    }

    /// Approves the submission and pays the host: base + commission + bonuses,
    /// the escrow first and the rest from the wallet, in one transaction. The
    /// figures are the verified ones wherever a session has them, unless the
    /// agent approves with the host-reported ones or states figures (see
    /// `livehire_domain::figures`); the payout says which it used. The task's
    /// sessions are frozen from then on.
    pub async fn approve(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        body: Approval,
    ) -> ApiResult<ApprovalView> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        let agent_id = caller.id.as_str();
        let next = task.status.apply(TaskAction::Approve)?;
        let human_id = task
            .assigned_human_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("submitted task {task_id} has no assigned host"))?;
        let currency = currency_of(&task)?;
        let basis = body.figures.unwrap_or_default();
        let stated = stated_figures(body.stated.as_ref(), currency, task.sessions.len())?;
        if let Some(s) = task
            .sessions
            .iter()
            .find(|s| s.status == SessionStatus::Live)
        {
            return Err(ApiError::Conflict {
                code: "invalid_state",
                message: format!(
                    "session {} is still live; end it (POST /api/v1/sessions/{}/end) before approving",
                    s.id, s.id
                ),
            });
        }
        // No delivery lands between reading the figures and paying on them.
        let mut lives = Vec::with_capacity(task.sessions.len());
        for s in &task.sessions {
            lives.push(self.live_session(&task, s).await?);
        }
        let mut frozen = Vec::with_capacity(lives.len());
        for live in &lives {
            frozen.push(live.settled.write().await);
        }
        let versions = self.store().submissions(task_id).await?;
        let latest = versions
            .last()
            .ok_or_else(|| anyhow::anyhow!("submitted task {task_id} has no submission"))?;
        let evidence = self.session_evidence(&task).await?;
        let now = self.now_text();
        let results: Vec<SessionResultRecord> = task
            .sessions
            .iter()
            .zip(&evidence)
            .filter_map(|(s, e)| {
                session_result(s, e.verified.as_ref()?, &task, &human_id, currency, &now)
            })
            .collect();
        let figures: Vec<SessionEvidence> = evidence.into_iter().map(|e| e.figures).collect();
        let submitted = submission::parse(&latest.body, currency, &session_ids(&task)).ok();
        if submitted.is_none() && figures.iter().all(|e| e.all.is_none()) {
            return Err(anyhow::anyhow!("stored submission of {task_id} no longer parses").into());
        }
        let chosen = figures::choose(basis, &figures, submitted.as_ref(), &stated);
        let breakdown = payout::compute(&agreed_commission(&task)?, &chosen.observed);
        let total = money::to_minor(breakdown.total, currency)
            .map_err(|m| anyhow::anyhow!("payout total: {m}"))?;
        let paid = PayoutView {
            payout: breakdown,
            figures_used: FiguresUsed::of(&task, basis, &chosen, &stated),
        };
        let body = serde_json::to_value(&paid).map_err(anyhow::Error::from)?;
        let mut change = self.change_for(&task, next);
        change.escrow_minor = Some(0);
        let entry = Entry::payout(
            agent_id,
            task_id,
            &human_id,
            currency,
            task.escrow_minor,
            total,
        );
        change.ledger.push(self.ledger_write(
            &entry,
            Some(task_id.as_str()),
            Some(agent_id),
            Some(&human_id),
            None,
        ));
        change.payout = Some(PayoutRecord {
            task_id: task_id.to_string(),
            human_id: human_id.clone(),
            currency: currency.code().to_string(),
            total_minor: total,
            body,
            created_at: self.now_text(),
        });
        change.host_completed = Some(human_id.clone());
        let monitored = !results.is_empty();
        change.session_results = results;
        self.apply(change, TaskAction::Approve).await?;
        for settled in &mut frozen {
            **settled = true;
        }
        drop(frozen);
        if monitored {
            // Derived from the kept results: a failure here is logged and
            // mended by the host's next approval.
            if let Err(e) = self.refresh_monitored_metrics(&human_id).await {
                tracing::warn!(human_id, error = ?e, "refreshing a host's monitored figures failed");
            }
        }
        tracing::info!(%task_id, human_id, total = %paid.payout.total, ?basis, "task approved and paid");
        Ok(ApprovalView {
            task: self.task(caller, task_id).await?,
            payout: paid,
        })
    }

    /// The payout made at approval, line by line as the approval answered
    /// it (agent or assigned host); `None` before approval.
    pub async fn paid_payout(
        &self,
        caller: &Caller,
        task_id: &TaskId,
    ) -> ApiResult<Option<PayoutView>> {
        self.task_for(caller, task_id, Action::ViewSubmission)
            .await?;
        match self.store().payout(task_id).await? {
            Some(record) => serde_json::from_value(record.body)
                .map(Some)
                .map_err(|e| anyhow::anyhow!("stored payout of {task_id}: {e}").into()),
            None => Ok(None),
        }
    }

    /// What the payout would be for the given figures (agent or assigned host).
    pub async fn payout_preview(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        q: &PayoutPreviewQuery,
    ) -> ApiResult<Payout> {
        let (task, _) = self
            .task_for(caller, task_id, Action::PreviewPayout)
            .await?;
        let commission = agreed_commission(&task)?;
        let observed = q.observed(&commission, task.sessions.len())?;
        Ok(payout::compute(&commission, &observed))
    }

    /// Rates the host once after approval, with an optional tip from the wallet.
    pub async fn rate(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        body: NewRating,
    ) -> ApiResult<RatingView> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        let agent_id = caller.id.as_str();
        task.status.apply(TaskAction::Rate)?;
        if !(1..=5).contains(&body.overall_rating) {
            return Err(ApiError::field(
                "overall_rating",
                "must be a whole number from 1 to 5",
            ));
        }
        if body
            .review_text
            .as_ref()
            .is_some_and(|t| t.chars().count() > 10_000)
        {
            return Err(ApiError::field(
                "review_text",
                "must be at most 10,000 characters",
            ));
        }
        let human_id = task
            .assigned_human_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("approved task {task_id} has no assigned host"))?;
        let currency = currency_of(&task)?;
        let tip = match body.tip_amount {
            None => 0,
            Some(Amount(amount)) => {
                money::check_amount(amount, currency)
                    .map_err(|m| ApiError::field("tip_amount", m))?;
                money::to_minor(amount, currency).map_err(|m| ApiError::field("tip_amount", m))?
            }
        };
        let mut change = self.change_for(&task, TaskStatus::Approved);
        change.rating = Some(RatingRecord {
            task_id: task_id.to_string(),
            human_id: human_id.clone(),
            agent_id: agent_id.to_string(),
            overall_rating: body.overall_rating,
            review_text: body.review_text.clone(),
            tip_minor: tip,
            currency: currency.code().to_string(),
            created_at: self.now_text(),
        });
        if tip > 0 {
            let entry = Entry::tip(agent_id, &human_id, currency, tip);
            change.ledger.push(self.ledger_write(
                &entry,
                Some(task_id.as_str()),
                Some(agent_id),
                Some(&human_id),
                None,
            ));
        }
        self.apply(change, TaskAction::Rate).await?;
        let profile = self.store().host(&human_id).await?.profile;
        Ok(RatingView {
            task_id: task_id.to_string(),
            human_id,
            overall_rating: body.overall_rating,
            review_text: body.review_text,
            tip_amount: money::from_minor(tip, currency),
            currency: currency.code().to_string(),
            host: RatedHost {
                rating: match &profile["rating"] {
                    Value::Number(n) => Some(n.clone()),
                    _ => None,
                },
                completion_count: profile["completion_count"].as_u64(),
            },
        })
    }
}

/// One session's live evidence: the figures a payout may read, and the
/// host-posted key figures alone (shown beside them).
pub(crate) struct LiveEvidence {
    figures: SessionEvidence,
    host_reported: Option<KeyFigures>,
    /// The verified metrics, kept for the host's monitored figures.
    verified: Option<Metrics>,
}

/// What is kept of a session's verified figures when its task is approved.
fn session_result(
    s: &livehire_store::SessionRecord,
    m: &Metrics,
    task: &TaskRecord,
    human_id: &str,
    currency: money::Currency,
    now: &str,
) -> Option<SessionResultRecord> {
    Some(SessionResultRecord {
        session_id: s.id.clone(),
        task_id: task.id.clone(),
        human_id: human_id.to_string(),
        currency: currency.code().to_string(),
        gmv_minor: money::to_minor(m.gmv, currency).ok()?,
        figures: json!({
            "acu": m.tiktok_shop.acu,
            "peak_concurrent_viewers": m.peak_concurrent_viewers,
            "avg_watch_time_seconds": m.avg_watch_time_seconds,
            "conversion_rate": m.conversion_rate,
            "unique_viewers": m.unique_viewers,
            "orders": m.orders,
        }),
        created_at: now.to_string(),
    })
}

/// A session's figures for the payout engine from a metrics snapshot.
fn session_figures(m: &Metrics, completed: bool) -> SessionFigures {
    SessionFigures {
        gmv: m.gmv,
        orders: m.orders,
        unique_viewers: m.unique_viewers,
        peak_viewers: m.peak_concurrent_viewers,
        questions: m.questions,
        questions_answered: m.questions_answered,
        completed,
    }
}
