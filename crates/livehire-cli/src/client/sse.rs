//! A Server-Sent Events parser: bytes in as they arrive, whole events out
//! (the WHATWG event-stream format: `field: value` lines, an empty line ends
//! an event, `:` starts a comment).

/// One event of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The stream's last event id when this event was dispatched.
    pub id: Option<String>,
    /// The `event:` name; `message` when the event had none.
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Parser state between chunks.
#[derive(Debug, Default)]
pub struct Parser {
    /// Bytes of a line not yet ended.
    pending: Vec<u8>,
    /// The last `id:` seen (it carries over to later events, per the format).
    last_id: Option<String>,
    event: Option<String>,
    data: Option<String>,
    /// The last `retry:` the server asked for, in milliseconds.
    retry_ms: Option<u64>,
    /// The previous chunk ended in `\r`: a `\n` starting this one belongs to it.
    after_cr: bool,
}

impl Parser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// The last event id seen: what to send as `Last-Event-ID` to resume.
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The reconnection delay the server asked for, if any.
    pub fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    /// Forgets a half-read event and line (the connection they came on is
    /// gone); the last id and retry are kept.
    pub fn reset_connection(&mut self) {
        self.pending.clear();
        self.event = None;
        self.data = None;
        self.after_cr = false;
    }

    /// Feeds a chunk of the stream; answers the events it completes.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Event> {
        let mut events = Vec::new();
        let mut bytes = chunk;
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = bytes.strip_prefix(b"\n") {
                bytes = rest;
            }
        }
        while let Some(end) = bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.pending.extend_from_slice(&bytes[..end]);
            let line = std::mem::take(&mut self.pending);
            if let Some(e) = self.line(&String::from_utf8_lossy(&line)) {
                events.push(e);
            }
            let mut next = end + 1;
            if bytes[end] == b'\r' {
                if next == bytes.len() {
                    self.after_cr = true;
                } else if bytes[next] == b'\n' {
                    next += 1;
                }
            }
            bytes = &bytes[next..];
        }
        self.pending.extend_from_slice(bytes);
        events
    }

    /// Takes one line; an empty one dispatches the event gathered so far.
    fn line(&mut self, line: &str) -> Option<Event> {
        if line.is_empty() {
            let event = self.event.take();
            let data = self.data.take()?;
            return Some(Event {
                id: self.last_id.clone(),
                event: event.unwrap_or_else(|| "message".to_string()),
                data,
            });
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => match &mut self.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            "id" if !value.contains('\0') => self.last_id = Some(value.to_string()),
            "retry" => {
                if let Ok(ms) = value.parse() {
                    self.retry_ms = Some(ms);
                }
            }
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(p: &mut Parser, chunks: &[&[u8]]) -> Vec<Event> {
        chunks.iter().flat_map(|c| p.feed(c)).collect()
    }

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let stream = b"event: metrics\nid: 7\ndata: {\"gmv\": 139.00}\n\n: keep-alive\n\nevent: session\ndata: a\ndata: b\n\n";
        let whole = all(&mut Parser::new(), &[stream]);
        assert_eq!(
            whole,
            vec![
                Event {
                    id: Some("7".into()),
                    event: "metrics".into(),
                    data: "{\"gmv\": 139.00}".into()
                },
                Event {
                    id: Some("7".into()),
                    event: "session".into(),
                    data: "a\nb".into()
                },
            ]
        );
        for cut in 1..stream.len() {
            let (a, b) = stream.split_at(cut);
            assert_eq!(all(&mut Parser::new(), &[a, b]), whole, "cut at {cut}");
        }
    }

    #[test]
    fn crlf_and_cr_end_lines_even_across_chunks() {
        let mut p = Parser::new();
        let events = all(&mut p, &[b"data: x\r", b"\n\r", b"\ndata: y\r\r"]);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].data, "x");
        assert_eq!(events[0].event, "message");
        assert_eq!(events[1].data, "y");
    }

    #[test]
    fn retry_and_the_last_id_are_kept_and_an_event_without_data_is_dropped() {
        let mut p = Parser::new();
        let events = p.feed(b"event: shutdown\nretry: 3000\nid: 41\n\nid: 42\ndata: ok\n\n");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].id.as_deref(), Some("42"));
        assert_eq!(p.last_id(), Some("42"));
        assert_eq!(p.retry_ms(), Some(3000));
        p.feed(b"data: half");
        p.reset_connection();
        assert_eq!(p.feed(b"\n\n"), vec![]);
        assert_eq!(p.last_id(), Some("42"));
    }
}
