//! The in-memory host search index: answers `GET /api/v1/humans` (without
//! `for_task`) from memory, with the same results, order and cursors as the
//! store's SQL search, which stays the durable source of truth.
//!
//! Every host is a [`Host`] in a `Vec`: its figures, its skills and niches as
//! interned-id sets, and its public JSON as stored, so a page is written by
//! concatenation. Each sort key has the slots pre-sorted ascending by
//! (value, seq); a search walks that order (backwards for the default
//! descending order) from the cursor, testing filters until it has `limit + 1`
//! matches.
//!
//! Loading and upkeep: the index is read from the store once (started by
//! [`super::App::start_host_index`] when serving begins, else by the first
//! search, which awaits it). Every host write that goes through `App` updates
//! it while holding [`HostIndex::writer`], which serialises those writes with
//! each other and with loading. A write made while the index is not loaded is
//! skipped: the load that follows reads it from the store. Writes made by
//! another process to the same database are not seen until a restart.
//!
//! Memory: about 2.2 KB a host (public JSON ~1.6 KB, search text ~0.4 KB,
//! figures, tags, 6 × 4 bytes of sort orders), ~220 MB for 100,000 hosts.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{RwLock, RwLockReadGuard};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use livehire_domain::search::{HostQuery, SortKey};
use livehire_store::{HostIndexRow, HostIndexSnapshot, HostWrite, Store, StoreError};
use serde_json::Value;

/// The sort orders kept, by position in [`HostIndex`]'s order arrays.
const SORTS: [SortKey; 6] = [
    SortKey::AvgGmv,
    SortKey::ConversionRate,
    SortKey::AvgViewers,
    SortKey::EngagementRate,
    SortKey::Rating,
    SortKey::Followers,
];

/// Which pre-sorted order serves `sort` (`match` sorts by rating, as in SQL).
fn order_of(sort: SortKey) -> usize {
    match sort {
        SortKey::AvgGmv => 0,
        SortKey::ConversionRate => 1,
        SortKey::AvgViewers => 2,
        SortKey::EngagementRate => 3,
        SortKey::Rating | SortKey::Match => 4,
        SortKey::Followers => 5,
    }
}

/// Whether a sort key's column is REAL (else INTEGER): decides how cursor
/// values are read and written.
fn is_real(sort: SortKey) -> bool {
    matches!(
        sort,
        SortKey::ConversionRate | SortKey::EngagementRate | SortKey::Rating | SortKey::Match
    )
}

/// The error a search gives for a cursor this server did not issue.
pub(crate) const BAD_CURSOR: &str = "cursor is not one this server issued";

/// A sort column's value.
#[derive(Debug, Clone, Copy)]
enum SortValue {
    Int(i64),
    Real(f64),
}

impl SortValue {
    /// Compares as SQLite compares numbers (so `-0.0 = 0.0`); no NaN is stored.
    fn compare(self, other: SortValue) -> Ordering {
        match (self, other) {
            (SortValue::Int(a), SortValue::Int(b)) => a.cmp(&b),
            (SortValue::Real(a), SortValue::Real(b)) => {
                a.partial_cmp(&b).unwrap_or(Ordering::Equal)
            }
            // Never mixed: a sort key's values and its cursor share one type.
            (SortValue::Int(a), SortValue::Real(b)) => {
                (a as f64).partial_cmp(&b).unwrap_or(Ordering::Equal)
            }
            (SortValue::Real(a), SortValue::Int(b)) => {
                a.partial_cmp(&(b as f64)).unwrap_or(Ordering::Equal)
            }
        }
    }

    fn json(self) -> Value {
        match self {
            SortValue::Int(v) => serde_json::json!(v),
            SortValue::Real(v) => serde_json::json!(v),
        }
    }
}

/// A keyset cursor, byte for byte the store's: base64url of `[sort value, seq]`.
fn encode_cursor(value: SortValue, seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!([value.json(), seq]).to_string())
}

