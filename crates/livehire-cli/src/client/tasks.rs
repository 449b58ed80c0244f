//! `livehire tasks`: post, list, read, approve and cancel tasks.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use serde_json::{Map, Value};

use super::api::{Client, print_json, segment};
use super::render::{self, fields, money, out, short, text};
use super::{Failure, Paging};

/// The `tasks` commands.
#[derive(Subcommand)]
pub enum Command {
    /// Post a task from a JSON file (POST /api/v1/tasks); prints its id.
    Create {
        /// The task's JSON body (the seed's task shape); `-` reads stdin.
        #[arg(long, short = 'f')]
        file: PathBuf,
        /// Sent as `Idempotency-Key`: a retry with the same key posts once.
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// List your tasks, newest first (hosts: open tasks and their own).
    List {
        /// Only tasks in this status: open, assigned, in_progress,
        /// submitted, approved or cancelled.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        paging: Paging,
    },
    /// Show a task.
    Show {
        /// The task's id, `ph_task_…`.
        id: String,
    },
    /// Approve a submitted task and pay the host (POST …/approve); prints the
    /// payout lines and total.
    Approve {
        /// The task's id, `ph_task_…`.
        id: String,
        /// Sent as `Idempotency-Key`: an approval retried with the same key
        /// never pays twice.
        #[arg(long)]
        idempotency_key: Option<String>,
        /// Which figures pay (the server's default: verified).
        #[arg(long, value_enum)]
        figures: Option<Figures>,
        /// A figure you state yourself, replacing the chosen one: FIELD=VALUE
        /// with FIELD gmv, orders, unique_viewers, peak_viewers, questions,
        /// questions_answered or highlight_views (repeat the flag).
        #[arg(long, value_name = "FIELD=VALUE")]
        stated: Vec<String>,
    },
    /// Cancel a task that has not started (POST …/cancel).
    Cancel {
        /// The task's id, `ph_task_…`.
        id: String,
    },
}

/// The approve endpoint's `figures` bases.
#[derive(Clone, Copy, ValueEnum)]
pub enum Figures {
    /// The figures this server verified (the default).
    Verified,
    /// The host's own submission.
    HostReported,
}

impl Figures {
    fn as_str(self) -> &'static str {
        match self {
            Figures::Verified => "verified",
            Figures::HostReported => "host_reported",
        }
    }
}

/// The `stated` fields the approve endpoint takes.
const STATED_FIELDS: [&str; 7] = [
    "gmv",
    "orders",
    "unique_viewers",
    "peak_viewers",
    "questions",
    "questions_answered",
    "highlight_views",
];

/// Runs a `tasks` command.
pub async fn run(client: Client, command: Command) -> Result<(), Failure> {
    match command {
        Command::Create {
            file,
            idempotency_key,
        } => {
            let body = read_json(&file)?;
            let task = client
                .post("/api/v1/tasks", &body, idempotency_key.as_deref())
                .await?;
            if client.json {
                return print_json(&task);
            }
            out(&format!("created task {}", text(&task["id"])))?;
            show(&task)
        }
        Command::List { status, paging } => {
            let query = status.map(|s| ("status", s)).into_iter().collect();
            let page = client.list("/api/v1/tasks", query, &paging).await?;
            if client.json {
                return print_json(&page);
            }
            let mut table = render::table(&[
                "ID",
                "STATUS",
                "TITLE",
                "COMPENSATION",
                "SESSIONS",
                "HOST",
                "CREATED",
            ]);
            for t in page["data"].as_array().into_iter().flatten() {
                table.add_row(vec![
                    text(&t["id"]),
                    text(&t["status"]),
                    short(&text(&t["title"]), 48),
                    money(&t["compensation"], &t["currency"]),
                    t["sessions"].as_array().map_or(0, Vec::len).to_string(),
                    text(&t["assigned_human_id"]),
                    text(&t["created_at"]),
                ]);
            }
            render::right(&mut table, &[3, 4]);
            render::page(table, &page)
        }
        Command::Show { id } => {
            let task = client
                .get(&format!("/api/v1/tasks/{}", segment(&id)?), &[])
                .await?;
            if client.json {
                return print_json(&task);
            }
            show(&task)
        }
        Command::Approve {
            id,
            idempotency_key,
            figures,
            stated,
        } => {
            let body = approval(figures, &stated)?;
            let answer = client
                .post(
                    &format!("/api/v1/tasks/{}/approve", segment(&id)?),
                    &body,
                    idempotency_key.as_deref(),
                )
                .await?;
            if client.json {
                return print_json(&answer);
            }
            out(&format!(
                "task {} {}",
                text(&answer["task"]["id"]),
                text(&answer["task"]["status"])
            ))?;
            payout(&answer["payout"])
        }
        Command::Cancel { id } => {
            let task = client
                .post(
                    &format!("/api/v1/tasks/{}/cancel", segment(&id)?),
                    &Value::Object(Map::new()),
                    None,
                )
                .await?;
            if client.json {
                return print_json(&task);
            }
            out(&format!(
                "task {} {}",
                text(&task["id"]),
                text(&task["status"])
            ))
        }
    }
}

