//! API manifests over HTTP: `POST /api/manifests` and the /screen/manifest
//! page, against the test app's UN fixture (dataset "un",
//! crates/screening/tests/fixtures/un_screening.xml).

mod support;

use accord_paxlst::ListKind;
use accord_paxlst::builder::{LegSpec, ManifestBuilder, MessageSpec, TravellerSpec};
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE};
use serde_json::Value;
use support::*;

on_both_backends!(
    a_manifest_is_screened_in_message_order_with_the_listed_traveller_found,
    every_unreadable_manifest_is_refused_with_its_position_and_nothing_is_stored,
    anonymous_callers_cannot_screen_manifests,
    the_manifest_page_shows_the_flight_totals_and_hits_in_both_languages,
    a_bad_file_on_the_page_is_a_translated_error_on_the_form,
    by_default_only_the_flight_and_the_travellers_with_candidates_are_kept,
);

/// A UN-listed Libyan with his listed passport (LYi.023), the same person's
/// weak alias alone, a UN-listed Afghan by name only (TAi.005), a
/// traveller on no list, and one crew member.
fn manifest() -> String {
    let legs = || vec![LegSpec::new("IST", "2601151400", "NQZ", "2601152105")];
    let pax = MessageSpec::new("PX0100", ListKind::Passengers, "XA123", legs())
        .traveller(
            TravellerSpec::passenger("AL FITOURI", "AHMAD")
                .middle("OUMAR IMHAMAD")
                .gender("M")
                .born("880507")
                .nationality("LBY")
                .passport("LY53FP76", "300928", "LBY"),
        )
        .traveller(TravellerSpec::passenger("ANWARI", "MUHAMMAD").middle("TAHER"))
        .traveller(
            TravellerSpec::passenger("EXAMPLOV", "ARMAN")
                .born("910304")
                .nationality("KAZ")
                .passport("N00000001", "300101", "KAZ"),
        )
        .traveller(TravellerSpec::passenger("DABBASHI", "AL"));
    let crew = MessageSpec::new("CR0100", ListKind::Crew, "XA123", legs()).traveller(
        TravellerSpec::crew("PILOTOVA", "ANNA")
            .born("800101")
            .nationality("KAZ"),
    );
    ManifestBuilder::default()
        .message(pax)
        .message(crew)
        .build()
}

async fn post_manifest(
    app: &TestApp,
    token: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.http
        .post(app.at("/api/manifests"))
        .bearer_auth(token)
        .header(CONTENT_TYPE, "application/edifact")
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The screening audit records: (actor, details).
async fn screening_audits(app: &TestApp) -> Vec<(String, String)> {
    let q = accord_store::AuditQuery {
        action: Some("screening.run".into()),
        limit: 100,
        ..Default::default()
    };
    app.store
        .audit_records(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.actor, r.details))
        .collect()
}

async fn a_manifest_is_screened_in_message_order_with_the_listed_traveller_found(app: &TestApp) {
    let token = app.api_token("usa.reader").await;
    let r = post_manifest(app, &token, manifest()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    let body: Value = r.json().await.unwrap();
    let pax = &body["messages"][0];
    assert_eq!(pax["flight"]["number"], "XA123", "{body}");
    let t = &pax["travellers"];
    assert_eq!(t[0]["id"], "PX0100/1");
    assert_eq!(t[0]["name"], "AHMAD OUMAR IMHAMAD AL FITOURI");
    let hit = &t[0]["hits"][0];
    assert_eq!(hit["match_id"], "LYi.023", "{body}");
    assert_eq!(hit["dataset"], "un");
    assert_eq!(hit["document_match"]["listed_number"], "LY53FP76");
    assert_eq!(hit["low_confidence"], false);
    assert_eq!(t[1]["hits"][0]["match_id"], "TAi.005", "{body}");
    assert!(t[1]["hits"][0]["document_match"].is_null());
    assert_eq!(t[2]["hits"].as_array().unwrap().len(), 0, "{body}");
    // "Al Dabbashi" is one of LYi.023's low-quality aliases.
    let weak = &t[3]["hits"][0];
    assert_eq!(weak["match_id"], "LYi.023", "{body}");
    assert_eq!(weak["low_confidence"], true, "{body}");
    assert_eq!(body["messages"][1]["travellers"][0]["id"], "CR0100/1");
    assert_eq!(body["totals"]["travellers"], 5);
    assert_eq!(body["totals"]["crew"], 1);
    assert_eq!(body["totals"]["document_matches"], 1);

    // Audited like all screening: counts, not names.
    let audits = screening_audits(app).await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].0, "usa.reader");
    let details: Value = serde_json::from_str(&audits[0].1).unwrap();
    assert_eq!(details["queries"], 5, "{details}");
    assert_eq!(details["manifest"], true);
    assert!(!audits[0].1.contains("FITOURI"), "{details}");

    // Options in the query string.
    let r = app
        .http
        .post(app.at("/api/manifests?lists=nope"))
        .bearer_auth(&token)
        .body(manifest())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Each broken manifest, the parser's error kind and the tag it names.
