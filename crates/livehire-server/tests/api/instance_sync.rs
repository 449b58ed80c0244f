//! Several servers over one database (SQLite file or PostgreSQL database):
//! what one server is told, the others hold within a second. Each waits on
//! the monotonic clock with a deadline; none asserts how fast.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;

/// How long another server may take to hold a change.
const WITHIN: Duration = Duration::from_secs(1);

/// Polls `check` until it holds or `WITHIN` (plus a margin for a loaded
/// machine's scheduling) has passed on the monotonic clock; the result of
/// the last check.
async fn within_a_second<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + WITHIN + Duration::from_millis(500);
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The ids a search answers on `app`.
async fn found(app: &TestApp, key: &str, query: &str) -> Vec<String> {
    let a = app.get(&format!("/api/v1/humans?{query}"), Some(key)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|h| h["human_id"].as_str().map(str::to_string))
        .collect()
}

fn profile(name: &str, bio: &str) -> Value {
    let mut p = seed_json("host_example1.json");
    p["name"] = json!(name);
    p["bio"] = json!(bio);
    p["tiktok_handle"] = json!(format!("@{}", name.to_lowercase().replace(' ', "")));
    if let Some(o) = p.as_object_mut() {
        o.remove("human_id");
    }
    p
}

/// A host registered on one server is found by search on another within a
/// second, and so are its edits and the operator's verification; the other
/// server's index was loaded before, so it learnt them from the database.
#[tokio::test]
async fn host_writes_on_one_server_are_searched_on_another_within_a_second() {
    let a = spawn_app().await;
    let b = a.restarted().await;
    let agent = a.agent("Two-instance searcher").await;
    // B's index is loaded (a search answered from it) before the writes.
    assert!(found(&b, &agent.key, "q=zanzibarqueen").await.is_empty());

    let host = a
        .host(&profile("Zanzibar Queen", "sells zanzibarqueen spices"))
        .await;
    assert!(
        within_a_second(|| async {
            found(&b, &agent.key, "q=zanzibarqueen").await == [host.id.clone()]
        })
        .await,
        "a host registered on A is found on B"
    );

    let patched = a
        .patch(
            &format!("/api/v1/humans/{}", host.id),
            Some(&host.key),
            &json!({"bio": "now sells marrakeshmint tea", "follower_stats": {"followers": 7777777}}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert!(
        within_a_second(|| async {
            found(&b, &agent.key, "q=marrakeshmint&min_followers=7777777").await
                == [host.id.clone()]
                && found(&b, &agent.key, "q=spices").await.is_empty()
        })
        .await,
        "an edit on A is searched on B, the old text no longer"
    );
    // The profile B serves in search results is the edited one.
    let page = b
        .get("/api/v1/humans?q=marrakeshmint", Some(&agent.key))
        .await;
    assert_eq!(page.body["data"][0]["bio"], "now sells marrakeshmint tea");

    // The operator's verification, made on A, filters on B.
    let verified = "q=marrakeshmint&tiktok_shop_verified=true";
    assert!(found(&b, &agent.key, verified).await.is_empty());
    a.app
        .verify_host(
            &livehire_domain::ids::HostId::from(host.id.as_str()),
            livehire_server::app::NewVerification {
                tiktok_shop_verified: Some(true),
                badges: None,
            },
        )
        .await
        .expect("verify");
    assert!(
        within_a_second(|| async { found(&b, &agent.key, verified).await == [host.id.clone()] })
            .await,
        "a verification on A is searched on B"
    );

    // B's own writes still show on B at once, and on A within a second.
    let second = b
        .host(&profile("Kyoto Matcha", "kyotomatcha ceremonies"))
        .await;
    assert_eq!(
        found(&b, &agent.key, "q=kyotomatcha").await,
        [second.id.as_str()]
    );
    assert!(
        within_a_second(|| async {
            found(&a, &agent.key, "q=kyotomatcha").await == [second.id.clone()]
        })
        .await,
        "a host registered on B is found on A"
    );
}

/// A key's search requests split across two servers sharing their rate
/// limits are admitted at about the class's rate combined, not at the rate
/// on each: independent servers would admit twice `burst + rate × time`.
#[tokio::test]
async fn a_key_over_its_rate_on_two_servers_is_refused_at_the_combined_rate() {
    const RATE: u32 = 20;
    const BURST: u32 = 20;
    let a = spawn_app_with(|s| {
        s.rate_limits.set(
            livehire_server::Class::Search,
            Some(livehire_server::Rate::per_second(RATE).burst(BURST)),
        );
        // On SQLite too (off there by default): one file, two servers.
        s.share_rate_limits = Some(true);
    })
    .await;
    let b = a.restarted().await;
    let agent = a.agent("Two-instance hammer").await;
    // Both servers know the key before the clock starts.
    for app in [&a, &b] {
        assert_eq!(
            app.get("/api/v1/me", Some(&agent.key)).await.status,
            StatusCode::OK
        );
    }
    let started = Instant::now();
    let (mut admitted, mut refused) = ([0u32; 2], [0u32; 2]);
    let mut i = 0usize;
    while started.elapsed() < Duration::from_secs(3) {
        let app = if i.is_multiple_of(2) { &a } else { &b };
        let status = app
            .get("/api/v1/humans?limit=1", Some(&agent.key))
            .await
            .status;
        match status {
            StatusCode::OK => admitted[i % 2] += 1,
            StatusCode::TOO_MANY_REQUESTS => refused[i % 2] += 1,
            other => panic!("unexpected {other}"),
        }
        i += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    let total = admitted[0] + admitted[1];
    // Independent servers: 2 × (BURST + RATE × secs), about 160.
    let independent = 2.0 * (f64::from(BURST) + f64::from(RATE) * secs);
    // Shared: the burst on each before they first exchange counts, then
    // about the rate combined, with a second's slack for the exchanges.
    let most = 2.0 * f64::from(BURST) + f64::from(RATE) * (secs + 1.0);
    let least = f64::from(RATE) * secs / 2.0;
    assert!(
        f64::from(total) <= most && f64::from(total) >= least,
        "admitted {admitted:?} ({total}), refused {refused:?} in {secs:.2} s: want {least:.0}..={most:.0} \
         (independent servers: {independent:.0})"
    );
    assert!(
        refused[0] > 0 && refused[1] > 0,
        "both servers refused some: {refused:?}"
    );
}
