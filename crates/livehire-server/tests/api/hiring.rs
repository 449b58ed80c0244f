//! Whole hiring stories over HTTP, each ending with the ledger invariant
//! checked from the API's own answers.

use std::collections::HashMap;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::harness::*;

fn dec(v: &Value) -> Decimal {
    v.to_string()
        .parse()
        .unwrap_or_else(|_| panic!("not a decimal: {v}"))
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A seed host as a registration body (their demo profile carries skills and niches).
fn seed_host_profile(index: usize) -> Value {
    let mut p = livehire_sim::hosts::seed_hosts()[index].clone();
    p.as_object_mut().unwrap().remove("human_id");
    p
}

impl TestApp {
    pub async fn deposit(&self, agent: &Agent, amount: &str, currency: &str) -> Answer {
        let body: Value = serde_json::from_str(&format!(
            r#"{{"amount": {amount}, "currency": "{currency}"}}"#
        ))
        .unwrap();
        self.post("/api/v1/wallet/deposits", Some(&agent.key), &body)
            .await
    }

    pub async fn wallet(&self, agent: &Agent, currency: &str) -> (Decimal, Decimal, Decimal) {
        let w = self.get("/api/v1/wallet", Some(&agent.key)).await;
        assert_eq!(w.status, StatusCode::OK, "{}", w.body);
        let b = w.body["balances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["currency"] == currency)
            .cloned()
            .unwrap_or(json!({"available": 0, "in_escrow": 0, "paid_out": 0}));
        (
            dec(&b["available"]),
            dec(&b["in_escrow"]),
            dec(&b["paid_out"]),
        )
    }

    /// The ledger invariant of SPEC §4, from the API's answers: every entry
    /// balances; the agent's wallet and escrow and the host's earnings equal the
    /// sums of their postings; the money held equals the money deposited.
    pub async fn assert_ledger_invariant(
        &self,
        agent: &Agent,
        host: Option<&Host>,
        currency: &str,
    ) {
        let mut sums: HashMap<String, Decimal> = HashMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/ledger?limit=2&cursor={c}"),
                None => "/api/v1/ledger?limit=2".into(),
            };
            let page = self.get(&path, Some(&agent.key)).await;
            assert_eq!(page.status, StatusCode::OK);
            for e in page.body["data"].as_array().unwrap() {
                let postings = e["postings"].as_array().unwrap();
                let total: Decimal = postings.iter().map(|p| dec(&p["amount"])).sum();
                assert_eq!(total, Decimal::ZERO, "entry {} does not balance", e["id"]);
                if e["currency"] != currency {
                    continue;
                }
                for p in postings {
                    *sums
                        .entry(p["account"].as_str().unwrap().to_string())
                        .or_default() += dec(&p["amount"]);
                }
            }
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        let (available, in_escrow, paid_out) = self.wallet(agent, currency).await;
        let sum_of = |prefix: &str| -> Decimal {
            sums.iter()
                .filter(|(k, _)| k.starts_with(prefix))
                .map(|(_, v)| *v)
                .sum()
        };
        assert_eq!(
            available,
            sum_of(&format!("agent:{}:available", agent.id)),
            "wallet = its postings"
        );
        assert_eq!(in_escrow, sum_of("escrow:"), "escrow = its postings");
        assert_eq!(paid_out, sum_of("host:"), "paid out = what hosts received");
        let deposited = -sum_of("world:");
        assert_eq!(
            available + in_escrow + paid_out,
            deposited,
            "money is neither created nor lost"
        );
        if let Some(h) = host {
            let e = self.get("/api/v1/earnings", Some(&h.key)).await;
            let b = e.body["balances"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["currency"] == currency)
                .cloned();
            let earned = b.as_ref().map_or(Decimal::ZERO, |b| dec(&b["paid_out"]));
            assert_eq!(earned, sum_of(&format!("host:{}:earnings", h.id)));
        }
    }
}

#[tokio::test]
async fn invite_accept_message_submit_approve_rate_with_tip() {
    let app = spawn_app().await;
    let agent = app.agent("Glow Labs").await;
    let liu = app.verified_host(&seed_host_profile(1)).await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let t = |p: &str| format!("/api/v1/tasks/{id}/{p}");
    assert_eq!(
        app.deposit(&agent, "60000.00", "CNY").await.status,
        StatusCode::CREATED
    );

    let inv = app
        .post(
            &t("invitations"),
            Some(&agent.key),
            &json!({"human_id": liu.id}),
        )
        .await;
    assert_eq!(inv.status, StatusCode::CREATED, "{}", inv.body);
    assert!(inv.body["id"].as_str().unwrap().starts_with("ph_inv_"));
    assert_eq!(inv.body["status"], "pending");
    // The brief, written before the host was involved, is readable once invited.
    app.post(
        &t("messages"),
        Some(&agent.key),
        &json!({"text": "Brief: three teasers, see deliverables."}),
    )
    .await;

    let accepted = app.post(&t("accept"), Some(&liu.key), &json!({})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.body["status"], "assigned");
    assert_eq!(accepted.body["assigned_human_id"], liu.id.as_str());
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("55000"), d("5000"), d("0"))
    );

    let to_host = app
        .post(
            &t("messages"),
            Some(&agent.key),
            &json!({"text": "Samples ship Monday."}),
        )
        .await;
    assert_eq!(
        to_host.body["thread"],
        liu.id.as_str(),
        "after assignment the agent writes to the host's thread"
    );
    let reply = app
        .post(&t("messages"), Some(&liu.key), &json!({"text": "Got it!"}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let seen = app.get(&t("messages"), Some(&liu.key)).await;
    let texts: Vec<_> = seen.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "Brief: three teasers, see deliverables.",
            "Samples ship Monday.",
            "Got it!"
        ]
    );

    let submission = json!({
        "recording_url": "https://videos.example/launch.mp4",
        "highlight_reel_url": "https://videos.example/launch-highlights.mp4",
        "highlight_views": 48000,
        "gmv_report": {"total_gmv": 247000, "orders": 1247, "currency": "CNY"},
        "viewer_analytics": {"peak_viewers": 3800, "unique_viewers": 12500, "avg_watch_time_minutes": 26, "engagement_rate": 0.42},
        "top_products": [{"name": "Vitamin C Serum", "units": 610}]
    });
    let sub = app
        .post(&t("submission"), Some(&liu.key), &submission)
        .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);
    assert_eq!(sub.body["version"], 1);
    let got = app.get(&t("submission"), Some(&agent.key)).await;
    assert_eq!(got.body["gmv_report"], submission["gmv_report"]);
    assert_eq!(got.body["top_products"], submission["top_products"]);

    let approved = app.post(&t("approve"), Some(&agent.key), &json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["task"]["status"], "approved");
    let payout = &approved.body["payout"];
    // 5,000 base + 10% of 247,000 + the 200k tier (not cumulative); the viral
    // highlight bonus needs 100k views and the reel had 48k.
    assert_eq!(dec(&payout["total"]), d("37700"));
    assert_eq!(dec(&payout["gmv"]), d("247000"));
    assert_eq!(dec(&payout["roi"]), d("6.6"));
    let amount_of = |kind: &str| -> Vec<Decimal> {
        payout["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["kind"] == kind)
            .map(|l| dec(&l["amount"]))
            .collect()
    };
    assert_eq!(amount_of("base"), [d("5000")]);
    assert_eq!(amount_of("commission"), [d("24700")]);
    assert_eq!(
        amount_of("performance_bonus").iter().sum::<Decimal>(),
        d("8000")
    );
    let viral = payout["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["description"].as_str().unwrap().contains("viral"))
        .unwrap();
    assert_eq!(viral["met"], false);
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("22300"), d("0"), d("37700"))
    );

    let rated = app
        .post(&t("rate"), Some(&agent.key), &serde_json::from_str(r#"{"overall_rating": 5, "review_text": "Incredible launch event!", "tip_amount": 8000.00}"#).unwrap())
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert_eq!(rated.body["host"]["completion_count"], 1);
    assert_eq!(dec(&rated.body["host"]["rating"]), d("5"));
    let again = app
        .post(&t("rate"), Some(&agent.key), &json!({"overall_rating": 1}))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "one rating per task");
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("14300"), d("0"), d("45700"))
    );

    let earnings = app.get("/api/v1/earnings", Some(&liu.key)).await;
    let b = &earnings.body["balances"][0];
    assert_eq!(
        (dec(&b["total"]), dec(&b["paid_out"]), dec(&b["pending"])),
        (d("45700"), d("45700"), d("0"))
    );
    let kinds: Vec<_> = earnings.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["tip", "payout"]);
    let profile = app
        .get(&format!("/api/v1/humans/{}", liu.id), Some(&agent.key))
        .await;
    assert_eq!(profile.body["ratings"][0]["overall_rating"], 5);
    assert_eq!(
        profile.body["ratings"][0]["review_text"],
        "Incredible launch event!"
    );
    app.assert_ledger_invariant(&agent, Some(&liu), "CNY").await;
    // Search, answered from memory, shows the rated host as the store has it.
    crate::search::assert_same_pages(&app, "sort=rating&limit=2").await;
    crate::search::assert_same_pages(&app, "sort=followers&limit=2").await;
}

