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

/// Host change numbers kept: the store's host writes drop older ones.
pub(super) const HOST_CHANGES_KEPT: i64 = 1_000_000;

/// Drops all but the newest [`HOST_CHANGES_KEPT`] change numbers (one range
/// delete at the table's left edge), in a host write's transaction.
pub(super) async fn prune_host_changes(tx: &mut sqlx::SqliteConnection) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM host_changes WHERE change < (SELECT MAX(change) FROM host_changes) - $1",
    )
    .bind(HOST_CHANGES_KEPT)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub(super) async fn host_changes(
    db: &SqlitePool,
    mark: i64,
    after: Option<(i64, i64)>,
    limit: u32,
) -> StoreResult<Vec<HostChange>> {
    // Change numbers are unique, so the change alone orders the pages.
    let after = after.map_or(i64::MIN, |(change, _)| change);
    let mut tx = db.begin().await?;
    let oldest: Option<i64> = sqlx::query_scalar("SELECT MIN(change) FROM host_changes")
        .fetch_one(&mut *tx)
        .await?;
    if oldest.is_some_and(|oldest| oldest > mark) {
        // Changes the caller has not read were dropped.
        return Err(StoreError::NotFound);
    }
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
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
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

#[cfg(test)]
mod tests {
    use super::super::SqliteStore;
    use crate::*;

    fn host_write(id: &str) -> HostWrite {
        let profile = serde_json::json!({"human_id": id, "name": id, "platform": "tiktok"});
        HostWrite {
            id: id.into(),
            fields: livehire_domain::host::search_fields(&profile),
            public_json: profile.to_string(),
            profile,
            now: "t".into(),
        }
    }

    #[tokio::test]
    async fn host_changes_come_in_order_from_the_mark_until_they_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        store
            .upsert_hosts(&[host_write("ph_profile_a")])
            .await
            .unwrap();
        let mark = store.host_change_mark().await.unwrap();
        assert!(store.host_changes(mark, None, 10).await.unwrap().is_empty());
        store
            .upsert_hosts(&[host_write("ph_profile_b"), host_write("ph_profile_a")])
            .await
            .unwrap();
        let ids = |changes: Vec<HostChange>| -> Vec<String> {
            changes.into_iter().map(|c| c.row.id).collect()
        };
        assert_eq!(
            ids(store.host_changes(mark, None, 10).await.unwrap()),
            ["ph_profile_b", "ph_profile_a"]
        );
        let first = store.host_changes(mark, None, 1).await.unwrap();
        let after = first.last().map(|c| (c.change, c.row.seq));
        assert_eq!(
            ids(store.host_changes(mark, after, 10).await.unwrap()),
            ["ph_profile_a"]
        );
        // Changes the mark has not read were dropped: the caller must reload.
        sqlx::query(
            "DELETE FROM host_changes WHERE change < (SELECT MAX(change) FROM host_changes)",
        )
        .execute(&store.writer)
        .await
        .unwrap();
        assert!(matches!(
            store.host_changes(mark, None, 10).await,
            Err(StoreError::NotFound)
        ));
        store.close().await;
    }
}
