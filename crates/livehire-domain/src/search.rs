//! Host search parameters (`GET /api/v1/humans`), parsed once at the edge.
//!
//! Every numeric parameter has a bound, and a value outside it is an error
//! naming the parameter: `min_followers` and `min_avg_live_viewers` are whole
//! numbers from 0 to [`MAX_COUNT_BOUND`]; `min_avg_gmv_per_session` and
//! `max_rate` numbers from 0 to [`money::MAX_AMOUNT`] (compared in
//! hundredths); `min_conversion_rate` 0–1; `min_rating` 0–5; `limit` 1–100.

use rust_decimal::Decimal;

use crate::error::FieldError;
use crate::money;
use crate::niche::NicheExpr;

/// What search results are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// `avg_gmv` (alias `live_commerce_gmv`): average GMV per session.
    AvgGmv,
    /// `conversion_rate`: average conversion rate.
    ConversionRate,
    /// `avg_viewers`: average concurrent live viewers.
    AvgViewers,
    /// `engagement_rate`: see [`crate::host::engagement_rate`].
    EngagementRate,
    /// `rating` (the default).
    Rating,
    /// `followers`.
    Followers,
    /// `match`: the match score for `for_task`.
    Match,
}

impl SortKey {
    /// Every accepted spelling, for error messages and docs.
    pub const ACCEPTED: &'static str = "avg_gmv, live_commerce_gmv, conversion_rate, avg_viewers, engagement_rate, rating, followers, match";

    /// Parses a `sort` value.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "avg_gmv" | "live_commerce_gmv" => Self::AvgGmv,
            "conversion_rate" => Self::ConversionRate,
            "avg_viewers" => Self::AvgViewers,
            "engagement_rate" => Self::EngagementRate,
            "rating" => Self::Rating,
            "followers" => Self::Followers,
            "match" => Self::Match,
            _ => return None,
        })
    }
}

/// A parsed host search.
#[derive(Debug, Clone, PartialEq)]
pub struct HostQuery {
    /// `platform`.
    pub platform: Option<String>,
    /// `skills` / `skills[]`: the host must have all.
    pub skills: Vec<String>,
    /// `category=live_commerce`: hosts with live-commerce experience.
    pub live_commerce_category: bool,
    /// `niche` expression.
    pub niche: Option<NicheExpr>,
    /// `min_followers`.
    pub min_followers: Option<i64>,
    /// `min_avg_live_viewers`.
    pub min_avg_live_viewers: Option<i64>,
    /// `min_avg_gmv_per_session`, in hundredths.
    pub min_avg_gmv_cents: Option<i64>,
    /// `min_conversion_rate`.
    pub min_conversion_rate: Option<f64>,
    /// `min_rating`.
    pub min_rating: Option<f64>,
    /// `max_rate`: the host's `compensation_range.min` is at most this (hundredths).
    pub max_rate_cents: Option<i64>,
    /// `tiktok_shop_verified`.
    pub tiktok_shop_verified: Option<bool>,
    /// `live_commerce_experience`.
    pub live_commerce_experience: Option<bool>,
    /// `q`, lower-cased.
    pub q: Option<String>,
    /// `sort`.
    pub sort: SortKey,
    /// `order=asc` flips the default descending order.
    pub ascending: bool,
    /// `for_task`: a task of the caller's to match hosts to.
    pub for_task: Option<crate::ids::TaskId>,
    /// `limit` (1–100, default 20).
    pub limit: u32,
    /// `cursor` from a previous page, opaque.
    pub cursor: Option<String>,
}

/// The largest `min_followers` / `min_avg_live_viewers` accepted: one
/// trillion, far above any audience, small enough for every comparison.
pub const MAX_COUNT_BOUND: i64 = 1_000_000_000_000;

/// The largest `min_rating` accepted (ratings are 1–5).
pub const MAX_RATING_BOUND: f64 = 5.0;

/// The largest `min_conversion_rate` accepted (a share, 0–1).
pub const MAX_CONVERSION_BOUND: f64 = 1.0;

/// A query value as an exact decimal (`30000.5`, `1e3`); None when it is not
/// a number a decimal can hold.
fn decimal(v: &str) -> Option<Decimal> {
    let v = v.trim();
    if v.contains(['e', 'E']) {
        Decimal::from_scientific(v).ok()
    } else {
        Decimal::from_str_exact(v).ok()
    }
}

