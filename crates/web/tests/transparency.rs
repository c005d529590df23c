//! The proof of the common list over HTTP (docs/proof.md): after a listing
//! is adopted, the key, head, proofs, bundle and signatures answer; what
//! they serve verifies with `accord_proof` and with Debian's `minisign`; a
//! byte changed in a published version makes verification fail; the log's
//! tables refuse UPDATE and DELETE.

mod support;

use accord_proof::{Check, ProofBundle, PublicKey, SignedTreeHead, verify_bundle};
use accord_store::common_list::SubjectKind;
use reqwest::StatusCode;
use serde_json::Value;
use support::*;

on_both_backends!(
    the_proof_of_an_adopted_version_answers_and_verifies,
    each_export_signature_covers_exactly_the_served_bytes,
    a_byte_changed_in_a_published_version_fails_verification,
    the_log_tables_refuse_update_and_delete,
    nothing_is_logged_twice_and_the_log_only_grows,
    a_version_adopted_with_signed_decisions_proves_which_states_decided,
    a_refused_signature_is_shown_on_the_form_in_the_readers_language_with_the_input_kept,
    the_audit_chain_is_anchored_when_it_moved_and_the_interval_passed,
    after_a_rotation_only_the_new_key_appends,
);

async fn a_refused_signature_is_shown_on_the_form_in_the_readers_language_with_the_input_kept(
    app: &TestApp,
) {
    let proposer = accord_core::Principal::member_user(
        1,
        "kaz.admin",
        accord_core::MemberCode::parse("KAZ").unwrap(),
        accord_core::MemberKind::RegionalState,
        accord_core::Role::MemberAdmin,
    );
    let mut proposals = Vec::new();
    for name in ["Page Front", "Other Page Front"] {
        let mut entry =
            accord_lists::ListEntry::new("draft", accord_lists::EntrySchema::Organization);
        entry.push_name(accord_lists::EntryName::new(
            name,
            accord_lists::NameKind::Primary,
        ));
        let p = app
            .store
            .create_proposal(
                &accord_store::Actor::system("test"),
                &proposer,
                accord_store::common_list::NewProposal::list(
                    SubjectKind::Organization,
                    entry,
                    "Confidential.",
                    "Claimed attacks.",
                ),
                time::OffsetDateTime::now_utc(),
            )
            .await
            .unwrap();
        proposals.push(p.id);
    }
    let (id, other) = (proposals[0], proposals[1]);
    // A state without a key is told so where it decides.
    let kgz = app.sign_in("kgz.admin").await;
    let page = app
        .get(&kgz, &format!("/proposals/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("no registered signing key"), "{page}");

    // Kyrgyzstan's key signs a decision on the other proposal.
    let (at, wrong) = sign_decision(app, "KGZ", other, "concur", "").await;
    let at = at.to_string();
    let r = app
        .post_form(
            &kgz,
            &format!("/proposals/{id}/decide?lang=ru"),
            &[
                ("action", "concur"),
                ("reason", ""),
                ("at", &at),
                ("signature", &wrong),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Подпись не соответствует этому решению"),
        "{html}"
    );
    let kept = wrong.lines().nth(1).unwrap();
    assert!(html.contains(kept), "the pasted signature is kept");
    assert!(app.store.signed_decisions(None).await.unwrap().is_empty());
    assert_eq!(
        app.store.proposal(id).await.unwrap().revision,
        1,
        "nothing changed"
    );
    // An unreadable signature, in English.
    let r = app
        .post_form(
            &kgz,
            &format!("/proposals/{id}/decide?lang=en"),
            &[
                ("action", "concur"),
                ("reason", ""),
                ("at", &at),
                ("signature", "garbage"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("The signature cannot be read")
    );
}

async fn a_version_adopted_with_signed_decisions_proves_which_states_decided(app: &TestApp) {
    use accord_proof::SecretKey;
    use serde_json::json;
    // Kyrgyzstan's administrator registers the state's key; nobody else may.
    let kgz_key = SecretKey::generate();
    let public = kgz_key.public_key().to_file_text();
    // A signing key is a credential: registered by a person signed in (no
    // API token registers one).
    let kgz = app.sign_in("kgz.admin").await;
    let kaz = app.sign_in("kaz.admin").await;
    let secretariat = app.sign_in("sec").await;
    // Deciding is a write a state's system may make with its token.
    let kgz_token = app.api_token("kgz.admin").await;
    let register = async |b: &Browser, body: Value| {
        api_as(
            app,
            b,
            reqwest::Method::POST,
            "/api/members/KGZ/keys",
            Some(&body),
        )
        .await
    };
    for other in [&kaz, &secretariat] {
        let (status, _) = register(other, json!({ "public_key": public })).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "only the state's own administrators"
        );
    }
    let (status, body) = register(&kgz, json!({ "public_key": "not a key" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "public_key", "{body}");
    let (status, body) = register(&kgz, json!({ "public_key": public })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["key_id"], kgz_key.key_id.to_string());
    let (status, _) = register(&kgz, json!({ "public_key": public })).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a key is registered once"
    );
    let page = text(app, "/members/KGZ").await;
    assert!(
        page.contains(&kgz_key.key_id.to_string()),
        "the key is on the member's page"
    );
    let (_, keys) = api(
        app,
        None,
        reqwest::Method::GET,
        "/api/members/KGZ/keys",
        None,
    )
    .await;
    assert_eq!(keys.as_array().map(Vec::len), Some(1), "public: {keys}");

    // A proposal, Kyrgyzstan's signed concurrence, then silence adopts it.
    let proposer = accord_core::Principal::member_user(
        1,
        "kaz.admin",
        accord_core::MemberCode::parse("KAZ").unwrap(),
        accord_core::MemberKind::RegionalState,
        accord_core::Role::MemberAdmin,
    );
    let mut entry = accord_lists::ListEntry::new("draft", accord_lists::EntrySchema::Organization);
    entry.push_name(accord_lists::EntryName::new(
        "Signed Front",
        accord_lists::NameKind::Primary,
    ));
    let p = app
        .store
        .create_proposal(
            &accord_store::Actor::system("test"),
            &proposer,
            accord_store::common_list::NewProposal::list(
                SubjectKind::Organization,
                entry,
                "Confidential.",
                "Claimed attacks.",
            ),
            time::OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    let to_sign = app
        .http
        .get(app.at(&format!(
            "/api/proposals/{}/decision-to-sign?action=concur",
            p.id
        )))
        .bearer_auth(&kgz_token)
        .send()
        .await
        .unwrap();
    assert_eq!(to_sign.status(), StatusCode::OK);
    assert!(
        to_sign.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let to_sign = to_sign.bytes().await.unwrap();
    let parsed: Value = serde_json::from_slice(&to_sign).unwrap();
    assert_eq!(parsed["kind"], "accord.decision.v1");
    assert_eq!(parsed["record"]["member"], "KGZ");
    let at = parsed["record"]["at"].as_i64().unwrap();
    let decide = format!("/api/proposals/{}/decisions", p.id);
    // Signed with another key: refused, nothing recorded.
    let stranger = SecretKey::generate().sign(&to_sign, "x").unwrap().to_text();
    let (status, body) = api(
        app,
        Some(&kgz_token),
        reqwest::Method::POST,
        &decide,
        Some(&json!({ "action": "concur", "at": at, "signature": stranger })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        app.store
            .signed_decisions(Some(p.id))
            .await
            .unwrap()
            .is_empty()
    );
    let signature = kgz_key
        .sign(&to_sign, "timestamp:0\tfile:decision.json")
        .unwrap()
        .to_text();
    let (status, body) = api(
        app,
        Some(&kgz_token),
        reqwest::Method::POST,
        &decide,
        Some(&json!({ "action": "concur", "at": at, "signature": signature })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.store
        .advance_due(
            &accord_store::Actor::system("test"),
            p.state.deadline + time::Duration::minutes(1),
        )
        .await
        .unwrap();

    let key = key(app).await;
    let csv = bytes(app, "/api/list/export/csv?version=1").await;
    let sig = text(app, "/api/list/export/csv.minisig?version=1").await;
    let bundle: ProofBundle =
        serde_json::from_str(&text(app, "/api/list/versions/1/proof-bundle").await).unwrap();
    assert_eq!(bundle.version.record.adoption.len(), 1);
    assert_eq!(bundle.version.record.adoption[0].record.member, "KGZ");
    assert!(bundle.member_keys.iter().any(|k| k.record.member == "KGZ"));
    let report = verify_bundle(&csv, &sig, &bundle, &key, None).unwrap();
    assert!(
        report.passed.contains(&Check::Decision {
            member: "KGZ".into(),
            proposal: format!("P-{}", p.id),
        }),
        "{:?}",
        report.passed
    );
    // The decision in the bundle changed: the version record's own
    // signature, which covers its decisions, fails.
    let mut forged = bundle.clone();
    forged.version.record.adoption[0].record.decision = accord_proof::records::DecisionKind::Object;
    let err = verify_bundle(&csv, &sig, &forged, &key, None).unwrap_err();
    assert_eq!(err.check, Check::VersionRecord, "{err}");
    // Without Kyrgyzstan's certified key, its decision cannot be checked.
    let mut no_key = bundle.clone();
    no_key.member_keys.clear();
    let err = verify_bundle(&csv, &sig, &no_key, &key, None).unwrap_err();
    assert_eq!(
        err.check,
        Check::Decision {
            member: "KGZ".into(),
            proposal: format!("P-{}", p.id)
        },
        "{err}"
    );
}

async fn adopt(app: &TestApp, name: &str) {
    app.list_by_silence(
        SubjectKind::Organization,
        name,
        "A statement of case that stays confidential.",
        "Claimed attacks on civilians.",
    )
    .await;
}

async fn bytes(app: &TestApp, path: &str) -> Vec<u8> {
    let r = app.http.get(app.at(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.bytes().await.unwrap().to_vec()
}

async fn text(app: &TestApp, path: &str) -> String {
    String::from_utf8(bytes(app, path).await).unwrap()
}

async fn key(app: &TestApp) -> PublicKey {
    PublicKey::from_text(&text(app, "/api/transparency/key").await).unwrap()
}

async fn the_proof_of_an_adopted_version_answers_and_verifies(app: &TestApp) {
    let none = app
        .http
        .get(app.at("/api/transparency/head"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        none.status(),
        StatusCode::NOT_FOUND,
        "no head before any version"
    );
    adopt(app, "Northern Front").await;
    adopt(app, "Southern Front").await;
    let key = key(app).await;
    let head: SignedTreeHead =
        serde_json::from_str(&text(app, "/api/transparency/head").await).unwrap();
    head.verify_with(&key).unwrap();
    // Two versions and at least one audit checkpoint (the procedure clock
    // may have sealed the first version on its own).
    let rows = app.store.transparency_entries().await.unwrap();
    assert_eq!(head.record.size as usize, rows.len());
    assert!(head.record.size == 3 || head.record.size == 4, "{rows:?}");
    assert_eq!(
        rows.iter()
            .filter_map(|r| r.list_version)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );

    let proof: Value =
        serde_json::from_str(&text(app, "/api/transparency/proof?version=1").await).unwrap();
    assert_eq!(proof["entry"]["type"], "list_version");
    assert_eq!(proof["inclusion"]["tree_size"], head.record.size);
    let missing = app
        .http
        .get(app.at("/api/transparency/proof?version=9"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    let csv = bytes(app, "/api/list/export/csv?version=1").await;
    let sig = text(app, "/api/list/export/csv.minisig?version=1").await;
    let bundle: ProofBundle =
        serde_json::from_str(&text(app, "/api/list/versions/1/proof-bundle").await).unwrap();
    let report = verify_bundle(&csv, &sig, &bundle, &key, None).unwrap();
    assert_eq!(report.version, 1);
    assert_eq!(report.superseded_by, Some(2));

    // Another format's bundle verifies that format's file.
    let stix = bytes(app, "/api/list/export/stix?version=2").await;
    let stix_sig = text(app, "/api/list/export/stix.minisig?version=2").await;
    let bundle: ProofBundle =
        serde_json::from_str(&text(app, "/api/list/versions/2/proof-bundle?format=stix").await)
            .unwrap();
    let report = verify_bundle(&stix, &stix_sig, &bundle, &key, None).unwrap();
    assert_eq!((report.version, report.superseded_by), (2, None));
    // The CSV under the STIX signature does not.
    let err = verify_bundle(&csv, &stix_sig, &bundle, &key, None).unwrap_err();
    assert_eq!(err.check, Check::FileSignature);

    // A third version: the log grew, consistently with the head seen before.
    adopt(app, "Eastern Front").await;
    let later: SignedTreeHead =
        serde_json::from_str(&text(app, "/api/transparency/head").await).unwrap();
    assert_eq!(later.record.size, head.record.size + 2);
    let path = format!(
        "/api/transparency/consistency?from={}&to={}",
        head.record.size, later.record.size
    );
    let c: Value = serde_json::from_str(&text(app, &path).await).unwrap();
    let c: accord_proof::merkle::ConsistencyProof = serde_json::from_value(c).unwrap();
    accord_proof::merkle::verify_consistency(&c, &head.record.root, &later.record.root).unwrap();
    let bad = app
        .http
        .get(app.at("/api/transparency/consistency?from=99&to=5"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

/// Debian's minisign, or `None` (SKIPPED) — except under CI, where its
/// absence fails the test.
fn minisign() -> Option<&'static str> {
    let path = "/usr/bin/minisign";
    if std::path::Path::new(path).exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").is_err(),
        "minisign must be installed under CI (apt-get install minisign)"
    );
    eprintln!("SKIPPED: {path} is not installed");
    None
}

async fn each_export_signature_covers_exactly_the_served_bytes(app: &TestApp) {
    adopt(app, "Northern Front").await;
    let key = key(app).await;
    let dir = std::env::temp_dir().join(format!(
        "accord-minisig-{}-{}",
        std::process::id(),
        app.url.rsplit(':').next().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for format in ["csv", "ftm", "xml", "stix"] {
        // With and without ?version: the current version is version 1.
        for q in ["?version=1", ""] {
            let body = bytes(app, &format!("/api/list/export/{format}{q}")).await;
            let sig = text(app, &format!("/api/list/export/{format}.minisig{q}")).await;
            accord_proof::verify_file(&body, &sig, &accord_proof::Keyring::single(key.clone()))
                .unwrap_or_else(|e| panic!("{format}{q}: {e}"));
            let Some(minisign) = minisign() else { continue };
            let file = dir.join(format!("list.{format}"));
            std::fs::write(&file, &body).unwrap();
            std::fs::write(dir.join(format!("list.{format}.minisig")), &sig).unwrap();
            let out = std::process::Command::new(minisign)
                .arg("-Vm")
                .arg(&file)
                .arg("-P")
                .arg(key.to_base64())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "minisign refused the {format} signature: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    let unknown = app
        .http
        .get(app.at("/api/list/export/pdf.minisig?version=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

async fn a_byte_changed_in_a_published_version_fails_verification(app: &TestApp) {
    adopt(app, "Northern Front").await;
    let key = key(app).await;
    // Sealed now, before the tampering.
    let before: ProofBundle =
        serde_json::from_str(&text(app, "/api/list/versions/1/proof-bundle").await).unwrap();
    // An attacker with database access removes the immutability trigger and
    // changes one letter of the published name.
    let pool = app.store.raw_pool();
    let drop = match app.store.backend() {
        accord_store::Backend::Sqlite => "DROP TRIGGER list_versions_no_update",
        accord_store::Backend::Postgres => "DROP TRIGGER list_versions_no_update ON list_versions",
    };
    sqlx::query(drop).execute(pool).await.unwrap();
    let changed = sqlx::query(
        "UPDATE list_versions SET entries = REPLACE(entries, 'Northern', 'Northerm') WHERE version = 1",
    )
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(changed.rows_affected(), 1);
    let csv = bytes(app, "/api/list/export/csv?version=1").await;
    assert!(String::from_utf8_lossy(&csv).contains("Northerm"));
    // The server does not sign what it now holds: the signed version
    // record logged at publication names other bytes.
    for path in [
        "/api/list/export/csv.minisig?version=1",
        "/api/list/versions/1/proof-bundle",
    ] {
        let r = app.http.get(app.at(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    }
    // And the earlier bundle's signature does not cover the changed file.
    let err = verify_bundle(&csv, &before.file_signature, &before, &key, None).unwrap_err();
    assert_eq!(err.check, Check::FileSignature, "{err}");
}

async fn the_log_tables_refuse_update_and_delete(app: &TestApp) {
    adopt(app, "Northern Front").await;
    text(app, "/api/transparency/head").await;
    let pool = app.store.raw_pool();
    for q in [
        "UPDATE transparency_entries SET entry = '{}'",
        "DELETE FROM transparency_entries",
        "UPDATE transparency_heads SET root = '00'",
        "DELETE FROM transparency_heads",
    ] {
        assert!(
            sqlx::query(q).execute(pool).await.is_err(),
            "{q} was allowed"
        );
    }
    assert_eq!(app.store.transparency_entries().await.unwrap().len(), 2);
}

async fn nothing_is_logged_twice_and_the_log_only_grows(app: &TestApp) {
    adopt(app, "Northern Front").await;
    // Many requests at once, each sealing: one entry per version.
    let mut handles = Vec::new();
    for _ in 0..6 {
        let http = app.http.clone();
        let url = app.at("/api/transparency/head");
        handles.push(tokio::spawn(async move {
            http.get(url).send().await.unwrap().status()
        }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap(), StatusCode::OK);
    }
    let rows = app.store.transparency_entries().await.unwrap();
    assert_eq!(
        rows.iter().filter(|r| r.list_version == Some(1)).count(),
        1,
        "{rows:?}"
    );
    assert_eq!(rows.len(), 2);
}

async fn the_audit_chain_is_anchored_when_it_moved_and_the_interval_passed(app: &TestApp) {
    use accord_proof::CheckpointProof;
    use accord_web::anchor::anchor_audit;
    use accord_web::transparency::ProofError;
    let key = std::sync::Arc::new(accord_proof::SecretKey::generate());
    let given = key.clone();
    let Some(app) = TestApp::spawn_with(app.store.backend(), move |c| {
        c.signing_key = Some(given);
    })
    .await
    else {
        return;
    };
    let store = &app.store;
    let t0 = time::OffsetDateTime::now_utc().unix_timestamp();
    // The accounts made for the test moved the chain; no checkpoint yet.
    let first = anchor_audit(store, &key, t0, 600).await.unwrap().unwrap();
    assert_eq!(
        first.sequence,
        store.audit_head().await.unwrap().sequence - 1
    );
    // Only the log's own append moved it since: nothing to sign.
    assert_eq!(
        anchor_audit(store, &key, t0 + 3600, 600).await.unwrap(),
        None
    );
    store
        .audit(
            &accord_store::Actor::system("test"),
            "test.event",
            "x",
            accord_core::audit::Outcome::Ok,
            serde_json::json!({}),
        )
        .await
        .unwrap();
    // Moved, but the interval has not passed.
    assert_eq!(anchor_audit(store, &key, t0 + 10, 600).await.unwrap(), None);
    let second = anchor_audit(store, &key, t0 + 600, 600)
        .await
        .unwrap()
        .unwrap();
    assert!(second.sequence > first.sequence);
    // Served publicly, and it verifies with the served key.
    let proof: CheckpointProof =
        serde_json::from_str(&text(&app, "/api/transparency/audit-checkpoint").await).unwrap();
    let k = key_of(&app).await;
    assert_eq!(
        proof.verify(&accord_proof::Keyring::single(k)).unwrap(),
        &second
    );

    // A chain cut before the newest checkpoint is never signed as it is.
    let pool = store.raw_pool();
    let drop = match store.backend() {
        accord_store::Backend::Sqlite => "DROP TRIGGER audit_log_no_delete",
        accord_store::Backend::Postgres => "DROP TRIGGER audit_log_no_delete ON audit_log",
    };
    sqlx::query(drop).execute(pool).await.unwrap();
    let keep = second.sequence - 1;
    sqlx::query("DELETE FROM audit_log WHERE seq > $1")
        .bind(keep)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE audit_head SET seq = $1, last_hash = (SELECT hash FROM audit_log WHERE seq = $1) WHERE id = 1",
    )
    .bind(keep)
    .execute(pool)
    .await
    .unwrap();
    store
        .audit(
            &accord_store::Actor::system("attacker"),
            "test.event",
            "y",
            accord_core::audit::Outcome::Ok,
            serde_json::json!({}),
        )
        .await
        .unwrap();
    let err = anchor_audit(store, &key, t0 + 7200, 600).await.unwrap_err();
    assert!(
        matches!(err, ProofError::Audit(_)) && err.to_string().contains("rewritten"),
        "{err}"
    );
    app.finish().await;
}

async fn key_of(app: &TestApp) -> PublicKey {
    key(app).await
}

async fn after_a_rotation_only_the_new_key_appends(app: &TestApp) {
    use accord_proof::keys::rotation_to;
    use accord_web::keychain::{check_signing_key, key_valid_from, log_rotation};
    use accord_web::transparency::ProofError;
    let old = std::sync::Arc::new(accord_proof::SecretKey::generate());
    let given = old.clone();
    let Some(app) = TestApp::spawn_with(app.store.backend(), move |c| {
        c.signing_key = Some(given);
    })
    .await
    else {
        return;
    };
    adopt(&app, "Northern Front").await;
    let before: ProofBundle =
        serde_json::from_str(&text(&app, "/api/list/versions/1/proof-bundle").await).unwrap();
    let store = &app.store;
    let t = time::OffsetDateTime::now_utc().unix_timestamp() + 5;
    let new = accord_proof::SecretKey::generate();
    // Another key cannot rotate the platform's.
    let stranger = accord_proof::SecretKey::generate();
    let forged = rotation_to(&stranger, &new, t, None, "x").unwrap();
    assert!(matches!(
        log_rotation(store, &stranger, &new, &forged).await,
        Err(ProofError::Key(_))
    ));
    let rotation = rotation_to(&old, &new, t, None, "test").unwrap();
    log_rotation(store, &old, &new, &rotation).await.unwrap();
    // Logged once, even if repeated.
    log_rotation(store, &old, &new, &rotation).await.unwrap();
    assert_eq!(
        store
            .transparency_entries_of_kind("key_rotation")
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(key_valid_from(store, &new).await.unwrap(), Some(t));
    check_signing_key(store, &new).await.unwrap();
    let err = check_signing_key(store, &old).await.unwrap_err();
    assert!(err.to_string().contains("rotated out"), "{err}");
    // The server still holding the old key can no longer append.
    store
        .audit(
            &accord_store::Actor::system("test"),
            "test.event",
            "x",
            accord_core::audit::Outcome::Ok,
            serde_json::json!({}),
        )
        .await
        .unwrap();
    let err = accord_web::anchor::anchor_audit(store, &old, t + 10, 0)
        .await
        .unwrap_err();
    assert!(matches!(err, ProofError::Key(_)), "{err}");
    accord_web::anchor::anchor_audit(store, &new, t + 10, 0)
        .await
        .unwrap()
        .unwrap();
    // A second rotation in the same second would break the key history.
    let newer = accord_proof::SecretKey::generate();
    let hasty = rotation_to(&new, &newer, t, None, "again").unwrap();
    let err = log_rotation(store, &new, &newer, &hasty).await.unwrap_err();
    assert!(err.to_string().contains("try again in a second"), "{err}");
    // The bundle made before the rotation verifies with the old key only;
    // one made after (by a server with the new key) is checked in the CLI
    // tests (crates/cli/tests/rotation.rs).
    let file = text(&app, "/api/list/export/csv?version=1").await;
    verify_bundle(
        file.as_bytes(),
        &before.file_signature,
        &before,
        &old.public_key(),
        None,
    )
    .unwrap();
    app.finish().await;
}
