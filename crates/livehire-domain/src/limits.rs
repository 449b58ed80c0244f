//! Every documented maximum in one place (see `docs/trust.md`, "Limits on
//! amounts, counts and strings").
//!
//! Each bound is checked where a value enters the server (a request body, a
//! query parameter, an event), so nothing past the edge can overflow: sums of
//! bounded amounts over bounded counts fit in `i64` minor units for every
//! currency, and no input reaches a panic.

pub use crate::money::MAX_AMOUNT;

/// Most GMV one session may record from one kind of source (verified or
/// host-reported), in major units: equal to [`MAX_AMOUNT`]. An order that would
/// take a session past it is refused; with at most [`MAX_SESSIONS_PER_TASK`]
/// sessions a task's GMV, and so its commission, stays far inside `i64` minor
/// units.
pub const MAX_SESSION_GMV: rust_decimal::Decimal = MAX_AMOUNT;

/// Most an agent's wallet holds in one currency: ten trillion. A deposit
/// past it is refused.
pub const MAX_WALLET_BALANCE: rust_decimal::Decimal =
    rust_decimal::Decimal::from_parts(0x4E72_A000, 0x918, 0, false, 0);

/// Most sessions a task has (`sessions_count`, `schedule[]`).
pub const MAX_SESSIONS_PER_TASK: u64 = 100;

/// Most units in one order (an event's `quantity`, a flash-sale order's).
pub const MAX_QUANTITY: u64 = 10_000;

/// Most units a flash sale offers.
pub const MAX_STOCK: u64 = 1_000_000;

/// Largest room viewer count one `viewer_count` event may report.
pub const MAX_VIEWER_COUNT: u64 = 100_000_000;

/// Most likes one `like` event may carry.
pub const MAX_LIKES_PER_EVENT: u64 = 1_000_000;

/// Largest value one `gift` event may carry (platform gift units).
pub const MAX_GIFT_VALUE: u64 = 100_000_000;

/// Longest id a client chooses (viewer, order, product, message, buyer ids), in
/// characters.
pub const MAX_ID_CHARS: usize = 128;

/// Longest free text in a live event (`chat`, `question`), in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Most whole counts a caller may state (viewers, orders, questions, views in
/// an approval's stated figures or a payout preview): ten billion.
pub const MAX_COUNT: u64 = 10_000_000_000;

/// Checks a client-chosen id: non-blank, at most [`MAX_ID_CHARS`] characters.
pub fn check_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("must not be empty".to_string());
    }
    let n = id.chars().count();
    if n > MAX_ID_CHARS {
        return Err(format!(
            "must be at most {MAX_ID_CHARS} characters, got {n}"
        ));
    }
    Ok(())
}

/// Checks free text: at most [`MAX_TEXT_CHARS`] characters.
pub fn check_text(text: &str) -> Result<(), String> {
    let n = text.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(format!(
            "must be at most {MAX_TEXT_CHARS} characters, got {n}"
        ));
    }
    Ok(())
}

/// Checks a whole count against its maximum.
pub fn check_count(n: u64, max: u64) -> Result<(), String> {
    if n > max {
        return Err(format!(
            "must be at most {}, got {}",
            crate::money::group_thousands(&max.to_string()),
            crate::money::group_thousands(&n.to_string())
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_non_blank_and_bounded_in_characters() {
        assert!(check_id("u1").is_ok());
        assert_eq!(check_id("  ").unwrap_err(), "must not be empty");
        assert!(check_id(&"é".repeat(128)).is_ok());
        assert_eq!(
            check_id(&"x".repeat(129)).unwrap_err(),
            "must be at most 128 characters, got 129"
        );
    }

    #[test]
    fn counts_name_their_maximum() {
        assert!(check_count(10_000, MAX_QUANTITY).is_ok());
        assert_eq!(
            check_count(10_001, MAX_QUANTITY).unwrap_err(),
            "must be at most 10,000, got 10,001"
        );
    }

    #[test]
    fn the_wallet_limit_is_ten_trillion() {
        assert_eq!(
            MAX_WALLET_BALANCE,
            rust_decimal::Decimal::from(10_000_000_000_000_i64)
        );
    }

    #[test]
    fn the_largest_task_payout_fits_in_minor_units_of_every_currency() {
        // Base, commission on the GMV of every session at the limit, and
        // bonuses worth as much again: still below i64::MAX in 3-decimal units.
        let most = MAX_SESSION_GMV * rust_decimal::Decimal::from(MAX_SESSIONS_PER_TASK)
            + MAX_AMOUNT * rust_decimal::Decimal::from(3);
        let kwd = crate::money::Currency::parse("KWD").unwrap();
        assert!(crate::money::to_minor(most, kwd).is_ok());
    }
}
