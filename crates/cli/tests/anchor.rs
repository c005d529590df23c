//! The audit chain against its signed checkpoints, attacked as someone with
//! write access to the database would: `accord audit verify` on the real
//! binary, on SQLite (the attack on a copy of the file, made with `accord
//! backup`) and PostgreSQL (the attack on a database of its own).

mod support;

use accord_store::Backend;
use accord_store::testing::TestDatabase;
use sqlx::Row;
use support::*;

/// A database with audit records, a signing key and two exported
/// checkpoints: `cp1` (after three accounts were made) and `cp2` (after
/// three more). Returns the database, the folder and both checkpoints'
/// audit sequence numbers.
struct World {
    db: TestDatabase,
    dir: Dir,
    key: String,
    cp1: i64,
    cp2: i64,
}

fn add_users(url: &str, names: &[&str]) {
    for name in names {
        let o = accord(&[
            "user",
            "add",
            "--database",
            url,
            "--username",
            name,
            "--display-name",
            "N",
            "--member",
            "KAZ",
            "--role",
            "reader",
        ]);
        assert!(o.status.success(), "{}", err(&o));
    }
}

fn checkpoint(url: &str, key: &str, output: &str) -> i64 {
    let o = accord(&[
        "audit",
        "checkpoint",
        "--database",
        url,
        "--signing-key",
        key,
        "--output",
        output,
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("signed the audit chain's head"),
        "{}",
        out(&o)
    );
    let proof: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(output).unwrap()).unwrap();
    assert_eq!(proof["format"], "accord-audit-checkpoint/1");
    proof["checkpoint"]["record"]["sequence"].as_i64().unwrap()
}

async fn world(backend: Backend, name: &str) -> Option<World> {
    let db = TestDatabase::new(backend).await?;
    let dir = Dir::new(&format!("anchor-{name}"));
    let key = dir.path("signing.key");
    accord_proof::keys::load_or_create(std::path::Path::new(&key)).unwrap();
    let url = db.url.clone();
    assert!(accord(&["migrate", "--database", &url]).status.success());
    add_users(&url, &["a.one", "b.two", "c.three"]);
    let cp1 = checkpoint(&url, &key, &dir.path("cp1.json"));
    // Nothing moved but the log's own append: nothing more to sign.
    let o = accord(&[
        "audit",
        "checkpoint",
        "--database",
        &url,
        "--signing-key",
        &key,
        "--output",
        &dir.path("cp1-again.json"),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        !out(&o).contains("signed the audit chain's head"),
        "{}",
        out(&o)
    );
    add_users(&url, &["d.four", "e.five", "f.six"]);
    let cp2 = checkpoint(&url, &key, &dir.path("cp2.json"));
    assert!(cp2 > cp1 + 3, "{cp1} {cp2}");
    Some(World {
        db,
        dir,
        key,
        cp1,
        cp2,
    })
}

fn verify(url: &str, key: &str, checkpoint: Option<&str>) -> std::process::Output {
    let mut args = vec!["audit", "verify", "--database", url, "--signing-key", key];
    if let Some(c) = checkpoint {
        args.extend(["--checkpoint", c]);
    }
    accord(&args)
}

/// The database to attack: a copy made with `accord backup` for SQLite
/// (the original is checked to pass afterwards), the database itself for
/// PostgreSQL.
fn target(w: &World) -> String {
    if w.db.url.starts_with("sqlite:") {
        let copy = w.dir.path("attacked.db");
        let o = accord(&["backup", "--database", &w.db.url, "--output", &copy]);
        assert!(o.status.success(), "{}", err(&o));
        format!("sqlite://{copy}")
    } else {
        w.db.url.clone()
    }
}

async fn sql(url: &str, statements: &[String]) {
    let store = accord_store::Store::open(url).await.unwrap();
    for s in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone()))
            .execute(store.raw_pool())
            .await
            .unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    store.close().await;
}

fn drop_trigger(url: &str, name: &str, table: &str) -> String {
    if url.starts_with("sqlite:") {
        format!("DROP TRIGGER {name}")
    } else {
        format!("DROP TRIGGER {name} ON {table}")
    }
}

