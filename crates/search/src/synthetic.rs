//! Deterministic synthetic library items for benchmarks and demos:
//! multilingual (English, Russian in its word forms, Arabic and Persian,
//! Kazakh and Uzbek), from word lists written here; no real documents.

use time::Date;

use crate::{IndexedItem, LanguageVersion};

/// A small, fast, deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// An element, skewed towards the front (common words first, as in text).
    pub fn skewed<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        &items[((u * u * u) * items.len() as f64) as usize % items.len()]
    }

    /// An element, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The kinds of the library.
pub const KINDS: [&str; 6] = [
    "research",
    "report",
    "good-practice",
    "event",
    "training",
    "counter-narrative",
];
/// The TLP markings.
pub const MARKINGS: [&str; 5] = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"];
/// Theme slugs.
pub const THEMES: [&str; 12] = [
    "online-propaganda",
    "recruitment",
    "prisons",
    "returnees",
    "youth",
    "financing",
    "foreign-fighters",
    "rehabilitation",
    "gender",
    "education",
    "community-policing",
    "hate-speech",
];
/// Member codes.
pub const COUNTRIES: [&str; 14] = [
    "KAZ", "KGZ", "TJK", "TKM", "UZB", "AFG", "PAK", "IRN", "IRQ", "JOR", "EGY", "MAR", "RUS",
    "GBR",
];

/// English words, commonest first.
pub const ENGLISH: &[&str] = &[
    "the",
    "of",
    "and",
    "in",
    "to",
    "a",
    "for",
    "on",
    "with",
    "by",
    "is",
    "are",
    "was",
    "that",
    "from",
    "as",
    "their",
    "this",
    "an",
    "at",
    "prevention",
    "violent",
    "extremism",
    "community",
    "online",
    "youth",
    "programme",
    "report",
    "research",
    "practice",
    "radicalisation",
    "recruitment",
    "network",
    "propaganda",
    "government",
    "security",
    "training",
    "social",
    "media",
    "policy",
    "study",
    "local",
    "national",
    "regional",
    "support",
    "families",
    "returnees",
    "prison",
    "rehabilitation",
    "reintegration",
    "women",
    "education",
    "schools",
    "teachers",
    "religious",
    "leaders",
    "narrative",
    "counter",
    "campaign",
    "evaluation",
    "evidence",
    "findings",
    "risk",
    "factors",
    "resilience",
    "dialogue",
    "civil",
    "society",
    "cooperation",
    "states",
    "partners",
    "workshop",
    "conference",
    "outcome",
    "lessons",
    "learned",
    "approach",
    "framework",
    "strategy",
    "assessment",
    "threat",
    "financing",
    "foreign",
    "fighters",
    "borders",
    "internet",
    "platforms",
    "content",
    "moderation",
    "referral",
    "mentoring",
    "psychological",
    "counselling",
    "police",
    "officers",
    "municipal",
    "mayors",
    "volunteers",
    "survey",
    "interviews",
    "participants",
    "districts",
    "villages",
    "cities",
    "region",
    "province",
    "ministry",
    "agency",
    "department",
    "unit",
    "early",
    "warning",
    "indicators",
    "vulnerable",
    "grievances",
    "identity",
    "belonging",
    "trust",
    "institutions",
    "justice",
    "courts",
    "sentencing",
    "probation",
    "release",
    "monitoring",
    "data",
    "analysis",
    "methodology",
    "sample",
    "results",
    "recommendations",
    "implementation",
    "pilot",
    "scale",
    "funding",
    "donors",
    "sustainability",
    "gender",
    "sensitive",
    "inclusive",
    "digital",
    "literacy",
    "hate",
    "speech",
    "messaging",
    "videos",
    "channels",
    "accounts",
    "influencers",
    "amplification",
    "algorithms",
    "encrypted",
    "messaging",
    "diaspora",
    "migration",
    "labour",
    "unemployment",
    "poverty",
    "conflict",
    "displacement",
    "camps",
    "repatriation",
    "children",
    "mothers",
    "elders",
    "mosques",
    "imams",
    "curriculum",
    "sports",
    "arts",
    "theatre",
    "radio",
    "television",
    "journalists",
];

