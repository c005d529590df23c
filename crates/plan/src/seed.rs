//! The frameworks and commitments loaded on first start.
//!
//! Sources:
//! - **The seed document** `seed/000_c0e6556d9abec8c4.txt`: the summary report of
//!   the Central and South Asia Regional Conference on Countering Violent
//!   Extremism, Astana, 29–30 June 2015. Every initiative, conclusion and
//!   concrete step below is one of its bullets, copied **verbatim** (its typos,
//!   such as "principals", and its closing ";", ":" or "." kept). The test
//!   `tests/seed.rs` checks each text against the document and that no bullet
//!   of those sections is missing.
//! - **`reference/FRAMEWORKS.md`** (the project's reference facts, with public
//!   sources) for the Joint Plan of Action 2011: §1.1 its adoption (Ashgabat,
//!   30 November 2011; UNRCCA, <https://unrcca.unmissions.org/joint-plan-action>),
//!   §1.3 its structure (one section per pillar of the UN Global
//!   Counter-Terrorism Strategy) and §2 the pillar titles (the annex headings of
//!   A/RES/60/288; FRAMEWORKS.md marks the exact wording "in this regard" /
//!   "basis of" as unverified).
//!
//! ## Pillar mapping
//!
//! The conference stressed Pillars 1 and 4 of the Joint Plan but did not map
//! its own bullets to pillars. The mapping below is Accord's editorial reading
//! against the pillar titles (I conditions conducive to terrorism; II preventing
//! and combating it; III States' capacity and the UN's role; IV human rights
//! and the rule of law), the main pillar first, with a one-line reason per
//! item (`why`). FRAMEWORKS.md §1.3 supports two anchors: media and
//! counter-narrative work is a "Pillar I-type measure", and the Ankara
//! Memorandum frames multi-sectoral CVE strategies as implementing Pillar I.
//! The secretariat can correct the mapping in storage; the ids stay.
//!
//! ## The Joint Plan's tasks
//!
//! FRAMEWORKS.md §1.3 and §6 warn that the Joint Plan's per-pillar actions were
//! not extracted, so they are **not** invented here. Instead there is one
//! commitment per pillar, `jpoa2011.task.1` … `.4`, whose text is the pillar
//! title: members report how far they implement that section of the Plan, as
//! the conference declared ("the tasks of the Joint Plan would be gradually
//! implemented by the participants"). When the Plan's text is read, its actions
//! can be added as further commitments of `jpoa2011`.
//!
//! ## Due dates
//!
//! Only the concrete steps carry one: they were proposed "in advance of the CVE
//! leaders' summit in September", which the report places "on the sidelines of
//! the UN General Assembly in New York in September 2015". FRAMEWORKS.md §0
//! confirms the summit was held alongside the General Assembly in September
//! 2015 but gives no day, so the due date is **2015-09-29, an approximation**
//! (the day the Leaders' Summit on Countering ISIL and Violent Extremism is
//! believed to have met in New York; unverified in the reference file) and is
//! flagged `approximate` with a note.

use time::Date;
use time::macros::date;

use crate::framework::{AppliesTo, Catalogue, Commitment, CommitmentKind, Due, Framework, Pillar};
use crate::ids::{CommitmentId, FrameworkId, PillarId};

/// The seed document's path under the shared directory.
pub const SEED_DOCUMENT: &str = "seed/000_c0e6556d9abec8c4.txt";
/// The reference file for the Joint Plan and the pillars.
pub const FRAMEWORKS_DOCUMENT: &str = "reference/FRAMEWORKS.md";

/// The seed document as a reader cites it: a commitment's source names the
/// report and where in it the text stands, not a file of this project.
pub const SEED_CITATION: &str = "Summary report of the Central and South Asia Regional Conference on Countering Violent Extremism (Astana, 29–30 June 2015)";

/// The pillar titles' public source (the annex of the UN Global
/// Counter-Terrorism Strategy), as a reader cites it.
pub const STRATEGY_CITATION: &str = "UN Global Counter-Terrorism Strategy, A/RES/60/288, annex";

