//! `?format=tiktok-live-connector`: the events the open-source TikTok LIVE
//! connectors emit, mapped onto [`LiveEvent`]s.
//!
//! Each input is wrapped as `{"event": "<name>", "data": {…}}` (an optional
//! top-level `ts` is read when the data carries no time). Both shapes of
//! zerodytrash/TikTok-Live-Connector are read:
//!
//! - **v1 (flat)**: user and message fields at the top of `data`: `userId`,
//!   `uniqueId`, `msgId`, `createTime` (epoch ms, as a string or a number).
//! - **v2 (protobuf-decoded)**: the user in `data.user.{userId, uniqueId}`, the
//!   message id and time in `data.common.{msgId, createTime}`.
//!
//! | event | becomes |
//! |---|---|
//! | `chat` | [`EventBody::Chat`] (`comment` or `content`; `msg_id` = `msgId`) |
//! | `member` | [`EventBody::ViewerJoin`] (only `actionId`/`action` 1, "joined", when given) |
//! | `roomUser` | [`EventBody::ViewerCount`] (`viewerCount`, v2 `total`) |
//! | `like` | [`EventBody::Like`] with `count = likeCount` (v2 `count`) |
//! | `social` | [`EventBody::Follow`] or [`EventBody::Share`], by whether `displayType` (v2 `common.displayText.key`) contains "follow" or "share"; otherwise ignored |
//! | `questionNew` | [`EventBody::Question`] (`questionText`, v2 `details.text`) |
//! | `gift` | [`EventBody::Gift`] with `value = diamondCount × repeatCount`; a streak in progress (`giftType` 1 and not `repeatEnd`) is ignored, its final event counts |
//! | `streamEnd` | [`Mapped::StreamEnd`] |
//! | anything else | [`Mapped::Ignored`] (the custom `follow` / `share` events repeat `social` and are ignored too) |
//!
//! The viewer id is `userId`, else `uniqueId`. A time above 10¹¹ is epoch
//! milliseconds, below it epoch seconds (some ports send seconds).
//!
//! **Duplicates.** The connectors replay the last seconds of a room on connect.
//! Chat and questions carry their `msgId` into the event, and the aggregator counts
//! a repeated one once. For the other kinds the caller should drop repeats by
//! [`connector_msg_id`] before applying (a per-session set of seen ids).

use serde_json::Value;

use super::event::{EventBody, LiveEvent, MAX_TS_MS, MIN_TS_MS};
use crate::json::{Fault, Field, Path, read};
use crate::money::{self, Currency};

/// The outcome of mapping one connector event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapped {
    /// A session event to validate and apply like a native one.
    Event(LiveEvent),
    /// The host ended the stream (`streamEnd`): the caller may end the session.
    /// `ts_ms` is the event's time, when it carries one.
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
/// [`map_connector_event_at`] for events that carry none (v1 `roomUser`).
///
/// Unknown event names map to [`Mapped::Ignored`]; malformed data is an error
/// naming the field (`"chat.data.comment: required"`).
pub fn map_connector_event(v: &Value, currency: Currency) -> Result<Mapped, String> {
    map(v, currency, None)
}

/// Like [`map_connector_event`], but an event without any time (v1 `roomUser`
/// carries none) gets `received_ms`, the time the server received it.
pub fn map_connector_event_at(
    v: &Value,
    currency: Currency,
    received_ms: i64,
) -> Result<Mapped, String> {
    map(v, currency, Some(received_ms))
}

