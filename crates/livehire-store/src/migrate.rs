//! Moving a SQLite store into PostgreSQL (`livehire migrate-store`): every
//! table copied into a new, empty database, then checked.
//!
//! Apart from [`DERIVED`] and [`SQLITE_ONLY`] below, nothing here names a
//! table. The tables are
//! the SQLite schema's (its `sqlite_master`, as this version's migrations
//! leave it), copied parents first (its foreign keys); each must exist in the PostgreSQL schema with
//! the same columns, and the PostgreSQL schema may have no other table. A
//! value is converted by the PostgreSQL column's type: SQLite's
//! INTEGER to BIGINT, its 0/1 flags to BOOLEAN, REAL to DOUBLE PRECISION,
//! TEXT to TEXT (JSON documents stay text, as both backends store them),
//! BLOB to BYTEA; any other pairing is an error naming the row. The one
//! column a PostgreSQL table may have beyond SQLite's is an identity column
//! standing for SQLite's rowid (`ledger_postings.pos`,
//! `flash_sale_orders.position`: the orders' page key): it gets the rowid,
//! so pages and cursors keep their order.
//!
//! PostgreSQL also keeps what only several processes over one database need
//! and SQLite has no column or table for ([`DERIVED`]: a flash sale's units
//! sold, a buyer's units of a limited sale). That is derived from the copied
//! rows once they are in, as the PostgreSQL migration that added it derived
//! it from the rows there; anything else on the PostgreSQL side only is a
//! schema mismatch, so state added there without a way to derive it stops
//! the migration instead of being left empty.
//!
//! The copy reads one SQLite snapshot (a read transaction) and writes in
//! one PostgreSQL transaction, in batches of [`MigrateOptions::batch_rows`]
//! rows (fewer when they are large) per `INSERT … SELECT FROM UNNEST(…)`,
//! so neither side holds a whole table in memory. The kept counts
//! (`agent_task_counts`, `agent_money`) are copied as stored, with the
//! triggers that keep them off for the copy (they would count every copied
//! row again). Each identity column's sequence then continues after the
//! largest value copied (or SQLite's AUTOINCREMENT high mark, so an id
//! once handed out, even of a deleted row, is not handed out again).
//!
//! The check runs in the same transaction before it commits: per table, the
//! rows in the snapshot, the rows copied and the rows PostgreSQL holds;
//! per ledger account and currency, the balance summed from the postings,
//! the stored running balance and the agents' kept escrow and payout sums;
//! per currency, the entries, postings, debits and net sum. Any difference
//! rolls the transaction back, so the target is either a verified copy or
//! still empty.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Row, TypeInfo, ValueRef};

use crate::backend::redact;
use crate::{BackendKind, PgStore};

/// Rows per `INSERT` unless told otherwise.
pub const DEFAULT_BATCH_ROWS: usize = 2_000;

/// A batch is sent once its values reach this many bytes, however few rows
/// it has: an event batch's body can be megabytes.
const BATCH_BYTES: usize = 16 << 20;

/// How many differences of one kind the check lists before it stops.
const MISMATCHES_LISTED: usize = 10;

/// State PostgreSQL keeps that SQLite has no place for, and how it is
/// derived from the copied rows (what `migrations/postgres` derived it with
/// from the rows there when it was added).
pub struct Derived {
    /// The table.
    pub table: &'static str,
    /// The column, when the table is SQLite's too; `None`: the whole table
    /// is PostgreSQL's own.
    pub column: Option<&'static str>,
    /// The statement that fills it from the copied rows.
    pub fill: &'static str,
}

/// Everything PostgreSQL keeps beyond SQLite's schema.
pub const DERIVED: &[Derived] = &[
    // 0002_flash_sale_stock: a sale's units sold, on its row.
    Derived {
        table: "flash_sales",
        column: Some("sold"),
        fill: "UPDATE flash_sales f SET sold = o.units \
               FROM (SELECT flash_sale_id, SUM(quantity) AS units FROM flash_sale_orders \
                     GROUP BY flash_sale_id) o \
               WHERE o.flash_sale_id = f.id",
    },
    // 0002_flash_sale_stock: each buyer's units of a sale with a per-buyer limit.
    Derived {
        table: "flash_sale_buyers",
        column: None,
        fill: "INSERT INTO flash_sale_buyers (flash_sale_id, buyer_id, units) \
               SELECT o.flash_sale_id, o.buyer_id, SUM(o.quantity) \
               FROM flash_sale_orders o JOIN flash_sales f ON f.id = o.flash_sale_id \
               WHERE f.per_buyer_limit IS NOT NULL \
               GROUP BY o.flash_sale_id, o.buyer_id",
    },
    // 0003_instance_sync: the transaction that last wrote a host, which
    // servers' search indexes catch up from. The copy's hosts count as
    // written before any server looked (0, the column's default).
    Derived {
        table: "hosts",
        column: Some("change_xid"),
        fill: "UPDATE hosts SET change_xid = 0 WHERE change_xid <> 0",
    },
];

/// SQLite's own bookkeeping, not copied: what only SQLite needs and
/// PostgreSQL keeps otherwise.
pub const SQLITE_ONLY: &[&str] = &[
    // 0030_instance_sync: the numbered log of host writes that servers'
    // search indexes catch up from (PostgreSQL stamps the host row instead,
    // `hosts.change_xid`, derived above).
    "host_changes",
];

