//! Properties that must hold for every rule and every sequence of events.

mod support;

use accord_procedure::*;
use proptest::prelude::*;
use support::*;
use time::macros::date;
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset, Weekday};

fn decision_rule() -> impl Strategy<Value = DecisionRule> {
    prop_oneof![
        Just(DecisionRule::NoObjection),
        Just(DecisionRule::Consensus),
        (1u32..=3, 0u32..=4).prop_map(|(numerator, quorum)| DecisionRule::QualifiedMajority {
            numerator,
            denominator: 3,
            quorum,
        }),
        Just(DecisionRule::ReverseConsensus),
    ]
}

fn span() -> impl Strategy<Value = Span> {
    prop_oneof![
        (1u32..15).prop_map(Span::WorkingDays),
        (1u32..70).prop_map(Span::Days),
        (1u32..7).prop_map(Span::Months),
    ]
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        decision_rule(),
        span(),
        any::<bool>(),
        span(),
        0u32..3,
        span(),
        prop_oneof![
            Just(OnHoldLapse::Adopt),
            Just(OnHoldLapse::Lapse),
            Just(OnHoldLapse::CountAsObjection)
        ],
        any::<bool>(),
    )
        .prop_map(
            |(
                decision,
                period,
                holds_allowed,
                max_duration,
                extensions,
                extension,
                on_lapse,
                reasons,
            )| {
                let mut rule = if decision == DecisionRule::ReverseConsensus {
                    Rule::reverse_consensus_default()
                } else {
                    Rule::un_1267_default()
                };
                rule.decision = decision;
                rule.period = period;
                rule.holds = HoldPolicy {
                    allowed: holds_allowed,
                    max_duration,
                    extensions,
                    extension,
                    on_lapse,
                };
                rule.reasons_required.objection = reasons;
                rule.reasons_required.hold = reasons;
                rule
            },
        )
}

fn opening_for(rule: &Rule) -> Opening {
    if rule.decision == DecisionRule::ReverseConsensus {
        Opening {
            kind: ProposalKind::DelistingRecommendation,
            subject: SubjectRef("PERSON-1".to_owned()),
            proposer: Actor::Ombudsperson,
        }
    } else {
        listing("ORG-1", "KAZ")
    }
}

const ACTORS: [&str; 6] = ["KAZ", "KGZ", "TJK", "UZB", "USA", "SECRETARIAT"];

fn actor(i: usize) -> Actor {
    match ACTORS[i] {
        "SECRETARIAT" => Actor::Secretariat,
        "USA" => Actor::member("USA", MemberKind::PartnerState),
        code => Actor::regional_state(code),
    }
}

fn action(i: usize, target: usize, with_reason: bool) -> Action {
    let reason = with_reason.then(|| "reason".to_owned());
    match i {
        0 => Action::Concur,
        1 => Action::Object { reason },
        2 => Action::PlaceHold { reason },
        3 => Action::ExtendHold,
        4 => Action::LiftHold,
        5 => Action::Withdraw { reason },
        _ => Action::MemberLeft {
            member: accord_procedure::code(STATES[target % STATES.len()]),
        },
    }
}

/// Minutes after Monday, an actor, an action, a target state, a reason flag.
type Step = (i64, usize, usize, usize, bool);

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            0i64..400 * 24 * 60,
            0usize..6,
            0usize..7,
            0usize..4,
            any::<bool>(),
        ),
        0..12,
    )
    .prop_map(|mut steps| {
        steps.sort_by_key(|s| s.0);
        steps
    })
}

/// Runs the steps, keeping whatever was accepted; returns every state reached.
fn run(rule: &Rule, steps: &[Step]) -> Vec<(Proposal, OffsetDateTime)> {
    let (mut proposal, _) = open(rule, opening_for(rule), &members(), &[], MONDAY).expect("opens");
    let mut states = vec![(proposal.clone(), MONDAY)];
    for &(minutes, who, what, target, with_reason) in steps {
        let now = MONDAY + Duration::minutes(minutes);
        let event = Event {
            by: actor(who),
            action: action(what, target, with_reason),
        };
        if let Ok((next, _)) = apply(rule, &proposal, event, now) {
            proposal = next;
        }
        states.push((proposal.clone(), now));
    }
    states
}

