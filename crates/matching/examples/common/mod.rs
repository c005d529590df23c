//! Shared by the examples and benches: a tiny ad-hoc reader of the UN
//! consolidated list XML (names, birth years, nationalities only; the full
//! importer is the accord-lists crate), a deterministic generator of
//! synthetic regional names, and the regional variant generator.
#![allow(dead_code)]

use accord_match::{DateSpec, NameKind, Record, RecordName, Schema};

/// Small deterministic PRNG (SplitMix64): no dependency, same data every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() as f64 / u64::MAX as f64) < p
    }
}

fn tag<'a>(block: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = block;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(after[..j].trim());
        rest = &after[j + close.len()..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Reads individuals and entities with their aliases from the UN XML.
pub fn un_records(path: &str) -> Vec<Record> {
    let xml = std::fs::read_to_string(path).expect("read UN XML");
    let mut out = Vec::new();
    for (kind, schema, alias_tag) in [
        ("INDIVIDUAL", Schema::Person, "INDIVIDUAL_ALIAS"),
        ("ENTITY", Schema::Organization, "ENTITY_ALIAS"),
    ] {
        let open = format!("<{kind}>");
        let close = format!("</{kind}>");
        for chunk in xml.split(&open).skip(1) {
            let Some(end) = chunk.find(&close) else {
                continue;
            };
            let b = &chunk[..end];
            let parts: Vec<String> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
                .iter()
                .filter_map(|t| tag(b, t).first().map(|s| unescape(s)))
                .filter(|s| !s.is_empty())
                .collect();
            if parts.is_empty() {
                continue;
            }
            let mut names = vec![RecordName::primary(parts.join(" "))];
            for a in b.split(&format!("<{alias_tag}>")).skip(1) {
                let q = tag(a, "QUALITY").first().copied().unwrap_or("");
                if let Some(n) = tag(a, "ALIAS_NAME").first().filter(|n| !n.is_empty()) {
                    names.push(RecordName {
                        text: unescape(n),
                        kind: NameKind::Alias,
                        weak: q.eq_ignore_ascii_case("low"),
                    });
                }
            }
            if let Some(o) = tag(b, "NAME_ORIGINAL_SCRIPT")
                .first()
                .filter(|n| !n.is_empty())
            {
                names.push(RecordName {
                    text: unescape(o),
                    kind: NameKind::OriginalScript,
                    weak: false,
                });
            }
            let mut birth_dates = Vec::new();
            for d in b.split("<INDIVIDUAL_DATE_OF_BIRTH>").skip(1) {
                if let Some(x) = tag(d, "DATE").first().and_then(|s| DateSpec::parse(s)) {
                    birth_dates.push(x);
                } else if let Some(y) = tag(d, "YEAR").first().and_then(|s| s.parse().ok()) {
                    birth_dates.push(DateSpec::Year(y));
                } else if let (Some(a), Some(z)) = (
                    tag(d, "FROM_YEAR").first().and_then(|s| s.parse().ok()),
                    tag(d, "TO_YEAR").first().and_then(|s| s.parse().ok()),
                ) {
                    birth_dates.push(DateSpec::YearRange(a, z));
                }
            }
            let countries = b
                .split("<NATIONALITY>")
                .nth(1)
                .map(|n| tag(n.split("</NATIONALITY>").next().unwrap_or(""), "VALUE"))
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.to_string())
                .collect();
            out.push(Record {
                id: tag(b, "REFERENCE_NUMBER")
                    .first()
                    .unwrap_or(&"")
                    .to_string(),
                dataset: "un".into(),
                schema,
                names,
                birth_dates,
                countries,
            });
        }
    }
    out
}

