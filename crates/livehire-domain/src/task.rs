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
use serde_json::{Map, Value};

use crate::commission::{CommissionContext, CommissionStructure};
use crate::error::{FieldError, join};
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

struct Ctx<'a> {
    errors: Vec<FieldError>,
    now: DateTime<Utc>,
    _body: &'a Value,
}

impl Ctx<'_> {
    fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.errors.push(FieldError::new(path, msg));
    }

    fn string(
        &mut self,
        obj: &Map<String, Value>,
        parent: &str,
        key: &str,
        required: bool,
    ) -> Option<String> {
        match obj.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::String(_)) => {
                self.err(join(parent, key), "must not be empty");
                None
            }
            Some(Value::Null) | None if !required => None,
            None | Some(Value::Null) => {
                self.err(join(parent, key), "is required");
                None
            }
            Some(_) => {
                self.err(join(parent, key), "must be a string");
                None
            }
        }
    }

    fn time(&mut self, v: &Value, path: &str, future: bool) -> Option<DateTime<Utc>> {
        let Some(s) = v.as_str() else {
            self.err(
                path,
                "must be an RFC 3339 date-time string such as \"2026-03-15T19:00:00Z\"",
            );
            return None;
        };
        match DateTime::parse_from_rfc3339(s) {
            Ok(t) => {
                let t = t.with_timezone(&Utc);
                if future && t <= self.now {
                    self.err(path, format!("must be in the future ({s} has passed)"));
                }
                Some(t)
            }
            Err(_) => {
                self.err(
                    path,
                    format!(
                        "\"{s}\" is not an RFC 3339 date-time such as \"2026-03-15T19:00:00Z\""
                    ),
                );
                None
            }
        }
    }

    fn amount(&mut self, v: &Value, path: &str, currency: Option<Currency>) -> Option<Decimal> {
        match money::parse_amount(v) {
            Ok(d) if d.is_sign_negative() => {
                self.err(path, "must not be negative");
                None
            }
            Ok(d) if d > money::MAX_AMOUNT => {
                self.err(path, format!("must be at most {}", money::MAX_AMOUNT));
                None
            }
            Ok(d) => {
                if let Some(c) = currency
                    && let Err(msg) = money::check_scale(d, c)
                {
                    self.err(path, msg);
                }
                Some(d)
            }
            Err(msg) => {
                self.err(path, msg);
                None
            }
        }
    }

    fn count(&mut self, v: &Value, path: &str) -> Option<i64> {
        match v.as_f64() {
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n < 9.0e15 => Some(n as i64),
            Some(n) if n >= 0.0 => {
                self.err(path, "must be a whole number");
                None
            }
            _ => {
                self.err(path, "must be a non-negative number");
                None
            }
        }
    }

    fn boolean(&mut self, v: &Value, path: &str) -> Option<bool> {
        v.as_bool().or_else(|| {
            self.err(path, "must be true or false");
            None
        })
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

impl TaskDraft {
    /// Validates a task body at time `now`, returning every problem found.
    pub fn parse(body: &Value, now: DateTime<Utc>) -> Result<TaskDraft, Vec<FieldError>> {
        let mut cx = Ctx {
            errors: Vec::new(),
            now,
            _body: body,
        };
        let Some(obj) = body.as_object() else {
            return Err(vec![FieldError::new("", "the task must be a JSON object")]);
        };
        let title = cx.string(obj, "", "title", true);
        if title.as_ref().is_some_and(|t| t.chars().count() > 300) {
            cx.err("title", "must be at most 300 characters");
        }
        cx.string(obj, "", "description", true);
        if let Some(c) = cx.string(obj, "", "category", true)
            && c != "tiktok_live_commerce"
        {
            cx.err("category", "must be \"tiktok_live_commerce\"");
        }
        if let Some(p) = cx.string(obj, "", "platform", true)
            && p != "tiktok"
        {
            cx.err("platform", "must be \"tiktok\"");
        }
        let currency = match cx.string(obj, "", "currency", true) {
            Some(c) => match Currency::parse(&c) {
                Ok(c) => Some(c),
                Err(msg) => {
                    cx.err("currency", msg);
                    None
                }
            },
            None => None,
        };
        let compensation = match obj.get("compensation") {
            None | Some(Value::Null) => {
                cx.err("compensation", "is required");
                None
            }
            Some(v) => match cx.amount(v, "compensation", currency) {
                Some(d) if d.is_zero() => {
                    cx.err("compensation", "must be greater than 0");
                    None
                }
                other => other,
            },
        };
        let deadline = match obj.get("deadline") {
            None | Some(Value::Null) => {
                cx.err("deadline", "is required");
                None
            }
            Some(v) => cx.time(v, "deadline", true),
        };
        let requirements = parse_requirements(&mut cx, obj.get("requirements"), currency);
        let (sessions, products, time_zone) =
            parse_live_details(&mut cx, obj.get("live_session_details"), currency);

        let commission = match (compensation, currency) {
            (Some(compensation), Some(currency)) => {
                let ctx = CommissionContext {
                    compensation,
                    currency,
                    session_count: sessions.len().max(1) as u32,
                };
                match CommissionStructure::parse(obj.get("commission_structure"), &ctx) {
                    Ok(c) => Some(c),
                    Err(errs) => {
                        cx.errors.extend(errs);
                        None
                    }
                }
            }
            _ => None,
        };
        match (title, compensation, currency, deadline, commission) {
            (Some(title), Some(compensation), Some(currency), Some(deadline), Some(commission))
                if cx.errors.is_empty() =>
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
            _ => Err(cx.errors),
        }
    }
}

fn parse_requirements(cx: &mut Ctx, v: Option<&Value>, currency: Option<Currency>) -> Requirements {
    let mut r = Requirements::default();
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return r;
    };
    let Some(obj) = v.as_object() else {
        cx.err("requirements", "must be an object");
        return r;
    };
    if let Some(s) = obj.get("skills") {
        match s.as_array() {
            Some(items) if items.iter().all(Value::is_string) => {
                r.skills = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_lowercase))
                    .collect();
            }
            _ => cx.err("requirements.skills", "must be a list of strings"),
        }
    }
    for key in ["min_followers", "min_avg_live_viewers"] {
        if let Some(v) = obj.get(key) {
            let n = cx.count(v, &join("requirements", key));
            if key == "min_followers" {
                r.min_followers = n;
            } else {
                r.min_avg_live_viewers = n;
            }
        }
    }
    if let Some(v) = obj.get("min_avg_gmv_per_session") {
        r.min_avg_gmv_cents = cx
            .amount(v, "requirements.min_avg_gmv_per_session", currency)
            .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
            .and_then(|c| c.round().try_into().ok());
    }
    if let Some(v) = obj.get("min_conversion_rate") {
        match v.as_f64() {
            Some(n) if (0.0..=1.0).contains(&n) => r.min_conversion_rate = Some(n),
            _ => cx.err(
                "requirements.min_conversion_rate",
                "must be between 0 and 1",
            ),
        }
    }
    if let Some(v) = obj.get("min_rating") {
        match v.as_f64() {
            Some(n) if (0.0..=5.0).contains(&n) => r.min_rating = Some(n),
            _ => cx.err("requirements.min_rating", "must be between 0 and 5"),
        }
    }
    if let Some(v) = obj.get("live_commerce_experience") {
        r.live_commerce_experience = cx.boolean(v, "requirements.live_commerce_experience");
    }
    if let Some(v) = obj.get("tiktok_shop_verified") {
        r.tiktok_shop_verified = cx.boolean(v, "requirements.tiktok_shop_verified");
    }
    if let Some(v) = obj.get("niche") {
        match v.as_str().map(NicheExpr::parse) {
            Some(Ok(n)) => r.niche = Some(n),
            Some(Err(msg)) => cx.err("requirements.niche", msg),
            None => cx.err(
                "requirements.niche",
                "must be a string such as \"beauty OR skincare\"",
            ),
        }
    }
    r
}

