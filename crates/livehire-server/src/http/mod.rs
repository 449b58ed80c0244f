//! The HTTP API: one route table; handlers parse and authenticate, then call
//! one `App` method.

mod accounts;
mod admin;
mod agent_docs;
mod doc;
mod events;
mod examples;
mod hiring;
mod hosts;
mod idempotency;
mod messages;
pub mod ops;
pub(crate) mod overlay_page;
pub mod ratelimit;
mod reports;
mod sessions;
mod system;
mod tasks;
mod tiktok_shop;
mod wallet;
mod webhooks;

use axum::Router;
use axum::middleware;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) use agent_docs::skill_text;

use crate::app::App;
use crate::error::ApiError;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "livehire API",
        description = "Hire TikTok live-commerce hosts, run monitored live sessions, pay from verified results.\n\n\
            Authenticate with `Authorization: Bearer <key>` (agents `ph_sk_…`, hosts `ph_hk_…`). \
            Every failure has the shape `{\"error\": {\"code\", \"message\", \"details\": [{\"path\", \"message\"}], \"request_id\"}}`; \
            every answer carries a `Request-Id` header (a client's own, 1–128 characters of letters, digits and `-_.:/+=@`, is kept). \
            Requests are rate limited per key, and per client IP for registration and failed authentication: \
            over a limit, 429 `rate_limited` with `Retry-After` in seconds. \
            A POST made with an account key honours `Idempotency-Key` (scoped to the caller, kept 24 h; \
            flash-sale orders keep keys with the sale); each such operation lists the header.\n\n\
            Host search: `engagement_rate = min(avg_watch_time_minutes, 60) / 60 × repeat_viewer_rate` (0–1). \
            The match score (`for_task`, `sort=match`) weighs a host's rating by the ratings behind it: \
            `weighted = (5 × 3.0 + n × rating) / (5 + n)`, n = the profile's `ratings_count` \
            (for the operator's seed and demo hosts without one, their `completion_count`); \
            an unrated host counts as 3.0.\n\n\
            Host identity: a TikTok handle belongs to one host (compared trimmed, without the leading `@`, \
            ASCII-lowercased); registering or patching to a handle another host holds is 409 `handle_taken`. \
            A profile's `tiktok_shop_verified` and `badges` are what the operator verified \
            (`POST /api/v1/admin/humans/{human_id}/verification`); what the host claims is shown, as sent, \
            under `self_declared`. Search and task eligibility use the verified values, and a host's \
            `monitored_metrics` (averages over its verified sessions) once it has them.\n\n\
            Limits (422 naming the field past them): an amount at most 1,000,000,000,000 in the currency's major unit, \
            and a session's GMV per kind of source the same; an order's quantity at most 10,000; ids a client chooses \
            (viewer, order, product, buyer) 1–128 characters; chat and question texts at most 2,000 characters; \
            50,000 events a request. Live events count from a session's start (2 minutes of clock skew) to its end, \
            delivered up to 10 minutes after it; events the assigned host posts are `host_reported`, all others \
            `verified`, and a payout reads the verified ones."
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
            c.add_security_scheme(
                "tiktok_shop_signature",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "Authorization",
                    "TikTok Shop's webhook signature: hex HMAC-SHA256 of the app key followed by the raw body, keyed by the app secret",
                ))),
            );
            c.add_security_scheme(
                "metrics_token",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "The metrics token, when the operator set one (serve --metrics-token / LIVEHIRE_METRICS_TOKEN)",
                        ))
                        .build(),
                ),
            );
            c.add_security_scheme(
                "admin_token",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "The operator's admin token (serve --admin-token / LIVEHIRE_ADMIN_TOKEN)",
                        ))
                        .build(),
                ),
            );
        }
    }
}

