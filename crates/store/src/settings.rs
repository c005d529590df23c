//! Platform-wide settings kept in the database, so that every application
//! node sharing it sees the same values (for example the CSRF key).

use sqlx::Row;

use crate::{Store, StoreError};

impl Store {
    /// Returns the stored value, storing `initial` first if there is none.
    /// Safe under concurrency: the first writer wins and everyone reads its value.
    pub async fn setting_or_insert(&self, key: &str, initial: &str) -> Result<String, StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(initial)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }
}
