//! Identifier and API-key formats.
//!
//! Ids are a readable prefix plus base62, as in the seed (`ph_task_…`,
//! `ph_profile_…`): first the creation time, then random characters. Leading
//! with the time makes ids sort by creation, so each table's id index grows at
//! its right edge instead of dirtying a random page per insert (with random
//! ids, a batch of inserts rewrites one index page per row in the WAL).
//! Time and randomness are the caller's: the domain stays deterministic.

use chrono::{DateTime, Utc};
use rand::Rng;

/// Agent API keys (`ph_sk_…`).
pub const AGENT_KEY: &str = "ph_sk_";
/// Host API keys (`ph_hk_…`).
pub const HOST_KEY: &str = "ph_hk_";
/// Agents.
pub const AGENT: &str = "ph_agent_";
/// Host profiles (the seed calls hosts "humans").
pub const HOST: &str = "ph_profile_";
/// Tasks.
pub const TASK: &str = "ph_task_";
/// Sessions of a task.
pub const SESSION: &str = "ph_sess_";
/// Messages.
pub const MESSAGE: &str = "ph_msg_";
/// Invitations.
pub const INVITATION: &str = "ph_inv_";
/// Applications.
pub const APPLICATION: &str = "ph_app_";
/// Ledger entries.
pub const LEDGER_ENTRY: &str = "ph_le_";
/// Flash sales.
pub const FLASH_SALE: &str = "ph_fs_";
/// Flash-sale orders.
pub const ORDER: &str = "ph_ord_";
/// Checkout keys, scoped to one session (`ph_ck_…`).
pub const CHECKOUT_KEY: &str = "ph_ck_";
/// Ingest keys, scoped to one session's events (`ph_ik_…`): what an agent
/// gives its connector bridge.
pub const INGEST_KEY: &str = "ph_ik_";

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` random base62 characters; 22 characters carry 130 bits.
pub fn random_base62(rng: &mut impl Rng, len: usize) -> String {
    (0..len)
        .map(|_| BASE62[rng.random_range(0..BASE62.len())] as char)
        .collect()
}

/// Characters of an id that carry its creation time: milliseconds since the
/// Unix epoch in fixed-width base62 (62^8 ms reach past the year 8000).
const TIME_CHARS: usize = 8;
/// Random characters after the time: 12 base62 characters carry 71 bits.
const RANDOM_CHARS: usize = 12;

/// A new id: the prefix, the creation time `now` (8 base62 characters, so ids
/// of one kind sort by creation), then 12 random characters (71 bits).
pub fn new_id(prefix: &str, now: DateTime<Utc>, rng: &mut impl Rng) -> String {
    let mut out = String::with_capacity(prefix.len() + TIME_CHARS + RANDOM_CHARS);
    out.push_str(prefix);
    let mut ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    let mut time = [b'0'; TIME_CHARS];
    for slot in time.iter_mut().rev() {
        *slot = BASE62[(ms % 62) as usize];
        ms /= 62;
    }
    out.extend(time.iter().map(|&b| b as char));
    out.extend((0..RANDOM_CHARS).map(|_| BASE62[rng.random_range(0..BASE62.len())] as char));
    out
}

/// A new secret API key with the given prefix and 32 random characters (190 bits).
pub fn new_key(prefix: &str, rng: &mut impl Rng) -> String {
    format!("{prefix}{}", random_base62(rng, 32))
}

/// Whether `s` looks like an id of this kind: the prefix, then 1–64 of `[A-Za-z0-9_]`.
pub fn has_prefix(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 64
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn ids_carry_their_prefix_and_are_distinct() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let now = DateTime::parse_from_rfc3339("2026-11-25T21:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let a = new_id(TASK, now, &mut rng);
        let b = new_id(TASK, now, &mut rng);
        assert!(has_prefix(&a, TASK));
        assert_eq!(a.len(), TASK.len() + 20);
        assert_ne!(a, b);
        assert_eq!(
            a[..TASK.len() + 8],
            b[..TASK.len() + 8],
            "same time, same prefix"
        );
        assert!(has_prefix("ph_task_live_001", TASK));
        assert!(!has_prefix("ph_task_", TASK));
        assert!(!has_prefix("ph_task_x;drop", TASK));
        assert_eq!(new_key(AGENT_KEY, &mut rng).len(), AGENT_KEY.len() + 32);
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
        let t0 = DateTime::parse_from_rfc3339("2026-11-25T21:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let steps = [1, 61, 62, 3_843, 3_844, 86_400_000, 31_536_000_000];
        let mut previous = new_id(SESSION, t0, &mut rng);
        for ms in steps {
            let next = new_id(SESSION, t0 + chrono::Duration::milliseconds(ms), &mut rng);
            assert!(next > previous, "{next} after {previous}");
            previous = next;
        }
    }
}

/// Declares an id newtype: a `String` that says what it identifies, so a
/// session id cannot be passed where a task id is meant. Ids are opaque
/// lookups: a malformed one simply finds nothing (404), so construction does
/// not validate.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's text, owned.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A task (`ph_task_…`).
    TaskId
);
id_type!(
    /// A host (`ph_profile_…`; the seed calls hosts "humans").
    HostId
);
id_type!(
    /// An agent (`ph_agent_…`).
    AgentId
);
id_type!(
    /// A session of a task (`ph_sess_…`).
    SessionId
);
id_type!(
    /// A flash sale (`ph_fs_…`).
    FlashSaleId
);
id_type!(
    /// A flash-sale order (`ph_ord_…`).
    OrderId
);
id_type!(
    /// An invitation or an application (`ph_inv_…`, `ph_app_…`).
    OfferId
);
id_type!(
    /// A message (`ph_msg_…`).
    MessageId
);
id_type!(
    /// A ledger entry (`ph_le_…`).
    LedgerEntryId
);
