//! Backup and restore (issue 10): `accord backup` of a running SQLite
//! server under concurrent API writes, `accord restore` into a fresh
//! database, the two compared table by table and row by row, and the
//! restored database's audit chain verified; and every refusal of
//! `accord restore` (a target in use, a damaged file, a file that is no
//! Accord database, a newer schema, PostgreSQL).

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};
use support::{Dir, Http, accord, err, out};

async fn open_read_only(path: &Path) -> SqliteConnection {
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// Every table of an SQLite database (from `sqlite_master`) with its rows,
/// each row as the SQL literals of its columns (`quote()`), sorted.
async fn dump(path: &Path) -> Vec<(String, Vec<String>)> {
    let mut c = open_read_only(path).await;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut c)
            .await
            .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(&t)
            .fetch_all(&mut c)
            .await
            .unwrap();
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let mut rows: Vec<String> =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {row} FROM \"{t}\"")))
                .fetch_all(&mut c)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
        rows.sort();
        out.push((t, rows));
    }
    c.close().await.ok();
    out
}

async fn focal_point_names(path: &Path) -> BTreeSet<String> {
    let mut c = open_read_only(path).await;
    let names = sqlx::query_scalar("SELECT name FROM focal_points")
        .fetch_all(&mut c)
        .await
        .unwrap()
        .into_iter()
        .collect();
    c.close().await.ok();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_writes_restores_row_for_row_and_verifies() {
    let dir = Dir::new("backup-restore");
    let url = dir.sqlite("live/accord.db");
    std::fs::create_dir_all(dir.0.join("live")).unwrap();
    let key = dir.path("signing.key");
    let backup = dir.0.join("backup.db");
    let restored_url = dir.sqlite("restored/accord.db");
    std::fs::create_dir_all(dir.0.join("restored")).unwrap();

    let o = accord(&["migrate", "--database", &url]);
    assert!(o.status.success(), "{}", err(&o));
    support::add_user(&url, "kaz.admin", "KAZ", "member-admin");
    let token = support::token(&url, "kaz.admin", &["read", "write"]);
    let server = support::serve(&url, &["--no-bundled-lists", "--signing-key", &key]).unwrap();

    // Writers: focal points and library items, as fast as they are answered.
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(BTreeSet::<String>::new()));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (addr, token, stop, acked) =
                (server.addr.clone(), token.clone(), stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let http = Http::default();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let name = format!("Backup Focal {w} {n}");
                    let (s, body) = http
                        .call(
                            "POST",
                            &addr,
                            "/api/members/KAZ/focal-points",
                            &token,
                            Some(&json!({ "name": name })),
                        )
                        .unwrap();
                    assert_eq!(s, 201, "{body}");
                    acked.lock().unwrap().insert(name);
                    if w == 0 {
                        let item = json!({
                            "kind": "research", "marking": "GREEN", "distribution": "platform",
                            "versions": [{"lang": "en", "title": format!("Backup Item {n}"), "summary": "S.", "body": "B."}],
                            "countries": ["KAZ"], "themes": ["prisons"], "published": "2026-06-01",
                        });
                        let (s, body) = http
                            .call("POST", &addr, "/api/library/items", &token, Some(&item))
                            .unwrap();
                        assert_eq!(s, 201, "{body}");
                    }
                }
                n
            })
        })
        .collect();
    // Let the writers get going, then back up while they write.
    while acked.lock().unwrap().len() < 30 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let before: BTreeSet<String> = acked.lock().unwrap().clone();
    let o = accord(&[
        "backup",
        "--database",
        &url,
        "--output",
        backup.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", err(&o));
    let during = acked.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let sent: u32 = writers.into_iter().map(|t| t.join().unwrap()).sum();
    let after = acked.lock().unwrap().len();
    eprintln!(
        "{} focal points acknowledged before the backup, {during} when it ended, {after} in all ({sent} sent)",
        before.len()
    );
    assert!(
        during > before.len(),
        "the writers wrote while the backup ran"
    );
    drop(server);

    // The backup holds everything acknowledged before it started: a
    // consistent snapshot, not a torn copy.
    let in_backup = focal_point_names(&backup).await;
    let missing: Vec<_> = before.difference(&in_backup).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, not in it: {missing:?}"
    );

    let o = accord(&[
        "restore",
        backup.to_str().unwrap(),
        "--database",
        &restored_url,
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("restored"), "{}", out(&o));
    let restored = dir.0.join("restored/accord.db");
    let leftovers: Vec<_> = std::fs::read_dir(dir.0.join("restored"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Table for table, row for row.
    let (a, b) = (dump(&backup).await, dump(&restored).await);
    let names = |d: &[(String, Vec<String>)]| d.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "the same tables");
    assert!(a.iter().any(|(t, _)| t == "audit_log"), "{:?}", names(&a));
    for ((table, rows), (_, restored_rows)) in a.iter().zip(&b) {
        assert_eq!(
            rows.len(),
            restored_rows.len(),
            "{table}: {} rows in the backup, {} restored",
            rows.len(),
            restored_rows.len()
        );
        if let Some((x, y)) = rows.iter().zip(restored_rows).find(|(x, y)| x != y) {
            panic!("{table}: the backup has\n  {x}\nwhere the restored copy has\n  {y}");
        }
    }
    let rows: usize = a.iter().map(|(_, r)| r.len()).sum();
    eprintln!("{} tables, {rows} rows compared", a.len());

    let o = accord(&[
        "audit",
        "verify",
        "--database",
        &restored_url,
        "--signing-key",
        &key,
    ]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    // The restored database serves (newer migrations, if any, apply).
    let again = support::serve(
        &restored_url,
        &["--no-bundled-lists", "--signing-key", &key],
    )
    .unwrap();
    let members: Value =
        serde_json::from_slice(&support::get(&again.addr, "/api/members")).unwrap();
    assert_eq!(members.as_array().map(Vec::len), Some(30), "{members}");
}

#[tokio::test]
async fn restore_refuses_a_used_target_a_damaged_or_foreign_file_a_newer_schema_and_postgres() {
    let dir = Dir::new("restore-refusals");
    let url = dir.sqlite("accord.db");
    let o = accord(&["migrate", "--database", &url]);
    assert!(o.status.success(), "{}", err(&o));
    let backup = dir.path("backup.db");
    let o = accord(&["backup", "--database", &url, "--output", &backup]);
    assert!(o.status.success(), "{}", err(&o));
    let restore = |file: &str, target: &str| accord(&["restore", file, "--database", target]);

    // Into a database that has content: refused, untouched.
    let before = std::fs::read(dir.0.join("accord.db")).unwrap();
    let o = restore(&backup, &url);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("exists and is not empty"), "{}", err(&o));
    assert_eq!(std::fs::read(dir.0.join("accord.db")).unwrap(), before);
    // An empty file is no database yet: restored into.
    std::fs::write(dir.0.join("empty.db"), b"").unwrap();
    let o = restore(&backup, &dir.sqlite("empty.db"));
    assert!(o.status.success(), "{}", err(&o));

    // A damaged index (its entries no longer match its table): the
    // integrity check names it.
    let damaged_index = dir.path("damaged-index.db");
    std::fs::copy(&backup, &damaged_index).unwrap();
    {
        let mut c = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&damaged_index)
            .connect()
            .await
            .unwrap();
        sqlx::raw_sql(
            "PRAGMA writable_schema = ON; \
             UPDATE sqlite_master SET sql = 'CREATE INDEX audit_log_at ON audit_log(actor)' \
             WHERE name = 'audit_log_at';",
        )
        .execute(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
    }
    let o = restore(&damaged_index, &dir.sqlite("from-damaged-index.db"));
    assert_eq!(o.status.code(), Some(2), "{}{}", out(&o), err(&o));
    assert!(
        err(&o).contains("integrity check failed: row 1 missing from index audit_log_at"),
        "{}",
        err(&o)
    );
    assert!(!dir.0.join("from-damaged-index.db").exists());

    // Damaged pages: the read itself fails.
    let mut bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.len() > 64 * 1024, "{} bytes", bytes.len());
    let page = 4096;
    for b in &mut bytes[8 * page..40 * page] {
        *b = 0x5a;
    }
    std::fs::write(dir.0.join("damaged.db"), &bytes).unwrap();
    let o = restore(&dir.path("damaged.db"), &dir.sqlite("from-damaged.db"));
    assert_eq!(o.status.code(), Some(2), "{}{}", out(&o), err(&o));
    assert!(err(&o).contains("cannot restore"), "{}", err(&o));
    assert!(!dir.0.join("from-damaged.db").exists());

    // Not an SQLite file; an SQLite file that is not Accord's; no file.
    std::fs::write(
        dir.0.join("notes.txt"),
        "not a database at all, just some words".repeat(200),
    )
    .unwrap();
    let o = restore(&dir.path("notes.txt"), &dir.sqlite("from-notes.db"));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("cannot restore"), "{}", err(&o));
    {
        let mut c = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.0.join("other.db"))
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }
    let o = restore(&dir.path("other.db"), &dir.sqlite("from-other.db"));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("not an Accord database"), "{}", err(&o));
    let o = restore(&dir.path("nothing.db"), &dir.sqlite("from-nothing.db"));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));

    // A backup written by a newer accord.
    let newer = dir.path("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    {
        let mut c = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&newer)
            .connect()
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
             VALUES (99999, 'future', CURRENT_TIMESTAMP, TRUE, X'00', 1)",
        )
        .execute(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
    }
    let o = restore(&newer, &dir.sqlite("from-newer.db"));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("schema version 99999"), "{}", err(&o));
    assert!(!dir.0.join("from-newer.db").exists());

    // PostgreSQL is pg_restore's job.
    let o = restore(&backup, "postgres://nobody@127.0.0.1:1/none");
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("pg_restore"), "{}", err(&o));

    // No temporary file is left anywhere.
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
