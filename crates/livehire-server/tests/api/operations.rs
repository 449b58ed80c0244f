//! Operating the server: connection limits, request ids, rate limits,
//! metrics, readiness, the headers every response carries.

use std::time::{Duration, Instant};

use livehire_server::ConnectionLimits;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::harness::*;

/// The address of a test server (`127.0.0.1:port`).
fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// Whether the server has closed this socket (end of stream or reset),
/// waiting up to `within` for it.
async fn closed_by_server(socket: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 256];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, socket.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // An answer (a 408 or such) before the close: read on.
            Ok(Ok(_)) => continue,
        }
    }
}

/// A `/healthz` round trip on a new connection, and how long it took.
async fn probe(app: &TestApp) -> (StatusCode, Duration) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let t = Instant::now();
    let resp = client.get(app.url("/healthz")).send().await.unwrap();
    (resp.status(), t.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_cap_the_longest_idle_socket_makes_room_and_healthz_answers() {
    let cap = 32;
    let app = spawn_app_with(|s| {
        s.connections = ConnectionLimits {
            max_connections: cap,
            ..ConnectionLimits::default()
        }
    })
    .await;
    // A client holds 300 idle sockets: connected, silent.
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(addr(&app)).await.unwrap());
    }
    // Every probe is answered, quickly, on a new connection.
    let mut took = Vec::new();
    for _ in 0..5 {
        let (status, t) = probe(&app).await;
        assert_eq!(status, StatusCode::OK);
        took.push(t);
    }
    took.sort();
    assert!(
        took[2] < Duration::from_millis(100),
        "/healthz took {took:?} with 300 idle sockets open"
    );
    // The server holds at most `cap` of the client's sockets: it closed the
    // oldest idle ones to make room, and the newest are still open.
    let mut closed = 0;
    for s in &mut idle {
        if closed_by_server(s, Duration::from_millis(20)).await {
            closed += 1;
        }
    }
    assert!(
        closed >= 300 - cap,
        "{closed} of 300 idle sockets closed with a cap of {cap}"
    );
    assert!(closed < 300, "the newest idle sockets stay open");
    assert!(!closed_by_server(idle.last_mut().unwrap(), Duration::from_millis(100)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_request_head_is_cut_at_the_header_timeout_and_a_silent_socket_at_the_idle_one() {
    let app = spawn_app_with(|s| {
        s.connections = ConnectionLimits {
            header_read_timeout: Duration::from_millis(300),
            idle_timeout: Duration::from_secs(30),
            ..ConnectionLimits::default()
        }
    })
    .await;
    let mut silent = TcpStream::connect(addr(&app)).await.unwrap();
    let mut slow = TcpStream::connect(addr(&app)).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(
        closed_by_server(&mut slow, Duration::from_secs(10)).await,
        "a head never finished is cut"
    );
    // The silent socket is idle, not slow: its timeout is the idle one.
    assert!(!closed_by_server(&mut silent, Duration::from_millis(200)).await);
    // A request on a fresh connection is served as usual.
    let (status, _) = probe(&app).await;
    assert_eq!(status, StatusCode::OK);

    let app = spawn_app_with(|s| {
        s.connections = ConnectionLimits {
            idle_timeout: Duration::from_millis(300),
            ..ConnectionLimits::default()
        }
    })
    .await;
    let mut silent = TcpStream::connect(addr(&app)).await.unwrap();
    assert!(closed_by_server(&mut silent, Duration::from_secs(10)).await);
    // A kept-alive connection is closed once idle too, after its answer.
    let mut kept = TcpStream::connect(addr(&app)).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = vec![0u8; 4096];
    let n = kept.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200 OK"));
    assert!(closed_by_server(&mut kept, Duration::from_secs(10)).await);
}

#[tokio::test]
async fn every_answer_has_a_request_id_and_every_error_body_quotes_it() {
    let app = spawn_app().await;
    // A success: a new id in the header.
    let ok = app.get("/healthz", None).await;
    let id = ok.headers["request-id"].to_str().unwrap().to_string();
    assert!(id.starts_with("req_") && id.len() == 24, "{id}");
    assert_ne!(
        app.get("/healthz", None).await.headers["request-id"],
        id.as_str(),
        "each request has its own"
    );

    // An error: the same id in the header and the body.
    let denied = app.get("/api/v1/me", Some("ph_sk_not_a_key")).await;
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    assert_eq!(denied.code(), "unauthorized");
    let id = denied.headers["request-id"].to_str().unwrap();
    assert_eq!(denied.body["error"]["request_id"], id);
    assert_eq!(
        denied.headers["www-authenticate"],
        "Bearer realm=\"livehire\""
    );

    // A client's sane id is kept, in the header and in the body; one that is
    // not (spaces, too long) is replaced.
    for (sent, kept) in [
        ("trace-7f3a:edge/1", true),
        ("two words", false),
        (&*"x".repeat(129), false),
    ] {
        let a = app
            .send(
                reqwest::Method::GET,
                "/api/v1/nowhere",
                None,
                None,
                Vec::<u8>::new(),
                &[("Request-Id", sent)],
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        let header = a.headers["request-id"].to_str().unwrap();
        assert_eq!(a.body["error"]["request_id"], header);
        assert_eq!(header == sent, kept, "{sent:?} → {header:?}");
    }

    // Validation errors, too (a route's own error, not the layer's).
    let agent = app.agent("Request id brand").await;
    let bad = app
        .post(
            "/api/v1/wallet/deposits",
            Some(&agent.key),
            &serde_json::json!({"amount": -1}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.body["error"]["request_id"],
        bad.headers["request-id"].to_str().unwrap()
    );
}

/// Asserts a 429 in the usual error shape, with `Retry-After` (whole seconds,
/// at least 1, at most `most`); returns its message.
fn assert_limited(a: &Answer, most: u64) -> String {
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);
    assert_eq!(a.code(), "rate_limited");
    assert_eq!(
        a.body["error"]["request_id"],
        a.headers["request-id"].to_str().unwrap()
    );
    let wait: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=most).contains(&wait), "Retry-After {wait}");
    a.body["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn over_a_limit_the_answer_is_429_with_retry_after_per_ip_or_per_key() {
    let app = spawn_app_with(|s| {
        let mut limits = livehire_server::RateLimits::default();
        for spec in ["registration=3/min", "auth_failures=5/min", "search=5/s"] {
            limits.apply(spec).unwrap();
        }
        s.rate_limits = limits;
    })
    .await;
    let a = app.agent("First").await;
    let b = app.agent("Second").await;

    // Search, per key: A's burst of 5, then 429; B has its own.
    let search = "/api/v1/humans?limit=1";
    for _ in 0..5 {
        assert_eq!(app.get(search, Some(&a.key)).await.status, StatusCode::OK);
    }
    let message = assert_limited(&app.get(search, Some(&a.key)).await, 1);
    assert!(
        message.contains("5 per second host searches per key"),
        "{message}"
    );
    assert_eq!(app.get(search, Some(&b.key)).await.status, StatusCode::OK);

    // Registration, per client IP: the third of the minute passes, the fourth waits ~20 s.
    app.agent("Third").await;
    let fourth = app
        .post(
            "/api/v1/agents/register",
            None,
            &serde_json::json!({"name": "Fourth"}),
        )
        .await;
    let message = assert_limited(&fourth, 20);
    assert!(message.contains("registrations per client IP"), "{message}");
    let host = app
        .post(
            "/api/v1/humans/register",
            None,
            &seed_json("host_example1.json"),
        )
        .await;
    assert_limited(&host, 20);

    // Failed authentication, per client IP: five 401s, then every request
    // with credentials waits, a valid key's too; one without passes.
    for _ in 0..5 {
        let denied = app.get("/api/v1/me", Some("ph_sk_guess")).await;
        assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    }
    let message = assert_limited(&app.get("/api/v1/me", Some("ph_sk_guess")).await, 12);
    assert!(
        message.contains("failed authentications per client IP"),
        "{message}"
    );
    assert_limited(&app.get("/api/v1/me", Some(&b.key)).await, 12);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    // A prober that sends its (bad) key along is still answered.
    for probe in ["/healthz", "/readyz"] {
        let answer = app.get(probe, Some("ph_sk_guess")).await;
        assert_eq!(answer.status, StatusCode::OK, "{probe}");
    }
    assert_eq!(
        app.get("/api/v1/openapi.json", None).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_key_orders_are_not_limited_by_default() {
    let app = spawn_app_with(|s| s.rate_limits = livehire_server::RateLimits::default()).await;
    let (lt, s) = crate::live::started_session(&app).await;
    let sale = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            Some(&lt.agent.key),
            &serde_json::json!({"product_id": "prod_002", "price": 10, "stock": 100000, "duration_minutes": 15}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
    let checkout = app
        .post(
            &format!("/api/v1/sessions/{s}/checkout-keys"),
            Some(&lt.agent.key),
            &serde_json::json!({}),
        )
        .await;
    let ck = checkout.body["api_key"].as_str().unwrap().to_string();
    let path = format!(
        "/api/v1/flash-sales/{}/orders",
        sale.body["id"].as_str().unwrap()
    );
    // 1,500 orders at once through one checkout key: more than any limited
    // class takes in a burst, all accepted.
    let orders = (0..1_500).map(|i| {
        let (app, ck, path) = (&app, ck.clone(), path.clone());
        async move {
            app.post(
                &path,
                Some(&ck),
                &serde_json::json!({"buyer_id": format!("b{i}"), "quantity": 1}),
            )
            .await
            .status
        }
    });
    let statuses = futures::future::join_all(orders).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{:?}",
        statuses
            .iter()
            .filter(|s| **s != StatusCode::CREATED)
            .take(3)
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn readyz_fails_while_the_database_file_is_unreadable_and_recovers() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;
    // The outbox dispatcher goes round at start: ready within moments.
    let mut ready = app.get("/readyz", None).await;
    for _ in 0..50 {
        if ready.status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        ready = app.get("/readyz", None).await;
    }
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["status"], "ready");
    let store_checks: &[&str] = if crate::harness::on_postgres() {
        &["database"]
    } else {
        &[
            "database_file",
            "database_reader",
            "database_writer",
            "order_connection",
            "task_writer",
        ]
    };
    for check in store_checks
        .iter()
        .chain(&["order_writer", "outbox_dispatcher"])
    {
        assert_eq!(ready.body["checks"][check], "ok", "{check}");
    }
    if crate::harness::on_postgres() {
        // A PostgreSQL database has no file here to take away.
        crate::harness::not_run_on_postgres(
            "readyz_fails_while_the_database_file_is_unreadable_and_recovers: the unreadable file",
            "a SQLite file check; PostgreSQL's readiness is its `database` check, seen ok above",
        );
        return;
    }

    // Unreadable: no permissions, and (as root, whom permissions do not
    // stop) not at its path either.
    let db = app.db_path();
    let aside = db.with_extension("aside");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o000)).unwrap();
    let moved = std::fs::File::open(&db).is_ok();
    if moved {
        std::fs::rename(&db, &aside).unwrap();
    }
    let not_ready = app.get("/readyz", None).await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(not_ready.code(), "not_ready");
    assert_eq!(not_ready.paths(), ["database_file"]);
    assert_eq!(
        not_ready.body["error"]["request_id"],
        not_ready.headers["request-id"].to_str().unwrap()
    );
    // The open connections still serve; only readiness says no.
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);

    if moved {
        std::fs::rename(&aside, &db).unwrap();
    }
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
}

/// A POST with a key (or none), its answer with headers.
async fn post_as(app: &TestApp, path: &str, key: Option<&str>, body: serde_json::Value) -> Answer {
    app.post(path, key, &body).await
}

/// Follows a 201's `Location` with `key`: the answer there.
async fn follow(app: &TestApp, created: &Answer, key: &str) -> Answer {
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let location = created.headers["location"].to_str().unwrap().to_string();
    assert!(location.starts_with('/'), "{location}");
    let there = app.get(&location, Some(key)).await;
    assert_eq!(there.status, StatusCode::OK, "{location}: {}", there.body);
    there
}

#[tokio::test]
async fn every_201_says_where_the_created_thing_is() {
    use serde_json::json;
    let app = spawn_app().await;
    let agent = post_as(
        &app,
        "/api/v1/agents/register",
        None,
        json!({"name": "Located"}),
    )
    .await;
    let key = agent.body["api_key"].as_str().unwrap().to_string();
    assert_eq!(agent.headers["location"], "/api/v1/me");
    assert_eq!(
        follow(&app, &agent, &key).await.body["id"],
        agent.body["agent_id"]
    );

    let mut profile = livehire_sim::hosts::seed_hosts()[1].clone();
    profile.as_object_mut().unwrap().remove("human_id");
    let host = post_as(&app, "/api/v1/humans/register", None, profile).await;
    let host_id = host.body["human_id"].as_str().unwrap().to_string();
    assert_eq!(
        host.headers["location"],
        format!("/api/v1/humans/{host_id}").as_str()
    );
    assert_eq!(
        follow(&app, &host, &key).await.body["human_id"],
        host_id.as_str()
    );
    // The operator verifies its shop, so the launch task may invite it.
    app.app
        .verify_host(
            &livehire_domain::ids::HostId::from(host_id.clone()),
            livehire_server::app::NewVerification {
                tiktok_shop_verified: Some(true),
                badges: None,
            },
        )
        .await
        .unwrap();

    let task = post_as(
        &app,
        "/api/v1/tasks",
        Some(&key),
        seed_json("task_workflow1_launch.json"),
    )
    .await;
    let task_id = task.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        task.headers["location"],
        format!("/api/v1/tasks/{task_id}").as_str()
    );
    assert_eq!(follow(&app, &task, &key).await.body["id"], task_id.as_str());

    let deposit = post_as(
        &app,
        "/api/v1/wallet/deposits",
        Some(&key),
        json!({"amount": 100000, "currency": "CNY"}),
    )
    .await;
    assert_eq!(deposit.headers["location"], "/api/v1/ledger");
    follow(&app, &deposit, &key).await;

    let invitation = post_as(
        &app,
        &format!("/api/v1/tasks/{task_id}/invitations"),
        Some(&key),
        json!({"human_id": host_id}),
    )
    .await;
    follow(&app, &invitation, &key).await;
    assert_eq!(
        invitation.headers["location"],
        format!("/api/v1/tasks/{task_id}/invitations").as_str()
    );
    let message = post_as(
        &app,
        &format!("/api/v1/tasks/{task_id}/messages"),
        Some(&key),
        json!({"text": "Welcome", "human_id": host_id}),
    )
    .await;
    let thread = follow(&app, &message, &key).await;
    assert_eq!(
        message.headers["location"],
        format!("/api/v1/tasks/{task_id}/messages").as_str()
    );
    assert!(thread.body.to_string().contains("Welcome"));
    let session = task.body["sessions"][0]["id"].as_str().unwrap().to_string();
    let ingest = post_as(
        &app,
        &format!("/api/v1/sessions/{session}/ingest-keys"),
        Some(&key),
        json!({}),
    )
    .await;
    assert_eq!(
        ingest.headers["location"],
        format!("/api/v1/sessions/{session}").as_str()
    );
    follow(&app, &ingest, &key).await;
}

