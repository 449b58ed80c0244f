//! Domain events: every state change is an event, written with the change,
//! read in order by the party it concerns; the live stream hears a session's
//! and its flash sales' transitions through them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;
use crate::live::{assigned_task, start_at};

async fn events(app: &TestApp, key: &str, cursor: Option<&str>) -> (Vec<String>, String) {
    let path = match cursor {
        Some(c) => format!("/api/v1/events?cursor={c}&limit=1000"),
        None => "/api/v1/events?limit=1000".to_string(),
    };
    let a = app.get(&path, Some(key)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let kinds = a.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect();
    (kinds, a.body["next_cursor"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn a_task_s_life_is_a_sequence_of_events_each_party_reads_its_own() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let id = lt.task["id"].as_str().unwrap().to_string();
    let s = lt.session_id(0);
    let (kinds, cursor) = events(&app, &lt.agent.key, None).await;
    assert_eq!(
        kinds,
        ["invitation.created", "invitation.accepted", "task.assigned"]
    );

    app.post(
        &format!("/api/v1/tasks/{id}/messages"),
        Some(&lt.agent.key),
        &json!({"text": "Teaser points attached"}),
    )
    .await;
    start_at(
        &app,
        &lt.host.key,
        &s,
        chrono::Utc::now().timestamp_millis(),
    )
    .await;
    let sale = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            Some(&lt.agent.key),
            &json!({"product_id": "prod_001", "price": 99, "stock": 1, "duration_minutes": 5}),
        )
        .await;
    let sale_id = sale.body["id"].as_str().unwrap().to_string();
    let o = app
        .post(
            &format!("/api/v1/flash-sales/{sale_id}/orders"),
            Some(&lt.agent.key),
            &json!({"buyer_id": "u1", "quantity": 1}),
        )
        .await;
    assert_eq!(o.status, StatusCode::CREATED, "{}", o.body);
    app.post(
        &format!("/api/v1/sessions/{s}/end"),
        Some(&lt.host.key),
        &json!({}),
    )
    .await;
    app.post(
        &format!("/api/v1/tasks/{id}/submission"),
        Some(&lt.host.key),
        &json!({"recording_url": "https://videos.example/r.mp4"}),
    )
    .await;
    let paid = app
        .post(
            &format!("/api/v1/tasks/{id}/approve"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    app.post(
        &format!("/api/v1/tasks/{id}/rate"),
        Some(&lt.agent.key),
        &json!({"overall_rating": 5}),
    )
    .await;

    // After the first page's cursor: what happened since, in order.
    let (kinds, _) = events(&app, &lt.agent.key, Some(&cursor)).await;
    assert_eq!(
        kinds,
        [
            "message.created",
            "session.started",
            "flash_sale.started",
            "flash_sale.sold_out",
            "session.ended",
            // Its session ended first: the sold-out sale's countdown stops too.
            "flash_sale.ended",
            "submission.created",
            "task.approved",
            "payout.made",
            "task.rated"
        ]
    );
    // The host reads what concerns it: the message went to its thread (the
    // task was assigned), its session and sale, its payout.
    let (host_kinds, _) = events(&app, &lt.host.key, None).await;
    for k in [
        "task.assigned",
        "message.created",
        "session.started",
        "flash_sale.sold_out",
        "payout.made",
    ] {
        assert!(host_kinds.contains(&k.to_string()), "{k} in {host_kinds:?}");
    }
    // Another agent reads none of it.
    let other = app.agent("Other brand").await;
    let (none, _) = events(&app, &other.key, None).await;
    assert!(none.is_empty(), "{none:?}");
    // The payout event says what was paid.
    let all = app
        .get("/api/v1/events?limit=1000", Some(&lt.agent.key))
        .await
        .body;
    let payout: &Value = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "payout.made")
        .unwrap();
    assert_eq!(payout["data"]["total"], paid.body["payout"]["total"]);
    assert_eq!(payout["task_id"], id.as_str());
}

#[tokio::test]
async fn a_refused_change_writes_no_event() {
    let app = spawn_app().await;
    let agent = app.agent("Empty wallet").await;
    let host = app
        .verified_host(&{
            let mut p = livehire_sim::hosts::seed_hosts()[1].clone();
            p.as_object_mut().unwrap().remove("human_id");
            p
        })
        .await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/tasks/{id}/invitations"),
        Some(&agent.key),
        &json!({"human_id": host.id}),
    )
    .await;
    // No money for the escrow: the accept is refused, and nothing happened.
    let accept = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&host.key),
            &json!({}),
        )
        .await;
    assert_eq!(accept.status, StatusCode::CONFLICT, "{}", accept.body);
    let (kinds, _) = events(&app, &agent.key, None).await;
    assert_eq!(kinds, ["invitation.created"]);
}
