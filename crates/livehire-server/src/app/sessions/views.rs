//! What the session operations answer: the session, an ingestion's outcome,
//! an import, the metrics with where the session stands, a session-scoped key.

use livehire_domain::ids::{SessionId, TaskId};
use livehire_domain::live::{Metrics, Provenance, Source};
use livehire_domain::run_of_show::Segment;
use livehire_store::{SessionRecord, TaskRecord};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::FlashSaleState;

/// A live session of a task.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SessionView {
    /// `ph_sess_…`.
    pub id: String,
    /// The task it belongs to.
    #[schema(value_type = String)]
    pub task_id: TaskId,
    /// Its place in the task, from 0.
    pub position: i64,
    /// `scheduled`, `live` or `ended`.
    pub status: livehire_store::SessionStatus,
    /// When it is planned to start (RFC 3339).
    pub scheduled_time: Option<String>,
    /// Its planned length.
    pub duration_minutes: i64,
    /// The week of a series entry.
    pub week: Option<i64>,
    /// The theme of a series entry.
    pub theme: Option<String>,
    /// When it went live (RFC 3339).
    pub started_at: Option<String>,
    /// When it ended (RFC 3339).
    pub ended_at: Option<String>,
    /// Seconds between the scheduled and the actual start (negative when
    /// early); null until both are known.
    pub start_offset_seconds: Option<i64>,
    /// When a TikTok LIVE connector reported the host's stream ended (RFC
    /// 3339). While the session is live it ends by itself at this time, unless
    /// the host is back within the server's grace (then this is null again).
    pub stream_ended_at: Option<String>,
    /// Who feeds the session through a connector or an ingest key, and when
    /// it last sent; null when nothing has.
    pub feed: Option<FeedView>,
}

/// The last delivery of a connector (`?format=tiktok-live-connector`) or an
/// ingest key (`ph_ik_…`, the agent's bridge) to a session: whether a bridge
/// is feeding it, and how recently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FeedView {
    /// Who sent it: `ingest_key` (the agent's bridge), `agent` or `host`.
    #[schema(example = "ingest_key")]
    pub source: String,
    /// How its events were shaped: `tiktok-live-connector` or `native`.
    #[schema(example = "tiktok-live-connector")]
    pub format: String,
    /// When it arrived (RFC 3339; a busy feed's time is written at most once
    /// a second).
    pub last_sent_at: String,
}

impl FeedView {
    /// A stored session's feed.
    pub(crate) fn of(s: &SessionRecord) -> Option<FeedView> {
        s.feed.as_ref().map(|f| FeedView {
            source: f.source.clone(),
            format: f.format.clone(),
            last_sent_at: f.last_at.clone(),
        })
    }
}

impl SessionView {
    /// A stored session of `task` as served.
    pub(crate) fn of(task: &TaskRecord, s: &SessionRecord) -> Self {
        let offset = match (&s.scheduled_time, &s.started_at) {
            (Some(sch), Some(st)) => super::ms(st)
                .zip(super::ms(sch))
                .map(|(a, b)| (a - b) / 1000),
            _ => None,
        };
        SessionView {
            id: s.id.clone(),
            task_id: task.id.clone().into(),
            position: s.position,
            status: s.status,
            scheduled_time: s.scheduled_time.clone(),
            duration_minutes: s.duration_minutes,
            week: s.week,
            theme: s.theme.clone(),
            started_at: s.started_at.clone(),
            ended_at: s.ended_at.clone(),
            start_offset_seconds: offset,
            stream_ended_at: s.stream_ended_at.clone(),
            feed: FeedView::of(s),
        }
    }
}

/// An event of a batch that was not counted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RejectedEvent {
    /// Its index in the batch, from 0.
    pub index: usize,
    /// Why: not JSON, a bad field, outside the session's window, past the
    /// session's GMV limit.
    pub error: String,
}

/// What an ingestion counted (`POST /api/v1/sessions/{id}/events`). The
/// accepted events are durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct IngestResult {
    /// Events stored and counted.
    pub accepted: usize,
    /// Events counted already (a repeated order or message id, a connector's
    /// replay).
    pub duplicates: usize,
    /// Events not counted, by index.
    pub rejected: Vec<RejectedEvent>,
    /// Whether the connector reported the stream's end (recorded on the
    /// session as `stream_ended_at`; it ends by itself after the server's
    /// grace unless the host is back).
    pub stream_end: bool,
    /// Who sent the batch.
    pub source: Source,
    /// What its figures count as.
    pub provenance: Provenance,
}

/// What an import counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportCount {
    /// Events stored and counted.
    pub accepted: usize,
    /// Events counted already (a repeated order or message id).
    pub duplicates: usize,
}

/// An imported session (`POST /api/v1/sessions/{id}/import`): the session,
/// now `ended`, and what the import counted.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportView {
    /// The session.
    #[serde(flatten)]
    pub session: SessionView,
    /// What the recording counted.
    pub imported: ImportCount,
}

/// A session-scoped key (`ph_ck_…` checkout, `ph_ik_…` ingest), shown only
/// when it is minted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SessionKeyView {
    /// The key.
    pub api_key: String,
    /// The session it is scoped to.
    #[schema(value_type = String)]
    pub session_id: SessionId,
    /// The session's task.
    #[schema(value_type = String)]
    pub task_id: TaskId,
}

/// A session's metrics as served by `GET /api/v1/sessions/{id}/metrics`:
/// the figures of every event, then the session, its flash sales and where
/// it stands in the run of show.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SessionMetricsView {
    /// The figures.
    #[serde(flatten)]
    pub metrics: Metrics,
    /// The session.
    #[schema(value_type = String)]
    pub session_id: SessionId,
    /// Its task.
    #[schema(value_type = String)]
    pub task_id: TaskId,
    /// `scheduled`, `live` or `ended`.
    pub status: livehire_store::SessionStatus,
    /// When a connector reported the host's stream ended (see the session);
    /// null when none did, or the host came back.
    pub stream_ended_at: Option<String>,
    /// Who feeds the session through a connector or an ingest key, and when
    /// it last sent (compare with `as_of`); null when nothing has.
    pub feed: Option<FeedView>,
    /// When the figures were taken (RFC 3339).
    pub as_of: String,
    /// The session's flash sales now.
    pub flash_sale_status: Vec<FlashSaleState>,
    /// Where the session stands in the task's run of show; null without a plan
    /// for it.
    pub run_of_show: Option<RunOfShowPosition>,
}

/// Where a session stands against its run of show.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum RunOfShowPosition {
    /// Not started yet: `{"status": "not_started"}`.
    NotStarted {
        /// `not_started`.
        status: PlanStatus,
    },
    /// Within a segment of the plan.
    InSegment {
        /// Whole minutes since the start (to the end once ended).
        elapsed_minutes: u32,
        /// The segment's index in the session's plan.
        segment_index: usize,
        /// The segment under way, as in `GET /api/v1/tasks/{id}/run-of-show`.
        segment: Segment,
        /// The segment after it; null for the last.
        next: Option<Segment>,
    },
    /// Past the plan's end: `{"elapsed_minutes", "status": "past_plan"}`.
    PastPlan {
        /// Whole minutes since the start (to the end once ended).
        elapsed_minutes: u32,
        /// `past_plan`.
        status: PlanStatus,
    },
}

/// A session's place outside its plan's segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// The session has not started.
    NotStarted,
    /// The session ran past the plan's last segment.
    PastPlan,
}
