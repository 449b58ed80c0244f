//! The match score of a host for a task (SPEC §2): what `sort=match` ranks by and
//! what recommendations explain.
//!
//! Eligibility ([`crate::eligibility`]) is the hard filter; this module only ranks
//! hosts that passed it. The score is 0–100 (one decimal) and is the sum of four
//! parts:
//!
//! | part | points | how |
//! |---|---|---|
//! | expected GMV | 50 | `50 × r / (r + 1)`, r = expected GMV ÷ reference GMV |
//! | niche overlap | 20 | `20 ×` share of the niches the task's expression names that the host has; 10 when the task names none |
//! | rating | 20 | `20 × weighted rating / 5` (below) |
//! | compensation fit | 10 | 10 when the pay per session reaches the host's `compensation_range.min` (or the host states none), else `10 × pay / min` |
//!
//! **Expected GMV** (whole units of the task's currency) is
//! `avg_live_viewers × conversion_rate × average price × total session minutes ÷ 30`.
//! `avg_live_viewers` is a concurrent figure; a viewer stays about 30 minutes (the
//! seed's hosts report 22–32 minutes of average watch time), so a session of
//! `m` minutes sees about `m ÷ 30` audiences in turn, of which `conversion_rate`
//! buy at the average price. The average price is the mean of the products'
//! `live_discount_price`, else `retail_price`. Calibration: Live Queen Chen's
//! figures give 975 orders for a 3-hour session; her recent 3-hour session sold 847.
//! When the task prices no product, or the host has no viewer or conversion figure,
//! the host's `avg_gmv_per_session × number of sessions` is used instead. Figures
//! are compared as numbers: the host's currency is assumed to be the task's.
//!
//! **Reference GMV** is the task's GMV target — the lowest GMV threshold among its
//! `performance_bonuses` (the first figure the brand pays extra for) — or, without
//! one, ten times the compensation (host pay at 10% of GMV, a common live-commerce
//! cost of sales). Reaching the reference earns 25 of the 50 points, twice it 33.3,
//! and the curve keeps rising towards 50, so more expected GMV never lowers the
//! score.
//!
//! **Weighted rating.** A rating counts for as much as the ratings behind it:
//! the score uses the Bayesian average
//! `(5 × 3.0 + n × rating) ÷ (5 + n)`, where `n` is the number of ratings the
//! host's `rating` stands on ([`SearchFields::ratings_count`]), as if every host
//! started with [`PRIOR_RATINGS`] ratings of [`UNRATED_RATING`]. An unrated host
//! scores 3.0; one 5-star rating makes 3.33; Live Queen Chen's 4.9 from 89
//! completed sessions makes 4.80. So one rating cannot lift a newcomer past an
//! established host, and a long record moves the figure towards its own
//! average. `min_rating` and `sort=rating` still use the `rating` shown.
//!
//! **Compensation fit** compares the compensation per session (compensation ÷
//! sessions) with the host's minimum rate; SearchFields carries no maximum, so
//! paying above the range costs nothing.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::bonus::BonusMetric;
use crate::host::SearchFields;
use crate::money;
use crate::task::TaskDraft;

/// Points for expected GMV relative to the reference GMV.
pub const GMV_POINTS: f64 = 50.0;
/// Points for niche overlap.
pub const NICHE_POINTS: f64 = 20.0;
/// Points for the host's rating.
pub const RATING_POINTS: f64 = 20.0;
/// Points for the task's compensation reaching the host's minimum rate.
pub const COMPENSATION_POINTS: f64 = 10.0;
/// Minutes a typical viewer stays: a session turns its audience over once per this.
pub const TYPICAL_WATCH_MINUTES: u32 = 30;
/// Without a GMV target, the reference GMV is this multiple of the compensation.
pub const REFERENCE_COMPENSATION_MULTIPLE: u32 = 10;
/// The rating an unrated host is scored with, and the prior every rating is
/// weighted towards (see [`weighted_rating`]).
pub const UNRATED_RATING: f64 = 3.0;
/// How many ratings of [`UNRATED_RATING`] the prior counts as.
pub const PRIOR_RATINGS: f64 = 5.0;

