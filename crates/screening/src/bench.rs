//! Measurements of the whole screening path: list → index → queries.
//!
//! - [`synthetic_list`]: a deterministic list of plausible multi-part names
//!   built from part lists (no real persons);
//! - [`make_queries`]: queries made of list names with realistic
//!   perturbations (typos, swapped order, dropped parts, Cyrillic
//!   renderings) plus innocent names, each knowing which entry it came from;
//! - [`run`]: per-query latency (one thread), batch throughput
//!   (`screen_batch`, rayon) and the CSV path ([`crate::screen_csv`]).
//!
//! The `bench` example drives this on the real files.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use accord_lists::{EntryName, EntrySchema, List, ListEntry, ListSource, NameKind};
use accord_match::{Query, ScreenOptions};
use serde::Serialize;

use crate::csv_screen::{CsvOptions, screen_csv};
use crate::screener::Screener;

/// A small deterministic PRNG (SplitMix64): benchmarks must be repeatable
/// without pulling a random-number crate.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const GIVEN: &[&str] = &[
    "Abdul",
    "Abdulla",
    "Ahmad",
    "Akbar",
    "Alisher",
    "Amir",
    "Anvar",
    "Arman",
    "Aslan",
    "Azamat",
    "Bakhtiyor",
    "Bekzod",
    "Bilal",
    "Daniyar",
    "Davron",
    "Dilshod",
    "Elyor",
    "Eldor",
    "Farid",
    "Farhod",
    "Fazil",
    "Ghulam",
    "Habib",
    "Hamid",
    "Hasan",
    "Ibrahim",
    "Ilyas",
    "Iskander",
    "Jamshid",
    "Javed",
    "Kamal",
    "Karim",
    "Khalid",
    "Kudrat",
    "Latif",
    "Mansur",
    "Marat",
    "Mirzo",
    "Murod",
    "Nabi",
    "Nasir",
    "Nodir",
    "Nurlan",
    "Olim",
    "Omar",
    "Orif",
    "Parviz",
    "Qasim",
    "Rahim",
    "Rashid",
    "Rustam",
    "Said",
    "Salim",
    "Sanjar",
    "Sardor",
    "Shavkat",
    "Sherzod",
    "Sultan",
    "Tahir",
    "Talgat",
    "Timur",
    "Ulugbek",
    "Umar",
    "Yerlan",
    "Yusuf",
    "Zafar",
    "Zakir",
    "Zarina",
    "Aigerim",
    "Dilnoza",
    "Farida",
    "Gulnara",
    "Kamila",
    "Laila",
    "Madina",
    "Nargiza",
    "Nilufar",
    "Saida",
    "Shahnoza",
    "Zulfiya",
    "Rukhsana",
    "Parveen",
    "Anjali",
    "Arjun",
    "Deepak",
    "Kiran",
    "Rahul",
    "Ravi",
    "Sanjay",
    "Suresh",
    "Tariq",
    "Imran",
    "Faisal",
    "Waqar",
    "Zeeshan",
    "Nimal",
    "Kamala",
    "Ruwan",
    "Sunil",
    "Chaminda",
];
const FAMILY: &[&str] = &[
    "Abdullaev",
    "Akhmedov",
    "Alimov",
    "Aminov",
    "Asanov",
    "Azimov",
    "Baimukhamedov",
    "Bakirov",
    "Djuraev",
    "Ergashev",
    "Fayzullaev",
    "Gafurov",
    "Ibragimov",
    "Ismoilov",
    "Juraev",
    "Kadyrov",
    "Karimov",
    "Khodjaev",
    "Kurbanov",
    "Mahmudov",
    "Mirzaev",
    "Muminov",
    "Nazarov",
    "Nurmatov",
    "Omarov",
    "Rakhimov",
    "Rashidov",
    "Rustamov",
    "Sadykov",
    "Safarov",
    "Saidov",
    "Sharipov",
    "Sultanov",
    "Tashkentov",
    "Tursunov",
    "Umarov",
    "Usmanov",
    "Yusupov",
    "Zakirov",
    "Zhumabaev",
    "Nurpeisov",
    "Tokayev",
    "Suleimenov",
    "Dzhaksybekov",
    "Mamyrov",
    "Osmonov",
    "Rahmonov",
    "Sharifzoda",
    "Qodirov",
    "Haidari",
    "Popal",
    "Stanikzai",
    "Wardak",
    "Durrani",
    "Hussaini",
    "Rahman",
    "Chowdhury",
    "Hossain",
    "Islam",
    "Siddiqui",
    "Qureshi",
    "Malik",
    "Butt",
    "Awan",
    "Khan",
    "Sharma",
    "Verma",
    "Iyer",
    "Nair",
    "Reddy",
    "Perera",
    "Fernando",
    "Silva",
    "Jayasuriya",
    "Wickramasinghe",
    "Bandara",
    "Dissanayake",
];
const LINEAGE: &[&str] = &["bin", "ibn", "ul", "uddin", "ogli", "qizi", "uly"];
const ORG_WORDS: &[&str] = &[
    "Al", "Noor", "Rahma", "Falah", "Hikmat", "Ittihad", "Jamaat", "Khair", "Markaz", "Nusrat",
    "Salam", "Tawhid", "Umma", "Wahdat", "Zamzam", "Baraka", "Hilal", "Iqra", "Sadaqa", "Amal",
    "Golden", "Silk", "Road", "Steppe", "Pamir", "Tian", "Shan", "Oxus", "Ferghana", "Caspian",
    "Indus", "Bengal", "Himalaya", "Lotus", "Crescent", "Star", "Unity", "Future", "Horizon",
];
const ORG_KINDS: &[&str] = &[
    "Foundation",
    "Trust",
    "Society",
    "Trading LLC",
    "Charity",
    "Welfare Organization",
    "Group",
    "Import Export",
    "Logistics",
    "Exchange",
    "Relief Committee",
    "Brigade",
    "Front",
    "Movement",
    "Holding",
    "Company Ltd",
];