fn later(base: OffsetDateTime, minutes: i64) -> OffsetDateTime {
    base + Duration::minutes(minutes)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn advance_is_idempotent(rule in rule(), steps in steps(), dt in 0i64..600 * 24 * 60) {
        for (proposal, now) in run(&rule, &steps) {
            let t = later(now, dt);
            let once = advance(&rule, &proposal, t).0;
            let (twice, notices) = advance(&rule, &once, t);
            prop_assert_eq!(&twice, &once);
            prop_assert!(notices.is_empty());
        }
    }

    #[test]
    fn advancing_in_two_steps_equals_advancing_at_once(
        rule in rule(),
        steps in steps(),
        d1 in 0i64..300 * 24 * 60,
        d2 in 0i64..300 * 24 * 60,
    ) {
        for (proposal, now) in run(&rule, &steps) {
            let t1 = later(now, d1);
            let t2 = later(t1, d2);
            let stepwise = advance(&rule, &advance(&rule, &proposal, t1).0, t2).0;
            prop_assert_eq!(stepwise, advance(&rule, &proposal, t2).0);
        }
    }

    #[test]
    fn a_closed_proposal_never_changes(
        rule in rule(),
        steps in steps(),
        more in steps(),
    ) {
        let states = run(&rule, &steps);
        let (last, now) = states.last().cloned().unwrap();
        let closed = advance(&rule, &last, later(now, 2_000 * 24 * 60)).0;
        if closed.is_closed() {
            for &(minutes, who, what, target, with_reason) in &more {
                let t = later(now, 2_000 * 24 * 60 + minutes);
                let event = Event { by: actor(who), action: action(what, target, with_reason) };
                let refused = apply(&rule, &closed, event, t);
                prop_assert!(
                    matches!(
                        refused,
                        Err(ProcedureError::ProposalClosed { .. }
                            | ProcedureError::DeadlinePassed { .. }
                            | ProcedureError::NotADecider { .. }
                            | ProcedureError::DeciderLeft { .. }
                            | ProcedureError::NotAMember { .. }
                            | ProcedureError::NotAllowedToWithdraw
                            | ProcedureError::SecretariatOnly { .. })
                    ),
                    "accepted or wrong error: {:?}", refused
                );
                prop_assert_eq!(&advance(&rule, &closed, t).0, &closed);
            }
        }
    }

    #[test]
    fn history_and_last_change_never_go_back_in_time(rule in rule(), steps in steps()) {
        let states = run(&rule, &steps);
        for (proposal, _) in &states {
            prop_assert!(proposal.history.windows(2).all(|w| w[0].at <= w[1].at));
            prop_assert_eq!(proposal.history.last().map(|r| r.at), Some(proposal.last_change_at));
            // A proposal on hold after its period always has a hold to wait for.
            if matches!(proposal.status, Status::OnHold { .. }) {
                prop_assert!(!proposal.holds().is_empty());
            }
        }
        for pair in states.windows(2) {
            prop_assert!(pair[0].0.last_change_at <= pair[1].0.last_change_at);
        }
    }

    #[test]
    fn the_outcome_never_depends_on_the_order_of_concurrent_decisions(
        rule in rule(),
        votes in prop::collection::vec((0usize..4, 0usize..3), 0..8),
        seed in any::<u64>(),
        dt in 0i64..20 * 24 * 60,
    ) {
        // Several deciders act "at the same moment": the storage layer
        // serializes them in whatever order the transactions commit.
        let now = later(MONDAY, dt);
        // Another interleaving of the same decisions: each decider's own acts
        // keep their order (one state's clicks are sequential), the states'
        // acts interleave as their transactions happen to commit.
        let mut queues: std::collections::BTreeMap<usize, std::collections::VecDeque<(usize, usize)>> =
            std::collections::BTreeMap::new();
        for &(who, what) in &votes {
            queues.entry(who).or_default().push_back((who, what));
        }
        let mut state = seed | 1;
        let mut shuffled = Vec::with_capacity(votes.len());
        while !queues.is_empty() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let keys: Vec<usize> = queues.keys().copied().collect();
            let key = keys[(state % keys.len() as u64) as usize];
            let queue = queues.get_mut(&key).expect("a key of the map");
            shuffled.push(queue.pop_front().expect("queues are never left empty"));
            if queue.is_empty() {
                queues.remove(&key);
            }
        }
        let outcome = |order: &[(usize, usize)]| {
            let (mut proposal, _) = open(&rule, opening_for(&rule), &members(), &[], MONDAY).unwrap();
            for &(who, what) in order {
                let action = match what {
                    0 => Action::Concur,
                    1 => Action::Object { reason: Some("r".to_owned()) },
                    _ => Action::PlaceHold { reason: Some("r".to_owned()) },
                };
                if let Ok((next, _)) = apply(&rule, &proposal, Event { by: actor(who), action }, now) {
                    proposal = next;
                }
            }
            proposal
        };
        let (a, b) = (outcome(&votes), outcome(&shuffled));
        // Whatever the interleaving, the same outcome at the same moment
        // (which objector is named may differ: the first objection closes
        // the proposal and the next is refused as too late).
        prop_assert_eq!(a.status.label(), b.status.label());
        prop_assert_eq!(a.last_change_at, b.last_change_at);
        // Concurrences and holds commute exactly.
        let concurrences_and_holds: Vec<_> = votes.iter().map(|&(who, what)| (who, what % 2 * 2)).collect();
        let mut reversed = concurrences_and_holds.clone();
        reversed.reverse();
        let (c, d) = (outcome(&concurrences_and_holds), outcome(&reversed));
        prop_assert_eq!(c.status, d.status);
        prop_assert_eq!(c.positions, d.positions);
    }

    #[test]
    fn a_proposal_survives_a_json_round_trip(rule in rule(), steps in steps()) {
        for (proposal, _) in run(&rule, &steps) {
            let json = serde_json::to_string(&proposal).unwrap();
            let back: Proposal = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, proposal);
        }
    }
}

