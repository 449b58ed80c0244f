//! Shared by the binary's integration tests: start the real `livehire` on a
//! free port over a given database, and talk JSON to it.

#![allow(dead_code)] // each test binary uses its own subset

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running `livehire serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The operator's admin token of the servers these tests start.
pub const ADMIN_TOKEN: &str = "cli-test-admin-token-0123456789";

/// The rate limits of the servers these tests start.
pub const TEST_RATE_LIMITS: &str = "registration=1000000/s,auth_failures=1000000/s,search=1000000/s,ingest=1000000/s,orders=1000000/s,checkout=1000000/s,other=1000000/s";

/// Starts the binary on `port` over `db` and waits for `/healthz`; it has an
/// admin token ([`ADMIN_TOKEN`]) and keeps registration open.
pub async fn start_on(db: &str, port: u16) -> Server {
    start_with(
        db,
        port,
        &["--admin-token", ADMIN_TOKEN, "--open-registration"],
    )
    .await
}

/// Starts `livehire serve` on `port` over `db` with `extra` arguments and
/// waits for `/healthz`.
pub async fn start_with(db: &str, port: u16, extra: &[&str]) -> Server {
    start_logging(db, port, extra, &[("LIVEHIRE_LOG", "warn")], Stdio::null()).await
}

/// Starts `livehire serve` on `port` over `db` with `extra` arguments and
/// environment `env`, its log (stderr) going to `log`, and waits for `/healthz`.
pub async fn start_logging(
    db: &str,
    port: u16,
    extra: &[&str],
    env: &[(&str, &str)],
    log: Stdio,
) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_livehire"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            db,
        ])
        // Limits far above what a test sends (still checked); a test of the
        // limits passes its own after these.
        .args(["--rate-limit", TEST_RATE_LIMITS])
        .args(extra)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("spawn livehire");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if client
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not come up");
}

/// Starts the binary on a free port over `db`.
pub async fn start(db: &str) -> Server {
    start_on(db, free_port()).await
}

/// One JSON request: status and body (Null when the body is not JSON).
pub async fn call(
    c: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    key: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut r = c.request(method, url).json(&body);
    if let Some(k) = key {
        r = r.bearer_auth(k);
    }
    let resp = r.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A seed fixture of the server's tests, its 2026 dates moved ten years ahead.
pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../livehire-server/tests/fixtures/seed/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(
        &std::fs::read_to_string(path)
            .unwrap()
            .replace("\"2026-", "\"2036-"),
    )
    .unwrap()
}

/// Registers an agent named `name` and the seed's second host (with the skills
/// and niches its demo profile adds), whose shop the operator then verifies:
/// (agent key, host key, host id).
pub async fn agent_and_host(
    c: &reqwest::Client,
    base: &str,
    name: &str,
) -> (String, String, Value) {
    use reqwest::Method as M;
    let (_, agent) = call(
        c,
        M::POST,
        format!("{base}/api/v1/agents/register"),
        None,
        json!({"name": name}),
    )
    .await;
    let key = agent["api_key"].as_str().unwrap().to_string();
    let mut profile = livehire_sim::hosts::seed_hosts()[1].clone();
    profile.as_object_mut().unwrap().remove("human_id");
    let (_, host) = call(
        c,
        M::POST,
        format!("{base}/api/v1/humans/register"),
        None,
        profile,
    )
    .await;
    let hkey = host["api_key"].as_str().unwrap().to_string();
    let (status, verified) = call(
        c,
        M::POST,
        format!(
            "{base}/api/v1/admin/humans/{}/verification",
            host["human_id"].as_str().unwrap()
        ),
        Some(ADMIN_TOKEN),
        json!({"tiktok_shop_verified": true}),
    )
    .await;
    assert_eq!(status, 200, "{verified}");
    (key, hkey, host["human_id"].clone())
}

/// A live session with a running flash sale of `stock` units, set up through
/// the API of the server at `base`: (agent key, session id, the sale as created).
pub async fn live_flash_sale(
    c: &reqwest::Client,
    base: &str,
    name: &str,
    stock: i64,
) -> (String, String, Value) {
    use reqwest::Method as M;
    let (key, hkey, host_id) = agent_and_host(c, base, name).await;
    let (status, task) = call(
        c,
        M::POST,
        format!("{base}/api/v1/tasks"),
        Some(&key),
        fixture("task_workflow1_launch.json"),
    )
    .await;
    assert_eq!(status, 201, "{task}");
    let task_id = task["id"].as_str().unwrap();
    let session = task["sessions"][0]["id"].as_str().unwrap().to_string();
    for (path, k, body) in [
        (
            "/api/v1/wallet/deposits".to_string(),
            &key,
            json!({"amount": 10000, "currency": "CNY"}),
        ),
        (
            format!("/api/v1/tasks/{task_id}/invitations"),
            &key,
            json!({"human_id": host_id}),
        ),
        (format!("/api/v1/tasks/{task_id}/accept"), &hkey, json!({})),
        (
            format!("/api/v1/sessions/{session}/start"),
            &hkey,
            json!({}),
        ),
    ] {
        let (status, v) = call(c, M::POST, format!("{base}{path}"), Some(k), body).await;
        assert!(status < 300, "{path}: {status} {v}");
    }
    let (status, sale) = call(
        c,
        M::POST,
        format!("{base}/api/v1/sessions/{session}/flash-sales"),
        Some(&key),
        json!({"product_id": "prod_001", "price": 139.3, "stock": stock, "duration_minutes": 30}),
    )
    .await;
    assert_eq!(status, 201, "{sale}");
    (key, session, sale)
}

/// Every order of a flash sale, read page by page: order ids.
pub async fn stored_orders(
    c: &reqwest::Client,
    base: &str,
    key: &str,
    sale_id: &str,
) -> std::collections::HashSet<String> {
    let mut stored = std::collections::HashSet::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = call(
            c,
            reqwest::Method::GET,
            format!("{base}/api/v1/flash-sales/{sale_id}/orders?limit=1000{cursor}"),
            Some(key),
            Value::Null,
        )
        .await;
        assert_eq!(status, 200, "{page}");
        for o in page["data"].as_array().unwrap() {
            assert!(stored.insert(o["order_id"].as_str().unwrap().to_string()));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return stored,
        }
    }
}
