//! Health and API description.

use std::sync::Arc;

use axum::{Extension, Json};
use serde_json::{Value, json};

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
