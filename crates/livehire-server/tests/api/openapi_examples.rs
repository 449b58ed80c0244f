//! The request examples of the served document are the seed's, dated in the
//! future, and the server takes every one: they are posted here, read from
//! the document, along the seed's Getting Started workflow.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;
use crate::openapi::{operation, served_document};

/// The first example of an operation's request body in `content_type`.
fn example(doc: &Value, id: &str, content_type: &str) -> Value {
    operation(doc, id)["requestBody"]["content"][content_type]["examples"]
        .as_object()
        .and_then(|e| e.values().next())
        .map(|e| e["value"].clone())
        .unwrap_or_else(|| panic!("{id} has no {content_type} example"))
}

/// Every date-like string of an example.
fn dates(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s)
            if s.len() >= 10 && s.as_bytes()[4] == b'-' && s[..4].parse::<u32>().is_ok() =>
        {
            out.push(s.clone());
        }
        Value::Array(a) => a.iter().for_each(|x| dates(x, out)),
        Value::Object(m) => m.values().for_each(|x| dates(x, out)),
        _ => {}
    }
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("RFC 3339")
}

/// Posts `body` and expects `status`; returns the answer's body.
async fn post_ok(app: &TestApp, path: &str, key: &str, body: &Value, status: StatusCode) -> Value {
    let a = app.post(path, Some(key), body).await;
    assert_eq!(a.status, status, "POST {path}: {}", a.body);
    a.body
}

