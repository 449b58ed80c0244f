//! TikTok Shop (SPEC §6): shops connected by agents, and the order-status
//! webhook that turns a shop's paid orders into order events of the session
//! that was live for the shop when the order was placed.
//!
//! The webhook carries no amounts, so a paid status fetches the order detail
//! (`GET {base}/order/202309/orders?ids=…`) and records one `order` event per
//! product, its order id `{order_id}:{product_id}`, its units the product's line
//! items (TikTok sends one line item per unit) and its amount the sum of their
//! `sale_price`. A cancellation after payment refunds each of those events.
//!
//! The first record of an order wins, in one transaction with its events, so a
//! repeated or concurrent paid notification counts once, and a paid
//! notification that arrives after the order's cancellation counts not at all.
//! Every authenticated notification is logged with its outcome. Whose shop
//! a notification speaks for, and whether it is fresh enough to count, is
//! `tiktok_shop_ownership`'s rule.

use axum::body::Bytes;
use chrono::DateTime;
use livehire_domain::FieldError;
use livehire_domain::ids::SessionId;
use livehire_domain::live::{EventBody, LiveEvent, Provenance, Source, check_limits};
use livehire_domain::money::{self, Currency};
use livehire_store::{
    Caller, StoreError, TiktokShopNotification, TiktokShopOrderRecord, TiktokShopRecord,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{self, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use super::flash_sales::session_gmv_limit_minor;
use super::sessions::{count_events, event_batch, is_settled, live_window};
use super::tiktok_shop_api::id_of;
use super::{App, require_agent, timestamp};
use crate::error::{ApiError, ApiResult};

/// Where TikTok posts order-status changes.
pub const WEBHOOK_PATH: &str = "/api/v1/integrations/tiktok-shop/webhook";

/// Order statuses that mean the buyer has paid (`ON_HOLD` is the buyer's
/// cancellation window after payment: a cancellation then becomes a refund).
const PAID_STATUSES: [&str; 7] = [
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
];

/// Order statuses that cancel an order.
const CANCEL_STATUSES: [&str; 2] = ["CANCEL", "CANCELLED"];

/// `POST /api/v1/integrations/tiktok-shop` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTiktokShop {
    /// TikTok's shop id (as in the webhook's `shop_id`): 1–64 characters
    /// without spaces.
    #[schema(min_length = 1, max_length = 64)]
    pub shop_id: String,
    /// The TikTok Shop app's key.
    #[schema(min_length = 1, max_length = 128)]
    pub app_key: String,
    /// The app's secret: verifies the webhook's signature. Never returned.
    #[schema(min_length = 1, max_length = 256)]
    pub app_secret: String,
    /// The shop's API access token, sent as `x-tts-access-token`. Never returned.
    #[schema(min_length = 1, max_length = 4096)]
    pub access_token: Option<String>,
    /// The TikTok Shop API base URL, when not the server's default: http(s),
    /// without query or fragment.
    #[schema(max_length = 2048)]
    pub api_base_url: Option<String>,
    /// The shop's cipher from TikTok's "Get Authorized Shops", sent as
    /// `shop_cipher` on the order-detail call (shop-scoped 202309 APIs take
    /// it): 1–256 characters without spaces.
    #[schema(min_length = 1, max_length = 256)]
    pub shop_cipher: Option<String>,
}

/// Whose a connected shop is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShopOwnership {
    /// A claim: no webhook signed with its secret has arrived yet.
    Pending,
    /// A webhook signed with its secret proved the shop: the agent owns it.
    Proven,
}

