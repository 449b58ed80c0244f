//! Who may do what to a task: the one place the rules live (SPEC §1,
//! `docs/access.md`).
//!
//! A caller stands to a task as one [`Party`]; every service method names the
//! [`Action`] it performs, and [`decide`] answers with an [`Outcome`]:
//! allowed, refused with 403 (the caller may see the task but not do this), or
//! hidden with 404 (the caller may not even learn that the task exists, so it
//! is told what a task that does not exist would tell it).
//!
//! Session-scoped keys (checkout keys for flash-sale orders, ingest keys for a
//! session's events) and the operator's admin token are not parties to a task:
//! each opens exactly one door, checked where that door is, and every other
//! route answers them 401 like any key it does not know.

/// What the caller is to a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// The agent who posted the task.
    Owner,
    /// The host the task is assigned to.
    AssignedHost,
    /// A host invited to the task, or who applied, not (or not yet) assigned.
    InvolvedHost,
    /// Any other host, while the task is `open` (hosts browse open tasks).
    Host,
    /// Anyone else: another agent, or an uninvolved host once the task has
    /// left `open`.
    Stranger,
}

impl Party {
    /// Every party, in the order of the table in `docs/access.md`.
    pub const ALL: [Party; 5] = [
        Party::Owner,
        Party::AssignedHost,
        Party::InvolvedHost,
        Party::Host,
        Party::Stranger,
    ];

    /// The party's name in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Owner => "owner (the task's agent)",
            Party::AssignedHost => "assigned host",
            Party::InvolvedHost => "invited or applying host",
            Party::Host => "other host, task open",
            Party::Stranger => "anyone else",
        }
    }
}

/// The facts about a task and a caller that decide the caller's [`Party`].
#[derive(Clone, Copy, Debug)]
pub struct Standing<'a> {
    /// Whether the caller is an agent (else a host).
    pub caller_is_agent: bool,
    /// The caller's id.
    pub caller_id: &'a str,
    /// The task's agent.
    pub agent_id: &'a str,
    /// The task's assigned host, if any.
    pub assigned_host: Option<&'a str>,
    /// Whether the caller (a host) was invited to the task or applied to it.
    pub involved: bool,
    /// Whether the task is `open`.
    pub open: bool,
}

/// The caller's party to a task.
pub fn party(s: &Standing<'_>) -> Party {
    if s.caller_is_agent {
        return if s.caller_id == s.agent_id {
            Party::Owner
        } else {
            Party::Stranger
        };
    }
    if s.assigned_host == Some(s.caller_id) {
        Party::AssignedHost
    } else if s.involved {
        Party::InvolvedHost
    } else if s.open {
        Party::Host
    } else {
        Party::Stranger
    }
}

/// Something a caller asks to do with a task or one of its sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the task (`GET /tasks/{id}`).
    ViewTask,
    /// Act for the brand on the task: cancel, invite, assign, read offers,
    /// approve, ask for a revision, rate, propose or edit the run of show.
    ManageTask,
    /// Apply to the task (a host).
    Apply,
    /// Accept an invitation (the invited host; the offer itself is checked).
    Accept,
    /// Read the task's run of show.
    ViewRunOfShow,
    /// Read or post messages (which threads is the messages' own rule).
    Message,
    /// Submit results.
    Submit,
    /// Read the submission.
    ViewSubmission,
    /// Preview the payout for given figures.
    PreviewPayout,
    /// Take part in a session: read it and its metrics, stream and reports,
    /// start and end it, post its events, start and read its flash sales.
    RunSession,
    /// Act for the brand on a session: mint checkout and ingest keys, order
    /// with the account key, list a sale's orders, import a recording.
    ManageSession,
}

impl Action {
    /// Every action, in the order of the table in `docs/access.md`.
    pub const ALL: [Action; 11] = [
        Action::ViewTask,
        Action::ManageTask,
        Action::Apply,
        Action::Accept,
        Action::ViewRunOfShow,
        Action::Message,
        Action::Submit,
        Action::ViewSubmission,
        Action::PreviewPayout,
        Action::RunSession,
        Action::ManageSession,
    ];

    /// The action's name in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ViewTask => "view the task",
            Action::ManageTask => {
                "manage the task (cancel, invite, assign, offers, approve, revise, rate, run of show)"
            }
            Action::Apply => "apply",
            Action::Accept => "accept an invitation",
            Action::ViewRunOfShow => "view the run of show",
            Action::Message => "read and post messages",
            Action::Submit => "submit results",
            Action::ViewSubmission => "view the submission",
            Action::PreviewPayout => "preview the payout",
            Action::RunSession => {
                "run a session (view, start, end, events, metrics, stream, reports, flash sales)"
            }
            Action::ManageSession => {
                "manage a session (checkout and ingest keys, order lists, orders with the account key, imports)"
            }
        }
    }
}

