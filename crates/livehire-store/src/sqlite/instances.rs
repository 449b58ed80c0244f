//! What servers sharing the database read of each other's writes: host
//! changes (for their search indexes) and rate-limit usage.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use super::host_search::host_index_row;
use crate::*;

/// The database's clock in Unix milliseconds.
const NOW_MS: &str = "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)";

/// Past the highest change number: the next write gets at least this.
pub(super) async fn host_change_mark(db: &SqlitePool) -> StoreResult<i64> {
    let mark: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(change), 0) + 1 FROM host_changes")
        .fetch_one(db)
        .await?;
    Ok(mark)
}

fn tags(row: &SqliteRow, column: &str) -> StoreResult<Vec<String>> {
    let list: String = row.try_get(column)?;
    serde_json::from_str(&list)
        .map_err(|e| StoreError::Other(anyhow::anyhow!("host tags ({column}): {e}")))
}

pub(super) async fn host_changes(
    db: &SqlitePool,
    mark: i64,
    after: Option<(i64, i64)>,
    limit: u32,
) -> StoreResult<Vec<HostChange>> {
    // Change numbers are unique, so the change alone orders the pages.
    let after = after.map_or(i64::MIN, |(change, _)| change);
    let rows = sqlx::query(
        "SELECT c.change AS change, h.seq, h.id, h.platform, h.followers, h.avg_live_viewers, \
         h.avg_gmv_cents, h.conversion_rate, h.rating, h.engagement_rate, h.min_rate_cents, \
         h.tiktok_shop_verified, h.live_commerce_experience, h.search_text, h.public_json, \
         (SELECT json_group_array(skill) FROM host_skills WHERE host_seq = h.seq) AS skills, \
         (SELECT json_group_array(niche) FROM host_niches WHERE host_seq = h.seq) AS niches \
         FROM host_changes c JOIN hosts h ON h.seq = c.host_seq \
         WHERE c.change >= $1 AND c.change > $2 ORDER BY c.change LIMIT $3",
    )
    .bind(mark)
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HostChange {
                change: r.try_get("change")?,
                row: host_index_row(r)?,
                skills: tags(r, "skills")?,
                niches: tags(r, "niches")?,
            })
        })
        .collect()
}

pub(super) async fn exchange_rate_usage(
    writer: &SqlitePool,
    reader: &SqlitePool,
    instance: &str,
    round: i64,
    usage: &[RateUsage],
    seen: &[(String, i64)],
    window_ms: i64,
) -> StoreResult<Vec<PeerRateUsage>> {
    if !usage.is_empty() || round % 16 == 0 {
        let mut tx = writer.begin().await?;
        for chunk in usage.chunks(200) {
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT OR REPLACE INTO rate_usage (instance, round, class, key, count, at_ms) ",
            );
            qb.push_values(chunk, |mut b, u| {
                b.push_bind(instance)
                    .push_bind(round)
                    .push_bind(i64::from(u.class))
                    .push_bind(u.key)
                    .push_bind(u.count)
                    .push(NOW_MS);
            });
            qb.build().execute(&mut *tx).await?;
        }
        if round % 16 == 0 {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM rate_usage WHERE at_ms < {NOW_MS} - 60000"
            )))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    let rows: Vec<(String, i64, i64, i64, i64, i64)> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT instance, round, class, key, count, {NOW_MS} - at_ms FROM rate_usage \
         WHERE instance <> $1 AND at_ms >= {NOW_MS} - $2"
        )))
        .bind(instance)
        .bind(window_ms)
        .fetch_all(reader)
        .await?;
    Ok(crate::columns::peer_rate_usage(rows, seen))
}
