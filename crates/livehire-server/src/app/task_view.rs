//! What a task looks like on the wire: the typed fields the server owns,
//! around the posted body kept verbatim, and the request types of the task
//! routes.

use livehire_domain::money::{self, Currency};
use livehire_domain::run_of_show::SessionPlanOfShow;
use livehire_domain::state::TaskStatus;
use livehire_store::{SessionRecord, TaskRecord};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, schema};
use utoipa::{PartialSchema, ToSchema};

use super::offers::OfferView;
use super::paging::PageRequest;
use crate::error::{ApiError, ApiResult};

/// Server-owned fields of a task view; a posted body cannot set them.
const SERVER_FIELDS: &[&str] = &[
    "id",
    "status",
    "agent_id",
    "sessions",
    "assigned_human_id",
    "agreed_base_payment",
    "created_at",
    "updated_at",
];

/// `POST /api/v1/tasks` body: the seed's task as posted. It is a JSON object
/// kept verbatim (fields this server does not know are served back as sent);
/// [`livehire_domain::task::TaskDraft::parse`] reads the fields the rules
/// need, each failure with its path.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct NewTask(pub Map<String, Value>);

/// The fields a task body must have (the rest are optional or free-form).
const NEW_TASK_REQUIRED: [&str; 7] = [
    "title",
    "description",
    "category",
    "platform",
    "compensation",
    "currency",
    "deadline",
];

impl PartialSchema for NewTask {
    fn schema() -> RefOr<Schema> {
        let text = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description))
        };
        let amount = |description: &str| {
            ObjectBuilder::new()
                .schema_type(schema::SchemaType::from_iter([Type::Number, Type::String]))
                .description(Some(description))
        };
        let object = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(description))
        };
        let mut b = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "The seed's task body. Fields beyond those listed are kept and served back \
                 verbatim; every rule broken is answered 422 with its path.",
            ))
            .property("title", text("What the live session is"))
            .property("description", text("The brief"))
            .property(
                "category",
                text("What kind of task").enum_values(Some(["tiktok_live_commerce"])),
            )
            .property(
                "platform",
                text("Where the session streams").enum_values(Some(["tiktok"])),
            )
            .property(
                "compensation",
                amount("The base payment, > 0, with the currency's decimals (a number or a decimal string)"),
            )
            .property(
                "currency",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("ISO 4217 code such as `CNY`"))
                    .pattern(Some("^[A-Z]{3}$")),
            )
            .property(
                "deadline",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(schema::SchemaFormat::KnownFormat(
                        schema::KnownFormat::DateTime,
                    )))
                    .description(Some("RFC 3339, in the future")),
            )
            .property("requirements", requirements_schema())
            .property("live_session_details", live_details_schema())
            .property("commission_structure", commission_schema())
            .property(
                "deliverables",
                object("What the host hands over after the session; free-form, kept as sent")
                    .additional_properties(Some(schema::AdditionalProperties::FreeForm(true))),
            )
            .additional_properties(Some(schema::AdditionalProperties::FreeForm(true)));
        for field in NEW_TASK_REQUIRED {
            b = b.required(field);
        }
        RefOr::T(Schema::Object(b.build()))
    }
}

fn field_text(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

fn field_number(description: &str, min: f64, max: f64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .minimum(Some(min))
        .maximum(Some(max))
        .description(Some(description))
}

fn field_amount(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(schema::SchemaType::from_iter([Type::Number, Type::String]))
        .description(Some(description))
}

fn field_count(description: &str, max: f64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0.0))
        .maximum(Some(max))
        .description(Some(description))
}

fn free_form(b: ObjectBuilder) -> ObjectBuilder {
    b.schema_type(Type::Object)
        .additional_properties(Some(schema::AdditionalProperties::FreeForm(true)))
}

/// `requirements`: what a host must meet (each optional).
fn requirements_schema() -> ObjectBuilder {
    let max_count = livehire_domain::limits::MAX_COUNT as f64;
    free_form(ObjectBuilder::new())
        .description(Some("What a host must meet; every field optional"))
        .property(
            "skills",
            schema::ArrayBuilder::new()
                .items(field_text("A skill such as `live_streaming`"))
                .description(Some("The host must have all of them")),
        )
        .property(
            "min_followers",
            field_count("Followers at least", max_count),
        )
        .property(
            "min_avg_live_viewers",
            field_count("Average live viewers at least", max_count),
        )
        .property(
            "min_avg_gmv_per_session",
            field_amount("Average GMV per session at least, in the task's currency"),
        )
        .property(
            "min_conversion_rate",
            field_number("Conversion rate at least (0.05 means 5%)", 0.0, 1.0),
        )
        .property("min_rating", field_number("Rating at least", 0.0, 5.0))
        .property(
            "live_commerce_experience",
            ObjectBuilder::new().schema_type(Type::Boolean),
        )
        .property(
            "tiktok_shop_verified",
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .description(Some("As the operator verified it")),
        )
        .property(
            "niche",
            field_text("A niche or an expression: `beauty OR skincare`, `a AND b`"),
        )
}

