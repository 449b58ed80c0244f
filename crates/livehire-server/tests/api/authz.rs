//! The authorization matrix (SPEC §1): every keyed endpoint under `/api/v1`,
//! called as each of five callers, with the status and error code each must get.
//!
//! - missing or unknown key → 401 `unauthorized`;
//! - a valid key that may not see the resource → 404 `not_found` (another
//!   tenant's task is indistinguishable from no task);
//! - may see it but not act → 403 `forbidden`.
//!
//! The callers are the task's owning agent, another agent, the task's host (the
//! invited host while the task is `open`, the assigned host after that),
//! another host (registered, eligible, never involved in the task) and no key
//! (also tried with a key the server never issued).
//!
//! Every cell of a task row runs on its own fresh task in the state the row's
//! action needs, so a cell checks identity and not state: approve,
//! request-revision and GET submission run on a `submitted` task (the owner
//! approving an assigned task would get 409 `invalid_state`), rate on an
//! `approved` one, submission, cancel and session start on an `assigned` one,
//! session end, events, metrics, the stream and new flash sales on a live
//! session, and invite, apply, assign and accept on an `open` task with the host
//! invited. An `open` task is visible to every host (they browse and apply to
//! it), so on those rows the other host gets 403 for agent-only actions, not
//! 404; once a task is assigned it disappears for uninvolved hosts (404).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

/// The state a row's task is put in before each of the row's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fixture {
    /// No task: account-level routes.
    NoTask,
    /// `open`, the host invited (pending).
    Open,
    /// `assigned` to the host (it accepted the invitation).
    Assigned,
    /// The host submitted results.
    Submitted,
    /// Approved and paid.
    Approved,
    /// Assigned, and its session started by the agent.
    Live,
    /// A live session with a running flash sale (prod_001, 10 units, 5 minutes).
    Sale,
}

use Fixture::*;

const GET: &str = "GET";
const POST: &str = "POST";
const PATCH: &str = "PATCH";
const DELETE: &str = "DELETE";

