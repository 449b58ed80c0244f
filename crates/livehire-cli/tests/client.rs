//! The client commands against a real server: each test starts `livehire
//! serve` on a free port, sets up what it needs over HTTP, then runs the
//! `livehire` binary as a subprocess (tokio's, so the runtime keeps serving)
//! and checks what it prints and how it exits.

use std::process::Stdio;
use std::time::Duration;

use reqwest::Method as M;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

mod common;
use common::{Server, call, free_port};

/// What a run of the binary printed and how it exited.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts a zero exit; answers stdout.
    fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "exit {}\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        &self.stdout
    }

    /// stdout as JSON, after a zero exit.
    fn json(&self) -> Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// A `livehire` command, its environment cleared of the client's variables.
fn livehire(args: &[&str]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_livehire"));
    c.args(args)
        .env_remove("LIVEHIRE_URL")
        .env_remove("LIVEHIRE_API_KEY")
        .env("LIVEHIRE_LOG", "warn")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    c
}

/// Runs `livehire ARGS` to its end, with the server `base` and the key
/// in the environment (LIVEHIRE_URL, LIVEHIRE_API_KEY), as a script would
/// keep them.
async fn cli(base: &str, key: Option<&str>, args: &[&str]) -> Run {
    let mut c = livehire(args);
    c.env("LIVEHIRE_URL", base);
    if let Some(k) = key {
        c.env("LIVEHIRE_API_KEY", k);
    }
    let out = tokio::time::timeout(Duration::from_secs(60), c.output())
        .await
        .expect("livehire finished within a minute")
        .expect("run livehire");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A database path in `dir`.
fn db_in(dir: &tempfile::TempDir, name: &str) -> String {
    format!("sqlite://{}", dir.path().join(name).display())
}

/// Registers an agent: its key.
async fn agent(c: &reqwest::Client, base: &str) -> String {
    let (status, agent) = call(
        c,
        M::POST,
        format!("{base}/api/v1/agents/register"),
        None,
        json!({"name": "CLI test agent"}),
    )
    .await;
    assert_eq!(status, 201, "{agent}");
    agent["api_key"].as_str().unwrap().to_string()
}

/// A POST over HTTP that must succeed: its answer.
async fn post(c: &reqwest::Client, base: &str, path: &str, key: &str, body: Value) -> Value {
    let (status, v) = call(c, M::POST, format!("{base}{path}"), Some(key), body).await;
    assert!(status < 300, "{path}: {status} {v}");
    v
}

/// The lines of a table's body that hold `needle`.
fn rows_with<'a>(out: &'a str, needle: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.contains(needle)).collect()
}

