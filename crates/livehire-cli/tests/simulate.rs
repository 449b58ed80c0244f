//! `livehire simulate` against the real server binary: a generated session
//! lands on the server exactly as the generator planned it, and a recording of
//! it replayed into another session gives the same metrics.

use std::process::Command;

use livehire_domain::live::{LiveEvent, SessionAggregator, Window};
use livehire_domain::money::{self, Currency};
use livehire_sim::session::{self as simulation, FAST_FACTOR};
use serde_json::{Value, json};

mod common;
use common::{agent_and_host, call, fixture, start};

/// An agent, a host, and a way to get assigned sessions.
struct Setup {
    c: reqwest::Client,
    base: String,
    key: String,
    hkey: String,
    host_id: Value,
}

impl Setup {
    async fn new(base: &str) -> Setup {
        use reqwest::Method as M;
        let c = reqwest::Client::new();
        let b = base.to_string();
        let (key, hkey, host_id) = agent_and_host(&c, &b, "Simulation brand").await;
        let (status, _) = call(
            &c,
            M::POST,
            format!("{b}/api/v1/wallet/deposits"),
            Some(&key),
            json!({"amount": 100000, "currency": "CNY"}),
        )
        .await;
        assert!((200..300).contains(&status), "deposit: {status}");
        Setup {
            c,
            base: b,
            key,
            hkey,
            host_id,
        }
    }

    /// Posts the seed's launch task, assigns it to the host; its task and session.
    async fn assigned_session(&self) -> (Value, String) {
        use reqwest::Method as M;
        let (b, c) = (&self.base, &self.c);
        let (status, task) = call(
            c,
            M::POST,
            format!("{b}/api/v1/tasks"),
            Some(&self.key),
            fixture("task_workflow1_launch.json"),
        )
        .await;
        assert_eq!(status, 201, "{task}");
        let task_id = task["id"].as_str().unwrap();
        call(
            c,
            M::POST,
            format!("{b}/api/v1/tasks/{task_id}/invitations"),
            Some(&self.key),
            json!({"human_id": self.host_id}),
        )
        .await;
        let (status, accepted) = call(
            c,
            M::POST,
            format!("{b}/api/v1/tasks/{task_id}/accept"),
            Some(&self.hkey),
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{accepted}");
        let session = task["sessions"][0]["id"].as_str().unwrap().to_string();
        (task, session)
    }

    async fn metrics(&self, session: &str) -> Value {
        let (status, m) = call(
            &self.c,
            reqwest::Method::GET,
            format!("{}/api/v1/sessions/{session}/metrics", self.base),
            Some(&self.key),
            Value::Null,
        )
        .await;
        assert_eq!(status, 200, "{m}");
        m
    }
}

/// Runs `livehire simulate …`; its stdout.
async fn simulate(args: Vec<String>) -> String {
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_livehire"))
            .arg("simulate")
            .args(&args)
            .env("LIVEHIRE_LOG", "warn")
            .output()
            .expect("run livehire simulate")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "simulate failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn text(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_session_lands_as_planned_and_replays_identically() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("sim.db").display());
    let server = start(&db).await;
    let setup = Setup::new(&server.base).await;
    let (task, s1) = setup.assigned_session().await;
    let recording = dir.path().join("session.ndjson");

    let stdout = simulate(vec![
        "--base-url".into(),
        server.base.clone(),
        "--key".into(),
        setup.key.clone(),
        "--session".into(),
        s1.clone(),
        "--profile".into(),
        "case-study-1".into(),
        "--minutes".into(),
        "20".into(),
        "--speed".into(),
        "0".into(),
        "--seed".into(),
        "7".into(),
        "--record".into(),
        recording.display().to_string(),
    ])
    .await;

    // The same generator run, here.
    let cny = Currency::parse("CNY").unwrap();
    let sim = simulation::generate(
        simulation::profile("case-study-1").unwrap(),
        &simulation::Options {
            minutes: 20,
            seed: 7,
            currency: cny,
            products: simulation::products_from_task(&task, cny),
        },
    );
    let planned = sim.planned();
    assert!(
        planned.flash_sold_out > 0,
        "the sale sells out: {planned:?}"
    );
    assert!(
        stdout.contains(&format!(
            "{} orders accepted, {} sold out, {} over the per-buyer limit, 0 ended",
            planned.flash_accepted, planned.flash_sold_out, planned.flash_limit_exceeded
        )),
        "{stdout}"
    );
    assert!(stdout.contains(" 0 rejected"), "{stdout}");
    assert!(!stdout.contains("differed from the plan"), "{stdout}");
    assert!(stdout.contains("Server metrics"), "{stdout}");

    // What the server should see: the events at 1 ms per simulated second.
    let mut agg = SessionAggregator::new(cny);
    for e in &sim.events {
        agg.apply(&LiveEvent {
            ts_ms: simulation::compress(e.ts_ms, FAST_FACTOR),
            body: e.body.clone(),
        });
    }
    let expected = agg.metrics(Window {
        start_ms: Some(0),
        end_ms: Some(simulation::compress(sim.duration_ms, FAST_FACTOR)),
        closed: false,
    });
    let m1 = setup.metrics(&s1).await;
    assert_eq!(m1["status"], "ended");
    assert_eq!(m1["unique_viewers"], json!(planned.unique_viewers), "{m1}");
    assert_eq!(m1["orders"], json!(planned.orders));
    assert_eq!(m1["units"], json!(planned.units));
    assert_eq!(m1["buyers"], json!(planned.buyers));
    assert_eq!(
        text(&m1["gmv"]),
        money::from_minor(planned.gmv_minor, cny).to_string()
    );
    assert_eq!(
        m1["peak_concurrent_viewers"],
        json!(expected.peak_concurrent_viewers)
    );
    assert_eq!(
        text(&m1["avg_watch_time_seconds"]),
        expected.avg_watch_time_seconds.to_string()
    );
    assert_eq!(m1["chat_messages"], json!(expected.chat_messages));
    assert_eq!(m1["questions"], json!(expected.questions));
    assert_eq!(m1["likes"], json!(expected.likes));
    assert_eq!(
        m1["flash_sales"].as_array().unwrap().len(),
        sim.flash_sales.len()
    );

    // Replay the recording into a second session.
    let lines = std::fs::read_to_string(&recording).unwrap();
    assert_eq!(
        lines.lines().count() as u64,
        planned.events + planned.flash_accepted,
        "the recording holds every event and every accepted flash-sale order"
    );
    let (_, s2) = setup.assigned_session().await;
    let stdout = simulate(vec![
        "--replay".into(),
        recording.display().to_string(),
        "--as-fast-as-possible".into(),
        "--base-url".into(),
        server.base.clone(),
        "--key".into(),
        setup.key.clone(),
        "--session".into(),
        s2.clone(),
    ])
    .await;
    assert!(stdout.contains(" 0 rejected"), "{stdout}");
    let m2 = setup.metrics(&s2).await;
    for field in [
        "unique_viewers",
        "peak_concurrent_viewers",
        "avg_watch_time_seconds",
        "orders",
        "units",
        "gmv",
        "buyers",
        "conversion_rate",
        "gpm",
        "chat_messages",
        "questions",
        "questions_answered",
        "likes",
        "shares",
        "follows",
        "gifts_value",
        "products",
        "flash_sales",
        "pinned_product",
    ] {
        assert_eq!(m1[field], m2[field], "{field}");
    }
}
