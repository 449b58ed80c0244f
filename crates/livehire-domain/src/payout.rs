//! The payout engine: a commission structure plus observed figures give the host's
//! pay as a breakdown of lines (SPEC §5).
//!
//! Rules this module decides:
//! - **Base.** The whole `base_total` is paid, except for a series with a
//!   `per_session_base` where fewer than `session_count` sessions were completed:
//!   then `per_session_base × completed sessions` is paid. Without a
//!   `per_session_base` the base is a fixed fee and always paid in full. An empty
//!   `sessions` list means "no per-session information" and pays the full base.
//! - **Commission** is `commission_rate × GMV`, rounded half-even to the currency's
//!   minor unit once, on its line.
//! - **Performance bonuses.** Every tier appears as a line (met or not, amount 0 when
//!   not paid). In the default highest-tier mode, per metric only the best tier
//!   reached is paid: the reached tier with the largest amount (for ordinary
//!   ascending tiers that is the highest threshold reached). This keeps "more GMV
//!   never pays less" true even for oddly ordered tiers. `cumulative` pays every
//!   tier reached.
//! - **Series completed** is met when `sessions` is non-empty, holds at least
//!   `session_count` sessions, and every one is completed.
//! - **Tips** ([`add_tip`]) are part of `total` and of `host_cost`: a tip is money
//!   the brand spent on the host, so ROI = GMV / everything paid.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::bonus::{BonusCondition, BonusMetric, ConditionalBonus};
use crate::commission::CommissionStructure;
use crate::money::{self, Currency};

/// One session's figures, as verified by the live monitor or reported by the host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct SessionFigures {
    /// GMV of the session's paid, non-refunded orders.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gmv: Decimal,
    /// Orders placed.
    pub orders: u64,
    /// Unique viewers.
    pub unique_viewers: u64,
    /// Peak concurrent viewers.
    pub peak_viewers: u64,
    /// Questions viewers asked.
    pub questions: u64,
    /// Questions the host answered.
    pub questions_answered: u64,
    /// Whether the session took place and ended as planned.
    pub completed: bool,
}

impl SessionFigures {
    /// The session's value of a metric; `None` for highlight views, which are not
    /// per session.
    pub fn value(&self, metric: BonusMetric) -> Option<Decimal> {
        Some(match metric {
            BonusMetric::Gmv => self.gmv,
            BonusMetric::PeakViewers => Decimal::from(self.peak_viewers),
            BonusMetric::UniqueViewers => Decimal::from(self.unique_viewers),
            BonusMetric::Orders => Decimal::from(self.orders),
            BonusMetric::Questions => Decimal::from(self.questions),
            BonusMetric::QuestionsAnswered => Decimal::from(self.questions_answered),
            BonusMetric::HighlightViews => return None,
        })
    }
}

/// Everything the payout depends on: task (series) totals at the top level, and
/// each session's figures in schedule order (session 1 first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Observed {
    /// Total GMV of the task's sessions.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gmv: Decimal,
    /// Total orders.
    pub orders: u64,
    /// Highest peak concurrent viewers of any session.
    pub peak_viewers: u64,
    /// Unique viewers over the task.
    pub unique_viewers: u64,
    /// Questions asked over the task.
    pub questions: u64,
    /// Questions answered over the task.
    pub questions_answered: u64,
    /// Views of the highlight reel.
    pub highlight_views: u64,
    /// Per-session figures, session 1 first.
    pub sessions: Vec<SessionFigures>,
}

