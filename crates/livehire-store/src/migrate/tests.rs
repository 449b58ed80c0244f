//! The migration's plan against this version's schemas (no server needed),
//! and a copy into a real PostgreSQL (`postgres::`, ignored unless asked
//! for, as the backend's own PostgreSQL tests).

use super::*;
use crate::SqliteStore;

/// A fresh SQLite store's schema, read as the migration reads it.
async fn fresh_sqlite_tables() -> Vec<SqliteTable> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("plan.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.close().await;
    let mut conn = open_sqlite(&url).await.unwrap();
    let tables = sqlite_tables(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    tables
}

/// The table names `CREATE TABLE` statements in PostgreSQL's migrations make.
fn postgres_schema_tables() -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut tables = BTreeSet::new();
    for file in std::fs::read_dir(dir).unwrap() {
        let sql = std::fs::read_to_string(file.unwrap().path()).unwrap();
        tables.extend(
            sql.lines()
                .filter_map(|l| {
                    let l = l.trim();
                    l.strip_prefix("CREATE TABLE ")
                        .or_else(|| l.strip_prefix("CREATE UNLOGGED TABLE "))
                })
                .filter_map(|rest| rest.split_whitespace().next())
                .map(str::to_string),
        );
    }
    tables
}

#[tokio::test]
async fn every_sqlite_table_is_copied_after_its_parents_and_exists_in_postgres() {
    let tables = fresh_sqlite_tables().await;
    let master: BTreeSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    assert!(master.len() >= 30, "{master:?}");
    assert!(master.contains("ledger_postings") && master.contains("agent_money"));
    // Every SQLite table has a PostgreSQL table, and PostgreSQL's others
    // are derived from the copied rows.
    let derived: BTreeSet<String> = DERIVED
        .iter()
        .filter(|d| d.column.is_none())
        .map(|d| d.table.to_string())
        .collect();
    assert_eq!(
        postgres_schema_tables(),
        master.union(&derived).cloned().collect::<BTreeSet<_>>(),
        "a table on one side only: copy it, or derive it (DERIVED)"
    );
    for (i, t) in tables.iter().enumerate() {
        for p in &t.parents {
            let at = tables.iter().position(|u| &u.name == p).unwrap();
            assert!(at < i, "{} is copied before its parent {p}", t.name);
        }
    }
    // The rowid tables and the WITHOUT ROWID ones, as the schema made them.
    let rowid = |n: &str| tables.iter().find(|t| t.name == n).unwrap().rowid;
    assert!(rowid("flash_sale_orders") && rowid("ledger_postings") && rowid("tasks"));
    assert!(!rowid("host_skills") && !rowid("agent_money") && !rowid("tiktok_shop_orders"));
}

#[test]
fn foreign_keys_in_a_circle_are_refused() {
    let t = |name: &str, parent: &str| SqliteTable {
        name: name.into(),
        columns: vec![],
        parents: [parent.to_string()].into(),
        rowid: true,
    };
    let err = parents_first(vec![t("a", "b"), t("b", "a")]).unwrap_err();
    assert!(err.to_string().contains("circle"), "{err}");
    let err = parents_first(vec![t("a", "gone")]).unwrap_err();
    assert!(err.to_string().contains("gone"), "{err}");
}

#[test]
fn values_convert_by_the_postgresql_column_and_mismatches_are_named() {
    let mut flags = Values::new(Kind::Bool, 4);
    push(&mut flags, Cell::Int(1)).unwrap();
    push(&mut flags, Cell::Int(0)).unwrap();
    push(&mut flags, Cell::Null).unwrap();
    let Values::Bool(v) = &flags else { panic!() };
    assert_eq!(v, &[Some(true), Some(false), None]);
    assert!(push(&mut flags, Cell::Int(2)).unwrap_err().contains("flag"));
    let mut rates = Values::new(Kind::Float, 2);
    push(&mut rates, Cell::Int(3)).unwrap();
    push(&mut rates, Cell::Real(0.25)).unwrap();
    let Values::Float(v) = &rates else { panic!() };
    assert_eq!(v, &[Some(3.0), Some(0.25)]);
    let mut ints = Values::new(Kind::Int, 1);
    let err = push(&mut ints, Cell::Text("12".into())).unwrap_err();
    assert!(err.contains("TEXT") && err.contains("integer"), "{err}");
}

