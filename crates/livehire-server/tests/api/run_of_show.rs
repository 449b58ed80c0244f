//! The run of show (SPEC §3): a proposed minute-by-minute plan per session,
//! which the agent may edit and save, and who may read it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

/// A seed host as a registration body, renamed, with a handle made of the
/// name (a handle belongs to one host).
fn seed_host(index: usize, name: &str) -> Value {
    let mut p = livehire_sim::hosts::seed_hosts()[index].clone();
    let o = p.as_object_mut().unwrap();
    o.remove("human_id");
    o.insert("name".into(), json!(name));
    let handle: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    o.insert("tiktok_handle".into(), json!(format!("@{handle}")));
    p
}

/// `POST …/run-of-show` with an empty body: propose a plan.
async fn propose(app: &TestApp, key: &str, task_id: &str) -> Answer {
    app.send(
        Method::POST,
        &format!("/api/v1/tasks/{task_id}/run-of-show"),
        Some(key),
        None,
        Vec::<u8>::new(),
        &[],
    )
    .await
}

fn segments(session: &Value) -> &Vec<Value> {
    session["segments"].as_array().expect("segments")
}

fn minute(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a minute: {v}"))
}

/// Checks one session plan against the seed's best practices as SPEC §3 lists
/// them, for a session of `duration` minutes that must show `products`, whose
/// offers are `offer`: `flash_sale`, or `spotlight` when no product has a live
/// price below retail.
fn assert_well_formed(session: &Value, duration: u64, products: &[String], offer: &str) {
    let what = offer.replace('_', " ");
    let segs = segments(session);
    assert_eq!(session["duration_minutes"], duration);
    // Contiguous from 0 to the session's end.
    assert_eq!(minute(&segs[0]["start_minute"]), 0, "{session}");
    assert_eq!(minute(&segs.last().unwrap()["end_minute"]), duration);
    for pair in segs.windows(2) {
        assert_eq!(
            pair[0]["end_minute"], pair[1]["start_minute"],
            "segments are contiguous: {session}"
        );
    }
    for s in segs {
        assert!(minute(&s["start_minute"]) < minute(&s["end_minute"]), "{s}");
    }
    // Offers of one kind.
    for s in segs {
        assert!(
            !["flash_sale", "spotlight"].contains(&s["kind"].as_str().unwrap())
                || s["kind"] == offer,
            "{s}"
        );
    }
    // Opening 0–10 with the first offer announced; closing the last 10
    // with the final one.
    let (first, last) = (&segs[0], segs.last().unwrap());
    assert_eq!(first["kind"], "opening");
    assert_eq!(minute(&first["end_minute"]), 10);
    assert!(
        first["notes"].as_str().unwrap().contains(&what),
        "the opening announces the first {what}: {first}"
    );
    assert_eq!(last["kind"], "closing");
    assert_eq!(minute(&last["start_minute"]), duration - 10);
    assert!(
        last["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains(&format!("final {what}")),
        "{last}"
    );
    // Every product is presented in a product segment.
    for p in products {
        assert!(
            segs.iter().any(|s| s["kind"] == "product"
                && s["product_ids"].as_array().unwrap().contains(&json!(p))),
            "{p} is never presented: {session}"
        );
    }
    // Product rotation every 8–12 minutes.
    for s in segs.iter().filter(|s| s["kind"] == "product") {
        let len = minute(&s["end_minute"]) - minute(&s["start_minute"]);
        assert!(
            (8..=12).contains(&len),
            "product segment of {len} minutes: {s}"
        );
    }
    // An offer every 20–30 minutes: the offer segments, then the closing's
    // final one.
    let starts: Vec<u64> = segs
        .iter()
        .filter(|s| s["kind"] == offer || s["kind"] == "closing")
        .map(|s| minute(&s["start_minute"]))
        .collect();
    assert!(starts.len() >= 2, "{starts:?}");
    assert!(
        (20..=30).contains(&starts[0]),
        "first flash sale at {}: {starts:?}",
        starts[0]
    );
    for pair in starts.windows(2) {
        assert!(
            (20..=30).contains(&(pair[1] - pair[0])),
            "flash sales start every 20–30 minutes: {starts:?}"
        );
    }
}

/// The plan's segments without the free text, for comparisons.
fn shape(plan: &Value) -> Vec<Vec<(u64, u64, String, Value)>> {
    plan["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            segments(s)
                .iter()
                .map(|g| {
                    (
                        minute(&g["start_minute"]),
                        minute(&g["end_minute"]),
                        g["kind"].as_str().unwrap().to_string(),
                        g["product_ids"].clone(),
                    )
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn proposes_edits_and_serves_the_launch_premieres_plan() {
    let app = spawn_app().await;
    let agent = app.agent("Glow Labs").await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let path = format!("/api/v1/tasks/{id}/run-of-show");

    let none_yet = app.get(&path, Some(&agent.key)).await;
    assert_eq!(none_yet.status, StatusCode::NOT_FOUND, "{}", none_yet.body);

    let proposed = propose(&app, &agent.key, id).await;
    assert_eq!(proposed.status, StatusCode::OK, "{}", proposed.body);
    let plan = &proposed.body;
    assert_eq!(plan["source"], "proposed");
    assert_eq!(plan["task_id"], id);
    let sessions = plan["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["session_index"], 0);
    // The seed's products carry no product_id: they are numbered by position.
    let products: Vec<String> = ["prod_001", "prod_002", "prod_003"]
        .map(String::from)
        .to_vec();
    // Every product has a launch discount: flash sales.
    assert_well_formed(&sessions[0], 180, &products, "flash_sale");

    // Served back as is, and on the task.
    let got = app.get(&path, Some(&agent.key)).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.body["source"], "proposed");
    assert_eq!(got.body["sessions"], plan["sessions"]);
    let on_task = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&agent.key))
        .await;
    assert_eq!(on_task.body["run_of_show"]["source"], "proposed");
    assert_eq!(on_task.body["run_of_show"]["sessions"], plan["sessions"]);

    // An edit: lengthen the first product segment by 2 minutes, shorten the next.
    let mut edited = json!({"sessions": plan["sessions"].clone()});
    {
        let segs = edited["sessions"][0]["segments"].as_array_mut().unwrap();
        assert_eq!(segs[1]["kind"], "product");
        let end = minute(&segs[1]["end_minute"]) + 2;
        assert!(end < minute(&segs[2]["end_minute"]));
        segs[1]["end_minute"] = json!(end);
        segs[2]["start_minute"] = json!(end);
        segs[1]["notes"] = json!("Longer demo: before/after case study.");
    }
    let saved = app.post(&path, Some(&agent.key), &edited).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["source"], "edited");
    assert_eq!(shape(&saved.body), shape(&edited));
    assert_eq!(
        saved.body["sessions"][0]["segments"][1]["notes"],
        "Longer demo: before/after case study."
    );
    let got = app.get(&path, Some(&agent.key)).await;
    assert_eq!(got.body["source"], "edited");
    assert_eq!(got.body["sessions"], saved.body["sessions"]);
    let on_task = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&agent.key))
        .await;
    assert_eq!(on_task.body["run_of_show"]["source"], "edited");
    assert_eq!(
        on_task.body["run_of_show"]["sessions"],
        saved.body["sessions"]
    );

    // A gap between segments 2 and 3: 422 naming the segment's start.
    let mut gap = edited.clone();
    let start = minute(&gap["sessions"][0]["segments"][3]["start_minute"]);
    gap["sessions"][0]["segments"][3]["start_minute"] = json!(start + 1);
    let bad = app.post(&path, Some(&agent.key), &gap).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.code(), "validation_failed");
    assert_eq!(bad.paths(), ["sessions[0].segments[3].start_minute"]);

    // A product left out of every segment: 422 naming the segments and the product.
    let mut missing = edited.clone();
    for seg in missing["sessions"][0]["segments"].as_array_mut().unwrap() {
        seg["product_ids"]
            .as_array_mut()
            .unwrap()
            .retain(|p| p != "prod_002");
    }
    let bad = app.post(&path, Some(&agent.key), &missing).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.paths(), ["sessions[0].segments"]);
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("prod_002"),
        "{}",
        bad.body
    );

    // Neither bad edit was saved.
    let got = app.get(&path, Some(&agent.key)).await;
    assert_eq!(got.body["source"], "edited");
    assert_eq!(got.body["sessions"], saved.body["sessions"]);
}

