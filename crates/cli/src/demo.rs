//! Demo accounts and focal points for trying the platform (`serve --demo`).
//! Never for production: every demo account shares one published password.

use accord_core::focal_point::FocalPointForm;
use accord_core::user::NewUser;
use accord_core::{MemberCode, Username};
use accord_store::{Actor, Store, StoreError};

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

/// Creates what is missing; running it again changes nothing.
pub async fn load(store: &Store) -> Result<(), StoreError> {
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
    load_plan(store, &actor).await
}

/// A past reporting round with submitted reports and a current one with a
/// few, so the matrix, the change since the previous round and the charts
/// have something to show. Skipped once any round exists.
async fn load_plan(store: &Store, actor: &Actor) -> Result<(), StoreError> {
    if !store.plan_rounds().await?.is_empty() {
        return Ok(());
    }
    let secretariat = plan_actor(store, "secretariat").await?;
    let steps: Vec<String> = (1..=7).map(|n| format!("astana2015.step.{n}")).collect();
    let steps: Vec<&str> = steps.iter().map(String::as_str).collect();
    let members = ["AFG", "KAZ", "KGZ", "TJK", "UZB"];
    let today = time::OffsetDateTime::now_utc();
    let deadline = (today + time::Duration::days(21)).date().to_string();
    let period_end = today.date().to_string();
    let rounds = [
        (
            "2025-annual",
            "Annual review 2025",
            "2025-01-01",
            "2025-10-31",
            "2025-11-30".to_string(),
        ),
        (
            "2026-annual",
            "Annual review 2026",
            "2025-11-01",
            period_end.as_str(),
            deadline,
        ),
    ];
    for (id, name, start, end, deadline) in &rounds {
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

async fn plan_actor(store: &Store, username: &str) -> Result<accord_core::Principal, StoreError> {
    let user = store.user_by_username(&Username::parse(username)?).await?;
    Ok(accord_core::Principal::of_user(&user))
}
