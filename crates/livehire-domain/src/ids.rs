//! Identifier and API-key formats.
//!
//! Ids are a readable prefix plus random base62, as in the seed (`ph_task_…`,
//! `ph_profile_…`). Randomness is the caller's: the domain stays deterministic.

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

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `len` random base62 characters; 22 characters carry 130 bits.
pub fn random_base62(rng: &mut impl Rng, len: usize) -> String {
    (0..len)
        .map(|_| BASE62[rng.random_range(0..BASE62.len())] as char)
        .collect()
}

/// A new id with the given prefix and 16 random characters (95 bits).
pub fn new_id(prefix: &str, rng: &mut impl Rng) -> String {
    format!("{prefix}{}", random_base62(rng, 16))
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
        let a = new_id(TASK, &mut rng);
        let b = new_id(TASK, &mut rng);
        assert!(has_prefix(&a, TASK));
        assert_eq!(a.len(), TASK.len() + 16);
        assert_ne!(a, b);
        assert!(has_prefix("ph_task_live_001", TASK));
        assert!(!has_prefix("ph_task_", TASK));
        assert!(!has_prefix("ph_task_x;drop", TASK));
        assert_eq!(new_key(AGENT_KEY, &mut rng).len(), AGENT_KEY.len() + 32);
    }
}
