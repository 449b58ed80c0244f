//! Task bodies (`POST /api/v1/tasks`): the seed's whole body, typed where the
//! rules need it and validated with the path of every bad field.
//!
//! The body itself is kept verbatim by the caller; [`TaskDraft`] is the typed
//! view the rules run on. It is parsed once, when the task is posted, and
//! stored beside the body (it serialises to JSON and reads back without the
//! rules), so a rule that changes later does not reinterpret or refuse the
//! terms a task was posted under.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::ops::Bound;

use serde_json::Value;

use crate::commission::{CommissionContext, CommissionStructure};
use crate::error::FieldError;
use crate::json::{Errors, Field, Obj, Path, read};
use crate::limits;
use crate::money::{self, Currency};
use crate::niche::NicheExpr;

/// Session length when a task names none.
pub const DEFAULT_SESSION_MINUTES: u32 = 120;

/// One planned live session of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionPlan {
    /// When it is scheduled (None: to be agreed).
    pub scheduled_time: Option<DateTime<Utc>>,
    /// Planned length.
    pub duration_minutes: u32,
    /// `week` of a `schedule[]` entry, when given.
    pub week: Option<u32>,
    /// `theme` of a `schedule[]` entry, when given.
    pub theme: Option<String>,
}

/// A product the session will sell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// `product_id`, or `prod_<n>` by position when absent.
    pub product_id: String,
    /// `name`.
    pub name: Option<String>,
    /// `retail_price`.
    #[serde(default, with = "rust_decimal::serde::arbitrary_precision_option")]
    pub retail_price: Option<Decimal>,
    /// `live_discount_price` (≤ retail).
    #[serde(default, with = "rust_decimal::serde::arbitrary_precision_option")]
    pub live_discount_price: Option<Decimal>,
    /// `launch_discount` as a percentage, 0–100 (`"30%"` → 30).
    #[serde(default, with = "rust_decimal::serde::arbitrary_precision_option")]
    pub launch_discount: Option<Decimal>,
    /// `stock_quantity`.
    pub stock_quantity: Option<u64>,
    /// `flash_sale_duration_minutes`.
    pub flash_sale_duration_minutes: Option<u32>,
}

/// The typed `requirements` a host must meet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Requirements {
    /// `skills`: the host must have all.
    pub skills: Vec<String>,
    /// `min_followers`.
    pub min_followers: Option<i64>,
    /// `min_avg_live_viewers`.
    pub min_avg_live_viewers: Option<i64>,
    /// `min_avg_gmv_per_session`, hundredths.
    pub min_avg_gmv_cents: Option<i64>,
    /// `min_conversion_rate`.
    pub min_conversion_rate: Option<f64>,
    /// `min_rating`.
    pub min_rating: Option<f64>,
    /// `live_commerce_experience`.
    pub live_commerce_experience: Option<bool>,
    /// `tiktok_shop_verified`.
    pub tiktok_shop_verified: Option<bool>,
    /// `niche` expression.
    pub niche: Option<NicheExpr>,
}

/// The typed view of a task body: the terms a task is posted under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDraft {
    /// `title`.
    pub title: String,
    /// `compensation` (> 0).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub compensation: Decimal,
    /// `currency`.
    pub currency: Currency,
    /// `deadline`.
    pub deadline: DateTime<Utc>,
    /// `requirements`.
    pub requirements: Requirements,
    /// Sessions derived from `scheduled_time` / `schedule[]` / `sessions_count`.
    pub sessions: Vec<SessionPlan>,
    /// `live_session_details.products`.
    pub products: Vec<Product>,
    /// `live_session_details.time_zone`.
    #[serde(default, with = "time_zone_name")]
    pub time_zone: Option<chrono_tz::Tz>,
    /// `commission_structure`, parsed.
    pub commission: CommissionStructure,
    /// How many products a session presents when the task counts them
    /// rather than listing them (`live_session_details.products_count` or
    /// `products_per_session`), for the run-of-show planner.
    #[serde(default)]
    pub products_count: Option<u32>,
}

