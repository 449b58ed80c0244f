//! A host's submission (`POST /api/v1/tasks/{id}/submission`): validated, and
//! turned into the figures the payout engine reads.
//!
//! Blocks: `recording_url`, `highlight_reel_url`, `highlight_views`,
//! `gmv_report {total_gmv, orders, currency}`, `viewer_analytics {peak_viewers,
//! unique_viewers, avg_watch_time_minutes, engagement_rate, questions?,
//! questions_answered?}`, `top_products[]`, and `sessions[]` carrying the same
//! blocks per session of a series (matched by `session_id`, else by position).
//! When `sessions[]` is given the task totals are its sums, and a top-level
//! `gmv_report` must agree with them.

use serde_json::{Map, Value};

use crate::error::{FieldError, join};
use crate::money::{self, Currency};
use crate::payout::{Observed, SessionFigures};

fn count(errors: &mut Vec<FieldError>, obj: &Map<String, Value>, parent: &str, key: &str) -> u64 {
    match obj.get(key) {
        None | Some(Value::Null) => 0,
        Some(v) => v.as_u64().unwrap_or_else(|| {
            errors.push(FieldError::new(
                join(parent, key),
                "must be a whole number ≥ 0",
            ));
            0
        }),
    }
}

fn url(errors: &mut Vec<FieldError>, obj: &Map<String, Value>, parent: &str, key: &str) {
    if let Some(v) = obj.get(key)
        && !v.is_null()
        && !v.as_str().is_some_and(|s| {
            (s.starts_with("https://") || s.starts_with("http://")) && s.len() <= 2048
        })
    {
        errors.push(FieldError::new(join(parent, key), "must be an http(s) URL"));
    }
}

/// The figures of one block set (top level or one session). `None` when the
/// block set reports nothing.
fn figures(
    errors: &mut Vec<FieldError>,
    obj: &Map<String, Value>,
    parent: &str,
    currency: Currency,
) -> Option<SessionFigures> {
    url(errors, obj, parent, "recording_url");
    url(errors, obj, parent, "highlight_reel_url");
    if let Some(tp) = obj.get("top_products")
        && !tp.is_array()
    {
        errors.push(FieldError::new(
            join(parent, "top_products"),
            "must be a list",
        ));
    }
    let mut f = SessionFigures::default();
    let mut reported = false;
    match obj.get("gmv_report") {
        None | Some(Value::Null) => {}
        Some(Value::Object(g)) => {
            reported = true;
            let p = join(parent, "gmv_report");
            match g.get("total_gmv").map(money::parse_amount) {
                Some(Ok(d)) if !d.is_sign_negative() => {
                    if let Err(m) = money::check_scale(d, currency) {
                        errors.push(FieldError::new(join(&p, "total_gmv"), m));
                    }
                    f.gmv = d;
                }
                Some(_) => errors.push(FieldError::new(
                    join(&p, "total_gmv"),
                    "must be an amount ≥ 0",
                )),
                None => errors.push(FieldError::new(join(&p, "total_gmv"), "is required")),
            }
            f.orders = count(errors, g, &p, "orders");
            if let Some(c) = g.get("currency")
                && c.as_str() != Some(currency.code())
            {
                errors.push(FieldError::new(
                    join(&p, "currency"),
                    format!("must be the task's currency {}", currency.code()),
                ));
            }
        }
        Some(_) => errors.push(FieldError::new(
            join(parent, "gmv_report"),
            "must be an object",
        )),
    }
    match obj.get("viewer_analytics") {
        None | Some(Value::Null) => {}
        Some(Value::Object(v)) => {
            reported = true;
            let p = join(parent, "viewer_analytics");
            f.peak_viewers = count(errors, v, &p, "peak_viewers");
            f.unique_viewers = count(errors, v, &p, "unique_viewers");
            f.questions = count(errors, v, &p, "questions");
            f.questions_answered = count(errors, v, &p, "questions_answered");
            if f.questions_answered > f.questions && v.contains_key("questions") {
                errors.push(FieldError::new(
                    join(&p, "questions_answered"),
                    "must not exceed questions",
                ));
            }
            if let Some(w) = v.get("avg_watch_time_minutes")
                && !w.as_f64().is_some_and(|x| x >= 0.0)
            {
                errors.push(FieldError::new(
                    join(&p, "avg_watch_time_minutes"),
                    "must be a number ≥ 0",
                ));
            }
            if let Some(e) = v.get("engagement_rate")
                && !e.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x))
            {
                errors.push(FieldError::new(
                    join(&p, "engagement_rate"),
                    "must be between 0 and 1",
                ));
            }
        }
        Some(_) => errors.push(FieldError::new(
            join(parent, "viewer_analytics"),
            "must be an object",
        )),
    }
    f.completed = reported;
    reported.then_some(f)
}

