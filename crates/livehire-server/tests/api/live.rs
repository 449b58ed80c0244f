//! Live sessions: lifecycle, ingestion, exact metrics, flash sales, the stream.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

/// An agent with money and a task assigned to a host, ready to go live.
pub struct LiveTask {
    pub agent: Agent,
    pub host: Host,
    pub task: Value,
}

impl LiveTask {
    pub fn session_id(&self, i: usize) -> String {
        self.task["sessions"][i]["id"].as_str().unwrap().to_string()
    }
}

pub async fn assigned_task(app: &TestApp, fixture: &str) -> LiveTask {
    let agent = app.agent("Live brand").await;
    let mut profile = livehire_sim::hosts::seed_hosts()[1].clone();
    profile.as_object_mut().unwrap().remove("human_id");
    let host = app.verified_host(&profile).await;
    let task = app.task(&agent, &seed_json(fixture)).await;
    let id = task["id"].as_str().unwrap();
    let deposit: Value = serde_json::from_str(r#"{"amount": 100000, "currency": "CNY"}"#).unwrap();
    app.post("/api/v1/wallet/deposits", Some(&agent.key), &deposit)
        .await;
    app.post(
        &format!("/api/v1/tasks/{id}/invitations"),
        Some(&agent.key),
        &json!({"human_id": host.id}),
    )
    .await;
    let a = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&host.key),
            &json!({}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    LiveTask { agent, host, task }
}

/// The launch task, assigned, with its first session started by the host.
pub async fn started_session(app: &TestApp) -> (LiveTask, String) {
    let lt = assigned_task(app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let started = app
        .post(
            &format!("/api/v1/sessions/{s}/start"),
            Some(&lt.host.key),
            &json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    (lt, s)
}

/// Sets the server's clock to `ms` (epoch milliseconds) and holds it there,
/// so what the test stamps and what the server stamps agree to the
/// millisecond.
pub fn travel(app: &TestApp, ms: i64) {
    app.app
        .freeze_clock(chrono::DateTime::from_timestamp_millis(ms).unwrap());
}

/// Starts a session at `ms` on the server's clock.
pub async fn start_at(app: &TestApp, key: &str, session: &str, ms: i64) {
    travel(app, ms);
    let started = app
        .post(
            &format!("/api/v1/sessions/{session}/start"),
            Some(key),
            &json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
}

pub async fn ndjson(
    app: &TestApp,
    key: &str,
    session: &str,
    lines: &[Value],
    query: &str,
) -> Answer {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    app.send(
        Method::POST,
        &format!("/api/v1/sessions/{session}/events{query}"),
        Some(key),
        Some("application/x-ndjson"),
        body,
        &[],
    )
    .await
}

#[tokio::test]
async fn a_session_starts_once_moves_the_task_and_ends() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let before = app
        .get(&format!("/api/v1/sessions/{s}"), Some(&lt.host.key))
        .await;
    assert_eq!(before.body["status"], "scheduled");
    let started = app
        .post(
            &format!("/api/v1/sessions/{s}/start"),
            Some(&lt.host.key),
            &json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(started.body["status"], "live");
    assert!(
        started.body["start_offset_seconds"].as_i64().unwrap() < 0,
        "started before the 2036 schedule"
    );
    let task = app
        .get(
            &format!("/api/v1/tasks/{}", lt.task["id"].as_str().unwrap()),
            Some(&lt.agent.key),
        )
        .await;
    assert_eq!(task.body["status"], "in_progress");
    let again = app
        .post(
            &format!("/api/v1/sessions/{s}/start"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let ended = app
        .post(
            &format!("/api/v1/sessions/{s}/end"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(ended.body["status"], "ended");
    assert!(ended.body["ended_at"].is_string());
    let other = app.agent("Other").await;
    assert_eq!(
        app.get(&format!("/api/v1/sessions/{s}"), Some(&other.key))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn events_are_checked_one_by_one_and_counted_once() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let t0 = 2_000_000_000_000i64;
    // The session went live a second before t0; the events arrive after it.
    start_at(&app, &lt.host.key, &s, t0 - 1_000).await;
    travel(&app, t0 + 601_000);
    let events = json!([
        {"type": "viewer_join", "ts": t0, "viewer_id": "v1"},
        {"type": "viewer_join", "ts": "2033-05-18T03:33:20Z", "viewer_id": "v2"},
        {"type": "viewer_join", "ts": t0 + 60_000, "viewer_id": "v2"},
        {"type": "teleport", "ts": t0},
        {"type": "chat", "ts": t0 + 1000, "viewer_id": "v1", "text": "hi"},
        {"type": "question", "ts": t0 + 2000, "viewer_id": "v2", "text": "does it suit dry skin?"},
        {"type": "order", "ts": t0 + 120_000, "order_id": "o1", "viewer_id": "v1", "product_id": "prod_001", "quantity": 2, "amount": 278.60, "currency": "CNY"},
        {"type": "order", "ts": t0 + 120_000, "order_id": "o1", "viewer_id": "v1", "product_id": "prod_001", "quantity": 2, "amount": 278.60, "currency": "CNY"},
        {"type": "order", "ts": "not a time", "order_id": "o2"},
        {"type": "viewer_leave", "ts": t0 + 600_000, "viewer_id": "v1"},
        {"type": "viewer_leave", "ts": t0 + 300_000, "viewer_id": "v2"}
    ]);
    let a = app
        .post(
            &format!("/api/v1/sessions/{s}/events"),
            Some(&lt.host.key),
            &events,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["accepted"], 9);
    let rejected: Vec<i64> = a.body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["index"].as_i64().unwrap())
        .collect();
    assert_eq!(rejected, [3, 8]);
    let m = app
        .get(
            &format!("/api/v1/sessions/{s}/metrics"),
            Some(&lt.agent.key),
        )
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    let m = m.body;
    // "2033-05-18T03:33:20Z" is t0 exactly, so v2 joined at t0 (the later join is ignored).
    assert_eq!(m["unique_viewers"], 2);
    assert_eq!(m["peak_concurrent_viewers"], 2);
    assert_eq!(m["orders"], 1, "order o1 sent twice counts once");
    assert_eq!(m["units"], 2);
    assert_eq!(m["gmv"].to_string(), "278.60");
    assert_eq!(m["buyers"], 1);
    assert_eq!(m["chat_messages"], 1);
    assert_eq!(m["questions"], 1);
    // v1 watched 600 s, v2 300 s: 450 s on average.
    assert_eq!(m["avg_watch_time_seconds"].as_f64().unwrap(), 450.0);
    assert_eq!(m["conversion_rate"].as_f64().unwrap(), 0.5);
    assert_eq!(m["tiktok_shop"]["pcu"], 2);
    assert_eq!(m["tiktok_shop"]["items_sold"], 2);
}

/// The seed's case study 1, generated from a fixed seed: three hours, 12,500
/// unique viewers, 1,247 orders, GMV 247,000. Every expected figure is computed
/// here from the generated intervals.
#[tokio::test]
async fn case_study_1_replayed_in_shuffled_batches_gives_exact_figures() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20260325);
    let t0: i64 = 2_089_998_000_000;
    let session_ms: i64 = 3 * 3600 * 1000;
    let viewers = 12_500usize;
    let mut events: Vec<Value> = Vec::new();
    let mut intervals: Vec<Vec<(i64, i64)>> = Vec::new();
    for v in 0..viewers {
        let join = rng.random_range(0..session_ms - 60_000);
        // Mean watch ≈ 26 minutes, capped at the session's end.
        let watch = ((-(1.0 - rng.random::<f64>()).ln()) * 26.0 * 60_000.0) as i64 + 5_000;
        let leave = (join + watch).min(session_ms);
        let mut iv = vec![(join, leave)];
        events.push(json!({"type": "viewer_join", "ts": t0 + join, "viewer_id": format!("v{v}")}));
        // Everyone still watching leaves when the stream ends.
        events
            .push(json!({"type": "viewer_leave", "ts": t0 + leave, "viewer_id": format!("v{v}")}));
        if leave < session_ms {
            // One in ten comes back later.
            if v % 10 == 0 && leave + 120_000 < session_ms {
                let back = leave + 60_000;
                let out = (back + 300_000).min(session_ms);
                events.push(
                    json!({"type": "viewer_join", "ts": t0 + back, "viewer_id": format!("v{v}")}),
                );
                events.push(
                    json!({"type": "viewer_leave", "ts": t0 + out, "viewer_id": format!("v{v}")}),
                );
                iv.push((back, out));
            }
        }
        intervals.push(iv);
    }
    // 1,247 buyers, one order each, amounts summing to exactly 247,000.00 CNY.
    let mut buyers: Vec<usize> = (0..viewers).collect();
    buyers.shuffle(&mut rng);
    buyers.truncate(1247);
    let (base, extra) = (24_700_000 / 1247, 24_700_000 % 1247);
    for (i, &b) in buyers.iter().enumerate() {
        let cents = base + i64::from(i < extra as usize);
        let (j, l) = intervals[b][0];
        let product = ["prod_001", "prod_002", "prod_003"][i % 3];
        let ts = t0 + j + (l - j) / 2;
        events.push(json!({"type": "order", "ts": ts, "order_id": format!("o{i}"), "viewer_id": format!("v{b}"),
            "product_id": product, "quantity": 1,
            "amount": format!("{}.{:02}", cents / 100, cents % 100), "currency": "CNY"}));
    }
    // The stream opens at t0: a room count pins the session's first instant.
    events.push(json!({"type": "viewer_count", "ts": t0, "count": 0}));
    for q in 0..300 {
        events.push(json!({"type": "question", "ts": t0 + q * 30_000, "viewer_id": format!("v{q}"), "text": "is it vegan?", "msg_id": format!("q{q}")}));
    }

    // Expected figures, computed from the intervals.
    let mut edges: Vec<(i64, i64)> = Vec::new();
    let mut total_watch: i64 = 0;
    for iv in &intervals {
        for &(a, b) in iv {
            edges.push((a, 1));
            edges.push((b, -1));
            total_watch += b - a;
        }
    }
    edges.sort_by_key(|&(t, d)| (t, d)); // leaves before joins at the same instant
    let (mut now, mut peak, mut peak_at) = (0i64, 0i64, 0i64);
    for &(t, d) in &edges {
        now += d;
        if now > peak {
            peak = now;
            peak_at = t;
        }
    }
    let watching_at = |t: i64| {
        intervals
            .iter()
            .filter(|iv| iv.iter().any(|&(a, b)| a <= t && t < b))
            .count()
    };
    // Of the viewers whose first join + m minutes is still within the session,
    // the share watching at that moment.
    let still = |m: i64| {
        let eligible: Vec<_> = intervals
            .iter()
            .filter(|iv| iv[0].0 + m * 60_000 <= session_ms)
            .collect();
        let n = eligible
            .iter()
            .filter(|iv| {
                let t = iv[0].0 + m * 60_000;
                iv.iter().any(|&(a, b)| a <= t && t < b)
            })
            .count();
        (rust_decimal::Decimal::from(n as i64) / rust_decimal::Decimal::from(eligible.len() as i64))
            .round_dp(4)
    };

    // The session runs its three hours; its events arrive just after the end.
    start_at(&app, &lt.host.key, &s, t0).await;
    travel(&app, t0 + session_ms);
    let ended = app
        .post(
            &format!("/api/v1/sessions/{s}/end"),
            Some(&lt.host.key),
            &json!({}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    travel(&app, t0 + session_ms + 60_000);
    // Shuffle and send in batches of 5,000, then one batch again (duplicates).
    events.shuffle(&mut rng);
    for chunk in events.chunks(5_000) {
        let a = ndjson(&app, &lt.host.key, &s, chunk, "").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(
            a.body["rejected"].as_array().unwrap().len(),
            0,
            "{}",
            a.body
        );
    }
    ndjson(&app, &lt.host.key, &s, &events[..2_000], "").await;

    let m = app
        .get(
            &format!("/api/v1/sessions/{s}/metrics"),
            Some(&lt.agent.key),
        )
        .await
        .body;
    assert_eq!(m["unique_viewers"], viewers);
    assert_eq!(m["orders"], 1247);
    assert_eq!(m["buyers"], 1247);
    assert_eq!(m["gmv"].to_string().parse::<f64>().unwrap(), 247_000.0);
    assert_eq!(
        m["conversion_rate"].as_f64().unwrap(),
        0.0998,
        "1,247 / 12,500 = 9.98 %"
    );
    assert_eq!(m["peak_concurrent_viewers"], peak);
    let peak_at_text = chrono::DateTime::from_timestamp_millis(t0 + peak_at).unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(m["peak_at"].as_str().unwrap()).unwrap(),
        peak_at_text
    );
    let avg = (rust_decimal::Decimal::from(total_watch)
        / rust_decimal::Decimal::from(viewers as i64 * 1000))
    .round_dp(1);
    assert_eq!(
        m["avg_watch_time_seconds"]
            .to_string()
            .parse::<rust_decimal::Decimal>()
            .unwrap(),
        avg
    );
    assert_eq!(m["questions"], 300);
    let per_minute = m["retention"]["per_minute"].as_array().unwrap();
    for minute in [0i64, 30, 90, 150, 179] {
        let got = per_minute
            .iter()
            .find(|p| p["minute"] == minute)
            .unwrap_or_else(|| panic!("minute {minute}"));
        assert_eq!(
            got["viewers"].as_u64().unwrap() as usize,
            watching_at(minute * 60_000),
            "minute {minute}"
        );
    }
    for minutes in [1i64, 10, 30, 60] {
        let got = m["retention"]["after_join"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["minutes"] == minutes)
            .unwrap();
        assert_eq!(
            got["share"]
                .to_string()
                .parse::<rust_decimal::Decimal>()
                .unwrap(),
            still(minutes),
            "after {minutes} min"
        );
    }
    let products: u64 = m["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["orders"].as_u64().unwrap())
        .sum();
    assert_eq!(products, 1247);
}

#[tokio::test]
async fn a_thousand_buyers_for_three_hundred_units_get_exactly_three_hundred() {
    let app = Arc::new(spawn_app().await);
    let (lt, s) = started_session(&app).await;
    let sale = app
        .post(&format!("/api/v1/sessions/{s}/flash-sales"), Some(&lt.agent.key),
            &serde_json::from_str(r#"{"product_id": "prod_001", "price": 139.30, "stock": 300, "duration_minutes": 10, "per_buyer_limit": 2}"#).unwrap())
        .await;
    assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
    let id = sale.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("ph_fs_"));
    assert_eq!(
        (
            sale.body["stock"].as_i64(),
            sale.body["sold"].as_i64(),
            sale.body["remaining"].as_i64()
        ),
        (Some(300), Some(0), Some(300))
    );
    let checkout = app
        .post(
            &format!("/api/v1/sessions/{s}/checkout-keys"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    let ck = checkout.body["api_key"].as_str().unwrap().to_string();
    assert!(ck.starts_with("ph_ck_"));

    let mut handles = Vec::new();
    for b in 0..1000 {
        let app = app.clone();
        let (ck, id) = (ck.clone(), id.clone());
        handles.push(tokio::spawn(async move {
            app.post(
                &format!("/api/v1/flash-sales/{id}/orders"),
                Some(&ck),
                &json!({"buyer_id": format!("buyer{b}"), "quantity": 1}),
            )
            .await
        }));
    }
    let mut accepted = 0;
    let mut sold_out = 0;
    let mut order_ids = HashSet::new();
    for h in handles {
        let a = h.await.unwrap();
        match a.status {
            StatusCode::CREATED => {
                accepted += 1;
                assert!(order_ids.insert(a.body["order_id"].as_str().unwrap().to_string()));
            }
            StatusCode::CONFLICT => {
                assert_eq!(a.code(), "sold_out");
                sold_out += 1;
            }
            other => panic!("unexpected {other}: {}", a.body),
        }
    }
    assert_eq!((accepted, sold_out), (300, 700));
    let state = app
        .get(&format!("/api/v1/flash-sales/{id}"), Some(&lt.agent.key))
        .await
        .body;
    assert_eq!(
        (
            state["sold"].as_i64(),
            state["remaining"].as_i64(),
            state["status"].as_str()
        ),
        (Some(300), Some(0), Some("sold_out"))
    );
    let m = app
        .get(
            &format!("/api/v1/sessions/{s}/metrics"),
            Some(&lt.agent.key),
        )
        .await
        .body;
    assert_eq!(m["orders"], 300);
    assert_eq!(m["gmv"].to_string().parse::<f64>().unwrap(), 300.0 * 139.30);
    // The stored orders, a page of 128 at a time: the accepted ones, each once.
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=128&cursor={c}"),
            None => "?limit=128".to_string(),
        };
        let page = app
            .get(
                &format!("/api/v1/flash-sales/{id}/orders{query}"),
                Some(&lt.agent.key),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        pages += 1;
        for o in page.body["data"].as_array().unwrap() {
            listed.push(o["order_id"].as_str().unwrap().to_string());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!((pages, listed.len()), (3, 300));
    assert_eq!(listed.iter().cloned().collect::<HashSet<_>>(), order_ids);
    let too_many = app
        .get(
            &format!("/api/v1/flash-sales/{id}/orders?limit=1001"),
            Some(&lt.agent.key),
        )
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_many.paths(), ["limit"]);
    let sold_out_again = app
        .post(
            &format!("/api/v1/flash-sales/{id}/orders"),
            Some(&ck),
            &json!({"buyer_id": "late", "quantity": 1}),
        )
        .await;
    assert_eq!(sold_out_again.status, StatusCode::CONFLICT);
    assert!(
        sold_out_again.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("remaining 0")
    );
}

#[tokio::test]
async fn per_buyer_limits_and_idempotency_hold_under_concurrency_and_ended_sales_refuse() {
    let app = Arc::new(spawn_app().await);
    let (lt, s) = started_session(&app).await;
    let sale = app
        .post(&format!("/api/v1/sessions/{s}/flash-sales"), Some(&lt.agent.key),
            &json!({"product_id": "prod_002", "price": 199, "stock": 1000, "duration_minutes": 5, "per_buyer_limit": 3}))
        .await;
    let id = sale.body["id"].as_str().unwrap().to_string();
    // One buyer tries 20 single-unit orders at once: exactly 3 succeed.
    let mut handles = Vec::new();
    for _ in 0..20 {
        let (app, id, key) = (app.clone(), id.clone(), lt.agent.key.clone());
        handles.push(tokio::spawn(async move {
            app.post(
                &format!("/api/v1/flash-sales/{id}/orders"),
                Some(&key),
                &json!({"buyer_id": "greedy", "quantity": 1}),
            )
            .await
        }));
    }
    let mut codes: HashMap<String, usize> = HashMap::new();
    for h in handles {
        let a = h.await.unwrap();
        *codes
            .entry(if a.status == StatusCode::CREATED {
                "created".into()
            } else {
                a.code().to_string()
            })
            .or_default() += 1;
    }
    assert_eq!(codes.get("created"), Some(&3));
    assert_eq!(codes.get("limit_exceeded"), Some(&17));
    // The same Idempotency-Key sent 10 times at once: one order, ten identical answers.
    let mut handles = Vec::new();
    for _ in 0..10 {
        let (app, id, key) = (app.clone(), id.clone(), lt.agent.key.clone());
        handles.push(tokio::spawn(async move {
            app.send(
                Method::POST,
                &format!("/api/v1/flash-sales/{id}/orders"),
                Some(&key),
                Some("application/json"),
                json!({"buyer_id": "careful", "quantity": 2}).to_string(),
                &[("Idempotency-Key", "checkout-77")],
            )
            .await
        }));
    }
    let mut ids = HashSet::new();
    for h in handles {
        let a = h.await.unwrap();
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        ids.insert(a.body["order_id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 1);
    let other_body = app
        .send(
            Method::POST,
            &format!("/api/v1/flash-sales/{id}/orders"),
            Some(&lt.agent.key),
            Some("application/json"),
            json!({"buyer_id": "careful", "quantity": 1}).to_string(),
            &[("Idempotency-Key", "checkout-77")],
        )
        .await;
    assert_eq!(other_body.status, StatusCode::CONFLICT);
    let state = app
        .get(&format!("/api/v1/flash-sales/{id}"), Some(&lt.agent.key))
        .await
        .body;
    assert_eq!(state["sold"], 5);

    // A sale of a few seconds ends and then refuses orders with 410.
    let short = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            Some(&lt.agent.key),
            &json!({"product_id": "prod_003", "price": 59, "stock": 10, "duration_seconds": 1}),
        )
        .await;
    assert_eq!(short.status, StatusCode::CREATED, "{}", short.body);
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let late = app
        .post(
            &format!(
                "/api/v1/flash-sales/{}/orders",
                short.body["id"].as_str().unwrap()
            ),
            Some(&lt.agent.key),
            &json!({"buyer_id": "x", "quantity": 1}),
        )
        .await;
    assert_eq!(late.status, StatusCode::GONE);
    assert_eq!(late.code(), "flash_sale_ended");
    // Another agent's key cannot order.
    let other = app.agent("Other").await;
    let denied = app
        .post(
            &format!("/api/v1/flash-sales/{id}/orders"),
            Some(&other.key),
            &json!({"buyer_id": "x", "quantity": 1}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_stream_sends_snapshots_and_a_sold_out_event() {
    let app = spawn_app().await;
    let (lt, s) = started_session(&app).await;
    let mut resp = app
        .client
        .get(app.url(&format!("/api/v1/sessions/{s}/stream")))
        .bearer_auth(&lt.agent.key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let sale = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            Some(&lt.agent.key),
            &json!({"product_id": "prod_001", "price": 100, "stock": 2, "duration_minutes": 5}),
        )
        .await;
    let id = sale.body["id"].as_str().unwrap();
    for b in 0..2 {
        app.post(
            &format!("/api/v1/flash-sales/{id}/orders"),
            Some(&lt.agent.key),
            &json!({"buyer_id": format!("b{b}"), "quantity": 1}),
        )
        .await;
    }
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut metrics_events = 0;
    while tokio::time::Instant::now() < deadline {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(3), resp.chunk()).await;
        let Ok(Ok(Some(bytes))) = chunk else { break };
        text.push_str(&String::from_utf8_lossy(&bytes));
        metrics_events = text.matches("event: metrics").count();
        if text.contains("event: sold_out") && metrics_events >= 2 {
            break;
        }
    }
    assert!(text.contains("event: sold_out"), "{text}");
    assert!(
        metrics_events >= 2,
        "an initial snapshot and at least one tick: {text}"
    );
    let sold_out = text.split("event: sold_out").nth(1).unwrap();
    assert!(sold_out.contains("\"remaining\":0"), "{sold_out}");
}

/// The first `metrics` snapshot a new stream subscriber gets.
async fn first_snapshot(app: &TestApp, key: &str, session: &str) -> Value {
    let mut resp = app
        .client
        .get(app.url(&format!("/api/v1/sessions/{session}/stream")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let mut text = String::new();
    loop {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), resp.chunk())
            .await
            .expect("a snapshot within 5 s")
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
        if let Some(rest) = text.split("event: metrics\n").nth(1)
            && let Some(line) = rest.lines().find(|l| l.starts_with("data: "))
            && rest.contains('\n')
        {
            return serde_json::from_str(&line["data: ".len()..]).unwrap();
        }
    }
}

#[tokio::test]
async fn subscribers_share_snapshots_but_never_miss_what_was_counted_before_they_came() {
    let app = spawn_app().await;
    let (lt, s) = started_session(&app).await;
    let now = chrono::Utc::now().timestamp_millis();
    let chat =
        |n: u32| json!({"type": "chat", "ts": now, "viewer_id": format!("v{n}"), "text": "hi"});
    let first = first_snapshot(&app, &lt.agent.key, &s).await;
    assert_eq!(first["chat_messages"], 0);
    // Within the second a snapshot is shared, a chat counted in between
    // still shows to the next subscriber.
    let a = ndjson(&app, &lt.host.key, &s, &[chat(1)], "").await;
    assert_eq!(a.body["accepted"], 1, "{}", a.body);
    let second = first_snapshot(&app, &lt.agent.key, &s).await;
    assert_eq!(second["chat_messages"], 1, "{second}");
    // Many subscribers at once all see both chats.
    ndjson(&app, &lt.host.key, &s, &[chat(2)], "").await;
    let many =
        futures::future::join_all((0..20).map(|_| first_snapshot(&app, &lt.agent.key, &s))).await;
    assert!(many.iter().all(|m| m["chat_messages"] == 2), "{many:?}");
    // And what they get is what /metrics says.
    let metrics = app
        .get(
            &format!("/api/v1/sessions/{s}/metrics"),
            Some(&lt.agent.key),
        )
        .await;
    for (name, value) in many[0].as_object().unwrap() {
        assert_eq!(value, &metrics.body[name], "{name}");
    }
}

#[tokio::test]
async fn a_monitored_session_fills_the_submission_as_verified_and_pays_from_it() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let id = lt.task["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/sessions/{s}/start"),
        Some(&lt.host.key),
        &json!({}),
    )
    .await;
    // Event times inside the session's window: after its start, before its end.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let now = chrono::Utc::now().timestamp_millis() - 250;
    let mut events = Vec::new();
    for v in 0..40 {
        events.push(json!({"type": "viewer_join", "ts": now + v, "viewer_id": format!("v{v}")}));
    }
    for o in 0..10 {
        events.push(json!({"type": "order", "ts": now + 50 + o, "order_id": format!("o{o}"), "viewer_id": format!("v{o}"),
            "product_id": "prod_001", "quantity": 1, "amount": 12000, "currency": "CNY"}));
    }
    // The agent's connector bridge posts with an ingest key: verified figures.
    let ingest = app
        .post(
            &format!("/api/v1/sessions/{s}/ingest-keys"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(ingest.status, StatusCode::CREATED, "{}", ingest.body);
    let ingest_key = ingest.body["api_key"].as_str().unwrap().to_string();
    assert!(ingest_key.starts_with("ph_ik_"));
    let a = app
        .post(
            &format!("/api/v1/sessions/{s}/events"),
            Some(&ingest_key),
            &Value::Array(events),
        )
        .await;
    assert_eq!(a.body["accepted"], 50, "{}", a.body);
    assert_eq!(a.body["provenance"], "verified");
    app.post(
        &format!("/api/v1/sessions/{s}/end"),
        Some(&lt.host.key),
        &json!({}),
    )
    .await;

    // The host claims more than happened; the server's own figures are used.
    let claim = json!({"recording_url": "https://videos.example/s.mp4",
        "gmv_report": {"total_gmv": 500000, "orders": 4000, "currency": "CNY"},
        "viewer_analytics": {"peak_viewers": 9000, "unique_viewers": 50000}});
    let sub = app
        .post(
            &format!("/api/v1/tasks/{id}/submission"),
            Some(&lt.host.key),
            &claim,
        )
        .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);
    assert_eq!(sub.body["source"], "verified");
    assert_eq!(
        sub.body["figures"]["gmv"]
            .to_string()
            .parse::<f64>()
            .unwrap(),
        120_000.0
    );
    assert_eq!(sub.body["figures"]["orders"], 10);
    assert_eq!(sub.body["figures"]["unique_viewers"], 40);
    let diffs: Vec<String> = sub.body["verified"]["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_string())
        .collect();
    assert!(
        diffs.contains(&"gmv".to_string()) && diffs.contains(&"orders".to_string()),
        "{diffs:?}"
    );

    let approved = app
        .post(
            &format!("/api/v1/tasks/{id}/approve"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    // 5,000 base + 10% of the verified 120,000 + the 100k tier (3,000).
    assert_eq!(
        approved.body["payout"]["total"]
            .to_string()
            .parse::<f64>()
            .unwrap(),
        20_000.0
    );
}

#[tokio::test]
async fn the_overlay_shows_a_sale_to_its_token_only_and_the_stream_resumes_after_last_event_id() {
    let app = spawn_app().await;
    let (lt, s) = started_session(&app).await;
    let sale = app
        .post(&format!("/api/v1/sessions/{s}/flash-sales"), Some(&lt.agent.key),
            &json!({"product_id": "prod_002", "price": 186.75, "stock": 50, "duration_minutes": 15}))
        .await;
    let overlay = sale.body["overlay_url"].as_str().unwrap().to_string();
    let page = app.client.get(app.url(&overlay)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("background:transparent")
            && html.contains("of 50 left")
            && html.contains("EventSource"),
        "{html}"
    );
    let id = sale.body["id"].as_str().unwrap();
    let wrong = app
        .client
        .get(app.url(&format!("/overlay/flash-sales/{id}?token=guess")))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);

    // A client sees a stream item, goes away while two orders are placed,
    // and reconnects with that item's id: it gets what came after, and not
    // that item again.
    let ids_in = |text: &str| -> Vec<u64> {
        text.lines()
            .filter_map(|l| l.strip_prefix("id: ")?.parse().ok())
            .collect()
    };
    let read_until = async |last: Option<u64>, wanted: &dyn Fn(&[u64]) -> bool| {
        let mut req = app
            .client
            .get(app.url(&format!("/api/v1/sessions/{s}/stream")))
            .bearer_auth(&lt.agent.key);
        if let Some(id) = last {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let mut resp = req.send().await.unwrap();
        let mut text = String::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
        while tokio::time::Instant::now() < deadline && !wanted(&ids_in(&text)) {
            match tokio::time::timeout(std::time::Duration::from_secs(2), resp.chunk()).await {
                Ok(Ok(Some(b))) => text.push_str(&String::from_utf8_lossy(&b)),
                _ => break,
            }
        }
        text
    };
    let seen = read_until(None, &|ids| !ids.is_empty()).await;
    let first = *ids_in(&seen).first().expect("a stream item with an id");
    for b in 0..2 {
        app.post(
            &format!("/api/v1/flash-sales/{id}/orders"),
            Some(&lt.agent.key),
            &json!({"buyer_id": format!("b{b}"), "quantity": 1}),
        )
        .await;
    }
    let text = read_until(Some(first), &|ids| ids.iter().any(|i| *i > first)).await;
    let ids = ids_in(&text);
    assert!(
        ids.iter().any(|i| *i > first),
        "resumed after {first}: {text}"
    );
    assert!(
        !ids.contains(&first),
        "item {first} is not sent again: {text}"
    );
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase: {ids:?}");
}
