//! What a request carries for observing it: its id (the `Request-Id`
//! header, the log span, every error body), who it turned out to be from
//! (for the access line; an account id, never a key) and the server's public
//! URL (for absolute links). The operations middleware sets it around each
//! request; code anywhere below reads it without being handed it.

use std::sync::{Arc, Mutex};

tokio::task_local! {
    static REQUEST: Arc<RequestContext>;
}

/// One request's context.
#[derive(Debug)]
pub struct RequestContext {
    /// The request id: the client's sane `Request-Id`, or a new one.
    pub id: String,
    /// Who the request authenticated as (`ph_agent_…`, `ph_profile_…`,
    /// `ph_agent_…:checkout`, `operator`), once known.
    caller: Mutex<Option<String>>,
    /// Where clients reach this server (`https://livehire.example.com`), no
    /// trailing slash; links served are relative without it.
    public_url: Option<Arc<str>>,
}

impl RequestContext {
    /// A context for request `id`.
    pub fn new(id: String, public_url: Option<Arc<str>>) -> Self {
        Self {
            id,
            caller: Mutex::new(None),
            public_url,
        }
    }

    /// Who the request authenticated as, if it did.
    pub fn caller(&self) -> Option<String> {
        self.caller.lock().ok().and_then(|c| c.clone())
    }

    /// Runs `f` with `ctx` as the current request's context.
    pub async fn scope<F: std::future::Future>(ctx: Arc<RequestContext>, f: F) -> F::Output {
        REQUEST.scope(ctx, f).await
    }
}

/// The current request's id, inside a request.
pub fn request_id() -> Option<String> {
    REQUEST.try_with(|r| r.id.clone()).ok()
}

/// Records who the current request authenticated as (the first wins: an
/// idempotent POST authenticates twice, as the same caller).
pub fn note_caller(caller: impl FnOnce() -> String) {
    let _ = REQUEST.try_with(|r| {
        if let Ok(mut c) = r.caller.lock()
            && c.is_none()
        {
            *c = Some(caller());
        }
    });
}

/// `path` as a link to this server: absolute under the public URL when one
/// is set (`--public-url`), else as given.
pub fn public_link(path: &str) -> String {
    REQUEST
        .try_with(|r| r.public_url.as_ref().map(|base| format!("{base}{path}")))
        .ok()
        .flatten()
        .unwrap_or_else(|| path.to_string())
}

/// Whether a client's `Request-Id` may be kept as the request's id: 1–128
/// characters of letters, digits and `-_.:/+=@`.
pub fn sane_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@".contains(&b))
}

/// A new request id: `req_`, then 8 characters of time and 12 random ones.
pub fn new_request_id() -> String {
    livehire_domain::ids::new_id("req_", chrono::Utc::now(), &mut rand::rng())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clients_request_id_is_kept_only_when_sane() {
        assert!(sane_request_id("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(sane_request_id("trace:abc/42=x@edge"));
        assert!(!sane_request_id(""));
        assert!(!sane_request_id(&"a".repeat(129)));
        assert!(!sane_request_id("two words"));
        assert!(!sane_request_id("line\nbreak"));
        assert!(!sane_request_id("<script>"));
        let id = new_request_id();
        assert!(id.starts_with("req_") && id.len() == 24 && sane_request_id(&id));
    }

    #[tokio::test]
    async fn the_context_is_read_inside_its_request_only() {
        assert_eq!(request_id(), None);
        assert_eq!(public_link("/overlay/x"), "/overlay/x");
        let ctx = Arc::new(RequestContext::new(
            "req_1".into(),
            Some("https://live.example".into()),
        ));
        RequestContext::scope(ctx.clone(), async {
            assert_eq!(request_id().as_deref(), Some("req_1"));
            assert_eq!(public_link("/overlay/x"), "https://live.example/overlay/x");
            note_caller(|| "ph_agent_a".into());
            note_caller(|| "ph_agent_b".into());
        })
        .await;
        assert_eq!(ctx.caller().as_deref(), Some("ph_agent_a"));
    }
}
