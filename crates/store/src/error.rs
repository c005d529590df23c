use accord_core::Invalid;
use accord_core::audit::ChainBreak;

/// Everything that can go wrong in storage, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    Conflict(String),
    /// The record changed since the version the writer read: reload and
    /// apply the change again.
    #[error("{0}")]
    Stale(String),
    /// A domain rule refused the acting user (another member's report, a
    /// role that may not do this), after the coarse access check let it by.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed password checks of this account from this client:
    /// the next may be tried in `wait_ms` milliseconds.
    #[error("too many failed attempts; try again in {} seconds", (wait_ms + 999) / 1000)]
    TooManyAttempts { wait_ms: i64 },
    /// A state's decision without a valid signature by its member's key.
    #[error(transparent)]
    Signature(#[from] crate::common_list::SignatureRefusal),
    #[error("cannot open the database {url}: {reason}")]
    Open { url: String, reason: String },
    #[error(
        "the database has schema version {database} but this accord knows versions up to {known}: \
         upgrade accord before using this database"
    )]
    SchemaTooNew { database: i64, known: i64 },
    #[error("migrating the database failed: {0}")]
    Migration(String),
    /// A backup that cannot be restored: damaged, not Accord's, or written
    /// by a newer accord.
    #[error("cannot restore {path}: {reason}")]
    BadBackup { path: String, reason: String },
    #[error("the audit log is broken: {0}")]
    AuditBroken(#[from] ChainBreak),
    #[error("{0}")]
    Unsupported(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// True when a unique constraint refused the write (or, on
    /// PostgreSQL, an exclusion constraint that stands for one: 23P01).
    pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
        match e {
            sqlx::Error::Database(db) => {
                db.is_unique_violation() || db.code().as_deref() == Some("23P01")
            }
            _ => false,
        }
    }
}