#[test]
fn ledger_differences_are_listed_by_account_and_capped() {
    let facts = |balance: i64| {
        LedgerFacts::new(
            vec![("agent:a:available".into(), "CNY".into(), balance, 1)],
            vec![("agent:a:available".into(), "CNY".into(), balance)],
            vec![],
            vec![("CNY".into(), 1, 2, balance.max(0), 0)],
        )
    };
    let mut out = Vec::new();
    facts(500).compare(&facts(500), &mut out);
    assert!(out.is_empty(), "{out:?}");
    facts(500).compare(&facts(400), &mut out);
    assert_eq!(out.len(), 3, "{out:?}");
    assert!(
        out[0].contains("agent:a:available") && out[0].contains("500"),
        "{out:?}"
    );
    let many: BTreeMap<i64, i64> = (0..25).map(|i| (i, i)).collect();
    let mut out = Vec::new();
    diff("x", &many, &BTreeMap::new(), &mut out);
    assert_eq!(out.len(), MISMATCHES_LISTED + 1);
    assert!(out.last().unwrap().contains("15 more"), "{out:?}");
}

mod postgres {
    //! Against `LIVEHIRE_TEST_DATABASE_URL`: a database of its own per test,
    //! dropped at the end.

    use sqlx::{Connection, PgConnection};

    use super::super::*;
    use crate::testing::PgTestDatabase;
    use crate::{LedgerWrite, SqliteStore, Store};

    const NOW: &str = "2036-01-01T00:00:00.000Z";

    /// A new, empty database on the test server; dropped with this.
    async fn database() -> PgTestDatabase {
        PgTestDatabase::new("migrate", "the migration's PostgreSQL tests").await
    }

    fn deposit(id: &str, agent: &str, amount: i64) -> LedgerWrite {
        LedgerWrite {
            id: id.into(),
            kind: "deposit".into(),
            task_id: None,
            agent_id: Some(agent.into()),
            human_id: None,
            currency: "CNY".into(),
            reference: None,
            postings: vec![
                (format!("agent:{agent}:available"), amount),
                ("external:deposits".into(), -amount),
            ],
            created_at: NOW.into(),
        }
    }

