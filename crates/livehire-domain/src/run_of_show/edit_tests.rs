//! Edited plans: what passes, and each refusal named by its path.

use serde_json::{Value, json};

use super::*;
use crate::run_of_show::test_tasks::*;
use crate::run_of_show::{advice, products_count, propose};

fn error_pairs(errs: &[FieldError]) -> Vec<(&str, &str)> {
    errs.iter()
        .map(|e| (e.path.as_str(), e.message.as_str()))
        .collect()
}

#[test]
fn a_proposed_plan_validates_unchanged() {
    for body in [
        launch_premiere(),
        getting_started(),
        weekly_series(),
        smart_home_qa(),
    ] {
        let t = task(&body);
        let show = propose(&t, products_count(&body));
        let v = serde_json::to_value(&show).unwrap();
        assert_eq!(validate(&v, &t), Ok(show));
    }
}

#[test]
fn edits_may_move_flash_sales_but_not_leave_gaps() {
    let t = task(&smart_home_qa());
    // One long product block and a single late flash sale: odd pacing, but allowed.
    let plan = json!({"sessions": [{"segments": [
        {"start_minute": 0, "end_minute": 10, "kind": "opening", "title": "Hi"},
        {"start_minute": 10, "end_minute": 70, "kind": "product",
            "product_ids": ["prod_001", "prod_002", "prod_003"], "notes": "Demos and Q&A"},
        {"start_minute": 70, "end_minute": 80, "kind": "flash_sale", "product_ids": ["prod_002"]},
        {"start_minute": 80, "end_minute": 90, "kind": "closing"}
    ]}]});
    let show = validate(&plan, &t).unwrap();
    assert_eq!(show.sessions[0].duration_minutes, 90);
    assert_eq!(show.sessions[0].segments[1].notes, "Demos and Q&A");
    assert_eq!(
        show.sessions[0].segments[0].product_ids,
        Vec::<String>::new()
    );
    assert_eq!(
        advice(&show.sessions[0]),
        [
            "the first flash sale starts at minute 70; the seed suggests one every 20-30 minutes",
            "flash sales at minutes 70 and 80 are 10 minutes apart (suggested 20-30)"
        ]
    );
}

#[test]
fn gaps_overlaps_and_short_plans_are_named_by_path() {
    let t = task(&smart_home_qa());
    let plan = json!({"sessions": [{"session_index": 0, "duration_minutes": 90, "segments": [
        {"start_minute": 0, "end_minute": 10, "kind": "opening"},
        {"start_minute": 12, "end_minute": 30, "kind": "product", "product_ids": ["prod_001", "prod_002", "prod_003"]},
        {"start_minute": 25, "end_minute": 25, "kind": "flash_sale"},
        {"start_minute": 25, "end_minute": 85, "kind": "product"}
    ]}]});
    assert_eq!(
        error_pairs(&validate(&plan, &t).unwrap_err()),
        [
            (
                "sessions[0].segments[1].start_minute",
                "must be 10: a gap after the previous segment, which ends at 10"
            ),
            (
                "sessions[0].segments[2].start_minute",
                "must be 30: overlaps the previous segment, which ends at 30"
            ),
            (
                "sessions[0].segments[2].end_minute",
                "must be greater than start_minute (25)"
            ),
            (
                "sessions[0].segments[3].end_minute",
                "must be 90: the last segment ends the session"
            ),
        ]
    );
}

#[test]
fn every_product_must_appear_in_every_session() {
    let t = task(&smart_home_qa());
    let plan = json!({"sessions": [{"segments": [
        {"start_minute": 0, "end_minute": 10, "kind": "opening"},
        {"start_minute": 10, "end_minute": 80, "kind": "product", "product_ids": ["prod_002", "prod_009"]},
        {"start_minute": 80, "end_minute": 95, "kind": "closing"}
    ]}]});
    assert_eq!(
        error_pairs(&validate(&plan, &t).unwrap_err()),
        [
            (
                "sessions[0].segments[1].product_ids[1]",
                "'prod_009' is not a product of the task (its products are prod_001, prod_002, prod_003)"
            ),
            (
                "sessions[0].segments[2].end_minute",
                "must be at most 90, the session's duration"
            ),
        ]
    );
    let plan = json!({"sessions": [{"segments": [
        {"start_minute": 0, "end_minute": 10, "kind": "opening"},
        {"start_minute": 10, "end_minute": 80, "kind": "product", "product_ids": ["prod_002"]},
        {"start_minute": 80, "end_minute": 90, "kind": "closing"}
    ]}]});
    assert_eq!(
        error_pairs(&validate(&plan, &t).unwrap_err()),
        [(
            "sessions[0].segments",
            "must feature every product of the task; missing prod_001, prod_003"
        )]
    );
}

#[test]
fn malformed_plans_are_named_by_path() {
    let t = task(&weekly_series());
    let errs = |v: Value| {
        validate(&v, &t)
            .unwrap_err()
            .into_iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        errs(json!([1])),
        [": the plan must be a JSON object {\"sessions\": [...]}"]
    );
    assert_eq!(
        errs(json!({})),
        ["sessions: is required: the plan is {\"sessions\": [{\"segments\": [...]}, ...]}"]
    );
    assert_eq!(
        errs(json!({"sessions": {}})),
        ["sessions: must be a list with one plan per session"]
    );
    let good = serde_json::to_value(propose(&t, Some(12))).unwrap();
    let mut three = good.clone();
    three["sessions"].as_array_mut().unwrap().pop();
    assert_eq!(
        errs(three),
        ["sessions: must have 4 entries, one per session of the task (got 3)"]
    );
    let mut bad = good.clone();
    bad["sessions"][1]["session_index"] = json!(5);
    bad["sessions"][1]["duration_minutes"] = json!(60);
    bad["sessions"][2]["segments"][3]["kind"] = json!("giveaway");
    bad["sessions"][2]["segments"][4]["end_minute"] = json!(-1);
    bad["sessions"][2]["segments"][5]["product_ids"] = json!("product_1");
    bad["sessions"][2]["segments"][6]["title"] = json!(7);
    bad["sessions"][3]["segments"] = json!([]);
    bad["sessions"][0]["segments"][0] = json!("opening");
    assert_eq!(
        errs(bad),
        [
            "sessions[0].segments[0]: must be an object {start_minute, end_minute, kind, title, product_ids, notes}",
            "sessions[1].session_index: must be 1, the position of the session",
            "sessions[1].duration_minutes: must be 120, the session's duration",
            "sessions[2].segments[3].kind: must be one of opening, product, flash_sale, spotlight, closing",
            "sessions[2].segments[4].end_minute: must be a whole number of minutes from the session start",
            "sessions[2].segments[5].product_ids: must be a list of product ids",
            "sessions[2].segments[6].title: must be a string of at most 200 characters",
            "sessions[3].segments: must list at least one segment",
        ]
    );
}
