//! `livehire webhooks`: endpoints and their deliveries.

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::api::{Client, print_json, segment};
use super::render::{self, fields, list, number, out, text};
use super::{Connection, Failure, Paging, with_client};

/// The `webhooks` commands.
#[derive(Subcommand)]
pub enum Command {
    /// Register an endpoint for your events; prints its signing secret,
    /// which is shown this once.
    Add {
        /// Where deliveries are POSTed (https to a public host).
        #[arg(long)]
        url: String,
        #[command(flatten)]
        conn: AddConnection,
        /// An event type to deliver (`task.assigned`, `session.ended`, …);
        /// repeat the flag or separate with commas. None: every event.
        #[arg(long = "event", value_delimiter = ',', value_name = "TYPE")]
        events: Vec<String>,
    },
    /// List your endpoints (without their secrets).
    List {
        #[command(flatten)]
        conn: Connection,
    },
    /// An endpoint's deliveries, newest event first.
    Deliveries {
        /// The endpoint's id, `ph_wh_…`.
        id: String,
        #[command(flatten)]
        paging: Paging,
        #[command(flatten)]
        conn: Connection,
    },
    /// Send a delivery again, now, with a fresh retry schedule.
    Redeliver {
        /// The endpoint's id, `ph_wh_…`.
        id: String,
        /// The delivery's id, `msg_…`.
        delivery_id: String,
        #[command(flatten)]
        conn: Connection,
    },
}

/// `webhooks add`'s connection options: its `--url` is the endpoint's, so
/// the server's is `--server-url` (or LIVEHIRE_URL).
#[derive(Args)]
pub struct AddConnection {
    /// The livehire server's base URL.
    #[arg(long, env = "LIVEHIRE_URL", default_value = "http://127.0.0.1:8080")]
    server_url: String,
    /// Your API key: an agent's `ph_sk_…` or a host's `ph_hk_…`.
    #[arg(long, env = "LIVEHIRE_API_KEY", hide_env_values = true)]
    api_key: Option<String>,
    /// Print the server's JSON (pretty) instead of tables, for scripts.
    #[arg(long)]
    json: bool,
}

/// Runs a `webhooks` command.
pub async fn run(command: Command) -> Result<(), Failure> {
    let conn = match &command {
        Command::Add { conn, .. } => Connection {
            url: conn.server_url.clone(),
            api_key: conn.api_key.clone(),
            json: conn.json,
        },
        Command::List { conn }
        | Command::Deliveries { conn, .. }
        | Command::Redeliver { conn, .. } => conn.clone(),
    };
    with_client(conn, |client| call(client, command)).await
}

async fn call(client: Client, command: Command) -> Result<(), Failure> {
    match command {
        Command::Add { url, events, .. } => {
            let mut body = Map::new();
            body.insert("url".into(), Value::String(url));
            if !events.is_empty() {
                body.insert("events".into(), json!(events));
            }
            let created = client
                .post("/api/v1/webhooks", &Value::Object(body), None)
                .await?;
            if client.json {
                return print_json(&created);
            }
            fields(&[
                ("id", text(&created["id"])),
                ("url", text(&created["url"])),
                ("events", list(&created["events"])),
                ("status", text(&created["status"])),
                ("secret", text(&created["secret"])),
            ])?;
            out(
                "Keep the secret: it verifies each delivery's webhook-signature and is not shown again.",
            )
        }
        Command::List { .. } => {
            let endpoints = client.get("/api/v1/webhooks", &[]).await?;
            if client.json {
                return print_json(&endpoints);
            }
            let mut table = render::table(&["ID", "URL", "EVENTS", "STATUS", "CREATED"]);
            let items = endpoints.as_array().cloned().unwrap_or_default();
            for w in &items {
                table.add_row(vec![
                    text(&w["id"]),
                    text(&w["url"]),
                    list(&w["events"]),
                    status(w),
                    text(&w["created_at"]),
                ]);
            }
            if items.is_empty() {
                out("(none)")
            } else {
                out(&table.to_string())
            }
        }
        Command::Deliveries { id, paging, .. } => {
            let page = client
                .list(
                    &format!("/api/v1/webhooks/{}/deliveries", segment(&id)?),
                    Vec::new(),
                    &paging,
                )
                .await?;
            if client.json {
                return print_json(&page);
            }
            let mut table = render::table(&[
                "ID",
                "EVENT",
                "STATUS",
                "ATTEMPTS",
                "LAST CODE",
                "LAST ERROR",
                "NEXT ATTEMPT",
            ]);
            for d in page["data"].as_array().into_iter().flatten() {
                table.add_row(vec![
                    text(&d["id"]),
                    format!("{} #{}", text(&d["event_type"]), text(&d["event_id"])),
                    text(&d["status"]),
                    number(&d["attempts"]),
                    text(&d["last_response_code"]),
                    render::short(&text(&d["last_error"]), 40),
                    text(&d["next_attempt_at"]),
                ]);
            }
            render::right(&mut table, &[3]);
            render::page(table, &page)
        }
        Command::Redeliver {
            id, delivery_id, ..
        } => {
            let delivery = client
                .post(
                    &format!(
                        "/api/v1/webhooks/{}/deliveries/{}/redeliver",
                        segment(&id)?,
                        segment(&delivery_id)?
                    ),
                    &Value::Object(Map::new()),
                    None,
                )
                .await?;
            if client.json {
                return print_json(&delivery);
            }
            out(&format!(
                "delivery {} is {}; next attempt {}",
                text(&delivery["id"]),
                text(&delivery["status"]),
                text(&delivery["next_attempt_at"])
            ))
        }
    }
}

/// An endpoint's status, with why it was disabled.
fn status(w: &Value) -> String {
    match w["disabled_reason"].as_str() {
        Some(reason) => format!("{} ({reason})", text(&w["status"])),
        None => text(&w["status"]),
    }
}
