//! The common list's storage, on SQLite and on PostgreSQL: proposals decided
//! by the agreement procedure inside the store's transactions, versions of
//! the list, petitions, merges, notifications and audited confidential reads.
//!
//! Time is the tests': every procedure operation takes `now`, so deadlines and
//! holds are reached by passing instants in the future.

use std::collections::BTreeSet;

use accord_core::{MemberCode, Principal};
use accord_lists::{Address, EntryLink, EntryName, EntrySchema, ListEntry, NameKind};
use accord_procedure::{
    Action, MemberKind, MemberSet, ProcedureError, ProposalKind, Rejection, Rule, Status,
};
use accord_store::common_list::{
    NewEvidence, NewPetition, NewProposal, PetitionRecommendation, PetitionStatus, ProposalRecord,
    ProposalStatus, Recipient, SubjectKind, SubjectStatus, VersionCause,
};
use accord_store::{Actor, AuditQuery, Store, StoreError};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

accord_store::on_both_backends!(|backend, test| accord_store::testing::with_fresh_store(backend, accord_store::testing::Seed::Members, test).await;
    a_listing_is_adopted_by_silence_after_the_deadline,
    deadline_reminders_are_sent_once,
    a_hold_keeps_the_proposal_pending_then_lapses_into_adoption,
    an_objection_rejects_at_once,
    late_second_and_non_decider_votes_are_refused_and_change_nothing,
    a_proposal_on_a_pending_subject_is_refused,
    ten_concurrent_decisions_are_serialized,
    versions_are_immutable_and_comparable,
    petitions_are_followed_by_tracking_number,
    the_ombudsperson_asks_the_petitioner_and_the_reply_puts_it_back_under_review,
    a_delisting_recommendation_takes_effect_by_reverse_consensus,
    a_delisting_recommendation_fails_when_every_state_objects,
    merging_is_explicit_audited_and_reversible,
    statements_of_case_and_evidence_are_confidential_and_their_reads_audited,
    entries_are_put_up_for_periodic_review,
    notifications_are_listed_and_marked_read_by_each_user_of_the_member,
    bad_proposals_are_refused_and_change_nothing,
    a_proposal_is_withdrawn_only_by_its_proposer_or_the_secretariat,
    a_un_reference_names_an_entry_of_the_stored_un_list,
    links_name_their_target_and_never_the_subject_itself,
    the_procedure_rule_is_versioned_data_new_proposals_take_and_open_ones_keep,
    a_states_decision_needs_its_members_valid_signature_and_a_refusal_changes_nothing,
    proposals_are_filtered_by_status_proposer_and_kind_ordered_and_paged_with_their_count,
    petitions_are_filtered_by_state_ordered_by_received_or_changed_and_paged_with_their_count,
);

