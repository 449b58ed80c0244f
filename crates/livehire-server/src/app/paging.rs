//! Pages: the one cursor codec and the page types every list uses.
//!
//! A cursor is opaque to clients: base64url of a one-letter kind and its
//! position (`s` a row sequence, `m` an offset into a ranked list, `i` the
//! last id of a page). A cursor of the wrong kind, or one this server did not
//! issue, is 422 naming `cursor`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};

/// A position in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    /// After this row sequence (ledger, messages, orders, events).
    Seq(i64),
    /// After this many ranked results (a task's host matches).
    Offset(usize),
    /// After this id (ids sort by creation).
    Id(String),
}

impl Cursor {
    /// The opaque text handed to clients.
    pub fn encode(&self) -> String {
        let plain = match self {
            Cursor::Seq(n) => format!("s{n}"),
            Cursor::Offset(n) => format!("m{n}"),
            Cursor::Id(id) => format!("i{id}"),
        };
        URL_SAFE_NO_PAD.encode(plain)
    }

    /// Reads a cursor this server issued.
    pub fn decode(text: &str) -> ApiResult<Cursor> {
        let bad = || ApiError::field("cursor", "is not a cursor this server issued");
        let plain = URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad)?;
        let (kind, rest) = plain.split_at(plain.chars().next().map_or(0, char::len_utf8));
        match kind {
            "s" => rest.parse().map(Cursor::Seq).map_err(|_| bad()),
            "m" => rest.parse().map(Cursor::Offset).map_err(|_| bad()),
            "i" if !rest.is_empty() => Ok(Cursor::Id(rest.to_string())),
            _ => Err(bad()),
        }
    }

    /// A row-sequence cursor's position; 422 for any other kind.
    pub fn seq(text: &str) -> ApiResult<i64> {
        match Cursor::decode(text)? {
            Cursor::Seq(n) => Ok(n),
            _ => Err(ApiError::field("cursor", "is not a cursor of this list")),
        }
    }

    /// An offset cursor's position; 422 for any other kind.
    pub fn offset(text: &str) -> ApiResult<usize> {
        match Cursor::decode(text)? {
            Cursor::Offset(n) => Ok(n),
            _ => Err(ApiError::field("cursor", "is not a cursor of this list")),
        }
    }

    /// An id cursor's id, which must start with `prefix`; 422 otherwise.
    pub fn id(text: &str, prefix: &str) -> ApiResult<String> {
        match Cursor::decode(text)? {
            Cursor::Id(id) if id.starts_with(prefix) => Ok(id),
            _ => Err(ApiError::field("cursor", "is not a cursor of this list")),
        }
    }
}

/// A page request, parsed at the edge: `limit` within the list's bounds and
/// the raw `cursor` (its kind is the list's business).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// How many items at most.
    pub limit: u32,
    /// Where the previous page ended.
    pub cursor: Option<String>,
}

impl PageRequest {
    /// Reads `limit` (1 to `max`, `default` when absent; 422 naming `limit`
    /// otherwise) and `cursor`.
    pub fn parse(
        limit: Option<&str>,
        cursor: Option<&str>,
        default: u32,
        max: u32,
    ) -> ApiResult<PageRequest> {
        let limit = match limit {
            None => default,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    return Err(ApiError::field(
                        "limit",
                        format!("must be an integer from 1 to {max}"),
                    ));
                }
            },
        };
        Ok(PageRequest {
            limit,
            cursor: cursor.map(str::to_string),
        })
    }
}

/// A page of a list: `{data, next_cursor}` (`null` on the last page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// Pass back as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_they_did_not_issue() {
        for c in [
            Cursor::Seq(42),
            Cursor::Offset(7),
            Cursor::Id("ph_inv_abc".into()),
        ] {
            assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        }
        assert_eq!(Cursor::seq(&Cursor::Seq(5).encode()).unwrap(), 5);
        assert!(Cursor::seq(&Cursor::Offset(5).encode()).is_err());
        assert!(Cursor::id(&Cursor::Id("ph_app_x".into()).encode(), "ph_inv_").is_err());
        assert!(Cursor::decode("not base64!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("x12")).is_err());
        assert!(PageRequest::parse(Some("0"), None, 20, 100).is_err());
        assert_eq!(
            PageRequest::parse(None, Some("c"), 20, 100).unwrap(),
            PageRequest {
                limit: 20,
                cursor: Some("c".into())
            }
        );
    }
}
