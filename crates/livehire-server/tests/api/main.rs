//! Integration tests: the real server on a random port over a fresh database,
//! spoken to over HTTP.

mod accounts;
mod bad_input;
mod harness;
mod hiring;
mod idempotency;
mod openapi;
mod search;
mod seed_replay;
mod tasks;
