//! Observing the server: what a request carries (its id, for the
//! `Request-Id` header, the log span and every error body; who it turned out
//! to be from, for the access line, an account id, never a key; the
//! server's public URL, for absolute links), set by the operations
//! middleware around each request and read anywhere below without being
//! handed down; and the metrics recorder `/metrics` renders.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use axum::http::Method;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

tokio::task_local! {
    static REQUEST: Arc<RequestContext>;
}

/// One request's context.
#[derive(Debug)]
pub struct RequestContext {
    /// The request id: the client's sane `Request-Id`, or a new one.
    pub id: String,
    /// Who the request authenticated as (`ph_agent_…`, `ph_profile_…`,
    /// `ph_agent_…:checkout`, `operator`), once known.
    caller: Mutex<Option<String>>,
    /// Where clients reach this server (`https://livehire.example.com`), no
    /// trailing slash; links served are relative without it.
    public_url: Option<Arc<str>>,
}

impl RequestContext {
    /// A context for request `id`.
    pub fn new(id: String, public_url: Option<Arc<str>>) -> Self {
        Self {
            id,
            caller: Mutex::new(None),
            public_url,
        }
    }

    /// Who the request authenticated as, if it did.
    pub fn caller(&self) -> Option<String> {
        self.caller.lock().ok().and_then(|c| c.clone())
    }

    /// Runs `f` with `ctx` as the current request's context.
    pub async fn scope<F: std::future::Future>(ctx: Arc<RequestContext>, f: F) -> F::Output {
        REQUEST.scope(ctx, f).await
    }
}

/// The current request's id, inside a request.
pub fn request_id() -> Option<String> {
    REQUEST.try_with(|r| r.id.clone()).ok()
}

/// Records who the current request authenticated as (the first wins: an
/// idempotent POST authenticates twice, as the same caller).
pub fn note_caller(caller: impl FnOnce() -> String) {
    let _ = REQUEST.try_with(|r| {
        if let Ok(mut c) = r.caller.lock()
            && c.is_none()
        {
            *c = Some(caller());
        }
    });
}

/// `path` as a link to this server: absolute under the public URL when one
/// is set (`--public-url`), else as given.
pub fn public_link(path: &str) -> String {
    REQUEST
        .try_with(|r| r.public_url.as_ref().map(|base| format!("{base}{path}")))
        .ok()
        .flatten()
        .unwrap_or_else(|| path.to_string())
}

/// Whether a client's `Request-Id` may be kept as the request's id: 1–128
/// characters of letters, digits and `-_.:/+=@`.
pub fn sane_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(&b))
}

/// A new request id: `req_`, then 8 characters of time and 12 random ones.
pub fn new_request_id() -> String {
    livehire_domain::ids::new_id("req_", chrono::Utc::now(), &mut rand::rng())
}

/// The buckets of request latencies, seconds.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The buckets of group-commit batch sizes, orders.
const BATCH_BUCKETS: [f64; 13] = [
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0,
];

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus recorder, installed as the global `metrics`
/// recorder the first time it is asked for (`None` if another recorder was
/// installed first). Its histograms are drained every five seconds.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    PROMETHEUS
        .get_or_init(|| {
            let handle = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("livehire_http_request_duration_seconds".into()),
                    &LATENCY_BUCKETS,
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("livehire_flash_sale_order_batch_size".into()),
                        &BATCH_BUCKETS,
                    )
                })
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|e| tracing::warn!(error = %e, "no metrics recorder"))
                .ok()?;
            describe();
            let upkeep = handle.clone();
            let _ = std::thread::Builder::new()
                .name("livehire-metrics".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                });
            Some(handle)
        })
        .as_ref()
}

