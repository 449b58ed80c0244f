//! One case per input rule: the exact status, code and field named.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    key: KeyUse,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: StatusCode,
    code: &'static str,
    path_named: Option<&'static str>,
}

#[derive(Clone, Copy)]
enum KeyUse {
    Owner,
    Other,
    Missing,
    Unknown,
}

fn task_with(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut body = seed_json("task_getting_started.json");
    edit(&mut body);
    body.to_string().into_bytes()
}

#[tokio::test]
async fn every_bad_input_gets_its_status_and_names_its_field() {
    let app = spawn_app().await;
    let owner = app.agent("Owner").await;
    let other = app.agent("Other").await;
    let task = app
        .task(&owner, &seed_json("task_getting_started.json"))
        .await;
    let task_path = format!("/api/v1/tasks/{}", task["id"].as_str().unwrap());
    let post = |name, body: Vec<u8>, status, code, path_named| Case {
        name,
        method: Method::POST,
        path: "/api/v1/tasks".into(),
        key: KeyUse::Owner,
        content_type: Some("application/json"),
        body,
        status,
        code,
        path_named,
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let cases = vec![
        post(
            "past deadline",
            task_with(|b| b["deadline"] = json!("2020-03-10T20:00:00Z")),
            unprocessable,
            "validation_failed",
            Some("deadline"),
        ),
        post(
            "past session time",
            task_with(|b| {
                b["live_session_details"]["scheduled_time"] = json!("2020-03-15T19:00:00Z")
            }),
            unprocessable,
            "validation_failed",
            Some("live_session_details.scheduled_time"),
        ),
        post(
            "commission_rate 1.5",
            task_with(|b| b["commission_structure"]["commission_rate"] = json!(1.5)),
            unprocessable,
            "validation_failed",
            Some("commission_structure.commission_rate"),
        ),
        post(
            "negative compensation",
            task_with(|b| b["compensation"] = json!(-5)),
            unprocessable,
            "validation_failed",
            Some("compensation"),
        ),
        post(
            "compensation of the wrong type",
            task_with(|b| b["compensation"] = json!("lots")),
            unprocessable,
            "validation_failed",
            Some("compensation"),
        ),
        post(
            "unknown bonus key",
            task_with(|b| {
                b["commission_structure"]["performance_bonuses"]["lots_of_sales"] = json!(100)
            }),
            unprocessable,
            "validation_failed",
            Some("commission_structure.performance_bonuses.lots_of_sales"),
        ),
        post(
            "unparseable conditional bonus",
            task_with(|b| {
                b["commission_structure"]["growth_bonus"] = json!("a bonus if it goes well")
            }),
            unprocessable,
            "validation_failed",
            Some("commission_structure.growth_bonus"),
        ),
        post(
            "bad niche expression",
            task_with(|b| b["requirements"]["niche"] = json!("beauty OR OR fashion")),
            unprocessable,
            "validation_failed",
            Some("requirements.niche"),
        ),
        post(
            "bad currency",
            task_with(|b| b["currency"] = json!("XYZ")),
            unprocessable,
            "validation_failed",
            Some("currency"),
        ),
        post(
            "discount above retail",
            task_with(|b| {
                b["live_session_details"]["products"] =
                    json!([{"name": "Serum", "retail_price": 100, "live_discount_price": 120}])
            }),
            unprocessable,
            "validation_failed",
            Some("live_session_details.products[0].live_discount_price"),
        ),
        post(
            "truncated JSON",
            b"{\"title\": \"x\", \"compensation\": 15".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            None,
        ),
        Case {
            content_type: Some("text/plain"),
            ..post(
                "text/plain body",
                task_with(|_| {}),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                None,
            )
        },
        post(
            "2 MiB body",
            {
                let mut b = seed_json("task_getting_started.json");
                b["padding"] = json!("x".repeat(2 * 1024 * 1024));
                b.to_string().into_bytes()
            },
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            None,
        ),
        Case {
            key: KeyUse::Missing,
            ..post(
                "missing key",
                task_with(|_| {}),
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                None,
            )
        },
        Case {
            key: KeyUse::Unknown,
            ..post(
                "unknown key",
                task_with(|_| {}),
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                None,
            )
        },
        Case {
            method: Method::GET,
            path: task_path.clone(),
            key: KeyUse::Other,
            body: vec![],
            ..post(
                "another agent's task",
                vec![],
                StatusCode::NOT_FOUND,
                "not_found",
                None,
            )
        },
        Case {
            method: Method::POST,
            path: format!("{task_path}/cancel"),
            key: KeyUse::Other,
            body: vec![],
            ..post(
                "cancelling another agent's task",
                vec![],
                StatusCode::NOT_FOUND,
                "not_found",
                None,
            )
        },
        Case {
            method: Method::GET,
            path: "/api/v1/humans?sort=best".into(),
            body: vec![],
            ..post(
                "unknown sort",
                vec![],
                unprocessable,
                "validation_failed",
                Some("sort"),
            )
        },
        Case {
            method: Method::GET,
            path: "/api/v1/humans?limit=0".into(),
            body: vec![],
            ..post(
                "limit=0",
                vec![],
                unprocessable,
                "validation_failed",
                Some("limit"),
            )
        },
        Case {
            method: Method::GET,
            path: "/api/v1/humans?min_followers=-1".into(),
            body: vec![],
            ..post(
                "negative bound",
                vec![],
                unprocessable,
                "validation_failed",
                Some("min_followers"),
            )
        },
        Case {
            method: Method::GET,
            path: "/api/v1/humans?niche=beauty%20AND".into(),
            body: vec![],
            ..post(
                "malformed niche in search",
                vec![],
                unprocessable,
                "validation_failed",
                Some("niche"),
            )
        },
        Case {
            method: Method::GET,
            path: "/api/v1/tasks?status=done".into(),
            body: vec![],
            ..post(
                "unknown task status filter",
                vec![],
                unprocessable,
                "validation_failed",
                Some("status"),
            )
        },
        Case {
            method: Method::GET,
            path: "/api/v1/nothing-here".into(),
            body: vec![],
            ..post(
                "unknown route",
                vec![],
                StatusCode::NOT_FOUND,
                "not_found",
                None,
            )
        },
        Case {
            method: Method::DELETE,
            path: "/api/v1/tasks".into(),
            body: vec![],
            ..post(
                "wrong method",
                vec![],
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                None,
            )
        },
        Case {
            path: "/api/v1/agents/register".into(),
            key: KeyUse::Missing,
            body: br#"{"name": 42}"#.to_vec(),
            ..post(
                "wrong type in a typed body",
                vec![],
                unprocessable,
                "validation_failed",
                Some("name"),
            )
        },
        Case {
            path: format!("{task_path}/messages"),
            body: br#"{"text": "   "}"#.to_vec(),
            ..post(
                "empty message",
                vec![],
                unprocessable,
                "validation_failed",
                Some("text"),
            )
        },
    ];
    let mut failures = Vec::new();
    for case in cases {
        let key = match case.key {
            KeyUse::Owner => Some(owner.key.as_str()),
            KeyUse::Other => Some(other.key.as_str()),
            KeyUse::Missing => None,
            KeyUse::Unknown => Some("ph_sk_notarealkey0000000000000000000"),
        };
        let a = app
            .send(
                case.method.clone(),
                &case.path,
                key,
                case.content_type,
                case.body,
                &[],
            )
            .await;
        let named_ok = case
            .path_named
            .is_none_or(|p| a.paths().contains(&p.to_string()));
        if a.status != case.status
            || a.code() != case.code
            || !named_ok
            || a.body["error"]["message"].as_str().is_none()
        {
            failures.push(format!(
                "{}: expected {} {} naming {:?}, got {} {}",
                case.name, case.status, case.code, case.path_named, a.status, a.body
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[tokio::test]
async fn an_invalid_json_error_names_line_and_column() {
    let app = spawn_app().await;
    let owner = app.agent("Owner").await;
    let a = app
        .send(
            Method::POST,
            "/api/v1/tasks",
            Some(&owner.key),
            None,
            "{\n  \"title\": \"x\",\n  oops\n}",
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.body["error"]["details"][0]["message"], "line 3, column 3");
}

#[tokio::test]
async fn every_error_of_a_task_is_reported_at_once() {
    let app = spawn_app().await;
    let owner = app.agent("Owner").await;
    let body = task_with(|b| {
        b["deadline"] = json!("2020-01-01T00:00:00Z");
        b["currency"] = json!("cny");
        b["requirements"]["min_followers"] = json!(-3);
    });
    let a = app
        .send(
            Method::POST,
            "/api/v1/tasks",
            Some(&owner.key),
            Some("application/json"),
            body,
            &[],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut paths = a.paths();
    paths.sort();
    assert_eq!(
        paths,
        ["currency", "deadline", "requirements.min_followers"]
    );
}

/// Posts `body` and returns the status and the raw response text.
async fn post_raw(app: &TestApp, path: &str, key: &str, body: &Value) -> (StatusCode, String) {
    let resp = app
        .client
        .post(app.url(path))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    (resp.status(), resp.text().await.expect("body"))
}

async fn get_raw(app: &TestApp, path: &str, key: &str) -> String {
    let resp = app
        .client
        .get(app.url(path))
        .bearer_auth(key)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::OK);
    resp.text().await.expect("body")
}

#[tokio::test]
async fn money_given_as_a_string_is_stored_and_returned_as_a_number_with_the_currencys_decimals() {
    let app = spawn_app().await;
    let owner = app.agent("Owner").await;
    let mut cny = seed_json("task_getting_started.json");
    cny["compensation"] = json!("1500.00");
    cny["commission_structure"]["base_payment"] = json!("1500");
    cny["commission_structure"]["performance_bonuses"]["50k_gmv"] = json!(" 800 ");
    cny["commission_structure"]["series_completion_bonus"] = json!("100.5");
    cny["live_session_details"]["products"] = json!([
        {"name": "Serum", "retail_price": "199", "live_discount_price": 149.5}
    ]);
    cny["requirements"]["min_avg_gmv_per_session"] = json!("30000");
    let (status, text) = post_raw(&app, "/api/v1/tasks", &owner.key, &cny).await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    for money in [
        r#""compensation":1500.00"#,
        r#""base_payment":1500.00"#,
        r#""50k_gmv":800.00"#,
        r#""100k_gmv":2000.00"#,
        r#""series_completion_bonus":100.50"#,
        r#""retail_price":199.00"#,
        r#""live_discount_price":149.50"#,
        r#""min_avg_gmv_per_session":30000.00"#,
    ] {
        assert!(text.contains(money), "{money} in {text}");
    }
    // Fields that are not money stay as they were sent.
    assert!(text.contains(r#""commission_rate":0.08"#), "{text}");
    assert!(text.contains(r#""expected_viewers":1000"#), "{text}");
    let id = serde_json::from_str::<Value>(&text).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        get_raw(&app, &format!("/api/v1/tasks/{id}"), &owner.key).await,
        text
    );

    // A currency without minor units keeps none.
    let mut jpy = seed_json("task_getting_started.json");
    jpy["currency"] = json!("JPY");
    jpy["compensation"] = json!("1500");
    jpy["commission_structure"]["base_payment"] = json!(1500.00);
    let (status, text) = post_raw(&app, "/api/v1/tasks", &owner.key, &jpy).await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    assert!(text.contains(r#""compensation":1500,"#), "{text}");
    assert!(text.contains(r#""base_payment":1500,"#), "{text}");
    assert!(text.contains(r#""50k_gmv":800,"#), "{text}");
}

#[tokio::test]
async fn a_wrong_type_in_a_typed_body_is_answered_in_the_apis_words() {
    let app = spawn_app().await;
    let agent = app.agent("Owner").await;
    let host = app
        .host(&json!({"name": "Host", "platform": "tiktok"}))
        .await;
    let cases: Vec<(&str, Option<&str>, Value, &str, &str)> = vec![
        (
            "/api/v1/flash-sales/ph_fs_none/orders",
            Some(&agent.key),
            json!({"buyer_id": "b1", "quantity": "1"}),
            "quantity",
            "must be a whole number",
        ),
        (
            "/api/v1/flash-sales/ph_fs_none/orders",
            Some(&agent.key),
            json!({"buyer_id": "b1", "quantity": 1.5}),
            "quantity",
            "must be a whole number",
        ),
        (
            "/api/v1/flash-sales/ph_fs_none/orders",
            Some(&agent.key),
            json!({"buyer_id": 7, "quantity": 1}),
            "buyer_id",
            "must be a string",
        ),
        (
            "/api/v1/flash-sales/ph_fs_none/orders",
            Some(&agent.key),
            json!({"quantity": 1}),
            "buyer_id",
            "is required",
        ),
        (
            "/api/v1/flash-sales/ph_fs_none/orders",
            Some(&agent.key),
            json!([1]),
            "",
            "must be a JSON object",
        ),
        (
            "/api/v1/flash-sales/ph_fs_none/orders",
            Some(&agent.key),
            json!({"buyer_id": "b1", "quantity": 99_999_999_999_999_999_999_u128}),
            "quantity",
            "must be a whole number",
        ),
        (
            "/api/v1/agents/register",
            None,
            json!({"name": 42}),
            "name",
            "must be a string",
        ),
        (
            "/api/v1/wallet/deposits",
            Some(&agent.key),
            json!({"amount": 10, "currency": ["CNY"]}),
            "currency",
            "must be a string",
        ),
        (
            "/api/v1/sessions/ph_sess_none/flash-sales",
            Some(&agent.key),
            json!({"product_id": "p", "price": 1, "stock": "5"}),
            "stock",
            "must be a whole number",
        ),
        (
            "/api/v1/tasks/ph_task_none/applications",
            Some(&host.key),
            json!({"pitch": true}),
            "pitch",
            "must be a string",
        ),
        (
            "/api/v1/tasks/ph_task_none/rate",
            Some(&agent.key),
            json!({"overall_rating": "5"}),
            "overall_rating",
            "must be a whole number",
        ),
        (
            "/api/v1/integrations/tiktok-shop",
            Some(&agent.key),
            json!({"shop_id": "1", "app_key": "k", "app_secret": "s", "colour": "red"}),
            "colour",
            "is not a known field; expected one of shop_id, app_key, app_secret, access_token, api_base_url, shop_cipher",
        ),
    ];
    for (path, key, body, field, message) in cases {
        let a = app.post(path, key, &body).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {body}: {}",
            a.body
        );
        assert_eq!(a.code(), "validation_failed", "{path} {body}");
        assert_eq!(a.paths(), [field], "{path} {body}: {}", a.body);
        assert_eq!(
            a.body["error"]["details"][0]["message"], message,
            "{path} {body}"
        );
        let text = a.body.to_string();
        for rust in ["i64", "u32", "u64", "struct ", "String", "Option"] {
            assert!(!text.contains(rust), "{path} {body}: {text}");
        }
    }
}

#[tokio::test]
async fn figures_too_large_for_money_are_named_never_a_500() {
    let app = spawn_app().await;
    let owner = app.agent("Owner").await;
    let huge: Value = serde_json::from_str("79228162514264337593543950335").unwrap();
    for (edit, path) in [
        (
            Box::new(|b: &mut Value, h: &Value| {
                b["requirements"]["min_avg_gmv_per_session"] = h.clone()
            }) as Box<dyn Fn(&mut Value, &Value)>,
            "requirements.min_avg_gmv_per_session",
        ),
        (
            Box::new(|b: &mut Value, h: &Value| {
                b["live_session_details"]["products"] = json!([{"name": "x", "retail_price": h}])
            }),
            "live_session_details.products[0].retail_price",
        ),
        (
            Box::new(|b: &mut Value, h: &Value| b["compensation"] = h.clone()),
            "compensation",
        ),
    ] {
        let mut body = seed_json("task_getting_started.json");
        edit(&mut body, &huge);
        let a = app.post("/api/v1/tasks", Some(&owner.key), &body).await;
        assert_eq!(
            a.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path}: {}",
            a.body
        );
        assert!(a.paths().contains(&path.to_string()), "{path}: {}", a.body);
    }
    let profile = json!({"name": "Big", "platform": "tiktok",
        "live_commerce_metrics": {"avg_gmv_per_session": huge},
        "compensation_range": {"min": 1, "max": huge}});
    let a = app.post("/api/v1/humans/register", None, &profile).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    assert_eq!(
        a.paths(),
        [
            "live_commerce_metrics.avg_gmv_per_session",
            "compensation_range.max"
        ]
    );
}
