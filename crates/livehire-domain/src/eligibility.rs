//! Eligibility (SPEC §3): does a host meet every bound of a task's `requirements`?
//!
//! Eligibility is a hard filter — search with `for_task` shows only eligible hosts,
//! and apply / assign refuse an ineligible host with a 422 naming each unmet
//! requirement (`min_followers 20000 > 18000`). [`check`] lists every unmet
//! requirement, in the order of [`Requirements`]' fields, so one answer tells the
//! host everything that is missing.
//!
//! Rules: numeric bounds are inclusive lower bounds (a host exactly at the bound is
//! eligible); a boolean requirement of `true` needs the host's flag to be true,
//! `false` imposes nothing; `skills` must all be present (case-insensitive); the
//! `niche` expression must match the host's niches.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::host::SearchFields;
use crate::task::Requirements;

/// One requirement a host does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmet {
    /// The requirement's field name in the task body (`min_followers`, `skills`,
    /// `niche`, `min_avg_gmv_per_session`, …).
    pub requirement: String,
    /// What the task asks for, as text (`50000`, `true`, `flash_sales, audience_building`).
    pub required: String,
    /// The host's value, as text (`18000`, `false`, `live_streaming`).
    pub actual: String,
    /// One sentence naming both, required first: `min_followers 50000 > 18000`.
    pub message: String,
}

impl Unmet {
    fn bound(requirement: &str, required: String, actual: String) -> Unmet {
        Unmet {
            message: format!("{requirement} {required} > {actual}"),
            requirement: requirement.to_string(),
            required,
            actual,
        }
    }

    fn flag(requirement: &str, what_is_missing: &str) -> Unmet {
        Unmet {
            requirement: requirement.to_string(),
            required: "true".to_string(),
            actual: "false".to_string(),
            message: format!("{requirement} required, host {what_is_missing}"),
        }
    }
}

/// Lists every requirement of `req` that `host` does not meet; empty means the
/// host is eligible.
///
/// GMV bounds are printed in whole currency units (`min_avg_gmv_per_session 30000 >
/// 25000`), ratios as given (`min_conversion_rate 0.07 > 0.065`).
pub fn check(req: &Requirements, host: &SearchFields) -> Vec<Unmet> {
    let mut unmet = Vec::new();
    if let Some(min) = req.min_followers
        && host.followers < min
    {
        unmet.push(Unmet::bound(
            "min_followers",
            min.to_string(),
            host.followers.to_string(),
        ));
    }
    if let Some(min) = req.min_avg_live_viewers
        && host.avg_live_viewers < min
    {
        unmet.push(Unmet::bound(
            "min_avg_live_viewers",
            min.to_string(),
            host.avg_live_viewers.to_string(),
        ));
    }
    if let Some(min) = req.min_avg_gmv_cents
        && host.avg_gmv_cents < min
    {
        unmet.push(Unmet::bound(
            "min_avg_gmv_per_session",
            whole_units(min),
            whole_units(host.avg_gmv_cents),
        ));
    }
    if let Some(min) = req.min_conversion_rate
        && host.conversion_rate < min
    {
        unmet.push(Unmet::bound(
            "min_conversion_rate",
            min.to_string(),
            host.conversion_rate.to_string(),
        ));
    }
    if let Some(min) = req.min_rating
        && host.rating < min
    {
        let actual = if host.rating > 0.0 {
            host.rating.to_string()
        } else {
            "0 (not yet rated)".to_string()
        };
        unmet.push(Unmet::bound("min_rating", min.to_string(), actual));
    }
    if req.live_commerce_experience == Some(true) && !host.live_commerce_experience {
        unmet.push(Unmet::flag(
            "live_commerce_experience",
            "has no live-commerce experience",
        ));
    }
    if req.tiktok_shop_verified == Some(true) && !host.tiktok_shop_verified {
        unmet.push(Unmet::flag("tiktok_shop_verified", "is not verified"));
    }
    let missing: Vec<&str> = req
        .skills
        .iter()
        .filter(|want| {
            !host
                .skills
                .iter()
                .any(|have| have.eq_ignore_ascii_case(want))
        })
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        unmet.push(Unmet {
            requirement: "skills".to_string(),
            required: req.skills.join(", "),
            actual: host.skills.join(", "),
            message: format!("skills: missing {}", missing.join(", ")),
        });
    }
    if let Some(niche) = &req.niche
        && !niche.matches(&host.niches)
    {
        unmet.push(Unmet {
            requirement: "niche".to_string(),
            required: niche.to_string(),
            actual: host.niches.join(", "),
            message: format!("niche \"{niche}\" not met by [{}]", host.niches.join(", ")),
        });
    }
    unmet
}

