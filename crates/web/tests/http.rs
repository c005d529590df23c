//! Black-box tests: the real server on a random port with a fresh database,
//! spoken to over HTTP as a browser or an API client would.

mod support;

use accord_core::user::NewUser;
use accord_store::Actor;
use reqwest::Method;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    a_focal_point_saved_by_someone_else_meanwhile_keeps_my_text_and_shows_theirs,
    each_user_of_a_member_keeps_their_own_unread_notifications,
    names_that_hide_characters_are_refused_naming_the_field_and_keep_the_input,
    signed_in_answers_are_never_cached_and_https_is_required_with_secure_cookies,
    requests_axum_cannot_read_get_the_same_json_errors_as_the_rest,
    health_metrics_and_the_openapi_document_answer,
    a_token_is_held_to_its_scopes_and_cannot_make_tokens_nor_post_forms,
    a_token_form_refuses_bad_input_naming_each_field_and_keeps_it,
    the_member_directory_is_public_in_json_and_html,
    focal_points_need_a_signed_in_member_user,
    a_member_admin_adds_a_focal_point_through_the_form,
    forms_without_the_right_csrf_token_are_refused_and_change_nothing,
    forbidden_requests_get_403_and_are_audited,
    unknown_ids_get_404_as_json_and_as_a_page,
    malformed_and_invalid_json_is_rejected_naming_the_field,
    oversized_bodies_get_413,
    api_tokens_authenticate_machines_until_revoked,
    a_stale_edit_gets_409_and_changes_nothing,
    repeated_failed_sign_ins_get_429,
    the_interface_switches_to_russian,
    session_api_writes_need_the_csrf_header,
    one_time_passwords_must_be_changed_first,
    screening_answers_a_cyrillic_name_and_is_audited_without_the_name,
    screening_batches_answer_bad_queries_as_errors_and_refuse_oversized_batches,
    the_yente_match_endpoint_answers_in_yentes_shape,
    the_secretariat_imports_a_reference_list_which_screening_then_uses,
    malformed_or_forbidden_list_uploads_change_nothing,
    oversized_uploads_get_413_and_change_nothing,
    the_commitments_are_public_with_the_exact_words_of_their_source,
    an_adopted_listing_is_published_with_its_reasons_and_exported_with_etags,
    a_full_round_through_the_pages_propose_hold_lift_concur_and_adopt,
    anyone_can_petition_for_delisting_and_follow_it_by_tracking_number,
    proposals_and_decisions_through_the_api_with_positions_only_for_those_allowed,
    a_listed_entry_is_delisted_by_a_proposal_and_leaves_the_next_version,
    subjects_are_merged_only_explicitly_by_the_secretariat_and_the_merge_can_be_undone,
    a_reporting_round_from_opening_to_the_matrix_the_chart_and_the_csv,
    bad_reports_get_clear_errors_and_change_nothing,
    restricted_reports_are_seen_only_by_their_member_and_the_secretariat,
    separation_of_duties_and_strategies_over_http,
    the_secretariat_merges_and_unmerges_subjects_on_the_merge_page,
    a_proposal_carries_the_full_subject_and_its_un_reference_into_the_list_and_exports,
    bad_subject_details_are_refused_naming_the_field_and_change_nothing,
    the_secretariat_edits_the_procedure_rule_which_new_proposals_take,
    the_procedure_clock_runs_under_a_lease_held_by_this_node,
);