#[tokio::test]
async fn a_four_week_series_gets_one_plan_per_session() {
    let app = spawn_app().await;
    let agent = app.agent("Flash Fridays").await;
    let task = app
        .task(&agent, &seed_json("task_workflow2_series.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let proposed = propose(&app, &agent.key, id).await;
    assert_eq!(proposed.status, StatusCode::OK, "{}", proposed.body);
    assert_eq!(proposed.body["source"], "proposed");
    let sessions = proposed.body["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 4);
    // No product list, "10-12 items" per session: twelve numbered placeholders,
    // each presented in every session. They have no price, so no flash sale is
    // proposed: spotlights keep the rhythm.
    let products: Vec<String> = (1..=12).map(|n| format!("product_{n}")).collect();
    for (i, s) in sessions.iter().enumerate() {
        assert_eq!(s["session_index"], i);
        assert_well_formed(s, 120, &products, "spotlight");
        let closing = segments(s).last().unwrap()["title"].as_str().unwrap();
        if i < 3 {
            assert!(closing.contains("teaser"), "session {i}: {closing}");
        } else {
            assert!(!closing.contains("teaser"), "the last session: {closing}");
        }
    }
    // Each week's opening carries its theme.
    let themes = [
        "Beauty essentials",
        "Home organization",
        "Tech accessories",
        "Fashion & jewelry",
    ];
    for (s, theme) in sessions.iter().zip(themes) {
        assert!(
            segments(s)[0]["title"].as_str().unwrap().contains(theme),
            "{}",
            segments(s)[0]
        );
    }

    // An edit must keep one plan per session.
    let mut three = json!({"sessions": proposed.body["sessions"].clone()});
    three["sessions"].as_array_mut().unwrap().pop();
    let bad = app
        .post(
            &format!("/api/v1/tasks/{id}/run-of-show"),
            Some(&agent.key),
            &three,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.paths(), ["sessions"]);
}

#[tokio::test]
async fn only_the_agent_writes_it_and_only_involved_hosts_read_it() {
    let app = spawn_app().await;
    let agent = app.agent("Glow Labs").await;
    let other = app.agent("Rival").await;
    let liu = app
        .verified_host(&seed_host(1, "Skincare Expert Liu"))
        .await;
    let outsider = app.host(&seed_host(1, "Another skincare host")).await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let path = format!("/api/v1/tasks/{id}/run-of-show");
    assert_eq!(propose(&app, &agent.key, id).await.status, StatusCode::OK);

    // Another agent: as if the task did not exist.
    let a = propose(&app, &other.key, id).await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, "not_found"));
    let a = app.get(&path, Some(&other.key)).await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, "not_found"));
    // An uninvolved host, while the task is open (it can see the task itself).
    let a = app.get(&path, Some(&outsider.key)).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::NOT_FOUND, "not_found"),
        "{}",
        a.body
    );

    deposit_cny(&app, &agent, 20000).await;
    let inv = app
        .post(
            &format!("/api/v1/tasks/{id}/invitations"),
            Some(&agent.key),
            &json!({"human_id": liu.id}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.body);
    let acc = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&liu.key),
            &json!({}),
        )
        .await;
    assert_eq!(acc.status, StatusCode::OK, "{}", acc.body);

    // The assigned host reads it, on its own and on the task, but cannot change it.
    let a = app.get(&path, Some(&liu.key)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body["source"], "proposed");
    let t = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&liu.key))
        .await;
    assert_eq!(t.body["run_of_show"]["sessions"], a.body["sessions"]);
    let w = propose(&app, &liu.key, id).await;
    assert_eq!((w.status, w.code()), (StatusCode::FORBIDDEN, "forbidden"));
    let w = app
        .post(
            &path,
            Some(&liu.key),
            &json!({"sessions": a.body["sessions"]}),
        )
        .await;
    assert_eq!((w.status, w.code()), (StatusCode::FORBIDDEN, "forbidden"));
    // The uninvolved host, now that the task is assigned.
    let a = app.get(&path, Some(&outsider.key)).await;
    assert_eq!((a.status, a.code()), (StatusCode::NOT_FOUND, "not_found"));
    // No key.
    let a = app.get(&path, None).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
}