pub const JPOA: &str = "jpoa2011";
pub const ASTANA: &str = "astana2015";

/// The sentence that introduces the initiatives (verbatim, its end).
pub const INITIATIVES_HEADING: &str = "the focus was on the need to strengthen national development strategies through the following initiatives:";
/// The line that introduces the conclusions.
pub const CONCLUSIONS_HEADING: &str = "The participants concluded:";
/// The sentence that introduces the concrete steps (its end).
pub const STEPS_HEADING: &str = "These steps include:";

/// The phrase that stresses Pillars I and IV.
pub const PILLARS_STRESSED_PHRASE: &str =
    "they confirmed the importance of Pillars 1 and 4 of the Joint Plan of Action 2011";
/// The declaration that the Joint Plan's tasks will be implemented.
pub const JPOA_TASKS_PHRASE: &str =
    "the tasks of the Joint Plan would be gradually implemented by the participants";
/// The phrase the concrete steps' due date comes from.
pub const STEPS_DUE_PHRASE: &str = "in advance of the CVE leaders' summit in September";
/// The phrase that gives the summit's year and place.
pub const SUMMIT_PHRASE: &str = "the CVE leaders' summit on the sidelines of the UN General Assembly in New York in September 2015";

/// The concrete steps' due date (approximate: see the module notes).
pub const SUMMIT_DATE: Date = date!(2015 - 09 - 29);
pub const SUMMIT_DATE_NOTE: &str = "The report gives only \"September\" (2015, from its earlier \"in September 2015\"); \
reference/FRAMEWORKS.md §0 confirms the summit met alongside the UN General Assembly in September 2015 but gives no day. \
29 September 2015 is an approximation (believed to be the day of the Leaders' Summit on Countering ISIL and Violent Extremism in New York; unverified).";

/// One pillar of the Joint Plan of Action 2011.
#[derive(Debug, Clone, Copy)]
pub struct SeedPillar {
    pub number: u8,
    /// Verbatim from FRAMEWORKS.md §2 (the GCTS annex heading).
    pub title: &'static str,
    /// FRAMEWORKS.md §2's suggested short label.
    pub short_label: &'static str,
    pub stressed: bool,
}

pub const JPOA_PILLARS: [SeedPillar; 4] = [
    SeedPillar {
        number: 1,
        title: "Measures to address the conditions conducive to the spread of terrorism",
        short_label: "Conditions conducive",
        stressed: true,
    },
    SeedPillar {
        number: 2,
        title: "Measures to prevent and combat terrorism",
        short_label: "Prevent & combat",
        stressed: false,
    },
    SeedPillar {
        number: 3,
        title: "Measures to build States' capacity to prevent and combat terrorism and to strengthen the role of the United Nations system in this regard",
        short_label: "Capacity-building & UN role",
        stressed: false,
    },
    SeedPillar {
        number: 4,
        title: "Measures to ensure respect for human rights for all and the rule of law as the fundamental basis of the fight against terrorism",
        short_label: "Human rights & rule of law",
        stressed: true,
    },
];

/// One bullet of the seed document.
#[derive(Debug, Clone, Copy)]
pub struct SeedItem {
    /// Verbatim, including the bullet's closing punctuation.
    pub text: &'static str,
    /// Joint Plan pillar numbers, the main one first.
    pub pillars: &'static [u8],
    pub applies_to: AppliesTo,
    /// Why this mapping (pillars and addressees).
    pub why: &'static str,
}

const fn item(
    text: &'static str,
    pillars: &'static [u8],
    applies_to: AppliesTo,
    why: &'static str,
) -> SeedItem {
    SeedItem {
        text,
        pillars,
        applies_to,
        why,
    }
}

use AppliesTo as A;

