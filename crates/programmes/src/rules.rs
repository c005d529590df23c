//! Who may see and edit a programme, result periods' drafting and
//! submission, and the versions kept. Pure functions of the asking
//! `accord_core::Principal`: the storage layer supplies `side_user_count`
//! and `now`, checks the coarse
//! `accord_core::Action` first, and stores every returned version.
//!
//! - **See:** the one rule, `accord_core::may_see`, with every participating
//!   member as an owner and the distribution [`PROGRAMME_DISTRIBUTION`]: the
//!   secretariat and the users of a participating member always; others by
//!   the programme's TLP marking, as for members' reports.
//! - **Edit:** contributors and administrators of a participating member;
//!   the secretariat everywhere. Readers never; nobody signed out
//!   (`NotSignedIn`).
//! - **Submit a result period:** a member administrator of a participating
//!   member, or the secretariat; when the submitter's side has two or more
//!   users who can edit, someone else must have made the last change
//!   (separation of duties, as for members' reports). A submitted period is
//!   immutable; a correction reopens it as a draft and the submitted values
//!   stay in the previous version.
//! - **Identifier:** once published in IATI, the IATI identifier never changes.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use accord_core::{Distribution, MemberCode, Principal, Role, may_see};

use crate::error::ProgrammeError;
use crate::model::*;
use crate::programme::{Programme, ProgrammeData};

/// Who a programme is shared with besides its participating members. The
/// model has no narrower sharing (yet), so it is the platform, as for
/// members' reports; the TLP marking does the narrowing.
pub const PROGRAMME_DISTRIBUTION: Distribution = Distribution::Platform;

/// Whether `viewer` may see the programme (on every path: page, API, chart,
/// aggregate, CSV). A programme no viewer may see counts nowhere.
///
/// The one rule, [`accord_core::may_see`], decides. A programme runs in
/// several members and is each one's material, so every participating
/// member is an owner: visible when the rule says yes for any of them. A
/// programme with no participating member (e.g. a donor's imported
/// activity) has no owner, so only the marking and the distribution count.
pub fn visible_to(p: &Programme, viewer: &Principal) -> bool {
    let members = p.members();
    if members.is_empty() {
        return may_see(viewer, p.tlp, None, &PROGRAMME_DISTRIBUTION);
    }
    members
        .iter()
        .any(|m| may_see(viewer, p.tlp, Some(m), &PROGRAMME_DISTRIBUTION))
}

/// Whether `viewer` reads the programme as one of its own: the secretariat
/// and the participating members' users.
fn insider(p: &Programme, viewer: &Principal) -> bool {
    viewer.is_secretariat() || p.members().iter().any(|m| viewer.is_of(m))
}

/// The programme as `viewer` may read it, on every path (page, API, CSV):
/// `None` when the viewer may not see it; in full for the secretariat and
/// the participating members' users; for everyone else without draft
/// periods (a draft is not a result yet) and without the user ids of who
/// drafted and submitted.
pub fn redacted_for(p: &Programme, viewer: &Principal) -> Option<Programme> {
    if !visible_to(p, viewer) {
        return None;
    }
    if insider(p, viewer) {
        return Some(p.clone());
    }
    let mut d = p.data().clone();
    for ind in d.results.iter_mut().flat_map(|r| r.indicators.iter_mut()) {
        ind.periods.retain(|per| per.state.is_submitted());
        for per in &mut ind.periods {
            if let PeriodState::Submitted {
                last_editor, by, ..
            } = &mut per.state
            {
                *last_editor = None;
                *by = None;
            }
        }
    }
    Some(Programme::new(d).expect("removing periods keeps a programme valid"))
}

/// The signed-in user behind `who` and their role, or
/// [`ProgrammeError::NotSignedIn`]: every change is recorded under a user.
fn acting_user(who: &Principal) -> Result<(UserId, Role), ProgrammeError> {
    match (who.user_id(), who.role()) {
        (Some(id), Some(role)) => Ok((id, role)),
        _ => Err(ProgrammeError::NotSignedIn),
    }
}

