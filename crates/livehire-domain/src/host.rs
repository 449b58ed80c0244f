//! Host ("human") profiles: validation of what a host may write, and the
//! searchable figures extracted from a profile.
//!
//! A profile is kept as the JSON the host sent (unknown fields verbatim); the
//! figures search filters and sorts on are pulled out once, at write time, into
//! [`SearchFields`] so the store can index them.

use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value};

use crate::error::FieldError;
use crate::json::{Errors, Obj, Path, lenient, read};

/// Profile fields the server maintains; a host's own writes to them are ignored.
/// (`self_declared` is the server's record of the host's claims: a host
/// declares through `tiktok_shop_verified` and `badges`, see
/// [`crate::identity`].)
pub const SERVER_MAINTAINED: &[&str] = &[
    "human_id",
    "rating",
    "ratings_count",
    "completion_count",
    "metrics_source",
    MONITORED,
    "ratings",
    crate::identity::SELF_DECLARED,
];

/// The profile block the server keeps of a host's verified sessions.
pub const MONITORED: &str = "monitored_metrics";

/// One session's verified figures, kept once its task is approved: what a
/// host's monitored figures average over.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MonitoredSession {
    /// ISO code of the session's task.
    pub currency: String,
    /// GMV, in `currency`.
    pub gmv: rust_decimal::Decimal,
    /// Average concurrent viewers over the session (TikTok Shop's ACU).
    pub acu: rust_decimal::Decimal,
    /// Peak concurrent viewers.
    pub peak_viewers: u64,
    /// Average watch time, seconds.
    pub avg_watch_seconds: rust_decimal::Decimal,
    /// Buyers ÷ unique viewers.
    pub conversion_rate: rust_decimal::Decimal,
}

/// A host's monitored figures: averages over its verified sessions, for the
/// `monitored_metrics` block of its profile (`None` without any).
///
/// | field | value |
/// |---|---|
/// | `sessions` | verified sessions of approved tasks |
/// | `avg_gmv_per_session` | mean GMV of those in `currency` (the host's `compensation_range.currency`, else CNY), 2 decimals; `null` without one |
/// | `avg_live_viewers` | mean average concurrent viewers of those with verified viewers, whole |
/// | `peak_concurrent_viewers` | the highest peak |
/// | `avg_conversion_rate` | mean conversion of those with verified viewers, 4 decimals |
/// | `avg_watch_time_minutes` | mean average watch time of those with verified viewers, 1 decimal |
///
/// A `null` figure leaves the host's own in use.
///
/// Search, eligibility and matching read these in place of the host's own
/// `live_commerce_metrics` and `follower_stats.avg_live_viewers` once they
/// exist (`metrics_source: "monitored"`).
pub fn monitored_metrics(sessions: &[MonitoredSession], currency: &str) -> Option<Value> {
    use rust_decimal::Decimal;
    if sessions.is_empty() {
        return None;
    }
    let mean = |values: &mut dyn Iterator<Item = Decimal>, dp: u32| -> Option<Decimal> {
        let (mut sum, mut n) = (Decimal::ZERO, 0_i64);
        for v in values {
            sum = sum.checked_add(v)?;
            n += 1;
        }
        (n > 0).then(|| {
            let mut m = (sum / Decimal::from(n)).round_dp(dp);
            m.rescale(dp);
            m
        })
    };
    let in_currency: Vec<&MonitoredSession> =
        sessions.iter().filter(|s| s.currency == currency).collect();
    // Viewer figures come only from sessions whose verified sources saw
    // viewers (a session known only by its checkout orders says nothing of
    // its audience); without any, the host's own figures stay in use.
    let watched: Vec<&MonitoredSession> = sessions.iter().filter(|s| s.peak_viewers > 0).collect();
    let gmv = mean(&mut in_currency.iter().map(|s| s.gmv), 2);
    let acu = mean(&mut watched.iter().map(|s| s.acu), 0);
    let conversion = mean(&mut watched.iter().map(|s| s.conversion_rate), 4);
    let watch = mean(
        &mut watched
            .iter()
            .map(|s| s.avg_watch_seconds / Decimal::from(60)),
        1,
    );
    let number = |d: Option<Decimal>| {
        d.and_then(|d| d.to_string().parse::<serde_json::Number>().ok())
            .map_or(Value::Null, Value::Number)
    };
    Some(serde_json::json!({
        "sessions": sessions.len(),
        "currency": currency,
        "avg_gmv_per_session": number(gmv),
        "avg_live_viewers": number(acu),
        "peak_concurrent_viewers": sessions.iter().map(|s| s.peak_viewers).max().unwrap_or(0),
        "avg_conversion_rate": number(conversion),
        "avg_watch_time_minutes": number(watch),
    }))
}

