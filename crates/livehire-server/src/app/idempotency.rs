//! Idempotency keys in the service layer, shared by every front door: the
//! same key with the same request gets the first answer again; with another
//! request, 409 `idempotency_key_reused`; while the first is still running,
//! 409 `idempotency_key_in_use`. Keys belong to the caller (one client never
//! receives another's answer) and are kept 24 hours. The HTTP layer
//! (`http/idempotency.rs`) keys whole POST requests; other doors (an MCP
//! tool) call [`App::idempotent`] with their own fingerprint.

use std::future::Future;
use std::time::Duration;

use livehire_store::Caller;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{App, timestamp};
use crate::error::{ApiError, ApiResult};

/// How long a key is remembered.
pub const KEY_LIFETIME_HOURS: i64 = 24;

/// What presenting a key found.
#[derive(Debug)]
pub enum KeyState {
    /// A new request: run it, then [`App::idempotency_finish`] (or
    /// [`App::idempotency_abandon`] when it failed without an answer worth
    /// replaying).
    Fresh(KeyTicket),
    /// A repeat: the first answer, to give again.
    Replay {
        /// The first answer's status.
        status: u16,
        /// The first answer's body.
        body: Vec<u8>,
    },
}

/// A reserved key, to finish or abandon.
#[derive(Debug)]
pub struct KeyTicket {
    owner: String,
    key: String,
}

/// An answer given once per key.
#[derive(Debug, Clone, PartialEq)]
pub struct Idempotent {
    /// The answer (the first one, on a repeat).
    pub value: Value,
    /// Whether this is a repeat of an earlier answer.
    pub replayed: bool,
}

/// The fingerprint of a request: SHA-256 over its identifying parts.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for p in parts {
        hasher.update((p.len() as u64).to_le_bytes());
        hasher.update(p);
    }
    hex::encode(hasher.finalize())
}

impl App {
    /// Presents `key` for a request of `caller` with `fingerprint`.
    pub async fn idempotency_begin(
        &self,
        caller: &Caller,
        key: &str,
        fingerprint: &str,
    ) -> ApiResult<KeyState> {
        if key.is_empty() || key.len() > 255 {
            return Err(ApiError::field(
                "Idempotency-Key",
                "must be 1–255 characters",
            ));
        }
        let owner = caller.id.clone();
        let found = self
            .store()
            .idempotency_begin(&owner, key, fingerprint, &self.now_text())
            .await?;
        match found {
            None => Ok(KeyState::Fresh(KeyTicket {
                owner,
                key: key.to_string(),
            })),
            Some(entry) if entry.request_hash != fingerprint => Err(ApiError::Conflict {
                code: "idempotency_key_reused",
                message: "this Idempotency-Key was used with a different request".into(),
            }),
            Some(entry) => match entry.response {
                Some((status, body)) => Ok(KeyState::Replay { status, body }),
                None => Err(ApiError::Conflict {
                    code: "idempotency_key_in_use",
                    message: "a request with this Idempotency-Key is still being processed".into(),
                }),
            },
        }
    }

    /// Keeps the answer of a reserved key for its repeats.
    pub async fn idempotency_finish(&self, ticket: KeyTicket, status: u16, body: &[u8]) {
        if let Err(e) = self
            .store()
            .idempotency_finish(&ticket.owner, &ticket.key, status, body)
            .await
        {
            tracing::error!(error = ?e, "could not record an idempotency key's answer");
        }
    }

    /// Releases a reserved key whose request failed, so a retry runs again.
    pub async fn idempotency_abandon(&self, ticket: KeyTicket) {
        if let Err(e) = self
            .store()
            .idempotency_abandon(&ticket.owner, &ticket.key)
            .await
        {
            tracing::error!(error = ?e, "could not release an idempotency key");
        }
    }