/// A connected shop, without its secrets.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TiktokShopView {
    /// TikTok's shop id.
    pub shop_id: String,
    /// A pending claim, or proven by a signed webhook.
    pub ownership: ShopOwnership,
    /// When a signed webhook proved it (RFC 3339); `null` while pending.
    pub proven_at: Option<String>,
    /// The TikTok Shop app's key.
    pub app_key: String,
    /// The API base URL; `null`: the server's default.
    pub api_base_url: Option<String>,
    /// The shop's cipher.
    pub shop_cipher: Option<String>,
    /// Whether an access token is kept (never shown).
    pub has_access_token: bool,
    /// Where TikTok posts the shop's order-status changes.
    pub webhook_path: &'static str,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl From<&TiktokShopRecord> for TiktokShopView {
    fn from(s: &TiktokShopRecord) -> Self {
        TiktokShopView {
            shop_id: s.shop_id.clone(),
            ownership: if s.proven_at.is_some() {
                ShopOwnership::Proven
            } else {
                ShopOwnership::Pending
            },
            proven_at: s.proven_at.clone(),
            app_key: s.app_key.clone(),
            api_base_url: s.api_base_url.clone(),
            shop_cipher: s.shop_cipher.clone(),
            has_access_token: s.access_token.is_some(),
            webhook_path: WEBHOOK_PATH,
            created_at: s.created_at.clone(),
            updated_at: s.updated_at.clone(),
        }
    }
}

/// `GET /api/v1/integrations/tiktok-shop`: the agent's shops, owned and claimed.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TiktokShopsView {
    /// The connections, without secrets.
    pub data: Vec<TiktokShopView>,
}

/// TikTok Shop's order-status notification: the body as received (its
/// signature covers the bytes) and what the server reads of it. Nothing is
/// required here: a notification is checked only once its signature is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookNotification {
    body: Bytes,
    /// `type`: 1 is an order status change.
    pub kind: Option<i64>,
    /// `tts_notification_id` (a string or an integer).
    pub notification_id: Option<String>,
    /// `shop_id` (a string or an integer).
    pub shop_id: Option<String>,
    /// `timestamp`, epoch seconds.
    pub timestamp: Option<i64>,
    /// `data.order_id` (a string or an integer).
    pub order_id: Option<String>,
    /// `data.order_status`.
    pub order_status: Option<String>,
    /// `data.update_time`, epoch seconds.
    pub update_time: Option<i64>,
}

impl WebhookNotification {
    /// Reads a notification body; 400 when it is not JSON.
    pub fn parse(body: Bytes) -> ApiResult<WebhookNotification> {
        let v: Value = crate::extract::parse_json(&body)?;
        let data = &v["data"];
        Ok(WebhookNotification {
            kind: v["type"].as_i64(),
            notification_id: id_of(&v["tts_notification_id"]),
            shop_id: id_of(&v["shop_id"]),
            timestamp: v["timestamp"].as_i64(),
            order_id: id_of(&data["order_id"]),
            order_status: data["order_status"].as_str().map(str::to_string),
            update_time: match &data["update_time"] {
                Value::Number(n) => n.as_i64(),
                _ => None,
            },
            body,
        })
    }

    /// The body as received, which the signature covers.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl PartialSchema for WebhookNotification {
    fn schema() -> RefOr<Schema> {
        let id = |description: &str| {
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Integer]))
                .description(Some(description))
        };
        let integer = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .description(Some(description))
        };
        let data = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("order_id", id("The order"))
            .property(
                "order_status",
                ObjectBuilder::new().schema_type(Type::String).description(Some(
                    "`ON_HOLD`, `AWAITING_SHIPMENT`, … (paid: counted), `CANCEL` (refunded), or another (ignored)",
                )),
            )
            .property("update_time", integer("When the status changed, epoch seconds"))
            .additional_properties(Some(schema::AdditionalProperties::FreeForm(true)));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "TikTok Shop's order-status notification. Read once its signature verifies: \
                 `tts_notification_id`, `data.order_id` and `data.order_status` are then required.",
            ))
            .property(
                "type",
                integer("1: an order status change (others are ignored)"),
            )
            .property(
                "tts_notification_id",
                id("The notification; a repeat is handled once"),
            )
            .property(
                "shop_id",
                id("The shop (its connection's secret signs the body)"),
            )
            .property(
                "timestamp",
                integer(
                    "When TikTok sent it, epoch seconds: within 300 seconds of the server's clock",
                ),
            )
            .required("timestamp")
            .property("data", data)
            .additional_properties(Some(schema::AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl ToSchema for WebhookNotification {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("WebhookNotification")
    }
}

/// What became of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcome {
    /// The order is counted in the session live for the shop when it was placed.
    Attributed,
    /// A paid order counted before.
    AlreadyCounted,
    /// No session of the shop was live when the order was placed.
    Unattributed,
    /// The order's currency is not the session's: not counted.
    CurrencyMismatch,
    /// A price with more decimals than its currency, or out of bounds: not counted.
    BadAmount,
    /// The session's figures are final: not counted (or, for a
    /// cancellation, recorded on the order only).
    SessionSettled,
    /// Past the session's live window: not counted.
    TooLate,
    /// Over the session's GMV limit: not counted.
    OverLimit,
    /// A counted order was cancelled: refunded in its session.
    Refunded,
    /// An order not counted was cancelled, and will not count.
    NotCounted,
    /// A cancelled order, cancelled before.
    AlreadyCancelled,
    /// This notification was handled before.
    DuplicateNotification,
    /// Not about a payment or a cancellation.
    Ignored,
}