/// The connector's message id (`data.msgId` or `data.common.msgId`), for dropping
/// replayed events. TikTok's ids are decimal numbers; an id that is empty,
/// `0`, longer than 128 characters or holds a control character is not used.
pub fn connector_msg_id(v: &Value) -> Option<String> {
    let data = v.get("data")?;
    let id = data
        .get("msgId")
        .or_else(|| data.get("common").and_then(|c| c.get("msgId")))?;
    read::id(id)
        .ok()
        .filter(|id| id != "0" && id.len() <= 128 && !id.chars().any(char::is_control))
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
        // v1 emits `streamEnd` with the bare actionId as its argument.
        Some(_) | None if name == "streamEnd" => &Value::Null,
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
    let body = match name {
        "chat" => EventBody::Chat {
            viewer_id: d.viewer()?,
            text: d.text(&["comment", "content"])?,
            msg_id: d.msg_id(),
        },
        "member" => {
            match d.count_in(&["actionId", "action"])? {
                None | Some(1) => {}
                Some(_) => return Ok(Mapped::Ignored),
            }
            EventBody::ViewerJoin {
                viewer_id: d.viewer()?,
            }
        }
        "roomUser" => EventBody::ViewerCount {
            count: d
                .count_in(&["viewerCount", "total"])?
                .ok_or_else(|| d.err("viewerCount", "required"))?,
        },
        "like" => {
            let count = d.count_in(&["likeCount", "count"])?.unwrap_or(1);
            if count == 0 {
                return Ok(Mapped::Ignored);
            }
            EventBody::Like {
                viewer_id: d.viewer()?,
                count,
            }
        }
        "social" => {
            let kind = d.social_kind();
            let viewer_id = d.viewer()?;
            if kind.contains("follow") {
                EventBody::Follow { viewer_id }
            } else if kind.contains("share") {
                EventBody::Share { viewer_id }
            } else {
                return Ok(Mapped::Ignored);
            }
        }
        "questionNew" => {
            let details = d.data.get("details").filter(|x| x.is_object());
            let inner = Data {
                name,
                data: details.unwrap_or(d.data),
            };
            let text = match inner.text(&["questionText", "text"]) {
                Ok(t) => t,
                Err(_) if details.is_some() => d.text(&["questionText", "text"])?,
                Err(e) => return Err(e),
            };
            let viewer_id = d.viewer().or_else(|e| inner.viewer().map_err(|_| e))?;
            EventBody::Question {
                viewer_id,
                text,
                msg_id: d.msg_id(),
            }
        }
        "gift" => {
            let details = d.data.get("giftDetails").filter(|x| x.is_object());
            let in_details = |keys: &[&str]| -> Result<Option<u64>, String> {
                match d.count_in(keys)? {
                    Some(c) => Ok(Some(c)),
                    None => match details {
                        Some(g) => Data { name, data: g }.count_in(keys),
                        None => Ok(None),
                    },
                }
            };
            let gift_type = in_details(&["giftType"])?;
            let repeat_end = match d.data.get("repeatEnd") {
                Some(Value::Bool(b)) => *b,
                Some(Value::Number(n)) => n.as_u64().is_some_and(|x| x != 0),
                _ => false,
            };
            if gift_type == Some(1) && !repeat_end {
                return Ok(Mapped::Ignored);
            }
            let diamonds =
                in_details(&["diamondCount"])?.ok_or_else(|| d.err("diamondCount", "required"))?;
            let repeat = d.count_in(&["repeatCount"])?.unwrap_or(1).max(1);
            EventBody::Gift {
                viewer_id: d.viewer()?,
                value: diamonds.saturating_mul(repeat),
            }
        }
        "streamEnd" => return Ok(Mapped::StreamEnd { ts_ms: event_ts }),
        _ => return Ok(Mapped::Ignored),
    };
    let event = LiveEvent { ts_ms: ts()?, body };
    super::event::check_limits(&event)?;
    Ok(Mapped::Event(event))
}

/// Field access on a connector event's `data`, with errors named
/// `"<event>.data.<field>: …"`.
struct Data<'a> {
    name: &'a str,
    data: &'a Value,
}

impl Data<'_> {
    /// `<event>.data.<field>` (`.data.<field>` for an event named "", as
    /// clients have always read it).
    fn path(&self, field: &str) -> Path {
        Path::named(&format!("{}.data", self.name)).key(field)
    }

    fn err(&self, field: &str, msg: impl std::fmt::Display) -> String {
        Fault::new(self.path(field), msg.to_string()).into()
    }

    /// `v`, found at `data.<field>`, to read.
    fn at<'v>(&self, field: &str, v: Option<&'v Value>) -> Field<'v> {
        Field::new(self.path(field), v)
    }

    fn common(&self) -> Option<&Value> {
        self.data.get("common").filter(|c| c.is_object())
    }

    /// The event time: `createTime`, else `common.createTime`, else the wrapper's
    /// `ts`; `None` when absent (or `"0"`).
    fn ts(&self, wrapper_ts: Option<&Value>) -> Result<Option<i64>, String> {
        let candidates = [
            ("createTime", self.data.get("createTime")),
            (
                "common.createTime",
                self.common().and_then(|c| c.get("createTime")),
            ),
        ];
        for (field, v) in candidates {
            match self.at(field, v).opt(read::count)? {
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

    /// `userId`, else `uniqueId`, at the top (v1) or under `user` (v2).
    fn viewer(&self) -> Result<String, String> {
        let user = self.data.get("user").filter(|u| u.is_object());
        for (field, v) in [
            ("userId", self.data.get("userId")),
            ("user.userId", user.and_then(|u| u.get("userId"))),
            ("uniqueId", self.data.get("uniqueId")),
            ("user.uniqueId", user.and_then(|u| u.get("uniqueId"))),
        ] {
            match self.at(field, v).opt(read::id)? {
                Some(id) if id != "0" => return Ok(id),
                _ => {}
            }
        }
        Err(self.err("userId", "required (or uniqueId, or user.userId)"))
    }

    fn msg_id(&self) -> Option<String> {
        let v = self
            .data
            .get("msgId")
            .or_else(|| self.common().and_then(|c| c.get("msgId")));
        v.and_then(|v| read::id(v).ok()).filter(|id| id != "0")
    }

    /// The first of `keys` present, as text.
    fn text(&self, keys: &[&str]) -> Result<String, String> {
        for k in keys {
            if let Some(s) = self.at(k, self.data.get(*k)).opt(read::string_got)? {
                return Ok(s.to_string());
            }
        }
        Err(self.err(keys[0], "required"))
    }

    /// The first of `keys` present, as a whole number ≥ 0.
    fn count_in(&self, keys: &[&str]) -> Result<Option<u64>, String> {
        for k in keys {
            if let Some(c) = self.at(k, self.data.get(*k)).opt(read::count)? {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    /// What a `social` event was: `displayType` (v1), or v2's
    /// `common.displayText.key` / `common.displayType`, lower-cased.
    fn social_kind(&self) -> String {
        let common = self.common();
        [
            self.data.get("displayType"),
            common
                .and_then(|c| c.get("displayText"))
                .and_then(|t| t.get("key")),
            common.and_then(|c| c.get("displayType")),
            self.data.get("label"),
        ]
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
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
