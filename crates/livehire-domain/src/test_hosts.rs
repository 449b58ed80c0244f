//! The seed document's three host profiles, for the rules' unit tests.
//!
//! They are demo data and live with the demo crate (`livehire_sim::hosts::
//! seed_hosts`); the tests read the same file from there, so the rules crate
//! has no dependency on the demo crate, not even a dev-dependency back onto
//! the crate that depends on it.

use serde_json::Value;

/// "Live Queen Chen", "Skincare Expert Liu" and "Flash Sale King Zhang", in order.
pub(crate) fn seed_hosts() -> Vec<Value> {
    serde_json::from_str(include_str!("../../livehire-sim/src/hosts/seed_hosts.json"))
        .expect("livehire-sim's hosts/seed_hosts.json is a valid JSON array")
}
