//! Running `livehire serve` as a service: a graceful shutdown with open
//! streams and an order storm, the access log, a metrics scrape, an online
//! backup restored.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prom_text_format_parser::{Scrape, Type, ValueType};
use serde_json::{Value, json};

mod common;
use common::{free_port, live_flash_sale, start_with, stored_orders};

/// The flags of these tests' servers: an admin token, open registration and
/// the given shutdown grace.
fn serve_flags(grace: &'static str) -> Vec<&'static str> {
    vec![
        "--admin-token",
        common::ADMIN_TOKEN,
        "--open-registration",
        "--shutdown-grace",
        grace,
    ]
}

/// Reads a streamed response to its end: everything it sent.
async fn read_to_end(mut resp: reqwest::Response) -> String {
    let mut text = String::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_open_streams_finishes_orders_and_exits_within_the_grace() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("shutdown.db").display());
    let port = free_port();
    let grace = Duration::from_secs(5);
    let mut server = start_with(&db, port, &serve_flags("5s")).await;
    let b = server.base.clone();
    let c = reqwest::Client::new();
    let (key, session, sale) = live_flash_sale(&c, &b, "Shutdown brand", 1_000_000).await;
    let sale_id = sale["id"].as_str().unwrap().to_string();
    let overlay = sale["overlay_url"].as_str().unwrap().to_string();
    let (overlay_path, token) = overlay
        .rsplit_once("?token=")
        .map(|(p, t)| (p.rsplit_once("/overlay/").unwrap().1.to_string(), t))
        .unwrap();

    // 100 open streams: 50 of the session, 50 of the sale's overlay.
    let mut streams = Vec::new();
    for i in 0..100 {
        let url = if i % 2 == 0 {
            format!("{b}/api/v1/sessions/{session}/stream")
        } else {
            format!("{b}/overlay/{overlay_path}/stream?token={token}")
        };
        let resp = c.get(url).bearer_auth(&key).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        streams.push(tokio::spawn(read_to_end(resp)));
    }

    // An order storm, recording every acknowledged order.
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let mut buyers = Vec::new();
    for w in 0..16 {
        let (c, b, key, sale_id, acked) = (
            c.clone(),
            b.clone(),
            key.clone(),
            sale_id.clone(),
            acked.clone(),
        );
        buyers.push(tokio::spawn(async move {
            for i in 0.. {
                let sent = c
                    .post(format!("{b}/api/v1/flash-sales/{sale_id}/orders"))
                    .bearer_auth(&key)
                    .json(&json!({"buyer_id": format!("w{w}-{i}"), "quantity": 1}))
                    .send()
                    .await;
                let Ok(resp) = sent else { return };
                if resp.status() != 201 {
                    return;
                }
                let Ok(order) = resp.json::<Value>().await else {
                    return;
                };
                let id = order["order_id"].as_str().unwrap().to_string();
                acked.lock().unwrap().insert(id);
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;

    let pid = server.child.id().to_string();
    let asked = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            asked.elapsed() < grace,
            "still running {:?} after SIGTERM",
            asked.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "exit status {status:?}");

    for s in streams {
        let text = s.await.unwrap();
        assert!(
            text.ends_with(
                "event: shutdown\nretry: 3000\ndata: {\"reason\":\"the server is shutting down; reconnect with Last-Event-ID to resume\"}\n\n"
            ),
            "a stream ended without the shutdown event: …{}",
            &text[text.len().saturating_sub(300)..]
        );
    }
    for w in buyers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 50, "the storm placed orders: {}", acked.len());

    let server = start_with(&db, port, &serve_flags("5s")).await;
    let stored = stored_orders(&c, &server.base, &key, &sale_id).await;
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(lost.is_empty(), "{} acknowledged orders lost", lost.len());
}

/// Stops a server with SIGTERM and waits for it to exit.
fn terminate(server: &mut common::Server) -> std::process::ExitStatus {
    let pid = server.child.id().to_string();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    server.child.wait().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_logs_one_access_line_with_its_id_and_caller_and_never_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("logs.db").display());
    let log_path = dir.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = common::start_logging(
        &db,
        free_port(),
        &["--log-format", "json"],
        &[("LIVEHIRE_LOG", "info")],
        log.into(),
    )
    .await;
    let c = reqwest::Client::new();
    let b = server.base.clone();
    let (_, agent) = common::call(
        &c,
        reqwest::Method::POST,
        format!("{b}/api/v1/agents/register"),
        None,
        json!({"name": "Logged brand"}),
    )
    .await;
    let key = agent["api_key"].as_str().unwrap();
    let me = c
        .get(format!("{b}/api/v1/tasks/ph_task_nothere"))
        .bearer_auth(key)
        .header("Request-Id", "trace-logs-1")
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 404);
    assert!(terminate(&mut server).success());

    let text = std::fs::read_to_string(&log_path).unwrap();
    assert!(!text.contains(key), "a key reached the log");
    assert!(!text.contains('\u{1b}'), "colour codes in a log file");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let access: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "livehire::access")
        .collect();
    // /healthz (the start-up probe, once or more), the registration, the task.
    let task = access
        .iter()
        .find(|l| l["request_id"] == "trace-logs-1")
        .expect("the task request's line");
    assert_eq!(task["level"], "INFO");
    assert_eq!(task["message"], "request");
    assert_eq!(task["method"], "GET");
    assert_eq!(task["route"], "/api/v1/tasks/{task_id}");
    assert_eq!(task["status"], 404);
    assert_eq!(task["caller"], agent["agent_id"]);
    assert!(task["latency_ms"].as_f64().unwrap() >= 0.0);
    let register: Vec<_> = access
        .iter()
        .filter(|l| l["route"] == "/api/v1/agents/register")
        .collect();
    assert_eq!(register.len(), 1, "one line per request");
    assert_eq!(register[0]["status"], 201);
    assert_eq!(register[0]["caller"], "-");
    // A line logged inside a request carries its id in the span.
    let registered = lines
        .iter()
        .find(|l| l["message"] == "agent registered")
        .expect("the registration's own line");
    assert_eq!(registered["span"]["request_id"], register[0]["request_id"]);
}

