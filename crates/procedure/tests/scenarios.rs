//! The procedure told as stories: each test is one behaviour members rely on.

mod support;

use accord_procedure::*;
use support::*;
use time::Duration;
use time::macros::{date, datetime, time};

#[test]
fn the_default_deadline_is_ten_working_days_at_15_00_new_york() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    assert_eq!(proposal.deadline, DEFAULT_DEADLINE);
    assert_eq!(proposal.status, Status::Open);
    // Partner states do not decide under the default rule.
    assert_eq!(
        proposal
            .positions
            .keys()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        STATES
    );
}

#[test]
fn the_proposer_is_recorded_as_concurring() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    assert_eq!(
        proposal.position_of(&code("KAZ")),
        Some(&Position::Concurred { at: MONDAY })
    );
    assert_eq!(proposal.position_of(&code("KGZ")), Some(&Position::Silent));
}

#[test]
fn silence_until_the_deadline_adopts() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    let just_before = at(&rule, &proposal, DEFAULT_DEADLINE - Duration::SECOND);
    assert_eq!(just_before.status, Status::Open);
    let after = at(&rule, &proposal, DEFAULT_DEADLINE + Duration::days(3));
    // Adopted at the deadline itself, not when the server noticed.
    assert_eq!(
        after.status,
        Status::Adopted {
            at: DEFAULT_DEADLINE
        }
    );
}

#[test]
fn concurrence_by_every_decider_adopts_before_the_deadline() {
    let rule = Rule::un_1267_default();
    let mut proposal = opened(&rule);
    let tuesday = MONDAY + Duration::days(1);
    for state in ["KGZ", "TJK", "UZB"] {
        assert_eq!(proposal.status, Status::Open);
        proposal = concur(&rule, &proposal, state, tuesday);
    }
    assert_eq!(proposal.status, Status::Adopted { at: tuesday });
}

#[test]
fn an_objection_rejects_under_no_objection() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    let wednesday = MONDAY + Duration::days(2);
    let rejected = act(
        &rule,
        &proposal,
        "KGZ",
        object("insufficient evidence"),
        wednesday,
    )
    .unwrap();
    assert_eq!(
        rejected.status,
        Status::Rejected {
            at: wednesday,
            why: Rejection::Objected {
                count: 1,
                by: vec![code("KGZ")]
            }
        }
    );
}

#[test]
fn an_objection_needs_a_reason_when_the_rule_says_so() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    for reason in [None, Some("   ".to_owned())] {
        let err = act(&rule, &proposal, "KGZ", Action::Object { reason }, MONDAY).unwrap_err();
        assert_eq!(
            err,
            ProcedureError::ReasonRequired {
                what: "an objection"
            }
        );
    }
    let mut lenient = rule.clone();
    lenient.reasons_required.objection = false;
    let rejected = act(
        &lenient,
        &proposal,
        "KGZ",
        Action::Object { reason: None },
        MONDAY,
    )
    .unwrap();
    assert!(matches!(rejected.status, Status::Rejected { .. }));
}

#[test]
fn a_hold_keeps_the_decision_pending_and_lapses_into_adoption() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    let tuesday = MONDAY + Duration::days(1);
    let held = act(
        &rule,
        &proposal,
        "TJK",
        hold("awaiting capital's review"),
        tuesday,
    )
    .unwrap();
    let Some(Position::OnHold(h)) = held.position_of(&code("TJK")).cloned() else {
        panic!("TJK holds");
    };
    // Six months after Tuesday 4 March: 4 September, 15:00 New York (summer time).
    assert_eq!(h.until, datetime!(2025-09-04 19:00 UTC));

    let at_deadline = at(&rule, &held, DEFAULT_DEADLINE);
    assert_eq!(
        at_deadline.status,
        Status::OnHold {
            since: DEFAULT_DEADLINE
        }
    );
    let month_later = at(&rule, &held, DEFAULT_DEADLINE + Duration::days(30));
    assert_eq!(
        month_later.status,
        Status::OnHold {
            since: DEFAULT_DEADLINE
        }
    );

    let lapsed = at(&rule, &held, h.until);
    assert_eq!(lapsed.status, Status::Adopted { at: h.until });
    assert!(lapsed.history.iter().any(|r| matches!(
        r.what,
        Happened::HoldLapsed {
            effect: OnHoldLapse::Adopt,
            ..
        }
    )));
}

