//! What both backends decode the same way: stored JSON, stored names of
//! statuses and kinds, and the rows a single-statement read returns as JSON
//! arrays of column values (the dashboard's overview and task page; each
//! backend's SQL builds the arrays, in the column orders below).

use serde_json::Value;

use crate::*;

/// Stored JSON text.
pub(crate) fn json(text: &str) -> StoreResult<Value> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("stored JSON is corrupt: {e}")))
}

/// A stored status or kind as its enum (`parse` is the enum's own); a name
/// the enum does not know is corruption, named with `what`.
pub(crate) fn known<T>(what: &str, text: &str, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(text).ok_or_else(|| {
        StoreError::Other(anyhow::anyhow!(
            "stored {what} {text:?} is not one this server knows"
        ))
    })
}

/// A session's feed as stored: all three columns, or none.
pub(crate) fn feed(
    last_at: Option<String>,
    source: Option<String>,
    format: Option<String>,
) -> Option<FeedRecord> {
    Some(FeedRecord {
        last_at: last_at?,
        source: source?,
        format: format?,
    })
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Other(anyhow::anyhow!("{what}: {e}")))
}

/// Counts by status: `[[status, n], …]`.
pub(crate) fn task_counts(text: &str) -> StoreResult<Vec<(TaskStatus, u64)>> {
    from_json("stored task counts", text)
}

/// Task summaries: `[[id, status, title, currency, compensation_minor,
/// time_zone, first_session_at], …]`, the zone as the body holds it.
pub(crate) fn task_summaries(text: &str) -> StoreResult<Vec<TaskSummary>> {
    type Columns = (
        String,
        String,
        String,
        String,
        i64,
        Option<Value>,
        Option<String>,
    );
    let rows: Vec<Columns> = from_json("task summaries", text)?;
    rows.into_iter()
        .map(|t| {
            Ok(TaskSummary {
                id: t.0,
                status: known("task status", &t.1, TaskStatus::parse)?,
                title: t.2,
                currency: t.3,
                compensation_minor: t.4,
                // A zone that is not a string (the rules accept none) is no zone.
                time_zone: match t.5 {
                    Some(Value::String(z)) => Some(z),
                    _ => None,
                },
                first_session_at: t.6,
            })
        })
        .collect()
}

/// Wallet balances: `[[currency, available, in_escrow, paid_out], …]`.
pub(crate) fn wallet(text: &str) -> StoreResult<Vec<WalletBalance>> {
    let rows: Vec<(String, i64, i64, i64)> = from_json("wallet balances", text)?;
    Ok(rows
        .into_iter()
        .map(|(currency, available, in_escrow, paid_out)| WalletBalance {
            currency,
            available,
            in_escrow,
            paid_out,
        })
        .collect())
}

/// A task's sessions: `[[id, position, scheduled_time, duration_minutes,
/// status, week, theme, started_at, ended_at, stream_ended_at, feed_last_at,
/// feed_source, feed_format], …]`.
pub(crate) fn sessions(text: &str) -> StoreResult<Vec<SessionRecord>> {
    type Columns = (
        String,
        i64,
        Option<String>,
        i64,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Columns> = from_json("sessions", text)?;
    rows.into_iter()
        .map(|s| {
            Ok(SessionRecord {
                id: s.0,
                position: s.1,
                scheduled_time: s.2,
                duration_minutes: s.3,
                status: known("session status", &s.4, SessionStatus::parse)?,
                week: s.5,
                theme: s.6,
                started_at: s.7,
                ended_at: s.8,
                stream_ended_at: s.9,
                feed: feed(s.10, s.11, s.12),
            })
        })
        .collect()
}

/// A task's offers: `[[id, human_id, kind, status, pitch,
/// proposed_compensation_minor, created_at, updated_at], …]`.
pub(crate) fn offers(text: &str, task_id: &str) -> StoreResult<Vec<OfferRecord>> {
    type Columns = (
        String,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        String,
        String,
    );
    let rows: Vec<Columns> = from_json("offers", text)?;
    rows.into_iter()
        .map(|o| {
            Ok(OfferRecord {
                id: o.0,
                task_id: task_id.to_string(),
                human_id: o.1,
                kind: known("offer kind", &o.2, OfferKind::parse)?,
                status: known("offer status", &o.3, OfferStatus::parse)?,
                pitch: o.4,
                proposed_compensation_minor: o.5,
                created_at: o.6,
                updated_at: o.7,
            })
        })
        .collect()
}

/// A task's newest messages: `[[seq, id, thread, sender_kind, sender_id,
/// text, created_at], …]`, newest first, `limit` and one more (the one more
/// says older messages exist). Answers at most `limit`, oldest first, and
/// whether older ones exist.
pub(crate) fn newest_messages(
    text: &str,
    task_id: &str,
    limit: u32,
) -> StoreResult<(Vec<MessageRecord>, bool)> {
    type Columns = (i64, String, String, String, String, String, String);
    let mut rows: Vec<Columns> = from_json("messages", text)?;
    let older = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let messages = rows
        .into_iter()
        .rev()
        .map(|m| MessageRecord {
            seq: m.0,
            id: m.1,
            task_id: task_id.to_string(),
            thread: m.2,
            sender_kind: m.3,
            sender_id: m.4,
            text: m.5,
            created_at: m.6,
        })
        .collect();
    Ok((messages, older))
}

/// Other servers' rate-limit usage as read (instance, round, class, key,
/// count, age in ms), past each instance's last round read (`seen`).
pub(crate) fn peer_rate_usage(
    rows: Vec<(String, i64, i64, i64, i64, i64)>,
    seen: &[(String, i64)],
) -> Vec<PeerRateUsage> {
    let seen: std::collections::HashMap<&str, i64> =
        seen.iter().map(|(i, r)| (i.as_str(), *r)).collect();
    rows.into_iter()
        .filter(|(instance, round, ..)| seen.get(instance.as_str()).is_none_or(|s| round > s))
        .map(
            |(instance, round, class, key, count, age_ms)| PeerRateUsage {
                instance,
                round,
                usage: RateUsage {
                    class: i16::try_from(class).unwrap_or(i16::MAX),
                    key,
                    count,
                },
                age_ms: age_ms.max(0),
            },
        )
        .collect()
}

/// A stored event batch from its columns (`seq`, `source`, `body`,
/// `msg_ids`: the connector message ids, one per line, or NULL).
pub(crate) fn stored_batch(
    (seq, source, body, msg_ids): (i64, String, String, Option<String>),
) -> StoredBatch {
    StoredBatch {
        seq,
        source,
        body,
        msg_ids: msg_ids
            .map(|m| m.lines().map(str::to_string).collect())
            .unwrap_or_default(),
    }
}
