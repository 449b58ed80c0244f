//! The bonus grammars of SPEC §5.
//!
//! Performance bonus keys, `[qualifier_]<amount>[k|m]_<metric>`: `50k_gmv`,
//! `peak_3k_viewers`, `viral_highlight_100k_views`, `500_orders`,
//! `1.5k_unique_viewers`, `50_questions`.
//!
//! Conditional bonuses, `<amount> <CCY> if <condition>`:
//! `500 CNY if Week 4 viewers > Week 1 by 30%`, `300 CNY if 50+ questions answered`,
//! `200 CNY if gmv >= 100k`; or a bare amount (`series_completion_bonus: 1000.00`), paid when every session
//! of the series is completed.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::money::{self, Currency};

/// A figure a bonus can be conditioned on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BonusMetric {
    /// Gross merchandise value (paid, non-refunded orders), in the task currency.
    Gmv,
    /// Peak concurrent viewers.
    PeakViewers,
    /// Unique viewers.
    UniqueViewers,
    /// Views of the highlight reel (reported with the submission).
    HighlightViews,
    /// Number of orders.
    Orders,
    /// Questions asked by viewers.
    Questions,
    /// Viewer questions the host answered.
    QuestionsAnswered,
}

impl BonusMetric {
    /// Every metric, in wire-name order of the docs.
    pub const ALL: [BonusMetric; 7] = [
        BonusMetric::Gmv,
        BonusMetric::PeakViewers,
        BonusMetric::UniqueViewers,
        BonusMetric::HighlightViews,
        BonusMetric::Orders,
        BonusMetric::Questions,
        BonusMetric::QuestionsAnswered,
    ];

    /// The snake_case wire name: `gmv`, `peak_viewers`, `unique_viewers`,
    /// `highlight_views`, `orders`, `questions`, `questions_answered`.
    pub fn name(&self) -> &'static str {
        match self {
            BonusMetric::Gmv => "gmv",
            BonusMetric::PeakViewers => "peak_viewers",
            BonusMetric::UniqueViewers => "unique_viewers",
            BonusMetric::HighlightViews => "highlight_views",
            BonusMetric::Orders => "orders",
            BonusMetric::Questions => "questions",
            BonusMetric::QuestionsAnswered => "questions_answered",
        }
    }

    /// Looks a metric up by its wire name or a common alias (case-insensitive;
    /// spaces count as underscores): `viewers` and `peak_concurrent_viewers` are
    /// peak viewers, `views` and `highlight_reel_views` are highlight views,
    /// `answered_questions` is questions answered.
    pub fn from_name(name: &str) -> Option<BonusMetric> {
        let name = name.trim().to_ascii_lowercase().replace(' ', "_");
        let metric = match name.as_str() {
            "gmv" => BonusMetric::Gmv,
            "peak_viewers" | "peak_concurrent_viewers" | "viewers" | "pcu" => {
                BonusMetric::PeakViewers
            }
            "unique_viewers" => BonusMetric::UniqueViewers,
            "highlight_views" | "highlight_reel_views" | "views" => BonusMetric::HighlightViews,
            "orders" => BonusMetric::Orders,
            "questions" => BonusMetric::Questions,
            "questions_answered" | "answered_questions" => BonusMetric::QuestionsAnswered,
            _ => return None,
        };
        Some(metric)
    }

    /// Whether the metric exists per session (everything but highlight views, which
    /// belong to the reel made after the series).
    pub fn is_per_session(&self) -> bool {
        !matches!(self, BonusMetric::HighlightViews)
    }
}

impl fmt::Display for BonusMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an unparseable performance bonus key is told.
const PERFORMANCE_KEY_FORMS: &str = "supported forms are [qualifier_]<amount>[k|m]_<metric> with metric gmv, viewers (peak concurrent), unique_viewers, views (highlight reel), orders, questions or questions_answered — e.g. 50k_gmv, 100k_gmv, peak_3k_viewers, viral_highlight_100k_views, 500_orders, 1.5k_unique_viewers, 50_questions";

