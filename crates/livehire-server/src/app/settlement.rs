//! Submission, revision, approval with payout, preview, rating with tip.

use livehire_domain::access::Action;
use livehire_domain::commission::CommissionStructure;
use livehire_domain::figures::{self, Basis, Chosen, SessionEvidence, Stated, StatedSession};
use livehire_domain::ledger::Entry;
use livehire_domain::limits;
use livehire_domain::live::{KeyFigures, Metrics, Provenance};
use livehire_domain::money;
use livehire_domain::payout::{self, Observed, SessionFigures};
use livehire_domain::state::{TaskAction, TaskStatus};
use livehire_domain::submission;
use livehire_store::{
    Caller, PayoutRecord, RatingRecord, SessionResultRecord, SubmissionRecord, TaskRecord,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::tasks::{agreed_commission, currency_of, status_of};
use super::{App, minor_json};
use crate::error::{ApiError, ApiResult};

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
    #[schema(value_type = Option<f64>)]
    pub tip_amount: Option<Value>,
}

/// `POST …/approve` body (optional: an empty body approves on the verified
/// figures).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Which figures pay: `verified` (the default: a session's verified
    /// figures wherever it has them) or `host_reported` (the host's
    /// submission, else every live figure including the host's own posts).
    #[schema(value_type = Option<String>, example = "verified")]
    pub figures: Option<Basis>,
    /// Figures the agent states itself, replacing the chosen ones field by field.
    pub stated: Option<StatedFigures>,
}

/// Figures an agent states at approval.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatedFigures {
    /// Task GMV, in the task's currency.
    #[schema(value_type = Option<f64>)]
    pub gmv: Option<Value>,
    /// Orders.
    pub orders: Option<u64>,
    /// Unique viewers.
    pub unique_viewers: Option<u64>,
    /// Highest peak concurrent viewers.
    pub peak_viewers: Option<u64>,
    /// Questions asked.
    pub questions: Option<u64>,
    /// Questions answered.
    pub questions_answered: Option<u64>,
    /// Highlight-reel views.
    pub highlight_views: Option<u64>,
    /// Per session, session 1 first.
    pub sessions: Option<Vec<StatedSessionFigures>>,
}

/// Figures an agent states for one session.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatedSessionFigures {
    /// GMV.
    #[schema(value_type = Option<f64>)]
    pub gmv: Option<Value>,
    /// Orders.
    pub orders: Option<u64>,
    /// Unique viewers.
    pub unique_viewers: Option<u64>,
    /// Peak concurrent viewers.
    pub peak_viewers: Option<u64>,
    /// Questions asked.
    pub questions: Option<u64>,
    /// Questions answered.
    pub questions_answered: Option<u64>,
    /// Whether the session was held.
    pub completed: Option<bool>,
}

/// A GMV figure stated or asked about: a number ≥ 0 with the currency's
/// decimals, at most `max`.
fn gmv_figure(
    v: &Value,
    path: &str,
    currency: money::Currency,
    max: Decimal,
) -> ApiResult<Decimal> {
    let d = money::parse_amount(v).map_err(|m| ApiError::field(path, m))?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(ApiError::field(path, "must be a number ≥ 0"));
    }
    if d > max {
        return Err(ApiError::field(
            path,
            format!(
                "must be at most {}",
                money::group_thousands(&max.to_string())
            ),
        ));
    }
    money::check_scale(d, currency).map_err(|m| ApiError::field(path, m))?;
    Ok(d)
}

/// A count stated or asked about: at most [`limits::MAX_COUNT`].
fn count_figure(n: Option<u64>, path: &str) -> ApiResult<Option<u64>> {
    match n {
        Some(n) => limits::check_count(n, limits::MAX_COUNT)
            .map(|()| Some(n))
            .map_err(|m| ApiError::field(path, m)),
        None => Ok(None),
    }
}

/// The most GMV a task of `sessions` sessions can have.
fn task_gmv_limit(sessions: usize) -> Decimal {
    limits::MAX_SESSION_GMV * Decimal::from(sessions.max(1))
}

