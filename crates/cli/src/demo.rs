//! Demo accounts and focal points for trying the platform (`serve --demo`).
//! Never for production: every demo account shares one published password.

use accord_core::focal_point::FocalPointForm;
use accord_core::user::NewUser;
use accord_core::{MemberCode, Principal, Username};
use accord_lists::{
    Address, BirthDate, DateValue, EntryLink, EntryName, EntrySchema, ListEntry, NameKind,
};
use accord_procedure::{Action as ProcedureAction, ProposalKind};
use std::collections::BTreeMap;
use std::path::Path;

use accord_core::MemberKind;
use accord_proof::SecretKey;
use accord_store::common_list::{
    DecisionSignature, NewPetition, NewProposal, ProposalRecord, SubjectKind, decision_to_sign,
};
use accord_store::{Actor, Store, StoreError};
use time::{Duration, OffsetDateTime};

/// Where the demo's states keep their decision-signing keys, under the data
/// folder, so that a demo user can sign decisions in the browser.
pub const MEMBER_KEYS_DIR: &str = "demo-member-keys";

pub const PASSWORD: &str = "accord-demo";

/// Every regional state has an administrator, so that the whole agreement
/// procedure can be played through.
const ACCOUNTS: [(&str, &str, &str, &str); 13] = [
    (
        "secretariat",
        "UNRCCA Secretariat",
        // Platform-wide roles act for no member.
        "",
        "secretariat_admin",
    ),
    (
        "ombudsperson",
        "Office of the Ombudsperson",
        "",
        "ombudsperson",
    ),
    ("kaz.admin", "Aigerim Sadykova", "KAZ", "member_admin"),
    ("kaz.analyst", "Timur Akhmetov", "KAZ", "contributor"),
    ("kgz.admin", "Bakyt Osmonov", "KGZ", "member_admin"),
    ("tjk.admin", "Farrukh Rahimov", "TJK", "member_admin"),
    ("uzb.admin", "Dilnoza Yusupova", "UZB", "member_admin"),
    ("afg.admin", "Mariam Ahmadi", "AFG", "member_admin"),
    ("bgd.admin", "Tanvir Hossain", "BGD", "member_admin"),
    ("ind.admin", "Priya Raman", "IND", "member_admin"),
    ("pak.admin", "Ayesha Siddiqui", "PAK", "member_admin"),
    ("lka.admin", "Nuwan Perera", "LKA", "member_admin"),
    ("usa.reader", "Jordan Miller", "USA", "reader"),
];

pub fn usernames() -> Vec<&'static str> {
    ACCOUNTS.iter().map(|a| a.0).collect()
}

/// Creates what is missing; running it again changes nothing. The regional
/// states' signing keys are written under `key_dir` (the data folder) when
/// there is one; without one they live only for this run.
pub async fn load(store: &Store, key_dir: Option<&Path>) -> Result<(), StoreError> {
    let actor = Actor::system("demo");
    for (username, name, member, role) in ACCOUNTS {
        if store
            .user_by_username(&Username::parse(username)?)
            .await
            .is_ok()
        {
            continue;
        }
        let new = NewUser::parse(username, name, member, role)?;
        store.create_user(&actor, &new, PASSWORD, false).await?;
    }
    let kgz = MemberCode::parse("KGZ")?;
    if store.focal_points(&actor, &kgz).await?.is_empty() {
        let example = FocalPointForm {
            name: "Demo Focal Point".into(),
            title: "Head of the CVE unit".into(),
            agency: "State Commission for Religious Affairs".into(),
            languages: "ky, ru, en".into(),
            email: "cve.focal@example.org".into(),
            phone: "+996 312 000 000".into(),
            last_verified: "2025-03-01".into(),
        };
        store
            .add_focal_point(&actor, &kgz, &example.parse(accord_store::today())?)
            .await?;
    }
    load_plan(store).await?;
    crate::demo_programmes::load(store).await?;
    crate::demo_library::load(store).await?;
    load_common_list(store, &actor, key_dir).await?;
    // After the list: a hash is attributed to one of its subjects.
    crate::demo_hashes::load(store).await
}

