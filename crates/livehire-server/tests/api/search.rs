//! Host search checked against a plain computation over the same hosts.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::*;

/// What the test knows of a host, read straight from its JSON.
struct Plain {
    id: String,
    seq: usize,
    followers: f64,
    viewers: f64,
    gmv: f64,
    conversion: f64,
    rating: f64,
    engagement: f64,
    min_rate: Option<f64>,
    verified: bool,
    experienced: bool,
    skills: Vec<String>,
    niches: Vec<String>,
    text: String,
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn plain(seq: usize, h: &Value) -> Plain {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_lowercase))
                    .collect()
            })
            .unwrap_or_default()
    };
    let m = &h["live_commerce_metrics"];
    let watch = num(&m["avg_watch_time_minutes"]).clamp(0.0, 60.0) / 60.0;
    let engagement =
        ((watch * num(&m["repeat_viewer_rate"]).clamp(0.0, 1.0)) * 10_000.0).round() / 10_000.0;
    let text = [&h["name"], &h["tiktok_handle"], &h["bio"]]
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_lowercase())
        .chain(strings(&h["product_expertise"]))
        .chain(strings(&h["hosting_specialties"]))
        .collect::<Vec<_>>()
        .join(" ");
    Plain {
        id: h["human_id"].as_str().unwrap().to_string(),
        seq,
        followers: num(&h["follower_stats"]["followers"]),
        viewers: num(&h["follower_stats"]["avg_live_viewers"]),
        gmv: num(&m["avg_gmv_per_session"]),
        conversion: num(&m["avg_conversion_rate"]),
        rating: num(&h["rating"]),
        engagement,
        min_rate: h["compensation_range"]["min"].as_f64(),
        verified: h["tiktok_shop_verified"].as_bool().unwrap_or(false),
        experienced: h["live_commerce_experience"].as_bool().unwrap_or(false),
        skills: strings(&h["skills"]),
        niches: strings(&h["niches"]),
        text,
    }
}

/// Reads every page of a search, checking that no host repeats.
async fn all_pages(app: &TestApp, key: &str, query: &str, limit: u32) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut path = format!("/api/v1/humans?{query}&limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let a = app.get(&path, Some(key)).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", a.body);
        let page = a.body["data"].as_array().unwrap();
        assert!(page.len() <= limit as usize);
        for h in page {
            let id = h["human_id"].as_str().unwrap().to_string();
            assert!(
                seen.insert(id.clone()),
                "{id} repeated across pages of {query}"
            );
            out.push(id);
        }
        match a.body["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(page.len(), limit as usize, "a page before the last is full");
                cursor = Some(c.to_string());
            }
            None => return out,
        }
    }
    panic!("pagination did not end");
}

type Filter = Box<dyn Fn(&Plain) -> bool>;
type SortBy = Box<dyn Fn(&Plain) -> f64>;

#[tokio::test]
async fn filters_sorts_and_pages_agree_with_a_plain_computation() {
    let app = spawn_app().await;
    let profiles = app.with_demo_hosts(400).await;
    let hosts: Vec<Plain> = profiles
        .iter()
        .enumerate()
        .map(|(i, h)| plain(i, h))
        .collect();
    let key = app.agent("Searcher").await.key;

    let cases: Vec<(&str, Filter, SortBy, bool)> = vec![
        (
            "sort=avg_gmv",
            Box::new(|_| true),
            Box::new(|h| h.gmv),
            false,
        ),
        (
            "sort=followers&order=asc",
            Box::new(|_| true),
            Box::new(|h| h.followers),
            true,
        ),
        (
            "skills=live_streaming,flash_sales&min_followers=50000&sort=conversion_rate",
            Box::new(|h| {
                h.skills.contains(&"live_streaming".into())
                    && h.skills.contains(&"flash_sales".into())
                    && h.followers >= 50000.0
            }),
            Box::new(|h| h.conversion),
            false,
        ),
        (
            "skills[]=live_streaming&skills[]=sales_presentation&niche=beauty%20OR%20skincare&sort=avg_viewers",
            Box::new(|h| {
                h.skills.contains(&"live_streaming".into())
                    && h.skills.contains(&"sales_presentation".into())
                    && (h.niches.contains(&"beauty".into())
                        || h.niches.contains(&"skincare".into()))
            }),
            Box::new(|h| h.viewers),
            false,
        ),
        (
            "niche=fashion%20and%20beauty%20or%20tech&min_rating=4.5&sort=rating",
            Box::new(|h| {
                ((h.niches.contains(&"fashion".into()) && h.niches.contains(&"beauty".into()))
                    || h.niches.contains(&"tech".into()))
                    && h.rating >= 4.5
            }),
            Box::new(|h| h.rating),
            false,
        ),
        (
            "tiktok_shop_verified=true&live_commerce_experience=true&min_avg_gmv_per_session=30000&min_conversion_rate=0.05&sort=engagement_rate",
            Box::new(|h| h.verified && h.experienced && h.gmv >= 30000.0 && h.conversion >= 0.05),
            Box::new(|h| h.engagement),
            false,
        ),
        (
            "category=live_commerce&max_rate=1000&min_avg_live_viewers=300&sort=live_commerce_gmv&order=asc",
            Box::new(|h| {
                h.experienced && h.min_rate.is_some_and(|r| r <= 1000.0) && h.viewers >= 300.0
            }),
            Box::new(|h| h.gmv),
            true,
        ),
        (
            "tiktok_shop_verified=false",
            Box::new(|h| !h.verified),
            Box::new(|h| h.rating),
            false,
        ),
        (
            "q=skincare",
            Box::new(|h| h.text.contains("skincare")),
            Box::new(|h| h.rating),
            false,
        ),
    ];
    for (query, keep, by, asc) in cases {
        let mut expected: Vec<&Plain> = hosts.iter().filter(|h| keep(h)).collect();
        // Descending by value, ties by insertion order (newest first); asc flips both.
        expected.sort_by(|a, b| {
            let o = by(a).partial_cmp(&by(b)).unwrap().then(a.seq.cmp(&b.seq));
            if asc { o } else { o.reverse() }
        });
        let expected: Vec<String> = expected.iter().map(|h| h.id.clone()).collect();
        assert!(!expected.is_empty(), "{query} should match some hosts");
        let got = all_pages(&app, &key, query, 7).await;
        assert_eq!(got.len(), expected.len(), "{query}: count");
        assert_eq!(got, expected, "{query}: order");
    }
}

#[tokio::test]
async fn a_cursor_stays_valid_while_hosts_are_added() {
    let app = spawn_app().await;
    app.with_demo_hosts(50).await;
    let key = app.agent("Searcher").await.key;
    let first = app
        .get("/api/v1/humans?sort=followers&limit=10", Some(&key))
        .await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let before = all_pages(&app, &key, &format!("sort=followers&cursor={cursor}"), 100).await;
    // A new host with the most followers lands before the cursor, so the rest is unchanged.
    let mut star = livehire_domain::demo::generated_host(999_999);
    star["follower_stats"]["followers"] = serde_json::json!(50_000_000);
    app.app.upsert_demo_hosts(vec![star]).await.unwrap();
    let after = all_pages(&app, &key, &format!("sort=followers&cursor={cursor}"), 100).await;
    assert_eq!(before, after);
    assert_eq!(before.len(), 43);
    let bad = app
        .get("/api/v1/humans?cursor=not-a-cursor", Some(&key))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.paths(), ["cursor"]);
}
