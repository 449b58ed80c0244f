//! The task state machine (SPEC §3), as one explicit type.
//!
//! ```text
//! open ──assign/accept──▶ assigned ──start──▶ in_progress ──submit──▶ submitted ──approve──▶ approved
//!  │                         │                   │    ▲                   │
//!  │                         │ before due,       │    └─request_revision──┘
//!  │                         │ or once stalled   │ once stalled
//!  └──cancel──▶ cancelled ◀──┴───────────────────┘
//! ```
//! Invitations and applications are offers on an `open` task; they do not move it.
//! A host may also submit straight from `assigned` (the session ran on TikTok
//! without livehire watching).
//!
//! **Stalled tasks.** An agent cancels an `assigned` task freely until its first
//! session is due to start. After that the host may have gone live (here or on
//! TikTok alone) and may still submit, so the agent may cancel an `assigned` or
//! `in_progress` task only once the host is late: from [`CancelWindow::stalled_from`],
//! the latest of the task's deadline, the last session's scheduled end plus
//! [`DELIVERY_GRACE_HOURS`], a session's actual end plus the grace, and a revision
//! request plus the grace. Never while a session is live. See [`TaskStatus::cancel`].

use std::fmt;

use chrono::{DateTime, Duration, Utc};

/// Where a task is in its life.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Posted; taking invitations and applications.
    Open,
    /// A host is assigned; the base payment is in escrow.
    Assigned,
    /// A session has started (or a revision was requested).
    InProgress,
    /// The host submitted results; awaiting the agent.
    Submitted,
    /// Approved and paid.
    Approved,
    /// Cancelled before any session started.
    Cancelled,
}

/// Something a caller asks to do to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskAction {
    /// Agent invites a host.
    Invite,
    /// Host applies.
    Apply,
    /// Agent assigns an applicant or invitee.
    Assign,
    /// Host accepts an invitation.
    Accept,
    /// A session starts.
    StartSession,
    /// Host submits results.
    Submit,
    /// Agent approves (and pays).
    Approve,
    /// Agent asks for changes.
    RequestRevision,
    /// Agent cancels a task whose host is not yet due (open, or assigned
    /// before the first session's scheduled start).
    Cancel,
    /// Agent cancels a task whose host is late: due, and silent past its
    /// [`CancelWindow`]; the escrow goes back to the wallet.
    CancelStalled,
    /// Agent rates the host.
    Rate,
}

/// Hours a host has after a session's scheduled end (or its actual end, or a
/// revision request) to submit before the agent may cancel: two days, so a
/// host who went live late in the evening, or on TikTok without livehire
/// watching, has a full working day and a night to assemble the recording
/// and figures, across time zones.
pub const DELIVERY_GRACE_HOURS: i64 = 48;

/// A session's times, as the cancel rule reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    /// When it is scheduled to start (None: to be agreed).
    pub scheduled_start: Option<DateTime<Utc>>,
    /// Its planned length.
    pub duration_minutes: i64,
    /// When it actually ended, if it ran here.
    pub ended_at: Option<DateTime<Utc>>,
}

/// When an agent may cancel an assigned task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelWindow {
    /// Until this time the host is not yet due (no session has been due to
    /// start) and an `assigned` task cancels freely: the first scheduled start,
    /// or the deadline when no session has a time.
    pub host_due_from: DateTime<Utc>,
    /// From this time the host is late and the task may be cancelled: the
    /// latest of the deadline, the last scheduled end + grace (a session
    /// without a time counts as ending at the deadline), every actual session
    /// end + grace and the last revision request + grace.
    pub stalled_from: DateTime<Utc>,
}

impl CancelWindow {
    /// The window of a task with this `deadline`, these sessions and, when the
    /// agent asked for a revision, the time of the last request.
    pub fn new(
        deadline: DateTime<Utc>,
        sessions: &[SessionTimes],
        last_revision_request: Option<DateTime<Utc>>,
    ) -> CancelWindow {
        let grace = Duration::hours(DELIVERY_GRACE_HOURS);
        let host_due_from = sessions
            .iter()
            .filter_map(|s| s.scheduled_start)
            .min()
            .unwrap_or(deadline);
        let scheduled_end = sessions
            .iter()
            .map(|s| match s.scheduled_start {
                Some(t) => t + Duration::minutes(s.duration_minutes),
                None => deadline,
            })
            .max()
            .unwrap_or(deadline);
        let stalled_from = sessions
            .iter()
            .filter_map(|s| s.ended_at)
            .chain(last_revision_request)
            .chain([scheduled_end])
            .map(|t| t + grace)
            .fold(deadline, DateTime::max);
        CancelWindow {
            host_due_from,
            stalled_from,
        }
    }
}

