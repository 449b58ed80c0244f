//! People's accounts for the dashboard: a host signs up with a profile, an
//! email and a password; an agent's operator logs in once with the agent's
//! API key and may then set an email and password. Logins open server-side
//! web sessions (stored, so every instance over the database shares them),
//! each with the CSRF token its forms carry.
//!
//! Passwords are hashed with argon2id (the crate's defaults: 19 MiB, two
//! passes), off the async threads. Failed logins are throttled per account
//! and per client IP. A web session never opens the API: `/api/v1` takes
//! Bearer keys only.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Utc};
use livehire_domain::ids;
use livehire_store::{Caller, StoreError, WebLoginRecord, WebSessionRecord};
use rand::RngCore;

use super::{App, NewHost, NewHostKey, key_digest, timestamp};
use crate::error::{ApiError, ApiResult};

/// How long a web session lasts after login.
pub const WEB_SESSION_DAYS: i64 = 14;
/// Password length bounds, in characters.
pub const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 10..=200;
/// Failed logins allowed per account, and per client IP, in [`THROTTLE_WINDOW`].
pub const FAILED_LOGINS: u32 = 10;
/// The window failed logins are counted in.
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// A new web session: the cookie's token (shown once, stored as a digest)
/// and the CSRF token of its forms.
#[derive(Debug, Clone)]
pub struct WebLogin {
    /// The cookie's value.
    pub token: String,
    /// Whose session it is.
    pub account: Caller,
    /// What its forms carry.
    pub csrf: String,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

/// How long a web session read from the store is trusted without reading it
/// again ([`KEY_RECHECK`](super::KEY_RECHECK)).
pub const WEB_SESSION_RECHECK: Duration = super::KEY_RECHECK;

/// Web sessions recently read from the store, by token digest: a page view
/// costs no store round trip for the session while its entry is fresh.
/// Only sessions that exist are kept (an unknown cookie always asks the
/// store, so junk cookies cannot fill the map), and the map is pruned of
/// stale entries once it holds [`SESSION_CACHE_PRUNE_AT`] of them.
#[derive(Default)]
pub(crate) struct SessionCache {
    entries: std::sync::RwLock<HashMap<String, CachedSession>>,
}

struct CachedSession {
    session: WebSession,
    expires_at: DateTime<Utc>,
    read_at: Instant,
}

const SESSION_CACHE_PRUNE_AT: usize = 50_000;

impl SessionCache {
    fn get(&self, digest: &str, now: DateTime<Utc>) -> Option<WebSession> {
        let map = self.entries.read().ok()?;
        let hit = map.get(digest)?;
        (hit.read_at.elapsed() < WEB_SESSION_RECHECK && now < hit.expires_at)
            .then(|| hit.session.clone())
    }

    fn put(&self, digest: String, session: WebSession, expires_at: DateTime<Utc>) {
        let Ok(mut map) = self.entries.write() else {
            return;
        };
        if map.len() >= SESSION_CACHE_PRUNE_AT {
            map.retain(|_, e| e.read_at.elapsed() < WEB_SESSION_RECHECK);
        }
        if map.len() < SESSION_CACHE_PRUNE_AT {
            map.insert(
                digest,
                CachedSession {
                    session,
                    expires_at,
                    read_at: Instant::now(),
                },
            );
        }
    }

    fn forget(&self, digest: &str) {
        if let Ok(mut map) = self.entries.write() {
            map.remove(digest);
        }
    }