/// "...strengthen national development strategies through the following
/// initiatives:" — national strategies, so addressed to the regional states.
pub const INITIATIVES: [SeedItem; 4] = [
    item(
        "Support for women and young people;",
        &[1],
        A::REGIONAL_STATES,
        "empowering women and youth addresses conditions conducive (I)",
    ),
    item(
        "Sharing information and research findings on what causes radicalization (social exclusion or political marginalization);",
        &[1],
        A::REGIONAL_STATES,
        "the causes named (exclusion, marginalization) are Pillar I conditions",
    ),
    item(
        "Raising awareness of human rights, freedom of religion, conflict resolving and interethnic dialogue;",
        &[4, 1],
        A::REGIONAL_STATES,
        "human rights and freedom of religion (IV); dialogue and conflict resolution (I)",
    ),
    item(
        "Further development of counter-messages and positive narratives in response to violent extremist propaganda.",
        &[1],
        A::REGIONAL_STATES,
        "counter-narratives are a Pillar I-type measure (FRAMEWORKS.md §1.3)",
    ),
];

/// "The participants concluded:" — all participants, unless the bullet names
/// its addressees.
pub const CONCLUSIONS: [SeedItem; 15] = [
    item(
        "Adherence to countering violent extremism, that leads to terrorism, on the principals of equal and impartial assessment of these threats;",
        &[2],
        A::ALL,
        "a principle for preventing and combating (II)",
    ),
    item(
        "Importance of the UN in addressing violent extremism and the significance of the comprehensive framework that the UN Global Counter-Terrorism Strategy in Central Asia offers for dealing with the spread of terrorism;",
        &[3],
        A::ALL,
        "the role of the UN system (III)",
    ),
    item(
        "Appreciation for the commitment to implement the obligations set out in the UN Security Council Resolution 2178, welcoming its focus on the critical role of local NGOs and communities in countering violent extremism;",
        &[2, 1],
        A::ALL,
        "resolution 2178's foreign-fighter obligations (II); local NGOs and communities (I)",
    ),
    item(
        "Call on the UN, CTC/CTED, OSCE, CIS, SCO and other international and regional organizations to continue to play an active role in promoting cooperation and government efforts to counter violent extremism, which causes terrorism, as well as developing a common internationally lawful definition of these threats;",
        &[3],
        A::ORGANIZATIONS,
        "addressed to the organizations; their role and cooperation (III)",
    ),
    item(
        "Existence of threats posed to all countries by terrorism and violent extremism, including returning foreign fighters;",
        &[2],
        A::ALL,
        "threat assessment, returning foreign fighters (II)",
    ),
    item(
        "The need for a comprehensive strategy that identifies and develops a wide range of tools to counter the spread of violent extremism, including common and agreed list of extremist and terrorist organizations and their sponsors;",
        &[2],
        A::ALL,
        "tools to counter, including the common list (II)",
    ),
    item(
        "Progress made in strengthening legal, institutional, and operational frameworks and capacities to address terrorism. Challenges associated with addressing foreign fighters, while protecting civil rights and freedoms;",
        &[3, 4],
        A::ALL,
        "legal, institutional and operational capacities (III); civil rights and freedoms (IV)",
    ),
    item(
        "The need for localized, specialized, and expanded efforts to counter and prevent the spread of violent extremism. These efforts include capacity building of local actors, such as municipal governments and communities, religious, cultural and education leaders, making sure to take into account local customs and traditional values;",
        &[1, 3],
        A::ALL,
        "local prevention (I); capacity building of local actors (III)",
    ),
    item(
        "Importance of developing comprehensive national strategies and action plans for addressing violent extremism, making sure to include a variety of national government agencies, as well as representatives of the civil society in designing these strategies;",
        &[1],
        A::REGIONAL_STATES,
        "national strategies, multi-sectoral CVE as Pillar I (Ankara Memorandum, FRAMEWORKS.md §4)",
    ),
    item(
        "The need to work together to better understand the precise nature of violent extremist threats at the local and regional level, including by promoting research, analysis, and information sharing on the causes of all types of violent extremism;",
        &[1],
        A::ALL,
        "research into causes, i.e. conditions conducive (I)",
    ),
    item(
        "The need to take into account human rights when developing the strategy for countering violent extremism;",
        &[4],
        A::ALL,
        "human rights (IV)",
    ),
    item(
        "Importance of strengthening relations between law enforcement agencies and local communities to avoid creating an environment that leads to the growth of violent extremism:",
        &[1, 4],
        A::REGIONAL_STATES,
        "avoiding a conducive environment (I); rights-respecting policing (IV); national law enforcement",
    ),
    item(
        "The commitment to develop national programs based on the UN, the Global Forum for the Fight against Terrorism/Global Counterterrorism Forum, as well as other international best practices;",
        &[3],
        A::REGIONAL_STATES,
        "national programmes on UN and GCTF good practice build capacity (III)",
    ),
    item(
        "The need to respond to the threat of extremism through the use of social networks;",
        &[1],
        A::ALL,
        "counter-messaging online, a Pillar I-type measure (FRAMEWORKS.md §1.3)",
    ),
    item(
        "Importance of strengthening the \"immunity\" of the local population against the ideas of violent extremism, expanding the range of social services and economic programs to provide young people with new opportunities, enhance civic education and the culture of peace, tolerance and non-violence;",
        &[1],
        A::ALL,
        "social and economic conditions, youth, education (I)",
    ),
];