#[test]
fn lifting_the_last_hold_after_the_deadline_adopts() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    let held = act(&rule, &proposal, "TJK", hold("review"), MONDAY).unwrap();
    let held = act(&rule, &held, "UZB", hold("review"), MONDAY).unwrap();
    let later = DEFAULT_DEADLINE + Duration::days(10);
    let one_lifted = act(&rule, &held, "TJK", Action::LiftHold, later).unwrap();
    assert!(matches!(one_lifted.status, Status::OnHold { .. }));
    let both_lifted = act(&rule, &one_lifted, "UZB", Action::LiftHold, later).unwrap();
    assert_eq!(both_lifted.status, Status::Adopted { at: later });
}

#[test]
fn a_holder_may_turn_its_hold_into_an_objection_after_the_deadline() {
    let rule = Rule::un_1267_default();
    let held = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap();
    let later = DEFAULT_DEADLINE + Duration::days(40);
    let rejected = act(&rule, &held, "TJK", object("links not shown"), later).unwrap();
    assert!(matches!(rejected.status, Status::Rejected { at, .. } if at == later));
}

#[test]
fn others_cannot_vote_while_the_proposal_is_on_hold_after_the_deadline() {
    let rule = Rule::un_1267_default();
    let held = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap();
    let later = DEFAULT_DEADLINE + Duration::days(1);
    let err = act(&rule, &held, "KGZ", object("late"), later).unwrap_err();
    assert_eq!(
        err,
        ProcedureError::DeadlinePassed {
            deadline: DEFAULT_DEADLINE
        }
    );
}

#[test]
fn an_extended_hold_cannot_be_extended_twice() {
    let rule = Rule::un_1267_default();
    let held = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap();
    let later = DEFAULT_DEADLINE + Duration::days(100);
    let extended = act(&rule, &held, "TJK", Action::ExtendHold, later).unwrap();
    let Some(Position::OnHold(h)) = extended.position_of(&code("TJK")) else {
        panic!("still on hold");
    };
    // 3 September + 3 months = 3 December, 15:00 New York standard time.
    assert_eq!(h.until, datetime!(2025-12-03 20:00 UTC));
    assert_eq!(h.extensions_used, 1);
    let err = act(&rule, &extended, "TJK", Action::ExtendHold, later).unwrap_err();
    assert_eq!(err, ProcedureError::HoldExtensionsExhausted { allowed: 1 });
    // Nobody else can extend it either.
    let err = act(&rule, &extended, "KGZ", Action::ExtendHold, MONDAY).unwrap_err();
    assert!(matches!(
        err,
        ProcedureError::AlreadyDecided { .. }
            | ProcedureError::NotOnHold { .. }
            | ProcedureError::DeadlinePassed { .. }
    ));
}

#[test]
fn a_hold_can_be_placed_only_once() {
    let rule = Rule::un_1267_default();
    let held = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap();
    let err = act(&rule, &held, "TJK", hold("again"), MONDAY).unwrap_err();
    assert_eq!(
        err,
        ProcedureError::AlreadyOnHold {
            member: code("TJK")
        }
    );
    let lifted = act(
        &rule,
        &held,
        "TJK",
        Action::LiftHold,
        MONDAY + Duration::days(1),
    )
    .unwrap();
    let err = act(
        &rule,
        &lifted,
        "TJK",
        hold("again"),
        MONDAY + Duration::days(2),
    )
    .unwrap_err();
    assert_eq!(
        err,
        ProcedureError::HoldAlreadyUsed {
            member: code("TJK")
        }
    );
}

#[test]
fn holds_can_be_forbidden() {
    let mut rule = Rule::un_1267_default();
    rule.holds = HoldPolicy::not_allowed();
    let err = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap_err();
    assert_eq!(err, ProcedureError::HoldNotAllowed);
}

#[test]
fn a_lapsing_hold_can_lapse_the_proposal() {
    let mut rule = Rule::un_1267_default();
    rule.holds.on_lapse = OnHoldLapse::Lapse;
    let held = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap();
    let after = at(&rule, &held, MONDAY + Duration::days(365));
    assert!(matches!(
        after.status,
        Status::Lapsed { why: Lapse::HoldLapsed { ref by }, .. } if *by == code("TJK")
    ));
}

