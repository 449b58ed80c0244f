//! Task listing, visibility and cancellation.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::*;

#[tokio::test]
async fn agents_list_their_own_tasks_newest_first_with_pages_and_status_filter() {
    let app = spawn_app().await;
    let agent = app.agent("Busy agent").await;
    let other = app.agent("Other agent").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let mut body = seed_json("task_getting_started.json");
        body["title"] = json!(format!("Session {i}"));
        ids.push(
            app.task(&agent, &body).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    app.task(&other, &seed_json("task_workflow3_qa.json")).await;
    let cancelled = app
        .post(
            &format!("/api/v1/tasks/{}/cancel", ids[1]),
            Some(&agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    assert_eq!(cancelled.body["status"], "cancelled");

    let page1 = app.get("/api/v1/tasks?limit=3", Some(&agent.key)).await;
    let page1_ids: Vec<Value> = page1.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    assert_eq!(page1_ids, [json!(ids[4]), json!(ids[3]), json!(ids[2])]);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/tasks?limit=3&cursor={cursor}"),
            Some(&agent.key),
        )
        .await;
    let page2_ids: Vec<Value> = page2.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    assert_eq!(page2_ids, [json!(ids[1]), json!(ids[0])]);
    assert_eq!(page2.body["next_cursor"], Value::Null);

    let open = app.get("/api/v1/tasks?status=open", Some(&agent.key)).await;
    assert_eq!(open.body["data"].as_array().unwrap().len(), 4);
    let gone = app
        .get("/api/v1/tasks?status=cancelled", Some(&agent.key))
        .await;
    assert_eq!(gone.body["data"][0]["id"], ids[1].as_str());
}

#[tokio::test]
async fn cancelling_twice_is_an_invalid_state_naming_what_is_allowed() {
    let app = spawn_app().await;
    let agent = app.agent("Agent").await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let path = format!("/api/v1/tasks/{}/cancel", task["id"].as_str().unwrap());
    assert_eq!(
        app.post(&path, Some(&agent.key), &json!({})).await.status,
        StatusCode::OK
    );
    let again = app.post(&path, Some(&agent.key), &json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "invalid_state");
    assert!(
        again.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cancelled"),
        "{}",
        again.body
    );
}

#[tokio::test]
async fn hosts_see_open_tasks_but_cannot_post_or_cancel_and_uninvolved_hosts_cannot_message() {
    let app = spawn_app().await;
    let agent = app.agent("Agent").await;
    let mut chen = livehire_sim::hosts::seed_hosts()[0].clone();
    chen.as_object_mut().unwrap().remove("human_id");
    let host = app.verified_host(&chen).await;
    // The seed's raw example has no skills, so the task's requirements exclude it.
    let unskilled = app.host(&seed_json("host_example3.json")).await;
    let task = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let id = task["id"].as_str().unwrap();

    let seen = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&host.key))
        .await;
    assert_eq!(seen.status, StatusCode::OK);
    let listed = app.get("/api/v1/tasks", Some(&host.key)).await;
    assert_eq!(listed.body["data"][0]["id"], id);
    let not_listed = app.get("/api/v1/tasks", Some(&unskilled.key)).await;
    assert_eq!(
        not_listed.body["data"].as_array().unwrap().len(),
        0,
        "open tasks are listed to eligible hosts"
    );

    let post = app
        .post(
            "/api/v1/tasks",
            Some(&host.key),
            &seed_json("task_getting_started.json"),
        )
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    let cancel = app
        .post(
            &format!("/api/v1/tasks/{id}/cancel"),
            Some(&host.key),
            &json!({}),
        )
        .await;
    assert_eq!(cancel.status, StatusCode::FORBIDDEN);
    let msg = app
        .post(
            &format!("/api/v1/tasks/{id}/messages"),
            Some(&host.key),
            &json!({"text": "hi"}),
        )
        .await;
    assert_eq!(msg.status, StatusCode::FORBIDDEN);
    let read = app
        .get(&format!("/api/v1/tasks/{id}/messages"), Some(&host.key))
        .await;
    assert_eq!(read.status, StatusCode::FORBIDDEN);

    // Once cancelled, the task is no longer visible to hosts at all.
    app.post(
        &format!("/api/v1/tasks/{id}/cancel"),
        Some(&agent.key),
        &json!({}),
    )
    .await;
    let hidden = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&host.key))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

