//! The demo's library: an item of each kind in English and Russian, at
//! every TLP marking, a sharing group (with a named person, for RED), a
//! campaign whose counter-narrative has reach to chart, one item waiting
//! for review and one draft. The seeded conference and GCTF items come on
//! every first start, not only with the demo.

use accord_core::{Principal, Username};
use accord_library::counter::{CampaignInput, CounterNarrativeInput, REACH_CSV_HEADER, ReachInput};
use accord_library::groups::SharingGroupInput;
use accord_library::item::{Known, VersionInput};
use accord_library::workflow::Status;
use accord_library::{ItemInput, Vocabulary};
use accord_store::{Actor, Store, StoreError};

async fn who(store: &Store, username: &str) -> Result<(Principal, Actor), StoreError> {
    let user = store.user_by_username(&Username::parse(username)?).await?;
    let p = Principal::of_user(&user);
    let a = Actor::new(&p, "demo");
    Ok((p, a))
}

fn refused(e: impl std::fmt::Display) -> StoreError {
    StoreError::Conflict(format!("demo library refused: {e}"))
}

struct Draft<'a> {
    kind: &'a str,
    marking: &'a str,
    distribution: &'a str,
    share_members: &'a [&'a str],
    group: Option<i64>,
    en: (&'a str, &'a str, &'a str),
    ru: (&'a str, &'a str, &'a str),
    countries: &'a [&'a str],
    themes: &'a [&'a str],
    published: &'a str,
    commitments: &'a [&'a str],
    counter: Option<CounterNarrativeInput>,
}

fn input(d: &Draft<'_>) -> ItemInput {
    let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    ItemInput {
        kind: d.kind.into(),
        marking: d.marking.into(),
        distribution: d.distribution.into(),
        share_members: list(d.share_members),
        group: d.group,
        versions: vec![
            VersionInput {
                lang: "en".into(),
                title: d.en.0.into(),
                summary: d.en.1.into(),
                body: d.en.2.into(),
            },
            VersionInput {
                lang: "ru".into(),
                title: d.ru.0.into(),
                summary: d.ru.1.into(),
                body: d.ru.2.into(),
            },
        ],
        countries: list(d.countries),
        themes: list(d.themes),
        published: d.published.into(),
        commitments: list(d.commitments),
        counter: d.counter.clone(),
        ..ItemInput::default()
    }
}