fn derived(table: &str, column: Option<&str>) -> bool {
    DERIVED
        .iter()
        .any(|d| d.table == table && d.column == column)
}

/// How a migration runs.
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    /// Most rows per `INSERT` statement.
    pub batch_rows: usize,
}

impl Default for MigrateOptions {
    fn default() -> Self {
        Self {
            batch_rows: DEFAULT_BATCH_ROWS,
        }
    }
}

/// What a migration is doing, for a progress display.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The plan: how many tables and rows the snapshot holds.
    Planned {
        /// Tables to copy.
        tables: usize,
        /// Rows in all of them.
        rows: u64,
    },
    /// A table's copy begins.
    Table {
        /// Its name.
        name: &'a str,
        /// Its rows in the snapshot.
        rows: u64,
    },
    /// A batch went in.
    Copied {
        /// Rows in the batch.
        rows: u64,
    },
    /// Every row is in; the check runs.
    Verifying,
}

/// Why a migration did not run, or stopped (the target is left as it was).
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// `--from` is not a SQLite URL, or `--to` not a PostgreSQL one.
    #[error("{0}")]
    Url(String),
    /// The target holds rows: a migration only fills an empty database.
    #[error(
        "the target database already holds data ({}): migrate into a new, empty database",
        .tables.iter().map(|(t, n)| format!("{t}: {n} rows")).collect::<Vec<_>>().join(", ")
    )]
    TargetNotEmpty {
        /// The tables with rows, and how many.
        tables: Vec<(String, i64)>,
    },
    /// The target has tables livehire's schema did not make: it is some
    /// other database.
    #[error(
        "the target database holds tables livehire did not create ({}): migrate into a new, empty database",
        .tables.join(", ")
    )]
    ForeignTables {
        /// Some of those tables.
        tables: Vec<String>,
    },
    /// The two schemas do not line up (a table or column on one side only,
    /// a column type the copy does not convert).
    #[error("the SQLite and PostgreSQL schemas do not match: {0}")]
    Schema(String),
    /// A stored value the PostgreSQL column cannot take.
    #[error("{table}.{column} ({row}): {problem}")]
    Value {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Which row (`rowid N`, or its place in the table).
        row: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A database call failed; `context` says which.
    #[error("{context}: {source}")]
    Database {
        /// What was being done.
        context: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// Opening a store or applying its migrations failed.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// A database call's error, with what was being done.
fn db(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> MigrateError {
    let context = context.into();
    move |source| MigrateError::Database { context, source }
}

/// What a migration did and found.
#[derive(Debug, Clone)]
pub struct MigrationReport {
    /// Every table, in the order copied.
    pub tables: Vec<TableCopy>,
    /// What was derived in PostgreSQL from the copied rows ([`DERIVED`]),
    /// in its order: the table or `table.column`, and the rows the
    /// statement wrote.
    pub derived: Vec<(String, u64)>,
    /// Where each identity column's sequence continues.
    pub sequences: Vec<SequenceSet>,
    /// The ledger as both sides sum it.
    pub ledger: LedgerCheck,
    /// Every difference the check found (empty: verified).
    pub mismatches: Vec<String>,
    /// Whether the copy was committed (only when verified).
    pub committed: bool,
    /// How long it took.
    pub took: Duration,
}

impl MigrationReport {
    /// Whether both sides agreed and the copy is committed.
    pub fn verified(&self) -> bool {
        self.committed && self.mismatches.is_empty()
    }

    /// Rows copied, all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.copied_rows).sum()
    }
}

/// One table's copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    /// The table.
    pub table: String,
    /// Its rows in the SQLite snapshot.
    pub source_rows: i64,
    /// Rows read and inserted.
    pub copied_rows: u64,
    /// Its rows in PostgreSQL after the copy.
    pub target_rows: i64,
}

/// An identity column's sequence after the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceSet {
    /// The table.
    pub table: String,
    /// The identity column.
    pub column: String,
    /// The last value handed out: new rows get the ones after it (`None`:
    /// the table is empty and had no AUTOINCREMENT mark; it starts at 1).
    pub last_value: Option<i64>,
}

/// The ledger, summed the same way on both sides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerCheck {
    /// (account, currency) balances compared.
    pub accounts: usize,
    /// Per currency, as the SQLite side sums it.
    pub currencies: Vec<CurrencyTotals>,
}

/// One currency's journal totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrencyTotals {
    /// ISO code.
    pub currency: String,
    /// Journal entries.
    pub entries: i64,
    /// Their postings.
    pub postings: i64,
    /// The sum of the positive postings, minor units.
    pub debits_minor: i64,
    /// The sum of all postings (0 in a balanced journal), minor units.
    pub net_minor: i64,
}

