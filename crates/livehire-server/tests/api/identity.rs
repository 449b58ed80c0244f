//! Identity and trust in a profile: one host per TikTok handle, badges and
//! shop verification only as the operator verified them, and a ranking that
//! one rating cannot buy.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;

/// The operator's admin token in these stories.
const ADMIN: &str = "operator-admin-token-0123456789";

/// A seed host's demo profile as a registration body, under another handle.
fn lookalike(index: usize, handle: &str) -> Value {
    let mut p = livehire_sim::hosts::seed_hosts()[index].clone();
    let o = p.as_object_mut().unwrap();
    o.remove("human_id");
    o.insert("tiktok_handle".into(), json!(handle));
    p
}

/// The ids of a search's first page, in order.
async fn ids(app: &TestApp, key: &str, query: &str) -> Vec<String> {
    let a = app.get(&format!("/api/v1/humans?{query}"), Some(key)).await;
    assert_eq!(a.status, StatusCode::OK, "{query}: {}", a.body);
    a.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["human_id"].as_str().unwrap().to_string())
        .collect()
}

/// The Getting Started task without its `tiktok_shop_verified` requirement.
fn unverified_task() -> Value {
    let mut t = seed_json("task_getting_started.json");
    t["requirements"]
        .as_object_mut()
        .unwrap()
        .remove("tiktok_shop_verified");
    t
}