impl WebhookOutcome {
    /// The logged name (the served one).
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookOutcome::Attributed => "attributed",
            WebhookOutcome::AlreadyCounted => "already_counted",
            WebhookOutcome::Unattributed => "unattributed",
            WebhookOutcome::CurrencyMismatch => "currency_mismatch",
            WebhookOutcome::BadAmount => "bad_amount",
            WebhookOutcome::SessionSettled => "session_settled",
            WebhookOutcome::TooLate => "too_late",
            WebhookOutcome::OverLimit => "over_limit",
            WebhookOutcome::Refunded => "refunded",
            WebhookOutcome::NotCounted => "not_counted",
            WebhookOutcome::AlreadyCancelled => "already_cancelled",
            WebhookOutcome::DuplicateNotification => "duplicate_notification",
            WebhookOutcome::Ignored => "ignored",
        }
    }
}

/// What the webhook did with a notification: `{outcome, attributed,
/// session_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WebhookReply {
    /// What became of it.
    pub outcome: WebhookOutcome,
    /// Whether the order counts in a session.
    pub attributed: bool,
    /// The session it counts in.
    #[schema(value_type = Option<String>)]
    pub session_id: Option<SessionId>,
    /// Received, but nothing counted because no session of the shop was
    /// live when the order was placed (answered 202; otherwise 200).
    #[serde(skip)]
    pub unattributed: bool,
}

/// What became of one notification.
struct Outcome {
    outcome: WebhookOutcome,
    session_id: Option<String>,
    attributed: bool,
    /// Nothing was counted because no session was live: answered 202.
    unattributed: bool,
}

impl Outcome {
    fn plain(outcome: WebhookOutcome) -> Self {
        Self {
            outcome,
            session_id: None,
            attributed: false,
            unattributed: false,
        }
    }

    /// The answer to a paid notification for an order recorded before.
    fn seen(rec: &TiktokShopOrderRecord) -> Self {
        match rec.status.as_str() {
            "attributed" => Self {
                outcome: WebhookOutcome::AlreadyCounted,
                session_id: rec.session_id.clone(),
                attributed: true,
                unattributed: false,
            },
            "unattributed" => Self {
                outcome: WebhookOutcome::Unattributed,
                session_id: None,
                attributed: false,
                unattributed: true,
            },
            _ => Self::plain(WebhookOutcome::AlreadyCancelled),
        }
    }
}

fn check_len(errors: &mut Vec<FieldError>, path: &str, v: &str, max: usize) {
    if v.trim().is_empty() || v.len() > max {
        errors.push(FieldError::new(path, format!("must be 1–{max} characters")));
    }
}

/// The order-event id of one product of a TikTok order.
fn event_order_id(order_id: &str, product_id: &str) -> String {
    format!("{order_id}:{product_id}")
}

impl App {
    /// Sets the TikTok Shop API base URL used for shops connected without one.
    pub fn set_tiktok_shop_api_url(&self, url: &str) {
        self.inner.tiktok_shop.set_default_base(url);
    }

    /// Lets agents connect shops whose `api_base_url` is plain http or on
    /// this machine or network (off by default: see `outbound`).
    pub fn allow_private_tiktok_shop_urls(&self, allow: bool) {
        self.inner.tiktok_shop.set_allow_private(allow);
    }