/// Copies the SQLite store at `from` (`sqlite://PATH`, brought to this
/// version's schema first, as `serve` would) into the empty PostgreSQL
/// database at `to` (its schema applied as `connect` applies it), then checks
/// the copy; see the module's documentation. `progress` hears what it does.
///
/// A copy whose check finds a difference is rolled back and reported
/// (`committed: false`); errors mean nothing was written either.
pub async fn sqlite_to_postgres(
    from: &str,
    to: &str,
    options: &MigrateOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<MigrationReport, MigrateError> {
    let started = Instant::now();
    if BackendKind::of(from).ok() != Some(BackendKind::Sqlite) {
        return Err(MigrateError::Url(format!(
            "copy from a SQLite store (sqlite://PATH), not {}",
            redact(from)
        )));
    }
    if BackendKind::of(to).ok() != Some(BackendKind::Postgres) {
        return Err(MigrateError::Url(format!(
            "copy into a PostgreSQL database (postgres://USER@HOST:PORT/DATABASE), not {}",
            redact(to)
        )));
    }
    let batch_rows = options.batch_rows.max(1);
    let mut src = open_sqlite(from).await?;
    refuse_foreign_tables(to).await?;
    let target = PgStore::connect(to)
        .await
        .map_err(|e| MigrateError::Other(e.context(format!("opening {}", redact(to)))))?;
    let result = async {
        let mut pg = target
            .pool
            .acquire()
            .await
            .map_err(db("connecting to PostgreSQL"))?;
        let mut snapshot = src.begin().await.map_err(db("reading SQLite"))?;
        let report = copy(&mut snapshot, &mut pg, batch_rows, progress).await;
        snapshot.rollback().await.map_err(db("reading SQLite"))?;
        report
    }
    .await;
    target.close().await;
    src.close().await.map_err(db("closing SQLite"))?;
    let mut report = result?;
    report.took = started.elapsed();
    Ok(report)
}

/// Refuses a target with tables but no livehire migration log: it is some
/// other database, and creating livehire's schema in it (as connecting
/// would) is not wanted. Checked before anything is created there.
async fn refuse_foreign_tables(url: &str) -> Result<(), MigrateError> {
    let (url, _) = crate::postgres::split_max_connections(url)?;
    let mut conn = PgConnection::connect(&url)
        .await
        .map_err(db(format!("connecting to {}", redact(&url))))?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() ORDER BY table_name",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(db("reading the PostgreSQL schema"))?;
    conn.close()
        .await
        .map_err(db("reading the PostgreSQL schema"))?;
    if tables.is_empty() || tables.iter().any(|t| t == "_sqlx_migrations") {
        return Ok(());
    }
    Err(MigrateError::ForeignTables {
        tables: tables.into_iter().take(MISMATCHES_LISTED).collect(),
    })
}

/// Opens the SQLite file (which must exist) on one connection and applies
/// the store's migrations, so its schema is this version's.
async fn open_sqlite(url: &str) -> Result<SqliteConnection, MigrateError> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Err(MigrateError::Url(
            "copy from a SQLite database file (sqlite://PATH), not an in-memory database".into(),
        ));
    }
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(db(format!("reading the URL {}", redact(url))))?
        .create_if_missing(false)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
        // Each table is one statement read for as long as its copy takes:
        // not a slow query to warn about.
        .disable_statement_logging();
    let path = opts.get_filename().display().to_string();
    if !opts.get_filename().exists() {
        return Err(MigrateError::Url(format!("no SQLite database at {path}")));
    }
    let mut conn = SqliteConnection::connect_with(&opts)
        .await
        .map_err(db(format!("opening {path}")))?;
    sqlx::migrate!("./migrations/sqlite")
        .run(&mut conn)
        .await
        .map_err(|e| {
            MigrateError::Other(anyhow::Error::new(e).context(format!("migrating {path}")))
        })?;
    Ok(conn)
}