/// The HELP text of every metric.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "livehire_http_requests_total",
        "HTTP requests answered, by method, route template and status"
    );
    describe_histogram!(
        "livehire_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request (to its headers, for a stream), by method, route template and status"
    );
    describe_gauge!("livehire_http_connections", "HTTP connections open");
    describe_counter!(
        "livehire_http_connections_closed_total",
        "Connections the server closed, by reason (idle, header_timeout, evicted at the cap, shutdown)"
    );
    describe_counter!(
        "livehire_rate_limited_total",
        "Requests answered 429, by rate limit class"
    );
    describe_gauge!("livehire_live_sessions", "Sessions live now");
    describe_gauge!(
        "livehire_sse_subscribers",
        "Open event streams (session streams and flash-sale overlays)"
    );
    describe_counter!(
        "livehire_live_events_ingested_total",
        "Live events accepted and stored"
    );
    describe_counter!(
        "livehire_flash_sale_orders_total",
        "Flash-sale orders made durable by the group-commit writer"
    );
    describe_histogram!(
        "livehire_flash_sale_order_batch_size",
        "Orders per group commit"
    );
    describe_gauge!(
        "livehire_flash_sale_orders_pending",
        "Flash-sale orders queued for the group-commit writer"
    );
    describe_gauge!(
        "livehire_outbox_backlog",
        "Domain events written and not yet published by the outbox dispatcher"
    );
    describe_gauge!(
        "livehire_db_pool_connections",
        "Database connections by pool (reader, writer) and state (in_use, idle)"
    );
    describe_gauge!(
        "livehire_db_pool_max_connections",
        "Most connections each database pool opens"
    );
}

/// The request counter and latency histogram of each (method, route,
/// status), looked up once and kept: the hot path records into handles
/// instead of building labels every request.
#[derive(Default)]
pub struct RequestMetrics {
    by_route: RwLock<HashMap<String, Vec<RouteSeries>>>,
}

struct RouteSeries {
    method: Method,
    status: u16,
    requests: metrics::Counter,
    latency: metrics::Histogram,
}

impl RequestMetrics {
    /// Records one answered request.
    pub fn record(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        if let Ok(m) = self.by_route.read()
            && let Some(series) = m
                .get(route)
                .and_then(|v| v.iter().find(|s| s.status == status && s.method == *method))
        {
            series.requests.increment(1);
            series.latency.record(seconds);
            return;
        }
        let method_label = match *method {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PATCH => "PATCH",
            Method::PUT => "PUT",
            Method::DELETE => "DELETE",
            Method::HEAD => "HEAD",
            Method::OPTIONS => "OPTIONS",
            _ => "other",
        };
        let labels = [
            ("method", method_label.to_string()),
            ("route", route.to_string()),
            ("status", status.to_string()),
        ];
        let series = RouteSeries {
            method: method.clone(),
            status,
            requests: metrics::counter!("livehire_http_requests_total", &labels),
            latency: metrics::histogram!("livehire_http_request_duration_seconds", &labels),
        };
        series.requests.increment(1);
        series.latency.record(seconds);
        if let Ok(mut m) = self.by_route.write() {
            m.entry(route.to_string()).or_default().push(series);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clients_request_id_is_kept_only_when_sane() {
        assert!(sane_request_id("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(sane_request_id("trace:abc/42=x@edge"));
        assert!(!sane_request_id(""));
        assert!(!sane_request_id(&"a".repeat(129)));
        assert!(!sane_request_id("two words"));
        assert!(!sane_request_id("line\nbreak"));
        assert!(!sane_request_id("<script>"));
        let id = new_request_id();
        assert!(id.starts_with("req_") && id.len() == 24 && sane_request_id(&id));
    }

    #[tokio::test]
    async fn the_context_is_read_inside_its_request_only() {
        assert_eq!(request_id(), None);
        assert_eq!(public_link("/overlay/x"), "/overlay/x");
        let ctx = Arc::new(RequestContext::new(
            "req_1".into(),
            Some("https://live.example".into()),
        ));
        RequestContext::scope(ctx.clone(), async {
            assert_eq!(request_id().as_deref(), Some("req_1"));
            assert_eq!(public_link("/overlay/x"), "https://live.example/overlay/x");
            note_caller(|| "ph_agent_a".into());
            note_caller(|| "ph_agent_b".into());
        })
        .await;
        assert_eq!(ctx.caller().as_deref(), Some("ph_agent_a"));
    }
}
