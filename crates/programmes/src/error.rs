//! Why an input or an operation was refused.
//!
//! Every problem carries a stable [`Code`] and its arguments, and names the
//! field at fault (`sectors[1].percentage`, `results[0].indicators[2].periods[0].end`),
//! so the web layer can translate the message and point at the field. The
//! English text of [`Problem::message`] is a fallback for logs and the CLI.
//! Nothing is changed when an error is returned: every function checks
//! everything before it builds a new value.

use serde::Serialize;
use std::fmt;

/// What is wrong with a field; stable, snake_case in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// A required value is missing. No arguments.
    Required,
    /// Text longer than `max` characters.
    TooLong,
    /// Text with control characters.
    ControlCharacters,
    /// Not in the expected shape; `expected` says which.
    Malformed,
    /// `code` is not in the code list `list`.
    UnknownCode,
    /// `code` is in `list` but withdrawn.
    WithdrawnCode,
    /// An ISO 4217 code we do not know: `currency`.
    UnknownCurrency,
    /// The same `value` twice where it must be unique.
    Duplicate,
    /// Sector percentages add up to `sum`, not 100.
    SectorsNotHundred,
    /// `end` is before `start`.
    EndBeforeStart,
    /// A date (`date`) outside the programme's span `start`..`end`.
    OutsideProgramme,
    /// A negative `value` where only zero or more makes sense.
    Negative,
    /// A percentage `value` above 100.
    AbovePercent,
    /// The parts of a disaggregation (`dimension`) add up to `sum`, more than the total `total`.
    PartsExceedTotal,
    /// A count that is not a whole number: `value`.
    NotWhole,
    /// A value where the indicator's `measure` does not take one (or the opposite).
    MeasureMismatch,
    /// A budget period longer than a year (IATI's rule): `days`.
    BudgetPeriodTooLong,
    /// Publishing in IATI makes the programme public: it needs TLP:CLEAR, not `tlp`.
    PublishNeedsClear,
    /// An actual end without an actual start.
    EndWithoutStart,
    /// A participating organization with neither a member nor a name.
    OrganizationUnnamed,
    /// A name with invisible characters or text-direction controls
    /// (`accord_core::validation::hidden_character`).
    HiddenCharacters,
    /// No participating organization of the platform's members and none at all.
    NoParticipants,
    /// A commitment `commitment` the catalogue does not hold.
    UnknownCommitment,
}