/// The copy and its check, on a SQLite snapshot and one PostgreSQL
/// connection (its transaction is opened and ended here).
async fn copy(
    src: &mut SqliteConnection,
    pg: &mut PgConnection,
    batch_rows: usize,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<MigrationReport, MigrateError> {
    let sqlite = sqlite_tables(src).await?;
    let postgres = postgres_tables(pg).await?;
    let plan = plan(&sqlite, &postgres)?;

    let mut tx = pg.begin().await.map_err(db("starting the copy"))?;
    let mut full = Vec::new();
    for t in postgres.keys() {
        let n: i64 =
            sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {}", quote(t))))
                .fetch_one(&mut *tx)
                .await
                .map_err(db(format!("counting {t} in PostgreSQL")))?;
        if n > 0 {
            full.push((t.clone(), n));
        }
    }
    if !full.is_empty() {
        return Err(MigrateError::TargetNotEmpty { tables: full });
    }

    let mut source_rows = Vec::with_capacity(plan.len());
    for t in &plan {
        source_rows.push(sqlite_count(src, &t.name).await?);
    }
    progress(Progress::Planned {
        tables: plan.len(),
        rows: source_rows.iter().map(|n| *n as u64).sum(),
    });

    for t in postgres.values().filter(|t| t.user_triggers) {
        sqlx::query(AssertSqlSafe(format!(
            "ALTER TABLE {} DISABLE TRIGGER USER",
            quote(&t.name)
        )))
        .execute(&mut *tx)
        .await
        .map_err(db(format!("turning off the triggers of {}", t.name)))?;
    }

    let mut tables = Vec::with_capacity(plan.len());
    for (t, &source) in plan.iter().zip(&source_rows) {
        progress(Progress::Table {
            name: &t.name,
            rows: source as u64,
        });
        let copied = copy_table(src, &mut tx, t, batch_rows, progress).await?;
        tables.push(TableCopy {
            table: t.name.clone(),
            source_rows: source,
            copied_rows: copied,
            target_rows: 0,
        });
    }

    for t in postgres.values().filter(|t| t.user_triggers) {
        sqlx::query(AssertSqlSafe(format!(
            "ALTER TABLE {} ENABLE TRIGGER USER",
            quote(&t.name)
        )))
        .execute(&mut *tx)
        .await
        .map_err(db(format!("turning the triggers of {} back on", t.name)))?;
    }

    let mut derived = Vec::with_capacity(DERIVED.len());
    for d in DERIVED {
        let name = match d.column {
            Some(c) => format!("{}.{c}", d.table),
            None => d.table.to_string(),
        };
        let rows = sqlx::query(d.fill)
            .execute(&mut *tx)
            .await
            .map_err(db(format!("deriving {name} from the copied rows")))?
            .rows_affected();
        derived.push((name, rows));
    }

    let high_marks = sqlite_sequences(src).await?;
    let mut sequences = Vec::new();
    for t in &plan {
        for c in t.columns.iter().filter(|c| c.identity) {
            let mark = match c.source {
                Source::Column(_) => high_marks.get(&t.name).copied(),
                Source::Rowid => None,
            };
            sequences.push(set_sequence(&mut tx, &t.name, &c.name, mark).await?);
        }
    }

    progress(Progress::Verifying);
    let mut mismatches = Vec::new();
    for t in &mut tables {
        t.target_rows = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT count(*) FROM {}",
            quote(&t.table)
        )))
        .fetch_one(&mut *tx)
        .await
        .map_err(db(format!("counting {} in PostgreSQL", t.table)))?;
        if t.source_rows != t.target_rows || t.copied_rows != t.source_rows as u64 {
            mismatches.push(format!(
                "{}: {} rows in SQLite, {} copied, {} in PostgreSQL",
                t.table, t.source_rows, t.copied_rows, t.target_rows
            ));
        }
    }
    let sqlite_ledger = LedgerFacts::sqlite(src).await?;
    let pg_ledger = LedgerFacts::postgres(&mut tx).await?;
    sqlite_ledger.compare(&pg_ledger, &mut mismatches);

    let committed = mismatches.is_empty();
    if committed {
        tx.commit().await.map_err(db("committing the copy"))?;
    } else {
        tx.rollback().await.map_err(db("rolling the copy back"))?;
    }
    Ok(MigrationReport {
        tables,
        derived,
        sequences,
        ledger: sqlite_ledger.check(),
        mismatches,
        committed,
        took: Duration::ZERO,
    })
}

// ---- the two schemas --------------------------------------------------------

/// A SQLite table as its schema states it.
#[derive(Debug, Clone)]
struct SqliteTable {
    name: String,
    columns: Vec<String>,
    /// Tables its foreign keys point at.
    parents: BTreeSet<String>,
    /// Whether it has a rowid (not `WITHOUT ROWID`).
    rowid: bool,
}

/// The SQLite store's tables, parents before the tables that point at them
/// (in the order created otherwise): `sqlite_master` but SQLite's own
/// tables, sqlx's migration log and [`SQLITE_ONLY`].
async fn sqlite_tables(conn: &mut SqliteConnection) -> Result<Vec<SqliteTable>, MigrateError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations' ORDER BY rowid",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(db("reading the SQLite schema"))?;
    let mut tables = Vec::with_capacity(rows.len());
    for (name, sql) in rows {
        if SQLITE_ONLY.contains(&name.as_str()) {
            continue;
        }
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await
                .map_err(db(format!("reading the columns of {name}")))?;
        let parents: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await
                .map_err(db(format!("reading the foreign keys of {name}")))?;
        let rowid = !sql
            .trim_end()
            .trim_end_matches(';')
            .to_ascii_uppercase()
            .split_whitespace()
            .rev()
            .take(2)
            .eq(["ROWID", "WITHOUT"]);
        tables.push(SqliteTable {
            parents: parents.into_iter().filter(|p| *p != name).collect(),
            name,
            columns,
            rowid,
        });
    }
    parents_first(tables)
}

/// `tables` ordered so that each comes after the tables it points at,
/// keeping the given order where the keys allow.
fn parents_first(mut pending: Vec<SqliteTable>) -> Result<Vec<SqliteTable>, MigrateError> {
    let names: BTreeSet<String> = pending.iter().map(|t| t.name.clone()).collect();
    for t in &pending {
        if let Some(p) = t.parents.iter().find(|p| !names.contains(*p)) {
            return Err(MigrateError::Schema(format!(
                "SQLite's {} points at a table {p} that does not exist",
                t.name
            )));
        }
    }
    let mut done = BTreeSet::new();
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let Some(i) = pending
            .iter()
            .position(|t| t.parents.iter().all(|p| done.contains(p)))
        else {
            let stuck: Vec<_> = pending.iter().map(|t| t.name.as_str()).collect();
            return Err(MigrateError::Schema(format!(
                "SQLite's foreign keys go round in a circle among {}",
                stuck.join(", ")
            )));
        };
        let t = pending.remove(i);
        done.insert(t.name.clone());
        ordered.push(t);
    }
    Ok(ordered)
}