#[tokio::test]
async fn apply_assign_after_a_402_then_revision_and_approval() {
    let app = spawn_app().await;
    let agent = app.agent("Beauty brand").await;
    let chen = app.verified_host(&seed_host_profile(0)).await;
    let task = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let t = |p: &str| format!("/api/v1/tasks/{id}/{p}");

    let application = app
        .post(
            &t("applications"),
            Some(&chen.key),
            &json!({"pitch": "85K average GMV, beauty specialist.", "proposed_compensation": 2000}),
        )
        .await;
    assert_eq!(
        application.status,
        StatusCode::CREATED,
        "{}",
        application.body
    );
    assert_eq!(application.body["task_id"], id);
    assert_eq!(application.body["human_id"], chen.id.as_str());
    assert_eq!(application.body["status"], "pending");
    let twice = app
        .post(
            &t("applications"),
            Some(&chen.key),
            &json!({"pitch": "again"}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let listed = app.get(&t("applications"), Some(&agent.key)).await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        dec(&listed.body["data"][0]["proposed_compensation"]),
        d("2000")
    );

    // No money: 402 with the shortfall, and nothing changed.
    let broke = app
        .post(
            &t("assign"),
            Some(&agent.key),
            &json!({"human_id": chen.id}),
        )
        .await;
    assert_eq!(broke.status, StatusCode::PAYMENT_REQUIRED, "{}", broke.body);
    assert_eq!(broke.code(), "insufficient_funds");
    assert!(
        broke.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1500.00 CNY short"),
        "{}",
        broke.body
    );
    let still = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&agent.key))
        .await;
    assert_eq!(still.body["status"], "open");
    assert_eq!(still.body["assigned_human_id"], Value::Null);
    assert_eq!(app.wallet(&agent, "CNY").await, (d("0"), d("0"), d("0")));
    assert!(
        app.get("/api/v1/ledger", Some(&agent.key)).await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    app.deposit(&agent, "20000", "CNY").await;
    let assigned = app
        .post(
            &t("assign"),
            Some(&agent.key),
            &json!({"human_id": chen.id}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(assigned.body["status"], "assigned");
    let listed = app.get(&t("applications"), Some(&agent.key)).await;
    assert_eq!(listed.body["data"][0]["status"], "accepted");

    let report = |gmv: u64| {
        json!({"gmv_report": {"total_gmv": gmv, "orders": 800, "currency": "CNY"},
        "viewer_analytics": {"peak_viewers": 4200, "unique_viewers": 11000}})
    };
    assert_eq!(
        app.post(&t("submission"), Some(&chen.key), &report(120000))
            .await
            .status,
        StatusCode::CREATED
    );
    let revise = app
        .post(
            &t("request-revision"),
            Some(&agent.key),
            &json!({"reason": "GMV excludes the bundle orders"}),
        )
        .await;
    assert_eq!(revise.status, StatusCode::OK, "{}", revise.body);
    assert_eq!(revise.body["status"], "in_progress");
    let early = app.post(&t("approve"), Some(&agent.key), &json!({})).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.code(), "invalid_state");
    assert!(
        early.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("in_progress")
    );
    assert_eq!(
        app.post(&t("submission"), Some(&chen.key), &report(127000))
            .await
            .status,
        StatusCode::CREATED
    );
    let sub = app.get(&t("submission"), Some(&chen.key)).await;
    assert_eq!(sub.body["version"], 2);
    assert_eq!(
        sub.body["history"][0]["revision_request"]["reason"],
        "GMV excludes the bundle orders"
    );
    assert_eq!(sub.body["history"][1]["revision_request"], Value::Null);

    let approved = app.post(&t("approve"), Some(&agent.key), &json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    // SPEC §5: 1,500 + 10,160 + 2,000 (100k tier only) = 13,660 CNY.
    assert_eq!(dec(&approved.body["payout"]["total"]), d("13660"));
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("6340"), d("0"), d("13660"))
    );
    app.assert_ledger_invariant(&agent, Some(&chen), "CNY")
        .await;
}

