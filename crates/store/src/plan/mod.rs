//! The Joint Plan tracker's storage: the catalogue (frameworks and
//! commitments, seeded from the conference report on first start, extended by
//! the secretariat), reporting rounds, reports with every version, evidence
//! files, and the register of national strategies.
//!
//! The rules live in the pure `accord-plan` crate: each write here loads the
//! current state inside its transaction, asks the domain for the next state
//! (or its refusal, which changes nothing), stores it and appends the audit
//! record, all or nothing.

mod catalogue;
mod reports;
mod rounds;
mod strategies;

use accord_core::{Invalid, validation};
use accord_plan::PlanError;

use crate::StoreError;

pub use reports::{EvidenceFile, NewEvidenceFile, ReportKey, ReportRecord};
pub use rounds::RoundRecord;
pub use strategies::{StrategyDocument, StrategyRecord};

/// How close to a round's deadline its members are reminded.
pub const REMINDER_BEFORE_DEADLINE_MS: i64 = 3 * 24 * 3600 * 1000;

pub(crate) fn decode<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(corrupt)
}

/// Stored data the domain refuses to read back: a corrupt database.
pub(crate) fn corrupt(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(Box::new(e)))
}

/// Unix milliseconds of an instant.
pub(crate) fn ms(t: time::OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A file's name, checked (plain, no folders, ≤ 255 characters, not empty),
/// and the SHA-256 of its bytes.
pub(crate) fn checked_file(file: &NewEvidenceFile) -> Result<(String, String), StoreError> {
    checked_file_parts(&file.file_name, &file.bytes)
}

/// [`checked_file`] of a name and bytes: the one check of every stored file.
pub(crate) fn checked_file_parts(
    file_name: &str,
    bytes: &[u8],
) -> Result<(String, String), StoreError> {
    let name = file_name.trim();
    if name.is_empty()
        || name.chars().count() > 255
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
    {
        return Err(Invalid::field(
            "file",
            "the file needs a plain name (no folders), up to 255 characters",
        )
        .into());
    }
    validation::visible("file", name)?;
    if bytes.is_empty() {
        return Err(Invalid::field("file", format!("{name} is empty")).into());
    }
    use sha2::Digest;
    Ok((name.to_string(), hex::encode(sha2::Sha256::digest(bytes))))
}

pub(crate) fn encode<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plan values serialize")
}

/// The domain's refusals in the store's terms: bad fields name the field
/// (422), acting for another member or in the wrong role is forbidden, and
/// every broken rule of state (deadline, submitted, separation of duties…)
/// is a conflict whose message says what to do.
pub(crate) fn plan_error(e: PlanError) -> StoreError {
    match e {
        PlanError::Invalid(invalid) => StoreError::Invalid(invalid),
        PlanError::UnknownFramework(_)
        | PlanError::UnknownPillar(_)
        | PlanError::UnknownCommitment(_)
        | PlanError::CommitmentNotInRound { .. }
        | PlanError::MemberNotAsked { .. } => {
            let field = e.field().unwrap_or("id").to_string();
            StoreError::Invalid(Invalid::field(&field, e.to_string()))
        }
        PlanError::OtherMember { .. }
        | PlanError::RoleNotAllowed { .. }
        | PlanError::NotSignedIn => StoreError::Forbidden(e.to_string()),
        other => StoreError::Conflict(other.to_string()),
    }
}