/// "...proposed concrete steps to enhance national and regional CVE efforts in
/// South and Central Asia in advance of the CVE leaders' summit in September.
/// These steps include:" — due before the summit.
pub const CONCRETE_STEPS: [SeedItem; 7] = [
    item(
        "To identify relevant persons responsible for countering extremism in each country in the region;",
        &[3],
        A::REGIONAL_STATES,
        "institutional capacity: focal points (III); 'each country in the region'",
    ),
    item(
        "To develop inclusive national CVE strategies that involve local governments, civil society, and the private sector, based on the experience and knowledge of the Global Forum for the Fight against Terrorism/Global Counterterrorism Forum;",
        &[1],
        A::REGIONAL_STATES,
        "national multi-sectoral CVE strategies (I, as conclusion 9)",
    ),
    item(
        "To implement Global Counterterrorism Forum good practices regarding CVE through capacity-building initiatives and awareness-raising activities;",
        &[3],
        A::REGIONAL_STATES_AND_PARTNERS,
        "capacity building (III); partner states support it (most GCTF members are partners)",
    ),
    item(
        "To provide support for national NGOs involved in countering local factors causing extremism, radicalization and recruitment of citizens;",
        &[1],
        A::REGIONAL_STATES_AND_PARTNERS,
        "local factors are conditions conducive (I); support may come from states or partners",
    ),
    item(
        "To develop and implement training programs for public servants working on CVE that emphasize the promotion of rights;",
        &[3, 4],
        A::REGIONAL_STATES,
        "training public servants (III) on rights (IV)",
    ),
    item(
        "To expand and/or develop programs for countering radicalization in prisons and programs promoting rehabilitation and reintegration into society of violent extremist offenders, drawing on best practices and expertise of the UN, OSCE and Global Forum for the Fight against Terrorism/Global Counterterrorism Forum and other regional organizations;",
        &[2, 3],
        A::REGIONAL_STATES_AND_ORGANIZATIONS,
        "prisons and offenders (II, criminal-justice side); expertise of the organizations named (III)",
    ),
    item(
        "To strengthen and support the capacity of civil society organizations and other NGOs in the region engaged in providing the population with information that counters the hateful and violence-filled messages of the extremists and terrorists.",
        &[1, 3],
        A::ALL,
        "counter-messages (I); capacity of civil society (III); anyone can support it",
    ),
];

fn fid(s: &str) -> FrameworkId {
    FrameworkId::parse(s).expect("seed ids are valid")
}

fn pid(n: u8) -> PillarId {
    PillarId::parse(&format!("{JPOA}.pillar.{n}")).expect("seed ids are valid")
}