pub const GIVEN: &[&str] = &[
    "Muhammad",
    "Ahmad",
    "Abdul",
    "Ali",
    "Hasan",
    "Husayn",
    "Umar",
    "Usman",
    "Yusuf",
    "Ibrahim",
    "Ismail",
    "Khalid",
    "Tahir",
    "Nasir",
    "Jamal",
    "Karim",
    "Rahim",
    "Aziz",
    "Bashir",
    "Habib",
    "Anwar",
    "Akhtar",
    "Mansur",
    "Rashid",
    "Zakir",
    "Sharif",
    "Amin",
    "Amir",
    "Iqbal",
    "Jalil",
    "Najib",
    "Nur",
    "Rustam",
    "Timur",
    "Shavkat",
    "Bakhtiyar",
    "Jamshid",
    "Farid",
    "Sardor",
    "Dilshod",
    "Bobur",
    "Otabek",
    "Nursultan",
    "Yerlan",
    "Askar",
    "Daniyar",
    "Azamat",
    "Bolat",
    "Almaz",
    "Kubanych",
    "Emomali",
    "Rahmon",
    "Firuz",
    "Parviz",
    "Sanjar",
    "Ravshan",
    "Gulbuddin",
    "Zabihullah",
    "Sirajuddin",
    "Hekmatullah",
    "Saifullah",
    "Inayatullah",
    "Fazlullah",
    "Mullah",
    "Rajesh",
    "Sunil",
    "Anil",
    "Arjun",
    "Rahul",
    "Sanjay",
    "Vikram",
    "Mahinda",
    "Gotabaya",
    "Ranil",
    "Kumara",
    "Shafiqul",
    "Mizanur",
    "Rafiqul",
    "Aminul",
    "Sheikh",
    "Tariq",
    "Imran",
    "Asif",
    "Shahid",
    "Faisal",
    "Waqar",
    "Zia",
    "Nawaz",
    "Pervez",
    "Javed",
    "Kamran",
];

const ROOTS: &[&str] = &[
    "karim", "rahim", "nazar", "akhmed", "yusup", "tursun", "ergash", "sobir", "alim", "kadyr",
    "mirza", "sultan", "bek", "nur", "dost", "gul", "wali", "haq", "zar", "shah", "baz", "jan",
    "khan", "mahmud", "said", "hamid", "rashid", "usman", "yakub", "ismail", "kasym", "tokhta",
    "berdi", "niyaz", "ata", "kul", "bai", "murad", "pulat", "temir", "azim", "salim", "ravshan",
    "sharif", "latif", "hakim", "jalal", "zaman", "safar", "rajab", "shaban", "abbas", "ghani",
    "stanek", "singh", "kumar", "perera", "fernando", "silva", "das", "ray", "sen", "patel",
];
const SUFFIXES: &[&str] = &[
    "ov", "ev", "ova", "ev", "zai", "i", "khel", "yar", "bekov", "zoda", "zada", "uly", "ullah",
    "uddin", "", "", "", "dzhanov", "jonov", "aliev", "kulov", "bayev", "iy", "ani", "wal", "pur",
];

/// A synthetic regional full name, deterministic for a given rng state.
pub fn synthetic_name(rng: &mut Rng) -> String {
    let given = rng.pick(GIVEN);
    // Two roots and a suffix: ~250,000 distinct family names, so a million
    // names have a realistic spread of rare and common parts.
    let fam = if rng.chance(0.5) {
        format!(
            "{}{}{}",
            rng.pick(ROOTS),
            rng.pick(ROOTS),
            rng.pick(SUFFIXES)
        )
    } else {
        format!("{}{}", rng.pick(ROOTS), rng.pick(SUFFIXES))
    };
    let mut fam = capitalize(&fam);
    if rng.chance(0.3) {
        fam = format!("{} {}", capitalize(rng.pick::<&str>(ROOTS)), fam);
    }
    if rng.chance(0.4) {
        format!("{given} {} {fam}", rng.pick(GIVEN))
    } else {
        format!("{given} {fam}")
    }
}

pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// `n` synthetic person records, one name each (plus an alias for a third).
pub fn synthetic_records(n: usize, seed: u64) -> Vec<Record> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let mut names = vec![RecordName::primary(synthetic_name(&mut rng))];
            if i % 3 == 0 {
                names.push(RecordName::alias(synthetic_name(&mut rng)));
            }
            Record {
                id: format!("SYN.{i}"),
                dataset: "synthetic".into(),
                schema: Schema::Person,
                names,
                birth_dates: vec![DateSpec::Year(1950 + (i % 50) as i32)],
                countries: vec![],
            }
        })
        .collect()
}

