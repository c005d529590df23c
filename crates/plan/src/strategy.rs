//! The register of national strategies and action plans ("Importance of
//! developing comprehensive national strategies and action plans", conclusion
//! 9; "To develop inclusive national CVE strategies", step 2).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::Date;

use accord_core::tlp::Tlp;
use accord_core::validation::{Collector, text};
use accord_core::{Invalid, MemberCode, Role};

use crate::error::PlanError;
use crate::framework::Catalogue;
use crate::ids::CommitmentId;
use crate::rules::acting_user;
use crate::serde_time;
use accord_core::Principal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyKind {
    Strategy,
    ActionPlan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyStatus {
    Drafting,
    Adopted,
    UnderReview,
}

macro_rules! str_enum {
    ($t:ty, $field:literal, $msg:literal, [$($v:path => $s:literal),+]) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $($v => $s),+ }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $t {
            type Err = Invalid;
            fn from_str(s: &str) -> Result<Self, Invalid> {
                match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
                    $($s => Ok($v),)+
                    _ => Err(Invalid::field($field, $msg)),
                }
            }
        }
    };
}

str_enum!(StrategyKind, "kind", "must be strategy or action_plan",
    [StrategyKind::Strategy => "strategy", StrategyKind::ActionPlan => "action_plan"]);
str_enum!(StrategyStatus, "status", "must be drafting, adopted or under_review",
    [StrategyStatus::Drafting => "drafting", StrategyStatus::Adopted => "adopted",
     StrategyStatus::UnderReview => "under_review"]);

/// A national strategy or action plan of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NationalStrategy {
    pub member: MemberCode,
    pub title: String,
    pub kind: StrategyKind,
    pub status: StrategyStatus,
    #[serde(with = "serde_time::date::option")]
    pub adopted_on: Option<Date>,
    /// Agencies, civil society and others involved in designing or running it.
    pub actors: Vec<String>,
    /// The commitments it implements.
    pub implements: Vec<CommitmentId>,
    pub url: Option<String>,
    pub tlp: Tlp,
}

/// A strategy as a form or JSON body sends it, unvalidated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StrategyInput {
    pub title: String,
    pub kind: String,
    pub status: String,
    pub adopted_on: String,
    pub actors: Vec<String>,
    pub implements: Vec<String>,
    pub url: String,
    pub tlp: String,
}

/// Whether `actor` may register or change `member`'s strategies (and their
/// documents): the member's contributors and administrators, or the secretariat.
pub fn can_edit_strategies(actor: &Principal, member: &MemberCode) -> Result<(), PlanError> {
    let (_, role) = acting_user(actor)?;
    let own = matches!(role, Role::Contributor | Role::MemberAdmin) && actor.is_of(member);
    if own || actor.is_secretariat() {
        Ok(())
    } else {
        Err(PlanError::OtherMember {
            user_member: actor
                .member()
                .map_or_else(|| "no member".into(), |m| m.to_string()),
            report_member: member.clone(),
        })
    }
}

