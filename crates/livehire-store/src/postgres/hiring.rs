//! Hiring: a task change applied in one transaction (status, offers,
//! submission, payout, rating, host figures, session state, events, run of
//! show, with its ledger entries), and the reads of offers, invitations,
//! submissions, revisions, payouts, ratings and the saved run of show.

use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder, Row};

use super::common::{json, unique_violation, wire};
use super::ledger::write_entry;
use super::live::insert_batch;
use crate::*;

pub(super) async fn apply_change(db: &PgPool, c: &TaskChange) -> StoreResult<()> {
    let mut tx = db.begin().await?;
    // The task row stays locked to the commit: changes of one task (and of
    // its sessions, offers, submissions, payout and rating) go one at a time,
    // each seeing the last one's outcome.
    let current: Option<String> =
        sqlx::query_scalar("SELECT status FROM tasks WHERE id = $1 FOR UPDATE")
            .bind(&c.task_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(current) = current else {
        return Err(StoreError::NotFound);
    };
    if !c.expect.is_empty() && !c.expect.iter().any(|e| e.as_str() == current) {
        return Err(StoreError::Conflict(current));
    }
    if c.no_live_session {
        let live: Option<String> = sqlx::query_scalar(
            "SELECT id FROM sessions WHERE task_id = $1 AND status = 'live' LIMIT 1",
        )
        .bind(&c.task_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = live {
            return Err(StoreError::Conflict(format!(
                "session {id} is live; end it first with POST /api/v1/sessions/{id}/end"
            )));
        }
    }
    let mut qb = QueryBuilder::<Postgres>::new("UPDATE tasks SET updated_at = ");
    qb.push_bind(c.now.clone());
    if let Some(s) = &c.status {
        qb.push(", status = ").push_bind(s.as_str());
    }
    if let Some(h) = &c.assign {
        qb.push(", assigned_human_id = ").push_bind(h.clone());
    }
    if let Some(e) = c.escrow_minor {
        qb.push(", escrow_minor = ").push_bind(e);
    }
    if let Some(b) = c.agreed_base_minor {
        qb.push(", agreed_base_minor = ").push_bind(b);
    }
    qb.push(" WHERE id = ").push_bind(c.task_id.clone());
    qb.build().execute(&mut *tx).await?;

    for e in &c.ledger {
        write_entry(&mut tx, e).await?;
    }
    if let Some(o) = &c.offer {
        let inserted = sqlx::query(
            "INSERT INTO offers (id, task_id, human_id, kind, status, pitch, proposed_compensation_minor, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&o.id)
        .bind(&o.task_id)
        .bind(&o.human_id)
        .bind(o.kind.as_str())
        .bind(o.status.as_str())
        .bind(&o.pitch)
        .bind(o.proposed_compensation_minor)
        .bind(&o.created_at)
        .bind(&o.updated_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if unique_violation(&e) => {
                return Err(StoreError::Conflict(format!(
                    "{} already has an {} for this task",
                    o.human_id, o.kind
                )));
            }
            other => {
                other?;
            }
        }
    }
    if let Some(h) = &c.involve {
        sqlx::query(
            "INSERT INTO task_hosts (task_id, human_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (task_id, human_id) DO UPDATE SET role = CASE \
               WHEN excluded.role = 'assigned' THEN 'assigned' ELSE task_hosts.role END",
        )
        .bind(&c.task_id)
        .bind(&h.human_id)
        .bind(&h.role)
        .bind(&c.now)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(h) = &c.settle_offers_for {
        sqlx::query(
            "UPDATE offers SET status = CASE WHEN human_id = $1 THEN 'accepted' ELSE 'declined' END, \
             updated_at = $2 WHERE task_id = $3 AND status = 'pending'",
        )
        .bind(h)
        .bind(&c.now)
        .bind(&c.task_id)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(s) = &c.submission {
        sqlx::query(
            "INSERT INTO submissions (task_id, version, human_id, body, created_at) \
             VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM submissions WHERE task_id = $1), $2, $3, $4)",
        )
        .bind(&c.task_id)
        .bind(&s.human_id)
        .bind(s.body.to_string())
        .bind(&s.created_at)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(reason) = &c.revision {
        sqlx::query(
            "INSERT INTO revision_requests (task_id, version, reason, created_at) \
             VALUES ($1, (SELECT COALESCE(MAX(version), 0) FROM submissions WHERE task_id = $1), $2, $3)",
        )
        .bind(&c.task_id)
        .bind(reason)
        .bind(&c.now)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(p) = &c.payout {
        sqlx::query(
            "INSERT INTO payouts (task_id, human_id, currency, total_minor, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&p.task_id)
        .bind(&p.human_id)
        .bind(&p.currency)
        .bind(p.total_minor)
        .bind(p.body.to_string())
        .bind(&p.created_at)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(r) = &c.rating {
        let inserted = sqlx::query(
            "INSERT INTO ratings (task_id, human_id, agent_id, overall_rating, review_text, tip_minor, currency, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&r.task_id)
        .bind(&r.human_id)
        .bind(&r.agent_id)
        .bind(r.overall_rating)
        .bind(&r.review_text)
        .bind(r.tip_minor)
        .bind(&r.currency)
        .bind(&r.created_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if unique_violation(&e) => {
                return Err(StoreError::Conflict(
                    "this task has already been rated".into(),
                ));
            }
            other => {
                other?;
            }
        }
        // The host's rating becomes the average of the ratings given here,
        // and its profile says how many that is (the match score weighs by it).
        let row = sqlx::query(
            "UPDATE hosts SET ratings_count = ratings_count + 1, ratings_sum = ratings_sum + $1, \
             rating = ROUND((ratings_sum + $1)::numeric / (ratings_count + 1), 2)::float8, \
             updated_at = $2 WHERE id = $3 RETURNING rating, ratings_count, profile, public_json",
        )
        .bind(r.overall_rating)
        .bind(&c.now)
        .bind(&r.human_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            let rating: f64 = row.try_get("rating")?;
            let count: i64 = row.try_get("ratings_count")?;
            let set = |doc: &mut Value| {
                if let Some(map) = doc.as_object_mut() {
                    map.insert("rating".into(), Value::from(rating));
                    map.insert("ratings_count".into(), Value::from(count));
                }
            };
            update_host_json(&mut tx, &r.human_id, &row, set).await?;
        }
    }
    if let Some(h) = &c.host_completed {
        let row = sqlx::query(
            "UPDATE hosts SET updated_at = $1 WHERE id = $2 RETURNING profile, public_json",
        )
        .bind(&c.now)
        .bind(h)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            let bump = |doc: &mut Value| {
                if let Some(map) = doc.as_object_mut() {
                    let next = match map.get("completion_count") {
                        Some(n) if n.is_i64() => Value::from(n.as_i64().unwrap_or(0) + 1),
                        Some(n) if n.is_f64() => Value::from(n.as_f64().unwrap_or(0.0) + 1.0),
                        _ => Value::from(1),
                    };
                    map.insert("completion_count".into(), next);
                }
            };
            update_host_json(&mut tx, h, &row, bump).await?;
        }
    }
    if let Some(u) = &c.session {
        let current: Option<String> =
            sqlx::query_scalar("SELECT status FROM sessions WHERE id = $1 AND task_id = $2")
                .bind(&u.session_id)
                .bind(&c.task_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(current) = current else {
            return Err(StoreError::NotFound);
        };
        if !u.expect.is_empty() && !u.expect.iter().any(|e| e.as_str() == current) {
            return Err(StoreError::Conflict(format!("session is {current}")));
        }
        sqlx::query(
            "UPDATE sessions SET status = $1, started_at = COALESCE($2, started_at), \
             ended_at = COALESCE($3, ended_at) WHERE id = $4",
        )
        .bind(u.status.as_str())
        .bind(&u.started_at)
        .bind(&u.ended_at)
        .bind(&u.session_id)
        .execute(&mut *tx)
        .await?;
        super::live::notify_session(&mut tx, &u.session_id).await?;
        if let Some(ended) = &u.ended_at {
            // A flash sale cannot outlive its session.
            sqlx::query(
                "UPDATE flash_sales SET ends_at = $2 WHERE session_id = $1 AND ends_at > $2",
            )
            .bind(&u.session_id)
            .bind(ended)
            .execute(&mut *tx)
            .await?;
        }
    }
    if let Some(b) = &c.events {
        insert_batch(&mut tx, b, &c.now).await?;
    }
    for r in &c.session_results {
        sqlx::query(
            "INSERT INTO session_results (session_id, task_id, human_id, currency, gmv_minor, figures, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&r.session_id)
        .bind(&r.task_id)
        .bind(&r.human_id)
        .bind(&r.currency)
        .bind(r.gmv_minor)
        .bind(r.figures.to_string())
        .bind(&r.created_at)
        .execute(&mut *tx)
        .await?;
    }
    if let Some((body, source)) = &c.run_of_show {
        sqlx::query(
            "INSERT INTO run_of_show (task_id, body, source, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (task_id) DO UPDATE SET body = excluded.body, source = excluded.source, \
             updated_at = excluded.updated_at",
        )
        .bind(&c.task_id)
        .bind(body.to_string())
        .bind(source)
        .bind(&c.now)
        .execute(&mut *tx)
        .await?;
    }
    super::outbox::append(&mut tx, &c.outbox).await?;
    tx.commit().await?;
    Ok(())
}

/// Rewrites a host's stored and served JSON with `edit` applied to each, as
/// SQLite's `json_set` did in place: keys keep their order, a new key goes
/// last. The row was just updated in this transaction, so it stays locked.
async fn update_host_json(
    tx: &mut PgConnection,
    id: &str,
    row: &PgRow,
    edit: impl Fn(&mut Value),
) -> StoreResult<()> {
    let mut profile = json(row.try_get("profile")?)?;
    let mut public = json(row.try_get("public_json")?)?;
    edit(&mut profile);
    edit(&mut public);
    sqlx::query("UPDATE hosts SET profile = $1, public_json = $2 WHERE id = $3")
        .bind(profile.to_string())
        .bind(public.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

fn offer_from_row(r: &PgRow) -> StoreResult<OfferRecord> {
    Ok(OfferRecord {
        id: r.try_get("id")?,
        task_id: r.try_get("task_id")?,
        human_id: r.try_get("human_id")?,
        kind: wire(r, "kind", OfferKind::parse)?,
        status: wire(r, "status", OfferStatus::parse)?,
        pitch: r.try_get("pitch")?,
        proposed_compensation_minor: r.try_get("proposed_compensation_minor")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub(super) async fn offers(
    db: &PgPool,
    task_id: &str,
    kind: Option<&str>,
) -> StoreResult<Vec<OfferRecord>> {
    let rows = sqlx::query(
        "SELECT * FROM offers WHERE task_id = $1 AND ($2 IS NULL OR kind = $2) ORDER BY created_at, id",
    )
    .bind(task_id)
    .bind(kind)
    .fetch_all(db)
    .await?;
    rows.iter().map(offer_from_row).collect()
}

pub(super) async fn host_invitations(
    db: &PgPool,
    human_id: &str,
    before_id: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<HostInvitation>> {
    let rows = sqlx::query(
        "SELECT o.*, t.title AS task_title, t.currency AS task_currency, \
           t.compensation_minor AS task_compensation_minor, t.status AS task_status, \
           (SELECT MIN(s.scheduled_time) FROM sessions s WHERE s.task_id = t.id) \
             AS task_scheduled_time \
         FROM offers o JOIN tasks t ON t.id = o.task_id \
         WHERE o.human_id = $1 AND o.kind = 'invitation' AND ($2 IS NULL OR o.id < $2) \
         ORDER BY o.id DESC LIMIT $3",
    )
    .bind(human_id)
    .bind(before_id)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HostInvitation {
                offer: offer_from_row(r)?,
                title: r.try_get("task_title")?,
                currency: r.try_get("task_currency")?,
                compensation_minor: r.try_get("task_compensation_minor")?,
                task_status: wire(r, "task_status", TaskStatus::parse)?,
                scheduled_time: r.try_get("task_scheduled_time")?,
            })
        })
        .collect()
}

pub(super) async fn submissions(db: &PgPool, task_id: &str) -> StoreResult<Vec<SubmissionRecord>> {
    let rows = sqlx::query("SELECT * FROM submissions WHERE task_id = $1 ORDER BY version")
        .bind(task_id)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(SubmissionRecord {
                task_id: r.try_get("task_id")?,
                version: r.try_get("version")?,
                human_id: r.try_get("human_id")?,
                body: json(r.try_get("body")?)?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

pub(super) async fn revisions(db: &PgPool, task_id: &str) -> StoreResult<Vec<RevisionRecord>> {
    let rows = sqlx::query("SELECT * FROM revision_requests WHERE task_id = $1 ORDER BY version")
        .bind(task_id)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(RevisionRecord {
                version: r.try_get("version")?,
                reason: r.try_get("reason")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

pub(super) async fn payout(db: &PgPool, task_id: &str) -> StoreResult<Option<PayoutRecord>> {
    let row = sqlx::query("SELECT * FROM payouts WHERE task_id = $1")
        .bind(task_id)
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        Ok(PayoutRecord {
            task_id: r.try_get("task_id")?,
            human_id: r.try_get("human_id")?,
            currency: r.try_get("currency")?,
            total_minor: r.try_get("total_minor")?,
            body: json(r.try_get("body")?)?,
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

pub(super) async fn ratings(
    db: &PgPool,
    task_id: Option<&str>,
    human_id: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<RatingRecord>> {
    let rows = sqlx::query(
        "SELECT * FROM ratings WHERE ($1 IS NULL OR task_id = $1) AND ($2 IS NULL OR human_id = $2) \
         ORDER BY created_at DESC LIMIT $3",
    )
    .bind(task_id)
    .bind(human_id)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RatingRecord {
                task_id: r.try_get("task_id")?,
                human_id: r.try_get("human_id")?,
                agent_id: r.try_get("agent_id")?,
                overall_rating: r.try_get("overall_rating")?,
                review_text: r.try_get("review_text")?,
                tip_minor: r.try_get("tip_minor")?,
                currency: r.try_get("currency")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

pub(super) async fn run_of_show(
    db: &PgPool,
    task_id: &str,
) -> StoreResult<Option<(Value, String, String)>> {
    let row = sqlx::query("SELECT body, source, updated_at FROM run_of_show WHERE task_id = $1")
        .bind(task_id)
        .fetch_optional(db)
        .await?;
    row.map(|r| {
        Ok((
            json(r.try_get("body")?)?,
            r.try_get("source")?,
            r.try_get("updated_at")?,
        ))
    })
    .transpose()
}
