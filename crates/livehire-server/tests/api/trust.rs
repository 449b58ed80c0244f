//! Trustworthy figures (docs/trust.md): who may report what, the live window,
//! frozen sessions, and amounts, counts and strings that stay in bounds. Each
//! test replays an attack that used to work.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;
use crate::live::{LiveTask, assigned_task, start_at, travel};

const MIN: i64 = 60_000;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn order(ts: i64, id: &str, buyer: &str, amount: Value) -> Value {
    json!({"type": "order", "ts": ts, "order_id": id, "viewer_id": buyer,
        "product_id": "prod_001", "quantity": 1, "amount": amount, "currency": "CNY"})
}

fn chat(ts: i64, viewer: &str) -> Value {
    json!({"type": "chat", "ts": ts, "viewer_id": viewer, "text": "hi"})
}

async fn post_events(app: &TestApp, key: &str, s: &str, events: Vec<Value>) -> Answer {
    app.post(
        &format!("/api/v1/sessions/{s}/events"),
        Some(key),
        &Value::Array(events),
    )
    .await
}

fn rejected(a: &Answer) -> Vec<(i64, String)> {
    a.body["rejected"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", a.body))
        .iter()
        .map(|r| {
            (
                r["index"].as_i64().unwrap(),
                r["error"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn metrics(app: &TestApp, lt: &LiveTask, s: &str) -> Value {
    let m = app
        .get(
            &format!("/api/v1/sessions/{s}/metrics"),
            Some(&lt.agent.key),
        )
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    m.body
}

/// Real checkout sales of 210.00: a flash sale of `prod_001` at 105.00, one
/// buyer taking two units.
async fn checkout_sales(app: &TestApp, lt: &LiveTask, s: &str) -> String {
    let sale = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            Some(&lt.agent.key),
            &json!({"product_id": "prod_001", "price": 105, "stock": 10, "duration_minutes": 30}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
    let id = sale.body["id"].as_str().unwrap().to_string();
    let o = app
        .post(
            &format!("/api/v1/flash-sales/{id}/orders"),
            Some(&lt.agent.key),
            &json!({"buyer_id": "u1", "quantity": 2}),
        )
        .await;
    assert_eq!(o.status, StatusCode::CREATED, "{}", o.body);
    assert_eq!(o.body["amount"].to_string(), "210.00");
    id
}

async fn end(app: &TestApp, key: &str, s: &str) -> Answer {
    let e = app
        .post(&format!("/api/v1/sessions/{s}/end"), Some(key), &json!({}))
        .await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.body);
    e
}

async fn submit(app: &TestApp, lt: &LiveTask, claim: Value) {
    let id = lt.task["id"].as_str().unwrap();
    let sub = app
        .post(
            &format!("/api/v1/tasks/{id}/submission"),
            Some(&lt.host.key),
            &claim,
        )
        .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);
}

async fn approve(app: &TestApp, lt: &LiveTask, body: Value) -> Answer {
    let id = lt.task["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/tasks/{id}/approve"),
        Some(&lt.agent.key),
        &body,
    )
    .await
}

/// A second task of the same agent, assigned to the same host.
async fn another_task(app: &TestApp, lt: &LiveTask) -> LiveTask {
    let task = app
        .task(&lt.agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let invite = app
        .post(
            &format!("/api/v1/tasks/{id}/invitations"),
            Some(&lt.agent.key),
            &json!({"human_id": lt.host.id}),
        )
        .await;
    assert_eq!(invite.status, StatusCode::CREATED, "{}", invite.body);
    let accept = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&lt.host.key),
            &json!({}),
        )
        .await;
    assert_eq!(accept.status, StatusCode::OK, "{}", accept.body);
    LiveTask {
        agent: Agent {
            id: lt.agent.id.clone(),
            key: lt.agent.key.clone(),
        },
        host: Host {
            id: lt.host.id.clone(),
            key: lt.host.key.clone(),
        },
        task,
    }
}

fn amount(v: &Value) -> String {
    v.to_string()
}

#[tokio::test]
async fn a_host_cannot_pay_itself_with_orders_it_posts() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let id = lt.task["id"].as_str().unwrap().to_string();
    start_at(&app, &lt.host.key, &s, now_ms()).await;
    checkout_sales(&app, &lt, &s).await;

    // The host posts ten orders of 100,000 during the session…
    let t = now_ms();
    let fake: Vec<Value> = (0..10)
        .map(|i| order(t, &format!("fake{i}"), "x", json!(100000)))
        .collect();
    let a = post_events(&app, &lt.host.key, &s, fake).await;
    assert_eq!(a.body["accepted"], 10, "{}", a.body);
    assert_eq!(a.body["source"], "host");
    assert_eq!(a.body["provenance"], "host_reported");
    let m = metrics(&app, &lt, &s).await;
    assert_eq!(m["figures_source"], "mixed");
    assert_eq!(amount(&m["gmv"]), "1000210.00");
    assert_eq!(amount(&m["sources"]["verified"]["gmv"]), "210.00");
    assert_eq!(m["sources"]["verified"]["orders"], 1);
    assert_eq!(amount(&m["sources"]["host_reported"]["gmv"]), "1000000.00");

    // …and ten more after it ended, stamped after the end.
    let ended = end(&app, &lt.host.key, &s).await;
    let end_ms = chrono::DateTime::parse_from_rfc3339(ended.body["ended_at"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    travel(&app, end_ms + 4 * MIN);
    let late: Vec<Value> = (0..10)
        .map(|i| order(end_ms + 3 * MIN, &format!("late{i}"), "x", json!(100000)))
        .collect();
    let a = post_events(&app, &lt.host.key, &s, late).await;
    assert_eq!(a.body["accepted"], 0, "{}", a.body);
    let why = rejected(&a);
    assert_eq!(why.len(), 10);
    assert!(why[0].1.contains("after the session ended"), "{why:?}");

    submit(
        &app,
        &lt,
        json!({"gmv_report": {"total_gmv": 2000210, "orders": 21, "currency": "CNY"}}),
    )
    .await;
    let sub = app
        .get(
            &format!("/api/v1/tasks/{id}/submission"),
            Some(&lt.agent.key),
        )
        .await
        .body;
    assert_eq!(sub["source"], "verified");
    assert_eq!(amount(&sub["figures"]["gmv"]), "210.00");
    assert_eq!(
        amount(&sub["host_reported"]["sessions"][0]["gmv"]),
        "1000000.00"
    );
    assert_eq!(amount(&sub["verified"]["reported"]["gmv"]), "2000210");

    // Approval pays 5,000 base + 10% of the verified 210.00: 5,021.00, not 82,116.80.
    let paid = approve(&app, &lt, json!({})).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let p = &paid.body["payout"];
    assert_eq!(amount(&p["gmv"]), "210.00");
    assert_eq!(amount(&p["total"]), "5021.00");
    assert_eq!(p["figures_used"]["basis"], "verified");
    assert_eq!(p["figures_used"]["sessions"][0]["session_id"], s.as_str());
    assert_eq!(p["figures_used"]["sessions"][0]["figures"], "verified");
    let earnings = app.get("/api/v1/earnings", Some(&lt.host.key)).await.body;
    assert_eq!(amount(&earnings["balances"][0]["total"]), "5021.00");

    // The host's figures are now what was monitored, and search sorts on them:
    // the 45,000 average it declared no longer passes a 40,000 floor.
    let profile = app
        .get(
            &format!("/api/v1/humans/{}", lt.host.id),
            Some(&lt.agent.key),
        )
        .await
        .body;
    assert_eq!(profile["metrics_source"], "monitored");
    let monitored = &profile["monitored_metrics"];
    assert_eq!(monitored["sessions"], 1);
    assert_eq!(amount(&monitored["avg_gmv_per_session"]), "210.00");
    assert_eq!(monitored["currency"], "CNY");
    assert_eq!(
        profile["live_commerce_metrics"]["avg_gmv_per_session"], 45000,
        "the host's own figure is kept beside"
    );
    let found = app
        .get(
            "/api/v1/humans?min_avg_gmv_per_session=40000&limit=100",
            Some(&lt.agent.key),
        )
        .await
        .body;
    let ids: Vec<&str> = found["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["human_id"].as_str())
        .collect();
    assert!(!ids.contains(&lt.host.id.as_str()), "{ids:?}");
    let found = app
        .get(
            "/api/v1/humans?min_avg_gmv_per_session=200&limit=100",
            Some(&lt.agent.key),
        )
        .await
        .body;
    assert!(
        found["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["human_id"] == lt.host.id.as_str())
    );
}

#[tokio::test]
async fn an_agent_may_choose_to_pay_on_the_hosts_figures_or_its_own() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    start_at(&app, &lt.host.key, &s, now_ms()).await;
    checkout_sales(&app, &lt, &s).await;
    let t = now_ms();
    let posted: Vec<Value> = (0..10)
        .map(|i| order(t, &format!("h{i}"), "x", json!(1000)))
        .collect();
    assert_eq!(
        post_events(&app, &lt.host.key, &s, posted).await.body["accepted"],
        10
    );
    end(&app, &lt.host.key, &s).await;
    submit(
        &app,
        &lt,
        json!({"gmv_report": {"total_gmv": 10210, "orders": 11, "currency": "CNY"}}),
    )
    .await;

    // A stated figure that is out of bounds, or a basis that does not exist.
    let bad = approve(&app, &lt, json!({"stated": {"gmv": 1e15}})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.paths(), ["stated.gmv"]);
    let bad = approve(&app, &lt, json!({"figures": "whatever_the_host_says"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.paths(), ["figures"]);

    // The host's word: its submission, 10,210.00 → 5,000 + 1,021.00.
    let paid = approve(&app, &lt, json!({"figures": "host_reported"})).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let p = &paid.body["payout"];
    assert_eq!(amount(&p["total"]), "6021.00");
    assert_eq!(p["figures_used"]["basis"], "host_reported");
    assert_eq!(p["figures_used"]["sessions"][0]["figures"], "submission");

    // A second task for the same pair, approved on figures the agent states itself.
    let lt2 = another_task(&app, &lt).await;
    let s2 = lt2.session_id(0);
    start_at(&app, &lt2.host.key, &s2, now_ms()).await;
    checkout_sales(&app, &lt2, &s2).await;
    end(&app, &lt2.agent.key, &s2).await;
    submit(
        &app,
        &lt2,
        json!({"recording_url": "https://videos.example/r.mp4"}),
    )
    .await;
    let paid = approve(
        &app,
        &lt2,
        json!({"stated": {"gmv": 1000, "highlight_views": 120000}}),
    )
    .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let p = &paid.body["payout"];
    // 5,000 + 10% of 1,000 + the 1,500 viral-highlight bonus.
    assert_eq!(amount(&p["total"]), "6600.00");
    assert_eq!(
        p["figures_used"]["stated"],
        json!(["gmv", "highlight_views"])
    );
}

#[tokio::test]
async fn events_count_only_inside_the_sessions_live_window_and_never_after_approval() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let id = lt.task["id"].as_str().unwrap().to_string();
    let t = now_ms();

    // Scheduled: nothing counts yet.
    let a = post_events(&app, &lt.host.key, &s, vec![order(t, "o0", "v", json!(99))]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["accepted"], 0);
    assert!(rejected(&a)[0].1.contains("has not started"), "{}", a.body);

    start_at(&app, &lt.host.key, &s, t).await;
    travel(&app, t + 10 * MIN);
    let a = post_events(
        &app,
        &lt.host.key,
        &s,
        vec![
            json!({"type": "viewer_join", "ts": t + MIN, "viewer_id": "v1"}),
            json!({"type": "viewer_join", "ts": t - 3 * MIN, "viewer_id": "early"}),
            json!({"type": "viewer_join", "ts": t + 13 * MIN, "viewer_id": "future"}),
            json!({"type": "viewer_join", "ts": "9999-12-31T23:59:59Z", "viewer_id": "y9999"}),
            json!({"type": "viewer_join", "ts": 0, "viewer_id": "y1970"}),
            json!({"type": "viewer_join", "ts": t - MIN, "viewer_id": "skew"}),
        ],
    )
    .await;
    assert_eq!(a.body["accepted"], 2, "{}", a.body);
    let why = rejected(&a);
    let indices: Vec<i64> = why.iter().map(|w| w.0).collect();
    assert_eq!(indices, [1, 2, 3, 4]);
    assert!(why[0].1.contains("before the session started"), "{why:?}");
    assert!(why[1].1.contains("ahead of the server's clock"), "{why:?}");
    assert!(why[2].1.contains("ahead of the server's clock"), "{why:?}");
    assert!(why[3].1.contains("before the session started"), "{why:?}");
    assert_eq!(metrics(&app, &lt, &s).await["unique_viewers"], 2);

    // Ended at t + 30 min: nobody is watching any more, though no leave came.
    travel(&app, t + 30 * MIN);
    end(&app, &lt.host.key, &s).await;
    let m = metrics(&app, &lt, &s).await;
    assert_eq!(m["concurrent_viewers"], 0);
    assert_eq!(m["peak_concurrent_viewers"], 2);

    // Late deliveries of the session's own events count for ten minutes.
    travel(&app, t + 33 * MIN);
    let a = post_events(
        &app,
        &lt.host.key,
        &s,
        vec![chat(t + 29 * MIN, "v1"), chat(t + 33 * MIN, "v1")],
    )
    .await;
    assert_eq!(a.body["accepted"], 1, "{}", a.body);
    assert!(rejected(&a)[0].1.contains("after the session ended"));
    travel(&app, t + 41 * MIN);
    let a = post_events(&app, &lt.host.key, &s, vec![chat(t + 29 * MIN, "v1")]).await;
    assert_eq!(a.body["accepted"], 0, "{}", a.body);
    assert!(
        rejected(&a)[0]
            .1
            .contains("late deliveries were accepted until"),
        "{}",
        a.body
    );
    assert_eq!(metrics(&app, &lt, &s).await["chat_messages"], 1);

    // Approved and paid: the figures are frozen, for every sender.
    submit(
        &app,
        &lt,
        json!({"gmv_report": {"total_gmv": 0, "orders": 0, "currency": "CNY"}}),
    )
    .await;
    let paid = approve(&app, &lt, json!({})).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    let frozen = metrics(&app, &lt, &s).await;
    travel(&app, t + 32 * MIN);
    for key in [&lt.host.key, &lt.agent.key] {
        let a = post_events(
            &app,
            key,
            &s,
            vec![order(t + 29 * MIN, "after", "v1", json!(5))],
        )
        .await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
        assert_eq!(a.code(), "session_settled");
    }
    let sale = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            Some(&lt.agent.key),
            &json!({"product_id": "prod_001", "price": 1, "stock": 1, "duration_minutes": 1}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CONFLICT, "{}", sale.body);
    let after = metrics(&app, &lt, &s).await;
    for field in ["orders", "gmv", "chat_messages", "unique_viewers"] {
        assert_eq!(after[field], frozen[field], "{field}");
    }
    // Still frozen after a restart.
    let again = app.restarted().await;
    travel(&again, t + 32 * MIN);
    let a = post_events(&again, &lt.host.key, &s, vec![chat(t + 29 * MIN, "v2")]).await;
    assert_eq!(a.code(), "session_settled", "{}", a.body);
    let task = again
        .get(&format!("/api/v1/tasks/{id}"), Some(&lt.agent.key))
        .await;
    assert_eq!(task.body["status"], "approved");
}

#[tokio::test]
async fn ending_a_session_ends_its_flash_sales() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    start_at(&app, &lt.host.key, &s, now_ms()).await;
    let sale = checkout_sales(&app, &lt, &s).await;
    let ended = end(&app, &lt.agent.key, &s).await;

    for a in [&app, &app.restarted().await] {
        let o = a
            .post(
                &format!("/api/v1/flash-sales/{sale}/orders"),
                Some(&lt.agent.key),
                &json!({"buyer_id": "u2", "quantity": 1}),
            )
            .await;
        assert_eq!(o.status, StatusCode::GONE, "{}", o.body);
        assert_eq!(o.code(), "flash_sale_ended");
        let state = a
            .get(&format!("/api/v1/flash-sales/{sale}"), Some(&lt.agent.key))
            .await
            .body;
        assert_eq!(state["status"], "ended");
        assert_eq!(state["ends_at"], ended.body["ended_at"]);
        assert_eq!(state["sold"], 2);
        let m = a
            .get(
                &format!("/api/v1/sessions/{s}/metrics"),
                Some(&lt.agent.key),
            )
            .await
            .body;
        assert_eq!(amount(&m["gmv"]), "210.00");
    }
}

#[tokio::test]
async fn amounts_and_counts_are_bounded_and_arithmetic_never_wraps() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let id = lt.task["id"].as_str().unwrap().to_string();
    start_at(&app, &lt.host.key, &s, now_ms()).await;
    let sale = |price: Value, stock: i64| json!({"product_id": "prod_001", "price": price, "stock": stock, "duration_minutes": 10});
    let post_sale = |body: Value| {
        let app = &app;
        let key = lt.agent.key.clone();
        let s = s.clone();
        async move {
            app.post(
                &format!("/api/v1/sessions/{s}/flash-sales"),
                Some(&key),
                &body,
            )
            .await
        }
    };

    // A price above one trillion; selling out past the session's GMV limit.
    let a = post_sale(sale(json!(1e15), 1)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(a.paths(), ["price"]);
    let a = post_sale(sale(json!(1e12), 2)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(a.paths(), ["stock"]);

    // The largest sale that fits: 93 units of 10,000,000,000 is exact.
    let a = post_sale(sale(json!(10_000_000_000i64), 100)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let sale_id = a.body["id"].as_str().unwrap();
    let o = app
        .post(
            &format!("/api/v1/flash-sales/{sale_id}/orders"),
            Some(&lt.agent.key),
            &json!({"buyer_id": "whale", "quantity": 93}),
        )
        .await;
    assert_eq!(o.status, StatusCode::CREATED, "{}", o.body);
    assert_eq!(amount(&o.body["amount"]), "930000000000.00");
    let m = metrics(&app, &lt, &s).await;
    assert_eq!(amount(&m["gmv"]), "930000000000.00");
    // The session's verified GMV limit is now held by that sale.
    let a = post_sale(sale(json!(1), 1)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);

    // Events: quantities, amounts and the host-reported GMV limit.
    let t = now_ms();
    let a = post_events(
        &app,
        &lt.host.key,
        &s,
        vec![
            json!({"type": "order", "ts": t, "order_id": "q", "viewer_id": "v", "product_id": "p",
                "quantity": i64::MAX, "amount": 1}),
            json!({"type": "order", "ts": t, "order_id": "q2", "viewer_id": "v", "product_id": "p",
                "quantity": 10_001, "amount": 1}),
            order(t, "huge", "v", json!(1e15)),
            order(t, "max1", "v", json!(1_000_000_000_000i64)),
            order(t, "max2", "v", json!(1)),
            json!({"type": "like", "ts": t, "viewer_id": "v", "count": 2_000_000}),
            json!({"type": "viewer_count", "ts": t, "count": 200_000_000}),
        ],
    )
    .await;
    assert_eq!(a.body["accepted"], 1, "{}", a.body);
    let why = rejected(&a);
    let indices: Vec<i64> = why.iter().map(|w| w.0).collect();
    assert_eq!(indices, [0, 1, 2, 4, 5, 6]);
    assert!(
        why[0]
            .1
            .starts_with("order.quantity: must be at most 10,000"),
        "{why:?}"
    );
    assert!(
        why[2].1.starts_with("order.amount: must be at most"),
        "{why:?}"
    );
    assert!(
        why[3]
            .1
            .contains("would take the session's host-reported GMV past 1,000,000,000,000 CNY"),
        "{why:?}"
    );

    // Approval on a trillion of host-reported GMV: a clear 402, never a 500.
    end(&app, &lt.host.key, &s).await;
    submit(
        &app,
        &lt,
        json!({"gmv_report": {"total_gmv": 1_000_000_000_000i64, "currency": "CNY"}}),
    )
    .await;
    let paid = approve(&app, &lt, json!({"figures": "host_reported"})).await;
    assert_eq!(paid.status, StatusCode::PAYMENT_REQUIRED, "{}", paid.body);
    assert_eq!(paid.code(), "insufficient_funds");

    // What-if figures are bounded too.
    for (q, path) in [
        ("gmv=1e27", "gmv"),
        ("gmv=79228162514264337593543950335", "gmv"),
        ("orders=99999999999999999", "orders"),
        ("session_gmv=1e13", "session_gmv"),
    ] {
        let p = app
            .get(
                &format!("/api/v1/tasks/{id}/payout-preview?{q}"),
                Some(&lt.agent.key),
            )
            .await;
        assert_eq!(
            p.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {}",
            p.body
        );
        assert_eq!(p.paths(), [path], "{q}");
    }
}

#[tokio::test]
async fn a_buyer_counts_as_a_viewer_so_conversion_never_exceeds_one() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    start_at(&app, &lt.host.key, &s, now_ms()).await;
    let t = now_ms();
    let mut events: Vec<Value> = ["b0", "b1", "b2"]
        .iter()
        .map(|v| json!({"type": "viewer_join", "ts": t, "viewer_id": v}))
        .collect();
    for i in 0..20 {
        events.push(order(t, &format!("o{i}"), &format!("b{i}"), json!(10)));
    }
    let a = post_events(&app, &lt.agent.key, &s, events).await;
    assert_eq!(a.body["accepted"], 23, "{}", a.body);
    let m = metrics(&app, &lt, &s).await;
    assert_eq!(m["buyers"], 20);
    assert_eq!(m["unique_viewers"], 20);
    assert_eq!(amount(&m["conversion_rate"]), "1.0000");
    assert_eq!(m["figures_source"], "verified");
}

#[tokio::test]
async fn oversized_and_empty_ids_and_texts_are_refused() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    start_at(&app, &lt.host.key, &s, now_ms()).await;
    let t = now_ms();
    let long_id = "v".repeat(60_000);
    let a = post_events(
        &app,
        &lt.host.key,
        &s,
        vec![
            json!({"type": "viewer_join", "ts": t, "viewer_id": long_id}),
            json!({"type": "viewer_join", "ts": t, "viewer_id": ""}),
            json!({"type": "chat", "ts": t, "viewer_id": "v", "text": "x".repeat(2_001)}),
            json!({"type": "chat", "ts": t, "viewer_id": "v", "text": "好".repeat(2_000)}),
        ],
    )
    .await;
    assert_eq!(a.body["accepted"], 1, "{}", a.body);
    let why = rejected(&a);
    assert_eq!(
        why[0].1,
        "viewer_join.viewer_id: must be at most 128 characters, got 60000"
    );
    assert_eq!(why[1].1, "viewer_join.viewer_id: must not be empty");
    assert_eq!(
        why[2].1,
        "chat.text: must be at most 2000 characters, got 2001"
    );

    // A line padded with a field nobody reads is stored without it.
    let padded = json!({"type": "like", "ts": t, "viewer_id": "v", "count": 1,
        "padding": "p".repeat(100_000)});
    let a = app
        .send(
            Method::POST,
            &format!("/api/v1/sessions/{s}/events"),
            Some(&lt.host.key),
            Some("application/x-ndjson"),
            format!("{padded}\n"),
            &[],
        )
        .await;
    assert_eq!(a.body["accepted"], 1, "{}", a.body);
    let stored = app.app.store().event_batches(&s).await.unwrap();
    let last = stored.last().unwrap();
    assert!(last.body.len() < 200, "{} bytes stored", last.body.len());
    assert_eq!(last.source, "host");

    for product_id in [json!("p".repeat(100_000)), json!("")] {
        let sale = app
            .post(
                &format!("/api/v1/sessions/{s}/flash-sales"),
                Some(&lt.agent.key),
                &json!({"product_id": product_id, "price": 1, "stock": 1, "duration_minutes": 1}),
            )
            .await;
        assert_eq!(
            sale.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            sale.body
        );
        assert!(
            sale.paths().contains(&"product_id".to_string()),
            "{}",
            sale.body
        );
    }
}

#[tokio::test]
async fn a_session_that_never_went_live_takes_the_agents_import_of_a_recording() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let id = lt.task["id"].as_str().unwrap().to_string();
    let t = now_ms() + 60 * MIN;
    let recording = json!([
        {"type": "viewer_join", "ts": t, "viewer_id": "v1"},
        {"type": "viewer_join", "ts": t + MIN, "viewer_id": "v2"},
        order(t + 2 * MIN, "o1", "v1", json!(1200)),
        {"type": "viewer_leave", "ts": t + 90 * MIN, "viewer_id": "v1"},
    ]);
    let import = |key: String, body: Value| {
        let app = &app;
        let s = s.clone();
        async move {
            app.post(&format!("/api/v1/sessions/{s}/import"), Some(&key), &body)
                .await
        }
    };
    // Not the host's to import; not ahead of the server's clock; every event valid.
    let a = import(lt.host.key.clone(), recording.clone()).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    let a = import(lt.agent.key.clone(), recording.clone()).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert!(
        a.body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ahead of the server's clock"),
        "{}",
        a.body
    );
    travel(&app, t + 2 * 60 * MIN);
    let bad =
        json!([{"type": "viewer_join", "ts": t, "viewer_id": "v1"}, {"type": "teleport", "ts": t}]);
    let a = import(lt.agent.key.clone(), bad).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(a.paths(), ["[1]"]);

    let a = import(lt.agent.key.clone(), recording.clone()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["status"], "ended");
    assert_eq!(a.body["imported"]["accepted"], 4);
    let started = chrono::DateTime::parse_from_rfc3339(a.body["started_at"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    let ended = chrono::DateTime::parse_from_rfc3339(a.body["ended_at"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    assert_eq!((started, ended), (t, t + 90 * MIN));
    let m = metrics(&app, &lt, &s).await;
    assert_eq!(m["figures_source"], "verified");
    assert_eq!(amount(&m["sources"]["verified"]["gmv"]), "1200.00");
    assert_eq!(m["unique_viewers"], 2);
    let task = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&lt.agent.key))
        .await;
    assert_eq!(task.body["status"], "in_progress");

    // Once is all: the session is no longer one that never went live.
    let again = import(lt.agent.key.clone(), recording).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.code(), "invalid_state");
}

#[tokio::test]
async fn an_ingest_key_posts_one_sessions_events_and_nothing_else() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    start_at(&app, &lt.host.key, &s, now_ms()).await;
    let minted = app
        .post(
            &format!("/api/v1/sessions/{s}/ingest-keys"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(minted.status, StatusCode::CREATED, "{}", minted.body);
    let key = minted.body["api_key"].as_str().unwrap().to_string();
    // The host cannot mint one for itself.
    let host_mint = app
        .post(
            &format!("/api/v1/sessions/{s}/ingest-keys"),
            Some(&lt.host.key),
            &json!({}),
        )
        .await;
    assert_eq!(
        host_mint.status,
        StatusCode::FORBIDDEN,
        "{}",
        host_mint.body
    );

    let a = post_events(&app, &key, &s, vec![chat(now_ms(), "v1")]).await;
    assert_eq!(a.body["accepted"], 1, "{}", a.body);
    assert_eq!(a.body["source"], "ingest_key");
    assert_eq!(a.body["provenance"], "verified");

    // Another session, another route: the key is for this session's events only.
    let other = another_task(&app, &lt).await;
    let s2 = other.session_id(0);
    let a = post_events(&app, &key, &s2, vec![chat(now_ms(), "v1")]).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    let m = app
        .get(&format!("/api/v1/sessions/{s}/metrics"), Some(&key))
        .await;
    assert_eq!(m.status, StatusCode::UNAUTHORIZED, "{}", m.body);
    let sale = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            Some(&key),
            &json!({"product_id": "prod_001", "price": 1, "stock": 1, "duration_minutes": 1}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::UNAUTHORIZED, "{}", sale.body);
}