#[tokio::test]
async fn a_live_sales_201s_say_where_the_sale_and_its_orders_are() {
    use serde_json::json;
    let app = spawn_app().await;
    let (lt, s) = crate::live::started_session(&app).await;
    let key = lt.agent.key.clone();
    let sale = post_as(
        &app,
        &format!("/api/v1/sessions/{s}/flash-sales"),
        Some(&key),
        json!({"product_id": "prod_002", "price": 10, "stock": 10, "duration_minutes": 15}),
    )
    .await;
    let sale_id = sale.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        sale.headers["location"],
        format!("/api/v1/flash-sales/{sale_id}").as_str()
    );
    assert_eq!(follow(&app, &sale, &key).await.body["id"], sale_id.as_str());
    let checkout = post_as(
        &app,
        &format!("/api/v1/sessions/{s}/checkout-keys"),
        Some(&key),
        json!({}),
    )
    .await;
    assert_eq!(
        checkout.headers["location"],
        format!("/api/v1/sessions/{s}").as_str()
    );
    let order = post_as(
        &app,
        &format!("/api/v1/flash-sales/{sale_id}/orders"),
        checkout.body["api_key"].as_str(),
        json!({"buyer_id": "b1", "quantity": 1}),
    )
    .await;
    assert_eq!(
        order.headers["location"],
        format!("/api/v1/flash-sales/{sale_id}/orders").as_str()
    );
    let orders = follow(&app, &order, &key).await;
    assert_eq!(orders.body["data"][0]["order_id"], order.body["order_id"]);
}

