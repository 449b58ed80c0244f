//! Checking an agent's edited plan against the task, with a path for each
//! error.

use serde_json::{Map, Value};

use super::{MAX_NOTES_CHARS, MAX_TITLE_CHARS, RunOfShow, Segment, SegmentKind, SessionPlanOfShow};
use crate::error::FieldError;
use crate::task::TaskDraft;

/// Checks an agent's edited plan against the task and returns it typed.
///
/// The plan must be `{"sessions": [...]}` with one entry per session of the task,
/// each `{session_index?, duration_minutes?, segments: [...]}` (`session_index`, if
/// given, is the entry's position from 0; `duration_minutes`, if given, is the
/// session's). Each segment is `{start_minute, end_minute, kind, title?,
/// product_ids?, notes?}`; segments run contiguously from 0 to the session's
/// duration with `start_minute < end_minute`; when the task lists products, every
/// one appears in some segment of every session and no other id is named. Errors
/// carry paths such as `sessions[0].segments[3].end_minute`. Flash-sale spacing is
/// advisory (see [`advice`](super::advice)) and not checked.
pub fn validate(plan: &Value, task: &TaskDraft) -> Result<RunOfShow, Vec<FieldError>> {
    let mut errors = Vec::new();
    let Some(sessions) = plan.get("sessions") else {
        let msg = if plan.is_object() {
            "is required: the plan is {\"sessions\": [{\"segments\": [...]}, ...]}"
        } else {
            "the plan must be a JSON object {\"sessions\": [...]}"
        };
        let path = if plan.is_object() { "sessions" } else { "" };
        return Err(vec![FieldError::new(path, msg)]);
    };
    let Some(entries) = sessions.as_array() else {
        return Err(vec![FieldError::new(
            "sessions",
            "must be a list with one plan per session",
        )]);
    };
    if entries.len() != task.sessions.len() {
        errors.push(FieldError::new(
            "sessions",
            format!(
                "must have {} entries, one per session of the task (got {})",
                task.sessions.len(),
                entries.len()
            ),
        ));
    }
    let known: Vec<&str> = task
        .products
        .iter()
        .map(|p| p.product_id.as_str())
        .collect();
    let mut out = Vec::new();
    for (i, (entry, session)) in entries.iter().zip(&task.sessions).enumerate() {
        let path = format!("sessions[{i}]");
        if let Some(s) = session_plan(
            entry,
            &path,
            i,
            session.duration_minutes,
            &known,
            &mut errors,
        ) {
            out.push(s);
        }
    }
    if errors.is_empty() {
        Ok(RunOfShow { sessions: out })
    } else {
        Err(errors)
    }
}

