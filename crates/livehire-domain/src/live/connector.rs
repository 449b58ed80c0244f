//! `?format=tiktok-live-connector`: the events the open-source TikTok LIVE
//! connector libraries emit, mapped onto [`LiveEvent`]s.
//!
//! Each input is wrapped as `{"event": "<name>", "data": {…}}`, `data` being
//! what the library hands its listeners, serialised as JSON (an optional
//! top-level `ts` is read when the data carries no time). The shapes are those
//! the libraries emit today, recorded from the pinned releases through their
//! own decode-and-emit path in `fixtures/v2.json` and `fixtures/v1.json`
//! (`bridges/tiktok-live/fixtures/generate.js` writes them; CI regenerates
//! them and fails on a difference):
//!
//! - **tiktok-live-connector 2.x** (`TikTokLiveConnection`): the decoded
//!   protobuf message as it is. The user is `user.{id, displayId, nickname,
//!   …}`, the message id and time `common.{msgId, createTime}` (epoch ms);
//!   64-bit values are decimal strings, 32-bit ones numbers.
//! - **1.x** (`WebcastPushConnection`): the message flattened, user and
//!   message fields at the top (`userId`, `uniqueId`, `msgId`, `createTime`).
//! - **The Python TikTokLive library**: its events as
//!   `{"event": event.get_type(), "data": event.to_dict()}`: the 2.x shape
//!   (proto JSON, camelCase, defaults left out) under the event's class name
//!   (`CommentEvent`, `JoinEvent`, …, read as the 2.x names below), enums as
//!   their names (`"action": "CONTROL_ACTION_STREAM_ENDED"`). Like 1.x it
//!   sends a follow or share twice (`FollowEvent` / `ShareEvent`, then
//!   `SocialEvent`), and a stream's end as `LiveEndEvent` and `ControlEvent`.
//!   Recorded in `fixtures/python.json`.
//!
//! | event | 2.x reads | 1.x reads | becomes |
//! |---|---|---|---|
//! | `chat` | `content` | `comment` | [`EventBody::Chat`] |
//! | `member` | `action` 1 (joined) | `actionId` 1 | [`EventBody::ViewerJoin`]; other actions are ignored |
//! | `roomUser` | `total` | `viewerCount` | [`EventBody::ViewerCount`] |
//! | `like` | `count` | `likeCount` | [`EventBody::Like`]; the room's running total (`total`, `totalLikeCount`) is not a count of this event |
//! | `follow`, `share` | their own events | sent with `social`, the same `msgId` | [`EventBody::Follow`], [`EventBody::Share`] |
//! | `social` | what is neither a follow nor a share | `displayType` says which | a follow or share when `displayType` or `common.displayText.key` names one; otherwise ignored |
//! | `questionNew` | `data.content`, `data.user` | `questionText` | [`EventBody::Question`] |
//! | `gift` | `gift.diamondCount`, `gift.type` | `diamondCount`, `giftType` | [`EventBody::Gift`], see below |
//! | `controlMessage` | `action` 3 (ended) or 4 (suspended) | — | [`Mapped::StreamEnd`] at `common.createTime`; other actions are ignored |
//! | `streamEnd` | `{action}` | `{action}` | [`Mapped::StreamEnd`] (no time of its own) |
//! | anything else | | | [`Mapped::Ignored`] |
//!
//! **Gifts.** A streakable gift (type 1, a Rose) sends an event for every
//! repeat while the viewer taps, each with the running `repeatCount`, then a
//! last one with `repeatEnd` set. Only that last one counts, once, for
//! `diamondCount × repeatCount`; the ones in progress are ignored. Any other
//! gift counts when it arrives.
//!
//! **Viewers.** The viewer id is the numeric user id (`userId`, `user.id`,
//! `user.idStr`), else the @handle (`uniqueId`, `user.uniqueId`,
//! `user.displayId`); an id may be a string or a number.
//!
//! **Times.** `createTime`, else `common.createTime`, else the wrapper's `ts`;
//! events that carry none (1.x `roomUser` and `questionNew`, `streamEnd`) take
//! the time the server received them. A time below 10¹¹ is epoch seconds,
//! above it milliseconds.
//!
//! **Duplicates.** The connectors replay the last seconds of a room on
//! connect, and 1.x emits a follow or share twice (as `social` and as
//! `follow` / `share`). [`connector_msg_id`] is the key to drop repeats by
//! before applying (the server keeps a per-session set of seen keys): the
//! message id, or for a question that carries none (1.x) the asker and the
//! question's text. Chat and questions also carry it into the event, so the
//! aggregator counts a repeated one once.