/// A parsed `performance_bonuses` key: the bonus is earned when `metric` reaches
/// `threshold` (≥).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformanceBonusKey {
    /// The key exactly as the task gave it (`"peak_3k_viewers"`).
    pub key: String,
    /// The figure the threshold applies to.
    pub metric: BonusMetric,
    /// The value the metric must reach (inclusive), `k`/`m` expanded.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub threshold: Decimal,
}

impl PerformanceBonusKey {
    /// Parses `[qualifier_]<amount>[k|m]_<metric>`; an unparseable key gets a
    /// message listing the supported forms.
    pub fn parse(key: &str) -> Result<Self, String> {
        let fail = || format!("unsupported performance bonus key '{key}': {PERFORMANCE_KEY_FORMS}");
        let lower = key.trim().to_ascii_lowercase();
        let segments: Vec<&str> = lower.split('_').collect();
        if segments
            .iter()
            .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
        {
            return Err(fail());
        }
        let Some(at) = segments.iter().position(|s| parse_quantity(s).is_some()) else {
            return Err(fail());
        };
        let threshold = parse_quantity(segments[at]).ok_or_else(fail)?;
        let qualifiers = &segments[..at];
        if qualifiers.iter().any(|q| q.contains('.')) {
            return Err(fail());
        }
        let metric_name = segments[at + 1..].join("_");
        let metric = match metric_name.as_str() {
            "viewers" if qualifiers.last() == Some(&"unique") => BonusMetric::UniqueViewers,
            "answered" if qualifiers.last() == Some(&"questions") => BonusMetric::QuestionsAnswered,
            "" | "pcu" => return Err(fail()),
            other => BonusMetric::from_name(other).ok_or_else(fail)?,
        };
        Ok(PerformanceBonusKey {
            key: key.to_string(),
            metric,
            threshold,
        })
    }

    /// The condition in words for a payout line: `gmv >= 50000`.
    pub fn condition_text(&self) -> String {
        format!("{} >= {}", self.metric.name(), self.threshold.normalize())
    }
}

/// Reads a count or amount with an optional `k` (thousand) or `m` (million)
/// suffix: `50`, `50k`, `1.5k`, `2m`, `1000.00`. Case-insensitive. `None` if not one.
pub fn parse_quantity(text: &str) -> Option<Decimal> {
    let lower = text.trim().to_ascii_lowercase();
    let (digits, factor) = if let Some(d) = lower.strip_suffix('k') {
        (d, Decimal::from(1_000))
    } else if let Some(d) = lower.strip_suffix('m') {
        (d, Decimal::from(1_000_000))
    } else {
        (lower.as_str(), Decimal::ONE)
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || !all_digits(frac) {
        return None;
    }
    Decimal::from_str_exact(digits)
        .ok()
        .and_then(|d| d.checked_mul(factor))
}

/// When a conditional bonus is earned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BonusCondition {
    /// Session `later_session`'s figure exceeds session `earlier_session`'s by
    /// strictly more than `min_growth_pct` percent (sessions numbered from 1; the
    /// seed calls them weeks). The seed's `viewers` here means per-session unique
    /// viewers.
    Growth {
        /// The per-session figure compared.
        metric: BonusMetric,
        /// The session whose figure must be higher (1-based).
        later_session: u32,
        /// The session compared against (1-based).
        earlier_session: u32,
        /// Growth must be strictly greater than this many percent.
        #[serde(with = "rust_decimal::serde::arbitrary_precision")]
        min_growth_pct: Decimal,
    },
    /// The task's (series) figure is at least `threshold` (`50+ questions answered`,
    /// `gmv >= 100k`).
    AtLeast {
        /// The figure compared.
        metric: BonusMetric,
        /// Inclusive lower bound.
        #[serde(with = "rust_decimal::serde::arbitrary_precision")]
        threshold: Decimal,
    },
    /// The task's (series) figure is strictly greater than `threshold` (`orders > 500`).
    GreaterThan {
        /// The figure compared.
        metric: BonusMetric,
        /// Exclusive lower bound.
        #[serde(with = "rust_decimal::serde::arbitrary_precision")]
        threshold: Decimal,
    },
    /// Every session of the task is completed (a bare amount such as
    /// `series_completion_bonus: 1000.00`).
    SeriesCompleted,
}

