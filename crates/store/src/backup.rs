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
