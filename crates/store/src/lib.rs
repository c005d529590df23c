//! Accord's storage: one [`Store`] over either SQLite (embedded, the default)
//! or PostgreSQL (several application nodes sharing one database).
//!
//! Both backends run the same query texts through sqlx's `Any` driver; each
//! has its own migration set (`migrations/sqlite`, `migrations/postgres`) that
//! gives the tables the same shapes (BIGINT times in Unix milliseconds, TEXT
//! dates, 0/1 flags). Where the dialects differ, [`Backend`] says so.
//!
//! Every write runs in one transaction together with its audit record, so an
//! acknowledged change is always audited and a failed one leaves no trace.
//! Transactions start with a write (the audit head, or the row itself) so
//! that SQLite takes its write lock up front instead of failing mid-way.

/// A query text assembled from this crate's own constants (column lists,
/// fixed clauses), never from input: input always goes through bind parameters.
macro_rules! sql {
    ($($t:tt)*) => {
        sqlx::AssertSqlSafe(format!($($t)*))
    };
}

mod audit;
mod backup;
pub mod common_list;
pub mod credentials;
mod error;
mod focal_points;
pub mod hash_banks;
pub mod idempotency;
mod leases;
pub mod library;
pub mod mail;
pub mod manifest_screenings;
mod members;
mod open;
pub mod paging;
pub mod plan;
pub mod programmes;
mod reference_lists;
mod screening_jobs;
mod sessions;
mod settings;
pub mod taxii;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod tokens;
pub mod transparency;
mod users;
pub use users::{PasswordChange, PasswordChanged, SignInFailure};

pub use audit::{Actor, AuditQuery};
pub use backup::{Restored, restore_backup};
pub use error::StoreError;
pub use leases::Lease;
pub use open::{Backend, DEFAULT_DATABASE_URL};
pub use paging::{Page, Window};
pub use reference_lists::{ImportOutcome, ImportReport, ReferenceVersion, check_list_name};
pub use screening_jobs::ScreeningJob;
pub use sessions::{LoginThrottle, SessionInfo};
pub use tokens::{ApiToken, NewToken};

use sqlx::AnyPool;

/// The platform's storage. Cheap to clone: it shares one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Argon2 off the async workers, behind a semaphore sized to the cores.
    hasher: credentials::Hasher,
}

impl Store {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Waits for open connections to finish and closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// True when the database answers a trivial query (for `/healthz`).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// The current time in Unix milliseconds, the unit of every stored timestamp.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Today's date in UTC.
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

#[cfg(any(test, feature = "testing"))]
impl Store {
    /// The raw pool, for tests that play an attacker with database access.
    pub fn raw_pool(&self) -> &AnyPool {
        &self.pool
    }
}
