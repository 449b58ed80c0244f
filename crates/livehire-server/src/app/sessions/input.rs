//! A batch of live events as the client sent it, split at the edge: one
//! [`RawEvent`] per event with its JSON (or why it is not JSON). Turning the
//! JSON into `LiveEvent`s needs the session's currency, so that happens in
//! the service, which reports each bad event by its index.

use serde_json::Value;

use crate::error::{ApiError, ApiResult};

/// How a batch's events are shaped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EventFormat {
    /// livehire's own `{type, ts, …}` events.
    #[default]
    Native,
    /// What the open-source TikTok LIVE connectors emit, `{event, data}`
    /// (`?format=tiktok-live-connector`).
    TikTokLiveConnector,
}

impl EventFormat {
    /// The format's name as `?format=` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            EventFormat::Native => "native",
            EventFormat::TikTokLiveConnector => "tiktok-live-connector",
        }
    }

    /// Reads `?format=`: `native` (also when absent) or
    /// `tiktok-live-connector`; 422 naming `format` otherwise.
    pub fn parse(raw: Option<&str>) -> ApiResult<EventFormat> {
        match raw {
            None | Some("native") => Ok(EventFormat::Native),
            Some("tiktok-live-connector") => Ok(EventFormat::TikTokLiveConnector),
            Some(other) => Err(ApiError::field(
                "format",
                format!("unknown format {other:?}; use tiktok-live-connector"),
            )),
        }
    }
}

/// One event of a batch as posted.
#[derive(Debug, Clone)]
pub struct RawEvent {
    /// Its NDJSON line, when it came as one: a native line short enough is
    /// stored as sent.
    pub line: Option<String>,
    /// Its JSON, or why the line is not JSON (reported by index).
    pub value: Result<Value, String>,
}

/// A posted batch of live events, in the order sent.
#[derive(Debug, Clone, Default)]
pub struct EventBatchInput {
    /// How the events are shaped.
    pub format: EventFormat,
    /// The events.
    pub items: Vec<RawEvent>,
}

impl EventBatchInput {
    /// Splits a request body: NDJSON, one event a line (blank lines
    /// skipped), or a JSON array (a single object is one event). 400 for
    /// NDJSON that is not UTF-8 or a JSON body that is not JSON; 422 for
    /// JSON that is neither an array nor an object.
    pub fn from_body(format: EventFormat, ndjson: bool, body: &[u8]) -> ApiResult<Self> {
        if ndjson {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::BadRequest("NDJSON body is not UTF-8".into()))?;
            let items = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| RawEvent {
                    value: serde_json::from_str(l).map_err(|e| format!("not JSON: {e}")),
                    line: Some(l.to_string()),
                })
                .collect();
            return Ok(EventBatchInput { format, items });
        }
        match crate::extract::parse_json::<Value>(body)? {
            Value::Array(a) => Ok(Self::from_values(format, a)),
            other @ Value::Object(_) => Ok(Self::from_values(format, vec![other])),
            _ => Err(ApiError::field(
                "",
                "send a JSON array of events, or NDJSON with Content-Type application/x-ndjson",
            )),
        }
    }

    /// Events given as JSON values (no source lines).
    pub fn from_values(format: EventFormat, values: Vec<Value>) -> Self {
        EventBatchInput {
            format,
            items: values
                .into_iter()
                .map(|v| RawEvent {
                    line: None,
                    value: Ok(v),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_keeps_each_line_and_reports_what_is_not_json() {
        let body = b"{\"type\":\"like\",\"ts\":1}\n\n  \nnot json\n";
        let b = EventBatchInput::from_body(EventFormat::Native, true, body).unwrap();
        assert_eq!(b.items.len(), 2);
        assert_eq!(
            b.items[0].line.as_deref(),
            Some("{\"type\":\"like\",\"ts\":1}")
        );
        assert_eq!(b.items[0].value.as_ref().unwrap()["type"], "like");
        assert!(
            b.items[1]
                .value
                .as_ref()
                .unwrap_err()
                .starts_with("not JSON")
        );
        assert!(EventBatchInput::from_body(EventFormat::Native, true, &[0xff]).is_err());
    }

    #[test]
    fn json_is_an_array_or_one_object() {
        let one = EventBatchInput::from_body(EventFormat::Native, false, b"{\"a\":1}").unwrap();
        assert_eq!(one.items.len(), 1);
        assert!(one.items[0].line.is_none());
        let two = EventBatchInput::from_body(EventFormat::Native, false, b"[{}, 3]").unwrap();
        assert_eq!(two.items.len(), 2);
        assert!(EventBatchInput::from_body(EventFormat::Native, false, b"3").is_err());
        assert!(EventBatchInput::from_body(EventFormat::Native, false, b"[").is_err());
        assert_eq!(
            EventFormat::parse(Some("tiktok-live-connector")).unwrap(),
            EventFormat::TikTokLiveConnector
        );
        assert_eq!(EventFormat::parse(None).unwrap(), EventFormat::Native);
        assert!(EventFormat::parse(Some("csv")).is_err());
    }
}
