//! `livehire serve --demo`: a newcomer gets keys for both sides of the market.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

mod common;
use common::{Server, call, free_port};

/// The key printed on the line after the one starting with `heading`.
fn key_after(lines: &[String], heading: &str) -> Option<(String, String)> {
    let at = lines.iter().position(|l| l.starts_with(heading))?;
    let id = lines[at]
        .split_whitespace()
        .find(|w| w.starts_with("ph_"))?
        .to_string();
    Some((id, lines.get(at + 1)?.trim().to_string()))
}

/// Runs `serve --demo` on `db` until it has printed the host's first call.
async fn demo_run(db: &str) -> (Server, Vec<String>) {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_livehire"))
        .args([
            "serve",
            "--demo",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            db,
        ])
        .env("LIVEHIRE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn livehire");
    let stdout = child.stdout.take().unwrap();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    // Read what the demo prints until the host's first call is there; keep
    // draining the pipe afterwards so the server never writes into a closed one.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let lines = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        while let Ok(line) = rx.recv_timeout(Duration::from_secs(120)) {
            let done = line.contains("/api/v1/me/invitations");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    })
    .await
    .unwrap();
    assert!(
        lines.iter().any(|l| l.contains("/api/v1/me/invitations")),
        "the demo printed {lines:#?}"
    );
    (server, lines)
}

#[tokio::test]
async fn serve_demo_prints_a_demo_agent_key_and_a_demo_host_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    // A second run on the same database prints a new pair (a handle belongs
    // to one host, so each run's demo host has its own).
    let (first, first_lines) = demo_run(&db).await;
    drop(first);
    let (server, lines) = demo_run(&db).await;
    let first_host = key_after(&first_lines, "Demo host ").expect("a first demo host");
    let (agent_id, agent_key) = key_after(&lines, "Demo agent ").expect("a demo agent key");
    let (host_id, host_key) = key_after(&lines, "Demo host ").expect("a demo host key");
    assert!(agent_id.starts_with("ph_agent_"), "{lines:#?}");
    assert!(agent_key.starts_with("ph_sk_"), "{lines:#?}");
    assert!(host_id.starts_with("ph_profile_"), "{lines:#?}");
    assert!(host_key.starts_with("ph_hk_"), "{lines:#?}");
    assert_ne!(first_host.0, host_id);

    let c = reqwest::Client::new();
    let b = &server.base;
    use reqwest::Method as M;
    let (status, me) = call(
        &c,
        M::GET,
        format!("{b}/api/v1/me"),
        Some(&host_key),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (me["kind"].as_str(), me["id"].as_str()),
        (Some("host"), Some(host_id.as_str()))
    );
    let (status, me) = call(
        &c,
        M::GET,
        format!("{b}/api/v1/me"),
        Some(&agent_key),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["kind"], "agent");

    // The two play together: the demo agent invites the demo host, who sees it.
    let (status, task) = call(
        &c,
        M::POST,
        format!("{b}/api/v1/tasks"),
        Some(&agent_key),
        common::fixture("task_workflow1_launch.json"),
    )
    .await;
    assert_eq!(status, 201, "{task}");
    let task_id = task["id"].as_str().unwrap();
    let (status, inv) = call(
        &c,
        M::POST,
        format!("{b}/api/v1/tasks/{task_id}/invitations"),
        Some(&agent_key),
        json!({"human_id": host_id}),
    )
    .await;
    assert_eq!(status, 201, "{inv}");
    let (status, mine) = call(
        &c,
        M::GET,
        format!("{b}/api/v1/me/invitations"),
        Some(&host_key),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["data"][0]["task_id"], task_id);
}
