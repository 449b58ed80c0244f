//! Flash sales: starting one in a live session, its orders (reserved in
//! memory, durable before acknowledged), the order list, checkout keys and
//! the overlay's read-only view. What they answer is in [`views`].

mod views;

use std::sync::Arc;

use livehire_domain::access::Action;
use livehire_domain::events::EventKind;
use livehire_domain::ids::{self, FlashSaleId, SessionId};
use livehire_domain::limits;
use livehire_domain::live::Provenance;
use livehire_domain::money;
use livehire_store::{
    Caller, CallerKind, FlashOrderRecord, FlashSaleRecord, OrderDecision, StoreError,
};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::sessions::SessionKeyView;
use super::tasks::{currency_of, draft_of};
use super::{App, Cursor, Page, PageRequest, key_digest, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::live::sale::{Keyed, OrderRefusal};
use crate::live::{FlashSaleLive, SessionLive};

pub(crate) use views::amount;
pub use views::{
    FlashSaleOrders, FlashSaleState, FlashSaleStatus, FlashSaleView, OrderAck, OrderView,
};

/// `POST /api/v1/sessions/{id}/flash-sales` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFlashSale {
    /// The product on sale (one of the task's products when it lists them).
    pub product_id: String,
    /// Sale price per unit, in the task's currency.
    #[schema(value_type = f64)]
    pub price: Value,
    /// Units on offer (> 0).
    pub stock: i64,
    /// Countdown length, 1–240 minutes.
    pub duration_minutes: Option<i64>,
    /// Countdown length in seconds (1–14,400), for sales shorter than a minute;
    /// give this or `duration_minutes`.
    pub duration_seconds: Option<i64>,
    /// Most units one buyer may order.
    pub per_buyer_limit: Option<i64>,
}

/// `POST /api/v1/flash-sales/{id}/orders` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// The brand's id for the buyer (the viewer's id when known).
    pub buyer_id: String,
    /// Units (≥ 1).
    pub quantity: i64,
}

/// Who places a flash-sale order: the task's agent, or a checkout key scoped to
/// the sale's session.
#[derive(Debug, Clone)]
pub enum OrderCaller {
    /// An agent key.
    Agent(Caller),
    /// A checkout key; the session it is scoped to.
    Checkout(SessionId),
}