/// The approve body from the flags: `{}` pays on the verified figures.
fn approval(figures: Option<Figures>, stated: &[String]) -> Result<Value, Failure> {
    let mut body = Map::new();
    if let Some(f) = figures {
        body.insert("figures".into(), Value::String(f.as_str().into()));
    }
    let mut figures = Map::new();
    for s in stated {
        let Some((field, value)) = s.split_once('=') else {
            return Err(Failure::Usage(format!(
                "--stated takes FIELD=VALUE, got {s:?}"
            )));
        };
        let field = field.trim();
        if !STATED_FIELDS.contains(&field) {
            return Err(Failure::Usage(format!(
                "--stated: unknown field {field:?}; use one of {}",
                STATED_FIELDS.join(", ")
            )));
        }
        // Parsed as a JSON number so its text goes to the server unchanged.
        let number = match serde_json::from_str::<Value>(value.trim()) {
            Ok(n @ Value::Number(_)) => n,
            _ => {
                return Err(Failure::Usage(format!(
                    "--stated {field}: not a number: {value:?}"
                )));
            }
        };
        figures.insert(field.to_string(), number);
    }
    if !figures.is_empty() {
        body.insert("stated".into(), Value::Object(figures));
    }
    Ok(Value::Object(body))
}

/// Reads a JSON file (`-`: stdin).
fn read_json(path: &std::path::Path) -> Result<Value, Failure> {
    let (name, text) = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Failure::Usage(format!("reading stdin: {e}")))?;
        ("stdin".to_string(), text)
    } else {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("reading {name}: {e}")))?;
        (name, text)
    };
    serde_json::from_str(&text).map_err(|e| Failure::Usage(format!("{name} is not JSON: {e}")))
}

/// Prints a task.
fn show(t: &Value) -> Result<(), Failure> {
    fields(&[
        ("id", text(&t["id"])),
        ("title", text(&t["title"])),
        ("status", text(&t["status"])),
        ("compensation", money(&t["compensation"], &t["currency"])),
        ("deadline", text(&t["deadline"])),
        ("host", text(&t["assigned_human_id"])),
        ("created", text(&t["created_at"])),
    ])?;
    let sessions = t["sessions"].as_array().cloned().unwrap_or_default();
    if !sessions.is_empty() {
        let mut table = render::table(&["SESSION", "STATUS", "SCHEDULED"]);
        for s in &sessions {
            table.add_row(vec![
                text(&s["id"]),
                text(&s["status"]),
                text(&s["scheduled_time"]),
            ]);
        }
        out(&table.to_string())?;
    }
    Ok(())
}

/// Prints a payout's lines and total.
fn payout(p: &Value) -> Result<(), Failure> {
    let currency = &p["currency"];
    let mut table = render::table(&["KIND", "DESCRIPTION", "AMOUNT"]);
    for line in p["lines"].as_array().into_iter().flatten() {
        table.add_row(vec![
            text(&line["kind"]),
            text(&line["description"]),
            money(&line["amount"], currency),
        ]);
    }
    table.add_row(vec![
        "total".to_string(),
        String::new(),
        money(&p["total"], currency),
    ]);
    render::right(&mut table, &[2]);
    out(&table.to_string())?;
    out(&format!("GMV paid on: {}", money(&p["gmv"], currency)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approval_body_keeps_stated_numbers_as_written() {
        let body = approval(
            Some(Figures::HostReported),
            &["gmv=30000.50".into(), "orders=12".into()],
        )
        .unwrap();
        assert_eq!(
            body.to_string(),
            r#"{"figures":"host_reported","stated":{"gmv":30000.50,"orders":12}}"#
        );
        assert_eq!(approval(None, &[]).unwrap().to_string(), "{}");
        assert!(approval(None, &["gmv".into()]).is_err());
        assert!(approval(None, &["likes=3".into()]).is_err());
        assert!(approval(None, &["gmv=lots".into()]).is_err());
    }
}
