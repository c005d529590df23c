//! Capacity-building programmes over HTTP: recording and editing under the
//! programme rules, result periods with separation of duties, visibility by
//! TLP on every path (page, API, CSV, IATI, Joint Plan pages), bad input
//! refused with every field named and nothing changed, IATI and CSV both
//! ways, all or nothing.

mod support;

use accord_core::user::NewUser;
use accord_store::Actor;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    a_member_records_a_programme_and_each_viewer_sees_it_by_its_marking,
    bad_input_is_refused_naming_each_field_and_changes_nothing,
    the_form_shows_refusals_translated_on_the_form_with_the_input_kept,
    only_participating_members_and_the_secretariat_edit_a_programme,
    result_periods_are_submitted_under_separation_of_duties_and_corrected,
    a_stale_save_is_refused_and_changes_nothing,
    saving_the_edit_form_unchanged_keeps_everything_the_form_does_not_show,
    the_iati_file_holds_only_publishable_programmes_and_freezes_their_identifiers,
    an_iati_import_is_all_or_nothing,
    the_csv_export_reads_back_unchanged_and_a_bad_csv_changes_nothing,
    the_joint_plan_pages_show_the_programmes_the_viewer_may_see,
);

/// A programme body as an API client sends it: a training programme of
/// `member` in 2026 with one indicator and one period.
fn programme(id: &str, member: &str, tlp: &str) -> Value {
    json!({
        "id": id,
        "title": [{ "lang": "en", "text": format!("Training {id}") }, { "lang": "ru", "text": "Обучение" }],
        "description": [{ "lang": "en", "text": "A course.\nWith a follow-up." }],
        "kind": "public_servant_training",
        "status": "implementation",
        "planned_start": "2026-01-01",
        "planned_end": "2026-12-31",
        "countries": [{ "code": "KZ" }],
        "sectors": [{ "code": "15210", "percentage": "60" }, { "code": "11430", "percentage": 40 }],
        "commitments": ["astana2015.step.5"],
        "participants": [
            { "role": "implementing", "member": member },
            { "role": "funding", "name": [{ "lang": "en", "text": "OSCE" }], "iati_ref": "XM-DAC-47068", "org_type": "40" }
        ],
        "budgets": [{ "start": "2026-01-01", "end": "2026-12-31", "amount": "50000", "currency": "EUR" }],
        "results": [{
            "kind": "output",
            "title": [{ "lang": "en", "text": "Trained" }],
            "indicators": [{
                "title": [{ "lang": "en", "text": "Public servants trained" }],
                "measure": "unit", "counts_people": true, "key": "public_servants_trained",
                "periods": [{
                    "start": "2026-01-01", "end": "2026-06-30",
                    "target": { "value": "100" },
                    "actual": { "value": "90", "parts": [{ "sex": "female", "value": "40" }, { "sex": "male", "value": "50" }] }
                }]
            }]
        }],
        "tlp": tlp,
        "publish_iati": tlp == "CLEAR",
    })
}

async fn ids(app: &TestApp, token: Option<&str>) -> Vec<String> {
    let (status, v) = api(app, token, Method::GET, "/api/programmes", None).await;
    assert_eq!(status, StatusCode::OK);
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect()
}

async fn stored_versions(app: &TestApp) -> usize {
    app.store
        .programmes()
        .await
        .unwrap()
        .iter()
        .map(|r| r.history.versions().len())
        .sum()
}

async fn add_user(app: &TestApp, username: &str, member: &str, role: &str) {
    let new = NewUser::parse(username, "Test", member, role).unwrap();
    app.store
        .create_user(&Actor::system("test"), &new, PASSWORD, false)
        .await
        .unwrap();
}