/// A PostgreSQL table as its schema states it.
#[derive(Debug, Clone)]
struct PgTable {
    name: String,
    /// (name, data type, identity), in order.
    columns: Vec<(String, String, bool)>,
    /// Whether it has triggers of its own (not the foreign keys').
    user_triggers: bool,
}

/// The PostgreSQL store's tables, by name: the current schema's but sqlx's
/// migration log.
async fn postgres_tables(pg: &mut PgConnection) -> Result<BTreeMap<String, PgTable>, MigrateError> {
    let columns: Vec<(String, String, String, bool)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_identity::text = 'YES' \
         FROM information_schema.columns c \
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
           AND c.table_name <> '_sqlx_migrations' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *pg)
    .await
    .map_err(db("reading the PostgreSQL schema"))?;
    let triggered: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.relname::text FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid \
         WHERE NOT g.tgisinternal AND c.relnamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut *pg)
    .await
    .map_err(db("reading the PostgreSQL triggers"))?;
    let mut tables: BTreeMap<String, PgTable> = BTreeMap::new();
    for (table, column, ty, identity) in columns {
        tables
            .entry(table.clone())
            .or_insert_with(|| PgTable {
                user_triggers: triggered.contains(&table),
                name: table,
                columns: Vec::new(),
            })
            .columns
            .push((column, ty, identity));
    }
    Ok(tables)
}

/// How a PostgreSQL column's values are carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Float,
    Text,
    Bytes,
}

impl Kind {
    fn of(pg_type: &str) -> Option<Self> {
        Some(match pg_type {
            "bigint" | "integer" | "smallint" => Self::Int,
            "boolean" => Self::Bool,
            "double precision" | "real" => Self::Float,
            "text" => Self::Text,
            "bytea" => Self::Bytes,
            _ => return None,
        })
    }

    /// The array type `UNNEST` reads the column's batch as.
    fn array(self) -> &'static str {
        match self {
            Self::Int => "bigint[]",
            Self::Bool => "boolean[]",
            Self::Float => "float8[]",
            Self::Text => "text[]",
            Self::Bytes => "bytea[]",
        }
    }
}

/// Where a PostgreSQL column's values come from in SQLite.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// The column of that name.
    Column(String),
    /// The row's rowid.
    Rowid,
}

#[derive(Debug, Clone)]
struct ColumnPlan {
    name: String,
    kind: Kind,
    identity: bool,
    source: Source,
}

/// One table's copy: its PostgreSQL columns and where each comes from.
#[derive(Debug, Clone)]
struct TablePlan {
    name: String,
    columns: Vec<ColumnPlan>,
    /// Whether the SQLite table has a rowid (read with each row).
    rowid: bool,
}

impl TablePlan {
    /// The SQLite query: the source columns in plan order, then the rowid
    /// when there is one, in rowid order.
    fn select(&self) -> String {
        let mut cols: Vec<String> = self
            .columns
            .iter()
            .map(|c| match &c.source {
                Source::Column(n) => quote(n),
                Source::Rowid => "rowid".to_string(),
            })
            .collect();
        if self.rowid {
            cols.push("rowid".to_string());
        }
        let order = if self.rowid { " ORDER BY rowid" } else { "" };
        format!(
            "SELECT {} FROM {}{order}",
            cols.join(", "),
            quote(&self.name)
        )
    }

    /// The PostgreSQL statement: one array parameter per column.
    fn insert(&self) -> String {
        let cols: Vec<String> = self.columns.iter().map(|c| quote(&c.name)).collect();
        let arrays: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("${}::{}", i + 1, c.kind.array()))
            .collect();
        let overriding = if self.columns.iter().any(|c| c.identity) {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        format!(
            "INSERT INTO {} ({}){overriding} SELECT * FROM UNNEST({})",
            quote(&self.name),
            cols.join(", "),
            arrays.join(", ")
        )
    }
}

