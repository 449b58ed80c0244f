//! Webhooks: an agent or a host registers an endpoint, and the outbox's
//! events about it are POSTed there, signed as the Standard Webhooks
//! specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature:
//! v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed by the
//! base64-decoded `whsec_` secret).
//!
//! Everything a delivery needs is a row: each endpoint keeps its fan-out
//! cursor in the outbox, each (endpoint, event) is one delivery row (unique),
//! and each attempt is claimed in the database (counted, under a lease)
//! before it is sent and recorded after. So deliveries survive a restart, two
//! workers never send one delivery at once, and an endpoint's deliveries go
//! in event order: only its oldest pending delivery is ever sent, until it
//! succeeds or is given up. Failed attempts are retried on
//! [`RETRY_DELAYS`] with jitter; an endpoint failing for [`DISABLE_AFTER`] is
//! disabled.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use livehire_domain::error::FieldError;
use livehire_domain::events::EventKind;
use livehire_domain::ids;
use livehire_store::{
    Caller, CallerKind, WebhookAttemptRecord, WebhookDeliveryRecord, WebhookEndpointRecord,
    WebhookOutcome,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

use super::{App, Cursor, EventView, Page, PageRequest, outbound, timestamp};
use crate::error::{ApiError, ApiResult};

/// Webhook endpoint ids.
pub const WEBHOOK: &str = "ph_wh_";
/// Delivery ids (the `webhook-id` header).
pub const DELIVERY: &str = "msg_";

/// The waits after each failed attempt before the next: eight attempts over
/// about a day (each wait moved by up to a fifth either way).
pub const RETRY_DELAYS: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// An endpoint whose every attempt failed for this long is disabled.
pub const DISABLE_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(5);

/// How long one attempt may take.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Most endpoints per account.
pub const MAX_WEBHOOKS: usize = 20;

/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// Bytes of an answer's body kept with an attempt.
pub const EXCERPT_BYTES: usize = 256;

/// Deliveries on a page when the client names no `limit`.
pub const DEFAULT_DELIVERIES_PAGE: u32 = 50;
/// Most deliveries on one page.
pub const MAX_DELIVERIES_PAGE: u32 = 100;

/// How webhooks are delivered on this server (`Settings`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// Let endpoints be plain http or private addresses (a local receiver).
    pub allow_private_urls: bool,
    /// Waits after each failed attempt ([`RETRY_DELAYS`]; tests use short ones).
    pub retry_delays: Vec<Duration>,
    /// How long an attempt may take.
    pub timeout: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private_urls: false,
            retry_delays: RETRY_DELAYS.to_vec(),
            timeout: DELIVERY_TIMEOUT,
        }
    }
}

/// The in-process part: settings, the HTTP clients and the endpoints being
/// sent to now.
pub(crate) struct Webhooks {
    settings: RwLock<WebhookSettings>,
    /// Resolves names to public addresses only.
    guarded: RwLock<reqwest::Client>,
    /// For a server that allows private URLs.
    open: RwLock<reqwest::Client>,
    in_flight: Mutex<HashSet<String>>,
    stopped: AtomicBool,
    pub(crate) ready: tokio::sync::Notify,
}

fn client(timeout: Duration, guarded: bool) -> reqwest::Client {
    let b = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("livehire-webhooks/1");
    let b = if guarded {
        b.dns_resolver(outbound::PublicOnly)
    } else {
        b
    };
    b.build().unwrap_or_default()
}

impl Default for Webhooks {
    fn default() -> Self {
        Self {
            settings: RwLock::new(WebhookSettings::default()),
            guarded: RwLock::new(client(DELIVERY_TIMEOUT, true)),
            open: RwLock::new(client(DELIVERY_TIMEOUT, false)),
            in_flight: Mutex::new(HashSet::new()),
            stopped: AtomicBool::new(false),
            ready: tokio::sync::Notify::new(),
        }
    }
}

impl Webhooks {
    fn settings(&self) -> WebhookSettings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    fn client(&self) -> reqwest::Client {
        let lock = if self.settings().allow_private_urls {
            &self.open
        } else {
            &self.guarded
        };
        lock.read().map(|c| c.clone()).unwrap_or_default()
    }
}

