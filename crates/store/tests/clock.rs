//! The procedure clock on several nodes at once (issue 10): `advance_due`
//! run concurrently from two `Store`s (two connection pools, as two nodes
//! have) on one database, lease or not, does what one node does alone —
//! every deadline reminder once, every adoption once, one new list version
//! per adopted proposal. On SQLite and PostgreSQL.
//!
//! The process-level test (two `accord serve` on one PostgreSQL database,
//! the clock's lease handed over when its holder is killed) is
//! `crates/cli/tests/two_nodes.rs`.

use std::collections::BTreeMap;

use accord_core::{MemberCode, Principal};
use accord_lists::{EntryName, EntrySchema, ListEntry, NameKind};
use accord_store::common_list::{NewProposal, SubjectKind};
use accord_store::testing::TestDatabase;
use accord_store::{Actor, Backend, Store};
use sqlx::Row;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// A Monday.
const T0: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);
const PROPOSALS: usize = 5;

/// What the clock left behind, comparable between runs.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    /// proposal → list versions it made
    versions: BTreeMap<i64, i64>,
    /// proposal → advances in the audit log
    advances: BTreeMap<i64, i64>,
    /// (proposal, recipient, kind, text, params) → how many times sent
    notifications: BTreeMap<(i64, String, String, String, String), i64>,
}

async fn open(url: &str) -> Store {
    Store::open(url).await.expect("open the database")
}

async fn propose_all(store: &Store) -> Vec<i64> {
    store.seed_members().await.unwrap();
    let kaz = Principal::member_user(
        1,
        "admin",
        MemberCode::parse("KAZ").unwrap(),
        accord_core::MemberKind::RegionalState,
        accord_core::Role::MemberAdmin,
    );
    let mut ids = Vec::new();
    for i in 0..PROPOSALS {
        let mut e = ListEntry::new("draft", EntrySchema::Organization);
        e.push_name(EntryName::new(
            format!("Clock Test Org {i}"),
            NameKind::Primary,
        ));
        let p = store
            .create_proposal(
                &Actor::system("test"),
                &kaz,
                NewProposal::list(SubjectKind::Organization, e, "case", "Reasons."),
                T0 + Duration::minutes(i as i64),
            )
            .await
            .unwrap();
        ids.push(p.id);
    }
    ids
}

/// The instants the clock ticks at: reminders before the deadline, the
/// deadline passed, and a late catch-up.
fn ticks(deadline: OffsetDateTime) -> Vec<OffsetDateTime> {
    vec![
        deadline - Duration::days(3),
        deadline - Duration::days(1),
        deadline - Duration::hours(1),
        deadline + Duration::minutes(10),
        deadline + Duration::days(2),
    ]
}

async fn outcome(store: &Store) -> Outcome {
    let pool = store.raw_pool();
    let pairs = |sql: &'static str| async move {
        sqlx::query(sql)
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get::<i64, _>(0), r.get::<i64, _>(1)))
            .collect::<BTreeMap<_, _>>()
    };
    let versions = pairs(
        "SELECT proposal_id, COUNT(*) FROM list_versions WHERE proposal_id IS NOT NULL GROUP BY proposal_id",
    )
    .await;
    let advances = pairs(
        "SELECT p.id, COUNT(a.seq) FROM list_proposals p LEFT JOIN audit_log a \
         ON a.action = 'common_list.advance' AND a.target = 'proposal:' || CAST(p.id AS TEXT) \
         GROUP BY p.id",
    )
    .await;
    let notifications = sqlx::query(
        "SELECT proposal_id, recipient, kind, text_key, params, COUNT(*) FROM notifications \
         WHERE proposal_id IS NOT NULL GROUP BY proposal_id, recipient, kind, text_key, params",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            (
                r.get::<i64, _>(0),
                r.get::<String, _>(1),
                r.get::<String, _>(2),
                r.get::<String, _>(3),
                r.get::<String, _>(4),
            ),
            r.get::<i64, _>(5),
        )
    })
    .collect();
    Outcome {
        versions,
        advances,
        notifications,
    }
}

async fn run(backend: Backend, _: fn()) {
    let (Some(alone), Some(shared)) = (
        TestDatabase::new(backend).await,
        TestDatabase::new(backend).await,
    ) else {
        return;
    };
    let actor = Actor::system("procedure");

    // One node alone: the reference.
    let one = open(&alone.url).await;
    let ids = propose_all(&one).await;
    let deadline = one.proposal(ids[0]).await.unwrap().state.deadline;
    for now in ticks(deadline) {
        one.advance_due(&actor, now).await.unwrap();
    }
    let expected = outcome(&one).await;
    one.close().await;
    assert_eq!(expected.versions.len(), PROPOSALS, "{expected:?}");
    assert!(
        expected.notifications.values().all(|n| *n == 1),
        "{expected:?}"
    );
    assert!(
        expected
            .notifications
            .keys()
            .any(|(_, _, kind, _, _)| kind == "deadline_near"),
        "the ticks cover deadline reminders: {expected:?}"
    );

    // Two nodes racing on every tick, each twice.
    let (a, b) = (open(&shared.url).await, open(&shared.url).await);
    assert_eq!(propose_all(&a).await, ids);
    for now in ticks(deadline) {
        let (x, y, z, w) = tokio::join!(
            a.advance_due(&actor, now),
            b.advance_due(&actor, now),
            a.advance_due(&actor, now),
            b.advance_due(&actor, now),
        );
        let mut changed: Vec<i64> = [x, y, z, w].into_iter().flat_map(|r| r.unwrap()).collect();
        let all = changed.len();
        changed.sort();
        changed.dedup();
        assert_eq!(all, changed.len(), "a proposal was advanced twice at {now}");
    }
    let got = outcome(&a).await;
    a.close().await;
    b.close().await;
    assert_eq!(got, expected, "two nodes did what one does");
    alone.drop_database().await;
    shared.drop_database().await;
}

accord_store::on_both_backends!(|backend, test| super::run(backend, test).await;
    two_nodes_advancing_at_once_remind_and_adopt_once);

fn two_nodes_advancing_at_once_remind_and_adopt_once() {}
