//! `livehire migrate-store` end to end: a SQLite store filled through the
//! real server (hosts seeded, a task hired, paid, rated and messaged, a
//! simulated live session with its events and flash-sale orders) copied
//! into a new PostgreSQL database, which then serves the same data and
//! takes new rows.
//!
//! Needs a PostgreSQL server: `LIVEHIRE_TEST_DATABASE_URL` (a database to
//! connect to for administration; the test makes a database of its own
//! there and drops it). Ignored unless asked for, as the store's
//! PostgreSQL tests: `.ci/run` runs it with `--include-ignored`.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use livehire_store::testing::PgTestDatabase;
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Connection, PgConnection, SqliteConnection};

mod common;
use common::{ADMIN_TOKEN, Server, call, fixture, free_port, start_with};

/// Runs the binary with `args`.
async fn livehire(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_livehire"))
            .args(&args)
            .env("LIVEHIRE_LOG", "warn")
            .output()
            .expect("run livehire")
    })
    .await
    .unwrap()
}

fn ok(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{what} failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn server_args() -> [&'static str; 4] {
    [
        "--admin-token",
        ADMIN_TOKEN,
        "--open-registration",
        "--webhooks-allow-private-urls",
    ]
}

async fn get(c: &reqwest::Client, base: &str, path: &str, key: &str) -> Value {
    let (status, v) = call(
        c,
        reqwest::Method::GET,
        format!("{base}{path}"),
        Some(key),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "GET {path}: {v}");
    v
}

/// A POST that must succeed; no key when `key` is empty.
async fn post(c: &reqwest::Client, base: &str, path: &str, key: &str, body: Value) -> Value {
    let (status, v) = call(
        c,
        reqwest::Method::POST,
        format!("{base}{path}"),
        Some(key).filter(|k| !k.is_empty()),
        body,
    )
    .await;
    assert!((200..300).contains(&status), "POST {path}: {status} {v}");
    v
}

/// What the test compares: the pages a server serves of the data set up.
struct Probe {
    key: String,
    hkey: String,
    task_id: String,
    session: String,
    host_id: String,
    sales: Vec<String>,
}

impl Probe {
    /// Every page compared, by name.
    async fn pages(&self, base: &str) -> BTreeMap<String, Value> {
        let c = reqwest::Client::new();
        let (k, hk, t, s) = (&self.key, &self.hkey, &self.task_id, &self.session);
        let mut pages = BTreeMap::new();
        for (name, path, key) in [
            ("task", format!("/api/v1/tasks/{t}"), k),
            ("wallet", "/api/v1/wallet".to_string(), k),
            ("ledger", "/api/v1/ledger?limit=100".to_string(), k),
            ("earnings", "/api/v1/earnings".to_string(), hk),
            ("host ledger", "/api/v1/ledger?limit=100".to_string(), hk),
            ("metrics", format!("/api/v1/sessions/{s}/metrics"), k),
            ("session", format!("/api/v1/sessions/{s}"), k),
            ("messages", format!("/api/v1/tasks/{t}/messages"), k),
            ("events", "/api/v1/events?limit=1000".to_string(), k),
            ("host", format!("/api/v1/humans/{}", self.host_id), k),
            ("tasks", "/api/v1/tasks?limit=50".to_string(), k),
        ] {
            let mut page = get(&c, base, &path, key).await;
            // When it was read: the one field that differs between reads.
            if let Some(fields) = page.as_object_mut() {
                fields.remove("as_of");
            }
            pages.insert(name.to_string(), page);
        }
        // Every order page, small pages so the cursors (the page keys) count.
        for sale in &self.sales {
            let mut cursor = String::new();
            let mut n = 0;
            loop {
                let page = get(
                    &c,
                    base,
                    &format!("/api/v1/flash-sales/{sale}/orders?limit=25{cursor}"),
                    k,
                )
                .await;
                let next = page["next_cursor"].as_str().map(str::to_string);
                pages.insert(format!("orders {sale} page {n}"), page);
                n += 1;
                match next {
                    Some(next) => cursor = format!("&cursor={next}"),
                    None => break,
                }
            }
        }
        pages
    }
}

/// Hires the seed's host for the launch task, runs a simulated session with
/// its flash sales, and settles the task: payout, rating, messages.
async fn fill(base: &str) -> (Probe, Value) {
    use reqwest::Method as M;
    let c = reqwest::Client::new();
    let b = base;
    let agent = post(
        &c,
        b,
        "/api/v1/agents/register",
        "",
        json!({"name": "Migration brand"}),
    )
    .await;
    let key = agent["api_key"].as_str().unwrap().to_string();
    // The seed's second host under a handle of its own (the seeded one holds its handle).
    let mut profile = livehire_sim::hosts::seed_hosts()[1].clone();
    let fields = profile.as_object_mut().unwrap();
    fields.remove("human_id");
    fields.insert("tiktok_handle".into(), json!("@migration_host"));
    let host = post(&c, b, "/api/v1/humans/register", "", profile).await;
    let hkey = host["api_key"].as_str().unwrap().to_string();
    let host_id = host["human_id"].as_str().unwrap().to_string();
    post(
        &c,
        b,
        &format!("/api/v1/admin/humans/{host_id}/verification"),
        ADMIN_TOKEN,
        json!({"tiktok_shop_verified": true}),
    )
    .await;
    post(
        &c,
        b,
        "/api/v1/wallet/deposits",
        &key,
        json!({"amount": 100000, "currency": "CNY"}),
    )
    .await;
    let (status, task) = call(
        &c,
        M::POST,
        format!("{b}/api/v1/tasks"),
        Some(&key),
        fixture("task_workflow1_launch.json"),
    )
    .await;
    assert_eq!(status, 201, "{task}");
    let task_id = task["id"].as_str().unwrap().to_string();
    let session = task["sessions"][0]["id"].as_str().unwrap().to_string();
    post(
        &c,
        b,
        &format!("/api/v1/tasks/{task_id}/invitations"),
        &key,
        json!({"human_id": host_id}),
    )
    .await;
    post(
        &c,
        b,
        &format!("/api/v1/tasks/{task_id}/accept"),
        &hkey,
        json!({}),
    )
    .await;
    post(
        &c,
        b,
        &format!("/api/v1/tasks/{task_id}/messages"),
        &hkey,
        fixture("message_workflow1.json"),
    )
    .await;
    post(
        &c,
        b,
        &format!("/api/v1/tasks/{task_id}/messages"),
        &key,
        json!({"text": "Samples ship Monday."}),
    )
    .await;
    // A deposit under an Idempotency-Key: its stored answer is bytes.
    let resp = c
        .post(format!("{b}/api/v1/wallet/deposits"))
        .bearer_auth(&key)
        .header("Idempotency-Key", "migration-deposit-1")
        .json(&json!({"amount": 250, "currency": "CNY"}))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    // A webhook endpoint nobody answers: deliveries and failed attempts.
    post(
        &c,
        b,
        "/api/v1/webhooks",
        &key,
        json!({"url": format!("http://127.0.0.1:{}/hook", free_port())}),
    )
    .await;

    let sim = livehire(vec![
        "simulate".into(),
        "--base-url".into(),
        b.into(),
        "--key".into(),
        key.clone(),
        "--session".into(),
        session.clone(),
        "--profile".into(),
        "case-study-1".into(),
        "--minutes".into(),
        "20".into(),
        "--speed".into(),
        "0".into(),
        "--seed".into(),
        "7".into(),
    ])
    .await;
    let out = ok(&sim, "simulate");
    assert!(out.contains(" 0 rejected"), "{out}");

    let metrics = get(&c, b, &format!("/api/v1/sessions/{session}/metrics"), &key).await;
    assert_eq!(metrics["status"], "ended", "{metrics}");
    assert!(metrics["orders"].as_u64().unwrap() > 0, "{metrics}");
    post(
        &c,
        b,
        &format!("/api/v1/tasks/{task_id}/submission"),
        &hkey,
        json!({"recording_url": "https://videos.example/launch.mp4",
               "gmv_report": {"total_gmv": metrics["gmv"], "orders": metrics["orders"], "currency": "CNY"}}),
    )
    .await;
    let approved = post(
        &c,
        b,
        &format!("/api/v1/tasks/{task_id}/approve"),
        &key,
        json!({}),
    )
    .await;
    post(
        &c,
        b,
        &format!("/api/v1/tasks/{task_id}/rate"),
        &key,
        fixture("rate_workflow1.json"),
    )
    .await;
    let probe = Probe {
        key,
        hkey,
        task_id,
        session,
        host_id,
        sales: Vec::new(),
    };
    (probe, approved)
}

/// Every table of the SQLite store (its `sqlite_master`) with its rows, but
/// SQLite's own bookkeeping, which is not copied
/// (`livehire_store::migrate::SQLITE_ONLY`).
async fn sqlite_counts(url: &str) -> BTreeMap<String, i64> {
    let mut conn = SqliteConnection::connect(url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut counts = BTreeMap::new();
    for t in tables {
        if livehire_store::migrate::SQLITE_ONLY.contains(&t.as_str()) {
            continue;
        }
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM \"{t}\"")))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        counts.insert(t, n);
    }
    conn.close().await.unwrap();
    counts
}

