//! The MCP endpoint (`/mcp`, streamable HTTP): a third front door to the
//! service layer beside the HTTP API and the pages. Each tool mirrors one
//! REST operation: its input schema is that operation's (parameters and
//! body, read from the OpenAPI document, see [`schema`]), its arguments are
//! parsed by the same parsers, it calls the same `App` method and answers
//! the same view JSON; a failure is a tool error carrying the REST error
//! body. The skill file and the reports are resources.
//!
//! Requests authenticate like every other: `Authorization: Bearer <key>`
//! (an agent's or a host's), checked here before the MCP transport sees the
//! request; the caller rides on the request to the tool
//! ([`http::request::Parts`] extensions, which rmcp hands to handlers).

mod resources;
mod schema;
mod tools;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use livehire_store::Caller;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::error::ApiError;
use crate::extract::bearer;
use crate::obs::RequestContext as Ctx;

pub use tools::TOOL_NAMES;

/// Where the endpoint is mounted.
pub const PATH: &str = "/mcp";

/// What the server tells a client about itself at initialisation.
const INSTRUCTIONS: &str = "livehire: hire human TikTok live-commerce hosts, watch their live \
    sessions with verified figures, run flash sales and pay from verified results. \
    Agents (ph_sk_ keys) search hosts, post tasks, invite or assign hosts, preview and approve \
    payouts and rate hosts; hosts (ph_hk_ keys) read invitations, apply, accept, start sessions \
    and submit results. Every tool answers the same JSON as the REST API \
    (read the resource livehire://skill.md for the whole manual). Tools that move money \
    take an idempotency_key: repeat a call with the same key and it is answered once, \
    never paid twice.";

/// The endpoint's settings.
#[derive(Clone, Debug, Default)]
pub struct McpSettings {
    /// Host names (`livehire.example.com`, or `host:port`) accepted in a
    /// request's `Host` header, against DNS rebinding. Empty: the loopback
    /// names and the public URL's host. `*` accepts any.
    pub allowed_hosts: Vec<String>,
    /// The server's public URL, whose host is accepted by default.
    pub public_url: Option<String>,
}

impl McpSettings {
    /// The `Host` names accepted: the configured ones, or the defaults.
    pub fn hosts(&self) -> Vec<String> {
        if !self.allowed_hosts.is_empty() {
            return self.allowed_hosts.clone();
        }
        let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
        if let Some(host) = self.public_url.as_deref().and_then(url_host) {
            hosts.push(host);
        }
        hosts
    }
}

/// The authority of an `http(s)://` URL (`livehire.example.com`, or with
/// its port when it names one).
fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split('/').next()?;
    (!authority.is_empty()).then(|| authority.to_ascii_lowercase())
}

/// The MCP server: the service layer and the tool table, built once.
#[derive(Clone)]
pub struct LivehireMcp {
    app: App,
    tools: Arc<tools::Tools>,
}

/// The endpoint as a service to mount at [`PATH`]: authentication, then
/// rmcp's streamable HTTP transport (sessions kept in memory; every open
/// stream ends when `shutdown` turns true). `doc` is the API's OpenAPI
/// document, the tools' schemas come from it.
pub fn endpoint(
    app: App,
    doc: &utoipa::openapi::OpenApi,
    settings: &McpSettings,
    mut shutdown: watch::Receiver<bool>,
) -> axum::Router<App> {
    let server = LivehireMcp {
        app: app.clone(),
        tools: Arc::new(tools::Tools::new(doc)),
    };
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    tokio::spawn(async move {
        let _ = shutdown.wait_for(|s| *s).await;
        token.cancel();
    });
    let hosts = settings.hosts();
    let mut config = StreamableHttpServerConfig::default()
        .with_cancellation_token(cancel)
        .with_max_request_body_bytes(crate::extract::BODY_LIMIT + 64 * 1024);
    config = if hosts.iter().any(|h| h == "*") {
        config.disable_allowed_hosts()
    } else {
        config.with_allowed_hosts(hosts)
    };
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    axum::Router::new()
        .nest_service(PATH, service)
        .layer(axum::middleware::from_fn_with_state(app, authenticate))
}

/// Authenticates the Bearer key of every request to the endpoint: 401 in
/// the API's one error shape (with `WWW-Authenticate: Bearer`) without a
/// valid key; otherwise the caller rides on the request.
async fn authenticate(State(app): State<App>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let caller = match bearer(&parts) {
        None => Err(ApiError::Unauthorized(
            "missing API key: send Authorization: Bearer <key>",
        )),
        Some(key) => app.authenticate(key).await,
    };
    match caller {
        Ok(caller) => {
            parts.extensions.insert(caller);
            next.run(Request::from_parts(parts, body)).await
        }
        Err(e) => e.into_response(),
    }
}

/// Who called and the request's context, from the HTTP request a message
/// came in.
fn caller_of(context: &RequestContext<RoleServer>) -> Result<(Caller, Arc<Ctx>), ErrorData> {
    let parts = context
        .extensions
        .get::<axum::http::request::Parts>()
        .ok_or_else(|| ErrorData::invalid_request("no HTTP request behind this message", None))?;
    let caller = parts
        .extensions
        .get::<Caller>()
        .cloned()
        .ok_or_else(|| ErrorData::invalid_request("not authenticated", None))?;
    let ctx = parts
        .extensions
        .get::<Arc<Ctx>>()
        .cloned()
        .unwrap_or_else(|| Arc::new(Ctx::new(crate::obs::new_request_id(), None)));
    Ok((caller, ctx))
}

impl ServerHandler for LivehireMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(
            Implementation::new("livehire", env!("CARGO_PKG_VERSION")).with_title("livehire"),
        )
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.list()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let (caller, ctx) = caller_of(&context)?;
        let args = request.arguments.unwrap_or_default();
        let result = Ctx::scope(
            ctx,
            self.tools.call(&self.app, &caller, &request.name, args),
        )
        .await?;
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let (caller, ctx) = caller_of(&context)?;
        let headers = context
            .extensions
            .get::<axum::http::request::Parts>()
            .map(|p| p.headers.clone())
            .unwrap_or_default();
        let read = resources::read(&self.app, &caller, &headers, &request.uri);
        Ok(Ctx::scope(ctx, read).await?.into())
    }
}

/// An API error as a JSON-RPC error (for resources; tools answer tool
/// errors): the REST error body as its data.
fn rpc_error(e: &ApiError) -> ErrorData {
    if let ApiError::Internal(err) = e {
        tracing::error!(error = ?err, "MCP request failed");
    }
    let body = e.body();
    let data = serde_json::to_value(&body).ok();
    let message = format!("{}: {}", body.error.code, body.error.message);
    match e.status().as_u16() {
        404 => ErrorData::resource_not_found(message, data),
        400..=499 => ErrorData::invalid_params(message, data),
        _ => ErrorData::internal_error(message, data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_urls_host_joins_the_loopback_names() {
        let s = McpSettings {
            allowed_hosts: Vec::new(),
            public_url: Some("https://Livehire.example.com/".into()),
        };
        assert_eq!(
            s.hosts(),
            ["localhost", "127.0.0.1", "::1", "livehire.example.com"]
        );
        let s = McpSettings {
            allowed_hosts: vec!["api.example.com:8443".into()],
            public_url: Some("https://livehire.example.com".into()),
        };
        assert_eq!(s.hosts(), ["api.example.com:8443"]);
        assert_eq!(
            url_host("http://10.0.0.5:8080"),
            Some("10.0.0.5:8080".into())
        );
    }
}
