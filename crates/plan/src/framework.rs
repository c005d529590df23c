//! Frameworks (the Joint Plan of Action 2011, the Astana 2015 conference, or
//! any the secretariat adds), their pillars, and the commitments members
//! report on. [`Catalogue`] holds them and enforces referential integrity.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::Date;

use accord_core::validation::{Collector, text};
use accord_core::{Invalid, MemberKind};

use crate::error::PlanError;
use crate::ids::{CommitmentId, FrameworkId, PillarId};
use crate::serde_time;

/// A pillar (section) of a framework, e.g. Pillar I of the Joint Plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pillar {
    pub id: PillarId,
    pub framework: FrameworkId,
    /// 1-based; shown as a Roman numeral.
    pub number: u8,
    pub title: String,
    /// A short label for charts and table headers.
    pub short_label: String,
    /// Set when the partners stressed this pillar: the phrase that says so.
    pub stressed_by: Option<String>,
}

impl Pillar {
    /// "I", "II", ... as the UN texts number pillars.
    pub fn roman(&self) -> &'static str {
        roman(self.number)
    }
}

pub(crate) fn roman(n: u8) -> &'static str {
    const R: [&str; 13] = [
        "0", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    R.get(n as usize).copied().unwrap_or("?")
}

/// A framework of commitments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Framework {
    pub id: FrameworkId,
    pub title: String,
    pub short_title: String,
    #[serde(with = "serde_time::date::option")]
    pub adopted_on: Option<Date>,
    pub adopted_at: Option<String>,
    pub description: String,
    /// Where the facts come from (documents and addresses).
    pub source: String,
    pub pillars: Vec<Pillar>,
    /// True for frameworks loaded from the seed.
    pub seeded: bool,
}

/// What sort of commitment it is; decides how it is grouped on pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentKind {
    /// The tasks of a framework's pillar (the Joint Plan's sections).
    Task,
    /// An initiative to strengthen national strategies (Astana 2015).
    Initiative,
    /// A conclusion of the participants (Astana 2015).
    Conclusion,
    /// A concrete step to implement before the CVE leaders' summit (Astana 2015).
    ConcreteStep,
    /// Anything else the secretariat records.
    Other,
}

impl CommitmentKind {
    pub const ALL: [CommitmentKind; 5] = [
        CommitmentKind::Task,
        CommitmentKind::Initiative,
        CommitmentKind::Conclusion,
        CommitmentKind::ConcreteStep,
        CommitmentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentKind::Task => "task",
            CommitmentKind::Initiative => "initiative",
            CommitmentKind::Conclusion => "conclusion",
            CommitmentKind::ConcreteStep => "concrete_step",
            CommitmentKind::Other => "other",
        }
    }
}

impl fmt::Display for CommitmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CommitmentKind {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        CommitmentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Invalid::field(
                    "kind",
                    "must be task, initiative, conclusion, concrete_step or other",
                )
            })
    }
}

/// Whom a commitment applies to: the kinds of member asked to report on it.
/// Civil society and the private sector are partners in the work but are not
/// parties to these commitments, so they are never asked by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AppliesTo {
    pub regional_states: bool,
    pub partner_states: bool,
    pub organizations: bool,
}

impl AppliesTo {
    pub const ALL: AppliesTo = AppliesTo {
        regional_states: true,
        partner_states: true,
        organizations: true,
    };
    pub const REGIONAL_STATES: AppliesTo = AppliesTo {
        regional_states: true,
        partner_states: false,
        organizations: false,
    };
    pub const ORGANIZATIONS: AppliesTo = AppliesTo {
        regional_states: false,
        partner_states: false,
        organizations: true,
    };
    pub const REGIONAL_STATES_AND_PARTNERS: AppliesTo = AppliesTo {
        regional_states: true,
        partner_states: true,
        organizations: false,
    };
    pub const REGIONAL_STATES_AND_ORGANIZATIONS: AppliesTo = AppliesTo {
        regional_states: true,
        partner_states: false,
        organizations: true,
    };

    /// Whether members of this kind are addressed.
    pub fn includes(self, kind: MemberKind) -> bool {
        match kind {
            MemberKind::RegionalState => self.regional_states,
            MemberKind::PartnerState => self.partner_states,
            MemberKind::PartnerOrganization => self.organizations,
            MemberKind::CivilSociety | MemberKind::PrivateSector => false,
        }
    }

