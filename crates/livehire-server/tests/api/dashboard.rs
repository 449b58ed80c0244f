//! The dashboard's accounts and first pages, over HTTP as a browser sends
//! them: forms, cookies, CSRF tokens and redirects.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::harness::*;

/// A browser: its own cookies, no automatic redirects.
pub(crate) struct Browser<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) client: reqwest::Client,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) lang: &'static str,
}

pub(crate) struct Seen {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
}

impl Seen {
    /// The value of the form field `name="csrf"` on the page.
    pub(crate) fn csrf(&self) -> String {
        let at = self
            .text
            .find("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token");
        let rest = &self.text[at + "name=\"csrf\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }

    pub(crate) fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    pub(crate) fn location(&self) -> &str {
        self.headers[LOCATION].to_str().unwrap()
    }
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
            lang: "en",
        }
    }

    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn keep(&mut self, seen: &Seen) {
        for c in seen.set_cookies() {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() && !c.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(crate) async fn seen(&mut self, req: reqwest::RequestBuilder) -> Seen {
        let resp = req
            .header(COOKIE, self.cookie_header())
            .header("accept-language", self.lang)
            .send()
            .await
            .unwrap();
        let seen = Seen {
            status: resp.status(),
            headers: resp.headers().clone(),
            text: resp.text().await.unwrap(),
        };
        self.keep(&seen);
        seen
    }

    pub(crate) async fn get(&mut self, path: &str) -> Seen {
        let req = self.client.get(self.app.url(path));
        self.seen(req).await
    }

    pub(crate) async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Seen {
        let req = self
            .client
            .post(self.app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).unwrap());
        self.seen(req).await
    }

    /// Logs in with an email and password through the login form.
    pub(crate) async fn log_in(&mut self, email: &str, password: &str) -> Seen {
        let fields = [("email", email), ("password", password)];
        self.submit("/login", "/login", &fields).await
    }

    /// Sets the account's email and password through the settings form.
    pub(crate) async fn set_login(&mut self, email: &str, password: &str) -> Seen {
        let fields = [
            ("action", "login"),
            ("email", email),
            ("password", password),
        ];
        self.submit("/dashboard/settings", "/dashboard/settings", &fields)
            .await
    }

    /// Opens `page`, then posts its form with `fields` and the page's token.
    pub(crate) async fn submit(
        &mut self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Seen {
        let csrf = self.get(page).await.csrf();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        form.extend_from_slice(fields);
        self.post(action, &form).await
    }
}

#[tokio::test]
async fn forms_need_their_csrf_token_and_a_login_opens_a_session_the_api_never_takes() {
    let app = spawn_app().await;
    let agent = app.agent("Brand").await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let task_id = task["id"].as_str().unwrap();
    let mut b = Browser::new(&app);

    let page = b.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("form-action 'self'") && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    assert_eq!(page.headers["cache-control"], "no-store");
    let csrf_cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("lh_csrf="))
        .expect("a pre-login CSRF cookie");
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"));
    assert_eq!(page.csrf(), b.cookie("lh_csrf").unwrap());

    // Without the token, or with another one: 403, and no session.
    let key = agent.key.as_str();
    let without = b.post("/login", &[("api_key", key)]).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let wrong = b
        .post(
            "/login",
            &[("csrf", "x".repeat(32).as_str()), ("api_key", key)],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert!(b.cookie("lh_session").is_none());

    // A wrong key: 401 and the form again.
    let bad = b
        .submit("/login", "/login", &[("api_key", "ph_sk_nope")])
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.text.contains("unknown or revoked"), "{}", bad.text);

    // The agent's key: a session cookie, then the dashboard.
    let ok = b.submit("/login", "/login", &[("api_key", key)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(ok.location(), "/dashboard");
    let session = ok
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("lh_session="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Secure")
    );
    let token = b.cookie("lh_session").unwrap().to_string();
    let home = b.get("/dashboard").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text.contains("Your tasks"), "{}", home.text);
    assert!(
        home.text.contains(task_id),
        "the agent's task is listed: {}",
        home.text
    );
    assert!(
        home.text.contains("<b>1</b>Open"),
        "one open task counted: {}",
        home.text
    );
    // Each task's first session in the task's own zone, named; UTC when
    // the task names none.
    let mut zoned = seed_json("task_workflow1_launch.json");
    zoned["live_session_details"]["time_zone"] = json!("Asia/Shanghai");
    app.task(&agent, &zoned).await;
    let home = b.get("/dashboard").await;
    assert!(
        home.text.contains("2036-03-26 03:00 Asia/Shanghai")
            && home.text.contains("2036-03-25 19:00 UTC")
            && home.text.contains("<b>2</b>Open"),
        "{}",
        home.text
    );

    // The API takes Bearer keys only: the cookie alone is 401.
    let api = b.get("/api/v1/me").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);

    // Logging out needs the session's token and ends it everywhere.
    let page = b.get("/dashboard").await;
    let csrf = page.csrf();
    let out = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(b.cookie("lh_session").is_none());
    b.cookies.push(("lh_session".into(), token));
    let after = b.get("/dashboard").await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the old cookie opens nothing"
    );
    assert_eq!(after.location(), "/login");
}

