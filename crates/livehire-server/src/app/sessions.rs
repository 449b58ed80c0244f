//! Live sessions: start and end, event ingestion (with who sent it and when
//! it may count), imports of recordings, metrics, the stream. Flash sales,
//! their orders and checkout keys are in `flash_sales`. What the client
//! posts is in [`input`], what these operations answer in [`views`].

#[cfg(test)]
mod boundary_tests;
mod follow;
mod input;
mod stream_end;
mod views;

use std::sync::Arc;

use chrono::DateTime;
use livehire_domain::access::Action;
use livehire_domain::events::EventKind;
use livehire_domain::ids::{self, AgentId, SessionId};
use livehire_domain::live::{self, LiveEvent, LiveWindow, Metrics, Provenance, Source};
use livehire_domain::money;
use livehire_domain::run_of_show::{self as ros, RunOfShow};
use livehire_domain::state::TaskAction;
use livehire_store::{
    Caller, CallerKind, EventBatch, FlashOrderRecord, SessionRecord, SessionUpdate, StoreError,
    TaskRecord,
};
use tokio::sync::broadcast;

use super::flash_sales::{session_gmv_limit_minor, session_gmv_limit_words};
use super::tasks::currency_of;
use super::{App, timestamp};
use crate::app::FlashSaleState;
use crate::error::{ApiError, ApiResult};
use crate::live::sale::{order_ref, placed_ms};
use crate::live::{FlashSaleLive, SessionLive, StreamItem};
use livehire_store::SessionStatus;
use stream_end::Delivery;

pub use input::{EventBatchInput, EventFormat, RawEvent};
pub use stream_end::{DEFAULT_STREAM_END_GRACE, end_streams_past_grace_every};
pub use views::{
    FeedView, ImportCount, ImportView, IngestResult, PlanStatus, RejectedEvent, RunOfShowPosition,
    SessionKeyView, SessionMetricsView, SessionView,
};

/// Most events in one ingestion request.
pub const MAX_EVENTS_PER_BATCH: usize = 50_000;

/// Who posts a session's events.
#[derive(Debug, Clone)]
pub enum EventSender {
    /// An account key: the task's agent (verified) or its assigned host
    /// (host-reported).
    Account(Caller),
    /// An ingest key the task's agent issued for one session (verified).
    IngestKey {
        /// The session it is scoped to.
        session_id: SessionId,
        /// The agent who issued it.
        agent_id: AgentId,
    },
}

/// A stored flash sale of session `s` in memory, with its stored orders;
/// `None` if its times are not RFC 3339. It cannot outlive its session.
pub(crate) fn sale_of(
    rec: livehire_store::FlashSaleRecord,
    s: &SessionRecord,
    live: Arc<SessionLive>,
    orders: &[FlashOrderRecord],
) -> Option<FlashSaleLive> {
    let (start, end) = (ms(&rec.starts_at)?, ms(&rec.ends_at)?);
    let end = s
        .ended_at
        .as_deref()
        .and_then(ms)
        .map_or(end, |e| end.min(e));
    Some(FlashSaleLive::new(rec, start, end, live, orders))
}

fn ms(t: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.timestamp_millis())
}