/// Validates a submission for a task with these sessions and currency, and
/// returns the observed figures for the payout.
pub fn parse(
    body: &Value,
    currency: Currency,
    session_ids: &[String],
) -> Result<Observed, Vec<FieldError>> {
    let Some(obj) = body.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "a submission must be a JSON object",
        )]);
    };
    let mut errors = Vec::new();
    let top = figures(&mut errors, obj, "", currency);
    let highlight_views = count(&mut errors, obj, "", "highlight_views");

    let mut per_session: Vec<Option<SessionFigures>> = vec![None; session_ids.len()];
    match obj.get("sessions") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            if items.len() > session_ids.len() {
                errors.push(FieldError::new(
                    "sessions",
                    format!(
                        "lists {} sessions but the task has {}",
                        items.len(),
                        session_ids.len()
                    ),
                ));
            }
            for (i, item) in items.iter().enumerate() {
                let path = format!("sessions[{i}]");
                let Some(s) = item.as_object() else {
                    errors.push(FieldError::new(path, "must be an object"));
                    continue;
                };
                let slot = match s.get("session_id").and_then(Value::as_str) {
                    Some(id) => match session_ids.iter().position(|x| x == id) {
                        Some(p) => p,
                        None => {
                            errors.push(FieldError::new(
                                format!("{path}.session_id"),
                                format!("{id} is not a session of this task"),
                            ));
                            continue;
                        }
                    },
                    None => i,
                };
                if slot >= per_session.len() {
                    continue;
                }
                if per_session[slot].is_some() {
                    errors.push(FieldError::new(path.clone(), "reports a session twice"));
                }
                per_session[slot] = figures(&mut errors, s, &path, currency);
            }
        }
        Some(_) => errors.push(FieldError::new("sessions", "must be a list")),
    }

    let any_session = per_session.iter().any(Option::is_some);
    let observed = if any_session {
        let sessions: Vec<SessionFigures> = per_session
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        let o = Observed::from_sessions(sessions, highlight_views);
        if let Some(t) = &top
            && obj.get("gmv_report").is_some_and(Value::is_object)
            && t.gmv != o.gmv
        {
            errors.push(FieldError::new(
                "gmv_report.total_gmv",
                format!("is {} but the sessions add up to {}", t.gmv, o.gmv),
            ));
        }
        o
    } else if let Some(t) = top {
        if session_ids.len() == 1 {
            Observed::from_sessions(vec![t], highlight_views)
        } else {
            // A series reported only as totals: per-session figures unknown.
            let mut o = Observed::from_sessions(vec![t], highlight_views);
            o.sessions.clear();
            o
        }
    } else {
        errors.push(FieldError::new(
            "gmv_report",
            "a submission reports gmv_report or viewer_analytics (or sessions[])",
        ));
        Observed::default()
    };
    if errors.is_empty() {
        Ok(observed)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use serde_json::json;

    fn cny() -> Currency {
        Currency::parse("CNY").unwrap()
    }

    #[test]
    fn a_single_session_report_is_that_session() {
        let o = parse(
            &json!({"recording_url": "https://x.example/r.mp4",
                "gmv_report": {"total_gmv": 247000, "orders": 1247, "currency": "CNY"},
                "viewer_analytics": {"peak_viewers": 3800, "unique_viewers": 12500, "avg_watch_time_minutes": 26, "engagement_rate": 0.4},
                "highlight_views": 120000, "top_products": [{"name": "Vitamin C Serum"}]}),
            cny(),
            &["s1".into()],
        )
        .unwrap();
        assert_eq!(o.gmv, Decimal::from(247_000));
        assert_eq!(o.orders, 1247);
        assert_eq!(o.sessions.len(), 1);
        assert!(o.sessions[0].completed);
        assert_eq!(o.highlight_views, 120_000);
    }

    #[test]
    fn a_series_sums_its_sessions_and_checks_the_total() {
        let ids: Vec<String> = (1..=4).map(|i| format!("s{i}")).collect();
        let sessions: Vec<Value> = [(78000, 427, 2100), (102000, 589, 2850), (135000, 743, 3400), (168000, 921, 4200)]
            .iter()
            .map(|(g, o, v)| json!({"gmv_report": {"total_gmv": g, "orders": o}, "viewer_analytics": {"unique_viewers": v, "peak_viewers": v / 2}}))
            .collect();
        let o = parse(&json!({"sessions": sessions}), cny(), &ids).unwrap();
        assert_eq!(o.gmv, Decimal::from(483_000));
        assert_eq!(o.orders, 2680);
        assert_eq!(o.sessions[3].unique_viewers, 4200);
        let wrong = parse(
            &json!({"sessions": sessions, "gmv_report": {"total_gmv": 1}}),
            cny(),
            &ids,
        )
        .unwrap_err();
        assert_eq!(wrong[0].path, "gmv_report.total_gmv");
    }

    #[test]
    fn bad_blocks_name_their_fields() {
        let errs = parse(
            &json!({"gmv_report": {"total_gmv": -1, "currency": "USD"}, "viewer_analytics": {"engagement_rate": 3},
                "recording_url": "ftp://x", "sessions": [{"session_id": "nope", "gmv_report": {"total_gmv": 1}}]}),
            cny(),
            &["s1".into()],
        )
        .unwrap_err();
        let paths: Vec<_> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "recording_url",
                "gmv_report.total_gmv",
                "gmv_report.currency",
                "viewer_analytics.engagement_rate",
                "sessions[0].session_id"
            ]
        );
    }
}
