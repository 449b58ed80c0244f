//! The dashboard for people: server-rendered pages (maud) over the same
//! service methods as the API, in English and Simplified Chinese.
//!
//! - **Sessions.** Logging in (email and password, or an API key once) opens a
//!   server-side web session; its token travels in the `lh_session` cookie
//!   (HttpOnly, SameSite=Lax, Secure when the server is reached over https).
//!   The API never reads that cookie: `/api/v1` stays Bearer-only.
//! - **CSRF.** Every form carries a token: a session's own once logged in,
//!   else the `lh_csrf` cookie's (login and sign-up, double-submitted). A
//!   POST without the right one is 403.
//! - **Language.** `?lang=en|zh-CN` switches and is remembered (`lh_lang`),
//!   else `Accept-Language` decides; English is the fallback.

mod assets;
mod host_pages;
mod i18n;
mod live;
mod live_actions;
mod live_reports;
mod pages;
mod task_actions;
mod task_new;
mod task_pages;
mod task_sections;
mod terms;
mod wallet_pages;

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub use i18n::Lang;

use crate::app::{App, WEB_SESSION_DAYS, WebLogin, WebSession};
use crate::error::ApiError;

/// The session cookie.
pub const SESSION_COOKIE: &str = "lh_session";
/// The pre-login CSRF cookie.
pub const CSRF_COOKIE: &str = "lh_csrf";
/// The remembered language.
pub const LANG_COOKIE: &str = "lh_lang";

/// The stylesheet's path: versioned by its content, so it can be cached for good.
pub fn style_path() -> &'static str {
    assets::path("app.css")
}

/// Whether a route template is one of the dashboard's pages.
pub fn is_page(route: &str) -> bool {
    matches!(route, "/login" | "/signup" | "/logout") || route.starts_with("/dashboard")
}

/// The dashboard's routes.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/login", get(pages::login_page).post(login))
        .route("/signup", get(pages::signup_page).post(signup))
        .route("/logout", axum::routing::post(logout))
        .route("/dashboard", get(pages::home))
        .route("/dashboard/hosts", get(pages::hosts))
        .route("/dashboard/hosts/{id}", get(host_pages::host))
        .route(
            "/dashboard/hosts/{id}/invite",
            axum::routing::post(host_pages::invite),
        )
        .route(
            "/dashboard/tasks/new",
            get(task_new::new_task).post(task_new::post_task),
        )
        .route("/dashboard/tasks/{id}", get(task_pages::task))
        .route(
            "/dashboard/tasks/{id}/{action}",
            axum::routing::post(task_actions::task_action),
        )
        .route("/dashboard/wallet", get(wallet_pages::wallet))
        .route(
            "/dashboard/settings",
            get(pages::settings).post(settings_post),
        )
        .route("/assets/{file}", get(assets::serve))
        .merge(live::routes())
}

/// What every page knows of its request: the language, the session if any,
/// and the CSRF token its forms carry.
pub struct Page {
    /// The page's language.
    pub lang: Lang,
    /// The logged-in account's session.
    pub session: Option<WebSession>,
    /// The cookie's token of that session.
    token: Option<String>,
    /// The CSRF token for forms: the session's, or the pre-login cookie's.
    pub csrf: String,
    /// Set-Cookie headers the answer must carry (a new CSRF cookie, the language).
    cookies: Vec<String>,
    /// Whether cookies get `Secure`.
    secure: bool,
    /// The client's address (failed logins are counted per IP).
    client_ip: Option<IpAddr>,
}

fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Whether the client reached this server over https (directly, through a
/// proxy that says so, or as the public URL says).
fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
        || crate::obs::public_link("").starts_with("https://")
}

fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool, http_only: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax{}{}",
        if http_only { "; HttpOnly" } else { "" },
        if secure { "; Secure" } else { "" }
    )
}

