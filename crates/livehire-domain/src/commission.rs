//! A task's `commission_structure` (SPEC §5), parsed and validated once at the edge.
//!
//! Host pay = base + commission_rate × GMV + bonuses earned. The base is
//! `base_payment`, or `base_payment_total` (optionally with `per_session_base` for a
//! series), or the task's `compensation` when neither is given; when both a base and
//! `compensation` are given they must agree.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::bonus::{ConditionalBonus, PerformanceBonusKey};
use crate::error::{FieldError, join};
use crate::money::{self, Currency};

/// The JSON path of the structure in a task body.
const ROOT: &str = "commission_structure";

/// The only `commission_type` there is.
pub const PERCENTAGE_OF_GMV: &str = "percentage_of_gmv";

/// What the commission structure is checked against: the task's own fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommissionContext {
    /// The task's `compensation` (already validated as a positive amount).
    pub compensation: Decimal,
    /// The task's currency.
    pub currency: Currency,
    /// Number of sessions of the task (1 for a single live session).
    pub session_count: u32,
}

/// A validated commission structure. It serialises to JSON and reads back
/// without the rules (a stored task's terms).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionStructure {
    /// The task's currency; every amount here is in it.
    pub currency: Currency,
    /// Number of sessions the base covers (at least 1).
    pub session_count: u32,
    /// The whole base payment for the task (or the series).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub base_total: Decimal,
    /// The base per session of a series, when the task gave one.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub per_session_base: Option<Decimal>,
    /// Share of GMV paid as commission, 0..=1 (`0.08` is 8 %).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub commission_rate: Decimal,
    /// Performance bonus tiers with their amounts, in the task's order (serialised
    /// as a list of `{key, metric, threshold, amount}`).
    #[serde(
        serialize_with = "serialize_tiers",
        deserialize_with = "deserialize_tiers"
    )]
    pub performance_bonuses: Vec<(PerformanceBonusKey, Decimal)>,
    /// `bonus_mode: "cumulative"`: pay every tier reached rather than only the best
    /// tier of each metric.
    pub cumulative: bool,
    /// The `*_bonus` fields, in the task's order.
    pub conditional_bonuses: Vec<ConditionalBonus>,
}

impl CommissionStructure {
    /// The structure of a task without `commission_structure`: its compensation as
    /// the base, no commission, no bonuses.
    pub fn base_only(ctx: &CommissionContext) -> CommissionStructure {
        CommissionStructure {
            currency: ctx.currency,
            session_count: ctx.session_count.max(1),
            base_total: ctx.compensation,
            per_session_base: None,
            commission_rate: Decimal::ZERO,
            performance_bonuses: Vec::new(),
            cumulative: false,
            conditional_bonuses: Vec::new(),
        }
    }

    /// The same structure with `base_total` as the whole base: the base agreed
    /// when the host was assigned (a proposed compensation the agent
    /// accepted). A series' `per_session_base` keeps its share of the total.
    pub fn with_base(&self, base_total: Decimal) -> CommissionStructure {
        if base_total == self.base_total {
            return self.clone();
        }
        let per_session_base = self.per_session_base.map(|per_session| {
            let share = if self.base_total.is_zero() {
                base_total / Decimal::from(self.session_count.max(1))
            } else {
                per_session * base_total / self.base_total
            };
            money::round(share, self.currency)
        });
        CommissionStructure {
            base_total,
            per_session_base,
            ..self.clone()
        }
    }

