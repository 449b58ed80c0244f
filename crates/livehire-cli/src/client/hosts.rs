//! `livehire hosts`: search hosts and read a profile.

use clap::{Args, Subcommand};
use serde_json::Value;

use super::api::{Client, print_json, segment};
use super::render::{self, fields, list, money, number, text};
use super::{Failure, Paging};

/// The `hosts` commands.
#[derive(Subcommand)]
pub enum Command {
    /// Search hosts (GET /api/v1/humans). Filters combine with AND; numbers
    /// are sent as written and checked by the server.
    Search(Box<Search>),
    /// Show a host's profile (GET /api/v1/humans/{id}).
    Show {
        /// The host's id, `ph_profile_…`.
        id: String,
    },
}

/// The search filters, named after the API's query parameters.
#[derive(Args)]
pub struct Search {
    /// `live_commerce`: hosts with live-commerce experience.
    #[arg(long)]
    category: Option<String>,
    /// Skills the host must all have (comma list, or repeat the flag).
    #[arg(long, value_delimiter = ',')]
    skills: Vec<String>,
    /// A niche or an expression: `beauty OR skincare`, `a AND b`.
    #[arg(long)]
    niche: Option<String>,
    /// Platform (`tiktok`).
    #[arg(long)]
    platform: Option<String>,
    /// Lowest average GMV per session (min_avg_gmv_per_session).
    #[arg(long, value_name = "AMOUNT")]
    min_gmv: Option<String>,
    /// Fewest followers.
    #[arg(long, value_name = "N")]
    min_followers: Option<String>,
    /// Fewest average live viewers (min_avg_live_viewers).
    #[arg(long, value_name = "N")]
    min_avg_viewers: Option<String>,
    /// Lowest average conversion rate, 0 to 1.
    #[arg(long, value_name = "RATE")]
    min_conversion_rate: Option<String>,
    /// Lowest rating, 0 to 5.
    #[arg(long, value_name = "RATING")]
    min_rating: Option<String>,
    /// Highest rate: the host's compensation_range.min at most this.
    #[arg(long, value_name = "AMOUNT")]
    max_rate: Option<String>,
    /// Only hosts whose TikTok Shop the operator verified (`true`/`false`).
    #[arg(long, value_name = "BOOL")]
    verified: Option<bool>,
    /// Only hosts with (or without) live-commerce experience.
    #[arg(long, value_name = "BOOL")]
    live_commerce_experience: Option<bool>,
    /// Text in name, handle, bio, expertise, specialties.
    #[arg(long, short = 'q', value_name = "TEXT")]
    query: Option<String>,
    /// Only hosts eligible for this task of yours, ranked by match.
    #[arg(long, value_name = "TASK_ID")]
    for_task: Option<String>,
    /// avg_gmv (alias live_commerce_gmv), conversion_rate, avg_viewers,
    /// engagement_rate, rating (default), followers, match (with --for-task).
    #[arg(long)]
    sort: Option<String>,
    /// `desc` (default) or `asc`.
    #[arg(long)]
    order: Option<String>,
    #[command(flatten)]
    paging: Paging,
}

impl Search {
    /// The query parameters for the API.
    fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        let mut put = |name: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                q.push((name, v.clone()));
            }
        };
        put("category", &self.category);
        put("niche", &self.niche);
        put("platform", &self.platform);
        put("min_avg_gmv_per_session", &self.min_gmv);
        put("min_followers", &self.min_followers);
        put("min_avg_live_viewers", &self.min_avg_viewers);
        put("min_conversion_rate", &self.min_conversion_rate);
        put("min_rating", &self.min_rating);
        put("max_rate", &self.max_rate);
        put("q", &self.query);
        put("for_task", &self.for_task);
        put("sort", &self.sort);
        put("order", &self.order);
        if !self.skills.is_empty() {
            q.push(("skills", self.skills.join(",")));
        }
        if let Some(v) = self.verified {
            q.push(("tiktok_shop_verified", v.to_string()));
        }
        if let Some(v) = self.live_commerce_experience {
            q.push(("live_commerce_experience", v.to_string()));
        }
        q
    }
}

/// Runs a `hosts` command.
pub async fn run(client: Client, command: Command) -> Result<(), Failure> {
    match command {
        Command::Search(search) => {
            let page = client
                .list("/api/v1/humans", search.query(), &search.paging)
                .await?;
            if client.json {
                return print_json(&page);
            }
            let with_match = search.for_task.is_some();
            let mut header = vec![
                "ID",
                "NAME",
                "HANDLE",
                "FOLLOWERS",
                "AVG VIEWERS",
                "AVG GMV/SESSION",
                "CONV.",
                "RATING",
                "SHOP",
            ];
            if with_match {
                header.push("MATCH");
            }
            let mut table = render::table(&header);
            for h in page["data"].as_array().into_iter().flatten() {
                let mut row = vec![
                    text(&h["human_id"]),
                    text(&h["name"]),
                    text(&h["tiktok_handle"]),
                    number(&h["follower_stats"]["followers"]),
                    number(&h["follower_stats"]["avg_live_viewers"]),
                    money(
                        &h["live_commerce_metrics"]["avg_gmv_per_session"],
                        &h["compensation_range"]["currency"],
                    ),
                    number(&h["live_commerce_metrics"]["avg_conversion_rate"]),
                    number(&h["rating"]),
                    verified(&h["tiktok_shop_verified"]),
                ];
                if with_match {
                    row.push(number(&h["match"]["score"]));
                }
                table.add_row(row);
            }
            render::right(&mut table, &[3, 4, 5, 6, 7, 9]);
            render::page(table, &page)
        }
        Command::Show { id } => {
            let host = client
                .get(&format!("/api/v1/humans/{}", segment(&id)?), &[])
                .await?;
            if client.json {
                return print_json(&host);
            }
            show(&host)
        }
    }
}

fn verified(v: &Value) -> String {
    match v.as_bool() {
        Some(true) => "verified".into(),
        _ => "-".into(),
    }
}

/// Prints a host's profile.
fn show(h: &Value) -> Result<(), Failure> {
    let comp = &h["compensation_range"];
    let rate = if comp.is_object() {
        format!(
            "{} – {} ({})",
            money(&comp["min"], &comp["currency"]),
            money(&comp["max"], &comp["currency"]),
            text(&comp["pricing_model"])
        )
    } else {
        "-".into()
    };
    let lcm = &h["live_commerce_metrics"];
    fields(&[
        ("id", text(&h["human_id"])),
        ("name", text(&h["name"])),
        ("handle", text(&h["tiktok_handle"])),
        ("host type", text(&h["host_type"])),
        ("tiktok shop", verified(&h["tiktok_shop_verified"])),
        ("badges", list(&h["badges"])),
        ("skills", list(&h["skills"])),
        ("expertise", list(&h["product_expertise"])),
        ("followers", number(&h["follower_stats"]["followers"])),
        (
            "avg live viewers",
            number(&h["follower_stats"]["avg_live_viewers"]),
        ),
        (
            "avg GMV/session",
            money(&lcm["avg_gmv_per_session"], &comp["currency"]),
        ),
        ("conversion rate", number(&lcm["avg_conversion_rate"])),
        ("sessions hosted", number(&lcm["total_sessions_hosted"])),
        ("rating", number(&h["rating"])),
        ("rate", rate),
        ("bio", text(&h["bio"])),
    ])
}