#[tokio::test]
async fn a_four_week_series_earns_its_growth_and_completion_bonuses() {
    let app = spawn_app().await;
    let agent = app.agent("Flash Fridays").await;
    let zhang = app.host(&seed_host_profile(2)).await;
    let task = app
        .task(&agent, &seed_json("task_workflow2_series.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let t = |p: &str| format!("/api/v1/tasks/{id}/{p}");
    app.deposit(&agent, "50000", "CNY").await;
    app.post(
        &t("invitations"),
        Some(&agent.key),
        &json!({"human_id": zhang.id}),
    )
    .await;
    let assigned = app
        .post(
            &t("assign"),
            Some(&agent.key),
            &json!({"human_id": zhang.id}),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(
        app.wallet(&agent, "CNY").await,
        (d("44000"), d("6000"), d("0"))
    );

    let weeks = [
        (78000, 427, 2100),
        (102000, 589, 2850),
        (135000, 743, 3400),
        (168000, 921, 4200),
    ];
    let sessions: Vec<Value> = task["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .zip(weeks)
        .map(|(s, (gmv, orders, viewers))| {
            json!({"session_id": s["id"],
            "gmv_report": {"total_gmv": gmv, "orders": orders, "currency": "CNY"},
            "viewer_analytics": {"unique_viewers": viewers, "peak_viewers": viewers / 3}})
        })
        .collect();
    let sub = app
        .post(
            &t("submission"),
            Some(&zhang.key),
            &json!({"sessions": sessions}),
        )
        .await;
    assert_eq!(sub.status, StatusCode::CREATED, "{}", sub.body);

    let approved = app.post(&t("approve"), Some(&agent.key), &json!({})).await;
    let payout = &approved.body["payout"];
    // 6,000 + 8% of 483,000 = 44,640; + growth 500 (4,200 vs 2,100: +100% > 30%) + completion 1,000.
    assert_eq!(dec(&payout["gmv"]), d("483000"));
    assert_eq!(dec(&payout["total"]), d("46140"), "{payout}");
    assert_eq!(dec(&payout["roi"]), d("10.5"));
    let growth = payout["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["description"].as_str().unwrap().contains("growth"))
        .unwrap();
    assert_eq!(growth["met"], true);
    assert_eq!(dec(&growth["amount"]), d("500"));
    app.assert_ledger_invariant(&agent, Some(&zhang), "CNY")
        .await;
}

#[tokio::test]
async fn cancelling_an_assigned_task_returns_the_escrow() {
    let app = spawn_app().await;
    let agent = app.agent("Cautious").await;
    let liu = app.verified_host(&seed_host_profile(1)).await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    app.deposit(&agent, "5000.00", "CNY").await;
    app.post(
        &format!("/api/v1/tasks/{id}/invitations"),
        Some(&agent.key),
        &json!({"human_id": liu.id}),
    )
    .await;
    app.post(
        &format!("/api/v1/tasks/{id}/accept"),
        Some(&liu.key),
        &json!({}),
    )
    .await;
    assert_eq!(app.wallet(&agent, "CNY").await, (d("0"), d("5000"), d("0")));
    let pending = app.get("/api/v1/earnings", Some(&liu.key)).await;
    assert_eq!(dec(&pending.body["balances"][0]["pending"]), d("5000"));

    let cancelled = app
        .post(
            &format!("/api/v1/tasks/{id}/cancel"),
            Some(&agent.key),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(app.wallet(&agent, "CNY").await, (d("5000"), d("0"), d("0")));
    let kinds: Vec<_> = app.get("/api/v1/ledger", Some(&agent.key)).await.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["escrow_refund", "escrow_hold", "deposit"]);
    app.assert_ledger_invariant(&agent, Some(&liu), "CNY").await;
}

#[tokio::test]
async fn eligibility_names_each_unmet_requirement_with_both_values() {
    let app = spawn_app().await;
    let agent = app.agent("Picky").await;
    let mut small = seed_host_profile(1);
    small["follower_stats"]["followers"] = json!(18000);
    small["tiktok_shop_verified"] = json!(false);
    let host = app.host(&small).await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let a = app
        .post(
            &format!("/api/v1/tasks/{id}/invitations"),
            Some(&agent.key),
            &json!({"human_id": host.id}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let messages: Vec<String> = a.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}: {}",
                d["path"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        messages.contains(&"requirements.min_followers: min_followers 50000 > 18000".to_string()),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("requirements.tiktok_shop_verified:")),
        "{messages:?}"
    );
    let applied = app
        .post(
            &format!("/api/v1/tasks/{id}/applications"),
            Some(&host.key),
            &json!({"pitch": "hi"}),
        )
        .await;
    assert_eq!(applied.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn payout_preview_answers_what_if_figures() {
    let app = spawn_app().await;
    let agent = app.agent("Planner").await;
    let step3 = app
        .task(&agent, &seed_json("task_getting_started.json"))
        .await;
    let p = app
        .get(
            &format!(
                "/api/v1/tasks/{}/payout-preview?gmv=127000",
                step3["id"].as_str().unwrap()
            ),
            Some(&agent.key),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(dec(&p.body["total"]), d("13660"));
    assert_eq!(dec(&p.body["roi"]), d("9.3"));
    let series = app
        .task(&agent, &seed_json("task_workflow2_series.json"))
        .await;
    let q = "session_gmv=78000,102000,135000,168000&session_unique_viewers=2100,2850,3400,4200";
    let p = app
        .get(
            &format!(
                "/api/v1/tasks/{}/payout-preview?{q}",
                series["id"].as_str().unwrap()
            ),
            Some(&agent.key),
        )
        .await;
    assert_eq!(dec(&p.body["total"]), d("46140"), "{}", p.body);
    let p = app
        .get(
            &format!(
                "/api/v1/tasks/{}/payout-preview?{q}&sessions_completed=3",
                series["id"].as_str().unwrap()
            ),
            Some(&agent.key),
        )
        .await;
    assert!(
        dec(&p.body["total"]) < d("46140"),
        "an unfinished series earns less: {}",
        p.body
    );
    let bad = app
        .get(
            &format!(
                "/api/v1/tasks/{}/payout-preview?gmv=lots",
                step3["id"].as_str().unwrap()
            ),
            Some(&agent.key),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.paths(), ["gmv"]);
}

#[tokio::test]
async fn matching_lists_only_eligible_hosts_ranked_with_reasons() {
    let app = spawn_app().await;
    let hosts = app.with_demo_hosts(300).await;
    let agent = app.agent("Matcher").await;
    let task = app
        .task(&agent, &seed_json("task_workflow1_launch.json"))
        .await;
    let id = task["id"].as_str().unwrap();
    let a = app
        .get(
            &format!("/api/v1/humans?for_task={id}&sort=match&limit=100"),
            Some(&agent.key),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let data = a.body["data"].as_array().unwrap();
    assert!(!data.is_empty());
    let draft = livehire_domain::task::TaskDraft::parse(
        &seed_json("task_workflow1_launch.json"),
        chrono::Utc::now(),
    )
    .unwrap();
    let eligible = hosts
        .iter()
        .filter(|h| {
            livehire_domain::eligibility::is_eligible(
                &draft.requirements,
                &livehire_domain::host::search_fields(h),
            )
        })
        .count();
    assert_eq!(data.len(), eligible.min(100));
    let scores: Vec<f64> = data
        .iter()
        .map(|h| h["match"]["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "ranked by score: {scores:?}"
    );
    assert!(!data[0]["match"]["reasons"].as_array().unwrap().is_empty());
    for h in data {
        assert!(h["follower_stats"]["followers"].as_f64().unwrap() >= 50000.0);
    }
}
