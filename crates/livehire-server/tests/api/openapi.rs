//! The OpenAPI document matches the router, says what each operation can
//! answer, and is snapshotted so that any change to the API shows in review.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::*;

/// Every route the server serves, by method and path template, with its
/// operationId (resource, then verb).
#[rustfmt::skip]
const ROUTES: &[(&str, &str, &str)] = &[
    ("get",  "/healthz",                                     "health_get"),
    ("get",  "/readyz",                                      "ready_get"),
    ("get",  "/metrics",                                     "metrics_get"),
    ("get",  "/api/v1/openapi.json",                         "openapi_get"),
    ("post", "/api/v1/agents/register",                      "agents_register"),
    ("post", "/api/v1/humans/register",                      "hosts_register"),
    ("get",  "/api/v1/me",                                   "me_get"),
    ("post", "/api/v1/me/keys/rotate",                       "me_keys_rotate"),
    ("get",  "/api/v1/me/invitations",                       "me_invitations_list"),
    ("get",  "/api/v1/humans",                               "hosts_search"),
    ("get",  "/api/v1/humans/{human_id}",                    "hosts_get"),
    ("patch", "/api/v1/humans/{human_id}",                    "hosts_patch"),
    ("post", "/api/v1/admin/humans/{human_id}/verification", "admin_hosts_verify"),
    ("post", "/api/v1/tasks",                                "tasks_create"),
    ("get",  "/api/v1/tasks",                                "tasks_list"),
    ("get",  "/api/v1/tasks/{task_id}",                      "tasks_get"),
    ("post", "/api/v1/tasks/{task_id}/cancel",               "tasks_cancel"),
    ("post", "/api/v1/tasks/{task_id}/messages",             "tasks_messages_post"),
    ("get",  "/api/v1/tasks/{task_id}/messages",             "tasks_messages_list"),
    ("post", "/api/v1/tasks/{task_id}/invitations",          "tasks_invitations_create"),
    ("get",  "/api/v1/tasks/{task_id}/invitations",          "tasks_invitations_list"),
    ("post", "/api/v1/tasks/{task_id}/applications",         "tasks_applications_create"),
    ("get",  "/api/v1/tasks/{task_id}/applications",         "tasks_applications_list"),
    ("post", "/api/v1/tasks/{task_id}/assign",               "tasks_assign"),
    ("post", "/api/v1/tasks/{task_id}/accept",               "tasks_accept"),
    ("post", "/api/v1/tasks/{task_id}/submission",           "tasks_submission_post"),
    ("get",  "/api/v1/tasks/{task_id}/submission",           "tasks_submission_get"),
    ("post", "/api/v1/tasks/{task_id}/request-revision",     "tasks_revision_request"),
    ("post", "/api/v1/tasks/{task_id}/approve",              "tasks_approve"),
    ("get",  "/api/v1/tasks/{task_id}/payout-preview",       "tasks_payout_preview"),
    ("post", "/api/v1/tasks/{task_id}/rate",                 "tasks_rate"),
    ("post", "/api/v1/tasks/{task_id}/run-of-show",          "tasks_run_of_show_post"),
    ("get",  "/api/v1/tasks/{task_id}/run-of-show",          "tasks_run_of_show_get"),
    ("post", "/api/v1/wallet/deposits",                      "wallet_deposits_create"),
    ("get",  "/api/v1/wallet",                               "wallet_get"),
    ("get",  "/api/v1/earnings",                             "earnings_get"),
    ("get",  "/api/v1/ledger",                               "ledger_list"),
    ("get",  "/api/v1/events",                               "events_list"),
    ("post", "/api/v1/webhooks",                             "webhooks_create"),
    ("get",  "/api/v1/webhooks",                             "webhooks_list"),
    ("get",  "/api/v1/webhooks/{webhook_id}",                "webhooks_get"),
    ("delete", "/api/v1/webhooks/{webhook_id}",              "webhooks_delete"),
    ("get",  "/api/v1/webhooks/{webhook_id}/deliveries",     "webhooks_deliveries_list"),
    ("post", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", "webhooks_deliveries_redeliver"),
    ("get",  "/api/v1/sessions/{session_id}",                "sessions_get"),
    ("post", "/api/v1/sessions/{session_id}/start",          "sessions_start"),
    ("post", "/api/v1/sessions/{session_id}/end",            "sessions_end"),
    ("post", "/api/v1/sessions/{session_id}/events",         "sessions_events_post"),
    ("post", "/api/v1/sessions/{session_id}/import",         "sessions_import"),
    ("post", "/api/v1/sessions/{session_id}/ingest-keys",    "sessions_ingest_keys_create"),
    ("get",  "/api/v1/sessions/{session_id}/metrics",        "sessions_metrics_get"),
    ("get",  "/api/v1/sessions/{session_id}/stream",         "sessions_stream"),
    ("post", "/api/v1/sessions/{session_id}/flash-sales",    "sessions_flash_sales_create"),
    ("post", "/api/v1/sessions/{session_id}/checkout-keys",  "sessions_checkout_keys_create"),
    ("get",  "/api/v1/flash-sales/{flash_sale_id}",          "flash_sales_get"),
    ("post", "/api/v1/flash-sales/{flash_sale_id}/orders",   "flash_sales_orders_create"),
    ("get",  "/api/v1/flash-sales/{flash_sale_id}/orders",   "flash_sales_orders_list"),
    ("post", "/api/v1/integrations/tiktok-shop",             "tiktok_shop_connect"),
    ("get",  "/api/v1/integrations/tiktok-shop",             "tiktok_shop_list"),
    ("post", "/api/v1/integrations/tiktok-shop/webhook",     "tiktok_shop_webhook"),
    ("get",  "/api/v1/sessions/{session_id}/report",         "sessions_report_get"),
    ("get",  "/api/v1/sessions/{session_id}/report.svg",     "sessions_report_svg"),
    ("get",  "/api/v1/sessions/{session_id}/report.html",    "sessions_report_html"),
    ("get",  "/api/v1/tasks/{task_id}/report",               "tasks_report_get"),
    ("get",  "/api/v1/tasks/{task_id}/report.html",          "tasks_report_html"),
];

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: [&str; 5] = ["get", "post", "patch", "put", "delete"];

/// The document the server serves.
pub async fn served_document(app: &TestApp) -> Value {
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    doc.body
}

/// Every operation of the document: (method, path, operation).
pub fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op));
            }
        }
    }
    out
}

