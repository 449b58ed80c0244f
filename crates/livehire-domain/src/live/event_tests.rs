//! Native event parsing and the canonical JSON round trip.

use super::*;
use serde_json::json;

fn cny() -> Currency {
    Currency::parse("CNY").unwrap()
}

fn parse(v: Value) -> Result<LiveEvent, String> {
    parse_event(&v, cny())
}

#[test]
fn reads_ts_as_rfc3339_or_epoch_millis() {
    let a = parse(
        json!({"type": "viewer_join", "ts": "2026-03-25T19:00:00.250+08:00", "viewer_id": "v1"}),
    );
    let b = parse(json!({"type": "viewer_join", "ts": 1_774_436_400_250_i64, "viewer_id": "v1"}));
    let c = parse(json!({"type": "viewer_join", "ts": "1774436400250", "viewer_id": "v1"}));
    assert_eq!(a.unwrap().ts_ms, 1_774_436_400_250);
    assert_eq!(b.unwrap().ts_ms, 1_774_436_400_250);
    assert_eq!(c.unwrap().ts_ms, 1_774_436_400_250);
    for bad in [
        json!("yesterday"),
        json!(1.5),
        json!(true),
        json!("2026-03-25 19:00"),
    ] {
        let err = parse(json!({"type": "viewer_join", "ts": bad, "viewer_id": "v1"})).unwrap_err();
        assert_eq!(err, "ts: not RFC 3339 or epoch milliseconds");
    }
    let err = parse(json!({"type": "chat", "viewer_id": "v1", "text": "hi"})).unwrap_err();
    assert_eq!(err, "ts: required");
}

#[test]
fn reads_an_order_exactly_in_the_session_currency() {
    let e = parse(
        json!({"type": "order", "ts": 0, "order_id": "o1", "viewer_id": "v1",
        "product_id": "p1", "quantity": 2, "amount": 399.80, "currency": "CNY"}),
    )
    .unwrap();
    assert_eq!(
        e.body,
        EventBody::Order {
            order_id: "o1".into(),
            viewer_id: "v1".into(),
            product_id: "p1".into(),
            quantity: 2,
            amount_minor: 39_980,
            currency: "CNY".into(),
            flash_sale_id: None,
        }
    );
    let e = parse(
        json!({"type": "order", "ts": 0, "order_id": 7, "buyer_id": "b",
        "product_id": "p1", "amount": "0.10", "flash_sale_id": "fs_1"}),
    )
    .unwrap();
    let EventBody::Order {
        quantity,
        amount_minor,
        order_id,
        viewer_id,
        flash_sale_id,
        ..
    } = e.body
    else {
        panic!("not an order");
    };
    assert_eq!((quantity, amount_minor), (1, 10));
    assert_eq!((order_id.as_str(), viewer_id.as_str()), ("7", "b"));
    assert_eq!(flash_sale_id.as_deref(), Some("fs_1"));
}

#[test]
fn order_errors_name_the_field() {
    let base = json!({"type": "order", "ts": 0, "order_id": "o1", "viewer_id": "v1",
        "product_id": "p1", "quantity": 1, "amount": 10});
    let with = |k: &str, v: Value| {
        let mut o = base.clone();
        o[k] = v;
        parse(o).unwrap_err()
    };
    assert_eq!(with("amount", json!(-1)), "order.amount: must be ≥ 0");
    assert!(with("amount", json!("ten")).starts_with("order.amount: must be a number"));
    assert!(with("amount", json!(0.001)).starts_with("order.amount: has more decimal places"));
    assert!(
        with("currency", json!("USD"))
            .starts_with("order.currency: must be the session's currency CNY")
    );
    assert_eq!(with("quantity", json!(0)), "order.quantity: must be ≥ 1");
    assert_eq!(with("quantity", json!(-2)), "order.quantity: must be ≥ 0");
    assert_eq!(
        with("order_id", json!("")),
        "order.order_id: must not be empty"
    );
    assert_eq!(
        with("product_id", Value::Null),
        "order.product_id: required"
    );
}