/// Niche words recognised in `product_expertise` phrases when a profile has no
/// explicit `niches` list (phrase fragment → niche).
const NICHE_KEYWORDS: &[(&str, &str)] = &[
    ("beauty", "beauty"),
    ("skincare", "skincare"),
    ("skin care", "skincare"),
    ("k-beauty", "beauty"),
    ("anti-aging", "skincare"),
    ("fashion", "fashion"),
    ("jewel", "jewelry"),
    ("electronic", "electronics"),
    ("gadget", "gadgets"),
    ("smart home", "smart_home"),
    ("tech", "tech"),
    ("home", "home_goods"),
    ("food", "food"),
    ("snack", "food"),
    ("consumer goods", "consumer_goods"),
    ("daily necessities", "daily_necessities"),
    ("fitness", "fitness"),
];

/// The figures of a profile that search filters and sorts on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchFields {
    /// `platform`, lower-case (`tiktok`).
    pub platform: String,
    /// Display name.
    pub name: String,
    /// `tiktok_handle`, as given.
    pub tiktok_handle: String,
    /// The handle as handles are compared ([`crate::identity::handle_key`]);
    /// `None` without one. Unique among hosts.
    pub tiktok_handle_key: Option<String>,
    /// `follower_stats.followers`.
    pub followers: i64,
    /// `follower_stats.avg_live_viewers`.
    pub avg_live_viewers: i64,
    /// `live_commerce_metrics.avg_gmv_per_session` in hundredths (exact, no float).
    pub avg_gmv_cents: i64,
    /// `live_commerce_metrics.avg_conversion_rate` (a ratio, 0–1).
    pub conversion_rate: f64,
    /// `rating` (0 when unrated).
    pub rating: f64,
    /// How many ratings `rating` stands on: `ratings_count`, kept by the server
    /// for every host registered here; for a profile without one (the
    /// operator's seed and demo hosts) its `completion_count`, one rating per
    /// completed session the profile states.
    pub ratings_count: i64,
    /// Normalised engagement, see [`engagement_rate`].
    pub engagement_rate: f64,
    /// `compensation_range.min` in hundredths, when given.
    pub min_rate_cents: Option<i64>,
    /// `tiktok_shop_verified` (or the `tiktok_shop_verified` badge). In a
    /// stored profile these are the operator-verified values, never the
    /// host's claims (see [`crate::identity`]).
    pub tiktok_shop_verified: bool,
    /// `live_commerce_experience` (or live-commerce figures present).
    pub live_commerce_experience: bool,
    /// Skills, lower-case.
    pub skills: Vec<String>,
    /// Niches, lower-case.
    pub niches: Vec<String>,
    /// Lower-case text that `q` matches: name, handle, bio, expertise, specialties.
    pub search_text: String,
}

/// Engagement score in 0–1: `min(avg_watch_time_minutes, 60) / 60 × repeat_viewer_rate`.
///
/// Watching a whole hour and always coming back scores 1; a host with no repeat
/// viewer figure scores 0. This is the formula the API docs publish.
pub fn engagement_rate(avg_watch_time_minutes: f64, repeat_viewer_rate: f64) -> f64 {
    let watch = avg_watch_time_minutes.clamp(0.0, 60.0) / 60.0;
    let repeat = repeat_viewer_rate.clamp(0.0, 1.0);
    ((watch * repeat) * 10_000.0).round() / 10_000.0
}