/// A count bound: a whole number from 0 to [`MAX_COUNT_BOUND`].
fn count_bound(name: &str, v: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let n = decimal(v)
        .filter(|d| !d.is_sign_negative() && d.fract().is_zero())
        .and_then(|d| i64::try_from(d).ok())
        .filter(|n| *n <= MAX_COUNT_BOUND);
    if n.is_none() {
        errors.push(FieldError::new(
            name,
            format!("must be a whole number from 0 to {MAX_COUNT_BOUND}, got \"{v}\""),
        ));
    }
    n
}

/// A money bound: a number from 0 to [`money::MAX_AMOUNT`], in hundredths.
fn money_bound(name: &str, v: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    let cents = decimal(v)
        .filter(|d| !d.is_sign_negative() && *d <= money::MAX_AMOUNT)
        .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED))
        .and_then(|c| i64::try_from(c.round()).ok());
    if cents.is_none() {
        errors.push(FieldError::new(
            name,
            format!(
                "must be a number from 0 to {}, got \"{v}\"",
                money::MAX_AMOUNT
            ),
        ));
    }
    cents
}

/// A bound on a figure that lives in `0..=max` (a rating, a share).
fn ratio_bound(name: &str, v: &str, max: f64, errors: &mut Vec<FieldError>) -> Option<f64> {
    match v.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && (0.0..=max).contains(&n) => Some(n),
        _ => {
            errors.push(FieldError::new(
                name,
                format!("must be a number from 0 to {max}, got \"{v}\""),
            ));
            None
        }
    }
}

fn boolean(name: &str, v: &str, errors: &mut Vec<FieldError>) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => {
            errors.push(FieldError::new(
                name,
                format!("must be true or false, got \"{v}\""),
            ));
            None
        }
    }
}

