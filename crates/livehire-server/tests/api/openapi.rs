//! The OpenAPI document matches the router.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};

use crate::harness::*;

/// Every route the server serves, by method and path template.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/agents/register"),
    ("post", "/api/v1/humans/register"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/me/keys/rotate"),
    ("get", "/api/v1/me/invitations"),
    ("get", "/api/v1/humans"),
    ("get", "/api/v1/humans/{human_id}"),
    ("patch", "/api/v1/humans/{human_id}"),
    ("post", "/api/v1/admin/humans/{human_id}/verification"),
    ("post", "/api/v1/tasks"),
    ("get", "/api/v1/tasks"),
    ("get", "/api/v1/tasks/{task_id}"),
    ("post", "/api/v1/tasks/{task_id}/cancel"),
    ("post", "/api/v1/tasks/{task_id}/messages"),
    ("get", "/api/v1/tasks/{task_id}/messages"),
    ("post", "/api/v1/tasks/{task_id}/invitations"),
    ("get", "/api/v1/tasks/{task_id}/invitations"),
    ("post", "/api/v1/tasks/{task_id}/applications"),
    ("get", "/api/v1/tasks/{task_id}/applications"),
    ("post", "/api/v1/tasks/{task_id}/assign"),
    ("post", "/api/v1/tasks/{task_id}/accept"),
    ("post", "/api/v1/tasks/{task_id}/submission"),
    ("get", "/api/v1/tasks/{task_id}/submission"),
    ("post", "/api/v1/tasks/{task_id}/request-revision"),
    ("post", "/api/v1/tasks/{task_id}/approve"),
    ("get", "/api/v1/tasks/{task_id}/payout-preview"),
    ("post", "/api/v1/tasks/{task_id}/rate"),
    ("post", "/api/v1/tasks/{task_id}/run-of-show"),
    ("get", "/api/v1/tasks/{task_id}/run-of-show"),
    ("post", "/api/v1/wallet/deposits"),
    ("get", "/api/v1/wallet"),
    ("get", "/api/v1/earnings"),
    ("get", "/api/v1/ledger"),
    ("get", "/api/v1/sessions/{session_id}"),
    ("post", "/api/v1/sessions/{session_id}/start"),
    ("post", "/api/v1/sessions/{session_id}/end"),
    ("post", "/api/v1/sessions/{session_id}/events"),
    ("post", "/api/v1/sessions/{session_id}/import"),
    ("post", "/api/v1/sessions/{session_id}/ingest-keys"),
    ("get", "/api/v1/sessions/{session_id}/metrics"),
    ("get", "/api/v1/sessions/{session_id}/stream"),
    ("post", "/api/v1/sessions/{session_id}/flash-sales"),
    ("post", "/api/v1/sessions/{session_id}/checkout-keys"),
    ("get", "/api/v1/flash-sales/{flash_sale_id}"),
    ("post", "/api/v1/flash-sales/{flash_sale_id}/orders"),
    ("get", "/api/v1/flash-sales/{flash_sale_id}/orders"),
    ("post", "/api/v1/integrations/tiktok-shop"),
    ("get", "/api/v1/integrations/tiktok-shop"),
    ("post", "/api/v1/integrations/tiktok-shop/webhook"),
    ("get", "/api/v1/sessions/{session_id}/report"),
    ("get", "/api/v1/sessions/{session_id}/report.svg"),
    ("get", "/api/v1/sessions/{session_id}/report.html"),
    ("get", "/api/v1/tasks/{task_id}/report"),
    ("get", "/api/v1/tasks/{task_id}/report.html"),
];

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_is_served() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let mut documented = BTreeSet::new();
    for (path, item) in doc.body["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let expected: BTreeSet<_> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, expected);

    // And the router answers each documented path with something other than
    // "no such route" (401 without a key is fine: the route exists).
    for (method, path) in &documented {
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
        doc.body["info"]["description"]
            .as_str()
            .unwrap()
            .contains("engagement_rate = ")
    );
}