/// A name with its language (script is detected).
fn name(text: &str, kind: NameKind, language: Option<&str>) -> EntryName {
    let mut n = EntryName::new(text, kind);
    n.language = language.map(str::to_string);
    n
}

fn link(relation: &str, target: &str) -> EntryLink {
    EntryLink {
        relation: relation.into(),
        target_reference: Some(target.into()),
        target_name: None,
    }
}

/// Each regional state's signing key: read from `key_dir` when there, else
/// created (and written there); registered from `since` on if the state has
/// none yet.
async fn member_keys(
    store: &Store,
    actor: &Actor,
    key_dir: Option<&Path>,
    since: OffsetDateTime,
) -> Result<BTreeMap<String, SecretKey>, StoreError> {
    let fail = |e: String| StoreError::Unsupported(format!("demo member keys: {e}"));
    let dir = key_dir.map(|d| d.join(MEMBER_KEYS_DIR));
    if let Some(d) = &dir {
        std::fs::create_dir_all(d).map_err(|e| fail(format!("{}: {e}", d.display())))?;
    }
    let mut keys = BTreeMap::new();
    for m in store.members().await? {
        if m.kind != MemberKind::RegionalState {
            continue;
        }
        let key = match &dir {
            Some(d) => {
                accord_proof::keys::load_or_create(&d.join(format!("{}.key", m.code)))
                    .map_err(|e| fail(e.to_string()))?
                    .0
            }
            None => SecretKey::generate(),
        };
        let registered = store.member_keys(Some(&m.code)).await?;
        if !registered
            .iter()
            .any(|k| k.key_id == key.key_id.to_string())
        {
            store
                .register_member_key(actor, &m.code, &key.public_key(), since)
                .await?;
        }
        keys.insert(m.code.as_str().to_string(), key);
    }
    Ok(keys)
}

/// Records a state's decision signed with its demo key.
async fn decide(
    store: &Store,
    actor: &Actor,
    keys: &BTreeMap<String, SecretKey>,
    id: i64,
    by: &Principal,
    action: ProcedureAction,
    now: OffsetDateTime,
) -> Result<ProposalRecord, StoreError> {
    let at = now.unix_timestamp();
    let signature = match by.member() {
        Some(m) => {
            let key = keys
                .get(m.as_str())
                .ok_or_else(|| StoreError::NotFound(format!("the demo key of {m}")))?;
            let decision = decision_to_sign(id, m, &action, at)
                .ok_or_else(|| StoreError::Unsupported("an unsigned demo action".into()))?;
            let signed = accord_proof::Signed::sign(decision, key)
                .map_err(|e| StoreError::Unsupported(e.to_string()))?;
            Some(DecisionSignature {
                at,
                signature: signed.signature,
            })
        }
        None => None,
    };
    store
        .record_decision(actor, id, by, action, signature.as_ref(), now)
        .await
}

/// Proposes at `at` as `by` and lets the deadline pass without objection:
/// the way most listings are adopted under the no-objection procedure.
/// Returns the subject's public identifier.
async fn adopt_by_silence(
    store: &Store,
    actor: &Actor,
    by: &Principal,
    proposal: NewProposal,
    at: OffsetDateTime,
) -> Result<String, StoreError> {
    let p = store.create_proposal(actor, by, proposal, at).await?;
    store
        .advance_due(actor, p.state.deadline + Duration::minutes(1))
        .await?;
    Ok(p.subject)
}

