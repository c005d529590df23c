//! The crash harness (issue 10): the built `accord serve` is killed with
//! SIGKILL at random points (a seeded RNG; the seed is printed, replay with
//! `ACCORD_CRASH_SEED`) while concurrent clients stream writes of several
//! kinds over the API — focal points, proposals to the common list and
//! states' signed decisions on them, Joint Plan report drafts and library
//! items — and restarted on the same
//! database each time. Afterwards:
//!
//! - every write that got a 2xx answer is in the database;
//! - nothing half-written is there: no proposal without its subject nor a
//!   subject without its proposal, no signed decision without its audit
//!   record nor the reverse, no library item without its current
//!   version, no report without a version, no focal point or proposal
//!   without its audit record;
//! - `accord audit verify` passes.
//!
//! 20 kills by default (`ACCORD_CRASH_KILLS` for more). On SQLite and, when
//! a server is given (`ACCORD_TEST_POSTGRES_URL`), PostgreSQL.
//!
//! What it does not prove: a SIGKILL loses the process, not the machine, so
//! writes in the operating system's page cache survive it; power loss is
//! SQLite's and PostgreSQL's own fsync discipline, not exercised here.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use accord_store::Backend;
use accord_store::testing::TestDatabase;
use serde_json::{Value, json};
use sqlx::Row;
use support::{Dir, Http, Rng, Server};

/// The report cells the draft writers keep rewriting (round `crash`, KAZ).
const REPORT_COMMITMENTS: [&str; 2] = ["astana2015.step.1", "astana2015.step.2"];

#[derive(Default)]
struct Acks {
    /// (id, name), as answered (a list: an id answered twice is a finding)
    focal_points: Vec<(i64, String)>,
    /// (id, the subject's name)
    proposals: Vec<(i64, String)>,
    /// (id, title)
    library_items: Vec<(i64, String)>,
    /// commitment → the highest draft number acknowledged
    report_drafts: BTreeMap<String, u64>,
    /// proposals KGZ's signed concurrence was acknowledged on
    decisions: Vec<i64>,
    /// Requests that got no answer (the server died under them).
    unanswered: usize,
    /// The names of the focal points among them (committed or not: either
    /// is right, the client was told nothing).
    unanswered_focal_points: Vec<String>,
    /// Answers that were not 2xx: none are expected.
    refused: Vec<String>,
}

#[derive(Clone, Copy)]
enum Writer {
    FocalPoint(usize),
    Proposal,
    Report(usize),
    Library,
    /// KGZ concurs, signed with its key, on each acknowledged proposal once.
    Decision,
}

impl Writer {
    fn request(self, tag: &str, n: u64) -> (&'static str, String, Value) {
        match self {
            Writer::FocalPoint(w) => (
                "POST",
                "/api/members/KAZ/focal-points".into(),
                json!({ "name": format!("Crash Focal {tag} {w} {n}"), "agency": "Ministry" }),
            ),
            Writer::Proposal => (
                "POST",
                "/api/proposals".into(),
                json!({
                    "subject_kind": "organization",
                    "name": format!("Crash Org {tag} {n}"),
                    "statement_of_case": "Statement of case.",
                    "narrative_summary": "Summary of reasons.",
                }),
            ),
            Writer::Report(c) => (
                "PUT",
                format!("/api/rounds/crash/reports/KAZ/{}", REPORT_COMMITMENTS[c]),
                json!({ "status": "planned", "tlp": "GREEN", "narrative": format!("crash draft {n}") }),
            ),
            Writer::Decision => unreachable!("decisions are built from the proposals"),
            Writer::Library => (
                "POST",
                "/api/library/items".into(),
                json!({
                    "kind": "research",
                    "marking": "GREEN",
                    "distribution": "platform",
                    "versions": [{"lang": "en", "title": format!("Crash Item {tag} {n}"), "summary": "A summary.", "body": "Body text."}],
                    "countries": ["KAZ"],
                    "themes": ["prisons"],
                    "published": "2026-06-01",
                }),
            ),
        }
    }