/// Checks the figures an agent states and turns them into the domain's.
fn stated_figures(
    body: Option<&StatedFigures>,
    currency: money::Currency,
    sessions: usize,
) -> ApiResult<Stated> {
    let Some(b) = body else {
        return Ok(Stated::default());
    };
    let session = |s: &StatedSessionFigures, prefix: &str| -> ApiResult<StatedSession> {
        let p = |f: &str| format!("{prefix}{f}");
        Ok(StatedSession {
            gmv: s
                .gmv
                .as_ref()
                .map(|v| gmv_figure(v, &p("gmv"), currency, limits::MAX_SESSION_GMV))
                .transpose()?,
            orders: count_figure(s.orders, &p("orders"))?,
            unique_viewers: count_figure(s.unique_viewers, &p("unique_viewers"))?,
            peak_viewers: count_figure(s.peak_viewers, &p("peak_viewers"))?,
            questions: count_figure(s.questions, &p("questions"))?,
            questions_answered: count_figure(s.questions_answered, &p("questions_answered"))?,
            completed: s.completed,
        })
    };
    let listed = b.sessions.as_deref().unwrap_or_default();
    if listed.len() > sessions {
        return Err(ApiError::field(
            "stated.sessions",
            format!(
                "lists {} sessions but the task has {sessions}",
                listed.len()
            ),
        ));
    }
    let per_session = listed
        .iter()
        .enumerate()
        .map(|(i, s)| session(s, &format!("stated.sessions[{i}].")))
        .collect::<ApiResult<Vec<_>>>()?;
    let totals = StatedSessionFigures {
        gmv: None,
        orders: b.orders,
        unique_viewers: b.unique_viewers,
        peak_viewers: b.peak_viewers,
        questions: b.questions,
        questions_answered: b.questions_answered,
        completed: None,
    };
    let mut totals = session(&totals, "stated.")?;
    totals.gmv = b
        .gmv
        .as_ref()
        .map(|v| gmv_figure(v, "stated.gmv", currency, task_gmv_limit(sessions)))
        .transpose()?;
    Ok(Stated {
        sessions: per_session,
        totals,
        highlight_views: count_figure(b.highlight_views, "stated.highlight_views")?,
    })
}

fn session_ids(task: &TaskRecord) -> Vec<String> {
    task.sessions.iter().map(|s| s.id.clone()).collect()
}