async fn a_states_decision_needs_its_members_valid_signature_and_a_refusal_changes_nothing(
    store: Store,
) {
    use accord_store::common_list::{DecisionSignature, SignatureRefusal, decision_to_sign};
    use accord_store::testing::member_test_key;
    let p = propose_listing(&store, organization("Signed Front", "SGF"), T0).await;
    let other = propose_listing(&store, organization("Other Front", "OTF"), T0).await;
    let monday = T0 + Duration::days(1);
    let kgz = member("KGZ");
    let code = MemberCode::parse("KGZ").unwrap();
    let sign = |id: i64, key: &accord_proof::SecretKey, at: OffsetDateTime| DecisionSignature {
        at: at.unix_timestamp(),
        signature: accord_proof::Signed::sign(
            decision_to_sign(id, &code, &Action::Concur, at.unix_timestamp()).unwrap(),
            key,
        )
        .unwrap()
        .signature,
    };
    let refused = |r: Result<ProposalRecord, StoreError>| match r {
        Err(StoreError::Signature(s)) => s,
        other => panic!("expected a signature refusal, got {other:?}"),
    };
    let before = store.proposal(p.id).await.unwrap();

    // No registered key: refused, whatever is sent.
    let none = store
        .record_decision(&actor(), p.id, &kgz, Action::Concur, None, monday)
        .await;
    assert!(matches!(refused(none), SignatureRefusal::NoKey { member } if member == "KGZ"));

    let key = member_test_key(&code);
    store
        .register_member_key(&actor(), &code, &key.public_key(), T0)
        .await
        .unwrap();
    let missing = store
        .record_decision(&actor(), p.id, &kgz, Action::Concur, None, monday)
        .await;
    assert!(matches!(
        refused(missing),
        SignatureRefusal::Signature(accord_proof::records::DecisionError::MissingSignature)
    ));
    // Signed by another member's (registered) key: named as such.
    let tjk_code = MemberCode::parse("TJK").unwrap();
    let tjk_key = member_test_key(&tjk_code);
    store
        .register_member_key(&actor(), &tjk_code, &tjk_key.public_key(), T0)
        .await
        .unwrap();
    let foreign = store
        .record_decision(
            &actor(),
            p.id,
            &kgz,
            Action::Concur,
            Some(&sign(p.id, &tjk_key, monday)),
            monday,
        )
        .await;
    assert!(matches!(
        refused(foreign),
        SignatureRefusal::Signature(accord_proof::records::DecisionError::WrongMember { .. })
    ));
    // Dated ahead of the platform's clock.
    let ahead = store
        .record_decision(
            &actor(),
            p.id,
            &kgz,
            Action::Concur,
            Some(&sign(p.id, &key, monday + Duration::minutes(5))),
            monday,
        )
        .await;
    assert!(matches!(
        refused(ahead),
        SignatureRefusal::NotCurrent { .. }
    ));
    // The signature of a decision on another proposal.
    let elsewhere = store
        .record_decision(
            &actor(),
            p.id,
            &kgz,
            Action::Concur,
            Some(&sign(other.id, &key, monday)),
            monday,
        )
        .await;
    assert!(matches!(
        refused(elsewhere),
        SignatureRefusal::Signature(accord_proof::records::DecisionError::BadSignature(_))
    ));
    // Prepared too long ago.
    let old = monday - Duration::hours(2);
    let stale = store
        .record_decision(
            &actor(),
            p.id,
            &kgz,
            Action::Concur,
            Some(&sign(p.id, &key, old)),
            monday,
        )
        .await;
    assert!(matches!(
        refused(stale),
        SignatureRefusal::NotCurrent { .. }
    ));
    // A truncated signature.
    let mut cut = sign(p.id, &key, monday);
    cut.signature.truncate(cut.signature.len() / 2);
    let truncated = store
        .record_decision(&actor(), p.id, &kgz, Action::Concur, Some(&cut), monday)
        .await;
    assert!(matches!(refused(truncated), SignatureRefusal::Signature(_)));
    assert_eq!(
        store.proposal(p.id).await.unwrap(),
        before,
        "refusals change nothing"
    );
    assert!(store.signed_decisions(None).await.unwrap().is_empty());

    // Replaced keys stop signing: the old key is refused, the new one accepted.
    let new_key = accord_proof::SecretKey::generate();
    store
        .register_member_key(
            &actor(),
            &code,
            &new_key.public_key(),
            monday - Duration::minutes(5),
        )
        .await
        .unwrap();
    let keys = store.member_keys(Some(&code)).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[0].valid_until,
        Some((monday - Duration::minutes(5)).unix_timestamp())
    );
    assert_eq!(keys[1].valid_until, None);
    let with_old = store
        .record_decision(
            &actor(),
            p.id,
            &kgz,
            Action::Concur,
            Some(&sign(p.id, &key, monday)),
            monday,
        )
        .await;
    assert!(matches!(
        refused(with_old),
        SignatureRefusal::Signature(accord_proof::records::DecisionError::KeyNotValid { .. })
    ));
    // Backdated to when the old key was still valid: refused all the same.
    let backdated = store
        .record_decision(
            &actor(),
            p.id,
            &kgz,
            Action::Concur,
            Some(&sign(p.id, &key, monday - Duration::minutes(10))),
            monday,
        )
        .await;
    assert!(matches!(
        refused(backdated),
        SignatureRefusal::KeyReplaced { .. }
    ));
    let good = sign(p.id, &new_key, monday);
    let after = store
        .record_decision(&actor(), p.id, &kgz, Action::Concur, Some(&good), monday)
        .await
        .unwrap();
    assert_ne!(after.revision, before.revision);
    let stored = store.signed_decisions(Some(p.id)).await.unwrap();
    assert_eq!(stored.len(), 1);
    let signed = stored[0].signed().unwrap();
    assert_eq!(signed.record.member, "KGZ");
    assert_eq!(signed.record.proposal, format!("P-{}", p.id));
    // A signed decision is taken once: the same signed hold sent again after
    // a lift is refused (the procedure allows one hold per state; behind
    // it, the digest of every signed decision is unique in the store).
    let q = propose_listing(&store, organization("Replay Front", "RPF"), T0).await;
    let hold = Action::PlaceHold {
        reason: Some("Checking.".into()),
    };
    let hold_sig = DecisionSignature {
        at: monday.unix_timestamp(),
        signature: accord_proof::Signed::sign(
            decision_to_sign(q.id, &code, &hold, monday.unix_timestamp()).unwrap(),
            &new_key,
        )
        .unwrap()
        .signature,
    };
    store
        .record_decision(&actor(), q.id, &kgz, hold.clone(), Some(&hold_sig), monday)
        .await
        .unwrap();
    let lift = DecisionSignature {
        at: monday.unix_timestamp(),
        signature: accord_proof::Signed::sign(
            decision_to_sign(q.id, &code, &Action::LiftHold, monday.unix_timestamp()).unwrap(),
            &new_key,
        )
        .unwrap()
        .signature,
    };
    store
        .record_decision(&actor(), q.id, &kgz, Action::LiftHold, Some(&lift), monday)
        .await
        .unwrap();
    match store
        .record_decision(&actor(), q.id, &kgz, hold, Some(&hold_sig), monday)
        .await
    {
        Err(StoreError::Conflict(m)) => assert!(m.contains("only once"), "{m}"),
        other => panic!("a replayed hold was not refused: {other:?}"),
    }

    // The same key cannot be registered twice, for anyone.
    assert!(matches!(
        store
            .register_member_key(
                &actor(),
                &MemberCode::parse("TJK").unwrap(),
                &new_key.public_key(),
                monday
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let regs = actions(&store, "members.key.register").await;
    assert_eq!(regs.len(), 3, "{regs:#?}");
}

async fn the_procedure_rule_is_versioned_data_new_proposals_take_and_open_ones_keep(store: Store) {
    use accord_store::common_list::ProcedureSettings;
    let current = store.procedure_settings().await.unwrap();
    assert_eq!(current.version, 0);
    assert_eq!(current.settings.rule, Rule::un_1267_default());
    assert!(store.procedure_history().await.unwrap().is_empty());

    let before = propose_listing(&store, organization("Old Rule Org", "ORO"), T0).await;
    assert_eq!(before.rule.period, accord_procedure::Span::WorkingDays(10));

    let mut longer = current.settings.clone();
    longer.rule.period = accord_procedure::Span::WorkingDays(15);
    longer
        .rule
        .calendar
        .holidays
        .push(time::macros::date!(2026 - 03 - 09));
    longer.reverse_consensus_days = 90;
    longer.review_years = 5;

    // Bad input changes nothing: no reason, an invalid rule, a stale version.
    assert!(matches!(
        store
            .update_procedure_settings(&actor(), 0, longer.clone(), " ")
            .await,
        Err(StoreError::Invalid(_))
    ));
    let mut broken = longer.clone();
    broken.rule.calendar.weekend = vec![
        time::Weekday::Monday,
        time::Weekday::Tuesday,
        time::Weekday::Wednesday,
        time::Weekday::Thursday,
        time::Weekday::Friday,
        time::Weekday::Saturday,
        time::Weekday::Sunday,
    ];
    match store
        .update_procedure_settings(&actor(), 0, broken, "why")
        .await
    {
        Err(StoreError::Invalid(i)) => assert_eq!(i.errors[0].field, "rule"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(matches!(
        store
            .update_procedure_settings(&actor(), 3, longer.clone(), "why")
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.procedure_history().await.unwrap().is_empty());

    let v1 = store
        .update_procedure_settings(
            &actor(),
            0,
            longer.clone(),
            "Longer period agreed at the 2026 meeting",
        )
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.settings, longer);
    assert!(matches!(
        store
            .update_procedure_settings(&actor(), 0, ProcedureSettings::default(), "stale")
            .await,
        Err(StoreError::Conflict(_))
    ));
    let audited = actions(&store, "common_list.procedure_rule").await;
    assert_eq!(audited.len(), 1);

    // Open proposals keep their rule; new ones take the rule in force.
    assert_eq!(store.proposal(before.id).await.unwrap().rule, before.rule);
    let after = propose_listing(&store, organization("New Rule Org", "NRO"), T0).await;
    assert_eq!(after.rule.period, accord_procedure::Span::WorkingDays(15));
    assert!(after.state.deadline > before.state.deadline);

    // Concurrent editors of the same version: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..6u32 {
        let store = store.clone();
        let mut s = longer.clone();
        s.review_years = 1 + i;
        tasks.push(tokio::spawn(async move {
            store
                .update_procedure_settings(&actor(), 1, s, "race")
                .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(v) => {
                assert_eq!(v.version, 2);
                won += 1;
            }
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(won, 1);
    let history = store.procedure_history().await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(actions(&store, "common_list.procedure_rule").await.len(), 2);

    // A delisting recommendation takes the reverse-consensus period in force.
    let (listed_id, later) = listed(&store, individual("Abdulla Karim"), T0).await;
    let petition = petition_for(&store, &listed_id).await;
    let (_, recommendation) = store
        .recommend_on_petition(
            &Actor::system("ombudsperson"),
            petition,
            PetitionRecommendation::Delist,
            "Comprehensive report.",
            "Delisted on the Ombudsperson's recommendation.",
            None,
            later,
        )
        .await
        .unwrap();
    let rule = recommendation.unwrap().rule;
    assert_eq!(rule.period, accord_procedure::Span::Days(90));
    assert_eq!(
        rule.decision,
        accord_procedure::DecisionRule::ReverseConsensus
    );
    assert!(
        rule.calendar
            .holidays
            .contains(&time::macros::date!(2026 - 03 - 09))
    );
}

async fn a_un_reference_names_an_entry_of_the_stored_un_list(store: Store) {
    let proposal = |reference: &str| {
        let mut p = NewProposal::list(
            SubjectKind::Organization,
            organization("Jamaat Al-Example", "JAE"),
            STATEMENT,
            SUMMARY,
        );
        p.un_reference = Some(reference.into());
        p
    };
    let invalid_field = |r: Result<ProposalRecord, StoreError>| match r {
        Err(StoreError::Invalid(i)) => i.errors[0].field.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    // No UN list stored yet: no reference can be checked, so none is taken.
    let r = store
        .create_proposal(&actor(), &member("KAZ"), proposal("QDe.002"), T0)
        .await;
    assert_eq!(invalid_field(r), "un_reference");
    let un = accord_lists::load_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../screening/tests/fixtures/un_screening.xml"
    ))
    .unwrap();
    store
        .import_reference_list(&actor(), "un", &un)
        .await
        .unwrap();
    let r = store
        .create_proposal(&actor(), &member("KAZ"), proposal("QDe.999"), T0)
        .await;
    assert_eq!(invalid_field(r), "un_reference");
    assert!(
        store.subjects(None).await.unwrap().is_empty(),
        "nothing was made"
    );
    assert!(store.proposals(false).await.unwrap().is_empty());

    let p = store
        .create_proposal(&actor(), &member("KAZ"), proposal("  qde.002 "), T0)
        .await
        .unwrap();
    assert_eq!(
        p.un_reference.as_deref(),
        Some("QDe.002"),
        "as the UN list spells it"
    );
    let (_, entry) = store
        .reference_entry("un", "QDE.002")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.reference, "QDe.002");
    assert!(
        store
            .reference_entry("un", "QDe.999")
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.reference_entry("ofac", "1").await.unwrap().is_none());
}

async fn links_name_their_target_and_never_the_subject_itself(store: Store) {
    let (org, now) = listed(&store, organization("Jamaat Al-Example", "JAE"), T0).await;
    let mut leader = individual("Abdulla Karim");
    leader.links.push(EntryLink {
        relation: "leader_of".into(),
        target_reference: Some(org.clone()),
        target_name: None,
    });
    let p = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::list(SubjectKind::Individual, leader, STATEMENT, SUMMARY),
            now,
        )
        .await
        .unwrap();
    let entry = p.proposed_entry.unwrap();
    assert_eq!(
        entry.links[0].target_name.as_deref(),
        Some("Jamaat Al-Example")
    );

    let mut amended = organization("Jamaat Al-Example", "JAE");
    amended.links.push(EntryLink {
        relation: "alias_of".into(),
        target_reference: Some(org.clone()),
        target_name: None,
    });
    let r = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::about(ProposalKind::Amend, &org, Some(amended), STATEMENT, SUMMARY),
            now,
        )
        .await;
    match r {
        Err(StoreError::Invalid(i)) => assert_eq!(i.errors[0].field, "entry.links"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(
        store.proposals(false).await.unwrap().len(),
        2,
        "nothing more was proposed"
    );

    // A link to a subject merged into another names the one that remains.
    let (other, now) = listed(&store, organization("Other Front", "OF"), now).await;
    store
        .merge_subjects(&actor(), &other, &org, "the same group")
        .await
        .unwrap();
    let mut follower = individual("Rahim Example");
    follower.links.push(EntryLink {
        relation: "member_of".into(),
        target_reference: Some(other.clone()),
        target_name: None,
    });
    let r = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::list(SubjectKind::Individual, follower, STATEMENT, SUMMARY),
            now,
        )
        .await;
    match r {
        Err(StoreError::Invalid(i)) => {
            assert!(
                i.errors[0].message.contains(&format!("link to {org}")),
                "{i:?}"
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A Monday.
const T0: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

fn actor() -> Actor {
    Actor::system("test")
}

/// An administrator of a seeded member, acting for it.
fn member(code: &str) -> Principal {
    Principal::member_user(
        1,
        "admin",
        MemberCode::parse(code).unwrap(),
        accord_core::seed::kind_of(code).unwrap(),
        accord_core::Role::MemberAdmin,
    )
}

fn secretariat() -> Principal {
    Principal::platform_user(2, "secretariat", accord_core::Role::SecretariatAdmin)
}

fn recipient(code: &str) -> Recipient {
    Recipient::Member(MemberCode::parse(code).unwrap())
}

fn organization(name: &str, alias: &str) -> ListEntry {
    let mut e = ListEntry::new("draft", EntrySchema::Organization);
    e.push_name(EntryName::new(name, NameKind::Primary));
    e.push_name(EntryName::new(alias, NameKind::Alias).weak());
    e.addresses.push(Address {
        city: Some("Kunduz".into()),
        country: Some("Afghanistan".into()),
        ..Address::default()
    });
    e
}

fn individual(name: &str) -> ListEntry {
    let mut e = ListEntry::new("draft", EntrySchema::Person);
    e.push_name(EntryName::new(name, NameKind::Primary));
    e.push_name(EntryName::new("Абдулла Карим", NameKind::OriginalScript));
    e.nationalities.push("Uzbekistan".into());
    e.addresses.push(Address {
        city: Some("Dushanbe".into()),
        country: Some("Tajikistan".into()),
        ..Address::default()
    });
    e
}

const STATEMENT: &str = "CONFIDENTIAL: intercepted financing records, source KNB-7";
const SUMMARY: &str = "Recruits and finances fighters for attacks in the region.";

async fn propose_listing(store: &Store, entry: ListEntry, now: OffsetDateTime) -> ProposalRecord {
    let kind = if entry.schema == EntrySchema::Person {
        SubjectKind::Individual
    } else {
        SubjectKind::Organization
    };
    store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::list(kind, entry, STATEMENT, SUMMARY),
            now,
        )
        .await
        .unwrap()
}

/// Lists a subject by silence; returns its public id and the instant after adoption.
async fn listed(store: &Store, entry: ListEntry, now: OffsetDateTime) -> (String, OffsetDateTime) {
    let p = propose_listing(store, entry, now).await;
    let after = p.state.deadline + Duration::hours(1);
    store.advance_due(&actor(), after).await.unwrap();
    let p = store.proposal(p.id).await.unwrap();
    assert_eq!(p.status, ProposalStatus::Adopted);
    (p.subject, after)
}

fn conflict(e: StoreError) -> String {
    match e {
        StoreError::Conflict(m) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

async fn actions(store: &Store, action: &str) -> Vec<accord_core::audit::AuditRecord> {
    store
        .audit_records(&AuditQuery {
            action: Some(action.into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
}

/// A user id no account has: what was sent, not what someone read.
const NOBODY: i64 = 0;

async fn kinds_for(store: &Store, who: &Recipient) -> Vec<String> {
    let mut kinds: Vec<String> = store
        .notifications(who, NOBODY, false, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect();
    kinds.reverse();
    kinds
}

async fn a_listing_is_adopted_by_silence_after_the_deadline(store: Store) {
    let p = propose_listing(&store, organization("Jamaat Al-Example", "JAE"), T0).await;
    assert_eq!(p.subject, "ACL-0001");
    assert_eq!(p.kind, ProposalKind::List);
    assert_eq!(p.status, ProposalStatus::Open);
    assert_eq!(p.revision, 1);
    assert_eq!(p.proposer, "KAZ");
    let subject = store.subject("ACL-0001").await.unwrap();
    assert_eq!(subject.status, SubjectStatus::Proposed);
    assert_eq!(subject.entry.reference, "ACL-0001");
    assert!(
        kinds_for(&store, &recipient("KGZ"))
            .await
            .contains(&"opened".to_string())
    );
    assert!(
        kinds_for(&store, &Recipient::Secretariat)
            .await
            .contains(&"opened".to_string())
    );
    assert!(
        kinds_for(&store, &recipient("USA")).await.is_empty(),
        "partner states do not decide under the default rule"
    );

    let deadline = p.state.deadline;
    // Nothing changes before the deadline (a reminder may fall due, no more).
    store
        .advance_due(&actor(), deadline - Duration::SECOND)
        .await
        .unwrap();
    assert_eq!(
        store.proposal(p.id).await.unwrap().status,
        ProposalStatus::Open
    );
    assert!(store.list_versions().await.unwrap().is_empty());

    // The server was down for a week: it catches up, dated at the deadline.
    let advanced = store
        .advance_due(&actor(), deadline + Duration::days(7))
        .await
        .unwrap();
    assert_eq!(advanced, vec![p.id]);
    let p = store.proposal(p.id).await.unwrap();
    assert_eq!(p.status, ProposalStatus::Adopted);
    assert_eq!(p.state.status, Status::Adopted { at: deadline });
    assert!(p.closed_at.is_some());
    let subject = store.subject("ACL-0001").await.unwrap();
    assert_eq!(subject.status, SubjectStatus::Listed);
    assert_eq!(subject.listed_on, Some(deadline.date()));
    assert_eq!(subject.narrative_summary, SUMMARY);

    let versions = store.list_versions().await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].version, 1);
    assert_eq!(versions[0].cause, VersionCause::Proposal);
    assert_eq!(versions[0].proposal_id, Some(p.id));
    assert_eq!(versions[0].changes.added, vec!["ACL-0001".to_string()]);
    let published = store.published_list(None).await.unwrap();
    assert_eq!(published.entries.len(), 1);
    assert_eq!(published.entries[0].narrative_summary, SUMMARY);
    assert_eq!(published.summaries()["ACL-0001"], SUMMARY);
    assert_eq!(
        published.entries[0].entry.listed_on.as_deref(),
        Some(deadline.date().to_string().as_str())
    );
    assert!(
        kinds_for(&store, &recipient("KGZ"))
            .await
            .contains(&"adopted".to_string())
    );

    // Idempotent: running again (or on another node) changes nothing.
    assert!(
        store
            .advance_due(&actor(), deadline + Duration::days(8))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.list_versions().await.unwrap().len(), 1);
    assert_eq!(actions(&store, "common_list.advance").await.len(), 2);
    assert_eq!(store.verify_audit_log().await.unwrap() as usize, {
        store
            .audit_records(&AuditQuery {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
            .len()
    });
}

async fn deadline_reminders_are_sent_once(store: Store) {
    let p = propose_listing(&store, organization("Reminder Front", "RF"), T0).await;
    let deadline = p.state.deadline;
    // The default rule reminds 3 and 1 working days before the deadline.
    let changed = store
        .advance_due(&actor(), deadline - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(changed, vec![p.id]);
    let near = |kinds: Vec<String>| kinds.iter().filter(|k| *k == "deadline_near").count();
    assert_eq!(near(kinds_for(&store, &recipient("KGZ")).await), 2);
    assert!(
        store
            .advance_due(&actor(), deadline - Duration::minutes(30))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        near(kinds_for(&store, &recipient("KGZ")).await),
        2,
        "never twice"
    );
    assert_eq!(
        store.proposal(p.id).await.unwrap().status,
        ProposalStatus::Open
    );
}

async fn a_hold_keeps_the_proposal_pending_then_lapses_into_adoption(store: Store) {
    let p = propose_listing(&store, individual("Abdulla Karim"), T0).await;
    let hold = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("KGZ"),
        Action::PlaceHold {
            reason: Some("awaiting our own review".into()),
        },
        T0 + Duration::days(1),
    )
    .await
    .unwrap();
    assert_eq!(hold.revision, 2);
    let until = hold.state.holds()[0].1.until;
    assert!(until > p.state.deadline);
    assert!(
        kinds_for(&store, &recipient("TJK"))
            .await
            .contains(&"hold_placed".to_string())
    );

    // The period ends with the hold in place: pending, not adopted.
    store
        .advance_due(&actor(), p.state.deadline + Duration::days(1))
        .await
        .unwrap();
    let pending = store.proposal(p.id).await.unwrap();
    assert_eq!(pending.status, ProposalStatus::OnHold);
    assert!(store.list_versions().await.unwrap().is_empty());
    assert_eq!(
        store.subject(&p.subject).await.unwrap().status,
        SubjectStatus::Proposed
    );

    // The hold lapses without an objection: adopted (UN 1267 practice).
    store
        .advance_due(&actor(), until + Duration::days(1))
        .await
        .unwrap();
    let adopted = store.proposal(p.id).await.unwrap();
    assert_eq!(adopted.status, ProposalStatus::Adopted);
    assert_eq!(adopted.state.status, Status::Adopted { at: until });
    assert_eq!(
        store.subject(&p.subject).await.unwrap().status,
        SubjectStatus::Listed
    );
    assert_eq!(store.list_versions().await.unwrap().len(), 1);
    let kgz = kinds_for(&store, &recipient("KGZ")).await;
    assert!(kgz.contains(&"hold_lapsed".to_string()), "{kgz:?}");
    assert!(kgz.contains(&"adopted".to_string()));
    // The states of nationality and residence of the listed individual are told.
    for state in ["UZB", "TJK"] {
        assert!(
            kinds_for(&store, &recipient(state))
                .await
                .contains(&"subject_listed_national".to_string()),
            "{state}"
        );
    }
    assert!(
        !kinds_for(&store, &recipient("PAK"))
            .await
            .contains(&"subject_listed_national".to_string())
    );
}

async fn an_objection_rejects_at_once(store: Store) {
    let p = propose_listing(&store, organization("Disputed Charity", "DC"), T0).await;
    let missing_reason = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("TJK"),
        Action::Object { reason: None },
        T0 + Duration::days(1),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(missing_reason, StoreError::Invalid(_)),
        "{missing_reason:?}"
    );
    let rejected = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("TJK"),
        Action::Object {
            reason: Some("the evidence concerns another charity".into()),
        },
        T0 + Duration::days(1),
    )
    .await
    .unwrap();
    assert_eq!(rejected.status, ProposalStatus::Rejected);
    assert!(matches!(
        rejected.state.status,
        Status::Rejected {
            why: Rejection::Objected { count: 1, .. },
            ..
        }
    ));
    assert_eq!(
        store.subject(&p.subject).await.unwrap().status,
        SubjectStatus::NotListed
    );
    assert!(store.list_versions().await.unwrap().is_empty());
    let late = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("KGZ"),
        Action::Concur,
        T0 + Duration::days(2),
    )
    .await
    .unwrap_err();
    assert_eq!(
        conflict(late),
        ProcedureError::ProposalClosed { status: "rejected" }.to_string()
    );
    // The same subject may be proposed again once the first proposal is closed.
    let again = store
        .create_proposal(
            &actor(),
            &member("KGZ"),
            NewProposal::about(ProposalKind::List, &p.subject, None, STATEMENT, SUMMARY),
            T0 + Duration::days(3),
        )
        .await
        .unwrap();
    assert_eq!(again.subject, p.subject);
}

async fn late_second_and_non_decider_votes_are_refused_and_change_nothing(store: Store) {
    let p = propose_listing(&store, organization("Some Front", "SF"), T0).await;
    let monday = T0 + Duration::days(1);
    accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("KGZ"),
        Action::Concur,
        monday,
    )
    .await
    .unwrap();
    let before = store.proposal(p.id).await.unwrap();
    assert_eq!(before.revision, 2);

    let second = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("KGZ"),
        Action::Concur,
        monday,
    )
    .await
    .unwrap_err();
    assert_eq!(
        conflict(second),
        ProcedureError::AlreadyDecided {
            member: accord_procedure::code("KGZ"),
            position: "concurred"
        }
        .to_string()
    );
    let outsider = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("USA"),
        Action::Concur,
        monday,
    )
    .await
    .unwrap_err();
    assert_eq!(
        conflict(outsider),
        ProcedureError::NotADecider {
            member: accord_procedure::code("USA")
        }
        .to_string()
    );
    let secretariat = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &secretariat(),
        Action::Concur,
        monday,
    )
    .await
    .unwrap_err();
    assert!(conflict(secretariat).contains("only a member state"));
    // After the deadline, even before the background task ran.
    let late = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("TJK"),
        Action::Object {
            reason: Some("too late".into()),
        },
        p.state.deadline + Duration::SECOND,
    )
    .await
    .unwrap_err();
    assert_eq!(
        conflict(late),
        ProcedureError::DeadlinePassed {
            deadline: p.state.deadline
        }
        .to_string()
    );
    let unknown = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        9999,
        &member("TJK"),
        Action::Concur,
        monday,
    )
    .await
    .unwrap_err();
    assert!(matches!(unknown, StoreError::NotFound(_)));

    let after = store.proposal(p.id).await.unwrap();
    assert_eq!(
        after, before,
        "refusals change nothing, not even the revision"
    );
    assert_eq!(actions(&store, "common_list.decide").await.len(), 1);
}

async fn a_proposal_on_a_pending_subject_is_refused(store: Store) {
    let p = propose_listing(&store, organization("Pending Org", "PO"), T0).await;
    let e = store
        .create_proposal(
            &actor(),
            &member("KGZ"),
            NewProposal::about(ProposalKind::List, &p.subject, None, STATEMENT, SUMMARY),
            T0 + Duration::hours(1),
        )
        .await
        .unwrap_err();
    let message = conflict(e);
    assert!(
        message.starts_with(&format!("a proposal on {} is already pending", p.subject)),
        "{message}"
    );
    assert_eq!(store.proposals(true).await.unwrap().len(), 1);

    // Once listed, a delisting proposal blocks an amendment…
    store
        .advance_due(&actor(), p.state.deadline + Duration::hours(1))
        .await
        .unwrap();
    let later = p.state.deadline + Duration::days(1);
    let delist = store
        .create_proposal(
            &actor(),
            &member("PAK"),
            NewProposal::about(
                ProposalKind::Delist,
                &p.subject,
                None,
                "no longer active",
                "Dissolved in 2025.",
            ),
            later,
        )
        .await
        .unwrap();
    let amend = store
        .create_proposal(
            &actor(),
            &member("IND"),
            NewProposal::about(
                ProposalKind::Amend,
                &p.subject,
                Some(organization("Pending Org", "PO-2")),
                STATEMENT,
                SUMMARY,
            ),
            later + Duration::hours(1),
        )
        .await
        .unwrap_err();
    assert!(conflict(amend).contains("is already pending"));
    // …but not once its deadline has passed unnoticed: the store settles it first.
    let amended = store
        .create_proposal(
            &actor(),
            &member("IND"),
            NewProposal::about(
                ProposalKind::Amend,
                &p.subject,
                Some(organization("Pending Org", "PO-2")),
                STATEMENT,
                SUMMARY,
            ),
            delist.state.deadline + Duration::hours(1),
        )
        .await
        .unwrap_err();
    // The delisting was adopted by silence, so an amendment no longer fits.
    assert!(conflict(amended).contains("is delisted"));
    assert_eq!(
        store.subject(&p.subject).await.unwrap().status,
        SubjectStatus::Delisted
    );
    // Proposers must be allowed by the rule: a partner state may not propose.
    let e = store
        .create_proposal(
            &actor(),
            &member("USA"),
            NewProposal::list(
                SubjectKind::Organization,
                organization("X", "Y"),
                STATEMENT,
                SUMMARY,
            ),
            later,
        )
        .await
        .unwrap_err();
    assert!(conflict(e).contains("may not propose"));
}

async fn ten_concurrent_decisions_are_serialized(store: Store) {
    // Regional and partner states decide: 18 deciders, so 10 concurrences
    // leave the proposal open and every one of them must be recorded.
    let rule = Rule {
        deciders: MemberSet {
            kinds: vec![MemberKind::RegionalState, MemberKind::PartnerState],
            codes: Vec::new(),
        },
        ..Rule::un_1267_default()
    };
    let mut new = NewProposal::list(
        SubjectKind::Organization,
        organization("Concurrent Org", "CO"),
        STATEMENT,
        SUMMARY,
    );
    new.rule = Some(rule);
    let p = store
        .create_proposal(&actor(), &member("KAZ"), new, T0)
        .await
        .unwrap();
    let voters = [
        "KGZ", "TJK", "UZB", "AFG", "BGD", "IND", "PAK", "LKA", "USA", "RUS",
    ];
    let mut tasks = Vec::new();
    for (i, code) in voters.into_iter().enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            accord_store::testing::record_signed_decision(
                &store,
                &actor(),
                p.id,
                &member(code),
                Action::Concur,
                T0 + Duration::minutes(i as i64),
            )
            .await
            .unwrap()
        }));
    }
    let mut revisions = BTreeSet::new();
    for t in tasks {
        revisions.insert(t.await.unwrap().revision);
    }
    assert_eq!(
        revisions,
        (2..=11).collect(),
        "each decision saw its own revision"
    );
    let p = store.proposal(p.id).await.unwrap();
    assert_eq!(p.revision, 11);
    assert_eq!(p.status, ProposalStatus::Open);
    let tally = p.state.tally();
    assert_eq!((tally.deciders, tally.concurred, tally.silent), (18, 11, 7));
    let concurred = p
        .state
        .history
        .iter()
        .filter(|r| matches!(r.what, accord_procedure::Happened::Concurred { .. }))
        .count();
    assert_eq!(concurred, 10, "no decision was lost");
    let records = actions(&store, "common_list.decide").await;
    let audited: BTreeSet<i64> = records
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(&r.details).unwrap()["revision"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(audited, (2..=11).collect(), "one audit record per revision");
    store.verify_audit_log().await.unwrap();
}

async fn versions_are_immutable_and_comparable(store: Store) {
    assert_eq!(store.current_list_version().await.unwrap(), None);
    let (a, t1) = listed(&store, organization("Alpha Front", "AF"), T0).await;
    assert_eq!(store.current_list_version().await.unwrap(), Some(1));
    let (b, t2) = listed(&store, organization("Beta Brigade", "BB"), t1).await;
    assert_eq!(store.current_list_version().await.unwrap(), Some(2));
    // Amend A: a new alias.
    let mut amended = store.subject(&a).await.unwrap().entry;
    amended.push_name(EntryName::new("Alpha Movement", NameKind::Alias));
    let amend = store
        .create_proposal(
            &actor(),
            &member("UZB"),
            NewProposal::about(
                ProposalKind::Amend,
                &a,
                Some(amended),
                STATEMENT,
                "Also known as Alpha Movement.",
            ),
            t2,
        )
        .await
        .unwrap();
    store
        .advance_due(&actor(), amend.state.deadline + Duration::hours(1))
        .await
        .unwrap();
    let t3 = amend.state.deadline + Duration::hours(2);
    let delist = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::about(
                ProposalKind::Delist,
                &b,
                None,
                "dissolved",
                "The group dissolved.",
            ),
            t3,
        )
        .await
        .unwrap();
    store
        .advance_due(&actor(), delist.state.deadline + Duration::hours(1))
        .await
        .unwrap();

    let versions = store.list_versions().await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![4, 3, 2, 1]
    );
    let counts: Vec<i64> = versions.iter().map(|v| v.entry_count).collect();
    assert_eq!(counts, vec![1, 2, 2, 1]);
    let v3 = &versions[1];
    assert_eq!(v3.changes.changed.len(), 1);
    assert_eq!(v3.changes.changed[0].reference, a);
    assert!(v3.changes.changed[0].fields.contains(&"names".to_string()));
    assert!(
        v3.changes.changed[0]
            .fields
            .contains(&"narrative_summary".to_string())
    );

    let d = store.compare_versions(1, 4).await.unwrap();
    assert!(d.added.is_empty() && d.removed.is_empty());
    assert_eq!(d.changed[0].reference, a);
    let d = store.compare_versions(2, 4).await.unwrap();
    assert_eq!(d.removed, vec![b.clone()]);
    let d = store.compare_versions(4, 2).await.unwrap();
    assert_eq!(d.added, vec![b.clone()], "either direction");
    let d = store.compare_versions(0, 2).await.unwrap();
    assert_eq!(d.added, vec![a.clone(), b.clone()]);
    assert!(matches!(
        store.compare_versions(1, 9).await,
        Err(StoreError::NotFound(_))
    ));

    // Old versions stay as they were published.
    let v1 = store.published_list(Some(1)).await.unwrap();
    assert_eq!(v1.entries.len(), 1);
    assert_eq!(v1.entries[0].entry.names.len(), 2);
    let current = store.published_list(None).await.unwrap();
    assert_eq!(current.version.version, 4);
    assert_eq!(current.entries[0].entry.names.len(), 3);
    assert_eq!(
        current.entries[0].narrative_summary,
        "Also known as Alpha Movement."
    );

    // Even with raw database access, versions cannot be changed.
    let update = sqlx::query("UPDATE list_versions SET entries = '[]'")
        .execute(store.raw_pool())
        .await;
    assert!(update.unwrap_err().to_string().contains("immutable"));
    let delete = sqlx::query("DELETE FROM list_versions")
        .execute(store.raw_pool())
        .await;
    assert!(delete.unwrap_err().to_string().contains("immutable"));
    assert_eq!(store.list_versions().await.unwrap().len(), 4);
}

