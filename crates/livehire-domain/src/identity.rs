//! Who a host is, and what the operator vouches for.
//!
//! **Handles.** A TikTok handle belongs to one host. Handles are compared by
//! their [`handle_key`]: trimmed, one leading `@` dropped, ASCII-lowercased, so
//! `@LiveQueenChen`, ` livequeenchen ` and `LIVEQUEENCHEN` are one handle. A
//! handle a host writes must be a TikTok username ([`check_handle`]): at most
//! [`MAX_HANDLE_CHARS`] ASCII letters, digits, `_` and `.`, so look-alike
//! letters from other scripts cannot make a second "@livequeenchen".
//!
//! **Verified values.** `tiktok_shop_verified` and `badges`
//! ([`OPERATOR_VERIFIED`]) are only ever what the operator verified. A stored
//! profile (which is also the profile as served) carries them at the top level,
//! always present, and keeps the host's own claims under `self_declared`,
//! exactly as the host sent them (a key is absent when the host sent none):
//!
//! ```json
//! "tiktok_shop_verified": false,
//! "badges": [],
//! "self_declared": {"tiktok_shop_verified": true, "badges": ["top_live_seller"]}
//! ```
//!
//! A host edits its *declared profile* ([`declared_profile`]: the profile as it
//! would read if every claim were true); [`with_verified`] turns a declared
//! profile and the operator's [`Verified`] values into the stored one.

use serde_json::{Map, Value};

use crate::error::FieldError;
use crate::json::lenient;

/// Profile fields a host only declares: their served values are the operator's.
pub const OPERATOR_VERIFIED: [&str; 2] = ["tiktok_shop_verified", "badges"];
/// Where a profile keeps the host's own claims of [`OPERATOR_VERIFIED`] fields.
pub const SELF_DECLARED: &str = "self_declared";
/// The badge that stands for a verified TikTok Shop.
pub const SHOP_BADGE: &str = "tiktok_shop_verified";
/// The longest TikTok username, in characters (without the `@`).
pub const MAX_HANDLE_CHARS: usize = 24;
/// The most badges the operator may verify on one host.
pub const MAX_BADGES: usize = 32;
/// The longest badge name.
pub const MAX_BADGE_CHARS: usize = 64;

/// The form in which handles are compared: trimmed, one leading `@` dropped,
/// ASCII-lowercased. `None` when nothing is left (no handle, no claim).
pub fn handle_key(handle: &str) -> Option<String> {
    let trimmed = handle.trim();
    let bare = trimmed.strip_prefix('@').unwrap_or(trimmed);
    (!bare.is_empty()).then(|| bare.to_ascii_lowercase())
}

/// Checks a profile's `tiktok_handle` (when it is a string) is a TikTok
/// username: after [`handle_key`], 1 to [`MAX_HANDLE_CHARS`] ASCII letters,
/// digits, `_` or `.`.
pub fn check_handle(profile: &Value) -> Option<FieldError> {
    let handle = profile.get("tiktok_handle")?.as_str()?;
    let ok = handle_key(handle).is_some_and(|key| {
        key.len() <= MAX_HANDLE_CHARS
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    });
    (!ok).then(|| {
        FieldError::new(
            "tiktok_handle",
            format!(
                "must be a TikTok username: 1 to {MAX_HANDLE_CHARS} letters (a-z), digits, '_' or '.', optionally after '@'"
            ),
        )
    })
}

/// What the operator verified of a host.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verified {
    /// The host's TikTok Shop is verified.
    pub tiktok_shop_verified: bool,
    /// Verified badges, in the operator's order.
    pub badges: Vec<String>,
}

impl Verified {
    /// The verified values a stored profile shows (its top-level fields).
    pub fn of(stored: &Value) -> Verified {
        Verified {
            tiktok_shop_verified: stored.get("tiktok_shop_verified") == Some(&Value::Bool(true)),
            badges: lenient::strings(stored.get("badges")),
        }
    }

