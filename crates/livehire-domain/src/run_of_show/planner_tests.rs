//! The planner against the seed: every proposal covers its session, shows
//! every product, and keeps the seed's rhythm.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::run_of_show::test_tasks::*;
use crate::run_of_show::{advice, flash_sale_starts, offer_starts, validate};

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn placeholders(n: u32) -> Vec<String> {
    (1..=n).map(|i| format!("product_{i}")).collect()
}

/// The seed's rules, checked on one session plan whose offers are `offer`:
/// flash sales, or spotlights when the task gives no product a live price.
fn assert_follows_the_seed(plan: &SessionPlanOfShow, products: &[String], offer: SegmentKind) {
    let (what, other) = match offer {
        SegmentKind::FlashSale => ("flash sale", SegmentKind::Spotlight),
        _ => ("spotlight", SegmentKind::FlashSale),
    };
    let d = plan.duration_minutes;
    let segs = &plan.segments;
    // Contiguous cover of 0..d.
    assert_eq!(segs[0].start_minute, 0);
    assert_eq!(segs.last().unwrap().end_minute, d);
    for pair in segs.windows(2) {
        assert_eq!(pair[0].end_minute, pair[1].start_minute, "{segs:#?}");
    }
    assert!(segs.iter().all(|s| s.start_minute < s.end_minute));
    // Every product appears.
    for p in products {
        assert!(
            segs.iter()
                .any(|s| s.kind == SegmentKind::Product && s.product_ids.contains(p)),
            "{p} missing from {segs:#?}"
        );
    }
    // Offers of one kind only.
    assert!(segs.iter().all(|s| s.kind != other), "{segs:#?}");
    // Opening 0–10 announces the first offer.
    let opening = &segs[0];
    assert_eq!(opening.kind, SegmentKind::Opening);
    assert_eq!(opening.end_minute, 10);
    let starts = offer_starts(plan);
    let first_offer = segs
        .iter()
        .find(|s| {
            matches!(
                s.kind,
                SegmentKind::FlashSale | SegmentKind::Spotlight | SegmentKind::Closing
            )
        })
        .unwrap();
    assert_eq!(opening.product_ids, first_offer.product_ids);
    assert!(
        opening
            .notes
            .contains(&format!("Announce the first {what}: ")),
        "{}",
        opening.notes
    );
    assert!(
        opening
            .notes
            .ends_with(&format!("at minute {}.", starts[0]))
    );
    // Closing is the last 10 minutes.
    let closing = segs.last().unwrap();
    assert_eq!(closing.kind, SegmentKind::Closing);
    assert_eq!(closing.start_minute, d - 10);
    assert!(closing.notes.starts_with(&format!("Final {what} on ")));
    // Offers every 20–30 minutes, the first by minute 30.
    assert!(starts[0] <= 30, "{starts:?}");
    for pair in starts.windows(2) {
        assert!(
            FLASH_SALE_SPACING.contains(&(pair[1] - pair[0])),
            "{starts:?}"
        );
    }
    assert_eq!(advice(plan), Vec::<String>::new());
    // Product segments last 8–12 minutes.
    for s in segs.iter().filter(|s| s.kind == SegmentKind::Product) {
        assert!(
            PRODUCT_SEGMENT_MINUTES.contains(&(s.end_minute - s.start_minute)),
            "{s:?}"
        );
    }
}

fn kinds_and_minutes(plan: &SessionPlanOfShow) -> Vec<(u32, u32, &'static str)> {
    plan.segments
        .iter()
        .map(|s| (s.start_minute, s.end_minute, s.kind.name()))
        .collect()
}

