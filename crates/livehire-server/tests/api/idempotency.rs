//! `Idempotency-Key` on POST.

use reqwest::{Method, StatusCode};

use crate::harness::*;

#[tokio::test]
async fn the_same_key_replays_the_first_answer_and_a_different_body_conflicts() {
    let app = spawn_app().await;
    let agent = app.agent("Careful agent").await;
    let body = seed_fixture("task_getting_started.json");
    let send = |b: String, key: &'static str, auth: String| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/api/v1/tasks",
                Some(&auth),
                Some("application/json"),
                b,
                &[("Idempotency-Key", key)],
            )
            .await
        }
    };
    let first = send(body.clone(), "order-42", agent.key.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = send(body.clone(), "order-42", agent.key.clone()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");

    let changed = send(
        body.replace("1500.00", "1600.00"),
        "order-42",
        agent.key.clone(),
    )
    .await;
    assert_eq!(changed.status, StatusCode::CONFLICT);
    assert_eq!(changed.code(), "idempotency_key_reused");

    // Keys are per caller: another agent's same key is a new request.
    let other = app.agent("Other agent").await;
    let theirs = send(body.clone(), "order-42", other.key.clone()).await;
    assert_eq!(theirs.status, StatusCode::CREATED);
    assert_ne!(theirs.body["id"], first.body["id"]);

    let listed = app.get("/api/v1/tasks", Some(&agent.key)).await;
    assert_eq!(
        listed.body["data"].as_array().unwrap().len(),
        1,
        "one task, not two"
    );

    // A failed validation is replayed too (it is the answer to that request).
    let bad = body.replace("\"CNY\"", "\"XYZ\"");
    let v1 = send(bad.clone(), "bad-1", agent.key.clone()).await;
    let v2 = send(bad, "bad-1", agent.key.clone()).await;
    assert_eq!(v1.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v2.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v1.body, v2.body);
}
