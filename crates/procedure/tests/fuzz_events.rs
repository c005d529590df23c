//! Fuzzing the engine's event stream: arbitrary sequences of events by any
//! actor (deciders, non-deciders, unknown members, the secretariat, the
//! ombudsperson), in any order, at any time (before the opening, far in the
//! future, at the ends of the calendar), interleaved with `advance`, `view`,
//! `available_actions` and `reminders_due`. No input may panic, a refusal is
//! a `ProcedureError`, and the state keeps its invariants after every step.
//!
//! Bounded by default (a few seconds in debug); `PROPTEST_CASES=5000` for a
//! longer run.

mod support;

use accord_procedure::*;
use proptest::prelude::*;
use support::*;
use time::{Duration, OffsetDateTime, Weekday};

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

/// An instant: mostly within two years of Monday (before and after it),
/// sometimes at the ends of what the storage format (RFC 3339, years 0000 to
/// 9999) can hold. (`time` itself goes down to -9999: a proposal opened
/// then cannot be stored. The engine does not refuse such instants; `now`
/// is the server's clock, so the harness stays within the storable years.)
fn instant() -> impl Strategy<Value = OffsetDateTime> {
    prop_oneof![
        12 => (-400i64 * 24 * 60..800 * 24 * 60).prop_map(|m| MONDAY + Duration::minutes(m)),
        // Exactly at the deadline and around it, where off-by-one errors live.
        4 => (-2i64..=2).prop_map(|s| DEFAULT_DEADLINE + Duration::seconds(s)),
        1 => prop::sample::select(vec![
            OffsetDateTime::UNIX_EPOCH,
            time::macros::datetime!(1900-01-01 00:00 UTC),
            time::macros::datetime!(9999-12-31 23:59:59 UTC),
            time::macros::datetime!(0001-01-01 00:00 UTC),
            time::macros::datetime!(9999-06-30 12:00 UTC),
        ]),
    ]
}

fn reason() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(String::new())),
        Just(Some(" \t\n ".to_owned())),
        "\\PC{0,40}".prop_map(Some),
        any::<String>().prop_map(Some),
        // Control characters and a very long reason.
        "[\u{0}-\u{1f}\u{7f}a-z]{0,20}".prop_map(Some),
        (1usize..20_000).prop_map(|n| Some("x".repeat(n))),
    ]
}

fn member_code() -> impl Strategy<Value = MemberCode> {
    prop_oneof![
        prop::sample::select(vec!["KAZ", "KGZ", "TJK", "UZB", "USA", "ZZZ", "SCO-RATS"])
            .prop_map(code),
        "[A-Z0-9]{2,16}".prop_map(|c| code(&c)),
    ]
}

fn actor() -> impl Strategy<Value = Actor> {
    let kind = prop::sample::select(vec![
        MemberKind::RegionalState,
        MemberKind::PartnerState,
        MemberKind::CivilSociety,
        MemberKind::PrivateSector,
    ]);
    prop_oneof![
        // The deciders, as themselves.
        6 => prop::sample::select(STATES.to_vec()).prop_map(Actor::regional_state),
        2 => Just(Actor::Secretariat),
        1 => Just(Actor::Ombudsperson),
        // Anyone, with any kind (a decider's code with the wrong kind too).
        2 => (member_code(), kind).prop_map(|(code, kind)| Actor::Member { code, kind }),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => Just(Action::Concur),
        3 => reason().prop_map(|reason| Action::Object { reason }),
        3 => reason().prop_map(|reason| Action::PlaceHold { reason }),
        2 => Just(Action::ExtendHold),
        2 => Just(Action::LiftHold),
        1 => reason().prop_map(|reason| Action::Withdraw { reason }),
        2 => member_code().prop_map(|member| Action::MemberLeft { member }),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Apply(Event, OffsetDateTime),
    Advance(OffsetDateTime),
    View(Actor, OffsetDateTime),
    Reminders(OffsetDateTime, OffsetDateTime),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (actor(), action(), instant())
            .prop_map(|(by, action, at)| Step::Apply(Event { by, action }, at)),
        3 => instant().prop_map(Step::Advance),
        2 => (actor(), instant()).prop_map(|(who, at)| Step::View(who, at)),
        1 => (instant(), instant()).prop_map(|(a, b)| Step::Reminders(a, b)),
    ]
}