/// Reads a cursor the way the store does: a value that is not of the sort's
/// type counts as 0.
fn decode_cursor(cursor: &str, real: bool) -> Option<(SortValue, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let arr = v.as_array()?;
    let (value, seq) = (arr.first()?, arr.get(1)?.as_i64()?);
    let value = if real {
        SortValue::Real(value.as_f64().unwrap_or(0.0))
    } else {
        SortValue::Int(value.as_i64().unwrap_or(0))
    };
    Some((value, seq))
}

/// A set of interned tag ids: ids below 128 as bits, the rest sorted.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tags {
    low: u128,
    high: Box<[u32]>,
}

impl Tags {
    fn from_ids(ids: impl IntoIterator<Item = u32>) -> Self {
        let mut low = 0u128;
        let mut high = Vec::new();
        for id in ids {
            if id < 128 {
                low |= 1 << id;
            } else {
                high.push(id);
            }
        }
        high.sort_unstable();
        high.dedup();
        Tags {
            low,
            high: high.into_boxed_slice(),
        }
    }

    fn contains_all(&self, want: &Tags) -> bool {
        self.low & want.low == want.low
            && want
                .high
                .iter()
                .all(|id| self.high.binary_search(id).is_ok())
    }
}

/// Skill or niche names ↔ small ids. Ids are never reused.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(name.into(), id);
        id
    }

    fn tags<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Tags {
        let ids: Vec<u32> = names.into_iter().map(|n| self.intern(n)).collect();
        Tags::from_ids(ids)
    }

    /// The set of `names`, or `None` when one of them is on no host.
    fn lookup<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Option<Tags> {
        let ids: Option<Vec<u32>> = names
            .into_iter()
            .map(|n| self.ids.get(n).copied())
            .collect();
        ids.map(Tags::from_ids)
    }
}

/// One host, as search needs it.
#[derive(Debug)]
struct Host {
    seq: i64,
    followers: i64,
    avg_live_viewers: i64,
    avg_gmv_cents: i64,
    min_rate_cents: Option<i64>,
    conversion_rate: f64,
    rating: f64,
    engagement_rate: f64,
    tiktok_shop_verified: bool,
    live_commerce_experience: bool,
    platform: Box<str>,
    skills: Tags,
    niches: Tags,
    search_text: Box<str>,
    public_json: Box<str>,
}

impl Host {
    fn new(row: HostIndexRow, skills: Tags, niches: Tags) -> Self {
        Host {
            seq: row.seq,
            followers: row.followers,
            avg_live_viewers: row.avg_live_viewers,
            avg_gmv_cents: row.avg_gmv_cents,
            min_rate_cents: row.min_rate_cents,
            conversion_rate: row.conversion_rate,
            rating: row.rating,
            engagement_rate: row.engagement_rate,
            tiktok_shop_verified: row.tiktok_shop_verified,
            live_commerce_experience: row.live_commerce_experience,
            platform: row.platform.into_boxed_str(),
            skills,
            niches,
            search_text: row.search_text.into_boxed_str(),
            public_json: row.public_json.into_boxed_str(),
        }
    }

    fn value(&self, order: usize) -> SortValue {
        match order {
            0 => SortValue::Int(self.avg_gmv_cents),
            1 => SortValue::Real(self.conversion_rate),
            2 => SortValue::Int(self.avg_live_viewers),
            3 => SortValue::Real(self.engagement_rate),
            4 => SortValue::Real(self.rating),
            _ => SortValue::Int(self.followers),
        }
    }

    /// Position in an order: by value, then seq.
    fn cmp_key(&self, order: usize, value: SortValue, seq: i64) -> Ordering {
        self.value(order).compare(value).then(self.seq.cmp(&seq))
    }
}

/// A search's filters, resolved against the index's tag ids.
struct Filter<'q> {
    q: &'q HostQuery,
    skills: Tags,
    /// The niche expression's AND-groups that some host could match.
    niche: Option<Vec<Tags>>,
    /// `q`, as a substring searcher built once for the whole walk.
    text: Option<memchr::memmem::Finder<'q>>,
}