#[test]
fn the_launch_premiere_rotates_three_products_over_three_hours() {
    let t = task(&launch_premiere());
    let show = propose(&t, None);
    assert_eq!(show.sessions.len(), 1);
    let plan = &show.sessions[0];
    assert_eq!(plan.duration_minutes, 180);
    assert_follows_the_seed(
        plan,
        &ids(&["prod_001", "prod_002", "prod_003"]),
        SegmentKind::FlashSale,
    );
    assert_eq!(flash_sale_starts(plan), [20, 45, 70, 95, 120, 145, 170]);
    let product_order: Vec<&str> = plan
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Product)
        .map(|s| s.product_ids[0].as_str())
        .collect();
    assert_eq!(
        product_order[..4],
        ["prod_001", "prod_002", "prod_003", "prod_001"]
    );
    let opening = &plan.segments[0];
    assert_eq!(opening.title, "Welcome & first flash-sale preview");
    assert_eq!(
        opening.notes,
        "Welcome viewers and shout out early arrivals. Overview of today's plan: 3 products \
         (Vitamin C Serum, Retinol Night Cream, Hydrating Face Mask). Announce the first \
         flash sale: Vitamin C Serum at minute 20."
    );
    assert_eq!(plan.segments[1].title, "Vitamin C Serum");
    assert_eq!(
        plan.segments[1].notes,
        "Demonstrate Vitamin C Serum at 139.3 CNY live (retail 199); answer chat questions and shout out buyers."
    );
    assert_eq!(
        (plan.segments[2].kind, plan.segments[2].title.as_str()),
        (SegmentKind::FlashSale, "Flash sale: Vitamin C Serum")
    );
    assert_eq!(
        plan.segments[2].notes,
        "5-minute flash sale on Vitamin C Serum at 139.3 CNY live (retail 199): on-screen countdown, limited stock, call out orders as they come in."
    );
    let closing = plan.segments.last().unwrap();
    assert_eq!(closing.title, "Final flash sale, recap & thank-you");
    assert!(
        closing
            .notes
            .ends_with("thank viewers and ask them to follow for the next live."),
        "{}",
        closing.notes
    );
}

#[test]
fn the_getting_started_task_plans_its_eight_counted_products() {
    let body = getting_started();
    assert_eq!(products_count(&body), Some(8));
    let show = propose(&task(&body), products_count(&body));
    let plan = &show.sessions[0];
    assert_eq!(plan.duration_minutes, 120);
    // Placeholders have no price: spotlights keep the rhythm.
    assert_follows_the_seed(plan, &placeholders(8), SegmentKind::Spotlight);
    assert_eq!(offer_starts(plan), [20, 43, 66, 88, 110]);
    assert_eq!(plan.segments[1].title, "Product 1");
    assert!(plan.segments[1].notes.contains("Placeholder"));
}

#[test]
fn a_task_without_products_gets_one_placeholder_per_segment() {
    let mut body = getting_started();
    body["live_session_details"]
        .as_object_mut()
        .unwrap()
        .shift_remove("products_count");
    assert_eq!(products_count(&body), None);
    let plan = &propose(&task(&body), None).sessions[0];
    let product_segments = plan
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::Product)
        .count() as u32;
    assert_follows_the_seed(
        plan,
        &placeholders(product_segments),
        SegmentKind::Spotlight,
    );
}

#[test]
fn the_weekly_series_plans_every_session_and_teases_the_next() {
    let body = weekly_series();
    assert_eq!(products_count(&body), Some(12));
    let t = task(&body);
    let show = propose(&t, products_count(&body));
    assert_eq!(show.sessions.len(), 4);
    for (i, plan) in show.sessions.iter().enumerate() {
        assert_eq!(plan.session_index, i as u32);
        assert_eq!(plan.duration_minutes, 120);
        // 12 items in fewer product segments: some segments present two.
        assert_follows_the_seed(plan, &placeholders(12), SegmentKind::Spotlight);
    }
    assert_eq!(
        show.sessions[1].segments[0].title,
        "Welcome: Home organization"
    );
    assert!(show.sessions[1].segments[0].notes.starts_with(
        "Welcome viewers and shout out early arrivals (session 2 of 4). Theme: Home organization."
    ));
    let first_closing = show.sessions[0].segments.last().unwrap();
    assert_eq!(
        first_closing.title,
        "Final spotlight, recap & next-session teaser"
    );
    assert!(
        first_closing.notes.ends_with(
            "tease the next session (session 2 \"Home organization\" on 2026-04-12 20:00 UTC) and ask viewers to follow."
        ),
        "{}",
        first_closing.notes
    );
    let last_closing = show.sessions[3].segments.last().unwrap();
    assert!(
        last_closing
            .notes
            .ends_with("thank viewers for the series and ask them to follow for the next live."),
        "{}",
        last_closing.notes
    );
}