type LiveDetails = (Vec<SessionPlan>, Vec<Product>, Option<chrono_tz::Tz>);

fn parse_live_details(cx: &mut Ctx, v: Option<&Value>, currency: Option<Currency>) -> LiveDetails {
    let base = "live_session_details";
    let default_session = || SessionPlan {
        scheduled_time: None,
        duration_minutes: DEFAULT_SESSION_MINUTES,
        week: None,
        theme: None,
    };
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return (vec![default_session()], Vec::new(), None);
    };
    let Some(obj) = v.as_object() else {
        cx.err(base, "must be an object");
        return (vec![default_session()], Vec::new(), None);
    };

    let mut duration = None;
    if let Some(v) = obj.get("duration_minutes") {
        match cx.count(v, "live_session_details.duration_minutes") {
            Some(n) if (1..=24 * 60).contains(&n) => duration = Some(n as u32),
            Some(_) => cx.err(
                "live_session_details.duration_minutes",
                "must be between 1 and 1440",
            ),
            None => {}
        }
    }
    if let Some(v) = obj.get("duration_hours") {
        match v.as_f64() {
            Some(h) if h > 0.0 && h <= 24.0 => {
                duration = duration.or(Some((h * 60.0).round() as u32))
            }
            _ => cx.err(
                "live_session_details.duration_hours",
                "must be a number of hours between 0 and 24",
            ),
        }
    }
    if let Some(v) = obj.get("duration_per_session") {
        match v.as_str().and_then(parse_duration_minutes) {
            Some(m) => duration = duration.or(Some(m)),
            None => cx.err(
                "live_session_details.duration_per_session",
                "must be a duration such as \"2 hours\" or \"90 minutes\"",
            ),
        }
    }
    let duration_minutes = duration.unwrap_or(DEFAULT_SESSION_MINUTES);

    let time_zone = match obj.get("time_zone") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_str().map(str::parse::<chrono_tz::Tz>) {
            Some(Ok(tz)) => Some(tz),
            _ => {
                cx.err(
                    "live_session_details.time_zone",
                    "must be an IANA time zone such as \"Asia/Shanghai\"",
                );
                None
            }
        },
    };

    // The TikTok Shop that sells during the sessions (its order webhook
    // attributes orders by this id); kept in the stored body.
    match obj.get("tiktok_shop_id") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 64 => {}
        Some(_) => cx.err(
            "live_session_details.tiktok_shop_id",
            "must be the shop's id as a string of 1–64 characters",
        ),
    }

    let mut sessions = Vec::new();
    if let Some(schedule) = obj.get("schedule") {
        match schedule.as_array() {
            Some(items) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("live_session_details.schedule[{i}]");
                    let Some(entry) = item.as_object() else {
                        cx.err(path, "must be an object with a date");
                        continue;
                    };
                    let when = match entry.get("date").or_else(|| entry.get("scheduled_time")) {
                        Some(d) => cx.time(d, &format!("{path}.date"), true),
                        None => {
                            cx.err(format!("{path}.date"), "is required");
                            None
                        }
                    };
                    let week = entry.get("week").and_then(|w| {
                        w.as_u64().map(|w| w as u32).or_else(|| {
                            cx.err(format!("{path}.week"), "must be a whole number");
                            None
                        })
                    });
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
            _ => cx.err(
                "live_session_details.schedule",
                "must be a non-empty list of {week?, date, theme?}",
            ),
        }
    } else if let Some(t) = obj.get("scheduled_time") {
        let when = cx.time(t, "live_session_details.scheduled_time", true);
        sessions.push(SessionPlan {
            scheduled_time: when,
            ..default_session()
        });
        sessions[0].duration_minutes = duration_minutes;
    }
    if let Some(n) = obj.get("sessions_count") {
        match cx.count(n, "live_session_details.sessions_count") {
            Some(n) if !(1..=100).contains(&n) => cx.err(
                "live_session_details.sessions_count",
                "must be between 1 and 100",
            ),
            Some(n) if sessions.is_empty() => {
                sessions = (0..n)
                    .map(|_| SessionPlan {
                        duration_minutes,
                        ..default_session()
                    })
                    .collect();
            }
            Some(n) if n as usize != sessions.len() => cx.err(
                "live_session_details.sessions_count",
                format!("is {n} but schedule lists {} sessions", sessions.len()),
            ),
            _ => {}
        }
    }
    if sessions.is_empty() {
        sessions.push(SessionPlan {
            duration_minutes,
            ..default_session()
        });
    }

    let mut products = Vec::new();
    if let Some(p) = obj.get("products") {
        match p.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(prod) = parse_product(cx, item, i, currency) {
                        products.push(prod);
                    }
                }
            }
            None => cx.err(
                "live_session_details.products",
                "must be a list of products",
            ),
        }
    }
    (sessions, products, time_zone)
}

