//! The MCP endpoint, spoken to by rmcp's own client over streamable HTTP:
//! the same keys, the same answers and errors as the REST API, and money
//! moved once per idempotency key.

use reqwest::StatusCode;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::harness::*;

type Client = RunningService<RoleClient, ()>;

/// An MCP session with `key` as the Bearer key.
async fn connect(app: &TestApp, key: &str) -> Client {
    let config =
        StreamableHttpClientTransportConfig::with_uri(app.url("/mcp")).auth_header(key.to_string());
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("initialize")
}

/// Calls `tool` with `args`.
async fn call(client: &Client, tool: &'static str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments are an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
}

/// A successful call's view JSON (checked to be its text too).
async fn ok(client: &Client, tool: &'static str, args: Value) -> (Value, Vec<String>) {
    let r = call(client, tool, args).await;
    let texts = texts(&r);
    assert_eq!(r.is_error, Some(false), "{tool}: {texts:?}");
    let value = r.structured_content.clone().expect("structured content");
    let json: Value = serde_json::from_str(texts.last().expect("text")).expect("JSON text");
    assert_eq!(json, value, "{tool}: the text is the structured content");
    (value, texts)
}

fn texts(r: &CallToolResult) -> Vec<String> {
    r.content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect()
}

fn dec(v: &Value) -> Decimal {
    v.to_string()
        .parse()
        .unwrap_or_else(|_| panic!("not a decimal: {v}"))
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// The seed's Skincare Expert Liu as a registration body.
fn liu_profile() -> Value {
    let mut p = livehire_sim::hosts::seed_hosts()[1].clone();
    p.as_object_mut().unwrap().remove("human_id");
    p
}

#[tokio::test]
async fn without_a_valid_key_the_endpoint_answers_401_in_the_apis_shape() {
    let app = spawn_app().await;
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let accept = [("accept", "application/json, text/event-stream")];
    for key in [None, Some("ph_sk_not_a_key")] {
        let a = app
            .send(
                reqwest::Method::POST,
                "/mcp",
                key,
                Some("application/json"),
                init.to_string(),
                &accept,
            )
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{key:?}: {}", a.body);
        assert_eq!(a.code(), "unauthorized");
        assert!(
            a.body["error"]["request_id"]
                .as_str()
                .unwrap()
                .starts_with("req_")
        );
        let challenge = a.headers["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("Bearer"), "{challenge}");
    }

    // A key, but a Host name the endpoint does not serve (DNS rebinding).
    let agent = app.agent("Glow Labs").await;
    let a = app
        .send(
            reqwest::Method::POST,
            "/mcp",
            Some(&agent.key),
            Some("application/json"),
            init.to_string(),
            &[accept[0], ("host", "rebound.example")],
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let allowed = spawn_app_with(|s| s.mcp_allowed_hosts = vec!["rebound.example".into()]).await;
    let agent = allowed.agent("Glow Labs").await;
    let a = allowed
        .send(
            reqwest::Method::POST,
            "/mcp",
            Some(&agent.key),
            Some("application/json"),
            init.to_string(),
            &[accept[0], ("host", "rebound.example")],
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn an_agent_hires_and_pays_a_host_through_mcp_tools_once_per_key() {
    let app = spawn_app().await;
    let generated: Vec<Value> = (1..=3).map(livehire_sim::hosts::generated_host).collect();
    app.app
        .upsert_demo_hosts(demo(&generated))
        .await
        .expect("hosts");
    let agent = app.agent("Glow Labs").await;
    let liu = app.verified_host(&liu_profile()).await;
    assert_eq!(
        app.deposit(&agent, "60000.00", "CNY").await.status,
        StatusCode::CREATED
    );
    let mcp = connect(&app, &agent.key).await;
    let info = mcp.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().unwrap().name, "livehire");
    assert!(
        info.instructions
            .as_deref()
            .unwrap()
            .contains("idempotency_key")
    );

    // Every tool, each with an object schema.
    let tools = mcp.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for name in [
        "search_hosts",
        "get_host",
        "post_task",
        "list_tasks",
        "get_task",
        "invite_host",
        "list_applications",
        "assign_host",
        "send_message",
        "list_messages",
        "get_submission",
        "payout_preview",
        "approve_task",
        "request_revision",
        "rate_host",
        "live_metrics",
        "start_flash_sale",
        "flash_sale_status",
        "session_report",
        "wallet",
        "my_invitations",
        "apply",
        "accept",
        "start_session",
        "submit",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert_eq!(tools.len(), 25);
    for t in &tools {
        assert_eq!(t.input_schema["type"], "object", "{}", t.name);
        assert!(
            t.description.as_deref().unwrap_or("").len() > 40,
            "{}",
            t.name
        );
    }
    let approve = tools.iter().find(|t| t.name == "approve_task").unwrap();
    assert_eq!(
        approve.input_schema["required"],
        json!(["task_id", "idempotency_key"])
    );
    // The body's fields come from the REST operation's schema.
    assert!(approve.input_schema["properties"].get("figures").is_some());
    let search = tools.iter().find(|t| t.name == "search_hosts").unwrap();
    assert!(
        search.input_schema["properties"]
            .get("min_followers")
            .is_some()
    );

    // Search answers what REST answers.
    let (found, _) = ok(&mcp, "search_hosts", json!({"sort": "rating", "limit": 2})).await;
    let rest = app
        .get("/api/v1/humans?sort=rating&limit=2", Some(&agent.key))
        .await;
    assert_eq!(found["data"].as_array().unwrap().len(), 2);
    assert_eq!(found, rest.body);
    let (host, _) = ok(&mcp, "get_host", json!({"human_id": liu.id})).await;
    assert_eq!(host["human_id"], liu.id.as_str());

    // Post a task; the REST API sees it.
    let (task, _) = ok(&mcp, "post_task", seed_json("task_workflow1_launch.json")).await;
    let id = task["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("ph_task_"), "{id}");
    assert_eq!(task["status"], "open");
    let t = |p: &str| format!("/api/v1/tasks/{id}/{p}");
    let got = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&agent.key))
        .await;
    assert_eq!(got.body["status"], "open");
    assert_eq!(got.body["title"], task["title"]);

    let (inv, _) = ok(
        &mcp,
        "invite_host",
        json!({"task_id": id, "human_id": liu.id}),
    )
    .await;
    assert_eq!(inv["status"], "pending");

    // The host's side, with the host's key.
    let host_mcp = connect(&app, &liu.key).await;
    let (mine, _) = ok(&host_mcp, "my_invitations", json!({})).await;
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    assert_eq!(mine["data"][0]["task_id"], id.as_str());
    assert_eq!(mine["data"][0]["status"], "pending");
    let (accepted, lines) = ok(&host_mcp, "accept", json!({"task_id": id})).await;
    assert_eq!(accepted["status"], "assigned");
    assert_eq!(accepted["assigned_human_id"], liu.id.as_str());
    assert_eq!(
        lines[0],
        format!(
            "Moved 5,000.00 CNY of the brand's wallet into escrow for {} on task {id}.",
            liu.id
        )
    );
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("55000"), d("5000"), d("0"))
    );

    // The same figures preview the same payout over both doors.
    let (preview, lines) = ok(
        &mcp,
        "payout_preview",
        json!({"task_id": id, "gmv": 247000, "orders": 1247, "highlight_views": 48000}),
    )
    .await;
    let rest = app
        .get(
            &format!(
                "{}?gmv=247000&orders=1247&highlight_views=48000",
                t("payout-preview")
            ),
            Some(&agent.key),
        )
        .await;
    assert_eq!(rest.status, StatusCode::OK, "{}", rest.body);
    assert_eq!(preview, rest.body);
    assert_eq!(dec(&preview["total"]), d("37700"));
    assert_eq!(
        lines[0],
        "Would pay 37,700.00 CNY; a preview moves nothing."
    );

    let (sub, _) = ok(
        &host_mcp,
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
    assert_eq!(sub["version"], 1);

    // Another agent may not approve it: the REST API's error, as a tool error.
    let other = app.agent("Someone Else").await;
    let other_mcp = connect(&app, &other.key).await;
    let refused = call(
        &other_mcp,
        "approve_task",
        json!({"task_id": id, "idempotency_key": "other-1"}),
    )
    .await;
    let rest = app.post(&t("approve"), Some(&other.key), &json!({})).await;
    assert_eq!(refused.is_error, Some(true));
    let body = refused.structured_content.clone().unwrap();
    assert_eq!(body["error"]["code"], rest.code());
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(body["error"]["message"], rest.body["error"]["message"]);
    assert!(
        body["error"]["request_id"]
            .as_str()
            .unwrap()
            .starts_with("req_")
    );
    assert_eq!(
        texts(&refused)[0],
        format!(
            "not_found: {}",
            rest.body["error"]["message"].as_str().unwrap()
        )
    );

    // Approval moves money, so it needs a key.
    let keyless = call(&mcp, "approve_task", json!({"task_id": id})).await;
    assert_eq!(keyless.is_error, Some(true));
    let e = keyless.structured_content.unwrap();
    assert_eq!(e["error"]["code"], "validation_failed");
    assert_eq!(e["error"]["details"][0]["path"], "idempotency_key");
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("55000"), d("5000"), d("0"))
    );

    // Approved twice under one key: paid once.
    let args = json!({"task_id": id, "idempotency_key": "approve-launch-1"});
    let (first, lines) = ok(&mcp, "approve_task", args.clone()).await;
    assert_eq!(first["task"]["status"], "approved");
    assert_eq!(dec(&first["payout"]["total"]), d("37700"));
    assert_eq!(
        lines[0],
        format!("Paid 37,700.00 CNY to {} for task {id}.", liu.id)
    );
    let (again, lines) = ok(&mcp, "approve_task", args).await;
    assert_eq!(again, first);
    assert!(lines[0].contains("this one moved nothing"), "{}", lines[0]);
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("22300"), d("0"), d("37700"))
    );
    let earnings = app.get("/api/v1/earnings", Some(&liu.key)).await;
    assert_eq!(dec(&earnings.body["balances"][0]["total"]), d("37700"));
    let paid: Vec<Decimal> = earnings.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| dec(&l["amount"]))
        .collect();
    assert_eq!(paid, [d("37700")]);
    // The same key with other arguments is refused, as over HTTP.
    let reused = call(
        &mcp,
        "approve_task",
        json!({"task_id": id, "idempotency_key": "approve-launch-1", "figures": "host_reported"}),
    )
    .await;
    assert_eq!(
        reused.structured_content.unwrap()["error"]["code"],
        "idempotency_key_reused"
    );

    // A tip, stated; the wallet tool agrees with REST.
    let (rated, lines) = ok(
        &mcp,
        "rate_host",
        serde_json::from_str(&format!(
            r#"{{"task_id": "{id}", "idempotency_key": "rate-1", "overall_rating": 5, "tip_amount": 800.00}}"#
        ))
        .unwrap(),
    )
    .await;
    assert_eq!(rated["overall_rating"], 5);
    assert_eq!(lines[0], format!("Tipped 800.00 CNY to {}.", liu.id));
    let (wallet, _) = ok(&mcp, "wallet", json!({})).await;
    assert_eq!(
        wallet,
        app.get("/api/v1/wallet", Some(&agent.key)).await.body
    );
    app.assert_ledger_invariant(&agent, Some(&liu), "CNY").await;

    // Resources: the skill file as served, and the task's report after the
    // same access check.
    let skill = mcp
        .read_resource(ReadResourceRequestParams::new("livehire://skill.md"))
        .await
        .expect("skill");
    let served = app
        .client
        .get(app.url("/skill.md"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ResourceContents::TextResourceContents { text, .. } = &skill.contents[0] else {
        panic!("text")
    };
    assert_eq!(text, &served);
    assert!(text.contains(&format!("{}/mcp", app.base)));
    let uri = format!("livehire://tasks/{id}/report");
    let report = mcp
        .read_resource(ReadResourceRequestParams::new(&uri))
        .await
        .expect("report");
    let ResourceContents::TextResourceContents { text, .. } = &report.contents[0] else {
        panic!("text")
    };
    let rest = app.get(&t("report"), Some(&agent.key)).await;
    assert_eq!(rest.status, StatusCode::OK);
    let mut report: Value = serde_json::from_str(text).unwrap();
    let mut rest = rest.body;
    for r in [&mut report, &mut rest] {
        r.as_object_mut().unwrap().remove("generated_at");
    }
    assert_eq!(report, rest);
    assert_eq!(report["task"]["id"], id.as_str());
    assert!(
        other_mcp
            .read_resource(ReadResourceRequestParams::new(&uri))
            .await
            .is_err()
    );
    let templates = mcp.list_all_resource_templates().await.unwrap();
    assert!(
        templates
            .iter()
            .any(|t| t.uri_template == "livehire://tasks/{task_id}/report")
    );
}

#[tokio::test]
async fn shutdown_ends_an_open_mcp_stream_within_the_grace_and_streams_are_not_gzipped() {
    use std::time::{Duration, Instant};

    use livehire_server::{Application, Settings};

    let db = crate::harness::TestDatabase::new().await;
    let url = db.url.clone();
    let settings = Settings {
        shutdown_grace: Duration::from_secs(5),
        ..Settings::new("127.0.0.1:0", &url)
    };
    let application = Application::build(settings).await.expect("build");
    let base = format!("http://{}", application.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_until(async {
        let _ = stopped.await;
    }));
    let c = reqwest::Client::new();
    let agent: Value = c
        .post(format!("{base}/api/v1/agents/register"))
        .json(&json!({"name": "Glow Labs"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = agent["api_key"].as_str().unwrap();
    let mcp = format!("{base}/mcp");
    let both = "application/json, text/event-stream";
    let init = c
        .post(&mcp)
        .bearer_auth(key)
        .header("accept", both)
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(init.status(), StatusCode::OK);
    let session = init.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(init.text().await.unwrap().contains("\"serverInfo\""));
    let initialized = c
        .post(&mcp)
        .bearer_auth(key)
        .header("accept", both)
        .header("mcp-session-id", &session)
        .json(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .send()
        .await
        .unwrap();
    assert_eq!(initialized.status(), StatusCode::ACCEPTED);

    // The session's stream of server messages, asked for gzipped.
    let stream = c
        .get(&mcp)
        .bearer_auth(key)
        .header("accept", "text/event-stream")
        .header("accept-encoding", "gzip")
        .header("mcp-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert!(stream.headers().get("content-encoding").is_none());

    let asked = Instant::now();
    stop.send(()).unwrap();
    let rest = tokio::time::timeout(Duration::from_secs(4), stream.text())
        .await
        .expect("the stream ends at shutdown, before the grace runs out")
        .unwrap_or_default();
    assert!(!rest.contains("event: shutdown"), "{rest}");
    tokio::time::timeout(Duration::from_secs(6), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );
}

#[tokio::test]
async fn an_allowed_host_given_as_a_url_is_refused_at_start() {
    let db = crate::harness::TestDatabase::new().await;
    let url = db.url.clone();
    let settings = livehire_server::Settings {
        mcp_allowed_hosts: vec!["https://livehire.example.com".into()],
        ..livehire_server::Settings::new("127.0.0.1:0", &url)
    };
    let e = livehire_server::Application::build(settings)
        .await
        .err()
        .expect("refused");
    assert!(e.to_string().contains("not a host name"), "{e}");
}
