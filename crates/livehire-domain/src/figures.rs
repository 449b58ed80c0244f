//! Which figures a payout reads (SPEC §5, §6; `docs/trust.md` "Payout
//! figures").
//!
//! For each session the server may know three sets of figures: the
//! **verified** ones (sources the host does not control), every live event
//! including the host's own posts (**host-reported** live figures), and the
//! host's **submission**. [`choose`] picks per session:
//!
//! | basis | a session with verified figures | a session without |
//! |---|---|---|
//! | `verified` (default) | its verified figures, nothing else | the submission's report of it, else its host-reported live figures |
//! | `host_reported` | the submission's report of it, else all its live figures | the same |
//!
//! Highlight-reel views are only ever reported by the host: under the
//! `verified` basis they count only when no session has verified figures (the
//! seed's unmonitored case). Figures the agent **states** replace the chosen
//! ones field by field. A submission that reports only series totals (no
//! per-session blocks) is used as those totals where the submission is used.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::payout::{Observed, SessionFigures};

/// What the server knows of one session, for its payout.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionEvidence {
    /// Figures from sources the host does not control; `None` without any.
    pub verified: Option<SessionFigures>,
    /// Figures of every live event, the host's own posts included; `None`
    /// without any event.
    pub all: Option<SessionFigures>,
}

/// Which figures the agent approves with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Verified figures wherever a session has them (the default).
    #[default]
    Verified,
    /// The host's word: its submission, else every live figure.
    HostReported,
}

/// Where one session's paid figures came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Sources the host does not control.
    Verified,
    /// The host's submission.
    Submission,
    /// Live events, the host's own posts included.
    HostReported,
    /// Nothing: the session counts as not held.
    None,
}

/// Figures the agent states for one session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatedSession {
    /// GMV.
    pub gmv: Option<Decimal>,
    /// Orders.
    pub orders: Option<u64>,
    /// Unique viewers.
    pub unique_viewers: Option<u64>,
    /// Peak concurrent viewers.
    pub peak_viewers: Option<u64>,
    /// Questions asked.
    pub questions: Option<u64>,
    /// Questions answered.
    pub questions_answered: Option<u64>,
    /// Whether the session was held.
    pub completed: Option<bool>,
}

/// Figures the agent states, replacing the chosen ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stated {
    /// Per session, in schedule order (shorter than the task's list: the
    /// rest keep their chosen figures).
    pub sessions: Vec<StatedSession>,
    /// Task totals (applied after the sessions).
    pub totals: StatedSession,
    /// Highlight-reel views.
    pub highlight_views: Option<u64>,
}

impl Stated {
    /// The names of the fields stated, for the answer.
    pub fn fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut name = |prefix: &str, s: &StatedSession| {
            for (field, given) in [
                ("gmv", s.gmv.is_some()),
                ("orders", s.orders.is_some()),
                ("unique_viewers", s.unique_viewers.is_some()),
                ("peak_viewers", s.peak_viewers.is_some()),
                ("questions", s.questions.is_some()),
                ("questions_answered", s.questions_answered.is_some()),
                ("completed", s.completed.is_some()),
            ] {
                if given {
                    out.push(format!("{prefix}{field}"));
                }
            }
        };
        for (i, s) in self.sessions.iter().enumerate() {
            name(&format!("sessions[{i}]."), s);
        }
        name("", &self.totals);
        if self.highlight_views.is_some() {
            out.push("highlight_views".into());
        }
        out
    }
}

/// The figures a payout reads, and where each came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chosen {
    /// The figures.
    pub observed: Observed,
    /// Per session, where its figures came from.
    pub origins: Vec<Origin>,
    /// Whether the series totals are the submission's own (a submission of
    /// totals only).
    pub totals_from_submission: bool,
    /// Figures the host reported that this basis does not pay on.
    pub not_used: Vec<String>,
}

fn reported(s: &SessionFigures) -> bool {
    *s != SessionFigures::default()
}