    /// "all", or a comma-separated list of `regional_states`, `partner_states`
    /// (alias `partners`) and `organizations`.
    pub fn parse(raw: &str) -> Result<AppliesTo, Invalid> {
        let mut a = AppliesTo {
            regional_states: false,
            partner_states: false,
            organizations: false,
        };
        let bad = || {
            Invalid::field(
                "applies_to",
                "must be all, or a comma-separated list of regional_states, partner_states, organizations",
            )
        };
        for part in raw
            .split(',')
            .map(|p| p.trim().to_ascii_lowercase().replace([' ', '-'], "_"))
        {
            match part.as_str() {
                "all" => a = AppliesTo::ALL,
                "regional_states" | "regional_state" => a.regional_states = true,
                "partner_states" | "partner_state" | "partners" => a.partner_states = true,
                "organizations" | "organisations" | "partner_organizations" => {
                    a.organizations = true
                }
                "" => {}
                _ => return Err(bad()),
            }
        }
        if a == (AppliesTo {
            regional_states: false,
            partner_states: false,
            organizations: false,
        }) {
            return Err(bad());
        }
        Ok(a)
    }

    /// The canonical text [`AppliesTo::parse`] reads back.
    pub fn as_string(self) -> String {
        if self == AppliesTo::ALL {
            return "all".into();
        }
        let mut parts = Vec::new();
        if self.regional_states {
            parts.push("regional_states");
        }
        if self.partner_states {
            parts.push("partner_states");
        }
        if self.organizations {
            parts.push("organizations");
        }
        parts.join(",")
    }
}

/// A due date and the words of the source that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    #[serde(with = "serde_time::date")]
    pub date: Date,
    /// The phrase of the source text the date comes from, verbatim.
    pub phrase: String,
    /// True when the source gives no exact day and the date is our reading.
    pub approximate: bool,
    pub note: String,
}

/// Something the partners agreed to do, with the exact words that say so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub id: CommitmentId,
    pub framework: FrameworkId,
    pub kind: CommitmentKind,
    /// Position within its framework and kind (bullet number), from 1.
    pub number: u32,
    /// The exact text of the source (for seeded ones: verbatim, typos kept).
    pub text: String,
    /// The pillars it belongs to, the main one first (may be empty).
    pub pillars: Vec<PillarId>,
    pub applies_to: AppliesTo,
    pub due: Option<Due>,
    /// Where the text comes from: document, section, bullet.
    pub source: String,
    pub seeded: bool,
}

impl Commitment {
    /// The text without the list punctuation (";" or ":") that ends a bullet.
    pub fn display_text(&self) -> &str {
        self.text.trim_end_matches([';', ':']).trim_end()
    }

    /// A short label such as "Step 3" or "Conclusion 12".
    pub fn label(&self) -> String {
        let kind = match self.kind {
            CommitmentKind::Task => "Task",
            CommitmentKind::Initiative => "Initiative",
            CommitmentKind::Conclusion => "Conclusion",
            CommitmentKind::ConcreteStep => "Step",
            CommitmentKind::Other => "Item",
        };
        format!("{kind} {}", self.number)
    }

    pub fn in_pillar(&self, pillar: &PillarId) -> bool {
        self.pillars.contains(pillar)
    }
}

/// A framework the secretariat adds, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFramework {
    pub id: FrameworkId,
    pub title: String,
    pub short_title: String,
    pub adopted_on: Option<Date>,
    pub adopted_at: Option<String>,
    pub description: String,
    pub source: String,
}

impl NewFramework {
    /// Checks every field and reports all the bad ones at once.
    pub fn parse(
        id: &str,
        title: &str,
        short_title: &str,
        adopted_on: &str,
        adopted_at: &str,
        description: &str,
        source: &str,
    ) -> Result<NewFramework, Invalid> {
        let mut c = Collector::default();
        let id = c.check(FrameworkId::parse(id).map_err(|_| {
            Invalid::field(
                "id",
                "must be a slug such as gcts2006 (lower-case, digits, '-', '.')",
            )
        }));
        let title = c.check(text("title", title, true, 300));
        let short_title = c.check(text("short_title", short_title, true, 60));
        let adopted_on = if adopted_on.trim().is_empty() {
            Some(None)
        } else {
            c.check(serde_time::parse_date("adopted_on", adopted_on))
                .map(Some)
        };
        let adopted_at = c.check(text("adopted_at", adopted_at, false, 200));
        let description = c.check(text("description", description, false, 4000));
        let source = c.check(text("source", source, true, 2000));
        c.finish()?;
        let adopted_at = adopted_at.expect("checked");
        Ok(NewFramework {
            id: id.expect("checked"),
            title: title.expect("checked"),
            short_title: short_title.expect("checked"),
            adopted_on: adopted_on.expect("checked"),
            adopted_at: (!adopted_at.is_empty()).then_some(adopted_at),
            description: description.expect("checked"),
            source: source.expect("checked"),
        })
    }
}

