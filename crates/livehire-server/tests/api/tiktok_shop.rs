//! TikTok Shop orders (SPEC §6): the order-status webhook, checked against a
//! local stand-in for the TikTok Shop API that serves 202309 order details.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::harness::*;

const WEBHOOK: &str = "/api/v1/integrations/tiktok-shop/webhook";
const SHOP: &str = "7494049642642441621";
const APP_KEY: &str = "6b1sqeq5vtdhh";
const APP_SECRET: &str = "e59af819cc7d6b1ac5f8a2c1d3e4f5a6b7c8d9e0";
const TOKEN: &str = "ROW_tts_access_token_example";
const CIPHER: &str = "ROW_AbCdEfGhIjKlMnOp";

/// A request the stand-in received: its query, its access-token header.
type Call = (HashMap<String, String>, Option<String>);

/// The stand-in TikTok Shop API: orders by id, a switch that makes it fail, and
/// the requests it received.
#[derive(Clone, Default)]
struct StandIn {
    orders: Arc<Mutex<HashMap<String, Value>>>,
    failing: Arc<AtomicBool>,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl StandIn {
    async fn spawn() -> (String, StandIn) {
        let state = StandIn::default();
        let router = axum::Router::new()
            .route("/order/202309/orders", axum::routing::get(order_detail))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        (base, state)
    }

    fn add(&self, order: Value) {
        let id = order["id"].as_str().unwrap().to_string();
        self.orders.lock().unwrap().insert(id, order);
    }

    fn calls(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

/// `GET /order/202309/orders?ids=…`, in the 202309 response shape.
async fn order_detail(
    State(s): State<StandIn>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get("x-tts-access-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    s.calls.lock().unwrap().push((q.clone(), token));
    if s.failing.load(Ordering::SeqCst) {
        return (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "upstream trouble",
        )
            .into_response();
    }
    let orders: Vec<Value> = {
        let all = s.orders.lock().unwrap();
        q.get("ids")
            .map(String::as_str)
            .unwrap_or("")
            .split(',')
            .filter_map(|id| all.get(id).cloned())
            .collect()
    };
    axum::Json(json!({
        "code": 0,
        "message": "Success",
        "request_id": "202601011200000000",
        "data": {"orders": orders}
    }))
    .into_response()
}

/// A 202309 order detail: one line item per unit, `(product_id, sku_id, sale_price)`.
fn tts_order(id: &str, create_time: i64, total: &str, units: &[(&str, &str, &str)]) -> Value {
    let line_items: Vec<Value> = units
        .iter()
        .enumerate()
        .map(|(i, (product, sku, price))| {
            json!({"id": format!("{id}{i}"), "product_id": product, "sku_id": sku,
                "product_name": "Hydra serum", "sale_price": price, "original_price": price,
                "currency": "CNY", "display_status": "AWAITING_SHIPMENT"})
        })
        .collect();
    json!({
        "id": id,
        "status": "AWAITING_SHIPMENT",
        "create_time": create_time,
        "update_time": create_time,
        "user_id": "7000000000000000001",
        "payment": {"currency": "CNY", "total_amount": total, "sub_total": total,
            "shipping_fee": "0.00", "tax": "0.00"},
        "line_items": line_items,
    })
}

fn notification(id: &str, shop: &str, order: &str, status: &str) -> String {
    notification_at(id, shop, order, status, chrono::Utc::now().timestamp())
}

/// A notification whose `timestamp` is `at` (epoch seconds).
fn notification_at(id: &str, shop: &str, order: &str, status: &str, at: i64) -> String {
    json!({
        "type": 1,
        "tts_notification_id": id,
        "shop_id": shop,
        "timestamp": at,
        "data": {"order_id": order, "order_status": status, "is_on_hold_order": false,
            "update_time": at}
    })
    .to_string()
}

/// Hex HMAC-SHA256 of app key + body, keyed by the app secret.
fn sign(key: &str, secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(key.as_bytes());
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// TikTok Shop's request signature: hex HMAC-SHA256, keyed by the app secret,
/// of secret + path + each parameter but `sign` and `access_token` as key and
/// value in key order + secret (the order-detail call has no body).
fn api_sign(path: &str, query: &HashMap<String, String>) -> String {
    let mut keys: Vec<&String> = query
        .keys()
        .filter(|k| *k != "sign" && *k != "access_token")
        .collect();
    keys.sort();
    let mut text = format!("{APP_SECRET}{path}");
    for k in keys {
        text.push_str(k);
        text.push_str(&query[k]);
    }
    text.push_str(APP_SECRET);
    let mut mac = Hmac::<Sha256>::new_from_slice(APP_SECRET.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn deliver_signed(app: &TestApp, body: &str, signature: &str) -> Answer {
    app.send(
        Method::POST,
        WEBHOOK,
        None,
        Some("application/json"),
        body.to_string(),
        &[("authorization", signature)],
    )
    .await
}

async fn deliver(app: &TestApp, body: &str) -> Answer {
    deliver_signed(app, body, &sign(APP_KEY, APP_SECRET, body)).await
}

/// An agent whose assigned Workflow 1 task sells through `SHOP`, with the shop
/// connected to the stand-in API.
struct ShopTask {
    agent: Agent,
    host: Host,
    session: String,
}

async fn shop_task(app: &TestApp, api: &str) -> ShopTask {
    let st = assigned_shop_task(app, "Glow Labs").await;
    let c = connect_shop(app, &st.agent, APP_KEY, APP_SECRET, api).await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.body);
    st
}

/// Connects `SHOP` for `agent` with the given app credentials (a claim until
/// a webhook signed with them proves it).
async fn connect_shop(app: &TestApp, agent: &Agent, key: &str, secret: &str, api: &str) -> Answer {
    app.post(
        "/api/v1/integrations/tiktok-shop",
        Some(&agent.key),
        &json!({"shop_id": SHOP, "app_key": key, "app_secret": secret,
            "access_token": TOKEN, "api_base_url": api, "shop_cipher": CIPHER}),
    )
    .await
}

/// An agent's assigned Workflow 1 task that sells through `SHOP`, its shop
/// not connected yet.
async fn assigned_shop_task(app: &TestApp, agent_name: &str) -> ShopTask {
    // The stand-in listens on 127.0.0.1 over plain http.
    app.app.allow_private_tiktok_shop_urls(true);
    let agent = app.agent(agent_name).await;
    let mut profile = livehire_sim::hosts::seed_hosts()[1].clone();
    profile.as_object_mut().unwrap().remove("human_id");
    // One host per agent, each with a handle of its own.
    let handle: String = agent_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    profile["tiktok_handle"] = json!(format!("@host_of_{}", handle.to_lowercase()));
    let host = app.verified_host(&profile).await;
    let mut body = seed_json("task_workflow1_launch.json");
    body["live_session_details"]["tiktok_shop_id"] = json!(SHOP);
    let task = app.task(&agent, &body).await;
    let id = task["id"].as_str().unwrap();
    let d = app
        .post(
            "/api/v1/wallet/deposits",
            Some(&agent.key),
            &json!({"amount": 100000, "currency": "CNY"}),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.body);
    let i = app
        .post(
            &format!("/api/v1/tasks/{id}/invitations"),
            Some(&agent.key),
            &json!({"human_id": host.id}),
        )
        .await;
    assert_eq!(i.status, StatusCode::CREATED, "{}", i.body);
    let a = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&host.key),
            &json!({}),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    ShopTask {
        agent,
        host,
        session: task["sessions"][0]["id"].as_str().unwrap().to_string(),
    }
}

impl ShopTask {
    async fn start(&self, app: &TestApp) {
        let s = app
            .post(
                &format!("/api/v1/sessions/{}/start", self.session),
                Some(&self.host.key),
                &json!({}),
            )
            .await;
        assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    }

    async fn metrics(&self, app: &TestApp) -> Value {
        let m = app
            .get(
                &format!("/api/v1/sessions/{}/metrics", self.session),
                Some(&self.agent.key),
            )
            .await;
        assert_eq!(m.status, StatusCode::OK, "{}", m.body);
        m.body
    }
}

/// Seconds since the epoch, a second ahead: after a session started just now.
fn just_now() -> i64 {
    chrono::Utc::now().timestamp() + 1
}

#[tokio::test]
async fn a_paid_order_counts_once_in_the_live_session_and_a_cancel_refunds_it() {
    let app = spawn_app().await;
    let (api, tts) = StandIn::spawn().await;
    let st = shop_task(&app, &api).await;
    st.start(&app).await;
    tts.add(tts_order(
        "576461413038785752",
        just_now(),
        "298.00",
        &[
            ("1729592969712207", "sku_30ml", "119.50"),
            ("1729592969712207", "sku_30ml", "119.50"),
            ("1729592969712999", "sku_mask", "59.00"),
        ],
    ));

    let paid = notification("n-1", SHOP, "576461413038785752", "AWAITING_SHIPMENT");
    let a = deliver(&app, &paid).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["outcome"], "attributed");
    assert_eq!(a.body["attributed"], true);
    assert_eq!(a.body["session_id"], st.session.as_str());
    // The stand-in was asked for that order, with the shop's token and app key.
    {
        let calls = tts.calls.lock().unwrap();
        assert_eq!(calls.len(), 1);
        let (query, token) = &calls[0];
        assert_eq!(query["ids"], "576461413038785752");
        assert_eq!(query["app_key"], APP_KEY);
        assert_eq!(query["shop_cipher"], CIPHER);
        assert_eq!(query["sign"], api_sign("/order/202309/orders", query));
        assert_eq!(token.as_deref(), Some(TOKEN));
    }

    let m = st.metrics(&app).await;
    // One event per product: two order lines, three units, 298.00.
    assert_eq!(m["orders"], 2, "{m}");
    assert_eq!(m["units"], 3);
    assert_eq!(m["gmv"].to_string(), "298.00");
    assert_eq!(m["buyers"], 1);
    let products: Vec<(String, u64, u64, String)> = m["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["product_id"].as_str().unwrap().to_string(),
                p["orders"].as_u64().unwrap(),
                p["units"].as_u64().unwrap(),
                p["gmv"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        products,
        [
            ("1729592969712207".into(), 1, 2, "239.00".into()),
            ("1729592969712999".into(), 1, 1, "59.00".into()),
        ]
    );

    // The same notification again, and a later paid status: counted once,
    // without asking TikTok again.
    let again = deliver(&app, &paid).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["outcome"], "duplicate_notification");
    let shipped = notification("n-2", SHOP, "576461413038785752", "IN_TRANSIT");
    let s = deliver(&app, &shipped).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(s.body["outcome"], "already_counted");
    assert_eq!(s.body["attributed"], true);
    assert_eq!(tts.calls(), 1);
    let m = st.metrics(&app).await;
    assert_eq!(
        (m["orders"].clone(), m["units"].clone()),
        (json!(2), json!(3))
    );
    assert_eq!(m["gmv"].to_string(), "298.00");

    // Cancelled after payment: both lines refunded, GMV back to zero.
    let cancel = notification("n-3", SHOP, "576461413038785752", "CANCEL");
    let c = deliver(&app, &cancel).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.body["outcome"], "refunded");
    let m = st.metrics(&app).await;
    assert_eq!(m["orders"], 0, "{m}");
    assert_eq!(m["units"], 0);
    assert_eq!(m["gmv"].to_string(), "0.00");
    assert_eq!(m["refunds"], 2);
    let c2 = deliver(
        &app,
        &notification("n-4", SHOP, "576461413038785752", "CANCELLED"),
    )
    .await;
    assert_eq!(c2.body["outcome"], "already_cancelled", "{}", c2.body);
    assert_eq!(st.metrics(&app).await["refunds"], 2);

    // A restart rebuilds the same figures from the stored events.
    let batches = app.app.store().event_batches(&st.session).await.unwrap();
    // Signed TikTok Shop webhooks are a verified source.
    assert!(batches.iter().all(|b| b.source == "tiktok_shop"));
    let replayed: String = batches.iter().map(|b| b.body.as_str()).collect();
    assert_eq!(replayed.matches("\"order_refund\"").count(), 2);
    assert_eq!(
        replayed
            .matches("\"order_id\":\"576461413038785752:1729592969712207\"")
            .count(),
        2,
        "{replayed}"
    );
}

#[tokio::test]
async fn bad_signatures_and_unknown_shops_get_the_same_401() {
    let app = spawn_app().await;
    let (api, tts) = StandIn::spawn().await;
    let st = shop_task(&app, &api).await;
    st.start(&app).await;
    tts.add(tts_order(
        "1001",
        just_now(),
        "10.00",
        &[("p1", "s1", "10.00")],
    ));
    let body = notification("n-1", SHOP, "1001", "AWAITING_SHIPMENT");

    let forged = deliver_signed(&app, &body, &sign(APP_KEY, "not-the-secret", &body)).await;
    let unsigned = app
        .send(
            Method::POST,
            WEBHOOK,
            None,
            Some("application/json"),
            body.clone(),
            &[],
        )
        .await;
    let other_shop = notification("n-1", "9999", "1001", "AWAITING_SHIPMENT");
    let unknown = deliver(&app, &other_shop).await;
    for a in [&forged, &unsigned, &unknown] {
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
        assert_eq!(a.code(), "unauthorized");
        assert_eq!(a.envelope(), forged.envelope());
    }
    // A signature over a different body does not carry over.
    let tampered = body.replace("1001", "1002");
    let t = deliver_signed(&app, &tampered, &sign(APP_KEY, APP_SECRET, &body)).await;
    assert_eq!(t.status, StatusCode::UNAUTHORIZED);
    assert_eq!(tts.calls(), 0);
    assert_eq!(st.metrics(&app).await["orders"], 0);

    // The genuine one counts (the refused one left nothing behind).
    let ok = deliver(&app, &body).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["outcome"], "attributed");
    assert_eq!(st.metrics(&app).await["orders"], 1);
}

#[tokio::test]
async fn an_order_placed_while_no_session_was_live_is_accepted_and_not_counted() {
    let app = spawn_app().await;
    let (api, tts) = StandIn::spawn().await;
    let st = shop_task(&app, &api).await;
    // Placed an hour ago, before the session started.
    tts.add(tts_order(
        "2001",
        chrono::Utc::now().timestamp() - 3600,
        "88.00",
        &[("p1", "s1", "88.00")],
    ));
    st.start(&app).await;
    let body = notification("n-1", SHOP, "2001", "AWAITING_COLLECTION");
    let a = deliver(&app, &body).await;
    assert_eq!(a.status, StatusCode::ACCEPTED, "{}", a.body);
    assert_eq!(a.body["attributed"], false);
    assert_eq!(a.body["outcome"], "unattributed");
    let m = st.metrics(&app).await;
    assert_eq!(
        (m["orders"].clone(), m["gmv"].to_string()),
        (json!(0), "0.00".to_string())
    );
    // Later statuses of the same order are not fetched again, nor counted.
    let later = deliver(&app, &notification("n-2", SHOP, "2001", "DELIVERED")).await;
    assert_eq!(later.status, StatusCode::ACCEPTED, "{}", later.body);
    assert_eq!(tts.calls(), 1);
    // Statuses before payment are acknowledged and ignored.
    let unpaid = deliver(&app, &notification("n-3", SHOP, "2002", "UNPAID")).await;
    assert_eq!(unpaid.status, StatusCode::OK, "{}", unpaid.body);
    assert_eq!(unpaid.body["outcome"], "ignored");
    assert_eq!(tts.calls(), 1);
}

#[tokio::test]
async fn a_failing_tiktok_shop_api_is_a_502_and_the_retry_counts() {
    let app = spawn_app().await;
    let (api, tts) = StandIn::spawn().await;
    let st = shop_task(&app, &api).await;
    st.start(&app).await;
    tts.add(tts_order(
        "3001",
        just_now(),
        "45.50",
        &[("p1", "s1", "45.50")],
    ));
    tts.failing.store(true, Ordering::SeqCst);
    let body = notification("n-1", SHOP, "3001", "AWAITING_SHIPMENT");
    let a = deliver(&app, &body).await;
    assert_eq!(a.status, StatusCode::BAD_GATEWAY, "{}", a.body);
    assert_eq!(a.code(), "upstream_unavailable");
    assert_eq!(st.metrics(&app).await["orders"], 0);

    // TikTok retries the same notification once the API is back.
    tts.failing.store(false, Ordering::SeqCst);
    let retry = deliver(&app, &body).await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.body);
    assert_eq!(retry.body["outcome"], "attributed");
    let m = st.metrics(&app).await;
    assert_eq!(m["orders"], 1);
    assert_eq!(m["gmv"].to_string(), "45.50");

    // An order the API does not know is a failed fetch too.
    let missing = deliver(&app, &notification("n-2", SHOP, "3999", "COMPLETED")).await;
    assert_eq!(missing.status, StatusCode::BAD_GATEWAY, "{}", missing.body);
}

#[tokio::test]
async fn a_cancellation_before_the_paid_notification_keeps_the_order_out() {
    let app = spawn_app().await;
    let (api, tts) = StandIn::spawn().await;
    let st = shop_task(&app, &api).await;
    st.start(&app).await;
    tts.add(tts_order(
        "4001",
        just_now(),
        "20.00",
        &[("p1", "s1", "20.00")],
    ));
    let c = deliver(&app, &notification("n-1", SHOP, "4001", "CANCEL")).await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.body);
    assert_eq!(c.body["outcome"], "not_counted");
    let late = deliver(
        &app,
        &notification("n-2", SHOP, "4001", "AWAITING_SHIPMENT"),
    )
    .await;
    assert_eq!(late.status, StatusCode::OK, "{}", late.body);
    assert_eq!(late.body["outcome"], "already_cancelled");
    assert_eq!(tts.calls(), 0);
    assert_eq!(st.metrics(&app).await["orders"], 0);
}

