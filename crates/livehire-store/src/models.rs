//! Records that cross the store boundary.

use livehire_domain::host::SearchFields;
use serde_json::Value;

/// Who is calling: an agent or a host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    /// `agent` or `host`.
    pub kind: CallerKind,
    /// `ph_agent_…` or `ph_profile_…`.
    pub id: String,
}

/// The two kinds of account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerKind {
    /// An AI agent acting for a brand.
    Agent,
    /// A human host.
    Host,
}

impl CallerKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CallerKind::Agent => "agent",
            CallerKind::Host => "host",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "agent" => Some(CallerKind::Agent),
            "host" => Some(CallerKind::Host),
            _ => None,
        }
    }
}

/// An agent account.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRecord {
    /// `ph_agent_…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Where to reach the operator.
    pub contact_email: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// A host profile to write, with its figures extracted.
#[derive(Debug, Clone)]
pub struct HostWrite {
    /// `ph_profile_…`.
    pub id: String,
    /// The stored profile (the host's fields plus server-maintained ones).
    pub profile: Value,
    /// The profile as served (rendered once here, not per request).
    pub public_json: String,
    /// Searchable figures.
    pub fields: SearchFields,
    /// RFC 3339.
    pub now: String,
}

/// A stored host.
#[derive(Debug, Clone)]
pub struct HostRecord {
    /// `ph_profile_…`.
    pub id: String,
    /// Insertion order, for tie-breaks.
    pub seq: i64,
    /// The stored profile.
    pub profile: Value,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// One page of search results: rendered profiles.
#[derive(Debug, Clone)]
pub struct HostPage {
    /// Each host's public JSON, as stored.
    pub data: Vec<String>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// A task, its verbatim body and its sessions.
#[derive(Debug, Clone)]
pub struct TaskRecord {
    /// `ph_task_…`.
    pub id: String,
    /// Insertion order.
    pub seq: i64,
    /// Owner.
    pub agent_id: String,
    /// State-machine state.
    pub status: String,
    /// `title`.
    pub title: String,
    /// ISO code.
    pub currency: String,
    /// `compensation` in minor units.
    pub compensation_minor: i64,
    /// RFC 3339.
    pub deadline: String,
    /// Everything posted.
    pub body: Value,
    /// The assigned host.
    pub assigned_human_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
    /// Sessions in order.
    pub sessions: Vec<SessionRecord>,
}

/// One live session of a task.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    /// `ph_sess_…`.
    pub id: String,
    /// 0-based order within the task.
    pub position: i64,
    /// RFC 3339, when scheduled.
    pub scheduled_time: Option<String>,
    /// Planned length.
    pub duration_minutes: i64,
    /// `scheduled`, `live` or `ended`.
    pub status: String,
    /// `week` of a series entry.
    pub week: Option<i64>,
    /// `theme` of a series entry.
    pub theme: Option<String>,
}

/// Which tasks to list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only this agent's.
    pub agent_id: Option<String>,
    /// Tasks this host is involved in, plus open tasks (a host's view).
    pub host_id: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Continue after this `seq` (exclusive; newest first so strictly smaller).
    pub before_seq: Option<i64>,
    /// Page size.
    pub limit: u32,
}

/// A page of rows with the `seq` to continue from.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows.
    pub data: Vec<T>,
    /// Seq to pass back for the next page, if there is one.
    pub next: Option<i64>,
}

/// A host's involvement in a task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskHost {
    /// The host.
    pub human_id: String,
    /// `invited`, `applied` or `assigned`.
    pub role: String,
}

/// A message in a task thread.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    /// `ph_msg_…`.
    pub id: String,
    /// Insertion order (set by the store).
    pub seq: i64,
    /// The task.
    pub task_id: String,
    /// `brief` or a host's id.
    pub thread: String,
    /// `agent` or `host`.
    pub sender_kind: String,
    /// Sender id.
    pub sender_id: String,
    /// The text, verbatim.
    pub text: String,
    /// RFC 3339.
    pub created_at: String,
}

/// A stored idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyEntry {
    /// Hash of the first request's method, path and body.
    pub request_hash: String,
    /// The first response, once it finished: status and body.
    pub response: Option<(u16, Vec<u8>)>,
}