/// A pillar the secretariat adds to a framework, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPillar {
    pub framework: FrameworkId,
    pub number: u8,
    pub title: String,
    pub short_label: String,
}

impl NewPillar {
    pub fn parse(
        framework: &str,
        number: &str,
        title: &str,
        short_label: &str,
    ) -> Result<NewPillar, Invalid> {
        let mut c = Collector::default();
        let framework = c.check(FrameworkId::parse(framework));
        let number = c.check(
            number
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=12).contains(n))
                .ok_or_else(|| Invalid::field("number", "must be a whole number from 1 to 12")),
        );
        let title = c.check(text("title", title, true, 300));
        let short_label = c.check(text("short_label", short_label, true, 40));
        c.finish()?;
        Ok(NewPillar {
            framework: framework.expect("checked"),
            number: number.expect("checked"),
            title: title.expect("checked"),
            short_label: short_label.expect("checked"),
        })
    }
}

/// A commitment the secretariat adds, validated field by field. Whether its
/// framework and pillars exist is checked by [`Catalogue::add_commitment`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommitment {
    pub id: CommitmentId,
    pub framework: FrameworkId,
    pub kind: CommitmentKind,
    pub text: String,
    pub pillars: Vec<PillarId>,
    pub applies_to: AppliesTo,
    pub due: Option<Due>,
    pub source: String,
}

impl NewCommitment {
    /// `pillars` is a comma-separated list of pillar ids (may be empty);
    /// `due_date` may be empty, and when given needs `due_phrase`.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        id: &str,
        framework: &str,
        kind: &str,
        commitment_text: &str,
        pillars: &str,
        applies_to: &str,
        due_date: &str,
        due_phrase: &str,
        source: &str,
    ) -> Result<NewCommitment, Invalid> {
        let mut c = Collector::default();
        let id = c.check(CommitmentId::parse(id).map_err(|e| rename(e, "id")));
        let framework = c.check(FrameworkId::parse(framework));
        let kind = c.check(kind.parse::<CommitmentKind>());
        let body = c.check(text("text", commitment_text, true, 4000));
        let mut pillar_ids = Vec::new();
        for p in pillars.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match PillarId::parse(p) {
                Ok(p) if !pillar_ids.contains(&p) => pillar_ids.push(p),
                Ok(_) => {}
                Err(_) => c.push("pillars", format!("{p:?} is not a pillar id")),
            }
        }
        let applies_to = c.check(AppliesTo::parse(applies_to));
        let due = if due_date.trim().is_empty() {
            Some(None)
        } else {
            let date = c.check(serde_time::parse_date("due_date", due_date));
            let phrase = c.check(text("due_phrase", due_phrase, true, 500));
            date.zip(phrase).map(|(date, phrase)| {
                Some(Due {
                    date,
                    phrase,
                    approximate: false,
                    note: String::new(),
                })
            })
        };
        let source = c.check(text("source", source, true, 2000));
        c.finish()?;
        Ok(NewCommitment {
            id: id.expect("checked"),
            framework: framework.expect("checked"),
            kind: kind.expect("checked"),
            text: body.expect("checked"),
            pillars: pillar_ids,
            applies_to: applies_to.expect("checked"),
            due: due.expect("checked"),
            source: source.expect("checked"),
        })
    }
}

fn rename(mut e: Invalid, field: &str) -> Invalid {
    for fe in &mut e.errors {
        fe.field = field.to_string();
    }
    e
}

/// All frameworks and commitments, consistent with each other.
/// Deserializing checks the references as [`Catalogue::from_parts`] does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredCatalogue")]
pub struct Catalogue {
    frameworks: Vec<Framework>,
    commitments: Vec<Commitment>,
}

#[derive(Deserialize)]
struct StoredCatalogue {
    frameworks: Vec<Framework>,
    commitments: Vec<Commitment>,
}

impl TryFrom<StoredCatalogue> for Catalogue {
    type Error = PlanError;
    fn try_from(c: StoredCatalogue) -> Result<Catalogue, PlanError> {
        Catalogue::from_parts(c.frameworks, c.commitments)
    }
}