#[tokio::test]
async fn a_shop_is_connected_by_one_agent_and_its_secret_is_never_shown() {
    let app = spawn_app().await;
    let (api, _tts) = StandIn::spawn().await;
    let st = shop_task(&app, &api).await;
    let path = "/api/v1/integrations/tiktok-shop";

    let list = app.get(path, Some(&st.agent.key)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let shops = list.body["data"].as_array().unwrap();
    assert_eq!(shops.len(), 1);
    assert_eq!(shops[0]["shop_id"], SHOP);
    assert_eq!(shops[0]["api_base_url"], api.as_str());
    assert_eq!(shops[0]["shop_cipher"], CIPHER);
    assert_eq!(shops[0]["has_access_token"], true);
    assert_eq!(shops[0]["webhook_path"], WEBHOOK);
    assert_eq!(shops[0]["ownership"], "pending");
    let text = list.body.to_string();
    assert!(
        !text.contains(APP_SECRET) && !text.contains(TOKEN),
        "{text}"
    );

    // The same agent replaces its connection; the new secret verifies from now on.
    let again = app
        .post(
            path,
            Some(&st.agent.key),
            &json!({"shop_id": SHOP, "app_key": APP_KEY, "app_secret": "rotated-secret",
                "api_base_url": api}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.body["has_access_token"], false);
    assert!(!again.body.to_string().contains("rotated-secret"));
    let body = notification("n-1", SHOP, "5001", "UNPAID");
    assert_eq!(deliver(&app, &body).await.status, StatusCode::UNAUTHORIZED);
    let ok = deliver_signed(&app, &body, &sign(APP_KEY, "rotated-secret", &body)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let proven = app.get(path, Some(&st.agent.key)).await;
    assert_eq!(proven.body["data"][0]["ownership"], "proven");

    // Once proven, another agent cannot claim the shop, and sees none of it.
    let rival = app.agent("Rival").await;
    let taken = app
        .post(
            path,
            Some(&rival.key),
            &json!({"shop_id": SHOP, "app_key": "k", "app_secret": "s"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    let theirs = app.get(path, Some(&rival.key)).await;
    assert_eq!(theirs.body["data"], json!([]));

    // Hosts do not connect shops; bad fields are named.
    let host = app
        .post(
            path,
            Some(&st.host.key),
            &json!({"shop_id": "1", "app_key": "k", "app_secret": "s"}),
        )
        .await;
    assert_eq!(host.status, StatusCode::FORBIDDEN, "{}", host.body);
    let bad = app
        .post(
            path,
            Some(&st.agent.key),
            &json!({"shop_id": "a b", "app_key": "", "app_secret": "s",
                "shop_cipher": "two words", "api_base_url": "ftp://example.com"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        bad.paths(),
        ["shop_id", "app_key", "shop_cipher", "api_base_url"]
    );

    // A task's shop id must be a string.
    let mut task = seed_json("task_workflow1_launch.json");
    task["live_session_details"]["tiktok_shop_id"] = json!(42);
    let t = app.post("/api/v1/tasks", Some(&st.agent.key), &task).await;
    assert_eq!(t.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", t.body);
    assert_eq!(t.paths(), ["live_session_details.tiktok_shop_id"]);
}

#[tokio::test]
async fn a_shop_base_url_must_be_https_to_a_public_host_unless_the_operator_allows() {
    let app = spawn_app().await;
    let agent = app.agent("Glow Labs").await;
    let path = "/api/v1/integrations/tiktok-shop";
    let connect = |url: &'static str| {
        let app = &app;
        let key = agent.key.clone();
        async move {
            app.post(
                path,
                Some(&key),
                &json!({"shop_id": SHOP, "app_key": APP_KEY, "app_secret": APP_SECRET,
                    "api_base_url": url}),
            )
            .await
        }
    };
    for (url, why) in [
        ("http://127.0.0.1:9000", "must be an https URL"),
        (
            "https://127.0.0.1:9000",
            "must not point at a non-public address (127.0.0.1: loopback (127.0.0.0/8))",
        ),
        (
            "https://169.254.169.254",
            "must not point at a non-public address (169.254.169.254: link-local (169.254.0.0/16))",
        ),
        (
            "https://[::1]:8443",
            "must not point at a non-public address (::1: loopback (::1))",
        ),
        (
            "https://10.0.0.7",
            "must not point at a non-public address (10.0.0.7: private (10.0.0.0/8))",
        ),
        (
            "https://[::127.0.0.1]",
            "must not point at a non-public address (::7f00:1: IPv4-compatible 127.0.0.1, loopback (127.0.0.0/8))",
        ),
        ("https://localhost:8443", "must not point at this machine"),
    ] {
        let a = connect(url).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            a.body
        );
        assert_eq!(a.paths(), ["api_base_url"], "{url}");
        assert_eq!(a.body["error"]["details"][0]["message"], why, "{url}");
    }
    let public = connect("https://open-api.tiktokglobalshop.com").await;
    assert_eq!(public.status, StatusCode::CREATED, "{}", public.body);

    // With the operator's permission a local stand-in may be named.
    app.app.allow_private_tiktok_shop_urls(true);
    let local = connect("http://127.0.0.1:9000").await;
    assert_eq!(local.status, StatusCode::CREATED, "{}", local.body);
}

/// The agent's shops as `(shop_id, ownership)`.
async fn ownership(app: &TestApp, agent: &Agent) -> Vec<(String, String)> {
    let list = app
        .get("/api/v1/integrations/tiktok-shop", Some(&agent.key))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["shop_id"].as_str().unwrap().to_string(),
                s["ownership"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_squatters_claim_does_not_block_the_owner_and_orders_go_to_the_proven_owner() {
    let app = spawn_app().await;
    let (api, tts) = StandIn::spawn().await;
    // The squatter claims the shop first, with credentials of its own, and
    // runs a session that names the shop.
    let squatter = assigned_shop_task(&app, "Squatter").await;
    let s = connect_shop(&app, &squatter.agent, "squat-key", "squat-secret", &api).await;
    assert_eq!(s.status, StatusCode::CREATED, "{}", s.body);
    assert_eq!(s.body["ownership"], "pending");
    assert_eq!(s.body["proven_at"], Value::Null);
    squatter.start(&app).await;

    // The real owner is not blocked: its claim is pending too.
    let owner = assigned_shop_task(&app, "Glow Labs").await;
    let o = connect_shop(&app, &owner.agent, APP_KEY, APP_SECRET, &api).await;
    assert_eq!(o.status, StatusCode::CREATED, "{}", o.body);
    assert_eq!(o.body["ownership"], "pending");
    owner.start(&app).await;
    assert_eq!(
        ownership(&app, &owner.agent).await,
        [(SHOP.to_string(), "pending".to_string())]
    );

    // TikTok's webhook is signed with the real app secret: it proves the
    // owner's claim, and the order counts in the owner's session only.
    tts.add(tts_order(
        "6001",
        just_now(),
        "120.00",
        &[("p1", "s1", "120.00")],
    ));
    let paid = deliver(
        &app,
        &notification("n-1", SHOP, "6001", "AWAITING_SHIPMENT"),
    )
    .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["outcome"], "attributed");
    assert_eq!(paid.body["session_id"], owner.session.as_str());
    assert_eq!(owner.metrics(&app).await["orders"], 1);
    assert_eq!(squatter.metrics(&app).await["orders"], 0);
    assert_eq!(
        ownership(&app, &owner.agent).await,
        [(SHOP.to_string(), "proven".to_string())]
    );
    let listed = app
        .get("/api/v1/integrations/tiktok-shop", Some(&owner.agent.key))
        .await;
    assert!(
        listed.body["data"][0]["proven_at"].is_string(),
        "{}",
        listed.body
    );

    // The squatter's claim is gone, and the proven shop cannot be claimed
    // again nor taken over; the squatter's own signature no longer verifies.
    assert_eq!(ownership(&app, &squatter.agent).await, []);
    let again = connect_shop(&app, &squatter.agent, "squat-key", "squat-secret", &api).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let body = notification("n-2", SHOP, "6002", "AWAITING_SHIPMENT");
    let forged = deliver_signed(&app, &body, &sign("squat-key", "squat-secret", &body)).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{}", forged.body);
    assert_eq!(squatter.metrics(&app).await["orders"], 0);
    assert_eq!(tts.calls(), 1);

    // The owner may still update its own connection; it stays proven.
    let rotated = connect_shop(&app, &owner.agent, APP_KEY, APP_SECRET, &api).await;
    assert_eq!(rotated.status, StatusCode::CREATED, "{}", rotated.body);
    assert_eq!(rotated.body["ownership"], "proven");
}

#[tokio::test]
async fn a_pending_claim_attributes_nothing_until_a_signed_webhook_proves_it() {
    let app = spawn_app().await;
    let (api, tts) = StandIn::spawn().await;
    let st = shop_task(&app, &api).await;
    st.start(&app).await;
    // A notification for the shop signed with other credentials proves
    // nothing and is refused like an unknown shop.
    let body = notification("n-1", SHOP, "7001", "AWAITING_SHIPMENT");
    let other = deliver_signed(&app, &body, &sign("k", "another-secret", &body)).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED, "{}", other.body);
    assert_eq!(
        ownership(&app, &st.agent).await,
        [(SHOP.to_string(), "pending".to_string())]
    );
    assert_eq!(tts.calls(), 0);
    // A status that is not about payment still proves the claim.
    let unpaid = deliver(&app, &notification("n-2", SHOP, "7001", "UNPAID")).await;
    assert_eq!(unpaid.status, StatusCode::OK, "{}", unpaid.body);
    assert_eq!(
        ownership(&app, &st.agent).await,
        [(SHOP.to_string(), "proven".to_string())]
    );
}

#[tokio::test]
async fn a_signed_webhook_stamped_in_2010_is_refused() {
    let app = spawn_app().await;
    let (api, tts) = StandIn::spawn().await;
    let st = shop_task(&app, &api).await;
    st.start(&app).await;
    tts.add(tts_order(
        "8001",
        just_now(),
        "30.00",
        &[("p1", "s1", "30.00")],
    ));
    let now = chrono::Utc::now().timestamp();
    // 2010-01-01T00:00:00Z, and ten minutes ahead of the server's clock.
    for (id, at) in [("n-old", 1_262_304_000), ("n-ahead", now + 600)] {
        let body = notification_at(id, SHOP, "8001", "AWAITING_SHIPMENT", at);
        let a = deliver(&app, &body).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{id}: {}",
            a.body
        );
        assert_eq!(a.code(), "validation_failed", "{id}");
        assert_eq!(a.paths(), ["timestamp"], "{id}");
        assert_eq!(
            a.body["error"]["details"][0]["message"],
            "must be within 300 seconds of the server's clock",
            "{id}"
        );
    }
    // Nothing was fetched or counted, and the stale ones proved nothing.
    assert_eq!(tts.calls(), 0);
    assert_eq!(st.metrics(&app).await["orders"], 0);
    assert_eq!(
        ownership(&app, &st.agent).await,
        [(SHOP.to_string(), "pending".to_string())]
    );
    // One without a timestamp is refused too.
    let mut bare: Value =
        serde_json::from_str(&notification("n-bare", SHOP, "8001", "COMPLETED")).unwrap();
    bare.as_object_mut().unwrap().remove("timestamp");
    let bare = bare.to_string();
    let b = deliver(&app, &bare).await;
    assert_eq!(b.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", b.body);
    assert_eq!(b.paths(), ["timestamp"]);

    // Four minutes old is within the window: counted, though its id was
    // refused before.
    let body = notification_at("n-old", SHOP, "8001", "AWAITING_SHIPMENT", now - 240);
    let ok = deliver(&app, &body).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["outcome"], "attributed");
    assert_eq!(st.metrics(&app).await["orders"], 1);
}

#[tokio::test]
async fn every_non_public_address_form_is_refused_as_a_base_url() {
    let app = spawn_app().await;
    let agent = app.agent("Glow Labs").await;
    for url in [
        // IPv4 written out: private, loopback, link-local, CGNAT, this
        // network, IETF assignments, benchmarking, documentation,
        // multicast, reserved, broadcast, and loopback in decimal and hex.
        "https://10.1.2.3",
        "https://172.16.0.1",
        "https://192.168.1.1",
        "https://127.0.0.2",
        "https://169.254.169.254",
        "https://100.64.0.1",
        "https://0.1.2.3",
        "https://192.0.0.1",
        "https://198.18.0.1",
        "https://192.0.2.1",
        "https://198.51.100.1",
        "https://203.0.113.1",
        "https://224.0.0.1",
        "https://240.0.0.1",
        "https://255.255.255.255",
        "https://2130706433",
        "https://0x7f.0.0.1",
        // IPv6: loopback, unspecified, unique-local, link-local, site-local,
        // multicast, documentation, discard.
        "https://[::1]",
        "https://[::]",
        "https://[fd12:3456::1]",
        "https://[fe80::1]",
        "https://[fec0::1]",
        "https://[ff02::1]",
        "https://[2001:db8::1]",
        "https://[100::1]",
        // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4 (loopback or
        // private inside), and Teredo.
        "https://[::ffff:127.0.0.1]",
        "https://[::ffff:10.0.0.1]",
        "https://[::7f00:1]",
        "https://[::127.0.0.1]",
        "https://[64:ff9b::10.0.0.1]",
        "https://[2002:7f00:1::1]",
        "https://[2002:c0a8:101::1]",
        "https://[2001:0::1]",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
    ] {
        let a = app
            .post(
                "/api/v1/integrations/tiktok-shop",
                Some(&agent.key),
                &json!({"shop_id": SHOP, "app_key": APP_KEY, "app_secret": APP_SECRET,
                    "api_base_url": url}),
            )
            .await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            a.body
        );
        assert_eq!(a.paths(), ["api_base_url"], "{url}");
        let why = a.body["error"]["details"][0]["message"].as_str().unwrap();
        assert!(
            why.starts_with("must not point at a non-public address"),
            "{url}: {why}"
        );
    }
    // Public addresses, also inside IPv6, are fine.
    for url in [
        "https://8.8.8.8",
        "https://[2606:4700::1111]",
        "https://[::ffff:8.8.8.8]",
        "https://[64:ff9b::8.8.8.8]",
        "https://[2002:808:808::1]",
    ] {
        let a = app
            .post(
                "/api/v1/integrations/tiktok-shop",
                Some(&agent.key),
                &json!({"shop_id": SHOP, "app_key": APP_KEY, "app_secret": APP_SECRET,
                    "api_base_url": url}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{url}: {}", a.body);
    }
}
