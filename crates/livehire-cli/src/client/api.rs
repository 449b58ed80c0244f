//! The HTTP side of the client commands: one request helper that sends the
//! key, reads the JSON answer and turns every way a call can fail into a
//! [`Failure`] with its exit code.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::Value;

use super::Connection;

/// Why a client command failed; each kind has its own exit code.
#[derive(Debug)]
pub enum Failure {
    /// Bad arguments or input files (exit 2).
    Usage(String),
    /// The server answered with an error status (exit 3).
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The answer's JSON (`{"error": {code, message, details, request_id}}`),
        /// or its text when it was not JSON.
        body: Value,
        /// The `Request-Id` header, for an answer whose body lacks one.
        request_id: Option<String>,
        /// Print the body as JSON (`--json`) rather than as lines.
        json: bool,
    },
    /// The server could not be reached or the connection broke (exit 4).
    Connection {
        /// The URL asked for.
        url: String,
        /// What went wrong, with its causes.
        reason: String,
    },
    /// Anything else (exit 1).
    Other(String),
}

impl Failure {
    /// The process exit code for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::Other(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Api { .. } => 3,
            Failure::Connection { .. } => 4,
        }
    }

    /// Prints the failure to stderr.
    pub fn report(&self) {
        match self {
            Failure::Usage(m) => eprintln!("error: {m}"),
            Failure::Other(m) => eprintln!("error: {m}"),
            Failure::Connection { url, reason } => {
                eprintln!("error: cannot reach the livehire server at {url}: {reason}");
                eprintln!(
                    "hint: is `livehire serve` running there? Set the server with --url or LIVEHIRE_URL."
                );
            }
            Failure::Api {
                status,
                body,
                request_id,
                json,
            } => {
                if *json {
                    eprintln!(
                        "{}",
                        serde_json::to_string_pretty(body).unwrap_or_else(|_| body.to_string())
                    );
                    return;
                }
                let error = &body["error"];
                let code = error["code"].as_str().unwrap_or("error");
                let message = match (&error["message"], body) {
                    (Value::String(m), _) => m.clone(),
                    (_, Value::String(text)) => text.clone(),
                    _ => body.to_string(),
                };
                eprintln!("error: {} {code}: {message}", status.as_u16());
                if let Some(details) = error["details"].as_array() {
                    for d in details {
                        let path = d["path"].as_str().unwrap_or("");
                        let message = d["message"].as_str().unwrap_or("");
                        if path.is_empty() {
                            eprintln!("  - {message}");
                        } else {
                            eprintln!("  - {path}: {message}");
                        }
                    }
                }
                let id = error["request_id"].as_str().or(request_id.as_deref());
                if let Some(id) = id {
                    eprintln!("request_id: {id}");
                }
            }
        }
    }
}

/// Makes a [`Failure::Connection`] (or, for an error that is not about the
/// connection, [`Failure::Other`]) out of a reqwest error on `url`.
pub fn transport_failure(url: &str, e: &reqwest::Error) -> Failure {
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !reason.contains(&text) {
            reason.push_str(": ");
            reason.push_str(&text);
        }
        source = s.source();
    }
    if e.is_builder() {
        return Failure::Usage(format!("bad URL {url}: {reason}"));
    }
    if e.is_decode() {
        return Failure::Other(format!("reading the answer of {url}: {reason}"));
    }
    Failure::Connection {
        url: url.to_string(),
        reason,
    }
}

/// The [`Failure::Api`] of an answer with an error status: its JSON body
/// (or text), and its `Request-Id` header.
pub async fn error_answer(response: reqwest::Response, url: &str, json: bool) -> Failure {
    let status = response.status();
    let request_id = response
        .headers()
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = match response.text().await {
        Ok(t) => t,
        Err(e) => return transport_failure(url, &e),
    };
    Failure::Api {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        request_id,
        json,
    }
}

/// A client for one server with one key.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    key: Option<String>,
    /// `--json`: print the server's JSON.
    pub json: bool,
}