/// The payout breakdown as served.
fn payout_json(p: &payout::Payout) -> Value {
    serde_json::to_value(p).unwrap_or(Value::Null)
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
            let completed = s.status == "ended";
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
    pub async fn submit(&self, caller: &Caller, task_id: &str, body: Value) -> ApiResult<Value> {
        let (task, _) = self.task_for(caller, task_id, Action::Submit).await?;
        let human_id = caller.id.as_str();
        let next = status_of(&task)?.apply(TaskAction::Submit)?;
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
    pub async fn submission(&self, caller: &Caller, task_id: &str) -> ApiResult<Value> {
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
        let mut out = Map::new();
        out.insert("task_id".into(), json!(task_id));
        out.insert("human_id".into(), json!(latest.human_id));
        out.insert("version".into(), json!(latest.version));
        out.insert("submitted_at".into(), json!(latest.created_at));
        out.insert(
            "source".into(),
            json!(if any_verified {
                "verified"
            } else if any_host {
                "host_reported"
            } else {
                "self_reported"
            }),
        );
        if let Value::Object(body) = &latest.body {
            for (k, v) in body {
                out.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        out.insert(
            "figures".into(),
            serde_json::to_value(&chosen.observed).unwrap_or(Value::Null),
        );
        out.insert(
            "figures_used".into(),
            figures_used(&task, Basis::Verified, &chosen, &Stated::default()),
        );
        if any_verified {
            out.insert(
                "verified".into(),
                json!({
                    "sessions": figures.iter().map(|e| serde_json::to_value(&e.verified).unwrap_or(Value::Null)).collect::<Vec<_>>(),
                    "reported": serde_json::to_value(&reported).unwrap_or(Value::Null),
                    "differences": differences(&reported, &chosen.observed),
                }),
            );
        }
        if any_host {
            out.insert(
                "host_reported".into(),
                json!({
                    "sessions": evidence.iter().map(|e| serde_json::to_value(&e.host_reported).unwrap_or(Value::Null)).collect::<Vec<_>>(),
                }),
            );
        }
        out.insert(
            "history".into(),
            Value::Array(
                versions
                    .iter()
                    .map(|v| {
                        json!({
                            "version": v.version,
                            "submitted_at": v.created_at,
                            "revision_request": revisions.iter().find(|r| r.version == v.version)
                                .map(|r| json!({"reason": r.reason, "requested_at": r.created_at})),
                        })
                    })
                    .collect(),
            ),
        );
        Ok(Value::Object(out))
    }

    /// The agent asks for changes to a submission.
    pub async fn request_revision(
        &self,
        caller: &Caller,
        task_id: &str,
        body: RevisionRequest,
    ) -> ApiResult<Value> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        let next = status_of(&task)?.apply(TaskAction::RequestRevision)?;
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
        task_id: &str,
        body: Approval,
    ) -> ApiResult<Value> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        let agent_id = caller.id.as_str();
        let next = status_of(&task)?.apply(TaskAction::Approve)?;
        let human_id = task
            .assigned_human_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("submitted task {task_id} has no assigned host"))?;
        let currency = currency_of(&task)?;
        let basis = body.figures.unwrap_or_default();
        let stated = stated_figures(body.stated.as_ref(), currency, task.sessions.len())?;
        if let Some(s) = task.sessions.iter().find(|s| s.status == "live") {
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
        let mut body = payout_json(&breakdown);
        body["figures_used"] = figures_used(&task, basis, &chosen, &stated);
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
            Some(task_id),
            Some(agent_id),
            Some(&human_id),
            None,
        ));
        change.payout = Some(PayoutRecord {
            task_id: task_id.to_string(),
            human_id: human_id.clone(),
            currency: currency.code().to_string(),
            total_minor: total,
            body: body.clone(),
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
        tracing::info!(task_id, human_id, total = %breakdown.total, ?basis, "task approved and paid");
        Ok(json!({ "task": self.task(caller, task_id).await?, "payout": body }))
    }

    /// What the payout would be for the given figures (agent or assigned host).
    pub async fn payout_preview(
        &self,
        caller: &Caller,
        task_id: &str,
        q: &[(String, String)],
    ) -> ApiResult<Value> {
        let (task, _) = self
            .task_for(caller, task_id, Action::PreviewPayout)
            .await?;
        let commission = agreed_commission(&task)?;
        let observed = observed_from_query(q, &commission, task.sessions.len())?;
        Ok(payout_json(&payout::compute(&commission, &observed)))
    }

    /// Rates the host once after approval, with an optional tip from the wallet.
    pub async fn rate(&self, caller: &Caller, task_id: &str, body: NewRating) -> ApiResult<Value> {
        let (task, _) = self.task_for(caller, task_id, Action::ManageTask).await?;
        let agent_id = caller.id.as_str();
        status_of(&task)?.apply(TaskAction::Rate)?;
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
        let tip = match &body.tip_amount {
            None | Some(Value::Null) => 0,
            Some(v) => {
                let amount =
                    money::parse_amount(v).map_err(|m| ApiError::field("tip_amount", m))?;
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
                Some(task_id),
                Some(agent_id),
                Some(&human_id),
                None,
            ));
        }
        self.apply(change, TaskAction::Rate).await?;
        let host = self.host(&human_id).await?.0;
        Ok(json!({
            "task_id": task_id,
            "human_id": human_id,
            "overall_rating": body.overall_rating,
            "review_text": body.review_text,
            "tip_amount": minor_json(tip, currency.code()),
            "currency": currency.code(),
            "host": {"rating": host["rating"], "completion_count": host["completion_count"]},
        }))
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

/// The `figures_used` block of a payout: the basis, each session's origin,
/// the fields the agent stated and what the host reported that was not used.
fn figures_used(task: &TaskRecord, basis: Basis, chosen: &Chosen, stated: &Stated) -> Value {
    json!({
        "basis": basis,
        "sessions": task.sessions.iter().zip(&chosen.origins).map(|(s, o)| json!({
            "session_id": s.id,
            "figures": o,
        })).collect::<Vec<_>>(),
        "totals_from_submission": chosen.totals_from_submission,
        "stated": stated.fields(),
        "not_used": chosen.not_used,
    })
}

/// Reported figures that disagree with the ones used, side by side.
fn differences(reported: &Observed, used: &Observed) -> Vec<Value> {
    let mut out = Vec::new();
    let pairs: [(&str, String, String); 5] = [
        ("gmv", reported.gmv.to_string(), used.gmv.to_string()),
        (
            "orders",
            reported.orders.to_string(),
            used.orders.to_string(),
        ),
        (
            "peak_viewers",
            reported.peak_viewers.to_string(),
            used.peak_viewers.to_string(),
        ),
        (
            "unique_viewers",
            reported.unique_viewers.to_string(),
            used.unique_viewers.to_string(),
        ),
        (
            "questions",
            reported.questions.to_string(),
            used.questions.to_string(),
        ),
    ];
    for (field, r, v) in pairs {
        if r != v {
            out.push(json!({"field": field, "reported": r, "verified": v}));
        }
    }
    out
}

fn q_u64(q: &[(String, String)], key: &str) -> ApiResult<Option<u64>> {
    let n = q
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| ApiError::field(key, "must be a whole number ≥ 0"))
        })
        .transpose()?;
    count_figure(n, key)
}