    /// Forgets an account's sessions but the one with digest `keep`.
    fn forget_account(&self, account_id: &str, keep: Option<&str>) {
        if let Ok(mut map) = self.entries.write() {
            map.retain(|digest, e| {
                e.session.account.id != account_id || Some(digest.as_str()) == keep
            });
        }
    }
}

/// A web session found by its cookie.
#[derive(Debug, Clone)]
pub struct WebSession {
    /// Whose session it is.
    pub account: Caller,
    /// What its forms must carry.
    pub csrf: String,
}

/// A host signing up on the web.
#[derive(Debug)]
pub struct HostSignup {
    /// The profile, as `POST /api/v1/humans/register` takes it.
    pub profile: NewHost,
    /// Their email (the login's name).
    pub email: String,
    /// Their password.
    pub password: String,
}

/// Failed logins per account and per client IP, in fixed windows.
#[derive(Default)]
pub(crate) struct LoginThrottle {
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl LoginThrottle {
    fn keys(email: &str, ip: Option<IpAddr>) -> Vec<String> {
        let mut keys = vec![format!("email:{email}")];
        if let Some(ip) = ip {
            keys.push(format!("ip:{ip}"));
        }
        keys
    }

    /// How long until a login for `email` from `ip` may be tried, if it
    /// may not be now.
    fn wait(&self, email: &str, ip: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let map = self.failures.lock().ok()?;
        Self::keys(email, ip)
            .iter()
            .filter_map(|k| map.get(k))
            .filter(|(start, n)| {
                *n >= FAILED_LOGINS && now.duration_since(*start) < THROTTLE_WINDOW
            })
            .map(|(start, _)| THROTTLE_WINDOW - now.duration_since(*start))
            .max()
    }

    fn failed(&self, email: &str, ip: Option<IpAddr>) {
        let now = Instant::now();
        let Ok(mut map) = self.failures.lock() else {
            return;
        };
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < THROTTLE_WINDOW);
        }
        for k in Self::keys(email, ip) {
            let entry = map.entry(k).or_insert((now, 0));
            if now.duration_since(entry.0) >= THROTTLE_WINDOW {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
    }

    fn succeeded(&self, email: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("email:{email}"));
        }
    }
}

/// An email as logins are keyed: trimmed and lowercased; 422 unless it
/// looks like an address.
fn normal_email(email: &str) -> ApiResult<String> {
    let email = email.trim().to_lowercase();
    let ok = email.len() <= 254
        && email.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if ok {
        Ok(email)
    } else {
        Err(ApiError::field("email", "must be an email address"))
    }
}

fn check_password(password: &str) -> ApiResult<()> {
    if PASSWORD_CHARS.contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(ApiError::field(
            "password",
            format!(
                "must be {} to {} characters",
                PASSWORD_CHARS.start(),
                PASSWORD_CHARS.end()
            ),
        ))
    }
}

/// Hashes a password with argon2id on a blocking thread.
async fn hash_password(password: String) -> ApiResult<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
    .map_err(|e| anyhow::anyhow!("password hashing task: {e}"))?
    .map_err(ApiError::from)
}

/// Checks a password against a stored hash on a blocking thread.
async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A hash no password matches (of random bytes nobody knows), checked when an
/// email is unknown so that a wrong email takes as long as a wrong password.
fn decoy_hash() -> String {
    static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let mut secret = [0u8; 32];
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut secret);
        rand::rng().fill_bytes(&mut salt);
        let Ok(salt) = SaltString::encode_b64(&salt) else {
            return String::new();
        };
        Argon2::default()
            .hash_password(&secret, &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    });
    DECOY.clone()
}

impl App {
    /// Signs a host up on the web: registers the profile (as the API does,
    /// closed when registration is) and its login, and opens a session.
    pub async fn signup_host(&self, signup: HostSignup) -> ApiResult<(NewHostKey, WebLogin)> {
        self.check_registration(None)?;
        let email = normal_email(&signup.email)?;
        check_password(&signup.password)?;
        if self.store().web_login(&email).await?.is_some() {
            return Err(ApiError::Conflict {
                code: "email_taken",
                message: "an account with this email exists; log in instead".into(),
            });
        }
        let hash = hash_password(signup.password).await?;
        let host = self.register_host(signup.profile).await?;
        let account = Caller {
            kind: livehire_store::CallerKind::Host,
            id: host.human_id.to_string(),
        };
        self.store_login(&account, &email, hash).await?;
        let login = self.open_web_session(account).await?;
        Ok((host, login))
    }

