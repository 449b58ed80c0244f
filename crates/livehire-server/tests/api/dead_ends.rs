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
/// A seed profile under another name, with a handle of its own (a handle
/// belongs to one host).
fn seed_host(index: usize, name: &str) -> Value {
    let mut p = livehire_sim::hosts::seed_hosts()[index].clone();
    let o = p.as_object_mut().unwrap();
    o.remove("human_id");
    o.insert("name".into(), json!(name));
    let handle: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    o.insert("tiktok_handle".into(), json!(format!("@{handle}")));
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
    let liu = app
        .verified_host(&seed_host(1, "Skincare Expert Liu"))
        .await;
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

#[tokio::test]
async fn hosts_see_their_invitations_and_their_offer_on_the_task() {
    let app = spawn_app().await;
    let agent = app.agent("Glow Labs").await;
    let liu = app
        .verified_host(&seed_host(1, "Skincare Expert Liu"))
        .await;
    let chen = app.verified_host(&seed_host(0, "Live Queen Chen")).await;
    let outsider = app
        .verified_host(&seed_host(1, "Another skincare host"))
        .await;
    let launch = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let step3 = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let (launch_id, step3_id) = (
        launch["id"].as_str().unwrap(),
        step3["id"].as_str().unwrap(),
    );
    let mut sent = Vec::new();
    for id in [launch_id, step3_id] {
        let inv = app
            .post(
                &format!("/api/v1/tasks/{id}/invitations"),
                Some(&agent.key),
                &json!({"human_id": liu.id}),
            )
            .await;
        assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.body);
        sent.push(inv.body);
    }

    let mine = app.get("/api/v1/me/invitations", Some(&liu.key)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["next_cursor"], Value::Null);
    let data = mine.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{}", mine.body);
    // Newest first.
    assert_eq!(
        data[0],
        json!({
            "id": sent[1]["id"],
            "task_id": step3_id,
            "title": "Live shopping session: Beauty products flash sale",
            "compensation": data[0]["compensation"],
            "currency": "CNY",
            "scheduled_time": "2036-03-15T19:00:00.000Z",
            "status": "pending",
            "task_status": "open",
            "sent_at": sent[1]["created_at"],
        })
    );
    assert_eq!(dec(&data[0]["compensation"]), d("1500"));
    assert_eq!(data[1]["task_id"], launch_id);
    assert_eq!(
        data[1]["title"],
        "LIVE PREMIERE: New skincare line exclusive launch event"
    );
    assert_eq!(dec(&data[1]["compensation"]), d("5000"));
    assert_eq!(data[1]["scheduled_time"], "2036-03-25T19:00:00.000Z");

    // A page at a time.
    let first = app
        .get("/api/v1/me/invitations?limit=1", Some(&liu.key))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(first.body["data"][0]["task_id"], step3_id);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(
            &format!("/api/v1/me/invitations?limit=1&cursor={cursor}"),
            Some(&liu.key),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(second.body["data"][0]["task_id"], launch_id);
    assert_eq!(second.body["next_cursor"], Value::Null);
    let bad = app
        .get("/api/v1/me/invitations?limit=0", Some(&liu.key))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.paths(), ["limit"]);

    // Agents have no invitations of their own; other hosts have none.
    let as_agent = app.get("/api/v1/me/invitations", Some(&agent.key)).await;
    assert_eq!(as_agent.status, StatusCode::FORBIDDEN, "{}", as_agent.body);
    assert_eq!(as_agent.code(), "forbidden");
    let none = app.get("/api/v1/me/invitations", Some(&outsider.key)).await;
    assert_eq!(none.body, json!({"data": [], "next_cursor": null}));
    let anonymous = app.get("/api/v1/me/invitations", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // The task view shows an invited host its invitation...
    let view = app
        .get(&format!("/api/v1/tasks/{launch_id}"), Some(&liu.key))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let offer = &view.body["your_offer"];
    assert_eq!(offer["id"], sent[0]["id"]);
    assert_eq!(offer["kind"], "invitation");
    assert_eq!(offer["status"], "pending");
    assert_eq!(offer["human_id"], liu.id.as_str());
    assert_eq!(offer["created_at"], sent[0]["created_at"]);
    // ...an applicant its application...
    let applied = app
        .post(
            &format!("/api/v1/tasks/{step3_id}/applications"),
            Some(&chen.key),
            &json!({"pitch": "85K average GMV.", "proposed_compensation": 2000}),
        )
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    let view = app
        .get(&format!("/api/v1/tasks/{step3_id}"), Some(&chen.key))
        .await;
    assert_eq!(view.body["your_offer"]["kind"], "application");
    assert_eq!(view.body["your_offer"]["status"], "pending");
    assert_eq!(
        dec(&view.body["your_offer"]["proposed_compensation"]),
        d("2000")
    );
    // ...and nobody else anything.
    let view = app
        .get(&format!("/api/v1/tasks/{launch_id}"), Some(&outsider.key))
        .await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.body.get("your_offer"), None);
    let view = app
        .get(&format!("/api/v1/tasks/{launch_id}"), Some(&agent.key))
        .await;
    assert_eq!(view.body.get("your_offer"), None);

    // Accepted, the invitation says so; on a cancelled task it is withdrawn.
    app.deposit(&agent, "5000", "CNY").await;
    let acc = app
        .post(
            &format!("/api/v1/tasks/{launch_id}/accept"),
            Some(&liu.key),
            &json!({}),
        )
        .await;
    assert_eq!(acc.status, StatusCode::OK, "{}", acc.body);
    assert_eq!(acc.body["your_offer"]["status"], "accepted");
    let gone = app
        .post(
            &format!("/api/v1/tasks/{step3_id}/cancel"),
            Some(&agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    let mine = app.get("/api/v1/me/invitations", Some(&liu.key)).await;
    let statuses: Vec<(&str, &str)> = mine.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["status"].as_str().unwrap(),
                i["task_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [("withdrawn", "cancelled"), ("accepted", "assigned")]
    );
    // An invited host can still read a task that is no longer open.
    let view = app
        .get(&format!("/api/v1/tasks/{step3_id}"), Some(&liu.key))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    assert_eq!(view.body["your_offer"]["status"], "withdrawn");
}

#[tokio::test]
async fn an_applicant_can_be_assigned_at_the_compensation_they_proposed() {
    let app = spawn_app().await;
    let agent = app.agent("Beauty brand").await;
    let chen = app.verified_host(&seed_host(0, "Live Queen Chen")).await;
    let liu = app
        .verified_host(&seed_host(1, "Skincare Expert Liu"))
        .await;
    let task = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let t = |p: &str| format!("/api/v1/tasks/{id}/{p}");
    app.deposit(&agent, "20000", "CNY").await;
    let applied = app
        .post(
            &t("applications"),
            Some(&chen.key),
            &json!({"pitch": "85K average GMV, beauty specialist.", "proposed_compensation": 2000}),
        )
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    // An invitee proposed nothing: there is nothing to accept.
    app.post(
        &t("invitations"),
        Some(&agent.key),
        &json!({"human_id": liu.id}),
    )
    .await;
    let nothing = app
        .post(
            &t("assign"),
            Some(&agent.key),
            &json!({"human_id": liu.id, "accept_proposed_compensation": true}),
        )
        .await;
    assert_eq!(
        nothing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nothing.body
    );
    assert_eq!(nothing.paths(), ["accept_proposed_compensation"]);
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("20000"), d("0"), d("0"))
    );

    let assigned = app
        .post(
            &t("assign"),
            Some(&agent.key),
            &json!({"human_id": chen.id, "accept_proposed_compensation": true}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(assigned.body["status"], "assigned");
    assert_eq!(dec(&assigned.body["agreed_base_payment"]), d("2000"));
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("18000"), d("2000"), d("0"))
    );
    let pending = app.get("/api/v1/earnings", Some(&chen.key)).await;
    assert_eq!(dec(&pending.body["balances"][0]["pending"]), d("2000"));
    let seen = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&chen.key))
        .await;
    assert_eq!(dec(&seen.body["agreed_base_payment"]), d("2000"));

    let base_of = |payout: &Value| -> Vec<Decimal> {
        payout["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["kind"] == "base")
            .map(|l| dec(&l["amount"]))
            .collect()
    };
    let preview = app
        .get(&t("payout-preview?gmv=127000"), Some(&agent.key))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(base_of(&preview.body), [d("2000")]);
    // 2,000 agreed base + 8% of 127,000 + the 100k tier.
    assert_eq!(dec(&preview.body["total"]), d("14160"));

    let sub = app
        .post(
            &t("submission"),
            Some(&chen.key),
            &json!({"gmv_report": {"total_gmv": 127000, "orders": 800, "currency": "CNY"},
                "viewer_analytics": {"peak_viewers": 4200, "unique_viewers": 11000}}),
        )
        .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);
    let approved = app.post(&t("approve"), Some(&agent.key), &json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(base_of(&approved.body["payout"]), [d("2000")]);
    assert_eq!(dec(&approved.body["payout"]["total"]), d("14160"));
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("5840"), d("0"), d("14160"))
    );
    app.assert_ledger_invariant(&agent, Some(&chen), "CNY")
        .await;
}