impl StrategyInput {
    /// Validates a strategy of `member` registered by `actor` (a contributor
    /// or administrator of that member, or the secretariat). An adopted
    /// strategy needs its adoption date, a draft has none, and no date lies
    /// after `today`.
    pub fn validate(
        &self,
        actor: &Principal,
        member: &MemberCode,
        catalogue: &Catalogue,
        today: Date,
    ) -> Result<NationalStrategy, PlanError> {
        can_edit_strategies(actor, member)?;
        let mut c = Collector::default();
        let title = c.check(text("title", &self.title, true, 300));
        let kind = c.check(self.kind.parse::<StrategyKind>());
        let status = c.check(self.status.parse::<StrategyStatus>());
        let adopted_on = if self.adopted_on.trim().is_empty() {
            Some(None)
        } else {
            c.check(serde_time::parse_date("adopted_on", &self.adopted_on))
                .map(Some)
        };
        match (status, adopted_on) {
            (Some(StrategyStatus::Adopted), Some(None)) => {
                c.push("adopted_on", "is required for an adopted strategy")
            }
            (Some(StrategyStatus::Drafting), Some(Some(_))) => c.push(
                "adopted_on",
                "must be empty while the strategy is being drafted",
            ),
            (_, Some(Some(d))) if d > today => c.push("adopted_on", "must not be in the future"),
            _ => {}
        }
        let mut actors = Vec::new();
        for (i, a) in self.actors.iter().enumerate() {
            if let Some(a) = c.check(text(&format!("actors[{i}]"), a, false, 200))
                && !a.is_empty()
                && !actors.contains(&a)
            {
                actors.push(a);
            }
        }
        let mut implements = Vec::new();
        for raw in self.implements.iter().filter(|s| !s.trim().is_empty()) {
            match CommitmentId::parse(raw) {
                Ok(id) if catalogue.commitment(&id).is_some() => {
                    if !implements.contains(&id) {
                        implements.push(id)
                    }
                }
                _ => c.push(
                    "implements",
                    format!("{:?} is not a known commitment", raw.trim()),
                ),
            }
        }
        let url = self.url.trim();
        if !url.is_empty() && crate::report::Evidence::link("url", url, "").is_err() {
            c.push("url", "must be an http or https address");
        }
        let tlp = c.check(self.tlp.parse::<Tlp>());
        c.finish()?;
        Ok(NationalStrategy {
            member: member.clone(),
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            status: status.expect("checked"),
            adopted_on: adopted_on.expect("checked"),
            actors,
            implements,
            url: (!url.is_empty()).then(|| url.to_string()),
            tlp: tlp.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use time::macros::date;

    fn input() -> StrategyInput {
        StrategyInput {
            title: "National CVE Strategy 2015–2020".into(),
            kind: "strategy".into(),
            status: "adopted".into(),
            adopted_on: "2015-08-01".into(),
            actors: vec!["Ministry of Interior".into(), "Youth NGO".into()],
            implements: vec!["astana2015.step.2".into(), "astana2015.conclusion.9".into()],
            url: "https://example.gov/cve".into(),
            tlp: "CLEAR".into(),
        }
    }

    #[test]
    fn an_adopted_strategy_is_registered_with_its_commitments() {
        let cat = crate::seed::catalogue();
        let s = input()
            .validate(
                &contributor("KAZ"),
                &code("KAZ"),
                &cat,
                date!(2015 - 09 - 01),
            )
            .unwrap();
        assert_eq!(s.status, StrategyStatus::Adopted);
        assert_eq!(s.implements.len(), 2);
    }

    #[test]
    fn adoption_date_follows_the_status() {
        let cat = crate::seed::catalogue();
        let today = date!(2015 - 09 - 01);
        let mut i = input();
        i.adopted_on = "".into();
        let e = i
            .validate(&contributor("KAZ"), &code("KAZ"), &cat, today)
            .unwrap_err();
        assert_eq!(e.field(), Some("adopted_on"));
        let mut i = input();
        i.status = "drafting".into();
        assert_eq!(
            i.validate(&contributor("KAZ"), &code("KAZ"), &cat, today)
                .unwrap_err()
                .field(),
            Some("adopted_on")
        );
        let mut i = input();
        i.adopted_on = "2016-01-01".into();
        assert!(
            i.validate(&contributor("KAZ"), &code("KAZ"), &cat, today)
                .is_err()
        );
    }

    #[test]
    fn another_members_user_cannot_register_and_unknown_commitments_are_named() {
        let cat = crate::seed::catalogue();
        let today = date!(2015 - 09 - 01);
        assert!(matches!(
            input().validate(&contributor("KGZ"), &code("KAZ"), &cat, today),
            Err(PlanError::OtherMember { .. })
        ));
        let mut i = input();
        i.implements = vec!["astana2015.step.8".into()];
        i.status = "finished".into();
        let PlanError::Invalid(e) = i
            .validate(&secretariat(), &code("KAZ"), &cat, today)
            .unwrap_err()
        else {
            panic!()
        };
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "implements"]);
    }
}
