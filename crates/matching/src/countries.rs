//! Countries as lists write them (ISO codes, English names, demonyms,
//! Russian-derived spellings) folded to ISO 3166-1 alpha-2 codes.

use crate::translit::to_latin;
use std::collections::HashMap;
use std::sync::OnceLock;

/// (alpha-2, alpha-3, other spellings after `to_latin` and lowercasing).
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
        ],
    ),
    ("BD", "BGD", &["bangladesh", "bangladeshi", "bangladesh"]),
    ("IN", "IND", &["india", "indian", "bharat", "indiya"]),
    (
        "KZ",
        "KAZ",
        &[
            "kazakhstan",
            "kazakh",
            "kazakhstani",
            "qazaqstan",
            "kazakstan",
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
        ],
    ),
    ("PK", "PAK", &["pakistan", "pakistani"]),
    (
        "LK",
        "LKA",
        &["sri lanka", "sri lankan", "ceylon", "shri lanka"],
    ),
    (
        "TJ",
        "TJK",
        &["tajikistan", "tajik", "tadzhikistan", "tojikiston"],
    ),
    (
        "UZ",
        "UZB",
        &["uzbekistan", "uzbek", "uzbekiston", "ozbekiston"],
    ),
    ("TM", "TKM", &["turkmenistan", "turkmen"]),
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
        ],
    ),
    ("TR", "TUR", &["turkey", "turkiye", "turkish", "turtsiya"]),
    (
        "IR",
        "IRN",
        &[
            "iran",
            "iranian",
            "islamic republic of iran",
            "persia",
            "eron",
        ],
    ),
    ("FR", "FRA", &["france", "french"]),
    (
        "DE",
        "DEU",
        &["germany", "german", "deutschland", "germaniya"],
    ),
    ("NL", "NLD", &["netherlands", "dutch", "holland"]),
    ("IT", "ITA", &["italy", "italian"]),
    (
        "GB",
        "GBR",
        &[
            "united kingdom",
            "uk",
            "great britain",
            "british",
            "england",
        ],
    ),
    ("IQ", "IRQ", &["iraq", "iraqi", "irak"]),
    (
        "SY",
        "SYR",
        &["syria", "syrian", "syrian arab republic", "siriya"],
    ),
    (
        "SA",
        "SAU",
        &["saudi arabia", "saudi", "kingdom of saudi arabia"],
    ),
    ("YE", "YEM", &["yemen", "yemeni"]),
    ("EG", "EGY", &["egypt", "egyptian"]),
    ("LY", "LBY", &["libya", "libyan"]),
    ("TN", "TUN", &["tunisia", "tunisian"]),
    ("DZ", "DZA", &["algeria", "algerian"]),
    ("MA", "MAR", &["morocco", "moroccan"]),
    ("JO", "JOR", &["jordan", "jordanian"]),
    ("LB", "LBN", &["lebanon", "lebanese"]),
    ("KW", "KWT", &["kuwait", "kuwaiti"]),
    ("QA", "QAT", &["qatar", "qatari"]),
    ("AE", "ARE", &["united arab emirates", "uae", "emirati"]),
    ("BH", "BHR", &["bahrain", "bahraini"]),
    ("OM", "OMN", &["oman", "omani"]),
    (
        "PS",
        "PSE",
        &["palestine", "palestinian", "state of palestine"],
    ),
    ("IL", "ISR", &["israel", "israeli"]),
    ("SO", "SOM", &["somalia", "somali"]),
    ("SD", "SDN", &["sudan", "sudanese"]),
    ("ML", "MLI", &["mali", "malian"]),
    ("NG", "NGA", &["nigeria", "nigerian"]),
    ("KE", "KEN", &["kenya", "kenyan"]),
    ("ID", "IDN", &["indonesia", "indonesian"]),
    ("MY", "MYS", &["malaysia", "malaysian"]),
    ("PH", "PHL", &["philippines", "filipino", "philippine"]),
    ("SG", "SGP", &["singapore", "singaporean"]),
    (
        "KP",
        "PRK",
        &[
            "north korea",
            "democratic people's republic of korea",
            "dprk",
            "korea, democratic people's republic of",
        ],
    ),
    ("KR", "KOR", &["south korea", "republic of korea", "korea"]),
    ("JP", "JPN", &["japan", "japanese"]),
    ("AZ", "AZE", &["azerbaijan", "azerbaijani", "azeri"]),
    ("GE", "GEO", &["georgia", "georgian"]),
    ("AM", "ARM", &["armenia", "armenian"]),
    ("UA", "UKR", &["ukraine", "ukrainian", "ukraina"]),
    ("BY", "BLR", &["belarus", "belarusian", "byelorussia"]),
    ("NP", "NPL", &["nepal", "nepali", "nepalese"]),
    ("BT", "BTN", &["bhutan", "bhutanese"]),
    ("MV", "MDV", &["maldives", "maldivian"]),
    ("MM", "MMR", &["myanmar", "burma", "burmese"]),
    ("TH", "THA", &["thailand", "thai"]),
    ("BE", "BEL", &["belgium", "belgian"]),
    ("ES", "ESP", &["spain", "spanish"]),
    ("SE", "SWE", &["sweden", "swedish"]),
    ("CH", "CHE", &["switzerland", "swiss"]),
    ("AT", "AUT", &["austria", "austrian"]),
    ("CA", "CAN", &["canada", "canadian"]),
    ("AU", "AUS", &["australia", "australian"]),
    ("MN", "MNG", &["mongolia", "mongolian"]),
    ("CU", "CUB", &["cuba", "cuban"]),
    ("VE", "VEN", &["venezuela", "venezuelan"]),
    (
        "CD",
        "COD",
        &[
            "democratic republic of the congo",
            "congo, democratic republic of the",
            "drc",
        ],
    ),
    ("CF", "CAF", &["central african republic"]),
    ("SS", "SSD", &["south sudan", "south sudanese"]),
    ("ET", "ETH", &["ethiopia", "ethiopian"]),
    ("ER", "ERI", &["eritrea", "eritrean"]),
    ("MR", "MRT", &["mauritania", "mauritanian"]),
    ("NE", "NER", &["niger", "nigerien"]),
    ("TD", "TCD", &["chad", "chadian"]),
    ("BA", "BIH", &["bosnia and herzegovina", "bosnian"]),
    ("XK", "XKX", &["kosovo"]),
    ("AL", "ALB", &["albania", "albanian"]),
    ("TT", "TTO", &["trinidad and tobago"]),
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
    fn unknown_countries_compare_by_text() {
        assert!(same_country("Atlantis", "ATLANTIS"));
        assert!(!same_country("Pakistan", "India"));
    }
}
