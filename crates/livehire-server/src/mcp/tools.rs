//! The tools: each one REST operation's door onto the same `App` method.
//! [`DEFS`] names them, the operation whose schema they take and whether
//! they take an idempotency key; [`run`] parses a call's arguments the way
//! the operation parses its request and calls the method; the answer is
//! the operation's view JSON (structured, and as text), a failure its
//! error body. Calls that move money say how much in a first line.

use std::collections::HashMap;
use std::sync::Arc;

use livehire_domain::ids::{FlashSaleId, HostId, SessionId, TaskId};
use livehire_domain::money::{Currency, group_thousands};
use livehire_domain::search::HostQuery;
use livehire_store::Caller;
use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::schema::{self, KeyArgument};
use crate::app::{
    App, Approval, Assignment, HostRef, NewApplication, NewFlashSale, NewMessage, NewRating,
    NewSubmission, NewTask, OfferKind, PageRequest, PayoutPreviewQuery, RevisionRequest,
    TaskListQuery, fingerprint,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::parse_json;

/// Whether a tool takes an idempotency key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    /// A read, or an action that is its own guard: none.
    None,
    /// A write that may be retried: optional.
    Optional,
    /// It moves money: required.
    Required,
}

/// One tool.
struct Def {
    name: &'static str,
    /// The REST operation it mirrors (its `operationId`).
    operation: &'static str,
    key: Key,
    description: &'static str,
}

/// What the optional key does.
const KEY_OPTIONAL: &str = "Optional. Any string of yours (a UUID): a repeat of this call with the same key \
    within 24 hours gets the first answer again instead of acting twice.";
/// What the required key does.
const KEY_REQUIRED: &str = "Required: this call moves money. Any string of yours (a UUID), new for each \
    intended payment: a repeat with the same key within 24 hours is answered with the first result and \
    moves nothing; the same key with other arguments is refused (idempotency_key_reused).";