/// Records the demo library once (a database with a sharing group is left alone).
pub async fn load(store: &Store) -> Result<(), StoreError> {
    if !store.sharing_groups().await?.is_empty() {
        return Ok(());
    }
    let (_, analyst) = who(store, "kaz.analyst").await?;
    let (_, kaz_admin) = who(store, "kaz.admin").await?;
    let (_, kgz_admin) = who(store, "kgz.admin").await?;
    let demo = Actor::system("demo");
    let kaz = accord_core::MemberCode::parse("KAZ")?;
    let group = store
        .create_sharing_group(
            &kaz_admin,
            Some(&kaz),
            &SharingGroupInput {
                name: "Prisons and rehabilitation working group".into(),
                members: vec!["KAZ".into(), "KGZ".into(), "TJK".into()],
                users: vec!["usa.reader".into()],
            }
            .validate()?,
        )
        .await?;
    let red_group = store
        .create_sharing_group(
            &kaz_admin,
            Some(&kaz),
            &SharingGroupInput {
                name: "Named recipients: closed session, Astana".into(),
                members: Vec::new(),
                users: vec!["kaz.admin".into(), "kgz.admin".into()],
            }
            .validate()?,
        )
        .await?;
    let campaign = store
        .create_campaign(
            &kaz_admin,
            Some(&kaz),
            &CampaignInput {
                name: "Voices of return 2026".into(),
                description: "Returnees and their families speak about what recruiters promised and what they found.".into(),
                starts: "2026-01-01".into(),
                ends: "2026-12-31".into(),
                partners: "KAZ KGZ".into(),
            }
            .validate()?,
        )
        .await?;
    let vocabulary = Vocabulary::seed();
    let catalogue = store.plan_catalogue().await?;
    let groups = [group.id, red_group.id];
    let known = Known {
        vocabulary: &vocabulary,
        commitment: &|c| {
            accord_plan::CommitmentId::parse(c)
                .ok()
                .is_some_and(|id| catalogue.commitment(&id).is_some())
        },
        group: &|g| groups.contains(&g),
        campaign: &|c| c == campaign.id,
    };
    let items = [
        (
            Draft {
                kind: "research",
                marking: "GREEN",
                distribution: "platform",
                share_members: &[],
                group: None,
                en: (
                    "Labour migrants and online recruitment: a 2026 survey",
                    "Why seasonal workers abroad are targeted online, and what protects them.",
                    "## Findings\n\nOf 1,200 migrant workers interviewed in three cities, most first met extremist content in closed messenger groups offering work.\n\n- Isolation and debt were the strongest predictors.\n- Contact with a community centre halved the risk.\n\n## Recommendations\n\n1. Consular outreach in the first month abroad.\n2. Counter-messages in the same messenger groups.",
                ),
                ru: (
                    "Трудовые мигранты и вербовка в интернете: обзор 2026 года",
                    "Почему сезонные работники за рубежом становятся мишенью в сети и что их защищает.",
                    "## Выводы\n\nИз 1200 опрошенных трудовых мигрантов в трёх городах большинство впервые встретили экстремистские материалы в закрытых группах мессенджеров с предложениями работы.\n\n- Сильнее всего влияли изоляция и долги.\n- Связь с общинным центром вдвое снижала риск.\n\n## Рекомендации\n\n1. Консульская работа в первый месяц за рубежом.\n2. Контрпропаганда в тех же группах мессенджеров.",
                ),
                countries: &["KAZ", "KGZ", "UZB"],
                themes: &["online-propaganda", "unemployment", "social-exclusion"],
                published: "2026-03-15",
                commitments: &["astana2015.conclusion.1"],
                counter: None,
            },
            &analyst,
            "KAZ",
            &kaz_admin,
        ),
        (
            Draft {
                kind: "report",
                marking: "AMBER",
                distribution: "group",
                share_members: &[],
                group: Some(group.id),
                en: (
                    "Recruitment inside prisons: the 2026 review",
                    "Findings of the working group's visits to six facilities.",
                    "## What we saw\n\nRecruiters target new inmates in pre-trial detention, offering protection.\n\n## What worked\n\nSeparating leaders, mentoring by former inmates, and vocational training.",
                ),
                ru: (
                    "Вербовка в местах лишения свободы: обзор 2026 года",
                    "Итоги посещения рабочей группой шести учреждений.",
                    "## Что мы увидели\n\nВербовщики выбирают новых заключённых в следственных изоляторах и предлагают им защиту.\n\n## Что сработало\n\nОтделение лидеров, наставничество бывших заключённых и профессиональное обучение.",
                ),
                countries: &["KAZ", "KGZ", "TJK"],
                themes: &["prisons", "rehabilitation"],
                published: "2026-05-20",
                commitments: &[],
                counter: None,
            },
            &analyst,
            "KAZ",
            &kaz_admin,
        ),
        (
            Draft {
                kind: "good-practice",
                marking: "AMBER+STRICT",
                distribution: "members",
                share_members: &["KAZ", "KGZ"],
                group: None,
                en: (
                    "Reintegrating returnees' children: a joint protocol",
                    "How Kazakhstan and Kyrgyzstan coordinate schooling and care for children brought back.",
                    "## The protocol\n\nA case worker is named before arrival; school placement within 30 days; psychological support for a year.",
                ),
                ru: (
                    "Реинтеграция детей возвращенцев: совместный протокол",
                    "Как Казахстан и Кыргызстан согласуют обучение и опеку детей, вернувшихся на родину.",
                    "## Протокол\n\nКуратор назначается до прибытия; зачисление в школу в течение 30 дней; психологическая поддержка в течение года.",
                ),
                countries: &["KAZ", "KGZ"],
                themes: &["rehabilitation", "education", "foreign-terrorist-fighters"],
                published: "2026-06-01",
                commitments: &[],
                counter: None,
            },
            &analyst,
            "KAZ",
            &kaz_admin,
        ),
        (
            Draft {
                kind: "training",
                marking: "CLEAR",
                distribution: "platform",
                share_members: &[],
                group: None,
                en: (
                    "Training module: recognising online recruitment",
                    "A two-hour module for teachers and youth workers.",
                    "## Module outline\n\n1. How recruiters open a conversation.\n2. Warning signs in a young person's online life.\n3. Where to turn for help.",
                ),
                ru: (
                    "Учебный модуль: как распознать вербовку в интернете",
                    "Двухчасовой модуль для учителей и работников с молодёжью.",
                    "## План модуля\n\n1. Как вербовщики начинают разговор.\n2. Тревожные признаки в жизни подростка в сети.\n3. Куда обращаться за помощью.",
                ),
                countries: &["KGZ"],
                themes: &["youth", "education", "online"],
                published: "2026-02-10",
                commitments: &[],
                counter: None,
            },
            &kgz_admin,
            "KGZ",
            &demo,
        ),
        (
            Draft {
                kind: "counter-narrative",
                marking: "CLEAR",
                distribution: "platform",
                share_members: &[],
                group: None,
                en: (
                    "“I came back”: a returnee's video diary",
                    "Short videos in which a returnee tells what the recruiters' promises turned into.",
                    "## The message\n\nThe 'brotherhood' they offered was fear and hunger. Coming home was possible, and it was hard, and it was worth it.",
                ),
                ru: (
                    "«Я вернулся»: видеодневник возвращенца",
                    "Короткие видео, в которых вернувшийся рассказывает, чем обернулись обещания вербовщиков.",
                    "## Посыл\n\nОбещанное «братство» обернулось страхом и голодом. Вернуться домой было можно — трудно, но это того стоило.",
                ),
                countries: &["KAZ"],
                themes: &["online-propaganda", "foreign-terrorist-fighters", "media"],
                published: "2026-02-01",
                commitments: &[],
                counter: Some(CounterNarrativeInput {
                    age: "15-24".into(),
                    gender: "all".into(),
                    region: "Almaty, Shymkent".into(),
                    at_risk: "young men with relatives abroad".into(),
                    channel: "social-network".into(),
                    channel_name: "Instagram, Telegram".into(),
                    answers: "the promise of brotherhood and purpose".into(),
                    campaign: campaign.id.to_string(),
                    links: String::new(),
                }),
            },
            &analyst,
            "KAZ",
            &kaz_admin,
        ),
        (
            Draft {
                kind: "event",
                marking: "RED",
                distribution: "group",
                share_members: &[],
                group: Some(red_group.id),
                en: (
                    "Closed session notes: cross-border referrals",
                    "Notes of the closed session on referring persons at risk across borders.",
                    "## Agreed\n\nEach side names one referral contact; referrals are acknowledged within 48 hours.",
                ),
                ru: (
                    "Записи закрытого заседания: трансграничные обращения",
                    "Записи закрытого заседания о передаче дел лиц из групп риска через границу.",
                    "## Договорились\n\nКаждая сторона назначает одно контактное лицо; получение обращения подтверждается в течение 48 часов.",
                ),
                countries: &["KAZ", "KGZ"],
                themes: &["regional-cooperation"],
                published: "2026-04-02",
                commitments: &[],
                counter: None,
            },
            &kaz_admin,
            "KAZ",
            &demo,
        ),
    ];
    let mut counter_item = None;
    // An item a member's only administrator wrote is approved by the demo
    // loader itself, recorded as such in the audit log.
    for (draft, author, owner, reviewer) in &items {
        let item = input(draft).validate(&known).map_err(refused)?;
        let owner = accord_core::MemberCode::parse(owner)?;
        let r = store
            .create_library_item(author, Some(&owner), &item)
            .await?;
        store
            .set_library_status(author, r.id, Status::Draft, Status::InReview, None, "")
            .await?;
        store
            .set_library_status(
                reviewer,
                r.id,
                Status::InReview,
                Status::Published,
                Some(r.latest_version),
                "",
            )
            .await?;
        if draft.kind == "counter-narrative" {
            counter_item = Some(r.id);
        }
    }
    if let Some(id) = counter_item {
        let csv = format!(
            "{REACH_CSV_HEADER}\n\
             2026-02-01,2026-02-28,Instagram,48200,21500,3100,820,410,960,186000\n\
             2026-03-01,2026-03-31,Instagram,71500,33800,4900,1350,720,1510,292000\n\
             2026-04-01,2026-04-30,Instagram,64800,30100,4100,1100,630,1320,251000\n\
             2026-02-01,2026-02-28,Telegram,12900,9800,640,530,90,410,\n\
             2026-03-01,2026-03-31,Telegram,22400,17100,1150,960,160,780,\n\
             2026-04-01,2026-04-30,Telegram,30600,23900,1580,1400,230,1020,\n"
        );
        let rows = ReachInput {
            csv,
            ..ReachInput::default()
        }
        .validate(Some((
            time::macros::date!(2026 - 01 - 01),
            time::macros::date!(2026 - 12 - 31),
        )))
        .map_err(refused)?;
        store.add_library_reach(&analyst, id, &rows).await?;
    }
    // One waiting for Kazakhstan's administrator, one still a draft.
    let waiting = input(&Draft {
        kind: "research",
        marking: "AMBER",
        distribution: "owner",
        share_members: &[],
        group: None,
        en: ("Grievances in border districts: interim findings", "Interim results of focus groups in three border districts.",
            "## Interim findings\n\nLand disputes and unequal access to water come up in every group."),
        ru: ("Недовольство в приграничных районах: промежуточные выводы", "Промежуточные итоги фокус-групп в трёх приграничных районах.",
            "## Промежуточные выводы\n\nЗемельные споры и неравный доступ к воде звучат в каждой группе."),
        countries: &["KAZ"],
        themes: &["grievances", "political-marginalization"],
        published: "",
        commitments: &[],
        counter: None,
    })
    .validate(&known)
    .map_err(refused)?;
    let r = store
        .create_library_item(&analyst, Some(&kaz), &waiting)
        .await?;
    store
        .set_library_status(&analyst, r.id, Status::Draft, Status::InReview, None, "")
        .await?;
    let draft = input(&Draft {
        kind: "training",
        marking: "GREEN",
        distribution: "platform",
        share_members: &[],
        group: None,
        en: (
            "Draft: media literacy for imams",
            "An outline in progress.",
            "## Outline\n\nTo be completed.",
        ),
        ru: (
            "Черновик: медиаграмотность для имамов",
            "План в работе.",
            "## План\n\nБудет дополнен.",
        ),
        countries: &[],
        themes: &["interfaith-dialogue", "media"],
        published: "",
        commitments: &[],
        counter: None,
    })
    .validate(&known)
    .map_err(refused)?;
    store
        .create_library_item(&analyst, Some(&kaz), &draft)
        .await?;
    Ok(())
}