#[test]
fn listed_products_rotate_across_a_series() {
    let mut body = weekly_series();
    body["live_session_details"]["products"] = json!([
        {"product_id": "lip", "name": "Lip Tint"}, {"product_id": "cushion", "name": "Cushion"},
        {"product_id": "serum", "name": "Serum"}, {"product_id": "mask", "name": "Mask"},
        {"product_id": "mist", "name": "Mist"}
    ]);
    body["live_session_details"]["time_zone"] = json!("Asia/Shanghai");
    let t = task(&body);
    let show = propose(&t, products_count(&body));
    let all = ids(&["lip", "cushion", "serum", "mask", "mist"]);
    let order = ["lip", "cushion", "serum", "mask", "mist"];
    for pair in show.sessions.windows(2) {
        assert_follows_the_seed(&pair[0], &all, SegmentKind::Spotlight);
        let last = pair[0]
            .segments
            .iter()
            .rev()
            .find(|s| s.kind == SegmentKind::Product)
            .unwrap();
        let first = pair[1]
            .segments
            .iter()
            .find(|s| s.kind == SegmentKind::Product)
            .unwrap();
        let at = order
            .iter()
            .position(|p| *p == last.product_ids[0])
            .unwrap();
        assert_eq!(first.product_ids[0], order[(at + 1) % order.len()]);
    }
    assert_follows_the_seed(&show.sessions[3], &all, SegmentKind::Spotlight);
    assert!(
        show.sessions[0]
            .segments
            .last()
            .unwrap()
            .notes
            .contains("on 2026-04-13 04:00 CST"),
        "{}",
        show.sessions[0].segments.last().unwrap().notes
    );
}

#[test]
fn the_ninety_minute_qa_session() {
    let t = task(&smart_home_qa());
    let plan = &propose(&t, None).sessions[0];
    // Retail prices only: spotlights, not flash sales at full price.
    assert_follows_the_seed(
        plan,
        &ids(&["prod_001", "prod_002", "prod_003"]),
        SegmentKind::Spotlight,
    );
    assert_eq!(offer_starts(plan), [20, 50, 80]);
    assert_eq!(
        kinds_and_minutes(plan)[..4],
        [
            (0, 10, "opening"),
            (10, 20, "product"),
            (20, 25, "spotlight"),
            (25, 34, "product")
        ]
    );
}

#[test]
fn flash_sales_last_as_long_as_their_product_says() {
    let mut body = launch_premiere();
    for (i, minutes) in [10, 15, 3].iter().enumerate() {
        body["live_session_details"]["products"][i]["flash_sale_duration_minutes"] = json!(minutes);
        body["live_session_details"]["products"][i]["stock_quantity"] = json!(500);
    }
    body["live_session_details"]["products"][0]["live_discount_price"] = json!(139.30);
    let plan = &propose(&task(&body), None).sessions[0];
    let flash: Vec<(u32, String)> = plan
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::FlashSale)
        .map(|s| (s.end_minute - s.start_minute, s.product_ids[0].clone()))
        .collect();
    for (minutes, id) in &flash {
        let want = match id.as_str() {
            "prod_001" => 10,
            "prod_002" => 15,
            _ => 3,
        };
        assert_eq!(*minutes, want, "{flash:?}");
    }
    let starts = flash_sale_starts(plan);
    for pair in starts.windows(2) {
        assert!(
            FLASH_SALE_SPACING.contains(&(pair[1] - pair[0])),
            "{starts:?}"
        );
    }
    let first_flash = plan
        .segments
        .iter()
        .find(|s| s.kind == SegmentKind::FlashSale)
        .unwrap();
    assert_eq!(
        first_flash.notes,
        "10-minute flash sale on Vitamin C Serum at 139.3 CNY live (retail 199): on-screen countdown, limited stock (500 units), call out orders as they come in."
    );
}