    /// Logs in with an email and password; 401 for either wrong (the same
    /// answer), 429 after too many failures for the account or the IP.
    pub async fn web_login_password(
        &self,
        email: &str,
        password: &str,
        client_ip: Option<IpAddr>,
    ) -> ApiResult<WebLogin> {
        let email = email.trim().to_lowercase();
        self.throttled(&email, client_ip)?;
        let login = self.store().web_login(&email).await?;
        let hash = match &login {
            Some(l) => l.password_hash.clone(),
            None => tokio::task::spawn_blocking(decoy_hash)
                .await
                .unwrap_or_default(),
        };
        let matches = verify_password(password.to_string(), hash).await;
        match login {
            Some(login) if matches => {
                self.inner.web_throttle.succeeded(&email);
                self.open_web_session(login.account).await
            }
            _ => {
                self.inner.web_throttle.failed(&email, client_ip);
                Err(ApiError::Unauthorized("wrong email or password"))
            }
        }
    }

    /// Logs in with an account's API key (an agent's operator, once, or a
    /// host); 401 for an unknown key, 429 after too many failures from the IP.
    pub async fn web_login_key(&self, key: &str, client_ip: Option<IpAddr>) -> ApiResult<WebLogin> {
        self.throttled("", client_ip)?;
        match self.authenticate(key.trim()).await {
            Ok(account) => self.open_web_session(account).await,
            Err(e) => {
                self.inner.web_throttle.failed("", client_ip);
                Err(e)
            }
        }
    }

    /// Sets (or replaces) the caller's email and password, and ends the
    /// account's other web sessions (all but the one of the cookie
    /// `current`, when given): whoever logged in with the old password is
    /// logged out.
    pub async fn set_web_password(
        &self,
        caller: &Caller,
        email: &str,
        password: &str,
        current: Option<&str>,
    ) -> ApiResult<()> {
        let email = normal_email(email)?;
        check_password(password)?;
        let hash = hash_password(password.to_string()).await?;
        self.store_login(caller, &email, hash).await?;
        self.end_web_sessions(caller, current).await
    }

    /// Ends every web session of `caller` but the one of the cookie
    /// `current`, when given: at once on this instance, within
    /// [`WEB_SESSION_RECHECK`] on the others.
    pub async fn end_web_sessions(&self, caller: &Caller, current: Option<&str>) -> ApiResult<()> {
        let keep = current.map(key_digest);
        self.store()
            .end_web_sessions(&caller.id, keep.as_deref())
            .await?;
        self.inner
            .web_sessions
            .forget_account(&caller.id, keep.as_deref());
        Ok(())
    }

    /// The email of the caller's login, if it has one.
    pub async fn web_login_email(&self, caller: &Caller) -> ApiResult<Option<String>> {
        Ok(self
            .store()
            .web_login_of(&caller.id)
            .await?
            .map(|l| l.email))
    }

    /// The web session of a cookie's token, unless it ended.
    /// A session read within [`WEB_SESSION_RECHECK`] is answered from
    /// memory (its expiry still checked against the clock).
    pub async fn web_session(&self, token: &str) -> ApiResult<Option<WebSession>> {
        let digest = key_digest(token);
        let now = self.now();
        if let Some(hit) = self.inner.web_sessions.get(&digest, now) {
            return Ok(Some(hit));
        }
        let Some(found) = self.store().web_session(&digest, &timestamp(now)).await? else {
            self.inner.web_sessions.forget(&digest);
            return Ok(None);
        };
        let session = WebSession {
            account: found.account,
            csrf: found.csrf,
        };
        if let Ok(expires_at) = DateTime::parse_from_rfc3339(&found.expires_at) {
            self.inner
                .web_sessions
                .put(digest, session.clone(), expires_at.with_timezone(&Utc));
        }
        Ok(Some(session))
    }