/// A published common list with a history: an organization, its sponsor and
/// a member in Cyrillic and Arabic script, linked; a later listing; a
/// delisting; a proposal still running with a concurrence and a hold; and a
/// petition under review. Every subject is fictional. Skipped once any list
/// version exists.
async fn load_common_list(
    store: &Store,
    actor: &Actor,
    key_dir: Option<&Path>,
) -> Result<(), StoreError> {
    if store.current_list_version().await?.is_some() {
        return Ok(());
    }
    let keys = member_keys(
        store,
        actor,
        key_dir,
        OffsetDateTime::now_utc() - Duration::days(400),
    )
    .await?;
    let kaz = plan_actor(store, "kaz.admin").await?;
    let kgz = plan_actor(store, "kgz.admin").await?;
    let tjk = plan_actor(store, "tjk.admin").await?;
    let uzb = plan_actor(store, "uzb.admin").await?;
    let now = OffsetDateTime::now_utc();
    let fictional = "Demonstration data: the subject is fictional.";

    // Version 1: an organization.
    let mut org = ListEntry::new("draft", EntrySchema::Organization);
    org.push_name(name(
        "Harakat al-Fajr al-Jadid",
        NameKind::Primary,
        Some("en"),
    ));
    org.push_name(name(
        "Движение «Новый рассвет»",
        NameKind::Alias,
        Some("ru"),
    ));
    org.push_name(name("حركة الفجر الجديد", NameKind::Alias, Some("ar")));
    org.push_name(name("HFJ", NameKind::Alias, None).weak());
    org.addresses.push(Address {
        street: None,
        city: None,
        region: Some("Fergana Valley".into()),
        postal_code: None,
        country: Some("Uzbekistan".into()),
        note: Some("area of operation".into()),
    });
    org.comments = Some(fictional.into());
    let org_id = adopt_by_silence(
        store,
        actor,
        &kaz,
        NewProposal::list(
            SubjectKind::Organization,
            org,
            "Intercepted recruitment material and financial records shared by two services (confidential).",
            "Recruits young people online for armed groups abroad and finances travel of foreign terrorist fighters (UNSCR 2178).",
        ),
        now - Duration::days(150),
    )
    .await?;

    // Version 2: its sponsor and a member.
    let mut sponsor = ListEntry::new("draft", EntrySchema::Organization);
    sponsor.push_name(name(
        "Al-Nur Relief Foundation",
        NameKind::Primary,
        Some("en"),
    ));
    sponsor.push_name(name("Фонд помощи «Ан-Нур»", NameKind::Alias, Some("ru")));
    sponsor.push_name(name("مؤسسة النور للإغاثة", NameKind::Alias, Some("ar")));
    sponsor.links.push(link("sponsor_of", &org_id));
    sponsor.comments = Some(fictional.into());
    let mut member = ListEntry::new("draft", EntrySchema::Person);
    member.push_name(name("Rustam Nazarov", NameKind::Primary, Some("en")));
    member.push_name(name(
        "Рустам Кадырович Назаров",
        NameKind::Alias,
        Some("ru"),
    ));
    member.push_name(name("رستم نظروف", NameKind::Alias, Some("fa")));
    member.push_name(name("Abu Yusuf al-Farghani", NameKind::Alias, None).weak());
    member.birth_dates.push(BirthDate {
        value: DateValue::Year { year: 1984 },
        original: "1984".into(),
        approximate: true,
    });
    member.nationalities.push("Uzbekistan".into());
    member.links.push(link("member_of", &org_id));
    member.comments = Some(fictional.into());
    let at = now - Duration::days(110);
    let sponsor_p = store
        .create_proposal(
            actor,
            &kgz,
            NewProposal::list(
                SubjectKind::Sponsor,
                sponsor,
                "Bank transfers to the organization's couriers (confidential).",
                "Collects donations as a charity and passes them to Harakat al-Fajr al-Jadid.",
            ),
            at,
        )
        .await?;
    let member_p = store
        .create_proposal(
            actor,
            &uzb,
            NewProposal::list(
                SubjectKind::Individual,
                member,
                "Court records of a recruitment case (confidential).",
                "Recruiter of Harakat al-Fajr al-Jadid in the Fergana Valley.",
            ),
            at,
        )
        .await?;
    // Two states concur with the sponsor's listing, signed with their keys:
    // version 2's record of adoption names them.
    for by in [&tjk, &uzb] {
        decide(
            store,
            actor,
            &keys,
            sponsor_p.id,
            by,
            ProcedureAction::Concur,
            at + Duration::days(1),
        )
        .await?;
    }
    store
        .advance_due(
            actor,
            sponsor_p.state.deadline.max(member_p.state.deadline) + Duration::minutes(1),
        )
        .await?;

    // Version 3: another person, later delisted (version 4).
    let mut second = ListEntry::new("draft", EntrySchema::Person);
    second.push_name(name("Jamshid Karimov", NameKind::Primary, Some("en")));
    second.push_name(name("Жамшид Каримов", NameKind::Alias, Some("ru")));
    second.nationalities.push("Tajikistan".into());
    second.links.push(link("member_of", &org_id));
    second.comments = Some(fictional.into());
    let second_id = adopt_by_silence(
        store,
        actor,
        &tjk,
        NewProposal::list(
            SubjectKind::Individual,
            second,
            "Witness statements (confidential).",
            "Organized travel of recruits of Harakat al-Fajr al-Jadid.",
        ),
        now - Duration::days(80),
    )
    .await?;
    adopt_by_silence(
        store,
        actor,
        &tjk,
        NewProposal::about(
            ProposalKind::Delist,
            &second_id,
            None,
            "The conviction was quashed on appeal (confidential).",
            "Delisted: the court of appeal quashed the conviction on which the listing rested.",
        ),
        now - Duration::days(45),
    )
    .await?;

    // In progress: a proposal with a concurrence and a hold.
    let mut pending = ListEntry::new("draft", EntrySchema::Organization);
    pending.push_name(name("Jamaat Sabil al-Haqq", NameKind::Primary, Some("en")));
    pending.push_name(name(
        "Джамаат «Сабиль аль-Хакк»",
        NameKind::Alias,
        Some("ru"),
    ));
    pending.push_name(name("جماعت سبیل الحق", NameKind::Alias, Some("ur")));
    pending.comments = Some(fictional.into());
    let p = store
        .create_proposal(
            actor,
            &kaz,
            NewProposal::list(
                SubjectKind::Organization,
                pending,
                "Reports of two services on online propaganda (confidential).",
                "Runs channels that call for attacks on places of worship.",
            ),
            now - Duration::days(3),
        )
        .await?;
    decide(
        store,
        actor,
        &keys,
        p.id,
        &kgz,
        ProcedureAction::Concur,
        now - Duration::days(2),
    )
    .await?;
    decide(
        store,
        actor,
        &keys,
        p.id,
        &tjk,
        ProcedureAction::PlaceHold {
            reason: Some("Awaiting the translation of the channel's messages.".into()),
        },
        now - Duration::days(1),
    )
    .await?;

    // A petition under review.
    let petition = store
        .create_petition(
            actor,
            &accord_store::common_list::PetitionBudget::default(),
            &NewPetition {
                subject: sponsor_p.subject.clone(),
                petitioner_name: "Law office of A. Demo (for the foundation)".into(),
                petitioner_contact: "counsel@example.org".into(),
                representative: true,
                grounds: "The foundation closed its office in 2024 and its new board has no link to the organization.".into(),
            },
        )
        .await?
        .into_tracking();
    let id = store
        .petitions(actor, None)
        .await?
        .into_iter()
        .find(|p| p.tracking_number == petition.tracking_number)
        .map(|p| p.id)
        .ok_or_else(|| StoreError::NotFound("the demo petition".into()))?;
    store
        .review_petition(
            actor,
            id,
            "Asked Kyrgyzstan for the bank records the listing rests on.",
        )
        .await?;
    Ok(())
}

