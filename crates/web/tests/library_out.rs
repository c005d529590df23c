//! What leaves the knowledge library, over HTTP on SQLite and PostgreSQL:
//! STIX 2.1 downloads of items and of a search (the one rule applied, the
//! TAXII server's objects, OASIS's validator satisfied, audited), and the
//! notifications of its workflow (reviewers told of a submission, the
//! author of each decision; a colleague who may not read the item told
//! nothing, and a title shown only to a reader who may read it now).

mod support;

use std::collections::BTreeSet;

use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    items_and_searches_download_as_stix_bundles_of_what_the_reader_may_read,
    reviewers_and_authors_are_told_and_colleagues_learn_nothing,
);

const TLP_CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
/// The public TAXII collection's id (docs/taxii.md).
const PUBLIC_COLLECTION: &str = "645f92e4-fa62-593a-8bb8-3af9277d88da";

fn item_body(title: &str, marking: &str, distribution: &str, extra: Value) -> Value {
    let mut body = json!({
        "kind": "research",
        "marking": marking,
        "distribution": distribution,
        "versions": [{"lang": "en", "title": title, "summary": "A summary.", "body": format!("## Findings\n\n{title} body text.")}],
        "countries": ["KAZ"],
        "themes": ["prisons"],
        "published": "2026-06-01",
        "sources": ["https://www.osce.org/", "Field interviews, 2025"],
        "unverified": ["The survey's sample size"],
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    body
}

/// A GET with a token (or none): the response.
async fn get(app: &TestApp, token: Option<&str>, path: &str) -> reqwest::Response {
    let mut r = app.http.get(app.at(path));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap()
}

/// A STIX download: checks it is one (media type, attachment) and returns
/// the bundle.
async fn bundle(app: &TestApp, token: Option<&str>, path: &str) -> Value {
    let r = get(app, token, path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    let ct = r.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
    assert_eq!(ct, "application/stix+json;version=2.1", "{path}");
    let disposition = r.headers()[CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["type"], "bundle");
    b
}

fn reports(b: &Value) -> Vec<&Value> {
    b["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "report")
        .collect()
}

fn report_names(b: &Value) -> BTreeSet<String> {
    reports(b)
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// OASIS's stix2-validator in strict mode (302 off, as for the TAXII
/// pages: sources are web pages, not files): its findings.
fn oasis_findings(python: &str, bundle: &Value) -> String {
    let dir = std::env::temp_dir().join(format!(
        "accord-library-stix-{}-{}",
        std::process::id(),
        accord_store::now_ms()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bundle.json");
    std::fs::write(&path, serde_json::to_vec(bundle).unwrap()).unwrap();
    let script = "import sys\nfrom stix2validator import ValidationOptions, validate_file\n\
                  r = validate_file(sys.argv[1], ValidationOptions(strict=True, disabled=['302'], version='2.1'))\n\
                  bad = [str(e) for o in r.object_results for e in o.errors + o.warnings]\n\
                  print('\\n'.join(bad)); sys.exit(0 if r.is_valid and not bad else 1)";
    let out = std::process::Command::new(python)
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    if out.status.success() {
        String::new()
    } else {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }
}

async fn items_and_searches_download_as_stix_bundles_of_what_the_reader_may_read(app: &TestApp) {
    app.add_user("kaz.analyst", "KAZ", "contributor").await;
    app.add_user("tjk.reader", "TJK", "reader").await;
    let analyst = app.api_token("kaz.analyst").await;
    let admin = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let tjk = app.api_token("tjk.reader").await;
    let public = published(
        app,
        &analyst,
        &admin,
        &item_body("Stixword public study", "CLEAR", "platform", json!({})),
    )
    .await;
    let (s, v) = app
        .post_upload_api(
            &analyst,
            &format!("/api/library/items/{public}/attachments"),
            &[],
            "notes.txt",
            b"field notes",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // A file added to a published item is a revision: approved, it is out.
    let (s, v) = api(
        app,
        Some(&admin),
        Method::POST,
        &format!("/api/library/items/{public}/approve"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let green = published(
        app,
        &analyst,
        &admin,
        &item_body("Stixword partnership study", "GREEN", "platform", json!({})),
    )
    .await;
    let amber = published(
        app,
        &analyst,
        &admin,
        &item_body(
            "Stixword amber study",
            "AMBER",
            "members",
            json!({"share_members": ["KGZ"]}),
        ),
    )
    .await;
    let (s, v) = api(
        app,
        Some(&analyst),
        Method::POST,
        "/api/library/items",
        Some(&item_body("Stixword draft", "CLEAR", "platform", json!({}))),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let draft = v["id"].as_i64().unwrap();

    // One item: its report, what the report names, nothing else.
    let one = bundle(app, None, &format!("/api/library/items/{public}/stix")).await;
    let report = reports(&one)[0].clone();
    assert_eq!(reports(&one).len(), 1);
    assert_eq!(report["name"], "Stixword public study");
    assert_eq!(report["object_marking_refs"], json!([TLP_CLEAR]));
    let ids: BTreeSet<&str> = one["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(report["created_by_ref"].as_str().unwrap()));
    for named in report["object_refs"].as_array().unwrap() {
        assert!(ids.contains(named.as_str().unwrap()), "{named}");
    }
    let extension = report["extensions"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap();
    assert!(
        ids.contains(extension.as_str()),
        "the extension's definition"
    );
    assert!(
        report["external_references"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["hashes"]["SHA-256"].is_string()),
        "the attachment by its hash"
    );
    // The very object a TAXII client receives for the item.
    let r = app
        .http
        .get(app.at(&format!(
            "/taxii2/accord/collections/{PUBLIC_COLLECTION}/objects/?match[type]=report"
        )))
        .header(ACCEPT, "application/taxii+json;version=2.1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let feed: Value = r.json().await.unwrap();
    let served = feed["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "Stixword public study")
        .expect("the item on the TAXII server");
    assert_eq!(served["id"], report["id"]);
    assert_eq!(served["modified"], report["modified"]);

    // A hidden item, a draft, an item not yet published: 404 alike.
    for (token, id) in [
        (None, green),
        (Some(tjk.as_str()), amber),
        (None, draft),
        (Some(analyst.as_str()), draft),
    ] {
        let r = get(app, token, &format!("/api/library/items/{id}/stix")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{id} as {token:?}");
    }

    // A search's bundle: exactly the published items the reader may read.
    let everyone = [
        "Stixword public study",
        "Stixword partnership study",
        "Stixword amber study",
    ];
    for (token, expected) in [
        (None, &everyone[..1]),
        (Some(tjk.as_str()), &everyone[..2]),
        (Some(kgz.as_str()), &everyone[..]),
        (Some(analyst.as_str()), &everyone[..]),
    ] {
        let b = bundle(app, token, "/api/library/export.stix?q=stixword").await;
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(report_names(&b), expected, "{token:?}");
    }
    let kinds = bundle(
        app,
        Some(&kgz),
        "/api/library/export.stix?q=stixword&marking=AMBER",
    )
    .await;
    assert_eq!(
        report_names(&kinds),
        BTreeSet::from(["Stixword amber study".to_string()]),
        "the search's filters"
    );
    let r = get(app, None, "/api/library/export.stix?from=yesterday").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // OASIS's validator accepts what a reader downloads.
    let everything = bundle(app, Some(&kgz), "/api/library/export.stix?q=stixword").await;
    if let Some(python) = peer_python() {
        assert_eq!(
            oasis_findings(&python, &everything),
            "",
            "the validator's findings"
        );
        assert_eq!(
            oasis_findings(&python, &one),
            "",
            "the validator's findings"
        );
    }

    // Every download is audited, with each marked item.
    let exports = app
        .store
        .audit_records(&accord_store::AuditQuery {
            before: None,
            action: Some("library.export".into()),
            actor: Some("kgz.admin".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        exports.iter().any(|r| {
            let d: Value = serde_json::from_str(&r.details).unwrap();
            d["format"] == "stix"
                && d["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["item"] == amber && i["marking"] == "AMBER")
        }),
        "{exports:?}"
    );

    // A withdrawn item is in no download, not even its author's.
    let (s, v) = api(
        app,
        Some(&analyst),
        Method::POST,
        &format!("/api/library/items/{green}/withdraw"),
        Some(&json!({"reason": "superseded"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let r = get(
        app,
        Some(&analyst),
        &format!("/api/library/items/{green}/stix"),
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let b = bundle(app, Some(&tjk), "/api/library/export.stix?q=stixword").await;
    assert_eq!(
        report_names(&b),
        BTreeSet::from(["Stixword public study".to_string()])
    );

    // The pages link the downloads beside the CSV one.
    let browser = app.anonymous().await;
    let page = app
        .get(&browser, &format!("/library/{public}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/api/library/items/{public}/stix")));
    let page = app
        .get(&browser, "/library?q=stixword")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("/library/export.csv?q=stixword"));
    assert!(page.contains("/api/library/export.stix?q=stixword"));
}

/// The caller's notifications as the API gives them.
async fn notices(app: &TestApp, token: &str) -> Vec<Value> {
    let (s, v) = api(app, Some(token), Method::GET, "/api/notifications", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

/// The library notices about `item` among them: (kind, the title shown, the note).
fn about(list: &[Value], item: i64) -> Vec<(String, Option<String>, Option<String>)> {
    list.iter()
        .filter(|n| n["library_item"] == item)
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_string(),
                n["item"]["title"].as_str().map(str::to_string),
                n["params"]["note"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// The notifications page as `user` sees it, in `lang`.
async fn notices_page(app: &TestApp, b: &Browser, lang: &str) -> String {
    let r = app
        .http
        .get(app.at("/notifications"))
        .header(COOKIE, b.cookie_header())
        .header(ACCEPT_LANGUAGE, lang)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

async fn step(app: &TestApp, token: &str, id: i64, step: &str, body: Value) {
    let (s, v) = api(
        app,
        Some(token),
        Method::POST,
        &format!("/api/library/items/{id}/{step}"),
        Some(&body),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{step}: {v}");
}

async fn reviewers_and_authors_are_told_and_colleagues_learn_nothing(app: &TestApp) {
    for (user, role) in [
        ("kaz.analyst", "contributor"),
        ("kaz.admin2", "member_admin"),
        ("kaz.colleague", "contributor"),
        ("kaz.reader", "reader"),
    ] {
        app.add_user(user, "KAZ", role).await;
    }
    let analyst = app.api_token("kaz.analyst").await;
    let admin = app.api_token("kaz.admin").await;
    let admin2 = app.api_token("kaz.admin2").await;
    let sec = app.api_token("sec").await;
    let colleagues = [
        app.api_token("kaz.colleague").await,
        app.api_token("kaz.reader").await,
    ];
    let colleague_pages = [
        app.sign_in("kaz.colleague").await,
        app.sign_in("kaz.reader").await,
    ];
    let mut before = Vec::new();
    for (token, b) in colleagues.iter().zip(&colleague_pages) {
        before.push((notices(app, token).await, notices_page(app, b, "en").await));
    }
    let unread_of = |page: &str| {
        let start = page.find(r#"id="unread""#).expect("the unread count");
        page[start..].split('<').next().unwrap().to_string()
    };

    let (s, g) = api(
        app,
        Some(&admin),
        Method::POST,
        "/api/library/groups",
        Some(&json!({"name": "Named", "users": ["usa.reader"]})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let title = "Redword informant networks";
    let (s, v) = api(
        app,
        Some(&analyst),
        Method::POST,
        "/api/library/items",
        Some(&json!({
            "kind": "research", "marking": "RED", "distribution": "group", "group": g["id"],
            "versions": [{"lang": "en", "title": title, "summary": "Who talks to whom.", "body": "Names."}],
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().unwrap();

    // Submitted: each of the member's administrators is told, by name.
    step(app, &analyst, id, "submit", json!({})).await;
    for token in [&admin, &admin2] {
        assert_eq!(
            about(&notices(app, token).await, id),
            [(
                "library_submitted".to_string(),
                Some(title.to_string()),
                None
            )]
        );
    }
    let admin_page = app.sign_in("kaz.admin").await;
    let page = notices_page(app, &admin_page, "ru").await;
    assert!(
        page.contains("Материал библиотеки ожидает вашей проверки."),
        "{page}"
    );
    assert!(page.contains(title));
    assert!(page.contains(&format!("/library/{id}")));
    // The secretariat reviews CLEAR items shared platform-wide only; the
    // author is not told of their own step.
    assert!(about(&notices(app, &sec).await, id).is_empty());
    assert!(about(&notices(app, &analyst).await, id).is_empty());

    // Returned with a note: the author is told, with the note.
    step(
        app,
        &admin,
        id,
        "return",
        json!({"reason": "Cite the survey"}),
    )
    .await;
    assert_eq!(
        about(&notices(app, &analyst).await, id),
        [(
            "library_returned".to_string(),
            Some(title.to_string()),
            Some("Cite the survey".to_string())
        )]
    );
    let analyst_page = app.sign_in("kaz.analyst").await;
    let page = notices_page(app, &analyst_page, "en").await;
    assert!(page.contains("Your library item was returned to you."));
    assert!(page.contains("Cite the survey"));

    // Submitted again and approved, then withdrawn by an administrator.
    step(app, &analyst, id, "submit", json!({})).await;
    step(app, &admin2, id, "approve", json!({})).await;
    step(
        app,
        &admin,
        id,
        "withdraw",
        json!({"reason": "Sources at risk"}),
    )
    .await;
    let kinds: Vec<String> = about(&notices(app, &analyst).await, id)
        .into_iter()
        .map(|(kind, ..)| kind)
        .collect();
    assert_eq!(
        kinds,
        ["library_withdrawn", "library_published", "library_returned"],
        "newest first"
    );
    assert_eq!(
        about(&notices(app, &admin).await, id).len(),
        2,
        "two submissions"
    );

    // The member's other users were told nothing: no line, no title, no
    // count moved, at any step.
    for ((token, b), (list, page)) in colleagues.iter().zip(&colleague_pages).zip(&before) {
        let now = notices(app, token).await;
        assert_eq!(&now, list);
        let now_page = notices_page(app, b, "en").await;
        assert!(!now_page.contains("Redword"));
        assert_eq!(unread_of(&now_page), unread_of(page));
    }

    // A CLEAR item shared platform-wide: the secretariat is told too.
    let (s, v) = api(
        app,
        Some(&analyst),
        Method::POST,
        "/api/library/items",
        Some(&json!({
            "kind": "report", "marking": "CLEAR", "distribution": "platform",
            "versions": [{"lang": "en", "title": "Openword annual report", "summary": "", "body": "Text."}],
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let open = v["id"].as_i64().unwrap();
    step(app, &analyst, open, "submit", json!({})).await;
    assert_eq!(
        about(&notices(app, &sec).await, open),
        [(
            "library_submitted".to_string(),
            Some("Openword annual report".to_string()),
            None
        )]
    );

    // What is shown is decided when it is read: an administrator made a
    // reader no longer reads the withdrawn item, and sees no title.
    sqlx::query("UPDATE users SET role = 'reader' WHERE username = 'kaz.admin2'")
        .execute(app.store.raw_pool())
        .await
        .unwrap();
    let list = notices(app, &admin2).await;
    let hidden = ("library_submitted".to_string(), None, None);
    assert_eq!(about(&list, id), [hidden.clone(), hidden]);
    assert!(!serde_json::to_string(&list).unwrap().contains("Redword"));
    let b = app.sign_in("kaz.admin2").await;
    let page = notices_page(app, &b, "en").await;
    assert!(!page.contains("Redword"), "{page}");
    assert!(!page.contains(&format!("/library/{id}\"")));
    assert!(page.contains("a library item you may not read now"));
}
