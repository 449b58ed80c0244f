//! Live sessions: start and end, event ingestion, metrics, the stream.
//! Flash sales, their orders and checkout keys are in `flash_sales`.

use std::sync::Arc;

use chrono::DateTime;
use livehire_domain::live::{self, LiveEvent};
use livehire_domain::money;
use livehire_domain::run_of_show::{self as ros, RunOfShow};
use livehire_domain::state::TaskAction;
use livehire_store::{
    Caller, CallerKind, EventBatch, SessionRecord, SessionUpdate, StoreError, TaskRecord,
};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::tasks::{currency_of, status_of};
use super::{App, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::live::sale::{order_ref, placed_ms};
use crate::live::stream::sale_state;
use crate::live::{FlashSaleLive, SessionLive, StreamItem};

/// Most events in one ingestion request.
pub const MAX_EVENTS_PER_BATCH: usize = 50_000;

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
                .counting()
                .ok_or_else(|| anyhow::anyhow!("aggregator poisoned"))?;
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
                    .counting()
                    .ok_or_else(|| anyhow::anyhow!("aggregator poisoned"))?;
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
        let snapshot = live.snapshot(self.now().timestamp_millis()).await;
        Ok((snapshot, missed, rx))
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
        .counting()
        .ok_or_else(|| anyhow::anyhow!("aggregator poisoned"))?;
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