/// Cuts the audit chain after record `keep` and resets its head row, as
/// an attacker hiding what came after would.
async fn truncate_audit(url: &str, keep: i64) {
    sql(
        url,
        &[
            drop_trigger(url, "audit_log_no_delete", "audit_log"),
            format!("DELETE FROM audit_log WHERE seq > {keep}"),
            format!(
                "UPDATE audit_head SET seq = {keep}, last_hash = (SELECT hash FROM audit_log WHERE seq = {keep}) WHERE id = 1"
            ),
        ],
    )
    .await;
}

fn assert_broken(o: &std::process::Output, what: &str) {
    assert_eq!(o.status.code(), Some(3), "{}{}", out(o), err(o));
    assert!(err(o).contains(what), "expected {what:?}: {}", err(o));
}

async fn an_untouched_chain_matches_its_checkpoints(backend: Backend) {
    let Some(w) = world(backend, "intact").await else {
        return;
    };
    let o = verify(&w.db.url, &w.key, Some(&w.dir.path("cp1.json")));
    assert!(o.status.success(), "{}", err(&o));
    let said = out(&o);
    assert!(said.contains("the audit log is intact"), "{said}");
    assert!(said.contains("matches all 2 signed checkpoints"), "{said}");
    assert!(said.contains("extends the exported checkpoint"), "{said}");
    // The public key instead of the secret key file does as well.
    let pub_key = w.dir.path("accord.pub");
    let secret = accord_proof::keys::load(std::path::Path::new(&w.key)).unwrap();
    std::fs::write(&pub_key, secret.public_key().to_file_text()).unwrap();
    let o = accord(&["audit", "verify", "--database", &w.db.url, "-P", &pub_key]);
    assert!(o.status.success(), "{}", err(&o));
    // Without any key the checkpoints cannot be checked: said, not passed.
    let o = accord(&["audit", "verify", "--database", &w.db.url]);
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(err(&o).contains("no platform public key"), "{}", err(&o));
    // Another platform's key does not vouch for these checkpoints.
    let other = w.dir.path("other.key");
    accord_proof::keys::load_or_create(std::path::Path::new(&other)).unwrap();
    assert_broken(
        &verify(&w.db.url, &other, None),
        "the log's newest signed head",
    );
    w.db.drop_database().await;
}

async fn a_truncated_chain_fails_against_the_logged_checkpoint(backend: Backend) {
    let Some(w) = world(backend, "truncated").await else {
        return;
    };
    let url = target(&w);
    // Keep the chain up to just past the first checkpoint: the second is
    // of a record that is gone.
    truncate_audit(&url, w.cp1 + 1).await;
    // The links that are left are intact: only the checkpoint tells.
    let o = verify(&url, &w.key, None);
    assert_broken(
        &o,
        &format!(
            "the audit chain ends at record {}, before the signed checkpoint's record {}: it was truncated",
            w.cp1 + 1,
            w.cp2
        ),
    );
    if url != w.db.url {
        assert!(verify(&w.db.url, &w.key, None).status.success());
    }
    w.db.drop_database().await;
}

async fn a_chain_and_log_cut_together_fail_only_against_an_exported_checkpoint(backend: Backend) {
    let Some(w) = world(backend, "cut-both").await else {
        return;
    };
    let url = target(&w);
    truncate_audit(&url, w.cp1 + 1).await;
    // The attacker also cuts the transparency log back to the first
    // checkpoint and its head (entry 0, head of size 1).
    sql(
        &url,
        &[
            drop_trigger(
                &url,
                "transparency_entries_no_delete",
                "transparency_entries",
            ),
            drop_trigger(&url, "transparency_heads_no_delete", "transparency_heads"),
            "DELETE FROM transparency_entries WHERE sequence > 0".into(),
            "DELETE FROM transparency_heads WHERE size > 1".into(),
        ],
    )
    .await;
    // What the database holds is consistent again: this is the limit of
    // checking a database against itself.
    let o = verify(&url, &w.key, None);
    assert!(o.status.success(), "{}", err(&o));
    // The checkpoint exported before the cut and kept elsewhere is not.
    let o = verify(&url, &w.key, Some(&w.dir.path("cp2.json")));
    assert_broken(&o, "the exported checkpoint");
    assert_broken(&o, "it was truncated");
    w.db.drop_database().await;
}

