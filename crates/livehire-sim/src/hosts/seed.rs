//! The seed document's three host profiles, kept as the seed wrote them (see
//! [`seed_hosts`]).

use std::sync::LazyLock;

use serde_json::Value;

/// The seed's three host profiles plus the added search fields, as JSON text.
const SEED_HOSTS_JSON: &str = include_str!("seed_hosts.json");

static SEED_HOSTS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    // Invariant: seed_hosts.json is a JSON array checked in with this file
    // and parsed by the unit tests below, so it cannot fail at run time.
    serde_json::from_str(SEED_HOSTS_JSON).expect("seed_hosts.json is a valid JSON array")
});

/// The seed document's three host profiles, in order: "Live Queen Chen"
/// (`ph_profile_tiktok_live_001`), "Skincare Expert Liu"
/// (`ph_profile_tiktok_live_002`) and "Flash Sale King Zhang"
/// (`ph_profile_tiktok_live_003`).
///
/// Every field of the seed is kept exactly (Example 2's broken bracket is
/// repaired). Added so the hosts are findable by search: `skills`, `niches`,
/// `tiktok_shop_verified` (true), `live_commerce_experience` (true), `time_zone`
/// (`Asia/Shanghai`), and for Liu / Zhang `rating` (4.8 / 4.7) and
/// `completion_count` (41 / 112), which the seed omits.
pub fn seed_hosts() -> Vec<Value> {
    SEED_HOSTS.clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seed_hosts_keep_the_seed_figures() {
        let hosts = seed_hosts();
        assert_eq!(hosts.len(), 3);
        let ids: Vec<&str> = hosts
            .iter()
            .map(|h| h["human_id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "ph_profile_tiktok_live_001",
                "ph_profile_tiktok_live_002",
                "ph_profile_tiktok_live_003"
            ]
        );
        let (chen, liu, zhang) = (&hosts[0], &hosts[1], &hosts[2]);
        assert_eq!(chen["name"], "Live Queen Chen");
        assert_eq!(
            chen["live_commerce_metrics"]["total_lifetime_gmv"],
            "9,800,000 CNY"
        );
        assert_eq!(chen["live_commerce_metrics"]["avg_gmv_per_session"], 85000);
        assert_eq!(
            chen["live_commerce_metrics"]["avg_conversion_rate"].to_string(),
            "0.065"
        );
        assert_eq!(chen["rating"].to_string(), "4.9");
        assert_eq!(chen["completion_count"], 89);
        assert_eq!(chen["follower_stats"]["avg_live_viewers"], 2500);
        assert_eq!(chen["recent_sessions"][0]["gmv"], 127000);
        assert_eq!(
            chen["badges"],
            json!([
                "top_live_seller",
                "tiktok_shop_verified",
                "million_gmv_club"
            ])
        );

        assert_eq!(liu["name"], "Skincare Expert Liu");
        assert_eq!(liu["hosting_specialties"].as_array().unwrap().len(), 4);
        assert_eq!(
            liu["hosting_specialties"][3],
            "Educational + sales approach"
        );
        assert_eq!(
            liu["unique_selling_point"],
            "Expert knowledge builds trust, high repeat buyer rate"
        );
        assert_eq!(liu["audience_demographics"]["gender"], "90% female");
        assert_eq!(
            liu["live_commerce_metrics"]["repeat_viewer_rate"].to_string(),
            "0.55"
        );
        assert_eq!(liu["rating"].to_string(), "4.8");
        assert_eq!(liu["completion_count"], 41);
        assert_eq!(liu["niches"], json!(["beauty", "skincare"]));
        assert!(liu.get("avatar_url").is_none());

        assert_eq!(zhang["name"], "Flash Sale King Zhang");
        assert_eq!(
            zhang["live_commerce_metrics"]["avg_gmv_per_session"],
            180000
        );
        assert_eq!(
            zhang["live_commerce_metrics"]["avg_products_sold_per_session"],
            2400
        );
        assert_eq!(zhang["live_commerce_metrics"]["flash_sale_specialty"], true);
        assert_eq!(
            zhang["session_format"],
            "10-15 products per hour, rapid turnover, urgency-driven"
        );
        assert_eq!(zhang["rating"].to_string(), "4.7");
        assert_eq!(zhang["completion_count"], 112);
        assert_eq!(
            zhang["niches"],
            json!([
                "consumer_goods",
                "home_goods",
                "fashion",
                "daily_necessities"
            ])
        );

        for h in &hosts {
            let skills = h["skills"].as_array().unwrap();
            for s in [
                "live_streaming",
                "sales_presentation",
                "audience_engagement",
                "product_demonstration",
            ] {
                assert!(skills.iter().any(|x| x == s), "{} lacks {s}", h["name"]);
            }
            assert_eq!(h["tiktok_shop_verified"], true);
            assert_eq!(h["live_commerce_experience"], true);
            assert_eq!(h["time_zone"], "Asia/Shanghai");
            assert_eq!(h["platform"], "tiktok");
        }
        assert!(
            hosts[1]["skills"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "skincare_expertise")
        );
        assert!(
            hosts[2]["skills"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s == "flash_sales")
        );
    }

    #[test]
    fn seed_hosts_keep_the_seed_field_order() {
        let hosts = seed_hosts();
        let keys: Vec<&str> = hosts[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(&keys[..4], ["human_id", "name", "avatar_url", "platform"]);
        assert_eq!(keys.last(), Some(&"time_zone"));
    }
}
