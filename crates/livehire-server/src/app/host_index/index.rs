//! The loaded index: hosts, their sort orders, and search over them.

use std::cmp::Ordering;
use std::collections::HashMap;

use livehire_domain::search::{HostQuery, SortKey};
use livehire_store::{HostChange, HostIndexRow, HostIndexSnapshot};
use serde_json::Value;

use super::parts::{
    BAD_CURSOR, Interner, SORTS, SortValue, Tags, Texts, decode_cursor, encode_cursor, is_real,
    order_of,
};

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
    /// Interned `platform`.
    platform: u32,
    skills: Tags,
    niches: Tags,
    /// Where the search text is in [`Texts`]: (start, length).
    text: (usize, usize),
    public_json: Box<str>,
}

impl Host {
    fn new(
        row: HostIndexRow,
        platform: u32,
        skills: Tags,
        niches: Tags,
        text: (usize, usize),
    ) -> Self {
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
            platform,
            skills,
            niches,
            text,
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
    platform: Option<u32>,
    skills: Tags,
    /// The niche expression's AND-groups that some host could match.
    niche: Option<Vec<Tags>>,
    /// `q`, as a substring searcher built once for the whole walk.
    text: Option<memchr::memmem::Finder<'q>>,
    texts: &'q Texts,
}

impl<'q> Filter<'q> {
    /// `None` when nothing can match (a skill or every niche group names a tag no host has).
    fn new(index: &'q Index, q: &'q HostQuery) -> Option<Self> {
        let platform = match &q.platform {
            None => None,
            Some(p) => Some(index.platforms.lookup_one(p)?),
        };
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
            platform,
            skills,
            niche,
            text,
            texts: &index.texts,
        })
    }

    fn matches(&self, h: &Host) -> bool {
        let q = self.q;
        self.platform.is_none_or(|p| h.platform == p)
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
                .is_none_or(|f| f.find(self.texts.get(h.text)).is_some())
    }
}

/// The loaded index.
#[derive(Debug, Default)]
pub(super) struct Index {
    hosts: Vec<Host>,
    by_id: HashMap<Box<str>, u32>,
    platforms: Interner,
    skills: Interner,
    niches: Interner,
    /// Per sort key (see [`SORTS`]), host slots ascending by (value, seq).
    orders: [Vec<u32>; SORTS.len()],
    texts: Texts,
}

/// A host to put in the index: its row, and its tags when known (else the
/// indexed host's are kept).
pub(super) type Update = (HostIndexRow, Option<(Vec<String>, Vec<String>)>);

impl Index {
    /// The seq of an indexed host.
    pub(super) fn seq_of(&self, id: &str) -> Option<i64> {
        self.by_id
            .get(id)
            .map(|&slot| self.hosts[slot as usize].seq)
    }

    /// Whether the index holds `c` as it is: an indexed host with the same
    /// figures, texts and tags (so applying it would change nothing).
    pub(super) fn is_current(&self, c: &HostChange) -> bool {
        let Some(&slot) = self.by_id.get(c.row.id.as_str()) else {
            return false;
        };
        let (h, r) = (&self.hosts[slot as usize], &c.row);
        h.seq == r.seq
            && h.followers == r.followers
            && h.avg_live_viewers == r.avg_live_viewers
            && h.avg_gmv_cents == r.avg_gmv_cents
            && h.min_rate_cents == r.min_rate_cents
            && h.conversion_rate == r.conversion_rate
            && h.rating == r.rating
            && h.engagement_rate == r.engagement_rate
            && h.tiktok_shop_verified == r.tiktok_shop_verified
            && h.live_commerce_experience == r.live_commerce_experience
            && self.platforms.lookup_one(&r.platform) == Some(h.platform)
            && *h.public_json == *r.public_json
            && self.texts.get(h.text) == r.search_text.as_bytes()
            && self
                .skills
                .lookup(c.skills.iter().map(String::as_str))
                .as_ref()
                == Some(&h.skills)
            && self
                .niches
                .lookup(c.niches.iter().map(String::as_str))
                .as_ref()
                == Some(&h.niches)
    }

    pub(super) fn build(snapshot: HostIndexSnapshot) -> Self {
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
        let text_len = snapshot.hosts.iter().map(|h| h.search_text.len()).sum();
        index.texts.reserve(text_len);
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
        let platform = self.platforms.intern(&row.platform);
        let text = self.texts.push(&row.search_text);
        match slot {
            Some(slot) => {
                self.texts.garbage += self.hosts[slot as usize].text.1;
                self.hosts[slot as usize] = Host::new(row, platform, skills, niches, text);
                Some(slot)
            }
            None => {
                let slot = self.hosts.len() as u32;
                self.by_id.insert(row.id.as_str().into(), slot);
                self.hosts
                    .push(Host::new(row, platform, skills, niches, text));
                Some(slot)
            }
        }
    }

    /// Puts hosts in and re-sorts them: each order drops the changed slots and
    /// merges them back in, sorted (linear in the host count).
    pub(super) fn apply(&mut self, updates: Vec<Update>) -> Result<(), &'static str> {
        let mut changed: Vec<u32> = Vec::with_capacity(updates.len());
        for (row, tags) in updates {
            changed.push(
                self.put(row, tags)
                    .ok_or("a new host came without its tags")?,
            );
        }
        self.texts
            .compact(self.hosts.iter_mut().map(|h| &mut h.text));
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
    pub(super) fn search(&self, q: &HostQuery) -> Result<String, &'static str> {
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
