//! Integration tests: the real server on a random port over a fresh database,
//! spoken to over HTTP.

mod accounts;
mod authz;
mod bad_input;
mod connector;
mod dashboard;
mod dashboard_live;
mod dashboard_tasks;
mod dead_ends;
mod events;
mod harness;
mod hiring;
mod idempotency;
mod identity;
mod live;
mod mcp;
mod multi_instance;
mod openapi;
mod openapi_examples;
mod operations;
mod reports;
mod run_of_show;
mod search;
mod seed_replay;
mod skill;
mod tasks;
mod tiktok_shop;
mod trust;
mod webhooks;
