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

use chrono::DateTime;
use livehire_domain::FieldError;
use livehire_domain::live::{EventBody, LiveEvent, Provenance, Source, check_limits};
use livehire_domain::money::{self, Currency};
use livehire_store::{
    Caller, StoreError, TiktokShopNotification, TiktokShopOrderRecord, TiktokShopRecord,
};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

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
    /// TikTok's shop id (as in the webhook's `shop_id`).
    pub shop_id: String,
    /// The TikTok Shop app's key.
    pub app_key: String,
    /// The app's secret: verifies the webhook's signature. Never returned.
    pub app_secret: String,
    /// The shop's API access token, sent as `x-tts-access-token`. Never returned.
    pub access_token: Option<String>,
    /// The TikTok Shop API base URL, when not the server's default.
    pub api_base_url: Option<String>,
    /// The shop's cipher from TikTok's "Get Authorized Shops", sent as
    /// `shop_cipher` on the order-detail call (shop-scoped 202309 APIs take it).
    pub shop_cipher: Option<String>,
}

/// What the webhook did with a notification.
#[derive(Debug)]
pub enum WebhookReply {
    /// Handled: counted, refunded, seen before or not about a payment (200).
    Handled(Value),
    /// Received, but nothing counted: no session of the shop was live when
    /// the order was placed (202).
    Accepted(Value),
}

/// What became of one notification.
struct Outcome {
    outcome: &'static str,
    session_id: Option<String>,
    attributed: bool,
    /// Nothing was counted because no session was live: answered 202.
    unattributed: bool,
}

impl Outcome {
    fn plain(outcome: &'static str) -> Self {
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
                outcome: "already_counted",
                session_id: rec.session_id.clone(),
                attributed: true,
                unattributed: false,
            },
            "unattributed" => Self {
                outcome: "unattributed",
                session_id: None,
                attributed: false,
                unattributed: true,
            },
            _ => Self::plain("already_cancelled"),
        }
    }
}