impl<'q> Filter<'q> {
    /// `None` when nothing can match (a skill or every niche group names a tag no host has).
    fn new(index: &Index, q: &'q HostQuery) -> Option<Self> {
        let skills = index.skills.lookup(q.skills.iter().map(String::as_str))?;
        let niche = match &q.niche {
            None => None,
            Some(expr) => {
                let groups: Vec<Tags> = expr
                    .dnf()
                    .iter()
                    .filter_map(|all| index.niches.lookup(all.iter().map(String::as_str)))
                    .collect();
                if groups.is_empty() {
                    return None;
                }
                Some(groups)
            }
        };
        let text = q.q.as_deref().map(memchr::memmem::Finder::new);
        Some(Filter {
            q,
            skills,
            niche,
            text,
        })
    }

    fn matches(&self, h: &Host) -> bool {
        let q = self.q;
        q.platform.as_deref().is_none_or(|p| *h.platform == *p)
            && h.skills.contains_all(&self.skills)
            && (!q.live_commerce_category || h.live_commerce_experience)
            && q.min_followers.is_none_or(|b| h.followers >= b)
            && q.min_avg_live_viewers
                .is_none_or(|b| h.avg_live_viewers >= b)
            && q.min_avg_gmv_cents.is_none_or(|b| h.avg_gmv_cents >= b)
            && q.min_conversion_rate.is_none_or(|b| h.conversion_rate >= b)
            && q.min_rating.is_none_or(|b| h.rating >= b)
            && q.max_rate_cents
                .is_none_or(|b| h.min_rate_cents.is_some_and(|r| r <= b))
            && q.tiktok_shop_verified
                .is_none_or(|b| h.tiktok_shop_verified == b)
            && q.live_commerce_experience
                .is_none_or(|b| h.live_commerce_experience == b)
            && self
                .niche
                .as_ref()
                .is_none_or(|groups| groups.iter().any(|g| h.niches.contains_all(g)))
            && self
                .text
                .as_ref()
                .is_none_or(|f| f.find(h.search_text.as_bytes()).is_some())
    }
}

/// The loaded index.
#[derive(Debug, Default)]
struct Index {
    hosts: Vec<Host>,
    by_id: HashMap<Box<str>, u32>,
    skills: Interner,
    niches: Interner,
    /// Per sort key (see [`SORTS`]), host slots ascending by (value, seq).
    orders: [Vec<u32>; SORTS.len()],
}

/// A host to put in the index: its row, and its tags when known (else the
/// indexed host's are kept).
type Update = (HostIndexRow, Option<(Vec<String>, Vec<String>)>);

impl Index {
    fn build(snapshot: HostIndexSnapshot) -> Self {
        let mut index = Index::default();
        let mut tags: HashMap<i64, (Vec<String>, Vec<String>)> =
            HashMap::with_capacity(snapshot.hosts.len());
        for (seq, skills) in snapshot.skills {
            tags.entry(seq).or_default().0 = skills;
        }
        for (seq, niches) in snapshot.niches {
            tags.entry(seq).or_default().1 = niches;
        }
        index.hosts.reserve(snapshot.hosts.len());
        for row in snapshot.hosts {
            let (skills, niches) = tags.remove(&row.seq).unwrap_or_default();
            index.put(row, Some((skills, niches)));
        }
        for (o, order) in index.orders.iter_mut().enumerate() {
            *order = (0..index.hosts.len() as u32).collect();
            let hosts = &index.hosts;
            order.sort_unstable_by(|&a, &b| {
                let b = &hosts[b as usize];
                hosts[a as usize].cmp_key(o, b.value(o), b.seq)
            });
        }
        index
    }

    /// Writes a host into its slot (a new one for a new id) without touching
    /// the orders; returns the slot, or `None` for a new host of unknown tags.
    fn put(&mut self, row: HostIndexRow, tags: Option<(Vec<String>, Vec<String>)>) -> Option<u32> {
        let slot = self.by_id.get(row.id.as_str()).copied();
        let (skills, niches) = match (tags, slot) {
            (Some((s, n)), _) => (
                self.skills.tags(s.iter().map(String::as_str)),
                self.niches.tags(n.iter().map(String::as_str)),
            ),
            (None, Some(slot)) => {
                let h = &self.hosts[slot as usize];
                (h.skills.clone(), h.niches.clone())
            }
            (None, None) => return None,
        };
        match slot {
            Some(slot) => {
                self.hosts[slot as usize] = Host::new(row, skills, niches);
                Some(slot)
            }
            None => {
                let slot = self.hosts.len() as u32;
                self.by_id.insert(row.id.as_str().into(), slot);
                self.hosts.push(Host::new(row, skills, niches));
                Some(slot)
            }
        }
    }

