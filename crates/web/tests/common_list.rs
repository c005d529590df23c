//! The common list browsed, on both databases: each subject's page with
//! its entry, its links and its history (the published part for anyone,
//! the proposals for members, the petitions for the ombudsperson — never a
//! petitioner's name for the public); past versions marked superseded; any
//! two versions compared, a bad pair refused on the page; the list filtered
//! by kind, sorted, paged and searched through the screening engine, so a
//! misspelled name finds its entry; bad query values answered on the page.

mod support;

use accord_lists::{EntryLink, EntryName, EntrySchema, ListEntry, NameKind};
use accord_procedure::ProposalKind;
use accord_store::Actor;
use accord_store::common_list::{NewPetition, NewProposal, PetitionBudget, SubjectKind};
use reqwest::{Method, StatusCode};
use support::*;

on_both_backends!(
    a_subjects_page_shows_its_entry_links_and_published_history,
    the_procedure_behind_an_entry_is_shown_only_as_far_as_the_viewer_may_see_it,
    a_past_version_says_it_is_superseded_and_any_two_versions_can_be_compared,
    the_list_is_filtered_sorted_paged_and_searched_despite_misspellings,
);

const PETITIONER: &str = "Petra Secretname";
const PETITIONER_CONTACT: &str = "petra.secret@example.org";

fn entry(schema: EntrySchema, names: &[(&str, NameKind, Option<&str>)]) -> ListEntry {
    let mut e = ListEntry::new("draft", schema);
    for (text, kind, language) in names {
        let mut n = EntryName::new(*text, *kind);
        n.language = language.map(str::to_string);
        e.push_name(n);
    }
    e
}

/// Kazakhstan's proposal, adopted (one new version) or left pending: the
/// subject's identifier and the proposal's number.
async fn propose(app: &TestApp, proposal: NewProposal, adopt: bool) -> (String, i64) {
    let p = app.propose_as_kaz(proposal, adopt).await;
    (p.subject, p.id)
}

/// Version 1: an organization; 2: a member of it; 3: another person,
/// delisted in 4. Then a listing still pending and a petition about the
/// member. Returns the member's listing proposal and the pending subject.
async fn history(app: &TestApp) -> (i64, String) {
    let org = entry(
        EntrySchema::Organization,
        &[
            ("Harakat Test Org", NameKind::Primary, Some("en")),
            ("Движение «Тест»", NameKind::Alias, Some("ru")),
        ],
    );
    let (org_id, _) = propose(
        app,
        NewProposal::list(
            SubjectKind::Organization,
            org,
            "confidential org case",
            "Recruits online for armed groups.",
        ),
        true,
    )
    .await;
    assert_eq!(org_id, "ACL-0001");
    let mut member = entry(
        EntrySchema::Person,
        &[
            ("Abdullah Testov", NameKind::Primary, Some("en")),
            ("Абдулла Тестов", NameKind::Alias, Some("ru")),
        ],
    );
    member.nationalities.push("Uzbekistan".into());
    member.links.push(EntryLink {
        relation: "member_of".into(),
        target_reference: Some(org_id.clone()),
        target_name: None,
    });
    let (member_id, member_proposal) = propose(
        app,
        NewProposal::list(
            SubjectKind::Individual,
            member,
            "confidential member case",
            "Recruiter of Harakat Test Org.",
        ),
        true,
    )
    .await;
    assert_eq!(member_id, "ACL-0002");
    let other = entry(
        EntrySchema::Person,
        &[("Jamshid Delistov", NameKind::Primary, Some("en"))],
    );
    let (other_id, _) = propose(
        app,
        NewProposal::list(SubjectKind::Individual, other, "case", "Organized travel."),
        true,
    )
    .await;
    propose(
        app,
        NewProposal::about(
            ProposalKind::Delist,
            &other_id,
            None,
            "quashed (confidential)",
            "Delisted: the conviction was quashed.",
        ),
        true,
    )
    .await;
    let pending = entry(
        EntrySchema::Organization,
        &[("Pending Secretorg", NameKind::Primary, Some("en"))],
    );
    let (pending_id, _) = propose(
        app,
        NewProposal::list(SubjectKind::Organization, pending, "case", "Runs channels."),
        false,
    )
    .await;
    app.store
        .create_petition(
            &Actor::system("test"),
            &PetitionBudget::default(),
            &NewPetition {
                subject: member_id,
                petitioner_name: PETITIONER.into(),
                petitioner_contact: PETITIONER_CONTACT.into(),
                representative: false,
                grounds: "I have left the organization.".into(),
            },
        )
        .await
        .unwrap();
    (member_proposal, pending_id)
}

