//! Submission, revision, approval with payout, preview, rating with tip.

use livehire_domain::commission::CommissionStructure;
use livehire_domain::ledger::Entry;
use livehire_domain::money;
use livehire_domain::payout::{self, Observed, SessionFigures};
use livehire_domain::state::{TaskAction, TaskStatus};
use livehire_domain::submission;
use livehire_store::{
    Caller, CallerKind, PayoutRecord, RatingRecord, SubmissionRecord, TaskRecord,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::tasks::{agreed_commission, currency_of, status_of};
use super::{App, minor_json, require_agent, require_host};
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

fn session_ids(task: &TaskRecord) -> Vec<String> {
    task.sessions.iter().map(|s| s.id.clone()).collect()
}

/// The payout breakdown as served.
fn payout_json(p: &payout::Payout) -> Value {
    serde_json::to_value(p).unwrap_or(Value::Null)
}

impl App {
    /// The figures this server recorded for each of the task's sessions: `Some`
    /// for a session that was started here or received events, `None` otherwise.
    pub(crate) async fn verified_sessions(
        &self,
        task: &TaskRecord,
    ) -> ApiResult<Vec<Option<SessionFigures>>> {
        let mut out = Vec::with_capacity(task.sessions.len());
        let now_ms = self.now().timestamp_millis();
        for s in &task.sessions {
            let live = self.live_session(task, s).await?;
            let m = {
                let live = live.clone();
                tokio::task::spawn_blocking(move || live.metrics(now_ms))
                    .await
                    .map_err(anyhow::Error::from)?
            };
            let n = |k: &str| m[k].as_u64().unwrap_or(0);
            let activity = [
                "unique_viewers",
                "peak_concurrent_viewers",
                "orders",
                "chat_messages",
                "questions",
            ]
            .iter()
            .any(|k| n(k) > 0);
            if s.started_at.is_none() && !activity {
                out.push(None);
                continue;
            }
            out.push(Some(SessionFigures {
                gmv: m["gmv"].to_string().parse().unwrap_or_default(),
                orders: n("orders"),
                unique_viewers: n("unique_viewers"),
                peak_viewers: n("peak_concurrent_viewers"),
                questions: n("questions"),
                questions_answered: n("questions_answered"),
                completed: s.status == "ended",
            }));
        }
        Ok(out)
    }

    /// The assigned host submits results (again, after a revision request).
    pub async fn submit(&self, caller: &Caller, task_id: &str, body: Value) -> ApiResult<Value> {
        let task = self.visible_task(caller, task_id).await?;
        let human_id = require_host(caller)?;
        if task.assigned_human_id.as_deref() != Some(human_id) {
            return Err(ApiError::Forbidden(
                "only the assigned host submits results".into(),
            ));
        }
        let next = status_of(&task)?.apply(TaskAction::Submit)?;
        let currency = currency_of(&task)?;
        let verified = self.verified_sessions(&task).await?;
        if let Err(errors) = submission::parse(&body, currency, &session_ids(&task)) {
            // A monitored session's figures come from this server: the host need
            // not report them, only what it alone knows (recording, highlights).
            let only_missing_reports = errors.len() == 1 && errors[0].path == "gmv_report";
            if !(only_missing_reports && verified.iter().any(Option::is_some)) {
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
        let task = self.visible_task(caller, task_id).await?;
        if caller.kind == CallerKind::Host
            && task.assigned_human_id.as_deref() != Some(caller.id.as_str())
        {
            return Err(ApiError::NotFound("submission".into()));
        }
        let versions = self.store().submissions(task_id).await?;
        let Some(latest) = versions.last() else {
            return Err(ApiError::NotFound(format!("submission for task {task_id}")));
        };
        let revisions = self.store().revisions(task_id).await?;
        let currency = currency_of(&task)?;
        let reported =
            submission::parse(&latest.body, currency, &session_ids(&task)).unwrap_or_default();
        let verified = self.verified_sessions(&task).await?;
        let used = merge_verified(&reported, &verified);
        let any_verified = verified.iter().any(Option::is_some);
        let mut out = Map::new();
        out.insert("task_id".into(), json!(task_id));
        out.insert("human_id".into(), json!(latest.human_id));
        out.insert("version".into(), json!(latest.version));
        out.insert("submitted_at".into(), json!(latest.created_at));
        out.insert(
            "source".into(),
            json!(if any_verified {
                "verified"
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
            serde_json::to_value(&used).unwrap_or(Value::Null),
        );
        if any_verified {
            out.insert(
                "verified".into(),
                json!({
                    "sessions": verified.iter().map(|v| serde_json::to_value(v).unwrap_or(Value::Null)).collect::<Vec<_>>(),
                    "reported": serde_json::to_value(&reported).unwrap_or(Value::Null),
                    "differences": differences(&reported, &used),
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
        let task = self.visible_task(caller, task_id).await?;
        require_agent(caller)?;
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
    /// the escrow first and the rest from the wallet, in one transaction.
    pub async fn approve(&self, caller: &Caller, task_id: &str) -> ApiResult<Value> {
        let task = self.visible_task(caller, task_id).await?;
        let agent_id = require_agent(caller)?;
        let next = status_of(&task)?.apply(TaskAction::Approve)?;
        let human_id = task
            .assigned_human_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("submitted task {task_id} has no assigned host"))?;
        let currency = currency_of(&task)?;
        let versions = self.store().submissions(task_id).await?;
        let latest = versions
            .last()
            .ok_or_else(|| anyhow::anyhow!("submitted task {task_id} has no submission"))?;
        let verified = self.verified_sessions(&task).await?;
        let reported = match submission::parse(&latest.body, currency, &session_ids(&task)) {
            Ok(o) => o,
            Err(_) if verified.iter().any(Option::is_some) => Observed::default(),
            Err(e) => {
                return Err(anyhow::anyhow!("stored submission no longer parses: {e:?}").into());
            }
        };
        let observed = merge_verified(&reported, &verified);
        let breakdown = payout::compute(&agreed_commission(&task)?, &observed);
        let total = money::to_minor(breakdown.total, currency)
            .map_err(|m| anyhow::anyhow!("payout total: {m}"))?;
        let body = payout_json(&breakdown);
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
        self.apply(change, TaskAction::Approve).await?;
        tracing::info!(task_id, human_id, total = %breakdown.total, "task approved and paid");
        Ok(json!({ "task": self.task(caller, task_id).await?, "payout": body }))
    }

    /// What the payout would be for the given figures (agent or assigned host).
    pub async fn payout_preview(
        &self,
        caller: &Caller,
        task_id: &str,
        q: &[(String, String)],
    ) -> ApiResult<Value> {
        let task = self.visible_task(caller, task_id).await?;
        if caller.kind == CallerKind::Host
            && task.assigned_human_id.as_deref() != Some(caller.id.as_str())
        {
            return Err(ApiError::Forbidden(
                "only the task's agent or assigned host can preview its payout".into(),
            ));
        }
        let commission = agreed_commission(&task)?;
        let observed = observed_from_query(q, &commission, task.sessions.len())?;
        Ok(payout_json(&payout::compute(&commission, &observed)))
    }

    /// Rates the host once after approval, with an optional tip from the wallet.
    pub async fn rate(&self, caller: &Caller, task_id: &str, body: NewRating) -> ApiResult<Value> {
        let task = self.visible_task(caller, task_id).await?;
        let agent_id = require_agent(caller)?;
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

/// Per-session figures where a session is monitored here, the host's report
/// for the others; task totals recomputed from the result.
fn merge_verified(reported: &Observed, verified: &[Option<SessionFigures>]) -> Observed {
    if verified.iter().all(Option::is_none) {
        return reported.clone();
    }
    let sessions: Vec<SessionFigures> = verified
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.clone()
                .or_else(|| reported.sessions.get(i).cloned())
                .unwrap_or_default()
        })
        .collect();
    Observed::from_sessions(sessions, reported.highlight_views)
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
    q.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| ApiError::field(key, "must be a whole number ≥ 0"))
        })
        .transpose()
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
            Some(money::round(d, cs.currency))
        }
        None => None,
    };
    let session_gmv: Option<Vec<Decimal>> = q_list(q, "session_gmv")?;
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
