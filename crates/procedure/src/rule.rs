//! The procedure as data: who proposes, who decides, how, and in what time.
//!
//! A rule is stored with (or referenced by) every proposal and never changes
//! under a running proposal: the storage layer must keep the rule a proposal
//! was opened under, or amendments to the rule would rewrite running deadlines.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::macros::time;

use crate::member::{MemberCode, MemberKind, Participant};
use crate::working_days::{Calendar, DeadlineZone, Span};

/// A set of members named by kind and/or by code.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemberSet {
    #[serde(default)]
    pub kinds: Vec<MemberKind>,
    #[serde(default)]
    pub codes: Vec<MemberCode>,
}

impl MemberSet {
    pub fn kind(kind: MemberKind) -> MemberSet {
        MemberSet {
            kinds: vec![kind],
            codes: Vec::new(),
        }
    }

    pub fn contains(&self, member: &Participant) -> bool {
        self.kinds.contains(&member.kind) || self.codes.contains(&member.code)
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty() && self.codes.is_empty()
    }
}

/// Who may open a proposal under a rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Proposers {
    pub members: MemberSet,
    /// The ombudsperson brings delisting recommendations.
    #[serde(default)]
    pub ombudsperson: bool,
}

/// How the deciders' positions turn into an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum DecisionRule {
    /// Adopted unless a decider objects; silence at the deadline is assent.
    /// One objection rejects at once.
    NoObjection,
    /// Adopted only if every decider concurs; one objection rejects at once,
    /// and silence at the deadline means there is no consensus.
    Consensus,
    /// Adopted if at least `numerator/denominator` of the votes cast concur
    /// and at least `quorum` deciders voted. Silence is abstention. Decided
    /// early only once every decider has voted.
    QualifiedMajority {
        numerator: u32,
        denominator: u32,
        quorum: u32,
    },
    /// For delisting recommendations: the recommendation takes effect at the
    /// end of the period unless every decider objects (asks to keep the
    /// listing). Objecting means "keep the listing".
    ReverseConsensus,
}

/// What happens when a hold reaches its end without being lifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnHoldLapse {
    /// The hold counts as no objection (silence); the proposal is adopted if
    /// nothing else stands in its way. The UN 1267 practice.
    Adopt,
    /// The whole proposal lapses; the proposer must start again.
    Lapse,
    /// The hold becomes an objection by the state that placed it.
    CountAsObjection,
}

/// Whether and for how long a decider may put a proposal on hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldPolicy {
    pub allowed: bool,
    pub max_duration: Span,
    /// How many times the state that placed a hold may extend it.
    pub extensions: u32,
    /// How much each extension adds to the hold's end.
    pub extension: Span,
    pub on_lapse: OnHoldLapse,
}

impl HoldPolicy {
    pub fn not_allowed() -> HoldPolicy {
        HoldPolicy {
            allowed: false,
            max_duration: Span::Days(0),
            extensions: 0,
            extension: Span::Days(0),
            on_lapse: OnHoldLapse::Adopt,
        }
    }
}

/// Which positions must be explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonsRequired {
    pub objection: bool,
    pub hold: bool,
}

/// Who sees which decider took which position. Everyone who may see the
/// proposal always sees its status, deadline and the count of positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Everyone who may see the proposal sees who decided what.
    Open,
    /// The deciders and the secretariat see who decided what.
    DecidersOnly,
    /// Only the secretariat sees who decided what; a decider sees its own.
    SecretariatOnly,
}

/// A complete agreement procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Shown to members, e.g. "No-objection procedure (UN 1267 practice)".
    pub name: String,
    pub proposers: Proposers,
    /// Who decides. The electorate is fixed from this when a proposal opens.
    pub deciders: MemberSet,
    pub decision: DecisionRule,
    pub period: Span,
    pub calendar: Calendar,
    pub zone: DeadlineZone,
    pub holds: HoldPolicy,
    pub reasons_required: ReasonsRequired,
    pub visibility: Visibility,
    /// Remind the deciders when this many working days are left before the
    /// deadline (at the deadline time of that day), e.g. `[3, 1]`.
    #[serde(default)]
    pub reminders: Vec<u32>,
}

impl Rule {
    /// The default for listing, amending and delisting, after the UN Security
    /// Council 1267 Committee: the regional states decide by no-objection
    /// within 10 working days ending 15:00 New York time; a hold lasts up to
    /// 6 months, may be extended once by 3 months, and a hold that lapses
    /// without an objection counts as no objection. Objections and holds must
    /// give reasons (rule of law is a condition of the whole effort).
    ///
    /// New York summer time is listed for 2015–2050; the secretariat adds
    /// years (or holidays) by editing the rule.
    pub fn un_1267_default() -> Rule {
        Rule {
            name: "No-objection procedure (UN 1267 practice)".to_owned(),
            proposers: Proposers {
                members: MemberSet::kind(MemberKind::RegionalState),
                ombudsperson: false,
            },
            deciders: MemberSet::kind(MemberKind::RegionalState),
            decision: DecisionRule::NoObjection,
            period: Span::WorkingDays(10),
            calendar: Calendar::saturday_sunday(),
            zone: DeadlineZone::new_york(time!(15:00), 2015..=2050),
            holds: HoldPolicy {
                allowed: true,
                max_duration: Span::Months(6),
                extensions: 1,
                extension: Span::Months(3),
                on_lapse: OnHoldLapse::Adopt,
            },
            reasons_required: ReasonsRequired {
                objection: true,
                hold: true,
            },
            visibility: Visibility::DecidersOnly,
            reminders: vec![3, 1],
        }
    }