#[test]
fn a_lapsing_hold_can_count_as_an_objection() {
    let mut rule = Rule::un_1267_default();
    rule.holds.on_lapse = OnHoldLapse::CountAsObjection;
    let held = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap();
    let after = at(&rule, &held, MONDAY + Duration::days(365));
    assert!(matches!(
        after.status,
        Status::Rejected { why: Rejection::Objected { ref by, .. }, .. } if *by == vec![code("TJK")]
    ));
}

#[test]
fn a_late_vote_is_refused_even_before_the_server_caught_up() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    // The stored proposal still says "open": the background task has not run.
    assert_eq!(proposal.status, Status::Open);
    let err = act(&rule, &proposal, "KGZ", object("late"), DEFAULT_DEADLINE).unwrap_err();
    assert_eq!(
        err,
        ProcedureError::DeadlinePassed {
            deadline: DEFAULT_DEADLINE
        }
    );
    let ok = act(
        &rule,
        &proposal,
        "KGZ",
        object("in time"),
        DEFAULT_DEADLINE - Duration::SECOND,
    );
    assert!(ok.is_ok());
}

#[test]
fn a_second_vote_is_refused() {
    let rule = Rule::un_1267_default();
    let once = concur(&rule, &opened(&rule), "KGZ", MONDAY);
    let err = act(&rule, &once, "KGZ", Action::Concur, MONDAY).unwrap_err();
    assert_eq!(
        err,
        ProcedureError::AlreadyDecided {
            member: code("KGZ"),
            position: "concurred"
        }
    );
    // A concurrence cannot be turned into an objection (nor into a hold).
    let err = act(&rule, &once, "KGZ", object("changed mind"), MONDAY).unwrap_err();
    assert!(matches!(err, ProcedureError::AlreadyDecided { .. }));
    let err = act(&rule, &once, "KGZ", hold("changed mind"), MONDAY).unwrap_err();
    assert!(matches!(err, ProcedureError::AlreadyDecided { .. }));
    assert_eq!(
        err.to_string(),
        "KGZ has already concurred; a concurrence or objection is final"
    );
}

#[test]
fn only_deciders_decide() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    let usa = Actor::member("USA", MemberKind::PartnerState);
    let err = apply(
        &rule,
        &proposal,
        Event {
            by: usa,
            action: Action::Concur,
        },
        MONDAY,
    )
    .unwrap_err();
    assert_eq!(
        err,
        ProcedureError::NotADecider {
            member: code("USA")
        }
    );
    let err = act(&rule, &proposal, "SECRETARIAT", Action::Concur, MONDAY).unwrap_err();
    assert!(matches!(err, ProcedureError::NotAMember { .. }));
}

#[test]
fn a_state_that_joins_later_does_not_decide() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    let err = act(&rule, &proposal, "AFG", Action::Concur, MONDAY).unwrap_err();
    assert_eq!(
        err,
        ProcedureError::NotADecider {
            member: code("AFG")
        }
    );
}

#[test]
fn only_the_listed_proposers_may_propose() {
    let rule = Rule::un_1267_default();
    let by_partner = Opening {
        proposer: Actor::member("USA", MemberKind::PartnerState),
        ..listing("ORG-1", "KAZ")
    };
    let err = open(&rule, by_partner, &members(), &[], MONDAY).unwrap_err();
    assert!(matches!(err, ProcedureError::NotAllowedToPropose { .. }));
    assert_eq!(
        err.to_string(),
        "USA may not propose under the rule \"No-objection procedure (UN 1267 practice)\""
    );
}

#[test]
fn a_proposal_on_an_already_pending_subject_is_refused() {
    let rule = Rule::un_1267_default();
    let first = opened(&rule);
    let err = open(
        &rule,
        listing("ORG-1", "UZB"),
        &members(),
        std::slice::from_ref(&first),
        MONDAY,
    )
    .unwrap_err();
    assert!(matches!(err, ProcedureError::SubjectAlreadyPending { .. }));
    // Another subject is fine, and so is the same one once the first closed.
    assert!(
        open(
            &rule,
            listing("ORG-2", "UZB"),
            &members(),
            std::slice::from_ref(&first),
            MONDAY
        )
        .is_ok()
    );
    let closed = at(&rule, &first, DEFAULT_DEADLINE);
    assert!(
        open(
            &rule,
            listing("ORG-1", "UZB"),
            &members(),
            &[closed],
            DEFAULT_DEADLINE
        )
        .is_ok()
    );
}