/// `POST /api/v1/webhooks` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewWebhook {
    /// Where to POST deliveries: `https` to a public host.
    #[schema(
        max_length = 2048,
        example = "https://agent.example.com/hooks/livehire"
    )]
    pub url: String,
    /// Event types to deliver (`task.assigned`, …); `["*"]` or none for all.
    #[serde(default)]
    #[schema(max_items = 16, example = json!(["task.assigned", "session.ended"]))]
    pub events: Option<Vec<String>>,
}

/// Whether an endpoint gets deliveries.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WebhookStatus {
    /// Deliveries are made.
    Enabled,
    /// It failed for too long; see `disabled_reason`. Delete it and register
    /// it again once the receiver works.
    Disabled,
}

/// A webhook endpoint as served (without its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookView {
    /// `ph_wh_…`.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// Event types delivered; `["*"]` for all.
    pub events: Vec<String>,
    /// `enabled` or `disabled`.
    pub status: WebhookStatus,
    /// Since when every attempt failed (RFC 3339), while failing.
    pub failing_since: Option<String>,
    /// When it was disabled.
    pub disabled_at: Option<String>,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

/// A new endpoint, with its signing secret: shown this once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedWebhook {
    /// The endpoint.
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// `whsec_<base64>`: verify each delivery's `webhook-signature` with it
    /// (Standard Webhooks). Not shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt, or for the endpoint's earlier deliveries.
    Pending,
    /// A 2xx answer came.
    Delivered,
    /// Given up: every attempt failed, or the endpoint was disabled.
    Failed,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttemptView {
    /// 1-based.
    pub n: i64,
    /// When it began (RFC 3339).
    pub at: String,
    /// The receiver's HTTP status, if it answered.
    pub response_code: Option<i64>,
    /// What went wrong, if it failed.
    pub error: Option<String>,
    /// The start of the answer's body (256 bytes at most).
    pub response_excerpt: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

/// One event to one endpoint (`GET /api/v1/webhooks/{id}/deliveries`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    /// `msg_…`: the `webhook-id` header, the same on every attempt.
    pub id: String,
    /// The event (`GET /api/v1/events` id).
    pub event_id: i64,
    /// Its type.
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: i64,
    /// The last attempt's HTTP status, if it got an answer.
    pub last_response_code: Option<i64>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// When the last attempt began.
    pub last_attempt_at: Option<String>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<String>,
    /// Each attempt, oldest first.
    pub attempt_log: Vec<AttemptView>,
    /// RFC 3339.
    pub created_at: String,
}

/// What a delivery POSTs (Standard Webhooks' payload shape).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookPayload {
    /// The event type (`task.assigned`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// When the event happened (RFC 3339).
    pub timestamp: String,
    /// The event as `GET /api/v1/events` serves it.
    pub data: EventView,
}

fn view(e: &WebhookEndpointRecord) -> WebhookView {
    WebhookView {
        id: e.id.clone(),
        url: e.url.clone(),
        events: e.events.clone(),
        status: if e.disabled_at.is_some() {
            WebhookStatus::Disabled
        } else {
            WebhookStatus::Enabled
        },
        failing_since: e.failing_since.clone(),
        disabled_at: e.disabled_at.clone(),
        disabled_reason: e.disabled_reason.clone(),
        created_at: e.created_at.clone(),
    }
}

fn delivery_status(s: &str) -> DeliveryStatus {
    match s {
        "delivered" => DeliveryStatus::Delivered,
        "failed" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    }
}

/// `whsec_` and 24 random bytes in base64.
fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// The `webhook-signature` value: `v1,<base64 HMAC-SHA256>` of
/// `{id}.{timestamp}.{body}`, keyed by the secret's base64-decoded part.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

fn subscribes(e: &WebhookEndpointRecord, kind: &str) -> bool {
    e.events.iter().any(|t| t == "*" || t == kind)
}

/// The wait before the next attempt after `n` failed ones in this round, or
/// `None` to give up; jittered by up to a fifth either way.
fn retry_after(delays: &[Duration], n: i64) -> Option<Duration> {
    let i = usize::try_from(n).ok()?.checked_sub(1)?;
    let d = *delays.get(i)?;
    Some(d.mul_f64(rand::rng().random_range(0.8..1.2)))
}