/// Extracts the searchable figures of a profile. Missing figures count as 0.
pub fn search_fields(profile: &Value) -> SearchFields {
    let get = |path: &[&str]| lenient::at(profile, path);
    let metrics = get(&["live_commerce_metrics"]);
    // Monitored figures, once a host has them, stand in for its own.
    let monitored = get(&[MONITORED]).filter(|m| m.is_object());
    let figure = |monitored_key: &str, own: &[&str]| -> Option<&Value> {
        monitored
            .and_then(|m| m.get(monitored_key))
            .filter(|v| !v.is_null())
            .or_else(|| get(own))
    };
    let badges = lenient::strings(get(&["badges"]));
    let expertise = lenient::strings(get(&["product_expertise"]));
    let specialties = lenient::strings(get(&["hosting_specialties"]));
    let mut niches: Vec<String> = lenient::strings(get(&["niches"]))
        .iter()
        .map(|n| n.to_lowercase())
        .collect();
    if niches.is_empty() {
        for phrase in &expertise {
            let lower = phrase.to_lowercase();
            for (kw, niche) in NICHE_KEYWORDS {
                if lower.contains(kw) && !niches.iter().any(|n| n == niche) {
                    niches.push((*niche).to_string());
                }
            }
        }
    }
    let avg_gmv_cents = lenient::cents(figure(
        "avg_gmv_per_session",
        &["live_commerce_metrics", "avg_gmv_per_session"],
    ))
    .unwrap_or(0);
    let live_commerce_experience = match get(&["live_commerce_experience"]) {
        Some(Value::Bool(b)) => *b,
        _ => metrics.is_some() && avg_gmv_cents > 0,
    };
    let tiktok_shop_verified = match get(&["tiktok_shop_verified"]) {
        Some(Value::Bool(b)) => *b,
        _ => badges.iter().any(|b| b == "tiktok_shop_verified"),
    };
    let text = |k: &str| get(&[k]).and_then(Value::as_str).unwrap_or("").to_string();
    let name = text("name");
    let tiktok_handle = text("tiktok_handle");
    let search_text = [
        name.as_str(),
        tiktok_handle.as_str(),
        &text("bio"),
        &expertise.join(" "),
        &specialties.join(" "),
    ]
    .join(" ")
    .to_lowercase();
    SearchFields {
        platform: text("platform").to_lowercase(),
        followers: lenient::number(get(&["follower_stats", "followers"])).unwrap_or(0.0) as i64,
        avg_live_viewers: lenient::number(figure(
            "avg_live_viewers",
            &["follower_stats", "avg_live_viewers"],
        ))
        .unwrap_or(0.0) as i64,
        avg_gmv_cents,
        conversion_rate: lenient::number(figure(
            "avg_conversion_rate",
            &["live_commerce_metrics", "avg_conversion_rate"],
        ))
        .unwrap_or(0.0),
        rating: lenient::number(get(&["rating"])).unwrap_or(0.0),
        ratings_count: lenient::number(get(&["ratings_count"]))
            .or_else(|| lenient::number(get(&["completion_count"])))
            .unwrap_or(0.0)
            .max(0.0) as i64,
        engagement_rate: engagement_rate(
            lenient::number(figure(
                "avg_watch_time_minutes",
                &["live_commerce_metrics", "avg_watch_time_minutes"],
            ))
            .unwrap_or(0.0),
            lenient::number(get(&["live_commerce_metrics", "repeat_viewer_rate"])).unwrap_or(0.0),
        ),
        min_rate_cents: lenient::cents(get(&["compensation_range", "min"])),
        tiktok_shop_verified,
        live_commerce_experience,
        skills: lenient::strings(get(&["skills"]))
            .iter()
            .map(|s| s.to_lowercase())
            .collect(),
        niches,
        search_text,
        name,
        tiktok_handle_key: crate::identity::handle_key(&tiktok_handle),
        tiktok_handle,
    }
}

