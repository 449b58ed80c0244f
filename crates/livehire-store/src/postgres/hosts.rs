//! Hosts: writes with their skill and niche tags and their one TikTok handle,
//! reads by id, and the verified figures kept of their sessions.

use sqlx::postgres::PgRow;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

use super::common::json;
use crate::*;

/// Rows inserted per multi-row INSERT when seeding (well under PostgreSQL's bind limit).
const UPSERT_CHUNK: usize = 500;

pub(super) fn host_from_row(row: &PgRow) -> StoreResult<HostRecord> {
    Ok(HostRecord {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        profile: json(row.try_get("profile")?)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn push_host_insert(qb: &mut QueryBuilder<Postgres>, hosts: &[HostWrite]) {
    qb.push(
        "INSERT INTO hosts (id, platform, followers, avg_live_viewers, avg_gmv_cents, conversion_rate, \
         rating, engagement_rate, min_rate_cents, tiktok_shop_verified, live_commerce_experience, \
         search_text, tiktok_handle_key, profile, public_json, created_at, updated_at) ",
    );
    // SQLite keeps a REAL -0.0 as 0.0 (and the search index follows it);
    // PostgreSQL keeps the sign. Adding +0.0 turns -0.0 into 0.0.
    qb.push_values(hosts, |mut b, h| {
        let f = &h.fields;
        b.push_bind(h.id.clone())
            .push_bind(f.platform.clone())
            .push_bind(f.followers)
            .push_bind(f.avg_live_viewers)
            .push_bind(f.avg_gmv_cents)
            .push_bind(f.conversion_rate + 0.0)
            .push_bind(f.rating + 0.0)
            .push_bind(f.engagement_rate + 0.0)
            .push_bind(f.min_rate_cents)
            .push_bind(f.tiktok_shop_verified)
            .push_bind(f.live_commerce_experience)
            .push_bind(f.search_text.clone())
            .push_bind(f.tiktok_handle_key.clone())
            .push_bind(h.profile.to_string())
            .push_bind(h.public_json.clone())
            .push_bind(h.now.clone())
            .push_bind(h.now.clone());
    });
    qb.push(
        " ON CONFLICT (id) DO UPDATE SET platform = excluded.platform, followers = excluded.followers, \
         avg_live_viewers = excluded.avg_live_viewers, avg_gmv_cents = excluded.avg_gmv_cents, \
         conversion_rate = excluded.conversion_rate, rating = excluded.rating, \
         engagement_rate = excluded.engagement_rate, min_rate_cents = excluded.min_rate_cents, \
         tiktok_shop_verified = excluded.tiktok_shop_verified, \
         live_commerce_experience = excluded.live_commerce_experience, search_text = excluded.search_text, \
         tiktok_handle_key = excluded.tiktok_handle_key, profile = excluded.profile, public_json = excluded.public_json, updated_at = excluded.updated_at \
         RETURNING seq, id, (xmax = 0) AS inserted",
    );
}

async fn write_host_tags(
    tx: &mut sqlx::PgConnection,
    hosts: &[HostWrite],
    seqs: &std::collections::HashMap<String, i64>,
) -> StoreResult<()> {
    let seq_list: Vec<i64> = hosts
        .iter()
        .filter_map(|h| seqs.get(&h.id).copied())
        .collect();
    for table in ["host_skills", "host_niches"] {
        let mut del =
            QueryBuilder::<Postgres>::new(format!("DELETE FROM {table} WHERE host_seq IN ("));
        let mut sep = del.separated(", ");
        for s in &seq_list {
            sep.push_bind(*s);
        }
        sep.push_unseparated(")");
        del.build().execute(&mut *tx).await?;
    }
    let mut skills: Vec<(String, i64)> = Vec::new();
    let mut niches: Vec<(String, i64)> = Vec::new();
    for h in hosts {
        let Some(&seq) = seqs.get(&h.id) else {
            continue;
        };
        let mut seen = std::collections::HashSet::new();
        for s in &h.fields.skills {
            if seen.insert(("s", s.as_str())) {
                skills.push((s.clone(), seq));
            }
        }
        for n in &h.fields.niches {
            if seen.insert(("n", n.as_str())) {
                niches.push((n.clone(), seq));
            }
        }
    }
    for (table, col, rows) in [
        ("host_skills", "skill", skills),
        ("host_niches", "niche", niches),
    ] {
        for chunk in rows.chunks(5_000) {
            let mut qb =
                QueryBuilder::<Postgres>::new(format!("INSERT INTO {table} ({col}, host_seq) "));
            qb.push_values(chunk, |mut b, (tag, seq)| {
                b.push_bind(tag.clone()).push_bind(*seq);
            });
            qb.build().execute(&mut *tx).await?;
        }
    }
    Ok(())
}

/// Whether a write failed on the unique index of TikTok handles.
fn handle_taken(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation() && d.constraint() == Some("hosts_by_handle_key"))
}

/// The handle (as given) of the first host in `hosts` whose handle another
/// host holds: one earlier in the batch or one already stored.
async fn taken_handle(tx: &mut sqlx::PgConnection, hosts: &[HostWrite]) -> StoreResult<String> {
    let mut seen = std::collections::HashMap::new();
    for h in hosts {
        if let Some(key) = &h.fields.tiktok_handle_key
            && seen.insert(key, &h.id).is_some_and(|id| *id != h.id)
        {
            return Ok(h.fields.tiktok_handle.trim().to_string());
        }
    }
    for h in hosts {
        let Some(key) = &h.fields.tiktok_handle_key else {
            continue;
        };
        let holder: Option<String> = sqlx::query_scalar(
            "SELECT id FROM hosts WHERE tiktok_handle_key = $1 AND id <> $2 LIMIT 1",
        )
        .bind(key)
        .bind(&h.id)
        .fetch_optional(&mut *tx)
        .await?;
        if holder.is_some() {
            return Ok(h.fields.tiktok_handle.trim().to_string());
        }
    }
    Err(StoreError::Other(anyhow::anyhow!(
        "a TikTok handle was refused as taken, but no host holds it"
    )))
}

/// Inserts or replaces hosts (with the first key of a new one); one
/// transaction. HandleTaken, and nothing written, when a host's TikTok
/// handle is another's.
pub(super) async fn write_hosts(
    db: &PgPool,
    hosts: &[HostWrite],
    key_digest: Option<&str>,
) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let mut new = 0u64;
    for chunk in hosts.chunks(UPSERT_CHUNK) {
        let mut qb = QueryBuilder::<Postgres>::new("");
        push_host_insert(&mut qb, chunk);
        let rows = match qb.build().fetch_all(&mut *tx).await {
            Err(e) if handle_taken(&e) => {
                // The failed statement aborted the transaction: look the
                // holder up outside it.
                tx.rollback().await?;
                let mut conn = db.acquire().await?;
                return Err(StoreError::HandleTaken {
                    handle: taken_handle(&mut conn, chunk).await?,
                });
            }
            other => other?,
        };
        let mut seqs = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            let seq: i64 = r.try_get("seq")?;
            if r.try_get::<bool, _>("inserted")? {
                new += 1;
            }
            seqs.insert(r.try_get::<String, _>("id")?, seq);
        }
        write_host_tags(&mut tx, chunk, &seqs).await?;
    }
    if let (Some(digest), Some(h)) = (key_digest, hosts.first()) {
        sqlx::query("INSERT INTO api_keys (digest, owner_kind, owner_id, created_at) VALUES ($1, 'host', $2, $3)")
            .bind(digest)
            .bind(&h.id)
            .bind(&h.now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(new)
}

pub(super) async fn create_host(
    db: &PgPool,
    host: &HostWrite,
    key_digest: &str,
) -> StoreResult<()> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT seq FROM hosts WHERE id = $1")
        .bind(&host.id)
        .fetch_optional(db)
        .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!(
            "host {} already exists",
            host.id
        )));
    }
    write_hosts(db, std::slice::from_ref(host), Some(key_digest)).await?;
    Ok(())
}