/// Syllables of made-up Central/South Asian-sounding parts, so that a
/// million-entry list has a long tail of rare parts, as real lists do.
const SYLLABLES: &[&str] = &[
    "ka", "ri", "mo", "zu", "ta", "la", "din", "dor", "sha", "mel", "tor", "bek", "nu", "ra",
    "gul", "ja", "khan", "mir", "sa", "fa", "ru", "zi", "na", "ho", "bo", "da", "ni", "qa", "yor",
    "lan", "sul", "tem", "kur", "baz", "ash", "ul", "im", "ot", "ar", "an",
];
const FAMILY_SUFFIX: &[&str] = &["ov", "ev", "i", "zoda", "uly", "bekov", "zai", "ani", "pur"];
/// Innocent names come from other parts, so that they are on no list.
const INNOCENT_GIVEN: &[&str] = &[
    "Brendan",
    "Carla",
    "Dorothea",
    "Edwin",
    "Fiona",
    "Gunther",
    "Helga",
    "Ingrid",
    "Jasper",
    "Klaus",
    "Lorenzo",
    "Margit",
    "Niels",
    "Ottilie",
    "Piet",
    "Quentin",
    "Rosalind",
    "Sven",
    "Thaddeus",
    "Ursula",
    "Vincent",
    "Wilhelmina",
    "Xavier",
    "Yvette",
    "Zeno",
];
const INNOCENT_FAMILY: &[&str] = &[
    "Ashworth",
    "Blomqvist",
    "Castellano",
    "Dankworth",
    "Eriksen",
    "Fairbrother",
    "Gallagher",
    "Hargreaves",
    "Iversen",
    "Jablonski",
    "Kowalczyk",
    "Lindqvist",
    "Montgomery",
    "Nakashima",
    "Oosterhuis",
    "Pettersson",
    "Quimby",
    "Rasmussen",
    "Sandoval",
    "Thistlewood",
    "Underhill",
    "Vandermeer",
    "Whitcombe",
    "Yamaguchi",
    "Zimmermann",
];

fn syllabic(rng: &mut Rng, syllables: usize) -> String {
    let mut s: String = (0..syllables).map(|_| *rng.pick(SYLLABLES)).collect();
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    s
}

fn given(rng: &mut Rng) -> String {
    if rng.chance(0.8) {
        rng.pick(GIVEN).to_string()
    } else {
        let n = 2 + rng.below(2);
        syllabic(rng, n)
    }
}

fn family(rng: &mut Rng) -> String {
    if rng.chance(0.6) {
        rng.pick(FAMILY).to_string()
    } else {
        let n = 2 + rng.below(2);
        syllabic(rng, n) + *rng.pick(FAMILY_SUFFIX)
    }
}