/// Checks the fields of a profile (a full registration body or the result of a
/// patch) that drive behaviour; everything else is free-form and kept verbatim.
pub fn validate_profile(profile: &Value) -> Result<(), Vec<FieldError>> {
    let Some(root) = Obj::of(profile, Path::root()) else {
        return Err(vec![FieldError::new(
            "",
            "a host profile must be a JSON object",
        )]);
    };
    let mut errs = Errors::new();
    errs.take(root.field("name").strict().req(
        "is required",
        read::say(
            "must be a non-empty string of at most 200 characters",
            |v| read::non_blank(v).and(read::text(200)(v)),
        ),
    ));
    // The words of these checks are "must be a <kind>" as clients have
    // always read them ("must be a object", "must be a array of strings").
    for key in [
        "platform",
        "tiktok_handle",
        "bio",
        "avatar_url",
        "host_type",
        "time_zone",
    ] {
        errs.take(
            root.field(key)
                .strict()
                .opt(read::say("must be a string", read::string)),
        );
    }
    if let Some(p) = root.get("platform").and_then(Value::as_str)
        && p != "tiktok"
    {
        errs.push("platform", "must be \"tiktok\"");
    }
    if let Some(tz) = root.get("time_zone").and_then(Value::as_str)
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        errs.push("time_zone", format!("\"{tz}\" is not an IANA time zone"));
    }
    for key in ["tiktok_shop_verified", "live_commerce_experience"] {
        errs.take(
            root.field(key)
                .strict()
                .opt(read::say("must be a boolean", read::boolean)),
        );
    }
    for key in [
        "skills",
        "niches",
        "product_expertise",
        "hosting_specialties",
        "badges",
    ] {
        errs.take(
            root.field(key)
                .strict()
                .opt(read::say("must be a array of strings", read::strings)),
        );
    }
    if let Some(niches) = root.get("niches").and_then(Value::as_array) {
        let path = root.path().key("niches");
        for (i, n) in niches.iter().enumerate() {
            if let Some(s) = n.as_str()
                && (s.is_empty() || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            {
                errs.push(
                    path.index(i),
                    "must be a single word of letters, digits and underscores",
                );
            }
        }
    }
    for (block, keys) in [
        (
            "follower_stats",
            &["followers", "avg_live_viewers", "peak_concurrent_viewers"][..],
        ),
        (
            "live_commerce_metrics",
            &[
                "avg_gmv_per_session",
                "avg_watch_time_minutes",
                "total_sessions_hosted",
                "avg_products_sold_per_session",
            ][..],
        ),
        ("compensation_range", &["min", "max"][..]),
    ] {
        let Some(inner) = errs.opt(root.field(block).strict().object("must be a object")) else {
            continue;
        };
        for key in keys {
            errs.take(
                inner
                    .field(key)
                    .strict()
                    .opt(read::number(0.0.., "must be a non-negative number")),
            );
        }
    }
    // Figures kept in hundredths: at most the largest amount there is.
    for (block, key) in [
        ("live_commerce_metrics", "avg_gmv_per_session"),
        ("compensation_range", "min"),
        ("compensation_range", "max"),
    ] {
        let max = crate::money::MAX_AMOUNT;
        let too_large = |v: &Value| match crate::money::parse_amount(v) {
            Ok(d) => d > max,
            // Beyond a decimal's 28 digits (1e40).
            Err(_) => v
                .as_f64()
                .is_some_and(|n| n > max.to_f64().unwrap_or(f64::MAX)),
        };
        if let Some(v) = lenient::at(profile, &[block, key])
            && too_large(v)
        {
            errs.push(
                root.path().key(block).key(key),
                format!("must be at most {}", crate::money::MAX_AMOUNT),
            );
        }
    }
    if let Some(m) = root.object("live_commerce_metrics") {
        for key in ["avg_conversion_rate", "repeat_viewer_rate"] {
            errs.take(
                m.field(key)
                    .strict()
                    .opt(read::number(0.0..=1.0, "must be a number between 0 and 1")),
            );
        }
    }
    if let Some(range) = root.object("compensation_range") {
        if let (Some(min), Some(max)) = (
            range.get("min").and_then(Value::as_f64),
            range.get("max").and_then(Value::as_f64),
        ) && min > max
        {
            errs.add(
                range
                    .field("min")
                    .fault("must not exceed compensation_range.max"),
            );
        }
        errs.take(range.field("currency").strict().opt(|c| {
            match c.as_str().map(crate::money::Currency::parse) {
                Some(Ok(_)) => Ok(()),
                _ => Err("must be an ISO 4217 currency code such as \"CNY\"".to_string()),
            }
        }));
    }
    errs.finish(())
}

/// Removes the fields a host may not set (see [`SERVER_MAINTAINED`]).
pub fn strip_server_maintained(profile: &mut Value) {
    if let Some(obj) = profile.as_object_mut() {
        for key in SERVER_MAINTAINED {
            obj.shift_remove(*key);
        }
    }
}

