//! A task's terms in words: the commission structure the service parsed
//! (`App::task_terms`), said in the page's language. Nothing is decided
//! here; the amounts and thresholds are the task's own.

use livehire_domain::bonus::{BonusCondition, BonusMetric};
use livehire_domain::commission::CommissionStructure;
use rust_decimal::Decimal;

use super::Lang;
use super::pages::money;

/// A metric's name in words (`peak concurrent viewers`).
pub(super) fn metric_words(lang: Lang, metric: BonusMetric) -> String {
    lang.t(&format!("metric-{}", metric.name().replace('_', "-")))
}

/// The message of a sentence about `metric`: GMV is an amount that
/// "reaches", the others are counts ("at 100,000 highlight reel views").
fn about(id: &str, metric: BonusMetric) -> String {
    match metric {
        BonusMetric::Gmv => format!("{id}-gmv"),
        _ => format!("{id}-count"),
    }
}

/// A threshold of `metric`: an amount in the task's currency for GMV, a
/// grouped count otherwise.
fn threshold(metric: BonusMetric, value: Decimal, currency: &str) -> String {
    match metric {
        BonusMetric::Gmv => money(value, currency),
        _ => livehire_domain::money::group_thousands(&value.normalize().to_string()),
    }
}

/// A rate as a percentage without trailing zeros: `0.08` → `8%`.
pub(super) fn percent(rate: Decimal) -> String {
    format!("{}%", (rate * Decimal::ONE_HUNDRED).normalize())
}

/// The pay of a task in words, one sentence per line: the base, the
/// commission with the performance bonuses ("8% of GMV, plus ¥1,000 when GMV
/// reaches ¥50,000"), and each conditional bonus.
pub(super) fn commission_words(lang: Lang, cs: &CommissionStructure) -> Vec<String> {
    let currency = cs.currency.code();
    let mut out = Vec::new();
    let base = money(cs.base_total, currency);
    out.push(match (cs.per_session_base, cs.session_count) {
        (Some(per), n) if n > 1 => lang.t_args(
            "terms-base-series",
            &[
                ("amount", base),
                ("per_session", money(per, currency)),
                ("count", n.to_string()),
            ],
        ),
        _ => lang.t_args("terms-base", &[("amount", base)]),
    });
    let tiers: Vec<String> = cs
        .performance_bonuses
        .iter()
        .map(|(key, amount)| {
            lang.t_args(
                &about("terms-tier", key.metric),
                &[
                    ("amount", money(*amount, currency)),
                    ("metric", metric_words(lang, key.metric)),
                    ("threshold", threshold(key.metric, key.threshold, currency)),
                ],
            )
        })
        .collect();
    let mut commission = if cs.commission_rate.is_zero() {
        lang.t("terms-no-commission")
    } else {
        lang.t_args("terms-commission", &[("rate", percent(cs.commission_rate))])
    };
    if !tiers.is_empty() {
        commission.push_str(&lang.t("terms-plus"));
        commission.push_str(&tiers.join(&lang.t("terms-or")));
    }
    out.push(commission);
    if cs.performance_bonuses.len() > 1 {
        out.push(lang.t(if cs.cumulative {
            "terms-tiers-cumulative"
        } else {
            "terms-tiers-highest"
        }));
    }
    for b in &cs.conditional_bonuses {
        let condition = match &b.condition {
            BonusCondition::SeriesCompleted => lang.t("terms-series-completed"),
            BonusCondition::Growth {
                metric,
                later_session,
                earlier_session,
                min_growth_pct,
            } => lang.t_args(
                "terms-growth",
                &[
                    ("metric", metric_words(lang, *metric)),
                    ("later", later_session.to_string()),
                    ("earlier", earlier_session.to_string()),
                    ("pct", min_growth_pct.normalize().to_string()),
                ],
            ),
            BonusCondition::AtLeast {
                metric,
                threshold: t,
            } => lang.t_args(
                &about("terms-at-least", *metric),
                &[
                    ("metric", metric_words(lang, *metric)),
                    ("threshold", threshold(*metric, *t, currency)),
                ],
            ),
            BonusCondition::GreaterThan {
                metric,
                threshold: t,
            } => lang.t_args(
                &about("terms-more-than", *metric),
                &[
                    ("metric", metric_words(lang, *metric)),
                    ("threshold", threshold(*metric, *t, currency)),
                ],
            ),
        };
        out.push(lang.t_args(
            "terms-conditional",
            &[
                ("amount", money(b.amount, currency)),
                ("condition", condition),
                ("field", b.field.clone()),
            ],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use livehire_domain::commission::CommissionContext;
    use livehire_domain::money::Currency;

    fn structure(json: serde_json::Value, sessions: u32) -> CommissionStructure {
        let currency = Currency::parse("CNY").unwrap();
        CommissionStructure::parse(
            Some(&json),
            &CommissionContext {
                compensation: "1500".parse().unwrap(),
                currency,
                session_count: sessions,
            },
        )
        .unwrap()
    }

    #[test]
    fn the_getting_started_terms_read_as_a_sentence() {
        let cs = structure(
            serde_json::json!({"base_payment": 1500.00, "commission_rate": 0.08,
                "performance_bonuses": {"50k_gmv": 800.00, "100k_gmv": 2000.00}}),
            1,
        );
        assert_eq!(
            commission_words(Lang::En, &cs),
            [
                "Base payment ¥1,500.00",
                "8% of GMV, plus ¥800.00 when GMV reaches ¥50,000.00, or ¥2,000.00 when GMV reaches ¥100,000.00",
                "Only the highest tier reached is paid.",
            ]
        );
        let zh = commission_words(Lang::Zh, &cs);
        assert!(
            zh[1].contains("8%") && zh[1].contains("¥50,000.00"),
            "{zh:?}"
        );
        assert_ne!(zh[1], commission_words(Lang::En, &cs)[1]);
    }

    #[test]
    fn conditional_bonuses_say_their_condition() {
        let cs = structure(
            serde_json::json!({"base_payment": 1500, "commission_rate": 0.1,
                "growth_bonus": "500 CNY if Week 2 viewers > Week 1 by 30%",
                "series_completion_bonus": 1000.00,
                "engagement_bonus": "200 CNY if orders >= 500"}),
            2,
        );
        let words = commission_words(Lang::En, &cs);
        assert!(words.contains(&"¥500.00 if unique viewers in session 2 are more than 30% above session 1 (growth_bonus)".to_string()), "{words:?}");
        assert!(
            words.contains(
                &"¥1,000.00 if every session is completed (series_completion_bonus)".to_string()
            ),
            "{words:?}"
        );
        assert!(
            words.contains(
                &"¥200.00 if there are at least 500 orders (engagement_bonus)".to_string()
            ),
            "{words:?}"
        );
    }
}