async fn petitions_are_followed_by_tracking_number(store: Store) {
    let (a, _) = listed(&store, individual("Abdulla Karim"), T0).await;
    let public = Actor::system("public form");
    let tracking = store
        .create_petition(
            &public,
            &accord_store::common_list::PetitionBudget::default(),
            &NewPetition {
                subject: a.clone(),
                petitioner_name: "Law Office Example".into(),
                petitioner_contact: "counsel@example.org".into(),
                representative: true,
                grounds: "Mistaken identity: the petitioner was in prison in 2024.".into(),
            },
        )
        .await
        .unwrap()
        .into_tracking();
    assert!(tracking.tracking_number.starts_with("DP-"));
    assert_eq!(tracking.status, PetitionStatus::Received);
    // Counted as waiting for review, without reading (or auditing) anyone's data.
    let audited = actions(&store, "common_list.petition.read").await.len();
    assert_eq!(store.petitions_awaiting_review().await.unwrap(), 1);
    assert_eq!(
        actions(&store, "common_list.petition.read").await.len(),
        audited
    );
    let seen = store
        .petition_status(&format!("  {}  ", tracking.tracking_number.to_lowercase()))
        .await
        .unwrap();
    assert_eq!(seen, tracking);
    assert!(matches!(
        store
            .petition_status("DP-00000-00000-00000-00000-00000")
            .await,
        Err(StoreError::NotFound(_))
    ));
    // The public status carries no personal data.
    let json = serde_json::to_string(&seen).unwrap();
    assert!(!json.contains("counsel@example.org") && !json.contains("Law Office"));
    assert!(
        kinds_for(&store, &Recipient::Ombudsperson)
            .await
            .contains(&"petition_received".to_string())
    );

    // The ombudsperson's reads are audited.
    let ombudsperson = Actor::system("ombudsperson");
    let reads_before = actions(&store, "common_list.petition.read").await.len();
    let received = store
        .petitions(&ombudsperson, Some(PetitionStatus::Received))
        .await
        .unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].petitioner_contact, "counsel@example.org");
    let id = received[0].id;
    store.petition(&ombudsperson, id).await.unwrap();
    assert_eq!(
        actions(&store, "common_list.petition.read").await.len(),
        reads_before + 2
    );

    let reviewed = store
        .review_petition(&ombudsperson, id, "Asked KAZ for the prison records.")
        .await
        .unwrap();
    assert_eq!(reviewed.status, PetitionStatus::UnderReview);
    assert_eq!(store.petitions_awaiting_review().await.unwrap(), 1);
    let (retained, proposal) = store
        .recommend_on_petition(
            &ombudsperson,
            id,
            PetitionRecommendation::Retain,
            "The records confirm the identity.",
            "",
            None,
            T0,
        )
        .await
        .unwrap();
    assert!(proposal.is_none());
    assert_eq!(retained.status, PetitionStatus::Decided);
    assert_eq!(store.petitions_awaiting_review().await.unwrap(), 0);
    assert_eq!(retained.outcome.as_deref(), Some("listing_maintained"));
    assert!(matches!(
        store.review_petition(&ombudsperson, id, "more").await,
        Err(StoreError::Conflict(_))
    ));
    let full = store.petition(&ombudsperson, id).await.unwrap();
    assert!(full.ombudsperson_notes.contains("prison records"));
    assert!(full.ombudsperson_notes.contains("confirm the identity"));
    // Only listed subjects can be petitioned about, and fields are required.
    assert!(
        store
            .create_petition(
                &public,
                &accord_store::common_list::PetitionBudget::default(),
                &NewPetition {
                    subject: a,
                    petitioner_name: " ".into(),
                    petitioner_contact: "x".into(),
                    representative: false,
                    grounds: "y".into(),
                },
            )
            .await
            .is_err()
    );
}

