//! Countries as lists write them (ISO codes, English names, demonyms,
//! Russian-derived spellings) and as screeners type them (the Russian,
//! Kazakh and Uzbek names, in Cyrillic or Latin) folded to ISO 3166-1
//! alpha-2 codes.

use crate::translit::to_latin;
use std::collections::HashMap;
use std::sync::OnceLock;

/// (alpha-2, alpha-3, other spellings). Spellings are compared after
/// `to_latin` and lowercasing, so Cyrillic names are written as they are.
const COUNTRIES: &[(&str, &str, &[&str])] = &[
    (
        "AF",
        "AFG",
        &[
            "afghanistan",
            "afghan",
            "afganistan",
            "islamic republic of afghanistan",
            "islamic emirate of afghanistan",
            "Афганистан",
            "Ауғанстан",
            "Afgʻoniston",
        ],
    ),
    (
        "BD",
        "BGD",
        &["bangladesh", "bangladeshi", "bangladesh", "Бангладеш"],
    ),
    (
        "IN",
        "IND",
        &[
            "india",
            "indian",
            "bharat",
            "indiya",
            "Индия",
            "Үндістан",
            "Hindiston",
        ],
    ),
    (
        "KZ",
        "KAZ",
        &[
            "kazakhstan",
            "kazakh",
            "kazakhstani",
            "qazaqstan",
            "kazakstan",
            "Казахстан",
            "Қазақстан",
            "Qozogʻiston",
        ],
    ),
    (
        "KG",
        "KGZ",
        &[
            "kyrgyzstan",
            "kyrgyz",
            "kirgizia",
            "kyrgyz republic",
            "kirgizstan",
            "qyrghyzstan",
            "Кыргызстан",
            "Киргизия",
            "Қырғызстан",
            "Qirgʻiziston",
        ],
    ),
    (
        "PK",
        "PAK",
        &["pakistan", "pakistani", "Пакистан", "Pokiston"],
    ),
    (
        "LK",
        "LKA",
        &[
            "sri lanka",
            "sri lankan",
            "ceylon",
            "shri lanka",
            "Шри-Ланка",
        ],
    ),
    (
        "TJ",
        "TJK",
        &[
            "tajikistan",
            "tajik",
            "tadzhikistan",
            "tojikiston",
            "Таджикистан",
            "Тәжікстан",
            "Тоҷикистон",
            "Tojikiston",
        ],
    ),
    (
        "UZ",
        "UZB",
        &[
            "uzbekistan",
            "uzbek",
            "uzbekiston",
            "ozbekiston",
            "Узбекистан",
            "Өзбекстан",
            "Oʻzbekiston",
            "Ўзбекистон",
        ],
    ),
    (
        "TM",
        "TKM",
        &[
            "turkmenistan",
            "turkmen",
            "Туркменистан",
            "Түрікменстан",
            "Turkmaniston",
        ],
    ),
    (
        "US",
        "USA",
        &[
            "united states",
            "united states of america",
            "usa",
            "american",
            "u s a",
            "us",
            "США",
            "Соединённые Штаты Америки",
            "Соединенные Штаты",
            "АҚШ",
            "AQSH",
        ],
    ),
    (
        "RU",
        "RUS",
        &[
            "russia",
            "russian federation",
            "russian",
            "rossiya",
            "rossiyskaya federatsiya",
            "Россия",
            "Российская Федерация",
            "Ресей",
            "Rossiya",
        ],
    ),
    (
        "CN",
        "CHN",
        &[
            "china",
            "chinese",
            "people's republic of china",
            "peoples republic of china",
            "kitay",
            "Китай",
            "КНР",
            "Қытай",
            "Xitoy",
        ],
    ),
    (
        "TR",
        "TUR",
        &[
            "turkey",
            "turkiye",
            "turkish",
            "turtsiya",
            "Турция",
            "Түркия",
            "Turkiya",
        ],
    ),
    (
        "IR",
        "IRN",
        &[
            "iran",
            "iranian",
            "islamic republic of iran",
            "persia",
            "eron",
            "Иран",
            "Eron",
        ],
    ),
    ("FR", "FRA", &["france", "french", "Франция", "Fransiya"]),
    (
        "DE",
        "DEU",
        &[
            "germany",
            "german",
            "deutschland",
            "germaniya",
            "Германия",
            "Германия",
            "Olmoniya",
        ],
    ),
    (
        "NL",
        "NLD",
        &["netherlands", "dutch", "holland", "Нидерланды", "Голландия"],
    ),
    ("IT", "ITA", &["italy", "italian", "Италия"]),
    (
        "GB",
        "GBR",
        &[
            "united kingdom",
            "uk",
            "great britain",
            "british",
            "england",
            "Великобритания",
            "Соединённое Королевство",
            "Ұлыбритания",
            "Buyuk Britaniya",
        ],
    ),
    ("IQ", "IRQ", &["iraq", "iraqi", "irak", "Ирак", "Ироқ"]),
    (
        "SY",
        "SYR",
        &[
            "syria",
            "syrian",
            "syrian arab republic",
            "siriya",
            "Сирия",
            "Suriya",
        ],
    ),
    (
        "SA",
        "SAU",
        &[
            "saudi arabia",
            "saudi",
            "kingdom of saudi arabia",
            "Саудовская Аравия",
            "Сауд Арабиясы",
            "Saudiya Arabistoni",
        ],
    ),
    ("YE", "YEM", &["yemen", "yemeni", "Йемен", "Yaman"]),
    (
        "EG",
        "EGY",
        &["egypt", "egyptian", "Египет", "Мысыр", "Misr"],
    ),
    ("LY", "LBY", &["libya", "libyan", "Ливия", "Liviya"]),
    ("TN", "TUN", &["tunisia", "tunisian", "Тунис"]),
    ("DZ", "DZA", &["algeria", "algerian", "Алжир"]),
    ("MA", "MAR", &["morocco", "moroccan", "Марокко"]),
    (
        "JO",
        "JOR",
        &["jordan", "jordanian", "Иордания", "Iordaniya"],
    ),
    ("LB", "LBN", &["lebanon", "lebanese", "Ливан", "Livan"]),
    ("KW", "KWT", &["kuwait", "kuwaiti", "Кувейт"]),
    ("QA", "QAT", &["qatar", "qatari", "Катар"]),
    (
        "AE",
        "ARE",
        &[
            "united arab emirates",
            "uae",
            "emirati",
            "Объединённые Арабские Эмираты",
            "ОАЭ",
            "BAA",
        ],
    ),
    ("BH", "BHR", &["bahrain", "bahraini", "Бахрейн"]),
    ("OM", "OMN", &["oman", "omani", "Оман"]),
    (
        "PS",
        "PSE",
        &[
            "palestine",
            "palestinian",
            "state of palestine",
            "Палестина",
        ],
    ),
    ("IL", "ISR", &["israel", "israeli", "Израиль"]),
    ("SO", "SOM", &["somalia", "somali", "Сомали"]),
    ("SD", "SDN", &["sudan", "sudanese", "Судан"]),
    ("ML", "MLI", &["mali", "malian", "Мали"]),
    ("NG", "NGA", &["nigeria", "nigerian", "Нигерия"]),
    ("KE", "KEN", &["kenya", "kenyan", "Кения"]),
    ("ID", "IDN", &["indonesia", "indonesian", "Индонезия"]),
    ("MY", "MYS", &["malaysia", "malaysian", "Малайзия"]),
    (
        "PH",
        "PHL",
        &["philippines", "filipino", "philippine", "Филиппины"],
    ),
    ("SG", "SGP", &["singapore", "singaporean", "Сингапур"]),
    (
        "KP",
        "PRK",
        &[
            "north korea",
            "democratic people's republic of korea",
            "dprk",
            "korea, democratic people's republic of",
            "КНДР",
            "Северная Корея",
            "Корейская Народно-Демократическая Республика",
        ],
    ),
    (
        "KR",
        "KOR",
        &[
            "south korea",
            "republic of korea",
            "korea",
            "Южная Корея",
            "Республика Корея",
        ],
    ),
    ("JP", "JPN", &["japan", "japanese", "Япония"]),
    (
        "AZ",
        "AZE",
        &[
            "azerbaijan",
            "azerbaijani",
            "azeri",
            "Азербайджан",
            "Әзірбайжан",
            "Ozarbayjon",
        ],
    ),
    ("GE", "GEO", &["georgia", "georgian", "Грузия"]),
    ("AM", "ARM", &["armenia", "armenian", "Армения"]),
    ("UA", "UKR", &["ukraine", "ukrainian", "ukraina", "Украина"]),
    (
        "BY",
        "BLR",
        &[
            "belarus",
            "belarusian",
            "byelorussia",
            "Беларусь",
            "Белоруссия",
        ],
    ),
    ("NP", "NPL", &["nepal", "nepali", "nepalese", "Непал"]),
    ("BT", "BTN", &["bhutan", "bhutanese", "Бутан"]),
    ("MV", "MDV", &["maldives", "maldivian", "Мальдивы"]),
    ("MM", "MMR", &["myanmar", "burma", "burmese", "Мьянма"]),
    ("TH", "THA", &["thailand", "thai", "Таиланд"]),
    ("BE", "BEL", &["belgium", "belgian", "Бельгия"]),
    ("ES", "ESP", &["spain", "spanish", "Испания"]),
    ("SE", "SWE", &["sweden", "swedish", "Швеция"]),
    ("CH", "CHE", &["switzerland", "swiss", "Швейцария"]),
    ("AT", "AUT", &["austria", "austrian", "Австрия"]),
    ("CA", "CAN", &["canada", "canadian", "Канада"]),
    ("AU", "AUS", &["australia", "australian", "Австралия"]),
    ("MN", "MNG", &["mongolia", "mongolian", "Монголия"]),
    ("CU", "CUB", &["cuba", "cuban", "Куба"]),
    ("VE", "VEN", &["venezuela", "venezuelan", "Венесуэла"]),
    (
        "CD",
        "COD",
        &[
            "democratic republic of the congo",
            "congo, democratic republic of the",
            "drc",
            "Демократическая Республика Конго",
            "ДР Конго",
        ],
    ),
    (
        "CF",
        "CAF",
        &[
            "central african republic",
            "Центральноафриканская Республика",
            "ЦАР",
        ],
    ),
    (
        "SS",
        "SSD",
        &["south sudan", "south sudanese", "Южный Судан"],
    ),
    ("ET", "ETH", &["ethiopia", "ethiopian", "Эфиопия"]),
    ("ER", "ERI", &["eritrea", "eritrean", "Эритрея"]),
    ("MR", "MRT", &["mauritania", "mauritanian", "Мавритания"]),
    ("NE", "NER", &["niger", "nigerien", "Нигер"]),
    ("TD", "TCD", &["chad", "chadian", "Чад"]),
    (
        "BA",
        "BIH",
        &["bosnia and herzegovina", "bosnian", "Босния и Герцеговина"],
    ),
    ("XK", "XKX", &["kosovo", "Косово"]),
    ("AL", "ALB", &["albania", "albanian", "Албания"]),
    ("TT", "TTO", &["trinidad and tobago", "Тринидад и Тобаго"]),
];