/// A rating weighted by the number of ratings behind it: the Bayesian average
/// `(PRIOR_RATINGS × UNRATED_RATING + n × rating) ÷ (PRIOR_RATINGS + n)`, with
/// `rating` capped to 0–5. No rating (or no ratings behind it) gives
/// [`UNRATED_RATING`].
pub fn weighted_rating(rating: f64, ratings: i64) -> f64 {
    if rating.is_nan() || rating <= 0.0 || ratings <= 0 {
        return UNRATED_RATING;
    }
    let n = ratings as f64;
    (PRIOR_RATINGS * UNRATED_RATING + n * rating.min(5.0)) / (PRIOR_RATINGS + n)
}

/// A host's match for a task.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Match {
    /// 0–100, one decimal.
    pub score: f64,
    /// Expected GMV over all of the task's sessions, whole units of the task's currency.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    #[schema(value_type = f64)]
    pub expected_gmv: Decimal,
    /// Why, one short sentence per part with its figures.
    pub reasons: Vec<String>,
}

/// Scores `host` for `task`. Deterministic; see the module docs for the formula.
pub fn score(task: &TaskDraft, host: &SearchFields) -> Match {
    let code = task.currency.code();
    let mut reasons = Vec::new();

    let (expected_gmv, gmv_reason) = expected_gmv(task, host);
    reasons.push(gmv_reason);
    // `multiple` is what the reason states (GMV over the target or over the
    // compensation); `ratio` is GMV over the reference GMV that the curve scores.
    let (base, per_reference, base_text) = match gmv_target(task) {
        Some(target) => (
            target,
            Decimal::ONE,
            format!("the GMV target of {} {code}", thousands(target)),
        ),
        None => (
            task.compensation,
            Decimal::from(REFERENCE_COMPENSATION_MULTIPLE),
            format!(
                "the compensation of {} {code}",
                thousands(task.compensation)
            ),
        ),
    };
    let multiple = expected_gmv
        .checked_div(base)
        .map_or(f64::MAX, |m| m.to_f64().unwrap_or(f64::MAX));
    let ratio = multiple / per_reference.to_f64().unwrap_or(1.0);
    let gmv_points = GMV_POINTS * saturate(ratio);
    reasons.push(format!(
        "expected GMV is {}× {base_text}",
        one_decimal(multiple)
    ));

    let (niche_points, niche_reason) = niche_fit(task, host);
    reasons.push(niche_reason);

    let rating = weighted_rating(host.rating, host.ratings_count);
    let rating_reason = if host.rating > 0.0 && host.ratings_count > 0 {
        let plural = if host.ratings_count == 1 { "" } else { "s" };
        format!(
            "rating {} from {} rating{plural}, weighted {rating:.2}",
            host.rating, host.ratings_count
        )
    } else if host.rating > 0.0 {
        format!(
            "rating {} with no ratings behind it (counted as {UNRATED_RATING:.1})",
            host.rating
        )
    } else {
        format!("not yet rated (counted as {UNRATED_RATING:.1})")
    };
    reasons.push(rating_reason);
    let rating_points = RATING_POINTS * rating / 5.0;

    let (compensation_points, compensation_reason) = compensation_fit(task, host);
    reasons.push(compensation_reason);

    let total = gmv_points + niche_points + rating_points + compensation_points;
    Match {
        score: (total.clamp(0.0, 100.0) * 10.0).round() / 10.0,
        expected_gmv,
        reasons,
    }
}

/// `r / (r + 1)`: 0 at 0, ½ at 1, rising towards 1; non-decreasing for every input.
fn saturate(r: f64) -> f64 {
    if r.is_nan() || r <= 0.0 {
        0.0
    } else if r.is_infinite() || r >= 1e12 {
        1.0
    } else {
        r / (r + 1.0)
    }
}

