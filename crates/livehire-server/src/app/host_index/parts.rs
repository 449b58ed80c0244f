//! The building blocks of the host index: sort keys and their values, keyset
//! cursors (byte for byte the store's), tag sets and the search-text arena.

use std::cmp::Ordering;
use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use livehire_domain::search::SortKey;
use serde_json::Value;

/// The sort orders kept, by position in [`HostIndex`]'s order arrays.
pub(super) const SORTS: [SortKey; 6] = [
    SortKey::AvgGmv,
    SortKey::ConversionRate,
    SortKey::AvgViewers,
    SortKey::EngagementRate,
    SortKey::Rating,
    SortKey::Followers,
];

/// Which pre-sorted order serves `sort` (`match` sorts by rating, as in SQL).
pub(super) fn order_of(sort: SortKey) -> usize {
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
pub(super) fn is_real(sort: SortKey) -> bool {
    matches!(
        sort,
        SortKey::ConversionRate | SortKey::EngagementRate | SortKey::Rating | SortKey::Match
    )
}

/// The error a search gives for a cursor this server did not issue.
pub(super) const BAD_CURSOR: &str = "cursor is not one this server issued";

/// A sort column's value.
#[derive(Debug, Clone, Copy)]
pub(super) enum SortValue {
    Int(i64),
    Real(f64),
}

impl SortValue {
    /// Compares as SQLite compares numbers (so `-0.0 = 0.0`); no NaN is stored.
    pub(super) fn compare(self, other: SortValue) -> Ordering {
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
pub(super) fn encode_cursor(value: SortValue, seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!([value.json(), seq]).to_string())
}

/// Reads a cursor the way the store does: a value that is not of the sort's
/// type counts as 0.
pub(super) fn decode_cursor(cursor: &str, real: bool) -> Option<(SortValue, i64)> {
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
pub(super) struct Tags {
    low: u128,
    high: Box<[u32]>,
}

impl Tags {
    pub(super) fn from_ids(ids: impl IntoIterator<Item = u32>) -> Self {
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

    pub(super) fn contains_all(&self, want: &Tags) -> bool {
        self.low & want.low == want.low
            && want
                .high
                .iter()
                .all(|id| self.high.binary_search(id).is_ok())
    }
}

/// Names (skills, niches, platforms) ↔ small ids. Ids are never reused.
#[derive(Debug, Default)]
pub(super) struct Interner {
    ids: HashMap<Box<str>, u32>,
}

impl Interner {
    pub(super) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(name.into(), id);
        id
    }

    pub(super) fn tags<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> Tags {
        let ids: Vec<u32> = names.into_iter().map(|n| self.intern(n)).collect();
        Tags::from_ids(ids)
    }

    /// The id of `name`, or `None` when it is on no host.
    pub(super) fn lookup_one(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// The set of `names`, or `None` when one of them is on no host.
    pub(super) fn lookup<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Option<Tags> {
        let ids: Option<Vec<u32>> = names
            .into_iter()
            .map(|n| self.ids.get(n).copied())
            .collect();
        ids.map(Tags::from_ids)
    }
}

/// Every host's search text end to end, so a text search over all hosts reads
/// memory in order. A changed host's new text is appended; the old one is
/// garbage until [`Texts::compact`].
#[derive(Debug, Default)]
pub(super) struct Texts {
    bytes: String,
    /// Bytes no host points at any more.
    pub(super) garbage: usize,
}

impl Texts {
    pub(super) fn push(&mut self, text: &str) -> (usize, usize) {
        let at = self.bytes.len();
        self.bytes.push_str(text);
        (at, text.len())
    }

    pub(super) fn get(&self, (at, len): (usize, usize)) -> &[u8] {
        &self.bytes.as_bytes()[at..at + len]
    }

    /// Room for `len` more bytes.
    pub(super) fn reserve(&mut self, len: usize) {
        self.bytes.reserve_exact(len);
    }

    /// Rewrites the texts in host order without garbage, once garbage is
    /// over half; `spans` are every host's (start, length), updated.
    pub(super) fn compact<'a>(&mut self, spans: impl Iterator<Item = &'a mut (usize, usize)>) {
        if self.garbage <= self.bytes.len() / 2 {
            return;
        }
        let mut bytes = String::with_capacity(self.bytes.len() - self.garbage);
        for span in spans {
            let at = bytes.len();
            bytes.push_str(&self.bytes[span.0..span.0 + span.1]);
            span.0 = at;
        }
        *self = Texts { bytes, garbage: 0 };
    }
}