/// Lines the two schemas up: every SQLite table, in copy order, with the
/// PostgreSQL columns it fills. Anything on one side only is an error.
fn plan(
    sqlite: &[SqliteTable],
    postgres: &BTreeMap<String, PgTable>,
) -> Result<Vec<TablePlan>, MigrateError> {
    let mut problems = Vec::new();
    let mut plans = Vec::with_capacity(sqlite.len());
    for t in sqlite {
        let Some(pg) = postgres.get(&t.name) else {
            problems.push(format!("SQLite's table {} has no PostgreSQL table", t.name));
            continue;
        };
        let mut columns = Vec::with_capacity(pg.columns.len());
        for (name, ty, identity) in &pg.columns {
            let Some(kind) = Kind::of(ty) else {
                problems.push(format!(
                    "{}.{name} is {ty} in PostgreSQL, which the copy does not convert",
                    t.name
                ));
                continue;
            };
            let source = if t.columns.contains(name) {
                Source::Column(name.clone())
            } else if derived(&t.name, Some(name)) {
                continue;
            } else if *identity && t.rowid && kind == Kind::Int {
                Source::Rowid
            } else {
                problems.push(format!(
                    "PostgreSQL's {}.{name} has no SQLite column to come from",
                    t.name
                ));
                continue;
            };
            columns.push(ColumnPlan {
                name: name.clone(),
                kind,
                identity: *identity,
                source,
            });
        }
        if columns.iter().filter(|c| c.source == Source::Rowid).count() > 1 {
            problems.push(format!(
                "PostgreSQL's {} has more than one column standing for SQLite's rowid",
                t.name
            ));
        }
        for c in &t.columns {
            if !pg.columns.iter().any(|(n, _, _)| n == c) {
                problems.push(format!("SQLite's {}.{c} has no PostgreSQL column", t.name));
            }
        }
        plans.push(TablePlan {
            name: t.name.clone(),
            columns,
            rowid: t.rowid,
        });
    }
    for d in DERIVED {
        let there = postgres.get(d.table).is_some_and(|t| match d.column {
            Some(c) => t.columns.iter().any(|(n, _, _)| n == c),
            None => true,
        });
        if !there {
            problems.push(format!(
                "PostgreSQL has no {}{} to derive",
                d.table,
                d.column.map(|c| format!(".{c}")).unwrap_or_default()
            ));
        }
    }
    for name in postgres.keys() {
        if !sqlite.iter().any(|t| &t.name == name) && !derived(name, None) {
            problems.push(format!("PostgreSQL's table {name} has no SQLite table"));
        }
    }
    if problems.is_empty() {
        Ok(plans)
    } else {
        Err(MigrateError::Schema(problems.join("; ")))
    }
}

/// `name` as a quoted SQL identifier (both databases).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

// ---- rows -------------------------------------------------------------------

/// One column of a batch, as the array bound for `UNNEST`.
enum Values {
    Int(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
    Float(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
    Bytes(Vec<Option<Vec<u8>>>),
}

impl Values {
    fn new(kind: Kind, capacity: usize) -> Self {
        match kind {
            Kind::Int => Self::Int(Vec::with_capacity(capacity)),
            Kind::Bool => Self::Bool(Vec::with_capacity(capacity)),
            Kind::Float => Self::Float(Vec::with_capacity(capacity)),
            Kind::Text => Self::Text(Vec::with_capacity(capacity)),
            Kind::Bytes => Self::Bytes(Vec::with_capacity(capacity)),
        }
    }
}

/// A SQLite value as stored (its storage class, not its column's type).
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    fn read(row: &SqliteRow, i: usize) -> Result<Self, sqlx::Error> {
        let class = {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Self::Null);
            }
            raw.type_info().name().to_string()
        };
        Ok(match class.as_str() {
            "INTEGER" => Self::Int(row.try_get_unchecked(i)?),
            "REAL" => Self::Real(row.try_get_unchecked(i)?),
            "BLOB" => Self::Blob(row.try_get_unchecked(i)?),
            _ => Self::Text(row.try_get_unchecked(i)?),
        })
    }

    fn class(&self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Int(_) => "INTEGER",
            Self::Real(_) => "REAL",
            Self::Text(_) => "TEXT",
            Self::Blob(_) => "BLOB",
        }
    }

    fn size(&self) -> usize {
        match self {
            Self::Text(s) => s.len(),
            Self::Blob(b) => b.len(),
            _ => 8,
        }
    }
}

/// Adds `cell` to `values`, converted; what is wrong when the column
/// cannot take it.
fn push(values: &mut Values, cell: Cell) -> Result<(), String> {
    let class = cell.class();
    match (values, cell) {
        (Values::Int(v), Cell::Null) => v.push(None),
        (Values::Bool(v), Cell::Null) => v.push(None),
        (Values::Float(v), Cell::Null) => v.push(None),
        (Values::Text(v), Cell::Null) => v.push(None),
        (Values::Bytes(v), Cell::Null) => v.push(None),
        (Values::Int(v), Cell::Int(n)) => v.push(Some(n)),
        (Values::Bool(v), Cell::Int(n)) => match n {
            0 => v.push(Some(false)),
            1 => v.push(Some(true)),
            other => return Err(format!("{other} where a flag (0 or 1) belongs")),
        },
        (Values::Float(v), Cell::Real(x)) => v.push(Some(x)),
        // SQLite keeps a whole REAL as an integer when it can.
        (Values::Float(v), Cell::Int(n)) => v.push(Some(n as f64)),
        (Values::Text(v), Cell::Text(s)) => v.push(Some(s)),
        (Values::Bytes(v), Cell::Blob(b)) => v.push(Some(b)),
        (values, _) => {
            let wanted = match values {
                Values::Int(_) => "an integer",
                Values::Bool(_) => "a flag (0 or 1)",
                Values::Float(_) => "a number",
                Values::Text(_) => "text",
                Values::Bytes(_) => "a blob",
            };
            return Err(format!("a {class} value where {wanted} belongs"));
        }
    }
    Ok(())
}

