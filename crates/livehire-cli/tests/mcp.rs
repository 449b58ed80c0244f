//! `livehire mcp`: an MCP client launches it as agent hosts do and speaks
//! over its stdin and stdout; it forwards to the real server's `/mcp`.

mod common;

use common::call as call_api;
use common::*;
use reqwest::Method as M;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

type Client = RunningService<RoleClient, ()>;

/// `livehire mcp` for `key` against `base`, as a child speaking over stdio.
async fn launch(base: &str, key: &str) -> Client {
    let command = tokio::process::Command::new(env!("CARGO_BIN_EXE_livehire")).configure(|c| {
        c.args(["mcp", "--url", base, "--api-key", key])
            .env("LIVEHIRE_LOG", "warn");
    });
    ().serve(TokioChildProcess::new(command).expect("spawn livehire mcp"))
        .await
        .expect("initialize over stdio")
}

async fn call(client: &Client, tool: &'static str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments are an object")
    };
    let r = client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert_eq!(r.is_error, Some(false), "{tool}: {:?}", r.content);
    r
}

fn first_text(r: &CallToolResult) -> String {
    r.content[0].as_text().expect("text").text.clone()
}

fn amount(v: &Value) -> String {
    v.to_string()
}

#[tokio::test]
async fn an_agent_host_hires_and_pays_through_the_stdio_bridge_once_per_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("mcp.db").display());
    let server = start(&db).await;
    let base = server.base.clone();
    let c = reqwest::Client::new();
    let (key, host_key, host_id) = agent_and_host(&c, &base, "Glow Labs").await;
    let host_id = host_id.as_str().unwrap().to_string();
    let (status, _) = call_api(
        &c,
        M::POST,
        format!("{base}/api/v1/wallet/deposits"),
        Some(&key),
        json!({"amount": 60000, "currency": "CNY"}),
    )
    .await;
    assert_eq!(status, 201);

    let agent = launch(&base, &key).await;
    let info = agent.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().unwrap().name, "livehire");
    let tools = agent.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 25);
    assert!(tools.iter().all(|t| t.input_schema["type"] == "object"));

    let found = call(&agent, "search_hosts", json!({"q": "Liu"})).await;
    let found = found.structured_content.unwrap();
    let ids: Vec<&str> = found["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["human_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [host_id.as_str()]);

    let task = call(&agent, "post_task", fixture("task_workflow1_launch.json")).await;
    let task = task.structured_content.unwrap();
    let id = task["id"].as_str().unwrap().to_string();
    assert_eq!(task["status"], "open");
    call(
        &agent,
        "invite_host",
        json!({"task_id": id, "human_id": host_id}),
    )
    .await;

    let host = launch(&base, &host_key).await;
    call(&host, "accept", json!({"task_id": id})).await;
    call(
        &host,
        "submit",
        json!({
            "task_id": id,
            "recording_url": "https://videos.example/launch.mp4",
            "highlight_reel_url": "https://videos.example/launch-highlights.mp4",
            "highlight_views": 48000,
            "gmv_report": {"total_gmv": 247000, "orders": 1247, "currency": "CNY"},
            "viewer_analytics": {"peak_viewers": 3800, "unique_viewers": 12500},
            "top_products": [{"name": "Vitamin C Serum", "units": 610}]
        }),
    )
    .await;

    let args = json!({"task_id": id, "idempotency_key": "stdio-approve-1"});
    let first = call(&agent, "approve_task", args.clone()).await;
    assert_eq!(
        first_text(&first),
        format!("Paid 37,700.00 CNY to {host_id} for task {id}.")
    );
    let again = call(&agent, "approve_task", args).await;
    assert!(first_text(&again).contains("this one moved nothing"));
    assert_eq!(again.structured_content, first.structured_content);

    // Paid once: the REST API's wallet and the host's earnings.
    let (_, wallet) = call_api(
        &c,
        M::GET,
        format!("{base}/api/v1/wallet"),
        Some(&key),
        Value::Null,
    )
    .await;
    let cny = &wallet["balances"][0];
    assert_eq!(
        (
            amount(&cny["available"]),
            amount(&cny["in_escrow"]),
            amount(&cny["paid_out"])
        ),
        ("22300.00".into(), "0.00".into(), "37700.00".into())
    );
    let (_, earnings) = call_api(
        &c,
        M::GET,
        format!("{base}/api/v1/earnings"),
        Some(&host_key),
        Value::Null,
    )
    .await;
    let lines: Vec<String> = earnings["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{} {}", l["kind"].as_str().unwrap(), amount(&l["amount"])))
        .collect();
    assert_eq!(lines, ["payout 37700.00"]);

    // Resources are forwarded too: the skill file, written for the server.
    let skill = agent
        .read_resource(rmcp::model::ReadResourceRequestParams::new(
            "livehire://skill.md",
        ))
        .await
        .expect("resources/read");
    let rmcp::model::ResourceContents::TextResourceContents { text, .. } = &skill.contents[0]
    else {
        panic!("text")
    };
    assert!(
        text.contains(&format!("livehire mcp --url {base}")),
        "{text}"
    );

    agent.cancel().await.expect("close agent");
    host.cancel().await.expect("close host");
}

#[tokio::test]
async fn a_bad_key_fails_at_start_with_the_reason_on_stderr_and_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("mcp.db").display());
    let server = start(&db).await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_livehire"))
        .args(["mcp", "--url", &server.base, "--api-key", "ph_sk_wrong"])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run livehire mcp");
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("connecting to"), "{err}");
    assert!(err.contains("/mcp"), "{err}");
}
