//! The in-memory host search index: answers `GET /api/v1/humans` (without
//! `for_task`) from memory, with the same results, order and cursors as the
//! store's SQL search, which stays the durable source of truth.
//!
//! Every host is a `Host` in a `Vec`: its figures, its skills and niches as
//! interned-id bit sets, its search text in one shared arena, and its public
//! JSON as stored, so a page is written by concatenation. Each sort key has
//! the slots pre-sorted ascending by (value, seq); a search walks that order
//! (backwards for the default descending order) from the cursor, testing
//! filters until it has `limit + 1` matches, and falls back to one sequential
//! pass over all hosts when the filters are too selective for a short walk
//! ([`index`]). The parts, including the cursor format, are in [`parts`].
//!
//! Loading and upkeep: the index is read from the store once (started by
//! [`super::App::start_host_index`] when serving begins, else by the first
//! search, which awaits it). Every host write that goes through `App` updates
//! it while holding [`HostIndex::writer`], which serialises those writes with
//! each other, with loading and with catching up. A write made while the
//! index is not loaded is skipped: the load that follows reads it from the
//! store.
//!
//! Other servers over the same database: every [`CATCH_UP_EVERY`] the index
//! catches up ([`HostIndex::catch_up`]): it reads the hosts written since its
//! change mark ([`Store::host_changes`]; the mark is read before the load and
//! before each catch-up, so a write committed while a read ran is read the
//! next time) and applies those it does not already hold as they are, so a
//! host registered or edited on another server is found here within about a
//! quarter of a second. This server's own writes come back too and are
//! skipped as current (an upsert by host id in any case). Hosts are never
//! deleted, so no change removes one. A store that no longer keeps the
//! changes since the mark (SQLite keeps the newest million) has the index
//! loaded again.
//!
//! Memory: about 2.3 KB a host (public JSON ~1.6 KB, search text ~0.4 KB,
//! ~180 bytes of figures and tags, 24 bytes of sort orders, the id map),
//! ~230 MB for 100,000 hosts.

mod index;
mod parts;

use std::collections::HashMap;
use std::sync::{RwLock, RwLockReadGuard};

use livehire_domain::search::HostQuery;
use livehire_store::{HostIndexRow, HostWrite, Store, StoreError};

/// How often the index reads the host writes of other servers over the same
/// database.
pub(crate) const CATCH_UP_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Host changes read per query while catching up.
const CATCH_UP_PAGE: u32 = 1_000;

use index::{Index, Update};

/// The index with its locks: searches share a read lock; writers are
/// serialised by an async mutex held across their store write, which also
/// holds the change mark the next catch-up reads from (`None` until loaded).
#[derive(Debug, Default)]
pub(crate) struct HostIndex {
    writes: tokio::sync::Mutex<Option<i64>>,
    state: RwLock<Option<Index>>,
}

impl HostIndex {
    fn read(&self) -> Option<RwLockReadGuard<'_, Option<Index>>> {
        // A writer that panicked may have left the index half-updated: treat
        // it as not loaded, so the next search rebuilds it.
        self.state.read().ok()
    }

    fn replace(&self, index: Option<Index>) {
        self.state.clear_poison();
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = index;
    }

    fn is_loaded(&self) -> bool {
        self.read().is_some_and(|g| g.is_some())
    }

    /// One page of a search as the response body; `None` when the index is not
    /// loaded (call [`HostIndex::load`] and retry); `Err` for a bad cursor.
    pub(crate) fn search(&self, q: &HostQuery) -> Option<Result<String, &'static str>> {
        let guard = self.read()?;
        guard.as_ref().map(|index| index.search(q))
    }

    /// Loads the index from the store unless it is loaded.
    pub(crate) async fn load(&self, store: &dyn Store) -> Result<(), StoreError> {
        let mut mark = self.writes.lock().await;
        if self.is_loaded() {
            return Ok(());
        }
        // Before the read: whatever commits during it is caught up on after.
        let from = store.host_change_mark().await?;
        let snapshot = store.all_hosts_for_index().await?;
        let count = snapshot.hosts.len();
        let started = std::time::Instant::now();
        let index = tokio::task::spawn_blocking(move || Index::build(snapshot))
            .await
            .map_err(|e| StoreError::Other(e.into()))?;
        self.replace(Some(index));
        *mark = Some(from);
        tracing::info!(
            hosts = count,
            build_ms = started.elapsed().as_millis() as u64,
            "host search index loaded"
        );
        Ok(())
    }

    /// Applies the hosts written since the change mark that the index does
    /// not hold as they are (other servers' writes), under the write turn;
    /// returns how many. Does nothing while the index is not loaded; on a
    /// store error the mark stays, so the next call reads the same again.
    pub(crate) async fn catch_up(&self, store: &dyn Store) -> Result<usize, StoreError> {
        let mut turn = self.writes.lock().await;
        let Some(from) = *turn else {
            return Ok(0);
        };
        if !self.is_loaded() {
            return Ok(0);
        }
        let next = store.host_change_mark().await?;
        let mut after = None;
        let mut applied = 0;
        loop {
            let page = match store.host_changes(from, after, CATCH_UP_PAGE).await {
                Err(StoreError::NotFound) => {
                    // The store no longer keeps every change since the
                    // mark: read everything again.
                    tracing::warn!("host changes since the index's mark are gone; reloading it");
                    self.replace(None);
                    *turn = None;
                    drop(turn);
                    self.load(store).await?;
                    return Ok(0);
                }
                other => other?,
            };
            let full = page.len() == CATCH_UP_PAGE as usize;
            after = page.last().map(|c| (c.change, c.row.seq));
            let updates: Vec<Update> = match self.read() {
                Some(guard) => match guard.as_ref() {
                    Some(index) => page
                        .into_iter()
                        .filter(|c| !index.is_current(c))
                        .map(|c| (c.row, Some((c.skills, c.niches))))
                        .collect(),
                    None => return Ok(applied),
                },
                None => return Ok(applied),
            };
            applied += updates.len();
            if !updates.is_empty() {
                self.apply(Ok(updates));
            }
            if !full {
                break;
            }
        }
        *turn = Some(next);
        if applied > 0 {
            tracing::debug!(hosts = applied, "host search index caught up");
        }
        Ok(applied)
    }

    /// Puts `updates` in the index; on a failure, forgets the index so the
    /// next search rebuilds it from the store.
    fn apply(&self, updates: Result<Vec<Update>, String>) {
        let outcome = updates.and_then(|updates| {
            let mut guard = self.state.write().unwrap_or_else(|e| e.into_inner());
            match guard.as_mut() {
                Some(index) => index.apply(updates).map_err(str::to_string),
                None => Ok(()),
            }
        });
        if let Err(error) = outcome {
            tracing::warn!(%error, "host search index out of step; reloading it");
            self.replace(None);
        }
    }

    /// Takes the write turn: hold it across a host write to the store, then
    /// report the write with [`HostIndexWriter::hosts_written`].
    pub(crate) async fn writer(&self) -> HostIndexWriter<'_> {
        HostIndexWriter {
            index: self,
            _turn: self.writes.lock().await,
        }
    }
}