#[tokio::test]
async fn a_host_signs_up_sees_its_invitation_and_an_agent_sets_a_password() {
    let app = spawn_app().await;
    let mut host = Browser::new(&app);
    let signed = host
        .submit(
            "/signup",
            "/signup",
            &[
                ("email", "Liu@Example.com"),
                ("password", "a long secret phrase"),
                ("name", "Skincare Liu"),
                ("tiktok_handle", "@skincare_liu"),
                ("followers", "125,000"),
                ("niches", "beauty, skincare"),
                ("skills", "live_streaming"),
                ("time_zone", "Asia/Shanghai"),
                ("bio", "Seven years of skincare lives."),
            ],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.text);
    let home = host.get("/dashboard").await;
    assert!(
        home.text.contains("Your work") && home.text.contains("No invitations yet."),
        "{}",
        home.text
    );

    // The profile is the API's: searchable, with what the form said.
    let agent = app.agent("Brand").await;
    let found = app
        .get("/api/v1/humans?q=Skincare%20Liu", Some(&agent.key))
        .await;
    let liu = found.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == "Skincare Liu")
        .cloned()
        .expect("the new host is searchable");
    assert_eq!(liu["follower_stats"]["followers"], 125_000);
    let human_id = liu["human_id"].as_str().unwrap().to_string();

    // The same email again: 409, case aside.
    let mut other = Browser::new(&app);
    let again = other
        .submit(
            "/signup",
            "/signup",
            &[
                ("email", "liu@example.com"),
                ("password", "another long one"),
                ("name", "Copy"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.text.contains("log in instead"), "{}", again.text);
    // A short password: 422 naming it, and what was typed kept.
    let short = other
        .submit(
            "/signup",
            "/signup",
            &[
                ("email", "x@example.com"),
                ("password", "short"),
                ("name", "Kept Name"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short
            .text
            .contains("password: must be 10 to 200 characters")
            && short.text.contains("Kept Name")
    );

    // An invitation shows on the host's page, with the pay in yuan.
    app.post(
        "/api/v1/wallet/deposits",
        Some(&agent.key),
        &json!({"amount": 50000, "currency": "CNY"}),
    )
    .await;
    let mut body = seed_json("task_getting_started.json");
    body["requirements"] = json!({"skills": ["live_streaming"], "min_followers": 100000});
    let task = app.task(&agent, &body).await;
    let task_id = task["id"].as_str().unwrap();
    let invited = app
        .post(
            &format!("/api/v1/tasks/{task_id}/invitations"),
            Some(&agent.key),
            &json!({"human_id": human_id}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let home = host.get("/dashboard").await;
    assert!(home.text.contains(task_id), "{}", home.text);
    assert!(
        home.text.contains("¥"),
        "money carries its symbol: {}",
        home.text
    );

    // The host's password logs it in again, whatever the email's case; a
    // wrong one does not.
    let mut again = Browser::new(&app);
    let wrong = again.log_in("liu@example.com", "not the one at all").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text.contains("Wrong email or password"));
    let right = again
        .log_in("LIU@example.com", "a long secret phrase")
        .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);

    // An agent's operator: key once, then an email and password.
    let mut op = Browser::new(&app);
    op.submit("/login", "/login", &[("api_key", &agent.key)])
        .await;
    let saved = op
        .set_login("ops@brand.example", "operator passphrase")
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(
        saved.text.contains("You log in as ops@brand.example"),
        "{}",
        saved.text
    );
    let taken = op.set_login("liu@example.com", "operator passphrase").await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    let mut fresh = Browser::new(&app);
    let by_password = fresh
        .log_in("ops@brand.example", "operator passphrase")
        .await;
    assert_eq!(by_password.status, StatusCode::SEE_OTHER);
    let home = fresh.get("/dashboard").await;
    assert!(home.text.contains("Your tasks") && home.text.contains(task_id));
}

#[tokio::test]
async fn failed_logins_are_throttled_and_sessions_expire() {
    let app = spawn_app().await;
    let agent = app.agent("Brand").await;
    let mut op = Browser::new(&app);
    op.submit("/login", "/login", &[("api_key", &agent.key)])
        .await;
    op.set_login("ops@brand.example", "operator passphrase")
        .await;

    let mut guesser = Browser::new(&app);
    for i in 0..10 {
        let guess = format!("guess number {i}");
        let seen = guesser.log_in("ops@brand.example", &guess).await;
        assert_eq!(seen.status, StatusCode::UNAUTHORIZED, "try {i}");
    }
    let held = guesser
        .log_in("ops@brand.example", "operator passphrase")
        .await;
    assert_eq!(
        held.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(
        held.text.contains("Too many failed logins"),
        "{}",
        held.text
    );

    // A session lasts 14 days.
    assert_eq!(op.get("/dashboard").await.status, StatusCode::OK);
    app.app
        .advance_clock(chrono::Duration::days(14) + chrono::Duration::minutes(1));
    let expired = op.get("/dashboard").await;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert_eq!(expired.location(), "/login");
}

#[tokio::test]
async fn pages_speak_english_or_chinese_as_asked_and_remember_it() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    b.lang = "zh-CN,zh;q=0.9,en;q=0.5";
    let zh = b.get("/login").await;
    assert!(
        zh.text.contains("<html lang=\"zh-CN\">") && zh.text.contains("使用邮箱和密码"),
        "{}",
        zh.text
    );
    let en = b.get("/login?lang=en").await;
    assert!(
        en.text.contains("<html lang=\"en\">") && en.text.contains("With your email and password")
    );
    assert_eq!(b.cookie("lh_lang"), Some("en"));
    let remembered = b.get("/signup").await;
    assert!(
        remembered.text.contains("Sign up as a host"),
        "the cookie wins over Accept-Language"
    );

    // The stylesheet is built in and cached for good.
    let href_at = zh.text.find("/assets/app-").unwrap();
    let href = &zh.text[href_at..href_at + zh.text[href_at..].find('"').unwrap()];
    let css = b.get(href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(
        b.get("/assets/app-000000000000.css").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn host_search_takes_the_apis_filters_from_a_bookmarkable_query() {
    let app = spawn_app().await;
    let hosts = app.with_demo_hosts(30).await;
    let agent = app.agent("Brand").await;
    let mut b = Browser::new(&app);
    b.submit("/login", "/login", &[("api_key", &agent.key)])
        .await;

    // The same query string as the API's, and the same hosts in the same order.
    let query = "min_followers=50000&sort=followers&limit=5";
    let api = app
        .get(&format!("/api/v1/humans?{query}"), Some(&agent.key))
        .await;
    let names: Vec<&str> = api.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 5, "{}", api.body);
    let page = b.get(&format!("/dashboard/hosts?{query}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut at = 0;
    for name in &names {
        let escaped = name.replace('&', "&amp;").replace('\'', "&#39;");
        let found = page.text[at..]
            .find(&escaped)
            .unwrap_or_else(|| panic!("{name} in order: {}", page.text));
        at += found;
    }
    // The form keeps what was asked, and the next page keeps the filters.
    assert!(page.text.contains("name=\"min_followers\" value=\"50000\""));
    assert!(page.text.contains("<option value=\"followers\" selected>"));
    let next_at = page.text.find("rel=\"next\"").expect("a next page");
    let href_start = page.text[..next_at].rfind("href=\"").unwrap() + 6;
    let href = page.text[href_start..next_at]
        .trim_end_matches("\" ")
        .replace("&amp;", "&");
    assert!(
        href.contains("min_followers=50000") && href.contains("cursor="),
        "{href}"
    );
    let second = b.get(&href).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(
        !second.text.contains(names[0]),
        "the second page starts after the first"
    );

    // A bad filter is the API's 422, named on the page.
    let bad = b.get("/dashboard/hosts?min_rating=9").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("min_rating"), "{}", bad.text);
    assert!(hosts.len() >= 30);

    // Without a session the page sends people to log in.
    let mut stranger = Browser::new(&app);
    let away = stranger.get("/dashboard/hosts?niche=beauty").await;
    assert_eq!(away.status, StatusCode::SEE_OTHER);
    assert_eq!(away.location(), "/login");
}

#[tokio::test]
async fn the_overview_counts_follow_every_task_exactly() {
    let app = spawn_app().await;
    // One task assigned with its first session live, three more posted: one
    // cancelled, one applied to by the host.
    let (lt, _session) = crate::live::started_session(&app).await;
    let mut posted = Vec::new();
    for _ in 0..3 {
        let t = app
            .task(&lt.agent, &seed_json("task_workflow1_launch.json"))
            .await;
        posted.push(t["id"].as_str().unwrap().to_string());
    }
    let cancelled = app
        .post(
            &format!("/api/v1/tasks/{}/cancel", posted[0]),
            Some(&lt.agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let applied = app
        .post(
            &format!("/api/v1/tasks/{}/applications", posted[1]),
            Some(&lt.host.key),
            &json!({"pitch": "I sell this range every week"}),
        )
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);

    let mut b = Browser::new(&app);
    let ok = b
        .submit("/login", "/login", &[("api_key", lt.agent.key.as_str())])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    let home = b.get("/dashboard").await;
    assert_eq!(home.status, StatusCode::OK);

    // Every status's figure is what the API lists for it.
    let mut shown = 0;
    for (status, label) in [
        ("open", "Open"),
        ("assigned", "Assigned"),
        ("in_progress", "In progress"),
        ("submitted", "Submitted"),
        ("approved", "Approved"),
        ("cancelled", "Cancelled"),
    ] {
        let listed = app
            .get(
                &format!("/api/v1/tasks?status={status}&limit=100"),
                Some(&lt.agent.key),
            )
            .await;
        let n = listed.body["data"].as_array().unwrap().len();
        let cell = format!("<b>{n}</b>{label}");
        assert!(
            home.text.contains(&cell),
            "{status}: {n} listed; the page: {}",
            home.text
        );
        shown += n;
    }
    assert_eq!(shown, 4, "every task counted once");
    assert!(home.text.contains("<b>2</b>Open"), "{}", home.text);
    assert!(home.text.contains("<b>1</b>Cancelled"), "{}", home.text);
    assert!(home.text.contains("1 application waiting"), "{}", home.text);
    assert!(home.text.contains("1 session live now"), "{}", home.text);
    // The newest task first, linked, with its pay in the currency's symbol.
    let newest = home
        .text
        .find(&format!("href=\"/dashboard/tasks/{}\"", posted[2]));
    let oldest = home
        .text
        .find(&format!("href=\"/dashboard/tasks/{}\"", posted[0]));
    assert!(newest.is_some() && newest < oldest, "{}", home.text);
    assert!(home.text.contains("¥5,000.00"), "{}", home.text);

    // Assigning the applicant settles the application: none waits any more.
    let assign = app
        .post(
            &format!("/api/v1/tasks/{}/assign", posted[1]),
            Some(&lt.agent.key),
            &json!({"human_id": lt.host.id}),
        )
        .await;
    assert_eq!(assign.status, StatusCode::OK, "{}", assign.body);
    let home = b.get("/dashboard").await;
    assert!(!home.text.contains("application waiting"), "{}", home.text);
    assert!(home.text.contains("<b>1</b>Open"), "{}", home.text);
}

/// Two servers over one database share their web sessions: a session
/// opened on one is open on the other, and a logout on either ends it on
/// both, on the other within a second (each keeps a session it has read
/// for at most that long before reading it again).
#[tokio::test]
async fn a_logout_on_one_instance_ends_the_session_on_the_other() {
    let first = spawn_app().await;
    let second = first.restarted().await;
    let agent = first.agent("two-instance agent").await;
    let mut a = Browser::new(&first);
    let ok = a
        .submit("/login", "/login", &[("api_key", agent.key.as_str())])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(a.get("/dashboard").await.status, StatusCode::OK);

    let mut b = Browser::new(&second);
    b.cookies = a.cookies.clone();
    let there = b.get("/dashboard").await;
    assert_eq!(there.status, StatusCode::OK, "the other instance knows it");
    let out = b.post("/logout", &[("csrf", &there.csrf())]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    b.cookies = a.cookies.clone();
    assert_eq!(b.get("/dashboard").await.location(), "/login");

    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let after = a.get("/dashboard").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER, "{}", after.text);
    assert_eq!(after.location(), "/login");
}

/// A new key or a new password logs out the account's other dashboard
/// sessions (whoever used the old key or password may hold one) and keeps
/// the one that asked; a key rotated over the API logs out every session.
#[tokio::test]
async fn a_new_key_or_password_ends_the_accounts_other_sessions() {
    let app = spawn_app().await;
    let agent = app.agent("Brand").await;
    let log_in = |key: String| {
        let app = &app;
        async move {
            let mut b = Browser::new(app);
            let ok = b
                .submit("/login", "/login", &[("api_key", key.as_str())])
                .await;
            assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
            b
        }
    };
    let mut mine = log_in(agent.key.clone()).await;
    let mut other = log_in(agent.key.clone()).await;
    assert_eq!(other.get("/dashboard").await.status, StatusCode::OK);

    // A new key from the settings page: this session stays, the other ends.
    let rotated = mine
        .submit(
            "/dashboard/settings",
            "/dashboard/settings",
            &[("action", "new_key")],
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    let new_key = rotated
        .text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| w.starts_with("ph_sk_") && w.len() > 20)
        .expect("the new key on the page")
        .to_string();
    assert_eq!(mine.get("/dashboard").await.status, StatusCode::OK);
    assert_eq!(other.get("/dashboard").await.location(), "/login");

    // A new password: the same.
    let mut other = log_in(new_key.clone()).await;
    let set = mine
        .set_login("ops@brand.example", "a long secret phrase")
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(mine.get("/dashboard").await.status, StatusCode::OK);
    assert_eq!(other.get("/dashboard").await.location(), "/login");

    // A key rotated over the API ends them all.
    let api = app
        .post("/api/v1/me/keys/rotate", Some(&new_key), &json!({}))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert_eq!(mine.get("/dashboard").await.location(), "/login");
}