impl BonusCondition {
    /// The highest session number the condition refers to, for checking it against
    /// the task's session count.
    pub fn max_session(&self) -> Option<u32> {
        match self {
            BonusCondition::Growth {
                later_session,
                earlier_session,
                ..
            } => Some((*later_session).max(*earlier_session)),
            _ => None,
        }
    }
}

impl fmt::Display for BonusCondition {
    /// A normalised statement of the condition, e.g.
    /// `unique_viewers of session 4 > session 1 by more than 30%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BonusCondition::Growth {
                metric,
                later_session,
                earlier_session,
                min_growth_pct,
            } => write!(
                f,
                "{metric} of session {later_session} > session {earlier_session} by more than {}%",
                min_growth_pct.normalize()
            ),
            BonusCondition::AtLeast { metric, threshold } => {
                write!(f, "{metric} >= {}", threshold.normalize())
            }
            BonusCondition::GreaterThan { metric, threshold } => {
                write!(f, "{metric} > {}", threshold.normalize())
            }
            BonusCondition::SeriesCompleted => f.write_str("every session completed"),
        }
    }
}

/// The grammar an invalid conditional bonus is told about.
const CONDITIONAL_FORMS: &str = "expected an amount (paid when every session of the series is completed) or \"<amount> <CCY> if <condition>\" with a condition such as \"Week 4 viewers > Week 1 by 30%\", \"50+ questions answered\", \"gmv >= 100k\" or \"peak_viewers > 3000\"";

/// A `*_bonus` field of a commission structure: `amount` is paid when `condition`
/// holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionalBonus {
    /// The field name (`growth_bonus`).
    pub field: String,
    /// The amount paid, in the task currency.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub amount: Decimal,
    /// When it is paid.
    pub condition: BonusCondition,
    /// The condition as the task wrote it (`Week 4 viewers > Week 1 by 30%`), or a
    /// description for a bare amount.
    pub condition_text: String,
}

impl ConditionalBonus {
    /// Parses a `*_bonus` field's value. An amount alone (a number, or a
    /// decimal string such as `"1000.00"`) is a series-completion bonus; a
    /// string must otherwise be `<amount> <CCY> if <condition>` in the task's
    /// currency.
    /// Anything else is an error naming the accepted grammar. Session numbers are
    /// not checked against the task here (see [`BonusCondition::max_session`]).
    pub fn parse(
        field: &str,
        value: &Value,
        currency: Currency,
    ) -> Result<ConditionalBonus, String> {
        let amount_alone =
            value.is_number() || (value.is_string() && money::parse_amount(value).is_ok());
        if amount_alone {
            let amount = money::parse_amount(value)?;
            money::check_amount(amount, currency)?;
            return Ok(ConditionalBonus {
                field: field.to_string(),
                amount,
                condition: BonusCondition::SeriesCompleted,
                condition_text: "every session of the series completed".to_string(),
            });
        }
        match value {
            Value::String(text) => parse_conditional_text(field, text, currency),
            other => Err(format!(
                "{field} is {}: {CONDITIONAL_FORMS}",
                money::json_kind(other)
            )),
        }
    }
}

