//! livehire's demo data and session simulator.
//!
//! Not rules: the data and generators that let a newcomer, a test or a
//! benchmark play the market without real hosts or a real TikTok LIVE.
//! [`hosts`] holds the seed document's three host profiles and a generator of
//! synthetic ones (`livehire seed`, `serve --demo`); [`session`] generates a
//! whole live session's events and flash-sale orders (`livehire simulate`).
//!
//! Pure like the domain it builds on: no IO, no async, no clock reads, and every
//! random choice comes from a seeded generator, so the same input gives the same
//! output.
#![forbid(unsafe_code)]

pub mod hosts;
pub mod session;
