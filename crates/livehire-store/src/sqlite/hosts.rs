//! Hosts: writes with their skill and niche tags and their one TikTok handle,
//! reads by id, and the verified figures kept of their sessions.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::common::json;
use crate::*;

/// Rows inserted per multi-row INSERT when seeding (well under SQLite's bind limit).
const UPSERT_CHUNK: usize = 500;

pub(super) fn host_from_row(row: &SqliteRow) -> StoreResult<HostRecord> {
    Ok(HostRecord {
        id: row.try_get("id")?,
        seq: row.try_get("seq")?,
        profile: json(row.try_get("profile")?)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn push_host_insert(qb: &mut QueryBuilder<Sqlite>, hosts: &[HostWrite]) {
    qb.push(
        "INSERT INTO hosts (id, platform, followers, avg_live_viewers, avg_gmv_cents, conversion_rate, \
         rating, engagement_rate, min_rate_cents, tiktok_shop_verified, live_commerce_experience, \
         search_text, tiktok_handle_key, profile, public_json, created_at, updated_at) ",
    );
    qb.push_values(hosts, |mut b, h| {
        let f = &h.fields;
        b.push_bind(h.id.clone())
            .push_bind(f.platform.clone())
            .push_bind(f.followers)
            .push_bind(f.avg_live_viewers)
            .push_bind(f.avg_gmv_cents)
            .push_bind(f.conversion_rate)
            .push_bind(f.rating)
            .push_bind(f.engagement_rate)
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
         RETURNING seq, id",
    );
}

async fn write_host_tags(
    tx: &mut sqlx::SqliteConnection,
    hosts: &[HostWrite],
    seqs: &std::collections::HashMap<String, i64>,
) -> StoreResult<()> {
    let seq_list: Vec<i64> = hosts
        .iter()
        .filter_map(|h| seqs.get(&h.id).copied())
        .collect();
    for table in ["host_skills", "host_niches"] {
        let mut del =
            QueryBuilder::<Sqlite>::new(format!("DELETE FROM {table} WHERE host_seq IN ("));
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
                QueryBuilder::<Sqlite>::new(format!("INSERT INTO {table} ({col}, host_seq) "));
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
        .is_some_and(|d| d.is_unique_violation() && d.message().contains("tiktok_handle_key"))
}

/// The handle (as given) of the first host in `hosts` whose handle another
/// host holds: one earlier in the batch or one already stored.
async fn taken_handle(tx: &mut sqlx::SqliteConnection, hosts: &[HostWrite]) -> StoreResult<String> {
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
    db: &SqlitePool,
    hosts: &[HostWrite],
    key_digest: Option<&str>,
) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM hosts")
        .fetch_one(&mut *tx)
        .await?;
    let mut new = 0u64;
    for chunk in hosts.chunks(UPSERT_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("");
        push_host_insert(&mut qb, chunk);
        let rows = match qb.build().fetch_all(&mut *tx).await {
            Err(e) if handle_taken(&e) => {
                return Err(StoreError::HandleTaken {
                    handle: taken_handle(&mut tx, chunk).await?,
                });
            }
            other => other?,
        };
        let mut seqs = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            let seq: i64 = r.try_get("seq")?;
            if seq > before {
                new += 1;
            }
            seqs.insert(r.try_get::<String, _>("id")?, seq);
        }
        write_host_tags(&mut tx, chunk, &seqs).await?;
    }
    super::instances::prune_host_changes(&mut tx).await?;
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
    reader: &SqlitePool,
    writer: &SqlitePool,
    host: &HostWrite,
    key_digest: &str,
) -> StoreResult<()> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT seq FROM hosts WHERE id = $1")
        .bind(&host.id)
        .fetch_optional(reader)
        .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!(
            "host {} already exists",
            host.id
        )));
    }
    write_hosts(writer, std::slice::from_ref(host), Some(key_digest)).await?;
    Ok(())
}

pub(super) async fn host(db: &SqlitePool, id: &str) -> StoreResult<HostRecord> {
    let row =
        sqlx::query("SELECT id, seq, profile, created_at, updated_at FROM hosts WHERE id = $1")
            .bind(id)
            .fetch_one(db)
            .await?;
    host_from_row(&row)
}

pub(super) async fn hosts_by_ids(db: &SqlitePool, ids: &[String]) -> StoreResult<Vec<HostRecord>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new(
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

pub(super) async fn host_count(db: &SqlitePool) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hosts")
        .fetch_one(db)
        .await?;
    Ok(n as u64)
}