/// `live_session_details`: when the sessions are and what they sell.
fn live_details_schema() -> ObjectBuilder {
    let product = free_form(ObjectBuilder::new())
        .property(
            "product_id",
            field_text("The product's id (default `prod_001`, `prod_002`, … by position)")
                .min_length(Some(1))
                .max_length(Some(livehire_domain::limits::MAX_ID_CHARS)),
        )
        .property("name", field_text("The product's name"))
        .property(
            "retail_price",
            field_amount("Price before the live discount"),
        )
        .property(
            "live_discount_price",
            field_amount("Price during the session; at most `retail_price`"),
        )
        .property(
            "launch_discount",
            field_text("A percentage from `0%` to `100%`")
                .pattern(Some(r"^\s*[0-9]+(\.[0-9]+)?\s*%$")),
        )
        .property(
            "stock_quantity",
            field_count("Units available", livehire_domain::limits::MAX_COUNT as f64),
        )
        .property(
            "flash_sale_duration_minutes",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1.0))
                .maximum(Some(1440.0)),
        );
    let schedule_entry = free_form(ObjectBuilder::new())
        .property(
            "date",
            field_text("When this session starts (RFC 3339); also `scheduled_time`"),
        )
        .property("week", ObjectBuilder::new().schema_type(Type::Integer))
        .property("theme", field_text("What this session is about"));
    free_form(ObjectBuilder::new())
        .description(Some(
            "When the sessions are and what they sell: one session at `scheduled_time`, \
             or a series by `schedule[]` or `sessions_count`",
        ))
        .property(
            "scheduled_time",
            field_text("RFC 3339 start of a single session").format(Some(
                schema::SchemaFormat::KnownFormat(schema::KnownFormat::DateTime),
            )),
        )
        .property(
            "duration_minutes",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1.0)),
        )
        .property(
            "duration_hours",
            ObjectBuilder::new().schema_type(Type::Number),
        )
        .property(
            "duration_per_session",
            field_text("A duration in words such as `2 hours` or `90 minutes`"),
        )
        .property(
            "time_zone",
            field_text("IANA time zone such as `Asia/Shanghai`"),
        )
        .property(
            "tiktok_shop_id",
            field_text("The TikTok Shop the sessions sell from"),
        )
        .property(
            "schedule",
            schema::ArrayBuilder::new().items(schedule_entry),
        )
        .property(
            "sessions_count",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1.0))
                .maximum(Some(livehire_domain::limits::MAX_SESSIONS_PER_TASK as f64)),
        )
        .property("products", schema::ArrayBuilder::new().items(product))
}

/// `commission_structure`: the base, the commission and the bonuses.
fn commission_schema() -> ObjectBuilder {
    free_form(ObjectBuilder::new())
        .description(Some(
            "The base, the commission and the bonuses. Besides the fields listed, any \
             `*_bonus` field is a conditional bonus in words (`500 if conversion_rate > 5%`).",
        ))
        .property("base_payment", field_amount("The base payment of a single session"))
        .property(
            "base_payment_total",
            field_amount("The base payment of a whole series"),
        )
        .property("per_session_base", field_amount("The base payment per session of a series"))
        .property(
            "commission_type",
            field_text("How commission is counted").enum_values(Some(["percentage_of_gmv"])),
        )
        .property(
            "commission_rate",
            ObjectBuilder::new()
                .schema_type(schema::SchemaType::from_iter([Type::Number, Type::String]))
                .description(Some("Share of GMV from 0 to 1 (0.08 means 8%)")),
        )
        .property(
            "performance_bonuses",
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some("GMV tiers: `{\"50k_gmv\": 800.00}` pays 800 from 50,000 GMV"))
                .additional_properties(Some(schema::AdditionalProperties::RefOr(RefOr::T(
                    Schema::Object(field_amount("The tier's bonus").build()),
                )))),
        )
        .property(
            "bonus_mode",
            field_text("`highest_tier` (the default) pays the best tier reached; `cumulative` pays every tier reached")
                .enum_values(Some(["highest_tier", "cumulative"])),
        )
}

impl ToSchema for NewTask {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("NewTask")
    }
}

/// `GET /api/v1/tasks` filters, parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskListQuery {
    /// Only tasks in this status.
    pub status: Option<TaskStatus>,
    /// Page size (1–100, default 20) and the previous page's cursor.
    pub page: PageRequest,
}

impl TaskListQuery {
    /// Reads `status` (422 naming it when unknown), then `limit` and `cursor`.
    pub fn parse(
        status: Option<&str>,
        limit: Option<&str>,
        cursor: Option<&str>,
    ) -> ApiResult<TaskListQuery> {
        let status = status
            .map(|s| {
                TaskStatus::parse(s).ok_or_else(|| {
                    ApiError::field(
                        "status",
                        "must be one of open, assigned, in_progress, submitted, approved, cancelled",
                    )
                })
            })
            .transpose()?;
        Ok(TaskListQuery {
            status,
            page: PageRequest::parse(limit, cursor, 20, 100)?,
        })
    }
}