use serde_json::Value;

use super::event::{EventBody, LiveEvent, MAX_TS_MS, MIN_TS_MS};
use crate::json::{Fault, Field, Path, lenient, read};
use crate::money::{self, Currency};

/// The outcome of mapping one connector event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapped {
    /// A session event to validate and apply like a native one.
    Event(LiveEvent),
    /// The stream ended (`streamEnd`, or `controlMessage` with action 3 or
    /// 4): the session may end. `ts_ms` is the event's time, when it carries
    /// one.
    StreamEnd {
        /// When the stream ended, if known.
        ts_ms: Option<i64>,
    },
    /// An event livehire does not measure (emotes, battles, …) or a gift streak
    /// still in progress. Not an error.
    Ignored,
}

/// Maps one wrapped connector event. The event time must be in the data
/// (`createTime`, `common.createTime`) or in a top-level `ts`; see
/// [`map_connector_event_at`] for events that carry none (1.x `roomUser`).
///
/// Unknown event names map to [`Mapped::Ignored`]; malformed data is an error
/// naming the field (`"chat.data.content: required (or comment)"`).
pub fn map_connector_event(v: &Value, currency: Currency) -> Result<Mapped, String> {
    map(v, currency, None)
}

/// Like [`map_connector_event`], but an event without any time (1.x
/// `roomUser` carries none) gets `received_ms`, the time the server received
/// it.
pub fn map_connector_event_at(
    v: &Value,
    currency: Currency,
    received_ms: i64,
) -> Result<Mapped, String> {
    map(v, currency, Some(received_ms))
}

/// The key a replayed connector event is recognised by: its message id
/// (`data.msgId` or `data.common.msgId`; TikTok's ids are decimal numbers),
/// or for a `questionNew` without one (1.x) `question:<asker>:<hash of the
/// text>`. `None` when the event has neither; an id that is empty, `0`,
/// longer than 128 characters or holds a control character is not used.
pub fn connector_msg_id(v: &Value) -> Option<String> {
    let data = v.get("data")?;
    let id = data
        .get("msgId")
        .or_else(|| lenient::at(data, &["common", "msgId"]))
        .and_then(|id| read::id(id).ok())
        .filter(|id| usable_key(id));
    if id.is_some() {
        return id;
    }
    if v.get("event").and_then(Value::as_str).map(canonical) != Some("questionNew") {
        return None;
    }
    let d = Data {
        name: "questionNew",
        data,
    };
    let (asker, text) = d.question().ok()?;
    Some(question_key(&asker, &text)).filter(|k| usable_key(k))
}

/// The time a connector event carries itself (`createTime`,
/// `common.createTime` or the wrapper's `ts`), epoch ms; `None` for one that
/// carries none (and would be stamped with the time it was received) or
/// whose time cannot be read.
pub fn connector_event_ts(v: &Value) -> Option<i64> {
    let name = v.get("event").and_then(Value::as_str).unwrap_or_default();
    let data = v.get("data").unwrap_or(&Value::Null);
    Data { name, data }.ts(v.get("ts")).ok().flatten()
}

fn usable_key(id: &str) -> bool {
    !id.is_empty() && id != "0" && id.len() <= 128 && !id.chars().any(char::is_control)
}

