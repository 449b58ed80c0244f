//! Health, readiness, metrics and the API description.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use livehire_domain::FieldError;
use serde_json::{Value, json};

use super::ops::Ops;
use crate::app::App;
use crate::error::{ApiError, ApiResult, ErrorBody};

/// Liveness: answers while the process serves requests.
#[utoipa::path(get, path = "/healthz", tag = "system", operation_id = "health_get",
    responses((status = 200, description = "The server is up", body = Object, example = json!({"status": "ok"}))))]
pub async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// This API's OpenAPI 3.1 document, generated from the route table.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", operation_id = "openapi_get",
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
pub async fn openapi_json(Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>) -> Json<Value> {
    Json(serde_json::to_value(doc.as_ref()).unwrap_or(Value::Null))
}

/// Readiness: whether this instance should get traffic. Checks that the
/// database file opens and reads afresh (what a restart needs; the open
/// connections outlive a file made unreadable), that its reader, writer and
/// order connections answer, that the task and order writers and the outbox
/// dispatcher run, and that the server is not shutting down. On PostgreSQL
/// the store's checks are one, `database`: a pooled connection answers and
/// the database takes writes.
#[utoipa::path(get, path = "/readyz", tag = "system", operation_id = "ready_get",
    responses(
        (status = 200, description = "Ready: every check passed", body = Object,
            example = json!({"status": "ready", "checks": {"database_file": "ok", "database_reader": "ok", "database_writer": "ok",
                "order_connection": "ok", "task_writer": "ok", "order_writer": "ok", "outbox_dispatcher": "ok"}})),
        (status = 503, description = "`not_ready`: one detail per failed check (`database_file`, `database_reader`, `database_writer`, `order_connection`, `task_writer`, or on PostgreSQL `database`; `order_writer`, `outbox_dispatcher`, `shutdown`) saying why", body = ErrorBody)))]
pub async fn readyz(
    State(app): State<App>,
    Extension(ops): Extension<Arc<Ops>>,
) -> ApiResult<Json<Value>> {
    if *ops.shutdown.borrow() {
        return Err(ApiError::NotReady {
            failed: vec![FieldError::new("shutdown", "the server is shutting down")],
        });
    }
    let checks = app.readiness().await;
    let failed: Vec<FieldError> = checks
        .iter()
        .filter_map(|(name, r)| {
            r.as_ref()
                .err()
                .map(|why| FieldError::new(*name, why.clone()))
        })
        .collect();
    if !failed.is_empty() {
        return Err(ApiError::NotReady { failed });
    }
    let checks: serde_json::Map<String, Value> = checks
        .into_iter()
        .map(|(name, _)| (name.to_string(), json!("ok")))
        .collect();
    Ok(Json(json!({"status": "ready", "checks": checks})))
}

/// Metrics in the Prometheus text format: requests and latency histograms
/// by route template and status, connections, rate-limited requests, live
/// sessions, stream subscribers, events ingested, flash-sale orders and
/// group-commit batch sizes, the outbox backlog and database pool use. With
/// a metrics token set (`serve --metrics-token`), only for that Bearer token.
#[utoipa::path(get, path = "/metrics", tag = "system", operation_id = "metrics_get",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "The metrics, Prometheus text exposition format 0.0.4", content_type = "text/plain", body = String),
        (status = 401, description = "`unauthorized`: the server has a metrics token and the request did not send it as `Authorization: Bearer`", body = ErrorBody)))]
pub async fn metrics(
    State(app): State<App>,
    Extension(ops): Extension<Arc<Ops>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(token) = &ops.metrics_token {
        let sent = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same_secret(sent.trim(), token) {
            return Err(ApiError::Unauthorized(
                "this server's metrics need its metrics token: send Authorization: Bearer <token>",
            ));
        }
    }
    let handle = crate::obs::prometheus()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no metrics recorder installed")))?;
    let g = app.gauges().await;
    metrics::gauge!("livehire_live_sessions").set(g.live_sessions as f64);
    metrics::gauge!("livehire_flash_sale_orders_pending").set(g.orders_pending as f64);
    if let Some(backlog) = g.outbox_backlog {
        metrics::gauge!("livehire_outbox_backlog").set(backlog as f64);
    }
    for p in &g.pools {
        let busy = p.open.saturating_sub(p.idle);
        metrics::gauge!("livehire_db_pool_connections", "pool" => p.pool, "state" => "in_use")
            .set(f64::from(busy));
        metrics::gauge!("livehire_db_pool_connections", "pool" => p.pool, "state" => "idle")
            .set(f64::from(p.idle));
        metrics::gauge!("livehire_db_pool_max_connections", "pool" => p.pool).set(f64::from(p.max));
    }
    Ok((
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        handle.render(),
    )
        .into_response())
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