#[tokio::test]
async fn hosts_search_filters_pages_and_shows_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(&dir, "hosts.db");
    // The seed's three hosts, no generated ones.
    let seeded = livehire(&["seed", "--hosts", "0", "--database-url", &db])
        .output()
        .await
        .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let server = common::start(&db).await;
    let c = reqwest::Client::new();
    let key = agent(&c, &server.base).await;
    let key = Some(key.as_str());

    // Over 50,000 average GMV a session: Zhang (180,000) and Chen (85,000).
    let run = cli(
        &server.base,
        key,
        &[
            "hosts",
            "search",
            "--min-gmv",
            "50000",
            "--sort",
            "avg_gmv",
            "--category",
            "live_commerce",
        ],
    )
    .await;
    let out = run.ok();
    let zhang = out.find("Flash Sale King Zhang").expect(out);
    let chen = out.find("Live Queen Chen").expect(out);
    assert!(zhang < chen, "sorted by GMV:\n{out}");
    assert!(!out.contains("Skincare Expert Liu"), "{out}");
    // Money with its currency and thousands separators, as the server wrote it.
    assert!(out.contains("180,000"), "{out}");
    assert!(!out.contains("next cursor"), "{out}");

    // The same search as JSON: the server's page.
    let page = cli(
        &server.base,
        key,
        &["hosts", "search", "--min-gmv", "50000", "--json"],
    )
    .await
    .json();
    let names: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{page}");
    assert!(names.contains(&"Live Queen Chen") && names.contains(&"Flash Sale King Zhang"));
    assert!(page["next_cursor"].is_null());

    // Skills and niche narrow it to the skincare host.
    let page = cli(
        &server.base,
        key,
        &[
            "hosts",
            "search",
            "--skills",
            "live_streaming,skincare_expertise",
            "--json",
        ],
    )
    .await
    .json();
    assert_eq!(page["data"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["data"][0]["name"], "Skincare Expert Liu");
    let liu = page["data"][0]["human_id"].as_str().unwrap().to_string();

    // One a page: the next cursor is printed; --all follows it.
    let run = cli(&server.base, key, &["hosts", "search", "--limit", "1"]).await;
    let out = run.ok();
    let line = rows_with(out, "next cursor: ");
    assert_eq!(line.len(), 1, "{out}");
    let cursor = line[0]
        .trim_start_matches("next cursor: ")
        .split_whitespace()
        .next()
        .unwrap();
    let second = cli(
        &server.base,
        key,
        &[
            "hosts", "search", "--limit", "1", "--cursor", cursor, "--json",
        ],
    )
    .await
    .json();
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    let all = cli(
        &server.base,
        key,
        &["hosts", "search", "--limit", "1", "--all", "--json"],
    )
    .await
    .json();
    assert_eq!(all["data"].as_array().unwrap().len(), 3, "{all}");
    assert!(all["next_cursor"].is_null());

    // A profile.
    let out = cli(&server.base, key, &["hosts", "show", &liu]).await;
    let out = out.ok();
    assert!(out.contains("Skincare Expert Liu"), "{out}");
    assert!(out.contains("95,000"), "followers: {out}");
    let profile = cli(&server.base, key, &["hosts", "show", &liu, "--json"])
        .await
        .json();
    assert_eq!(profile["human_id"], liu.as_str());

    // A bound the server refuses: its error, exit 3.
    let run = cli(&server.base, key, &["hosts", "search", "--min-rating", "9"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("validation_failed"), "{}", run.stderr);
    assert!(run.stderr.contains("min_rating"), "{}", run.stderr);
}

#[tokio::test]
async fn a_task_from_posting_to_payout() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(&db_in(&dir, "tasks.db")).await;
    let base = server.base.as_str();
    let c = reqwest::Client::new();
    let (key, hkey, host_id) = common::agent_and_host(&c, base, "CLI brand").await;
    let host_id = host_id.as_str().unwrap().to_string();
    post(
        &c,
        base,
        "/api/v1/wallet/deposits",
        &key,
        json!({"amount": 10000, "currency": "CNY"}),
    )
    .await;

    // Post the seed's launch task from a file.
    let file = dir.path().join("task.json");
    std::fs::write(
        &file,
        common::fixture("task_workflow1_launch.json").to_string(),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let agent_key = Some(key.as_str());
    let run = cli(
        base,
        agent_key,
        &[
            "tasks",
            "create",
            "--file",
            file,
            "--idempotency-key",
            "launch-1",
        ],
    )
    .await;
    let out = run.ok();
    let task_id = out
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("created task "))
        .expect(out)
        .trim()
        .to_string();
    assert!(task_id.starts_with("ph_task_"), "{out}");
    // The same key again: the same task, not a second one.
    let again = cli(
        base,
        agent_key,
        &[
            "tasks",
            "create",
            "--file",
            file,
            "--idempotency-key",
            "launch-1",
            "--json",
        ],
    )
    .await
    .json();
    assert_eq!(again["id"], task_id.as_str());

    let out = cli(base, agent_key, &["tasks", "show", &task_id]).await;
    let out = out.ok();
    assert!(
        rows_with(out, "status").iter().any(|l| l.contains("open")),
        "{out}"
    );
    assert!(
        out.contains("5,000.0 CNY") || out.contains("5,000.00 CNY"),
        "{out}"
    );
    let task = cli(base, agent_key, &["tasks", "show", &task_id, "--json"])
        .await
        .json();
    assert_eq!(task["status"], "open");
    assert_eq!(task["currency"], "CNY");
    let session = task["sessions"][0]["id"].as_str().unwrap().to_string();

    let list = cli(base, agent_key, &["tasks", "list", "--json"])
        .await
        .json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");
    let out = cli(base, agent_key, &["tasks", "list", "--status", "open"]).await;
    assert_eq!(rows_with(out.ok(), &task_id).len(), 1, "{}", out.stdout);

    // Messages, both ways.
    post(
        &c,
        base,
        &format!("/api/v1/tasks/{task_id}/invitations"),
        &key,
        json!({"human_id": host_id}),
    )
    .await;
    let run = cli(
        base,
        agent_key,
        &[
            "messages",
            "send",
            &task_id,
            "--text",
            "Samples ship Monday.",
            "--to",
            &host_id,
        ],
    )
    .await;
    assert!(run.ok().starts_with("sent message "), "{}", run.stdout);
    let host_key = Some(hkey.as_str());
    let out = cli(base, host_key, &["messages", "list", &task_id]).await;
    assert!(out.ok().contains("Samples ship Monday."), "{}", out.stdout);
    let thread = cli(base, host_key, &["messages", "list", &task_id, "--json"])
        .await
        .json();
    assert_eq!(thread["data"][0]["text"], "Samples ship Monday.");
    assert_eq!(thread["data"][0]["sender_kind"], "agent");

    // The host's invitations; accepting one by its id assigns the task.
    let invitations = cli(base, host_key, &["invitations", "list", "--json"])
        .await
        .json();
    let invitation = invitations["data"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(invitations["data"][0]["task_id"], task_id.as_str());
    let out = cli(base, host_key, &["invitations", "list"]).await;
    assert!(out.ok().contains("pending"), "{}", out.stdout);
    assert!(out.stdout.contains("5,000.00 CNY"), "{}", out.stdout);
    let run = cli(base, host_key, &["invitations", "accept", &invitation]).await;
    assert!(run.ok().contains("assigned"), "{}", run.stdout);

    // A session with one verified order of 1,000 (the agent's own post).
    post(
        &c,
        base,
        &format!("/api/v1/sessions/{session}/start"),
        &hkey,
        json!({}),
    )
    .await;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    post(
        &c,
        base,
        &format!("/api/v1/sessions/{session}/events"),
        &key,
        json!([{"type": "order", "ts": now, "order_id": "ord_1", "viewer_id": "v1",
                "product_id": "prod_001", "quantity": 1, "amount": 1000}]),
    )
    .await;
    post(
        &c,
        base,
        &format!("/api/v1/sessions/{session}/end"),
        &hkey,
        json!({}),
    )
    .await;
    post(
        &c,
        base,
        &format!("/api/v1/tasks/{task_id}/submission"),
        &hkey,
        json!({"recording_url": "https://videos.example/launch.mp4",
               "gmv_report": {"total_gmv": 1000, "orders": 1, "currency": "CNY"}}),
    )
    .await;

    // Approve twice with one key: 5,000 base + 10 % of 1,000, paid once.
    let first = cli(
        base,
        agent_key,
        &[
            "tasks",
            "approve",
            &task_id,
            "--idempotency-key",
            "approve-launch",
        ],
    )
    .await;
    let out = first.ok();
    assert!(out.contains("approved"), "{out}");
    let total = rows_with(out, "total");
    assert_eq!(total.len(), 1, "{out}");
    assert!(total[0].contains("5,100.00 CNY"), "{out}");
    assert!(
        rows_with(out, "base")
            .iter()
            .any(|l| l.contains("5,000.00 CNY")),
        "{out}"
    );
    let second = cli(
        base,
        agent_key,
        &[
            "tasks",
            "approve",
            &task_id,
            "--idempotency-key",
            "approve-launch",
            "--json",
        ],
    )
    .await
    .json();
    assert_eq!(second["payout"]["total"].to_string(), "5100.00");
    let (status, earnings) = call(
        &c,
        M::GET,
        format!("{base}/api/v1/earnings"),
        Some(&hkey),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{earnings}");
    let cny = earnings["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "CNY")
        .unwrap();
    assert_eq!(cny["total"].to_string(), "5100.00", "{earnings}");

    // A second task, cancelled.
    let other = cli(base, agent_key, &["tasks", "create", "-f", file, "--json"])
        .await
        .json();
    let other = other["id"].as_str().unwrap();
    let out = cli(base, agent_key, &["tasks", "cancel", other]).await;
    assert!(out.ok().contains("cancelled"), "{}", out.stdout);
    // Cancelling the approved one is the server's invalid_state, exit 3.
    let run = cli(base, agent_key, &["tasks", "cancel", &task_id]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("invalid_state"), "{}", run.stderr);
    assert!(run.stderr.contains("request_id"), "{}", run.stderr);
}

#[tokio::test]
async fn sessions_watch_prints_updates_and_ends_with_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start(&db_in(&dir, "watch.db")).await;
    let base = server.base.clone();
    let c = reqwest::Client::new();
    let (key, session, sale) = common::live_flash_sale(&c, &base, "CLI watcher", 50).await;
    let sale_id = sale["id"].as_str().unwrap().to_string();

    let mut watch = livehire(&["sessions", "watch", &session, "--url", &base])
        .env("LIVEHIRE_API_KEY", &key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(watch.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("a first line")
        .unwrap()
        .expect("a first line");
    assert!(
        first.contains(&session) && first.contains(" live "),
        "{first}"
    );
    assert!(
        first.contains(&format!("{sale_id} prod_001 sold 0/50 remaining 50")),
        "{first}"
    );

    // Two units through the checkout: 2 × 139.30.
    let checkout = post(
        &c,
        &base,
        &format!("/api/v1/sessions/{session}/checkout-keys"),
        &key,
        json!({}),
    )
    .await;
    let ck = checkout["api_key"].as_str().unwrap();
    post(
        &c,
        &base,
        &format!("/api/v1/flash-sales/{sale_id}/orders"),
        ck,
        json!({"buyer_id": "viewer_1", "quantity": 2}),
    )
    .await;
    let mut seen = Vec::new();
    let wanted = "gmv=278.60 CNY orders=1 units=2";
    loop {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("no line with {wanted} in {seen:#?}"))
            .unwrap()
            .expect("watch still running");
        let done = line.contains(wanted) && line.contains("sold 2/50 remaining 48");
        seen.push(line);
        if done {
            break;
        }
    }

    // A reader that has seen enough (`| head -1`): the watch stops on its
    // next line (the sale's countdown changes it each second), exit 0.
    let mut short = livehire(&["sessions", "watch", &session, "--url", &base])
        .env("LIVEHIRE_API_KEY", &key)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = BufReader::new(short.stdout.take().unwrap()).lines();
    assert!(head.next_line().await.unwrap().is_some());
    drop(head);
    let status = tokio::time::timeout(Duration::from_secs(20), short.wait())
        .await
        .expect("the watch stops once its reader is gone")
        .unwrap();
    assert_eq!(status.code(), Some(0));

    // The agent ends the session: the watch prints the end and exits 0.
    post(
        &c,
        &base,
        &format!("/api/v1/sessions/{session}/end"),
        &key,
        json!({}),
    )
    .await;
    let status = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            seen.push(line);
        }
        watch.wait().await.unwrap()
    })
    .await
    .expect("watch ends with the session");
    assert_eq!(status.code(), Some(0), "{seen:#?}");
    let last = seen.last().unwrap();
    assert!(
        last.contains(" ended ") && last.contains(wanted),
        "{seen:#?}"
    );

    // Watching the ended session prints its final figures and exits at once.
    let run = cli(&base, Some(&key), &["sessions", "watch", &session]).await;
    let out = run.ok();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains(" ended ") && out.contains(wanted), "{out}");
    // With --json: JSON lines, the figures as the metrics endpoint has them.
    let run = cli(
        &base,
        Some(&key),
        &["sessions", "watch", &session, "--json"],
    )
    .await;
    let items: Vec<Value> = run
        .ok()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!items.is_empty(), "{}", run.stdout);
    for item in &items {
        assert_eq!(item["event"], "snapshot");
        assert_eq!(item["data"]["status"], "ended");
        assert_eq!(item["data"]["gmv"].to_string(), "278.60");
        assert_eq!(item["data"]["orders"], 1);
    }
}