/// One plausible person name from the part lists (with some made-up parts).
pub fn synthetic_person_name(rng: &mut Rng) -> String {
    let mut parts = vec![given(rng)];
    match rng.below(10) {
        0..=3 => {}
        4..=6 => parts.push(given(rng)),
        7 => {
            parts.push(rng.pick(LINEAGE).to_string());
            parts.push(given(rng));
        }
        _ => parts.push(format!("{}ovich", rng.pick(GIVEN))),
    }
    parts.push(family(rng));
    parts.join(" ")
}

/// A person name that is on none of the lists (European parts).
pub fn innocent_name(rng: &mut Rng) -> String {
    let mut parts = vec![rng.pick(INNOCENT_GIVEN).to_string()];
    if rng.chance(0.3) {
        parts.push(rng.pick(INNOCENT_GIVEN).to_string());
    }
    parts.push(rng.pick(INNOCENT_FAMILY).to_string());
    parts.join(" ")
}

fn synthetic_org_name(rng: &mut Rng) -> String {
    let mut parts = vec![rng.pick(ORG_WORDS).to_string()];
    if rng.chance(0.6) {
        parts.push(rng.pick(ORG_WORDS).to_string());
    }
    parts.push(rng.pick(ORG_KINDS).to_string());
    parts.join(" ")
}

/// A deterministic list of `n` fictional entries (85 % persons, some with
/// an alias and a birth year), references `SYN-<n>`.
pub fn synthetic_list(n: usize, seed: u64) -> List {
    let mut rng = Rng::new(seed);
    let mut entries = Vec::with_capacity(n);
    for i in 0..n {
        let person = rng.below(100) < 85;
        let schema = if person {
            EntrySchema::Person
        } else {
            EntrySchema::Organization
        };
        let mut e = ListEntry::new(format!("SYN-{i}"), schema);
        let name = if person {
            synthetic_person_name(&mut rng)
        } else {
            synthetic_org_name(&mut rng)
        };
        e.push_name(EntryName::new(name, NameKind::Primary));
        if rng.chance(0.3) {
            let alias = if person {
                synthetic_person_name(&mut rng)
            } else {
                synthetic_org_name(&mut rng)
            };
            e.push_name(EntryName::new(alias, NameKind::Alias));
        }
        if person && rng.chance(0.5) {
            let year = 1940 + rng.below(60) as i32;
            e.birth_dates.push(accord_lists::BirthDate {
                value: accord_lists::DateValue::Year { year },
                original: year.to_string(),
                approximate: false,
            });
        }
        entries.push(e);
    }
    List {
        source: ListSource::Accord,
        generated: None,
        entries,
        skipped: Vec::new(),
    }
}

/// How a query was made from a list name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Perturbation {
    /// The name as listed.
    Exact,
    /// One letter substituted, deleted, doubled or two letters swapped.
    Typo,
    /// The parts in another order (last part first).
    Swapped,
    /// One part dropped (names of three parts or more).
    Dropped,
    /// Written in Cyrillic as a Russian or Central Asian clerk would.
    Cyrillic,
    /// A made-up name that is on no list.
    Innocent,
}

impl Perturbation {
    pub const ALL: [Perturbation; 6] = [
        Perturbation::Exact,
        Perturbation::Typo,
        Perturbation::Swapped,
        Perturbation::Dropped,
        Perturbation::Cyrillic,
        Perturbation::Innocent,
    ];
}

/// A benchmark query and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchQuery {
    pub query: Query,
    pub kind: Perturbation,
    /// Index of the source entry in [`Screener::entries`] (None: innocent).
    pub source: Option<usize>,
}

fn typo(rng: &mut Rng, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.len() < 4 {
        return name.to_string();
    }
    // Not the first letter: people rarely get that wrong.
    let i = letters[1 + rng.below(letters.len() - 1)];
    let mut out = chars.clone();
    match rng.below(4) {
        0 => {
            const NEAR: &[(char, char)] = &[
                ('a', 'e'),
                ('e', 'i'),
                ('i', 'y'),
                ('o', 'u'),
                ('u', 'o'),
                ('k', 'q'),
                ('s', 'z'),
                ('d', 't'),
                ('m', 'n'),
                ('h', 'k'),
            ];
            let lower = out[i].to_lowercase().next().unwrap_or(out[i]);
            let rep = NEAR
                .iter()
                .find(|(a, _)| *a == lower)
                .map(|(_, b)| *b)
                .unwrap_or('a');
            out[i] = if out[i].is_uppercase() {
                rep.to_ascii_uppercase()
            } else {
                rep
            };
        }
        1 => {
            out.remove(i);
        }
        2 => out.insert(i, out[i]),
        _ => {
            if i + 1 < out.len() && out[i + 1].is_alphabetic() {
                out.swap(i, i + 1);
            } else {
                out.swap(i - 1, i);
            }
        }
    }
    out.into_iter().collect()
}