/// A scrape of `/metrics`, parsed by a Prometheus text format parser (which
/// refuses a malformed exposition).
async fn scrape(c: &reqwest::Client, base: &str, token: Option<&str>) -> Scrape {
    let mut req = c.get(format!("{base}/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = resp.text().await.unwrap();
    Scrape::parse(&text).unwrap_or_else(|e| panic!("{e:?} in\n{text}"))
}

/// The samples of metric `name` (of type `kind`) whose labels include
/// `labels`, of the given value type (sample, `_sum`, `_count`).
fn samples<'s>(
    scrape: &'s Scrape,
    name: &str,
    kind: Type,
    labels: &[(&str, &str)],
    value_type: ValueType,
) -> Vec<&'s prom_text_format_parser::Sample> {
    let Some(metric) = scrape.metrics.iter().find(|m| m.name == name) else {
        return Vec::new();
    };
    assert_eq!(metric.kind, kind, "{name}");
    assert!(metric.help_desc.is_some(), "{name} has no HELP");
    metric
        .samples
        .iter()
        .filter(|s| {
            s.value.value_type == value_type
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|l| l.key == *k && l.value == *v))
        })
        .collect()
}

/// The one value of metric `name` with `labels`.
fn value(scrape: &Scrape, name: &str, kind: Type, labels: &[(&str, &str)]) -> f64 {
    let found = samples(scrape, name, kind, labels, ValueType::Sample);
    assert_eq!(found.len(), 1, "{name} {labels:?}: {found:?}");
    found[0].value.value.as_f64()
}

