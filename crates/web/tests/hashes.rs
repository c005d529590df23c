//! Hash sharing over HTTP: banks shared by their marking and distribution,
//! hashes added all or nothing, lookups for platforms (batch and HMA shape),
//! removal and holds carried by the change feed, allow-bank vetoes, and
//! bad input refused naming the field with nothing changed.

mod support;

use accord_hashes::synthetic::{SplitMix64, perturb, random_hash};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    a_member_shares_a_bank_and_only_those_it_shares_with_find_its_hashes,
    bad_hashes_are_refused_naming_the_field_and_nothing_is_stored,
    a_removed_hash_stops_matching_and_the_change_feed_carries_its_tombstone,
    disagreements_hold_a_hash_and_each_member_gives_feedback_once,
    an_allow_bank_vetoes_a_known_false_positive,
    only_a_banks_owner_and_the_secretariat_write_to_it,
    an_uploaded_image_is_hashed_matched_and_never_stored,
    the_bank_pages_show_only_readable_banks_in_both_languages,
    a_delisted_subjects_hashes_are_flagged_then_retracted_after_the_grace_period,
    the_tcap_hash_list_pages_the_readers_banks_and_signs_in_with_an_api_token,
    lookups_are_limited_per_token_and_audited_per_minute_and_a_hash_page_charts_its_matches,
    a_rotated_upload_matches_by_its_dihedral_variants,
    the_review_queue_lists_held_hashes_of_the_banks_one_writes_to,
);

