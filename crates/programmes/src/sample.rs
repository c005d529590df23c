//! A complete example programme: a prison rehabilitation programme in
//! Kazakhstan with every feature of the model (two languages, regions, two
//! sectors, a commitment, funding and implementing organizations, a budget,
//! transactions in two currencies, a document, outputs, outcomes and an
//! impact with disaggregated, percentage and qualitative indicators,
//! submitted and draft periods). Used by the tests, the docs and the demo.

use accord_core::tlp::Tlp;
use accord_core::{MemberCode, Principal, Role};

use crate::model::*;
use crate::programme::{Programme, ProgrammeData, TITLE_MAX};
use time::macros::{date, datetime};

/// An English text (panics on invalid text: for fixed sample strings only).
pub fn english(s: &str) -> Text {
    Text::single("en", s, 10_000).unwrap()
}

/// A count-of-people indicator with a key and a baseline of 0 in 2023.
pub fn people(title: &str, key: &str, periods: Vec<Period>) -> Indicator {
    Indicator {
        title: english(title),
        description: Text::default(),
        measure: Measure::Unit,
        ascending: true,
        counts_people: true,
        key: Some(IndicatorKey::parse(key).unwrap()),
        baseline: Some(Baseline {
            year: 2023,
            measured: Measured::number(0.0),
        }),
        periods,
    }
}

/// A period with a target, maybe an actual, submitted (by user 3, drafted
/// by user 2) or a draft (by user 2).
pub fn period(
    start: time::Date,
    end: time::Date,
    target: f64,
    actual: Option<f64>,
    submitted: bool,
) -> Period {
    Period {
        start,
        end,
        target: Some(Measured::number(target)),
        actual: actual.map(Measured::number),
        state: if submitted {
            PeriodState::Submitted {
                last_editor: Some(2),
                by: Some(3),
                at: datetime!(2025-01-10 12:00 UTC),
            }
        } else {
            PeriodState::Draft {
                last_editor: Some(2),
            }
        },
    }
}

