//! A member's report on one commitment in one round, in versions: at most one
//! open draft (always the newest version), every earlier version submitted and
//! immutable. A correction is a new version; the old one stays.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::OffsetDateTime;

use accord_core::tlp::Tlp;
use accord_core::validation::{Collector, text};
use accord_core::{Invalid, MemberCode};

use crate::error::PlanError;
use crate::ids::{CommitmentId, RoundId, UserId};
use crate::round::ReportingRound;
use crate::rules::{accepts_reports, acting_user, can_draft, can_submit, visible_to};
use accord_core::Principal;

/// How far a member has got with a commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    NotStarted,
    Planned,
    InProgress,
    Implemented,
    NotApplicable,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 5] = [
        ReportStatus::NotStarted,
        ReportStatus::Planned,
        ReportStatus::InProgress,
        ReportStatus::Implemented,
        ReportStatus::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::NotStarted => "not_started",
            ReportStatus::Planned => "planned",
            ReportStatus::InProgress => "in_progress",
            ReportStatus::Implemented => "implemented",
            ReportStatus::NotApplicable => "not_applicable",
        }
    }

    /// English label for pages and charts.
    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::NotStarted => "Not started",
            ReportStatus::Planned => "Planned",
            ReportStatus::InProgress => "In progress",
            ReportStatus::Implemented => "Implemented",
            ReportStatus::NotApplicable => "Not applicable",
        }
    }

    /// The weight of the status in weighted progress: not started 0, planned
    /// ¼, in progress ½, implemented 1. Not applicable has none (`None`): it
    /// leaves the denominator.
    pub fn weight(self) -> Option<f64> {
        match self {
            ReportStatus::NotStarted => Some(0.0),
            ReportStatus::Planned => Some(0.25),
            ReportStatus::InProgress => Some(0.5),
            ReportStatus::Implemented => Some(1.0),
            ReportStatus::NotApplicable => None,
        }
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportStatus {
    type Err = Invalid;
    /// Accepts `in_progress`, `in-progress`, `In progress` and the like.
    fn from_str(s: &str) -> Result<Self, Invalid> {
        let norm = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        ReportStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == norm)
            .ok_or_else(|| {
                Invalid::field(
                    "status",
                    "must be not_started, planned, in_progress, implemented or not_applicable",
                )
            })
    }
}

/// A number with its unit, e.g. 120 "people" labelled "public servants trained".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub label: String,
    /// A finite, non-negative quantity (counts, sums, shares).
    pub value: f64,
    pub unit: String,
}

impl Indicator {
    /// Validates one indicator; `at` is its field prefix (`indicators[0]`).
    pub fn parse(at: &str, label: &str, value: &str, unit: &str) -> Result<Indicator, Invalid> {
        let mut c = Collector::default();
        let label = c.check(text(&format!("{at}.label"), label, true, 200));
        let value = c.check(
            value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| {
                    Invalid::field(&format!("{at}.value"), "must be a number, zero or more")
                }),
        );
        let unit = c.check(text(&format!("{at}.unit"), unit, true, 40));
        c.finish()?;
        Ok(Indicator {
            label: label.expect("checked"),
            value: value.expect("checked"),
            unit: unit.expect("checked"),
        })
    }

    /// The number as a form shows it ("120", "2.5").
    pub fn display_value(&self) -> String {
        format_number(self.value)
    }

    /// "120 people (public servants trained)".
    pub fn display(&self) -> String {
        format!(
            "{} {} ({})",
            format_number(self.value),
            self.unit,
            self.label
        )
    }
}

/// Whole numbers without ".0"; others as given.
pub(crate) fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Something that shows the work was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A public or shared address (http or https).
    Link { url: String, title: String },
    /// A file kept by the storage layer, named by its SHA-256.
    File {
        name: String,
        sha256: String,
        title: String,
    },
}

