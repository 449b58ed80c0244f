//! Hosts as search sees them: the SQL search (keyset pagination by sort value
//! and seq), and the reads that load and refresh the in-memory search index.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use livehire_domain::search::{HostQuery, SortKey};
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use crate::*;

/// The columns [`host_index_row`] reads.
macro_rules! host_index_columns {
    () => {
        "seq, id, platform, followers, avg_live_viewers, avg_gmv_cents, conversion_rate, rating, \
         engagement_rate, min_rate_cents, tiktok_shop_verified, live_commerce_experience, \
         search_text, public_json"
    };
}

/// A slice of [`Store::all_hosts_for_index`]: hosts after a seq, in seq order.
const HOSTS_FOR_INDEX_AFTER: &str = concat!(
    "SELECT ",
    host_index_columns!(),
    " FROM hosts WHERE seq > $1 ORDER BY seq LIMIT $2"
);

/// [`Store::hosts_for_index`], up to the id list.
const HOSTS_FOR_INDEX_BY_ID: &str = concat!(
    "SELECT ",
    host_index_columns!(),
    " FROM hosts WHERE id IN ("
);

pub(super) fn host_index_row(row: &SqliteRow) -> StoreResult<HostIndexRow> {
    Ok(HostIndexRow {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        platform: row.try_get("platform")?,
        followers: row.try_get("followers")?,
        avg_live_viewers: row.try_get("avg_live_viewers")?,
        avg_gmv_cents: row.try_get("avg_gmv_cents")?,
        conversion_rate: row.try_get("conversion_rate")?,
        rating: row.try_get("rating")?,
        engagement_rate: row.try_get("engagement_rate")?,
        min_rate_cents: row.try_get("min_rate_cents")?,
        tiktok_shop_verified: row.try_get("tiktok_shop_verified")?,
        live_commerce_experience: row.try_get("live_commerce_experience")?,
        search_text: row.try_get("search_text")?,
        public_json: row.try_get("public_json")?,
    })
}

fn sort_column(sort: SortKey) -> &'static str {
    match sort {
        SortKey::AvgGmv => "avg_gmv_cents",
        SortKey::ConversionRate => "conversion_rate",
        SortKey::AvgViewers => "avg_live_viewers",
        SortKey::EngagementRate => "engagement_rate",
        SortKey::Followers => "followers",
        SortKey::Rating | SortKey::Match => "rating",
    }
}

/// A keyset cursor: the sort value and seq of the last row of a page.
fn encode_cursor(value: &Value, seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!([value, seq]).to_string())
}

fn decode_cursor(cursor: &str) -> Option<(Value, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    let arr = v.as_array()?;
    Some((arr.first()?.clone(), arr.get(1)?.as_i64()?))
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub(super) async fn search_hosts(db: &SqlitePool, q: &HostQuery) -> StoreResult<HostPage> {
    let col = sort_column(q.sort);
    let real = matches!(
        q.sort,
        SortKey::ConversionRate | SortKey::EngagementRate | SortKey::Rating | SortKey::Match
    );
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "SELECT seq, public_json, {col} AS sort_value FROM hosts WHERE 1 = 1"
    ));
    if let Some(p) = &q.platform {
        qb.push(" AND platform = ").push_bind(p.clone());
    }
    for skill in &q.skills {
        qb.push(" AND EXISTS (SELECT 1 FROM host_skills s WHERE s.skill = ")
            .push_bind(skill.clone())
            .push(" AND s.host_seq = hosts.seq)");
    }
    if q.live_commerce_category {
        qb.push(" AND live_commerce_experience = 1");
    }
    if let Some(expr) = &q.niche {
        qb.push(" AND (");
        for (i, all) in expr.dnf().iter().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            qb.push("(");
            for (j, niche) in all.iter().enumerate() {
                if j > 0 {
                    qb.push(" AND ");
                }
                qb.push("EXISTS (SELECT 1 FROM host_niches n WHERE n.niche = ")
                    .push_bind(niche.clone())
                    .push(" AND n.host_seq = hosts.seq)");
            }
            qb.push(")");
        }
        qb.push(")");
    }
    let int_bounds = [
        ("followers", q.min_followers),
        ("avg_live_viewers", q.min_avg_live_viewers),
        ("avg_gmv_cents", q.min_avg_gmv_cents),
    ];
    for (c, bound) in int_bounds {
        if let Some(b) = bound {
            qb.push(format!(" AND {c} >= ")).push_bind(b);
        }
    }
    for (c, bound) in [
        ("conversion_rate", q.min_conversion_rate),
        ("rating", q.min_rating),
    ] {
        if let Some(b) = bound {
            qb.push(format!(" AND {c} >= ")).push_bind(b);
        }
    }
    if let Some(max) = q.max_rate_cents {
        qb.push(" AND min_rate_cents <= ").push_bind(max);
    }
    for (c, flag) in [
        ("tiktok_shop_verified", q.tiktok_shop_verified),
        ("live_commerce_experience", q.live_commerce_experience),
    ] {
        if let Some(f) = flag {
            qb.push(format!(" AND {c} = ")).push_bind(f);
        }
    }
    if let Some(text) = &q.q {
        qb.push(" AND search_text LIKE ")
            .push_bind(format!("%{}%", escape_like(text)))
            .push(" ESCAPE '\\'");
    }
    let (cmp, dir) = if q.ascending {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    if let Some(cursor) = &q.cursor {
        let (value, seq) = decode_cursor(cursor)
            .ok_or_else(|| StoreError::Conflict("cursor is not one this server issued".into()))?;
        qb.push(format!(" AND ({col} {cmp} "));
        if real {
            let v = value.as_f64().unwrap_or(0.0);
            qb.push_bind(v).push(format!(" OR ({col} = ")).push_bind(v);
        } else {
            let v = value.as_i64().unwrap_or(0);
            qb.push_bind(v).push(format!(" OR ({col} = ")).push_bind(v);
        }
        qb.push(format!(" AND seq {cmp} "))
            .push_bind(seq)
            .push("))");
    }
    qb.push(format!(" ORDER BY {col} {dir}, seq {dir} LIMIT "))
        .push_bind(i64::from(q.limit) + 1);

    let rows = qb.build().fetch_all(db).await?;
    let more = rows.len() > q.limit as usize;
    let mut data = Vec::with_capacity(rows.len().min(q.limit as usize));
    let mut last = None;
    for row in rows.iter().take(q.limit as usize) {
        data.push(row.try_get::<String, _>("public_json")?);
        let seq: i64 = row.try_get("seq")?;
        let v = if real {
            serde_json::json!(row.try_get::<f64, _>("sort_value")?)
        } else {
            serde_json::json!(row.try_get::<i64, _>("sort_value")?)
        };
        last = Some((v, seq));
    }
    let next_cursor = match (more, last) {
        (true, Some((v, seq))) => Some(encode_cursor(&v, seq)),
        _ => None,
    };
    Ok(HostPage { data, next_cursor })
}