async fn a_member_records_a_programme_and_each_viewer_sees_it_by_its_marking(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let usa = app.api_token("usa.reader").await;
    for (id, tlp) in [
        ("kaz-clear", "CLEAR"),
        ("kaz-green", "GREEN"),
        ("kaz-amber", "AMBER"),
    ] {
        let (status, v) = api(
            app,
            Some(&kaz),
            Method::POST,
            "/api/programmes",
            Some(&programme(id, "KAZ", tlp)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        assert_eq!(v["version"], 1);
        assert_eq!(v["description"][0]["text"], "A course.\nWith a follow-up.");
    }
    assert_eq!(ids(app, None).await, ["kaz-clear"]);
    assert_eq!(
        ids(app, Some(&usa)).await,
        ["kaz-amber", "kaz-clear", "kaz-green"]
    );
    // Hidden means absent on every path, for the anonymous public.
    let anon = app.anonymous().await;
    for path in [
        "/programmes/kaz-green",
        "/api/programmes/kaz-amber",
        "/programmes/kaz-amber/edit",
    ] {
        let r = app.get(&anon, path).await;
        assert!(
            matches!(
                r.status(),
                StatusCode::NOT_FOUND | StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER
            ),
            "{path}: {}",
            r.status()
        );
    }
    let list = app.get(&anon, "/programmes").await.text().await.unwrap();
    assert!(list.contains("Training kaz-clear") && !list.contains("Training kaz-green"));
    let csv = app
        .get(&anon, "/programmes.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("kaz-clear") && !csv.contains("kaz-green") && !csv.contains("kaz-amber"));
    let periods = app
        .get(&anon, "/programmes/periods.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(!periods.contains("kaz-green"));
    // Outside the member, a draft period is not a result yet.
    let (_, seen) = api(
        app,
        Some(&usa),
        Method::GET,
        "/api/programmes/kaz-green",
        None,
    )
    .await;
    assert_eq!(
        seen["results"][0]["indicators"][0]["periods"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let (_, own) = api(
        app,
        Some(&kaz),
        Method::GET,
        "/api/programmes/kaz-green",
        None,
    )
    .await;
    assert_eq!(
        own["results"][0]["indicators"][0]["periods"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A prison programme starts AMBER and unpublished when no marking is given.
    let mut prison = programme("kaz-prison", "KAZ", "");
    prison["kind"] = json!("prison_rehabilitation");
    prison["publish_iati"] = Value::Null;
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/programmes",
        Some(&prison),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["tlp"], "AMBER");
    assert_eq!(v["publish_iati"], false);
    // The page shows it to the member, with its charts.
    let b = app.sign_in("kaz.admin").await;
    let page = app
        .get(&b, "/programmes/kaz-green")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<svg") && page.contains("Public servants trained"));
}

/// What is broken, how, the problem code expected and the field it names.
type BadCase = (
    &'static str,
    Box<dyn Fn(&mut Value)>,
    &'static str,
    &'static str,
);

async fn bad_input_is_refused_naming_each_field_and_changes_nothing(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let cases: Vec<BadCase> = vec![
        (
            "sectors",
            Box::new(|p| p["sectors"][1]["percentage"] = json!("30")),
            "sectors_not_hundred",
            "",
        ),
        (
            "end before start",
            Box::new(|p| p["planned_end"] = json!("2025-06-30")),
            "end_before_start",
            "planned_end",
        ),
        (
            "period outside",
            Box::new(|p| {
                p["results"][0]["indicators"][0]["periods"][0]["end"] = json!("2027-03-31")
            }),
            "outside_programme",
            "results[0].indicators[0].periods[0]",
        ),
        (
            "negative",
            Box::new(|p| {
                p["results"][0]["indicators"][0]["periods"][0]["actual"]["value"] = json!("-5")
            }),
            "negative",
            "results[0].indicators[0].periods[0].actual",
        ),
        (
            "parts exceed",
            Box::new(|p| {
                p["results"][0]["indicators"][0]["periods"][0]["actual"]["parts"][1]["value"] =
                    json!("80")
            }),
            "parts_exceed_total",
            "results[0].indicators[0].periods[0].actual",
        ),
        (
            "unknown sector",
            Box::new(|p| p["sectors"][0]["code"] = json!("99999")),
            "unknown_code",
            "sectors[0].code",
        ),
        (
            "currency",
            Box::new(|p| p["budgets"][0]["currency"] = json!("XYZ")),
            "unknown_currency",
            "budgets[0].currency",
        ),
        (
            "transaction currency",
            Box::new(
                |p| p["transactions"] = json!([{ "kind": "disbursement", "date": "2026-03-01", "amount": "100", "currency": "RUR" }]),
            ),
            "unknown_currency",
            "transactions[0].currency",
        ),
        (
            "negative amount",
            Box::new(|p| p["budgets"][0]["amount"] = json!("-100")),
            "negative",
            "budgets[0]",
        ),
        (
            "commitment",
            Box::new(|p| p["commitments"] = json!(["astana2015.step.99"])),
            "unknown_commitment",
            "commitments",
        ),
        (
            "publish marked",
            Box::new(|p| {
                p["tlp"] = json!("GREEN");
                p["publish_iati"] = json!(true)
            }),
            "publish_needs_clear",
            "",
        ),
    ];
    for (what, break_it, code, field) in cases {
        let mut body = programme("kaz-bad", "KAZ", "CLEAR");
        break_it(&mut body);
        let (status, v) = api(
            app,
            Some(&kaz),
            Method::POST,
            "/api/programmes",
            Some(&body),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {v}");
        let fields = v["error"]["fields"].as_array().unwrap();
        assert!(
            fields
                .iter()
                .any(|f| f["code"] == code && f["field"].as_str().unwrap().starts_with(field)),
            "{what}: {v}"
        );
        assert!(
            fields
                .iter()
                .all(|f| !f["message"].as_str().unwrap().is_empty())
        );
    }
    // Several problems at once are all named.
    let mut body = programme("kaz-bad", "KAZ", "CLEAR");
    body["sectors"][0]["code"] = json!("99999");
    body["budgets"][0]["currency"] = json!("XYZ");
    let (_, v) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/programmes",
        Some(&body),
    )
    .await;
    assert!(v["error"]["fields"].as_array().unwrap().len() >= 2, "{v}");
    assert_eq!(stored_versions(app).await, 0, "nothing was stored");
    assert!(ids(app, Some(&kaz)).await.is_empty());
}

async fn the_form_shows_refusals_translated_on_the_form_with_the_input_kept(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let fields = [
        ("id", "kaz-form"),
        ("title[en]", "Form <programme> & co"),
        ("description[en]", "Line one.\r\nLine two."),
        ("kind", "public_servant_training"),
        ("status", "implementation"),
        ("planned_start", "2026-01-01"),
        ("planned_end", "2026-12-31"),
        ("countries[0].code", "KZ"),
        ("sectors[0].code", "15210"),
        ("sectors[0].percentage", "60"),
        ("sectors[1].code", "11430"),
        ("sectors[1].percentage", "30"),
        ("participants[0].role", "implementing"),
        ("participants[0].member", "KAZ"),
        ("commitments", "astana2015.step.5"),
    ];
    let r = app.post_form(&b, "/programmes/new?lang=ru", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("доли секторов дают в сумме 90, а не 100"),
        "translated"
    );
    assert!(page.contains("Сектор"), "named by its label");
    assert!(
        page.contains("Form &lt;programme&gt; &amp; co"),
        "the input is kept, escaped"
    );
    assert!(
        page.contains(r#"value="astana2015.step.5" checked"#),
        "the checkbox is kept"
    );
    assert_eq!(stored_versions(app).await, 0);
    let mut fixed = fields.to_vec();
    fixed[11] = ("sectors[1].percentage", "40");
    let r = app.post_form(&b, "/programmes/new", &fixed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/programmes/kaz-form");
    let stored = app.store.programmes().await.unwrap();
    assert_eq!(
        stored[0].programme().description.best("en"),
        "Line one.\nLine two."
    );
    // The edit form reads back the stored programme; saving it unchanged adds no version.
    let edit = app
        .get(&b, "/programmes/kaz-form/edit")
        .await
        .text()
        .await
        .unwrap();
    assert!(edit.contains(r#"name="sectors[1].percentage""#) && edit.contains(r#"value="40""#));
    let r = app.post_form(&b, "/programmes/kaz-form/edit", &fixed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored_versions(app).await, 1);
}

async fn only_participating_members_and_the_secretariat_edit_a_programme(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let usa = app.api_token("usa.reader").await;
    let sec = app.api_token("sec").await;
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/programmes",
        Some(&programme("kaz-p", "KAZ", "GREEN")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut edit = programme("kaz-p", "KAZ", "GREEN");
    edit["title"][0]["text"] = json!("Changed by KGZ");
    let (status, v) = api(
        app,
        Some(&kgz),
        Method::PUT,
        "/api/programmes/kaz-p",
        Some(&edit),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "not_participating");
    // Nor can it record a programme for another member.
    let (status, _) = api(
        app,
        Some(&kgz),
        Method::POST,
        "/api/programmes",
        Some(&programme("kgz-for-kaz", "KAZ", "GREEN")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Readers never edit; the gate refuses them before the body is read.
    let (status, _) = api(
        app,
        Some(&usa),
        Method::POST,
        "/api/programmes",
        Some(&programme("usa-p", "USA", "GREEN")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api(
        app,
        None,
        Method::POST,
        "/api/programmes",
        Some(&programme("anon", "KAZ", "GREEN")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A participant cannot write the programme out of its own reach.
    let mut away = programme("kaz-p", "KGZ", "GREEN");
    away["countries"] = json!([{ "code": "KG" }]);
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::PUT,
        "/api/programmes/kaz-p",
        Some(&away),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(stored_versions(app).await, 1, "nothing changed");
    // The secretariat edits anywhere.
    edit["title"][0]["text"] = json!("Changed by the secretariat");
    let (status, v) = api(
        app,
        Some(&sec),
        Method::PUT,
        "/api/programmes/kaz-p",
        Some(&edit),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["version"], 2);
}

async fn result_periods_are_submitted_under_separation_of_duties_and_corrected(app: &TestApp) {
    add_user(app, "kaz.analyst", "KAZ", "contributor").await;
    let analyst = app.api_token("kaz.analyst").await;
    let admin = app.api_token("kaz.admin").await;
    let (status, v) = api(
        app,
        Some(&analyst),
        Method::POST,
        "/api/programmes",
        Some(&programme("kaz-sod", "KAZ", "GREEN")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let at = json!({ "result": 0, "indicator": 0, "period": 0 });
    let (status, v) = api(
        app,
        Some(&analyst),
        Method::POST,
        "/api/programmes/kaz-sod/periods/submit",
        Some(&at),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a contributor does not submit: {v}"
    );
    let (status, v) = api(
        app,
        Some(&admin),
        Method::POST,
        "/api/programmes/kaz-sod/periods/submit",
        Some(&at),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let state = &v["results"][0]["indicators"][0]["periods"][0]["state"];
    assert!(state.to_string().contains("submitted"), "{state}");
    // A submitted period cannot be changed by an edit.
    let mut edit = programme("kaz-sod", "KAZ", "GREEN");
    edit["results"][0]["indicators"][0]["periods"][0]["actual"]["value"] = json!("95");
    let (status, v) = api(
        app,
        Some(&admin),
        Method::PUT,
        "/api/programmes/kaz-sod",
        Some(&edit),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    // The administrator corrects it (a draft again) and then may not submit
    // their own change: someone else must.
    let (status, _) = api(
        app,
        Some(&admin),
        Method::POST,
        "/api/programmes/kaz-sod/periods/correct",
        Some(&at),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, v) = api(
        app,
        Some(&admin),
        Method::POST,
        "/api/programmes/kaz-sod/periods/submit",
        Some(&at),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "separation_of_duties");
    // The submitted values stay in the history.
    let versions = stored_versions(app).await;
    assert_eq!(versions, 3, "created, submitted, corrected");
    // The page offers the buttons only to those who may press them.
    let b = app.sign_in("kaz.admin").await;
    let page = app
        .get(&b, "/programmes/kaz-sod")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"action="/programmes/kaz-sod/periods/submit""#));
    let kgz = app.sign_in("kgz.admin").await;
    let page = app
        .get(&kgz, "/programmes/kaz-sod")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("/periods/submit") && !page.contains("/edit\""));
    // The page's refusal is shown on the page, translated.
    let r = app
        .post_form(
            &b,
            "/programmes/kaz-sod/periods/submit?lang=ru",
            &[("result", "0"), ("indicator", "0"), ("period", "0")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("Разделение обязанностей"));
}

async fn a_stale_save_is_refused_and_changes_nothing(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/programmes",
        Some(&programme("kaz-stale", "KAZ", "GREEN")),
    )
    .await;
    let mut first = programme("kaz-stale", "KAZ", "GREEN");
    first["title"][0]["text"] = json!("First");
    first["version"] = json!(1);
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::PUT,
        "/api/programmes/kaz-stale",
        Some(&first),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut second = first.clone();
    second["title"][0]["text"] = json!("Second, from an old page");
    let (status, _) = api(
        app,
        Some(&kaz),
        Method::PUT,
        "/api/programmes/kaz-stale",
        Some(&second),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, v) = api(
        app,
        Some(&kaz),
        Method::GET,
        "/api/programmes/kaz-stale",
        None,
    )
    .await;
    assert_eq!(v["title"][0]["text"], "First");
    assert_eq!(v["version"], 2);
    // The form from an old page: refused on the form, in the user's language.
    let b = app.sign_in("kaz.admin").await;
    let r = app
        .post_form(
            &b,
            "/programmes/kaz-stale/edit?lang=ru",
            &[
                ("version", "1"),
                ("title[en]", "From an old page"),
                ("kind", "public_servant_training"),
                ("status", "implementation"),
                ("planned_start", "2026-01-01"),
                ("planned_end", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Программу изменил кто-то другой"),
        "translated"
    );
    assert!(page.contains("From an old page"), "the input is kept");
    assert_eq!(stored_versions(app).await, 2);
}

fn xmllint_validates(xml: &str) {
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../programmes/tests/fixtures/iati-schema/iati-activities-schema.xsd"
    );
    let file = std::env::temp_dir().join(format!("accord-iati-{}.xml", std::process::id()));
    std::fs::write(&file, xml).unwrap();
    match std::process::Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", schema])
        .arg(&file)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) if std::env::var("CI").is_err() => eprintln!("SKIPPED: xmllint is not installed"),
        Err(e) => panic!("xmllint is needed in CI: {e}"),
    }
}

async fn the_iati_file_holds_only_publishable_programmes_and_freezes_their_identifiers(
    app: &TestApp,
) {
    let kaz = app.api_token("kaz.admin").await;
    let (status, _) = api(app, None, Method::GET, "/api/programmes/iati.xml", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing to publish yet");
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/programmes",
        Some(&programme("kaz-open", "KAZ", "CLEAR")),
    )
    .await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/programmes",
        Some(&programme("kaz-closed", "KAZ", "GREEN")),
    )
    .await;
    let r = app
        .http
        .get(app.at("/api/programmes/iati.xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let xml = r.text().await.unwrap();
    assert!(xml.contains("<iati-identifier>XI-IATI-ACCORD-kaz-open</iati-identifier>"));
    assert!(!xml.contains("kaz-closed"));
    // Only submitted periods are results in IATI: the draft is left out.
    assert!(!xml.contains("<period>"), "{xml}");
    xmllint_validates(&xml);
    accord_programmes::iati::check_codes(xml.as_bytes()).unwrap();
    let member = app
        .http
        .get(app.at("/api/members/KAZ/programmes/iati.xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(member.status(), StatusCode::OK);
    let (status, _) = api(
        app,
        None,
        Method::GET,
        "/api/members/KGZ/programmes/iati.xml",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Published: the identifier is fixed.
    let (_, v) = api(
        app,
        Some(&kaz),
        Method::GET,
        "/api/programmes/kaz-open",
        None,
    )
    .await;
    assert_eq!(v["published"], true);
    assert_eq!(v["iati_identifier"], "XI-IATI-ACCORD-kaz-open");
    let mut rename = programme("kaz-open", "KAZ", "CLEAR");
    rename["iati_identifier"] = json!("XI-IATI-ACCORD-other");
    let (status, v) = api(
        app,
        Some(&kaz),
        Method::PUT,
        "/api/programmes/kaz-open",
        Some(&rename),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "identifier_frozen");
    // Exporting again publishes nothing new.
    let before = stored_versions(app).await;
    app.http
        .get(app.at("/api/programmes/iati.xml"))
        .send()
        .await
        .unwrap();
    assert_eq!(stored_versions(app).await, before);
}

async fn import(
    app: &TestApp,
    b: &Browser,
    path: &str,
    name: &str,
    file: &[u8],
) -> reqwest::Response {
    let (content_type, body) = multipart_form(&[("csrf", &b.csrf)], name, file);
    app.http
        .post(app.at(path))
        .header(COOKIE, b.cookie_header())
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The API's import: the file as multipart, authenticated by a token.
async fn import_api(app: &TestApp, token: &str, name: &str, file: &[u8]) -> reqwest::Response {
    let (content_type, body) = multipart_form(&[], name, file);
    app.http
        .post(app.at("/api/programmes/import"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// A donor's own IATI file (UNDP as the reporting organisation), written by
/// the domain's writer from its sample programme.
fn donor_file() -> Vec<u8> {
    use accord_programmes::model::{OrgRef, OrgType, Text};
    let donor = accord_programmes::iati::IatiConfig {
        reporting_org: OrgRef::parse("XM-DAC-41114").unwrap(),
        reporting_org_type: OrgType::parse("40").unwrap(),
        reporting_org_name: Text::single("en", "UNDP", 200).unwrap(),
    };
    let p = accord_programmes::sample::publishable();
    let now = time::OffsetDateTime::now_utc();
    accord_programmes::iati::write_activities(&[(&p, now)], &donor, now)
        .unwrap()
        .xml
        .into_bytes()
}

async fn an_iati_import_is_all_or_nothing(app: &TestApp) {
    let sec = app.sign_in("sec").await;
    let good = donor_file();
    // A file that breaks the schema is refused whole, with its position.
    let broken = String::from_utf8(good.clone())
        .unwrap()
        .replace("<iati-identifier>", "<iati-identifer>");
    let r = import(
        app,
        &sec,
        "/programmes/import",
        "broken.xml",
        broken.as_bytes(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("role=\"alert\""));
    let r = import(
        app,
        &sec,
        "/programmes/import",
        "not.xml",
        b"<html><body>no</body></html>",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored_versions(app).await, 0);
    // The good file creates its programmes; importing it again changes nothing.
    let r = import(app, &sec, "/programmes/import", "donor.xml", &good).await;
    let status = r.status();
    let page = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("The file was imported."));
    let n = stored_versions(app).await;
    assert!(n >= 1);
    let r = import_api(app, &app.api_token("sec").await, "donor.xml", &good).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert!(v["created"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(stored_versions(app).await, n);
    // A member user may not import a donor's activity it does not take part in.
    let kgz = app.sign_in("kgz.admin").await;
    let other = String::from_utf8(good)
        .unwrap()
        .replace("</iati-identifier>", "-2</iati-identifier>");
    let r = import(
        app,
        &kgz,
        "/programmes/import",
        "donor.xml",
        other.as_bytes(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored_versions(app).await, n);
}

async fn the_csv_export_reads_back_unchanged_and_a_bad_csv_changes_nothing(app: &TestApp) {
    let kaz_token = app.api_token("kaz.admin").await;
    api(
        app,
        Some(&kaz_token),
        Method::POST,
        "/api/programmes",
        Some(&programme("kaz-csv", "KAZ", "GREEN")),
    )
    .await;
    let kaz = app.sign_in("kaz.admin").await;
    let r = app.get(&kaz, "/programmes.csv").await;
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = r.text().await.unwrap();
    assert!(csv.contains("kaz-csv"));
    let r = import_api(app, &kaz_token, "programmes.csv", csv.as_bytes()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["skipped"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(stored_versions(app).await, 1);
    // One bad row refuses the file: the good row is not applied either.
    let periods = app
        .get(&kaz, "/programmes/periods.csv")
        .await
        .text()
        .await
        .unwrap();
    let mut lines: Vec<String> = periods.lines().map(str::to_string).collect();
    let changed = lines[1].replacen(",90,", ",91,", 1);
    let broken = lines[1].replacen("2026-06-30", "2027-06-30", 1);
    lines[1] = changed;
    lines.push(broken);
    let r = import_api(app, &kaz_token, "periods.csv", lines.join("\n").as_bytes()).await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        r.text().await.unwrap()
    );
    assert_eq!(stored_versions(app).await, 1);
}

async fn the_joint_plan_pages_show_the_programmes_the_viewer_may_see(app: &TestApp) {
    let kaz = app.api_token("kaz.admin").await;
    let mut p = programme("kaz-jp", "KAZ", "GREEN");
    p["commitments"] = json!(["astana2015.step.6"]);
    api(app, Some(&kaz), Method::POST, "/api/programmes", Some(&p)).await;
    api(
        app,
        Some(&kaz),
        Method::POST,
        "/api/programmes/kaz-jp/periods/submit",
        Some(&json!({ "result": 0, "indicator": 0, "period": 0 })),
    )
    .await;
    let b = app.sign_in("usa.reader").await;
    let page = app
        .get(&b, "/commitments/astana2015.step.6")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Training kaz-jp"),
        "a signed-in partner sees the GREEN programme"
    );
    assert!(
        page.contains("90 — Public servants trained"),
        "its submitted result"
    );
    let anon = app.anonymous().await;
    let page = app
        .get(&anon, "/commitments/astana2015.step.6")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Training kaz-jp"), "the public does not");
    let page = app
        .get(&b, "/members/KAZ/programmes")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Training kaz-jp") && page.contains("<svg"));
}

/// The inputs a browser would post from `html`'s form with `action`: text
/// and hidden inputs, checked checkboxes, selected options, textareas.
fn form_inputs(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!(r#"action="{action}""#))
        .expect("the form");
    let form = &html[start
        ..html[start..]
            .find("</form>")
            .map_or(html.len(), |e| start + e)];
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let at = tag.find(&key)? + key.len();
        Some(unescape(&tag[at..at + tag[at..].find('"')?]))
    };
    let mut out = Vec::new();
    let mut rest = form;
    while let Some(open) = rest.find('<') {
        rest = &rest[open..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_default();
            if let Some(name) = attr(tag, "name")
                && (kind != "checkbox" || tag.contains(" checked"))
                && kind != "file"
            {
                out.push((name, attr(tag, "value").unwrap_or_default()));
            }
        } else if tag.starts_with("<textarea") {
            let body = &rest[end + 1..];
            let text = &body[..body.find("</textarea>").unwrap()];
            out.push((attr(tag, "name").unwrap(), unescape(text)));
        } else if tag.starts_with("<select") {
            let body = &rest[end + 1..];
            let options = &body[..body.find("</select>").unwrap()];
            let selected = options
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| options.split("<option").nth(1))
                .and_then(|o| attr(&format!(" {o}"), "value"))
                .unwrap_or_default();
            out.push((attr(tag, "name").unwrap(), selected));
        }
        rest = &rest[1..];
    }
    out
}

async fn saving_the_edit_form_unchanged_keeps_everything_the_form_does_not_show(app: &TestApp) {
    // The domain's sample has every feature: narratives in two languages,
    // parts by sex and age, budgets of both types, documents, submitted periods.
    let kaz = accord_core::Principal::of_user(
        &app.store
            .user_by_username(&accord_core::Username::parse("kaz.admin").unwrap())
            .await
            .unwrap(),
    );
    let sample = accord_programmes::sample::sample();
    app.store
        .create_programme(&Actor::new(&kaz, "test"), &kaz, sample.clone())
        .await
        .unwrap();
    let b = app.sign_in("kaz.admin").await;
    let path = format!("/programmes/{}/edit", sample.id);
    let html = app.get(&b, &path).await.text().await.unwrap();
    let posted = form_inputs(&html, &path);
    assert!(posted.iter().any(|(k, _)| k == "csrf"));
    let fields: Vec<(&str, &str)> = posted
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.post_form(&b, &path, &fields).await;
    let status = r.status();
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let stored = app.store.programmes().await.unwrap();
    assert_eq!(
        stored[0].programme(),
        &sample,
        "nothing was lost or changed"
    );
    assert_eq!(
        stored[0].history.versions().len(),
        1,
        "an unchanged save stores no version"
    );
}