/// A Latin name as Russian-style Cyrillic.
pub fn to_cyrillic(name: &str) -> String {
    const DI: &[(&str, &str)] = &[
        ("shch", "щ"),
        ("kh", "х"),
        ("sh", "ш"),
        ("ch", "ч"),
        ("zh", "ж"),
        ("ts", "ц"),
        ("ya", "я"),
        ("yu", "ю"),
        ("yo", "ё"),
        ("ye", "е"),
        ("dj", "дж"),
        ("gh", "г"),
        ("ou", "у"),
        ("ee", "и"),
        ("oo", "у"),
    ];
    let one = |c: char| -> &'static str {
        match c {
            'a' => "а",
            'b' => "б",
            'v' => "в",
            'g' => "г",
            'd' => "д",
            'e' => "е",
            'z' => "з",
            'i' => "и",
            'y' => "й",
            'k' => "к",
            'l' => "л",
            'm' => "м",
            'n' => "н",
            'o' => "о",
            'p' => "п",
            'r' => "р",
            's' => "с",
            't' => "т",
            'u' => "у",
            'f' => "ф",
            'h' => "х",
            'c' => "к",
            'q' => "к",
            'w' => "в",
            'x' => "кс",
            'j' => "дж",
            '-' => "-",
            '\'' => "",
            _ => "",
        }
    };
    let mut words = Vec::new();
    for word in name.split_whitespace() {
        let lower = word.to_lowercase();
        let mut out = String::new();
        let mut rest = lower.as_str();
        while let Some(c) = rest.chars().next() {
            if let Some((lat, cyr)) = DI.iter().find(|(l, _)| rest.starts_with(l)) {
                out.push_str(cyr);
                rest = &rest[lat.len()..];
            } else {
                out.push_str(one(c));
                rest = &rest[c.len_utf8()..];
            }
        }
        let mut cs = out.chars();
        if let Some(first) = cs.next() {
            words.push(first.to_uppercase().chain(cs).collect::<String>());
        }
    }
    words.join(" ")
}

fn is_latin(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '-' || c == '\'' || c == '.')
}

/// `n` queries from the screener's entries (`dataset` only, if given):
/// Exact 15 %, Typo 20 %, Swapped 15 %, Dropped 15 %, Cyrillic 15 %,
/// Innocent 20 %. Deterministic for a seed.
pub fn make_queries(
    screener: &Screener,
    dataset: Option<&str>,
    n: usize,
    seed: u64,
) -> Vec<BenchQuery> {
    let mut rng = Rng::new(seed);
    let sources: Vec<(usize, &str)> = screener
        .entries()
        .iter()
        .enumerate()
        .filter(|(_, e)| dataset.is_none_or(|d| screener.dataset_name(e) == d))
        .filter_map(|(i, e)| {
            let name = e.caption();
            (is_latin(name) && name.split_whitespace().count() >= 2).then_some((i, name))
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let roll = rng.below(100);
        let kind = match roll {
            0..15 => Perturbation::Exact,
            15..35 => Perturbation::Typo,
            35..50 => Perturbation::Swapped,
            50..65 => Perturbation::Dropped,
            65..80 => Perturbation::Cyrillic,
            _ => Perturbation::Innocent,
        };
        if kind == Perturbation::Innocent || sources.is_empty() {
            out.push(BenchQuery {
                query: Query::name(innocent_name(&mut rng)),
                kind: Perturbation::Innocent,
                source: None,
            });
            continue;
        }
        let (idx, name) = *rng.pick(&sources);
        let parts: Vec<&str> = name.split_whitespace().collect();
        let (text, kind) = match kind {
            Perturbation::Typo => (typo(&mut rng, name), kind),
            Perturbation::Swapped => {
                let mut p = parts.clone();
                p.rotate_right(1);
                (p.join(" "), kind)
            }
            Perturbation::Dropped if parts.len() >= 3 => {
                let mut p = parts.clone();
                p.remove(1 + rng.below(parts.len() - 2));
                (p.join(" "), kind)
            }
            Perturbation::Cyrillic => (to_cyrillic(name), kind),
            _ => (name.to_string(), Perturbation::Exact),
        };
        let schema = match screener.entries()[idx].schema {
            EntrySchema::Person => Some(accord_match::Schema::Person),
            _ => None,
        };
        out.push(BenchQuery {
            query: Query {
                name: text,
                birth_date: None,
                country: None,
                schema,
            },
            kind,
            source: Some(idx),
        });
    }
    out
}

/// What to measure.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchConfig {
    /// Queries timed one by one on one thread (cycled from the query set).
    pub latency_queries: usize,
    /// Queries in the parallel batch (cycled from the query set).
    pub batch_queries: usize,
    /// Also run the batch through [`screen_csv`] (CSV in and out).
    pub csv: bool,
    pub options: ScreenOptions,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            latency_queries: 5_000,
            batch_queries: 100_000,
            csv: true,
            options: ScreenOptions::default(),
        }
    }
}