async fn a_rewritten_chain_fails_against_the_logged_checkpoint(backend: Backend) {
    let Some(w) = world(backend, "rewritten").await else {
        return;
    };
    let url = target(&w);
    // Change one record before the first checkpoint and rehash the chain
    // from there, so that every link checks out again.
    let target_seq = w.cp1 - 1;
    let store = accord_store::Store::open(&url).await.unwrap();
    let rows = sqlx::query(
        "SELECT seq, at, actor_id, actor, action, target, outcome, ip, details, prev_hash, hash \
         FROM audit_log WHERE seq >= $1 ORDER BY seq",
    )
    .bind(target_seq)
    .fetch_all(store.raw_pool())
    .await
    .unwrap();
    let mut prev: String = rows[0].get("prev_hash");
    let mut statements = vec![drop_trigger(&url, "audit_log_no_update", "audit_log")];
    for r in &rows {
        let seq: i64 = r.get("seq");
        let mut record = accord_core::audit::AuditRecord {
            seq,
            at_ms: r.get("at"),
            actor_id: r.get("actor_id"),
            actor: r.get("actor"),
            action: r.get("action"),
            target: r.get("target"),
            outcome: r.get("outcome"),
            ip: r.get("ip"),
            details: r.get("details"),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        if seq == target_seq {
            record.actor = "someone-else".into();
        }
        record.hash = accord_core::audit::record_hash(&record);
        statements.push(format!(
            "UPDATE audit_log SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {seq}",
            record.actor, record.prev_hash, record.hash
        ));
        prev = record.hash;
    }
    statements.push(format!(
        "UPDATE audit_head SET last_hash = '{prev}' WHERE id = 1"
    ));
    store.close().await;
    sql(&url, &statements).await;
    let o = verify(&url, &w.key, None);
    assert_broken(&o, "not the signed checkpoint's");
    assert_broken(&o, "the chain was rewritten");
    w.db.drop_database().await;
}

async fn run(backend: Backend, test: impl AsyncFnOnce(Backend)) {
    test(backend).await;
}

accord_store::on_both_backends!(|backend, test| super::run(backend, test).await;
    an_untouched_chain_matches_its_checkpoints,
    a_truncated_chain_fails_against_the_logged_checkpoint,
    a_chain_and_log_cut_together_fail_only_against_an_exported_checkpoint,
    a_rewritten_chain_fails_against_the_logged_checkpoint,
);

/// The server's procedure clock anchors the chain on its own (its first
/// tick is at start), unless `audit_anchor_minutes = 0`.
#[test]
fn the_server_anchors_the_chain_on_its_schedule() {
    for minutes in [5, 0] {
        let dir = Dir::new(&format!("schedule-{minutes}"));
        let url = dir.sqlite("accord.db");
        let config = dir.path("accord.toml");
        std::fs::write(&config, format!("audit_anchor_minutes = {minutes}\n")).unwrap();
        assert!(accord(&["migrate", "--database", &url]).status.success());
        add_users(&url, &["a.one"]);
        let s = serve(&url, &["--config", &config, "--no-bundled-lists"]).unwrap();
        let mut status = String::new();
        for _ in 0..30 {
            status = get_status(&s.addr, "/api/transparency/audit-checkpoint").0;
            if status.contains(" 200 ") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        drop(s);
        let o = accord(&["audit", "verify", "--database", &url]);
        assert!(o.status.success(), "{}", err(&o));
        if minutes == 0 {
            assert!(status.contains(" 404 "), "{status}");
            assert!(out(&o).contains("no signed checkpoint"), "{}", out(&o));
        } else {
            assert!(status.contains(" 200 "), "{status}");
            assert!(
                out(&o).contains("matches all 1 signed checkpoints"),
                "{}",
                out(&o)
            );
        }
    }
}