#[test]
fn a_state_that_leaves_no_longer_counts() {
    let mut rule = Rule::un_1267_default();
    rule.decision = DecisionRule::Consensus;
    let mut proposal = opened(&rule);
    proposal = concur(&rule, &proposal, "KGZ", MONDAY);
    proposal = concur(&rule, &proposal, "TJK", MONDAY);
    assert_eq!(proposal.status, Status::Open);
    let left = act(
        &rule,
        &proposal,
        "SECRETARIAT",
        Action::MemberLeft {
            member: code("UZB"),
        },
        MONDAY + Duration::days(1),
    )
    .unwrap();
    // Everyone still deciding has concurred.
    assert_eq!(
        left.status,
        Status::Adopted {
            at: MONDAY + Duration::days(1)
        }
    );
    assert_eq!(left.deciders_at_opening, 4);
    assert!(left.departed.contains(&code("UZB")));
}

#[test]
fn a_hold_by_a_state_that_leaves_is_dropped() {
    let rule = Rule::un_1267_default();
    let held = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap();
    let later = DEFAULT_DEADLINE + Duration::days(5);
    let left = act(
        &rule,
        &held,
        "SECRETARIAT",
        Action::MemberLeft {
            member: code("TJK"),
        },
        later,
    )
    .unwrap();
    assert_eq!(left.status, Status::Adopted { at: later });
}

#[test]
fn a_state_that_left_cannot_vote_and_only_the_secretariat_records_departures() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    let err = act(
        &rule,
        &proposal,
        "KGZ",
        Action::MemberLeft {
            member: code("UZB"),
        },
        MONDAY,
    )
    .unwrap_err();
    assert!(matches!(err, ProcedureError::SecretariatOnly { .. }));
    let left = act(
        &rule,
        &proposal,
        "SECRETARIAT",
        Action::MemberLeft {
            member: code("UZB"),
        },
        MONDAY,
    )
    .unwrap();
    let err = act(&rule, &left, "UZB", Action::Concur, MONDAY).unwrap_err();
    assert_eq!(
        err,
        ProcedureError::DeciderLeft {
            member: code("UZB")
        }
    );
}

#[test]
fn a_proposal_whose_deciders_all_left_lapses() {
    let rule = Rule::un_1267_default();
    let mut proposal = opened(&rule);
    for state in STATES {
        proposal = act(
            &rule,
            &proposal,
            "SECRETARIAT",
            Action::MemberLeft {
                member: code(state),
            },
            MONDAY,
        )
        .unwrap();
    }
    assert_eq!(
        proposal.status,
        Status::Lapsed {
            at: MONDAY,
            why: Lapse::NoDecidersLeft
        }
    );
}

#[test]
fn catching_up_after_downtime_applies_expiries_in_order() {
    // Short holds that lapse into objections, so the order matters: the first
    // lapse rejects, at its own time, and nothing after it happens.
    let mut rule = Rule::un_1267_default();
    rule.holds.max_duration = Span::WorkingDays(2);
    rule.holds.on_lapse = OnHoldLapse::CountAsObjection;
    let proposal = opened(&rule);
    let held = act(&rule, &proposal, "TJK", hold("review"), MONDAY).unwrap();
    let held = act(
        &rule,
        &held,
        "UZB",
        hold("review"),
        MONDAY + Duration::days(1),
    )
    .unwrap();
    // TJK's hold (placed Monday) lapses Wednesday 15:00 New York; UZB's Thursday.
    let first_lapse = datetime!(2025-03-05 20:00 UTC);

    // The server was down for a month.
    let caught_up = at(&rule, &held, MONDAY + Duration::days(30));
    assert_eq!(
        caught_up.status,
        Status::Rejected {
            at: first_lapse,
            why: Rejection::Objected {
                count: 1,
                by: vec![code("TJK")]
            }
        }
    );
    let tail: Vec<_> = caught_up
        .history
        .iter()
        .rev()
        .take(2)
        .rev()
        .map(|r| (r.at, r.what.clone()))
        .collect();
    assert_eq!(
        tail,
        vec![
            (
                first_lapse,
                Happened::HoldLapsed {
                    by: code("TJK"),
                    effect: OnHoldLapse::CountAsObjection
                }
            ),
            (
                first_lapse,
                Happened::Rejected {
                    why: Rejection::Objected {
                        count: 1,
                        by: vec![code("TJK")]
                    }
                }
            ),
        ]
    );
    // Running every hour in between gives exactly the same result.
    let mut hourly = held.clone();
    let mut now = MONDAY + Duration::days(1);
    while now <= MONDAY + Duration::days(30) {
        hourly = at(&rule, &hourly, now);
        now += Duration::HOUR;
    }
    assert_eq!(hourly, caught_up);
}