impl App {
    /// The session's live state, rebuilt from storage the first time: its
    /// stored event batches counted under their senders' provenance, its
    /// flash sales with their orders (verified), what is reserved of the GMV
    /// limit, and whether its task is settled.
    pub(crate) async fn live_session(
        &self,
        task: &TaskRecord,
        s: &SessionRecord,
    ) -> ApiResult<Arc<SessionLive>> {
        let runtime = self.live();
        let mut sessions = runtime.sessions.lock().await;
        if let Some(live) = sessions.get(&s.id) {
            let live = live.clone();
            drop(sessions);
            // On a shared store, what other instances stored since counts too.
            self.follow_session(&live).await?;
            return Ok(live);
        }
        let currency = currency_of(task)?;
        let live = Arc::new(SessionLive::new(&s.id, &task.id, &task.agent_id, currency));
        live.set_host(task.assigned_human_id.as_deref());
        let ended_ms = s.ended_at.as_deref().and_then(ms);
        if let Ok(mut t) = live.times.lock() {
            *t = (s.started_at.as_deref().and_then(ms), ended_ms);
        }
        if let Ok(mut settled) = live.settled.try_write() {
            *settled = is_settled(task);
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
                follow::count_batch(&mut agg, batch, currency)?;
            }
            if let Ok(mut f) = live.follow.try_lock() {
                f.batches_after = batches.last().map_or(0, |b| b.seq);
            }
        }
        let now_ms = self.now().timestamp_millis();
        let mut unsold_minor: i128 = 0;
        for rec in self.store().session_flash_sales(&s.id).await? {
            let (orders, last) = self.stored_orders(&rec.id).await?;
            if let Ok(mut f) = live.follow.try_lock() {
                let units = orders.iter().map(|o| o.quantity).sum();
                f.orders_after.insert(rec.id.clone(), (last, units));
            }
            {
                let mut agg = live
                    .counting()
                    .ok_or_else(|| anyhow::anyhow!("aggregator poisoned"))?;
                for o in &orders {
                    agg.apply_order(&order_ref(&rec, o, placed_ms(o)), Provenance::Verified);
                }
            }
            let price_minor = rec.price_minor;
            let stock = rec.stock;
            let Some(sale) = sale_of(rec, s, live.clone(), &orders) else {
                continue;
            };
            let sale = Arc::new(sale);
            if sale.ends_ms() > now_ms {
                unsold_minor += i128::from(price_minor) * i128::from(stock - sale.sold());
            }
            runtime.add_sale(sale);
        }
        {
            let (verified, host) = match live.aggregator.lock() {
                Ok(agg) => (
                    agg.gross_order_minor(Provenance::Verified),
                    agg.gross_order_minor(Provenance::HostReported),
                ),
                Err(_) => (0, 0),
            };
            live.reserve_gmv_unchecked(Provenance::Verified, verified + unsold_minor);
            live.reserve_gmv_unchecked(Provenance::HostReported, host);
        }
        if s.status == SessionStatus::Live
            && let Ok(mut m) = runtime.live.lock()
        {
            m.insert(s.id.clone(), live.clone());
        }
        sessions.insert(s.id.clone(), live.clone());
        Ok(live)
    }

    /// Every stored order of a flash sale, oldest first, and the position
    /// of the last (0 when there is none).
    async fn stored_orders(&self, sale_id: &str) -> ApiResult<(Vec<FlashOrderRecord>, i64)> {
        const PAGE: u32 = 16_384;
        let (mut orders, mut last) = (Vec::new(), 0);
        loop {
            let rows = self.store().flash_orders_since(sale_id, last, PAGE).await?;
            let full = rows.len() == PAGE as usize;
            for (position, order) in rows {
                last = position;
                orders.push(order);
            }
            if !full {
                return Ok((orders, last));
            }
        }
    }

    /// `GET /api/v1/sessions/{id}`.
    pub async fn session(&self, caller: &Caller, id: &SessionId) -> ApiResult<SessionView> {
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        Ok(SessionView::of(&task, &s))
    }

    /// Starts a session (agent or assigned host); the first start moves the task
    /// to `in_progress`.
    pub async fn start_session(&self, caller: &Caller, id: &SessionId) -> ApiResult<SessionView> {
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        let status = task.status;
        let next = status.apply(TaskAction::StartSession)?;
        if s.status != SessionStatus::Scheduled {
            return Err(ApiError::Conflict {
                code: "invalid_state",
                message: format!("session is {}; it can start once", s.status),
            });
        }
        let now = self.now_text();
        let mut change = self.change_for(&task, next);
        change.session = Some(SessionUpdate {
            session_id: id.to_string(),
            expect: vec![SessionStatus::Scheduled],
            status: SessionStatus::Live,
            started_at: Some(now.clone()),
            ended_at: None,
        });
        self.apply(change, TaskAction::StartSession)
            .await
            .map_err(session_conflict)?;
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        let live = self.live_session(&task, &s).await?;
        if let Ok(mut t) = live.times.lock() {
            t.0 = ms(&now);
        }
        live.set_host(task.assigned_human_id.as_deref());
        if let Ok(mut m) = self.live().live.lock() {
            m.insert(id.to_string(), live.clone());
        }
        tracing::info!(session_id = id.as_str(), task_id = %task.id, "session started");
        Ok(SessionView::of(&task, &s))
    }

    /// Ends a live session.
    pub async fn end_session(&self, caller: &Caller, id: &SessionId) -> ApiResult<SessionView> {
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        self.finish_session(&task, &s, &self.now_text()).await?;
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        Ok(SessionView::of(&task, &s))
    }

    /// Ends live session `s` of `task` at `ended_at` (RFC 3339): now when the
    /// agent or host ends it, the stream's end when it ends by itself. Its
    /// running flash sales end with it.
    pub(crate) async fn finish_session(
        &self,
        task: &TaskRecord,
        s: &SessionRecord,
        ended_at: &str,
    ) -> ApiResult<()> {
        if s.status != SessionStatus::Live {
            return Err(ApiError::Conflict {
                code: "invalid_state",
                message: format!("session is {}; only a live session ends", s.status),
            });
        }
        // Held (and, on a shared store, read up to now) while still live,
        // so its sales are held with their own countdowns.
        let live = self.live_session(task, s).await?;
        let mut change = self.change_for(task, task.status);
        change.expect = Vec::new();
        change.status = None;
        change.session = Some(SessionUpdate {
            session_id: s.id.clone(),
            expect: vec![SessionStatus::Live],
            status: SessionStatus::Ended,
            started_at: None,
            ended_at: Some(ended_at.to_string()),
        });
        self.apply(change, TaskAction::StartSession)
            .await
            .map_err(session_conflict)?;
        let end_ms = ms(ended_at).unwrap_or_default();
        if let Ok(mut t) = live.times.lock() {
            t.1 = Some(end_ms);
        }
        if let Ok(mut m) = self.live().live.lock() {
            m.remove(s.id.as_str());
        }
        // Its running flash sales end with it; orders already reserved are
        // stored (or released) before the session's figures are final.
        let mut ended = Vec::new();
        for sale in self.live().all_sales() {
            if sale.rec.session_id != s.id {
                continue;
            }
            // (Reading the session back from a shared store may have closed
            // it already; its end is still this call's to record.)
            sale.close(end_ms);
            if sale.running_at(end_ms) {
                sale.drain(std::time::Duration::from_secs(5)).await;
                if sale.mark_ended() {
                    ended.push(self.sale_event(EventKind::FlashSaleEnded, &sale));
                }
            }
        }
        if !ended.is_empty() {
            self.record_events(&ended).await;
        }
        tracing::info!(session_id = s.id.as_str(), ended_at, "session ended");
        Ok(())
    }

    /// Resolves a key for the events endpoint: an account key, or an ingest
    /// key (`ph_ik_…`) the task's agent issued for one session.
    pub async fn authenticate_events(&self, key: &str) -> ApiResult<EventSender> {
        if !key.starts_with(ids::INGEST_KEY) {
            return self.authenticate(key).await.map(EventSender::Account);
        }
        let k = self.session_key(key, "ingest").await?;
        Ok(EventSender::IngestKey {
            session_id: k.session_id.into(),
            agent_id: k.agent_id.into(),
        })
    }

    /// Mints an ingest key scoped to one session's events (agent): what the
    /// agent's connector bridge posts with, so its events count as verified.
    pub async fn mint_ingest_key(
        &self,
        caller: &Caller,
        session_id: &SessionId,
    ) -> ApiResult<SessionKeyView> {
        self.mint_session_key(caller, session_id, "ingest", ids::INGEST_KEY)
            .await
    }

    /// The session an event sender may post to, and who it counts as.
    async fn event_access(
        &self,
        sender: &EventSender,
        id: &SessionId,
    ) -> ApiResult<(TaskRecord, SessionRecord, Source, String)> {
        match sender {
            EventSender::Account(caller) => {
                let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
                let source = match caller.kind {
                    CallerKind::Host => Source::Host,
                    CallerKind::Agent => Source::Agent,
                };
                Ok((task, s, source, caller.id.clone()))
            }
            EventSender::IngestKey {
                session_id,
                agent_id,
            } => {
                let not_found = || ApiError::NotFound(format!("session {id}"));
                if session_id != id {
                    return Err(not_found());
                }
                let task = self.store().session_task(id).await?;
                if task.agent_id != agent_id.as_str() {
                    return Err(not_found());
                }
                let s = task
                    .sessions
                    .iter()
                    .find(|x| x.id == id.as_str())
                    .cloned()
                    .ok_or_else(not_found)?;
                Ok((task, s, Source::IngestKey, agent_id.to_string()))
            }
        }
    }

    /// Ingests a batch of events, native or TikTok LIVE connector shapes.
    /// Each event is stored with who sent it (host-reported or verified) and
    /// counts only inside the session's live window; bad or out-of-window
    /// events are reported by index and skipped. The accepted ones are
    /// durable before the answer. 409 `session_settled` once the task is
    /// approved or cancelled.
    pub async fn ingest(
        &self,
        sender: &EventSender,
        id: &SessionId,
        batch: EventBatchInput,
    ) -> ApiResult<IngestResult> {
        let (task, s, source, source_id) = self.event_access(sender, id).await?;
        let provenance = source.provenance();
        let currency = currency_of(&task)?;
        let connector = batch.format == EventFormat::TikTokLiveConnector;
        let format = batch.format;
        let items = batch.items;
        if items.len() > MAX_EVENTS_PER_BATCH {
            return Err(ApiError::field(
                "",
                format!("at most {MAX_EVENTS_PER_BATCH} events per request"),
            ));
        }
        // Load (or rebuild) the live state before storing this batch, so a
        // rebuild cannot count it a second time.
        let live = self.live_session(&task, &s).await?;
        let settled = live.settled.read().await;
        if *settled || is_settled(&task) {
            return Err(session_settled(&task));
        }
        let now_ms = self.now().timestamp_millis();
        let window = live_window(&s);
        let closed = window.intake(now_ms).err();
        let mut accepted: Vec<(usize, LiveEvent, Option<String>)> = Vec::with_capacity(items.len());
        let mut rejected: Vec<RejectedEvent> = Vec::new();
        // The earliest stream end the batch reports, and its latest event
        // stamped with a time of its own (evidence that the stream is on).
        let mut stream_ended: Option<i64> = None;
        let mut latest_own_ts: Option<i64> = None;
        let mut replayed = 0;
        // Connector message ids taken for this batch: kept (stored with it)
        // if the batch is stored, given back otherwise.
        let mut taken_msg_ids: Vec<String> = Vec::new();
        for (index, RawEvent { line, value }) in items.into_iter().enumerate() {
            let parsed = value.and_then(|v| {
                if !connector {
                    return live::parse_event(&v, currency).map(|e| Some((e, true)));
                }
                let msg = live::connector_msg_id(&v);
                if let Some(m) = &msg
                    && let Ok(mut seen) = live.seen_msg_ids.lock()
                    && !seen.insert(m.clone())
                {
                    replayed += 1;
                    return Ok(None);
                }
                let mapped = live::map_connector_event_at(&v, currency, now_ms);
                let counted = matches!(&mapped, Ok(live::Mapped::Event(e))
                    if closed.is_none() && window.admit(e.ts_ms, now_ms).is_ok());
                match msg {
                    // A message not stored may be sent again.
                    Some(m) if counted => taken_msg_ids.push(m),
                    Some(m) => live.forget_msg_ids(std::slice::from_ref(&m)),
                    None => {}
                }
                match mapped? {
                    live::Mapped::Event(e) => Ok(Some((e, live::connector_event_ts(&v).is_some()))),
                    live::Mapped::StreamEnd { ts_ms } => {
                        let at = ts_ms.unwrap_or(now_ms);
                        stream_ended = Some(stream_ended.map_or(at, |t: i64| t.min(at)));
                        Ok(None)
                    }
                    live::Mapped::Ignored => Ok(None),
                }
            });
            let checked = parsed.and_then(|e| match (e, &closed) {
                (None, _) => Ok(None),
                (Some(_), Some(why)) => Err(why.clone()),
                (Some((e, own)), None) => window.admit(e.ts_ms, now_ms).map(|()| Some((e, own))),
            });
            match checked {
                Ok(Some((e, own))) => {
                    if own {
                        latest_own_ts = latest_own_ts.max(Some(e.ts_ms));
                    }
                    accepted.push((index, e, line.filter(|_| !connector)));
                }
                Ok(None) => {}
                Err(error) => rejected.push(RejectedEvent { index, error }),
            }
        }
        // Orders past the session's GMV limit for this provenance are refused.
        let amounts: Vec<i64> = accepted
            .iter()
            .filter_map(|(_, e, _)| order_amount(e))
            .collect();
        let fits = live.reserve_gmv(provenance, &amounts, session_gmv_limit_minor(currency));
        let mut reserved: i128 = 0;
        let mut fit = fits.into_iter();
        accepted.retain(|(index, e, _)| {
            let Some(amount) = order_amount(e) else {
                return true;
            };
            if fit.next().unwrap_or(false) {
                reserved += i128::from(amount);
                return true;
            }
            rejected.push(RejectedEvent {
                index: *index,
                error: format!(
                    "order.amount: would take the session's {} GMV past {}",
                    provenance_words(provenance),
                    session_gmv_limit_words(currency)
                ),
            });
            false
        });
        let events: Vec<LiveEvent> = accepted.iter().map(|(_, e, _)| e.clone()).collect();
        if !events.is_empty() {
            let batch = EventBatch {
                session_id: id.to_string(),
                event_count: events.len() as i64,
                ndjson: stored_lines(&accepted, currency),
                source: source.as_str().to_string(),
                source_id: Some(source_id),
                msg_ids: taken_msg_ids,
            };
            // On a shared store the batch is counted here, not again when
            // this instance reads the session's batches back.
            let mut follow = match self.store().shared() {
                true => Some(live.follow.lock().await),
                false => None,
            };
            match self.store().append_events(&batch, &self.now_text()).await {
                Ok(seq) => {
                    if let Some(f) = follow.as_mut() {
                        f.counted_here.insert(seq);
                    }
                }
                Err(e) => {
                    live.forget_msg_ids(&batch.msg_ids);
                    live.release_gmv(provenance, reserved);
                    return Err(match e {
                        StoreError::Conflict(m) if m == "session_settled" => session_settled(&task),
                        other => other.into(),
                    });
                }
            }
        }
        let duplicates = count_events(&live, &events, provenance)?;
        metrics::counter!("livehire_live_events_ingested_total").increment(events.len() as u64);
        drop(settled);
        let delivery = Delivery {
            source,
            format,
            now_ms,
            stream_ended,
            latest_own_ts,
        };
        self.after_delivery(&s, &delivery).await?;
        rejected.sort_by_key(|r| r.index);
        Ok(IngestResult {
            accepted: events.len(),
            duplicates: duplicates + replayed,
            rejected,
            stream_end: stream_ended.is_some(),
            source,
            provenance,
        })
    }

    /// Imports a recording of a session that never went live here (agent):
    /// native events, every one valid, which define the session's window
    /// (first to last event). The session ends with it; its events count as
    /// verified.
    pub async fn import_recording(
        &self,
        caller: &Caller,
        id: &SessionId,
        recording: EventBatchInput,
    ) -> ApiResult<ImportView> {
        let (task, s, _) = self.session_for(caller, id, Action::ManageSession).await?;
        let next = task.status.apply(TaskAction::StartSession)?;
        if s.status != SessionStatus::Scheduled {
            return Err(ApiError::Conflict {
                code: "invalid_state",
                message: format!(
                    "session is {}; only a session that never went live takes an import",
                    s.status
                ),
            });
        }
        let currency = currency_of(&task)?;
        if recording.format != EventFormat::Native {
            return Err(ApiError::field(
                "format",
                "a recording is imported as native events",
            ));
        }
        let items = recording.items;
        if items.len() > MAX_EVENTS_PER_BATCH {
            return Err(ApiError::field(
                "",
                format!("at most {MAX_EVENTS_PER_BATCH} events per request"),
            ));
        }
        let mut events = Vec::with_capacity(items.len());
        let mut errors = Vec::new();
        for (index, item) in items.into_iter().enumerate() {
            match item.value.and_then(|v| live::parse_event(&v, currency)) {
                Ok(e) => events.push(e),
                Err(m) => errors.push(livehire_domain::FieldError::new(format!("[{index}]"), m)),
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let now_ms = self.now().timestamp_millis();
        let posted_ms = ms(&task.created_at).unwrap_or(now_ms);
        let window = LiveWindow::of_import(events.iter().map(|e| e.ts_ms), posted_ms, now_ms)
            .map_err(|m| ApiError::field("", m))?;
        let live = self.live_session(&task, &s).await?;
        let settled = live.settled.read().await;
        if *settled || is_settled(&task) {
            return Err(session_settled(&task));
        }
        let amounts: Vec<i64> = events.iter().filter_map(order_amount).collect();
        let reserved: i128 = amounts.iter().map(|a| i128::from(*a)).sum();
        let limit = session_gmv_limit_minor(currency);
        let whole = [i64::try_from(reserved).unwrap_or(i64::MAX)];
        if !live.reserve_gmv(Provenance::Verified, &whole, limit)[0] {
            return Err(ApiError::field(
                "",
                format!(
                    "the recording's orders would take the session's GMV past {}",
                    session_gmv_limit_words(currency)
                ),
            ));
        }
        let (start, end) = (
            window.started_ms.unwrap_or(now_ms),
            window.ended_ms.unwrap_or(now_ms),
        );
        let text = |t: i64| DateTime::from_timestamp_millis(t).map(timestamp);
        let mut change = self.change_for(&task, next);
        change.session = Some(SessionUpdate {
            session_id: id.to_string(),
            expect: vec![SessionStatus::Scheduled],
            status: SessionStatus::Ended,
            started_at: text(start),
            ended_at: text(end),
        });
        let mut batch = event_batch(id, &events, currency);
        batch.source = Source::Import.as_str().to_string();
        batch.source_id = Some(caller.id.clone());
        change.events = Some(batch);
        // On a shared store the recording is counted here, not again when
        // this instance reads the session's batches back: a session that
        // never went live has no batch but this one.
        let mut follow = match self.store().shared() {
            true => Some(live.follow.lock().await),
            false => None,
        };
        if let Err(e) = self.apply(change, TaskAction::StartSession).await {
            live.release_gmv(Provenance::Verified, reserved);
            return Err(session_conflict(e));
        }
        if let Some(f) = follow.as_mut() {
            for b in self
                .store()
                .event_batches_since(id, f.batches_after)
                .await?
            {
                f.counted_here.insert(b.seq);
            }
        }
        drop(follow);
        let duplicates = count_events(&live, &events, Provenance::Verified)?;
        if let Ok(mut t) = live.times.lock() {
            *t = (Some(start), Some(end));
        }
        drop(settled);
        tracing::info!(
            session_id = id.as_str(),
            events = events.len(),
            "recording imported"
        );
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        Ok(ImportView {
            session: SessionView::of(&task, &s),
            imported: ImportCount {
                accepted: events.len(),
                duplicates,
            },
        })
    }

    /// `GET /api/v1/sessions/{id}/metrics`.
    pub async fn session_metrics(
        &self,
        caller: &Caller,
        id: &SessionId,
    ) -> ApiResult<SessionMetricsView> {
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        let live = self.live_session(&task, &s).await?;
        let now_ms = self.now().timestamp_millis();
        let metrics = {
            let live = live.clone();
            tokio::task::spawn_blocking(move || live.metrics(now_ms))
                .await
                .map_err(anyhow::Error::from)?
                .ok_or_else(|| anyhow::anyhow!("aggregator poisoned"))?
        };
        let flash_sale_status = self
            .live()
            .all_sales()
            .iter()
            .filter(|x| x.rec.session_id == id.as_str())
            .map(|x| FlashSaleState::of(x, now_ms))
            .collect();
        let run_of_show = self.run_of_show_position(&task, &s, now_ms).await?;
        Ok(SessionMetricsView {
            metrics,
            session_id: id.to_string().into(),
            task_id: task.id.into(),
            stream_ended_at: s.stream_ended_at.clone(),
            feed: FeedView::of(&s),
            status: s.status,
            as_of: timestamp(self.now()),
            flash_sale_status,
            run_of_show,
        })
    }

    /// Where session `id` stands against its task's run of show now (what
    /// `GET …/metrics` reports as `run_of_show`), without the figures.
    pub async fn run_of_show_now(
        &self,
        caller: &Caller,
        id: &SessionId,
    ) -> ApiResult<Option<RunOfShowPosition>> {
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        self.run_of_show_position(&task, &s, self.now().timestamp_millis())
            .await
    }

    async fn run_of_show_position(
        &self,
        task: &TaskRecord,
        s: &SessionRecord,
        now_ms: i64,
    ) -> ApiResult<Option<RunOfShowPosition>> {
        let Some((plan, _, _)) = self.store().run_of_show(&task.id).await? else {
            return Ok(None);
        };
        let Ok(plan) = serde_json::from_value::<RunOfShow>(plan) else {
            return Ok(None);
        };
        let Some(session_plan) = plan
            .sessions
            .iter()
            .find(|p| i64::from(p.session_index) == s.position)
        else {
            return Ok(None);
        };
        let Some(started) = s.started_at.as_deref().and_then(ms) else {
            return Ok(Some(RunOfShowPosition::NotStarted {
                status: PlanStatus::NotStarted,
            }));
        };
        let end = s.ended_at.as_deref().and_then(ms).unwrap_or(now_ms);
        let elapsed_minutes = ((end - started).max(0) / 60_000) as u32;
        Ok(Some(match ros::position(session_plan, elapsed_minutes) {
            Some((index, seg)) => RunOfShowPosition::InSegment {
                elapsed_minutes,
                segment_index: index,
                segment: seg.clone(),
                next: session_plan.segments.get(index + 1).cloned(),
            },
            None => RunOfShowPosition::PastPlan {
                elapsed_minutes,
                status: PlanStatus::PastPlan,
            },
        }))
    }

    /// Subscribes to a session's stream; `last_id` resumes after that item.
    /// Answers the first `metrics` snapshot, the items after `last_id` still
    /// kept, and the live feed.
    pub async fn subscribe(
        &self,
        caller: &Caller,
        id: &SessionId,
        last_id: Option<u64>,
    ) -> ApiResult<(
        Arc<Metrics>,
        Vec<StreamItem>,
        broadcast::Receiver<StreamItem>,
    )> {
        let (task, s, _) = self.session_for(caller, id, Action::RunSession).await?;
        let live = self.live_session(&task, &s).await?;
        let (missed, rx) = live.subscribe(last_id);
        let snapshot = live
            .snapshot(self.now().timestamp_millis())
            .await
            .ok_or_else(|| anyhow::anyhow!("aggregator poisoned"))?;
        Ok((snapshot, missed, rx))
    }
}

/// Events as one durable batch for a session: canonical NDJSON, the form
/// that [`App::live_session`] replays. The caller names the source.
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
        ..EventBatch::default()
    }
}