/// The operation with this operationId.
pub fn operation<'d>(doc: &'d Value, id: &str) -> &'d Value {
    operations(doc)
        .into_iter()
        .find(|(_, _, op)| op["operationId"] == id)
        .map(|(_, _, op)| op)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

/// Whether an operation lists a header parameter of this name.
fn takes_header(op: &Value, name: &str) -> bool {
    op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "header" && p["name"] == name))
}

/// A JSON value with every object's keys in order, so its text does not
/// depend on the order the document was assembled in.
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let ordered: BTreeMap<&String, Value> = m.iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_is_served() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    let documented: BTreeSet<_> = operations(&doc)
        .into_iter()
        .map(|(m, p, op)| (m, p, op["operationId"].as_str().unwrap_or("").to_string()))
        .collect();
    let expected: BTreeSet<_> = ROUTES
        .iter()
        .map(|(m, p, id)| (m.to_string(), p.to_string(), id.to_string()))
        .collect();
    assert_eq!(documented, expected);

    // And the router answers each documented path with something other than
    // "no such route" (401 without a key is fine: the route exists).
    for (method, path, _) in &documented {
        let concrete = path
            .replace("{human_id}", "ph_profile_x")
            .replace("{task_id}", "ph_task_x");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let a = app
            .send(m, &concrete, None, Some("application/json"), "{}", &[])
            .await;
        assert!(
            a.code() != "not_found" || a.body["error"]["message"] != "route not found",
            "{method} {path} is documented but not routed"
        );
        assert_ne!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
    }
    assert!(
        doc["info"]["description"]
            .as_str()
            .unwrap()
            .contains("engagement_rate = ")
    );
}