impl Observed {
    /// Builds series totals from per-session figures: sums, except peak viewers
    /// (the highest session peak). Unique viewers are summed per session, so a
    /// viewer of two sessions counts twice; a caller with a distinct count should
    /// overwrite `unique_viewers`.
    pub fn from_sessions(sessions: Vec<SessionFigures>, highlight_views: u64) -> Observed {
        let mut total = Observed {
            highlight_views,
            ..Observed::default()
        };
        for s in &sessions {
            total.gmv = total.gmv.saturating_add(s.gmv);
            total.orders = total.orders.saturating_add(s.orders);
            total.peak_viewers = total.peak_viewers.max(s.peak_viewers);
            total.unique_viewers = total.unique_viewers.saturating_add(s.unique_viewers);
            total.questions = total.questions.saturating_add(s.questions);
            total.questions_answered = total
                .questions_answered
                .saturating_add(s.questions_answered);
        }
        total.sessions = sessions;
        total
    }

    /// The task-level value of a metric.
    pub fn value(&self, metric: BonusMetric) -> Decimal {
        match metric {
            BonusMetric::Gmv => self.gmv,
            BonusMetric::PeakViewers => Decimal::from(self.peak_viewers),
            BonusMetric::UniqueViewers => Decimal::from(self.unique_viewers),
            BonusMetric::HighlightViews => Decimal::from(self.highlight_views),
            BonusMetric::Orders => Decimal::from(self.orders),
            BonusMetric::Questions => Decimal::from(self.questions),
            BonusMetric::QuestionsAnswered => Decimal::from(self.questions_answered),
        }
    }

    fn completed_sessions(&self) -> usize {
        self.sessions.iter().filter(|s| s.completed).count()
    }
}

/// One line of a payout breakdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PayoutLine {
    /// `base`, `commission`, `performance_bonus`, `conditional_bonus` or `tip`.
    pub kind: String,
    /// What the line is (`base payment`, `commission 8% of GMV`, the bonus key or
    /// field name).
    pub description: String,
    /// The condition a bonus depends on, in words.
    pub condition: Option<String>,
    /// The observed value the condition was checked against, as decimal text.
    pub observed: Option<String>,
    /// Whether the condition was met (bonuses only).
    pub met: Option<bool>,
    /// What this line pays, rounded to the currency's minor unit.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub amount: Decimal,
}

/// A host's pay for a task, line by line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Payout {
    /// Currency of every amount (ISO 4217).
    #[schema(value_type = String, example = "CNY")]
    pub currency: Currency,
    /// The GMV the payout was computed from.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub gmv: Decimal,
    /// The breakdown; `total` is their sum.
    pub lines: Vec<PayoutLine>,
    /// Sum of the lines.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub total: Decimal,
    /// What the brand spends on the host (equal to `total`, tips included).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub host_cost: Decimal,
    /// GMV / host cost, to one decimal place (half-even); `None` (`null`) when nothing is paid.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    #[schema(value_type = Option<f64>)]
    pub roi: Option<Decimal>,
}

impl Payout {
    /// Sets `total` and `host_cost` to the sum of the lines and recomputes ROI.
    fn settle(&mut self) {
        self.total = self
            .lines
            .iter()
            .fold(Decimal::ZERO, |sum, line| sum.saturating_add(line.amount));
        self.host_cost = self.total;
        self.roi = roi(self.gmv, self.host_cost);
    }
}

/// GMV / host cost to one decimal place, half-even; `None` for a zero cost.
fn roi(gmv: Decimal, host_cost: Decimal) -> Option<Decimal> {
    if host_cost <= Decimal::ZERO {
        return None;
    }
    gmv.checked_div(host_cost).map(|r| {
        let mut r = r.round_dp_with_strategy(1, RoundingStrategy::MidpointNearestEven);
        r.rescale(1);
        r
    })
}

/// Computes the payout of a task from its commission structure and observed
/// figures (see the module docs for the rules).
pub fn compute(cs: &CommissionStructure, observed: &Observed) -> Payout {
    let currency = cs.currency;
    let mut lines = vec![base_line(cs, observed), commission_line(cs, observed)];
    lines.extend(performance_lines(cs, observed));
    lines.extend(
        cs.conditional_bonuses
            .iter()
            .map(|bonus| conditional_line(bonus, cs, observed)),
    );
    for line in &mut lines {
        line.amount = money::round(line.amount, currency);
    }
    let mut payout = Payout {
        currency,
        gmv: observed.gmv,
        lines,
        total: Decimal::ZERO,
        host_cost: Decimal::ZERO,
        roi: None,
    };
    payout.settle();
    payout
}

