//! Live-session events in livehire's native shape (SPEC §6): `{type, ts, …}`.
//!
//! [`parse_event`] reads one event as posted to `POST /sessions/{id}/events`;
//! [`to_json`] writes the canonical form used for storage and replay, so that
//! `parse_event(&to_json(&e, c), c) == Ok(e)`.
//!
//! | `type` | fields |
//! |---|---|
//! | `viewer_join`, `viewer_leave` | `viewer_id` |
//! | `viewer_count` | `count` (0–100,000,000) |
//! | `chat`, `question` | `viewer_id`, `text` (≤ 2,000 characters), `msg_id`? |
//! | `question_answered` | `msg_id`?, `viewer_id`? |
//! | `like` | `viewer_id`, `count` (1–1,000,000, default 1) |
//! | `share`, `follow` | `viewer_id`? |
//! | `gift` | `viewer_id`, `value` (0–100,000,000, in the platform's gift units, e.g. diamonds) |
//! | `product_pin` | `product_id` |
//! | `order` | `order_id`, `viewer_id` (or `buyer_id`), `product_id`, `quantity` (1–10,000, default 1), `amount` (the order's total, 0 to [`money::MAX_AMOUNT`]), `currency`? (must be the session's), `flash_sale_id`? |
//! | `order_refund` | `order_id` |
//!
//! `ts` is an RFC 3339 string or epoch milliseconds (a JSON integer or a string of
//! digits). Ids are non-blank strings of at most 128 characters (integers are
//! accepted and read as their digits). Unknown fields are ignored. The bounds
//! are [`crate::limits`]'.

use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value, json};

use crate::json::{Obj, Path, read};
use crate::limits;
use crate::money::{self, Currency};

/// One live-session event: when it happened and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveEvent {
    /// Event time, milliseconds since the Unix epoch (UTC).
    pub ts_ms: i64,
    /// What happened.
    pub body: EventBody,
}

/// What happened in a live session. Names follow the native `type`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventBody {
    /// A viewer started watching.
    ViewerJoin {
        /// The viewer.
        viewer_id: String,
    },
    /// A viewer stopped watching.
    ViewerLeave {
        /// The viewer.
        viewer_id: String,
    },
    /// The room's viewer count as reported by the platform.
    ViewerCount {
        /// Viewers in the room at `ts`.
        count: u64,
    },
    /// A chat message.
    Chat {
        /// The author.
        viewer_id: String,
        /// The message text.
        text: String,
        /// The platform's message id; a repeated id counts once.
        msg_id: Option<String>,
    },
    /// A question to the host.
    Question {
        /// The author.
        viewer_id: String,
        /// The question.
        text: String,
        /// The platform's message id; a repeated id counts once.
        msg_id: Option<String>,
    },
    /// The host answered a question.
    QuestionAnswered {
        /// The question's `msg_id`, when known; a repeated id counts once.
        msg_id: Option<String>,
        /// Who asked, when known.
        viewer_id: Option<String>,
    },
    /// Likes (taps) from a viewer.
    Like {
        /// The viewer.
        viewer_id: String,
        /// Number of likes, ≥ 1.
        count: u64,
    },
    /// A viewer shared the stream (empty `viewer_id`: not known).
    Share {
        /// The viewer, or empty.
        viewer_id: String,
    },
    /// A viewer followed the host (empty `viewer_id`: not known).
    Follow {
        /// The viewer, or empty.
        viewer_id: String,
    },
    /// A gift, valued in the platform's gift units (TikTok diamonds).
    Gift {
        /// The sender.
        viewer_id: String,
        /// Total value of the gift event.
        value: u64,
    },
    /// The host pinned a product.
    ProductPin {
        /// The pinned product.
        product_id: String,
    },
    /// An order placed during the session.
    Order {
        /// The order id; a repeated id counts once.
        order_id: String,
        /// The buyer.
        viewer_id: String,
        /// The product ordered.
        product_id: String,
        /// Units, ≥ 1.
        quantity: u64,
        /// The order's total in minor units of `currency`.
        amount_minor: i64,
        /// ISO 4217 code; the session's currency.
        currency: String,
        /// The flash sale the order was placed in, if any.
        flash_sale_id: Option<String>,
    },
    /// An order was refunded or cancelled after payment.
    OrderRefund {
        /// The refunded order.
        order_id: String,
    },
}