impl Evidence {
    pub fn link(at: &str, url: &str, title: &str) -> Result<Evidence, Invalid> {
        let mut c = Collector::default();
        let u = url.trim();
        let scheme_ok = u.starts_with("https://") || u.starts_with("http://");
        let host_ok = u
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
        if !scheme_ok
            || !host_ok
            || u.len() > 2000
            || u.chars().any(|ch| ch.is_whitespace() || ch.is_control())
        {
            c.push(&format!("{at}.url"), "must be an http or https address");
        }
        let title = c.check(text(&format!("{at}.title"), title, false, 300));
        c.finish()?;
        Ok(Evidence::Link {
            url: u.to_string(),
            title: title.expect("checked"),
        })
    }

    pub fn file(at: &str, name: &str, sha256: &str, title: &str) -> Result<Evidence, Invalid> {
        let mut c = Collector::default();
        let name = c.check(text(&format!("{at}.name"), name, true, 255));
        if let Some(n) = &name
            && (n.contains('/') || n.contains('\\'))
        {
            c.push(&format!("{at}.name"), "must be a file name, not a path");
        }
        let sha = sha256.trim().to_ascii_lowercase();
        if sha.len() != 64 || !sha.chars().all(|ch| ch.is_ascii_hexdigit()) {
            c.push(&format!("{at}.sha256"), "must be 64 hexadecimal digits");
        }
        let title = c.check(text(&format!("{at}.title"), title, false, 300));
        c.finish()?;
        Ok(Evidence::File {
            name: name.expect("checked"),
            sha256: sha,
            title: title.expect("checked"),
        })
    }

    /// One line for tables and CSV.
    pub fn display(&self) -> String {
        match self {
            Evidence::Link { url, title } if title.is_empty() => url.clone(),
            Evidence::Link { url, title } => format!("{title} <{url}>"),
            Evidence::File { name, sha256, .. } => format!("file {name} (sha256 {sha256})"),
        }
    }
}

/// One indicator as a form or JSON body sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorInput {
    pub label: String,
    pub value: String,
    pub unit: String,
}

/// One piece of evidence as sent: a `url`, or a stored file's `name` and `sha256`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvidenceInput {
    pub url: String,
    pub name: String,
    pub sha256: String,
    pub title: String,
}

/// The fields of a report as a form or JSON body sends them, unvalidated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub status: String,
    pub narrative: String,
    pub indicators: Vec<IndicatorInput>,
    pub evidence: Vec<EvidenceInput>,
    pub agencies: Vec<String>,
    pub civil_society_partners: Vec<String>,
    pub tlp: String,
}

pub const MAX_NARRATIVE_CHARS: usize = 20_000;
pub const MAX_LIST_ITEMS: usize = 100;

impl ReportInput {
    /// Checks every field, naming each bad one (`status`, `indicators[1].unit`, ...).
    pub fn validate(&self) -> Result<ReportContent, Invalid> {
        let mut c = Collector::default();
        let status = c.check(self.status.parse::<ReportStatus>());
        let narrative = c.check(text(
            "narrative",
            &self.narrative,
            false,
            MAX_NARRATIVE_CHARS,
        ));
        let tlp = c.check(self.tlp.parse::<Tlp>());
        let mut indicators = Vec::new();
        if self.indicators.len() > MAX_LIST_ITEMS {
            c.push("indicators", format!("at most {MAX_LIST_ITEMS}"));
        }
        for (i, ind) in self.indicators.iter().enumerate() {
            if let Some(ok) = c.check(Indicator::parse(
                &format!("indicators[{i}]"),
                &ind.label,
                &ind.value,
                &ind.unit,
            )) {
                indicators.push(ok);
            }
        }
        let mut evidence = Vec::new();
        if self.evidence.len() > MAX_LIST_ITEMS {
            c.push("evidence", format!("at most {MAX_LIST_ITEMS}"));
        }
        for (i, ev) in self.evidence.iter().enumerate() {
            let at = format!("evidence[{i}]");
            let parsed = match (ev.url.trim().is_empty(), ev.sha256.trim().is_empty()) {
                (false, true) => Evidence::link(&at, &ev.url, &ev.title),
                (true, false) => Evidence::file(&at, &ev.name, &ev.sha256, &ev.title),
                _ => Err(Invalid::field(&at, "give either a url or a stored file")),
            };
            if let Some(ok) = c.check(parsed) {
                evidence.push(ok);
            }
        }
        let agencies = names(&mut c, "agencies", &self.agencies);
        let partners = names(
            &mut c,
            "civil_society_partners",
            &self.civil_society_partners,
        );
        c.finish()?;
        Ok(ReportContent {
            status: status.expect("checked"),
            narrative: narrative.expect("checked"),
            indicators,
            evidence,
            agencies,
            civil_society_partners: partners,
            tlp: tlp.expect("checked"),
        })
    }
}

