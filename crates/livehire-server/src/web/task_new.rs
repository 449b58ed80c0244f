//! `GET/POST /dashboard/tasks/new`: an agent posts a task. The form's
//! fields become the JSON body `POST /api/v1/tasks` takes, and
//! `App::create_task` judges it; its errors come back on the form, refilled.

use axum::extract::{Form, State};
use axum::response::{Html, Response};
use chrono::{NaiveDateTime, TimeZone};
use livehire_store::CallerKind;
use maud::html;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::Page;
use super::pages::{ZONES, errors_box, layout};
use super::task_pages::{Refill, csrf_field, field, problem};
use crate::app::{App, NewTask};

/// Currencies offered (the API takes any ISO 4217 code).
const CURRENCIES: [&str; 6] = ["CNY", "USD", "HKD", "SGD", "IDR", "GBP"];

/// A `datetime-local` value in `zone` as RFC 3339 UTC; the text as sent when
/// it is not one (the service then names the field).
fn instant(local: &str, zone: &str) -> Value {
    let local = local.trim();
    let parsed = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S"));
    let tz = zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    match parsed
        .ok()
        .and_then(|t| tz.from_local_datetime(&t).earliest())
    {
        Some(t) => json!(
            t.with_timezone(&chrono::Utc)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        None => json!(local),
    }
}

/// An amount or count as a JSON number when it is one, else the text.
fn number(text: &str) -> Value {
    let text = text.trim().replace([',', '_', ' '], "");
    match text.parse::<Decimal>() {
        Ok(d) => serde_json::from_str(&d.to_string()).unwrap_or(json!(text)),
        Err(_) => json!(text),
    }
}

/// The task body of the form, as the API takes it.
fn task_body(form: &[(String, String)]) -> Map<String, Value> {
    let f = |name: &str| field(form, name).trim().to_string();
    let zone = f("time_zone");
    let mut body = Map::new();
    body.insert("title".into(), json!(f("title")));
    body.insert("description".into(), json!(f("description")));
    body.insert("category".into(), json!("tiktok_live_commerce"));
    body.insert("platform".into(), json!("tiktok"));
    body.insert("compensation".into(), number(&f("compensation")));
    body.insert("currency".into(), json!(f("currency")));
    body.insert("deadline".into(), instant(&f("deadline"), &zone));

    let mut requirements = Map::new();
    for key in ["min_followers", "min_avg_live_viewers"] {
        if !f(key).is_empty() {
            requirements.insert(key.into(), number(&f(key)));
        }
    }
    if !f("niche").is_empty() {
        requirements.insert("niche".into(), json!(f("niche")));
    }
    let skills: Vec<Value> = f("skills")
        .split([',', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| json!(s))
        .collect();
    if !skills.is_empty() {
        requirements.insert("skills".into(), Value::Array(skills));
    }
    if !requirements.is_empty() {
        body.insert("requirements".into(), Value::Object(requirements));
    }

    let mut live = Map::new();
    if !f("scheduled_time").is_empty() {
        live.insert(
            "scheduled_time".into(),
            instant(&f("scheduled_time"), &zone),
        );
    }
    if !f("duration_hours").is_empty() {
        live.insert("duration_hours".into(), number(&f("duration_hours")));
    }
    live.insert("time_zone".into(), json!(zone));
    let products: Vec<Value> = f("products")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let mut p = Map::new();
            p.insert("name".into(), json!(parts[0]));
            for (i, key) in ["retail_price", "live_discount_price", "stock_quantity"]
                .iter()
                .enumerate()
            {
                if let Some(v) = parts.get(i + 1).filter(|v| !v.is_empty()) {
                    p.insert((*key).into(), number(v));
                }
            }
            Value::Object(p)
        })
        .collect();
    if !products.is_empty() {
        live.insert("products".into(), Value::Array(products));
    }
    body.insert("live_session_details".into(), Value::Object(live));

    let mut commission = Map::new();
    commission.insert("base_payment".into(), number(&f("compensation")));
    let rate = f("commission_percent");
    if !rate.is_empty() {
        let value = match rate.trim_end_matches('%').trim().parse::<Decimal>() {
            Ok(pct) => number(&(pct / Decimal::ONE_HUNDRED).normalize().to_string()),
            Err(_) => json!(rate),
        };
        commission.insert("commission_type".into(), json!("percentage_of_gmv"));
        commission.insert("commission_rate".into(), value);
    }
    let mut tiers = Map::new();
    for line in f("gmv_bonuses")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        match line.split_once(['=', ':', '→']) {
            Some((gmv, bonus)) => {
                let gmv = gmv.trim().replace([',', '_', ' '], "");
                tiers.insert(format!("{gmv}_gmv"), number(bonus));
            }
            None => {
                tiers.insert(line.to_string(), json!(null));
            }
        }
    }
    if !tiers.is_empty() {
        commission.insert("performance_bonuses".into(), Value::Object(tiers));
    }
    body.insert("commission_structure".into(), Value::Object(commission));
    body
}