/// The documented routes, and the OpenAPI document generated from them. The
/// first router's POSTs go through the `Idempotency-Key` middleware (whose
/// header and answers [`idempotency::document`] adds to their operations);
/// the second holds flash-sale orders, which keep their keys with the sale's
/// in-memory counter and so skip that layer (the hottest write path); the
/// third the operator's and the document's routes, the only ones handed
/// the operations state and the document (as extensions).
pub fn api() -> (
    Router<App>,
    Router<App>,
    Router<App>,
    utoipa::openapi::OpenApi,
) {
    let (orders, orders_doc) = OpenApiRouter::new()
        .routes(routes!(sessions::order, sessions::list_orders))
        .split_for_parts();
    let (system, system_doc) = OpenApiRouter::new()
        .routes(routes!(system::readyz))
        .routes(routes!(system::metrics))
        .routes(routes!(system::openapi_json))
        .split_for_parts();
    let (api, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(system::healthz))
        .routes(routes!(accounts::register_agent))
        .routes(routes!(accounts::register_host))
        .routes(routes!(accounts::me))
        .routes(routes!(accounts::rotate_key))
        .routes(routes!(hosts::search))
        .routes(routes!(hosts::get, hosts::patch))
        .routes(routes!(admin::verify_host))
        .routes(routes!(tasks::create, tasks::list))
        .routes(routes!(tasks::get))
        .routes(routes!(tasks::cancel))
        .routes(routes!(messages::post, messages::list))
        .routes(routes!(hiring::invite, hiring::invitations))
        .routes(routes!(hiring::my_invitations))
        .routes(routes!(hiring::apply, hiring::applications))
        .routes(routes!(hiring::assign))
        .routes(routes!(hiring::accept))
        .routes(routes!(hiring::submit, hiring::submission))
        .routes(routes!(hiring::request_revision))
        .routes(routes!(hiring::approve))
        .routes(routes!(hiring::payout_preview))
        .routes(routes!(hiring::rate))
        .routes(routes!(hiring::run_of_show_post, hiring::run_of_show_get))
        .routes(routes!(wallet::deposit))
        .routes(routes!(wallet::wallet))
        .routes(routes!(wallet::earnings))
        .routes(routes!(wallet::ledger))
        .routes(routes!(events::list))
        .routes(routes!(webhooks::create, webhooks::list))
        .routes(routes!(webhooks::get, webhooks::delete))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::redeliver))
        .routes(routes!(sessions::get))
        .routes(routes!(sessions::start))
        .routes(routes!(sessions::end))
        .routes(routes!(sessions::events))
        .routes(routes!(sessions::import))
        .routes(routes!(sessions::ingest_key))
        .routes(routes!(sessions::metrics))
        .routes(routes!(sessions::stream))
        .routes(routes!(sessions::create_flash_sale))
        .routes(routes!(sessions::checkout_key))
        .routes(routes!(sessions::get_flash_sale))
        .routes(routes!(tiktok_shop::connect, tiktok_shop::list))
        .routes(routes!(tiktok_shop::webhook))
        .routes(routes!(reports::session))
        .routes(routes!(reports::session_svg))
        .routes(routes!(reports::session_html))
        .routes(routes!(reports::series))
        .routes(routes!(reports::series_html))
        .split_for_parts();
    idempotency::document(&mut doc);
    doc.merge(orders_doc);
    doc.merge(system_doc);
    ratelimit::document(&mut doc);
    ops::document(&mut doc);
    (api, orders, system, doc)
}

/// `/docs`: Swagger UI, served from the binary (the `vendored` build of
/// utoipa-swagger-ui downloads nothing at build or view time), reading the
/// served `/api/v1/openapi.json`.
fn api_docs() -> Router<App> {
    utoipa_swagger_ui::SwaggerUi::new("/docs")
        .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json"))
        .into()
}

/// The whole router with its state, fallbacks and middleware; `ops` holds
/// what the operations middleware shares. Outermost first: compression, the
/// operations layer (request id, log, metrics, `Location`, page headers,
/// streams' end), CORS when configured, rate limits, panics caught. The
/// MCP endpoint (`/mcp`) sits beside the API under the same layers; its
/// tools take their schemas from the API's document.
pub fn router(app: App, ops: std::sync::Arc<ops::Ops>) -> Router {
    let (api, orders, system, openapi) = api();
    let mcp = crate::mcp::endpoint(app.clone(), &openapi, &ops.mcp, ops.shutdown.clone());
    let openapi = std::sync::Arc::new(openapi);
    api.layer(middleware::from_fn_with_state(
        app.clone(),
        idempotency::layer,
    ))
    .merge(orders)
    .merge(
        system
            .layer(axum::Extension(openapi))
            .layer(axum::Extension(ops.clone())),
    )
    .merge(api_docs())
    .merge(mcp)
    .route("/skill.md", axum::routing::get(agent_docs::skill))
    .route(
        "/skills/tiktok-live-commerce/skill.md",
        axum::routing::get(agent_docs::skill),
    )
    .route("/llms.txt", axum::routing::get(agent_docs::llms_txt))
    .route(
        "/overlay/flash-sales/{flash_sale_id}",
        axum::routing::get(sessions::overlay),
    )
    .route(
        "/overlay/flash-sales/{flash_sale_id}/stream",
        axum::routing::get(sessions::overlay_stream),
    )
    .merge(crate::web::routes())
    .fallback(|| async { ApiError::NotFound("route".into()) })
    .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
    .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
        use axum::response::IntoResponse;
        ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
    }))
    .layer(middleware::from_fn_with_state(
        ops.clone(),
        ratelimit::limit,
    ))
    .layer(tower::util::option_layer(ops::cors(&ops.cors_origins)))
    .layer(middleware::from_fn_with_state(ops, ops::layer))
    .layer(ops::compression())
    .with_state(app)
}
