//! Post-session reports: the JSON report agrees with the metrics, the SVG and
//! HTML draw it, and a series report puts the weeks side by side.

use std::collections::BTreeSet;

use livehire_server::reports::charts::{MONEY, RETAIN, SALE, VIEWERS};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;
use crate::live::{LiveTask, assigned_task};

/// The seed's four-week series task, assigned to the seed's Flash Sale King
/// Zhang (who has the `flash_sales` and `audience_building` skills it asks for).
async fn assigned_series_task(app: &TestApp) -> LiveTask {
    let agent = app.agent("Series brand").await;
    let mut profile = livehire_sim::hosts::seed_hosts()[2].clone();
    profile.as_object_mut().unwrap().remove("human_id");
    let host = app.host(&profile).await;
    let task = app
        .task(&agent, &seed_json("task_workflow2_series.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let deposit = app
        .post(
            "/api/v1/wallet/deposits",
            Some(&agent.key),
            &json!({"amount": 100000, "currency": "CNY"}),
        )
        .await;
    assert_eq!(deposit.status, StatusCode::CREATED, "{}", deposit.body);
    let invite = app
        .post(
            &format!("/api/v1/tasks/{id}/invitations"),
            Some(&agent.key),
            &json!({"human_id": host.id}),
        )
        .await;
    assert_eq!(invite.status, StatusCode::CREATED, "{}", invite.body);
    let accept = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&host.key),
            &json!({}),
        )
        .await;
    assert_eq!(accept.status, StatusCode::OK, "{}", accept.body);
    LiveTask { agent, host, task }
}

/// A raw answer: status, content type and text.
async fn get_text(app: &TestApp, path: &str, key: &str) -> (StatusCode, String, String) {
    let resp = app
        .client
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, resp.text().await.expect("body"))
}

/// Saves what a test fetched when `LIVEHIRE_REPORT_OUT` names a folder, to look at.
fn keep(name: &str, text: &str) {
    if let Ok(dir) = std::env::var("LIVEHIRE_REPORT_OUT") {
        std::fs::write(std::path::Path::new(&dir).join(name), text).expect("write");
    }
}

/// A chart colour as the SVG writes it.
macro_rules! hex {
    ($c:expr) => {
        format!("#{:02X}{:02X}{:02X}", $c.0, $c.1, $c.2)
    };
}

/// The stroke colours of the drawn lines (`<polyline>` of width 2) in an SVG,
/// after checking it is well-formed XML with an `<svg>` root.
fn line_colours(svg: &str) -> BTreeSet<String> {
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") == Some("2"))
        .filter_map(|n| n.attribute("stroke").map(str::to_string))
        .collect()
}

fn ms(rfc3339: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339.as_str().unwrap())
        .unwrap()
        .timestamp_millis()
}

