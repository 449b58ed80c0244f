//! `livehire invitations`: a host's invitations.

use clap::Subcommand;
use serde_json::{Map, Value};

use super::api::{Client, print_json, segment};
use super::render::{self, money, out, text};
use super::{Failure, Paging};

/// The `invitations` commands (with a host's key).
#[derive(Subcommand)]
pub enum Command {
    /// List your invitations, newest first (GET /api/v1/me/invitations).
    List {
        #[command(flatten)]
        paging: Paging,
    },
    /// Accept a pending invitation, which assigns you the task
    /// (POST /api/v1/tasks/{task_id}/accept).
    Accept {
        /// The invitation's id (`ph_inv_…`) or its task's (`ph_task_…`).
        id: String,
    },
}

/// Runs an `invitations` command.
pub async fn run(client: Client, command: Command) -> Result<(), Failure> {
    match command {
        Command::List { paging } => {
            let page = client
                .list("/api/v1/me/invitations", Vec::new(), &paging)
                .await?;
            if client.json {
                return print_json(&page);
            }
            let mut table = render::table(&[
                "ID",
                "TASK",
                "TITLE",
                "COMPENSATION",
                "SCHEDULED",
                "STATUS",
                "SENT",
            ]);
            for i in page["data"].as_array().into_iter().flatten() {
                table.add_row(vec![
                    text(&i["id"]),
                    text(&i["task_id"]),
                    render::short(&text(&i["title"]), 40),
                    money(&i["compensation"], &i["currency"]),
                    text(&i["scheduled_time"]),
                    text(&i["status"]),
                    text(&i["sent_at"]),
                ]);
            }
            render::right(&mut table, &[3]);
            render::page(table, &page)
        }
        Command::Accept { id } => {
            let id = segment(&id)?;
            let task_id = if id.starts_with("ph_task_") {
                id.to_string()
            } else {
                task_of(&client, id).await?
            };
            let task = client
                .post(
                    &format!("/api/v1/tasks/{task_id}/accept"),
                    &Value::Object(Map::new()),
                    None,
                )
                .await?;
            if client.json {
                return print_json(&task);
            }
            out(&format!(
                "accepted: task {} is {}",
                text(&task["id"]),
                text(&task["status"])
            ))
        }
    }
}

/// The task of the caller's invitation `id`, looked up page by page.
async fn task_of(client: &Client, id: &str) -> Result<String, Failure> {
    let all = Paging {
        limit: Some(100),
        cursor: None,
        all: true,
    };
    let page = client
        .list("/api/v1/me/invitations", Vec::new(), &all)
        .await?;
    page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["id"].as_str() == Some(id))
        .and_then(|i| i["task_id"].as_str())
        .map(str::to_string)
        .ok_or_else(|| Failure::Usage(format!("no invitation {id} among yours")))
}
