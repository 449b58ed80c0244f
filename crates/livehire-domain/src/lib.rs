//! livehire's business rules.
//!
//! Everything here is pure: no IO, no async, no clock reads (the caller passes
//! `now`). HTTP handlers, MCP tools and the CLI reach these rules only through the
//! server's service layer, so each rule lives in exactly one place.
#![forbid(unsafe_code)]

pub mod access;
pub mod bonus;
pub mod commission;
pub mod eligibility;
pub mod error;
pub mod events;
pub mod figures;
pub mod host;
pub mod identity;
pub mod ids;
mod json;
pub mod ledger;
pub mod limits;
pub mod live;
pub mod matching;
pub mod money;
pub mod niche;
pub mod payout;
pub mod run_of_show;
pub mod search;
pub mod state;
pub mod statuses;
pub mod submission;
pub mod task;
#[cfg(test)]
mod test_hosts;

pub use error::FieldError;