impl App {
    /// Starts a flash sale in a live session (agent or assigned host).
    pub async fn create_flash_sale(
        &self,
        caller: &Caller,
        session_id: &SessionId,
        body: NewFlashSale,
    ) -> ApiResult<FlashSaleView> {
        let (task, s, _) = self
            .session_for(caller, session_id, Action::RunSession)
            .await?;
        if s.status != livehire_store::SessionStatus::Live {
            return Err(ApiError::Conflict {
                code: "invalid_state",
                message: format!("session is {}; flash sales run in a live session", s.status),
            });
        }
        let currency = currency_of(&task)?;
        let draft = draft_of(&task)?;
        let mut errors = Vec::new();
        if !draft.products.is_empty()
            && !draft
                .products
                .iter()
                .any(|p| p.product_id == body.product_id)
        {
            let ids: Vec<_> = draft
                .products
                .iter()
                .map(|p| p.product_id.as_str())
                .collect();
            errors.push(livehire_domain::FieldError::new(
                "product_id",
                format!("is not one of the task's products ({})", ids.join(", ")),
            ));
        }
        let price = money::parse_amount(&body.price)
            .and_then(|p| money::check_amount(p, currency).map(|_| p))
            .and_then(|p| money::to_minor(p, currency));
        if let Err(m) = &price {
            errors.push(livehire_domain::FieldError::new("price", m.clone()));
        }
        if !(1..=limits::MAX_STOCK as i64).contains(&body.stock) {
            errors.push(livehire_domain::FieldError::new(
                "stock",
                "must be from 1 to 1,000,000",
            ));
        }
        if let Err(m) = limits::check_id(&body.product_id) {
            errors.push(livehire_domain::FieldError::new("product_id", m));
        }
        let duration_seconds = match (body.duration_minutes, body.duration_seconds) {
            (Some(m), None) if (1..=240).contains(&m) => m * 60,
            (None, Some(sec)) if (1..=14_400).contains(&sec) => sec,
            (Some(_), None) => {
                errors.push(livehire_domain::FieldError::new(
                    "duration_minutes",
                    "must be from 1 to 240",
                ));
                0
            }
            (None, Some(_)) => {
                errors.push(livehire_domain::FieldError::new(
                    "duration_seconds",
                    "must be from 1 to 14400",
                ));
                0
            }
            _ => {
                errors.push(livehire_domain::FieldError::new(
                    "duration_minutes",
                    "give duration_minutes or duration_seconds",
                ));
                0
            }
        };
        if body.per_buyer_limit.is_some_and(|l| l < 1) {
            errors.push(livehire_domain::FieldError::new(
                "per_buyer_limit",
                "must be at least 1",
            ));
        }
        let Ok(price_minor) = price else {
            return Err(ApiError::Validation(errors));
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        // Selling out must fit in the session's verified GMV: reserve it now.
        let live = self.live_session(&task, &s).await?;
        let worth = i128::from(price_minor) * i128::from(body.stock);
        let worth_minor = i64::try_from(worth).unwrap_or(i64::MAX);
        let max = session_gmv_limit_minor(currency);
        if !live.reserve_gmv(Provenance::Verified, &[worth_minor], max)[0] {
            return Err(ApiError::field(
                "stock",
                format!(
                    "price × stock would take the session's GMV past {}",
                    session_gmv_limit_words(currency)
                ),
            ));
        }
        let now = self.now();
        let ends = now + chrono::Duration::seconds(duration_seconds);
        let rec = FlashSaleRecord {
            id: ids::new_id(ids::FLASH_SALE, now, &mut rand::rng()),
            session_id: session_id.to_string(),
            task_id: task.id.clone(),
            product_id: body.product_id,
            currency: currency.code().to_string(),
            price_minor,
            stock: body.stock,
            per_buyer_limit: body.per_buyer_limit,
            starts_at: timestamp(now),
            ends_at: timestamp(ends),
            overlay_token: ids::random_base62(&mut rand::rng(), 24),
            created_at: timestamp(now),
        };
        let sale = Arc::new(FlashSaleLive::new(
            rec.clone(),
            now.timestamp_millis(),
            ends.timestamp_millis(),
            live.clone(),
            &[],
        ));
        let started = self.sale_event(EventKind::FlashSaleStarted, &sale);
        if let Err(e) = self.store().create_flash_sale(&rec, &[started]).await {
            live.release_gmv(Provenance::Verified, worth);
            return Err(e.into());
        }
        self.events_written();
        self.live().add_sale(sale.clone());
        let view = FlashSaleView::of(&sale, now.timestamp_millis());
        tracing::info!(flash_sale_id = %rec.id, session_id = session_id.as_str(), stock = rec.stock, "flash sale started");
        Ok(view)
    }

    async fn loaded_sale(&self, id: &str) -> ApiResult<Arc<FlashSaleLive>> {
        if let Some(s) = self.live().sale(id) {
            return Ok(s);
        }
        let rec = match self.store().flash_sale(id).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => {
                return Err(ApiError::NotFound(format!("flash sale {id}")));
            }
            Err(e) => return Err(e.into()),
        };
        let task = self.store().session_task(&rec.session_id).await?;
        let s = task
            .sessions
            .iter()
            .find(|x| x.id == rec.session_id)
            .cloned()
            .ok_or_else(|| ApiError::NotFound(format!("flash sale {id}")))?;
        // Loads the session, or (on a shared store) reads it back, which
        // brings a sale another instance started since this one loaded it.
        self.live_session(&task, &s).await?;
        self.live()
            .sale(id)
            .ok_or_else(|| ApiError::NotFound(format!("flash sale {id}")))
    }