/// What [`decide`] answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Go ahead.
    Allow,
    /// 403: the caller sees the task but may not do this; the reason.
    Forbid(&'static str),
    /// 404: the caller may not learn that the task exists.
    Hide,
}

const AGENT_ONLY: &str = "this action needs the task's agent key (ph_sk_…)";
const HOST_ONLY: &str = "this action needs a host key (ph_hk_…)";
const ASSIGNED_ONLY: &str = "only the task's assigned host may do this";
const INVITED_ONLY: &str = "only an invited host accepts";
const INVOLVED_ONLY: &str = "messages are for hosts involved in the task; apply first";

/// Whether `party` may perform `action`.
pub fn decide(party: Party, action: Action) -> Outcome {
    use Action as A;
    use Outcome::{Allow, Forbid, Hide};
    use Party as P;
    match (action, party) {
        (_, P::Stranger) => Hide,
        // Everyone who may see the task reads it.
        (A::ViewTask, _) => Allow,
        (A::ManageTask, P::Owner) => Allow,
        (A::ManageTask, _) => Forbid(AGENT_ONLY),
        (A::Apply, P::Owner) => Forbid(HOST_ONLY),
        (A::Apply, _) => Allow,
        (A::Accept, P::Owner) => Forbid(HOST_ONLY),
        (A::Accept, P::InvolvedHost | P::AssignedHost) => Allow,
        (A::Accept, P::Host) => Forbid(INVITED_ONLY),
        (A::ViewRunOfShow | A::Message, P::Owner | P::AssignedHost | P::InvolvedHost) => Allow,
        (A::ViewRunOfShow, P::Host) => Hide,
        (A::Message, P::Host) => Forbid(INVOLVED_ONLY),
        (A::Submit, P::AssignedHost) => Allow,
        (A::Submit, P::Owner) => Forbid(HOST_ONLY),
        (A::Submit, _) => Forbid(ASSIGNED_ONLY),
        (A::ViewSubmission | A::RunSession, P::Owner | P::AssignedHost) => Allow,
        (A::ViewSubmission | A::RunSession, _) => Hide,
        (A::PreviewPayout, P::Owner | P::AssignedHost) => Allow,
        (A::PreviewPayout, _) => {
            Forbid("only the task's agent or assigned host previews its payout")
        }
        (A::ManageSession, P::Owner) => Allow,
        (A::ManageSession, P::AssignedHost) => Forbid(AGENT_ONLY),
        (A::ManageSession, _) => Hide,
    }
}

/// The rules as a Markdown table (`docs/access.md` holds this text; a test
/// keeps the two the same).
pub fn table() -> String {
    let mut out = String::from("| action |");
    for p in Party::ALL {
        out.push_str(&format!(" {} |", p.as_str()));
    }
    out.push_str("\n|---|");
    for _ in Party::ALL {
        out.push_str("---|");
    }
    out.push('\n');
    for a in Action::ALL {
        out.push_str(&format!("| {} |", a.as_str()));
        for p in Party::ALL {
            let cell = match decide(p, a) {
                Outcome::Allow => "yes",
                Outcome::Forbid(_) => "403",
                Outcome::Hide => "404",
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing<'a>(agent: bool, id: &'a str) -> Standing<'a> {
        Standing {
            caller_is_agent: agent,
            caller_id: id,
            agent_id: "a1",
            assigned_host: Some("h1"),
            involved: false,
            open: false,
        }
    }

    #[test]
    fn parties_follow_from_the_task() {
        assert_eq!(party(&standing(true, "a1")), Party::Owner);
        assert_eq!(party(&standing(true, "a2")), Party::Stranger);
        assert_eq!(party(&standing(false, "h1")), Party::AssignedHost);
        assert_eq!(party(&standing(false, "h2")), Party::Stranger);
        let invited = Standing {
            involved: true,
            ..standing(false, "h2")
        };
        assert_eq!(party(&invited), Party::InvolvedHost);
        let browsing = Standing {
            open: true,
            assigned_host: None,
            ..standing(false, "h3")
        };
        assert_eq!(party(&browsing), Party::Host);
    }

    #[test]
    fn a_stranger_never_learns_the_task_exists() {
        for a in Action::ALL {
            assert_eq!(decide(Party::Stranger, a), Outcome::Hide, "{a:?}");
        }
    }

    #[test]
    fn only_the_owner_manages_and_only_the_assigned_host_submits() {
        for p in Party::ALL {
            assert_eq!(
                decide(p, Action::ManageTask) == Outcome::Allow,
                p == Party::Owner,
                "{p:?}"
            );
            assert_eq!(
                decide(p, Action::Submit) == Outcome::Allow,
                p == Party::AssignedHost,
                "{p:?}"
            );
        }
    }

    #[test]
    fn the_docs_table_is_the_rules() {
        let doc = include_str!("../../../docs/access.md");
        assert!(
            doc.contains(&table()),
            "docs/access.md is out of date; the table is:\n{}",
            table()
        );
    }
}