impl App {
    /// Applies the webhook settings (`Settings`).
    pub fn configure_webhooks(&self, settings: WebhookSettings) {
        let w = &self.inner.webhooks;
        if let Ok(mut c) = w.guarded.write() {
            *c = client(settings.timeout, true);
        }
        if let Ok(mut c) = w.open.write() {
            *c = client(settings.timeout, false);
        }
        if let Ok(mut s) = w.settings.write() {
            *s = settings;
        }
    }

    /// Stops this process's webhook worker after its current round, as a
    /// crash or shutdown would: for tests of a restart. No request reaches it.
    pub fn stop_webhook_deliveries(&self) {
        self.inner.webhooks.stopped.store(true, Ordering::Relaxed);
        self.inner.webhooks.ready.notify_one();
    }

    /// Registers an endpoint for the caller's events
    /// (`POST /api/v1/webhooks`); the secret is in this answer only.
    pub async fn create_webhook(
        &self,
        caller: &Caller,
        new: NewWebhook,
    ) -> ApiResult<CreatedWebhook> {
        let mut errors = Vec::new();
        let allow_private = self.inner.webhooks.settings().allow_private_urls;
        if new.url.len() > MAX_URL_LEN {
            errors.push(FieldError::new(
                "url",
                format!("must be at most {MAX_URL_LEN} characters"),
            ));
        } else {
            match reqwest::Url::parse(&new.url) {
                Err(e) => errors.push(FieldError::new("url", format!("is not a URL: {e}"))),
                Ok(u) if allow_private => {
                    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
                        errors.push(FieldError::new("url", "must be an http(s) URL with a host"));
                    }
                }
                Ok(u) => {
                    if let Err(why) = outbound::check_public_url(&u) {
                        errors.push(FieldError::new("url", why));
                    }
                }
            }
        }
        let events = match new.events {
            None => vec!["*".to_string()],
            Some(list) if list.is_empty() => vec!["*".to_string()],
            Some(list) => {
                if list.len() > EventKind::ALL.len() {
                    errors.push(FieldError::new(
                        "events",
                        format!("at most {} types", EventKind::ALL.len()),
                    ));
                }
                for (i, t) in list.iter().enumerate() {
                    if t != "*" && EventKind::parse(t).is_none() {
                        errors.push(FieldError::new(
                            format!("events[{i}]"),
                            format!(
                                "unknown event type {t:?}; known: *, {}",
                                EventKind::ALL.map(EventKind::as_str).join(", ")
                            ),
                        ));
                    }
                }
                let mut seen = Vec::new();
                for t in list {
                    if !seen.contains(&t) {
                        seen.push(t);
                    }
                }
                if seen.iter().any(|t| t == "*") {
                    vec!["*".to_string()]
                } else {
                    seen
                }
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        if self.store().webhooks(&caller.id).await?.len() >= MAX_WEBHOOKS {
            return Err(ApiError::Conflict {
                code: "too_many_webhooks",
                message: format!(
                    "an account has at most {MAX_WEBHOOKS} webhook endpoints; delete one first"
                ),
            });
        }
        let now = self.now();
        let mut rec = WebhookEndpointRecord {
            id: ids::new_id(WEBHOOK, now, &mut rand::rng()),
            owner: caller.clone(),
            url: new.url,
            events,
            secret: new_secret(),
            after_event: 0,
            failing_since: None,
            disabled_at: None,
            disabled_reason: None,
            created_at: timestamp(now),
        };
        rec.after_event = self.store().create_webhook(&rec).await?;
        Ok(CreatedWebhook {
            webhook: view(&rec),
            secret: rec.secret,
        })
    }

    /// The caller's endpoints, oldest first (`GET /api/v1/webhooks`).
    pub async fn webhooks(&self, caller: &Caller) -> ApiResult<Vec<WebhookView>> {
        Ok(self
            .store()
            .webhooks(&caller.id)
            .await?
            .iter()
            .filter(|e| e.owner == *caller)
            .map(view)
            .collect())
    }

    /// One of the caller's endpoints; 404 for anyone else's.
    async fn own_webhook(&self, caller: &Caller, id: &str) -> ApiResult<WebhookEndpointRecord> {
        let not_found = || ApiError::NotFound("webhook".into());
        let e = match self.store().webhook(id).await {
            Err(livehire_store::StoreError::NotFound) => return Err(not_found()),
            other => other?,
        };
        if e.owner != *caller {
            return Err(not_found());
        }
        Ok(e)
    }

    /// One of the caller's endpoints (`GET /api/v1/webhooks/{id}`).
    pub async fn webhook(&self, caller: &Caller, id: &str) -> ApiResult<WebhookView> {
        Ok(view(&self.own_webhook(caller, id).await?))
    }

    /// Deletes one of the caller's endpoints and its deliveries
    /// (`DELETE /api/v1/webhooks/{id}`).
    pub async fn delete_webhook(&self, caller: &Caller, id: &str) -> ApiResult<()> {
        let e = self.own_webhook(caller, id).await?;
        self.store().delete_webhook(&e.id).await?;
        Ok(())
    }

    async fn delivery_view(&self, d: WebhookDeliveryRecord) -> ApiResult<DeliveryView> {
        let attempts = self.store().webhook_attempts(&d.id).await?;
        Ok(DeliveryView {
            status: delivery_status(&d.status),
            next_attempt_at: d.next_attempt_at.filter(|_| d.status == "pending"),
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            attempts: d.attempts,
            last_response_code: d.last_status,
            last_error: d.last_error,
            last_attempt_at: d.last_attempt_at,
            attempt_log: attempts
                .into_iter()
                .map(|a| AttemptView {
                    n: a.n,
                    at: a.at,
                    response_code: a.status,
                    error: a.error,
                    response_excerpt: a.response_excerpt,
                    duration_ms: a.duration_ms,
                })
                .collect(),
            created_at: d.created_at,
        })
    }

    /// An endpoint's deliveries, newest event first
    /// (`GET /api/v1/webhooks/{id}/deliveries`).
    pub async fn webhook_deliveries(
        &self,
        caller: &Caller,
        id: &str,
        page: &PageRequest,
    ) -> ApiResult<Page<DeliveryView>> {
        let e = self.own_webhook(caller, id).await?;
        let before = page.cursor.as_deref().map(Cursor::seq).transpose()?;
        let limit = page.limit.min(MAX_DELIVERIES_PAGE);
        let rows = self
            .store()
            .webhook_deliveries(&e.id, before, limit)
            .await?;
        let next_cursor = (rows.len() == limit as usize)
            .then(|| rows.last().map(|d| Cursor::Seq(d.event_id).encode()))
            .flatten();
        let mut data = Vec::with_capacity(rows.len());
        for d in rows {
            data.push(self.delivery_view(d).await?);
        }
        Ok(Page { data, next_cursor })
    }

    /// Queues a delivery again, due now, its retry schedule restarted
    /// (`POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver`);
    /// 409 on a disabled endpoint.
    pub async fn redeliver_webhook(
        &self,
        caller: &Caller,
        id: &str,
        delivery_id: &str,
    ) -> ApiResult<DeliveryView> {
        let e = self.own_webhook(caller, id).await?;
        if e.disabled_at.is_some() {
            return Err(ApiError::Conflict {
                code: "webhook_disabled",
                message: format!(
                    "the endpoint is disabled ({}); delete it and register it again",
                    e.disabled_reason.unwrap_or_default()
                ),
            });
        }
        let not_found = || ApiError::NotFound("delivery".into());
        match self.store().webhook_delivery(&e.id, delivery_id).await {
            Err(livehire_store::StoreError::NotFound) => return Err(not_found()),
            other => other?,
        };
        self.store()
            .redeliver_webhook(delivery_id, &self.now_text())
            .await?;
        self.inner.webhooks.ready.notify_one();
        let d = self.store().webhook_delivery(&e.id, delivery_id).await?;
        self.delivery_view(d).await
    }

    /// Turns the endpoint's new events into delivery rows and moves its cursor.
    async fn fan_out(&self, e: &WebhookEndpointRecord) -> anyhow::Result<()> {
        let party = match e.owner.kind {
            CallerKind::Agent => (Some(e.owner.id.as_str()), None),
            CallerKind::Host => (None, Some(e.owner.id.as_str())),
        };
        let mut after = e.after_event;
        loop {
            let rows = self.store().outbox_after(after, 500, Some(party)).await?;
            let Some(last) = rows.last().map(|r| r.id) else {
                return Ok(());
            };
            let now = self.now();
            let deliveries: Vec<WebhookDeliveryRecord> = rows
                .iter()
                .filter(|r| subscribes(e, &r.kind))
                .map(|r| WebhookDeliveryRecord {
                    id: ids::new_id(DELIVERY, now, &mut rand::rng()),
                    endpoint_id: e.id.clone(),
                    event_id: r.id,
                    event_type: r.kind.clone(),
                    status: "pending".into(),
                    attempts: 0,
                    round_start: 0,
                    next_attempt_at: Some(timestamp(now)),
                    lease_until: None,
                    last_attempt_at: None,
                    last_status: None,
                    last_error: None,
                    created_at: timestamp(now),
                })
                .collect();
            self.store()
                .fan_out_webhook(&e.id, last, &deliveries)
                .await?;
            after = last;
        }
    }

    /// Sends the endpoint's deliveries in order while the oldest pending one
    /// is due and can be claimed.
    async fn drain_endpoint(&self, e: &WebhookEndpointRecord) -> anyhow::Result<()> {
        let settings = self.inner.webhooks.settings();
        while let Some(head) = self.store().webhook_head(&e.id).await? {
            let now = self.now();
            let lease =
                now + chrono::Duration::from_std(settings.timeout + Duration::from_secs(20))?;
            let Some(d) = self
                .store()
                .claim_webhook_delivery(&head.id, &timestamp(now), &timestamp(lease))
                .await?
            else {
                return Ok(());
            };
            let outcome = self.attempt(e, &d, &settings).await?;
            let done = outcome.status != "pending";
            self.store().record_webhook_attempt(&outcome).await?;
            if !done || outcome.disable.is_some() {
                return Ok(());
            }
        }
        Ok(())
    }

    /// One attempt of a claimed delivery, and what it leads to.
    async fn attempt(
        &self,
        e: &WebhookEndpointRecord,
        d: &WebhookDeliveryRecord,
        settings: &WebhookSettings,
    ) -> anyhow::Result<WebhookOutcome> {
        let started = self.now();
        let clock = std::time::Instant::now();
        let event = self
            .store()
            .outbox_after(d.event_id - 1, 1, None)
            .await?
            .into_iter()
            .find(|r| r.id == d.event_id);
        let result: Result<(u16, String), String> = match event {
            None => Err("the event is no longer stored".into()),
            Some(r) => {
                let payload = WebhookPayload {
                    kind: r.kind.clone(),
                    timestamp: r.created_at.clone(),
                    data: EventView {
                        id: r.id,
                        kind: r.kind,
                        task_id: r.task_id.map(Into::into),
                        session_id: r.session_id.map(Into::into),
                        data: r.data,
                        created_at: r.created_at,
                    },
                };
                let body = serde_json::to_vec(&payload)?;
                let ts = started.timestamp();
                let sig = sign(&e.secret, &d.id, ts, &body)
                    .ok_or_else(|| anyhow::anyhow!("the endpoint's secret is unreadable"))?;
                self.post_delivery(e, &d.id, ts, &sig, body, settings).await
            }
        };
        let duration_ms = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
        let n_in_round = d.attempts - d.round_start;
        let (status, error, excerpt, ok) = match result {
            Ok((code, text)) if (200..300).contains(&code) => (Some(code), None, Some(text), true),
            Ok((code, text)) => (
                Some(code),
                Some(format!("answered {code}")),
                Some(text),
                false,
            ),
            Err(why) => (None, Some(why), None, false),
        };
        let attempt = WebhookAttemptRecord {
            n: d.attempts,
            at: timestamp(started),
            status: status.map(i64::from),
            error,
            response_excerpt: excerpt.filter(|t| !t.is_empty()),
            duration_ms,
        };
        if ok {
            return Ok(WebhookOutcome {
                delivery_id: d.id.clone(),
                attempt,
                status: "delivered".into(),
                next_attempt_at: None,
                disable: None,
            });
        }
        let failing_since = e
            .failing_since
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map_or(started, |t| t.to_utc());
        let disable = (started - failing_since >= DISABLE_AFTER).then(|| {
            format!(
                "every attempt failed since {} ({} days); the last: {}",
                timestamp(failing_since),
                DISABLE_AFTER.num_days(),
                attempt.error.as_deref().unwrap_or("failed")
            )
        });
        let next = retry_after(&settings.retry_delays, n_in_round)
            .and_then(|wait| chrono::Duration::from_std(wait).ok())
            .map(|wait| timestamp(started + wait));
        Ok(WebhookOutcome {
            delivery_id: d.id.clone(),
            attempt,
            status: if next.is_some() && disable.is_none() {
                "pending".into()
            } else {
                "failed".into()
            },
            next_attempt_at: next.filter(|_| disable.is_none()),
            disable,
        })
    }

    /// POSTs a signed body; the answer's status and the start of its body,
    /// or why no answer came.
    async fn post_delivery(
        &self,
        e: &WebhookEndpointRecord,
        id: &str,
        ts: i64,
        signature: &str,
        body: Vec<u8>,
        settings: &WebhookSettings,
    ) -> Result<(u16, String), String> {
        let url = reqwest::Url::parse(&e.url).map_err(|err| format!("bad URL: {err}"))?;
        if !settings.allow_private_urls {
            outbound::check_public_url(&url)?;
        }
        let resp = self
            .inner
            .webhooks
            .client()
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|err| {
                if err.is_timeout() {
                    format!("no answer within {} s", settings.timeout.as_secs_f64())
                } else {
                    format!("request failed: {err}")
                }
            })?;
        let code = resp.status().as_u16();
        // Only the start of the body is read and kept.
        let mut resp = resp;
        let mut kept = Vec::new();
        while kept.len() < EXCERPT_BYTES {
            match resp.chunk().await {
                Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
                _ => break,
            }
        }
        kept.truncate(EXCERPT_BYTES);
        Ok((code, String::from_utf8_lossy(&kept).into_owned()))
    }