fn parse_conditional_text(
    field: &str,
    text: &str,
    currency: Currency,
) -> Result<ConditionalBonus, String> {
    let fail = |why: &str| format!("cannot read {text:?} ({why}): {CONDITIONAL_FORMS}");
    let words = words_with_offsets(text);
    let Some(if_at) = words.iter().position(|(_, w)| w.eq_ignore_ascii_case("if")) else {
        return Err(fail("no 'if'"));
    };
    let [(_, amount_text), (_, code)] = words[..if_at] else {
        return Err(fail("expected '<amount> <CCY>' before 'if'"));
    };
    let amount = money::parse_amount(&Value::String(amount_text.to_string()))
        .map_err(|_| fail(&format!("'{amount_text}' is not an amount")))?;
    money::check_amount(amount, currency)?;
    let bonus_currency = Currency::parse(&code.to_ascii_uppercase())
        .map_err(|_| fail(&format!("'{code}' is not a currency code")))?;
    if bonus_currency != currency {
        return Err(format!(
            "is in {bonus_currency} but the task's currency is {currency}"
        ));
    }
    let Some(&(cond_at, _)) = words.get(if_at + 1) else {
        return Err(fail("nothing after 'if'"));
    };
    let condition_text = text[cond_at..].trim().to_string();
    let condition = parse_condition(&condition_text).map_err(|why| fail(&why))?;
    Ok(ConditionalBonus {
        field: field.to_string(),
        amount,
        condition,
        condition_text,
    })
}

/// Splits on whitespace, keeping each word's byte offset.
fn words_with_offsets(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// Parses the part after `if`.
pub fn parse_condition(text: &str) -> Result<BonusCondition, String> {
    let norm = text
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase()
        .replace('≥', " >= ");
    let tokens: Vec<&str> = norm.split_whitespace().collect();
    if tokens.is_empty() {
        return Err("empty condition".to_string());
    }
    if matches!(tokens[0], "week" | "session") {
        return parse_growth(&tokens);
    }
    let joined = tokens.join(" ");
    if matches!(
        joined.as_str(),
        "series completed" | "all sessions completed" | "every session completed"
    ) {
        return Ok(BonusCondition::SeriesCompleted);
    }
    if let Some(count) = tokens[0].strip_suffix('+') {
        let threshold =
            parse_quantity(count).ok_or_else(|| format!("'{}' is not a number", tokens[0]))?;
        let metric = metric_from_words(&tokens[1..])?;
        return Ok(BonusCondition::AtLeast { metric, threshold });
    }
    let (lhs, op, rhs) = if let Some((l, r)) = joined.split_once(">=") {
        (l, ">=", r)
    } else if let Some((l, r)) = joined.split_once('>') {
        (l, ">", r)
    } else {
        return Err("no comparison (>= or >) found".to_string());
    };
    let lhs: Vec<&str> = lhs.split_whitespace().collect();
    let metric = metric_from_words(&lhs)?;
    let threshold =
        parse_quantity(rhs).ok_or_else(|| format!("'{}' is not a number", rhs.trim()))?;
    Ok(if op == ">=" {
        BonusCondition::AtLeast { metric, threshold }
    } else {
        BonusCondition::GreaterThan { metric, threshold }
    })
}

fn metric_from_words(words: &[&str]) -> Result<BonusMetric, String> {
    let name = words.join("_");
    BonusMetric::from_name(&name).ok_or_else(|| {
        let known: Vec<&str> = BonusMetric::ALL.iter().map(|m| m.name()).collect();
        format!(
            "unknown metric '{}' (known: {})",
            words.join(" "),
            known.join(", ")
        )
    })
}

/// `week N <metric> > week M [<metric>] [by P%]`.
fn parse_growth(tokens: &[&str]) -> Result<BonusCondition, String> {
    let session = |t: &str| -> Result<u32, String> {
        match t.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!("'{t}' is not a week number (1, 2, …)")),
        }
    };
    let Some(gt) = tokens.iter().position(|t| *t == ">") else {
        return Err("expected 'Week N <metric> > Week M by P%'".to_string());
    };
    let (lhs, rhs) = (&tokens[..gt], &tokens[gt + 1..]);
    let [_, later, metric_words @ ..] = lhs else {
        return Err("expected 'Week N <metric>' before '>'".to_string());
    };
    let later_session = session(later)?;
    let metric = growth_metric(metric_words)?;
    let [kind, earlier, rest @ ..] = rhs else {
        return Err("expected 'Week M' after '>'".to_string());
    };
    if !matches!(*kind, "week" | "session") {
        return Err(format!("expected 'Week M' after '>', found '{kind}'"));
    }
    let earlier_session = session(earlier)?;
    let by_at = rest.iter().position(|t| *t == "by");
    let (repeat, pct_tokens) = match by_at {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    if !repeat.is_empty() && growth_metric(repeat)? != metric {
        return Err("both sides of '>' must name the same metric".to_string());
    }
    let min_growth_pct = match pct_tokens {
        None => Decimal::ZERO,
        Some(p) => {
            let text = p.concat();
            let number = text.strip_suffix('%').ok_or_else(|| {
                format!("expected a percentage after 'by', found '{}'", p.join(" "))
            })?;
            parse_quantity(number)
                .filter(|_| !number.ends_with(['k', 'm']))
                .ok_or_else(|| format!("'{text}' is not a percentage"))?
        }
    };
    if later_session == earlier_session {
        return Err("compares a week with itself".to_string());
    }
    Ok(BonusCondition::Growth {
        metric,
        later_session,
        earlier_session,
        min_growth_pct,
    })
}