    /// Puts hosts in and re-sorts them: each order drops the changed slots and
    /// merges them back in, sorted (linear in the host count).
    fn apply(&mut self, updates: Vec<Update>) -> Result<(), &'static str> {
        let mut changed: Vec<u32> = Vec::with_capacity(updates.len());
        for (row, tags) in updates {
            changed.push(
                self.put(row, tags)
                    .ok_or("a new host came without its tags")?,
            );
        }
        let mut mark = vec![false; self.hosts.len()];
        changed.retain(|&s| !std::mem::replace(&mut mark[s as usize], true));
        let hosts = &self.hosts;
        for (o, order) in self.orders.iter_mut().enumerate() {
            let cmp = |a: &u32, b: &u32| {
                let b = &hosts[*b as usize];
                hosts[*a as usize].cmp_key(o, b.value(o), b.seq)
            };
            let mut add = changed.clone();
            add.sort_unstable_by(cmp);
            order.retain(|&s| !mark[s as usize]);
            let mut merged = Vec::with_capacity(order.len() + add.len());
            let (mut i, mut j) = (0, 0);
            while i < order.len() && j < add.len() {
                if cmp(&order[i], &add[j]) == Ordering::Less {
                    merged.push(order[i]);
                    i += 1;
                } else {
                    merged.push(add[j]);
                    j += 1;
                }
            }
            merged.extend_from_slice(&order[i..]);
            merged.extend_from_slice(&add[j..]);
            *order = merged;
        }
        Ok(())
    }

    /// One page of a search, as the response body.
    ///
    /// Walks the sort order from the cursor. When the filters are selective,
    /// so that a bounded walk (a sixteenth of the hosts, or 16 a row asked)
    /// has not filled the page, it scans every host instead, in memory order,
    /// and sorts what matched: a walk reads hosts at random, a scan
    /// sequentially, which is several times faster per host.
    fn search(&self, q: &HostQuery) -> Result<String, &'static str> {
        let o = order_of(q.sort);
        let cursor = match &q.cursor {
            None => None,
            Some(c) => Some(decode_cursor(c, is_real(q.sort)).ok_or(BAD_CURSOR)?),
        };
        let Some(filter) = Filter::new(self, q) else {
            return Ok(page_body(&[], None));
        };
        let order = &self.orders[o];
        let host = |s: &u32| &self.hosts[*s as usize];
        // The part of the order past the cursor and not below a minimum on
        // the sort column itself.
        let floor = sort_floor(q);
        let below = |h: &Host| floor.is_some_and(|f| h.value(o).compare(f) == Ordering::Less);
        let mut lo = order.partition_point(|x| below(host(x)));
        let mut hi = order.len();
        if let Some((v, s)) = cursor {
            if q.ascending {
                lo = lo
                    .max(order.partition_point(|x| host(x).cmp_key(o, v, s) != Ordering::Greater));
            } else {
                hi = order.partition_point(|x| host(x).cmp_key(o, v, s) == Ordering::Less);
            }
        }
        let range = &order[lo..hi.max(lo)];
        let limit = q.limit as usize;
        let budget = (16 * (limit + 1)).max(self.hosts.len() / 16);
        let walked = if q.ascending {
            self.walk(range.iter(), &filter, limit, budget)
        } else {
            self.walk(range.iter().rev(), &filter, limit, budget)
        };
        let (page, more) = match walked {
            Some(found) => found,
            None => {
                let past = |h: &Host| match cursor {
                    None => true,
                    Some((v, s)) => {
                        let c = h.cmp_key(o, v, s);
                        c == if q.ascending {
                            Ordering::Greater
                        } else {
                            Ordering::Less
                        }
                    }
                };
                let in_walk_order = |a: &u32, b: &u32| {
                    let b = host(b);
                    let c = host(a).cmp_key(o, b.value(o), b.seq);
                    if q.ascending { c } else { c.reverse() }
                };
                let mut found: Vec<u32> = (0..self.hosts.len() as u32)
                    .filter(|s| {
                        let h = host(s);
                        past(h) && !below(h) && filter.matches(h)
                    })
                    .collect();
                let more = found.len() > limit;
                if more {
                    found.select_nth_unstable_by(limit, in_walk_order);
                    found.truncate(limit);
                }
                found.sort_unstable_by(in_walk_order);
                (found.iter().map(host).collect(), more)
            }
        };
        let next = match (more, page.last()) {
            (true, Some(last)) => Some(encode_cursor(last.value(o), last.seq)),
            _ => None,
        };
        Ok(page_body(&page, next))
    }

    /// Up to `limit` matching hosts in the order given and whether more
    /// match; `None` when that took more than `budget` hosts.
    fn walk<'a>(
        &'a self,
        slots: impl Iterator<Item = &'a u32>,
        filter: &Filter<'_>,
        limit: usize,
        budget: usize,
    ) -> Option<(Vec<&'a Host>, bool)> {
        let mut page = Vec::with_capacity(limit.min(128));
        for (visited, s) in slots.enumerate() {
            if visited == budget {
                return None;
            }
            let h = &self.hosts[*s as usize];
            if filter.matches(h) {
                if page.len() == limit {
                    return Some((page, true));
                }
                page.push(h);
            }
        }
        Some((page, false))
    }
}