pub(super) async fn all_hosts_for_index(db: &SqlitePool) -> StoreResult<HostIndexSnapshot> {
    // In slices by seq, so the raw rows of 100,000 profiles are never all held
    // beside their converted copies. One read transaction: a consistent snapshot.
    const SLICE: i64 = 5_000;
    let mut tx = db.begin().await?;
    let mut out = HostIndexSnapshot::default();
    let mut after = i64::MIN;
    loop {
        let rows = sqlx::query(HOSTS_FOR_INDEX_AFTER)
            .bind(after)
            .bind(SLICE)
            .fetch_all(&mut *tx)
            .await?;
        for row in &rows {
            out.hosts.push(host_index_row(row)?);
        }
        match out.hosts.last() {
            Some(last) if rows.len() as i64 == SLICE => after = last.seq,
            _ => break,
        }
    }
    // One row a host (a JSON array of its tags), not one a tag: far fewer rows to decode.
    let skills: Vec<(i64, String)> = sqlx::query_as(
        "SELECT host_seq, json_group_array(skill) FROM host_skills GROUP BY host_seq",
    )
    .fetch_all(&mut *tx)
    .await?;
    let niches: Vec<(i64, String)> = sqlx::query_as(
        "SELECT host_seq, json_group_array(niche) FROM host_niches GROUP BY host_seq",
    )
    .fetch_all(&mut *tx)
    .await?;
    let tags = |rows: Vec<(i64, String)>| -> StoreResult<Vec<(i64, Vec<String>)>> {
        rows.into_iter()
            .map(|(seq, list)| {
                let list = serde_json::from_str(&list)
                    .map_err(|e| StoreError::Other(anyhow::anyhow!("host tags of {seq}: {e}")))?;
                Ok((seq, list))
            })
            .collect()
    };
    out.skills = tags(skills)?;
    out.niches = tags(niches)?;
    tx.commit().await?;
    Ok(out)
}

pub(super) async fn hosts_for_index(
    db: &SqlitePool,
    ids: &[String],
) -> StoreResult<Vec<HostIndexRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new(HOSTS_FOR_INDEX_BY_ID);
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(id.clone());
        }
        sep.push_unseparated(")");
        for row in qb.build().fetch_all(db).await? {
            out.push(host_index_row(&row)?);
        }
    }
    Ok(out)
}

pub(super) async fn host_seqs(db: &SqlitePool, ids: &[String]) -> StoreResult<Vec<(String, i64)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT id, seq FROM hosts WHERE id IN (");
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(id.clone());
        }
        sep.push_unseparated(")");
        out.extend(qb.build_query_as::<(String, i64)>().fetch_all(db).await?);
    }
    Ok(out)
}