    /// Runs `run` once per `key` of `caller` and `fingerprint`, and gives its
    /// answer (as JSON) again to every repeat: the door for callers that are
    /// not HTTP requests. A client error (4xx) is an answer like any other;
    /// a failure of the server's own (5xx) releases the key.
    pub async fn idempotent<T, F>(
        &self,
        caller: &Caller,
        key: &str,
        fingerprint: &str,
        run: F,
    ) -> ApiResult<Idempotent>
    where
        T: Serialize,
        F: Future<Output = ApiResult<T>>,
    {
        let ticket = match self.idempotency_begin(caller, key, fingerprint).await? {
            KeyState::Replay { status, body } => {
                if status >= 400 {
                    let error: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    return Err(ApiError::Replayed { status, error });
                }
                let value = serde_json::from_slice(&body).map_err(anyhow::Error::from)?;
                return Ok(Idempotent {
                    value,
                    replayed: true,
                });
            }
            KeyState::Fresh(ticket) => ticket,
        };
        match run.await {
            Ok(answer) => {
                let value = serde_json::to_value(&answer).map_err(anyhow::Error::from)?;
                let body = serde_json::to_vec(&value).map_err(anyhow::Error::from)?;
                self.idempotency_finish(ticket, 200, &body).await;
                Ok(Idempotent {
                    value,
                    replayed: false,
                })
            }
            Err(e) if e.status().is_client_error() => {
                let body = serde_json::to_vec(&e.body()).map_err(anyhow::Error::from)?;
                self.idempotency_finish(ticket, e.status().as_u16(), &body)
                    .await;
                Err(e)
            }
            Err(e) => {
                self.idempotency_abandon(ticket).await;
                Err(e)
            }
        }
    }
}

/// Forgets keys older than their lifetime, hourly (a background worker).
pub(crate) async fn expire_keys(app: App) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let before = timestamp(app.now() - chrono::Duration::hours(KEY_LIFETIME_HOURS));
        if let Err(e) = app.store().idempotency_expire(&before).await {
            tracing::warn!(error = ?e, "expiring idempotency keys failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use livehire_store::CallerKind;

    use super::*;

    async fn app() -> (App, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = livehire_store::connect(&url).await.unwrap();
        (App::new(store.store()), dir)
    }

    #[tokio::test]
    async fn a_key_runs_once_and_replays_its_answer_to_any_door() {
        let (app, _dir) = app().await;
        let caller = Caller {
            kind: CallerKind::Agent,
            id: "ph_agent_x".into(),
        };
        let runs = AtomicU32::new(0);
        let run = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ApiError>(serde_json::json!({"id": "ph_task_1"}))
        };
        let fp = fingerprint(&[b"tasks_create", br#"{"title":"x"}"#]);
        let first = app.idempotent(&caller, "k1", &fp, run()).await.unwrap();
        let again = app.idempotent(&caller, "k1", &fp, run()).await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(!first.replayed && again.replayed);
        assert_eq!(first.value, again.value);

        // The same key with another request: 409.
        let other = fingerprint(&[b"tasks_create", br#"{"title":"y"}"#]);
        let e = app
            .idempotent(&caller, "k1", &other, run())
            .await
            .unwrap_err();
        assert_eq!(e.status().as_u16(), 409);
        assert_eq!(e.body().error.code, "idempotency_key_reused");

        // Another caller's key of the same name is its own.
        let host = Caller {
            kind: CallerKind::Host,
            id: "ph_profile_y".into(),
        };
        assert!(
            !app.idempotent(&host, "k1", &fp, run())
                .await
                .unwrap()
                .replayed
        );

        // A client error is an answer too, and comes back as it was.
        let refuse = || async { Err::<Value, _>(ApiError::field("title", "is required")) };
        let e1 = app
            .idempotent(&caller, "k2", &fp, refuse())
            .await
            .unwrap_err();
        let e2 = app.idempotent(&caller, "k2", &fp, run()).await.unwrap_err();
        assert_eq!(e2.status(), e1.status());
        assert_eq!(e2.body().error.message, "title: is required");
        assert_eq!(e2.body().error.details[0].path, "title");
        assert_eq!(runs.load(Ordering::SeqCst), 2);

        // A failure of the server's own releases the key: a retry runs.
        let fail = || async { Err::<Value, _>(ApiError::Internal(anyhow::anyhow!("disk"))) };
        assert!(app.idempotent(&caller, "k3", &fp, fail()).await.is_err());
        assert!(
            !app.idempotent(&caller, "k3", &fp, run())
                .await
                .unwrap()
                .replayed
        );
    }
}
