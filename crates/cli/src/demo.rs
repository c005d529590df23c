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
        "UNRCCA",
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
    Ok(())
}