/// Picks the figures a payout reads (see the module docs). `evidence` has one
/// entry per session of the task; `submitted` is the latest submission's
/// figures, if it reported any.
pub fn choose(
    basis: Basis,
    evidence: &[SessionEvidence],
    submitted: Option<&Observed>,
    stated: &Stated,
) -> Chosen {
    let per_session = submitted
        .filter(|o| !o.sessions.is_empty())
        .map(|o| o.sessions.as_slice());
    let any_verified = evidence.iter().any(|e| e.verified.is_some());
    let any_live = evidence.iter().any(|e| e.all.is_some());
    let highlight = submitted.map_or(0, |o| o.highlight_views);
    let from_submission = |i: usize| {
        per_session
            .and_then(|s| s.get(i))
            .filter(|s| reported(s))
            .cloned()
    };
    let mut chosen = if basis == Basis::Verified && any_verified {
        let (sessions, origins): (Vec<_>, Vec<_>) = evidence
            .iter()
            .enumerate()
            .map(|(i, e)| match (&e.verified, from_submission(i), &e.all) {
                (Some(v), _, _) => (v.clone(), Origin::Verified),
                (None, Some(s), _) => (s, Origin::Submission),
                (None, None, Some(a)) => (a.clone(), Origin::HostReported),
                (None, None, None) => (SessionFigures::default(), Origin::None),
            })
            .unzip();
        Chosen {
            observed: Observed::from_sessions(sessions, 0),
            origins,
            totals_from_submission: false,
            not_used: if highlight > 0 {
                vec!["highlight_views".into()]
            } else {
                Vec::new()
            },
        }
    } else if !any_live || (per_session.is_none() && submitted.is_some()) {
        // The seed's case: the host's submission as reported (its series
        // totals when it gives only those), live figures per session beside.
        let mut observed = submitted.cloned().unwrap_or_default();
        let origins = if per_session.is_some() {
            (0..evidence.len())
                .map(|i| match from_submission(i) {
                    Some(_) => Origin::Submission,
                    None => Origin::None,
                })
                .collect()
        } else {
            let sessions: Vec<SessionFigures> = evidence
                .iter()
                .map(|e| e.all.clone().unwrap_or_default())
                .collect();
            let origins = evidence
                .iter()
                .map(|e| match e.all {
                    Some(_) => Origin::HostReported,
                    None => Origin::None,
                })
                .collect();
            if any_live {
                observed.sessions = sessions;
            }
            origins
        };
        Chosen {
            observed,
            origins,
            totals_from_submission: submitted.is_some() && per_session.is_none(),
            not_used: Vec::new(),
        }
    } else {
        let (sessions, origins): (Vec<_>, Vec<_>) = evidence
            .iter()
            .enumerate()
            .map(|(i, e)| match (from_submission(i), &e.all) {
                (Some(s), _) => (s, Origin::Submission),
                (None, Some(a)) => (a.clone(), Origin::HostReported),
                (None, None) => (SessionFigures::default(), Origin::None),
            })
            .unzip();
        Chosen {
            observed: Observed::from_sessions(sessions, highlight),
            origins,
            totals_from_submission: false,
            not_used: Vec::new(),
        }
    };
    apply_stated(&mut chosen.observed, stated, evidence.len());
    chosen
}

fn apply_stated(o: &mut Observed, stated: &Stated, n: usize) {
    if !stated.sessions.is_empty() {
        let mut sessions = o.sessions.clone();
        sessions.resize(n.max(sessions.len()), SessionFigures::default());
        for (slot, s) in sessions.iter_mut().zip(&stated.sessions) {
            overwrite(slot, s);
        }
        let highlight = o.highlight_views;
        *o = Observed::from_sessions(sessions, highlight);
    }
    let t = &stated.totals;
    if let Some(v) = t.gmv {
        o.gmv = v;
    }
    for (slot, v) in [
        (&mut o.orders, t.orders),
        (&mut o.unique_viewers, t.unique_viewers),
        (&mut o.peak_viewers, t.peak_viewers),
        (&mut o.questions, t.questions),
        (&mut o.questions_answered, t.questions_answered),
        (&mut o.highlight_views, stated.highlight_views),
    ] {
        if let Some(v) = v {
            *slot = v;
        }
    }
}

