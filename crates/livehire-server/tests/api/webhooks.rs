//! Webhooks: a receiver on 127.0.0.1 gets the caller's events, signed as
//! Standard Webhooks says, retried after failures, in order, exactly once
//! across a restart of the server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::harness::*;
use crate::live::assigned_task;

/// One request the receiver got, and what it answered.
#[derive(Debug, Clone)]
struct Hit {
    id: String,
    timestamp: String,
    signature: String,
    body: Vec<u8>,
    answered: u16,
}

#[derive(Clone, Default)]
struct Receiver {
    hits: Arc<Mutex<Vec<Hit>>>,
    /// Requests to fail with 500 before answering 200.
    fail_first: usize,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    let h = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let mut hits = r.hits.lock().unwrap();
    let code = if hits.len() < r.fail_first {
        AxumStatus::INTERNAL_SERVER_ERROR
    } else {
        AxumStatus::OK
    };
    hits.push(Hit {
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp"),
        signature: h("webhook-signature"),
        body: body.to_vec(),
        answered: code.as_u16(),
    });
    code
}

/// Starts a receiver; returns its URL.
async fn receiver(r: Receiver) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(r);
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/hook")
}

/// Verifies a Standard Webhooks signature, written from the specification:
/// HMAC-SHA256 over `{id}.{timestamp}.{body}` keyed by the base64-decoded
/// part of `whsec_…`, base64, after `v1,` (one of space-separated values).
fn signature_ok(secret: &str, hit: &Hit) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(hit.id.as_bytes());
    mac.update(b".");
    mac.update(hit.timestamp.as_bytes());
    mac.update(b".");
    mac.update(&hit.body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    hit.signature
        .split(' ')
        .any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn fast(s: &mut livehire_server::Settings) {
    s.webhooks_allow_private_urls = true;
    s.webhook_retry_delays = vec![Duration::from_millis(300); 7];
}

#[tokio::test]
async fn deliveries_are_signed_retried_in_order_and_made_once_across_a_restart() {
    let app = spawn_app_with(fast).await;
    let rx = Receiver {
        fail_first: 2,
        ..Receiver::default()
    };
    let url = receiver(rx.clone()).await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let task_id = lt.task["id"].as_str().unwrap().to_string();

    let made = app
        .post(
            "/api/v1/webhooks",
            Some(&lt.agent.key),
            &json!({"url": url, "events": ["message.created"]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let secret = made.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let hook = made.body["id"].as_str().unwrap().to_string();
    assert_eq!(made.body["status"], "enabled");
    assert_eq!(made.body["events"], json!(["message.created"]));

    for text in ["first", "second", "third"] {
        let m = app
            .post(
                &format!("/api/v1/tasks/{task_id}/messages"),
                Some(&lt.agent.key),
                &json!({"text": text}),
            )
            .await;
        assert_eq!(m.status, StatusCode::CREATED, "{}", m.body);
    }

    // The first attempt fails; the server goes down and another starts on
    // the same database, which carries on from the rows.
    wait_for("the first attempt", || !rx.hits.lock().unwrap().is_empty()).await;
    app.app.stop_webhook_deliveries();
    let app2 = app.restarted().await;
    let delivered = |hits: &[Hit]| hits.iter().filter(|h| h.answered == 200).count();
    wait_for("three deliveries", || {
        delivered(&rx.hits.lock().unwrap()) == 3
    })
    .await;
    // Nothing more arrives: each event was delivered once.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let hits = rx.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 5, "{hits:#?}");
    assert_eq!(
        hits.iter().map(|h| h.answered).collect::<Vec<_>>(),
        [500, 500, 200, 200, 200]
    );
    // The first event is retried under the same id before the others go.
    assert_eq!(hits[0].id, hits[1].id);
    assert_eq!(hits[1].id, hits[2].id);
    let ids: Vec<&str> = hits[2..].iter().map(|h| h.id.as_str()).collect();
    assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);

    let now = chrono::Utc::now().timestamp();
    let mut texts = Vec::new();
    let mut event_ids = Vec::new();
    for h in &hits {
        assert!(signature_ok(&secret, h), "bad signature: {h:?}");
        let ts: i64 = h.timestamp.parse().expect("epoch seconds");
        assert!((now - ts).abs() < 120, "{ts}");
        let body: Value = serde_json::from_slice(&h.body).unwrap();
        assert_eq!(body["type"], "message.created");
        assert!(body["timestamp"].is_string());
        assert_eq!(body["data"]["task_id"], task_id.as_str());
        if h.answered == 200 {
            texts.push(body["data"]["data"]["text"].as_str().unwrap().to_string());
            event_ids.push(body["data"]["id"].as_i64().unwrap());
        }
    }
    assert_eq!(texts, ["first", "second", "third"]);
    assert!(event_ids.windows(2).all(|w| w[0] < w[1]), "{event_ids:?}");

    // The delivery log, from the restarted server: newest first.
    let log = app2
        .get(
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            Some(&lt.agent.key),
        )
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let data = log.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3, "{}", log.body);
    assert!(data.iter().all(|d| d["status"] == "delivered"));
    let oldest = &data[2];
    assert_eq!(oldest["id"], hits[0].id.as_str());
    assert_eq!(oldest["attempts"], 3);
    assert_eq!(oldest["last_response_code"], 200);
    assert_eq!(oldest["next_attempt_at"], Value::Null);
    let codes: Vec<i64> = oldest["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["response_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 200]);
    assert_eq!(oldest["attempt_log"][0]["error"], "answered 500");
    assert_eq!(data[0]["attempts"], 1);

    // Redelivered by hand: the same id once more.
    let newest = data[0]["id"].as_str().unwrap().to_string();
    let again = app2
        .post(
            &format!("/api/v1/webhooks/{hook}/deliveries/{newest}/redeliver"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["status"], "pending");
    wait_for("the redelivery", || rx.hits.lock().unwrap().len() == 6).await;
    let last = rx.hits.lock().unwrap()[5].clone();
    assert_eq!(last.id, newest);
    assert!(signature_ok(&secret, &last));

    // The endpoint as listed: no secret; another account cannot see it.
    let list = app2.get("/api/v1/webhooks", Some(&lt.agent.key)).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert!(list.body[0].get("secret").is_none(), "{}", list.body);
    let other = app2.agent("Someone else").await;
    let peek = app2
        .get(&format!("/api/v1/webhooks/{hook}"), Some(&other.key))
        .await;
    assert_eq!(peek.status, StatusCode::NOT_FOUND);
    let gone = app2
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/webhooks/{hook}"),
            Some(&lt.agent.key),
            None,
            Vec::<u8>::new(),
            &[],
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    let after = app2
        .get(&format!("/api/v1/webhooks/{hook}"), Some(&lt.agent.key))
        .await;
    assert_eq!(after.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_endpoint_gets_only_its_owner_s_events_of_the_types_it_chose() {
    let app = spawn_app_with(fast).await;
    let rx = Receiver::default();
    let url = receiver(rx.clone()).await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let task_id = lt.task["id"].as_str().unwrap().to_string();
    // The host subscribes to everything; a stranger's endpoint gets nothing.
    let host_hook = app
        .post("/api/v1/webhooks", Some(&lt.host.key), &json!({"url": url}))
        .await;
    assert_eq!(host_hook.status, StatusCode::CREATED, "{}", host_hook.body);
    assert_eq!(host_hook.body["events"], json!(["*"]));
    let stranger = app.agent("Stranger").await;
    let s = app
        .post(
            "/api/v1/webhooks",
            Some(&stranger.key),
            &json!({"url": url, "events": ["*"]}),
        )
        .await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.body);
    app.post(
        &format!("/api/v1/tasks/{task_id}/messages"),
        Some(&lt.agent.key),
        &json!({"text": "hello"}),
    )
    .await;
    wait_for("a delivery", || !rx.hits.lock().unwrap().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hits = rx.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 1, "{hits:#?}");
    let secret = host_hook.body["secret"].as_str().unwrap();
    assert!(signature_ok(secret, &hits[0]));
}

#[tokio::test]
async fn bad_endpoints_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let agent = app.agent("Hooks").await;
    let a = app
        .post(
            "/api/v1/webhooks",
            Some(&agent.key),
            &json!({"url": "https://hooks.example.com/x", "events": ["task.assigned", "task.exploded"]}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(a.paths(), ["events[1]"]);
    assert!(a.body.to_string().contains("task.exploded"), "{}", a.body);
    // Without the setting, private and plain-http URLs are refused.
    for url in [
        "http://127.0.0.1:9/x",
        "https://127.0.0.1/x",
        "https://localhost/x",
        "not a url",
    ] {
        let a = app
            .post("/api/v1/webhooks", Some(&agent.key), &json!({"url": url}))
            .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            a.body
        );
        assert_eq!(a.paths(), ["url"], "{url}");
    }
    let ok = app
        .post(
            "/api/v1/webhooks",
            Some(&agent.key),
            &json!({"url": "https://hooks.example.com/x"}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let id = ok.body["id"].as_str().unwrap();
    let missing = app
        .post(
            &format!("/api/v1/webhooks/{id}/deliveries/msg_nothing/redeliver"),
            Some(&agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
}

#[tokio::test]
async fn an_endpoint_failing_for_days_is_disabled_with_its_reason() {
    let app = spawn_app_with(fast).await;
    let rx = Receiver {
        fail_first: usize::MAX,
        ..Receiver::default()
    };
    let url = receiver(rx.clone()).await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let task_id = lt.task["id"].as_str().unwrap().to_string();
    let made = app
        .post(
            "/api/v1/webhooks",
            Some(&lt.agent.key),
            &json!({"url": url}),
        )
        .await;
    let hook = made.body["id"].as_str().unwrap().to_string();
    for text in ["one", "two"] {
        app.post(
            &format!("/api/v1/tasks/{task_id}/messages"),
            Some(&lt.agent.key),
            &json!({"text": text}),
        )
        .await;
    }
    wait_for("the first attempt", || !rx.hits.lock().unwrap().is_empty()).await;
    // The receiver has answered; the server records the failure just after.
    let mut failing = None;
    for _ in 0..100 {
        let a = app
            .get(&format!("/api/v1/webhooks/{hook}"), Some(&lt.agent.key))
            .await;
        if a.body["failing_since"].is_string() {
            failing = Some(a);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let failing = failing.expect("the failed attempt is recorded within 5 s");
    assert_eq!(failing.body["status"], "enabled");
    // Five days on, the next failure disables it.
    app.app.advance_clock(chrono::Duration::days(6));
    let view = |a: &Answer| a.body["status"] == "disabled";
    let mut disabled = None;
    for _ in 0..100 {
        let a = app
            .get(&format!("/api/v1/webhooks/{hook}"), Some(&lt.agent.key))
            .await;
        if view(&a) {
            disabled = Some(a);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let disabled = disabled.expect("disabled");
    let reason = disabled.body["disabled_reason"].as_str().unwrap();
    assert!(
        reason.contains("5 days") && reason.contains("500"),
        "{reason}"
    );
    let log = app
        .get(
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            Some(&lt.agent.key),
        )
        .await;
    let data = log.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "{}", log.body);
    assert!(data.iter().all(|d| d["status"] == "failed"), "{}", log.body);
    // The second event was never sent: it waited behind the first.
    assert_eq!(data[0]["attempts"], 0);
    let hits = rx.hits.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.hits.lock().unwrap().len(), hits, "no more attempts");
    let id = data[1]["id"].as_str().unwrap();
    let again = app
        .post(
            &format!("/api/v1/webhooks/{hook}/deliveries/{id}/redeliver"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.code(), "webhook_disabled");
}

/// Two servers over one database, only the second delivering: an endpoint
/// registered on the first gets the events written on the second within a
/// second, and one deleted on the first gets nothing more from the second.
#[tokio::test]
async fn an_endpoint_made_or_deleted_on_one_server_holds_on_another_within_a_second() {
    let a = spawn_app_with(fast).await;
    let b = a.restarted().await;
    a.app.stop_webhook_deliveries();
    let rx = Receiver::default();
    let url = receiver(rx.clone()).await;
    let lt = assigned_task(&a, "task_workflow1_launch.json").await;
    let task_id = lt.task["id"].as_str().unwrap().to_string();
    let texts = |rx: &Receiver| -> Vec<String> {
        rx.hits
            .lock()
            .unwrap()
            .iter()
            .filter_map(|h| serde_json::from_slice::<Value>(&h.body).ok())
            .filter_map(|b| b["data"]["data"]["text"].as_str().map(str::to_string))
            .collect()
    };
    let say = |text: &'static str| {
        let (b, key, task_id) = (&b, lt.agent.key.clone(), task_id.clone());
        async move {
            let m = b
                .post(
                    &format!("/api/v1/tasks/{task_id}/messages"),
                    Some(&key),
                    &json!({"text": text}),
                )
                .await;
            assert_eq!(m.status, StatusCode::CREATED, "{}", m.body);
        }
    };

    let made = a
        .post(
            "/api/v1/webhooks",
            Some(&lt.agent.key),
            &json!({"url": url, "events": ["message.created"]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let hook = made.body["id"].as_str().unwrap().to_string();
    say("after the endpoint was made").await;
    let deadline = std::time::Instant::now() + Duration::from_millis(1_500);
    while texts(&rx).is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(texts(&rx), ["after the endpoint was made"]);

    let gone = a
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/webhooks/{hook}"),
            Some(&lt.agent.key),
            None,
            Vec::<u8>::new(),
            &[],
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    say("after the endpoint was deleted").await;
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert_eq!(
        texts(&rx),
        ["after the endpoint was made"],
        "nothing more after the deletion"
    );
}
