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

use serde_json::Value;

use crate::error::FieldError;
use crate::json::{Errors, Obj, Path, read};
use crate::money::{self, Currency};
use crate::payout::{Observed, SessionFigures};

/// An http(s) URL of at most 2,048 bytes.
fn http_url(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if (s.starts_with("https://") || s.starts_with("http://")) && s.len() <= 2048 => {
            Ok(())
        }
        _ => Err("must be an http(s) URL".to_string()),
    }
}

/// The figures of one block set (top level or one session). `None` when the
/// block set reports nothing.
fn figures(errs: &mut Errors, obj: &Obj, currency: Currency) -> Option<SessionFigures> {
    errs.take(obj.field("recording_url").opt(http_url));
    errs.take(obj.field("highlight_reel_url").opt(http_url));
    errs.take(obj.field("top_products").strict().items("must be a list"));
    let mut f = SessionFigures::default();
    let mut reported = false;
    if let Some(g) = errs.opt(obj.field("gmv_report").object("must be an object")) {
        reported = true;
        let total = g.field("total_gmv").strict();
        let gmv = total.req("is required", |v| {
            money::parse_amount(v)
                .ok()
                .filter(|d| !d.is_sign_negative())
                .ok_or_else(|| "must be an amount ≥ 0".to_string())
        });
        if let Some(d) = errs.take(gmv) {
            if let Err(m) = money::check_scale(d, currency) {
                errs.add(total.fault(m));
            }
            f.gmv = d;
        }
        f.orders = errs.opt(g.field("orders").opt(read::uint)).unwrap_or(0);
        errs.take(g.field("currency").strict().opt(|c| {
            if c.as_str() == Some(currency.code()) {
                Ok(())
            } else {
                Err(format!("must be the task's currency {}", currency.code()))
            }
        }));
    }
    if let Some(v) = errs.opt(obj.field("viewer_analytics").object("must be an object")) {
        reported = true;
        let mut count = |key: &str| errs.opt(v.field(key).opt(read::uint)).unwrap_or(0);
        f.peak_viewers = count("peak_viewers");
        f.unique_viewers = count("unique_viewers");
        f.questions = count("questions");
        f.questions_answered = count("questions_answered");
        if f.questions_answered > f.questions && v.get("questions").is_some() {
            errs.add(
                v.field("questions_answered")
                    .fault("must not exceed questions"),
            );
        }
        errs.take(
            v.field("avg_watch_time_minutes")
                .strict()
                .opt(read::number(0.0.., "must be a number ≥ 0")),
        );
        errs.take(
            v.field("engagement_rate")
                .strict()
                .opt(read::number(0.0..=1.0, "must be between 0 and 1")),
        );
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
    let Some(root) = Obj::of(body, Path::root()) else {
        return Err(vec![FieldError::new(
            "",
            "a submission must be a JSON object",
        )]);
    };
    let mut errs = Errors::new();
    let top = figures(&mut errs, &root, currency);
    let highlight_views = errs
        .opt(root.field("highlight_views").opt(read::uint))
        .unwrap_or(0);

    let mut per_session: Vec<Option<SessionFigures>> = vec![None; session_ids.len()];
    let sessions = root.field("sessions");
    if let Some(items) = errs.opt(sessions.items("must be a list")) {
        if items.len() > session_ids.len() {
            errs.add(sessions.fault(format!(
                "lists {} sessions but the task has {}",
                items.len(),
                session_ids.len()
            )));
        }
        for (i, item) in items.iter().enumerate() {
            let Some(s) = errs.opt(item.object("must be an object")) else {
                continue;
            };
            let slot = match s.get("session_id").and_then(Value::as_str) {
                Some(id) => match session_ids.iter().position(|x| x == id) {
                    Some(p) => p,
                    None => {
                        errs.add(
                            s.field("session_id")
                                .fault(format!("{id} is not a session of this task")),
                        );
                        continue;
                    }
                },
                None => i,
            };
            if slot >= per_session.len() {
                continue;
            }
            if per_session[slot].is_some() {
                errs.add(item.fault("reports a session twice"));
            }
            per_session[slot] = figures(&mut errs, &s, currency);
        }
    }

    let any_session = per_session.iter().any(Option::is_some);
    let observed = if any_session {
        let sessions: Vec<SessionFigures> = per_session
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        let o = Observed::from_sessions(sessions, highlight_views);
        if let Some(t) = &top
            && root.get("gmv_report").is_some_and(Value::is_object)
            && t.gmv != o.gmv
        {
            errs.push(
                "gmv_report.total_gmv",
                format!("is {} but the sessions add up to {}", t.gmv, o.gmv),
            );
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
        errs.push(
            "gmv_report",
            "a submission reports gmv_report or viewer_analytics (or sessions[])",
        );
        Observed::default()
    };
    errs.finish(observed)
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