    /// `GET /api/v1/flash-sales/{id}` (the task's agent or assigned host).
    pub async fn flash_sale(&self, caller: &Caller, id: &FlashSaleId) -> ApiResult<FlashSaleView> {
        let sale = self.loaded_sale(id).await?;
        self.session_for(caller, &sale.rec.session_id, Action::RunSession)
            .await
            .map_err(|_| ApiError::NotFound(format!("flash sale {id}")))?;
        // On a shared store: what other instances sold counts too.
        self.follow_session(&sale.session).await?;
        Ok(FlashSaleView::of(&sale, self.now().timestamp_millis()))
    }

    /// The public state of a sale for its overlay token (read-only), and
    /// its session, whose stream carries the sale's ticks.
    pub async fn flash_sale_for_overlay(
        &self,
        id: &FlashSaleId,
        token: &str,
    ) -> ApiResult<(FlashSaleState, Arc<SessionLive>)> {
        let sale = self.loaded_sale(id).await?;
        if !constant_time_eq(sale.rec.overlay_token.as_bytes(), token.as_bytes()) {
            return Err(ApiError::NotFound(format!("flash sale {id}")));
        }
        self.follow_session(&sale.session).await?;
        Ok((
            FlashSaleState::of(&sale, self.now().timestamp_millis()),
            sale.session.clone(),
        ))
    }

    /// Places an order: reserved in memory, durable before acknowledged.
    pub async fn place_order(
        &self,
        who: &OrderCaller,
        sale_id: &FlashSaleId,
        body: NewOrder,
        key: Option<&str>,
    ) -> ApiResult<OrderAck> {
        let sale = self.loaded_sale(sale_id).await?;
        match who {
            // The task's agent, known from memory: no read per order.
            OrderCaller::Agent(c) if c.kind == CallerKind::Agent => {
                if sale.session.agent_id != c.id {
                    return Err(ApiError::NotFound(format!("flash sale {sale_id}")));
                }
            }
            // Anyone else by the access rules (a host: 403 if assigned, else 404).
            OrderCaller::Agent(c) => {
                self.session_for(c, &sale.rec.session_id, Action::ManageSession)
                    .await
                    .map_err(|e| match e {
                        ApiError::NotFound(_) => {
                            ApiError::NotFound(format!("flash sale {sale_id}"))
                        }
                        other => other,
                    })?;
            }
            OrderCaller::Checkout(session) if session.as_str() == sale.rec.session_id => {}
            OrderCaller::Checkout(_) => {
                return Err(ApiError::NotFound(format!("flash sale {sale_id}")));
            }
        }
        let buyer = body.buyer_id.trim().to_string();
        if buyer.is_empty() || buyer.chars().count() > limits::MAX_ID_CHARS {
            return Err(ApiError::field("buyer_id", "must be 1–128 characters"));
        }
        if !(1..=limits::MAX_QUANTITY as i64).contains(&body.quantity) {
            return Err(ApiError::field("quantity", "must be from 1 to 10,000"));
        }
        let amount_minor = sale
            .rec
            .price_minor
            .checked_mul(body.quantity)
            .filter(|a| {
                money::Currency::parse(&sale.rec.currency)
                    .is_ok_and(|c| money::from_minor(*a, c) <= limits::MAX_AMOUNT)
            })
            .ok_or_else(|| {
                ApiError::field(
                    "quantity",
                    format!(
                        "price × quantity must be at most {} {}",
                        money::group_thousands(&limits::MAX_AMOUNT.to_string()),
                        sale.rec.currency
                    ),
                )
            })?;
        let outcome = match key {
            None => {
                self.order_once(&sale, &buyer, body.quantity, amount_minor, None)
                    .await
            }
            Some(k) => match sale.keyed(k, &format!("{buyer}:{}", body.quantity)) {
                Keyed::Mismatch => return Err(key_reused()),
                Keyed::Cell(cell) => {
                    let out = cell
                        .get_or_init(|| {
                            self.order_once(&sale, &buyer, body.quantity, amount_minor, Some(k))
                        })
                        .await
                        .clone();
                    if matches!(out, Err(OrderRefusal::Failed(_))) {
                        sale.forget_key(k);
                    }
                    out
                }
            },
        };
        match outcome {
            Ok((o, remaining)) => {
                let decimal = |minor| match money::Currency::parse(&sale.rec.currency) {
                    Ok(c) => money::from_minor(minor, c),
                    Err(_) => rust_decimal::Decimal::from(minor),
                };
                Ok(OrderAck {
                    unit_price: decimal(sale.rec.price_minor),
                    amount: decimal(o.amount_minor),
                    product_id: sale.rec.product_id.clone(),
                    currency: sale.rec.currency.clone(),
                    remaining,
                    order_id: o.order_id.into(),
                    flash_sale_id: o.flash_sale_id.into(),
                    buyer_id: o.buyer_id,
                    quantity: o.quantity,
                    created_at: o.created_at,
                })
            }
            Err(OrderRefusal::SoldOut { remaining }) => Err(ApiError::Conflict {
                code: "sold_out",
                message: if remaining == 0 {
                    "sold out: remaining 0".into()
                } else {
                    format!("only {remaining} left: remaining {remaining}")
                },
            }),
            Err(OrderRefusal::LimitExceeded { limit, bought }) => Err(ApiError::Conflict {
                code: "limit_exceeded",
                message: format!("per-buyer limit is {limit}; this buyer already has {bought}"),
            }),
            Err(OrderRefusal::Ended) => Err(ApiError::Gone {
                code: "flash_sale_ended",
                message: format!(
                    "flash sale ended at {}",
                    chrono::DateTime::from_timestamp_millis(sale.ends_ms())
                        .map_or_else(|| sale.rec.ends_at.clone(), timestamp)
                ),
            }),
            Err(OrderRefusal::KeyReused) => Err(key_reused()),
            Err(OrderRefusal::Failed(m)) => {
                Err(ApiError::Internal(anyhow::anyhow!("storing order: {m}")))
            }
        }
    }

