//! Domain events (`livehire_domain::events`): built with each change and
//! written in its transaction; one dispatcher reads them in id order and feeds
//! the live stream; `GET /api/v1/events` serves them to the agent and host
//! they concern.

use livehire_domain::ids::{SessionId, TaskId};
use std::time::Duration;

use livehire_domain::events::{self, EventKind};
use livehire_domain::state::TaskAction;
use livehire_store::{Caller, CallerKind, OutboxRecord, TaskChange};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{App, Cursor, FlashSaleState, PageRequest, minor_json};
use crate::error::ApiResult;
use crate::live::FlashSaleLive;

/// Most events on one page of `GET /api/v1/events`.
pub const MAX_EVENTS_PAGE: u32 = 1000;

/// Events on a page when the client names no `limit`.
pub const DEFAULT_EVENTS_PAGE: u32 = 100;

/// A domain event as served by `GET /api/v1/events`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    /// Monotonic: events are served in this order.
    pub id: i64,
    /// `task.assigned`, `session.started`, `flash_sale.sold_out`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The task it is about.
    #[schema(value_type = Option<String>)]
    pub task_id: Option<TaskId>,
    /// The session it is about.
    #[schema(value_type = Option<String>)]
    pub session_id: Option<SessionId>,
    /// What happened, in the API's shapes; its fields depend on `type` (a
    /// flash sale's events carry its state as `GET /api/v1/flash-sales/{id}`
    /// shows it, without price and overlay).
    #[schema(value_type = Object)]
    pub data: Value,
    /// When (RFC 3339).
    pub created_at: String,
}

/// A page of events (`GET /api/v1/events`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventPage {
    /// Oldest first.
    pub data: Vec<EventView>,
    /// Pass back as `cursor` for the events after these (also when there were
    /// none: it marks where to look next).
    pub next_cursor: String,
}

impl App {
    /// The events a task change brings (see `events::of_action`).
    pub(crate) fn task_events(&self, c: &TaskChange, action: TaskAction) -> Vec<OutboxRecord> {
        let session_to = c.session.as_ref().map(|u| {
            (
                u.status.as_str(),
                u.started_at.is_some() && u.ended_at.is_some(),
            )
        });
        let offer_kind = c.offer.as_ref().map(|o| o.kind.as_str());
        let host = c
            .assign
            .clone()
            .or_else(|| c.offer.as_ref().map(|o| o.human_id.clone()))
            .or_else(|| c.human_id.clone());
        events::of_action(action, session_to, offer_kind)
            .into_iter()
            .map(|kind| {
                let data = match kind {
                    EventKind::ApplicationCreated | EventKind::InvitationCreated => {
                        c.offer.as_ref().map_or(Value::Null, |o| {
                            json!({"offer_id": o.id, "human_id": o.human_id, "kind": o.kind,
                                "status": o.status})
                        })
                    }
                    EventKind::InvitationAccepted | EventKind::TaskAssigned => {
                        json!({"human_id": host, "status": c.status})
                    }
                    EventKind::SessionStarted => c.session.as_ref().map_or(Value::Null, |u| {
                        json!({"session_id": u.session_id, "status": "live", "started_at": u.started_at})
                    }),
                    EventKind::SessionEnded => c.session.as_ref().map_or(Value::Null, |u| {
                        json!({"session_id": u.session_id, "status": "ended", "ended_at": u.ended_at})
                    }),
                    EventKind::SubmissionCreated => {
                        json!({"human_id": host, "status": c.status})
                    }
                    EventKind::RevisionRequested => json!({"reason": c.revision}),
                    EventKind::TaskApproved | EventKind::PayoutMade => {
                        c.payout.as_ref().map_or(Value::Null, |p| {
                            json!({"human_id": p.human_id, "total": minor_json(p.total_minor, &p.currency),
                                "currency": p.currency})
                        })
                    }
                    EventKind::TaskRated => c.rating.as_ref().map_or(Value::Null, |r| {
                        json!({"human_id": r.human_id, "overall_rating": r.overall_rating,
                            "tip_amount": minor_json(r.tip_minor, &r.currency), "currency": r.currency})
                    }),
                    _ => json!({"status": c.status}),
                };
                OutboxRecord {
                    id: 0,
                    kind: kind.as_str().to_string(),
                    task_id: Some(c.task_id.clone()),
                    session_id: c.session.as_ref().map(|u| u.session_id.clone()),
                    agent_id: Some(c.agent_id.clone()),
                    human_id: host.clone(),
                    data,
                    dedupe_key: None,
                    created_at: c.now.clone(),
                }
            })
            .collect()
    }

    /// A flash sale's event (`flash_sale.started`, `.sold_out`, `.ended`):
    /// the transitions are recorded once each per sale.
    pub(crate) fn sale_event(&self, kind: EventKind, sale: &FlashSaleLive) -> OutboxRecord {
        let now_ms = self.now().timestamp_millis();
        OutboxRecord {
            id: 0,
            kind: kind.as_str().to_string(),
            task_id: Some(sale.rec.task_id.clone()),
            session_id: Some(sale.rec.session_id.clone()),
            agent_id: Some(sale.session.agent_id.clone()),
            human_id: sale.session.host_id(),
            data: serde_json::to_value(FlashSaleState::of(sale, now_ms)).unwrap_or(Value::Null),
            dedupe_key: Some(format!("{}:{}", kind.as_str(), sale.rec.id)),
            created_at: self.now_text(),
        }
    }