/// `question:<asker>:<FNV-1a 64 of the text, hex>`: stable across builds, so
/// it can be stored and recognised after a restart.
fn question_key(asker: &str, text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("question:{asker}:{h:016x}")
}

fn map(v: &Value, _currency: Currency, received_ms: Option<i64>) -> Result<Mapped, String> {
    let obj = v.as_object().ok_or_else(|| {
        format!(
            "event: must be an object {{\"event\", \"data\"}}, got {}",
            money::json_kind(v)
        )
    })?;
    let name = Field::new(Path::named("event"), obj.get("event"))
        .strict()
        .req("required", read::string_got)?;
    let data = match obj.get("data") {
        Some(Value::Object(_)) => &obj["data"],
        // A stream's end needs nothing more than its name.
        Some(_) | None if canonical(name) == "streamEnd" => &Value::Null,
        None | Some(Value::Null) => return Err(format!("{name}.data: required")),
        Some(other) => {
            return Err(format!(
                "{name}.data: must be an object, got {}",
                money::json_kind(other)
            ));
        }
    };
    let d = Data { name, data };
    let event_ts = d.ts(obj.get("ts"))?;
    let ts = || {
        event_ts
            .or(received_ms)
            .ok_or_else(|| format!("{name}.data.createTime: required (or a top-level ts)"))
    };
    let body = match canonical(name) {
        "chat" => EventBody::Chat {
            viewer_id: d.viewer()?,
            text: d.text(&["content", "comment"])?,
            msg_id: connector_msg_id(v),
        },
        "member" => {
            match d.action(&["action", "actionId"], MEMBER_ACTIONS)? {
                None | Some(1) => {}
                Some(_) => return Ok(Mapped::Ignored),
            }
            EventBody::ViewerJoin {
                viewer_id: d.viewer()?,
            }
        }
        "roomUser" => EventBody::ViewerCount {
            count: d
                .count(&["total", "viewerCount"])?
                .ok_or_else(|| d.err("total", "required (or viewerCount)"))?,
        },
        "like" => {
            let count = d.count(&["count", "likeCount"])?.unwrap_or(1);
            if count == 0 {
                return Ok(Mapped::Ignored);
            }
            EventBody::Like {
                viewer_id: d.viewer()?,
                count,
            }
        }
        "follow" => EventBody::Follow {
            viewer_id: d.viewer()?,
        },
        "share" => EventBody::Share {
            viewer_id: d.viewer()?,
        },
        "social" => {
            let kind = d.social_kind();
            if kind.contains("follow") {
                EventBody::Follow {
                    viewer_id: d.viewer()?,
                }
            } else if kind.contains("share") {
                EventBody::Share {
                    viewer_id: d.viewer()?,
                }
            } else {
                return Ok(Mapped::Ignored);
            }
        }
        "questionNew" => {
            let (viewer_id, text) = d.question()?;
            EventBody::Question {
                viewer_id,
                text,
                msg_id: connector_msg_id(v),
            }
        }
        "gift" => match d.gift()? {
            Some((viewer_id, value)) => EventBody::Gift { viewer_id, value },
            None => return Ok(Mapped::Ignored),
        },
        "controlMessage" => {
            return Ok(match d.action(&["action"], CONTROL_ACTIONS)? {
                Some(STREAM_ENDED | STREAM_SUSPENDED) => Mapped::StreamEnd { ts_ms: event_ts },
                _ => Mapped::Ignored,
            });
        }
        "streamEnd" => return Ok(Mapped::StreamEnd { ts_ms: event_ts }),
        _ => return Ok(Mapped::Ignored),
    };
    let event = LiveEvent { ts_ms: ts()?, body };
    super::event::check_limits(&event)?;
    Ok(Mapped::Event(event))
}