impl Catalogue {
    /// Builds a catalogue from stored rows, checking every reference.
    pub fn from_parts(
        frameworks: Vec<Framework>,
        commitments: Vec<Commitment>,
    ) -> Result<Catalogue, PlanError> {
        let mut cat = Catalogue::default();
        for f in frameworks {
            if cat.framework(&f.id).is_some() {
                return Err(PlanError::Duplicate {
                    what: "framework",
                    id: f.id.to_string(),
                });
            }
            for p in &f.pillars {
                if p.framework != f.id || cat.pillar(&p.id).is_some() {
                    return Err(PlanError::UnknownPillar(p.id.clone()));
                }
            }
            cat.frameworks.push(f);
        }
        for c in commitments {
            cat.check_commitment_refs(&c.id, &c.framework, &c.pillars)?;
            cat.commitments.push(c);
        }
        Ok(cat)
    }

    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    pub fn commitments(&self) -> &[Commitment] {
        &self.commitments
    }

    pub fn framework(&self, id: &FrameworkId) -> Option<&Framework> {
        self.frameworks.iter().find(|f| &f.id == id)
    }

    pub fn commitment(&self, id: &CommitmentId) -> Option<&Commitment> {
        self.commitments.iter().find(|c| &c.id == id)
    }

    pub fn pillars(&self) -> impl Iterator<Item = &Pillar> {
        self.frameworks.iter().flat_map(|f| f.pillars.iter())
    }

    pub fn pillar(&self, id: &PillarId) -> Option<&Pillar> {
        self.pillars().find(|p| &p.id == id)
    }

