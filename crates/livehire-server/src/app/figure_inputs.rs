//! Figures a client gives: amounts, the figures an agent states at approval
//! and the what-if figures of a payout preview, parsed at the edge and
//! checked against the task (its sessions, its currency) by the service.

use livehire_domain::commission::CommissionStructure;
use livehire_domain::figures::{Basis, Stated, StatedSession};
use livehire_domain::limits;
use livehire_domain::money;
use livehire_domain::payout::{Observed, SessionFigures};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::error::{ApiError, ApiResult};

/// An amount a client sends: a JSON number or a decimal string (`1500`,
/// `"1500.00"`), read exactly; anything else is refused naming the field.
/// Its bounds and decimals depend on the task's currency, which the service
/// checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(deserializer)?;
        money::parse_amount(&v)
            .map(Amount)
            .map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for Amount {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Number, Type::String]))
            .description(Some(
                "An amount: a number or a decimal string (`1500`, `\"1500.00\"`), with at most \
                 the currency's decimals",
            ))
            .examples([serde_json::json!(1500.00)])
            .into()
    }
}

impl ToSchema for Amount {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Amount")
    }
}

/// `POST …/approve` body (optional: an empty body approves on the verified
/// figures).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Which figures pay: `verified` (the default: a session's verified
    /// figures wherever it has them) or `host_reported` (the host's
    /// submission, else every live figure including the host's own posts).
    pub figures: Option<Basis>,
    /// Figures the agent states itself, replacing the chosen ones field by field.
    pub stated: Option<StatedFigures>,
}

/// Figures an agent states at approval.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatedFigures {
    /// Task GMV, in the task's currency.
    pub gmv: Option<Amount>,
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
    pub gmv: Option<Amount>,
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
    Amount(d): Amount,
    path: &str,
    currency: money::Currency,
    max: Decimal,
) -> ApiResult<Decimal> {
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
pub(crate) fn task_gmv_limit(sessions: usize) -> Decimal {
    limits::MAX_SESSION_GMV * Decimal::from(sessions.max(1))
}

/// Checks the figures an agent states and turns them into the domain's.
pub(crate) fn stated_figures(
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
        .map(|v| gmv_figure(v, "stated.gmv", currency, task_gmv_limit(sessions)))
        .transpose()?;
    Ok(Stated {
        sessions: per_session,
        totals,
        highlight_views: count_figure(b.highlight_views, "stated.highlight_views")?,
    })
}

/// `GET …/payout-preview` figures, parsed at the edge: each a number ≥ 0
/// (counts at most [`limits::MAX_COUNT`]); what depends on the task (its
/// session count, its currency's decimals and limits) is checked by
/// [`PayoutPreviewQuery::observed`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayoutPreviewQuery {
    /// Task GMV.
    pub gmv: Option<Decimal>,
    /// Orders.
    pub orders: Option<u64>,
    /// Highest peak concurrent viewers.
    pub peak_viewers: Option<u64>,
    /// Unique viewers.
    pub unique_viewers: Option<u64>,
    /// Questions asked.
    pub questions: Option<u64>,
    /// Questions answered.
    pub questions_answered: Option<u64>,
    /// Highlight-reel views.
    pub highlight_views: Option<u64>,
    /// GMV per session, session 1 first.
    pub session_gmv: Option<Vec<Decimal>>,
    /// Unique viewers per session.
    pub session_unique_viewers: Option<Vec<u64>>,
    /// Peak viewers per session.
    pub session_peak_viewers: Option<Vec<u64>>,
    /// Sessions completed (default: every session given).
    pub sessions_completed: Option<u64>,
}

/// The last value of `key` in a query.
fn last<'q>(q: &'q [(String, String)], key: &str) -> Option<&'q str> {
    q.iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn q_u64(q: &[(String, String)], key: &str) -> ApiResult<Option<u64>> {
    let n = last(q, key)
        .map(|v| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| ApiError::field(key, "must be a whole number ≥ 0"))
        })
        .transpose()?;
    count_figure(n, key)
}

fn q_list<T: std::str::FromStr>(q: &[(String, String)], key: &str) -> ApiResult<Option<Vec<T>>> {
    last(q, key)
        .map(|v| {
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

impl PayoutPreviewQuery {
    /// Reads `gmv`, `orders`, `peak_viewers`, `unique_viewers`, `questions`,
    /// `questions_answered`, `highlight_views`, and per session of a series
    /// `session_gmv`, `session_unique_viewers`, `session_peak_viewers` (comma
    /// lists, session 1 first) and `sessions_completed`; the last value of a
    /// repeated key counts. 422 naming the first bad one.
    pub fn parse(q: &[(String, String)]) -> ApiResult<PayoutPreviewQuery> {
        let gmv = last(q, "gmv")
            .map(|v| {
                let d: Decimal = v
                    .trim()
                    .parse()
                    .map_err(|_| ApiError::field("gmv", "must be a number ≥ 0"))?;
                if d.is_sign_negative() {
                    return Err(ApiError::field("gmv", "must be a number ≥ 0"));
                }
                Ok(d)
            })
            .transpose()?;
        Ok(PayoutPreviewQuery {
            gmv,
            session_gmv: q_list(q, "session_gmv")?,
            session_unique_viewers: q_list(q, "session_unique_viewers")?,
            session_peak_viewers: q_list(q, "session_peak_viewers")?,
            sessions_completed: q_u64(q, "sessions_completed")?,
            highlight_views: q_u64(q, "highlight_views")?,
            orders: q_u64(q, "orders")?,
            peak_viewers: q_u64(q, "peak_viewers")?,
            unique_viewers: q_u64(q, "unique_viewers")?,
            questions: q_u64(q, "questions")?,
            questions_answered: q_u64(q, "questions_answered")?,
        })
    }

    /// The what-if figures for a task of `task_sessions` sessions paid under
    /// `cs`: amounts within the task's limits and rounded to its currency,
    /// per-session lists no longer than its sessions; sessions completed
    /// default to every session given.
    pub fn observed(&self, cs: &CommissionStructure, task_sessions: usize) -> ApiResult<Observed> {
        let gmv = match self.gmv {
            Some(d) => {
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
        if self.session_gmv.as_ref().is_some_and(|v| {
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
        let session_gmv = self.session_gmv.as_ref().map(|v| {
            v.iter()
                .map(|g| money::round(*g, cs.currency))
                .collect::<Vec<_>>()
        });
        let session_unique = self.session_unique_viewers.as_ref();
        let session_peak = self.session_peak_viewers.as_ref();
        let n = [
            session_gmv.as_ref().map(Vec::len),
            session_unique.map(Vec::len),
            session_peak.map(Vec::len),
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
        let completed = self.sessions_completed.map_or(n, |c| c as usize);
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
                unique_viewers: session_unique.and_then(|v| v.get(i).copied()).unwrap_or(0),
                peak_viewers: session_peak.and_then(|v| v.get(i).copied()).unwrap_or(0),
                completed: i < completed,
                ..SessionFigures::default()
            })
            .collect();
        let mut o = Observed::from_sessions(sessions, self.highlight_views.unwrap_or(0));
        if let Some(g) = gmv {
            o.gmv = g;
        }
        for (given, slot) in [
            (self.orders, &mut o.orders),
            (self.peak_viewers, &mut o.peak_viewers),
            (self.unique_viewers, &mut o.unique_viewers),
            (self.questions, &mut o.questions),
            (self.questions_answered, &mut o.questions_answered),
        ] {
            if let Some(v) = given {
                *slot = v;
            }
        }
        Ok(o)
    }
}
