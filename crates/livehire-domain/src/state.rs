//! The task state machine (SPEC §3), as one explicit type.
//!
//! ```text
//! open ──assign/accept──▶ assigned ──start──▶ in_progress ──submit──▶ submitted ──approve──▶ approved
//!  │                         │                     ▲                      │
//!  └──cancel──▶ cancelled ◀──┘                     └───request_revision───┘
//! ```
//! Invitations and applications are offers on an `open` task; they do not move it.
//! A host may also submit straight from `assigned` (the session ran on TikTok
//! without livehire watching).

use std::fmt;

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Agent cancels.
    Cancel,
    /// Agent rates the host.
    Rate,
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
            (S::Assigned, A::StartSession) => S::InProgress,
            (S::InProgress, A::StartSession) => S::InProgress,
            (S::Assigned | S::InProgress, A::Submit) => S::Submitted,
            (S::Submitted, A::Approve) => S::Approved,
            (S::Submitted, A::RequestRevision) => S::InProgress,
            (S::Approved, A::Rate) => S::Approved,
            _ => return None,
        })
    }

    /// The actions allowed in this state, for `invalid_state` errors.
    pub fn allowed(self) -> Vec<&'static str> {
        TaskAction::ALL
            .into_iter()
            .filter(|a| self.next(*a).is_some())
            .map(TaskAction::as_str)
            .collect()
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
    pub const ALL: [TaskAction; 10] = [
        TaskAction::Invite,
        TaskAction::Apply,
        TaskAction::Assign,
        TaskAction::Accept,
        TaskAction::StartSession,
        TaskAction::Submit,
        TaskAction::Approve,
        TaskAction::RequestRevision,
        TaskAction::Cancel,
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
            TaskAction::Cancel => "cancel",
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
    }

    #[test]
    fn allowed_lists_what_next_accepts() {
        assert_eq!(
            TaskStatus::Open.allowed(),
            ["invite", "apply", "assign", "accept", "cancel"]
        );
        assert_eq!(TaskStatus::Cancelled.allowed(), Vec::<&str>::new());
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
        }
    }
}
