//! Connector mapping against what the libraries emit: `fixtures/v2.json`
//! (tiktok-live-connector 2.x) and `fixtures/v1.json` (1.x), captured from
//! the pinned releases by `bridges/tiktok-live/fixtures/generate.js`, and
//! `fixtures/python.json` (the Python TikTokLive library), captured by
//! `bridges/tiktok-live/python/generate.py`, all for the room of issue 15. What each event must become is written here, next to
//! the figures the whole room must give.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::*;
use crate::live::event::parse_event;
use crate::live::{Applied, SessionAggregator, Window};

fn cny() -> Currency {
    Currency::parse("CNY").unwrap()
}

/// The fixtures' room starts at t0 (2033-05-18T03:33:20Z).
const T0: i64 = 2_000_000_000_000;
/// The batch is received after the stream's end.
const RECEIVED: i64 = T0 + 16_000;

const AMY: &str = "7044640112358049001";
const BO: &str = "7044640112358049002";

/// A fixture's events, each `{event, data}` as the library emitted it (the
/// `step` label left out).
fn fixture(text: &str) -> (String, Vec<Value>) {
    let file: Value = serde_json::from_str(text).unwrap();
    let events = file["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!({"event": e["event"], "data": e["data"]}))
        .collect();
    (file["library"].as_str().unwrap().to_string(), events)
}

fn v2() -> (String, Vec<Value>) {
    fixture(include_str!("fixtures/v2.json"))
}

fn v1() -> (String, Vec<Value>) {
    fixture(include_str!("fixtures/v1.json"))
}

fn python() -> (String, Vec<Value>) {
    fixture(include_str!("fixtures/python.json"))
}

/// `"ignored"`, `{"stream_end": ts|null}`, or a native event.
fn expected(e: &Value) -> Mapped {
    match e {
        Value::String(s) if s == "ignored" => Mapped::Ignored,
        Value::Object(o) if o.contains_key("stream_end") => Mapped::StreamEnd {
            ts_ms: o["stream_end"].as_i64(),
        },
        native => Mapped::Event(parse_event(native, cny()).unwrap()),
    }
}

fn at(s: i64) -> i64 {
    T0 + s * 1000
}

fn assert_maps(library: &str, events: &[Value], want: &[Value]) {
    assert_eq!(events.len(), want.len(), "{library}: events");
    for (i, (e, w)) in events.iter().zip(want).enumerate() {
        let got = map_connector_event_at(e, cny(), RECEIVED);
        assert_eq!(
            got,
            Ok(expected(w)),
            "{library}: event {i} ({})",
            e["event"]
        );
    }
}

#[test]
fn maps_what_tiktok_live_connector_2_emits() {
    let (library, events) = v2();
    assert!(library.starts_with("tiktok-live-connector@2."), "{library}");
    let msg = |n: u64| (7_480_000_000_000_000_100u64 + n).to_string();
    let want = [
        json!({"type": "viewer_count", "ts": at(1), "count": 812}),
        json!({"type": "viewer_join", "ts": at(2), "viewer_id": AMY}),
        json!({"type": "viewer_join", "ts": at(3), "viewer_id": BO}),
        json!({"type": "chat", "ts": at(4), "viewer_id": AMY, "text": "Price for two?", "msg_id": msg(4)}),
        json!({"type": "chat", "ts": at(5), "viewer_id": BO, "text": "Love the serum", "msg_id": msg(5)}),
        json!({"type": "question", "ts": at(6), "viewer_id": AMY, "text": "Does it ship to Shenzhen?", "msg_id": msg(6)}),
        // `count`, not the room's running `total` (99015, 99021).
        json!({"type": "like", "ts": at(7), "viewer_id": BO, "count": 15}),
        json!({"type": "like", "ts": at(8), "viewer_id": AMY, "count": 6}),
        json!({"type": "follow", "ts": at(9), "viewer_id": AMY}),
        json!({"type": "share", "ts": at(10), "viewer_id": BO}),
        // The Rose streak: three updates in progress, then its end, 1 × 3.
        json!("ignored"),
        json!("ignored"),
        json!("ignored"),
        json!({"type": "gift", "ts": at(13) + 500, "viewer_id": BO, "value": 3}),
        json!({"type": "gift", "ts": at(14), "viewer_id": AMY, "value": 30}),
        json!({"stream_end": at(15)}),
        json!({"stream_end": null}),
    ];
    assert_maps(&library, &events, &want);
}

#[test]
fn maps_what_tiktok_live_connector_1_emits() {
    let (library, events) = v1();
    assert!(library.starts_with("tiktok-live-connector@1."), "{library}");
    let msg = |n: u64| (7_480_000_000_000_000_100u64 + n).to_string();
    let question = question_key(AMY, "Does it ship to Shenzhen?");
    let want = [
        // 1.x's roomUser and questionNew carry no time: received at RECEIVED.
        json!({"type": "viewer_count", "ts": RECEIVED, "count": 812}),
        json!({"type": "viewer_join", "ts": at(2), "viewer_id": AMY}),
        json!({"type": "viewer_join", "ts": at(3), "viewer_id": BO}),
        json!({"type": "chat", "ts": at(4), "viewer_id": AMY, "text": "Price for two?", "msg_id": msg(4)}),
        json!({"type": "chat", "ts": at(5), "viewer_id": BO, "text": "Love the serum", "msg_id": msg(5)}),
        json!({"type": "question", "ts": RECEIVED, "viewer_id": AMY, "text": "Does it ship to Shenzhen?", "msg_id": question}),
        json!({"type": "like", "ts": at(7), "viewer_id": BO, "count": 15}),
        json!({"type": "like", "ts": at(8), "viewer_id": AMY, "count": 6}),
        // `social`, then the same message again as `follow` / `share`.
        json!({"type": "follow", "ts": at(9), "viewer_id": AMY}),
        json!({"type": "follow", "ts": at(9), "viewer_id": AMY}),
        json!({"type": "share", "ts": at(10), "viewer_id": BO}),
        json!({"type": "share", "ts": at(10), "viewer_id": BO}),
        json!("ignored"),
        json!("ignored"),
        json!("ignored"),
        json!({"type": "gift", "ts": at(13) + 500, "viewer_id": BO, "value": 3}),
        json!({"type": "gift", "ts": at(14), "viewer_id": AMY, "value": 30}),
        json!({"stream_end": null}),
    ];
    assert_maps(&library, &events, &want);
    // The social event and its follow / share repeat share one key.
    assert_eq!(connector_msg_id(&events[8]), connector_msg_id(&events[9]));
    assert_eq!(connector_msg_id(&events[10]), connector_msg_id(&events[11]));
}

#[test]
fn maps_what_the_python_tiktoklive_library_emits() {
    let (library, events) = python();
    assert!(library.starts_with("TikTokLive@"), "{library}");
    let msg = |n: u64| (7_480_000_000_000_000_100u64 + n).to_string();
    let want = [
        json!({"type": "viewer_count", "ts": at(1), "count": 812}),
        // `"action": "MEMBER_MESSAGE_ACTION_JOINED"`: enums by name.
        json!({"type": "viewer_join", "ts": at(2), "viewer_id": AMY}),
        json!({"type": "viewer_join", "ts": at(3), "viewer_id": BO}),
        json!({"type": "chat", "ts": at(4), "viewer_id": AMY, "text": "Price for two?", "msg_id": msg(4)}),
        json!({"type": "chat", "ts": at(5), "viewer_id": BO, "text": "Love the serum", "msg_id": msg(5)}),
        json!({"type": "question", "ts": at(6), "viewer_id": AMY, "text": "Does it ship to Shenzhen?", "msg_id": msg(6)}),
        json!({"type": "like", "ts": at(7), "viewer_id": BO, "count": 15}),
        json!({"type": "like", "ts": at(8), "viewer_id": AMY, "count": 6}),
        // FollowEvent, then the same message as SocialEvent.
        json!({"type": "follow", "ts": at(9), "viewer_id": AMY}),
        json!({"type": "follow", "ts": at(9), "viewer_id": AMY}),
        json!({"type": "share", "ts": at(10), "viewer_id": BO}),
        json!({"type": "share", "ts": at(10), "viewer_id": BO}),
        json!("ignored"),
        json!("ignored"),
        json!("ignored"),
        json!({"type": "gift", "ts": at(13) + 500, "viewer_id": BO, "value": 3}),
        json!({"type": "gift", "ts": at(14), "viewer_id": AMY, "value": 30}),
        // LiveEndEvent and ControlEvent, both at the control message's time.
        json!({"stream_end": at(15)}),
        json!({"stream_end": at(15)}),
    ];
    assert_maps(&library, &events, &want);
    assert_eq!(connector_msg_id(&events[8]), connector_msg_id(&events[9]));
}

/// What a session shows after a room's events: events whose key was seen
/// already are dropped (as the server does), the rest applied.
struct Figures {
    concurrent: u64,
    peak: u64,
    unique: u64,
    chats: u64,
    questions: u64,
    likes: u64,
    follows: u64,
    shares: u64,
    diamonds: u64,
    stream_ended: bool,
}

fn figures(events: &[Value]) -> Figures {
    let mut seen = HashSet::new();
    let mut agg = SessionAggregator::new(cny());
    let mut stream_ended = false;
    for e in events {
        if let Some(key) = connector_msg_id(e)
            && !seen.insert(key)
        {
            continue;
        }
        match map_connector_event_at(e, cny(), RECEIVED).unwrap() {
            Mapped::Event(e) => assert_eq!(agg.apply(&e), Applied::Counted),
            Mapped::StreamEnd { .. } => stream_ended = true,
            Mapped::Ignored => {}
        }
    }
    let m = agg.metrics(Window {
        start_ms: Some(T0),
        end_ms: Some(RECEIVED),
        // Still live: the session ends a grace after the stream (the server's
        // rule); until then the room's last count is the concurrent figure.
        closed: false,
    });
    Figures {
        concurrent: m.concurrent_viewers,
        peak: m.peak_concurrent_viewers,
        unique: m.unique_viewers,
        chats: m.chat_messages,
        questions: m.questions,
        likes: m.likes,
        follows: m.follows,
        shares: m.shares,
        diamonds: m.gifts_value,
        stream_ended,
    }
}

/// Issue 15's expected figures: 812 concurrent viewers (the room's count), 2
/// unique viewers (2 joins), 2 chats, 1 question, 21 likes (15 + 6), 1
/// follow, 1 share, 33 diamonds (a 3 × 1 Rose streak and a 30-diamond gift),
/// stream ended.
fn assert_issue_15(f: &Figures) {
    assert_eq!(f.concurrent, 812);
    assert_eq!(f.peak, 812);
    assert_eq!(f.unique, 2);
    assert_eq!(f.chats, 2);
    assert_eq!(f.questions, 1);
    assert_eq!(f.likes, 21);
    assert_eq!(f.follows, 1);
    assert_eq!(f.shares, 1);
    assert_eq!(f.diamonds, 33);
    assert!(f.stream_ended);
}

#[test]
fn the_room_of_issue_15_gives_its_figures_from_every_library() {
    assert_issue_15(&figures(&v2().1));
    assert_issue_15(&figures(&v1().1));
    assert_issue_15(&figures(&python().1));
}

#[test]
fn a_replayed_room_counts_once() {
    for (_, events) in [v2(), v1(), python()] {
        let twice: Vec<Value> = events.iter().chain(&events).cloned().collect();
        assert_issue_15(&figures(&twice));
    }
}

#[test]
fn a_re_sent_1x_question_is_recognised_by_asker_and_text() {
    let (_, events) = v1();
    let question = &events[5];
    assert_eq!(question["event"], "questionNew");
    assert!(question["data"].get("msgId").is_none(), "1.x sends none");
    let key = connector_msg_id(question).unwrap();
    assert_eq!(key, question_key(AMY, "Does it ship to Shenzhen?"));
    assert!(key.starts_with("question:7044640112358049001:"), "{key}");
    // Another question of the same viewer is another key.
    let mut other = question.clone();
    other["data"]["questionText"] = json!("Is there a refill pack?");
    assert_ne!(connector_msg_id(&other), Some(key));
}

#[test]
fn ids_and_times_may_be_numbers_strings_or_seconds() {
    let numbers = json!({"event": "like", "data": {"user": {"id": 7_044_640_112_358_049_001u64},
        "common": {"msgId": 71, "createTime": 2_000_000_007}, "count": 2}});
    assert_eq!(
        map_connector_event(&numbers, cny()),
        Ok(expected(
            &json!({"type": "like", "ts": at(7), "viewer_id": AMY, "count": 2})
        ))
    );
    assert_eq!(connector_msg_id(&numbers).as_deref(), Some("71"));
    // A handle when there is no numeric id (2.x leaves `id` empty or "0").
    let handle = json!({"event": "chat", "data": {"user": {"id": "0", "idStr": "", "displayId": "amy.glow"},
        "common": {"createTime": "2000000004000"}, "content": "hi"}});
    assert_eq!(
        map_connector_event(&handle, cny()),
        Ok(expected(
            &json!({"type": "chat", "ts": at(4), "viewer_id": "amy.glow", "text": "hi"})
        ))
    );
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
    // A bare action id and a relay's time.
    let bare = json!({"event": "streamEnd", "data": 3, "ts": 1_774_447_200_000_i64});
    assert_eq!(
        map_connector_event(&bare, cny()),
        Ok(Mapped::StreamEnd {
            ts_ms: Some(1_774_447_200_000)
        })
    );
}

#[test]
fn what_is_not_measured_is_ignored() {
    let ignored = [
        json!({"event": "member", "data": {"user": {"id": "1"}, "action": 3, "common": {"createTime": "2000000000000"}}}),
        json!({"event": "social", "data": {"user": {"id": "1"}, "common": {"createTime": "2000000000000", "displayText": {"key": "pm_mt_sub_subscribe"}}}}),
        json!({"event": "controlMessage", "data": {"action": 1, "common": {"createTime": "2000000000000"}}}),
        json!({"event": "like", "data": {"user": {"id": "1"}, "count": 0, "common": {"createTime": "2000000000000"}}}),
        json!({"event": "emote", "data": {}}),
    ];
    for e in ignored {
        assert_eq!(map_connector_event(&e, cny()), Ok(Mapped::Ignored), "{e}");
    }
    // A suspended stream ends like an ended one.
    let suspended = json!({"event": "controlMessage", "data": {"action": 4, "common": {"createTime": "2000000000000"}}});
    assert_eq!(
        map_connector_event(&suspended, cny()),
        Ok(Mapped::StreamEnd { ts_ms: Some(T0) })
    );
}

#[test]
fn malformed_data_is_an_error_naming_the_field() {
    let cases = [
        (
            json!({"event": "chat", "data": {"user": {"id": "1"}, "createTime": "2000000000000"}}),
            "chat.data.content: required (or comment)",
        ),
        (
            json!({"event": "chat", "data": {"content": "hi", "createTime": "2000000000000"}}),
            "chat.data.user.id: required (or userId, or uniqueId)",
        ),
        (
            json!({"event": "chat", "data": {"content": "hi", "userId": "1", "createTime": "soon"}}),
            "chat.data.createTime: must be a whole number, got a string",
        ),
        (
            json!({"event": "roomUser", "data": {"viewerCount": -3, "createTime": "2000000000000"}}),
            "roomUser.data.viewerCount: must be ≥ 0",
        ),
        (
            json!({"event": "gift", "data": {"user": {"id": "1"}, "repeatCount": 1, "createTime": "2000000000000"}}),
            "gift.data.gift.diamondCount: required (or diamondCount)",
        ),
        (
            json!({"event": "questionNew", "data": {"data": {"user": {"id": "1"}}, "createTime": "2000000000000"}}),
            "questionNew.data.data.content: required (or questionText)",
        ),
        (
            json!({"event": "roomUser", "data": {"total": "5"}}),
            "roomUser.data.createTime: required (or a top-level ts)",
        ),
        (
            json!({"event": "chat", "data": "hi"}),
            "chat.data: must be an object, got a string",
        ),
        (
            json!({"event": "CommentEvent", "data": {"content": "hi", "user": {"id": "1"}}}),
            "CommentEvent.data.createTime: required (or a top-level ts)",
        ),
        (json!({"data": {}}), "event: required"),
    ];
    for (e, error) in cases {
        assert_eq!(
            map_connector_event(&e, cny()),
            Err(error.to_string()),
            "{e}"
        );
    }
}

#[test]
fn an_older_1x_gift_nests_its_details() {
    let gift = json!({"event": "gift", "data": {"userId": "1", "repeatCount": 5, "repeatEnd": 1,
        "createTime": "2000000000000", "giftDetails": {"giftType": 1, "diamondCount": 1}}});
    assert_eq!(
        map_connector_event(&gift, cny()),
        Ok(expected(
            &json!({"type": "gift", "ts": T0, "viewer_id": "1", "value": 5})
        ))
    );
}

#[test]
fn a_replayed_chat_counts_once_in_the_aggregator() {
    let (_, events) = v2();
    let Ok(Mapped::Event(e)) = map_connector_event(&events[3], cny()) else {
        panic!("not an event");
    };
    let mut agg = SessionAggregator::new(cny());
    assert_eq!(agg.apply(&e), Applied::Counted);
    assert_eq!(agg.apply(&e), Applied::Duplicate);
    assert_eq!(agg.metrics(Window::default()).chat_messages, 1);
}