impl EventBody {
    /// The native `type` name (`"viewer_join"`, `"order_refund"`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            EventBody::ViewerJoin { .. } => "viewer_join",
            EventBody::ViewerLeave { .. } => "viewer_leave",
            EventBody::ViewerCount { .. } => "viewer_count",
            EventBody::Chat { .. } => "chat",
            EventBody::Question { .. } => "question",
            EventBody::QuestionAnswered { .. } => "question_answered",
            EventBody::Like { .. } => "like",
            EventBody::Share { .. } => "share",
            EventBody::Follow { .. } => "follow",
            EventBody::Gift { .. } => "gift",
            EventBody::ProductPin { .. } => "product_pin",
            EventBody::Order { .. } => "order",
            EventBody::OrderRefund { .. } => "order_refund",
        }
    }
}

/// The native `type` names, in the order the spec lists them.
pub const EVENT_TYPES: [&str; 13] = [
    "viewer_join",
    "viewer_leave",
    "viewer_count",
    "chat",
    "question",
    "question_answered",
    "like",
    "share",
    "follow",
    "gift",
    "product_pin",
    "order",
    "order_refund",
];

/// Earliest event time accepted: 0001-01-01T00:00:00Z.
pub const MIN_TS_MS: i64 = -62_135_596_800_000;
/// Latest event time accepted: 9999-12-31T23:59:59.999Z.
pub const MAX_TS_MS: i64 = 253_402_300_799_999;

/// Reads one native event. `currency` is the session's: an order's `amount` is in
/// it, and an order's `currency`, if given, must equal it.
///
/// Errors are short and name the field: `"ts: not RFC 3339 or epoch
/// milliseconds"`, `"order.amount: must be ≥ 0"`.
pub fn parse_event(v: &Value, currency: Currency) -> Result<LiveEvent, String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("event: must be an object, got {}", money::json_kind(v)))?;
    let root = Obj::new(obj, Path::root());
    let ty = root
        .field("type")
        .strict()
        .req("required", read::string_got)?;
    if !EVENT_TYPES.contains(&ty) {
        return Err(format!(
            "type: unknown event type {ty:?} (expected one of {})",
            EVENT_TYPES.join(", ")
        ));
    }
    let ts_ms = root.field("ts").strict().req("required", parse_ts)?;
    // The body's fields are named after the type: `order.amount`.
    let f = Obj::new(obj, Path::named(ty));
    let id = |key: &str| f.field(key).req("required", read::id);
    let opt_id = |key: &str| f.field(key).opt(read::id);
    let text = || {
        f.field("text")
            .req("required", read::text(limits::MAX_TEXT_CHARS))
    };
    let body = match ty {
        "viewer_join" => EventBody::ViewerJoin {
            viewer_id: id("viewer_id")?,
        },
        "viewer_leave" => EventBody::ViewerLeave {
            viewer_id: id("viewer_id")?,
        },
        "viewer_count" => EventBody::ViewerCount {
            count: f
                .field("count")
                .req("required", read::count_within(0, limits::MAX_VIEWER_COUNT))?,
        },
        "chat" => EventBody::Chat {
            viewer_id: id("viewer_id")?,
            text: text()?,
            msg_id: opt_id("msg_id")?,
        },
        "question" => EventBody::Question {
            viewer_id: id("viewer_id")?,
            text: text()?,
            msg_id: opt_id("msg_id")?,
        },
        "question_answered" => EventBody::QuestionAnswered {
            msg_id: opt_id("msg_id")?,
            viewer_id: opt_id("viewer_id")?,
        },
        "like" => EventBody::Like {
            viewer_id: id("viewer_id")?,
            count: f
                .field("count")
                .opt(read::count_within(1, limits::MAX_LIKES_PER_EVENT))?
                .unwrap_or(1),
        },
        "share" => EventBody::Share {
            viewer_id: opt_id("viewer_id")?.unwrap_or_default(),
        },
        "follow" => EventBody::Follow {
            viewer_id: opt_id("viewer_id")?.unwrap_or_default(),
        },
        "gift" => EventBody::Gift {
            viewer_id: id("viewer_id")?,
            value: f
                .field("value")
                .req("required", read::count_within(0, limits::MAX_GIFT_VALUE))?,
        },
        "product_pin" => EventBody::ProductPin {
            product_id: id("product_id")?,
        },
        "order" => order(&f, currency)?,
        _ => EventBody::OrderRefund {
            order_id: id("order_id")?,
        },
    };
    Ok(LiveEvent { ts_ms, body })
}