/// Latin → Cyrillic as a Central Asian clerk would type a Latin name.
pub fn to_cyrillic(s: &str) -> String {
    let lower = s.to_lowercase();
    let b: Vec<char> = lower.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let two: String = b[i..(i + 2).min(b.len())].iter().collect();
        let m2 = match two.as_str() {
            "kh" => Some("х"),
            "sh" => Some("ш"),
            "ch" => Some("ч"),
            "zh" => Some("ж"),
            "ya" => Some("я"),
            "yu" => Some("ю"),
            "ts" => Some("ц"),
            "gh" => Some("г"),
            "ou" => Some("у"),
            "ee" => Some("и"),
            "oo" => Some("у"),
            _ => None,
        };
        if let Some(m) = m2 {
            out.push_str(m);
            i += 2;
            continue;
        }
        let m = match b[i] {
            'a' => "а",
            'b' => "б",
            'c' => "к",
            'd' => "д",
            'e' => "е",
            'f' => "ф",
            'g' => "г",
            'h' => "х",
            'i' => "и",
            'j' => "дж",
            'k' => "к",
            'l' => "л",
            'm' => "м",
            'n' => "н",
            'o' => "о",
            'p' => "п",
            'q' => "к",
            'r' => "р",
            's' => "с",
            't' => "т",
            'u' => "у",
            'v' => "в",
            'w' => "в",
            'x' => "кс",
            'y' => "й",
            'z' => "з",
            '\'' => "",
            c => {
                out.push(c);
                i += 1;
                continue;
            }
        };
        out.push_str(m);
        i += 1;
    }
    out
}