#[tokio::test]
async fn a_session_report_repeats_the_metrics_and_draws_them_with_the_flash_sale() {
    let app = spawn_app().await;
    let lt = assigned_task(&app, "task_workflow1_launch.json").await;
    let s = lt.session_id(0);
    let agent = Some(lt.agent.key.as_str());
    let started = app
        .post(&format!("/api/v1/sessions/{s}/start"), agent, &json!({}))
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let t0 = ms(&started.body["started_at"]);

    let sale = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            agent,
            &json!({"product_id": "prod_001", "price": 99, "stock": 10, "duration_seconds": 60}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
    let sale_id = sale.body["id"].as_str().unwrap();
    let order = app
        .post(
            &format!("/api/v1/flash-sales/{sale_id}/orders"),
            agent,
            &json!({"buyer_id": "v1", "quantity": 2}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);

    let events = json!([
        {"type": "viewer_join", "ts": t0 + 1, "viewer_id": "v1"},
        {"type": "viewer_join", "ts": t0 + 2, "viewer_id": "v2"},
        {"type": "viewer_join", "ts": t0 + 3, "viewer_id": "v3"},
        {"type": "chat", "ts": t0 + 3, "viewer_id": "v3", "text": "price?"},
        {"type": "order", "ts": t0 + 4, "order_id": "o-html", "viewer_id": "v2",
         "product_id": "<b>x</b>", "quantity": 1, "amount": 50.00, "currency": "CNY"},
        {"type": "viewer_leave", "ts": t0 + 5, "viewer_id": "v3"}
    ]);
    let a = app
        .post(&format!("/api/v1/sessions/{s}/events"), agent, &events)
        .await;
    assert_eq!(a.body["accepted"], 6, "{}", a.body);
    let ended = app
        .post(&format!("/api/v1/sessions/{s}/end"), agent, &json!({}))
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);

    let metrics = app
        .get(&format!("/api/v1/sessions/{s}/metrics"), agent)
        .await
        .body;
    // The host reads the same report as the agent.
    let report = app
        .get(&format!("/api/v1/sessions/{s}/report"), Some(&lt.host.key))
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let r = report.body;
    assert_eq!(r["session"]["id"], s.as_str());
    assert_eq!(r["session"]["status"], "ended");

    // Every figure equals the metrics endpoint's, under the same name.
    let figures = r["metrics"].as_object().unwrap();
    for (name, value) in metrics.as_object().unwrap() {
        let served_beside = [
            "session_id",
            "task_id",
            "status",
            "stream_ended_at",
            "feed",
            "as_of",
            "flash_sale_status",
            "run_of_show",
        ];
        if served_beside.contains(&name.as_str()) {
            continue;
        }
        assert_eq!(figures.get(name), Some(value), "{name}");
    }
    assert_eq!(figures.len(), metrics.as_object().unwrap().len() - 8);
    assert_eq!(r["metrics"]["gmv"].to_string(), "248.00");
    assert_eq!(r["metrics"]["unique_viewers"], 3);
    assert_eq!(r["metrics"]["tiktok_shop"]["items_sold"], 3);
    assert_eq!(r["metrics"]["tiktok_shop"]["customers"], 2);

    // The timeline ends at the session's GMV.
    assert_eq!(r["timeline"]["bucket_seconds"], 60);
    let points = r["timeline"]["points"].as_array().unwrap();
    assert!(!points.is_empty());
    assert_eq!(points[0]["minute"], 0);
    assert_eq!(
        points.last().unwrap()["cumulative_gmv"].to_string(),
        r["metrics"]["gmv"].to_string()
    );

    // The flash sale with its window and what it sold.
    let sales = r["flash_sales"].as_array().unwrap();
    assert_eq!(sales.len(), 1);
    assert_eq!(sales[0]["id"], sale_id);
    assert_eq!(sales[0]["product_id"], "prod_001");
    assert_eq!(sales[0]["sold"], 2);
    assert_eq!(sales[0]["gmv"].to_string(), "198.00");
    // Its one-minute countdown stopped when the session ended first.
    assert_eq!(sales[0]["ends_at"], ended.body["ended_at"]);
    assert!(ms(&sales[0]["ends_at"]) - ms(&sales[0]["starts_at"]) < 60_000);

    let formulas = r["formulas"].as_object().unwrap();
    for name in [
        "acu",
        "pcu",
        "viewers",
        "views",
        "avg_viewing_duration",
        "gmv",
        "items_sold",
        "customers",
        "sku_orders",
        "watch_gpm",
    ] {
        assert!(
            formulas[name].as_str().is_some_and(|f| !f.is_empty()),
            "{name}"
        );
    }

    // The SVG: well-formed, the viewers and GMV lines, the sale marked, the
    // product id escaped.
    let (status, ct, svg) = get_text(
        &app,
        &format!("/api/v1/sessions/{s}/report.svg"),
        &lt.agent.key,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert!(ct.starts_with("image/svg+xml"), "{ct}");
    keep("session_flash_sale.svg", &svg);
    let lines = line_colours(&svg);
    for colour in [VIEWERS, MONEY, SALE] {
        assert!(lines.contains(&hex!(colour)), "{colour:?} in {lines:?}");
    }
    assert!(svg.contains("flash sale: prod_001"));
    assert!(svg.contains("&lt;b&gt;x&lt;/b&gt;"));
    assert!(!svg.contains("<b>x</b>"));

    // The HTML page: the figures beside TikTok Shop's names, the chart inlined,
    // data escaped.
    let (status, ct, page) = get_text(
        &app,
        &format!("/api/v1/sessions/{s}/report.html"),
        &lt.host.key,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(ct.starts_with("text/html"), "{ct}");
    keep("session_flash_sale.html", &page);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg"));
    for shown in [
        "<code>gmv</code>",
        "<code>pcu</code>",
        "<code>items_sold</code>",
        "<code>sku_orders</code>",
        "248.00",
        "198.00",
        "prod_001",
        "&lt;b&gt;x&lt;/b&gt;",
        // Every figure here came from the agent and its checkout: verified.
        "Who reported what",
        "Figures from: <code>verified</code>",
        "<tr><td>GMV</td><td class=\"num\">248.00</td><td class=\"num\">—</td></tr>",
    ] {
        assert!(page.contains(shown), "{shown}");
    }
    assert!(!page.contains("<b>x</b>"));
    for external in ["<script", "<link", " src=", "href=", "url("] {
        assert!(!page.contains(external), "nothing fetched: {external}");
    }

    // Another agent cannot tell the session exists, in any format.
    let other = app.agent("Other brand").await;
    for suffix in ["report", "report.svg", "report.html"] {
        let (status, _, _) =
            get_text(&app, &format!("/api/v1/sessions/{s}/{suffix}"), &other.key).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{suffix}");
    }
}

/// One week of a series: `viewers` viewers arriving 10 s apart and leaving
/// after 10 + 7·i minutes (the last stays to the end at 90 minutes), and
/// orders of the given amounts, from `t0`.
fn week_events(t0: i64, viewers: i64, orders: &[&str]) -> Value {
    let min = 60_000;
    let mut e = Vec::new();
    for i in 0..viewers {
        let v = format!("viewer_{i}");
        e.push(json!({"type": "viewer_join", "ts": t0 + i * 10_000, "viewer_id": v}));
        let leave = if i + 1 == viewers {
            t0 + 90 * min
        } else {
            t0 + (10 + 7 * i).min(89) * min
        };
        e.push(json!({"type": "viewer_leave", "ts": leave, "viewer_id": v}));
    }
    for (k, amount) in orders.iter().enumerate() {
        let k = k as i64;
        e.push(json!({"type": "order", "ts": t0 + (5 + 20 * k) * min,
            "order_id": format!("o{k}"), "viewer_id": format!("viewer_{k}"),
            "product_id": format!("prod_00{}", k % 3 + 1), "quantity": 1,
            "amount": amount.parse::<f64>().unwrap(), "currency": "CNY"}));
    }
    Value::Array(e)
}

#[tokio::test]
async fn a_series_report_puts_four_weeks_side_by_side_with_growth() {
    let app = spawn_app().await;
    let lt = assigned_series_task(&app).await;
    let task_id = lt.task["id"].as_str().unwrap();
    let agent = Some(lt.agent.key.as_str());
    let week = 7 * 24 * 3_600_000;
    let t0 = 2_000_000_000_000i64;
    // Week 3 was not monitored here.
    let weeks: [(usize, i64, &[&str]); 3] = [
        (0, 8, &["60.00", "60.00"]),
        (1, 10, &["100.50", "80.00"]),
        (3, 13, &["100.00", "90.00", "60.00"]),
    ];
    // The weeks ran elsewhere; the agent imports each recording afterwards.
    app.app
        .travel_to(chrono::DateTime::from_timestamp_millis(t0 + 4 * week).unwrap());
    for (i, viewers, orders) in weeks {
        let s = lt.session_id(i);
        let a = app
            .post(
                &format!("/api/v1/sessions/{s}/import"),
                agent,
                &week_events(t0 + i as i64 * week, viewers, orders),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        assert_eq!(a.body["status"], "ended", "{}", a.body);
        assert_eq!(
            a.body["imported"]["accepted"].as_u64().unwrap() as i64,
            viewers * 2 + orders.len() as i64
        );
    }

    let report = app
        .get(&format!("/api/v1/tasks/{task_id}/report"), agent)
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let r = report.body;
    let rows = r["sessions"].as_array().unwrap();
    let weeks: Vec<i64> = rows.iter().map(|s| s["week"].as_i64().unwrap()).collect();
    assert_eq!(weeks, [1, 2, 3, 4]);
    let viewers: Vec<Value> = rows.iter().map(|s| s["unique_viewers"].clone()).collect();
    assert_eq!(viewers, [json!(8), json!(10), Value::Null, json!(13)]);
    let gmv: Vec<String> = rows.iter().map(|s| s["gmv"].to_string()).collect();
    assert_eq!(gmv, ["120.00", "180.50", "null", "250.00"]);
    let orders: Vec<Value> = rows.iter().map(|s| s["orders"].clone()).collect();
    assert_eq!(orders, [json!(2), json!(2), Value::Null, json!(3)]);
    assert_eq!(rows[2]["monitored"], false);
    for field in [
        "peak_concurrent_viewers",
        "conversion_rate",
        "avg_watch_time_seconds",
    ] {
        assert!(rows[2][field].is_null(), "{field}");
        assert!(rows[0][field].is_number(), "{field}");
    }
    assert_eq!(rows[0]["conversion_rate"].to_string(), "0.2500");

    // Each week's figures are that session's metrics.
    let m = app
        .get(
            &format!("/api/v1/sessions/{}/metrics", lt.session_id(1)),
            agent,
        )
        .await
        .body;
    for field in [
        "unique_viewers",
        "peak_concurrent_viewers",
        "gmv",
        "orders",
        "conversion_rate",
        "avg_watch_time_seconds",
    ] {
        assert_eq!(rows[1][field], m[field], "{field}");
    }

    // Growth from week 1 to week 4, in %, one decimal.
    let pct = |from: f64, to: f64| format!("{:.1}", (to - from) / from * 100.0);
    assert_eq!(pct(8.0, 13.0), "62.5");
    assert_eq!(pct(120.0, 250.0), "108.3");
    let g = &r["growth"];
    assert_eq!(g["from_week"], 1);
    assert_eq!(g["to_week"], 4);
    assert_eq!(g["from_session_id"], lt.session_id(0).as_str());
    assert_eq!(g["to_session_id"], lt.session_id(3).as_str());
    assert_eq!(g["unique_viewers_pct"].to_string(), pct(8.0, 13.0));
    assert_eq!(g["gmv_pct"].to_string(), pct(120.0, 250.0));

    // The page: the table, the growth, a bar chart per figure.
    let (status, ct, page) = get_text(
        &app,
        &format!("/api/v1/tasks/{task_id}/report.html"),
        &lt.host.key,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(ct.starts_with("text/html"), "{ct}");
    keep("series.html", &page);
    assert_eq!(page.matches("<svg").count(), 6);
    for shown in [
        "Week 1",
        "Week 4",
        "+62.5%",
        "+108.3%",
        "180.50",
        "n/a",
        "Home organization",
    ] {
        assert!(page.contains(shown), "{shown}");
    }
    let theme_escaped = "Fashion &amp; jewelry";
    assert!(page.contains(theme_escaped));

    // A 90-minute week draws all three curves.
    let s0 = lt.session_id(0);
    let (status, _, svg) = get_text(
        &app,
        &format!("/api/v1/sessions/{s0}/report.svg"),
        &lt.agent.key,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    keep("series_week1.svg", &svg);
    let lines = line_colours(&svg);
    for colour in [VIEWERS, MONEY, RETAIN] {
        assert!(lines.contains(&hex!(colour)), "{colour:?} in {lines:?}");
    }
    assert!(!lines.contains(&hex!(SALE)), "no flash sale that week");
    let r0 = app
        .get(&format!("/api/v1/sessions/{s0}/report"), agent)
        .await
        .body;
    assert_eq!(r0["window"]["minutes"].to_string(), "90.00");
    assert_eq!(r0["timeline"]["points"].as_array().unwrap().len(), 90);
    assert_eq!(r0["metrics"]["retention"]["after_join"][0]["minutes"], 1);
}