/// The fields of an `order` event.
fn order(f: &Obj, currency: Currency) -> Result<EventBody, String> {
    let id = |key: &str| f.field(key).req("required", read::id);
    let order_id = id("order_id")?;
    let viewer = f.field("viewer_id");
    let viewer_id = match viewer.opt(read::id)? {
        Some(id) => id,
        None => id("buyer_id").map_err(|_| viewer.fault("required"))?,
    };
    let product_id = id("product_id")?;
    let quantity = f
        .field("quantity")
        .opt(read::count_within(1, limits::MAX_QUANTITY))?
        .unwrap_or(1);
    let amount_minor = f.field("amount").req("required", |v| {
        let amount = money::parse_amount(v)?;
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err("must be ≥ 0".to_string());
        }
        money::check_amount(amount, currency)?;
        money::to_minor(amount, currency)
    })?;
    f.field("currency").opt(|c| match c {
        Value::String(c) if c == currency.code() => Ok(()),
        other => Err(format!(
            "must be the session's currency {currency}, got {other}"
        )),
    })?;
    Ok(EventBody::Order {
        order_id,
        viewer_id,
        product_id,
        quantity,
        amount_minor,
        currency: currency.code().to_string(),
        flash_sale_id: f.field("flash_sale_id").opt(read::id)?,
    })
}

/// Checks an event built elsewhere than [`parse_event`] (a connector mapping,
/// a TikTok Shop order) against the same bounds: ids, texts, counts and
/// amounts. The error names the field as [`parse_event`] would.
pub fn check_limits(e: &LiveEvent) -> Result<(), String> {
    let ty = e.body.type_name();
    let id = |field: &str, v: &str| limits::check_id(v).map_err(|m| format!("{ty}.{field}: {m}"));
    let opt_id = |field: &str, v: &Option<String>| v.as_deref().map_or(Ok(()), |v| id(field, v));
    let count = |field: &str, n: u64, max: u64| {
        limits::check_count(n, max).map_err(|m| format!("{ty}.{field}: {m}"))
    };
    let text = |v: &str| limits::check_text(v).map_err(|m| format!("{ty}.text: {m}"));
    match &e.body {
        EventBody::ViewerJoin { viewer_id } | EventBody::ViewerLeave { viewer_id } => {
            id("viewer_id", viewer_id)
        }
        EventBody::ViewerCount { count: n } => count("count", *n, limits::MAX_VIEWER_COUNT),
        EventBody::Chat {
            viewer_id,
            text: t,
            msg_id,
        }
        | EventBody::Question {
            viewer_id,
            text: t,
            msg_id,
        } => {
            id("viewer_id", viewer_id)?;
            text(t)?;
            opt_id("msg_id", msg_id)
        }
        EventBody::QuestionAnswered { msg_id, viewer_id } => {
            opt_id("msg_id", msg_id)?;
            opt_id("viewer_id", viewer_id)
        }
        EventBody::Like {
            viewer_id,
            count: n,
        } => {
            id("viewer_id", viewer_id)?;
            count("count", *n, limits::MAX_LIKES_PER_EVENT)
        }
        EventBody::Share { viewer_id } | EventBody::Follow { viewer_id } => {
            if viewer_id.is_empty() {
                Ok(())
            } else {
                id("viewer_id", viewer_id)
            }
        }
        EventBody::Gift { viewer_id, value } => {
            id("viewer_id", viewer_id)?;
            count("value", *value, limits::MAX_GIFT_VALUE)
        }
        EventBody::ProductPin { product_id } => id("product_id", product_id),
        EventBody::Order {
            order_id,
            viewer_id,
            product_id,
            quantity,
            amount_minor,
            flash_sale_id,
            ..
        } => {
            id("order_id", order_id)?;
            id("viewer_id", viewer_id)?;
            id("product_id", product_id)?;
            opt_id("flash_sale_id", flash_sale_id)?;
            if *quantity == 0 {
                return Err(format!("{ty}.quantity: must be ≥ 1"));
            }
            count("quantity", *quantity, limits::MAX_QUANTITY)?;
            if *amount_minor < 0 {
                return Err(format!("{ty}.amount: must be ≥ 0"));
            }
            Ok(())
        }
        EventBody::OrderRefund { order_id } => id("order_id", order_id),
    }
}