#[tokio::test]
async fn operation_ids_are_unique_and_name_the_resource_then_the_verb() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    let mut seen = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(seen.insert(id.to_string()), "operationId {id} repeats");
        assert!(
            id.contains('_') && id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{method} {path}: {id} is not resource_verb"
        );
    }
    assert_eq!(seen.len(), ROUTES.len());
}

#[tokio::test]
async fn every_answer_is_described_and_every_error_has_the_one_error_shape() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().expect("responses");
        if op.get("security").is_some() {
            assert!(
                responses.contains_key("401"),
                "{method} {path} takes a key but does not list 401"
            );
        }
        let unlimited = ["/healthz", "/readyz", "/metrics"].contains(&path.as_str());
        assert_eq!(
            responses.contains_key("429"),
            !unlimited,
            "{method} {path}: every operation but the probes is rate limited"
        );
        if !unlimited {
            assert!(
                responses["429"]["headers"]["Retry-After"].is_object(),
                "{method} {path}: 429 without Retry-After"
            );
        }
        if let Some(created) = responses.get("201") {
            assert!(
                created["headers"]["Location"].is_object(),
                "{method} {path}: a 201 without Location"
            );
        }
        for (status, response) in responses {
            let description = response["description"].as_str().unwrap_or("");
            assert!(
                !description.trim().is_empty(),
                "{method} {path} {status} has no description"
            );
            assert!(
                !description.contains("  "),
                "{method} {path} {status}: stray spaces in {description:?}"
            );
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
        // An operation with a JSON body can be sent one that is not JSON.
        if op["requestBody"]["content"]["application/json"].is_object() {
            assert!(
                responses.contains_key("400"),
                "{method} {path} reads JSON but does not list 400"
            );
        }
    }
}

#[tokio::test]
async fn idempotency_key_is_documented_where_it_replays_and_nowhere_else() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    for (method, path, op) in operations(&doc) {
        let keyed = method == "post" && op["security"][0].get("bearer").is_some();
        assert_eq!(
            takes_header(op, "Idempotency-Key"),
            keyed,
            "{method} {path}: Idempotency-Key is honoured exactly on POSTs made with an account key"
        );
        if keyed && op["operationId"] != "flash_sales_orders_create" {
            let conflict = op["responses"]["409"]["description"].as_str().unwrap_or("");
            assert!(
                conflict.contains("idempotency_key_reused"),
                "{path}: {conflict}"
            );
            assert!(
                conflict.contains("idempotency_key_in_use"),
                "{path}: {conflict}"
            );
        }
        if method == "post" && op["operationId"] != "flash_sales_orders_create" {
            let invalid = op["responses"]["422"]["description"].as_str().unwrap_or("");
            assert!(invalid.contains("Idempotency-Key"), "{path}: {invalid}");
        }
    }
    // Not keyed by an account: not replayed, so not documented.
    for id in [
        "agents_register",
        "hosts_register",
        "admin_hosts_verify",
        "tiktok_shop_webhook",
    ] {
        assert!(
            !takes_header(operation(&doc, id), "Idempotency-Key"),
            "{id}"
        );
    }
    // Flash-sale orders keep their keys with the sale, outside the middleware.
    let order = operation(&doc, "flash_sales_orders_create");
    assert!(takes_header(order, "Idempotency-Key"));
    assert!(
        order["responses"]["409"]["description"]
            .as_str()
            .unwrap()
            .contains("idempotency_key_reused")
    );
}

