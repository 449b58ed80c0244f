//! The dashboard's hiring pages over HTTP as a browser uses them: a task as
//! its agent and its hosts see it, its forms, posting a task, a host's
//! profile with the invite form, and the wallet. Every outcome is checked
//! through the API as well as on the page.

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::dashboard::Browser;
use crate::harness::*;

fn dec(v: &Value) -> Decimal {
    v.to_string().trim_matches('"').parse().unwrap()
}

/// A seed host as a registration body.
fn seed_host(index: usize) -> Value {
    let mut p = livehire_sim::hosts::seed_hosts()[index].clone();
    p.as_object_mut().unwrap().remove("human_id");
    p
}

/// A browser logged in with `key` (an agent's or a host's).
async fn logged_in<'a>(app: &'a TestApp, key: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    let ok = b.submit("/login", "/login", &[("api_key", key)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    b
}

/// The getting-started task (base ¥1,500, 8 %, tiers at 50k/100k/200k),
/// its agent funded, and the seed's first host (verified, eligible).
async fn getting_started(app: &TestApp) -> (Agent, Host, String) {
    let agent = app.agent("Beauty brand").await;
    let chen = app.verified_host(&seed_host(0)).await;
    let task = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let id = task["id"].as_str().unwrap().to_string();
    (agent, chen, id)
}

async fn deposit(app: &TestApp, agent: &Agent, amount: &str) {
    let d = app
        .post(
            "/api/v1/wallet/deposits",
            Some(&agent.key),
            &serde_json::from_str(&format!(r#"{{"amount": {amount}, "currency": "CNY"}}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.body);
}

async fn api_task(app: &TestApp, agent: &Agent, id: &str) -> Value {
    app.get(&format!("/api/v1/tasks/{id}"), Some(&agent.key))
        .await
        .body
}

#[tokio::test]
async fn dashboard_tasks_agent_page_states_terms_scores_offers_and_assigns_in_one_click() {
    let app = spawn_app().await;
    let (agent, chen, id) = getting_started(&app).await;
    deposit(&app, &agent, "10000.00").await;
    let applied = app
        .post(
            &format!("/api/v1/tasks/{id}/applications"),
            Some(&chen.key),
            &json!({"pitch": "85K average GMV, beauty specialist.", "proposed_compensation": 2000}),
        )
        .await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    let matched = app
        .get(
            &format!("/api/v1/humans?for_task={id}&limit=100"),
            Some(&agent.key),
        )
        .await;
    let score = matched.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["human_id"] == chen.id.as_str())
        .expect("the applicant is eligible")["match"]["score"]
        .as_f64()
        .unwrap();

    let mut b = logged_in(&app, &agent.key).await;
    let page = b.get(&format!("/dashboard/tasks/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.text;
    assert!(
        html.contains("8% of GMV, plus ¥800.00 when GMV reaches ¥50,000.00, or ¥2,000.00 when GMV reaches ¥100,000.00, or ¥5,000.00 when GMV reaches ¥200,000.00"),
        "the commission in words: {html}"
    );
    assert!(html.contains("Base payment ¥1,500.00"));
    assert!(html.contains("Only the highest tier reached is paid."));
    assert!(
        html.contains(&format!("<span class=\"score\">{score:.1}</span>")),
        "match score {score:.1}"
    );
    assert!(html.contains("85K average GMV, beauty specialist."));
    assert!(html.contains("¥2,000.00"), "the proposed pay");
    let session = api_task(&app, &agent, &id).await["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(html.contains(&format!("href=\"/dashboard/sessions/{session}\"")));
    assert!(html.contains("2036-03-15 19:00 UTC"), "the session's time");
    assert!(html.contains(&format!("href=\"/dashboard/tasks/{id}/report\"")));
    assert!(html.contains(&format!("data-copy=\"{id}\"")));

    // The one-click assign needs its token.
    let assign = format!("/dashboard/tasks/{id}/assign");
    let forged = b.post(&assign, &[("human_id", &chen.id)]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(api_task(&app, &agent, &id).await["status"], "open");

    let done = b
        .submit(
            &format!("/dashboard/tasks/{id}"),
            &assign,
            &[("human_id", &chen.id)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    assert_eq!(done.location(), format!("/dashboard/tasks/{id}#offers"));
    let task = api_task(&app, &agent, &id).await;
    assert_eq!(task["status"], "assigned");
    assert_eq!(task["assigned_human_id"], chen.id.as_str());
    let wallet = app.get("/api/v1/wallet", Some(&agent.key)).await;
    assert_eq!(
        dec(&wallet.body["balances"][0]["in_escrow"]),
        Decimal::from(1500)
    );
    let after = b.get(&format!("/dashboard/tasks/{id}")).await;
    assert!(after.text.contains("Assigned"));
}

#[tokio::test]
async fn dashboard_tasks_other_agents_and_unrelated_hosts_get_404() {
    let app = spawn_app().await;
    let (agent, chen, id) = getting_started(&app).await;
    let other = app.agent("Someone else").await;
    let mut stranger = logged_in(&app, &other.key).await;
    let seen = stranger.get(&format!("/dashboard/tasks/{id}")).await;
    assert_eq!(seen.status, StatusCode::NOT_FOUND);
    assert!(!seen.text.contains("Beauty products flash sale"));
    let forged = stranger
        .submit("/dashboard", &format!("/dashboard/tasks/{id}/cancel"), &[])
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);
    assert_eq!(api_task(&app, &agent, &id).await["status"], "open");

    // Once assigned, a host not on the task no longer sees it.
    deposit(&app, &agent, "5000").await;
    app.post(
        &format!("/api/v1/tasks/{id}/invitations"),
        Some(&agent.key),
        &json!({"human_id": chen.id}),
    )
    .await;
    let ok = app
        .post(
            &format!("/api/v1/tasks/{id}/accept"),
            Some(&chen.key),
            &json!({}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let liu = app.verified_host(&seed_host(1)).await;
    let mut unrelated = logged_in(&app, &liu.key).await;
    let seen = unrelated.get(&format!("/dashboard/tasks/{id}")).await;
    assert_eq!(seen.status, StatusCode::NOT_FOUND);
    let mut assigned = logged_in(&app, &chen.key).await;
    let seen = assigned.get(&format!("/dashboard/tasks/{id}")).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert!(seen.text.contains("Submit your results"));
}

#[tokio::test]
async fn dashboard_tasks_a_host_applies_from_the_page_and_the_agent_sees_the_application() {
    let app = spawn_app().await;
    let (agent, chen, id) = getting_started(&app).await;
    let mut host = logged_in(&app, &chen.key).await;
    let home = host.get("/dashboard").await;
    assert!(
        home.text
            .contains(&format!("href=\"/dashboard/tasks/{id}\"")),
        "the open task links to its page"
    );
    let page = format!("/dashboard/tasks/{id}");
    let apply = format!("/dashboard/tasks/{id}/apply");

    // A proposed pay that is not an amount: the error, the pitch kept.
    let bad = host
        .submit(
            &page,
            &apply,
            &[
                ("pitch", "I sell serums <live>"),
                ("proposed_compensation", "12x"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text
            .contains("proposed_compensation: must be an amount"),
        "{}",
        bad.text
    );
    assert!(
        bad.text.contains("I sell serums &lt;live&gt;</textarea>"),
        "refilled"
    );
    assert!(bad.text.contains("value=\"12x\""), "refilled");

    let ok = host
        .submit(
            &page,
            &apply,
            &[
                ("pitch", "I sell serums"),
                ("proposed_compensation", "1,800"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    let listed = app
        .get(
            &format!("/api/v1/tasks/{id}/applications"),
            Some(&agent.key),
        )
        .await;
    let application = &listed.body["data"][0];
    assert_eq!(application["human_id"], chen.id.as_str());
    assert_eq!(application["pitch"], "I sell serums");
    assert_eq!(
        dec(&application["proposed_compensation"]),
        Decimal::from(1800)
    );
    let mine = host.get(&page).await;
    assert!(mine.text.contains("You proposed ¥1,800.00."));

    let mut b = logged_in(&app, &agent.key).await;
    let seen = b.get(&page).await;
    assert!(seen.text.contains("I sell serums"));
    assert!(seen.text.contains("Assign at the proposed pay"));

    // The host writes in its thread; the agent reads it there and answers.
    let sent = host
        .submit(
            &page,
            &format!("/dashboard/tasks/{id}/message"),
            &[("text", "Samples by Friday?")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let answer = b
        .submit(
            &page,
            &format!("/dashboard/tasks/{id}/message"),
            &[("human_id", &chen.id), ("text", "Yes, shipped Thursday.")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
    let thread = app
        .get(&format!("/api/v1/tasks/{id}/messages"), Some(&chen.key))
        .await;
    let texts: Vec<&str> = thread.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["Samples by Friday?", "Yes, shipped Thursday."]);
    assert!(
        host.get(&page)
            .await
            .text
            .contains("Yes, shipped Thursday.")
    );

    // A second host, invited, writes in its own thread: the agent's page
    // shows both threads, each host's page its own and never the other's.
    let liu = app.verified_host(&seed_host(1)).await;
    let inv = app
        .post(
            &format!("/api/v1/tasks/{id}/invitations"),
            Some(&agent.key),
            &json!({"human_id": liu.id}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.body);
    let wrote = app
        .post(
            &format!("/api/v1/tasks/{id}/messages"),
            Some(&liu.key),
            &json!({"text": "Liu's rate is private"}),
        )
        .await;
    assert_eq!(wrote.status, StatusCode::CREATED, "{}", wrote.body);
    let agents = b.get(&page).await.text;
    assert!(agents.contains("Liu's rate is private") && agents.contains("Samples by Friday?"));
    let chens = host.get(&page).await.text;
    assert!(chens.contains("Samples by Friday?"), "{chens}");
    assert!(!chens.contains("Liu's rate is private"), "{chens}");
    let mut liu_browser = logged_in(&app, &liu.key).await;
    let lius = liu_browser.get(&page).await.text;
    assert!(lius.contains("Liu's rate is private"), "{lius}");
    assert!(!lius.contains("Samples by Friday?"), "{lius}");
}

#[tokio::test]
async fn dashboard_tasks_submit_approve_and_rate_from_the_pages_pay_the_exact_amounts() {
    let app = spawn_app().await;
    let (agent, chen, id) = getting_started(&app).await;
    let page = format!("/dashboard/tasks/{id}");
    let mut b = logged_in(&app, &agent.key).await;
    b.lang = "zh-CN";
    app.post(
        &format!("/api/v1/tasks/{id}/invitations"),
        Some(&agent.key),
        &json!({"human_id": chen.id}),
    )
    .await;

    // Without funds the assign fails, said in the page's language.
    let short = b
        .submit(&page, &format!("{page}/assign"), &[("human_id", &chen.id)])
        .await;
    assert_eq!(short.status, StatusCode::PAYMENT_REQUIRED);
    assert!(
        short.text.contains("你的钱包还差 ¥1,500.00"),
        "{}",
        short.text
    );
    deposit(&app, &agent, "20000").await;
    b.lang = "en";
    let assigned = b
        .submit(&page, &format!("{page}/assign"), &[("human_id", &chen.id)])
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.text);

    // The host reports its figures through the form.
    let mut host = logged_in(&app, &chen.key).await;
    let sent = host
        .submit(
            &page,
            &format!("{page}/submit"),
            &[
                ("total_gmv", "127,000"),
                ("orders", "640"),
                ("peak_viewers", "2100"),
                ("unique_viewers", "9000"),
                ("recording_url", "https://videos.example/rec.mp4"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let submission = app
        .get(&format!("/api/v1/tasks/{id}/submission"), Some(&agent.key))
        .await;
    assert_eq!(
        dec(&submission.body["gmv_report"]["total_gmv"]),
        Decimal::from(127_000)
    );
    assert_eq!(submission.body["viewer_analytics"]["peak_viewers"], 2100);
    let hosts_view = host.get(&page).await;
    assert!(
        hosts_view.text.contains("¥13,660.00"),
        "what the host will be paid"
    );

    // The agent sees the breakdown (SPEC §5: 1,500 + 10,160 + the 100k tier).
    let review = b.get(&page).await;
    for line in [
        "¥1,500.00",
        "¥10,160.00",
        "¥2,000.00",
        "¥13,660.00",
        "ROI 9.3×",
    ] {
        assert!(review.text.contains(line), "{line} in {}", review.text);
    }
    assert!(review.text.contains("https://videos.example/rec.mp4"));
    let approved = b.submit(&page, &format!("{page}/approve"), &[]).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.text);
    let earnings = app.get("/api/v1/earnings", Some(&chen.key)).await;
    assert_eq!(
        dec(&earnings.body["balances"][0]["paid_out"]),
        Decimal::from(13_660)
    );
    let paid = b.get(&page).await;
    assert!(paid.text.contains("Paid at approval"), "{}", paid.text);
    assert!(paid.text.contains("¥13,660.00"));
    // The series report shows what the approval paid, not a preview from
    // the monitored figures (none here: the preview would be the base alone).
    let report = b.get(&format!("{page}/report")).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text);
    assert!(report.text.contains("¥13,660.00"), "{}", report.text);

    // A bad tip: the error and the review kept; then a good one.
    let bad = b
        .submit(
            &page,
            &format!("{page}/rate"),
            &[
                ("overall_rating", "4"),
                ("review_text", "Great energy"),
                ("tip_amount", "-5"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(bad.text.contains("tip_amount"), "{}", bad.text);
    assert!(bad.text.contains("Great energy</textarea>"));
    assert!(bad.text.contains("<option value=\"4\" selected>"));
    let rated = b
        .submit(
            &page,
            &format!("{page}/rate"),
            &[
                ("overall_rating", "4"),
                ("review_text", "Great energy"),
                ("tip_amount", "500"),
            ],
        )
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.text);
    let earnings = app.get("/api/v1/earnings", Some(&chen.key)).await;
    assert_eq!(
        dec(&earnings.body["balances"][0]["total"]),
        Decimal::from(14_160)
    );
    let wallet = app.get("/api/v1/wallet", Some(&agent.key)).await;
    assert_eq!(
        dec(&wallet.body["balances"][0]["available"]),
        Decimal::from(20_000 - 14_160)
    );
    assert!(
        b.get(&page)
            .await
            .text
            .contains("You rated this host 4 stars.")
    );

    // The wallet pages show both sides.
    let w = b.get("/dashboard/wallet").await;
    assert!(
        w.text.contains("¥5,840.00") && w.text.contains("¥14,160.00"),
        "{}",
        w.text
    );
    let e = host.get("/dashboard/wallet").await;
    assert!(e.text.contains("¥14,160.00"), "{}", e.text);
}

#[tokio::test]
async fn dashboard_tasks_posting_a_task_shows_errors_refilled_then_creates_it() {
    let app = spawn_app().await;
    let agent = app.agent("Brand").await;
    let mut b = logged_in(&app, &agent.key).await;
    let form = b.get("/dashboard/tasks/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let fields = [
        ("title", "Serum launch"),
        ("description", "Two hours of skincare"),
        ("products", "Vitamin C Serum | 199 | 139 | 500"),
        ("time_zone", "Asia/Shanghai"),
        ("scheduled_time", "2036-05-01T20:00"),
        ("duration_hours", "2"),
        ("deadline", "2036-05-10T20:00"),
        ("currency", "CNY"),
        ("compensation", "1500"),
        ("commission_percent", "150"),
        ("gmv_bonuses", "50000 = 800"),
    ];
    let bad = b
        .submit("/dashboard/tasks/new", "/dashboard/tasks/new", &fields)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text.contains("commission_structure.commission_rate"),
        "{}",
        bad.text
    );
    assert!(bad.text.contains("value=\"Serum launch\""), "refilled");
    assert!(bad.text.contains("value=\"150\""), "refilled");

    let mut good = fields.to_vec();
    good.retain(|(k, _)| *k != "commission_percent");
    good.push(("commission_percent", "8"));
    let posted = b
        .submit("/dashboard/tasks/new", "/dashboard/tasks/new", &good)
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.text);
    let id = posted
        .location()
        .strip_prefix("/dashboard/tasks/")
        .unwrap()
        .to_string();
    let task = api_task(&app, &agent, &id).await;
    assert_eq!(task["title"], "Serum launch");
    assert_eq!(
        dec(&task["commission_structure"]["commission_rate"]),
        "0.08".parse().unwrap()
    );
    assert_eq!(
        task["live_session_details"]["scheduled_time"],
        "2036-05-01T12:00:00Z"
    );
    assert!(
        task["sessions"][0]["scheduled_time"]
            .as_str()
            .unwrap()
            .starts_with("2036-05-01T12:00:00")
    );
    let page = b.get(&format!("/dashboard/tasks/{id}")).await;
    assert!(
        page.text.contains("2036-05-01 20:00 Asia/Shanghai"),
        "in the task's zone"
    );
    assert!(
        page.text
            .contains("8% of GMV, plus ¥800.00 when GMV reaches ¥50,000.00")
    );
    assert!(page.text.contains("Vitamin C Serum") && page.text.contains("¥139.00"));
}

#[tokio::test]
async fn dashboard_tasks_host_profile_invites_and_the_host_accepts_from_its_page() {
    let app = spawn_app().await;
    let (agent, chen, id) = getting_started(&app).await;
    deposit(&app, &agent, "5000").await;
    let mut b = logged_in(&app, &agent.key).await;
    let search = b.get("/dashboard/hosts").await;
    assert!(
        search
            .text
            .contains(&format!("href=\"/dashboard/hosts/{}\"", chen.id))
    );
    let profile_path = format!("/dashboard/hosts/{}", chen.id);
    let profile = b.get(&profile_path).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(
        profile
            .text
            .contains("TikTok Shop verified by the operator")
    );
    assert!(profile.text.contains(&format!("<option value=\"{id}\"")));
    let invite = format!("{profile_path}/invite");
    assert_eq!(
        b.post(&invite, &[("task_id", &id)]).await.status,
        StatusCode::FORBIDDEN
    );
    let sent = b.submit(&profile_path, &invite, &[("task_id", &id)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);
    let invitations = app
        .get(&format!("/api/v1/tasks/{id}/invitations"), Some(&agent.key))
        .await;
    assert_eq!(invitations.body["data"][0]["human_id"], chen.id.as_str());
    // Twice: the service's conflict, on the profile page.
    let again = b.submit(&profile_path, &invite, &[("task_id", &id)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert!(again.text.contains("Not done:"), "{}", again.text);

    let mut host = logged_in(&app, &chen.key).await;
    let page = host.get(&format!("/dashboard/tasks/{id}")).await;
    assert!(page.text.contains("Accept the invitation"));
    let accepted = host
        .submit(
            &format!("/dashboard/tasks/{id}"),
            &format!("/dashboard/tasks/{id}/accept"),
            &[],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text);
    assert_eq!(api_task(&app, &agent, &id).await["status"], "assigned");
}

#[tokio::test]
async fn dashboard_tasks_the_wallet_pages_its_ledger() {
    let app = spawn_app().await;
    let agent = app.agent("Brand").await;
    for i in 1..=26 {
        deposit(&app, &agent, &format!("{i}.00")).await;
    }
    let mut b = logged_in(&app, &agent.key).await;
    let first = b.get("/dashboard/wallet").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.text.contains("¥351.00"), "1 + … + 26 available");
    assert!(first.text.contains("¥26.00") && !first.text.contains(">¥1.00<"));
    let at = first.text.find("rel=\"next\"").expect("an older page");
    let href_at = first.text[..at].rfind("href=\"").unwrap() + 6;
    let next = &first.text[href_at..];
    let next = next[..next.find('"').unwrap()].replace("&amp;", "&");
    let older = b.get(&next).await;
    assert_eq!(older.status, StatusCode::OK);
    assert!(older.text.contains(">¥1.00<"), "{}", older.text);
    assert!(!older.text.contains("rel=\"next\""));
}

#[tokio::test]
async fn dashboard_tasks_results_show_verified_and_reported_figures_side_by_side() {
    let app = spawn_app().await;
    let (lt, s) = crate::live::started_session(&app).await;
    let id = lt.task["id"].as_str().unwrap().to_string();
    // The flash-sale checkout sells 2 units at ¥105: ¥210 of verified GMV.
    let sale = app
        .post(
            &format!("/api/v1/sessions/{s}/flash-sales"),
            Some(&lt.agent.key),
            &json!({"product_id": "prod_001", "price": 105, "stock": 10, "duration_minutes": 30}),
        )
        .await;
    assert_eq!(sale.status, StatusCode::CREATED, "{}", sale.body);
    let order = app
        .post(
            &format!(
                "/api/v1/flash-sales/{}/orders",
                sale.body["id"].as_str().unwrap()
            ),
            Some(&lt.agent.key),
            &json!({"buyer_id": "u1", "quantity": 2}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let ended = app
        .post(
            &format!("/api/v1/sessions/{s}/end"),
            Some(&lt.host.key),
            &json!({}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);

    // The host claims far more through the form.
    let page = format!("/dashboard/tasks/{id}");
    let mut host = logged_in(&app, &lt.host.key).await;
    let sent = host
        .submit(
            &page,
            &format!("{page}/submit"),
            &[("total_gmv", "50000"), ("orders", "30")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);

    let mut b = logged_in(&app, &lt.agent.key).await;
    let seen = b.get(&page).await;
    let html = &seen.text;
    assert!(html.contains("Verified here (paid on)"), "{html}");
    let gmv_row = &html[html
        .find("<tr class=\"differs\"><th scope=\"row\">GMV</th>")
        .expect("the GMV row marked as differing")..];
    let gmv_row = &gmv_row[..gmv_row.find("</tr>").unwrap()];
    assert!(
        gmv_row.contains("¥50,000.00") && gmv_row.contains("¥210.00"),
        "{gmv_row}"
    );
    // 5,000 base + 10% of the verified ¥210.00.
    assert!(
        html.contains("¥21.00") && html.contains("¥5,021.00"),
        "{html}"
    );
}

#[tokio::test]
async fn dashboard_tasks_a_series_is_reported_session_by_session_and_pays_its_bonuses() {
    let app = spawn_app().await;
    let agent = app.agent("Flash Fridays").await;
    let zhang = app.host(&seed_host(2)).await;
    let task = app
        .task(&agent, &seed_json("task_workflow2_series.json"))
        .await;
    let id = task["id"].as_str().unwrap().to_string();
    deposit(&app, &agent, "50000").await;
    app.post(
        &format!("/api/v1/tasks/{id}/invitations"),
        Some(&agent.key),
        &json!({"human_id": zhang.id}),
    )
    .await;
    let page = format!("/dashboard/tasks/{id}");
    let mut b = logged_in(&app, &agent.key).await;
    let terms = b.get(&page).await;
    assert!(
        terms.text.contains(
            "¥500.00 if unique viewers in session 4 are more than 30% above session 1 (growth_bonus)"
        ),
        "{}",
        terms.text
    );
    assert!(
        terms
            .text
            .contains("Base payment ¥6,000.00 for 4 sessions (¥1,500.00 each)")
    );
    let assigned = b
        .submit(&page, &format!("{page}/assign"), &[("human_id", &zhang.id)])
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.text);

    let mut host = logged_in(&app, &zhang.key).await;
    let weeks = [
        ("78000", "427", "2100"),
        ("102000", "589", "2850"),
        ("135000", "743", "3400"),
        ("168000", "921", "4200"),
    ];
    let mut fields: Vec<(String, String)> = Vec::new();
    for (i, (gmv, orders, viewers)) in weeks.iter().enumerate() {
        fields.push((
            format!("session_{i}_id"),
            task["sessions"][i]["id"].as_str().unwrap().into(),
        ));
        fields.push((format!("session_{i}_gmv"), gmv.to_string()));
        fields.push((format!("session_{i}_orders"), orders.to_string()));
        fields.push((format!("session_{i}_unique_viewers"), viewers.to_string()));
    }
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let sent = host.submit(&page, &format!("{page}/submit"), &form).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text);

    // 6,000 + 8% of 483,000 + growth 500 + completion 1,000 (SPEC §5).
    let review = b.get(&page).await;
    assert!(review.text.contains("¥46,140.00"), "{}", review.text);
    let approved = b.submit(&page, &format!("{page}/approve"), &[]).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.text);
    let earnings = app.get("/api/v1/earnings", Some(&zhang.key)).await;
    assert_eq!(
        dec(&earnings.body["balances"][0]["paid_out"]),
        Decimal::from(46_140)
    );
}

/// A long thread shows its newest messages, says older ones exist and where
/// they are, and the oldest stay readable through the API.
#[tokio::test]
async fn dashboard_tasks_a_long_thread_shows_its_newest_messages() {
    let app = spawn_app().await;
    let (agent, _chen, id) = getting_started(&app).await;
    let limit = livehire_server::app::PAGE_MESSAGES as usize;
    for n in 1..=limit + 2 {
        let sent = app
            .post(
                &format!("/api/v1/tasks/{id}/messages"),
                Some(&agent.key),
                &json!({"text": format!("brief note #{n}.")}),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    }
    let mut b = logged_in(&app, &agent.key).await;
    let page = b.get(&format!("/dashboard/tasks/{id}")).await.text;
    let shown = (1..=limit + 2)
        .filter(|n| page.contains(&format!("brief note #{n}.")))
        .collect::<Vec<_>>();
    assert_eq!(shown, (3..=limit + 2).collect::<Vec<_>>());
    assert!(
        page.contains(&format!("The newest {limit} messages are shown")),
        "{page}"
    );
    let oldest = app
        .get(
            &format!("/api/v1/tasks/{id}/messages?limit=1"),
            Some(&agent.key),
        )
        .await;
    assert_eq!(oldest.body["data"][0]["text"], "brief note #1.");
}
