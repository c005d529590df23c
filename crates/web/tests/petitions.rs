//! The public delisting petition under attack, on both databases: one
//! answer for an unknown and an unlisted subject; the same petition sent
//! twice is filed once; a client's daily budget (counted in the database,
//! so on every node) ends in a translated refusal on the form with the
//! input kept; a flood stops notifying the ombudsperson one by one; long
//! grounds are refused by their length. Then the petition's review: the
//! ombudsperson asks the petitioner for more, who answers on the status
//! page; the states are asked a plain question about a recommendation.

mod support;

use accord_store::common_list::{Recipient, SubjectKind};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, LOCATION, RETRY_AFTER};
use serde_json::{Value, json};
use support::*;

accord_store::on_both_backends!(|backend, test| {
    let app = super::TestApp::spawn_with(backend, |c| {
        c.petition_budget.per_client_per_day = 2;
        c.petition_budget.notices_per_day = 1;
        c.trusted_proxies = vec![accord_web::TrustedProxy::parse("127.0.0.0/8").unwrap()];
    })
    .await;
    if let Some(app) = app {
        test(&app).await;
        app.finish().await;
    }
};
    unknown_and_unlisted_subjects_get_one_answer,
    the_same_petition_sent_twice_is_filed_once,
    a_clients_daily_budget_is_refused_on_the_form_and_a_flood_stops_notifying,
    grounds_longer_than_the_limit_are_refused_with_the_input_kept,
    the_error_summary_names_fields_by_their_labels_in_both_languages,
    the_ombudsperson_asks_for_more_and_the_petitioner_answers_on_the_status_page,
    a_delisting_recommendation_asks_the_states_to_keep_the_listing_or_accept_the_delisting,
    the_ombudspersons_queue_filters_by_state_sorts_by_received_or_changed_and_pages,
);

fn petition(subject: &str, contact: &str, grounds: &str) -> Value {
    json!({ "subject": subject, "petitioner_name": "A. Karim", "petitioner_contact": contact, "grounds": grounds })
}