async fn the_ombudsperson_asks_the_petitioner_and_the_reply_puts_it_back_under_review(
    store: Store,
) {
    let (a, _) = listed(&store, individual("Abdulla Karim"), T0).await;
    let id = petition_for(&store, &a).await;
    let ombudsperson = Actor::system("ombudsperson");
    let public = Actor::system("public status page");
    let tracking = store
        .petition(&ombudsperson, id)
        .await
        .unwrap()
        .tracking_number;

    // Nothing to reply to before a question is asked; an empty question is refused.
    assert!(matches!(
        store
            .reply_to_petition(&public, &tracking, "Here are my papers.")
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .request_petition_information(&ombudsperson, id, "  ")
            .await,
        Err(StoreError::Invalid(_))
    ));
    let question =
        "Please send a copy of your passport's data page\r\nand the prison release certificate.";
    let asked = store
        .request_petition_information(&ombudsperson, id, question)
        .await
        .unwrap();
    assert_eq!(asked.status, PetitionStatus::InformationRequested);
    // The public status shows the question (normalized to LF), nothing personal.
    let public_view = store.petition_status(&tracking).await.unwrap();
    assert_eq!(
        public_view.information_request.as_deref(),
        Some(
            "Please send a copy of your passport's data page\nand the prison release certificate."
        )
    );
    // Waiting for the petitioner: not counted as waiting for the ombudsperson,
    // and the same petition sent again is still the open one.
    assert_eq!(store.petitions_awaiting_review().await.unwrap(), 0);
    let again = store
        .create_petition(
            &Actor::system("public form"),
            &accord_store::common_list::PetitionBudget::default(),
            &NewPetition {
                subject: a.clone(),
                petitioner_name: "A. Karim".into(),
                petitioner_contact: "karim@example.org".into(),
                representative: false,
                grounds: "I was never a member.".into(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        again,
        accord_store::common_list::Filed::Existing(_)
    ));
    // Notes meanwhile keep it waiting for the petitioner.
    let noted = store
        .review_petition(&ombudsperson, id, "Called the embassy.")
        .await
        .unwrap();
    assert_eq!(noted.status, PetitionStatus::InformationRequested);

    let replied = store
        .reply_to_petition(
            &public,
            &tracking.to_lowercase(),
            "Both documents are attached to my e-mail of today.",
        )
        .await
        .unwrap();
    assert_eq!(replied.status, PetitionStatus::UnderReview);
    assert_eq!(replied.information_request, None);
    assert_eq!(store.petitions_awaiting_review().await.unwrap(), 1);
    assert!(
        kinds_for(&store, &Recipient::Ombudsperson)
            .await
            .contains(&"petition_reply".to_string())
    );
    let full = store.petition(&ombudsperson, id).await.unwrap();
    assert!(
        full.petitioner_replies
            .contains("Both documents are attached")
    );
    assert!(
        full.ombudsperson_notes
            .contains("information requested from the petitioner")
    );
    assert_eq!(full.grounds, "I was never a member.");
    // One reply per question.
    assert!(matches!(
        store
            .reply_to_petition(&public, &tracking, "And another thing.")
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .reply_to_petition(&public, "DP-00000-00000-00000-00000-00000", "x")
            .await,
        Err(StoreError::NotFound(_))
    ));
    // A decided petition can no longer be asked.
    store
        .recommend_on_petition(
            &ombudsperson,
            id,
            PetitionRecommendation::Retain,
            "The records confirm the identity.",
            "",
            None,
            T0,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .request_petition_information(&ombudsperson, id, "More?")
            .await,
        Err(StoreError::Conflict(_))
    ));
}

