//! Live sessions: start and end, event ingestion, metrics, the stream,
//! flash sales and their orders, checkout keys.

use std::sync::Arc;

use chrono::DateTime;
use livehire_domain::ids;
use livehire_domain::live::{self, LiveEvent};
use livehire_domain::money;
use livehire_domain::run_of_show::{self as ros, RunOfShow};
use livehire_domain::state::TaskAction;
use livehire_store::{
    Caller, CallerKind, EventBatch, FlashOrderRecord, FlashSaleRecord, SessionRecord,
    SessionUpdate, StoreError, TaskRecord,
};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::broadcast;
use utoipa::ToSchema;

use super::tasks::{currency_of, draft_of, status_of};
use super::{App, key_digest, minor_json, require_agent, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::live::sale::{Keyed, OrderRefusal, order_ref, placed_ms};
use crate::live::stream::sale_state;
use crate::live::{FlashSaleLive, SessionLive, StreamItem};

/// Most events in one ingestion request.
pub const MAX_EVENTS_PER_BATCH: usize = 50_000;

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

/// An accepted flash-sale order (`201` of `POST /flash-sales/{id}/orders`).
/// Typed rather than built as a JSON value: this answer is on the hottest path.
#[derive(Debug, serde::Serialize)]
pub struct OrderAck {
    pub order_id: String,
    pub flash_sale_id: String,
    pub buyer_id: String,
    pub product_id: String,
    pub quantity: i64,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub unit_price: rust_decimal::Decimal,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub amount: rust_decimal::Decimal,
    pub currency: String,
    pub remaining: i64,
    pub created_at: String,
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
    Checkout(String),
}

fn ms(t: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.timestamp_millis())
}

fn session_view(task: &TaskRecord, s: &SessionRecord) -> Value {
    let offset = match (&s.scheduled_time, &s.started_at) {
        (Some(sch), Some(st)) => ms(st).zip(ms(sch)).map(|(a, b)| (a - b) / 1000),
        _ => None,
    };
    json!({
        "id": s.id,
        "task_id": task.id,
        "position": s.position,
        "status": s.status,
        "scheduled_time": s.scheduled_time,
        "duration_minutes": s.duration_minutes,
        "week": s.week,
        "theme": s.theme,
        "started_at": s.started_at,
        "ended_at": s.ended_at,
        "start_offset_seconds": offset,
    })
}

impl App {
    /// A session the caller may see: its task's agent or assigned host; else 404.
    pub(crate) async fn session_access(
        &self,
        caller: &Caller,
        id: &str,
    ) -> ApiResult<(TaskRecord, SessionRecord)> {
        let not_found = || ApiError::NotFound(format!("session {id}"));
        let task = match self.store().session_task(id).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        let allowed = match caller.kind {
            CallerKind::Agent => task.agent_id == caller.id,
            CallerKind::Host => task.assigned_human_id.as_deref() == Some(caller.id.as_str()),
        };
        if !allowed {
            return Err(not_found());
        }
        let session = task
            .sessions
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or_else(not_found)?;
        Ok((task, session))
    }

    /// The session's live state, rebuilt from storage the first time.
    pub(crate) async fn live_session(
        &self,
        task: &TaskRecord,
        s: &SessionRecord,
    ) -> ApiResult<Arc<SessionLive>> {
        let runtime = self.live();
        let mut sessions = runtime.sessions.lock().await;
        if let Some(live) = sessions.get(&s.id) {
            return Ok(live.clone());
        }
        let currency = currency_of(task)?;
        let live = Arc::new(SessionLive::new(&s.id, &task.id, &task.agent_id, currency));
        if let Ok(mut t) = live.times.lock() {
            *t = (
                s.started_at.as_deref().and_then(ms),
                s.ended_at.as_deref().and_then(ms),
            );
        }
        {
            let batches = self.store().event_batches(&s.id).await?;
            let msg_ids = self.store().connector_msg_ids(&s.id).await?;
            if let Ok(mut seen) = live.seen_msg_ids.lock() {
                seen.extend(msg_ids);
            }
            let mut agg = live
                .aggregator
                .lock()
                .map_err(|_| anyhow::anyhow!("aggregator poisoned"))?;
            for batch in &batches {
                for line in batch.lines().filter(|l| !l.is_empty()) {
                    let v: Value = serde_json::from_str(line).map_err(anyhow::Error::from)?;
                    let e = live::parse_event(&v, currency)
                        .map_err(|m| anyhow::anyhow!("stored event: {m}"))?;
                    agg.apply(&e);
                }
            }
        }
        for rec in self.store().session_flash_sales(&s.id).await? {
            let orders = self.store().flash_orders(&rec.id).await?;
            {
                let mut agg = live
                    .aggregator
                    .lock()
                    .map_err(|_| anyhow::anyhow!("aggregator poisoned"))?;
                for o in &orders {
                    agg.apply_order(&order_ref(&rec, o, placed_ms(o)));
                }
            }
            let (Some(start), Some(end)) = (ms(&rec.starts_at), ms(&rec.ends_at)) else {
                continue;
            };
            let sale = Arc::new(FlashSaleLive::new(
                rec.clone(),
                start,
                end,
                live.clone(),
                &orders,
            ));
            runtime.add_sale(sale);
        }
        if s.status == "live"
            && let Ok(mut m) = runtime.live.lock()
        {
            m.insert(s.id.clone(), live.clone());
        }
        sessions.insert(s.id.clone(), live.clone());
        Ok(live)
    }