#[tokio::test]
async fn html_pages_carry_a_content_policy_and_json_is_compressed_on_request_but_streams_never() {
    use serde_json::json;
    let app = spawn_app().await;
    let (lt, s) = crate::live::started_session(&app).await;
    let sale = post_as(
        &app,
        &format!("/api/v1/sessions/{s}/flash-sales"),
        Some(&lt.agent.key),
        json!({"product_id": "prod_002", "price": 10, "stock": 10, "duration_minutes": 15}),
    )
    .await;
    let overlay = sale.body["overlay_url"].as_str().unwrap();
    let page = app.client.get(app.url(overlay)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let h = page.headers();
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    let policy = h["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(policy.contains("connect-src 'self'") && policy.contains("frame-ancestors 'none'"));
    assert!(
        !policy.contains("unsafe-inline") && policy.contains("script-src 'sha256-"),
        "the overlay's script and style are allowed by hash only: {policy}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(
        h["referrer-policy"], "no-referrer",
        "the overlay URL holds its token"
    );

    let report = app
        .get(
            &format!("/api/v1/sessions/{s}/report.html"),
            Some(&lt.agent.key),
        )
        .await;
    assert_eq!(report.status, StatusCode::OK);
    let policy = report.headers["content-security-policy"].to_str().unwrap();
    assert!(
        !policy.contains("script-src"),
        "a report runs no script: {policy}"
    );
    assert_eq!(report.headers["x-content-type-options"], "nosniff");
    let svg = app
        .get(
            &format!("/api/v1/sessions/{s}/report.svg"),
            Some(&lt.agent.key),
        )
        .await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.headers["x-content-type-options"], "nosniff");
    assert!(
        !svg.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src")
    );
    // JSON carries none of them.
    let json_answer = app.get("/healthz", None).await;
    assert!(json_answer.headers.get("content-security-policy").is_none());

    // The API document, asked for with gzip: compressed; without: not.
    let gz = [("Accept-Encoding", "gzip")];
    let doc = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(doc.headers()["content-encoding"], "gzip");
    assert_eq!(&doc.bytes().await.unwrap()[..2], &[0x1f, 0x8b]);
    let plain = app.get("/api/v1/openapi.json", None).await;
    assert!(plain.headers.get("content-encoding").is_none());
    assert!(plain.body["paths"].is_object());
    // A small answer is not worth it.
    let small = app
        .send(
            reqwest::Method::GET,
            "/healthz",
            None,
            None,
            Vec::<u8>::new(),
            &gz,
        )
        .await;
    assert!(small.headers.get("content-encoding").is_none());
    assert_eq!(small.body["status"], "ok");
    // A stream: never compressed, events arrive as sent.
    let mut stream = app
        .client
        .get(app.url(&format!("/api/v1/sessions/{s}/stream")))
        .bearer_auth(&lt.agent.key)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(stream.headers().get("content-encoding").is_none());
    let first = stream.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("event: metrics"));
}