async fn petition_for(store: &Store, subject: &str) -> i64 {
    store
        .create_petition(
            &Actor::system("public form"),
            &accord_store::common_list::PetitionBudget::default(),
            &NewPetition {
                subject: subject.into(),
                petitioner_name: "A. Karim".into(),
                petitioner_contact: "karim@example.org".into(),
                representative: false,
                grounds: "I was never a member.".into(),
            },
        )
        .await
        .unwrap();
    store
        .petitions(&Actor::system("ombudsperson"), None)
        .await
        .unwrap()[0]
        .id
}

async fn a_delisting_recommendation_takes_effect_by_reverse_consensus(store: Store) {
    let (a, t1) = listed(&store, individual("Abdulla Karim"), T0).await;
    let id = petition_for(&store, &a).await;
    let tracking = store.petitions(&actor(), None).await.unwrap()[0]
        .tracking_number
        .clone();
    let (status, proposal) = store
        .recommend_on_petition(
            &Actor::system("ombudsperson"),
            id,
            PetitionRecommendation::Delist,
            "Comprehensive report: no link to the group since 2019.",
            "Delisted on the Ombudsperson's recommendation.",
            None,
            t1,
        )
        .await
        .unwrap();
    assert_eq!(status.status, PetitionStatus::Recommended);
    let p = proposal.unwrap();
    assert_eq!(p.kind, ProposalKind::DelistingRecommendation);
    assert_eq!(p.proposer, "ombudsperson");
    assert_eq!(p.rule, Rule::reverse_consensus_default());
    assert_eq!(p.petition_id, Some(id));
    // A second recommendation on the same petition is refused.
    assert!(
        store
            .recommend_on_petition(
                &Actor::system("ombudsperson"),
                id,
                PetitionRecommendation::Delist,
                "again",
                "again",
                None,
                t1,
            )
            .await
            .is_err()
    );
    // Some states ask to keep the listing; not all: it takes effect after 60 days.
    for state in ["KAZ", "UZB"] {
        accord_store::testing::record_signed_decision(
            &store,
            &actor(),
            p.id,
            &member(state),
            Action::Object {
                reason: Some("still a threat".into()),
            },
            t1 + Duration::days(1),
        )
        .await
        .unwrap();
    }
    assert!(
        accord_store::testing::record_signed_decision(
            &store,
            &actor(),
            p.id,
            &member("KGZ"),
            Action::PlaceHold {
                reason: Some("x".into())
            },
            t1 + Duration::days(1),
        )
        .await
        .is_err(),
        "no holds under reverse consensus"
    );
    store
        .advance_due(&actor(), p.state.deadline - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        store.subject(&a).await.unwrap().status,
        SubjectStatus::Listed
    );
    store
        .advance_due(&actor(), p.state.deadline + Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        store.proposal(p.id).await.unwrap().status,
        ProposalStatus::Adopted
    );
    let subject = store.subject(&a).await.unwrap();
    assert_eq!(subject.status, SubjectStatus::Delisted);
    assert_eq!(subject.delisted_on, Some(p.state.deadline.date()));
    let current = store.published_list(None).await.unwrap();
    assert!(current.entries.is_empty());
    assert_eq!(current.version.changes.removed, vec![a.clone()]);
    let after = store.petition_status(&tracking).await.unwrap();
    assert_eq!(after.status, PetitionStatus::Decided);
    assert_eq!(after.outcome.as_deref(), Some("delisted"));
}

