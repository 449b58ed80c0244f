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
    let mut star = livehire_sim::hosts::generated_host(999_999);
    star["follower_stats"]["followers"] = serde_json::json!(50_000_000);
    app.app.upsert_demo_hosts(demo(&[star])).await.unwrap();
    let after = all_pages(&app, &key, &format!("sort=followers&cursor={cursor}"), 100).await;
    assert_eq!(before, after);
    assert_eq!(before.len(), 43);
    let bad = app
        .get("/api/v1/humans?cursor=not-a-cursor", Some(&key))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.paths(), ["cursor"]);
}

/// The store's SQL search, rendered the way search pages were before the index.
async fn sql_page(app: &TestApp, pairs: &[(String, String)]) -> Result<String, String> {
    let q = livehire_domain::search::HostQuery::parse(pairs).map_err(|e| format!("{e:?}"))?;
    let page = app
        .app
        .store()
        .search_hosts(&q)
        .await
        .map_err(|e| e.to_string())?;
    let mut body = String::from("{\"data\":[");
    body.push_str(&page.data.join(","));
    body.push_str("],\"next_cursor\":");
    body.push_str(&Value::from(page.next_cursor).to_string());
    body.push('}');
    Ok(body)
}

/// Every page of `query`, from the in-memory index (`App::search_hosts`) and
/// from the store's SQL, byte for byte, cursors included.
pub async fn assert_same_pages(app: &TestApp, query: &str) {
    let caller = livehire_store::Caller {
        kind: livehire_store::CallerKind::Agent,
        id: "ph_agent_test".into(),
    };
    let base: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    let mut cursor: Option<String> = None;
    for _ in 0..10_000 {
        let mut pairs = base.clone();
        if let Some(c) = &cursor {
            pairs.push(("cursor".into(), c.clone()));
        }
        let got = match livehire_domain::search::HostQuery::parse(&pairs) {
            Ok(q) => app.app.search_hosts(&caller, q).await,
            Err(v) => Err(livehire_server::error::ApiError::Validation(v)),
        };
        let got = got.map(|p| p.into_json()).map_err(|e| match e {
            livehire_server::error::ApiError::Validation(v) => {
                format!("{}: {}", v[0].path, v[0].message)
            }
            other => other.to_string(),
        });
        let want = sql_page(app, &pairs).await;
        match (&got, &want) {
            (Ok(g), Ok(w)) if g == w => {}
            (Ok(g), Ok(w)) => {
                let at = g.bytes().zip(w.bytes()).take_while(|(a, b)| a == b).count();
                let near = |s: &str| {
                    let b = s.as_bytes();
                    String::from_utf8_lossy(&b[at.saturating_sub(80)..(at + 80).min(b.len())])
                        .into_owned()
                };
                panic!(
                    "{query} cursor {cursor:?}: pages differ at byte {at}:\n index …{}…\n sql   …{}…",
                    near(g),
                    near(w)
                );
            }
            (Err(g), Err(w)) => {
                let bad = "cursor is not one this server issued";
                assert_eq!(g, &format!("cursor: {bad}"), "{query}");
                assert!(w.contains(bad), "{query}: {w}");
                return;
            }
            _ => panic!("{query} cursor {cursor:?}: index {got:?} vs sql {want:?}"),
        }
        let body: Value = serde_json::from_str(got.as_ref().unwrap()).unwrap();
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return,
        }
    }
    panic!("{query}: pagination did not end");
}