/// Russian stems and the endings they take (so text holds many word forms).
pub const RUSSIAN: &[(&str, &[&str])] = &[
    ("и", &[""]),
    ("в", &[""]),
    ("на", &[""]),
    ("с", &[""]),
    ("по", &[""]),
    ("для", &[""]),
    ("экстремизм", &["", "а", "у", "ом", "е"]),
    ("терроризм", &["", "а", "у", "ом", "е"]),
    ("профилактик", &["а", "и", "е", "у", "ой"]),
    ("радикализаци", &["я", "и", "ю", "ей"]),
    ("молодёж", &["ь", "и", "ью"]),
    ("вербовк", &["а", "и", "е", "у", "ой"]),
    ("пропаганд", &["а", "ы", "е", "у", "ой"]),
    ("сообществ", &["о", "а", "у", "ом", "е"]),
    ("программ", &["а", "ы", "е", "у", "ой"]),
    ("исследовани", &["е", "я", "ю", "ем", "и"]),
    ("практик", &["а", "и", "е", "у", "ой"]),
    ("отчёт", &["", "а", "у", "ом", "е"]),
    ("обучени", &["е", "я", "ю", "ем", "и"]),
    ("государств", &["о", "а", "у", "ом", "е"]),
    ("безопасност", &["ь", "и", "ью"]),
    ("сет", &["ь", "и", "ью", "ей"]),
    ("интернет", &["", "а", "у", "ом", "е"]),
    ("учреждени", &["е", "я", "ю", "ем", "и"]),
    ("тюрьм", &["а", "ы", "е", "у", "ой"]),
    ("реабилитаци", &["я", "и", "ю", "ей"]),
    ("реинтеграци", &["я", "и", "ю", "ей"]),
    ("семь", &["я", "и", "ю", "ей"]),
    ("женщин", &["а", "ы", "е", "у", "ой"]),
    ("образовани", &["е", "я", "ю", "ем", "и"]),
    ("школ", &["а", "ы", "е", "у", "ой"]),
    ("учител", &["ь", "я", "ю", "ем", "е"]),
    ("религиозн", &["ый", "ого", "ому", "ым", "ом", "ая", "ой"]),
    ("лидер", &["", "а", "у", "ом", "е", "ы"]),
    ("нарратив", &["", "а", "у", "ом", "е", "ы"]),
    ("кампани", &["я", "и", "ю", "ей"]),
    ("оценк", &["а", "и", "е", "у", "ой"]),
    ("результат", &["", "а", "у", "ом", "е", "ы"]),
    ("риск", &["", "а", "у", "ом", "е", "и"]),
    ("фактор", &["", "а", "у", "ом", "е", "ы"]),
    ("устойчивост", &["ь", "и", "ью"]),
    ("диалог", &["", "а", "у", "ом", "е"]),
    ("гражданск", &["ое", "ого", "ому", "им", "ом"]),
    ("обществ", &["о", "а", "у", "ом", "е"]),
    ("сотрудничеств", &["о", "а", "у", "ом", "е"]),
    ("семинар", &["", "а", "у", "ом", "е", "ы"]),
    ("конференци", &["я", "и", "ю", "ей"]),
    ("стратеги", &["я", "и", "ю", "ей"]),
    ("угроз", &["а", "ы", "е", "у", "ой"]),
    ("финансировани", &["е", "я", "ю", "ем", "и"]),
    ("боевик", &["", "а", "у", "ом", "е", "и", "ов"]),
    ("границ", &["а", "ы", "е", "у", "ей"]),
    ("платформ", &["а", "ы", "е", "у", "ой"]),
    ("контент", &["", "а", "у", "ом", "е"]),
    ("полици", &["я", "и", "ю", "ей"]),
    ("регион", &["", "а", "у", "ом", "е", "ы"]),
    ("министерств", &["о", "а", "у", "ом", "е"]),
    ("ранн", &["ее", "его", "ему", "им", "ем"]),
    ("предупреждени", &["е", "я", "ю", "ем", "и"]),
    ("уязвим", &["ый", "ого", "ому", "ым", "ые", "ых"]),
    ("доверие", &[""]),
    ("правосуди", &["е", "я", "ю", "ем"]),
    ("мониторинг", &["", "а", "у", "ом", "е"]),
    ("данн", &["ые", "ых", "ым", "ыми"]),
    ("анализ", &["", "а", "у", "ом", "е"]),
    ("рекомендаци", &["я", "и", "ю", "ей", "й"]),
    ("мигрант", &["", "а", "у", "ом", "е", "ы", "ов"]),
    ("конфликт", &["", "а", "у", "ом", "е"]),
    ("дет", &["и", "ей", "ям", "ьми"]),
    ("мечет", &["ь", "и", "ью"]),
    ("ёмкост", &["ь", "и"]),
];