/// Longest posted line stored as it came; longer ones (unknown fields) are
/// stored in canonical form, so storage grows only by what counts.
const MAX_STORED_LINE: usize = 16 * 1024;

/// The NDJSON to store for accepted events: each native line as it came when
/// short enough, else the event's canonical form.
fn stored_lines(
    accepted: &[(usize, LiveEvent, Option<String>)],
    currency: money::Currency,
) -> String {
    let mut text = String::with_capacity(accepted.len() * 96);
    for (_, e, line) in accepted {
        match line.as_deref() {
            Some(l) if l.len() <= MAX_STORED_LINE => text.push_str(l.trim()),
            _ => text.push_str(&live::to_json(e, currency).to_string()),
        }
        text.push('\n');
    }
    text
}

/// Counts stored events in a session's aggregator under their provenance;
/// returns how many it had counted already (a repeated order id, …).
pub(crate) fn count_events(
    live: &SessionLive,
    events: &[LiveEvent],
    provenance: Provenance,
) -> ApiResult<usize> {
    let mut duplicates = 0;
    let mut agg = live
        .counting()
        .ok_or_else(|| anyhow::anyhow!("aggregator poisoned"))?;
    for e in events {
        match agg.apply(e, provenance) {
            live::Applied::Counted => {}
            live::Applied::Duplicate => duplicates += 1,
            live::Applied::Rejected(why) => {
                tracing::warn!(session_id = %live.id, why, "stored event not counted")
            }
        }
    }
    Ok(duplicates)
}

/// An order event's amount, minor units.
fn order_amount(e: &LiveEvent) -> Option<i64> {
    match &e.body {
        live::EventBody::Order { amount_minor, .. } => Some(*amount_minor),
        _ => None,
    }
}

fn provenance_words(p: Provenance) -> &'static str {
    match p {
        Provenance::Verified => "verified",
        Provenance::HostReported => "host-reported",
    }
}

/// A session's live window as stored.
pub(crate) fn live_window(s: &SessionRecord) -> LiveWindow {
    LiveWindow {
        started_ms: s.started_at.as_deref().and_then(ms),
        ended_ms: s.ended_at.as_deref().and_then(ms),
    }
}

/// Whether a task's sessions are frozen: approved (paid) or cancelled.
pub(crate) fn is_settled(task: &TaskRecord) -> bool {
    matches!(task.status.as_str(), "approved" | "cancelled")
}

/// 409 `session_settled`: the task is settled, its sessions' figures final.
pub(crate) fn session_settled(task: &TaskRecord) -> ApiError {
    ApiError::Conflict {
        code: "session_settled",
        message: format!(
            "task {} is {}; its sessions' figures are final and take no more events",
            task.id, task.status
        ),
    }
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