fn names(c: &mut Collector, field: &str, raw: &[String]) -> Vec<String> {
    if raw.len() > MAX_LIST_ITEMS {
        c.push(field, format!("at most {MAX_LIST_ITEMS}"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, n) in raw.iter().enumerate() {
        if let Some(n) = c.check(text(&format!("{field}[{i}]"), n, false, 200))
            && !n.is_empty()
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out
}

/// What a report says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportContent {
    pub status: ReportStatus,
    pub narrative: String,
    pub indicators: Vec<Indicator>,
    pub evidence: Vec<Evidence>,
    /// National agencies involved.
    pub agencies: Vec<String>,
    /// Civil-society partners involved.
    pub civil_society_partners: Vec<String>,
    pub tlp: Tlp,
}

/// Who submitted a version and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// One version of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportVersion {
    /// 1, 2, ... in order.
    pub number: u32,
    pub content: ReportContent,
    /// Everyone who created or edited this version, first drafter first.
    pub drafted_by: Vec<UserId>,
    /// Who made the last change (versions stored before this was recorded
    /// count the last of `drafted_by`).
    #[serde(default)]
    pub last_edited_by: Option<UserId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// `None` while it is a draft.
    pub submitted: Option<Submission>,
    /// The submitted version this one corrects.
    pub corrects: Option<u32>,
}

impl ReportVersion {
    /// Who made the last change to this version.
    pub fn last_editor(&self) -> UserId {
        self.last_edited_by
            .or_else(|| self.drafted_by.last().copied())
            .unwrap_or_default()
    }

    pub fn is_draft(&self) -> bool {
        self.submitted.is_none()
    }
}

/// A member's report on a commitment in a round, with all its versions.
/// Deserializing checks the same invariants as [`Report::from_versions`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StoredReport")]
pub struct Report {
    pub round: RoundId,
    pub member: MemberCode,
    pub commitment: CommitmentId,
    versions: Vec<ReportVersion>,
}

/// The serialized shape of a [`Report`], checked on the way in.
#[derive(Deserialize)]
struct StoredReport {
    round: RoundId,
    member: MemberCode,
    commitment: CommitmentId,
    versions: Vec<ReportVersion>,
}

impl TryFrom<StoredReport> for Report {
    type Error = PlanError;
    fn try_from(r: StoredReport) -> Result<Report, PlanError> {
        Report::from_versions(r.round, r.member, r.commitment, r.versions)
    }
}

impl Report {
    /// Starts a report with a first draft. Refused, with nothing created, if
    /// [`can_draft`] refuses.
    pub fn draft(
        actor: &Principal,
        round: &ReportingRound,
        member: &MemberCode,
        commitment: &CommitmentId,
        content: ReportContent,
        now: OffsetDateTime,
    ) -> Result<Report, PlanError> {
        can_draft(actor, member, round, commitment, now)?;
        let (user, _) = acting_user(actor)?;
        Ok(Report {
            round: round.id.clone(),
            member: member.clone(),
            commitment: commitment.clone(),
            versions: vec![ReportVersion {
                number: 1,
                content,
                drafted_by: vec![user],
                last_edited_by: Some(user),
                created_at: now,
                updated_at: now,
                submitted: None,
                corrects: None,
            }],
        })
    }

    /// Rebuilds a report from stored versions, checking the invariants
    /// (numbered 1.., only the newest may be a draft, corrections point back).
    pub fn from_versions(
        round: RoundId,
        member: MemberCode,
        commitment: CommitmentId,
        versions: Vec<ReportVersion>,
    ) -> Result<Report, PlanError> {
        let bad = |m: &str| PlanError::field_error("versions", m.to_string());
        if versions.is_empty() {
            return Err(bad("a report has at least one version"));
        }
        for (i, v) in versions.iter().enumerate() {
            if v.number as usize != i + 1 {
                return Err(bad("versions must be numbered 1, 2, ... in order"));
            }
            if v.is_draft() && i + 1 != versions.len() {
                return Err(bad("only the newest version may be a draft"));
            }
            if v.corrects.is_some_and(|c| c as usize > i || c == 0)
                || (i > 0 && v.corrects.is_none())
            {
                return Err(bad("every later version corrects an earlier one"));
            }
            if v.drafted_by.is_empty() {
                return Err(bad("every version has a drafter"));
            }
        }
        Ok(Report {
            round,
            member,
            commitment,
            versions,
        })
    }

    pub fn versions(&self) -> &[ReportVersion] {
        &self.versions
    }

    /// The newest version (draft or submitted).
    pub fn latest(&self) -> &ReportVersion {
        self.versions.last().expect("a report has a version")
    }

    /// The open draft, if any.
    pub fn draft_version(&self) -> Option<&ReportVersion> {
        Some(self.latest()).filter(|v| v.is_draft())
    }

    /// The newest submitted version: what counts for progress.
    pub fn latest_submitted(&self) -> Option<&ReportVersion> {
        self.versions.iter().rev().find(|v| !v.is_draft())
    }

    fn check_round(&self, round: &ReportingRound) -> Result<(), PlanError> {
        if round.id != self.round {
            return Err(PlanError::WrongReport);
        }
        Ok(())
    }

    /// Changes the open draft. A submitted version is never changed:
    /// editing one is refused with [`PlanError::Submitted`].
    pub fn edit(
        &self,
        actor: &Principal,
        round: &ReportingRound,
        content: ReportContent,
        now: OffsetDateTime,
    ) -> Result<Report, PlanError> {
        self.check_round(round)?;
        let latest = self.latest();
        if !latest.is_draft() {
            return Err(PlanError::Submitted {
                version: latest.number,
            });
        }
        can_draft(actor, &self.member, round, &self.commitment, now)?;
        let (user, _) = acting_user(actor)?;
        let mut next = self.clone();
        let v = next.versions.last_mut().expect("a report has a version");
        v.content = content;
        v.updated_at = now;
        if !v.drafted_by.contains(&user) {
            v.drafted_by.push(user);
        }
        v.last_edited_by = Some(user);
        Ok(next)
    }

    /// Submits the open draft: the member's administrator, before the
    /// deadline (or while reopened), under separation of duties.
    /// `member_user_count` is as in [`can_submit`].
    pub fn submit(
        &self,
        actor: &Principal,
        round: &ReportingRound,
        member_user_count: usize,
        now: OffsetDateTime,
    ) -> Result<Report, PlanError> {
        self.check_round(round)?;
        let latest = self.latest();
        if !latest.is_draft() {
            return Err(PlanError::Submitted {
                version: latest.number,
            });
        }
        can_submit(actor, &self.member, latest.last_editor(), member_user_count)?;
        if !round.members.contains(&self.member) {
            return Err(PlanError::MemberNotAsked {
                round: round.id.clone(),
                member: self.member.clone(),
            });
        }
        if !round.commitments.contains(&self.commitment) {
            return Err(PlanError::CommitmentNotInRound {
                round: round.id.clone(),
                commitment: self.commitment.clone(),
            });
        }
        accepts_reports(round, now)?;
        let (user, _) = acting_user(actor)?;
        let mut next = self.clone();
        let v = next.versions.last_mut().expect("a report has a version");
        v.submitted = Some(Submission { by: user, at: now });
        v.updated_at = now;
        Ok(next)
    }

    /// Starts a correction of the newest submitted version: a new draft
    /// version; the submitted one is kept as it was.
    pub fn correct(
        &self,
        actor: &Principal,
        round: &ReportingRound,
        content: ReportContent,
        now: OffsetDateTime,
    ) -> Result<Report, PlanError> {
        self.check_round(round)?;
        let latest = self.latest();
        if latest.is_draft() {
            return Err(if latest.number == 1 {
                PlanError::NothingToCorrect
            } else {
                PlanError::DraftOpen {
                    version: latest.number,
                }
            });
        }
        can_draft(actor, &self.member, round, &self.commitment, now)?;
        let (user, _) = acting_user(actor)?;
        let mut next = self.clone();
        next.versions.push(ReportVersion {
            number: latest.number + 1,
            content,
            drafted_by: vec![user],
            last_edited_by: Some(user),
            created_at: now,
            updated_at: now,
            submitted: None,
            corrects: Some(latest.number),
        });
        Ok(next)
    }

    /// Whether `viewer` may see the report's submitted content at all: the
    /// newest submitted version's marking decides (a correction that tightens
    /// the marking hides the older versions too).
    pub fn is_visible_to(&self, viewer: &Principal) -> bool {
        self.latest_submitted()
            .is_some_and(|v| visible_to(v.content.tlp, &self.member, viewer))
    }

    /// What `viewer` may see for progress: the newest submitted version if
    /// visible, else nothing (indistinguishable from "not reported").
    pub fn submitted_for(&self, viewer: &Principal) -> Option<&ReportVersion> {
        self.latest_submitted()
            .filter(|v| visible_to(v.content.tlp, &self.member, viewer))
    }

    /// The versions `viewer` may read. The member's own users see every
    /// version, drafts included; others (the secretariat too) see submitted
    /// versions only, each under its own marking, and none at all when the
    /// newest submitted version is hidden from them.
    pub fn versions_visible_to(&self, viewer: &Principal) -> Vec<&ReportVersion> {
        if viewer.is_of(&self.member) {
            return self.versions.iter().collect();
        }
        if !self.is_visible_to(viewer) {
            return Vec::new();
        }
        self.versions
            .iter()
            .filter(|v| !v.is_draft() && visible_to(v.content.tlp, &self.member, viewer))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::*;
    use accord_core::MemberKind;

    #[test]
    fn status_parses_spellings_and_refuses_unknown_values_naming_the_field() {
        assert_eq!(
            "in progress".parse::<ReportStatus>().unwrap(),
            ReportStatus::InProgress
        );
        assert_eq!(
            "Not-Applicable".parse::<ReportStatus>().unwrap(),
            ReportStatus::NotApplicable
        );
        for s in ReportStatus::ALL {
            assert_eq!(s.as_str().parse::<ReportStatus>().unwrap(), s);
        }
        let e = "done".parse::<ReportStatus>().unwrap_err();
        assert_eq!(e.errors[0].field, "status");
    }

    #[test]
    fn report_input_names_every_bad_field() {
        let input = ReportInput {
            status: "done".into(),
            narrative: "ok".into(),
            indicators: vec![IndicatorInput {
                label: "trained".into(),
                value: "-3".into(),
                unit: "".into(),
            }],
            evidence: vec![EvidenceInput {
                url: "javascript:alert(1)".into(),
                ..Default::default()
            }],
            agencies: vec!["Ministry\u{0}".into()],
            civil_society_partners: vec![],
            tlp: "WHITE".into(),
        };
        let e = input.validate().unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "status",
                "tlp",
                "indicators[0].value",
                "indicators[0].unit",
                "evidence[0].url",
                "agencies[0]"
            ]
        );
    }

    #[test]
    fn a_valid_input_becomes_content_with_indicators_and_evidence() {
        let input = ReportInput {
            status: "implemented".into(),
            narrative: "Trained 120 public servants.".into(),
            indicators: vec![IndicatorInput {
                label: "public servants trained".into(),
                value: "120".into(),
                unit: "people".into(),
            }],
            evidence: vec![
                EvidenceInput {
                    url: "https://example.org/report".into(),
                    title: "Report".into(),
                    ..Default::default()
                },
                EvidenceInput {
                    name: "list.pdf".into(),
                    sha256: "AB".repeat(32),
                    ..Default::default()
                },
            ],
            agencies: vec![
                "Ministry of Interior".into(),
                "Ministry of Interior".into(),
                " ".into(),
            ],
            civil_society_partners: vec!["Youth Forum".into()],
            tlp: "TLP:GREEN".into(),
        };
        let c = input.validate().unwrap();
        assert_eq!(
            c.indicators[0].display(),
            "120 people (public servants trained)"
        );
        assert_eq!(c.agencies, ["Ministry of Interior"]);
        assert!(
            matches!(&c.evidence[1], Evidence::File { sha256, .. } if sha256 == &"ab".repeat(32))
        );
        assert_eq!(c.tlp, Tlp::Green);
    }

    #[test]
    fn evidence_refuses_paths_and_bad_hashes() {
        assert!(Evidence::file("e", "../x.pdf", &"a".repeat(64), "").is_err());
        assert!(Evidence::file("e", "x.pdf", "abc", "").is_err());
        assert!(Evidence::link("e", "https://", "").is_err());
        assert!(Evidence::link("e", "https://a.example/x y", "").is_err());
    }

    #[test]
    fn a_report_is_drafted_edited_and_submitted_with_separation_of_duties() {
        let r = round();
        let t = before_deadline();
        let contrib = contributor("KAZ");
        let adm = admin("KAZ");
        let rep = Report::draft(
            &contrib,
            &r,
            &code("KAZ"),
            &step(1),
            content(ReportStatus::Planned),
            t,
        )
        .unwrap();
        let rep = rep
            .edit(&adm, &r, content(ReportStatus::InProgress), t)
            .unwrap();
        assert_eq!(
            rep.latest().drafted_by,
            [contrib.user_id().unwrap(), adm.user_id().unwrap()]
        );
        // The administrator changed it last: a second person must look again.
        assert_eq!(
            rep.submit(&adm, &r, 2, t).unwrap_err(),
            PlanError::SeparationOfDuties
        );
        let rep = rep
            .edit(&contrib, &r, content(ReportStatus::InProgress), t)
            .unwrap();
        assert_eq!(rep.latest().last_editor(), contrib.user_id().unwrap());
        let rep = rep.submit(&adm, &r, 2, t).unwrap();
        assert_eq!(
            rep.latest_submitted().unwrap().content.status,
            ReportStatus::InProgress
        );
        assert!(rep.draft_version().is_none());
    }

    #[test]
    fn an_admin_alone_cannot_draft_and_submit_when_the_member_has_two_users() {
        let r = round();
        let t = before_deadline();
        let adm = admin("KAZ");
        let rep = Report::draft(
            &adm,
            &r,
            &code("KAZ"),
            &step(1),
            content(ReportStatus::Planned),
            t,
        )
        .unwrap();
        assert_eq!(
            rep.submit(&adm, &r, 2, t),
            Err(PlanError::SeparationOfDuties)
        );
        assert!(rep.submit(&adm, &r, 1, t).is_ok());
    }

    #[test]
    fn a_submitted_report_is_immutable_and_corrected_by_a_new_version() {
        let r = round();
        let t = before_deadline();
        let rep = submitted(&r, ReportStatus::Planned, Tlp::Green);
        let before = rep.clone();
        assert_eq!(
            rep.edit(
                &contributor("KAZ"),
                &r,
                content(ReportStatus::Implemented),
                t
            ),
            Err(PlanError::Submitted { version: 1 })
        );
        assert_eq!(
            rep.submit(&admin("KAZ"), &r, 2, t),
            Err(PlanError::Submitted { version: 1 })
        );
        assert_eq!(rep, before);

        let rep = rep
            .correct(
                &contributor("KAZ"),
                &r,
                content(ReportStatus::Implemented),
                t,
            )
            .unwrap();
        assert_eq!(rep.versions().len(), 2);
        assert_eq!(rep.latest().corrects, Some(1));
        // Until the correction is submitted, the old version counts.
        assert_eq!(
            rep.latest_submitted().unwrap().content.status,
            ReportStatus::Planned
        );
        assert_eq!(
            rep.correct(
                &contributor("KAZ"),
                &r,
                content(ReportStatus::Implemented),
                t
            ),
            Err(PlanError::DraftOpen { version: 2 })
        );
        let rep = rep.submit(&admin("KAZ"), &r, 2, t).unwrap();
        assert_eq!(rep.versions()[0], before.versions()[0]);
        assert_eq!(
            rep.latest_submitted().unwrap().content.status,
            ReportStatus::Implemented
        );
    }

    #[test]
    fn submitting_after_the_deadline_is_refused_unless_reopened() {
        let r = round();
        let rep = Report::draft(
            &contributor("KAZ"),
            &r,
            &code("KAZ"),
            &step(1),
            content(ReportStatus::Planned),
            before_deadline(),
        )
        .unwrap();
        let late = r.deadline + time::Duration::minutes(1);
        assert!(matches!(
            rep.submit(&admin("KAZ"), &r, 2, late),
            Err(PlanError::DeadlinePassed { .. })
        ));
        let reopened = r.with_reopened(&secretariat(), true).unwrap();
        assert!(rep.submit(&admin("KAZ"), &reopened, 2, late).is_ok());
    }

    #[test]
    fn a_user_of_another_member_cannot_touch_the_report() {
        let r = round();
        let t = before_deadline();
        let rep = Report::draft(
            &contributor("KAZ"),
            &r,
            &code("KAZ"),
            &step(1),
            content(ReportStatus::Planned),
            t,
        )
        .unwrap();
        assert!(matches!(
            rep.edit(
                &contributor("KGZ"),
                &r,
                content(ReportStatus::Implemented),
                t
            ),
            Err(PlanError::OtherMember { .. })
        ));
        assert!(matches!(
            rep.submit(&admin("KGZ"), &r, 2, t),
            Err(PlanError::OtherMember { .. })
        ));
    }

    #[test]
    fn a_report_for_a_commitment_outside_the_round_is_refused() {
        let e = Report::draft(
            &contributor("KAZ"),
            &round(),
            &code("KAZ"),
            &conclusion(2),
            content(ReportStatus::Planned),
            before_deadline(),
        )
        .unwrap_err();
        assert!(matches!(e, PlanError::CommitmentNotInRound { .. }));
    }

    #[test]
    fn drafts_are_seen_only_by_the_members_users() {
        let r = round();
        let rep = Report::draft(
            &contributor("KAZ"),
            &r,
            &code("KAZ"),
            &step(1),
            content(ReportStatus::Planned),
            before_deadline(),
        )
        .unwrap();
        assert_eq!(
            rep.versions_visible_to(&member_viewer("KAZ", MemberKind::RegionalState))
                .len(),
            1
        );
        assert!(rep.versions_visible_to(&secretariat()).is_empty());
        assert!(rep.submitted_for(&secretariat()).is_none());
    }

    #[test]
    fn tightening_the_marking_in_a_correction_hides_the_history() {
        let r = round();
        let t = before_deadline();
        let rep = submitted(&r, ReportStatus::Planned, Tlp::Green);
        let mut red = content(ReportStatus::Implemented);
        red.tlp = Tlp::Red;
        let rep = rep
            .correct(&contributor("KAZ"), &r, red, t)
            .unwrap()
            .submit(&admin("KAZ"), &r, 2, t)
            .unwrap();
        let usa = member_viewer("USA", MemberKind::PartnerState);
        assert!(rep.versions_visible_to(&usa).is_empty());
        assert!(rep.submitted_for(&usa).is_none());
        assert_eq!(rep.versions_visible_to(&secretariat()).len(), 2);
    }

    #[test]
    fn reports_round_trip_through_json_with_readable_times() {
        let rep = submitted(&round(), ReportStatus::Planned, Tlp::Amber);
        let json = serde_json::to_string(&rep).unwrap();
        assert!(
            json.contains(r#""submitted":{"by":12,"at":"2015-09-01T12:00:00Z"}"#),
            "{json}"
        );
        assert!(json.contains(r#""tlp":"AMBER""#));
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rep);
        let broken = json.replace(r#""number":1"#, r#""number":7"#);
        assert!(serde_json::from_str::<Report>(&broken).is_err());
    }

    #[test]
    fn stored_versions_are_checked() {
        let rep = submitted(&round(), ReportStatus::Planned, Tlp::Green);
        let mut vs = rep.versions().to_vec();
        assert!(
            Report::from_versions(
                rep.round.clone(),
                rep.member.clone(),
                rep.commitment.clone(),
                vs.clone()
            )
            .is_ok()
        );
        vs[0].number = 2;
        assert!(
            Report::from_versions(
                rep.round.clone(),
                rep.member.clone(),
                rep.commitment.clone(),
                vs
            )
            .is_err()
        );
        assert!(Report::from_versions(rep.round, rep.member, rep.commitment, vec![]).is_err());
    }
}