/// The run of show is withheld from uninvolved hosts (GET …/run-of-show is 404
/// to them), so the task view they may read while the task is open must not
/// carry it either.
#[tokio::test]
async fn an_uninvolved_host_does_not_get_the_plan_through_the_task_view() {
    let app = spawn_app().await;
    let agent = app.agent("Glow Labs").await;
    let outsider = app.host(&seed_host(1, "Another skincare host")).await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    assert_eq!(propose(&app, &agent.key, id).await.status, StatusCode::OK);
    let direct = app
        .get(
            &format!("/api/v1/tasks/{id}/run-of-show"),
            Some(&outsider.key),
        )
        .await;
    assert_eq!(direct.status, StatusCode::NOT_FOUND);
    let view = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&outsider.key))
        .await;
    assert_eq!(
        view.status,
        StatusCode::OK,
        "an open task is visible to hosts"
    );
    assert_eq!(
        view.body.get("run_of_show"),
        None,
        "the task view leaks the run of show that GET …/run-of-show withholds"
    );
}

/// The live metrics say where a started session stands against its plan.
#[tokio::test]
async fn a_live_session_is_placed_against_its_plan() {
    let app = spawn_app().await;
    let agent = app.agent("Glow Labs").await;
    let liu = app
        .verified_host(&seed_host(1, "Skincare Expert Liu"))
        .await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let session = task["sessions"][0]["id"].as_str().unwrap();
    let proposed = propose(&app, &agent.key, id).await;
    assert_eq!(proposed.status, StatusCode::OK);
    deposit_cny(&app, &agent, 20000).await;
    app.post(
        &format!("/api/v1/tasks/{id}/invitations"),
        Some(&agent.key),
        &json!({"human_id": liu.id}),
    )
    .await;
    let acc = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&liu.key),
            &json!({}),
        )
        .await;
    assert_eq!(acc.status, StatusCode::OK, "{}", acc.body);
    let started = app
        .post(
            &format!("/api/v1/sessions/{session}/start"),
            Some(&liu.key),
            &json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let m = app
        .get(
            &format!("/api/v1/sessions/{session}/metrics"),
            Some(&agent.key),
        )
        .await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    let ros = &m.body["run_of_show"];
    assert_eq!(ros["segment_index"], 0, "{ros}");
    assert_eq!(ros["segment"], proposed.body["sessions"][0]["segments"][0]);
    assert_eq!(ros["next"], proposed.body["sessions"][0]["segments"][1]);
}

#[tokio::test]
async fn a_cancelled_task_takes_no_new_plan() {
    let app = spawn_app().await;
    let agent = app.agent("Agent").await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/tasks/{id}/cancel"),
        Some(&agent.key),
        &json!({}),
    )
    .await;
    let a = propose(&app, &agent.key, id).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert_eq!(a.code(), "invalid_state");
}

async fn deposit_cny(app: &TestApp, agent: &Agent, amount: u64) {
    let a = app
        .post(
            "/api/v1/wallet/deposits",
            Some(&agent.key),
            &json!({"amount": amount, "currency": "CNY"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
}
