//! Operating the SQLite store: whether it can serve (readiness), how its
//! pools are used, and online backups of a database a server is using.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use sqlx::sqlite::SqliteConnectOptions;

use super::SqliteStore;
use crate::PoolUse;

/// How long one readiness check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The database file, and which file (device, inode) it was when the store
/// opened it: a file moved away or replaced under a running server is not
/// the database it writes to.
pub(super) struct DatabaseFile {
    path: PathBuf,
    id: Option<(u64, u64)>,
}

impl DatabaseFile {
    pub(super) fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            id: file_id(path).ok(),
        }
    }

    /// Opens the file afresh, read-only, and reads its schema: what a restart
    /// (or a backup) would need. The pools' connections, opened long ago,
    /// keep working on a file that can no longer be opened.
    fn check(&self) -> Result<(), String> {
        let id = file_id(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
        if self.id.is_some_and(|was| was != id) {
            return Err(format!(
                "{} is no longer the file this server opened (moved or replaced)",
                self.path.display()
            ));
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| format!("opening {}: {e}", self.path.display()))?;
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| format!("reading {}: {e}", self.path.display()))?;
        Ok(())
    }
}

#[cfg(unix)]
fn file_id(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path)?;
    // Reading the metadata needs no permission on the file itself.
    std::fs::File::open(path)?;
    Ok((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> std::io::Result<(u64, u64)> {
    std::fs::File::open(path)?;
    Ok((0, 0))
}

/// Each check, bounded by [`CHECK_TIMEOUT`]: the file, the reader pool, the
/// writer (a `SELECT 1` on the one write connection: it waits its turn
/// behind the writes in progress), the order connection and the task writer.
pub(super) async fn readiness(store: &SqliteStore) -> Vec<(&'static str, Result<(), String>)> {
    let bounded = |what: &'static str| {
        move |r: Result<Result<(), String>, tokio::time::error::Elapsed>| match r {
            Ok(r) => r,
            Err(_) => Err(format!("{what} did not answer within {CHECK_TIMEOUT:?}")),
        }
    };
    let file = store.file.clone();
    let file = tokio::time::timeout(CHECK_TIMEOUT, async move {
        tokio::task::spawn_blocking(move || file.check())
            .await
            .unwrap_or_else(|e| Err(e.to_string()))
    })
    .await;
    let select = |pool: &sqlx::SqlitePool| {
        let pool = pool.clone();
        async move {
            sqlx::query("SELECT 1")
                .execute(&pool)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    };
    let reader = tokio::time::timeout(CHECK_TIMEOUT, select(&store.reader)).await;
    let writer = tokio::time::timeout(CHECK_TIMEOUT, select(&store.writer)).await;
    let orders = tokio::time::timeout(CHECK_TIMEOUT, store.orders.ping()).await;
    let tasks = if store.tasks.is_closed() {
        Err("the task writer has stopped".to_string())
    } else {
        Ok(())
    };
    vec![
        ("database_file", bounded("the database file")(file)),
        ("database_reader", bounded("a reader connection")(reader)),
        ("database_writer", bounded("the writer connection")(writer)),
        ("order_connection", bounded("the order connection")(orders)),
        ("task_writer", tasks),
    ]
}

/// The reader and writer pools' connections, open and idle.
pub(super) fn pool_use(store: &SqliteStore) -> Vec<PoolUse> {
    [("reader", &store.reader), ("writer", &store.writer)]
        .into_iter()
        .map(|(pool, p)| PoolUse {
            pool,
            open: p.size(),
            idle: p.num_idle() as u32,
            max: p.options().get_max_connections(),
        })
        .collect()
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    /// The database backed up.
    pub from: PathBuf,
    /// The backup file.
    pub to: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// How long it took.
    pub took: Duration,
}

/// Backs up the database at `database_url` (`sqlite://PATH`) to a new file
/// `to`, online: `VACUUM INTO` copies one consistent snapshot (a server may
/// keep writing meanwhile; WAL readers never block it), compacted. The copy
/// is checked (`PRAGMA integrity_check`), made durable and only then given
/// its name, so `to` is either a whole backup or absent.
pub async fn backup(database_url: &str, to: &Path) -> anyhow::Result<BackupReport> {
    let from = SqliteConnectOptions::from_str(database_url)?
        .get_filename()
        .to_path_buf();
    let to = to.to_path_buf();
    tokio::task::spawn_blocking(move || backup_blocking(&from, &to)).await?
}

fn backup_blocking(from: &Path, to: &Path) -> anyhow::Result<BackupReport> {
    use anyhow::Context;
    let started = Instant::now();
    anyhow::ensure!(
        !to.exists(),
        "{} exists; back up to a new file",
        to.display()
    );
    anyhow::ensure!(
        from.exists(),
        "no database at {} to back up",
        from.display()
    );
    let name = to
        .file_name()
        .context("the backup needs a file name")?
        .to_string_lossy()
        .to_string();
    let partial = to.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_file(&partial);
    let result = (|| -> anyhow::Result<u64> {
        let src = Connection::open_with_flags(
            from,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("opening {}", from.display()))?;
        src.busy_timeout(Duration::from_secs(30))?;
        let target = partial
            .to_str()
            .context("the backup path is not valid UTF-8")?;
        src.execute("VACUUM INTO ?1", [target])
            .with_context(|| format!("copying {} to {}", from.display(), partial.display()))?;
        drop(src);
        let copy = Connection::open_with_flags(
            &partial,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        anyhow::ensure!(
            check == "ok",
            "the copy failed its integrity check: {check}"
        );
        drop(copy);
        let file = std::fs::File::open(&partial)?;
        file.sync_all()?;
        Ok(file.metadata()?.len())
    })();
    let bytes = match result {
        Ok(b) => b,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, to).with_context(|| format!("naming the backup {}", to.display()))?;
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(BackupReport {
        from: from.to_path_buf(),
        to: to.to_path_buf(),
        bytes,
        took: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[tokio::test]
    async fn a_backup_is_a_checked_copy_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("live.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        sqlx::query("INSERT INTO agents (id, name, created_at) VALUES ('ph_agent_a', 'A', '2036-01-01T00:00:00.000Z')")
            .execute(&store.writer)
            .await
            .unwrap();
        let to = dir.path().join("copy.db");
        let report = backup(&url, &to).await.unwrap();
        assert_eq!(report.bytes, std::fs::metadata(&to).unwrap().len());
        let copy = Connection::open(&to).unwrap();
        let name: String = copy
            .query_row("SELECT name FROM agents WHERE id = 'ph_agent_a'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(name, "A");
        let again = backup(&url, &to).await.unwrap_err();
        assert!(again.to_string().contains("exists"), "{again}");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("partial"))
            .collect();
        assert!(leftovers.is_empty());
        // The running store is ready, check by check.
        let checks = store.readiness().await;
        assert_eq!(checks.len(), 5);
        assert!(checks.iter().all(|(_, r)| r.is_ok()), "{checks:?}");
        // Moved away, its file is not.
        std::fs::rename(dir.path().join("live.db"), dir.path().join("moved.db")).unwrap();
        let checks = store.readiness().await;
        let file = &checks
            .iter()
            .find(|(n, _)| *n == "database_file")
            .unwrap()
            .1;
        assert!(file.is_err(), "{checks:?}");
        store.close().await;
    }
}
