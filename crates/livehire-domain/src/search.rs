//! Host search parameters (`GET /api/v1/humans`), parsed once at the edge.

use crate::error::FieldError;
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
    /// `for_task`.
    pub for_task: Option<String>,
    /// `limit` (1–100, default 20).
    pub limit: u32,
    /// `cursor` from a previous page, opaque.
    pub cursor: Option<String>,
}

fn bound_i64(name: &str, v: &str, scale: i64, errors: &mut Vec<FieldError>) -> Option<i64> {
    match v.trim().parse::<rust_decimal::Decimal>() {
        Ok(d) if !d.is_sign_negative() => (d * rust_decimal::Decimal::from(scale))
            .round()
            .try_into()
            .ok()
            .or_else(|| {
                errors.push(FieldError::new(name, "is too large"));
                None
            }),
        _ => {
            errors.push(FieldError::new(
                name,
                format!("must be a non-negative number, got \"{v}\""),
            ));
            None
        }
    }
}

fn bound_f64(name: &str, v: &str, errors: &mut Vec<FieldError>) -> Option<f64> {
    match v.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Some(n),
        _ => {
            errors.push(FieldError::new(
                name,
                format!("must be a non-negative number, got \"{v}\""),
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
                "min_followers" => q.min_followers = bound_i64(k, v, 1, e),
                "min_avg_live_viewers" => q.min_avg_live_viewers = bound_i64(k, v, 1, e),
                "min_avg_gmv_per_session" => q.min_avg_gmv_cents = bound_i64(k, v, 100, e),
                "min_conversion_rate" => q.min_conversion_rate = bound_f64(k, v, e),
                "min_rating" => q.min_rating = bound_f64(k, v, e),
                "max_rate" => q.max_rate_cents = bound_i64(k, v, 100, e),
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
                "for_task" => q.for_task = Some(v.clone()),
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
    fn bad_values_name_the_parameter() {
        let errs = HostQuery::parse(&pairs("sort=best&limit=0&min_followers=-5&niche=beauty+OR"))
            .unwrap_err();
        let names: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(names, ["sort", "limit", "min_followers", "niche"]);
    }
}
