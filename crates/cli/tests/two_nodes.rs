//! Two nodes on one PostgreSQL database (issue 10): two `accord serve`
//! processes share the database, living 30 days ahead under libfaketime
//! so that the listing procedure's deadline of a proposal made now has
//! passed. The procedure clock ticks every second here with a 6-second
//! lease (`procedure_clock_seconds`, `procedure_clock_lease_seconds`; a
//! minute and three minutes by default). The test checks that
//!
//! - one node holds the clock's lease the whole time both run;
//! - the due proposal is adopted exactly once: one new version of the
//!   list, one advance in the audit log, no notification twice;
//! - when the holder is SIGKILLed, the other node takes the clock over
//!   once the lease has expired (not before), and adopts the next due
//!   proposal, again exactly once;
//! - `accord audit verify` passes.
//!
//! The row locks that make `advance_due` safe to run on several nodes at
//! once, lease or not, are tested store-level in
//! `crates/store/tests/clock.rs`.

mod support;

use std::time::{Duration, Instant};

use accord_store::common_list::{NewProposal, SubjectKind};
use accord_store::testing::TestDatabase;
use sqlx::Row;
use support::{Dir, Server};

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
/// Six ticks: a node late by a few seconds on a loaded machine keeps it.
const LEASE_MS: i64 = 6_000;

fn node(url: &str, key: &str, config: &str) -> Server {
    assert!(
        std::path::Path::new(LIBFAKETIME).exists(),
        "{LIBFAKETIME} not found: apt-get install -y faketime (scripts/test.sh setup)"
    );
    support::serve_env(
        url,
        &["--signing-key", key],
        &[
            ("ACCORD_CONFIG", config),
            ("LD_PRELOAD", LIBFAKETIME),
            ("FAKETIME", "+30d"),
            ("DONT_FAKE_MONOTONIC", "1"),
        ],
    )
    .unwrap_or_else(|e| panic!("accord serve did not start: {e}"))
}

