//! The demo's capacity-building programmes: one of every kind, across
//! several members, each with results over three yearly periods (the first
//! two submitted, the last a draft), budgets and money spent; one prison
//! programme marked TLP:AMBER and not published; some published in IATI.
//! Written through the same rules as the pages (the member's contributor
//! drafts, its administrator submits where separation of duties applies).

use accord_core::{Principal, Username};
use accord_programmes::rules::{self, PeriodRef};
use accord_programmes::{Programme, ProgrammeInput};
use accord_store::{Actor, Store, StoreError};
use serde_json::{Value, json};

/// One demo programme: who records and submits it, and its content.
struct Demo {
    id: &'static str,
    kind: &'static str,
    members: &'static [&'static str],
    drafter: &'static str,
    submitter: &'static str,
    title_en: &'static str,
    title_ru: &'static str,
    description: &'static str,
    sectors: &'static [(&'static str, &'static str)],
    commitments: &'static [&'static str],
    funder: (&'static str, &'static str),
    indicator: (&'static str, &'static str),
    /// Actuals for 2023, 2024, 2025 (the share of women is taken as 40 %).
    actuals: [u32; 3],
    tlp: &'static str,
    publish: bool,
    budget_per_year: u32,
}

const EU: (&str, &str) = ("European Union", "XI-IATI-EC_NEAR");
const UNDP: (&str, &str) = ("United Nations Development Programme", "XM-DAC-41114");
const OSCE: (&str, &str) = (
    "Organization for Security and Co-operation in Europe",
    "XM-DAC-47068",
);
const UNODC: (&str, &str) = ("United Nations Office on Drugs and Crime", "XM-DAC-41121");

