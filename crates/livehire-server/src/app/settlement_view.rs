//! What settlement answers: a submission with the figures a payout would
//! read, an approval with its payout and where each figure came from, a
//! rating; and the submission body as posted.

use livehire_domain::figures::{Basis, Chosen, Origin, Stated};
use livehire_domain::live::KeyFigures;
use livehire_domain::payout::{Observed, Payout, SessionFigures};
use livehire_store::TaskRecord;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, schema};
use utoipa::{PartialSchema, ToSchema};

use super::task_view::TaskView;

/// `POST …/submission` body: what the host reports, kept verbatim (fields
/// this server does not know are served back as sent) and checked with a
/// path for each failure.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct NewSubmission(pub Map<String, Value>);

impl PartialSchema for NewSubmission {
    fn schema() -> RefOr<Schema> {
        let text = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description))
        };
        let count = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(livehire_domain::limits::MAX_COUNT as f64))
                .description(Some(description))
        };
        let free_form = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(description))
                .additional_properties(Some(schema::AdditionalProperties::FreeForm(true)))
        };
        let gmv_report = || {
            free_form("Sales figures")
                .property(
                    "total_gmv",
                    ObjectBuilder::new()
                        .schema_type(schema::SchemaType::from_iter([Type::Number, Type::String]))
                        .description(Some(
                            "GMV in the task's currency, ≥ 0 (a number or a decimal string)",
                        )),
                )
                .property("orders", count("Orders"))
                .property(
                    "currency",
                    text("The task's currency, if given").pattern(Some("^[A-Z]{3}$")),
                )
                .required("total_gmv")
        };
        let viewer_analytics = || {
            free_form("Audience figures")
                .property("peak_viewers", count("Peak concurrent viewers"))
                .property("unique_viewers", count("Unique viewers"))
                .property("questions", count("Questions asked"))
                .property(
                    "questions_answered",
                    count("Questions answered; at most `questions`"),
                )
                .property(
                    "avg_watch_time_minutes",
                    ObjectBuilder::new()
                        .schema_type(Type::Number)
                        .minimum(Some(0)),
                )
                .property(
                    "engagement_rate",
                    ObjectBuilder::new()
                        .schema_type(Type::Number)
                        .minimum(Some(0))
                        .maximum(Some(1)),
                )
        };
        let block = || {
            free_form("One session's figures")
                .property(
                    "session_id",
                    text("The session (`ph_sess_…`); by position when left out"),
                )
                .property("gmv_report", gmv_report())
                .property("viewer_analytics", viewer_analytics())
        };
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "The host's results. Every block is optional where this server monitored a \
                 session (its figures are then the server's); fields beyond those listed are \
                 kept and served back verbatim.",
            ))
            .property("recording_url", text("The session's recording"))
            .property("highlight_reel_url", text("The highlight reel"))
            .property(
                "highlight_views",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0))
                    .description(Some("Views of the highlight reel")),
            )
            .property("gmv_report", gmv_report().description(Some("Task totals")))
            .property("viewer_analytics", viewer_analytics())
            .property(
                "top_products",
                ArrayBuilder::new().items(free_form("A product and its sales, kept as sent")),
            )
            .property(
                "sessions",
                ArrayBuilder::new().items(block()).description(Some(
                    "Per session of a series, session 1 first: the same blocks",
                )),
            )
            .additional_properties(Some(schema::AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl ToSchema for NewSubmission {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("NewSubmission")
    }
}

/// Where the figures of a submission view come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FiguresOrigin {
    /// Some session has verified figures.
    Verified,
    /// Only the host's own live posts.
    HostReported,
    /// Only the host's submission.
    SelfReported,
}

/// The latest submission with the figures a default approval would pay on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionView {
    /// The task.
    pub task_id: String,
    /// The host who submitted.
    pub human_id: String,
    /// 1 for the first submission, one more after each revision request.
    pub version: i64,
    /// RFC 3339.
    pub submitted_at: String,
    /// Where the figures come from.
    pub source: FiguresOrigin,
    /// The submitted body's fields, verbatim (`recording_url`, `gmv_report`,
    /// `viewer_analytics`, `sessions`, …): what the host sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The figures a default (`verified`) approval pays on.
    pub figures: Observed,
    /// Where each session's figures came from.
    pub figures_used: FiguresUsed,
    /// With verified figures: them beside the host's report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<VerifiedComparison>,
    /// With the host's own live posts: their key figures per session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_reported: Option<HostReportedFigures>,
    /// Every version, oldest first, with the revision asked of it.
    pub history: Vec<SubmissionVersion>,
}

/// Fields of a submission view the server sets; the body's own fields of
/// these names are not shown.
const SUBMISSION_FIELDS: &[&str] = &[
    "task_id",
    "human_id",
    "version",
    "submitted_at",
    "source",
    "figures",
    "figures_used",
    "history",
];

