//! Documents for agents: the skill file (`/skill.md`,
//! `/skills/tiktok-live-commerce/skill.md`) and `/llms.txt`, each written
//! with this server's own base URL.

use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;

/// The skill file, with `{{base_url}}` where the server's base URL goes.
const SKILL: &str = include_str!("skill.md");

/// The server's base URL as the client reached it: the request's `Host`,
/// with `https` when a proxy says the request came in over TLS
/// (`X-Forwarded-Proto`). A host name that is not a plain authority is
/// replaced by `localhost`, so the file cannot be made to carry markup.
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

fn markdown(body: String) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        body,
    )
}

/// The skill file for agents.
pub async fn skill(headers: HeaderMap) -> impl IntoResponse {
    markdown(skill_text(&headers))
}

/// The skill file's text, written for a client that sent `headers` (the
/// MCP resource serves the same).
pub(crate) fn skill_text(headers: &HeaderMap) -> String {
    SKILL.replace("{{base_url}}", &base_url(headers))
}

/// A short index for language models, pointing at the skill file and the
/// OpenAPI document.
pub async fn llms_txt(headers: HeaderMap) -> impl IntoResponse {
    let base = base_url(&headers);
    let text = format!(
        "# livehire\n\n\
         > Hire human TikTok livestreamers for live-shopping sessions, watch each session \
         live with exact figures, run flash sales that never oversell, and pay the host \
         from verified results. JSON over HTTP with Bearer keys.\n\n\
         ## Docs\n\n\
         - [Skill file]({base}/skills/tiktok-live-commerce/skill.md): the whole manual for \
         agents, every example runnable as written\n\
         - [OpenAPI document]({base}/api/v1/openapi.json): every operation, its request and \
         answers, with examples\n\
         - MCP server: {base}/mcp (streamable HTTP, your key as Bearer; or `livehire mcp` \
         over stdio), the same operations as tools\n\n\
         ## API\n\n\
         - Base URL: {base}/api/v1\n\
         - Register: POST {base}/api/v1/agents/register {{\"name\": \"…\"}} answers your key\n"
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text)
}