const DEMOS: [Demo; 10] = [
    Demo {
        id: "kaz-public-servants-2023",
        kind: "public_servant_training",
        members: &["KAZ"],
        drafter: "kaz.analyst",
        submitter: "kaz.admin",
        title_en: "Rights-based CVE training for public servants",
        title_ru: "Обучение государственных служащих противодействию экстремизму на основе прав человека",
        description: "A three-day course for district officials, police and social workers on preventing radicalization while upholding human rights, with a refresher after six months.",
        sectors: &[("15210", "70"), ("11430", "30")],
        commitments: &["astana2015.step.5", "astana2015.step.3"],
        funder: OSCE,
        indicator: ("public_servants_trained", "Public servants trained"),
        actuals: [310, 480, 450],
        tlp: "CLEAR",
        publish: true,
        budget_per_year: 120_000,
    },
    Demo {
        id: "kgz-ngo-grants-2023",
        kind: "ngo_support",
        members: &["KGZ"],
        drafter: "kgz.admin",
        submitter: "kgz.admin",
        title_en: "Small grants for national NGOs countering local drivers of extremism",
        title_ru: "Малые гранты национальным НКО, работающим с местными причинами экстремизма",
        description: "Grants and mentoring for NGOs in Osh, Jalal-Abad and Batken that work with young people at risk of recruitment.",
        sectors: &[("15150", "100")],
        commitments: &["astana2015.step.4"],
        funder: EU,
        indicator: ("ngos_supported", "National NGOs supported"),
        actuals: [12, 18, 20],
        tlp: "GREEN",
        publish: false,
        budget_per_year: 200_000,
    },
    Demo {
        id: "kaz-prison-2023",
        kind: "prison_rehabilitation",
        members: &["KAZ"],
        drafter: "kaz.analyst",
        submitter: "kaz.admin",
        title_en: "Disengagement and reintegration of violent extremist offenders",
        title_ru: "Отказ от насилия и реинтеграция осуждённых за насильственный экстремизм",
        description: "Theological counselling, vocational training and after-care for offenders in two penal colonies, with probation services after release. Counts only: no names or case files.",
        sectors: &[("15137", "60"), ("15210", "40")],
        commitments: &["astana2015.step.6"],
        funder: UNODC,
        indicator: ("offenders_enrolled", "Offenders enrolled"),
        actuals: [45, 60, 58],
        tlp: "",
        publish: false,
        budget_per_year: 150_000,
    },
    Demo {
        id: "tjk-youth-2023",
        kind: "youth",
        members: &["TJK"],
        drafter: "tjk.admin",
        submitter: "tjk.admin",
        title_en: "Youth employment and civic participation in Khatlon",
        title_ru: "Занятость и гражданское участие молодёжи в Хатлоне",
        description: "Vocational courses, internships and youth councils for young people in districts with high labour migration.",
        sectors: &[("15220", "50"), ("15150", "50")],
        commitments: &["astana2015.step.7"],
        funder: UNDP,
        indicator: ("young_people_reached", "Young people reached"),
        actuals: [900, 1250, 1400],
        tlp: "CLEAR",
        publish: true,
        budget_per_year: 180_000,
    },
    Demo {
        id: "uzb-women-2023",
        kind: "women",
        members: &["UZB"],
        drafter: "uzb.admin",
        submitter: "uzb.admin",
        title_en: "Women's community networks for prevention",
        title_ru: "Сети женщин в махаллях для профилактики",
        description: "Training of women leaders in mahalla committees to recognise early signs of radicalization and refer families to support services.",
        sectors: &[("15150", "100")],
        commitments: &["astana2015.step.4"],
        funder: EU,
        indicator: ("women_reached", "Women reached"),
        actuals: [400, 650, 700],
        tlp: "GREEN",
        publish: false,
        budget_per_year: 90_000,
    },
    Demo {
        id: "kgz-teachers-2023",
        kind: "education",
        members: &["KGZ"],
        drafter: "kgz.admin",
        submitter: "kgz.admin",
        title_en: "Critical thinking and media literacy in secondary schools",
        title_ru: "Критическое мышление и медиаграмотность в средних школах",
        description: "Teacher training and a school module on recognising manipulation and extremist propaganda online.",
        sectors: &[("11430", "60"), ("15153", "40")],
        commitments: &["astana2015.step.3"],
        funder: OSCE,
        indicator: ("teachers_trained", "Teachers trained"),
        actuals: [150, 220, 260],
        tlp: "CLEAR",
        publish: true,
        budget_per_year: 70_000,
    },
    Demo {
        id: "tjk-afg-religious-leaders-2023",
        kind: "religious_leaders",
        members: &["TJK", "AFG"],
        drafter: "tjk.admin",
        submitter: "tjk.admin",
        title_en: "Cross-border dialogue of religious leaders",
        title_ru: "Трансграничный диалог религиозных лидеров",
        description: "Meetings of imams and community elders from both sides of the border on countering the misuse of religion.",
        sectors: &[("15220", "100")],
        commitments: &["astana2015.step.7"],
        funder: UNDP,
        indicator: (
            "community_leaders_engaged",
            "Community and religious leaders engaged",
        ),
        actuals: [60, 85, 90],
        tlp: "GREEN",
        publish: false,
        budget_per_year: 60_000,
    },
    Demo {
        id: "kaz-kgz-journalists-2024",
        kind: "media",
        members: &["KAZ", "KGZ"],
        drafter: "kaz.analyst",
        submitter: "kaz.admin",
        title_en: "Reporting on violent extremism without amplifying it",
        title_ru: "Освещение насильственного экстремизма без его популяризации",
        description: "Workshops for journalists and editors on conflict-sensitive reporting and on counter-narratives in social networks.",
        sectors: &[("15153", "100")],
        commitments: &["astana2015.step.7"],
        funder: OSCE,
        indicator: ("journalists_trained", "Journalists trained"),
        actuals: [40, 75, 80],
        tlp: "CLEAR",
        publish: false,
        budget_per_year: 50_000,
    },
    Demo {
        id: "uzb-local-government-2023",
        kind: "local_government",
        members: &["UZB"],
        drafter: "uzb.admin",
        submitter: "uzb.admin",
        title_en: "Municipal prevention plans in the Fergana Valley",
        title_ru: "Муниципальные планы профилактики в Ферганской долине",
        description: "District administrations draft and budget local prevention plans with schools, mahallas and NGOs.",
        sectors: &[("15210", "50"), ("15150", "50")],
        commitments: &["astana2015.step.3"],
        funder: UNDP,
        indicator: ("public_servants_trained", "Public servants trained"),
        actuals: [120, 160, 200],
        tlp: "GREEN",
        publish: false,
        budget_per_year: 110_000,
    },
    Demo {
        id: "afg-returnees-2023",
        kind: "other",
        members: &["AFG"],
        drafter: "afg.admin",
        submitter: "afg.admin",
        title_en: "Psychosocial support for returning families",
        title_ru: "Психосоциальная поддержка возвращающихся семей",
        description: "Counselling and community reintegration support for families returning from conflict zones.",
        sectors: &[("15220", "100")],
        commitments: &["astana2015.step.6"],
        funder: EU,
        indicator: ("young_people_reached", "Young people reached"),
        actuals: [80, 140, 150],
        tlp: "GREEN",
        publish: false,
        budget_per_year: 95_000,
    },
];

fn year_range(y: i32) -> (String, String) {
    (format!("{y}-01-01"), format!("{y}-12-31"))
}