    /// Ends the web session of a cookie's token.
    pub async fn web_logout(&self, token: &str) -> ApiResult<()> {
        let digest = key_digest(token);
        self.store().delete_web_session(&digest).await?;
        self.inner.web_sessions.forget(&digest);
        Ok(())
    }

    /// Deletes expired web sessions; returns how many.
    pub async fn purge_web_sessions(&self) -> ApiResult<u64> {
        Ok(self
            .store()
            .delete_expired_web_sessions(&self.now_text())
            .await?)
    }

    fn throttled(&self, email: &str, client_ip: Option<IpAddr>) -> ApiResult<()> {
        match self.inner.web_throttle.wait(email, client_ip) {
            Some(wait) => Err(ApiError::RateLimited {
                limit: format!(
                    "{FAILED_LOGINS} failed logins per {} minutes per account and per client IP",
                    THROTTLE_WINDOW.as_secs() / 60
                ),
                retry_after: wait,
            }),
            None => Ok(()),
        }
    }

    async fn store_login(
        &self,
        account: &Caller,
        email: &str,
        password_hash: String,
    ) -> ApiResult<()> {
        let now = self.now_text();
        let record = WebLoginRecord {
            email: email.to_string(),
            account: account.clone(),
            password_hash,
            created_at: now.clone(),
            updated_at: now,
        };
        match self.store().set_web_login(&record).await {
            Err(StoreError::Conflict(_)) => Err(ApiError::Conflict {
                code: "email_taken",
                message: "another account uses this email".into(),
            }),
            other => Ok(other?),
        }
    }

    async fn open_web_session(&self, account: Caller) -> ApiResult<WebLogin> {
        let (token, csrf) = {
            let mut rng = rand::rng();
            (ids::new_key("lhs_", &mut rng), ids::new_key("", &mut rng))
        };
        let now = self.now();
        let expires_at = now + chrono::Duration::days(WEB_SESSION_DAYS);
        self.store()
            .create_web_session(&WebSessionRecord {
                digest: key_digest(&token),
                account: account.clone(),
                csrf: csrf.clone(),
                created_at: timestamp(now),
                expires_at: timestamp(expires_at),
            })
            .await?;
        Ok(WebLogin {
            token,
            account,
            csrf,
            expires_at,
        })
    }
}

/// Deletes expired web sessions, hourly (a background worker).
pub(crate) async fn purge_web_sessions_hourly(app: App) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        if let Err(e) = app.purge_web_sessions().await {
            tracing::warn!(error = ?e, "purging expired web sessions failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normal_email("  Liu@Example.COM ").unwrap(),
            "liu@example.com"
        );
        for bad in [
            "",
            "liu",
            "@example.com",
            "liu@example",
            "li u@example.com",
            "liu@.com",
        ] {
            assert!(normal_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_throttle_counts_per_account_and_per_ip() {
        let t = LoginThrottle::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..FAILED_LOGINS - 1 {
            t.failed("a@x.com", Some(ip));
        }
        assert!(t.wait("a@x.com", Some(ip)).is_none());
        t.failed("a@x.com", Some(ip));
        assert!(t.wait("a@x.com", None).is_some(), "the account is held");
        assert!(t.wait("b@x.com", Some(ip)).is_some(), "so is the IP");
        assert!(
            t.wait("b@x.com", Some("10.0.0.2".parse().unwrap()))
                .is_none()
        );
        t.succeeded("a@x.com");
        assert!(t.wait("a@x.com", None).is_none());
    }

    #[tokio::test]
    async fn a_password_verifies_against_its_hash_only() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery".into(), hash.clone()).await);
        assert!(!verify_password("correct horse battery!".into(), hash).await);
        let decoy = tokio::task::spawn_blocking(decoy_hash).await.unwrap();
        assert!(PasswordHash::new(&decoy).is_ok(), "{decoy}");
        assert!(!verify_password("anything".into(), decoy).await);
    }
}
