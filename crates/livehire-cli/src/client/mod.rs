//! The client commands: `hosts`, `tasks`, `messages`, `invitations`,
//! `sessions`, `webhooks` and `completions`. Each talks to a running livehire
//! server over its HTTP API (`--url`, `--api-key`) and prints tables, or with
//! `--json` the server's JSON as it came, for scripts.

use std::io::Write;

use clap::{Args, Subcommand};

mod api;
mod hosts;
mod invitations;
mod messages;
mod render;
mod sse;
mod tasks;
mod watch;
mod webhooks;

pub use api::Failure;

/// How a client command ends, as its exit code; printed under `--help`.
pub const EXIT_CODES: &str = "\
Exit codes of the client commands (hosts, tasks, messages, invitations, sessions, webhooks):
  0  done
  1  an unexpected failure (the server's answer could not be read, output could not be written)
  2  a usage error: bad arguments, a --file that cannot be read or is not JSON
  3  the server answered with an error (its code, message and request id are on stderr)
  4  the server could not be reached, or the connection broke (the URL is on stderr)";

/// Options every client command takes.
#[derive(Args, Clone, Debug)]
pub struct Connection {
    /// The livehire server's base URL.
    #[arg(
        long,
        global = true,
        env = "LIVEHIRE_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub url: String,
    /// Your API key: an agent's `ph_sk_…` or a host's `ph_hk_…`.
    #[arg(long, global = true, env = "LIVEHIRE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Print the server's JSON (pretty) instead of tables, for scripts.
    #[arg(long, global = true)]
    pub json: bool,
}

/// A list command's page options.
#[derive(Args, Clone, Debug, Default)]
pub struct Paging {
    /// Items a page (1–100).
    #[arg(long)]
    pub limit: Option<u32>,
    /// Start at this page: the `next_cursor` a previous page printed.
    #[arg(long, conflicts_with = "all")]
    pub cursor: Option<String>,
    /// Follow `next_cursor` to the last page and print every item.
    #[arg(long)]
    pub all: bool,
}

/// The client commands, merged into the binary's own.
#[derive(Subcommand)]
pub enum Command {
    /// Search and read host profiles.
    #[command(after_help = EXIT_CODES)]
    Hosts(Group<hosts::Command>),
    /// Post, list, read, approve and cancel tasks.
    #[command(after_help = EXIT_CODES)]
    Tasks(Group<tasks::Command>),
    /// Send and read a task's messages.
    #[command(after_help = EXIT_CODES)]
    Messages(Group<messages::Command>),
    /// A host's invitations: list and accept them.
    #[command(after_help = EXIT_CODES)]
    Invitations(Group<invitations::Command>),
    /// Watch a live session.
    #[command(after_help = EXIT_CODES)]
    Sessions(Group<watch::Command>),
    /// Register webhook endpoints and read their deliveries.
    #[command(after_help = EXIT_CODES)]
    Webhooks {
        // Each command takes its own connection options: `add` has an
        // endpoint `--url` of its own, so the server's is `--server-url` there.
        #[command(subcommand)]
        command: webhooks::Command,
    },
    /// Print a shell completion script for this binary to stdout.
    ///
    /// For example `livehire completions bash > /etc/bash_completion.d/livehire`,
    /// or `livehire completions zsh > "${fpath[1]}/_livehire"`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// A command group: the connection options and one of its commands.
#[derive(Args)]
pub struct Group<C: Subcommand> {
    #[command(flatten)]
    conn: Connection,
    #[command(subcommand)]
    command: C,
}

/// Runs a client command and answers its exit code (see [`EXIT_CODES`]).
pub async fn run(command: Command) -> i32 {
    let result = match command {
        Command::Hosts(g) => with_client(g.conn, |c| hosts::run(c, g.command)).await,
        Command::Tasks(g) => with_client(g.conn, |c| tasks::run(c, g.command)).await,
        Command::Messages(g) => with_client(g.conn, |c| messages::run(c, g.command)).await,
        Command::Invitations(g) => with_client(g.conn, |c| invitations::run(c, g.command)).await,
        Command::Sessions(g) => with_client(g.conn, |c| watch::run(c, g.command)).await,
        Command::Webhooks { command } => webhooks::run(command).await,
        Command::Completions { shell } => completions(shell),
    };
    match result {
        Ok(()) => 0,
        Err(failure) => {
            failure.report();
            failure.exit_code()
        }
    }
}

/// Runs `f` with a client for `conn`.
pub async fn with_client<F, Fut>(conn: Connection, f: F) -> Result<(), Failure>
where
    F: FnOnce(api::Client) -> Fut,
    Fut: std::future::Future<Output = Result<(), Failure>>,
{
    let client = api::Client::new(&conn)?;
    f(client).await
}

/// Writes the completion script of the whole binary for `shell` to stdout.
fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut command = <crate::Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "livehire", &mut out);
    std::io::stdout()
        .write_all(&out)
        .map_err(|e| Failure::Other(format!("writing the script: {e}")))
}