    async fn order_once(
        &self,
        sale: &Arc<FlashSaleLive>,
        buyer: &str,
        quantity: i64,
        amount_minor: i64,
        key: Option<&str>,
    ) -> Result<(FlashOrderRecord, i64), OrderRefusal> {
        let now = self.now();
        sale.reserve(buyer, quantity, now.timestamp_millis())?;
        let rec = FlashOrderRecord {
            order_id: ids::new_id(ids::ORDER, now, &mut rand::rng()),
            flash_sale_id: sale.rec.id.clone(),
            buyer_id: buyer.to_string(),
            quantity,
            amount_minor,
            idempotency_key: key.map(str::to_string),
            created_at: timestamp(now),
        };
        let placed = now.timestamp_millis();
        let written = self.orders().write(rec, sale.clone(), placed).await;
        let refused = |why: OrderRefusal| {
            sale.release(buyer, quantity);
            sale.settled_one();
            Err(why)
        };
        let (rec, remaining) = match written {
            Ok(OrderDecision::Accepted { order, remaining }) => (order, remaining),
            // Stored before under this key by another instance: not a new
            // order, so what was reserved for it here goes back.
            Ok(OrderDecision::Replayed { order, remaining }) => {
                sale.release(buyer, quantity);
                sale.settled_one();
                sale.observe_remaining(remaining);
                return Ok((order, remaining));
            }
            Ok(OrderDecision::KeyReused) => return refused(OrderRefusal::KeyReused),
            Ok(OrderDecision::SoldOut { remaining }) => {
                sale.observe_remaining(remaining);
                return refused(OrderRefusal::SoldOut { remaining });
            }
            Ok(OrderDecision::LimitExceeded { limit, bought }) => {
                return refused(OrderRefusal::LimitExceeded { limit, bought });
            }
            Ok(OrderDecision::Ended) => return refused(OrderRefusal::Ended),
            Err(e) => return refused(OrderRefusal::Failed(e)),
        };
        sale.settled_one();
        if self.store().shared() {
            sale.observe_remaining(remaining);
        }
        if remaining == 0 && sale.mark_sold_out() {
            self.record_events(&[self.sale_event(EventKind::FlashSaleSoldOut, sale)])
                .await;
        }
        Ok((rec, remaining))
    }

