//! What servers sharing the database read of each other's writes: host
//! changes (for their search indexes) and rate-limit usage.

use sqlx::{PgPool, Row};

use super::host_search::host_index_row;
use crate::*;

/// The database's clock in Unix milliseconds.
const NOW_MS: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

/// The oldest transaction still running (or the next to start): every
/// transaction below it has ended, so its host writes are visible to any
/// read that starts after this one.
pub(super) async fn host_change_mark(db: &PgPool) -> StoreResult<i64> {
    let mark: i64 =
        sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            .fetch_one(db)
            .await?;
    Ok(mark)
}

pub(super) async fn host_changes(
    db: &PgPool,
    mark: i64,
    after: Option<(i64, i64)>,
    limit: u32,
) -> StoreResult<Vec<HostChange>> {
    let (after_change, after_seq) = after.unwrap_or((i64::MIN, i64::MIN));
    let rows = sqlx::query(
        "SELECT h.change_xid, h.seq, h.id, h.platform, h.followers, h.avg_live_viewers, \
         h.avg_gmv_cents, h.conversion_rate, h.rating, h.engagement_rate, h.min_rate_cents, \
         h.tiktok_shop_verified, h.live_commerce_experience, h.search_text, h.public_json, \
         ARRAY(SELECT skill FROM host_skills WHERE host_seq = h.seq) AS skills, \
         ARRAY(SELECT niche FROM host_niches WHERE host_seq = h.seq) AS niches \
         FROM hosts h WHERE h.change_xid >= $1 AND (h.change_xid, h.seq) > ($2, $3) \
         ORDER BY h.change_xid, h.seq LIMIT $4",
    )
    .bind(mark)
    .bind(after_change)
    .bind(after_seq)
    .bind(i64::from(limit))
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HostChange {
                change: r.try_get("change_xid")?,
                row: host_index_row(r)?,
                skills: r.try_get("skills")?,
                niches: r.try_get("niches")?,
            })
        })
        .collect()
}

pub(super) async fn exchange_rate_usage(
    db: &PgPool,
    instance: &str,
    round: i64,
    usage: &[RateUsage],
    seen: &[(String, i64)],
    window_ms: i64,
) -> StoreResult<Vec<PeerRateUsage>> {
    if !usage.is_empty() {
        let classes: Vec<i16> = usage.iter().map(|u| u.class).collect();
        let keys: Vec<i64> = usage.iter().map(|u| u.key).collect();
        let counts: Vec<i64> = usage.iter().map(|u| u.count).collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO rate_usage (instance, round, class, key, count, at_ms) \
             SELECT $1, $2, u.class, u.key, u.count, {NOW_MS} \
             FROM UNNEST($3::smallint[], $4::bigint[], $5::bigint[]) AS u(class, key, count) \
             ON CONFLICT (instance, round, class, key) DO UPDATE SET count = excluded.count"
        )))
        .bind(instance)
        .bind(round)
        .bind(classes)
        .bind(keys)
        .bind(counts)
        .execute(db)
        .await?;
    }
    if round % 16 == 0 {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM rate_usage WHERE at_ms < {NOW_MS} - 60000"
        )))
        .execute(db)
        .await?;
    }
    let (instances, rounds): (Vec<String>, Vec<i64>) = seen.iter().cloned().unzip();
    let rows: Vec<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT u.instance, u.round, u.class::bigint, u.key, u.count, {NOW_MS} - u.at_ms \
         FROM rate_usage u \
         LEFT JOIN UNNEST($2::text[], $3::bigint[]) AS s(instance, round) ON s.instance = u.instance \
         WHERE u.instance <> $1 AND u.at_ms >= {NOW_MS} - $4 AND u.round > COALESCE(s.round, -1)"
    )))
    .bind(instance)
    .bind(instances)
    .bind(rounds)
    .bind(window_ms)
    .fetch_all(db)
    .await?;
    Ok(crate::columns::peer_rate_usage(rows, seen))
}
