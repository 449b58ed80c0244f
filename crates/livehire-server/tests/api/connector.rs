//! `?format=tiktok-live-connector`: what the TikTok LIVE connector libraries
//! emit, posted as a seller's tool or the bridge posts it. The events are the
//! ones the pinned libraries emitted for the room of issue 15, captured by
//! `bridges/tiktok-live/fixtures/generate.js` into the domain's fixtures.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;
use crate::live::{LiveTask, assigned_task, ndjson, start_at, travel};

/// The fixtures' room starts at T0 (2033-05-18T03:33:20Z); its stream ends
/// at T0 + 15 s.
const T0: i64 = 2_000_000_000_000;

/// A fixture's events as `{event, data}` lines (the `step` label left out).
fn fixture(text: &str) -> Vec<Value> {
    let file: Value = serde_json::from_str(text).unwrap();
    file["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!({"event": e["event"], "data": e["data"]}))
        .collect()
}

/// What tiktok-live-connector 2.x emitted (`TikTokLiveConnection`).
pub fn emitted_by_2x() -> Vec<Value> {
    fixture(include_str!(
        "../../../livehire-domain/src/live/fixtures/v2.json"
    ))
}

/// What tiktok-live-connector 1.x emitted (`WebcastPushConnection`).
pub fn emitted_by_1x() -> Vec<Value> {
    fixture(include_str!(
        "../../../livehire-domain/src/live/fixtures/v1.json"
    ))
}

/// What the Python TikTokLive library emitted, each event as
/// `{"event": get_type(), "data": to_dict()}`.
pub fn emitted_by_python() -> Vec<Value> {
    fixture(include_str!(
        "../../../livehire-domain/src/live/fixtures/python.json"
    ))
}

/// The agent's ingest key for session `s`, as its bridge posts with.
pub async fn ingest_key(app: &TestApp, lt: &LiveTask, s: &str) -> String {
    let k = app
        .post(
            &format!("/api/v1/sessions/{s}/ingest-keys"),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(k.status, StatusCode::CREATED, "{}", k.body);
    k.body["api_key"].as_str().unwrap().to_string()
}

/// Posts connector events to `s`.
pub async fn post(app: &TestApp, key: &str, s: &str, events: &[Value]) -> Answer {
    let a = ndjson(app, key, s, events, "?format=tiktok-live-connector").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a
}

pub async fn metrics(app: &TestApp, lt: &LiveTask, s: &str) -> Value {
    let m = app
        .get(
            &format!("/api/v1/sessions/{s}/metrics"),
            Some(&lt.agent.key),
        )
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    m.body
}

/// Issue 15's figures: 812 concurrent viewers (the room's count), 2 unique
/// viewers (2 joins), 2 chats, 1 question, 21 likes (15 + 6, not the room's
/// running total), 1 follow, 1 share, 33 diamonds (a finished 3 × 1 Rose
/// streak and a 30-diamond gift).
pub fn assert_issue_15_figures(m: &Value) {
    assert_eq!(m["concurrent_viewers"], 812, "{m}");
    assert_eq!(m["peak_concurrent_viewers"], 812);
    assert_eq!(m["unique_viewers"], 2);
    assert_eq!(m["chat_messages"], 2);
    assert_eq!(m["questions"], 1);
    assert_eq!(m["likes"], 21);
    assert_eq!(m["follows"], 1);
    assert_eq!(m["shares"], 1);
    assert_eq!(m["gifts_value"], 33);
}

/// A session of the launch task that went live a second before T0, its
/// clock at T0 + 16 s (the room's events are all in), and the agent's ingest
/// key.
async fn live_session(app: &TestApp) -> (LiveTask, String, String) {
    let lt = assigned_task(app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    start_at(app, &lt.host.key, &s, T0 - 1_000).await;
    let key = ingest_key(app, &lt, &s).await;
    travel(app, T0 + 16_000);
    (lt, s, key)
}

#[tokio::test]
async fn what_tiktok_live_connector_2_emits_gives_the_exact_figures() {
    let app = spawn_app().await;
    let (lt, s, key) = live_session(&app).await;
    let events = emitted_by_2x();
    assert_eq!(events.len(), 17);
    let a = post(&app, &key, &s, &events).await;
    assert_eq!(a.body["rejected"], json!([]), "{}", a.body);
    // Counted: the room count, 2 joins, 2 chats, the question, 2 likes, the
    // follow, the share and 2 gifts. Not counted: the streak's 3 updates in
    // progress, the control message and the stream end.
    assert_eq!(a.body["accepted"], 12);
    assert_eq!(a.body["duplicates"], 0);
    assert_eq!(a.body["stream_end"], true);
    assert_eq!(a.body["provenance"], "verified");
    assert_issue_15_figures(&metrics(&app, &lt, &s).await);

    // The library replays the room's last seconds when it reconnects.
    let again = post(&app, &key, &s, &events).await;
    assert_eq!(again.body["accepted"], 0, "{}", again.body);
    assert_eq!(again.body["duplicates"], 12);
    assert_issue_15_figures(&metrics(&app, &lt, &s).await);
}

#[tokio::test]
async fn what_tiktok_live_connector_1_emits_gives_the_exact_figures() {
    let app = spawn_app().await;
    let (lt, s, key) = live_session(&app).await;
    let events = emitted_by_1x();
    let a = post(&app, &key, &s, &events).await;
    assert_eq!(a.body["rejected"], json!([]), "{}", a.body);
    // 1.x sends each follow and share twice (`social`, then `follow` /
    // `share`, one message id): counted once.
    assert_eq!(a.body["accepted"], 12);
    assert_eq!(a.body["duplicates"], 2);
    assert_eq!(a.body["stream_end"], true);
    assert_issue_15_figures(&metrics(&app, &lt, &s).await);

    // Sent again: 1.x's question carries no message id, and is recognised by
    // its asker and text; only the room count (a sample, not a counter) is
    // taken again.
    travel(&app, T0 + 17_000);
    let again = post(&app, &key, &s, &events).await;
    assert_eq!(again.body["accepted"], 1, "{}", again.body);
    assert_issue_15_figures(&metrics(&app, &lt, &s).await);
}

#[tokio::test]
async fn what_the_python_tiktoklive_library_emits_gives_the_exact_figures() {
    let app = spawn_app().await;
    let (lt, s, key) = live_session(&app).await;
    let a = post(&app, &key, &s, &emitted_by_python()).await;
    assert_eq!(a.body["rejected"], json!([]), "{}", a.body);
    // FollowEvent and ShareEvent come again as SocialEvent: counted once.
    assert_eq!(a.body["accepted"], 12);
    assert_eq!(a.body["duplicates"], 2);
    assert_eq!(a.body["stream_end"], true);
    assert_issue_15_figures(&metrics(&app, &lt, &s).await);
    assert_eq!(
        session(&app, &lt, &s).await["stream_ended_at"],
        at(T0 + 15_000)
    );
}

/// 2.x's events, with what the test needs changed: a like of `count` from
/// `user` with message id `msg` at `ms`.
fn like_2x(user: &str, msg: &str, count: u64, ms: i64) -> Value {
    let mut like = emitted_by_2x()
        .into_iter()
        .find(|e| e["event"] == "like")
        .unwrap();
    like["data"]["user"]["id"] = json!(user);
    like["data"]["common"]["msgId"] = json!(msg);
    like["data"]["common"]["createTime"] = json!(ms.to_string());
    like["data"]["count"] = json!(count);
    like
}

#[tokio::test]
async fn connector_messages_replayed_after_a_restart_still_count_once() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let lines = vec![
        like_2x("7001", "71", 5, 2_000_000_000_000),
        like_2x("7001", "72", 5, 2_000_000_001_000),
    ];
    start_at(&app, &lt.host.key, &s, 2_000_000_000_000 - 1_000).await;
    travel(&app, 2_000_000_002_000);
    let first = post(&app, &lt.host.key, &s, &lines).await;
    assert_eq!(first.body["accepted"], 2, "{}", first.body);
    assert_eq!(metrics(&app, &lt, &s).await["likes"], 10);

    // After a restart the connector reconnects and sends the same messages again.
    let again = app.restarted().await;
    travel(&again, 2_000_000_002_500);
    let replay = post(&again, &lt.host.key, &s, &lines).await;
    assert_eq!(replay.body["accepted"], 0, "{}", replay.body);
    assert_eq!(replay.body["duplicates"], 2);
    assert_eq!(metrics(&again, &lt, &s).await["likes"], 10);
    // A new message still counts.
    let more = vec![like_2x("7001", "73", 5, 2_000_000_002_000)];
    let third = post(&again, &lt.host.key, &s, &more).await;
    assert_eq!(third.body["accepted"], 1, "{}", third.body);
    assert_eq!(metrics(&again, &lt, &s).await["likes"], 15);
}

#[tokio::test]
async fn unknown_events_are_ignored_and_an_unknown_format_refused() {
    let app = spawn_app().await;
    let (lt, s, key) = live_session(&app).await;
    let chat = emitted_by_2x()
        .into_iter()
        .find(|e| e["event"] == "chat")
        .unwrap();
    let lines = vec![
        chat.clone(),
        json!({"event": "emote", "data": {}}),
        json!({"event": "somethingNew", "data": {}}),
    ];
    let a = post(&app, &key, &s, &lines).await;
    assert_eq!(a.body["accepted"], 1, "{}", a.body);
    assert_eq!(a.body["rejected"], json!([]));
    assert_eq!(metrics(&app, &lt, &s).await["chat_messages"], 1);
    let bad = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/sessions/{s}/events?format=carrier-pigeon"),
            Some(&lt.host.key),
            Some("application/json"),
            "[]",
            &[],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// RFC 3339 as the server writes times.
fn at(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn session(app: &TestApp, lt: &LiveTask, s: &str) -> Value {
    let v = app
        .get(&format!("/api/v1/sessions/{s}"), Some(&lt.agent.key))
        .await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.body);
    v.body
}

/// The server's default grace: five minutes.
const GRACE_MS: i64 = 300_000;

#[tokio::test]
async fn a_stream_end_is_recorded_and_the_session_ends_after_the_grace() {
    let app = spawn_app().await;
    let (lt, s, key) = live_session(&app).await;
    post(&app, &key, &s, &emitted_by_2x()).await;
    // 2.x's controlMessage carries the end's time; its streamEnd none.
    let ended_at = at(T0 + 15_000);
    let v = session(&app, &lt, &s).await;
    assert_eq!(v["status"], "live");
    assert_eq!(v["stream_ended_at"], ended_at);
    assert_eq!(
        v["feed"],
        json!({"source": "ingest_key", "format": "tiktok-live-connector", "last_sent_at": at(T0 + 16_000)})
    );
    let m = metrics(&app, &lt, &s).await;
    assert_eq!(m["stream_ended_at"], ended_at);
    assert_eq!(m["feed"]["source"], "ingest_key");
    assert_issue_15_figures(&m);

    // Within the grace the session stays live.
    travel(&app, T0 + 15_000 + GRACE_MS - 1);
    assert_eq!(app.app.end_streams_past_grace().await.unwrap(), 0);
    assert_eq!(session(&app, &lt, &s).await["status"], "live");

    // Past it, the session ends by itself, at the stream's end (the worker
    // may be first).
    travel(&app, T0 + 15_000 + GRACE_MS);
    app.app.end_streams_past_grace().await.unwrap();
    let v = session(&app, &lt, &s).await;
    assert_eq!(v["status"], "ended");
    assert_eq!(v["ended_at"], ended_at);
    let m = metrics(&app, &lt, &s).await;
    assert_eq!(m["status"], "ended");
    // Nobody watches an ended session; the room's count stays its peak.
    assert_eq!(m["concurrent_viewers"], 0);
    assert_eq!(m["peak_concurrent_viewers"], 812);
    assert_eq!(m["unique_viewers"], 2);
    assert_eq!(m["chat_messages"], 2);
    assert_eq!(m["questions"], 1);
    assert_eq!(m["likes"], 21);
    assert_eq!(m["follows"], 1);
    assert_eq!(m["shares"], 1);
    assert_eq!(m["gifts_value"], 33);
    // Once only.
    assert_eq!(app.app.end_streams_past_grace().await.unwrap(), 0);
    let ended_events = app
        .get("/api/v1/events?limit=100", Some(&lt.agent.key))
        .await;
    let kinds: Vec<&str> = ended_events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["type"].as_str())
        .filter(|k| *k == "session.ended")
        .collect();
    assert_eq!(kinds, ["session.ended"], "{}", ended_events.body);
}

#[tokio::test]
async fn a_host_back_within_the_grace_continues_the_same_session() {
    let app = spawn_app().await;
    let (lt, s, key) = live_session(&app).await;
    post(&app, &key, &s, &emitted_by_2x()).await;
    assert_eq!(
        session(&app, &lt, &s).await["stream_ended_at"],
        at(T0 + 15_000)
    );

    // The host restarts a minute later; the connector reconnects and a like
    // stamped after the end arrives.
    travel(&app, T0 + 75_000);
    post(
        &app,
        &key,
        &s,
        &[like_2x(BO_ID, "7480000000000000201", 4, T0 + 74_000)],
    )
    .await;
    let v = session(&app, &lt, &s).await;
    assert_eq!(v["status"], "live");
    assert_eq!(v["stream_ended_at"], Value::Null);

    // The first end's grace passes: the session goes on.
    travel(&app, T0 + 15_000 + GRACE_MS + 1_000);
    assert_eq!(app.app.end_streams_past_grace().await.unwrap(), 0);
    assert_eq!(session(&app, &lt, &s).await["status"], "live");
    assert_eq!(metrics(&app, &lt, &s).await["likes"], 25);

    // It ends for good later, and the session with it.
    let end = json!({"event": "streamEnd", "data": {"action": 3}});
    let a = post(&app, &key, &s, &[end]).await;
    assert_eq!(a.body["stream_end"], true);
    let ended_at = at(T0 + 15_000 + GRACE_MS + 1_000);
    assert_eq!(session(&app, &lt, &s).await["stream_ended_at"], ended_at);
    travel(&app, T0 + 15_000 + 2 * GRACE_MS + 1_000);
    app.app.end_streams_past_grace().await.unwrap();
    let v = session(&app, &lt, &s).await;
    assert_eq!(v["status"], "ended");
    assert_eq!(v["ended_at"], ended_at);
}

#[tokio::test]
async fn a_1x_stream_end_carries_no_time_and_is_taken_when_received() {
    let app = spawn_app().await;
    let (lt, s, key) = live_session(&app).await;
    post(&app, &key, &s, &emitted_by_1x()).await;
    assert_eq!(
        session(&app, &lt, &s).await["stream_ended_at"],
        at(T0 + 16_000)
    );
}

#[tokio::test]
async fn the_host_posting_its_own_events_is_no_feed() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    start_at(&app, &lt.host.key, &s, T0 - 1_000).await;
    let native = json!([{"type": "viewer_join", "ts": T0, "viewer_id": "v1"}]);
    let a = app
        .post(
            &format!("/api/v1/sessions/{s}/events"),
            Some(&lt.host.key),
            &native,
        )
        .await;
    assert_eq!(a.body["accepted"], 1, "{}", a.body);
    assert_eq!(session(&app, &lt, &s).await["feed"], Value::Null);
    // The host's own connector is one, reported as the host's.
    post(&app, &lt.host.key, &s, &[like_2x(BO_ID, "71", 1, T0)]).await;
    let feed = &session(&app, &lt, &s).await["feed"];
    assert_eq!(feed["source"], "host");
    assert_eq!(feed["format"], "tiktok-live-connector");
}

const BO_ID: &str = "7044640112358049002";