#[tokio::test]
async fn content_types_are_what_the_server_sends_and_reads() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    let answer_types = |id: &str| -> Vec<String> {
        operation(&doc, id)["responses"]["200"]["content"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(answer_types("sessions_stream"), ["text/event-stream"]);
    assert_eq!(answer_types("sessions_report_svg"), ["image/svg+xml"]);
    assert_eq!(answer_types("sessions_report_html"), ["text/html"]);
    assert_eq!(answer_types("tasks_report_html"), ["text/html"]);
    assert_eq!(answer_types("sessions_report_get"), ["application/json"]);

    for id in ["sessions_events_post", "sessions_import"] {
        let body = &operation(&doc, id)["requestBody"]["content"];
        let types: BTreeSet<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            types,
            BTreeSet::from(["application/json", "application/x-ndjson"]),
            "{id}"
        );
        assert_eq!(
            body["application/x-ndjson"]["schema"]["type"], "string",
            "{id}"
        );
    }
    // The native events: an array of objects with `type` and `ts`, `type`
    // one of the parser's own names.
    let events = &doc["components"]["schemas"]["LiveEvents"];
    assert_eq!(events["type"], "array");
    let required: BTreeSet<&str> = events["items"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required, BTreeSet::from(["type", "ts"]));
    let types: Vec<&str> = events["items"]["properties"]["type"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(types, livehire_domain::live::event::EVENT_TYPES);
    assert_eq!(
        operation(&doc, "sessions_import")["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/LiveEvents"
    );
    // The events endpoint also reads the connectors' events.
    let batch = &doc["components"]["schemas"]["EventBatch"]["anyOf"];
    assert_eq!(batch[0]["$ref"], "#/components/schemas/LiveEvents");
    assert_eq!(batch[1]["items"]["required"][0], "event");

    // Typed bodies are referenced by their schema.
    for (id, schema) in [
        ("agents_register", "NewAgent"),
        ("wallet_deposits_create", "NewDeposit"),
        ("tasks_messages_post", "NewMessage"),
        ("tasks_invitations_create", "HostRef"),
        ("tasks_applications_create", "NewApplication"),
        ("tasks_assign", "Assignment"),
        ("tasks_revision_request", "RevisionRequest"),
        ("tasks_approve", "Approval"),
        ("tasks_rate", "NewRating"),
        ("sessions_flash_sales_create", "NewFlashSale"),
        ("flash_sales_orders_create", "NewOrder"),
        ("tiktok_shop_connect", "NewTiktokShop"),
        ("admin_hosts_verify", "NewVerification"),
    ] {
        assert_eq!(
            operation(&doc, id)["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            format!("#/components/schemas/{schema}"),
            "{id}"
        );
    }
}

#[tokio::test]
async fn live_answers_reference_their_schemas() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    for (id, status, schema) in [
        ("sessions_get", "200", "SessionView"),
        ("sessions_start", "200", "SessionView"),
        ("sessions_end", "200", "SessionView"),
        ("sessions_events_post", "200", "IngestResult"),
        ("sessions_import", "200", "ImportView"),
        ("sessions_ingest_keys_create", "201", "SessionKeyView"),
        ("sessions_checkout_keys_create", "201", "SessionKeyView"),
        ("sessions_metrics_get", "200", "SessionMetricsView"),
        ("sessions_flash_sales_create", "201", "FlashSaleView"),
        ("flash_sales_get", "200", "FlashSaleView"),
        ("flash_sales_orders_create", "201", "OrderAck"),
        ("flash_sales_orders_list", "200", "FlashSaleOrders"),
        ("sessions_report_get", "200", "SessionReport"),
        ("tasks_report_get", "200", "SeriesReport"),
        ("events_list", "200", "EventPage"),
        ("webhooks_create", "201", "CreatedWebhook"),
        ("webhooks_get", "200", "WebhookView"),
        ("webhooks_deliveries_redeliver", "200", "DeliveryView"),
    ] {
        assert_eq!(
            operation(&doc, id)["responses"][status]["content"]["application/json"]["schema"]["$ref"],
            format!("#/components/schemas/{schema}"),
            "{id}"
        );
    }
    // Figures are JSON numbers, and the metrics name their parts.
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Metrics"]["properties"]["gmv"]["type"], "number");
    assert_eq!(
        schemas["Metrics"]["properties"]["sources"]["$ref"],
        "#/components/schemas/BySource"
    );
    assert_eq!(
        schemas["OrderAck"]["properties"]["amount"]["type"],
        "number"
    );
    let provenance: Vec<&str> = schemas["Provenance"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(provenance, ["verified", "host_reported"]);
}

#[tokio::test]
async fn the_served_document_is_snapshotted() {
    let app = spawn_app().await;
    let doc = served_document(&app).await;
    let text = serde_json::to_string_pretty(&sorted(&doc)).unwrap();
    // `.ci/run` validates this file with openapi-spec-validator.
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("openapi.json");
    std::fs::write(&out, &text).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    insta::assert_snapshot!("openapi", text);
}
