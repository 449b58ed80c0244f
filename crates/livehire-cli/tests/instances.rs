//! Two real `livehire serve` processes over one PostgreSQL database: they
//! share keys, tasks, Idempotency-Keys and a flash sale's stock, and when one
//! is killed with SIGKILL mid-session the other carries on with exact figures
//! and every acknowledged order.
//!
//! Needs a PostgreSQL server: `LIVEHIRE_TEST_DATABASE_URL` names one to
//! create a database on, and the test is ignored unless asked for (CI's
//! PostgreSQL stage runs it with `--include-ignored`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use livehire_store::testing::PgTestDatabase;
use reqwest::Method as M;
use serde_json::{Value, json};

mod common;
use common::{call, free_port, live_flash_sale, start_on, stored_orders};

async fn place(
    c: &reqwest::Client,
    base: &str,
    key: &str,
    sale: &str,
    body: Value,
    idem: Option<&str>,
) -> (u16, Value) {
    let mut r = c
        .post(format!("{base}/api/v1/flash-sales/{sale}/orders"))
        .bearer_auth(key)
        .json(&body);
    if let Some(k) = idem {
        r = r.header("Idempotency-Key", k);
    }
    match r.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            (status, resp.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: LIVEHIRE_TEST_DATABASE_URL and --include-ignored"]
async fn two_processes_share_one_database_and_one_survives_the_other_s_sigkill() {
    let db = PgTestDatabase::new("instances", "two processes on one database").await;
    let mut a = start_on(&db.url, free_port()).await;
    let b_server = start_on(&db.url, free_port()).await;
    let (ab, bb) = (a.base.clone(), b_server.base.clone());
    let c = reqwest::Client::new();

    // Set up on A; the key works on B.
    let (key, session, sale) = live_flash_sale(&c, &ab, "Two instances brand", 200).await;
    let sale_id = sale["id"].as_str().unwrap().to_string();
    let (status, me) = call(
        &c,
        M::GET,
        format!("{bb}/api/v1/me"),
        Some(&key),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{me}");

    // 600 buyers, half through each process, for 200 units.
    let mut handles = Vec::new();
    for buyer in 0..600 {
        let base = if buyer % 2 == 0 {
            ab.clone()
        } else {
            bb.clone()
        };
        let (c, key, sale_id) = (c.clone(), key.clone(), sale_id.clone());
        handles.push(tokio::spawn(async move {
            let body = json!({"buyer_id": format!("buyer{buyer}"), "quantity": 1});
            place(&c, &base, &key, &sale_id, body, None).await
        }));
    }
    let (mut created, mut sold_out) = (0, 0);
    for h in handles {
        let (status, body) = h.await.unwrap();
        match status {
            201 => created += 1,
            409 if body["error"]["code"] == "sold_out" => sold_out += 1,
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, sold_out), (200, 400));
    assert_eq!(stored_orders(&c, &bb, &key, &sale_id).await.len(), 200);

    // One Idempotency-Key through both: one order.
    let (_, big) = call(
        &c,
        M::POST,
        format!("{ab}/api/v1/sessions/{session}/flash-sales"),
        Some(&key),
        json!({"product_id": "prod_001", "price": 139.3, "stock": 100_000, "duration_minutes": 30}),
    )
    .await;
    let big_id = big["id"].as_str().unwrap().to_string();
    let body = json!({"buyer_id": "careful", "quantity": 2});
    let (s1, first) = place(&c, &ab, &key, &big_id, body.clone(), Some("k-1")).await;
    let (s2, again) = place(&c, &bb, &key, &big_id, body, Some("k-1")).await;
    assert_eq!((s1, s2), (201, 201), "{first} {again}");
    assert_eq!(first["order_id"], again["order_id"]);

    // An order storm through both; A dies with SIGKILL in the middle of it.
    let acked = Arc::new(Mutex::new(HashSet::from([first["order_id"]
        .as_str()
        .unwrap()
        .to_string()])));
    let mut workers = Vec::new();
    for w in 0..32 {
        let base = if w % 2 == 0 { ab.clone() } else { bb.clone() };
        let (c, key, sale_id, acked) = (c.clone(), key.clone(), big_id.clone(), acked.clone());
        workers.push(tokio::spawn(async move {
            let mut refused_in_a_row = 0;
            for i in 0..400 {
                let body = json!({"buyer_id": format!("w{w}-{i}"), "quantity": 1});
                let (status, v) = place(&c, &base, &key, &sale_id, body, None).await;
                if status != 201 {
                    // Its process is gone.
                    refused_in_a_row += 1;
                    if refused_in_a_row > 3 {
                        return;
                    }
                    continue;
                }
                refused_in_a_row = 0;
                acked
                    .lock()
                    .unwrap()
                    .insert(v["order_id"].as_str().unwrap().to_string());
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    a.child.kill().expect("SIGKILL");
    a.child.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 100, "orders before the kill: {}", acked.len());

    // B has every acknowledged order, and counts them exactly.
    let stored = stored_orders(&c, &bb, &key, &big_id).await;
    let lost: Vec<_> = acked.difference(&stored).collect();
    assert!(lost.is_empty(), "{} acknowledged orders lost", lost.len());
    let (_, state) = call(
        &c,
        M::GET,
        format!("{bb}/api/v1/flash-sales/{big_id}"),
        Some(&key),
        Value::Null,
    )
    .await;
    let units = stored.len() as i64 + 1; // the keyed order is 2 units
    assert_eq!(state["sold"].as_i64(), Some(units), "{state}");
    assert_eq!(
        state["remaining"].as_i64(),
        Some(100_000 - units),
        "{state}"
    );
    let (_, metrics) = call(
        &c,
        M::GET,
        format!("{bb}/api/v1/sessions/{session}/metrics"),
        Some(&key),
        Value::Null,
    )
    .await;
    assert_eq!(
        metrics["orders"].as_u64(),
        Some(200 + stored.len() as u64),
        "{metrics}"
    );

    // The session goes on on B.
    let (status, more) = place(
        &c,
        &bb,
        &key,
        &big_id,
        json!({"buyer_id": "after", "quantity": 1}),
        None,
    )
    .await;
    assert_eq!(status, 201, "{more}");
    drop(b_server);
    drop(db);
}