async fn text(r: reqwest::Response) -> String {
    r.text().await.unwrap()
}

async fn a_subjects_page_shows_its_entry_links_and_published_history(app: &TestApp) {
    let (member_proposal, _) = history(app).await;
    let anon = app.anonymous().await;

    let r = app.get(&anon, "/list/ACL-0002").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = text(r).await;
    for shown in [
        "Abdullah Testov",
        "Абдулла Тестов",
        "Individual",
        "member of",
        r#"href="/list/ACL-0001""#,
        "Uzbekistan",
        "Recruiter of Harakat Test Org.",
        "On the common list",
        // Listed in version 2, still in 3 and 4.
        r#"href="/list?version=2""#,
        r#"href="/list?version=4""#,
        "Listed",
    ] {
        assert!(page.contains(shown), "{shown} on the entry page: {page}");
    }
    assert!(!page.contains("confidential member case"));

    // The organization's page names who links to it.
    let org = text(app.get(&anon, "/list/ACL-0001").await).await;
    assert!(org.contains("Linked from") && org.contains(r#"href="/list/ACL-0002""#));

    // A delisted subject says so, and when.
    let delisted = text(app.get(&anon, "/list/ACL-0003").await).await;
    assert!(
        delisted.contains("Delisted in version 4") && delisted.contains("Jamshid Delistov"),
        "{delisted}"
    );
    assert!(delisted.contains("As last published, in version 3."));

    // An unknown identifier: the translated page, 404.
    for lang in ["en", "ru"] {
        let r = app.get(&anon, &format!("/list/ACL-9999?lang={lang}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let body = text(r).await;
        let title = if lang == "ru" {
            "Не найдено"
        } else {
            "Not found"
        };
        assert!(body.contains(title), "{lang}: {body}");
    }

    // Linked from the list, its changes and the proposal page.
    let list = text(app.get(&anon, "/list").await).await;
    assert!(list.contains(r#"href="/list/ACL-0002""#));
    let changes = text(app.get(&anon, "/list/changes?from=1&to=2").await).await;
    assert!(
        changes.contains(r#"href="/list/ACL-0002""#) && changes.contains("Abdullah Testov"),
        "{changes}"
    );
    let kaz = app.sign_in("kaz.admin").await;
    let proposal = text(
        app.get(&kaz, &format!("/proposals/{member_proposal}"))
            .await,
    )
    .await;
    assert!(proposal.contains(r#"href="/list/ACL-0002""#));

    // A screening hit on the common list links to the entry's page (once
    // the index, refreshed every 200 ms here, holds the current version).
    let mut screened = String::new();
    for _ in 0..50 {
        let r = app
            .post_form(&kaz, "/screen", &[("name", "Abdullah Testov")])
            .await;
        screened = text(r).await;
        if screened.contains("ACL-0002") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        screened.contains(r#"href="/list/ACL-0002""#),
        "the screening hit links to the entry: {screened}"
    );

    // The JSON twin.
    let (status, json) = api(app, None, Method::GET, "/api/list/entries/acl-0002", None).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["public_id"], "ACL-0002");
    assert_eq!(json["standing"], "listed");
    assert_eq!(
        json["entry"]["entry"]["names"][0]["text"],
        "Abdullah Testov"
    );
    assert_eq!(json["published_in"][0]["from"], 2);
    assert_eq!(json["published_in"][0]["to"], 4);
    assert!(json["proposals"].is_null() && json["petitions"].is_null());
    let (status, _) = api(app, None, Method::GET, "/api/list/entries/ACL-9999", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, delisted) = api(app, None, Method::GET, "/api/list/entries/ACL-0003", None).await;
    assert_eq!(delisted["standing"], "delisted");
}

async fn the_procedure_behind_an_entry_is_shown_only_as_far_as_the_viewer_may_see_it(
    app: &TestApp,
) {
    let (member_proposal, pending) = history(app).await;
    let proposal_link = format!(r#"href="/proposals/{member_proposal}""#);

    // The public: the published history, nothing of proposals or petitions.
    let anon = app.anonymous().await;
    let page = text(app.get(&anon, "/list/ACL-0002").await).await;
    assert!(!page.contains(&proposal_link) && !page.contains("Proposals about this subject"));
    assert!(!page.contains("Petitions for delisting") && !page.contains("DP-"));
    let (_, json) = api(app, None, Method::GET, "/api/list/entries/ACL-0002", None).await;
    for body in [page.as_str(), &json.to_string()] {
        assert!(
            !body.contains(PETITIONER) && !body.contains(PETITIONER_CONTACT),
            "a petitioner's name reached the public: {body}"
        );
    }

    // A member: the proposals about it, never the petition.
    for user in ["kaz.admin", "usa.reader"] {
        let b = app.sign_in(user).await;
        let page = text(app.get(&b, "/list/ACL-0002").await).await;
        assert!(
            page.contains("Proposals about this subject") && page.contains(&proposal_link),
            "{user}: {page}"
        );
        assert!(
            !page.contains(PETITIONER) && !page.contains("Petitions for delisting"),
            "{user}: {page}"
        );
    }

    // The ombudsperson: the petition by tracking number, linked to the queue.
    let ombuds = app.sign_in("ombuds").await;
    let page = text(app.get(&ombuds, "/list/ACL-0002").await).await;
    assert!(
        page.contains("Petitions for delisting") && page.contains("/ombudsperson/petitions/"),
        "{page}"
    );
    let token = app.api_token("ombuds").await;
    let (_, json) = api(
        app,
        Some(&token),
        Method::GET,
        "/api/list/entries/ACL-0002",
        None,
    )
    .await;
    assert_eq!(json["petitions"].as_array().unwrap().len(), 1, "{json}");
    assert!(!json.to_string().contains(PETITIONER_CONTACT));

    // A subject only proposed: found by those the proposals' rule lets see
    // whom it names, not found for anyone else — the same answer as an
    // unknown identifier.
    for (user, sees) in [
        ("", false),
        ("usa.reader", false),
        ("kgz.admin", true),
        ("kaz.admin", true),
    ] {
        let b = if user.is_empty() {
            app.anonymous().await
        } else {
            app.sign_in(user).await
        };
        let r = app.get(&b, &format!("/list/{pending}")).await;
        let status = r.status();
        let body = text(r).await;
        if sees {
            assert_eq!(status, StatusCode::OK, "{user}");
            assert!(
                body.contains("Pending Secretorg") && body.contains("Not on the published list")
            );
        } else {
            assert_eq!(status, StatusCode::NOT_FOUND, "{user}");
            assert!(!body.contains("Pending Secretorg"), "{user}: {body}");
        }
    }
}

async fn a_past_version_says_it_is_superseded_and_any_two_versions_can_be_compared(app: &TestApp) {
    history(app).await;
    let anon = app.anonymous().await;
    let old = text(app.get(&anon, "/list?version=1").await).await;
    assert!(
        old.contains("Superseded — the current version is 4.") && old.contains(r#"href="/list""#),
        "{old}"
    );
    let current = text(app.get(&anon, "/list").await).await;
    assert!(!current.contains("Superseded"));
    let ru = text(app.get(&anon, "/list?version=2&lang=ru").await).await;
    assert!(
        ru.contains("Устаревшая версия — действующая версия 4."),
        "{ru}"
    );

    // The picker, with a pair the wrong way round: refused on the page,
    // the choice kept.
    let r = app.get(&anon, "/list/changes?from=3&to=2").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = text(r).await;
    assert!(page.contains("must come before"), "{page}");
    assert!(page.contains(r#"<select id="from" name="from">"#));
    assert!(page.contains(r#"<option value="3" selected>"#), "{page}");
    assert!(page.contains(r#"<option value="2" selected>"#));
    let r = app.get(&anon, "/list/changes?from=1&to=99&lang=ru").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(text(r).await.contains("«99» — не опубликованная версия"));
    let r = app.get(&anon, "/list/changes?from=x&to=").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "not a plain-text 400");
    assert!(text(r).await.contains("is not a published version"));

    // A good pair: what changed between them, linked to the entries.
    let r = app.get(&anon, "/list/changes?from=1&to=4").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = text(r).await;
    assert!(page.contains("Changes from version 1 to version 4"));
    assert!(page.contains(r#"href="/list/ACL-0002""#) && !page.contains("ACL-0003"));
    // Nothing asked: the last version's changes (the delisting).
    let page = text(app.get(&anon, "/list/changes").await).await;
    assert!(page.contains("Changes from version 3 to version 4") && page.contains("ACL-0003"));
}

async fn the_list_is_filtered_sorted_paged_and_searched_despite_misspellings(app: &TestApp) {
    history(app).await;
    // Fifty-two more, adopted together (with the listing left pending).
    let mut last = None;
    for i in 0..52 {
        let (kind, schema) = if i % 2 == 0 {
            (SubjectKind::Organization, EntrySchema::Organization)
        } else {
            (SubjectKind::Individual, EntrySchema::Person)
        };
        let e = entry(
            schema,
            &[(&format!("Paged Subject {i:02}"), NameKind::Primary, None)],
        );
        let p = app
            .propose_as_kaz(NewProposal::list(kind, e, "case", "Paged."), false)
            .await;
        last = Some(p.state.deadline);
    }
    app.store
        .advance_due(
            &Actor::system("test"),
            last.unwrap() + time::Duration::minutes(1),
        )
        .await
        .unwrap();
    let anon = app.anonymous().await;

    // 55 listed: two pages, the second kept in the links.
    let first = text(app.get(&anon, "/list").await).await;
    assert!(first.contains("Entries 1–50 of 55."), "{first}");
    assert!(first.contains(r#"href="/list?page=2""#));
    let second = text(app.get(&anon, "/list?page=2").await).await;
    assert!(second.contains("Entries 51–55 of 55."));

    // By kind: only individuals; the filter kept in the page links.
    let people = text(app.get(&anon, "/list?kind=individual&sort=name").await).await;
    assert!(people.contains("Abdullah Testov") && !people.contains("Paged Subject 00"));
    assert!(people.contains("Entries 1–27 of 27."), "{people}");
    // The pending listing was adopted with the others.
    let orgs = text(app.get(&anon, "/list?kind=organization").await).await;
    assert!(orgs.contains("Entries 1–28 of 28."), "{orgs}");
    let sorted = text(app.get(&anon, "/list?sort=name").await).await;
    let a = sorted.find("Abdullah Testov").unwrap();
    let h = sorted.find("Harakat Test Org").unwrap();
    let p = sorted.find("Paged Subject 00").unwrap();
    assert!(a < h && h < p, "sorted by name");
    assert!(
        sorted.contains(r#"href="/list?sort=name&amp;page=2""#),
        "{sorted}"
    );
    let recent = text(app.get(&anon, "/list?sort=recent").await).await;
    assert!(recent.contains("Entries 1–50 of 55."));

    // A misspelled name finds the entry, through the screening engine, once
    // its index has caught up with the list (the refresher's work, every
    // 200 ms in tests; a search never rebuilds it).
    let mut found = String::new();
    for _ in 0..50 {
        let r = app.get(&anon, "/list?q=abdula+testov").await;
        assert_eq!(r.status(), StatusCode::OK);
        found = text(r).await;
        if found.contains("Abdullah Testov") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(found.contains("Abdullah Testov"), "{found}");
    assert!(!found.contains("Paged Subject 00"));
    assert!(
        found.contains(r#"value="abdula testov""#),
        "the search kept"
    );
    let cyrillic = text(
        app.get(&anon, "/list?q=%D0%A2%D0%B5%D1%81%D1%82%D0%BE%D0%B2")
            .await,
    )
    .await;
    assert!(cyrillic.contains("Abdullah Testov"), "{cyrillic}");
    // An identifier is still found as typed.
    let by_id = text(app.get(&anon, "/list?q=ACL-0002").await).await;
    assert!(by_id.contains("Abdullah Testov") && by_id.contains("Entries 1–1 of 1."));

    // Bad values: a translated message on the page, the list still shown.
    for (query, message) in [
        ("kind=robot", "“robot” is not a kind of subject"),
        ("sort=upside", "“upside” is not a way to sort the list"),
        ("page=abc", "“abc” is not a page of this list"),
        ("page=9", "“9” is not a page of this list"),
        ("version=abc", "“abc” is not a published version"),
        ("version=99", "“99” is not a published version"),
    ] {
        let r = app.get(&anon, &format!("/list?{query}")).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{query}");
        let body = text(r).await;
        assert!(body.contains(message), "{query}: {body}");
        assert!(
            body.contains("Harakat Test Org"),
            "{query}: the list is shown"
        );
    }
    let ru = text(app.get(&anon, "/list?kind=robot&lang=ru").await).await;
    assert!(ru.contains("«robot» — не вид субъекта"), "{ru}");
}