const DEFS: &[Def] = &[
    Def {
        name: "search_hosts",
        operation: "hosts_search",
        key: Key::None,
        description: "Search TikTok live-commerce hosts by skills, niche (`beauty OR skincare`), followers, \
            average live viewers, GMV per session, conversion rate, rating and rate; `for_task` (agents) keeps \
            hosts eligible for one of your tasks and scores each match. Agents and hosts. Free. \
            Answers `{data: [profile…], next_cursor}`.",
    },
    Def {
        name: "get_host",
        operation: "hosts_get",
        key: Key::None,
        description: "A host's public profile by `human_id` (ph_profile_…): live-commerce metrics, ratings, \
            verified badges, compensation range. Any key. Free.",
    },
    Def {
        name: "post_task",
        operation: "tasks_create",
        key: Key::Optional,
        description: "Post a live-commerce task (agents): title, description, compensation (base payment) and \
            currency, deadline, requirements, live_session_details (sessions, products), deliverables and \
            commission_structure (rates, bonus tiers). Posting charges nothing: the base moves from your wallet \
            into escrow when a host is assigned or accepts. Answers the task, `status: open`, with its sessions.",
    },
    Def {
        name: "list_tasks",
        operation: "tasks_list",
        key: Key::None,
        description: "List your tasks, newest first (hosts: open tasks and their own), optionally by `status`. \
            Free. Pages with `cursor`.",
    },
    Def {
        name: "get_task",
        operation: "tasks_get",
        key: Key::None,
        description: "One task by `task_id` (ph_task_…): terms, status, sessions, assigned host. Its agent, or a \
            host it concerns. Free.",
    },
    Def {
        name: "invite_host",
        operation: "tasks_invitations_create",
        key: Key::Optional,
        description: "Invite a host (`human_id`) to your open task (agents); the host must meet its requirements \
            (each unmet one is named). Free; the host accepts with `accept`. Answers the invitation, \
            `status: pending`.",
    },
    Def {
        name: "list_applications",
        operation: "tasks_applications_list",
        key: Key::None,
        description: "The applications to your task (agents): each host's pitch and proposed compensation. Free.",
    },
    Def {
        name: "assign_host",
        operation: "tasks_assign",
        key: Key::Required,
        description: "Assign an applicant or invitee (`human_id`) to your open task (agents). Moves the task's base \
            payment (or, with `accept_proposed_compensation`, the host's proposed one) from your wallet into \
            escrow; 402 insufficient_funds names the shortfall and changes nothing. Answers the task, \
            `status: assigned`.",
    },
    Def {
        name: "send_message",
        operation: "tasks_messages_post",
        key: Key::Optional,
        description: "Post a message on a task: agents to `human_id`'s thread (else the assigned host's, else the \
            brief every involved host reads); hosts to their own thread. Free.",
    },
    Def {
        name: "list_messages",
        operation: "tasks_messages_list",
        key: Key::None,
        description: "A task's messages you may read, oldest first; agents may pick one host's thread with \
            `human_id`. Free. Pages with `cursor`.",
    },
    Def {
        name: "get_submission",
        operation: "tasks_submission_get",
        key: Key::None,
        description: "The assigned host's latest submission for a task: recording, GMV report, viewer analytics, \
            the figures a default approval pays (verified where the server monitored the session) and their \
            differences from the host's report. The task's agent or assigned host. Free.",
    },
    Def {
        name: "payout_preview",
        operation: "tasks_payout_preview",
        key: Key::None,
        description: "What the payout would be for given figures (gmv, orders, viewers, questions, per-session \
            lists): the base, commission and bonus lines, total, host cost and ROI, computed by the same engine \
            as approval. The task's agent or assigned host. Moves nothing.",
    },
    Def {
        name: "approve_task",
        operation: "tasks_approve",
        key: Key::Required,
        description: "Approve a submitted task and pay the host (agents). By default pays on the figures this \
            server verified (`figures: host_reported` pays on the host's word; `stated` on yours): the escrowed \
            base plus commission and bonuses, the rest from your wallet (402 insufficient_funds otherwise, \
            nothing changed). The result's first line states the amount paid; the JSON is \
            `{task, payout: {currency, gmv, lines, total, host_cost, roi, figures_used}}`.",
    },
    Def {
        name: "request_revision",
        operation: "tasks_revision_request",
        key: Key::Optional,
        description: "Send a submitted task back to the host with a `reason` (agents); the task returns to \
            `in_progress`. Free.",
    },
    Def {
        name: "rate_host",
        operation: "tasks_rate",
        key: Key::Required,
        description: "Rate the host of your approved task once, 1–5 stars with an optional review, and optionally \
            tip (`tip_amount`, paid from your wallet to the host at once). The result's first line states any \
            tip paid.",
    },
    Def {
        name: "live_metrics",
        operation: "sessions_metrics_get",
        key: Key::None,
        description: "A live session's metrics now (`session_id`, ph_sess_…): concurrent and peak viewers, GMV, \
            orders, conversion, questions, with where the figures came from (verified or host-reported). The \
            task's agent or assigned host. Free.",
    },
    Def {
        name: "start_flash_sale",
        operation: "sessions_flash_sales_create",
        key: Key::Optional,
        description: "Start a flash sale in a live session: one of the task's products at a price, with stock, a \
            duration and an optional per-buyer limit; never oversold. The task's agent or assigned host. Moves no \
            money (buyers' orders count towards GMV). Answers the sale with its overlay URL.",
    },
    Def {
        name: "flash_sale_status",
        operation: "flash_sales_get",
        key: Key::None,
        description: "A flash sale's state (`flash_sale_id`, ph_fs_…): remaining stock, units sold and seconds \
            left. The task's agent or assigned host. Free.",
    },
    Def {
        name: "session_report",
        operation: "sessions_report_get",
        key: Key::None,
        description: "A session's report: its metrics, per-minute timeline of viewers and cumulative GMV, flash \
            sales with units sold, TikTok Shop figures and how each is computed. The task's agent or assigned \
            host. Free.",
    },
    Def {
        name: "wallet",
        operation: "wallet_get",
        key: Key::None,
        description: "Your wallet's balances per currency (agents): available, in escrow, paid out. Free.",
    },
    Def {
        name: "my_invitations",
        operation: "me_invitations_list",
        key: Key::None,
        description: "Your invitations, newest first (hosts), each with the task's title, compensation, currency \
            and time; accept a pending one with `accept`. Free.",
    },
    Def {
        name: "apply",
        operation: "tasks_applications_create",
        key: Key::Optional,
        description: "Apply to an open task (hosts) with a `pitch` and optionally a `proposed_compensation`; you \
            must meet its requirements (each unmet one is named). Free.",
    },
    Def {
        name: "accept",
        operation: "tasks_accept",
        key: Key::Optional,
        description: "Accept a pending invitation (hosts): the task is assigned to you and the brand's base \
            payment moves from its wallet into escrow for you (409 escrow_unfunded when it cannot yet; nothing \
            changes). Costs you nothing.",
    },
    Def {
        name: "start_session",
        operation: "sessions_start",
        key: Key::Optional,
        description: "Start a scheduled live session (`session_id`; the assigned host or the task's agent): it \
            goes live and starts counting events; the first start moves the task to `in_progress`. Free.",
    },
    Def {
        name: "submit",
        operation: "tasks_submission_post",
        key: Key::Optional,
        description: "Submit results for your assigned task (hosts): recording_url, highlight reel, gmv_report, \
            viewer_analytics, top_products, and per-session blocks for a series; the task becomes `submitted` \
            for the agent to approve. Free.",
    },
];

