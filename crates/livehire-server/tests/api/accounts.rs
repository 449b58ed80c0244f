//! Accounts, keys and profiles.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::*;

#[tokio::test]
async fn agent_keys_authenticate_rotate_and_stop_working_when_revoked() {
    let app = spawn_app().await;
    let agent = app.agent("Rotating agent").await;
    assert!(agent.id.starts_with("ph_agent_"));
    assert!(
        agent.key.starts_with("ph_sk_") && agent.key.len() >= 6 + 22,
        "≥128 bits of base62"
    );
    let me = app.get("/api/v1/me", Some(&agent.key)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["kind"], "agent");
    assert_eq!(me.body["name"], "Rotating agent");

    let rotated = app
        .post("/api/v1/me/keys/rotate", Some(&agent.key), &json!({}))
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    assert_eq!(rotated.body["revoked"], 1);
    let new_key = rotated.body["api_key"].as_str().unwrap();
    assert_ne!(new_key, agent.key);
    let old = app.get("/api/v1/me", Some(&agent.key)).await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    assert_eq!(old.code(), "unauthorized");
    let new = app.get("/api/v1/me", Some(new_key)).await;
    assert_eq!(new.body["id"], agent.id.as_str());
    let none = app.get("/api/v1/me", None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_host_edits_only_its_own_profile_and_keeps_unknown_fields() {
    let app = spawn_app().await;
    let mut profile = seed_json("host_example3.json");
    profile["favourite_snack"] = json!({"name": "sunflower seeds", "per_session_kg": 0.5});
    profile["rating"] = json!(5.0);
    let host = app.host(&profile).await;
    let other = app.host(&seed_json("host_example1.json")).await;
    let agent = app.agent("Agent").await;

    let patched = app
        .patch(
            &format!("/api/v1/humans/{}", host.id),
            Some(&host.key),
            &json!({"bio": "New bio", "niches": ["home_goods"], "session_format": null, "rating": 5.0}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["bio"], "New bio");
    assert_eq!(patched.body["favourite_snack"], profile["favourite_snack"]);
    assert!(
        patched.body.get("session_format").is_none(),
        "null removes a field"
    );
    assert_eq!(
        patched.body["rating"],
        serde_json::Value::Null,
        "rating is the server's"
    );

    let found = app
        .get(
            "/api/v1/humans?niche=home_goods&q=flashsaleking",
            Some(&agent.key),
        )
        .await;
    assert_eq!(
        found.body["data"].as_array().unwrap().len(),
        1,
        "{}",
        found.body
    );
    assert_eq!(found.body["data"][0]["bio"], "New bio");

    for key in [&other.key, &agent.key] {
        let denied = app
            .patch(
                &format!("/api/v1/humans/{}", host.id),
                Some(key),
                &json!({"bio": "x"}),
            )
            .await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
    }
    let bad = app
        .patch(
            &format!("/api/v1/humans/{}", host.id),
            Some(&host.key),
            &json!({"time_zone": "Moon/Base"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.paths(), ["time_zone"]);
    let missing = app
        .get("/api/v1/humans/ph_profile_nobody", Some(&agent.key))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_closed_server_registers_only_with_the_admin_token() {
    let app = spawn_app().await;
    app.app.close_registration("operator-secret-0123456789");
    let body = serde_json::json!({"name": "Late agent"});
    let refused = app.post("/api/v1/agents/register", None, &body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("registration is closed")
    );
    let wrong = app
        .post("/api/v1/agents/register", Some("not-the-token"), &body)
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let host = app
        .post(
            "/api/v1/humans/register",
            None,
            &seed_json("host_example3.json"),
        )
        .await;
    assert_eq!(host.status, StatusCode::FORBIDDEN);
    let ok = app
        .post(
            "/api/v1/agents/register",
            Some("operator-secret-0123456789"),
            &body,
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert!(ok.body["api_key"].as_str().unwrap().starts_with("ph_sk_"));
    let host = app
        .post(
            "/api/v1/humans/register",
            Some("operator-secret-0123456789"),
            &seed_json("host_example3.json"),
        )
        .await;
    assert_eq!(host.status, StatusCode::CREATED);
}

/// Two servers over one database: a key rotated on one stops working on the
/// other within a second, though the other had it in memory.
#[tokio::test]
async fn a_key_rotated_on_one_instance_is_refused_by_the_other_within_a_second() {
    let first = spawn_app().await;
    let second = first.restarted().await;
    let agent = first.agent("Two-instance agent").await;
    assert_eq!(
        second.get("/api/v1/me", Some(&agent.key)).await.status,
        StatusCode::OK,
        "the other instance knows the key (and keeps it in memory)"
    );
    let rotated = first
        .post("/api/v1/me/keys/rotate", Some(&agent.key), &json!({}))
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let new_key = rotated.body["api_key"].as_str().unwrap().to_string();
    assert_eq!(
        first.get("/api/v1/me", Some(&agent.key)).await.status,
        StatusCode::UNAUTHORIZED,
        "refused at once where it was rotated"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(
        second.get("/api/v1/me", Some(&agent.key)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        second.get("/api/v1/me", Some(&new_key)).await.status,
        StatusCode::OK
    );
}