/// Whether the host meets every requirement (`check(..).is_empty()`).
pub fn is_eligible(req: &Requirements, host: &SearchFields) -> bool {
    check(req, host).is_empty()
}

/// Hundredths as whole units without trailing zeros: `3_000_000` → `30000`,
/// `2_550` → `25.5`.
fn whole_units(cents: i64) -> String {
    Decimal::new(cents, 2).normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::search_fields;
    use crate::niche::NicheExpr;
    use crate::test_hosts::seed_hosts;

    fn chen() -> SearchFields {
        search_fields(&seed_hosts()[0])
    }

    fn liu() -> SearchFields {
        search_fields(&seed_hosts()[1])
    }

    fn zhang() -> SearchFields {
        search_fields(&seed_hosts()[2])
    }

    fn skills(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// Getting Started step 3.
    fn getting_started() -> Requirements {
        Requirements {
            skills: skills(&[
                "live_streaming",
                "sales_presentation",
                "product_demonstration",
                "audience_engagement",
            ]),
            min_followers: Some(20_000),
            min_avg_live_viewers: Some(500),
            live_commerce_experience: Some(true),
            tiktok_shop_verified: Some(true),
            ..Requirements::default()
        }
    }

    /// Workflow 1: the skincare launch premiere.
    fn workflow_1() -> Requirements {
        Requirements {
            skills: skills(&[
                "live_streaming",
                "product_education",
                "skincare_expertise",
                "sales_presentation",
            ]),
            min_followers: Some(50_000),
            min_avg_live_viewers: Some(1_000),
            niche: Some(NicheExpr::parse("beauty OR skincare").unwrap()),
            tiktok_shop_verified: Some(true),
            ..Requirements::default()
        }
    }

    /// Workflow 2: the weekly flash-sale series.
    fn workflow_2() -> Requirements {
        Requirements {
            skills: skills(&["live_streaming", "flash_sales", "audience_building"]),
            min_followers: Some(30_000),
            ..Requirements::default()
        }
    }

    fn messages(unmet: &[Unmet]) -> Vec<&str> {
        unmet.iter().map(|u| u.message.as_str()).collect()
    }

    #[test]
    fn every_seed_host_can_take_the_getting_started_task() {
        for host in [chen(), liu(), zhang()] {
            assert_eq!(check(&getting_started(), &host), [], "{}", host.name);
        }
    }

    #[test]
    fn the_launch_premiere_wants_a_skincare_educator() {
        assert!(is_eligible(&workflow_1(), &liu()));
        assert_eq!(
            messages(&check(&workflow_1(), &chen())),
            ["skills: missing product_education, skincare_expertise"]
        );
        assert_eq!(
            messages(&check(&workflow_1(), &zhang())),
            [
                "skills: missing product_education, skincare_expertise",
                "niche \"beauty OR skincare\" not met by [consumer_goods, home_goods, fashion, daily_necessities]"
            ]
        );
    }

    #[test]
    fn the_flash_sale_series_wants_flash_sale_skills() {
        assert!(is_eligible(&workflow_2(), &zhang()));
        let unmet = check(&workflow_2(), &liu());
        assert_eq!(unmet.len(), 1);
        assert_eq!(unmet[0].requirement, "skills");
        assert_eq!(
            unmet[0].message,
            "skills: missing flash_sales, audience_building"
        );
        assert_eq!(
            unmet[0].required,
            "live_streaming, flash_sales, audience_building"
        );
    }

    #[test]
    fn numeric_bounds_name_required_then_actual() {
        let host = SearchFields {
            followers: 18_000,
            avg_live_viewers: 400,
            avg_gmv_cents: 2_500_000,
            conversion_rate: 0.065,
            rating: 4.2,
            ..chen()
        };
        let req = Requirements {
            min_followers: Some(50_000),
            min_avg_live_viewers: Some(500),
            min_avg_gmv_cents: Some(3_000_000),
            min_conversion_rate: Some(0.07),
            min_rating: Some(4.5),
            ..Requirements::default()
        };
        let unmet = check(&req, &host);
        assert_eq!(
            messages(&unmet),
            [
                "min_followers 50000 > 18000",
                "min_avg_live_viewers 500 > 400",
                "min_avg_gmv_per_session 30000 > 25000",
                "min_conversion_rate 0.07 > 0.065",
                "min_rating 4.5 > 4.2",
            ]
        );
        assert_eq!(unmet[0].requirement, "min_followers");
        assert_eq!(unmet[0].required, "50000");
        assert_eq!(unmet[0].actual, "18000");
        assert_eq!(unmet[2].requirement, "min_avg_gmv_per_session");
    }

    #[test]
    fn bounds_are_inclusive() {
        let req = Requirements {
            min_followers: Some(180_000),
            min_avg_live_viewers: Some(2_500),
            min_avg_gmv_cents: Some(8_500_000),
            min_conversion_rate: Some(0.065),
            min_rating: Some(4.9),
            ..Requirements::default()
        };
        assert_eq!(check(&req, &chen()), []);
    }

    #[test]
    fn true_flags_need_the_host_flag_and_false_imposes_nothing() {
        let newcomer = SearchFields {
            tiktok_shop_verified: false,
            live_commerce_experience: false,
            ..chen()
        };
        let wants_both = Requirements {
            live_commerce_experience: Some(true),
            tiktok_shop_verified: Some(true),
            ..Requirements::default()
        };
        assert_eq!(
            messages(&check(&wants_both, &newcomer)),
            [
                "live_commerce_experience required, host has no live-commerce experience",
                "tiktok_shop_verified required, host is not verified"
            ]
        );
        let wants_neither = Requirements {
            live_commerce_experience: Some(false),
            tiktok_shop_verified: Some(false),
            ..Requirements::default()
        };
        assert_eq!(check(&wants_neither, &newcomer), []);
        assert_eq!(check(&wants_neither, &chen()), []);
    }

    #[test]
    fn skills_compare_case_insensitively() {
        let req = Requirements {
            skills: skills(&["Live_Streaming", "FLASH_SALES"]),
            ..Requirements::default()
        };
        assert_eq!(check(&req, &zhang()), []);
    }

    #[test]
    fn an_unrated_host_says_so() {
        let req = Requirements {
            min_rating: Some(4.0),
            ..Requirements::default()
        };
        let host = SearchFields {
            rating: 0.0,
            ..liu()
        };
        assert_eq!(
            messages(&check(&req, &host)),
            ["min_rating 4 > 0 (not yet rated)"]
        );
    }

    #[test]
    fn a_host_without_niches_fails_a_niche_requirement() {
        let req = Requirements {
            niche: Some(NicheExpr::parse("(tech OR gadgets) AND smart_home").unwrap()),
            ..Requirements::default()
        };
        let host = SearchFields {
            niches: Vec::new(),
            ..zhang()
        };
        let unmet = check(&req, &host);
        assert_eq!(
            messages(&unmet),
            ["niche \"tech AND smart_home OR gadgets AND smart_home\" not met by []"]
        );
        assert_eq!(unmet[0].actual, "");
    }
}
