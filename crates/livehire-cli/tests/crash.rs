//! Crash safety: SIGKILL the real binary during an order storm, restart it on
//! the same database file, and check that every acknowledged order is there
//! and that sold + remaining = stock.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

mod common;
use common::{agent_and_host, call, fixture, free_port, start_on};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_order_survives_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());
    let port = free_port();
    let mut server = start_on(&db, port).await;
    let c = reqwest::Client::new();
    let b = server.base.clone();
    use reqwest::Method as M;

    let (key, hkey, host_id) = agent_and_host(&c, &b, "Crash test brand").await;
    let (_, task) = call(
        &c,
        M::POST,
        format!("{b}/api/v1/tasks"),
        Some(&key),
        fixture("task_workflow1_launch.json"),
    )
    .await;
    let task_id = task["id"].as_str().unwrap();
    let session = task["sessions"][0]["id"].as_str().unwrap().to_string();
    call(
        &c,
        M::POST,
        format!("{b}/api/v1/wallet/deposits"),
        Some(&key),
        json!({"amount": 10000, "currency": "CNY"}),
    )
    .await;
    call(
        &c,
        M::POST,
        format!("{b}/api/v1/tasks/{task_id}/invitations"),
        Some(&key),
        json!({"human_id": host_id}),
    )
    .await;
    call(
        &c,
        M::POST,
        format!("{b}/api/v1/tasks/{task_id}/accept"),
        Some(&hkey),
        json!({}),
    )
    .await;
    call(
        &c,
        M::POST,
        format!("{b}/api/v1/sessions/{session}/start"),
        Some(&hkey),
        json!({}),
    )
    .await;
    let stock = 100_000;
    let (status, sale) = call(
        &c,
        M::POST,
        format!("{b}/api/v1/sessions/{session}/flash-sales"),
        Some(&key),
        json!({"product_id": "prod_001", "price": 139.3, "stock": stock, "duration_minutes": 30}),
    )
    .await;
    assert_eq!(status, 201, "{sale}");
    let sale_id = sale["id"].as_str().unwrap().to_string();

    // The storm: 64 buyers ordering in a loop; record every acknowledged order.
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let mut workers = Vec::new();
    for w in 0..64 {
        let (c, b, key, sale_id, acked) = (
            c.clone(),
            b.clone(),
            key.clone(),
            sale_id.clone(),
            acked.clone(),
        );
        workers.push(tokio::spawn(async move {
            for i in 0.. {
                let r = c
                    .post(format!("{b}/api/v1/flash-sales/{sale_id}/orders"))
                    .bearer_auth(&key)
                    .json(&json!({"buyer_id": format!("w{w}-{i}"), "quantity": 1}))
                    .send()
                    .await;
                let Ok(r) = r else { return };
                if r.status().as_u16() != 201 {
                    continue;
                }
                let Ok(v) = r.json::<Value>().await else {
                    return;
                };
                acked
                    .lock()
                    .unwrap()
                    .insert(v["order_id"].as_str().unwrap().to_string());
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    server.child.kill().expect("SIGKILL");
    server.child.wait().unwrap();
    for w in workers {
        let _ = w.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 100,
        "the storm placed orders before the kill: {}",
        acked.len()
    );

    let mut server = start_on(&db, port).await;
    let b = server.base.clone();
    let mut stored: HashSet<String> = HashSet::new();
    let mut cursor = String::new();
    loop {
        let (_, page) = call(
            &c,
            M::GET,
            format!("{b}/api/v1/flash-sales/{sale_id}/orders?limit=1000{cursor}"),
            Some(&key),
            Value::Null,
        )
        .await;
        for o in page["data"].as_array().unwrap() {
            assert!(stored.insert(o["order_id"].as_str().unwrap().to_string()));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged orders lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    let (_, state) = call(
        &c,
        M::GET,
        format!("{b}/api/v1/flash-sales/{sale_id}"),
        Some(&key),
        Value::Null,
    )
    .await;
    let sold = state["sold"].as_i64().unwrap();
    assert_eq!(sold, stored.len() as i64, "sold counts the stored orders");
    assert_eq!(sold + state["remaining"].as_i64().unwrap(), stock);
    let (_, metrics) = call(
        &c,
        M::GET,
        format!("{b}/api/v1/sessions/{session}/metrics"),
        Some(&key),
        Value::Null,
    )
    .await;
    assert_eq!(
        metrics["orders"].as_u64().unwrap() as usize,
        stored.len(),
        "metrics rebuilt from storage"
    );
    server.child.kill().ok();
    server.child.wait().ok();
}