#[tokio::test]
async fn webhooks_are_added_listed_and_their_deliveries_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = common::start_with(
        &db_in(&dir, "hooks.db"),
        free_port(),
        &["--webhooks-allow-private-urls"],
    )
    .await;
    let c = reqwest::Client::new();
    let key = agent(&c, &server.base).await;
    let key = Some(key.as_str());
    // Nothing listens there; no event of these types happens in this test.
    let url = format!("http://127.0.0.1:{}/hooks/livehire", free_port());

    let run = cli(
        &server.base,
        key,
        &[
            "webhooks",
            "add",
            "--url",
            &url,
            "--event",
            "task.assigned",
            "--event",
            "session.ended",
        ],
    )
    .await;
    let out = run.ok();
    let secret = rows_with(out, "secret");
    assert!(
        secret.iter().any(|l| l
            .split_whitespace()
            .nth(1)
            .is_some_and(|s| s.starts_with("whsec_"))),
        "{out}"
    );
    let id = rows_with(out, "ph_wh_")[0]
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    assert!(id.starts_with("ph_wh_"), "{out}");

    let out = cli(&server.base, key, &["webhooks", "list"]).await;
    let out = out.ok();
    assert!(out.contains(&id) && out.contains(&url), "{out}");
    assert!(out.contains("task.assigned, session.ended"), "{out}");
    assert!(!out.contains("whsec_"), "the secret is shown once: {out}");
    let list = cli(&server.base, key, &["webhooks", "list", "--json"])
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["url"], url.as_str());
    assert_eq!(list[0]["events"], json!(["task.assigned", "session.ended"]));

    let out = cli(&server.base, key, &["webhooks", "deliveries", &id]).await;
    assert_eq!(out.ok().trim(), "(none)");
    let page = cli(
        &server.base,
        key,
        &["webhooks", "deliveries", &id, "--json"],
    )
    .await
    .json();
    assert_eq!(page["data"], json!([]));

    // Redelivering what does not exist: the server's not_found, exit 3.
    let run = cli(
        &server.base,
        key,
        &["webhooks", "redeliver", &id, "msg_nothing"],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("not_found"), "{}", run.stderr);
}