/// A time zone as its IANA name (`Asia/Shanghai`).
mod time_zone_name {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(tz: &Option<chrono_tz::Tz>, s: S) -> Result<S::Ok, S::Error> {
        match tz {
            Some(tz) => s.serialize_some(tz.name()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<chrono_tz::Tz>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|name| name.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// Rewrites the money fields of a task body that [`TaskDraft::parse`]
/// accepted as JSON numbers with the currency's decimals (`"1500"` and
/// `1500` CNY become `1500.00`, JPY `1500`), so an amount reads back the same
/// however it was sent: `compensation`, `requirements.min_avg_gmv_per_session`,
/// each product's `retail_price` and `live_discount_price`, and in
/// `commission_structure` `base_payment`, `base_payment_total`,
/// `per_session_base`, the `performance_bonuses` amounts and each `*_bonus`
/// given as an amount alone. Every other field is left as sent.
pub fn canonical_money(body: &mut Value, currency: Currency) {
    fn set(v: Option<&mut Value>, currency: Currency) {
        let Some(v) = v else { return };
        if v.is_null() {
            return;
        }
        if let Ok(d) = money::parse_amount(v)
            && let Ok(n) = serde_json::from_str::<Value>(&money::round(d, currency).to_string())
        {
            *v = n;
        }
    }
    set(body.get_mut("compensation"), currency);
    set(
        body.pointer_mut("/requirements/min_avg_gmv_per_session"),
        currency,
    );
    if let Some(products) = body
        .pointer_mut("/live_session_details/products")
        .and_then(Value::as_array_mut)
    {
        for p in products {
            set(p.get_mut("retail_price"), currency);
            set(p.get_mut("live_discount_price"), currency);
        }
    }
    let Some(cs) = body
        .get_mut("commission_structure")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (key, v) in cs.iter_mut() {
        match key.as_str() {
            "base_payment" | "base_payment_total" | "per_session_base" => set(Some(v), currency),
            "performance_bonuses" => {
                for amount in v.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                    set(Some(amount), currency);
                }
            }
            // A conditional bonus is text ("500 CNY if …"); an amount alone
            // is a series-completion bonus.
            k if k.ends_with("_bonus") => set(Some(v), currency),
            _ => {}
        }
    }
}

/// Parses a human duration such as "2 hours", "90 minutes", "1.5h", "45 min".
pub fn parse_duration_minutes(s: &str) -> Option<u32> {
    let s = s.trim().to_lowercase();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = s.split_at(split);
    let n: Decimal = num.parse().ok()?;
    let minutes = match unit.trim() {
        "h" | "hr" | "hrs" | "hour" | "hours" => n * Decimal::from(60),
        "m" | "min" | "mins" | "minute" | "minutes" => n,
        _ => return None,
    };
    let m: u32 = minutes.round().try_into().ok()?;
    (m > 0).then_some(m)
}

/// `amount`, read at `field` in the task's currency: more decimals than the
/// currency has is an error, but the amount is still used, so that the rules
/// reading it (the commission's) report their own errors too.
fn in_currency(
    errs: &mut Errors,
    field: &Field,
    amount: Option<Decimal>,
    currency: Option<Currency>,
) -> Option<Decimal> {
    let d = amount?;
    if let Some(c) = currency
        && let Err(msg) = money::check_scale(d, c)
    {
        errs.add(field.fault(msg));
    }
    Some(d)
}

impl TaskDraft {
    /// Validates a task body at time `now`, returning every problem found.
    pub fn parse(body: &Value, now: DateTime<Utc>) -> Result<TaskDraft, Vec<FieldError>> {
        let Some(root) = Obj::of(body, Path::root()) else {
            return Err(vec![FieldError::new("", "the task must be a JSON object")]);
        };
        let mut errs = Errors::new();
        let title = errs.take(root.field("title").req("is required", read::non_blank));
        if title.as_ref().is_some_and(|t| t.chars().count() > 300) {
            errs.push("title", "must be at most 300 characters");
        }
        errs.take(
            root.field("description")
                .req("is required", read::non_blank),
        );
        if let Some(c) = errs.take(root.field("category").req("is required", read::non_blank))
            && c != "tiktok_live_commerce"
        {
            errs.push("category", "must be \"tiktok_live_commerce\"");
        }
        if let Some(p) = errs.take(root.field("platform").req("is required", read::non_blank))
            && p != "tiktok"
        {
            errs.push("platform", "must be \"tiktok\"");
        }
        let currency = errs.take(
            root.field("currency")
                .req("is required", |v| Currency::parse(&read::non_blank(v)?)),
        );
        let f = root.field("compensation");
        let amount = errs.take(f.req("is required", read::amount));
        let compensation = match in_currency(&mut errs, &f, amount, currency) {
            Some(d) if d.is_zero() => {
                errs.add(f.fault("must be greater than 0"));
                None
            }
            other => other,
        };
        let deadline = errs.take(root.field("deadline").req("is required", read::future(now)));
        let requirements = parse_requirements(&mut errs, &root.field("requirements"), currency);
        let (sessions, products, time_zone) = parse_live_details(
            &mut errs,
            &root.field("live_session_details"),
            currency,
            now,
        );

        let commission = match (compensation, currency) {
            (Some(compensation), Some(currency)) => {
                let ctx = CommissionContext {
                    compensation,
                    currency,
                    session_count: sessions.len().max(1) as u32,
                };
                match CommissionStructure::parse(root.get("commission_structure"), &ctx) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        errs.extend(e);
                        None
                    }
                }
            }
            _ => None,
        };
        match (title, compensation, currency, deadline, commission) {
            (Some(title), Some(compensation), Some(currency), Some(deadline), Some(commission))
                if errs.is_empty() =>
            {
                Ok(TaskDraft {
                    title,
                    compensation,
                    currency,
                    deadline,
                    requirements,
                    sessions,
                    products,
                    time_zone,
                    commission,
                    products_count: crate::run_of_show::products_count(body),
                })
            }
            _ => Err(errs.into_vec()),
        }
    }
}

fn parse_requirements(
    errs: &mut Errors,
    field: &Field,
    currency: Option<Currency>,
) -> Requirements {
    let mut r = Requirements::default();
    let Some(obj) = errs.opt(field.object("must be an object")) else {
        return r;
    };
    if let Some(skills) = errs.opt(obj.field("skills").strict().opt(read::strings)) {
        r.skills = skills.iter().map(|s| s.to_lowercase()).collect();
    }
    r.min_followers = errs.opt(obj.field("min_followers").strict().opt(read::whole));
    r.min_avg_live_viewers = errs.opt(obj.field("min_avg_live_viewers").strict().opt(read::whole));
    let gmv = obj.field("min_avg_gmv_per_session").strict();
    let amount = errs.opt(gmv.opt(read::amount));
    r.min_avg_gmv_cents = in_currency(errs, &gmv, amount, currency)
        .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
        .and_then(|c| c.round().try_into().ok());
    r.min_conversion_rate = errs.opt(
        obj.field("min_conversion_rate")
            .strict()
            .opt(read::number(0.0..=1.0, "must be between 0 and 1")),
    );
    r.min_rating = errs.opt(
        obj.field("min_rating")
            .strict()
            .opt(read::number(0.0..=5.0, "must be between 0 and 5")),
    );
    r.live_commerce_experience = errs.opt(
        obj.field("live_commerce_experience")
            .strict()
            .opt(read::boolean),
    );
    r.tiktok_shop_verified = errs.opt(
        obj.field("tiktok_shop_verified")
            .strict()
            .opt(read::boolean),
    );
    r.niche = errs.opt(obj.field("niche").strict().opt(|v| {
        let s = read::say(
            "must be a string such as \"beauty OR skincare\"",
            read::string,
        )(v)?;
        NicheExpr::parse(s)
    }));
    r
}

type LiveDetails = (Vec<SessionPlan>, Vec<Product>, Option<chrono_tz::Tz>);

fn parse_live_details(
    errs: &mut Errors,
    field: &Field,
    currency: Option<Currency>,
    now: DateTime<Utc>,
) -> LiveDetails {
    let default_session = || SessionPlan {
        scheduled_time: None,
        duration_minutes: DEFAULT_SESSION_MINUTES,
        week: None,
        theme: None,
    };
    let Some(obj) = errs.opt(field.object("must be an object")) else {
        return (vec![default_session()], Vec::new(), None);
    };

    let mut duration = errs
        .opt(
            obj.field("duration_minutes")
                .strict()
                .opt(read::whole_between(1, 24 * 60)),
        )
        .map(|n| n as u32);
    let hours = read::number(
        (Bound::Excluded(0.0), Bound::Included(24.0)),
        "must be a number of hours between 0 and 24",
    );
    if let Some(h) = errs.opt(obj.field("duration_hours").strict().opt(hours)) {
        duration = duration.or(Some((h * 60.0).round() as u32));
    }
    if let Some(m) = errs.opt(obj.field("duration_per_session").strict().opt(|v| {
        v.as_str()
            .and_then(parse_duration_minutes)
            .ok_or_else(|| "must be a duration such as \"2 hours\" or \"90 minutes\"".to_string())
    })) {
        duration = duration.or(Some(m));
    }
    let duration_minutes = duration.unwrap_or(DEFAULT_SESSION_MINUTES);

    let time_zone = errs.opt(obj.field("time_zone").opt(|v| {
        v.as_str()
            .and_then(|s| s.parse::<chrono_tz::Tz>().ok())
            .ok_or_else(|| "must be an IANA time zone such as \"Asia/Shanghai\"".to_string())
    }));

    // The TikTok Shop that sells during the sessions (its order webhook
    // attributes orders by this id); kept in the stored body.
    errs.take(obj.field("tiktok_shop_id").opt(|v| match v {
        Value::String(s) if !s.trim().is_empty() && s.len() <= 64 => Ok(()),
        _ => Err("must be the shop's id as a string of 1–64 characters".to_string()),
    }));

    const SCHEDULE: &str = "must be a non-empty list of {week?, date, theme?}";
    let mut sessions = Vec::new();
    let schedule = obj.field("schedule").strict();
    let scheduled_time = obj.field("scheduled_time").strict();
    if schedule.is_given() {
        match errs.opt(schedule.items(SCHEDULE)) {
            Some(items) if !items.is_empty() => {
                for item in items {
                    let Some(entry) = errs.opt(item.object("must be an object with a date")) else {
                        continue;
                    };
                    let mut date = entry.field("date").strict();
                    if !date.is_given() {
                        date =
                            Field::new(date.path().clone(), entry.get("scheduled_time")).strict();
                    }
                    let when = errs.take(date.req("is required", read::future(now)));
                    let week = errs
                        .opt(
                            entry
                                .field("week")
                                .strict()
                                .opt(read::say("must be a whole number", read::uint)),
                        )
                        .map(|w| w as u32);
                    sessions.push(SessionPlan {
                        scheduled_time: when,
                        duration_minutes,
                        week,
                        theme: entry
                            .get("theme")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    });
                }
            }
            Some(_) => errs.add(schedule.fault(SCHEDULE)),
            None => {}
        }
    } else if scheduled_time.is_given() {
        sessions.push(SessionPlan {
            scheduled_time: errs.opt(scheduled_time.opt(read::future(now))),
            duration_minutes,
            ..default_session()
        });
    }
    let count = obj.field("sessions_count").strict();
    let most = limits::MAX_SESSIONS_PER_TASK as i64;
    match errs.opt(count.opt(read::whole_between(1, most))) {
        Some(n) if sessions.is_empty() => {
            sessions = (0..n)
                .map(|_| SessionPlan {
                    duration_minutes,
                    ..default_session()
                })
                .collect();
        }
        Some(n) if n as usize != sessions.len() => errs.add(count.fault(format!(
            "is {n} but schedule lists {} sessions",
            sessions.len()
        ))),
        _ => {}
    }
    if sessions.is_empty() {
        sessions.push(SessionPlan {
            duration_minutes,
            ..default_session()
        });
    }

    let mut products = Vec::new();
    let list = obj.field("products").strict();
    for (i, item) in errs
        .opt(list.items("must be a list of products"))
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(prod) = parse_product(errs, item, i, currency) {
            products.push(prod);
        }
    }
    (sessions, products, time_zone)
}