/// Every tool's name, in the order they are listed.
pub const TOOL_NAMES: [&str; 25] = {
    let mut names = [""; 25];
    let mut i = 0;
    while i < DEFS.len() {
        names[i] = DEFS[i].name;
        i += 1;
    }
    names
};

/// The tools as listed, built once from the API's OpenAPI document.
pub struct Tools {
    listed: Vec<Tool>,
    by_name: HashMap<&'static str, (&'static Def, Arc<JsonObject>)>,
}

impl Tools {
    /// The tools, their schemas read from `doc`.
    pub fn new(doc: &utoipa::openapi::OpenApi) -> Tools {
        let doc = serde_json::to_value(doc).unwrap_or_default();
        let mut listed = Vec::new();
        let mut by_name = HashMap::new();
        for def in DEFS {
            let key = match def.key {
                Key::None => None,
                Key::Optional => Some(KeyArgument {
                    required: false,
                    description: KEY_OPTIONAL,
                }),
                Key::Required => Some(KeyArgument {
                    required: true,
                    description: KEY_REQUIRED,
                }),
            };
            let Some(input) = schema::input_schema(&doc, def.operation, key) else {
                tracing::error!(
                    tool = def.name,
                    operation = def.operation,
                    "no such operation"
                );
                continue;
            };
            let input = Arc::new(input);
            let read_only = def.key == Key::None;
            listed.push(
                Tool::new(def.name, def.description, input.clone()).with_annotations(
                    ToolAnnotations::new()
                        .read_only(read_only)
                        .destructive(false)
                        .idempotent(read_only)
                        .open_world(false),
                ),
            );
            by_name.insert(def.name, (def, input));
        }
        Tools { listed, by_name }
    }

    /// The tools, for `tools/list`.
    pub fn list(&self) -> Vec<Tool> {
        self.listed.clone()
    }

    /// Runs tool `name` for `caller`: its answer, or its failure as a tool
    /// error carrying the REST error body.
    pub async fn call(
        &self,
        app: &App,
        caller: &Caller,
        name: &str,
        args: JsonObject,
    ) -> Result<CallToolResult, ErrorData> {
        let Some((def, input)) = self.by_name.get(name) else {
            return Err(ErrorData::invalid_params(
                format!("no tool named {name:?}"),
                None,
            ));
        };
        Ok(match call(app, caller, def, input, args).await {
            Ok((value, replayed)) => answer(def, value, replayed),
            Err(e) => failure(&e),
        })
    }
}