/// The query's minimum on its own sort column, if any.
fn sort_floor(q: &HostQuery) -> Option<SortValue> {
    match q.sort {
        SortKey::AvgGmv => q.min_avg_gmv_cents.map(SortValue::Int),
        SortKey::AvgViewers => q.min_avg_live_viewers.map(SortValue::Int),
        SortKey::Followers => q.min_followers.map(SortValue::Int),
        SortKey::ConversionRate => q.min_conversion_rate.map(SortValue::Real),
        SortKey::Rating | SortKey::Match => q.min_rating.map(SortValue::Real),
        SortKey::EngagementRate => None,
    }
}

/// `{"data":[…],"next_cursor":…}` from stored public JSON.
fn page_body(page: &[&Host], next: Option<String>) -> String {
    let len: usize = page.iter().map(|h| h.public_json.len() + 1).sum();
    let mut body = String::with_capacity(len + 128);
    body.push_str("{\"data\":[");
    for (i, h) in page.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&h.public_json);
    }
    body.push_str("],\"next_cursor\":");
    body.push_str(&Value::from(next).to_string());
    body.push('}');
    body
}

/// The index with its locks: searches share a read lock; writers are
/// serialised by an async mutex held across their store write.
#[derive(Debug, Default)]
pub(crate) struct HostIndex {
    writes: tokio::sync::Mutex<()>,
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
        let _writing = self.writes.lock().await;
        if self.is_loaded() {
            return Ok(());
        }
        let snapshot = store.all_hosts_for_index().await?;
        let count = snapshot.hosts.len();
        let started = std::time::Instant::now();
        let index = tokio::task::spawn_blocking(move || Index::build(snapshot))
            .await
            .map_err(|e| StoreError::Other(e.into()))?;
        self.replace(Some(index));
        tracing::info!(
            hosts = count,
            build_ms = started.elapsed().as_millis() as u64,
            "host search index loaded"
        );
        Ok(())
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
    _turn: tokio::sync::MutexGuard<'a, ()>,
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
                match index.by_id.get(w.id.as_str()) {
                    Some(&slot) => {
                        seqs.insert(w.id.clone(), index.hosts[slot as usize].seq);
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
        let outcome = updates.and_then(|updates| {
            let mut guard = self.index.state.write().unwrap_or_else(|e| e.into_inner());
            match guard.as_mut() {
                Some(index) => index.apply(updates).map_err(str::to_string),
                None => Ok(()),
            }
        });
        if let Err(error) = outcome {
            // Rebuilt from the store on the next search.
            tracing::warn!(%error, "host search index out of step; reloading it");
            self.index.replace(None);
        }
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