impl Client {
    /// A client for `conn`'s server and key.
    pub fn new(conn: &Connection) -> Result<Self, Failure> {
        let base = conn.url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Failure::Usage(format!(
                "--url must start with http:// or https://, got {base:?}"
            )));
        }
        Ok(Client {
            http: builder()
                .timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| Failure::Other(format!("HTTP client: {e}")))?,
            base,
            key: conn.api_key.clone().filter(|k| !k.is_empty()),
            json: conn.json,
        })
    }

    /// The full URL of an API path (`/api/v1/…`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request to `path` with the key.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.with_key(self.http.request(method, self.url(path)))
    }

    /// Adds the key, if there is one, to `request`.
    pub fn with_key(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.key {
            Some(k) => request.bearer_auth(k),
            None => request,
        }
    }

    /// A GET of `path` with `query`: the answer's JSON.
    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, Failure> {
        self.send(path, self.request(Method::GET, path).query(query))
            .await
    }

    /// A POST of `body` as JSON to `path`, with an `Idempotency-Key` when given.
    pub async fn post(
        &self,
        path: &str,
        body: &Value,
        idempotency_key: Option<&str>,
    ) -> Result<Value, Failure> {
        let mut request = self.request(Method::POST, path).json(body);
        if let Some(k) = idempotency_key {
            request = request.header("Idempotency-Key", k);
        }
        self.send(path, request).await
    }

    /// Sends `request` (for `path`) and reads its JSON answer; an error
    /// status is a [`Failure::Api`].
    pub async fn send(&self, path: &str, request: RequestBuilder) -> Result<Value, Failure> {
        let url = self.url(path);
        let response = request
            .send()
            .await
            .map_err(|e| transport_failure(&url, &e))?;
        if !response.status().is_success() {
            return Err(error_answer(response, &url, self.json).await);
        }
        let text = response
            .text()
            .await
            .map_err(|e| transport_failure(&url, &e))?;
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| {
            Failure::Other(format!("{url} answered with a body that is not JSON: {e}"))
        })
    }

    /// Reads a list: one page from `cursor`, or with `all` every page, their
    /// items joined (`next_cursor` then null). Answers `{data, next_cursor}`.
    pub async fn list(
        &self,
        path: &str,
        mut query: Vec<(&str, String)>,
        paging: &super::Paging,
    ) -> Result<Value, Failure> {
        if let Some(limit) = paging.limit {
            query.push(("limit", limit.to_string()));
        }
        let mut cursor = paging.cursor.clone();
        let mut items = Vec::new();
        loop {
            let mut q = query.clone();
            if let Some(c) = &cursor {
                q.push(("cursor", c.clone()));
            }
            let page = self.get(path, &q).await?;
            if !paging.all {
                return Ok(page);
            }
            if let Some(data) = page["data"].as_array() {
                items.extend(data.iter().cloned());
            }
            match page["next_cursor"].as_str() {
                Some(next) if !next.is_empty() && cursor.as_deref() != Some(next) => {
                    cursor = Some(next.to_string());
                }
                _ => {
                    return Ok(serde_json::json!({"data": items, "next_cursor": null}));
                }
            }
        }
    }
}

/// `id` checked to be one path segment (no `/`, `?`, `#`), so it cannot
/// reach another route.
pub fn segment(id: &str) -> Result<&str, Failure> {
    let id = id.trim();
    if id.is_empty() || id.contains(['/', '?', '#', '%']) || id.chars().any(char::is_whitespace) {
        return Err(Failure::Usage(format!("not an id: {id:?}")));
    }
    Ok(id)
}

/// The client builder every command's client starts from.
pub fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("livehire-cli/", env!("CARGO_PKG_VERSION")))
}

/// Prints `value` as pretty JSON to stdout.
pub fn print_json(value: &Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::Other(format!("rendering JSON: {e}")))?;
    super::render::out(&text)
}