/// Checks the arguments against the schema's names, takes the key and
/// runs the tool (once per key, when one is given).
async fn call(
    app: &App,
    caller: &Caller,
    def: &Def,
    input: &JsonObject,
    mut args: JsonObject,
) -> ApiResult<(Value, bool)> {
    if input.get("additionalProperties") == Some(&Value::Bool(false)) {
        let known = input["properties"].as_object();
        if let Some(unknown) = args
            .keys()
            .find(|k| !known.is_some_and(|p| p.contains_key(*k)))
        {
            return Err(ApiError::field(
                unknown.clone(),
                "is not an argument of this tool",
            ));
        }
    }
    let key = match args.remove("idempotency_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(k)) => Some(k),
        Some(_) => return Err(ApiError::field("idempotency_key", "must be a string")),
    };
    let run = run(app, caller, def.name, Args(args.clone()));
    match (key, def.key) {
        (None, Key::Required) => Err(ApiError::field(
            "idempotency_key",
            "is required: this tool moves money; send a new key for each intended payment",
        )),
        (None, _) | (Some(_), Key::None) => Ok((run.await?, false)),
        (Some(key), _) => {
            let fp = fingerprint(&[
                b"mcp",
                def.name.as_bytes(),
                canonical(&Value::Object(args)).as_bytes(),
            ]);
            let done = app.idempotent(caller, &key, &fp, run).await?;
            Ok((done.value, done.replayed))
        }
    }
}

/// Calls the tool's `App` method with its arguments parsed as its REST
/// operation parses them.
async fn run(app: &App, caller: &Caller, tool: &str, mut a: Args) -> ApiResult<Value> {
    match tool {
        "search_hosts" => {
            let q = HostQuery::parse(&a.pairs()?).map_err(ApiError::Validation)?;
            let page = app.search_hosts(caller, q).await?;
            serde_json::from_str(&page.into_json()).map_err(|e| ApiError::Internal(e.into()))
        }
        "get_host" => json(app.host(&HostId::from(a.id("human_id")?)).await),
        "post_task" => json(app.create_task(caller, a.body::<NewTask>()?).await),
        "list_tasks" => {
            let q = a.pairs()?;
            let q =
                TaskListQuery::parse(last(&q, "status"), last(&q, "limit"), last(&q, "cursor"))?;
            json(app.list_tasks(caller, q).await)
        }
        "get_task" => json(app.task(caller, &a.task()?).await),
        "invite_host" => {
            let task = a.task()?;
            let body = a.body::<HostRef>()?;
            json(app.invite(caller, &task, &body.human_id).await)
        }
        "list_applications" => json(app.offers(caller, &a.task()?, OfferKind::Application).await),
        "assign_host" => {
            let task = a.task()?;
            json(app.assign(caller, &task, &a.body::<Assignment>()?).await)
        }
        "send_message" => {
            let task = a.task()?;
            json(
                app.post_message(caller, &task, a.body::<NewMessage>()?)
                    .await,
            )
        }
        "list_messages" => {
            let task = a.task()?;
            let q = a.pairs()?;
            let page = PageRequest::parse(last(&q, "limit"), last(&q, "cursor"), 20, 100)?;
            let host = last(&q, "human_id").map(HostId::from);
            json(app.list_messages(caller, &task, host.as_ref(), page).await)
        }
        "get_submission" => json(app.submission(caller, &a.task()?).await),
        "payout_preview" => {
            let task = a.task()?;
            let figures = PayoutPreviewQuery::parse(&a.pairs()?)?;
            json(app.payout_preview(caller, &task, &figures).await)
        }
        "approve_task" => {
            let task = a.task()?;
            json(app.approve(caller, &task, a.body::<Approval>()?).await)
        }
        "request_revision" => {
            let task = a.task()?;
            json(
                app.request_revision(caller, &task, a.body::<RevisionRequest>()?)
                    .await,
            )
        }
        "rate_host" => {
            let task = a.task()?;
            json(app.rate(caller, &task, a.body::<NewRating>()?).await)
        }
        "live_metrics" => json(app.session_metrics(caller, &a.session()?).await),
        "start_flash_sale" => {
            let session = a.session()?;
            json(
                app.create_flash_sale(caller, &session, a.body::<NewFlashSale>()?)
                    .await,
            )
        }
        "flash_sale_status" => {
            let id = FlashSaleId::from(a.id("flash_sale_id")?);
            json(app.flash_sale(caller, &id).await)
        }
        "session_report" => json(app.session_report(caller, &a.session()?).await),
        "wallet" => json(app.wallet(caller).await),
        "my_invitations" => {
            let q = a.pairs()?;
            let page = PageRequest::parse(last(&q, "limit"), last(&q, "cursor"), 20, 100)?;
            json(app.my_invitations(caller, page).await)
        }
        "apply" => {
            let task = a.task()?;
            json(
                app.apply_to(caller, &task, a.body::<NewApplication>()?)
                    .await,
            )
        }
        "accept" => json(app.accept(caller, &a.task()?).await),
        "start_session" => json(app.start_session(caller, &a.session()?).await),
        "submit" => {
            let task = a.task()?;
            json(app.submit(caller, &task, a.body::<NewSubmission>()?).await)
        }
        other => Err(ApiError::NotFound(format!("tool {other}"))),
    }
}