/// In a growth condition, plain `viewers` means per-session unique viewers.
fn growth_metric(words: &[&str]) -> Result<BonusMetric, String> {
    let metric = if words == ["viewers"] {
        BonusMetric::UniqueViewers
    } else {
        metric_from_words(words)?
    };
    if metric.is_per_session() {
        Ok(metric)
    } else {
        Err(format!("{metric} is not a per-session figure"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use serde_json::json;

    fn cny() -> Currency {
        Currency::parse("CNY").unwrap()
    }

    fn key(k: &str) -> PerformanceBonusKey {
        PerformanceBonusKey::parse(k).unwrap()
    }

    #[test]
    fn seed_performance_keys() {
        assert_eq!(
            (key("50k_gmv").metric, key("50k_gmv").threshold),
            (BonusMetric::Gmv, dec!(50000))
        );
        assert_eq!(key("100k_gmv").threshold, dec!(100000));
        assert_eq!(key("300k_gmv").threshold, dec!(300000));
        let peak = key("peak_3k_viewers");
        assert_eq!(
            (peak.metric, peak.threshold),
            (BonusMetric::PeakViewers, dec!(3000))
        );
        assert_eq!(peak.key, "peak_3k_viewers");
        let viral = key("viral_highlight_100k_views");
        assert_eq!(
            (viral.metric, viral.threshold),
            (BonusMetric::HighlightViews, dec!(100000))
        );
    }

    #[test]
    fn other_performance_keys() {
        assert_eq!(
            (key("500_orders").metric, key("500_orders").threshold),
            (BonusMetric::Orders, dec!(500))
        );
        let u = key("1.5k_unique_viewers");
        assert_eq!(
            (u.metric, u.threshold),
            (BonusMetric::UniqueViewers, dec!(1500))
        );
        assert_eq!(key("unique_2k_viewers").metric, BonusMetric::UniqueViewers);
        assert_eq!(key("3k_viewers").metric, BonusMetric::PeakViewers);
        assert_eq!(key("50_questions").metric, BonusMetric::Questions);
        assert_eq!(
            key("40_questions_answered").metric,
            BonusMetric::QuestionsAnswered
        );
        assert_eq!(key("1m_gmv").threshold, dec!(1000000));
        assert_eq!(key("50K_GMV").threshold, dec!(50000));
        assert_eq!(key("50k_gmv").condition_text(), "gmv >= 50000");
    }

    #[test]
    fn bad_performance_keys_list_the_forms() {
        for bad in [
            "75x_gmv",
            "gmv",
            "50k",
            "50k_",
            "_50k_gmv",
            "50k__gmv",
            "50k_likes",
            "big_bonus",
            "",
            "1.5.2k_gmv",
            "50k_gmv_bonus",
            "5e3_gmv",
        ] {
            let err = PerformanceBonusKey::parse(bad).unwrap_err();
            assert!(
                err.contains("[qualifier_]<amount>[k|m]_<metric>"),
                "{bad}: {err}"
            );
            assert!(err.contains(&format!("'{bad}'")), "{bad}: {err}");
        }
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("50"), Some(dec!(50)));
        assert_eq!(parse_quantity("1.5k"), Some(dec!(1500)));
        assert_eq!(parse_quantity("2M"), Some(dec!(2000000)));
        assert_eq!(parse_quantity("1000.00"), Some(dec!(1000)));
        for bad in ["", "k", "1..5", "-5", "1,000", "5x", ".5", "5."] {
            assert_eq!(parse_quantity(bad), None, "{bad}");
        }
    }

    #[test]
    fn metric_names() {
        for m in BonusMetric::ALL {
            assert_eq!(BonusMetric::from_name(m.name()), Some(m));
            assert_eq!(serde_json::to_value(m).unwrap(), json!(m.name()));
        }
        assert_eq!(
            BonusMetric::from_name("Peak Viewers"),
            Some(BonusMetric::PeakViewers)
        );
        assert_eq!(BonusMetric::from_name("likes"), None);
    }

    #[test]
    fn workflow_2_growth_bonus() {
        let b = ConditionalBonus::parse(
            "growth_bonus",
            &json!("500 CNY if Week 4 viewers > Week 1 by 30%"),
            cny(),
        )
        .unwrap();
        assert_eq!(b.field, "growth_bonus");
        assert_eq!(b.amount, dec!(500));
        assert_eq!(b.condition_text, "Week 4 viewers > Week 1 by 30%");
        assert_eq!(
            b.condition,
            BonusCondition::Growth {
                metric: BonusMetric::UniqueViewers,
                later_session: 4,
                earlier_session: 1,
                min_growth_pct: dec!(30),
            }
        );
        assert_eq!(b.condition.max_session(), Some(4));
        assert_eq!(
            b.condition.to_string(),
            "unique_viewers of session 4 > session 1 by more than 30%"
        );
    }

    #[test]
    fn growth_variants() {
        let c = parse_condition("week 3 gmv > week 2 gmv by 12.5 %").unwrap();
        assert_eq!(
            c,
            BonusCondition::Growth {
                metric: BonusMetric::Gmv,
                later_session: 3,
                earlier_session: 2,
                min_growth_pct: dec!(12.5),
            }
        );
        let c = parse_condition("Session 2 orders > Session 1").unwrap();
        assert!(
            matches!(c, BonusCondition::Growth { min_growth_pct, .. } if min_growth_pct.is_zero())
        );
        for bad in [
            "Week 0 viewers > Week 1 by 30%",
            "Week 4 viewers > Week 4 by 30%",
            "Week 4 views > Week 1 by 30%",
            "Week 4 viewers > Week 1 by 30",
            "Week 4 viewers > Month 1 by 30%",
            "Week 4 viewers > Week 1 gmv by 30%",
            "Week four viewers > Week 1 by 30%",
            "Week 4 viewers",
        ] {
            assert!(parse_condition(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn workflow_3_questions_answered() {
        let b = ConditionalBonus::parse(
            "high_engagement_bonus",
            &json!("300 CNY if 50+ questions answered"),
            cny(),
        )
        .unwrap();
        assert_eq!(b.amount, dec!(300));
        assert_eq!(
            b.condition,
            BonusCondition::AtLeast {
                metric: BonusMetric::QuestionsAnswered,
                threshold: dec!(50)
            }
        );
        assert_eq!(
            parse_condition("50+ questions").unwrap(),
            BonusCondition::AtLeast {
                metric: BonusMetric::Questions,
                threshold: dec!(50)
            }
        );
    }

    #[test]
    fn comparison_conditions() {
        assert_eq!(
            parse_condition("gmv >= 100k").unwrap(),
            BonusCondition::AtLeast {
                metric: BonusMetric::Gmv,
                threshold: dec!(100000)
            }
        );
        assert_eq!(
            parse_condition("peak_viewers > 3000").unwrap(),
            BonusCondition::GreaterThan {
                metric: BonusMetric::PeakViewers,
                threshold: dec!(3000)
            }
        );
        assert_eq!(
            parse_condition("Unique Viewers>=1.5k").unwrap(),
            BonusCondition::AtLeast {
                metric: BonusMetric::UniqueViewers,
                threshold: dec!(1500)
            }
        );
        assert_eq!(
            parse_condition("orders ≥ 500.").unwrap(),
            BonusCondition::AtLeast {
                metric: BonusMetric::Orders,
                threshold: dec!(500)
            }
        );
        assert_eq!(
            parse_condition("highlight_views > 1m").unwrap(),
            BonusCondition::GreaterThan {
                metric: BonusMetric::HighlightViews,
                threshold: dec!(1000000)
            }
        );
        assert_eq!(
            parse_condition("all sessions completed").unwrap(),
            BonusCondition::SeriesCompleted
        );
        for bad in [
            "likes > 5",
            "gmv >= lots",
            "gmv = 5",
            "gmv < 5",
            "",
            "50+ likes",
        ] {
            assert!(parse_condition(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bare_amount_is_series_completion() {
        let v: Value = serde_json::from_str("1000.00").unwrap();
        let b = ConditionalBonus::parse("series_completion_bonus", &v, cny()).unwrap();
        assert_eq!(b.condition, BonusCondition::SeriesCompleted);
        assert_eq!(b.amount.to_string(), "1000.00");
        assert!(ConditionalBonus::parse("x_bonus", &json!(-5), cny()).is_err());
        assert!(ConditionalBonus::parse("x_bonus", &json!(0.001), cny()).is_err());
    }

    #[test]
    fn currency_must_match_the_task() {
        let err = ConditionalBonus::parse("growth_bonus", &json!("500 USD if gmv >= 1k"), cny())
            .unwrap_err();
        assert!(err.contains("USD") && err.contains("CNY"), "{err}");
        assert!(
            ConditionalBonus::parse("growth_bonus", &json!("500 cny if gmv >= 1k"), cny()).is_ok()
        );
    }

    #[test]
    fn anything_else_names_the_grammar() {
        for v in [
            json!("a lot if they do well"),
            json!("500 CNY when gmv >= 1k"),
            json!("500 if gmv >= 1k"),
            json!("500 CNY if"),
            json!("500 CNY if the host smiles"),
            json!("CNY 500 if gmv >= 1k"),
            json!(true),
            json!({"amount": 5}),
            json!(null),
        ] {
            let err = ConditionalBonus::parse("odd_bonus", &v, cny()).unwrap_err();
            assert!(err.contains("<amount> <CCY> if <condition>"), "{v}: {err}");
        }
    }

    #[test]
    fn serialises_with_numbers() {
        let b = ConditionalBonus::parse(
            "growth_bonus",
            &json!("500.00 CNY if Week 2 viewers > Week 1 by 30%"),
            cny(),
        )
        .unwrap();
        let v = serde_json::to_string(&b).unwrap();
        assert!(v.contains("\"amount\":500.00"), "{v}");
        assert!(v.contains("\"type\":\"growth\""), "{v}");
        assert!(v.contains("\"min_growth_pct\":30"), "{v}");
    }
}