fn calendar() -> impl Strategy<Value = Calendar> {
    let weekdays = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    (
        prop::sample::subsequence(weekdays.to_vec(), 0..=3),
        prop::collection::vec(0i64..3 * 366, 0..40),
    )
        .prop_map(|(weekend, holiday_offsets)| Calendar {
            weekend,
            holidays: holiday_offsets
                .into_iter()
                .map(|d| date!(2024 - 12 - 01) + Duration::days(d))
                .collect(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn working_day_deadlines_fall_on_working_days(
        calendar in calendar(),
        start_minutes in 0i64..2 * 366 * 24 * 60,
        n in 1u32..30,
        offset_hours in -12i8..=14,
        deadline_hour in 0u8..24,
    ) {
        let zone = DeadlineZone::fixed(
            "somewhere",
            UtcOffset::from_hms(offset_hours, 0, 0).unwrap(),
            Time::from_hms(deadline_hour, 0, 0).unwrap(),
        );
        let start = later(time::macros::datetime!(2025-01-01 00:00 UTC), start_minutes);
        let deadline = working_days::deadline_after(start, Span::WorkingDays(n), &calendar, &zone);
        let local: Date = zone.local_date(deadline);
        prop_assert!(calendar.is_working_day(local), "{local} is not a working day");
        prop_assert_eq!(working_days::between(zone.local_date(start), local, &calendar), n);
        prop_assert!(deadline > start);
    }
}