/// Per ledger account and currency: the sum of its postings.
const BALANCES: &str = "SELECT p.account, e.currency, CAST(SUM(p.amount_minor) AS BIGINT) \
     FROM ledger_postings p JOIN ledger_entries e ON e.seq = p.entry_seq GROUP BY p.account, e.currency";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a PostgreSQL server: LIVEHIRE_TEST_DATABASE_URL=postgres://… cargo test -p livehire-cli --test migrate_store -- --include-ignored"]
async fn a_sqlite_store_moves_to_postgresql_whole_and_serves_the_same() {
    let pg = PgTestDatabase::new("migrate_cli", "migrate-store end to end").await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("live.db").display());

    // The SQLite store: demo hosts, then a hiring through the real server.
    ok(
        &livehire(vec![
            "seed".into(),
            "--hosts".into(),
            "300".into(),
            "--database-url".into(),
            sqlite.clone(),
        ])
        .await,
        "seed",
    );
    let server: Server = start_with(&sqlite, free_port(), &server_args()).await;
    let (mut probe, approved) = fill(&server.base).await;
    assert!(
        approved["payout"]["total"].is_string() || approved["payout"]["total"].is_number(),
        "{approved}"
    );
    {
        let mut conn = SqliteConnection::connect(&sqlite).await.unwrap();
        probe.sales = sqlx::query_scalar("SELECT id FROM flash_sales ORDER BY created_at")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    assert!(!probe.sales.is_empty());
    let served = probe.pages(&server.base).await;
    drop(server);

    let counts = sqlite_counts(&sqlite).await;
    for table in [
        "hosts",
        "idempotency_keys",
        "tasks",
        "sessions",
        "ledger_entries",
        "ledger_postings",
        "payouts",
        "ratings",
        "messages",
        "session_event_batches",
        "flash_sales",
        "flash_sale_orders",
        "outbox",
        "session_results",
        "webhook_endpoints",
        "agent_money",
        "agent_task_counts",
    ] {
        assert!(counts[table] > 0, "{table} has rows to copy: {counts:?}");
    }

    // The copy, in batches of 500 rows.
    let out = livehire(vec![
        "migrate-store".into(),
        "--from".into(),
        sqlite.clone(),
        "--to".into(),
        pg.url.clone(),
        "--batch-rows".into(),
        "500".into(),
    ])
    .await;
    let report = ok(&out, "migrate-store");
    println!("{report}");
    assert!(
        report.contains("verified: every table's rows and every ledger balance equal"),
        "{report}"
    );
    // Every SQLite table is in the report, with its rows on both sides.
    let mut pg_conn = PgConnection::connect(&pg.url).await.unwrap();
    for (table, n) in &counts {
        let line = report
            .lines()
            .find(|l| l.split_whitespace().next() == Some(table))
            .unwrap_or_else(|| panic!("{table} is not in the report:\n{report}"));
        let figures: Vec<i64> = line
            .split_whitespace()
            .skip(1)
            .map(|f| f.parse().unwrap())
            .collect();
        assert_eq!(figures, [*n, *n, *n], "{line}");
        let in_pg: i64 =
            sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM \"{table}\"")))
                .fetch_one(&mut pg_conn)
                .await
                .unwrap();
        assert_eq!(in_pg, *n, "{table}");
    }
    // What only PostgreSQL keeps, derived from the orders: each sale's units sold.
    let sold: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT f.id, f.sold, COALESCE(SUM(o.quantity), 0)::BIGINT FROM flash_sales f \
         LEFT JOIN flash_sale_orders o ON o.flash_sale_id = f.id GROUP BY f.id, f.sold",
    )
    .fetch_all(&mut pg_conn)
    .await
    .unwrap();
    assert!(
        sold.iter()
            .all(|(_, sold, units)| sold == units && *sold > 0),
        "{sold:?}"
    );
    assert!(
        report.contains("derived in PostgreSQL from the copied rows: flash_sales.sold"),
        "{report}"
    );
    // Every ledger balance, summed here on both sides.
    let mut lite = SqliteConnection::connect(&sqlite).await.unwrap();
    let mut from: Vec<(String, String, i64)> =
        sqlx::query_as(BALANCES).fetch_all(&mut lite).await.unwrap();
    let mut to: Vec<(String, String, i64)> = sqlx::query_as(BALANCES)
        .fetch_all(&mut pg_conn)
        .await
        .unwrap();
    from.sort();
    to.sort();
    assert!(from.len() >= 4, "{from:?}");
    assert_eq!(from, to);
    let currencies = |rows: &[(String, String, i64)]| {
        let mut sums = BTreeMap::new();
        for (account, currency, sum) in rows {
            if *sum > 0 {
                *sums.entry(currency.clone()).or_insert(0) += sum;
            }
            assert!(!account.is_empty());
        }
        sums
    };
    assert_eq!(currencies(&from), currencies(&to));
    lite.close().await.unwrap();
    pg_conn.close().await.unwrap();

    // The stores read the same records.
    let a = livehire_store::connect(&sqlite).await.unwrap();
    let b = livehire_store::connect(&pg.url).await.unwrap();
    let (a, b) = (a.store(), b.store());
    let agent_id = {
        let t = a.task(&probe.task_id).await.unwrap();
        assert_eq!(
            format!("{t:?}"),
            format!("{:?}", b.task(&probe.task_id).await.unwrap())
        );
        t.agent_id
    };
    assert_eq!(
        format!("{:?}", a.wallet(&agent_id).await.unwrap()),
        format!("{:?}", b.wallet(&agent_id).await.unwrap())
    );
    assert_eq!(
        format!("{:?}", a.earnings(&probe.host_id).await.unwrap()),
        format!("{:?}", b.earnings(&probe.host_id).await.unwrap())
    );
    assert_eq!(
        format!(
            "{:?}",
            a.ledger(Some(&agent_id), None, None, 1000)
                .await
                .unwrap()
                .data
        ),
        format!(
            "{:?}",
            b.ledger(Some(&agent_id), None, None, 1000)
                .await
                .unwrap()
                .data
        )
    );
    assert_eq!(
        format!("{:?}", a.event_batches(&probe.session).await.unwrap()),
        format!("{:?}", b.event_batches(&probe.session).await.unwrap())
    );
    for sale in &probe.sales {
        assert_eq!(
            // Positions included: SQLite's rowids are PostgreSQL's positions.
            format!(
                "{:?}",
                a.flash_orders_since(sale, 0, 1_000_000).await.unwrap()
            ),
            format!(
                "{:?}",
                b.flash_orders_since(sale, 0, 1_000_000).await.unwrap()
            )
        );
    }
    assert_eq!(
        format!("{:?}", a.outbox_after(0, 100_000, None).await.unwrap()),
        format!("{:?}", b.outbox_after(0, 100_000, None).await.unwrap())
    );
    assert_eq!(a.host_count().await.unwrap(), b.host_count().await.unwrap());
    drop((a, b));

    // A server on PostgreSQL serves the same pages…
    let server = start_with(&pg.url, free_port(), &server_args()).await;
    let again = probe.pages(&server.base).await;
    assert_eq!(
        served.keys().collect::<Vec<_>>(),
        again.keys().collect::<Vec<_>>()
    );
    for (name, page) in &served {
        assert_eq!(page, &again[name], "{name}");
    }
    // …and takes new rows after the copied ones (the sequences moved on).
    let c = reqwest::Client::new();
    post(
        &c,
        &server.base,
        "/api/v1/wallet/deposits",
        &probe.key,
        json!({"amount": 5, "currency": "CNY"}),
    )
    .await;
    let said = post(
        &c,
        &server.base,
        &format!("/api/v1/tasks/{}/messages", probe.task_id),
        &probe.key,
        json!({"text": "After the move."}),
    )
    .await;
    let messages = get(
        &c,
        &server.base,
        &format!("/api/v1/tasks/{}/messages", probe.task_id),
        &probe.key,
    )
    .await;
    let last = messages["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["id"], said["id"], "{messages}");
    let ledger = get(&c, &server.base, "/api/v1/ledger?limit=1", &probe.key).await;
    assert_eq!(ledger["data"][0]["kind"], "deposit", "{ledger}");
    drop(server);

    // A second copy into the now full database is refused.
    let out = livehire(vec![
        "migrate-store".into(),
        "--from".into(),
        sqlite,
        "--to".into(),
        pg.url.clone(),
    ])
    .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already holds data"), "{stderr}");
}