/// Applies a JSON merge patch (RFC 7396): objects merge, `null` deletes, anything
/// else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_obj) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in patch_obj {
            if v.is_null() {
                t.shift_remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitored_figures_average_the_verified_sessions_and_stand_in_for_the_hosts() {
        use rust_decimal_macros::dec;
        let session = |currency: &str, gmv, acu, peak, watch, conv| MonitoredSession {
            currency: currency.into(),
            gmv,
            acu,
            peak_viewers: peak,
            avg_watch_seconds: watch,
            conversion_rate: conv,
        };
        let sessions = [
            session(
                "CNY",
                dec!(1000.00),
                dec!(120.4),
                300,
                dec!(600),
                dec!(0.1000),
            ),
            session(
                "CNY",
                dec!(2000.00),
                dec!(80.0),
                500,
                dec!(900),
                dec!(0.0500),
            ),
            session("USD", dec!(99.00), dec!(10.0), 40, dec!(300), dec!(0.2000)),
        ];
        let m = monitored_metrics(&sessions, "CNY").unwrap();
        assert_eq!(m["sessions"], 3);
        assert_eq!(m["avg_gmv_per_session"].to_string(), "1500.00");
        assert_eq!(m["avg_live_viewers"].to_string(), "70");
        assert_eq!(m["peak_concurrent_viewers"], 500);
        assert_eq!(m["avg_conversion_rate"].to_string(), "0.1167");
        assert_eq!(m["avg_watch_time_minutes"].to_string(), "10.0");
        assert!(monitored_metrics(&[], "CNY").is_none());

        let mut profile = serde_json::json!({"name": "Chen",
            "follower_stats": {"avg_live_viewers": 2500},
            "live_commerce_metrics": {"avg_gmv_per_session": 85000, "avg_conversion_rate": 0.065}});
        let own = search_fields(&profile);
        assert_eq!((own.avg_gmv_cents, own.avg_live_viewers), (8_500_000, 2500));
        profile[MONITORED] = m;
        let monitored = search_fields(&profile);
        assert_eq!(monitored.avg_gmv_cents, 150_000);
        assert_eq!(monitored.avg_live_viewers, 70);
        assert_eq!(monitored.conversion_rate, 0.1167);

        // Sessions known only by their checkout orders leave viewers to the host.
        let orders_only = [session("CNY", dec!(210.00), dec!(0), 0, dec!(0), dec!(1))];
        let m = monitored_metrics(&orders_only, "CNY").unwrap();
        assert!(m["avg_live_viewers"].is_null() && m["avg_conversion_rate"].is_null());
        profile[MONITORED] = m;
        let f = search_fields(&profile);
        assert_eq!((f.avg_gmv_cents, f.avg_live_viewers), (21_000, 2500));
        assert_eq!(f.conversion_rate, 0.065);
    }
    use serde_json::json;

    #[test]
    fn figures_come_from_the_seed_profile_shape() {
        let chen = json!({
            "name": "Live Queen Chen", "platform": "tiktok", "tiktok_handle": "@livequeenchen",
            "rating": 4.9,
            "compensation_range": {"min": 2000, "max": 10000, "currency": "CNY"},
            "follower_stats": {"followers": 180000, "avg_live_viewers": 2500, "peak_concurrent_viewers": 8000},
            "live_commerce_metrics": {"avg_gmv_per_session": 85000, "avg_conversion_rate": 0.065,
                "avg_watch_time_minutes": 28, "repeat_viewer_rate": 0.42},
            "product_expertise": ["Beauty & skincare", "Fashion accessories", "Home goods", "Electronics"],
            "badges": ["top_live_seller", "tiktok_shop_verified"]
        });
        let f = search_fields(&chen);
        assert_eq!(f.followers, 180_000);
        assert_eq!(f.avg_live_viewers, 2_500);
        assert_eq!(f.avg_gmv_cents, 8_500_000);
        assert_eq!(f.min_rate_cents, Some(200_000));
        assert!(f.tiktok_shop_verified);
        assert!(f.live_commerce_experience);
        assert_eq!(
            f.niches,
            ["beauty", "skincare", "fashion", "home_goods", "electronics"]
        );
        assert_eq!(f.engagement_rate, 0.196);
        assert!(f.search_text.contains("@livequeenchen"));
        assert_eq!(f.tiktok_handle_key.as_deref(), Some("livequeenchen"));
        assert_eq!(
            f.ratings_count, 0,
            "no ratings_count and no completion_count"
        );
        assert!(validate_profile(&chen).is_ok());
        let mut counted = chen.clone();
        counted["completion_count"] = json!(89);
        assert_eq!(search_fields(&counted).ratings_count, 89);
        counted["ratings_count"] = json!(2);
        assert_eq!(search_fields(&counted).ratings_count, 2);
    }

    #[test]
    fn bad_profiles_name_the_field() {
        let errs = validate_profile(&json!({"name": "", "follower_stats": {"followers": -1},
            "time_zone": "Mars/Base", "live_commerce_metrics": {"avg_conversion_rate": 1.5}}))
        .unwrap_err();
        let paths: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "name",
                "time_zone",
                "follower_stats.followers",
                "live_commerce_metrics.avg_conversion_rate"
            ]
        );
    }

    #[test]
    fn merge_patch_merges_and_deletes() {
        let mut p = json!({"a": {"b": 1, "c": 2}, "d": 3});
        merge_patch(&mut p, &json!({"a": {"b": 5, "c": null}, "e": [1]}));
        assert_eq!(p, json!({"a": {"b": 5}, "d": 3, "e": [1]}));
    }
}