fn shop_view(s: &TiktokShopRecord) -> Value {
    json!({
        "shop_id": s.shop_id,
        "ownership": if s.proven_at.is_some() { "proven" } else { "pending" },
        "proven_at": s.proven_at,
        "app_key": s.app_key,
        "api_base_url": s.api_base_url,
        "shop_cipher": s.shop_cipher,
        "has_access_token": s.access_token.is_some(),
        "webhook_path": WEBHOOK_PATH,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    })
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
    ) -> ApiResult<Value> {
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
        Ok(shop_view(&stored))
    }

    /// The calling agent's connected shops, without secrets.
    pub async fn tiktok_shops(&self, caller: &Caller) -> ApiResult<Value> {
        let agent_id = require_agent(caller)?;
        let shops: Vec<Value> = self
            .store()
            .tiktok_shops(agent_id)
            .await?
            .iter()
            .map(shop_view)
            .collect();
        Ok(json!({"data": shops}))
    }

    /// Handles TikTok Shop's order-status webhook: `authorization` is the
    /// request's `Authorization` header, `body` the raw body it signs.
    pub async fn tiktok_shop_webhook(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> ApiResult<WebhookReply> {
        let v: Value = crate::extract::parse_json(body)?;
        // Signed by the shop's owner, or by a pending claim that it proves;
        // and fresh (see `tiktok_shop_ownership`).
        let shop = self.webhook_shop(authorization, body, &v).await?;
        let notification_id = id_of(&v["tts_notification_id"])
            .ok_or_else(|| ApiError::field("tts_notification_id", "required"))?;
        let data = &v["data"];
        let order_id = id_of(&data["order_id"]);
        let status = data["order_status"].as_str().map(str::to_string);
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
            Some(_) => Ok(Outcome::plain("duplicate_notification")),
            None if v["type"].as_i64() != Some(1) => Ok(Outcome::plain("ignored")),
            None => {
                let order_id =
                    order_id.ok_or_else(|| ApiError::field("data.order_id", "required"))?;
                let status =
                    status.ok_or_else(|| ApiError::field("data.order_status", "required"))?;
                let at_ms = match &data["update_time"] {
                    Value::Number(n) => n.as_i64().and_then(|s| s.checked_mul(1000)),
                    _ => None,
                }
                .filter(|ms| DateTime::from_timestamp_millis(*ms).is_some())
                .unwrap_or_else(|| self.now().timestamp_millis());
                if PAID_STATUSES.contains(&status.as_str()) {
                    self.tiktok_order_paid(&shop, &order_id).await
                } else if CANCEL_STATUSES.contains(&status.as_str()) {
                    self.tiktok_order_cancelled(&shop, &order_id, at_ms).await
                } else {
                    Ok(Outcome::plain("ignored"))
                }
            }
        };
        let (outcome, reply) = match result {
            Ok(o) => {
                let body = json!({
                    "outcome": o.outcome,
                    "attributed": o.attributed,
                    "session_id": o.session_id,
                });
                let reply = if o.unattributed {
                    WebhookReply::Accepted(body)
                } else {
                    WebhookReply::Handled(body)
                };
                log.session_id = o.session_id;
                (o.outcome, Ok(reply))
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
            return self.record_unattributed(&rec, "unattributed").await;
        };
        let task = self.store().session_task(&session_id).await?;
        let Some(s) = task.sessions.iter().find(|s| s.id == session_id).cloned() else {
            return self.record_unattributed(&rec, "unattributed").await;
        };
        let Some(c) = currency.filter(|c| c.code() == task.currency) else {
            tracing::warn!(order_id, currency = %detail.currency, task_currency = %task.currency,
                "TikTok Shop order not counted: its currency is not the session's");
            return self.record_unattributed(&rec, "currency_mismatch").await;
        };
        if lines.iter().any(|(_, m)| m.is_none()) {
            tracing::warn!(order_id, currency = %detail.currency,
                "TikTok Shop order not counted: a price has more decimals than its currency");
            return self.record_unattributed(&rec, "bad_amount").await;
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
            return self.record_unattributed(&rec, "bad_amount").await;
        }
        // Load (or rebuild) the live state before storing the events, so a
        // rebuild cannot count them a second time.
        let live = self.live_session(&task, &s).await?;
        let settled = live.settled.read().await;
        if *settled || is_settled(&task) {
            return self.record_unattributed(&rec, "session_settled").await;
        }
        let now_ms = self.now().timestamp_millis();
        if let Err(why) = live_window(&s).intake(now_ms) {
            tracing::warn!(
                order_id,
                session_id,
                why,
                "TikTok Shop order not counted: too late"
            );
            return self.record_unattributed(&rec, "too_late").await;
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
            return self.record_unattributed(&rec, "over_limit").await;
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
                    return self.record_unattributed(&rec, "session_settled").await;
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
            outcome: "attributed",
            session_id: Some(session_id),
            attributed: true,
            unattributed: false,
        })
    }

    /// Records a paid order that no session counts.
    async fn record_unattributed(
        &self,
        rec: &TiktokShopOrderRecord,
        outcome: &'static str,
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
                    return Ok(Outcome::plain("not_counted"));
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
                        return Ok(Outcome::plain("session_settled"));
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
                        outcome: "refunded",
                        session_id: Some(session_id.clone()),
                        attributed: true,
                        unattributed: false,
                    });
                }
                ("cancelled", _) => return Ok(Outcome::plain("already_cancelled")),
                (from, _) => {
                    let now = self.now_text();
                    if self
                        .store()
                        .cancel_tiktok_shop_order(&shop.shop_id, order_id, from, None, &now)
                        .await?
                    {
                        return Ok(Outcome::plain("not_counted"));
                    }
                }
            }
        }
        Ok(Outcome::plain("already_cancelled"))
    }
}
