//! `livehire sessions watch`: a live view of a session over its event
//! stream (GET /api/v1/sessions/{id}/stream). On a terminal the view is
//! redrawn in place; into a pipe or file it is one line an update. It ends
//! when the session does (exit 0) or on Ctrl-C, and reconnects with
//! `Last-Event-ID` when the stream drops.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use clap::Subcommand;
use serde_json::Value;

use super::api::{self, Client, segment, transport_failure};
use super::render::{money, number, text};
use super::{Failure, sse};

/// The `sessions` commands.
#[derive(Subcommand)]
pub enum Command {
    /// Watch a session live: viewers, GMV, orders, likes, flash sales. Ends
    /// when the session ends, or on Ctrl-C (both exit 0).
    Watch {
        /// The session's id, `ph_sess_…`.
        session_id: String,
        /// Print one line an update even on a terminal.
        #[arg(long)]
        lines: bool,
    },
}

/// Consecutive failed connections before giving up (about three minutes of
/// backing off).
const MAX_RECONNECTS: u32 = 20;

/// Quiet this long on a connected stream (a live session sends metrics every
/// second): read the session's status to see whether it ended meanwhile.
const QUIET_CHECK: Duration = Duration::from_secs(5);

/// A live session never goes this long without a byte (keep-alive comments
/// come every 15 s): the connection is dead.
const READ_TIMEOUT: Duration = Duration::from_secs(45);