/// Arabic words (Arabic keyboard forms), commonest first.
pub const ARABIC: &[&str] = &[
    "في",
    "من",
    "على",
    "إلى",
    "عن",
    "مع",
    "التطرف",
    "العنيف",
    "الإرهاب",
    "مكافحة",
    "الوقاية",
    "الشباب",
    "المجتمع",
    "برنامج",
    "تقرير",
    "دراسة",
    "بحث",
    "ممارسة",
    "التجنيد",
    "الدعاية",
    "الإنترنت",
    "الحكومة",
    "الأمن",
    "التدريب",
    "وسائل",
    "التواصل",
    "الاجتماعي",
    "السياسة",
    "المحلية",
    "الوطنية",
    "الإقليمية",
    "دعم",
    "الأسر",
    "العائدين",
    "السجون",
    "إعادة",
    "التأهيل",
    "الإدماج",
    "المرأة",
    "التعليم",
    "المدارس",
    "المعلمين",
    "الدينية",
    "القادة",
    "الرواية",
    "المضادة",
    "حملة",
    "تقييم",
    "الأدلة",
    "النتائج",
    "المخاطر",
    "العوامل",
    "الصمود",
    "الحوار",
    "المدني",
    "التعاون",
    "الدول",
    "الشركاء",
    "ورشة",
    "عمل",
    "مؤتمر",
    "الدروس",
    "المستفادة",
    "النهج",
    "الإطار",
    "الاستراتيجية",
    "التهديد",
    "التمويل",
    "المقاتلين",
    "الأجانب",
    "الحدود",
    "المنصات",
    "المحتوى",
    "الشرطة",
    "البلدية",
    "المتطوعين",
    "استطلاع",
    "مقابلات",
    "المشاركين",
    "القرى",
    "المدن",
    "المنطقة",
    "وزارة",
    "هيئة",
    "الإنذار",
    "المبكر",
    "المؤشرات",
    "الفئات",
    "الهشة",
    "الهوية",
    "الثقة",
    "المؤسسات",
    "العدالة",
    "المحاكم",
    "الرصد",
    "البيانات",
    "تحليل",
    "المنهجية",
    "التوصيات",
    "التنفيذ",
    "الاستدامة",
    "الكراهية",
    "خطاب",
    "الرسائل",
    "المؤثرين",
    "النزوح",
    "المخيمات",
    "الأطفال",
    "الأمهات",
    "المساجد",
    "الأئمة",
    "المناهج",
    "الرياضة",
];