async fn the_procedure_clock_runs_under_a_lease_held_by_this_node(app: &TestApp) {
    let mut lease = None;
    for _ in 0..50 {
        lease = app.store.lease("procedure_clock").await.unwrap();
        if lease.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let lease = lease.expect("the clock took its lease on its first tick");
    assert!(
        lease.holder.contains(&format!(":{}:", std::process::id())),
        "{lease:?}"
    );
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    assert!(lease.expires_at > now, "{lease:?}");
    assert!(
        !app.store
            .try_lease("procedure_clock", "another-node", now, 60_000)
            .await
            .unwrap(),
        "another node waits for the lease to expire"
    );
}

async fn the_secretariat_edits_the_procedure_rule_which_new_proposals_take(app: &TestApp) {
    let anonymous = app.anonymous().await;
    assert_eq!(
        app.get(&anonymous, "/procedure").await.status(),
        StatusCode::SEE_OTHER
    );
    let kaz = app.sign_in("kaz.admin").await;
    let page = app.get(&kaz, "/procedure").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("No objection") && html.contains("10 working days"),
        "{html}"
    );
    assert!(
        !html.contains("Change the rule"),
        "only the secretariat edits"
    );

    let fields =
        |version: &'static str, period: &'static str| -> Vec<(&'static str, &'static str)> {
            vec![
                ("version", version),
                ("name", "No-objection procedure (Astana 2026)"),
                ("decision", "no_objection"),
                ("majority_numerator", "2"),
                ("majority_denominator", "3"),
                ("majority_quorum", "1"),
                ("period_value", period),
                ("period_unit", "working_days"),
                ("weekend", "Saturday"),
                ("weekend", "Sunday"),
                ("holidays", "2026-03-09\n2026-03-23"),
                ("zone_label", "Astana"),
                ("zone_offset", "+05:00"),
                ("deadline_time", "18:00"),
                ("summer_time", ""),
                ("holds_allowed", "1"),
                ("hold_max_value", "3"),
                ("hold_max_unit", "months"),
                ("hold_extensions", "1"),
                ("hold_extension_value", "1"),
                ("hold_extension_unit", "months"),
                ("hold_on_lapse", "count_as_objection"),
                ("reasons_objection", "1"),
                ("reasons_hold", "1"),
                ("visibility", "deciders_only"),
                ("reminders", "3, 1"),
                ("reverse_consensus_days", "45"),
                ("review_years", "4"),
                ("reason", "Agreed at the Astana meeting."),
            ]
        };
    assert_eq!(
        app.post_form(&kaz, "/procedure", &fields("0", "15"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let sec = app.sign_in("sec").await;
    let html = app.get(&sec, "/procedure").await.text().await.unwrap();
    assert!(html.contains("Change the rule"), "{html}");
    assert_eq!(
        app.post_raw_form(&sec, "/procedure", &fields("0", "15"))
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "no CSRF token"
    );
    let r = app.post_form(&sec, "/procedure", &fields("0", "ten")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("period_value") && html.contains("Agreed at the Astana meeting."),
        "{html}"
    );
    let r = app.post_form(&sec, "/procedure", &fields("0", "0")).await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a period of zero"
    );
    assert_eq!(
        app.store.procedure_settings().await.unwrap().version,
        0,
        "nothing changed"
    );

    let r = app.post_form(&sec, "/procedure", &fields("0", "15")).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let v = app.store.procedure_settings().await.unwrap();
    assert_eq!(v.version, 1);
    assert_eq!(
        v.settings.rule.period,
        accord_procedure::Span::WorkingDays(15)
    );
    assert_eq!(v.settings.rule.zone.label, "Astana");
    assert_eq!(v.settings.rule.calendar.holidays.len(), 2);
    assert_eq!(v.settings.review_years, 4);
    assert_eq!(
        v.settings.rule.deciders,
        accord_procedure::Rule::un_1267_default().deciders,
        "who decides is kept"
    );
    assert_eq!(
        app.post_form(&sec, "/procedure", &fields("0", "20"))
            .await
            .status(),
        StatusCode::CONFLICT,
        "an edit of an old version"
    );
    let html = app.get(&kaz, "/procedure").await.text().await.unwrap();
    assert!(html.contains("15 working days") && html.contains("Agreed at the Astana meeting."));

    // A new proposal is opened under the rule in force.
    let kaz_token = app.api_token("kaz.admin").await;
    let r = app
        .http
        .post(app.at("/api/proposals"))
        .bearer_auth(&kaz_token)
        .json(&json!({ "subject_kind": "organization", "name": "New Rule Org", "statement_of_case": "x", "narrative_summary": "y" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["view"]["zone_label"], "Astana", "{p}");

    // The API: read, change with the version read, refuse stale and bad input.
    let sec_token = app.api_token("sec").await;
    let current: Value = app
        .http
        .get(app.at("/api/procedure"))
        .bearer_auth(&kaz_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(current["version"], 1);
    assert_eq!(current["delisting_rule"]["period"]["days"], 45, "{current}");
    let mut settings = current["settings"].clone();
    settings["review_years"] = json!(2);
    let put = |token: &str, body: Value| {
        app.http
            .put(app.at("/api/procedure"))
            .bearer_auth(token.to_string())
            .json(&body)
            .send()
    };
    let body = json!({ "version": 1, "reason": "Review every two years.", "settings": settings });
    assert_eq!(
        put(&kaz_token, body.clone()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let mut wrong = body.clone();
    wrong["settings"]["review_years"] = json!("two");
    let r = put(&sec_token, wrong).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["fields"][0]["field"],
        "settings.review_years"
    );
    let mut invalid = body.clone();
    invalid["settings"]["rule"]["decision"] =
        json!({ "rule": "qualified_majority", "numerator": 3, "denominator": 2, "quorum": 1 });
    let r = put(&sec_token, invalid).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = put(&sec_token, body.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(r.json::<Value>().await.unwrap()["version"], 2);
    assert_eq!(
        put(&sec_token, body).await.unwrap().status(),
        StatusCode::CONFLICT
    );
    let versions: Value = app
        .http
        .get(app.at("/api/procedure/versions"))
        .bearer_auth(&kaz_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let q = accord_store::AuditQuery {
        action: Some("common_list.procedure_rule".into()),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(app.store.audit_records(&q).await.unwrap().len(), 2);
    let ru = app
        .get(&sec, "/procedure?lang=ru")
        .await
        .text()
        .await
        .unwrap();
    assert!(ru.contains("Процедура согласования") && ru.contains("Изменить правило"));
}

/// Stores the UN fixture as the reference list `un`.
async fn import_un(app: &TestApp) {
    let un = accord_lists::load_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../screening/tests/fixtures/un_screening.xml"
    ))
    .unwrap();
    app.store
        .import_reference_list(&Actor::system("test"), "un", &un)
        .await
        .unwrap();
}

async fn a_proposal_carries_the_full_subject_and_its_un_reference_into_the_list_and_exports(
    app: &TestApp,
) {
    use accord_store::common_list::SubjectKind;
    import_un(app).await;
    app.list_by_silence(
        SubjectKind::Organization,
        "Jamaat Al-Example",
        "case",
        "Reasons.",
    )
    .await;
    let kaz = app.sign_in("kaz.admin").await;
    let form = app.get(&kaz, "/proposals/new").await.text().await.unwrap();
    assert!(
        form.contains("<datalist id=\"un-references\">") && form.contains("value=\"QDe.002\""),
        "the UN references are offered to pick from"
    );
    // The form: an individual sponsor with every part of a subject.
    let fields = [
        ("subject_kind", "sponsor"),
        ("sponsor_type", "individual"),
        ("name", "Abu Example"),
        ("original_script", "ابو مثال"),
        ("aliases[0].name", "Абу Пример"),
        ("aliases[0].script", "Cyrl"),
        ("aliases[0].language", "ru"),
        ("aliases[0].quality", "strong"),
        ("aliases[0].kind", "alias"),
        ("aliases[1].name", "A.E."),
        ("aliases[1].quality", "weak"),
        ("aliases[1].kind", "alias"),
        ("aliases[2].name", ""),
        ("birth_dates", "1970-01-31\n1962-1965"),
        ("birth_places", "Kandahar"),
        ("nationalities", "Afghanistan\nPakistan"),
        ("documents[0].kind", "Passport"),
        ("documents[0].number", "OA1234567"),
        ("documents[0].country", "Afghanistan"),
        ("addresses[0].city", "Peshawar"),
        ("addresses[0].country", "Pakistan"),
        ("links[0].relation", "sponsor_of"),
        ("links[0].target", "acl-0001"),
        ("un_reference", "qde.002"),
        ("statement_of_case", "Bank records (confidential)."),
        ("tlp", "AMBER"),
        ("narrative_summary", "Finances Jamaat Al-Example."),
    ];
    let r = app.post_form(&kaz, "/proposals/new", &fields).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let at = r.headers()[LOCATION].to_str().unwrap().to_string();
    let html = app.get(&kaz, &at).await.text().await.unwrap();
    for shown in [
        "Абу Пример",
        "Cyrl",
        "weak: a match on it is a low-confidence hit",
        "1962-1965",
        "Kandahar",
        "OA1234567",
        "Peshawar, Pakistan",
        "sponsor of",
        "ACL-0001",
        "Jamaat Al-Example",
        "QDe.002",
        "AL-ITIHAAD AL-ISLAMIYA",
    ] {
        assert!(html.contains(shown), "{shown} on the proposal page");
    }
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let p = app.store.proposal(id).await.unwrap();
    assert_eq!(
        p.un_reference.as_deref(),
        Some("QDe.002"),
        "spelt as the UN list does"
    );
    let entry = p.proposed_entry.clone().unwrap();
    assert_eq!(entry.schema, accord_lists::EntrySchema::Person);
    assert_eq!(entry.names[0].text, "Abu Example");
    assert_eq!(entry.names.len(), 4);
    assert_eq!(entry.birth_dates.len(), 2);
    assert_eq!(
        entry.links[0].target_name.as_deref(),
        Some("Jamaat Al-Example")
    );
    app.store
        .advance_due(
            &Actor::system("test"),
            p.state.deadline + time::Duration::minutes(1),
        )
        .await
        .unwrap();

    let list = app
        .get(&kaz, "/list?q=ACL-0002")
        .await
        .text()
        .await
        .unwrap();
    for shown in [
        "Абу Пример",
        "born in Kandahar",
        "OA1234567",
        "Peshawar, Pakistan",
        "sponsor of",
    ] {
        assert!(list.contains(shown), "{shown} on the public list");
    }
    let export = |format: &str| {
        let url = app.at(&format!("/api/list/export/{format}"));
        async move {
            app.http
                .get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let csv = export("csv").await;
    assert!(
        csv.contains("Passport OA1234567 (Afghanistan)") && csv.contains("sponsor_of ACL-0001"),
        "{csv}"
    );
    assert!(
        csv.contains("Kandahar") && csv.contains("Peshawar, Pakistan"),
        "{csv}"
    );
    let ftm = export("ftm").await;
    assert!(
        ftm.contains("OA1234567") && ftm.contains("Peshawar") && ftm.contains("Kandahar"),
        "{ftm}"
    );
    assert!(
        ftm.contains("UnknownLink") && ftm.contains("sponsor_of"),
        "{ftm}"
    );
    let xml = export("xml").await;
    assert!(
        xml.contains("OA1234567") && xml.contains("Kandahar") && xml.contains("Peshawar"),
        "{xml}"
    );
    assert!(
        xml.contains("<QUALITY>Low</QUALITY>"),
        "the weak alias is marked as the UN marks it"
    );
    let stix = export("stix").await;
    assert!(
        stix.contains("\"relationship\"") && stix.contains("sponsor_of"),
        "{stix}"
    );
    assert!(stix.contains("Абу Пример"), "{stix}");

    // The API takes the same fields as JSON, aliases as objects or plain strings.
    let token = app.api_token("kaz.admin").await;
    let r = app
        .http
        .post(app.at("/api/proposals"))
        .bearer_auth(&token)
        .json(&json!({
            "subject_kind": "individual", "name": "Second Person",
            "aliases": ["S. P.", { "name": "Второй", "script": "Cyrl", "quality": "weak" }],
            "birth_dates": ["1980"], "nationalities": ["Tajikistan"],
            "documents": [{ "kind": "National identity card", "number": "TJ-1" }],
            "addresses": [{ "city": "Dushanbe" }],
            "links": [{ "relation": "member_of", "target": "ACL-0001" }],
            "un_reference": "TAi.005",
            "statement_of_case": "x", "narrative_summary": "y"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["un_reference"], "TAi.005");
    assert_eq!(p["proposed_entry"]["names"][2]["quality"], "Weak");
    assert_eq!(p["proposed_entry"]["documents"][0]["number"], "TJ-1");
    assert_eq!(p["proposed_entry"]["links"][0]["relation"], "member_of");
}

async fn bad_subject_details_are_refused_naming_the_field_and_change_nothing(app: &TestApp) {
    use accord_store::common_list::SubjectKind;
    import_un(app).await;
    app.list_by_silence(SubjectKind::Individual, "Some Person", "case", "Reasons.")
        .await;
    let token = app.api_token("kaz.admin").await;
    let post = |body: Value| {
        app.http
            .post(app.at("/api/proposals"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let kaz = app.sign_in("kaz.admin").await;
    let form = app.get(&kaz, "/proposals/new").await.text().await.unwrap();
    assert!(!form.contains("No UN list has been imported yet"));
    let base = json!({ "subject_kind": "individual", "name": "New Person", "statement_of_case": "x", "narrative_summary": "y" });
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let cases = [
        (json!({ "un_reference": "QDi.999999" }), "un_reference"),
        (json!({ "birth_dates": ["someday"] }), "birth_dates"),
        (
            json!({ "aliases": [{ "name": "X", "quality": "excellent" }] }),
            "aliases[0].quality",
        ),
        (
            json!({ "aliases": [{ "name": "X", "script": "cyrillic" }] }),
            "aliases[0].script",
        ),
        (
            json!({ "documents": [{ "kind": "Passport" }] }),
            "documents[0].number",
        ),
        (
            json!({ "links": [{ "relation": "friend_of", "target": "ACL-0001" }] }),
            "links[0].relation",
        ),
        (
            json!({ "links": [{ "relation": "member_of", "target": "ACL-0404" }] }),
            "entry.links",
        ),
        (json!({ "subject_kind": "sponsor" }), "links"),
        (
            json!({ "subject_kind": "sponsor", "links": [{ "relation": "sponsor_of", "target": "ACL-0001" }] }),
            "entry.links",
        ),
        (
            json!({ "subject_kind": "organization", "nationalities": ["Iran"] }),
            "birth_dates",
        ),
    ];
    for (extra, field) in cases {
        let r = post(with(extra.clone())).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{extra}");
        let e: Value = r.json().await.unwrap();
        assert!(
            e["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field),
            "{extra}: {e}"
        );
    }
    let r = post(with(json!({ "documents": "Passport 1" })))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a wrong type");
    assert_eq!(
        app.store.proposals(false).await.unwrap().len(),
        1,
        "nothing was proposed"
    );
    assert_eq!(
        app.store.subjects(None).await.unwrap().len(),
        1,
        "no subject was made"
    );

    // The form shows the error beside the field and keeps what was typed.
    let r = app
        .post_form(
            &kaz,
            "/proposals/new",
            &[
                ("subject_kind", "individual"),
                ("name", "Typed Name"),
                ("aliases[0].name", "Kept Alias"),
                ("aliases[0].language", "Russian"),
                ("un_reference", "QDi.999999"),
                ("statement_of_case", "x"),
                ("narrative_summary", "y"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("aliases[0].language") && html.contains("Kept Alias"),
        "{html}"
    );
    let r = app
        .post_form(
            &kaz,
            "/proposals/new",
            &[
                ("subject_kind", "individual"),
                ("name", "Typed Name"),
                ("un_reference", "QDi.999999"),
                ("statement_of_case", "x"),
                ("narrative_summary", "y"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("is not an entry of the current UN list")
    );
    // Asking for more rows re-renders the form with what was typed and stores nothing.
    let r = app
        .post_form(
            &kaz,
            "/proposals/new",
            &[
                ("subject_kind", "individual"),
                ("name", "Typed Name"),
                ("aliases[0].name", "One"),
                ("aliases[1].name", "Two"),
                ("aliases[2].name", "Three"),
                ("more", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("value=\"Three\"") && html.contains("name=\"aliases[5].name\""),
        "{html}"
    );
    let r = app
        .post_form(&kaz, "/proposals/new", &[("name", "x"), ("surprise", "1")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.store.proposals(false).await.unwrap().len(),
        1,
        "nothing was proposed"
    );
}

async fn the_secretariat_merges_and_unmerges_subjects_on_the_merge_page(app: &TestApp) {
    use accord_store::common_list::SubjectKind;
    app.list_by_silence(
        SubjectKind::Organization,
        "Jamaat Al-Example",
        "case",
        "Reasons.",
    )
    .await;
    app.list_by_silence(
        SubjectKind::Organization,
        "JAE Front",
        "case",
        "Same group.",
    )
    .await;
    let kaz = app.sign_in("kaz.admin").await;
    assert_eq!(
        app.get(&kaz, "/subjects/merge").await.status(),
        StatusCode::FORBIDDEN
    );
    let form = app.get(&kaz, "/proposals/new").await.text().await.unwrap();
    assert!(form.contains("No UN list has been imported yet"), "{form}");
    let fields = [
        ("from", "ACL-0002"),
        ("into", "ACL-0001"),
        ("reason", "The same group."),
    ];
    assert_eq!(
        app.post_form(&kaz, "/subjects/merge", &fields)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    let sec = app.sign_in("sec").await;
    let page = app
        .get(&sec, "/subjects/merge?from=acl-0002&into=ACL-0001")
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Side by side"), "{html}");
    assert!(html.contains("JAE Front") && html.contains("Jamaat Al-Example"));
    assert!(html.contains("No subjects have been merged."));
    let same = app
        .get(&sec, "/subjects/merge?from=ACL-0001&into=ACL-0001")
        .await
        .text()
        .await
        .unwrap();
    assert!(same.contains("Choose two different subjects"), "{same}");

    // Bad input changes nothing: no CSRF token, no reason, unknown subject, itself.
    let no_csrf = app.post_raw_form(&sec, "/subjects/merge", &fields).await;
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
    let r = app
        .post_form(
            &sec,
            "/subjects/merge",
            &[("from", "ACL-0002"), ("into", "ACL-0001"), ("reason", " ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("reason"));
    let r = app
        .post_form(
            &sec,
            "/subjects/merge",
            &[("from", "ACL-0009"), ("into", "ACL-0001"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .post_form(
            &sec,
            "/subjects/merge",
            &[("from", "ACL-0001"), ("into", "acl-0001"), ("reason", "x")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.store.all_merges().await.unwrap().is_empty());

    let r = app.post_form(&sec, "/subjects/merge", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let merges = app.store.all_merges().await.unwrap();
    assert_eq!(merges.len(), 1);
    assert_eq!(merges[0].reason, "The same group.");
    assert_eq!(
        app.store
            .subject("ACL-0002")
            .await
            .unwrap()
            .merged_into
            .as_deref(),
        Some("ACL-0001")
    );
    let again = app.post_form(&sec, "/subjects/merge", &fields).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "already merged");
    assert_eq!(app.store.all_merges().await.unwrap().len(), 1);
    let html = app.get(&sec, "/subjects/merge").await.text().await.unwrap();
    assert!(html.contains("Undo this merge") && html.contains("The same group."));

    let undo = format!("/merges/{}/undo", merges[0].id);
    assert_eq!(
        app.post_form(&kaz, &undo, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_raw_form(&sec, &undo, &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_form(&sec, "/merges/999/undo", &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_form(&sec, &undo, &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.store.subject("ACL-0002").await.unwrap().merged_into,
        None
    );
    assert_eq!(
        app.post_form(&sec, &undo, &[]).await.status(),
        StatusCode::CONFLICT,
        "a merge is undone once"
    );
    let q = accord_store::AuditQuery {
        limit: 1000,
        ..Default::default()
    };
    let actions: Vec<String> = app
        .store
        .audit_records(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "common_list.merge").count(),
        1
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "common_list.unmerge")
            .count(),
        1
    );
    let ru = app
        .get(&sec, "/subjects/merge?lang=ru")
        .await
        .text()
        .await
        .unwrap();
    assert!(ru.contains("Объединение субъектов"));
}

async fn subjects_are_merged_only_explicitly_by_the_secretariat_and_the_merge_can_be_undone(
    app: &TestApp,
) {
    use accord_store::common_list::SubjectKind;
    app.list_by_silence(
        SubjectKind::Organization,
        "Jamaat Al-Example",
        "case",
        "Reasons.",
    )
    .await;
    app.list_by_silence(
        SubjectKind::Organization,
        "JAE Front",
        "case",
        "Same group.",
    )
    .await;
    let sec = app.api_token("sec").await;
    let kaz = app.api_token("kaz.admin").await;
    let merge = |token: &str, from: &str, body: Value| {
        app.http
            .post(app.at(&format!("/api/subjects/{from}/merge")))
            .bearer_auth(token.to_string())
            .json(&body)
            .send()
    };
    let r = merge(
        &kaz,
        "ACL-0002",
        json!({ "into": "ACL-0001", "reason": "same group" }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = merge(
        &sec,
        "ACL-0001",
        json!({ "into": "ACL-0001", "reason": "x" }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = merge(
        &sec,
        "ACL-0002",
        json!({ "into": "ACL-0001", "reason": "The same group under another name." }),
    )
    .await
    .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let m: Value = r.json().await.unwrap();
    let subject: Value = app
        .http
        .get(app.at("/api/subjects/ACL-0001"))
        .bearer_auth(&sec)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names = subject["subject"]["entry"]["names"].to_string();
    assert!(names.contains("JAE Front"), "{subject}");
    let r = app
        .http
        .post(app.at(&format!("/api/merges/{}/undo", m["id"])))
        .bearer_auth(&sec)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let subject: Value = app
        .http
        .get(app.at("/api/subjects/ACL-0001"))
        .bearer_auth(&sec)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !subject["subject"]["entry"]["names"]
            .to_string()
            .contains("JAE Front"),
        "{subject}"
    );
}

async fn a_listed_entry_is_delisted_by_a_proposal_and_leaves_the_next_version(app: &TestApp) {
    use accord_store::common_list::SubjectKind;
    app.list_by_silence(
        SubjectKind::Organization,
        "Jamaat Al-Example",
        "case",
        "Reasons.",
    )
    .await;

    let kaz = app.api_token("kaz.admin").await;
    let post = |body: Value| {
        app.http
            .post(app.at("/api/proposals"))
            .bearer_auth(&kaz)
            .json(&body)
            .send()
    };
    let r = post(json!({ "kind": "delist", "statement_of_case": "new facts", "narrative_summary": "No longer active." })).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["fields"][0]["field"],
        "subject"
    );
    let r = post(json!({ "kind": "delist", "subject": "acl-0001", "statement_of_case": "new facts", "narrative_summary": "No longer active." })).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let delist: Value = r.json().await.unwrap();
    assert_eq!(delist["kind"], "delist");
    let amend = json!({ "kind": "amend", "subject": "ACL-0001", "subject_kind": "organization", "name": "Renamed", "statement_of_case": "x", "narrative_summary": "y" });
    assert_eq!(
        post(amend).await.unwrap().status(),
        StatusCode::CONFLICT,
        "one pending proposal per subject"
    );
    // On the page the refusal is said on the form, in the reader's
    // language, with what was typed kept.
    let b = app.sign_in("kaz.admin").await;
    let fields = [
        ("kind", "amend"),
        ("subject", "ACL-0001"),
        ("subject_kind", "organization"),
        ("name", "Renamed on the page"),
        ("statement_of_case", "x"),
        ("narrative_summary", "y"),
    ];
    for (path, words) in [
        ("/proposals/new", "is already pending"),
        ("/proposals/new?lang=ru", "уже рассматривается"),
    ] {
        let r = app.post_form(&b, path, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let page = r.text().await.unwrap();
        assert!(page.contains(words), "{page}");
        assert!(page.contains(r#"value="Renamed on the page""#), "{page}");
    }
    // A delisting carries no entry of its own: the lists of work name the
    // listed subject beside its identifier (the start page of a member that
    // may object).
    let kgz = app.sign_in("kgz.admin").await;
    for (who, path) in [(&b, "/proposals"), (&kgz, "/")] {
        let page = app.get(who, path).await.text().await.unwrap();
        assert!(
            page.contains("ACL-0001</code> Jamaat Al-Example")
                || page.contains("ACL-0001 Jamaat Al-Example"),
            "{path}: {page}"
        );
    }

    let pending = app
        .store
        .proposal(delist["id"].as_i64().unwrap())
        .await
        .unwrap();
    app.store
        .advance_due(
            &Actor::system("test"),
            pending.state.deadline + time::Duration::minutes(1),
        )
        .await
        .unwrap();
    let list: Value = app
        .http
        .get(app.at("/api/list"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["version"]["version"], 2, "{list}");
    assert_eq!(list["entries"].as_array().unwrap().len(), 0, "{list}");
    let changes: Value = app
        .http
        .get(app.at("/api/list/compare?from=1&to=2"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(changes["changes"]["removed"][0], "ACL-0001");

    // The downloadable STIX bundle of version 2 revokes the subject version
    // 1 carried (same id, later `modified`): a consumer that imported
    // version 1 learns of the delisting; the other formats are snapshots.
    let stix = |version: u32| async move {
        app.http
            .get(app.at(&format!("/api/list/export/stix?version={version}")))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let (v1, v2) = (stix(1).await, stix(2).await);
    let actor = |b: &Value, name: &str| {
        b["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["type"] == "threat-actor" && o["name"] == name)
            .cloned()
    };
    let before = actor(&v1, "Jamaat Al-Example").expect("listed in v1");
    let after = actor(&v2, "(revoked)").expect("revoked in v2, as a stub");
    assert!(!v2.to_string().contains("Jamaat Al-Example"), "{v2}");
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["revoked"], true);
    assert!(before.get("revoked").is_none());
    assert!(
        after["modified"].as_str() > before["modified"].as_str(),
        "{before} {after}"
    );
    let report = v2["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type"] == "report")
        .unwrap();
    assert!(
        report["object_refs"]
            .as_array()
            .unwrap()
            .contains(&after["id"])
    );
}

async fn proposals_and_decisions_through_the_api_with_positions_only_for_those_allowed(
    app: &TestApp,
) {
    let kaz = app.api_token("kaz.admin").await;
    let body = json!({
        "subject_kind": "individual", "name": "Abdulla Karimov", "aliases": ["Абдулла Каримов"],
        "birth_date": "1980", "nationality": "Uzbekistan",
        "statement_of_case": "confidential evidence", "tlp": "AMBER", "narrative_summary": "Recruits for a listed group."
    });
    let reader = app.api_token("usa.reader").await;
    let r = app
        .http
        .post(app.at("/api/proposals"))
        .bearer_auth(&reader)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .http
        .post(app.at("/api/proposals"))
        .bearer_auth(&kaz)
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "missing fields are named"
    );
    let r = app
        .http
        .post(app.at("/api/proposals"))
        .bearer_auth(&kaz)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert!(
        !created.to_string().contains("confidential evidence"),
        "the statement of case is not in the API view"
    );

    let kgz = app.api_token("kgz.admin").await;
    let url = app.at(&format!("/api/proposals/{id}/decisions"));
    let r = app
        .http
        .post(&url)
        .bearer_auth(&kgz)
        .json(&json!({ "action": "object" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an objection needs reasons"
    );
    let r = app
        .http
        .post(&url)
        .bearer_auth(&kgz)
        .json(&json!({ "action": "object", "reason": "Mistaken identity." }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a state's decision needs its signature"
    );
    let refused: Value = r.json().await.unwrap();
    assert_eq!(
        refused["error"]["fields"][0]["field"], "signature",
        "{refused}"
    );
    let (at, signature) =
        support::sign_decision(app, "KGZ", id, "object", "Mistaken identity.").await;
    let r = app
        .http
        .post(&url)
        .bearer_auth(&kgz)
        .json(&json!({ "action": "object", "reason": "Mistaken identity.", "at": at, "signature": signature }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let after: Value = r.json().await.unwrap();
    assert!(
        after["view"]["status"]["rejected"].is_object()
            || after["view"]["status"].to_string().contains("rejected"),
        "{after}"
    );
    let r = app
        .http
        .post(&url)
        .bearer_auth(&reader)
        .json(&json!({ "action": "concur" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let seen_by_partner: Value = app
        .http
        .get(app.at(&format!("/api/proposals/{id}")))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        seen_by_partner["view"]["positions"].is_null(),
        "a partner state does not see who decided what: {seen_by_partner}"
    );
    let seen_by_decider: Value = app
        .http
        .get(app.at(&format!("/api/proposals/{id}")))
        .bearer_auth(&kgz)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        seen_by_decider["view"]["positions"].is_object(),
        "{seen_by_decider}"
    );

    let r = app.http.post(app.at("/api/petitions")).json(&json!({ "subject": "ACL-4242", "petitioner_name": "A B", "petitioner_contact": "a@example.org", "grounds": "x" })).send().await.unwrap();
    // Unknown and not listed get the same answer (tests/petitions.rs).
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn anyone_can_petition_for_delisting_and_follow_it_by_tracking_number(app: &TestApp) {
    use accord_store::common_list::SubjectKind;
    app.list_by_silence(
        SubjectKind::Individual,
        "Abdulla Karimov",
        "case",
        "Recruits for a listed group.",
    )
    .await;

    let visitor = app.anonymous().await;
    let fields = [
        ("subject", "acl-0001"),
        ("petitioner_name", "Abdulla Karimov"),
        ("petitioner_contact", "lawyer@example.org"),
        ("representative", "yes"),
        (
            "grounds",
            // As a browser sends a textarea: lines separated by CR LF.
            "I have never been a member of any group.\r\nSee the court ruling of 2025.",
        ),
    ];
    let r = app.post_form(&visitor, "/petition", &fields).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let status_path = r.headers()[LOCATION].to_str().unwrap().to_string();
    let html = app
        .http
        .get(app.at(&status_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("ACL-0001") && html.contains("received"),
        "{html}"
    );
    assert!(
        !html.contains("lawyer@example.org") && !html.contains("court ruling"),
        "no personal data on the status page"
    );
    let wrong = [
        ("subject", "ACL-9999"),
        ("petitioner_name", "X Y"),
        ("petitioner_contact", "x@example.org"),
        ("grounds", "none"),
    ];
    assert_eq!(
        app.post_form(&visitor, "/petition", &wrong).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = app
        .http
        .get(app.at("/petition/status/DP-NOPE-NOPE"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Only the ombudsperson reads petitions; the read is audited.
    let sec = app.sign_in("sec").await;
    assert_eq!(
        app.get(&sec, "/ombudsperson").await.status(),
        StatusCode::FORBIDDEN
    );
    let ombuds = app.sign_in("ombuds").await;
    let queue = app
        .get(&ombuds, "/ombudsperson")
        .await
        .text()
        .await
        .unwrap();
    let start = queue
        .find("/ombudsperson/petitions/")
        .expect("the petition is in the queue");
    let petition_path: String = queue[start..].split('"').next().unwrap().to_string();
    let page = app.get(&ombuds, &petition_path).await.text().await.unwrap();
    assert!(page.contains("lawyer@example.org"));
    let stored = app
        .store
        .petitions(&Actor::system("test"), None)
        .await
        .unwrap();
    assert_eq!(
        stored[0].grounds,
        "I have never been a member of any group.\nSee the court ruling of 2025."
    );
    let notes = app
        .post_form(
            &ombuds,
            &format!("{petition_path}/notes"),
            &[("notes", "Asked KAZ for the court ruling.")],
        )
        .await;
    assert_eq!(notes.status(), StatusCode::SEE_OTHER);
    let r = app
        .post_form(
            &ombuds,
            &format!("{petition_path}/recommend"),
            &[
                ("recommendation", "delist"),
                ("report", "The listing rests on a mistaken identity."),
                ("summary", "Delisted on the ombudsperson's recommendation."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/proposals/"),
        "a reverse-consensus proposal is opened"
    );
    let html = app
        .http
        .get(app.at(&status_path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("recommendation before the states"), "{html}");
}

async fn a_full_round_through_the_pages_propose_hold_lift_concur_and_adopt(app: &TestApp) {
    let kaz = app.sign_in("kaz.admin").await;
    let fields = [
        ("subject_kind", "organization"),
        ("name", "Harakat Al-Example"),
        ("aliases[0].name", "HAE"),
        ("aliases[1].name", "Харакат аль-Пример"),
        (
            "statement_of_case",
            "Intercepted financing records (confidential).",
        ),
        ("tlp", "AMBER"),
        ("narrative_summary", "Finances attacks in the region."),
    ];
    let r = app.post_form(&kaz, "/proposals/new", &fields).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let page_path = r.headers()[LOCATION].to_str().unwrap().to_string();
    let id: i64 = page_path.rsplit('/').next().unwrap().parse().unwrap();

    let evidence_path = format!("/proposals/{id}/evidence");
    let r = upload(
        app,
        &kaz,
        &evidence_path,
        &[(
            "file",
            "records.pdf",
            b"%PDF-1.4 financing records".to_vec(),
        )],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = upload(
        app,
        &kaz,
        &evidence_path,
        &[("file", "tool.exe", b"MZ".to_vec())],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "disallowed file types are refused"
    );
    // Random bytes named .pdf are no PDF: the content is checked, not the name.
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let r = upload(app, &kaz, &evidence_path, &[("file", "scan.pdf", noise)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("content is not what its name says it is"),
        "{page}"
    );
    let evidence = app.store.evidence(id).await.unwrap();
    assert_eq!(evidence.len(), 1);
    let download = format!("/proposals/{id}/evidence/{}", evidence[0].id);

    let reader = app.sign_in("usa.reader").await;
    assert_eq!(
        app.get(&reader, &download).await.status(),
        StatusCode::FORBIDDEN,
        "evidence is as confidential as the case"
    );
    let r = app.post_form(&reader, "/proposals/new", &fields).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "readers do not propose");
    let r = app
        .get(&reader, &format!("/proposals/{id}/statement"))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a partner state does not read the statement of case"
    );

    let kgz = app.sign_in("kgz.admin").await;
    let inbox = app.get(&kgz, "/notifications").await.text().await.unwrap();
    assert!(
        inbox.contains("A proposal was opened"),
        "the deciding states are told: {inbox}"
    );
    let html = app.get(&kgz, &page_path).await.text().await.unwrap();
    assert!(
        html.contains("value=\"hold\"") && html.contains("value=\"concur\""),
        "{html}"
    );
    let file = app.get(&kgz, &download).await;
    assert_eq!(file.headers()[CONTENT_TYPE], "application/pdf");
    assert_eq!(
        file.bytes().await.unwrap().as_ref(),
        b"%PDF-1.4 financing records"
    );
    let statement = app
        .get(&kgz, &format!("/proposals/{id}/statement"))
        .await
        .text()
        .await
        .unwrap();
    assert!(statement.contains("Intercepted financing records"));
    let path = format!("/proposals/{id}/decide");
    let decide =
        |action: &'static str, reason: &'static str| [("action", action), ("reason", reason)];
    let status = |r: reqwest::Response| r.status();
    // A state's decision takes two steps: the page prepares what to sign,
    // then the signed decision is recorded.
    let signed = async |action: &'static str, reason: &'static str| {
        let (at, signature) = support::sign_decision(app, "KGZ", id, action, reason).await;
        let at = at.to_string();
        app.post_form(
            &kgz,
            &path,
            &[
                ("action", action),
                ("reason", reason),
                ("at", at.as_str()),
                ("signature", signature.as_str()),
            ],
        )
        .await
    };
    assert_eq!(
        status(app.post_form(&kgz, &path, &decide("hold", "")).await),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a hold needs reasons"
    );
    let prepared = app
        .post_form(
            &kgz,
            &path,
            &decide("hold", "We are checking our own records."),
        )
        .await;
    assert_eq!(
        prepared.status(),
        StatusCode::OK,
        "the first step records nothing"
    );
    let prepared = prepared.text().await.unwrap();
    assert!(
        prepared.contains("accord.decision.v1")
            && prepared.contains("We are checking our own records.")
            && prepared.contains("name=\"signature\""),
        "{prepared}"
    );
    assert!(
        app.store
            .signed_decisions(Some(id))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        status(signed("hold", "We are checking our own records.").await),
        StatusCode::SEE_OTHER
    );
    assert_eq!(status(signed("lift_hold", "").await), StatusCode::SEE_OTHER);
    assert_eq!(status(signed("concur", "").await), StatusCode::SEE_OTHER);
    assert_eq!(
        status(app.post_form(&kgz, &path, &decide("concur", "")).await),
        StatusCode::CONFLICT,
        "a second vote is refused before anything is signed"
    );
    assert_eq!(
        app.store.signed_decisions(Some(id)).await.unwrap().len(),
        3,
        "each recorded decision is kept with its signature"
    );
    // Notices say who acted; the proposer is not told of its own proposal.
    let sec = app.sign_in("sec").await;
    let inbox = app.get(&sec, "/notifications").await.text().await.unwrap();
    assert!(inbox.contains("Kyrgyzstan concurred."), "{inbox}");
    assert!(inbox.contains("Kyrgyzstan placed a hold."), "{inbox}");
    let inbox = app
        .get(&sec, "/notifications?lang=ru")
        .await
        .text()
        .await
        .unwrap();
    assert!(inbox.contains("Кыргызстан: согласие."), "{inbox}");
    let inbox = app.get(&kaz, "/notifications").await.text().await.unwrap();
    assert!(!inbox.contains("A proposal was opened"), "{inbox}");

    let proposal = app.store.proposal(id).await.unwrap();
    app.store
        .advance_due(
            &Actor::system("test"),
            proposal.state.deadline + time::Duration::minutes(1),
        )
        .await
        .unwrap();
    let list: Value = app
        .http
        .get(app.at("/api/list"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["entries"][0]["entry"]["names"][0]["text"], "Harakat Al-Example",
        "{list}"
    );
    // The adopted entry is screened against (in Cyrillic too) once this
    // node's index catches up; tests refresh it every 200 ms.
    let token = app.api_token("usa.reader").await;
    let mut found = Value::Null;
    for _ in 0..50 {
        let r = app
            .http
            .post(app.at("/api/screen"))
            .bearer_auth(&token)
            .json(&json!({ "name": "Харакат аль-Пример", "lists": ["common"] }))
            .send()
            .await
            .unwrap();
        if r.status() == StatusCode::OK {
            found = r.json().await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        found["results"][0]["candidates"][0]["match_id"], "ACL-0001",
        "{found}"
    );
    let reads = app
        .store
        .audit_records(&accord_store::AuditQuery {
            actor: Some("kgz.admin".into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        reads.iter().any(|r| r.action.contains("statement")),
        "the read of the statement of case is audited"
    );
}

async fn an_adopted_listing_is_published_with_its_reasons_and_exported_with_etags(app: &TestApp) {
    use accord_store::common_list::SubjectKind;
    let r = app.http.get(app.at("/list")).send().await.unwrap();
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("No version of the common list has been adopted yet")
    );
    // Before the first version, the API answers version 0, empty.
    for path in ["/api/list", "/api/list?version=0"] {
        let r = app.http.get(app.at(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["version"]["version"], 0, "{body}");
        assert_eq!(body["version"]["entry_count"], 0, "{body}");
        assert_eq!(body["entries"], json!([]), "{body}");
    }
    app.list_by_silence(
        SubjectKind::Organization,
        "Jamaat Al-Example",
        "confidential case file",
        "Recruits fighters in the region.",
    )
    .await;

    let r = app.http.get(app.at("/api/list")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["entries"][0]["public_id"], "ACL-0001", "{body}");
    assert_eq!(
        body["entries"][0]["narrative_summary"],
        "Recruits fighters in the region."
    );
    assert!(
        !body.to_string().contains("confidential case file"),
        "the statement of case is never published"
    );
    let again = app
        .http
        .get(app.at("/api/list"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    for (format, needle) in [
        ("csv", "ACL-0001"),
        ("ftm", "Jamaat Al-Example"),
        ("xml", "CONSOLIDATED_LIST"),
        ("stix", "\"type\": \"bundle\""),
    ] {
        let r = app
            .http
            .get(app.at(&format!("/api/list/export/{format}?version=1")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{format}");
        assert!(r.headers().contains_key("etag"));
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("accord-common-list-v1")
        );
        let text = r.text().await.unwrap();
        assert!(text.contains(needle), "{format}: {text}");
    }
    let page = app
        .http
        .get(app.at("/list?q=example"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Jamaat Al-Example") && page.contains("Recruits fighters"));
    let changes: Value = app
        .http
        .get(app.at("/api/list/compare?from=0&to=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(changes["changes"]["added"][0], "ACL-0001");
    assert_eq!(
        app.http
            .get(app.at("/api/list/export/pdf"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.http
            .get(app.at("/api/list?version=99"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

async fn the_commitments_are_public_with_the_exact_words_of_their_source(app: &TestApp) {
    let all: Vec<Value> = app
        .http
        .get(app.at("/api/commitments"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(all.len() >= 26, "{}", all.len());
    for c in &all {
        assert!(
            c["id"].is_string() && c["text"].is_string() && c["framework"].is_string(),
            "{c}"
        );
    }
    let step = all
        .iter()
        .find(|c| c["id"] == "astana2015.step.1")
        .expect("the first concrete step");
    assert_eq!(
        step["text"],
        "To identify relevant persons responsible for countering extremism in each country in the region;"
    );
    assert!(step["due"]["date"].is_string());
    let page = app
        .http
        .get(app.at("/commitments"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Joint Plan of Action"), "{page}");
    let r = app
        .http
        .get(app.at("/commitments/astana2015.step.1?lang=ru"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Конкретный шаг 1"));
    let r = app
        .http
        .get(app.at("/api/commitments/astana2015.step.99"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn oversized_uploads_get_413_and_change_nothing(app: &TestApp) {
    let sec = app.sign_in("sec").await;
    let big = vec![b'x'; 400 * 1024];
    let r = upload(app, &sec, "/lists/import/un", &[("file", "un.xml", big)]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        app.store
            .current_reference_versions()
            .await
            .unwrap()
            .is_empty()
    );
}

fn multipart(csrf: &str, files: &[(&str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "accord-test-boundary-7d3f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    for (field, file_name, data) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    b: &Browser,
    path: &str,
    files: &[(&str, &str, Vec<u8>)],
) -> reqwest::Response {
    let (content_type, body) = multipart(&b.csrf, files);
    app.http
        .post(app.at(path))
        .header(COOKIE, b.cookie_header())
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

async fn the_secretariat_imports_a_reference_list_which_screening_then_uses(app: &TestApp) {
    let sec = app.sign_in("sec").await;
    let ofac = "lists/tests/fixtures/ofac";
    let sdn = fixture(&format!("{ofac}/sdn.csv"));
    let r = upload(
        app,
        &sec,
        "/lists/import/ofac",
        &[("sdn", "sdn.csv", sdn.clone())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Imported version 1 of ofac"), "{html}");
    let r = upload(app, &sec, "/lists/import/ofac", &[("sdn", "sdn.csv", sdn)]).await;
    assert!(r.text().await.unwrap().contains("Nothing changed"));
    let token = app.api_token("usa.reader").await;
    let versions: Value = app
        .http
        .get(app.at("/api/lists"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 1);
    let entries = app
        .store
        .reference_list("ofac", None)
        .await
        .unwrap()
        .1
        .entries;
    let name = entries[0].names[0].text.clone();
    let body: Value = app
        .http
        .post(app.at("/api/screen"))
        .bearer_auth(&token)
        .json(&json!({ "name": name, "lists": ["ofac"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["results"][0]["candidates"][0]["match_id"],
        entries[0].reference.as_str(),
        "{body}"
    );
}

async fn malformed_or_forbidden_list_uploads_change_nothing(app: &TestApp) {
    let sec = app.sign_in("sec").await;
    let truncated =
        b"<?xml version=\"1.0\"?><CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>"
            .to_vec();
    let r = upload(
        app,
        &sec,
        "/lists/import/un",
        &[("file", "un.xml", truncated)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("nothing was imported"));
    let doctype =
        b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"boom\">]><CONSOLIDATED_LIST/>".to_vec();
    let r = upload(
        app,
        &sec,
        "/lists/import/un",
        &[("file", "un.xml", doctype)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let reader = app.sign_in("kaz.admin").await;
    let r = upload(
        app,
        &reader,
        "/lists/import/un",
        &[(
            "file",
            "un.xml",
            fixture("lists/tests/fixtures/un_sample.xml"),
        )],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (content_type, body) = multipart(
        "forged",
        &[(
            "file",
            "un.xml",
            fixture("lists/tests/fixtures/un_sample.xml"),
        )],
    );
    let r = app
        .http
        .post(app.at("/lists/import/un"))
        .header(COOKIE, sec.cookie_header())
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        app.store
            .current_reference_versions()
            .await
            .unwrap()
            .is_empty()
    );
}

async fn screening_answers_a_cyrillic_name_and_is_audited_without_the_name(app: &TestApp) {
    let r = app
        .http
        .post(app.at("/api/screen"))
        .json(&json!({ "name": "Мухаммад Тахир" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "screening needs an account"
    );
    let token = app.api_token("usa.reader").await;
    let r = app
        .http
        .post(app.at("/api/screen"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Мухаммад Тахир" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["results"][0]["candidates"][0]["match_id"], "TAi.005",
        "{body}"
    );
    assert!(
        body["results"][0]["candidates"][0]["explanation_text"]
            .as_str()
            .unwrap()
            .contains("matched")
    );
    let q = accord_store::AuditQuery {
        action: Some("screening.run".into()),
        limit: 5,
        ..Default::default()
    };
    let records = app.store.audit_records(&q).await.unwrap();
    assert_eq!(records[0].actor, "usa.reader");
    assert!(records[0].details.contains("\"queries\":1"));
    assert!(
        !records[0].details.contains("Тахир"),
        "names are not stored by default"
    );
    // The web page.
    let b = app.sign_in("kaz.admin").await;
    let html = app
        .post_form(
            &b,
            "/screen",
            &[("name", "Muhammad Taher Anwari"), ("schema", "Person")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("TAi.005"), "{html}");
}

async fn screening_batches_answer_bad_queries_as_errors_and_refuse_oversized_batches(
    app: &TestApp,
) {
    let token = app.api_token("usa.reader").await;
    let batch = json!({ "queries": [ { "id": "a", "name": "!!!" }, { "id": "b", "name": "Tahir Jalil Habbush" }, { "id": "c", "name": "x", "schema": "Planet" } ] });
    let body: Value = app
        .http
        .post(app.at("/api/screen"))
        .bearer_auth(&token)
        .json(&batch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let results = body["results"].as_array().unwrap();
    assert!(results[0]["error"].is_string());
    assert_eq!(results[1]["candidates"][0]["match_id"], "IQi.016");
    assert!(results[2]["error"].as_str().unwrap().contains("schema"));
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({ "name": format!("Name {i}") }))
        .collect();
    let r = app
        .http
        .post(app.at("/api/screen"))
        .bearer_auth(&token)
        .json(&json!({ "queries": many }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .http
        .post(app.at("/api/screen"))
        .bearer_auth(&token)
        .json(&json!({ "name": "A", "lists": ["nope"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_yente_match_endpoint_answers_in_yentes_shape(app: &TestApp) {
    let token = app.api_token("usa.reader").await;
    let request = json!({ "queries": { "q1": { "schema": "Person", "properties": { "name": ["Tahir Jalil Habbush"] } } } });
    let r = app
        .http
        .post(app.at("/match/un"))
        .bearer_auth(&token)
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["responses"]["q1"]["results"][0]["referents"][0], "IQi.016",
        "{body}"
    );
    assert_eq!(body["responses"]["q1"]["results"][0]["match"], true);
    assert!(body["responses"]["q1"]["results"][0]["score"].is_number());
    let r = app
        .http
        .post(app.at("/match/nope"))
        .bearer_auth(&token)
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.json::<Value>().await.unwrap()["detail"].is_string());

    // yente's client sends `Authorization: ApiKey <token>`; the answer
    // carries x-batch-size and one time format.
    let r = app
        .http
        .post(app.at("/match/default"))
        .header("authorization", format!("ApiKey {token}"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-batch-size"], "1");
    let body: Value = r.json().await.unwrap();
    let top = &body["responses"]["q1"]["results"][0];
    for field in ["first_seen", "last_seen", "last_change"] {
        let t = top[field].as_str().unwrap();
        assert_eq!(t.len(), 19, "{field} = {t}: YYYY-MM-DDTHH:MM:SS");
        assert!(!t.ends_with('Z'), "{field} = {t}");
    }

    // A body that does not fit: FastAPI's 422 `{"detail": [...]}`.
    let bad = json!({ "queries": { "q1": { "properties": { "name": ["X"] } } } });
    let r = app
        .http
        .post(app.at("/match/un"))
        .bearer_auth(&token)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let detail: Value = r.json().await.unwrap();
    assert_eq!(
        detail["detail"][0]["loc"],
        json!(["body", "queries", "q1", "schema"]),
        "{detail}"
    );
    assert_eq!(detail["detail"][0]["type"], "missing");
    let r = app
        .http
        .post(app.at("/match/un?limit=many"))
        .bearer_auth(&token)
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let detail: Value = r.json().await.unwrap();
    assert_eq!(detail["detail"][0]["loc"], json!(["query", "limit"]));

    // A query without a name is searched by its identifiers.
    let by_passport = json!({ "queries": { "p": { "schema": "Person", "properties": { "passportNumber": ["LY53FP76"] } } } });
    let r = app
        .http
        .post(app.at("/match/default"))
        .bearer_auth(&token)
        .json(&by_passport)
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["responses"]["p"]["status"], 200, "{body}");
    assert_eq!(
        body["responses"]["p"]["results"][0]["referents"][0], "LYi.023",
        "{body}"
    );
    // ... and audited as a query, though it has no name.
    let runs = app
        .store
        .audit_records(&accord_store::AuditQuery {
            action: Some("screening.run".into()),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        runs[0].details.contains("\"queries\":1"),
        "{}",
        runs[0].details
    );

    // The other yente endpoints: its shapes, or its JSON 404, never a page.
    let get = |path: &str| app.http.get(app.at(path)).bearer_auth(&token).send();
    let algorithms: Value = get("/algorithms").await.unwrap().json().await.unwrap();
    assert_eq!(algorithms["best"], "logic-v2");
    assert!(algorithms["algorithms"][0]["docs"]["config"].is_object());
    let catalog: Value = get("/catalog").await.unwrap().json().await.unwrap();
    assert!(
        catalog["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "un")
    );
    for path in ["/search/default?q=x", "/entities/un-IQi.016"] {
        let r = get(path).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(
            r.json::<Value>().await.unwrap()["detail"].is_string(),
            "{path}"
        );
    }
    let anonymous = app.http.get(app.at("/catalog")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(anonymous.json::<Value>().await.unwrap()["detail"].is_string());

    // yente's own client, when the peer tools are installed.
    let Some(python) = support::peer_python() else {
        return;
    };
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/peers/yente_match.py"
    );
    let (url, token) = (app.url.clone(), token.clone());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .args([script, &url, &token, "Tahir Jalil Habbush", "LY53FP76"])
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
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["top"][0], "IQi.016", "{seen}");
    assert_eq!(seen["passport"][0][0], "LYi.023", "{seen}");
    assert_eq!(seen["search"], 404);
}

async fn health_metrics_and_the_openapi_document_answer(app: &TestApp) {
    let r = app.http.get(app.at("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.http.get(app.at("/api/members")).send().await.unwrap();
    let sec = app.api_token("sec").await;
    let metrics = app
        .http
        .get(app.at("/metrics"))
        .bearer_auth(&sec)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("accord_http_requests_total"), "{metrics}");
    assert!(metrics.contains(r#"route="/api/members""#), "{metrics}");
    assert!(metrics.contains("accord_http_request_duration_seconds_bucket"));
    let spec: Value = app
        .http
        .get(app.at("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["paths"]["/api/members"]["get"].is_object());
    let docs = app
        .http
        .get(app.at("/api/docs"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(docs.contains("/static/vendor/swagger-ui/swagger-ui-bundle.js"));
    let bundle = app
        .http
        .get(app.at("/static/vendor/swagger-ui/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
}

async fn the_member_directory_is_public_in_json_and_html(app: &TestApp) {
    let members: Vec<Value> = app
        .http
        .get(app.at("/api/members"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(members.len(), 30);
    for m in &members {
        assert!(m["code"].is_string() && m["name"].is_string() && m["kind"].is_string());
    }
    let kinds = |k: &str| members.iter().filter(|m| m["kind"] == k).count();
    assert_eq!(
        (
            kinds("regional_state"),
            kinds("partner_state"),
            kinds("partner_organization")
        ),
        (9, 9, 12)
    );
    let page = app
        .http
        .get(app.at("/members"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Kazakhstan") && page.contains("SCO-RATS"));
    assert!(
        page.contains("11 partner organizations but its list names 12"),
        "the seed's discrepancy is shown"
    );
}

async fn focal_points_need_a_signed_in_member_user(app: &TestApp) {
    let r = app
        .http
        .get(app.at("/api/members/KAZ/focal-points"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let page = app
        .http
        .get(app.at("/members/KAZ"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("visible to signed-in users"));
    let token = app.api_token("usa.reader").await;
    let r = app
        .http
        .get(app.at("/api/members/KAZ/focal-points"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

async fn a_member_admin_adds_a_focal_point_through_the_form(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let fields = focal_fields("Aigerim Test");
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app
        .post_form(&b, "/members/KAZ/focal-points/new", &borrowed)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/members/KAZ");
    let page = app.get(&b, "/members/KAZ").await.text().await.unwrap();
    assert!(page.contains("Aigerim Test"));
    // An invalid form comes back with the field named and nothing stored.
    let r = app
        .post_form(
            &b,
            "/members/KAZ/focal-points/new",
            &[("name", ""), ("email", "nope")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("href=\"#name\"") && html.contains("href=\"#email\""));
    assert_eq!(app.focal_point_count("KAZ").await, 1);
}

async fn forms_without_the_right_csrf_token_are_refused_and_change_nothing(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let missing = app
        .post_raw_form(&b, "/members/KAZ/focal-points/new", &[("name", "No Token")])
        .await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    let wrong = app
        .post_raw_form(
            &b,
            "/members/KAZ/focal-points/new",
            &[("csrf", "forged"), ("name", "Wrong Token")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("expired or did not come from this site")
    );
    assert_eq!(app.focal_point_count("KAZ").await, 0);
}

async fn forbidden_requests_get_403_and_are_audited(app: &TestApp) {
    let b = app.sign_in("kgz.admin").await;
    let before = app.denied_records().await;
    let fields = focal_fields("Not Yours");
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = app
        .post_form(&b, "/members/KAZ/focal-points/new", &borrowed)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let token = app.api_token("usa.reader").await;
    let r = app
        .http
        .get(app.at("/api/audit"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "forbidden"
    );
    assert_eq!(app.denied_records().await, before + 2);
    assert_eq!(app.focal_point_count("KAZ").await, 0);
}

async fn unknown_ids_get_404_as_json_and_as_a_page(app: &TestApp) {
    let r = app
        .http
        .get(app.at("/api/members/XYZ"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
    let r = app.http.get(app.at("/members/XYZ")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("<html"));
    let token = app.api_token("sec").await;
    let r = app
        .http
        .get(app.at("/api/focal-points/999999"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app.http.get(app.at("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn malformed_and_invalid_json_is_rejected_naming_the_field(app: &TestApp) {
    let token = app.api_token("kaz.admin").await;
    let post = |body: &'static str| {
        app.http
            .post(app.at("/api/members/KAZ/focal-points"))
            .bearer_auth(&token)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
    };
    let r = post("{\"name\": ").await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post(r#"{"name": 42}"#).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["fields"][0]["field"],
        "name"
    );
    let r = post(r#"{"name": "A", "email": "not-an-address"}"#)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["fields"][0]["field"],
        "email"
    );
    let r = app
        .http
        .post(app.at("/api/members/KAZ/focal-points"))
        .bearer_auth(&token)
        .header(CONTENT_TYPE, "text/plain")
        .body("name=A")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.focal_point_count("KAZ").await, 0);
    let r = post(r#"{"name": "Valid Person"}"#).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.json::<Value>().await.unwrap()["stale"], false);
}

async fn oversized_bodies_get_413(app: &TestApp) {
    let token = app.api_token("kaz.admin").await;
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(200 * 1024));
    let r = app
        .http
        .post(app.at("/api/members/KAZ/focal-points"))
        .bearer_auth(&token)
        .header(CONTENT_TYPE, "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.focal_point_count("KAZ").await, 0);
}

async fn api_tokens_authenticate_machines_until_revoked(app: &TestApp) {
    let b = app.sign_in("usa.reader").await;
    let r = app
        .http
        .post(app.at("/api/tokens"))
        .header(COOKIE, b.cookie_header())
        .header("x-csrf-token", &b.csrf)
        .json(&json!({ "name": "border post", "scopes": ["read", "write"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["token"]["scopes"], "read write");
    let expires = created["token"]["expires_at"].as_i64().unwrap();
    let days = (expires - created["token"]["created_at"].as_i64().unwrap()) / 86_400_000;
    assert_eq!(days, 90, "the default lifetime");
    let secret = created["secret"].as_str().unwrap().to_string();
    let me: Value = app
        .http
        .get(app.at("/api/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "usa.reader");
    let id = created["token"]["id"].as_i64().unwrap();
    let r = app
        .http
        .delete(app.at(&format!("/api/tokens/{id}")))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .http
        .get(app.at("/api/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn a_token_is_held_to_its_scopes_and_cannot_make_tokens_nor_post_forms(app: &TestApp) {
    use accord_core::token::{Scope, Scopes, TokenRequest};
    let user = app
        .store
        .user_by_username(&accord_core::Username::parse("kaz.admin").unwrap())
        .await
        .unwrap();
    let border = app
        .store
        .create_token(
            &accord_store::Actor::system("test"),
            user.id,
            &TokenRequest {
                scopes: Scopes::of(&[Scope::Screen]),
                ..TokenRequest::full("gate 3")
            },
        )
        .await
        .unwrap()
        .secret;
    // A border post's token screens…
    let (status, v) = api(
        app,
        Some(&border),
        Method::POST,
        "/api/screen",
        Some(&json!({ "name": "Ivan Petrov" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // … and does nothing else its owner, a member administrator, could.
    for (method, path, body, scope) in [
        (Method::GET, "/api/list", None, "read"),
        (
            Method::POST,
            "/api/members/KAZ/focal-points",
            Some(json!({ "name": "X" })),
            "write",
        ),
        (
            Method::POST,
            "/api/hashes/lookup",
            Some(json!({ "signals": [] })),
            "hashes",
        ),
        (Method::GET, "/metrics", None, "metrics"),
    ] {
        let (status, v) = api(app, Some(&border), method, path, body.as_ref()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {v}");
        // The API answers in JSON; /metrics, outside it, with a page.
        let message = match v["error"]["code"].as_str() {
            Some(code) => {
                assert_eq!(code, "token_scope", "{path}: {v}");
                v["error"]["message"].as_str().unwrap().to_string()
            }
            None => v.as_str().unwrap().to_string(),
        };
        assert!(
            message.contains(&format!("the {scope} scope")),
            "{path}: {message}"
        );
    }
    // Even a token with every scope cannot make tokens (a leaked one could
    // plant successors) nor post the pages' forms.
    let full = app.api_token("kaz.admin").await;
    let (status, v) = api(
        app,
        Some(&full),
        Method::POST,
        "/api/tokens",
        Some(&json!({ "name": "child", "scopes": ["read"] })),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "not_for_tokens");
    let r = app
        .http
        .post(app.at("/profile/tokens"))
        .bearer_auth(&full)
        .form(&[("name", "child"), ("scopes", "read"), ("days", "30")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let tokens = app.store.tokens(user.id).await.unwrap();
    assert_eq!(tokens.len(), 2, "no token was made by a token");
    // Nor an account, whose one-time password would let it sign in and
    // make tokens, even the secretariat's token.
    let sec = app.api_token("sec").await;
    let (status, v) = api(app, Some(&sec), Method::POST, "/api/users",
        Some(&json!({ "username": "planted", "display_name": "P", "member": "KAZ", "role": "member_admin" }))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["error"]["code"], "not_for_tokens");
    // A page is read under its feature's scope: a bank's page is hashes.
    let r = app
        .http
        .get(app.at("/banks"))
        .bearer_auth(&border)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a screening token reads no bank page"
    );
    // The metrics are the secretariat's: its scraper's token reads them.
    let (status, _) = api(app, None, Method::GET, "/metrics", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "anonymous: sent to sign in");
    let (status, _) = api(app, Some(&full), Method::GET, "/metrics", None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a member's token, metrics scope or not"
    );
    let (status, text) = api(app, Some(&sec), Method::GET, "/metrics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.as_str()
            .unwrap()
            .contains("accord_http_requests_total")
    );
}

async fn a_token_form_refuses_bad_input_naming_each_field_and_keeps_it(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let r = app
        .post_raw_form(
            &b,
            "/profile/tokens",
            &[("csrf", &b.csrf), ("name", "gate 3"), ("days", "1000")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("choose at least one scope"), "scopes named");
    assert!(page.contains("from 1 to 730"), "days named");
    assert!(page.contains(r#"value="gate 3""#), "the name is kept");
    assert!(page.contains(r#"value="1000""#), "the days are kept");
    let user = app
        .store
        .user_by_username(&accord_core::Username::parse("kaz.admin").unwrap())
        .await
        .unwrap();
    assert!(
        app.store.tokens(user.id).await.unwrap().is_empty(),
        "nothing made"
    );
    // In Russian too.
    let r = app
        .http
        .post(app.at("/profile/tokens"))
        .header(COOKIE, b.cookie_header())
        .header(reqwest::header::ACCEPT_LANGUAGE, "ru")
        .form(&[
            ("csrf", b.csrf.as_str()),
            ("name", "gate 3"),
            ("days", "0"),
            ("scopes", "root"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("не область"), "translated");
    assert!(page.contains("целым числом дней"), "translated");
    // A good one: shown once, with its scopes and expiry listed.
    let r = app
        .post_raw_form(
            &b,
            "/profile/tokens",
            &[
                ("csrf", &b.csrf),
                ("name", "gate 3"),
                ("scopes", "screen"),
                ("days", "30"),
            ],
        )
        .await;
    // Post/redirect/get: the secret rides a one-time cookie of this page
    // to the view after the redirect, and a reload makes no second token.
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/profile#new-token");
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("accord_new_token=acc_")
            && cookie.contains("Path=/profile")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let secret = cookie["accord_new_token=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let view = |cookie: String| {
        app.http
            .get(app.at("/profile"))
            .header(COOKIE, cookie)
            .send()
    };
    let with_flash = format!("{}; accord_new_token={secret}", b.cookie_header());
    let r = view(with_flash.clone()).await.unwrap();
    let cleared = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cleared.starts_with("accord_new_token=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let page = r.text().await.unwrap();
    assert!(page.contains(&secret), "the secret is shown once");
    assert!(page.contains("Token “gate 3” created."), "{page}");
    assert!(
        page.contains(r#"data-copy="new-token-secret""#),
        "a copy button"
    );
    // A session cookie: never written to the browser's disk.
    assert!(!cookie.contains("Max-Age"), "{cookie}");
    // Signing out clears it with the session.
    let r = app.post_form(&b, "/logout", &[]).await;
    let cleared_at_logout = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("accord_new_token=;"));
    assert!(cleared_at_logout, "cleared when signing out");
    // Another user's browser cannot be shown it, nor a made-up one.
    let other = app.sign_in("kgz.admin").await;
    for flash in [secret.clone(), "acc_made_up".to_string()] {
        let page = view(format!(
            "{}; accord_new_token={flash}",
            other.cookie_header()
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
        assert!(!page.contains(&flash), "{flash} shown to another user");
    }
    let tokens = app.store.tokens(user.id).await.unwrap();
    assert_eq!(tokens.len(), 1, "one token");
    assert_eq!(tokens[0].scopes, "screen");
    assert_eq!(
        (tokens[0].expires_at.unwrap() - tokens[0].created_at) / 86_400_000,
        30
    );
}

async fn a_stale_edit_gets_409_and_changes_nothing(app: &TestApp) {
    let token = app.api_token("kaz.admin").await;
    let created: Value = app
        .http
        .post(app.at("/api/members/KAZ/focal-points"))
        .bearer_auth(&token)
        .json(&json!({ "name": "First" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = app.at(&format!("/api/focal-points/{}", created["id"]));
    let ok = app
        .http
        .put(&url)
        .bearer_auth(&token)
        .json(&json!({ "version": 1, "name": "Second" }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let stale = app
        .http
        .put(&url)
        .bearer_auth(&token)
        .json(&json!({ "version": 1, "name": "Third" }))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let now: Value = app
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (now["name"].as_str(), now["version"].as_i64()),
        (Some("Second"), Some(2))
    );
}

async fn repeated_failed_sign_ins_get_429(app: &TestApp) {
    let b = app.anonymous().await;
    for _ in 0..5 {
        let r = app
            .post_form(
                &b,
                "/login",
                &[("username", "kaz.admin"), ("password", "wrong password!")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = app
        .post_form(
            &b,
            "/login",
            &[("username", "kaz.admin"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
}

async fn the_interface_switches_to_russian(app: &TestApp) {
    let r = app
        .http
        .get(app.at("/members?lang=ru"))
        .send()
        .await
        .unwrap();
    let cookie = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("accord_lang=ru"));
    assert!(cookie, "the choice is remembered");
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="ru">"#));
    assert!(html.contains("Участники") && html.contains("Казахстан"));
    let html = app
        .http
        .get(app.at("/"))
        .header("accept-language", "ru-RU,ru;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="ru">"#));
}

async fn session_api_writes_need_the_csrf_header(app: &TestApp) {
    let b = app.sign_in("kaz.admin").await;
    let r = app
        .http
        .post(app.at("/api/members/KAZ/focal-points"))
        .header(COOKIE, b.cookie_header())
        .json(&json!({ "name": "Via Session" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.focal_point_count("KAZ").await, 0);
}

async fn one_time_passwords_must_be_changed_first(app: &TestApp) {
    let sec = app.sign_in("sec").await;
    let r = app
        .post_form(
            &sec,
            "/admin/users",
            &[
                ("username", "new.user"),
                ("display_name", "New User"),
                ("member", "TJK"),
                ("role", "reader"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let marker = "<code class=\"secret\">";
    let start = html.find(marker).expect("one-time password shown") + marker.len();
    let otp = html[start..].split('<').next().unwrap().to_string();
    let mut b = app.anonymous().await;
    let r = app
        .post_form(
            &b,
            "/login",
            &[("username", "new.user"), ("password", &otp)],
        )
        .await;
    assert_eq!(r.headers()[LOCATION], "/profile/password");
    b.absorb(&r);
    let r = app.get(&b, "/members").await;
    assert_eq!(
        r.headers()[LOCATION],
        "/profile/password",
        "nothing else until the password is changed"
    );
}

// ---- The Joint Plan tracker: rounds, reports, progress, strategies ----

/// Opens a round with the secretariat's form; returns its page's path.
async fn put_report(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.http
        .put(app.at(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn get_json(app: &TestApp, token: Option<&str>, path: &str) -> (StatusCode, Value) {
    let mut req = app.http.get(app.at(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn a_reporting_round_from_opening_to_the_matrix_the_chart_and_the_csv(app: &TestApp) {
    // A round without commitments is refused, in the reader's language.
    let sec = app.sign_in("sec").await;
    let r = app
        .post_form(
            &sec,
            "/rounds/new?lang=ru",
            &[
                ("id", "x"),
                ("name", "X"),
                ("period_start", "2026-01-01"),
                ("period_end", "2026-02-01"),
                ("deadline", "2026-02-01"),
                ("members", "KAZ"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("выберите хотя бы одно обязательство")
    );
    assert_eq!(get_json(app, None, "/api/rounds").await.1, json!([]));
    let round = open_round_by_form(app, "2026-spring", &far_deadline()).await;
    // The members asked are told, in their inbox.
    let kaz = app.sign_in("kaz.admin").await;
    let inbox = app.get(&kaz, "/notifications").await.text().await.unwrap();
    assert!(inbox.contains("/rounds/2026-spring"), "{inbox}");
    // KAZ drafts through the page, with an indicator, a link and partners.
    let page = app.get(&kaz, &round).await.text().await.unwrap();
    assert!(page.contains("Reports of KAZ"), "{page}");
    let report = format!("{round}/reports/KAZ/astana2015.step.1");
    let r = app
        .post_form(
            &kaz,
            &format!("{report}/draft"),
            &[
                ("revision", "0"),
                ("status", "implemented"),
                ("narrative", "Focal points named in all 17 regions."),
                ("indicator_label", "focal points named"),
                ("indicator_value", "17"),
                ("indicator_unit", "people"),
                ("indicator_label", ""),
                ("indicator_value", ""),
                ("indicator_unit", ""),
                ("evidence_url", "https://example.kz/decree-42"),
                ("evidence_title", "Government decree 42"),
                (
                    "agencies",
                    "Ministry of Information\nAgency for Religious Affairs",
                ),
                ("civil_society_partners", "Youth Initiative Network"),
                ("tlp", "CLEAR"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let page = app.get(&kaz, &report).await.text().await.unwrap();
    assert!(page.contains("Focal points named in all 17 regions."));
    assert!(page.contains("17 people (focal points named)"), "{page}");
    // A draft does not count yet: the round is open, the report awaited.
    let (_, m) = get_json(app, None, "/api/rounds/2026-spring/matrix").await;
    assert_eq!(m["cells"][0][0], "not_yet_reported", "{m}");
    let r = app
        .post_form(&kaz, &format!("{report}/submit"), &[("revision", "1")])
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    // Now everyone sees it (TLP:CLEAR): matrix, progress, chart, CSV, summary.
    let (status, m) = get_json(app, None, "/api/rounds/2026-spring/matrix").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["members"], json!(["KAZ", "KGZ"]));
    assert_eq!(
        m["cells"][0][0],
        json!({ "reported": "implemented" }),
        "{m}"
    );
    assert_eq!(m["by_member"][0]["progress"]["implemented"], 1);
    let chart = app
        .http
        .get(app.at("/rounds/2026-spring/status.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        chart.headers()[CONTENT_TYPE],
        "image/svg+xml; charset=utf-8"
    );
    let svg = chart.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("KAZ") && !svg.contains("<script"));
    let csv = app
        .http
        .get(app.at("/rounds/2026-spring/matrix.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("\u{feff}member,astana2015.step.1,astana2015.step.2"),
        "{csv}"
    );
    assert!(csv.contains("KAZ,implemented,not_yet_reported"), "{csv}");
    let reports = app
        .http
        .get(app.at("/rounds/2026-spring/reports.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        reports.contains("Focal points named in all 17 regions."),
        "{reports}"
    );
    let summary = app
        .http
        .get(app.at("/rounds/2026-spring/summary?lang=ru"))
        .send()
        .await
        .unwrap();
    assert_eq!(summary.status(), StatusCode::OK);
    let summary = summary.text().await.unwrap();
    assert!(summary.contains("Сводка для печати") && summary.contains("<svg"));
    let commitment = app
        .http
        .get(app.at("/commitments/astana2015.step.1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        commitment.contains("Each member&#39;s latest status")
            || commitment.contains("Each member's latest status")
    );
    assert!(commitment.contains("/rounds/2026-spring/reports/KAZ/astana2015.step.1"));
    // Filters: a pillar without these steps leaves no column; a bad one is named.
    let (status, m) = get_json(
        app,
        None,
        "/api/rounds/2026-spring/matrix?framework=astana2015",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(m["commitments"].as_array().unwrap().len(), 2);
    let (status, e) = get_json(
        app,
        None,
        "/api/rounds/2026-spring/matrix?framework=atlantis",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "framework");
}

async fn bad_reports_get_clear_errors_and_change_nothing(app: &TestApp) {
    open_closed_round(app, "2026-late").await;
    open_round_by_form(app, "2026-open", &far_deadline()).await;
    let kaz = app.api_token("kaz.admin").await;
    let kgz = app.api_token("kgz.admin").await;
    let reader = app.api_token("usa.reader").await;
    let good = json!({ "status": "planned", "tlp": "GREEN", "narrative": "A plan." });
    let at = "/api/rounds/2026-open/reports/KAZ/astana2015.step.1";
    // A commitment outside the round, an unknown round; another member's
    // report is refused before anything is looked up (auth before input).
    for (path, code) in [
        (
            "/api/rounds/2026-open/reports/KAZ/astana2015.step.5",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/rounds/no-such/reports/KAZ/astana2015.step.1",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/rounds/2026-open/reports/TJK/astana2015.step.1",
            StatusCode::FORBIDDEN,
        ),
    ] {
        let r = put_report(app, &kaz, path, &good).await;
        assert_eq!(r.status(), code, "{path}");
    }
    // A user of another member, a reader, nobody.
    assert_eq!(
        put_report(app, &kgz, at, &good).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put_report(app, &reader, at, &good).await.status(),
        StatusCode::FORBIDDEN
    );
    let anonymous = app.http.put(app.at(at)).json(&good).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    // An unknown status, a bad indicator: 422 naming the fields.
    let r = put_report(
        app,
        &kaz,
        at,
        &json!({ "status": "finished", "tlp": "GREEN", "indicators": [{ "label": "x", "value": "many", "unit": "people" }] }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"status") && fields.iter().any(|f| f.starts_with("indicators[0]")),
        "{e}"
    );
    // After the deadline: 409, until the secretariat reopens the round.
    let late = "/api/rounds/2026-late/reports/KAZ/astana2015.step.1";
    let r = put_report(app, &kaz, late, &good).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("deadline"));
    let sec = app.api_token("sec").await;
    let r = app
        .http
        .post(app.at("/api/rounds/2026-late/reopen"))
        .bearer_auth(&kaz)
        .json(&json!({ "reopened": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "members do not reopen rounds"
    );
    let r = app
        .http
        .post(app.at("/api/rounds/2026-late/reopen"))
        .bearer_auth(&sec)
        .json(&json!({ "reopened": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        put_report(app, &kaz, late, &good).await.status(),
        StatusCode::OK
    );
    // Nothing of the refused attempts was stored.
    let (_, reports) = get_json(app, Some(&kaz), "/api/rounds/2026-open/reports").await;
    assert_eq!(reports, json!([]));
    // A stale revision, then an edit of a submitted report: 409, nothing changed.
    let r = put_report(app, &kaz, at, &good).await;
    assert_eq!(r.status(), StatusCode::OK);
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["revision"], 1);
    let mut edit = good.clone();
    edit["narrative"] = json!("Second thoughts.");
    edit["revision"] = json!(1);
    assert_eq!(
        put_report(app, &kaz, at, &edit).await.status(),
        StatusCode::OK
    );
    let stale = put_report(app, &kaz, at, &edit).await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let r = app
        .http
        .post(app.at(&format!("{at}/submit")))
        .bearer_auth(&kaz)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let after_submit = put_report(app, &kaz, at, &good).await;
    assert_eq!(after_submit.status(), StatusCode::CONFLICT);
    assert!(after_submit.text().await.unwrap().contains("correction"));
    let (_, stored) = get_json(app, Some(&kaz), at).await;
    assert_eq!(stored["versions"].as_array().unwrap().len(), 1);
    assert_eq!(
        stored["versions"][0]["content"]["narrative"],
        "Second thoughts."
    );
    // A correction is a new version; the submitted one is kept.
    let r = app
        .http
        .post(app.at(&format!("{at}/correct")))
        .bearer_auth(&kaz)
        .json(&json!({ "status": "in_progress", "tlp": "GREEN" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (_, stored) = get_json(app, Some(&kaz), at).await;
    assert_eq!(stored["versions"].as_array().unwrap().len(), 2);
    assert_eq!(stored["versions"][1]["corrects"], 1);
    // Files: a disallowed type is refused, an oversized one gets 413.
    let b = app.sign_in("kaz.admin").await;
    let files = "/rounds/2026-open/reports/KAZ/astana2015.step.1/files";
    let r = upload(app, &b, files, &[("file", "run.exe", b"MZ....".to_vec())]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = upload(
        app,
        &b,
        files,
        &[("file", "big.pdf", vec![b'x'; 300 * 1024])],
    )
    .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let r = upload(
        app,
        &b,
        files,
        &[("file", "decree.pdf", b"%PDF-1.4 decree".to_vec())],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let (_, stored) = get_json(app, Some(&kaz), at).await;
    let evidence = &stored["versions"][1]["content"]["evidence"];
    assert_eq!(evidence.as_array().unwrap().len(), 1, "{stored}");
    let sha = evidence[0]["sha256"].as_str().unwrap();
    let file = app
        .get(
            &b,
            &format!("/rounds/2026-open/reports/KAZ/astana2015.step.1/files/{sha}"),
        )
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.4 decree");
    // A machine attaches a file with its API token alone (no session, no CSRF field).
    let (content_type, body) = multipart("", &[("file", "annex.pdf", b"%PDF-1.4 annex".to_vec())]);
    let r = app
        .http
        .post(app.at("/api/rounds/2026-open/reports/KAZ/astana2015.step.1/files"))
        .bearer_auth(&kaz)
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let attached: Value = r.json().await.unwrap();
    assert_eq!(
        attached["versions"][1]["content"]["evidence"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // The same file twice is refused; nothing changes.
    let r = upload(
        app,
        &b,
        files,
        &[("file", "decree.pdf", b"%PDF-1.4 decree".to_vec())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another member learns nothing of the report's activity from its page.
    let kgz_b = app.sign_in("kgz.admin").await;
    let page = app
        .get(&kgz_b, "/rounds/2026-open/reports/KAZ/astana2015.step.1")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("Revision"), "{page}");
}

async fn restricted_reports_are_seen_only_by_their_member_and_the_secretariat(app: &TestApp) {
    open_round_by_form(app, "2026-red", &far_deadline()).await;
    let kaz = app.api_token("kaz.admin").await;
    let at = "/api/rounds/2026-red/reports/KAZ/astana2015.step.1";
    let r = put_report(
        app,
        &kaz,
        at,
        &json!({ "status": "implemented", "tlp": "RED", "narrative": "Names of informants in prisons." }),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .http
        .post(app.at(&format!("{at}/submit")))
        .bearer_auth(&kaz)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let sec = app.api_token("sec").await;
    let kgz = app.api_token("kgz.admin").await;
    let usa = app.api_token("usa.reader").await;
    for (who, sees) in [
        (Some(&kaz), true),
        (Some(&sec), true),
        (Some(&kgz), false),
        (Some(&usa), false),
        (None, false),
    ] {
        let who = who.map(String::as_str);
        let (_, m) = get_json(app, who, "/api/rounds/2026-red/matrix").await;
        // Those who may not read it are told it was reported, and nothing more.
        let cell = &m["cells"][0][0];
        if sees {
            assert_eq!(
                cell,
                &json!({ "reported": "implemented" }),
                "matrix for {who:?}: {m}"
            );
        } else {
            assert_eq!(cell, "restricted", "matrix for {who:?}: {m}");
            assert_eq!(m["totals"]["implemented"], 0, "{m}");
            assert_eq!(m["totals"]["restricted"], 1, "{m}");
        }
        let (status, _) = get_json(app, who, at).await;
        assert_eq!(status == StatusCode::OK, sees, "report for {who:?}");
        let (_, all) = get_json(app, who, "/api/rounds/2026-red/reports").await;
        assert_eq!(
            all.as_array().unwrap().len(),
            usize::from(sees),
            "reports for {who:?}"
        );
        let mut req = app.http.get(app.at("/rounds/2026-red/reports.csv"));
        if let Some(t) = who {
            req = req.bearer_auth(t);
        }
        let csv = req.send().await.unwrap().text().await.unwrap();
        assert_eq!(csv.contains("informants"), sees, "CSV for {who:?}");
        let mut req = app.http.get(app.at("/rounds/2026-red/matrix.csv"));
        if let Some(t) = who {
            req = req.bearer_auth(t);
        }
        let csv = req.send().await.unwrap().text().await.unwrap();
        assert_eq!(
            csv.contains("KAZ,implemented"),
            sees,
            "matrix CSV for {who:?}"
        );
    }
}

async fn separation_of_duties_and_strategies_over_http(app: &TestApp) {
    let new = NewUser::parse("kaz.analyst", "Analyst", "KAZ", "contributor").unwrap();
    app.store
        .create_user(&Actor::system("test"), &new, PASSWORD, false)
        .await
        .unwrap();
    open_round_by_form(app, "2026-sod", &far_deadline()).await;
    let admin = app.api_token("kaz.admin").await;
    let analyst = app.api_token("kaz.analyst").await;
    let at = "/api/rounds/2026-sod/reports/KAZ/astana2015.step.2";
    let body = json!({ "status": "in_progress", "tlp": "GREEN" });
    assert_eq!(
        put_report(app, &admin, at, &body).await.status(),
        StatusCode::OK
    );
    let submit = |token: String| {
        let req = app
            .http
            .post(app.at(&format!("{at}/submit")))
            .bearer_auth(token)
            .json(&json!({}));
        async move { req.send().await.unwrap() }
    };
    let r = submit(admin.clone()).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("separation of duties"));
    // The page offers the administrator no Submit button it would refuse,
    // and says who submits; once a colleague edited, the button is there.
    let page_path = "/rounds/2026-sod/reports/KAZ/astana2015.step.2";
    let kaz = app.sign_in("kaz.admin").await;
    let page = app.get(&kaz, page_path).await.text().await.unwrap();
    assert!(
        !page.contains(&format!(r#"action="{page_path}/submit""#)),
        "{page}"
    );
    assert!(
        page.contains("another administrator of your state submits it"),
        "{page}"
    );
    assert_eq!(
        submit(analyst.clone()).await.status(),
        StatusCode::FORBIDDEN,
        "contributors do not submit"
    );
    assert_eq!(
        put_report(app, &analyst, at, &body).await.status(),
        StatusCode::OK
    );
    let page = app.get(&kaz, page_path).await.text().await.unwrap();
    assert!(
        page.contains(&format!(r#"action="{page_path}/submit""#)),
        "{page}"
    );
    assert!(
        !page.contains("another administrator of your state submits it"),
        "{page}"
    );
    assert_eq!(submit(admin.clone()).await.status(), StatusCode::OK);

    // The register of strategies.
    let strategy = json!({
        "member": "KAZ", "title": "National CVE Strategy 2026–2030", "kind": "strategy", "status": "adopted",
        "adopted_on": "2026-01-15", "actors": ["Ministry of Information", "Youth NGO network"],
        "implements": ["astana2015.step.2"], "url": "https://example.kz/strategy.pdf", "tlp": "CLEAR"
    });
    let r = app
        .http
        .post(app.at("/api/strategies"))
        .bearer_auth(&analyst)
        .json(&strategy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let kgz = app.api_token("kgz.admin").await;
    let r = app
        .http
        .post(app.at("/api/strategies"))
        .bearer_auth(&kgz)
        .json(&strategy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut bad = strategy.clone();
    bad["status"] = json!("drafting");
    let r = app
        .http
        .post(app.at("/api/strategies"))
        .bearer_auth(&analyst)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a draft has no adoption date"
    );
    let page = app
        .http
        .get(app.at("/strategies"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("National CVE Strategy 2026–2030") && page.contains("Youth NGO network"));
    let mut change = strategy.clone();
    change["status"] = json!("under_review");
    change["revision"] = json!(1);
    let path = format!("/api/strategies/{}", created["id"]);
    let r = app
        .http
        .put(app.at(&path))
        .bearer_auth(&admin)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .http
        .put(app.at(&path))
        .bearer_auth(&admin)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "a stale revision");

    // Its document: uploaded on the page, public like the strategy (CLEAR);
    // a RED strategy's document is hidden from other members.
    let id = created["id"].as_i64().unwrap();
    let b = app.sign_in("kaz.admin").await;
    let docs = format!("/strategies/{id}/documents");
    let r = upload(app, &b, &docs, &[("file", "run.exe", b"MZ".to_vec())]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = upload(
        app,
        &b,
        &docs,
        &[("file", "strategy.pdf", b"%PDF-1.7 strategy".to_vec())],
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let kgz_browser = app.sign_in("kgz.admin").await;
    let r = upload(
        app,
        &kgz_browser,
        &docs,
        &[("file", "x.pdf", b"%PDF-1.7".to_vec())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, all) = get_json(app, None, "/api/strategies").await;
    assert_eq!(all[0]["documents"].as_array().unwrap().len(), 1, "{all}");
    let doc = all[0]["documents"][0]["id"].as_i64().unwrap();
    let file = app
        .http
        .get(app.at(&format!("{docs}/{doc}")))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().as_ref(), b"%PDF-1.7 strategy");
    let mut red = strategy.clone();
    red["tlp"] = json!("RED");
    red["title"] = json!("Classified action plan");
    let r = app
        .http
        .post(app.at("/api/strategies"))
        .bearer_auth(&admin)
        .json(&red)
        .send()
        .await
        .unwrap();
    let red_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let red_docs = format!("/strategies/{red_id}/documents");
    let r = upload(
        app,
        &b,
        &red_docs,
        &[("file", "plan.pdf", b"%PDF-1.7 secret".to_vec())],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, mine) = get_json(app, Some(&admin), "/api/strategies").await;
    let red_doc = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == red_id)
        .unwrap()["documents"][0]["id"]
        .as_i64()
        .unwrap();
    let hidden = app
        .get(&kgz_browser, &format!("{red_docs}/{red_doc}"))
        .await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let (_, theirs) = get_json(app, Some(&kgz), "/api/strategies").await;
    assert!(
        theirs.as_array().unwrap().iter().all(|s| s["id"] != red_id),
        "{theirs}"
    );
    let own = app.get(&b, &format!("{red_docs}/{red_doc}")).await;
    assert_eq!(own.status(), StatusCode::OK);

    // The secretariat extends the catalogue; members cannot.
    let sec = app.api_token("sec").await;
    let framework = json!({ "id": "dushanbe2026", "title": "Dushanbe Declaration", "short_title": "Dushanbe 2026", "source": "Outcome document" });
    let r = app
        .http
        .post(app.at("/api/frameworks"))
        .bearer_auth(&admin)
        .json(&framework)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .http
        .post(app.at("/api/frameworks"))
        .bearer_auth(&sec)
        .json(&framework)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let commitment = json!({ "id": "dushanbe2026.step.1", "framework": "dushanbe2026", "kind": "concrete_step",
        "text": "To train imams in every province.", "applies_to": "regional_states", "source": "para. 4" });
    let r = app
        .http
        .post(app.at("/api/commitments"))
        .bearer_auth(&sec)
        .json(&commitment)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .http
        .post(app.at("/api/commitments"))
        .bearer_auth(&sec)
        .json(&commitment)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "twice");
    let (_, one) = get_json(app, None, "/api/commitments/dushanbe2026.step.1").await;
    assert_eq!(one["text"], "To train imams in every province.");
}

async fn requests_axum_cannot_read_get_the_same_json_errors_as_the_rest(app: &TestApp) {
    let token = app.api_token("kaz.admin").await;
    let get = |path: &'static str| {
        let request = app
            .http
            .get(app.at(path))
            .header("authorization", format!("Bearer {token}"));
        async move { request.send().await.unwrap() }
    };
    // A path parameter that is not a number, a query that does not parse.
    for path in ["/api/proposals/not-a-number", "/api/list?version=abc"] {
        let r = get(path).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        let ct = r.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
        assert!(ct.starts_with("application/json"), "{path}: {ct}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_request", "{path}");
    }
    // A method the route does not take: 405 with Allow, not 400.
    let r = get("/api/petitions").await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers().contains_key("allow"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    // The same on a page: an error page, not plain text.
    let b = app.sign_in("kaz.admin").await;
    let r = app.get(&b, "/proposals/not-a-number").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(
        r.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

async fn signed_in_answers_are_never_cached_and_https_is_required_with_secure_cookies(
    app: &TestApp,
) {
    use reqwest::header::{AUTHORIZATION, CACHE_CONTROL};
    let hsts = "max-age=31536000; includeSubDomains";
    let cache = |r: &reqwest::Response| {
        r.headers()
            .get(CACHE_CONTROL)
            .map(|v| v.to_str().unwrap().to_string())
    };
    // Anonymous, with the CSRF cookie already set: public answers keep the
    // caching their handler chose (none for a page, its own for a chart).
    let anonymous = app.anonymous().await;
    let r = app.get(&anonymous, "/members").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(cache(&r), None);
    assert_eq!(r.headers()["strict-transport-security"], hsts);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers().contains_key("content-security-policy"));
    let r = app.get(&anonymous, "/plan/progress.svg").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(cache(&r).as_deref(), Some("private, no-store"));
    // The answer that signs in sets the session cookie: not for any cache.
    let r = app
        .post_form(
            &anonymous,
            "/login",
            &[("username", "kaz.admin"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(cache(&r).as_deref(), Some("no-store"));

    // Signed in by cookie: pages, the API, exports, errors — never stored.
    let b = app.sign_in("kaz.admin").await;
    for path in [
        "/members",
        "/members/KAZ",
        "/profile",
        "/notifications",
        "/api/me",
        "/programmes.csv",
        "/plan/progress.svg",
        "/no-such-page",
    ] {
        let r = app.get(&b, path).await;
        let expected = if path == "/no-such-page" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(r.status(), expected, "{path}");
        assert_eq!(cache(&r).as_deref(), Some("no-store"), "{path}");
        assert_eq!(r.headers()["strict-transport-security"], hsts, "{path}");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
    }
    // The vendored assets are the same for everyone and stay cacheable.
    let r = app.get(&b, "/static/accord.css").await;
    assert_eq!(cache(&r).as_deref(), Some("public, max-age=3600"));
    assert_eq!(r.headers()["strict-transport-security"], hsts);
    // The icon every page and the API docs link (so browsers do not go
    // looking for a /favicon.ico).
    let r = app.get(&b, "/static/favicon.svg").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[CONTENT_TYPE], "image/svg+xml");
    let docs = app.get(&b, "/api/docs").await.text().await.unwrap();
    assert!(
        docs.contains(r#"<link rel="icon" href="/static/favicon.svg""#),
        "{docs}"
    );

    // Signed in by token, and a token refused before any handler runs.
    let token = app.api_token("kaz.admin").await;
    for (path, secret, status) in [
        ("/api/me", token.as_str(), StatusCode::OK),
        ("/api/programmes.csv", token.as_str(), StatusCode::OK),
        ("/api/me", "acc_not-a-token", StatusCode::UNAUTHORIZED),
    ] {
        let r = app
            .http
            .get(app.at(path))
            .header(AUTHORIZATION, format!("Bearer {secret}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
        assert_eq!(cache(&r).as_deref(), Some("no-store"), "{path}");
        if status == StatusCode::UNAUTHORIZED {
            // Said as what it is: the token, not a missing sign-in.
            assert_eq!(
                r.headers()["www-authenticate"],
                r#"Bearer error="invalid_token""#
            );
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_token", "{body}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("invalid, revoked or expired"),
                "{body}"
            );
        }
    }

    // Without secure cookies the platform is not known to be on HTTPS.
    let Some(plain) = TestApp::spawn_with(app.store.backend(), |c| c.secure_cookies = false).await
    else {
        return;
    };
    let r = plain.http.get(plain.at("/members")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!r.headers().contains_key("strict-transport-security"));
    plain.finish().await;
}

async fn names_that_hide_characters_are_refused_naming_the_field_and_keep_the_input(app: &TestApp) {
    let message = accord_core::validation::HIDDEN_CHARACTER_MESSAGE;
    // A focal point whose name would display as "Aigerim Nurlanova".
    let b = app.sign_in("kaz.admin").await;
    let fields = focal_fields("Aigerim \u{202E}avonlruN");
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for (path, expected) in [
        ("/members/KAZ/focal-points/new", message),
        (
            "/members/KAZ/focal-points/new?lang=ru",
            "не должно содержать невидимых символов и символов управления направлением текста",
        ),
    ] {
        let r = app.post_form(&b, path, &borrowed).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("href=\"#name\""), "{path}");
        assert!(html.contains(expected), "{path}");
        assert!(
            html.contains("Aigerim \u{202E}avonlruN"),
            "the input is kept"
        );
        assert!(html.contains("Head of division"), "the other fields too");
    }
    assert_eq!(app.focal_point_count("KAZ").await, 0);

    // A display name with a zero-width space, through the API (as a person:
    // no token makes accounts).
    let admin = app.sign_in("kaz.admin").await;
    let (status, body) = api_as(
        app,
        &admin,
        reqwest::Method::POST,
        "/api/users",
        Some(&json!({
            "username": "kaz.twin",
            "display_name": "kaz\u{200B}.admin",
            "member": "KAZ",
            "role": "reader"
        })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "display_name");
    assert_eq!(body["error"]["fields"][0]["message"], message);
    assert!(
        app.store
            .user_by_username(&accord_core::Username::parse("kaz.twin").unwrap())
            .await
            .is_err()
    );

    // An uploaded file named "names….exe" that displays as "namesexe.csv".
    let r = upload(
        app,
        &b,
        "/screen/batch",
        &[(
            "file",
            "names\u{202E}vsc.exe",
            b"name\nIvan Petrov\n".to_vec(),
        )],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains(message));
}

async fn each_user_of_a_member_keeps_their_own_unread_notifications(app: &TestApp) {
    use accord_store::common_list::SubjectKind;
    // Kyrgyzstan is told of Kazakhstan's proposal and its adoption.
    app.list_by_silence(
        SubjectKind::Organization,
        "Jamaat Al-Example",
        "statement",
        "summary",
    )
    .await;
    let second = NewUser::parse("kgz.reader", "Second", "KGZ", "reader").unwrap();
    app.store
        .create_user(&Actor::system("test"), &second, PASSWORD, false)
        .await
        .unwrap();
    let (admin, reader) = (
        app.sign_in("kgz.admin").await,
        app.sign_in("kgz.reader").await,
    );
    let all = unread(app, &admin).await;
    assert!(all >= 2, "{all}");
    assert_eq!(unread(app, &reader).await, all);

    // The administrator marks everything read: only for themselves.
    let r = app.post_form(&admin, "/notifications/read", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(unread(app, &admin).await, 0);
    assert_eq!(unread(app, &reader).await, all);
    let page = app
        .get(&reader, "/notifications")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("badge warn"), "new for the other user");
    let page = app
        .get(&admin, "/notifications")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("badge warn"), "read by the one who read it");
    // Every page's navigation counts what is new for its reader.
    let nav = |page: String| {
        let at = page
            .find(r#"href="/notifications""#)
            .expect("a Notifications link");
        page[at..at + page[at..].find("</a>").unwrap()].to_string()
    };
    let reader_nav = nav(app.get(&reader, "/members").await.text().await.unwrap());
    assert!(
        reader_nav.contains(&format!(">{all}</span>")),
        "{reader_nav}"
    );
    let admin_nav = nav(app.get(&admin, "/members").await.text().await.unwrap());
    assert!(!admin_nav.contains("badge"), "{admin_nav}");

    let r = app.post_form(&reader, "/notifications/read", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(unread(app, &reader).await, 0);
}

/// How many of the notifications on `b`'s API list `b` has not read.
async fn unread(app: &TestApp, b: &Browser) -> usize {
    let list: Vec<Value> = app.get(b, "/api/notifications").await.json().await.unwrap();
    assert!(!list.is_empty());
    list.iter().filter(|n| n["read_at"].is_null()).count()
}

async fn a_focal_point_saved_by_someone_else_meanwhile_keeps_my_text_and_shows_theirs(
    app: &TestApp,
) {
    let token = app.api_token("kaz.admin").await;
    let created: Value = app
        .http
        .post(app.at("/api/members/KAZ/focal-points"))
        .bearer_auth(&token)
        .json(&json!({ "name": "Aigerim Sadykova", "email": "a.sadykova@example.org" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let edit = format!("/focal-points/{id}/edit");
    let me = app.sign_in("kaz.admin").await;
    let mine = [
        ("version", "1"),
        ("name", "Aigerim Sadykova"),
        ("title", "Head of unit (my edit)"),
        ("email", "a.sadykova@example.org"),
    ];
    // A colleague saves first, through the API.
    let r = app
        .http
        .put(app.at(&format!("/api/focal-points/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "version": 1, "name": "Aigerim Sadykova", "email": "aigerim@example.org" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let r = app.post_form(&me, &edit, &mine).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Someone else saved this focal point"),
        "{page}"
    );
    assert!(
        page.contains(r#"value="Head of unit (my edit)""#),
        "my text is kept"
    );
    assert!(
        page.contains("aigerim@example.org"),
        "theirs is shown: {page}"
    );
    assert!(page.contains(r#"name="version" value="2""#), "{page}");
    // Saving again keeps mine, over theirs.
    let again = [
        ("version", "2"),
        ("name", "Aigerim Sadykova"),
        ("title", "Head of unit (my edit)"),
        ("email", "a.sadykova@example.org"),
    ];
    let r = app.post_form(&me, &edit, &again).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, now) = get_json(app, Some(&token), &format!("/api/focal-points/{id}")).await;
    assert_eq!(now["title"], "Head of unit (my edit)", "{now}");
    assert_eq!(now["version"], 3, "{now}");
}