#[tokio::test]
async fn a_proposal_the_agent_did_not_accept_changes_no_money() {
    let app = spawn_app().await;
    let agent = app.agent("Beauty brand").await;
    let chen = app.verified_host(&seed_host(0, "Live Queen Chen")).await;
    let task = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    app.deposit(&agent, "20000", "CNY").await;
    app.post(
        &format!("/api/v1/tasks/{id}/applications"),
        Some(&chen.key),
        &json!({"pitch": "Worth more.", "proposed_compensation": 2500}),
    )
    .await;
    let assigned = app
        .post(
            &format!("/api/v1/tasks/{id}/assign"),
            Some(&agent.key),
            &json!({"human_id": chen.id, "accept_proposed_compensation": false}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(dec(&assigned.body["agreed_base_payment"]), d("1500"));
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("18500"), d("1500"), d("0"))
    );
    let preview = app
        .get(
            &format!("/api/v1/tasks/{id}/payout-preview?gmv=127000"),
            Some(&agent.key),
        )
        .await;
    assert_eq!(dec(&preview.body["total"]), d("13660"));
    app.assert_ledger_invariant(&agent, Some(&chen), "CNY")
        .await;
}

#[tokio::test]
async fn a_host_accepting_an_unfunded_invitation_is_not_asked_to_pay() {
    let app = spawn_app().await;
    let agent = app.agent("Broke brand").await;
    let liu = app
        .verified_host(&seed_host(1, "Skincare Expert Liu"))
        .await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/tasks/{id}/invitations"),
        Some(&agent.key),
        &json!({"human_id": liu.id}),
    )
    .await;

    let accepted = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&liu.key),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::CONFLICT, "{}", accepted.body);
    assert_eq!(accepted.code(), "escrow_unfunded");
    let message = accepted.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("has not funded the escrow"), "{message}");
    let lower = message.to_lowercase();
    for word in ["deposit", "wallet", "5000", "5,000", "short", "cny"] {
        assert!(!lower.contains(word), "{word:?} in {message}");
    }
    assert_eq!(accepted.body["error"]["details"], json!([]));

    // Nothing changed: the task is open, the invitation pending, no money moved.
    let view = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&liu.key))
        .await;
    assert_eq!(view.body["status"], "open");
    assert_eq!(view.body["assigned_human_id"], Value::Null);
    assert_eq!(view.body["your_offer"]["status"], "pending");
    assert_eq!(app.wallet(&agent, "CNY").await, (d("0"), d("0"), d("0")));
    assert_eq!(ledger_kinds(&app, &agent).await, Vec::<String>::new());

    // The agent's own assign still names the shortfall.
    let assign = app
        .post(
            &format!("/api/v1/tasks/{id}/assign"),
            Some(&agent.key),
            &json!({"human_id": liu.id}),
        )
        .await;
    assert_eq!(
        assign.status,
        StatusCode::PAYMENT_REQUIRED,
        "{}",
        assign.body
    );
    assert_eq!(assign.code(), "insufficient_funds");
    assert!(
        assign.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("5000.00 CNY short"),
        "{}",
        assign.body
    );

    // Once the brand funds it, the same invitation is accepted.
    app.deposit(&agent, "5000", "CNY").await;
    let accepted = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&liu.key),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(app.wallet(&agent, "CNY").await, (d("0"), d("5000"), d("0")));
    app.assert_ledger_invariant(&agent, Some(&liu), "CNY").await;
}

