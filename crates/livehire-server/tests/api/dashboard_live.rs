//! The dashboard's live pages over HTTP as a browser sends them: the
//! monitor, a session's page with its figures and flash sales, the event
//! stream over the cookie, the reports, the CSV downloads and the assets.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

use crate::dashboard::{Browser, Seen};
use crate::harness::*;
use crate::live::{assigned_task, start_at, started_session, travel};

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A browser logged in with an API key.
async fn logged_in<'a>(app: &'a TestApp, key: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    let ok = b.submit("/login", "/login", &[("api_key", key)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    b
}

/// The text of the element carrying `attr` (`data-metric="gmv"`), up to its
/// closing tag.
fn marked(page: &Seen, attr: &str) -> String {
    let at = page
        .text
        .find(attr)
        .unwrap_or_else(|| panic!("{attr} on the page: {}", page.text));
    let rest = &page.text[at..];
    let open = rest.find('>').unwrap() + 1;
    rest[open..open + rest[open..].find('<').unwrap()].to_string()
}

/// The value of `href` or `src` starting with `prefix` on the page.
fn link(page: &Seen, prefix: &str) -> String {
    let at = page
        .text
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix} on the page"));
    let rest = &page.text[at..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn post_events(app: &TestApp, key: &str, session: &str, events: Value) {
    let a = app
        .post(
            &format!("/api/v1/sessions/{session}/events"),
            Some(key),
            &events,
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["rejected"], json!([]), "{}", a.body);
}

#[tokio::test]
async fn assets_are_served_immutable_with_their_type_and_pages_may_run_only_them() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let login = b.get("/login").await;
    let policy = login.headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("script-src 'self'")
            && policy.contains("connect-src 'self'")
            && policy.contains("style-src 'self'")
            && !policy.contains("unsafe-inline")
            && !policy.contains("unsafe-eval"),
        "{policy}"
    );
    let css = link(&login, "/assets/app-");
    let js = link(&login, "/assets/dashboard-");
    assert!(!login.text.contains("<script>"), "no inline script");
    for (path, kind) in [
        (css.as_str(), "text/css; charset=utf-8"),
        (js.as_str(), "text/javascript; charset=utf-8"),
    ] {
        let got = b.get(path).await;
        assert_eq!(got.status, StatusCode::OK, "{path}");
        assert_eq!(got.headers["content-type"], kind, "{path}");
        assert_eq!(
            got.headers["cache-control"], "public, max-age=31536000, immutable",
            "{path}"
        );
    }
    let style = b.get(&css).await.text;
    assert!(
        style.contains(".badge.live"),
        "the live pages' styles are in"
    );
    let script = b.get(&js).await.text;
    assert!(script.contains("button[data-copy]") && script.contains("EventSource"));
    for missing in [
        "/assets/app-000000000000.css",
        "/assets/uPlot.js",
        "/assets/x",
    ] {
        assert_eq!(
            b.get(missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

#[tokio::test]
async fn the_monitor_and_session_page_show_the_posted_figures_to_the_agent_and_its_host_only() {
    let app = spawn_app().await;
    let (lt, s) = started_session(&app).await;
    let t = now_ms();
    post_events(
        &app,
        &lt.agent.key,
        &s,
        json!([
            {"type": "viewer_join", "ts": t, "viewer_id": "v1"},
            {"type": "viewer_join", "ts": t, "viewer_id": "v2"},
            {"type": "viewer_join", "ts": t, "viewer_id": "v3"},
            {"type": "viewer_leave", "ts": t + 10, "viewer_id": "v3"},
            {"type": "chat", "ts": t + 20, "viewer_id": "v1", "text": "hi"},
            {"type": "chat", "ts": t + 30, "viewer_id": "v2", "text": "price?"},
            {"type": "question", "ts": t + 40, "viewer_id": "v2", "text": "dry skin?"},
            {"type": "order", "ts": t + 50, "order_id": "o1", "viewer_id": "v1", "product_id": "prod_001", "quantity": 2, "amount": 278.60, "currency": "CNY"}
        ]),
    )
    .await;

    let mut agent = logged_in(&app, &lt.agent.key).await;
    let monitor = agent.get("/dashboard/tiktok-live").await;
    assert_eq!(monitor.status, StatusCode::OK);
    let title = lt.task["title"].as_str().unwrap();
    assert!(monitor.text.contains(title), "{}", monitor.text);
    assert!(
        monitor
            .text
            .contains(&format!("href=\"/dashboard/sessions/{s}\"")),
        "{}",
        monitor.text
    );
    assert!(
        monitor.text.contains("1 session live now"),
        "{}",
        monitor.text
    );
    let task_id = lt.task["id"].as_str().unwrap();
    assert!(
        monitor
            .text
            .contains(&format!("href=\"/dashboard/tasks/{task_id}/report\"")),
        "the task's series report"
    );
    assert!(monitor.text.contains("href=\"/dashboard/ledger.csv\""));
    let live_row = monitor.text.find("data-status=\"live\"").unwrap();
    let scheduled_row = monitor.text.find("data-status=\"scheduled\"");
    assert!(
        scheduled_row.is_none_or(|r| r > live_row),
        "live sessions first"
    );

    let page = agent.get(&format!("/dashboard/sessions/{s}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(marked(&page, "data-metric=\"concurrent_viewers\""), "2");
    assert_eq!(
        marked(&page, "data-metric=\"peak_concurrent_viewers\""),
        "3"
    );
    assert_eq!(marked(&page, "data-metric=\"unique_viewers\""), "3");
    assert_eq!(marked(&page, "data-metric=\"gmv\""), "¥278.60");
    assert_eq!(marked(&page, "data-metric=\"orders\""), "1");
    assert_eq!(marked(&page, "data-metric=\"conversion_rate\""), "33.3%");
    assert_eq!(marked(&page, "data-metric=\"chat_messages\""), "2");
    assert_eq!(marked(&page, "data-metric=\"questions\""), "1");
    assert!(
        page.text
            .contains(&format!("data-stream=\"/dashboard/sessions/{s}/stream\"")),
        "the script's stream"
    );
    assert!(page.text.contains("data-chart=\"concurrent_viewers\""));
    assert!(page.text.contains("/assets/uPlot-"), "uPlot is loaded");
    assert!(
        page.text.contains("Vitamin C Serum"),
        "the sale form offers the task's products by name"
    );
    assert!(page.text.contains("End the session"), "{}", page.text);

    // The host sees its own session; in Chinese when it asks.
    let mut host = logged_in(&app, &lt.host.key).await;
    let mine = host.get("/dashboard/tiktok-live").await;
    assert!(mine.text.contains(&s), "{}", mine.text);
    host.lang = "zh-CN";
    let zh = host.get(&format!("/dashboard/sessions/{s}")).await;
    assert_eq!(zh.status, StatusCode::OK);
    assert!(
        zh.text.contains("当前观看人数") && zh.text.contains("直播中"),
        "{}",
        zh.text
    );
    assert_eq!(marked(&zh, "data-metric=\"gmv\""), "¥278.60");

    // Another agent and a host of another task: 404, as if it did not exist.
    let stranger = app.agent("Other brand").await;
    let mut other = logged_in(&app, &stranger.key).await;
    let denied = other.get(&format!("/dashboard/sessions/{s}")).await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);
    let theirs = other.get("/dashboard/tiktok-live").await;
    assert!(!theirs.text.contains(&s), "{}", theirs.text);
    assert_eq!(
        other
            .get(&format!("/dashboard/sessions/{s}/stream"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mut profile = livehire_sim::hosts::seed_hosts()[0].clone();
    profile.as_object_mut().unwrap().remove("human_id");
    let unrelated = app.host(&profile).await;
    let mut other_host = logged_in(&app, &unrelated.key).await;
    assert_eq!(
        other_host
            .get(&format!("/dashboard/sessions/{s}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other_host
            .get(&format!("/dashboard/sessions/{s}/report"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Not logged in: to the login page.
    let mut nobody = Browser::new(&app);
    let out = nobody.get(&format!("/dashboard/sessions/{s}")).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_flash_sale_started_from_the_page_counts_down_and_its_orders_download_as_csv() {
    let app = spawn_app().await;
    let (lt, s) = started_session(&app).await;
    let mut agent = logged_in(&app, &lt.agent.key).await;
    let page = format!("/dashboard/sessions/{s}");
    let action = format!("/dashboard/sessions/{s}/flash-sales");
    let sale = [
        ("product_id", "prod_001"),
        ("price", "139.30"),
        ("stock", "5"),
        ("per_buyer_limit", "2"),
        ("duration_minutes", "10"),
    ];

    // Without the page's token: 403 and no sale.
    let forged = agent.post(&action, &sale).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(agent.get(&page).await.text.contains("No flash sales yet."));

    // A bad stock: the form again with the reason.
    let mut bad = sale.to_vec();
    bad[2] = ("stock", "lots");
    let refused = agent.submit(&page, &action, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text.contains("Stock: must be a whole number"),
        "{}",
        refused.text
    );

    let started = agent.submit(&page, &action, &sale).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text);
    assert_eq!(started.headers["location"], format!("{page}#flash-sales"));
    let shown = agent.get(&page).await;
    let id = {
        let at = shown.text.find("data-sale=\"").expect("the sale's row") + 11;
        shown.text[at..at + shown.text[at..].find('"').unwrap()].to_string()
    };
    assert!(id.starts_with("ph_fs_"), "{id}");
    assert_eq!(marked(&shown, "data-field=\"remaining\""), "5");
    assert!(shown.text.contains("data-status=\"active\""));
    assert!(shown.text.contains("¥139.30"));
    assert!(
        shown.text.contains("data-copy=\"/overlay/flash-sales/")
            || shown.text.contains("/overlay/flash-sales/"),
        "the overlay link's copy button"
    );
    assert!(shown.text.contains("data-copy-url"), "copied as a full URL");

    // Five units sell: three orders, then sold out.
    for (buyer, qty) in [("b1", 2), ("b2", 2), ("b3", 1)] {
        let o = app
            .post(
                &format!("/api/v1/flash-sales/{id}/orders"),
                Some(&lt.agent.key),
                &json!({"buyer_id": buyer, "quantity": qty}),
            )
            .await;
        assert_eq!(o.status, StatusCode::CREATED, "{}", o.body);
    }
    let sold = agent.get(&page).await;
    assert_eq!(marked(&sold, "data-field=\"remaining\""), "0");
    assert!(sold.text.contains("data-status=\"sold_out\""));
    assert_eq!(marked(&sold, "data-countdown"), "Sold out");

    let csv = agent
        .get(&format!("/dashboard/flash-sales/{id}/orders.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.headers["content-disposition"],
        format!("attachment; filename=\"{id}-orders.csv\"")
    );
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "order_id,buyer_id,product_id,quantity,unit_price,amount,currency,created_at"
    );
    let rows: Vec<Vec<&str>> = lines[1..].iter().map(|l| l.split(',').collect()).collect();
    let picked: Vec<(&str, &str, &str, &str)> =
        rows.iter().map(|r| (r[1], r[3], r[4], r[5])).collect();
    assert_eq!(
        picked,
        [
            ("b1", "2", "139.30", "278.60"),
            ("b2", "2", "139.30", "278.60"),
            ("b3", "1", "139.30", "139.30")
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r[0].starts_with("ph_ord_") && r[2] == "prod_001" && r[6] == "CNY")
    );

    // The host runs the session but the orders are the agent's.
    let mut host = logged_in(&app, &lt.host.key).await;
    let theirs = host
        .get(&format!("/dashboard/flash-sales/{id}/orders.csv"))
        .await;
    assert_ne!(theirs.status, StatusCode::OK);

    // The ledger: the deposit and the escrow, exact.
    let ledger = agent.get("/dashboard/ledger.csv").await;
    assert_eq!(ledger.status, StatusCode::OK);
    assert_eq!(
        ledger.headers["content-disposition"],
        "attachment; filename=\"ledger.csv\""
    );
    assert!(
        ledger
            .text
            .starts_with("entry_id,created_at,kind,task_id,reference,account,amount,currency\n"),
        "{}",
        ledger.text
    );
    assert!(
        ledger.text.lines().any(|l| l.contains(",deposit,")
            && l.contains(&format!("agent:{}:available,100000.00,CNY", lt.agent.id))),
        "{}",
        ledger.text
    );
}

#[tokio::test]
async fn the_stream_sends_the_figures_over_the_cookie_after_an_ingest() {
    let app = spawn_app().await;
    let (lt, s) = started_session(&app).await;
    let b = logged_in(&app, &lt.agent.key).await;
    let mut resp = b
        .client
        .get(app.url(&format!("/dashboard/sessions/{s}/stream")))
        .header(COOKIE, b.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let t = now_ms();
    post_events(
        &app,
        &lt.agent.key,
        &s,
        json!([
            {"type": "viewer_join", "ts": t, "viewer_id": "a"},
            {"type": "viewer_join", "ts": t, "viewer_id": "b"},
            {"type": "order", "ts": t + 5, "order_id": "o9", "viewer_id": "a", "product_id": "prod_002", "quantity": 1, "amount": 99.50, "currency": "CNY"}
        ]),
    )
    .await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(seen.contains("\"concurrent_viewers\":2") && seen.contains("\"gmv\":99.50")) {
        let chunk = tokio::time::timeout_at(deadline, resp.chunk())
            .await
            .expect("a metrics event within 10 s")
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        seen.starts_with("event: metrics\n")
            || seen.contains("\nevent: metrics\n")
            || seen.contains("event: metrics"),
        "{seen}"
    );

    // Without the cookie the stream is not served.
    let anon = b
        .client
        .get(app.url(&format!("/dashboard/sessions/{s}/stream")))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_ended_session_has_its_report_page_and_per_minute_csv() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let t0 = 2_000_000_000_000i64;
    start_at(&app, &lt.host.key, &s, t0).await;
    travel(&app, t0 + 181_000);
    post_events(
        &app,
        &lt.agent.key,
        &s,
        json!([
            {"type": "viewer_join", "ts": t0 + 1_000, "viewer_id": "v1"},
            {"type": "viewer_join", "ts": t0 + 61_000, "viewer_id": "v2"},
            {"type": "order", "ts": t0 + 90_000, "order_id": "o1", "viewer_id": "v1", "product_id": "prod_002", "quantity": 1, "amount": 186.75, "currency": "CNY"},
            {"type": "viewer_leave", "ts": t0 + 150_000, "viewer_id": "v2"}
        ]),
    )
    .await;
    let ended = app
        .post(
            &format!("/api/v1/sessions/{s}/end"),
            Some(&lt.host.key),
            &json!({}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);

    let mut agent = logged_in(&app, &lt.agent.key).await;
    let report = agent.get(&format!("/dashboard/sessions/{s}/report")).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    assert_eq!(marked(&report, "data-figure=\"gmv\""), "¥186.75");
    assert_eq!(marked(&report, "data-figure=\"unique_viewers\""), "2");
    assert_eq!(
        marked(&report, "data-figure=\"peak_concurrent_viewers\""),
        "2"
    );
    assert!(report.text.contains("<svg"), "the report's charts");
    assert!(
        report.text.contains("Retinol Night Cream"),
        "products by name: {}",
        report.text
    );
    assert!(report.text.contains("Payout and ROI"));
    let policy = report.headers["content-security-policy"].to_str().unwrap();
    assert!(!policy.contains("unsafe-inline"), "{policy}");

    let series = agent
        .get(&format!(
            "/dashboard/tasks/{}/report",
            lt.task["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(series.status, StatusCode::OK, "{}", series.text);
    assert!(series.text.contains("Series report") && series.text.contains("¥186.75"));

    let csv = agent
        .get(&format!("/dashboard/sessions/{s}/minutes.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        csv.headers["content-disposition"],
        format!("attachment; filename=\"{s}-minutes.csv\"")
    );
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "minute,at,concurrent_viewers,cumulative_gmv,currency"
    );
    println!("{}", csv.text);
    let last = lines.last().unwrap();
    assert!(last.ends_with(",186.75,CNY"), "{}", csv.text);
}

#[tokio::test]
async fn the_overlay_speaks_chinese_when_asked() {
    let app = spawn_app().await;
    let (lt, s) = started_session(&app).await;
    let sale = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            Some(&lt.agent.key),
            &json!({"product_id": "prod_001", "price": 99, "stock": 7, "duration_minutes": 3}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
    let url = sale.body["overlay_url"].as_str().unwrap();
    let path = &url[url.find("/overlay/").unwrap()..];
    let get = |path: String, accept: &'static str| {
        let client = app.client.clone();
        let url = app.url(&path);
        async move {
            client
                .get(url)
                .header("accept-language", accept)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let en = get(path.to_string(), "en").await;
    assert!(
        en.contains("Flash sale") && en.contains("of 7 left"),
        "{en}"
    );
    let zh = get(format!("{path}&lang=zh-CN"), "en").await;
    assert!(
        zh.contains("lang=\"zh-CN\"") && zh.contains("限时抢购"),
        "{zh}"
    );
    assert!(zh.contains("剩余"), "{zh}");
    let by_header = get(path.to_string(), "zh-CN,zh;q=0.9").await;
    assert!(by_header.contains("限时抢购"), "{by_header}");
}

#[tokio::test]
async fn the_host_starts_and_ends_its_session_from_its_page_and_sees_the_plans_segment() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let task_id = lt.task["id"].as_str().unwrap();
    let plan = app
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/tasks/{task_id}/run-of-show"),
            Some(&lt.agent.key),
            None,
            Vec::<u8>::new(),
            &[],
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let first = plan.body["sessions"][0]["segments"][0]["title"]
        .as_str()
        .unwrap()
        .replace('&', "&amp;");

    let mut host = logged_in(&app, &lt.host.key).await;
    let page = format!("/dashboard/sessions/{s}");
    let before = host.get(&page).await;
    assert!(before.text.contains("Go live"), "{}", before.text);
    assert!(before.text.contains("has not started"), "{}", before.text);
    assert!(
        before
            .text
            .contains("Flash sales start while the session is live.")
    );

    // Without the page's token nothing starts.
    let forged = host.post(&format!("{page}/start"), &[]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let api = app
        .get(&format!("/api/v1/sessions/{s}"), Some(&lt.agent.key))
        .await;
    assert_eq!(api.body["status"], "scheduled");

    let started = host.submit(&page, &format!("{page}/start"), &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text);
    let api = app
        .get(&format!("/api/v1/sessions/{s}"), Some(&lt.agent.key))
        .await;
    assert_eq!(api.body["status"], "live");
    let live = host.get(&page).await;
    assert!(
        live.text.contains(&format!("segment 1, “{first}”")),
        "the plan's first segment: {}",
        live.text
    );
    assert!(live.text.contains("End the session"));

    // The page's stream moves the place on as the session goes: past the
    // first segment's end it names the second.
    let segment = &plan.body["sessions"][0]["segments"][1];
    let second = segment["title"].as_str().unwrap();
    let from = segment["start_minute"].as_i64().unwrap();
    let mut stream = host
        .client
        .get(app.url(&format!("{page}/stream")))
        .header(COOKIE, host.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    app.app.advance_clock(chrono::Duration::minutes(from + 1));
    let wanted = format!("segment 2, “{second}”");
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !seen
        .split("event: run_of_show\ndata: ")
        .skip(1)
        .any(|d| d.contains(&wanted))
    {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no run_of_show event naming {wanted:?} in 15 s: {seen}"))
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(stream);

    let ended = host.submit(&page, &format!("{page}/end"), &[]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.text);
    let api = app
        .get(&format!("/api/v1/sessions/{s}"), Some(&lt.agent.key))
        .await;
    assert_eq!(api.body["status"], "ended");
    let after = host.get(&page).await;
    assert!(
        !after.text.contains("data-stream="),
        "an ended session streams nothing"
    );
    assert!(
        after
            .text
            .contains(&format!("/dashboard/sessions/{s}/report"))
    );
    // Starting again is refused by the service: a 409 page.
    let again = host.submit(&page, &format!("{page}/start"), &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}