#[tokio::test]
async fn the_seed_examples_are_dated_ahead_and_the_server_takes_each_one() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    let ex = |id: &str| example(&doc, id, "application/json");

    // The task is the seed's Getting Started step 3 body, dates moved ahead.
    let mut task_body = seed_json("task_getting_started.json");
    assert_eq!(ex("tasks_create"), task_body);
    let mut found = Vec::new();
    for id in [
        "tasks_create",
        "hosts_register",
        "sessions_events_post",
        "tasks_submission_post",
    ] {
        dates(&ex(id), &mut found);
    }
    assert!(found.len() >= 9, "{found:?}");
    assert!(found.iter().all(|d| d.as_str() > "2036"), "{found:?}");
    // Rates and messages are the seed's own words.
    assert_eq!(
        ex("tasks_messages_post"),
        seed_json("message_workflow1.json")
    );
    assert_eq!(ex("tasks_rate"), seed_json("rate_workflow1.json"));

    // Accounts: an agent, the seed's first host, the operator verifying it.
    let agent = app
        .post("/api/v1/agents/register", None, &ex("agents_register"))
        .await;
    assert_eq!(agent.status, StatusCode::CREATED, "{}", agent.body);
    let agent_key = agent.body["api_key"].as_str().unwrap().to_string();
    let host = app
        .post("/api/v1/humans/register", None, &ex("hosts_register"))
        .await;
    assert_eq!(host.status, StatusCode::CREATED, "{}", host.body);
    let host_id = host.body["human_id"].as_str().unwrap().to_string();
    let host_key = host.body["api_key"].as_str().unwrap().to_string();
    app.app.set_admin_token("the-operator's-token");
    let verified = post_ok(
        &app,
        &format!("/api/v1/admin/humans/{host_id}/verification"),
        "the-operator's-token",
        &ex("admin_hosts_verify"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(verified["tiktok_shop_verified"], true);
    let patched = app
        .patch(
            &format!("/api/v1/humans/{host_id}"),
            Some(&host_key),
            &ex("hosts_patch"),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);

    // Money and the shop.
    for _ in 0..2 {
        post_ok(
            &app,
            "/api/v1/wallet/deposits",
            &agent_key,
            &ex("wallet_deposits_create"),
            StatusCode::CREATED,
        )
        .await;
    }
    post_ok(
        &app,
        "/api/v1/integrations/tiktok-shop",
        &agent_key,
        &ex("tiktok_shop_connect"),
        StatusCode::CREATED,
    )
    .await;

    // The task: the host applies and is assigned; a second copy is the one
    // the host is invited to, and its session is imported later.
    let task = post_ok(
        &app,
        "/api/v1/tasks",
        &agent_key,
        &ex("tasks_create"),
        StatusCode::CREATED,
    )
    .await;
    let id = task["id"].as_str().unwrap().to_string();
    let t = |p: &str| format!("/api/v1/tasks/{id}/{p}");
    let with_host = |mut body: Value| {
        body["human_id"] = json!(host_id);
        body
    };
    post_ok(
        &app,
        &t("applications"),
        &host_key,
        &ex("tasks_applications_create"),
        StatusCode::CREATED,
    )
    .await;
    post_ok(
        &app,
        &t("assign"),
        &agent_key,
        &with_host(ex("tasks_assign")),
        StatusCode::OK,
    )
    .await;
    post_ok(
        &app,
        &t("messages"),
        &agent_key,
        &ex("tasks_messages_post"),
        StatusCode::CREATED,
    )
    .await;
    post_ok(
        &app,
        &t("run-of-show"),
        &agent_key,
        &ex("tasks_run_of_show_post"),
        StatusCode::OK,
    )
    .await;

    task_body["title"] = json!("Live shopping session: the recording");
    let recorded = post_ok(
        &app,
        "/api/v1/tasks",
        &agent_key,
        &task_body,
        StatusCode::CREATED,
    )
    .await;
    let recorded_id = recorded["id"].as_str().unwrap();
    post_ok(
        &app,
        &format!("/api/v1/tasks/{recorded_id}/invitations"),
        &agent_key,
        &with_host(ex("tasks_invitations_create")),
        StatusCode::CREATED,
    )
    .await;
    post_ok(
        &app,
        &format!("/api/v1/tasks/{recorded_id}/accept"),
        &host_key,
        &json!({}),
        StatusCode::OK,
    )
    .await;

    // The session at its scheduled time: events, a flash sale, an order.
    let s = task["sessions"][0]["id"].as_str().unwrap().to_string();
    app.app.travel_to(at("2036-03-15T19:00:00Z"));
    post_ok(
        &app,
        &format!("/api/v1/sessions/{s}/start"),
        &host_key,
        &json!({}),
        StatusCode::OK,
    )
    .await;
    app.app.travel_to(at("2036-03-15T19:05:00Z"));
    let events = post_ok(
        &app,
        &format!("/api/v1/sessions/{s}/events"),
        &agent_key,
        &ex("sessions_events_post"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(events["rejected"], json!([]), "{events}");
    assert_eq!(events["accepted"], 6);
    let ndjson = example(&doc, "sessions_events_post", "application/x-ndjson");
    let again = app
        .send(
            Method::POST,
            &format!("/api/v1/sessions/{s}/events"),
            Some(&agent_key),
            Some("application/x-ndjson"),
            ndjson.as_str().unwrap().to_string(),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["rejected"], json!([]), "{}", again.body);
    let sale = post_ok(
        &app,
        &format!("/api/v1/sessions/{s}/flash-sales"),
        &agent_key,
        &ex("sessions_flash_sales_create"),
        StatusCode::CREATED,
    )
    .await;
    let order = post_ok(
        &app,
        &format!(
            "/api/v1/flash-sales/{}/orders",
            sale["id"].as_str().unwrap()
        ),
        &agent_key,
        &ex("flash_sales_orders_create"),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(order["amount"].to_string(), "398.00");
    app.app.travel_to(at("2036-03-15T19:10:00Z"));
    post_ok(
        &app,
        &format!("/api/v1/sessions/{s}/end"),
        &agent_key,
        &json!({}),
        StatusCode::OK,
    )
    .await;

    // The recording of the second task's session.
    let recorded_session = recorded["sessions"][0]["id"].as_str().unwrap();
    let imported = post_ok(
        &app,
        &format!("/api/v1/sessions/{recorded_session}/import"),
        &agent_key,
        &ex("sessions_import"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(imported["imported"]["accepted"], 6, "{imported}");

    // Settlement: a submission, a revision, approval on verified figures, a rating.
    post_ok(
        &app,
        &t("submission"),
        &host_key,
        &ex("tasks_submission_post"),
        StatusCode::CREATED,
    )
    .await;
    post_ok(
        &app,
        &t("request-revision"),
        &agent_key,
        &ex("tasks_revision_request"),
        StatusCode::OK,
    )
    .await;
    post_ok(
        &app,
        &t("submission"),
        &host_key,
        &ex("tasks_submission_post"),
        StatusCode::CREATED,
    )
    .await;
    let approved = post_ok(
        &app,
        &t("approve"),
        &agent_key,
        &ex("tasks_approve"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        approved["payout"]["figures_used"]["basis"], "verified",
        "{approved}"
    );
    let rated = post_ok(
        &app,
        &t("rate"),
        &agent_key,
        &ex("tasks_rate"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(rated["tip_amount"].to_string(), "8000.00");
}
