//! Shared fixtures for the unit tests.

use accord_core::tlp::Tlp;
use accord_core::{MemberCode, MemberKind, Principal, Role};
use time::OffsetDateTime;
use time::macros::{date, datetime};

use crate::ids::{CommitmentId, RoundId};
use crate::report::{Report, ReportContent, ReportStatus};
use crate::round::{Period, ReportingRound};

pub fn code(c: &str) -> MemberCode {
    MemberCode::parse(c).unwrap()
}

/// A reader of member `c`, of `kind`.
pub fn member_viewer(c: &str, kind: MemberKind) -> Principal {
    Principal::member_user(50, "viewer", code(c), kind, Role::Reader)
}

/// The kinds of the members these tests use.
fn kind_of(c: &str) -> MemberKind {
    match c {
        "USA" => MemberKind::PartnerState,
        "OSCE" => MemberKind::PartnerOrganization,
        "NGO1" => MemberKind::CivilSociety,
        _ => MemberKind::RegionalState,
    }
}

pub fn step(n: u32) -> CommitmentId {
    CommitmentId::parse(&format!("astana2015.step.{n}")).unwrap()
}

pub fn conclusion(n: u32) -> CommitmentId {
    CommitmentId::parse(&format!("astana2015.conclusion.{n}")).unwrap()
}

pub fn contributor(m: &str) -> Principal {
    Principal::member_user(11, "contributor", code(m), kind_of(m), Role::Contributor)
}

pub fn admin(m: &str) -> Principal {
    Principal::member_user(12, "admin", code(m), kind_of(m), Role::MemberAdmin)
}

pub fn reader(m: &str) -> Principal {
    Principal::member_user(13, "reader", code(m), kind_of(m), Role::Reader)
}

pub fn secretariat() -> Principal {
    Principal::platform_user(99, "secretariat", Role::SecretariatAdmin)
}

/// The seven concrete steps, asked of KAZ, KGZ and TJK, due 15 September 2015.
pub fn round() -> ReportingRound {
    ReportingRound {
        id: RoundId::parse("2015-unga").unwrap(),
        name: "Before the CVE leaders' summit".into(),
        period: Period {
            start: date!(2015 - 07 - 01),
            end: date!(2015 - 09 - 15),
        },
        deadline: datetime!(2015-09-15 23:59:59 UTC),
        commitments: (1..=7).map(step).collect(),
        members: ["KAZ", "KGZ", "TJK"].map(code).to_vec(),
        reopened: false,
        cancelled: None,
    }
}

pub fn before_deadline() -> OffsetDateTime {
    datetime!(2015-09-01 12:00 UTC)
}

pub fn content(status: ReportStatus) -> ReportContent {
    ReportContent {
        status,
        narrative: "Work under way.".into(),
        indicators: vec![],
        evidence: vec![],
        agencies: vec![],
        civil_society_partners: vec![],
        tlp: Tlp::Green,
    }
}

/// A submitted KAZ report on step 1.
pub fn submitted(r: &ReportingRound, status: ReportStatus, tlp: Tlp) -> Report {
    submitted_by(r, "KAZ", &step(1), status, tlp)
}

pub fn submitted_by(
    r: &ReportingRound,
    member: &str,
    commitment: &CommitmentId,
    status: ReportStatus,
    tlp: Tlp,
) -> Report {
    let mut c = content(status);
    c.tlp = tlp;
    Report::draft(
        &contributor(member),
        r,
        &code(member),
        commitment,
        c,
        before_deadline(),
    )
    .unwrap()
    .submit(&admin(member), r, 2, before_deadline())
    .unwrap()
}