fn parse_product(
    cx: &mut Ctx,
    item: &Value,
    i: usize,
    currency: Option<Currency>,
) -> Option<Product> {
    let path = format!("live_session_details.products[{i}]");
    let Some(obj) = item.as_object() else {
        cx.err(path, "must be an object");
        return None;
    };
    let product_id = match obj.get("product_id") {
        None => format!("prod_{:03}", i + 1),
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 128 => s.clone(),
        Some(_) => {
            cx.err(format!("{path}.product_id"), "must be a non-empty string");
            return None;
        }
    };
    let retail = obj
        .get("retail_price")
        .and_then(|v| cx.amount(v, &format!("{path}.retail_price"), currency));
    let live = obj
        .get("live_discount_price")
        .and_then(|v| cx.amount(v, &format!("{path}.live_discount_price"), currency));
    if let (Some(r), Some(l)) = (retail, live)
        && l > r
    {
        cx.err(
            format!("{path}.live_discount_price"),
            format!("must not exceed retail_price ({l} > {r})"),
        );
    }
    let launch_discount = obj.get("launch_discount").and_then(|d| {
        let pct = d
            .as_str()
            .and_then(|s| s.trim().strip_suffix('%'))
            .and_then(|n| n.trim().parse::<Decimal>().ok())
            .filter(|n| *n >= Decimal::ZERO && *n <= Decimal::ONE_HUNDRED);
        if pct.is_none() {
            cx.err(
                format!("{path}.launch_discount"),
                "must be a percentage from \"0%\" to \"100%\"",
            );
        }
        pct
    });
    let stock = obj
        .get("stock_quantity")
        .and_then(|v| cx.count(v, &format!("{path}.stock_quantity")))
        .map(|n| n as u64);
    let flash = match obj.get("flash_sale_duration_minutes") {
        None => None,
        Some(v) => match cx.count(v, &format!("{path}.flash_sale_duration_minutes")) {
            Some(n) if (1..=24 * 60).contains(&n) => Some(n as u32),
            Some(_) => {
                cx.err(
                    format!("{path}.flash_sale_duration_minutes"),
                    "must be between 1 and 1440",
                );
                None
            }
            None => None,
        },
    };
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