#[test]
fn consensus_fails_on_silence_at_the_deadline() {
    let mut rule = Rule::un_1267_default();
    rule.decision = DecisionRule::Consensus;
    let proposal = concur(&rule, &opened(&rule), "KGZ", MONDAY);
    let after = at(&rule, &proposal, DEFAULT_DEADLINE);
    assert_eq!(
        after.status,
        Status::Rejected {
            at: DEFAULT_DEADLINE,
            why: Rejection::NoConsensus {
                silent: 2,
                by: vec![code("TJK"), code("UZB")]
            }
        }
    );
}

#[test]
fn a_qualified_majority_counts_the_votes_cast() {
    let mut rule = Rule::un_1267_default();
    rule.decision = DecisionRule::QualifiedMajority {
        numerator: 2,
        denominator: 3,
        quorum: 3,
    };
    // KAZ (proposer) + KGZ concur, TJK objects: 2 of 3 votes cast, quorum met.
    let p = concur(&rule, &opened(&rule), "KGZ", MONDAY);
    let p = act(&rule, &p, "TJK", object("no"), MONDAY).unwrap();
    assert_eq!(p.status, Status::Open, "UZB may still vote");
    assert_eq!(
        at(&rule, &p, DEFAULT_DEADLINE).status,
        Status::Adopted {
            at: DEFAULT_DEADLINE
        }
    );
    // UZB objects too: 2 of 4 is short of two thirds; everyone voted, so early.
    let p2 = act(&rule, &p, "UZB", object("no"), MONDAY).unwrap();
    assert!(matches!(
        p2.status,
        Status::Rejected {
            why: Rejection::MajorityNotReached { .. },
            ..
        }
    ));
    // Only the proposer voted: no quorum at the deadline.
    let alone = at(&rule, &opened(&rule), DEFAULT_DEADLINE);
    assert_eq!(
        alone.status,
        Status::Rejected {
            at: DEFAULT_DEADLINE,
            why: Rejection::QuorumNotReached {
                voted: 1,
                quorum: 3
            }
        }
    );
}

fn recommendation() -> (Rule, Proposal) {
    let rule = Rule::reverse_consensus_default();
    let opening = Opening {
        kind: ProposalKind::DelistingRecommendation,
        subject: SubjectRef("PERSON-7".to_owned()),
        proposer: Actor::Ombudsperson,
    };
    let (proposal, _) = open(&rule, opening, &members(), &[], MONDAY).unwrap();
    (rule, proposal)
}

#[test]
fn reverse_consensus_delists_after_60_days_unless_all_agree_to_keep() {
    let (rule, proposal) = recommendation();
    // 60 days after Monday 3 March is Friday 2 May, 15:00 New York.
    assert_eq!(proposal.deadline, datetime!(2025-05-02 19:00 UTC));
    assert_eq!(
        proposal.tally().silent,
        4,
        "the ombudsperson does not decide"
    );

    // Three states want to keep the listing, one does not: no consensus, so
    // the recommendation takes effect at the end of the 60 days.
    let mut p = proposal.clone();
    for state in ["KAZ", "KGZ", "TJK"] {
        p = act(&rule, &p, state, object("still a threat"), MONDAY).unwrap();
    }
    assert_eq!(p.status, Status::Open);
    assert_eq!(
        at(&rule, &p, proposal.deadline).status,
        Status::Adopted {
            at: proposal.deadline
        }
    );
    // Silence throughout also delists.
    assert_eq!(
        at(&rule, &proposal, proposal.deadline).status,
        Status::Adopted {
            at: proposal.deadline
        }
    );

    // All four agree to keep the listing: the recommendation fails at once.
    let kept = act(&rule, &p, "UZB", object("still a threat"), MONDAY).unwrap();
    assert_eq!(
        kept.status,
        Status::Rejected {
            at: MONDAY,
            why: Rejection::ListingMaintainedByConsensus
        }
    );
}