/// Whether `actor` may create or change `p` (check both the old and the new
/// value on an edit, so nobody writes a programme out of their own reach).
/// The editing user's id on success.
pub fn can_edit(actor: &Principal, p: &Programme) -> Result<UserId, ProgrammeError> {
    let (user, role) = acting_user(actor)?;
    if actor.is_secretariat() {
        return Ok(user);
    }
    if !matches!(role, Role::Contributor | Role::MemberAdmin) {
        return Err(ProgrammeError::RoleNotAllowed {
            role,
            action: "edit a programme",
        });
    }
    participating(actor.member(), p)?;
    Ok(user)
}

fn participating(member: Option<&MemberCode>, p: &Programme) -> Result<(), ProgrammeError> {
    match member {
        Some(m) if p.members().contains(m) => Ok(()),
        other => Err(ProgrammeError::NotParticipating {
            member: other.map_or("no member".into(), |m| m.to_string()),
            programme: p.id.to_string(),
        }),
    }
}

/// Whether `submitter` may submit a result period whose last change was made
/// by `last_editor`. `side_user_count` counts the users who can edit on the
/// submitter's side: the member's enabled contributors and administrators,
/// or the secretariat's administrators. The submitting user's id on success.
pub fn can_submit_period(
    submitter: &Principal,
    p: &Programme,
    last_editor: Option<UserId>,
    side_user_count: usize,
) -> Result<UserId, ProgrammeError> {
    let (user, role) = acting_user(submitter)?;
    if !submitter.is_secretariat() {
        if role != Role::MemberAdmin {
            return Err(ProgrammeError::RoleNotAllowed {
                role,
                action: "submit a result period",
            });
        }
        participating(submitter.member(), p)?;
    }
    if side_user_count >= 2 && last_editor.is_none_or(|u| u == user) {
        return Err(ProgrammeError::SeparationOfDuties);
    }
    Ok(user)
}

/// Where a period sits: `results[r].indicators[i].periods[k]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PeriodRef {
    pub result: usize,
    pub indicator: usize,
    pub period: usize,
}

impl PeriodRef {
    pub fn field(&self) -> String {
        format!(
            "results[{}].indicators[{}].periods[{}]",
            self.result, self.indicator, self.period
        )
    }
}

fn period_of(p: &ProgrammeData, at: PeriodRef) -> Result<&Period, ProgrammeError> {
    p.results
        .get(at.result)
        .and_then(|r| r.indicators.get(at.indicator))
        .and_then(|i| i.periods.get(at.period))
        .ok_or(ProgrammeError::NotFound { field: at.field() })
}

fn period_mut(p: &mut ProgrammeData, at: PeriodRef) -> &mut Period {
    &mut p.results[at.result].indicators[at.indicator].periods[at.period]
}

/// Drafts a result period's target and actual. Refused once submitted.
pub fn edit_period(
    p: &Programme,
    actor: &Principal,
    at: PeriodRef,
    target: Option<Measured>,
    actual: Option<Measured>,
) -> Result<Programme, ProgrammeError> {
    let user = can_edit(actor, p)?;
    if period_of(p, at)?.state.is_submitted() {
        return Err(ProgrammeError::PeriodSubmitted { field: at.field() });
    }
    let mut d = p.data().clone();
    let period = period_mut(&mut d, at);
    period.target = target;
    period.actual = actual;
    period.state = PeriodState::Draft {
        last_editor: Some(user),
    };
    Ok(Programme::new(d)?)
}

/// Adds a draft period to an indicator.
pub fn add_period(
    p: &Programme,
    actor: &Principal,
    result: usize,
    indicator: usize,
    start: time::Date,
    end: time::Date,
    target: Option<Measured>,
) -> Result<Programme, ProgrammeError> {
    let user = can_edit(actor, p)?;
    let field = format!("results[{result}].indicators[{indicator}]");
    let mut d = p.data().clone();
    let ind = d
        .results
        .get_mut(result)
        .and_then(|r| r.indicators.get_mut(indicator))
        .ok_or(ProgrammeError::NotFound { field })?;
    ind.periods.push(Period {
        start,
        end,
        target,
        actual: None,
        state: PeriodState::Draft {
            last_editor: Some(user),
        },
    });
    Ok(Programme::new(d)?)
}