    /// The default for an ombudsperson's delisting recommendation, after
    /// resolutions 1989 (2011), 2083 (2012) and 2161 (2014): the delisting
    /// takes effect 60 days after the recommendation is put to the states
    /// unless they all agree to keep the listing. No holds: a hold would let
    /// one state do what the procedure requires all of them to agree on.
    pub fn reverse_consensus_default() -> Rule {
        Rule {
            name: "Delisting recommendation (reverse consensus, 60 days)".to_owned(),
            proposers: Proposers {
                members: MemberSet::default(),
                ombudsperson: true,
            },
            deciders: MemberSet::kind(MemberKind::RegionalState),
            decision: DecisionRule::ReverseConsensus,
            period: Span::Days(60),
            holds: HoldPolicy::not_allowed(),
            reminders: vec![10, 3],
            ..Rule::un_1267_default()
        }
    }

    /// Checks that the rule can run: periods that end, fractions that make
    /// sense, someone to propose and decide.
    pub fn validate(&self) -> Result<(), RuleError> {
        if self.deciders.is_empty() {
            return Err(RuleError::NoDeciders);
        }
        if self.proposers.members.is_empty() && !self.proposers.ombudsperson {
            return Err(RuleError::NoProposers);
        }
        if self.period.is_zero() {
            return Err(RuleError::EmptyPeriod);
        }
        let spans = [self.period, self.holds.max_duration, self.holds.extension];
        if let Some(span) = spans.into_iter().find(|s| s.is_unreasonably_long()) {
            return Err(RuleError::SpanTooLong { span });
        }
        if !self.calendar.has_working_days() {
            return Err(RuleError::NoWorkingDays);
        }
        if let DecisionRule::QualifiedMajority {
            numerator,
            denominator,
            ..
        } = self.decision
            && (denominator == 0 || numerator == 0 || numerator > denominator)
        {
            return Err(RuleError::BadMajority {
                numerator,
                denominator,
            });
        }
        if self.holds.allowed {
            if self.holds.max_duration.is_zero() {
                return Err(RuleError::EmptyHold);
            }
            if self.holds.extensions > 0 && self.holds.extension.is_zero() {
                return Err(RuleError::EmptyHoldExtension);
            }
        }
        if let Some(bad) = self.zone.summer_time.iter().find(|p| p.from >= p.until) {
            return Err(RuleError::BadSummerTime {
                from: bad.from.to_string(),
                until: bad.until.to_string(),
            });
        }
        Ok(())
    }
}

/// Why a rule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    #[error("the rule names no deciders")]
    NoDeciders,
    #[error("the rule names no one who may propose")]
    NoProposers,
    #[error("the decision period must be longer than zero")]
    EmptyPeriod,
    #[error("{span:?} is longer than ten years")]
    SpanTooLong { span: Span },
    #[error("the calendar has no working days")]
    NoWorkingDays,
    #[error("a qualified majority of {numerator}/{denominator} is not a fraction between 0 and 1")]
    BadMajority { numerator: u32, denominator: u32 },
    #[error("holds are allowed but their maximum length is zero")]
    EmptyHold,
    #[error("hold extensions are allowed but add no time")]
    EmptyHoldExtension,
    #[error("a summer-time period must end after it starts ({from} to {until})")]
    BadSummerTime { from: String, until: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        Rule::un_1267_default().validate().unwrap();
        Rule::reverse_consensus_default().validate().unwrap();
    }

    #[test]
    fn a_rule_survives_a_json_round_trip() {
        for rule in [Rule::un_1267_default(), Rule::reverse_consensus_default()] {
            let json = serde_json::to_string_pretty(&rule).unwrap();
            let back: Rule = serde_json::from_str(&json).unwrap();
            assert_eq!(back, rule);
        }
    }

    #[test]
    fn a_typo_in_a_period_is_caught() {
        let mut rule = Rule::un_1267_default();
        rule.holds.max_duration = Span::Months(600);
        assert_eq!(
            rule.validate(),
            Err(RuleError::SpanTooLong {
                span: Span::Months(600)
            })
        );
    }

    #[test]
    fn nonsense_majorities_are_refused() {
        let mut rule = Rule::un_1267_default();
        rule.decision = DecisionRule::QualifiedMajority {
            numerator: 3,
            denominator: 2,
            quorum: 1,
        };
        assert_eq!(
            rule.validate(),
            Err(RuleError::BadMajority {
                numerator: 3,
                denominator: 2
            })
        );
    }
}