    /// Parses and validates `commission_structure` against the task, collecting
    /// every problem with its path (`commission_structure.commission_rate`,
    /// `commission_structure.performance_bonuses.75x_gmv`). Absent or `null` means
    /// [`CommissionStructure::base_only`]. Fields it does not know are ignored
    /// (the caller keeps the body verbatim).
    pub fn parse(
        cs: Option<&Value>,
        ctx: &CommissionContext,
    ) -> Result<CommissionStructure, Vec<FieldError>> {
        let obj = match cs {
            None | Some(Value::Null) => return Ok(Self::base_only(ctx)),
            Some(Value::Object(obj)) => obj,
            Some(other) => {
                return Err(vec![FieldError::new(
                    ROOT,
                    format!("must be an object, got {}", money::json_kind(other)),
                )]);
            }
        };
        let mut p = Parsing {
            obj,
            ctx,
            errors: Vec::new(),
        };
        let mut out = Self::base_only(ctx);
        if let Some((base_total, per_session)) = p.base() {
            out.base_total = base_total;
            out.per_session_base = per_session;
        }
        p.commission_type();
        if let Some(rate) = p.commission_rate() {
            out.commission_rate = rate;
        }
        out.performance_bonuses = p.performance_bonuses();
        out.cumulative = p.cumulative();
        out.conditional_bonuses = p.conditional_bonuses();
        if p.errors.is_empty() {
            Ok(out)
        } else {
            Err(p.errors)
        }
    }
}

/// One performance bonus tier on the wire.
#[derive(Serialize)]
struct TierView<'a> {
    #[serde(flatten)]
    key: &'a PerformanceBonusKey,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    amount: Decimal,
}

fn serialize_tiers<S: serde::Serializer>(
    tiers: &[(PerformanceBonusKey, Decimal)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(tiers.iter().map(|(key, amount)| TierView {
        key,
        amount: *amount,
    }))
}

/// One performance bonus tier as [`serialize_tiers`] writes it.
#[derive(Deserialize)]
struct StoredTier {
    key: String,
    metric: crate::bonus::BonusMetric,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    threshold: Decimal,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    amount: Decimal,
}

fn deserialize_tiers<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(PerformanceBonusKey, Decimal)>, D::Error> {
    let tiers = Vec::<StoredTier>::deserialize(deserializer)?;
    Ok(tiers
        .into_iter()
        .map(|t| {
            let key = PerformanceBonusKey {
                key: t.key,
                metric: t.metric,
                threshold: t.threshold,
            };
            (key, t.amount)
        })
        .collect())
}

struct Parsing<'a> {
    obj: &'a Map<String, Value>,
    ctx: &'a CommissionContext,
    errors: Vec<FieldError>,
}