/// Persian words (Persian keyboard forms: ی, ک), commonest first.
pub const PERSIAN: &[&str] = &[
    "در",
    "از",
    "به",
    "با",
    "و",
    "برای",
    "افراط‌گرایی",
    "خشونت",
    "پیشگیری",
    "جوانان",
    "جامعه",
    "برنامه",
    "گزارش",
    "پژوهش",
    "تجربه",
    "جذب",
    "تبلیغات",
    "اینترنت",
    "دولت",
    "امنیت",
    "آموزش",
    "رسانه",
    "اجتماعی",
    "سیاست",
    "محلی",
    "ملی",
    "حمایت",
    "خانواده",
    "بازگشت",
    "زندان",
    "بازپروری",
    "زنان",
    "مدرسه",
    "معلمان",
    "مذهبی",
    "رهبران",
    "روایت",
    "کارزار",
    "ارزیابی",
    "شواهد",
    "یافته‌ها",
    "خطر",
    "عوامل",
    "تاب‌آوری",
    "گفتگو",
    "همکاری",
    "کشورها",
    "کارگاه",
    "کنفرانس",
    "درس‌ها",
    "راهبرد",
    "تهدید",
    "تامین",
    "مالی",
    "مرزها",
    "محتوا",
    "پلیس",
    "داوطلبان",
    "نظرسنجی",
    "مصاحبه",
    "روستاها",
    "شهرها",
    "وزارت",
    "هشدار",
    "زودهنگام",
    "شاخص‌ها",
    "آسیب‌پذیر",
    "هویت",
    "اعتماد",
    "نهادها",
    "عدالت",
    "دادگاه",
    "داده‌ها",
    "تحلیل",
    "توصیه‌ها",
    "کودکان",
    "مادران",
    "مساجد",
    "کتاب",
];

/// Kazakh (Cyrillic) words.
pub const KAZAKH: &[&str] = &[
    "және",
    "жастар",
    "экстремизм",
    "алдын",
    "алу",
    "қоғам",
    "бағдарлама",
    "есеп",
    "зерттеу",
    "қауіпсіздік",
    "білім",
    "отбасы",
    "әйелдер",
    "мектеп",
    "діни",
    "ынтымақтастық",
    "тәжірибе",
];

/// Uzbek (Latin) words.
pub const UZBEK: &[&str] = &[
    "va",
    "yoshlar",
    "ekstremizm",
    "oldini",
    "olish",
    "jamiyat",
    "dastur",
    "hisobot",
    "tadqiqot",
    "xavfsizlik",
    "ta'lim",
    "oila",
    "ayollar",
    "maktab",
    "diniy",
    "hamkorlik",
    "tajriba",
];

/// The languages the generator writes, and how often (per mille).
const LANGS: [(&str, u32); 6] = [
    ("en", 450),
    ("ru", 250),
    ("ar", 130),
    ("fa", 80),
    ("kk", 50),
    ("uz", 40),
];

/// Words per language: the hand-written list first (commonest first), then
/// a tail of made-up words, drawn with Zipf's law (rank r with weight
/// 1/r), so that, as in real text, a few words are everywhere and most are
/// rare.
pub const VOCABULARY: usize = 6_000;

/// A language's vocabulary: stems (with the endings they take, for Russian)
/// and the cumulative Zipf weights.
struct Vocab {
    words: Vec<(String, &'static [&'static str])>,
    cumulative: Vec<f64>,
}

const NO_ENDINGS: &[&str] = &[""];
const RU_NOUN_A: &[&str] = &["а", "ы", "е", "у", "ой"];
const RU_NOUN_M: &[&str] = &["", "а", "у", "ом", "е", "ы", "ов"];
const RU_ADJ: &[&str] = &["ый", "ого", "ому", "ым", "ом", "ая", "ой", "ые"];

