//! The data the engine screens: list records, queries, options, results.

use crate::dates::DateSpec;
use crate::explain::Explanation;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// What kind of entity a name belongs to (FollowTheMoney schema names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Schema {
    Person,
    /// Also Company and LegalEntity.
    Organization,
    Vessel,
    Aircraft,
    Unknown,
}

impl Schema {
    /// Names of this schema may carry legal forms and generic words.
    pub fn is_org_like(self) -> bool {
        matches!(
            self,
            Schema::Organization | Schema::Vessel | Schema::Aircraft
        )
    }
}

/// The schema name is not one this engine knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown schema {0:?} (expected Person, Organization, Company, LegalEntity, Vessel or Airplane)"
)]
pub struct UnknownSchema(pub String);

impl FromStr for Schema {
    type Err = UnknownSchema;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "person" | "individual" => Schema::Person,
            "organization" | "organisation" | "company" | "legalentity" | "legal_entity"
            | "entity" | "publicbody" => Schema::Organization,
            "vessel" => Schema::Vessel,
            "airplane" | "aircraft" => Schema::Aircraft,
            "unknown" | "thing" | "" => Schema::Unknown,
            _ => return Err(UnknownSchema(s.to_string())),
        })
    }
}

/// Which of a record's names this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NameKind {
    Primary,
    Alias,
    OriginalScript,
}

/// One name of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordName {
    pub text: String,
    pub kind: NameKind,
    /// Low-quality alias (UN "low", OFAC weak a.k.a.): screened, and a
    /// match on it is reported as a low-confidence hit
    /// (`Candidate::low_confidence`).
    pub weak: bool,
}

impl RecordName {
    pub fn primary(text: impl Into<String>) -> Self {
        RecordName {
            text: text.into(),
            kind: NameKind::Primary,
            weak: false,
        }
    }

    pub fn alias(text: impl Into<String>) -> Self {
        RecordName {
            text: text.into(),
            kind: NameKind::Alias,
            weak: false,
        }
    }
}

/// One screenable list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The list's own reference (UN "QDi.123", OFAC ent_num, common list id).
    pub id: String,
    /// "un", "ofac", "common", ...
    pub dataset: String,
    pub schema: Schema,
    pub names: Vec<RecordName>,
    pub birth_dates: Vec<DateSpec>,
    /// As the list gives them: ISO codes or names.
    pub countries: Vec<String>,
}

/// A name to screen, with optional secondary features.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub name: String,
    pub birth_date: Option<String>,
    pub country: Option<String>,
    pub schema: Option<Schema>,
}

impl Query {
    pub fn name(name: impl Into<String>) -> Self {
        Query {
            name: name.into(),
            ..Query::default()
        }
    }
}

/// How to screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreenOptions {
    /// Only results scoring at least this are returned.
    pub threshold: f64,
    /// At most this many results.
    pub limit: usize,
    /// Only records of these datasets; `None` for all.
    pub datasets: Option<Vec<String>>,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            threshold: crate::DEFAULT_THRESHOLD,
            limit: 10,
            datasets: None,
        }
    }
}

/// One screening result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Position of the record in the index (`Index::record`).
    pub record: usize,
    pub id: String,
    pub dataset: String,
    /// The list name that matched best.
    pub matched_name: String,
    /// The match rests on a weak alias only: corroborate it (date of
    /// birth, nationality) before acting on it.
    pub low_confidence: bool,
    pub score: f64,
    pub explanation: Explanation,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_parses_ftm_names_case_insensitively() {
        assert_eq!("person".parse::<Schema>(), Ok(Schema::Person));
        assert_eq!("Company".parse::<Schema>(), Ok(Schema::Organization));
        assert_eq!("LEGALENTITY".parse::<Schema>(), Ok(Schema::Organization));
        assert_eq!("Airplane".parse::<Schema>(), Ok(Schema::Aircraft));
        assert_eq!("Vessel".parse::<Schema>(), Ok(Schema::Vessel));
        assert!("Planet".parse::<Schema>().is_err());
    }
}
