//! Consistent copies of a running database.

use std::path::Path;

use crate::{Backend, Store, StoreError};

impl Store {
    /// Writes a consistent snapshot of a SQLite database to `path` while the
    /// server keeps running (`VACUUM INTO` reads inside one transaction).
    /// PostgreSQL deployments use `pg_dump`, which does the same there.
    pub async fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => {
                if path.exists() {
                    return Err(StoreError::Conflict(format!(
                        "{} already exists: choose a new file for the backup",
                        path.display()
                    )));
                }
                let target = path.to_str().ok_or_else(|| {
                    StoreError::Unsupported("the backup path must be valid UTF-8".into())
                })?;
                sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await?;
                Ok(())
            }
            Backend::Postgres => Err(StoreError::Unsupported(
                "for PostgreSQL use pg_dump, e.g. `pg_dump --format=custom --file=accord.dump \"$DATABASE_URL\"` \
                 (it takes a consistent snapshot while the servers run)"
                    .into(),
            )),
        }
    }
}

/// What [`restore_backup`] did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The database file written.
    pub path: std::path::PathBuf,
    /// The backup's schema version (migrations newer than it run at the next start).
    pub schema_version: i64,
}

/// Restores a backup made by [`Store::backup_to`] (any SQLite copy of an
/// Accord database) into a new SQLite database at `target_url`.
///
/// The target must not exist or be empty. The backup must pass SQLite's
/// `PRAGMA integrity_check` and hold a schema this binary knows (not newer).
/// The copy is written to a temporary file beside the target, synced, and
/// renamed into place, so the target is either absent or whole. PostgreSQL
/// is refused: its backups are `pg_dump` archives, restored by `pg_restore`.
pub async fn restore_backup(backup: &Path, target_url: &str) -> Result<Restored, StoreError> {
    use sqlx::{ConnectOptions, Connection, Row};

    if Backend::from_url(target_url)? == Backend::Postgres {
        return Err(StoreError::Unsupported(
            "accord restore writes SQLite databases; a PostgreSQL database is restored from its \
             pg_dump archive with pg_restore, e.g. `pg_restore --no-owner --dbname \"$DATABASE_URL\" accord.dump` \
             into a new, empty database (then start accord serve on it)"
                .into(),
        ));
    }
    let target = sqlite_path(target_url)?;
    let bad = |reason: String| StoreError::BadBackup {
        path: backup.display().to_string(),
        reason,
    };
    for file in [target.clone(), sidecar(&target, "-wal")] {
        if std::fs::metadata(&file).is_ok_and(|m| m.len() > 0) {
            return Err(StoreError::Conflict(format!(
                "{} exists and is not empty: restore into a new file (move the old database away first)",
                file.display()
            )));
        }
    }
    if !backup.is_file() {
        return Err(bad("there is no such file".into()));
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(backup)
        .read_only(true);
    let mut source = options
        .connect()
        .await
        .map_err(|e| bad(format!("it cannot be opened as an SQLite database ({e})")))?;
    let result = async {
        let checks: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut source)
            .await
            .map_err(|e| bad(format!("it is not a readable SQLite database ({e})")))?;
        if checks != ["ok"] {
            let more = match checks.len() {
                n if n > 5 => format!(" and {} more", n - 5),
                _ => String::new(),
            };
            return Err(bad(format!(
                "SQLite's integrity check failed: {}{more}",
                checks[..checks.len().min(5)].join("; ")
            )));
        }
        let has_migrations: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&mut source)
        .await?;
        if has_migrations == 0 {
            return Err(bad(
                "it is not an Accord database (it has no migrations table)".into(),
            ));
        }
        let version: i64 =
            sqlx::query("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&mut source)
                .await?
                .try_get(0)?;
        let known = Backend::Sqlite
            .migrator()
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0);
        if version > known {
            return Err(bad(format!(
                "it has schema version {version} but this accord knows versions up to {known}: \
                 restore it with the accord that wrote it, or a newer one"
            )));
        }
        if version == 0 {
            return Err(bad(
                "it is not an Accord database (no migration applied)".into()
            ));
        }
        let temporary = sidecar(&target, &format!(".restoring-{}", std::process::id()));
        std::fs::remove_file(&temporary).ok();
        let name = temporary.to_str().ok_or_else(|| {
            StoreError::Unsupported("the database path must be valid UTF-8".into())
        })?;
        let written = async {
            // A consistent, compact copy (the backup itself is only read).
            sqlx::query("VACUUM INTO $1")
                .bind(name)
                .execute(&mut source)
                .await?;
            std::fs::File::open(&temporary)
                .and_then(|f| f.sync_all())
                .map_err(|e| io_error(&temporary, e))?;
            // Refused above if it had content; an empty leftover goes.
            std::fs::remove_file(sidecar(&target, "-wal")).ok();
            std::fs::remove_file(sidecar(&target, "-shm")).ok();
            std::fs::rename(&temporary, &target).map_err(|e| io_error(&target, e))?;
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::File::open(dir)
                    .and_then(|f| f.sync_all())
                    .map_err(|e| io_error(dir, e))?;
            }
            Ok::<(), StoreError>(())
        }
        .await;
        if written.is_err() {
            std::fs::remove_file(&temporary).ok();
        }
        written?;
        Ok(Restored {
            path: target.clone(),
            schema_version: version,
        })
    }
    .await;
    source.close().await.ok();
    result
}

/// The file of a `sqlite://` URL.
fn sqlite_path(url: &str) -> Result<std::path::PathBuf, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let file = rest.split('?').next().unwrap_or_default();
    if file.is_empty() || file.contains(":memory:") {
        return Err(StoreError::Unsupported(
            "restore into a database file: --database sqlite://FILE".into(),
        ));
    }
    Ok(std::path::PathBuf::from(file))
}

/// `path` with `suffix` appended to its file name (`accord.db-wal`).
fn sidecar(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    std::path::PathBuf::from(name)
}

fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Unsupported(format!("{}: {e}", path.display()))
}