#[test]
fn short_sessions_shrink_the_opening_and_closing() {
    let products = json!([{"name": "A"}, {"name": "B"}, {"name": "C"}]);
    let plan_for = |minutes: u32| {
        let mut body = launch_premiere();
        body["live_session_details"] =
            json!({"duration_minutes": minutes, "products": products.clone()});
        propose(&task(&body), None).sessions.remove(0)
    };
    assert_eq!(
        kinds_and_minutes(&plan_for(30)),
        [
            (0, 7, "opening"),
            (7, 15, "product"),
            (15, 23, "product"),
            (23, 30, "closing")
        ]
    );
    assert_eq!(
        kinds_and_minutes(&plan_for(20)),
        [(0, 5, "opening"), (5, 15, "product"), (15, 20, "closing")]
    );
    assert_eq!(
        plan_for(20).segments[1].product_ids,
        ["prod_001", "prod_002", "prod_003"]
    );
    assert_eq!(
        kinds_and_minutes(&plan_for(3)),
        [(0, 1, "opening"), (1, 2, "product"), (2, 3, "closing")]
    );
    assert_eq!(kinds_and_minutes(&plan_for(2)), [(0, 2, "product")]);
    assert_eq!(kinds_and_minutes(&plan_for(1)), [(0, 1, "product")]);
    assert_eq!(
        kinds_and_minutes(&plan_for(40)),
        [
            (0, 10, "opening"),
            (10, 20, "product"),
            (20, 30, "product"),
            (30, 40, "closing")
        ]
    );
}

#[test]
fn products_count_reads_counts_and_ranges() {
    let with = |details: Value| products_count(&json!({"live_session_details": details}));
    assert_eq!(with(json!({"products_count": 8})), Some(8));
    assert_eq!(
        with(json!({"products_per_session": "10-12 items"})),
        Some(12)
    );
    assert_eq!(with(json!({"products_per_session": 6})), Some(6));
    assert_eq!(with(json!({"products_count": 0})), None);
    assert_eq!(with(json!({"products_count": 1_000_000})), Some(100));
    assert_eq!(with(json!({"products_per_session": "a few"})), None);
    assert_eq!(products_count(&json!({})), None);
}

#[test]
fn the_plan_serialises_with_snake_case_kinds_and_round_trips() {
    let show = propose(&task(&launch_premiere()), None);
    let v = serde_json::to_value(&show).unwrap();
    assert_eq!(v["sessions"][0]["segments"][2]["kind"], "flash_sale");
    assert_eq!(v["sessions"][0]["segments"][0]["start_minute"], 0);
    let back: RunOfShow = serde_json::from_value(v).unwrap();
    assert_eq!(back, show);
}

#[test]
fn without_a_live_price_the_flash_sale_slots_are_spotlights() {
    let plan = &propose(&task(&smart_home_qa()), None).sessions[0];
    for s in &plan.segments {
        assert_ne!(s.kind, SegmentKind::FlashSale);
        assert!(!s.title.to_lowercase().contains("flash"), "{s:?}");
    }
    let spotlight = &plan.segments[2];
    assert_eq!(spotlight.title, "Spotlight: Smart Speaker");
    assert_eq!(
        spotlight.notes,
        "5-minute spotlight on Smart Speaker at 299 CNY: recap why it is worth buying and take \
         orders at this price. A flash sale needs a live price: give the product a \
         live_discount_price below its retail_price, or a launch_discount."
    );
    assert_eq!(
        plan.segments[0].notes,
        "Welcome viewers and shout out early arrivals. Overview of today's plan: 3 products \
         (Smart Speaker, Smart Light Bulbs (4-pack), Smart Plug Set). Announce the first \
         spotlight: Smart Speaker at minute 20."
    );
    let closing = plan.segments.last().unwrap();
    assert_eq!(closing.title, "Final spotlight, recap & thank-you");
    assert_eq!(
        closing.notes,
        "Final spotlight on Smart Plug Set; recap the session's products; thank viewers and \
         ask them to follow for the next live."
    );
    assert_eq!(advice(plan), Vec::<String>::new());
    // A live price equal to retail, or a 0% launch discount, is no discount.
    let mut body = smart_home_qa();
    body["live_session_details"]["products"][0]["live_discount_price"] = json!(299);
    body["live_session_details"]["products"][1]["launch_discount"] = json!("0%");
    let plan = &propose(&task(&body), None).sessions[0];
    assert!(
        plan.segments
            .iter()
            .all(|s| s.kind != SegmentKind::FlashSale)
    );
}