/// Copies one table in batches; how many rows went in.
async fn copy_table(
    src: &mut SqliteConnection,
    tx: &mut PgConnection,
    t: &TablePlan,
    batch_rows: usize,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<u64, MigrateError> {
    let insert = t.insert();
    let select = t.select();
    let rowid_at = t.columns.len();
    let fresh =
        |n: usize| -> Vec<Values> { t.columns.iter().map(|c| Values::new(c.kind, n)).collect() };
    let mut batch = fresh(batch_rows);
    let (mut in_batch, mut bytes, mut copied) = (0usize, 0usize, 0u64);
    let mut rows = sqlx::query(AssertSqlSafe(select)).fetch(&mut *src);
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(db(format!("reading {} from SQLite", t.name)))?
    {
        for (i, (c, values)) in t.columns.iter().zip(&mut batch).enumerate() {
            let cell = Cell::read(&row, i).map_err(db(format!("reading {}.{}", t.name, c.name)))?;
            bytes += cell.size();
            push(values, cell).map_err(|problem| MigrateError::Value {
                table: t.name.clone(),
                column: c.name.clone(),
                row: match t.rowid {
                    true => match row.try_get::<i64, _>(rowid_at) {
                        Ok(id) => format!("rowid {id}"),
                        Err(_) => format!("row {}", copied + in_batch as u64 + 1),
                    },
                    false => format!("row {}", copied + in_batch as u64 + 1),
                },
                problem,
            })?;
        }
        in_batch += 1;
        if in_batch >= batch_rows || bytes >= BATCH_BYTES {
            let full = std::mem::replace(&mut batch, fresh(batch_rows));
            insert_batch(tx, &t.name, &insert, full).await?;
            copied += in_batch as u64;
            progress(Progress::Copied {
                rows: in_batch as u64,
            });
            (in_batch, bytes) = (0, 0);
        }
    }
    drop(rows);
    if in_batch > 0 {
        insert_batch(tx, &t.name, &insert, batch).await?;
        copied += in_batch as u64;
        progress(Progress::Copied {
            rows: in_batch as u64,
        });
    }
    Ok(copied)
}

async fn insert_batch(
    tx: &mut PgConnection,
    table: &str,
    insert: &str,
    batch: Vec<Values>,
) -> Result<(), MigrateError> {
    let mut q = sqlx::query(AssertSqlSafe(insert.to_string()));
    for values in batch {
        q = match values {
            Values::Int(v) => q.bind(v),
            Values::Bool(v) => q.bind(v),
            Values::Float(v) => q.bind(v),
            Values::Text(v) => q.bind(v),
            Values::Bytes(v) => q.bind(v),
        };
    }
    q.execute(&mut *tx)
        .await
        .map_err(db(format!("writing {table} to PostgreSQL")))?;
    Ok(())
}

async fn sqlite_count(src: &mut SqliteConnection, table: &str) -> Result<i64, MigrateError> {
    sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM {}",
        quote(table)
    )))
    .fetch_one(&mut *src)
    .await
    .map_err(db(format!("counting {table} in SQLite")))
}

/// SQLite's AUTOINCREMENT high marks, by table.
async fn sqlite_sequences(
    src: &mut SqliteConnection,
) -> Result<HashMap<String, i64>, MigrateError> {
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence')",
    )
    .fetch_one(&mut *src)
    .await
    .map_err(db("reading SQLite's AUTOINCREMENT marks"))?;
    if !exists {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, seq FROM sqlite_sequence")
        .fetch_all(&mut *src)
        .await
        .map_err(db("reading SQLite's AUTOINCREMENT marks"))?;
    Ok(rows.into_iter().collect())
}

/// Moves an identity column's sequence past the largest value copied and
/// SQLite's high mark `mark`.
async fn set_sequence(
    tx: &mut PgConnection,
    table: &str,
    column: &str,
    mark: Option<i64>,
) -> Result<SequenceSet, MigrateError> {
    let max: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT max({}) FROM {}",
        quote(column),
        quote(table)
    )))
    .fetch_one(&mut *tx)
    .await
    .map_err(db(format!("reading the largest {table}.{column}")))?;
    let last = max.max(mark).filter(|v| *v >= 1);
    if let Some(last) = last {
        sqlx::query("SELECT setval(pg_get_serial_sequence($1, $2), $3, true)")
            .bind(quote(table))
            .bind(column)
            .bind(last)
            .execute(&mut *tx)
            .await
            .map_err(db(format!("moving the sequence of {table}.{column}")))?;
    }
    Ok(SequenceSet {
        table: table.to_string(),
        column: column.to_string(),
        last_value: last,
    })
}

// ---- the ledger check -------------------------------------------------------

/// Per (account, currency): the postings' sum and count.
const POSTED: &str = "SELECT p.account, e.currency, CAST(SUM(p.amount_minor) AS BIGINT), count(*) \
     FROM ledger_postings p JOIN ledger_entries e ON e.seq = p.entry_seq GROUP BY p.account, e.currency";
/// Per (account, currency): the running balance as stored.
const STORED: &str = "SELECT account, currency, balance_minor FROM account_balances";
/// Per (agent, currency): the kept escrow and payout sums (wallets read these).
const AGENT_MONEY: &str =
    "SELECT agent_id, currency, escrow_minor, paid_out_minor FROM agent_money";