impl Code {
    /// Every code, for translators to check a catalogue is complete.
    pub const ALL: [Code; 23] = [
        Code::Required,
        Code::TooLong,
        Code::ControlCharacters,
        Code::Malformed,
        Code::UnknownCode,
        Code::WithdrawnCode,
        Code::UnknownCurrency,
        Code::Duplicate,
        Code::SectorsNotHundred,
        Code::EndBeforeStart,
        Code::OutsideProgramme,
        Code::Negative,
        Code::AbovePercent,
        Code::PartsExceedTotal,
        Code::NotWhole,
        Code::MeasureMismatch,
        Code::BudgetPeriodTooLong,
        Code::PublishNeedsClear,
        Code::EndWithoutStart,
        Code::OrganizationUnnamed,
        Code::HiddenCharacters,
        Code::NoParticipants,
        Code::UnknownCommitment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::TooLong => "too_long",
            Code::ControlCharacters => "control_characters",
            Code::Malformed => "malformed",
            Code::UnknownCode => "unknown_code",
            Code::WithdrawnCode => "withdrawn_code",
            Code::UnknownCurrency => "unknown_currency",
            Code::Duplicate => "duplicate",
            Code::SectorsNotHundred => "sectors_not_hundred",
            Code::EndBeforeStart => "end_before_start",
            Code::OutsideProgramme => "outside_programme",
            Code::Negative => "negative",
            Code::AbovePercent => "above_percent",
            Code::PartsExceedTotal => "parts_exceed_total",
            Code::NotWhole => "not_whole",
            Code::MeasureMismatch => "measure_mismatch",
            Code::BudgetPeriodTooLong => "budget_period_too_long",
            Code::PublishNeedsClear => "publish_needs_clear",
            Code::EndWithoutStart => "end_without_start",
            Code::OrganizationUnnamed => "organization_unnamed",
            Code::HiddenCharacters => "hidden_characters",
            Code::NoParticipants => "no_participants",
            Code::UnknownCommitment => "unknown_commitment",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The field's path, e.g. `sectors[1].percentage`.
    pub field: String,
    pub code: Code,
    /// Named arguments of the message (`max`, `code`, `list`, `sum`, ...),
    /// in order; a JSON object in the API.
    #[serde(serialize_with = "args_as_object")]
    pub args: Vec<(String, String)>,
}

fn args_as_object<S: serde::Serializer>(
    args: &[(String, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(args.len()))?;
    for (k, v) in args {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

impl Problem {
    pub fn new(field: impl Into<String>, code: Code) -> Problem {
        Problem {
            field: field.into(),
            code,
            args: Vec::new(),
        }
    }

    /// Adds a named argument.
    pub fn arg(mut self, name: &str, value: impl fmt::Display) -> Problem {
        self.args.push((name.to_string(), value.to_string()));
        self
    }

    /// The value of a named argument.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The same problem under another field path (`prefix` + `.` + field).
    pub fn under(mut self, prefix: &str) -> Problem {
        self.field = if self.field.is_empty() {
            prefix.to_string()
        } else if self.field.starts_with('[') {
            format!("{prefix}{}", self.field)
        } else {
            format!("{prefix}.{}", self.field)
        };
        self
    }

    /// An English message, for logs, the CLI and as the translation fallback.
    pub fn message(&self) -> String {
        let a = |n: &str| self.get(n).unwrap_or("?").to_string();
        match self.code {
            Code::Required => "is required".into(),
            Code::TooLong => format!("must be at most {} characters", a("max")),
            Code::ControlCharacters => "must not contain control characters".into(),
            Code::Malformed => format!("must be {}", a("expected")),
            Code::UnknownCode => format!("{:?} is not in the {} code list", a("code"), a("list")),
            Code::WithdrawnCode => {
                format!(
                    "{:?} is withdrawn from the {} code list",
                    a("code"),
                    a("list")
                )
            }
            Code::UnknownCurrency => format!("{:?} is not an ISO 4217 currency", a("currency")),
            Code::Duplicate => format!("{:?} appears twice", a("value")),
            Code::SectorsNotHundred => {
                format!("sector percentages add up to {}, not 100", a("sum"))
            }
            Code::EndBeforeStart => {
                format!("ends ({}) before it starts ({})", a("end"), a("start"))
            }
            Code::OutsideProgramme => format!(
                "{} is outside the programme ({} to {})",
                a("date"),
                a("start"),
                a("end")
            ),
            Code::Negative => format!("must be zero or more, not {}", a("value")),
            Code::AbovePercent => format!("a percentage cannot exceed 100 ({})", a("value")),
            Code::PartsExceedTotal => format!(
                "the parts by {} add up to {}, more than the total {}",
                a("dimension"),
                a("sum"),
                a("total")
            ),
            Code::NotWhole => format!("a count must be a whole number, not {}", a("value")),
            Code::MeasureMismatch => format!("does not fit the measure {}", a("measure")),
            Code::BudgetPeriodTooLong => format!(
                "a budget period must not be longer than a year ({} days)",
                a("days")
            ),
            Code::PublishNeedsClear => format!(
                "publishing in IATI makes the programme public: it needs TLP:CLEAR, not {}",
                a("tlp")
            ),
            Code::EndWithoutStart => "an actual end needs an actual start".into(),
            Code::OrganizationUnnamed => "needs a member or a name".into(),
            Code::HiddenCharacters => accord_core::validation::HIDDEN_CHARACTER_MESSAGE.into(),
            Code::NoParticipants => "at least one participating organization is required".into(),
            Code::UnknownCommitment => {
                format!("{:?} is not a Joint Plan commitment", a("commitment"))
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message())
    }
}

impl std::error::Error for Problem {}

/// A refused input: one or more problems, all reported at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid input: {}", .problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
pub struct Invalid {
    pub problems: Vec<Problem>,
}

impl Invalid {
    pub fn one(p: Problem) -> Invalid {
        Invalid { problems: vec![p] }
    }

    /// Whether some problem has this code (and, if given, this field).
    pub fn has(&self, code: Code, field: Option<&str>) -> bool {
        self.problems
            .iter()
            .any(|p| p.code == code && field.is_none_or(|f| p.field == f))
    }
}

impl From<Problem> for Invalid {
    fn from(p: Problem) -> Invalid {
        Invalid::one(p)
    }
}

/// Gathers problems while an input is checked, so the caller sees all of them.
#[derive(Debug, Default)]
pub struct Collector {
    problems: Vec<Problem>,
}

impl Collector {
    pub fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    /// Keeps the value, or records the problem under `prefix`.
    pub fn take<T>(&mut self, prefix: &str, r: Result<T, Problem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.problems.push(p.under(prefix));
                None
            }
        }
    }

    /// Keeps the value, or records all its problems under `prefix`.
    pub fn take_all<T>(&mut self, prefix: &str, r: Result<T, Invalid>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems
                    .extend(e.problems.into_iter().map(|p| p.under(prefix)));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn finish(self) -> Result<(), Invalid> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(Invalid {
                problems: self.problems,
            })
        }
    }
}

/// A refused operation (the input was fine, a rule said no), or an invalid input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProgrammeError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Nobody is signed in: every change is recorded under a user.
    #[error("sign in to do this")]
    NotSignedIn,
    /// The role may not do this.
    #[error("a {role} cannot {action}")]
    RoleNotAllowed {
        role: accord_core::Role,
        action: &'static str,
    },
    /// The actor's member does not take part in the programme.
    #[error("{member} does not take part in programme {programme}")]
    NotParticipating { member: String, programme: String },
    /// The submitter made the last change and the member has two or more users.
    #[error(
        "separation of duties: the submitter made the last change; another user of the member must draft or save it first"
    )]
    SeparationOfDuties,
    /// A submitted result period cannot be changed; correct it instead.
    #[error("the result period {field} was submitted and cannot be changed; correct it instead")]
    PeriodSubmitted { field: String },
    /// The period has no open draft to submit (or nothing submitted to correct).
    #[error("the result period {field} is {state}")]
    PeriodState { field: String, state: &'static str },
    /// There is no such result, indicator or period.
    #[error("there is no {field}")]
    NotFound { field: String },
    /// The IATI identifier of a published programme never changes.
    #[error(
        "programme was published in IATI as {published}; its identifier cannot become {proposed}"
    )]
    IdentifierFrozen { published: String, proposed: String },
    /// A programme's id is its address and never changes.
    #[error("programme {from} cannot be renamed to {to}; its id is permanent")]
    IdChanged { from: String, to: String },
    /// The version history is not the programme's or is out of order.
    #[error("version {version} does not follow version {latest}")]
    VersionConflict { latest: u32, version: u32 },
}