    /// Wakes the dispatcher: events were written.
    pub(crate) fn events_written(&self) {
        self.inner.outbox_ready.notify_one();
        self.inner.webhooks.ready.notify_one();
    }

    /// Records events outside a change's transaction (a sale's transitions)
    /// and wakes the dispatcher; a failure is logged (the next sweep retries
    /// what it can see).
    pub(crate) async fn record_events(&self, events: &[OutboxRecord]) {
        match self.store().append_outbox(events).await {
            Ok(()) => self.events_written(),
            Err(e) => tracing::warn!(error = ?e, "recording domain events failed"),
        }
    }

    /// The events the caller may read, after `page.cursor`, oldest first: an
    /// agent's tasks', or those about a host (`GET /api/v1/events`);
    /// `page.limit` at most [`MAX_EVENTS_PAGE`].
    pub async fn events(&self, caller: &Caller, page: &PageRequest) -> ApiResult<EventPage> {
        let limit = page.limit.min(MAX_EVENTS_PAGE);
        let after = page
            .cursor
            .as_deref()
            .map(Cursor::seq)
            .transpose()?
            .unwrap_or(0);
        let party = match caller.kind {
            CallerKind::Agent => (Some(caller.id.as_str()), None),
            CallerKind::Host => (None, Some(caller.id.as_str())),
        };
        let rows = self.store().outbox_after(after, limit, Some(party)).await?;
        let next = rows.last().map_or(after, |r| r.id);
        Ok(EventPage {
            data: rows
                .into_iter()
                .map(|r| EventView {
                    id: r.id,
                    kind: r.kind,
                    task_id: r.task_id.map(Into::into),
                    session_id: r.session_id.map(Into::into),
                    data: r.data,
                    created_at: r.created_at,
                })
                .collect(),
            next_cursor: Cursor::Seq(next).encode(),
        })
    }

    /// Feeds one event to whoever listens in this process: a session's
    /// stream learns its session's and flash sales' transitions.
    async fn publish_event(&self, e: &OutboxRecord) {
        let Some(kind) = EventKind::parse(&e.kind) else {
            return;
        };
        let Some(session_id) = &e.session_id else {
            return;
        };
        let Some(live) = self.live().sessions.lock().await.get(session_id).cloned() else {
            return;
        };
        let at = |field: &str| {
            e.data[field]
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.timestamp_millis())
        };
        match kind {
            EventKind::SessionStarted => {
                if let (Some(t), Ok(mut times)) = (at("started_at"), live.times.lock()) {
                    times.0 = Some(t);
                }
                live.publish("session", None, &e.data);
            }
            EventKind::SessionEnded => {
                let end = at("ended_at").unwrap_or_else(|| self.now().timestamp_millis());
                // The window closes with the event, whoever sees it first.
                if let Ok(mut times) = live.times.lock() {
                    times.1 = Some(end);
                }
                let mut data = e.data.clone();
                data["metrics"] = live
                    .metrics(end)
                    .and_then(|m| serde_json::to_value(m).ok())
                    .unwrap_or(Value::Null);
                live.publish("session", None, &data);
            }
            EventKind::FlashSaleStarted | EventKind::FlashSaleEnded => {
                live.publish("flash_sale", e.data["id"].as_str(), &e.data);
            }
            EventKind::FlashSaleSoldOut => {
                live.publish("sold_out", e.data["id"].as_str(), &e.data);
            }
            _ => {}
        }
    }

    /// Records `flash_sale.ended` for loaded sales whose countdown is over.
    async fn sweep_ended_sales(&self) {
        let now_ms = self.now().timestamp_millis();
        let due: Vec<OutboxRecord> = self
            .live()
            .all_sales()
            .iter()
            .filter(|s| s.ends_ms() <= now_ms && s.mark_ended())
            .map(|s| self.sale_event(EventKind::FlashSaleEnded, s))
            .collect();
        if !due.is_empty() {
            self.record_events(&due).await;
        }
    }
}

/// The one dispatcher: reads new events in id order, forever, and publishes
/// them; once a second it also records the flash sales that ran out of time.
/// Events written before it started are not published again.
pub(crate) async fn dispatch(app: App) {
    let mut last = match app.store().outbox_last_id().await {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = ?e, "reading the outbox failed; its dispatcher is not running");
            return;
        }
    };
    let mut sweep = tokio::time::interval(Duration::from_secs(1));
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            () = app.inner.outbox_ready.notified() => {}
            _ = sweep.tick() => app.sweep_ended_sales().await,
        }
        loop {
            let rows = match app.store().outbox_after(last, 500, None).await {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(error = ?e, "reading the outbox failed");
                    break;
                }
            };
            let Some(end) = rows.last().map(|r| r.id) else {
                break;
            };
            for r in &rows {
                app.publish_event(r).await;
            }
            last = end;
        }
        app.outbox_dispatched(last);
    }
}
