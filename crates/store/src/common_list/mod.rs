//! The common list: subjects (organizations, individuals, sponsors), the
//! proposals that list, amend or delist them under the agreement procedure
//! (`accord-procedure`, applied inside the transaction that stores its
//! result), the immutable versions of the published list, in-application
//! notifications, delisting petitions reviewed by the ombudsperson, periodic
//! review and explicit, reversible merges.
//!
//! Every procedure operation takes `now` from the caller (the web layer passes
//! the clock, tests pass the future), so deadlines are the engine's, never the
//! database's. A proposal row carries its rule (a rule edited later never moves
//! a running deadline), the engine's state as JSON and a `revision`: every
//! transition starts with `UPDATE … SET revision = revision + 1`, which takes
//! SQLite's write lock or PostgreSQL's row lock first, so concurrent decisions
//! on one proposal are applied one after the other, each to the state the
//! previous one left.
//!
//! Statements of case and evidence are confidential (TLP-marked) and every
//! read of them is audited; the published list carries only the narrative
//! summaries of reasons. Petitioners' names and contacts are personal data:
//! reads of them are audited too.

mod notifications;
mod petitions;
mod procedure_rules;
mod proposals;
mod signatures;
mod subjects;
mod versions;

use accord_core::Invalid;
use accord_procedure::ProcedureError;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::StoreError;

pub(crate) use notifications::insert_round_notice;
pub use notifications::{Notification, Recipient};
pub use petitions::{
    Filed, MAX_GROUNDS_CHARS, MAX_QUESTION_CHARS, NewPetition, Petition, PetitionBudget,
    PetitionOrder, PetitionQuery, PetitionRecommendation, PetitionStatus, PetitionTracking,
};
pub use procedure_rules::{ProcedureSettings, ProcedureVersion};
pub use proposals::{
    Evidence, NewEvidence, NewProposal, ProposalOrder, ProposalQuery, ProposalRecord,
    ProposalStatus, StatementOfCase,
};
pub use signatures::{
    DecisionSignature, LIST_ID, MemberKeyRow, SIGNING_WINDOW_SECONDS, SignatureRefusal,
    SignedDecisionRow, decision_kind, decision_to_sign, proposal_reference,
};
pub use subjects::{LINK_RELATIONS, Merge, Subject, SubjectKind, SubjectStatus};
pub use versions::{
    ListVersion, PreviousVersion, PublishedEntry, PublishedVersion, VersionCause,
    compare as compare_entries,
};

/// The prefix of the common list's public identifiers (`ACL-0001`).
pub const SUBJECT_ID_PREFIX: &str = "ACL-";

/// The stored reference list a subject's UN reference must name an entry of
/// (the name `accord lists import un` and the upload page store it under).
pub const UN_LIST: &str = "un";

/// Entries not reviewed for this many years are due for periodic review.
pub const DEFAULT_REVIEW_YEARS: u32 = 3;

pub(crate) fn decode<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

pub(crate) fn encode<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("common-list values serialize")
}

pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(what.into().into()))
}

/// Unix milliseconds of an instant.
pub(crate) fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The instant of Unix milliseconds.
pub(crate) fn instant(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn iso(date: Date) -> String {
    accord_core::focal_point::iso_date::format(date)
}

pub(crate) fn parse_iso(s: &str) -> Result<Date, StoreError> {
    Date::parse(s, accord_core::focal_point::iso_date::FORMAT)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// The engine's refusals in the store's terms. Messages are the engine's,
/// written for the member who tried: a missing reason names the field; every
/// other refusal (late, second vote, not a decider, subject already pending,
/// closed proposal, hold rules) is a conflict with the procedure's state.
pub(crate) fn procedure_error(e: ProcedureError) -> StoreError {
    match e {
        ProcedureError::ReasonRequired { .. } => Invalid::field("reason", e.to_string()).into(),
        ProcedureError::InvalidRule(_) => Invalid::field("rule", e.to_string()).into(),
        other => StoreError::Conflict(other.to_string()),
    }
}

/// Implements `as_str`, `Display` and `FromStr` for a unit enum stored as text.
macro_rules! text_enum {
    ($ty:ident, $field:literal, { $($variant:ident => $text:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),* }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $ty {
            type Err = accord_core::Invalid;
            fn from_str(s: &str) -> Result<$ty, accord_core::Invalid> {
                let s = s.trim();
                $ty::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let names: Vec<&str> = $ty::ALL.iter().map(|v| v.as_str()).collect();
                    accord_core::Invalid::field($field, format!("must be one of {}", names.join(", ")))
                })
            }
        }
    };
}
pub(crate) use text_enum;

/// Parses a stored enum, treating an unknown value as a corrupt row.
pub(crate) fn stored<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, StoreError> {
    s.parse()
        .map_err(|_| corrupt(format!("unknown {what} {s:?} in the database")))
}

/// Serde helper: a stored kind of proposal by its engine name.
pub fn proposal_kind_str(kind: accord_procedure::ProposalKind) -> &'static str {
    use accord_procedure::ProposalKind as K;
    match kind {
        K::List => "list",
        K::Amend => "amend",
        K::Delist => "delist",
        K::DelistingRecommendation => "delisting_recommendation",
    }
}

pub(crate) fn parse_proposal_kind(s: &str) -> Result<accord_procedure::ProposalKind, StoreError> {
    use accord_procedure::ProposalKind as K;
    Ok(match s {
        "list" => K::List,
        "amend" => K::Amend,
        "delist" => K::Delist,
        "delisting_recommendation" => K::DelistingRecommendation,
        other => return Err(corrupt(format!("unknown proposal kind {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip_through_milliseconds() {
        let t = time::macros::datetime!(2026-03-02 10:15:30.123 UTC);
        assert_eq!(instant(ms(t)), t);
    }

    #[test]
    fn engine_refusals_keep_their_message() {
        let e = ProcedureError::NotADecider {
            member: accord_procedure::code("USA"),
        };
        let msg = e.to_string();
        match procedure_error(e) {
            StoreError::Conflict(m) => assert_eq!(m, msg),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            procedure_error(ProcedureError::ReasonRequired { what: "a hold" }),
            StoreError::Invalid(_)
        ));
    }
}