pub(super) async fn host(db: &PgPool, id: &str) -> StoreResult<HostRecord> {
    let row =
        sqlx::query("SELECT id, seq, profile, created_at, updated_at FROM hosts WHERE id = $1")
            .bind(id)
            .fetch_one(db)
            .await?;
    host_from_row(&row)
}

pub(super) async fn hosts_by_ids(db: &PgPool, ids: &[String]) -> StoreResult<Vec<HostRecord>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut qb = QueryBuilder::<Postgres>::new(
            "SELECT id, seq, profile, created_at, updated_at FROM hosts WHERE id IN (",
        );
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(id.clone());
        }
        sep.push_unseparated(")");
        for row in qb.build().fetch_all(db).await? {
            out.push(host_from_row(&row)?);
        }
    }
    Ok(out)
}

pub(super) async fn host_count(db: &PgPool) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hosts")
        .fetch_one(db)
        .await?;
    Ok(n as u64)
}

pub(super) async fn session_results(
    db: &PgPool,
    human_id: &str,
) -> StoreResult<Vec<SessionResultRecord>> {
    let rows: Vec<(String, String, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT session_id, task_id, human_id, currency, gmv_minor, figures, created_at \
         FROM session_results WHERE human_id = $1 ORDER BY created_at, session_id",
    )
    .bind(human_id)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(
            |(session_id, task_id, human_id, currency, gmv_minor, figures, created_at)| {
                Ok(SessionResultRecord {
                    session_id,
                    task_id,
                    human_id,
                    currency,
                    gmv_minor,
                    figures: serde_json::from_str(&figures)
                        .map_err(|e| StoreError::Other(e.into()))?,
                    created_at,
                })
            },
        )
        .collect()
}