/// Per-query latency in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Latency {
    pub n: usize,
    pub median_us: f64,
    pub p99_us: f64,
    pub mean_us: f64,
    pub max_us: f64,
}

impl Latency {
    fn of(mut us: Vec<f64>) -> Latency {
        us.sort_by(f64::total_cmp);
        let n = us.len();
        if n == 0 {
            return Latency {
                n,
                median_us: 0.0,
                p99_us: 0.0,
                mean_us: 0.0,
                max_us: 0.0,
            };
        }
        let at = |q: f64| us[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
        Latency {
            n,
            median_us: at(0.5),
            p99_us: at(0.99),
            mean_us: us.iter().sum::<f64>() / n as f64,
            max_us: us[n - 1],
        }
    }
}

/// Throughput of a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Throughput {
    pub queries: usize,
    /// Wall-clock time.
    pub seconds: f64,
    pub per_second: f64,
    /// CPU time of the whole process during the batch (Linux only): with
    /// other processes on the machine, `queries / cpu_seconds × cores` is
    /// what the batch would reach alone.
    pub cpu_seconds: Option<f64>,
}

impl Throughput {
    fn measure(queries: usize, f: impl FnOnce() -> usize) -> Throughput {
        let cpu0 = process_cpu_seconds();
        let t = Instant::now();
        let done = f();
        let seconds = t.elapsed().as_secs_f64();
        let cpu_seconds = cpu0.and_then(|c0| process_cpu_seconds().map(|c1| c1 - c0));
        let queries = if done > 0 { done } else { queries };
        Throughput {
            queries,
            seconds,
            per_second: queries as f64 / seconds,
            cpu_seconds,
        }
    }

    /// CPU microseconds per query, if known.
    pub fn cpu_us_per_query(&self) -> Option<f64> {
        self.cpu_seconds
            .map(|c| c * 1e6 / self.queries.max(1) as f64)
    }
}

/// User + system CPU time of this process, from `/proc/self/stat`
/// (Linux; `None` elsewhere). Clock ticks are assumed to be 100 Hz.
pub fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 here.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Share of the queries of one kind whose source entry was among the
/// results (for innocent names: share with no result at all).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Found {
    pub kind: Perturbation,
    pub queries: usize,
    pub found: usize,
}

/// The measurements of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    pub entries: usize,
    pub build: Duration,
    pub memory_bytes: usize,
    pub threads: usize,
    pub per_query: Latency,
    /// Per-query latency of each perturbation kind.
    pub per_kind: Vec<(Perturbation, Latency)>,
    pub batch: Throughput,
    pub csv: Option<Throughput>,
    pub found: Vec<Found>,
    /// Queries the engine refused (should be 0).
    pub errors: usize,
}

