//! Checking an agent's edited plan against the task, with a path for each
//! error.

use serde_json::Value;

use super::{MAX_NOTES_CHARS, MAX_TITLE_CHARS, RunOfShow, Segment, SegmentKind, SessionPlanOfShow};
use crate::error::FieldError;
use crate::json::{Errors, Field, Obj, Path, read};
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
    let Some(root) = Obj::of(plan, Path::root()) else {
        return Err(vec![FieldError::new(
            "",
            "the plan must be a JSON object {\"sessions\": [...]}",
        )]);
    };
    let sessions = root.field("sessions").strict();
    let entries = sessions
        .need(
            "is required: the plan is {\"sessions\": [{\"segments\": [...]}, ...]}",
            sessions.items("must be a list with one plan per session"),
        )
        .map_err(|fault| vec![FieldError::from(fault)])?;
    let mut errs = Errors::new();
    if entries.len() != task.sessions.len() {
        errs.add(sessions.fault(format!(
            "must have {} entries, one per session of the task (got {})",
            task.sessions.len(),
            entries.len()
        )));
    }
    let known: Vec<&str> = task
        .products
        .iter()
        .map(|p| p.product_id.as_str())
        .collect();
    let mut out = Vec::new();
    for (i, (entry, session)) in entries.iter().zip(&task.sessions).enumerate() {
        if let Some(s) = session_plan(entry, i, session.duration_minutes, &known, &mut errs) {
            out.push(s);
        }
    }
    errs.finish(RunOfShow { sessions: out })
}

fn session_plan(
    entry: &Field,
    index: usize,
    duration: u32,
    known: &[&str],
    errs: &mut Errors,
) -> Option<SessionPlanOfShow> {
    let obj = errs.opt(entry.object("must be an object {\"segments\": [...]}"))?;
    let before = errs.len();
    errs.take(obj.field("session_index").strict().opt(|v| {
        (v.as_u64() == Some(index as u64))
            .then_some(())
            .ok_or_else(|| format!("must be {index}, the position of the session"))
    }));
    errs.take(obj.field("duration_minutes").strict().opt(|v| {
        (v.as_u64() == Some(u64::from(duration)))
            .then_some(())
            .ok_or_else(|| format!("must be {duration}, the session's duration"))
    }));
    let list = obj.field("segments").strict();
    const NOT_A_LIST: &str = "must be a list of segments";
    let items = errs.take(list.need(NOT_A_LIST, list.items(NOT_A_LIST)))?;
    if items.is_empty() {
        errs.add(list.fault("must list at least one segment"));
        return None;
    }
    let mut segments = Vec::with_capacity(items.len());
    let mut expected_start = Some(0);
    for (j, item) in items.iter().enumerate() {
        let Some(segment) = segment(item, known, errs) else {
            expected_start = None;
            continue;
        };
        let seg_path = item.path();
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
            errs.push(
                seg_path.key("start_minute"),
                format!("must be {expected}: {why}"),
            );
        }
        let end = seg_path.key("end_minute");
        if segment.end_minute <= segment.start_minute {
            errs.push(
                end,
                format!(
                    "must be greater than start_minute ({})",
                    segment.start_minute
                ),
            );
        } else if segment.end_minute > duration {
            errs.push(
                end,
                format!("must be at most {duration}, the session's duration"),
            );
        } else if j + 1 == items.len() && segment.end_minute != duration {
            errs.push(
                end,
                format!("must be {duration}: the last segment ends the session"),
            );
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
        errs.add(list.fault(format!(
            "must feature every product of the task; missing {}",
            missing.join(", ")
        )));
    }
    (errs.len() == before).then_some(SessionPlanOfShow {
        session_index: index as u32,
        duration_minutes: duration,
        segments,
    })
}

fn segment(item: &Field, known: &[&str], errs: &mut Errors) -> Option<Segment> {
    let obj =
        errs.opt(item.object(
            "must be an object {start_minute, end_minute, kind, title, product_ids, notes}",
        ))?;
    let before = errs.len();
    let minute = || {
        read::say(
            "must be a whole number of minutes from the session start",
            |v| read::uint(v).and_then(|n| u32::try_from(n).map_err(|e| e.to_string())),
        )
    };
    let start = errs.take(obj.field("start_minute").req("is required", minute()));
    let end = errs.take(obj.field("end_minute").req("is required", minute()));
    let kind = errs.take(obj.field("kind").req("is required", |v| {
        v.as_str().and_then(SegmentKind::parse).ok_or_else(|| {
            "must be one of opening, product, flash_sale, spotlight, closing".to_string()
        })
    }));
    let text = |errs: &mut Errors, key: &str, max: usize| {
        let msg = format!("must be a string of at most {max} characters");
        errs.opt(obj.field(key).opt(read::say(&msg, read::text(max))))
            .unwrap_or_default()
    };
    let title = text(errs, "title", MAX_TITLE_CHARS);
    let notes = text(errs, "notes", MAX_NOTES_CHARS);
    let mut product_ids = Vec::new();
    let ids = obj
        .field("product_ids")
        .items("must be a list of product ids");
    for id in errs.opt(ids).unwrap_or_default() {
        match errs.take(id.opt(read::string)).flatten() {
            Some(s) if known.is_empty() || known.contains(&s) => product_ids.push(s.to_string()),
            Some(s) => errs.add(id.fault(format!(
                "'{s}' is not a product of the task (its products are {})",
                known.join(", ")
            ))),
            None => {}
        }
    }
    match (start, end, kind) {
        (Some(start_minute), Some(end_minute), Some(kind)) if errs.len() == before => {
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