async fn post(app: &TestApp, client: &str, body: &Value) -> (StatusCode, Value) {
    let r = app
        .http
        .post(app.at("/api/petitions"))
        .header("x-forwarded-for", client)
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn listed(app: &TestApp, name: &str) {
    app.list_by_silence(SubjectKind::Individual, name, "case", "Recruits.")
        .await;
}

async fn unknown_and_unlisted_subjects_get_one_answer(app: &TestApp) {
    let pending = app
        .propose_listing(SubjectKind::Individual, "Pending Person", "case", "x")
        .await;
    let (s1, unknown) = post(
        app,
        "192.0.2.1",
        &petition("ACL-9999", "a@example.org", "g"),
    )
    .await;
    let (s2, unlisted) = post(
        app,
        "192.0.2.1",
        &petition(&pending.subject, "a@example.org", "g"),
    )
    .await;
    assert_eq!(s1, StatusCode::UNPROCESSABLE_ENTITY, "{unknown}");
    assert_eq!(s2, s1);
    assert_eq!(
        unknown["error"], unlisted["error"],
        "a pending subject must read as an unknown one"
    );
    // Refusals spend no budget: a real petition still goes through.
    listed(app, "Abdulla Karimov").await;
    let (s, _) = post(
        app,
        "192.0.2.1",
        &petition("ACL-0002", "a@example.org", "g"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
}

async fn the_same_petition_sent_twice_is_filed_once(app: &TestApp) {
    listed(app, "Abdulla Karimov").await;
    let visitor = app.anonymous().await;
    let fields = [
        ("subject", "ACL-0001"),
        ("petitioner_name", "Abdulla Karimov"),
        ("petitioner_contact", "lawyer@example.org"),
        ("grounds", "Mistaken identity.\r\nSee the ruling."),
    ];
    let first = app.post_form(&visitor, "/petition", &fields).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let first = first.headers()[LOCATION].to_str().unwrap().to_string();
    // The back button and the same button again.
    let again = app.post_form(&visitor, "/petition", &fields).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let again = again.headers()[LOCATION].to_str().unwrap().to_string();
    assert_eq!(again, format!("{first}?again=1"));
    let page = app.get(&visitor, &again).await.text().await.unwrap();
    assert!(page.contains("already been received"), "{page}");
    // Over the API, with other spacing and case: the same, 200 not 201.
    let (s, body) = post(
        app,
        "127.0.0.1",
        &petition(
            "ACL-0001",
            "Lawyer@Example.org ",
            "Mistaken  identity.\nSee the ruling.",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(first.ends_with(body["tracking_number"].as_str().unwrap()));
    let all = app
        .store
        .petitions(&accord_store::Actor::system("test"), None)
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "filed once");
}

async fn a_clients_daily_budget_is_refused_on_the_form_and_a_flood_stops_notifying(app: &TestApp) {
    listed(app, "Abdulla Karimov").await;
    for n in 0..2 {
        let (s, body) = post(
            app,
            "198.51.100.7",
            &petition("ACL-0001", &format!("p{n}@example.org"), "g"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    // The third from that client: refused with how long to wait, and no
    // petition stored.
    let (s, body) = post(
        app,
        "198.51.100.7",
        &petition("ACL-0001", "p3@example.org", "g"),
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // On the form: in Russian, with what was typed kept.
    let visitor = app.anonymous().await;
    let r = app
        .http
        .post(app.at("/petition"))
        .header("x-forwarded-for", "198.51.100.7")
        .header(ACCEPT_LANGUAGE, "ru")
        .header(reqwest::header::COOKIE, visitor.cookie_header())
        .form(&[
            ("csrf", visitor.csrf.as_str()),
            ("subject", "ACL-0001"),
            ("petitioner_name", "Abdulla Karimov"),
            ("petitioner_contact", "p4@example.org"),
            ("grounds", "My own words, typed once."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key(RETRY_AFTER));
    let html = r.text().await.unwrap();
    assert!(html.contains("слишком много ходатайств"), "{html}");
    assert!(html.contains("My own words, typed once."), "input kept");
    // Another client still can.
    let (s, _) = post(
        app,
        "198.51.100.8",
        &petition("ACL-0001", "q@example.org", "g"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        app.store
            .petitions(&accord_store::Actor::system("test"), None)
            .await
            .unwrap()
            .len(),
        3
    );
    // One notice for the first, one saying more are coming, then none.
    let notices = app
        .store
        .notifications(&Recipient::Ombudsperson, 0, false, 100)
        .await
        .unwrap();
    let kinds: Vec<&str> = notices.iter().map(|n| n.kind.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "petition_received").count(),
        1,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "petitions_many").count(),
        1,
        "{kinds:?}"
    );
}

async fn grounds_longer_than_the_limit_are_refused_with_the_input_kept(app: &TestApp) {
    listed(app, "Abdulla Karimov").await;
    let long = "x".repeat(accord_store::common_list::MAX_GROUNDS_CHARS + 1);
    let (s, body) = post(
        app,
        "192.0.2.9",
        &petition("ACL-0001", "a@example.org", &long),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "grounds", "{body}");
    let visitor = app.anonymous().await;
    let r = app
        .post_form(
            &visitor,
            "/petition",
            &[
                ("subject", "ACL-0001"),
                ("petitioner_name", "A. Karim"),
                ("petitioner_contact", "a@example.org"),
                ("grounds", &long),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains(&long), "the grounds are kept");
    assert!(html.contains("aria-invalid=\"true\""));
}

async fn the_error_summary_names_fields_by_their_labels_in_both_languages(app: &TestApp) {
    listed(app, "Abdulla Karimov").await;
    let visitor = app.anonymous().await;
    let fields = [
        ("subject", "ACL-0001"),
        ("petitioner_name", ""),
        ("petitioner_contact", ""),
        ("grounds", "I am not this person."),
    ];
    for (path, name, contact) in [
        (
            "/petition",
            "Your name",
            "Your contact (e-mail or postal address)",
        ),
        (
            "/petition?lang=ru",
            "Ваше имя",
            "Ваши контакты (эл. почта или почтовый адрес)",
        ),
    ] {
        let r = app.post_form(&visitor, path, &fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        let summary = &html[html.find(r#"role="alert""#).expect("an error summary")..];
        let summary = &summary[..summary.find("</div>").unwrap()];
        assert!(
            summary.contains(&format!(r##"href="#petitioner_name">{name}</a>"##)),
            "{summary}"
        );
        assert!(
            summary.contains(&format!(r##"href="#petitioner_contact">{contact}</a>"##)),
            "{summary}"
        );
        assert!(!summary.contains(">petitioner_"), "{summary}");
    }
}

/// Files a petition on a newly listed subject: (petition id, tracking number).
async fn filed_petition(app: &TestApp, client: &str) -> (i64, String) {
    listed(app, "Abdulla Karim").await;
    let (s, v) = post(
        app,
        client,
        &petition("ACL-0001", "karim@example.org", "I was never a member."),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let tracking = v["tracking_number"].as_str().unwrap().to_string();
    let id = app
        .store
        .petitions(&accord_store::Actor::system("test"), None)
        .await
        .unwrap()[0]
        .id;
    (id, tracking)
}

async fn the_ombudsperson_asks_for_more_and_the_petitioner_answers_on_the_status_page(
    app: &TestApp,
) {
    let (id, tracking) = filed_petition(app, "10.9.0.1").await;
    let ombuds = app.sign_in("ombuds").await;
    let review = format!("/ombudsperson/petitions/{id}");
    let page = app.get(&ombuds, &review).await.text().await.unwrap();
    assert!(
        page.contains("Petitioner") && page.contains("Ask the petitioner for more information"),
        "{page}"
    );

    // A blank question is refused on the page, with the other forms intact.
    let r = app
        .post_form(
            &ombuds,
            &format!("{review}/request"),
            &[("question", " \r\n ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Question to the petitioner") && page.contains("is required"),
        "{page}"
    );
    // A refused recommendation keeps what was typed.
    let r = app
        .post_form(
            &ombuds,
            &format!("{review}/recommend"),
            &[
                ("recommendation", "retain"),
                ("report", ""),
                ("summary", "Kept for the record."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Kept for the record."));

    let question = "Please send the prison release certificate.\r\nA scan is enough.";
    let r = app
        .post_form(
            &ombuds,
            &format!("{review}/request"),
            &[("question", question)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The petitioner sees the question and a form, in their language.
    let visitor = app.anonymous().await;
    let status = format!("/petition/status/{tracking}");
    let page = app.get(&visitor, &status).await.text().await.unwrap();
    assert!(
        page.contains("The ombudsperson asks you")
            && page.contains("Please send the prison release certificate.\nA scan is enough.")
            && page.contains("name=\"reply\""),
        "{page}"
    );
    assert!(!page.contains("karim@example.org") && !page.contains("Abdulla Karim"));
    let ru = app
        .get(&visitor, &format!("{status}?lang=ru"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ru.contains("Вопрос омбудсмена") && ru.contains("запрошены дополнительные сведения"),
        "{ru}"
    );

    // Too long an answer is refused on the form with the text kept.
    let long = format!("My answer. {}", "x".repeat(20_001));
    let r = app
        .post_form(&visitor, &format!("{status}/reply"), &[("reply", &long)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("My answer. xxxx") && page.contains("at most 20000"),
        "{page}"
    );

    let r = app
        .post_form(
            &visitor,
            &format!("{status}/reply"),
            &[(
                "reply",
                "The certificate went to the ombudsperson's address today.",
            )],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = app.get(&visitor, &status).await.text().await.unwrap();
    assert!(
        page.contains("under review by the ombudsperson") && !page.contains("name=\"reply\""),
        "{page}"
    );
    // One answer per question: a second one is refused, said on the page.
    let r = app
        .post_form(&visitor, &format!("{status}/reply"), &[("reply", "Again.")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("there is nothing to reply to")
    );

    // The ombudsperson reads the answer and is told of it.
    let page = app.get(&ombuds, &review).await.text().await.unwrap();
    assert!(
        page.contains("The petitioner's answers")
            && page.contains("The certificate went to the ombudsperson's address today."),
        "{page}"
    );
    let inbox = app
        .get(&ombuds, "/notifications")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        inbox.contains("A petitioner answered the ombudsperson's question."),
        "{inbox}"
    );

    // Through the API: asked again, answered as JSON.
    let r = app
        .post_form(
            &ombuds,
            &format!("{review}/request"),
            &[("question", "And the court ruling?")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, v) = api(
        app,
        None,
        reqwest::Method::GET,
        &format!("/api/petitions/{tracking}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "information_requested", "{v}");
    assert_eq!(v["information_request"], "And the court ruling?", "{v}");
    let (s, v) = api(
        app,
        None,
        reqwest::Method::POST,
        &format!("/api/petitions/{tracking}/reply"),
        Some(&json!({ "reply": "Sent by post." })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "under_review", "{v}");
    let (s, v) = api(
        app,
        None,
        reqwest::Method::POST,
        "/api/petitions/DP-00000-00000-00000-00000-00000/reply",
        Some(&json!({ "reply": "x" })),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
}

async fn a_delisting_recommendation_asks_the_states_to_keep_the_listing_or_accept_the_delisting(
    app: &TestApp,
) {
    let (id, _) = filed_petition(app, "10.9.0.2").await;
    let ombuds = app.sign_in("ombuds").await;
    let r = app
        .post_form(
            &ombuds,
            &format!("/ombudsperson/petitions/{id}/recommend"),
            &[
                ("recommendation", "delist"),
                ("report", "No link to the group since 2019."),
                ("summary", "Delisted on the ombudsperson's recommendation."),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let proposal = r.headers()[LOCATION].to_str().unwrap().to_string();
    let kgz = app.sign_in("kgz.admin").await;
    let page = app.get(&kgz, &proposal).await.text().await.unwrap();
    assert!(
        page.contains("The ombudsperson recommends removing Abdulla Karim from the list")
            && page.contains("Accept the delisting")
            && page.contains("Keep the listing")
            && !page.contains(">Concur<"),
        "{page}"
    );
    assert!(
        page.contains("<title>Proposal 2: ACL-0001 Abdulla Karim"),
        "{page}"
    );
    assert!(page.contains("working days"), "{page}");
    let ru = app
        .get(&kgz, &format!("{proposal}?lang=ru"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        ru.contains("Принять исключение") && ru.contains("Сохранить включение"),
        "{ru}"
    );
}

async fn the_ombudspersons_queue_filters_by_state_sorts_by_received_or_changed_and_pages(
    app: &TestApp,
) {
    listed(app, "Abdulla Karimov").await;
    let mut tracking = Vec::new();
    for n in 0..3 {
        let (s, body) = post(
            app,
            &format!("10.0.0.{n}"),
            &petition(
                "ACL-0001",
                &format!("p{n}@example.org"),
                &format!("Grounds {n}."),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        tracking.push(body["tracking_number"].as_str().unwrap().to_string());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let ids: Vec<i64> = {
        let mut all = app
            .store
            .petitions(&accord_store::Actor::system("test"), None)
            .await
            .unwrap();
        all.reverse();
        all.iter().map(|p| p.id).collect()
    };
    // The first is taken under review: its last change is the newest.
    app.store
        .review_petition(&accord_store::Actor::system("test"), ids[0], "Asked KAZ.")
        .await
        .unwrap();
    let order = |html: &str| {
        let mut found: Vec<(usize, usize)> = tracking
            .iter()
            .enumerate()
            .filter_map(|(i, t)| html.find(t.as_str()).map(|at| (at, i)))
            .collect();
        found.sort();
        found.into_iter().map(|(_, i)| i).collect::<Vec<_>>()
    };
    let b = app.sign_in("ombuds").await;
    let html = app.get(&b, "/ombudsperson").await.text().await.unwrap();
    assert_eq!(order(&html), [2, 1, 0], "newest received first");
    assert!(html.contains("1–3 of 3"), "{html}");
    let html = app
        .get(&b, "/ombudsperson?sort=received")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order(&html), [0, 1, 2]);
    let html = app
        .get(&b, "/ombudsperson?sort=-changed")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order(&html), [0, 2, 1]);
    let html = app
        .get(&b, "/ombudsperson?status=under_review")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order(&html), [0]);
    assert!(html.contains("under review by the ombudsperson"));
    let html = app
        .get(&b, "/ombudsperson?status=received&per_page=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(order(&html), [2]);
    assert!(html.contains("1–1 of 2"), "{html}");
    assert!(
        html.contains(r#"href="/ombudsperson?status=received&amp;per_page=1&amp;page=2""#),
        "{html}"
    );
    // A bad state and a bad page: said in Russian, kept in the form.
    let r = app
        .get(&b, "/ombudsperson?status=lost&page=-1&lang=ru")
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("не входит в предложенные варианты"), "{html}");
    assert!(html.contains(r#"<option value="lost" selected>lost</option>"#));
    assert!(html.contains("должно быть номером страницы"), "{html}");
    assert_eq!(order(&html), [2, 1, 0]);
    // Only the ombudsperson reads the queue.
    let kaz = app.sign_in("kaz.admin").await;
    let r = app.get(&kaz, "/ombudsperson?status=received").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