async fn a_delisting_recommendation_fails_when_every_state_objects(store: Store) {
    let (a, t1) = listed(&store, organization("Kept Org", "KO"), T0).await;
    let id = petition_for(&store, &a).await;
    let (_, p) = store
        .recommend_on_petition(
            &Actor::system("ombudsperson"),
            id,
            PetitionRecommendation::Delist,
            "report",
            "summary",
            None,
            t1,
        )
        .await
        .unwrap();
    let p = p.unwrap();
    let states = [
        "AFG", "BGD", "IND", "KAZ", "KGZ", "LKA", "PAK", "TJK", "UZB",
    ];
    let mut last = None;
    for state in states {
        last = Some(
            accord_store::testing::record_signed_decision(
                &store,
                &actor(),
                p.id,
                &member(state),
                Action::Object {
                    reason: Some("keep".into()),
                },
                t1 + Duration::days(2),
            )
            .await
            .unwrap(),
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status, ProposalStatus::Rejected);
    assert!(matches!(
        last.state.status,
        Status::Rejected {
            why: Rejection::ListingMaintainedByConsensus,
            ..
        }
    ));
    assert_eq!(
        store.subject(&a).await.unwrap().status,
        SubjectStatus::Listed
    );
    assert_eq!(store.list_versions().await.unwrap().len(), 1);
    let petition = store.petition(&actor(), id).await.unwrap();
    assert_eq!(petition.status, PetitionStatus::Decided);
    assert_eq!(petition.outcome.as_deref(), Some("listing_maintained"));
}

async fn merging_is_explicit_audited_and_reversible(store: Store) {
    let (a, t1) = listed(&store, organization("Alpha Front", "AF"), T0).await;
    let (b, t2) = listed(&store, organization("Front Alpha", "FA"), t1).await;
    let names_before = store.subject(&a).await.unwrap().entry.names;
    assert!(matches!(
        store.merge_subjects(&actor(), &a, &a, "same").await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.merge_subjects(&actor(), &b, &a, " ").await,
        Err(StoreError::Invalid(_))
    ));
    let merge = store
        .merge_subjects(&actor(), &b, &a, "The same group under a reversed name")
        .await
        .unwrap();
    assert_eq!(
        (merge.from.as_str(), merge.into.as_str()),
        (b.as_str(), a.as_str())
    );
    assert_eq!(merge.added_names.len(), 2);
    assert!(
        merge
            .added_names
            .iter()
            .all(|n| n.kind != NameKind::Primary)
    );
    let into = store.subject(&a).await.unwrap();
    assert!(
        into.entry
            .names
            .iter()
            .any(|n| n.text == "Front Alpha" && n.kind == NameKind::Alias)
    );
    assert_eq!(
        store.subject(&b).await.unwrap().merged_into,
        Some(a.clone())
    );
    let published = store.published_list(None).await.unwrap();
    assert_eq!(
        published.entries.len(),
        1,
        "the merged subject is not published on its own"
    );
    assert_eq!(published.version.cause, VersionCause::Merge);
    assert_eq!(published.version.changes.removed, vec![b.clone()]);
    // A merged subject cannot be merged again or proposed about.
    assert!(matches!(
        store.merge_subjects(&actor(), &b, &a, "again").await,
        Err(StoreError::Conflict(_))
    ));
    let e = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::about(ProposalKind::Delist, &b, None, "x", "y"),
            t2,
        )
        .await
        .unwrap_err();
    assert!(conflict(e).contains("merged into"));

    let undone = store.unmerge_subjects(&actor(), merge.id).await.unwrap();
    assert!(undone.undone_at.is_some());
    assert_eq!(store.subject(&a).await.unwrap().entry.names, names_before);
    assert_eq!(store.subject(&b).await.unwrap().merged_into, None);
    let published = store.published_list(None).await.unwrap();
    assert_eq!(published.entries.len(), 2);
    assert_eq!(published.version.cause, VersionCause::Unmerge);
    assert!(matches!(
        store.unmerge_subjects(&actor(), merge.id).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.unmerge_subjects(&actor(), 999).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.merges(&a).await.unwrap().len(), 1);
    let all = store.all_merges().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, merge.id);
    assert!(
        all[0].undone_by.is_some(),
        "an undone merge stays on record"
    );
    assert_eq!(actions(&store, "common_list.merge").await.len(), 1);
    assert_eq!(actions(&store, "common_list.unmerge").await.len(), 1);

    // A subject with a proposal running cannot be merged.
    store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::about(ProposalKind::Delist, &b, None, "x", "y"),
            t2,
        )
        .await
        .unwrap();
    assert!(
        conflict(
            store
                .merge_subjects(&actor(), &b, &a, "dup")
                .await
                .unwrap_err()
        )
        .contains("proposal running")
    );
}

