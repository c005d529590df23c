//! The Joint Plan tracker's storage, on SQLite and on PostgreSQL: rounds,
//! reports with their versions, the rules the domain enforces inside the
//! store's transactions, evidence files, reminders, strategies and the
//! secretariat's additions to the catalogue.

use accord_core::user::NewUser;
use accord_core::{MemberCode, Principal, Role};
use accord_plan::{
    CommitmentId, NewCommitment, NewFramework, NewPillar, NewRound, ReportContent, ReportInput,
    ReportStatus, RoundId, StrategyInput,
};
use accord_store::common_list::Recipient;
use accord_store::plan::NewEvidenceFile;
use accord_store::{Actor, AuditQuery, Store, StoreError};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

accord_store::on_both_backends!(|backend, test| accord_store::testing::with_fresh_store(backend, accord_store::testing::Seed::MembersAndPlan, test).await;
    a_round_is_opened_reported_on_and_submitted,
    separation_of_duties_needs_a_second_person_when_the_member_has_one,
    submitted_versions_are_immutable_and_corrections_keep_them,
    bad_reports_are_refused_and_change_nothing,
    a_stale_form_is_refused_and_concurrent_edits_are_serialized,
    a_reopened_round_takes_late_reports,
    deadline_reminders_go_once_to_members_still_behind,
    evidence_files_are_stored_cited_and_read_with_an_audit_record,
    strategies_are_registered_and_updated_with_their_revision,
    the_secretariat_extends_the_catalogue,
);

/// Before the round's deadline.
const T0: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

fn actor() -> Actor {
    Actor::system("test")
}

fn code(c: &str) -> MemberCode {
    MemberCode::parse(c).unwrap()
}

fn member_user(id: i64, member: &str, role: Role) -> Principal {
    let kind = accord_core::seed::kind_of(member).unwrap_or(accord_core::MemberKind::CivilSociety);
    Principal::member_user(id, "user", code(member), kind, role)
}

fn secretariat() -> Principal {
    Principal::platform_user(1, "secretariat", Role::SecretariatAdmin)
}

fn contributor(member: &str) -> Principal {
    member_user(2, member, Role::Contributor)
}

fn admin(member: &str) -> Principal {
    member_user(3, member, Role::MemberAdmin)
}

fn step(n: u32) -> CommitmentId {
    CommitmentId::parse(&format!("astana2015.step.{n}")).unwrap()
}

fn round_id() -> RoundId {
    RoundId::parse("2026-spring").unwrap()
}

fn content(status: &str, tlp: &str) -> ReportContent {
    ReportInput {
        status: status.into(),
        narrative: "Focal points named in every ministry.".into(),
        tlp: tlp.into(),
        ..Default::default()
    }
    .validate()
    .unwrap()
}

async fn open_round(store: &Store) {
    store
        .open_plan_round(
            &actor(),
            &secretariat(),
            &NewRound {
                id: "2026-spring",
                name: "Spring 2026",
                period_start: "2026-01-01",
                period_end: "2026-03-31",
                deadline: "2026-03-31",
                commitments: &["astana2015.step.1", "astana2015.step.2"],
                members: &["KAZ", "KGZ"],
            },
            // Opened when spring 2026 began, so the deadline is ahead.
            time::macros::datetime!(2026-01-01 09:00 UTC),
        )
        .await
        .unwrap();
}

/// A user id no account has: these tests ask what was sent, not what was read.
const NOBODY: i64 = 0;

async fn add_user(store: &Store, username: &str, member: &str, role: &str) {
    let new = NewUser::parse(username, username, member, role).unwrap();
    store
        .create_user(&actor(), &new, "a long enough password", false)
        .await
        .unwrap();
}

fn key<'a>(
    r: &'a RoundId,
    m: &'a MemberCode,
    c: &'a CommitmentId,
) -> (&'a RoundId, &'a MemberCode, &'a CommitmentId) {
    (r, m, c)
}

/// Saves a draft that must be accepted.
async fn draft(
    store: &Store,
    who: &Principal,
    key: (&RoundId, &MemberCode, &CommitmentId),
    content: ReportContent,
    at: OffsetDateTime,
) -> accord_store::plan::ReportRecord {
    store
        .save_plan_draft(&actor(), who, key, content, None, at)
        .await
        .unwrap()
}

