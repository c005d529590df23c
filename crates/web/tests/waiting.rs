//! The start page's "Waiting for you" and `GET /api/waiting`, on both
//! databases: each role sees the work its feature's own rule gives it —
//! a decision its state has not taken, reports its member owes, drafts it
//! may submit under the four-eyes rule, petitions to review — and the list
//! empties as the work is done.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;

on_both_backends!(
    a_state_sees_the_decision_it_owes_until_it_takes_a_position,
    members_see_reports_owed_and_only_the_drafts_they_may_submit,
    the_secretariat_follows_open_proposals_and_rounds_and_the_ombudsperson_petitions,
    visitors_see_no_list_and_a_member_with_nothing_to_do_is_told_so,
);

async fn waiting(app: &TestApp, token: &str) -> Value {
    let r = app
        .http
        .get(app.at("/api/waiting"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn home(app: &TestApp, user: &str, lang: &str) -> String {
    let b = app.sign_in(user).await;
    let r = app.get(&b, &format!("/?lang={lang}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

fn hrefs(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} in {v}"))
        .iter()
        .map(|i| i["href"].as_str().unwrap().to_string())
        .collect()
}

async fn a_state_sees_the_decision_it_owes_until_it_takes_a_position(app: &TestApp) {
    let p = app
        .propose_listing(
            accord_store::common_list::SubjectKind::Individual,
            "Abdullah Testov",
            "Statement of case.",
            "Recruiter for a listed group.",
        )
        .await;
    let at = format!("/proposals/{}", p.id);
    let kgz = app.api_token("kgz.admin").await;
    let kaz = app.api_token("kaz.admin").await;

    // Kyrgyzstan has to decide; Kazakhstan, the proposer, concurred by proposing.
    let v = waiting(app, &kgz).await;
    assert_eq!(hrefs(&v, "decisions"), [at.as_str()], "{v}");
    assert_eq!(v["decisions"][0]["detail"], "listing", "{v}");
    assert!(
        v["decisions"][0]["label"]
            .as_str()
            .unwrap()
            .contains(&p.subject),
        "{v}"
    );
    assert!(hrefs(&waiting(app, &kaz).await, "decisions").is_empty());
    let page = home(app, "kgz.admin", "en").await;
    assert!(page.contains("Waiting for you"), "{page}");
    assert!(
        page.contains("your state has not yet taken a position"),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"{at}\"")), "{page}");
    let page = home(app, "kgz.admin", "ru").await;
    assert!(
        page.contains("Ждёт вашего участия") && page.contains("ещё не определило позицию"),
        "{page}"
    );

    // A hold placed by Kyrgyzstan is its hold to watch, not a decision owed.
    let url = app.at(&format!("/api/proposals/{}/decisions", p.id));
    let reason = "We are checking our own records.";
    let (t, signature) = sign_decision(app, "KGZ", p.id, "hold", reason).await;
    let r = app
        .http
        .post(&url)
        .bearer_auth(&kgz)
        .json(&json!({ "action": "hold", "reason": reason, "at": t, "signature": signature }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let v = waiting(app, &kgz).await;
    assert_eq!(hrefs(&v, "holds"), [at.as_str()], "{v}");
    let sec = app.api_token("sec").await;
    let v_sec = waiting(app, &sec).await;
    assert_eq!(v_sec["holds"][0]["detail"], "hold placed by KGZ", "{v_sec}");

    // Once it concurs, nothing of the proposal waits for it any more.
    let (t, signature) = sign_decision(app, "KGZ", p.id, "lift_hold", "").await;
    let r = app
        .http
        .post(&url)
        .bearer_auth(&kgz)
        .json(&json!({ "action": "lift_hold", "at": t, "signature": signature }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(hrefs(&waiting(app, &kgz).await, "decisions"), [at.as_str()]);
    let (t, signature) = sign_decision(app, "KGZ", p.id, "concur", "").await;
    let r = app
        .http
        .post(&url)
        .bearer_auth(&kgz)
        .json(&json!({ "action": "concur", "at": t, "signature": signature }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let v = waiting(app, &kgz).await;
    assert!(
        hrefs(&v, "decisions").is_empty() && hrefs(&v, "holds").is_empty(),
        "{v}"
    );
}

async fn members_see_reports_owed_and_only_the_drafts_they_may_submit(app: &TestApp) {
    app.add_user("kaz.analyst", "KAZ", "contributor").await;
    open_round_by_form(app, "2026-spring", &far_deadline()).await;
    let admin = app.api_token("kaz.admin").await;
    let analyst = app.api_token("kaz.analyst").await;
    let as_analyst = Some(analyst.as_str());
    let as_admin = Some(admin.as_str());
    let reader = app.api_token("usa.reader").await;

    for token in [&admin, &analyst] {
        let v = waiting(app, token).await;
        assert_eq!(hrefs(&v, "reports"), ["/rounds/2026-spring"], "{v}");
        assert_eq!(
            v["reports"][0]["detail"], "2 of 2 commitments not yet reported",
            "{v}"
        );
    }
    // The United States is not asked in the round.
    assert!(hrefs(&waiting(app, &reader).await, "reports").is_empty());

    // The analyst drafts step 1: the administrator may submit it (someone
    // else made the last change); the analyst may not submit at all.
    let report = "/rounds/2026-spring/reports/KAZ/astana2015.step.1";
    let (s, v) = api(
        app,
        as_analyst,
        reqwest::Method::PUT,
        &format!("/api{report}"),
        Some(
            &json!({ "status": "in_progress", "tlp": "GREEN", "narrative": "Training under way." }),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(hrefs(&waiting(app, &admin).await, "drafts"), [report]);
    assert!(hrefs(&waiting(app, &analyst).await, "drafts").is_empty());
    let page = home(app, "kaz.admin", "en").await;
    assert!(
        page.contains("Drafts waiting for your submission") && page.contains(report),
        "{page}"
    );

    // The administrator rewrites it: now the four-eyes rule wants the
    // analyst to save it again, so it is not offered for submission.
    let (s, v) = api(
        app,
        as_admin,
        reqwest::Method::PUT,
        &format!("/api{report}"),
        Some(&json!({ "status": "in_progress", "tlp": "GREEN", "narrative": "Training under way in two regions." })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(hrefs(&waiting(app, &admin).await, "drafts").is_empty());

    // The analyst saves it, the administrator submits it: one report owed.
    let (s, v) = api(
        app,
        as_analyst,
        reqwest::Method::PUT,
        &format!("/api{report}"),
        Some(&json!({ "status": "in_progress", "tlp": "GREEN", "narrative": "Training under way in three regions." })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = api(
        app,
        as_admin,
        reqwest::Method::POST,
        &format!("/api{report}/submit"),
        Some(&json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let v = waiting(app, &admin).await;
    assert!(hrefs(&v, "drafts").is_empty(), "{v}");
    assert_eq!(
        v["reports"][0]["detail"], "1 of 2 commitments not yet reported",
        "{v}"
    );
    let page = home(app, "kaz.admin", "ru").await;
    assert!(page.contains("нет отчёта по 1 из 2 обязательств"), "{page}");
}

async fn the_secretariat_follows_open_proposals_and_rounds_and_the_ombudsperson_petitions(
    app: &TestApp,
) {
    let p = app
        .propose_listing(
            accord_store::common_list::SubjectKind::Organization,
            "Example Front",
            "Statement of case.",
            "A front for a listed group.",
        )
        .await;
    open_round_by_form(app, "2026-spring", &far_deadline()).await;
    let sec = app.api_token("sec").await;
    let v = waiting(app, &sec).await;
    assert_eq!(
        hrefs(&v, "open_proposals"),
        [format!("/proposals/{}", p.id)],
        "{v}"
    );
    assert_eq!(hrefs(&v, "open_rounds"), ["/rounds/2026-spring"], "{v}");
    assert_eq!(v["open_rounds"][0]["detail"], "0 of 4 reports submitted");
    // The secretariat does not decide or report.
    assert!(hrefs(&v, "decisions").is_empty() && hrefs(&v, "reports").is_empty());

    // A petition on a listed subject waits for the ombudsperson, counted
    // without reading (or auditing a read of) the petitioner's data.
    app.list_by_silence(
        accord_store::common_list::SubjectKind::Individual,
        "Abdulla Karim",
        "Statement of case.",
        "Recruiter.",
    )
    .await;
    let listed = app.store.proposals(false).await.unwrap();
    let subject = listed
        .iter()
        .find(|p| p.status == accord_store::common_list::ProposalStatus::Adopted)
        .unwrap()
        .subject
        .clone();
    let r = app
        .http
        .post(app.at("/api/petitions"))
        .json(&json!({ "subject": subject, "petitioner_name": "A. Karim", "petitioner_contact": "karim@example.org", "grounds": "Mistaken identity." }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let reads = || async {
        app.store
            .audit_records(&accord_store::AuditQuery {
                action: Some("common_list.petition.read".into()),
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
            .len()
    };
    let before = reads().await;
    let ombuds = app.api_token("ombuds").await;
    assert_eq!(waiting(app, &ombuds).await["petitions_to_review"], 1);
    let page = home(app, "ombuds", "en").await;
    assert!(
        page.contains("Petitions to review: 1") && page.contains("href=\"/ombudsperson\""),
        "{page}"
    );
    assert!(!page.contains("karim@example.org"));
    assert_eq!(reads().await, before);
    // Nobody else is told of petitions.
    assert_eq!(waiting(app, &sec).await["petitions_to_review"], 0);
}

async fn visitors_see_no_list_and_a_member_with_nothing_to_do_is_told_so(app: &TestApp) {
    let visitor = app.anonymous().await;
    let page = app.get(&visitor, "/").await.text().await.unwrap();
    assert!(!page.contains("Waiting for you"), "{page}");
    let r = app.http.get(app.at("/api/waiting")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let page = home(app, "usa.reader", "en").await;
    assert!(page.contains("Nothing is waiting for you"), "{page}");
    let v = waiting(app, &app.api_token("usa.reader").await).await;
    assert_eq!(v["unread_notifications"], 0, "{v}");
}