fn made_up(rng: &mut SplitMix64, lang: &str) -> (String, &'static [&'static str]) {
    fn syllables(rng: &mut SplitMix64, onsets: &[&str], vowels: &[&str], n: usize) -> String {
        (0..n)
            .map(|_| format!("{}{}", rng.pick(onsets), rng.pick(vowels)))
            .collect()
    }
    match lang {
        "ru" | "kk" => {
            let n = rng.range(2, 3);
            let stem = syllables(
                rng,
                &[
                    "к", "л", "м", "р", "ст", "н", "т", "в", "пр", "д", "з", "ж", "б", "г", "сл",
                ],
                &["а", "о", "и", "е", "у"],
                n,
            ) + *rng.pick(&["н", "т", "р", "к", "л", "в"]);
            let endings = if lang == "kk" {
                NO_ENDINGS
            } else {
                *rng.pick(&[RU_NOUN_A, RU_NOUN_M, RU_ADJ])
            };
            (stem, endings)
        }
        "ar" | "fa" => {
            let letters: &[&str] = if lang == "ar" {
                &[
                    "ب", "ت", "ج", "ح", "خ", "د", "ر", "ز", "س", "ش", "ص", "ط", "ع", "ف", "ق", "ك",
                    "ل", "م", "ن", "ه", "و", "ي", "ا",
                ]
            } else {
                &[
                    "ب", "پ", "ت", "ج", "چ", "خ", "د", "ر", "ز", "ژ", "س", "ش", "ف", "ک", "گ", "ل",
                    "م", "ن", "و", "ه", "ی", "ا",
                ]
            };
            let mut w: String = (0..rng.range(3, 5)).map(|_| *rng.pick(letters)).collect();
            if lang == "ar" && rng.chance(0.4) {
                w = format!("ال{w}");
            }
            if rng.chance(0.2) {
                w.push(if lang == "ar" { 'ة' } else { 'ی' });
            }
            (w, NO_ENDINGS)
        }
        _ => {
            let n = rng.range(2, 3);
            let stem = syllables(
                rng,
                &[
                    "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "st",
                    "tr", "pl", "gr",
                ],
                &["a", "e", "i", "o", "u", "ea", "io"],
                n,
            );
            let suffix = *rng.pick(&[
                "", "s", "ing", "ed", "ation", "ity", "al", "ment", "ness", "er",
            ]);
            (format!("{stem}{suffix}"), NO_ENDINGS)
        }
    }
}

fn vocab(lang: &str) -> &'static Vocab {
    static VOCABS: std::sync::OnceLock<Vec<(&'static str, Vocab)>> = std::sync::OnceLock::new();
    let all = VOCABS.get_or_init(|| {
        ["en", "ru", "ar", "fa", "kk", "uz"]
            .into_iter()
            .map(|lang| {
                let mut words: Vec<(String, &'static [&'static str])> = match lang {
                    "ru" => RUSSIAN.iter().map(|(s, e)| (s.to_string(), *e)).collect(),
                    "ar" => ARABIC.iter().map(|w| (w.to_string(), NO_ENDINGS)).collect(),
                    "fa" => PERSIAN
                        .iter()
                        .map(|w| (w.to_string(), NO_ENDINGS))
                        .collect(),
                    "kk" => KAZAKH.iter().map(|w| (w.to_string(), NO_ENDINGS)).collect(),
                    "uz" => UZBEK.iter().map(|w| (w.to_string(), NO_ENDINGS)).collect(),
                    _ => ENGLISH
                        .iter()
                        .map(|w| (w.to_string(), NO_ENDINGS))
                        .collect(),
                };
                let mut rng =
                    SplitMix64(0x5EED ^ lang.len() as u64 ^ (lang.as_bytes()[0] as u64) << 8);
                let size = if matches!(lang, "kk" | "uz") {
                    VOCABULARY / 4
                } else {
                    VOCABULARY
                };
                while words.len() < size {
                    words.push(made_up(&mut rng, lang));
                }
                let mut total = 0.0;
                let cumulative = (0..words.len())
                    .map(|r| {
                        total += 1.0 / (r as f64 + 1.0);
                        total
                    })
                    .collect();
                (lang, Vocab { words, cumulative })
            })
            .collect()
    });
    all.iter()
        .find(|(l, _)| *l == lang)
        .map_or(&all[0].1, |(_, v)| v)
}

fn word(rng: &mut SplitMix64, lang: &str) -> String {
    let v = vocab(lang);
    let total = *v.cumulative.last().expect("non-empty");
    let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * total;
    let rank = v
        .cumulative
        .partition_point(|&c| c < u)
        .min(v.words.len() - 1);
    let (stem, endings) = &v.words[rank];
    format!("{stem}{}", rng.pick(endings))
}

/// `n` words of `lang`.
pub fn words(rng: &mut SplitMix64, lang: &str, n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&word(rng, lang));
    }
    out
}

