//! Countries as lists write them ("Iran (Islamic Republic of)", "Türkiye",
//! "RUS", "ru") folded to the country codes of FollowTheMoney's `country`
//! type: ISO 3166-1 alpha-2 in lowercase, plus FtM's few codes for places
//! ISO has none for (`suhh` Soviet Union, `xk` Kosovo, `zz` global...).
//!
//! FtM validates a country-typed property (`nationality`, `country`, `flag`,
//! `jurisdiction`...) against exactly this set of codes, so a writer that
//! passes a list's own spelling through produces invalid entities.

use std::collections::HashMap;
use std::sync::OnceLock;

/// (FtM code, ISO 3166-1 alpha-3, names).
///
/// The codes and their first names are FollowTheMoney 4.11.2's country type
/// (`/work/shared/data/formats/ftm/model`); the other names are ISO 3166's
/// short, official and common names (the `pycountry` 24.6.1 database) and the
/// spellings the UN Security Council Consolidated List uses where these
/// differ ("Democratic Republic of the Congo", "former Soviet Union").
/// Names are matched after [`key`] folding (case, accents, punctuation,
/// "the"), so "Iran (Islamic Republic of)" and "Iran, Islamic Republic of"
/// are one name.
const COUNTRIES: &[(&str, Option<&str>, &[&str])] = &[
    ("ac", None, &["Ascension Island"]),
    ("ad", Some("AND"), &["Andorra", "Principality of Andorra"]),
    ("ae", Some("ARE"), &["United Arab Emirates"]),
    (
        "af",
        Some("AFG"),
        &["Afghanistan", "Islamic Republic of Afghanistan"],
    ),
    ("ag", Some("ATG"), &["Antigua and Barbuda"]),
    ("ai", Some("AIA"), &["Anguilla"]),
    ("al", Some("ALB"), &["Albania", "Republic of Albania"]),
    ("am", Some("ARM"), &["Armenia", "Republic of Armenia"]),
    ("ao", Some("AGO"), &["Angola", "Republic of Angola"]),
    ("aq", Some("ATA"), &["Antarctica"]),
    ("ar", Some("ARG"), &["Argentina", "Argentine Republic"]),
    ("as", Some("ASM"), &["American Samoa"]),
    ("at", Some("AUT"), &["Austria", "Republic of Austria"]),
    ("au", Some("AUS"), &["Australia"]),
    ("aw", Some("ABW"), &["Aruba"]),
    ("ax", Some("ALA"), &["Åland Islands"]),
    ("az", Some("AZE"), &["Azerbaijan", "Republic of Azerbaijan"]),
    ("az-nk", None, &["Artsakh"]),
    (
        "ba",
        Some("BIH"),
        &[
            "Bosnia and Herzegovina",
            "Republic of Bosnia and Herzegovina",
        ],
    ),
    ("bb", Some("BRB"), &["Barbados"]),
    (
        "bd",
        Some("BGD"),
        &["Bangladesh", "People's Republic of Bangladesh"],
    ),
    ("be", Some("BEL"), &["Belgium", "Kingdom of Belgium"]),
    ("bf", Some("BFA"), &["Burkina Faso"]),
    ("bg", Some("BGR"), &["Bulgaria", "Republic of Bulgaria"]),
    ("bh", Some("BHR"), &["Bahrain", "Kingdom of Bahrain"]),
    ("bi", Some("BDI"), &["Burundi", "Republic of Burundi"]),
    ("bj", Some("BEN"), &["Benin", "Republic of Benin"]),
    ("bl", Some("BLM"), &["Saint Barthélemy"]),
    ("bm", Some("BMU"), &["Bermuda"]),
    ("bn", Some("BRN"), &["Brunei", "Brunei Darussalam"]),
    (
        "bo",
        Some("BOL"),
        &[
            "Bolivia",
            "Bolivia, Plurinational State of",
            "Plurinational State of Bolivia",
        ],
    ),
    ("bq", Some("BES"), &["Bonaire, Sint Eustatius and Saba"]),
    (
        "br",
        Some("BRA"),
        &["Brazil", "Federative Republic of Brazil"],
    ),
    (
        "bs",
        Some("BHS"),
        &["Bahamas", "Commonwealth of the Bahamas"],
    ),
    ("bt", Some("BTN"), &["Bhutan", "Kingdom of Bhutan"]),
    ("bv", Some("BVT"), &["Bouvet Island"]),
    ("bw", Some("BWA"), &["Botswana", "Republic of Botswana"]),
    ("by", Some("BLR"), &["Belarus", "Republic of Belarus"]),
    ("bz", Some("BLZ"), &["Belize"]),
    ("ca", Some("CAN"), &["Canada"]),
    ("cc", Some("CCK"), &["Cocos (Keeling) Islands"]),
    (
        "cd",
        Some("COD"),
        &[
            "DR Congo",
            "Congo, The Democratic Republic of the",
            "Democratic Republic of the Congo",
            "DRC",
            "Congo-Kinshasa",
        ],
    ),
    ("cf", Some("CAF"), &["Central African Republic"]),
    (
        "cg",
        Some("COG"),
        &["Congo-Brazzaville", "Congo", "Republic of the Congo"],
    ),
    ("ch", Some("CHE"), &["Switzerland", "Swiss Confederation"]),
    (
        "ci",
        Some("CIV"),
        &["Côte d'Ivoire", "Republic of Côte d'Ivoire", "Ivory Coast"],
    ),
    ("ck", Some("COK"), &["Cook Islands"]),
    ("cl", Some("CHL"), &["Chile", "Republic of Chile"]),
    ("cm", Some("CMR"), &["Cameroon", "Republic of Cameroon"]),
    ("cn", Some("CHN"), &["China", "People's Republic of China"]),
    ("cn-xz", None, &["Tibet"]),
    ("co", Some("COL"), &["Colombia", "Republic of Colombia"]),
    ("cp", None, &["Clipperton Island"]),
    ("cq", None, &["Sark"]),
    ("cr", Some("CRI"), &["Costa Rica", "Republic of Costa Rica"]),
    ("cshh", None, &["Czechoslovakia"]),
    ("csxx", None, &["Serbia and Montenegro"]),
    ("cu", Some("CUB"), &["Cuba", "Republic of Cuba"]),
    (
        "cv",
        Some("CPV"),
        &["Cape Verde", "Cabo Verde", "Republic of Cabo Verde"],
    ),
    ("cw", Some("CUW"), &["Curaçao"]),
    ("cx", Some("CXR"), &["Christmas Island"]),
    ("cy", Some("CYP"), &["Cyprus", "Republic of Cyprus"]),
    ("cy-trnc", None, &["Northern Cyprus"]),
    ("cz", Some("CZE"), &["Czechia", "Czech Republic"]),
    ("dd", None, &["East Germany"]),
    (
        "de",
        Some("DEU"),
        &["Germany", "Federal Republic of Germany"],
    ),
    ("dg", None, &["Diego Garcia"]),
    ("dj", Some("DJI"), &["Djibouti", "Republic of Djibouti"]),
    ("dk", Some("DNK"), &["Denmark", "Kingdom of Denmark"]),
    ("dm", Some("DMA"), &["Dominica", "Commonwealth of Dominica"]),
    ("do", Some("DOM"), &["Dominican Republic"]),
    (
        "dz",
        Some("DZA"),
        &["Algeria", "People's Democratic Republic of Algeria"],
    ),
    ("ec", Some("ECU"), &["Ecuador", "Republic of Ecuador"]),
    ("ee", Some("EST"), &["Estonia", "Republic of Estonia"]),
    ("eg", Some("EGY"), &["Egypt", "Arab Republic of Egypt"]),
    ("eh", Some("ESH"), &["Western Sahara"]),
    ("er", Some("ERI"), &["Eritrea", "the State of Eritrea"]),
    ("es", Some("ESP"), &["Spain", "Kingdom of Spain"]),
    (
        "et",
        Some("ETH"),
        &["Ethiopia", "Federal Democratic Republic of Ethiopia"],
    ),
    ("eu", None, &["European Union"]),
    ("fi", Some("FIN"), &["Finland", "Republic of Finland"]),
    ("fj", Some("FJI"), &["Fiji", "Republic of Fiji"]),
    (
        "fk",
        Some("FLK"),
        &["Falkland Islands", "Falkland Islands (Malvinas)"],
    ),
    (
        "fm",
        Some("FSM"),
        &[
            "Micronesia",
            "Micronesia, Federated States of",
            "Federated States of Micronesia",
        ],
    ),
    ("fo", Some("FRO"), &["Faroe Islands"]),
    ("fr", Some("FRA"), &["France", "French Republic"]),
    ("ga", Some("GAB"), &["Gabon", "Gabonese Republic"]),
    (
        "gb",
        Some("GBR"),
        &[
            "United Kingdom",
            "United Kingdom of Great Britain and Northern Ireland",
            "UK",
            "Great Britain",
            "Britain",
        ],
    ),
    ("gb-nir", None, &["Northern Ireland"]),
    ("gb-sct", None, &["Scotland"]),
    ("gb-wls", None, &["Wales"]),
    ("gd", Some("GRD"), &["Grenada"]),
    ("ge", Some("GEO"), &["Georgia"]),
    ("ge-ab", None, &["Abkhazia (Occupied Georgia)"]),
    ("gf", Some("GUF"), &["French Guiana"]),
    ("gg", Some("GGY"), &["Guernsey"]),
    ("gh", Some("GHA"), &["Ghana", "Republic of Ghana"]),
    ("gi", Some("GIB"), &["Gibraltar"]),
    ("gl", Some("GRL"), &["Greenland"]),
    ("gm", Some("GMB"), &["Gambia", "Republic of the Gambia"]),
    ("gn", Some("GIN"), &["Guinea", "Republic of Guinea"]),
    ("gp", Some("GLP"), &["Guadeloupe"]),
    (
        "gq",
        Some("GNQ"),
        &["Equatorial Guinea", "Republic of Equatorial Guinea"],
    ),
    ("gr", Some("GRC"), &["Greece", "Hellenic Republic"]),
    (
        "gs",
        Some("SGS"),
        &["South Georgia and the South Sandwich Islands"],
    ),
    ("gt", Some("GTM"), &["Guatemala", "Republic of Guatemala"]),
    ("gu", Some("GUM"), &["Guam"]),
    (
        "gw",
        Some("GNB"),
        &["Guinea-Bissau", "Republic of Guinea-Bissau"],
    ),
    ("gy", Some("GUY"), &["Guyana", "Republic of Guyana"]),
    (
        "hk",
        Some("HKG"),
        &[
            "Hong Kong SAR",
            "Hong Kong",
            "Hong Kong Special Administrative Region of China",
            "China, Hong Kong Special Administrative Region",
        ],
    ),
    (
        "hm",
        Some("HMD"),
        &[
            "Heard and McDonald Islands",
            "Heard Island and McDonald Islands",
        ],
    ),
    ("hn", Some("HND"), &["Honduras", "Republic of Honduras"]),
    ("hr", Some("HRV"), &["Croatia", "Republic of Croatia"]),
    ("ht", Some("HTI"), &["Haiti", "Republic of Haiti"]),
    ("hu", Some("HUN"), &["Hungary"]),
    ("ic", None, &["Canary Islands"]),
    ("id", Some("IDN"), &["Indonesia", "Republic of Indonesia"]),
    ("ie", Some("IRL"), &["Ireland"]),
    ("il", Some("ISR"), &["Israel", "State of Israel"]),
    ("im", Some("IMN"), &["Isle of Man"]),
    ("in", Some("IND"), &["India", "Republic of India"]),
    ("io", Some("IOT"), &["British Indian Ocean Territory"]),
    ("ip", None, &["Cyberspace"]),
    ("iq", Some("IRQ"), &["Iraq", "Republic of Iraq"]),
    ("iq-kr", None, &["Kurdistan"]),
    (
        "ir",
        Some("IRN"),
        &[
            "Iran",
            "Iran, Islamic Republic of",
            "Islamic Republic of Iran",
            "Iran (Islamic Republic of)",
        ],
    ),
    ("is", Some("ISL"), &["Iceland", "Republic of Iceland"]),
    ("it", Some("ITA"), &["Italy", "Italian Republic"]),
    ("je", Some("JEY"), &["Jersey"]),
    ("jm", Some("JAM"), &["Jamaica"]),
    (
        "jo",
        Some("JOR"),
        &["Jordan", "Hashemite Kingdom of Jordan"],
    ),
    ("jp", Some("JPN"), &["Japan"]),
    ("ke", Some("KEN"), &["Kenya", "Republic of Kenya"]),
    ("kg", Some("KGZ"), &["Kyrgyzstan", "Kyrgyz Republic"]),
    ("kh", Some("KHM"), &["Cambodia", "Kingdom of Cambodia"]),
    ("ki", Some("KIR"), &["Kiribati", "Republic of Kiribati"]),
    ("km", Some("COM"), &["Comoros", "Union of the Comoros"]),
    ("kn", Some("KNA"), &["Saint Kitts and Nevis"]),
    (
        "kp",
        Some("PRK"),
        &[
            "North Korea",
            "Korea, Democratic People's Republic of",
            "Democratic People's Republic of Korea",
            "DPRK",
        ],
    ),
    (
        "kr",
        Some("KOR"),
        &["South Korea", "Korea, Republic of", "Republic of Korea"],
    ),
    ("kw", Some("KWT"), &["Kuwait", "State of Kuwait"]),
    ("ky", Some("CYM"), &["Cayman Islands"]),
    ("kz", Some("KAZ"), &["Kazakhstan", "Republic of Kazakhstan"]),
    (
        "la",
        Some("LAO"),
        &["Laos", "Lao People's Democratic Republic"],
    ),
    ("lb", Some("LBN"), &["Lebanon", "Lebanese Republic"]),
    ("lc", Some("LCA"), &["Saint Lucia"]),
    (
        "li",
        Some("LIE"),
        &["Liechtenstein", "Principality of Liechtenstein"],
    ),
    (
        "lk",
        Some("LKA"),
        &["Sri Lanka", "Democratic Socialist Republic of Sri Lanka"],
    ),
    ("lr", Some("LBR"), &["Liberia", "Republic of Liberia"]),
    ("ls", Some("LSO"), &["Lesotho", "Kingdom of Lesotho"]),
    ("lt", Some("LTU"), &["Lithuania", "Republic of Lithuania"]),
    (
        "lu",
        Some("LUX"),
        &["Luxembourg", "Grand Duchy of Luxembourg"],
    ),
    ("lv", Some("LVA"), &["Latvia", "Republic of Latvia"]),
    ("ly", Some("LBY"), &["Libya"]),
    ("ma", Some("MAR"), &["Morocco", "Kingdom of Morocco"]),
    ("mc", Some("MCO"), &["Monaco", "Principality of Monaco"]),
    (
        "md",
        Some("MDA"),
        &["Moldova", "Moldova, Republic of", "Republic of Moldova"],
    ),
    ("md-pmr", None, &["Transnistria"]),
    ("me", Some("MNE"), &["Montenegro"]),
    (
        "mf",
        Some("MAF"),
        &["Saint Martin", "Saint Martin (French part)"],
    ),
    ("mg", Some("MDG"), &["Madagascar", "Republic of Madagascar"]),
    (
        "mh",
        Some("MHL"),
        &["Marshall Islands", "Republic of the Marshall Islands"],
    ),
    (
        "mk",
        Some("MKD"),
        &[
            "North Macedonia",
            "Republic of North Macedonia",
            "Macedonia",
            "The former Yugoslav Republic of Macedonia",
        ],
    ),
    ("ml", Some("MLI"), &["Mali", "Republic of Mali"]),
    (
        "mm",
        Some("MMR"),
        &["Myanmar", "Republic of Myanmar", "Burma"],
    ),
    ("mn", Some("MNG"), &["Mongolia"]),
    (
        "mo",
        Some("MAC"),
        &[
            "Macao SAR",
            "Macao",
            "Macao Special Administrative Region of China",
            "China, Macao Special Administrative Region",
            "Macau",
        ],
    ),
    (
        "mp",
        Some("MNP"),
        &[
            "Northern Mariana Islands",
            "Commonwealth of the Northern Mariana Islands",
        ],
    ),
    ("mq", Some("MTQ"), &["Martinique"]),
    (
        "mr",
        Some("MRT"),
        &["Mauritania", "Islamic Republic of Mauritania"],
    ),
    ("ms", Some("MSR"), &["Montserrat"]),
    ("mt", Some("MLT"), &["Malta", "Republic of Malta"]),
    ("mu", Some("MUS"), &["Mauritius", "Republic of Mauritius"]),
    ("mv", Some("MDV"), &["Maldives", "Republic of Maldives"]),
    ("mw", Some("MWI"), &["Malawi", "Republic of Malawi"]),
    ("mx", Some("MEX"), &["Mexico", "United Mexican States"]),
    ("my", Some("MYS"), &["Malaysia"]),
    ("mz", Some("MOZ"), &["Mozambique", "Republic of Mozambique"]),
    ("na", Some("NAM"), &["Namibia", "Republic of Namibia"]),
    ("nc", Some("NCL"), &["New Caledonia"]),
    ("ne", Some("NER"), &["Niger", "Republic of the Niger"]),
    ("nf", Some("NFK"), &["Norfolk Island"]),
    (
        "ng",
        Some("NGA"),
        &["Nigeria", "Federal Republic of Nigeria"],
    ),
    ("ni", Some("NIC"), &["Nicaragua", "Republic of Nicaragua"]),
    (
        "nl",
        Some("NLD"),
        &["Netherlands", "Kingdom of the Netherlands", "Holland"],
    ),
    ("no", Some("NOR"), &["Norway", "Kingdom of Norway"]),
    (
        "np",
        Some("NPL"),
        &["Nepal", "Federal Democratic Republic of Nepal"],
    ),
    ("nr", Some("NRU"), &["Naoero", "Nauru", "Republic of Nauru"]),
    ("nu", Some("NIU"), &["Niue"]),
    ("nz", Some("NZL"), &["New Zealand"]),
    ("om", Some("OMN"), &["Oman", "Sultanate of Oman"]),
    ("pa", Some("PAN"), &["Panama", "Republic of Panama"]),
    ("pe", Some("PER"), &["Peru", "Republic of Peru"]),
    ("pf", Some("PYF"), &["French Polynesia"]),
    (
        "pg",
        Some("PNG"),
        &["Papua New Guinea", "Independent State of Papua New Guinea"],
    ),
    (
        "ph",
        Some("PHL"),
        &["Philippines", "Republic of the Philippines"],
    ),
    (
        "pk",
        Some("PAK"),
        &["Pakistan", "Islamic Republic of Pakistan"],
    ),
    ("pk-km", None, &["Kashmir"]),
    ("pl", Some("POL"), &["Poland", "Republic of Poland"]),
    ("pm", Some("SPM"), &["Saint Pierre and Miquelon"]),
    ("pn", Some("PCN"), &["Pitcairn"]),
    ("pr", Some("PRI"), &["Puerto Rico"]),
    (
        "ps",
        Some("PSE"),
        &[
            "Palestine",
            "Palestine, State of",
            "the State of Palestine",
            "State of Palestine",
            "Palestinian Territories",
        ],
    ),
    ("pt", Some("PRT"), &["Portugal", "Portuguese Republic"]),
    ("pw", Some("PLW"), &["Palau", "Republic of Palau"]),
    ("py", Some("PRY"), &["Paraguay", "Republic of Paraguay"]),
    ("qa", Some("QAT"), &["Qatar", "State of Qatar"]),
    ("re", Some("REU"), &["Réunion"]),
    ("ro", Some("ROU"), &["Romania"]),
    ("rs", Some("SRB"), &["Serbia", "Republic of Serbia"]),
    ("ru", Some("RUS"), &["Russia", "Russian Federation"]),
    ("rw", Some("RWA"), &["Rwanda", "Rwandese Republic"]),
    (
        "sa",
        Some("SAU"),
        &["Saudi Arabia", "Kingdom of Saudi Arabia"],
    ),
    ("sb", Some("SLB"), &["Solomon Islands"]),
    ("sc", Some("SYC"), &["Seychelles", "Republic of Seychelles"]),
    ("sd", Some("SDN"), &["Sudan", "Republic of the Sudan"]),
    ("se", Some("SWE"), &["Sweden", "Kingdom of Sweden"]),
    ("sg", Some("SGP"), &["Singapore", "Republic of Singapore"]),
    (
        "sh",
        Some("SHN"),
        &["Saint Helena, Ascension and Tristan da Cunha"],
    ),
    ("si", Some("SVN"), &["Slovenia", "Republic of Slovenia"]),
    ("sj", Some("SJM"), &["Svalbard and Jan Mayen"]),
    ("sk", Some("SVK"), &["Slovakia", "Slovak Republic"]),
    (
        "sl",
        Some("SLE"),
        &["Sierra Leone", "Republic of Sierra Leone"],
    ),
    ("sm", Some("SMR"), &["San Marino", "Republic of San Marino"]),
    ("sn", Some("SEN"), &["Senegal", "Republic of Senegal"]),
    (
        "so",
        Some("SOM"),
        &["Somalia", "Federal Republic of Somalia"],
    ),
    ("so-som", None, &["Somaliland"]),
    ("sr", Some("SUR"), &["Suriname", "Republic of Suriname"]),
    (
        "ss",
        Some("SSD"),
        &["South Sudan", "Republic of South Sudan"],
    ),
    (
        "st",
        Some("STP"),
        &[
            "São Tomé and Príncipe",
            "Sao Tome and Principe",
            "Democratic Republic of Sao Tome and Principe",
        ],
    ),
    (
        "suhh",
        None,
        &[
            "Soviet Union",
            "former Soviet Union",
            "USSR",
            "Union of Soviet Socialist Republics",
        ],
    ),
    (
        "sv",
        Some("SLV"),
        &["El Salvador", "Republic of El Salvador"],
    ),
    (
        "sx",
        Some("SXM"),
        &["Sint Maarten", "Sint Maarten (Dutch part)"],
    ),
    ("sy", Some("SYR"), &["Syria", "Syrian Arab Republic"]),
    (
        "sz",
        Some("SWZ"),
        &["Eswatini", "Kingdom of Eswatini", "Swaziland"],
    ),
    ("ta", None, &["Tristan da Cunha"]),
    ("tc", Some("TCA"), &["Turks and Caicos Islands"]),
    ("td", Some("TCD"), &["Chad", "Republic of Chad"]),
    ("tf", Some("ATF"), &["French Southern Territories"]),
    ("tg", Some("TGO"), &["Togo", "Togolese Republic"]),
    ("th", Some("THA"), &["Thailand", "Kingdom of Thailand"]),
    ("tj", Some("TJK"), &["Tajikistan", "Republic of Tajikistan"]),
    ("tk", Some("TKL"), &["Tokelau"]),
    (
        "tl",
        Some("TLS"),
        &["Timor-Leste", "Democratic Republic of Timor-Leste"],
    ),
    ("tm", Some("TKM"), &["Turkmenistan"]),
    ("tn", Some("TUN"), &["Tunisia", "Republic of Tunisia"]),
    ("to", Some("TON"), &["Tonga", "Kingdom of Tonga"]),
    (
        "tr",
        Some("TUR"),
        &["Türkiye", "Republic of Türkiye", "Turkey"],
    ),
    (
        "tt",
        Some("TTO"),
        &["Trinidad and Tobago", "Republic of Trinidad and Tobago"],
    ),
    ("tv", Some("TUV"), &["Tuvalu"]),
    ("tw", Some("TWN"), &["Taiwan", "Taiwan, Province of China"]),
    (
        "tz",
        Some("TZA"),
        &[
            "Tanzania",
            "Tanzania, United Republic of",
            "United Republic of Tanzania",
        ],
    ),
    ("ua", Some("UKR"), &["Ukraine"]),
    ("ua-cri", None, &["Crimea (Occupied Ukraine)"]),
    ("ua-dpr", None, &["Donetsk (Occupied Ukraine)"]),
    ("ua-lpr", None, &["Luhansk (Occupied Ukraine)"]),
    ("ug", Some("UGA"), &["Uganda", "Republic of Uganda"]),
    (
        "um",
        Some("UMI"),
        &[
            "U.S. Outlying Islands",
            "United States Minor Outlying Islands",
        ],
    ),
    ("un", None, &["United Nations"]),
    (
        "us",
        Some("USA"),
        &["United States", "United States of America", "USA"],
    ),
    (
        "uy",
        Some("URY"),
        &["Uruguay", "Eastern Republic of Uruguay"],
    ),
    ("uz", Some("UZB"), &["Uzbekistan", "Republic of Uzbekistan"]),
    (
        "va",
        Some("VAT"),
        &["Holy See", "Holy See (Vatican City State)", "Vatican"],
    ),
    ("vc", Some("VCT"), &["Saint Vincent and the Grenadines"]),
    (
        "ve",
        Some("VEN"),
        &[
            "Venezuela",
            "Venezuela, Bolivarian Republic of",
            "Bolivarian Republic of Venezuela",
        ],
    ),
    (
        "vg",
        Some("VGB"),
        &["British Virgin Islands", "Virgin Islands, British"],
    ),
    (
        "vi",
        Some("VIR"),
        &[
            "U.S. Virgin Islands",
            "Virgin Islands, U.S.",
            "Virgin Islands of the United States",
        ],
    ),
    (
        "vn",
        Some("VNM"),
        &["Vietnam", "Viet Nam", "Socialist Republic of Viet Nam"],
    ),
    ("vu", Some("VUT"), &["Vanuatu", "Republic of Vanuatu"]),
    ("wf", Some("WLF"), &["Wallis and Futuna"]),
    ("ws", Some("WSM"), &["Samoa", "Independent State of Samoa"]),
    ("x-so", None, &["South Ossetia (Occupied Georgia)"]),
    ("xk", None, &["Kosovo"]),
    ("ye", Some("YEM"), &["Yemen", "Republic of Yemen"]),
    ("yt", Some("MYT"), &["Mayotte"]),
    ("yucs", None, &["Yugoslavia"]),
    (
        "za",
        Some("ZAF"),
        &["South Africa", "Republic of South Africa"],
    ),
    ("zm", Some("ZMB"), &["Zambia", "Republic of Zambia"]),
    ("zr", None, &["Zaire"]),
    ("zw", Some("ZWE"), &["Zimbabwe", "Republic of Zimbabwe"]),
    ("zz", None, &["Global"]),
];