#[test]
fn rejects_unknown_types_and_bad_fields() {
    let err = parse(json!({"type": "dance", "ts": 0})).unwrap_err();
    assert!(
        err.starts_with("type: unknown event type \"dance\""),
        "{err}"
    );
    assert_eq!(
        parse(json!([1])).unwrap_err(),
        "event: must be an object, got an array"
    );
    assert_eq!(parse(json!({"ts": 0})).unwrap_err(), "type: required");
    assert_eq!(
        parse(json!({"type": "viewer_count", "ts": 0, "count": 1.5})).unwrap_err(),
        "viewer_count.count: must be a whole number, got 1.5"
    );
    assert_eq!(
        parse(json!({"type": "chat", "ts": 0, "viewer_id": "v"})).unwrap_err(),
        "chat.text: required"
    );
    assert_eq!(
        parse(json!({"type": "gift", "ts": 0, "viewer_id": {"id": 1}, "value": 1})).unwrap_err(),
        "gift.viewer_id: must be a string id, got an object"
    );
}

#[test]
fn defaults_like_count_to_one_and_allows_anonymous_shares() {
    let e = parse(json!({"type": "like", "ts": 0, "viewer_id": "v"})).unwrap();
    assert_eq!(
        e.body,
        EventBody::Like {
            viewer_id: "v".into(),
            count: 1
        }
    );
    let e = parse(json!({"type": "share", "ts": 0})).unwrap();
    assert_eq!(
        e.body,
        EventBody::Share {
            viewer_id: String::new()
        }
    );
}

fn every_kind() -> Vec<LiveEvent> {
    let at = |ts_ms, body| LiveEvent { ts_ms, body };
    vec![
        at(
            1,
            EventBody::ViewerJoin {
                viewer_id: "v1".into(),
            },
        ),
        at(
            2,
            EventBody::ViewerLeave {
                viewer_id: "v1".into(),
            },
        ),
        at(3, EventBody::ViewerCount { count: 420 }),
        at(
            4,
            EventBody::Chat {
                viewer_id: "v1".into(),
                text: "hi 👋".into(),
                msg_id: Some("m1".into()),
            },
        ),
        at(
            5,
            EventBody::Question {
                viewer_id: "v1".into(),
                text: "size?".into(),
                msg_id: None,
            },
        ),
        at(
            6,
            EventBody::QuestionAnswered {
                msg_id: Some("m2".into()),
                viewer_id: None,
            },
        ),
        at(
            7,
            EventBody::Like {
                viewer_id: "v2".into(),
                count: 15,
            },
        ),
        at(
            8,
            EventBody::Share {
                viewer_id: String::new(),
            },
        ),
        at(
            9,
            EventBody::Follow {
                viewer_id: "v3".into(),
            },
        ),
        at(
            10,
            EventBody::Gift {
                viewer_id: "v3".into(),
                value: 0,
            },
        ),
        at(
            11,
            EventBody::ProductPin {
                product_id: "p1".into(),
            },
        ),
        at(
            1_774_436_400_123,
            EventBody::Order {
                order_id: "o1".into(),
                viewer_id: "v2".into(),
                product_id: "p1".into(),
                quantity: 3,
                amount_minor: 59_970,
                currency: "CNY".into(),
                flash_sale_id: Some("fs1".into()),
            },
        ),
        at(
            -5,
            EventBody::OrderRefund {
                order_id: "o1".into(),
            },
        ),
    ]
}

#[test]
fn to_json_round_trips_every_kind() {
    for e in every_kind() {
        let v = to_json(&e, cny());
        assert_eq!(parse(v.clone()).as_ref(), Ok(&e), "{v}");
        let text = serde_json::to_string(&v).unwrap();
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parse(back), Ok(e));
    }
}

#[test]
fn to_json_writes_exact_amounts_and_rfc3339() {
    let e = &every_kind()[11];
    let v = to_json(e, cny());
    assert_eq!(v["ts"], json!("2026-03-25T11:00:00.123Z"));
    assert_eq!(serde_json::to_string(&v["amount"]).unwrap(), "599.70");
    let jpy = Currency::parse("JPY").unwrap();
    assert_eq!(
        serde_json::to_string(&to_json(e, jpy)["amount"]).unwrap(),
        "59970"
    );
    assert_eq!(format_ts(0), "1970-01-01T00:00:00Z");
}