    /// Everything a profile claims, taken as verified: for the operator's own
    /// profiles (the seed's hosts and demo data). A profile without a
    /// `tiktok_shop_verified` field claims it by listing the
    /// [`SHOP_BADGE`] badge.
    pub fn as_declared(declared: &Value) -> Verified {
        let badges = lenient::strings(declared.get("badges"));
        let tiktok_shop_verified = match declared.get("tiktok_shop_verified") {
            Some(Value::Bool(b)) => *b,
            _ => badges.iter().any(|b| b == SHOP_BADGE),
        };
        Verified {
            tiktok_shop_verified,
            badges,
        }
    }

    /// Applies an operator's change; fields the change leaves out stay.
    ///
    /// The [`SHOP_BADGE`] badge stands for the flag: listing it verifies the
    /// shop, revoking the shop (`tiktok_shop_verified: false`) removes it, and
    /// asking for both the badge and `false` is refused.
    pub fn change(&self, change: &VerificationChange) -> Result<Verified, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut badges: Vec<String> = Vec::new();
        match &change.badges {
            None => badges.clone_from(&self.badges),
            Some(list) => {
                if list.len() > MAX_BADGES {
                    errors.push(FieldError::new(
                        "badges",
                        format!("at most {MAX_BADGES} badges"),
                    ));
                }
                for (i, badge) in list.iter().enumerate() {
                    if !is_badge_name(badge) {
                        errors.push(FieldError::new(
                            format!("badges[{i}]"),
                            format!(
                                "must be a badge name: 1 to {MAX_BADGE_CHARS} lower-case letters, digits and underscores"
                            ),
                        ));
                    } else if change.tiktok_shop_verified == Some(false) && badge == SHOP_BADGE {
                        errors.push(FieldError::new(
                            format!("badges[{i}]"),
                            "the tiktok_shop_verified badge needs tiktok_shop_verified: true",
                        ));
                    } else if !badges.contains(badge) {
                        badges.push(badge.clone());
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if change.tiktok_shop_verified == Some(false) {
            badges.retain(|b| b != SHOP_BADGE);
        }
        let tiktok_shop_verified = change
            .tiktok_shop_verified
            .unwrap_or(self.tiktok_shop_verified)
            || badges.iter().any(|b| b == SHOP_BADGE);
        Ok(Verified {
            tiktok_shop_verified,
            badges,
        })
    }
}

/// Whether `s` is a badge name: lower-case ASCII letters, digits and `_`.
fn is_badge_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_BADGE_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// An operator's change to what is verified of a host; `None` keeps the
/// current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerificationChange {
    /// Verify (`true`) or revoke (`false`) the host's TikTok Shop.
    pub tiktok_shop_verified: Option<bool>,
    /// The complete list of verified badges (`[]` revokes them all).
    pub badges: Option<Vec<String>>,
}

/// The profile as the host declared it: the [`OPERATOR_VERIFIED`] fields
/// hold the host's own claims (and are absent when it made none), in their
/// places. What else `self_declared` holds (a handle released by migration
/// 0009, see `docs/trust.md`) stays under `self_declared`.
pub fn declared_profile(stored: &Value) -> Value {
    let mut profile = stored.clone();
    let Some(obj) = profile.as_object_mut() else {
        return profile;
    };
    let mut declared = match obj.shift_remove(SELF_DECLARED) {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    for key in OPERATOR_VERIFIED {
        match declared.shift_remove(key) {
            Some(v) => {
                obj.insert(key.to_string(), v);
            }
            None => {
                obj.shift_remove(key);
            }
        }
    }
    if !declared.is_empty() {
        obj.insert(SELF_DECLARED.to_string(), Value::Object(declared));
    }
    profile
}

/// The stored (and served) profile for a declared one: the host's claims of
/// [`OPERATOR_VERIFIED`] fields move under `self_declared` (kept exactly as
/// sent), and the top-level fields take the operator's `verified` values, in
/// the claim's place or else at the end. Other records under `self_declared`
/// stay until the profile has that field again.
pub fn with_verified(declared: Value, verified: &Verified) -> Value {
    let Value::Object(mut obj) = declared else {
        return declared;
    };
    let mut claims = Map::new();
    for key in OPERATOR_VERIFIED {
        if let Some(v) = obj.get(key) {
            claims.insert(key.to_string(), v.clone());
        }
    }
    if let Some(Value::Object(others)) = obj.shift_remove(SELF_DECLARED) {
        for (key, value) in others {
            if !OPERATOR_VERIFIED.contains(&key.as_str()) && !obj.contains_key(&key) {
                claims.insert(key, value);
            }
        }
    }
    obj.insert(
        "tiktok_shop_verified".into(),
        Value::Bool(verified.tiktok_shop_verified),
    );
    obj.insert(
        "badges".into(),
        Value::Array(verified.badges.iter().cloned().map(Value::String).collect()),
    );
    obj.insert(SELF_DECLARED.into(), Value::Object(claims));
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn handles_compare_trimmed_without_the_at_sign_ignoring_ascii_case() {
        for h in [
            "@livequeenchen",
            "@LiveQueenChen",
            " livequeenchen ",
            "LIVEQUEENCHEN",
            "\t@LiveQueenChen\n",
        ] {
            assert_eq!(handle_key(h).as_deref(), Some("livequeenchen"), "{h:?}");
        }
        assert_eq!(
            handle_key("@skincare.liu_2").as_deref(),
            Some("skincare.liu_2")
        );
        // Only one @ goes, and only ASCII letters fold.
        assert_eq!(handle_key("@@x").as_deref(), Some("@x"));
        assert_eq!(handle_key("@Ä").as_deref(), Some("Ä"));
        for empty in ["", "   ", "@", " @ "] {
            assert_eq!(handle_key(empty), None, "{empty:?}");
        }
    }

    #[test]
    fn a_handle_must_be_a_tiktok_username() {
        for ok in [
            "@livequeenchen",
            "LiveQueenChen",
            "@a.b_c9",
            "@abcdefghijklmnopqrstuvwx",
        ] {
            assert_eq!(check_handle(&json!({"tiktok_handle": ok})), None, "{ok}");
        }
        // Cyrillic "е" looks like "e"; a space, a second @, 25 letters, nothing.
        for bad in [
            "@livequeenchеn",
            "@live queen",
            "@@livequeenchen",
            "@abcdefghijklmnopqrstuvwxy",
            "@",
            "",
        ] {
            let e = check_handle(&json!({"tiktok_handle": bad})).expect(bad);
            assert_eq!(e.path, "tiktok_handle");
        }
        assert_eq!(check_handle(&json!({"name": "no handle"})), None);
    }

    fn stored_chen() -> Value {
        json!({"human_id": "ph_profile_1", "name": "Chen", "badges": [],
               "bio": "hi", "tiktok_shop_verified": false,
               "self_declared": {"badges": ["top_live_seller", "tiktok_shop_verified"]}})
    }

    #[test]
    fn claims_move_under_self_declared_and_the_verified_values_take_their_place() {
        let declared = json!({"name": "Chen", "badges": ["top_live_seller"], "bio": "hi",
                              "tiktok_shop_verified": true, "rating": null});
        let stored = with_verified(declared.clone(), &Verified::default());
        assert_eq!(
            stored.to_string(),
            r#"{"name":"Chen","badges":[],"bio":"hi","tiktok_shop_verified":false,"rating":null,"self_declared":{"tiktok_shop_verified":true,"badges":["top_live_seller"]}}"#
        );
        assert_eq!(declared_profile(&stored), declared);
        // No claims: the verified values are appended, self_declared is empty.
        let plain = with_verified(json!({"name": "Liu"}), &Verified::default());
        assert_eq!(
            plain.to_string(),
            r#"{"name":"Liu","tiktok_shop_verified":false,"badges":[],"self_declared":{}}"#
        );
        assert_eq!(declared_profile(&plain), json!({"name": "Liu"}));
    }

    #[test]
    fn a_round_trip_through_the_declared_profile_keeps_the_bytes() {
        let stored = stored_chen();
        let verified = Verified::of(&stored);
        assert_eq!(verified, Verified::default());
        let again = with_verified(declared_profile(&stored), &verified);
        assert_eq!(again.to_string(), stored.to_string());
    }

    #[test]
    fn a_released_handle_stays_declared_until_the_host_has_a_handle_again() {
        let stored = json!({"name": "Copy", "tiktok_shop_verified": false, "badges": [],
                            "self_declared": {"tiktok_handle": "@livequeenchen"}});
        let declared = declared_profile(&stored);
        assert_eq!(
            declared,
            json!({"name": "Copy", "self_declared": {"tiktok_handle": "@livequeenchen"}})
        );
        let kept = with_verified(declared.clone(), &Verified::default());
        assert_eq!(kept, stored);
        let mut renamed = declared;
        renamed["tiktok_handle"] = json!("@copycat");
        let moved_on = with_verified(renamed, &Verified::default());
        assert_eq!(moved_on["self_declared"], json!({}));
    }

    #[test]
    fn the_operator_profiles_count_their_claims_as_verified() {
        let chen = &crate::test_hosts::seed_hosts()[0];
        let v = Verified::as_declared(chen);
        assert!(v.tiktok_shop_verified);
        assert_eq!(
            v.badges,
            [
                "top_live_seller",
                "tiktok_shop_verified",
                "million_gmv_club"
            ]
        );
        // The badge alone claims the shop.
        let badge_only = Verified::as_declared(&json!({"badges": ["tiktok_shop_verified"]}));
        assert!(badge_only.tiktok_shop_verified);
        let flag_wins = Verified::as_declared(
            &json!({"tiktok_shop_verified": false, "badges": ["tiktok_shop_verified"]}),
        );
        assert!(!flag_wins.tiktok_shop_verified);
    }

    #[test]
    fn an_operator_change_keeps_what_it_leaves_out_and_ties_the_shop_badge_to_the_flag() {
        let start = Verified::default();
        let change = |flag: Option<bool>, badges: Option<&[&str]>| VerificationChange {
            tiktok_shop_verified: flag,
            badges: badges.map(|b| b.iter().map(|s| s.to_string()).collect()),
        };
        let v = start
            .change(&change(
                Some(true),
                Some(&["top_live_seller", "top_live_seller"]),
            ))
            .unwrap();
        assert_eq!(
            v,
            Verified {
                tiktok_shop_verified: true,
                badges: vec!["top_live_seller".into()]
            }
        );
        // Badges alone leave the flag; the flag alone leaves the badges.
        let v = v.change(&change(None, Some(&["rising_star"]))).unwrap();
        assert!(v.tiktok_shop_verified);
        assert_eq!(v.badges, ["rising_star"]);
        // The shop badge verifies the shop; revoking the shop removes the badge.
        let v = Verified::default()
            .change(&change(
                None,
                Some(&["tiktok_shop_verified", "rising_star"]),
            ))
            .unwrap();
        assert!(v.tiktok_shop_verified);
        let v = v.change(&change(Some(false), None)).unwrap();
        assert_eq!(
            v,
            Verified {
                tiktok_shop_verified: false,
                badges: vec!["rising_star".into()]
            }
        );
        let errs = v
            .change(&change(
                Some(false),
                Some(&["ok", "tiktok_shop_verified", "Bad Name"]),
            ))
            .unwrap_err();
        let paths: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["badges[1]", "badges[2]"]);
        let many: Vec<String> = (0..=MAX_BADGES).map(|i| format!("b{i}")).collect();
        let errs = v
            .change(&VerificationChange {
                tiktok_shop_verified: None,
                badges: Some(many),
            })
            .unwrap_err();
        assert_eq!(errs[0].path, "badges");
    }
}