#[test]
fn a_delisting_recommendation_comes_only_from_the_ombudsperson_and_cannot_be_held() {
    let (rule, proposal) = recommendation();
    let by_state = Opening {
        kind: ProposalKind::DelistingRecommendation,
        subject: SubjectRef("PERSON-8".to_owned()),
        proposer: state("KAZ"),
    };
    assert!(matches!(
        open(&rule, by_state, &members(), &[], MONDAY),
        Err(ProcedureError::NotAllowedToPropose { .. })
    ));
    // Nor can the no-objection rule be used for one.
    let wrong_rule = Opening {
        kind: ProposalKind::DelistingRecommendation,
        subject: SubjectRef("PERSON-8".to_owned()),
        proposer: state("KAZ"),
    };
    assert!(matches!(
        open(
            &Rule::un_1267_default(),
            wrong_rule,
            &members(),
            &[],
            MONDAY
        ),
        Err(ProcedureError::KindDoesNotFitRule { .. })
    ));
    let err = act(&rule, &proposal, "KAZ", hold("review"), MONDAY).unwrap_err();
    assert_eq!(err, ProcedureError::HoldNotAllowed);
}

#[test]
fn the_proposer_or_the_secretariat_may_withdraw() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    assert_eq!(
        act(&rule, &proposal, "KGZ", withdraw("Not ours."), MONDAY).unwrap_err(),
        ProcedureError::NotAllowedToWithdraw
    );
    // The states are told why: a withdrawal without a reason is refused.
    for blank in [None, Some("  ".to_string())] {
        assert_eq!(
            act(
                &rule,
                &proposal,
                "KAZ",
                Action::Withdraw { reason: blank },
                MONDAY
            )
            .unwrap_err(),
            ProcedureError::ReasonRequired {
                what: "a withdrawal"
            }
        );
    }
    let withdrawn = act(
        &rule,
        &proposal,
        "KAZ",
        withdraw(" Filed in error. "),
        MONDAY,
    )
    .unwrap();
    assert_eq!(
        withdrawn.status,
        Status::Withdrawn {
            at: MONDAY,
            by: state("KAZ"),
            reason: Some("Filed in error.".into()),
        }
    );
    let by_secretariat = act(
        &rule,
        &proposal,
        "SECRETARIAT",
        withdraw("Duplicate."),
        MONDAY,
    )
    .unwrap();
    assert!(matches!(
        by_secretariat.status,
        Status::Withdrawn {
            by: Actor::Secretariat,
            ..
        }
    ));
}

#[test]
fn a_closed_proposal_refuses_every_event() {
    let rule = Rule::un_1267_default();
    let rejected = act(&rule, &opened(&rule), "KGZ", object("no"), MONDAY).unwrap();
    for action in [Action::Concur, Action::LiftHold, object("x"), hold("x")] {
        let err = act(&rule, &rejected, "TJK", action, MONDAY).unwrap_err();
        assert_eq!(err, ProcedureError::ProposalClosed { status: "rejected" });
    }
    let err = act(&rule, &rejected, "KAZ", withdraw("Late."), MONDAY).unwrap_err();
    assert_eq!(err, ProcedureError::ProposalClosed { status: "rejected" });
    assert_eq!(err.to_string(), "the proposal is already rejected");

    // One that ran to its deadline calls a vote late, whether or not the
    // server has closed it yet.
    let adopted = at(&rule, &opened(&rule), DEFAULT_DEADLINE);
    let late = DEFAULT_DEADLINE + Duration::days(1);
    for proposal in [&adopted, &opened(&rule)] {
        let err = act(&rule, proposal, "TJK", Action::Concur, late).unwrap_err();
        assert_eq!(
            err,
            ProcedureError::DeadlinePassed {
                deadline: DEFAULT_DEADLINE
            }
        );
    }
    assert_eq!(
        at(&rule, &adopted, DEFAULT_DEADLINE + Duration::days(999)),
        adopted
    );
}