/// The form, filled with `refill`'s fields.
fn new_task_form(page: &Page, refill: &Refill) -> Html<String> {
    let lang = page.lang;
    let t = |id: &str| lang.t(id);
    let v = |name: &str| refill.get(name).to_string();
    let zone = if v("time_zone").is_empty() {
        "Asia/Shanghai".to_string()
    } else {
        v("time_zone")
    };
    let currency = if v("currency").is_empty() {
        "CNY".to_string()
    } else {
        v("currency")
    };
    let body = html! {
        h1 { (t("new-task-title")) }
        p.muted { (t("new-task-intro")) }
        (errors_box(lang, &refill.errors))
        form.stack.wide method="post" action="/dashboard/tasks/new" {
            (csrf_field(page))
            fieldset {
                legend { (t("new-task-what")) }
                label { (t("field-title")) input type="text" name="title" required maxlength="200" value=(v("title")); }
                label { (t("field-description")) textarea name="description" required maxlength="20000" { (v("description")) } }
                label { (t("field-products")) small { (t("field-products-help")) }
                    textarea name="products" placeholder="Vitamin C Serum | 199 | 139 | 500" { (v("products")) } }
            }
            fieldset {
                legend { (t("new-task-when")) }
                label { (t("field-time-zone"))
                    select name="time_zone" { @for z in ZONES { option value=(z) selected[zone == z] { (z) } } } }
                label { (t("field-scheduled")) input type="datetime-local" name="scheduled_time" required value=(v("scheduled_time")); }
                label { (t("field-duration-hours")) input type="number" name="duration_hours" min="0.25" step="0.25" value=(v("duration_hours")); }
                label { (t("field-deadline")) input type="datetime-local" name="deadline" required value=(v("deadline")); }
            }
            fieldset {
                legend { (t("new-task-pay")) }
                label { (t("field-currency"))
                    select name="currency" { @for c in CURRENCIES { option value=(c) selected[currency == c] { (c) } } } }
                label { (t("field-compensation")) input type="text" inputmode="decimal" name="compensation" required value=(v("compensation")); }
                label { (t("field-commission-percent")) input type="text" inputmode="decimal" name="commission_percent" placeholder="8" value=(v("commission_percent")); }
                label { (t("field-gmv-bonuses")) small { (t("field-gmv-bonuses-help")) }
                    textarea name="gmv_bonuses" placeholder="50000 = 800" { (v("gmv_bonuses")) } }
            }
            fieldset {
                legend { (t("new-task-who")) }
                label { (t("field-min-followers")) input type="number" min="0" name="min_followers" value=(v("min_followers")); }
                label { (t("field-min-viewers")) input type="number" min="0" name="min_avg_live_viewers" value=(v("min_avg_live_viewers")); }
                label { (t("field-niche")) input type="text" name="niche" value=(v("niche")); }
                label { (t("field-skills-filter")) input type="text" name="skills" value=(v("skills")); }
            }
            button type="submit" { (t("button-post-task")) }
        }
    };
    layout(page, &t("new-task-title"), body)
}

/// `GET /dashboard/tasks/new`.
pub(super) async fn new_task(page: Page) -> Response {
    match &page.session {
        None => page.redirect("/login", Vec::new()),
        Some(s) if s.account.kind != CallerKind::Agent => page.redirect("/dashboard", Vec::new()),
        Some(_) => {
            let body = new_task_form(&page, &Refill::default());
            page.finish(body)
        }
    }
}

/// `POST /dashboard/tasks/new`.
pub(super) async fn post_task(
    State(app): State<App>,
    page: Page,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let Some(session) = page.session.clone() else {
        return page.redirect("/login", Vec::new());
    };
    if let Some(denied) = page.refuse_csrf(field(&form, "csrf")) {
        return denied;
    }
    match app
        .create_task(&session.account, NewTask(task_body(&form)))
        .await
    {
        Ok(task) => page.redirect(&format!("/dashboard/tasks/{}", task.id), Vec::new()),
        Err(e) => match problem(page.lang, e) {
            Ok((status, errors)) => {
                let refill = Refill {
                    status: Some(status),
                    errors,
                    fields: form.into_iter().filter(|(k, _)| k != "csrf").collect(),
                };
                let body = new_task_form(&page, &refill);
                page.finish((status, body))
            }
            Err(resp) => *resp,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_form_becomes_the_apis_task_body() {
        let body = task_body(&form(&[
            ("title", "Serum launch"),
            ("description", "Two hours"),
            ("compensation", "1,500"),
            ("currency", "CNY"),
            ("time_zone", "Asia/Shanghai"),
            ("deadline", "2036-03-10T20:00"),
            ("scheduled_time", "2036-03-15T19:00"),
            ("duration_hours", "2"),
            ("products", "Vitamin C Serum | 199 | 139 | 500\nMask"),
            ("commission_percent", "8"),
            ("gmv_bonuses", "50000 = 800\n100k: 2000"),
            ("skills", "live_streaming, product_demo"),
        ]));
        let body = Value::Object(body);
        assert_eq!(body["compensation"], json!(1500));
        assert_eq!(body["deadline"], "2036-03-10T12:00:00Z");
        let live = &body["live_session_details"];
        assert_eq!(live["scheduled_time"], "2036-03-15T11:00:00Z");
        assert_eq!(live["time_zone"], "Asia/Shanghai");
        assert_eq!(
            live["products"],
            json!([{"name": "Vitamin C Serum", "retail_price": 199, "live_discount_price": 139, "stock_quantity": 500}, {"name": "Mask"}])
        );
        let cs = &body["commission_structure"];
        assert_eq!(cs["commission_rate"], json!(0.08));
        assert_eq!(
            cs["performance_bonuses"],
            json!({"50000_gmv": 800, "100k_gmv": 2000})
        );
        assert_eq!(
            body["requirements"]["skills"],
            json!(["live_streaming", "product_demo"])
        );
        assert!(
            crate::app::NewTask(body.as_object().unwrap().clone()).0["title"] == "Serum launch"
        );
    }
}