/// Submits a drafted period (separation of duties applies).
pub fn submit_period(
    p: &Programme,
    submitter: &Principal,
    at: PeriodRef,
    side_user_count: usize,
    now: OffsetDateTime,
) -> Result<Programme, ProgrammeError> {
    let last_editor = match &period_of(p, at)?.state {
        PeriodState::Draft { last_editor } => *last_editor,
        PeriodState::Submitted { .. } => {
            return Err(ProgrammeError::PeriodState {
                field: at.field(),
                state: "already submitted",
            });
        }
    };
    let by = can_submit_period(submitter, p, last_editor, side_user_count)?;
    let mut d = p.data().clone();
    period_mut(&mut d, at).state = PeriodState::Submitted {
        last_editor,
        by: Some(by),
        at: now,
    };
    Ok(Programme::new(d)?)
}

/// Reopens a submitted period as a draft to correct it. The submitted
/// values stay in the version history; the correction is submitted again
/// under the same separation of duties.
pub fn correct_period(
    p: &Programme,
    actor: &Principal,
    at: PeriodRef,
) -> Result<Programme, ProgrammeError> {
    let user = can_edit(actor, p)?;
    if !period_of(p, at)?.state.is_submitted() {
        return Err(ProgrammeError::PeriodState {
            field: at.field(),
            state: "a draft; there is nothing submitted to correct",
        });
    }
    let mut d = p.data().clone();
    period_mut(&mut d, at).state = PeriodState::Draft {
        last_editor: Some(user),
    };
    Ok(Programme::new(d)?)
}

/// A new programme from a form, an API body or an import: not yet
/// published (whatever the input says), and within the actor's reach.
pub fn create(mut data: ProgrammeData, actor: &Principal) -> Result<Programme, ProgrammeError> {
    data.published = false;
    let user = can_edit(actor, &Programme::new(data.clone())?)?;
    // The creator drafted every period it brings: separation of duties
    // then lets another user of the member submit them.
    for per in data
        .results
        .iter_mut()
        .flat_map(|r| r.indicators.iter_mut())
        .flat_map(|i| i.periods.iter_mut())
    {
        if let PeriodState::Draft { last_editor: None } = per.state {
            per.state = PeriodState::Draft {
                last_editor: Some(user),
            };
        }
    }
    Ok(Programme::new(data)?)
}

/// An edit of the whole programme (a form, an API body, an import):
/// checks the editor on the old and the new value, keeps the IATI
/// identifier of a published programme, keeps submitted periods as they
/// were (a form cannot submit or rewrite them), and records the editor on
/// the draft periods that changed.
pub fn revise(
    old: &Programme,
    mut new: ProgrammeData,
    actor: &Principal,
) -> Result<Programme, ProgrammeError> {
    let user = can_edit(actor, old)?;
    new.published = old.published;
    if old.published && new.iati_identifier != old.iati_identifier {
        return Err(ProgrammeError::IdentifierFrozen {
            published: old
                .iati_identifier
                .as_ref()
                .map_or(String::new(), |i| i.to_string()),
            proposed: new
                .iati_identifier
                .as_ref()
                .map_or("(none)".into(), |i| i.to_string()),
        });
    }
    if new.id != old.id {
        return Err(ProgrammeError::IdChanged {
            from: old.id.to_string(),
            to: new.id.to_string(),
        });
    }
    for (r, res) in new.results.iter_mut().enumerate() {
        for (i, ind) in res.indicators.iter_mut().enumerate() {
            let before = old
                .results
                .get(r)
                .and_then(|x| x.indicators.get(i))
                .map(|x| x.periods.as_slice())
                .unwrap_or(&[]);
            for (k, per) in ind.periods.iter_mut().enumerate() {
                let same = before
                    .iter()
                    .find(|b| b.start == per.start && b.end == per.end);
                match (same, &per.state) {
                    (Some(b), _) if b.state.is_submitted() => {
                        if b != per {
                            return Err(ProgrammeError::PeriodSubmitted {
                                field: PeriodRef {
                                    result: r,
                                    indicator: i,
                                    period: k,
                                }
                                .field(),
                            });
                        }
                    }
                    (_, PeriodState::Submitted { .. }) => {
                        return Err(ProgrammeError::PeriodState {
                            field: PeriodRef {
                                result: r,
                                indicator: i,
                                period: k,
                            }
                            .field(),
                            state: "not submitted yet; submit it on its own",
                        });
                    }
                    (Some(b), _) if b == per => {}
                    _ => {
                        per.state = PeriodState::Draft {
                            last_editor: Some(user),
                        }
                    }
                }
            }
            // A submitted period cannot be dropped either.
            for b in before.iter().filter(|b| b.state.is_submitted()) {
                if !ind
                    .periods
                    .iter()
                    .any(|p| p.start == b.start && p.end == b.end)
                {
                    return Err(ProgrammeError::PeriodSubmitted {
                        field: format!("results[{r}].indicators[{i}].periods"),
                    });
                }
            }
        }
    }
    // Nor by dropping the result or the indicator that holds it: every
    // submitted period of the old programme is still there, at its place.
    for (r, res) in old.results.iter().enumerate() {
        for (i, ind) in res.indicators.iter().enumerate() {
            let kept = new
                .results
                .get(r)
                .and_then(|x| x.indicators.get(i))
                .map(|x| x.periods.as_slice())
                .unwrap_or(&[]);
            for b in ind.periods.iter().filter(|b| b.state.is_submitted()) {
                if !kept.iter().any(|p| p == b) {
                    return Err(ProgrammeError::PeriodSubmitted {
                        field: format!("results[{r}].indicators[{i}].periods"),
                    });
                }
            }
        }
    }
    let p = Programme::new(new)?;
    can_edit(actor, &p)?;
    Ok(p)
}