/// Submits a report that must be accepted.
async fn submit(
    store: &Store,
    who: &Principal,
    key: (&RoundId, &MemberCode, &CommitmentId),
    at: OffsetDateTime,
) -> accord_store::plan::ReportRecord {
    store
        .submit_plan_report(&actor(), who, key, None, at)
        .await
        .unwrap()
}

async fn a_round_is_opened_reported_on_and_submitted(store: Store) {
    open_round(&store).await;
    let round = store.plan_round(&round_id()).await.unwrap().round;
    assert_eq!(round.members, [code("KAZ"), code("KGZ")]);
    assert_eq!(round.commitments, [step(1), step(2)]);
    for m in ["KAZ", "KGZ"] {
        let notes = store
            .notifications(&Recipient::Member(code(m)), NOBODY, false, 10)
            .await
            .unwrap();
        assert_eq!(notes.len(), 1, "{m} is told the round opened");
        assert_eq!(notes[0].kind, "round_opened");
        assert_eq!(notes[0].round.as_deref(), Some("2026-spring"));
    }
    let tjk = store
        .notifications(&Recipient::Member(code("TJK")), NOBODY, false, 10)
        .await
        .unwrap();
    assert!(tjk.is_empty(), "a member not asked is not told");

    let (r, kaz, s1) = (round_id(), code("KAZ"), step(1));
    let draft = store
        .save_plan_draft(
            &actor(),
            &contributor("KAZ"),
            (&r, &kaz, &s1),
            content("in_progress", "GREEN"),
            None,
            T0,
        )
        .await
        .unwrap();
    assert_eq!(draft.revision, 1);
    assert!(draft.report.draft_version().is_some());
    let submitted = store
        .submit_plan_report(&actor(), &admin("KAZ"), key(&r, &kaz, &s1), Some(1), T0)
        .await
        .unwrap();
    assert_eq!(submitted.revision, 2);
    assert!(submitted.report.latest_submitted().is_some());

    let reports = store.plan_reports(Some(&r)).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0].latest_submitted().unwrap().content.status,
        ReportStatus::InProgress
    );
    let audited = store
        .audit_records(&AuditQuery {
            action: Some("plan.report.submit".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    assert_eq!(
        audited[0].target,
        "report:2026-spring/KAZ/astana2015.step.1"
    );
}

async fn separation_of_duties_needs_a_second_person_when_the_member_has_one(store: Store) {
    open_round(&store).await;
    add_user(&store, "kaz.admin", "KAZ", "member_admin").await;
    add_user(&store, "kaz.analyst", "KAZ", "contributor").await;
    assert_eq!(store.plan_member_drafters(&code("KAZ")).await.unwrap(), 2);
    let (r, kaz, s1) = (round_id(), code("KAZ"), step(1));
    // The administrator drafts alone, then tries to submit: refused.
    draft(
        &store,
        &admin("KAZ"),
        (&r, &kaz, &s1),
        content("implemented", "GREEN"),
        T0,
    )
    .await;
    let refused = store
        .submit_plan_report(&actor(), &admin("KAZ"), key(&r, &kaz, &s1), None, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, StoreError::Conflict(m) if m.contains("separation of duties")),
        "{refused:?}"
    );
    let still = store.plan_report(&r, &kaz, &s1).await.unwrap().unwrap();
    assert!(still.report.latest().is_draft(), "nothing was submitted");
    // The contributor saves it, the administrator rewrites it: still refused,
    // since the administrator made the last change.
    for who in [contributor("KAZ"), admin("KAZ")] {
        store
            .save_plan_draft(
                &actor(),
                &who,
                (&r, &kaz, &s1),
                content("implemented", "CLEAR"),
                None,
                T0,
            )
            .await
            .unwrap();
    }
    let rewritten = store
        .submit_plan_report(&actor(), &admin("KAZ"), (&r, &kaz, &s1), None, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(&rewritten, StoreError::Conflict(m) if m.contains("separation of duties")),
        "{rewritten:?}"
    );
    // Once the contributor has saved it last, the administrator may submit.
    draft(
        &store,
        &contributor("KAZ"),
        (&r, &kaz, &s1),
        content("implemented", "GREEN"),
        T0,
    )
    .await;
    submit(&store, &admin("KAZ"), key(&r, &kaz, &s1), T0).await;
}

async fn submitted_versions_are_immutable_and_corrections_keep_them(store: Store) {
    open_round(&store).await;
    let (r, kaz, s1) = (round_id(), code("KAZ"), step(1));
    draft(
        &store,
        &contributor("KAZ"),
        (&r, &kaz, &s1),
        content("planned", "GREEN"),
        T0,
    )
    .await;
    submit(&store, &admin("KAZ"), key(&r, &kaz, &s1), T0).await;
    let edit = store
        .save_plan_draft(
            &actor(),
            &contributor("KAZ"),
            (&r, &kaz, &s1),
            content("implemented", "GREEN"),
            None,
            T0,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&edit, StoreError::Conflict(m) if m.contains("correction")),
        "{edit:?}"
    );
    let corrected = store
        .correct_plan_report(
            &actor(),
            &contributor("KAZ"),
            (&r, &kaz, &s1),
            content("implemented", "GREEN"),
            None,
            T0,
        )
        .await
        .unwrap();
    assert_eq!(corrected.report.versions().len(), 2);
    submit(&store, &admin("KAZ"), key(&r, &kaz, &s1), T0).await;
    let stored = store.plan_report(&r, &kaz, &s1).await.unwrap().unwrap();
    let v = stored.report.versions();
    assert_eq!(v.len(), 2);
    assert_eq!(
        v[0].content.status,
        ReportStatus::Planned,
        "v1 kept as submitted"
    );
    assert_eq!(v[1].content.status, ReportStatus::Implemented);
    assert_eq!(v[1].corrects, Some(1));
    assert!(v.iter().all(|v| v.submitted.is_some()));
    // Whoever writes to the database directly cannot change or remove them.
    for sql in [
        "UPDATE plan_report_versions SET doc = '{}' WHERE number = 1",
        "DELETE FROM plan_report_versions WHERE number = 1",
    ] {
        let refused = sqlx::query(sql).execute(store.raw_pool()).await;
        assert!(refused.is_err(), "{sql} was allowed");
    }
    let again = store.plan_report(&r, &kaz, &s1).await.unwrap().unwrap();
    assert_eq!(
        again.report.versions()[0].content.status,
        ReportStatus::Planned
    );
}