#[tokio::test]
async fn cors_answers_only_for_the_configured_origins() {
    let preflight = |app: &TestApp, origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1/humans"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    // Off by default.
    let app = spawn_app().await;
    let resp = preflight(&app, "https://app.example.com").await.unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());

    let app = spawn_app_with(|s| s.cors_origins = vec!["https://app.example.com".into()]).await;
    let resp = preflight(&app, "https://app.example.com").await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], "https://app.example.com");
    assert!(
        h["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let resp = preflight(&app, "https://evil.example").await.unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    // A request from the origin may read the request id.
    let ok = app
        .client
        .get(app.url("/healthz"))
        .header("Origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(
        ok.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("request-id")
    );
}

#[tokio::test]
async fn with_a_public_url_the_overlay_and_locations_are_absolute_under_it() {
    use serde_json::json;
    let app = spawn_app_with(|s| s.public_url = Some("https://live.example.com/".into())).await;
    let (lt, s) = crate::live::started_session(&app).await;
    let sale = post_as(
        &app,
        &format!("/api/v1/sessions/{s}/flash-sales"),
        Some(&lt.agent.key),
        json!({"product_id": "prod_002", "price": 10, "stock": 10, "duration_minutes": 15}),
    )
    .await;
    let id = sale.body["id"].as_str().unwrap();
    let overlay = sale.body["overlay_url"].as_str().unwrap();
    let path = overlay
        .strip_prefix("https://live.example.com/overlay/flash-sales/")
        .unwrap_or_else(|| panic!("{overlay}"));
    assert!(path.starts_with(&format!("{id}?token=")), "{overlay}");
    assert_eq!(
        sale.headers["location"],
        format!("https://live.example.com/api/v1/flash-sales/{id}").as_str()
    );
    // The same sale read back shows the same link; the page is served at its path.
    let read = app
        .get(&format!("/api/v1/flash-sales/{id}"), Some(&lt.agent.key))
        .await;
    assert_eq!(read.body["overlay_url"], overlay);
    let page = app
        .client
        .get(app.url(overlay.trim_start_matches("https://live.example.com")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    // Without one: relative, as before.
    let app = spawn_app().await;
    let (lt, s) = crate::live::started_session(&app).await;
    let sale = post_as(
        &app,
        &format!("/api/v1/sessions/{s}/flash-sales"),
        Some(&lt.agent.key),
        json!({"product_id": "prod_002", "price": 10, "stock": 10, "duration_minutes": 15}),
    )
    .await;
    assert!(
        sale.body["overlay_url"]
            .as_str()
            .unwrap()
            .starts_with("/overlay/flash-sales/")
    );
}