impl ProgrammeError {
    /// A stable code for the web layer.
    pub fn code(&self) -> &'static str {
        match self {
            ProgrammeError::Invalid(_) => "invalid",
            ProgrammeError::NotSignedIn => "not_signed_in",
            ProgrammeError::RoleNotAllowed { .. } => "role_not_allowed",
            ProgrammeError::NotParticipating { .. } => "not_participating",
            ProgrammeError::SeparationOfDuties => "separation_of_duties",
            ProgrammeError::PeriodSubmitted { .. } => "period_submitted",
            ProgrammeError::PeriodState { .. } => "period_state",
            ProgrammeError::NotFound { .. } => "not_found",
            ProgrammeError::IdentifierFrozen { .. } => "identifier_frozen",
            ProgrammeError::IdChanged { .. } => "id_changed",
            ProgrammeError::VersionConflict { .. } => "version_conflict",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_carry_code_arguments_and_a_path() {
        let p = Problem::new("percentage", Code::SectorsNotHundred)
            .arg("sum", "90")
            .under("sectors[1]");
        assert_eq!(p.field, "sectors[1].percentage");
        assert_eq!(p.get("sum"), Some("90"));
        assert_eq!(p.message(), "sector percentages add up to 90, not 100");
        assert_eq!(
            Problem::new("[0]", Code::Required).under("sectors").field,
            "sectors[0]"
        );
    }

    #[test]
    fn every_code_has_its_own_name_and_json_carries_arguments_by_name() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        for c in Code::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        let p = Problem::new("sectors", Code::SectorsNotHundred).arg("sum", "90");
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"field": "sectors", "code": "sectors_not_hundred", "args": {"sum": "90"}})
        );
    }

    #[test]
    fn collector_reports_every_problem() {
        let mut c = Collector::default();
        c.take::<()>("a", Err(Problem::new("", Code::Required)));
        c.take::<()>("b", Err(Problem::new("c", Code::Negative).arg("value", -1)));
        let e = c.finish().unwrap_err();
        assert_eq!(e.problems.len(), 2);
        assert!(e.has(Code::Negative, Some("b.c")));
        assert!(e.to_string().contains("a: is required"));
    }
}