impl<'a> Parsing<'a> {
    fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .push(FieldError::new(join(ROOT, field), message));
    }

    /// A present, non-null field.
    fn field(&self, name: &str) -> Option<&'a Value> {
        let obj: &'a Map<String, Value> = self.obj;
        obj.get(name).filter(|v| !v.is_null())
    }

    /// Reads a money field: a non-negative amount with a valid scale.
    fn amount(&mut self, name: &str) -> Option<Decimal> {
        let value = self.field(name)?;
        let checked = money::parse_amount(value)
            .and_then(|a| money::check_amount(a, self.ctx.currency).map(|()| a));
        match checked {
            Ok(a) => Some(a),
            Err(message) => {
                self.error(name, message);
                None
            }
        }
    }

    /// Resolves the base: `(base_total, per_session_base)`, or `None` when it is the
    /// compensation (or when a base field is invalid — the error is recorded).
    fn base(&mut self) -> Option<(Decimal, Option<Decimal>)> {
        let errors_before = self.errors.len();
        let compensation = self.ctx.compensation;
        let sessions = self.ctx.session_count.max(1);
        let base_payment = self.amount("base_payment");
        let base_total_field = self.amount("base_payment_total");
        let per_session = self.amount("per_session_base");

        for (name, value) in [
            ("base_payment", base_payment),
            ("base_payment_total", base_total_field),
        ] {
            if let Some(v) = value
                && v != compensation
            {
                self.error(
                    name,
                    format!(
                        "must equal compensation ({compensation}) when both are given, got {v}"
                    ),
                );
            }
        }
        let stated = base_total_field.or(base_payment);
        if let Some(per) = per_session {
            let product = per.checked_mul(Decimal::from(sessions));
            let (target_name, target) = match (base_total_field, base_payment) {
                (Some(t), _) => ("base_payment_total", t),
                (None, Some(b)) => ("base_payment", b),
                (None, None) => ("compensation", compensation),
            };
            if product != Some(target) {
                let product_text =
                    product.map_or_else(|| "too large".to_string(), |p| p.to_string());
                self.error(
                    "per_session_base",
                    format!(
                        "{per} × {sessions} session(s) = {product_text} must equal {target_name} ({target})"
                    ),
                );
            }
        }
        if self.errors.len() == errors_before {
            Some((stated.unwrap_or(compensation), per_session))
        } else {
            None
        }
    }

    fn commission_type(&mut self) {
        let Some(value) = self.field("commission_type") else {
            return;
        };
        if value.as_str() != Some(PERCENTAGE_OF_GMV) {
            self.error(
                "commission_type",
                format!("must be \"{PERCENTAGE_OF_GMV}\", got {value}"),
            );
        }
    }

    fn commission_rate(&mut self) -> Option<Decimal> {
        let value = self.field("commission_rate")?;
        match money::parse_amount(value) {
            Ok(rate) if rate >= Decimal::ZERO && rate <= Decimal::ONE => Some(rate),
            Ok(rate) => {
                self.error(
                    "commission_rate",
                    format!("must be between 0 and 1 (0.08 means 8%), got {rate}"),
                );
                None
            }
            Err(message) => {
                self.error(
                    "commission_rate",
                    format!("{message}; must be between 0 and 1"),
                );
                None
            }
        }
    }

    fn performance_bonuses(&mut self) -> Vec<(PerformanceBonusKey, Decimal)> {
        let Some(value) = self.field("performance_bonuses") else {
            return Vec::new();
        };
        let Some(map) = value.as_object() else {
            let kind = money::json_kind(value);
            self.error(
                "performance_bonuses",
                format!("must be an object of bonus key → amount (e.g. {{\"50k_gmv\": 800.00}}), got {kind}"),
            );
            return Vec::new();
        };
        let currency = self.ctx.currency;
        let mut out = Vec::new();
        for (key, amount) in map {
            let path = join("performance_bonuses", key);
            let parsed_key = PerformanceBonusKey::parse(key);
            let parsed_amount = money::parse_amount(amount)
                .and_then(|a| money::check_amount(a, currency).map(|()| a));
            match (parsed_key, parsed_amount) {
                (Ok(k), Ok(a)) => out.push((k, a)),
                (k, a) => {
                    if let Err(message) = k {
                        self.error(&path, message);
                    }
                    if let Err(message) = a {
                        self.error(&path, format!("amount {message}"));
                    }
                }
            }
        }
        out
    }

    fn cumulative(&mut self) -> bool {
        let Some(value) = self.field("bonus_mode") else {
            return false;
        };
        match value.as_str() {
            Some("cumulative") => true,
            Some("highest_tier") => false,
            _ => {
                self.error(
                    "bonus_mode",
                    format!(
                        "must be \"highest_tier\" (the default) or \"cumulative\", got {value}"
                    ),
                );
                false
            }
        }
    }

    fn conditional_bonuses(&mut self) -> Vec<ConditionalBonus> {
        let sessions = self.ctx.session_count.max(1);
        let mut out = Vec::new();
        for (field, value) in self.obj {
            if !field.ends_with("_bonus") || value.is_null() {
                continue;
            }
            match ConditionalBonus::parse(field, value, self.ctx.currency) {
                Ok(bonus) => match bonus.condition.max_session() {
                    Some(week) if week > sessions => self.error(
                        field,
                        format!("refers to week {week} but the task has {sessions} session(s)"),
                    ),
                    _ => out.push(bonus),
                },
                Err(message) => self.error(field, message),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bonus::{BonusCondition, BonusMetric};
    use rust_decimal_macros::dec;
    use serde_json::json;

    pub(crate) fn ctx(compensation: Decimal, sessions: u32) -> CommissionContext {
        CommissionContext {
            compensation,
            currency: Currency::parse("CNY").unwrap(),
            session_count: sessions,
        }
    }

    fn parse(cs: Value, ctx: &CommissionContext) -> Result<CommissionStructure, Vec<FieldError>> {
        CommissionStructure::parse(Some(&cs), ctx)
    }

    /// Parses the JSON text the way the server does (arbitrary precision).
    fn body(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn paths(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.path.as_str()).collect()
    }

    #[test]
    fn getting_started_step_3() {
        let cs = parse(
            body(
                r#"{"base_payment": 1500.00, "commission_rate": 0.08,
                    "performance_bonuses": {"50k_gmv": 800.00, "100k_gmv": 2000.00, "200k_gmv": 5000.00}}"#,
            ),
            &ctx(dec!(1500.00), 1),
        )
        .unwrap();
        assert_eq!(cs.base_total, dec!(1500));
        assert_eq!(cs.commission_rate, dec!(0.08));
        assert!(!cs.cumulative);
        let tiers: Vec<(&str, Decimal, Decimal)> = cs
            .performance_bonuses
            .iter()
            .map(|(k, a)| (k.key.as_str(), k.threshold, *a))
            .collect();
        assert_eq!(
            tiers,
            vec![
                ("50k_gmv", dec!(50000), dec!(800)),
                ("100k_gmv", dec!(100000), dec!(2000)),
                ("200k_gmv", dec!(200000), dec!(5000)),
            ]
        );
        assert!(cs.conditional_bonuses.is_empty());
    }

    #[test]
    fn an_agreed_base_replaces_the_base_and_keeps_the_rest() {
        let cs = parse(
            body(r#"{"base_payment": 1500.00, "commission_rate": 0.08}"#),
            &ctx(dec!(1500.00), 1),
        )
        .unwrap();
        assert_eq!(cs.with_base(dec!(1500)), cs);
        let agreed = cs.with_base(dec!(2000));
        assert_eq!(agreed.base_total, dec!(2000));
        assert_eq!(agreed.per_session_base, None);
        assert_eq!(agreed.commission_rate, dec!(0.08));
        // A series' per-session base keeps its share: 1,500 of 6,000 → 1,750 of 7,000.
        let series = parse(
            body(r#"{"base_payment_total": 6000.00, "per_session_base": 1500.00, "commission_rate": 0.08}"#),
            &ctx(dec!(6000.00), 4),
        )
        .unwrap();
        let agreed = series.with_base(dec!(7000));
        assert_eq!(
            (agreed.base_total, agreed.per_session_base),
            (dec!(7000), Some(dec!(1750)))
        );
    }

    #[test]
    fn workflow_1_launch_premiere() {
        let cs = parse(
            body(
                r#"{"base_payment": 5000.00, "commission_rate": 0.10,
                    "performance_bonuses": {"100k_gmv": 3000.00, "200k_gmv": 8000.00,
                    "300k_gmv": 15000.00, "viral_highlight_100k_views": 1500.00}}"#,
            ),
            &ctx(dec!(5000.00), 1),
        )
        .unwrap();
        assert_eq!(cs.base_total, dec!(5000));
        assert_eq!(cs.commission_rate, dec!(0.1));
        assert_eq!(cs.performance_bonuses.len(), 4);
        assert_eq!(
            cs.performance_bonuses[3].0.metric,
            BonusMetric::HighlightViews
        );
    }

    #[test]
    fn workflow_2_weekly_series() {
        let cs = parse(
            body(
                r#"{"base_payment_total": 6000.00, "per_session_base": 1500.00, "commission_rate": 0.08,
                    "series_completion_bonus": 1000.00,
                    "growth_bonus": "500 CNY if Week 4 viewers > Week 1 by 30%"}"#,
            ),
            &ctx(dec!(6000.00), 4),
        )
        .unwrap();
        assert_eq!(cs.base_total, dec!(6000));
        assert_eq!(cs.per_session_base, Some(dec!(1500)));
        assert_eq!(cs.session_count, 4);
        assert_eq!(cs.conditional_bonuses.len(), 2);
        assert_eq!(cs.conditional_bonuses[0].field, "series_completion_bonus");
        assert_eq!(
            cs.conditional_bonuses[0].condition,
            BonusCondition::SeriesCompleted
        );
        assert_eq!(cs.conditional_bonuses[0].amount, dec!(1000));
        assert_eq!(cs.conditional_bonuses[1].field, "growth_bonus");
        assert_eq!(cs.conditional_bonuses[1].amount, dec!(500));
    }

    #[test]
    fn workflow_3_qa_session() {
        let cs = parse(
            body(
                r#"{"base_payment": 1800.00, "commission_rate": 0.10,
                    "high_engagement_bonus": "300 CNY if 50+ questions answered"}"#,
            ),
            &ctx(dec!(1800.00), 1),
        )
        .unwrap();
        assert_eq!(cs.base_total, dec!(1800));
        assert_eq!(
            cs.conditional_bonuses[0].condition,
            BonusCondition::AtLeast {
                metric: BonusMetric::QuestionsAnswered,
                threshold: dec!(50)
            }
        );
    }

    #[test]
    fn api_reference_example() {
        let cs = parse(
            body(
                r#"{"base_payment": 2000.00, "commission_type": "percentage_of_gmv", "commission_rate": 0.08,
                    "performance_bonuses": {"50k_gmv": 1000.00, "100k_gmv": 3000.00,
                    "200k_gmv": 7000.00, "peak_3k_viewers": 500.00}}"#,
            ),
            &ctx(dec!(2000.00), 1),
        )
        .unwrap();
        assert_eq!(cs.performance_bonuses.len(), 4);
        assert_eq!(cs.performance_bonuses[3].0.metric, BonusMetric::PeakViewers);
        assert_eq!(cs.performance_bonuses[3].0.threshold, dec!(3000));
    }

    #[test]
    fn absent_means_compensation_as_base_and_no_commission() {
        for cs in [None, Some(&Value::Null)] {
            let s = CommissionStructure::parse(cs, &ctx(dec!(1500.00), 1)).unwrap();
            assert_eq!(s.base_total, dec!(1500));
            assert_eq!(s.commission_rate, Decimal::ZERO);
            assert!(s.performance_bonuses.is_empty() && s.conditional_bonuses.is_empty());
        }
        let s = parse(json!({"commission_rate": 0.05}), &ctx(dec!(900), 1)).unwrap();
        assert_eq!(s.base_total, dec!(900));
        assert_eq!(s.commission_rate, dec!(0.05));
    }

    #[test]
    fn base_must_agree_with_compensation() {
        let errors = parse(json!({"base_payment": 1000}), &ctx(dec!(1500), 1)).unwrap_err();
        assert_eq!(paths(&errors), ["commission_structure.base_payment"]);
        assert!(
            errors[0].message.contains("must equal compensation (1500)"),
            "{errors:?}"
        );
        let errors = parse(json!({"base_payment_total": 5000}), &ctx(dec!(6000), 4)).unwrap_err();
        assert_eq!(paths(&errors), ["commission_structure.base_payment_total"]);
        assert!(parse(json!({"base_payment": 1500}), &ctx(dec!(1500.00), 1)).is_ok());
    }

    #[test]
    fn per_session_base_must_multiply_out() {
        let errors = parse(
            json!({"base_payment_total": 6000, "per_session_base": 1000}),
            &ctx(dec!(6000), 4),
        )
        .unwrap_err();
        assert_eq!(paths(&errors), ["commission_structure.per_session_base"]);
        assert!(
            errors[0]
                .message
                .contains("must equal base_payment_total (6000)"),
            "{errors:?}"
        );
        let alone = parse(json!({"per_session_base": 1500}), &ctx(dec!(6000), 4)).unwrap();
        assert_eq!(
            (alone.base_total, alone.per_session_base),
            (dec!(6000), Some(dec!(1500)))
        );
        let errors = parse(json!({"per_session_base": 1000}), &ctx(dec!(6000), 4)).unwrap_err();
        assert!(errors[0].message.contains("compensation"), "{errors:?}");
    }

    #[test]
    fn every_error_is_collected_with_its_path() {
        let errors = parse(
            json!({
                "base_payment": -5,
                "commission_type": "flat_fee",
                "commission_rate": 8,
                "performance_bonuses": {"75x_gmv": 100, "50k_gmv": -1, "100k_gmv": 0.001},
                "bonus_mode": "all",
                "growth_bonus": "500 CNY if Week 5 viewers > Week 1 by 30%",
                "weird_bonus": "lots",
                "fx_bonus": "5 USD if gmv >= 1",
                "notes": "ignored"
            }),
            &ctx(dec!(1500), 4),
        )
        .unwrap_err();
        assert_eq!(
            paths(&errors),
            [
                "commission_structure.base_payment",
                "commission_structure.commission_type",
                "commission_structure.commission_rate",
                "commission_structure.performance_bonuses.75x_gmv",
                "commission_structure.performance_bonuses.50k_gmv",
                "commission_structure.performance_bonuses.100k_gmv",
                "commission_structure.bonus_mode",
                "commission_structure.growth_bonus",
                "commission_structure.weird_bonus",
                "commission_structure.fx_bonus",
            ]
        );
        let message = |p: &str| {
            errors
                .iter()
                .find(|e| e.path == format!("commission_structure.{p}"))
                .unwrap()
                .message
                .clone()
        };
        assert!(message("commission_rate").contains("must be between 0 and 1"));
        assert!(
            message("performance_bonuses.75x_gmv").contains("[qualifier_]<amount>[k|m]_<metric>")
        );
        assert!(
            message("growth_bonus").contains("week 5")
                && message("growth_bonus").contains("4 session")
        );
        assert!(message("weird_bonus").contains("<amount> <CCY> if <condition>"));
        assert!(
            message("performance_bonuses.100k_gmv")
                .contains("more decimal places than CNY allows (2)")
        );
    }

    #[test]
    fn rate_bounds_are_inclusive() {
        assert!(parse(json!({"commission_rate": 0}), &ctx(dec!(1), 1)).is_ok());
        assert!(parse(json!({"commission_rate": 1}), &ctx(dec!(1), 1)).is_ok());
        for bad in [json!(-0.01), json!(1.01), json!("8%"), json!(true)] {
            let errors = parse(json!({ "commission_rate": bad }), &ctx(dec!(1), 1)).unwrap_err();
            assert_eq!(paths(&errors), ["commission_structure.commission_rate"]);
            assert!(
                errors[0].message.contains("must be between 0 and 1"),
                "{errors:?}"
            );
        }
    }

    #[test]
    fn bonus_mode_and_shapes() {
        let s = parse(json!({"bonus_mode": "cumulative"}), &ctx(dec!(1), 1)).unwrap();
        assert!(s.cumulative);
        let s = parse(json!({"bonus_mode": "highest_tier"}), &ctx(dec!(1), 1)).unwrap();
        assert!(!s.cumulative);
        let errors = parse(json!({"performance_bonuses": [1]}), &ctx(dec!(1), 1)).unwrap_err();
        assert_eq!(paths(&errors), ["commission_structure.performance_bonuses"]);
        let errors = CommissionStructure::parse(Some(&json!("10%")), &ctx(dec!(1), 1)).unwrap_err();
        assert_eq!(paths(&errors), ["commission_structure"]);
    }

    #[test]
    fn series_completion_on_a_single_session_is_allowed() {
        let s = parse(json!({"series_completion_bonus": 100}), &ctx(dec!(1), 1)).unwrap();
        assert_eq!(
            s.conditional_bonuses[0].condition,
            BonusCondition::SeriesCompleted
        );
        let errors = parse(
            json!({"growth_bonus": "500 CNY if Week 2 viewers > Week 1 by 30%"}),
            &ctx(dec!(1), 1),
        )
        .unwrap_err();
        assert_eq!(paths(&errors), ["commission_structure.growth_bonus"]);
    }

    #[test]
    fn serialises_amounts_as_numbers() {
        let s = parse(
            body(r#"{"base_payment": 1500.00, "commission_rate": 0.08}"#),
            &ctx(dec!(1500.00), 1),
        )
        .unwrap();
        let text = serde_json::to_string(&s).unwrap();
        assert!(text.contains("\"base_total\":1500.00"), "{text}");
        assert!(text.contains("\"commission_rate\":0.08"), "{text}");
        assert!(text.contains("\"currency\":\"CNY\""), "{text}");
        let s = parse(
            body(r#"{"performance_bonuses": {"50k_gmv": 800.00}}"#),
            &ctx(dec!(1), 1),
        )
        .unwrap();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v["performance_bonuses"].to_string(),
            r#"[{"key":"50k_gmv","metric":"gmv","threshold":50000,"amount":800.00}]"#
        );
    }
}