#[test]
fn flash_sales_rotate_through_the_discounted_products_only() {
    let mut body = launch_premiere();
    // The serum loses its discount; the cream and the mask keep theirs.
    body["live_session_details"]["products"][0]
        .as_object_mut()
        .unwrap()
        .shift_remove("launch_discount");
    let plan = &propose(&task(&body), None).sessions[0];
    assert_follows_the_seed(
        plan,
        &ids(&["prod_001", "prod_002", "prod_003"]),
        SegmentKind::FlashSale,
    );
    let sold: Vec<&str> = plan
        .segments
        .iter()
        .filter(|s| matches!(s.kind, SegmentKind::FlashSale | SegmentKind::Closing))
        .map(|s| s.product_ids[0].as_str())
        .collect();
    assert_eq!(
        sold,
        [
            "prod_002", "prod_003", "prod_002", "prod_003", "prod_002", "prod_003", "prod_002"
        ]
    );
    let first = plan
        .segments
        .iter()
        .find(|s| s.kind == SegmentKind::FlashSale)
        .unwrap();
    // 249 less 25%.
    assert_eq!(
        first.notes,
        "5-minute flash sale on Retinol Night Cream at 186.75 CNY live (retail 249): on-screen \
         countdown, limited stock, call out orders as they come in."
    );
    // The serum is still presented, at its retail price.
    let serum = plan
        .segments
        .iter()
        .find(|s| s.kind == SegmentKind::Product && s.product_ids == ["prod_001"])
        .unwrap();
    assert!(
        serum.notes.contains("Vitamin C Serum at 199 CNY;"),
        "{}",
        serum.notes
    );
}

fn products_json(flash: &[Option<u32>]) -> Value {
    Value::Array(
        flash
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut p = json!({"product_id": format!("p{i}"), "retail_price": 10 + i,
                    "name": "x".repeat(i * 20)});
                // Every third product has a live price below retail.
                if i % 3 == 2 {
                    p["live_discount_price"] = json!(5 + i);
                }
                if let Some(f) = f {
                    p["flash_sale_duration_minutes"] = json!(f);
                }
                p
            })
            .collect(),
    )
}

proptest! {
    #[test]
    fn every_plan_covers_the_session_and_every_product(
        minutes in 1u32..=720,
        sessions in 1u32..=3,
        flash in proptest::collection::vec(proptest::option::of(1u32..=60), 0..25),
        count in proptest::option::of(1u32..=40),
    ) {
        let mut body = launch_premiere();
        body["live_session_details"] = json!({"duration_minutes": minutes,
            "sessions_count": sessions, "products": products_json(&flash)});
        let t = task(&body);
        let show = propose(&t, count);
        prop_assert_eq!(show.sessions.len(), sessions as usize);
        let wanted: Vec<String> = if flash.is_empty() {
            count.map(placeholders).unwrap_or_default()
        } else {
            (0..flash.len()).map(|i| format!("p{i}")).collect()
        };
        let discounted: Vec<String> = (0..flash.len()).filter(|i| i % 3 == 2).map(|i| format!("p{i}")).collect();
        for plan in &show.sessions {
            let segs = &plan.segments;
            // Flash sales sell discounted products only; without any, spotlights.
            for s in segs {
                match s.kind {
                    SegmentKind::FlashSale => prop_assert!(discounted.contains(&s.product_ids[0])),
                    SegmentKind::Spotlight => prop_assert!(discounted.is_empty()),
                    _ => {}
                }
            }
            prop_assert_eq!(segs[0].start_minute, 0);
            prop_assert_eq!(segs.last().unwrap().end_minute, minutes);
            for pair in segs.windows(2) {
                prop_assert_eq!(pair[0].end_minute, pair[1].start_minute);
            }
            prop_assert!(segs.iter().all(|s| s.start_minute < s.end_minute));
            for p in &wanted {
                prop_assert!(segs.iter().any(|s| s.kind == SegmentKind::Product && s.product_ids.contains(p)));
            }
            if minutes >= 40 {
                prop_assert_eq!(segs[0].kind, SegmentKind::Opening);
                prop_assert_eq!(segs[0].end_minute, 10);
                prop_assert_eq!(segs.last().unwrap().kind, SegmentKind::Closing);
                prop_assert_eq!(segs.last().unwrap().start_minute, minutes - 10);
            }
            if minutes >= 40 {
                prop_assert_eq!(advice(plan), Vec::<String>::new());
            }
        }
        let v = serde_json::to_value(&show).unwrap();
        prop_assert_eq!(validate(&v, &t), Ok(show));
    }
}