fn sentence(rng: &mut SplitMix64, lang: &str) -> String {
    let n = rng.range(6, 16);
    let mut s = words(rng, lang, n);
    if let Some(first) = s.chars().next()
        && first.is_lowercase()
    {
        let upper: String = first.to_uppercase().collect();
        s.replace_range(..first.len_utf8(), &upper);
    }
    s.push('.');
    s
}

fn body(rng: &mut SplitMix64, lang: &str) -> String {
    let mut md = String::new();
    for section in 0..rng.range(2, 4) {
        let heading_words = rng.range(2, 5);
        md.push_str(&format!("## {}\n\n", words(rng, lang, heading_words)));
        for _ in 0..rng.range(1, 3) {
            let sentences = rng.range(2, 5);
            for s in 0..sentences {
                if s > 0 {
                    md.push(' ');
                }
                let mut text = sentence(rng, lang);
                if rng.chance(0.2) {
                    let w = word(rng, lang);
                    text = format!("{text} **{w}**");
                }
                md.push_str(&text);
            }
            md.push_str("\n\n");
        }
        if section == 0 && rng.chance(0.5) {
            for _ in 0..rng.range(2, 4) {
                let n = rng.range(3, 7);
                md.push_str(&format!("- {}\n", words(rng, lang, n)));
            }
            md.push('\n');
        }
    }
    md
}

fn pick_lang(rng: &mut SplitMix64) -> &'static str {
    let mut x = rng.below(1000) as u32;
    for (lang, weight) in LANGS {
        if x < weight {
            return lang;
        }
        x -= weight;
    }
    "en"
}

/// The item with this id (`id ≥ 1`): the same id always gives the same item.
pub fn item(id: i64) -> IndexedItem {
    let mut rng = SplitMix64(0xACC0_4D00 ^ (id as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let lang = pick_lang(&mut rng);
    let mut langs = vec![lang];
    // A third of the non-English items also have an English version; some
    // English ones a Russian one.
    if lang != "en" && rng.chance(0.33) {
        langs.push("en");
    } else if lang == "en" && rng.chance(0.1) {
        langs.push("ru");
    }
    let versions = langs
        .iter()
        .map(|&l| {
            let title_words = rng.range(3, 8);
            let summary = (0..rng.range(1, 3))
                .map(|_| sentence(&mut rng, l))
                .collect::<Vec<_>>()
                .join(" ");
            LanguageVersion {
                lang: l.to_string(),
                title: words(&mut rng, l, title_words),
                summary,
                body: body(&mut rng, l),
            }
        })
        .collect();
    let attachment_text = if rng.chance(0.2) {
        let n = rng.range(300, 2_000);
        words(&mut rng, lang, n)
    } else {
        String::new()
    };
    let themes = (0..rng.range(1, 3))
        .map(|_| rng.pick(&THEMES).to_string())
        .collect();
    let countries = (0..rng.range(1, 2))
        .map(|_| rng.pick(&COUNTRIES).to_string())
        .collect();
    let start = Date::from_calendar_date(2015, time::Month::January, 1)
        .expect("valid date")
        .to_julian_day();
    let published = if rng.chance(0.95) {
        Date::from_julian_day(start + rng.below(11 * 365) as i32).ok()
    } else {
        None
    };
    IndexedItem {
        id,
        kind: rng.pick(&KINDS).to_string(),
        marking: rng.skewed(&MARKINGS).to_string(),
        themes,
        countries,
        published,
        versions,
        attachment_text,
    }
}

/// Items `first..first + n`.
pub fn items(first: i64, n: usize) -> Vec<IndexedItem> {
    (first..first + n as i64).map(item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_deterministic_and_varied() {
        assert_eq!(item(7), item(7));
        assert_ne!(item(7), item(8));
        let sample = items(1, 500);
        for lang in ["en", "ru", "ar", "fa"] {
            assert!(sample.iter().any(|i| i.versions[0].lang == lang), "{lang}");
        }
        assert!(sample.iter().any(|i| !i.attachment_text.is_empty()));
        assert!(sample.iter().any(|i| i.published.is_none()));
    }
}