fn cid(s: String) -> CommitmentId {
    CommitmentId::parse(&s).expect("seed ids are valid")
}

/// The seeded frameworks: the Joint Plan with its four pillars, then the
/// Astana conference.
pub fn frameworks() -> Vec<Framework> {
    let jpoa = fid(JPOA);
    vec![
        Framework {
            id: jpoa.clone(),
            title: "Joint Plan of Action for the Implementation of the UN Global Counter-Terrorism Strategy in Central Asia".into(),
            short_title: "Joint Plan of Action 2011".into(),
            adopted_on: Some(date!(2011 - 11 - 30)),
            adopted_at: Some("Ashgabat, Turkmenistan".into()),
            description: "The first regional framework for implementing the UN Global Counter-Terrorism Strategy, with a section for each of its four pillars. Adopted by Kazakhstan, Kyrgyzstan, Tajikistan and Turkmenistan (Uzbekistan chose observer status); updated in Tashkent on 3 March 2022. The Astana conference (2015) declared that its tasks would be gradually implemented by the participants and stressed Pillars I and IV.".into(),
            source: format!("UNRCCA, https://unrcca.unmissions.org/joint-plan-action and https://unrcca.unmissions.org/high-level-meeting-adoption-jpoa; {STRATEGY_CITATION} (pillar titles); {SEED_CITATION}"),
            pillars: JPOA_PILLARS
                .iter()
                .map(|p| Pillar {
                    id: pid(p.number),
                    framework: jpoa.clone(),
                    number: p.number,
                    title: p.title.into(),
                    short_label: p.short_label.into(),
                    stressed_by: p.stressed.then(|| PILLARS_STRESSED_PHRASE.to_string()),
                })
                .collect(),
            seeded: true,
        },
        Framework {
            id: fid(ASTANA),
            title: "Central and South Asia Regional Conference on Countering Violent Extremism (CVE)".into(),
            short_title: "Astana 2015".into(),
            adopted_on: Some(date!(2015 - 06 - 30)),
            adopted_at: Some("Astana, Kazakhstan".into()),
            description: "The conference of ministers and high representatives of 9 countries of Central and South Asia (29–30 June 2015): four initiatives to strengthen national strategies, fifteen conclusions and seven concrete steps to implement before the CVE leaders' summit at the UN General Assembly in September 2015.".into(),
            source: SEED_CITATION.into(),
            pillars: Vec::new(),
            seeded: true,
        },
    ]
}

/// The seeded commitments, in the document's order: the Joint Plan's four
/// pillar tasks, then the initiatives, conclusions and concrete steps.
pub fn commitments() -> Vec<Commitment> {
    let mut out = Vec::new();
    for p in JPOA_PILLARS {
        out.push(Commitment {
            id: cid(format!("{JPOA}.task.{}", p.number)),
            framework: fid(JPOA),
            kind: CommitmentKind::Task,
            number: u32::from(p.number),
            text: p.title.into(),
            pillars: vec![pid(p.number)],
            applies_to: AppliesTo::REGIONAL_STATES,
            due: None,
            source: format!(
                "{STRATEGY_CITATION}, Pillar {} title; mandate: {SEED_CITATION}, \"{JPOA_TASKS_PHRASE}\"",
                crate::framework::roman(p.number)
            ),
            seeded: true,
        });
    }
    let sections: [(&str, CommitmentKind, &str, &[SeedItem]); 3] = [
        (
            "initiative",
            CommitmentKind::Initiative,
            INITIATIVES_HEADING,
            &INITIATIVES,
        ),
        (
            "conclusion",
            CommitmentKind::Conclusion,
            CONCLUSIONS_HEADING,
            &CONCLUSIONS,
        ),
        (
            "step",
            CommitmentKind::ConcreteStep,
            STEPS_HEADING,
            &CONCRETE_STEPS,
        ),
    ];
    for (slug, kind, heading, items) in sections {
        for (i, it) in items.iter().enumerate() {
            let n = i as u32 + 1;
            out.push(Commitment {
                id: cid(format!("{ASTANA}.{slug}.{n}")),
                framework: fid(ASTANA),
                kind,
                number: n,
                text: it.text.into(),
                pillars: it.pillars.iter().map(|&p| pid(p)).collect(),
                applies_to: it.applies_to,
                due: (kind == CommitmentKind::ConcreteStep).then(|| Due {
                    date: SUMMIT_DATE,
                    phrase: STEPS_DUE_PHRASE.into(),
                    approximate: true,
                    note: SUMMIT_DATE_NOTE.into(),
                }),
                source: format!("{SEED_CITATION}, after \"{heading}\", bullet {n}"),
                seeded: true,
            });
        }
    }
    out
}