    fn acknowledge(self, acks: &mut Acks, body: &Value, sent: &Value, n: u64) {
        let id = || {
            body["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("an id in {body}"))
        };
        match self {
            Writer::FocalPoint(_) => {
                acks.focal_points
                    .push((id(), sent["name"].as_str().unwrap().to_string()));
            }
            Writer::Proposal => {
                acks.proposals
                    .push((id(), sent["name"].as_str().unwrap().to_string()));
            }
            Writer::Library => {
                acks.library_items.push((
                    id(),
                    sent["versions"][0]["title"].as_str().unwrap().to_string(),
                ));
            }
            Writer::Decision => acks.decisions.push(body["id"].as_i64().unwrap()),
            Writer::Report(c) => {
                let last = acks
                    .report_drafts
                    .entry(REPORT_COMMITMENTS[c].to_string())
                    .or_default();
                *last = (*last).max(n);
            }
        }
    }
}

struct Node {
    url: String,
    key: String,
}

impl Node {
    fn start(&self) -> Server {
        support::serve(
            &self.url,
            &["--no-bundled-lists", "--signing-key", &self.key],
        )
        .unwrap_or_else(|e| panic!("accord serve did not start: {e}"))
    }
}

fn kills() -> usize {
    std::env::var("ACCORD_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
}

async fn run(backend: Backend, _: fn()) {
    let Some(db) = TestDatabase::new(backend).await else {
        return;
    };
    let url = db.url.clone();
    let dir = Dir::new(&format!("crash-{backend:?}"));
    let node = Node {
        url: url.clone(),
        key: dir.path("signing.key"),
    };
    let o = support::accord(&["migrate", "--database", &url]);
    assert!(o.status.success(), "{}", support::err(&o));
    {
        // KGZ signs its decisions with its test key, valid since 1970.
        let store = accord_store::Store::open_existing(&url).await.unwrap();
        store
            .register_member_key(
                &accord_store::Actor::system("test"),
                &kgz(),
                &accord_store::testing::member_test_key(&kgz()).public_key(),
                time::OffsetDateTime::UNIX_EPOCH,
            )
            .await
            .unwrap();
        store.close().await;
    }
    let started = Instant::now();
    let acks = tokio::task::spawn_blocking(move || harness(node))
        .await
        .unwrap();
    eprintln!(
        "{backend:?}: {} kills in {:.1} s; acknowledged {} focal points, {} proposals, {} signed decisions, {} library items, report drafts {:?}; {} requests unanswered",
        kills(),
        started.elapsed().as_secs_f64(),
        acks.focal_points.len(),
        acks.proposals.len(),
        acks.decisions.len(),
        acks.library_items.len(),
        acks.report_drafts,
        acks.unanswered
    );
    assert!(
        acks.refused.is_empty(),
        "answers that were not 2xx: {:?}",
        acks.refused
    );
    check(&url, &acks).await;
    let o = support::accord(&[
        "audit",
        "verify",
        "--database",
        &url,
        "--signing-key",
        &dir.path("signing.key"),
    ]);
    assert!(
        o.status.success(),
        "audit verify after the crashes: {}{}",
        support::out(&o),
        support::err(&o)
    );
    db.drop_database().await;
}

/// Sets the database up, then writes and kills: what was acknowledged.
fn harness(node: Node) -> Acks {
    let url = &node.url;
    support::add_user(url, "kaz.admin", "KAZ", "member-admin");
    support::add_user(url, "kgz.admin", "KGZ", "member-admin");
    support::add_user(url, "sec", "", "secretariat-admin");
    let kaz = support::token(url, "kaz.admin", &["read", "write"]);
    let sec = support::token(url, "sec", &["read", "write"]);
    let kgz_token = support::token(url, "kgz.admin", &["read", "write"]);
    let mut rng = Rng::from_env("ACCORD_CRASH_SEED");
    let tag = format!("{:x}", rng.next() & 0xffff_ffff);

    let mut server = node.start();
    let http = Http::default();
    let deadline = (time::OffsetDateTime::now_utc() + time::Duration::days(60))
        .date()
        .to_string();
    let (status, body) = http
        .call(
            "POST",
            &server.addr,
            "/api/rounds",
            &sec,
            Some(&json!({
                "id": "crash", "name": "Crash round",
                "period_start": "2026-01-01", "period_end": "2026-12-31",
                "deadline": deadline,
                "commitments": REPORT_COMMITMENTS, "members": ["KAZ"],
            })),
        )
        .unwrap();
    assert_eq!(status, 201, "{body}");

    let addr = Arc::new(RwLock::new(server.addr.clone()));
    let stop = Arc::new(AtomicBool::new(false));
    let acks = Arc::new(Mutex::new(Acks::default()));
    let writers = [
        Writer::FocalPoint(0),
        Writer::FocalPoint(1),
        Writer::Proposal,
        Writer::Report(0),
        Writer::Report(1),
        Writer::Library,
        Writer::Decision,
    ];
    let threads: Vec<_> = writers
        .into_iter()
        .map(|w| {
            let token = match w {
                Writer::Decision => kgz_token.clone(),
                _ => kaz.clone(),
            };
            let (addr, stop, acks, tag) = (addr.clone(), stop.clone(), acks.clone(), tag.clone());
            std::thread::spawn(move || {
                let http = Http::default();
                let mut n = 0u64;
                let mut decided = 0i64;
                while !stop.load(Ordering::Relaxed) {
                    let at = addr.read().unwrap().clone();
                    if at.is_empty() {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                    n += 1;
                    let (method, path, body) = match w {
                        Writer::Decision => {
                            // The next acknowledged proposal, tried once
                            // whatever the outcome (a decision committed
                            // but unanswered may not be made twice).
                            let next = acks
                                .lock()
                                .unwrap()
                                .proposals
                                .iter()
                                .map(|(id, _)| *id)
                                .filter(|id| *id > decided)
                                .min();
                            let Some(id) = next else {
                                std::thread::sleep(Duration::from_millis(20));
                                continue;
                            };
                            decided = id;
                            signed_concurrence(id)
                        }
                        _ => w.request(&tag, n),
                    };
                    match http.call(method, &at, &path, &token, Some(&body)) {
                        Ok((s, text)) if (200..300).contains(&s) => {
                            let answer: Value = serde_json::from_str(&text)
                                .unwrap_or_else(|e| panic!("{path}: {e}: {text}"));
                            w.acknowledge(&mut acks.lock().unwrap(), &answer, &body, n);
                        }
                        Ok((s, text)) => acks
                            .lock()
                            .unwrap()
                            .refused
                            .push(format!("{method} {path}: {s} {text}")),
                        Err(_) => {
                            let mut acks = acks.lock().unwrap();
                            acks.unanswered += 1;
                            if let Writer::FocalPoint(_) = w {
                                acks.unanswered_focal_points
                                    .push(body["name"].as_str().unwrap().to_string());
                            }
                            drop(acks);
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                }
            })
        })
        .collect();

    for i in 0..kills() {
        std::thread::sleep(Duration::from_millis(rng.range(150, 1200)));
        *addr.write().unwrap() = String::new();
        server.kill();
        // Between the kill and the restart nothing may answer; the
        // restart recovers the database (SQLite's WAL, PostgreSQL's
        // aborted transactions) and must start cleanly every time.
        server = node.start();
        *addr.write().unwrap() = server.addr.clone();
        if i == 0 {
            eprintln!("restarted after the first kill");
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("a writer panicked");
    }
    server.kill();
    Arc::try_unwrap(acks)
        .ok()
        .expect("the writers are done")
        .into_inner()
        .unwrap()
}

fn kgz() -> accord_core::MemberCode {
    accord_core::MemberCode::parse("KGZ").unwrap()
}

/// KGZ's concurrence on proposal `id`, signed now with its test key.
fn signed_concurrence(id: i64) -> (&'static str, String, Value) {
    let at = time::OffsetDateTime::now_utc().unix_timestamp();
    let decision = accord_store::common_list::decision_to_sign(
        id,
        &kgz(),
        &accord_procedure::Action::Concur,
        at,
    )
    .expect("a concurrence is signed");
    let signed =
        accord_proof::Signed::sign(decision, &accord_store::testing::member_test_key(&kgz()))
            .expect("sign");
    (
        "POST",
        format!("/api/proposals/{id}/decisions"),
        json!({ "action": "concur", "at": at, "signature": signed.signature }),
    )
}

/// Every acknowledged write is there, and nothing half-written is.
async fn check(url: &str, acks: &Acks) {
    let store = accord_store::Store::open_existing(url).await.unwrap();
    let pool = store.raw_pool();
    let count = |sql: &'static str| async move {
        let n: i64 = sqlx::query(sql)
            .fetch_one(pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .try_get(0)
            .unwrap();
        n
    };

    let focal: BTreeMap<i64, String> = sqlx::query("SELECT id, name FROM focal_points")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
        .collect();
    let names: std::collections::BTreeSet<&String> = focal.values().collect();
    let committed = acks
        .unanswered_focal_points
        .iter()
        .filter(|n| names.contains(n))
        .count();
    eprintln!(
        "{committed} of {} unanswered focal point writes were committed before the kill",
        acks.unanswered_focal_points.len()
    );
    for (id, name) in &acks.focal_points {
        assert_eq!(
            focal.get(id),
            Some(name),
            "acknowledged focal point {id} ({name}) is lost"
        );
    }

    let proposals: BTreeMap<i64, String> = sqlx::query(
        "SELECT p.id, s.entry FROM list_proposals p JOIN list_subjects s ON s.id = p.subject_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
    .collect();
    for (id, name) in &acks.proposals {
        let entry = proposals
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged proposal {id} ({name}) is lost"));
        assert!(entry.contains(name.as_str()), "proposal {id}: {entry}");
    }

    let items: BTreeMap<i64, String> = sqlx::query(
        "SELECT i.id, v.doc FROM library_items i \
         JOIN library_versions v ON v.item_id = i.id AND v.number = i.latest_version",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
    .collect();
    for (id, title) in &acks.library_items {
        let doc = items
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged library item {id} ({title}) is lost"));
        assert!(doc.contains(title.as_str()), "item {id}: {doc}");
    }

    let decided: std::collections::BTreeSet<i64> = sqlx::query(
        "SELECT proposal_id FROM signed_decisions WHERE member_code = 'KGZ' AND decision = 'concur'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<i64, _>(0))
    .collect();
    for id in &acks.decisions {
        assert!(
            decided.contains(id),
            "KGZ's acknowledged concurrence on proposal {id} is lost"
        );
    }

    for (commitment, last) in &acks.report_drafts {
        let docs: Vec<String> = sqlx::query_scalar(
            "SELECT doc FROM plan_report_versions WHERE round_id = 'crash' AND member = 'KAZ' \
             AND commitment_id = $1 ORDER BY number",
        )
        .bind(commitment)
        .fetch_all(pool)
        .await
        .unwrap();
        let newest = docs
            .last()
            .and_then(|d| d.split("crash draft ").nth(1))
            .and_then(|rest| {
                rest.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse::<u64>()
                    .ok()
            })
            .unwrap_or_else(|| panic!("no draft of {commitment}: {docs:?}"));
        // Each writer waits for its answer before the next draft, so the
        // stored draft is the last acknowledged one or one sent after it.
        assert!(
            newest >= *last,
            "{commitment}: draft {last} was acknowledged, the database holds draft {newest}"
        );
    }

    // Nothing half-written.
    for (what, sql) in [
        (
            "proposals without their subject",
            "SELECT COUNT(*) FROM list_proposals p WHERE NOT EXISTS \
             (SELECT 1 FROM list_subjects s WHERE s.id = p.subject_id)",
        ),
        (
            "subjects without their proposal",
            "SELECT COUNT(*) FROM list_subjects s WHERE NOT EXISTS \
             (SELECT 1 FROM list_proposals p WHERE p.subject_id = s.id)",
        ),
        (
            "proposals without their audit record",
            "SELECT COUNT(*) FROM list_proposals p WHERE NOT EXISTS \
             (SELECT 1 FROM audit_log a WHERE a.action = 'common_list.propose' \
              AND a.target = 'proposal:' || CAST(p.id AS TEXT))",
        ),
        (
            "focal points without their audit record",
            "SELECT COUNT(*) FROM focal_points f WHERE NOT EXISTS \
             (SELECT 1 FROM audit_log a WHERE a.action = 'focal_points.add' \
              AND a.target = 'focal_point:' || CAST(f.id AS TEXT))",
        ),
        (
            "signed decisions without their audit record",
            "SELECT COUNT(*) FROM signed_decisions d WHERE NOT EXISTS \
             (SELECT 1 FROM audit_log a WHERE a.action = 'common_list.decide' \
              AND a.target = 'proposal:' || CAST(d.proposal_id AS TEXT))",
        ),
        (
            "decisions in the audit log without their signed decision",
            "SELECT COUNT(*) FROM audit_log a WHERE a.action = 'common_list.decide' AND NOT EXISTS \
             (SELECT 1 FROM signed_decisions d WHERE a.target = 'proposal:' || CAST(d.proposal_id AS TEXT))",
        ),
        (
            "library items without their current version",
            "SELECT COUNT(*) FROM library_items i WHERE NOT EXISTS \
             (SELECT 1 FROM library_versions v WHERE v.item_id = i.id AND v.number = i.latest_version)",
        ),
        (
            "reports without a version",
            "SELECT COUNT(*) FROM plan_reports r WHERE NOT EXISTS \
             (SELECT 1 FROM plan_report_versions v WHERE v.round_id = r.round_id \
              AND v.member = r.member AND v.commitment_id = r.commitment_id)",
        ),
    ] {
        assert_eq!(count(sql).await, 0, "{what}");
    }
    // The harness did write (a run that acknowledged nothing proves nothing).
    assert!(
        !acks.focal_points.is_empty()
            && !acks.proposals.is_empty()
            && !acks.library_items.is_empty()
            && !acks.decisions.is_empty()
            && acks.report_drafts.len() == REPORT_COMMITMENTS.len(),
        "too few acknowledged writes to prove anything"
    );
    store.close().await;
}

accord_store::on_both_backends!(|backend, test| super::run(backend, test).await;
    acknowledged_writes_survive_sigkill_and_nothing_half_written_is_seen);

fn acknowledged_writes_survive_sigkill_and_nothing_half_written_is_seen() {}
