//! Host profiles and search.

use axum::response::{IntoResponse, Response};
use livehire_domain::host::{self, SearchFields};
use livehire_domain::search::{HostQuery, SortKey};
use livehire_store::{Caller, CallerKind, HostWrite, StoreError};
use serde_json::{Map, Value};

use super::App;
use crate::error::{ApiError, ApiResult};

/// A host's public profile, as served.
#[derive(Debug, Clone)]
pub struct HostView(pub Value);

/// A page of search results, pre-rendered: the profiles are stored as JSON text,
/// so a page is written without parsing them again.
pub struct HostSearchPage(pub String);

impl IntoResponse for HostSearchPage {
    fn into_response(self) -> Response {
        (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            self.0,
        )
            .into_response()
    }
}

impl IntoResponse for HostView {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Puts `human_id` first and fills the server-maintained fields' defaults.
fn canonical_profile(id: &str, profile: Value) -> Value {
    let mut out = Map::new();
    out.insert("human_id".into(), Value::String(id.to_string()));
    if let Value::Object(fields) = profile {
        for (k, v) in fields {
            if k != "human_id" {
                out.insert(k, v);
            }
        }
    }
    out.entry("rating").or_insert(Value::Null);
    out.entry("completion_count").or_insert(Value::from(0));
    out.entry("metrics_source")
        .or_insert(Value::from("self_reported"));
    Value::Object(out)
}

impl App {
    /// Prepares a profile for storage: canonical field order, figures extracted,
    /// public JSON rendered once. `rating`/`completion_count` are the server's.
    pub(crate) fn host_write(
        &self,
        id: &str,
        mut profile: Value,
        rating: f64,
        completions: i64,
    ) -> HostWrite {
        if let Some(obj) = profile.as_object_mut() {
            if rating > 0.0 {
                obj.insert("rating".into(), serde_json::json!(rating));
            }
            obj.insert("completion_count".into(), Value::from(completions));
        }
        self.host_write_as_is(id, profile)
    }

    /// Like [`App::host_write`] but keeps the profile's own server-maintained
    /// fields (demo data and internal updates).
    pub(crate) fn host_write_as_is(&self, id: &str, profile: Value) -> HostWrite {
        let profile = canonical_profile(id, profile);
        let fields: SearchFields = host::search_fields(&profile);
        HostWrite {
            id: id.to_string(),
            public_json: profile.to_string(),
            profile,
            fields,
            now: self.now_text(),
        }
    }

    /// A host's public profile.
    pub async fn host(&self, id: &str) -> ApiResult<HostView> {
        match self.store().host(id).await {
            Ok(h) => Ok(HostView(h.profile)),
            Err(StoreError::NotFound) => Err(ApiError::NotFound(format!("host {id}"))),
            Err(e) => Err(e.into()),
        }
    }

    /// Applies a JSON merge patch to the caller's own profile.
    pub async fn patch_host(
        &self,
        caller: &Caller,
        id: &str,
        mut patch: Value,
    ) -> ApiResult<HostView> {
        let current = self.host(id).await?.0;
        if caller.kind != CallerKind::Host || caller.id != id {
            return Err(ApiError::Forbidden(
                "only the host can edit their own profile".into(),
            ));
        }
        if !patch.is_object() {
            return Err(ApiError::field("", "a profile patch must be a JSON object"));
        }
        host::strip_server_maintained(&mut patch);
        let mut profile = current.clone();
        host::merge_patch(&mut profile, &patch);
        host::validate_profile(&profile).map_err(ApiError::Validation)?;
        let write = self.host_write_as_is(id, profile);
        self.store().update_host(&write).await?;
        Ok(HostView(write.profile))
    }

    /// Searches hosts (`GET /api/v1/humans`).
    pub async fn search_hosts(&self, pairs: &[(String, String)]) -> ApiResult<HostSearchPage> {
        let query = HostQuery::parse(pairs).map_err(ApiError::Validation)?;
        if query.for_task.is_some() || query.sort == SortKey::Match {
            return Err(ApiError::field(
                "for_task",
                "matching hosts to a task is not available on this server yet",
            ));
        }
        let page = self
            .store()
            .search_hosts(&query)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(m) => ApiError::field("cursor", m),
                other => other.into(),
            })?;
        let mut body = String::with_capacity(page.data.iter().map(String::len).sum::<usize>() + 64);
        body.push_str("{\"data\":[");
        for (i, h) in page.data.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(h);
        }
        body.push_str("],\"next_cursor\":");
        body.push_str(&Value::from(page.next_cursor).to_string());
        body.push('}');
        Ok(HostSearchPage(body))
    }

    /// Inserts or refreshes demo hosts (profiles keep their own ids and ratings).
    pub async fn upsert_demo_hosts(&self, profiles: Vec<Value>) -> ApiResult<u64> {
        let writes: Vec<HostWrite> = profiles
            .into_iter()
            .filter_map(|p| {
                let id = p.get("human_id")?.as_str()?.to_string();
                Some(self.host_write_as_is(&id, p))
            })
            .collect();
        Ok(self.store().upsert_hosts(&writes).await?)
    }
}