/// A histogram's buckets (upper bound, count), its sum and its count.
fn histogram(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> (Vec<(f64, f64)>, f64, f64) {
    let buckets = samples(scrape, name, Type::Histogram, labels, ValueType::Sample)
        .into_iter()
        .map(|s| {
            let le = s.labels.iter().find(|l| l.key == "le").unwrap();
            let bound = if le.value == "+Inf" {
                f64::INFINITY
            } else {
                le.value.parse().unwrap()
            };
            (bound, s.value.value.as_f64())
        })
        .collect();
    let one = |vt| {
        let found = samples(scrape, name, Type::Histogram, labels, vt);
        assert_eq!(found.len(), 1, "{name} {labels:?}");
        found[0].value.value.as_f64()
    };
    (buckets, one(ValueType::Sum), one(ValueType::Count))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_after_traffic_count_requests_orders_events_and_streams() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("metrics.db").display());
    let token = "metrics-token-0123456789";
    let server = start_with(
        &db,
        free_port(),
        &[
            "--admin-token",
            common::ADMIN_TOKEN,
            "--open-registration",
            "--metrics-token",
            token,
        ],
    )
    .await;
    let c = reqwest::Client::new();
    let b = server.base.clone();

    // Without the token: 401.
    let denied = c.get(format!("{b}/metrics")).send().await.unwrap();
    assert_eq!(denied.status(), 401);

    let (key, session, sale) = live_flash_sale(&c, &b, "Metrics brand", 1_000).await;
    let sale_id = sale["id"].as_str().unwrap();
    // A stream open while scraping.
    let stream = c
        .get(format!("{b}/api/v1/sessions/{session}/stream"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    // 25 orders.
    for i in 0..25 {
        let (status, _) = common::call(
            &c,
            reqwest::Method::POST,
            format!("{b}/api/v1/flash-sales/{sale_id}/orders"),
            Some(&key),
            json!({"buyer_id": format!("buyer-{i}"), "quantity": 1}),
        )
        .await;
        assert_eq!(status, 201);
    }
    // Seven events, stamped now, as the agent (verified).
    let now = chrono::Utc::now();
    let events: Vec<Value> = (0..7)
        .map(|i| {
            json!({"type": "viewer_join", "ts": (now - chrono::Duration::milliseconds(100 + i)).to_rfc3339(),
                "viewer_id": format!("v{i}")})
        })
        .collect();
    let (status, ingested) = common::call(
        &c,
        reqwest::Method::POST,
        format!("{b}/api/v1/sessions/{session}/events"),
        Some(&key),
        Value::Array(events),
    )
    .await;
    assert_eq!(status, 200, "{ingested}");
    assert_eq!(ingested["accepted"], 7);

    let m = scrape(&c, &b, Some(token)).await;
    let orders_route = [
        ("method", "POST"),
        ("route", "/api/v1/flash-sales/{flash_sale_id}/orders"),
        ("status", "201"),
    ];
    assert_eq!(
        value(
            &m,
            "livehire_http_requests_total",
            Type::Counter,
            &orders_route
        ),
        25.0
    );
    let (buckets, seconds, count) =
        histogram(&m, "livehire_http_request_duration_seconds", &orders_route);
    assert_eq!(count, 25.0);
    assert!(seconds > 0.0);
    assert_eq!(buckets.last(), Some(&(f64::INFINITY, 25.0)));
    assert!(
        buckets
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
    );
    assert_eq!(
        value(
            &m,
            "livehire_http_requests_total",
            Type::Counter,
            &[
                ("route", "/api/v1/sessions/{session_id}/stream"),
                ("status", "200")
            ]
        ),
        1.0
    );
    assert_eq!(
        value(
            &m,
            "livehire_http_requests_total",
            Type::Counter,
            &[("route", "/metrics"), ("status", "401")]
        ),
        1.0
    );
    assert_eq!(
        value(&m, "livehire_flash_sale_orders_total", Type::Counter, &[]),
        25.0
    );
    let (_, ordered, batches) = histogram(&m, "livehire_flash_sale_order_batch_size", &[]);
    assert_eq!(ordered, 25.0, "the batches hold every order");
    assert!((1.0..=25.0).contains(&batches), "{batches} batches");
    assert_eq!(
        value(
            &m,
            "livehire_live_events_ingested_total",
            Type::Counter,
            &[]
        ),
        7.0
    );
    assert_eq!(value(&m, "livehire_live_sessions", Type::Gauge, &[]), 1.0);
    assert_eq!(value(&m, "livehire_sse_subscribers", Type::Gauge, &[]), 1.0);
    assert_eq!(
        value(&m, "livehire_flash_sale_orders_pending", Type::Gauge, &[]),
        0.0
    );
    assert!(value(&m, "livehire_outbox_backlog", Type::Gauge, &[]) >= 0.0);
    assert_eq!(
        value(
            &m,
            "livehire_db_pool_max_connections",
            Type::Gauge,
            &[("pool", "writer")]
        ),
        1.0
    );
    for state in ["idle", "in_use"] {
        let open = value(
            &m,
            "livehire_db_pool_connections",
            Type::Gauge,
            &[("pool", "reader"), ("state", state)],
        );
        assert!((0.0..=4.0).contains(&open), "{state} {open}");
    }
    assert!(value(&m, "livehire_http_connections", Type::Gauge, &[]) >= 2.0);

    // The stream closed: no subscriber left.
    drop(stream);
    let mut left = f64::NAN;
    for _ in 0..100 {
        let m = scrape(&c, &b, Some(token)).await;
        left = value(&m, "livehire_sse_subscribers", Type::Gauge, &[]);
        if left == 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(left, 0.0);
}

/// Runs `livehire backup --to TO --database-url DB`: its exit status and output.
async fn backup(db: &str, to: &std::path::Path) -> std::process::Output {
    let (db, to) = (db.to_string(), to.to_path_buf());
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_livehire"))
            .args(["backup", "--to"])
            .arg(&to)
            .args(["--database-url", &db])
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_an_order_storm_restores_to_the_same_answers() {
    use reqwest::Method as M;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("live.db");
    let db = format!("sqlite://{}", file.display());
    let port = free_port();
    let mut server = start_with(&db, port, &serve_flags("5s")).await;
    let c = reqwest::Client::new();
    let b = server.base.clone();
    let (key, _session, sale) = live_flash_sale(&c, &b, "Backed-up brand", 100_000).await;
    let sale_id = sale["id"].as_str().unwrap().to_string();
    let (_, tasks) = common::call(
        &c,
        M::GET,
        format!("{b}/api/v1/tasks"),
        Some(&key),
        Value::Null,
    )
    .await;
    let task_id = tasks["data"][0]["id"].as_str().unwrap().to_string();
    let mut before_orders = HashSet::new();
    for i in 0..30 {
        let (status, order) = common::call(
            &c,
            M::POST,
            format!("{b}/api/v1/flash-sales/{sale_id}/orders"),
            Some(&key),
            json!({"buyer_id": format!("early-{i}"), "quantity": 1}),
        )
        .await;
        assert_eq!(status, 201);
        before_orders.insert(order["order_id"].as_str().unwrap().to_string());
    }
    let read = |path: String| {
        let (c, key) = (c.clone(), key.clone());
        async move {
            let (status, v) = common::call(&c, M::GET, path, Some(&key), Value::Null).await;
            assert_eq!(status, 200, "{v}");
            v
        }
    };
    let answers = |base: String| {
        let task_id = task_id.clone();
        let read = &read;
        async move {
            vec![
                read(format!("{base}/api/v1/me")).await,
                read(format!("{base}/api/v1/tasks/{task_id}")).await,
                read(format!("{base}/api/v1/wallet")).await,
                read(format!("{base}/api/v1/ledger")).await,
            ]
        }
    };
    let before = answers(b.clone()).await;

    // An order storm while the backup runs.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut buyers = Vec::new();
    for w in 0..8 {
        let (c, b, key, sale_id, stop) = (
            c.clone(),
            b.clone(),
            key.clone(),
            sale_id.clone(),
            stop.clone(),
        );
        buyers.push(tokio::spawn(async move {
            let mut placed = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (status, _) = common::call(
                    &c,
                    M::POST,
                    format!("{b}/api/v1/flash-sales/{sale_id}/orders"),
                    Some(&key),
                    json!({"buyer_id": format!("storm-{w}-{placed}"), "quantity": 1}),
                )
                .await;
                assert_eq!(status, 201);
                placed += 1;
            }
            placed
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let copy = dir.path().join("backup.db");
    let out = backup(&db, &copy).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("integrity ok"), "{said}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut storm = 0;
    for w in buyers {
        storm += w.await.unwrap();
    }
    assert!(storm > 0);
    // A second backup to the same file is refused; the first stays whole.
    let again = backup(&db, &copy).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists"));
    assert!(terminate(&mut server).success());

    // Restore as the README says: the database and its -wal and -shm files
    // out, the backup in their place.
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    std::fs::copy(&copy, &file).unwrap();
    let restored = start_with(&db, port, &serve_flags("5s")).await;
    assert_eq!(answers(restored.base.clone()).await, before);
    // The snapshot is consistent: every order acknowledged before it began
    // is there, what it sold is what it stored, and no unit is lost.
    let stored = stored_orders(&c, &restored.base, &key, &sale_id).await;
    assert!(before_orders.is_subset(&stored));
    assert!(stored.len() <= before_orders.len() + storm);
    let state = read(format!("{}/api/v1/flash-sales/{sale_id}", restored.base)).await;
    assert_eq!(state["sold"].as_u64().unwrap() as usize, stored.len());
    assert_eq!(
        state["sold"].as_i64().unwrap() + state["remaining"].as_i64().unwrap(),
        100_000
    );
}

#[tokio::test]
async fn backup_refuses_a_postgresql_url_and_serve_an_unknown_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("backup.db");
    // No server is needed: the URL's scheme is refused before any connection.
    let out = backup("postgres://livehire:secret@127.0.0.1:1/livehire", &to).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SQLite") && err.contains("pg_dump"), "{err}");
    assert!(!to.exists());

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_livehire"))
        .args([
            "seed",
            "--hosts",
            "1",
            "--database-url",
            "mysql://u:secret@h/db",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sqlite://") && err.contains("postgres://") && !err.contains("secret"),
        "{err}"
    );
}
