//! The resources: the skill file (the text `GET /skill.md` serves, with
//! the base URL the client reached) and the reports (the JSON of the REST
//! report operations, after the same access checks).

use axum::http::HeaderMap;
use livehire_domain::ids::{SessionId, TaskId};
use livehire_store::Caller;
use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};

use super::rpc_error;
use crate::app::App;
use crate::error::ApiError;

/// The skill file's URI.
pub const SKILL: &str = "livehire://skill.md";
const TASK_REPORT: (&str, &str) = ("livehire://tasks/", "/report");
const SESSION_REPORT: (&str, &str) = ("livehire://sessions/", "/report");

/// The fixed resources.
pub fn list() -> Vec<Resource> {
    vec![
        Resource::new(SKILL, "skill")
            .with_title("livehire skill file")
            .with_description(
                "The manual for agents: the workflow from registering to paying a host, every \
                 endpoint with a runnable example, and how to connect over MCP",
            )
            .with_mime_type("text/markdown"),
    ]
}

/// The resources named by a template.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("livehire://tasks/{task_id}/report", "task_report")
            .with_title("Task report")
            .with_description(
                "A task's report across its sessions (as GET /api/v1/tasks/{task_id}/report): \
                 per-session metrics and totals. The task's agent or assigned host.",
            )
            .with_mime_type("application/json"),
        ResourceTemplate::new("livehire://sessions/{session_id}/report", "session_report")
            .with_title("Session report")
            .with_description(
                "A live session's report (as GET /api/v1/sessions/{session_id}/report): metrics, \
                 per-minute timeline, flash sales. The task's agent or assigned host.",
            )
            .with_mime_type("application/json"),
    ]
}

/// Reads `uri` for `caller`; `headers` are those of the HTTP request it
/// came in (the skill file's base URL is the one the client reached).
pub async fn read(
    app: &App,
    caller: &Caller,
    headers: &HeaderMap,
    uri: &str,
) -> Result<ReadResourceResult, ErrorData> {
    if uri == SKILL {
        let text = crate::http::skill_text(headers);
        return Ok(ReadResourceResult::new(vec![
            ResourceContents::TextResourceContents {
                uri: uri.to_string(),
                mime_type: Some("text/markdown".into()),
                text,
                meta: None,
            },
        ]));
    }
    let report = if let Some(id) = between(uri, TASK_REPORT) {
        app.series_report(caller, &TaskId::from(id))
            .await
            .and_then(to_json)
    } else if let Some(id) = between(uri, SESSION_REPORT) {
        app.session_report(caller, &SessionId::from(id))
            .await
            .and_then(to_json)
    } else {
        return Err(ErrorData::resource_not_found(
            format!("no resource {uri:?}"),
            None,
        ));
    };
    let text = report.map_err(|e| rpc_error(&e))?;
    Ok(ReadResourceResult::new(vec![
        ResourceContents::TextResourceContents {
            uri: uri.to_string(),
            mime_type: Some("application/json".into()),
            text,
            meta: None,
        },
    ]))
}

fn to_json<T: serde::Serialize>(view: T) -> Result<String, ApiError> {
    serde_json::to_string(&view).map_err(|e| ApiError::Internal(e.into()))
}

/// The id in `uri` between `prefix` and `suffix`, when it is one segment.
fn between<'u>(uri: &'u str, (prefix, suffix): (&str, &str)) -> Option<&'u str> {
    let id = uri.strip_prefix(prefix)?.strip_suffix(suffix)?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_uri_names_one_id() {
        assert_eq!(
            between("livehire://tasks/ph_task_1/report", TASK_REPORT),
            Some("ph_task_1")
        );
        assert_eq!(between("livehire://tasks//report", TASK_REPORT), None);
        assert_eq!(between("livehire://tasks/a/b/report", TASK_REPORT), None);
        assert_eq!(
            between("livehire://sessions/ph_sess_1/report", TASK_REPORT),
            None
        );
    }
}
