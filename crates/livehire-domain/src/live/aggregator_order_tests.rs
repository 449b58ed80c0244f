//! Arrival-order independence: the same multiset of events, shuffled and
//! applied in batches with metrics taken in between, gives identical metrics
//! and timelines.

use proptest::prelude::*;

use super::tests::{T0, cny, session, window};
use super::*;

pub(crate) fn arb_event() -> impl Strategy<Value = LiveEvent> {
    let ts = (0_i64..40, 0_i64..2).prop_map(|(s, ms)| s * 1000 + ms);
    let viewer = (0_u8..5).prop_map(|v| format!("v{v}"));
    let msg = prop::option::of((0_u8..4).prop_map(|m| format!("m{m}")));
    let ev = |ts_ms: i64, body| LiveEvent {
        ts_ms: T0 + ts_ms,
        body,
    };
    prop_oneof![
        4 => (ts.clone(), viewer.clone()).prop_map(move |(t, v)| ev(t, EventBody::ViewerJoin { viewer_id: v })),
        3 => (ts.clone(), viewer.clone()).prop_map(move |(t, v)| ev(t, EventBody::ViewerLeave { viewer_id: v })),
        1 => (ts.clone(), 0_u64..50).prop_map(move |(t, count)| ev(t, EventBody::ViewerCount { count })),
        1 => (ts.clone(), viewer.clone(), msg.clone()).prop_map(move |(t, v, msg_id)| {
            ev(t, EventBody::Chat { viewer_id: v, text: "x".into(), msg_id })
        }),
        1 => (ts.clone(), viewer.clone(), msg.clone()).prop_map(move |(t, v, msg_id)| {
            ev(t, EventBody::Question { viewer_id: v, text: "?".into(), msg_id })
        }),
        1 => (ts.clone(), msg).prop_map(move |(t, msg_id)| ev(t, EventBody::QuestionAnswered { msg_id, viewer_id: None })),
        1 => (ts.clone(), viewer.clone(), 1_u64..5).prop_map(move |(t, v, count)| ev(t, EventBody::Like { viewer_id: v, count })),
        1 => (ts.clone(), viewer.clone()).prop_map(move |(t, v)| ev(t, EventBody::Share { viewer_id: v })),
        1 => (ts.clone(), viewer.clone()).prop_map(move |(t, v)| ev(t, EventBody::Follow { viewer_id: v })),
        1 => (ts.clone(), viewer.clone(), 0_u64..100).prop_map(move |(t, v, value)| ev(t, EventBody::Gift { viewer_id: v, value })),
        1 => (ts.clone(), 0_u8..3).prop_map(move |(t, p)| ev(t, EventBody::ProductPin { product_id: format!("p{p}") })),
        3 => (ts.clone(), 0_u8..4, viewer, 0_u8..3, 1_u64..4, 0_i64..5_000, prop::option::of(0_u8..2)).prop_map(
            move |(t, o, v, p, quantity, amount_minor, fs)| {
                ev(t, EventBody::Order {
                    order_id: format!("o{o}"),
                    viewer_id: v,
                    product_id: format!("p{p}"),
                    quantity,
                    amount_minor,
                    currency: "CNY".into(),
                    flash_sale_id: fs.map(|f| format!("fs{f}")),
                })
            }
        ),
        1 => (ts, 0_u8..4).prop_map(move |(t, o)| ev(t, EventBody::OrderRefund { order_id: format!("o{o}") })),
    ]
}

/// Everything the aggregator reports for a few windows.
fn observe(agg: &mut SessionAggregator) -> Vec<(Metrics, Timeline)> {
    [
        Window::default(),
        window(5, 30),
        Window {
            start_ms: None,
            end_ms: Some(T0 + 50_000),
            closed: false,
        },
    ]
    .into_iter()
    .map(|w| (agg.metrics(w), agg.timeline(w, 7)))
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn metrics_do_not_depend_on_arrival_order_or_batches(
        (events, shuffled, snapshots) in prop::collection::vec(arb_event(), 0..60).prop_flat_map(|v| {
            let n = v.len();
            (Just(v.clone()), Just(v).prop_shuffle(), prop::collection::vec(any::<bool>(), n))
        })
    ) {
        let mut in_order = session(&events);
        let mut batched = SessionAggregator::new(cny());
        for (e, snapshot) in shuffled.iter().zip(&snapshots) {
            batched.apply(e);
            if *snapshot {
                // Taking metrics between batches must not change the result.
                batched.metrics(Window::default());
            }
        }
        prop_assert_eq!(observe(&mut in_order), observe(&mut batched));
    }
}

/// Applies an event, orders through [`SessionAggregator::apply_order`].
fn apply_by_reference(agg: &mut SessionAggregator, e: &LiveEvent) -> Applied {
    match &e.body {
        EventBody::Order {
            order_id,
            viewer_id,
            product_id,
            quantity,
            amount_minor,
            currency,
            flash_sale_id,
        } => agg.apply_order(&OrderRef {
            ts_ms: e.ts_ms,
            order_id,
            viewer_id,
            product_id,
            quantity: *quantity,
            amount_minor: *amount_minor,
            currency,
            flash_sale_id: flash_sale_id.as_deref(),
        }),
        _ => agg.apply(e),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn orders_by_reference_count_as_order_events(
        events in prop::collection::vec(arb_event(), 0..60)
    ) {
        let mut owned = SessionAggregator::new(cny());
        let mut borrowed = SessionAggregator::new(cny());
        for e in &events {
            prop_assert_eq!(owned.apply(e), apply_by_reference(&mut borrowed, e));
        }
        prop_assert_eq!(observe(&mut owned), observe(&mut borrowed));
    }
}

#[test]
fn an_order_by_reference_in_another_currency_is_rejected_and_not_counted() {
    let mut agg = SessionAggregator::new(cny());
    let order = |currency| OrderRef {
        ts_ms: T0,
        order_id: "o1",
        viewer_id: "v1",
        product_id: "p1",
        quantity: 2,
        amount_minor: 9_900,
        currency,
        flash_sale_id: Some("fs1"),
    };
    let refused = agg.apply_order(&order("USD"));
    assert_eq!(
        refused,
        Applied::Rejected("order.currency: must be the session's currency CNY, got USD".into())
    );
    assert_eq!(agg.metrics(Window::default()).orders, 0);
    assert_eq!(agg.apply_order(&order("CNY")), Applied::Counted);
    assert_eq!(agg.apply_order(&order("CNY")), Applied::Duplicate);
    let m = agg.metrics(Window::default());
    assert_eq!(
        (m.orders, m.units, m.gmv.to_string()),
        (1, 2, "99.00".into())
    );
}
