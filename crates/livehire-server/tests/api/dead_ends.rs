//! No dead ends: every party can always move a task forward or out. A stalled
//! task can be cancelled once its host is late, hosts see their invitations,
//! a host's proposed compensation can be accepted, a host is never told to
//! pay for the brand, and a plan proposes flash sales only at a live price.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::harness::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn dec(v: &Value) -> Decimal {
    v.to_string()
        .parse()
        .unwrap_or_else(|_| panic!("not a decimal: {v}"))
}

/// How the server writes a time (RFC 3339, milliseconds, `Z`).
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A seed host as a registration body, renamed so each test's hosts differ.
fn seed_host(index: usize, name: &str) -> Value {
    let mut p = livehire_domain::demo::seed_hosts()[index].clone();
    let o = p.as_object_mut().unwrap();
    o.remove("human_id");
    o.insert("name".into(), json!(name));
    p
}

/// The seed's launch premiere (5,000 CNY base, one 3-hour session), scheduled
/// to start `starts_in` from now, with its deadline an hour from now.
fn launch_starting_in(starts_in: Duration) -> (Value, DateTime<Utc>) {
    let now = Utc::now();
    let start = DateTime::from_timestamp(now.timestamp() + starts_in.num_seconds(), 0).unwrap();
    let mut body = seed_json("task_workflow1_launch.json");
    body["deadline"] = json!(stamp(now + Duration::hours(1)));
    body["live_session_details"]["scheduled_time"] = json!(stamp(start));
    (body, start)
}

async fn cancel(app: &TestApp, agent: &Agent, task_id: &str) -> Answer {
    app.post(
        &format!("/api/v1/tasks/{task_id}/cancel"),
        Some(&agent.key),
        &json!({}),
    )
    .await
}

async fn ledger_kinds(app: &TestApp, agent: &Agent) -> Vec<String> {
    app.get("/api/v1/ledger", Some(&agent.key)).await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Agent with 8,000 CNY, the launch task assigned to Liu through an accepted
/// invitation: (agent, host, task id, session id, scheduled start).
async fn assigned_launch(app: &TestApp) -> (Agent, Host, String, String, DateTime<Utc>) {
    let agent = app.agent("Glow Labs").await;
    let liu = app.host(&seed_host(1, "Skincare Expert Liu")).await;
    let (body, start) = launch_starting_in(Duration::hours(2));
    let task = app.task(&agent, &body).await;
    let id = task["id"].as_str().unwrap().to_string();
    let session = task["sessions"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.deposit(&agent, "8000.00", "CNY").await.status,
        StatusCode::CREATED
    );
    let inv = app
        .post(
            &format!("/api/v1/tasks/{id}/invitations"),
            Some(&agent.key),
            &json!({"human_id": liu.id}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.body);
    let acc = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&liu.key),
            &json!({}),
        )
        .await;
    assert_eq!(acc.status, StatusCode::OK, "{}", acc.body);
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("3000"), d("5000"), d("0"))
    );
    (agent, liu, id, session, start)
}

#[tokio::test]
async fn a_task_whose_host_started_but_never_submitted_can_be_cancelled_once_late() {
    let app = spawn_app().await;
    let (agent, liu, id, session, start) = assigned_launch(&app).await;

    let started = app
        .post(
            &format!("/api/v1/sessions/{session}/start"),
            Some(&liu.key),
            &json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);

    // While the session is live: refused, pointing at the way out.
    let live = cancel(&app, &agent, &id).await;
    assert_eq!(live.status, StatusCode::CONFLICT, "{}", live.body);
    assert_eq!(live.code(), "invalid_state");
    let message = live.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("session {session} is live")),
        "{message}"
    );
    assert!(
        message.contains(&format!("POST /api/v1/sessions/{session}/end")),
        "{message}"
    );

    let ended = app
        .post(
            &format!("/api/v1/sessions/{session}/end"),
            Some(&agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);

    // The host may still submit: until 48 hours after the session's scheduled
    // end (start + 3 hours), which is later than the task's deadline.
    let cancellable_from = start + Duration::hours(3) + Duration::hours(48);
    let early = cancel(&app, &agent, &id).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(early.code(), "invalid_state");
    let message = early.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("in_progress"), "{message}");
    assert!(
        message.contains(&format!("possible from {}", stamp(cancellable_from))),
        "{message}"
    );
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("3000"), d("5000"), d("0"))
    );

    // A minute before the window opens: still refused.
    let to_window = cancellable_from - app.app.now();
    app.app.advance_clock(to_window - Duration::minutes(1));
    let almost = cancel(&app, &agent, &id).await;
    assert_eq!(almost.status, StatusCode::CONFLICT, "{}", almost.body);
    assert_eq!(almost.code(), "invalid_state");

    app.app.advance_clock(Duration::minutes(2));
    let cancelled = cancel(&app, &agent, &id).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(app.wallet(&agent, "CNY").await, (d("8000"), d("0"), d("0")));
    assert_eq!(
        ledger_kinds(&app, &agent).await,
        ["escrow_refund", "escrow_hold", "deposit"]
    );
    let earnings = app.get("/api/v1/earnings", Some(&liu.key)).await;
    assert_eq!(earnings.status, StatusCode::OK, "{}", earnings.body);
    assert_eq!(
        earnings.body["balances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| dec(&b["pending"]))
            .sum::<Decimal>(),
        d("0")
    );

    // Once cancelled, nothing can be submitted or approved.
    let late = app
        .post(
            &format!("/api/v1/tasks/{id}/submission"),
            Some(&liu.key),
            &json!({"recording_url": "https://videos.example/late.mp4",
                "gmv_report": {"total_gmv": 1000, "orders": 3, "currency": "CNY"}}),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert_eq!(late.code(), "invalid_state");
    let approve = app
        .post(
            &format!("/api/v1/tasks/{id}/approve"),
            Some(&agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(approve.status, StatusCode::CONFLICT, "{}", approve.body);
    assert_eq!(approve.code(), "invalid_state");
    let again = cancel(&app, &agent, &id).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(app.wallet(&agent, "CNY").await, (d("8000"), d("0"), d("0")));
    app.assert_ledger_invariant(&agent, Some(&liu), "CNY").await;
}

#[tokio::test]
async fn a_task_whose_host_never_started_can_be_cancelled_once_late() {
    let app = spawn_app().await;
    let (agent, liu, id, session, start) = assigned_launch(&app).await;

    // The session's time has come and gone without a start: the host may have
    // gone live on TikTok alone and may still submit, so the agent waits for
    // the same window.
    app.app
        .advance_clock(start - app.app.now() + Duration::hours(4));
    let early = cancel(&app, &agent, &id).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(early.code(), "invalid_state");
    let cancellable_from = start + Duration::hours(51);
    let message = early.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("assigned"), "{message}");
    assert!(
        message.contains(&format!("possible from {}", stamp(cancellable_from))),
        "{message}"
    );
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("3000"), d("5000"), d("0"))
    );

    app.app
        .advance_clock(cancellable_from - app.app.now() + Duration::seconds(1));
    let cancelled = cancel(&app, &agent, &id).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(app.wallet(&agent, "CNY").await, (d("8000"), d("0"), d("0")));
    let start_late = app
        .post(
            &format!("/api/v1/sessions/{session}/start"),
            Some(&liu.key),
            &json!({}),
        )
        .await;
    assert_eq!(
        start_late.status,
        StatusCode::CONFLICT,
        "{}",
        start_late.body
    );
    app.assert_ledger_invariant(&agent, Some(&liu), "CNY").await;
}