    /// `GET /api/v1/sessions/{id}`.
    pub async fn session(&self, caller: &Caller, id: &str) -> ApiResult<Value> {
        let (task, s) = self.session_access(caller, id).await?;
        Ok(session_view(&task, &s))
    }

    /// Starts a session (agent or assigned host); the first start moves the task
    /// to `in_progress`.
    pub async fn start_session(&self, caller: &Caller, id: &str) -> ApiResult<Value> {
        let (task, s) = self.session_access(caller, id).await?;
        let status = status_of(&task)?;
        let next = status.apply(TaskAction::StartSession)?;
        if s.status != "scheduled" {
            return Err(ApiError::Conflict {
                code: "invalid_state",
                message: format!("session is {}; it can start once", s.status),
            });
        }
        let now = self.now_text();
        let mut change = self.change_for(&task, next);
        change.session = Some(SessionUpdate {
            session_id: id.to_string(),
            expect: vec!["scheduled".into()],
            status: "live".into(),
            started_at: Some(now.clone()),
            ended_at: None,
        });
        self.apply(change, TaskAction::StartSession)
            .await
            .map_err(session_conflict)?;
        let (task, s) = self.session_access(caller, id).await?;
        let live = self.live_session(&task, &s).await?;
        if let Ok(mut t) = live.times.lock() {
            t.0 = ms(&now);
        }
        if let Ok(mut m) = self.live().live.lock() {
            m.insert(id.to_string(), live.clone());
        }
        live.publish("session", json!({"status": "live", "started_at": now}));
        tracing::info!(session_id = id, task_id = %task.id, "session started");
        Ok(session_view(&task, &s))
    }

    /// Ends a live session.
    pub async fn end_session(&self, caller: &Caller, id: &str) -> ApiResult<Value> {
        let (task, s) = self.session_access(caller, id).await?;
        if s.status != "live" {
            return Err(ApiError::Conflict {
                code: "invalid_state",
                message: format!("session is {}; only a live session ends", s.status),
            });
        }
        let now = self.now_text();
        let mut change = self.change_for(&task, status_of(&task)?);
        change.expect = Vec::new();
        change.status = None;
        change.session = Some(SessionUpdate {
            session_id: id.to_string(),
            expect: vec!["live".into()],
            status: "ended".into(),
            started_at: None,
            ended_at: Some(now.clone()),
        });
        self.apply(change, TaskAction::StartSession)
            .await
            .map_err(session_conflict)?;
        let live = self.live_session(&task, &s).await?;
        if let Ok(mut t) = live.times.lock() {
            t.1 = ms(&now);
        }
        if let Ok(mut m) = self.live().live.lock() {
            m.remove(id);
        }
        let metrics = live.metrics(ms(&now).unwrap_or_default());
        live.publish(
            "session",
            json!({"status": "ended", "ended_at": now, "metrics": metrics}),
        );
        tracing::info!(session_id = id, "session ended");
        let (task, s) = self.session_access(caller, id).await?;
        Ok(session_view(&task, &s))
    }

