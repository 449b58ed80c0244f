//! `spawn_app()` and helpers that speak the domain.
//!
//! The backend comes from `LIVEHIRE_TEST_DATABASE_URL`: unset, each server
//! runs on a new SQLite file; a PostgreSQL URL (`postgres://USER@HOST:PORT/DB`,
//! a database to connect to for administration), each test creates a
//! database of its own on that server (`lh_api_…`) and drops it when the
//! last server on it is dropped.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use livehire_server::{App, Application, Settings};
use livehire_store::testing::PgTestDatabase;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A running server over a fresh database.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub app: App,
    settings: Settings,
    db: Arc<TestDatabase>,
}

/// A fresh database for one test: a SQLite file in a temporary directory,
/// or a PostgreSQL database of its own, dropped with this.
pub struct TestDatabase {
    /// The URL a server opens.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<PgTestDatabase>,
}

/// Whether the tests run on PostgreSQL.
pub fn on_postgres() -> bool {
    livehire_store::testing::postgres_admin_url().is_some()
}

/// Says, past the test harness's capture (so it shows in a passing run),
/// what part of a test did not run on PostgreSQL and why.
pub fn not_run_on_postgres(what: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "NOT RUN ON POSTGRESQL: {what} ({why})");
}

impl TestDatabase {
    /// A new database on the backend the tests run on.
    pub async fn new() -> Self {
        if on_postgres() {
            let db = PgTestDatabase::new("api", "the API tests").await;
            return Self {
                url: db.url.clone(),
                _dir: None,
                postgres: Some(db),
            };
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("livehire.db").display());
        Self {
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }
}

/// A registered agent.
pub struct Agent {
    pub id: String,
    pub key: String,
}

/// A registered host.
pub struct Host {
    pub id: String,
    pub key: String,
}

/// An HTTP answer: status and JSON body (Null when the body is not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// The body without the error's `request_id` (which every request has
    /// its own of): to compare two answers.
    pub fn envelope(&self) -> Value {
        let mut body = self.body.clone();
        if let Some(e) = body.get_mut("error").and_then(Value::as_object_mut) {
            e.remove("request_id");
        }
        body
    }

    /// The paths named in an error answer's details.
    pub fn paths(&self) -> Vec<String> {
        self.body["error"]["details"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|x| x["path"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Starts the server on 127.0.0.1:0 with a new database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the server on 127.0.0.1:0 with a new database and the settings
/// `tweak` makes.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let db = Arc::new(TestDatabase::new().await);
    let mut settings = test_settings(&db.url);
    tweak(&mut settings);
    serve(settings, db).await
}

/// The settings of the tests' servers: the defaults, but rate limits far
/// above what a test sends (they stay checked; tests of the limits set
/// their own).
fn test_settings(url: &str) -> Settings {
    Settings {
        rate_limits: livehire_server::RateLimits::all(livehire_server::Rate::per_second(1_000_000)),
        ..Settings::new("127.0.0.1:0", url)
    }
}

async fn serve(settings: Settings, db: Arc<TestDatabase>) -> TestApp {
    let application = Application::build(settings.clone()).await.expect("build");
    let base = format!("http://{}", application.local_addr().expect("addr"));
    let app = application.app().clone();
    tokio::spawn(application.run_until(std::future::pending()));
    TestApp {
        base,
        client: reqwest::Client::new(),
        app,
        settings,
        db,
    }
}

impl TestApp {
    /// The SQLite file this server runs on (SQLite only).
    pub fn db_path(&self) -> PathBuf {
        assert!(
            self.db.postgres.is_none(),
            "db_path is the SQLite file; this server runs on PostgreSQL"
        );
        PathBuf::from(self.settings.database_url.trim_start_matches("sqlite://"))
    }

    /// A second server on this one's database with its settings, as after a
    /// restart: it holds nothing in memory and rebuilds what it needs from
    /// the database. (Both keep the database; it goes with the last.)
    pub async fn restarted(&self) -> TestApp {
        serve(self.settings.clone(), self.db.clone()).await
    }
}

/// A fixture of the seed, its 2026 dates moved ten years ahead (every other byte kept).
pub fn seed_fixture(name: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "seed",
        name,
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.replace("\"2026-", "\"2036-")
}

/// Demo profiles (as `livehire_sim::hosts` makes them), typed for
/// `App::upsert_demo_hosts`.
pub fn demo(profiles: &[Value]) -> Vec<livehire_server::app::DemoHost> {
    livehire_server::app::DemoHost::from_profiles(profiles).expect("demo profiles")
}

/// A seed fixture parsed as JSON.
pub fn seed_json(name: &str) -> Value {
    serde_json::from_str(&seed_fixture(name)).expect("fixture is JSON")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn answer(resp: reqwest::Response) -> Answer {
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            headers,
        }
    }

    /// Sends raw bytes with an optional content type and key.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut req = self.client.request(method, self.url(path)).body(body);
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        Self::answer(req.send().await.expect("request")).await
    }

    pub async fn post(&self, path: &str, key: Option<&str>, body: &Value) -> Answer {
        self.send(
            reqwest::Method::POST,
            path,
            key,
            Some("application/json"),
            body.to_string(),
            &[],
        )
        .await
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> Answer {
        self.send(reqwest::Method::GET, path, key, None, Vec::<u8>::new(), &[])
            .await
    }

    pub async fn patch(&self, path: &str, key: Option<&str>, body: &Value) -> Answer {
        self.send(
            reqwest::Method::PATCH,
            path,
            key,
            Some("application/json"),
            body.to_string(),
            &[],
        )
        .await
    }

    /// Registers an agent.
    pub async fn agent(&self, name: &str) -> Agent {
        let a = self
            .post("/api/v1/agents/register", None, &json!({"name": name}))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        Agent {
            id: a.body["agent_id"].as_str().expect("agent_id").to_string(),
            key: a.body["api_key"].as_str().expect("api_key").to_string(),
        }
    }

    /// Registers a host from a profile.
    pub async fn host(&self, profile: &Value) -> Host {
        let a = self.post("/api/v1/humans/register", None, profile).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        Host {
            id: a.body["human_id"].as_str().expect("human_id").to_string(),
            key: a.body["api_key"].as_str().expect("api_key").to_string(),
        }
    }

    /// Registers a host from a profile, then has the operator verify what it
    /// claims (its TikTok Shop and badges), as the admin endpoint would.
    pub async fn verified_host(&self, profile: &Value) -> Host {
        let host = self.host(profile).await;
        let claims = livehire_domain::identity::Verified::as_declared(profile);
        self.app
            .verify_host(
                &livehire_domain::ids::HostId::from(host.id.as_str()),
                livehire_server::app::NewVerification {
                    tiktok_shop_verified: Some(claims.tiktok_shop_verified),
                    badges: Some(claims.badges),
                },
            )
            .await
            .expect("verify host");
        host
    }

    /// Posts a task, expecting 201.
    pub async fn task(&self, agent: &Agent, body: &Value) -> Value {
        let a = self.post("/api/v1/tasks", Some(&agent.key), body).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        a.body
    }

    /// Loads the seed's three hosts and `n` generated ones.
    pub async fn with_demo_hosts(&self, n: u64) -> Vec<Value> {
        let mut all = livehire_sim::hosts::seed_hosts();
        all.extend((1..=n).map(livehire_sim::hosts::generated_host));
        self.app
            .upsert_demo_hosts(demo(&all))
            .await
            .expect("seed hosts");
        all
    }
}