/// Appends a tip line (rounded to the currency's minor unit) and updates `total`,
/// `host_cost` and `roi`. The caller validates the tip (non-negative, valid scale).
pub fn add_tip(payout: &mut Payout, tip: Decimal) {
    payout.lines.push(PayoutLine {
        kind: "tip".to_string(),
        description: "tip".to_string(),
        condition: None,
        observed: None,
        met: None,
        amount: money::round(tip, payout.currency),
    });
    payout.settle();
}

fn line(kind: &str, description: String, amount: Decimal) -> PayoutLine {
    PayoutLine {
        kind: kind.to_string(),
        description,
        condition: None,
        observed: None,
        met: None,
        amount,
    }
}

fn base_line(cs: &CommissionStructure, observed: &Observed) -> PayoutLine {
    let completed = observed.completed_sessions();
    let expected = usize::try_from(cs.session_count).unwrap_or(usize::MAX);
    match cs.per_session_base {
        Some(per) if !observed.sessions.is_empty() && completed < expected => {
            let amount = per.saturating_mul(Decimal::from(completed));
            PayoutLine {
                condition: Some(format!("{per} {} per completed session", cs.currency)),
                observed: Some(completed.to_string()),
                ..line(
                    "base",
                    format!(
                        "base payment: {completed} of {} sessions completed",
                        cs.session_count
                    ),
                    amount,
                )
            }
        }
        _ => line("base", "base payment".to_string(), cs.base_total),
    }
}

fn commission_line(cs: &CommissionStructure, observed: &Observed) -> PayoutLine {
    let pct = (cs.commission_rate * Decimal::ONE_HUNDRED).normalize();
    let amount = cs
        .commission_rate
        .saturating_mul(observed.gmv)
        .max(Decimal::ZERO);
    PayoutLine {
        observed: Some(observed.gmv.to_string()),
        ..line("commission", format!("commission {pct}% of GMV"), amount)
    }
}

fn performance_lines(cs: &CommissionStructure, observed: &Observed) -> Vec<PayoutLine> {
    let tiers = &cs.performance_bonuses;
    let reached: Vec<bool> = tiers
        .iter()
        .map(|(key, _)| observed.value(key.metric) >= key.threshold)
        .collect();
    // In highest-tier mode, the index of the tier paid for each tier's metric.
    let best_of = |metric: BonusMetric| -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, (key, amount)) in tiers.iter().enumerate() {
            if key.metric != metric || !reached[i] {
                continue;
            }
            let better = best.is_none_or(|b| {
                let (best_key, best_amount) = &tiers[b];
                (*amount, key.threshold) > (*best_amount, best_key.threshold)
            });
            if better {
                best = Some(i);
            }
        }
        best
    };
    tiers
        .iter()
        .enumerate()
        .map(|(i, (key, amount))| {
            let best = if cs.cumulative {
                Some(i)
            } else {
                best_of(key.metric)
            };
            let paid = reached[i] && best == Some(i);
            let description = match best {
                Some(b) if reached[i] && !paid => format!(
                    "{} (not paid: tiers are not cumulative, {} is paid)",
                    key.key, tiers[b].0.key
                ),
                _ => key.key.clone(),
            };
            PayoutLine {
                condition: Some(key.condition_text()),
                observed: Some(observed.value(key.metric).to_string()),
                met: Some(reached[i]),
                ..line(
                    "performance_bonus",
                    description,
                    if paid { *amount } else { Decimal::ZERO },
                )
            }
        })
        .collect()
}