    /// One round of the worker: fan out every endpoint's new events, then
    /// start sending for endpoints not already being sent to.
    async fn webhooks_round(&self) {
        let endpoints = match self.store().active_webhooks().await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = ?e, "reading webhook endpoints failed");
                return;
            }
        };
        for e in endpoints {
            if let Err(err) = self.fan_out(&e).await {
                tracing::warn!(error = ?err, endpoint = %e.id, "webhook fan-out failed");
                continue;
            }
            let fresh = self
                .inner
                .webhooks
                .in_flight
                .lock()
                .map(|mut f| f.insert(e.id.clone()))
                .unwrap_or(false);
            if !fresh {
                continue;
            }
            let app = self.clone();
            tokio::spawn(async move {
                if let Err(err) = app.drain_endpoint(&e).await {
                    tracing::warn!(error = ?err, endpoint = %e.id, "webhook delivery failed");
                }
                if let Ok(mut f) = app.inner.webhooks.in_flight.lock() {
                    f.remove(&e.id);
                }
            });
        }
    }
}

/// The webhook worker: a round whenever events are written and at least
/// once a second (more often when retries are shorter, as in tests).
pub(crate) async fn deliver(app: App) {
    let w = &app.inner.webhooks;
    let shortest = w
        .settings()
        .retry_delays
        .iter()
        .min()
        .copied()
        .unwrap_or(Duration::from_secs(1));
    let tick = shortest.clamp(Duration::from_millis(50), Duration::from_secs(1));
    loop {
        if w.stopped.load(Ordering::Relaxed) {
            return;
        }
        app.webhooks_round().await;
        tokio::select! {
            () = w.ready.notified() => {}
            () = tokio::time::sleep(tick) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's own example.
    #[test]
    fn the_signature_matches_the_specification_example() {
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn retries_follow_the_schedule_and_then_give_up() {
        let first = retry_after(&RETRY_DELAYS, 1).unwrap();
        assert!(first >= Duration::from_secs(4) && first <= Duration::from_secs(6));
        assert!(retry_after(&RETRY_DELAYS, 7).is_some());
        assert!(retry_after(&RETRY_DELAYS, 8).is_none());
        let total: Duration = RETRY_DELAYS.iter().sum();
        assert!(total > Duration::from_secs(20 * 3600), "{total:?}");
    }
}