pub(super) async fn session_results(
    db: &SqlitePool,
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use serde_json::{Value, json};
    use sqlx::sqlite::SqliteConnectOptions;

    use super::*;

    /// A legacy host row: figures don't matter, the profile and search text do.
    async fn legacy_host(db: &SqlitePool, id: &str, profile: Value, search_text: &str, key: bool) {
        sqlx::query(
            "INSERT INTO hosts (id, platform, followers, avg_live_viewers, avg_gmv_cents, conversion_rate, \
             rating, engagement_rate, tiktok_shop_verified, live_commerce_experience, search_text, profile, \
             public_json, created_at, updated_at) VALUES ($1, 'tiktok', 1, 1, 1, 0.05, 0, 0, 1, 1, $2, $3, $3, 't', 't')",
        )
        .bind(id)
        .bind(search_text)
        .bind(profile.to_string())
        .execute(db)
        .await
        .unwrap();
        if key {
            sqlx::query("INSERT INTO api_keys (digest, owner_kind, owner_id, created_at) VALUES ($1, 'host', $2, 't')")
                .bind(format!("digest-{id}"))
                .bind(id)
                .execute(db)
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn migration_0009_keeps_the_earliest_handle_and_serves_only_verified_values() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        {
            // A database as the release before 0009 left it.
            let db = SqlitePool::connect_with(
                SqliteConnectOptions::from_str(&url)
                    .unwrap()
                    .create_if_missing(true),
            )
            .await
            .unwrap();
            let mut before = sqlx::migrate!("./migrations/sqlite");
            before.migrations = before
                .migrations
                .iter()
                .filter(|m| m.version < 9)
                .cloned()
                .collect::<Vec<_>>()
                .into();
            before.run(&db).await.unwrap();
            let chen = json!({"human_id": "ph_profile_tiktok_live_001", "name": "Live Queen Chen",
                "tiktok_handle": "@livequeenchen", "rating": 4.9, "completion_count": 89,
                "badges": ["top_live_seller", "tiktok_shop_verified"], "bio": "Chen",
                "tiktok_shop_verified": true, "metrics_source": "self_reported"});
            let copy = json!({"human_id": "ph_profile_copy", "name": "Live Queen Chen",
                "tiktok_handle": " @LiveQueenChen", "badges": ["top_live_seller", "tiktok_shop_verified"],
                "bio": "Chen", "completion_count": 0, "rating": null, "metrics_source": "self_reported"});
            let plain = json!({"human_id": "ph_profile_plain", "name": "Plain", "tiktok_handle": "@Plain",
                "tiktok_shop_verified": true, "completion_count": 0, "rating": null});
            legacy_host(
                &db,
                "ph_profile_tiktok_live_001",
                chen,
                "live queen chen @livequeenchen chen  ",
                false,
            )
            .await;
            legacy_host(
                &db,
                "ph_profile_copy",
                copy,
                "live queen chen  @livequeenchen chen  ",
                true,
            )
            .await;
            legacy_host(&db, "ph_profile_plain", plain, "plain @plain    ", true).await;
            db.close().await;
        }
        let store = SqliteStore::connect(&url).await.unwrap();
        let row = |id: &'static str| {
            let db = store.reader.clone();
            async move {
                sqlx::query_as::<_, (Option<String>, bool, String, String, String)>(
                    "SELECT tiktok_handle_key, tiktok_shop_verified, search_text, profile, public_json \
                     FROM hosts WHERE id = $1",
                )
                .bind(id)
                .fetch_one(&db)
                .await
                .unwrap()
            }
        };
        // The operator's host (no key) keeps the handle; its claims count as verified.
        let (key, verified, _, profile, public) = row("ph_profile_tiktok_live_001").await;
        assert_eq!(key.as_deref(), Some("livequeenchen"));
        assert!(verified);
        assert_eq!(profile, public);
        let profile: Value = serde_json::from_str(&profile).unwrap();
        assert_eq!(profile["tiktok_shop_verified"], true);
        assert_eq!(
            profile["badges"],
            json!(["top_live_seller", "tiktok_shop_verified"])
        );
        assert_eq!(
            profile["self_declared"],
            json!({"tiktok_shop_verified": true, "badges": ["top_live_seller", "tiktok_shop_verified"]})
        );
        assert_eq!(
            profile.get("ratings_count"),
            None,
            "rated by its completions"
        );
        // The later copy loses the handle (kept as a claim) and every badge.
        let (key, verified, text, profile, _) = row("ph_profile_copy").await;
        assert_eq!(key, None);
        assert!(!verified);
        assert_eq!(text, "live queen chen  chen  ");
        let profile: Value = serde_json::from_str(&profile).unwrap();
        assert_eq!(profile.get("tiktok_handle"), None);
        assert_eq!(profile["tiktok_shop_verified"], false);
        assert_eq!(profile["badges"], json!([]));
        assert_eq!(profile["ratings_count"], 0);
        assert_eq!(
            profile["self_declared"],
            json!({"badges": ["top_live_seller", "tiktok_shop_verified"], "tiktok_handle": " @LiveQueenChen"})
        );
        let (key, verified, _, profile, _) = row("ph_profile_plain").await;
        assert_eq!(key.as_deref(), Some("plain"));
        assert!(!verified);
        let profile: Value = serde_json::from_str(&profile).unwrap();
        assert_eq!(
            profile["self_declared"],
            json!({"tiktok_shop_verified": true})
        );
        // What the migration computed is what a write computes now.
        let fields = livehire_domain::host::search_fields(&profile);
        assert_eq!(fields.tiktok_handle_key.as_deref(), Some("plain"));
        assert!(!fields.tiktok_shop_verified);

        // The unique index holds: the copy cannot take the handle back.
        let mut copy: Value = serde_json::from_str(&row("ph_profile_copy").await.3).unwrap();
        copy["tiktok_handle"] = json!("@LIVEQUEENCHEN");
        let write = HostWrite {
            id: "ph_profile_copy".into(),
            fields: livehire_domain::host::search_fields(&copy),
            public_json: copy.to_string(),
            profile: copy,
            now: "t".into(),
        };
        match store.update_host(&write).await {
            Err(StoreError::HandleTaken { handle }) => assert_eq!(handle, "@LIVEQUEENCHEN"),
            other => panic!("{other:?}"),
        }
        store.close().await;
    }
}