fn conditional_line(
    bonus: &ConditionalBonus,
    cs: &CommissionStructure,
    observed: &Observed,
) -> PayoutLine {
    let (met, seen) = evaluate(&bonus.condition, cs, observed);
    PayoutLine {
        condition: Some(bonus.condition_text.clone()),
        observed: seen,
        met: Some(met),
        ..line(
            "conditional_bonus",
            bonus.field.clone(),
            if met { bonus.amount } else { Decimal::ZERO },
        )
    }
}

/// Whether a condition holds, and the observed value it was judged on.
fn evaluate(
    condition: &BonusCondition,
    cs: &CommissionStructure,
    observed: &Observed,
) -> (bool, Option<String>) {
    match condition {
        BonusCondition::AtLeast { metric, threshold } => {
            let v = observed.value(*metric);
            (v >= *threshold, Some(v.to_string()))
        }
        BonusCondition::GreaterThan { metric, threshold } => {
            let v = observed.value(*metric);
            (v > *threshold, Some(v.to_string()))
        }
        BonusCondition::SeriesCompleted => {
            let completed = observed.completed_sessions();
            let expected = usize::try_from(cs.session_count).unwrap_or(usize::MAX);
            let met = !observed.sessions.is_empty()
                && completed == observed.sessions.len()
                && completed >= expected;
            (met, Some(completed.to_string()))
        }
        BonusCondition::Growth {
            metric,
            later_session,
            earlier_session,
            min_growth_pct,
        } => {
            let figure = |n: u32| {
                let index = usize::try_from(n).ok()?.checked_sub(1)?;
                observed.sessions.get(index)?.value(*metric)
            };
            let (Some(later), Some(earlier)) = (figure(*later_session), figure(*earlier_session))
            else {
                return (false, None);
            };
            if earlier.is_zero() {
                // Any rise from nothing beats every percentage; there is no percentage to show.
                return (later > Decimal::ZERO, None);
            }
            let rise = (later - earlier).saturating_mul(Decimal::ONE_HUNDRED);
            let met = rise > min_growth_pct.saturating_mul(earlier);
            let pct = rise.checked_div(earlier).map(|p| {
                p.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
                    .normalize()
                    .to_string()
            });
            (met, pct)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bonus::PerformanceBonusKey;
    use crate::commission::CommissionContext;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;
    use serde_json::Value;

    fn cny() -> Currency {
        Currency::parse("CNY").unwrap()
    }

    fn structure(compensation: Decimal, sessions: u32, cs: &str) -> CommissionStructure {
        let ctx = CommissionContext {
            compensation,
            currency: cny(),
            session_count: sessions,
        };
        let value: Value = serde_json::from_str(cs).unwrap();
        CommissionStructure::parse(Some(&value), &ctx).unwrap()
    }

    fn getting_started() -> CommissionStructure {
        structure(
            dec!(1500.00),
            1,
            r#"{"base_payment": 1500.00, "commission_rate": 0.08,
                "performance_bonuses": {"50k_gmv": 800.00, "100k_gmv": 2000.00, "200k_gmv": 5000.00}}"#,
        )
    }

    fn with_gmv(gmv: Decimal) -> Observed {
        Observed {
            gmv,
            ..Observed::default()
        }
    }

    fn week(gmv: Decimal, unique_viewers: u64) -> SessionFigures {
        SessionFigures {
            gmv,
            unique_viewers,
            completed: true,
            ..SessionFigures::default()
        }
    }

    fn amounts(p: &Payout) -> Vec<(&str, Decimal)> {
        p.lines
            .iter()
            .map(|l| (l.description.as_str(), l.amount))
            .collect()
    }

    fn line_for<'a>(p: &'a Payout, description: &str) -> &'a PayoutLine {
        p.lines
            .iter()
            .find(|l| l.description == description)
            .unwrap()
    }

    #[test]
    fn workflow_1_case_study_without_bonuses() {
        let cs = structure(
            dec!(5000.00),
            1,
            r#"{"base_payment": 5000.00, "commission_rate": 0.10}"#,
        );
        let p = compute(&cs, &with_gmv(dec!(247000)));
        assert_eq!(
            amounts(&p),
            [
                ("base payment", dec!(5000)),
                ("commission 10% of GMV", dec!(24700))
            ]
        );
        assert_eq!(p.total, dec!(29700));
        assert_eq!(p.total.to_string(), "29700.00");
        assert_eq!(p.host_cost, dec!(29700));
        assert_eq!(p.roi, Some(dec!(8.3)));
    }

    #[test]
    fn workflow_1_with_its_own_tiers_pays_the_200k_tier() {
        let cs = structure(
            dec!(5000.00),
            1,
            r#"{"base_payment": 5000.00, "commission_rate": 0.10,
                "performance_bonuses": {"100k_gmv": 3000.00, "200k_gmv": 8000.00,
                "300k_gmv": 15000.00, "viral_highlight_100k_views": 1500.00}}"#,
        );
        let observed = Observed {
            gmv: dec!(247000),
            highlight_views: 120_000,
            ..Observed::default()
        };
        let p = compute(&cs, &observed);
        assert_eq!(p.total, dec!(5000) + dec!(24700) + dec!(8000) + dec!(1500));
        assert_eq!(line_for(&p, "300k_gmv").met, Some(false));
        let superseded = &p.lines[2];
        assert_eq!((superseded.met, superseded.amount), (Some(true), dec!(0)));
        assert!(
            superseded.description.contains("200k_gmv is paid"),
            "{superseded:?}"
        );
    }

    fn workflow_2_weeks() -> Vec<SessionFigures> {
        vec![
            week(dec!(78000), 2100),
            week(dec!(102000), 2850),
            week(dec!(135000), 3400),
            week(dec!(168000), 4200),
        ]
    }

    #[test]
    fn workflow_2_series_without_bonuses() {
        let cs = structure(
            dec!(6000.00),
            4,
            r#"{"base_payment_total": 6000.00, "per_session_base": 1500.00, "commission_rate": 0.08}"#,
        );
        let observed = Observed::from_sessions(workflow_2_weeks(), 0);
        assert_eq!(observed.gmv, dec!(483000));
        let p = compute(&cs, &observed);
        assert_eq!(
            amounts(&p),
            [
                ("base payment", dec!(6000)),
                ("commission 8% of GMV", dec!(38640))
            ]
        );
        assert_eq!(p.total, dec!(44640));
        assert_eq!(p.roi, Some(dec!(10.8)));
    }

    fn workflow_2() -> CommissionStructure {
        structure(
            dec!(6000.00),
            4,
            r#"{"base_payment_total": 6000.00, "per_session_base": 1500.00, "commission_rate": 0.08,
                "series_completion_bonus": 1000.00,
                "growth_bonus": "500 CNY if Week 4 viewers > Week 1 by 30%"}"#,
        )
    }

    #[test]
    fn workflow_2_series_with_its_own_bonuses() {
        let p = compute(
            &workflow_2(),
            &Observed::from_sessions(workflow_2_weeks(), 0),
        );
        let growth = line_for(&p, "growth_bonus");
        assert_eq!(growth.met, Some(true));
        assert_eq!(growth.observed.as_deref(), Some("100"));
        assert_eq!(
            growth.condition.as_deref(),
            Some("Week 4 viewers > Week 1 by 30%")
        );
        assert_eq!(growth.amount, dec!(500));
        let completion = line_for(&p, "series_completion_bonus");
        assert_eq!(
            (completion.met, completion.amount),
            (Some(true), dec!(1000))
        );
        assert_eq!(p.total, dec!(46140));
        assert_eq!(p.roi, Some(dec!(10.5)));
    }

    #[test]
    fn growth_must_exceed_the_percentage() {
        let mut weeks = workflow_2_weeks();
        weeks[3].unique_viewers = 2730; // exactly +30 %: not "> 30%"
        let p = compute(&workflow_2(), &Observed::from_sessions(weeks.clone(), 0));
        assert_eq!(line_for(&p, "growth_bonus").met, Some(false));
        assert_eq!(line_for(&p, "growth_bonus").observed.as_deref(), Some("30"));
        weeks[3].unique_viewers = 2731;
        let p = compute(&workflow_2(), &Observed::from_sessions(weeks, 0));
        assert_eq!(line_for(&p, "growth_bonus").met, Some(true));
    }

    #[test]
    fn growth_without_the_sessions_is_not_met() {
        let p = compute(&workflow_2(), &with_gmv(dec!(1000)));
        let growth = line_for(&p, "growth_bonus");
        assert_eq!(
            (growth.met, growth.observed.as_ref(), growth.amount),
            (Some(false), None, dec!(0))
        );
        assert_eq!(line_for(&p, "series_completion_bonus").met, Some(false));
        // No per-session information: the fixed base is paid in full.
        assert_eq!(p.lines[0].amount, dec!(6000));
    }

    #[test]
    fn unfinished_series_pays_base_per_completed_session() {
        let mut weeks = workflow_2_weeks();
        weeks[3].completed = false;
        let p = compute(&workflow_2(), &Observed::from_sessions(weeks, 0));
        assert_eq!(p.lines[0].amount, dec!(4500));
        assert_eq!(
            p.lines[0].description,
            "base payment: 3 of 4 sessions completed"
        );
        assert_eq!(p.lines[0].observed.as_deref(), Some("3"));
        assert_eq!(line_for(&p, "series_completion_bonus").met, Some(false));
        let p = compute(
            &workflow_2(),
            &Observed::from_sessions(workflow_2_weeks()[..3].to_vec(), 0),
        );
        assert_eq!(p.lines[0].amount, dec!(4500));
        assert_eq!(line_for(&p, "series_completion_bonus").met, Some(false));
    }

    #[test]
    fn getting_started_pays_only_the_100k_tier() {
        let p = compute(&getting_started(), &with_gmv(dec!(127000)));
        assert_eq!(
            amounts(&p),
            [
                ("base payment", dec!(1500)),
                ("commission 8% of GMV", dec!(10160)),
                (
                    "50k_gmv (not paid: tiers are not cumulative, 100k_gmv is paid)",
                    dec!(0)
                ),
                ("100k_gmv", dec!(2000)),
                ("200k_gmv", dec!(0)),
            ]
        );
        let met: Vec<Option<bool>> = p.lines[2..].iter().map(|l| l.met).collect();
        assert_eq!(met, [Some(true), Some(true), Some(false)]);
        assert_eq!(p.lines[3].condition.as_deref(), Some("gmv >= 100000"));
        assert_eq!(p.lines[3].observed.as_deref(), Some("127000"));
        assert_eq!(p.total, dec!(13660));
        assert_eq!(p.currency.code(), "CNY");
    }

    #[test]
    fn getting_started_cumulative_pays_every_tier_reached() {
        let mut cs = getting_started();
        cs.cumulative = true;
        let p = compute(&cs, &with_gmv(dec!(127000)));
        assert_eq!(p.total, dec!(14460));
    }

    #[test]
    fn tiers_of_different_metrics_are_independent() {
        let cs = structure(
            dec!(2000.00),
            1,
            r#"{"base_payment": 2000.00, "commission_type": "percentage_of_gmv", "commission_rate": 0.08,
                "performance_bonuses": {"50k_gmv": 1000.00, "100k_gmv": 3000.00,
                "200k_gmv": 7000.00, "peak_3k_viewers": 500.00}}"#,
        );
        let observed = Observed {
            gmv: dec!(60000),
            peak_viewers: 3000,
            ..Observed::default()
        };
        let p = compute(&cs, &observed);
        assert_eq!(p.total, dec!(2000) + dec!(4800) + dec!(1000) + dec!(500));
    }

    #[test]
    fn workflow_3_questions_answered_threshold() {
        let cs = structure(
            dec!(1800.00),
            1,
            r#"{"base_payment": 1800.00, "commission_rate": 0.10,
                "high_engagement_bonus": "300 CNY if 50+ questions answered"}"#,
        );
        let at = |answered: u64| {
            compute(
                &cs,
                &Observed {
                    questions_answered: answered,
                    questions: 80,
                    ..Observed::default()
                },
            )
        };
        let met = at(50);
        let bonus = line_for(&met, "high_engagement_bonus");
        assert_eq!((bonus.met, bonus.amount), (Some(true), dec!(300)));
        assert_eq!(bonus.observed.as_deref(), Some("50"));
        assert_eq!(met.total, dec!(2100));
        let missed = at(49);
        let bonus = line_for(&missed, "high_engagement_bonus");
        assert_eq!((bonus.met, bonus.amount), (Some(false), dec!(0)));
        assert_eq!(missed.total, dec!(1800));
        assert_eq!(missed.roi, Some(dec!(0.0)));
    }

    #[test]
    fn series_completion_on_a_single_session() {
        let cs = structure(dec!(1000), 1, r#"{"series_completion_bonus": 100}"#);
        let done = Observed::from_sessions(vec![week(dec!(0), 10)], 0);
        assert_eq!(compute(&cs, &done).total, dec!(1100));
        let mut not_done = done.clone();
        not_done.sessions[0].completed = false;
        assert_eq!(compute(&cs, &not_done).total, dec!(1000));
    }

    #[test]
    fn commission_is_rounded_half_even_once() {
        let cs = structure(dec!(100), 1, r#"{"commission_rate": 0.1}"#);
        // 0.1 × 0.25 = 0.025 → 0.02 (half to even)
        assert_eq!(
            compute(&cs, &with_gmv(dec!(0.25))).lines[1].amount,
            dec!(0.02)
        );
        assert_eq!(
            compute(&cs, &with_gmv(dec!(0.35))).lines[1].amount,
            dec!(0.04)
        );
    }

    #[test]
    fn tips_count_in_total_and_host_cost() {
        let cs = structure(
            dec!(5000.00),
            1,
            r#"{"base_payment": 5000.00, "commission_rate": 0.10}"#,
        );
        let mut p = compute(&cs, &with_gmv(dec!(247000)));
        add_tip(&mut p, dec!(8000.00));
        let tip = p.lines.last().unwrap();
        assert_eq!((tip.kind.as_str(), tip.amount), ("tip", dec!(8000)));
        assert_eq!(p.total, dec!(37700));
        assert_eq!(p.host_cost, dec!(37700));
        assert_eq!(p.roi, Some(dec!(6.6)));
    }

    #[test]
    fn nothing_paid_has_no_roi() {
        let cs = structure(dec!(0), 1, "{}");
        let p = compute(&cs, &with_gmv(dec!(100)));
        assert_eq!(p.total, dec!(0));
        assert_eq!(p.roi, None);
    }

    #[test]
    fn serialises_money_as_json_numbers() {
        let p = compute(&getting_started(), &with_gmv(dec!(127000)));
        let v: Value = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(v["currency"], "CNY");
        assert!(v["total"].is_number());
        assert_eq!(v["total"].to_string(), "13660.00");
        assert_eq!(v["roi"].to_string(), "9.3");
        assert_eq!(v["lines"][1]["amount"].to_string(), "10160.00");
        assert_eq!(v["lines"][1]["kind"], "commission");
        assert_eq!(v["lines"][0]["met"], Value::Null);
    }

    fn arb_structure() -> impl Strategy<Value = CommissionStructure> {
        let metric = prop_oneof![
            Just(BonusMetric::Gmv),
            Just(BonusMetric::PeakViewers),
            Just(BonusMetric::Orders),
        ];
        let tier = (metric, 0u64..400_000, 0i64..1_000_000);
        (
            0i64..10_000_000,
            0u32..=100,
            proptest::collection::vec(tier, 0..7),
            any::<bool>(),
        )
            .prop_map(|(base, rate, tiers, cumulative)| CommissionStructure {
                currency: cny(),
                session_count: 1,
                base_total: Decimal::new(base, 2),
                per_session_base: None,
                commission_rate: Decimal::new(i64::from(rate), 2),
                performance_bonuses: tiers
                    .into_iter()
                    .map(|(metric, threshold, amount)| {
                        (
                            PerformanceBonusKey {
                                key: format!("{threshold}_{}", metric.name()),
                                metric,
                                threshold: Decimal::from(threshold),
                            },
                            Decimal::new(amount, 2),
                        )
                    })
                    .collect(),
                cumulative,
                conditional_bonuses: Vec::new(),
            })
    }

    fn arb_observed() -> impl Strategy<Value = Observed> {
        (0i64..100_000_000, 0u64..500_000, 0u64..500_000).prop_map(|(gmv, peak, orders)| Observed {
            gmv: Decimal::new(gmv, 2),
            peak_viewers: peak,
            orders,
            ..Observed::default()
        })
    }

    proptest! {
        #[test]
        fn total_is_the_sum_of_the_lines(cs in arb_structure(), observed in arb_observed(), tip in 0i64..1_000_000) {
            let mut p = compute(&cs, &observed);
            let sum: Decimal = p.lines.iter().map(|l| l.amount).sum();
            prop_assert_eq!(p.total, sum);
            prop_assert_eq!(p.host_cost, p.total);
            add_tip(&mut p, Decimal::new(tip, 2));
            let sum: Decimal = p.lines.iter().map(|l| l.amount).sum();
            prop_assert_eq!(p.total, sum);
            for line in &p.lines {
                prop_assert!(line.amount >= Decimal::ZERO);
                prop_assert_eq!(line.amount.scale(), 2);
            }
        }

        #[test]
        fn more_gmv_never_pays_less(cs in arb_structure(), observed in arb_observed(), extra in 0i64..100_000_000) {
            let before = compute(&cs, &observed);
            let more = Observed { gmv: observed.gmv + Decimal::new(extra, 2), ..observed.clone() };
            let after = compute(&cs, &more);
            prop_assert!(after.total >= before.total, "{} < {}", after.total, before.total);
        }

        #[test]
        fn highest_tier_mode_pays_at_most_one_tier_per_metric(cs in arb_structure(), observed in arb_observed()) {
            let cs = CommissionStructure { cumulative: false, ..cs };
            let p = compute(&cs, &observed);
            let bonus_lines: Vec<&PayoutLine> =
                p.lines.iter().filter(|l| l.kind == "performance_bonus").collect();
            prop_assert_eq!(bonus_lines.len(), cs.performance_bonuses.len());
            for metric in BonusMetric::ALL {
                let paid = cs
                    .performance_bonuses
                    .iter()
                    .zip(&bonus_lines)
                    .filter(|((key, _), line)| key.metric == metric && line.amount > Decimal::ZERO)
                    .count();
                prop_assert!(paid <= 1, "{metric}: {paid} tiers paid");
            }
        }

        #[test]
        fn cumulative_never_pays_less_than_highest_tier(cs in arb_structure(), observed in arb_observed()) {
            let highest = compute(&CommissionStructure { cumulative: false, ..cs.clone() }, &observed);
            let cumulative = compute(&CommissionStructure { cumulative: true, ..cs }, &observed);
            prop_assert!(cumulative.total >= highest.total);
        }
    }
}