async fn lookups_are_limited_per_token_and_audited_per_minute_and_a_hash_page_charts_its_matches(
    app: &TestApp,
) {
    let Some(app) = TestApp::spawn_with(app.store.backend(), |c| {
        c.hash_lookups_per_minute = 2_500;
    })
    .await
    else {
        return;
    };
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let (status, _) = api(
        &app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-limits", "KAZ", "AMBER", &["KGZ"])),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut rng = SplitMix64::new(99);
    let stored = random_hash(&mut rng);
    let (status, v) = api(
        &app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-limits/hashes",
        Some(&json!({ "hashes": [pdq(&stored.to_hex())] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let id = v["ids"][0].as_i64().unwrap();
    // 1,000 signals a batch, 10 of them near the stored hash.
    let batch: Vec<Value> = (0..1000)
        .map(|i| {
            let h = if i < 10 {
                perturb(stored, 8, &mut rng)
            } else {
                random_hash(&mut rng)
            };
            json!({ "signal_type": "pdq", "signal": h.to_hex() })
        })
        .collect();
    for _ in 0..2 {
        let (status, _) = lookup(&app, &kgz, json!(batch)).await;
        assert_eq!(status, StatusCode::OK);
    }
    // The third batch in the same minute would overdraw KGZ's 2,500.
    let r = app
        .http
        .post(app.at("/api/hashes/lookup"))
        .bearer_auth(&kgz)
        .json(&json!({ "signals": batch }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    // Another token has its own allowance.
    let (status, _) = lookup(&app, &kaz, json!(batch[..10])).await;
    assert_eq!(status, StatusCode::OK);

    // The tallies reach the audit log as one record per token per period,
    // and the hash's daily matches.
    let mut audited = Vec::new();
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        audited = app
            .store
            .audit_records(&accord_store::AuditQuery {
                action: Some("hashes.lookup".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        let signals: u64 = audited
            .iter()
            .filter_map(|r| serde_json::from_str::<Value>(&r.details).ok()?["signals"].as_u64())
            .sum();
        if signals == 2_010 {
            break;
        }
    }
    let signals: u64 = audited
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.details).ok()?["signals"].as_u64())
        .sum();
    let matched: u64 = audited
        .iter()
        .filter_map(|r| serde_json::from_str::<Value>(&r.details).ok()?["matched"].as_u64())
        .sum();
    assert_eq!(
        signals, 2_010,
        "the refused batch is not counted: {audited:?}"
    );
    assert_eq!(matched, 30, "{audited:?}");
    assert!(
        audited.len() <= 4,
        "aggregated, never one per signal: {}",
        audited.len()
    );
    let days = app.store.hash_match_days(id).await.unwrap();
    assert_eq!(days.iter().map(|(_, n)| n).sum::<i64>(), 30, "{days:?}");

    let b = app.sign_in("kgz.admin").await;
    let page = app
        .get(&b, &format!("/hashes/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<svg") && page.contains("30 matches on"),
        "{page}"
    );
    let ru = app
        .get(&b, &format!("/hashes/{id}?lang=ru"))
        .await
        .text()
        .await
        .unwrap();
    assert!(ru.contains("30 совпадений"), "{ru}");
    let usa = app.sign_in("usa.reader").await;
    assert_eq!(
        app.get(&usa, &format!("/hashes/{id}")).await.status(),
        StatusCode::NOT_FOUND,
        "a hash of a bank hidden from the reader does not exist for them"
    );
    app.finish().await;
}

async fn a_rotated_upload_matches_by_its_dihedral_variants(app: &TestApp) {
    use accord_hashes::synthetic::{picture, png, rotate90};
    let kaz = app.api_token("kaz.admin").await;
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-rot", "KAZ", "AMBER", &["KAZ"])),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let img = picture(320, 240, 4242, 0.04);
    let upload = |bytes: Vec<u8>, fields: &'static [(&'static str, &'static str)]| {
        let app = &app;
        let kaz = kaz.clone();
        async move {
            let (status, v) = app
                .post_upload_api(&kaz, "/api/hashes/hash", fields, "image.png", &bytes)
                .await;
            assert_eq!(status, StatusCode::OK);
            v
        }
    };
    let original = upload(png(&img), &[]).await;
    let hex = original["pdq"].as_str().unwrap().to_string();
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-rot/hashes",
        Some(&json!({ "hashes": [pdq(&hex)] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let rotated = png(&rotate90(&img));
    let pdq_matches = |v: &Value| -> usize {
        v["matches"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["signal_type"] == "pdq")
            .map(|s| s["matches"].as_array().unwrap().len())
            .sum()
    };
    let plain = upload(rotated.clone(), &[("match", "true")]).await;
    assert_eq!(
        pdq_matches(&plain),
        0,
        "a rotated image's own PDQ is far from the original's"
    );
    let turned = upload(rotated, &[("match", "true"), ("dihedral", "true")]).await;
    assert_eq!(turned["pdq_dihedral"].as_object().map(|o| o.len()), Some(7));
    assert!(pdq_matches(&turned) >= 1, "{turned}");
}

async fn the_review_queue_lists_held_hashes_of_the_banks_one_writes_to(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let mut b = bank("kaz-review", "KAZ", "AMBER", &["KGZ"]);
    b["hold_after"] = json!(1);
    let (status, v) = api(app, Some(&kaz), Method::POST, "/api/banks", Some(&b)).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let hex = random_hash(&mut SplitMix64::new(5)).to_hex();
    let (_, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-review/hashes",
        Some(&json!({ "hashes": [pdq(&hex)] })),
    )
    .await;
    let id = v["ids"][0].as_i64().unwrap();
    let owner = app.sign_in("kaz.admin").await;
    let empty = app
        .get(&owner, "/hashes/review")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !empty.contains(&format!("/hashes/{id}\"")),
        "nothing held yet"
    );
    let (status, v) = api(
        app,
        Some(&kgz),
        Method::POST,
        &format!("/api/hashes/{id}/feedback"),
        Some(&json!({ "verdict": "disagree" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let queue = app
        .get(&owner, "/hashes/review")
        .await
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&format!("/hashes/{id}\"")), "{queue}");
    assert!(queue.contains(&format!("/banks/kaz-review/hashes/{id}/release")));
    // KGZ reads the bank but does not write to it: its queue is empty.
    let reader = app.sign_in("kgz.admin").await;
    let theirs = app
        .get(&reader, "/hashes/review")
        .await
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains(&format!("/hashes/{id}\"")), "{theirs}");
}

/// Tech Against Terrorism's hash list API v2 shape (docs/hashes.md): token
/// sign-in, pages linked by `next` as a query string, checkpoints that
/// resume, unknown parameters ignored, tombstones, hidden banks absent —
/// and, with the peer tools installed (always under CI), threatexchange's
/// own client pulling it.
async fn the_tcap_hash_list_pages_the_readers_banks_and_signs_in_with_an_api_token(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    for (id, share) in [("kaz-shared", vec!["KGZ"]), ("kaz-own", vec!["KAZ"])] {
        let (status, v) = api(
            app,
            Some(&kaz),
            Method::POST,
            "/api/banks",
            Some(&bank(id, "KAZ", "AMBER", &share)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    let mut rng = SplitMix64::new(7);
    // Hidden changes first: a feed that filtered a page after taking it
    // would answer empty pages, and checkpoints into the hidden bank.
    let hidden: Vec<String> = (0..3).map(|_| random_hash(&mut rng).to_hex()).collect();
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-own/hashes",
        Some(&json!({ "hashes": hidden.iter().map(|h| pdq(h)).collect::<Vec<_>>() })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let hidden = hidden[0].clone();
    let shared: Vec<String> = (0..5).map(|_| random_hash(&mut rng).to_hex()).collect();
    let mut hashes: Vec<Value> = shared.iter().map(|h| pdq(h)).collect();
    let video_md5 = "0123456789abcdef0123456789abcdef";
    hashes.push(json!({ "signal_type": "md5", "signal": video_md5, "content_type": "video", "file_type": "mp4", "behaviour": "glorification" }));
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-shared/hashes",
        Some(&json!({ "hashes": hashes })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let first = v["ids"][0].as_i64().unwrap();

    // Sign-in: the user's own API token is the password; anything else is 401.
    let auth = |user: &'static str, password: String| {
        let app = &app;
        async move {
            app.http
                .post(app.at("/token-auth/tcap/"))
                .form(&[
                    ("username", user),
                    ("password", password.as_str()),
                    ("resend", "False"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = auth("kgz.admin", kgz.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let token: Value = r.json().await.unwrap();
    assert_eq!(token["token"], kgz.as_str());
    assert_eq!(
        auth("kaz.admin", kgz.clone()).await.status(),
        StatusCode::UNAUTHORIZED,
        "another user's token"
    );
    assert_eq!(
        auth("kgz.admin", "acc_wrong".into()).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Pages of two, as the client asks for them: `…/all?` + next (None at first).
    let get = |query: String| {
        let app = &app;
        let kgz = kgz.clone();
        async move {
            let r = app
                .http
                .get(app.at(&format!("/api/hash-list/v2/all?{query}")))
                .bearer_auth(&kgz)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{query}");
            r.json::<Value>().await.unwrap()
        }
    };
    let mut query = "None&order=asc&after=&limit=2".to_string();
    let mut seen = Vec::new();
    let mut checkpoint = String::new();
    let mut pages = 0;
    for _ in 0..10 {
        let page = get(query.clone()).await;
        pages += 1;
        assert_eq!(
            page["results"].as_array().unwrap().len(),
            2,
            "full pages of visible rows: {page}"
        );
        for r in page["results"].as_array().unwrap() {
            let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys.len(), 8, "exactly the client's fields: {keys:?}");
            seen.push((
                r["algorithm"].as_str().unwrap().to_string(),
                r["hash_digest"].as_str().unwrap().to_string(),
                r["deleted"].as_bool().unwrap(),
                r["file_type"].as_str().unwrap().to_string(),
            ));
        }
        checkpoint = page["checkpoint"].as_str().unwrap().to_string();
        match page["next"].as_str() {
            Some(next) => query = format!("{next}&order=asc&after="),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert_eq!(pages, 3);
    assert!(
        !seen.iter().any(|s| s.1 == hidden),
        "a bank hidden from the reader is absent"
    );
    assert!(seen.iter().any(|s| s
        == &(
            "MD5".to_string(),
            video_md5.to_string(),
            false,
            "mp4".to_string()
        )));
    assert_eq!(
        seen.iter()
            .filter(|s| s.0 == "PDQ" && s.3 == "image")
            .count(),
        5
    );

    // A removal is a tombstone after the checkpoint.
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::DELETE,
        &format!("/api/banks/kaz-shared/hashes/{first}"),
        None,
    )
    .await;
    assert!(status.is_success(), "{status}");
    let after = get(format!("order=asc&after={checkpoint}")).await;
    let results = after["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{after}");
    assert_eq!(results[0]["deleted"], true);
    assert!(after["next"].is_null());

    let bad = app
        .http
        .get(app.at("/api/hash-list/v2/all?after=yesterday"))
        .bearer_auth(&kgz)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let anonymous = app
        .http
        .get(app.at("/api/hash-list/v2/all"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // The real client, when the peer tools are installed.
    let Some(python) = peer_python() else { return };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/peers/tcap_pull.py"
    );
    let (url, token) = (app.url.clone(), kgz.clone());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .args([script, &url, "kgz.admin", &token])
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let pdq_seen: Vec<&Value> = lines.iter().filter(|l| l["signal_type"] == "pdq").collect();
    assert_eq!(pdq_seen.len(), 5, "{lines:?}");
    assert_eq!(
        pdq_seen.iter().filter(|l| l["deleted"] == true).count(),
        1,
        "the tombstone reaches the client"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["signal_type"] == "video_md5" && l["hash"] == video_md5),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l["hash"] == hidden.as_str()));
    assert!(
        lines.last().unwrap()["checkpoint"]
            .as_str()
            .unwrap()
            .contains(',')
    );
}

fn bank(id: &str, owner: &str, tlp: &str, share: &[&str]) -> Value {
    json!({ "id": id, "name": format!("Bank {id}"), "owner": owner, "tlp": tlp, "share_with": share })
}

fn pdq(hex: &str) -> Value {
    json!({ "signal_type": "pdq", "signal": hex, "quality": 90, "content_type": "image", "behaviour": "recruitment",
            "entity_name": "An unlisted group", "first_seen": "2025-05-01", "note": "demo" })
}

fn sha256(hex: &str) -> Value {
    json!({ "signal_type": "sha256", "signal": hex, "content_type": "video", "behaviour": "glorification" })
}

async fn lookup(app: &TestApp, token: &str, signals: Value) -> (StatusCode, Value) {
    api(
        app,
        Some(token),
        Method::POST,
        "/api/hashes/lookup",
        Some(&json!({ "signals": signals })),
    )
    .await
}

async fn a_member_shares_a_bank_and_only_those_it_shares_with_find_its_hashes(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let usa = app.api_token("usa.reader").await;
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-bank", "KAZ", "AMBER", &["KGZ"])),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let mut rng = SplitMix64::new(42);
    let stored = random_hash(&mut rng);
    let digest = "ab".repeat(32);
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&json!({ "hashes": [pdq(&stored.to_hex()), sha256(&digest)] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let near = perturb(stored, 12, &mut rng);
    let far = perturb(stored, 40, &mut rng);
    let signals = json!([
        { "signal_type": "pdq", "signal": near.to_hex() },
        { "signal_type": "pdq", "signal": far.to_hex() },
        { "signal_type": "sha256", "signal": digest.to_uppercase() },
    ]);
    let (status, v) = lookup(app, &kgz, signals.clone()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v[0]["matches"][0]["distance"], 12);
    assert_eq!(v[0]["matches"][0]["bank"], "kaz-bank");
    assert_eq!(v[0]["matches"][0]["labels"]["behaviour"], "recruitment");
    assert_eq!(
        v[1]["matches"].as_array().unwrap().len(),
        0,
        "beyond 31 bits is no match"
    );
    assert_eq!(v[2]["matches"][0]["distance"], 0);
    // A partner the bank is not shared with finds nothing, and does not see the bank.
    let (_, v) = lookup(app, &usa, signals.clone()).await;
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|s| s["matches"].as_array().unwrap().is_empty()),
        "{v}"
    );
    let (status, _) = api(app, Some(&usa), Method::GET, "/api/banks/kaz-bank", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, banks) = api(app, Some(&usa), Method::GET, "/api/banks", None).await;
    assert!(banks.as_array().unwrap().is_empty());
    // Nobody signed out looks anything up.
    let (status, _) = api(
        app,
        None,
        Method::POST,
        "/api/hashes/lookup",
        Some(&json!({ "signals": signals })),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // HMA's shape.
    let (status, v) = api(
        app,
        Some(&kgz),
        Method::GET,
        &format!("/m/lookup?signal_type=pdq&signal={}", near.to_hex()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["kaz-bank"][0]["distance"], "12");
    assert!(v["kaz-bank"][0]["bank_content_id"].is_i64());
}

async fn bad_hashes_are_refused_naming_the_field_and_nothing_is_stored(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-bank", "KAZ", "GREEN", &[])),
    )
    .await;
    let good = random_hash(&mut SplitMix64::new(1)).to_hex();
    let cases = [
        (
            json!({ "signal_type": "pdq", "signal": "abc", "quality": 90, "content_type": "image", "behaviour": "other" }),
            "hashes[0].signal",
        ),
        (
            json!({ "signal_type": "pdq", "signal": "zz".repeat(32), "quality": 90, "content_type": "image", "behaviour": "other" }),
            "hashes[0].signal",
        ),
        (
            json!({ "signal_type": "pdq", "signal": good, "quality": 30, "content_type": "image", "behaviour": "other" }),
            "hashes[0].quality",
        ),
        (
            json!({ "signal_type": "tmk", "signal": good, "content_type": "image", "behaviour": "other" }),
            "hashes[0].signal_type",
        ),
        (
            json!({ "signal_type": "md5", "signal": "ab".repeat(16), "content_type": "picture", "behaviour": "other" }),
            "hashes[0].content_type",
        ),
        (
            json!({ "signal_type": "md5", "signal": "ab".repeat(16), "content_type": "file", "behaviour": "other", "entity_subject": "ACL-9999" }),
            "hashes[0].entity_subject",
        ),
    ];
    for (h, field) in cases {
        let (status, v) = api(
            app,
            Some(&kaz),
            Method::POST,
            "/api/banks/kaz-bank/hashes",
            Some(&json!({ "hashes": [h] })),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {v}");
        assert!(
            v["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field),
            "{field}: {v}"
        );
    }
    // One bad hash refuses the batch; the good one is not stored either.
    let batch = json!({ "hashes": [sha256(&"cd".repeat(32)), { "signal_type": "sha256", "signal": "x", "content_type": "file", "behaviour": "other" }] });
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&batch),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let too_many: Vec<Value> = (0..1001).map(|i| sha256(&format!("{i:064x}"))).collect();
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&json!({ "hashes": too_many })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = lookup(
        app,
        &kaz,
        json!(
            (0..1001)
                .map(|_| json!({ "signal_type": "pdq", "signal": good }))
                .collect::<Vec<_>>()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, v) = lookup(app, &kaz, json!([{ "signal_type": "pdq", "signal": "12" }])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (_, feed) = api(app, Some(&kaz), Method::GET, "/api/hashes/changes", None).await;
    assert!(
        feed["changes"].as_array().unwrap().is_empty(),
        "nothing stored: {feed}"
    );
    // The same hash twice in a bank is refused.
    let one = json!({ "hashes": [sha256(&"ef".repeat(32))] });
    assert_eq!(
        api(
            app,
            Some(&kaz),
            Method::POST,
            "/api/banks/kaz-bank/hashes",
            Some(&one)
        )
        .await
        .0,
        StatusCode::CREATED
    );
    assert_eq!(
        api(
            app,
            Some(&kaz),
            Method::POST,
            "/api/banks/kaz-bank/hashes",
            Some(&one)
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn a_removed_hash_stops_matching_and_the_change_feed_carries_its_tombstone(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-bank", "KAZ", "GREEN", &[])),
    )
    .await;
    let digests: Vec<String> = (1..=5).map(|i| format!("{i:064x}")).collect();
    let (_, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&json!({ "hashes": digests.iter().map(|d| sha256(d)).collect::<Vec<_>>() })),
    )
    .await;
    let ids: Vec<i64> = v["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_i64().unwrap())
        .collect();
    // Paged with a checkpoint: every change once, in order.
    let (_, first) = api(
        app,
        Some(&kaz),
        Method::GET,
        "/api/hashes/changes?limit=3",
        None,
    )
    .await;
    assert_eq!(first["changes"].as_array().unwrap().len(), 3);
    assert_eq!(first["more"], true);
    let cp = first["checkpoint"].as_str().unwrap().to_string();
    let (_, second) = api(
        app,
        Some(&kaz),
        Method::GET,
        &format!("/api/hashes/changes?checkpoint={cp}&limit=3"),
        None,
    )
    .await;
    assert_eq!(second["changes"].as_array().unwrap().len(), 2);
    assert_eq!(second["more"], false);
    let cp = second["checkpoint"].as_str().unwrap().to_string();
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::DELETE,
        &format!("/api/banks/kaz-bank/hashes/{}", ids[0]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, v) = lookup(
        app,
        &kaz,
        json!([{ "signal_type": "sha256", "signal": digests[0] }]),
    )
    .await;
    assert!(
        v[0]["matches"].as_array().unwrap().is_empty(),
        "a removed hash does not match: {v}"
    );
    let (_, after) = api(
        app,
        Some(&kaz),
        Method::GET,
        &format!("/api/hashes/changes?checkpoint={cp}"),
        None,
    )
    .await;
    let changes = after["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{after}");
    assert_eq!(changes[0]["id"], ids[0]);
    assert_eq!(changes[0]["deleted"], true);
    assert_eq!(changes[0]["hash_digest"], digests[0]);
    let (_, bank) = api(app, Some(&kaz), Method::GET, "/api/banks/kaz-bank", None).await;
    assert!(
        bank["hashes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["state"] == "deleted"),
        "a tombstone, never gone"
    );
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::GET,
        "/api/hashes/changes?checkpoint=abc",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
}

async fn disagreements_hold_a_hash_and_each_member_gives_feedback_once(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let usa = app.api_token("usa.reader").await;
    let mut b = bank("kaz-bank", "KAZ", "AMBER", &["KGZ", "USA"]);
    b["hold_after"] = json!(2);
    api(app, Some(&kaz), Method::POST, "/api/banks", Some(&b)).await;
    let digest = "12".repeat(32);
    let (_, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&json!({ "hashes": [sha256(&digest)] })),
    )
    .await;
    let id = v["ids"][0].as_i64().unwrap();
    let feedback = |t: String, verdict: &'static str| {
        let path = format!("/api/hashes/{id}/feedback");
        async move {
            api(
                app,
                Some(&t),
                Method::POST,
                &path,
                Some(&json!({ "verdict": verdict })),
            )
            .await
        }
    };
    let (status, v) = feedback(kgz.clone(), "disagree").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "active");
    assert_eq!(v["feedback"]["disagree"], 1);
    let (status, _) = feedback(kgz.clone(), "agree").await;
    assert_eq!(status, StatusCode::CONFLICT, "one member, one feedback");
    let (status, _) = feedback(kgz.clone(), "maybe").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, v) = feedback(usa.clone(), "disagree").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "held");
    let (_, v) = lookup(
        app,
        &kgz,
        json!([{ "signal_type": "sha256", "signal": digest }]),
    )
    .await;
    assert!(
        v[0]["matches"].as_array().unwrap().is_empty(),
        "a held hash does not match: {v}"
    );
    let (_, feed) = api(app, Some(&kgz), Method::GET, "/api/hashes/changes", None).await;
    let last = feed["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["state"], "held");
    assert_eq!(last["deleted"], true, "a copy must stop matching it too");
    // Its owner reviews it and releases it: it matches again, feedback afresh.
    let (status, _) = api(
        app,
        Some(&kgz),
        Method::POST,
        &format!("/api/banks/kaz-bank/hashes/{id}/release"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the bank's writers release"
    );
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        &format!("/api/banks/kaz-bank/hashes/{id}/release"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "active");
    let (_, v) = lookup(
        app,
        &kgz,
        json!([{ "signal_type": "sha256", "signal": digest }]),
    )
    .await;
    assert_eq!(v[0]["matches"][0]["feedback"]["disagree"], 0, "{v}");
    assert_eq!(v[0]["matches"][0]["labels"]["behaviour"], "glorification");
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::POST,
        &format!("/api/banks/kaz-bank/hashes/{id}/release"),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an active hash is not released"
    );
    // Removed once; removing again is refused, not a second change.
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::DELETE,
        &format!("/api/banks/kaz-bank/hashes/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::DELETE,
        &format!("/api/banks/kaz-bank/hashes/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Readers outside the bank's writers do not see who added a hash.
    let (_, v) = api(
        app,
        Some(&kgz),
        Method::GET,
        &format!("/api/hashes/{id}"),
        None,
    )
    .await;
    assert_eq!(v["added_by"], "");
    let (_, v) = api(
        app,
        Some(&kaz),
        Method::GET,
        &format!("/api/hashes/{id}"),
        None,
    )
    .await;
    assert_ne!(v["added_by"], "");
}

async fn an_allow_bank_vetoes_a_known_false_positive(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let sec = app.api_token("sec").await;
    let kgz = app.api_token("kgz.admin").await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-bank", "KAZ", "GREEN", &[])),
    )
    .await;
    let mut allow = bank("news-footage", "", "GREEN", &[]);
    allow["allow"] = json!(true);
    let (status, v) = api(app, Some(&sec), Method::POST, "/api/banks", Some(&allow)).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let digest = "34".repeat(32);
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&json!({ "hashes": [sha256(&digest)] })),
    )
    .await;
    let (_, v) = lookup(
        app,
        &kgz,
        json!([{ "signal_type": "sha256", "signal": digest }]),
    )
    .await;
    assert_eq!(v[0]["matches"].as_array().unwrap().len(), 1);
    api(
        app,
        Some(&sec),
        Method::POST,
        "/api/banks/news-footage/hashes",
        Some(&json!({ "hashes": [sha256(&digest)] })),
    )
    .await;
    let (_, v) = lookup(
        app,
        &kgz,
        json!([{ "signal_type": "sha256", "signal": digest }]),
    )
    .await;
    assert!(v[0]["matches"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v[0]["vetoed_by"][0], "news-footage");
}

async fn only_a_banks_owner_and_the_secretariat_write_to_it(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let usa = app.api_token("usa.reader").await;
    let sec = app.api_token("sec").await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-bank", "KAZ", "GREEN", &[])),
    )
    .await;
    let one = json!({ "hashes": [sha256(&"56".repeat(32))] });
    let (status, _) = api(
        app,
        Some(&kgz),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&one),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "another member reads the GREEN bank but does not write to it"
    );
    let (status, _) = api(
        app,
        Some(&kgz),
        Method::POST,
        "/api/banks",
        Some(&bank("kgz-for-kaz", "KAZ", "GREEN", &[])),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "nobody creates a bank for another member"
    );
    let (status, _) = api(
        app,
        Some(&usa),
        Method::POST,
        "/api/banks",
        Some(&bank("usa-bank", "USA", "GREEN", &[])),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "readers share nothing");
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-bank", "KAZ", "GREEN", &[])),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "ids are unique");
    let (status, _) = api(
        app,
        Some(&sec),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&one),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the secretariat writes anywhere"
    );
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&json!({ "id": "X", "name": "", "tlp": "PINK" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = v["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"id") && fields.contains(&"name") && fields.contains(&"tlp"),
        "{fields:?}"
    );
}

async fn an_uploaded_image_is_hashed_matched_and_never_stored(app: &TestApp) {
    use accord_hashes::synthetic::{Variant, demo_images};
    let kaz = app.api_token("kaz.admin").await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-bank", "KAZ", "GREEN", &[])),
    )
    .await;
    let images = demo_images(1);
    let original = images
        .iter()
        .find(|i| i.variant == Variant::Original)
        .unwrap();
    let copy = images
        .iter()
        .find(|i| i.variant == Variant::Resized)
        .unwrap();
    let hashed = accord_hashes::hash_content(&original.bytes, Default::default()).unwrap();
    let pdq = hashed.pdq.unwrap();
    let (status, v) = api(app, Some(&kaz), Method::POST, "/api/banks/kaz-bank/hashes", Some(&json!({ "hashes": [
        { "signal_type": "pdq", "signal": pdq.hash.to_hex(), "quality": pdq.quality, "content_type": "image", "behaviour": "manifesto" }] }))).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    // A resized copy, uploaded: hashed in memory, found by PDQ.
    let (status, v) = app
        .post_upload_api(
            &kaz,
            "/api/hashes/hash",
            &[("match", "true")],
            "upload.png",
            &copy.bytes,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["pdq"].as_str().unwrap().len(), 64);
    let pdq_matches = v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["signal_type"] == "pdq")
        .unwrap();
    assert!(
        pdq_matches["matches"][0]["distance"].as_u64().unwrap() <= 31,
        "{v}"
    );
    // Not an image but posing as one: refused, naming the file.
    let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
    fake.extend_from_slice(&[0u8; 64]);
    let (status, _) = app
        .post_upload_api(&kaz, "/api/hashes/hash", &[], "upload.png", &fake)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The page does the same for a person, in the browser's upload.
    let b = app.sign_in("kaz.admin").await;
    let (content_type, body) = multipart_form(&[("csrf", &b.csrf)], "upload.png", &copy.bytes);
    let r = app
        .http
        .post(app.at("/hashes/check"))
        .header(reqwest::header::COOKIE, b.cookie_header())
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(r#"href="/banks/kaz-bank""#),
        "the match is shown"
    );
    // Nothing of the content is in the database.
    app.assert_not_stored(&copy.bytes);
}

async fn the_bank_pages_show_only_readable_banks_in_both_languages(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks",
        Some(&bank("kaz-bank", "KAZ", "AMBER", &["KGZ"])),
    )
    .await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&json!({ "hashes": [sha256(&"77".repeat(32))] })),
    )
    .await;
    let kgz = app.sign_in("kgz.admin").await;
    let page = app.get(&kgz, "/banks?lang=ru").await.text().await.unwrap();
    assert!(page.contains("Банки хешей") && page.contains("Bank kaz-bank"));
    let page = app.get(&kgz, "/banks/kaz-bank").await.text().await.unwrap();
    assert!(page.contains("glorification") || page.contains("Glorification"));
    assert!(
        !page.contains("/remove\""),
        "another member reads but does not remove"
    );
    let usa = app.sign_in("usa.reader").await;
    let page = app.get(&usa, "/banks").await.text().await.unwrap();
    assert!(!page.contains("kaz-bank"));
    assert_eq!(
        app.get(&usa, "/banks/kaz-bank").await.status(),
        StatusCode::NOT_FOUND
    );
    let anon = app.anonymous().await;
    assert_ne!(app.get(&anon, "/banks").await.status(), StatusCode::OK);
    let owner = app.sign_in("kaz.admin").await;
    let page = app
        .get(&owner, "/banks/kaz-bank")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("/remove\""), "the owner may remove");
}

async fn a_delisted_subjects_hashes_are_flagged_then_retracted_after_the_grace_period(
    app: &TestApp,
) {
    use accord_store::common_list::SubjectKind;
    app.list_by_silence(
        SubjectKind::Organization,
        "Example Front",
        "statement",
        "summary",
    )
    .await;
    let kaz = app.api_token("kaz.admin").await;
    let mut b = bank("kaz-bank", "KAZ", "GREEN", &[]);
    b["grace_days"] = json!(14);
    api(app, Some(&kaz), Method::POST, "/api/banks", Some(&b)).await;
    let mut h = sha256(&"88".repeat(32));
    h["entity_subject"] = json!("ACL-0001");
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/banks/kaz-bank/hashes",
        Some(&json!({ "hashes": [h] })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    // The subject is delisted today, as the procedure records it (today, so
    // that the server's own clock, which runs the same retraction, finds
    // nothing due during the test).
    let today = time::OffsetDateTime::now_utc().date();
    sqlx::query("UPDATE list_subjects SET status = 'delisted', delisted_on = $1 WHERE public_id = 'ACL-0001'")
        .bind(today.to_string())
        .execute(app.store.raw_pool())
        .await
        .unwrap();
    assert_eq!(
        app.store.hashes_of_delisted().await.unwrap().len(),
        1,
        "flagged for its owner's review"
    );
    let b = app.sign_in("kaz.admin").await;
    let page = app.get(&b, "/banks/kaz-bank").await.text().await.unwrap();
    assert!(
        page.contains("ACL-0001") && page.contains("delisted-review"),
        "the bank page lists it for review"
    );
    let actor = accord_store::Actor::system("test");
    let n = app
        .store
        .retract_delisted_hashes(&actor, today + time::Duration::days(13))
        .await
        .unwrap();
    assert_eq!(n, 0, "within the grace period it still matches");
    let n = app
        .store
        .retract_delisted_hashes(&actor, today + time::Duration::days(14))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let (_, v) = lookup(
        app,
        &kaz,
        json!([{ "signal_type": "sha256", "signal": "88".repeat(32) }]),
    )
    .await;
    assert!(
        v[0]["matches"].as_array().unwrap().is_empty(),
        "a retracted hash does not match: {v}"
    );
    let (_, feed) = api(app, Some(&kaz), Method::GET, "/api/hashes/changes", None).await;
    let last = feed["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["state"], "retracted");
    assert_eq!(last["deleted"], true);
}
