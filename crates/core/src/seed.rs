//! The participants named in the Astana conference report (29–30 June 2015),
//! loaded into every new database.

use crate::member::MemberKind;

/// One participant as the conference report lists it.
#[derive(Debug, Clone, Copy)]
pub struct SeedMember {
    pub code: &'static str,
    pub kind: MemberKind,
    /// The name as the report writes it.
    pub name: &'static str,
    pub name_ru: &'static str,
}

/// The report's prose says "11 partner organizations" but its list names 12.
/// Both figures are kept and shown; the data follows the list.
pub const STATED_PARTNER_ORGANIZATIONS: usize = 11;

const fn m(
    code: &'static str,
    kind: MemberKind,
    name: &'static str,
    name_ru: &'static str,
) -> SeedMember {
    SeedMember {
        code,
        kind,
        name,
        name_ru,
    }
}

use MemberKind::{PartnerOrganization as Org, PartnerState as Partner, RegionalState as Regional};

/// In the report's order: 9 regional states, 9 partner states, 12 partner organizations.
pub const MEMBERS: [SeedMember; 30] = [
    m("KAZ", Regional, "Kazakhstan", "Казахстан"),
    m("KGZ", Regional, "Kyrgyzstan", "Кыргызстан"),
    m("TJK", Regional, "Tajikistan", "Таджикистан"),
    m("UZB", Regional, "Uzbekistan", "Узбекистан"),
    m("AFG", Regional, "Afghanistan", "Афганистан"),
    m("BGD", Regional, "Bangladesh", "Бангладеш"),
    m("IND", Regional, "India", "Индия"),
    m("PAK", Regional, "Pakistan", "Пакистан"),
    m("LKA", Regional, "Sri Lanka", "Шри-Ланка"),
    m(
        "USA",
        Partner,
        "United States of America",
        "Соединённые Штаты Америки",
    ),
    m("RUS", Partner, "Russian Federation", "Российская Федерация"),
    m("CHN", Partner, "China", "Китай"),
    m("TUR", Partner, "Turkey", "Турция"),
    m("IRN", Partner, "Iran", "Иран"),
    m("FRA", Partner, "France", "Франция"),
    m("DEU", Partner, "Germany", "Германия"),
    m("NLD", Partner, "the Netherlands", "Нидерланды"),
    m("ITA", Partner, "Italy", "Италия"),
    m(
        "UNRCCA",
        Org,
        "UN RCCA",
        "Региональный центр ООН по превентивной дипломатии для Центральной Азии (РЦПДЦА)",
    ),
    m(
        "UNCTED",
        Org,
        "UN CTED",
        "Исполнительный директорат Контртеррористического комитета ООН (ИДКТК)",
    ),
    m("WB", Org, "World Bank", "Всемирный банк"),
    m(
        "IOM",
        Org,
        "International Organization for Migration",
        "Международная организация по миграции (МОМ)",
    ),
    m("EU", Org, "EU", "Европейский союз (ЕС)"),
    m(
        "OSCE",
        Org,
        "OSCE",
        "Организация по безопасности и сотрудничеству в Европе (ОБСЕ)",
    ),
    m(
        "CIS",
        Org,
        "Commonwealth of Independent States",
        "Содружество Независимых Государств (СНГ)",
    ),
    m(
        "CSTO",
        Org,
        "Collective Security Treaty Organization",
        "Организация Договора о коллективной безопасности (ОДКБ)",
    ),
    m(
        "SCO",
        Org,
        "Shanghai Cooperation Organization",
        "Шанхайская организация сотрудничества (ШОС)",
    ),
    m(
        "SCO-RATS",
        Org,
        "SCO Regional Counter-Terrorism Structure",
        "Региональная антитеррористическая структура ШОС (РАТС ШОС)",
    ),
    m(
        "OIC",
        Org,
        "Organization of Islamic Cooperation",
        "Организация исламского сотрудничества (ОИС)",
    ),
    m(
        "CICA",
        Org,
        "Conference on Interaction and Confidence-Building Measures in Asia",
        "Совещание по взаимодействию и мерам доверия в Азии (СВМДА)",
    ),
];

/// The kind of a seeded member, by code.
pub fn kind_of(code: &str) -> Option<MemberKind> {
    MEMBERS.iter().find(|m| m.code == code).map(|m| m.kind)
}

/// How many seeded members are of a kind.
pub fn count(kind: MemberKind) -> usize {
    MEMBERS.iter().filter(|m| m.kind == kind).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::member::MemberCode;

    #[test]
    fn report_lists_nine_regional_nine_partner_states_and_twelve_organizations() {
        assert_eq!(count(MemberKind::RegionalState), 9);
        assert_eq!(count(MemberKind::PartnerState), 9);
        assert_eq!(count(MemberKind::PartnerOrganization), 12);
        assert_ne!(
            count(MemberKind::PartnerOrganization),
            STATED_PARTNER_ORGANIZATIONS,
            "the report's own discrepancy is data, not a bug to smooth over"
        );
    }

    #[test]
    fn seed_codes_are_valid_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for m in MEMBERS {
            MemberCode::parse(m.code).unwrap();
            assert!(seen.insert(m.code), "duplicate {}", m.code);
        }
    }

    #[test]
    fn states_use_iso_alpha3_codes() {
        for m in MEMBERS.iter().filter(|m| m.kind.is_state()) {
            assert_eq!(m.code.len(), 3, "{}", m.code);
        }
    }
}
