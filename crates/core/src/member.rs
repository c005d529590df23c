//! Members of the partnership: states, organizations, civil society and the private sector.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::validation::{Collector, Invalid};

/// What kind of participant a member is; decides, for example, who may decide on listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    RegionalState,
    PartnerState,
    PartnerOrganization,
    CivilSociety,
    PrivateSector,
}

impl MemberKind {
    pub const ALL: [MemberKind; 5] = [
        MemberKind::RegionalState,
        MemberKind::PartnerState,
        MemberKind::PartnerOrganization,
        MemberKind::CivilSociety,
        MemberKind::PrivateSector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberKind::RegionalState => "regional_state",
            MemberKind::PartnerState => "partner_state",
            MemberKind::PartnerOrganization => "partner_organization",
            MemberKind::CivilSociety => "civil_society",
            MemberKind::PrivateSector => "private_sector",
        }
    }

    pub fn is_state(self) -> bool {
        matches!(self, MemberKind::RegionalState | MemberKind::PartnerState)
    }
}

impl fmt::Display for MemberKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MemberKind {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        MemberKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                Invalid::field(
                    "kind",
                    "must be one of regional_state, partner_state, partner_organization, civil_society, private_sector",
                )
            })
    }
}

/// A member's short code: ISO 3166-1 alpha-3 for states, an acronym for organizations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MemberCode(String);

impl MemberCode {
    /// Codes are upper-case ASCII letters and digits, 2 to 16 long, with single
    /// hyphens allowed inside ("SCO-RATS"), so they are safe in URLs.
    pub fn parse(raw: &str) -> Result<MemberCode, Invalid> {
        let code = raw.trim().to_ascii_uppercase();
        let valid_chars = code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        let valid_shape = !code.starts_with('-') && !code.ends_with('-') && !code.contains("--");
        if !(2..=16).contains(&code.len()) || !valid_chars || !valid_shape {
            return Err(Invalid::field(
                "code",
                "must be 2 to 16 letters or digits (hyphens allowed inside), e.g. KAZ or SCO-RATS",
            ));
        }
        Ok(MemberCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MemberCode {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        MemberCode::parse(&s)
    }
}

impl From<MemberCode> for String {
    fn from(c: MemberCode) -> String {
        c.0
    }
}

impl fmt::Display for MemberCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: i64,
    pub code: MemberCode,
    pub kind: MemberKind,
    /// English name, as in the seed document.
    pub name: String,
    /// Russian name, shown in the Russian interface.
    pub name_ru: String,
    /// True for the members named in the conference report.
    pub seeded: bool,
}

impl Member {
    pub fn name_in(&self, lang: &str) -> &str {
        if lang == "ru" && !self.name_ru.is_empty() {
            &self.name_ru
        } else {
            &self.name
        }
    }
}

/// A member to add, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMember {
    pub code: MemberCode,
    pub kind: MemberKind,
    pub name: String,
    pub name_ru: String,
}

impl NewMember {
    /// Validates a member proposed through the interface. Only civil-society and
    /// private-sector members are added by hand: states and organizations of
    /// the partnership come from the conference record.
    pub fn parse(code: &str, kind: &str, name: &str, name_ru: &str) -> Result<NewMember, Invalid> {
        let mut c = Collector::default();
        let code = c.check(MemberCode::parse(code));
        let kind = c.check(kind.parse::<MemberKind>());
        if let Some(k) = kind
            && !matches!(k, MemberKind::CivilSociety | MemberKind::PrivateSector)
        {
            c.push(
                "kind",
                "only civil_society and private_sector members can be added",
            );
        }
        let name = c.check(crate::validation::name("name", name, true, 200));
        let name_ru = c.check(crate::validation::name("name_ru", name_ru, false, 200));
        c.finish()?;
        Ok(NewMember {
            code: code.expect("checked"),
            kind: kind.expect("checked"),
            name: name.expect("checked"),
            name_ru: name_ru.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_uppercased_and_bounded() {
        assert_eq!(MemberCode::parse(" kaz ").unwrap().as_str(), "KAZ");
        assert_eq!(MemberCode::parse("SCO-RATS").unwrap().as_str(), "SCO-RATS");
        assert!(MemberCode::parse("K").is_err());
        assert!(MemberCode::parse("-AB").is_err());
        assert!(MemberCode::parse("A B").is_err());
        assert!(MemberCode::parse("../etc").is_err());
    }

    #[test]
    fn only_civil_society_and_private_sector_can_be_added() {
        assert!(NewMember::parse("NGO1", "civil_society", "Youth Forum", "").is_ok());
        let e = NewMember::parse("XYZ", "regional_state", "Nowhere", "").unwrap_err();
        assert_eq!(e.errors[0].field, "kind");
    }

    #[test]
    fn new_member_reports_all_bad_fields() {
        let e = NewMember::parse("", "planet", "", "").unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "kind", "name"]);
    }
}