/// One planned live session of a task, as the task shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskSessionView {
    /// `ph_sess_…`.
    pub id: String,
    /// When it is scheduled (RFC 3339); `null` while to be agreed.
    pub scheduled_time: Option<String>,
    /// Planned length.
    pub duration_minutes: i64,
    /// `scheduled`, `live` or `ended`.
    pub status: livehire_store::SessionStatus,
    /// `week` of the task's `schedule[]` entry, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub week: Option<i64>,
    /// `theme` of the task's `schedule[]` entry, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
}

impl From<&SessionRecord> for TaskSessionView {
    fn from(s: &SessionRecord) -> Self {
        TaskSessionView {
            id: s.id.clone(),
            scheduled_time: s.scheduled_time.clone(),
            duration_minutes: s.duration_minutes,
            status: s.status,
            week: s.week,
            theme: s.theme.clone(),
        }
    }
}

/// A task's saved run of show, as the task view carries it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskRunOfShow {
    /// `proposed` (by the planner) or `edited` (saved by the agent).
    pub source: String,
    /// When it was saved (RFC 3339).
    pub updated_at: String,
    /// One plan per session, session 1 first.
    pub sessions: Vec<SessionPlanOfShow>,
}

/// A task as served: the server's fields, the posted body's own fields
/// verbatim between them, and, for who may see them, the caller's offer and
/// the saved run of show.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskView {
    /// `ph_task_…`.
    pub id: String,
    /// `open`, `assigned`, `in_progress`, `submitted`, `approved` or `cancelled`.
    pub status: TaskStatus,
    /// The agent who posted it.
    pub agent_id: String,
    /// The posted body's fields, verbatim (`title`, `description`,
    /// `compensation`, `currency`, `deadline`, `requirements`,
    /// `live_session_details`, `commission_structure`, and any field this
    /// server does not know), amounts written with the currency's decimals.
    /// The one place a task view holds free-form JSON: what the client sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The task's sessions, in schedule order.
    pub sessions: Vec<TaskSessionView>,
    /// The assigned host, `null` until one is.
    pub assigned_human_id: Option<String>,
    /// The base held in escrow and paid at approval, once a host is assigned
    /// (the host's proposed compensation when the agent accepted it).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::arbitrary_precision_option"
    )]
    #[schema(value_type = Option<f64>)]
    pub agreed_base_payment: Option<Decimal>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// A host that was invited or applied: its own offer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub your_offer: Option<OfferView>,
    /// The saved run of show, for who may see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_of_show: Option<TaskRunOfShow>,
}

impl TaskView {
    /// Renders a task record, moving its body into the view.
    pub(crate) fn of(mut t: TaskRecord) -> TaskView {
        let body = match std::mem::take(&mut t.body) {
            Value::Object(body) => body,
            _ => Map::new(),
        };
        Self::with_body(&t, body)
    }

    /// Renders a task record whose body is still needed.
    pub(crate) fn of_ref(t: &TaskRecord) -> TaskView {
        let body = match &t.body {
            Value::Object(body) => body.clone(),
            _ => Map::new(),
        };
        Self::with_body(t, body)
    }

    fn with_body(t: &TaskRecord, mut body: Map<String, Value>) -> TaskView {
        body.retain(|k, _| !SERVER_FIELDS.contains(&k.as_str()));
        TaskView {
            id: t.id.clone(),
            status: t.status,
            agent_id: t.agent_id.clone(),
            extra: body,
            sessions: t.sessions.iter().map(TaskSessionView::from).collect(),
            assigned_human_id: t.assigned_human_id.clone(),
            agreed_base_payment: t.agreed_base_minor.map(|base| amount_of(base, &t.currency)),
            created_at: t.created_at.clone(),
            updated_at: t.updated_at.clone(),
            your_offer: None,
            run_of_show: None,
        }
    }

    /// Adds the caller's own offer (replacing a posted field of that name).
    pub(crate) fn set_your_offer(&mut self, offer: OfferView) {
        self.extra.shift_remove("your_offer");
        self.your_offer = Some(offer);
    }

    /// Adds the saved run of show (replacing a posted field of that name).
    pub(crate) fn set_run_of_show(&mut self, plan: TaskRunOfShow) {
        self.extra.shift_remove("run_of_show");
        self.run_of_show = Some(plan);
    }
}

/// An amount in minor units of a stored currency code, as a decimal with the
/// currency's decimals (minor units as they are if the code is unknown).
pub(crate) fn amount_of(minor: i64, currency: &str) -> Decimal {
    match Currency::parse(currency) {
        Ok(c) => money::from_minor(minor, c),
        Err(_) => Decimal::from(minor),
    }
}