/// Reads an event time: an RFC 3339 string, or epoch milliseconds as a JSON
/// integer or a string of digits. The error is the message without the field
/// name.
pub fn parse_ts(v: &Value) -> Result<i64, String> {
    const BAD: &str = "not RFC 3339 or epoch milliseconds";
    let ms = match v {
        Value::Number(n) => n.as_i64().ok_or_else(|| BAD.to_string())?,
        Value::String(s) => {
            let s = s.trim();
            let digits = s.strip_prefix('-').unwrap_or(s);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                s.parse::<i64>().map_err(|_| BAD.to_string())?
            } else {
                DateTime::parse_from_rfc3339(s)
                    .map_err(|_| BAD.to_string())?
                    .timestamp_millis()
            }
        }
        _ => return Err(BAD.to_string()),
    };
    if !(MIN_TS_MS..=MAX_TS_MS).contains(&ms) {
        return Err("must be between years 0001 and 9999".to_string());
    }
    Ok(ms)
}

/// Formats epoch milliseconds as RFC 3339 UTC (`2026-03-25T19:00:00Z`, with
/// `.mmm` when the milliseconds are not zero).
pub fn format_ts(ts_ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ts_ms) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        None => ts_ms.to_string(),
    }
}

/// The canonical native JSON of an event, for storage and replay: `ts` as RFC
/// 3339, `amount` as an exact JSON number in `currency`, optional fields omitted
/// when absent.
pub fn to_json(e: &LiveEvent, currency: Currency) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!(e.body.type_name()));
    m.insert("ts".into(), json!(format_ts(e.ts_ms)));
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    match &e.body {
        EventBody::ViewerJoin { viewer_id } | EventBody::ViewerLeave { viewer_id } => {
            put("viewer_id", json!(viewer_id));
        }
        EventBody::ViewerCount { count } => put("count", json!(count)),
        EventBody::Chat {
            viewer_id,
            text,
            msg_id,
        }
        | EventBody::Question {
            viewer_id,
            text,
            msg_id,
        } => {
            put("viewer_id", json!(viewer_id));
            put("text", json!(text));
            if let Some(id) = msg_id {
                put("msg_id", json!(id));
            }
        }
        EventBody::QuestionAnswered { msg_id, viewer_id } => {
            if let Some(id) = msg_id {
                put("msg_id", json!(id));
            }
            if let Some(id) = viewer_id {
                put("viewer_id", json!(id));
            }
        }
        EventBody::Like { viewer_id, count } => {
            put("viewer_id", json!(viewer_id));
            put("count", json!(count));
        }
        EventBody::Share { viewer_id } | EventBody::Follow { viewer_id } => {
            if !viewer_id.is_empty() {
                put("viewer_id", json!(viewer_id));
            }
        }
        EventBody::Gift { viewer_id, value } => {
            put("viewer_id", json!(viewer_id));
            put("value", json!(value));
        }
        EventBody::ProductPin { product_id } => put("product_id", json!(product_id)),
        EventBody::Order {
            order_id,
            viewer_id,
            product_id,
            quantity,
            amount_minor,
            currency: code,
            flash_sale_id,
        } => {
            put("order_id", json!(order_id));
            put("viewer_id", json!(viewer_id));
            put("product_id", json!(product_id));
            put("quantity", json!(quantity));
            put(
                "amount",
                decimal_json(money::from_minor(*amount_minor, currency)),
            );
            put("currency", json!(code));
            if let Some(id) = flash_sale_id {
                put("flash_sale_id", json!(id));
            }
        }
        EventBody::OrderRefund { order_id } => put("order_id", json!(order_id)),
    }
    Value::Object(m)
}

/// An exact JSON number for a decimal (by its text, so `12.50` stays `12.50`).
pub(crate) fn decimal_json(d: Decimal) -> Value {
    d.to_string()
        .parse::<Number>()
        .map_or_else(|_| json!(d.to_string()), Value::Number)
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