    async fn sql(store: &SqliteStore, statements: &[&str]) {
        for s in statements {
            sqlx::query(AssertSqlSafe(s.to_string()))
                .execute(&store.writer)
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    #[ignore = "needs a PostgreSQL server: LIVEHIRE_TEST_DATABASE_URL=postgres://… cargo test -p livehire-store -- --ignored postgres::"]
    async fn rowids_flags_and_sequences_survive_and_a_full_target_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let from = format!("sqlite://{}", dir.path().join("from.db").display());
        let sqlite = SqliteStore::connect(&from).await.unwrap();
        sql(
            &sqlite,
            &[
                "INSERT INTO agents (id, name, created_at) VALUES ('ag', 'Agent', '2036-01-01T00:00:00.000Z')",
                "INSERT INTO tasks (id, agent_id, status, title, currency, compensation_minor, deadline, body, created_at, updated_at) \
                 VALUES ('t1', 'ag', 'open', 'T', 'CNY', 100, 'x', '{\"b\":1,\"a\":2}', 'x', 'x')",
                "INSERT INTO sessions (id, task_id, position, duration_minutes, status) VALUES ('s1', 't1', 1, 60, 'live')",
                "INSERT INTO flash_sales (id, session_id, task_id, product_id, currency, price_minor, stock, per_buyer_limit, starts_at, ends_at, overlay_token, created_at) \
                 VALUES ('fs', 's1', 't1', 'p', 'CNY', 100, 10, 3, 'x', 'y', 'tok', 'x')",
                "INSERT INTO flash_sale_orders (rowid, order_id, flash_sale_id, buyer_id, quantity, amount_minor, created_at) VALUES \
                 (5, 'o5', 'fs', 'b', 1, 100, 'x'), (9, 'o9', 'fs', 'b', 1, 100, 'x'), (12, 'o12', 'fs', 'c', 2, 200, 'x')",
                "INSERT INTO hosts (id, platform, followers, avg_live_viewers, avg_gmv_cents, conversion_rate, rating, engagement_rate, \
                 tiktok_shop_verified, live_commerce_experience, search_text, profile, public_json, created_at, updated_at) \
                 VALUES ('h1', 'tiktok', 10, 5, 100, 3, 4.5, 0.1, 1, 0, '', '{}', '{}', 'x', 'x')",
                "INSERT INTO host_skills (skill, host_seq) SELECT 'live_streaming', seq FROM hosts",
                "INSERT INTO idempotency_keys (owner_id, key, request_hash, status, body, created_at) VALUES ('ag', 'k', 'h', 200, X'00FF7B', 'x')",
                // Messages 1..3, the last deleted: AUTOINCREMENT's mark stays at 3.
                "INSERT INTO messages (id, task_id, thread, sender_kind, sender_id, text, created_at) VALUES \
                 ('m1', 't1', 'brief', 'agent', 'ag', 'a', 'x'), ('m2', 't1', 'brief', 'agent', 'ag', 'b', 'x'), ('m3', 't1', 'brief', 'agent', 'ag', 'c', 'x')",
                "DELETE FROM messages WHERE id = 'm3'",
            ],
        )
        .await;
        sqlite
            .write_ledger(&deposit("l1", "ag", 5_000))
            .await
            .unwrap();
        sqlite
            .write_ledger(&deposit("l2", "ag", 700))
            .await
            .unwrap();
        sqlite.close().await;

        let db = database().await;
        let mut heard = Vec::new();
        let report = sqlite_to_postgres(
            &from,
            &db.url,
            &MigrateOptions { batch_rows: 2 },
            &mut |p| {
                if let Progress::Copied { rows } = p {
                    heard.push(rows);
                }
            },
        )
        .await
        .unwrap();
        assert!(report.verified(), "{:?}", report.mismatches);
        let copied = |t: &str| {
            report
                .tables
                .iter()
                .find(|c| c.table == t)
                .unwrap()
                .copied_rows
        };
        assert_eq!(copied("flash_sale_orders"), 3);
        assert_eq!(copied("ledger_postings"), 4);
        assert_eq!(copied("agent_money"), 1);
        assert_eq!(copied("agent_task_counts"), 1);
        // Batches of two rows at most.
        assert!(heard.iter().all(|n| *n <= 2) && heard.iter().sum::<u64>() == report.rows());
        assert_eq!(report.ledger.currencies.len(), 1);
        assert_eq!(report.ledger.currencies[0].debits_minor, 5_700);
        assert_eq!(report.ledger.currencies[0].net_minor, 0);

        let pg = PgStore::connect(&db.url).await.unwrap();
        // The order pages' key is the rowid.
        let positions: Vec<(String, i64)> =
            sqlx::query_as("SELECT order_id, position FROM flash_sale_orders ORDER BY position")
                .fetch_all(&pg.pool)
                .await
                .unwrap();
        assert_eq!(
            positions,
            [("o5".into(), 5), ("o9".into(), 9), ("o12".into(), 12)]
        );
        let page = pg.flash_orders_page("fs", Some(5), 1).await.unwrap();
        assert_eq!(page.data[0].order_id, "o9");
        assert_eq!(page.next, Some(9));
        // What PostgreSQL keeps beyond SQLite is derived from the orders.
        let sold: i64 = sqlx::query_scalar("SELECT sold FROM flash_sales WHERE id = 'fs'")
            .fetch_one(&pg.pool)
            .await
            .unwrap();
        assert_eq!(sold, 4);
        let buyers: Vec<(String, i64)> =
            sqlx::query_as("SELECT buyer_id, units FROM flash_sale_buyers ORDER BY buyer_id")
                .fetch_all(&pg.pool)
                .await
                .unwrap();
        assert_eq!(buyers, [("b".into(), 2), ("c".into(), 2)]);
        assert_eq!(
            report.derived,
            [
                ("flash_sales.sold".to_string(), 1),
                ("flash_sale_buyers".to_string(), 2),
                // The copy's hosts were never stamped (the hosts' trigger is
                // off for the copy): 0, written before any server looked.
                ("hosts.change_xid".to_string(), 0)
            ]
        );
        // Flags, numbers, JSON text and bytes as they were.
        let (verified, live, rate): (bool, bool, f64) = sqlx::query_as(
            "SELECT tiktok_shop_verified, live_commerce_experience, conversion_rate FROM hosts",
        )
        .fetch_one(&pg.pool)
        .await
        .unwrap();
        assert_eq!((verified, live, rate), (true, false, 3.0));
        let body: Vec<u8> = sqlx::query_scalar("SELECT body FROM idempotency_keys")
            .fetch_one(&pg.pool)
            .await
            .unwrap();
        assert_eq!(body, [0x00, 0xFF, 0x7B]);
        assert_eq!(
            pg.task("t1").await.unwrap().body,
            serde_json::json!({"b": 1, "a": 2})
        );
        // The kept counts were copied, not counted twice.
        let n: i64 = sqlx::query_scalar("SELECT n FROM agent_task_counts WHERE agent_id = 'ag'")
            .fetch_one(&pg.pool)
            .await
            .unwrap();
        assert_eq!(n, 1);
        let wallet = pg.wallet("ag").await.unwrap();
        assert_eq!(wallet[0].available, 5_700);
        // New rows continue after the copied ones (and after a deleted id).
        pg.write_ledger(&deposit("l3", "ag", 1)).await.unwrap();
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM ledger_entries WHERE id = 'l3'")
            .fetch_one(&pg.pool)
            .await
            .unwrap();
        assert_eq!(seq, 3);
        let messages = report
            .sequences
            .iter()
            .find(|s| s.table == "messages")
            .unwrap();
        assert_eq!(messages.last_value, Some(3));
        let orders = report
            .sequences
            .iter()
            .find(|s| s.table == "flash_sale_orders")
            .unwrap();
        assert_eq!(
            (orders.column.as_str(), orders.last_value),
            ("position", Some(12))
        );
        // The triggers are back on: a new task is counted.
        let triggers_on: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'",
        )
        .fetch_one(&pg.pool)
        .await
        .unwrap();
        assert_eq!(triggers_on, 0);
        pg.close().await;

        // A database of something else is refused before livehire's schema
        // goes into it.
        let other = database().await;
        let mut conn = PgConnection::connect(&other.url).await.unwrap();
        sqlx::query("CREATE TABLE invoices (id BIGINT PRIMARY KEY)")
            .execute(&mut conn)
            .await
            .unwrap();
        let err = sqlite_to_postgres(&from, &other.url, &MigrateOptions::default(), &mut |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, MigrateError::ForeignTables { .. }), "{err}");
        assert!(err.to_string().contains("invoices"), "{err}");
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(tables, 1);
        conn.close().await.unwrap();

        // A database with rows is refused, and left as it was.
        let err = sqlite_to_postgres(&from, &db.url, &MigrateOptions::default(), &mut |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, MigrateError::TargetNotEmpty { .. }), "{err}");
        assert!(err.to_string().contains("agents: 1 rows"), "{err}");
    }
}