#[test]
fn deadlines_follow_the_holiday_calendar_across_the_year_end() {
    let mut rule = Rule::un_1267_default();
    rule.calendar =
        Calendar::saturday_sunday().with_holidays([date!(2025 - 12 - 25), date!(2026 - 01 - 01)]);
    rule.zone = DeadlineZone::fixed(
        "Astana",
        time::UtcOffset::from_hms(5, 0, 0).unwrap(),
        time!(18:00),
    );
    // Friday 19 December 2025: 22, 23, 24, 26, 29, 30, 31, 2, 5, 6 January.
    let (p, _) = open(
        &rule,
        listing("ORG-9", "KAZ"),
        &members(),
        &[],
        datetime!(2025-12-19 09:00 UTC),
    )
    .unwrap();
    assert_eq!(p.deadline, datetime!(2026-01-06 13:00 UTC));
}

#[test]
fn members_see_positions_only_as_the_rule_allows() {
    let mut rule = Rule::un_1267_default();
    let proposal = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap();
    let usa = Actor::member("USA", MemberKind::PartnerState);

    // Deciders only (the default): a decider sees everyone, a partner counts.
    let decider = view(&rule, &proposal, &state("KGZ"), MONDAY);
    assert!(decider.positions.is_some());
    let partner = view(&rule, &proposal, &usa, MONDAY);
    assert_eq!(partner.positions, None);
    assert_eq!(partner.tally.on_hold, 1);
    assert!(
        !partner
            .history
            .iter()
            .any(|r| matches!(r.what, Happened::HoldPlaced { .. }))
    );

    // Secretariat only: a decider sees its own position, not the others'.
    rule.visibility = Visibility::SecretariatOnly;
    let holder = view(&rule, &proposal, &state("TJK"), MONDAY);
    assert_eq!(holder.positions, None);
    assert!(matches!(holder.own_position, Some(Position::OnHold(_))));
    assert!(
        holder
            .history
            .iter()
            .any(|r| matches!(r.what, Happened::HoldPlaced { .. }))
    );
    let other = view(&rule, &proposal, &state("KGZ"), MONDAY);
    assert!(
        !other
            .history
            .iter()
            .any(|r| matches!(r.what, Happened::HoldPlaced { .. }))
    );
    assert!(
        view(&rule, &proposal, &Actor::Secretariat, MONDAY)
            .positions
            .is_some()
    );

    // Open: everyone sees who decided what.
    rule.visibility = Visibility::Open;
    assert!(view(&rule, &proposal, &usa, MONDAY).positions.is_some());
}

#[test]
fn a_rejection_does_not_name_objectors_to_those_who_may_not_see_positions() {
    let mut rule = Rule::un_1267_default();
    rule.visibility = Visibility::SecretariatOnly;
    let rejected = act(&rule, &opened(&rule), "KGZ", object("no"), MONDAY).unwrap();
    let seen = view(&rule, &rejected, &state("UZB"), MONDAY);
    assert_eq!(
        seen.status,
        Status::Rejected {
            at: MONDAY,
            why: Rejection::Objected {
                count: 1,
                by: vec![]
            }
        }
    );
}

#[test]
fn the_view_shows_the_time_left_and_what_the_viewer_can_do() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    let v = view(&rule, &proposal, &state("KGZ"), MONDAY);
    let left = v.time_left.unwrap();
    assert_eq!(left.waiting, Waiting::Deadline);
    assert_eq!(left.working_days, 10);
    assert_eq!(left.until_local.hour(), 15);
    assert_eq!(left.seconds, (DEFAULT_DEADLINE - MONDAY).whole_seconds());
    assert_eq!(
        v.available_actions,
        vec![
            ActionKind::Concur,
            ActionKind::Object,
            ActionKind::PlaceHold
        ]
    );
    assert_eq!(
        view(&rule, &proposal, &state("KAZ"), MONDAY).available_actions,
        vec![ActionKind::Withdraw]
    );

    // On hold after the deadline: waiting for the hold, which only the holder can resolve.
    let held = act(&rule, &proposal, "TJK", hold("review"), MONDAY).unwrap();
    let later = DEFAULT_DEADLINE + Duration::days(1);
    let v = view(&rule, &held, &state("TJK"), later);
    assert_eq!(v.time_left.unwrap().waiting, Waiting::HoldsLapse);
    assert_eq!(
        v.available_actions,
        vec![
            ActionKind::Concur,
            ActionKind::Object,
            ActionKind::ExtendHold,
            ActionKind::LiftHold
        ]
    );
    assert!(
        view(&rule, &held, &state("KGZ"), later)
            .available_actions
            .is_empty()
    );
}