/// (what, input, error kind, segment tag).
type Broken = (&'static str, Vec<u8>, &'static str, Option<&'static str>);

fn broken() -> Vec<Broken> {
    let ok = manifest();
    let unt = ok.find("UNT+").unwrap();
    let count_end = unt + 4 + ok[unt + 4..].find('+').unwrap();
    let count: u32 = ok[unt + 4..count_end].parse().unwrap();
    let wrong_count = format!("{}{}{}", &ok[..unt + 4], count + 3, &ok[count_end..]);
    vec![
        (
            "not EDIFACT",
            b"name,birth_date\nAHMAD,1988\n".to_vec(),
            "not_edifact",
            None,
        ),
        (
            "cut",
            ok.as_bytes()[..ok.len() / 2].to_vec(),
            "truncated",
            None,
        ),
        (
            "wrong UNT count",
            wrong_count.into_bytes(),
            "count_mismatch",
            Some("UNT"),
        ),
        (
            "name missing",
            ok.replace("NAD+FL+++ANWARI:MUHAMMAD:TAHER", "NAD+FL+++:MUHAMMAD:TAHER")
                .into_bytes(),
            "missing",
            Some("NAD"),
        ),
        (
            "impossible birth date",
            ok.replace("DTM+329:880507", "DTM+329:991332").into_bytes(),
            "invalid_date",
            Some("DTM"),
        ),
        (
            "wrong character set",
            ok.replace("EXAMPLOV", "Examplov").into_bytes(),
            "wrong_charset",
            None,
        ),
        ("too large", vec![b'A'; 300 * 1024], "too_large", None),
    ]
}

async fn every_unreadable_manifest_is_refused_with_its_position_and_nothing_is_stored(
    app: &TestApp,
) {
    let token = app.api_token("kaz.admin").await;
    assert!(
        manifest().contains("NAD+FL+++ANWARI:MUHAMMAD:TAHER"),
        "{}",
        manifest()
    );
    for (what, input, kind, tag) in broken() {
        let r = post_manifest(app, &token, input).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        let body: Value = r.json().await.unwrap();
        let e = &body["error"];
        assert_eq!(e["code"], "invalid_manifest", "{what}: {body}");
        assert_eq!(e["kind"]["kind"], kind, "{what}: {body}");
        assert!(e["position"]["segment"].is_u64(), "{what}: {body}");
        assert!(e["position"]["offset"].is_u64(), "{what}: {body}");
        let message = e["message"].as_str().unwrap();
        assert!(message.contains("segment "), "{what}: {message}");
        if let Some(tag) = tag {
            assert_eq!(e["tag"], tag, "{what}: {body}");
        }
        if !["not_edifact", "truncated", "too_large"].contains(&kind) {
            // Past the UNB header: the segment that is wrong.
            assert!(
                e["position"]["segment"].as_u64().unwrap() > 1,
                "{what}: {body}"
            );
        }
    }
    assert!(
        screening_audits(app).await.is_empty(),
        "nothing screened, nothing recorded"
    );
}

async fn anonymous_callers_cannot_screen_manifests(app: &TestApp) {
    let r = app
        .http
        .post(app.at("/api/manifests"))
        .body(manifest())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let b = app.anonymous().await;
    let r = app.get(&b, "/screen/manifest").await;
    assert!(
        matches!(r.status(), StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED),
        "{}",
        r.status()
    );
    assert!(screening_audits(app).await.is_empty());
}

fn multipart(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "accord-manifest-boundary-5c1e";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"XA123.edi\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, b: &Browser, file: &[u8], lang: &str) -> reqwest::Response {
    let (content_type, body) = multipart(&b.csrf, file);
    app.http
        .post(app.at(&format!("/screen/manifest?lang={lang}")))
        .header(COOKIE, format!("{}; accord_lang={lang}", b.cookie_header()))
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn the_manifest_page_shows_the_flight_totals_and_hits_in_both_languages(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let screen = app.get(&b, "/screen").await.text().await.unwrap();
    assert!(screen.contains(r#"href="/screen/manifest""#));
    let form = app.get(&b, "/screen/manifest").await;
    assert_eq!(form.status(), StatusCode::OK);
    let form = form.text().await.unwrap();
    assert!(form.contains(r#"enctype="multipart/form-data""#), "{form}");

    let r = upload(app, &b, manifest().as_bytes(), "en").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CACHE_CONTROL], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("Flight XA123"), "{html}");
    assert!(
        html.contains("5 travellers (4 passengers, 1 crew)"),
        "{html}"
    );
    let first = html
        .find("AHMAD OUMAR IMHAMAD AL FITOURI")
        .expect("traveller 1");
    let second = html.find("MUHAMMAD TAHER ANWARI").expect("traveller 2");
    assert!(first < second, "message order");
    assert!(html.contains("Exact document number"), "{html}");
    assert!(html.contains("LYi.023") && html.contains("TAi.005"));
    assert!(html.contains("Low confidence: weak alias"), "{html}");
    assert!(html.contains("No hit"));

    let ru = upload(app, &b, manifest().as_bytes(), "ru").await;
    let ru = ru.text().await.unwrap();
    assert!(ru.contains("Рейс XA123"), "{ru}");
    assert!(ru.contains("Точный номер документа"), "{ru}");
    assert!(ru.contains("Низкая достоверность"), "{ru}");
    assert_eq!(screening_audits(app).await.len(), 2);
}

async fn a_bad_file_on_the_page_is_a_translated_error_on_the_form(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let bad = manifest().replace("DTM+329:880507", "DTM+329:991332");
    let r = upload(app, &b, bad.as_bytes(), "en").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("A date is not a valid date."), "{html}");
    assert!(html.contains("tag DTM"), "{html}");
    assert!(html.contains("991332"), "{html}");
    assert!(
        html.contains(r#"action="/screen/manifest""#),
        "the form again"
    );
    let ru = upload(app, &b, b"not a manifest", "ru").await;
    assert_eq!(ru.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ru = ru.text().await.unwrap();
    assert!(ru.contains("Это не файл EDIFACT."), "{ru}");
    assert!(ru.contains("Ничего не проверено"), "{ru}");
    assert!(screening_audits(app).await.is_empty());
}

async fn by_default_only_the_flight_and_the_travellers_with_candidates_are_kept(app: &TestApp) {
    let token = app.api_token("kaz.admin").await;
    // Sent with an Idempotency-Key: a question's answer is never kept for
    // a retry, so that key changes nothing of what is stored.
    let r = app
        .http
        .post(app.at("/api/manifests"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "manifest-1")
        .body(manifest())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let answer: Value = r.json().await.unwrap();
    let id = answer["record"].as_i64().expect("the record's id");

    let (status, kept) = api(
        app,
        Some(&token),
        reqwest::Method::GET,
        &format!("/api/manifests/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kept["flights"][0]["flight"]["number"], "XA123", "{kept}");
    assert_eq!(kept["traveller_count"], 5);
    let names: Vec<&str> = kept["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.iter().any(|n| n.contains("AL FITOURI")), "{names:?}");
    assert!(
        kept["travellers"].is_null(),
        "no traveller kept beyond the hits"
    );
    // The travellers without a candidate are nowhere: not in the record,
    // not in the database files.
    let text = kept.to_string();
    assert!(
        !text.contains("EXAMPLOV") && !text.contains("PILOTOVA"),
        "{text}"
    );
    for needle in ["EXAMPLOV", "N00000001", "PILOTOVA"] {
        if let Some(path) = app.sqlite_path() {
            for entry in std::fs::read_dir(path.parent().unwrap()).unwrap() {
                let bytes = std::fs::read(entry.unwrap().path()).unwrap();
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{needle} is stored"
                );
            }
        }
    }

    // The page lists it and shows its hits; another member's user gets 404.
    let b = app.sign_in("kaz.admin").await;
    let list = app.get(&b, "/screen/manifests").await.text().await.unwrap();
    assert!(list.contains(&format!("/screen/manifests/{id}")) && list.contains("XA123"));
    let page = app
        .get(&b, &format!("/screen/manifests/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("AL FITOURI") && !page.contains("EXAMPLOV"));
    let other = app.api_token("kgz.admin").await;
    let (status, _) = api(
        app,
        Some(&other),
        reqwest::Method::GET,
        &format!("/api/manifests/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, theirs) = api(
        app,
        Some(&other),
        reqwest::Method::GET,
        "/api/manifests",
        None,
    )
    .await;
    assert_eq!(theirs, serde_json::json!([]));
    // Nor the secretariat: border data stays with the member.
    let sec = app.api_token("sec").await;
    let (status, _) = api(
        app,
        Some(&sec),
        reqwest::Method::GET,
        &format!("/api/manifests/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
