//! What the operator's commands and flags do to trust: `livehire seed` and
//! `serve --demo` load verified hosts; `--admin-token` closes registration
//! unless `--open-registration` keeps it open, and verifies hosts either way.

use std::process::Command;

use reqwest::Method as M;
use serde_json::{Value, json};

mod common;
use common::{ADMIN_TOKEN, call, free_port, start_on, start_with};

/// Registers an agent, with `key` as the Bearer token if given: (status, body).
async fn register_agent(c: &reqwest::Client, base: &str, key: Option<&str>) -> (u16, Value) {
    call(
        c,
        M::POST,
        format!("{base}/api/v1/agents/register"),
        key,
        json!({"name": "Operator test brand"}),
    )
    .await
}

/// Live Queen Chen's profile, as an agent sees it.
async fn chen(c: &reqwest::Client, base: &str, key: &str) -> Value {
    let (status, body) = call(
        c,
        M::GET,
        format!("{base}/api/v1/humans/ph_profile_tiktok_live_001"),
        Some(key),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

fn assert_verified_chen(chen: &Value) {
    assert_eq!(chen["tiktok_shop_verified"], true, "{chen}");
    assert_eq!(
        chen["badges"],
        json!([
            "top_live_seller",
            "tiktok_shop_verified",
            "million_gmv_club"
        ])
    );
}

#[tokio::test]
async fn livehire_seed_loads_verified_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("seeded.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_livehire"))
        .args(["seed", "--hosts", "20", "--database-url", &db])
        .env("LIVEHIRE_LOG", "warn")
        .output()
        .expect("run livehire seed");
    assert!(out.status.success(), "{out:?}");
    let server = start_on(&db, free_port()).await;
    let c = reqwest::Client::new();
    let (_, agent) = register_agent(&c, &server.base, None).await;
    let key = agent["api_key"].as_str().unwrap();
    assert_verified_chen(&chen(&c, &server.base, key).await);
    let (_, page) = call(
        &c,
        M::GET,
        format!(
            "{}/api/v1/humans?tiktok_shop_verified=true&limit=100",
            server.base
        ),
        Some(key),
        Value::Null,
    )
    .await;
    let declared = (1..=20)
        .map(livehire_sim::hosts::generated_host)
        .filter(|h| h["tiktok_shop_verified"] == true)
        .count();
    assert_eq!(page["data"].as_array().unwrap().len(), 3 + declared);
}

#[tokio::test]
async fn serve_demo_loads_verified_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    let server = start_with(&db, free_port(), &["--demo"]).await;
    let c = reqwest::Client::new();
    let (status, agent) = register_agent(&c, &server.base, None).await;
    assert_eq!(status, 201, "{agent}");
    assert_verified_chen(&chen(&c, &server.base, agent["api_key"].as_str().unwrap()).await);
}

#[tokio::test]
async fn an_admin_token_closes_registration_unless_it_is_kept_open() {
    let dir = tempfile::tempdir().unwrap();
    let c = reqwest::Client::new();

    let db = format!("sqlite://{}", dir.path().join("closed.db").display());
    let closed = start_with(&db, free_port(), &["--admin-token", ADMIN_TOKEN]).await;
    let (status, body) = register_agent(&c, &closed.base, None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    let (status, body) = register_agent(&c, &closed.base, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 201, "{body}");
    drop(closed);

    let db = format!("sqlite://{}", dir.path().join("open.db").display());
    let open = start_with(
        &db,
        free_port(),
        &["--admin-token", ADMIN_TOKEN, "--open-registration"],
    )
    .await;
    let (status, agent) = register_agent(&c, &open.base, None).await;
    assert_eq!(status, 201, "{agent}");
    let mut profile = livehire_sim::hosts::seed_hosts()[2].clone();
    profile.as_object_mut().unwrap().remove("human_id");
    let (status, host) = call(
        &c,
        M::POST,
        format!("{}/api/v1/humans/register", open.base),
        None,
        profile,
    )
    .await;
    assert_eq!(status, 201, "{host}");
    let path = format!(
        "{}/api/v1/admin/humans/{}/verification",
        open.base,
        host["human_id"].as_str().unwrap()
    );
    let body = json!({"tiktok_shop_verified": true});
    let (status, _) = call(
        &c,
        M::POST,
        path.clone(),
        host["api_key"].as_str(),
        body.clone(),
    )
    .await;
    assert_eq!(status, 403, "a host cannot verify itself");
    let (status, verified) = call(&c, M::POST, path, Some(ADMIN_TOKEN), body).await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["tiktok_shop_verified"], true);
    assert_eq!(
        verified["self_declared"],
        json!({"tiktok_shop_verified": true})
    );
}