async fn statements_of_case_and_evidence_are_confidential_and_their_reads_audited(store: Store) {
    let bytes = vec![0x25, 0x50, 0x44, 0x46, 0x00, 0x9f, 0x92, 0x96, 0xff];
    let mut new = NewProposal::list(
        SubjectKind::Organization,
        organization("Evidence Org", "EO"),
        STATEMENT,
        SUMMARY,
    );
    new.statement_tlp = accord_core::tlp::Tlp::Red;
    new.evidence.push(NewEvidence {
        file_name: "bank-records.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: bytes.clone(),
    });
    let p = store
        .create_proposal(&actor(), &member("KAZ"), new, T0)
        .await
        .unwrap();
    assert_eq!(p.statement_tlp, accord_core::tlp::Tlp::Red);
    // The proposal as listed carries no statement of case.
    let record = serde_json::to_string(&p).unwrap();
    assert!(!record.contains("KNB-7"));

    let reader = Actor::system("kgz.admin");
    let statement = store.statement_of_case(&reader, p.id).await.unwrap();
    assert_eq!(statement.text, STATEMENT);
    assert_eq!(statement.tlp, accord_core::tlp::Tlp::Red);
    let reads = actions(&store, "common_list.statement_of_case.read").await;
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].actor, "kgz.admin");
    assert_eq!(reads[0].target, format!("proposal:{}", p.id));
    assert!(matches!(
        store.statement_of_case(&reader, 999).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        actions(&store, "common_list.statement_of_case.read")
            .await
            .len(),
        1,
        "a read of nothing is not recorded"
    );

    let files = store.evidence(p.id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].size, bytes.len() as i64);
    let (meta, content) = store.evidence_file(&reader, files[0].id).await.unwrap();
    assert_eq!(content, bytes, "binary evidence round-trips exactly");
    assert_eq!(meta.sha256.len(), 64);
    assert_eq!(actions(&store, "common_list.evidence.read").await.len(), 1);
    let extra = store
        .add_evidence(
            &reader,
            p.id,
            &NewEvidence {
                file_name: "photo.jpg".into(),
                content_type: "image/jpeg".into(),
                bytes: vec![1, 2, 3],
            },
        )
        .await
        .unwrap();
    assert_eq!(extra.size, 3);
    assert!(matches!(
        store
            .add_evidence(
                &reader,
                p.id,
                &NewEvidence {
                    file_name: "../etc/passwd".into(),
                    content_type: "text/plain".into(),
                    bytes: vec![1],
                },
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    // "photo\u{202E}gnp.exe" would display as "photoexe.png".
    match store
        .add_evidence(
            &reader,
            p.id,
            &NewEvidence {
                file_name: "photo\u{202E}gnp.exe".into(),
                content_type: "image/png".into(),
                bytes: vec![1],
            },
        )
        .await
    {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(e.errors[0].field, "evidence");
            assert_eq!(
                e.errors[0].message,
                accord_core::validation::HIDDEN_CHARACTER_MESSAGE
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.evidence(p.id).await.unwrap().len(), 2);

    // Once adopted, only the narrative summary is published.
    store
        .advance_due(&actor(), p.state.deadline + Duration::hours(1))
        .await
        .unwrap();
    let published = serde_json::to_string(&store.published_list(None).await.unwrap()).unwrap();
    assert!(published.contains(SUMMARY));
    assert!(!published.contains("KNB-7"));
    store.verify_audit_log().await.unwrap();
}

async fn entries_are_put_up_for_periodic_review(store: Store) {
    let (a, _) = listed(&store, organization("Old Org", "OO"), T0).await;
    let listed_on = store.subject(&a).await.unwrap().listed_on.unwrap();
    let almost = listed_on
        .replace_year(listed_on.year() + 3)
        .unwrap()
        .previous_day()
        .unwrap();
    assert!(
        store
            .subjects_due_for_review(almost, 3)
            .await
            .unwrap()
            .is_empty()
    );
    let due_day = almost.next_day().unwrap();
    let due = store.subjects_due_for_review(due_day, 3).await.unwrap();
    assert_eq!(
        due.iter().map(|s| s.public_id.clone()).collect::<Vec<_>>(),
        vec![a.clone()]
    );
    // A different period is configurable.
    assert_eq!(
        store
            .subjects_due_for_review(almost, 2)
            .await
            .unwrap()
            .len(),
        1
    );

    let put = store
        .put_due_subjects_up_for_review(&actor(), due_day, 3)
        .await
        .unwrap();
    assert_eq!(put, vec![a.clone()]);
    assert_eq!(
        store.subject(&a).await.unwrap().review_requested_on,
        Some(due_day)
    );
    assert!(
        kinds_for(&store, &Recipient::Secretariat)
            .await
            .contains(&"review_due".to_string())
    );
    assert!(
        kinds_for(&store, &recipient("LKA"))
            .await
            .contains(&"review_due".to_string())
    );
    assert!(
        store
            .put_due_subjects_up_for_review(&actor(), due_day, 3)
            .await
            .unwrap()
            .is_empty(),
        "once"
    );
    let reviewed = store.mark_reviewed(&actor(), &a, due_day).await.unwrap();
    assert_eq!(reviewed.last_reviewed_on, Some(due_day));
    assert_eq!(reviewed.review_requested_on, None);
    assert!(
        store
            .subjects_due_for_review(due_day, 3)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn notifications_are_listed_and_marked_read_by_each_user_of_the_member(store: Store) {
    propose_listing(&store, organization("Note Org", "NO"), T0).await;
    let kgz = recipient("KGZ");
    // Two users of one member, each with their own read state.
    let mut users = Vec::new();
    for (username, role) in [("kgz.admin", "member_admin"), ("kgz.reader", "reader")] {
        let new = accord_core::user::NewUser::parse(username, username, "KGZ", role).unwrap();
        let user = store
            .create_user(&actor(), &new, "a long enough password", false)
            .await
            .unwrap();
        users.push(user.id);
    }
    let (admin, reader) = (users[0], users[1]);
    let unread = store.unread_notifications(&kgz, admin).await.unwrap();
    assert!(unread >= 1);
    let list = store.notifications(&kgz, admin, true, 50).await.unwrap();
    assert_eq!(list.len() as i64, unread);
    let first = &list[0];
    assert_eq!(first.text_key, format!("common_list.notice.{}", first.kind));
    assert_eq!(first.subject.as_deref(), Some("ACL-0001"));
    assert_eq!(first.params["subject"], "ACL-0001");
    // Someone else's notification is not found.
    for other in ["PAK", "USA"] {
        assert!(matches!(
            store
                .mark_notification_read(&recipient(other), admin, first.id, 1)
                .await,
            Err(StoreError::NotFound(_))
        ));
    }
    store
        .mark_notification_read(&kgz, admin, first.id, 1)
        .await
        .unwrap();
    store
        .mark_notification_read(&kgz, admin, first.id, 2)
        .await
        .expect("reading twice is harmless");
    assert_eq!(
        store.unread_notifications(&kgz, admin).await.unwrap(),
        unread - 1
    );
    assert_eq!(
        store.notifications(&kgz, admin, false, 50).await.unwrap()[0].read_at,
        Some(1),
        "read when first read"
    );
    assert_eq!(
        store
            .mark_all_notifications_read(&kgz, admin, 3)
            .await
            .unwrap(),
        (unread - 1) as u64
    );
    assert_eq!(store.unread_notifications(&kgz, admin).await.unwrap(), 0);
    assert_eq!(
        store
            .notifications(&kgz, admin, false, 50)
            .await
            .unwrap()
            .len() as i64,
        unread
    );
    // The other user of the member has read nothing, and reads on their own.
    assert_eq!(
        store.unread_notifications(&kgz, reader).await.unwrap(),
        unread
    );
    assert!(
        store
            .notifications(&kgz, reader, false, 50)
            .await
            .unwrap()
            .iter()
            .all(|n| n.read_at.is_none())
    );
    store
        .mark_all_notifications_read(&kgz, reader, 4)
        .await
        .unwrap();
    assert_eq!(store.unread_notifications(&kgz, reader).await.unwrap(), 0);
    assert!(
        store
            .unread_notifications(&recipient("PAK"), admin)
            .await
            .unwrap()
            >= 1
    );
}

async fn bad_proposals_are_refused_and_change_nothing(store: Store) {
    let nameless = ListEntry::new("x", EntrySchema::Organization);
    let e = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::list(SubjectKind::Organization, nameless, STATEMENT, SUMMARY),
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let e = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::list(
                SubjectKind::Organization,
                organization("A", "B"),
                " ",
                SUMMARY,
            ),
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)));
    // A sponsor must be linked to an organization that exists.
    let mut sponsor = individual("Rich Donor");
    sponsor.links.push(EntryLink {
        relation: "sponsor_of".into(),
        target_reference: Some("ACL-0404".into()),
        target_name: None,
    });
    let e = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::list(SubjectKind::Sponsor, sponsor.clone(), STATEMENT, SUMMARY),
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    assert!(
        store.subjects(None).await.unwrap().is_empty(),
        "nothing was created"
    );
    assert!(store.proposals(false).await.unwrap().is_empty());
    assert!(matches!(
        store
            .create_proposal(
                &actor(),
                &member("KAZ"),
                NewProposal::about(ProposalKind::Delist, "ACL-0404", None, "x", "y"),
                T0,
            )
            .await,
        Err(StoreError::NotFound(_))
    ));

    // A sponsor cannot be linked to an organization that is only proposed:
    // the link (and the other subject's name) is published with the entry.
    let org = propose_listing(&store, organization("Funded Org", "FO"), T0).await;
    sponsor.links[0].target_reference = Some(org.subject.clone());
    let e = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::list(SubjectKind::Sponsor, sponsor.clone(), STATEMENT, SUMMARY),
            T0,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Invalid(i) if i.errors[0].message.contains("not on the list")),
        "{e:?}"
    );
    // Amending a subject that is not listed is refused.
    let e = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::about(
                ProposalKind::Amend,
                &org.subject,
                Some(organization("Funded Org", "FO")),
                STATEMENT,
                SUMMARY,
            ),
            T0,
        )
        .await
        .unwrap_err();
    assert!(conflict(e).contains("is proposed"));
    // Once the organization is listed, the sponsor can be proposed.
    let after = org.state.deadline + Duration::hours(1);
    store.advance_due(&actor(), after).await.unwrap();
    let s = store
        .create_proposal(
            &actor(),
            &member("KAZ"),
            NewProposal::list(SubjectKind::Sponsor, sponsor, STATEMENT, SUMMARY),
            after,
        )
        .await
        .unwrap();
    assert_eq!(s.subject, "ACL-0002");
    assert_eq!(
        store.subject("ACL-0002").await.unwrap().kind,
        SubjectKind::Sponsor
    );
}