/// A view as JSON.
fn json<T: serde::Serialize>(view: ApiResult<T>) -> ApiResult<Value> {
    serde_json::to_value(view?).map_err(|e| ApiError::Internal(e.into()))
}

/// A call's arguments, taken apart as the REST operation's request is.
struct Args(JsonObject);

impl Args {
    /// A path parameter: a non-empty string.
    fn id(&mut self, name: &str) -> ApiResult<String> {
        match self.0.remove(name) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
            None | Some(Value::Null) => Err(ApiError::field(name, "is required")),
            Some(_) => Err(ApiError::field(name, "must be a non-empty string")),
        }
    }

    fn task(&mut self) -> ApiResult<TaskId> {
        self.id("task_id").map(TaskId::from)
    }

    fn session(&mut self) -> ApiResult<SessionId> {
        self.id("session_id").map(SessionId::from)
    }

    /// The rest as query pairs: scalars as their text, a list as its
    /// items joined by commas.
    fn pairs(&mut self) -> ApiResult<Vec<(String, String)>> {
        let mut pairs = Vec::new();
        for (name, value) in std::mem::take(&mut self.0) {
            let text = match value {
                Value::Null => continue,
                Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        scalar(i).ok_or_else(|| {
                            ApiError::field(&name, "must be a list of strings or numbers")
                        })
                    })
                    .collect::<ApiResult<Vec<_>>>()?
                    .join(","),
                v => scalar(&v)
                    .ok_or_else(|| ApiError::field(&name, "must be a string, number or boolean"))?,
            };
            pairs.push((name, text));
        }
        Ok(pairs)
    }

    /// The rest as the operation's JSON body, parsed as `AppJson` parses it.
    fn body<T: DeserializeOwned>(&mut self) -> ApiResult<T> {
        let bytes = serde_json::to_vec(&std::mem::take(&mut self.0))
            .map_err(|e| ApiError::Internal(e.into()))?;
        parse_json(&bytes)
    }
}

/// A scalar's query-string text.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The last value of `key` among `pairs`.
fn last<'p>(pairs: &'p [(String, String)], key: &str) -> Option<&'p str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `v` as text with every object's keys sorted: two calls with the same
/// arguments in another order are the same request.
fn canonical(v: &Value) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<_> = m.keys().collect();
                keys.sort();
                Value::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), sorted(&m[k])))
                        .collect::<Map<_, _>>(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(v).to_string()
}

/// A tool's answer: the view as structured content and as JSON text, after
/// a line saying what money moved, for the tools that move it.
fn answer(def: &Def, value: Value, replayed: bool) -> CallToolResult {
    let mut content = Vec::new();
    if let Some(line) = money_line(def.name, &value, replayed) {
        content.push(ContentBlock::text(line));
    }
    content.push(ContentBlock::text(value.to_string()));
    let mut result = CallToolResult::success(content);
    result.structured_content = Some(value);
    result
}

