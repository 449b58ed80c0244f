//! Connector mapping against the fixtures in `fixtures/` (v1 flat and v2
//! protobuf-decoded shapes, written for these tests).
//!
//! Each fixture case is `{name, input, received_ms?, expect}` where `expect` is
//! a native event (compared through `parse_event`), `"ignored"`,
//! `{"stream_end": ts|null}` or `{"error": message}`.

use serde_json::{Value, json};

use super::*;
use crate::live::event::parse_event;

fn cny() -> Currency {
    Currency::parse("CNY").unwrap()
}

fn run_fixture(file: &str, text: &str) -> usize {
    let cases: Vec<Value> = serde_json::from_str(text).unwrap();
    for case in &cases {
        let name = format!("{file}: {}", case["name"]);
        let input = &case["input"];
        let got = match case.get("received_ms").and_then(Value::as_i64) {
            Some(at) => map_connector_event_at(input, cny(), at),
            None => map_connector_event(input, cny()),
        };
        let expect = &case["expect"];
        match expect {
            Value::String(s) if s == "ignored" => assert_eq!(got, Ok(Mapped::Ignored), "{name}"),
            Value::Object(o) if o.contains_key("error") => {
                assert_eq!(got, Err(o["error"].as_str().unwrap().to_string()), "{name}");
            }
            Value::Object(o) if o.contains_key("stream_end") => {
                let ts_ms = o["stream_end"].as_i64();
                assert_eq!(got, Ok(Mapped::StreamEnd { ts_ms }), "{name}");
            }
            native => {
                let want = parse_event(native, cny()).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(got, Ok(Mapped::Event(want)), "{name}");
            }
        }
    }
    cases.len()
}

#[test]
fn maps_the_v1_flat_fixtures() {
    let n = run_fixture("v1.json", include_str!("fixtures/v1.json"));
    assert!(n >= 20, "{n} cases");
}

#[test]
fn maps_the_v2_protobuf_decoded_fixtures() {
    let n = run_fixture("v2.json", include_str!("fixtures/v2.json"));
    assert!(n >= 14, "{n} cases");
}

#[test]
fn the_receive_time_is_only_a_fallback() {
    let with_time = json!({"event": "like", "data": {"userId": "1", "likeCount": 2, "createTime": "1774436400000"}});
    let Ok(Mapped::Event(e)) = map_connector_event_at(&with_time, cny(), 5) else {
        panic!("not an event");
    };
    assert_eq!(e.ts_ms, 1_774_436_400_000);
    let relay_ts =
        json!({"event": "roomUser", "data": {"viewerCount": 3}, "ts": 1_774_436_400_001_i64});
    let Ok(Mapped::Event(e)) = map_connector_event(&relay_ts, cny()) else {
        panic!("not an event");
    };
    assert_eq!(e.ts_ms, 1_774_436_400_001);
}

#[test]
fn reads_the_message_id_of_either_shape() {
    let v1 = json!({"event": "like", "data": {"msgId": "71"}});
    let v2 = json!({"event": "like", "data": {"common": {"msgId": 72}}});
    let none = json!({"event": "roomUser", "data": {"viewerCount": 1}});
    assert_eq!(connector_msg_id(&v1).as_deref(), Some("71"));
    assert_eq!(connector_msg_id(&v2).as_deref(), Some("72"));
    assert_eq!(connector_msg_id(&none), None);
}

#[test]
fn a_replayed_chat_counts_once_in_the_aggregator() {
    use crate::live::{Applied, SessionAggregator, Window};
    let chat = json!({"event": "chat", "data": {"comment": "hi", "userId": "1", "msgId": "m1", "createTime": "1774436400000"}});
    let Ok(Mapped::Event(e)) = map_connector_event(&chat, cny()) else {
        panic!("not an event");
    };
    let mut agg = SessionAggregator::new(cny());
    assert_eq!(agg.apply(&e), Applied::Counted);
    assert_eq!(agg.apply(&e), Applied::Duplicate);
    assert_eq!(agg.metrics(Window::default()).chat_messages, 1);
}