#[derive(Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Page
where
    App: axum::extract::FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = App::from_ref(state);
        let headers = &parts.headers;
        let secure = over_https(headers);
        let mut cookies = Vec::new();
        let asked = Query::<LangQuery>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|q| q.0.lang)
            .and_then(|l| Lang::parse(&l));
        let lang = match asked {
            Some(l) => {
                cookies.push(set_cookie(
                    LANG_COOKIE,
                    l.tag(),
                    365 * 86_400,
                    secure,
                    false,
                ));
                l
            }
            None => cookie_value(headers, LANG_COOKIE)
                .and_then(Lang::parse)
                .unwrap_or_else(|| {
                    Lang::from_accept_language(
                        headers
                            .get(axum::http::header::ACCEPT_LANGUAGE)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or(""),
                    )
                }),
        };
        let token = cookie_value(headers, SESSION_COOKIE).map(str::to_string);
        let session = match &token {
            Some(t) => app
                .web_session(t)
                .await
                .map_err(|e| pages::error_page(lang, e))?,
            None => None,
        };
        let csrf = match (&session, cookie_value(headers, CSRF_COOKIE)) {
            (Some(s), _) => s.csrf.clone(),
            (None, Some(c)) if c.len() >= 20 && c.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                c.to_string()
            }
            (None, _) => {
                let fresh = livehire_domain::ids::new_key("", &mut rand::rng());
                cookies.push(set_cookie(CSRF_COOKIE, &fresh, 86_400, secure, true));
                fresh
            }
        };
        let client_ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(Page {
            lang,
            session,
            token,
            csrf,
            cookies,
            secure,
            client_ip,
        })
    }
}

use axum::extract::FromRef;

impl Page {
    /// Checks a form's CSRF token: the 403 to answer unless it is this page's.
    fn refuse_csrf(&self, sent: &str) -> Option<Response> {
        use subtle_eq::eq;
        if !sent.is_empty() && eq(sent.as_bytes(), self.csrf.as_bytes()) {
            None
        } else {
            Some(pages::status_page(
                self.lang,
                StatusCode::FORBIDDEN,
                &self.lang.t("csrf-failed"),
            ))
        }
    }

    /// The answer with this page's cookies added.
    fn finish(self, resp: impl IntoResponse) -> Response {
        let mut resp = resp.into_response();
        for c in self.cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                resp.headers_mut().append(SET_COOKIE, v);
            }
        }
        resp.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    }

    /// A redirect (303) carrying this page's cookies and `extra` ones.
    fn redirect(self, to: &str, extra: Vec<String>) -> Response {
        let mut resp = (StatusCode::SEE_OTHER, [(LOCATION, to.to_string())]).into_response();
        for c in extra {
            if let Ok(v) = HeaderValue::from_str(&c) {
                resp.headers_mut().append(SET_COOKIE, v);
            }
        }
        self.finish(resp)
    }

    /// The cookie of a new session (replacing any earlier one: a login
    /// rotates it).
    fn session_cookie(&self, login: &WebLogin) -> String {
        set_cookie(
            SESSION_COOKIE,
            &login.token,
            WEB_SESSION_DAYS * 86_400,
            self.secure,
            true,
        )
    }
}