fn input_of(d: &Demo) -> Result<ProgrammeInput, serde_json::Error> {
    let mut participants: Vec<Value> = vec![json!({
        "role": "funding", "name": [{ "lang": "en", "text": d.funder.0 }],
        "iati_ref": d.funder.1, "org_type": "40"
    })];
    for m in d.members {
        participants.push(json!({ "role": "implementing", "member": m }));
    }
    let countries: Vec<Value> = d
        .members
        .iter()
        .filter_map(|m| accord_programmes::codes::country_of_member(m))
        .map(|c| json!({ "code": c }))
        .collect();
    let mut periods = Vec::new();
    for (i, actual) in d.actuals.iter().enumerate() {
        let (start, end) = year_range(2023 + i as i32);
        let women = actual * 2 / 5;
        periods.push(json!({
            "start": start, "end": end,
            "target": { "value": (actual + actual / 10).to_string() },
            "actual": { "value": actual.to_string(), "parts": [
                { "sex": "female", "value": women.to_string() },
                { "sex": "male", "value": (actual - women).to_string() }
            ] }
        }));
    }
    let mut budgets = Vec::new();
    let mut transactions = Vec::new();
    for y in 2023..=2025 {
        let (start, end) = year_range(y);
        budgets.push(json!({ "start": start, "end": end, "amount": d.budget_per_year.to_string(), "currency": "USD", "status": "committed" }));
        if y < 2025 {
            transactions.push(json!({ "kind": "disbursement", "date": format!("{y}-03-15"), "amount": d.budget_per_year.to_string(), "currency": "USD" }));
            transactions.push(json!({ "kind": "expenditure", "date": format!("{y}-12-15"), "amount": (d.budget_per_year * 9 / 10).to_string(), "currency": "USD" }));
        }
    }
    let value = json!({
        "id": d.id,
        "title": [{ "lang": "en", "text": d.title_en }, { "lang": "ru", "text": d.title_ru }],
        "description": [{ "lang": "en", "text": d.description }],
        "kind": d.kind,
        "status": "implementation",
        "planned_start": "2023-01-01",
        "planned_end": "2026-12-31",
        "actual_start": "2023-02-01",
        "countries": countries,
        "sectors": d.sectors.iter().map(|(c, p)| json!({ "code": c, "percentage": p })).collect::<Vec<_>>(),
        "commitments": d.commitments,
        "participants": participants,
        "budgets": budgets,
        "transactions": transactions,
        "results": [{
            "kind": "output",
            "title": [{ "lang": "en", "text": d.indicator.1 }],
            "indicators": [{
                "title": [{ "lang": "en", "text": d.indicator.1 }],
                "measure": "unit", "counts_people": true, "key": d.indicator.0,
                "baseline_year": "2022", "baseline": { "value": "0" },
                "periods": periods
            }]
        }],
        "tlp": d.tlp,
        "publish_iati": d.publish,
    });
    serde_json::from_value(value)
}

async fn principal(store: &Store, username: &str) -> Result<Principal, StoreError> {
    let user = store.user_by_username(&Username::parse(username)?).await?;
    Ok(Principal::of_user(&user))
}

fn refused(e: impl std::fmt::Display) -> StoreError {
    StoreError::Conflict(format!("demo programme refused: {e}"))
}

/// Records the demo programmes once (a database that has programmes is
/// left alone).
pub async fn load(store: &Store) -> Result<(), StoreError> {
    if !store.programmes().await?.is_empty() {
        return Ok(());
    }
    for d in &DEMOS {
        let drafter = principal(store, d.drafter).await?;
        let submitter = principal(store, d.submitter).await?;
        let data = input_of(d)
            .map_err(refused)?
            .validate(None)
            .map_err(refused)?;
        let p: Programme = rules::create(data, &drafter).map_err(refused)?;
        let actor = Actor::new(&drafter, "demo");
        store.create_programme(&actor, &drafter, p).await?;
        let id = accord_programmes::model::ProgrammeId::parse(d.id).map_err(refused)?;
        // The first two years are submitted; the last stays a draft.
        for period in 0..2 {
            let at = PeriodRef {
                result: 0,
                indicator: 0,
                period,
            };
            let who = submitter.clone();
            let now = time::OffsetDateTime::now_utc();
            store
                .change_programme(
                    &Actor::new(&submitter, "demo"),
                    &submitter,
                    &id,
                    None,
                    "programme.period.submit",
                    |c| rules::submit_period(c.history.current(), &who, at, c.side_user_count, now),
                )
                .await?
                .map_err(refused)?;
        }
    }
    Ok(())
}