/// The seeded catalogue, ready to load into an empty database.
pub fn catalogue() -> Catalogue {
    Catalogue::from_parts(frameworks(), commitments()).expect("the seed is consistent")
}

/// Every phrase the seed quotes from the seed document, which must occur in it
/// verbatim: the bullets, the section headings and the phrases behind the
/// stressed pillars, the Joint Plan mandate and the due date.
pub fn quotes_from_seed_document() -> Vec<&'static str> {
    let mut q = vec![
        INITIATIVES_HEADING,
        CONCLUSIONS_HEADING,
        STEPS_HEADING,
        PILLARS_STRESSED_PHRASE,
        JPOA_TASKS_PHRASE,
        STEPS_DUE_PHRASE,
        SUMMIT_PHRASE,
    ];
    q.extend(INITIATIVES.iter().map(|i| i.text));
    q.extend(CONCLUSIONS.iter().map(|i| i.text));
    q.extend(CONCRETE_STEPS.iter().map(|i| i.text));
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_four_pillars_with_i_and_iv_stressed() {
        let fw = &frameworks()[0];
        assert_eq!(fw.pillars.len(), 4);
        let stressed: Vec<u8> = fw
            .pillars
            .iter()
            .filter(|p| p.stressed_by.is_some())
            .map(|p| p.number)
            .collect();
        assert_eq!(stressed, [1, 4]);
        assert_eq!(fw.pillars[3].roman(), "IV");
    }

    #[test]
    fn seed_counts_match_the_report() {
        let c = commitments();
        let count = |k| c.iter().filter(|x| x.kind == k).count();
        assert_eq!(count(CommitmentKind::Task), 4);
        assert_eq!(count(CommitmentKind::Initiative), 4);
        assert_eq!(count(CommitmentKind::Conclusion), 15);
        assert_eq!(count(CommitmentKind::ConcreteStep), 7);
    }

    #[test]
    fn only_concrete_steps_are_due_and_the_due_date_is_flagged_approximate() {
        for c in commitments() {
            match c.kind {
                CommitmentKind::ConcreteStep => {
                    let due = c.due.expect("steps are due");
                    assert_eq!(due.date, date!(2015 - 09 - 29));
                    assert!(due.approximate);
                    assert_eq!(due.phrase, STEPS_DUE_PHRASE);
                }
                _ => assert!(c.due.is_none(), "{}", c.id),
            }
        }
    }

    #[test]
    fn seed_ids_are_stable() {
        let cat = catalogue();
        for id in [
            "jpoa2011.task.1",
            "astana2015.initiative.4",
            "astana2015.conclusion.15",
            "astana2015.step.1",
            "astana2015.step.7",
        ] {
            assert!(
                cat.commitment(&CommitmentId::parse(id).unwrap()).is_some(),
                "{id}"
            );
        }
        assert!(
            cat.pillar(&PillarId::parse("jpoa2011.pillar.4").unwrap())
                .is_some()
        );
    }

    #[test]
    fn every_seeded_commitment_maps_to_at_least_one_pillar() {
        for c in commitments() {
            assert!(!c.pillars.is_empty(), "{}", c.id);
        }
    }
}
