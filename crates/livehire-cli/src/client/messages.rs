//! `livehire messages`: a task's messages.

use clap::Subcommand;
use serde_json::{Map, Value};

use super::api::{Client, print_json, segment};
use super::render::{self, out, text};
use super::{Failure, Paging};

/// The `messages` commands.
#[derive(Subcommand)]
pub enum Command {
    /// Send a message on a task. Agents: to `--to`'s thread, else the
    /// assigned host's, else the task's brief. Hosts: to their own thread.
    Send {
        /// The task's id, `ph_task_…`.
        task_id: String,
        /// The message.
        #[arg(long)]
        text: String,
        /// Agents: the host (`ph_profile_…`) whose thread this goes to.
        #[arg(long, value_name = "HUMAN_ID")]
        to: Option<String>,
    },
    /// List the task's messages you may read, oldest first.
    List {
        /// The task's id, `ph_task_…`.
        task_id: String,
        /// Agents: one host's thread (with the brief).
        #[arg(long, value_name = "HUMAN_ID")]
        human_id: Option<String>,
        #[command(flatten)]
        paging: Paging,
    },
}

/// Runs a `messages` command.
pub async fn run(client: Client, command: Command) -> Result<(), Failure> {
    match command {
        Command::Send {
            task_id,
            text: message,
            to,
        } => {
            let mut body = Map::new();
            body.insert("text".into(), Value::String(message));
            if let Some(h) = to {
                body.insert("human_id".into(), Value::String(h));
            }
            let message = client
                .post(
                    &format!("/api/v1/tasks/{}/messages", segment(&task_id)?),
                    &Value::Object(body),
                    None,
                )
                .await?;
            if client.json {
                return print_json(&message);
            }
            out(&format!("sent message {}", text(&message["id"])))
        }
        Command::List {
            task_id,
            human_id,
            paging,
        } => {
            let query = human_id.map(|h| ("human_id", h)).into_iter().collect();
            let page = client
                .list(
                    &format!("/api/v1/tasks/{}/messages", segment(&task_id)?),
                    query,
                    &paging,
                )
                .await?;
            if client.json {
                return print_json(&page);
            }
            let mut table = render::table(&["SENT", "FROM", "THREAD", "TEXT"]);
            for m in page["data"].as_array().into_iter().flatten() {
                table.add_row(vec![
                    text(&m["created_at"]),
                    sender(m),
                    text(&m["thread"]),
                    text(&m["text"]),
                ]);
            }
            render::page(table, &page)
        }
    }
}

/// Who sent a message: `agent ph_agent_…` or `host ph_profile_…`.
fn sender(m: &Value) -> String {
    format!("{} {}", text(&m["sender_kind"]), text(&m["sender_id"]))
}
