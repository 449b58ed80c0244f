//! Domain events: what happened, named as the API's users know it.
//!
//! Every state change that someone outside the request must learn of is an
//! event, written with the change in one transaction (the outbox), with a
//! monotonic id. The server's dispatcher reads them in order and feeds the
//! live stream; `GET /api/v1/events` serves them to the agent and host they
//! concern; webhooks, the dashboard and other instances read the same rows.

use crate::state::TaskAction;

/// The kinds of event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A host applied to a task.
    ApplicationCreated,
    /// An agent invited a host.
    InvitationCreated,
    /// A host accepted an invitation.
    InvitationAccepted,
    /// A task was assigned to a host (by the agent, or by an accepted invitation).
    TaskAssigned,
    /// A task was cancelled.
    TaskCancelled,
    /// A message was posted.
    MessageCreated,
    /// A session went live (or an import gave it its start).
    SessionStarted,
    /// A session ended.
    SessionEnded,
    /// The host submitted results.
    SubmissionCreated,
    /// The agent asked for changes to a submission.
    RevisionRequested,
    /// The agent approved the task.
    TaskApproved,
    /// The host was paid.
    PayoutMade,
    /// The agent rated the host.
    TaskRated,
    /// A flash sale started.
    FlashSaleStarted,
    /// A flash sale sold its last unit.
    FlashSaleSoldOut,
    /// A flash sale's countdown ended (or its session did).
    FlashSaleEnded,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 16] = [
        EventKind::ApplicationCreated,
        EventKind::InvitationCreated,
        EventKind::InvitationAccepted,
        EventKind::TaskAssigned,
        EventKind::TaskCancelled,
        EventKind::MessageCreated,
        EventKind::SessionStarted,
        EventKind::SessionEnded,
        EventKind::SubmissionCreated,
        EventKind::RevisionRequested,
        EventKind::TaskApproved,
        EventKind::PayoutMade,
        EventKind::TaskRated,
        EventKind::FlashSaleStarted,
        EventKind::FlashSaleSoldOut,
        EventKind::FlashSaleEnded,
    ];

    /// The wire name (`task.assigned`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ApplicationCreated => "application.created",
            EventKind::InvitationCreated => "invitation.created",
            EventKind::InvitationAccepted => "invitation.accepted",
            EventKind::TaskAssigned => "task.assigned",
            EventKind::TaskCancelled => "task.cancelled",
            EventKind::MessageCreated => "message.created",
            EventKind::SessionStarted => "session.started",
            EventKind::SessionEnded => "session.ended",
            EventKind::SubmissionCreated => "submission.created",
            EventKind::RevisionRequested => "revision.requested",
            EventKind::TaskApproved => "task.approved",
            EventKind::PayoutMade => "payout.made",
            EventKind::TaskRated => "task.rated",
            EventKind::FlashSaleStarted => "flash_sale.started",
            EventKind::FlashSaleSoldOut => "flash_sale.sold_out",
            EventKind::FlashSaleEnded => "flash_sale.ended",
        }
    }

    /// Reads a wire name.
    pub fn parse(s: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a task action's change brings, given what it does to a session
/// (`Some("live")` or `Some("ended")`, and whether it also sets the start,
/// as an import does) and to offers.
pub fn of_action(
    action: TaskAction,
    session_to: Option<(&str, bool)>,
    new_offer_kind: Option<&str>,
) -> Vec<EventKind> {
    use EventKind as E;
    match action {
        TaskAction::Invite | TaskAction::Apply => match new_offer_kind {
            Some("invitation") => vec![E::InvitationCreated],
            Some("application") => vec![E::ApplicationCreated],
            _ => Vec::new(),
        },
        TaskAction::Assign => vec![E::TaskAssigned],
        TaskAction::Accept => vec![E::InvitationAccepted, E::TaskAssigned],
        TaskAction::StartSession => match session_to {
            Some(("live", _)) => vec![E::SessionStarted],
            Some(("ended", true)) => vec![E::SessionStarted, E::SessionEnded],
            Some(("ended", false)) => vec![E::SessionEnded],
            _ => Vec::new(),
        },
        TaskAction::Submit => vec![E::SubmissionCreated],
        TaskAction::Approve => vec![E::TaskApproved, E::PayoutMade],
        TaskAction::RequestRevision => vec![E::RevisionRequested],
        TaskAction::Cancel | TaskAction::CancelStalled => vec![E::TaskCancelled],
        TaskAction::Rate => vec![E::TaskRated],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            assert!(seen.insert(k.as_str()));
        }
    }

    #[test]
    fn every_state_changing_action_brings_an_event() {
        use TaskAction as A;
        for a in A::ALL {
            let events = of_action(a, Some(("live", false)), Some("invitation"));
            assert!(!events.is_empty(), "{a:?}");
        }
        assert_eq!(
            of_action(A::StartSession, Some(("ended", true)), None),
            [EventKind::SessionStarted, EventKind::SessionEnded]
        );
        assert_eq!(
            of_action(A::Accept, None, None),
            [EventKind::InvitationAccepted, EventKind::TaskAssigned]
        );
    }
}