/// The Python TikTokLive library's event classes, by the 2.x names.
fn canonical(name: &str) -> &str {
    match name {
        "CommentEvent" => "chat",
        "JoinEvent" => "member",
        "RoomUserSeqEvent" => "roomUser",
        "LikeEvent" => "like",
        "FollowEvent" => "follow",
        "ShareEvent" => "share",
        "SocialEvent" => "social",
        "QuestionNewEvent" => "questionNew",
        "GiftEvent" => "gift",
        "ControlEvent" => "controlMessage",
        "LiveEndEvent" => "streamEnd",
        other => other,
    }
}

/// `MemberMessageAction` by name (proto JSON writes enums as names).
const MEMBER_ACTIONS: &[(&str, u64)] = &[
    ("MEMBER_MESSAGE_ACTION_UNKNOWN", 0),
    ("MEMBER_MESSAGE_ACTION_JOINED", 1),
    ("MEMBER_MESSAGE_ACTION_SUBSCRIBED", 3),
];

/// `ControlAction` by name.
const CONTROL_ACTIONS: &[(&str, u64)] = &[
    ("CONTROL_ACTION_FALLBACK_UNKNOWN", 0),
    ("CONTROL_ACTION_STREAM_PAUSED", 1),
    ("CONTROL_ACTION_STREAM_UNPAUSED", 2),
    ("CONTROL_ACTION_STREAM_ENDED", 3),
    ("CONTROL_ACTION_STREAM_SUSPENDED", 4),
];

/// `ControlAction.CONTROL_ACTION_STREAM_ENDED`.
const STREAM_ENDED: u64 = 3;
/// `ControlAction.CONTROL_ACTION_STREAM_SUSPENDED`: TikTok stopped the
/// stream; the libraries end the connection as for an end.
const STREAM_SUSPENDED: u64 = 4;

/// `type` of a streakable gift: it repeats while the viewer taps.
const STREAKABLE: u64 = 1;

/// Field access on a connector event's `data`, with errors named
/// `"<event>.data.<field>: …"`.
struct Data<'a> {
    name: &'a str,
    data: &'a Value,
}

impl<'a> Data<'a> {
    /// `<event>.data.<field>` (`field` may be a dotted path).
    fn path(&self, field: &str) -> Path {
        Path::named(&format!("{}.data", self.name)).key(field)
    }

    fn err(&self, field: &str, msg: impl std::fmt::Display) -> String {
        Fault::new(self.path(field), msg.to_string()).into()
    }