/// The identifier the programme is (or will be) published under:
/// its own if it has one, else `{reporting_org}-{id}`.
pub fn iati_identifier_for(p: &ProgrammeData, reporting_org: &OrgRef) -> IatiIdentifier {
    p.iati_identifier.clone().unwrap_or_else(|| {
        IatiIdentifier::parse(&format!("{reporting_org}-{}", p.id))
            .expect("an org ref and a slug make a valid identifier")
    })
}

/// After an IATI file went out: the programme with its identifier fixed.
pub fn mark_published(p: &Programme, reporting_org: &OrgRef) -> Programme {
    let mut d = p.data().clone();
    d.iati_identifier = Some(iati_identifier_for(&d, reporting_org));
    d.published = true;
    Programme::new(d).expect("setting the identifier keeps a programme valid")
}

/// One stored version of a programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub number: u32,
    pub programme: Programme,
    pub by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Every version of one programme, oldest first; nothing is overwritten.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    versions: Vec<Version>,
}

impl History {
    /// The first version.
    pub fn start(p: Programme, by: UserId, at: OffsetDateTime) -> History {
        History {
            versions: vec![Version {
                number: 1,
                programme: p,
                by,
                at,
            }],
        }
    }

    /// From stored versions, checking they are 1, 2, … of one programme.
    pub fn from_versions(versions: Vec<Version>) -> Result<History, ProgrammeError> {
        for (i, v) in versions.iter().enumerate() {
            let expected = i as u32 + 1;
            if v.number != expected || v.programme.id != versions[0].programme.id {
                return Err(ProgrammeError::VersionConflict {
                    latest: i as u32,
                    version: v.number,
                });
            }
        }
        if versions.is_empty() {
            return Err(ProgrammeError::VersionConflict {
                latest: 0,
                version: 0,
            });
        }
        Ok(History { versions })
    }

    pub fn current(&self) -> &Programme {
        &self
            .versions
            .last()
            .expect("a history has a version")
            .programme
    }

    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    /// The version to store after a change (an unchanged programme adds none).
    pub fn next(&self, p: Programme, by: UserId, at: OffsetDateTime) -> Option<Version> {
        (p != *self.current()).then(|| Version {
            number: self.versions.len() as u32 + 1,
            programme: p,
            by,
            at,
        })
    }

