//! Who sees whom a proposal names, on both databases: before adoption the
//! proposed entry and summary of reasons are read only by the regional
//! states that decide, the proposer and the secretariat — on the list
//! page, the proposal page, the API and the subject API alike; once
//! adopted, by everyone who views proposals. Decisions on the page: a
//! refusal said on the proposal's form, a withdrawal asked for its reason
//! and confirmed. A listing proposal that may name a subject already on
//! the common list or already proposed is stopped with the entries it may
//! be, and goes ahead only when confirmed.

mod support;

use accord_store::Actor;
use accord_store::common_list::SubjectKind;
use reqwest::{Method, StatusCode};
use support::*;

on_both_backends!(
    a_proposed_entry_is_withheld_from_partners_until_it_is_adopted,
    the_proposals_list_filters_sorts_and_pages_and_keeps_a_bad_filter_with_a_translated_error,
    a_withdrawal_needs_a_reason_and_a_confirmation_and_the_states_read_the_reason,
    a_refused_decision_is_said_on_the_proposals_form_with_the_reason_kept,
    proposing_a_subject_already_listed_or_proposed_is_stopped_until_confirmed,
);

async fn a_proposed_entry_is_withheld_from_partners_until_it_is_adopted(app: &TestApp) {
    let proposal = app
        .propose_listing(
            SubjectKind::Individual,
            "Pending Person",
            "case",
            "Recruits for a listed group in Osh.",
        )
        .await;
    let id = proposal.id;
    let subject = proposal.subject.clone();
    let reads = |body: &serde_json::Value| {
        body["proposed_entry"]["names"][0]["text"] == "Pending Person"
            && body["narrative_summary"] == "Recruits for a listed group in Osh."
    };

    for (user, sees) in [
        ("kgz.admin", true),
        ("kaz.admin", true),
        ("sec", true),
        ("usa.reader", false),
        ("ombuds", false),
    ] {
        let token = app.api_token(user).await;
        let (status, one) = api(
            app,
            Some(&token),
            Method::GET,
            &format!("/api/proposals/{id}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(reads(&one), sees, "{user}: {one}");
        if !sees {
            // Nothing of it, in any field.
            assert!(one["proposed_entry"].is_null() && one["un_reference"].is_null());
            let text = one.to_string();
            assert!(
                !text.contains("Pending Person") && !text.contains("Recruits for a listed group"),
                "{user}: {text}"
            );
        }
        assert_eq!(one["entry_restricted"], !sees, "{user}");
        assert_eq!(one["proposer"], "KAZ", "the proposal itself is shown");
        let (_, all) = api(app, Some(&token), Method::GET, "/api/proposals", None).await;
        let listed = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap();
        assert_eq!(reads(listed), sees, "{user} in the list");
        let (status, _) = api(
            app,
            Some(&token),
            Method::GET,
            &format!("/api/subjects/{subject}"),
            None,
        )
        .await;
        assert_eq!(
            status,
            if sees {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            },
            "{user} on the subject API"
        );
        let b = app.sign_in(user).await;
        for path in ["/proposals".to_string(), format!("/proposals/{id}")] {
            let html = app.get(&b, &path).await.text().await.unwrap();
            assert_eq!(html.contains("Pending Person"), sees, "{user} on {path}");
            assert_eq!(
                html.contains("Recruits for a listed group"),
                sees && path != "/proposals",
                "{user} on {path}"
            );
        }
    }

    // Adopted: the entry is on the public list, and shown to every viewer.
    app.store
        .advance_due(
            &Actor::system("test"),
            proposal.state.deadline + time::Duration::minutes(1),
        )
        .await
        .unwrap();
    let token = app.api_token("usa.reader").await;
    let (_, one) = api(
        app,
        Some(&token),
        Method::GET,
        &format!("/api/proposals/{id}"),
        None,
    )
    .await;
    assert!(reads(&one), "{one}");
    let (status, _) = api(
        app,
        Some(&token),
        Method::GET,
        &format!("/api/subjects/{subject}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

/// Where each proposal's link is on the page, in the page's order.
fn order_on_page(html: &str, ids: &[i64]) -> Vec<i64> {
    let mut found: Vec<(usize, i64)> = ids
        .iter()
        .filter_map(|id| {
            html.find(&format!("href=\"/proposals/{id}\""))
                .map(|at| (at, *id))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, id)| id).collect()
}

async fn the_proposals_list_filters_sorts_and_pages_and_keeps_a_bad_filter_with_a_translated_error(
    app: &TestApp,
) {
    app.list_by_silence(SubjectKind::Organization, "Adopted Front", "case", "Funds.")
        .await;
    let first = app
        .propose_listing(SubjectKind::Organization, "Open Front", "case", "Recruits.")
        .await
        .id;
    let second = app
        .propose_listing(SubjectKind::Individual, "Open Person", "case", "Recruits.")
        .await
        .id;
    let adopted = first - 1;
    let all = [adopted, first, second];
    let b = app.sign_in("kaz.admin").await;

    // The running ones, by deadline (the default), with the days left.
    let r = app.get(&b, "/proposals?status=open").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(order_on_page(&html, &all), [first, second]);
    assert!(html.contains("due in "), "{html}");
    assert!(html.contains("1–2 of 2"), "{html}");
    assert!(html.contains(r#"<option value="open" selected>open</option>"#));
    // Newest proposed first; then by status (running first, adopted last).
    let html = app
        .get(&b, "/proposals?sort=-proposed")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), [second, first, adopted]);
    let html = app
        .get(&b, "/proposals?sort=status")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), [first, second, adopted]);
    let html = app
        .get(&b, "/proposals?status=adopted")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), [adopted]);
    assert!(!html.contains("due in "), "a decided one has no time left");
    let html = app
        .get(&b, "/proposals?proposer=KGZ")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), Vec::<i64>::new());
    assert!(html.contains("Nothing matches these filters."));
    let html = app
        .get(&b, "/proposals?kind=list&proposer=KAZ")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all).len(), 3);

    // A page of one, its links keeping the filters.
    let html = app
        .get(&b, "/proposals?status=open&per_page=1&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order_on_page(&html, &all), [second]);
    assert!(html.contains("2–2 of 2"), "{html}");
    assert!(
        html.contains(r#"href="/proposals?status=open&amp;per_page=1&amp;page=1""#),
        "{html}"
    );
    assert!(!html.contains(r#"rel="next""#));

    // Bad parameters: a translated message on the page, the input kept,
    // the list shown by the parameters that are right.
    let r = app
        .get(&b, "/proposals?status=nope&page=0&kind=list&lang=ru")
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("не входит в предложенные варианты"), "{html}");
    assert!(html.contains("должно быть номером страницы"), "{html}");
    assert!(
        html.contains(r#"<option value="nope" selected>nope</option>"#),
        "{html}"
    );
    assert!(html.contains(r#"aria-invalid="true""#));
    assert_eq!(order_on_page(&html, &all).len(), 3);
    assert!(
        html.contains("на рассмотрении"),
        "statuses in Russian: {html}"
    );

    // The API: the same parameters, the page and the count.
    let token = app.api_token("kaz.admin").await;
    let (status, body) = api(
        app,
        Some(&token),
        Method::GET,
        "/api/proposals?status=open&sort=-deadline&per_page=1",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 2);
    assert_eq!(body["page"], 1);
    assert_eq!(body["per_page"], 1);
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert_eq!(body["items"][0]["id"], second);
    let (status, body) = api(
        app,
        Some(&token),
        Method::GET,
        "/api/proposals?sort=sideways",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "sort", "{body}");
}

async fn a_withdrawal_needs_a_reason_and_a_confirmation_and_the_states_read_the_reason(
    app: &TestApp,
) {
    let p = app
        .propose_listing(SubjectKind::Individual, "Mistaken Person", "case", "x")
        .await;
    let decide = format!("/proposals/{}/decide", p.id);
    let kaz = app.sign_in("kaz.admin").await;
    // Without a reason: refused on the proposal's own form.
    let r = app
        .post_form(&kaz, &decide, &[("action", "withdraw"), ("reason", "  ")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("a reason is required for a withdrawal") && page.contains("id=\"decide\""),
        "{page}"
    );
    // With one: a page asks to confirm, and nothing is withdrawn yet.
    let reason = "Filed in error: the person is already on the UN list.";
    let r = app
        .post_form(&kaz, &decide, &[("action", "withdraw"), ("reason", reason)])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(&format!("Withdraw proposal {} on {}?", p.id, p.subject))
            && page.contains("name=\"confirm\" value=\"yes\"")
            && page.contains(reason),
        "{page}"
    );
    assert!(app.store.proposal(p.id).await.unwrap().closed_at.is_none());
    let r = app
        .post_form(
            &kaz,
            &decide,
            &[
                ("action", "withdraw"),
                ("reason", reason),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/proposals/{}?recorded=withdraw", p.id));
    let page = app.get(&kaz, &to).await.text().await.unwrap();
    assert!(
        page.contains("The proposal was withdrawn") && page.contains(reason),
        "{page}"
    );
    // Another state reads why, in the proposal's status.
    let kgz = app.sign_in("kgz.admin").await;
    let page = app
        .get(&kgz, &format!("/proposals/{}?lang=ru", p.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("отозвано") && page.contains(reason), "{page}");

    // Through the API the same rule: a reason, then withdrawn.
    let q = app
        .propose_listing(SubjectKind::Individual, "Second Person", "case", "x")
        .await;
    let token = app.api_token("kaz.admin").await;
    let url = format!("/api/proposals/{}/decisions", q.id);
    let (s, v) = api(
        app,
        Some(&token),
        Method::POST,
        &url,
        Some(&serde_json::json!({ "action": "withdraw" })),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["fields"][0]["field"], "reason", "{v}");
    let (s, v) = api(
        app,
        Some(&token),
        Method::POST,
        &url,
        Some(&serde_json::json!({ "action": "withdraw", "reason": "Duplicate." })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["view"]["status"]["status"], "withdrawn", "{v}");
    assert_eq!(v["view"]["status"]["reason"], "Duplicate.", "{v}");
    // A partner, who may not read whom the proposal named, does not read why.
    let usa = app.api_token("usa.reader").await;
    let (s, v) = api(
        app,
        Some(&usa),
        Method::GET,
        &format!("/api/proposals/{}", q.id),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["view"]["status"]["status"], "withdrawn", "{v}");
    assert!(!v.to_string().contains("Duplicate."), "{v}");
}

async fn a_refused_decision_is_said_on_the_proposals_form_with_the_reason_kept(app: &TestApp) {
    let p = app
        .propose_listing(SubjectKind::Individual, "Some Person", "case", "x")
        .await;
    let decide = format!("/proposals/{}/decide", p.id);
    let kgz = app.sign_in("kgz.admin").await;
    // An objection needs reasons: said on the form, in Russian too.
    let r = app
        .post_form(
            &kgz,
            &format!("{decide}?lang=ru"),
            &[("action", "object"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("укажите основания: возражение"), "{page}");
    // Kazakhstan, the proposer, has concurred by proposing: a second
    // position is a conflict, said on the form with what was typed.
    let kaz = app.sign_in("kaz.admin").await;
    let r = app
        .post_form(
            &kaz,
            &decide,
            &[
                ("action", "object"),
                ("reason", "We changed our mind about it."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("We changed our mind about it.") && page.contains("id=\"decide\""),
        "{page}"
    );
    // An unknown action is refused on the form too, not on an error page.
    let r = app
        .post_form(&kgz, &decide, &[("action", "abstain"), ("reason", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("must be concur, object"));
}

async fn proposing_a_subject_already_listed_or_proposed_is_stopped_until_confirmed(app: &TestApp) {
    app.list_by_silence(
        SubjectKind::Individual,
        "Abdulla Karimov",
        "case",
        "Recruits in Osh.",
    )
    .await;
    let listed = app.store.published_list(None).await.unwrap();
    let reference = listed
        .entries
        .iter()
        .find(|e| e.entry.names[0].text == "Abdulla Karimov")
        .map(|e| e.public_id.clone())
        .expect("listed");
    let count = |app: &TestApp| {
        let store = app.store.clone();
        async move { store.proposals(false).await.unwrap().len() }
    };
    let before = count(app).await;

    // The form: the same person, spelt another way, with a birth date.
    let kaz = app.sign_in("kaz.admin").await;
    let fields = [
        ("kind", "list"),
        ("subject_kind", "individual"),
        ("name", "Abdullah Karimov"),
        ("birth_dates", "1980"),
        ("statement_of_case", "Our own file."),
        ("tlp", "AMBER"),
        ("narrative_summary", "Finances a listed group."),
    ];
    let r = app.post_form(&kaz, "/proposals/new", &fields).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("may already be listed or proposed"), "{html}");
    assert!(
        html.contains(&format!("href=\"/list/{reference}\"")),
        "{html}"
    );
    assert!(html.contains("Abdulla Karimov"));
    // What was typed is kept, and the confirmation is offered.
    assert!(html.contains("value=\"Abdullah Karimov\""));
    assert!(html.contains("Finances a listed group."));
    assert!(html.contains("name=\"confirm_not_duplicate\""));
    assert_eq!(count(app).await, before, "nothing stored");

    // In Russian, in Russian words.
    let r = app
        .http
        .post(app.at("/proposals/new"))
        .header(reqwest::header::COOKIE, kaz.cookie_header())
        .header(reqwest::header::ACCEPT_LANGUAGE, "ru")
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(
            serde_urlencoded::to_string(
                [("csrf", kaz.csrf.as_str())]
                    .iter()
                    .chain(fields.iter())
                    .collect::<Vec<_>>(),
            )
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("возможно, уже включено"), "{html}");
    assert!(html.contains("Я проверил(а) эти записи"));

    // Confirmed: it goes ahead.
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm_not_duplicate", "1"));
    let r = app.post_form(&kaz, "/proposals/new", &confirmed).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    assert_eq!(count(app).await, before + 1);

    // The API: the same answer as JSON, with the entries it may be.
    let token = app.api_token("kgz.admin").await;
    let body = serde_json::json!({
        "subject_kind": "individual", "name": "Karimov Abdulla",
        "statement_of_case": "x", "narrative_summary": "y"
    });
    let (status, answer) = api(
        app,
        Some(&token),
        Method::POST,
        "/api/proposals",
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["error"]["code"], "possible_duplicates");
    let found = answer["possible_duplicates"].as_array().unwrap();
    assert!(
        found
            .iter()
            .any(|d| d["dataset"] == "common" && d["reference"] == reference.as_str()),
        "{answer}"
    );
    // The running proposal just made names him too, and is found as such.
    assert!(
        found.iter().any(|d| d["dataset"] == "proposals"),
        "{answer}"
    );
    assert_eq!(count(app).await, before + 1, "nothing stored");

    // Someone else entirely, with the document number of a running
    // proposal's subject: a duplicate by the document, whatever the name.
    let documented = serde_json::json!({
        "subject_kind": "individual", "name": "Timur Saidov",
        "documents": [{ "kind": "Passport", "number": "KG-7788990" }],
        "statement_of_case": "x", "narrative_summary": "y"
    });
    let (status, first) = api(
        app,
        Some(&token),
        Method::POST,
        "/api/proposals",
        Some(&documented),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let other = serde_json::json!({
        "subject_kind": "individual", "name": "Nurlan Bekov",
        "documents": [{ "kind": "Passport", "number": "KG 7788990" }],
        "statement_of_case": "x", "narrative_summary": "y"
    });
    let (status, answer) = api(
        app,
        Some(&token),
        Method::POST,
        "/api/proposals",
        Some(&other),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let by_document = &answer["possible_duplicates"][0];
    assert_eq!(by_document["dataset"], "proposals");
    assert_eq!(by_document["reference"], first["id"].to_string());
    assert!(by_document["document"].is_string(), "{answer}");

    // Someone else, confirmed: created.
    let mut body = body;
    body["confirm_not_duplicate"] = serde_json::json!(true);
    let (status, made) = api(
        app,
        Some(&token),
        Method::POST,
        "/api/proposals",
        Some(&body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");

    // A name like no one's goes ahead without a word.
    let fresh = serde_json::json!({
        "subject_kind": "organization", "name": "Northern Valley Relief Fund",
        "statement_of_case": "x", "narrative_summary": "y"
    });
    let (status, made) = api(
        app,
        Some(&token),
        Method::POST,
        "/api/proposals",
        Some(&fresh),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
}
