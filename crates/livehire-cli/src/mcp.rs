//! `livehire mcp`: an MCP server over stdio, for agent hosts that launch a
//! process rather than connect to a URL. It holds no tool of its own: it
//! connects to a livehire server's `/mcp` (streamable HTTP, the key as
//! Bearer) and forwards every request to it, so the tools, their schemas
//! and their rules exist once, on the server. Stdout carries the protocol
//! only; logs go to stderr.

use anyhow::Context;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ErrorData, Peer, RoleClient, RoleServer, ServerHandler, ServiceError, ServiceExt};

/// `livehire mcp`'s flags.
#[derive(clap::Args)]
pub struct McpArgs {
    /// The livehire server (`https://livehire.example.com`); its MCP
    /// endpoint is this URL's `/mcp`.
    #[arg(long, env = "LIVEHIRE_URL")]
    url: String,
    /// Your API key: an agent's `ph_sk_…` or a host's `ph_hk_…`.
    #[arg(long, env = "LIVEHIRE_API_KEY", hide_env_values = true)]
    api_key: String,
}

/// The server's MCP endpoint under `url` (given with or without `/mcp`).
fn endpoint(url: &str) -> String {
    let url = url.trim_end_matches('/');
    if url.ends_with("/mcp") {
        url.to_string()
    } else {
        format!("{url}/mcp")
    }
}

/// Connects to the server, then serves stdin/stdout until the client
/// closes them.
pub async fn run(args: McpArgs) -> anyhow::Result<()> {
    let endpoint = endpoint(&args.url);
    let config =
        StreamableHttpClientTransportConfig::with_uri(endpoint.as_str()).auth_header(args.api_key);
    let remote =
        ().serve(StreamableHttpClientTransport::from_config(config))
            .await
            .with_context(|| format!("connecting to {endpoint}"))?;
    let info = remote
        .peer_info()
        .map(|i| (*i).clone())
        .context("the server did not say what it is")?;
    tracing::info!(server = %info.server_info.as_ref().map_or("?", |s| s.name.as_str()), %endpoint, "connected");
    let bridge = Bridge {
        remote: remote.peer().clone(),
        info,
    };
    let local = bridge
        .serve(rmcp::transport::stdio())
        .await
        .context("starting the stdio server")?;
    let quit = local.waiting().await;
    let _ = remote.cancel().await;
    quit.context("the stdio server")?;
    Ok(())
}

/// Forwards what a stdio client asks to the remote server.
#[derive(Clone)]
struct Bridge {
    remote: Peer<RoleClient>,
    /// What the remote server said of itself when it was connected.
    info: rmcp::model::ServerPeerInfo,
}

/// A failure to reach the remote server, or its own error, for the client.
fn forwarded(e: ServiceError) -> ErrorData {
    match e {
        ServiceError::McpError(e) => e,
        other => ErrorData::internal_error(format!("the livehire server: {other}"), None),
    }
}

impl ServerHandler for Bridge {
    fn get_info(&self) -> ServerConfig {
        let remote = &self.info.capabilities;
        let mut capabilities = ServerCapabilities::default();
        capabilities.tools = remote.tools.clone();
        capabilities.resources = remote.resources.clone();
        let mut config = ServerConfig::new(capabilities);
        if let Some(server) = &self.info.server_info {
            config = config.with_server_info(server.clone());
        }
        if let Some(text) = &self.info.instructions {
            config = config.with_instructions(text.clone());
        }
        config
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.remote.list_tools(request).await.map_err(forwarded)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.remote
            .call_tool(request)
            .await
            .map(Into::into)
            .map_err(forwarded)
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.remote.list_resources(request).await.map_err(forwarded)
    }

    async fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        self.remote
            .list_resource_templates(request)
            .await
            .map_err(forwarded)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        self.remote
            .read_resource(request)
            .await
            .map(Into::into)
            .map_err(forwarded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_the_urls_mcp() {
        assert_eq!(
            endpoint("https://livehire.example.com"),
            "https://livehire.example.com/mcp"
        );
        assert_eq!(
            endpoint("http://127.0.0.1:8080/"),
            "http://127.0.0.1:8080/mcp"
        );
        assert_eq!(
            endpoint("http://127.0.0.1:8080/mcp"),
            "http://127.0.0.1:8080/mcp"
        );
    }
}