    /// Connects a TikTok Shop to the calling agent (201): a pending claim
    /// until a signed webhook proves it (see `tiktok_shop_ownership`), or an
    /// update of the agent's own proven shop; 409 when another agent has
    /// proven it.
    pub async fn connect_tiktok_shop(
        &self,
        caller: &Caller,
        body: NewTiktokShop,
    ) -> ApiResult<TiktokShopView> {
        let agent_id = require_agent(caller)?;
        let mut errors = Vec::new();
        let shop_id = body.shop_id.trim().to_string();
        if shop_id.is_empty()
            || shop_id.len() > 64
            || !shop_id.bytes().all(|b| b.is_ascii_graphic())
        {
            errors.push(FieldError::new(
                "shop_id",
                "must be 1–64 characters without spaces",
            ));
        }
        check_len(&mut errors, "app_key", &body.app_key, 128);
        check_len(&mut errors, "app_secret", &body.app_secret, 256);
        if let Some(t) = &body.access_token {
            check_len(&mut errors, "access_token", t, 4096);
        }
        let cipher = body.shop_cipher.as_deref().map(str::trim);
        if let Some(c) = cipher
            && (c.is_empty() || c.len() > 256 || !c.bytes().all(|b| b.is_ascii_graphic()))
        {
            errors.push(FieldError::new(
                "shop_cipher",
                "must be 1–256 characters without spaces",
            ));
        }
        let shop_cipher = cipher.map(str::to_string);
        let base = body
            .api_base_url
            .as_deref()
            .map(|u| u.trim().trim_end_matches('/').to_string());
        if let Some(u) = &base {
            let parsed = reqwest::Url::parse(u).ok().filter(|p| {
                matches!(p.scheme(), "http" | "https")
                    && p.host().is_some()
                    && p.query().is_none()
                    && p.fragment().is_none()
                    && u.len() <= 2048
            });
            match parsed {
                None => errors.push(FieldError::new(
                    "api_base_url",
                    "must be an http(s) URL without query or fragment",
                )),
                Some(p) => {
                    if let Some(why) = self.inner.tiktok_shop.refuse_shop_url(&p) {
                        errors.push(FieldError::new("api_base_url", why));
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let now = self.now_text();
        let rec = TiktokShopRecord {
            shop_id,
            agent_id: agent_id.to_string(),
            app_key: body.app_key.trim().to_string(),
            app_secret: body.app_secret,
            access_token: body.access_token,
            api_base_url: base,
            shop_cipher,
            created_at: now.clone(),
            updated_at: now,
            proven_at: None,
        };
        let stored = self.store().connect_tiktok_shop(&rec).await?;
        let ownership = if stored.proven_at.is_some() {
            "proven"
        } else {
            "pending"
        };
        tracing::info!(shop_id = %stored.shop_id, agent_id, ownership, "TikTok Shop connected");
        Ok(TiktokShopView::from(&stored))
    }

    /// The calling agent's connected shops, without secrets.
    pub async fn tiktok_shops(&self, caller: &Caller) -> ApiResult<TiktokShopsView> {
        let agent_id = require_agent(caller)?;
        let data = self
            .store()
            .tiktok_shops(agent_id)
            .await?
            .iter()
            .map(TiktokShopView::from)
            .collect();
        Ok(TiktokShopsView { data })
    }

    /// Handles TikTok Shop's order-status webhook: `authorization` is the
    /// request's `Authorization` header, which signs the notification's body.
    pub async fn tiktok_shop_webhook(
        &self,
        authorization: Option<&str>,
        notice: &WebhookNotification,
    ) -> ApiResult<WebhookReply> {
        // Signed by the shop's owner, or by a pending claim that it proves;
        // and fresh (see `tiktok_shop_ownership`).
        let shop = self.webhook_shop(authorization, notice).await?;
        let notification_id = notice
            .notification_id
            .clone()
            .ok_or_else(|| ApiError::field("tts_notification_id", "required"))?;
        let order_id = notice.order_id.clone();
        let status = notice.order_status.clone();
        let mut log = TiktokShopNotification {
            notification_id,
            shop_id: shop.shop_id.clone(),
            order_id: order_id.clone(),
            order_status: status.clone(),
            outcome: String::new(),
            session_id: None,
            received_at: self.now_text(),
        };
        let result = match self
            .store()
            .tiktok_shop_notification_outcome(&shop.shop_id, &log.notification_id)
            .await?
        {
            Some(_) => Ok(Outcome::plain(WebhookOutcome::DuplicateNotification)),
            None if notice.kind != Some(1) => Ok(Outcome::plain(WebhookOutcome::Ignored)),
            None => {
                let order_id =
                    order_id.ok_or_else(|| ApiError::field("data.order_id", "required"))?;
                let status =
                    status.ok_or_else(|| ApiError::field("data.order_status", "required"))?;
                let at_ms = notice
                    .update_time
                    .and_then(|s| s.checked_mul(1000))
                    .filter(|ms| DateTime::from_timestamp_millis(*ms).is_some())
                    .unwrap_or_else(|| self.now().timestamp_millis());
                if PAID_STATUSES.contains(&status.as_str()) {
                    self.tiktok_order_paid(&shop, &order_id).await
                } else if CANCEL_STATUSES.contains(&status.as_str()) {
                    self.tiktok_order_cancelled(&shop, &order_id, at_ms).await
                } else {
                    Ok(Outcome::plain(WebhookOutcome::Ignored))
                }
            }
        };
        let (outcome, reply) = match result {
            Ok(o) => {
                let reply = WebhookReply {
                    outcome: o.outcome,
                    attributed: o.attributed,
                    session_id: o.session_id.as_deref().map(SessionId::from),
                    unattributed: o.unattributed,
                };
                log.session_id = o.session_id;
                (o.outcome.as_str(), Ok(reply))
            }
            Err(e @ ApiError::BadGateway(_)) => ("fetch_failed", Err(e)),
            Err(e) => return Err(e),
        };
        log.outcome = outcome.to_string();
        tracing::info!(
            shop_id = %log.shop_id,
            notification_id = %log.notification_id,
            order_id = log.order_id.as_deref().unwrap_or(""),
            order_status = log.order_status.as_deref().unwrap_or(""),
            outcome,
            "TikTok Shop notification"
        );
        if let Err(e) = self.store().log_tiktok_shop_notification(&log).await {
            tracing::warn!(error = ?e, "logging a TikTok Shop notification failed");
        }
        reply
    }

    /// A paid order: fetched, attributed to the shop's session live at its
    /// create time, and counted there once.
    async fn tiktok_order_paid(
        &self,
        shop: &TiktokShopRecord,
        order_id: &str,
    ) -> ApiResult<Outcome> {
        if let Some(rec) = self
            .store()
            .tiktok_shop_order(&shop.shop_id, order_id)
            .await?
        {
            return Ok(Outcome::seen(&rec));
        }
        let detail = self
            .inner
            .tiktok_shop
            .fetch_order(shop, order_id, self.now().timestamp())
            .await
            .map_err(|m| {
            tracing::warn!(shop_id = %shop.shop_id, order_id, error = %m, "TikTok Shop order fetch failed");
            ApiError::BadGateway(format!("fetching order {order_id} from TikTok Shop failed"))
        })?;
        let created_at = DateTime::from_timestamp_millis(detail.create_ms)
            .map(timestamp)
            .unwrap_or_default();
        let mut rec = TiktokShopOrderRecord {
            shop_id: shop.shop_id.clone(),
            order_id: order_id.to_string(),
            status: "unattributed".into(),
            session_id: None,
            currency: Some(detail.currency.clone()),
            total_minor: None,
            lines: Value::Array(Vec::new()),
            order_created_at: Some(created_at.clone()),
            recorded_at: self.now_text(),
            cancelled_at: None,
        };
        let session_id = self
            .store()
            .tiktok_shop_live_session(&shop.agent_id, &shop.shop_id, &created_at)
            .await?;
        let currency = Currency::parse(&detail.currency).ok();
        let minor = |d: Decimal| currency.and_then(|c| money::to_minor(d, c).ok());
        rec.total_minor = minor(detail.total);
        let mut lines = Vec::with_capacity(detail.products.len());
        for p in &detail.products {
            lines.push((p, minor(p.amount)));
        }
        rec.lines = Value::Array(
            lines
                .iter()
                .map(|(p, m)| json!({"product_id": p.product_id, "quantity": p.quantity, "amount_minor": m}))
                .collect(),
        );
        let Some(session_id) = session_id else {
            return self
                .record_unattributed(&rec, WebhookOutcome::Unattributed)
                .await;
        };
        let task = self.store().session_task(&session_id).await?;
        let Some(s) = task.sessions.iter().find(|s| s.id == session_id).cloned() else {
            return self
                .record_unattributed(&rec, WebhookOutcome::Unattributed)
                .await;
        };
        let Some(c) = currency.filter(|c| c.code() == task.currency) else {
            tracing::warn!(order_id, currency = %detail.currency, task_currency = %task.currency,
                "TikTok Shop order not counted: its currency is not the session's");
            return self
                .record_unattributed(&rec, WebhookOutcome::CurrencyMismatch)
                .await;
        };
        if lines.iter().any(|(_, m)| m.is_none()) {
            tracing::warn!(order_id, currency = %detail.currency,
                "TikTok Shop order not counted: a price has more decimals than its currency");
            return self
                .record_unattributed(&rec, WebhookOutcome::BadAmount)
                .await;
        }
        let buyer = detail
            .buyer
            .clone()
            .unwrap_or_else(|| format!("tts:{order_id}"));
        let events: Vec<LiveEvent> = lines
            .iter()
            .map(|(p, m)| LiveEvent {
                ts_ms: detail.create_ms,
                body: EventBody::Order {
                    order_id: event_order_id(order_id, &p.product_id),
                    viewer_id: buyer.clone(),
                    product_id: p.product_id.clone(),
                    quantity: p.quantity,
                    amount_minor: m.unwrap_or_default(),
                    currency: c.code().to_string(),
                    flash_sale_id: None,
                },
            })
            .collect();
        if let Err(why) = events.iter().try_for_each(check_limits) {
            tracing::warn!(
                order_id,
                why,
                "TikTok Shop order not counted: out of bounds"
            );
            return self
                .record_unattributed(&rec, WebhookOutcome::BadAmount)
                .await;
        }
        // Load (or rebuild) the live state before storing the events, so a
        // rebuild cannot count them a second time.
        let live = self.live_session(&task, &s).await?;
        let settled = live.settled.read().await;
        if *settled || is_settled(&task) {
            return self
                .record_unattributed(&rec, WebhookOutcome::SessionSettled)
                .await;
        }
        let now_ms = self.now().timestamp_millis();
        if let Err(why) = live_window(&s).intake(now_ms) {
            tracing::warn!(
                order_id,
                session_id,
                why,
                "TikTok Shop order not counted: too late"
            );
            return self
                .record_unattributed(&rec, WebhookOutcome::TooLate)
                .await;
        }
        let amounts: Vec<i64> = lines.iter().map(|(_, m)| m.unwrap_or_default()).collect();
        let reserved: i128 = amounts.iter().map(|a| i128::from(*a)).sum();
        let whole = [i64::try_from(reserved).unwrap_or(i64::MAX)];
        if !live.reserve_gmv(Provenance::Verified, &whole, session_gmv_limit_minor(c))[0] {
            tracing::warn!(
                order_id,
                session_id,
                "TikTok Shop order not counted: over the session's GMV limit"
            );
            return self
                .record_unattributed(&rec, WebhookOutcome::OverLimit)
                .await;
        }
        rec.status = "attributed".into();
        rec.session_id = Some(session_id.clone());
        let mut batch = event_batch(&session_id, &events, c);
        batch.source = Source::TiktokShop.as_str().to_string();
        batch.source_id = Some(shop.shop_id.clone());
        let recorded = self
            .store()
            .record_tiktok_shop_order(&rec, Some(&batch))
            .await;
        let existing = match recorded {
            Ok(existing) => existing,
            Err(e) => {
                live.release_gmv(Provenance::Verified, reserved);
                if matches!(&e, StoreError::Conflict(m) if m == "session_settled") {
                    rec.status = "unattributed".into();
                    rec.session_id = None;
                    return self
                        .record_unattributed(&rec, WebhookOutcome::SessionSettled)
                        .await;
                }
                return Err(e.into());
            }
        };
        if let Some(existing) = existing {
            live.release_gmv(Provenance::Verified, reserved);
            return Ok(Outcome::seen(&existing));
        }
        count_events(&live, &events, Provenance::Verified)?;
        Ok(Outcome {
            outcome: WebhookOutcome::Attributed,
            session_id: Some(session_id),
            attributed: true,
            unattributed: false,
        })
    }

    /// Records a paid order that no session counts.
    async fn record_unattributed(
        &self,
        rec: &TiktokShopOrderRecord,
        outcome: WebhookOutcome,
    ) -> ApiResult<Outcome> {
        if let Some(existing) = self.store().record_tiktok_shop_order(rec, None).await? {
            return Ok(Outcome::seen(&existing));
        }
        Ok(Outcome {
            outcome,
            session_id: None,
            attributed: false,
            unattributed: true,
        })
    }

    /// A cancelled order: refunded in its session when it was counted; an
    /// order not seen yet is remembered as cancelled, so a late paid
    /// notification does not count it.
    async fn tiktok_order_cancelled(
        &self,
        shop: &TiktokShopRecord,
        order_id: &str,
        at_ms: i64,
    ) -> ApiResult<Outcome> {
        // Twice at most: a paid notification may record the order between
        // our read and our write.
        for _ in 0..2 {
            let Some(rec) = self
                .store()
                .tiktok_shop_order(&shop.shop_id, order_id)
                .await?
            else {
                let tombstone = TiktokShopOrderRecord {
                    shop_id: shop.shop_id.clone(),
                    order_id: order_id.to_string(),
                    status: "cancelled".into(),
                    session_id: None,
                    currency: None,
                    total_minor: None,
                    lines: Value::Array(Vec::new()),
                    order_created_at: None,
                    recorded_at: self.now_text(),
                    cancelled_at: Some(self.now_text()),
                };
                if self
                    .store()
                    .record_tiktok_shop_order(&tombstone, None)
                    .await?
                    .is_none()
                {
                    return Ok(Outcome::plain(WebhookOutcome::NotCounted));
                }
                continue;
            };
            match (rec.status.as_str(), &rec.session_id) {
                ("attributed", Some(session_id)) => {
                    let task = self.store().session_task(session_id).await?;
                    let s = task
                        .sessions
                        .iter()
                        .find(|s| &s.id == session_id)
                        .cloned()
                        .ok_or_else(|| anyhow::anyhow!("session {session_id} vanished"))?;
                    let currency = super::tasks::currency_of(&task)?;
                    let events: Vec<LiveEvent> = rec
                        .lines
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|l| l["product_id"].as_str())
                        .map(|p| LiveEvent {
                            ts_ms: at_ms,
                            body: EventBody::OrderRefund {
                                order_id: event_order_id(order_id, p),
                            },
                        })
                        .collect();
                    let live = self.live_session(&task, &s).await?;
                    let settled = live.settled.read().await;
                    let now = self.now_text();
                    if *settled || is_settled(&task) {
                        // The session's figures are final: the cancellation
                        // is recorded on the order only.
                        if !self
                            .store()
                            .cancel_tiktok_shop_order(
                                &shop.shop_id,
                                order_id,
                                "attributed",
                                None,
                                &now,
                            )
                            .await?
                        {
                            continue;
                        }
                        return Ok(Outcome::plain(WebhookOutcome::SessionSettled));
                    }
                    let mut batch = event_batch(session_id, &events, currency);
                    batch.source = Source::TiktokShop.as_str().to_string();
                    batch.source_id = Some(shop.shop_id.clone());
                    if !self
                        .store()
                        .cancel_tiktok_shop_order(
                            &shop.shop_id,
                            order_id,
                            "attributed",
                            Some(&batch),
                            &now,
                        )
                        .await?
                    {
                        continue;
                    }
                    count_events(&live, &events, Provenance::Verified)?;
                    return Ok(Outcome {
                        outcome: WebhookOutcome::Refunded,
                        session_id: Some(session_id.clone()),
                        attributed: true,
                        unattributed: false,
                    });
                }
                ("cancelled", _) => return Ok(Outcome::plain(WebhookOutcome::AlreadyCancelled)),
                (from, _) => {
                    let now = self.now_text();
                    if self
                        .store()
                        .cancel_tiktok_shop_order(&shop.shop_id, order_id, from, None, &now)
                        .await?
                    {
                        return Ok(Outcome::plain(WebhookOutcome::NotCounted));
                    }
                }
            }
        }
        Ok(Outcome::plain(WebhookOutcome::AlreadyCancelled))
    }
}