impl HostQuery {
    /// Parses query pairs, collecting one error per bad parameter. Unknown
    /// parameters are ignored, as web APIs conventionally do.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut q = HostQuery {
            platform: None,
            skills: Vec::new(),
            live_commerce_category: false,
            niche: None,
            min_followers: None,
            min_avg_live_viewers: None,
            min_avg_gmv_cents: None,
            min_conversion_rate: None,
            min_rating: None,
            max_rate_cents: None,
            tiktok_shop_verified: None,
            live_commerce_experience: None,
            q: None,
            sort: SortKey::Rating,
            ascending: false,
            for_task: None,
            limit: 20,
            cursor: None,
        };
        let mut sort_given = false;
        for (k, v) in pairs {
            let e = &mut errors;
            match k.as_str() {
                "platform" => {
                    let p = v.trim().to_lowercase();
                    if p != "tiktok" {
                        e.push(FieldError::new("platform", "only \"tiktok\" is supported"));
                    }
                    q.platform = Some(p);
                }
                "skills" | "skills[]" => q.skills.extend(
                    v.split(',')
                        .map(|s| s.trim().to_lowercase())
                        .filter(|s| !s.is_empty()),
                ),
                "category" => match v.as_str() {
                    "live_commerce" | "tiktok_live_commerce" => q.live_commerce_category = true,
                    _ => e.push(FieldError::new("category", "must be \"live_commerce\"")),
                },
                "niche" => match NicheExpr::parse(v) {
                    Ok(n) => q.niche = Some(n),
                    Err(msg) => e.push(FieldError::new("niche", msg)),
                },
                "min_followers" => q.min_followers = count_bound(k, v, e),
                "min_avg_live_viewers" => q.min_avg_live_viewers = count_bound(k, v, e),
                "min_avg_gmv_per_session" => q.min_avg_gmv_cents = money_bound(k, v, e),
                "min_conversion_rate" => {
                    q.min_conversion_rate = ratio_bound(k, v, MAX_CONVERSION_BOUND, e)
                }
                "min_rating" => q.min_rating = ratio_bound(k, v, MAX_RATING_BOUND, e),
                "max_rate" => q.max_rate_cents = money_bound(k, v, e),
                "tiktok_shop_verified" => q.tiktok_shop_verified = boolean(k, v, e),
                "live_commerce_experience" => q.live_commerce_experience = boolean(k, v, e),
                "q" => {
                    let t = v.trim().to_lowercase();
                    q.q = (!t.is_empty()).then_some(t);
                }
                "sort" => match SortKey::parse(v) {
                    Some(s) => {
                        q.sort = s;
                        sort_given = true;
                    }
                    None => e.push(FieldError::new(
                        "sort",
                        format!("unknown sort \"{v}\"; use one of {}", SortKey::ACCEPTED),
                    )),
                },
                "order" => match v.as_str() {
                    "asc" => q.ascending = true,
                    "desc" => q.ascending = false,
                    _ => e.push(FieldError::new("order", "must be \"asc\" or \"desc\"")),
                },
                "for_task" => q.for_task = Some(crate::ids::TaskId::from(v.as_str())),
                "limit" => match v.parse::<u32>() {
                    Ok(n) if (1..=100).contains(&n) => q.limit = n,
                    _ => e.push(FieldError::new("limit", "must be an integer from 1 to 100")),
                },
                "cursor" => q.cursor = (!v.is_empty()).then(|| v.clone()),
                _ => {}
            }
        }
        if q.for_task.is_some() && !sort_given {
            q.sort = SortKey::Match;
        }
        if q.sort == SortKey::Match && q.for_task.is_none() {
            errors.push(FieldError::new(
                "sort",
                "sort=match needs for_task=<task id>",
            ));
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &str) -> Vec<(String, String)> {
        s.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.replace('+', " "))
            })
            .collect()
    }

    #[test]
    fn the_seed_query_parses() {
        let q = HostQuery::parse(&pairs(
            "skills=live_streaming,sales_presentation,audience_engagement&platform=tiktok&sort=live_commerce_gmv",
        ))
        .unwrap();
        assert_eq!(
            q.skills,
            [
                "live_streaming",
                "sales_presentation",
                "audience_engagement"
            ]
        );
        assert_eq!(q.sort, SortKey::AvgGmv);
        assert_eq!(q.limit, 20);
        let q = HostQuery::parse(&pairs(
            "skills[]=a&skills[]=b&min_avg_gmv_per_session=30000.5",
        ))
        .unwrap();
        assert_eq!(q.skills, ["a", "b"]);
        assert_eq!(q.min_avg_gmv_cents, Some(3_000_050));
    }

    #[test]
    fn every_numeric_parameter_has_a_bound() {
        let max = money::MAX_AMOUNT;
        for bad in [
            "max_rate=1e27".to_string(),
            "max_rate=79228162514264337593543950335".to_string(),
            format!("max_rate={}", max + Decimal::new(1, 2)),
            "min_avg_gmv_per_session=1e400".to_string(),
            "min_avg_gmv_per_session=-0.01".to_string(),
            "min_followers=1000000000001".to_string(),
            "min_followers=1.5".to_string(),
            "min_followers=1e30".to_string(),
            "min_avg_live_viewers=NaN".to_string(),
            "min_conversion_rate=1.01".to_string(),
            "min_conversion_rate=inf".to_string(),
            "min_rating=5.5".to_string(),
            "min_rating=-1".to_string(),
        ] {
            let errs = HostQuery::parse(&pairs(&bad)).unwrap_err();
            let name = bad.split('=').next().unwrap();
            assert_eq!(errs.len(), 1, "{bad}");
            assert_eq!(errs[0].path, name, "{bad}");
        }
        let q = HostQuery::parse(&pairs(&format!(
            "max_rate={max}&min_avg_gmv_per_session=0.005&min_followers=1e3&\
             min_avg_live_viewers=1000000000000&min_conversion_rate=1&min_rating=5"
        )))
        .unwrap();
        let max_cents = i64::try_from(max * Decimal::ONE_HUNDRED).unwrap();
        assert_eq!(q.max_rate_cents, Some(max_cents));
        assert_eq!(q.min_avg_gmv_cents, Some(0));
        assert_eq!(q.min_followers, Some(1000));
        assert_eq!(q.min_avg_live_viewers, Some(MAX_COUNT_BOUND));
        assert_eq!(
            HostQuery::parse(&pairs("min_followers=1.5")).unwrap_err()[0].message,
            "must be a whole number from 0 to 1000000000000, got \"1.5\""
        );
    }

    #[test]
    fn bad_values_name_the_parameter() {
        let errs = HostQuery::parse(&pairs("sort=best&limit=0&min_followers=-5&niche=beauty+OR"))
            .unwrap_err();
        let names: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(names, ["sort", "limit", "min_followers", "niche"]);
    }
}