fn overwrite(slot: &mut SessionFigures, s: &StatedSession) {
    if let Some(v) = s.gmv {
        slot.gmv = v;
    }
    for (field, v) in [
        (&mut slot.orders, s.orders),
        (&mut slot.unique_viewers, s.unique_viewers),
        (&mut slot.peak_viewers, s.peak_viewers),
        (&mut slot.questions, s.questions),
        (&mut slot.questions_answered, s.questions_answered),
    ] {
        if let Some(v) = v {
            *field = v;
        }
    }
    if let Some(c) = s.completed {
        slot.completed = c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn figs(gmv: i64, peak: u64) -> SessionFigures {
        SessionFigures {
            gmv: Decimal::from(gmv),
            orders: 1,
            unique_viewers: peak * 2,
            peak_viewers: peak,
            questions: 0,
            questions_answered: 0,
            completed: true,
        }
    }

    fn claim(gmv: i64) -> Observed {
        let mut o = Observed::from_sessions(vec![figs(gmv, 9_000)], 150_000);
        o.highlight_views = 150_000;
        o
    }

    #[test]
    fn verified_figures_pay_where_a_session_has_them() {
        let ev = [SessionEvidence {
            verified: Some(figs(210, 3)),
            all: Some(figs(1_000_210, 50)),
        }];
        let c = choose(
            Basis::Verified,
            &ev,
            Some(&claim(1_000_000)),
            &Stated::default(),
        );
        assert_eq!(c.observed.gmv, dec!(210));
        assert_eq!(c.observed.peak_viewers, 3);
        assert_eq!(c.observed.highlight_views, 0);
        assert_eq!(c.origins, vec![Origin::Verified]);
        assert_eq!(c.not_used, vec!["highlight_views".to_string()]);
    }

    #[test]
    fn the_host_reported_basis_takes_the_hosts_word() {
        let ev = [SessionEvidence {
            verified: Some(figs(210, 3)),
            all: Some(figs(1_000_210, 50)),
        }];
        let c = choose(
            Basis::HostReported,
            &ev,
            Some(&claim(900)),
            &Stated::default(),
        );
        assert_eq!(c.observed.gmv, dec!(900));
        assert_eq!(c.observed.highlight_views, 150_000);
        assert_eq!(c.origins, vec![Origin::Submission]);
        let c = choose(Basis::HostReported, &ev, None, &Stated::default());
        assert_eq!(c.observed.gmv, dec!(1_000_210));
        assert_eq!(c.origins, vec![Origin::HostReported]);
    }

    #[test]
    fn an_unmonitored_session_is_paid_on_the_submission_as_in_the_seed() {
        let ev = [SessionEvidence::default()];
        let c = choose(
            Basis::Verified,
            &ev,
            Some(&claim(127_000)),
            &Stated::default(),
        );
        assert_eq!(c.observed.gmv, dec!(127_000));
        assert_eq!(c.observed.highlight_views, 150_000);
        assert_eq!(c.origins, vec![Origin::Submission]);
    }

    #[test]
    fn stated_figures_replace_the_chosen_ones() {
        let ev = [
            SessionEvidence {
                verified: Some(figs(100, 3)),
                all: None,
            },
            SessionEvidence::default(),
        ];
        let stated = Stated {
            sessions: vec![
                StatedSession::default(),
                StatedSession {
                    gmv: Some(dec!(50)),
                    completed: Some(true),
                    ..StatedSession::default()
                },
            ],
            highlight_views: Some(120_000),
            ..Stated::default()
        };
        let c = choose(Basis::Verified, &ev, None, &stated);
        assert_eq!(c.observed.gmv, dec!(150));
        assert!(c.observed.sessions[1].completed);
        assert_eq!(c.observed.highlight_views, 120_000);
        assert_eq!(
            stated.fields(),
            vec![
                "sessions[1].gmv",
                "sessions[1].completed",
                "highlight_views"
            ]
        );
    }

    fn arb_figs() -> impl Strategy<Value = SessionFigures> {
        (
            0_i64..1_000_000,
            0_u64..10_000,
            0_u64..10_000,
            any::<bool>(),
        )
            .prop_map(|(g, o, v, c)| SessionFigures {
                gmv: Decimal::new(g, 2),
                orders: o,
                unique_viewers: v,
                peak_viewers: v / 2,
                questions: o / 3,
                questions_answered: o / 4,
                completed: c,
            })
    }

    proptest! {
        /// Under the default basis, a session with verified figures is paid
        /// on them whatever the host posted or submitted.
        #[test]
        fn host_figures_never_move_a_verified_sessions_pay(
            verified in prop::collection::vec(prop::option::of(arb_figs()), 1..5),
            host_a in prop::collection::vec(prop::option::of(arb_figs()), 5),
            host_b in prop::collection::vec(prop::option::of(arb_figs()), 5),
            sub_a in prop::collection::vec(arb_figs(), 5),
            sub_b in prop::collection::vec(arb_figs(), 5),
        ) {
            let n = verified.len();
            let ev = |host: &[Option<SessionFigures>]| -> Vec<SessionEvidence> {
                verified.iter().zip(host).map(|(v, h)| SessionEvidence {
                    verified: v.clone(),
                    all: h.clone().or_else(|| v.clone()),
                }).collect()
            };
            let sub = |s: &[SessionFigures]| Observed::from_sessions(s[..n].to_vec(), 1_000);
            let a = choose(Basis::Verified, &ev(&host_a), Some(&sub(&sub_a)), &Stated::default());
            let b = choose(Basis::Verified, &ev(&host_b), Some(&sub(&sub_b)), &Stated::default());
            for (i, v) in verified.iter().enumerate() {
                if let Some(v) = v {
                    prop_assert_eq!(&a.observed.sessions[i], v);
                    prop_assert_eq!(&b.observed.sessions[i], v);
                    prop_assert_eq!(a.origins[i], Origin::Verified);
                }
            }
            if verified.iter().all(Option::is_some) {
                prop_assert_eq!(&a.observed, &b.observed);
            }
        }
    }
}