async fn bad_reports_are_refused_and_change_nothing(store: Store) {
    open_round(&store).await;
    let (r, kaz, s1) = (round_id(), code("KAZ"), step(1));
    let draft = |who: Principal, member: &str, commitment: CommitmentId, at: OffsetDateTime| {
        let store = store.clone();
        let member = code(member);
        async move {
            store
                .save_plan_draft(
                    &actor(),
                    &who,
                    (&round_id(), &member, &commitment),
                    content("planned", "GREEN"),
                    None,
                    at,
                )
                .await
                .unwrap_err()
        }
    };
    // A commitment outside the round.
    let outside = draft(contributor("KAZ"), "KAZ", step(5), T0).await;
    assert!(
        matches!(&outside, StoreError::Invalid(i) if i.errors[0].field == "commitment"),
        "{outside:?}"
    );
    // After the deadline.
    let late = draft(contributor("KAZ"), "KAZ", step(1), T0 + Duration::days(60)).await;
    assert!(
        matches!(&late, StoreError::Conflict(m) if m.contains("deadline")),
        "{late:?}"
    );
    // A user of another member.
    let other = draft(contributor("KGZ"), "KAZ", step(1), T0).await;
    assert!(matches!(other, StoreError::Forbidden(_)), "{other:?}");
    // A member not asked in the round.
    let not_asked = draft(contributor("TJK"), "TJK", step(1), T0).await;
    assert!(
        matches!(&not_asked, StoreError::Invalid(i) if i.errors[0].field == "member"),
        "{not_asked:?}"
    );
    // An unknown round.
    let unknown = store
        .save_plan_draft(
            &actor(),
            &contributor("KAZ"),
            (&RoundId::parse("no-such-round").unwrap(), &kaz, &s1),
            content("planned", "GREEN"),
            None,
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(unknown, StoreError::NotFound(_)), "{unknown:?}");
    // Evidence citing a file nobody uploaded.
    let mut cites = content("planned", "GREEN");
    cites
        .evidence
        .push(accord_plan::Evidence::file("evidence[0]", "x.pdf", &"ab".repeat(32), "").unwrap());
    let missing_file = store
        .save_plan_draft(
            &actor(),
            &contributor("KAZ"),
            (&r, &kaz, &s1),
            cites,
            None,
            T0,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&missing_file, StoreError::Invalid(i) if i.errors[0].field == "evidence[0].sha256"),
        "{missing_file:?}"
    );
    // Submitting what does not exist.
    let nothing = store
        .submit_plan_report(&actor(), &admin("KAZ"), key(&r, &kaz, &s1), None, T0)
        .await
        .unwrap_err();
    assert!(matches!(nothing, StoreError::Conflict(_)), "{nothing:?}");

    assert!(store.plan_reports(None).await.unwrap().is_empty());
    let written = store
        .audit_records(&AuditQuery {
            action: Some("plan.report.draft".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(written.is_empty(), "no refused write was recorded as done");
}

async fn a_stale_form_is_refused_and_concurrent_edits_are_serialized(store: Store) {
    open_round(&store).await;
    let (r, kaz, s1) = (round_id(), code("KAZ"), step(1));
    let first = store
        .save_plan_draft(
            &actor(),
            &contributor("KAZ"),
            (&r, &kaz, &s1),
            content("planned", "GREEN"),
            Some(0),
            T0,
        )
        .await
        .unwrap();
    // Ten writers who all read revision 1: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        let (r, kaz, s1) = (r.clone(), kaz.clone(), s1.clone());
        let revision = first.revision;
        tasks.push(tokio::spawn(async move {
            let mut c = content("in_progress", "GREEN");
            c.narrative = format!("writer {i}");
            store
                .save_plan_draft(
                    &actor(),
                    &contributor("KAZ"),
                    (&r, &kaz, &s1),
                    c,
                    Some(revision),
                    T0,
                )
                .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(ok, 1);
    let now = store.plan_report(&r, &kaz, &s1).await.unwrap().unwrap();
    assert_eq!(now.revision, 2);
    assert!(now.report.latest().content.narrative.starts_with("writer "));
}

async fn a_reopened_round_takes_late_reports(store: Store) {
    open_round(&store).await;
    let (r, kaz, s1) = (round_id(), code("KAZ"), step(1));
    let late = T0 + Duration::days(60);
    let refused = store
        .save_plan_draft(
            &actor(),
            &contributor("KAZ"),
            (&r, &kaz, &s1),
            content("planned", "GREEN"),
            None,
            late,
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Conflict(_)));
    let not_yours = store
        .set_plan_round_reopened(&actor(), &admin("KAZ"), &r, true)
        .await
        .unwrap_err();
    assert!(matches!(not_yours, StoreError::Forbidden(_)));
    let reopened = store
        .set_plan_round_reopened(&actor(), &secretariat(), &r, true)
        .await
        .unwrap();
    assert!(reopened.reopened);
    draft(
        &store,
        &contributor("KAZ"),
        (&r, &kaz, &s1),
        content("planned", "GREEN"),
        late,
    )
    .await;
    let kinds: Vec<String> = store
        .notifications(&Recipient::Member(kaz.clone()), NOBODY, false, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(kinds, ["round_reopened", "round_opened"]);
}

async fn deadline_reminders_go_once_to_members_still_behind(store: Store) {
    open_round(&store).await;
    let r = round_id();
    // KGZ reports on both commitments; KAZ on none.
    for s in [step(1), step(2)] {
        store
            .save_plan_draft(
                &actor(),
                &contributor("KGZ"),
                (&r, &code("KGZ"), &s),
                content("implemented", "GREEN"),
                None,
                T0,
            )
            .await
            .unwrap();
        store
            .submit_plan_report(&actor(), &admin("KGZ"), key(&r, &code("KGZ"), &s), None, T0)
            .await
            .unwrap();
    }
    // Too early: nothing.
    assert_eq!(store.remind_plan_deadlines(T0).await.unwrap(), 0);
    let near = datetime!(2026-03-30 09:00 UTC);
    assert_eq!(store.remind_plan_deadlines(near).await.unwrap(), 1);
    assert_eq!(store.remind_plan_deadlines(near).await.unwrap(), 0, "once");
    let kaz: Vec<String> = store
        .notifications(&Recipient::Member(code("KAZ")), NOBODY, false, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(kaz, ["round_deadline_near", "round_opened"]);
    let kgz = store
        .notifications(&Recipient::Member(code("KGZ")), NOBODY, false, 10)
        .await
        .unwrap();
    assert_eq!(kgz.len(), 1, "a member that has reported is not reminded");
}

async fn evidence_files_are_stored_cited_and_read_with_an_audit_record(store: Store) {
    open_round(&store).await;
    let (r, kaz, s1) = (round_id(), code("KAZ"), step(1));
    let file = NewEvidenceFile {
        file_name: "training-report.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.4 trained 120 officers".to_vec(),
    };
    let no_draft = store
        .attach_plan_evidence(
            &actor(),
            &contributor("KAZ"),
            key(&r, &kaz, &s1),
            &file,
            "Training report",
            None,
            T0,
        )
        .await
        .unwrap_err();
    assert!(matches!(no_draft, StoreError::Conflict(_)));
    draft(
        &store,
        &contributor("KAZ"),
        (&r, &kaz, &s1),
        content("implemented", "GREEN"),
        T0,
    )
    .await;
    let with_file = store
        .attach_plan_evidence(
            &actor(),
            &contributor("KAZ"),
            key(&r, &kaz, &s1),
            &file,
            "Training report",
            None,
            T0,
        )
        .await
        .unwrap();
    let accord_plan::Evidence::File { sha256, name, .. } =
        &with_file.report.latest().content.evidence[0]
    else {
        panic!("a file is cited")
    };
    assert_eq!(name, "training-report.pdf");
    let (meta, bytes) = store
        .plan_evidence_file(&actor(), &kaz, sha256)
        .await
        .unwrap();
    assert_eq!(bytes, file.bytes);
    assert_eq!(meta.content_type, "application/pdf");
    let other_member = store
        .plan_evidence_file(&actor(), &code("KGZ"), sha256)
        .await
        .unwrap_err();
    assert!(matches!(other_member, StoreError::NotFound(_)));
    let reads = store
        .audit_records(&AuditQuery {
            action: Some("plan.evidence.read".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(reads.len(), 1);
}

async fn strategies_are_registered_and_updated_with_their_revision(store: Store) {
    let input = StrategyInput {
        title: "National CVE Strategy 2026–2030".into(),
        kind: "strategy".into(),
        status: "adopted".into(),
        adopted_on: "2026-01-15".into(),
        actors: vec!["Ministry of Interior".into(), "Youth NGO network".into()],
        implements: vec!["astana2015.step.2".into()],
        url: "https://example.kz/strategy.pdf".into(),
        tlp: "CLEAR".into(),
    };
    let today = date!(2026 - 03 - 02);
    let added = store
        .add_plan_strategy(&actor(), &contributor("KAZ"), &code("KAZ"), &input, today)
        .await
        .unwrap();
    assert_eq!(added.revision, 1);
    let other = store
        .add_plan_strategy(&actor(), &contributor("KGZ"), &code("KAZ"), &input, today)
        .await
        .unwrap_err();
    assert!(matches!(other, StoreError::Forbidden(_)), "{other:?}");
    let bad = StrategyInput {
        status: "abandoned".into(),
        ..input.clone()
    };
    let refused = store
        .add_plan_strategy(&actor(), &contributor("KAZ"), &code("KAZ"), &bad, today)
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Invalid(_)));
    let review = StrategyInput {
        status: "under_review".into(),
        ..input.clone()
    };
    let updated = store
        .update_plan_strategy(&actor(), &admin("KAZ"), added.id, &review, Some(1), today)
        .await
        .unwrap();
    assert_eq!(updated.revision, 2);
    let stale = store
        .update_plan_strategy(&actor(), &admin("KAZ"), added.id, &input, Some(1), today)
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)));
    let all = store.plan_strategies().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].strategy.status.as_str(), "under_review");

    // Its document: attached by the member's people, read with an audit record.
    let pdf = NewEvidenceFile {
        file_name: "strategy-2026.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.7 National CVE Strategy".to_vec(),
    };
    let refused = store
        .attach_strategy_document(&actor(), &contributor("KGZ"), added.id, &pdf, None)
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Forbidden(_)), "{refused:?}");
    let stale = store
        .attach_strategy_document(&actor(), &admin("KAZ"), added.id, &pdf, Some(1))
        .await
        .unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(_)), "{stale:?}");
    let hidden = NewEvidenceFile {
        file_name: "strategy\u{202E}fdp.exe".into(),
        ..pdf.clone()
    };
    match store
        .attach_strategy_document(&actor(), &admin("KAZ"), added.id, &hidden, Some(2))
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(e.errors[0].field, "file"),
        other => panic!("a name that displays as strategyexe.pdf: {other:?}"),
    }
    let with_doc = store
        .attach_strategy_document(&actor(), &admin("KAZ"), added.id, &pdf, Some(2))
        .await
        .unwrap();
    assert_eq!(with_doc.revision, 3);
    assert_eq!(with_doc.documents.len(), 1);
    assert_eq!(with_doc.documents[0].file_name, "strategy-2026.pdf");
    let listed = store.plan_strategies().await.unwrap();
    assert_eq!(listed[0].documents, with_doc.documents);
    let (meta, bytes) = store
        .strategy_document(&actor(), added.id, with_doc.documents[0].id)
        .await
        .unwrap();
    assert_eq!(bytes, pdf.bytes);
    assert_eq!(meta.content_type, "application/pdf");
    let unknown = store
        .strategy_document(&actor(), added.id + 1, with_doc.documents[0].id)
        .await
        .unwrap_err();
    assert!(matches!(unknown, StoreError::NotFound(_)));
    let reads = store
        .audit_records(&AuditQuery {
            action: Some("plan.strategy.document.read".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(reads.len(), 1, "the refused read left no record");
}

async fn the_secretariat_extends_the_catalogue(store: Store) {
    let framework = NewFramework::parse(
        "dushanbe2026",
        "Dushanbe Declaration 2026",
        "Dushanbe 2026",
        "2026-02-10",
        "Dushanbe",
        "",
        "Conference outcome document",
    )
    .unwrap();
    let refused = store
        .add_plan_framework(&actor(), &admin("KAZ"), framework.clone())
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Forbidden(_)));
    store
        .add_plan_framework(&actor(), &secretariat(), framework.clone())
        .await
        .unwrap();
    let twice = store
        .add_plan_framework(&actor(), &secretariat(), framework)
        .await
        .unwrap_err();
    assert!(matches!(twice, StoreError::Conflict(_)), "{twice:?}");
    store
        .add_plan_pillar(
            &actor(),
            &secretariat(),
            NewPillar::parse("dushanbe2026", "1", "Prevention", "Prevention").unwrap(),
        )
        .await
        .unwrap();
    let commitment = NewCommitment::parse(
        "dushanbe2026.step.1",
        "dushanbe2026",
        "concrete_step",
        "To train imams in every province.",
        "dushanbe2026.pillar.1",
        "regional_states",
        "2026-12-31",
        "by the end of 2026",
        "Declaration, para. 4",
    )
    .unwrap();
    store
        .add_plan_commitment(&actor(), &secretariat(), commitment)
        .await
        .unwrap();
    let unknown_pillar = NewCommitment::parse(
        "dushanbe2026.step.2",
        "dushanbe2026",
        "concrete_step",
        "Another.",
        "dushanbe2026.pillar.9",
        "regional_states",
        "",
        "",
        "Declaration",
    )
    .unwrap();
    let e = store
        .add_plan_commitment(&actor(), &secretariat(), unknown_pillar)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e:?}");
    let catalogue = store.plan_catalogue().await.unwrap();
    let added = catalogue
        .commitment(&CommitmentId::parse("dushanbe2026.step.1").unwrap())
        .unwrap();
    assert_eq!(added.number, 1);
    assert!(!added.seeded);
    assert_eq!(
        catalogue
            .framework(&accord_plan::FrameworkId::parse("dushanbe2026").unwrap())
            .unwrap()
            .pillars
            .len(),
        1
    );
    // Seeding again leaves the additions alone.
    assert_eq!(store.seed_plan().await.unwrap(), 0);
    assert!(
        store
            .plan_catalogue()
            .await
            .unwrap()
            .commitment(&CommitmentId::parse("dushanbe2026.step.1").unwrap())
            .is_some()
    );
}