async fn a_proposal_is_withdrawn_only_by_its_proposer_or_the_secretariat(store: Store) {
    let p = propose_listing(&store, organization("Withdrawn Org", "WO"), T0).await;
    let e = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("KGZ"),
        Action::Withdraw {
            reason: Some("Filed in error.".into()),
        },
        T0 + Duration::hours(1),
    )
    .await
    .unwrap_err();
    assert_eq!(
        conflict(e),
        ProcedureError::NotAllowedToWithdraw.to_string()
    );
    let withdrawn = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        p.id,
        &member("KAZ"),
        Action::Withdraw {
            reason: Some("Filed in error.".into()),
        },
        T0 + Duration::hours(2),
    )
    .await
    .unwrap();
    assert_eq!(withdrawn.status, ProposalStatus::Withdrawn);
    assert_eq!(
        store.subject(&p.subject).await.unwrap().status,
        SubjectStatus::NotListed
    );
    assert!(
        kinds_for(&store, &recipient("TJK"))
            .await
            .contains(&"withdrawn".to_string())
    );
    assert!(store.list_versions().await.unwrap().is_empty());
    // Nothing is left to advance.
    assert!(
        store
            .advance_due(&actor(), p.state.deadline + Duration::days(1))
            .await
            .unwrap()
            .is_empty()
    );
    // The secretariat may withdraw a stale proposal.
    let q = store
        .create_proposal(
            &actor(),
            &member("TJK"),
            NewProposal::about(ProposalKind::List, &p.subject, None, STATEMENT, SUMMARY),
            T0 + Duration::hours(3),
        )
        .await
        .unwrap();
    let by_secretariat = accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        q.id,
        &secretariat(),
        Action::Withdraw {
            reason: Some("Filed in error.".into()),
        },
        T0 + Duration::hours(4),
    )
    .await
    .unwrap();
    assert_eq!(by_secretariat.status, ProposalStatus::Withdrawn);
    store.verify_audit_log().await.unwrap();
}

async fn proposals_are_filtered_by_status_proposer_and_kind_ordered_and_paged_with_their_count(
    store: Store,
) {
    use accord_store::Window;
    use accord_store::common_list::{ProposalOrder, ProposalQuery};
    let adopted = propose_listing(&store, organization("First Front", "FF"), T0).await;
    let withdrawn = propose_listing(
        &store,
        organization("Second Front", "SF"),
        T0 + Duration::days(1),
    )
    .await;
    let open = propose_listing(
        &store,
        organization("Third Front", "TF"),
        T0 + Duration::days(2),
    )
    .await;
    let by_kgz = store
        .create_proposal(
            &actor(),
            &member("KGZ"),
            NewProposal::list(
                SubjectKind::Organization,
                organization("Fourth Front", "FO"),
                STATEMENT,
                SUMMARY,
            ),
            T0 + Duration::days(3),
        )
        .await
        .unwrap();
    store
        .advance_due(&actor(), adopted.state.deadline + Duration::minutes(1))
        .await
        .unwrap();
    accord_store::testing::record_signed_decision(
        &store,
        &actor(),
        withdrawn.id,
        &member("KAZ"),
        Action::Withdraw {
            reason: Some("Filed in error.".into()),
        },
        T0 + Duration::days(4),
    )
    .await
    .unwrap();
    let all = ProposalQuery::default();
    let [a, w, o, k] = [adopted.id, withdrawn.id, open.id, by_kgz.id];
    let q = |f: fn(&mut ProposalQuery)| {
        let mut q = all.clone();
        f(&mut q);
        q
    };
    for (why, query, expected) in [
        (
            "deadline, soonest first",
            all.clone(),
            (vec![a, w, o, k], 4),
        ),
        (
            "deadline, latest first",
            q(|q| q.descending = true),
            (vec![k, o, w, a], 4),
        ),
        (
            "newest proposed first",
            q(|q| (q.order, q.descending) = (ProposalOrder::Proposed, true)),
            (vec![k, o, w, a], 4),
        ),
        (
            "running first (by deadline), then adopted, then withdrawn",
            q(|q| q.order = ProposalOrder::Status),
            (vec![o, k, a, w], 4),
        ),
        (
            "open",
            q(|q| q.status = Some(ProposalStatus::Open)),
            (vec![o, k], 2),
        ),
        (
            "withdrawn",
            q(|q| q.status = Some(ProposalStatus::Withdrawn)),
            (vec![w], 1),
        ),
        (
            "by KGZ",
            q(|q| q.proposer = Some("KGZ".into())),
            (vec![k], 1),
        ),
        (
            "delistings",
            q(|q| q.kind = Some(ProposalKind::Delist)),
            (vec![], 0),
        ),
        (
            "KAZ's listings",
            q(|q| (q.kind, q.proposer) = (Some(ProposalKind::List), Some("KAZ".into()))),
            (vec![a, w, o], 3),
        ),
        // A page holds its rows; the count is of all that match.
        (
            "the second page of two",
            q(|q| q.window = Window::new(2, 2)),
            (vec![o, k], 4),
        ),
        (
            "past the end",
            q(|q| q.window = Window::new(2, 10)),
            (vec![], 4),
        ),
    ] {
        let page = store.proposals_matching(&query).await.unwrap();
        let ids: Vec<i64> = page.items.iter().map(|p| p.id).collect();
        assert_eq!((ids, page.total), expected, "{why}");
    }
}

async fn petitions_are_filtered_by_state_ordered_by_received_or_changed_and_paged_with_their_count(
    store: Store,
) {
    use accord_store::Window;
    use accord_store::common_list::{PetitionOrder, PetitionQuery};
    let (subject, _) = listed(&store, individual("Abdulla Karim"), T0).await;
    let mut filed = Vec::new();
    for n in 0..3 {
        store
            .create_petition(
                &Actor::system("public form"),
                &accord_store::common_list::PetitionBudget::default(),
                &NewPetition {
                    subject: subject.clone(),
                    petitioner_name: format!("Petitioner {n}"),
                    petitioner_contact: format!("p{n}@example.org"),
                    representative: false,
                    grounds: format!("Grounds {n}."),
                },
            )
            .await
            .unwrap();
        // Each a moment after the one before.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    for p in store.petitions(&actor(), None).await.unwrap() {
        filed.push(p.id);
    }
    filed.reverse();
    let [first, second, third] = [filed[0], filed[1], filed[2]];
    // The first becomes the last changed.
    store
        .review_petition(&actor(), first, "Asked for records.")
        .await
        .unwrap();
    let ombudsperson = Actor::system("ombudsperson");
    let reads = actions(&store, "common_list.petition.read").await.len();
    let all = PetitionQuery::default();
    let q = |f: fn(&mut PetitionQuery)| {
        let mut q = all.clone();
        f(&mut q);
        q
    };
    for (why, query, expected) in [
        (
            "received, oldest first",
            all.clone(),
            (vec![first, second, third], 3),
        ),
        (
            "received, newest first",
            q(|q| q.descending = true),
            (vec![third, second, first], 3),
        ),
        (
            "last changed first",
            q(|q| (q.order, q.descending) = (PetitionOrder::Changed, true)),
            (vec![first, third, second], 3),
        ),
        (
            "under review",
            q(|q| q.status = Some(PetitionStatus::UnderReview)),
            (vec![first], 1),
        ),
        (
            "the second page of the received",
            q(|q| (q.status, q.window) = (Some(PetitionStatus::Received), Window::new(1, 1))),
            (vec![third], 2),
        ),
    ] {
        let page = store
            .petitions_matching(&ombudsperson, &query)
            .await
            .unwrap();
        let ids: Vec<i64> = page.items.iter().map(|p| p.id).collect();
        assert_eq!((ids, page.total), expected, "{why}");
    }
    // Every page read is audited, as the whole queue's is.
    assert_eq!(
        actions(&store, "common_list.petition.read").await.len(),
        reads + 5
    );
}
