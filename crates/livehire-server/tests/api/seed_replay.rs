//! Every request of the seed, replayed with its dates moved forward.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

/// Every field posted comes back unchanged (same JSON, same number text),
/// but amounts: those come back as numbers with the currency's decimals.
fn assert_round_trip(posted: &Value, served: &Value) {
    let posted = with_cents(posted.clone());
    for (k, v) in posted.as_object().expect("object") {
        assert_eq!(&served[k], v, "field {k} changed on the round trip");
    }
}

/// A seed task with its amounts as the server keeps them: the seed's tasks
/// are in CNY and their amounts whole (`199` or `1500.00`), so each gains
/// or keeps `.00`.
fn with_cents(mut task: Value) -> Value {
    fn cents(v: &mut Value) {
        if let Some(n) = v.as_number().map(ToString::to_string)
            && !n.contains('.')
        {
            *v = serde_json::from_str(&format!("{n}.00")).unwrap();
        }
    }
    cents(&mut task["compensation"]);
    if let Some(products) = task
        .pointer_mut("/live_session_details/products")
        .and_then(Value::as_array_mut)
    {
        for p in products {
            for key in ["retail_price", "live_discount_price"] {
                if p.get(key).is_some() {
                    cents(&mut p[key]);
                }
            }
        }
    }
    if let Some(cs) = task
        .get_mut("commission_structure")
        .and_then(Value::as_object_mut)
    {
        for (key, v) in cs.iter_mut() {
            if key == "performance_bonuses" {
                v.as_object_mut().unwrap().values_mut().for_each(cents);
            } else if ["base_payment", "base_payment_total", "per_session_base"]
                .contains(&key.as_str())
                || key.ends_with("_bonus")
            {
                cents(v);
            }
        }
    }
    task
}

#[tokio::test]
async fn the_seed_task_bodies_post_and_read_back_verbatim() {
    let app = spawn_app().await;
    let agent = app.agent("Brand agent").await;
    let cases = [
        ("task_getting_started.json", 1, "2036-03-15T19:00:00.000Z"),
        ("task_workflow1_launch.json", 1, "2036-03-25T19:00:00.000Z"),
        ("task_workflow2_series.json", 4, "2036-04-05T20:00:00.000Z"),
        ("task_workflow3_qa.json", 1, "2036-04-02T19:00:00.000Z"),
    ];
    for (fixture, sessions, first_time) in cases {
        // The seed's curl examples send -d without a Content-Type for some bodies:
        // send them exactly as curl would.
        let raw = seed_fixture(fixture);
        let posted: Value = serde_json::from_str(&raw).unwrap();
        let created = app
            .send(
                Method::POST,
                "/api/v1/tasks",
                Some(&agent.key),
                Some("application/x-www-form-urlencoded"),
                raw,
                &[],
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{fixture}: {}",
            created.body
        );
        let task = created.body;
        let id = task["id"].as_str().unwrap();
        assert!(id.starts_with("ph_task_"), "{id}");
        assert_eq!(task["status"], "open");
        assert_eq!(task["agent_id"], agent.id.as_str());
        let s = task["sessions"].as_array().unwrap();
        assert_eq!(s.len(), sessions, "{fixture}");
        assert!(s[0]["id"].as_str().unwrap().starts_with("ph_sess_"));
        assert_eq!(s[0]["status"], "scheduled");
        assert_eq!(s[0]["scheduled_time"], first_time, "{fixture}");
        assert_round_trip(&posted, &task);

        let got = app
            .get(&format!("/api/v1/tasks/{id}"), Some(&agent.key))
            .await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body, task, "GET returns what POST returned");
    }
}

#[tokio::test]
async fn series_sessions_follow_the_schedule_and_durations_are_parsed() {
    let app = spawn_app().await;
    let agent = app.agent("Series agent").await;
    let task = app
        .task(&agent, &seed_json("task_workflow2_series.json"))
        .await;
    let sessions = task["sessions"].as_array().unwrap();
    let weeks: Vec<_> = sessions
        .iter()
        .map(|s| s["week"].as_i64().unwrap())
        .collect();
    assert_eq!(weeks, [1, 2, 3, 4]);
    assert!(
        sessions.iter().all(|s| s["duration_minutes"] == 120),
        "\"2 hours\" is 120 minutes"
    );
    assert_eq!(sessions[3]["theme"], "Fashion & jewelry");
    assert_eq!(sessions[3]["scheduled_time"], "2036-04-26T20:00:00.000Z");
    // Workflow 3: duration_minutes 90.
    let qa = app.task(&agent, &seed_json("task_workflow3_qa.json")).await;
    assert_eq!(qa["sessions"][0]["duration_minutes"], 90);
    // Workflow 1: duration_hours 3.
    let launch = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    assert_eq!(launch["sessions"][0]["duration_minutes"], 180);
}

#[tokio::test]
async fn the_api_reference_fields_are_accepted_on_a_complete_task() {
    let app = spawn_app().await;
    let agent = app.agent("Reference agent").await;
    let mut body = seed_json("task_api_reference.json");
    // The reference lists the live-commerce fields only; post it alone and the
    // missing required fields are named.
    let partial = app.post("/api/v1/tasks", Some(&agent.key), &body).await;
    assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
    let paths = partial.paths();
    for required in [
        "title",
        "description",
        "compensation",
        "currency",
        "deadline",
    ] {
        assert!(
            paths.contains(&required.to_string()),
            "{required} missing from {paths:?}"
        );
    }
    let obj = body.as_object_mut().unwrap();
    obj.insert("title".into(), json!("Flash sale: wireless earbuds"));
    obj.insert(
        "description".into(),
        json!("Two hours of earbuds and flash deals."),
    );
    obj.insert("compensation".into(), json!(2000.00));
    obj.insert("currency".into(), json!("CNY"));
    obj.insert("deadline".into(), json!("2036-03-14T20:00:00Z"));
    let task = app.task(&agent, &body).await;
    assert_eq!(
        task["live_session_details"]["products"][0]["product_id"],
        "prod_001"
    );
    assert_eq!(task["live_session_details"]["time_zone"], "Asia/Shanghai");
    let five_hundred: Value = serde_json::from_str("500.00").unwrap();
    assert_eq!(
        task["commission_structure"]["performance_bonuses"]["peak_3k_viewers"],
        five_hundred
    );
    assert_eq!(task["sessions"][0]["duration_minutes"], 120);
}