    /// Ingests events: a JSON array or NDJSON, native or TikTok LIVE connector
    /// shapes. Bad events are reported by index and skipped; the accepted ones
    /// are durable before the answer.
    pub async fn ingest(
        &self,
        caller: &Caller,
        id: &str,
        ndjson: bool,
        connector: bool,
        body: &[u8],
    ) -> ApiResult<Value> {
        let (task, s) = self.session_access(caller, id).await?;
        let currency = currency_of(&task)?;
        // Each item keeps its source line (NDJSON): a native event that parses is
        // stored as it came, without being written out again.
        let items: Vec<(Option<&str>, Result<Value, String>)> = if ndjson {
            std::str::from_utf8(body)
                .map_err(|_| ApiError::BadRequest("NDJSON body is not UTF-8".into()))?
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    (
                        Some(l),
                        serde_json::from_str(l).map_err(|e| format!("not JSON: {e}")),
                    )
                })
                .collect()
        } else {
            match crate::extract::parse_json::<Value>(body)? {
                Value::Array(a) => a.into_iter().map(|v| (None, Ok(v))).collect(),
                other @ Value::Object(_) => vec![(None, Ok(other))],
                _ => {
                    return Err(ApiError::field(
                        "",
                        "send a JSON array of events, or NDJSON with Content-Type application/x-ndjson",
                    ));
                }
            }
        };
        if items.len() > MAX_EVENTS_PER_BATCH {
            return Err(ApiError::field(
                "",
                format!("at most {MAX_EVENTS_PER_BATCH} events per request"),
            ));
        }
        // Load (or rebuild) the live state before storing this batch, so a
        // rebuild cannot count it a second time.
        let live = self.live_session(&task, &s).await?;
        let received_ms = self.now().timestamp_millis();
        let mut accepted: Vec<LiveEvent> = Vec::with_capacity(items.len());
        let mut rejected = Vec::new();
        let mut stream_ended = None;
        let mut replayed = 0;
        // Connector message ids taken for this batch: kept (stored with it)
        // if the batch is stored, given back otherwise.
        let mut taken_msg_ids: Vec<String> = Vec::new();
        let mut raw_lines: Vec<&str> = Vec::with_capacity(if connector { 0 } else { items.len() });
        for (index, (line, item)) in items.into_iter().enumerate() {
            let parsed = item.and_then(|v| {
                if connector {
                    let msg = live::connector_msg_id(&v);
                    if let Some(m) = &msg
                        && let Ok(mut seen) = live.seen_msg_ids.lock()
                        && !seen.insert(m.clone())
                    {
                        replayed += 1;
                        return Ok(None);
                    }
                    let mapped = live::map_connector_event_at(&v, currency, received_ms);
                    match (msg, &mapped) {
                        // A message that could not be read may be sent again.
                        (Some(m), Err(_)) => live.forget_msg_ids(std::slice::from_ref(&m)),
                        (Some(m), Ok(_)) => taken_msg_ids.push(m),
                        (None, _) => {}
                    }
                    match mapped? {
                        live::Mapped::Event(e) => Ok(Some(e)),
                        live::Mapped::StreamEnd { ts_ms } => {
                            stream_ended = Some(ts_ms);
                            Ok(None)
                        }
                        live::Mapped::Ignored => Ok(None),
                    }
                } else {
                    live::parse_event(&v, currency).map(Some)
                }
            });
            match parsed {
                Ok(Some(e)) => {
                    accepted.push(e);
                    if let (false, Some(l)) = (connector, line) {
                        raw_lines.push(l);
                    }
                }
                Ok(None) => {}
                Err(error) => rejected.push(json!({"index": index, "error": error})),
            }
        }
        if !accepted.is_empty() {
            let ndjson_text = if raw_lines.len() == accepted.len() {
                let mut text = raw_lines.join("\n");
                text.push('\n');
                text
            } else {
                event_batch(id, &accepted, currency).ndjson
            };
            let stored = self
                .store()
                .append_events(
                    id,
                    accepted.len() as i64,
                    &ndjson_text,
                    &taken_msg_ids,
                    &self.now_text(),
                )
                .await;
            if let Err(e) = stored {
                live.forget_msg_ids(&taken_msg_ids);
                return Err(e.into());
            }
        }
        let duplicates = count_events(&live, &accepted)?;
        Ok(json!({
            "accepted": accepted.len(),
            "duplicates": duplicates + replayed,
            "rejected": rejected,
            "stream_end": stream_ended.is_some(),
        }))
    }

    /// `GET /api/v1/sessions/{id}/metrics`.
    pub async fn session_metrics(&self, caller: &Caller, id: &str) -> ApiResult<Value> {
        let (task, s) = self.session_access(caller, id).await?;
        let live = self.live_session(&task, &s).await?;
        let now_ms = self.now().timestamp_millis();
        let mut m = {
            let live = live.clone();
            tokio::task::spawn_blocking(move || live.metrics(now_ms))
                .await
                .map_err(anyhow::Error::from)?
        };
        m["session_id"] = json!(id);
        m["task_id"] = json!(task.id);
        m["status"] = json!(s.status);
        m["as_of"] = json!(timestamp(self.now()));
        let sales: Vec<Value> = self
            .live()
            .all_sales()
            .iter()
            .filter(|x| x.rec.session_id == id)
            .map(|x| sale_state(x, now_ms))
            .collect();
        m["flash_sale_status"] = Value::Array(sales);
        m["run_of_show"] = self.run_of_show_position(&task, &s, now_ms).await?;
        Ok(m)
    }

    async fn run_of_show_position(
        &self,
        task: &TaskRecord,
        s: &SessionRecord,
        now_ms: i64,
    ) -> ApiResult<Value> {
        let Some((plan, _, _)) = self.store().run_of_show(&task.id).await? else {
            return Ok(Value::Null);
        };
        let Ok(plan) = serde_json::from_value::<RunOfShow>(plan) else {
            return Ok(Value::Null);
        };
        let Some(session_plan) = plan
            .sessions
            .iter()
            .find(|p| i64::from(p.session_index) == s.position)
        else {
            return Ok(Value::Null);
        };
        let Some(started) = s.started_at.as_deref().and_then(ms) else {
            return Ok(json!({"status": "not_started"}));
        };
        let end = s.ended_at.as_deref().and_then(ms).unwrap_or(now_ms);
        let elapsed = ((end - started).max(0) / 60_000) as u32;
        Ok(match ros::position(session_plan, elapsed) {
            Some((index, seg)) => json!({
                "elapsed_minutes": elapsed,
                "segment_index": index,
                "segment": seg,
                "next": session_plan.segments.get(index + 1),
            }),
            None => json!({"elapsed_minutes": elapsed, "status": "past_plan"}),
        })
    }

    /// Subscribes to a session's stream; `last_id` resumes after that item.
    pub async fn subscribe(
        &self,
        caller: &Caller,
        id: &str,
        last_id: Option<u64>,
    ) -> ApiResult<(Value, Vec<StreamItem>, broadcast::Receiver<StreamItem>)> {
        let (task, s) = self.session_access(caller, id).await?;
        let live = self.live_session(&task, &s).await?;
        let (missed, rx) = live.subscribe(last_id);
        let now_ms = self.now().timestamp_millis();
        let snapshot = {
            let live = live.clone();
            tokio::task::spawn_blocking(move || live.metrics(now_ms))
                .await
                .map_err(anyhow::Error::from)?
        };
        Ok((snapshot, missed, rx))
    }

    /// Starts a flash sale in a live session (agent or assigned host).
    pub async fn create_flash_sale(
        &self,
        caller: &Caller,
        session_id: &str,
        body: NewFlashSale,
    ) -> ApiResult<Value> {
        let (task, s) = self.session_access(caller, session_id).await?;
        if s.status != "live" {
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
        if !(1..=1_000_000).contains(&body.stock) {
            errors.push(livehire_domain::FieldError::new(
                "stock",
                "must be from 1 to 1,000,000",
            ));
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
        self.store().create_flash_sale(&rec).await?;
        let live = self.live_session(&task, &s).await?;
        let sale = Arc::new(FlashSaleLive::new(
            rec.clone(),
            now.timestamp_millis(),
            ends.timestamp_millis(),
            live.clone(),
            &[],
        ));
        self.live().add_sale(sale.clone());
        let view = flash_sale_view(&sale, now.timestamp_millis());
        live.publish("flash_sale", sale_state(&sale, now.timestamp_millis()));
        tracing::info!(flash_sale_id = %rec.id, session_id, stock = rec.stock, "flash sale started");
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
        self.live_session(&task, &s).await?;
        self.live()
            .sale(id)
            .ok_or_else(|| ApiError::NotFound(format!("flash sale {id}")))
    }

    /// `GET /api/v1/flash-sales/{id}` (the task's agent or assigned host).
    pub async fn flash_sale(&self, caller: &Caller, id: &str) -> ApiResult<Value> {
        let sale = self.loaded_sale(id).await?;
        self.session_access(caller, &sale.rec.session_id)
            .await
            .map_err(|_| ApiError::NotFound(format!("flash sale {id}")))?;
        Ok(flash_sale_view(&sale, self.now().timestamp_millis()))
    }

    /// The public state of a sale for its overlay token (read-only).
    pub async fn flash_sale_for_overlay(
        &self,
        id: &str,
        token: &str,
    ) -> ApiResult<(Value, Arc<SessionLive>)> {
        let sale = self.loaded_sale(id).await?;
        if !constant_time_eq(sale.rec.overlay_token.as_bytes(), token.as_bytes()) {
            return Err(ApiError::NotFound(format!("flash sale {id}")));
        }
        Ok((
            sale_state(&sale, self.now().timestamp_millis()),
            sale.session.clone(),
        ))
    }

    /// Places an order: reserved in memory, durable before acknowledged.
    pub async fn place_order(
        &self,
        who: &OrderCaller,
        sale_id: &str,
        body: NewOrder,
        key: Option<&str>,
    ) -> ApiResult<OrderAck> {
        let sale = self.loaded_sale(sale_id).await?;
        match who {
            OrderCaller::Agent(c) => {
                // Only the task's agent orders with an account key; to anyone
                // else the sale does not exist. (Held in memory: no read per order.)
                let sees = match c.kind {
                    CallerKind::Agent => sale.session.agent_id == c.id,
                    // Hosts are refused either way; read who is assigned now to
                    // tell 403 from 404.
                    CallerKind::Host => {
                        self.store()
                            .task(&sale.rec.task_id)
                            .await?
                            .assigned_human_id
                            .as_deref()
                            == Some(c.id.as_str())
                    }
                };
                if !sees {
                    return Err(ApiError::NotFound(format!("flash sale {sale_id}")));
                }
                require_agent(c)?;
            }
            OrderCaller::Checkout(session) if *session == sale.rec.session_id => {}
            OrderCaller::Checkout(_) => {
                return Err(ApiError::NotFound(format!("flash sale {sale_id}")));
            }
        }
        let buyer = body.buyer_id.trim().to_string();
        if buyer.is_empty() || buyer.len() > 128 {
            return Err(ApiError::field("buyer_id", "must be 1–128 characters"));
        }
        if !(1..=10_000).contains(&body.quantity) {
            return Err(ApiError::field("quantity", "must be from 1 to 10,000"));
        }
        let outcome = match key {
            None => self.order_once(&sale, &buyer, body.quantity, None).await,
            Some(k) => match sale.keyed(k, &format!("{buyer}:{}", body.quantity)) {
                Keyed::Mismatch => {
                    return Err(ApiError::Conflict {
                        code: "idempotency_key_reused",
                        message: "this Idempotency-Key was used with a different order".into(),
                    });
                }
                Keyed::Cell(cell) => {
                    let out = cell
                        .get_or_init(|| self.order_once(&sale, &buyer, body.quantity, Some(k)))
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
                    order_id: o.order_id,
                    flash_sale_id: o.flash_sale_id,
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
                message: format!("flash sale ended at {}", sale.rec.ends_at),
            }),
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
        key: Option<&str>,
    ) -> Result<(FlashOrderRecord, i64), OrderRefusal> {
        let now = self.now();
        sale.reserve(buyer, quantity, now.timestamp_millis())?;
        let rec = FlashOrderRecord {
            order_id: ids::new_id(ids::ORDER, now, &mut rand::rng()),
            flash_sale_id: sale.rec.id.clone(),
            buyer_id: buyer.to_string(),
            quantity,
            amount_minor: sale.rec.price_minor * quantity,
            idempotency_key: key.map(str::to_string),
            created_at: timestamp(now),
        };
        let placed = now.timestamp_millis();
        let rec = match self.orders().write(rec, sale.clone(), placed).await {
            Ok(rec) => rec,
            Err(e) => {
                sale.release(buyer, quantity);
                return Err(OrderRefusal::Failed(e));
            }
        };
        let remaining = sale.rec.stock - sale.sold();
        if remaining == 0 {
            sale.session
                .publish("sold_out", sale_state(sale, now.timestamp_millis()));
        }
        Ok((rec, remaining))
    }

    /// A page of a flash sale's accepted orders, oldest first (agent):
    /// `limit` 1–1,000 (default 100), `cursor` from the previous page.
    pub async fn flash_sale_orders(
        &self,
        caller: &Caller,
        id: &str,
        limit: Option<&str>,
        cursor: Option<&str>,
    ) -> ApiResult<Value> {
        let sale = self.loaded_sale(id).await?;
        let (task, _) = self
            .session_access(caller, &sale.rec.session_id)
            .await
            .map_err(|_| ApiError::NotFound(format!("flash sale {id}")))?;
        require_agent(caller)?;
        let limit = super::parse_limit_in(limit, 100, 1000)?;
        let after = cursor.map(super::parse_seq_cursor).transpose()?;
        let currency = task.currency.clone();
        let page = self.store().flash_orders_page(id, after, limit).await?;
        let orders: Vec<Value> = page
            .data
            .iter()
            .map(|o| {
                json!({
                    "order_id": o.order_id,
                    "buyer_id": o.buyer_id,
                    "quantity": o.quantity,
                    "amount": minor_json(o.amount_minor, &currency),
                    "created_at": o.created_at,
                })
            })
            .collect();
        Ok(json!({
            "flash_sale_id": id,
            "data": orders,
            "next_cursor": page.next.map(super::seq_cursor),
        }))
    }

    /// Mints a checkout key scoped to one session (agent).
    pub async fn mint_checkout_key(&self, caller: &Caller, session_id: &str) -> ApiResult<Value> {
        let (task, _) = self.session_access(caller, session_id).await?;
        let agent_id = require_agent(caller)?;
        let key = ids::new_key(ids::CHECKOUT_KEY, &mut rand::rng());
        self.store()
            .create_checkout_key(&key_digest(&key), session_id, agent_id, &self.now_text())
            .await?;
        Ok(json!({"api_key": key, "session_id": session_id, "task_id": task.id}))
    }

    /// Resolves a key for the order endpoint: an agent, or a checkout key.
    pub async fn authenticate_order(&self, key: &str) -> ApiResult<OrderCaller> {
        if !key.starts_with(ids::CHECKOUT_KEY) {
            return self.authenticate(key).await.map(OrderCaller::Agent);
        }
        let digest = key_digest(key);
        let cached = self
            .inner
            .checkout_keys
            .read()
            .ok()
            .and_then(|m| m.get(&digest).cloned());
        if let Some(session) = cached {
            return Ok(OrderCaller::Checkout(session));
        }
        let session = self
            .store()
            .checkout_session_by_key(&digest)
            .await?
            .ok_or(ApiError::Unauthorized("unknown or revoked API key"))?;
        if let Ok(mut m) = self.inner.checkout_keys.write() {
            m.insert(digest, session.clone());
        }
        Ok(OrderCaller::Checkout(session))
    }
}

/// Events as one durable batch for a session: canonical NDJSON, the form
/// that [`App::live_session`] replays.
pub(crate) fn event_batch(
    session_id: &str,
    events: &[LiveEvent],
    currency: money::Currency,
) -> EventBatch {
    let mut ndjson = String::with_capacity(events.len() * 96);
    for e in events {
        ndjson.push_str(&live::to_json(e, currency).to_string());
        ndjson.push('\n');
    }
    EventBatch {
        session_id: session_id.to_string(),
        event_count: events.len() as i64,
        ndjson,
    }
}

/// Counts stored events in a session's aggregator; returns how many it had
/// counted already (a repeated order id, …).
pub(crate) fn count_events(live: &SessionLive, events: &[LiveEvent]) -> ApiResult<usize> {
    let mut duplicates = 0;
    let mut agg = live
        .aggregator
        .lock()
        .map_err(|_| anyhow::anyhow!("aggregator poisoned"))?;
    for e in events {
        match agg.apply(e) {
            live::Applied::Counted => {}
            live::Applied::Duplicate => duplicates += 1,
            live::Applied::Rejected(why) => {
                tracing::warn!(session_id = %live.id, why, "stored event not counted")
            }
        }
    }
    Ok(duplicates)
}

fn session_conflict(e: ApiError) -> ApiError {
    match e {
        ApiError::Conflict { message, .. } if message.starts_with("session is") => {
            ApiError::Conflict {
                code: "invalid_state",
                message,
            }
        }
        other => other,
    }
}

/// A flash-sale order as the aggregator sees it.
/// A flash sale as served by the API.
pub fn flash_sale_view(sale: &FlashSaleLive, now_ms: i64) -> Value {
    let mut v = sale_state(sale, now_ms);
    v["price"] = minor_json(sale.rec.price_minor, &sale.rec.currency);
    v["currency"] = json!(sale.rec.currency);
    v["per_buyer_limit"] = json!(sale.rec.per_buyer_limit);
    v["starts_at"] = json!(sale.rec.starts_at);
    v["overlay_url"] = json!(format!(
        "/overlay/flash-sales/{}?token={}",
        sale.rec.id, sale.rec.overlay_token
    ));
    v
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