/// Measures `screener` with `queries` (see [`BenchConfig`]).
pub fn run(screener: &Screener, queries: &[BenchQuery], config: &BenchConfig) -> BenchReport {
    assert!(!queries.is_empty(), "no queries to measure");
    let opts = &config.options;
    // Warm up caches and lazy tables.
    for q in queries.iter().take(200) {
        let _ = screener.screen(&q.query, opts);
    }

    let mut all = Vec::with_capacity(config.latency_queries);
    let mut by_kind: Vec<(Perturbation, Vec<f64>)> =
        Perturbation::ALL.iter().map(|k| (*k, Vec::new())).collect();
    let mut found: Vec<Found> = Perturbation::ALL
        .iter()
        .map(|k| Found {
            kind: *k,
            queries: 0,
            found: 0,
        })
        .collect();
    let mut errors = 0;
    for q in queries.iter().cycle().take(config.latency_queries) {
        let t = Instant::now();
        let r = screener.screen(&q.query, opts);
        let us = t.elapsed().as_secs_f64() * 1e6;
        all.push(us);
        let k = Perturbation::ALL
            .iter()
            .position(|k| *k == q.kind)
            .unwrap_or(0);
        by_kind[k].1.push(us);
        found[k].queries += 1;
        match r {
            Err(_) => errors += 1,
            Ok(cands) => {
                let hit = match q.source {
                    None => cands.is_empty(),
                    // A list can hold the same name more than once (a
                    // million synthetic names do): an entry with the
                    // source's very name counts as found.
                    Some(src) => {
                        let name = screener.entries()[src].caption();
                        cands.iter().any(|c| {
                            c.record == src
                                || screener.entries().get(c.record).map(|e| e.caption())
                                    == Some(name)
                        })
                    }
                };
                found[k].found += usize::from(hit);
            }
        }
    }

    let batch_queries: Vec<Query> = queries
        .iter()
        .cycle()
        .take(config.batch_queries)
        .map(|q| q.query.clone())
        .collect();
    let batch = Throughput::measure(batch_queries.len(), || {
        for chunk in batch_queries.chunks(1000) {
            std::hint::black_box(screener.screen_batch(chunk, opts));
        }
        batch_queries.len()
    });

    let csv = config.csv.then(|| {
        let mut input = String::from("id,name,schema\n");
        for (i, q) in batch_queries.iter().enumerate() {
            let schema = match q.schema {
                Some(accord_match::Schema::Person) => "Person",
                _ => "",
            };
            let name = q.name.replace('"', "");
            let _ = writeln!(input, "q{i},\"{name}\",{schema}");
        }
        let copts = CsvOptions {
            threshold: opts.threshold,
            limit: opts.limit,
            datasets: opts.datasets.clone(),
            ..CsvOptions::default()
        };
        Throughput::measure(batch_queries.len(), || {
            screen_csv(screener, input.as_bytes(), std::io::sink(), &copts, &|_| {})
                .expect("CSV screening of generated input")
                .rows as usize
        })
    });

    BenchReport {
        entries: screener.len(),
        build: screener.build_time(),
        memory_bytes: screener.memory_bytes(),
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        per_query: Latency::of(all),
        per_kind: by_kind
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k, Latency::of(v)))
            .collect(),
        batch,
        csv,
        found: found.into_iter().filter(|f| f.queries > 0).collect(),
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_list_is_deterministic() {
        let a = synthetic_list(200, 7);
        let b = synthetic_list(200, 7);
        assert_eq!(a, b);
        assert_eq!(a.entries.len(), 200);
        assert!(a.entries.iter().all(|e| e.primary_name().is_some()));
        assert_ne!(a, synthetic_list(200, 8));
    }

    #[test]
    fn cyrillic_rendering() {
        assert_eq!(to_cyrillic("Muhammad Tahir"), "Мухаммад Тахир");
        assert_eq!(to_cyrillic("Shavkat Yusupov"), "Шавкат Юсупов");
    }

    #[test]
    fn typos_change_one_thing() {
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            let t = typo(&mut rng, "Abdulla Karimov");
            let d = t.len() as i64 - "Abdulla Karimov".len() as i64;
            assert!(d.abs() <= 1, "{t}");
            assert!(t.starts_with('A'));
        }
    }

    #[test]
    fn cpu_time_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let c = process_cpu_seconds().unwrap();
            assert!(c >= 0.0);
        }
    }

    #[test]
    fn latency_percentiles() {
        let l = Latency::of((1..=100).map(f64::from).collect());
        assert_eq!(l.median_us, 50.0);
        assert_eq!(l.p99_us, 99.0);
        assert_eq!(l.max_us, 100.0);
        assert_eq!(l.mean_us, 50.5);
    }
}