/// Text that sources write for "no country known" rather than a country.
/// (The UN list's `na`, "not available", is dropped by its reader: as a code
/// it is Namibia.)
const NOT_A_COUNTRY: &[&str] = &["n/a", "none", "unknown", "stateless"];

/// The FtM country code (lowercase, e.g. `"tj"`) for a country as a list
/// writes it: a code (alpha-2, alpha-3, FtM's own) or a name. `None` when the
/// text names no known country.
pub fn code(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.is_empty() || t.len() > 100 || NOT_A_COUNTRY.contains(&t.to_lowercase().as_str()) {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    if let Some((c, _, _)) = COUNTRIES
        .iter()
        .find(|(c, a3, _)| *c == lower || a3.is_some_and(|a3| a3.eq_ignore_ascii_case(t)))
    {
        return Some(c);
    }
    table().get(&key(t)).copied()
}

/// FtM's English label of a code (`"tj"` → `"Tajikistan"`).
pub fn label(code: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, names)| names[0])
}

fn table() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        for (c, _, names) in COUNTRIES {
            for n in *names {
                m.entry(key(n)).or_insert(*c);
            }
        }
        m
    })
}

/// Lowercase, Latin accents removed, words only, without "the".
fn key(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        folded.push(unaccent(c));
    }
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "the")
        .collect::<Vec<_>>()
        .join(" ")
}

