//! Opening a database from its URL, and bringing its schema up to date.

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Executor, Row};
use std::time::Duration;

use crate::{Store, StoreError};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://accord.db";

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Open {
                url: redact(url),
                reason: "the URL must start with sqlite:// or postgres://".into(),
            })
        }
    }

    pub(crate) fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// Hides a password in a URL before it is shown or logged.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// SQLite files are created on first use (`create`); a plain
/// `sqlite://file.db` URL would not be.
fn connect_url(url: &str, backend: Backend, create: bool) -> String {
    if backend == Backend::Sqlite && !url.contains("mode=") && !url.contains(":memory:") {
        let sep = if url.contains('?') { '&' } else { '?' };
        let mode = if create { "rwc" } else { "rw" };
        format!("{url}{sep}mode={mode}")
    } else {
        url.to_string()
    }
}

impl Store {
    /// Connects, refuses a database of a newer schema, and applies pending migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens a database that must already exist and hold Accord's schema
    /// (for commands that only read: a mistyped URL is an error, not a new
    /// empty database); applies pending migrations like [`Store::open`].
    pub async fn open_existing(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect_with(url, false).await?;
        if store.schema_version().await? == 0 {
            store.close().await;
            return Err(StoreError::Open {
                url: redact(url),
                reason: "there is no Accord database here (check --database, or run `accord migrate` to create one)".into(),
            });
        }
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without touching the schema (creating an SQLite file).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, true).await
    }

    async fn connect_with(url: &str, create: bool) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let open_error = |e: sqlx::Error| StoreError::Open {
            url: redact(url),
            reason: e.to_string(),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&connect_url(url, backend, create))
            .await
            .map_err(open_error)?;
        if backend == Backend::Sqlite {
            // WAL lets readers proceed while one writer commits; the mode is
            // stored in the file, so setting it once per open is enough.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(open_error)?;
        }
        Ok(Store {
            pool,
            backend,
            hasher: crate::credentials::Hasher::new(),
        })
    }

    /// The newest migration this binary knows.
    pub fn known_schema_version(&self) -> i64 {
        self.backend
            .migrator()
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0)
    }

    /// The newest migration applied to the database (0 for a new database).
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let exists = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let n: i64 = sqlx::query(exists)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        if n == 0 {
            return Ok(0);
        }
        let row = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = $1",
        )
        .bind(true)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// Applies pending migrations; refuses a database written by a newer accord.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let database = self.schema_version().await?;
        let known = self.known_schema_version();
        if database > known {
            return Err(StoreError::SchemaTooNew { database, known });
        }
        self.backend
            .migrator()
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact("postgres://accord:secret@db:5432/accord"),
            "postgres://accord:***@db:5432/accord"
        );
        assert_eq!(redact("sqlite://accord.db"), "sqlite://accord.db");
    }

    #[test]
    fn unknown_schemes_are_refused() {
        assert!(Backend::from_url("mysql://x").is_err());
        assert_eq!(Backend::from_url("sqlite://a.db").unwrap(), Backend::Sqlite);
    }

    #[test]
    fn sqlite_files_are_created_on_first_use_unless_they_must_exist() {
        assert_eq!(
            connect_url("sqlite://a.db", Backend::Sqlite, true),
            "sqlite://a.db?mode=rwc"
        );
        assert_eq!(
            connect_url("sqlite://a.db", Backend::Sqlite, false),
            "sqlite://a.db?mode=rw"
        );
        assert_eq!(
            connect_url("sqlite://a.db?mode=ro", Backend::Sqlite, true),
            "sqlite://a.db?mode=ro"
        );
    }
}