async fn propose(store: &accord_store::Store, name: &str) -> i64 {
    let mut entry = accord_lists::ListEntry::new("draft", accord_lists::EntrySchema::Organization);
    entry.push_name(accord_lists::EntryName::new(
        name,
        accord_lists::NameKind::Primary,
    ));
    let kaz = accord_core::Principal::member_user(
        1,
        "kaz.admin",
        accord_core::MemberCode::parse("KAZ").unwrap(),
        accord_core::MemberKind::RegionalState,
        accord_core::Role::MemberAdmin,
    );
    store
        .create_proposal(
            &accord_store::Actor::system("test"),
            &kaz,
            NewProposal::list(SubjectKind::Organization, entry, "case", "Reasons."),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
        .id
}

async fn scalar(store: &accord_store::Store, sql: &str, id: i64) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(id)
        .fetch_one(store.raw_pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get(0)
        .unwrap()
}

/// Waits until the proposal has been adopted into a version of the list.
async fn adopted(store: &accord_store::Store, id: i64, within: Duration) {
    let start = Instant::now();
    while scalar(
        store,
        "SELECT COUNT(*) FROM list_versions WHERE proposal_id = $1",
        id,
    )
    .await
        == 0
    {
        assert!(
            start.elapsed() < within,
            "proposal {id} was not adopted within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Adopted once: one version, one advance, no notification twice.
async fn exactly_once(store: &accord_store::Store, id: i64) {
    assert_eq!(
        scalar(
            store,
            "SELECT COUNT(*) FROM list_versions WHERE proposal_id = $1",
            id
        )
        .await,
        1,
        "proposal {id}: list versions"
    );
    assert_eq!(
        scalar(
            store,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'common_list.advance' \
             AND target = 'proposal:' || CAST($1 AS TEXT)",
            id
        )
        .await,
        1,
        "proposal {id}: advances in the audit log"
    );
    let notified = scalar(
        store,
        "SELECT COUNT(*) FROM notifications WHERE proposal_id = $1",
        id,
    )
    .await;
    assert!(notified > 0, "proposal {id}: the states are told");
    assert_eq!(
        scalar(
            store,
            "SELECT COUNT(*) FROM (SELECT recipient, kind, text_key FROM notifications \
             WHERE proposal_id = $1 GROUP BY recipient, kind, text_key HAVING COUNT(*) > 1) twice",
            id
        )
        .await,
        0,
        "proposal {id}: a notification was sent twice"
    );
}

async fn lease(store: &accord_store::Store) -> Option<accord_store::Lease> {
    store
        .lease(accord_web::PROCEDURE_CLOCK_LEASE)
        .await
        .expect("read the lease")
}

/// The pid in a lease holder `host:pid:started`.
fn holder_pid(holder: &str) -> u32 {
    holder
        .rsplit(':')
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a holder host:pid:started, not {holder}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL (ACCORD_TEST_POSTGRES_URL); scripts/test.sh runs it"]
async fn two_nodes_adopt_a_due_proposal_once_and_hand_the_clock_over_when_one_dies() {
    let Some(db) = TestDatabase::postgres().await else {
        return;
    };
    let url = db.url.clone();
    let dir = Dir::new("two-nodes");
    let key = dir.path("signing.key");
    let config = dir.path("accord.toml");
    std::fs::write(
        &config,
        format!(
            "bundled_lists = false\nprocedure_clock_seconds = 1\nprocedure_clock_lease_seconds = {}\n",
            LEASE_MS / 1000
        ),
    )
    .unwrap();
    let t = Instant::now();
    let o = support::accord(&["migrate", "--database", &url]);
    assert!(o.status.success(), "{}", support::err(&o));
    let store = accord_store::Store::open_existing(&url).await.unwrap();

    // Both nodes up (the first creates the signing key both use).
    let a = node(&url, &key, &config);
    let b = node(&url, &key, &config);
    let pids = [a.pid(), b.pid()];
    eprintln!("two nodes up after {:.1} s", t.elapsed().as_secs_f64());
    // A proposal made now is past its deadline for the nodes: they adopt it.
    let first = propose(&store, "Two Nodes First Org").await;
    adopted(&store, first, Duration::from_secs(60)).await;
    eprintln!("first adoption after {:.1} s", t.elapsed().as_secs_f64());

    // One holder all along, while both run.
    let held = lease(&store).await.expect("a node took the clock");
    let holder = held.holder.clone();
    assert!(
        pids.contains(&holder_pid(&holder)),
        "{holder} is neither node"
    );
    for _ in 0..15 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = lease(&store).await.unwrap();
        assert_eq!(now.holder, holder, "the lease moved while both nodes ran");
    }
    exactly_once(&store, first).await;

    // The holder dies; the other takes the clock over at expiry.
    let (dead, survivor) = if holder_pid(&holder) == a.pid() {
        (a, b)
    } else {
        (b, a)
    };
    let last = lease(&store).await.unwrap();
    let killed = Instant::now();
    dead.kill();
    let taken = loop {
        let now = lease(&store).await.unwrap();
        if now.holder != last.holder {
            break now;
        }
        assert!(
            killed.elapsed() < Duration::from_millis(LEASE_MS as u64) + Duration::from_secs(30),
            "the surviving node did not take the clock over"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let took = killed.elapsed();
    assert_eq!(holder_pid(&taken.holder), survivor.pid());
    // Taken at or after the old lease's expiry, never over a live one.
    assert!(
        taken.expires_at - LEASE_MS >= last.expires_at,
        "taken at {} while the dead node's lease ran until {}",
        taken.expires_at - LEASE_MS,
        last.expires_at
    );
    eprintln!(
        "the clock was taken over {:.1} s after the kill",
        took.as_secs_f64()
    );

    // The survivor runs the procedure now.
    let second = propose(&store, "Two Nodes Second Org").await;
    adopted(&store, second, Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    exactly_once(&store, first).await;
    exactly_once(&store, second).await;
    survivor.kill();
    store.close().await;

    let o = support::accord(&["audit", "verify", "--database", &url, "--signing-key", &key]);
    assert!(
        o.status.success(),
        "{}{}",
        support::out(&o),
        support::err(&o)
    );
    db.drop_database().await;
}