/// Constant-time comparison of two tokens.
mod subtle_eq {
    pub fn eq(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// The login form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    csrf: String,
    email: String,
    password: String,
    api_key: String,
}

async fn login(State(app): State<App>, page: Page, Form(form): Form<LoginForm>) -> Response {
    if let Some(denied) = page.refuse_csrf(&form.csrf) {
        return denied;
    }
    let ip = page.client_ip;
    let by_key = !form.api_key.trim().is_empty();
    let result = if by_key {
        app.web_login_key(&form.api_key, ip).await
    } else {
        app.web_login_password(&form.email, &form.password, ip)
            .await
    };
    match result {
        Ok(login) => {
            // The old session (if any) ends: a login always starts a new one.
            if let Some(old) = &page.token {
                let _ = app.web_logout(old).await;
            }
            let cookie = page.session_cookie(&login);
            page.redirect("/dashboard", vec![cookie])
        }
        Err(e) => {
            let message = match &e {
                ApiError::RateLimited { retry_after, .. } => page.lang.t_args(
                    "login-throttled",
                    &[("minutes", (retry_after.as_secs() / 60 + 1).to_string())],
                ),
                ApiError::Unauthorized(_) if by_key => page.lang.t("login-key-failed"),
                ApiError::Unauthorized(_) => page.lang.t("login-failed"),
                _ => return pages::error_page(page.lang, e),
            };
            let status = match e {
                ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            let body = pages::login_form(&page, Some(&message), &form.email);
            page.finish((status, body))
        }
    }
}

async fn logout(State(app): State<App>, page: Page, Form(form): Form<CsrfOnly>) -> Response {
    if let Some(denied) = page.refuse_csrf(&form.csrf) {
        return denied;
    }
    if let Some(token) = &page.token {
        let _ = app.web_logout(token).await;
    }
    let gone = set_cookie(SESSION_COOKIE, "", 0, page.secure, true);
    page.redirect("/login", vec![gone])
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CsrfOnly {
    csrf: String,
}

/// The sign-up form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupForm {
    csrf: String,
    email: String,
    password: String,
    name: String,
    tiktok_handle: String,
    bio: String,
    niches: String,
    skills: String,
    followers: String,
    time_zone: String,
}

impl SignupForm {
    /// The profile as `POST /api/v1/humans/register` takes it; fields left
    /// empty are left out.
    fn profile(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::{Value, json};
        let mut p = serde_json::Map::new();
        p.insert("name".into(), json!(self.name.trim()));
        p.insert("platform".into(), json!("tiktok"));
        let mut text = |key: &str, v: &str| {
            if !v.trim().is_empty() {
                p.insert(key.into(), json!(v.trim()));
            }
        };
        text("tiktok_handle", &self.tiktok_handle);
        text("bio", &self.bio);
        text("time_zone", &self.time_zone);
        let list = |v: &str| -> Option<Value> {
            let items: Vec<Value> = v
                .split([',', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| json!(s))
                .collect();
            (!items.is_empty()).then_some(Value::Array(items))
        };
        if let Some(v) = list(&self.niches) {
            p.insert("niches".into(), v);
        }
        if let Some(v) = list(&self.skills) {
            p.insert("skills".into(), v);
        }
        let followers = self.followers.trim().replace([',', '_'], "");
        if !followers.is_empty() {
            let value = followers
                .parse::<u64>()
                .map_or_else(|_| json!(followers), |n| json!(n));
            p.insert("follower_stats".into(), json!({ "followers": value }));
        }
        p
    }
}

async fn signup(State(app): State<App>, page: Page, Form(form): Form<SignupForm>) -> Response {
    if let Some(denied) = page.refuse_csrf(&form.csrf) {
        return denied;
    }
    let signup = crate::app::NewHost::parse(form.profile()).map(|profile| crate::app::HostSignup {
        profile,
        email: form.email.clone(),
        password: form.password.clone(),
    });
    let result = match signup {
        Ok(s) => app.signup_host(s).await.map(|(_, login)| login),
        Err(e) => Err(e),
    };
    match result {
        Ok(login) => {
            let cookie = page.session_cookie(&login);
            page.redirect("/dashboard", vec![cookie])
        }
        Err(e) => {
            let (status, errors) = match e {
                ApiError::Validation(errors) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors
                        .into_iter()
                        .map(|e| format!("{}: {}", e.path, e.message))
                        .collect(),
                ),
                ApiError::Forbidden(_) => {
                    (StatusCode::FORBIDDEN, vec![page.lang.t("signup-closed")])
                }
                ApiError::Conflict {
                    code: "email_taken",
                    ..
                } => (StatusCode::CONFLICT, vec![page.lang.t("email-taken")]),
                ApiError::Conflict { message, .. } => (StatusCode::CONFLICT, vec![message]),
                other => return pages::error_page(page.lang, other),
            };
            let body = pages::signup_form(&page, &form, &errors);
            page.finish((status, body))
        }
    }
}

/// The settings forms: set the login, or make a new API key.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    csrf: String,
    action: String,
    email: String,
    password: String,
}

async fn settings_post(
    State(app): State<App>,
    page: Page,
    Form(form): Form<SettingsForm>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    if let Some(denied) = page.refuse_csrf(&form.csrf) {
        return denied;
    }
    let caller = session.account;
    let mut new_key = None;
    let (status, errors, saved) = match form.action.as_str() {
        "new_key" => match app.rotate_key_keeping(&caller, page.token.as_deref()).await {
            Ok(rotated) => {
                new_key = Some(rotated.api_key);
                (StatusCode::OK, Vec::new(), false)
            }
            Err(e) => return pages::error_page(page.lang, e),
        },
        _ => match app
            .set_web_password(&caller, &form.email, &form.password, page.token.as_deref())
            .await
        {
            Ok(()) => (StatusCode::OK, Vec::new(), true),
            Err(ApiError::Validation(errors)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                errors
                    .into_iter()
                    .map(|e| format!("{}: {}", e.path, e.message))
                    .collect(),
                false,
            ),
            Err(ApiError::Conflict { .. }) => (
                StatusCode::CONFLICT,
                vec![page.lang.t("email-taken")],
                false,
            ),
            Err(e) => return pages::error_page(page.lang, e),
        },
    };
    let email = match app.web_login_email(&caller).await {
        Ok(email) => email,
        Err(e) => return pages::error_page(page.lang, e),
    };
    let body = pages::settings_page(&page, email.as_deref(), new_key.as_deref(), &errors, saved);
    page.finish((status, body))
}