    /// A page of a flash sale's accepted orders, oldest first (agent);
    /// `page.limit` at most [`MAX_ORDERS_PAGE`], `page.cursor` from the
    /// previous page.
    pub async fn flash_sale_orders(
        &self,
        caller: &Caller,
        id: &FlashSaleId,
        page: &PageRequest,
    ) -> ApiResult<FlashSaleOrders> {
        let sale = self.loaded_sale(id).await?;
        let (task, _, _) = self
            .session_for(caller, &sale.rec.session_id, Action::ManageSession)
            .await
            .map_err(|e| match e {
                ApiError::NotFound(_) => ApiError::NotFound(format!("flash sale {id}")),
                other => other,
            })?;
        let limit = page.limit.min(MAX_ORDERS_PAGE);
        let after = page.cursor.as_deref().map(Cursor::seq).transpose()?;
        let rows = self.store().flash_orders_page(id, after, limit).await?;
        Ok(FlashSaleOrders {
            flash_sale_id: id.to_string().into(),
            page: Page {
                data: rows
                    .data
                    .iter()
                    .map(|o| OrderView::of(o, &task.currency))
                    .collect(),
                next_cursor: rows.next.map(|n| Cursor::Seq(n).encode()),
            },
        })
    }

    /// Mints a checkout key scoped to one session (agent).
    pub async fn mint_checkout_key(
        &self,
        caller: &Caller,
        session_id: &SessionId,
    ) -> ApiResult<SessionKeyView> {
        self.mint_session_key(caller, session_id, "checkout", ids::CHECKOUT_KEY)
            .await
    }

    /// Mints a session-scoped key of `kind` with `prefix` (agent).
    pub(crate) async fn mint_session_key(
        &self,
        caller: &Caller,
        session_id: &str,
        kind: &str,
        prefix: &str,
    ) -> ApiResult<SessionKeyView> {
        let (task, _, _) = self
            .session_for(caller, session_id, Action::ManageSession)
            .await?;
        let agent_id = task.agent_id.clone();
        let key = ids::new_key(prefix, &mut rand::rng());
        let record = livehire_store::SessionKey {
            kind: kind.to_string(),
            session_id: session_id.to_string(),
            agent_id: agent_id.to_string(),
        };
        self.store()
            .create_session_key(&key_digest(&key), &record, &self.now_text())
            .await?;
        Ok(SessionKeyView {
            api_key: key,
            session_id: session_id.to_string().into(),
            task_id: task.id.into(),
        })
    }

    /// Resolves a key for the order endpoint: an agent, or a checkout key.
    pub async fn authenticate_order(&self, key: &str) -> ApiResult<OrderCaller> {
        if !key.starts_with(ids::CHECKOUT_KEY) {
            return self.authenticate(key).await.map(OrderCaller::Agent);
        }
        let k = self.session_key(key, "checkout").await?;
        Ok(OrderCaller::Checkout(k.session_id.into()))
    }
}

/// Most orders on one page of a sale's order list.
pub const MAX_ORDERS_PAGE: u32 = 1000;

/// Orders on a page of a sale's order list when the client names no `limit`.
pub const DEFAULT_ORDERS_PAGE: u32 = 100;

/// The session GMV limit in words: `1,000,000,000,000 CNY`.
pub(crate) fn session_gmv_limit_words(currency: money::Currency) -> String {
    format!(
        "{} {currency}",
        money::group_thousands(&limits::MAX_SESSION_GMV.to_string())
    )
}

/// The session GMV limit of one provenance in minor units of `currency`.
pub(crate) fn session_gmv_limit_minor(currency: money::Currency) -> i128 {
    i128::from(money::to_minor(limits::MAX_SESSION_GMV, currency).unwrap_or(i64::MAX))
}

fn key_reused() -> ApiError {
    ApiError::Conflict {
        code: "idempotency_key_reused",
        message: "this Idempotency-Key was used with a different order".into(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