/// `POST …/run-of-show` with no body.
async fn propose(app: &TestApp, agent: &Agent, task_id: &str) -> Answer {
    app.send(
        reqwest::Method::POST,
        &format!("/api/v1/tasks/{task_id}/run-of-show"),
        Some(&agent.key),
        None,
        Vec::<u8>::new(),
        &[],
    )
    .await
}

fn all_segments(plan: &Value) -> Vec<Value> {
    plan["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["segments"].as_array().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn a_plan_without_a_live_price_proposes_no_flash_sale() {
    let app = spawn_app().await;
    let agent = app.agent("Smart home brand").await;
    // Workflow 3: three products at their retail price, no discount.
    let task = app.task(&agent, &seed_json("task_workflow3_qa.json")).await;
    let plan = propose(&app, &agent, task["id"].as_str().unwrap()).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let segments = all_segments(&plan.body);
    for s in &segments {
        assert_ne!(s["kind"], "flash_sale", "{s}");
        assert!(
            !s["title"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("flash sale"),
            "{s}"
        );
        if s["kind"] != "spotlight" {
            assert!(
                !s["notes"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("flash sale"),
                "{s}"
            );
        }
    }
    // The same rhythm, as product spotlights that ask for a live price.
    let spotlights: Vec<&Value> = segments
        .iter()
        .filter(|s| s["kind"] == "spotlight")
        .collect();
    assert_eq!(
        spotlights
            .iter()
            .map(|s| s["start_minute"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [20, 50]
    );
    assert_eq!(spotlights[0]["title"], "Spotlight: Smart Speaker");
    assert_eq!(
        spotlights[0]["notes"],
        "5-minute spotlight on Smart Speaker at 299 CNY: recap why it is worth buying and take \
         orders at this price. A flash sale needs a live price: give the product a \
         live_discount_price below its retail_price, or a launch_discount."
    );
    let closing = segments.last().unwrap();
    assert_eq!(closing["kind"], "closing");
    assert_eq!(closing["title"], "Final spotlight, recap & thank-you");

    // One product with a live price: flash sales sell that product only.
    let mut body = seed_json("task_workflow3_qa.json");
    body["live_session_details"]["products"][1]["live_discount_price"] = json!(119);
    let task = app.task(&agent, &body).await;
    let plan = propose(&app, &agent, task["id"].as_str().unwrap()).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let segments = all_segments(&plan.body);
    let flash: Vec<&Value> = segments
        .iter()
        .filter(|s| s["kind"] == "flash_sale")
        .collect();
    assert_eq!(flash.len(), 2, "{}", plan.body);
    for s in &flash {
        assert_eq!(s["product_ids"], json!(["prod_002"]));
        assert_eq!(s["title"], "Flash sale: Smart Light Bulbs (4-pack)");
    }
    assert_eq!(
        flash[0]["notes"],
        "5-minute flash sale on Smart Light Bulbs (4-pack) at 119 CNY live (retail 159): \
         on-screen countdown, limited stock, call out orders as they come in."
    );
    assert_eq!(
        segments.iter().filter(|s| s["kind"] == "spotlight").count(),
        0
    );
    let closing = segments.last().unwrap();
    assert_eq!(closing["title"], "Final flash sale, recap & thank-you");
    assert_eq!(closing["product_ids"], json!(["prod_002"]));
}