#[tokio::test]
async fn a_tiktok_handle_belongs_to_one_host() {
    let app = spawn_app().await;
    // The real @livequeenchen, loaded by the operator.
    app.with_demo_hosts(0).await;

    // The attacker's request: the seed's Example 1, verbatim.
    let impostor = app
        .post(
            "/api/v1/humans/register",
            None,
            &seed_json("host_example1.json"),
        )
        .await;
    assert_eq!(impostor.status, StatusCode::CONFLICT, "{}", impostor.body);
    assert_eq!(impostor.code(), "handle_taken");
    assert_eq!(
        impostor.body["error"]["message"],
        "the TikTok handle @livequeenchen belongs to another host"
    );
    // Handles compare trimmed, without the @, ignoring ASCII case.
    for handle in ["@LiveQueenChen", " livequeenchen ", "LIVEQUEENCHEN"] {
        let a = app
            .post("/api/v1/humans/register", None, &lookalike(0, handle))
            .await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{handle}: {}", a.body);
        assert_eq!(a.code(), "handle_taken");
        assert_eq!(
            a.body["error"]["message"],
            format!(
                "the TikTok handle {} belongs to another host",
                handle.trim()
            )
        );
    }

    // Nor can a host move onto the handle with a PATCH.
    let other = app.host(&lookalike(1, "@glowwithmei")).await;
    let path = format!("/api/v1/humans/{}", other.id);
    let moved = app
        .patch(
            &path,
            Some(&other.key),
            &json!({"tiktok_handle": "@LiveQueenChen", "bio": "the real one"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CONFLICT, "{}", moved.body);
    assert_eq!(moved.code(), "handle_taken");
    assert_eq!(
        moved.body["error"]["message"],
        "the TikTok handle @LiveQueenChen belongs to another host"
    );
    let agent = app.agent("Viewer").await;
    let kept = app.get(&path, Some(&agent.key)).await;
    assert_eq!(kept.body["tiktok_handle"], "@glowwithmei");
    assert_ne!(
        kept.body["bio"], "the real one",
        "nothing of the patch was kept"
    );
    // Its own handle, recased, is still its own.
    let recased = app
        .patch(
            &path,
            Some(&other.key),
            &json!({"tiktok_handle": "@GlowWithMei"}),
        )
        .await;
    assert_eq!(recased.status, StatusCode::OK, "{}", recased.body);
    assert_eq!(recased.body["tiktok_handle"], "@GlowWithMei");
    // Between two self-registered hosts, the first keeps it.
    let second = app
        .post(
            "/api/v1/humans/register",
            None,
            &lookalike(1, "@glowWITHmei"),
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    assert_eq!(second.code(), "handle_taken");

    // Exactly one @livequeenchen, the seed's.
    assert_eq!(
        ids(&app, &agent.key, "q=livequeenchen").await,
        ["ph_profile_tiktok_live_001"]
    );
    crate::search::assert_same_pages(&app, "q=livequeenchen&limit=5").await;
    crate::search::assert_same_pages(&app, "sort=followers&limit=2").await;
}

#[tokio::test]
async fn self_declared_verification_and_badges_are_shown_but_not_trusted() {
    let app = spawn_app().await;
    let agent = app.agent("Careful brand").await;
    let mut profile = lookalike(0, "@queenofclaims");
    profile["badges"] = json!(["top_live_seller", "tiktok_shop_verified"]);
    let host = app.host(&profile).await;

    let got = app
        .get(&format!("/api/v1/humans/{}", host.id), Some(&agent.key))
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["tiktok_shop_verified"], false);
    assert_eq!(got.body["badges"], json!([]));
    assert_eq!(
        got.body["self_declared"],
        json!({"tiktok_shop_verified": true, "badges": ["top_live_seller", "tiktok_shop_verified"]})
    );
    let me = app.get("/api/v1/me", Some(&host.key)).await;
    assert_eq!(
        me.body["profile"]["self_declared"],
        got.body["self_declared"]
    );

    // Search filters on the verified value, in memory and in SQL alike.
    assert!(
        ids(&app, &agent.key, "tiktok_shop_verified=true")
            .await
            .is_empty()
    );
    assert_eq!(
        ids(&app, &agent.key, "tiktok_shop_verified=false").await,
        [host.id.as_str()]
    );
    crate::search::assert_same_pages(&app, "tiktok_shop_verified=true").await;
    crate::search::assert_same_pages(&app, "tiktok_shop_verified=false").await;

    // A task that requires a verified shop: not a match, and no invitation.
    let task = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    assert!(
        ids(&app, &agent.key, &format!("for_task={id}"))
            .await
            .is_empty()
    );
    let invited = app
        .post(
            &format!("/api/v1/tasks/{id}/invitations"),
            Some(&agent.key),
            &json!({"human_id": host.id}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        invited.body["error"]["details"],
        json!([{"path": "requirements.tiktok_shop_verified",
                "message": "tiktok_shop_verified required, host is not verified"}])
    );
    // The same host matches a task that does not ask for it.
    let open = app.task(&agent, &unverified_task()).await;
    let open_id = open["id"].as_str().unwrap();
    assert_eq!(
        ids(&app, &agent.key, &format!("for_task={open_id}")).await,
        [host.id.as_str()]
    );

    // A patch changes the declaration, never the verified values.
    let patched = app
        .patch(
            &format!("/api/v1/humans/{}", host.id),
            Some(&host.key),
            &json!({"badges": ["rising_star"], "tiktok_shop_verified": true}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["tiktok_shop_verified"], false);
    assert_eq!(patched.body["badges"], json!([]));
    assert_eq!(
        patched.body["self_declared"],
        json!({"tiktok_shop_verified": true, "badges": ["rising_star"]})
    );
    let cleared = app
        .patch(
            &format!("/api/v1/humans/{}", host.id),
            Some(&host.key),
            &json!({"badges": null, "self_declared": {"badges": ["forged"]}}),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert_eq!(
        cleared.body["self_declared"],
        json!({"tiktok_shop_verified": true})
    );
    assert!(
        ids(&app, &agent.key, "tiktok_shop_verified=true")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn an_operator_verifies_and_revokes_with_the_admin_token() {
    let app = spawn_app().await;
    app.app.close_registration(ADMIN);
    let registered = app
        .post(
            "/api/v1/agents/register",
            Some(ADMIN),
            &json!({"name": "Brand"}),
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
    let agent = Agent {
        id: registered.body["agent_id"].as_str().unwrap().into(),
        key: registered.body["api_key"].as_str().unwrap().into(),
    };
    let mut profile = lookalike(1, "@skincareliu");
    profile["badges"] = json!(["top_live_seller"]);
    let signup = app
        .post("/api/v1/humans/register", Some(ADMIN), &profile)
        .await;
    assert_eq!(signup.status, StatusCode::CREATED, "{}", signup.body);
    let host = Host {
        id: signup.body["human_id"].as_str().unwrap().into(),
        key: signup.body["api_key"].as_str().unwrap().into(),
    };
    let path = format!("/api/v1/admin/humans/{}/verification", host.id);
    let verify = json!({"tiktok_shop_verified": true, "badges": ["top_live_seller"]});

    // Only the admin token: not none, not a wrong one, not the host's own key.
    let none = app.post(&path, None, &verify).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{}", none.body);
    assert_eq!(none.code(), "unauthorized");
    let wrong = app
        .post(&path, Some("not-the-admin-token-0123"), &verify)
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
    assert_eq!(
        wrong.body["error"]["message"],
        "this is not the operator's admin token"
    );
    for key in [host.key.as_str(), agent.key.as_str()] {
        let refused = app.post(&path, Some(key), &verify).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert_eq!(refused.code(), "forbidden");
        assert_eq!(
            refused.body["error"]["message"],
            "this needs the operator's admin token"
        );
    }
    assert!(
        ids(&app, &agent.key, "tiktok_shop_verified=true")
            .await
            .is_empty()
    );

    // Verified: the profile, search and eligibility follow.
    let done = app.post(&path, Some(ADMIN), &verify).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["human_id"], host.id.as_str());
    assert_eq!(done.body["tiktok_shop_verified"], true);
    assert_eq!(done.body["badges"], json!(["top_live_seller"]));
    assert_eq!(
        done.body["self_declared"],
        json!({"tiktok_shop_verified": true, "badges": ["top_live_seller"]})
    );
    let got = app
        .get(&format!("/api/v1/humans/{}", host.id), Some(&agent.key))
        .await;
    assert_eq!(got.body["tiktok_shop_verified"], true);
    assert_eq!(got.body["badges"], json!(["top_live_seller"]));
    assert_eq!(
        ids(&app, &agent.key, "tiktok_shop_verified=true").await,
        [host.id.as_str()]
    );
    crate::search::assert_same_pages(&app, "tiktok_shop_verified=true").await;
    let task = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    assert_eq!(
        ids(&app, &agent.key, &format!("for_task={id}")).await,
        [host.id.as_str()]
    );

    // Revoked: back to unverified everywhere.
    let revoked = app
        .post(&path, Some(ADMIN), &json!({"tiktok_shop_verified": false}))
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["tiktok_shop_verified"], false);
    assert_eq!(revoked.body["badges"], json!(["top_live_seller"]));
    let stripped = app.post(&path, Some(ADMIN), &json!({"badges": []})).await;
    assert_eq!(stripped.body["badges"], json!([]));
    assert!(
        ids(&app, &agent.key, "tiktok_shop_verified=true")
            .await
            .is_empty()
    );
    assert!(
        ids(&app, &agent.key, &format!("for_task={id}"))
            .await
            .is_empty()
    );
    let invited = app
        .post(
            &format!("/api/v1/tasks/{id}/invitations"),
            Some(&agent.key),
            &json!({"human_id": host.id}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::UNPROCESSABLE_ENTITY);
    crate::search::assert_same_pages(&app, "tiktok_shop_verified=false").await;

    // Bad requests name the field; an unknown host is 404.
    let bad = app
        .post(&path, Some(ADMIN), &json!({"badges": ["Top Seller!"]}))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.paths(), ["badges[0]"]);
    let lost = app
        .post(
            "/api/v1/admin/humans/ph_profile_nobody/verification",
            Some(ADMIN),
            &verify,
        )
        .await;
    assert_eq!(lost.status, StatusCode::NOT_FOUND, "{}", lost.body);
}

#[tokio::test]
async fn without_an_admin_token_the_verification_endpoint_refuses() {
    let app = spawn_app().await;
    let host = app.host(&lookalike(2, "@flashsaleking")).await;
    let path = format!("/api/v1/admin/humans/{}/verification", host.id);
    let body = json!({"tiktok_shop_verified": true});
    let guessed = app.post(&path, Some(ADMIN), &body).await;
    assert_eq!(guessed.status, StatusCode::UNAUTHORIZED, "{}", guessed.body);
    assert_eq!(guessed.code(), "unauthorized");
    let own = app.post(&path, Some(&host.key), &body).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    assert_eq!(own.code(), "forbidden");
    for a in [&guessed, &own] {
        assert_eq!(
            a.body["error"]["message"],
            "no admin token is configured on this server (serve --admin-token)"
        );
    }
    let agent = app.agent("Viewer").await;
    let got = app
        .get(&format!("/api/v1/humans/{}", host.id), Some(&agent.key))
        .await;
    assert_eq!(got.body["tiktok_shop_verified"], false);
}

#[tokio::test]
async fn seed_and_demo_hosts_come_verified() {
    let app = spawn_app().await;
    let profiles = app.with_demo_hosts(60).await;
    let agent = app.agent("Viewer").await;
    let chen = app
        .get(
            "/api/v1/humans/ph_profile_tiktok_live_001",
            Some(&agent.key),
        )
        .await;
    assert_eq!(chen.body["tiktok_shop_verified"], true);
    assert_eq!(
        chen.body["badges"],
        json!([
            "top_live_seller",
            "tiktok_shop_verified",
            "million_gmv_club"
        ])
    );
    assert_eq!(
        chen.body["self_declared"],
        json!({"tiktok_shop_verified": true,
               "badges": ["top_live_seller", "tiktok_shop_verified", "million_gmv_club"]})
    );
    let zhang = app
        .get(
            "/api/v1/humans/ph_profile_tiktok_live_003",
            Some(&agent.key),
        )
        .await;
    assert_eq!(zhang.body["tiktok_shop_verified"], true);
    assert_eq!(zhang.body["badges"], json!([]));
    assert_eq!(
        zhang.body["self_declared"],
        json!({"tiktok_shop_verified": true})
    );
    // Every demo host that declares a verified shop is verified.
    let declared: Vec<&str> = profiles
        .iter()
        .filter(|p| p["tiktok_shop_verified"] == true)
        .map(|p| p["human_id"].as_str().unwrap())
        .collect();
    let mut found = ids(&app, &agent.key, "tiktok_shop_verified=true&limit=100").await;
    found.sort();
    let mut want: Vec<String> = declared.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(found, want);
    assert!(want.len() > 30, "{}", want.len());
}

#[tokio::test]
async fn one_five_star_rating_does_not_outrank_an_established_host() {
    let app = spawn_app().await;
    // Live Queen Chen: 4.9 from 89 completed sessions.
    app.with_demo_hosts(0).await;
    let agent = app.agent("Brand").await;
    // A newcomer with Chen's very figures, under a handle of its own.
    let newcomer = app.host(&lookalike(0, "@livequeenchen.official")).await;

    // One job, done and rated five stars.
    let first = app.task(&agent, &unverified_task()).await;
    let t = |p: &str| format!("/api/v1/tasks/{}/{p}", first["id"].as_str().unwrap());
    let paid = app
        .post(
            "/api/v1/wallet/deposits",
            Some(&agent.key),
            &json!({"amount": 10000, "currency": "CNY"}),
        )
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.body);
    for (path, key, body) in [
        ("invitations", &agent.key, json!({"human_id": newcomer.id})),
        ("accept", &newcomer.key, json!({})),
        (
            "submission",
            &newcomer.key,
            json!({"gmv_report": {"total_gmv": 10000, "orders": 80, "currency": "CNY"}}),
        ),
        ("approve", &agent.key, json!({})),
        ("rate", &agent.key, json!({"overall_rating": 5})),
    ] {
        let a = app.post(&t(path), Some(key), &body).await;
        assert!(a.status.is_success(), "{path}: {}", a.body);
    }
    let rated = app
        .get(&format!("/api/v1/humans/{}", newcomer.id), Some(&agent.key))
        .await;
    assert_eq!(rated.body["rating"], 5.0);

    // The next job: both are eligible; Chen ranks above the newcomer.
    let next = app.task(&agent, &unverified_task()).await;
    let page = app
        .get(
            &format!(
                "/api/v1/humans?for_task={}&sort=match",
                next["id"].as_str().unwrap()
            ),
            Some(&agent.key),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let data = page.body["data"].as_array().unwrap();
    let at = |id: &str| {
        data.iter()
            .position(|h| h["human_id"] == id)
            .unwrap_or_else(|| panic!("{id} not listed: {}", page.body))
    };
    let (chen, newbie) = (at("ph_profile_tiktok_live_001"), at(&newcomer.id));
    assert!(chen < newbie, "Chen at {chen}, the newcomer at {newbie}");
    assert_eq!(data[chen]["match"]["score"], 68.2);
    assert_eq!(data[newbie]["match"]["score"], 62.3);
    assert_eq!(
        data[chen]["match"]["reasons"][3],
        "rating 4.9 from 89 ratings, weighted 4.80"
    );
    assert_eq!(
        data[newbie]["match"]["reasons"][3],
        "rating 5 from 1 rating, weighted 3.33"
    );
}