fn key(s: &str) -> String {
    let l = to_latin(s);
    let mut out = String::with_capacity(l.len());
    for w in l.split(|c: char| !c.is_ascii_alphanumeric() && c != '\'') {
        if w.is_empty() || w == "the" {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.replace('\'', ""));
    }
    out
}

/// ISO 3166-1 alpha-2 code for a country as written, if known.
pub fn normalize_country(s: &str) -> Option<&'static str> {
    let t = s.trim();
    if t.is_empty() || t.len() > 100 {
        return None;
    }
    let up = t.to_ascii_uppercase();
    for (a2, a3, _) in COUNTRIES {
        if up == *a2 || up == *a3 {
            return Some(a2);
        }
    }
    table().get(&key(t)).copied()
}

fn table() -> &'static HashMap<String, &'static str> {
    static T: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for (a2, _, names) in COUNTRIES {
            for n in names.iter() {
                m.entry(key(n)).or_insert(*a2);
            }
        }
        m
    })
}

/// Whether two country strings name the same country: by code when both are
/// known, by folded text otherwise.
pub fn same_country(a: &str, b: &str) -> bool {
    match (normalize_country(a), normalize_country(b)) {
        (Some(x), Some(y)) => x == y,
        _ => {
            let (ka, kb) = (key(a), key(b));
            !ka.is_empty() && ka == kb
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_demonyms_fold_to_alpha2() {
        assert_eq!(normalize_country("AFG"), Some("AF"));
        assert_eq!(normalize_country("af"), Some("AF"));
        assert_eq!(normalize_country("Afghanistan"), Some("AF"));
        assert_eq!(normalize_country("Afghan"), Some("AF"));
        assert_eq!(normalize_country("Афганистан"), Some("AF"));
        assert_eq!(normalize_country("Kyrgyz Republic"), Some("KG"));
    }

    #[test]
    fn countries_typed_in_russian_kazakh_or_uzbek_fold_to_their_codes() {
        for (typed, code) in [
            ("Египет", "EG"),
            ("Қазақстан", "KZ"),
            ("Oʻzbekiston", "UZ"),
            ("США", "US"),
            ("Саудовская Аравия", "SA"),
            ("Ливия", "LY"),
            ("Азербайджан", "AZ"),
            ("Великобритания", "GB"),
            ("Мысыр", "EG"),
            ("Ресей", "RU"),
            ("Xitoy", "CN"),
        ] {
            assert_eq!(normalize_country(typed), Some(code), "{typed}");
        }
    }

    #[test]
    fn unknown_countries_compare_by_text() {
        assert!(same_country("Atlantis", "ATLANTIS"));
        assert!(!same_country("Pakistan", "India"));
    }
}