    /// This history with `v` appended; `v` must be the next number.
    pub fn push(mut self, v: Version) -> Result<History, ProgrammeError> {
        let latest = self.versions.len() as u32;
        if v.number != latest + 1 || v.programme.id != self.current().id {
            return Err(ProgrammeError::VersionConflict {
                latest,
                version: v.number,
            });
        }
        self.versions.push(v);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::*;
    use accord_core::MemberKind;
    use accord_core::tlp::Tlp;
    use time::macros::{date, datetime};

    fn code(s: &str) -> MemberCode {
        MemberCode::parse(s).unwrap()
    }
    fn contributor(m: &str) -> Principal {
        member_user(2, m, Role::Contributor)
    }
    fn admin(m: &str) -> Principal {
        member_user(3, m, Role::MemberAdmin)
    }
    const DRAFT: PeriodRef = PeriodRef {
        result: 1,
        indicator: 0,
        period: 0,
    };
    const NOW: OffsetDateTime = datetime!(2025-06-01 09:00 UTC);

    #[test]
    fn outsiders_read_no_drafts_and_no_user_ids() {
        let p = sample();
        let usa = member_user(4, "USA", Role::Reader);
        let kaz = member_user(5, "KAZ", Role::Reader);
        assert_eq!(redacted_for(&p, &kaz).unwrap(), p);
        assert_eq!(redacted_for(&p, &secretariat(1)).unwrap(), p);
        let seen = redacted_for(&p, &usa).unwrap();
        assert!(
            seen.results[1].indicators[0].periods.is_empty(),
            "the draft is hidden"
        );
        let per = &seen.results[0].indicators[1].periods[0];
        assert!(matches!(
            per.state,
            PeriodState::Submitted {
                by: None,
                last_editor: None,
                ..
            }
        ));
        assert_eq!(redacted_for(&p, &Principal::Anonymous), None);
    }

    #[test]
    fn participating_members_and_the_secretariat_edit_others_do_not() {
        let p = sample();
        assert!(can_edit(&contributor("KAZ"), &p).is_ok());
        assert!(can_edit(&admin("KAZ"), &p).is_ok());
        assert!(can_edit(&secretariat(1), &p).is_ok());
        assert!(matches!(
            can_edit(&contributor("KGZ"), &p),
            Err(ProgrammeError::NotParticipating { .. })
        ));
        assert!(matches!(
            can_edit(&member_user(9, "KAZ", Role::Reader), &p),
            Err(ProgrammeError::RoleNotAllowed { .. })
        ));
    }

    #[test]
    fn an_amber_prison_programme_is_hidden_from_civil_society_and_the_public() {
        let p = sample();
        let ngo = Principal::member_user(
            6,
            "ngo",
            code("NGO1"),
            MemberKind::CivilSociety,
            Role::Reader,
        );
        let usa = member_user(4, "USA", Role::Reader);
        let kaz = member_user(5, "KAZ", Role::Reader);
        assert!(visible_to(&p, &kaz));
        assert!(visible_to(&p, &usa));
        assert!(visible_to(&p, &secretariat(1)));
        assert!(!visible_to(&p, &ngo));
        assert!(!visible_to(&p, &Principal::Anonymous));
        assert!(visible_to(&publishable(), &Principal::Anonymous));
    }

    /// A programme marked `tlp` run by `members` (none: a donor's activity).
    fn run_by(members: &[&str], tlp: Tlp) -> Programme {
        let mut d = sample_data();
        d.tlp = tlp;
        let template = d.participants[1].clone();
        d.participants.retain(|o| o.member.is_none());
        for m in members {
            let mut o = template.clone();
            o.member = Some(code(m));
            d.participants.push(o);
        }
        Programme::new(d).unwrap()
    }

    #[test]
    fn every_participating_member_sees_its_programme_as_an_owner() {
        let p = run_by(&["KAZ", "KGZ"], Tlp::Red);
        assert!(visible_to(&p, &member_user(4, "KAZ", Role::Reader)));
        assert!(visible_to(&p, &member_user(5, "KGZ", Role::Reader)));
        assert!(!visible_to(&p, &member_user(6, "TJK", Role::MemberAdmin)));
        // The second member's users read it in full, drafts included.
        let kgz = member_user(5, "KGZ", Role::Reader);
        assert_eq!(redacted_for(&p, &kgz).unwrap(), p);
    }

    #[test]
    fn a_programme_without_members_follows_its_marking_alone() {
        let anonymous = Principal::Anonymous;
        let usa = member_user(4, "USA", Role::Reader);
        let ngo = Principal::member_user(
            6,
            "ngo",
            code("NGO1"),
            MemberKind::CivilSociety,
            Role::Reader,
        );
        let sec = secretariat(1);
        // (marking, anonymous, civil society, partner state, secretariat)
        for (tlp, expected) in [
            (Tlp::Clear, [true, true, true, true]),
            (Tlp::Green, [false, true, true, true]),
            (Tlp::Amber, [false, false, true, true]),
            (Tlp::AmberStrict, [false, false, false, true]),
            (Tlp::Red, [false, false, false, true]),
        ] {
            let p = run_by(&[], tlp);
            let seen = [&anonymous, &ngo, &usa, &sec].map(|who| visible_to(&p, who));
            assert_eq!(seen, expected, "{tlp}");
        }
    }

    #[test]
    fn nobody_edits_or_submits_without_signing_in() {
        let p = sample();
        assert_eq!(
            can_edit(&Principal::Anonymous, &p),
            Err(ProgrammeError::NotSignedIn)
        );
        assert_eq!(
            submit_period(&p, &Principal::Anonymous, DRAFT, 1, NOW),
            Err(ProgrammeError::NotSignedIn)
        );
        assert!(matches!(
            can_edit(
                &Principal::platform_user(8, "ombud", Role::Ombudsperson),
                &p
            ),
            Err(ProgrammeError::RoleNotAllowed { .. })
        ));
    }

    #[test]
    fn the_drafter_cannot_submit_alone_when_the_member_has_two_users() {
        let p = edit_period(
            &sample(),
            &admin("KAZ"),
            DRAFT,
            None,
            Some(Measured::number(30.0)),
        )
        .unwrap();
        assert_eq!(
            submit_period(&p, &admin("KAZ"), DRAFT, 2, NOW),
            Err(ProgrammeError::SeparationOfDuties)
        );
        // With a single user, the member can still report.
        assert!(submit_period(&p, &admin("KAZ"), DRAFT, 1, NOW).is_ok());
        // A contributor drafts, the administrator submits.
        let p = edit_period(
            &p,
            &contributor("KAZ"),
            DRAFT,
            None,
            Some(Measured::number(31.0)),
        )
        .unwrap();
        let done = submit_period(&p, &admin("KAZ"), DRAFT, 2, NOW).unwrap();
        let per = &done.results[1].indicators[0].periods[0];
        assert_eq!(
            per.state,
            PeriodState::Submitted {
                last_editor: Some(2),
                by: Some(3),
                at: NOW
            }
        );
        assert!(matches!(
            submit_period(&p, &contributor("KAZ"), DRAFT, 2, NOW),
            Err(ProgrammeError::RoleNotAllowed { .. })
        ));
    }

    #[test]
    fn a_submitted_period_is_immutable_until_corrected() {
        let p = submit_period(&sample(), &admin("KAZ"), DRAFT, 2, NOW).unwrap();
        assert!(matches!(
            edit_period(
                &p,
                &contributor("KAZ"),
                DRAFT,
                None,
                Some(Measured::number(1.0))
            ),
            Err(ProgrammeError::PeriodSubmitted { .. })
        ));
        let c = correct_period(&p, &contributor("KAZ"), DRAFT).unwrap();
        assert!(
            edit_period(
                &c,
                &contributor("KAZ"),
                DRAFT,
                None,
                Some(Measured::number(1.0))
            )
            .is_ok()
        );
        assert!(matches!(
            correct_period(&c, &contributor("KAZ"), DRAFT),
            Err(ProgrammeError::PeriodState { .. })
        ));
    }

    #[test]
    fn a_revision_cannot_rewrite_submitted_periods_or_a_published_identifier() {
        let org = OrgRef::parse("XM-ACCORD").unwrap();
        let p = mark_published(&publishable(), &org);
        assert_eq!(
            p.iati_identifier.as_ref().unwrap().as_str(),
            "XM-ACCORD-kaz-prison-2024"
        );
        let mut d = p.data().clone();
        d.iati_identifier = Some(IatiIdentifier::parse("XM-OTHER-1").unwrap());
        assert!(matches!(
            revise(&p, d, &contributor("KAZ")),
            Err(ProgrammeError::IdentifierFrozen { .. })
        ));

        let mut d = p.data().clone();
        d.results[0].indicators[1].periods[0].actual = Some(Measured::number(86.0));
        assert!(matches!(
            revise(&p, d, &contributor("KAZ")),
            Err(ProgrammeError::PeriodSubmitted { .. })
        ));

        let mut d = p.data().clone();
        d.results[0].indicators[1].periods.clear();
        assert!(matches!(
            revise(&p, d, &contributor("KAZ")),
            Err(ProgrammeError::PeriodSubmitted { .. })
        ));

        // A draft period changes and records its editor.
        let mut d = p.data().clone();
        d.results[1].indicators[0].periods[0].actual = Some(Measured::number(33.0));
        let r = revise(&p, d, &member_user(7, "KAZ", Role::Contributor)).unwrap();
        assert_eq!(
            r.results[1].indicators[0].periods[0].state,
            PeriodState::Draft {
                last_editor: Some(7)
            }
        );
    }

    #[test]
    fn a_new_programme_is_never_born_published_nor_outside_the_creators_reach() {
        let mut d = sample_data();
        d.published = true;
        assert!(!create(d.clone(), &contributor("KAZ")).unwrap().published);
        assert!(matches!(
            create(d, &contributor("KGZ")),
            Err(ProgrammeError::NotParticipating { .. })
        ));
    }

    #[test]
    fn nobody_edits_a_programme_out_of_their_own_reach() {
        let p = sample();
        let mut d = p.data().clone();
        d.participants.retain(|o| o.member.is_none());
        assert!(matches!(
            revise(&p, d, &contributor("KAZ")),
            Err(ProgrammeError::NotParticipating { .. })
        ));
    }

    #[test]
    fn history_keeps_every_version_in_order() {
        let p = sample();
        let h = History::start(p.clone(), 2, NOW);
        assert!(h.next(p.clone(), 2, NOW).is_none(), "no change, no version");
        let changed = add_period(
            &p,
            &contributor("KAZ"),
            0,
            1,
            date!(2025 - 01 - 01),
            date!(2025 - 06 - 30),
            Some(Measured::number(50.0)),
        )
        .unwrap();
        let v = h.next(changed, 2, NOW).unwrap();
        assert_eq!(v.number, 2);
        let h = h.push(v.clone()).unwrap();
        assert_eq!(h.versions().len(), 2);
        assert!(matches!(
            h.clone().push(v),
            Err(ProgrammeError::VersionConflict { .. })
        ));
        assert_eq!(History::from_versions(h.versions().to_vec()).unwrap(), h);
    }

    #[test]
    fn the_creator_is_the_last_editor_of_the_periods_it_brings_so_another_user_submits() {
        let contributor = member_user(2, "KAZ", Role::Contributor);
        let admin = member_user(3, "KAZ", Role::MemberAdmin);
        let mut data = sample_data();
        for per in data
            .results
            .iter_mut()
            .flat_map(|r| r.indicators.iter_mut())
            .flat_map(|i| i.periods.iter_mut())
        {
            per.state = PeriodState::Draft { last_editor: None };
        }
        let p = create(data.clone(), &contributor).unwrap();
        let at = PeriodRef {
            result: 0,
            indicator: 0,
            period: 0,
        };
        let now = time::macros::datetime!(2025-01-10 10:00 UTC);
        submit_period(&p, &admin, at, 2, now).unwrap();
        let own = create(data, &admin).unwrap();
        assert!(matches!(
            submit_period(&own, &admin, at, 2, now),
            Err(ProgrammeError::SeparationOfDuties)
        ));
    }

    #[test]
    fn a_submitted_period_cannot_be_dropped_with_its_result_or_indicator() {
        let contributor = member_user(2, "KAZ", Role::Contributor);
        let admin = member_user(3, "KAZ", Role::MemberAdmin);
        let now = time::macros::datetime!(2025-01-10 10:00 UTC);
        let p = create(sample_data(), &contributor).unwrap();
        let at = PeriodRef {
            result: 0,
            indicator: 0,
            period: 0,
        };
        let p = if p.results[0].indicators[0].periods[0].state.is_submitted() {
            p
        } else {
            submit_period(&p, &admin, at, 2, now).unwrap()
        };
        let mut no_results = p.data().clone();
        no_results.results.clear();
        assert!(matches!(
            revise(&p, no_results, &contributor),
            Err(ProgrammeError::PeriodSubmitted { .. })
        ));
        let mut no_indicator = p.data().clone();
        no_indicator.results[0].indicators.clear();
        no_indicator.results[0]
            .indicators
            .push(p.results[0].indicators[0].clone());
        no_indicator.results[0].indicators[0].periods.clear();
        assert!(matches!(
            revise(&p, no_indicator, &contributor),
            Err(ProgrammeError::PeriodSubmitted { .. })
        ));
    }
}