/// Stores a copy of a posted task under `id` (its sessions renamed) with
/// this body and these terms, as an older release or an older rule would
/// have left it.
async fn stored_copy(app: &TestApp, of: &str, id: &str, body: Value, terms: Option<String>) {
    let mut copy = app.app.store().task(of).await.unwrap();
    copy.id = id.to_string();
    for (i, s) in copy.sessions.iter_mut().enumerate() {
        s.id = format!("ph_sess_{id}_{i}");
    }
    copy.body = body;
    copy.terms = terms;
    app.app.store().create_task(&copy).await.unwrap();
}

#[tokio::test]
async fn a_task_keeps_the_terms_it_was_posted_under_when_the_rules_change() {
    let app = spawn_app().await;
    let agent = app.agent("Agent").await;
    let posted = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let id = posted["id"].as_str().unwrap();
    let terms = app.app.store().task(id).await.unwrap().terms;
    assert!(
        terms.as_deref().is_some_and(|t| t.contains("50k_gmv")),
        "{terms:?}"
    );
    let preview = |task: String| {
        let app = &app;
        let key = agent.key.clone();
        async move {
            app.get(
                &format!("/api/v1/tasks/{task}/payout-preview?gmv=127000"),
                Some(&key),
            )
            .await
        }
    };
    let paid = preview(id.to_string()).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);

    // The rules now refuse this body (an unknown category, a bonus key the
    // grammar does not read), but the task was posted under the old ones:
    // its stored terms still pay, plan and show exactly as before.
    let mut body = posted.clone();
    body["category"] = json!("tiktok_live_shopping");
    body["commission_structure"]["performance_bonuses"]["a_lot_of_gmv"] = json!(100);
    stored_copy(&app, id, "ph_task_rule_changed", body, terms.clone()).await;
    let again = preview("ph_task_rule_changed".into()).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body, paid.body);
    let plan = app
        .post(
            "/api/v1/tasks/ph_task_rule_changed/run-of-show",
            Some(&agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let shown = app
        .get("/api/v1/tasks/ph_task_rule_changed", Some(&agent.key))
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["category"], "tiktok_live_shopping");

    // A task from before terms were stored: read from its body until the
    // server fills its terms at start-up, then the same terms as posted now.
    stored_copy(&app, id, "ph_task_legacy", posted.clone(), None).await;
    let legacy = preview("ph_task_legacy".into()).await;
    assert_eq!(legacy.body, paid.body);
    // One whose body the rules now refuse cannot be acted on (409, not a
    // 500), but can still be read and cancelled.
    let mut refused = posted.clone();
    refused["category"] = json!("tiktok_live_shopping");
    stored_copy(&app, id, "ph_task_legacy_refused", refused, None).await;
    let answer = preview("ph_task_legacy_refused".into()).await;
    assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
    assert_eq!(answer.code(), "task_terms_invalid");
    assert!(
        answer.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("category"),
        "{}",
        answer.body
    );
    let shown = app
        .get("/api/v1/tasks/ph_task_legacy_refused", Some(&agent.key))
        .await;
    assert_eq!(shown.status, StatusCode::OK);

    let restarted = app.restarted().await;
    let mut filled = None;
    for _ in 0..100 {
        filled = restarted
            .app
            .store()
            .task("ph_task_legacy")
            .await
            .unwrap()
            .terms;
        if filled.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(filled, terms);
    let store = restarted.app.store();
    assert_eq!(
        store.task("ph_task_legacy_refused").await.unwrap().terms,
        None
    );
    let cancelled = restarted
        .post(
            "/api/v1/tasks/ph_task_legacy_refused/cancel",
            Some(&agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
}