fn session_plan(
    entry: &Value,
    path: &str,
    index: usize,
    duration: u32,
    known: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<SessionPlanOfShow> {
    let Some(obj) = entry.as_object() else {
        errors.push(FieldError::new(
            path,
            "must be an object {\"segments\": [...]}",
        ));
        return None;
    };
    let before = errors.len();
    if let Some(v) = obj.get("session_index")
        && v.as_u64() != Some(index as u64)
    {
        errors.push(FieldError::new(
            format!("{path}.session_index"),
            format!("must be {index}, the position of the session"),
        ));
    }
    if let Some(v) = obj.get("duration_minutes")
        && v.as_u64() != Some(u64::from(duration))
    {
        errors.push(FieldError::new(
            format!("{path}.duration_minutes"),
            format!("must be {duration}, the session's duration"),
        ));
    }
    let Some(items) = obj.get("segments").and_then(Value::as_array) else {
        errors.push(FieldError::new(
            format!("{path}.segments"),
            "must be a list of segments",
        ));
        return None;
    };
    if items.is_empty() {
        errors.push(FieldError::new(
            format!("{path}.segments"),
            "must list at least one segment",
        ));
        return None;
    }
    let mut segments = Vec::with_capacity(items.len());
    let mut expected_start = Some(0);
    for (j, item) in items.iter().enumerate() {
        let seg_path = format!("{path}.segments[{j}]");
        let segment = segment(item, &seg_path, known, errors);
        let Some(segment) = segment else {
            expected_start = None;
            continue;
        };
        if let Some(expected) = expected_start
            && segment.start_minute != expected
        {
            let why = if j == 0 {
                "the first segment starts the session".to_string()
            } else if segment.start_minute > expected {
                format!("a gap after the previous segment, which ends at {expected}")
            } else {
                format!("overlaps the previous segment, which ends at {expected}")
            };
            errors.push(FieldError::new(
                format!("{seg_path}.start_minute"),
                format!("must be {expected}: {why}"),
            ));
        }
        if segment.end_minute <= segment.start_minute {
            errors.push(FieldError::new(
                format!("{seg_path}.end_minute"),
                format!(
                    "must be greater than start_minute ({})",
                    segment.start_minute
                ),
            ));
        } else if segment.end_minute > duration {
            errors.push(FieldError::new(
                format!("{seg_path}.end_minute"),
                format!("must be at most {duration}, the session's duration"),
            ));
        } else if j + 1 == items.len() && segment.end_minute != duration {
            errors.push(FieldError::new(
                format!("{seg_path}.end_minute"),
                format!("must be {duration}: the last segment ends the session"),
            ));
        }
        expected_start = Some(segment.end_minute);
        segments.push(segment);
    }
    let missing: Vec<&str> = known
        .iter()
        .filter(|id| {
            !segments
                .iter()
                .any(|s| s.product_ids.iter().any(|p| p == *id))
        })
        .copied()
        .collect();
    if !missing.is_empty() && segments.len() == items.len() {
        errors.push(FieldError::new(
            format!("{path}.segments"),
            format!(
                "must feature every product of the task; missing {}",
                missing.join(", ")
            ),
        ));
    }
    (errors.len() == before).then_some(SessionPlanOfShow {
        session_index: index as u32,
        duration_minutes: duration,
        segments,
    })
}

fn minute(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    errors: &mut Vec<FieldError>,
) -> Option<u32> {
    match obj.get(key) {
        None | Some(Value::Null) => {
            errors.push(FieldError::new(format!("{path}.{key}"), "is required"));
            None
        }
        Some(v) => match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                errors.push(FieldError::new(
                    format!("{path}.{key}"),
                    "must be a whole number of minutes from the session start",
                ));
                None
            }
        },
    }
}

fn text(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    match obj.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.chars().count() <= max_chars => s.clone(),
        Some(_) => {
            errors.push(FieldError::new(
                format!("{path}.{key}"),
                format!("must be a string of at most {max_chars} characters"),
            ));
            String::new()
        }
    }
}

fn segment(
    item: &Value,
    path: &str,
    known: &[&str],
    errors: &mut Vec<FieldError>,
) -> Option<Segment> {
    let Some(obj) = item.as_object() else {
        errors.push(FieldError::new(
            path,
            "must be an object {start_minute, end_minute, kind, title, product_ids, notes}",
        ));
        return None;
    };
    let before = errors.len();
    let start = minute(obj, "start_minute", path, errors);
    let end = minute(obj, "end_minute", path, errors);
    let kind = match obj.get("kind") {
        None | Some(Value::Null) => {
            errors.push(FieldError::new(format!("{path}.kind"), "is required"));
            None
        }
        Some(v) => {
            let kind = v.as_str().and_then(SegmentKind::parse);
            if kind.is_none() {
                errors.push(FieldError::new(
                    format!("{path}.kind"),
                    "must be one of opening, product, flash_sale, spotlight, closing",
                ));
            }
            kind
        }
    };
    let title = text(obj, "title", path, MAX_TITLE_CHARS, errors);
    let notes = text(obj, "notes", path, MAX_NOTES_CHARS, errors);
    let mut product_ids = Vec::new();
    match obj.get("product_ids") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ids)) => {
            for (k, id) in ids.iter().enumerate() {
                let id_path = format!("{path}.product_ids[{k}]");
                match id.as_str() {
                    Some(s) if known.is_empty() || known.contains(&s) => {
                        product_ids.push(s.to_string())
                    }
                    Some(s) => errors.push(FieldError::new(
                        id_path,
                        format!(
                            "'{s}' is not a product of the task (its products are {})",
                            known.join(", ")
                        ),
                    )),
                    None => errors.push(FieldError::new(id_path, "must be a string")),
                }
            }
        }
        Some(_) => errors.push(FieldError::new(
            format!("{path}.product_ids"),
            "must be a list of product ids",
        )),
    }
    match (start, end, kind) {
        (Some(start_minute), Some(end_minute), Some(kind)) if errors.len() == before => {
            Some(Segment {
                start_minute,
                end_minute,
                kind,
                title,
                product_ids,
                notes,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;