/// The task's GMV target: the lowest GMV threshold among its performance bonuses.
fn gmv_target(task: &TaskDraft) -> Option<Decimal> {
    task.commission
        .performance_bonuses
        .iter()
        .filter(|(key, _)| key.metric == BonusMetric::Gmv && key.threshold > Decimal::ZERO)
        .map(|(key, _)| key.threshold)
        .min()
}

/// The mean of the products' live prices (else retail prices); None if no product
/// has a price.
pub fn average_product_price(task: &TaskDraft) -> Option<Decimal> {
    let prices: Vec<Decimal> = task
        .products
        .iter()
        .filter_map(|p| p.live_discount_price.or(p.retail_price))
        .collect();
    if prices.is_empty() {
        return None;
    }
    let sum = prices
        .iter()
        .try_fold(Decimal::ZERO, |acc, p| acc.checked_add(*p))?;
    sum.checked_div(Decimal::from(prices.len()))
}

/// Expected GMV in whole units, with the sentence that explains it.
fn expected_gmv(task: &TaskDraft, host: &SearchFields) -> (Decimal, String) {
    let code = task.currency.code();
    let sessions = task.sessions.len().max(1);
    let minutes: u32 = task
        .sessions
        .iter()
        .map(|s| s.duration_minutes)
        .sum::<u32>()
        .max(1);
    let conversion = decimal_ratio(host.conversion_rate.min(1.0));
    let price = average_product_price(task);
    if let (Some(price), Some(conversion)) = (price, conversion)
        && host.avg_live_viewers > 0
    {
        let gmv = Decimal::from(host.avg_live_viewers)
            .checked_mul(conversion)
            .and_then(|g| g.checked_mul(price))
            .and_then(|g| g.checked_mul(Decimal::from(minutes)))
            .and_then(|g| g.checked_div(Decimal::from(TYPICAL_WATCH_MINUTES)))
            .map_or(money::MAX_AMOUNT, |g| g.min(money::MAX_AMOUNT).round());
        let reason = format!(
            "expected GMV {} {code} from {} avg viewers × {}% × {} {code} average price × {minutes} min ÷ {TYPICAL_WATCH_MINUTES} min watch time",
            thousands(gmv),
            thousands(Decimal::from(host.avg_live_viewers)),
            conversion
                .checked_mul(Decimal::ONE_HUNDRED)
                .map_or(Decimal::ONE_HUNDRED, |pct| pct.round_dp(2).normalize()),
            thousands(price.round_dp(2)),
        );
        return (gmv, reason);
    }
    let why = if price.is_none() {
        "the task prices no products"
    } else {
        "the host has no viewer or conversion figure"
    };
    let per_session = Decimal::new(host.avg_gmv_cents.max(0), 2);
    let gmv = per_session
        .checked_mul(Decimal::from(sessions))
        .map_or(money::MAX_AMOUNT, |g| g.min(money::MAX_AMOUNT).round());
    let times = if sessions == 1 {
        String::new()
    } else {
        format!(" × {sessions} sessions")
    };
    let reason = format!(
        "expected GMV {} {code} from the host's average {} per session{times} ({why})",
        thousands(gmv),
        thousands(per_session),
    );
    (gmv, reason)
}

/// A conversion ratio as an exact decimal (by its shortest text, so 0.065 stays
/// 0.065); None when missing (≤ 0) or not finite.
fn decimal_ratio(r: f64) -> Option<Decimal> {
    if !r.is_finite() || r <= 0.0 {
        return None;
    }
    r.to_string()
        .parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_f64_retain(r))
}