/// Random queries over every filter, sort and order, plus odd cursors.
async fn assert_index_agrees_with_sql(app: &TestApp, seed: u64, n: usize) {
    use rand::{Rng, SeedableRng};
    let mut g = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let skills = [
        "live_streaming",
        "sales_presentation",
        "flash_sales",
        "storytelling",
        "tech_expertise",
        "nope",
    ];
    let niches = [
        "beauty", "skincare", "fashion", "tech", "food", "gadgets", "nope",
    ];
    let sorts = [
        "avg_gmv",
        "conversion_rate",
        "avg_viewers",
        "engagement_rate",
        "rating",
        "followers",
    ];
    let words = [
        "skin", "flash", "zhang", "live", "é", "%", "_", "a_b", "beauty",
    ];
    for _ in 0..n {
        let mut parts: Vec<String> = Vec::new();
        let pick = |g: &mut rand_chacha::ChaCha8Rng, xs: &[&str]| {
            xs[g.random_range(0..xs.len())].to_string()
        };
        let s1 = pick(&mut g, &skills);
        let s2 = pick(&mut g, &skills);
        let n1 = pick(&mut g, &niches);
        let n2 = pick(&mut g, &niches);
        let n3 = pick(&mut g, &niches);
        let op = if g.random_bool(0.5) { "OR" } else { "AND" };
        let sort = pick(&mut g, &sorts);
        let word = pick(&mut g, &words);
        let f = g.random_range(0..200_000);
        let v = g.random_range(0..2_000);
        let gmv = g.random_range(0..60_000);
        let cr = g.random_range(0..10) as f64 / 100.0;
        let rt = g.random_range(0..50) as f64 / 10.0;
        let mr = g.random_range(0..5_000);
        let b1 = g.random_bool(0.5);
        let b2 = g.random_bool(0.5);
        let limit = g.random_range(1..=40);
        let asc = g.random_bool(0.3);
        let mut maybe = |p: f64, s: String| {
            if g.random_bool(p) {
                parts.push(s)
            }
        };
        maybe(0.1, "platform=tiktok".into());
        maybe(0.4, format!("skills={s1}"));
        maybe(0.2, format!("skills[]={s2}"));
        maybe(0.4, format!("niche={n1}%20{op}%20({n2}%20OR%20{n3})"));
        maybe(0.1, "category=live_commerce".into());
        maybe(0.3, format!("min_followers={f}"));
        maybe(0.2, format!("min_avg_live_viewers={v}"));
        maybe(0.2, format!("min_avg_gmv_per_session={gmv}"));
        maybe(0.2, format!("min_conversion_rate={cr}"));
        maybe(0.2, format!("min_rating={rt}"));
        maybe(0.2, format!("max_rate={mr}"));
        maybe(0.15, format!("tiktok_shop_verified={b1}"));
        maybe(0.15, format!("live_commerce_experience={b2}"));
        maybe(0.15, format!("q={}", urlencode(&word)));
        maybe(0.9, format!("sort={sort}"));
        if asc {
            parts.push("order=asc".into());
        }
        parts.push(format!("limit={limit}"));
        assert_same_pages(app, &parts.join("&")).await;
    }
    use base64::Engine;
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    for sort in sorts {
        for c in [
            "[1.5, 10]",
            "[2, 10]",
            "[\"x\", 3]",
            "[null, 5]",
            "[0, 0]",
            "[4.5, 9999999]",
            "[-1, 1]",
            "[1e300, 3]",
            "[5, 3.5]",
            "[5]",
            "{}",
            "nope",
        ] {
            for asc in ["", "&order=asc"] {
                assert_same_pages(app, &format!("sort={sort}{asc}&limit=9&cursor={}", enc(c)))
                    .await;
            }
        }
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}

#[tokio::test]
async fn the_index_answers_byte_for_byte_as_sql_does() {
    let app = spawn_app().await;
    app.with_demo_hosts(600).await;
    assert_index_agrees_with_sql(&app, 1, 300).await;
    // Changes through App: refreshed demo hosts (figures, skills, niches), a new
    // registration, a profile patch.
    let mut changed: Vec<Value> = (1..=120).map(livehire_sim::hosts::generated_host).collect();
    for (i, h) in changed.iter_mut().enumerate() {
        h["follower_stats"]["followers"] = serde_json::json!(1000 * i);
        h["skills"] = serde_json::json!(["storytelling", format!("rare_skill_{i}")]);
        h["niches"] = serde_json::json!(["tech", format!("rare_niche_{}", i % 3)]);
        h["rating"] = serde_json::json!(i as f64 / 30.0);
        if i % 7 == 0 {
            h["live_commerce_metrics"]["avg_watch_time_minutes"] = serde_json::json!(-0.0);
            h["rating"] = serde_json::json!(-0.0);
        }
    }
    changed.extend((601..=700).map(livehire_sim::hosts::generated_host));
    app.app.upsert_demo_hosts(demo(&changed)).await.unwrap();
    let host = app.host(&livehire_sim::hosts::generated_host(5000)).await;
    let patched = app
        .patch(
            &format!("/api/v1/humans/{}", host.id),
            Some(&host.key),
            &serde_json::json!({"skills": ["rare_skill_7", "flash_sales"], "follower_stats": {"followers": 99999999}}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_index_agrees_with_sql(&app, 2, 300).await;
    for sort in ["engagement_rate", "rating"] {
        for order in ["", "&order=asc"] {
            assert_same_pages(&app, &format!("sort={sort}{order}&limit=3")).await;
        }
    }
    assert_same_pages(&app, "skills=rare_skill_7&limit=1").await;
    assert_same_pages(&app, "niche=rare_niche_1%20AND%20tech&limit=3").await;
    // Every host's text rewritten, twice: old texts become garbage and are compacted away.
    for word in ["zebra", "okapi"] {
        let rewritten: Vec<Value> = (1..=700)
            .map(|i| {
                let mut h = livehire_sim::hosts::generated_host(i);
                h["bio"] = serde_json::json!(format!("{word} {}", i % 5));
                h
            })
            .collect();
        app.app.upsert_demo_hosts(demo(&rewritten)).await.unwrap();
        assert_same_pages(&app, &format!("q={word}%203&limit=50")).await;
    }
    assert_same_pages(&app, "q=zebra&limit=50").await;
    assert_index_agrees_with_sql(&app, 3, 100).await;
}

#[tokio::test]
async fn out_of_range_numeric_parameters_are_named_never_a_500() {
    let app = spawn_app().await;
    app.with_demo_hosts(5).await;
    let agent = app.agent("Bounds").await;
    let max = livehire_domain::money::MAX_AMOUNT;
    let over = max + rust_decimal::Decimal::ONE;
    for (query, param) in [
        ("max_rate=1e27".to_string(), "max_rate"),
        (
            "min_avg_gmv_per_session=79228162514264337593543950335".to_string(),
            "min_avg_gmv_per_session",
        ),
        (format!("max_rate={over}"), "max_rate"),
        (
            format!("min_avg_gmv_per_session={over}"),
            "min_avg_gmv_per_session",
        ),
        ("min_followers=1e30".to_string(), "min_followers"),
        ("min_followers=1000000000001".to_string(), "min_followers"),
        ("min_followers=12.5".to_string(), "min_followers"),
        (
            "min_avg_live_viewers=79228162514264337593543950335".to_string(),
            "min_avg_live_viewers",
        ),
        ("min_conversion_rate=1.5".to_string(), "min_conversion_rate"),
        ("min_rating=5.1".to_string(), "min_rating"),
        ("min_rating=1e400".to_string(), "min_rating"),
        ("limit=101".to_string(), "limit"),
    ] {
        let a = app
            .get(&format!("/api/v1/humans?{query}"), Some(&agent.key))
            .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            a.body
        );
        assert_eq!(a.paths(), [param], "{query}");
    }
    // The largest values allowed are answered.
    for query in [
        format!("max_rate={max}"),
        format!("min_avg_gmv_per_session={max}"),
        "min_followers=1000000000000".to_string(),
        "min_avg_live_viewers=1e3".to_string(),
        "min_conversion_rate=1&min_rating=5".to_string(),
    ] {
        let a = app
            .get(&format!("/api/v1/humans?{query}"), Some(&agent.key))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{query}: {}", a.body);
    }
    // Matching against a task whose amounts are the largest there are.
    let mut task = seed_json("task_getting_started.json");
    let largest: Value = serde_json::from_str(&max.to_string()).unwrap();
    task["compensation"] = largest.clone();
    task["commission_structure"]["base_payment"] = largest.clone();
    task["requirements"] = serde_json::json!({});
    task["live_session_details"]["products"] =
        serde_json::json!([{"name": "x", "retail_price": largest}]);
    let task = app.task(&agent, &task).await;
    let id = task["id"].as_str().unwrap();
    for query in [
        format!("for_task={id}"),
        format!("for_task={id}&max_rate={max}&min_avg_gmv_per_session=0"),
    ] {
        let a = app
            .get(&format!("/api/v1/humans?{query}"), Some(&agent.key))
            .await;
        assert_eq!(a.status, StatusCode::OK, "{query}: {}", a.body);
        assert!(!a.body["data"].as_array().unwrap().is_empty(), "{query}");
    }
    let max_rate = app
        .get(
            &format!("/api/v1/humans?max_rate={max}&limit=100"),
            Some(&agent.key),
        )
        .await;
    assert_eq!(max_rate.body["data"].as_array().unwrap().len(), 8);
}
