//! Host profiles and search.

use livehire_domain::eligibility;
use livehire_domain::host::{self, SearchFields};
use livehire_domain::identity::{self, Verified};
use livehire_domain::ids::{HostId, TaskId};
use livehire_domain::matching::{self, Match};
use livehire_domain::search::{HostQuery, SortKey};
use livehire_store::{Caller, CallerKind, HostWrite, StoreError};
use serde_json::{Map, Value};

use super::host_input::{DemoHost, HostPatch};
use super::host_view::{HostRating, HostSearchPage, HostView, MatchedHost};
use super::tasks::draft_of;
use super::{App, require_agent};
use crate::error::{ApiError, ApiResult};

/// How many hosts passing a `for_task` search's filters are scored at most.
pub const MATCH_CANDIDATES: u32 = 5_000;

fn offset_cursor(offset: usize) -> String {
    super::Cursor::Offset(offset).encode()
}

fn parse_offset_cursor(cursor: &str) -> ApiResult<usize> {
    super::Cursor::offset(cursor)
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
    /// Prepares a new host's profile for storage: nothing verified, and the
    /// server's own figures (`rating` when above 0, `completion_count`,
    /// `ratings_count`) set.
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
            obj.insert("ratings_count".into(), Value::from(0));
        }
        self.host_write_as_is(id, profile, &Verified::default())
    }

    /// Prepares a profile for storage from the host's declared profile (see
    /// `livehire_domain::identity`) and what the operator verified: canonical
    /// field order, verified values in place with the claims under
    /// `self_declared`, figures extracted, public JSON rendered once. The
    /// profile's own server-maintained fields are kept (demo data and internal
    /// updates).
    pub(crate) fn host_write_as_is(
        &self,
        id: &str,
        declared: Value,
        verified: &Verified,
    ) -> HostWrite {
        let profile = identity::with_verified(canonical_profile(id, declared), verified);
        let fields: SearchFields = host::search_fields(&profile);
        HostWrite {
            id: id.to_string(),
            public_json: profile.to_string(),
            profile,
            fields,
            now: self.now_text(),
        }
    }

    /// A host's public profile, with the ratings agents gave here (newest 20).
    pub async fn host(&self, id: &HostId) -> ApiResult<HostView> {
        let profile = match self.store().host(id).await {
            Ok(h) => h.profile,
            Err(StoreError::NotFound) => return Err(ApiError::NotFound(format!("host {id}"))),
            Err(e) => return Err(e.into()),
        };
        let ratings: Vec<HostRating> = self
            .store()
            .host_ratings(id, 20)
            .await?
            .iter()
            .map(HostRating::from)
            .collect();
        let mut view = HostView::of_stored(&profile)?;
        view.set_ratings(ratings);
        Ok(view)
    }

    /// Applies a JSON merge patch to the caller's own profile.
    pub async fn patch_host(
        &self,
        caller: &Caller,
        id: &HostId,
        patch: HostPatch,
    ) -> ApiResult<HostView> {
        // The write turn spans the read, so an operator's verification cannot
        // be overwritten by a patch that read the profile before it.
        let index = self.inner.host_index.writer().await;
        let current = match self.store().host(id).await {
            Ok(h) => h.profile,
            Err(StoreError::NotFound) => return Err(ApiError::NotFound(format!("host {id}"))),
            Err(e) => return Err(e.into()),
        };
        if caller.kind != CallerKind::Host || caller.id != id.as_str() {
            return Err(ApiError::Forbidden(
                "only the host can edit their own profile".into(),
            ));
        }
        let mut patch = patch.into_json();
        host::strip_server_maintained(&mut patch);
        // The host edits what it declares; the verified values stay the operator's.
        let mut declared = identity::declared_profile(&current);
        host::merge_patch(&mut declared, &patch);
        let mut errors = host::validate_profile(&declared).err().unwrap_or_default();
        if patch.get("tiktok_handle").is_some() {
            errors.extend(identity::check_handle(&declared));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let write = self.host_write_as_is(id, declared, &Verified::of(&current));
        self.store().update_host(&write).await?;
        index
            .hosts_written(self.store(), std::slice::from_ref(&write))
            .await;
        HostView::of_stored(&write.profile)
    }

    /// Searches hosts (`GET /api/v1/humans`): from the in-memory index, or
    /// matched to a task of the caller's (`for_task`).
    pub async fn search_hosts(
        &self,
        caller: &Caller,
        query: HostQuery,
    ) -> ApiResult<HostSearchPage> {
        if let Some(task_id) = query.for_task.clone() {
            return self.match_hosts(caller, &task_id, query).await;
        }
        let index = &self.inner.host_index;
        loop {
            if let Some(page) = index.search(&query) {
                let page = page.map_err(|m| ApiError::field("cursor", m))?;
                return HostSearchPage::of_json(page);
            }
            index.load(self.store()).await?;
        }
    }

    /// Starts loading the host search index in the background, so the first
    /// search need not wait for it (a failure is logged; the first search tries
    /// again). Until it is loaded, host writes skip it: the load reads them.
    /// A process that never searches (such as `livehire seed`) does not call
    /// this and keeps no index.
    pub fn start_host_index(&self) {
        let app = self.clone();
        tokio::spawn(async move {
            if let Err(error) = app.inner.host_index.load(app.store()).await {
                tracing::warn!(error = ?error, "loading the host search index failed");
            }
        });
    }

    /// Keeps the host search index current with other servers' writes to
    /// the same database: catches up every [`super::host_index::CATCH_UP_EVERY`]
    /// (a failure is logged and tried again at the next turn).
    pub(crate) async fn catch_up_hosts(self) {
        let mut every = tokio::time::interval(super::host_index::CATCH_UP_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(error) = self.inner.host_index.catch_up(self.store()).await {
                tracing::warn!(error = ?error, "reading other servers' host writes failed");
            }
        }
    }

    /// Hosts eligible for a task, each with its match; ranked by match score
    /// under `sort=match` (the default with `for_task`), else by the sort asked.
    /// At most [`MATCH_CANDIDATES`] hosts that pass the filters are considered.
    async fn match_hosts(
        &self,
        caller: &Caller,
        task_id: &TaskId,
        mut query: HostQuery,
    ) -> ApiResult<HostSearchPage> {
        require_agent(caller)?;
        let task = match self
            .task_for(caller, task_id, livehire_domain::access::Action::ManageTask)
            .await
        {
            Ok((t, _)) => t,
            Err(ApiError::NotFound(_)) => {
                return Err(ApiError::field(
                    "for_task",
                    format!("no task {task_id} of yours"),
                ));
            }
            Err(e) => return Err(e),
        };
        let draft = draft_of(&task)?;
        let req = &draft.requirements;
        // Push what the store can filter on into the query; the eligibility check
        // below is the authority.
        for s in &req.skills {
            if !query.skills.contains(s) {
                query.skills.push(s.clone());
            }
        }
        query.min_followers = query.min_followers.max(req.min_followers);
        query.min_avg_live_viewers = query.min_avg_live_viewers.max(req.min_avg_live_viewers);
        query.min_avg_gmv_cents = query.min_avg_gmv_cents.max(req.min_avg_gmv_cents);
        if req.tiktok_shop_verified == Some(true) {
            query.tiktok_shop_verified = Some(true);
        }
        if req.live_commerce_experience == Some(true) {
            query.live_commerce_experience = Some(true);
        }
        if query.niche.is_none() {
            query.niche = req.niche.clone();
        }
        let offset = match &query.cursor {
            None => 0,
            Some(c) => parse_offset_cursor(c)?,
        };
        let limit = query.limit as usize;
        let by_match = query.sort == SortKey::Match;
        query.cursor = None;
        query.limit = MATCH_CANDIDATES;
        let page = self.store().search_hosts(&query).await?;
        let mut ranked: Vec<(Match, Value)> = Vec::new();
        for text in &page.data {
            let profile: Value = serde_json::from_str(text).map_err(anyhow::Error::from)?;
            let fields = host::search_fields(&profile);
            if !eligibility::is_eligible(req, &fields) {
                continue;
            }
            ranked.push((matching::score(&draft, &fields), profile));
        }
        if by_match {
            ranked.sort_by(|a, b| {
                b.0.score
                    .total_cmp(&a.0.score)
                    .then_with(|| b.0.expected_gmv.cmp(&a.0.expected_gmv))
                    .then_with(|| a.1["human_id"].as_str().cmp(&b.1["human_id"].as_str()))
            });
        }
        let total = ranked.len();
        let data = ranked
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(m, profile)| Ok(MatchedHost::new(HostView::of_stored(&profile)?, m)))
            .collect::<ApiResult<Vec<MatchedHost>>>()?;
        let next = (offset + limit < total).then(|| offset_cursor(offset + limit));
        HostSearchPage::of_matches(data, next)
    }

    /// Recomputes a host's monitored figures (averages over its verified
    /// sessions of approved tasks) into its profile's `monitored_metrics`,
    /// which search, eligibility and matching then read in place of the
    /// host's own figures (`metrics_source: "monitored"`).
    pub(crate) async fn refresh_monitored_metrics(&self, id: &str) -> ApiResult<()> {
        let sessions: Vec<host::MonitoredSession> = self
            .store()
            .host_session_results(id)
            .await?
            .iter()
            .filter_map(|r| {
                let c = livehire_domain::money::Currency::parse(&r.currency).ok()?;
                let dec = |k: &str| -> rust_decimal::Decimal {
                    r.figures[k].to_string().parse().unwrap_or_default()
                };
                Some(host::MonitoredSession {
                    currency: r.currency.clone(),
                    gmv: livehire_domain::money::from_minor(r.gmv_minor, c),
                    acu: dec("acu"),
                    peak_viewers: r.figures["peak_concurrent_viewers"].as_u64().unwrap_or(0),
                    avg_watch_seconds: dec("avg_watch_time_seconds"),
                    conversion_rate: dec("conversion_rate"),
                })
            })
            .collect();
        let index = self.inner.host_index.writer().await;
        let current = self.store().host(id).await?.profile;
        let currency = current["compensation_range"]["currency"]
            .as_str()
            .unwrap_or("CNY")
            .to_string();
        let Some(block) = host::monitored_metrics(&sessions, &currency) else {
            return Ok(());
        };
        let mut declared = identity::declared_profile(&current);
        declared[host::MONITORED] = block;
        declared["metrics_source"] = Value::from("monitored");
        let write = self.host_write_as_is(id, declared, &Verified::of(&current));
        self.store().update_host(&write).await?;
        index
            .hosts_written(self.store(), std::slice::from_ref(&write))
            .await;
        Ok(())
    }

    /// Inserts or refreshes demo hosts (profiles keep their own ids and
    /// ratings). They are the operator's own data (`livehire seed`,
    /// `serve --demo`), so what they claim (`tiktok_shop_verified`, `badges`)
    /// is stored as verified.
    pub async fn upsert_demo_hosts(&self, hosts: Vec<DemoHost>) -> ApiResult<u64> {
        let writes: Vec<HostWrite> = hosts
            .into_iter()
            .map(|h| {
                let id = h.human_id.to_string();
                let profile = h.into_json();
                let verified = Verified::as_declared(&profile);
                self.host_write_as_is(&id, profile, &verified)
            })
            .collect();
        let index = self.inner.host_index.writer().await;
        let new = self.store().upsert_hosts(&writes).await?;
        index.hosts_written(self.store(), &writes).await;
        Ok(new)
    }
}