impl SubmissionView {
    /// The body's fields that the view does not set itself, in their order.
    pub(crate) fn extra_of(
        body: &Value,
        verified: bool,
        host_reported: bool,
    ) -> Map<String, Value> {
        let Value::Object(body) = body else {
            return Map::new();
        };
        body.iter()
            .filter(|(k, _)| match k.as_str() {
                "verified" => !verified,
                "host_reported" => !host_reported,
                k => !SUBMISSION_FIELDS.contains(&k),
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Verified figures beside what the host reported.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifiedComparison {
    /// Each session's verified figures, session 1 first (`null` without any).
    pub sessions: Vec<Option<SessionFigures>>,
    /// The figures the host's submission reports.
    pub reported: Observed,
    /// Reported figures that differ from the ones used.
    pub differences: Vec<Difference>,
}

/// A reported figure that differs from the one used.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Difference {
    /// `gmv`, `orders`, `peak_viewers`, `unique_viewers` or `questions`.
    pub field: String,
    /// What the host reported, as decimal text.
    pub reported: String,
    /// What the payout reads, as decimal text.
    pub verified: String,
}

/// The key figures of the host's own live posts, per session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HostReportedFigures {
    /// Session 1 first; `null` for a session without such posts. Each is
    /// the session's key figures (`unique_viewers`, `peak_concurrent_viewers`,
    /// `avg_watch_time_seconds`, `chat_messages`, `questions`,
    /// `questions_answered`, `orders`, `units`, `gmv`, `buyers`, `refunds`,
    /// `conversion_rate`).
    #[schema(value_type = Vec<Option<Object>>)]
    pub sessions: Vec<Option<KeyFigures>>,
}

/// One version of a submission.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionVersion {
    /// 1, 2, …
    pub version: i64,
    /// RFC 3339.
    pub submitted_at: String,
    /// The revision the agent asked of this version, if it did.
    pub revision_request: Option<RevisionRequestView>,
}

/// A revision the agent asked for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionRequestView {
    /// What to change.
    pub reason: String,
    /// RFC 3339.
    pub requested_at: String,
}

/// Which figures paid, per session, and what the agent stated.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FiguresUsed {
    /// The basis the agent approved on.
    pub basis: Basis,
    /// Per session, where its figures came from.
    pub sessions: Vec<SessionFiguresUsed>,
    /// Whether the series totals are the submission's own (a submission of
    /// totals only).
    pub totals_from_submission: bool,
    /// The fields the agent stated (`gmv`, `sessions[0].orders`, …).
    pub stated: Vec<String>,
    /// Figures the host reported that this basis does not pay on.
    pub not_used: Vec<String>,
}

/// Where one session's paid figures came from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionFiguresUsed {
    /// `ph_sess_…`.
    pub session_id: String,
    /// Their origin.
    pub figures: Origin,
}

impl FiguresUsed {
    /// The `figures_used` block: the basis, each session's origin, the
    /// fields the agent stated and what the host reported that was not used.
    pub(crate) fn of(task: &TaskRecord, basis: Basis, chosen: &Chosen, stated: &Stated) -> Self {
        FiguresUsed {
            basis,
            sessions: task
                .sessions
                .iter()
                .zip(&chosen.origins)
                .map(|(s, o)| SessionFiguresUsed {
                    session_id: s.id.clone(),
                    figures: *o,
                })
                .collect(),
            totals_from_submission: chosen.totals_from_submission,
            stated: stated.fields(),
            not_used: chosen.not_used.clone(),
        }
    }
}

/// A payout as approved: the breakdown and which figures it read.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PayoutView {
    /// The breakdown: `currency`, `gmv`, `lines`, `total`, `host_cost`, `roi`.
    #[serde(flatten)]
    pub payout: Payout,
    /// Which figures paid.
    pub figures_used: FiguresUsed,
}

/// The answer to an approval.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalView {
    /// The task, `approved`.
    pub task: TaskView,
    /// What the host was paid.
    pub payout: PayoutView,
}

/// The answer to a rating.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingView {
    /// The task.
    pub task_id: String,
    /// The host rated.
    pub human_id: String,
    /// 1–5 stars.
    pub overall_rating: i64,
    /// The review.
    pub review_text: Option<String>,
    /// The tip paid (0 without one), in the task's currency.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub tip_amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
    /// The host's figures with this rating counted.
    pub host: RatedHost,
}

/// A host's rating and completions after a rating.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatedHost {
    /// The host's rating (`null` while unrated).
    #[schema(value_type = Option<f64>)]
    pub rating: Option<serde_json::Number>,
    /// Tasks the host completed.
    pub completion_count: Option<u64>,
}

/// Reported figures that disagree with the ones used, side by side.
pub(crate) fn differences(reported: &Observed, used: &Observed) -> Vec<Difference> {
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
    pairs
        .into_iter()
        .filter(|(_, r, v)| r != v)
        .map(|(field, reported, verified)| Difference {
            field: field.to_string(),
            reported,
            verified,
        })
        .collect()
}