fn q_list<T: std::str::FromStr>(q: &[(String, String)], key: &str) -> ApiResult<Option<Vec<T>>> {
    q.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| {
            v.split(',')
                .map(|x| {
                    x.trim()
                        .parse::<T>()
                        .map_err(|_| ApiError::field(key, "must be a comma list of numbers ≥ 0"))
                })
                .collect::<ApiResult<Vec<T>>>()
        })
        .transpose()
}

/// Builds what-if figures from query parameters: `gmv`, `orders`,
/// `peak_viewers`, `unique_viewers`, `questions`, `questions_answered`,
/// `highlight_views`, and per session of a series `session_gmv`,
/// `session_unique_viewers`, `session_peak_viewers` (comma lists, session 1
/// first) and `sessions_completed` (default: every session given).
fn observed_from_query(
    q: &[(String, String)],
    cs: &CommissionStructure,
    task_sessions: usize,
) -> ApiResult<Observed> {
    let gmv = match q.iter().rev().find(|(k, _)| k == "gmv") {
        Some((_, v)) => {
            let d: Decimal = v
                .trim()
                .parse()
                .map_err(|_| ApiError::field("gmv", "must be a number ≥ 0"))?;
            if d.is_sign_negative() {
                return Err(ApiError::field("gmv", "must be a number ≥ 0"));
            }
            let limit = task_gmv_limit(task_sessions);
            if d > limit {
                return Err(ApiError::field(
                    "gmv",
                    format!(
                        "must be at most {}",
                        money::group_thousands(&limit.to_string())
                    ),
                ));
            }
            Some(money::round(d, cs.currency))
        }
        None => None,
    };
    let session_gmv: Option<Vec<Decimal>> = q_list(q, "session_gmv")?;
    if session_gmv.as_ref().is_some_and(|v| {
        v.iter()
            .any(|g| *g > limits::MAX_SESSION_GMV || g.is_sign_negative())
    }) {
        return Err(ApiError::field(
            "session_gmv",
            format!(
                "each must be from 0 to {}",
                super::flash_sales::session_gmv_limit_words(cs.currency)
            ),
        ));
    }
    let session_gmv = session_gmv.map(|v| {
        v.into_iter()
            .map(|g| money::round(g, cs.currency))
            .collect::<Vec<_>>()
    });
    let session_unique: Option<Vec<u64>> = q_list(q, "session_unique_viewers")?;
    let session_peak: Option<Vec<u64>> = q_list(q, "session_peak_viewers")?;
    let n = [
        session_gmv.as_ref().map(Vec::len),
        session_unique.as_ref().map(Vec::len),
        session_peak.as_ref().map(Vec::len),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(0);
    if n > task_sessions {
        return Err(ApiError::field(
            "session_gmv",
            format!("the task has {task_sessions} sessions"),
        ));
    }
    let completed = q_u64(q, "sessions_completed")?.map_or(n, |c| c as usize);
    if completed > task_sessions {
        return Err(ApiError::field(
            "sessions_completed",
            format!("the task has {task_sessions} sessions"),
        ));
    }
    let sessions: Vec<SessionFigures> = (0..n.max(completed))
        .map(|i| SessionFigures {
            gmv: session_gmv
                .as_ref()
                .and_then(|v| v.get(i).copied())
                .unwrap_or_default(),
            unique_viewers: session_unique
                .as_ref()
                .and_then(|v| v.get(i).copied())
                .unwrap_or(0),
            peak_viewers: session_peak
                .as_ref()
                .and_then(|v| v.get(i).copied())
                .unwrap_or(0),
            completed: i < completed,
            ..SessionFigures::default()
        })
        .collect();
    let mut o = Observed::from_sessions(sessions, q_u64(q, "highlight_views")?.unwrap_or(0));
    if let Some(g) = gmv {
        o.gmv = g;
    }
    for (key, slot) in [
        ("orders", &mut o.orders),
        ("peak_viewers", &mut o.peak_viewers),
        ("unique_viewers", &mut o.unique_viewers),
        ("questions", &mut o.questions),
        ("questions_answered", &mut o.questions_answered),
    ] {
        if let Some(v) = q_u64(q, key)? {
            *slot = v;
        }
    }
    Ok(o)
}