fn span() -> impl Strategy<Value = Span> {
    prop_oneof![
        (0u32..30).prop_map(Span::WorkingDays),
        (0u32..400).prop_map(Span::Days),
        (0u32..13).prop_map(Span::Months),
        // Out of what `validate` accepts: `open` must refuse these.
        Just(Span::WorkingDays(u32::MAX)),
        Just(Span::Days(u32::MAX)),
        Just(Span::Months(u32::MAX)),
    ]
}

/// Any rule built from the defaults, valid or not.
fn rule() -> impl Strategy<Value = Rule> {
    let decision = prop_oneof![
        Just(DecisionRule::NoObjection),
        Just(DecisionRule::Consensus),
        (0u32..5, 0u32..5, 0u32..6).prop_map(|(numerator, denominator, quorum)| {
            DecisionRule::QualifiedMajority {
                numerator,
                denominator,
                quorum,
            }
        }),
        Just(DecisionRule::ReverseConsensus),
    ];
    let on_lapse = prop::sample::select(vec![
        OnHoldLapse::Adopt,
        OnHoldLapse::Lapse,
        OnHoldLapse::CountAsObjection,
    ]);
    let visibility = prop::sample::select(vec![
        Visibility::Open,
        Visibility::DecidersOnly,
        Visibility::SecretariatOnly,
    ]);
    let weekdays = vec![
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    (
        (decision, span(), any::<bool>(), span(), 0u32..4, span()),
        (
            on_lapse,
            any::<bool>(),
            visibility,
            prop::sample::subsequence(weekdays.clone(), 0..=7),
            prop::collection::vec(0u32..20, 0..4),
        ),
    )
        .prop_map(
            |(
                (decision, period, allowed, max_duration, extensions, extension),
                (on_lapse, reasons, visibility, weekend, reminders),
            )| {
                let mut rule = if decision == DecisionRule::ReverseConsensus {
                    Rule::reverse_consensus_default()
                } else {
                    Rule::un_1267_default()
                };
                rule.decision = decision;
                rule.period = period;
                rule.holds = HoldPolicy {
                    allowed,
                    max_duration,
                    extensions,
                    extension,
                    on_lapse,
                };
                rule.reasons_required.objection = reasons;
                rule.reasons_required.hold = reasons;
                rule.visibility = visibility;
                rule.calendar.weekend = weekend;
                rule.reminders = reminders;
                rule
            },
        )
}

fn opening_for(rule: &Rule, proposer: usize) -> Opening {
    if rule.decision == DecisionRule::ReverseConsensus {
        Opening {
            kind: ProposalKind::DelistingRecommendation,
            subject: SubjectRef("PERSON-1".to_owned()),
            proposer: Actor::Ombudsperson,
        }
    } else {
        listing("ORG-1", STATES[proposer % STATES.len()])
    }
}

/// What must hold of every state the engine produces.
fn check_invariants(p: &Proposal) -> Result<(), TestCaseError> {
    prop_assert!(!p.history.is_empty(), "the opening is always recorded");
    prop_assert!(
        p.history.windows(2).all(|w| w[0].at <= w[1].at),
        "history goes back in time: {:?}",
        p.history.iter().map(|r| r.at).collect::<Vec<_>>()
    );
    prop_assert_eq!(p.history.last().map(|r| r.at), Some(p.last_change_at));
    prop_assert!(p.positions.keys().all(|c| !p.departed.contains(c)));
    prop_assert_eq!(
        p.positions.len() + p.departed.len(),
        p.deciders_at_opening as usize
    );
    let t = p.tally();
    prop_assert_eq!(t.concurred + t.objected + t.on_hold + t.silent, t.deciders);
    for (holder, hold) in p.holds() {
        prop_assert!(
            p.holds_used.contains(holder),
            "{} holds without using its hold",
            holder
        );
        prop_assert!(hold.placed_at >= p.opened_at);
    }
    match &p.status {
        Status::OnHold { since } => {
            prop_assert_eq!(*since, p.deadline);
            prop_assert!(!p.holds().is_empty(), "on hold with no hold to wait for");
        }
        Status::Open => {}
        closed => {
            let at = closed.closed_at().expect("a closed status has a date");
            prop_assert!(at >= p.opened_at);
        }
    }
    Ok(())
}

fn run(
    rule: &Rule,
    proposer: usize,
    start: OffsetDateTime,
    steps: &[Step],
) -> Result<(), TestCaseError> {
    let opened = open(rule, opening_for(rule, proposer), &members(), &[], start);
    let mut proposal = match opened {
        Ok((p, _)) => {
            prop_assert!(rule.validate().is_ok(), "opened under an invalid rule");
            p
        }
        Err(e) => {
            prop_assert!(!e.to_string().is_empty());
            if let Err(rule_error) = rule.validate() {
                prop_assert_eq!(e, ProcedureError::InvalidRule(rule_error));
            }
            return Ok(());
        }
    };
    check_invariants(&proposal)?;
    let mut closed: Option<Status> = proposal.is_closed().then(|| proposal.status.clone());
    for step in steps {
        let before = proposal.clone();
        match step {
            Step::Apply(event, at) => match apply(rule, &proposal, event.clone(), *at) {
                Ok((next, _notices)) => {
                    prop_assert!(closed.is_none(), "a closed proposal accepted {:?}", event);
                    prop_assert!(next.history.len() > before.history.len());
                    // Deterministic: the same event at the same moment gives the same state.
                    let again = apply(rule, &before, event.clone(), *at).map(|(p, _)| p);
                    prop_assert_eq!(again.as_ref(), Ok(&next));
                    proposal = next;
                }
                Err(e) => {
                    prop_assert!(!e.to_string().is_empty());
                }
            },
            Step::Advance(at) => {
                let (next, _) = advance(rule, &proposal, *at);
                let (twice, notices) = advance(rule, &next, *at);
                prop_assert_eq!(&twice, &next, "advance is not idempotent");
                prop_assert!(notices.is_empty());
                proposal = next;
            }
            Step::View(who, at) => {
                let v = view(rule, &proposal, who, *at);
                if v.positions.is_none()
                    && let Status::Rejected {
                        why: Rejection::Objected { by, .. } | Rejection::NoConsensus { by, .. },
                        ..
                    } = &v.status
                {
                    prop_assert!(by.is_empty(), "{:?} sees who decided: {:?}", who, by);
                }
                let _ = available_actions(rule, &proposal, who, *at);
                let _ = working_days_left(rule, &proposal, *at);
            }
            Step::Reminders(since, at) => {
                let due = reminders_due(rule, &proposal, *since, *at);
                prop_assert!(due.windows(2).all(|w| w[0].at <= w[1].at));
                prop_assert!(due.iter().all(|n| *since < n.at && n.at <= *at));
            }
        }
        check_invariants(&proposal)?;
        prop_assert!(proposal.last_change_at >= before.last_change_at);
        if let Some(status) = &closed {
            prop_assert_eq!(&proposal.status, status, "a closed proposal changed");
        } else if proposal.is_closed() {
            closed = Some(proposal.status.clone());
        }
    }
    // The state survives storage.
    let json = serde_json::to_string(&proposal).expect("serializes");
    let back: Proposal = serde_json::from_str(&json).expect("reads back");
    prop_assert_eq!(back, proposal);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn procedure_event_stream_never_panics_and_keeps_invariants(
        rule in rule(),
        proposer in 0usize..4,
        start in instant(),
        steps in prop::collection::vec(step(), 0..24),
    ) {
        run(&rule, proposer, start, &steps)?;
    }

    #[test]
    fn procedure_default_rule_event_stream_keeps_invariants(
        default in any::<bool>(),
        steps in prop::collection::vec(step(), 0..32),
    ) {
        // The rules in use, with the most events getting through.
        let rule = if default { Rule::un_1267_default() } else { Rule::reverse_consensus_default() };
        run(&rule, 0, MONDAY, &steps)?;
    }

    #[test]
    fn procedure_events_from_arbitrary_json_never_panic(
        json in prop_oneof![
            any::<String>(),
            "\\{\"by\":\\{\"actor\":\"(member|secretariat|ombudsperson|x)\"(,\"code\":\"[A-Za-z\\-]{0,20}\",\"kind\":\"[a-z_]{0,16}\")?\\},\"action\":\\{\"action\":\"(concur|object|place_hold|extend_hold|lift_hold|withdraw|member_left|x)\"(,\"reason\":(null|\"[^\"\\\\]{0,10}\"|1e999|\\[\\]))?(,\"member\":\"[A-Za-z0-9\\-]{0,20}\")?\\}\\}",
        ],
        at in instant(),
    ) {
        // The web layer reads actions from JSON: a parsed event is either
        // refused by serde or handled by the engine.
        if let Ok(event) = serde_json::from_str::<Event>(&json) {
            if let Actor::Member { code, .. } = &event.by {
                prop_assert!(MemberCode::parse(code.as_str()).is_ok(), "serde let an invalid member code through: {:?}", code);
            }
            let rule = Rule::un_1267_default();
            let _ = apply(&rule, &opened(&rule), event, at);
        }
    }
}