#[test]
fn notices_tell_each_audience_what_it_may_know() {
    let rule = Rule::un_1267_default();
    let (_, opened_notices) =
        open(&rule, listing("ORG-1", "KAZ"), &members(), &[], MONDAY).unwrap();
    assert!(matches!(
        opened_notices.as_slice(),
        [Notice {
            audience: Audience::Everyone,
            what: Happened::Opened {
                working_days: Some(10),
                ..
            },
            ..
        }]
    ));

    let proposal = opened(&rule);
    let event = Event {
        by: state("KGZ"),
        action: object("no"),
    };
    let (_, notices) = apply(&rule, &proposal, event, MONDAY).unwrap();
    let summary: Vec<_> = notices
        .iter()
        .map(|n| (n.audience, n.what.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Audience::Deciders,
                Happened::Objected {
                    by: code("KGZ"),
                    reason: Some("no".to_owned())
                }
            ),
            (
                Audience::Everyone,
                Happened::Rejected {
                    why: Rejection::Objected {
                        count: 1,
                        by: vec![]
                    }
                }
            ),
            (
                Audience::Deciders,
                Happened::Rejected {
                    why: Rejection::Objected {
                        count: 1,
                        by: vec![code("KGZ")]
                    }
                }
            ),
        ]
    );
}

#[test]
fn a_slightly_slow_clock_cannot_date_an_event_before_the_last_one() {
    let rule = Rule::un_1267_default();
    let p = concur(&rule, &opened(&rule), "KGZ", MONDAY + Duration::HOUR);
    let p = concur(&rule, &p, "TJK", MONDAY + Duration::MINUTE);
    assert_eq!(
        p.position_of(&code("TJK")),
        Some(&Position::Concurred {
            at: MONDAY + Duration::HOUR
        })
    );
}

#[test]
fn a_proposal_survives_a_json_round_trip() {
    let rule = Rule::un_1267_default();
    let p = act(&rule, &opened(&rule), "TJK", hold("review"), MONDAY).unwrap();
    let p = at(&rule, &p, DEFAULT_DEADLINE);
    let json = serde_json::to_string(&p).unwrap();
    let back: Proposal = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p);
}

#[test]
fn deciders_are_reminded_as_the_deadline_nears_and_a_late_task_catches_up() {
    let rule = Rule::un_1267_default();
    let proposal = opened(&rule);
    // Three working days before Monday 17 March is Wednesday 12 March; one is Friday 14.
    let three_left = datetime!(2025-03-12 19:00 UTC);
    let one_left = datetime!(2025-03-14 19:00 UTC);
    let due = reminders_due(&rule, &proposal, MONDAY, MONDAY + Duration::days(12));
    let when: Vec<_> = due.iter().map(|n| (n.at, n.what.clone())).collect();
    assert_eq!(
        when,
        vec![
            (
                three_left,
                Happened::DeadlineNear {
                    working_days_left: 3,
                    deadline: DEFAULT_DEADLINE
                }
            ),
            (
                one_left,
                Happened::DeadlineNear {
                    working_days_left: 1,
                    deadline: DEFAULT_DEADLINE
                }
            ),
        ]
    );
    // A task that already ran past the first reminder sends only the second.
    assert_eq!(
        reminders_due(&rule, &proposal, three_left, one_left).len(),
        1
    );
    // Nothing for a closed proposal.
    let rejected = act(&rule, &proposal, "KGZ", object("no"), MONDAY).unwrap();
    assert!(reminders_due(&rule, &rejected, MONDAY, DEFAULT_DEADLINE).is_empty());
}