/// Why an agent's cancel is refused now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelRefused {
    /// The state allows no cancel (submitted, approved, cancelled).
    State(InvalidTransition),
    /// A session is live: the agent ends it first (`POST /sessions/{id}/end`).
    SessionLive,
    /// The host may still deliver; cancel becomes possible at `from`.
    NotYet {
        /// Where the task is.
        current: TaskStatus,
        /// When cancel becomes possible.
        from: DateTime<Utc>,
    },
}

impl TaskStatus {
    /// Every status.
    pub const ALL: [TaskStatus; 6] = [
        TaskStatus::Open,
        TaskStatus::Assigned,
        TaskStatus::InProgress,
        TaskStatus::Submitted,
        TaskStatus::Approved,
        TaskStatus::Cancelled,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Assigned => "assigned",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Submitted => "submitted",
            TaskStatus::Approved => "approved",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The state an action leads to, or `None` when it is not allowed here.
    /// Offers and ratings leave the state unchanged.
    pub fn next(self, action: TaskAction) -> Option<TaskStatus> {
        use TaskAction as A;
        use TaskStatus as S;
        Some(match (self, action) {
            (S::Open, A::Invite | A::Apply) => S::Open,
            (S::Open, A::Assign | A::Accept) => S::Assigned,
            (S::Open | S::Assigned, A::Cancel) => S::Cancelled,
            (S::Assigned | S::InProgress, A::CancelStalled) => S::Cancelled,
            (S::Assigned, A::StartSession) => S::InProgress,
            (S::InProgress, A::StartSession) => S::InProgress,
            (S::Assigned | S::InProgress, A::Submit) => S::Submitted,
            (S::Submitted, A::Approve) => S::Approved,
            (S::Submitted, A::RequestRevision) => S::InProgress,
            (S::Approved, A::Rate) => S::Approved,
            _ => return None,
        })
    }

    /// The actions allowed in this state, for `invalid_state` errors (a
    /// cancel may still wait for its [`CancelWindow`]).
    pub fn allowed(self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for name in TaskAction::ALL
            .into_iter()
            .filter(|a| self.next(*a).is_some())
            .map(TaskAction::as_str)
        {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// What an agent's cancel does at `now`: a plain [`TaskAction::Cancel`]
    /// while the host is not yet due, a [`TaskAction::CancelStalled`] once it is
    /// late (see the module docs); with the state it leads to.
    pub fn cancel(
        self,
        now: DateTime<Utc>,
        window: &CancelWindow,
        session_live: bool,
    ) -> Result<(TaskAction, TaskStatus), CancelRefused> {
        use TaskAction as A;
        use TaskStatus as S;
        let action = match self {
            S::Assigned | S::InProgress if session_live => return Err(CancelRefused::SessionLive),
            S::Assigned if now < window.host_due_from => A::Cancel,
            S::Assigned | S::InProgress if now >= window.stalled_from => A::CancelStalled,
            S::Assigned | S::InProgress => {
                return Err(CancelRefused::NotYet {
                    current: self,
                    from: window.stalled_from,
                });
            }
            _ => A::Cancel,
        };
        self.apply(action)
            .map(|next| (action, next))
            .map_err(CancelRefused::State)
    }

    /// Checks an action, returning the next state or the error to show.
    pub fn apply(self, action: TaskAction) -> Result<TaskStatus, InvalidTransition> {
        self.next(action).ok_or(InvalidTransition {
            current: self,
            action,
        })
    }
}

impl TaskAction {
    /// Every action.
    pub const ALL: [TaskAction; 11] = [
        TaskAction::Invite,
        TaskAction::Apply,
        TaskAction::Assign,
        TaskAction::Accept,
        TaskAction::StartSession,
        TaskAction::Submit,
        TaskAction::Approve,
        TaskAction::RequestRevision,
        TaskAction::Cancel,
        TaskAction::CancelStalled,
        TaskAction::Rate,
    ];

    /// The wire name (the endpoint's last segment).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskAction::Invite => "invite",
            TaskAction::Apply => "apply",
            TaskAction::Assign => "assign",
            TaskAction::Accept => "accept",
            TaskAction::StartSession => "start_session",
            TaskAction::Submit => "submit",
            TaskAction::Approve => "approve",
            TaskAction::RequestRevision => "request_revision",
            TaskAction::Cancel | TaskAction::CancelStalled => "cancel",
            TaskAction::Rate => "rate",
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An action that the current state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTransition {
    /// Where the task is.
    pub current: TaskStatus,
    /// What was asked.
    pub action: TaskAction,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_and_its_branches() {
        use TaskAction as A;
        let s = TaskStatus::Open;
        let s = s.apply(A::Assign).unwrap();
        assert_eq!(s, TaskStatus::Assigned);
        let s = s.apply(A::StartSession).unwrap();
        let s = s.apply(A::Submit).unwrap();
        assert_eq!(s.apply(A::RequestRevision), Ok(TaskStatus::InProgress));
        let s = s.apply(A::Approve).unwrap();
        assert_eq!(s, TaskStatus::Approved);
        assert_eq!(s.apply(A::Rate), Ok(TaskStatus::Approved));
        assert!(s.apply(A::Cancel).is_err());
        assert_eq!(
            TaskStatus::Assigned.apply(A::Submit),
            Ok(TaskStatus::Submitted)
        );
        assert!(TaskStatus::InProgress.apply(A::Cancel).is_err());
        assert_eq!(
            TaskStatus::InProgress.apply(A::CancelStalled),
            Ok(TaskStatus::Cancelled)
        );
        for s in [
            TaskStatus::Open,
            TaskStatus::Submitted,
            TaskStatus::Approved,
            TaskStatus::Cancelled,
        ] {
            assert!(s.apply(A::CancelStalled).is_err(), "{s}");
        }
        // Nothing is submitted to, approved or started on a cancelled task.
        for a in [A::Submit, A::Approve, A::StartSession, A::RequestRevision] {
            assert!(TaskStatus::Cancelled.apply(a).is_err(), "{a:?}");
        }
    }

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(2_000_000_000, 0).unwrap() + Duration::hours(h)
    }

    fn session(start_h: Option<i64>, minutes: i64) -> SessionTimes {
        SessionTimes {
            scheduled_start: start_h.map(at),
            duration_minutes: minutes,
            ended_at: None,
        }
    }

    #[test]
    fn a_host_is_late_48_hours_after_the_last_scheduled_end_or_at_the_deadline() {
        // Two sessions, the last from hour 100 for 3 hours; deadline at hour 10.
        let w = CancelWindow::new(
            at(10),
            &[session(Some(50), 120), session(Some(100), 180)],
            None,
        );
        assert_eq!(w.host_due_from, at(50));
        assert_eq!(w.stalled_from, at(103 + 48));
        // A later deadline wins.
        let w = CancelWindow::new(at(500), &[session(Some(100), 180)], None);
        assert_eq!(w.stalled_from, at(500));
        // A session without a time counts as ending at the deadline.
        let w = CancelWindow::new(at(10), &[session(None, 120)], None);
        assert_eq!((w.host_due_from, w.stalled_from), (at(10), at(58)));
        // A session that ran late, or a revision request, restarts the grace.
        let mut late = session(Some(100), 180);
        late.ended_at = Some(at(200));
        let w = CancelWindow::new(at(10), &[late], None);
        assert_eq!(w.stalled_from, at(248));
        let w = CancelWindow::new(at(10), &[session(Some(100), 180)], Some(at(300)));
        assert_eq!(w.stalled_from, at(348));
    }

    #[test]
    fn cancel_waits_for_a_due_host_and_never_cuts_a_live_session() {
        use TaskAction as A;
        use TaskStatus as S;
        let w = CancelWindow::new(at(10), &[session(Some(100), 180)], None);
        assert_eq!(
            S::Open.cancel(at(200), &w, false),
            Ok((A::Cancel, S::Cancelled))
        );
        // Assigned before the session is due: a plain cancel.
        assert_eq!(
            S::Assigned.cancel(at(99), &w, false),
            Ok((A::Cancel, S::Cancelled))
        );
        // Due, then late.
        for s in [S::Assigned, S::InProgress] {
            assert_eq!(
                s.cancel(at(150), &w, false),
                Err(CancelRefused::NotYet {
                    current: s,
                    from: at(151)
                })
            );
            assert_eq!(
                s.cancel(at(151), &w, false),
                Ok((A::CancelStalled, S::Cancelled))
            );
            assert_eq!(s.cancel(at(900), &w, true), Err(CancelRefused::SessionLive));
        }
        for s in [S::Submitted, S::Approved, S::Cancelled] {
            assert_eq!(
                s.cancel(at(900), &w, false),
                Err(CancelRefused::State(InvalidTransition {
                    current: s,
                    action: A::Cancel
                }))
            );
        }
    }

    #[test]
    fn allowed_lists_what_next_accepts() {
        assert_eq!(
            TaskStatus::Open.allowed(),
            ["invite", "apply", "assign", "accept", "cancel"]
        );
        assert_eq!(TaskStatus::Cancelled.allowed(), Vec::<&str>::new());
        assert_eq!(
            TaskStatus::InProgress.allowed(),
            ["start_session", "submit", "cancel"]
        );
        assert_eq!(
            TaskStatus::Assigned.allowed(),
            ["start_session", "submit", "cancel"]
        );
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