/// Latin → Arabic script, as an Afghan or Pakistani document would write
/// the name: consonants and long vowels, short vowels dropped.
pub fn to_arabic(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let w = w.to_lowercase();
            let b: Vec<char> = w.chars().collect();
            let mut out = String::new();
            let mut i = 0;
            while i < b.len() {
                let two: String = b[i..(i + 2).min(b.len())].iter().collect();
                let m2 = match two.as_str() {
                    "kh" => Some("خ"),
                    "sh" => Some("ش"),
                    "ch" => Some("چ"),
                    "gh" => Some("غ"),
                    "th" => Some("ث"),
                    "dh" => Some("ذ"),
                    "zh" => Some("ژ"),
                    "aa" => Some("ا"),
                    "ee" => Some("ی"),
                    "oo" | "ou" => Some("و"),
                    _ => None,
                };
                if let Some(m) = m2 {
                    out.push_str(m);
                    i += 2;
                    continue;
                }
                let first = i == 0;
                let m = match b[i] {
                    'a' if first => "ا",
                    'i' | 'e' if first => "ا",
                    'u' | 'o' if first => "ا",
                    // Long vowel before a final consonant is written.
                    'a' | 'e' if i + 2 == b.len() => "ا",
                    'a' | 'e' => "",
                    'i' => "ی",
                    'u' | 'o' => "و",
                    'b' => "ب",
                    'p' => "پ",
                    't' => "ت",
                    'j' => "ج",
                    'h' => "ح",
                    'd' => "د",
                    'r' => "ر",
                    'z' => "ز",
                    's' => "س",
                    'f' => "ف",
                    'q' => "ق",
                    'k' => "ک",
                    'g' => "گ",
                    'l' => "ل",
                    'm' => "م",
                    'n' => "ن",
                    'w' | 'v' => "و",
                    'y' => "ی",
                    'c' => "ک",
                    'x' => "کس",
                    _ => "",
                };
                out.push_str(m);
                i += 1;
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One realistic variant of a listed name: a transliteration variant of a
/// part, a rendering in Cyrillic or Arabic script, reordered parts, a
/// missing part, or a typo. Returns the variant and what was done.
pub fn regional_variant(name: &str, rng: &mut Rng) -> (String, &'static str) {
    let parts: Vec<String> = name.split_whitespace().map(str::to_string).collect();
    match rng.below(7) {
        0 => {
            // Swap a part for another spelling from the variant table.
            let mut p = parts.clone();
            for w in p.iter_mut() {
                let l = w.to_lowercase();
                if let Some(g) = accord_match::variants::group_of(&l) {
                    let group = accord_match::variants::GROUPS[g as usize];
                    let latin: Vec<&&str> = group.iter().filter(|s| s.is_ascii()).collect();
                    let alt = rng.pick(&latin);
                    *w = capitalize(alt);
                    return (p.join(" "), "variant spelling");
                }
            }
            (typo(name, rng), "typo")
        }
        1 => (to_cyrillic(name), "Cyrillic"),
        2 => (to_arabic(name), "Arabic script"),
        3 if parts.len() >= 2 => {
            let mut p = parts.clone();
            p.rotate_left(1);
            (p.join(" "), "reordered")
        }
        4 if parts.len() >= 3 => {
            let mut p = parts.clone();
            p.remove(1 + rng.below(p.len() - 2));
            (p.join(" "), "missing part")
        }
        5 => {
            let l = name.to_lowercase();
            let p: Vec<String> = l
                .split_whitespace()
                .map(|w| {
                    w.replace("kh", "h")
                        .replace("ou", "u")
                        .replace("ee", "i")
                        .replace('q', "k")
                })
                .collect();
            (p.join(" "), "transliteration drift")
        }
        _ => (typo(name, rng), "typo"),
    }
}

/// One typing error: substitution, deletion, duplication or transposition.
pub fn typo(name: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (1..c.len().saturating_sub(1))
        .filter(|&i| c[i].is_alphabetic())
        .collect();
    if letters.is_empty() {
        return name.to_string();
    }
    let i = *rng.pick(&letters);
    match rng.below(4) {
        0 => c[i] = *rng.pick(&['a', 'e', 'i', 'o', 'u', 'n', 'r', 's']),
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, c[i]),
        _ => {
            if i + 1 < c.len() && c[i + 1].is_alphabetic() {
                c.swap(i, i + 1)
            }
        }
    }
    c.into_iter().collect()
}

/// Innocent names: common names of the region and beyond, combined so that
/// they are not on the list (checked by the caller).
pub fn innocent_name(rng: &mut Rng) -> String {
    const FAMILY: &[&str] = &[
        "Karimov",
        "Nazarbayeva",
        "Tokayev",
        "Saidov",
        "Rahimov",
        "Yusupova",
        "Khodjaev",
        "Ahmadzai",
        "Popal",
        "Qureshi",
        "Chaudhry",
        "Malik",
        "Butt",
        "Sharma",
        "Verma",
        "Gupta",
        "Reddy",
        "Nair",
        "Iyer",
        "Perera",
        "Jayasuriya",
        "Wickramasinghe",
        "Hossain",
        "Chowdhury",
        "Begum",
        "Akter",
        "Smith",
        "Müller",
        "Rossi",
        "Dubois",
        "Ivanova",
        "Petrova",
        "Sokolov",
        "Kuznetsov",
        "Yilmaz",
        "Demir",
        "Kaya",
        "Wang",
        "Li",
        "Zhang",
        "Kowalski",
        "Novak",
        "Abdullayev",
        "Mirzaev",
        "Tursunov",
        "Ergashev",
        "Jurayev",
        "Sultanov",
        "Usmonov",
    ];
    const FIRST: &[&str] = &[
        "Aigerim", "Dana", "Madina", "Zarina", "Gulnara", "Dilnoza", "Shahnoza", "Fatima",
        "Ayesha", "Priya", "Anita", "Lakshmi", "Nimali", "Tahmina", "Rina", "Maria", "Anna",
        "Elena", "Olga", "Sergei", "Dmitri", "John", "Peter", "Lucas", "Mehmet", "Emre", "Wei",
        "Ravi", "Amit", "Suresh", "Nikhil", "Dinesh", "Kasun", "Chaminda", "Rashed", "Sabbir",
        "Farhan", "Nodir", "Ulugbek", "Sherzod", "Aziza", "Kamila", "Yerlan", "Arman", "Nurlan",
        "Bakyt", "Aibek",
    ];
    format!("{} {}", rng.pick(FIRST), rng.pick(FAMILY))
}
