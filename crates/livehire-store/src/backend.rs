//! Which backend a database URL names, in one place: `sqlite:` is the
//! embedded SQLite store, `postgres:` and `postgresql:` a PostgreSQL server.

use std::sync::Arc;

use crate::{PgStore, SqliteStore, Store};

/// The kinds of database a URL can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// `sqlite://PATH`.
    Sqlite,
    /// `postgres://…` or `postgresql://…`.
    Postgres,
}

impl BackendKind {
    /// The backend `url` names; an error naming both schemes otherwise.
    pub fn of(url: &str) -> anyhow::Result<Self> {
        let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => Ok(Self::Sqlite),
            Some("postgres" | "postgresql") => Ok(Self::Postgres),
            _ => anyhow::bail!(
                "unsupported database URL {:?}: use sqlite://PATH (the embedded store) or \
                 postgres://USER@HOST:PORT/DATABASE (PostgreSQL)",
                redact(url)
            ),
        }
    }

    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// `url` with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        _ => url.to_string(),
    }
}

/// A connected store, with what only its own backend offers.
#[derive(Clone)]
pub enum Backend {
    /// The embedded SQLite store (backups work on its file).
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PgStore),
}

impl Backend {
    /// The store, for the service layer.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Self::Sqlite(s) => Arc::new(s.clone()),
            Self::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// Which backend this is.
    pub fn kind(&self) -> BackendKind {
        match self {
            Self::Sqlite(_) => BackendKind::Sqlite,
            Self::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// The SQLite store, when this is one.
    pub fn sqlite(&self) -> Option<&SqliteStore> {
        match self {
            Self::Sqlite(s) => Some(s),
            Self::Postgres(_) => None,
        }
    }

    /// Closes its connections (SQLite: the writer last, flushing the WAL).
    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.close().await,
            Self::Postgres(s) => s.close().await,
        }
    }
}

/// Opens the store `url` names (see [`BackendKind::of`]) and applies its
/// migrations.
pub async fn connect(url: &str) -> anyhow::Result<Backend> {
    Ok(match BackendKind::of(url)? {
        BackendKind::Sqlite => Backend::Sqlite(SqliteStore::connect(url).await?),
        BackendKind::Postgres => Backend::Postgres(PgStore::connect(url).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_picks_the_backend_and_others_are_refused_naming_both() {
        assert_eq!(
            BackendKind::of("sqlite://x.db").unwrap(),
            BackendKind::Sqlite
        );
        assert_eq!(
            BackendKind::of("postgres://u@h/db").unwrap(),
            BackendKind::Postgres
        );
        assert_eq!(
            BackendKind::of("postgresql://u@h/db").unwrap(),
            BackendKind::Postgres
        );
        let err = BackendKind::of("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sqlite://") && err.contains("postgres://"),
            "{err}"
        );
        assert!(!err.contains("secret"), "{err}");
    }
}
