//! Who may see and edit a programme, result periods' drafting and
//! submission, and the versions kept. Pure functions: the storage layer
//! supplies `member_user_count` and `now`, checks the coarse
//! `accord_core::Action` first, and stores every returned version.
//!
//! - **See:** the secretariat and the users of a participating member always;
//!   others by the programme's TLP marking, with the same table as members'
//!   reports (`accord_plan::visible_to`).
//! - **Edit:** contributors and administrators of a participating member;
//!   the secretariat everywhere. Readers never.
//! - **Submit a result period:** a member administrator of a participating
//!   member, or the secretariat; when the submitter's side has two or more
//!   users who can edit, someone else must have made the last change
//!   (separation of duties, as for members' reports). A submitted period is
//!   immutable; a correction reopens it as a draft and the submitted values
//!   stay in the previous version.
//! - **Identifier:** once published in IATI, the IATI identifier never changes.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use accord_core::tlp::Tlp;
use accord_core::{MemberKind, Role};
pub use accord_plan::{Actor, Viewer};

use crate::error::ProgrammeError;
use crate::model::*;
use crate::programme::{Programme, ProgrammeData};

/// Whether `viewer` may see the programme (on every path: page, API, chart,
/// aggregate, CSV). A programme no viewer may see counts nowhere.
pub fn visible_to(p: &Programme, viewer: &Viewer) -> bool {
    let members = p.members();
    if matches!(viewer, Viewer::Secretariat) || members.iter().any(|m| viewer.is_of(m)) {
        return true;
    }
    match members.first() {
        Some(m) => accord_plan::visible_to(p.tlp, m, viewer),
        // No member takes part (e.g. a donor's imported activity): the
        // same table, for someone who is not the owner.
        None => match viewer {
            Viewer::Secretariat => true,
            Viewer::Anonymous => p.tlp == Tlp::Clear,
            Viewer::Member { kind, .. } => match p.tlp {
                Tlp::Red | Tlp::AmberStrict => false,
                Tlp::Amber => matches!(
                    kind,
                    MemberKind::RegionalState
                        | MemberKind::PartnerState
                        | MemberKind::PartnerOrganization
                ),
                Tlp::Green | Tlp::Clear => true,
            },
        },
    }
}

/// The programme as `viewer` may read it, on every path (page, API, CSV):
/// `None` when the viewer may not see it; in full for the secretariat and
/// the participating members' users; for everyone else without draft
/// periods (a draft is not a result yet) and without the user ids of who
/// drafted and submitted.
pub fn redacted_for(p: &Programme, viewer: &Viewer) -> Option<Programme> {
    if !visible_to(p, viewer) {
        return None;
    }
    let insider =
        matches!(viewer, Viewer::Secretariat) || p.members().iter().any(|m| viewer.is_of(m));
    if insider {
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

/// Whether `actor` may create or change `p` (check both the old and the new
/// value on an edit, so nobody writes a programme out of their own reach).
pub fn can_edit(actor: &Actor, p: &Programme) -> Result<(), ProgrammeError> {
    if actor.is_secretariat() {
        return Ok(());
    }
    if !matches!(actor.role, Role::Contributor | Role::MemberAdmin) {
        return Err(ProgrammeError::RoleNotAllowed {
            role: actor.role,
            action: "edit a programme",
        });
    }
    participating(actor, p)
}

fn participating(actor: &Actor, p: &Programme) -> Result<(), ProgrammeError> {
    match &actor.member {
        Some(m) if p.members().contains(m) => Ok(()),
        other => Err(ProgrammeError::NotParticipating {
            member: other.as_ref().map_or("no member".into(), |m| m.to_string()),
            programme: p.id.to_string(),
        }),
    }
}

/// Whether `submitter` may submit a result period whose last change was made
/// by `last_editor`. `side_user_count` counts the users who can edit on the
/// submitter's side: the member's enabled contributors and administrators,
/// or the secretariat's administrators.
pub fn can_submit_period(
    submitter: &Actor,
    p: &Programme,
    last_editor: Option<UserId>,
    side_user_count: usize,
) -> Result<(), ProgrammeError> {
    if !submitter.is_secretariat() {
        if submitter.role != Role::MemberAdmin {
            return Err(ProgrammeError::RoleNotAllowed {
                role: submitter.role,
                action: "submit a result period",
            });
        }
        participating(submitter, p)?;
    }
    if side_user_count >= 2 && last_editor.is_none_or(|u| u == submitter.user) {
        return Err(ProgrammeError::SeparationOfDuties);
    }
    Ok(())
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
    actor: &Actor,
    at: PeriodRef,
    target: Option<Measured>,
    actual: Option<Measured>,
) -> Result<Programme, ProgrammeError> {
    can_edit(actor, p)?;
    if period_of(p, at)?.state.is_submitted() {
        return Err(ProgrammeError::PeriodSubmitted { field: at.field() });
    }
    let mut d = p.data().clone();
    let period = period_mut(&mut d, at);
    period.target = target;
    period.actual = actual;
    period.state = PeriodState::Draft {
        last_editor: Some(actor.user),
    };
    Ok(Programme::new(d)?)
}

/// Adds a draft period to an indicator.
pub fn add_period(
    p: &Programme,
    actor: &Actor,
    result: usize,
    indicator: usize,
    start: time::Date,
    end: time::Date,
    target: Option<Measured>,
) -> Result<Programme, ProgrammeError> {
    can_edit(actor, p)?;
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
            last_editor: Some(actor.user),
        },
    });
    Ok(Programme::new(d)?)
}