/// A failure as a tool error: `code: message`, and the REST error body.
fn failure(e: &ApiError) -> CallToolResult {
    if let ApiError::Internal(err) = e {
        tracing::error!(error = ?err, "MCP tool failed");
    }
    let body = e.body();
    let text = format!("{}: {}", body.error.code, body.error.message);
    let body = serde_json::to_value(&body).unwrap_or_default();
    let mut result = CallToolResult::error(vec![
        ContentBlock::text(text),
        ContentBlock::text(body.to_string()),
    ]);
    result.structured_content = Some(body);
    result
}

/// What money a tool's answer moved, in words: "Paid 5,021.00 CNY to …".
fn money_line(tool: &str, v: &Value, replayed: bool) -> Option<String> {
    let again = if replayed {
        " (a repeat of an earlier call with this idempotency_key: that call moved it; this one moved nothing)"
    } else {
        ""
    };
    match tool {
        "approve_task" => {
            let cur = v["payout"]["currency"].as_str()?;
            Some(format!(
                "Paid {} {cur} to {} for task {}{again}.",
                amount(&v["payout"]["total"], cur)?,
                v["task"]["assigned_human_id"]
                    .as_str()
                    .unwrap_or("the host"),
                v["task"]["id"].as_str().unwrap_or("?"),
            ))
        }
        "rate_host" => {
            let cur = v["currency"].as_str()?;
            let tip = amount(&v["tip_amount"], cur)?;
            let host = v["human_id"].as_str().unwrap_or("the host");
            Some(if decimal(&v["tip_amount"])?.is_zero() {
                format!("Rated {host}; no tip, nothing paid{again}.")
            } else {
                format!("Tipped {tip} {cur} to {host}{again}.")
            })
        }
        "assign_host" | "accept" => {
            let cur = v["currency"].as_str()?;
            let base = amount(&v["agreed_base_payment"], cur)?;
            Some(format!(
                "Moved {base} {cur} of the brand's wallet into escrow for {} on task {}{again}.",
                v["assigned_human_id"].as_str().unwrap_or("the host"),
                v["id"].as_str().unwrap_or("?"),
            ))
        }
        "payout_preview" => {
            let cur = v["currency"].as_str()?;
            Some(format!(
                "Would pay {} {cur}; a preview moves nothing.",
                amount(&v["total"], cur)?
            ))
        }
        _ => None,
    }
}

/// A JSON number as a decimal.
fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A JSON amount as text in `currency`'s minor unit, thousands grouped.
fn amount(v: &Value, currency: &str) -> Option<String> {
    let mut d = decimal(v)?;
    if let Ok(c) = Currency::parse(currency) {
        d.rescale(c.minor_units());
    }
    Some(group_thousands(&d.to_string()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_tool_is_named_once() {
        let mut names = TOOL_NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DEFS.len());
        assert!(!names.contains(&""));
    }

    #[test]
    fn the_skill_file_lists_every_tool() {
        let skill = include_str!("../http/skill.md");
        for name in TOOL_NAMES {
            assert!(skill.contains(&format!("`{name}`")), "{name}");
        }
    }

    #[test]
    fn money_moved_is_stated_in_the_currencys_unit() {
        let v = json!({"task": {"id": "ph_task_1", "assigned_human_id": "ph_profile_2"},
            "payout": {"currency": "CNY", "total": 5021}});
        assert_eq!(
            money_line("approve_task", &v, false).unwrap(),
            "Paid 5,021.00 CNY to ph_profile_2 for task ph_task_1."
        );
        assert!(
            money_line("approve_task", &v, true)
                .unwrap()
                .contains("moved nothing")
        );
        let v = json!({"human_id": "h", "currency": "JPY", "tip_amount": 1500});
        assert_eq!(
            money_line("rate_host", &v, false).unwrap(),
            "Tipped 1,500 JPY to h."
        );
        assert_eq!(money_line("get_task", &v, false), None);
    }

    #[test]
    fn arguments_in_another_order_are_the_same_request() {
        assert_eq!(
            canonical(&json!({"b": 1, "a": {"d": 2, "c": [3]}})),
            canonical(&json!({"a": {"c": [3], "d": 2}, "b": 1}))
        );
    }
}
