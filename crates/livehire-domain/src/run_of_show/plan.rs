//! The plan's types and their wire shape: a run of show is one plan per
//! session, a plan is contiguous segments, a segment has a kind.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a segment of the show is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// Welcome, session overview, first flash sale announced.
    Opening,
    /// Product presentation: demo, Q&A.
    Product,
    /// A limited-time offer at a live price below retail, with a countdown.
    FlashSale,
    /// One product recapped at its listed price: the flash-sale slot of a task
    /// that gives no product a live price.
    Spotlight,
    /// Final flash sale (or spotlight), recap, teaser or thank-you.
    Closing,
}

impl SegmentKind {
    /// The snake_case wire name.
    pub fn name(&self) -> &'static str {
        match self {
            SegmentKind::Opening => "opening",
            SegmentKind::Product => "product",
            SegmentKind::FlashSale => "flash_sale",
            SegmentKind::Spotlight => "spotlight",
            SegmentKind::Closing => "closing",
        }
    }

    pub(super) fn parse(s: &str) -> Option<SegmentKind> {
        Some(match s {
            "opening" => SegmentKind::Opening,
            "product" => SegmentKind::Product,
            "flash_sale" => SegmentKind::FlashSale,
            "spotlight" => SegmentKind::Spotlight,
            "closing" => SegmentKind::Closing,
            _ => return None,
        })
    }
}

/// One stretch of a session, `[start_minute, end_minute)` from the session start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Segment {
    /// First minute (inclusive).
    pub start_minute: u32,
    /// Minute the next segment starts (exclusive).
    pub end_minute: u32,
    /// What happens.
    pub kind: SegmentKind,
    /// Short title for the host's screen.
    pub title: String,
    /// Products featured (`product_id`s of the task, or placeholders).
    pub product_ids: Vec<String>,
    /// What to do, in a sentence or two.
    pub notes: String,
}

/// The plan of one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionPlanOfShow {
    /// Position of the session in the task, from 0.
    pub session_index: u32,
    /// The session's planned length.
    pub duration_minutes: u32,
    /// Contiguous segments from minute 0 to `duration_minutes`.
    pub segments: Vec<Segment>,
}

/// The plan of every session of a task, in session order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RunOfShow {
    /// One plan per session of the task.
    pub sessions: Vec<SessionPlanOfShow>,
}