/// Submits a drafted period (separation of duties applies).
pub fn submit_period(
    p: &Programme,
    submitter: &Actor,
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
    can_submit_period(submitter, p, last_editor, side_user_count)?;
    let mut d = p.data().clone();
    period_mut(&mut d, at).state = PeriodState::Submitted {
        last_editor,
        by: Some(submitter.user),
        at: now,
    };
    Ok(Programme::new(d)?)
}

/// Reopens a submitted period as a draft to correct it. The submitted
/// values stay in the version history; the correction is submitted again
/// under the same separation of duties.
pub fn correct_period(
    p: &Programme,
    actor: &Actor,
    at: PeriodRef,
) -> Result<Programme, ProgrammeError> {
    can_edit(actor, p)?;
    if !period_of(p, at)?.state.is_submitted() {
        return Err(ProgrammeError::PeriodState {
            field: at.field(),
            state: "a draft; there is nothing submitted to correct",
        });
    }
    let mut d = p.data().clone();
    period_mut(&mut d, at).state = PeriodState::Draft {
        last_editor: Some(actor.user),
    };
    Ok(Programme::new(d)?)
}

/// A new programme from a form, an API body or an import: not yet
/// published (whatever the input says), and within the actor's reach.
pub fn create(mut data: ProgrammeData, actor: &Actor) -> Result<Programme, ProgrammeError> {
    data.published = false;
    let p = Programme::new(data)?;
    can_edit(actor, &p)?;
    Ok(p)
}

/// An edit of the whole programme (a form, an API body, an import):
/// checks the editor on the old and the new value, keeps the IATI
/// identifier of a published programme, keeps submitted periods as they
/// were (a form cannot submit or rewrite them), and records the editor on
/// the draft periods that changed.
pub fn revise(
    old: &Programme,
    mut new: ProgrammeData,
    actor: &Actor,
) -> Result<Programme, ProgrammeError> {
    can_edit(actor, old)?;
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
                            last_editor: Some(actor.user),
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
    use accord_core::MemberCode;
    use time::macros::{date, datetime};

    fn code(s: &str) -> MemberCode {
        MemberCode::parse(s).unwrap()
    }
    fn contributor(m: &str) -> Actor {
        Actor::new(2, Role::Contributor, Some(code(m)))
    }
    fn admin(m: &str) -> Actor {
        Actor::new(3, Role::MemberAdmin, Some(code(m)))
    }
    fn secretariat() -> Actor {
        Actor::new(1, Role::SecretariatAdmin, None)
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
        let usa = Viewer::Member {
            member: code("USA"),
            kind: MemberKind::PartnerState,
        };
        let kaz = Viewer::Member {
            member: code("KAZ"),
            kind: MemberKind::RegionalState,
        };
        assert_eq!(redacted_for(&p, &kaz).unwrap(), p);
        assert_eq!(redacted_for(&p, &Viewer::Secretariat).unwrap(), p);
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
        assert_eq!(redacted_for(&p, &Viewer::Anonymous), None);
    }

    #[test]
    fn participating_members_and_the_secretariat_edit_others_do_not() {
        let p = sample();
        assert!(can_edit(&contributor("KAZ"), &p).is_ok());
        assert!(can_edit(&admin("KAZ"), &p).is_ok());
        assert!(can_edit(&secretariat(), &p).is_ok());
        assert!(matches!(
            can_edit(&contributor("KGZ"), &p),
            Err(ProgrammeError::NotParticipating { .. })
        ));
        assert!(matches!(
            can_edit(&Actor::new(9, Role::Reader, Some(code("KAZ"))), &p),
            Err(ProgrammeError::RoleNotAllowed { .. })
        ));
    }

    #[test]
    fn an_amber_prison_programme_is_hidden_from_civil_society_and_the_public() {
        let p = sample();
        let ngo = Viewer::Member {
            member: code("NGO1"),
            kind: MemberKind::CivilSociety,
        };
        let usa = Viewer::Member {
            member: code("USA"),
            kind: MemberKind::PartnerState,
        };
        let kaz = Viewer::Member {
            member: code("KAZ"),
            kind: MemberKind::RegionalState,
        };
        assert!(visible_to(&p, &kaz));
        assert!(visible_to(&p, &usa));
        assert!(visible_to(&p, &Viewer::Secretariat));
        assert!(!visible_to(&p, &ngo));
        assert!(!visible_to(&p, &Viewer::Anonymous));
        assert!(visible_to(&publishable(), &Viewer::Anonymous));
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
        let r = revise(&p, d, &Actor::new(7, Role::Contributor, Some(code("KAZ")))).unwrap();
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
}