/// A past reporting round with submitted reports and a current one with a
/// few, so the matrix, the change since the previous round and the charts
/// have something to show. Skipped once any round exists.
async fn load_plan(store: &Store) -> Result<(), StoreError> {
    if !store.plan_rounds().await?.is_empty() {
        return Ok(());
    }
    let secretariat = plan_actor(store, "secretariat").await?;
    // The rounds name the demo's secretariat user who opened them, not a
    // "demo" that no one can find on the platform.
    let opened_by = Actor::new(&secretariat, "local");
    let actor = &opened_by;
    let steps: Vec<String> = (1..=7).map(|n| format!("astana2015.step.{n}")).collect();
    let steps: Vec<&str> = steps.iter().map(String::as_str).collect();
    let members = ["AFG", "KAZ", "KGZ", "TJK", "UZB"];
    let today = time::OffsetDateTime::now_utc();
    let deadline = (today + time::Duration::days(21)).date().to_string();
    let period_end = today.date().to_string();
    // Each round as opened at its time: the past one when its year began
    // (its deadline was then ahead), the current one now.
    let rounds = [
        (
            "2025-annual",
            "Annual review 2025",
            "2025-01-01",
            "2025-10-31",
            "2025-11-30".to_string(),
            time::macros::datetime!(2025-01-02 09:00 UTC),
        ),
        (
            "2026-annual",
            "Annual review 2026",
            "2025-11-01",
            period_end.as_str(),
            deadline,
            today,
        ),
    ];
    for (id, name, start, end, deadline, opened_at) in &rounds {
        store
            .open_plan_round(
                actor,
                &secretariat,
                &accord_plan::NewRound {
                    id,
                    name,
                    period_start: start,
                    period_end: end,
                    deadline,
                    commitments: &steps,
                    members: &members,
                },
                *opened_at,
            )
            .await?;
    }
    use accord_plan::ReportStatus::*;
    // (round, member, step, status): the 2026 round shows progress since 2025.
    let reports = [
        ("2025-annual", "KAZ", 1, Implemented),
        ("2025-annual", "KAZ", 2, InProgress),
        ("2025-annual", "KAZ", 3, Planned),
        ("2025-annual", "KGZ", 1, InProgress),
        ("2025-annual", "KGZ", 2, Planned),
        ("2025-annual", "TJK", 1, Planned),
        ("2025-annual", "UZB", 1, Implemented),
        ("2025-annual", "UZB", 4, InProgress),
        ("2025-annual", "AFG", 5, NotApplicable),
        ("2026-annual", "KAZ", 1, Implemented),
        ("2026-annual", "KAZ", 2, Implemented),
        ("2026-annual", "KAZ", 3, InProgress),
        ("2026-annual", "KGZ", 1, Implemented),
        ("2026-annual", "KGZ", 2, InProgress),
        ("2026-annual", "UZB", 1, Implemented),
        ("2026-annual", "UZB", 4, Implemented),
    ];
    for (round, member, step, status) in reports {
        let at = if round == "2025-annual" {
            time::macros::datetime!(2025-11-10 09:00 UTC)
        } else {
            today
        };
        let (drafter, submitter) = match member {
            "KAZ" => ("kaz.analyst", "kaz.admin"),
            other => {
                let admin: &'static str = match other {
                    "KGZ" => "kgz.admin",
                    "UZB" => "uzb.admin",
                    "TJK" => "tjk.admin",
                    _ => "afg.admin",
                };
                (admin, admin)
            }
        };
        let round = accord_plan::RoundId::parse(round)?;
        let member = MemberCode::parse(member)?;
        let commitment = accord_plan::CommitmentId::parse(&format!("astana2015.step.{step}"))?;
        let content = accord_plan::ReportInput {
            status: status.as_str().into(),
            narrative: demo_narrative(step).into(),
            indicators: vec![accord_plan::IndicatorInput {
                label: "people trained".into(),
                value: (step * 40).to_string(),
                unit: "people".into(),
            }],
            agencies: vec!["Ministry of Internal Affairs".into()],
            civil_society_partners: vec!["Youth Initiative Network".into()],
            // Mostly public, so that anyone sees progress; a few restricted.
            tlp: match (member.as_str(), step) {
                ("TJK", _) => "AMBER",
                ("KAZ", 3) => "RED",
                ("KGZ", 2) => "GREEN",
                _ => "CLEAR",
            }
            .into(),
            ..Default::default()
        }
        .validate()?;
        store
            .save_plan_draft(
                actor,
                &plan_actor(store, drafter).await?,
                (&round, &member, &commitment),
                content,
                None,
                at,
            )
            .await?;
        store
            .submit_plan_report(
                actor,
                &plan_actor(store, submitter).await?,
                (&round, &member, &commitment),
                None,
                at,
            )
            .await?;
    }
    Ok(())
}

fn demo_narrative(step: u32) -> &'static str {
    match step {
        1 => {
            "A national CVE focal point was named in each ministry concerned and reported to UNRCCA."
        }
        2 => {
            "A draft national CVE strategy was discussed with civil-society organizations in three regions."
        }
        3 => {
            "Religious leaders and women's groups joined two community dialogues on radicalization."
        }
        4 => "Training on preventing radicalization in prisons was held for probation officers.",
        _ => "Work has started with the partners concerned.",
    }
}

async fn plan_actor(store: &Store, username: &str) -> Result<Principal, StoreError> {
    let user = store.user_by_username(&Username::parse(username)?).await?;
    Ok(Principal::of_user(&user))
}