/// Runs a `sessions` command.
pub async fn run(client: Client, command: Command) -> Result<(), Failure> {
    let Command::Watch { session_id, lines } = command;
    let id = segment(&session_id)?.to_string();
    let tty = !lines && !client.json && std::io::stdout().is_terminal();
    let mut watch = Watch::start(client, id, tty).await?;
    tokio::select! {
        result = watch.follow() => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// What the view shows, as the stream last said.
struct View {
    session_id: String,
    status: String,
    currency: Value,
    metrics: Value,
    /// Flash sales by id: their latest state.
    sales: BTreeMap<String, Value>,
    /// A note under the figures (reconnecting, …).
    note: Option<String>,
}

impl View {
    fn ended(&self) -> bool {
        matches!(self.status.as_str(), "ended" | "cancelled")
    }

    /// Takes one stream event; answers whether it changed the view.
    fn apply(&mut self, event: &sse::Event) -> bool {
        let Ok(data) = serde_json::from_str::<Value>(&event.data) else {
            return false;
        };
        match event.event.as_str() {
            "metrics" => self.metrics = data,
            "session" => {
                if let Some(s) = data["status"].as_str() {
                    self.status = s.to_string();
                }
                if data["metrics"].is_object() {
                    self.metrics = data["metrics"].clone();
                }
            }
            "flash_sale" | "sold_out" => {
                let Some(id) = data["id"].as_str() else {
                    return false;
                };
                let entry = self
                    .sales
                    .entry(id.to_string())
                    .or_insert_with(|| Value::Object(Default::default()));
                if let (Some(into), Some(from)) = (entry.as_object_mut(), data.as_object()) {
                    for (k, v) in from {
                        into.insert(k.clone(), v.clone());
                    }
                }
                if event.event == "sold_out" {
                    entry["status"] = Value::String("sold_out".into());
                    entry["remaining"] = Value::from(0);
                }
            }
            _ => return false,
        }
        true
    }

    fn gmv(&self) -> String {
        money(&self.metrics["gmv"], &self.currency)
    }

    /// The flash sales' rows: `ph_fs_… prod_001 sold 2/100 remaining 98 active 120s left`.
    fn sale_lines(&self) -> Vec<String> {
        self.sales
            .iter()
            .map(|(id, s)| {
                let left = match s["seconds_left"].as_i64() {
                    Some(secs) if secs > 0 => format!(" {}:{:02} left", secs / 60, secs % 60),
                    _ => String::new(),
                };
                format!(
                    "{id} {} sold {}/{} remaining {} {}{left}",
                    text(&s["product_id"]),
                    number(&s["sold"]),
                    number(&s["stock"]),
                    number(&s["remaining"]),
                    text(&s["status"]),
                )
            })
            .collect()
    }

    /// The view as a block of lines, for a terminal.
    fn block(&self) -> Vec<String> {
        let m = &self.metrics;
        let mut lines = vec![
            format!("Session {} · {}", self.session_id, self.status),
            format!(
                "  Viewers    {} now · peak {} · unique {}",
                number(&m["concurrent_viewers"]),
                number(&m["peak_concurrent_viewers"]),
                number(&m["unique_viewers"])
            ),
            format!(
                "  GMV        {} · orders {} · units {} · buyers {}",
                self.gmv(),
                number(&m["orders"]),
                number(&m["units"]),
                number(&m["buyers"])
            ),
            format!(
                "  Engagement likes {} · chat {} · questions {} (answered {}) · shares {}",
                number(&m["likes"]),
                number(&m["chat_messages"]),
                number(&m["questions"]),
                number(&m["questions_answered"]),
                number(&m["shares"])
            ),
        ];
        let sales = self.sale_lines();
        if !sales.is_empty() {
            lines.push("  Flash sales".to_string());
            lines.extend(sales.into_iter().map(|s| format!("    {s}")));
        }
        lines.push(match &self.note {
            Some(n) => format!("  {n}"),
            None if self.ended() => "  The session has ended.".to_string(),
            None => "  Ctrl-C to stop watching.".to_string(),
        });
        lines
    }

    /// The view as one line, for a pipe.
    fn line(&self) -> String {
        let m = &self.metrics;
        let mut line = format!(
            "{} {} viewers={} peak={} unique={} gmv={} orders={} units={} likes={} questions={}",
            self.session_id,
            self.status,
            number(&m["concurrent_viewers"]),
            number(&m["peak_concurrent_viewers"]),
            number(&m["unique_viewers"]),
            self.gmv(),
            number(&m["orders"]),
            number(&m["units"]),
            number(&m["likes"]),
            number(&m["questions"]),
        );
        for s in self.sale_lines() {
            line.push_str(" | ");
            line.push_str(&s);
        }
        line
    }
}

/// Where the view is drawn.
struct Screen {
    tty: bool,
    /// `--json`: each stream event's data as one JSON line.
    json: bool,
    /// Lines of the block drawn last (a terminal), to draw over.
    drawn: u16,
    /// The last line printed (a pipe), not printed twice in a row.
    last: String,
    /// stdout is gone (`| head -3` has what it wanted): stop watching.
    closed: bool,
}

impl Screen {
    /// Writes with `write` to stdout; a failed write closes the screen.
    fn write(
        &mut self,
        write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
    ) {
        let mut out = std::io::stdout().lock();
        if write(&mut out).and_then(|()| out.flush()).is_err() {
            self.closed = true;
        }
    }

    fn draw(&mut self, view: &View) {
        if self.tty {
            use crossterm::{cursor, queue, terminal};
            let width = terminal::size().map_or(200, |(w, _)| w.max(20)) as usize;
            let drawn = self.drawn;
            let block = view.block();
            self.write(|out| {
                if drawn > 0 {
                    queue!(
                        out,
                        cursor::MoveToPreviousLine(drawn),
                        terminal::Clear(terminal::ClearType::FromCursorDown)
                    )?;
                }
                for l in &block {
                    // Cut to the width, so each line takes one row to draw over.
                    let cut: String = l.chars().take(width - 1).collect();
                    writeln!(out, "{cut}")?;
                }
                Ok(())
            });
            self.drawn = block.len() as u16;
        } else if !self.json {
            let line = view.line();
            if line != self.last {
                self.write(|out| writeln!(out, "{line}"));
                self.last = line;
            }
        }
    }

    /// Prints the session's figures as read with `GET …/metrics`, as a
    /// `snapshot` item (`--json`): before the stream and after the end.
    fn snapshot(&mut self, view: &View) {
        if self.json {
            let line = serde_json::json!({"event": "snapshot", "id": null, "data": view.metrics});
            self.write(|out| writeln!(out, "{line}"));
        }
    }

    /// Prints one stream event's data (`--json`).
    fn json_line(&mut self, event: &sse::Event) {
        if self.json {
            let data = serde_json::from_str::<Value>(&event.data).unwrap_or(Value::Null);
            let line = serde_json::json!({"event": event.event, "id": event.id, "data": data});
            self.write(|out| writeln!(out, "{line}"));
        }
    }
}

/// A watch in progress.
struct Watch {
    client: Client,
    stream_http: reqwest::Client,
    view: View,
    screen: Screen,
    parser: sse::Parser,
    /// Connections that failed since the last one that opened.
    failures: u32,
}

impl Watch {
    /// Reads the session's figures and its task's currency.
    async fn start(client: Client, session_id: String, tty: bool) -> Result<Self, Failure> {
        let current = client
            .get(&format!("/api/v1/sessions/{session_id}/metrics"), &[])
            .await?;
        let task_id = text(&current["task_id"]);
        let task = client
            .get(&format!("/api/v1/tasks/{}", segment(&task_id)?), &[])
            .await?;
        let mut sales = BTreeMap::new();
        merge_sales(&mut sales, &current);
        let stream_http = api::builder()
            .read_timeout(READ_TIMEOUT)
            .build()
            .map_err(|e| Failure::Other(format!("HTTP client: {e}")))?;
        let json = client.json;
        let watch = Watch {
            client,
            stream_http,
            view: View {
                session_id,
                status: text(&current["status"]),
                currency: task["currency"].clone(),
                metrics: current,
                sales,
                note: None,
            },
            screen: Screen {
                tty,
                json,
                drawn: 0,
                last: String::new(),
                closed: false,
            },
            failures: 0,
            parser: sse::Parser::new(),
        };
        Ok(watch)
    }

    /// Follows the stream until the session ends (or stdout closes).
    async fn follow(&mut self) -> Result<(), Failure> {
        self.screen.draw(&self.view);
        self.screen.snapshot(&self.view);
        while !self.view.ended() && !self.screen.closed {
            match self.connection().await {
                Ok(()) => {}
                Err(f @ Failure::Api { status, .. })
                    if !(status.is_server_error() || status.as_u16() == 429) =>
                {
                    return Err(f);
                }
                Err(f) => {
                    self.failures += 1;
                    if self.failures > MAX_RECONNECTS {
                        return Err(f);
                    }
                    let note = format!("stream lost ({}); reconnecting…", brief(&f));
                    if !self.screen.tty {
                        // A pipe's lines carry figures only; the note goes aside.
                        eprintln!("{note}");
                    }
                    self.view.note = Some(note);
                    self.screen.draw(&self.view);
                }
            }
            if self.view.ended() || self.screen.closed {
                break;
            }
            // The server's retry delay, doubled for each failure in a row.
            let wait = self
                .parser
                .retry_ms()
                .map_or(Duration::from_secs(1), Duration::from_millis)
                .max(Duration::from_millis(50))
                * 2u32.pow(self.failures.saturating_sub(1).min(4));
            tokio::time::sleep(wait.min(Duration::from_secs(10))).await;
            // The session may have ended while no stream was open.
            self.check_status().await;
        }
        if self.screen.closed {
            return Ok(());
        }
        // The sales end with the session; their last states may come after
        // the session's end on the stream: read them as they stand.
        self.refresh().await;
        self.view.note = None;
        self.screen.draw(&self.view);
        self.screen.snapshot(&self.view);
        Ok(())
    }

    /// Reads the session's figures and sales as they stand, after its end.
    async fn refresh(&mut self) {
        let path = format!("/api/v1/sessions/{}/metrics", self.view.session_id);
        if let Ok(current) = self.client.get(&path, &[]).await {
            merge_sales(&mut self.view.sales, &current);
            self.view.status = text(&current["status"]);
            self.view.metrics = current;
        }
    }

    /// One connection of the stream, read until it ends or the session does.
    async fn connection(&mut self) -> Result<(), Failure> {
        let path = format!("/api/v1/sessions/{}/stream", self.view.session_id);
        let url = self.client.url(&path);
        let mut request = self
            .client
            .with_key(self.stream_http.get(&url))
            .header("Accept", "text/event-stream");
        if let Some(id) = self.parser.last_id() {
            request = request.header("Last-Event-ID", id);
        }
        let mut response = request
            .send()
            .await
            .map_err(|e| transport_failure(&url, &e))?;
        if !response.status().is_success() {
            return Err(api::error_answer(response, &url, self.client.json).await);
        }
        self.failures = 0;
        self.parser.reset_connection();
        if self.view.note.take().is_some() {
            self.screen.draw(&self.view);
        }
        loop {
            let chunk = match tokio::time::timeout(QUIET_CHECK, response.chunk()).await {
                Ok(Ok(Some(chunk))) => chunk,
                // The server closed the stream (a shutdown): reconnect.
                Ok(Ok(None)) => {
                    return Err(Failure::Connection {
                        url,
                        reason: "the stream ended".into(),
                    });
                }
                Ok(Err(e)) => return Err(transport_failure(&url, &e)),
                Err(_quiet) => {
                    self.check_status().await;
                    if self.view.ended() {
                        return Ok(());
                    }
                    continue;
                }
            };
            for event in self.parser.feed(&chunk) {
                self.screen.json_line(&event);
                if self.view.apply(&event) {
                    self.screen.draw(&self.view);
                }
            }
            if self.view.ended() || self.screen.closed {
                return Ok(());
            }
        }
    }

    /// Reads the session's status (and figures) when the stream cannot say.
    async fn check_status(&mut self) {
        let path = format!("/api/v1/sessions/{}/metrics", self.view.session_id);
        if let Ok(current) = self.client.get(&path, &[]).await {
            let status = text(&current["status"]);
            if status != self.view.status {
                self.view.status = status;
                self.view.metrics = current;
                self.screen.draw(&self.view);
            }
        }
    }
}

/// Takes the sales' states from a `GET …/metrics` answer into `sales`.
fn merge_sales(sales: &mut BTreeMap<String, Value>, current: &Value) {
    for s in current["flash_sale_status"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(id) = s["id"].as_str() {
            sales.insert(id.to_string(), s.clone());
        }
    }
}

/// A failure in a few words, for the reconnecting note.
fn brief(f: &Failure) -> String {
    match f {
        Failure::Api { status, .. } => format!("HTTP {}", status.as_u16()),
        Failure::Connection { reason, .. } => reason.clone(),
        Failure::Usage(m) | Failure::Other(m) => m.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(name: &str, data: Value) -> sse::Event {
        sse::Event {
            id: Some("1".into()),
            event: name.into(),
            data: data.to_string(),
        }
    }

    fn view() -> View {
        View {
            session_id: "ph_sess_1".into(),
            status: "live".into(),
            currency: json!("CNY"),
            metrics: Value::Null,
            sales: BTreeMap::new(),
            note: None,
        }
    }

    #[test]
    fn a_line_carries_the_figures_and_the_sales() {
        let mut v = view();
        let metrics: Value = serde_json::from_str(
            r#"{"concurrent_viewers": 1200, "peak_concurrent_viewers": 1500, "unique_viewers": 3,
                "gmv": 12345.60, "orders": 2, "units": 3, "likes": 40, "questions": 1}"#,
        )
        .unwrap();
        assert!(v.apply(&event("metrics", metrics)));
        assert!(v.apply(&event(
            "flash_sale",
            json!({"id": "ph_fs_1", "product_id": "prod_001", "stock": 100, "sold": 2, "remaining": 98, "seconds_left": 125, "status": "active"})
        )));
        assert_eq!(
            v.line(),
            "ph_sess_1 live viewers=1,200 peak=1,500 unique=3 gmv=12,345.60 CNY orders=2 units=3 likes=40 questions=1 | ph_fs_1 prod_001 sold 2/100 remaining 98 active 2:05 left"
        );
        assert!(v.apply(&event("sold_out", json!({"id": "ph_fs_1", "sold": 100}))));
        assert!(
            v.line()
                .ends_with("sold 100/100 remaining 0 sold_out 2:05 left")
        );
    }

    #[test]
    fn the_session_event_ends_the_view_with_its_final_figures() {
        let mut v = view();
        assert!(!v.ended());
        v.apply(&event(
            "session",
            json!({"status": "ended", "ended_at": "2030-01-01T00:00:00Z", "metrics": {"gmv": 139, "orders": 1}}),
        ));
        assert!(v.ended());
        assert!(v.line().contains("gmv=139 CNY orders=1"));
        assert!(v.block().last().unwrap().contains("ended"));
    }
}