/// A prison programme in Kazakhstan, with every feature the model has.
pub fn sample_data() -> ProgrammeData {
    let kind = ProgrammeKind::PrisonRehabilitation;
    let s = kind.default_sensitivity();
    ProgrammeData {
        id: ProgrammeId::parse("kaz-prison-2024").unwrap(),
        iati_identifier: None,
        published: false,
        title: Text::parse(
            &[
                (
                    "en",
                    "Rehabilitation and reintegration of violent extremist offenders",
                ),
                (
                    "ru",
                    "Реабилитация и реинтеграция осуждённых за насильственный экстремизм",
                ),
            ],
            TITLE_MAX,
        )
        .unwrap(),
        description: english("Prison-based disengagement programmes & after-care in two regions."),
        kind,
        status: Status::Implementation,
        dates: Dates {
            planned_start: date!(2024 - 01 - 01),
            planned_end: date!(2025 - 12 - 31),
            actual_start: Some(date!(2024 - 02 - 01)),
            actual_end: None,
        },
        countries: vec![RecipientCountry {
            code: CountryCode::parse("KZ").unwrap(),
            regions: vec!["Karaganda Region".into(), "Almaty".into()],
        }],
        sectors: vec![
            SectorShare {
                code: SectorCode::parse("15137").unwrap(),
                percentage: Percent::parse("60").unwrap(),
            },
            SectorShare {
                code: SectorCode::parse("15210").unwrap(),
                percentage: Percent::parse("40").unwrap(),
            },
        ],
        commitments: vec![CommitmentId::parse("astana2015.step.6").unwrap()],
        participants: vec![
            ParticipatingOrg {
                role: OrgRole::Funding,
                member: None,
                name: english("European Union"),
                iati_ref: Some(OrgRef::parse("XI-IATI-EC_NEAR").unwrap()),
                org_type: Some(OrgType::parse("40").unwrap()),
            },
            ParticipatingOrg {
                role: OrgRole::Implementing,
                member: Some(MemberCode::parse("KAZ").unwrap()),
                name: english("Committee of the Penal Correction System"),
                iati_ref: None,
                org_type: Some(OrgType::parse("10").unwrap()),
            },
        ],
        budgets: vec![Budget {
            start: date!(2024 - 01 - 01),
            end: date!(2024 - 12 - 31),
            value: Money {
                amount: Amount::parse("250000").unwrap(),
                currency: Currency::parse("EUR").unwrap(),
            },
            status: BudgetStatus::Committed,
            kind: BudgetKind::Original,
        }],
        transactions: vec![
            Transaction {
                kind: TransactionKind::Disbursement,
                date: date!(2024 - 03 - 15),
                value: Money {
                    amount: Amount::parse("100000").unwrap(),
                    currency: Currency::parse("EUR").unwrap(),
                },
                description: english("First tranche"),
                reference: Some("T-1".into()),
            },
            Transaction {
                kind: TransactionKind::Expenditure,
                date: date!(2024 - 09 - 30),
                value: Money {
                    amount: Amount::parse("30000000").unwrap(),
                    currency: Currency::parse("KZT").unwrap(),
                },
                description: Text::default(),
                reference: None,
            },
        ],
        documents: vec![Document {
            url: Url::parse("https://example.org/kaz-prison-2024/plan.pdf").unwrap(),
            title: english("Programme document"),
            format: MediaType::parse("application/pdf").unwrap(),
            category: DocCategory::parse("A02").unwrap(),
            languages: vec![Lang::en()],
            date: Some(date!(2024 - 01 - 15)),
        }],
        results: vec![
            ResultItem {
                kind: ResultKind::Output,
                title: english("Offenders take part in disengagement programmes"),
                description: Text::default(),
                indicators: vec![
                    Indicator {
                        periods: vec![Period {
                            actual: Some(Measured {
                                value: Some(120.0),
                                comment: Text::default(),
                                parts: vec![
                                    Part {
                                        sex: Some(Sex::Female),
                                        age: None,
                                        value: 20.0,
                                    },
                                    Part {
                                        sex: Some(Sex::Male),
                                        age: None,
                                        value: 100.0,
                                    },
                                    Part {
                                        sex: None,
                                        age: Some(AgeBand::parse("18-24").unwrap()),
                                        value: 45.0,
                                    },
                                    Part {
                                        sex: Some(Sex::Male),
                                        age: Some(AgeBand::parse("25-34").unwrap()),
                                        value: 50.0,
                                    },
                                ],
                            }),
                            ..period(
                                date!(2024 - 01 - 01),
                                date!(2024 - 12 - 31),
                                150.0,
                                None,
                                true,
                            )
                        }],
                        ..people("Offenders enrolled", "offenders_enrolled", vec![])
                    },
                    people(
                        "Offenders who completed the programme",
                        "offenders_completed",
                        vec![period(
                            date!(2024 - 01 - 01),
                            date!(2024 - 12 - 31),
                            100.0,
                            Some(85.0),
                            true,
                        )],
                    ),
                ],
            },
            ResultItem {
                kind: ResultKind::Outcome,
                title: english("Released offenders reintegrate"),
                description: Text::default(),
                indicators: vec![
                    people(
                        "Released offenders reintegrated after 12 months",
                        "offenders_reintegrated_12m",
                        vec![period(
                            date!(2025 - 01 - 01),
                            date!(2025 - 12 - 31),
                            40.0,
                            Some(31.0),
                            false,
                        )],
                    ),
                    Indicator {
                        title: english("Share of released offenders in work or education"),
                        description: Text::default(),
                        measure: Measure::Percentage,
                        ascending: true,
                        counts_people: false,
                        key: None,
                        baseline: Some(Baseline {
                            year: 2023,
                            measured: Measured::number(12.5),
                        }),
                        periods: vec![period(
                            date!(2024 - 01 - 01),
                            date!(2024 - 12 - 31),
                            30.0,
                            Some(27.5),
                            true,
                        )],
                    },
                ],
            },
            ResultItem {
                kind: ResultKind::Impact,
                title: english("Fewer returns to violent extremism"),
                description: Text::default(),
                indicators: vec![Indicator {
                    title: english("Assessment by the probation service"),
                    description: Text::default(),
                    measure: Measure::Qualitative,
                    ascending: true,
                    counts_people: false,
                    key: None,
                    baseline: None,
                    periods: vec![Period {
                        target: Some(Measured {
                            value: None,
                            comment: english("No re-offending among completers"),
                            parts: vec![],
                        }),
                        actual: Some(Measured {
                            value: None,
                            comment: english("One case under review"),
                            parts: vec![],
                        }),
                        ..period(
                            date!(2024 - 01 - 01),
                            date!(2024 - 12 - 31),
                            0.0,
                            None,
                            true,
                        )
                    }],
                }],
            },
        ],
        tlp: s.tlp,
        publish_iati: s.publish_iati,
    }
}

/// [`sample_data`], validated.
pub fn sample() -> Programme {
    Programme::new(sample_data()).unwrap()
}

/// The sample, published: TLP:CLEAR and the flag set.
pub fn publishable() -> Programme {
    let mut d = sample_data();
    d.tlp = Tlp::Clear;
    d.publish_iati = true;
    Programme::new(d).unwrap()
}

/// A user of the seeded member `member` (its kind from
/// [`accord_core::seed::kind_of`]). Panics on a code the seed does not
/// hold: for fixed sample users only.
pub fn member_user(id: UserId, member: &str, role: Role) -> Principal {
    let kind = accord_core::seed::kind_of(member).expect("a seeded member");
    let code = MemberCode::parse(member).expect("a seeded member code");
    Principal::member_user(
        id,
        &format!("{}-{id}", member.to_lowercase()),
        code,
        kind,
        role,
    )
}

/// A secretariat administrator.
pub fn secretariat(id: UserId) -> Principal {
    Principal::platform_user(id, "secretariat", Role::SecretariatAdmin)
}