/// The base letter of the accented Latin letters country names use.
fn unaccent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn un_list_spellings_become_ftm_codes() {
        for (text, want) in [
            ("Tajikistan", "tj"),
            ("Iran (Islamic Republic of)", "ir"),
            ("Türkiye", "tr"),
            ("Turkey", "tr"),
            ("Democratic People's Republic of Korea", "kp"),
            ("Democratic Republic of the Congo", "cd"),
            ("Congo", "cg"),
            ("United Kingdom of Great Britain and Northern Ireland", "gb"),
            ("United Republic of Tanzania", "tz"),
            ("Viet Nam", "vn"),
            ("China, Hong Kong Special Administrative Region", "hk"),
            ("former Soviet Union", "suhh"),
            ("State of Palestine", "ps"),
            ("Côte d'Ivoire", "ci"),
        ] {
            assert_eq!(code(text), Some(want), "{text}");
        }
    }

    #[test]
    fn codes_are_kept_and_alpha3_folded() {
        assert_eq!(code("tj"), Some("tj"));
        assert_eq!(code("TJ"), Some("tj"));
        assert_eq!(code("TJK"), Some("tj"));
        assert_eq!(code("suhh"), Some("suhh"));
        assert_eq!(label("tj"), Some("Tajikistan"));
    }

    #[test]
    fn placeholders_and_unknown_places_have_no_code() {
        assert_eq!(code("n/a"), None);
        assert_eq!(code(""), None);
        assert_eq!(code("Atlantis"), None);
    }
}