/// The write turn of [`HostIndex::writer`].
pub(crate) struct HostIndexWriter<'a> {
    index: &'a HostIndex,
    _turn: tokio::sync::MutexGuard<'a, Option<i64>>,
}

impl HostIndexWriter<'_> {
    /// Brings the index up to date after `writes` reached the store. The rows
    /// are taken from the writes themselves, as the store keeps them (only new
    /// hosts' seqs are read back), so a bulk upsert costs no re-read of its
    /// profiles.
    pub(crate) async fn hosts_written(self, store: &dyn Store, writes: &[HostWrite]) {
        if writes.is_empty() || !self.index.is_loaded() {
            return;
        }
        let mut seqs: HashMap<String, i64> = HashMap::with_capacity(writes.len());
        let mut new: Vec<String> = Vec::new();
        if let Some(guard) = self.index.read()
            && let Some(index) = guard.as_ref()
        {
            for w in writes {
                match index.seq_of(&w.id) {
                    Some(seq) => {
                        seqs.insert(w.id.clone(), seq);
                    }
                    None => new.push(w.id.clone()),
                }
            }
        }
        let outcome = match store.host_seqs(&new).await {
            Ok(found) => {
                seqs.extend(found);
                writes
                    .iter()
                    .map(|w| match seqs.get(&w.id) {
                        Some(&seq) => Ok((
                            written_row(w, seq),
                            Some((w.fields.skills.clone(), w.fields.niches.clone())),
                        )),
                        None => Err(format!("host {} is not in the store", w.id)),
                    })
                    .collect::<Result<Vec<Update>, String>>()
            }
            Err(e) => Err(e.to_string()),
        };
        self.apply(outcome);
    }

    /// Brings the index up to date after the store changed some hosts' figures
    /// and public JSON itself (a rating, a completion): their rows are re-read;
    /// their tags are unchanged.
    pub(crate) async fn hosts_changed(self, store: &dyn Store, ids: &[String]) {
        if ids.is_empty() || !self.index.is_loaded() {
            return;
        }
        let outcome = store
            .hosts_for_index(ids)
            .await
            .map(|rows| rows.into_iter().map(|r| (r, None)).collect())
            .map_err(|e| e.to_string());
        self.apply(outcome);
    }

    fn apply(self, updates: Result<Vec<Update>, String>) {
        self.index.apply(updates);
    }
}

/// A written host's index row: what the store keeps of the write. SQLite keeps
/// `-0.0` as `0.0`, hence the `+ 0.0`.
fn written_row(w: &HostWrite, seq: i64) -> HostIndexRow {
    let f = &w.fields;
    HostIndexRow {
        seq,
        id: w.id.clone(),
        platform: f.platform.clone(),
        followers: f.followers,
        avg_live_viewers: f.avg_live_viewers,
        avg_gmv_cents: f.avg_gmv_cents,
        conversion_rate: f.conversion_rate + 0.0,
        rating: f.rating + 0.0,
        engagement_rate: f.engagement_rate + 0.0,
        min_rate_cents: f.min_rate_cents,
        tiktok_shop_verified: f.tiktok_shop_verified,
        live_commerce_experience: f.live_commerce_experience,
        search_text: f.search_text.clone(),
        public_json: w.public_json.clone(),
    }
}