#[tokio::test]
async fn failures_exit_with_their_own_codes() {
    let dir = tempfile::tempdir().unwrap();
    let server: Server = common::start(&db_in(&dir, "errors.db")).await;

    // A bad key: the server's error code on stderr, exit 3.
    let run = cli(&server.base, Some("ph_sk_not_a_key"), &["tasks", "list"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("401 unauthorized"), "{}", run.stderr);
    assert!(run.stderr.contains("request_id: "), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    // With --json the error body is printed as JSON.
    let run = cli(
        &server.base,
        Some("ph_sk_not_a_key"),
        &["tasks", "list", "--json"],
    )
    .await;
    assert_eq!(run.code, 3);
    let body: Value = serde_json::from_str(&run.stderr).expect(&run.stderr);
    assert_eq!(body["error"]["code"], "unauthorized");

    // No server there (--url over LIVEHIRE_URL): exit 4, naming the URL.
    let down = format!("http://127.0.0.1:{}", free_port());
    let key = Some("ph_sk_x");
    let run = cli(&server.base, key, &["hosts", "search", "--url", &down]).await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(run.stderr.contains(&down), "{}", run.stderr);
    assert!(run.stderr.contains("onnection refused"), "{}", run.stderr);
    let run = cli(
        &server.base,
        key,
        &["sessions", "--url", &down, "watch", "ph_sess_x"],
    )
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    let run = cli(
        &down,
        key,
        &["webhooks", "add", "--url", "https://hooks.example/x"],
    )
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains(&down),
        "the server's URL, not the endpoint's: {}",
        run.stderr
    );

    // Usage errors, exit 2: clap's, and a file that is not there or not JSON.
    let run = cli(&server.base, None, &["tasks", "approve"]).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = cli(
        &server.base,
        Some("k"),
        &["tasks", "create", "--file", "/nonexistent/task.json"],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("/nonexistent/task.json"),
        "{}",
        run.stderr
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{not json").unwrap();
    let run = cli(
        &server.base,
        Some("k"),
        &["tasks", "create", "--file", bad.to_str().unwrap()],
    )
    .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not JSON"), "{}", run.stderr);

    // The codes are in --help.
    let run = cli(&server.base, None, &["tasks", "--help"]).await;
    assert!(
        run.ok().contains("4  the server could not be reached"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn completions_know_the_client_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = livehire(&["completions", shell]).output().await.unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in [
            "hosts",
            "tasks",
            "messages",
            "invitations",
            "webhooks",
            "watch",
            "approve",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
}

/// A stand-in server for `sessions watch`: its stream drops after one item,
/// and the watch must come back with `Last-Event-ID` and carry on to the end.
#[tokio::test]
async fn sessions_watch_resumes_a_dropped_stream_with_last_event_id() {
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // What each stream request sent as Last-Event-ID.
    let resumed: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let seen = resumed.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_lowercase();
                let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                let last_id = head
                    .lines()
                    .find_map(|l| l.strip_prefix("last-event-id:"))
                    .map(|v| v.trim().to_string());
                let json = |body: String| {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    )
                };
                let answer = if path.ends_with("/metrics") {
                    let ended = seen.lock().unwrap().len() >= 2;
                    json(if ended {
                        r#"{"status": "ended", "task_id": "ph_task_fake", "gmv": 20.50, "orders": 2, "flash_sale_status": []}"#.into()
                    } else {
                        r#"{"status": "live", "task_id": "ph_task_fake", "gmv": 0.00, "orders": 0, "flash_sale_status": []}"#.into()
                    })
                } else if path.starts_with("/api/v1/tasks/") {
                    json(r#"{"id": "ph_task_fake", "currency": "CNY"}"#.into())
                } else if path.ends_with("/stream") {
                    let first = {
                        let mut s = seen.lock().unwrap();
                        s.push(last_id);
                        s.len() == 1
                    };
                    let items = if first {
                        "retry: 50\nid: 5\nevent: metrics\ndata: {\"gmv\": 10.25, \"orders\": 1}\n\n"
                    } else {
                        "id: 6\nevent: session\ndata: {\"status\": \"ended\", \"metrics\": {\"gmv\": 20.50, \"orders\": 2}}\n\n"
                    };
                    // The stream is cut after its items (connection: close).
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n{items}"
                    )
                } else {
                    "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        .into()
                };
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });

    let run = cli(
        &base,
        Some("ph_sk_fake"),
        &["sessions", "watch", "ph_sess_fake"],
    )
    .await;
    let out = run.ok();
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains(" live ") && lines[0].contains("gmv=0.00 CNY"),
        "{out}"
    );
    assert!(
        lines.iter().any(|l| l.contains("gmv=10.25 CNY orders=1")),
        "{out}"
    );
    assert!(
        lines.last().unwrap().contains(" ended ")
            && lines.last().unwrap().contains("gmv=20.50 CNY orders=2"),
        "{out}"
    );
    assert_eq!(*resumed.lock().unwrap(), vec![None, Some("5".to_string())]);
}
