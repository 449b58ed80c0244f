//! Figures kept apart by provenance: each part is exactly the aggregator of
//! its own events, the whole is the aggregator of all of them, and no mix of
//! events in any order pushes conversion above 1 or GMV below 0.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::live::aggregator::order_tests::arb_event;
use crate::live::aggregator::tests::{T0, cny, session, window};
use crate::live::event::EventBody;

fn order(secs: i64, id: &str, buyer: &str, minor: i64) -> LiveEvent {
    LiveEvent {
        ts_ms: T0 + secs * 1000,
        body: EventBody::Order {
            order_id: id.into(),
            viewer_id: buyer.into(),
            product_id: "p1".into(),
            quantity: 1,
            amount_minor: minor,
            currency: "CNY".into(),
            flash_sale_id: None,
        },
    }
}

fn join(secs: i64, v: &str) -> LiveEvent {
    LiveEvent {
        ts_ms: T0 + secs * 1000,
        body: EventBody::ViewerJoin {
            viewer_id: v.into(),
        },
    }
}

#[test]
fn host_posted_orders_stay_apart_from_verified_ones() {
    let mut t = SessionTally::new(cny());
    assert_eq!(t.figures_source(), FiguresSource::None);
    // The checkout sold 210.00; the host claims ten orders of 100,000.
    t.apply(&order(10, "ck1", "u1", 10_500), Provenance::Verified);
    t.apply(&order(20, "ck2", "u2", 10_500), Provenance::Verified);
    for i in 0..10 {
        t.apply(
            &order(30 + i, &format!("fake{i}"), "x", 10_000_000),
            Provenance::HostReported,
        );
    }
    let w = window(0, 600);
    let m = t.metrics(w);
    assert_eq!(m.figures_source, FiguresSource::Mixed);
    assert_eq!(m.gmv.to_string(), "1000210.00");
    assert_eq!(m.sources.verified.gmv.to_string(), "210.00");
    assert_eq!(m.sources.verified.orders, 2);
    assert_eq!(m.sources.host_reported.gmv.to_string(), "1000000.00");
    let verified = t.metrics_of(Provenance::Verified, w).unwrap();
    assert_eq!(verified.gmv.to_string(), "210.00");
    assert_eq!(verified.figures_source, FiguresSource::Verified);
    assert_eq!(t.gross_order_minor(Provenance::Verified), 21_000);
    assert_eq!(t.gross_order_minor(Provenance::HostReported), 100_000_000);
}

#[test]
fn one_provenance_alone_is_the_whole() {
    let mut t = SessionTally::new(cny());
    t.apply(&join(0, "a"), Provenance::HostReported);
    t.apply(&order(5, "o1", "a", 500), Provenance::HostReported);
    let m = t.metrics(window(0, 60));
    assert_eq!(m.figures_source, FiguresSource::HostReported);
    assert_eq!(m.sources.host_reported, KeyFigures::of(&m));
    assert_eq!(m.sources.verified, KeyFigures::default());
    assert!(t.metrics_of(Provenance::Verified, window(0, 60)).is_none());
}

#[test]
fn a_buyer_who_never_joined_counts_as_a_viewer() {
    // Twenty buyers, three joined viewers: conversion is 20 / 20, not 20 / 3.
    let mut t = SessionTally::new(cny());
    for v in ["b0", "b1", "b2"] {
        t.apply(&join(1, v), Provenance::Verified);
    }
    for i in 0..20 {
        t.apply(
            &order(10, &format!("o{i}"), &format!("b{i}"), 100),
            Provenance::Verified,
        );
    }
    let m = t.metrics(window(0, 60));
    assert_eq!((m.buyers, m.unique_viewers), (20, 20));
    assert_eq!(m.conversion_rate, Decimal::ONE.round_dp(4));
    assert_eq!(m.tiktok_shop.viewers, 20);
}

#[test]
fn nobody_is_watching_once_the_session_has_ended() {
    let mut t = SessionTally::new(cny());
    t.apply(&join(1, "a"), Provenance::HostReported);
    let open = t.metrics(window(0, 60));
    assert_eq!(open.concurrent_viewers, 1);
    let closed = t.metrics(Window {
        closed: true,
        ..window(0, 60)
    });
    assert_eq!(closed.concurrent_viewers, 0);
    assert_eq!(closed.peak_concurrent_viewers, 1);
    assert_eq!(closed.avg_watch_time_seconds, open.avg_watch_time_seconds);
}

fn arb_sourced() -> impl Strategy<Value = (LiveEvent, Provenance)> {
    (arb_event(), any::<bool>()).prop_map(|(e, v)| {
        (
            e,
            if v {
                Provenance::Verified
            } else {
                Provenance::HostReported
            },
        )
    })
}

fn check_sane(m: &Metrics) -> Result<(), TestCaseError> {
    prop_assert!(
        m.conversion_rate >= Decimal::ZERO && m.conversion_rate <= Decimal::ONE,
        "conversion {}",
        m.conversion_rate
    );
    prop_assert!(m.gmv >= Decimal::ZERO, "gmv {}", m.gmv);
    prop_assert!(m.buyers <= m.unique_viewers);
    for k in [&m.sources.verified, &m.sources.host_reported] {
        prop_assert!(k.conversion_rate >= Decimal::ZERO && k.conversion_rate <= Decimal::ONE);
        prop_assert!(k.gmv >= Decimal::ZERO);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Any multiset of events and orders from either kind of source, in any
    /// order: conversion within 0–1, GMV ≥ 0, the verified figures exactly
    /// those of the verified events alone, the whole exactly all of them.
    #[test]
    fn parts_are_their_own_events_and_figures_stay_sane(
        (events, shuffled) in prop::collection::vec(arb_sourced(), 0..60).prop_flat_map(|v| {
            (Just(v.clone()), Just(v).prop_shuffle())
        })
    ) {
        let mut tally = SessionTally::new(cny());
        for (e, p) in &shuffled {
            tally.apply(e, *p);
        }
        let only = |p: Provenance| -> Vec<LiveEvent> {
            events.iter().filter(|(_, q)| *q == p).map(|(e, _)| e.clone()).collect()
        };
        let all: Vec<LiveEvent> = events.iter().map(|(e, _)| e.clone()).collect();
        for w in [Window::default(), window(5, 30), Window { closed: true, ..window(0, 40) }] {
            let m = tally.metrics(w);
            check_sane(&m)?;
            let mut whole = session(&all).metrics(w);
            whole.sources = m.sources.clone();
            whole.figures_source = m.figures_source;
            prop_assert_eq!(&m, &whole);
            for p in [Provenance::Verified, Provenance::HostReported] {
                let own = only(p);
                let expected = (!own.is_empty()).then(|| KeyFigures::of(&session(&own).metrics(w)));
                let got = tally.metrics_of(p, w).map(|m| KeyFigures::of(&m));
                prop_assert_eq!(&got, &expected);
                if let Some(k) = &expected {
                    let block = match p {
                        Provenance::Verified => &m.sources.verified,
                        Provenance::HostReported => &m.sources.host_reported,
                    };
                    prop_assert_eq!(block, k);
                }
            }
        }
    }
}