fn parse_product(
    errs: &mut Errors,
    item: &Field,
    i: usize,
    currency: Option<Currency>,
) -> Option<Product> {
    let obj = errs.opt(item.object("must be an object"))?;
    let product_id = match obj.field("product_id").strict().opt(|v| match v {
        Value::String(s) if !s.is_empty() && s.len() <= 128 => Ok(s.clone()),
        _ => Err("must be a non-empty string".to_string()),
    }) {
        Ok(Some(id)) => id,
        Ok(None) => format!("prod_{:03}", i + 1),
        Err(fault) => {
            errs.add(fault);
            return None;
        }
    };
    let retail_field = obj.field("retail_price").strict();
    let amount = errs.opt(retail_field.opt(read::amount));
    let retail = in_currency(errs, &retail_field, amount, currency);
    let live_field = obj.field("live_discount_price").strict();
    let amount = errs.opt(live_field.opt(read::amount));
    let live = in_currency(errs, &live_field, amount, currency);
    if let (Some(r), Some(l)) = (retail, live)
        && l > r
    {
        errs.add(live_field.fault(format!("must not exceed retail_price ({l} > {r})")));
    }
    let launch_discount = errs.opt(obj.field("launch_discount").strict().opt(|v| {
        v.as_str()
            .and_then(|s| s.trim().strip_suffix('%'))
            .and_then(|n| n.trim().parse::<Decimal>().ok())
            .filter(|n| *n >= Decimal::ZERO && *n <= Decimal::ONE_HUNDRED)
            .ok_or_else(|| "must be a percentage from \"0%\" to \"100%\"".to_string())
    }));
    let stock = errs
        .opt(obj.field("stock_quantity").strict().opt(read::whole))
        .map(|n| n as u64);
    let flash = errs
        .opt(
            obj.field("flash_sale_duration_minutes")
                .strict()
                .opt(read::whole_between(1, 24 * 60)),
        )
        .map(|n| n as u32);
    Some(Product {
        product_id,
        name: obj.get("name").and_then(Value::as_str).map(str::to_string),
        retail_price: retail,
        live_discount_price: live,
        launch_discount,
        stock_quantity: stock,
        flash_sale_duration_minutes: flash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
    }

    fn step3() -> Value {
        json!({
            "title": "Live shopping session: Beauty products flash sale",
            "description": "Host a 2-hour TikTok Live session",
            "category": "tiktok_live_commerce", "platform": "tiktok",
            "compensation": 1500.00, "currency": "CNY", "deadline": "2026-03-10T20:00:00Z",
            "requirements": {"skills": ["live_streaming"], "min_followers": 20000,
                "min_avg_live_viewers": 500, "live_commerce_experience": true, "tiktok_shop_verified": true},
            "live_session_details": {"duration_hours": 2, "scheduled_time": "2026-03-15T19:00:00Z",
                "products_count": 8, "expected_viewers": 1000},
            "commission_structure": {"base_payment": 1500.00, "commission_rate": 0.08,
                "performance_bonuses": {"50k_gmv": 800.00, "100k_gmv": 2000.00, "200k_gmv": 5000.00}}
        })
    }

    #[test]
    fn the_getting_started_task_parses() {
        let t = TaskDraft::parse(&step3(), now()).unwrap();
        assert_eq!(t.compensation, Decimal::new(150000, 2));
        assert_eq!(t.sessions.len(), 1);
        assert_eq!(t.sessions[0].duration_minutes, 120);
        assert_eq!(t.requirements.min_followers, Some(20000));
    }

    #[test]
    fn terms_read_back_as_they_were_parsed_without_the_rules() {
        let mut b = step3();
        b["requirements"]["niche"] = json!("(beauty OR skincare) AND fashion");
        b["requirements"]["min_conversion_rate"] = json!(0.035);
        b["requirements"]["min_avg_gmv_per_session"] = json!("20000.50");
        b["live_session_details"] = json!({
            "time_zone": "Asia/Shanghai", "duration_per_session": "90 minutes",
            "products_per_session": "10-12 items",
            "schedule": [
                {"week": 1, "theme": "Launch", "scheduled_time": "2026-03-15T19:00:00Z"},
                {"week": 4, "theme": "Finale", "scheduled_time": "2026-04-05T19:00:00Z"}
            ],
            "products": [{"product_id": "serum", "name": "Serum", "retail_price": 299,
                "live_discount_price": "199.9", "launch_discount": "30%", "stock_quantity": 500}]
        });
        b["commission_structure"] = json!({
            "base_payment_total": 1500, "per_session_base": 750, "commission_rate": 0.085,
            "performance_bonuses": {"peak_3k_viewers": 300, "50k_gmv": "800.5"},
            "bonus_mode": "cumulative",
            "growth_bonus": "500 CNY if Week 2 viewers > Week 1 by 30%",
            "answers_bonus": "300 CNY if 50+ questions answered",
            "series_completion_bonus": 1000
        });
        let parsed = TaskDraft::parse(&b, now()).unwrap();
        let stored = serde_json::to_string(&parsed).unwrap();
        let read: TaskDraft = serde_json::from_str(&stored).unwrap();
        assert_eq!(read, parsed);
        assert_eq!(read.products_count, Some(12));
        assert_eq!(read.time_zone, Some(chrono_tz::Asia::Shanghai));
        assert_eq!(
            read.commission.performance_bonuses[1].1,
            Decimal::new(8005, 1)
        );
        assert_eq!(serde_json::to_string(&read).unwrap(), stored);
        // Terms stored before a field was added read back with its default.
        let mut older: Value = serde_json::from_str(&stored).unwrap();
        older.as_object_mut().unwrap().remove("products_count");
        let read: TaskDraft = serde_json::from_value(older).unwrap();
        assert_eq!(read.products_count, None);
    }

    #[test]
    fn bad_fields_are_named() {
        let mut b = step3();
        b["deadline"] = json!("2025-01-01T00:00:00Z");
        b["commission_structure"]["commission_rate"] = json!(1.5);
        b["live_session_details"]["duration_per_session"] = json!("forever");
        let errs = TaskDraft::parse(&b, now()).unwrap_err();
        let paths: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"deadline"), "{paths:?}");
        assert!(
            paths.contains(&"commission_structure.commission_rate"),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"live_session_details.duration_per_session"),
            "{paths:?}"
        );
    }

    #[test]
    fn money_is_rewritten_as_numbers_with_the_currencys_decimals() {
        let mut b = step3();
        b["compensation"] = json!("1500");
        b["commission_structure"]["performance_bonuses"]["50k_gmv"] = json!("800.5");
        b["commission_structure"]["series_completion_bonus"] = json!("100");
        b["commission_structure"]["growth_bonus"] = json!("500 CNY if 50+ questions answered");
        b["live_session_details"]["products"] =
            json!([{"retail_price": 99, "live_discount_price": "79.9"}]);
        let t = TaskDraft::parse(&b, now()).unwrap();
        canonical_money(&mut b, t.currency);
        let text = b.to_string();
        for part in [
            r#""compensation":1500.00"#,
            r#""base_payment":1500.00"#,
            r#""50k_gmv":800.50"#,
            r#""series_completion_bonus":100.00"#,
            r#""growth_bonus":"500 CNY if 50+ questions answered""#,
            r#""retail_price":99.00"#,
            r#""live_discount_price":79.90"#,
            r#""commission_rate":0.08"#,
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        assert_eq!(
            TaskDraft::parse(&b, now()).unwrap().compensation,
            Decimal::new(1500, 0)
        );

        let mut jpy = step3();
        jpy["currency"] = json!("JPY");
        jpy["compensation"] = json!(1500.0);
        let t = TaskDraft::parse(&jpy, now()).unwrap();
        canonical_money(&mut jpy, t.currency);
        assert_eq!(jpy["compensation"].to_string(), "1500");
        assert_eq!(
            jpy["commission_structure"]["base_payment"].to_string(),
            "1500"
        );
    }

    #[test]
    fn amounts_above_the_largest_are_named() {
        let mut b = step3();
        let huge: Value = serde_json::from_str("79228162514264337593543950335").unwrap();
        b["requirements"]["min_avg_gmv_per_session"] = huge.clone();
        b["live_session_details"]["products"] = json!([{"retail_price": huge}]);
        let errs = TaskDraft::parse(&b, now()).unwrap_err();
        let paths: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "requirements.min_avg_gmv_per_session",
                "live_session_details.products[0].retail_price"
            ]
        );
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(parse_duration_minutes("2 hours"), Some(120));
        assert_eq!(parse_duration_minutes("90 minutes"), Some(90));
        assert_eq!(parse_duration_minutes("1.5h"), Some(90));
        assert_eq!(parse_duration_minutes("soon"), None);
    }
}