/// One row: method, path, body (`""` = none), fixture, and the expected status
/// for [owner agent, other agent, task's host, other host, no key].
/// `{task}`, `{session}` and `{sale}` are the fixture's task, its (first)
/// session and its flash sale; `{host}` is the host's id and `{other_host}` the
/// other host's, in the path and in the body.
type Row = (&'static str, &'static str, &'static str, Fixture, [u16; 5]);

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    // method path                                              body                                              fixture    [owner, other agent, host, other host, no key]
    (GET,   "/api/v1/me",                                       "",                                               NoTask,    [200, 200, 200, 200, 401]),
    // Invitations belong to hosts; the invited host's list holds this task's.
    (GET,   "/api/v1/me/invitations",                           "",                                               Open,      [403, 403, 200, 200, 401]),
    (GET,   "/api/v1/humans?skills=live_streaming",             "",                                               NoTask,    [200, 200, 200, 200, 401]),
    // for_task is a query parameter of a search, so a task that is not the
    // caller's is a bad value (422 naming for_task, the same answer as for an
    // id that does not exist); matching is an agent tool (403 for hosts).
    (GET,   "/api/v1/humans?for_task={task}",                   "",                                               Assigned,  [200, 422, 403, 403, 401]),
    (GET,   "/api/v1/humans/{host}",                            "",                                               NoTask,    [200, 200, 200, 200, 401]),
    (PATCH, "/api/v1/humans/{host}",                            r#"{"bio": "Skincare live every Friday."}"#,      NoTask,    [403, 403, 200, 403, 401]),
    // Only the operator's admin token verifies a host (none is configured
    // here); an API key, even the host's own, is refused.
    (POST,  "/api/v1/admin/humans/{host}/verification",         r#"{"tiktok_shop_verified": true}"#,             NoTask,    [403, 403, 403, 403, 401]),
    (POST,  "/api/v1/tasks",                                    "SEED_TASK",                                      NoTask,    [201, 201, 403, 403, 401]),
    (GET,   "/api/v1/tasks",                                    "",                                               NoTask,    [200, 200, 200, 200, 401]),
    (GET,   "/api/v1/tasks/{task}",                             "",                                               Assigned,  [200, 404, 200, 404, 401]),
    (POST,  "/api/v1/tasks/{task}/cancel",                      "{}",                                             Assigned,  [200, 404, 403, 404, 401]),
    (POST,  "/api/v1/tasks/{task}/messages",                    r#"{"text": "Samples ship Monday."}"#,            Assigned,  [201, 404, 201, 404, 401]),
    (GET,   "/api/v1/tasks/{task}/messages",                    "",                                               Assigned,  [200, 404, 200, 404, 401]),
    (POST,  "/api/v1/tasks/{task}/invitations",                 r#"{"human_id": "{other_host}"}"#,                Open,      [201, 404, 403, 403, 401]),
    (GET,   "/api/v1/tasks/{task}/invitations",                 "",                                               Assigned,  [200, 404, 403, 404, 401]),
    (POST,  "/api/v1/tasks/{task}/applications",                r#"{"pitch": "Skincare specialist."}"#,           Open,      [403, 404, 201, 201, 401]),
    (GET,   "/api/v1/tasks/{task}/applications",                "",                                               Assigned,  [200, 404, 403, 404, 401]),
    (POST,  "/api/v1/tasks/{task}/assign",                      r#"{"human_id": "{host}"}"#,                      Open,      [200, 404, 403, 403, 401]),
    // The other host sees the open task but has no invitation on it.
    (POST,  "/api/v1/tasks/{task}/accept",                      "{}",                                             Open,      [403, 404, 200, 403, 401]),
    (POST,  "/api/v1/tasks/{task}/submission",                  "SUBMISSION",                                     Assigned,  [403, 404, 201, 404, 401]),
    (GET,   "/api/v1/tasks/{task}/submission",                  "",                                               Submitted, [200, 404, 200, 404, 401]),
    (POST,  "/api/v1/tasks/{task}/request-revision",            r#"{"reason": "GMV excludes the bundles"}"#,      Submitted, [200, 404, 403, 404, 401]),
    (POST,  "/api/v1/tasks/{task}/approve",                     "{}",                                             Submitted, [200, 404, 403, 404, 401]),
    (GET,   "/api/v1/tasks/{task}/payout-preview?gmv=127000",   "",                                               Assigned,  [200, 404, 200, 404, 401]),
    (POST,  "/api/v1/tasks/{task}/rate",                        r#"{"overall_rating": 5}"#,                       Approved,  [200, 404, 403, 404, 401]),
    (POST,  "/api/v1/tasks/{task}/run-of-show",                 "",                                               Assigned,  [200, 404, 403, 404, 401]),
    (GET,   "/api/v1/tasks/{task}/run-of-show",                 "",                                               Assigned,  [200, 404, 200, 404, 401]),
    (GET,   "/api/v1/sessions/{session}",                       "",                                               Assigned,  [200, 404, 200, 404, 401]),
    (POST,  "/api/v1/sessions/{session}/start",                 "",                                               Assigned,  [200, 404, 200, 404, 401]),
    (POST,  "/api/v1/sessions/{session}/end",                   "",                                               Live,      [200, 404, 200, 404, 401]),
    (POST,  "/api/v1/sessions/{session}/events",                r#"[{"type": "viewer_join", "ts": "{now}", "viewer_id": "v1"}]"#, Live, [200, 404, 200, 404, 401]),
    (GET,   "/api/v1/sessions/{session}/metrics",               "",                                               Live,      [200, 404, 200, 404, 401]),
    (GET,   "/api/v1/sessions/{session}/stream",                "",                                               Live,      [200, 404, 200, 404, 401]),
    (POST,  "/api/v1/sessions/{session}/flash-sales",           r#"{"product_id": "prod_002", "price": 99, "stock": 5, "duration_minutes": 5}"#, Live, [201, 404, 201, 404, 401]),
    (POST,  "/api/v1/sessions/{session}/checkout-keys",         "",                                               Live,      [201, 404, 403, 404, 401]),
    (POST,  "/api/v1/sessions/{session}/ingest-keys",           "",                                               Live,      [201, 404, 403, 404, 401]),
    (POST,  "/api/v1/sessions/{session}/import",                r#"[{"type": "viewer_join", "ts": "{now}", "viewer_id": "v1"}]"#, Assigned, [200, 404, 403, 404, 401]),
    (GET,   "/api/v1/flash-sales/{sale}",                       "",                                               Sale,      [200, 404, 200, 404, 401]),
    // The other host cannot see the sale (GET is 404), so it may not learn
    // that it exists by ordering either.
    (POST,  "/api/v1/flash-sales/{sale}/orders",                r#"{"buyer_id": "viewer_1", "quantity": 1}"#,     Sale,      [201, 404, 403, 404, 401]),
    (GET,   "/api/v1/flash-sales/{sale}/orders",                "",                                               Sale,      [200, 404, 403, 404, 401]),
    (GET,   "/api/v1/sessions/{session}/report",                "",                                               Live,      [200, 404, 200, 404, 401]),
    (GET,   "/api/v1/sessions/{session}/report.svg",            "",                                               Live,      [200, 404, 200, 404, 401]),
    (GET,   "/api/v1/sessions/{session}/report.html",           "",                                               Live,      [200, 404, 200, 404, 401]),
    (GET,   "/api/v1/tasks/{task}/report",                      "",                                               Assigned,  [200, 404, 200, 404, 401]),
    (GET,   "/api/v1/tasks/{task}/report.html",                 "",                                               Assigned,  [200, 404, 200, 404, 401]),
    (POST,  "/api/v1/wallet/deposits",                          r#"{"amount": 100.00, "currency": "CNY"}"#,       NoTask,    [201, 201, 403, 403, 401]),
    (GET,   "/api/v1/wallet",                                   "",                                               NoTask,    [200, 200, 403, 403, 401]),
    (GET,   "/api/v1/earnings",                                 "",                                               NoTask,    [403, 403, 200, 200, 401]),
    (GET,   "/api/v1/ledger",                                   "",                                               NoTask,    [200, 200, 200, 200, 401]),
    (GET,   "/api/v1/events",                                   "",                                               NoTask,    [200, 200, 200, 200, 401]),
    // A fresh shop id per call (`{now}` differs), so no cell meets another's
    // connection; the order webhook is signed by the shop, not keyed, so it is
    // not in this matrix (tests/api/tiktok_shop.rs covers it).
    (POST,  "/api/v1/integrations/tiktok-shop",                 r#"{"shop_id": "matrix-{now}", "app_key": "k", "app_secret": "s"}"#, NoTask, [201, 201, 403, 403, 401]),
    (GET,   "/api/v1/integrations/tiktok-shop",                 "",                                               NoTask,    [200, 200, 403, 403, 401]),
    // Webhooks: account-level, for agents and hosts; `{webhook_id}` is the
    // owner's (another caller's looks like none), deleted by the last row.
    (POST,  "/api/v1/webhooks",                                 r#"{"url": "https://hooks.invalid/x"}"#,          NoTask,    [201, 201, 201, 201, 401]),
    (GET,   "/api/v1/webhooks",                                 "",                                               NoTask,    [200, 200, 200, 200, 401]),
    (GET,   "/api/v1/webhooks/{webhook_id}",                    "",                                               NoTask,    [200, 404, 404, 404, 401]),
    (GET,   "/api/v1/webhooks/{webhook_id}/deliveries",         "",                                               NoTask,    [200, 404, 404, 404, 401]),
    (POST,  "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", "",                             NoTask,    [200, 404, 404, 404, 401]),
    (DELETE, "/api/v1/webhooks/{webhook_id}",                   "",                                               NoTask,    [204, 404, 404, 404, 401]),
    // Last: it replaces every caller's key (checked below).
    (POST,  "/api/v1/me/keys/rotate",                           "",                                               NoTask,    [200, 200, 200, 200, 401]),
];

const CALLERS: [&str; 5] = ["owner", "other agent", "host", "other host", "no key"];

/// The error code every refusal status must carry.
fn code_for(status: u16) -> &'static str {
    match status {
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "invalid_state",
        422 => "validation_failed",
        _ => "",
    }
}

/// The seed's Skincare Expert Liu, eligible for the Workflow 1 launch task
/// (once the operator verified its shop), registered under another name and
/// handle.
fn eligible_host(name: &str, handle: &str) -> Value {
    let mut p = livehire_sim::hosts::seed_hosts()[1].clone();
    let o = p.as_object_mut().unwrap();
    o.remove("human_id");
    o.insert("name".into(), json!(name));
    o.insert("tiktok_handle".into(), json!(handle));
    p
}

fn submission_body() -> Value {
    json!({
        "recording_url": "https://videos.example/launch.mp4",
        "gmv_report": {"total_gmv": 20000, "orders": 150, "currency": "CNY"},
        "viewer_analytics": {"peak_viewers": 1800, "unique_viewers": 6000}
    })
}

/// What a fixture made: the ids its row's path and body refer to.
#[derive(Default)]
struct Made {
    task: Option<String>,
    session: Option<String>,
    sale: Option<String>,
}

struct World {
    owner: Agent,
    other_agent: Agent,
    host: Host,
    other_host: Host,
    /// The owner's webhook endpoint and one of its deliveries.
    webhook: String,
    delivery: String,
}

impl World {
    async fn new(app: &TestApp) -> World {
        let owner = app.agent("Glow Labs").await;
        let other_agent = app.agent("Rival brand").await;
        let host = app
            .verified_host(&eligible_host("Skincare Expert Liu", "@skincareliu"))
            .await;
        let other_host = app
            .verified_host(&eligible_host("Serum Specialist Wang", "@serumwang"))
            .await;
        let d = app
            .post(
                "/api/v1/wallet/deposits",
                Some(&owner.key),
                &json!({"amount": 100000000, "currency": "CNY"}),
            )
            .await;
        assert_eq!(d.status, StatusCode::CREATED, "{}", d.body);
        // A webhook of the owner's (to a name that never resolves), and an
        // invitation so that it has a delivery.
        let hook = app
            .post(
                "/api/v1/webhooks",
                Some(&owner.key),
                &json!({"url": "https://hooks.invalid/matrix"}),
            )
            .await;
        assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.body);
        let webhook = hook.body["id"].as_str().unwrap().to_string();
        let task = app
            .task(&owner, &seed_json("task_workflow1_launch.json"))
            .await;
        let invited = app
            .post(
                &format!("/api/v1/tasks/{}/invitations", task["id"].as_str().unwrap()),
                Some(&owner.key),
                &json!({"human_id": host.id}),
            )
            .await;
        assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
        let mut delivery = None;
        for _ in 0..200 {
            let page = app
                .get(
                    &format!("/api/v1/webhooks/{webhook}/deliveries"),
                    Some(&owner.key),
                )
                .await;
            if let Some(id) = page.body["data"][0]["id"].as_str() {
                delivery = Some(id.to_string());
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        World {
            owner,
            other_agent,
            host,
            other_host,
            webhook,
            delivery: delivery.expect("a delivery of the owner's webhook"),
        }
    }

    fn key(&self, caller: usize) -> Option<&str> {
        match caller {
            0 => Some(&self.owner.key),
            1 => Some(&self.other_agent.key),
            2 => Some(&self.host.key),
            3 => Some(&self.other_host.key),
            _ => None,
        }
    }

    /// A Workflow 1 task (3 products, 3 hours) in the fixture's state, with a
    /// proposed run of show.
    async fn make(&self, app: &TestApp, fixture: Fixture) -> Made {
        if fixture == NoTask {
            return Made::default();
        }
        let task = app
            .task(&self.owner, &seed_json("task_workflow1_launch.json"))
            .await;
        let id = task["id"].as_str().unwrap().to_string();
        let session = task["sessions"][0]["id"].as_str().unwrap().to_string();
        let t = |p: &str| format!("/api/v1/tasks/{id}/{p}");
        let expect = |a: Answer, status: StatusCode, what: &str| -> Value {
            assert_eq!(a.status, status, "fixture {fixture:?}, {what}: {}", a.body);
            a.body
        };
        let owner = Some(self.owner.key.as_str());
        let host = Some(self.host.key.as_str());
        expect(
            app.post(&t("run-of-show"), owner, &json!({})).await,
            StatusCode::OK,
            "run of show",
        );
        let invite = json!({"human_id": self.host.id});
        expect(
            app.post(&t("invitations"), owner, &invite).await,
            StatusCode::CREATED,
            "invite",
        );
        let mut made = Made {
            task: Some(id.clone()),
            session: Some(session.clone()),
            sale: None,
        };
        if fixture == Open {
            return made;
        }
        expect(
            app.post(&t("accept"), host, &json!({})).await,
            StatusCode::OK,
            "accept",
        );
        match fixture {
            Assigned => {}
            Submitted | Approved => {
                expect(
                    app.post(&t("submission"), host, &submission_body()).await,
                    StatusCode::CREATED,
                    "submit",
                );
                if fixture == Approved {
                    expect(
                        app.post(&t("approve"), owner, &json!({})).await,
                        StatusCode::OK,
                        "approve",
                    );
                }
            }
            Live | Sale => {
                let s = |p: &str| format!("/api/v1/sessions/{session}/{p}");
                expect(
                    app.post(&s("start"), owner, &json!({})).await,
                    StatusCode::OK,
                    "start",
                );
                if fixture == Sale {
                    let sale = json!({"product_id": "prod_001", "price": 99,
                        "stock": 10, "duration_minutes": 5});
                    let body = expect(
                        app.post(&s("flash-sales"), owner, &sale).await,
                        StatusCode::CREATED,
                        "flash sale",
                    );
                    made.sale = Some(body["id"].as_str().unwrap().to_string());
                }
            }
            NoTask | Open => unreachable!(),
        }
        made
    }
}

fn fill(template: &str, made: &Made, w: &World) -> String {
    template
        .replace("{task}", made.task.as_deref().unwrap_or("ph_task_none"))
        .replace(
            "{session}",
            made.session.as_deref().unwrap_or("ph_sess_none"),
        )
        .replace("{sale}", made.sale.as_deref().unwrap_or("ph_fs_none"))
        .replace("{other_host}", &w.other_host.id)
        .replace("{webhook_id}", &w.webhook)
        .replace("{delivery_id}", &w.delivery)
        .replace("{host}", &w.host.id)
        .replace("{now}", &chrono::Utc::now().to_rfc3339())
}

/// One call: the status, the error code, and the body for messages. An event
/// stream is not read (it does not end); its status is what counts.
async fn call(
    app: &TestApp,
    method: &Method,
    path: &str,
    key: Option<&str>,
    body: &str,
) -> (u16, String, String) {
    let mut req = app.client.request(method.clone(), app.url(path));
    if let Some(k) = key {
        req = req.bearer_auth(k);
    }
    if !body.is_empty() {
        req = req
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let is_stream = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if is_stream {
        return (status, String::new(), "<event stream>".into());
    }
    let text = tokio::time::timeout(std::time::Duration::from_secs(20), resp.text())
        .await
        .expect("body within 20 s")
        .unwrap_or_default();
    let code = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
        .unwrap_or_default();
    (status, code, text)
}

#[tokio::test]
async fn every_keyed_endpoint_answers_each_caller_as_spec_section_1_says() {
    let app = spawn_app().await;
    let w = World::new(&app).await;
    let mut failures = Vec::new();
    let mut table = Vec::new();

    for (method, path_template, body_template, fixture, expected) in MATRIX {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut got = [0u16; 5];
        let mut shown_path = String::new();
        for c in 0..5 {
            // No key, and a key the server never issued: both 401.
            let keys: Vec<(Option<&str>, &str)> = if c == 4 {
                vec![
                    (None, ""),
                    (
                        Some("ph_sk_0000000000000000000000unknown"),
                        " (unknown key)",
                    ),
                ]
            } else {
                vec![(w.key(c), "")]
            };
            for (key, note) in keys {
                // A fresh task in the row's state for every call.
                let made = w.make(&app, *fixture).await;
                let path = fill(path_template, &made, &w);
                let body = match *body_template {
                    "SEED_TASK" => seed_fixture("task_workflow1_launch.json"),
                    "SUBMISSION" => submission_body().to_string(),
                    b => fill(b, &made, &w),
                };
                let (status, code, text) = call(&app, &method, &path, key, &body).await;
                got[c] = status;
                let want = expected[c];
                if status != want || (want >= 400 && code != code_for(want)) {
                    failures.push(format!(
                        "{method} {path} as {}{note}: expected {want} {}, got {status} {text}",
                        CALLERS[c],
                        code_for(want),
                    ));
                }
                shown_path = path_template.to_string();
            }
        }
        let fixture = format!("{fixture:?}");
        table.push(format!(
            "{:<6} {shown_path:<52} {fixture:<10} {got:?}",
            method.as_str()
        ));
    }

    // The rotation row replaced every key: the old ones are refused now.
    for (c, who) in CALLERS.iter().enumerate().take(4) {
        let a = app.get("/api/v1/me", w.key(c)).await;
        if a.status != StatusCode::UNAUTHORIZED || a.code() != "unauthorized" {
            failures.push(format!(
                "GET /api/v1/me with {who}'s rotated-out key: expected 401, got {} {}",
                a.status, a.body
            ));
        }
    }

    println!("{:<59} {:<10} {CALLERS:?}", "route", "fixture");
    for line in &table {
        println!("{line}");
    }
    assert!(
        failures.is_empty(),
        "{} cells differ from the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The matrix above covers every keyed route the server documents.
#[tokio::test]
async fn the_matrix_covers_every_keyed_route() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let mut keyed = std::collections::BTreeSet::new();
    for (path, item) in doc.body["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // Keyed: an API key or the admin token. TikTok Shop's webhook
            // signature is the shop's, not a caller's key.
            let keyed_op = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.get("bearer").is_some() || r.get("admin_token").is_some())
            });
            if keyed_op {
                keyed.insert((
                    method.to_uppercase(),
                    path.replace("{task_id}", "{task}")
                        .replace("{human_id}", "{host}")
                        .replace("{session_id}", "{session}")
                        .replace("{flash_sale_id}", "{sale}"),
                ));
            }
        }
    }
    let covered: std::collections::BTreeSet<_> = MATRIX
        .iter()
        .map(|(m, p, ..)| (m.to_string(), p.split('?').next().unwrap().to_string()))
        .collect();
    let missing: Vec<_> = keyed.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "keyed routes missing from the matrix: {missing:?}"
    );
}

/// Another agent's task answers exactly like a task that does not exist.
#[tokio::test]
async fn another_tenants_task_is_indistinguishable_from_a_missing_one() {
    let app = spawn_app().await;
    let owner = app.agent("Owner").await;
    let other = app.agent("Other").await;
    let task = app
        .task(&owner, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let missing = "ph_task_doesnotexist0000000000";
    for suffix in [
        "",
        "/messages",
        "/submission",
        "/run-of-show",
        "/applications",
    ] {
        let theirs = app
            .get(&format!("/api/v1/tasks/{id}{suffix}"), Some(&other.key))
            .await;
        let none = app
            .get(
                &format!("/api/v1/tasks/{missing}{suffix}"),
                Some(&other.key),
            )
            .await;
        assert_eq!(
            theirs.status,
            StatusCode::NOT_FOUND,
            "{suffix}: {}",
            theirs.body
        );
        assert_eq!(
            none.status,
            StatusCode::NOT_FOUND,
            "{suffix}: {}",
            none.body
        );
        let text = |a: &Answer, tid: &str| a.envelope().to_string().replace(tid, "<id>");
        assert_eq!(text(&theirs, id), text(&none, missing), "{suffix}");
    }
    // Matching against another tenant's task: the same 422 as for no task.
    let theirs = app
        .get(&format!("/api/v1/humans?for_task={id}"), Some(&other.key))
        .await;
    let none = app
        .get(
            &format!("/api/v1/humans?for_task={missing}"),
            Some(&other.key),
        )
        .await;
    assert_eq!(
        theirs.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        theirs.body
    );
    assert_eq!(theirs.paths(), ["for_task"]);
    assert_eq!(
        theirs.envelope().to_string().replace(id, "<id>"),
        none.envelope().to_string().replace(missing, "<id>")
    );
}

/// A checkout key (`ph_ck_…`) places orders in its own session's flash sales
/// and is no key anywhere else.
#[tokio::test]
async fn a_checkout_key_orders_only_in_its_own_session() {
    let app = spawn_app().await;
    let w = World::new(&app).await;
    let one = w.make(&app, Sale).await;
    let two = w.make(&app, Sale).await;
    let (s1, sale1) = (one.session.unwrap(), one.sale.unwrap());
    let sale2 = two.sale.unwrap();
    let minted = app
        .post(
            &format!("/api/v1/sessions/{s1}/checkout-keys"),
            Some(&w.owner.key),
            &json!({}),
        )
        .await;
    assert_eq!(minted.status, StatusCode::CREATED, "{}", minted.body);
    let ck = minted.body["api_key"].as_str().unwrap();
    assert!(ck.starts_with("ph_ck_"), "{ck}");
    let order = json!({"buyer_id": "viewer_9", "quantity": 1});

    let mine = app
        .post(
            &format!("/api/v1/flash-sales/{sale1}/orders"),
            Some(ck),
            &order,
        )
        .await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.body);
    let other = app
        .post(
            &format!("/api/v1/flash-sales/{sale2}/orders"),
            Some(ck),
            &order,
        )
        .await;
    assert_eq!(
        (other.status, other.code()),
        (StatusCode::NOT_FOUND, "not_found"),
        "{}",
        other.body
    );
    for path in [
        "/api/v1/me".to_string(),
        format!("/api/v1/flash-sales/{sale1}"),
        format!("/api/v1/flash-sales/{sale1}/orders"),
        format!("/api/v1/sessions/{s1}"),
    ] {
        let a = app.get(&path, Some(ck)).await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{path}: {}",
            a.body
        );
    }
}

/// Session-scoped keys and the operator's token are not parties to a task
/// (docs/access.md): each opens one door, and every other keyed route of the
/// router answers it 401 like a key it does not know.
#[tokio::test]
async fn checkout_and_ingest_keys_and_the_admin_token_open_only_their_own_door() {
    const ADMIN: &str = "operator-token-0123456789abcdef";
    let app = spawn_app().await;
    app.app.set_admin_token(ADMIN);
    let w = World::new(&app).await;
    let mut failures = Vec::new();
    let mut doors = Vec::new();
    for (method, path_template, body_template, fixture, _) in MATRIX {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        for kind in ["checkout", "ingest", "admin"] {
            // Keys for the row's own session where it has one (else for a
            // fresh live session), so a door is tried with the right key.
            let made = w.make(&app, *fixture).await;
            let session = match &made.session {
                Some(s) => s.clone(),
                None => w.make(&app, Live).await.session.unwrap(),
            };
            let key = match kind {
                "admin" => ADMIN.to_string(),
                k => {
                    let minted = app
                        .post(
                            &format!("/api/v1/sessions/{session}/{k}-keys"),
                            Some(&w.owner.key),
                            &json!({}),
                        )
                        .await;
                    assert_eq!(minted.status, StatusCode::CREATED, "{}", minted.body);
                    minted.body["api_key"].as_str().unwrap().to_string()
                }
            };
            let path = fill(path_template, &made, &w);
            let body = match *body_template {
                "SEED_TASK" => seed_fixture("task_workflow1_launch.json"),
                "SUBMISSION" => submission_body().to_string(),
                b => fill(b, &made, &w),
            };
            let door = match kind {
                "checkout" => {
                    method == Method::POST
                        && path.starts_with("/api/v1/flash-sales/")
                        && path.ends_with("/orders")
                }
                "ingest" => method == Method::POST && path.ends_with("/events"),
                _ => path.starts_with("/api/v1/admin/"),
            };
            let (status, code, text) = call(&app, &method, &path, Some(&key), &body).await;
            if door {
                doors.push(format!("{kind}: {method} {path_template}"));
            }
            let ok = if door {
                (200..300).contains(&status)
            } else {
                status == 401 && code == "unauthorized"
            };
            if !ok {
                failures.push(format!(
                    "{method} {path} with the {kind} key: expected {}, got {status} {text}",
                    if door { "2xx" } else { "401" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Each kind met its own door once (orders, events, host verification).
    assert_eq!(doors.len(), 3, "{doors:?}");
}