/// Niche points and reason.
fn niche_fit(task: &TaskDraft, host: &SearchFields) -> (f64, String) {
    let Some(expr) = &task.requirements.niche else {
        return (NICHE_POINTS / 2.0, "no niche asked for".to_string());
    };
    let wanted = expr.niches();
    let (have, lack): (Vec<&String>, Vec<&String>) = wanted
        .iter()
        .partition(|w| host.niches.iter().any(|n| n.eq_ignore_ascii_case(w)));
    let names = |list: &[&String]| {
        list.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let points = NICHE_POINTS * have.len() as f64 / wanted.len().max(1) as f64;
    let reason = if have.is_empty() {
        format!("no niche overlap with {expr}")
    } else if lack.is_empty() {
        format!("niche match: {}", names(&have))
    } else {
        format!("niche match: {} (not {})", names(&have), names(&lack))
    };
    (points, reason)
}

/// Compensation-fit points and reason.
fn compensation_fit(task: &TaskDraft, host: &SearchFields) -> (f64, String) {
    let sessions = task.sessions.len().max(1);
    let per_session = money::round(
        task.compensation
            .checked_div(Decimal::from(sessions))
            .unwrap_or(task.compensation),
        task.currency,
    );
    let offered = if sessions == 1 {
        format!("compensation {}", thousands(per_session))
    } else {
        format!(
            "compensation {} per session ({} over {sessions} sessions)",
            thousands(per_session),
            thousands(task.compensation)
        )
    };
    let Some(min) = host.min_rate_cents.filter(|c| *c > 0) else {
        return (
            COMPENSATION_POINTS,
            format!("{offered}; the host states no minimum rate"),
        );
    };
    let min = Decimal::new(min, 2);
    if per_session >= min {
        (
            COMPENSATION_POINTS,
            format!("{offered} meets the host's minimum {}", thousands(min)),
        )
    } else {
        let share = per_session
            .checked_div(min)
            .and_then(|r| r.to_f64())
            .unwrap_or(0.0)
            .clamp(0.0, 1.0);
        (
            COMPENSATION_POINTS * share,
            format!("{offered} is below the host's minimum {}", thousands(min)),
        )
    }
}

/// One decimal, without a trailing `.0`: 3.49 → "3.5", 12.0 → "12".
fn one_decimal(x: f64) -> String {
    if !x.is_finite() || x >= 1e15 {
        return "∞".to_string();
    }
    let rounded = (x * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// An amount with thousands separators and no trailing zeros: `32500` →
/// "32,500", `1500.50` → "1,500.5".
pub(crate) fn thousands(d: Decimal) -> String {
    money::group_thousands(&d.normalize().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::search_fields;
    use crate::test_hosts::seed_hosts;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;
    use serde_json::{Value, json};

    fn task(body: Value) -> TaskDraft {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        TaskDraft::parse(&body, now).unwrap()
    }

    fn chen() -> SearchFields {
        search_fields(&seed_hosts()[0])
    }

    fn liu() -> SearchFields {
        search_fields(&seed_hosts()[1])
    }

    fn zhang() -> SearchFields {
        search_fields(&seed_hosts()[2])
    }

    /// Workflow 1: 3-hour skincare launch, three priced products, GMV bonuses
    /// from 100k.
    fn launch_premiere() -> TaskDraft {
        task(json!({
            "title": "LIVE PREMIERE: New skincare line exclusive launch event",
            "description": "Host a special 3-hour TikTok Live event",
            "category": "tiktok_live_commerce", "platform": "tiktok",
            "compensation": 5000.00, "currency": "CNY", "deadline": "2026-03-20T19:00:00Z",
            "requirements": {"skills": ["live_streaming", "product_education", "skincare_expertise", "sales_presentation"],
                "min_followers": 50000, "min_avg_live_viewers": 1000, "niche": "beauty OR skincare",
                "tiktok_shop_verified": true},
            "live_session_details": {"session_type": "product_launch_premiere", "duration_hours": 3,
                "scheduled_time": "2026-03-25T19:00:00Z",
                "products": [
                    {"name": "Vitamin C Serum", "retail_price": 199, "launch_discount": "30%"},
                    {"name": "Retinol Night Cream", "retail_price": 249, "launch_discount": "25%"},
                    {"name": "Hydrating Face Mask", "retail_price": 89, "launch_discount": "40%"}
                ]},
            "commission_structure": {"base_payment": 5000.00, "commission_rate": 0.10,
                "performance_bonuses": {"100k_gmv": 3000.00, "200k_gmv": 8000.00,
                    "300k_gmv": 15000.00, "viral_highlight_100k_views": 1500.00}}
        }))
    }

    /// Getting Started step 3: 2 hours, 8 unlisted products, GMV bonuses from 50k.
    fn getting_started() -> TaskDraft {
        task(json!({
            "title": "Live shopping session: Beauty products flash sale",
            "description": "Host a 2-hour TikTok Live session",
            "category": "tiktok_live_commerce", "platform": "tiktok",
            "compensation": 1500.00, "currency": "CNY", "deadline": "2026-03-10T20:00:00Z",
            "live_session_details": {"duration_hours": 2, "scheduled_time": "2026-03-15T19:00:00Z",
                "products_count": 8},
            "commission_structure": {"base_payment": 1500.00, "commission_rate": 0.08,
                "performance_bonuses": {"50k_gmv": 800.00, "100k_gmv": 2000.00, "200k_gmv": 5000.00}}
        }))
    }

    /// Workflow 2: four 2-hour sessions for 6,000 CNY, no GMV bonus.
    fn weekly_series() -> TaskDraft {
        task(json!({
            "title": "Weekly flash sale live sessions (4-week series)",
            "description": "Host weekly 2-hour TikTok Live flash sale events",
            "category": "tiktok_live_commerce", "platform": "tiktok",
            "compensation": 6000.00, "currency": "CNY", "deadline": "2026-04-30T20:00:00Z",
            "requirements": {"skills": ["live_streaming", "flash_sales", "audience_building"], "min_followers": 30000},
            "live_session_details": {"sessions_count": 4, "schedule": [
                {"week": 1, "date": "2026-04-05T20:00:00Z", "theme": "Beauty essentials"},
                {"week": 2, "date": "2026-04-12T20:00:00Z", "theme": "Home organization"},
                {"week": 3, "date": "2026-04-19T20:00:00Z", "theme": "Tech accessories"},
                {"week": 4, "date": "2026-04-26T20:00:00Z", "theme": "Fashion & jewelry"}],
                "duration_per_session": "2 hours", "products_per_session": "10-12 items"},
            "commission_structure": {"base_payment_total": 6000.00, "per_session_base": 1500.00,
                "commission_rate": 0.08, "series_completion_bonus": 1000.00,
                "growth_bonus": "500 CNY if Week 4 viewers > Week 1 by 30%"}
        }))
    }

    #[test]
    fn expected_gmv_multiplies_viewers_conversion_price_and_turnover() {
        let m = score(&launch_premiere(), &chen());
        // 2,500 × 0.065 × mean(199, 249, 89) = 179 × 180 / 30.
        assert_eq!(m.expected_gmv, dec!(174525));
        assert_eq!(
            m.reasons[0],
            "expected GMV 174,525 CNY from 2,500 avg viewers × 6.5% × 179 CNY average price × 180 min ÷ 30 min watch time"
        );
        assert_eq!(
            m.reasons[1],
            "expected GMV is 1.7× the GMV target of 100,000 CNY"
        );
        assert_eq!(m.reasons[2], "niche match: beauty, skincare");
        assert_eq!(m.reasons[3], "rating 4.9 from 89 ratings, weighted 4.80");
        assert_eq!(
            m.reasons[4],
            "compensation 5,000 meets the host's minimum 2,000"
        );
        // 50 × 1.74525 / 2.74525 + 20 + 20 × 4.799 / 5 + 10 = 31.79 + 20 + 19.2 + 10,
        // the rating weighted as (5 × 3 + 89 × 4.9) / 94 = 4.799.
        assert_eq!(m.score, 81.0);
    }

    #[test]
    fn live_discount_prices_win_over_retail() {
        let mut t = launch_premiere();
        t.products[0].live_discount_price = Some(dec!(139.30));
        assert_eq!(average_product_price(&t), Some(dec!(159.1)));
    }

    #[test]
    fn without_prices_the_host_average_gmv_is_used() {
        let m = score(&getting_started(), &chen());
        assert_eq!(m.expected_gmv, dec!(85000));
        assert_eq!(
            m.reasons[0],
            "expected GMV 85,000 CNY from the host's average 85,000 per session (the task prices no products)"
        );
        assert_eq!(
            m.reasons[1],
            "expected GMV is 1.7× the GMV target of 50,000 CNY"
        );
        assert_eq!(m.reasons[2], "no niche asked for");
        assert_eq!(
            m.reasons[4],
            "compensation 1,500 is below the host's minimum 2,000"
        );
        // 50 × 1.7 / 2.7 + 10 + 19.2 + 10 × 0.75.
        assert_eq!(m.score, 68.2);
    }

    #[test]
    fn a_series_sums_its_sessions_and_compares_pay_per_session() {
        let m = score(&weekly_series(), &zhang());
        assert_eq!(m.expected_gmv, dec!(720000));
        assert_eq!(
            m.reasons[0],
            "expected GMV 720,000 CNY from the host's average 180,000 per session × 4 sessions (the task prices no products)"
        );
        assert_eq!(
            m.reasons[1],
            "expected GMV is 120× the compensation of 6,000 CNY"
        );
        assert_eq!(
            m.reasons[4],
            "compensation 1,500 per session (6,000 over 4 sessions) is below the host's minimum 3,000"
        );
        // 50 × 12 / 13 + 10 + 20 × 4.627 / 5 + 10 × 0.5: Zhang's 4.7 from 112
        // sessions weighs (5 × 3 + 112 × 4.7) / 117 = 4.627.
        assert_eq!(m.score, 79.7);
    }

    #[test]
    fn a_host_without_conversion_falls_back_to_average_gmv() {
        let host = SearchFields {
            conversion_rate: 0.0,
            ..chen()
        };
        let m = score(&launch_premiere(), &host);
        assert_eq!(m.expected_gmv, dec!(85000));
        assert!(m.reasons[0].ends_with("(the host has no viewer or conversion figure)"));
    }

    #[test]
    fn the_premiere_ranks_the_skincare_specialist_on_niche_but_chen_on_gmv() {
        let t = launch_premiere();
        let chen = score(&t, &chen());
        let liu = score(&t, &liu());
        // Liu: 1,200 × 0.058 × 179 × 6 = 74,750.4.
        assert_eq!(liu.expected_gmv, dec!(74750));
        assert_eq!(liu.reasons[2], "niche match: beauty, skincare");
        assert!(chen.score > liu.score, "{chen:?} {liu:?}");
        let zhang = score(&t, &zhang());
        assert_eq!(zhang.reasons[2], "no niche overlap with beauty OR skincare");
    }

    #[test]
    fn partial_niche_overlap_counts_a_share() {
        let mut t = launch_premiere();
        t.requirements.niche = Some("tech OR smart_home OR gadgets".parse().unwrap());
        let host = SearchFields {
            niches: vec!["tech".into(), "fashion".into()],
            ..chen()
        };
        let m = score(&t, &host);
        assert_eq!(m.reasons[2], "niche match: tech (not smart_home, gadgets)");
        let full = SearchFields {
            niches: vec!["tech".into(), "smart_home".into(), "gadgets".into()],
            ..chen()
        };
        assert!((score(&t, &full).score - m.score - 13.3).abs() < 0.11);
    }

    #[test]
    fn unrated_hosts_count_as_three_stars() {
        let host = SearchFields {
            rating: 0.0,
            ..chen()
        };
        let m = score(&launch_premiere(), &host);
        assert_eq!(m.reasons[3], "not yet rated (counted as 3.0)");
        assert_eq!(m.score, 73.8);
    }

    #[test]
    fn a_rating_weighs_as_much_as_the_ratings_behind_it() {
        assert_eq!(weighted_rating(0.0, 0), 3.0);
        assert_eq!(
            weighted_rating(4.9, 0),
            3.0,
            "a figure with nothing behind it"
        );
        assert_eq!(weighted_rating(5.0, 1), 20.0 / 6.0);
        assert_eq!(weighted_rating(1.0, 1), 16.0 / 6.0);
        assert_eq!(weighted_rating(4.9, 89), (15.0 + 89.0 * 4.9) / 94.0);
        assert_eq!(weighted_rating(9.0, 5), 4.0, "capped to five stars");
        // One 5-star rating does not outrank 4.9 from 89 sessions; it takes
        // more five-star ratings than that record has to get close.
        assert!(weighted_rating(5.0, 1) < weighted_rating(4.9, 89));
        assert!(weighted_rating(5.0, 89) > weighted_rating(4.9, 89));
        assert!(weighted_rating(5.0, 40) < weighted_rating(4.9, 89));
    }

    #[test]
    fn one_rating_cannot_lift_a_lookalike_past_the_host_it_copies() {
        let t = getting_started();
        let newcomer = SearchFields {
            rating: 5.0,
            ratings_count: 1,
            ..chen()
        };
        let (c, n) = (score(&t, &chen()), score(&t, &newcomer));
        assert_eq!(n.reasons[3], "rating 5 from 1 rating, weighted 3.33");
        // 31.5 + 10 + 20 × 3.33 / 5 + 7.5 against Chen's 68.2.
        assert_eq!((c.score, n.score), (68.2, 62.3));
    }

    #[test]
    fn the_match_serialises_with_a_numeric_gmv() {
        let m = score(&launch_premiere(), &chen());
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["expected_gmv"], json!(174525));
        assert_eq!(v["score"], json!(81.0));
        assert!(v["reasons"].is_array());
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(dec!(0)), "0");
        assert_eq!(thousands(dec!(999)), "999");
        assert_eq!(thousands(dec!(1500.00)), "1,500");
        assert_eq!(thousands(dec!(9800000)), "9,800,000");
        assert_eq!(thousands(dec!(-1234.5)), "-1,234.5");
    }

    fn host_with(viewers: i64, conversion: f64, gmv_cents: i64) -> SearchFields {
        SearchFields {
            avg_live_viewers: viewers,
            conversion_rate: conversion,
            avg_gmv_cents: gmv_cents,
            ..chen()
        }
    }

    proptest! {
        #[test]
        fn more_expected_gmv_never_lowers_the_score(
            v1 in 0i64..200_000, v2 in 0i64..200_000,
            c1 in 0.0f64..1.0, c2 in 0.0f64..1.0,
            g1 in 0i64..10_000_000_000, g2 in 0i64..10_000_000_000,
            priced in any::<bool>(),
        ) {
            let t = if priced { launch_premiere() } else { getting_started() };
            let a = score(&t, &host_with(v1, c1, g1));
            let b = score(&t, &host_with(v2, c2, g2));
            if a.expected_gmv <= b.expected_gmv {
                prop_assert!(a.score <= b.score, "{a:?} vs {b:?}");
            } else {
                prop_assert!(a.score >= b.score, "{a:?} vs {b:?}");
            }
            prop_assert!((0.0..=100.0).contains(&a.score));
        }

        #[test]
        fn the_weighted_rating_stays_between_the_prior_and_the_rating(
            r in 0.5f64..5.0, n in 0i64..100_000, extra in 1i64..1_000,
        ) {
            let w = weighted_rating(r, n);
            prop_assert!(w >= r.min(3.0) - 1e-9 && w <= r.max(3.0) + 1e-9, "{w}");
            // More ratings of the same average move it towards that average.
            let more = weighted_rating(r, n + extra);
            prop_assert!((more - r).abs() <= (w - r).abs() + 1e-9);
            // Another five-star rating never lowers it.
            let up = weighted_rating((r * n as f64 + 5.0) / (n + 1) as f64, n + 1);
            prop_assert!(up >= w - 1e-9);
        }

        #[test]
        fn expected_gmv_grows_with_viewers(v in 1i64..1_000_000, extra in 0i64..1_000_000) {
            let t = launch_premiere();
            let a = score(&t, &host_with(v, 0.05, 0));
            let b = score(&t, &host_with(v + extra, 0.05, 0));
            prop_assert!(a.expected_gmv <= b.expected_gmv);
            prop_assert!(a.score <= b.score);
        }
    }
}