/// Per currency: entries, postings, debits, net.
const TOTALS: &str = "SELECT e.currency, count(DISTINCT e.seq), count(p.account), \
     CAST(COALESCE(SUM(CASE WHEN p.amount_minor > 0 THEN p.amount_minor ELSE 0 END), 0) AS BIGINT), \
     CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) \
     FROM ledger_entries e LEFT JOIN ledger_postings p ON p.entry_seq = e.seq GROUP BY e.currency";

type Pair = (String, String);

/// The ledger's sums on one side, keyed so the two sides compare whatever
/// order each database sorts text in.
#[derive(Debug, PartialEq, Eq)]
struct LedgerFacts {
    posted: BTreeMap<Pair, (i64, i64)>,
    stored: BTreeMap<Pair, i64>,
    agent_money: BTreeMap<Pair, (i64, i64)>,
    totals: BTreeMap<String, (i64, i64, i64, i64)>,
}

impl LedgerFacts {
    async fn sqlite(c: &mut SqliteConnection) -> Result<Self, MigrateError> {
        let e = || db("summing the SQLite ledger");
        let posted: Vec<(String, String, i64, i64)> = sqlx::query_as(POSTED)
            .fetch_all(&mut *c)
            .await
            .map_err(e())?;
        let stored: Vec<(String, String, i64)> = sqlx::query_as(STORED)
            .fetch_all(&mut *c)
            .await
            .map_err(e())?;
        let money: Vec<(String, String, i64, i64)> = sqlx::query_as(AGENT_MONEY)
            .fetch_all(&mut *c)
            .await
            .map_err(e())?;
        let totals: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(TOTALS)
            .fetch_all(&mut *c)
            .await
            .map_err(e())?;
        Ok(Self::new(posted, stored, money, totals))
    }

    async fn postgres(c: &mut PgConnection) -> Result<Self, MigrateError> {
        let e = || db("summing the PostgreSQL ledger");
        let posted: Vec<(String, String, i64, i64)> = sqlx::query_as(POSTED)
            .fetch_all(&mut *c)
            .await
            .map_err(e())?;
        let stored: Vec<(String, String, i64)> = sqlx::query_as(STORED)
            .fetch_all(&mut *c)
            .await
            .map_err(e())?;
        let money: Vec<(String, String, i64, i64)> = sqlx::query_as(AGENT_MONEY)
            .fetch_all(&mut *c)
            .await
            .map_err(e())?;
        let totals: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(TOTALS)
            .fetch_all(&mut *c)
            .await
            .map_err(e())?;
        Ok(Self::new(posted, stored, money, totals))
    }

    fn new(
        posted: Vec<(String, String, i64, i64)>,
        stored: Vec<(String, String, i64)>,
        money: Vec<(String, String, i64, i64)>,
        totals: Vec<(String, i64, i64, i64, i64)>,
    ) -> Self {
        Self {
            posted: posted
                .into_iter()
                .map(|(a, c, sum, n)| ((a, c), (sum, n)))
                .collect(),
            stored: stored.into_iter().map(|(a, c, b)| ((a, c), b)).collect(),
            agent_money: money
                .into_iter()
                .map(|(a, c, escrow, paid)| ((a, c), (escrow, paid)))
                .collect(),
            totals: totals
                .into_iter()
                .map(|(c, entries, postings, debits, net)| (c, (entries, postings, debits, net)))
                .collect(),
        }
    }

    /// Adds a line to `out` for each difference from `pg` (a few per kind).
    fn compare(&self, pg: &Self, out: &mut Vec<String>) {
        diff(
            "balance from postings (sum, postings)",
            &self.posted,
            &pg.posted,
            out,
        );
        diff("stored balance", &self.stored, &pg.stored, out);
        diff(
            "agent escrow and payouts (escrow, paid out)",
            &self.agent_money,
            &pg.agent_money,
            out,
        );
        diff(
            "currency totals (entries, postings, debits, net)",
            &self.totals,
            &pg.totals,
            out,
        );
    }

    fn check(&self) -> LedgerCheck {
        LedgerCheck {
            accounts: self.posted.len(),
            currencies: self
                .totals
                .iter()
                .map(|(c, &(entries, postings, debits, net))| CurrencyTotals {
                    currency: c.clone(),
                    entries,
                    postings,
                    debits_minor: debits,
                    net_minor: net,
                })
                .collect(),
        }
    }
}

/// Lists the keys whose values differ between SQLite (`a`) and PostgreSQL
/// (`b`), up to [`MISMATCHES_LISTED`].
fn diff<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    what: &str,
    a: &BTreeMap<K, V>,
    b: &BTreeMap<K, V>,
    out: &mut Vec<String>,
) {
    let keys: BTreeSet<&K> = a.keys().chain(b.keys()).collect();
    let differing: Vec<String> = keys
        .into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| {
            format!(
                "{what} of {k:?}: SQLite {:?}, PostgreSQL {:?}",
                a.get(k),
                b.get(k)
            )
        })
        .collect();
    let n = differing.len();
    out.extend(differing.into_iter().take(MISMATCHES_LISTED));
    if n > MISMATCHES_LISTED {
        out.push(format!(
            "… and {} more differences in {what}",
            n - MISMATCHES_LISTED
        ));
    }
}

#[cfg(test)]
mod tests;