#[tokio::test]
async fn the_seed_message_right_after_posting_goes_to_the_brief() {
    let app = spawn_app().await;
    let agent = app.agent("Launch agent").await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    // Exactly as the seed sends it: -d with no Content-Type header at all.
    let raw = seed_fixture("message_workflow1.json");
    let sent = app
        .send(
            Method::POST,
            &format!("/api/v1/tasks/{id}/messages"),
            Some(&agent.key),
            None,
            raw.clone(),
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.body["thread"], "brief");
    assert_eq!(sent.body["human_id"], Value::Null);
    assert!(sent.body["id"].as_str().unwrap().starts_with("ph_msg_"));
    let expected: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(sent.body["text"], expected["text"]);
    assert!(
        sent.body["text"]
            .as_str()
            .unwrap()
            .contains("pre-event videos:\n\nDay -5")
    );

    let listed = app
        .get(&format!("/api/v1/tasks/{id}/messages"), Some(&agent.key))
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["data"][0]["id"], sent.body["id"]);
    assert_eq!(listed.body["next_cursor"], Value::Null);
}

#[tokio::test]
async fn the_seed_host_profiles_register_and_example_2_is_a_located_json_error() {
    let app = spawn_app().await;
    let chen = seed_json("host_example1.json");
    let host = app.host(&chen).await;
    assert!(host.id.starts_with("ph_profile_"), "{}", host.id);
    assert!(host.key.starts_with("ph_hk_"), "{}", host.key);
    let agent = app.agent("Viewer").await;
    let profile = app
        .get(&format!("/api/v1/humans/{}", host.id), Some(&agent.key))
        .await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(profile.body["human_id"], host.id.as_str());
    for field in [
        "name",
        "technical_setup",
        "recent_sessions",
        "live_commerce_metrics",
        "bio",
    ] {
        assert_eq!(profile.body[field], chen[field], "{field}");
    }
    // Badges and shop verification are the operator's to verify: the host's
    // own come back as claims (docs/trust.md, "Identity").
    assert_eq!(profile.body["badges"], json!([]));
    assert_eq!(profile.body["tiktok_shop_verified"], false);
    assert_eq!(
        profile.body["self_declared"],
        json!({"badges": chen["badges"]})
    );
    // Field order is kept too (human_id first, the server's fields at the end).
    let served: Vec<&String> = profile.body.as_object().unwrap().keys().collect();
    let posted: Vec<&String> = chen
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "rating" && *k != "completion_count")
        .collect();
    assert_eq!(
        &served[1..posted.len()],
        &posted[1..],
        "order of the host's own fields"
    );
    // rating and completion_count are the server's, not the host's.
    assert_eq!(profile.body["rating"], Value::Null);
    assert_eq!(profile.body["completion_count"], 0);
    assert_eq!(profile.body["metrics_source"], "self_reported");

    let broken = seed_fixture("host_example2_invalid.json");
    let a = app
        .send(
            Method::POST,
            "/api/v1/humans/register",
            None,
            Some("application/json"),
            broken,
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.code(), "invalid_json");
    // `]` is closed by `}` on line 36 of the example.
    assert_eq!(
        a.body["error"]["details"][0]["message"], "line 36, column 3",
        "{}",
        a.body
    );

    let zhang = app.host(&seed_json("host_example3.json")).await;
    let me = app.get("/api/v1/me", Some(&zhang.key)).await;
    assert_eq!(me.body["kind"], "host");
    assert_eq!(me.body["id"], zhang.id.as_str());
    assert_eq!(me.body["name"], "Flash Sale King Zhang");
}

#[tokio::test]
async fn the_seed_search_query_finds_the_seed_hosts_by_gmv() {
    let app = spawn_app().await;
    app.with_demo_hosts(0).await;
    let agent = app.agent("Searcher").await;
    let a = app
        .get(
            "/api/v1/humans?skills=live_streaming,sales_presentation,audience_engagement&platform=tiktok&sort=live_commerce_gmv",
            Some(&agent.key),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let ids: Vec<_> = a.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["human_id"].clone())
        .collect();
    assert_eq!(
        ids,
        [
            json!("ph_profile_tiktok_live_003"),
            json!("ph_profile_tiktok_live_001"),
            json!("ph_profile_tiktok_live_002")
        ]
    );
    assert_eq!(a.body["next_cursor"], Value::Null);
    assert_eq!(
        a.body["data"][1]["live_commerce_metrics"]["total_lifetime_gmv"],
        "9,800,000 CNY"
    );
    // The reference's own query: category + platform.
    let b = app
        .get(
            "/api/v1/humans?category=live_commerce&platform=tiktok",
            Some(&agent.key),
        )
        .await;
    assert_eq!(b.body["data"].as_array().unwrap().len(), 3);
    // Sorted by rating (the default): Chen 4.9, Liu 4.8, Zhang 4.7.
    assert_eq!(b.body["data"][0]["human_id"], "ph_profile_tiktok_live_001");
}