    /// The commitments of one framework, in catalogue order.
    pub fn commitments_of<'a>(
        &'a self,
        framework: &'a FrameworkId,
    ) -> impl Iterator<Item = &'a Commitment> + 'a {
        self.commitments
            .iter()
            .filter(move |c| &c.framework == framework)
    }

    /// Adds a framework (secretariat). Refuses a duplicate id.
    pub fn add_framework(&mut self, new: NewFramework) -> Result<&Framework, PlanError> {
        if self.framework(&new.id).is_some() {
            return Err(PlanError::Duplicate {
                what: "framework",
                id: new.id.to_string(),
            });
        }
        self.frameworks.push(Framework {
            id: new.id,
            title: new.title,
            short_title: new.short_title,
            adopted_on: new.adopted_on,
            adopted_at: new.adopted_at,
            description: new.description,
            source: new.source,
            pillars: Vec::new(),
            seeded: false,
        });
        Ok(self.frameworks.last().expect("just pushed"))
    }

    /// Adds a pillar to a framework (secretariat); its id is `<framework>.pillar.<n>`.
    pub fn add_pillar(&mut self, new: NewPillar) -> Result<&Pillar, PlanError> {
        let id = PillarId::parse(&format!("{}.pillar.{}", new.framework, new.number))?;
        let Some(fw) = self.frameworks.iter_mut().find(|f| f.id == new.framework) else {
            return Err(PlanError::UnknownFramework(new.framework));
        };
        if fw.pillars.iter().any(|p| p.id == id) {
            return Err(PlanError::Duplicate {
                what: "pillar",
                id: id.to_string(),
            });
        }
        fw.pillars.push(Pillar {
            id,
            framework: new.framework,
            number: new.number,
            title: new.title,
            short_label: new.short_label,
            stressed_by: None,
        });
        fw.pillars.sort_by_key(|p| p.number);
        let fw = &*fw;
        Ok(fw
            .pillars
            .iter()
            .find(|p| p.number == new.number)
            .expect("just pushed"))
    }

    fn check_commitment_refs(
        &self,
        id: &CommitmentId,
        framework: &FrameworkId,
        pillars: &[PillarId],
    ) -> Result<(), PlanError> {
        if self.commitment(id).is_some() {
            return Err(PlanError::Duplicate {
                what: "commitment",
                id: id.to_string(),
            });
        }
        if self.framework(framework).is_none() {
            return Err(PlanError::UnknownFramework(framework.clone()));
        }
        if let Some(p) = pillars.iter().find(|p| self.pillar(p).is_none()) {
            return Err(PlanError::UnknownPillar(p.clone()));
        }
        Ok(())
    }

    /// Adds a commitment (secretariat): the framework and the pillars must
    /// exist and the id be new. It is numbered after the last of its kind.
    pub fn add_commitment(&mut self, new: NewCommitment) -> Result<&Commitment, PlanError> {
        self.check_commitment_refs(&new.id, &new.framework, &new.pillars)?;
        let number = self
            .commitments_of(&new.framework)
            .filter(|c| c.kind == new.kind)
            .map(|c| c.number)
            .max()
            .unwrap_or(0)
            + 1;
        self.commitments.push(Commitment {
            id: new.id,
            framework: new.framework,
            kind: new.kind,
            number,
            text: new.text,
            pillars: new.pillars,
            applies_to: new.applies_to,
            due: new.due,
            source: new.source,
            seeded: false,
        });
        Ok(self.commitments.last().expect("just pushed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalogue {
        crate::seed::catalogue()
    }

    #[test]
    fn applies_to_parses_all_and_lists_and_round_trips() {
        assert_eq!(AppliesTo::parse("all").unwrap(), AppliesTo::ALL);
        let a = AppliesTo::parse("regional_states, partners").unwrap();
        assert_eq!(a, AppliesTo::REGIONAL_STATES_AND_PARTNERS);
        assert_eq!(AppliesTo::parse(&a.as_string()).unwrap(), a);
        assert!(a.includes(MemberKind::PartnerState));
        assert!(!a.includes(MemberKind::PartnerOrganization));
        assert!(!AppliesTo::ALL.includes(MemberKind::CivilSociety));
        for bad in ["", "planets", "all, moons"] {
            assert_eq!(
                AppliesTo::parse(bad).unwrap_err().errors[0].field,
                "applies_to"
            );
        }
    }

    #[test]
    fn secretariat_adds_a_framework_with_a_pillar_and_a_commitment() {
        let mut c = cat();
        let fw = NewFramework::parse(
            "gcts2006",
            "UN Global Counter-Terrorism Strategy",
            "GCTS",
            "2006-09-08",
            "New York",
            "",
            "A/RES/60/288",
        )
        .unwrap();
        c.add_framework(fw).unwrap();
        let p = NewPillar::parse("gcts2006", "1", "Conditions conducive", "Conditions").unwrap();
        assert_eq!(c.add_pillar(p).unwrap().id.as_str(), "gcts2006.pillar.1");
        let nc = NewCommitment::parse(
            "gcts2006.task.1",
            "gcts2006",
            "task",
            "Address the conditions conducive",
            "gcts2006.pillar.1",
            "all",
            "",
            "",
            "A/RES/60/288 annex",
        )
        .unwrap();
        let added = c.add_commitment(nc).unwrap();
        assert_eq!(added.number, 1);
        assert!(!added.seeded);
    }

    #[test]
    fn adding_a_commitment_to_an_unknown_framework_or_pillar_changes_nothing() {
        let mut c = cat();
        let before = c.clone();
        let nc = |fw: &str, pillars: &str| {
            NewCommitment::parse("x.task.1", fw, "task", "t", pillars, "all", "", "", "s").unwrap()
        };
        assert!(matches!(
            c.add_commitment(nc("nowhere", "")),
            Err(PlanError::UnknownFramework(_))
        ));
        assert!(matches!(
            c.add_commitment(nc("jpoa2011", "jpoa2011.pillar.9")),
            Err(PlanError::UnknownPillar(_))
        ));
        let dup = NewCommitment::parse(
            "astana2015.step.1",
            "astana2015",
            "concrete_step",
            "t",
            "",
            "all",
            "",
            "",
            "s",
        )
        .unwrap();
        assert!(matches!(
            c.add_commitment(dup),
            Err(PlanError::Duplicate { .. })
        ));
        assert_eq!(c, before);
    }

    #[test]
    fn new_commitment_names_every_bad_field() {
        let e = NewCommitment::parse(
            "?",
            "",
            "promise",
            " ",
            "Pillar One",
            "moons",
            "15/9/2015",
            "",
            "",
        )
        .unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "id",
                "framework",
                "kind",
                "text",
                "pillars",
                "applies_to",
                "due_date",
                "due_phrase",
                "source"
            ]
        );
    }

    #[test]
    fn the_catalogue_round_trips_through_json_and_refuses_dangling_references() {
        let c = cat();
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains(r#""date":"2015-09-29""#));
        assert!(json.contains(r#""applies_to":{"regional_states":true"#));
        assert_eq!(serde_json::from_str::<Catalogue>(&json).unwrap(), c);
        let dangling = json.replace(r#""jpoa2011.pillar.4"]"#, r#""jpoa2011.pillar.9"]"#);
        assert!(serde_json::from_str::<Catalogue>(&dangling).is_err());
    }

    #[test]
    fn display_text_drops_the_bullet_punctuation_only() {
        let c = cat();
        let step = c
            .commitment(&CommitmentId::parse("astana2015.step.1").unwrap())
            .unwrap();
        assert!(step.text.ends_with(';'));
        assert!(!step.display_text().ends_with(';'));
        assert_eq!(step.label(), "Step 1");
    }
}