    /// The value at the dotted `field` below `data`, to read.
    fn field(&self, field: &str) -> Field<'a> {
        let keys: Vec<&str> = field.split('.').collect();
        Field::new(self.path(field), lenient::at(self.data, &keys))
    }

    /// The event time: `createTime`, else `common.createTime`, else the
    /// wrapper's `ts`; `None` when absent (or `"0"`).
    fn ts(&self, wrapper_ts: Option<&Value>) -> Result<Option<i64>, String> {
        for field in ["createTime", "common.createTime"] {
            match self.field(field).opt(read::count)? {
                Some(0) | None => {}
                Some(t) => return Ok(Some(epoch_ms(t).map_err(|e| self.err(field, e))?)),
            }
        }
        match wrapper_ts.filter(|v| !v.is_null()) {
            Some(v) => super::event::parse_ts(v)
                .map(Some)
                .map_err(|e| format!("ts: {e}")),
            None => Ok(None),
        }
    }

    /// The viewer: the numeric user id, else the @handle, flat (1.x) or
    /// under `user` (2.x).
    fn viewer(&self) -> Result<String, String> {
        const IDS: [&str; 7] = [
            "userId",
            "user.userId",
            "user.id",
            "user.idStr",
            "uniqueId",
            "user.uniqueId",
            "user.displayId",
        ];
        for field in IDS {
            match self.field(field).opt(read::id) {
                Ok(Some(id)) if id != "0" => return Ok(id),
                // An empty id (a default the library left) is no id.
                Ok(_) => {}
                Err(_) if self.field(field).value() == Some(&Value::String(String::new())) => {}
                Err(f) => return Err(f.into()),
            }
        }
        Err(self.err("user.id", "required (or userId, or uniqueId)"))
    }

    /// The first of `fields` present, as text.
    fn text(&self, fields: &[&str]) -> Result<String, String> {
        for f in fields {
            if let Some(s) = self.field(f).opt(read::string_got)? {
                return Ok(s.to_string());
            }
        }
        Err(self.err(
            fields[0],
            format!("required (or {})", fields[1..].join(", ")),
        ))
    }

    /// The first of `fields` present, as a whole number ≥ 0.
    fn count(&self, fields: &[&str]) -> Result<Option<u64>, String> {
        for f in fields {
            if let Some(c) = self.field(f).opt(read::count)? {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    /// The first of `fields` present, as an enum's number: a number, digits,
    /// or one of `names` (an unknown name reads as 0, the enums' unknown).
    fn action(&self, fields: &[&str], names: &[(&str, u64)]) -> Result<Option<u64>, String> {
        for f in fields {
            let field = self.field(f);
            match field.value() {
                None => {}
                Some(Value::String(s)) if !s.bytes().all(|b| b.is_ascii_digit()) => {
                    let n = names
                        .iter()
                        .find(|(name, _)| name == s)
                        .map_or(0, |(_, n)| *n);
                    return Ok(Some(n));
                }
                Some(_) => return Ok(field.opt(read::count)?),
            }
        }
        Ok(None)
    }

    /// A question's asker and text: 2.x nests the question in `data`
    /// (`data.content`, `data.user`), 1.x flattens it (`questionText`).
    fn question(&self) -> Result<(String, String), String> {
        match self.data.get("data").filter(|q| q.is_object()) {
            Some(q) => {
                let name = format!("{}.data", self.name);
                let inner = Data {
                    name: &name,
                    data: q,
                };
                Ok((inner.viewer()?, inner.text(&["content", "questionText"])?))
            }
            None => Ok((self.viewer()?, self.text(&["questionText", "content"])?)),
        }
    }

    /// A gift's sender and value, or `None` for a streak still in progress.
    /// 2.x describes the gift in `gift`, 1.x flattens it (and keeps a
    /// `gift.gift_type`), older 1.x releases nest it in `giftDetails`.
    fn gift(&self) -> Result<Option<(String, u64)>, String> {
        let kind = self.count(&[
            "gift.type",
            "giftType",
            "gift.gift_type",
            "giftDetails.giftType",
        ])?;
        let repeat_end = match self.field("repeatEnd").value() {
            Some(Value::Bool(b)) => *b,
            Some(v) => read::count(v).is_ok_and(|n| n != 0),
            None => false,
        };
        if kind == Some(STREAKABLE) && !repeat_end {
            return Ok(None);
        }
        let diamonds = self
            .count(&[
                "gift.diamondCount",
                "diamondCount",
                "giftDetails.diamondCount",
                "extendedGiftInfo.diamond_count",
            ])?
            .ok_or_else(|| self.err("gift.diamondCount", "required (or diamondCount)"))?;
        let repeat = self.count(&["repeatCount"])?.unwrap_or(1).max(1);
        Ok(Some((self.viewer()?, diamonds.saturating_mul(repeat))))
    }

    /// What a `social` event was: 1.x's `displayType` and `label`, 2.x's
    /// `common.displayText.key`, lower-cased.
    fn social_kind(&self) -> String {
        ["displayType", "common.displayText.key", "label"]
            .into_iter()
            .filter_map(|f| self.field(f).value().and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    }
}

/// Reads a connector time: above 10¹¹ it is epoch milliseconds, below epoch seconds.
fn epoch_ms(t: u64) -> Result<i64, String> {
    let ms = if t < 100_000_000_000 {
        t.saturating_mul(1000)
    } else {
        t
    };
    i64::try_from(ms)
        .ok()
        .filter(|ms| (MIN_TS_MS..=MAX_TS_MS).contains(ms))
        .ok_or_else(|| format!("not an epoch time: {t}"))
}

#[cfg(test)]
#[path = "connector_tests.rs"]
mod tests;
